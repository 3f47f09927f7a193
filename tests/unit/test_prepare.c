/* test_prepare.c: a tree without its configure is prepared once, in a copy under
 * the work directory: by the project's own script when it has one (with the
 * recipe's environment), else by the recipe's command; the tree itself is never
 * written, and a failure is one error and no prepared copy. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "base/strv.h"
#include "config/project.h"
#include "config/recipe.h"
#include "matrix/prepare.h"
#include "matrix/run.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct recipe recipe;
	struct project project;
	struct run run;
	volatile sig_atomic_t cancel;
	char hash[STAGE_HASH_SIZE];	/* prepare_run's */
};

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));

	f->recipe.name = xstrdup("auto");
	f->recipe.file = xstrdup("recipes/auto.ini");
	strv_push(&f->recipe.prepare_unless, "configure");
	f->project.dir = xasprintf("%s/proj", f->t.dir);
	f->project.stage_dir = xstrdup(f->project.dir);
	f->project.subdir = xstrdup("");
	free(tu_write_file(f->project.dir, "configure.ac", "AC_INIT([p], [1])\n"));
	f->run.project = &f->project;
	f->run.recipe = &f->recipe;
	f->run.workdir = xasprintf("%s/work", f->t.dir);
	f->run.timeout = 30;
	f->run.cancel = &f->cancel;
	assert_int_equal(fs_mkdirs(f->run.workdir), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->recipe.name);
	free(f->recipe.file);
	free(f->recipe.prepare);
	strv_release(&f->recipe.prepare_scripts);
	strv_release(&f->recipe.prepare_env);
	strv_release(&f->recipe.prepare_unless);
	free(f->project.dir);
	free(f->project.stage_dir);
	free(f->project.subdir);
	strv_release(&f->project.exclude);
	free(f->run.workdir);
	free(f->run.prepared);
	return tu_fixture_free(f);
}

/* The prepare command of f's recipe becomes cmd. */
static void
set_prepare(struct fixture *f, const char *cmd)
{
	free(f->recipe.prepare);
	f->recipe.prepare = xstrdup(cmd);
}

/* Is there a file called name in the project's tree? */
static bool
in_tree(const struct fixture *f, const char *name)
{
	char *p = xasprintf("%s/%s", f->project.dir, name);
	bool yes = fs_exists(p);

	free(p);
	return yes;
}

/* The text of name in the prepared copy; the caller frees it. */
static char *
prepared(const struct fixture *f, const char *name)
{
	char *p, *text;

	assert_non_null(f->run.prepared);
	p = xasprintf("%s/%s", f->run.prepared, name);
	text = tu_read_file(p);
	free(p);
	return text;
}

/* prepare_run fails with status want and the error names what. */
static void
assert_prepare_fails(struct fixture *f, int want, const char *what)
{
	char *err;

	tu_capture_begin(&f->t);
	assert_int_equal(prepare_run(&f->run, f->hash), want);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, what);
	free(err);
	assert_null(f->run.prepared);
	assert_false(in_tree(f, "configure"));
}

static void
test_prepare_needed_without_configure(void **state)
{
	struct fixture *f = *state;

	/* no prepare command: never */
	assert_false(prepare_needed(&f->recipe, f->project.dir));
	set_prepare(f, "autoreconf -fi");
	assert_true(prepare_needed(&f->recipe, f->project.dir));
	free(tu_write_file(f->project.dir, "configure", "#!/bin/sh\n"));
	assert_false(prepare_needed(&f->recipe, f->project.dir));
}

static void
test_prepare_runs_the_command_in_a_copy(void **state)
{
	struct fixture *f = *state;
	char *want = xasprintf("%s/prep/src", f->run.workdir), *text;

	set_prepare(f, "touch configure");
	assert_int_equal(prepare_run(&f->run, f->hash), 0);
	assert_string_equal(f->run.prepared, want);
	text = prepared(f, "configure.ac");
	assert_string_equal(text, "AC_INIT([p], [1])\n");
	free(text);
	text = prepared(f, "configure");
	assert_string_equal(text, "");
	free(text);
	assert_false(in_tree(f, "configure"));
	free(want);
}

static void
test_prepare_prefers_the_projects_script(void **state)
{
	struct fixture *f = *state;
	char *p, *text;

	set_prepare(f, "false");
	strv_push(&f->recipe.prepare_scripts, "autogen.sh");
	strv_push(&f->recipe.prepare_scripts, "bootstrap");
	strv_push(&f->recipe.prepare_env, "NOCONFIGURE=1");
	/* not executable: run by sh */
	free(tu_write_file(f->project.dir, "bootstrap",
			   "echo \"bootstrap $NOCONFIGURE\" > configure\n"));
	assert_int_equal(prepare_run(&f->run, f->hash), 0);
	text = prepared(f, "configure");
	assert_string_equal(text, "bootstrap 1\n");
	free(text);

	/* the first of the list wins */
	p = tu_write_file(f->project.dir, "autogen.sh",
			  "#!/bin/sh\necho \"autogen $NOCONFIGURE\" > configure\n");
	assert_int_equal(chmod(p, 0755), 0);
	free(p);
	assert_int_equal(prepare_run(&f->run, f->hash), 0);
	text = prepared(f, "configure");
	assert_string_equal(text, "autogen 1\n");
	free(text);
	assert_false(in_tree(f, "configure"));
}

static void
test_prepare_reports_failures(void **state)
{
	struct fixture *f = *state;
	char *log = xasprintf("(log: %s/prep/prepare.log)", f->run.workdir);

	/* the first line that names an error is the cause (autoreconf's own line,
	 * "autoreconf: error: ... failed", comes last) */
	set_prepare(f, "sed -n 'p; s/.*/configure.ac:1: error: no such macro/p; "
		       "s/.*/autoreconf: error: autoconf failed/p; q1' configure.ac");
	assert_prepare_fails(f, 1,
			     "failed: exit status 1: configure.ac:1: error: no such macro (log: ");
	set_prepare(f, "ls no-such-file");
	assert_prepare_fails(f, 1,
			     "with 'ls no-such-file' failed: exit status 2: ls: cannot access");
	assert_prepare_fails(f, 1, log);
	set_prepare(f, "true");
	assert_prepare_fails(f, 1, "with 'true' made no 'configure'");
	set_prepare(f, "ounce-no-such-program -i");
	assert_prepare_fails(f, 1, "cannot run 'ounce-no-such-program'");
	set_prepare(f, "autoreconf {nope}");
	assert_prepare_fails(f, 2, "recipes/auto.ini: error: prepare command 'autoreconf {nope}'");
	free(log);
}

static void
test_prepare_nothing_to_do(void **state)
{
	struct fixture *f = *state;
	char *stale = xasprintf("%s/prep/src/old", f->run.workdir), *text;
	char *want = xasprintf("%s/prep/src", f->run.workdir), hash[STAGE_HASH_SIZE];

	set_prepare(f, "false");
	free(tu_write_file(f->project.dir, "configure", "#!/bin/sh\n"));
	free(tu_write_file(f->run.workdir, "prep/src/old", "a copy an earlier run prepared\n"));
	assert_int_equal(prepare_run(&f->run, f->hash), 0);
	/* the cells still copy the snapshot, which has the tree's hash */
	assert_string_equal(f->run.prepared, want);
	text = prepared(f, "configure");
	assert_string_equal(text, "#!/bin/sh\n");
	free(text);
	assert_int_equal(stage_snapshot(f->project.dir, NULL, NULL, NULL, hash), 0);
	assert_string_equal(f->hash, hash);
	/* a stale copy is never staged */
	assert_false(fs_exists(stale));
	free(stale);
	free(want);
}

/* The key of a prepared tree is the hash of what the cells copy: the snapshot
 * as prepared, not the project as it was. */
static void
test_prepare_hashes_the_prepared_snapshot(void **state)
{
	struct fixture *f = *state;
	char before[STAGE_HASH_SIZE], after[STAGE_HASH_SIZE], *origin, *text;

	assert_int_equal(stage_snapshot(f->project.dir, NULL, NULL, NULL, before), 0);
	/* what the recipe leaves out of cells (autom4te.cache) is not in the key */
	strv_push(&f->project.exclude, "autom4te.cache");
	set_prepare(f, "touch configure autom4te.cache");
	assert_int_equal(prepare_run(&f->run, f->hash), 0);
	assert_int_equal(stage_clone(f->run.prepared, NULL, NULL, after), 0);
	assert_string_equal(f->hash, after);
	assert_string_not_equal(f->hash, before);
	origin = xasprintf("%s/autom4te.cache", f->run.prepared);
	assert_false(fs_exists(origin));
	free(origin);
	/* the copy it was prepared in is gone */
	origin = xasprintf("%s/prep/work", f->run.workdir);
	assert_false(fs_exists(origin));
	free(origin);
	/* verify finds which tree the snapshot is of */
	origin = xasprintf("%s/prep/origin", f->run.workdir);
	text = tu_read_file(origin);
	free(origin);
	origin = xasprintf("%s\n", f->project.stage_dir);
	assert_string_equal(text, origin);
	free(origin);
	free(text);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_prepare_needed_without_configure),
		T(test_prepare_runs_the_command_in_a_copy),
		T(test_prepare_prefers_the_projects_script),
		T(test_prepare_reports_failures),
		T(test_prepare_nothing_to_do),
		T(test_prepare_hashes_the_prepared_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
