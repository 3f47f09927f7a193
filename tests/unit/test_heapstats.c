/* test_heapstats.c: the per-size table and the figures of `ounce heap stats` on
 * exact allocation patterns written with the test log writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>

#include "base/buf.h"
#include "heap/heaplog.h"
#include "heap/heapstats.h"
#include "heapwrite.h"
#include "peaklog.h"
#include "testutil.h"

static void
compute_peak(struct hw *w, uint64_t align, struct heapstats *st, bool at_peak)
{
	struct heap_log log = HEAP_LOG_INIT;

	hw_trailer(w, 0, 0, 0);
	assert_int_equal(heaplog_parse(&log, "t.log", (const unsigned char *)w->out.s, w->out.len),
			 0);
	heapstats_compute(st, &log, align);
	if (at_peak) {
		heapstats_at_peak(st, &log);
	}
	heaplog_release(&log);
	buf_release(&w->out);
}

static void
compute(struct hw *w, uint64_t align, struct heapstats *st)
{
	compute_peak(w, align, st, false);
}

static void
assert_row(const struct heapstats *st, size_t i, uint64_t size, uint64_t max_load,
	   uint64_t total)
{
	assert_true(i < st->nsizes);
	assert_int_equal(st->sizes[i].size, size);
	assert_int_equal(st->sizes[i].max_load, max_load);
	assert_int_equal(st->sizes[i].total, total);
}

/* 10 blocks of 24 alive at once. */
static void
test_heapstats_alive_at_once(void **state)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	for (unsigned i = 0; i < 10; i++) {
		hw_malloc(&w, 1, 24, 0x1000 + 32 * i);
	}
	for (unsigned i = 0; i < 10; i++) {
		hw_free(&w, 1, 0x1000 + 32 * i);
	}
	compute(&w, 1, &st);
	assert_int_equal(st.nsizes, 1);
	assert_row(&st, 0, 24, 10, 10);
	assert_int_equal(st.allocations, 10);
	assert_int_equal(st.frees, 10);
	assert_int_equal(st.peak_bytes, 240);
	assert_int_equal(st.peak_event, 10);
	assert_int_equal(st.peak_t_us, 10);
	assert_int_equal(st.drone_bytes, 240);
	assert_int_equal(st.live_blocks, 0);
	assert_int_equal(st.live_bytes, 0);
	heapstats_release(&st);
}

/* Grow by realloc 16 -> 32 -> 64, then free: free-then-alloc in one step. */
static void
test_heapstats_realloc_chain(void **state)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	hw_malloc(&w, 0, 16, 0x1000);
	hw_realloc(&w, 0, 0x1000, 32, 0x2000);
	hw_realloc(&w, 0, 0x2000, 64, 0x2000);	/* in place */
	hw_free(&w, 0, 0x2000);
	compute(&w, 1, &st);
	assert_int_equal(st.nsizes, 3);
	assert_row(&st, 0, 16, 1, 1);
	assert_row(&st, 1, 32, 1, 1);
	assert_row(&st, 2, 64, 1, 1);
	assert_int_equal(st.reallocs, 2);
	assert_int_equal(st.allocations, 3);
	assert_int_equal(st.frees, 3);
	assert_int_equal(st.peak_bytes, 64);
	assert_int_equal(st.peak_event, 3);
	assert_int_equal(st.drone_bytes, 112);
	assert_int_equal(st.unknown_frees, 0);
	assert_int_equal(st.live_blocks, 0);
	heapstats_release(&st);
}

/* Frees in reverse order, a leak, a failure, unknown frees, and realloc(p, 0). */
static void
test_heapstats_reverse_frees(void **state)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	for (unsigned i = 1; i <= 4; i++) {
		hw_malloc(&w, 0, 8 * i, 0x1000 * i);
	}
	hw_malloc(&w, 0, 100, 0x9000);	/* never freed */
	for (unsigned i = 4; i >= 1; i--) {
		hw_free(&w, 0, 0x1000 * i);
	}
	hw_fail(&w, 0, 0, 1 << 20);
	hw_free(&w, 0, 0xdead0);		/* never allocated */
	hw_realloc(&w, 0, 0xbeef0, 8, 0x7000);	/* old never allocated */
	hw_realloc(&w, 0, 0x7000, 0, 0);	/* realloc(p, 0) */
	compute(&w, 1, &st);
	assert_int_equal(st.nsizes, 5);
	assert_row(&st, 0, 8, 1, 2);
	assert_row(&st, 4, 100, 1, 1);
	assert_int_equal(st.peak_bytes, 180);
	assert_int_equal(st.peak_event, 5);
	assert_int_equal(st.allocations, 6);
	assert_int_equal(st.frees, 5);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.unknown_frees, 2);
	assert_int_equal(st.reallocs, 2);
	assert_int_equal(st.live_blocks, 1);
	assert_int_equal(st.live_bytes, 100);
	heapstats_release(&st);
}

/* --align rounds sizes into one row; Drone's figure uses the rounded sizes. */
static void
test_heapstats_align(void **state)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	hw_malloc(&w, 0, 1, 0x10);
	hw_malloc(&w, 0, 3, 0x20);
	hw_free(&w, 0, 0x10);
	hw_malloc(&w, 0, 4, 0x30);
	hw_malloc(&w, 0, 5, 0x40);
	hw_malloc(&w, 0, 0, 0x50);	/* malloc(0) is a row of its own */
	compute(&w, 4, &st);
	assert_int_equal(st.nsizes, 3);
	assert_row(&st, 0, 0, 1, 1);
	assert_row(&st, 1, 4, 2, 3);
	assert_row(&st, 2, 8, 1, 1);
	assert_int_equal(st.drone_bytes, 16);
	assert_int_equal(st.peak_bytes, 12);
	heapstats_release(&st);
}

/* Drone-book's example: 1x1 B, 7x12 B (3 at once), 2x28 B, 1x32 B, 2x128 B. */
static void
test_heapstats_drone_example(void **state)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;
	uint64_t p = 0x1000;

	(void)state;
	hw_begin(&w, "x");
	hw_malloc(&w, 0, 1, p);
	for (int i = 0; i < 7; i++) {
		hw_malloc(&w, 0, 12, 0x2000 + 16 * (uint64_t)(i % 3));
		if (i % 3 == 2 || i == 6) {
			for (int j = 0; j <= i % 3; j++) {
				hw_free(&w, 0, 0x2000 + 16 * (uint64_t)j);
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		hw_malloc(&w, 0, 28, 0x3000);
		hw_free(&w, 0, 0x3000);
		hw_malloc(&w, 0, 128, 0x4000);
		hw_free(&w, 0, 0x4000);
	}
	hw_malloc(&w, 0, 32, 0x5000);
	compute(&w, 1, &st);
	assert_int_equal(st.nsizes, 5);
	assert_row(&st, 0, 1, 1, 1);
	assert_row(&st, 1, 12, 3, 7);
	assert_row(&st, 2, 28, 1, 2);
	assert_row(&st, 3, 32, 1, 1);
	assert_row(&st, 4, 128, 1, 2);
	assert_int_equal(st.drone_bytes, 225);
	heapstats_release(&st);
}

static void
assert_at_peak(const struct heapstats *st, size_t i, uint64_t size, uint64_t max_load,
	       uint64_t at_peak, uint64_t bytes)
{
	assert_true(i < st->nsizes);
	assert_int_equal(st->sizes[i].size, size);
	assert_int_equal(st->sizes[i].max_load, max_load);
	assert_int_equal(st->sizes[i].at_peak, at_peak);
	assert_int_equal(st->sizes[i].at_peak_bytes, bytes);
}

/* What was alive right after the peak event differs from each size's most. */
static void
test_heapstats_at_peak(void **state)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;

	(void)state;
	peaklog_write(&w);
	compute_peak(&w, 1, &st, true);
	assert_int_equal(st.peak_bytes, 460);
	assert_int_equal(st.peak_event, 19);
	assert_int_equal(st.peak_t_us, 19);
	assert_int_equal(st.peak_blocks, 8);
	assert_int_equal(st.nsizes, 5);
	assert_at_peak(&st, 0, 0, 1, 1, 0);
	assert_at_peak(&st, 1, 16, 6, 2, 32);
	assert_at_peak(&st, 2, 64, 4, 2, 128);
	assert_at_peak(&st, 3, 100, 3, 3, 300);
	assert_at_peak(&st, 4, 200, 1, 0, 0);
	/* the live-at-exit figures are those of the end, not of the peak */
	assert_int_equal(st.live_blocks, 9);
	assert_int_equal(st.live_bytes, 224);
	heapstats_release(&st);

	/* rounded rows; the bytes stay the requested ones, so they sum to the peak */
	peaklog_write(&w);
	compute_peak(&w, 32, &st, true);
	assert_int_equal(st.nsizes, 5);
	assert_at_peak(&st, 1, 32, 6, 2, 32);
	assert_at_peak(&st, 2, 64, 4, 2, 128);
	assert_at_peak(&st, 3, 128, 3, 3, 300);
	assert_at_peak(&st, 4, 224, 1, 0, 0);
	heapstats_release(&st);

	/* without heapstats_at_peak the fields stay 0 */
	peaklog_write(&w);
	compute(&w, 1, &st);
	assert_int_equal(st.peak_blocks, 0);
	assert_int_equal(st.sizes[1].at_peak, 0);
	heapstats_release(&st);
}

/* Ties keep the first event to reach the peak; a peak on a realloc counts its
 * new block, not the old one; an empty log has no peak and nothing alive. */
static void
test_heapstats_at_peak_ties_and_realloc(void **state)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	hw_malloc(&w, 1, 40, 0x100);		/* 40 */
	hw_realloc(&w, 1, 0x100, 96, 0x200);	/* 96: the peak */
	hw_free(&w, 1, 0x200);			/* 0 */
	hw_malloc(&w, 1, 32, 0x300);
	hw_malloc(&w, 1, 64, 0x310);		/* 96 again: a tie, not the peak */
	compute_peak(&w, 1, &st, true);
	assert_int_equal(st.peak_event, 2);
	assert_int_equal(st.peak_blocks, 1);
	assert_at_peak(&st, 0, 32, 1, 0, 0);
	assert_at_peak(&st, 1, 40, 1, 0, 0);
	assert_at_peak(&st, 3, 96, 1, 1, 96);
	heapstats_release(&st);

	hw_begin(&w, "x");
	compute_peak(&w, 1, &st, true);
	assert_int_equal(st.peak_event, 0);
	assert_int_equal(st.peak_blocks, 0);
	assert_int_equal(st.nsizes, 0);
	heapstats_release(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heapstats_alive_at_once),
		cmocka_unit_test(test_heapstats_realloc_chain),
		cmocka_unit_test(test_heapstats_reverse_frees),
		cmocka_unit_test(test_heapstats_align),
		cmocka_unit_test(test_heapstats_drone_example),
		cmocka_unit_test(test_heapstats_at_peak),
		cmocka_unit_test(test_heapstats_at_peak_ties_and_realloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
