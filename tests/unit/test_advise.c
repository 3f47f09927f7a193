/* test_advise.c: advice on real binaries built by the real gcc (debug info,
 * stripped without unwind tables, two identical functions), and on reports made
 * by hand for the thresholds of the rules that read sections and symbols. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "config/profile.h"
#include "elf/advise.h"
#include "elf/size.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	char *debug;		/* prog built with -g */
	char *stripped;		/* prog stripped, without unwind tables */
	char *twins;		/* twins.c: two identical functions */
	char *exported;		/* prog linked with -rdynamic: it exports its symbols */
	struct profile_set profiles;	/* the built-in profiles */
};

static const char prog[] =
	"#include <stdio.h>\n"
	"static int table[64];\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\t(void)argv;\n"
	"\ttable[argc & 63] = argc;\n"
	"\tprintf(\"%d\\n\", table[1] + argc);\n"
	"\treturn 0;\n"
	"}\n";

/* twin_a and twin_b: the same body, never inlined, each well over 16 bytes */
static const char twins[] =
	"#include <stdio.h>\n"
	"__attribute__((noinline)) long\n"
	"twin_a(const long *v, int n)\n"
	"{\n"
	"\tlong s = 0;\n"
	"\tfor (int i = 0; i < n; i++)\n"
	"\t\ts = s * 31 + v[i] * (i + 7) - (v[i] >> 3);\n"
	"\treturn s;\n"
	"}\n"
	"__attribute__((noinline)) long\n"
	"twin_b(const long *v, int n)\n"
	"{\n"
	"\tlong s = 0;\n"
	"\tfor (int i = 0; i < n; i++)\n"
	"\t\ts = s * 31 + v[i] * (i + 7) - (v[i] >> 3);\n"
	"\treturn s;\n"
	"}\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\tlong v[4] = {argc, 2, 3, 4};\n"
	"\t(void)argv;\n"
	"\tprintf(\"%ld %ld\\n\", twin_a(v, argc), twin_b(v + 1, argc));\n"
	"\treturn 0;\n"
	"}\n";

#define RUN(f, ...) TU_RUN((f)->t.dir, __VA_ARGS__)

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	char *src = tu_write_file(f->t.dir, "prog.c", prog);
	char *tw = tu_write_file(f->t.dir, "twins.c", twins);
	char *dir = tu_source_path("profiles");
	int rc = 0;

	*state = f;
	f->profiles = (struct profile_set)PROFILE_SET_INIT;
	f->debug = xasprintf("%s/prog-g", f->t.dir);
	f->stripped = xasprintf("%s/prog-s", f->t.dir);
	f->twins = xasprintf("%s/twins", f->t.dir);
	f->exported = xasprintf("%s/prog-rdynamic", f->t.dir);
	/* -fno-ipa-icf: gcc must not fold the twins itself */
	if (RUN(f, "gcc", "-O2", "-g", "-o", f->debug, src) < 0 ||
	    RUN(f, "gcc", "-O2", "-s", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
		"-o", f->stripped, src) < 0 ||
	    RUN(f, "gcc", "-O2", "-fno-ipa-icf", "-o", f->twins, tw) < 0 ||
	    RUN(f, "gcc", "-O2", "-rdynamic", "-o", f->exported, src) < 0 ||
	    profile_load_dir(&f->profiles, dir) < 0) {
		rc = -1;
	}
	free(src);
	free(tw);
	free(dir);
	return rc;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->debug);
	free(f->stripped);
	free(f->twins);
	free(f->exported);
	profile_set_release(&f->profiles);
	return tu_fixture_free(f);
}

/* Read path into r and write its advice into out; returns advise_report's count. */
static int
advise_file(const char *path, const struct profile_set *profiles, struct size_report *r,
	    struct buf *out)
{
	char err[256] = "";

	assert_int_equal(size_read(path, r, err, sizeof(err)), 0);
	assert_int_equal(size_attribute(r, NULL, err, sizeof(err)), 0);
	return advise_report(r, profiles, out);
}

/* The last line of s (without its newline), copied. */
static char *
last_line(const char *s)
{
	size_t n = strlen(s);
	const char *p;

	assert_true(n > 0);
	assert_int_equal(s[n - 1], '\n');
	for (p = s + n - 1; p > s && p[-1] != '\n'; p--) {
	}
	return xstrndup(p, (size_t)(s + n - 1 - p));
}

/* Fail unless the last line counts n suggestions. */
static void
assert_count_line(const char *s, int n)
{
	char *line = last_line(s);
	char *want;

	if (n) {
		want = xasprintf("%d suggestion%s; run `ounce matrix` to measure %s", n,
				 n == 1 ? "" : "s", n == 1 ? "it" : "them");
	} else {
		want = xstrdup("0 suggestions: nothing measured in this file calls for a profile");
	}

	assert_string_equal(line, want);
	free(line);
	free(want);
}

/* Bytes of the sections of r whose name starts with prefix. */
static unsigned long long
prefix_bytes(const struct size_report *r, const char *prefix)
{
	unsigned long long t = 0;

	for (size_t i = 0; i < r->nsections; i++) {
		if (!strncmp(r->sections[i].name, prefix, strlen(prefix))) {
			t += r->sections[i].bytes;
		}
	}
	return t;
}

static void
test_advise_debug_info(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;
	unsigned long long debug;
	char *want;
	int n = advise_file(f->debug, &f->profiles, &r, &out);

	debug = prefix_bytes(&r, ".debug_") + prefix_bytes(&r, ".zdebug_");
	assert_true(debug > 0);
	want = xasprintf("Debug info takes %llu bytes (%.1f%% of the file). Profile strip removes "
			 "it (trade-off: debuggability: ", debug,
			 (double)debug * 100.0 / (double)r.bytes);
	tu_assert_contains(buf_str(&out), want);
	free(want);
	/* the symbol table too: also strip */
	want = xasprintf("The symbol table (.symtab and .strtab) takes %llu bytes",
			 prefix_bytes(&r, ".symtab") + prefix_bytes(&r, ".strtab"));
	tu_assert_contains(buf_str(&out), want);
	free(want);
	assert_true(n >= 2);
	assert_count_line(buf_str(&out), n);
	/* the first line names the file and its bytes */
	want = xasprintf("%s: %llu bytes (", f->debug, r.bytes);
	assert_int_equal(strncmp(buf_str(&out), want, strlen(want)), 0);
	free(want);
	buf_release(&out);
	size_report_release(&r);
}

/* A profile's run-time cost measured by ounce matrix --bench is quoted: in place
 * of a speed trade-off's presumed note, after another trade-off's note. */
static void
test_advise_measured_cost(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;
	struct strv costs = STRV_INIT;
	char err[256] = "";
	int n;

	strv_setenv(&costs, "strip", "+0.1% CPU (median of 3)");
	assert_int_equal(size_read(f->debug, &r, err, sizeof(err)), 0);
	assert_int_equal(size_attribute(&r, NULL, err, sizeof(err)), 0);
	n = advise_report_costs(&r, &f->profiles, &costs, &out);
	assert_true(n >= 2);
	tu_assert_contains(buf_str(&out), "Profile strip removes it (trade-off: debuggability: ");
	tu_assert_contains(buf_str(&out), "; at run time, measured: +0.1% CPU (median of 3))");
	buf_release(&out);
	size_report_release(&r);
	strv_release(&costs);
}

static void
test_advise_stripped_without_unwind_tables(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;
	int n = advise_file(f->stripped, &f->profiles, &r, &out);

	assert_null(strstr(buf_str(&out), "Debug info"));
	assert_null(strstr(buf_str(&out), "symbol table"));
	assert_null(strstr(buf_str(&out), "Unwind tables"));
	assert_null(strstr(buf_str(&out), "Identical functions"));
	assert_null(strstr(buf_str(&out), "strip"));
	assert_null(strstr(buf_str(&out), "abort"));
	assert_count_line(buf_str(&out), n);
	buf_release(&out);
	size_report_release(&r);
}

/* The symbol called name in r. */
static const struct size_symbol *
symbol(const struct size_report *r, const char *name)
{
	for (size_t i = 0; i < r->nsymbols; i++) {
		if (!strcmp(r->symbols[i].name, name)) {
			return &r->symbols[i];
		}
	}
	fail_msg("no symbol %s", name);
	return NULL;
}

static void
test_advise_identical_functions(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;
	const struct size_symbol *a, *b;
	char *want;

	advise_file(f->twins, &f->profiles, &r, &out);
	a = symbol(&r, "twin_a");
	b = symbol(&r, "twin_b");
	assert_int_equal(a->bytes, b->bytes);
	assert_true(a->bytes > 16);
	want = xasprintf("Identical functions: 1 group of functions has identical bytes (2 "
			 "functions; e.g. twin_a and twin_b, %llu bytes each); folding them would "
			 "save %llu bytes (%.1f%% of the file). Profile lld folds them", a->bytes,
			 a->bytes, (double)a->bytes * 100.0 / (double)r.bytes);
	tu_assert_contains(buf_str(&out), want);
	free(want);
	tu_assert_contains(buf_str(&out), "--icf=all can give two distinct functions one address");
	buf_release(&out);
	size_report_release(&r);
}

static void
test_advise_exported_symbols(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;
	unsigned long long dyn;
	char *want;

	advise_file(f->exported, &f->profiles, &r, &out);
	dyn = prefix_bytes(&r, ".dynsym") + prefix_bytes(&r, ".dynstr");
	want = xasprintf("Dynamic symbols (.dynsym and .dynstr) take %llu bytes (%.1f%% of the "
			 "file); ", dyn, (double)dyn * 100.0 / (double)r.bytes);
	tu_assert_contains(buf_str(&out), want);
	free(want);
	tu_assert_contains(buf_str(&out), "Profile vis hides the ones not marked visible "
			   "(trade-off: abi");
	tu_assert_contains(buf_str(&out), "profile gc drops the unused ones (trade-off: none)");
	buf_release(&out);
	size_report_release(&r);

	/* without -rdynamic, .dynsym holds imports only: nothing to say */
	advise_file(f->debug, &f->profiles, &r, &out);
	assert_null(strstr(buf_str(&out), "Dynamic symbols"));
	buf_release(&out);
	size_report_release(&r);
}

static void
test_advise_without_profiles(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;

	advise_file(f->debug, NULL, &r, &out);
	tu_assert_contains(buf_str(&out),
			   "Profile strip removes it (trade-off: see `ounce profiles`)");
	buf_release(&out);
	size_report_release(&r);
}

/* A report made by hand: a file of 100000 bytes that does not exist (so no rule
 * reads the file), with sections and symbols added by the test. */
static void
fake_report(struct size_report *r)
{
	memset(r, 0, sizeof(*r));
	r->file = xstrdup("/nonexistent/ounce-advise-test");
	r->bytes = 100000;
	r->attribution = xstrdup("map");
}

static void
fake_section(struct size_report *r, const char *name, unsigned long long bytes)
{
	r->sections = xreallocarray(r->sections, r->nsections + 1, sizeof(*r->sections));
	r->sections[r->nsections++] = (struct size_section){
		xstrdup(name), bytes, bytes, name[0] == '[',
	};
}

static void
fake_symbol(struct size_report *r, const char *name, const char *section, const char *component,
	    unsigned long long bytes)
{
	struct size_symbol *s;

	r->symbols = xreallocarray(r->symbols, r->nsymbols + 1, sizeof(*r->symbols));
	s = &r->symbols[r->nsymbols++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->raw = xstrdup(name);
	s->section = xstrdup(section);
	s->component = xstrdup(component);
	s->bytes = bytes;
	s->kind = 'T';
}

static void
test_advise_thresholds(void **state)
{
	struct fixture *f = *state;
	struct size_report r;
	struct buf out = BUF_INIT;
	int n;

	/* every figure at or below its threshold */
	fake_report(&r);
	fake_section(&r, ".text", 80000);
	fake_section(&r, ".eh_frame", 2000);
	fake_section(&r, ".eh_frame_hdr", 1000);	/* 3.0%: not above 3% */
	fake_section(&r, ".rela.dyn", 2000);		/* 2.0% */
	fake_section(&r, "[padding]", 4096);		/* 4 KiB, 4.1% */
	fake_symbol(&r, "_IO_stdin_used", ".rodata", "crt1.o", 4);
	fake_symbol(&r, "main", ".text", "main.o", 500);
	n = advise_report(&r, &f->profiles, &out);
	assert_int_equal(n, 0);
	assert_null(strstr(buf_str(&out), "Unwind"));
	assert_null(strstr(buf_str(&out), "relocations"));
	assert_null(strstr(buf_str(&out), "padding"));
	assert_null(strstr(buf_str(&out), "Formatting"));
	assert_null(strstr(buf_str(&out), "allocator"));
	assert_count_line(buf_str(&out), 0);
	buf_release(&out);
	size_report_release(&r);

	/* every figure just above */
	fake_report(&r);
	fake_section(&r, ".text", 80000);
	fake_section(&r, ".eh_frame", 3001);
	fake_section(&r, ".rela.dyn", 2001);
	fake_section(&r, "[padding]", 4097);
	fake_section(&r, ".comment", 39);
	fake_section(&r, ".bss", 0);
	fake_symbol(&r, "__vfprintf_internal", ".text", "libc.a(vfprintf.o)", 1500);
	fake_symbol(&r, "je_malloc", ".text", "libjemalloc_pic.a(jemalloc.o)", 1200);
	fake_symbol(&r, "pool_alloc", ".text", "src/pool.o", 300);
	fake_symbol(&r, "arena", ".bss", "src/pool.o", 30000);
	n = advise_report(&r, &f->profiles, &out);
	tu_assert_contains(buf_str(&out), "Unwind tables (.eh_frame, .eh_frame_hdr, "
			   ".gcc_except_table) take 3001 bytes (3.0% of the file). Profile abort");
	tu_assert_contains(buf_str(&out), "Dynamic relocations (.rela.dyn) take 2001 bytes (2.0% "
			   "of the file). Profile relr");
	tu_assert_contains(buf_str(&out), "needs glibc 2.36");
	tu_assert_contains(buf_str(&out), "profile nopie");
	tu_assert_contains(buf_str(&out), "Layout padding between segments takes 4097 bytes "
			   "(4.1% of the file). Profile nosep");
	tu_assert_contains(buf_str(&out), "profile norelro (-Wl,-z,norelro) removes the RELRO "
			   "segment's alignment too, at a cost in security (trade-off: security");
	tu_assert_contains(buf_str(&out), "The bundled allocator takes 1500 bytes (1.5% of the "
			   "file) in 2 symbols (the largest: je_malloc), and 30000 bytes of zeroed "
			   "memory (.bss) at run time; the system malloc costs none in the file. "
			   "Profile allocator");
	tu_assert_contains(buf_str(&out), "(trade-off: ram");
	tu_assert_contains(buf_str(&out), "Formatting machinery (printf, strtod, locales, "
			   "iostreams, Rust's core::fmt) takes 1500 bytes (1.5% of the file) in 1 "
			   "symbol (the largest: __vfprintf_internal). No profile removes it");
	tu_assert_contains(buf_str(&out), "Identification (.comment) takes 39 bytes (less than "
			   "0.1% of the file). Profile noid removes it");
	/* unwind, allocator, padding, relocations, ident; formatting is information */
	assert_int_equal(n, 5);
	assert_count_line(buf_str(&out), 5);
	buf_release(&out);
	size_report_release(&r);
}

static void
test_advise_padding_by_share(void **state)
{
	struct fixture *f = *state;
	struct size_report r;
	struct buf out = BUF_INIT;

	/* under 4 KiB, but over 5% of a small file */
	fake_report(&r);
	r.bytes = 20000;
	fake_section(&r, "[padding]", 1001);
	assert_int_equal(advise_report(&r, &f->profiles, &out), 1);
	tu_assert_contains(buf_str(&out), "Layout padding between segments takes 1001 bytes "
			   "(5.0% of the file)");
	buf_release(&out);
	size_report_release(&r);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_advise_debug_info),
		T(test_advise_stripped_without_unwind_tables),
		T(test_advise_identical_functions),
		T(test_advise_exported_symbols),
		T(test_advise_without_profiles),
		T(test_advise_thresholds),
		T(test_advise_padding_by_share),
		T(test_advise_measured_cost),
	};

	/* the programs are built once for the whole group */
	return cmocka_run_group_tests(tests, setup, teardown);
}
