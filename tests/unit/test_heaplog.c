/* test_heaplog.c: the heap log reader on every record kind, zigzag pointer
 * deltas and threads; logs cut at every offset and with flipped bytes give a
 * message, never a crash; the pointer table against a plain array. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/units.h"
#include "heap/heapfmt.h"
#include "heap/heaplog.h"
#include "heap/heappools.h"
#include "heap/heapreplay.h"
#include "heap/heapstats.h"
#include "heapwrite.h"
#include "testutil.h"

static int
parse(struct heap_log *log, const struct hw *w)
{
	return heaplog_parse(log, "t.log", (const unsigned char *)w->out.s, w->out.len);
}

/* Every record kind, with the reader's normalisation of realloc. */
static void
test_heaplog_records(void **state)
{
	struct tu_tmp *t = *state;
	struct heap_log log = HEAP_LOG_INIT;
	struct hw w;
	char *path;

	hw_begin(&w, "/bin/prog");
	hw_malloc(&w, 5, 24, 0x1000);
	hw_calloc(&w, 1, 3, 8, 0x2000);
	hw_thread(&w, 77);
	hw_realloc(&w, 2, 0x1000, 48, 0x3000);	/* move */
	hw_realloc(&w, 0, 0, 16, 0x4000);	/* realloc(NULL, 16) */
	hw_realloc(&w, 0, 0x4000, 0, 0);	/* realloc(p, 0): a free */
	hw_realloc(&w, 0, 0x3000, 1000, 0);	/* failed: old still live */
	hw_realloc(&w, 0, 0, 0, 0);		/* realloc(NULL, 0) gave NULL: nothing */
	hw_free(&w, 3, 0x2000);
	hw_aligned(&w, 1, HEAPFMT_FN_POSIX_MEMALIGN, 64, 100, 0x5000);
	hw_fail(&w, 1, HEAPFMT_FN_CALLOC, 1u << 30);
	hw_fork(&w, 4321);
	hw_thread(&w, 78);
	hw_free(&w, 10, 0x5000);
	hw_trailer(&w, 11, 2, HEAPFMT_TRAILER_INTERRUPTED);
	path = xasprintf("%s/t.log", t->dir);
	assert_int_equal(hw_save(&w, path), 0);
	assert_int_equal(heaplog_read(&log, path), 0);

	assert_false(log.truncated);
	assert_true(log.interrupted);
	assert_int_equal(log.lost, 2);
	assert_int_equal(log.forks, 1);
	assert_int_equal(log.ptr_bytes, 8);
	assert_int_equal(log.page_size, 4096);
	assert_int_equal(log.pid, 1234);
	assert_int_equal(log.ppid, 1);
	assert_true(log.start_ns == 987654321);
	assert_string_equal(log.exe, "/bin/prog");
	assert_int_equal(log.n, 10);

	const struct heap_event *e = log.ev;

	assert_int_equal(e[0].kind, HEAP_EV_ALLOC);
	assert_int_equal(e[0].fn, HEAPFMT_FN_MALLOC);
	assert_int_equal(e[0].size, 24);
	assert_int_equal(e[0].ptr, 0x1000);
	assert_int_equal(e[0].t_us, 5);
	assert_int_equal(e[0].tid, 0);
	assert_int_equal(e[1].fn, HEAPFMT_FN_CALLOC);
	assert_int_equal(e[1].size, 24);
	assert_int_equal(e[1].ptr, 0x2000);
	assert_int_equal(e[1].t_us, 6);
	assert_int_equal(e[2].kind, HEAP_EV_REALLOC);
	assert_int_equal(e[2].old, 0x1000);
	assert_int_equal(e[2].ptr, 0x3000);
	assert_int_equal(e[2].size, 48);
	assert_int_equal(e[2].tid, 77);
	assert_int_equal(e[2].t_us, 8);
	assert_int_equal(e[3].kind, HEAP_EV_ALLOC);
	assert_int_equal(e[3].fn, HEAPLOG_FN_REALLOC);
	assert_int_equal(e[3].ptr, 0x4000);
	assert_int_equal(e[4].kind, HEAP_EV_FREE);
	assert_int_equal(e[4].ptr, 0x4000);
	assert_int_equal(e[5].kind, HEAP_EV_FAIL);
	assert_int_equal(e[5].fn, HEAPLOG_FN_REALLOC);
	assert_int_equal(e[5].size, 1000);
	assert_int_equal(e[6].kind, HEAP_EV_FREE);
	assert_int_equal(e[6].ptr, 0x2000);
	assert_int_equal(e[6].t_us, 11);
	assert_int_equal(e[7].kind, HEAP_EV_ALLOC);
	assert_int_equal(e[7].fn, HEAPFMT_FN_POSIX_MEMALIGN);
	assert_int_equal(e[7].align, 64);
	assert_int_equal(e[7].size, 100);
	assert_int_equal(e[7].ptr, 0x5000);
	assert_int_equal(e[8].kind, HEAP_EV_FAIL);
	assert_int_equal(e[8].fn, HEAPFMT_FN_CALLOC);
	assert_int_equal(e[8].size, 1u << 30);
	assert_int_equal(e[9].kind, HEAP_EV_FREE);
	assert_int_equal(e[9].tid, 78);
	assert_int_equal(e[9].t_us, 23);
	heaplog_release(&log);
	buf_release(&w.out);
	free(path);
}

/* Pointers far apart, below the previous one, at both ends of the address space. */
/* Stacks: the frame tree, the objects each frame was in (a later overlapping
 * object replaces an earlier one), and each alloc's stack id. */
static void
test_heaplog_stacks(void **state)
{
	struct heap_log log = HEAP_LOG_INIT;
	struct hw w;
	uint64_t main_f, f, g;

	(void)state;
	hw_begin_flags(&w, "/bin/prog", HEAPFMT_FLAG_STACKS);
	hw_object(&w, 0x400000, 0x401000, 0, "\xab\xcd\xef", 3, "/bin/prog");
	hw_object(&w, 0x7f0000000000, 0x7f0000010000, 0x7f0000000000, NULL, 0, "/lib/libx.so");
	main_f = hw_frame(&w, 0, 0x400500);
	f = hw_frame(&w, main_f, 0x7f0000000040);
	w.stack = f;
	hw_malloc(&w, 1, 24, 0x1000);
	w.stack = 0;
	hw_malloc(&w, 1, 8, 0x1100);	/* no frame found */
	/* dlclose and another library at the same place */
	hw_object(&w, 0x7f0000000000, 0x7f0000008000, 0x7f0000000000, "\x01", 1,
		  "/lib/liby.so");
	g = hw_frame(&w, main_f, 0x7f0000000040);
	w.stack = g;
	hw_realloc(&w, 1, 0x1000, 48, 0x2000);
	hw_realloc(&w, 1, 0x2000, 0, 0);	/* a free: no stack kept */
	hw_frame(&w, 0, 0x500000);		/* outside every object */
	hw_trailer(&w, 4, 0, 0);
	assert_int_equal(parse(&log, &w), 0);

	assert_true(log.flags & HEAPFMT_FLAG_STACKS);
	assert_int_equal(log.nobjects, 3);
	assert_string_equal(log.objects[0].path, "/bin/prog");
	assert_int_equal(log.objects[0].build_id_len, 3);
	assert_memory_equal(log.objects[0].build_id, "\xab\xcd\xef", 3);
	assert_null(log.objects[1].build_id);
	assert_true(log.objects[1].bias == 0x7f0000000000);
	assert_int_equal(log.nframes, 5);	/* [0] and four frames */
	assert_true(log.frames[1].ip == 0x400500);
	assert_int_equal(log.frames[1].parent, 0);
	assert_int_equal(log.frames[1].object, 0);
	assert_int_equal(log.frames[2].parent, 1);
	assert_int_equal(log.frames[2].object, 1);
	assert_int_equal(log.frames[3].object, 2);	/* liby replaced libx */
	assert_true(log.frames[4].object == HEAP_NO_OBJECT);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.ev[0].stack, 2);
	assert_int_equal(log.ev[1].stack, 0);
	assert_int_equal(log.ev[2].kind, HEAP_EV_REALLOC);
	assert_int_equal(log.ev[2].stack, 3);
	assert_int_equal(log.ev[3].kind, HEAP_EV_FREE);
	assert_int_equal(log.ev[3].stack, 0);
	heaplog_release(&log);
	buf_release(&w.out);

	/* a stack id no frame defined, and a parent defined after its child */
	hw_begin_flags(&w, "/bin/prog", HEAPFMT_FLAG_STACKS);
	w.stack = 1;
	hw_malloc(&w, 1, 24, 0x1000);
	assert_int_equal(parse(&log, &w), -1);
	buf_release(&w.out);
	hw_begin_flags(&w, "/bin/prog", HEAPFMT_FLAG_STACKS);
	hw_frame(&w, 1, 0x400000);
	assert_int_equal(parse(&log, &w), -1);
	buf_release(&w.out);
	/* a flag this reader does not know */
	hw_begin_flags(&w, "/bin/prog", 0x80);
	assert_int_equal(parse(&log, &w), -1);
	buf_release(&w.out);
}

static void
test_heaplog_zigzag(void **state)
{
	static const uint64_t ptrs[] = {
		0x7f0000001000, 0x7f0000001010, 0x7f0000000ff0, 0x10, 0xfffffffffffffff0,
		0x8, 0x8000000000000000, 0x7fffffffffffffff, 0x55550000a000, 0x55550000a000,
	};
	struct heap_log log = HEAP_LOG_INIT;
	struct hw w;
	size_t before;

	(void)state;
	hw_begin(&w, "x");
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(*ptrs); i++) {
		hw_malloc(&w, 0, i + 1, ptrs[i]);
	}
	/* a nearby pointer costs one byte: tag, dt, size, delta */
	before = w.out.len;
	hw_free(&w, 0, ptrs[9] + 16);
	assert_int_equal(w.out.len - before, 3);
	hw_trailer(&w, 11, 0, 0);
	assert_int_equal(parse(&log, &w), 0);
	assert_int_equal(log.n, 11);
	for (size_t i = 0; i < 10; i++) {
		assert_true(log.ev[i].ptr == ptrs[i]);
		assert_int_equal(log.ev[i].size, i + 1);
	}
	assert_true(log.ev[10].ptr == ptrs[9] + 16);
	heaplog_release(&log);
	buf_release(&w.out);
}

/* Threads interleave; the analyses pair frees across threads. */
static void
test_heaplog_threads(void **state)
{
	struct heap_log log = HEAP_LOG_INIT;
	struct heapstats st = HEAPSTATS_INIT;
	struct hw w;

	(void)state;
	hw_begin(&w, "x");
	for (unsigned i = 0; i < 8; i++) {
		hw_thread(&w, 100 + i);
		hw_malloc(&w, 1, 32, 0x1000 + 64 * i);
	}
	for (unsigned i = 0; i < 8; i++) {
		hw_thread(&w, 107 - i);
		hw_free(&w, 1, 0x1000 + 64 * i);
	}
	hw_trailer(&w, 16, 0, 0);
	assert_int_equal(parse(&log, &w), 0);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(log.ev[i].tid, 100 + i);
		assert_int_equal(log.ev[8 + i].tid, 107 - i);
	}
	heapstats_compute(&st, &log, 1);
	assert_int_equal(st.unknown_frees, 0);
	assert_int_equal(st.live_blocks, 0);
	assert_int_equal(st.peak_bytes, 256);
	heapstats_release(&st);
	heaplog_release(&log);
	buf_release(&w.out);
}

/* A log with stacks, objects and every record kind. */
static void
build_sample(struct hw *w)
{
	uint64_t f1, f2;

	hw_begin_flags(w, "/usr/bin/sample", HEAPFMT_FLAG_STACKS);
	hw_object(w, 0x400000, 0x402000, 0, "\x01\x02", 2, "/usr/bin/sample");
	f1 = hw_frame(w, 0, 0x400100);
	f2 = hw_frame(w, f1, 0x400200);
	w->stack = f2;
	hw_malloc(w, 1, 24, 0x1000);
	w->stack = hw_frame(w, f1, 0x400300);
	hw_calloc(w, 300, 2, 20, 0x1040);
	hw_thread(w, 2);
	hw_realloc(w, 1, 0x1000, 4000, 0x9000);
	hw_aligned(w, 1, HEAPFMT_FN_ALIGNED_ALLOC, 64, 64, 0x2000);
	hw_fail(w, 1, HEAPFMT_FN_MALLOC, UINT64_C(1) << 40);
	hw_fork(w, 99);
	hw_free(w, 1, 0x1040);
	hw_realloc(w, 1, 0x9000, 0, 0);
	hw_free(w, 1, 0x2000);
	hw_trailer(w, 8, 0, 0);
}

/* The analyses must survive whatever a damaged log decodes to. */
static void
analyse(const struct heap_log *log)
{
	struct heapstats st = HEAPSTATS_INIT;
	struct heappools_classes c = HEAPPOOLS_CLASSES_INIT;
	struct heappools_layout l[3];
	struct heapreplay r = HEAPREPLAY_INIT;

	heapstats_compute(&st, log, 8);
	heappools_classes(&c, log, 8, 8, HEAPPOOLS_JOINT);
	heappools_solve(&c, 3, l);
	heapreplay_run(&r, log, l[2].pools, l[2].npools, true);
	heapreplay_release(&r);
	for (size_t k = 0; k < 3; k++) {
		heappools_layout_release(&l[k]);
	}
	heappools_classes_release(&c);
	heapstats_release(&st);
}

/* Cut at every offset: "not an ounce heap log" before the version byte, a
 * truncation warning after it, and never more events than the whole log. */
static void
test_heaplog_truncated_everywhere(void **state)
{
	struct tu_tmp *t = *state;
	struct heap_log log = HEAP_LOG_INIT;
	struct hw w;
	char *err;

	build_sample(&w);
	for (size_t n = 0; n < w.out.len; n++) {
		tu_capture_begin(t);
		int rc = heaplog_parse(&log, "t.log", (const unsigned char *)w.out.s, n);

		err = tu_capture_end(t);
		if (n < HEAPFMT_MAGIC_LEN + 2) {
			assert_int_equal(rc, -1);
			assert_string_equal(err, "t.log: error: not an ounce heap log\n");
		} else {
			char want[80];

			assert_int_equal(rc, 0);
			assert_true(log.truncated);
			assert_true(log.n <= 8);
			snprintf(want, sizeof(want),
				 "ounce: warning: t.log: truncated after %zu events (process killed?)\n",
				 log.n);
			assert_string_equal(err, want);
			analyse(&log);
		}
		free(err);
	}
	assert_int_equal(parse(&log, &w), 0);
	assert_false(log.truncated);
	assert_int_equal(log.n, 8);
	heaplog_release(&log);
	buf_release(&w.out);
}

/* Flip every bit of every byte: an error or a warning (or a clean parse of other
 * numbers), never a crash, and at most one line on stderr. */
static void
test_heaplog_flipped_bytes(void **state)
{
	struct tu_tmp *t = *state;
	struct heap_log log = HEAP_LOG_INIT;
	struct hw w;
	char *copy, *err;

	build_sample(&w);
	copy = xmalloc(w.out.len);
	for (size_t i = 0; i < w.out.len; i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(copy, w.out.s, w.out.len);
			copy[i] ^= (char)(1u << bit);
			tu_capture_begin(t);
			int rc = heaplog_parse(&log, "t.log", (const unsigned char *)copy,
					       w.out.len);

			err = tu_capture_end(t);
			if (rc < 0) {
				assert_true(strstr(err, "not an ounce heap log") ||
					    strstr(err, "unknown record 0x") ||
					    strstr(err, "malformed number") ||
					    strstr(err, "names a frame not defined") ||
					    strstr(err, "header flags 0x") ||
					    strstr(err, "packed records are damaged") ||
					    strstr(err, "packed record"));
			} else {
				analyse(&log);
			}
			assert_true(!*err || strchr(err, '\n') == err + strlen(err) - 1);
			free(err);
		}
	}
	heaplog_release(&log);
	free(copy);
	buf_release(&w.out);
}

static void
test_heaplog_errors(void **state)
{
	struct tu_tmp *t = *state;
	struct heap_log log = HEAP_LOG_INIT;
	struct hw w;
	char *err, want[80];
	size_t off;

	hw_begin(&w, "x");
	w.out.s[0] = 'X';
	tu_capture_begin(t);
	assert_int_equal(parse(&log, &w), -1);
	err = tu_capture_end(t);
	assert_string_equal(err, "t.log: error: not an ounce heap log\n");
	free(err);
	w.out.s[0] = 'O';
	w.out.s[7] = 2;	/* version */
	tu_capture_begin(t);
	assert_int_equal(parse(&log, &w), -1);
	err = tu_capture_end(t);
	assert_string_equal(err, "t.log: error: not an ounce heap log\n");
	free(err);
	w.out.s[7] = HEAPFMT_VERSION;

	/* an unknown tag, named with its offset */
	hw_malloc(&w, 0, 8, 0x10);
	off = w.out.len;
	buf_addc(&w.out, 0x42);
	hw_leb(&w, 1);
	tu_capture_begin(t);
	assert_int_equal(parse(&log, &w), -1);
	err = tu_capture_end(t);
	snprintf(want, sizeof(want), "t.log:%zu: error: unknown record 0x42\n", off);
	assert_string_equal(err, want);
	free(err);

	/* a number of 11 bytes */
	w.out.len = off;
	buf_addc(&w.out, HEAPFMT_FREE);
	for (int i = 0; i < 10; i++) {
		buf_addc(&w.out, (char)0x80);
	}
	buf_addc(&w.out, 0);
	tu_capture_begin(t);
	assert_int_equal(parse(&log, &w), -1);
	err = tu_capture_end(t);
	snprintf(want, sizeof(want), "t.log:%zu: error: malformed number in record 0x04\n", off);
	assert_string_equal(err, want);
	free(err);

	/* no trailer: a warning, and what is there */
	w.out.len = off;
	hw_free(&w, 0, 0x10);
	tu_capture_begin(t);
	assert_int_equal(parse(&log, &w), 0);
	err = tu_capture_end(t);
	assert_string_equal(err,
			    "ounce: warning: t.log: truncated after 2 events (process killed?)\n");
	assert_true(log.truncated);
	assert_int_equal(log.n, 2);
	free(err);

	/* a missing file */
	tu_capture_begin(t);
	assert_int_equal(heaplog_read(&log, "/nonexistent/t.log"), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "/nonexistent/t.log");
	free(err);
	heaplog_release(&log);
	buf_release(&w.out);
}

/* The pointer table against a plain array of keys, with heavy deletion. */
static void
test_heaplog_map(void **state)
{
	enum { N = 3000 };
	struct heaplog_map m = HEAPLOG_MAP_INIT;
	static uint64_t val[N];
	static bool in[N];
	uint64_t v;

	(void)state;
	srand(7);
	for (int round = 0; round < 40000; round++) {
		size_t k = (size_t)rand() % N;
		uint64_t key = (uint64_t)k * 16;	/* key 0 included */

		if (rand() % 3) {
			bool had = heaplog_map_put(&m, key, (uint64_t)round, &v);

			assert_int_equal(had, in[k]);
			if (had) {
				assert_int_equal(v, val[k]);
			}
			in[k] = true;
			val[k] = (uint64_t)round;
		} else {
			bool had = heaplog_map_take(&m, key, &v);

			assert_int_equal(had, in[k]);
			if (had) {
				assert_int_equal(v, val[k]);
			}
			in[k] = false;
		}
	}
	for (size_t k = 0; k < N; k++) {
		assert_int_equal(heaplog_map_get(&m, (uint64_t)k * 16, &v), in[k]);
		if (in[k]) {
			assert_int_equal(v, val[k]);
		}
	}
	heaplog_map_release(&m);
}

static void
test_heaplog_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(units_parse_size("4096", &v));
	assert_int_equal(v, 4096);
	assert_true(units_parse_size("4K", &v));
	assert_int_equal(v, 4096);
	assert_true(units_parse_size("4KiB", &v));
	assert_int_equal(v, 4096);
	assert_true(units_parse_size("1M", &v));
	assert_int_equal(v, 1 << 20);
	assert_true(units_parse_size("2MiB", &v));
	assert_int_equal(v, 2 << 20);
	assert_false(units_parse_size("", &v));
	assert_false(units_parse_size("K", &v));
	assert_false(units_parse_size("4X", &v));
	assert_false(units_parse_size("-1", &v));
	assert_int_equal(heaplog_align_up(13, 8), 16);
	assert_int_equal(heaplog_align_up(16, 8), 16);
	assert_int_equal(heaplog_align_up(13, 1), 13);
	assert_true(heaplog_align_up(UINT64_MAX - 1, 8) == UINT64_MAX);
}

/* heaplog_read: a log with a bad record leaves nothing for the caller to free
 * (it used to keep the events read before it, and `heap stats` leaked them); a
 * FIFO or a device is refused at once, never waited on or read without end. */
static void
test_heaplog_read_errors(void **state)
{
	struct tu_tmp *t = *state;
	struct heap_log log = HEAP_LOG_INIT;
	struct hw w;
	char *path = xasprintf("%s/bad.log", t->dir), *fifo = xasprintf("%s/fifo", t->dir);
	char *err;

	hw_begin(&w, "x");
	for (int i = 0; i < 100; i++) {
		hw_malloc(&w, 1, 16, 0x1000 + 16 * (uint64_t)i);
	}
	buf_addc(&w.out, 0x42);
	assert_int_equal(hw_save(&w, path), 0);
	buf_release(&w.out);
	tu_capture_begin(t);
	assert_int_equal(heaplog_read(&log, path), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "unknown record 0x42");
	free(err);
	assert_null(log.ev);
	assert_null(log.exe);
	assert_int_equal(log.n, 0);

	assert_int_equal(mkfifo(fifo, 0600), 0);
	tu_capture_begin(t);
	assert_int_equal(heaplog_read(&log, fifo), -1);
	assert_int_equal(heaplog_read(&log, "/dev/zero"), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "not a regular file");
	tu_assert_contains(err, "'/dev/zero'");
	free(err);
	free(path);
	free(fifo);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_heaplog_records, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_heaplog_stacks),
		cmocka_unit_test(test_heaplog_zigzag),
		cmocka_unit_test(test_heaplog_threads),
		cmocka_unit_test_setup_teardown(test_heaplog_truncated_everywhere, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_heaplog_flipped_bytes, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_heaplog_errors, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_heaplog_read_errors, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_heaplog_map),
		cmocka_unit_test(test_heaplog_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
