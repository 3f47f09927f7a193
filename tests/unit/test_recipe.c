/* test_recipe.c: recipes from INI files and their detection in project trees. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "mem.h"
#include "recipe.h"
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
		T(test_recipe_detect_wants_regular_files),
		T(test_recipe_detect_priority_among_temp_recipes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
