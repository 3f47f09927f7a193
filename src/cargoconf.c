/* cargoconf.c: Cargo's rustflags sources, read as far as ounce must know them.
 * Cargo takes CARGO_ENCODED_RUSTFLAGS, else RUSTFLAGS, else the target rustflags
 * of its configuration (target.TRIPLE and every matching target.'cfg(..)', joined),
 * else build.rustflags: only the first source found counts. */
#include "cargoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "mem.h"
#include "spawn.h"
#include "strv.h"
#include "banned.h"

/* s without blanks and quotes: the dotted path of a TOML key or table header,
 * as far as ounce compares them. The caller frees it. */
static char *
plain_key(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '"' && s[i] != '\'') {
			buf_addc(&b, s[i]);
		}
	}
	return buf_detach(&b);
}

static bool
target_rustflags(const char *path)
{
	size_t n = strlen(path), m = strlen(".rustflags");

	return !strncmp(path, "target.", 7) && n > 7 + m && !strcmp(path + n - m, ".rustflags");
}

bool
cargoconf_text_has_target_rustflags(const char *text)
{
	char *table = xstrdup("");
	bool found = false;

	while (!found && text && *text) {
		size_t len = strcspn(text, "\n");
		const char *line = text;

		text += len + (text[len] == '\n');
		while (len && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		if (!len || *line == '#') {
			continue;
		}
		if (*line == '[') {
			/* [table] or [[array of tables]]: keys below are relative to it */
			const char *end = memchr(line, ']', len);

			if (end) {
				size_t skip = line[1] == '[' ? 2 : 1;

				free(table);
				table = plain_key(line + skip, (size_t)(end - line) - skip);
			}
			continue;
		}
		const char *eq = memchr(line, '=', len);

		if (!eq) {
			/* a line inside a multi-line array */
			continue;
		}
		char *key = plain_key(line, (size_t)(eq - line));
		char *path = *table ? xasprintf("%s.%s", table, key) : xstrdup(key);

		found = target_rustflags(path);
		free(path);
		free(key);
	}
	free(table);
	return found;
}

/* Does DIR/config or DIR/config.toml (Cargo reads both names) set target rustflags? */
static bool
config_has(const char *dir)
{
	static const char *const names[] = {"config", "config.toml"};
	bool found = false;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names) && !found; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct buf b = BUF_INIT;

		if (fs_exists(path) && fs_read_file(path, &b) == 0) {
			found = cargoconf_text_has_target_rustflags(buf_str(&b));
		}
		buf_release(&b);
		free(path);
	}
	return found;
}

bool
cargoconf_has_target_rustflags(const char *cwd, const struct strv *env, const char *skip)
{
	const char *home = strv_getenv(env, "CARGO_HOME"), *h = strv_getenv(env, "HOME");
	char *dir = xstrdup(cwd), *cargo_home;
	bool found = false;

	for (size_t i = 0; i < env->n && !found; i++) {
		const char *v = env->v[i];
		size_t n = strcspn(v, "="), m = strlen("_RUSTFLAGS");

		found = !strncmp(v, "CARGO_TARGET_", 13) && n > 13 + m &&
			!strncmp(v + n - m, "_RUSTFLAGS", m);
	}
	/* cwd, then each parent up to / */
	while (!found) {
		char *slash;

		if (!skip || strcmp(dir, skip)) {
			char *sub = xasprintf("%s/.cargo", strcmp(dir, "/") ? dir : "");

			found = config_has(sub);
			free(sub);
		}
		slash = strrchr(dir, '/');
		if (!slash || !strcmp(dir, "/")) {
			break;
		}
		slash[slash == dir] = '\0';
	}
	free(dir);
	cargo_home = home && *home ? xstrdup(home) : h && *h ? xasprintf("%s/.cargo", h) : NULL;
	if (!found && cargo_home) {
		found = config_has(cargo_home);
	}
	free(cargo_home);
	return found;
}

/* Is there a Cargo.toml in a parent of dir (where a workspace root could be)? */
static bool
parent_manifest(const char *dir)
{
	char *d = xstrdup(dir), *slash;
	bool found = false;

	while (!found && (slash = strrchr(d, '/')) && slash != d) {
		char *path;

		*slash = '\0';
		path = xasprintf("%s/Cargo.toml", d);
		found = fs_exists(path);
		free(path);
	}
	if (!found && d[0] == '/') {
		found = fs_exists("/Cargo.toml");
	}
	free(d);
	return found;
}

char *
cargoconf_workspace_root(const char *dir)
{
	struct strv argv = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	struct buf out = BUF_INIT;
	char *root = NULL, *real = NULL, *slash;

	if (!parent_manifest(dir)) {
		/* its own workspace: no need to start cargo */
		return NULL;
	}
	strv_push(&argv, "cargo");
	strv_push(&argv, "locate-project");
	strv_push(&argv, "--workspace");
	strv_push(&argv, "--message-format=plain");
	strv_push(&argv, "--offline");
	o.argv = strv_array(&argv);
	o.cwd = dir;
	o.out = &out;
	o.timeout = 60;
	if (spawn_run(&o, &res) == 0 && res.end == SPAWN_EXITED && res.status == 0) {
		root = buf_detach(&out);
		root[strcspn(root, "\n")] = '\0';
		slash = strrchr(root, '/');
		if (slash && slash != root && !strcmp(slash, "/Cargo.toml")) {
			*slash = '\0';
			real = fs_realpath(root);
		}
	}
	buf_release(&out);
	strv_release(&argv);
	free(root);
	if (real && !strcmp(real, dir)) {
		free(real);
		real = NULL;
	}
	return real;
}

char *
cargoconf_rustflags_toml(const struct strv *flags, bool target)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "# written by ounce: the profiles' rustflags, joined by Cargo with the\n"
		     "# project's own\n");
	buf_adds(&b, target ? "[target.'cfg(all())']\n" : "[build]\n");
	buf_adds(&b, "rustflags = [");
	for (size_t i = 0; i < flags->n; i++) {
		buf_adds(&b, i ? ", \"" : "\"");
		for (const char *p = flags->v[i]; *p; p++) {
			unsigned char ch = (unsigned char)*p;

			if (ch == '"' || ch == '\\') {
				buf_addc(&b, '\\');
				buf_addc(&b, (char)ch);
			} else if (ch < 0x20 || ch == 0x7f) {
				buf_printf(&b, "\\u%04x", ch);
			} else {
				buf_addc(&b, (char)ch);
			}
		}
		buf_addc(&b, '"');
	}
	buf_adds(&b, "]\n");
	return buf_detach(&b);
}
