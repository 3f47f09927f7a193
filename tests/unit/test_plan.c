/* test_plan.c: the cumulative stack as a state machine fed made-up numbers. */
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

struct fixture {
	struct profile_set set;
	struct plan plan;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->set = (struct profile_set)PROFILE_SET_INIT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	plan_release(&f->plan);
	profile_set_release(&f->set);
	free(f);
	return 0;
}

/* A profile of f's set with the given trade-off. */
static struct profile *
prof(struct fixture *f, const char *name, const char *tradeoff)
{
	struct profile *p = profile_define(&f->set, name, "test", false);

	assert_null(profile_set_key(&f->set, p, NULL, "summary", name));
	assert_null(profile_set_key(&f->set, p, NULL, "tradeoff", tradeoff));
	return p;
}

/* The name of the candidate row, for comparisons. */
static void
assert_cand(struct profile **cand, size_t ncand, const char *want)
{
	char *name = plan_cell_name(cand, ncand);

	assert_string_equal(name, want);
	free(name);
}

/* Take the next row, which must be of profile want with candidate row want_row. */
static void
next(struct fixture *f, const char *want, const char *want_row)
{
	struct profile **cand = NULL;
	size_t ncand = 0;
	struct profile *p = plan_stack_next(&f->plan, &cand, &ncand);

	assert_non_null(p);
	assert_string_equal(p->name, want);
	assert_non_null(cand);
	assert_ptr_equal(cand[ncand - 1], p);
	assert_cand(cand, ncand, want_row);
}

static void
assert_done(struct fixture *f)
{
	struct profile **cand = NULL;
	size_t ncand = 0;

	assert_null(plan_stack_next(&f->plan, &cand, &ncand));
}

static void
test_plan_init(void **state)
{
	struct fixture *f = *state;
	struct profile *v[2];

	v[0] = prof(f, "a", "none");
	v[1] = prof(f, "b", "none");
	plan_init(&f->plan, v, 2);
	assert_ptr_equal(f->plan.v, v);
	assert_int_equal(f->plan.n, 2);
	assert_true(f->plan.each);
	assert_true(f->plan.cumulative);
	assert_false(f->plan.stack_all);
	assert_false(f->plan.allow_security);
	assert_int_equal(f->plan.nstack, 0);
	assert_int_equal(f->plan.next, 0);
	assert_int_equal(f->plan.last, -1);
	assert_non_null(f->plan.stack);
}

static void
test_plan_cell_name(void **state)
{
	struct fixture *f = *state;
	struct profile *v[3];
	char *s;

	v[0] = prof(f, "strip", "debuggability");
	v[1] = prof(f, "os", "speed");
	v[2] = prof(f, "gc", "none");
	s = plan_cell_name(v, 0);
	assert_string_equal(s, "baseline");
	free(s);
	s = plan_cell_name(NULL, 0);
	assert_string_equal(s, "baseline");
	free(s);
	s = plan_cell_name(v, 1);
	assert_string_equal(s, "strip");
	free(s);
	s = plan_cell_name(v, 3);
	assert_string_equal(s, "strip+os+gc");
	free(s);
}

static void
test_plan_stack_keeps_what_shrinks(void **state)
{
	struct fixture *f = *state;
	struct profile *v[4];
	const char *why = "unset";

	v[0] = prof(f, "a", "none");
	v[1] = prof(f, "b", "none");
	v[2] = prof(f, "c", "none");
	v[3] = prof(f, "d", "none");
	plan_init(&f->plan, v, 4);
	f->plan.last = 1000;

	next(f, "a", "a");
	/* asking again before recording gives the same row */
	next(f, "a", "a");
	assert_true(plan_stack_record(&f->plan, true, 900, &why));
	assert_null(why);
	assert_int_equal(f->plan.last, 900);

	next(f, "b", "a+b");
	assert_true(plan_stack_record(&f->plan, true, 800, &why));
	assert_null(why);

	/* the same size again still stays */
	next(f, "c", "a+b+c");
	assert_true(plan_stack_record(&f->plan, true, 800, &why));

	next(f, "d", "a+b+c+d");
	assert_true(plan_stack_record(&f->plan, true, 10, &why));
	assert_int_equal(f->plan.nstack, 4);
	assert_done(f);
}

static void
test_plan_stack_leaves_out_failures_and_growth(void **state)
{
	struct fixture *f = *state;
	struct profile *v[4];
	const char *why = NULL;

	v[0] = prof(f, "a", "none");
	v[1] = prof(f, "b", "none");
	v[2] = prof(f, "c", "none");
	v[3] = prof(f, "d", "none");
	plan_init(&f->plan, v, 4);
	f->plan.last = 1000;

	next(f, "a", "a");
	assert_true(plan_stack_record(&f->plan, true, 900, &why));

	next(f, "b", "a+b");
	assert_false(plan_stack_record(&f->plan, true, 901, &why));
	assert_non_null(why);
	assert_string_equal(why, "grew: left out below");
	assert_int_equal(f->plan.last, 900);

	/* b is not in the rows below */
	next(f, "c", "a+c");
	assert_false(plan_stack_record(&f->plan, false, -1, &why));
	assert_string_equal(why, "failed: left out below");

	/* a failure is left out even when its (stale) number looks smaller */
	next(f, "d", "a+d");
	assert_false(plan_stack_record(&f->plan, false, 5, &why));
	assert_string_equal(why, "failed: left out below");
	assert_int_equal(f->plan.nstack, 1);
	assert_int_equal(f->plan.last, 900);
	assert_done(f);
}

static void
test_plan_stack_all_keeps_growth_but_not_failures(void **state)
{
	struct fixture *f = *state;
	struct profile *v[3];
	const char *why = NULL;

	v[0] = prof(f, "a", "none");
	v[1] = prof(f, "b", "none");
	v[2] = prof(f, "c", "none");
	plan_init(&f->plan, v, 3);
	f->plan.stack_all = true;
	f->plan.last = 1000;

	next(f, "a", "a");
	assert_true(plan_stack_record(&f->plan, true, 1200, &why));
	assert_null(why);
	next(f, "b", "a+b");
	assert_false(plan_stack_record(&f->plan, false, -1, &why));
	assert_string_equal(why, "failed: left out below");
	next(f, "c", "a+c");
	assert_true(plan_stack_record(&f->plan, true, 1300, &why));
	assert_int_equal(f->plan.nstack, 2);
	assert_done(f);
}

static void
test_plan_stack_without_a_baseline_number(void **state)
{
	struct fixture *f = *state;
	struct profile *v[2];
	const char *why = NULL;

	v[0] = prof(f, "a", "none");
	v[1] = prof(f, "b", "none");
	plan_init(&f->plan, v, 2);
	/* last stays -1: the first row that builds is kept whatever its size */
	next(f, "a", "a");
	assert_true(plan_stack_record(&f->plan, true, 5000, &why));
	next(f, "b", "a+b");
	assert_false(plan_stack_record(&f->plan, true, 5001, &why));
	assert_string_equal(why, "grew: left out below");
	assert_done(f);
}

static void
test_plan_stack_skips_security_unless_allowed(void **state)
{
	struct fixture *f = *state;
	struct profile *v[5];
	const char *why = NULL;

	v[0] = prof(f, "a", "speed");
	v[1] = prof(f, "nossp", "security");
	v[2] = prof(f, "b", "debuggability");
	v[3] = prof(f, "nopie", "security");
	v[4] = prof(f, "norelro", "security");
	plan_init(&f->plan, v, 5);
	f->plan.last = 100;

	next(f, "a", "a");
	assert_true(plan_stack_record(&f->plan, true, 90, &why));
	next(f, "b", "a+b");
	assert_true(plan_stack_record(&f->plan, true, 80, &why));
	/* the security ones at the end are skipped too */
	assert_done(f);
	plan_release(&f->plan);

	plan_init(&f->plan, v, 5);
	f->plan.allow_security = true;
	f->plan.last = 100;
	next(f, "a", "a");
	assert_true(plan_stack_record(&f->plan, true, 90, &why));
	next(f, "nossp", "a+nossp");
	assert_true(plan_stack_record(&f->plan, true, 85, &why));
	next(f, "b", "a+nossp+b");
	assert_false(plan_stack_record(&f->plan, true, 86, &why));
	next(f, "nopie", "a+nossp+nopie");
	assert_true(plan_stack_record(&f->plan, true, 70, &why));
	next(f, "norelro", "a+nossp+nopie+norelro");
	assert_true(plan_stack_record(&f->plan, true, 70, &why));
	assert_done(f);
}

static void
test_plan_stack_of_nothing(void **state)
{
	struct fixture *f = *state;
	struct profile *v[1];

	v[0] = prof(f, "nossp", "security");
	plan_init(&f->plan, NULL, 0);
	assert_done(f);
	plan_release(&f->plan);
	assert_null(f->plan.stack);

	/* only a security profile, not allowed: nothing to stack */
	plan_init(&f->plan, v, 1);
	assert_done(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan_init),
		T(test_plan_cell_name),
		T(test_plan_stack_keeps_what_shrinks),
		T(test_plan_stack_leaves_out_failures_and_growth),
		T(test_plan_stack_all_keeps_growth_but_not_failures),
		T(test_plan_stack_without_a_baseline_number),
		T(test_plan_stack_skips_security_unless_allowed),
		T(test_plan_stack_of_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
