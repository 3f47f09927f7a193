/* test_sched.c: the scheduler around the baseline: a baseline that fails stops
 * the run (exit 1, one error naming its log) before any other cell is built; a
 * failure the cache holds is replayed without a step, one of the machine (a
 * timeout) is built again; a signal during the baseline ends the run 128+N. The
 * steps are answered by fakespawn.h's script, not run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/profile.h"
#include "matrix/plan.h"
#include "matrix/sched.h"
#include "report/result.h"
#include "fakespawn.h"
#include "testutil.h"

/* f's run, with a profile set of one empty profile ("gc") and a plan of each. */
struct fixture {
	struct fake_tree *f;
	struct profile_set set;
	struct profile *gc;
	struct plan plan;
};

static int
setup(void **state)
{
	struct fixture *x = xcalloc(1, sizeof(*x));

	x->f = fake_tree_new();
	x->gc = profile_define(&x->set, "gc", "profiles/gc.ini", false);
	x->f->run.profiles = &x->set;
	x->plan.v = &x->gc;
	x->plan.n = 1;
	x->plan.each = true;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *x = *state;
	int rc = fake_tree_free(x->f);

	profile_set_release(&x->set);
	free(x);
	return rc;
}

/* sched_run of x's plan into res, its stderr returned (the caller frees it). */
static char *
run_plan(struct fixture *x, struct results *res, int want)
{
	tu_capture_begin(&x->f->t);
	assert_int_equal(sched_run(&x->f->run, &x->plan, res), want);
	return tu_capture_end(&x->f->t);
}

static void
test_sched_failed_baseline_stops_the_run(void **state)
{
	struct fixture *x = *state;
	struct results res = RESULTS_INIT;
	char *err, *want;

	fake_answer(SPAWN_EXITED, 2, "configure: error: libfoo 2.0 is required\n");
	err = run_plan(x, &res, 1);
	want = xasprintf("ounce: error: the baseline build of 'proj' failed: configure: exit "
			 "status 2: configure: error: libfoo 2.0 is required (log: "
			 "%s/cells/baseline/build.log)\n",
			 x->f->run.workdir);
	tu_assert_contains(err, want);
	/* the profile's cell was never queued, let alone built */
	assert_int_equal(fake.calls, 1);
	assert_int_equal(res.ncells, 1);
	assert_string_equal(res.baseline, "baseline");
	assert_int_equal(res.cells[0]->status, CELL_CONFIGURE_FAILED);
	assert_int_equal(res.builds_run, 1);
	assert_int_equal(res.cache_hits, 0);
	assert_null(x->f->run.baseline);
	free(want);
	free(err);
	results_release(&res);
}

static void
test_sched_cached_failure_replayed_without_a_step(void **state)
{
	struct fixture *x = *state;
	struct results first = RESULTS_INIT, again = RESULTS_INIT;
	char *err;

	fake_tree_cache(x->f);
	fake_answer(SPAWN_EXITED, 1, "configure: error: libfoo 2.0 is required\n");
	free(run_plan(x, &first, 1));
	assert_int_equal(fake.calls, 1);

	/* the next run, with the cache as the first left it */
	fake_tree_cache(x->f);
	fake.calls = 0;
	err = run_plan(x, &again, 1);
	assert_int_equal(fake.calls, 0);
	assert_int_equal(again.ncells, 1);
	assert_true(again.cells[0]->cached);
	assert_int_equal(again.cells[0]->status, CELL_CONFIGURE_FAILED);
	assert_string_equal(again.cells[0]->reason, first.cells[0]->reason);
	assert_int_equal(again.builds_run, 0);
	assert_int_equal(again.cache_hits, 1);
	tu_assert_contains(err, "the baseline build of 'proj' failed: configure: exit status 1");
	free(err);
	results_release(&first);
	results_release(&again);
}

static void
test_sched_timeout_is_built_again(void **state)
{
	struct fixture *x = *state;
	struct results first = RESULTS_INIT, again = RESULTS_INIT;

	fake_tree_cache(x->f);
	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_TIMEOUT, 0, NULL);
	free(run_plan(x, &first, 1));
	assert_int_equal(first.cells[0]->status, CELL_TIMEOUT);

	/* a timeout says nothing of the project: never stored */
	fake_tree_cache(x->f);
	fake.calls = 0;
	free(run_plan(x, &again, 1));
	assert_int_equal(fake.calls, 2);
	assert_false(again.cells[0]->cached);
	results_release(&first);
	results_release(&again);
}

static void
test_sched_signal_during_the_baseline(void **state)
{
	struct fixture *x = *state;
	struct results res = RESULTS_INIT;
	char *err;

	fake.signal = SIGTERM;
	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_CANCELLED, 0, NULL);
	err = run_plan(x, &res, 128 + SIGTERM);
	assert_int_equal(fake.calls, 2);
	assert_int_equal(res.ncells, 1);
	assert_int_equal(res.cells[0]->status, CELL_INTERRUPTED);
	assert_string_equal(res.cells[0]->reason, "interrupted during build");
	/* not a failed baseline: the caller saves the results and exits 128+N */
	assert_null(strstr(err, "error:"));
	free(err);
	results_release(&res);
}

static void
test_sched_each_profile_after_the_baseline(void **state)
{
	struct fixture *x = *state;
	struct results res = RESULTS_INIT;

	x->f->run.spawn_fn = fake_spawn_linking;
	free(run_plan(x, &res, 0));
	/* configure and make, for the baseline, then for gc */
	assert_int_equal(fake.calls, 4);
	assert_int_equal(res.ncells, 2);
	assert_string_equal(res.cells[0]->name, "baseline");
	assert_string_equal(res.cells[1]->name, "gc");
	assert_int_equal(res.cells[0]->status, CELL_OK);
	assert_int_equal(res.cells[1]->status, CELL_OK);
	assert_int_equal(res.nrows, 2);
	assert_string_equal(res.rows[0].group, "baseline");
	assert_string_equal(res.rows[1].group, "each");
	assert_string_equal(res.rows[1].cell, "gc");
	assert_string_equal(res.toolchain, "gcc");
	assert_int_equal(res.builds_run, 2);
	results_release(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sched_failed_baseline_stops_the_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sched_cached_failure_replayed_without_a_step,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sched_timeout_is_built_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sched_signal_during_the_baseline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sched_each_profile_after_the_baseline, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
