/* explain.c: where a profile's bytes went: the sections and symbols that changed
 * most between a cell's artifact and its baseline's, read from both files. */
#include "report/explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "elf/diff.h"
#include "elf/size.h"
#include "report/result.h"
#include "report/table.h"
#include "base/banned.h"

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
add_rows(struct buf *out, const struct diff_table *t, size_t top, bool symbols)
{
	for (size_t i = 0; i < t->n && i < top; i++) {
		const struct diff_row *row = &t->v[i];

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
explain_cell(const struct results *r, const struct cell *c, size_t top, struct buf *out)
{
	const struct cell *base = results_baseline_of(r, c);
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;

	const char *pa, *pb, *which = NULL;

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
	if (!pa || !pb || !load(pa, &a)) {
		return;
	}
	if (!load(pb, &b)) {
		size_report_release(&a);
		return;
	}
	diff_compute(&a, &b, &d);
	if (d.sections.n || d.symbols.n) {
		if (which) {
			buf_printf(out, "    where (%s): ", which);
		} else {
			buf_adds(out, "    where: ");
		}
		add_rows(out, &d.sections, top, false);
		/* a stripped file has only its dynamic symbols: nothing to compare */
		if (a.dynamic_symbols == b.dynamic_symbols && d.symbols.n) {
			buf_adds(out, d.sections.n ? "; " : "");
			add_rows(out, &d.symbols, top, true);
		}
	}
	diff_release(&d);
	size_report_release(&a);
	size_report_release(&b);
}
