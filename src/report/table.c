/* table.c: formats a run as the table users paste: the shape of the "Tiny Rocket"
 * write-up (build | modifications | size | % change) plus the other measures.
 * Every number comes from results; percentages are against the baseline cell. */
#include "report/table.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/grid.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/units.h"
#include "elf/iface.h"
#include "report/check.h"
#include "report/explain.h"
#include "report/pick.h"
#include "report/result.h"
#include "report/speed.h"
#include "base/banned.h"

bool
table_format_parse(const char *s, enum table_format *out)
{
	if (!strcmp(s, "text")) {
		*out = TABLE_TEXT;
	} else if (!strcmp(s, "md")) {
		*out = TABLE_MD;
	} else if (!strcmp(s, "csv")) {
		*out = TABLE_CSV;
	} else if (!strcmp(s, "json")) {
		*out = TABLE_JSON;
	} else {
		return false;
	}
	return true;
}

bool
table_format_option(const char *s, enum table_format *out)
{
	if (!table_format_parse(s, out)) {
		error("unknown format '%s': expected text, md, csv or json", s);
		return false;
	}
	return true;
}

enum col {
	C_BUILD,
	C_MODS,
	C_BYTES,
	C_HUMAN,
	C_PCT,
	C_STRIPPED,
	C_XZ,
	C_TEXT,
	C_RAM,
	C_GLIBC,
	C_SECONDS,
	C_SMOKE,
	C_STATUS,
	NCOLS
};
_Static_assert(NCOLS == TABLE_NCOLS, "table.h's TABLE_NCOLS is the number of columns");

static const char *const headers[NCOLS] = {
	"build", "modifications", "size (bytes)", "size (human)", "% change", "stripped", "xz",
	".text", "RAM", "glibc", "build s", "smoke", "status",
};

/* CSV has a column for each line's group and its cell after the others */
static const char *const csv_headers[NCOLS + 2] = {
	"build", "modifications", "bytes", "human", "percent_change", "stripped_bytes",
	"xz_bytes", "text_bytes", "ram_bytes", "glibc", "build_seconds", "smoke", "status",
	"group", "cell",
};

static char *
num(long long v)
{
	return v < 0 ? xstrdup("-") : xasprintf("%lld", v);
}

static bool
measured(const struct cell *c)
{
	return (c->status == CELL_OK || c->status == CELL_SMOKE_FAILED) && c->m.bytes >= 0;
}

/* The row's status, its note and what the checks found: an ABI change, a glibc
 * newer than the target, profiles that changed nothing. */
static char *
status_text(const struct results *r, const struct cell *c, const struct row *row)
{
	struct buf b = BUF_INIT;
	struct strv notes = STRV_INIT, none = STRV_INIT;
	const struct cell *base = results_baseline_of(r, c);
	bool m = measured(c);

	buf_adds(&b, cell_status_name(c->status));
	if (m && base && base != c) {
		size_t total, lost = check_abi(base, c, NULL, &total);

		if (lost) {
			strv_push_owned(&notes, xasprintf("ABI change: %zu of %zu exported symbols "
							  "lost",
							  lost, total));
		}
	}
	if (m && r->target_glibc && cell_glibc(c) &&
	    iface_version_cmp(cell_glibc(c), r->target_glibc) > 0) {
		strv_push_owned(&notes, xasprintf("not for this target: needs glibc %s",
						  cell_glibc(c)));
	}
	if (m) {
		check_no_effect(r, c, &none);
	}
	if (none.n) {
		char *j = strv_join(&none, ", ");

		strv_push_owned(&notes, xasprintf("no effect: %s", j));
		free(j);
	}
	if (c->status == CELL_OK && pick_budget(r, c)) {
		/* over --max-slowdown or --max-rss, uncertain, its workload failed */
		strv_push_owned(&notes, xasprintf("not picked: %s", pick_budget(r, c)));
	}
	if (m && c->reproducible == CELL_REPRO_NO) {
		/* the mark render_repro's footnote explains */
		strv_push(&notes, "not reproducible*");
	}
	if (m && c->built && (c->steps.fallback || c->steps.retried)) {
		/* --distribute: the bytes are the same, the time is not */
		const char *h = c->steps.failed_hosts ? c->steps.failed_hosts : "a host";

		if (c->steps.fallback) {
			strv_push_owned(&notes, xasprintf("%d of %d compiles ran here after %s failed",
							  c->steps.fallback,
							  c->steps.remote + c->steps.local +
								  c->steps.fallback,
							  h));
		} else {
			strv_push_owned(&notes, xasprintf("%d compile%s sent to another host after "
							  "%s failed",
							  c->steps.retried,
							  c->steps.retried == 1 ? "" : "s", h));
		}
	}
	if (row->note) {
		/* after the checks: "ABI change: ...; left out below" */
		strv_push(&notes, row->note);
	}
	if (notes.n) {
		char *j = strv_join(&notes, "; ");

		buf_printf(&b, " (%s)", j);
		free(j);
	}
	strv_release(&notes);
	strv_release(&none);
	return buf_detach(&b);
}

static const char *
build_of(const struct cell *c)
{
	return c->build ? c->build : "default";
}

/* The columns a run with --bench adds after "build s": the median CPU time and
 * the instructions against the baseline. Not among table_lines' columns. */
enum bench_col { B_SPEED, B_INSTR, NBENCH };

static const char *const bench_headers[NBENCH] = {"speed", "instr"};
static const char *const bench_csv_headers[NBENCH] = {"speed_percent", "instr_percent"};

/* One line of a table: a row, or (per_artifact) one artifact of the row above. */
struct line {
	size_t row;
	const struct artifact *art;	/* NULL for the row itself */
	char *col[NCOLS];
	char *bench[NBENCH];
};

/* Which bench columns r's table shows, into shown: speed when a cell has what
 * --bench measured, instr when a cell's instructions were counted. Returns how
 * many. */
static size_t
bench_shown(const struct results *r, bool *shown)
{
	shown[B_SPEED] = shown[B_INSTR] = false;
	for (size_t i = 0; i < r->ncells; i++) {
		shown[B_SPEED] = shown[B_SPEED] || r->cells[i]->bench.n;
		shown[B_INSTR] = shown[B_INSTR] || r->cells[i]->bench.instructions >= 0;
	}
	return (size_t)shown[B_SPEED] + (size_t)shown[B_INSTR];
}

/* The bench columns of c's row: "+4.1%" or "-". */
static void
bench_cols(const struct cell *c, const struct cell *base, char **out)
{
	struct speed_change ch;
	double pct;

	out[B_SPEED] = speed_cpu_change(base, c, &ch) ? xasprintf("%+.1f%%", ch.pct)
						      : xstrdup("-");
	out[B_INSTR] = speed_instr_change(base, c, &pct) ? xasprintf("%+.1f%%", pct)
							 : xstrdup("-");
}

static const char *const smoke_names[] = {"-", "pass", "FAIL", "loaded"};

/* The columns of one artifact of c, under its row. */
static void
artifact_line(const struct cell *c, const struct artifact *a, const struct cell *base,
	      struct line *l)
{
	const struct artifact *ba = base ? cell_find_artifact(base, a->name) : NULL;
	bool m = measured(c);

	l->col[C_BUILD] = xstrdup("");
	l->col[C_MODS] = xasprintf("  %s", a->name);
	l->col[C_BYTES] = num(m ? a->m.bytes : -1);
	l->col[C_HUMAN] = xstrdup(m ? units_human(a->m.bytes) : "-");
	l->col[C_PCT] = xstrdup(m ? units_percent(a->m.bytes, ba ? ba->m.bytes : -1) : "-");
	l->col[C_STRIPPED] = num(m ? a->m.stripped_bytes : -1);
	l->col[C_XZ] = num(m ? a->m.xz_bytes : -1);
	l->col[C_TEXT] = xstrdup("-");
	l->col[C_RAM] = num(m ? (long long)a->m.ram : -1);
	l->col[C_GLIBC] = xstrdup(m && a->ifc.glibc ? a->ifc.glibc : "-");
	l->col[C_SECONDS] = xstrdup("");
	l->col[C_SMOKE] = xstrdup("");
	l->col[C_STATUS] = a->ifc.kind ? xasprintf("%s, %zu exports", a->ifc.kind, a->ifc.exports.n)
				       : xstrdup("");
}

/* Every line of the table, in order; *n gets how many. The caller frees them with
 * free_lines. */
static struct line *
lines_of(const struct results *r, bool per_artifact, size_t *n)
{
	struct line *l = NULL;
	size_t k = 0;

	for (size_t i = 0; i < r->nrows; i++) {
		const struct row *row = &r->rows[i];
		const struct cell *c = results_find(r, row->cell);
		const struct cell *base = results_baseline_of(r, c);
		long long base_bytes = base && measured(base) ? base->m.bytes : -1;
		bool m = measured(c);
		char **g;

		l = xreallocarray(l, k + 1 + (per_artifact ? c->narts : 0), sizeof(*l));
		memset(&l[k], 0, sizeof(*l));
		l[k].row = i;
		g = l[k].col;
		g[C_BUILD] = xstrdup(build_of(c));
		g[C_MODS] = xstrdup(row->label);
		g[C_BYTES] = num(m ? c->m.bytes : -1);
		g[C_HUMAN] = xstrdup(m ? units_human(c->m.bytes) : "-");
		g[C_PCT] = xstrdup(m ? units_percent(c->m.bytes, base_bytes) : "-");
		g[C_STRIPPED] = num(m ? c->m.stripped_bytes : -1);
		g[C_XZ] = num(m ? c->m.xz_bytes : -1);
		g[C_TEXT] = num(m && !c->m.no_sections ? (long long)measure_section(&c->m, ".text")
						       : -1);
		g[C_RAM] = num(m ? (long long)c->m.ram : -1);
		g[C_GLIBC] = xstrdup(m && cell_glibc(c) ? cell_glibc(c) : "-");
		g[C_SECONDS] = c->status == CELL_PENDING ? xstrdup("-")
							 : xasprintf("%.1f", c->build_seconds);
		g[C_SMOKE] = xstrdup(smoke_names[c->smoke]);
		g[C_STATUS] = status_text(r, c, row);
		bench_cols(c, base, l[k].bench);
		k++;
		for (size_t j = 0; per_artifact && j < c->narts; j++) {
			memset(&l[k], 0, sizeof(*l));
			l[k].row = i;
			l[k].art = &c->arts[j];
			artifact_line(c, &c->arts[j], base, &l[k]);
			l[k].bench[B_SPEED] = xstrdup("");
			l[k].bench[B_INSTR] = xstrdup("");
			k++;
		}
	}
	*n = k;
	return l;
}

static void
free_lines(struct line *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < NCOLS; c++) {
			free(l[i].col[c]);
		}
		for (int c = 0; c < NBENCH; c++) {
			free(l[i].bench[c]);
		}
	}
	free(l);
}

/* the numbers, C_BYTES to C_SECONDS */
static const bool right_aligned[NCOLS] = {
	[C_BYTES] = true, [C_HUMAN] = true, [C_PCT] = true, [C_STRIPPED] = true, [C_XZ] = true,
	[C_TEXT] = true, [C_RAM] = true, [C_GLIBC] = true, [C_SECONDS] = true,
};

/* The columns shown, those of --bench that are shown after "build s": the
 * headers and alignment of each (arrays of NCOLS + NBENCH, static). */
static size_t
shown_columns(const bool *shown, const char *const **hdr, const bool **right)
{
	static const char *h[NCOLS + NBENCH];
	static bool rt[NCOLS + NBENCH];
	size_t n = 0;

	for (size_t c = 0; c < NCOLS; c++) {
		h[n] = headers[c];
		rt[n++] = right_aligned[c];
		for (size_t b = 0; c == C_SECONDS && b < NBENCH; b++) {
			if (shown[b]) {
				h[n] = bench_headers[b];
				rt[n++] = true;
			}
		}
	}
	*hdr = h;
	*right = rt;
	return n;
}

/* Line l's column texts in the order shown_columns gives, taken from l. */
static void
take_shown(struct line *l, const bool *shown, char **out)
{
	size_t n = 0;

	for (size_t c = 0; c < NCOLS; c++) {
		out[n++] = l->col[c];
		l->col[c] = NULL;
		for (size_t b = 0; c == C_SECONDS && b < NBENCH; b++) {
			if (shown[b]) {
				out[n++] = l->bench[b];
				l->bench[b] = NULL;
			}
		}
	}
}

/* Under a text row with explain on: the exports the cell lost against its baseline
 * (at most 10 named), and the libraries it needs that the baseline did not, or no
 * longer needs. */
static void
explain_abi(const struct results *r, const struct cell *c, struct buf *out)
{
	const struct cell *base = results_baseline_of(r, c);
	struct strv lost = STRV_INIT;
	size_t total;

	if (!measured(c) || !base || base == c) {
		return;
	}
	if (check_abi(base, c, &lost, &total)) {
		buf_printf(out, "    abi: %zu of %zu lost:", lost.n, total);
		for (size_t i = 0; i < lost.n && i < 10; i++) {
			buf_printf(out, "%s %s", i ? "," : "", lost.v[i]);
		}
		buf_adds(out, lost.n > 10 ? ", ...\n" : "\n");
	}
	strv_release(&lost);
	/* libraries needed that the baseline did not need, or no longer */
	for (size_t i = 0; i < c->narts; i++) {
		const struct artifact *a = &c->arts[i], *b = cell_find_artifact(base, a->name);
		struct buf line = BUF_INIT;

		for (size_t j = 0; b && j < a->ifc.needed.n; j++) {
			if (!strv_has(&b->ifc.needed, a->ifc.needed.v[j])) {
				buf_printf(&line, " +%s", a->ifc.needed.v[j]);
			}
		}
		for (size_t j = 0; b && j < b->ifc.needed.n; j++) {
			if (!strv_has(&a->ifc.needed, b->ifc.needed.v[j])) {
				buf_printf(&line, " -%s", b->ifc.needed.v[j]);
			}
		}
		if (line.len) {
			buf_printf(out, "    needed (%s):%s\n", a->name, buf_str(&line));
		}
		buf_release(&line);
	}
}

/* One table: the lines from..to-1 (one build's); explain > 0 adds that many
 * changes under each text row, or (md) a list after the table. */
static void
render_text(const struct results *r, struct line *l, size_t from, size_t to, struct buf *out,
	    bool md, size_t explain)
{
	struct grid g;
	bool shown[NBENCH];
	const char *const *hdr;
	const bool *right;
	size_t ncols;

	bench_shown(r, shown);
	ncols = shown_columns(shown, &hdr, &right);

	grid_init(&g, ncols, hdr, right);
	for (size_t i = from; i < to; i++) {
		const struct row *row = &r->rows[l[i].row];
		char *cols[NCOLS + NBENCH];

		if (!md && i > from && !l[i].art &&
		    strcmp(row->group, r->rows[l[i - 1].row].group)) {
			grid_after(&g, "\n");
		}
		take_shown(&l[i], shown, cols);
		grid_row_take(&g, cols);
		if (explain && !md && !l[i].art) {
			const struct cell *c = results_find(r, row->cell);
			struct buf under = BUF_INIT;

			explain_line(c, explain, &under);
			if (under.len) {
				buf_addc(&under, '\n');
			}
			explain_abi(r, c, &under);
			if (under.len) {
				grid_after(&g, buf_str(&under));
			}
			buf_release(&under);
		}
	}
	grid_render(&g, md ? "md" : "text", out);
	grid_release(&g);
	if (explain && md) {
		buf_adds(out, "\nWhere the bytes went:\n\n");
		for (size_t i = from; i < to; i++) {
			struct buf line = BUF_INIT;
			const struct row *row = &r->rows[l[i].row];

			if (l[i].art) {
				continue;
			}
			explain_line(results_find(r, row->cell), explain, &line);
			if (line.len) {
				buf_printf(out, "- %s (%s):%s\n", row->label, row->group,
					   buf_str(&line) + strlen("    where:"));
			}
			buf_release(&line);
		}
	}
}

/* Every line as CSV: numbers without units or signs of absence, then each line's
 * group and cell. */
static void
render_csv(const struct results *r, const struct line *l, size_t nl, struct buf *out)
{
	static const bool none[NCOLS + NBENCH + 2];
	static const char *hdr[NCOLS + NBENCH + 2];
	bool shown[NBENCH];
	size_t nb = bench_shown(r, shown), k = NCOLS;
	struct grid g;

	for (size_t c = 0; c < NCOLS; c++) {
		hdr[c] = csv_headers[c];
	}
	for (size_t b = 0; b < NBENCH; b++) {
		if (shown[b]) {
			hdr[k++] = bench_csv_headers[b];
		}
	}
	hdr[NCOLS + nb] = csv_headers[NCOLS];
	hdr[NCOLS + nb + 1] = csv_headers[NCOLS + 1];
	grid_init(&g, NCOLS + nb + 2, hdr, none);
	for (size_t i = 0; i < nl; i++) {
		const struct row *row = &r->rows[l[i].row];
		char *cols[NCOLS + NBENCH + 2];

		for (int c = 0; c < NCOLS; c++) {
			const char *v = l[i].col[c];
			bool number = c == C_PCT || (right_aligned[c] && c != C_HUMAN);

			if (number && (!strcmp(v, "-") || !strcmp(v, "n/a"))) {
				cols[c] = xstrdup("");
			} else if (number) {
				cols[c] = xstrndup(v, strlen(v) - (c == C_PCT ? 1 : 0));
			} else {
				cols[c] = xstrdup(v);
			}
		}
		for (size_t b = 0, to = NCOLS; b < NBENCH; b++) {
			const char *v = l[i].bench[b];
			size_t plus = *v == '+';

			if (!shown[b]) {
				continue;
			}
			/* "+4.1%" -> "4.1"; "-" -> "" */
			cols[to++] = !strcmp(v, "-") || !*v ? xstrdup("")
							   : xstrndup(v + plus, strlen(v) - 1 - plus);
		}
		cols[NCOLS + nb] = xstrdup(l[i].art ? "artifact" : row->group);
		cols[NCOLS + nb + 1] = xstrdup(row->cell);
		grid_row_take(&g, cols);
	}
	grid_render(&g, "csv", out);
	grid_release(&g);
}

static json_t *
jnum(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* The bench keys of c's row in the JSON table: its median CPU seconds, its
 * instructions and peak RSS, and the change against base in percent. */
static void
bench_json(const struct cell *base, const struct cell *c, json_t *o)
{
	struct speed_change ch;
	double pct;

	json_object_set_new(o, "cpu_seconds", json_real(speed_median(c->bench.cpu, c->bench.n)));
	json_object_set_new(o, "speed_percent",
			    speed_cpu_change(base, c, &ch) ? json_real(ch.pct) : json_null());
	json_object_set_new(o, "instructions", jnum(c->bench.instructions));
	json_object_set_new(o, "instr_percent",
			    speed_instr_change(base, c, &pct) ? json_real(pct) : json_null());
	json_object_set_new(o, "bench_rss_kb", jnum(c->bench.rss_kb));
}

static void
render_json(const struct results *r, struct buf *out)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; i < r->nrows; i++) {
		const struct row *row = &r->rows[i];
		const struct cell *c = results_find(r, row->cell);
		const struct cell *base = results_baseline_of(r, c);
		long long base_bytes = base && measured(base) ? base->m.bytes : -1;
		bool m = measured(c);
		json_t *o = json_object();

		json_object_set_new(o, "build", json_string(build_of(c)));
		json_object_set_new(o, "group", json_string(row->group));
		json_object_set_new(o, "modifications", json_string(row->label));
		json_object_set_new(o, "cell", json_string(c->name));
		json_object_set_new(o, "status", json_string(cell_status_name(c->status)));
		json_object_set_new(o, "note", row->note ? json_string(row->note) : json_null());
		json_object_set_new(o, "bytes", jnum(m ? c->m.bytes : -1));
		if (m && base_bytes > 0) {
			json_object_set_new(o, "percent_change",
					    json_real(((double)c->m.bytes - (double)base_bytes) *
						      100.0 / (double)base_bytes));
		} else {
			json_object_set_new(o, "percent_change", json_null());
		}
		json_object_set_new(o, "stripped_bytes", jnum(m ? c->m.stripped_bytes : -1));
		json_object_set_new(o, "xz_bytes", jnum(m ? c->m.xz_bytes : -1));
		json_object_set_new(o, "text_bytes",
				    jnum(m ? (long long)measure_section(&c->m, ".text") : -1));
		json_object_set_new(o, "ram_bytes", jnum(m ? (long long)c->m.ram : -1));
		if (m && c->m.nregions) {
			json_t *regs = json_object();

			for (size_t k = 0; k < c->m.nregions; k++) {
				json_object_set_new(regs, c->m.regions[k].name,
						    json_integer((json_int_t)c->m.regions[k].used));
			}
			json_object_set_new(o, "regions", regs);
		}
		json_object_set_new(o, "build_seconds", json_real(c->build_seconds));
		json_object_set_new(o, "smoke", json_string(c->smoke == SMOKE_PASS     ? "pass"
							    : c->smoke == SMOKE_FAIL   ? "fail"
							    : c->smoke == SMOKE_LOADED ? "loaded"
										       : "none"));
		json_object_set_new(o, "glibc", m && cell_glibc(c) ? json_string(cell_glibc(c))
								   : json_null());
		if (c->reproducible != CELL_REPRO_UNKNOWN) {
			json_object_set_new(o, "reproducible",
					    json_boolean(c->reproducible == CELL_REPRO_YES));
		}
		if (m && base && base != c) {
			size_t total, lost = check_abi(base, c, NULL, &total);

			json_object_set_new(o, "exports_lost", json_integer((json_int_t)lost));
		}
		{
			struct strv none = STRV_INIT;
			json_t *na = json_array();

			if (m) {
				check_no_effect(r, c, &none);
			}
			for (size_t j = 0; j < none.n; j++) {
				json_array_append_new(na, json_string(none.v[j]));
			}
			json_object_set_new(o, "no_effect", na);
			strv_release(&none);
		}
		if (c->bench.n) {
			bench_json(base, c, o);
		}
		if (c->status == CELL_OK && pick_budget(r, c)) {
			json_object_set_new(o, "not_picked", json_string(pick_budget(r, c)));
		}
		json_array_append_new(a, o);
	}
	s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(a);
	buf_adds(out, s ? s : "[]");
	buf_addc(out, '\n');
	free(s);
}

/* Under the tables of a run with --repeat: the footnote of the rows marked
 * "not reproducible*", each such cell with what differed; or, when every cell
 * built again gave the same bytes, that they did. Nothing without --repeat. */
static void
render_repro(const struct results *r, struct buf *out)
{
	size_t yes = 0, no = 0;
	char times[64];

	for (size_t i = 0; i < r->ncells; i++) {
		yes += r->cells[i]->reproducible == CELL_REPRO_YES;
		no += r->cells[i]->reproducible == CELL_REPRO_NO;
	}
	if (!yes && !no) {
		return;
	}
	if (r->repeat > 1) {
		snprintf(times, sizeof(times), "%d times (--repeat %d)", r->repeat, r->repeat);
	} else {
		snprintf(times, sizeof(times), "again");
	}
	if (!no) {
		buf_printf(out, "\nreproducible: each of the %zu cells repeated, built %s, gave "
				"the same bytes every time\n",
			   yes, times);
		return;
	}
	buf_printf(out, "\n* not reproducible: built %s, %zu of %zu cells gave other bytes "
			"(the usual causes: __DATE__ or __TIME__, build paths, parallel steps "
			"that write in the order they finish):\n",
		   times, no, yes + no);
	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *c = r->cells[i];

		if (c->reproducible == CELL_REPRO_NO) {
			buf_printf(out, "  %s: %s\n", c->name,
				   c->repro_detail ? c->repro_detail : "its builds differ");
		}
	}
}

/* Under the tables of a run with --distribute: where the compiles of the cells
 * built in this run went. Nothing when no compile was distributed. */
static void
render_distributed(const struct results *r, struct buf *out)
{
	long remote = 0, local = 0, fallback = 0, retried = 0;

	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *c = r->cells[i];

		if (c->built) {
			remote += c->steps.remote;
			local += c->steps.local;
			fallback += c->steps.fallback;
			retried += c->steps.retried;
		}
	}
	if (!remote && !local && !fallback) {
		return;
	}
	buf_printf(out, "\ndistributed: %ld of %ld compiles ran on the hosts", remote,
		   remote + local + fallback);
	if (local) {
		buf_printf(out, ", %ld here (not distributable)", local);
	}
	if (fallback) {
		buf_printf(out, ", %ld here after a host failed", fallback);
	}
	if (retried) {
		buf_printf(out, " (%ld on another host after one failed)", retried);
	}
	buf_adds(out, "; links and measuring ran here\n");
}

/* The failed cells of the table's rows (cells built only to start others from,
 * or guessed ahead by the cumulative chain, are in results.json alone). */
static void
render_failures(const struct results *r, struct buf *out)
{
	bool any = false;

	for (size_t i = 0; i < r->nrows; i++) {
		const struct cell *c = results_find(r, r->rows[i].cell);
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++) {
			seen = !strcmp(r->rows[j].cell, r->rows[i].cell);
		}
		if (!c || seen || c->status == CELL_OK || c->status == CELL_PENDING) {
			continue;
		}
		if (!any) {
			buf_adds(out, "\nfailed cells:\n");
			any = true;
		}
		buf_printf(out, "  %s: %s: %s\n", c->name, cell_status_name(c->status),
			   c->reason ? c->reason : "no reason recorded");
		if (c->log) {
			buf_printf(out, "    log: %s\n", c->log);
		}
	}
}

/* Under one build's table (lines from..to-1) of a firmware run: how full each
 * memory region of the link is, a column per region (the baseline's regions, in
 * its order), a row per table row: "26798 (10.2%)". Nothing when no row's cell
 * has regions (any program not linked into memory regions). */
static void
render_regions(const struct results *r, const struct line *l, size_t from, size_t to, bool md,
	       struct buf *out)
{
	const struct measure *names = NULL;
	const char **headers_r;
	bool *right;
	struct grid g;

	for (size_t i = from; i < to && !names; i++) {
		const struct cell *c = results_find(r, r->rows[l[i].row].cell);

		if (!l[i].art && measured(c) && c->m.nregions) {
			const struct cell *base = results_baseline_of(r, c);

			names = base && measured(base) && base->m.nregions ? &base->m : &c->m;
		}
	}
	if (!names) {
		return;
	}
	headers_r = xcalloc(names->nregions + 1, sizeof(*headers_r));
	right = xcalloc(names->nregions + 1, sizeof(*right));
	headers_r[0] = "modifications";
	for (size_t k = 0; k < names->nregions; k++) {
		headers_r[k + 1] = names->regions[k].name;
		right[k + 1] = true;
	}
	grid_init(&g, names->nregions + 1, headers_r, right);
	for (size_t i = from; i < to; i++) {
		const struct row *row = &r->rows[l[i].row];
		const struct cell *c = results_find(r, row->cell);
		char **cols;

		if (l[i].art) {
			continue;
		}
		cols = xcalloc(names->nregions + 1, sizeof(*cols));
		cols[0] = xstrdup(row->label);
		for (size_t k = 0; k < names->nregions; k++) {
			const struct measure_region *reg =
				measured(c) ? measure_region(&c->m, names->regions[k].name) : NULL;

			if (!reg) {
				cols[k + 1] = xstrdup("-");
			} else if (reg->length) {
				cols[k + 1] = xasprintf("%llu (%.1f%%)", reg->used,
							100.0 * (double)reg->used / (double)reg->length);
			} else {
				cols[k + 1] = xasprintf("%llu", reg->used);
			}
		}
		grid_row_take(&g, cols);
		free(cols);
	}
	buf_adds(out, md ? "\nMemory regions (bytes used, % of the region):\n\n"
			 : "\nmemory regions (bytes used, % of the region):\n");
	grid_render(&g, md ? "md" : "text", out);
	grid_release(&g);
	free(headers_r);
	free(right);
}

void
table_render(const struct results *r, enum table_format f, struct buf *out)
{
	table_render_explained(r, f, 0, out);
}

void
table_render_explained(const struct results *r, enum table_format f, size_t explain,
		       struct buf *out)
{
	table_render_opts(r, f, explain, false, out);
}

static void table_render_complete(const struct results *r, enum table_format f, size_t explain,
				  bool per_artifact, struct buf *out);

/* Is cell a row of r? */
static bool
in_a_row(const struct results *r, const char *cell)
{
	for (size_t i = 0; i < r->nrows; i++) {
		if (!strcmp(r->rows[i].cell, cell)) {
			return true;
		}
	}
	return false;
}

/* An interrupted run's rows, and after them a row for every cell it finished that
 * no row shows (a search's or the full factorial's rows come at the end of a run,
 * so an interrupted one had only its baseline). r's own rows are borrowed: free
 * the result with release_incomplete. */
static struct results
with_unshown_cells(const struct results *r, size_t *measured)
{
	struct results t = *r;

	*measured = 0;
	t.rows = xcalloc(r->nrows + r->ncells + 1, sizeof(*t.rows));
	memcpy(t.rows, r->rows, r->nrows * sizeof(*t.rows));
	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *c = r->cells[i];
		struct row *row;

		if (c->status == CELL_PENDING || c->status == CELL_INTERRUPTED) {
			continue;
		}
		(*measured)++;
		if (in_a_row(r, c->name)) {
			continue;
		}
		row = &t.rows[t.nrows++];
		row->cell = c->name;
		row->group = (char *)"measured";
		row->label = strv_join(&c->profiles, " + ");
		row->note = NULL;
	}
	return t;
}

static void
release_incomplete(const struct results *r, struct results *t)
{
	for (size_t i = r->nrows; i < t->nrows; i++) {
		free(t->rows[i].label);
	}
	free(t->rows);
}

void
table_render_opts(const struct results *r, enum table_format f, size_t explain,
		  bool per_artifact, struct buf *out)
{
	if (!r->complete) {
		size_t measured;
		struct results t = with_unshown_cells(r, &measured);

		table_render_complete(&t, f, explain, per_artifact, out);
		if (f == TABLE_TEXT || f == TABLE_MD) {
			buf_printf(out, "\nincomplete: %zu of %zu cells measured (the run was "
					"interrupted; ounce matrix --resume goes on with it)\n",
				   measured, r->ncells);
		}
		release_incomplete(r, &t);
		return;
	}
	table_render_complete(r, f, explain, per_artifact, out);
}

size_t
table_render_front(const struct results *r, enum table_format f, struct buf *out)
{
	const char *metric = r->metric ? r->metric : "file";
	struct results t = *r;
	size_t n = 0;

	t.rows = xcalloc(r->nrows + r->ncells + 1, sizeof(*t.rows));
	t.nrows = 0;
	t.complete = true;
	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *c = r->cells[i];
		struct row *row = NULL;

		if (!speed_on_front(r, c, metric)) {
			continue;
		}
		n++;
		/* the cell's first row, else one of its own */
		for (size_t j = 0; j < r->nrows && !row; j++) {
			if (!strcmp(r->rows[j].cell, c->name)) {
				row = &t.rows[t.nrows++];
				*row = r->rows[j];
				row->note = NULL;
				row->label = xstrdup(row->label);
			}
		}
		if (!row) {
			row = &t.rows[t.nrows++];
			row->cell = c->name;
			row->group = (char *)"measured";
			row->label = c->profiles.n ? strv_join(&c->profiles, " + ")
						   : xstrdup("baseline");
			row->note = NULL;
		}
	}
	if (n) {
		table_render_complete(&t, f, 0, false, out);
	}
	for (size_t i = 0; i < t.nrows; i++) {
		free(t.rows[i].label);
	}
	free(t.rows);
	return n;
}

/* Said once under a table with --explain when explained(r) is false. */
static const char no_explanations[] =
	"\n--explain: this results.json records no sections or symbols that changed (an older "
	"ounce wrote it, or its run was killed); run ounce matrix again for them\n";

/* Did explain_fill run on r's cells? Not in a results.json of an older ounce, nor
 * in the one a killed run left (saved as it went). */
static bool
explained(const struct results *r)
{
	for (size_t i = 0; i < r->ncells; i++) {
		if (r->cells[i]->explain.done) {
			return true;
		}
	}
	return false;
}

static void
table_render_complete(const struct results *r, enum table_format f, size_t explain,
		      bool per_artifact, struct buf *out)
{
	struct line *l;
	size_t nl;

	if (f == TABLE_JSON) {
		render_json(r, out);
		return;
	}
	l = lines_of(r, per_artifact, &nl);
	if (f == TABLE_CSV) {
		render_csv(r, l, nl, out);
	} else {
		if (r->project) {
			buf_printf(out, f == TABLE_MD ? "**%s** (%s, %s)\n\n" : "%s (%s, %s)\n\n",
				   r->project, r->recipe ? r->recipe : "?",
				   r->toolchain ? r->toolchain : "?");
		}
		/* one table per build, in the order they ran */
		for (size_t from = 0, to; from < nl; from = to) {
			const char *b = build_of(results_find(r, r->rows[l[from].row].cell));

			for (to = from + 1;
			     to < nl && !strcmp(b, build_of(results_find(r, r->rows[l[to].row].cell)));
			     to++) {
			}
			if (from) {
				buf_addc(out, '\n');
			}
			render_text(r, l, from, to, out, f == TABLE_MD, explain);
			render_regions(r, l, from, to, f == TABLE_MD, out);
		}
		render_repro(r, out);
		render_distributed(r, out);
		render_failures(r, out);
		if (explain && !explained(r)) {
			buf_adds(out, no_explanations);
		}
	}
	free_lines(l, nl);
}

const char *
table_header(size_t col)
{
	return col < NCOLS ? headers[col] : "";
}

bool
table_col_number(size_t col)
{
	return col < NCOLS && right_aligned[col];
}

/* The number col's text v sorts by; false for text and for "-" or "n/a". */
static bool
sort_key(size_t col, const char *const *cols, double *key)
{
	const char *v = cols[col];
	char *end;
	int major, minor;

	if (!right_aligned[col]) {
		return false;
	}
	if (col == C_HUMAN) {
		/* 26.3 KiB sorts as its bytes */
		v = cols[C_BYTES];
	}
	if (col == C_GLIBC) {
		if (sscanf(v, "%d.%d", &major, &minor) != 2) {
			return false;
		}
		*key = major * 1000.0 + minor;
		return true;
	}
	*key = strtod(v, &end);
	/* "+1.4%", "-0.0%" */
	return end != v && (!*end || (col == C_PCT && !strcmp(end, "%")));
}

struct table_line *
table_lines(const struct results *r, size_t *n)
{
	struct results t = *r;
	struct table_line *out;
	struct line *l;
	size_t measured;

	if (!r->complete) {
		t = with_unshown_cells(r, &measured);
	}
	l = lines_of(&t, false, n);
	out = xcalloc(*n ? *n : 1, sizeof(*out));
	for (size_t i = 0; i < *n; i++) {
		const struct row *row = &t.rows[l[i].row];

		out[i].cell = xstrdup(row->cell);
		out[i].group = xstrdup(row->group);
		out[i].build = xstrdup(l[i].col[C_BUILD]);
		for (size_t c = 0; c < NCOLS; c++) {
			out[i].has_key[c] =
			    sort_key(c, (const char *const *)l[i].col, &out[i].key[c]);
		}
		memcpy(out[i].col, l[i].col, sizeof(out[i].col));
		memset(l[i].col, 0, sizeof(l[i].col));
	}
	free_lines(l, *n);
	if (!r->complete) {
		release_incomplete(r, &t);
	}
	return out;
}

void
table_lines_free(struct table_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].cell);
		free(l[i].group);
		free(l[i].build);
		for (size_t c = 0; c < NCOLS; c++) {
			free(l[i].col[c]);
		}
	}
	free(l);
}

void
table_explain_abi(const struct results *r, const struct cell *c, struct buf *out)
{
	explain_abi(r, c, out);
}
