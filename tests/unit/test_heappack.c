/* test_heappack.c: packed logs against the raw logs they come from: random raw
 * logs (every record kind, stacks, threads, unknown frees), followed in random
 * pieces and packed as they are read, read back with the same events, the same
 * statistics and the same sites; a packed log cut short or damaged gives a
 * message, never a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "heap/heapfmt.h"
#include "heap/heaplog.h"
#include "heap/heappack.h"
#include "heap/heapstats.h"
#include "heapwrite.h"
#include "testutil.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

/* A random raw log with stacks: allocations of a few sizes from a few stacks,
 * frees of live blocks (and now and then of an address never handed out),
 * reallocs, threads, a failure, and a trailer. */
static void
random_log(struct hw *w, int events)
{
	uint64_t live[64], frames[8];
	size_t nlive = 0, nframes = 0;
	uint64_t next_ptr = 0x10000;

	hw_begin_flags(w, "/bin/random", HEAPFMT_FLAG_STACKS);
	hw_object(w, 0x400000, 0x500000, 0, "\xaa\xbb", 2, "/bin/random");
	frames[nframes++] = hw_frame(w, 0, 0x400100);
	for (int i = 0; i < events; i++) {
		uint64_t dt = rnd(3) ? 0 : rnd(50), r = rnd(20);

		if (nframes < 8 && rnd(30) == 0) {
			frames[nframes] =
			    hw_frame(w, frames[rnd(nframes)], 0x400000 + rnd(0x10000));
			nframes++;
		}
		w->stack = rnd(10) ? frames[rnd(nframes)] : 0;
		if (rnd(40) == 0) {
			hw_thread(w, 100 + rnd(3));
		}
		if (r < 8 && nlive < 64) {
			live[nlive] = next_ptr;
			next_ptr += 0x40;
			switch (rnd(3)) {
			case 0:
				hw_malloc(w, dt, 8 << rnd(4), live[nlive]);
				break;
			case 1:
				hw_calloc(w, dt, 1 + rnd(3), 16, live[nlive]);
				break;
			default:
				hw_aligned(w, dt, HEAPFMT_FN_ALIGNED_ALLOC, 64, 64, live[nlive]);
				break;
			}
			nlive++;
		} else if (r < 15 && nlive) {
			size_t k = rnd(nlive);

			hw_free(w, dt, live[k]);
			live[k] = live[--nlive];
		} else if (r < 18 && nlive) {
			size_t k = rnd(nlive);

			hw_realloc(w, dt, live[k], 8 + rnd(100), next_ptr);
			live[k] = next_ptr;
			next_ptr += 0x40;
		} else if (r == 18) {
			hw_free(w, dt, 0x7777000 + rnd(100) * 16);	/* never handed out */
		} else {
			hw_fail(w, dt, HEAPFMT_FN_MALLOC, UINT64_C(1) << 40);
		}
	}
	hw_trailer(w, (uint64_t)events, 3, 0);
}

static void
check_eq_len(size_t n)
{
	assert_int_equal(n, HEAPFMT_HEADER_FIXED + 1 + strlen("/bin/random"));
}

/* Follow the raw bytes in random pieces, packing as they are read, into path. */
static void
pack_followed(const struct hw *w, const char *path)
{
	struct heaplog_follow *f = heaplog_follow_new("raw.log", false);
	struct heappack_writer *pw = NULL;
	size_t have = 0, done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	while (done < w->out.len || !pw) {
		size_t used;
		bool last;

		have += 1 + rnd(200);
		if (have > w->out.len) {
			have = w->out.len;
		}
		last = have == w->out.len;
		assert_int_equal(heaplog_follow_feed(f, (const unsigned char *)w->out.s + done,
						     have - done, last, &used),
				 0);
		done += used;
		if (heaplog_follow_started(f) && !pw) {
			/* the header is the bytes before the first record */
			check_eq_len(heaplog_follow_started(f));
			pw = heappack_begin(fd, path, (const unsigned char *)w->out.s,
					    heaplog_follow_started(f));
			assert_non_null(pw);
		}
		if (pw) {
			heappack_feed(pw, heaplog_follow_log(f));
			heaplog_follow_log(f)->n = 0;
		}
		if (last) {
			break;
		}
	}
	assert_int_equal(heappack_end(pw, heaplog_follow_log(f)), 0);
	heaplog_follow_free(f);
	close(fd);
}

static void
same_stats(const struct heap_log *a, const struct heap_log *b)
{
	struct heapstats x = HEAPSTATS_INIT, y = HEAPSTATS_INIT;

	heapstats_compute(&x, a, 8);
	heapstats_compute(&y, b, 8);
	assert_int_equal(x.nsizes, y.nsizes);
	for (size_t i = 0; i < x.nsizes; i++) {
		assert_int_equal(x.sizes[i].size, y.sizes[i].size);
		assert_int_equal(x.sizes[i].max_load, y.sizes[i].max_load);
		assert_int_equal(x.sizes[i].total, y.sizes[i].total);
	}
	assert_int_equal(x.allocations, y.allocations);
	assert_int_equal(x.frees, y.frees);
	assert_int_equal(x.reallocs, y.reallocs);
	assert_int_equal(x.failed, y.failed);
	assert_int_equal(x.unknown_frees, y.unknown_frees);
	assert_int_equal(x.peak_bytes, y.peak_bytes);
	assert_int_equal(x.peak_event, y.peak_event);
	assert_int_equal(x.peak_t_us, y.peak_t_us);
	assert_int_equal(x.live_blocks, y.live_blocks);
	assert_int_equal(x.live_bytes, y.live_bytes);
	heapstats_release(&x);
	heapstats_release(&y);
}

static void
test_heappack_round_trip(void **state)
{
	struct tu_tmp *t = *state;
	char *path = xasprintf("%s/packed.log", t->dir);

	for (int round = 0; round < 40; round++) {
		struct heap_log raw = HEAP_LOG_INIT, packed = HEAP_LOG_INIT;
		struct hw w;

		random_log(&w, 50 + (int)rnd(400));
		assert_int_equal(heaplog_parse(&raw, "raw.log", (const unsigned char *)w.out.s,
					       w.out.len),
				 0);
		pack_followed(&w, path);
		assert_int_equal(heaplog_read(&packed, path), 0);
		assert_true(packed.flags & HEAPFMT_FLAG_PACKED);
		assert_true(packed.flags & HEAPFMT_FLAG_STACKS);
		assert_false(packed.truncated);
		assert_true(packed.ended);
		assert_int_equal(packed.lost, 3);
		assert_string_equal(packed.exe, "/bin/random");
		assert_int_equal(packed.n, raw.n);
		for (size_t i = 0; i < raw.n; i++) {
			assert_int_equal(packed.ev[i].kind, raw.ev[i].kind);
			assert_int_equal(packed.ev[i].fn, raw.ev[i].fn);
			assert_int_equal(packed.ev[i].size, raw.ev[i].size);
			assert_int_equal(packed.ev[i].align, raw.ev[i].align);
			assert_int_equal(packed.ev[i].stack, raw.ev[i].stack);
			assert_int_equal(packed.ev[i].tid, raw.ev[i].tid);
			assert_int_equal(packed.ev[i].t_us, raw.ev[i].t_us);
		}
		assert_int_equal(packed.nframes, raw.nframes);
		for (size_t i = 1; i < raw.nframes; i++) {
			assert_true(packed.frames[i].ip == raw.frames[i].ip);
			assert_int_equal(packed.frames[i].parent, raw.frames[i].parent);
			assert_int_equal(packed.frames[i].object, raw.frames[i].object);
		}
		assert_int_equal(packed.nobjects, 1);
		assert_int_equal(packed.objects[0].build_id_len, 2);
		same_stats(&raw, &packed);
		heaplog_release(&raw);
		heaplog_release(&packed);
		buf_release(&w.out);
	}
	free(path);
}

/* Cut a packed log anywhere, or flip a byte of it: a warning or one error line. */
static void
test_heappack_damaged(void **state)
{
	struct tu_tmp *t = *state;
	char *path = xasprintf("%s/packed.log", t->dir), *err;
	struct heap_log log = HEAP_LOG_INIT;
	struct buf b = BUF_INIT;
	struct hw w;
	FILE *f;

	random_log(&w, 300);
	pack_followed(&w, path);
	f = fopen(path, "rb");
	assert_non_null(f);
	for (int c; (c = getc(f)) != EOF;) {
		buf_addc(&b, (char)c);
	}
	fclose(f);
	for (size_t n = HEAPFMT_HEADER_FIXED + 13; n < b.len; n += 7) {
		tu_capture_begin(t);
		assert_int_equal(heaplog_parse(&log, "p.log", (const unsigned char *)b.s, n), 0);
		err = tu_capture_end(t);
		assert_true(log.truncated);
		assert_non_null(strstr(err, "truncated after"));
		free(err);
	}
	for (size_t i = HEAPFMT_HEADER_FIXED + 13; i < b.len; i++) {
		b.s[i] ^= 0x5a;
		tu_capture_begin(t);
		int rc = heaplog_parse(&log, "p.log", (const unsigned char *)b.s, b.len);

		err = tu_capture_end(t);
		assert_true(rc == 0 || strstr(err, "damaged") || strstr(err, "malformed"));
		assert_true(!*err || strchr(err, '\n') == err + strlen(err) - 1);
		free(err);
		b.s[i] ^= 0x5a;
	}
	heaplog_release(&log);
	buf_release(&b);
	buf_release(&w.out);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_heappack_round_trip, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_heappack_damaged, tu_setup_tmpdir,
						tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
