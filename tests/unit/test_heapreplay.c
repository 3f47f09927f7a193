/* test_heapreplay.c: replay of hand-made streams against pool layouts, with and
 * without borrowing: failures counted, the first one named, hwm and borrowed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/buf.h"
#include "heap/heaplog.h"
#include "heap/heappools.h"
#include "heap/heapreplay.h"
#include "heapwrite.h"
#include "testutil.h"

static void
parse(struct hw *w, struct heap_log *log)
{
	hw_trailer(w, 0, 0, 0);
	assert_int_equal(heaplog_parse(log, "t.log", (const unsigned char *)w->out.s, w->out.len),
			 0);
	buf_release(&w->out);
}

static void
assert_pool(const struct heapreplay *r, size_t i, uint64_t block, uint64_t hwm,
	    uint64_t borrowed, uint64_t fails)
{
	assert_int_equal(r->pools[i].block, block);
	assert_int_equal(r->pools[i].hwm, hwm);
	assert_int_equal(r->pools[i].borrowed, borrowed);
	assert_int_equal(r->pools[i].fails, fails);
}

/* Layout 32x1, 16x2 (given out of order); the stream:
 *   1 a = malloc(10)   16-pool
 *   2 b = malloc(12)   16-pool (now full)
 *   3 c = malloc(16)   16-pool full: fails, or borrows the 32 block
 *   4 d = malloc(20)   32-pool: served, or fails when c borrowed it
 *   5 free(a)
 *   6 e = malloc(8)    16-pool
 *   7 malloc(100)      larger than every block: fails
 *   8 malloc(0)        no pool
 *   9 free(c)          ignored when c failed
 *  10 free(d) */
static void
build(struct heap_log *log)
{
	struct hw w;

	hw_begin(&w, "x");
	hw_malloc(&w, 1, 10, 0xa0);
	hw_malloc(&w, 1, 12, 0xb0);
	hw_malloc(&w, 1, 16, 0xc0);
	hw_malloc(&w, 1, 20, 0xd0);
	hw_free(&w, 1, 0xa0);
	hw_malloc(&w, 1, 8, 0xe0);
	hw_malloc(&w, 1, 100, 0xf0);
	hw_malloc(&w, 1, 0, 0x100);
	hw_free(&w, 1, 0xc0);
	hw_free(&w, 1, 0xd0);
	parse(&w, log);
}

static void
test_heapreplay_no_borrow(void **state)
{
	struct heappools_pool p[] = {{32, 1}, {16, 2}};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapreplay r = HEAPREPLAY_INIT;

	(void)state;
	build(&log);
	heapreplay_run(&r, &log, p, 2, false);
	assert_int_equal(r.npools, 2);
	assert_pool(&r, 0, 16, 2, 0, 1);
	assert_pool(&r, 1, 32, 1, 0, 0);
	assert_int_equal(r.requests, 6);
	assert_int_equal(r.fails, 2);
	assert_int_equal(r.too_large, 1);
	assert_int_equal(r.first_event, 3);
	assert_int_equal(r.first_size, 16);
	assert_int_equal(r.first_t_us, 3);
	assert_int_equal(r.reserved, 64);
	assert_int_equal(r.peak_used, 64);
	assert_int_equal(r.pools[0].used, 2);	/* b and e are still live */
	assert_int_equal(r.pools[1].used, 0);
	heapreplay_release(&r);
	heaplog_release(&log);
}

static void
test_heapreplay_borrow(void **state)
{
	struct heappools_pool p[] = {{16, 2}, {32, 1}};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapreplay r = HEAPREPLAY_INIT;

	(void)state;
	build(&log);
	heapreplay_run(&r, &log, p, 2, true);
	assert_pool(&r, 0, 16, 2, 0, 0);
	assert_pool(&r, 1, 32, 1, 1, 1);
	assert_int_equal(r.fails, 2);
	assert_int_equal(r.too_large, 1);
	assert_int_equal(r.first_event, 4);
	assert_int_equal(r.first_size, 20);
	assert_int_equal(r.pools[1].used, 0);	/* free(c) gave the borrowed block back */
	heapreplay_release(&r);
	heaplog_release(&log);
}

/* A realloc takes the new block before it gives the old one back. */
static void
test_heapreplay_realloc(void **state)
{
	struct heappools_pool two[] = {{16, 1}, {32, 1}}, one[] = {{32, 1}};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapreplay r = HEAPREPLAY_INIT;
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	hw_malloc(&w, 0, 16, 0x100);
	hw_realloc(&w, 0, 0x100, 32, 0x200);
	hw_realloc(&w, 0, 0x200, 0, 0);
	hw_malloc(&w, 0, 30, 0x300);
	parse(&w, &log);
	heapreplay_run(&r, &log, two, 2, false);
	assert_int_equal(r.fails, 0);
	assert_pool(&r, 0, 16, 1, 0, 0);
	assert_pool(&r, 1, 32, 1, 0, 0);
	assert_int_equal(r.peak_used, 48);
	heapreplay_run(&r, &log, one, 1, true);
	assert_int_equal(r.fails, 1);
	assert_int_equal(r.first_event, 2);
	assert_int_equal(r.first_size, 32);
	assert_pool(&r, 0, 32, 1, 0, 1);
	heapreplay_release(&r);
	heaplog_release(&log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heapreplay_no_borrow),
		cmocka_unit_test(test_heapreplay_borrow),
		cmocka_unit_test(test_heapreplay_realloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
