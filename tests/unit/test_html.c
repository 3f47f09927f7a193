/* test_html.c: the page of ounce report from hand-built results: every row of the
 * table, the winner pick chooses and its settings, the Pareto front, escaping of
 * what results.json holds, and the flame graphs of real gcc-built programs (and
 * what the page says when one is gone). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "config/profile.h"
#include "report/html.h"
#include "report/result.h"
#include "report/table.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t; /* first: see tu_fixture_new */
	struct results r;
	struct buf out;
	struct strv allow;
};

/* Record a profile in the results. */
static void
profile(struct fixture *f, const char *name, enum profile_stage stage, const char *tradeoff,
        const char *note)
{
	struct profile p = {0};

	p.name = (char *)name;
	p.summary = (char *)"what it does";
	p.stage = stage;
	p.tradeoff = (char *)tradeoff;
	p.tradeoff_note = (char *)note;
	results_add_profile(&f->r, &p);
}

/* A cell of build "default" made of the '+'-separated profiles of its name
 * ("baseline" has none), with bytes and build seconds; status OK, smoke passed. */
static struct cell *
add(struct fixture *f, const char *name, long long bytes, double seconds)
{
	struct cell *c = cell_new(name);

	if (strcmp(name, "baseline")) {
		for (const char *p = name; *p;) {
			size_t n = strcspn(p, "+");

			strv_push_owned(&c->profiles, xstrndup(p, n));
			p += n + (p[n] == '+');
		}
	}
	c->build = xstrdup("default");
	c->status = CELL_OK;
	c->smoke = SMOKE_PASS;
	c->m.bytes = bytes;
	c->m.stripped_bytes = bytes - 100;
	c->m.xz_bytes = bytes / 3;
	c->m.gz_bytes = bytes / 2;
	c->build_seconds = seconds;
	c->settings.toolchain = xstrdup("gcc");
	c->settings.cc = xstrdup("gcc");
	results_add_cell(&f->r, c);
	return c;
}

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	struct cell *c;

	f->r.project = xstrdup("demo");
	f->r.recipe = xstrdup("make");
	f->r.toolchain = xstrdup("gcc");
	f->r.baseline = xstrdup("baseline");
	f->r.complete = true;
	results_set_baseline(&f->r, "default", "baseline");
	profile(f, "os", STAGE_COMPILE, "speed", "slower code");
	profile(f, "strip", STAGE_POST_LINK, "debuggability", NULL);
	profile(f, "nossp", STAGE_COMPILE, "security", "no stack protector");
	add(f, "baseline", 1000, 1.0);
	c = add(f, "os", 900, 2.0);
	strv_push(&c->settings.f.cflags, "-Os");
	add(f, "strip", 950, 3.0);
	c = add(f, "os+strip", 800, 4.0);
	strv_push(&c->settings.f.cflags, "-Os");
	strv_push(&c->settings.f.post, "strip --strip-all {artifact}");
	add(f, "nossp", 700, 1.5);
	c = add(f, "lto", -1, 0.5);
	c->status = CELL_BUILD_FAILED;
	c->reason = xstrdup("lto1: internal compiler error");
	c->log = xstrdup("/w/cells/lto/build.log");
	results_add_row(&f->r, "baseline", "baseline", "baseline", NULL);
	results_add_row(&f->r, "os", "each", "os", NULL);
	results_add_row(&f->r, "strip", "each", "strip", NULL);
	results_add_row(&f->r, "nossp", "each", "nossp", NULL);
	results_add_row(&f->r, "lto", "each", "lto", NULL);
	results_add_row(&f->r, "os", "cumulative", "+ os", NULL);
	results_add_row(&f->r, "os+strip", "cumulative", "+ strip", NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	results_release(&f->r);
	buf_release(&f->out);
	strv_release(&f->allow);
	return tu_fixture_free(f);
}

/* The page of f's results; fails the test unless html_report returns 0. */
static const char *
page(struct fixture *f, const char *form)
{
	struct html_opts o = {.metric = "file", .allow = &f->allow, .form = form};

	buf_reset(&f->out);
	assert_int_equal(html_report(&f->r, &o, &f->out), 0);
	return buf_str(&f->out);
}

/* How many times want occurs in s. */
static size_t
count(const char *s, const char *want)
{
	size_t n = 0;

	for (const char *p = strstr(s, want); p; p = strstr(p + 1, want)) {
		n++;
	}
	return n;
}

static void
test_html_escape(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	html_escape(&b, "<a href=\"x\">&'y'</a>");
	assert_string_equal(buf_str(&b), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;y&#39;&lt;/a&gt;");
	buf_reset(&b);
	/* UTF-8 stays; a control, a lone continuation byte and a surrogate do not */
	html_escape(&b, "caf\xc3\xa9 \x01 \x80 \xed\xa0\x80 tab\tnl\n");
	assert_string_equal(buf_str(&b), "caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd "
	                                 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd tab\tnl\n");
	buf_release(&b);
}

static void
test_html_every_row_and_the_winner(void **state)
{
	struct fixture *f = *state;
	const char *s = page(f, NULL);

	assert_non_null(strstr(s, "<!DOCTYPE html>"));
	/* every line of the table, in one sortable table of build default */
	assert_int_equal(count(s, "<tr data-cell=\"baseline\" data-group="), 1);
	assert_int_equal(count(s, "<tr data-cell=\"os\" data-group="), 2);
	assert_int_equal(count(s, "<tr data-cell=\"strip\" data-group="), 1);
	assert_int_equal(count(s, "<tr data-cell=\"nossp\" data-group="), 1);
	assert_int_equal(count(s, "<tr data-cell=\"lto\" data-group="), 1);
	assert_int_equal(count(s, "<tr data-cell=\"os+strip\" data-group="), 1);
	assert_int_equal(count(s, "<table class=\"sortable\" data-build=\"default\">"), 1);
	/* pick's winner: nossp is smaller but trades away security */
	tu_assert_contains(s, "<code id=\"winner-cell\">os+strip</code>: <strong>800 bytes");
	tu_assert_contains(s, "<strong>-20.0%</strong>");
	tu_assert_contains(s, "<tr data-cell=\"os+strip\" data-group=\"cumulative\" data-i=\"6\" "
	                      "class=\"winner\">");
	assert_int_equal(count(s, "class=\"winner\""), 1);
	tu_assert_contains(s, "<li><code>nossp</code>: 700 bytes: profile &#39;nossp&#39; trades "
	                      "away security</li>");
	/* its trade-offs and settings (make: the recipe's own form) */
	tu_assert_contains(s, "<td class=\"wrap\">speed: slower code</td>");
	tu_assert_contains(s, "<td class=\"wrap\">debuggability</td>");
	tu_assert_contains(s, "ounce pick --emit make</code>");
	tu_assert_contains(s, "CFLAGS += -Os");
	/* the table's values, with the numbers they sort by */
	tu_assert_contains(s,
	                   "<td class=\"n\" data-v=\"900\">900</td><td class=\"n\" "
	                   "data-v=\"900\">900 B</td><td class=\"n\" data-v=\"-10\">-10.0%</td>");
	tu_assert_contains(s, "<td class=\"n\" data-v=\"\">-</td>");
	/* the failed cell, as ounce table lists it */
	tu_assert_contains(s, "<li><code>lto</code>: build-failed: lto1: internal compiler error "
	                      "(log: <code>/w/cells/lto/build.log</code>)</li>");
	/* a bar for every line, the failed one without a rect */
	/* (twice: for a wide screen and for a phone) */
	assert_int_equal(count(s, "<g class=\"bar\""), 14);
	tu_assert_contains(s, "<g class=\"bar\" data-cell=\"lto\"><title>lto: build-failed");
}

static void
test_html_explain_lines(void **state)
{
	struct fixture *f = *state;
	struct cell *os = results_find(&f->r, "os");
	const char *s;

	s = page(f, NULL);
	tu_assert_contains(s, "records no sections or symbols that changed");
	os->explain.done = true;
	cell_explain_add(&os->explain, false, ".text", 5000, 4000, DIFF_SHRUNK);
	cell_explain_add(&os->explain, true, "<lambda>", 0, 120, DIFF_ADDED);
	s = page(f, NULL);
	/* a line for each of os's rows, as table --explain prints it */
	assert_int_equal(count(s, "<tr data-cell=\"os\"><td>default</td>"), 2);
	tu_assert_contains(s, "<td>+ os</td><td class=\"wrap\">.text -1000 B; &lt;lambda&gt; +120 B "
			      "(added)</td>");
	assert_null(strstr(s, "records no sections"));
}

/* Under --explain, table also prints the exports a cell lost and the libraries
 * it needs anew: so does the page. */
static void
test_html_explain_abi(void **state)
{
	struct fixture *f = *state;
	struct cell *base = results_find(&f->r, "baseline"), *os = results_find(&f->r, "os");
	struct artifact *a = cell_add_artifact(base, "/w/cells/baseline/src/libx.so", NULL);
	struct artifact *b = cell_add_artifact(os, "/w/cells/os/src/libx.so", NULL);
	const char *s;

	free(a->name);
	a->name = xstrdup("libx.so");
	free(b->name);
	b->name = xstrdup("libx.so");
	strv_push(&a->ifc.exports, "x_close");
	strv_push(&a->ifc.exports, "x_open");
	strv_push(&b->ifc.exports, "x_open");
	strv_push(&b->ifc.needed, "libm.so.6");
	os->explain.done = true;
	s = page(f, NULL);
	tu_assert_contains(s, "<td>+ os</td><td class=\"wrap\">abi: 1 of 2 lost: libx.so: "
	                      "x_close<br>needed (libx.so): +libm.so.6</td>");
}

/* An interrupted run: its rows, then a row for each measured cell no row shows,
 * as ounce table shows them. */
static void
test_html_interrupted_run(void **state)
{
	struct fixture *f = *state;
	const char *s;

	add(f, "os+nossp", 650, 2.5);
	f->r.complete = false;
	s = page(f, NULL);
	tu_assert_contains(s, "<p class=\"warn\">Incomplete: 7 of 7 cells measured");
	tu_assert_contains(s, "<tr data-cell=\"os+nossp\" data-group=\"measured\" data-i=\"7\" "
	                      "class=\"g\"><td>default</td><td>os + nossp</td>");
}

static void
test_html_allow_security(void **state)
{
	struct fixture *f = *state;
	const char *s;

	strv_push(&f->allow, "security");
	s = page(f, "env");
	tu_assert_contains(s, "<code id=\"winner-cell\">nossp</code>");
	tu_assert_contains(s, "ounce pick --emit env</code>");
	assert_null(strstr(s, "Smaller cells not handed over"));
}

static void
test_html_pareto_front(void **state)
{
	struct fixture *f = *state;
	const char *s = page(f, NULL);

	/* by seconds: baseline 1000 B at 1 s, nossp 700 at 1.5 s, os 900 at 2 s, strip 950
	 * at 3 s, os+strip 800 at 4 s: only the first two are the smallest within their
	 * budget */
	tu_assert_contains(s, "<g class=\"pt\" data-cell=\"baseline\" data-front=\"1\">");
	tu_assert_contains(s, "<g class=\"pt\" data-cell=\"nossp\" data-front=\"1\">");
	tu_assert_contains(s, "<g class=\"pt\" data-cell=\"os\">");
	tu_assert_contains(s, "<g class=\"pt\" data-cell=\"strip\">");
	tu_assert_contains(s, "<g class=\"pt\" data-cell=\"os+strip\">");
	/* the failed cell is no point */
	assert_null(strstr(s, "<g class=\"pt\" data-cell=\"lto\""));
	tu_assert_contains(s, "<tr data-cell=\"nossp\"><td>1.50 s</td><td><code>nossp</code></td>"
	                      "<td class=\"n\">700</td><td class=\"n\">-30.0%</td></tr>");
}

static void
test_html_escapes_what_results_hold(void **state)
{
	struct fixture *f = *state;
	struct cell *c = add(f, "x<script>alert(1)</script>", 990, 1.0);
	const char *s;

	free(f->r.project);
	f->r.project = xstrdup("<img src=x onerror=alert(1)>");
	results_add_row(&f->r, c->name, "each", "\"><svg onload=alert(2)>", NULL);
	c->reason = xstrdup("<b>");
	s = page(f, NULL);
	assert_null(strstr(s, "<script>alert"));
	assert_null(strstr(s, "<img"));
	assert_null(strstr(s, "<svg onload"));
	tu_assert_contains(s, "<title>&lt;img src=x onerror=alert(1)&gt;: ounce report</title>");
	tu_assert_contains(s, "data-cell=\"x&lt;script&gt;alert(1)&lt;/script&gt;\"");
	tu_assert_contains(s, "&quot;&gt;&lt;svg onload=alert(2)&gt;");
	/* nothing leaves the page: no source or link but the page's own anchors */
	assert_null(strstr(s, "src=\""));
	assert_null(strstr(s, "href=\"h"));
	assert_null(strstr(s, "url("));
	tu_assert_contains(s, "Content-Security-Policy\" content=\"default-src 'none';");
}

static void
test_html_form_that_does_not_fit(void **state)
{
	struct fixture *f = *state;
	struct html_opts o = {.metric = "file", .form = "cargo"};

	tu_capture_begin(&f->t);
	assert_int_equal(html_report(&f->r, &o, &f->out), -1);
	free(tu_capture_end(&f->t));
}

static void
test_html_no_winner(void **state)
{
	struct fixture *f = *state;
	const char *s;

	for (size_t i = 0; i < f->r.ncells; i++) {
		f->r.cells[i]->smoke = SMOKE_FAIL;
	}
	s = page(f, NULL);
	tu_assert_contains(s, "<p class=\"warn\" id=\"no-winner\">");
	tu_assert_contains(s, "the baseline: smoke test failed");
	assert_null(strstr(s, "class=\"winner\""));
	/* no settings, and no link to them */
	assert_null(strstr(s, "#settings"));
	assert_null(strstr(s, "id=\"settings\""));
	tu_assert_contains(s, "No cell of this build built and passed.");
}

static void
test_html_table_lines_match_the_table(void **state)
{
	struct fixture *f = *state;
	struct table_line *l;
	size_t n;

	l = table_lines(&f->r, &n);
	assert_int_equal(n, f->r.nrows);
	assert_string_equal(table_header(0), "build");
	assert_string_equal(table_header(2), "size (bytes)");
	assert_true(table_col_number(2));
	assert_false(table_col_number(1));
	assert_string_equal(l[6].cell, "os+strip");
	assert_string_equal(l[6].group, "cumulative");
	assert_string_equal(l[6].build, "default");
	assert_string_equal(l[6].col[1], "+ strip");
	assert_string_equal(l[6].col[2], "800");
	assert_string_equal(l[6].col[4], "-20.0%");
	assert_true(l[6].has_key[3]);
	assert_true(l[6].key[3] == 800.0);
	assert_true(l[6].key[4] == -20.0);
	assert_false(l[4].has_key[2]); /* lto: "-" */
	assert_false(l[4].has_key[1]); /* text */
	table_lines_free(l, n);
}

/* The page of a run whose baseline and winner are real programs. */
static void
test_html_flame_graphs(void **state)
{
	struct fixture *f = *state;
	struct cell *base = results_find(&f->r, "baseline");
	struct cell *win = results_find(&f->r, "os+strip");
	struct cell *os = results_find(&f->r, "os");
	const char *s;
	char *src = tu_write_file(f->t.dir, "p.c",
	                          "static int big[1000] = {1};\n"
	                          "int grow(int i) { return big[i % 1000] += i; }\n"
	                          "int main(int c, char **v) { (void)v; return grow(c); }\n");

	free(src);
	assert_int_equal(TU_RUN(f->t.dir, "gcc", "-O2", "-o", "base", "p.c"), 0);
	assert_int_equal(TU_RUN(f->t.dir, "gcc", "-Os", "-o", "os", "p.c"), 0);
	assert_int_equal(TU_RUN(f->t.dir, "gcc", "-Os", "-s", "-o", "win", "p.c"), 0);
	base->artifact = xasprintf("%s/base", f->t.dir);
	os->artifact = xasprintf("%s/os", f->t.dir);
	win->artifact = xasprintf("%s/win", f->t.dir);
	s = page(f, NULL);
	tu_assert_contains(s, "<figure class=\"flame\" id=\"flame-baseline\">");
	tu_assert_contains(s, "<figure class=\"flame\" id=\"flame-winner\">");
	assert_int_equal(count(s, "Size flame graph of "), 2);
	/* inline: no XML declaration inside the page */
	assert_null(strstr(s, "<?xml"));
	tu_assert_contains(s, "<title>big: 4000 bytes");
	/* the winner is stripped: drawn from os, the same code before strip */
	tu_assert_contains(s, "drawn from <code>os</code>'s artifact");

	/* the work directory was cleaned: the page says so */
	assert_int_equal(TU_RUN(f->t.dir, "rm", "-f", "base", "os"), 0);
	s = page(f, NULL);
	tu_assert_contains(s, "</figcaption>\n<p class=\"missing\">Its artifact <code>");
	tu_assert_contains(s, "/base</code> cannot be read (it is gone)");
	tu_assert_contains(s, "Its file has no symbol table, and the run has no cell of the same "
	                      "code before its post-link steps: drawn from its sections.");
	tu_assert_contains(s, "<title>.text: ");
	tu_assert_contains(s, "no symbol table, the file is stripped");
}

/* A moved work directory: the artifact is looked for beside results.json. */
static void
test_html_moved_work_directory(void **state)
{
	struct fixture *f = *state;
	struct cell *base = results_find(&f->r, "baseline");
	struct html_opts o = {.metric = "file"};
	char *src =
	    tu_write_file(f->t.dir, "new/cells/baseline/src/p.c", "int main(void) { return 0; }\n");
	char *dir = xasprintf("%s/new/cells/baseline/src", f->t.dir);
	char *json = xasprintf("%s/new/results.json", f->t.dir);

	assert_int_equal(TU_RUN(dir, "gcc", "-o", "prog", "p.c"), 0);
	base->artifact = xstrdup("/old/place/cells/baseline/src/prog");
	o.source = json;
	assert_int_equal(html_report(&f->r, &o, &f->out), 0);
	tu_assert_contains(buf_str(&f->out), "<code>/old/place/cells/baseline/src/prog</code>"
	                                     "</figcaption>\n<div class=\"scroll\"><svg");
	free(src);
	free(dir);
	free(json);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_html_escape),
	    T(test_html_every_row_and_the_winner),
	    T(test_html_explain_lines),
	    T(test_html_explain_abi),
	    T(test_html_interrupted_run),
	    T(test_html_allow_security),
	    T(test_html_pareto_front),
	    T(test_html_escapes_what_results_hold),
	    T(test_html_form_that_does_not_fit),
	    T(test_html_no_winner),
	    T(test_html_table_lines_match_the_table),
	    T(test_html_flame_graphs),
	    T(test_html_moved_work_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
