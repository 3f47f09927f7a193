/* test_heapsites.c: symbolising frames with libdw and summing stacks into
 * sites, on logs written by hand whose frames are return addresses inside this
 * very test program (and the C library it runs with), so libdw resolves them
 * against a real ELF file with debug info. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "heap/heapfmt.h"
#include "heap/heaplog.h"
#include "heap/heapsites.h"
#include "heap/heapsym.h"
#include "heapwrite.h"
#include "testutil.h"

/* Three functions that stand for allocation sites, and one for main; never
 * called, only their addresses are used. */
__attribute__((noinline)) void fixture_site_small(void);
__attribute__((noinline)) void fixture_site_big(void);
__attribute__((noinline)) void fixture_caller(void);

__attribute__((noinline)) void
fixture_site_small(void)
{
	__asm__ volatile("");
}

__attribute__((noinline)) void
fixture_site_big(void)
{
	__asm__ volatile("");
}

__attribute__((noinline)) void
fixture_caller(void)
{
	__asm__ volatile("");
}

/* Where this program and the C library are loaded. */
struct where {
	uint64_t exe_start, exe_end, exe_bias;
	uint64_t libc_start, libc_end, libc_bias;
	char libc[512];
};

static int
find_objects(struct dl_phdr_info *info, size_t size, void *data)
{
	struct where *w = data;
	uint64_t lo = UINT64_MAX, hi = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD) {
			uint64_t a = info->dlpi_addr + ph->p_vaddr;

			lo = a < lo ? a : lo;
			hi = a + ph->p_memsz > hi ? a + ph->p_memsz : hi;
		}
	}
	if (!info->dlpi_name[0]) {
		w->exe_start = lo;
		w->exe_end = hi;
		w->exe_bias = info->dlpi_addr;
	} else if (strstr(info->dlpi_name, "/libc.so")) {
		w->libc_start = lo;
		w->libc_end = hi;
		w->libc_bias = info->dlpi_addr;
		snprintf(w->libc, sizeof(w->libc), "%s", info->dlpi_name);
	}
	return 0;
}

/* A return address inside f: the call it stands for is at f itself. */
static uint64_t
ret_in(void (*f)(void))
{
	return (uint64_t)(uintptr_t)f + 1;
}

/* A log of this program: small (24 B) twice, one freed; big (1000 B) once,
 * leaked; one from inside the C library called by the caller (its site is the
 * caller); one without a stack. The peak is after the big one. */
static void
write_log(struct hw *w, const struct where *wh, const char *exe)
{
	uint64_t main_f, small_f, big_f, libc_f;

	hw_begin_flags(w, exe, HEAPFMT_FLAG_STACKS);
	hw_object(w, wh->exe_start, wh->exe_end, wh->exe_bias, NULL, 0, exe);
	hw_object(w, wh->libc_start, wh->libc_end, wh->libc_bias, NULL, 0, wh->libc);
	main_f = hw_frame(w, 0, ret_in(fixture_caller));
	small_f = hw_frame(w, main_f, ret_in(fixture_site_small));
	big_f = hw_frame(w, main_f, ret_in(fixture_site_big));
	libc_f = hw_frame(w, main_f, wh->libc_start + 0x1000);
	w->stack = small_f;
	hw_malloc(w, 1, 24, 0x1000);
	hw_malloc(w, 1, 24, 0x1100);
	hw_free(w, 1, 0x1000);
	w->stack = big_f;
	hw_malloc(w, 1, 1000, 0x2000);	/* the peak: 24 + 1000 */
	hw_free(w, 1, 0x1100);
	w->stack = libc_f;
	hw_malloc(w, 1, 16, 0x3000);
	hw_free(w, 1, 0x3000);
	w->stack = 0;
	hw_malloc(w, 1, 8, 0x4000);
	hw_free(w, 1, 0x4000);
	hw_trailer(w, 9, 0, 0);
}

static const struct heapsites_site *
site_named(const struct heapsites *hs, const char *prefix)
{
	for (size_t i = 0; i < hs->n; i++) {
		if (!strncmp(hs->sites[i].label, prefix, strlen(prefix))) {
			return &hs->sites[i];
		}
	}
	return NULL;
}

static void
test_heapsites_resolve_and_sum(void **state)
{
	struct tu_tmp *t = *state;
	struct where wh = {0};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapsym sym = HEAPSYM_INIT;
	struct heapsites hs = HEAPSITES_INIT;
	const struct heapsites_site *s;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct hw w;
	char *err;

	assert_true(n > 0);
	exe[n] = '\0';
	dl_iterate_phdr(find_objects, &wh);
	assert_true(wh.exe_end > wh.exe_start);
	assert_true(wh.libc_end > wh.libc_start);
	write_log(&w, &wh, exe);
	assert_int_equal(heaplog_parse(&log, "t.log", (const unsigned char *)w.out.s, w.out.len),
			 0);
	tu_capture_begin(t);
	heapsym_resolve(&sym, &log);
	err = tu_capture_end(t);
	assert_string_equal(err, "");
	free(err);

	assert_int_equal(sym.n, 5);
	assert_string_equal(sym.frames[1].func, "fixture_caller");
	assert_non_null(sym.frames[2].file);
	assert_non_null(strstr(sym.frames[2].file, "test_heapsites.c"));
	assert_true(sym.frames[2].line > 0);
	assert_non_null(strstr(sym.frames[2].label, "fixture_site_small (test_heapsites.c:"));
	assert_string_equal(sym.frames[2].name, "fixture_site_small");

	heapsites_compute(&hs, &log, &sym, NULL, 0);
	assert_int_equal(hs.n, 4);
	assert_int_equal(hs.peak_bytes, 1024);
	assert_int_equal(hs.peak_event, 4);
	/* largest at the peak first */
	assert_non_null(strstr(hs.sites[0].label, "fixture_site_big"));
	assert_non_null(strstr(hs.sites[1].label, "fixture_site_small"));
	s = site_named(&hs, "fixture_site_big");
	assert_int_equal(s->f.peak_bytes, 1000);
	assert_int_equal(s->f.peak_blocks, 1);
	assert_int_equal(s->f.leak_bytes, 1000);
	assert_int_equal(s->f.leak_blocks, 1);
	assert_int_equal(s->f.allocs, 1);
	s = site_named(&hs, "fixture_site_small");
	assert_int_equal(s->f.peak_bytes, 24);
	assert_int_equal(s->f.allocs, 2);
	assert_int_equal(s->f.total_bytes, 48);
	assert_int_equal(s->f.leak_bytes, 0);
	assert_int_equal(s->f.largest, 24);
	/* the C library's frame is not a site: its caller is */
	s = site_named(&hs, "fixture_caller");
	assert_non_null(s);
	assert_int_equal(s->f.allocs, 1);
	assert_int_equal(s->f.total_bytes, 16);
	s = site_named(&hs, "(no stack)");
	assert_non_null(s);
	assert_int_equal(s->frame, 0);
	assert_int_equal(s->f.total_bytes, 8);
	assert_int_equal(hs.all.allocs, 5);
	assert_int_equal(hs.all.leak_bytes, 1000);
	heapsites_release(&hs);

	/* --skip: the small site's function is a wrapper, so its caller is the site */
	const char *skip[] = {"fixture_site_s*"};

	heapsites_compute(&hs, &log, &sym, skip, 1);
	assert_null(site_named(&hs, "fixture_site_small"));
	s = site_named(&hs, "fixture_caller");
	assert_int_equal(s->f.allocs, 3);
	assert_int_equal(s->f.total_bytes, 24 + 24 + 16);
	assert_int_equal(s->nstacks, 2);
	heapsites_release(&hs);
	heapsym_release(&sym);
	heaplog_release(&log);
	buf_release(&w.out);
}

/* An object that is gone: said once, its frames as object+offset. */
static void
test_heapsites_gone(void **state)
{
	struct tu_tmp *t = *state;
	struct heap_log log = HEAP_LOG_INIT;
	struct heapsym sym = HEAPSYM_INIT;
	struct hw w;
	char *err;

	hw_begin_flags(&w, "/gone/prog", HEAPFMT_FLAG_STACKS);
	hw_object(&w, 0x400000, 0x500000, 0, "\x01\x02", 2, "/gone/prog");
	w.stack = hw_frame(&w, 0, 0x400123);
	w.stack = hw_frame(&w, w.stack, 0x400456);
	hw_malloc(&w, 1, 10, 0x1000);
	hw_frame(&w, 0, 0x900000);
	hw_trailer(&w, 1, 0, 0);
	assert_int_equal(heaplog_parse(&log, "t.log", (const unsigned char *)w.out.s, w.out.len),
			 0);
	tu_capture_begin(t);
	heapsym_resolve(&sym, &log);
	err = tu_capture_end(t);
	assert_string_equal(err, "ounce: warning: '/gone/prog' is not there any more: its frames "
				 "show as object+offset\n");
	free(err);
	assert_string_equal(sym.frames[1].label, "prog+0x400122");
	assert_string_equal(sym.frames[2].label, "prog+0x400455");
	assert_string_equal(sym.frames[3].label, "0x8fffff");
	assert_int_equal(sym.unresolved, 3);
	heapsym_release(&sym);
	heaplog_release(&log);
	buf_release(&w.out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_heapsites_resolve_and_sum, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_heapsites_gone, tu_setup_tmpdir,
						tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
