/* budget.c: `ounce check`'s verdict. Limits are exact integers (a percent is kept
 * in thousandths), an artifact is matched to its older self by name, base name,
 * or as the only one on each side, and symbol changes come from diff.c: never
 * estimated, and said to be unavailable where an input has no symbols. */
#include "report/budget.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/grid.h"
#include "base/mem.h"
#include "base/units.h"
#include "config/budgetconf.h"
#include "elf/diff.h"
#include "elf/size.h"
#include "report/sizein.h"
#include "base/banned.h"

/* symbol changes shown per artifact in a pull-request comment */
#define BUDGET_TOP_SYMBOLS 10

uint64_t
budget_allowed_growth(const struct budget_growth *g, long long before)
{
	const uint64_t per = 100u * BUDGET_MILLIPERCENT;
	uint64_t b, q, r;

	if (!g->percent) {
		return g->value;
	}
	if (before <= 0) {
		return 0;
	}
	/* floor(before * value / per) without overflow: before = q * per + r */
	b = (uint64_t)before;
	q = b / per;
	r = b % per;
	if (g->value && q > UINT64_MAX / g->value) {
		return UINT64_MAX;
	}
	return units_sat_add(q * g->value, r * g->value / per);
}

/* g as a user would write it: "+1%", "+0.25%", "+512 B". */
static void
growth_text(const struct budget_growth *g, struct buf *out)
{
	if (!g->percent) {
		buf_printf(out, "+%llu B", (unsigned long long)g->value);
		return;
	}
	unsigned long long whole = g->value / BUDGET_MILLIPERCENT;
	unsigned frac = (unsigned)(g->value % BUDGET_MILLIPERCENT);

	if (!frac) {
		buf_printf(out, "+%llu%%", whole);
		return;
	}
	char f[16];

	snprintf(f, sizeof(f), "%03u", frac);
	for (size_t n = strlen(f); n > 1 && f[n - 1] == '0'; n--) {
		f[n - 1] = '\0';
	}
	buf_printf(out, "+%llu.%s%%", whole, f);
}

static void
reason(struct buf *why, const char *fmt, ...) OUNCE_PRINTF(2, 3);

static void
reason(struct buf *why, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (!why) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_adds(why, why->len ? "; " : "");
	buf_adds(why, s);
	free(s);
}

enum budget_verdict
budget_judge(long long before, long long after, const struct budget_limit *const *limits,
	     size_t nlimits, const struct budget_growth *g, struct buf *why)
{
	enum budget_verdict v = BUDGET_NONE;

	if (after < 0) {
		return BUDGET_NONE;
	}
	for (size_t i = 0; i < nlimits; i++) {
		const struct budget_limit *l = limits[i];
		bool total = !strcmp(l->name, BUDGET_TOTAL);

		if (v == BUDGET_NONE) {
			v = BUDGET_OK;
		}
		if ((unsigned long long)after > l->bytes) {
			v = BUDGET_OVER;
			reason(why, "%llu B over %s%s", (unsigned long long)after - l->bytes,
			       total ? "total " : "", l->text);
		}
	}
	if (g && g->set && before >= 0) {
		uint64_t allowed = budget_allowed_growth(g, before);
		long long delta = after - before;

		if (v == BUDGET_NONE) {
			v = BUDGET_OK;
		}
		if (delta > 0 && (uint64_t)delta > allowed) {
			struct buf t = BUF_INIT;

			v = BUDGET_OVER;
			growth_text(g, &t);
			if (g->percent) {
				reason(why, "grew %lld B (%s), more than %s (%llu B)", delta,
				       units_percent(after, before), buf_str(&t),
				       (unsigned long long)allowed);
			} else {
				reason(why, "grew %lld B, more than %s", delta, buf_str(&t));
			}
			buf_release(&t);
		}
	}
	return v;
}

/* Is key the artifact's name or its base name? */
static bool
name_matches(const char *artifact, const char *key)
{
	const char *base = strrchr(artifact, '/');

	return !strcmp(artifact, key) || (base && !strcmp(base + 1, key));
}

static const char *
base_name(const char *s)
{
	const char *b = strrchr(s, '/');

	return b ? b + 1 : s;
}

/* The artifact of old that a is a later build of: the same name, else the only
 * one of the same base name, else the only one when each side has one. */
static const struct sizein_artifact *
find_old(const struct sizein *old, const struct sizein *now, const struct sizein_artifact *a)
{
	const struct sizein_artifact *hit = NULL;
	size_t n = 0;

	if (!old) {
		return NULL;
	}
	for (size_t i = 0; i < old->narts; i++) {
		if (!strcmp(old->arts[i].name, a->name)) {
			return &old->arts[i];
		}
	}
	for (size_t i = 0; i < old->narts; i++) {
		if (!strcmp(base_name(old->arts[i].name), base_name(a->name))) {
			hit = &old->arts[i];
			n++;
		}
	}
	if (n == 1) {
		return hit;
	}
	return old->narts == 1 && now->narts == 1 ? &old->arts[0] : NULL;
}

static void
names_of(const struct sizein *in, struct buf *out)
{
	for (size_t i = 0; i < in->narts; i++) {
		buf_printf(out, "%s%s", i ? ", " : "", in->arts[i].name);
	}
}

static struct budget_row *
add_row(struct budget_check *c, const char *name, long long before, long long after)
{
	struct budget_row *r;

	c->rows = xreallocarray(c->rows, c->nrows + 1, sizeof(*c->rows));
	r = &c->rows[c->nrows++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->before = before;
	r->after = after;
	return r;
}

static long long
sum_add(long long a, long long b)
{
	return (long long)size_add((unsigned long long)a, (unsigned long long)b);
}

int
budget_evaluate(const struct budget_rules *rules, const struct sizein *now,
		const struct sizein *old, const char *only, struct budget_check *out, char *err,
		size_t len)
{
	const struct budget_limit *total = budgetconf_find(rules, BUDGET_TOTAL);
	struct buf names = BUF_INIT;
	bool *matched = old ? xcalloc(old->narts + 1, sizeof(*matched)) : NULL;
	long long sum_now = 0, sum_old = 0;
	int rc = -1;

	names_of(now, &names);
	/* a limit given on the command line is meant for an artifact that is there */
	for (size_t i = 0; i < rules->nlimits; i++) {
		const struct budget_limit *l = &rules->limits[i];
		bool found = false;

		for (size_t j = 0; j < now->narts && !found; j++) {
			found = name_matches(now->arts[j].name, l->name);
		}
		if (!found && !l->from_ini && strcmp(l->name, BUDGET_TOTAL)) {
			snprintf(err, len,
				 "--budget '%s=%s': no artifact '%s' in '%s' (it has: %s)", l->name,
				 l->text, l->name, now->path, buf_str(&names));
			goto out;
		}
	}
	for (size_t i = 0; i < now->narts; i++) {
		const struct sizein_artifact *a = &now->arts[i], *o;
		struct budget_row *r;

		if (only && !name_matches(a->name, only)) {
			continue;
		}
		o = find_old(old, now, a);
		r = add_row(out, a->name, o ? o->bytes : -1, a->bytes);
		r->now = a;
		r->old = o;
		r->growth = old && rules->growth.set;
		r->note = old && !o ? "new" : NULL;
		if (o) {
			matched[o - old->arts] = true;
		}
		for (size_t j = 0; j < rules->nlimits && !r->nlimits; j++) {
			if (strcmp(rules->limits[j].name, BUDGET_TOTAL) &&
			    name_matches(a->name, rules->limits[j].name)) {
				r->limits[r->nlimits++] = &rules->limits[j];
			}
		}
		sum_now = sum_add(sum_now, a->bytes);
	}
	if (only && !out->nrows) {
		snprintf(err, len, "--artifact '%s': no such artifact in '%s' (it has: %s)", only,
			 now->path, buf_str(&names));
		goto out;
	}
	for (size_t i = 0; old && i < old->narts; i++) {
		sum_old = sum_add(sum_old, old->arts[i].bytes);
		if (!matched[i] && !only) {
			struct budget_row *r;

			r = add_row(out, old->arts[i].name, old->arts[i].bytes, -1);
			r->old = &old->arts[i];
			r->note = "gone";
		}
	}
	/* the sum: its own row when there are several artifacts; the only
	 * artifact's limit too when there is one. --artifact leaves it out. */
	if (!only && out->nrows == 1 && total) {
		out->rows[0].limits[out->rows[0].nlimits++] = total;
	} else if (!only && out->nrows > 1) {
		struct budget_row *r = add_row(out, BUDGET_TOTAL, old ? sum_old : -1, sum_now);

		if (total) {
			r->limits[r->nlimits++] = total;
		}
		r->growth = old && rules->growth.set;
	}
	out->verdict = BUDGET_NONE;
	for (size_t i = 0; i < out->nrows; i++) {
		struct budget_row *r = &out->rows[i];
		struct buf why = BUF_INIT;

		r->verdict = budget_judge(r->before, r->after, r->limits, r->nlimits,
					  r->growth ? &rules->growth : NULL, &why);
		r->why = why.len ? buf_detach(&why) : NULL;
		buf_release(&why);
		if (r->verdict > out->verdict) {
			out->verdict = r->verdict;
		}
	}
	rc = 0;
out:
	free(matched);
	buf_release(&names);
	return rc;
}

/* ---- rendering ---- */

static const char *
metric_of(const struct budget_rules *rules)
{
	return rules->metric ? rules->metric : "file";
}

static char *
budget_text(const struct budget_row *r, const struct budget_rules *rules)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < r->nlimits; i++) {
		bool total = !strcmp(r->limits[i]->name, BUDGET_TOTAL) &&
			     strcmp(r->name, BUDGET_TOTAL);

		buf_printf(&b, "%s%s%s", i ? ", " : "", total ? "total " : "", r->limits[i]->text);
	}
	if (r->growth) {
		buf_adds(&b, b.len ? ", " : "");
		growth_text(&rules->growth, &b);
	}
	if (!b.len) {
		buf_addc(&b, '-');
	}
	return buf_detach(&b);
}

static char *
verdict_text(const struct budget_row *r, bool md)
{
	const char *note = r->note;

	switch (r->verdict) {
	case BUDGET_OVER:
		return xasprintf("%s: %s", md ? "**over**" : "over", r->why);
	case BUDGET_OK:
		return note ? xasprintf("ok (%s)", note) : xstrdup("ok");
	case BUDGET_NONE:
		break;
	}
	return xstrdup(note ? note : "-");
}

static char *
num(long long v)
{
	return v < 0 ? xstrdup("-") : xasprintf("%lld", v);
}

static char *
code(const char *s, bool md)
{
	/* in Markdown a name is code: a C++ template's <T> is not an HTML tag */
	if (!md) {
		return xstrdup(s);
	}
	return strchr(s, '`') ? xasprintf("`` %s ``", s) : xasprintf("`%s`", s);
}

static void
table(const struct budget_check *c, const struct budget_rules *rules, bool md, struct buf *out)
{
	static const char *const h[] = {"artifact", "before", "after", "delta",
					"%",	    "budget", "verdict"};
	static const bool right[] = {false, true, true, true, true, false, false};
	struct grid g;

	grid_init(&g, 7, h, right);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct budget_row *r = &c->rows[i];
		bool both = r->before >= 0 && r->after >= 0;
		char *cols[7] = {
			code(r->name, md && strcmp(r->name, BUDGET_TOTAL)),
			num(r->before),
			num(r->after),
			both ? xasprintf("%+lld", r->after - r->before) : xstrdup("-"),
			xstrdup(both ? units_percent(r->after, r->before) : "-"),
			budget_text(r, rules),
			verdict_text(r, md),
		};

		grid_row_take(&g, cols);
	}
	grid_render(&g, md ? "md" : "text", out);
	grid_release(&g);
}

static const char *
verdict_name(enum budget_verdict v)
{
	static const char *const names[] = {"no budget to check", "within budget", "over budget"};

	return names[v];
}

static void
describe(const struct sizein *in, bool md, struct buf *out)
{
	buf_printf(out, md ? "`%s`" : "%s", in->path);
	if (in->cell) {
		buf_printf(out, md ? " (cell `%s`)" : " (cell %s)", in->cell);
	}
}

static void
symbol_changes(const struct budget_row *r, struct buf *out)
{
	static const char *const h[] = {"symbol", "before", "after", "delta", "change"};
	static const bool right[] = {false, true, true, true, false};
	struct diff d = DIFF_INIT;
	struct grid g;
	size_t shown;

	diff_compute(r->old->syms, r->now->syms, &d);
	shown = d.symbols.n < BUDGET_TOP_SYMBOLS ? d.symbols.n : BUDGET_TOP_SYMBOLS;
	/* HTML, not Markdown, inside <summary>: GitHub renders no backticks there */
	buf_adds(out, "<details><summary>Largest symbol changes in <code>");
	for (const char *s = r->name; *s; s++) {
		buf_adds(out, *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : "");
		if (*s != '<' && *s != '>' && *s != '&') {
			buf_addc(out, *s);
		}
	}
	buf_printf(out, "</code>: %zu of %zu</summary>\n\n", shown, d.symbols.n);
	if (!d.symbols.n) {
		buf_adds(out, "No symbol changed size.\n\n</details>\n");
		diff_release(&d);
		return;
	}
	grid_init(&g, 5, h, right);
	for (size_t i = 0; i < shown; i++) {
		const struct diff_row *s = &d.symbols.v[i];
		char *cols[5] = {
			code(s->name, true),
			xasprintf("%lld", s->old_bytes),
			xasprintf("%lld", s->new_bytes),
			xasprintf("%+lld", s->new_bytes - s->old_bytes),
			xstrdup(diff_change_name(s->change)),
		};

		grid_row_take(&g, cols);
	}
	grid_render(&g, "md", out);
	grid_release(&g);
	buf_adds(out, "\nSymbol names are matched after dropping compiler suffixes "
		      "(`.constprop.N`, `.isra.N`, `.part.N`, `.cold`, Rust hashes).\n\n"
		      "</details>\n");
	diff_release(&d);
}

static void
render_md(const struct budget_check *c, const struct budget_rules *rules,
	  const struct sizein *now, const struct sizein *old, struct buf *out)
{
	bool any = false;

	buf_printf(out, "### ounce check: %s\n\n", verdict_name(c->verdict));
	describe(now, true, out);
	if (old) {
		buf_adds(out, " against ");
		describe(old, true, out);
	}
	buf_printf(out, ", metric `%s` (bytes).\n\n", metric_of(rules));
	table(c, rules, true, out);
	buf_addc(out, '\n');
	if (!old) {
		buf_adds(out, "Symbol changes: none to show without an older build "
			      "(`--against`).\n");
		return;
	}
	if (now->nosyms || old->nosyms) {
		buf_printf(out, "Symbol changes are not available: %s.\n",
			   now->nosyms ? now->nosyms : old->nosyms);
		return;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct budget_row *r = &c->rows[i];

		if (r->now && r->old && r->now->syms && r->old->syms) {
			buf_adds(out, any ? "\n" : "");
			symbol_changes(r, out);
			any = true;
		}
	}
	if (!any) {
		buf_adds(out, "Symbol changes: no artifact is in both builds.\n");
	}
}

static json_t *
jnum(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *
row_json(const struct budget_row *r, const struct budget_rules *rules)
{
	static const char *const verdicts[] = {"none", "ok", "over"};
	json_t *o = json_object(), *lim = json_array();
	bool both = r->before >= 0 && r->after >= 0;

	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "before", jnum(r->before));
	json_object_set_new(o, "after", jnum(r->after));
	json_object_set_new(o, "delta", both ? json_integer(r->after - r->before) : json_null());
	for (size_t i = 0; i < r->nlimits; i++) {
		json_t *l = json_object();

		json_object_set_new(l, "name", json_string(r->limits[i]->name));
		json_object_set_new(l, "bytes", json_integer((json_int_t)r->limits[i]->bytes));
		json_object_set_new(l, "text", json_string(r->limits[i]->text));
		json_array_append_new(lim, l);
	}
	json_object_set_new(o, "limits", lim);
	if (r->growth) {
		struct buf t = BUF_INIT;

		growth_text(&rules->growth, &t);
		json_object_set_new(o, "max_growth", json_string(buf_str(&t)));
		json_object_set_new(
		    o, "allowed_growth",
		    json_integer((json_int_t)budget_allowed_growth(&rules->growth, r->before)));
		buf_release(&t);
	} else {
		json_object_set_new(o, "max_growth", json_null());
	}
	json_object_set_new(o, "verdict", json_string(verdicts[r->verdict]));
	json_object_set_new(o, "why", r->why ? json_string(r->why) : json_null());
	json_object_set_new(o, "note", r->note ? json_string(r->note) : json_null());
	return o;
}

static void
render_json(const struct budget_check *c, const struct budget_rules *rules,
	    const struct sizein *now, const struct sizein *old, struct buf *out)
{
	static const char *const verdicts[] = {"none", "ok", "over"};
	json_t *o = json_object(), *rows = json_array();
	char *s;

	json_object_set_new(o, "verdict", json_string(verdicts[c->verdict]));
	json_object_set_new(o, "metric", json_string(metric_of(rules)));
	json_object_set_new(o, "new", json_string(now->path));
	json_object_set_new(o, "new_cell", now->cell ? json_string(now->cell) : json_null());
	json_object_set_new(o, "old", old ? json_string(old->path) : json_null());
	json_object_set_new(o, "old_cell", old && old->cell ? json_string(old->cell) : json_null());
	for (size_t i = 0; i < c->nrows; i++) {
		json_array_append_new(rows, row_json(&c->rows[i], rules));
	}
	json_object_set_new(o, "rows", rows);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
}

void
budget_render(const struct budget_check *c, const struct budget_rules *rules,
	      const struct sizein *now, const struct sizein *old, const char *format,
	      struct buf *out)
{
	if (!strcmp(format, "json")) {
		render_json(c, rules, now, old, out);
		return;
	}
	if (!strcmp(format, "md")) {
		render_md(c, rules, now, old, out);
		return;
	}
	describe(now, false, out);
	if (old) {
		buf_adds(out, " against ");
		describe(old, false, out);
	}
	buf_printf(out, ", metric %s (bytes):\n\n", metric_of(rules));
	table(c, rules, false, out);
	buf_printf(out, "\n%s\n", verdict_name(c->verdict));
}

void
budget_check_release(struct budget_check *c)
{
	for (size_t i = 0; i < c->nrows; i++) {
		free(c->rows[i].name);
		free(c->rows[i].why);
	}
	free(c->rows);
	c->rows = NULL;
	c->nrows = 0;
}
