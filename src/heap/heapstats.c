/* heapstats.c: one pass over a heap log. A pointer table pairs each free with its
 * allocation's size; a per-size table keeps the current and maximum load. Sizes
 * live in a second table from size to row, so the pass is linear in the log. */
#include "heap/heapstats.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/units.h"
#include "heap/heaplog.h"
#include "base/banned.h"

struct pass {
	struct heapstats *st;
	struct heaplog_map live;	/* ptr -> requested size */
	struct heaplog_map rows;	/* aligned size -> row index */
	size_t cap;
};

static struct heapstats_size *
row(struct pass *p, uint64_t size)
{
	struct heapstats *st = p->st;
	uint64_t key = heaplog_align_up(size, st->align), idx;

	if (!heaplog_map_get(&p->rows, key, &idx)) {
		heaplog_map_put(&p->rows, key, st->nsizes, NULL);
		st->sizes = xgrowarray(st->sizes, &p->cap, st->nsizes + 1, sizeof(*st->sizes));
		idx = st->nsizes++;
		memset(&st->sizes[idx], 0, sizeof(st->sizes[idx]));
		st->sizes[idx].size = key;
		return &st->sizes[idx];
	}
	return &st->sizes[idx];
}

static uint64_t
sat_sub(uint64_t a, uint64_t b)
{
	return a < b ? 0 : a - b;
}

static void
give_back(struct pass *p, uint64_t ptr, uint64_t *bytes)
{
	uint64_t size;

	if (!heaplog_map_take(&p->live, ptr, &size)) {
		p->st->unknown_frees++;
		return;
	}
	row(p, size)->cur--;
	p->st->frees++;
	*bytes = sat_sub(*bytes, size);
}

static void
take(struct pass *p, uint64_t ptr, uint64_t size, uint64_t *bytes)
{
	struct heapstats_size *r;
	uint64_t old;

	/* an address handed out twice without a free between: the first block is
	 * gone (a damaged log, or a free the tracer missed) */
	if (heaplog_map_put(&p->live, ptr, size, &old)) {
		row(p, old)->cur--;
		*bytes = sat_sub(*bytes, old);
	}
	r = row(p, size);
	r->cur++;
	r->total++;
	if (r->cur > r->max_load) {
		r->max_load = r->cur;
	}
	p->st->allocations++;
	*bytes = units_sat_add(*bytes, size);
}

static int
by_size(const void *a, const void *b)
{
	const struct heapstats_size *x = a, *y = b;

	return (x->size > y->size) - (x->size < y->size);
}

void
heapstats_compute(struct heapstats *st, const struct heap_log *log, uint64_t align)
{
	struct pass p = {st, HEAPLOG_MAP_INIT, HEAPLOG_MAP_INIT, 0};
	uint64_t bytes = 0;

	heapstats_release(st);
	st->align = align ? align : 1;
	st->events = log->n;
	for (size_t i = 0; i < log->n; i++) {
		const struct heap_event *e = &log->ev[i];

		if (e->fn == HEAPLOG_FN_REALLOC || e->kind == HEAP_EV_REALLOC) {
			st->reallocs++;
		}
		switch (e->kind) {
		case HEAP_EV_ALLOC:
			take(&p, e->ptr, e->size, &bytes);
			break;
		case HEAP_EV_FREE:
			give_back(&p, e->ptr, &bytes);
			break;
		case HEAP_EV_REALLOC:
			give_back(&p, e->old, &bytes);
			take(&p, e->ptr, e->size, &bytes);
			break;
		case HEAP_EV_FAIL:
			st->failed++;
			break;
		}
		if (bytes > st->peak_bytes) {
			st->peak_bytes = bytes;
			st->peak_event = i + 1;
			st->peak_t_us = e->t_us;
		}
	}
	if (st->nsizes > 1) {
		/* never with NULL: qsort's first argument must not be null */
		qsort(st->sizes, st->nsizes, sizeof(*st->sizes), by_size);
	}
	for (size_t i = 0; i < st->nsizes; i++) {
		const struct heapstats_size *r = &st->sizes[i];
		uint64_t w = r->max_load && r->size > UINT64_MAX / r->max_load
				     ? UINT64_MAX
				     : r->size * r->max_load;

		st->drone_bytes = units_sat_add(st->drone_bytes, w);
		st->live_blocks += r->cur;
	}
	st->live_bytes = bytes;
	heaplog_map_release(&p.live);
	heaplog_map_release(&p.rows);
}

/* The row of an aligned size, by binary search (the rows are sorted by now). */
static struct heapstats_size *
sorted_row(struct heapstats *st, uint64_t size)
{
	uint64_t key = heaplog_align_up(size, st->align);
	size_t lo = 0, hi = st->nsizes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->sizes[mid].size < key) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	/* every size of the log has a row: the first pass made it */
	return lo < st->nsizes && st->sizes[lo].size == key ? &st->sizes[lo] : NULL;
}

static void
peak_drop(struct heapstats *st, struct heaplog_map *live, uint64_t ptr)
{
	struct heapstats_size *r;
	uint64_t size;

	if (heaplog_map_take(live, ptr, &size) && (r = sorted_row(st, size))) {
		r->at_peak--;
		r->at_peak_bytes = sat_sub(r->at_peak_bytes, size);
	}
}

static void
peak_add(struct heapstats *st, struct heaplog_map *live, uint64_t ptr, uint64_t size)
{
	struct heapstats_size *r;

	peak_drop(st, live, ptr);
	heaplog_map_put(live, ptr, size, NULL);
	if ((r = sorted_row(st, size))) {
		r->at_peak++;
		r->at_peak_bytes = units_sat_add(r->at_peak_bytes, size);
	}
}

void
heapstats_at_peak(struct heapstats *st, const struct heap_log *log)
{
	struct heaplog_map live = HEAPLOG_MAP_INIT;	/* ptr -> requested size */
	size_t n = st->peak_event < log->n ? st->peak_event : log->n;

	st->peak_blocks = 0;
	for (size_t i = 0; i < st->nsizes; i++) {
		st->sizes[i].at_peak = st->sizes[i].at_peak_bytes = 0;
	}
	/* the same steps as heapstats_compute's pass: a realloc frees, then takes */
	for (size_t i = 0; i < n; i++) {
		const struct heap_event *e = &log->ev[i];

		switch (e->kind) {
		case HEAP_EV_ALLOC:
			peak_add(st, &live, e->ptr, e->size);
			break;
		case HEAP_EV_FREE:
			peak_drop(st, &live, e->ptr);
			break;
		case HEAP_EV_REALLOC:
			peak_drop(st, &live, e->old);
			peak_add(st, &live, e->ptr, e->size);
			break;
		case HEAP_EV_FAIL:
			break;
		}
	}
	for (size_t i = 0; i < st->nsizes; i++) {
		st->peak_blocks += st->sizes[i].at_peak;
	}
	heaplog_map_release(&live);
}

void
heapstats_release(struct heapstats *st)
{
	free(st->sizes);
	*st = (struct heapstats)HEAPSTATS_INIT;
}
