/* test_speed.c: medians and spreads of bench runs, the verdict on a slowdown
 * budget (uncertain when the runs straddle it), and the size/speed front. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "report/result.h"
#include "report/speed.h"

/* A cell of r with file size bytes and CPU times cpu[0..n-1] (and instructions,
 * -1: not counted). */
static struct cell *
bench_cell(struct results *r, const char *name, long long bytes, const double *cpu, size_t n,
           long long instructions)
{
	struct cell *c = cell_new(name);

	c->status = CELL_OK;
	c->m.bytes = bytes;
	for (size_t i = 0; i < n; i++) {
		cell_bench_add(&c->bench, cpu[i] * 1.1, cpu[i]);
	}
	c->bench.instructions = instructions;
	results_add_cell(r, c);
	return c;
}

static void
test_speed_median_and_spread(void **state)
{
	const double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2}, one[] = {7};
	double lo, hi;

	(void)state;
	assert_true(speed_median(odd, 3) == 2);
	assert_true(speed_median(even, 4) == 2.5);
	assert_true(speed_median(one, 1) == 7);
	assert_true(speed_median(NULL, 0) == 0);
	/* the median leaves its input as it was */
	assert_true(odd[0] == 3 && odd[1] == 1);
	speed_spread(even, 4, &lo, &hi);
	assert_true(lo == 1 && hi == 4);
	speed_spread(NULL, 0, &lo, &hi);
	assert_true(lo == 0 && hi == 0);
}

static void
test_speed_change_against_baseline(void **state)
{
	struct results r = RESULTS_INIT;
	const double b[] = {1.0, 1.1, 0.9}, c[] = {1.2, 1.1, 1.3};
	struct cell *base = bench_cell(&r, "baseline", 1000, b, 3, -1);
	struct cell *os = bench_cell(&r, "os", 900, c, 3, -1);
	struct cell *none = bench_cell(&r, "none", 800, NULL, 0, -1);
	struct speed_change ch;
	double pct;
	char *s;

	(void)state;
	assert_true(speed_cpu_change(base, os, &ch));
	assert_false(ch.by_instructions);
	assert_true(ch.pct > 19.99 && ch.pct < 20.01);
	assert_true(ch.lo > 9.99 && ch.lo < 10.01);
	assert_true(ch.hi > 29.99 && ch.hi < 30.01);
	assert_int_equal(ch.runs, 3);
	assert_false(speed_cpu_change(base, none, &ch));
	assert_false(speed_instr_change(base, os, &pct));
	s = speed_describe(base, os);
	assert_string_equal(s, "+20.0% CPU (median of 3, runs +10.0%..+30.0%)");
	free(s);
	assert_null(speed_describe(base, none));

	/* counted: pick judges by instructions, deterministic (no spread) */
	base->bench.instructions = 1000000;
	os->bench.instructions = 1051000;
	base->bench.rss_kb = 2000;
	os->bench.rss_kb = 2010;
	assert_true(speed_change(base, os, &ch));
	assert_true(ch.by_instructions);
	assert_true(ch.pct > 5.09 && ch.pct < 5.11 && ch.lo == ch.pct && ch.hi == ch.pct);
	s = speed_describe(base, os);
	assert_string_equal(s, "+20.0% CPU (median of 3, runs +10.0%..+30.0%), +5.1% instructions, "
	                       "peak RSS +0.5%");
	free(s);
	results_release(&r);
}

static void
test_speed_judge_budget(void **state)
{
	struct speed_change within = {false, 2, 1, 4.9, 3}, over = {false, 8, 6, 9, 3};
	struct speed_change straddle = {false, 4, 2, 7, 3}, instr = {true, 5.1, 5.1, 5.1, 3};
	struct speed_change edge = {true, 5, 5, 5, 3};

	(void)state;
	assert_int_equal(speed_judge(&within, 5), SPEED_WITHIN);
	assert_int_equal(speed_judge(&over, 5), SPEED_OVER);
	/* its median is within, its slowest run is not: it may be over */
	assert_int_equal(speed_judge(&straddle, 5), SPEED_UNCERTAIN);
	assert_int_equal(speed_judge(&instr, 5), SPEED_OVER);
	assert_int_equal(speed_judge(&edge, 5), SPEED_WITHIN);
	assert_int_equal(speed_judge(NULL, 5), SPEED_UNKNOWN);
}

static void
test_speed_parse_percent(void **state)
{
	double v = -1;

	(void)state;
	assert_true(speed_parse_percent("5%", &v) && v == 5);
	assert_true(speed_parse_percent("2.5", &v) && v == 2.5);
	assert_true(speed_parse_percent("0%", &v) && v == 0);
	assert_false(speed_parse_percent("abc", &v));
	assert_false(speed_parse_percent("5%%", &v));
	assert_false(speed_parse_percent("-1%", &v));
	assert_false(speed_parse_percent("", &v));
	assert_false(speed_parse_percent("nan", &v));
	assert_false(speed_parse_percent("5 %", &v));
}

static void
test_speed_front(void **state)
{
	/* 0 dominated by 1 (smaller, as fast); 2 and 3 trade size for speed; 4 is
	 * dominated by 3 (bigger and slower); 5 ties 2 exactly: both stay */
	const long long size[] = {100, 90, 80, 95, 96, 80};
	const double cost[] = {10, 10, 20, 12, 13, 20};
	bool on[6];

	(void)state;
	speed_front(size, cost, 6, on);
	assert_false(on[0]);
	assert_true(on[1]);
	assert_true(on[2]);
	assert_false(on[3]);
	assert_false(on[4]);
	assert_true(on[5]);
}

static void
test_speed_on_front_of_results(void **state)
{
	struct results r = RESULTS_INIT;
	const double fast[] = {1.0}, slow[] = {2.0};
	struct cell *base = bench_cell(&r, "baseline", 1000, fast, 1, 100);
	struct cell *os = bench_cell(&r, "os", 900, slow, 1, 200);
	struct cell *strip = bench_cell(&r, "strip", 800, slow, 1, 100);
	struct cell *failed = bench_cell(&r, "broken", 10, fast, 1, 1);
	struct cell *unbenched = bench_cell(&r, "gc", 700, NULL, 0, -1);

	(void)state;
	failed->status = CELL_BUILD_FAILED;
	/* by instructions (each counted): strip is as fast as the baseline, smaller */
	assert_false(speed_on_front(&r, base, "file"));
	assert_false(speed_on_front(&r, os, "file"));
	assert_true(speed_on_front(&r, strip, "file"));
	assert_false(speed_on_front(&r, failed, "file"));
	assert_false(speed_on_front(&r, unbenched, "file"));
	/* one not counted: by median CPU time, where the baseline is the fastest */
	os->bench.instructions = -1;
	assert_true(speed_on_front(&r, base, "file"));
	assert_true(speed_on_front(&r, strip, "file"));
	assert_false(speed_on_front(&r, os, "file"));
	results_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_speed_median_and_spread),
		cmocka_unit_test(test_speed_change_against_baseline),
		cmocka_unit_test(test_speed_judge_budget),
		cmocka_unit_test(test_speed_parse_percent),
		cmocka_unit_test(test_speed_front),
		cmocka_unit_test(test_speed_on_front_of_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
