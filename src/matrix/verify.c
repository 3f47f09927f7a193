/* verify.c: ounce pick --verify. The winner is rebuilt from what pick --emit
 * prints, applied as the README tells a user to (its "# reproduce:" line, with the
 * cache file or the wrapper scripts it needs), in a fresh copy of the project
 * under the work directory, by the project's own build system and without
 * ounce's compiler wrapper; then its artifacts are compared byte for byte. */
#include "matrix/verify.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "config/cargoconf.h"
#include "config/profile.h"
#include "config/project.h"
#include "config/recipe.h"
#include "matrix/cache.h"
#include "matrix/sandbox.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "os/os_linux.h"
#include "os/spawn.h"
#include "report/emit.h"
#include "report/pick.h"
#include "report/result.h"
#include "base/banned.h"

extern char **environ;

/* DIR of a path DIR/parent/NAME ("cells": the work directory of
 * WORKDIR/cells/NAME), or NULL when path is not one. */
static char *
parent_named(const char *path, const char *parent)
{
	const char *last = strrchr(path, '/');
	size_t n = strlen(parent);

	if (!last || (size_t)(last - path) < n + 1 || strncmp(last - n, parent, n) ||
	    last[-(ptrdiff_t)n - 1] != '/') {
		return NULL;
	}
	return xstrndup(path, (size_t)(last - path) - n - 1);
}

char *
verify_workdir(const struct results *r, const char *results_path)
{
	const char *slash = strrchr(results_path, '/');

	/* the work directory the run named (--workdir=DIR of its arguments): a cell
	 * from a cache outside it (--cache) says nothing of it */
	for (size_t i = 0; i < r->argv.n; i++) {
		if (!strcmp(r->argv.v[i], "--")) {
			break;
		}
		if (!strncmp(r->argv.v[i], "--workdir=", 10) && r->argv.v[i][10] == '/' &&
		    fs_exists(r->argv.v[i] + 10)) {
			return xstrdup(r->argv.v[i] + 10);
		}
	}
	for (size_t i = 0; i < r->ncells; i++) {
		const char *log = r->cells[i]->log;
		char *dir, *w;

		if (!log || !(slash = strrchr(log, '/'))) {
			continue;
		}
		/* WORKDIR/cells/NAME/build.log, or WORKDIR/cache/KEY/build.log (results
		 * saved before their arguments were) */
		dir = xstrndup(log, (size_t)(slash - log));
		w = parent_named(dir, "cells");
		if (!w) {
			w = parent_named(dir, "cache");
		}
		free(dir);
		if (w) {
			return w;
		}
	}
	slash = strrchr(results_path, '/');
	return slash ? xstrndup(results_path, (size_t)(slash - results_path)) : xstrdup(".");
}

/* ---- the likely cause of a difference, from the rebuild's log ---- */

/* The name of an -f option without "no-" and its value ("lto" for -fno-lto and
 * -flto=auto), into base; false when a is not one. */
static bool
f_base(const char *a, char *base, size_t len, bool *neg)
{
	if (strncmp(a, "-f", 2) || !a[2]) {
		return false;
	}
	a += 2;
	*neg = !strncmp(a, "no-", 3);
	a += *neg ? 3 : 0;
	snprintf(base, len, "%.*s", (int)strcspn(a, "="), a);
	return true;
}

/* Does theirs, later on a compiler's command line, undo ours (-O3 after -Os,
 * -fno-lto after -flto, -fvisibility=default after -fvisibility=hidden)? */
static bool
overrides(const char *ours, const char *theirs)
{
	char b1[128], b2[128];
	bool n1, n2;

	if (!strcmp(ours, theirs)) {
		return false;
	}
	if (!strncmp(ours, "-O", 2)) {
		return !strncmp(theirs, "-O", 2);
	}
	if (f_base(ours, b1, sizeof(b1), &n1) && f_base(theirs, b2, sizeof(b2), &n2)) {
		return !strcmp(b1, b2);
	}
	return false;
}

static bool
compiler_word(const char *w, const struct settings *s)
{
	static const char *const names[] = {"cc", "gcc", "clang", "c++", "g++", "clang++"};
	const char *base = strrchr(w, '/') ? strrchr(w, '/') + 1 : w;
	size_t n = strlen(base);

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		size_t k = strlen(names[i]);

		/* gcc, x86_64-linux-gnu-gcc, gcc-12 */
		if (!strcmp(base, names[i]) || (n > k && !strcmp(base + n - k, names[i]) &&
						 base[n - k - 1] == '-') ||
		    (!strncmp(base, names[i], k) && base[k] == '-' && base[k + 1] >= '0' &&
		     base[k + 1] <= '9')) {
			return true;
		}
	}
	return (s->cc && !strcmp(w, s->cc)) || (s->cxx && !strcmp(w, s->cxx));
}

/* A compiler call, as a log line shows it (after "cd DIR &&", "libtool: link:"):
 * its words from the compiler to the end of the command; false when the line has
 * none. */
static bool
compiler_call(const char *line, const struct settings *s, struct strv *call)
{
	struct strv w = STRV_INIT;
	size_t i = 0;

	strv_split(&w, line);
	/* the first word of a command: of the line, after "&&" or ";" (cmake's "cd
	 * DIR && gcc"), or of what libtool shows ("libtool: link: gcc") */
	while (i < w.n && !(compiler_word(w.v[i], s) &&
			    (!i || !strcmp(w.v[i - 1], "&&") || !strcmp(w.v[i - 1], ";") ||
			     !strcmp(w.v[i - 1], "link:") || !strcmp(w.v[i - 1], "compile:") ||
			     !strcmp(w.v[i - 1], "relink:")))) {
		i++;
	}
	for (; i < w.n; i++) {
		if (!strcmp(w.v[i], "&&") || !strcmp(w.v[i], ";") || !strcmp(w.v[i], "||")) {
			break;
		}
		strv_push(call, w.v[i]);
	}
	strv_release(&w);
	return call->n > 1;
}

/* The call shortened for one line of a message. */
static char *
shown(const struct strv *call)
{
	char *j = strv_join(call, " ");

	if (strlen(j) > 160) {
		memcpy(j + 150, " ...", 5);
	}
	return j;
}

/* Of the winner's flags on call, the first one a later flag of the build undoes
 * (*theirs), or NULL. */
static const char *
undone(const struct strv *call, const struct strv *ours, const char **theirs)
{
	for (size_t k = 0; k < ours->n; k++) {
		ssize_t last_ours = -1, last_theirs = -1;

		for (size_t i = 1; i < call->n; i++) {
			if (!strcmp(call->v[i], ours->v[k])) {
				last_ours = (ssize_t)i;
			} else if (last_ours >= 0 && overrides(ours->v[k], call->v[i]) &&
				   !strv_has(ours, call->v[i])) {
				last_theirs = (ssize_t)i;
			}
		}
		if (last_ours >= 0 && last_theirs > last_ours) {
			*theirs = call->v[last_theirs];
			return ours->v[k];
		}
	}
	return NULL;
}

static bool
has_any(const struct strv *call, const struct strv *flags)
{
	for (size_t i = 0; i < flags->n; i++) {
		if (strv_has(call, flags->v[i])) {
			return true;
		}
	}
	return false;
}

static bool
is_compile(const struct strv *call)
{
	return strv_has(call, "-c") || strv_has(call, "-S");
}

char *
verify_cause(const struct cell *c, const char *log)
{
	const struct settings *s = &c->settings;
	struct strv ours = STRV_INIT;
	struct buf text = BUF_INIT;
	char *cause = NULL, *missed = NULL;
	const char *line;
	int num = 0;

	if (fs_read_file(log, &text) < 0) {
		return NULL;
	}
	strv_extend(&ours, &s->f.cflags);
	strv_extend(&ours, &s->f.ldflags);
	line = buf_str(&text);
	while (*line && !cause) {
		size_t n = strcspn(line, "\n");
		char *l = xstrndup(line, n);
		struct strv call = STRV_INIT;
		const char *mine, *theirs = NULL;

		num++;
		if (compiler_call(l, s, &call)) {
			char *j = NULL;

			if ((mine = undone(&call, &ours, &theirs))) {
				j = shown(&call);
				cause = xasprintf("the build's own '%s' comes after the winner's '%s' "
						  "on '%s' (%s:%d)",
						  theirs, mine, j, log, num);
			} else if (!missed && is_compile(&call) && s->f.cflags.n &&
				   !has_any(&call, &s->f.cflags)) {
				j = shown(&call);
				missed = xasprintf("a compile that the winner's flags did not reach: "
						   "'%s' (%s:%d)",
						   j, log, num);
			} else if (!missed && !is_compile(&call) && strv_has(&call, "-o") &&
				   s->f.ldflags.n && !has_any(&call, &s->f.ldflags)) {
				j = shown(&call);
				missed = xasprintf("a link that the winner's link flags did not reach: "
						   "'%s' (%s:%d)",
						   j, log, num);
			}
			free(j);
		}
		strv_release(&call);
		free(l);
		line += n + (line[n] ? 1 : 0);
	}
	strv_release(&ours);
	buf_release(&text);
	if (cause) {
		free(missed);
		return cause;
	}
	return missed;
}

/* ---- the rebuild ---- */

/* The "# reproduce: " line of an emitted form, or NULL; the caller frees it. */
static char *
reproduce_line(const char *text)
{
	const char *l = !strncmp(text, "# reproduce: ", 13) ? text : strstr(text, "\n# reproduce: ");

	if (!l) {
		return NULL;
	}
	l += *l == '\n' ? 14 : 13;
	return xstrndup(l, strcspn(l, "\n"));
}

static bool
has_entry(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	bool yes = fs_exists(p);

	free(p);
	return yes;
}

/* The names not copied into cells: the recipe's and ounce.ini's exclude. Returns
 * 0 or -1 after reporting. */
static int
copy_exclude(const struct results *r, struct strv *exclude)
{
	char *data = os_data_dir(), *dir;
	struct recipe_set recipes = RECIPE_SET_INIT;
	struct profile_set set = PROFILE_SET_INIT;
	struct project proj = PROJECT_INIT;
	const struct recipe *rec;
	int rc = -1;

	if (!data) {
		return -1;
	}
	dir = xasprintf("%s/recipes", data);
	if (recipe_load_dir(&recipes, dir) < 0) {
		goto out;
	}
	rec = r->recipe ? recipe_find(&recipes, r->recipe) : NULL;
	if (rec) {
		strv_extend(exclude, &rec->exclude);
	}
	free(dir);
	dir = xasprintf("%s/profiles", data);
	if (profile_load_dir(&set, dir) < 0 || project_load(&proj, r->project_dir, &set) < 0) {
		goto out;
	}
	strv_extend(exclude, &proj.exclude);
	/* the lines build in build/ and install into stage/ at the project's root:
	 * a build directory of the user's there (a CMake cache, a configured tree,
	 * a Meson or CMake ninja file) would be reused, and a stage/ is what such a
	 * line installed before: left out of the copy, as a user starts afresh */
	if (has_entry(r->project_dir, "build/CMakeCache.txt") ||
	    has_entry(r->project_dir, "build/config.status") ||
	    has_entry(r->project_dir, "build/build.ninja")) {
		strv_push(exclude, "build");
	}
	if (has_entry(r->project_dir, "stage")) {
		strv_push(exclude, "stage");
	}
	rc = 0;
out:
	project_release(&proj);
	profile_set_release(&set);
	recipe_set_release(&recipes);
	free(dir);
	free(data);
	return rc;
}

/* The environment of the rebuild: ounce's own without the wrapper's variables,
 * ounce's directory last in PATH (for a post-link step that runs ounce), and the
 * build's commands shown in its log (V=1, VERBOSE=1: how the cause is found). */
static void
rebuild_env(struct strv *env)
{
	char *self = os_self_exe(), *slash = self ? strrchr(self, '/') : NULL;
	const char *path = getenv("PATH");

	for (char **e = environ; *e; e++) {
		if (strncmp(*e, "OUNCE_", 6)) {
			strv_push(env, *e);
		}
	}
	if (slash) {
		char *p;

		*slash = '\0';
		p = xasprintf("%s:%s", path ? path : "/usr/bin:/bin", self);
		strv_setenv(env, "PATH", p);
		free(p);
	}
	free(self);
	strv_setenv(env, "V", "1");
	strv_setenv(env, "VERBOSE", "1");
	if (!getenv("MAKEFLAGS")) {
		char *j = xasprintf("-j%d", os_ncpu());

		strv_setenv(env, "MAKEFLAGS", j);
		free(j);
	}
}

static void
set_result(struct cell_verify *out, const char *state, char *detail)
{
	free(out->state);
	out->state = xstrdup(state);
	free(out->detail);
	out->detail = detail;
}

/* The file range [*off, *end) of path's build ID note (the section, else the
 * note segments); false when it has none. */
static bool
build_id_range(const char *path, size_t *off, size_t *end)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstr, nph = 0;
	bool found = false;

	if (fd < 0) {
		return false;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_kind(e) == ELF_K_ELF && elf_getshdrstrndx(e, &shstr) == 0) {
		while (!found && (scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (gelf_getshdr(scn, &sh) && (name = elf_strptr(e, shstr, sh.sh_name)) &&
			    !strcmp(name, ".note.gnu.build-id")) {
				*off = sh.sh_offset;
				*end = sh.sh_offset + sh.sh_size;
				found = true;
			}
		}
	}
	if (e && !found && elf_getphdrnum(e, &nph) == 0) {
		/* no section headers (sstrip): the notes the segments hold */
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_NOTE) {
				*off = found && *off < ph.p_offset ? *off : ph.p_offset;
				*end = found && *end > ph.p_offset + ph.p_filesz
					       ? *end
					       : ph.p_offset + ph.p_filesz;
				found = true;
			}
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

/* Are a and b the same file but for their build ID (same size, every differing
 * byte inside the note)? */
static bool
only_build_id(const char *a, const char *b)
{
	struct buf x = BUF_INIT, y = BUF_INIT;
	size_t off = 0, end = 0;
	bool only = false;

	if (build_id_range(a, &off, &end) && fs_read_file(a, &x) == 0 &&
	    fs_read_file(b, &y) == 0 && x.len == y.len) {
		const char *p = buf_str(&x), *q = buf_str(&y);

		only = true;
		for (size_t i = 0; only && i < x.len; i++) {
			only = p[i] == q[i] || (i >= off && i < end);
		}
	}
	buf_release(&x);
	buf_release(&y);
	return only;
}

/* Compare c's artifacts with those of the rebuilt tree; sets out's state, and
 * *idonly when the build IDs are all that differs. */
static void
compare(const struct cell *c, const char *tree, struct cell_verify *out, bool *idonly)
{
	size_t ndiff = 0;
	char *first = NULL;

	*idonly = true;

	for (size_t i = 0; i < c->narts; i++) {
		const struct artifact *a = &c->arts[i];
		char *p = xasprintf("%s/%s", tree, emit_artifact_path(a->name));
		char key[CACHE_KEY_LEN + 1], want[CACHE_KEY_LEN + 1];
		long long got = fs_size(p);
		const char *hash = a->hash;

		if (got < 0) {
			set_result(out, "failed", xasprintf("the rebuild made no '%s'",
							    emit_artifact_path(a->name)));
			free(p);
			free(first);
			return;
		}
		if (!*hash && cache_file_key(a->path, want)) {
			hash = want;
		}
		if (!cache_file_key(p, key) || strcmp(key, hash)) {
			const char *n = emit_artifact_path(a->name);

			*idonly = *idonly && only_build_id(a->path, p);
			if (!ndiff++ && got == a->m.bytes) {
				first = xasprintf("%s: the same %lld bytes, not the same content", n,
						  got);
			} else if (ndiff == 1) {
				first = xasprintf("%s: %lld bytes vs %lld", n, got, a->m.bytes);
			}
		}
		free(p);
	}
	if (!c->narts) {
		set_result(out, "failed", xstrdup("the run recorded no artifact to compare"));
	} else if (!ndiff) {
		set_result(out, "identical", NULL);
		free(first);
	} else if (c->narts > 1) {
		set_result(out, "differs", xasprintf("%s; %zu of %zu artifacts differ", first, ndiff,
						     c->narts));
		free(first);
	} else {
		set_result(out, "differs", first);
	}
}

/* Append the lines of text from the first that starts with from (included) up
 * to one that starts with "# " (excluded) to the file at path (created). Returns
 * 0 (also when text has no such line), or -1 after reporting. */
static int
paste(const char *text, const char *from, bool skip_first, const char *path)
{
	const char *p = !strncmp(text, from, strlen(from)) ? text : strstr(text, from);
	struct buf b = BUF_INIT;
	int rc = 0;

	if (!p || (p != text && p[-1] != '\n')) {
		return 0;
	}
	if (skip_first) {
		p += strcspn(p, "\n");
		p += *p ? 1 : 0;
	}
	if (fs_exists(path) && fs_read_file(path, &b) < 0) {
		return -1;
	}
	/* a blank line before the pasted section, as a user leaves one */
	buf_adds(&b, "\n");
	while (*p && strncmp(p, "# ", 2)) {
		size_t n = strcspn(p, "\n");

		buf_add(&b, p, n);
		buf_addc(&b, '\n');
		p += n + (p[n] ? 1 : 0);
	}
	rc = fs_write_file(path, buf_str(&b), b.len);
	buf_release(&b);
	return rc;
}

/* Paste the cargo form as the README says: its [profile] section into the
 * workspace's Cargo.toml (root: the copy of the workspace), its rustflags into
 * .cargo/config.toml there. Returns 0 or -1 after reporting. */
static int
paste_cargo(const char *text, const char *root)
{
	char *manifest = xasprintf("%s/Cargo.toml", root);
	char *dir = xasprintf("%s/.cargo", root), *conf = xasprintf("%s/config.toml", dir);
	int rc = paste(text, "[profile.", false, manifest);

	if (rc == 0 && strstr(text, "\n# .cargo/config.toml")) {
		rc = fs_mkdirs(dir) < 0 ? -1 : paste(text, "# .cargo/config.toml", true, conf);
	}
	free(manifest);
	free(dir);
	free(conf);
	return rc;
}

/* Is WORKDIR/prep/src the snapshot of the tree dir (WORKDIR/prep/origin names
 * it), or a copy an older ounce prepared, with no origin? */
static bool
snapshot_of(const char *workdir, const char *dir)
{
	char *snap = xasprintf("%s/prep/src", workdir);
	char *origin = xasprintf("%s/prep/origin", workdir);
	struct buf b = BUF_INIT;
	bool yes = false;

	if (!fs_exists(snap)) {
		/* none */
	} else if (!fs_exists(origin)) {
		yes = true;
	} else if (fs_read_file(origin, &b) == 0) {
		size_t n = strlen(dir);

		yes = b.len == n + 1 && !strncmp(buf_str(&b), dir, n) && buf_str(&b)[n] == '\n';
	}
	buf_release(&b);
	free(snap);
	free(origin);
	return yes;
}

/* s as one word of a GCC or clang response file: in single quotes, where both
 * read a newline as itself, but a quote or a backslash escaped outside them (GCC
 * reads a backslash inside quotes as an escape too). */
static void
rsp_quote(struct buf *out, const char *s)
{
	buf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\') {
			buf_printf(out, "'\\%c'", *s);
		} else {
			buf_addc(out, *s);
		}
	}
	buf_addc(out, '\'');
}

/* path for a comment line of a script: a control character (a newline would end
 * the comment and run the rest) as '?'. The caller frees it. */
static char *
comment_safe(const char *path)
{
	char *s = xstrdup(path);

	for (char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = '?';
		}
	}
	return s;
}

int
verify_cell(const struct results *r, const struct cell *c, const char *form,
	    const char *workdir, double timeout, const struct spawn_sandbox *sandbox,
	    struct cell_verify *out)
{
	char *vdir = NULL, *tree = NULL, *prep = NULL, *script = NULL, *line = NULL;
	char *root = NULL, *run_dir = NULL, *map = NULL, *rsp = NULL, *shown = NULL;
	struct strv exclude = STRV_INIT, env = STRV_INIT, cflags = STRV_INIT;
	struct buf text = BUF_INIT, sh = BUF_INIT;
	struct cell v = *c;
	struct spawn_opts o = {0};
	struct spawn_result res;
	struct sandbox *own = NULL;
	bool idonly = false;
	int rc = -1;

	*out = (struct cell_verify){0};
	form = form ? form : emit_native_form(r->recipe);
	out->form = xstrdup(form ? form : "native");
	if (!form) {
		set_result(out, "failed", xasprintf("no form applies a winner to a '%s' project with "
						    "its own build system: try --emit wrapper",
						    r->recipe ? r->recipe : "?"));
		return 0;
	}
	if (!r->project_dir || !fs_exists(r->project_dir)) {
		set_result(out, "failed", xasprintf("the project '%s' is not there",
						    r->project_dir ? r->project_dir : "?"));
		return 0;
	}
	vdir = xasprintf("%s/verify/%s", workdir, form);
	tree = xasprintf("%s/src", vdir);
	prep = xasprintf("%s/prep/src", workdir);
	/* the cells mapped their directory to the project's, so the paths compiled
	 * in (__FILE__, debug info) are those of a build in the project itself: the
	 * rebuild maps its copy the same way (only that is added to the form) */
	map = xasprintf("-ffile-prefix-map=%s=%s", tree, r->project_dir);
	if (strchr(map, '\n')) {
		/* no form carries a newline in a flag on its one line (make's --eval
		 * ends an assignment there): the compilers read it from a response
		 * file, written once vdir is made */
		rsp = xasprintf("%s/prefix-map.rsp", vdir);
		strv_push_owned(&cflags, xasprintf("@%s", rsp));
	} else {
		strv_push(&cflags, map);
	}
	strv_extend(&cflags, &c->settings.f.cflags);
	v.settings.f.cflags = cflags;
	if (emit_render(r, &v, form, "file", &text) < 0) {
		set_result(out, "failed", xasprintf("'%s' is not a form of this build", form));
		rc = 0;
		goto out;
	}
	line = reproduce_line(buf_str(&text));
	if (!line) {
		set_result(out, "failed", xasprintf("the %s form has no line that rebuilds a '%s' "
						    "project",
						    form, r->recipe ? r->recipe : "?"));
		rc = 0;
		goto out;
	}
	out->log = xasprintf("%s/verify.log", vdir);
	if (copy_exclude(r, &exclude) < 0 || fs_remove_tree(vdir) < 0 || fs_mkdirs(vdir) < 0) {
		goto out;
	}
	if (rsp) {
		struct buf q = BUF_INIT;
		int w;

		rsp_quote(&q, map);
		buf_addc(&q, '\n');
		w = fs_write_file(rsp, buf_str(&q), q.len);
		buf_release(&q);
		if (w < 0) {
			goto out;
		}
	}
	/* a member of a Cargo workspace in a copy of the workspace; from the run's
	 * snapshot of it, as the cells were (prepared by autoreconf, the sources
	 * the run measured whatever was edited since) */
	root = !strcmp(form, "cargo") ? cargoconf_workspace_root(r->project_dir) : NULL;
	if ((snapshot_of(workdir, root ? root : r->project_dir)
		     ? stage_clone(prep, tree, &exclude, NULL)
		     : stage_copy(root ? root : r->project_dir, tree, &exclude, workdir)) < 0) {
		goto out;
	}
	run_dir = root && !strncmp(r->project_dir, root, strlen(root))
			  ? xasprintf("%s%s", tree, r->project_dir + strlen(root))
			  : xstrdup(tree);
	if (!strcmp(form, "cargo") && paste_cargo(buf_str(&text), tree) < 0) {
		goto out;
	}
	if (!strcmp(form, "cmake") || !strcmp(form, "meson")) {
		/* the line reads the cache file or native file from the project's root */
		char *cache = xasprintf("%s/%s", tree,
					!strcmp(form, "cmake") ? "ounce.cmake" : "ounce-native.ini");
		int w = fs_write_file(cache, buf_str(&text), text.len);

		free(cache);
		if (w < 0) {
			goto out;
		}
	}
	shown = comment_safe(r->project_dir);
	buf_printf(&sh, "# ounce pick --verify: the %s form of '%s', pasted at the root of a copy\n"
			"# of %s\nset -e\n",
		   form, c->name, shown);
	if (!strcmp(form, "wrapper")) {
		/* the snippet writes the wrapper scripts the line runs */
		buf_adds(&sh, buf_str(&text));
	}
	buf_printf(&sh, "%s\n", line);
	script = xasprintf("%s/verify.sh", vdir);
	if (fs_write_file(script, buf_str(&sh), sh.len) < 0) {
		goto out;
	}
	rebuild_env(&env);
	{
		struct strv argv = STRV_INIT;

		strv_push(&argv, "sh");
		strv_push(&argv, script);
		o.argv = strv_array(&argv);
		o.envp = strv_array(&env);
		o.cwd = run_dir;
		o.log_path = out->log;
		o.timeout = timeout;
		/* a build step like the cells': the project read-only to it */
		o.sandbox = sandbox ? sandbox : sandbox_for(r->project_dir, workdir, &own);
		info("verifying '%s': the %s form, rebuilt in '%s'", c->name, form, tree);
		if (spawn_run(&o, &res) < 0 && res.end != SPAWN_NOT_STARTED) {
			strv_release(&argv);
			goto out;
		}
		strv_release(&argv);
	}
	rc = 0;
	if (res.end != SPAWN_EXITED || res.status != 0) {
		char *why = spawn_log_cause(out->log, true);

		set_result(out, "failed", xasprintf("%s%s%s", spawn_describe(&res, timeout),
						    why ? ": " : "", why ? why : ""));
		free(why);
		goto out;
	}
	compare(c, run_dir, out, &idonly);
	if (!strcmp(out->state, "differs") && idonly) {
		/* the linker hashes the output before strip, debug info included,
		 * and that records the compile flags in the order they came */
		out->cause = xstrdup("only the build ID differs: the linker hashes the whole "
				     "output, whose debug info records the compile flags in their "
				     "order on each call (a flag the build adds after the "
				     "winner's, such as libtool's -fPIC, is elsewhere than under "
				     "ounce's wrapper); without a build ID (the noid profile) the "
				     "bytes would be the same");
	} else if (!strcmp(out->state, "differs") && c->reproducible == CELL_REPRO_NO) {
		/* no rebuild gives its bytes, from any form: said before guessing */
		out->cause = xasprintf("the cell is not reproducible (matrix --repeat: %s)",
				       c->repro_detail ? c->repro_detail : "its builds differ");
	} else if (!strcmp(out->state, "differs")) {
		out->cause = verify_cause(c, out->log);
	} else if (!strcmp(out->state, "identical")) {
		/* nothing to look at: the log and the script stay */
		fs_remove_tree(tree);
	}
out:
	if (rc < 0 || !out->state) {
		set_result(out, "failed", xstrdup("ounce could not run the rebuild (see above)"));
	}
	sandbox_free(own);
	strv_release(&cflags);
	strv_release(&exclude);
	strv_release(&env);
	buf_release(&text);
	buf_release(&sh);
	free(vdir);
	free(tree);
	free(prep);
	free(script);
	free(line);
	free(root);
	free(run_dir);
	free(map);
	free(rsp);
	free(shown);
	return rc;
}

/* The cell's wrap.log (every compiler call of its build), when it is kept. The
 * caller frees it. */
static char *
wrap_log(const struct cell *c)
{
	const char *slash = c->log ? strrchr(c->log, '/') : NULL;
	char *p;

	if (!slash) {
		return NULL;
	}
	p = xasprintf("%.*s/wrap.log", (int)(slash - c->log), c->log);
	if (!fs_exists(p)) {
		free(p);
		return NULL;
	}
	return p;
}

char *
verify_line(const struct cell_verify *v)
{
	bool log = strcmp(v->state, "identical") && v->log;

	return xasprintf("verified: %s (%s form%s%s%s%s)", v->state, v->form, v->detail ? ": " : "",
			 v->detail ? v->detail : "", log ? "; log: " : "", log ? v->log : "");
}

void
verify_explain(const struct cell *c, const struct cell_verify *v)
{
	char *wl;

	if (strcmp(v->state, "differs")) {
		return;
	}
	if (c->reproducible == CELL_REPRO_NO) {
		/* no form would: the wrapper's advice below does not apply */
		warn("the %s form does not rebuild the bytes ounce measured, as no build of '%s' "
		     "does: it is not reproducible (matrix --repeat: %s)",
		     v->form, c->name, c->repro_detail ? c->repro_detail : "its builds differ");
		return;
	}
	wl = wrap_log(c);
	if (strcmp(v->form, "wrapper")) {
		/* the native form cannot do what the wrapper did: say where it shows */
		warn("the %s form does not rebuild what ounce measured. Likely cause: %s. In the "
		     "cells ounce's compiler wrapper put the winner's flags after the build's own "
		     "on every call%s%s%s: 'ounce pick --emit wrapper' does the same",
		     v->form,
		     v->cause ? v->cause : "the build's calls differ from the cells' (compare the log "
					 "with the cell's wrap.log)",
		     wl ? " (" : "", wl ? wl : "", wl ? ")" : "");
	} else {
		warn("the wrapper form does not rebuild what ounce measured%s%s: compare the log "
		     "with the cell's compiler calls%s%s%s",
		     v->cause ? ": " : "", v->cause ? v->cause : "", wl ? " (" : "", wl ? wl : "",
		     wl ? ")" : "");
	}
	free(wl);
}

int
verify_run_winner(struct results *r, const char *path, const struct strv *allow, double timeout,
		  const struct spawn_sandbox *sandbox)
{
	const struct cell *base = results_find(r, r->baseline);
	const struct cell *win = pick_best_in(r, r->metric ? r->metric : "file", allow,
					      base ? base->build : NULL);
	struct cell_verify v;
	char *workdir, *line;
	int rc;

	if (!win || !r->complete) {
		return 0;
	}
	workdir = verify_workdir(r, path);
	rc = verify_cell(r, win, NULL, workdir, timeout, sandbox, &v);
	free(workdir);
	if (rc < 0) {
		cell_verify_release(&v);
		return -1;
	}
	line = verify_line(&v);
	info("'%s' %s", win->name, line);
	free(line);
	verify_explain(win, &v);
	/* (a const cell of r: pick does not change it; this does) */
	cell_set_verify(results_find(r, win->name), &v);
	cell_verify_release(&v);
	return results_save(r, path);
}
