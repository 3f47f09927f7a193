/* test_component.c: components read from the map files of GNU ld and lld and
 * from DWARF, for programs built by the real gcc and clang, plus crates of
 * demangled Rust names. */
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
#include "elf/component.h"
#include "testutil.h"

/* One build of the test program: gcc with GNU ld, or clang with lld. */
struct build {
	char *dir;	/* DIR/gnu or DIR/lld: objects, libx.a, prog, out.map */
	char *prog;	/* linked with -g and a map file */
	char *map;	/* out.map */
	unsigned long long main_addr, util_add_addr, long_addr, lib_mul_addr;
	unsigned long long counter_addr, table_addr;
};

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct build gnu, lld;
	char *nodebug;	/* the same program without -g */
	char *text;	/* notes.txt: not a map file */
};

#define LONG_NAME "a_function_whose_name_is_far_too_long_for_the_map_column"

static const char main_c[] =
	"int util_add(int, int);\n"
	"int lib_mul(int, int);\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\t(void)argv;\n"
	"\treturn util_add(argc, 1) + lib_mul(argc, 2);\n"
	"}\n";

static const char util_c[] =
	"int util_counter = 7;\n"
	"int\n"
	LONG_NAME "(int a)\n"
	"{\n"
	"\treturn a * 3 + util_counter;\n"
	"}\n"
	"int\n"
	"util_add(int a, int b)\n"
	"{\n"
	"\treturn a + b + " LONG_NAME "(a);\n"
	"}\n";

static const char lib_c[] =
	"int lib_table[64];\n"
	"int\n"
	"lib_mul(int a, int b)\n"
	"{\n"
	"\tlib_table[a & 63] = b;\n"
	"\treturn a * b;\n"
	"}\n";

/* Run argv in dir; 0 when it exits 0, else -1. */
#define RUN(dir, out, ...) tu_run((dir), (const char *const[]){__VA_ARGS__, NULL}, (out), 120)

/* The address of sym in nm's output, or 0. */
static unsigned long long
nm_addr(const char *nm, const char *sym)
{
	const char *p = nm;
	size_t len = strlen(sym);

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		unsigned long long addr;
		char kind;
		int used = 0;

		if (sscanf(p, "%llx %c %n", &addr, &kind, &used) == 2 && used &&
		    n == (size_t)used + len && !memcmp(p + used, sym, len)) {
			return addr;
		}
		p += n + (eol ? 1 : 0);
	}
	return 0;
}

/* Compile the three files with cc into DIR/sub, put lib.o into libx.a and link
 * with a map file; ldflag picks the linker. */
static int
build(struct fixture *f, struct build *b, const char *sub, const char *cc, const char *ldflag)
{
	struct buf nm = BUF_INIT;
	const char *const files[] = {"main", "util", "lib"};

	b->dir = xasprintf("%s/%s", f->t.dir, sub);
	b->prog = xasprintf("%s/prog", b->dir);
	b->map = xasprintf("%s/out.map", b->dir);
	for (size_t i = 0; i < 3; i++) {
		const char *text = i == 0 ? main_c : i == 1 ? util_c : lib_c;
		char *name = xasprintf("%s/%s.c", sub, files[i]);
		char *src = tu_write_file(f->t.dir, name, text);
		char *obj = xasprintf("%s.o", files[i]);
		int rc = RUN(b->dir, NULL, cc, "-g", "-O0", "-ffunction-sections",
			     "-fdata-sections", "-c", "-o", obj, src);

		free(name);
		free(src);
		free(obj);
		if (rc < 0) {
			return -1;
		}
	}
	/* relative names, so the map names "main.o" and "libx.a(lib.o)" */
	if (RUN(b->dir, NULL, "ar", "rcs", "libx.a", "lib.o") < 0 ||
	    RUN(b->dir, NULL, cc, "-g", ldflag, "-o", "prog", "main.o", "util.o", "libx.a",
		"-Wl,-Map,out.map") < 0 ||
	    RUN(b->dir, &nm, "nm", "prog") < 0) {
		buf_release(&nm);
		return -1;
	}
	b->main_addr = nm_addr(buf_str(&nm), "main");
	b->util_add_addr = nm_addr(buf_str(&nm), "util_add");
	b->long_addr = nm_addr(buf_str(&nm), LONG_NAME);
	b->lib_mul_addr = nm_addr(buf_str(&nm), "lib_mul");
	b->counter_addr = nm_addr(buf_str(&nm), "util_counter");
	b->table_addr = nm_addr(buf_str(&nm), "lib_table");
	buf_release(&nm);
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	char *src;
	int rc;

	*state = f;
	f->text = tu_write_file(f->t.dir, "notes.txt", "just some notes\n.text 0x10 0x20 a.o\n");
	if (build(f, &f->gnu, "gnu", "gcc", "-fuse-ld=bfd") < 0 ||
	    build(f, &f->lld, "lld", "clang", "-fuse-ld=lld") < 0) {
		return -1;
	}
	src = tu_write_file(f->t.dir, "plain/all.c", "int main(void) { return 0; }\n");
	f->nodebug = xasprintf("%s/plain/prog", f->t.dir);
	rc = RUN(f->t.dir, NULL, "gcc", "-O0", "-o", f->nodebug, src);
	free(src);
	return rc;
}

static void
build_release(struct build *b)
{
	free(b->dir);
	free(b->prog);
	free(b->map);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	build_release(&f->gnu);
	build_release(&f->lld);
	free(f->nodebug);
	free(f->text);
	return tu_fixture_free(f);
}

/* Fail unless m is sorted, non-empty ranges that do not overlap. */
static void
assert_disjoint(const struct component_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		assert_true(m->v[i].start < m->v[i].end);
		assert_non_null(m->v[i].name);
		if (i) {
			assert_true(m->v[i - 1].end <= m->v[i].start);
		}
	}
}

/* Fail unless the component at addr is want or ends in "/want". */
static void
assert_component(const struct component_map *m, unsigned long long addr, const char *want)
{
	const char *got = component_lookup(m, addr);
	const char *base;

	assert_true(addr != 0);
	if (!got) {
		fail_msg("no component at %#llx, expected '%s'", addr, want);
	}
	/* a path's last part; but "libx.a(lib.o)" as a whole */
	base = strrchr(got, '/');
	base = base && !strchr(want, '/') ? base + 1 : got;
	if (strcmp(base, want)) {
		fail_msg("component at %#llx is '%s', expected '%s'", addr, got, want);
	}
}

/* The objects and the archive member that every program is made of. */
static void
assert_objects(const struct component_map *m, const struct build *b)
{
	assert_disjoint(m);
	assert_component(m, b->main_addr, "main.o");
	assert_component(m, b->main_addr + 1, "main.o");
	assert_component(m, b->util_add_addr, "util.o");
	assert_component(m, b->long_addr, "util.o");
	assert_component(m, b->lib_mul_addr, "libx.a(lib.o)");
	assert_component(m, b->counter_addr, "util.o");
	assert_component(m, b->table_addr, "libx.a(lib.o)");
}

static void
test_component_gnu_ld_map(void **state)
{
	struct fixture *f = *state;
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";

	assert_int_equal(component_from_linker_map(f->gnu.map, &m, err, sizeof(err)), 0);
	assert_objects(&m, &f->gnu);
	/* debug sections sit at address 0: none of their input sections is kept */
	assert_null(component_lookup(&m, 0));
	component_map_release(&m);
	assert_null(m.v);
	assert_int_equal(m.n, 0);
}

static void
test_component_lld_map(void **state)
{
	struct fixture *f = *state;
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";

	assert_int_equal(component_from_linker_map(f->lld.map, &m, err, sizeof(err)), 0);
	assert_objects(&m, &f->lld);
	assert_null(component_lookup(&m, 0));
	component_map_release(&m);
}

static void
test_component_gnu_ld_map_details(void **state)
{
	struct fixture *f = *state;
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";
	char *path = tu_write_file(
		f->t.dir, "gnu.map",
		"Discarded input sections\n"
		"\n"
		" .text          0x0000000000000000       0x40 discarded.o\n"
		"\n"
		"Linker script and memory map\n"
		"\n"
		"LOAD main.o\n"
		"                0x0000000000001000                . = ALIGN (0x1000)\n"
		"\n"
		".text           0x0000000000001000      0x100\n"
		" *(.text .text.*)\n"
		" .text          0x0000000000001000       0x20 main.o\n"
		"                0x0000000000001000                main\n"
		" .text          0x0000000000001020        0x0 empty.o\n"
		" *fill*         0x0000000000001020       0x10 \n"
		" .text.a_very_long_section_name\n"
		"                0x0000000000001030       0x10 /path with space/util.o\n"
		"                0x0000000000001030                util\n"
		" .text          0x0000000000001038       0x20 overlap.o\n"
		" .text          0x0000000000001058        0x8 main.o\n"
		"\n"
		".data\n"
		"                0x0000000000002000       0x10\n"
		" .data          0x0000000000002000       0x10 libx.a(data.o)\n"
		"\n"
		".tbss           0x0000000000002010       0x40\n"
		" .tbss          0x0000000000002010       0x40 tls.o\n"
		"\n"
		".comment        0x0000000000000000       0x27\n"
		" .comment       0x0000000000000000       0x27 main.o\n"
		"                                         0x28 (size before relaxing)\n"
		"\n"
		".debug_info     0x0000000000000000      0x1b5\n"
		" .debug_info    0x0000000000000000       0xb2 main.o\n"
		"OUTPUT(prog elf64-x86-64)\n");

	assert_int_equal(component_from_linker_map(path, &m, err, sizeof(err)), 0);
	assert_disjoint(&m);
	assert_string_equal(component_lookup(&m, 0x1000), "main.o");
	assert_string_equal(component_lookup(&m, 0x101f), "main.o");
	/* fill belongs to no one */
	assert_null(component_lookup(&m, 0x1020));
	assert_string_equal(component_lookup(&m, 0x1030), "/path with space/util.o");
	/* the later, overlapping range is trimmed to what util.o leaves */
	assert_string_equal(component_lookup(&m, 0x103f), "/path with space/util.o");
	assert_string_equal(component_lookup(&m, 0x1040), "overlap.o");
	assert_string_equal(component_lookup(&m, 0x105c), "main.o");
	assert_null(component_lookup(&m, 0x1060));
	assert_string_equal(component_lookup(&m, 0x2008), "libx.a(data.o)");
	/* neither thread-local bss, nor a discarded section, nor what is not loaded */
	assert_null(component_lookup(&m, 0x2010));
	assert_null(component_lookup(&m, 0x0));
	assert_int_equal(m.n, 5);
	component_map_release(&m);
	free(path);
}

static void
test_component_lld_map_details(void **state)
{
	struct fixture *f = *state;
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";
	char *path = tu_write_file(
		f->t.dir, "lld.map",
		"             VMA              LMA     Size Align Out     In      Symbol\n"
		"             2a8              2a8       1c     1 .interp\n"
		"             2a8              2a8       1c     1         <internal>:(.interp)\n"
		"            1000             1000       40    16 .text\n"
		"            1000             1000       26    16         /p/main.o:(.text)\n"
		"            1000             1000       26     1                 "
		"a::(anonymous namespace)::f:(x)\n"
		"            1030             1030       10    16         "
		"/usr/lib/libc_nonshared.a(elf-init.oS):(.text)\n"
		"            1040             1040        0     1         /p/empty.o:(.text)\n"
		"            1040             1040        0     1 . = ALIGN(0x1000)\n"
		"            2000             2000       10     8 .data\n"
		"            2000             2000       10     1         main.o:(.data+0x0)\n"
		"               0                0       42     1 .comment\n"
		"               0                0       42     1         <internal>:(.comment)\n"
		"               0                0      1b5     1 .debug_info\n"
		"               0                0       b2     1         main.o:(.debug_info)\n");

	assert_int_equal(component_from_linker_map(path, &m, err, sizeof(err)), 0);
	assert_disjoint(&m);
	assert_string_equal(component_lookup(&m, 0x2a8), "<internal>");
	assert_string_equal(component_lookup(&m, 0x1025), "/p/main.o");
	assert_null(component_lookup(&m, 0x1026));
	assert_string_equal(component_lookup(&m, 0x1030),
			    "/usr/lib/libc_nonshared.a(elf-init.oS)");
	assert_string_equal(component_lookup(&m, 0x200f), "main.o");
	assert_null(component_lookup(&m, 0x0));
	assert_int_equal(m.n, 4);
	component_map_release(&m);
	free(path);
}

static void
test_component_map_refuses_other_files(void **state)
{
	struct fixture *f = *state;
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";
	char *missing = xasprintf("%s/missing.map", f->t.dir);

	assert_int_equal(component_from_linker_map(f->text, &m, err, sizeof(err)), -1);
	tu_assert_contains(err, "not a linker map file");
	tu_assert_contains(err, f->text);
	assert_int_equal(m.n, 0);
	assert_int_equal(component_from_linker_map(missing, &m, err, sizeof(err)), -1);
	tu_assert_contains(err, "cannot open");
	assert_int_equal(component_from_linker_map(f->gnu.prog, &m, err, sizeof(err)), -1);
	tu_assert_contains(err, "not a linker map file");
	assert_int_equal(m.n, 0);
	free(missing);
}

/* The source files of one build, by DWARF. */
static void
assert_sources(const struct build *b)
{
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";

	assert_int_equal(component_from_dwarf(b->prog, &m, err, sizeof(err)), 1);
	assert_disjoint(&m);
	assert_component(&m, b->main_addr, "main.c");
	assert_component(&m, b->util_add_addr, "util.c");
	assert_component(&m, b->long_addr, "util.c");
	assert_component(&m, b->lib_mul_addr, "lib.c");
	/* variables too, though compile units' ranges cover code only */
	assert_component(&m, b->counter_addr, "util.c");
	assert_component(&m, b->table_addr + 63 * sizeof(int), "lib.c");
	component_map_release(&m);
}

static void
test_component_dwarf_of_gcc(void **state)
{
	struct fixture *f = *state;

	assert_sources(&f->gnu);
}

static void
test_component_dwarf_of_clang(void **state)
{
	struct fixture *f = *state;

	assert_sources(&f->lld);
}

static void
test_component_dwarf_without_debug_info(void **state)
{
	struct fixture *f = *state;
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";

	assert_int_equal(component_from_dwarf(f->nodebug, &m, err, sizeof(err)), 0);
	assert_null(m.v);
	assert_int_equal(m.n, 0);
}

static void
test_component_dwarf_refuses_what_is_not_elf(void **state)
{
	struct fixture *f = *state;
	struct component_map m = COMPONENT_MAP_INIT;
	char err[256] = "";
	char *missing = xasprintf("%s/missing", f->t.dir);

	assert_int_equal(component_from_dwarf(f->text, &m, err, sizeof(err)), -1);
	tu_assert_contains(err, "not an ELF file");
	assert_int_equal(component_from_dwarf(missing, &m, err, sizeof(err)), -1);
	tu_assert_contains(err, "cannot open");
	assert_int_equal(m.n, 0);
	free(missing);
}

static void
test_component_lookup(void **state)
{
	char a[] = "a.o", b[] = "b.o", c[] = "c.o";
	struct component_range v[] = {
		{0x10, 0x20, a},
		{0x20, 0x28, b},
		{0x40, 0x50, c},
	};
	struct component_map m = {v, 3};
	struct component_map empty = COMPONENT_MAP_INIT;

	(void)state;
	assert_null(component_lookup(&m, 0));
	assert_null(component_lookup(&m, 0xf));
	assert_string_equal(component_lookup(&m, 0x10), "a.o");
	assert_string_equal(component_lookup(&m, 0x1f), "a.o");
	assert_string_equal(component_lookup(&m, 0x20), "b.o");
	assert_null(component_lookup(&m, 0x28));
	assert_string_equal(component_lookup(&m, 0x4f), "c.o");
	assert_null(component_lookup(&m, 0x50));
	assert_null(component_lookup(&m, ~0ULL));
	assert_null(component_lookup(&empty, 0x10));
}

/* Fail unless component_crate(name) is want (NULL: no crate). */
static void
assert_crate(const char *name, const char *want)
{
	char *got = component_crate(name);

	if (!want) {
		if (got) {
			fail_msg("crate of '%s' is '%s', expected none", name, got);
		}
		return;
	}
	if (!got) {
		fail_msg("no crate for '%s', expected '%s'", name, want);
	}
	assert_string_equal(got, want);
	free(got);
}

static void
test_component_crate(void **state)
{
	(void)state;
	assert_crate("std::io::stdio::_print", "std");
	assert_crate("tinyrocket::main", "tinyrocket");
	assert_crate("<core::fmt::Error as core::fmt::Display>::fmt", "core");
	assert_crate("<tinyrocket::Server as core::ops::Drop>::drop", "tinyrocket");
	assert_crate("main", NULL);
	assert_crate("", NULL);
	assert_crate("_ZN3std2io5stdio6_print17h0123456789abcdefE", NULL);
	assert_crate("std::rt::lang_start::h0123456789abcdef", "std");
	assert_crate("core::ptr::drop_in_place<alloc::string::String>", "core");
	assert_crate("<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop", "alloc");
	/* a reference or a primitive has no crate: the trait's crate has the impl */
	assert_crate("<&mut tinyrocket::Server as core::fmt::Debug>::fmt", "tinyrocket");
	assert_crate("<str as core::fmt::Display>::fmt", "core");
	assert_crate("<&T as core::fmt::Debug>::fmt", "core");
	assert_crate("<<std::io::Error as core::fmt::Debug>::X as y::Z>::f", "std");
	assert_crate("<dyn core::any::Any>::type_id", "core");
	assert_crate("std[6d3f2b1a09c8e7f5]::io::stdio::_print", "std");
	assert_crate("(anonymous namespace)::f", NULL);
	assert_crate("operator new(unsigned long)", NULL);
}

/* A file the fuzzer made (fuzz_elf): its compile unit's name (DW_FORM_line_strp)
 * runs to the end of a cut .debug_line_str without a NUL, and libdw hands it back
 * as it is. It was read past the section's buffer (ASan, valgrind); now it is an
 * unnamed unit. */
static void
test_component_dwarf_string_past_its_section(void **state)
{
	struct component_map m = COMPONENT_MAP_INIT;
	char *path = tu_source_path("tests/unit/data/fuzz-dwarf-line-str-unterminated");
	char err[512] = "";
	int rc;

	(void)state;
	rc = component_from_dwarf(path, &m, err, sizeof(err));
	if (rc < 0) {
		fail_msg("component_from_dwarf: %s", err);
	}
	assert_int_equal(rc, 1);
	for (size_t i = 0; i < m.n; i++) {
		assert_string_equal(m.v[i].name, "<unnamed>");
	}
	component_map_release(&m);
	free(path);
}

/* Another (fuzz_elf, in this CI run): the unit's name (DW_FORM_strx)
 * starts exactly at the end of .debug_str, where no bound of a section held it and
 * strlen read past the buffer (ASan). Now it is an unnamed unit, or no unit. */
static void
test_component_dwarf_string_at_its_section_end(void **state)
{
	struct component_map m = COMPONENT_MAP_INIT;
	char *path = tu_source_path("tests/unit/data/fuzz-dwarf-strx-at-section-end");
	char err[512] = "";

	(void)state;
	if (component_from_dwarf(path, &m, err, sizeof(err)) > 0) {
		for (size_t i = 0; i < m.n; i++) {
			assert_string_equal(m.v[i].name, "<unnamed>");
		}
	}
	component_map_release(&m);
	free(path);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_component_gnu_ld_map),
		T(test_component_lld_map),
		T(test_component_gnu_ld_map_details),
		T(test_component_lld_map_details),
		T(test_component_map_refuses_other_files),
		T(test_component_dwarf_of_gcc),
		T(test_component_dwarf_of_clang),
		T(test_component_dwarf_without_debug_info),
		T(test_component_dwarf_refuses_what_is_not_elf),
		T(test_component_dwarf_string_past_its_section),
		T(test_component_dwarf_string_at_its_section_end),
		T(test_component_lookup),
		T(test_component_crate),
	};

	/* the programs are built once for the whole group */
	return cmocka_run_group_tests(tests, setup, teardown);
}
