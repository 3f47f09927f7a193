/* test_flamegraph.c: the generic flame graph: kids merged by name (thousands of
 * them), sums of self and kids, fixed values, the sort order, stacks added whole,
 * and the SVG: the too-narrow rule, counts in titles, escaped names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/flamegraph.h"
#include "base/mem.h"
#include "flameboxes.h"
#include "testutil.h"

static const struct flamegraph_style bytes_style = {
    .title = "Test flame graph",
    .subtitle = "drawn from a tree",
    .unit = "bytes",
};

/* The box with exactly this title, or NULL. */
static const struct box *
find_title(const struct boxes *bs, const char *title)
{
	for (size_t i = 0; i < bs->n; i++) {
		if (!strcmp(bs->v[i].title, title)) {
			return &bs->v[i];
		}
	}
	return NULL;
}

/* Fail unless a box has exactly this title. */
static void
assert_title(const struct boxes *bs, const char *title)
{
	if (!find_title(bs, title)) {
		fail_msg("no box titled '%s'", title);
	}
}

/* The SVG of root, finished first; the caller frees it. */
static char *
render(struct flamegraph_node *root, const struct flamegraph_style *style)
{
	struct buf b = BUF_INIT;

	flamegraph_finish(root);
	flamegraph_svg(root, style, &b);
	return buf_detach(&b);
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

static void
test_flamegraph_kid_merges_by_name(void **state)
{
	struct flamegraph_node root, *a, *b, *dup;
	char name[32];
	enum { MANY = 5000 };

	(void)state;
	flamegraph_init(&root, "all", FLAMEGRAPH_GREY);
	a = flamegraph_kid(&root, "a", FLAMEGRAPH_CODE);
	b = flamegraph_kid(&root, "b", FLAMEGRAPH_CODE);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(flamegraph_kid(&root, "a", FLAMEGRAPH_CODE), a);
	assert_int_equal(root.nkids, 2);
	/* flamegraph_add does not merge; kid finds the first of the name */
	dup = flamegraph_add(&root, "a", FLAMEGRAPH_DATA);
	assert_ptr_not_equal(dup, a);
	assert_int_equal(root.nkids, 3);
	assert_ptr_equal(flamegraph_kid(&root, "a", FLAMEGRAPH_CODE), a);
	/* thousands of distinct frames under one parent, each found again, also
	 * after a finish has sorted them (and dropped the index) */
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "frame_%d", i);
		flamegraph_kid(&root, name, FLAMEGRAPH_CODE)->self = (unsigned long long)i;
	}
	assert_int_equal(root.nkids, MANY + 3);
	assert_ptr_equal(flamegraph_kid(&root, "a", FLAMEGRAPH_CODE), a);
	flamegraph_finish(&root);
	for (int i = 0; i < MANY; i++) {
		struct flamegraph_node *k;

		snprintf(name, sizeof(name), "frame_%d", i);
		k = flamegraph_kid(&root, name, FLAMEGRAPH_CODE);
		assert_string_equal(k->name, name);
		assert_int_equal(k->self, i);
	}
	assert_int_equal(root.nkids, MANY + 3);
	/* after the sort, the first "a" is still the one found: dup sorts first (DATA) */
	assert_ptr_equal(flamegraph_kid(&root, "b", FLAMEGRAPH_CODE), b);
	assert_string_equal(flamegraph_kid(&root, "a", FLAMEGRAPH_CODE)->name, "a");
	/* a new name after the finish is added once */
	a = flamegraph_kid(&root, "new", FLAMEGRAPH_CODE);
	assert_ptr_equal(flamegraph_kid(&root, "new", FLAMEGRAPH_CODE), a);
	assert_int_equal(root.nkids, MANY + 4);
	flamegraph_release(&root);
}

static void
test_flamegraph_sums_self_and_kids(void **state)
{
	struct flamegraph_node root, *f, *g, *h;

	(void)state;
	flamegraph_init(&root, "all", FLAMEGRAPH_GREY);
	root.self = 5;
	f = flamegraph_kid(&root, "f", FLAMEGRAPH_CODE);
	f->self = 100;
	f->self_count = 2;
	g = flamegraph_kid(f, "g", FLAMEGRAPH_CODE);
	g->self = 40;
	g->self_count = 3;
	h = flamegraph_kid(&root, "h", FLAMEGRAPH_DATA);
	h->self = 7;
	h->self_count = 1;
	flamegraph_finish(&root);
	assert_int_equal(g->value, 40);
	assert_int_equal(f->value, 140);
	assert_int_equal(f->count, 5);
	assert_int_equal(h->value, 7);
	assert_int_equal(root.value, 152);
	assert_int_equal(root.count, 6);
	/* finishing again after more is added counts nothing twice */
	g->self += 10;
	flamegraph_finish(&root);
	assert_int_equal(f->value, 150);
	assert_int_equal(root.value, 162);
	flamegraph_release(&root);
}

static void
test_flamegraph_fixed_value_is_its_own(void **state)
{
	struct flamegraph_node root, *sec, *sym;
	struct boxes bs;
	char *svg;

	(void)state;
	flamegraph_init(&root, "lib.so", FLAMEGRAPH_GREY);
	sec = flamegraph_add(&root, ".text", FLAMEGRAPH_CODE);
	sec->self = 1000;
	sec->fixed = true;
	sym = flamegraph_add(sec, "exported", FLAMEGRAPH_CODE);
	sym->self = 300;
	flamegraph_add(&root, "[ELF header]", FLAMEGRAPH_TAN)->self = 64;
	svg = render(&root, &bytes_style);
	assert_int_equal(sec->value, 1000);
	assert_int_equal(sym->value, 300);
	assert_int_equal(root.value, 1064);
	parse_boxes(svg, &bs);
	assert_title(&bs, ".text: 1000 bytes (93.98%)");
	assert_title(&bs, "exported: 300 bytes (28.20%)");
	assert_title(&bs, "lib.so: 1064 bytes (100.00%)");
	/* the kid starts at its parent's left edge, a row up, and is narrower */
	assert_true(bs.v[2].x == bs.v[1].x);
	assert_true(bs.v[2].y == bs.v[1].y - 18);
	assert_true(bs.v[2].w < bs.v[1].w);
	boxes_release(&bs);
	free(svg);
	flamegraph_release(&root);
}

static void
test_flamegraph_sorts_largest_first_then_name_then_hue(void **state)
{
	static const char *const want[] = {"big", "a", "b", "b", "c"};
	struct flamegraph_node root;

	(void)state;
	flamegraph_init(&root, "all", FLAMEGRAPH_GREY);
	flamegraph_add(&root, "c", FLAMEGRAPH_CODE)->self = 10;
	flamegraph_add(&root, "b", FLAMEGRAPH_CODE)->self = 10;
	flamegraph_add(&root, "big", FLAMEGRAPH_DATA)->self = 50;
	flamegraph_add(&root, "b", FLAMEGRAPH_DATA)->self = 10;
	flamegraph_add(&root, "a", FLAMEGRAPH_CODE)->self = 10;
	flamegraph_finish(&root);
	assert_int_equal(root.nkids, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(root.kids[i]->name, want[i]);
	}
	/* of the two "b": data before code */
	assert_int_equal(root.kids[2]->hue, FLAMEGRAPH_DATA);
	assert_int_equal(root.kids[3]->hue, FLAMEGRAPH_CODE);
	flamegraph_release(&root);
}

static void
test_flamegraph_drops_narrow_boxes_but_counts_them(void **state)
{
	struct flamegraph_node root, *tiny;
	struct boxes bs;
	char *svg;

	(void)state;
	flamegraph_init(&root, "all", FLAMEGRAPH_GREY);
	flamegraph_add(&root, "huge", FLAMEGRAPH_CODE)->self = 99891;
	/* exactly 0.1 % of the total is drawn, under it is not (nor what stands on it) */
	flamegraph_add(&root, "edge", FLAMEGRAPH_CODE)->self = 100;
	tiny = flamegraph_add(&root, "tiny", FLAMEGRAPH_CODE);
	tiny->self = 5;
	flamegraph_add(tiny, "on_tiny", FLAMEGRAPH_CODE)->self = 4;
	svg = render(&root, &bytes_style);
	parse_boxes(svg, &bs);
	assert_int_equal(root.value, 100000);
	assert_int_equal(bs.n, 3);
	assert_title(&bs, "all: 100000 bytes (100.00%)");
	assert_title(&bs, "huge: 99891 bytes (99.89%)");
	assert_title(&bs, "edge: 100 bytes (0.10%)");
	assert_null(strstr(svg, "tiny"));
	tu_assert_contains(svg, "drawn from a tree; 9 bytes in boxes too narrow to draw</text>");
	/* the bottom row spans the width and is labelled with the total */
	assert_true(bs.v[0].x == 10 && bs.v[0].w == 1180);
	assert_string_equal(bs.v[0].label, "all: 100000 bytes");
	assert_int_equal(bs.v[0].fill, 0xd0d0d0);
	boxes_release(&bs);
	free(svg);
	flamegraph_release(&root);
}

static void
test_flamegraph_titles_show_counts(void **state)
{
	static const struct flamegraph_style heap = {
	    .title = "Heap flame graph of prog: bytes live at the peak",
	    .subtitle = "3 sites",
	    .unit = "bytes",
	    .count_unit = "allocations",
	};
	static const struct flamegraph_style by_count = {
	    .title = "Heap flame graph of prog: allocations",
	    .subtitle = "3 sites",
	    .unit = "allocations",
	};
	static const char *const s1[] = {"main", "parse", "malloc"};
	static const char *const s2[] = {"main", "parse"};
	static const char *const s3[] = {"main", "emit"};
	struct flamegraph_node root, *at;
	struct boxes bs;
	char *svg;

	(void)state;
	flamegraph_init(&root, "prog", FLAMEGRAPH_GREY);
	at = flamegraph_add_path(&root, s1, 3, FLAMEGRAPH_CODE, 600, 3);
	assert_string_equal(at->name, "malloc");
	flamegraph_add_path(&root, s2, 2, FLAMEGRAPH_CODE, 200, 1);
	flamegraph_add_path(&root, s3, 2, FLAMEGRAPH_CODE, 150, 5);
	flamegraph_add_path(&root, s1, 3, FLAMEGRAPH_CODE, 50, 1);
	/* no frames: the root's own */
	flamegraph_add_path(&root, NULL, 0, FLAMEGRAPH_CODE, 0, 2);
	assert_int_equal(root.nkids, 1);
	svg = render(&root, &heap);
	parse_boxes(svg, &bs);
	assert_int_equal(bs.n, 5);
	assert_title(&bs, "prog: 1000 bytes, 12 allocations (100.00%)");
	assert_title(&bs, "main: 1000 bytes, 10 allocations (100.00%)");
	assert_title(&bs, "parse: 850 bytes, 5 allocations (85.00%)");
	assert_title(&bs, "malloc: 650 bytes, 4 allocations (65.00%)");
	assert_title(&bs, "emit: 150 bytes, 5 allocations (15.00%)");
	assert_string_equal(bs.v[0].label, "prog: 1000 bytes, 12 allocations");
	tu_assert_contains(svg, ">Heap flame graph of prog: bytes live at the peak</text>");
	/* every frame is code: reds to yellows */
	for (size_t i = 1; i < bs.n; i++) {
		assert_true((bs.v[i].fill >> 16) >= 205 && (bs.v[i].fill & 0xff) <= 55);
	}
	boxes_release(&bs);
	free(svg);

	/* counts as the width, with no second figure */
	flamegraph_release(&root);
	flamegraph_init(&root, "prog", FLAMEGRAPH_GREY);
	flamegraph_add_path(&root, s1, 3, FLAMEGRAPH_CODE, 4, 0);
	flamegraph_add_path(&root, s3, 2, FLAMEGRAPH_CODE, 5, 0);
	svg = render(&root, &by_count);
	parse_boxes(svg, &bs);
	assert_title(&bs, "emit: 5 allocations (55.56%)");
	assert_title(&bs, "malloc: 4 allocations (44.44%)");
	assert_title(&bs, "prog: 9 allocations (100.00%)");
	/* emit is larger, so it is left of parse */
	assert_true(find_title(&bs, "emit: 5 allocations (55.56%)")->x <
	            find_title(&bs, "parse: 4 allocations (44.44%)")->x);
	boxes_release(&bs);
	free(svg);
	flamegraph_release(&root);
}

static void
test_flamegraph_escapes_markup(void **state)
{
	static const struct flamegraph_style style = {
	    .title = "Heap flame graph of a&b<c>",
	    .subtitle = "\"quoted\" & <tagged>",
	    .unit = "bytes",
	    .count_unit = "allocations",
	};
	static const char *const stack[] = {"std::vector<int>::push_back(int&&)",
	                                    "operator\"\" _km", "bad\xff\x01name"};
	struct flamegraph_node root;
	struct boxes bs;
	char *svg;

	flamegraph_init(&root, "x<y>&z", FLAMEGRAPH_GREY);
	flamegraph_add_path(&root, stack, 3, FLAMEGRAPH_CODE, 1000, 1);
	svg = render(&root, &style);
	assert_valid_xml(*state, svg);
	parse_boxes(svg, &bs);
	assert_title(&bs, "x&lt;y&gt;&amp;z: 1000 bytes, 1 allocations (100.00%)");
	assert_title(&bs, "std::vector&lt;int&gt;::push_back(int&amp;&amp;): 1000 bytes, "
	                  "1 allocations (100.00%)");
	assert_title(&bs, "operator&quot;&quot; _km: 1000 bytes, 1 allocations (100.00%)");
	assert_title(&bs, "bad??name: 1000 bytes, 1 allocations (100.00%)");
	assert_string_equal(bs.v[1].label, "std::vector&lt;int&gt;::push_back(int&amp;&amp;)");
	tu_assert_contains(svg, ">Heap flame graph of a&amp;b&lt;c&gt;</text>");
	tu_assert_contains(svg, ">&quot;quoted&quot; &amp; &lt;tagged&gt;</text>");
	boxes_release(&bs);
	free(svg);
	flamegraph_release(&root);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)
	const struct CMUnitTest tests[] = {
	    T(test_flamegraph_kid_merges_by_name),
	    T(test_flamegraph_sums_self_and_kids),
	    T(test_flamegraph_fixed_value_is_its_own),
	    T(test_flamegraph_sorts_largest_first_then_name_then_hue),
	    T(test_flamegraph_drops_narrow_boxes_but_counts_them),
	    T(test_flamegraph_titles_show_counts),
	    T(test_flamegraph_escapes_markup),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
