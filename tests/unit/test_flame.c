/* test_flame.c: the size flame graph, from hand-built size reports: valid XML
 * (checked with xmllint), escaped names, one <title> per box, children inside
 * their parent, the grouping rule, labels, colours and boxes too small to draw. */
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
#include "elf/flame.h"
#include "elf/size.h"
#include "flameboxes.h"
#include "testutil.h"

/* Append a symbol; section ".text" makes it code. */
static void
add_sym(struct size_report *r, const char *name, unsigned long long bytes, const char *section,
	const char *component)
{
	struct size_symbol *s;

	r->symbols = xreallocarray(r->symbols, r->nsymbols + 1, sizeof(*r->symbols));
	s = &r->symbols[r->nsymbols++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->raw = xstrdup(name);
	s->bytes = bytes;
	s->section = xstrdup(section);
	s->component = xstrdup(component);
	s->kind = strcmp(section, ".text") ? 'D' : 'T';
}

/* The report most tests draw: 1000 bytes, each group a round share. */
static void
demo_report(struct size_report *r)
{
	r->file = xstrdup("demo");
	r->bytes = 4096;
	add_sym(r, "helper", 100, ".text", "src/main.c");
	add_sym(r, "main", 400, ".text", "src/main.c");
	add_sym(r, "table", 200, ".rodata", "src/data.c");
	add_sym(r, "util_fn", 150, ".text", "util.o");
	add_sym(r, "lib_x", 100, ".text", "lib/x/y.c");
	add_sym(r, "mystery", 50, ".data", "unattributed");
}

/* The SVG of r; the caller frees it. */
static char *
render(const struct size_report *r)
{
	struct buf b = BUF_INIT;

	flame_svg(r, &b);
	return buf_detach(&b);
}

/* The box whose title starts with "name: ", or NULL. */
static const struct box *
find_box(const struct boxes *bs, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < bs->n; i++) {
		const char *t = bs->v[i].title;

		if (!strncmp(t, name, len) && !strncmp(t + len, ": ", 2)) {
			return &bs->v[i];
		}
	}
	return NULL;
}

/* The first box whose title starts with prefix, or NULL. */
static const struct box *
find_prefix(const struct boxes *bs, const char *prefix)
{
	for (size_t i = 0; i < bs->n; i++) {
		if (!strncmp(bs->v[i].title, prefix, strlen(prefix))) {
			return &bs->v[i];
		}
	}
	return NULL;
}

/* Fail unless a box has exactly this title. */
static void
assert_title(const struct boxes *bs, const char *title)
{
	for (size_t i = 0; i < bs->n; i++) {
		if (!strcmp(bs->v[i].title, title)) {
			return;
		}
	}
	fail_msg("no box titled '%s'", title);
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s += strlen(what)) {
		n++;
	}
	return n;
}

/* Fail unless xmllint reads svg as well-formed XML. */
static void
assert_valid_xml(const struct tu_tmp *t, const char *svg)
{
	char *path = tu_write_file(t->dir, "flame.svg", svg);
	const char *argv[] = {"xmllint", "--noout", path, NULL};

	assert_int_equal(tu_run(t->dir, argv, NULL, 60), 0);
	free(path);
}

/* Fail unless every '&' in s starts one of the entities ounce writes and no
 * '<' or '>' is left. */
static void
assert_escaped(const char *s)
{
	static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;"};

	assert_null(strchr(s, '<'));
	assert_null(strchr(s, '>'));
	for (const char *p = s; (p = strchr(p, '&')); p++) {
		size_t i;

		for (i = 0; i < 4 && strncmp(p, ents[i], strlen(ents[i])); i++) {
		}
		if (i == 4) {
			fail_msg("bare '&' in '%s'", s);
		}
	}
}

static void
test_flame_is_a_self_contained_svg(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	char *svg;

	demo_report(&r);
	svg = render(&r);
	assert_valid_xml(*state, svg);
	assert_int_equal(strncmp(svg, "<?xml version=\"1.0\"", 19), 0);
	tu_assert_contains(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
				"width=\"1200\" height=\"");
	tu_assert_contains(svg, "viewBox=\"0 0 1200 ");
	tu_assert_contains(svg, "Size flame graph of demo");
	tu_assert_contains(svg, "1000 bytes in 6 symbols (file: 4096 bytes");
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "@import"));
	assert_int_equal(count(svg, "</svg>"), 1);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_escapes_markup_in_names(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	const struct box *long_box;
	struct boxes bs;
	char markup[141], *svg;

	r.file = xstrdup("a&b<c>.elf");
	add_sym(&r, "std::vector<int, std::allocator<int> >::push_back(int&&)", 500, ".text",
		"src/<gen>&\"x\".cc");
	add_sym(&r, "operator\"\" _km", 300, ".text", "q&a.o");
	/* a long name of markup in a box that fits part of it: no entity is cut */
	memset(markup, '<', sizeof(markup) - 1);
	markup[sizeof(markup) - 1] = '\0';
	add_sym(&r, markup, 150, ".rodata", "q&a.o");
	/* broken UTF-8 and a control character are not XML characters */
	add_sym(&r, "bad\xff\xfe\x01name", 50, ".data", "q&a.o");
	svg = render(&r);
	assert_valid_xml(*state, svg);
	parse_boxes(svg, &bs);
	assert_title(&bs, "std::vector&lt;int, std::allocator&lt;int&gt; &gt;"
			  "::push_back(int&amp;&amp;): 500 bytes (50.00%)");
	assert_title(&bs, "src/: 500 bytes (50.00%)");
	assert_title(&bs, "&lt;gen&gt;&amp;&quot;x&quot;.cc: 500 bytes (50.00%)");
	assert_title(&bs, "operator&quot;&quot; _km: 300 bytes (30.00%)");
	assert_title(&bs, "q&amp;a.o: 500 bytes (50.00%)");
	assert_title(&bs, "bad???name: 50 bytes (5.00%)");
	assert_title(&bs, "a&amp;b&lt;c&gt;.elf: 1000 bytes (100.00%)");
	tu_assert_contains(svg, "Size flame graph of a&amp;b&lt;c&gt;.elf");
	for (size_t i = 0; i < bs.n; i++) {
		assert_escaped(bs.v[i].title);
		if (bs.v[i].label) {
			assert_escaped(bs.v[i].label);
		}
	}
	long_box = find_prefix(&bs, "&lt;&lt;&lt;");
	assert_non_null(long_box);
	assert_non_null(long_box->label);
	/* 177 px: 24 characters fit, so 22 of them and ".." */
	assert_int_equal(count(long_box->label, "&lt;"), 22);
	assert_string_equal(long_box->label + strlen(long_box->label) - 6, "&lt;..");
	boxes_release(&bs);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_one_title_per_box_with_its_bytes(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	char *svg;

	(void)state;
	demo_report(&r);
	svg = render(&r);
	parse_boxes(svg, &bs);
	/* all, src/, main.c, main, helper, data.c, table, util.o, util_fn, lib/x/,
	 * y.c, lib_x, unattributed, mystery */
	assert_int_equal(bs.n, 14);
	assert_int_equal(count(svg, "<title>"), 14);
	assert_int_equal(count(svg, "</title>"), 14);
	/* the background is the one rect that is no box */
	assert_int_equal(count(svg, "<rect "), 15);
	assert_title(&bs, "demo: 1000 bytes (100.00%)");
	assert_title(&bs, "src/: 700 bytes (70.00%)");
	assert_title(&bs, "main.c: 500 bytes (50.00%)");
	assert_title(&bs, "main: 400 bytes (40.00%)");
	assert_title(&bs, "helper: 100 bytes (10.00%)");
	assert_title(&bs, "data.c: 200 bytes (20.00%)");
	assert_title(&bs, "table: 200 bytes (20.00%)");
	assert_title(&bs, "util.o: 150 bytes (15.00%)");
	assert_title(&bs, "util_fn: 150 bytes (15.00%)");
	assert_title(&bs, "lib/x/: 100 bytes (10.00%)");
	assert_title(&bs, "y.c: 100 bytes (10.00%)");
	assert_title(&bs, "lib_x: 100 bytes (10.00%)");
	assert_title(&bs, "unattributed: 50 bytes (5.00%)");
	assert_title(&bs, "mystery: 50 bytes (5.00%)");
	/* the bottom bar: the whole width, the file and the total */
	assert_true(bs.v[0].x == 10.0 && bs.v[0].w == 1180.0);
	assert_string_equal(bs.v[0].label, "demo: 1000 bytes");
	/* width is bytes: 40 % of 1180 px */
	assert_true(find_box(&bs, "main")->w == 472.0);
	boxes_release(&bs);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_groups_by_directory_then_file(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	double y0;
	char *svg;

	(void)state;
	demo_report(&r);
	add_sym(&r, "printf", 300, ".text", "/usr/lib/libc.a(stdio/printf.o)");
	add_sym(&r, "pow", 200, ".text", "libm.a(sub/e_pow.o)");
	add_sym(&r, "at_root", 100, ".text", "/start.o");
	svg = render(&r);
	parse_boxes(svg, &bs);
	y0 = bs.v[0].y;
	/* largest first, from the left */
	assert_string_equal(bs.v[1].title, "src/: 700 bytes (43.75%)");
	assert_true(find_box(&bs, "src/")->y == y0 - 18);
	assert_true(find_box(&bs, "main.c")->y == y0 - 36);
	assert_true(find_box(&bs, "main")->y == y0 - 54);
	assert_true(find_box(&bs, "main")->x < find_box(&bs, "helper")->x);
	/* no '/': the component is level 1 and its symbols sit on level 2 */
	assert_true(find_box(&bs, "util.o")->y == y0 - 18);
	assert_true(find_box(&bs, "util_fn")->y == y0 - 36);
	assert_true(find_box(&bs, "unattributed")->y == y0 - 18);
	assert_true(find_box(&bs, "mystery")->y == y0 - 36);
	/* a '/' inside an archive member's parentheses does not count */
	assert_title(&bs, "/usr/lib/: 300 bytes (18.75%)");
	assert_title(&bs, "libc.a(stdio/printf.o): 300 bytes (18.75%)");
	assert_true(find_box(&bs, "printf")->y == y0 - 54);
	assert_title(&bs, "libm.a(sub/e_pow.o): 200 bytes (12.50%)");
	assert_true(find_box(&bs, "libm.a(sub/e_pow.o)")->y == y0 - 18);
	assert_true(find_box(&bs, "pow")->y == y0 - 36);
	assert_title(&bs, "/: 100 bytes (6.25%)");
	assert_title(&bs, "start.o: 100 bytes (6.25%)");
	boxes_release(&bs);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_children_fit_in_their_parent(void **state)
{
	static const char *const comps[] = {
		"a/one.c", "a/two.c", "b/c/three.c", "four.o", "five", "a/six.c", "unattributed",
	};
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	unsigned long long seed = 12345;
	char *svg;

	r.file = xstrdup("odd");
	for (int i = 0; i < 300; i++) {
		char name[32];

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		snprintf(name, sizeof(name), "sym%d", i);
		add_sym(&r, name, 1 + (seed >> 33) % 997, i % 3 ? ".text" : ".data",
			comps[(seed >> 20) % 7]);
	}
	svg = render(&r);
	assert_valid_xml(*state, svg);
	parse_boxes(svg, &bs);
	assert_true(bs.n > 100);
	for (size_t i = 1; i < bs.n; i++) {
		const struct box *c = &bs.v[i], *p = NULL;
		double sum = 0;

		/* the parent: the box on the row below where c starts */
		for (size_t j = 0; j < bs.n; j++) {
			const struct box *q = &bs.v[j];

			if (q->y == c->y + 18 && q->x <= c->x && c->x < q->x + q->w) {
				p = q;
			}
		}
		assert_non_null(p);
		assert_true(c->x + c->w <= p->x + p->w + 1e-6);
		for (size_t j = 0; j < bs.n; j++) {
			const struct box *q = &bs.v[j];

			if (q->y == c->y && q->x >= p->x && q->x < p->x + p->w) {
				sum += q->w;
			}
		}
		assert_true(sum <= p->w + 1e-6);
	}
	boxes_release(&bs);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_empty_report_is_the_total_bar(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	char *svg;

	r.file = xstrdup("empty.o");
	svg = render(&r);
	assert_valid_xml(*state, svg);
	parse_boxes(svg, &bs);
	assert_int_equal(bs.n, 1);
	assert_int_equal(count(svg, "<title>"), 1);
	assert_string_equal(bs.v[0].title, "empty.o: 0 bytes (100.00%)");
	assert_true(bs.v[0].x == 10.0 && bs.v[0].w == 1180.0);
	assert_string_equal(bs.v[0].label, "empty.o: 0 bytes");
	tu_assert_contains(svg, "0 bytes in 0 symbols");
	boxes_release(&bs);
	free(svg);
	size_report_release(&r);

	/* symbols of no bytes draw nothing above the bar either */
	r.file = xstrdup("zeros");
	add_sym(&r, "z", 0, ".text", "z.o");
	svg = render(&r);
	assert_valid_xml(*state, svg);
	assert_int_equal(count(svg, "<title>"), 1);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_drops_tiny_boxes_but_counts_them(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	char *svg;

	(void)state;
	r.file = xstrdup("big");
	add_sym(&r, "huge", 998986, ".text", "big.o");
	add_sym(&r, "tiny", 4, ".text", "big.o");
	add_sym(&r, "lone", 10, ".data", "small.o");
	/* exactly 0.1 % of the total is still drawn */
	add_sym(&r, "edge", 1000, ".data", "edge.o");
	svg = render(&r);
	parse_boxes(svg, &bs);
	assert_null(find_box(&bs, "tiny"));
	assert_null(find_box(&bs, "lone"));
	assert_null(find_box(&bs, "small.o"));
	assert_null(strstr(svg, "tiny"));
	assert_title(&bs, "huge: 998986 bytes (99.90%)");
	assert_title(&bs, "big.o: 998990 bytes (99.90%)");
	assert_title(&bs, "big: 1000000 bytes (100.00%)");
	assert_title(&bs, "edge: 1000 bytes (0.10%)");
	/* big, big.o, huge, edge.o, edge */
	assert_int_equal(bs.n, 5);
	tu_assert_contains(svg, "; 14 bytes in boxes too narrow to draw");
	boxes_release(&bs);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_labels_only_where_they_fit(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	char *svg;

	(void)state;
	r.file = xstrdup("labels");
	add_sym(&r, "big", 880, ".text", "x.o");
	/* 118 px: 16 characters fit in 112 px, so 14 and ".." */
	add_sym(&r, "a_very_long_symbol_name_that_does_not_fit", 100, ".text", "x.o");
	/* 23.6 px: room for 2 characters, so no label */
	add_sym(&r, "small", 20, ".text", "x.o");
	svg = render(&r);
	parse_boxes(svg, &bs);
	assert_string_equal(find_box(&bs, "big")->label, "big");
	assert_string_equal(find_box(&bs, "a_very_long_symbol_name_that_does_not_fit")->label,
			    "a_very_long_sy..");
	assert_null(find_box(&bs, "small")->label);
	boxes_release(&bs);
	free(svg);
	size_report_release(&r);
}

static void
test_flame_colours_come_from_name_and_section(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	char *a, *b;

	(void)state;
	demo_report(&r);
	a = render(&r);
	b = render(&r);
	assert_string_equal(a, b);
	parse_boxes(a, &bs);
	for (size_t i = 0; i < bs.n; i++) {
		const char *t = bs.v[i].title;
		unsigned f = bs.v[i].fill;

		if (!strncmp(t, "main:", 5) || !strncmp(t, "util_fn:", 8)) {
			/* code: reds to yellows */
			assert_true((f >> 16) >= 205 && (f & 0xff) <= 55);
		} else if (!strncmp(t, "table:", 6) || !strncmp(t, "mystery:", 8)) {
			/* data: blues */
			assert_true((f & 0xff) >= 215 && (f >> 16) <= 160);
		} else if (!strncmp(t, "src/:", 5) || !strncmp(t, "util.o:", 7)) {
			/* groups: tans, more red than green, more green than blue */
			unsigned red = f >> 16, green = (f >> 8) & 0xff, blue = f & 0xff;

			assert_true(red > green && green >= blue);
		}
	}
	/* two names, two colours */
	assert_int_not_equal(find_box(&bs, "main")->fill, find_box(&bs, "helper")->fill);
	boxes_release(&bs);
	free(a);
	free(b);
	size_report_release(&r);
}

/* A stripped shared library (no .symtab, only .dynsym) is drawn from its
 * sections, as wide as the file, with its exported functions standing on
 * .text; the same library unstripped is drawn from its symbols. */
static void
test_flame_stripped_file_is_drawn_from_sections(void **state)
{
	const struct tu_tmp *t = *state;
	struct size_report r = SIZE_REPORT_INIT;
	struct boxes bs;
	char err[256], *lib, *svg, *want;
	const struct box *text, *fn;
	double row = 0, sections = 0;

	free(tu_write_file(t->dir, "lib.c",
		      "int exported_fn(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * x;"
		      " return s; }\nstatic int tbl[2000] = {1};\nint *table(void) { return tbl; }\n"));
	assert_int_equal(TU_RUN(t->dir, "gcc", "-O2", "-shared", "-fPIC", "-o", "lib.so", "lib.c"),
			 0);
	lib = xasprintf("%s/lib.so", t->dir);

	assert_int_equal(size_read(lib, &r, err, sizeof(err)), 0);
	svg = render(&r);
	tu_assert_contains(svg, "symbols (file: ");
	assert_null(strstr(svg, "drawn from"));
	free(svg);
	size_report_release(&r);

	assert_int_equal(TU_RUN(t->dir, "strip", "lib.so"), 0);
	assert_int_equal(size_read(lib, &r, err, sizeof(err)), 0);
	assert_true(r.dynamic_symbols);
	svg = render(&r);
	assert_valid_xml(t, svg);
	tu_assert_contains(svg, "no symbol table, the file is stripped");
	parse_boxes(svg, &bs);
	/* the bottom bar is the whole file; the row above it adds up to it */
	want = xasprintf("%s: %llu bytes (100.00%%)", lib, r.bytes);
	assert_string_equal(bs.v[0].title, want);
	for (size_t i = 1; i < bs.n; i++) {
		if (bs.v[i].y == bs.v[0].y - 18) {
			row += bs.v[i].w;
		}
	}
	for (size_t i = 0; i < r.nsections; i++) {
		sections += (double)r.sections[i].bytes;
	}
	assert_true(sections == (double)r.bytes);
	/* boxes under 0.1% are left out: the drawn row covers at least 95% */
	assert_true(row > 0.95 * bs.v[0].w && row <= bs.v[0].w + 1e-6);
	assert_non_null(text = find_box(&bs, ".text"));
	assert_non_null(fn = find_box(&bs, "exported_fn"));
	assert_true(fn->y == text->y - 18);
	assert_true(fn->x >= text->x && fn->x + fn->w <= text->x + text->w + 1e-6);
	assert_non_null(find_box(&bs, "[ELF header]"));
	boxes_release(&bs);
	free(want);
	free(svg);
	free(lib);
	size_report_release(&r);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)
	const struct CMUnitTest tests[] = {
		T(test_flame_is_a_self_contained_svg),
		T(test_flame_escapes_markup_in_names),
		T(test_flame_one_title_per_box_with_its_bytes),
		T(test_flame_groups_by_directory_then_file),
		T(test_flame_children_fit_in_their_parent),
		T(test_flame_empty_report_is_the_total_bar),
		T(test_flame_drops_tiny_boxes_but_counts_them),
		T(test_flame_labels_only_where_they_fit),
		T(test_flame_colours_come_from_name_and_section),
		T(test_flame_stripped_file_is_drawn_from_sections),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
