/* html.c: the page of `ounce report`. Its numbers and words come from the same
 * code as the other commands' (table_lines, pick_best_in, emit_render,
 * explain_line, flame_svg), so the page says what table, pick, --emit, --explain
 * and size --flame say. Every text from results.json or an artifact goes through
 * html_escape; charts are inline SVG drawn here. */
#include "report/html.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/markup.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/units.h"
#include "elf/flame.h"
#include "elf/size.h"
#include "os/fsutil.h"
#include "report/emit.h"
#include "report/explain.h"
#include "report/pick.h"
#include "report/result.h"
#include "report/table.h"
#include "base/banned.h"

/* Geometry of the charts, in SVG units (they scale to the page's width). */
#define CHART_WIDE 640   /* the charts' width on a wide screen */
#define CHART_NARROW 360 /* and on a phone (CSS shows one of them) */
#define BAR_PAD 8        /* left and right of the bars */
#define BAR_TOP 26       /* room for the axis labels */
#define BAR_GROUP 24     /* a group's heading */
#define BAR_ROW 32       /* one row: its label, then its bar */
#define BAR_VALUE 120    /* room for a row's bytes and change */
#define SC_H_WIDE 380    /* the scatter's height */
#define SC_H_NARROW 300
#define SC_LEFT 76 /* room for the bytes axis */
#define SC_RIGHT 16
#define SC_TOP 14
#define SC_BOTTOM 44 /* room for the seconds axis */

/* Colours: shrank, grew, the same, the winner, the Pareto front. */
#define COLOUR_SMALLER "#2a9d4b"
#define COLOUR_LARGER "#d0473a"
#define COLOUR_SAME "#8f96a0"
#define COLOUR_WIN "#e0a100"
#define COLOUR_FRONT "#1f6fd1"

/* What every part of the page reads. */
struct page {
	const struct results *r;
	const char *metric;
	struct table_line *l; /* the table's lines */
	int cw;               /* the width of the chart being drawn */
	size_t nl;
	const struct cell *win; /* or NULL */
	const char *form;       /* the form of the winner's settings */
	struct buf settings;    /* the winner's settings in that form */
	const char *source;     /* results.json's path, or NULL */
	struct buf *out;
};

void
html_escape(struct buf *out, const char *s)
{
	markup_escape(out, s, SIZE_MAX, "\xef\xbf\xbd");
}

/* s escaped, at most max characters, cut with an ellipsis. */
static void
escape_cut(struct buf *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, cut = 0;

	for (; p[cut] && n < max; n++) {
		size_t len = markup_char_len(p + cut);

		cut += len ? len : 1;
	}
	if (!p[cut]) {
		html_escape(out, s);
		return;
	}
	{
		char *head = xstrndup(s, cut);

		html_escape(out, head);
		buf_adds(out, "\xe2\x80\xa6");
		free(head);
	}
}

static void
esc(struct page *p, const char *s)
{
	html_escape(p->out, s ? s : "");
}

static bool
measured(const struct cell *c)
{
	return c && (c->status == CELL_OK || c->status == CELL_SMOKE_FAILED) && c->m.bytes >= 0;
}

/* The baseline's bytes for c, or -1. */
static long long
base_bytes(const struct results *r, const struct cell *c)
{
	const struct cell *b = c ? results_baseline_of(r, c) : NULL;

	return measured(b) ? b->m.bytes : -1;
}

/* The end of the lines of the build line from is in. */
static size_t
build_end(const struct page *p, size_t from)
{
	size_t to = from + 1;

	while (to < p->nl && !strcmp(p->l[to].build, p->l[from].build)) {
		to++;
	}
	return to;
}

static bool
is_win(const struct page *p, const char *cell)
{
	return p->win && !strcmp(p->win->name, cell);
}

/* A step of 1, 2 or 5 times a power of ten that cuts span into at most n parts. */
static double
nice_step(double span, int n)
{
	double step = 1e-3;

	if (span <= 0) {
		return 1;
	}
	while (span / step > n) {
		if (span / (step * 2) <= n) {
			return step * 2;
		}
		if (span / (step * 5) <= n) {
			return step * 5;
		}
		step *= 10;
	}
	return step;
}

/* v rounded down (up) to a multiple of step. */
static double
floor_to(double v, double step)
{
	long long k = (long long)(v / step);

	if ((double)k * step > v) {
		k--;
	}
	return (double)k * step;
}

static double
ceil_to(double v, double step)
{
	long long k = (long long)(v / step);

	if ((double)k * step < v) {
		k++;
	}
	return (double)k * step;
}

/* ---- head, header and script ---- */

static const char css[] =
    ":root{--fg:#1d2430;--muted:#5b6472;--line:#d8dde4;--bg:#f4f5f7}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}\n"
    "main{max-width:1240px;margin:0 auto;padding:16px}\n"
    "header h1{font-size:1.7rem;margin:.2em 0}\n"
    ".meta,.note{color:var(--muted)}\n"
    "nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0}\n"
    "nav a{color:#1f5fb8}\n"
    "section{background:#fff;border:1px solid var(--line);border-radius:8px;"
    "padding:12px 18px;margin:16px 0}\n"
    "h2{font-size:1.3rem;margin:.2em 0 .5em}\n"
    "h3{font-size:1.05rem;margin:1em 0 .4em}\n"
    "code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "font-size:.88em}\n"
    "pre{overflow-x:auto;background:#f3f4f6;border:1px solid var(--line);border-radius:6px;"
    "padding:10px;white-space:pre;overflow-wrap:normal}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.88rem}\n"
    "th,td{padding:4px 7px;border-bottom:1px solid #e6e9ee;text-align:left;"
    "white-space:nowrap;vertical-align:top;overflow-wrap:normal}\n"
    "th{background:#f0f2f5;position:sticky;top:0}\n"
    ".n{text-align:right}\n"
    "td.wrap{white-space:normal;min-width:12em;overflow-wrap:anywhere}\n"
    "tr.g td{border-top:2px solid #b9c0ca}\n"
    "tr.winner td{background:#fff3c4}\n"
    "tr.winner td:nth-child(2)::after,.badge{content:'winner';display:inline-block;"
    "margin-left:6px;padding:0 6px;border-radius:9px;background:" COLOUR_WIN ";color:#222;"
    "font-size:.75rem;font-weight:600}\n"
    ".badge{margin:0 6px 0 0}\n"
    "th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;"
    "cursor:pointer;text-align:inherit}\n"
    "th[aria-sort=ascending] button::after{content:' \\25b2'}\n"
    "th[aria-sort=descending] button::after{content:' \\25bc'}\n"
    ".verdict{font-size:1.1rem}\n"
    ".missing,.warn{background:#fff6e5;border:1px solid #f0d9a8;border-radius:6px;"
    "padding:8px 10px}\n"
    "figure{margin:0 0 12px}\n"
    "figcaption{margin:6px 0}\n"
    ".chart{max-width:760px}\n"
    /* each chart is drawn twice: for a wide screen and for a phone */
    ".narrow{display:none}\n"
    ".chart svg{display:block;width:100%;height:auto}\n"
    ".chart text{font:13px system-ui,-apple-system,'DejaVu Sans',sans-serif;fill:var(--fg)}\n"
    ".chart text.grp{font-weight:700}\n"
    ".chart text.ax{fill:var(--muted);font-size:12px}\n"
    /* a halo, so a label reads where it crosses the zero line */
    ".bars text{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}\n"
    ".flame svg{display:block;width:100%;min-width:960px;height:auto}\n"
    ".legend span{display:inline-block;width:.8em;height:.8em;border-radius:2px;"
    "margin:0 4px 0 10px;vertical-align:-1px}\n"
    ".narrow svg{max-width:480px}\n"
    "@media (max-width:560px){.wide{display:none}.narrow{display:block}}\n"
    "@media (max-width:640px){body{font-size:14px}main{padding:8px}"
    "section{padding:10px 12px;margin:10px 0}header h1{font-size:1.35rem}"
    "td.wrap{min-width:7em}}\n";

/* Sorting: a button in each heading sorts the rows by that column (numbers by
 * data-v, "-" last), again the other way; the original order comes back from
 * data-i. Without script the table is in ounce table's order. */
static const char script[] =
    "(function(){\n"
    "function key(r,i){var c=r.cells[i],v=c.getAttribute('data-v');"
    "return v===null?c.textContent:v===''?null:+v;}\n"
    "function cmp(a,b){if(a===b)return 0;if(a===null)return 1;if(b===null)return -1;"
    "return typeof a==='number'&&typeof b==='number'?a-b:String(a).localeCompare(String(b));}\n"
    "Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(t){\n"
    "var hs=t.tHead.rows[0].cells;\n"
    "Array.prototype.forEach.call(hs,function(th,i){\n"
    "var b=document.createElement('button');b.type='button';b.textContent=th.textContent;\n"
    "th.textContent='';th.appendChild(b);\n"
    "b.addEventListener('click',function(){\n"
    "var up=th.getAttribute('aria-sort')!=='ascending';\n"
    "Array.prototype.forEach.call(hs,function(h){h.removeAttribute('aria-sort');});\n"
    "th.setAttribute('aria-sort',up?'ascending':'descending');\n"
    "var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
    "rows.sort(function(x,y){var a=key(x,i),c=key(y,i),d=a===null||c===null?cmp(a,c):"
    "cmp(a,c)*(up?1:-1);return d||x.getAttribute('data-i')-y.getAttribute('data-i');});\n"
    "rows.forEach(function(r){body.appendChild(r);});\n"
    "});});});\n"
    "})();\n";

static void
put_head(struct page *p)
{
	const struct results *r = p->r;

	buf_adds(p->out,
	         "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	         /* nothing may leave the page */
	         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	         "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	         "<meta name=\"generator\" content=\"ounce " OUNCE_VERSION "\">\n<title>");
	esc(p, r->project ? r->project : "a run");
	buf_adds(p->out, ": ounce report</title>\n<style>\n");
	buf_adds(p->out, css);
	buf_adds(p->out, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>");
	esc(p, r->project ? r->project : "ounce report");
	buf_adds(p->out, "</h1>\n<p class=\"meta\">");
	buf_adds(p->out, "Built with ");
	esc(p, r->recipe ? r->recipe : "?");
	buf_adds(p->out, " and ");
	esc(p, r->toolchain ? r->toolchain : "?");
	buf_printf(p->out, "; %zu cells", r->ncells);
	if (r->strategy) {
		buf_adds(p->out, ", strategy ");
		esc(p, r->strategy);
	}
	buf_adds(p->out, "; the winner by the ");
	esc(p, p->metric);
	buf_adds(p->out, " metric");
	if (r->target_glibc) {
		buf_adds(p->out, ", for a target with glibc ");
		esc(p, r->target_glibc);
	}
	buf_adds(p->out, ".</p>\n");
	if (!r->complete) {
		size_t done = 0;

		for (size_t i = 0; i < r->ncells; i++) {
			done += r->cells[i]->status != CELL_PENDING &&
			        r->cells[i]->status != CELL_INTERRUPTED;
		}
		buf_printf(
		    p->out,
		    "<p class=\"warn\">Incomplete: %zu of %zu cells measured (the run was "
		    "interrupted; <code>ounce matrix --resume</code> goes on with it).</p>\n",
		    done, r->ncells);
	}
	buf_adds(p->out, "<nav><a href=\"#winner\">Winner</a><a href=\"#chart\">Bytes against the "
	                 "baseline</a><a href=\"#scatter\">Build time against bytes</a>");
	if (p->win) {
		buf_adds(p->out, "<a href=\"#settings\">Settings</a>");
	}
	buf_adds(p->out, "<a href=\"#tables\">Table</a><a href=\"#explain\">Where the bytes "
	                 "went</a><a href=\"#flames\">Flame graphs</a></nav>\n</header>\n");
}

/* ---- the winner ---- */

/* The profiles of c with what each costs. */
static void
put_tradeoffs(struct page *p, const struct cell *c)
{
	if (!c->profiles.n) {
		return;
	}
	buf_adds(p->out, "<h3>Its profiles and what they cost</h3>\n<div class=\"scroll\"><table "
	                 "class=\"tradeoffs\"><thead><tr><th>profile</th><th>stage</th><th>what it "
	                 "does</th><th>trade-off</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < c->profiles.n; i++) {
		const struct result_profile *rp = results_profile(p->r, c->profiles.v[i]);

		buf_adds(p->out, "<tr><td><code>");
		esc(p, c->profiles.v[i]);
		buf_adds(p->out, "</code></td><td>");
		esc(p, rp && rp->stage ? rp->stage : "-");
		buf_adds(p->out, "</td><td class=\"wrap\">");
		esc(p, rp && rp->summary ? rp->summary : "(not recorded)");
		buf_adds(p->out, "</td><td class=\"wrap\">");
		esc(p, rp && rp->tradeoff ? rp->tradeoff : "none");
		if (rp && rp->tradeoff_note) {
			buf_adds(p->out, ": ");
			esc(p, rp->tradeoff_note);
		}
		buf_adds(p->out, "</td></tr>\n");
	}
	buf_adds(p->out, "</tbody></table></div>\n");
}

/* The cells of the winner's build smaller than it by the metric that pick left
 * out, and why. */
static void
put_not_handed(struct page *p, const struct html_opts *o)
{
	const struct cell *w = p->win;
	long long wv = cell_metric(w, p->metric);
	size_t shown = 0, more = 0;

	for (size_t i = 0; i < p->r->ncells; i++) {
		const struct cell *c = p->r->cells[i];
		const char *why;
		long long v = cell_metric(c, p->metric);

		if (c == w || !measured(c) || v < 0 || v >= wv ||
		    strcmp(c->build ? c->build : "", w->build ? w->build : "")) {
			continue;
		}
		why = pick_excluded(p->r, c, p->metric, o->allow);
		if (!why) {
			continue;
		}
		if (shown == 12) {
			more++;
			continue;
		}
		if (!shown++) {
			buf_adds(
			    p->out,
			    "<h3>Smaller cells not handed over</h3>\n<ul class=\"excluded\">\n");
		}
		buf_adds(p->out, "<li><code>");
		esc(p, c->name);
		buf_printf(p->out, "</code>: %lld bytes: ", v);
		esc(p, why);
		buf_adds(p->out, "</li>\n");
	}
	if (more) {
		buf_printf(p->out, "<li>and %zu more</li>\n", more);
	}
	if (shown) {
		buf_adds(p->out,
		         "</ul>\n<p class=\"note\"><code>ounce pick --allow security</code> or "
		         "<code>--allow abi</code> lets such cells win.</p>\n");
	}
}

/* The form of the winner's settings: the option, else the build system's own,
 * else cargo for a Cargo build and the compiler wrapper for C. */
static const char *
form_of(const struct page *p, const struct html_opts *o)
{
	const char *f = o->form ? o->form : emit_native_form(p->r->recipe);
	bool cargo = p->win->settings.toolchain && !strcmp(p->win->settings.toolchain, "cargo");

	return f ? f : cargo ? "cargo" : "wrapper";
}

static void
put_winner(struct page *p, const struct html_opts *o)
{
	const struct results *r = p->r;
	const struct cell *w = p->win, *base;
	long long v, bv;

	buf_adds(p->out, "<section id=\"winner\">\n<h2>The winner</h2>\n");
	if (!w) {
		const struct cell *b = results_find(r, r->baseline);
		const char *why = b ? pick_excluded(r, b, p->metric, o->allow) : NULL;

		buf_adds(p->out,
		         "<p class=\"warn\" id=\"no-winner\">No cell built, passed its smoke "
		         "test and is allowed");
		if (why) {
			buf_adds(p->out, "; the baseline: ");
			esc(p, why);
		}
		buf_adds(p->out, ".</p>\n</section>\n");
		return;
	}
	base = results_baseline_of(r, w);
	v = cell_metric(w, p->metric);
	bv = base ? cell_metric(base, p->metric) : -1;
	buf_adds(p->out, "<p class=\"verdict\"><span class=\"badge\">winner</span><code "
	                 "id=\"winner-cell\">");
	esc(p, w->name);
	buf_printf(p->out, "</code>: <strong>%lld bytes</strong> (%s) by the ", v, units_human(v));
	esc(p, p->metric);
	buf_printf(p->out, " metric, <strong>%s</strong>", units_percent(v, bv));
	if (bv >= 0) {
		buf_printf(p->out, " against the baseline's %lld bytes", bv);
	}
	if (w->build) {
		buf_adds(p->out, " (build ");
		esc(p, w->build);
		buf_adds(p->out, ")");
	}
	buf_adds(p->out, ".</p>\n");
	if (w == base || !w->profiles.n) {
		buf_adds(p->out,
		         "<p>No profile made it smaller: the baseline is the winner.</p>\n");
	}
	buf_adds(p->out, "<p class=\"note\">Chosen as <code>ounce pick</code> chooses: the "
	                 "smallest cell that built, passed its smoke test (or load check) and has "
	                 "no cost it is not allowed (a security trade-off, an ABI change, a glibc "
	                 "newer than the target); ties go to fewer profiles.</p>\n");
	if (w->smoke == SMOKE_LOADED) {
		buf_adds(p->out,
		         "<p class=\"warn\">It was only load-checked (no smoke test ran it): "
		         "give <code>ounce matrix</code> a <code>--smoke</code> command to be "
		         "sure it works.</p>\n");
	}
	for (size_t i = 0; i < w->nverify; i++) {
		const struct cell_verify *cv = &w->verify[i];

		buf_adds(p->out, "<p>Verified: <strong>");
		esc(p, cv->state);
		buf_adds(p->out, "</strong> (");
		esc(p, cv->form);
		buf_adds(p->out, " form");
		if (cv->detail) {
			buf_adds(p->out, ": ");
			esc(p, cv->detail);
		}
		buf_adds(p->out, ")</p>\n");
	}
	put_tradeoffs(p, w);
	put_not_handed(p, o);
	buf_adds(p->out, "<p><a href=\"#settings\">Its settings to paste</a> are below the "
	                 "charts.</p>\n</section>\n");
}

/* The winner's settings into p->settings; -1 after reporting when the form does
 * not fit its toolchain. */
static int
render_settings(struct page *p, const struct html_opts *o)
{
	p->form = form_of(p, o);
	if (emit_render(p->r, p->win, p->form, p->metric, &p->settings) < 0) {
		/* emit_render reported a form that does not fit; an unknown one it did not */
		return emit_form_valid(p->form) ? -1 : error("unknown emit form '%s'", p->form);
	}
	return 0;
}

static void
put_settings(struct page *p)
{
	if (!p->win) {
		return;
	}
	buf_adds(p->out, "<section id=\"settings\">\n<h2>The winner's settings: <code>ounce pick "
	                 "--emit ");
	esc(p, p->form);
	buf_adds(p->out, "</code></h2>\n<pre class=\"settings\">");
	esc(p, buf_str(&p->settings));
	buf_adds(p->out, "</pre>\n</section>\n");
}

/* ---- the bar chart ---- */

/* c's change against its baseline in percent; false when either is not measured. */
static bool
change_of(const struct results *r, const struct cell *c, double *pct)
{
	long long b = base_bytes(r, c);

	if (!measured(c) || b <= 0) {
		return false;
	}
	*pct = ((double)c->m.bytes - (double)b) * 100.0 / (double)b;
	return true;
}

static double
bar_x(double v, double lo, double hi, int w)
{
	return BAR_PAD + (v - lo) / (hi - lo) * (w - 2 * BAR_PAD);
}

static void
put_bars(struct page *p, size_t from, size_t to)
{
	const struct results *r = p->r;
	double lo = 0, hi = 0, step, pct, x0;
	int h = BAR_TOP + 6;

	for (size_t i = from; i < to; i++) {
		if (change_of(r, results_find(r, p->l[i].cell), &pct)) {
			lo = pct < lo ? pct : lo;
			hi = pct > hi ? pct : hi;
		}
		if (i == from || strcmp(p->l[i].group, p->l[i - 1].group)) {
			h += BAR_GROUP;
		}
		h += BAR_ROW;
	}
	step = nice_step(hi - lo < 1 ? 1 : hi - lo, 6);
	lo = floor_to(lo, step);
	hi = ceil_to(hi, step);
	if (hi - lo < step) {
		hi = lo + step;
	}
	x0 = bar_x(0, lo, hi, p->cw);
	buf_printf(
	    p->out,
	    "<svg class=\"bars\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"bytes of each cell against the baseline\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">\n",
	    p->cw, h, p->cw, h);
	for (double t = lo; t <= hi + step / 2; t += step) {
		double x = bar_x(t, lo, hi, p->cw);
		const char *anchor = t == lo                    ? "start"
		                     : t + step > hi + step / 2 ? "end"
		                                                : "middle";

		bool zero = t > -step / 2 && t < step / 2;

		buf_printf(p->out,
		           "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
		           "<text class=\"ax\" x=\"%.1f\" y=\"14\" text-anchor=\"%s\">",
		           x, x, BAR_TOP - 6, h - 4, zero ? "#6b7480" : "#e3e6ea", x, anchor);
		if (zero) {
			buf_adds(p->out, "0</text>\n");
		} else {
			buf_printf(p->out, "%+g%%</text>\n", t);
		}
	}
	h = BAR_TOP + 6;
	for (size_t i = from; i < to; i++) {
		const struct table_line *l = &p->l[i];
		const struct cell *c = results_find(r, l->cell);
		bool win = is_win(p, l->cell), has = change_of(r, c, &pct);

		if (i == from || strcmp(l->group, p->l[i - 1].group)) {
			buf_printf(p->out, "<text class=\"grp\" x=\"%d\" y=\"%d\">", BAR_PAD,
			           h + 17);
			esc(p, l->group);
			buf_adds(p->out, "</text>\n");
			h += BAR_GROUP;
		}
		buf_adds(p->out, "<g class=\"bar\" data-cell=\"");
		esc(p, l->cell);
		buf_adds(p->out, "\"><title>");
		esc(p, l->col[1]);
		buf_adds(p->out, ": ");
		if (has) {
			buf_printf(p->out, "%lld bytes, %s against the baseline", c->m.bytes,
			           units_percent(c->m.bytes, base_bytes(r, c)));
		} else {
			esc(p, c ? cell_status_name(c->status) : "?");
		}
		buf_printf(p->out, "</title><text x=\"%d\" y=\"%d\">", BAR_PAD, h + 13);
		/* about 7 units a character */
		escape_cut(p->out, l->col[1], (size_t)(p->cw - 2 * BAR_PAD - BAR_VALUE) / 7);
		if (win) {
			buf_adds(p->out, " \xe2\x98\x85 winner");
		}
		buf_printf(p->out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		           p->cw - BAR_PAD, h + 13);
		if (has) {
			double x = bar_x(pct, lo, hi, p->cw), w = x > x0 ? x - x0 : x0 - x;

			buf_printf(p->out, "%lld B, %s</text>", c->m.bytes,
			           units_percent(c->m.bytes, base_bytes(r, c)));
			buf_printf(p->out,
			           "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"11\" "
			           "fill=\"%s\"/>",
			           x < x0 ? x : x0, h + 18, w < 1.5 ? 1.5 : w,
			           win       ? COLOUR_WIN
			           : pct < 0 ? COLOUR_SMALLER
			           : pct > 0 ? COLOUR_LARGER
			                     : COLOUR_SAME);
		} else {
			buf_adds(p->out, "<tspan fill=\"#8a4b00\">");
			esc(p, c ? cell_status_name(c->status) : "?");
			buf_adds(p->out, "</tspan></text>");
		}
		buf_adds(p->out, "</g>\n");
		h += BAR_ROW;
	}
	buf_adds(p->out, "</svg>\n");
}

static void
put_chart(struct page *p)
{
	buf_adds(p->out, "<section id=\"chart\">\n<h2>Bytes against the baseline</h2>\n"
	                 "<p class=\"legend note\">Each row of the table: its file bytes and the "
	                 "change from its build's baseline, grouped as the table is."
	                 "<span style=\"background:" COLOUR_SMALLER "\"></span>smaller"
	                 "<span style=\"background:" COLOUR_LARGER "\"></span>larger"
	                 "<span style=\"background:" COLOUR_SAME "\"></span>the same"
	                 "<span style=\"background:" COLOUR_WIN "\"></span>the winner</p>\n");
	for (size_t from = 0, to; from < p->nl; from = to) {
		to = build_end(p, from);
		buf_adds(p->out, "<figure class=\"chart\" data-build=\"");
		esc(p, p->l[from].build);
		buf_adds(p->out, "\"><figcaption>build <strong>");
		esc(p, p->l[from].build);
		buf_adds(p->out, "</strong></figcaption>\n");
		buf_adds(p->out, "<div class=\"wide\">");
		p->cw = CHART_WIDE;
		put_bars(p, from, to);
		buf_adds(p->out, "</div><div class=\"narrow\">");
		p->cw = CHART_NARROW;
		put_bars(p, from, to);
		buf_adds(p->out, "</div>\n");
		buf_adds(p->out, "</figure>\n");
	}
	buf_adds(p->out, "</section>\n");
}

/* ---- the scatter and its Pareto front ---- */

struct point {
	const struct cell *c;
	double s;    /* build seconds */
	long long b; /* bytes */
	bool front;
};

static int
cmp_point(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	if (x->s != y->s) {
		return x->s < y->s ? -1 : 1;
	}
	return x->b < y->b ? -1 : x->b > y->b;
}

/* The measured cells that pass of lines from..to, each once, by build seconds,
 * the Pareto front marked; *n gets how many. The caller frees the array. */
static struct point *
points_of(struct page *p, size_t from, size_t to, size_t *n)
{
	struct point *v = xcalloc(to - from + 1, sizeof(*v));
	long long best = -1;

	*n = 0;
	for (size_t i = from; i < to; i++) {
		const struct cell *c = results_find(p->r, p->l[i].cell);
		bool seen = false;

		for (size_t j = 0; j < *n && !seen; j++) {
			seen = v[j].c == c;
		}
		if (seen || !c || c->status != CELL_OK || c->smoke == SMOKE_FAIL || !measured(c)) {
			continue;
		}
		v[*n].c = c;
		v[*n].s = c->build_seconds < 0 ? 0 : c->build_seconds;
		v[*n].b = c->m.bytes;
		(*n)++;
	}
	if (*n > 1) {
		qsort(v, *n, sizeof(*v), cmp_point);
	}
	/* the smallest build within each build-time budget */
	for (size_t i = 0; i < *n; i++) {
		if (best < 0 || v[i].b < best) {
			v[i].front = true;
			best = v[i].b;
		}
	}
	return v;
}

struct frame {
	int w, h;      /* the picture's size */
	double x0, x1; /* seconds at the left and right */
	double y0, y1; /* bytes at the bottom and top */
};

static double
sc_x(const struct frame *f, double s)
{
	return SC_LEFT + (s - f->x0) / (f->x1 - f->x0) * (f->w - SC_LEFT - SC_RIGHT);
}

static double
sc_y(const struct frame *f, double b)
{
	return SC_TOP + (f->y1 - b) / (f->y1 - f->y0) * (f->h - SC_TOP - SC_BOTTOM);
}

static void
put_axes(struct page *p, const struct frame *f, double xs, double ys)
{
	for (double t = f->x0; t <= f->x1 + xs / 2; t += xs) {
		double x = sc_x(f, t);

		buf_printf(
		    p->out,
		    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#e3e6ea\"/>"
		    "<text class=\"ax\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
		    x, x, SC_TOP, f->h - SC_BOTTOM, x, f->h - SC_BOTTOM + 16, t);
	}
	for (double t = f->y0; t <= f->y1 + ys / 2; t += ys) {
		double y = sc_y(f, t);

		buf_printf(
		    p->out,
		    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e6ea\"/>"
		    "<text class=\"ax\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
		    SC_LEFT, f->w - SC_RIGHT, y, y, SC_LEFT - 6, y + 4, t);
	}
	buf_printf(
	    p->out,
	    "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">build seconds</text>\n"
	    "<text class=\"ax\" x=\"14\" y=\"%d\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 14 %d)\">bytes</text>\n",
	    (SC_LEFT + f->w - SC_RIGHT) / 2, f->h - 8, (SC_TOP + f->h - SC_BOTTOM) / 2,
	    (SC_TOP + f->h - SC_BOTTOM) / 2);
}

/* The scatter of points v[0..n-1], p->cw wide. */
static void
put_scatter_svg(struct page *p, const struct point *v, size_t n)
{
	struct frame f;
	double xs, ys, lo = (double)v[0].b, hi = (double)v[0].b, smax = 0;
	long long base = base_bytes(p->r, v[0].c);
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		lo = (double)v[i].b < lo ? (double)v[i].b : lo;
		hi = (double)v[i].b > hi ? (double)v[i].b : hi;
		smax = v[i].s > smax ? v[i].s : smax;
	}
	f.w = p->cw;
	f.h = p->cw == CHART_WIDE ? SC_H_WIDE : SC_H_NARROW;
	/* a margin, so no point sits on the frame */
	smax = smax > 0 ? smax * 1.04 : 1;
	xs = nice_step(smax, p->cw == CHART_WIDE ? 6 : 4);
	f.x0 = 0;
	f.x1 = ceil_to(smax, xs);
	ys = nice_step(hi - lo > 0 ? (hi - lo) * 1.1 : hi > 0 ? hi / 10 : 1, 5);
	f.y0 = floor_to(lo - (hi - lo) * 0.04, ys);
	f.y1 = ceil_to(hi + (hi - lo) * 0.04, ys);
	if (f.y1 - f.y0 < ys) {
		f.y1 = f.y0 + ys;
	}
	buf_printf(p->out,
	           "<svg class=\"scatter\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	           "role=\"img\" aria-label=\"build seconds against bytes, the Pareto front "
	           "marked\" xmlns=\"http://www.w3.org/2000/svg\">\n",
	           f.w, f.h, f.w, f.h);
	put_axes(p, &f, xs, ys);
	/* the front as steps: within a budget, the best so far */
	buf_adds(p->out, "<path fill=\"none\" stroke=\"" COLOUR_FRONT "\" stroke-width=\"2\" d=\"");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].front) {
			continue;
		}
		if (first) {
			buf_printf(p->out, "M%.1f %.1f", sc_x(&f, v[i].s),
			           sc_y(&f, (double)v[i].b));
			first = false;
		} else {
			buf_printf(p->out, "H%.1fV%.1f", sc_x(&f, v[i].s),
			           sc_y(&f, (double)v[i].b));
		}
	}
	buf_printf(p->out, "H%.1f\"/>\n", sc_x(&f, f.x1));
	for (size_t i = 0; i < n; i++) {
		double x = sc_x(&f, v[i].s), y = sc_y(&f, (double)v[i].b);
		bool win = p->win == v[i].c;

		buf_adds(p->out, "<g class=\"pt\" data-cell=\"");
		esc(p, v[i].c->name);
		buf_printf(p->out, "\"%s><title>", v[i].front ? " data-front=\"1\"" : "");
		esc(p, v[i].c->name);
		buf_printf(p->out, ": %lld bytes (%s), %.1f s%s%s</title>", v[i].b,
		           units_percent(v[i].b, base), v[i].s, v[i].front ? ", on the front" : "",
		           win ? ", the winner" : "");
		if (win) {
			buf_printf(p->out,
			           "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"10\" fill=\"none\" "
			           "stroke=\"" COLOUR_WIN "\" stroke-width=\"3\"/>",
			           x, y);
		}
		if (v[i].front) {
			buf_printf(p->out,
			           "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"" COLOUR_FRONT
			           "\"/>",
			           x, y);
		} else {
			buf_printf(p->out,
			           "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#fff\" "
			           "stroke=\"#6b7480\" stroke-width=\"1.5\"/>",
			           x, y);
		}
		buf_adds(p->out, "</g>\n");
	}
	buf_adds(p->out, "</svg>\n");
}

/* The scatter of points v[0..n-1] at both widths, and the table of its front. */
static void
put_scatter_of(struct page *p, const struct point *v, size_t n)
{
	long long base = base_bytes(p->r, v[0].c);

	buf_adds(p->out, "<div class=\"wide\">");
	p->cw = CHART_WIDE;
	put_scatter_svg(p, v, n);
	buf_adds(p->out, "</div><div class=\"narrow\">");
	p->cw = CHART_NARROW;
	put_scatter_svg(p, v, n);
	buf_adds(p->out, "</div>\n");
	buf_adds(p->out,
	         "<div class=\"scroll\"><table class=\"pareto\"><thead><tr><th>build-time "
	         "budget</th><th>the smallest build within it</th><th class=\"n\">bytes</th>"
	         "<th class=\"n\">% change</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].front) {
			continue;
		}
		buf_adds(p->out, "<tr data-cell=\"");
		esc(p, v[i].c->name);
		buf_printf(p->out, "\"><td>%.2f s</td><td><code>", v[i].s);
		esc(p, v[i].c->name);
		buf_printf(
		    p->out, "</code>%s</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
		    p->win == v[i].c ? "<span class=\"badge\" style=\"margin-left:6px\">winner"
		                       "</span>"
		                     : "",
		    v[i].b, units_percent(v[i].b, base));
	}
	buf_adds(p->out, "</tbody></table></div>\n");
}

static void
put_scatter(struct page *p)
{
	buf_adds(p->out,
	         "<section id=\"scatter\">\n<h2>Build time against bytes</h2>\n<p class=\"legend "
	         "note\">Every cell that built and passed, once. A cell made from another's "
	         "artifact counts that build's seconds. The line is the Pareto front: the smallest "
	         "build for each build-time budget."
	         "<span style=\"background:" COLOUR_FRONT "\"></span>on the front"
	         "<span style=\"background:" COLOUR_WIN "\"></span>the winner</p>\n");
	for (size_t from = 0, to; from < p->nl; from = to) {
		struct point *v;
		size_t n;

		to = build_end(p, from);
		v = points_of(p, from, to, &n);
		buf_adds(p->out, "<figure class=\"chart\" data-build=\"");
		esc(p, p->l[from].build);
		buf_adds(p->out, "\"><figcaption>build <strong>");
		esc(p, p->l[from].build);
		buf_adds(p->out, "</strong></figcaption>\n");
		if (n) {
			put_scatter_of(p, v, n);
		} else {
			buf_adds(p->out, "<p class=\"warn\">No cell of this build built and "
			                 "passed.</p>\n");
		}
		buf_adds(p->out, "</figure>\n");
		free(v);
	}
	buf_adds(p->out, "</section>\n");
}

/* ---- the table ---- */

static void
put_table(struct page *p, size_t from, size_t to)
{
	buf_adds(p->out, "<div class=\"scroll\"><table class=\"sortable\" data-build=\"");
	esc(p, p->l[from].build);
	buf_adds(p->out, "\">\n<thead><tr>");
	for (size_t c = 0; c < TABLE_NCOLS; c++) {
		buf_printf(p->out, "<th scope=\"col\"%s>",
		           table_col_number(c) ? " class=\"n\"" : "");
		esc(p, table_header(c));
		buf_adds(p->out, "</th>");
	}
	buf_adds(p->out, "</tr></thead>\n<tbody>\n");
	for (size_t i = from; i < to; i++) {
		const struct table_line *l = &p->l[i];
		bool g = i > from && strcmp(l->group, p->l[i - 1].group);

		buf_adds(p->out, "<tr data-cell=\"");
		esc(p, l->cell);
		buf_adds(p->out, "\" data-group=\"");
		esc(p, l->group);
		buf_printf(p->out, "\" data-i=\"%zu\"", i - from);
		if (g || is_win(p, l->cell)) {
			buf_printf(p->out, " class=\"%s%s%s\"", g ? "g" : "",
			           g && is_win(p, l->cell) ? " " : "",
			           is_win(p, l->cell) ? "winner" : "");
		}
		buf_adds(p->out, ">");
		for (size_t c = 0; c < TABLE_NCOLS; c++) {
			bool num = table_col_number(c);

			buf_adds(p->out, "<td");
			if (num) {
				buf_adds(p->out, " class=\"n\" data-v=\"");
				if (l->has_key[c]) {
					buf_printf(p->out, "%.17g", l->key[c]);
				}
				buf_adds(p->out, "\"");
			} else if (c == TABLE_NCOLS - 1) {
				buf_adds(p->out, " class=\"wrap\"");
			}
			buf_adds(p->out, ">");
			esc(p, l->col[c]);
			buf_adds(p->out, "</td>");
		}
		buf_adds(p->out, "</tr>\n");
	}
	buf_adds(p->out, "</tbody></table></div>\n");
}

/* The failed cells of the table's rows, as ounce table lists them. */
static void
put_failures(struct page *p)
{
	bool any = false;

	for (size_t i = 0; i < p->nl; i++) {
		const struct cell *c = results_find(p->r, p->l[i].cell);
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++) {
			seen = !strcmp(p->l[j].cell, p->l[i].cell);
		}
		if (!c || seen || c->status == CELL_OK || c->status == CELL_PENDING) {
			continue;
		}
		if (!any) {
			buf_adds(p->out, "<h3>Failed cells</h3>\n<ul class=\"failed\">\n");
			any = true;
		}
		buf_adds(p->out, "<li><code>");
		esc(p, c->name);
		buf_adds(p->out, "</code>: ");
		esc(p, cell_status_name(c->status));
		buf_adds(p->out, ": ");
		esc(p, c->reason ? c->reason : "no reason recorded");
		if (c->log) {
			buf_adds(p->out, " (log: <code>");
			esc(p, c->log);
			buf_adds(p->out, "</code>)");
		}
		buf_adds(p->out, "</li>\n");
	}
	if (any) {
		buf_adds(p->out, "</ul>\n");
	}
}

static void
put_tables(struct page *p)
{
	buf_adds(p->out, "<section id=\"tables\">\n<h2>The table</h2>\n<p class=\"note\">As "
	                 "<code>ounce table</code> prints it, one table per build. A column's "
	                 "heading sorts by it.</p>\n");
	if (!p->nl) {
		buf_adds(p->out, "<p class=\"warn\">This run has no rows.</p>\n");
	}
	for (size_t from = 0, to; from < p->nl; from = to) {
		to = build_end(p, from);
		buf_adds(p->out, "<h3>build ");
		esc(p, p->l[from].build);
		buf_adds(p->out, "</h3>\n");
		put_table(p, from, to);
	}
	put_failures(p);
	buf_adds(p->out, "</section>\n");
}

/* ---- --explain ---- */

/* The lines of s (each without its indent), escaped, a <br> between them. */
static void
put_lines(struct page *p, const char *s)
{
	bool first = true;

	while (*s) {
		size_t n;
		char *one;

		s += strspn(s, " ");
		n = strcspn(s, "\n");
		one = xstrndup(s, n);
		if (*one) {
			buf_adds(p->out, first ? "" : "<br>");
			esc(p, one);
			first = false;
		}
		free(one);
		s += n + (s[n] == '\n');
	}
}

static void
put_explain(struct page *p)
{
	bool any = false, done = false;

	buf_adds(p->out, "<section id=\"explain\">\n<h2>Where the bytes went</h2>\n");
	for (size_t i = 0; i < p->r->ncells; i++) {
		done = done || p->r->cells[i]->explain.done;
	}
	for (size_t i = 0; i < p->nl; i++) {
		const struct cell *c = results_find(p->r, p->l[i].cell);
		struct buf line = BUF_INIT;
		const char *s;

		if (c) {
			explain_line(c, EXPLAIN_ROWS, &line);
			if (line.len) {
				buf_addc(&line, '\n');
			}
			table_explain_abi(p->r, c, &line);
		}
		s = buf_str(&line);
		s += strspn(s, " ");
		/* the column says where: "where (ARTIFACT): " keeps the artifact */
		s += !strncmp(s, "where: ", 7) ? 7 : !strncmp(s, "where ", 6) ? 6 : 0;
		if (*s) {
			if (!any) {
				buf_adds(p->out,
				         "<p class=\"note\">What <code>ounce table "
				         "--explain</code> prints under each row: the sections "
				         "and symbols that changed most against the "
				         "baseline.</p>\n<div class=\"scroll\"><table "
				         "class=\"explain\"><thead><tr><th>build</th><th>"
				         "modifications</th><th>changes</th></tr></thead>\n"
				         "<tbody>\n");
				any = true;
			}
			buf_adds(p->out, "<tr data-cell=\"");
			esc(p, c->name);
			buf_adds(p->out, "\"><td>");
			esc(p, p->l[i].build);
			buf_adds(p->out, "</td><td>");
			esc(p, p->l[i].col[1]);
			buf_adds(p->out, "</td><td class=\"wrap\">");
			put_lines(p, s);
			buf_adds(p->out, "</td></tr>\n");
		}
		buf_release(&line);
	}
	if (any) {
		buf_adds(p->out, "</tbody></table></div>\n");
	} else if (!done) {
		buf_adds(p->out,
		         "<p class=\"warn\">This results.json records no sections or symbols "
		         "that changed (an older ounce wrote it, or its run was killed); run "
		         "<code>ounce matrix</code> again for them.</p>\n");
	} else {
		buf_adds(p->out, "<p>No cell changed a section or symbol against its "
		                 "baseline.</p>\n");
	}
	buf_adds(p->out, "</section>\n");
}

/* ---- flame graphs ---- */

/* Where the artifact at path is now: there, or, when the work directory was
 * moved, at the same place under the directory of results.json (its cells/ or
 * cache/). The caller frees it; NULL when it is in neither. */
static char *
locate(const struct page *p, const char *path)
{
	static const char *const dirs[] = {"/cells/", "/cache/"};
	const char *slash = p->source ? strrchr(p->source, '/') : NULL;

	if (fs_exists(path)) {
		return xstrdup(path);
	}
	for (size_t i = 0; p->source && i < sizeof(dirs) / sizeof(*dirs); i++) {
		const char *at = strstr(path, dirs[i]);
		char *there;

		if (!at) {
			continue;
		}
		there = slash ? xasprintf("%.*s%s", (int)(slash - p->source), p->source, at)
		              : xstrdup(at + 1);
		if (fs_exists(there)) {
			return there;
		}
		free(there);
	}
	return NULL;
}

/* Read the artifact at path (attributed by its link map or DWARF) into rep;
 * false (rep released, why in err) when it cannot be read. */
static bool
read_artifact(const struct page *p, const char *path, struct size_report *rep, char *err,
              size_t errlen)
{
	char *at = path ? locate(p, path) : NULL;

	if (!at) {
		snprintf(err, errlen, "it is gone");
		return false;
	}
	if (size_read(at, rep, err, errlen) < 0) {
		free(at);
		size_report_release(rep);
		return false;
	}
	free(at);
	/* without components the graph still shows the symbols */
	if (size_attribute(rep, NULL, err, errlen) < 0) {
		err[0] = '\0';
	}
	return true;
}

/* The cell of c's build with c's profiles less its post-link ones (strip...):
 * the same code before the steps that removed its symbols. NULL when there is
 * none, or c has no post-link profile. */
static const struct cell *
before_post_link(const struct results *r, const struct cell *c)
{
	struct strv keep = STRV_INIT;
	const struct cell *found = NULL;

	for (size_t i = 0; i < c->profiles.n; i++) {
		const struct result_profile *rp = results_profile(r, c->profiles.v[i]);

		if (!rp || !rp->stage || strcmp(rp->stage, "post-link")) {
			strv_push(&keep, c->profiles.v[i]);
		}
	}
	for (size_t i = 0; keep.n < c->profiles.n && i < r->ncells && !found; i++) {
		const struct cell *o = r->cells[i];
		bool same = o != c && measured(o) && o->profiles.n == keep.n &&
		            !strcmp(o->build ? o->build : "", c->build ? c->build : "");

		for (size_t j = 0; same && j < keep.n; j++) {
			same = strv_has(&o->profiles, keep.v[j]);
		}
		found = same ? o : NULL;
	}
	strv_release(&keep);
	return found;
}

/* The flame SVG of rep without its XML declaration (it is inline). */
static void
put_flame_svg(struct page *p, const struct size_report *rep)
{
	struct buf svg = BUF_INIT;
	const char *s;

	flame_svg(rep, &svg);
	s = strstr(buf_str(&svg), "<svg");
	buf_adds(p->out, "<div class=\"scroll\">");
	buf_adds(p->out, s ? s : "");
	buf_adds(p->out, "</div>\n");
	buf_release(&svg);
}

static void
put_flame(struct page *p, const struct cell *c, const char *what, const char *id)
{
	struct size_report rep = SIZE_REPORT_INIT;
	char err[512];
	const char *name = c->narts ? c->arts[0].name : c->artifact;

	buf_printf(p->out, "<figure class=\"flame\" id=\"%s\"><figcaption>%s: <code>", id, what);
	esc(p, c->name);
	buf_adds(p->out, "</code>");
	if (name) {
		buf_adds(p->out, ", <code>");
		esc(p, name);
		buf_adds(p->out, "</code>");
	}
	buf_adds(p->out, "</figcaption>\n");
	if (!measured(c) || !c->artifact) {
		buf_adds(p->out, "<p class=\"missing\">No artifact was measured: nothing to "
		                 "draw.</p>\n");
	} else if (!read_artifact(p, c->artifact, &rep, err, sizeof(err))) {
		buf_adds(p->out, "<p class=\"missing\">Its artifact <code>");
		esc(p, c->artifact);
		buf_adds(p->out, "</code> cannot be read (");
		esc(p, err);
		buf_adds(p->out, "): the work directory was cleaned or moved. Run <code>ounce "
		                 "matrix</code> again to draw it.</p>\n");
	} else {
		const struct cell *from = rep.dynamic_symbols ? before_post_link(p->r, c) : NULL;
		struct size_report full = SIZE_REPORT_INIT;

		if (from && read_artifact(p, from->artifact, &full, err, sizeof(err)) &&
		    !full.dynamic_symbols) {
			buf_adds(p->out,
			         "<p class=\"note\">Its file has no symbol table (a post-link "
			         "step removed it): drawn from <code>");
			esc(p, from->name);
			buf_adds(p->out, "</code>'s artifact, the same code before those "
			                 "steps.</p>\n");
			put_flame_svg(p, &full);
		} else {
			if (rep.dynamic_symbols) {
				/* a few dynamic symbols would draw a few bytes of the file */
				buf_adds(p->out,
				         "<p class=\"note\">Its file has no symbol table, "
				         "and the run has no cell of the same code before its "
				         "post-link steps: drawn from its sections.</p>\n");
			}
			put_flame_svg(p, &rep);
		}
		size_report_release(&full);
	}
	size_report_release(&rep);
	buf_adds(p->out, "</figure>\n");
}

static void
put_flames(struct page *p)
{
	const struct cell *base =
	    p->win ? results_baseline_of(p->r, p->win) : results_find(p->r, p->r->baseline);

	buf_adds(p->out, "<section id=\"flames\">\n<h2>Size flame graphs</h2>\n<p class=\"note\">"
	                 "What <code>ounce size --flame</code> draws: a box's width is its bytes; "
	                 "the rows are the file, the component's directory, its file, and the "
	                 "symbols. Hover over a box for its name and bytes.</p>\n");
	if (base) {
		put_flame(p, base, "The baseline", "flame-baseline");
	}
	if (p->win && p->win != base) {
		put_flame(p, p->win, "The winner", "flame-winner");
	}
	if (!base && !p->win) {
		buf_adds(p->out, "<p class=\"missing\">This run has no baseline.</p>\n");
	}
	buf_adds(p->out, "</section>\n");
}

int
html_report(const struct results *r, const struct html_opts *o, struct buf *out)
{
	struct page p = {.r = r, .out = out, .settings = BUF_INIT};
	const struct cell *base = results_find(r, r->baseline);
	const char *build = o->build ? o->build : base ? base->build : NULL;
	int rc = 0;

	p.metric = o->metric ? o->metric : "file";
	p.source = o->source;
	p.win = pick_best_in(r, p.metric, o->allow, build);
	if (p.win) {
		rc = render_settings(&p, o);
	}
	p.l = table_lines(r, &p.nl);
	if (rc == 0) {
		put_head(&p);
		put_winner(&p, o);
		put_chart(&p);
		put_scatter(&p);
		put_settings(&p);
		put_tables(&p);
		put_explain(&p);
		put_flames(&p);
		buf_adds(out, "<footer class=\"note\"><p>Written by ounce " OUNCE_VERSION);
		if (o->source) {
			buf_adds(out, " from <code>");
			esc(&p, o->source);
			buf_adds(out, "</code>");
		}
		buf_adds(out, ". Everything is in this file: it makes no request.</p></footer>\n"
		              "</main>\n<script>\n");
		buf_adds(out, script);
		buf_adds(out, "</script>\n</body>\n</html>\n");
	}
	table_lines_free(p.l, p.nl);
	buf_release(&p.settings);
	return rc;
}
