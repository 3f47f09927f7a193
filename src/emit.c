/* emit.c: the winning settings as shell exports, a Makefile fragment with the make
 * command line that applies them to a whole tree, CMake, Meson or Cargo settings,
 * or JSON. The forms add to the project's own flags, as ounce's compiler wrapper
 * did when it measured the cell, so applying them reproduces the measured size. */
#include "emit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cargoconf.h"
#include "log.h"
#include "mem.h"
#include "result.h"
#include "strv.h"
#include "tmpl.h"
#include "banned.h"

static void
shell_quote(struct buf *out, const char *s)
{
	if (*s && !strpbrk(s, " \t\n'\"\\$`;&|<>()*?[]#~{}!")) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'') {
			buf_adds(out, "'\\''");
		} else {
			buf_addc(out, *s);
		}
	}
	buf_addc(out, '\'');
}

static void
shell_words(struct buf *out, const struct strv *sv)
{
	char *j = strv_join(sv, " ");

	shell_quote(out, j);
	free(j);
}

/* The post-link step with {artifact} replaced by artifact, {src} by the project's
 * root and {ounce} by ounce (as a shell reads it). */
static char *
post_step(const char *step, const char *artifact)
{
	static const char *const names[] = {"{artifact}", "{src}", "{ounce}"};
	const char *with[] = {artifact, ".", "ounce"};
	const size_t n = sizeof(names) / sizeof(*names);
	struct buf b = BUF_INIT;

	while (*step) {
		size_t i = 0;

		while (i < n && strncmp(step, names[i], strlen(names[i]))) {
			i++;
		}
		if (i < n) {
			buf_adds(&b, with[i]);
			step += strlen(names[i]);
		} else {
			buf_addc(&b, *step++);
		}
	}
	return buf_detach(&b);
}

static const char *
artifact_name(const struct cell *c)
{
	const char *slash = c->artifact ? strrchr(c->artifact, '/') : NULL;

	return slash ? slash + 1 : c->artifact ? c->artifact : "ARTIFACT";
}

/* The path of artifact in the tree of the cell whose log is log (CELLDIR/build.log,
 * the tree in CELLDIR/src), or NULL. */
static char *
path_in_tree(const char *artifact, const char *log)
{
	const char *end = log ? strrchr(log, '/') : NULL;
	size_t n;

	if (!artifact || !end || strcmp(end, "/build.log")) {
		return NULL;
	}
	n = (size_t)(end - log);
	if (strncmp(artifact, log, n) || strncmp(artifact + n, "/src/", 5) || !artifact[n + 5]) {
		return NULL;
	}
	return xstrdup(artifact + n + 5);
}

/* The path of c's artifact from the project's root (the caller frees it): from
 * where c's build made it, or a cell of the same build did (a copy of another
 * cell's artifact keeps its place), or the cell a cache entry was stored from
 * (the entry's cell.json, beside its build.log); else its file name. */
static char *
artifact_path(const struct results *r, const struct cell *c)
{
	char *rel = path_in_tree(c->artifact, c->log);
	const char *slash = c->log ? strrchr(c->log, '/') : NULL;

	for (size_t i = 0; !rel && i < r->ncells; i++) {
		const struct cell *o = r->cells[i];

		if (o->build && c->build && !strcmp(o->build, c->build) &&
		    !strcmp(artifact_name(o), artifact_name(c))) {
			rel = path_in_tree(o->artifact, o->log);
		}
	}
	if (!rel && slash) {
		char *entry = xasprintf("%.*s/cell.json", (int)(slash - c->log), c->log);
		json_t *o = json_load_file(entry, 0, NULL);

		rel = o ? path_in_tree(json_string_value(json_object_get(o, "artifact")),
				       json_string_value(json_object_get(o, "log")))
			: NULL;
		json_decref(o);
		free(entry);
	}
	return rel ? rel : xstrdup(artifact_name(c));
}

static void
header(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	long long v = cell_metric(c, metric);

	buf_printf(out, "# ounce: winner for %s: '%s' (%s), %lld bytes by '%s'\n",
		   r->project ? r->project : "project", c->name,
		   c->profiles.n ? "profiles below" : "no profile", v, metric);
	for (size_t i = 0; i < c->profiles.n; i++) {
		const struct result_profile *p = results_profile(r, c->profiles.v[i]);

		buf_printf(out, "#   %s: %s", c->profiles.v[i], p ? p->summary : "");
		if (p && strcmp(p->tradeoff, "none")) {
			buf_printf(out, " [trade-off: %s%s%s]", p->tradeoff,
				   p->tradeoff_note ? ": " : "",
				   p->tradeoff_note ? p->tradeoff_note : "");
		}
		buf_addc(out, '\n');
	}
}

static void
emit_env(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;

	header(r, c, metric, out);
	buf_adds(out, "# These add to your build's own flags: keep its CFLAGS and append these.\n");
	buf_adds(out, "export CC=");
	shell_quote(out, s->cc ? s->cc : "cc");
	buf_adds(out, "\nexport CXX=");
	shell_quote(out, s->cxx ? s->cxx : "c++");
	buf_adds(out, "\nexport CFLAGS=");
	shell_words(out, &s->f.cflags);
	buf_adds(out, "\nexport CXXFLAGS=");
	shell_words(out, &s->f.cflags);
	buf_adds(out, "\nexport LDFLAGS=");
	shell_words(out, &s->f.ldflags);
	buf_adds(out, "\nexport LDLIBS=");
	shell_words(out, &s->f.libs);
	buf_adds(out, "\nexport LIBS=\"$LDLIBS\"\n");
	for (size_t i = 0; i < s->f.env.n; i++) {
		const char *kv = s->f.env.v[i];
		size_t n = strcspn(kv, "=");

		buf_printf(out, "export %.*s=", (int)n, kv);
		shell_quote(out, kv + n + 1);
		buf_addc(out, '\n');
	}
	if (s->f.build_args.n) {
		buf_adds(out, "# pass to the build command: ");
		shell_words(out, &s->f.build_args);
		buf_addc(out, '\n');
	}
	if (s->f.post.n) {
		char *art = artifact_path(r, c);

		buf_adds(out, "# after the build, run on the artifact:\n");
		for (size_t i = 0; i < s->f.post.n; i++) {
			char *step = post_step(s->f.post.v[i], art);

			buf_printf(out, "#   %s\n", step);
			free(step);
		}
		free(art);
	}
}

/* ---- make: a fragment to read after the Makefile, and one command line ---- */

/* A value make reads literally: $ expands, # starts a comment, and backslashes
 * before a # escape it. */
static void
make_literal(struct buf *out, const char *s)
{
	while (*s) {
		size_t n = strspn(s, "\\");

		if (n) {
			/* make reads \\# as one backslash and a comment */
			for (size_t i = 0; i < (s[n] == '#' ? 2 * n : n); i++) {
				buf_addc(out, '\\');
			}
			s += n;
			continue;
		}
		if (*s == '$') {
			buf_addc(out, '$');
		} else if (*s == '#') {
			buf_addc(out, '\\');
		}
		buf_addc(out, *s++);
	}
}

/* A word of a recipe, as make must read it: quoted for the shell that runs the
 * recipe (the wrapper had it as one argument, as written), then for make. */
static void
make_word(struct buf *out, const char *s)
{
	struct buf q = BUF_INIT;

	shell_quote(&q, s);
	make_literal(out, buf_str(&q));
	buf_release(&q);
}

static void
make_words(struct buf *out, const char *var, const struct strv *sv)
{
	if (!sv->n) {
		return;
	}
	buf_printf(out, "%s +=", var);
	for (size_t i = 0; i < sv->n; i++) {
		buf_addc(out, ' ');
		make_word(out, sv->v[i]);
	}
	buf_addc(out, '\n');
}

/* make's --eval option that appends sv to var for every target of every make
 * (the top one and those its recipes run, which get it through MAKEFLAGS), read
 * before the Makefile but expanded when a recipe runs: after the Makefile's own
 * value, as the wrapper appended the flags to each command. private: a target's
 * prerequisites would append it again. */
static void
make_eval(struct buf *out, const char *var, const struct strv *sv)
{
	struct buf e = BUF_INIT;

	if (!sv->n) {
		return;
	}
	buf_printf(&e, "--eval=%%: override private %s +=", var);
	for (size_t i = 0; i < sv->n; i++) {
		buf_addc(&e, ' ');
		make_word(&e, sv->v[i]);
	}
	buf_addc(out, ' ');
	shell_quote(out, buf_str(&e));
	buf_release(&e);
}

/* The paths of c's artifacts from the project's root, joined by spaces (the
 * caller frees it): the cell's copy of the tree is src/ in its directory. */
static char *
artifact_paths(const struct results *r, const struct cell *c)
{
	struct buf b = BUF_INIT;

	if (c->narts < 2) {
		return artifact_path(r, c);
	}
	for (size_t i = 0; i < c->narts; i++) {
		const char *n = c->arts[i].name;

		buf_printf(&b, "%s%s", i ? " " : "", strncmp(n, "src/", 4) ? n : n + 4);
	}
	return buf_detach(&b);
}

/* The command line that rebuilds c's tree from its root as the cell was built,
 * post-link steps included, on one line (no newline). */
static void
make_command(const struct results *r, const struct cell *c, struct buf *out)
{
	const struct settings *s = &c->settings;
	char *art = artifact_path(r, c);
	struct buf w = BUF_INIT;

	/* the cell's environment reached make the same way */
	for (size_t i = 0; i < s->f.env.n; i++) {
		const char *kv = s->f.env.v[i];
		size_t n = strcspn(kv, "=");

		buf_printf(out, "%.*s=", (int)n, kv);
		shell_quote(out, kv + n + 1);
		buf_addc(out, ' ');
	}
	/* ounce ran make CC=WRAPPER CXX=WRAPPER ARGS: the wrapper ran these */
	buf_adds(out, "make");
	buf_adds(&w, "CC=");
	make_literal(&w, s->cc ? s->cc : "cc");
	buf_adds(out, " ");
	shell_quote(out, buf_str(&w));
	buf_reset(&w);
	buf_adds(&w, "CXX=");
	make_literal(&w, s->cxx ? s->cxx : "c++");
	buf_adds(out, " ");
	shell_quote(out, buf_str(&w));
	for (size_t i = 0; i < s->f.build_args.n; i++) {
		buf_addc(out, ' ');
		shell_quote(out, s->f.build_args.v[i]);
	}
	make_eval(out, "CFLAGS", &s->f.cflags);
	make_eval(out, "CXXFLAGS", &s->f.cflags);
	make_eval(out, "LDFLAGS", &s->f.ldflags);
	make_eval(out, "LDLIBS", &s->f.libs);
	struct strv arts = STRV_INIT;

	if (c->narts > 1) {
		char *all = artifact_paths(r, c);

		strv_split(&arts, all);
		free(all);
	} else {
		strv_push(&arts, art);
	}
	for (size_t k = 0; k < s->f.post.n * arts.n; k++) {
		/* ounce split the step into words as a shell would: quote each one; a
		 * step on each artifact in turn */
		size_t i = k / arts.n;
		struct tmpl_var vars[] = {
			{"artifact", arts.v[k % arts.n]}, {"src", "."}, {"ounce", "ounce"},
		};
		struct strv words = STRV_INIT;
		char errbuf[128];
		const char *err;

		buf_adds(out, " &&");
		if (tmpl_expand(&words, s->f.post.v[i], vars, 3, errbuf, (int)sizeof(errbuf),
				&err) < 0) {
			/* ounce could not have run it either: as written, one word */
			buf_addc(out, ' ');
			shell_quote(out, s->f.post.v[i]);
		} else {
			for (size_t j = 0; j < words.n; j++) {
				buf_addc(out, ' ');
				shell_quote(out, words.v[j]);
			}
		}
		strv_release(&words);
		if (k % arts.n == arts.n - 1 || !strstr(s->f.post.v[i], "{artifact}")) {
			/* a step without {artifact} runs once */
			k = (i + 1) * arts.n - 1;
		}
	}
	strv_release(&arts);
	buf_release(&w);
	free(art);
}

static void
emit_make(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;
	char *art = artifact_paths(r, c);

	header(r, c, metric, out);
	buf_adds(out, "# Use: make -f Makefile -f ounce.mk");
	for (size_t i = 0; i < s->f.build_args.n; i++) {
		buf_addc(out, ' ');
		shell_quote(out, s->f.build_args.v[i]);
	}
	buf_adds(out, s->f.post.n ? " ounce-post\n" : "\n");
	buf_adds(out, "# or include ounce.mk at the end of your Makefile: it sets the variables\n"
		      "# of that make only. Where make runs in sub-directories ($(MAKE) -C DIR,\n"
		      "# cd DIR && $(MAKE)), run the command below from the project's root,\n"
		      "# after make clean: make's --eval adds the flags to CFLAGS, CXXFLAGS,\n"
		      "# LDFLAGS and LDLIBS after each Makefile's own, in every make, as\n"
		      "# ounce's compiler wrapper added them. It assumes that compiles use\n"
		      "# $(CFLAGS) or $(CXXFLAGS), links $(LDFLAGS) and $(LDLIBS), and GNU make\n"
		      "# 3.82 or later.\n");
	for (size_t i = 0; i < s->f.post.n; i++) {
		if (strstr(s->f.post.v[i], "{ounce}")) {
			buf_adds(out, "# A post-link step runs ounce itself: it must be in PATH.\n");
			break;
		}
	}
	buf_adds(out, "# reproduce: ");
	make_command(r, c, out);
	buf_addc(out, '\n');
	buf_adds(out, "CC = ");
	make_literal(out, s->cc ? s->cc : "cc");
	buf_adds(out, "\nCXX = ");
	make_literal(out, s->cxx ? s->cxx : "c++");
	buf_addc(out, '\n');
	make_words(out, "CFLAGS", &s->f.cflags);
	make_words(out, "CXXFLAGS", &s->f.cflags);
	make_words(out, "LDFLAGS", &s->f.ldflags);
	make_words(out, "LDLIBS", &s->f.libs);
	for (size_t i = 0; i < s->f.env.n; i++) {
		const char *kv = s->f.env.v[i];
		size_t n = strcspn(kv, "=");

		buf_printf(out, "export %.*s = ", (int)n, kv);
		make_literal(out, kv + n + 1);
		buf_addc(out, '\n');
	}
	if (s->f.post.n) {
		buf_adds(out, "OUNCE_ARTIFACT ?= ");
		make_literal(out, art);
		buf_adds(out, "\n.PHONY: ounce-post\nounce-post: $(OUNCE_ARTIFACT)\n");
		for (size_t i = 0; i < s->f.post.n; i++) {
			/* each step on each artifact */
			char *step = post_step(s->f.post.v[i], "$(a)");

			buf_printf(out, "\t$(foreach a,$(OUNCE_ARTIFACT),%s &&) true\n", step);
			free(step);
		}
	}
	free(art);
}

/* ---- cmake: an initial cache for cmake -C ---- */

/* CMake's own flags for a build type (Modules/Compiler/GNU.cmake, shared by
 * Clang): a cache entry replaces them, so the snippet repeats them before the
 * profile's flags, which must come last as they did through the wrapper. */
static const char *
cmake_type_flags(const char *build, const char **type)
{
	if (build && !strcmp(build, "dev")) {
		*type = "Debug";
		return "-g";
	}
	*type = "Release";
	return "-O3 -DNDEBUG";
}

static void
cmake_quote(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (; *s; s++) {
		/* ';' stays: in a quoted argument it separates list items, as it
		 * did on the cell's cmake command line */
		if (*s == '"' || *s == '\\' || *s == '$') {
			buf_addc(out, '\\');
		}
		buf_addc(out, *s);
	}
	buf_addc(out, '"');
}

static void
cmake_set(struct buf *out, const char *var, const char *prefix, const struct strv *sv,
	  const char *type)
{
	struct buf v = BUF_INIT;
	char *j = strv_join(sv, " ");

	buf_printf(&v, "%s%s%s", prefix ? prefix : "", prefix && *j ? " " : "", j);
	buf_printf(out, "set(%s ", var);
	cmake_quote(out, buf_str(&v));
	buf_printf(out, " CACHE %s \"set by ounce\")\n", type);
	buf_release(&v);
	free(j);
}

static void
emit_cmake(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;
	const char *type, *base = cmake_type_flags(c->build, &type);
	char *flagvar = xasprintf("CMAKE_C_FLAGS_%s", !strcmp(type, "Debug") ? "DEBUG" : "RELEASE");
	char *cxxvar = xasprintf("CMAKE_CXX_FLAGS_%s", !strcmp(type, "Debug") ? "DEBUG" : "RELEASE");

	header(r, c, metric, out);
	buf_printf(out, "# Use: cmake -C ounce.cmake -S . -B build -DCMAKE_BUILD_TYPE=%s\n", type);
	buf_printf(out, "set(CMAKE_BUILD_TYPE %s CACHE STRING \"set by ounce\")\n", type);
	buf_printf(out, "set(CMAKE_C_COMPILER %s CACHE FILEPATH \"set by ounce\")\n",
		   s->cc ? s->cc : "cc");
	buf_printf(out, "set(CMAKE_CXX_COMPILER %s CACHE FILEPATH \"set by ounce\")\n",
		   s->cxx ? s->cxx : "c++");
	cmake_set(out, flagvar, base, &s->f.cflags, "STRING");
	cmake_set(out, cxxvar, base, &s->f.cflags, "STRING");
	if (s->f.ldflags.n) {
		cmake_set(out, "CMAKE_EXE_LINKER_FLAGS", NULL, &s->f.ldflags, "STRING");
		cmake_set(out, "CMAKE_SHARED_LINKER_FLAGS", NULL, &s->f.ldflags, "STRING");
	}
	if (s->f.libs.n) {
		cmake_set(out, "CMAKE_C_STANDARD_LIBRARIES", NULL, &s->f.libs, "STRING");
		cmake_set(out, "CMAKE_CXX_STANDARD_LIBRARIES", NULL, &s->f.libs, "STRING");
	}
	for (size_t i = 0; i < s->f.configure_args.n; i++) {
		/* the profile's -DNAME[:TYPE]=VALUE options, as cache entries */
		const char *a = s->f.configure_args.v[i], *eq = strchr(a, '=');

		if (strncmp(a, "-D", 2) || !eq) {
			buf_printf(out, "# also pass to cmake: %s\n", a);
			continue;
		}
		size_t n = strcspn(a + 2, ":=");
		const char *t = a[2 + n] == ':' ? a + 3 + n : "STRING";
		size_t tn = a[2 + n] == ':' ? (size_t)(eq - t) : strlen("STRING");

		buf_printf(out, "set(%.*s ", (int)n, a + 2);
		cmake_quote(out, eq + 1);
		buf_printf(out, " CACHE %.*s \"set by ounce\" FORCE)\n", (int)tn, t);
	}
	for (size_t i = 0; i < s->f.post.n; i++) {
		buf_printf(out, "# after the build, run on the artifact: %s\n", s->f.post.v[i]);
	}
	free(flagvar);
	free(cxxvar);
}

/* ---- meson: a native file and the setup command ---- */

static void
meson_array(struct buf *out, const struct strv *sv)
{
	buf_addc(out, '[');
	for (size_t i = 0; i < sv->n; i++) {
		buf_adds(out, i ? ", '" : "'");
		for (const char *p = sv->v[i]; *p; p++) {
			if (*p == '\'' || *p == '\\') {
				buf_addc(out, '\\');
			}
			buf_addc(out, *p);
		}
		buf_addc(out, '\'');
	}
	buf_addc(out, ']');
}

static void
emit_meson(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;
	const char *bt = c->build && !strcmp(c->build, "dev") ? "debug" : "release";
	struct strv link = STRV_INIT;

	/* the wrapper gave every link the compile flags too (LTO needs them there) */
	strv_extend(&link, &s->f.cflags);
	strv_extend(&link, &s->f.ldflags);
	strv_extend(&link, &s->f.libs);
	header(r, c, metric, out);
	buf_adds(out, "# Use: meson setup --native-file ounce-native.ini build, or on the command\n");
	buf_printf(out, "# line: meson setup build -Dbuildtype=%s", bt);
	buf_adds(out, " \"-Dc_args=");
	meson_array(out, &s->f.cflags);
	buf_adds(out, "\" \"-Dc_link_args=");
	meson_array(out, &link);
	buf_addc(out, '"');
	for (size_t i = 0; i < s->f.configure_args.n; i++) {
		buf_printf(out, " %s", s->f.configure_args.v[i]);
	}
	buf_addc(out, '\n');
	for (size_t i = 0; i < s->f.post.n; i++) {
		buf_printf(out, "# after the build, run on the artifact: %s\n", s->f.post.v[i]);
	}
	buf_printf(out, "[binaries]\nc = '%s'\ncpp = '%s'\n\n", s->cc ? s->cc : "cc",
		   s->cxx ? s->cxx : "c++");
	buf_printf(out, "[built-in options]\nbuildtype = '%s'\nc_args = ", bt);
	meson_array(out, &s->f.cflags);
	buf_adds(out, "\ncpp_args = ");
	meson_array(out, &s->f.cflags);
	buf_adds(out, "\nc_link_args = ");
	meson_array(out, &link);
	buf_adds(out, "\ncpp_link_args = ");
	meson_array(out, &link);
	buf_addc(out, '\n');
	strv_release(&link);
}

/* ---- cargo: a [profile.NAME] section and the rest of what the cell used ---- */

static void
toml_value(struct buf *out, const char *v)
{
	bool num = *v != '\0';

	for (const char *p = v; *p; p++) {
		num = num && *p >= '0' && *p <= '9';
	}
	if (num || !strcmp(v, "true") || !strcmp(v, "false")) {
		buf_adds(out, v);
		return;
	}
	buf_addc(out, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\') {
			buf_addc(out, '\\');
		}
		buf_addc(out, *v);
	}
	buf_addc(out, '"');
}

/* Does the project at dir keep target rustflags in its Cargo configuration (its
 * .cargo/config.toml and its parents', CARGO_HOME's)? Then Cargo ignores [build]
 * rustflags, and the profiles' go with the target's. */
static bool
target_rustflags(const char *dir)
{
	struct strv env = STRV_INIT;
	const char *home = getenv("HOME"), *cargo_home = getenv("CARGO_HOME");
	bool yes;

	if (home) {
		strv_setenv(&env, "HOME", home);
	}
	if (cargo_home) {
		strv_setenv(&env, "CARGO_HOME", cargo_home);
	}
	yes = cargoconf_has_target_rustflags(dir, &env, NULL, NULL);
	strv_release(&env);
	return yes;
}

static void
emit_cargo(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;
	const char *build = c->build && strcmp(c->build, "default") ? c->build : "release";
	char *prefix = xasprintf("CARGO_PROFILE_%s_", !strcmp(build, "dev") ? "DEV" : "RELEASE");
	struct strv other = STRV_INIT;
	bool target = s->f.rustflags.n && r->project_dir && target_rustflags(r->project_dir);
	char *root = r->project_dir ? cargoconf_workspace_root(r->project_dir) : NULL;

	header(r, c, metric, out);
	if (root) {
		/* Cargo reads [profile] from the workspace's manifest only */
		buf_printf(out, "# %s is a member of a workspace: [profile] goes in %s/Cargo.toml",
			   r->project_dir, root);
		if (s->f.rustflags.n) {
			buf_printf(out, ", rustflags in %s/.cargo/config.toml", root);
		}
		buf_adds(out, ".\n");
		free(root);
	}
	buf_printf(out, "# Paste into Cargo.toml%s.\n",
		   !s->f.rustflags.n ? ""
		   : target	     ? "; the [target.'cfg(all())'] section goes in .cargo/config.toml"
				     : "; the [build] section goes in .cargo/config.toml");
	if (s->f.build_args.n) {
		char *j = strv_join(&s->f.build_args, " ");

		buf_printf(out, "# Build with: cargo build%s %s\n",
			   strcmp(build, "dev") ? " --release" : "", j);
		free(j);
	}
	buf_printf(out, "[profile.%s]\n", build);
	for (size_t i = 0; i < s->f.env.n; i++) {
		const char *kv = s->f.env.v[i];
		size_t n = strcspn(kv, "=");

		/* CARGO_PROFILE_{BUILD}_CODEGEN_UNITS=1 is codegen-units = 1 */
		if (!strncmp(kv, "CARGO_PROFILE_{BUILD}_", 22) || !strncmp(kv, prefix, strlen(prefix))) {
			const char *k = kv + (kv[14] == '{' ? 22 : strlen(prefix));

			for (; *k && *k != '='; k++) {
				buf_addc(out, *k == '_' ? '-' : (char)(*k >= 'A' && *k <= 'Z'
									     ? *k - 'A' + 'a'
									     : *k));
			}
			buf_adds(out, " = ");
			toml_value(out, kv + n + 1);
			buf_addc(out, '\n');
		} else {
			strv_push(&other, kv);
		}
	}
	if (s->f.rustflags.n) {
		buf_adds(out, target ? "\n# .cargo/config.toml (it has target rustflags, so Cargo ignores "
				       "[build] rustflags:\n# these go with them)\n"
				       "[target.'cfg(all())']\nrustflags = ["
				     : "\n# .cargo/config.toml\n[build]\nrustflags = [");
		for (size_t i = 0; i < s->f.rustflags.n; i++) {
			buf_adds(out, i ? ", " : "");
			toml_value(out, s->f.rustflags.v[i]);
		}
		buf_adds(out, "]\n");
	}
	for (size_t i = 0; i < other.n; i++) {
		buf_printf(out, "# also set in the environment: %s\n", other.v[i]);
	}
	strv_release(&other);
	free(prefix);
}

static void
emit_json(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;
	json_t *o = json_object();
	char *txt;

	json_object_set_new(o, "project", json_string(r->project ? r->project : ""));
	json_object_set_new(o, "cell", json_string(c->name));
	json_object_set_new(o, "profiles", result_json_strv(&c->profiles));
	json_object_set_new(o, "metric", json_string(metric));
	json_object_set_new(o, "value", json_integer(cell_metric(c, metric)));
	json_object_set_new(o, "bytes", json_integer(c->m.bytes));
	json_object_set_new(o, "cc", json_string(s->cc ? s->cc : "cc"));
	json_object_set_new(o, "cxx", json_string(s->cxx ? s->cxx : "c++"));
	json_object_set_new(o, "cflags", result_json_strv(&s->f.cflags));
	json_object_set_new(o, "ldflags", result_json_strv(&s->f.ldflags));
	json_object_set_new(o, "libs", result_json_strv(&s->f.libs));
	json_object_set_new(o, "env", result_json_env(&s->f.env));
	json_object_set_new(o, "build_args", result_json_strv(&s->f.build_args));
	json_object_set_new(o, "configure_args", result_json_strv(&s->f.configure_args));
	json_object_set_new(o, "rustflags", result_json_strv(&s->f.rustflags));
	json_object_set_new(o, "post", result_json_strv(&s->f.post));
	txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_adds(out, txt ? txt : "{}");
	buf_addc(out, '\n');
	free(txt);
}

int
emit_render(const struct results *r, const struct cell *c, const char *form, const char *metric,
	    struct buf *out)
{
	bool cargo = c->settings.toolchain && !strcmp(c->settings.toolchain, "cargo");

	if (cargo && (!strcmp(form, "make") || !strcmp(form, "cmake") || !strcmp(form, "meson"))) {
		error("'%s' is a Cargo build: emit it as cargo, env or json", c->name);
		return -2;
	}
	if (!cargo && !strcmp(form, "cargo")) {
		error("'%s' is a C build: emit it as make, cmake, meson, env or json", c->name);
		return -2;
	}
	if (!strcmp(form, "env")) {
		emit_env(r, c, metric, out);
	} else if (!strcmp(form, "make")) {
		emit_make(r, c, metric, out);
	} else if (!strcmp(form, "json")) {
		emit_json(r, c, metric, out);
	} else if (!strcmp(form, "cmake")) {
		emit_cmake(r, c, metric, out);
	} else if (!strcmp(form, "meson")) {
		emit_meson(r, c, metric, out);
	} else if (!strcmp(form, "cargo")) {
		emit_cargo(r, c, metric, out);
	} else {
		return -1;
	}
	return 0;
}
