/* test_diff.c: two size reports compared by symbol, section and component (what
 * --explain prints of them: test_explain.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "elf/diff.h"
#include "elf/size.h"
#include "testutil.h"

/* Add a symbol row to a hand-built report. */
static void
add_symbol(struct size_report *r, const char *name, unsigned long long bytes)
{
	struct size_symbol *s;

	r->symbols = xreallocarray(r->symbols, r->nsymbols + 1, sizeof(*r->symbols));
	s = &r->symbols[r->nsymbols++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->raw = xstrdup(name);
	s->section = xstrdup(".text");
	s->component = xstrdup("unattributed");
	s->bytes = bytes;
	s->kind = 'T';
}

/* Add a section row to a hand-built report. */
static void
add_section(struct size_report *r, const char *name, unsigned long long bytes,
	    unsigned long long vm)
{
	struct size_section *s;

	r->sections = xreallocarray(r->sections, r->nsections + 1, sizeof(*r->sections));
	s = &r->sections[r->nsections++];
	s->name = xstrdup(name);
	s->bytes = bytes;
	s->vm_bytes = vm;
	s->synthetic = name[0] == '[';
}

/* Add a component row to a hand-built report. */
static void
add_component(struct size_report *r, const char *name, unsigned long long bytes)
{
	r->components = xreallocarray(r->components, r->ncomponents + 1, sizeof(*r->components));
	r->components[r->ncomponents].name = xstrdup(name);
	r->components[r->ncomponents].bytes = bytes;
	r->ncomponents++;
}

/* Fail unless row i of t is name, old -> new, change. */
static void
check_row(const struct diff_table *t, size_t i, const char *name, long long old_bytes,
	  long long new_bytes, enum diff_change change)
{
	assert_true(i < t->n);
	assert_string_equal(t->v[i].name, name);
	assert_int_equal(t->v[i].old_bytes, old_bytes);
	assert_int_equal(t->v[i].new_bytes, new_bytes);
	assert_int_equal(t->v[i].change, change);
}

static void
test_diff_classifies_symbols(void **state)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	(void)state;
	add_symbol(&a, "keep", 100);
	add_symbol(&a, "shrink", 50);
	add_symbol(&a, "gone", 30);
	add_symbol(&a, "grow", 10);
	add_symbol(&b, "keep", 100);
	add_symbol(&b, "grow", 25);
	add_symbol(&b, "shrink", 20);
	add_symbol(&b, "new", 7);
	diff_compute(&a, &b, &d);
	/* largest absolute change first, then by name; "keep" is unchanged */
	assert_int_equal(d.symbols.n, 4);
	check_row(&d.symbols, 0, "gone", 30, 0, DIFF_REMOVED);
	check_row(&d.symbols, 1, "shrink", 50, 20, DIFF_SHRUNK);
	check_row(&d.symbols, 2, "grow", 10, 25, DIFF_GROWN);
	check_row(&d.symbols, 3, "new", 0, 7, DIFF_ADDED);
	assert_int_equal(d.sections.n, 0);
	assert_int_equal(d.components.n, 0);
	diff_release(&d);
	assert_null(d.symbols.v);
	assert_int_equal(d.symbols.n, 0);
	size_report_release(&a);
	size_report_release(&b);
}

static void
test_diff_change_names(void **state)
{
	(void)state;
	assert_string_equal(diff_change_name(DIFF_ADDED), "added");
	assert_string_equal(diff_change_name(DIFF_REMOVED), "removed");
	assert_string_equal(diff_change_name(DIFF_GROWN), "grown");
	assert_string_equal(diff_change_name(DIFF_SHRUNK), "shrunk");
}

static void
test_diff_sums_names_that_normalise_to_one(void **state)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	(void)state;
	/* renumbered clones of the same size: no row */
	add_symbol(&a, "foo.constprop.0", 40);
	add_symbol(&b, "foo.constprop.1", 40);
	/* a clone and its original are one function */
	add_symbol(&a, "bar.isra.0", 10);
	add_symbol(&a, "bar", 5);
	add_symbol(&b, "bar", 20);
	/* split into a hot and a cold part, same bytes in all */
	add_symbol(&a, "baz", 10);
	add_symbol(&b, "baz.part.0", 8);
	add_symbol(&b, "baz.cold", 2);
	/* a new Rust hash is the same function */
	add_symbol(&a, "std::io::_print::h0123456789abcdef", 64);
	add_symbol(&b, "std::io::_print::hfedcba9876543210", 70);
	/* renumbered and grown */
	add_symbol(&a, "qux.constprop.0", 3);
	add_symbol(&b, "qux.constprop.1", 4);
	diff_compute(&a, &b, &d);
	assert_int_equal(d.symbols.n, 3);
	check_row(&d.symbols, 0, "std::io::_print", 64, 70, DIFF_GROWN);
	check_row(&d.symbols, 1, "bar", 15, 20, DIFF_GROWN);
	check_row(&d.symbols, 2, "qux", 3, 4, DIFF_GROWN);
	diff_release(&d);
	size_report_release(&a);
	size_report_release(&b);
}

static void
test_diff_sections_and_totals(void **state)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	(void)state;
	a.bytes = 10000;
	b.bytes = 9000;
	add_section(&a, "[ELF header]", 64, 0);
	add_section(&a, ".text", 3000, 3000);
	add_section(&a, ".data", 100, 100);
	add_section(&a, ".bss", 0, 400);
	add_section(&a, ".comment", 39, 0);
	add_section(&a, ".gone", 16, 16);
	add_section(&a, "[padding]", 500, 0);
	add_section(&b, "[ELF header]", 64, 0);
	add_section(&b, ".text", 2000, 2000);
	add_section(&b, ".data", 100, 100);
	add_section(&b, ".bss", 0, 4400);
	add_section(&b, ".comment", 39, 0);
	add_section(&b, ".new", 8, 8);
	add_section(&b, "[padding]", 600, 0);
	diff_compute(&a, &b, &d);
	/* .bss by its memory size; unchanged sections omitted */
	assert_int_equal(d.sections.n, 5);
	check_row(&d.sections, 0, ".bss", 400, 4400, DIFF_GROWN);
	check_row(&d.sections, 1, ".text", 3000, 2000, DIFF_SHRUNK);
	check_row(&d.sections, 2, "[padding]", 500, 600, DIFF_GROWN);
	check_row(&d.sections, 3, ".gone", 16, 0, DIFF_REMOVED);
	check_row(&d.sections, 4, ".new", 0, 8, DIFF_ADDED);
	/* the totals are the files' sizes, not sums of rows */
	assert_int_equal(d.old_total, 10000);
	assert_int_equal(d.new_total, 9000);
	assert_int_equal(d.symbols.n, 0);
	diff_release(&d);
	size_report_release(&a);
	size_report_release(&b);
}

static void
test_diff_components(void **state)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	(void)state;
	add_component(&a, "main.o", 500);
	add_component(&a, "util.o", 200);
	add_component(&a, "unattributed", 30);
	add_component(&b, "main.o", 450);
	add_component(&b, "util.o", 200);
	add_component(&b, "libc.a(printf.o)", 1000);
	diff_compute(&a, &b, &d);
	assert_int_equal(d.components.n, 3);
	check_row(&d.components, 0, "libc.a(printf.o)", 0, 1000, DIFF_ADDED);
	check_row(&d.components, 1, "main.o", 500, 450, DIFF_SHRUNK);
	check_row(&d.components, 2, "unattributed", 30, 0, DIFF_REMOVED);
	diff_release(&d);
	size_report_release(&a);
	size_report_release(&b);
}

static void
test_diff_ties_are_sorted_by_name(void **state)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	(void)state;
	add_symbol(&a, "zeta", 10);
	add_symbol(&a, "alpha", 20);
	add_symbol(&b, "alpha", 10);
	add_symbol(&b, "mid", 10);
	add_symbol(&b, "zeta", 20);
	add_symbol(&b, "big", 11);
	diff_compute(&a, &b, &d);
	assert_int_equal(d.symbols.n, 4);
	check_row(&d.symbols, 0, "big", 0, 11, DIFF_ADDED);
	check_row(&d.symbols, 1, "alpha", 20, 10, DIFF_SHRUNK);
	check_row(&d.symbols, 2, "mid", 0, 10, DIFF_ADDED);
	check_row(&d.symbols, 3, "zeta", 10, 20, DIFF_GROWN);
	diff_release(&d);
	size_report_release(&a);
	size_report_release(&b);
}

static void
test_diff_of_equal_or_empty_reports(void **state)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	(void)state;
	diff_compute(&a, &b, &d);
	assert_int_equal(d.symbols.n, 0);
	assert_int_equal(d.sections.n, 0);
	assert_int_equal(d.components.n, 0);
	assert_int_equal(d.old_total, 0);
	assert_int_equal(d.new_total, 0);
	diff_release(&d);

	a.bytes = b.bytes = 777;
	add_symbol(&a, "f", 1);
	add_symbol(&b, "f", 1);
	add_section(&a, ".text", 1, 1);
	add_section(&b, ".text", 1, 1);
	add_component(&a, "f.o", 1);
	add_component(&b, "f.o", 1);
	diff_compute(&a, &b, &d);
	assert_int_equal(d.symbols.n + d.sections.n + d.components.n, 0);
	assert_int_equal(d.old_total, 777);
	assert_int_equal(d.new_total, 777);
	diff_release(&d);
	/* released twice is harmless */
	diff_release(&d);
	size_report_release(&a);
	size_report_release(&b);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_diff_classifies_symbols),
		T(test_diff_change_names),
		T(test_diff_sums_names_that_normalise_to_one),
		T(test_diff_sections_and_totals),
		T(test_diff_components),
		T(test_diff_ties_are_sorted_by_name),
		T(test_diff_of_equal_or_empty_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
