/* heappools.c: size classes, the capacity of each contiguous range of them, and
 * the dynamic program D[k][j] = min_i D[k-1][i-1] + c_j·cap(i,j) that replaces
 * Drone's branch and bound (which misses optima: research/heap.md 1.5). */
#include "heap/heappools.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/units.h"
#include "heap/heaplog.h"
#include "heap/heapstats.h"
#include "base/banned.h"

#define NOCLASS UINT64_MAX

static uint64_t
sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t
class_of(uint64_t size, uint64_t align, uint64_t min_block)
{
	uint64_t c = heaplog_align_up(size, align);

	return c < min_block ? min_block : c;
}

/* The vectors of live blocks per class seen at candidate peaks, kept so each
 * distinct one is evaluated once. */
struct joint {
	struct heappools_classes *c;
	double steps;			/* range sums evaluated, against the budget */
	uint64_t *live, *keys, hash;
	struct heaplog_map seen;	/* hash -> index in store */
	uint64_t *store;
	size_t nstore, capstore;
	bool pending;			/* something was allocated since the last look */
};

/* The live vector right after a run of allocations: only there can a range's sum
 * reach its maximum. */
static void
look(struct joint *J)
{
	struct heappools_classes *c = J->c;
	size_t m = c->m;
	uint64_t idx;

	if (!J->pending || !c->joint) {
		return;
	}
	J->pending = false;
	if (heaplog_map_get(&J->seen, J->hash, &idx) &&
	    !memcmp(J->store + idx * m, J->live, m * sizeof(*J->live))) {
		return;
	}
	/* each new live vector costs m²/2 steps: past the budget, sums instead
	 * (heappools_classes says so) */
	J->steps += (double)m * (double)(m + 1) / 2.0;
	if (J->steps > HEAPPOOLS_JOINT_BUDGET) {
		free(c->joint);
		c->joint = NULL;
		c->model = HEAPPOOLS_SUM;
		return;
	}
	/* keep at most 16M counts; past that every candidate is evaluated */
	if ((J->nstore + 1) * m <= (size_t)16 << 20) {
		if (J->nstore == J->capstore) {
			J->capstore = J->capstore ? J->capstore * 2 : 64;
			J->store = xreallocarray(J->store, J->capstore * m, sizeof(*J->store));
		}
		memcpy(J->store + J->nstore * m, J->live, m * sizeof(*J->live));
		heaplog_map_put(&J->seen, J->hash, J->nstore++, NULL);
	}
	for (size_t i = 0; i < m; i++) {
		uint64_t s = 0;

		for (size_t j = i; j < m; j++) {
			s = units_sat_add(s, J->live[j]);
			if (s > c->joint[i * m + j]) {
				c->joint[i * m + j] = s;
			}
		}
	}
}

static void
inc(struct joint *J, uint64_t k)
{
	if (k == NOCLASS) {
		return;
	}
	J->live[k]++;
	J->hash += J->keys[k];
	J->pending = true;
	if (J->live[k] > J->c->max_load[k]) {
		J->c->max_load[k] = J->live[k];
	}
}

static void
dec(struct joint *J, uint64_t k)
{
	if (k == NOCLASS) {
		return;
	}
	look(J);
	if (J->live[k]) {
		J->live[k]--;
		J->hash -= J->keys[k];
	}
}

static size_t
find(const struct heappools_classes *c, uint64_t cls)
{
	size_t lo = 0, hi = c->m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->cls[mid] < cls) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* The timeline: live blocks per class, with the maximum of each class and, for
 * JOINT, of every range. */
static void
timeline(struct heappools_classes *c, const struct heap_log *log, uint64_t align,
	 uint64_t min_block)
{
	struct joint J = {c, 0, NULL, NULL, 0, HEAPLOG_MAP_INIT, NULL, 0, 0, false};
	struct heaplog_map ptrs = HEAPLOG_MAP_INIT;
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15), k;

	J.live = xcalloc(c->m, sizeof(*J.live));
	J.keys = xcalloc(c->m, sizeof(*J.keys));
	for (size_t i = 0; i < c->m; i++) {
		/* xorshift64: a fixed random key per class for the linear hash */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		J.keys[i] = x;
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct heap_event *e = &log->ev[i];
		uint64_t cls = NOCLASS;

		if (c->at_peak && i == c->peak_event) {
			memcpy(c->at_peak, J.live, c->m * sizeof(*J.live));
		}
		if ((e->kind == HEAP_EV_ALLOC || e->kind == HEAP_EV_REALLOC) && e->size) {
			cls = find(c, class_of(e->size, align, min_block));
		}
		switch (e->kind) {
		case HEAP_EV_ALLOC:
			if (heaplog_map_put(&ptrs, e->ptr, cls, &k)) {
				dec(&J, k);
			}
			inc(&J, cls);
			break;
		case HEAP_EV_REALLOC:
			/* the new block is taken while the old one is still held */
			if (e->ptr == e->old) {
				if (heaplog_map_take(&ptrs, e->old, &k)) {
					dec(&J, k);
				}
				heaplog_map_put(&ptrs, e->ptr, cls, NULL);
				inc(&J, cls);
				break;
			}
			if (heaplog_map_put(&ptrs, e->ptr, cls, &k)) {
				dec(&J, k);
			}
			inc(&J, cls);
			if (heaplog_map_take(&ptrs, e->old, &k)) {
				dec(&J, k);
			}
			break;
		case HEAP_EV_FREE:
			if (heaplog_map_take(&ptrs, e->ptr, &k)) {
				dec(&J, k);
			}
			break;
		case HEAP_EV_FAIL:
			break;
		}
	}
	look(&J);
	if (c->at_peak && log->n == c->peak_event) {
		memcpy(c->at_peak, J.live, c->m * sizeof(*J.live));
	}
	free(J.live);
	free(J.keys);
	free(J.store);
	heaplog_map_release(&J.seen);
	heaplog_map_release(&ptrs);
}

/* Drop the classes with no block alive at the peak. */
static void
keep_at_peak(struct heappools_classes *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->m; i++) {
		if (c->at_peak[i]) {
			c->cls[n] = c->cls[i];
			c->max_load[n] = c->max_load[i];
			c->at_peak[n++] = c->at_peak[i];
		}
	}
	c->m = n;
}

void
heappools_classes(struct heappools_classes *c, const struct heap_log *log, uint64_t align,
		  uint64_t min_block, enum heappools_capacity model)
{
	size_t n = 0;

	heappools_classes_release(c);
	c->model = model;
	c->cls = xcalloc(log->n ? log->n : 1, sizeof(*c->cls));
	for (size_t i = 0; i < log->n; i++) {
		const struct heap_event *e = &log->ev[i];

		if ((e->kind == HEAP_EV_ALLOC || e->kind == HEAP_EV_REALLOC) && e->size) {
			c->cls[n++] = class_of(e->size, align, min_block);
		}
	}
	if (n > 1) {
		qsort(c->cls, n, sizeof(*c->cls), cmp_u64);
	}
	for (size_t i = 0; i < n; i++) {
		if (!c->m || c->cls[c->m - 1] != c->cls[i]) {
			c->cls[c->m++] = c->cls[i];
		}
	}
	c->max_load = xcalloc(c->m ? c->m : 1, sizeof(*c->max_load));
	if (model == HEAPPOOLS_JOINT && c->m > HEAPPOOLS_MAX_JOINT) {
		warn("%zu size classes: more than %d, so capacities are sums of each class's "
		     "maximum (--capacity sum); a larger --align merges classes",
		     c->m, HEAPPOOLS_MAX_JOINT);
		c->model = HEAPPOOLS_SUM;
	}
	if (c->model == HEAPPOOLS_JOINT) {
		c->joint = xcalloc(c->m ? c->m * c->m : 1, sizeof(*c->joint));
	}
	if (model == HEAPPOOLS_AT_PEAK) {
		/* the peak of requested bytes, as `ounce heap stats` finds it */
		struct heapstats st = HEAPSTATS_INIT;

		heapstats_compute(&st, log, 1);
		c->peak_event = st.peak_event;
		heapstats_release(&st);
		c->at_peak = xcalloc(c->m ? c->m : 1, sizeof(*c->at_peak));
	}
	timeline(c, log, align, min_block);
	if (model == HEAPPOOLS_AT_PEAK) {
		keep_at_peak(c);
	}
	if (model == HEAPPOOLS_JOINT && c->m <= HEAPPOOLS_MAX_JOINT && c->model != model) {
		warn("%zu size classes in %zu events: joint capacities would take more than %.0e "
		     "steps, so capacities are sums of each class's maximum (--capacity sum); a "
		     "larger --align merges classes", c->m, log->n, HEAPPOOLS_JOINT_BUDGET);
	}
}

/* The per-class counts that sum and at-peak capacities add up. */
static const uint64_t *
loads(const struct heappools_classes *c)
{
	return c->model == HEAPPOOLS_AT_PEAK && c->at_peak ? c->at_peak : c->max_load;
}

uint64_t
heappools_cap(const struct heappools_classes *c, size_t i, size_t j)
{
	const uint64_t *load = loads(c);
	uint64_t s = 0;

	if (c->model == HEAPPOOLS_JOINT && c->joint) {
		return c->joint[i * c->m + j];
	}
	for (size_t k = i; k <= j; k++) {
		s = units_sat_add(s, load[k]);
	}
	return s;
}

/* One dynamic program: D[k][j] is the cheapest way to serve classes 0..j-1 with
 * exactly k pools, from[k][j] where its last pool starts (1-based). */
struct dp {
	const struct heappools_classes *c;
	size_t m;
	uint64_t *D, *prefix;
	size_t *from;
};

/* The cost of serving classes 0..j-1 with k-1 pools for 0..i-2 and one for i-1..j-1. */
static uint64_t
cost(const struct dp *s, size_t k, size_t i, size_t j)
{
	const struct heappools_classes *c = s->c;
	size_t m = s->m;
	uint64_t prev = s->D[(k - 1) * (m + 1) + i - 1], cap;

	if (prev == UINT64_MAX) {
		return UINT64_MAX;
	}
	cap = c->model == HEAPPOOLS_JOINT && c->joint ? c->joint[(i - 1) * m + j - 1]
						      : s->prefix[j] - s->prefix[i - 1];
	return units_sat_add(prev, sat_mul(c->cls[j - 1], cap));
}

/* Row k for j in lo..hi, the last pool's start searched in optlo..opthi only: the
 * divide and conquer of a cost with the quadrangle inequality, where the best
 * start never moves left as j grows. */
static void
row_dc(struct dp *s, size_t k, size_t lo, size_t hi, size_t optlo, size_t opthi)
{
	size_t m = s->m;

	while (lo <= hi) {
		size_t mid = lo + (hi - lo) / 2, arg = optlo > k ? optlo : k;
		size_t last = opthi < mid ? opthi : mid;
		uint64_t best = UINT64_MAX;

		for (size_t i = arg; i <= last; i++) {
			uint64_t v = cost(s, k, i, mid);

			if (v < best) {
				best = v;
				arg = i;
			}
		}
		s->D[k * (m + 1) + mid] = best;
		s->from[k * (m + 1) + mid] = arg;
		if (mid > lo) {
			row_dc(s, k, lo, mid - 1, optlo, arg);
		}
		/* the right half in this loop: recursion depth stays log2(m) */
		lo = mid + 1;
		optlo = arg;
	}
}

enum heappools_method
heappools_solve(const struct heappools_classes *c, size_t npools, struct heappools_layout *out)
{
	return heappools_solve_budget(c, npools, HEAPPOOLS_EXACT_BUDGET, out);
}

enum heappools_method
heappools_solve_budget(const struct heappools_classes *c, size_t npools, double budget,
		       struct heappools_layout *out)
{
	size_t m = c->m, K = npools < m ? npools : m;
	struct dp s = {c, m, NULL, NULL, NULL};
	/* the exact program's steps: about K·m²/2 */
	double steps = (double)K * (double)m * (double)m / 2.0;
	enum heappools_method method = steps > budget ? HEAPPOOLS_BOUNDED : HEAPPOOLS_EXACT;
	const uint64_t *load = loads(c);
	size_t best_k = 0;

	s.D = xcalloc((K + 1) * (m + 1), sizeof(*s.D));
	s.from = xcalloc((K + 1) * (m + 1), sizeof(*s.from));
	s.prefix = xcalloc(m + 1, sizeof(*s.prefix));
	for (size_t j = 0; j < m; j++) {
		s.prefix[j + 1] = units_sat_add(s.prefix[j], load[j]);
	}
	for (size_t k = 0; k <= K; k++) {
		for (size_t j = 0; j <= m; j++) {
			s.D[k * (m + 1) + j] = (k == 0 && j == 0) ? 0 : UINT64_MAX;
		}
	}
	for (size_t k = 1; k <= K; k++) {
		if (method == HEAPPOOLS_BOUNDED) {
			row_dc(&s, k, k, m, k, m);
			continue;
		}
		for (size_t j = k; j <= m; j++) {
			uint64_t best = UINT64_MAX;
			size_t arg = k;

			for (size_t i = k; i <= j; i++) {
				uint64_t v = cost(&s, k, i, j);

				if (v < best) {
					best = v;
					arg = i;
				}
			}
			s.D[k * (m + 1) + j] = best;
			s.from[k * (m + 1) + j] = arg;
		}
	}
	for (size_t k = 1; k <= npools; k++) {
		struct heappools_layout *l = &out[k - 1];

		memset(l, 0, sizeof(*l));
		l->method = method;
		/* at most k pools: a layout with more pools can reserve more under
		 * joint capacities, so keep the fewest among equal costs */
		if (k <= K && (!best_k || s.D[k * (m + 1) + m] < s.D[best_k * (m + 1) + m])) {
			best_k = k;
		}
		if (!best_k) {
			continue;
		}
		l->npools = best_k;
		l->pools = xcalloc(best_k, sizeof(*l->pools));
		for (size_t kk = best_k, j = m; kk > 0; kk--) {
			size_t i = s.from[kk * (m + 1) + j];

			l->pools[kk - 1].block = c->cls[j - 1];
			l->pools[kk - 1].count = heappools_cap(c, i - 1, j - 1);
			l->reserved = units_sat_add(l->reserved,
					      sat_mul(c->cls[j - 1], l->pools[kk - 1].count));
			j = i - 1;
		}
	}
	free(s.D);
	free(s.from);
	free(s.prefix);
	return method;
}

void
heappools_classes_release(struct heappools_classes *c)
{
	free(c->cls);
	free(c->max_load);
	free(c->joint);
	free(c->at_peak);
	*c = (struct heappools_classes)HEAPPOOLS_CLASSES_INIT;
}

void
heappools_layout_release(struct heappools_layout *l)
{
	free(l->pools);
	memset(l, 0, sizeof(*l));
}

bool
heappools_emit_parse(const char *s, enum heappools_emit *out)
{
	if (!strcmp(s, "ini")) {
		*out = HEAPPOOLS_EMIT_INI;
	} else if (!strcmp(s, "toml") || !strcmp(s, "drone")) {
		*out = HEAPPOOLS_EMIT_TOML;
	} else if (!strcmp(s, "c")) {
		*out = HEAPPOOLS_EMIT_C;
	} else {
		return false;
	}
	return true;
}

void
heappools_emit(const struct heappools_layout *l, enum heappools_emit e, struct buf *out)
{
	switch (e) {
	case HEAPPOOLS_EMIT_INI:
		buf_printf(out, "# %zu pools, %llu bytes reserved (ounce heap pools)\n[pools]\n",
			   l->npools, (unsigned long long)l->reserved);
		for (size_t i = 0; i < l->npools; i++) {
			buf_printf(out, "%llu = %llu\n", (unsigned long long)l->pools[i].block,
				   (unsigned long long)l->pools[i].count);
		}
		break;
	case HEAPPOOLS_EMIT_TOML:
		buf_printf(out, "[heap.main]\nsize = \"%llu\"\npools = [\n",
			   (unsigned long long)l->reserved);
		for (size_t i = 0; i < l->npools; i++) {
			buf_printf(out, "    { block = \"%llu\", count = %llu },\n",
				   (unsigned long long)l->pools[i].block,
				   (unsigned long long)l->pools[i].count);
		}
		buf_adds(out, "]\n");
		break;
	case HEAPPOOLS_EMIT_C:
		buf_adds(out, "static const struct { unsigned block, count; } pools[] = {");
		for (size_t i = 0; i < l->npools; i++) {
			buf_printf(out, "%s{%llu, %llu}", i ? ", " : "",
				   (unsigned long long)l->pools[i].block,
				   (unsigned long long)l->pools[i].count);
		}
		buf_adds(out, "};\n");
		break;
	}
}
