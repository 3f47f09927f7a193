/* explain.c: where a profile's bytes went: the sections and symbols that changed
 * most between a cell's artifact and its baseline's, read from both files when
 * the run ends (explain_fill) and printed from results.json (explain_line). */
#include "report/explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "elf/diff.h"
#include "elf/size.h"
#include "report/result.h"
#include "base/banned.h"

/* The size report of the file at path; false (r released) when it cannot be read. */
static bool
load(const char *path, struct size_report *r)
{
	char err[256];

	if (!path || size_read(path, r, err, sizeof(err)) < 0 ||
	    size_attribute(r, NULL, err, sizeof(err)) < 0) {
		size_report_release(r);
		return false;
	}
	return true;
}

/* The baseline's report, read once for the cells that compare with it. */
struct base_cache {
	char *path;
	struct size_report rep;
	bool ok;
};

static const struct size_report *
load_base(struct base_cache *bc, const char *path)
{
	if (!bc->path || strcmp(bc->path, path)) {
		size_report_release(&bc->rep);
		free(bc->path);
		bc->path = xstrdup(path);
		bc->ok = load(path, &bc->rep);
	}
	return bc->ok ? &bc->rep : NULL;
}

static void
base_cache_release(struct base_cache *bc)
{
	size_report_release(&bc->rep);
	free(bc->path);
}

/* The first EXPLAIN_ROWS rows of t into e's symbols (symbol true) or sections. */
static void
keep_rows(struct cell_explain *e, const struct diff_table *t, bool symbol)
{
	for (size_t i = 0; i < t->n && i < EXPLAIN_ROWS; i++) {
		cell_explain_add(e, symbol, t->v[i].name, t->v[i].old_bytes, t->v[i].new_bytes,
				 t->v[i].change);
	}
}

/* c's changes against its baseline into e (done, and empty when there are none). */
static void
explain_compute(const struct results *r, const struct cell *c, struct base_cache *bc,
		struct cell_explain *e)
{
	const struct cell *base = results_baseline_of(r, c);
	const struct size_report *a;
	struct size_report b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;
	const char *pa, *pb, *which = NULL;

	cell_explain_release(e);
	e->done = true;
	if (!base || base == c || c->status != CELL_OK) {
		return;
	}
	pa = base->artifact;
	pb = c->artifact;
	/* several artifacts: the one whose size changed most */
	for (size_t i = 0, most = 0; c->narts > 1 && i < c->narts; i++) {
		const struct artifact *x = &c->arts[i], *y = cell_find_artifact(base, x->name);
		long long dl = y ? x->m.bytes - y->m.bytes : 0;
		size_t mag = (size_t)(dl < 0 ? -dl : dl);

		if (y && (!which || mag > most)) {
			most = mag;
			pa = y->path;
			pb = x->path;
			which = x->name;
		}
	}
	if (!pa || !pb || !(a = load_base(bc, pa)) || !load(pb, &b)) {
		return;
	}
	diff_compute(a, &b, &d);
	e->artifact = which ? xstrdup(which) : NULL;
	keep_rows(e, &d.sections, false);
	/* a stripped file has only its dynamic symbols: nothing to compare */
	if (a->dynamic_symbols == b.dynamic_symbols) {
		keep_rows(e, &d.symbols, true);
	}
	diff_release(&d);
	size_report_release(&b);
}

void
explain_fill(struct results *r)
{
	struct base_cache bc = {NULL, SIZE_REPORT_INIT, false};

	for (size_t i = 0; i < r->ncells; i++) {
		explain_compute(r, r->cells[i], &bc, &r->cells[i]->explain);
	}
	base_cache_release(&bc);
}

/* "-3.0 KiB" or "+120 B" */
static void
add_delta(struct buf *out, long long d)
{
	long long a = d < 0 ? -d : d;

	if (a >= 1024) {
		buf_printf(out, "%+.1f KiB", (double)d / 1024.0);
	} else {
		buf_printf(out, "%+lld B", d);
	}
}

static void
add_rows(struct buf *out, const struct explain_row *v, size_t n, size_t top, bool symbols)
{
	for (size_t i = 0; i < n && i < top; i++) {
		const struct explain_row *row = &v[i];

		buf_adds(out, i ? ", " : "");
		if (symbols && strlen(row->name) > 40) {
			buf_printf(out, "%.37s...", row->name);
		} else {
			buf_adds(out, row->name);
		}
		buf_addc(out, ' ');
		add_delta(out, row->new_bytes - row->old_bytes);
		if (symbols && (row->change == DIFF_ADDED || row->change == DIFF_REMOVED)) {
			buf_printf(out, " (%s)", diff_change_name(row->change));
		}
	}
}

void
explain_line(const struct cell *c, size_t top, struct buf *out)
{
	const struct cell_explain *e = &c->explain;

	if (!e->nsections && !e->nsymbols) {
		return;
	}
	if (e->artifact) {
		buf_printf(out, "    where (%s): ", e->artifact);
	} else {
		buf_adds(out, "    where: ");
	}
	add_rows(out, e->sections, e->nsections, top, false);
	if (e->nsymbols) {
		buf_adds(out, e->nsections ? "; " : "");
		add_rows(out, e->symbols, e->nsymbols, top, true);
	}
}

