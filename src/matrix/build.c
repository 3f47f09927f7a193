/* build.c: one cell from start to finish. Every command comes from a recipe or
 * profile template, runs from an argv in the cell's own copy of the tree, and
 * appends to the cell's log; a failing step is recorded as the cell's result. */
#include "matrix/build.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/tmpl.h"
#include "config/cargoconf.h"
#include "config/profile.h"
#include "config/project.h"
#include "config/recipe.h"
#include "elf/iface.h"
#include "elf/measure.h"
#include "elf/size.h"
#include "matrix/cache.h"
#include "matrix/distrib.h"
#include "matrix/run.h"
#include "matrix/smoke.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "report/result.h"
#include "wrap/relink.h"
#include "wrap/wrap.h"
#include "base/banned.h"

extern char **environ;

static const char *const shim_names[] = {"cc", "c++", "gcc", "g++", "clang", "clang++"};

/* How builds name the shim: its path, which survives a Makefile that sets its
 * own PATH, unless a shell would split or expand the path (a work directory under
 * "My Documents": `$(CC) -c x.c` runs through sh); then the bare name, which the
 * shim directory at the front of PATH resolves. Returns a string the caller frees. */
static char *
shim_path(const struct run *run, const char *name)
{
	for (const char *s = run->shimdir; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("/._+-,:@%=", *s)) {
			return xstrdup(name);
		}
	}
	return xasprintf("%s/%s", run->shimdir, name);
}

int
build_make_shims(const struct run *run)
{
	if (fs_mkdirs(run->shimdir) < 0) {
		return -1;
	}
	for (size_t i = 0; i < sizeof(shim_names) / sizeof(*shim_names); i++) {
		char *link = xasprintf("%s/%s", run->shimdir, shim_names[i]);

		unlink(link);
		if (symlink(run->self, link) < 0) {
			error_errno("cannot create '%s'", link);
			free(link);
			return -1;
		}
		free(link);
	}
	return 0;
}

/* Append a line to the cell's log, so a reader sees which step wrote what. */
static void
log_line(const struct cell *c, const char *fmt, const char *arg)
{
	FILE *f = fopen(c->log, "ae");

	if (f) {
		fprintf(f, fmt, arg);
		fclose(f);
	}
}

static void
fail(struct cell *c, enum cell_status st, const char *what, const char *detail)
{
	char *line = spawn_log_cause(c->log, false);

	c->status = st;
	free(c->reason);
	if (line) {
		c->reason = xasprintf("%s: %s: %s", what, detail, line);
	} else {
		c->reason = xasprintf("%s: %s", what, detail);
	}
	free(line);
}

/* Run one step from argv (released here), logged in the cell's log. Returns 1
 * when it succeeded, 0 when the cell failed (recorded), -1 when ounce could not go
 * on. */
static int
run_step(const struct run *run, struct cell *c, const char *what, struct strv *argv0,
	 struct strv *env, const char *cwd, enum cell_status on_fail, double *seconds)
{
	struct strv argv = *argv0;
	struct spawn_opts o = {0};
	struct spawn_result res;
	char *q;

	*argv0 = (struct strv)STRV_INIT;
	q = spawn_quote_argv(strv_array(&argv));
	log_line(c, "==> %s\n", q);
	free(q);
	o.argv = strv_array(&argv);
	o.envp = strv_array(env);
	o.cwd = cwd;
	o.log_path = c->log;
	o.timeout = run->timeout;
	o.cancel = run->cancel;
	o.sandbox = run->sandbox;
	if ((run->spawn_fn ? run->spawn_fn : spawn_run)(&o, &res) < 0 &&
	    res.end != SPAWN_NOT_STARTED) {
		strv_release(&argv);
		return -1;
	}
	if (seconds) {
		*seconds += res.seconds;
	}
	if (res.end == SPAWN_CANCELLED) {
		c->status = CELL_INTERRUPTED;
		c->reason = xasprintf("interrupted during %s", what);
	} else if (res.end == SPAWN_TIMEOUT) {
		c->status = CELL_TIMEOUT;
		c->reason = xasprintf("%s timed out after %g s", what, run->timeout);
	} else if (res.end == SPAWN_NOT_STARTED) {
		c->status = on_fail;
		c->reason = xasprintf("%s: cannot run '%s': %s", what, argv.v[0],
				      strerror(res.start_errno));
	} else if (res.status != 0) {
		fail(c, on_fail, what, spawn_describe(&res, run->timeout));
	}
	strv_release(&argv);
	return c->status == CELL_PENDING ? 1 : 0;
}

/* Run one templated step: run_step's returns. */
static int
step(const struct run *run, struct cell *c, const char *what, const char *tmpl,
     const struct tmpl_var *vars, int nvars, const struct strv *extra, struct strv *env,
     const char *cwd, enum cell_status on_fail, double *seconds)
{
	struct strv argv = STRV_INIT;
	char errbuf[128];
	const char *err = NULL;
	int spliced = 0;

	if (tmpl_expand_args(&argv, tmpl, vars, nvars, extra, &spliced, errbuf, sizeof(errbuf),
			     &err) < 0 ||
	    !argv.n) {
		c->status = on_fail;
		c->reason = xasprintf("%s command '%s': %s", what, tmpl, err ? err : "empty");
		strv_release(&argv);
		return 0;
	}
	if (extra && !spliced) {
		strv_extend(&argv, extra);
	}
	return run_step(run, c, what, &argv, env, cwd, on_fail, seconds);
}

/* Set NAME=VALUE in env, with {BUILD} in it replaced by the build's name in
 * capitals (Cargo's CARGO_PROFILE_RELEASE_LTO from CARGO_PROFILE_{BUILD}_LTO). */
static void
setenv_for_build(struct strv *env, const char *kv, const char *build)
{
	struct buf b = BUF_INIT;
	const char *p;
	size_t n;
	char *name;

	while ((p = strstr(kv, "{BUILD}"))) {
		buf_add(&b, kv, (size_t)(p - kv));
		for (const char *s = build; *s; s++) {
			buf_addc(&b, *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
		}
		kv = p + strlen("{BUILD}");
	}
	buf_adds(&b, kv);
	n = strcspn(buf_str(&b), "=");
	name = xstrndup(buf_str(&b), n);
	strv_setenv(env, name, buf_str(&b) + n + (buf_str(&b)[n] ? 1 : 0));
	free(name);
	buf_release(&b);
}

/* The profiles' rustflags, added to the project's own wherever Cargo takes them
 * from: the first of CARGO_ENCODED_RUSTFLAGS and RUSTFLAGS in the environment, else
 * its configuration files, where a file ounce writes in the cell's directory (a
 * parent of the build's) joins them to the target rustflags of the project's, or
 * when it has none to its build.rustflags (setting RUSTFLAGS would make Cargo drop
 * both). Returns 0, or -1 after reporting. */
static int
add_rustflags(const struct run *run, const struct cell *c, const char *dir, struct strv *env)
{
	const struct strv *flags = &c->settings.f.rustflags;
	const char *encoded = strv_getenv(env, "CARGO_ENCODED_RUSTFLAGS");
	const char *old = strv_getenv(env, "RUSTFLAGS");
	char *v, *cwd, *conf, *path;
	bool target;
	int rc;

	if (encoded) {
		/* set, even empty, it is what Cargo uses: one flag per 0x1f-separated field */
		struct buf b = BUF_INIT;

		buf_adds(&b, encoded);
		for (size_t i = 0; i < flags->n; i++) {
			if (i || *encoded) {
				buf_addc(&b, '\x1f');
			}
			buf_adds(&b, flags->v[i]);
		}
		strv_setenv(env, "CARGO_ENCODED_RUSTFLAGS", buf_str(&b));
		buf_release(&b);
		return 0;
	}
	if (old) {
		char *joined = strv_join(flags, " ");

		v = *old ? xasprintf("%s %s", old, joined) : xstrdup(joined);
		strv_setenv(env, "RUSTFLAGS", v);
		free(v);
		free(joined);
		return 0;
	}
	if (run->recipe->cwd && !strcmp(run->recipe->cwd, "build")) {
		cwd = xasprintf("%s/build", dir);
	} else {
		cwd = xasprintf("%s/src%s%s", dir, *run->project->subdir ? "/" : "",
				run->project->subdir);
	}
	target = cargoconf_has_target_rustflags(cwd, env, dir, run->rust_host);
	conf = cargoconf_rustflags_toml(flags, target);
	path = xasprintf("%s/.cargo/config.toml", dir);
	v = xasprintf("%s/.cargo", dir);
	rc = fs_mkdirs(v) < 0 ? -1 : fs_write_file(path, conf, strlen(conf));
	free(v);
	free(path);
	free(conf);
	free(cwd);
	return rc;
}

/* What decides the objects a cell compiles, hashed into out: the build, the
 * compilers and everything of the settings but link flags, libraries and
 * post-link steps. Cells with the same signature and the same link arguments
 * (but neutral ones: ltrans.h) may share LTO code generation. */
static void
compile_sig(const struct run *run, const struct settings *s, char out[CACHE_KEY_LEN + 1])
{
	const struct strv *parts[] = {&s->f.cflags, &s->f.env, &s->f.build_args,
				      &s->f.configure_args};
	struct strv words = STRV_INIT;

	strv_push(&words, run->build->name);
	strv_push(&words, s->cc);
	strv_push(&words, s->cxx);
	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		/* a separator no flag can be, so flags cannot move between parts */
		strv_push(&words, "\n");
		strv_extend(&words, parts[i]);
	}
	cache_hash_words(&words, out);
	strv_release(&words);
}

/* What the wrapper (wrap.h) is told: the shims first in PATH, the real compilers,
 * and the cell's compile flags, with its directory mapped to the user's tree. */
static void
wrapper_env(const struct run *run, const struct cell *c, const char *dir, const char *real_cc,
	    const char *real_cxx, struct strv *env)
{
	struct strv cflags = STRV_INIT;
	const struct settings *s = &c->settings;
	const char *path = getenv("PATH");
	char *v;

	v = xasprintf("%s:%s", run->shimdir, path ? path : "/usr/bin:/bin");
	strv_setenv(env, "PATH", v);
	free(v);
	strv_setenv(env, "OUNCE_WRAP", "1");
	/* every link writes OUTPUT.map beside its output: ounce size's components */
	strv_setenv(env, "OUNCE_MAP", "1");
	strv_setenv(env, "OUNCE_REAL_CC", real_cc);
	if (recipe_is_cargo(run->recipe)) {
		/* the wrapper runs gcc, clang... by name, as the project's Cargo
		 * configuration chose its linker (cc stays the cell's compiler) */
		strv_setenv(env, "OUNCE_REAL_PATH", path ? path : "/usr/bin:/bin");
	} else {
		strv_unsetenv(env, "OUNCE_REAL_PATH");
	}
	strv_setenv(env, "OUNCE_REAL_CXX", real_cxx ? real_cxx : s->cxx);
	/* __FILE__ and debug info name the user's tree, not the cell's directory: the
	 * binary is the one the user would build, its size does not depend on the
	 * cell's name, and cells can share objects (a measurement aid, like the map) */
	strv_push_owned(&cflags,
			xasprintf("-ffile-prefix-map=%s/src=%s", dir, run->project->stage_dir));
	strv_push_owned(&cflags,
			xasprintf("-ffile-prefix-map=%s/build=%s/build", dir, run->project->dir));
	strv_extend(&cflags, &s->f.cflags);
	v = wrap_encode(&cflags);
	strv_setenv(env, "OUNCE_CFLAGS", v);
	free(v);
	strv_release(&cflags);
}

/* How a cell that may compile the same objects as another shares the work: its
 * compiles through ccache, and (gcc, C) its LTO code generation by signature. */
static void
sharing_env(const struct run *run, const struct cell *c, const char *dir, struct strv *env)
{
	const struct settings *s = &c->settings;
	char *v;

	if (run->ccache && c->shared) {
		strv_setenv(env, "OUNCE_CCACHE", run->ccache);
		v = xasprintf("%s/ccache", run->workdir);
		strv_setenv(env, "CCACHE_DIR", v);
		free(v);
		/* paths inside the work directory are hashed relative to the cell,
		 * and the cell's directory is mapped away above */
		strv_setenv(env, "CCACHE_BASEDIR", run->workdir);
		strv_setenv(env, "CCACHE_NOHASHDIR", "1");
	} else {
		strv_unsetenv(env, "OUNCE_CCACHE");
	}
	if (run->reuse && c->shared && !recipe_is_cargo(run->recipe) &&
	    !strcmp(s->toolchain, "gcc")) {
		char sig[CACHE_KEY_LEN + 1];

		v = xasprintf("%s/lto", run->workdir);
		strv_setenv(env, "OUNCE_LTO_DIR", v);
		free(v);
		compile_sig(run, s, sig);
		strv_setenv(env, "OUNCE_LTO_SIG", sig);
		strv_setenv(env, "OUNCE_CELL_DIR", dir);
	} else {
		strv_unsetenv(env, "OUNCE_LTO_DIR");
	}
}

/* Where the wrapper logs the times of the cell's compiles and links, and where
 * the compiles go (--distribute); both logs start empty. */
static void
steps_env(const struct run *run, const char *dir, struct strv *env)
{
	char *v = xasprintf("%s/steps.log", dir);

	unlink(v);
	strv_setenv(env, "OUNCE_STEP_LOG", v);
	free(v);
	if (run->distrib) {
		v = xasprintf("%s/distcc.log", dir);
		unlink(v);
		free(v);
		distrib_env(run->distrib, dir, env);
	} else {
		strv_unsetenv(env, "OUNCE_DISTRIBUTE");
	}
}

/* What the wrapper logged of the cell's build in dir (steps_env): how many
 * compiles and links took how long, and where the compiles went. */
static void
read_steps(struct cell *c, const char *dir)
{
	char *path = xasprintf("%s/steps.log", dir);
	struct cell_steps *st = &c->steps;
	struct buf b = BUF_INIT;

	free(st->failed_hosts);
	memset(st, 0, sizeof(*st));
	if (fs_exists(path) && fs_read_file(path, &b) == 0 && b.s) {
		char *save = NULL;

		for (char *line = strtok_r(b.s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char kind[16];
			double wall, cpu;

			if (sscanf(line, "%15s %lf %lf", kind, &wall, &cpu) != 3) {
				continue;
			}
			if (!strcmp(kind, "compile")) {
				st->compiles++;
				st->compile_seconds += wall;
				st->compile_cpu += cpu;
			} else if (!strcmp(kind, "link")) {
				st->links++;
				st->link_seconds += wall;
				st->link_cpu += cpu;
			}
		}
	}
	buf_release(&b);
	free(path);
	path = xasprintf("%s/distcc.log", dir);
	distrib_read_log(path, st);
	free(path);
}

/* The cell's link flags and libraries for the wrapper, CC and CXX naming the
 * shims, and the flags exported to build systems that read them (export_flags). */
static void
link_env(const struct run *run, const struct cell *c, const char *dir, struct strv *env)
{
	const struct settings *s = &c->settings;
	char *v;

	v = wrap_encode(&s->f.ldflags);
	strv_setenv(env, "OUNCE_LDFLAGS", v);
	free(v);
	v = wrap_encode(&s->f.libs);
	strv_setenv(env, "OUNCE_LIBS", v);
	free(v);
	v = xasprintf("%s/wrap.log", dir);
	strv_setenv(env, "OUNCE_WRAP_LOG", v);
	free(v);
	v = shim_path(run, "cc");
	strv_setenv(env, "CC", v);
	free(v);
	v = shim_path(run, "c++");
	strv_setenv(env, "CXX", v);
	free(v);
	if (run->recipe->export_flags) {
		/* for build systems that read the flags once, at configure time; the
		 * wrapper still adds them to every call, so nothing is lost when a
		 * build ignores these */
		char *cf = strv_join(&s->f.cflags, " "), *lf = strv_join(&s->f.ldflags, " ");
		char *libs = strv_join(&s->f.libs, " ");

		strv_setenv(env, "CFLAGS", cf);
		strv_setenv(env, "CXXFLAGS", cf);
		strv_setenv(env, "LDFLAGS", lf);
		strv_setenv(env, "LIBS", libs);
		free(cf);
		free(lf);
		free(libs);
	}
}

/* The environment of a cell's commands: ounce's own, the wrapper's instructions,
 * and the build's and profiles' variables. Returns 1, 0 when the cell failed
 * (its compiler is not installed: recorded), or -1 after reporting. */
static int
cell_env(const struct run *run, struct cell *c, const char *dir, struct strv *env)
{
	const struct settings *s = &c->settings;
	char *real_cc = spawn_which(s->cc, NULL), *real_cxx = spawn_which(s->cxx, NULL);
	int rc = 1;

	if (!real_cc) {
		c->status = CELL_CONFIGURE_FAILED;
		c->reason = xasprintf("compiler '%s' not found in PATH", s->cc);
		free(real_cxx);
		return 0;
	}
	strv_pushv(env, environ);
	wrapper_env(run, c, dir, real_cc, real_cxx, env);
	sharing_env(run, c, dir, env);
	steps_env(run, dir, env);
	if (run->repeating) {
		/* a repeat build compiles everything itself: a ccache the project or
		 * the machine puts in front of the compiler (/usr/lib/ccache in PATH,
		 * CC = ccache gcc) would hand it the first build's objects */
		strv_setenv(env, "CCACHE_DISABLE", "1");
	}
	link_env(run, c, dir, env);
	for (size_t i = 0; i < run->build->env.n; i++) {
		setenv_for_build(env, run->build->env.v[i], run->build->name);
	}
	for (size_t i = 0; i < s->f.env.n; i++) {
		setenv_for_build(env, s->f.env.v[i], run->build->name);
	}
	if (s->f.rustflags.n && add_rustflags(run, c, dir, env) < 0) {
		rc = -1;
	} else if (build_relinks(run)) {
		/* the wrapper keeps each link's inputs, for the cells that relink them */
		char *v = xasprintf("%s/link", dir);

		strv_setenv(env, "OUNCE_KEEP_LINK", v);
		free(v);
		strv_setenv(env, "OUNCE_KEEP_ROOT", dir);
	}
	free(real_cc);
	free(real_cxx);
	return rc;
}

/* Is the file at path a test program, not something the project ships: a name
 * whose word is test, tests, check, bench or unittest ("api_test", "test-parse",
 * "testsuite"), or a file in a test directory? */
static bool
test_word(const char *w, size_t k)
{
	static const char *const words[] = {"test", "tests", "testing", "check", "unittest",
					    "unittests", "bench", "benchmark", "benchmarks"};

	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		if (k == strlen(words[i]) && !strncasecmp(w, words[i], k)) {
			return true;
		}
	}
	return false;
}

static bool
test_program(const char *path, const char *root)
{
	size_t n = strlen(root);
	const char *s = !strncmp(path, root, n) && path[n] == '/' ? path + n + 1 : path;

	for (;;) {
		size_t len = strcspn(s, "/");

		if (!s[len]) {
			break;
		}
		if (test_word(s, len)) {
			/* in a test directory */
			return true;
		}
		s += len + 1;
	}
	if (!strncasecmp(s, "test", 4)) {
		return true;
	}
	while (*s) {
		size_t k = strcspn(s, "_-.0123456789");

		if (test_word(s, k)) {
			return true;
		}
		s += k;
		s += strspn(s, "_-.0123456789");
	}
	return false;
}

/* Every executable and shared library under dir (regular files: a library's
 * symbolic links are not measured twice), into out. */
static void
find_executables(const char *dir, const struct strv *ignore, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		return;
	}
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.' ||
					    !strcmp(e->d_name, ".git"))) {
			continue;
		}
		if (ignore && strv_has(ignore, e->d_name)) {
			/* a build system's own probes (CMakeFiles/.../a.out) */
			continue;
		}
		if (!strncmp(e->d_name, "lt-", 3)) {
			/* libtool's copy of a program relinked to run uninstalled */
			continue;
		}
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			find_executables(p, ignore, out);
		} else if (S_ISREG(st.st_mode) &&
			   (((st.st_mode & 0111) && measure_is_executable(p)) ||
			    measure_is_shared_library(p))) {
			strv_push(out, p);
		}
		free(p);
	}
	closedir(d);
}

/* The files named by --artifact, ounce.ini or the recipe, into c's artifacts.
 * Returns false with the cell failed when one is missing. */
static bool
named_artifacts(const struct run *run, struct cell *c, const struct strv *named, bool ini,
		const char *dir, const char *src, const char *bdir, const struct tmpl_var *vars,
		int nvars)
{
	for (size_t i = 0; i < named->n; i++) {
		struct strv w = STRV_INIT;
		char errbuf[128];
		const char *err = NULL;
		char *path;

		if (tmpl_expand(&w, named->v[i], vars, nvars, errbuf, sizeof(errbuf), &err) < 0 ||
		    w.n != 1) {
			c->status = CELL_BUILD_FAILED;
			c->reason = xasprintf("artifact '%s': %s", named->v[i],
					      err ? err : "not one path");
			strv_release(&w);
			return false;
		}
		/* relative to the build directory when the recipe builds in one (or
		 * there, when it is not in the source tree) */
		if (w.v[0][0] == '/') {
			path = xstrdup(w.v[0]);
		} else if (run->recipe->cwd && !strcmp(run->recipe->cwd, "build")) {
			path = xasprintf("%s/%s", bdir, w.v[0]);
			if (!fs_exists(path)) {
				char *alt = xasprintf("%s/%s", src, w.v[0]);

				if (fs_exists(alt)) {
					free(path);
					path = alt;
				} else {
					free(alt);
				}
			}
		} else {
			path = xasprintf("%s/%s", src, w.v[0]);
		}
		strv_release(&w);
		if (!fs_exists(path)) {
			c->status = CELL_BUILD_FAILED;
			c->reason = xasprintf("the build succeeded but made no '%s' (artifact "
					      "named %s)",
					      named->v[i],
					      ini ? "by --artifact or in ounce.ini" : "by the recipe");
			free(path);
			return false;
		}
		cell_add_artifact(c, path, dir);
		free(path);
	}
	return true;
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The executables and shared libraries of the cell in dir, into found: what the
 * install step put in the staging directory, else what is in the build's
 * artifact_dir, else everything in the build and source trees. */
static void
search_artifacts(const struct run *run, const char *dir, const char *src, const char *bdir,
		 const struct tmpl_var *vars, int nvars, struct strv *found)
{
	char *stage = xasprintf("%s/stage", dir);

	if (fs_exists(stage)) {
		find_executables(stage, NULL, found);
	}
	free(stage);
	if (found->n) {
		/* installed: what the project ships */
		return;
	}
	if (run->build->artifact_dir) {
		struct strv w = STRV_INIT;
		char errbuf[128];
		const char *err = NULL;

		/* the first of its words (a glob each: Cargo's target/TRIPLE/release when
		 * the project's configuration names a build.target) with executables */
		if (tmpl_expand(&w, run->build->artifact_dir, vars, nvars, errbuf, sizeof(errbuf),
				&err) == 0) {
			for (size_t i = 0; i < w.n && !found->n; i++) {
				glob_t g;

				if (glob(w.v[i], 0, NULL, &g) == 0) {
					for (size_t j = 0; j < g.gl_pathc; j++) {
						find_executables(g.gl_pathv[j], &run->recipe->ignore,
								 found);
					}
				}
				globfree(&g);
			}
		}
		strv_release(&w);
	} else {
		find_executables(bdir, &run->recipe->ignore, found);
		find_executables(src, &run->recipe->ignore, found);
	}
}

/* The artifacts worth measuring of those found (the cell in dir), in order, into
 * keep: no test programs (unless there is nothing else); programs first (the
 * smoke test's {artifact}), the one named after the project first of all, then
 * libraries, each by path. */
static void
rank_artifacts(const struct run *run, const char *dir, const struct strv *found,
	       struct strv *keep)
{
	for (size_t i = 0; i < found->n; i++) {
		if (!test_program(found->v[i], dir)) {
			strv_push(keep, found->v[i]);
		}
	}
	if (!keep->n) {
		/* nothing but test programs: better measured than nothing */
		strv_extend(keep, found);
	}
	if (keep->n > 1) {
		struct strv libs = STRV_INIT;
		size_t k = 0;

		qsort(keep->v, keep->n, sizeof(*keep->v), by_path);
		for (size_t i = 0; i < keep->n; i++) {
			if (measure_is_executable(keep->v[i])) {
				keep->v[k++] = keep->v[i];
			} else {
				strv_push_owned(&libs, keep->v[i]);
			}
		}
		keep->n = k;
		keep->v[k] = NULL;
		for (size_t i = 0; i < libs.n; i++) {
			strv_push_owned(keep, libs.v[i]);
			libs.v[i] = NULL;
		}
		libs.n = 0;
		strv_release(&libs);
	}
	for (size_t i = 0; i < keep->n; i++) {
		const char *b = strrchr(keep->v[i], '/');

		if (b && !strcmp(b + 1, run->project->name) && i) {
			char *t = keep->v[i];

			memmove(keep->v + 1, keep->v, i * sizeof(*keep->v));
			keep->v[0] = t;
			break;
		}
	}
}

/* The artifacts to measure: named by --artifact, ounce.ini or the recipe, else
 * every executable and shared library the build made but test programs, the one
 * named after the project first, the others by path. Returns false with the cell
 * failed when there is none. */
static bool
find_artifacts(const struct run *run, struct cell *c, const char *dir, const char *src,
	       const char *bdir, const struct tmpl_var *vars, int nvars)
{
	const struct strv *named = &run->project->artifacts;
	struct strv found = STRV_INIT, keep = STRV_INIT, recipe_named = STRV_INIT;
	bool ok;

	cell_clear_artifacts(c);
	if (named->n || run->recipe->artifact) {
		if (!named->n) {
			strv_push(&recipe_named, run->recipe->artifact);
		}
		ok = named_artifacts(run, c, named->n ? named : &recipe_named, named->n > 0, dir,
				     src, bdir, vars, nvars);
		strv_release(&recipe_named);
		return ok;
	}
	search_artifacts(run, dir, src, bdir, vars, nvars, &found);
	rank_artifacts(run, dir, &found, &keep);
	for (size_t i = 0; i < keep.n; i++) {
		cell_add_artifact(c, keep.v[i], dir);
	}
	strv_release(&found);
	strv_release(&keep);
	if (!c->narts) {
		c->status = CELL_BUILD_FAILED;
		c->reason = xstrdup("the build made no executable and no shared library; name "
				    "what to measure with --artifact or 'artifact =' in [project] "
				    "of ounce.ini");
		return false;
	}
	return true;
}

/* Evidence a profile asks for ("symbol:NAME": a defined dynamic or static symbol;
 * "needed:LIB": a DT_NEEDED entry) in any of c's artifacts? */
static bool
evidence_found(const struct cell *c, const char *ev)
{
	bool sym = !strncmp(ev, "symbol:", 7), needed = !strncmp(ev, "needed:", 7);
	const char *what = ev + 7;

	for (size_t i = 0; i < c->narts; i++) {
		const struct artifact *a = &c->arts[i];

		if (needed && strv_has(&a->ifc.needed, what)) {
			return true;
		}
		if (sym && (strv_has(&a->ifc.exports, what) ||
			    measure_defines(a->path, what))) {
			return true;
		}
	}
	return false;
}

/* Record in c the profiles whose evidence none of its artifacts shows. */
static void
check_evidence(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n)
{
	strv_release(&c->unproven);
	for (size_t i = 0; i < n; i++) {
		const struct strv *ev = recipe_is_cargo(run->recipe) ? &profiles[i]->evidence_cargo
								     : &profiles[i]->evidence;
		bool any = !ev->n;

		for (size_t j = 0; j < ev->n && !any; j++) {
			any = evidence_found(c, ev->v[j]);
		}
		if (!any) {
			strv_push(&c->unproven, profiles[i]->name);
		}
	}
}

/* Measure one artifact: sizes, a stripped copy's sizes, its content's hash and
 * its interface. Returns 0 (a file that cannot be read fails the cell) or -1. */
static int
measure_artifact(const struct run *run, struct cell *c, struct artifact *a, const char *dir,
		 size_t idx, struct strv *env)
{
	char err[512];
	char *stripped = xasprintf("%s/stripped.%zu", dir, idx);
	/* the toolchain's strip: binutils built for the host may not know the target */
	char *strip = measure_strip_tool(a->path, run->cross);
	char all[] = "--strip-all", o_opt[] = "-o";
	char *argv[] = {strip, all, o_opt, stripped, a->path, NULL};
	struct spawn_opts o = {0};
	struct spawn_result res;

	if (measure_elf(a->path, &a->m, err, sizeof(err)) < 0 ||
	    iface_read(a->path, &a->ifc, err, sizeof(err)) < 0) {
		c->status = CELL_BUILD_FAILED;
		c->reason = xasprintf("cannot measure the artifact: %s", err);
		free(stripped);
		free(strip);
		return 0;
	}
	if (!cache_file_key(a->path, a->hash)) {
		a->hash[0] = '\0';
	}
	if (a->m.no_sections) {
		/* nothing left for strip (it refuses such a file): the file is its
		 * own stripped copy */
		a->m.stripped_bytes = a->m.bytes;
		if (measure_compressed(a->path, &a->m.gz_bytes, &a->m.xz_bytes, err,
				       sizeof(err)) < 0) {
			warn("%s: %s", c->name, err);
		}
		free(stripped);
		free(strip);
		return 0;
	}
	log_line(c, "==> %s", strip);
	log_line(c, " --strip-all (a copy of %s, to measure)\n", a->name);
	o.argv = argv;
	o.envp = strv_array(env);
	o.log_path = c->log;
	o.timeout = 120;
	if (spawn_run(&o, &res) < 0 && res.end != SPAWN_NOT_STARTED) {
		free(stripped);
		free(strip);
		return -1;
	}
	if (res.end == SPAWN_EXITED && res.status == 0) {
		char key[CACHE_KEY_LEN + 1];
		bool known = run->memo && cache_file_key(stripped, key);

		a->m.stripped_bytes = fs_size(stripped);
		if (known && cache_memo_get(run->memo, key, &a->m.gz_bytes, &a->m.xz_bytes)) {
			debug("%s: compressed sizes of the same stripped file measured before",
			      c->name);
		} else if (measure_compressed(stripped, &a->m.gz_bytes, &a->m.xz_bytes, err,
					      sizeof(err)) < 0) {
			warn("%s: %s", c->name, err);
		} else if (known) {
			cache_memo_put(run->memo, key, a->m.gz_bytes, a->m.xz_bytes);
		}
	} else {
		warn("%s: cannot strip a copy of '%s' to measure it: %s", c->name, a->name,
		     spawn_describe(&res, 120));
	}
	unlink(stripped);
	free(stripped);
	free(strip);
	return 0;
}

static int
measure_cell(const struct run *run, struct cell *c, const char *dir, struct strv *env)
{
	for (size_t i = 0; i < c->narts && c->status == CELL_PENDING; i++) {
		measure_release(&c->arts[i].m);
		iface_release(&c->arts[i].ifc);
		if (measure_artifact(run, c, &c->arts[i], dir, i, env) < 0) {
			return -1;
		}
	}
	cell_sum_artifacts(c);
	return 0;
}

/* The settings of profiles for this run's toolchain and recipe, into c. */
static void
compose(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n)
{
	strv_release(&c->profiles);
	for (size_t i = 0; i < n; i++) {
		strv_push(&c->profiles, profiles[i]->name);
	}
	free(c->build);
	c->build = xstrdup(run->build->name);
	settings_release(&c->settings);
	settings_compose_for(&c->settings, profiles, n, run->recipe->toolchain, run->recipe->name);
	settings_set_cross(&c->settings, profiles, n, run->cross);
}

int
build_failed_as(const struct run *run, struct cell *c, struct profile *const *profiles,
		size_t n, const struct cell *from)
{
	compose(run, c, profiles, n);
	c->status = from->status;
	c->build_seconds = from->build_seconds;
	free(c->reason);
	if (from->status == CELL_SKIPPED && from->reason) {
		/* the same conflict, not built either */
		c->reason = xstrdup(from->reason);
	} else {
		c->reason = xasprintf("as '%s' (the build it starts from): %s",
				      from->name,
				      from->reason ? from->reason : cell_status_name(from->status));
	}
	free(c->log);
	c->log = from->log ? xstrdup(from->log) : NULL;
	free(c->reused_from);
	c->reused_from = xstrdup(from->name);
	return 0;
}

/* The directory of the cell called name. Cells of another build than the default
 * live in cells-BUILD/: a ':' in a path breaks make ("target pattern contains no
 * '%'"). The caller frees it. */
static char *
cell_dir(const struct run *run, const char *name)
{
	const char *colon = run->default_build ? NULL : strchr(name, ':');

	return colon ? xasprintf("%s/cells-%s/%s", run->workdir, run->build->name, colon + 1)
		     : xasprintf("%s/cells/%s", run->workdir, name);
}

/* Where artifact a of another cell goes in this cell's tree: where it was in that
 * cell's (so a smoke test finds it where it expects). Returns a path the caller
 * frees, its directory made, or NULL after an error (a name that leaves the tree). */
static char *
place_artifact(const struct artifact *a, const char *dir)
{
	char *parent, *to;

	if (!cache_artifact_name_ok(a->name)) {
		error("artifact name '%s' leaves the cell '%s'", a->name ? a->name : "", dir);
		return NULL;
	}
	to = strchr(a->name, '/') ? xasprintf("%s/%s", dir, a->name)
				  : xasprintf("%s/src/%s", dir, a->name);
	parent = xstrndup(to, (size_t)(strrchr(to, '/') - to));
	if (fs_mkdirs(parent) < 0) {
		free(to);
		to = NULL;
	}
	free(parent);
	return to;
}

/* Beside a copied shared library at path, the link its SONAME names, as the
 * install step or ldconfig made it (libx.so.1 -> libx.so.1.0.0): the project's
 * programs are linked against the SONAME, and the loader looks for that. */
static void
soname_link(const struct artifact *a, const char *path)
{
	const char *base = strrchr(path, '/');
	char *link;

	if (!a->ifc.soname || !base || strchr(a->ifc.soname, '/') ||
	    !strcmp(a->ifc.soname, base + 1)) {
		return;
	}
	link = xasprintf("%.*s/%s", (int)(base - path), path, a->ifc.soname);
	if (symlink(base + 1, link) < 0 && errno != EEXIST) {
		debug("cannot link '%s' to '%s': %s", link, base + 1, strerror(errno));
	}
	free(link);
}

/* When from installed (its artifacts under stage/), the rest of what it
 * installed into dir/stage: an installed program may read its data files from
 * beside it (ounce its profiles from ../share/ounce), and a copy with its
 * artifacts alone fails its smoke test where the build would not. Returns 1, 0
 * when from's install tree is not there (a cell from the cache has its
 * artifacts only: the cell must be built, as a fresh run would have it), or -1
 * after reporting. */
static int
copy_installed(const struct cell *from, const char *dir)
{
	const struct artifact *a = from->narts ? &from->arts[0] : NULL;
	size_t pn, nn;
	char *src, *dst;
	int rc = 1;

	if (!a || !a->path || !a->name || strncmp(a->name, "stage/", 6)) {
		return 1;
	}
	if (from->cached) {
		return 0;
	}
	pn = strlen(a->path);
	nn = strlen(a->name);
	if (pn <= nn || strcmp(a->path + pn - nn, a->name) || a->path[pn - nn - 1] != '/') {
		return 1;
	}
	src = xasprintf("%.*sstage", (int)(pn - nn), a->path);
	dst = xasprintf("%s/stage", dir);
	if (!fs_exists(src)) {
		rc = 0;
	} else if (!fs_exists(dst) && stage_copy(src, dst, NULL, NULL) < 0) {
		rc = -1;
	}
	free(src);
	free(dst);
	return rc;
}

/* The link map beside from (a firmware's tells its memory regions) beside to as
 * TO.map; none there, or one that cannot be copied, only costs the regions. */
static void
copy_map(const char *from, const char *to)
{
	char *map = size_map_beside(from), *dst = xasprintf("%s.map", to);

	if (map && fs_copy_file(map, dst) < 0) {
		debug("cannot copy the map '%s': its regions are not measured", map);
	}
	free(map);
	free(dst);
}

/* The cell's artifacts start as copies of from's, named as from's are, with the
 * rest of what from installed. Returns 0, or -1 after reporting; *none set when
 * there is nothing whole to copy (the cell is built instead). */
static int
copy_artifact(struct cell *c, const struct cell *from, const char *dir, bool *none)
{
	int whole;

	cell_clear_artifacts(c);
	if ((whole = copy_installed(from, dir)) <= 0) {
		*none = whole == 0;
		return whole;
	}
	for (size_t i = 0; i < from->narts; i++) {
		char *to = place_artifact(&from->arts[i], dir);
		struct artifact *a;

		if (!to || fs_copy_file(from->arts[i].path, to) < 0) {
			free(to);
			return -1;
		}
		a = cell_add_artifact(c, to, dir);
		free(a->name);
		a->name = xstrdup(from->arts[i].name);
		log_line(c, "==> copy of %s\n", from->arts[i].path);
		soname_link(&from->arts[i], to);
		if (from->arts[i].m.nregions) {
			/* only a firmware's map says anything more (its regions): a Linux
			 * program's is not worth the copy */
			copy_map(from->arts[i].path, to);
		}
		free(to);
	}
	free(c->artifact);
	c->artifact = c->narts ? xstrdup(c->arts[0].path) : NULL;
	return 0;
}

bool
build_relinks(const struct run *run)
{
	return run->reuse && recipe_is_cargo(run->recipe);
}

bool
build_derives(const struct run *run, const struct profile *p)
{
	return profile_post_only(p, run->recipe->toolchain, run->recipe->name) ||
	       (build_relinks(run) && profile_cargo_link_only(p));
}

/* The link arguments the profiles add that from was built without (the rustflags
 * of those that only add link arguments), into extra. Returns whether there are
 * any such profiles. */
static bool
relink_extra(const struct run *run, struct profile *const *profiles, size_t n,
	     struct strv *extra)
{
	bool any = false;

	if (!build_relinks(run)) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (profile_cargo_link_only(profiles[i])) {
			profile_rust_link_args(&profiles[i]->cargo.rustflags, extra);
			any = true;
		}
	}
	return any;
}

/* Link the objects from's build kept again into this cell's artifact, with extra
 * link arguments; the cell's own link flags are the wrapper's, as in a build.
 * Returns 1 when it linked, 0 when the cell failed (recorded) or when from kept
 * no link (*none set: build the cell instead), -1 when ounce could not go on. */
static int
relink_artifact(const struct run *run, struct cell *c, const struct cell *from,
		const char *dir, const char *src, const struct strv *extra, struct strv *env,
		bool *none)
{
	char *fdir = cell_dir(run, from->name), *keep = xasprintf("%s/link", fdir);
	struct relink r = RELINK_INIT;
	struct strv argv = STRV_INIT, lenv = STRV_INIT;
	double seconds = 0;
	int ok;

	*none = !from->built || relink_find(keep, from->artifact, &r) < 0;
	free(keep);
	free(fdir);
	if (*none) {
		return 0;
	}
	char *to = from->narts ? place_artifact(&from->arts[0], dir) : NULL;
	struct artifact *a;

	if (!to) {
		relink_release(&r);
		return -1;
	}
	cell_clear_artifacts(c);
	a = cell_add_artifact(c, to, dir);
	free(a->name);
	a->name = xstrdup(from->arts[0].name);
	free(c->artifact);
	c->artifact = to;
	log_line(c, "==> the objects of %s, linked again\n", from->name);
	c->relinked = true;
	strv_push(&argv, run->self);
	strv_push(&argv, "cc");
	strv_push(&argv, "--");
	strv_push(&argv, r.real);
	relink_args(&r, c->artifact, extra, &argv);
	strv_extend(&lenv, env);
	strv_unsetenv(&lenv, "OUNCE_KEEP_LINK");
	ok = run_step(run, c, "link", &argv, &lenv, fs_exists(r.cwd) ? r.cwd : src,
		      CELL_BUILD_FAILED, &seconds);
	strv_release(&lenv);
	relink_release(&r);
	return ok;
}

/* Post-link steps, measure, smoke test: the end of every cell. What shows its
 * profiles are in the artifacts is looked for before the post-link steps (strip
 * takes the symbols); a cell made from another's artifacts has what that one
 * had. */
static int
finish_cell(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n,
	    const struct cell *from, const struct strv *post, const char *dir, const char *src,
	    struct strv *env, const struct build_hook *hook)
{
	int ok;

	if (from) {
		strv_release(&c->unproven);
		strv_extend(&c->unproven, &from->unproven);
	} else if (!run->repeating) {
		for (size_t i = 0; i < c->narts; i++) {
			iface_release(&c->arts[i].ifc);
			iface_read(c->arts[i].path, &c->arts[i].ifc, NULL, 0);
		}
		check_evidence(run, c, profiles, n);
	}
	for (size_t i = 0; i < post->n; i++) {
		/* a step that names {artifact} runs on each artifact */
		size_t each = strstr(post->v[i], "{artifact}") ? c->narts : 1;

		for (size_t j = 0; j < each; j++) {
			struct tmpl_var post_vars[] = {
				{"artifact", c->narts ? c->arts[j].path : ""},
				{"src", src},
				{"ounce", run->self},
			};

			ok = step(run, c, "post-link step", post->v[i], post_vars, 3, NULL, env,
				  src, CELL_BUILD_FAILED, &c->build_seconds);
			if (ok <= 0) {
				return ok;
			}
		}
	}
	/* the bytes are made: a repeat build (build_repeat) starts in a later second */
	c->made = time(NULL);
	if (run->repeating) {
		/* only its bytes count: build_repeat compares their hashes */
		for (size_t i = 0; i < c->narts; i++) {
			if (!cache_file_key(c->arts[i].path, c->arts[i].hash)) {
				c->arts[i].hash[0] = '\0';
			}
		}
		c->status = CELL_OK;
		return 0;
	}
	struct timespec t0, t1;

	/* ounce's own CPU time measuring (libelf, gzip -9 and xz -9 in process),
	 * apart from the builds it waits for */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	ok = measure_cell(run, c, dir, env);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	c->measure_seconds +=
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (ok < 0) {
		return -1;
	}
	if (c->status == CELL_PENDING && hook && hook->smoke_starts) {
		hook->smoke_starts(hook->arg);
	}
	if (c->status == CELL_PENDING && smoke_run(run, c, src, env) < 0) {
		return -1;
	}
	if (c->status == CELL_PENDING) {
		c->status = CELL_OK;
	}
	return 0;
}

/* The post-link steps of the profiles from lacks (derive) or of all of them. */
static void
post_steps(const struct run *run, struct profile *const *profiles, size_t n, bool derive,
	   const struct settings *all, struct strv *out)
{
	if (!derive) {
		strv_extend(out, &all->f.post);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct settings one = SETTINGS_INIT;

		if (!profile_post_only(profiles[i], run->recipe->toolchain, run->recipe->name)) {
			continue;
		}
		settings_compose_for(&one, &profiles[i], 1, run->recipe->toolchain,
				     run->recipe->name);
		settings_set_cross(&one, &profiles[i], 1, run->cross);
		strv_extend(out, &one.f.post);
		settings_release(&one);
	}
}

/* Should the file at path (st: its lstat), in a measured cell of directory dir,
 * stay: one of its artifacts or another name of one, a link map beside one (what
 * ounce size and diff attribute bytes by), a symbolic link beside one (a
 * library's SONAME), the cell's logs, or what a relinking cell reads (link/)? */
static bool
kept(const struct cell *c, const char *dir, const char *path, const struct stat *st)
{
	bool is_link = S_ISLNK(st->st_mode);

	size_t n = strlen(dir);
	const char *rel = path + n + 1;

	/* stage/: what an installing build installed, whole (a copy of the cell
	 * gets it too: its programs may read their data beside them) */
	if (!strcmp(rel, "build.log") || !strcmp(rel, "wrap.log") || !strncmp(rel, "link/", 5) ||
	    !strncmp(rel, "stage/", 6)) {
		return true;
	}
	for (size_t i = 0; i < c->narts; i++) {
		const char *a = c->arts[i].path, *slash = strrchr(a, '/');
		size_t an = strlen(a);
		struct stat ast;

		if (!strcmp(path, a) || (!strncmp(path, a, an) && !strcmp(path + an, ".map"))) {
			return true;
		}
		/* NAME.map beside NAME.elf: a firmware's own map, which tells its
		 * memory regions (size_map_beside) */
		if (an > 4 && !strcmp(a + an - 4, ".elf") && !strncmp(path, a, an - 4) &&
		    !strcmp(path + an - 4, ".map")) {
			return true;
		}
		/* another name of the artifact (Cargo links deps/NAME-HASH to it, and
		 * a relinking cell finds the link it kept by that file) */
		if (S_ISREG(st->st_mode) && st->st_nlink > 1 && stat(a, &ast) == 0 &&
		    ast.st_dev == st->st_dev && ast.st_ino == st->st_ino) {
			return true;
		}
		if (is_link && slash && !strncmp(path, a, (size_t)(slash - a) + 1) &&
		    !strchr(path + (slash - a) + 1, '/')) {
			return true;
		}
	}
	return false;
}

/* Remove what nothing reads once the cell is measured from the tree under path;
 * returns whether path itself is left empty (and removed). */
static bool
prune_tree(const struct cell *c, const char *dir, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d) {
		return false;
	}
	while ((e = readdir(d))) {
		char *sub;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			continue;
		}
		sub = xasprintf("%s/%s", path, e->d_name);
		if (lstat(sub, &st) < 0) {
			empty = false;
		} else if (S_ISDIR(st.st_mode)) {
			if (!prune_tree(c, dir, sub)) {
				empty = false;
			}
		} else if (kept(c, dir, sub, &st)) {
			empty = false;
		} else if (unlink(sub) < 0) {
			empty = false;
		}
		free(sub);
	}
	closedir(d);
	return empty && strcmp(path, dir) && rmdir(path) == 0;
}

/* A cell being built: its directories, the values of the commands' templates,
 * and its commands' arguments and environment. */
struct cellbuild {
	char *dir;		/* the cell's directory */
	char *root;		/* dir/src: the copy of the tree */
	char *src;		/* the project in it (a Cargo workspace's member) */
	char *bdir;		/* dir/build */
	char *stage;		/* dir/stage: where the install step puts what it ships */
	char *cc, *cxx, *jobs, *stem;
	const char *cwd;	/* where the commands run */
	/* the templates' variables; the last, {stage}, is the install step's alone */
	struct tmpl_var vars[10];
	int nvars;		/* those of the other steps */
	struct strv env, cargs, bargs, post, extra;
	char key[CACHE_KEY_LEN + 1];	/* the cell's cache key, once keyed */
	bool keyed;
};

static void
cellbuild_init(struct cellbuild *b, const struct run *run, const struct cell *c, int njobs)
{
	const struct project *p = run->project;

	memset(b, 0, sizeof(*b));
	b->dir = cell_dir(run, c->name);
	b->root = xasprintf("%s/src", b->dir);
	b->src = *p->subdir ? xasprintf("%s/%s", b->root, p->subdir) : xstrdup(b->root);
	b->bdir = xasprintf("%s/build", b->dir);
	b->stage = xasprintf("%s/stage", b->dir);
	b->cc = shim_path(run, "cc");
	b->cxx = shim_path(run, "c++");
	b->jobs = xasprintf("%d", njobs > 0 ? njobs : run->build_jobs);
	if (run->recipe_match) {
		b->stem = xstrndup(run->recipe_match, strcspn(run->recipe_match, "."));
	}
	b->cwd = run->recipe->cwd && !strcmp(run->recipe->cwd, "build") ? b->bdir : b->src;

	struct tmpl_var vars[] = {
		{"cc", b->cc}, {"cxx", b->cxx}, {"jobs", b->jobs}, {"name", p->name},
		{"src", b->src}, {"source", run->recipe_match},
		{"stem", b->stem ? b->stem : p->name}, {"build", b->bdir},
		{"build_name", run->build->name}, {"stage", b->stage},
	};

	_Static_assert(sizeof(vars) == sizeof(b->vars), "every variable has its place");
	memcpy(b->vars, vars, sizeof(vars));
	b->nvars = (int)(sizeof(vars) / sizeof(*vars)) - 1;
	strv_extend(&b->cargs, &run->build->configure_args);
	strv_extend(&b->cargs, &c->settings.f.configure_args);
	strv_extend(&b->bargs, &run->build->build_args);
	strv_extend(&b->bargs, &c->settings.f.build_args);
}

static void
cellbuild_release(struct cellbuild *b)
{
	strv_release(&b->cargs);
	strv_release(&b->bargs);
	strv_release(&b->post);
	strv_release(&b->extra);
	strv_release(&b->env);
	free(b->dir);
	free(b->root);
	free(b->src);
	free(b->bdir);
	free(b->stage);
	free(b->cc);
	free(b->cxx);
	free(b->jobs);
	free(b->stem);
}

/* Is c not to be built, as two of its profiles conflict (recorded)? Cargo
 * settles such conflicts itself. */
static bool
skipped(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n)
{
	char why[256];

	if (recipe_is_cargo(run->recipe) || !profile_conflict(profiles, n, why, sizeof(why))) {
		return false;
	}
	c->status = CELL_SKIPPED;
	c->reason = xasprintf("not built: %s", why);
	return true;
}

/* Is c's result in the run's cache (then loaded into c)? A new cache has nothing
 * to find: the key can wait for the store. */
static bool
cached(const struct run *run, struct cell *c, struct cellbuild *b)
{
	if (!run->cache || run->fresh || cache_empty(run->cache)) {
		return false;
	}
	cache_key(run->cache, c, b->key);
	b->keyed = true;
	if (!cache_load(run->cache, b->key, c)) {
		return false;
	}
	debug("%s: cached result %s", c->name, b->key);
	/* built in an earlier run: before this second */
	c->made = time(NULL);
	return true;
}

/* A new directory for c with its log and a copy of the tree, from the run's
 * snapshot, whose hash is the cache key (prepare.h). Returns 0 or -1 after
 * reporting. */
static int
stage_cell(const struct run *run, struct cell *c, const struct cellbuild *b)
{
	const struct project *p = run->project;

	if (fs_remove_tree(b->dir) < 0 || fs_mkdirs(b->dir) < 0) {
		return -1;
	}
	free(c->log);
	c->log = xasprintf("%s/build.log", b->dir);
	if ((run->prepared ? stage_clone(run->prepared, b->root, &p->exclude, NULL)
			   : stage_copy(p->stage_dir, b->root, &p->exclude, run->workdir)) < 0 ||
	    fs_mkdirs(b->bdir) < 0) {
		return -1;
	}
	return 0;
}

/* The artifact of *from, into c: linked again from its kept objects with the link
 * arguments the profiles add, or copied when they only add post-link steps. When
 * *from kept no link, or has nothing whole to copy, *from becomes NULL: the cell
 * is built. Returns 1 to go on, 0 when the cell failed (recorded), -1 when ounce
 * could not go on. */
static int
start_from(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n,
	   const struct cell **from, struct cellbuild *b)
{
	bool none = false;

	if (relink_extra(run, profiles, n, &b->extra)) {
		int ok = relink_artifact(run, c, *from, b->dir, b->src, &b->extra, &b->env, &none);

		if (ok <= 0 && !none) {
			return ok;
		}
	} else if (copy_artifact(c, *from, b->dir, &none) < 0) {
		return -1;
	}
	if (none) {
		debug("%s: %s kept nothing whole to start from: built instead", c->name,
		      (*from)->name);
		*from = NULL;
	}
	return 1;
}

/* The recipe's (or ounce.ini's) install step: what the project ships is what it
 * puts in the staging directory; a failing install leaves the build tree to
 * search. Returns 1 to go on, 0 when the cell is done (timed out or interrupted:
 * recorded), -1 when ounce could not go on. */
static int
install_step(const struct run *run, struct cell *c, struct cellbuild *b)
{
	double secs = 0;
	int ok = step(run, c, "install", run->recipe->install, b->vars, b->nvars + 1, NULL,
		      &b->env, b->cwd, CELL_BUILD_FAILED, &secs);

	c->build_seconds += secs;
	if (ok != 0) {
		return ok;
	}
	if (c->status == CELL_INTERRUPTED || c->status == CELL_TIMEOUT) {
		return 0;
	}
	log_line(c, "==> %s\n", "the install step failed: the build tree is measured");
	c->status = CELL_PENDING;
	free(c->reason);
	c->reason = NULL;
	fs_remove_tree(b->stage);
	return 1;
}

/* Configure, build and install c from its copy of the tree. Returns 1 to go on
 * (to its artifacts), 0 when the cell failed (recorded), -1 when ounce could not
 * go on. */
static int
build_steps(const struct run *run, struct cell *c, struct cellbuild *b)
{
	const struct project *p = run->project;
	const char *configure = p->configure ? p->configure : run->recipe->configure;
	int ok;

	c->built = true;
	if (configure) {
		ok = step(run, c, "configure", configure, b->vars, b->nvars, &b->cargs, &b->env,
			  b->cwd, CELL_CONFIGURE_FAILED, &c->build_seconds);
		if (ok <= 0) {
			return ok;
		}
	}
	ok = step(run, c, "build", p->build ? p->build : run->recipe->build, b->vars, b->nvars,
		  &b->bargs, &b->env, b->cwd, CELL_BUILD_FAILED, &c->build_seconds);
	if (ok <= 0) {
		return ok;
	}
	if (run->recipe->install && !p->artifacts.n) {
		return install_step(run, c, b);
	}
	return 1;
}

/* Stage, build (or start from from's artifact), finish and measure c: build_cell
 * once c is neither skipped nor cached. Returns 0 (the cell's result recorded in
 * it) or -1. */
static int
make_cell(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n,
	  const struct cell *from, struct cellbuild *b, const struct build_hook *hook)
{
	int ok;

	if (stage_cell(run, c, b) < 0) {
		return -1;
	}
	ok = cell_env(run, c, b->dir, &b->env);
	if (ok <= 0) {
		return ok;
	}
	/* only post-link steps, or link arguments, set this cell apart from from:
	 * no rebuild */
	if (from && (ok = start_from(run, c, profiles, n, &from, b)) <= 0) {
		return ok;
	}
	post_steps(run, profiles, n, from != NULL, &c->settings, &b->post);
	if (from) {
		free(c->reused_from);
		c->reused_from = xstrdup(from->name);
		/* what building this cell costs: the build it starts from, then its steps */
		c->build_seconds = from->build_seconds;
		read_steps(c, b->dir);
		return finish_cell(run, c, profiles, n, from, &b->post, b->dir, b->src, &b->env,
				   hook);
	}
	ok = build_steps(run, c, b);
	read_steps(c, b->dir);
	if (ok <= 0) {
		return ok;
	}
	if (!find_artifacts(run, c, b->dir, b->src, b->bdir, b->vars, b->nvars)) {
		return 0;
	}
	free(c->artifact);
	c->artifact = xstrdup(c->arts[0].path);
	return finish_cell(run, c, profiles, n, NULL, &b->post, b->dir, b->src, &b->env, hook);
}

/* The end of every cell, rc being what build_cell returns: a cell left pending
 * failed; a result is stored in the cache (cache_storable decides); a measured
 * cell's copy of the tree (gigabytes for a real project's matrix) goes, a failed
 * one keeps it, to be looked at. */
static void
end_cell(const struct run *run, struct cell *c, struct cellbuild *b, int rc)
{
	if (c->status == CELL_PENDING) {
		c->status = CELL_BUILD_FAILED;
		if (!c->reason) {
			c->reason = xstrdup("ounce could not build this cell (see the messages above)");
		}
	}
	if (rc == 0 && run->cache && !c->cached) {
		if (!b->keyed) {
			cache_key(run->cache, c, b->key);
		}
		cache_store(run->cache, b->key, c);
	}
	if (rc == 0 && c->status == CELL_OK && !c->cached && !run->keep_cells) {
		prune_tree(c, b->dir, b->dir);
	}
}

int
build_cell(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n,
	   const struct cell *from, int njobs, const struct build_hook *hook)
{
	struct cellbuild b;
	int rc = 0;

	c->status = CELL_PENDING;
	compose(run, c, profiles, n);
	cellbuild_init(&b, run, c, njobs);
	if (!skipped(run, c, profiles, n) && !cached(run, c, &b)) {
		rc = make_cell(run, c, profiles, n, from, &b, hook);
	}
	end_cell(run, c, &b, rc);
	cellbuild_release(&b);
	return rc;
}

/* Sleep until the second of the clock that __TIME__ reads (time(), as gcc's
 * preprocessor does) is past made. __TIME__ and __DATE__ have one second's
 * resolution: a build in the second the first one ended could give its bytes
 * even where they depend on the time. Waits at most about 3 s (a clock set
 * back meanwhile), less when cancel is set. */
static void
wait_past(time_t made, volatile sig_atomic_t *cancel)
{
	for (int i = 0; i < 3 && time(NULL) <= made && !(cancel && *cancel); i++) {
		struct timespec now, d = {0, 0};

		clock_gettime(CLOCK_REALTIME, &now);
		/* to the next second, and 5 ms on: time() may read a coarser clock */
		d.tv_nsec = 1000000000L - now.tv_nsec + 5000000L;
		if (d.tv_nsec >= 1000000000L) {
			d.tv_sec = 1;
			d.tv_nsec -= 1000000000L;
		}
		nanosleep(&d, NULL);
	}
}

/* Compare c's artifacts with those of t, its k'th build of n from scratch, into
 * c->reproducible and c->repro_detail. Returns false when t tells nothing either
 * way (interrupted, timed out, failed for a cause outside the build, a file that
 * cannot be read), true when it does. */
static bool
compare_repeat(struct cell *c, const struct cell *t, int k, int n)
{
	if (t->status == CELL_INTERRUPTED) {
		return false;
	}
	if (t->status != CELL_OK) {
		if (!cache_storable(t)) {
			warn("%s: build %d of %d from scratch did not finish (%s): whether it is "
			     "reproducible is not known",
			     c->name, k, n, t->reason ? t->reason : cell_status_name(t->status));
			return false;
		}
		c->reproducible = CELL_REPRO_NO;
		c->repro_detail = xasprintf("build %d of %d failed: %s (log: %s)", k, n,
					    t->reason ? t->reason : cell_status_name(t->status),
					    t->log ? t->log : "none");
		return true;
	}
	for (size_t i = 0; i < c->narts; i++) {
		const struct artifact *a = &c->arts[i], *b = cell_find_artifact(t, a->name);
		char h[CACHE_KEY_LEN + 1];
		const char *ha = a->hash;

		if (!*ha) {
			ha = cache_file_key(a->path, h) ? h : "";
		}
		if (!b) {
			c->reproducible = CELL_REPRO_NO;
			c->repro_detail = xasprintf("build %d of %d made no '%s'", k, n, a->name);
			return true;
		}
		if (!*ha || !*b->hash) {
			warn("%s: cannot read '%s' to compare its builds", c->name,
			     *ha ? b->path : a->path);
			return false;
		}
		if (strcmp(ha, b->hash)) {
			c->reproducible = CELL_REPRO_NO;
			c->repro_detail = xasprintf("build %d of %d gave other bytes for '%s' "
						    "(kept: %s)",
						    k, n, a->name, b->path);
			return true;
		}
	}
	c->reproducible = CELL_REPRO_YES;
	return true;
}

int
build_repeat(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n,
	     int njobs)
{
	struct run r = *run;

	if (run->repeat < 2 || run->repeating || !c->narts ||
	    (c->status != CELL_OK && c->status != CELL_SMOKE_FAILED)) {
		return 0;
	}
	/* from scratch: no result from the cache, no objects through ccache, no
	 * LTO code generation kept, no copy of another cell's artifact */
	r.reuse = false;
	r.cache = NULL;
	r.ccache = NULL;
	r.memo = NULL;
	r.repeating = true;
	c->reproducible = CELL_REPRO_UNKNOWN;
	free(c->repro_detail);
	c->repro_detail = NULL;
	for (int k = 2; k <= run->repeat; k++) {
		/* its own directory, beside the cell's: a build that writes where
		 * it is built into its output is not reproducible either */
		char *name = xasprintf("%s~%d", c->name, k);
		struct cell *t;
		bool told;
		int rc;

		wait_past(c->made, run->cancel);
		if (run->cancel && *run->cancel) {
			free(name);
			c->reproducible = CELL_REPRO_UNKNOWN;
			return 0;
		}
		t = cell_new(name);
		free(name);
		rc = build_cell(&r, t, profiles, n, NULL, njobs, NULL);
		told = rc == 0 && compare_repeat(c, t, k, run->repeat);
		if (told && c->reproducible == CELL_REPRO_YES && !run->keep_cells) {
			char *dir = cell_dir(run, t->name);

			fs_remove_tree(dir);
			free(dir);
		}
		cell_free(t);
		if (rc < 0) {
			return -1;
		}
		if (!told) {
			c->reproducible = CELL_REPRO_UNKNOWN;
			return 0;
		}
		if (c->reproducible == CELL_REPRO_NO) {
			return 0;
		}
	}
	return 0;
}
