/* test_bench.c: reading the instruction counts perf and callgrind write. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "matrix/bench.h"

static void
test_bench_callgrind_totals(void **state)
{
	(void)state;
	/* totals: is the whole run's; summary: the same number, in older files */
	assert_int_equal(bench_callgrind_total("version: 1\ncreator: callgrind-3.19.0\n"
	                                       "events: Ir\nsummary: 12005795\nfn=main\n"
	                                       "0 5\ntotals: 12005795\n"),
	                 12005795);
	assert_int_equal(bench_callgrind_total("events: Ir\nsummary: 42\n"), 42);
	/* several events: the first (Ir) */
	assert_int_equal(bench_callgrind_total("events: Ir Dr\ntotals: 70 9\n"), 70);
	assert_int_equal(bench_callgrind_total("events: Ir\nfn=main\n0 5\n"), -1);
	assert_int_equal(bench_callgrind_total(""), -1);
}

static void
test_bench_callgrind_runs(void **state)
{
	(void)state;
	/* the program under the cell's place, not the shell around it */
	assert_true(bench_callgrind_runs("version: 1\npid: 7\ncmd:  /w/bench/run/src/hot 5\n",
	                                 "/w/bench/run/"));
	assert_false(bench_callgrind_runs("pid: 6\ncmd:  bash smoke.sh /w/bench/run/src/hot\n",
	                                  "/w/bench/run/"));
	assert_false(bench_callgrind_runs("cmd: /w/bench/ru\n", "/w/bench/run/"));
	assert_false(bench_callgrind_runs("events: Ir\n", "/w/bench/run/"));
}

static void
test_bench_perf_count(void **state)
{
	(void)state;
	assert_int_equal(bench_perf_count("# started on Mon Dec  7 20:00:00 2026\n\n"
	                                  "1234567,,instructions:u,1000,100.00,,\n"),
	                 1234567);
	/* a machine without the hardware counter (most VMs) */
	assert_int_equal(bench_perf_count("<not supported>,,instructions:u,0,100.00,,\n"), -1);
	assert_int_equal(bench_perf_count("<not counted>,,instructions:u,0,0.00,,\n"), -1);
	assert_int_equal(bench_perf_count("5,,cycles:u,0,100.00,,\n"), -1);
	assert_int_equal(bench_perf_count(""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bench_callgrind_totals),
		cmocka_unit_test(test_bench_perf_count),
		cmocka_unit_test(test_bench_callgrind_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
