/* speed.c: the arithmetic of run-time cost: medians, spreads against the
 * baseline's median, the verdict on a budget and the size/speed front. The
 * numbers are what matrix/bench.c measured; nothing here runs anything. */
#include "report/speed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "report/result.h"
#include "base/banned.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
speed_median(const double *v, size_t n)
{
	double *s, m;

	if (!n) {
		return 0;
	}
	s = xcalloc(n, sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

void
speed_spread(const double *v, size_t n, double *lo, double *hi)
{
	*lo = n ? v[0] : 0;
	*hi = n ? v[0] : 0;
	for (size_t i = 1; i < n; i++) {
		*lo = v[i] < *lo ? v[i] : *lo;
		*hi = v[i] > *hi ? v[i] : *hi;
	}
}

bool
speed_cpu_change(const struct cell *base, const struct cell *c, struct speed_change *out)
{
	double bm, lo, hi;

	memset(out, 0, sizeof(*out));
	if (!base || !c || !base->bench.n || !c->bench.n) {
		return false;
	}
	bm = speed_median(base->bench.cpu, base->bench.n);
	if (!(bm > 0)) {
		return false;
	}
	speed_spread(c->bench.cpu, c->bench.n, &lo, &hi);
	out->pct = (speed_median(c->bench.cpu, c->bench.n) / bm - 1) * 100;
	out->lo = (lo / bm - 1) * 100;
	out->hi = (hi / bm - 1) * 100;
	out->runs = c->bench.n;
	return true;
}

bool
speed_instr_change(const struct cell *base, const struct cell *c, double *pct)
{
	if (!base || !c || base->bench.instructions <= 0 || c->bench.instructions < 0) {
		return false;
	}
	*pct = ((double)c->bench.instructions / (double)base->bench.instructions - 1) * 100;
	return true;
}

bool
speed_change(const struct cell *base, const struct cell *c, struct speed_change *out)
{
	double pct;

	if (!speed_cpu_change(base, c, out)) {
		return false;
	}
	if (speed_instr_change(base, c, &pct)) {
		out->by_instructions = true;
		out->pct = out->lo = out->hi = pct;
	}
	return true;
}

enum speed_verdict
speed_judge(const struct speed_change *ch, double budget)
{
	if (!ch) {
		return SPEED_UNKNOWN;
	}
	if (ch->hi <= budget) {
		return SPEED_WITHIN;
	}
	return ch->lo > budget ? SPEED_OVER : SPEED_UNCERTAIN;
}

bool
speed_parse_percent(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || (*end && strcmp(end, "%")) || !isfinite(v) || v < 0 || v > 1000) {
		return false;
	}
	*out = v;
	return true;
}

void
speed_front(const long long *size, const double *cost, size_t n, bool *on)
{
	for (size_t i = 0; i < n; i++) {
		on[i] = true;
		for (size_t j = 0; j < n && on[i]; j++) {
			if (j != i && size[j] <= size[i] && cost[j] <= cost[i] &&
			    (size[j] < size[i] || cost[j] < cost[i])) {
				on[i] = false;
			}
		}
	}
}

/* Is d one of the cells of build (NULL: the default) the front is drawn from? */
static bool
front_cell(const struct cell *d, const char *build, const char *metric)
{
	bool same = (!build && !d->build) || (build && d->build && !strcmp(build, d->build));

	return same && d->status == CELL_OK && d->bench.n && cell_metric(d, metric) >= 0;
}

bool
speed_on_front(const struct results *r, const struct cell *c, const char *metric)
{
	long long *size = xcalloc(r->ncells + 1, sizeof(*size));
	double *cost = xcalloc(r->ncells + 1, sizeof(*cost));
	bool *on = xcalloc(r->ncells + 1, sizeof(*on)), instr = true, found = false;
	size_t n = 0, me = 0;

	if (!front_cell(c, c->build, metric)) {
		goto out;
	}
	for (size_t i = 0; i < r->ncells; i++) {
		if (front_cell(r->cells[i], c->build, metric)) {
			instr = instr && r->cells[i]->bench.instructions >= 0;
		}
	}
	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *d = r->cells[i];

		if (!front_cell(d, c->build, metric)) {
			continue;
		}
		if (d == c) {
			me = n;
		}
		size[n] = cell_metric(d, metric);
		cost[n] =
		    instr ? (double)d->bench.instructions : speed_median(d->bench.cpu, d->bench.n);
		n++;
	}
	speed_front(size, cost, n, on);
	found = on[me];
out:
	free(size);
	free(cost);
	free(on);
	return found;
}

char *
speed_describe(const struct cell *base, const struct cell *c)
{
	struct speed_change ch;
	struct buf b = BUF_INIT;
	double pct;

	if (!speed_cpu_change(base, c, &ch)) {
		return NULL;
	}
	buf_printf(&b, "%+.1f%% CPU (median of %zu", ch.pct, ch.runs);
	if (ch.runs > 1) {
		buf_printf(&b, ", runs %+.1f%%..%+.1f%%", ch.lo, ch.hi);
	}
	buf_adds(&b, ")");
	if (speed_instr_change(base, c, &pct)) {
		buf_printf(&b, ", %+.1f%% instructions", pct);
	}
	if (base->bench.rss_kb > 0 && c->bench.rss_kb > 0) {
		buf_printf(&b, ", peak RSS %+.1f%%",
			   ((double)c->bench.rss_kb / (double)base->bench.rss_kb - 1) * 100);
	}
	return buf_detach(&b);
}
