/* test_grid.c: one table of strings as aligned text, Markdown and CSV. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/grid.h"
#include "base/mem.h"
#include "testutil.h"

static const char *const headers[] = {"symbol", "bytes", "section"};
static const bool right[] = {false, true, false};

/* A grid of three rows in the columns above. */
static void
sample(struct grid *g)
{
	grid_init(g, 3, headers, right);
	grid_row(g, "%s\t%d\t%s", "main", 88, ".text");
	grid_row(g, "%s\t%llu\t%s", "big_table", 4000ULL, ".bss");
	grid_row(g, "%s\t%zu\t%s", "x", (size_t)5, ".data.rel.ro");
}

/* Render g in format and fail unless it is want. */
static void
check_render(const struct grid *g, const char *format, const char *want)
{
	struct buf out = BUF_INIT;

	grid_render(g, format, &out);
	if (strcmp(buf_str(&out), want)) {
		fail_msg("%s: got\n%s\nexpected\n%s", format, buf_str(&out), want);
	}
	buf_release(&out);
}

static void
test_grid_row_splits_on_tabs(void **state)
{
	struct grid g;

	(void)state;
	sample(&g);
	assert_int_equal(g.nrows, 3);
	assert_int_equal(g.ncols, 3);
	assert_string_equal(g.cells[0], "main");
	assert_string_equal(g.cells[1], "88");
	assert_string_equal(g.cells[2], ".text");
	assert_string_equal(g.cells[3 * 1 + 0], "big_table");
	assert_string_equal(g.cells[3 * 2 + 2], ".data.rel.ro");
	/* missing columns are empty */
	grid_row(&g, "%s", "alone");
	assert_string_equal(g.cells[3 * 3 + 0], "alone");
	assert_string_equal(g.cells[3 * 3 + 1], "");
	assert_string_equal(g.cells[3 * 3 + 2], "");
	grid_release(&g);
	assert_int_equal(g.nrows, 0);
	assert_null(g.cells);
}

static void
test_grid_text_aligns_columns(void **state)
{
	struct grid g;

	(void)state;
	sample(&g);
	/* numbers right-aligned, names left; the last column is not padded */
	check_render(&g, "text",
		     "symbol     bytes  section\n"
		     "---------  -----  ------------\n"
		     "main          88  .text\n"
		     "big_table   4000  .bss\n"
		     "x              5  .data.rel.ro\n");
	grid_release(&g);
}

static void
test_grid_text_last_column_right_aligned(void **state)
{
	static const char *const h[] = {"name", "n"};
	static const bool r[] = {false, true};
	struct grid g;

	(void)state;
	grid_init(&g, 2, h, r);
	grid_row(&g, "%s\t%d", "alpha", 5);
	grid_row(&g, "%s\t%d", "b", 12345);
	check_render(&g, "text",
		     "name       n\n"
		     "-----  -----\n"
		     "alpha      5\n"
		     "b      12345\n");
	grid_release(&g);
}

static void
test_grid_text_without_rows(void **state)
{
	struct grid g;

	(void)state;
	grid_init(&g, 3, headers, right);
	check_render(&g, "text",
		     "symbol  bytes  section\n"
		     "------  -----  -------\n");
	grid_release(&g);
}

static void
test_grid_md(void **state)
{
	static const char *const h[] = {"sym", "n"};
	static const bool r[] = {false, true};
	struct grid g;

	(void)state;
	grid_init(&g, 2, h, r);
	grid_row(&g, "%s\t%d", "a", 12);
	grid_row(&g, "%s\t%d", "bcd", 3);
	check_render(&g, "md",
		     "| sym |  n |\n"
		     "|-----|---:|\n"
		     "| a   | 12 |\n"
		     "| bcd |  3 |\n");
	grid_release(&g);

	sample(&g);
	check_render(&g, "md",
		     "| symbol    | bytes | section      |\n"
		     "|-----------|------:|--------------|\n"
		     "| main      |    88 | .text        |\n"
		     "| big_table |  4000 | .bss         |\n"
		     "| x         |     5 | .data.rel.ro |\n");
	grid_release(&g);
}

static void
test_grid_csv_quotes(void **state)
{
	static const char *const h[] = {"name", "bytes", "say, \"what\""};
	static const bool r[] = {false, true, false};
	struct grid g;

	(void)state;
	grid_init(&g, 3, h, r);
	grid_row(&g, "%s\t%d\t%s", "std::pair<int, int>::swap", 12, "plain");
	grid_row(&g, "%s\t%d\t%s", "say \"hi\"", 3, "");
	grid_row(&g, "%s\t%d\t%s", "two\nlines", 0, "a\"b,c");
	check_render(&g, "csv",
		     "name,bytes,\"say, \"\"what\"\"\"\n"
		     "\"std::pair<int, int>::swap\",12,plain\n"
		     "\"say \"\"hi\"\"\",3,\n"
		     "\"two\nlines\",0,\"a\"\"b,c\"\n");
	grid_release(&g);

	/* no padding in CSV */
	sample(&g);
	check_render(&g, "csv",
		     "symbol,bytes,section\n"
		     "main,88,.text\n"
		     "big_table,4000,.bss\n"
		     "x,5,.data.rel.ro\n");
	grid_release(&g);
}

/* The cells of a Markdown table row: the '|' not escaped by a backslash, less one. */
static size_t
md_columns(const char *line)
{
	size_t n = 0;

	for (const char *p = line; *p && *p != '\n'; p++) {
		if (*p == '|' && (p == line || p[-1] != '\\')) {
			n++;
		}
	}
	return n - 1;
}

/* A '|' in a Markdown cell (a C++ "operator|(Flags, Flags)") is escaped ("\|"),
 * so it does not add columns to its row. */
static void
test_grid_md_escapes_pipes(void **state)
{
	static const char *const h[] = {"symbol", "bytes"};
	static const bool r[] = {false, true};
	struct grid g;
	struct buf out = BUF_INIT;
	const char *line;

	(void)state;
	grid_init(&g, 2, h, r);
	grid_row(&g, "%s\t%d", "operator|(Flags, Flags)", 12);
	grid_row(&g, "%s\t%d", "operator||", 3);
	grid_render(&g, "md", &out);
	line = buf_str(&out);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(md_columns(line), 2);
		line = strchr(line, '\n') + 1;
	}
	buf_release(&out);
	grid_release(&g);
}

/* grid_row_take keeps the strings it is given (no tab splitting); grid_after's text
 * follows its row in text and Markdown, appended when given twice, and CSV leaves
 * it out. */
static void
test_grid_row_take_and_after(void **state)
{
	static const char *const h[] = {"name", "n"};
	static const bool r[] = {false, true};
	struct grid g;
	char *cols[2];

	(void)state;
	grid_init(&g, 2, h, r);
	cols[0] = xstrdup("a\tb");
	cols[1] = xstrdup("7");
	grid_row_take(&g, cols);
	grid_after(&g, "  under a\n");
	grid_after(&g, "\n");
	grid_row(&g, "%s\t%d", "c", 12);
	check_render(&g, "text",
		     "name   n\n"
		     "----  --\n"
		     "a\tb    7\n"
		     "  under a\n"
		     "\n"
		     "c     12\n");
	check_render(&g, "md",
		     "| name |  n |\n"
		     "|------|---:|\n"
		     "| a\tb  |  7 |\n"
		     "  under a\n"
		     "\n"
		     "| c    | 12 |\n");
	check_render(&g, "csv", "name,n\na\tb,7\nc,12\n");
	grid_release(&g);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_grid_row_splits_on_tabs),
		T(test_grid_text_aligns_columns),
		T(test_grid_text_last_column_right_aligned),
		T(test_grid_text_without_rows),
		T(test_grid_md),
		T(test_grid_csv_quotes),
		T(test_grid_md_escapes_pipes),
		T(test_grid_row_take_and_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
