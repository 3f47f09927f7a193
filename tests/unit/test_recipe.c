/* test_recipe.c: recipes from INI files and their detection in project trees. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/recipe.h"
#include "os/fsutil.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct recipe_set set;
};

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));

	f->set = (struct recipe_set)RECIPE_SET_INIT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	recipe_set_release(&f->set);
	return tu_fixture_free(f);
}

/* A new directory DIR/name; the caller frees the path. */
static char *
make_dir(const struct fixture *f, const char *name)
{
	char *path = xasprintf("%s/%s", f->t.dir, name);

	assert_int_equal(fs_mkdirs(path), 0);
	return path;
}

/* Load the real recipes/ directory of the source tree into f->set. */
static void
load_real(struct fixture *f)
{
	char *dir = tu_source_path("recipes");

	assert_int_equal(recipe_load_dir(&f->set, dir), 0);
	free(dir);
}

static void
test_recipe_load_real_dir(void **state)
{
	struct fixture *f = *state;
	const struct recipe *make, *single;

	load_real(f);
	assert_true(f->set.n >= 2);
	for (size_t i = 0; i < f->set.n; i++) {
		const struct recipe *r = f->set.v[i];

		assert_non_null(r->build);
		assert_non_null(r->summary);
		assert_true(r->detect.n > 0 || r->detect_glob);
		assert_ptr_equal(recipe_find(&f->set, r->name), r);
	}
	make = recipe_find(&f->set, "make");
	assert_non_null(make);
	assert_true(strv_has(&make->detect, "Makefile"));
	assert_non_null(strstr(make->build, "{cc}"));
	single = recipe_find(&f->set, "single");
	assert_non_null(single);
	assert_non_null(single->detect_glob);
	assert_string_equal(single->detect_glob, "*.c");
	assert_int_equal(single->detect_count, 1);
	assert_true(make->priority > single->priority);
	assert_null(recipe_find(&f->set, "scons"));
}

static void
test_recipe_load_temp_files(void **state)
{
	struct fixture *f = *state;
	char *dir = make_dir(f, "recipes");
	const struct recipe *r;

	free(tu_write_file(f->t.dir, "recipes/cmake.ini",
			   "; cmake\n"
			   "[recipe]\n"
			   "summary = a CMake project\n"
			   "priority = 60\n"
			   "detect = CMakeLists.txt\n"
			   "configure = cmake -S . -B build -DCMAKE_C_COMPILER={cc}\n"
			   "build = cmake --build build -j{jobs}\n"
			   "artifact = build/{name}\n"));
	free(tu_write_file(f->t.dir, "recipes/glob.ini",
			   "[recipe]\nsummary = g\ndetect_glob = *.rs\ndetect_count = 0\n"
			   "build = x\n"));
	free(tu_write_file(f->t.dir, "recipes/notes.txt", "not a recipe"));
	assert_int_equal(recipe_load_dir(&f->set, dir), 0);
	assert_int_equal(f->set.n, 2);
	r = recipe_find(&f->set, "cmake");
	assert_non_null(r);
	assert_string_equal(r->summary, "a CMake project");
	assert_int_equal(r->priority, 60);
	assert_int_equal(r->detect.n, 1);
	assert_string_equal(r->detect.v[0], "CMakeLists.txt");
	assert_null(r->detect_glob);
	assert_string_equal(r->configure, "cmake -S . -B build -DCMAKE_C_COMPILER={cc}");
	assert_string_equal(r->build, "cmake --build build -j{jobs}");
	assert_string_equal(r->artifact, "build/{name}");
	assert_non_null(strstr(r->file, "recipes/cmake.ini"));
	r = recipe_find(&f->set, "glob");
	assert_non_null(r);
	assert_string_equal(r->detect_glob, "*.rs");
	assert_int_equal(r->detect_count, 0);
	assert_null(r->configure);
	assert_null(r->artifact);
	free(dir);
}

/* Load a recipe directory holding only name with text, which must be refused
 * with want in the message. */
static void
check_refused(struct fixture *f, const char *name, const char *text, const char *want)
{
	char *sub = xasprintf("bad-%s", name);
	char *file = xasprintf("%s/%s", sub, name);
	char *dir = make_dir(f, sub);
	struct recipe_set set = RECIPE_SET_INIT;
	char *err;

	free(tu_write_file(f->t.dir, file, text));
	tu_capture_begin(&f->t);
	assert_int_equal(recipe_load_dir(&set, dir), -1);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, want);
	free(err);
	recipe_set_release(&set);
	free(dir);
	free(file);
	free(sub);
}

static void
test_recipe_load_refuses_bad_files(void **state)
{
	struct fixture *f = *state;
	char *missing;
	char *err;

	check_refused(f, "a.ini", "[recipe]\nsummary = s\ndetect = x\n",
		      "a.ini: error: recipe 'a' has no build command");
	check_refused(f, "b.ini", "[recipe]\nsummary = s\nbuild = make\n",
		      "b.ini: error: recipe 'b' has neither detect nor detect_glob");
	check_refused(f, "c.ini", "[recipe]\nbuild = make\ndetect = x\npriority = high\n",
		      "c.ini:4: error: priority must be a number");
	check_refused(f, "d.ini", "[recipe]\nbuild = make\ndetect = x\npriority = 1001\n",
		      "d.ini:4: error: priority must be a number");
	check_refused(f, "e.ini", "[recipe]\nbuild = make\ndetect_glob = *.c\ndetect_count = x\n",
		      "e.ini:4: error: detect_count must be a number");
	check_refused(f, "f.ini", "[recipe]\nbuild = make\ndetect = x\nbiuld = y\n",
		      "f.ini:4: error: unknown key");
	check_refused(f, "g.ini", "[build]\nbuild = make\n", "g.ini:2: error: unknown section");
	check_refused(f, "h.ini", "build = make\n", "h.ini:1: error: key outside a section");
	check_refused(f, "i.ini", "[recipe]\nbuild = make\ndetect = x\nprepare_env = NOCONFIGURE\n",
		      "i.ini:4: error: prepare_env must be NAME=VALUE");

	missing = xasprintf("%s/no-such-dir", f->t.dir);
	tu_capture_begin(&f->t);
	assert_int_equal(recipe_load_dir(&f->set, missing), -1);
	err = tu_capture_end(&f->t);
	assert_non_null(strstr(err, "cannot open recipe directory"));
	free(err);
	free(missing);
}

static void
test_recipe_detect_makefile(void **state)
{
	struct fixture *f = *state;
	char *match = (char *)"unset";
	char *dir;
	const struct recipe *r;

	load_real(f);
	free(tu_write_file(f->t.dir, "proj/Makefile", "all:\n"));
	dir = xasprintf("%s/proj", f->t.dir);
	r = recipe_detect(&f->set, dir, &match);
	assert_non_null(r);
	assert_string_equal(r->name, "make");
	assert_null(match);
	/* match may be NULL */
	assert_ptr_equal(recipe_detect(&f->set, dir, NULL), r);
	free(dir);

	free(tu_write_file(f->t.dir, "lower/makefile", "all:\n"));
	dir = xasprintf("%s/lower", f->t.dir);
	r = recipe_detect(&f->set, dir, NULL);
	assert_non_null(r);
	assert_string_equal(r->name, "make");
	free(dir);
}

static void
test_recipe_detect_single_c_file(void **state)
{
	struct fixture *f = *state;
	char *match = NULL;
	char *dir;
	const struct recipe *r;

	load_real(f);
	free(tu_write_file(f->t.dir, "one/hello.c", "int main(void) { return 0; }\n"));
	free(tu_write_file(f->t.dir, "one/README", "hello\n"));
	free(tu_write_file(f->t.dir, "one/.hidden.c", "hidden files do not count\n"));
	free(tu_write_file(f->t.dir, "one/sub/other.c", "nor do files below the top\n"));
	dir = xasprintf("%s/one", f->t.dir);
	r = recipe_detect(&f->set, dir, &match);
	assert_non_null(r);
	assert_string_equal(r->name, "single");
	assert_non_null(match);
	assert_string_equal(match, "hello.c");
	free(match);
	free(dir);
}

static void
test_recipe_detect_two_c_files_is_nothing(void **state)
{
	struct fixture *f = *state;
	char *match = (char *)"unset";
	char *dir;

	load_real(f);
	free(tu_write_file(f->t.dir, "two/one.c", "\n"));
	free(tu_write_file(f->t.dir, "two/two.c", "\n"));
	dir = xasprintf("%s/two", f->t.dir);
	assert_null(recipe_detect(&f->set, dir, &match));
	assert_null(match);
	free(dir);

	/* nor is an empty directory, or one that does not exist */
	dir = make_dir(f, "empty");
	match = (char *)"unset";
	assert_null(recipe_detect(&f->set, dir, &match));
	assert_null(match);
	free(dir);
	dir = xasprintf("%s/absent", f->t.dir);
	assert_null(recipe_detect(&f->set, dir, NULL));
	free(dir);
}

static void
test_recipe_detect_makefile_beats_single(void **state)
{
	struct fixture *f = *state;
	char *match = (char *)"unset";
	char *dir;
	const struct recipe *r;

	load_real(f);
	free(tu_write_file(f->t.dir, "both/Makefile", "all:\n"));
	free(tu_write_file(f->t.dir, "both/prog.c", "int main(void) { return 0; }\n"));
	dir = xasprintf("%s/both", f->t.dir);
	r = recipe_detect(&f->set, dir, &match);
	assert_non_null(r);
	assert_string_equal(r->name, "make");
	/* the file matched by the losing recipe's glob is not handed back */
	assert_null(match);
	free(dir);
}

/* every recipe that matches, in the order they are tried: recipe_detect's first,
 * then by priority, equals in the set's order; what made each match */
static void
test_recipe_detect_all_in_priority_order(void **state)
{
	struct fixture *f = *state;
	struct recipe **v;
	char *dir;
	size_t n;

	load_real(f);
	free(tu_write_file(f->t.dir, "many/meson.build", "project('x', 'c')\n"));
	free(tu_write_file(f->t.dir, "many/configure", "#!/bin/sh\n"));
	free(tu_write_file(f->t.dir, "many/Makefile", "all:\n"));
	free(tu_write_file(f->t.dir, "many/prog.c", "int main(void) { return 0; }\n"));
	free(tu_write_file(f->t.dir, "many/CMakeLists.txt", "project(x C)\n"));
	dir = xasprintf("%s/many", f->t.dir);
	n = recipe_detect_all(&f->set, dir, &v);
	assert_int_equal(n, 5);
	assert_ptr_equal(v[0], recipe_detect(&f->set, dir, NULL));
	assert_string_equal(v[0]->name, "cmake");
	assert_string_equal(v[1]->name, "meson");
	assert_string_equal(v[2]->name, "autotools");
	assert_string_equal(v[3]->name, "make");
	assert_string_equal(v[4]->name, "single");
	assert_null(v[5]);
	assert_string_equal(recipe_detected_by(v[0], dir), "CMakeLists.txt");
	assert_string_equal(recipe_detected_by(v[2], dir), "configure");
	assert_string_equal(recipe_detected_by(v[3], dir), "Makefile");
	assert_string_equal(recipe_detected_by(v[4], dir), "*.c");
	assert_null(recipe_detected_by(recipe_find(&f->set, "cargo"), dir));
	/* the single-file recipe, forced where another wins, still finds its file */
	{
		char *match = NULL;

		assert_true(recipe_matches(v[4], dir, &match));
		assert_string_equal(match, "prog.c");
		free(match);
		assert_false(recipe_matches(recipe_find(&f->set, "cargo"), dir, &match));
		assert_null(match);
	}
	free(v);
	free(dir);

	dir = make_dir(f, "none");
	assert_int_equal(recipe_detect_all(&f->set, dir, &v), 0);
	assert_null(v[0]);
	free(v);
	free(dir);
}

static void
test_recipe_detect_wants_regular_files(void **state)
{
	struct fixture *f = *state;
	char *dir, *sub;
	char *match = NULL;
	const struct recipe *r;

	load_real(f);
	/* a directory called Makefile is not a Makefile */
	sub = make_dir(f, "odd/Makefile");
	free(sub);
	free(tu_write_file(f->t.dir, "odd/main.c", "\n"));
	dir = xasprintf("%s/odd", f->t.dir);
	r = recipe_detect(&f->set, dir, &match);
	assert_non_null(r);
	assert_string_equal(r->name, "single");
	assert_string_equal(match, "main.c");
	free(match);
	free(dir);
}

static void
test_recipe_detect_priority_among_temp_recipes(void **state)
{
	struct fixture *f = *state;
	char *rdir = make_dir(f, "recipes");
	char *pdir;
	char *match = NULL;
	const struct recipe *r;

	free(tu_write_file(f->t.dir, "recipes/low.ini",
			   "[recipe]\npriority = 5\ndetect_glob = *.txt\nbuild = low\n"));
	free(tu_write_file(f->t.dir, "recipes/high.ini",
			   "[recipe]\npriority = 90\ndetect = marker other\nbuild = high\n"));
	free(tu_write_file(f->t.dir, "recipes/any.ini",
			   "[recipe]\npriority = 1\ndetect_glob = *.txt\ndetect_count = 0\n"
			   "build = any\n"));
	assert_int_equal(recipe_load_dir(&f->set, rdir), 0);

	free(tu_write_file(f->t.dir, "p1/a.txt", "\n"));
	free(tu_write_file(f->t.dir, "p1/b.txt", "\n"));
	pdir = xasprintf("%s/p1", f->t.dir);
	r = recipe_detect(&f->set, pdir, &match);
	assert_non_null(r);
	assert_string_equal(r->name, "low");
	assert_non_null(match);
	assert_true(!strcmp(match, "a.txt") || !strcmp(match, "b.txt"));
	free(match);

	free(tu_write_file(f->t.dir, "p1/other", "\n"));
	r = recipe_detect(&f->set, pdir, &match);
	assert_non_null(r);
	assert_string_equal(r->name, "high");
	assert_null(match);
	free(pdir);
	free(rdir);
}

static void
test_recipe_build_sections(void **state)
{
	struct fixture *f = *state;
	char *dir = make_dir(f, "recipes");
	const struct recipe *r;
	const struct recipe_build *b;

	free(tu_write_file(f->t.dir, "recipes/tool.ini",
			   "[recipe]\n"
			   "detect = tool.txt\n"
			   "build = tool\n"
			   "\n"
			   "[build release]\n"
			   "configure_args = -DMODE=fast 'NAME=a b'\n"
			   "build_args = --release\n"
			   "env = OPT=3\n"
			   "artifact_dir = {build}/release\n"
			   "\n"
			   "[build dev]\n"
			   "build_args = -v \"x y\"\n"
			   "env = OPT=0\n"
			   "env = DEBUG=1\n"
			   "\n"
			   "[build release]\n"
			   "configure_args = -DMORE=1\n"
			   "artifact_dir = {build}/rel\n"));
	assert_int_equal(recipe_load_dir(&f->set, dir), 0);
	r = recipe_find(&f->set, "tool");
	assert_non_null(r);
	/* in the order of first appearance; a repeated section adds to its build */
	assert_int_equal(r->nbuilds, 2);
	b = r->builds[0];
	assert_string_equal(b->name, "release");
	assert_ptr_equal(recipe_build_find(r, "release"), b);
	TU_WORDS(&b->configure_args, "-DMODE=fast", "NAME=a b", "-DMORE=1");
	TU_WORDS(&b->build_args, "--release");
	TU_WORDS(&b->env, "OPT=3");
	assert_string_equal(b->artifact_dir, "{build}/rel");
	b = r->builds[1];
	assert_string_equal(b->name, "dev");
	assert_ptr_equal(recipe_build_find(r, "dev"), b);
	assert_int_equal(b->configure_args.n, 0);
	TU_WORDS(&b->build_args, "-v", "x y");
	TU_WORDS(&b->env, "OPT=0", "DEBUG=1");
	assert_null(b->artifact_dir);
	assert_null(recipe_build_find(r, "default"));
	assert_null(recipe_build_find(r, "Release"));
	free(dir);
}

static void
test_recipe_without_builds_has_a_default_one(void **state)
{
	struct fixture *f = *state;
	char *dir = make_dir(f, "recipes");
	const struct recipe *r;
	const struct recipe_build *b;

	free(tu_write_file(f->t.dir, "recipes/plain.ini",
			   "[recipe]\ndetect = plain.txt\nbuild = plain\n"));
	assert_int_equal(recipe_load_dir(&f->set, dir), 0);
	r = recipe_find(&f->set, "plain");
	assert_non_null(r);
	assert_int_equal(r->nbuilds, 1);
	b = r->builds[0];
	assert_string_equal(b->name, "default");
	assert_ptr_equal(recipe_build_find(r, "default"), b);
	assert_int_equal(b->configure_args.n + b->build_args.n + b->env.n, 0);
	assert_null(b->artifact_dir);
	/* and the keys left out take their defaults */
	assert_null(r->toolchain);
	assert_null(r->cwd);
	assert_int_equal(r->ignore.n, 0);
	free(dir);
}

static void
test_recipe_build_sections_refuse_bad_keys(void **state)
{
	struct fixture *f = *state;

	check_refused(f, "a.ini", "[recipe]\nbuild = b\ndetect = x\n[build dev]\nflags = -g\n",
		      "a.ini:5: error: unknown key in a [build NAME] section");
	check_refused(f, "b.ini", "[recipe]\nbuild = b\ndetect = x\n[build dev]\nenv = NOVALUE\n",
		      "b.ini:5: error: env must be NAME=VALUE");
	check_refused(f, "c.ini", "[recipe]\nbuild = b\ndetect = x\n[build dev]\nenv = =1\n",
		      "c.ini:5: error: env must be NAME=VALUE");
	check_refused(f, "d.ini",
		      "[recipe]\nbuild = b\ndetect = x\n[build dev]\nbuild_args = 'open\n",
		      "d.ini:5: error: unterminated single quote");
	check_refused(f, "e.ini",
		      "[recipe]\nbuild = b\ndetect = x\n[build dev]\nconfigure_args = \"open\n",
		      "e.ini:5: error: unterminated double quote");
	/* recipe keys do not belong in a build, nor build keys in [recipe] */
	check_refused(f, "f.ini", "[recipe]\nbuild = b\ndetect = x\n[build dev]\nbuild = y\n",
		      "f.ini:5: error: unknown key in a [build NAME] section");
	check_refused(f, "g.ini", "[recipe]\nbuild = b\ndetect = x\nbuild_args = -v\n",
		      "g.ini:4: error: unknown key");
}

static void
test_recipe_toolchain_cwd_and_ignore(void **state)
{
	struct fixture *f = *state;
	char *dir = make_dir(f, "recipes");
	const struct recipe *r;

	free(tu_write_file(f->t.dir, "recipes/rs.ini",
			   "[recipe]\ndetect = rs.toml\nbuild = rs\ntoolchain = cargo\n"
			   "cwd = build\nignore = deps  incremental\nignore = .fingerprint\n"
			   "exclude = target out\n"));
	free(tu_write_file(f->t.dir, "recipes/src.ini",
			   "[recipe]\ndetect = src.txt\nbuild = s\ncwd = src\n"));
	assert_int_equal(recipe_load_dir(&f->set, dir), 0);
	r = recipe_find(&f->set, "rs");
	assert_non_null(r);
	assert_string_equal(r->toolchain, "cargo");
	assert_string_equal(r->cwd, "build");
	TU_WORDS(&r->ignore, "deps", "incremental", ".fingerprint");
	TU_WORDS(&r->exclude, "target", "out");
	r = recipe_find(&f->set, "src");
	assert_non_null(r);
	assert_string_equal(r->cwd, "src");
	assert_null(r->toolchain);
	free(dir);

	check_refused(f, "a.ini", "[recipe]\nbuild = b\ndetect = x\ntoolchain = rustc\n",
		      "a.ini:4: error: toolchain must be cargo");
	check_refused(f, "b.ini", "[recipe]\nbuild = b\ndetect = x\ntoolchain = gcc\n",
		      "b.ini:4: error: toolchain must be cargo");
	check_refused(f, "c.ini", "[recipe]\nbuild = b\ndetect = x\ncwd = elsewhere\n",
		      "c.ini:4: error: cwd must be src or build");
}

static void
test_recipe_build_new_find_merge_free(void **state)
{
	struct recipe r;
	struct recipe_build *v[2], *other;
	const char *err;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_null(recipe_build_find(&r, "release"));
	v[0] = recipe_build_new("release");
	v[1] = recipe_build_new("dev");
	assert_string_equal(v[0]->name, "release");
	assert_int_equal(v[0]->configure_args.n + v[0]->build_args.n + v[0]->env.n, 0);
	assert_null(v[0]->artifact_dir);
	r.builds = v;
	r.nbuilds = 2;
	assert_ptr_equal(recipe_build_find(&r, "release"), v[0]);
	assert_ptr_equal(recipe_build_find(&r, "dev"), v[1]);
	assert_null(recipe_build_find(&r, "bench"));

	assert_null(recipe_build_key(v[0], "configure_args", "-DA=1"));
	assert_null(recipe_build_key(v[0], "build_args", "--release"));
	assert_null(recipe_build_key(v[0], "env", "X=1"));
	assert_null(recipe_build_key(v[0], "artifact_dir", "{build}/release"));
	assert_null(recipe_build_key(v[0], "artifact_dir", "{build}/out"));
	assert_string_equal(v[0]->artifact_dir, "{build}/out");
	err = recipe_build_key(v[0], "summary", "x");
	assert_non_null(err);
	tu_assert_contains(err, "unknown key");

	/* merging adds arguments and environment after b's own */
	other = recipe_build_new("release");
	assert_null(recipe_build_key(other, "configure_args", "-DB=2 -DC=3"));
	assert_null(recipe_build_key(other, "build_args", "-j1"));
	assert_null(recipe_build_key(other, "env", "Y=2"));
	recipe_build_merge(v[0], other);
	TU_WORDS(&v[0]->configure_args, "-DA=1", "-DB=2", "-DC=3");
	TU_WORDS(&v[0]->build_args, "--release", "-j1");
	TU_WORDS(&v[0]->env, "X=1", "Y=2");
	/* without an artifact_dir of its own, other leaves b's */
	assert_string_equal(v[0]->artifact_dir, "{build}/out");
	assert_null(recipe_build_key(other, "artifact_dir", "{build}/mine"));
	recipe_build_merge(v[0], other);
	assert_string_equal(v[0]->artifact_dir, "{build}/mine");
	/* ... and into a build that has none */
	recipe_build_merge(v[1], other);
	assert_string_equal(v[1]->artifact_dir, "{build}/mine");
	TU_WORDS(&v[1]->build_args, "-j1");
	/* other is untouched */
	TU_WORDS(&other->configure_args, "-DB=2", "-DC=3");

	recipe_build_free(other);
	recipe_build_free(v[0]);
	recipe_build_free(v[1]);
	recipe_build_free(NULL);
}

static void
test_recipe_real_builds(void **state)
{
	struct fixture *f = *state;
	const struct recipe *r;
	const struct recipe_build *b;

	load_real(f);
	/* every real recipe has at least one build, the first being the default */
	for (size_t i = 0; i < f->set.n; i++) {
		assert_true(f->set.v[i]->nbuilds >= 1);
	}

	r = recipe_find(&f->set, "cmake");
	assert_non_null(r);
	assert_null(r->toolchain);
	assert_string_equal(r->cwd, "build");
	assert_int_equal(r->nbuilds, 2);
	assert_string_equal(r->builds[0]->name, "release");
	assert_string_equal(r->builds[1]->name, "dev");
	TU_WORDS(&r->builds[0]->configure_args, "-DCMAKE_BUILD_TYPE=Release");
	TU_WORDS(&r->builds[1]->configure_args, "-DCMAKE_BUILD_TYPE=Debug");
	assert_true(strv_has(&r->ignore, "CMakeFiles"));

	r = recipe_find(&f->set, "cargo");
	assert_non_null(r);
	assert_string_equal(r->toolchain, "cargo");
	assert_true(strv_has(&r->detect, "Cargo.toml"));
	assert_true(strv_has(&r->ignore, "deps"));
	b = recipe_build_find(r, "release");
	assert_non_null(b);
	assert_ptr_equal(r->builds[0], b);
	TU_WORDS(&b->build_args, "--release");
	assert_string_equal(b->artifact_dir, "{build}/release {build}/*/release");
	assert_true(strv_has(&r->exclude, "target"));
	b = recipe_build_find(r, "dev");
	assert_non_null(b);
	assert_int_equal(b->build_args.n, 0);
	assert_string_equal(b->artifact_dir, "{build}/debug {build}/*/debug");

	r = recipe_find(&f->set, "meson");
	assert_non_null(r);
	assert_string_equal(r->builds[0]->name, "release");
	TU_WORDS(&r->builds[0]->configure_args, "-Dbuildtype=release");
	TU_WORDS(&recipe_build_find(r, "dev")->configure_args, "-Dbuildtype=debug");

	r = recipe_find(&f->set, "make");
	assert_non_null(r);
	assert_int_equal(r->nbuilds, 1);
	assert_string_equal(r->builds[0]->name, "default");
	assert_null(r->toolchain);

	r = recipe_find(&f->set, "autotools");
	assert_non_null(r);
	assert_string_equal(r->cwd, "build");
	assert_string_equal(r->builds[0]->name, "default");
}

/* The real recipe detected in a new directory DIR/name holding the files of the
 * NULL-terminated list; its name must be want. */
static void
check_detected(struct fixture *f, const char *name, const char *const *files, const char *want)
{
	char *dir = make_dir(f, name);
	char *match = (char *)"unset";
	const struct recipe *r;

	for (; *files; files++) {
		char *file = xasprintf("%s/%s", name, *files);

		free(tu_write_file(f->t.dir, file, "\n"));
		free(file);
	}
	r = recipe_detect(&f->set, dir, &match);
	if (!r) {
		fail_msg("nothing detected in '%s', expected '%s'", name, want);
	}
	assert_string_equal(r->name, want);
	assert_null(match);
	free(dir);
}

#define DETECTED(f, name, want, ...) \
	check_detected((f), (name), (const char *const[]){__VA_ARGS__, NULL}, (want))

static void
test_recipe_detect_real_build_systems(void **state)
{
	struct fixture *f = *state;

	load_real(f);
	DETECTED(f, "cm", "cmake", "CMakeLists.txt");
	DETECTED(f, "me", "meson", "meson.build");
	DETECTED(f, "at", "autotools", "configure");
	DETECTED(f, "rs", "cargo", "Cargo.toml");
	/* a Cargo project with a convenience Makefile is still a Cargo project */
	DETECTED(f, "rsmk", "cargo", "Cargo.toml", "Makefile");
	assert_int_equal(recipe_find(&f->set, "cargo")->priority, 70);
	assert_int_equal(recipe_find(&f->set, "make")->priority, 50);
	/* and a C build system beats a lone source file */
	DETECTED(f, "cmc", "cmake", "CMakeLists.txt", "main.c");
	DETECTED(f, "atmk", "autotools", "configure", "Makefile");
	/* a git checkout of an autotools project: configure.ac (or configure.in),
	 * no configure (the recipe prepares one) */
	DETECTED(f, "ac", "autotools", "configure.ac", "Makefile.am");
	DETECTED(f, "acmk", "autotools", "configure.ac", "Makefile");
	DETECTED(f, "in", "autotools", "configure.in", "Makefile.in");
	DETECTED(f, "accm", "cmake", "configure.ac", "CMakeLists.txt");
}

/* The autotools recipe prepares a tree that has no configure, by the project's
 * own script when it has one. */
static void
test_recipe_real_autotools_prepare(void **state)
{
	struct fixture *f = *state;
	const struct recipe *r;

	load_real(f);
	r = recipe_find(&f->set, "autotools");
	assert_non_null(r);
	assert_string_equal(r->prepare, "autoreconf -fi");
	TU_WORDS(&r->prepare_scripts, "autogen.sh", "bootstrap");
	TU_WORDS(&r->prepare_env, "NOCONFIGURE=1");
	TU_WORDS(&r->prepare_unless, "configure");
	assert_true(strv_has(&r->exclude, "autom4te.cache"));
	/* the others have no prepare step */
	assert_null(recipe_find(&f->set, "make")->prepare);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_recipe_load_real_dir),
		T(test_recipe_load_temp_files),
		T(test_recipe_load_refuses_bad_files),
		T(test_recipe_detect_makefile),
		T(test_recipe_detect_single_c_file),
		T(test_recipe_detect_two_c_files_is_nothing),
		T(test_recipe_detect_makefile_beats_single),
		T(test_recipe_detect_all_in_priority_order),
		T(test_recipe_detect_wants_regular_files),
		T(test_recipe_detect_priority_among_temp_recipes),
		T(test_recipe_build_sections),
		T(test_recipe_without_builds_has_a_default_one),
		T(test_recipe_build_sections_refuse_bad_keys),
		T(test_recipe_toolchain_cwd_and_ignore),
		cmocka_unit_test(test_recipe_build_new_find_merge_free),
		T(test_recipe_real_builds),
		T(test_recipe_detect_real_build_systems),
		T(test_recipe_real_autotools_prepare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
