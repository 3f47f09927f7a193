/* emit.c: the winning settings as shell exports, a Makefile fragment with the make
 * command line that applies them to a whole tree, CMake, Meson or Cargo settings,
 * or JSON. The forms add to the project's own flags, as ounce's compiler wrapper
 * did when it measured the cell, so applying them reproduces the measured size. */
#include "report/emit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/tmpl.h"
#include "config/cargoconf.h"
#include "os/spawn.h"
#include "report/result.h"
#include "wrap/wrap.h"
#include "base/banned.h"

static void
shell_words(struct buf *out, const struct strv *sv)
{
	char *j = strv_join(sv, " ");

	buf_add_shell_word(out, j);
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

const char *
emit_artifact_path(const char *name)
{
	/* the cell's copy of the tree is src/ beside build/ and stage/ */
	return strncmp(name, "src/", 4) ? name : name + 4;
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
	if (c->narts) {
		/* where the cell has it: its build tree or what it installed (under
		 * libtool the program in .libs/, never the wrapper script beside it) */
		return xstrdup(emit_artifact_path(c->arts[0].name));
	}
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
	buf_add_shell_word(out, s->cc ? s->cc : "cc");
	buf_adds(out, "\nexport CXX=");
	buf_add_shell_word(out, s->cxx ? s->cxx : "c++");
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
		buf_add_shell_word(out, kv + n + 1);
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

	buf_add_shell_word(&q, s);
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
	buf_add_shell_word(out, buf_str(&e));
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
		buf_printf(&b, "%s%s", i ? " " : "", emit_artifact_path(c->arts[i].name));
	}
	return buf_detach(&b);
}

/* The paths of c's artifacts from the project's root, one a string. */
static void
artifact_list(const struct results *r, const struct cell *c, struct strv *out)
{
	if (!c->narts) {
		strv_push_owned(out, artifact_path(r, c));
	}
	for (size_t i = 0; i < c->narts; i++) {
		strv_push(out, emit_artifact_path(c->arts[i].name));
	}
}

/* NAME=VALUE words of the cell's environment, each followed by a space, before a
 * command of a line. */
static void
line_env(struct buf *out, const struct settings *s)
{
	for (size_t i = 0; i < s->f.env.n; i++) {
		const char *kv = s->f.env.v[i];
		size_t n = strcspn(kv, "=");

		buf_printf(out, "%.*s=", (int)n, kv);
		buf_add_shell_word(out, kv + n + 1);
		buf_addc(out, ' ');
	}
}

/* " CC=cc CXX=cxx", quoted for make and for the shell. */
static void
line_compilers(struct buf *out, const struct settings *s)
{
	struct buf w = BUF_INIT;

	buf_adds(&w, "CC=");
	make_literal(&w, s->cc ? s->cc : "cc");
	buf_adds(out, " ");
	buf_add_shell_word(out, buf_str(&w));
	buf_reset(&w);
	buf_adds(&w, "CXX=");
	make_literal(&w, s->cxx ? s->cxx : "c++");
	buf_adds(out, " ");
	buf_add_shell_word(out, buf_str(&w));
	buf_release(&w);
}

static void
line_words(struct buf *out, const struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		buf_addc(out, ' ');
		buf_add_shell_word(out, sv->v[i]);
	}
}

/* " && STEP" for each post-link step on each of c's artifacts, the paths from
 * the directory the line is in when they run (the project's root). */
static void
line_post(const struct results *r, const struct cell *c, struct buf *out)
{
	const struct settings *s = &c->settings;
	struct strv arts = STRV_INIT;

	artifact_list(r, c, &arts);
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
			buf_add_shell_word(out, s->f.post.v[i]);
		} else {
			line_words(out, &words);
		}
		strv_release(&words);
		if (k % arts.n == arts.n - 1 || !strstr(s->f.post.v[i], "{artifact}")) {
			/* a step without {artifact} runs once */
			k = (i + 1) * arts.n - 1;
		}
	}
	strv_release(&arts);
}

/* " && ./ounce-post ARTIFACT...": the wrapper form's script of the post-link steps
 * (nothing when there are none). */
static void
line_post_script(const struct results *r, const struct cell *c, struct buf *out)
{
	struct strv arts = STRV_INIT;

	if (!c->settings.f.post.n) {
		return;
	}
	buf_adds(out, " && ./ounce-post");
	artifact_list(r, c, &arts);
	line_words(out, &arts);
	strv_release(&arts);
}

/* Did c's install step put an artifact in the cell's staging directory? */
static bool
installs(const struct cell *c)
{
	for (size_t i = 0; i < c->narts; i++) {
		if (!strncmp(c->arts[i].name, "stage/", 6)) {
			return true;
		}
	}
	return false;
}

static bool
recipe_is(const struct results *r, const char *name)
{
	return r->recipe && !strcmp(r->recipe, name);
}

/* The command line that rebuilds c's tree from its root as the cell was built,
 * post-link steps included, on one line (no newline). Make: make's --eval adds
 * the flags to every make's variables when a recipe runs. autotools: configure
 * as the cell did (out of tree, in build/, by its absolute path, so that the
 * source paths compiled in are the cell's), and the same --eval, with LIBS,
 * which automake puts at the end of its links. */
static void
make_command(const struct results *r, const struct cell *c, struct buf *out)
{
	const struct settings *s = &c->settings;
	bool autotools = recipe_is(r, "autotools");

	if (autotools) {
		buf_adds(out, "P=$PWD && mkdir -p build && cd build && ");
		line_env(out, s);
		buf_adds(out, "\"$P/configure\"");
		line_compilers(out, s);
		line_words(out, &s->f.configure_args);
		buf_adds(out, " && ");
	}
	/* the cell's environment reached make the same way */
	line_env(out, s);
	/* ounce ran make CC=WRAPPER CXX=WRAPPER ARGS: the wrapper ran these */
	buf_adds(out, "make");
	if (!autotools) {
		line_compilers(out, s);
	}
	line_words(out, &s->f.build_args);
	make_eval(out, "CFLAGS", &s->f.cflags);
	make_eval(out, "CXXFLAGS", &s->f.cflags);
	make_eval(out, "LDFLAGS", &s->f.ldflags);
	make_eval(out, autotools ? "LIBS" : "LDLIBS", &s->f.libs);
	if (autotools) {
		if (installs(c)) {
			buf_adds(out, " && ");
			line_env(out, s);
			buf_adds(out, "make install DESTDIR=\"$P/stage\"");
		}
		buf_adds(out, " && cd \"$P\"");
	}
	line_post(r, c, out);
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
		buf_add_shell_word(out, s->f.build_args.v[i]);
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
	if (installs(c) && s->f.post.n) {
		buf_adds(out, "# What ounce measured is what the install step put in stage/ (the line\n"
			      "# below installs there): ounce-post takes those files, from the\n"
			      "# project's root (or set OUNCE_ARTIFACT to where yours are).\n");
	}
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

/* The line that configures, builds, installs (when the cell did) and runs the
 * post-link steps, from the project's root: cmake with args (the cache file, or
 * the compilers of the wrapper form). */
static void
cmake_command(const struct results *r, const struct cell *c, const char *args, bool script,
	      struct buf *out)
{
	const struct settings *s = &c->settings;

	line_env(out, s);
	buf_printf(out, "cmake %s -S . -B build", args);
	buf_adds(out, " && ");
	line_env(out, s);
	buf_adds(out, "cmake --build build");
	if (installs(c)) {
		buf_adds(out, " && ");
		line_env(out, s);
		buf_adds(out, "cmake --install build --prefix \"$PWD/stage\"");
	}
	if (script) {
		line_post_script(r, c, out);
	} else {
		line_post(r, c, out);
	}
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
	buf_adds(out, "# Saved as ounce.cmake, the line below rebuilds the winner from the project's\n"
		      "# root, in a new build/ (cmake -C sets no entry a cache already has; build/\n"
		      "# is where the cells had theirs: the paths compiled in are the same)");
	if (installs(c)) {
		buf_adds(out, ", installs into stage/");
	}
	buf_adds(out, s->f.post.n ? " and runs the post-link steps.\n" : ".\n");
	buf_adds(out, "# reproduce: ");
	cmake_command(r, c, "-C ounce.cmake", false, out);
	buf_addc(out, '\n');
	buf_printf(out, "set(CMAKE_BUILD_TYPE %s CACHE STRING \"set by ounce\")\n", type);
	buf_printf(out, "set(CMAKE_C_COMPILER %s CACHE FILEPATH \"set by ounce\")\n",
		   s->cc ? s->cc : "cc");
	buf_printf(out, "set(CMAKE_CXX_COMPILER %s CACHE FILEPATH \"set by ounce\")\n",
		   s->cxx ? s->cxx : "c++");
	cmake_set(out, flagvar, base, &s->f.cflags, "STRING");
	cmake_set(out, cxxvar, base, &s->f.cflags, "STRING");
	if (s->f.ldflags.n) {
		/* every kind of link ounce's wrapper saw: programs, shared libraries
		 * and add_library(MODULE) plugins, each with its own variable (the
		 * per-configuration ones, _RELEASE..., are empty in CMake's gcc and
		 * clang defaults, so these are all the links get) */
		cmake_set(out, "CMAKE_EXE_LINKER_FLAGS", NULL, &s->f.ldflags, "STRING");
		cmake_set(out, "CMAKE_SHARED_LINKER_FLAGS", NULL, &s->f.ldflags, "STRING");
		cmake_set(out, "CMAKE_MODULE_LINKER_FLAGS", NULL, &s->f.ldflags, "STRING");
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

/* The line that sets up, builds, installs (when the cell did) and runs the
 * post-link steps, from the project's root: meson setup with args. */
static void
meson_command(const struct results *r, const struct cell *c, const char *args, bool script,
	      struct buf *out)
{
	const struct settings *s = &c->settings;

	line_env(out, s);
	/* installed where the cells installed it: muon's libdir is lib, Debian's
	 * meson's lib/x86_64-linux-gnu, and the post-link steps name the files */
	buf_printf(out, "meson setup %s%s build", args, installs(c) ? " --libdir lib" : "");
	line_words(out, &s->f.configure_args);
	buf_adds(out, " && ");
	line_env(out, s);
	buf_adds(out, "meson compile -C build");
	if (installs(c)) {
		buf_adds(out, " && ");
		line_env(out, s);
		buf_adds(out, "DESTDIR=\"$PWD/stage\" meson install -C build");
	}
	if (script) {
		line_post_script(r, c, out);
	} else {
		line_post(r, c, out);
	}
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
	buf_adds(out, "# Saved as ounce-native.ini, the line below rebuilds the winner from the\n"
		      "# project's root, in build/ (ounce's cells set it up with muon, whose own\n"
		      "# flags can differ from meson's: pick --verify tells)\n# reproduce: ");
	meson_command(r, c, "--native-file ounce-native.ini", false, out);
	buf_addc(out, '\n');
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
	buf_adds(out, "# With these pasted, from the package's directory (build/ as the target\n"
		      "# directory, as the cells had it):\n# reproduce: ");
	for (size_t i = 0; i < other.n; i++) {
		size_t n = strcspn(other.v[i], "=");

		buf_printf(out, "%.*s=", (int)n, other.v[i]);
		buf_add_shell_word(out, other.v[i] + n + (other.v[i][n] ? 1 : 0));
		buf_addc(out, ' ');
	}
	buf_printf(out, "cargo build%s", strcmp(build, "dev") ? " --release" : "");
	line_words(out, &s->f.build_args);
	buf_adds(out, " --target-dir build");
	line_post(r, c, out);
	buf_addc(out, '\n');
	strv_release(&other);
	free(prefix);
}

/* ---- wrapper: a compiler wrapper script that does what ounce's did ---- */

/* The shell words of a post-link step, {artifact} as the word art_sh (shell text,
 * not quoted again); the step as one quoted word when it does not split. */
static void
sh_step(struct buf *out, const char *step, const char *art_sh)
{
	/* a byte no step has stands for the artifact while the words are split */
	static const char mark[] = "\001";
	struct tmpl_var vars[] = {{"artifact", mark}, {"src", "."}, {"ounce", "ounce"}};
	struct strv words = STRV_INIT;
	char errbuf[128];
	const char *err;

	if (tmpl_expand(&words, step, vars, 3, errbuf, (int)sizeof(errbuf), &err) < 0) {
		buf_add_shell_word(out, step);
		return;
	}
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i];

		buf_adds(out, i ? " " : "");
		if (!*w) {
			buf_add_shell_word(out, w);
		}
		while (*w) {
			size_t n = strcspn(w, mark);

			if (n) {
				char *part = xstrndup(w, n);

				buf_add_shell_word(out, part);
				free(part);
			}
			w += n;
			if (*w) {
				buf_adds(out, art_sh);
				w++;
			}
		}
	}
	strv_release(&words);
}

/* The compiler wrapper script: the compiler with the call's arguments, then what
 * wrap.c appends (compile flags on a compile, compile and link flags and
 * libraries on a link, nothing on a call without input), decided by the same
 * rules. Called by a name with "++" (c++-small, g++), it runs cxx, as ounce's
 * wrapper does. */
static void
wrapper_script(struct buf *out, const char *cc, const char *cxx, const struct results *r,
	       const struct cell *c)
{
	const struct settings *s = &c->settings;
	size_t nopts;
	const char *const *opts = wrap_value_options(&nopts);

	buf_printf(out, "#!/bin/sh\n"
			"# cc-small (and c++-small): from ounce pick --emit wrapper, for\n"
			"# %s's '%s'.\n"
			"# It runs the compiler with the build's own arguments followed by the\n"
			"# winner's flags, as ounce's compiler wrapper did in the cells that measured\n"
			"# it: the compile flags on a compile (-c, -S, -E, -M, -MM, -r), the compile\n"
			"# and link flags and the libraries on a link, nothing on a call without\n"
			"# input (--version).\n",
		   r->project ? r->project : "the project", c->name);
	buf_adds(out, "case ${0##*/} in\n*++*) real=");
	buf_add_shell_word(out, cxx);
	buf_adds(out, " ;;\n*) real=");
	buf_add_shell_word(out, cc);
	buf_adds(out, " ;;\nesac\n"
		      "input= compile= skip=\n"
		      "for a do\n"
		      "\tif [ -n \"$skip\" ]; then\n"
		      "\t\tskip=\n"
		      "\t\tcontinue\n"
		      "\tfi\n"
		      "\tcase $a in\n"
		      "\t-c | -S | -E | -M | -MM | -r) compile=1 ;;\n"
		      "\t-l) input=1 skip=1 ;;\n"
		      "\t");
	/* the options whose value is the next argument */
	for (size_t i = 0, k = 0; i < nopts; i++) {
		if (strcmp(opts[i], "-l")) {
			buf_printf(out, "%s%s", !k ? "" : k % 8 ? " | " : " | \\\n\t\t", opts[i]);
			k++;
		}
	}
	buf_adds(out, ")\n\t\tskip=1 ;;\n"
		      "\t- | -l?*) input=1 ;;\n"
		      "\t-*) ;;\n"
		      "\t*) input=1 ;;\n"
		      "\tesac\n"
		      "done\n"
		      "if [ -z \"$input\" ]; then\n"
		      "\texec \"$real\" \"$@\"\n"
		      "fi\n");
	if (s->f.cflags.n) {
		buf_adds(out, "set -- \"$@\"");
		line_words(out, &s->f.cflags);
		buf_addc(out, '\n');
	}
	if (s->f.ldflags.n || s->f.libs.n) {
		buf_adds(out, "if [ -z \"$compile\" ]; then\n\tset -- \"$@\"");
		line_words(out, &s->f.ldflags);
		line_words(out, &s->f.libs);
		buf_adds(out, "\nfi\n");
	}
	buf_adds(out, "exec \"$real\" \"$@\"\n");
}

/* The post-link steps as a script run on each artifact. */
static void
post_script(struct buf *out, const struct results *r, const struct cell *c)
{
	const struct settings *s = &c->settings;

	buf_printf(out, "#!/bin/sh\n"
			"# ounce-post: the post-link steps of %s's '%s',\n"
			"# on each file named (./ounce-post ARTIFACT...), as the cells ran them.\n"
			"set -e\n",
		   r->project ? r->project : "the project", c->name);
	for (size_t i = 0; i < s->f.post.n; i++) {
		if (!strstr(s->f.post.v[i], "{artifact}")) {
			sh_step(out, s->f.post.v[i], "\"$a\"");
			buf_addc(out, '\n');
			continue;
		}
		buf_adds(out, "for a do\n\t");
		sh_step(out, s->f.post.v[i], "\"$a\"");
		buf_adds(out, "\ndone\n");
	}
}

/* A here-document writing text to file, with a delimiter no line of text is. */
static void
here_doc(struct buf *out, const char *file, const char *text)
{
	struct buf d = BUF_INIT;

	buf_adds(&d, "OUNCE_EOF");
	for (int i = 1;; i++) {
		size_t n = d.len;
		const char *p = text;
		bool seen = false;

		while (!seen && (p = strstr(p, buf_str(&d)))) {
			seen = (p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]);
			p += n;
		}
		if (!seen) {
			break;
		}
		buf_reset(&d);
		buf_printf(&d, "OUNCE_EOF%d", i);
	}
	/* quoted: the shell expands nothing in the text */
	buf_printf(out, "cat > %s <<'%s'\n%s%s\n", file, buf_str(&d), text, buf_str(&d));
	buf_release(&d);
}

/* The compiler the cell ran for name (cc or cxx), as an absolute path when it is
 * in PATH, so that the wrapper never runs itself (a build that puts it in PATH as
 * gcc). The caller frees it. */
static char *
real_compiler(const char *name)
{
	char *p = spawn_which(name, NULL);

	return p ? p : xstrdup(name);
}

/* The line that rebuilds the tree with the wrapper, from the project's root,
 * as the recipe's build does it; false when the recipe has none. */
static bool
wrapper_command(const struct results *r, const struct cell *c, struct buf *out)
{
	const struct settings *s = &c->settings;

	if (recipe_is(r, "cmake")) {
		struct buf a = BUF_INIT;
		const char *type;

		cmake_type_flags(c->build, &type);
		buf_printf(&a, "-DCMAKE_BUILD_TYPE=%s -DCMAKE_C_COMPILER=\"$PWD/cc-small\" "
			       "-DCMAKE_CXX_COMPILER=\"$PWD/c++-small\"", type);
		line_words(&a, &s->f.configure_args);
		cmake_command(r, c, buf_str(&a), true, out);
		buf_release(&a);
		return true;
	}
	if (recipe_is(r, "meson")) {
		const char *bt = c->build && !strcmp(c->build, "dev") ? "debug" : "release";
		char *args = xasprintf("-Dbuildtype=%s", bt);

		buf_adds(out, "CC=\"$PWD/cc-small\" CXX=\"$PWD/c++-small\" ");
		meson_command(r, c, args, true, out);
		free(args);
		return true;
	}
	if (recipe_is(r, "autotools")) {
		buf_adds(out, "P=$PWD && mkdir -p build && cd build && ");
		line_env(out, s);
		buf_adds(out, "\"$P/configure\" CC=\"$P/cc-small\" CXX=\"$P/c++-small\"");
		line_words(out, &s->f.configure_args);
		buf_adds(out, " && ");
		line_env(out, s);
		buf_adds(out, "make");
		line_words(out, &s->f.build_args);
		if (installs(c)) {
			buf_adds(out, " && ");
			line_env(out, s);
			buf_adds(out, "make install DESTDIR=\"$P/stage\"");
		}
		buf_adds(out, " && cd \"$P\"");
	} else if (!r->recipe || recipe_is(r, "make")) {
		line_env(out, s);
		buf_adds(out, "make CC=\"$PWD/cc-small\" CXX=\"$PWD/c++-small\"");
		line_words(out, &s->f.build_args);
	} else {
		return false;
	}
	line_post_script(r, c, out);
	return true;
}

static void
emit_wrapper(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;
	struct buf text = BUF_INIT, line = BUF_INIT;
	char *cc = real_compiler(s->cc ? s->cc : "cc");
	char *cxx = real_compiler(s->cxx ? s->cxx : "c++");
	struct strv arts = STRV_INIT;

	header(r, c, metric, out);
	buf_adds(out, "# The wrapper form. Pasted into a shell at the project's root, this writes\n"
		      "# cc-small and c++-small: they run the compiler with your build's own\n"
		      "# arguments followed by the winner's flags, on every compile and link, as\n"
		      "# ounce's compiler wrapper did in the cells that measured it; so a Makefile's\n"
		      "# own -O3 after CFLAGS cannot win over the winner's -Os, and whatever kind\n"
		      "# of link a build makes gets the link flags.");
	buf_adds(out, s->f.post.n ? " And ounce-post: the post-link\n# steps, to run on each "
				    "artifact after the build.\n"
				  : "\n");
	wrapper_script(&text, cc, cxx, r, c);
	here_doc(out, "cc-small", buf_str(&text));
	if (s->f.post.n) {
		buf_reset(&text);
		post_script(&text, r, c);
		here_doc(out, "ounce-post", buf_str(&text));
	}
	buf_printf(out, "chmod +x cc-small%s && ln -sf cc-small c++-small\n",
		   s->f.post.n ? " ounce-post" : "");
	buf_adds(out, "# Then build from a clean tree with them as the compilers:\n"
		      "#   make CC=\"$PWD/cc-small\" CXX=\"$PWD/c++-small\"\n"
		      "#   ./configure CC=\"$PWD/cc-small\" CXX=\"$PWD/c++-small\" && make\n"
		      "#   cmake -S . -B build -DCMAKE_C_COMPILER=\"$PWD/cc-small\" "
		      "-DCMAKE_CXX_COMPILER=\"$PWD/c++-small\"\n"
		      "#   CC=\"$PWD/cc-small\" CXX=\"$PWD/c++-small\" meson setup build\n");
	if (s->f.post.n) {
		artifact_list(r, c, &arts);
		buf_adds(out, "# then: ./ounce-post");
		line_words(out, &arts);
		buf_adds(out, "\n");
		strv_release(&arts);
	}
	buf_adds(out, "# A build that runs gcc or cc by name, not $(CC), finds them first in PATH:\n"
		      "#   mkdir -p small-bin && for n in cc gcc clang; do ln -sf ../cc-small "
		      "small-bin/$n; done\n"
		      "#   for n in c++ g++ clang++; do ln -sf ../c++-small small-bin/$n; done\n"
		      "#   PATH=\"$PWD/small-bin:$PATH\" make\n");
	for (size_t i = 0; i < s->f.post.n; i++) {
		if (strstr(s->f.post.v[i], "{ounce}")) {
			buf_adds(out, "# A post-link step runs ounce itself: it must be in PATH.\n");
			break;
		}
	}
	if (wrapper_command(r, c, &line)) {
		buf_printf(out, "# reproduce: %s\n", buf_str(&line));
	}
	buf_release(&line);
	buf_release(&text);
	free(cc);
	free(cxx);
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

	if (cargo && (!strcmp(form, "make") || !strcmp(form, "cmake") || !strcmp(form, "meson") ||
		      !strcmp(form, "wrapper"))) {
		error("'%s' is a Cargo build: emit it as cargo, env or json", c->name);
		return -2;
	}
	if (!cargo && !strcmp(form, "cargo")) {
		error("'%s' is a C build: emit it as make, cmake, meson, wrapper, env or json",
		      c->name);
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
	} else if (!strcmp(form, "wrapper")) {
		emit_wrapper(r, c, metric, out);
	} else {
		return -1;
	}
	return 0;
}

bool
emit_form_valid(const char *form)
{
	static const char *const forms[] = {"env", "make", "json", "cmake", "meson", "cargo",
					    "wrapper"};

	for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		if (!strcmp(form, forms[i])) {
			return true;
		}
	}
	return false;
}

const char *
emit_native_form(const char *recipe)
{
	/* autotools: make's line runs configure first */
	static const char *const native[][2] = {
		{"make", "make"}, {"autotools", "make"}, {"cmake", "cmake"},
		{"meson", "meson"}, {"cargo", "cargo"},
	};

	for (size_t i = 0; recipe && i < sizeof(native) / sizeof(*native); i++) {
		if (!strcmp(recipe, native[i][0])) {
			return native[i][1];
		}
	}
	return NULL;
}
