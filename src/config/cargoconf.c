/* cargoconf.c: Cargo's rustflags sources, read as far as ounce must know them.
 * Cargo takes CARGO_ENCODED_RUSTFLAGS, else RUSTFLAGS, else the target rustflags
 * of its configuration (target.TRIPLE and every matching target.'cfg(..)', joined),
 * else build.rustflags: only the first source found counts. */
#include "config/cargoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "base/banned.h"

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

/* What the configuration files say that decides where rustflags go. */
struct scan {
	struct strv keys;	/* X of every target.X.rustflags: a triple or cfg(...) */
	struct strv targets;	/* every build.target */
};
#define SCAN_INIT {STRV_INIT, STRV_INIT}

/* A string value's text: value without blanks, quotes and an array's brackets. */
static void
add_value(struct strv *out, const char *value, size_t n)
{
	char *v = plain_key(value, n);
	char *p = v + strspn(v, "[");

	p[strcspn(p, "],#")] = '\0';
	if (*p) {
		strv_push(out, p);
	}
	free(v);
}

/* Add what text says to sc: a line scanner, not a TOML parser: it reads the
 * table headers and, on each line with '=', the key before it. */
static void
scan_text(const char *text, struct scan *sc)
{
	char *table = xstrdup("");

	while (text && *text) {
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
		size_t n = strlen(path), m = strlen(".rustflags");

		if (!strncmp(path, "target.", 7) && n > 7 + m && !strcmp(path + n - m, ".rustflags")) {
			strv_push_owned(&sc->keys, xstrndup(path + 7, n - 7 - m));
		} else if (!strcmp(path, "build.target")) {
			add_value(&sc->targets, eq + 1, len - (size_t)(eq + 1 - line));
		}
		free(path);
		free(key);
	}
	free(table);
}

/* Are a and b the same triple, as Cargo matches an environment variable's name
 * (CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS): case, '-' and '.' aside? */
static bool
same_triple(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = *a == '-' || *a == '.' ? '_' : toupper((unsigned char)*a);
		int y = *b == '-' || *b == '.' ? '_' : toupper((unsigned char)*b);

		if (x != y) {
			return false;
		}
		if (!x) {
			return true;
		}
	}
}

/* Do the target rustflags sc found apply to a build for host (NULL: unknown, any
 * counts) or for one of the build.target triples? A cfg(...) key is taken to
 * apply: ounce does not evaluate it. */
static bool
scan_applies(const struct scan *sc, const char *host)
{
	for (size_t i = 0; i < sc->keys.n; i++) {
		const char *k = sc->keys.v[i];

		if (!host || !strncmp(k, "cfg(", 4) || same_triple(k, host)) {
			return true;
		}
		for (size_t j = 0; j < sc->targets.n; j++) {
			if (same_triple(k, sc->targets.v[j])) {
				return true;
			}
		}
	}
	return false;
}

static void
scan_release(struct scan *sc)
{
	strv_release(&sc->keys);
	strv_release(&sc->targets);
}

bool
cargoconf_text_has_target_rustflags(const char *text, const char *host)
{
	struct scan sc = SCAN_INIT;
	bool yes;

	scan_text(text, &sc);
	yes = scan_applies(&sc, host);
	scan_release(&sc);
	return yes;
}

/* Add DIR/config and DIR/config.toml (Cargo reads both names) to sc. */
static void
scan_dir(const char *dir, struct scan *sc)
{
	static const char *const names[] = {"config", "config.toml"};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct buf b = BUF_INIT;

		if (fs_exists(path) && fs_read_file(path, &b) == 0) {
			scan_text(buf_str(&b), sc);
		}
		buf_release(&b);
		free(path);
	}
}

bool
cargoconf_has_target_rustflags(const char *cwd, const struct strv *env, const char *skip,
			       const char *host)
{
	const char *home = strv_getenv(env, "CARGO_HOME"), *h = strv_getenv(env, "HOME");
	const char *bt = strv_getenv(env, "CARGO_BUILD_TARGET");
	char *dir = xstrdup(cwd), *cargo_home, *slash;
	struct scan sc = SCAN_INIT;
	bool found;

	/* cwd, then each parent up to /, then CARGO_HOME */
	for (;;) {
		if (!skip || strcmp(dir, skip)) {
			char *sub = xasprintf("%s/.cargo", strcmp(dir, "/") ? dir : "");

			scan_dir(sub, &sc);
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
	if (cargo_home) {
		scan_dir(cargo_home, &sc);
	}
	free(cargo_home);
	if (bt && *bt) {
		strv_push(&sc.targets, bt);
	}
	/* CARGO_TARGET_<TRIPLE>_RUSTFLAGS: the triple upper-cased, '-' and '.' as '_' */
	for (size_t i = 0; i < env->n; i++) {
		const char *v = env->v[i];
		size_t n = strcspn(v, "="), m = strlen("_RUSTFLAGS");

		if (!strncmp(v, "CARGO_TARGET_", 13) && n > 13 + m &&
		    !strncmp(v + n - m, "_RUSTFLAGS", m)) {
			strv_push_owned(&sc.keys, xstrndup(v + 13, n - 13 - m));
		}
	}
	found = scan_applies(&sc, host);
	scan_release(&sc);
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
