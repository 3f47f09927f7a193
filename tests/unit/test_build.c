/* test_build.c: one cell's steps and how their ends become its result: a
 * configure that fails, a step that times out, is killed or is cancelled, a
 * command that cannot start; and the options each step is started with. The
 * steps are answered by fakespawn.h's script, not run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/strv.h"
#include "matrix/build.h"
#include "report/result.h"
#include "fakespawn.h"
#include "testutil.h"

static int
setup(void **state)
{
	*state = fake_tree_new();
	return 0;
}

static int
teardown(void **state)
{
	return fake_tree_free(*state);
}

/* build_cell of the baseline of f's run; returns the cell, the caller frees it. */
static struct cell *
build_baseline(struct fake_tree *f)
{
	struct cell *c = cell_new("baseline");

	assert_int_equal(build_cell(&f->run, c, NULL, 0, NULL, 0, NULL), 0);
	return c;
}

static void
test_build_configure_failure_is_the_cells_result(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;
	char *log;

	fake_answer(SPAWN_EXITED, 1,
		    "checking for gcc... gcc\nconfigure: error: libfoo 2.0 is required\n");
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_CONFIGURE_FAILED);
	assert_string_equal(c->reason,
			    "configure: exit status 1: configure: error: libfoo 2.0 is required");
	/* the build never ran */
	assert_int_equal(fake.calls, 1);
	assert_true(c->built);
	assert_non_null(c->log);
	log = tu_read_file(c->log);
	assert_string_equal(log, "==> ./configure --disable-nls\nchecking for gcc... gcc\n"
				 "configure: error: libfoo 2.0 is required\n");
	free(log);
	cell_free(c);
}

static void
test_build_steps_start_as_ounce_starts_them(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;
	char *src = xasprintf("%s/cells/baseline/src", f->run.workdir);
	char *cc = xasprintf("%s/cc", f->run.shimdir);

	/* configure and build pass; no artifact is found after them */
	c = build_baseline(f);
	assert_int_equal(fake.calls, 2);
	TU_WORDS(&fake.argv, "./configure --disable-nls", "make -j2");
	TU_WORDS(&fake.cwd, src, src);
	assert_string_equal(fake.last.log_path, c->log);
	assert_true(fake.last.timeout == 5.0);
	assert_ptr_equal(fake.last.cancel, &f->cancel);
	assert_null(fake.last.sandbox);
	assert_false(fake.last.inherit_output);
	assert_null(fake.last.out);
	assert_string_equal(fake.cc, cc);
	/* both steps' time */
	assert_true(c->build_seconds == 1.0);
	assert_int_equal(c->status, CELL_BUILD_FAILED);
	free(src);
	free(cc);
	cell_free(c);
}

static void
test_build_timeout_is_not_a_failure_of_the_build(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_TIMEOUT, 0, "cc1: compiling a very large file\n");
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_TIMEOUT);
	assert_string_equal(c->reason, "build timed out after 5 s");
	assert_int_equal(fake.calls, 2);
	cell_free(c);
}

static void
test_build_killed_and_cancelled_steps(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_EXITED, 128 + 9, "make: *** [Makefile:2: all] Killed\n");
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_BUILD_FAILED);
	tu_assert_contains(c->reason, "build: killed by signal 9");
	cell_free(c);

	fake_reset();
	fake.flag = &f->cancel;
	fake.signal = SIGINT;
	fake_answer(SPAWN_CANCELLED, 0, NULL);
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_INTERRUPTED);
	assert_string_equal(c->reason, "interrupted during configure");
	assert_int_equal(f->cancel, SIGINT);
	cell_free(c);
}

static void
test_build_command_that_cannot_start(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	fake_answer(SPAWN_NOT_STARTED, 0, NULL);
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_CONFIGURE_FAILED);
	assert_string_equal(c->reason, "configure: cannot run './configure': "
				       "No such file or directory");
	cell_free(c);
}

static void
test_build_project_commands_replace_the_recipes(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	f->project.configure = xstrdup("sh configure --quiet");
	f->project.build = xstrdup("make {name}");
	c = build_baseline(f);
	TU_WORDS(&fake.argv, "sh configure --quiet --disable-nls", "make proj");
	free(f->project.configure);
	free(f->project.build);
	f->project.configure = f->project.build = NULL;
	cell_free(c);
}

static void
test_build_measured_cell_is_pruned_and_cached(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c, *again;
	char *kept = xasprintf("%s/cells/baseline/src/prog", f->run.workdir);
	char *gone = xasprintf("%s/cells/baseline/src/main.c", f->run.workdir);

	f->run.spawn_fn = fake_spawn_linking;
	fake_tree_cache(f);
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_OK);
	assert_null(c->reason);
	assert_int_equal(c->narts, 1);
	assert_string_equal(c->arts[0].name, "src/prog");
	assert_int_equal(c->m.bytes, fs_size("/bin/true"));
	assert_true(c->m.stripped_bytes > 0 && c->m.stripped_bytes <= c->m.bytes);
	assert_false(c->cached);
	/* measured: the copy of the tree goes, the artifact stays */
	assert_true(fs_exists(kept));
	assert_false(fs_exists(gone));

	/* the next run finds it in the cache: no step runs */
	fake_tree_cache(f);
	fake.calls = 0;
	again = build_baseline(f);
	assert_int_equal(fake.calls, 0);
	assert_true(again->cached);
	assert_false(again->built);
	assert_int_equal(again->status, CELL_OK);
	assert_int_equal(again->m.bytes, c->m.bytes);
	cell_free(again);
	cell_free(c);
	free(kept);
	free(gone);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build_configure_failure_is_the_cells_result,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_steps_start_as_ounce_starts_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_timeout_is_not_a_failure_of_the_build,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_killed_and_cancelled_steps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_build_command_that_cannot_start, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_build_project_commands_replace_the_recipes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_measured_cell_is_pruned_and_cached,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
