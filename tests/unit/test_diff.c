/* test_diff.c: two size reports compared by symbol, section and component, and
 * explain_cell's line for a cell against its baseline built by the real gcc. */
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
#include "report/explain.h"
#include "report/result.h"
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

/* explain_cell: a baseline at -O2 and a cell at -Os of the same program. */
struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct results r;
	struct cell *base, *os, *same, *missing, *failed;
};

static const char prog_c[] =
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"static int v[4096];\n"
	"__attribute__((noinline)) long\n"
	"mix(int n)\n"
	"{\n"
	"\tlong s = 0;\n"
	"\tfor (int i = 0; i < n; i++) {\n"
	"\t\tv[i & 4095] = v[(i * 7) & 4095] * 3 + i;\n"
	"\t\ts += v[i & 4095] * (long)i;\n"
	"\t}\n"
	"\tfor (int i = 0; i < 4096; i++) {\n"
	"\t\ts += v[i] / (i + 1);\n"
	"\t}\n"
	"\treturn s;\n"
	"}\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\tprintf(\"%ld\\n\", mix(argc > 1 ? atoi(argv[1]) : 100000));\n"
	"\treturn 0;\n"
	"}\n";

#define RUN(f, ...) tu_run((f)->t.dir, (const char *const[]){__VA_ARGS__, NULL}, NULL, 120)

/* A cell of build "default" whose artifact is DIR/file. */
static struct cell *
add_cell(struct fixture *f, const char *name, const char *file, enum cell_status status)
{
	struct cell *c = cell_new(name);

	c->build = xstrdup("default");
	c->status = status;
	c->artifact = xasprintf("%s/%s", f->t.dir, file);
	results_add_cell(&f->r, c);
	return c;
}

static int
setup_cells(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	char *src = tu_write_file(f->t.dir, "prog.c", prog_c);

	*state = f;
	free(src);
	if (RUN(f, "gcc", "-O2", "-o", "prog-O2", "prog.c") < 0 ||
	    RUN(f, "gcc", "-Os", "-o", "prog-Os", "prog.c") < 0 ||
	    RUN(f, "gcc", "-O2", "-o", "prog-O2-again", "prog.c") < 0) {
		return -1;
	}
	f->base = add_cell(f, "baseline", "prog-O2", CELL_OK);
	f->os = add_cell(f, "os", "prog-Os", CELL_OK);
	f->same = add_cell(f, "same", "prog-O2-again", CELL_OK);
	f->missing = add_cell(f, "missing", "no-such-file", CELL_OK);
	f->failed = add_cell(f, "failed", "prog-Os", CELL_BUILD_FAILED);
	results_set_baseline(&f->r, "default", "baseline");
	return 0;
}

static int
teardown_cells(void **state)
{
	struct fixture *f = *state;

	results_release(&f->r);
	return tu_fixture_free(f);
}

static void
test_diff_explain_cell_names_text(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	const char *s;

	assert_ptr_equal(results_baseline_of(&f->r, f->os), f->base);
	explain_cell(&f->r, f->os, 3, &out);
	s = buf_str(&out);
	if (strncmp(s, "    where: ", 11)) {
		fail_msg("expected '    where: ...', got '%s'", s);
	}
	tu_assert_contains(s, ".text ");
	/* one line, no newline at the end */
	assert_null(strchr(s, '\n'));
	/* the code changed, so the function did */
	tu_assert_contains(s, "; ");
	buf_release(&out);

	/* explain appends */
	buf_adds(&out, "x");
	explain_cell(&f->r, f->os, 1, &out);
	assert_int_equal(strncmp(buf_str(&out), "x    where: ", 12), 0);
	buf_release(&out);
}

static void
test_diff_explain_cell_gives_nothing_without_a_change(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;

	/* the baseline against itself */
	explain_cell(&f->r, f->base, 3, &out);
	assert_int_equal(out.len, 0);
	/* the same build again: nothing changed */
	explain_cell(&f->r, f->same, 3, &out);
	assert_int_equal(out.len, 0);
	/* an artifact that is not there */
	explain_cell(&f->r, f->missing, 3, &out);
	assert_int_equal(out.len, 0);
	/* a cell that failed */
	explain_cell(&f->r, f->failed, 3, &out);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void
test_diff_explain_cell_without_a_baseline_artifact(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;

	/* the build's baseline is a cell whose artifact is missing */
	results_set_baseline(&f->r, "default", "missing");
	explain_cell(&f->r, f->os, 3, &out);
	assert_int_equal(out.len, 0);
	/* a baseline that is no cell */
	results_set_baseline(&f->r, "default", "nobody");
	explain_cell(&f->r, f->os, 3, &out);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

#define T(f) cmocka_unit_test(f)
#define TC(f) cmocka_unit_test_setup_teardown(f, setup_cells, teardown_cells)

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
		TC(test_diff_explain_cell_names_text),
		TC(test_diff_explain_cell_gives_nothing_without_a_change),
		TC(test_diff_explain_cell_without_a_baseline_artifact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
