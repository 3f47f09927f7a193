/* test_project.c: a project directory and its optional ounce.ini, including the
 * profiles it defines or replaces. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "config/profile.h"
#include "config/project.h"
#include "config/recipe.h"
#include "os/fsutil.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct profile_set set;
	struct project p;
};

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));

	f->set = (struct profile_set)PROFILE_SET_INIT;
	f->p = (struct project)PROJECT_INIT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	project_release(&f->p);
	profile_set_release(&f->set);
	return tu_fixture_free(f);
}

static void
test_project_without_ounce_ini(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/my-app", f->t.dir);
	char *withslash = xasprintf("%s/my-app/", f->t.dir);
	char *real;

	assert_int_equal(fs_mkdirs(dir), 0);
	real = fs_realpath(dir);
	assert_non_null(real);
	assert_true(real[0] == '/');
	assert_int_equal(project_load(&f->p, withslash, &f->set), 0);
	assert_string_equal(f->p.dir, real);
	assert_string_equal(f->p.name, "my-app");
	assert_null(f->p.ini);
	assert_null(f->p.recipe);
	assert_int_equal(f->p.artifacts.n, 0);
	assert_null(f->p.target_glibc);
	assert_null(f->p.configure);
	assert_null(f->p.build);
	assert_null(f->p.smoke);
	assert_true(f->p.smoke_timeout > 0);
	assert_int_equal(f->p.repeat, 0);
	assert_int_equal(f->p.profiles.n, 0);
	assert_int_equal(f->p.exclude.n, 0);
	assert_int_equal(f->set.n, 0);
	free(real);
	free(withslash);
	free(dir);
}

static void
test_project_keys(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/proj", f->t.dir);
	char *ini = tu_write_file(f->t.dir, "proj/ounce.ini",
				  "; the project\n"
				  "[project]\n"
				  "name = tinyhttpd\n"
				  "recipe = make\n"
				  "artifact = build/httpd\n"
				  "configure = ./configure --prefix=/usr CC={cc}\n"
				  "build = make -j{jobs} httpd\n"
				  "smoke = {artifact} --selftest\n"
				  "smoke_timeout = 2.5\n"
				  "repeat = 3\n"
				  "profiles = strip, os  gc\n"
				  "exclude = build .cache\n");
	char *real, *realini;

	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	real = fs_realpath(dir);
	assert_non_null(real);
	realini = xasprintf("%s/ounce.ini", real);
	free(real);
	assert_string_equal(f->p.ini, realini);
	assert_string_equal(f->p.name, "tinyhttpd");
	assert_string_equal(f->p.recipe, "make");
	assert_int_equal(f->p.artifacts.n, 1);
	assert_string_equal(f->p.artifacts.v[0], "build/httpd");
	assert_string_equal(f->p.configure, "./configure --prefix=/usr CC={cc}");
	assert_string_equal(f->p.build, "make -j{jobs} httpd");
	assert_string_equal(f->p.smoke, "{artifact} --selftest");
	assert_true(f->p.smoke_timeout > 2.49 && f->p.smoke_timeout < 2.51);
	assert_int_equal(f->p.repeat, 3);
	TU_WORDS(&f->p.profiles, "strip", "os", "gc");
	TU_WORDS(&f->p.exclude, "build", ".cache");
	assert_int_equal(f->set.n, 0);
	free(realini);
	free(ini);
	free(dir);
}

static void
test_project_defines_a_new_profile(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/proj", f->t.dir);
	char *ini = tu_write_file(f->t.dir, "proj/ounce.ini",
				  "[profile noregex]\n"
				  "summary = build without the regex engine\n"
				  "tradeoff = none\n"
				  "order = 5\n"
				  "cflags = -DNO_REGEX\n"
				  "\n"
				  "[profile noregex:gcc]\n"
				  "cflags = -fno-gcse\n"
				  "\n"
				  "[profile noregex:clang]\n"
				  "ldflags = -Wl,--icf=all\n"
				  "\n"
				  "[project]\n"
				  "name = x\n"
				  "\n"
				  "[profile noregex]\n"
				  "cflags = -DNO_GLOB\n");
	const struct profile *p;

	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	assert_int_equal(f->set.n, 1);
	p = profile_find(&f->set, "noregex");
	assert_non_null(p);
	assert_string_equal(p->file, f->p.ini);
	assert_string_equal(p->summary, "build without the regex engine");
	assert_int_equal(p->order, 5);
	/* later sections of the same name add to it */
	TU_WORDS(&p->all.cflags, "-DNO_REGEX", "-DNO_GLOB");
	TU_WORDS(&p->gcc.cflags, "-fno-gcse");
	TU_WORDS(&p->clang.ldflags, "-Wl,--icf=all");
	assert_int_equal(p->clang.cflags.n, 0);
	assert_string_equal(f->p.name, "x");
	free(ini);
	free(dir);
}

static void
test_project_replaces_a_built_in_profile(void **state)
{
	struct fixture *f = *state;
	char *builtin = tu_write_file(f->t.dir, "profiles/os.ini",
				      "[profile]\nsummary = built-in os\norder = 70\ndefault = no\n"
				      "cflags = -Os\n[clang]\ncflags = -Oz\n");
	char *other = tu_write_file(f->t.dir, "profiles/gc.ini",
				    "[profile]\nsummary = built-in gc\norder = 60\n"
				    "cflags = -ffunction-sections\n");
	char *pdir = xasprintf("%s/profiles", f->t.dir);
	char *dir = xasprintf("%s/proj", f->t.dir);
	char *ini = tu_write_file(f->t.dir, "proj/ounce.ini",
				  "[profile os]\n"
				  "summary = the project's os\n"
				  "cflags = -O1\n"
				  "[profile os:gcc]\n"
				  "cflags = -fno-inline\n"
				  "[profile first]\n"
				  "summary = sorts first\n"
				  "order = 1\n");
	const struct profile *p;

	assert_int_equal(profile_load_dir(&f->set, pdir), 0);
	assert_int_equal(f->set.n, 2);
	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	assert_int_equal(f->set.n, 3);
	p = profile_find(&f->set, "os");
	assert_non_null(p);
	assert_string_equal(p->summary, "the project's os");
	assert_string_equal(p->file, f->p.ini);
	/* nothing of the built-in one is left but its place in the stack */
	TU_WORDS(&p->all.cflags, "-O1");
	TU_WORDS(&p->gcc.cflags, "-fno-inline");
	assert_int_equal(p->clang.cflags.n, 0);
	assert_int_equal(p->order, 70);
	assert_false(p->in_default);
	/* the untouched built-in stays; the set is sorted again */
	p = profile_find(&f->set, "gc");
	assert_non_null(p);
	assert_string_equal(p->summary, "built-in gc");
	assert_string_equal(f->set.v[0]->name, "first");
	assert_string_equal(f->set.v[1]->name, "gc");
	assert_string_equal(f->set.v[2]->name, "os");
	free(ini);
	free(dir);
	free(pdir);
	free(other);
	free(builtin);
}

/* Load a project whose ounce.ini is text; it must fail with want in the message. */
static void
check_refused(struct fixture *f, const char *text, const char *want)
{
	char *dir = xasprintf("%s/bad", f->t.dir);
	char *ini = tu_write_file(f->t.dir, "bad/ounce.ini", text);
	char *err;

	project_release(&f->p);
	profile_set_release(&f->set);
	tu_capture_begin(&f->t);
	assert_int_equal(project_load(&f->p, dir, &f->set), -1);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, want);
	free(err);
	free(ini);
	free(dir);
}

static void
test_project_errors(void **state)
{
	struct fixture *f = *state;

	check_refused(f, "[project]\nname = a\nnmae = b\n",
		      "ounce.ini:3: error: unknown key in [project]");
	check_refused(f, "[project]\nname = a\n[projet]\nname = b\n",
		      "ounce.ini:4: error: unknown section 'projet'");
	check_refused(f, "[project]\nartifact = ../outside\n",
		      "ounce.ini:2: error: artifact must be a path inside the build tree");
	check_refused(f, "[project]\nartifact = build/../../x\n",
		      "ounce.ini:2: error: artifact must be a path inside the build tree");
	check_refused(f, "[project]\nartifact = /usr/bin/x\n",
		      "ounce.ini:2: error: artifact must be a path inside the build tree");
	check_refused(f, "[project]\nsmoke_timeout = 0\n",
		      "ounce.ini:2: error: smoke_timeout must be a number");
	check_refused(f, "[project]\nsmoke_timeout = soon\n",
		      "ounce.ini:2: error: smoke_timeout must be a number");
	check_refused(f, "[project]\nrepeat = 0\n",
		      "ounce.ini:2: error: repeat must be a number of builds from 1 to 100");
	check_refused(f, "[project]\nrepeat = twice\n",
		      "ounce.ini:2: error: repeat must be a number of builds");
	check_refused(f, "[project]\nrepeat = 101\n", "ounce.ini:2: error: repeat must be");
	check_refused(f, "name = a\n", "ounce.ini:1: error: key outside a section");
	check_refused(f, "[profile x]\ncflags = -Os\n", "error: profile 'x' has no summary");
	check_refused(f, "[profile x]\nsummary = s\ntradeoff = cost\n",
		      "ounce.ini:3: error: unknown tradeoff");
	check_refused(f, "[profile x:msvc]\ncflags = /O1\n",
		      "ounce.ini:2: error: unknown toolchain section");
	check_refused(f, "[project]\n  this is not ini\n", "ounce.ini:2: error: syntax error");
	check_refused(f, "[project]\nname = a\n[\n", "ounce.ini:3: error: syntax error");
}

/* name is a label that becomes a path component: never a path; names of
 * profiles and builds name cells' directories; templates are checked when read */
static void
test_project_names_and_templates(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/.odd\ndir", f->t.dir);

	check_refused(f, "[project]\nname = ../../x\n",
		      "ounce.ini:2: error: name must be a label, not a path: starts with '.'");
	check_refused(f, "[project]\nname = a/b\n",
		      "ounce.ini:2: error: name must be a label, not a path: has a '/'");
	check_refused(f, "[profile ../x]\nsummary = s\n", "ounce.ini:2: error: bad profile name");
	check_refused(f, "[profile Up:gcc]\ncflags = -O1\n", "ounce.ini:2: error: bad profile name");
	check_refused(f, "[build a/b]\nenv = X=1\n", "ounce.ini:2: error: bad build name");
	check_refused(f, "[project]\nbuild = make {target}\n",
		      "ounce.ini:2: error: build: unknown placeholder '{target}'");
	check_refused(f, "[project]\nconfigure = ./configure 'x\n",
		      "ounce.ini:2: error: configure: unterminated single quote");
	check_refused(f, "[project]\nsmoke = {src}/t\n",
		      "ounce.ini:2: error: smoke: unknown placeholder '{src}'");
	check_refused(f, "[project]\nartifact = ok {bin}\n",
		      "ounce.ini:2: error: artifact: unknown placeholder '{bin}'");
	check_refused(f, "[build small]\nartifact_dir = {build}/{out}\n",
		      "ounce.ini:2: error: artifact_dir: unknown placeholder '{out}'");
	/* the directory's own name, when ounce.ini gives none: made a label */
	assert_int_equal(fs_mkdirs(dir), 0);
	project_release(&f->p);
	profile_set_release(&f->set);
	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	assert_string_equal(f->p.name, "_odd_dir");
	free(dir);
}

static void
test_project_unknown_section_names_the_right_section(void **state)
{
	struct fixture *f = *state;

	/* the first error is reported, and its message names its own section, not
	 * one that comes later in the file */
	check_refused(f, "[first]\na = 1\n[second]\nb = 2\n",
		      "ounce.ini:2: error: unknown section 'first'");
}

static void
test_project_profiles_list_without_spaces(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/proj", f->t.dir);
	char *ini = tu_write_file(f->t.dir, "proj/ounce.ini",
				  "[project]\nprofiles = strip,os,gc\n");

	/* like --profiles on the command line, commas alone separate names */
	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	TU_WORDS(&f->p.profiles, "strip", "os", "gc");
	free(ini);
	free(dir);
}

static void
test_project_not_a_directory(void **state)
{
	struct fixture *f = *state;
	char *file = tu_write_file(f->t.dir, "plain.txt", "not a directory\n");
	char *missing = xasprintf("%s/missing", f->t.dir);
	char *err;

	tu_capture_begin(&f->t);
	assert_int_equal(project_load(&f->p, file, &f->set), -2);
	project_release(&f->p);
	assert_int_equal(project_load(&f->p, missing, &f->set), -2);
	err = tu_capture_end(&f->t);
	assert_non_null(strstr(err, "is not a directory"));
	assert_non_null(strstr(err, "cannot read project directory"));
	free(err);
	free(missing);
	free(file);
}

static void
test_project_build_sections(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/proj", f->t.dir);
	char *ini = tu_write_file(f->t.dir, "proj/ounce.ini",
				  "[build release]\n"
				  "configure_args = -DWITH_TESTS=OFF '-DNAME=a b'\n"
				  "env = RUST_LOG=off\n"
				  "\n"
				  "[build bench]\n"
				  "build_args = --features bench\n"
				  "artifact_dir = {build}/bench\n"
				  "\n"
				  "[project]\n"
				  "name = x\n"
				  "\n"
				  "[build release]\n"
				  "configure_args = -DMORE=1\n"
				  "artifact_dir = {build}/rel\n");
	const struct recipe_build *b;

	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	assert_string_equal(f->p.name, "x");
	/* one build per name, in the order of first appearance; a repeated section
	 * adds to it as a recipe's would */
	assert_int_equal(f->p.nbuilds, 2);
	b = f->p.builds[0];
	assert_string_equal(b->name, "release");
	TU_WORDS(&b->configure_args, "-DWITH_TESTS=OFF", "-DNAME=a b", "-DMORE=1");
	TU_WORDS(&b->env, "RUST_LOG=off");
	assert_int_equal(b->build_args.n, 0);
	assert_string_equal(b->artifact_dir, "{build}/rel");
	b = f->p.builds[1];
	assert_string_equal(b->name, "bench");
	TU_WORDS(&b->build_args, "--features", "bench");
	assert_int_equal(b->configure_args.n + b->env.n, 0);
	assert_string_equal(b->artifact_dir, "{build}/bench");
	/* builds are not profiles */
	assert_int_equal(f->set.n, 0);
	free(ini);
	free(dir);
}

static void
test_project_build_section_errors(void **state)
{
	struct fixture *f = *state;

	check_refused(f, "[build dev]\nflags = -g\n",
		      "ounce.ini:2: error: unknown key in a [build NAME] section");
	check_refused(f, "[build dev]\nenv = NOVALUE\n",
		      "ounce.ini:2: error: env must be NAME=VALUE");
	check_refused(f, "[build dev]\nbuild_args = 'x\n",
		      "ounce.ini:2: error: unterminated single quote");
	check_refused(f, "[project]\nname = a\n[builds dev]\nenv = A=1\n",
		      "ounce.ini:4: error: unknown section 'builds dev'");
}

static void
test_project_profile_cargo_section(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/proj", f->t.dir);
	char *ini = tu_write_file(f->t.dir, "proj/ounce.ini",
				  "[profile tiny]\n"
				  "summary = the smallest Rust build\n"
				  "order = 3\n"
				  "\n"
				  "[profile tiny:cargo]\n"
				  "env = CARGO_PROFILE_{BUILD}_OPT_LEVEL=z\n"
				  "rustflags = -Zlocation-detail=none\n"
				  "\n"
				  "[profile tiny:cargo]\n"
				  "rustflags = -Cpanic=abort\n");
	const struct profile *p;

	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	assert_int_equal(f->set.n, 1);
	p = profile_find(&f->set, "tiny");
	assert_non_null(p);
	assert_string_equal(p->summary, "the smallest Rust build");
	assert_int_equal(p->order, 3);
	assert_true(p->has_cargo);
	TU_WORDS(&p->cargo.env, "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z");
	TU_WORDS(&p->cargo.rustflags, "-Zlocation-detail=none", "-Cpanic=abort");
	assert_int_equal(p->all.env.n + p->all.rustflags.n, 0);
	assert_true(profile_applies(p, "cargo"));
	assert_false(profile_applies(p, NULL));
	free(ini);
	free(dir);

	check_refused(f, "[profile t]\nsummary = s\n[profile t:cargo]\nstage = link\n",
		      "ounce.ini:4: error: unknown key in a toolchain section");
}

/* In-tree build directories (Meson's, muon's, CMake's, a tagged cache like
 * Cargo's target/) are left out of the copy; a source directory that only looks
 * like one by name, a file named like a marker at the top, and a symlink to a
 * build directory are not. */
static void
test_project_excludes_build_dirs(void **state)
{
	struct fixture *f = *state;
	char *dir = xasprintf("%s/proj", f->t.dir), *link;
	struct strv found = STRV_INIT;

	free(tu_write_file(f->t.dir, "proj/meson.build", "project('p', 'c')\n"));
	free(tu_write_file(f->t.dir, "proj/builddir/meson-private/coredata.dat", "x"));
	free(tu_write_file(f->t.dir, "proj/build-asan/muon-private/setup.lock", "x"));
	free(tu_write_file(f->t.dir, "proj/cmake-build/CMakeCache.txt", "x"));
	free(tu_write_file(f->t.dir, "proj/target/CACHEDIR.TAG", "Signature: x"));
	free(tu_write_file(f->t.dir, "proj/build/main.c", "int main(void) { return 0; }\n"));
	free(tu_write_file(f->t.dir, "proj/CMakeCache.txt", "x"));
	link = xasprintf("%s/link", dir);
	assert_int_equal(project_load(&f->p, dir, &f->set), 0);
	assert_int_equal(symlink("builddir", link), 0);
	strv_push(&f->p.exclude, "target");
	project_exclude_build_dirs(&f->p, &found);
	strv_sort(&found);
	assert_int_equal(found.n, 3);
	assert_string_equal(found.v[0], "build-asan");
	assert_string_equal(found.v[1], "builddir");
	assert_string_equal(found.v[2], "cmake-build");
	assert_true(strv_has(&f->p.exclude, "target"));
	assert_false(strv_has(&f->p.exclude, "build"));
	assert_false(strv_has(&f->p.exclude, "link"));
	assert_int_equal(f->p.exclude.n, 4);
	strv_release(&found);
	free(link);
	free(dir);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_project_without_ounce_ini),
		T(test_project_keys),
		T(test_project_defines_a_new_profile),
		T(test_project_replaces_a_built_in_profile),
		T(test_project_errors),
		T(test_project_names_and_templates),
		T(test_project_unknown_section_names_the_right_section),
		T(test_project_profiles_list_without_spaces),
		T(test_project_not_a_directory),
		T(test_project_build_sections),
		T(test_project_build_section_errors),
		T(test_project_profile_cargo_section),
		T(test_project_excludes_build_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
