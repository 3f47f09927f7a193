/* test_pick.c: the rules that choose the winning cell. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/strv.h"
#include "config/profile.h"
#include "report/pick.h"
#include "report/result.h"

struct fixture {
	struct results r;
	struct profile_set set;
	struct strv allow;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->r = (struct results)RESULTS_INIT;
	f->set = (struct profile_set)PROFILE_SET_INIT;
	f->allow = (struct strv)STRV_INIT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	results_release(&f->r);
	profile_set_release(&f->set);
	strv_release(&f->allow);
	free(f);
	return 0;
}

/* Record a profile called name with trade-off t in the results. */
static void
record_profile(struct fixture *f, const char *name, const char *t)
{
	struct profile *p = profile_define(&f->set, name, "test", false);

	assert_null(profile_set_key(&f->set, p, NULL, "summary", name));
	assert_null(profile_set_key(&f->set, p, NULL, "tradeoff", t));
	results_add_profile(&f->r, p);
}

/* Add a cell with status s, file and xz sizes, made of the '+'-separated
 * profiles of its name ("baseline" has none). */
static struct cell *
add(struct fixture *f, const char *name, enum cell_status s, long long file, long long xz)
{
	struct cell *c = cell_new(name);

	if (strcmp(name, "baseline")) {
		for (const char *p = name; *p;) {
			size_t n = strcspn(p, "+");

			strv_push_owned(&c->profiles, xstrndup(p, n));
			p += n + (p[n] == '+');
		}
	}
	c->status = s;
	c->m.bytes = file;
	c->m.stripped_bytes = file - 100;
	c->m.xz_bytes = xz;
	c->m.gz_bytes = xz + 50;
	c->m.flash = (unsigned long long)file / 2;
	c->m.ram = 1000;
	results_add_cell(&f->r, c);
	return c;
}

static void
test_pick_smallest_ok_cell_wins(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;

	record_profile(f, "os", "speed");
	record_profile(f, "gc", "none");
	add(f, "baseline", CELL_OK, 10000, 4000);
	add(f, "os", CELL_OK, 9000, 3900);
	add(f, "gc", CELL_OK, 9500, 3950);
	add(f, "os+gc", CELL_OK, 8000, 3800);
	best = pick_best(&f->r, "file", NULL);
	assert_non_null(best);
	assert_string_equal(best->name, "os+gc");
	assert_null(pick_excluded(&f->r, best, "file", NULL));
}

static void
test_pick_failed_cells_never_win(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;
	struct cell *c;

	add(f, "baseline", CELL_OK, 10000, 4000);
	add(f, "a", CELL_SMOKE_FAILED, 10, 5);
	add(f, "b", CELL_BUILD_FAILED, 20, 6);
	add(f, "c", CELL_TIMEOUT, 30, 7);
	add(f, "d", CELL_CONFIGURE_FAILED, 40, 8);
	add(f, "e", CELL_INTERRUPTED, 50, 9);
	add(f, "f", CELL_PENDING, 60, 10);
	c = add(f, "g", CELL_OK, 70, 11);
	c->smoke = SMOKE_FAIL;
	add(f, "h", CELL_OK, 9000, 3000);
	best = pick_best(&f->r, "file", NULL);
	assert_non_null(best);
	assert_string_equal(best->name, "h");
	best = pick_best(&f->r, "xz", NULL);
	assert_string_equal(best->name, "h");
}

static void
test_pick_nothing_qualifies(void **state)
{
	struct fixture *f = *state;

	assert_null(pick_best(&f->r, "file", NULL));
	add(f, "baseline", CELL_BUILD_FAILED, -1, -1);
	add(f, "a", CELL_SMOKE_FAILED, 100, 50);
	assert_null(pick_best(&f->r, "file", NULL));
}

static void
test_pick_security_tradeoff_needs_allow(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;

	record_profile(f, "os", "speed");
	record_profile(f, "nossp", "security");
	add(f, "baseline", CELL_OK, 10000, 4000);
	add(f, "os", CELL_OK, 9000, 3900);
	add(f, "os+nossp", CELL_OK, 8500, 3800);
	add(f, "nossp", CELL_OK, 9800, 3990);

	best = pick_best(&f->r, "file", NULL);
	assert_string_equal(best->name, "os");
	best = pick_best(&f->r, "file", &f->allow);
	assert_string_equal(best->name, "os");
	strv_push(&f->allow, "speed");
	strv_push(&f->allow, "securityx");
	best = pick_best(&f->r, "file", &f->allow);
	assert_string_equal(best->name, "os");
	strv_push(&f->allow, "security");
	best = pick_best(&f->r, "file", &f->allow);
	assert_string_equal(best->name, "os+nossp");
}

static void
test_pick_unrecorded_profile_is_no_tradeoff(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;

	/* "mystery" has no recorded description: it trades nothing away */
	add(f, "baseline", CELL_OK, 10000, 4000);
	add(f, "mystery", CELL_OK, 9000, 3000);
	best = pick_best(&f->r, "file", NULL);
	assert_string_equal(best->name, "mystery");
}

static void
test_pick_ties_prefer_fewer_profiles(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;

	add(f, "baseline", CELL_OK, 10000, 4000);
	add(f, "a+b", CELL_OK, 8000, 3000);
	add(f, "a+b+c", CELL_OK, 8000, 3000);
	add(f, "c", CELL_OK, 8000, 3000);
	add(f, "d", CELL_OK, 8000, 3000);
	best = pick_best(&f->r, "file", NULL);
	/* fewest profiles, then the earlier cell */
	assert_string_equal(best->name, "c");

	/* a baseline as small as any profile wins: no profile at all */
	add(f, "e", CELL_OK, 10000, 4000);
	best = pick_best(&f->r, "xz", NULL);
	assert_string_equal(best->name, "c");
	f->r.cells[0]->m.xz_bytes = 3000;
	best = pick_best(&f->r, "xz", NULL);
	assert_string_equal(best->name, "baseline");
}

static void
test_pick_metric_decides(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;
	struct cell *c;

	add(f, "baseline", CELL_OK, 10000, 4000);
	add(f, "x", CELL_OK, 9000, 3500);
	c = add(f, "y", CELL_OK, 9500, 3000);
	c->m.ram = 10;
	best = pick_best(&f->r, "file", NULL);
	assert_string_equal(best->name, "x");
	best = pick_best(&f->r, "stripped", NULL);
	assert_string_equal(best->name, "x");
	best = pick_best(&f->r, "flash", NULL);
	assert_string_equal(best->name, "x");
	best = pick_best(&f->r, "xz", NULL);
	assert_string_equal(best->name, "y");
	best = pick_best(&f->r, "gz", NULL);
	assert_string_equal(best->name, "y");
	best = pick_best(&f->r, "ram", NULL);
	assert_string_equal(best->name, "y");
	assert_null(pick_best(&f->r, "bogus", NULL));
}

static void
test_pick_unmeasured_metric_is_skipped(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;

	add(f, "baseline", CELL_OK, 10000, 4000);
	add(f, "x", CELL_OK, 9000, -1);
	best = pick_best(&f->r, "xz", NULL);
	assert_string_equal(best->name, "baseline");
	best = pick_best(&f->r, "file", NULL);
	assert_string_equal(best->name, "x");
}

static void
test_pick_excluded_reasons(void **state)
{
	struct fixture *f = *state;
	struct cell *c;

	record_profile(f, "nossp", "security");
	record_profile(f, "strip", "debuggability");
	c = add(f, "a", CELL_BUILD_FAILED, -1, -1);
	assert_string_equal(pick_excluded(&f->r, c, "file", NULL), "status build-failed");
	c = add(f, "b", CELL_SMOKE_FAILED, 100, 50);
	assert_string_equal(pick_excluded(&f->r, c, "file", NULL), "status smoke-failed");
	c = add(f, "c", CELL_TIMEOUT, -1, -1);
	assert_string_equal(pick_excluded(&f->r, c, "file", NULL), "status timeout");
	c = add(f, "d", CELL_OK, 100, 50);
	c->smoke = SMOKE_FAIL;
	assert_string_equal(pick_excluded(&f->r, c, "file", NULL), "smoke test failed");
	c = add(f, "e", CELL_OK, 100, -1);
	assert_string_equal(pick_excluded(&f->r, c, "xz", NULL), "no 'xz' measure");
	assert_null(pick_excluded(&f->r, c, "file", NULL));
	assert_string_equal(pick_excluded(&f->r, c, "bogus", NULL), "no 'bogus' measure");
	c = add(f, "strip+nossp", CELL_OK, 100, 50);
	assert_string_equal(pick_excluded(&f->r, c, "file", NULL),
			    "profile 'nossp' trades away security");
	strv_push(&f->allow, "security");
	assert_null(pick_excluded(&f->r, c, "file", &f->allow));
	c = add(f, "strip", CELL_OK, 100, 50);
	c->smoke = SMOKE_PASS;
	assert_null(pick_excluded(&f->r, c, "file", NULL));
}

static void
test_pick_best_in_filters_by_build(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;
	struct cell *c;

	c = add(f, "baseline", CELL_OK, 10000, 4000);
	c->build = xstrdup("release");
	c = add(f, "os", CELL_OK, 9000, 3900);
	c->build = xstrdup("release");
	/* the dev build is smaller here, but it is another build */
	c = add(f, "dev:os", CELL_OK, 5000, 2000);
	c->build = xstrdup("dev");
	c = add(f, "dev:baseline", CELL_OK, 6000, 2100);
	c->build = xstrdup("dev");
	/* a cell without a build belongs to no named build */
	add(f, "stray", CELL_OK, 100, 50);

	best = pick_best_in(&f->r, "file", NULL, "release");
	assert_non_null(best);
	assert_string_equal(best->name, "os");
	best = pick_best_in(&f->r, "file", NULL, "dev");
	assert_non_null(best);
	assert_string_equal(best->name, "dev:os");
	assert_null(pick_best_in(&f->r, "file", NULL, "bench"));
	/* NULL: every cell, the same as pick_best */
	best = pick_best_in(&f->r, "file", NULL, NULL);
	assert_non_null(best);
	assert_string_equal(best->name, "stray");
	assert_ptr_equal(pick_best(&f->r, "file", NULL), best);

	/* the rules still apply within a build */
	f->r.cells[1]->smoke = SMOKE_FAIL;
	best = pick_best_in(&f->r, "file", NULL, "release");
	assert_string_equal(best->name, "baseline");
}

/* After --repeat, a tie goes to a reproducible cell, then to one not repeated,
 * before fewer profiles; pick_passed_over names the non-reproducible cell of the
 * winner's size it lost to. Size still comes first. */
static void
test_pick_ties_prefer_reproducible(void **state)
{
	struct fixture *f = *state;
	const struct cell *best;
	struct cell *a, *ab, *c, *d;

	add(f, "baseline", CELL_OK, 10000, 4000)->reproducible = CELL_REPRO_YES;
	a = add(f, "a", CELL_OK, 8000, 3000);
	a->reproducible = CELL_REPRO_NO;
	ab = add(f, "a+b", CELL_OK, 8000, 3000);
	ab->reproducible = CELL_REPRO_YES;
	best = pick_best(&f->r, "file", NULL);
	assert_ptr_equal(best, ab);
	assert_ptr_equal(pick_passed_over(&f->r, best, "file", NULL, NULL), a);

	/* not repeated ranks between the two */
	c = add(f, "c", CELL_OK, 8000, 3000);
	assert_ptr_equal(pick_best(&f->r, "file", NULL), ab);
	ab->reproducible = CELL_REPRO_UNKNOWN;
	best = pick_best(&f->r, "file", NULL);
	assert_ptr_equal(best, c);
	assert_ptr_equal(pick_passed_over(&f->r, best, "file", NULL, NULL), a);

	/* by another metric the sizes differ: nothing passed over */
	a->m.xz_bytes = 3100;
	best = pick_best(&f->r, "xz", NULL);
	assert_ptr_equal(best, c);
	assert_null(pick_passed_over(&f->r, best, "xz", NULL, NULL));

	/* a smaller cell wins however it was built; it passed over nothing */
	d = add(f, "d", CELL_OK, 7000, 2000);
	d->reproducible = CELL_REPRO_NO;
	best = pick_best(&f->r, "file", NULL);
	assert_ptr_equal(best, d);
	assert_null(pick_passed_over(&f->r, best, "file", NULL, NULL));

	/* a cell that cannot win is passed over by no one */
	d->status = CELL_BUILD_FAILED;
	a->smoke = SMOKE_FAIL;
	best = pick_best(&f->r, "file", NULL);
	assert_ptr_equal(best, c);
	assert_null(pick_passed_over(&f->r, best, "file", NULL, NULL));
}

/* Give c the CPU times cpu[0..n-1] of its workload's runs. */
static void
bench(struct cell *c, const double *cpu, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cell_bench_add(&c->bench, cpu[i], cpu[i]);
	}
	c->bench.rss_kb = 1000;
}

static void
test_pick_slowdown_budget(void **state)
{
	struct fixture *f = *state;
	const double b[] = {1.0, 1.0, 1.0}, slow[] = {1.2, 1.25, 1.3}, close[] = {1.0, 1.02, 1.08};
	struct cell *base = add(f, "baseline", CELL_OK, 10000, 4000);
	struct cell *os = add(f, "os", CELL_OK, 8000, 3000);
	struct cell *gc = add(f, "gc", CELL_OK, 9000, 3500);
	struct cell *lto = add(f, "lto", CELL_OK, 9500, 3600);
	const char *why;

	f->r.baseline = xstrdup("baseline");
	bench(base, b, 3);
	bench(os, slow, 3);
	bench(gc, close, 3);
	/* no budget: the smallest whose workload ran */
	os->bench.n = 0;
	os->bench.error = xstrdup("the workload failed: exit status 1 (log: x)");
	assert_string_equal(pick_excluded(&f->r, os, "file", NULL), os->bench.error);
	assert_ptr_equal(pick_best(&f->r, "file", NULL), gc);
	/* unless it failed on the baseline too: the workload's fault */
	base->bench.n = 0;
	assert_null(pick_excluded(&f->r, os, "file", NULL));
	base->bench.n = 3;
	free(os->bench.error);
	os->bench.error = NULL;
	os->bench.n = 3;
	assert_ptr_equal(pick_best(&f->r, "file", NULL), os);
	f->r.slowdown_limit = true;
	f->r.max_slowdown = 5;
	why = pick_excluded(&f->r, os, "file", NULL);
	assert_non_null(why);
	assert_non_null(strstr(why, "+25.0% CPU"));
	/* gc's median is +2%, its slowest run +8%: uncertain, left out too */
	why = pick_excluded(&f->r, gc, "file", NULL);
	assert_non_null(why);
	assert_true(!strncmp(why, "uncertain: ", 11));
	/* lto was not benchmarked: the budget cannot be judged */
	assert_non_null(strstr(pick_excluded(&f->r, lto, "file", NULL), "not benchmarked"));
	assert_ptr_equal(pick_best(&f->r, "file", NULL), base);
	/* a wider budget takes gc; counted instructions decide over CPU time */
	f->r.max_slowdown = 10;
	assert_ptr_equal(pick_best(&f->r, "file", NULL), gc);
	base->bench.instructions = 1000000;
	os->bench.instructions = 1050000;
	gc->bench.instructions = 1200000;
	assert_ptr_equal(pick_best(&f->r, "file", NULL), os);
	assert_non_null(strstr(pick_excluded(&f->r, gc, "file", NULL), "+20.0% instructions"));
}

static void
test_pick_max_rss(void **state)
{
	struct fixture *f = *state;
	const double b[] = {1.0};
	struct cell *base = add(f, "baseline", CELL_OK, 10000, 4000);
	struct cell *os = add(f, "os", CELL_OK, 8000, 3000);
	struct cell *gc = add(f, "gc", CELL_OK, 9000, 3500);

	f->r.baseline = xstrdup("baseline");
	bench(base, b, 1);
	bench(os, b, 1);
	os->bench.rss_kb = 5000;
	/* not benchmarked: its smoke test's peak RSS counts */
	gc->peak_rss_kb = 900;
	f->r.max_rss_kb = 2000;
	assert_non_null(strstr(pick_excluded(&f->r, os, "file", NULL), "over the --max-rss"));
	assert_ptr_equal(pick_best(&f->r, "file", NULL), gc);
	gc->peak_rss_kb = -1;
	assert_non_null(strstr(pick_excluded(&f->r, gc, "file", NULL), "no peak RSS"));
	assert_ptr_equal(pick_best(&f->r, "file", NULL), base);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pick_smallest_ok_cell_wins),
		T(test_pick_failed_cells_never_win),
		T(test_pick_nothing_qualifies),
		T(test_pick_security_tradeoff_needs_allow),
		T(test_pick_unrecorded_profile_is_no_tradeoff),
		T(test_pick_ties_prefer_fewer_profiles),
		T(test_pick_metric_decides),
		T(test_pick_unmeasured_metric_is_skipped),
		T(test_pick_excluded_reasons),
		T(test_pick_best_in_filters_by_build),
		T(test_pick_ties_prefer_reproducible),
		T(test_pick_slowdown_budget),
		T(test_pick_max_rss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
