/* test_budget.c: size budgets as written (config/budgetconf.c) and judged
 * (report/budget.c): within, over an absolute limit, over a relative one in
 * percent and in bytes, growth from zero bytes, the sum, and ounce.ini's [budget]. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/units.h"
#include "config/budgetconf.h"
#include "config/profile.h"
#include "config/project.h"
#include "report/budget.h"
#include "report/sizein.h"
#include "testutil.h"

static struct budget_growth
growth(const char *s)
{
	struct budget_growth g = {0};

	assert_true(budgetconf_parse_growth(s, &g));
	return g;
}

static void
test_budget_parse_growth(void **state)
{
	struct budget_growth g = {0};

	(void)state;
	g = growth("1%");
	assert_true(g.percent);
	assert_int_equal(g.value, 1000);
	g = growth("+0.5%");
	assert_true(g.percent);
	assert_int_equal(g.value, 500);
	g = growth("2.125%");
	assert_int_equal(g.value, 2125);
	g = growth("512B");
	assert_false(g.percent);
	assert_int_equal(g.value, 512);
	g = growth("+2K");
	assert_false(g.percent);
	assert_int_equal(g.value, 2048);
	g = growth("0");
	assert_int_equal(g.value, 0);
	static const char *const bad[] = {"%",     "1.%",  "1.2345%", "abc", "-1%", "1%%",
					  "1 %",   ".5%",  "",	      "+",   "5Q",  "2000000%",
					  "1.5.1%", "1e3%"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (budgetconf_parse_growth(bad[i], &g)) {
			fail_msg("'%s' taken as a growth", bad[i]);
		}
	}
}

static void
test_budget_allowed_growth(void **state)
{
	struct budget_growth pct = growth("1%"), bytes = growth("512B"), big = growth("1000000%");

	(void)state;
	assert_int_equal(budget_allowed_growth(&pct, 100000), 1000);
	/* rounded down: 1% of 99999 is 999.99 */
	assert_int_equal(budget_allowed_growth(&pct, 99999), 999);
	assert_int_equal(budget_allowed_growth(&pct, 0), 0);
	assert_int_equal(budget_allowed_growth(&bytes, 0), 512);
	assert_int_equal(budget_allowed_growth(&bytes, 1 << 30), 512);
	/* exact where a double would not be: 0.001% of 10^17 */
	struct budget_growth tiny = growth("0.001%");
	assert_int_equal(budget_allowed_growth(&tiny, 100000000000000000LL), 1000000000000LL);
	/* saturates instead of wrapping */
	assert_true(budget_allowed_growth(&big, LLONG_MAX) == UINT64_MAX);
}

static struct budget_limit
limit(const char *name, const char *text)
{
	struct budget_limit l = {(char *)name, 0, (char *)text, false};
	uint64_t v;

	assert_true(units_parse_size(text, &v));
	l.bytes = v;
	return l;
}

static void
test_budget_within_and_over_absolute(void **state)
{
	struct budget_limit l = limit("prog", "180K");
	const struct budget_limit *ls[] = {&l};
	struct buf why = BUF_INIT;

	(void)state;
	assert_int_equal(budget_judge(-1, 180 * 1024, ls, 1, NULL, &why), BUDGET_OK);
	assert_int_equal(why.len, 0);
	assert_int_equal(budget_judge(-1, 1000, ls, 1, NULL, &why), BUDGET_OK);
	assert_int_equal(budget_judge(-1, 180 * 1024 + 1, ls, 1, NULL, &why), BUDGET_OVER);
	assert_string_equal(buf_str(&why), "1 B over 180K");
	buf_release(&why);
	/* no limit and no growth: nothing to judge by */
	assert_int_equal(budget_judge(100, 200, NULL, 0, NULL, NULL), BUDGET_NONE);
	/* a gone artifact is never over */
	assert_int_equal(budget_judge(100, -1, ls, 1, NULL, NULL), BUDGET_NONE);
}

static void
test_budget_over_relative(void **state)
{
	struct budget_growth pct = growth("1%"), bytes = growth("512B");
	struct buf why = BUF_INIT;

	(void)state;
	assert_int_equal(budget_judge(100000, 101000, NULL, 0, &pct, &why), BUDGET_OK);
	assert_int_equal(budget_judge(100000, 101001, NULL, 0, &pct, &why), BUDGET_OVER);
	assert_string_equal(buf_str(&why), "grew 1001 B (+1.0%), more than +1% (1000 B)");
	buf_reset(&why);
	/* shrinking is always within */
	assert_int_equal(budget_judge(100000, 50, NULL, 0, &pct, NULL), BUDGET_OK);
	assert_int_equal(budget_judge(1000, 1512, NULL, 0, &bytes, NULL), BUDGET_OK);
	assert_int_equal(budget_judge(1000, 1513, NULL, 0, &bytes, &why), BUDGET_OVER);
	assert_string_equal(buf_str(&why), "grew 513 B, more than +512 B");
	buf_reset(&why);
	/* no older size: the growth allowance does not apply */
	assert_int_equal(budget_judge(-1, 1 << 20, NULL, 0, &bytes, NULL), BUDGET_NONE);
	/* both at once: both reasons */
	struct budget_limit l = limit("total", "1K");
	const struct budget_limit *ls[] = {&l};
	assert_int_equal(budget_judge(1000, 2000, ls, 1, &bytes, &why), BUDGET_OVER);
	assert_string_equal(buf_str(&why), "976 B over total 1K; grew 1000 B, more than +512 B");
	buf_release(&why);
}

static void
test_budget_zero_before(void **state)
{
	struct budget_growth pct = growth("50%"), bytes = growth("512B");
	struct buf why = BUF_INIT;

	(void)state;
	/* nothing to nothing is no growth; anything from nothing is past any percent */
	assert_int_equal(budget_judge(0, 0, NULL, 0, &pct, NULL), BUDGET_OK);
	assert_int_equal(budget_judge(0, 1, NULL, 0, &pct, &why), BUDGET_OVER);
	assert_string_equal(buf_str(&why), "grew 1 B (n/a), more than +50% (0 B)");
	/* bytes are bytes, from zero too */
	assert_int_equal(budget_judge(0, 512, NULL, 0, &bytes, NULL), BUDGET_OK);
	assert_int_equal(budget_judge(0, 513, NULL, 0, &bytes, NULL), BUDGET_OVER);
	buf_release(&why);
}

/* A sizein of n artifacts called names[i] with bytes[i]. */
static void
input(struct sizein *in, const char *path, size_t n, const char *const *names,
      const long long *bytes)
{
	memset(in, 0, sizeof(*in));
	in->path = xstrdup(path);
	in->arts = xcalloc(n, sizeof(*in->arts));
	for (size_t i = 0; i < n; i++) {
		in->arts[i].name = xstrdup(names[i]);
		in->arts[i].bytes = bytes[i];
	}
	in->narts = n;
}

static void
test_budget_evaluate(void **state)
{
	static const char *const nn[] = {"src/httpd", "lib/libx.so", "src/newtool"};
	static const long long nb[] = {2000, 5000, 100};
	static const char *const on[] = {"build/httpd", "lib/libx.so", "src/oldtool"};
	static const long long ob[] = {1000, 5000, 300};
	struct budget_rules rules = BUDGET_RULES_INIT;
	struct sizein now, old;
	struct budget_check c = BUDGET_CHECK_INIT;
	char msg[256], err[256];

	(void)state;
	input(&now, "new.json", 3, nn, nb);
	input(&old, "old.json", 3, on, ob);
	assert_null(budgetconf_key(&rules, "httpd", "1K", msg, sizeof(msg)));
	assert_null(budgetconf_key(&rules, "max-growth", "10%", msg, sizeof(msg)));
	assert_null(budgetconf_key(&rules, "unshipped", "1K", msg, sizeof(msg)));
	assert_null(budgetconf_arg(&rules, "8K", msg, sizeof(msg)));
	assert_int_equal(budget_evaluate(&rules, &now, &old, NULL, &c, err, sizeof(err)), 0);
	/* three new artifacts, one gone, the total */
	assert_int_equal(c.nrows, 5);
	/* httpd: matched by base name; 2000 > 1K and grew 100% */
	assert_string_equal(c.rows[0].name, "src/httpd");
	assert_int_equal(c.rows[0].before, 1000);
	assert_int_equal(c.rows[0].verdict, BUDGET_OVER);
	assert_string_equal(c.rows[0].why,
			    "976 B over 1K; grew 1000 B (+100.0%), more than +10% (100 B)");
	/* libx: the same name, unchanged */
	assert_int_equal(c.rows[1].verdict, BUDGET_OK);
	assert_null(c.rows[1].why);
	/* newtool: nothing to grow from; no limit of its own */
	assert_int_equal(c.rows[2].before, -1);
	assert_string_equal(c.rows[2].note, "new");
	assert_int_equal(c.rows[2].verdict, BUDGET_NONE);
	assert_string_equal(c.rows[3].name, "src/oldtool");
	assert_string_equal(c.rows[3].note, "gone");
	assert_int_equal(c.rows[3].after, -1);
	/* the total: 7100 against 6300 is 12.7% growth, within 8K */
	assert_string_equal(c.rows[4].name, "total");
	assert_int_equal(c.rows[4].before, 6300);
	assert_int_equal(c.rows[4].after, 7100);
	assert_int_equal(c.rows[4].verdict, BUDGET_OVER);
	assert_string_equal(c.rows[4].why, "grew 800 B (+12.7%), more than +10% (630 B)");
	assert_int_equal(c.verdict, BUDGET_OVER);
	budget_check_release(&c);

	/* --artifact: only that one, no total */
	assert_int_equal(budget_evaluate(&rules, &now, &old, "libx.so", &c, err, sizeof(err)), 0);
	assert_int_equal(c.nrows, 1);
	assert_int_equal(c.verdict, BUDGET_OK);
	budget_check_release(&c);
	assert_int_equal(budget_evaluate(&rules, &now, &old, "nope", &c, err, sizeof(err)), -1);
	tu_assert_contains(err, "--artifact 'nope': no such artifact in 'new.json' (it has: "
				"src/httpd, lib/libx.so, src/newtool)");
	budget_check_release(&c);

	/* a command-line budget for an artifact that is not there is an error; an
	 * ini one ("unshipped" above) is not */
	assert_null(budgetconf_arg(&rules, "htpd=1K", msg, sizeof(msg)));
	assert_int_equal(budget_evaluate(&rules, &now, NULL, NULL, &c, err, sizeof(err)), -1);
	tu_assert_contains(err, "--budget 'htpd=1K': no artifact 'htpd' in 'new.json'");
	budget_check_release(&c);
	budgetconf_release(&rules);
	sizein_release(&now);
	sizein_release(&old);
}

static void
test_budget_single_artifact_total(void **state)
{
	static const char *const n1[] = {"build/prog"};
	static const long long b1[] = {20000};
	static const char *const o1[] = {"elsewhere/prog-main"};
	static const long long ob[] = {10000};
	struct budget_rules rules = BUDGET_RULES_INIT;
	struct sizein now, old;
	struct budget_check c = BUDGET_CHECK_INIT;
	struct buf out = BUF_INIT;
	char msg[256], err[256];

	(void)state;
	input(&now, "new.json", 1, n1, b1);
	input(&old, "main.json", 1, o1, ob);
	/* a bare size is the total; with one artifact that is the artifact's row */
	assert_null(budgetconf_arg(&rules, "19K", msg, sizeof(msg)));
	assert_int_equal(budget_evaluate(&rules, &now, &old, NULL, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nrows, 1);
	/* the only artifact on each side is the same one, whatever its name */
	assert_int_equal(c.rows[0].before, 10000);
	assert_int_equal(c.rows[0].verdict, BUDGET_OVER);
	assert_string_equal(c.rows[0].why, "544 B over total 19K");
	budget_render(&c, &rules, &now, &old, "text", &out);
	tu_assert_contains(buf_str(&out), "new.json against main.json, metric file (bytes):");
	tu_assert_contains(buf_str(&out), "build/prog   10000  20000  +10000  +100.0%  total 19K  "
					  "over: 544 B over total 19K\n");
	tu_assert_contains(buf_str(&out), "\nover budget\n");
	buf_reset(&out);
	/* Markdown says why there are no symbol changes rather than show none */
	now.nosyms = xstrdup("'new.json' lists no symbols");
	budget_render(&c, &rules, &now, &old, "md", &out);
	tu_assert_contains(buf_str(&out), "### ounce check: over budget\n");
	tu_assert_contains(buf_str(&out), "| `build/prog` |  10000 | 20000 | +10000 | +100.0% |");
	tu_assert_contains(buf_str(&out), "| **over**: 544 B over total 19K |");
	tu_assert_contains(buf_str(&out),
			   "Symbol changes are not available: 'new.json' lists no symbols.\n");
	buf_reset(&out);
	budget_render(&c, &rules, &now, &old, "json", &out);
	tu_assert_contains(buf_str(&out), "\"verdict\": \"over\"");
	budget_check_release(&c);
	buf_release(&out);
	budgetconf_release(&rules);
	sizein_release(&now);
	sizein_release(&old);
}

static void
test_budget_ounce_ini(void **state)
{
	struct tu_tmp *t = *state;
	struct profile_set set = PROFILE_SET_INIT;
	struct project p = PROJECT_INIT;
	char *dir = xasprintf("%s/proj", t->dir), *ini, *err;

	ini = tu_write_file(dir, "ounce.ini",
			    "[project]\nname = proj\n[budget]\nmetric = stripped\n"
			    "tinyhttpd = 180K\ntotal = 1M\nmax-growth = 0.5%\n");
	assert_int_equal(project_load(&p, dir, &set), 0);
	assert_string_equal(p.budget.metric, "stripped");
	assert_int_equal(p.budget.nlimits, 2);
	assert_int_equal(budgetconf_find(&p.budget, "tinyhttpd")->bytes, 180 * 1024);
	assert_true(budgetconf_find(&p.budget, "tinyhttpd")->from_ini);
	assert_int_equal(budgetconf_find(&p.budget, "total")->bytes, 1 << 20);
	assert_true(p.budget.growth.percent);
	assert_int_equal(p.budget.growth.value, 500);
	project_release(&p);
	profile_set_release(&set);
	set = (struct profile_set)PROFILE_SET_INIT;
	free(ini);

	static const struct {
		const char *text, *want;
	} bad[] = {
		{"[budget]\n\ntinyhttpd = 180 K\n",
		 "ounce.ini:3: error: budget of 'tinyhttpd': '180 K' is not a size"},
		{"[budget]\nmax-growth = 1 percent\n",
		 "ounce.ini:2: error: max-growth '1 percent': not a growth"},
		{"[budget]\nmetric = weight\n",
		 "ounce.ini:2: error: metric 'weight': expected file, stripped"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ini = tu_write_file(dir, "ounce.ini", bad[i].text);
		tu_capture_begin(t);
		assert_int_equal(project_load(&p, dir, &set), -1);
		err = tu_capture_end(t);
		tu_assert_contains(err, bad[i].want);
		free(err);
		project_release(&p);
		profile_set_release(&set);
		set = (struct profile_set)PROFILE_SET_INIT;
		free(ini);
	}
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_parse_growth),
		cmocka_unit_test(test_budget_allowed_growth),
		cmocka_unit_test(test_budget_within_and_over_absolute),
		cmocka_unit_test(test_budget_over_relative),
		cmocka_unit_test(test_budget_zero_before),
		cmocka_unit_test(test_budget_evaluate),
		cmocka_unit_test(test_budget_single_artifact_total),
		cmocka_unit_test_setup_teardown(test_budget_ounce_ini, tu_setup_tmpdir,
						tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
