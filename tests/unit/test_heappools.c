/* test_heappools.c: the pool layout DP against an exhaustive search over every
 * contiguous split on random event streams, capacities against a replay per
 * range, Drone-book's example under the sum model, and the emitters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "heap/heaplog.h"
#include "heap/heappools.h"
#include "heap/heapreplay.h"
#include "heap/heapstats.h"
#include "heapwrite.h"
#include "peaklog.h"
#include "testutil.h"

static void
parse(struct hw *w, struct heap_log *log)
{
	hw_trailer(w, 0, 0, 0);
	assert_int_equal(heaplog_parse(log, "t.log", (const unsigned char *)w->out.s, w->out.len),
			 0);
	buf_release(&w->out);
}

/* A random stream over m sizes: allocations, frees, moving and in-place
 * reallocs, realloc(p, 0), failures and zero-byte requests. */
static void
random_log(struct heap_log *log, size_t m, unsigned *seed)
{
	uint64_t sizes[8], live[64], next = 0x10000;
	size_t nlive = 0, nev = 5 + (size_t)rand_r(seed) % 60;
	struct hw w;

	for (size_t i = 0; i < m; i++) {
		/* distinct sizes that stay distinct classes at align 8 */
		uint64_t spread = i ? 8 * (uint64_t)(rand_r(seed) % 3) : 0;

		sizes[i] = 8 * (i + 1) + spread - (uint64_t)(rand_r(seed) % 8);
	}
	hw_begin(&w, "r");
	for (size_t e = 0; e < nev; e++) {
		int op = rand_r(seed) % 10;
		uint64_t size = sizes[(size_t)rand_r(seed) % m];

		if (nlive && (op < 3 || nlive == 64)) {
			size_t k = (size_t)rand_r(seed) % nlive;

			hw_free(&w, 1, live[k]);
			live[k] = live[--nlive];
		} else if (nlive && op < 5) {
			size_t k = (size_t)rand_r(seed) % nlive;

			if (rand_r(seed) % 2) {
				hw_realloc(&w, 1, live[k], size, next);
				live[k] = next;
				next += 0x100;
			} else {
				hw_realloc(&w, 1, live[k], size, live[k]);
			}
		} else if (nlive && op == 5) {
			size_t k = (size_t)rand_r(seed) % nlive;

			hw_realloc(&w, 1, live[k], 0, 0);
			live[k] = live[--nlive];
		} else if (op == 6) {
			hw_fail(&w, 1, 0, size);
		} else {
			hw_malloc(&w, 1, op == 7 && e % 5 == 0 ? 0 : size, next);
			live[nlive++] = next;
			next += 0x100;
		}
	}
	parse(&w, log);
}

/* The capacity of classes i..j by a replay of its own: the most blocks of those
 * classes alive at once, a realloc holding both blocks for a moment. */
static uint64_t
brute_cap(const struct heap_log *log, const struct heappools_classes *c, size_t i, size_t j,
	  bool joint)
{
	struct heaplog_map in = HEAPLOG_MAP_INIT;
	uint64_t cur = 0, max = 0, sum = 0;

	if (!joint) {
		for (size_t k = i; k <= j; k++) {
			sum += brute_cap(log, c, k, k, true);
		}
		return sum;
	}
	for (size_t n = 0; n < log->n; n++) {
		const struct heap_event *e = &log->ev[n];
		bool mine = false;

		if ((e->kind == HEAP_EV_ALLOC || e->kind == HEAP_EV_REALLOC) && e->size) {
			uint64_t cls = heaplog_align_up(e->size, 8);

			cls = cls < 8 ? 8 : cls;
			mine = cls >= c->cls[i] && cls <= c->cls[j];
		}
		if (e->kind == HEAP_EV_REALLOC && e->ptr == e->old) {
			cur -= heaplog_map_take(&in, e->old, NULL);
		}
		if (e->kind == HEAP_EV_ALLOC || e->kind == HEAP_EV_REALLOC) {
			cur -= heaplog_map_take(&in, e->ptr, NULL);
			if (mine) {
				heaplog_map_put(&in, e->ptr, 1, NULL);
				cur++;
				max = cur > max ? cur : max;
			}
		}
		if (e->kind == HEAP_EV_REALLOC && e->ptr != e->old) {
			cur -= heaplog_map_take(&in, e->old, NULL);
		}
		if (e->kind == HEAP_EV_FREE) {
			cur -= heaplog_map_take(&in, e->ptr, NULL);
		}
	}
	heaplog_map_release(&in);
	return max;
}

/* The blocks of classes i..j alive right after event `event` (counted from 1),
 * by a replay of its own, a realloc freeing the old block. */
static uint64_t
brute_at(const struct heap_log *log, const struct heappools_classes *c, size_t i, size_t j,
	 size_t event)
{
	struct heaplog_map in = HEAPLOG_MAP_INIT;
	uint64_t cur = 0;

	for (size_t n = 0; n < event; n++) {
		const struct heap_event *e = &log->ev[n];

		if (e->kind == HEAP_EV_REALLOC) {
			cur -= heaplog_map_take(&in, e->old, NULL);
		}
		if (e->kind == HEAP_EV_FREE) {
			cur -= heaplog_map_take(&in, e->ptr, NULL);
		}
		if ((e->kind == HEAP_EV_ALLOC || e->kind == HEAP_EV_REALLOC)) {
			uint64_t cls = heaplog_align_up(e->size, 8);

			cls = cls < 8 ? 8 : cls;
			cur -= heaplog_map_take(&in, e->ptr, NULL);
			if (e->size && cls >= c->cls[i] && cls <= c->cls[j]) {
				heaplog_map_put(&in, e->ptr, 1, NULL);
				cur++;
			}
		}
	}
	heaplog_map_release(&in);
	return cur;
}

/* The cheapest split of classes 0..m-1 into at most k contiguous pools, over
 * all 2^(m-1) splits. */
static uint64_t
exhaustive(const struct heappools_classes *c, size_t k)
{
	size_t m = c->m;
	uint64_t best = UINT64_MAX;

	for (unsigned mask = 0; mask < (1u << (m - 1)); mask++) {
		size_t groups = 1 + (size_t)__builtin_popcount(mask), start = 0;
		uint64_t cost = 0;

		if (groups > k) {
			continue;
		}
		for (size_t j = 0; j < m; j++) {
			if (j == m - 1 || (mask >> j & 1)) {
				cost += c->cls[j] * heappools_cap(c, start, j);
				start = j + 1;
			}
		}
		best = cost < best ? cost : best;
	}
	return best;
}

static void
test_heappools_dp_equals_exhaustive(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 200; round++) {
		struct heap_log log = HEAP_LOG_INIT;
		size_t m = 1 + (size_t)rand_r(&seed) % 8;

		struct heapstats st = HEAPSTATS_INIT;

		random_log(&log, m, &seed);
		heapstats_compute(&st, &log, 1);
		heapstats_at_peak(&st, &log);
		for (int model = 0; model < 3; model++) {
			struct heappools_classes c = HEAPPOOLS_CLASSES_INIT;
			struct heappools_layout l[9];
			enum heappools_capacity models[] = {HEAPPOOLS_JOINT, HEAPPOOLS_SUM,
							    HEAPPOOLS_AT_PEAK};
			bool joint = model == 0, at_peak = model == 2;
			uint64_t peak_blocks = 0;

			heappools_classes(&c, &log, 8, 8, models[model]);
			for (size_t i = 0; i < c.m; i++) {
				for (size_t j = i; j < c.m; j++) {
					assert_int_equal(heappools_cap(&c, i, j),
							 at_peak ? brute_at(&log, &c, i, j,
									    st.peak_event)
								 : brute_cap(&log, &c, i, j, joint));
				}
				if (at_peak) {
					/* only the classes alive at the peak */
					assert_true(c.at_peak[i] > 0);
					assert_true(c.at_peak[i] <= c.max_load[i]);
					peak_blocks += c.at_peak[i];
				}
			}
			if (at_peak) {
				/* every nonzero block alive at the peak has a place */
				assert_int_equal(c.peak_event, st.peak_event);
				assert_int_equal(peak_blocks,
						 st.peak_blocks - (st.nsizes && !st.sizes[0].size
									   ? st.sizes[0].at_peak
									   : 0));
			}
			heappools_solve(&c, 9, l);
			for (size_t k = 1; k <= 9; k++) {
				uint64_t r = 0;

				if (!c.m) {
					assert_int_equal(l[k - 1].npools, 0);
					continue;
				}
				assert_int_equal(l[k - 1].reserved, exhaustive(&c, k));
				assert_true(l[k - 1].npools <= k);
				for (size_t p = 0; p < l[k - 1].npools; p++) {
					r += l[k - 1].pools[p].block * l[k - 1].pools[p].count;
					if (p) {
						assert_true(l[k - 1].pools[p].block >
							    l[k - 1].pools[p - 1].block);
					}
				}
				assert_int_equal(r, l[k - 1].reserved);
				assert_int_equal(l[k - 1].pools[l[k - 1].npools - 1].block,
						 c.cls[c.m - 1]);
				/* at-peak pools hold the peak's requested bytes */
				if (at_peak) {
					assert_true(l[k - 1].reserved >= st.peak_bytes);
					continue;
				}
				/* a layout with joint (or larger) capacities serves the run */
				struct heapreplay rp = HEAPREPLAY_INIT;

				heapreplay_run(&rp, &log, l[k - 1].pools, l[k - 1].npools, false);
				assert_int_equal(rp.fails, 0);
				heapreplay_release(&rp);
			}
			for (size_t k = 0; k < 9; k++) {
				heappools_layout_release(&l[k]);
			}
			heappools_classes_release(&c);
		}
		heapstats_release(&st);
		heaplog_release(&log);
	}
}

static void
assert_layout(const struct heappools_layout *l, const char *want)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < l->npools; i++) {
		buf_printf(&b, "%s%llux%llu", i ? " " : "", (unsigned long long)l->pools[i].block,
			   (unsigned long long)l->pools[i].count);
	}
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

/* Drone-book's example (aligned sizes 4x1, 12x3, 28x1, 32x1, 128x1), sum model:
 * the optimum wastes 92, 12 and 4 bytes over Σ size·max_load = 228 where Drone's
 * search picks layouts wasting 168, 104 and 96 (research/heap.md 1.5). */
static void
test_heappools_drone_book(void **state)
{
	uint64_t cls[] = {4, 12, 28, 32, 128}, load[] = {1, 3, 1, 1, 1};
	struct heappools_classes c = {HEAPPOOLS_SUM, 5, cls, load, NULL, NULL, 0};
	struct heappools_layout l[5];

	(void)state;
	heappools_solve(&c, 5, l);
	assert_layout(&l[0], "128x7");
	assert_layout(&l[1], "32x6 128x1");
	assert_int_equal(l[1].reserved - 228, 92);
	assert_layout(&l[2], "12x4 32x2 128x1");
	assert_int_equal(l[2].reserved - 228, 12);
	assert_layout(&l[3], "4x1 12x3 32x2 128x1");
	assert_int_equal(l[3].reserved - 228, 4);
	assert_int_equal(l[4].reserved - 228, 0);
	for (size_t k = 0; k < 5; k++) {
		heappools_layout_release(&l[k]);
	}
}

/* The same example from a log: raw sizes 1, 12 (3 at once), 28, 32, 128 at
 * align 4 and min block 4. */
static void
test_heappools_drone_book_log(void **state)
{
	struct heap_log log = HEAP_LOG_INIT;
	struct heappools_classes c = HEAPPOOLS_CLASSES_INIT;
	struct heappools_layout l[3];
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	hw_malloc(&w, 0, 1, 0x100);
	hw_free(&w, 0, 0x100);
	for (int i = 0; i < 3; i++) {
		hw_malloc(&w, 0, 12, 0x200 + 16 * (uint64_t)i);
	}
	for (int i = 0; i < 3; i++) {
		hw_free(&w, 0, 0x200 + 16 * (uint64_t)i);
	}
	hw_malloc(&w, 0, 28, 0x300);
	hw_free(&w, 0, 0x300);
	hw_malloc(&w, 0, 32, 0x400);
	hw_free(&w, 0, 0x400);
	hw_malloc(&w, 0, 128, 0x500);
	parse(&w, &log);
	heappools_classes(&c, &log, 4, 4, HEAPPOOLS_SUM);
	assert_int_equal(c.m, 5);
	heappools_solve(&c, 3, l);
	assert_layout(&l[2], "12x4 32x2 128x1");
	assert_int_equal(l[2].reserved, 240);
	for (size_t k = 0; k < 3; k++) {
		heappools_layout_release(&l[k]);
	}
	/* never alive together: joint capacities need a single block */
	heappools_classes(&c, &log, 4, 4, HEAPPOOLS_JOINT);
	heappools_solve(&c, 1, l);
	assert_layout(&l[0], "128x3");
	heappools_layout_release(&l[0]);
	heappools_classes_release(&c);
	heaplog_release(&log);
}

/* At-peak capacities on a log where each class's most blocks come at another
 * moment than the peak (peaklog.h): the counts alive after event 19, the class
 * of 200 B (never alive then) dropped, and a replay of the layout fails where
 * the joint layout serves the run. */
static void
test_heappools_at_peak(void **state)
{
	struct heap_log log = HEAP_LOG_INIT;
	struct heappools_classes c = HEAPPOOLS_CLASSES_INIT;
	struct heappools_layout l[3];
	struct heapreplay rp = HEAPREPLAY_INIT;
	struct hw w;

	(void)state;
	peaklog_write(&w);
	parse(&w, &log);
	heappools_classes(&c, &log, 8, 8, HEAPPOOLS_AT_PEAK);
	assert_int_equal(c.model, HEAPPOOLS_AT_PEAK);
	assert_int_equal(c.peak_event, 19);
	assert_int_equal(c.m, 3);
	assert_int_equal(c.cls[0], 16);
	assert_int_equal(c.cls[1], 64);
	assert_int_equal(c.cls[2], 104);
	assert_int_equal(c.at_peak[0], 2);
	assert_int_equal(c.at_peak[1], 2);
	assert_int_equal(c.at_peak[2], 3);
	assert_int_equal(c.max_load[0], 6);
	assert_int_equal(c.max_load[1], 4);
	assert_int_equal(c.max_load[2], 3);
	assert_int_equal(heappools_cap(&c, 0, 2), 7);
	heappools_solve(&c, 3, l);
	assert_layout(&l[0], "104x7");
	assert_layout(&l[1], "16x2 104x5");
	assert_int_equal(l[1].reserved, 552);
	assert_layout(&l[2], "16x2 64x2 104x3");
	assert_int_equal(l[2].reserved, 472);
	/* 16s: 3 fail at first, 2 after the peak; 64s: 2; 200: larger than every block */
	heapreplay_run(&rp, &log, l[2].pools, l[2].npools, false);
	assert_int_equal(rp.requests, 17);
	assert_int_equal(rp.fails, 8);
	assert_int_equal(rp.too_large, 1);
	assert_int_equal(rp.first_event, 3);
	heapreplay_release(&rp);
	for (size_t k = 0; k < 3; k++) {
		heappools_layout_release(&l[k]);
	}
	/* joint capacities hold every moment: more blocks, and the 200 B class */
	heappools_classes(&c, &log, 8, 8, HEAPPOOLS_JOINT);
	heappools_solve(&c, 1, l);
	assert_layout(&l[0], "200x8");
	heapreplay_run(&rp, &log, l[0].pools, l[0].npools, false);
	assert_int_equal(rp.fails, 0);
	heapreplay_release(&rp);
	heappools_layout_release(&l[0]);
	heappools_classes_release(&c);
	heaplog_release(&log);
}

static void
test_heappools_emit(void **state)
{
	struct heappools_pool p[] = {{40, 26}, {104, 5}, {256, 1}};
	struct heappools_layout l = {p, 3, 1816, HEAPPOOLS_EXACT};
	struct buf b = BUF_INIT;
	enum heappools_emit e;

	(void)state;
	heappools_emit(&l, HEAPPOOLS_EMIT_INI, &b);
	assert_string_equal(buf_str(&b), "# 3 pools, 1816 bytes reserved (ounce heap pools)\n"
					 "[pools]\n40 = 26\n104 = 5\n256 = 1\n");
	buf_reset(&b);
	heappools_emit(&l, HEAPPOOLS_EMIT_TOML, &b);
	assert_string_equal(buf_str(&b), "[heap.main]\nsize = \"1816\"\npools = [\n"
					 "    { block = \"40\", count = 26 },\n"
					 "    { block = \"104\", count = 5 },\n"
					 "    { block = \"256\", count = 1 },\n]\n");
	buf_reset(&b);
	heappools_emit(&l, HEAPPOOLS_EMIT_C, &b);
	assert_string_equal(buf_str(&b), "static const struct { unsigned block, count; } pools[] = "
					 "{{40, 26}, {104, 5}, {256, 1}};\n");
	buf_release(&b);
	assert_true(heappools_emit_parse("toml", &e) && e == HEAPPOOLS_EMIT_TOML);
	assert_true(heappools_emit_parse("c", &e) && e == HEAPPOOLS_EMIT_C);
	assert_false(heappools_emit_parse("zephyr", &e));
}

/* The bounded search (divide and conquer over each pool's start) finds the exact
 * program's optimum under sum capacities, whose costs have the quadrangle
 * inequality, on random classes; and a problem past the budget takes it. */
static void
test_heappools_bounded_equals_exact_for_sum(void **state)
{
	unsigned seed = 777;

	(void)state;
	for (int round = 0; round < 300; round++) {
		struct heappools_classes c = HEAPPOOLS_CLASSES_INIT;
		struct heappools_layout exact[12], bounded[12];
		uint64_t block = 0;

		c.model = HEAPPOOLS_SUM;
		c.m = 1 + (size_t)rand_r(&seed) % 60;
		c.cls = xcalloc(c.m, sizeof(*c.cls));
		c.max_load = xcalloc(c.m, sizeof(*c.max_load));
		for (size_t i = 0; i < c.m; i++) {
			block += 8 * (1 + (uint64_t)(rand_r(&seed) % (round % 2 ? 4 : 200)));
			c.cls[i] = block;
			c.max_load[i] = (uint64_t)(rand_r(&seed) % (round % 3 ? 5 : 1000));
		}
		assert_int_equal(heappools_solve_budget(&c, 12, 1e18, exact), HEAPPOOLS_EXACT);
		assert_int_equal(heappools_solve_budget(&c, 12, 0, bounded), HEAPPOOLS_BOUNDED);
		for (size_t k = 0; k < 12; k++) {
			uint64_t r = 0;

			assert_int_equal(bounded[k].reserved, exact[k].reserved);
			assert_int_equal(bounded[k].method, HEAPPOOLS_BOUNDED);
			for (size_t p = 0; p < bounded[k].npools; p++) {
				r += bounded[k].pools[p].block * bounded[k].pools[p].count;
			}
			assert_int_equal(r, bounded[k].reserved);
			heappools_layout_release(&exact[k]);
			heappools_layout_release(&bounded[k]);
		}
		heappools_classes_release(&c);
	}
}

#define HP_BIG 3000

/* 3,000 classes and 64 pools are past the budget (2.9e8 steps): the bounded
 * search, in well under a second even under valgrind. */
static void
test_heappools_many_classes_take_the_bounded_search(void **state)
{
	struct heappools_classes c = HEAPPOOLS_CLASSES_INIT;
	struct heappools_layout *l = xcalloc(64, sizeof(*l));

	(void)state;
	c.model = HEAPPOOLS_SUM;
	c.m = HP_BIG;
	c.cls = xcalloc(c.m, sizeof(*c.cls));
	c.max_load = xcalloc(c.m, sizeof(*c.max_load));
	for (size_t i = 0; i < c.m; i++) {
		c.cls[i] = 8 * (i + 1);
		c.max_load[i] = 1 + (i * 7919) % 13;
	}
	assert_int_equal(heappools_solve(&c, 64, l), HEAPPOOLS_BOUNDED);
	for (size_t k = 1; k < 64; k++) {
		/* more pools never reserve more */
		assert_true(l[k].reserved <= l[k - 1].reserved);
		assert_int_equal(l[k].pools[l[k].npools - 1].block, c.cls[c.m - 1]);
	}
	for (size_t k = 0; k < 64; k++) {
		heappools_layout_release(&l[k]);
	}
	free(l);
	heappools_classes_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heappools_dp_equals_exhaustive),
		cmocka_unit_test(test_heappools_drone_book),
		cmocka_unit_test(test_heappools_drone_book_log),
		cmocka_unit_test(test_heappools_at_peak),
		cmocka_unit_test(test_heappools_emit),
		cmocka_unit_test(test_heappools_bounded_equals_exact_for_sum),
		cmocka_unit_test(test_heappools_many_classes_take_the_bounded_search),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
