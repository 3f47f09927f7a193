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

/* The size report of the file at path (sections and symbols: the explanation names
 * no component, so none is attributed, which would read DWARF or a link map);
 * false (r released) when it cannot be read. */
static bool
load(const char *path, struct size_report *r)
{
	char err[256];

	if (!path || size_read(path, r, err, sizeof(err)) < 0) {
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

/* The content hash of c's artifact at path, or NULL when it was not read. */
static const char *
hash_of(const struct cell *c, const char *path)
{
	for (size_t i = 0; i < c->narts; i++) {
		if (c->arts[i].path && !strcmp(c->arts[i].path, path)) {
			return c->arts[i].hash[0] ? c->arts[i].hash : NULL;
		}
	}
	return NULL;
}

/* What one cell's explanation compares: its baseline, and the artifact of each
 * (the one whose size changed most when there are several). */
struct pair {
	const struct cell *base;
	const char *pa, *pb, *which;	/* pa: the baseline's; which: the name, or NULL */
	const char *ha, *hb;		/* their content hashes, or NULL */
};

/* The pair c compares; false when there is nothing to compare (the baseline
 * itself, a cell that failed, no baseline). */
static bool
pair_of(const struct results *r, const struct cell *c, struct pair *p)
{
	memset(p, 0, sizeof(*p));
	p->base = results_baseline_of(r, c);
	if (!p->base || p->base == c || c->status != CELL_OK) {
		return false;
	}
	p->pa = p->base->artifact;
	p->pb = c->artifact;
	for (size_t i = 0, most = 0; c->narts > 1 && i < c->narts; i++) {
		const struct artifact *x = &c->arts[i], *y = cell_find_artifact(p->base, x->name);
		long long dl = y ? x->m.bytes - y->m.bytes : 0;
		size_t mag = (size_t)(dl < 0 ? -dl : dl);

		if (y && (!p->which || mag > most)) {
			most = mag;
			p->pa = y->path;
			p->pb = x->path;
			p->which = x->name;
		}
	}
	if (!p->pa || !p->pb) {
		return false;
	}
	p->ha = hash_of(p->base, p->pa);
	p->hb = hash_of(c, p->pb);
	return true;
}

/* The same comparison of the same bytes: its explanation is the same. */
static bool
same_pair(const struct pair *x, const struct pair *y)
{
	return x->base == y->base && x->ha && x->hb && y->ha && y->hb && !strcmp(x->ha, y->ha) &&
	       !strcmp(x->hb, y->hb) && (x->which ? y->which && !strcmp(x->which, y->which)
						 : !y->which);
}

static void
copy_explain(struct cell_explain *to, const struct cell_explain *from)
{
	to->artifact = from->artifact ? xstrdup(from->artifact) : NULL;
	for (size_t i = 0; i < from->nsections; i++) {
		const struct explain_row *x = &from->sections[i];

		cell_explain_add(to, false, x->name, x->old_bytes, x->new_bytes, x->change);
	}
	for (size_t i = 0; i < from->nsymbols; i++) {
		const struct explain_row *x = &from->symbols[i];

		cell_explain_add(to, true, x->name, x->old_bytes, x->new_bytes, x->change);
	}
}

/* The changes of pair p into e, read from both files. */
static void
explain_compute(const struct pair *p, struct base_cache *bc, struct cell_explain *e)
{
	const struct size_report *a;
	struct size_report b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	e->artifact = p->which ? xstrdup(p->which) : NULL;
	/* the same bytes: nothing changed, and nothing to read */
	if (p->ha && p->hb && !strcmp(p->ha, p->hb)) {
		return;
	}
	if (!(a = load_base(bc, p->pa)) || !load(p->pb, &b)) {
		free(e->artifact);
		e->artifact = NULL;
		return;
	}
	diff_compute(a, &b, &d);
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
	struct pair *pairs = xcalloc(r->ncells + 1, sizeof(*pairs));
	bool *has = xcalloc(r->ncells + 1, sizeof(*has));

	for (size_t i = 0; i < r->ncells; i++) {
		struct cell_explain *e = &r->cells[i]->explain;
		size_t j = 0;

		cell_explain_release(e);
		e->done = true;
		if (!(has[i] = pair_of(r, r->cells[i], &pairs[i]))) {
			continue;
		}
		/* a cell whose compared files are an earlier cell's (a profile with no
		 * effect, a copy) says what that one said */
		while (j < i && !(has[j] && same_pair(&pairs[i], &pairs[j]))) {
			j++;
		}
		if (j < i) {
			copy_explain(e, &r->cells[j]->explain);
		} else {
			explain_compute(&pairs[i], &bc, e);
		}
	}
	free(has);
	free(pairs);
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

