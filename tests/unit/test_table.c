/* test_table.c: the size table in text, Markdown, CSV and JSON, from hand-built
 * results, and --explain from what results.json keeps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/units.h"
#include "report/result.h"
#include "report/table.h"
#include "testutil.h"

/* A measured cell. */
static struct cell *
ok_cell(const char *name, long long bytes, long long stripped, long long xz,
	unsigned long long text, double seconds)
{
	struct cell *c = cell_new(name);

	c->status = CELL_OK;
	c->m.bytes = bytes;
	c->m.stripped_bytes = stripped;
	c->m.xz_bytes = xz;
	c->m.gz_bytes = xz + 10;
	tu_add_section(c, ".data", 16);
	tu_add_section(c, ".text", text);
	tu_add_section(c, ".bss", 48);
	c->m.ram = 64;
	c->m.flash = text + 100;
	c->build_seconds = seconds;
	c->smoke = SMOKE_PASS;
	return c;
}

/* True when a and b are the same number, give or take rounding. */
static int
near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

/* The results every test renders. */
static int
setup(void **state)
{
	struct results *r = calloc(1, sizeof(*r));
	struct cell *c;

	if (!r) {
		return -1;
	}
	r->project = xstrdup("demo");
	r->complete = true;
	r->recipe = xstrdup("make");
	r->toolchain = xstrdup("gcc");
	r->baseline = xstrdup("baseline");
	results_add_cell(r, ok_cell("baseline", 1000, 800, 300, 500, 1.5));
	c = ok_cell("os", 900, 700, 280, 400, 2.0);
	strv_push(&c->profiles, "os");
	results_add_cell(r, c);
	c = cell_new("lto");
	strv_push(&c->profiles, "lto");
	c->status = CELL_BUILD_FAILED;
	c->reason = xstrdup("lto1: internal compiler error");
	c->log = xstrdup("/tmp/w/cells/lto/log.txt");
	c->build_seconds = 0.5;
	results_add_cell(r, c);
	c = ok_cell("os+big", 3 * 1024 * 1024, 2048, 1024, 600, 3.0);
	strv_push(&c->profiles, "os");
	strv_push(&c->profiles, "big");
	results_add_cell(r, c);
	results_add_row(r, "baseline", "baseline", "baseline", NULL);
	results_add_row(r, "os", "each", "+ os", NULL);
	results_add_row(r, "lto", "each", "+ lto", "failed: left out below");
	results_add_row(r, "os+big", "cumulative", "+ os, \"big\"", NULL);
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	struct results *r = *state;

	results_release(r);
	free(r);
	return 0;
}

static void
test_table_percent(void **state)
{
	(void)state;
	assert_string_equal(units_percent(900, 1000), "-10.0%");
	assert_string_equal(units_percent(1000, 1000), "0.0%");
	assert_string_equal(units_percent(1001, 1000), "+0.1%");
	assert_string_equal(units_percent(999, 1000), "-0.1%");
	assert_string_equal(units_percent(-1, 1000), "n/a");
	assert_string_equal(units_percent(1000, -1), "n/a");
	assert_string_equal(units_percent(1000, 0), "n/a");
	assert_string_equal(units_percent(2000, 1000), "+100.0%");
	assert_string_equal(units_percent(0, 1000), "-100.0%");
	assert_string_equal(units_percent(1, 3), "-66.7%");
	/* a change too small to show keeps its sign */
	assert_string_equal(units_percent(100001, 100000), "+0.0%");
	assert_string_equal(units_percent(99999, 100000), "-0.0%");
}

static void
test_table_human(void **state)
{
	(void)state;
	assert_string_equal(units_human(0), "0 B");
	assert_string_equal(units_human(512), "512 B");
	assert_string_equal(units_human(1023), "1023 B");
	assert_string_equal(units_human(1024), "1.0 KiB");
	assert_string_equal(units_human(2048), "2.0 KiB");
	assert_string_equal(units_human(12595), "12.3 KiB");
	assert_string_equal(units_human(3 * 1024 * 1024), "3.00 MiB");
	assert_string_equal(units_human(1268777), "1.21 MiB");
	assert_string_equal(units_human(-1), "-");
}

static void
test_table_human_rounds_into_the_next_unit(void **state)
{
	(void)state;
	/* 1048575 bytes is 1023.999 KiB: rounded, that is a whole MiB */
	assert_string_equal(units_human(1048575), "1.00 MiB");
	assert_string_equal(units_human(1048524), "1023.9 KiB");
}

static void
test_table_format_parse(void **state)
{
	enum table_format f = TABLE_JSON;

	(void)state;
	assert_true(table_format_parse("text", &f));
	assert_int_equal(f, TABLE_TEXT);
	assert_true(table_format_parse("md", &f));
	assert_int_equal(f, TABLE_MD);
	assert_true(table_format_parse("csv", &f));
	assert_int_equal(f, TABLE_CSV);
	assert_true(table_format_parse("json", &f));
	assert_int_equal(f, TABLE_JSON);
	f = TABLE_MD;
	assert_false(table_format_parse("html", &f));
	assert_false(table_format_parse("", &f));
	assert_false(table_format_parse("JSON", &f));
	assert_int_equal(f, TABLE_MD);
}

/* A command's -f: a bad format is one line naming the formats there are. */
static void
test_table_format_option(void **state)
{
	struct tu_tmp t;
	enum table_format f = TABLE_TEXT;
	char *err;

	(void)state;
	assert_int_equal(tu_mkdtemp(&t), 0);
	assert_true(table_format_option("csv", &f));
	assert_int_equal(f, TABLE_CSV);
	tu_capture_begin(&t);
	assert_false(table_format_option("html", &f));
	err = tu_capture_end(&t);
	assert_string_equal(err, "ounce: error: unknown format 'html': expected text, md, csv or json\n");
	free(err);
	assert_int_equal(tu_rmtree(&t), 0);
}

/* Split s into lines (without their '\n'). */
static void
lines(struct strv *out, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\n");

		strv_push_owned(out, xstrndup(s, n));
		s += n;
		if (*s) {
			s++;
		}
	}
}

/* The index of the line starting with prefix, or fail. */
static size_t
line_starting(const struct strv *ls, const char *prefix)
{
	for (size_t i = 0; i < ls->n; i++) {
		if (!strncmp(ls->v[i], prefix, strlen(prefix))) {
			return i;
		}
	}
	fail_msg("no line starts with '%s'", prefix);
	return 0;
}

/* The column just after text ends in line, or fail. */
static size_t
end_of(const char *line, const char *text)
{
	const char *p = strstr(line, text);

	if (!p) {
		fail_msg("'%s' not in '%s'", text, line);
	}
	return (size_t)(p - line) + strlen(text);
}

/* an interrupted run: every cell it measured, those in no row too, and a line
 * saying how far it got */
static void
test_table_render_incomplete(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;
	struct cell *extra = ok_cell("gc+os", 850, 700, 290, 450, 2.0), *cut = cell_new("gc");

	strv_push(&extra->profiles, "gc");
	strv_push(&extra->profiles, "os");
	results_add_cell(r, extra);
	cut->status = CELL_INTERRUPTED;
	results_add_cell(r, cut);
	r->complete = false;
	table_render(r, TABLE_TEXT, &out);
	assert_non_null(strstr(buf_str(&out), "gc + os"));
	assert_non_null(strstr(buf_str(&out), "\nincomplete: "));
	assert_non_null(strstr(buf_str(&out), " cells measured (the run was interrupted"));
	buf_release(&out);
	/* the CSV has the row, and no line of prose */
	table_render(r, TABLE_CSV, &out);
	assert_non_null(strstr(buf_str(&out), ",measured,gc+os\n"));
	assert_null(strstr(buf_str(&out), "incomplete"));
	buf_release(&out);
}

static void
test_table_render_text(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;
	struct strv ls = STRV_INIT;
	size_t h, base, os, lto, big, pct_end, bytes_end;
	struct cell *hidden = cell_new("os+lto+guess");

	/* a failed cell in no row (a guess of the cumulative chain) is not listed */
	hidden->status = CELL_BUILD_FAILED;
	hidden->reason = xstrdup("a guess that failed");
	results_add_cell(r, hidden);
	table_render(r, TABLE_TEXT, &out);
	assert_null(strstr(buf_str(&out), "a guess that failed"));
	lines(&ls, buf_str(&out));
	assert_string_equal(ls.v[0], "demo (make, gcc)");
	assert_string_equal(ls.v[1], "");
	h = line_starting(&ls, "build");
	assert_int_equal(h, 2);
	assert_non_null(strstr(ls.v[h], "modifications"));
	/* the last column is not padded */
	assert_int_equal(ls.v[h][strlen(ls.v[h]) - 1], 's');
	assert_int_equal(strspn(ls.v[h + 1], "- "), strlen(ls.v[h + 1]));

	base = h + 2;
	assert_true(!strncmp(ls.v[base], "default  baseline", 17));
	assert_non_null(strstr(ls.v[base], " 1000 "));
	assert_non_null(strstr(ls.v[base], "1000 B"));
	assert_non_null(strstr(ls.v[base], " 0.0% "));
	/* a blank line between groups */
	assert_string_equal(ls.v[base + 1], "");
	os = base + 2;
	assert_non_null(strstr(ls.v[os], "+ os"));
	assert_non_null(strstr(ls.v[os], "900 B"));
	assert_non_null(strstr(ls.v[os], "-10.0%"));
	assert_non_null(strstr(ls.v[os], "pass"));
	lto = os + 1;
	assert_non_null(strstr(ls.v[lto], "+ lto"));
	assert_non_null(strstr(ls.v[lto], "build-failed (failed: left out below)"));
	assert_null(strstr(ls.v[lto], "%"));
	assert_string_equal(ls.v[lto + 1], "");
	big = lto + 2;
	assert_non_null(strstr(ls.v[big], "3.00 MiB"));
	assert_non_null(strstr(ls.v[big], "+314472.8%"));

	/* numbers are right-aligned under their headings */
	pct_end = end_of(ls.v[h], "% change");
	bytes_end = end_of(ls.v[h], "size (bytes)");
	assert_int_equal(end_of(ls.v[base], "0.0%"), pct_end);
	assert_int_equal(end_of(ls.v[os], "-10.0%"), pct_end);
	assert_int_equal(end_of(ls.v[big], "+314472.8%"), pct_end);
	assert_int_equal(end_of(ls.v[os], " 900"), bytes_end);
	assert_int_equal(end_of(ls.v[big], " 3145728"), bytes_end);

	assert_non_null(strstr(buf_str(&out), "\nfailed cells:\n"
					      "  lto: build-failed: lto1: internal compiler error\n"
					      "    log: /tmp/w/cells/lto/log.txt\n"));
	/* only the failed cell is listed there */
	assert_null(strstr(strstr(buf_str(&out), "failed cells:"), "  os"));
	strv_release(&ls);
	buf_release(&out);
}

static void
test_table_render_text_without_failures_or_project(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;

	free(r->project);
	r->project = NULL;
	results_find(r, "lto")->status = CELL_OK;
	results_find(r, "lto")->m.bytes = 950;
	table_render(r, TABLE_TEXT, &out);
	assert_true(!strncmp(buf_str(&out), "build", 5));
	assert_null(strstr(buf_str(&out), "failed cells:"));
	assert_non_null(strstr(buf_str(&out), "-5.0%"));
	buf_release(&out);
}

static void
test_table_render_md(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;
	struct strv ls = STRV_INIT;
	size_t h;

	table_render(r, TABLE_MD, &out);
	lines(&ls, buf_str(&out));
	assert_string_equal(ls.v[0], "**demo** (make, gcc)");
	h = line_starting(&ls, "| build");
	assert_int_equal(h, 2);
	/* the header, the alignment row and one line per row, with no blank lines */
	for (size_t i = h; i < h + 2 + r->nrows; i++) {
		size_t bars = 0;

		assert_int_equal(ls.v[i][0], '|');
		assert_int_equal(ls.v[i][strlen(ls.v[i]) - 1], '|');
		for (const char *p = ls.v[i]; *p; p++) {
			bars += *p == '|';
		}
		assert_int_equal(bars, 14);
	}
	assert_true(!strncmp(ls.v[h + 1], "|---", 4));
	/* numbers are right-aligned: "---:|" */
	assert_non_null(strstr(ls.v[h + 1], "-:|"));
	assert_true(!strncmp(ls.v[h + 2], "| default | baseline", 20));
	assert_non_null(strstr(ls.v[h + 3], " -10.0% |"));
	assert_non_null(strstr(buf_str(&out), "failed cells:"));
	strv_release(&ls);
	buf_release(&out);
}

static void
test_table_render_csv(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;
	struct strv ls = STRV_INIT;

	table_render(r, TABLE_CSV, &out);
	lines(&ls, buf_str(&out));
	assert_int_equal(ls.n, 1 + r->nrows);
	assert_string_equal(ls.v[0], "build,modifications,bytes,human,percent_change,"
				     "stripped_bytes,xz_bytes,text_bytes,ram_bytes,glibc,"
				     "build_seconds,smoke,status,group,cell");
	assert_string_equal(ls.v[1],
			    "default,baseline,1000,1000 B,0.0,800,300,500,64,,1.5,pass,ok,baseline,"
			    "baseline");
	assert_string_equal(ls.v[2],
			    "default,+ os,900,900 B,-10.0,700,280,400,64,,2.0,pass,ok,each,os");
	/* nothing measured: empty numbers */
	assert_string_equal(ls.v[3], "default,+ lto,,-,,,,,,,0.5,-,build-failed (failed: left "
				     "out below),each,lto");
	/* quoting of a label with a comma and quotes */
	assert_string_equal(ls.v[4], "default,\"+ os, \"\"big\"\"\",3145728,3.00 MiB,+314472.8,"
				     "2048,1024,600,64,,3.0,pass,ok,cumulative,os+big");
	assert_null(strstr(buf_str(&out), "failed cells"));
	strv_release(&ls);
	buf_release(&out);
}

static void
test_table_render_json(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;
	json_error_t jerr;
	json_t *a, *o;

	table_render(r, TABLE_JSON, &out);
	a = json_loads(buf_str(&out), 0, &jerr);
	if (!a) {
		fail_msg("invalid JSON at line %d: %s", jerr.line, jerr.text);
	}
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 4);

	o = json_array_get(a, 0);
	assert_string_equal(json_string_value(json_object_get(o, "build")), "default");
	assert_string_equal(json_string_value(json_object_get(o, "group")), "baseline");
	assert_string_equal(json_string_value(json_object_get(o, "cell")), "baseline");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "ok");
	assert_true(json_is_null(json_object_get(o, "note")));
	assert_int_equal(json_integer_value(json_object_get(o, "bytes")), 1000);
	assert_int_equal(json_integer_value(json_object_get(o, "stripped_bytes")), 800);
	assert_int_equal(json_integer_value(json_object_get(o, "xz_bytes")), 300);
	assert_int_equal(json_integer_value(json_object_get(o, "text_bytes")), 500);
	assert_int_equal(json_integer_value(json_object_get(o, "ram_bytes")), 64);
	assert_true(near(json_number_value(json_object_get(o, "percent_change")), 0.0));
	assert_true(near(json_number_value(json_object_get(o, "build_seconds")), 1.5));
	assert_string_equal(json_string_value(json_object_get(o, "smoke")), "pass");

	o = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(o, "modifications")), "+ os");
	assert_true(near(json_number_value(json_object_get(o, "percent_change")), -10.0));

	o = json_array_get(a, 2);
	assert_string_equal(json_string_value(json_object_get(o, "cell")), "lto");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "build-failed");
	assert_string_equal(json_string_value(json_object_get(o, "note")),
			    "failed: left out below");
	assert_true(json_is_null(json_object_get(o, "bytes")));
	assert_true(json_is_null(json_object_get(o, "percent_change")));
	assert_true(json_is_null(json_object_get(o, "text_bytes")));
	assert_string_equal(json_string_value(json_object_get(o, "smoke")), "none");

	o = json_array_get(a, 3);
	assert_string_equal(json_string_value(json_object_get(o, "group")), "cumulative");
	assert_int_equal(json_integer_value(json_object_get(o, "bytes")), 3 * 1024 * 1024);
	json_decref(a);
	buf_release(&out);
}

static void
test_table_render_without_a_measured_baseline(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;
	struct strv ls = STRV_INIT;

	results_find(r, "baseline")->status = CELL_CONFIGURE_FAILED;
	table_render(r, TABLE_CSV, &out);
	lines(&ls, buf_str(&out));
	/* no baseline number: sizes still shown, no percentages */
	assert_string_equal(ls.v[2],
			    "default,+ os,900,900 B,,700,280,400,64,,2.0,pass,ok,each,os");
	strv_release(&ls);
	buf_release(&out);
}

/* An artifact at a path where no file is, exporting the names given. */
static void
add_iface_art(struct cell *c, const char *const *exports)
{
	struct artifact *a = cell_add_artifact(c, "/nonexistent/ounce-test/prog", NULL);

	free(a->name);
	a->name = xstrdup("src/prog");
	a->m.bytes = c->m.bytes;
	for (; *exports; exports++) {
		strv_push(&a->ifc.exports, *exports);
	}
	free(c->artifact);
	c->artifact = xstrdup(a->path);
}

/* --explain prints what results.json keeps (the ELF files are nowhere): the top
 * changes under a text row, before the exports it lost; a list after the Markdown
 * table. */
static void
test_table_render_explain_from_results(void **state)
{
	struct results *r = *state;
	struct cell *os = results_find(r, "os");
	struct cell_explain *e = &os->explain;
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < r->ncells; i++) {
		r->cells[i]->explain.done = true;
	}
	add_iface_art(results_find(r, "baseline"), (const char *const[]){"api_a", "api_b", NULL});
	add_iface_art(os, (const char *const[]){"api_a", NULL});
	cell_explain_add(e, false, ".text", 500, 400, DIFF_SHRUNK);
	cell_explain_add(e, false, ".rodata", 0, 24, DIFF_ADDED);
	cell_explain_add(e, true, "a_function_name_much_longer_than_forty_characters", 0, 2048,
			 DIFF_ADDED);
	cell_explain_add(e, true, "mix", 300, 200, DIFF_SHRUNK);

	table_render_explained(r, TABLE_TEXT, 3, &out);
	tu_assert_contains(buf_str(&out),
			   "exported symbols lost)\n"
			   "    where: .text -100 B, .rodata +24 B; "
			   "a_function_name_much_longer_than_fort... +2.0 KiB (added), mix -100 B\n"
			   "    abi: 1 of 2 lost: src/prog: api_b\n"
			   "default  + lto ");
	/* the group's gap after the row's last line */
	tu_assert_contains(buf_str(&out), "(failed: left out below)\n\ndefault  + os, ");
	assert_null(strstr(buf_str(&out), "older ounce"));
	buf_release(&out);

	table_render_explained(r, TABLE_TEXT, 1, &out);
	tu_assert_contains(buf_str(&out), "    where: .text -100 B; "
					  "a_function_name_much_longer_than_fort... +2.0 KiB "
					  "(added)\n");
	buf_release(&out);

	table_render_explained(r, TABLE_MD, 3, &out);
	tu_assert_contains(buf_str(&out),
			   "\nWhere the bytes went:\n\n"
			   "- + os (each): .text -100 B, .rodata +24 B; "
			   "a_function_name_much_longer_than_fort... +2.0 KiB (added), "
			   "mix -100 B\n");
	buf_release(&out);
}

/* A results.json of an older ounce keeps no changes: one line says so, once; the
 * exports lost, which it keeps, are still shown. */
static void
test_table_render_explain_of_an_older_file(void **state)
{
	struct results *r = *state;
	const char *note = "\n--explain: this results.json records no sections or symbols that "
			   "changed (an older ounce wrote it, or its run was killed); run ounce "
			   "matrix again for them\n";
	struct buf out = BUF_INIT;
	const char *at;

	add_iface_art(results_find(r, "baseline"), (const char *const[]){"api_a", "api_b", NULL});
	add_iface_art(results_find(r, "os"), (const char *const[]){"api_a", NULL});
	table_render_explained(r, TABLE_TEXT, 3, &out);
	at = strstr(buf_str(&out), note);
	assert_non_null(at);
	assert_null(strstr(at + 1, note));
	/* the last line, after the failed cells */
	assert_string_equal(at, note);
	assert_null(strstr(buf_str(&out), "where"));
	tu_assert_contains(buf_str(&out), "    abi: 1 of 2 lost: src/prog: api_b\n");
	buf_release(&out);
	table_render_explained(r, TABLE_MD, 3, &out);
	tu_assert_contains(buf_str(&out), note);
	buf_release(&out);
	/* without --explain, or as CSV or JSON: nothing said */
	table_render_explained(r, TABLE_TEXT, 0, &out);
	assert_null(strstr(buf_str(&out), "older ounce"));
	buf_release(&out);
	table_render_explained(r, TABLE_CSV, 3, &out);
	assert_null(strstr(buf_str(&out), "older ounce"));
	buf_release(&out);
	table_render_explained(r, TABLE_JSON, 3, &out);
	assert_null(strstr(buf_str(&out), "older ounce"));
	buf_release(&out);
}

/* After --repeat: a cell whose builds differ is marked in its row and named in
 * the footnote under the table; when none differ, one line says they were
 * compared; without --repeat, neither. The JSON rows carry the answer. */
static void
test_table_render_reproducible(void **state)
{
	struct results *r = *state;
	struct buf out = BUF_INIT;
	struct strv ls = STRV_INIT;
	struct cell *os = results_find(r, "os");
	size_t row;

	table_render(r, TABLE_TEXT, &out);
	assert_null(strstr(buf_str(&out), "reproducible"));
	buf_reset(&out);

	r->repeat = 2;
	results_find(r, "baseline")->reproducible = CELL_REPRO_YES;
	results_find(r, "os+big")->reproducible = CELL_REPRO_YES;
	os->reproducible = CELL_REPRO_YES;
	table_render(r, TABLE_TEXT, &out);
	assert_null(strstr(buf_str(&out), "not reproducible"));
	assert_non_null(strstr(buf_str(&out), "\nreproducible: each of the 3 cells repeated, "
					      "built 2 times (--repeat 2), gave the "
					      "same bytes every time\n"));
	buf_reset(&out);

	os->reproducible = CELL_REPRO_NO;
	os->repro_detail = xstrdup("build 2 of 2 gave other bytes for 'prog' (kept: /w/os~2)");
	table_render(r, TABLE_TEXT, &out);
	lines(&ls, buf_str(&out));
	row = line_starting(&ls, "default  + os ");
	assert_non_null(strstr(ls.v[row], "ok (not reproducible*)"));
	assert_null(strstr(ls.v[line_starting(&ls, "default  baseline")], "reproducible"));
	assert_non_null(strstr(buf_str(&out),
			       "\n* not reproducible: built 2 times (--repeat 2), 1 of "
			       "3 cells gave other bytes"));
	assert_non_null(strstr(buf_str(&out), "\n  os: build 2 of 2 gave other bytes for 'prog' "
					      "(kept: /w/os~2)\n"));
	/* before the failed cells */
	assert_true(strstr(buf_str(&out), "* not reproducible") <
		    strstr(buf_str(&out), "failed cells:"));
	buf_reset(&out);

	table_render(r, TABLE_MD, &out);
	assert_non_null(strstr(buf_str(&out), "not reproducible*"));
	assert_non_null(strstr(buf_str(&out), "\n* not reproducible: "));
	buf_reset(&out);

	table_render(r, TABLE_JSON, &out);
	{
		json_t *a = json_loads(buf_str(&out), 0, NULL);

		assert_non_null(a);
		assert_true(json_is_true(json_object_get(json_array_get(a, 0), "reproducible")));
		assert_true(json_is_false(json_object_get(json_array_get(a, 1), "reproducible")));
		/* the failed cell was not repeated */
		assert_null(json_object_get(json_array_get(a, 2), "reproducible"));
		json_decref(a);
	}
	strv_release(&ls);
	buf_release(&out);
}

/* A firmware run: a table of memory regions under the main one, a column per
 * region, and the regions in the JSON rows; results.json keeps them; the metric
 * region:NAME reads them. */
static void
test_table_render_regions(void **state)
{
	struct tu_tmp *t = *state;
	struct results *r = calloc(1, sizeof(*r)), back = {0};
	struct buf out = BUF_INIT;
	struct cell *base = ok_cell("baseline", 1000, 800, 300, 500, 1.0);
	struct cell *os = ok_cell("os", 900, 700, 280, 400, 1.0);
	char *json, *path = xasprintf("%s/results.json", t->dir);
	FILE *f;

	r->complete = true;
	r->baseline = xstrdup("baseline");
	measure_add_region(&base->m, "FLASH", 0, 262144, 26798);
	measure_add_region(&base->m, "RAM", 0x20000000, 65536, 21048);
	measure_add_region(&os->m, "FLASH", 0, 262144, 20000);
	measure_add_region(&os->m, "RAM", 0x20000000, 65536, 21000);
	strv_push(&os->profiles, "os");
	results_add_cell(r, base);
	results_add_cell(r, os);
	results_add_row(r, "baseline", "baseline", "baseline", NULL);
	results_add_row(r, "os", "each", "+ os", NULL);
	table_render(r, TABLE_TEXT, &out);
	assert_non_null(strstr(buf_str(&out), "memory regions (bytes used, % of the region):\n"));
	assert_non_null(strstr(buf_str(&out), "modifications          FLASH            RAM\n"));
	assert_non_null(strstr(buf_str(&out), "baseline       26798 (10.2%)  21048 (32.1%)\n"));
	assert_non_null(strstr(buf_str(&out), "+ os            20000 (7.6%)  21000 (32.0%)\n"));
	buf_reset(&out);
	table_render(r, TABLE_JSON, &out);
	assert_non_null(strstr(buf_str(&out), "\"FLASH\": 20000"));
	assert_int_equal(cell_metric(os, "region:FLASH"), 20000);
	assert_int_equal(cell_metric(os, "region:CCM"), -1);
	assert_true(metric_valid("region:FLASH"));
	assert_false(metric_valid("region:"));

	/* results.json keeps them */
	json = results_to_json(r);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	assert_int_equal(results_load(&back, path), 0);
	assert_int_equal(results_find(&back, "os")->m.nregions, 2);
	assert_int_equal(cell_metric(results_find(&back, "os"), "region:RAM"), 21000);
	results_release(&back);
	free(json);
	free(path);
	buf_release(&out);
	results_release(r);
	free(r);
}

/* With what --bench measured: the speed column (median CPU time against the
 * baseline) after "build s", instr only once instructions were counted, the CSV's
 * numbers, and --pareto's front. */
static void
test_table_render_bench(void **state)
{
	struct results *r = *state;
	struct cell *base = results_find(r, "baseline"), *os = results_find(r, "os");
	struct cell *big = results_find(r, "os+big");
	struct buf out = BUF_INIT;
	struct strv ls = STRV_INIT;

	cell_bench_add(&base->bench, 1.0, 0.50);
	cell_bench_add(&base->bench, 1.0, 0.40);
	cell_bench_add(&base->bench, 1.0, 0.60);
	cell_bench_add(&os->bench, 1.0, 0.48);
	cell_bench_add(&big->bench, 1.0, 0.45);
	table_render(r, TABLE_TEXT, &out);
	lines(&ls, buf_str(&out));
	assert_non_null(strstr(ls.v[2], "  build s   speed  smoke  status"));
	assert_non_null(strstr(ls.v[4], "   +0.0%  pass"));
	assert_null(strstr(buf_str(&out), "instr"));
	strv_release(&ls);
	buf_reset(&out);

	base->bench.instructions = 1000;
	os->bench.instructions = 1250;
	table_render(r, TABLE_CSV, &out);
	lines(&ls, buf_str(&out));
	assert_string_equal(ls.v[0], "build,modifications,bytes,human,percent_change,"
				     "stripped_bytes,xz_bytes,text_bytes,ram_bytes,glibc,"
				     "build_seconds,smoke,status,speed_percent,instr_percent,group,"
				     "cell");
	assert_string_equal(ls.v[2], "default,+ os,900,900 B,-10.0,700,280,400,64,,2.0,pass,ok,"
				     "-4.0,25.0,each,os");
	/* os+big: no instructions counted */
	assert_non_null(strstr(ls.v[4], ",pass,ok,-10.0,,cumulative,os+big"));
	strv_release(&ls);
	buf_reset(&out);

	/* a budget: the status says why a cell is not picked */
	r->slowdown_limit = true;
	r->max_slowdown = 5;
	table_render(r, TABLE_TEXT, &out);
	tu_assert_contains(buf_str(&out),
			   "ok (not picked: +25.0% instructions, over the 5% --max-slowdown)");
	r->slowdown_limit = false;
	buf_reset(&out);

	/* the front, by CPU time (not every cell counted): os+big is faster than os
	 * but much bigger; the baseline is bigger and slower than os */
	assert_int_equal(table_render_front(r, TABLE_CSV, &out), 2);
	lines(&ls, buf_str(&out));
	assert_int_equal(ls.n, 3);
	assert_non_null(strstr(ls.v[1], ",each,os"));
	assert_non_null(strstr(ls.v[2], ",cumulative,os+big"));
	strv_release(&ls);
	buf_release(&out);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_percent),
		cmocka_unit_test(test_table_human),
		cmocka_unit_test(test_table_format_parse),
		cmocka_unit_test(test_table_format_option),
		T(test_table_human_rounds_into_the_next_unit),
		T(test_table_render_text),
		T(test_table_render_incomplete),
		T(test_table_render_text_without_failures_or_project),
		T(test_table_render_md),
		T(test_table_render_csv),
		T(test_table_render_json),
		T(test_table_render_without_a_measured_baseline),
		T(test_table_render_explain_from_results),
		T(test_table_render_explain_of_an_older_file),
		T(test_table_render_reproducible),
		T(test_table_render_bench),
		cmocka_unit_test_setup_teardown(test_table_render_regions, tu_setup_tmpdir,
						tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
