/* test_search.c: the search strategy driven by synthetic size models (a base size,
 * each profile's factor, factors of pairs, cells that fail), whose optimum is known
 * by trying every valid mask. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "matrix/search.h"

/* A size model: the size of a mask is base times the factor of each member and of
 * each pair of members; it fails when a member fails alone or a pair fails. */
struct model {
	size_t n;
	int dim[SEARCH_MAX];
	double base;
	double factor[SEARCH_MAX];
	double pair[SEARCH_MAX][SEARCH_MAX];	/* [i][j], i < j; 1 when they do not interact */
	bool fail[SEARCH_MAX];
	bool fail_pair[SEARCH_MAX][SEARCH_MAX];	/* [i][j], i < j */
	uint64_t implies[SEARCH_MAX];	/* [i]: the profiles i includes (cgu1: lto) */
	bool blind;		/* the search is not told of implies (as before it) */
	int growth_limit;	/* the search's growth_limit; -1: its own */
};

/* What a driven search did. */
struct outcome {
	uint64_t best;
	long long metric;
	size_t asked;	/* masks asked for (for the brute force: masks tried) */
	size_t built;	/* masks in its batches */
	size_t twins, ruled_out;
	uint64_t dropped;
};

static uint64_t
bit(size_t i)
{
	return (uint64_t)1 << i;
}

static struct model *
model_new(double base)
{
	struct model *m = xcalloc(1, sizeof(*m));

	m->base = base;
	m->growth_limit = -1;
	for (size_t i = 0; i < SEARCH_MAX; i++) {
		for (size_t j = 0; j < SEARCH_MAX; j++) {
			m->pair[i][j] = 1;
		}
	}
	return m;
}

/* Add a profile of dimension dim with its factor alone; returns its index. */
static size_t
model_add(struct model *m, int dim, double factor)
{
	m->dim[m->n] = dim;
	m->factor[m->n] = factor;
	return m->n++;
}

static void
model_pair(struct model *m, size_t a, size_t b, double factor)
{
	m->pair[a < b ? a : b][a < b ? b : a] = factor;
}

static void
model_fail_pair(struct model *m, size_t a, size_t b)
{
	m->fail_pair[a < b ? a : b][a < b ? b : a] = true;
}

static bool
model_valid(const struct model *m, uint64_t mask)
{
	if (m->n < 64 && mask >> m->n) {
		return false;
	}
	for (size_t i = 0; i < m->n; i++) {
		for (size_t j = i + 1; j < m->n; j++) {
			if ((mask & bit(i)) && (mask & bit(j)) && m->dim[i] == m->dim[j]) {
				return false;
			}
		}
	}
	return true;
}

/* mask less the profiles another left in it implies, the last first (as
 * profile_reduce does): the build mask is. */
static uint64_t
model_reduce(const struct model *m, uint64_t mask)
{
	for (size_t i = m->n; i-- > 0;) {
		if (!(mask & bit(i))) {
			continue;
		}
		for (size_t j = 0; j < m->n; j++) {
			if (j != i && (mask & bit(j)) && (m->implies[j] & bit(i))) {
				mask &= ~bit(i);
				break;
			}
		}
	}
	return mask;
}

/* search.h's same_build for a model */
static uint64_t
model_same_build(void *ctx, uint64_t mask)
{
	return model_reduce(ctx, mask);
}

static bool
model_measure(const struct model *m, uint64_t mask, long long *metric)
{
	double size = m->base;

	/* a twin is its build, byte for byte */
	mask = model_reduce(m, mask);

	for (size_t i = 0; i < m->n; i++) {
		if (!(mask & bit(i))) {
			continue;
		}
		if (m->fail[i]) {
			return false;
		}
		size *= m->factor[i];
		for (size_t j = i + 1; j < m->n; j++) {
			if (!(mask & bit(j))) {
				continue;
			}
			if (m->fail_pair[i][j]) {
				return false;
			}
			size *= m->pair[i][j];
		}
	}
	*metric = (long long)(size + 0.5);
	return true;
}

static size_t
popcount(uint64_t x)
{
	size_t c = 0;

	for (; x; x &= x - 1) {
		c++;
	}
	return c;
}

/* Try every valid mask from profile i on (mask holds the choices before i). */
static void
brute(const struct model *m, size_t i, uint64_t mask, struct outcome *o)
{
	long long metric;

	if (i == m->n) {
		o->asked++;
		if (model_measure(m, mask, &metric) &&
		    (o->metric < 0 || metric < o->metric ||
		     (metric == o->metric && popcount(mask) < popcount(o->best)))) {
			o->best = mask;
			o->metric = metric;
		}
		return;
	}
	brute(m, i + 1, mask, o);
	if (model_valid(m, mask | bit(i))) {
		brute(m, i + 1, mask | bit(i), o);
	}
}

/* The optimum over every valid mask; asked gets how many there are. */
static struct outcome
model_optimum(const struct model *m)
{
	struct outcome o = {0, -1, 0, 0, 0, 0, 0};

	brute(m, 0, 0, &o);
	return o;
}

/* Plain greedy from singles: each dimension's best single, best first, kept when it
 * shrinks what is kept so far. */
static long long
plain_greedy(const struct model *m)
{
	uint64_t cur = 0, used = 0;
	long long cur_metric;

	assert_true(model_measure(m, 0, &cur_metric));
	for (;;) {
		size_t v = SEARCH_MAX;
		long long vm = 0, metric;

		for (size_t i = 0; i < m->n; i++) {
			long long single;

			if ((used & bit(i)) || !model_measure(m, bit(i), &single)) {
				continue;
			}
			if (v == SEARCH_MAX || single < vm) {
				v = i;
				vm = single;
			}
		}
		if (v == SEARCH_MAX) {
			return cur_metric;
		}
		for (size_t i = 0; i < m->n; i++) {
			if (m->dim[i] == m->dim[v]) {
				used |= bit(i);
			}
		}
		if (model_measure(m, cur | bit(v), &metric) && metric < cur_metric) {
			cur |= bit(v);
			cur_metric = metric;
		}
	}
}

/* Measure mask on m and record it in s. */
static void
feed(struct search *s, const struct model *m, uint64_t mask)
{
	long long metric = 0;
	bool ok = model_measure(m, mask, &metric);

	search_record(s, mask, ok, metric);
}

static bool
contains(const uint64_t *v, size_t n, uint64_t mask)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == mask) {
			return true;
		}
	}
	return false;
}

/* Run a search on m until it is done, after recording the masks pre (npre of
 * them). Every batch must hold valid masks never recorded nor asked before, and the
 * budget must hold; results come back in reverse order, as parallel builds might. */
static struct outcome
drive(const struct model *m, size_t budget, const uint64_t *pre, size_t npre)
{
	struct search s;
	uint64_t *seen = xcalloc(1 + npre, sizeof(*seen));
	size_t nseen = 0;
	const uint64_t *batch;
	size_t k;
	struct outcome o;

	search_init(&s, m->n, m->dim, budget);
	if (!m->blind) {
		s.same_build = model_same_build;
		s.same_ctx = (void *)m;
	}
	if (m->growth_limit >= 0) {
		s.growth_limit = (unsigned)m->growth_limit;
	}
	for (size_t i = 0; i <= npre; i++) {
		uint64_t mask = i ? pre[i - 1] : 0;

		feed(&s, m, mask);
		seen[nseen++] = mask;
	}
	while ((k = search_next(&s, &batch))) {
		assert_non_null(batch);
		seen = xreallocarray(seen, nseen + k, sizeof(*seen));
		for (size_t i = 0; i < k; i++) {
			assert_true(model_valid(m, batch[i]));
			assert_false(contains(seen, nseen, batch[i]));
			/* what the search knows is never built: no twin, no profile
			 * it dropped */
			if (!m->blind) {
				assert_int_equal(model_reduce(m, batch[i]), batch[i]);
			}
			assert_false(batch[i] & s.dropped);
			seen[nseen++] = batch[i];
		}
		assert_true(search_asked(&s) <= s.budget);
		for (size_t i = k; i-- > 0;) {
			feed(&s, m, batch[i]);
		}
	}
	assert_string_equal(search_phase(&s), "done");
	assert_int_equal(search_next(&s, &batch), 0);
	o.best = search_best(&s, &o.metric);
	o.asked = search_asked(&s);
	o.built = nseen - 1 - npre;
	o.twins = s.twins;
	o.ruled_out = s.ruled_out;
	o.dropped = s.dropped;
	/* the budget counts what was built and what was known instead */
	assert_int_equal(o.asked, o.built + o.twins + o.ruled_out);
	/* the best is a build, never a twin of one (blind, a twin is the best
	 * when its build was never asked for) */
	if (!m->blind) {
		assert_int_equal(model_reduce(m, o.best), o.best);
	}
	search_release(&s);
	free(seen);
	return o;
}

/* splitmix64: a tiny deterministic generator for the random models. */
static uint64_t
rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static double
rng_range(uint64_t *state, double lo, double hi)
{
	return lo + (hi - lo) * (double)(rng_next(state) >> 11) / 9007199254740992.0;
}

static bool
rng_chance(uint64_t *state, double p)
{
	return rng_range(state, 0, 1) < p;
}

/* How random models are drawn. */
struct model_rates {
	double fail;		/* chance that a profile fails alone */
	double interact;	/* chance that two profiles interact */
	double strength;	/* their factor is 1 +- up to this */
	double fail_pair;	/* chance that two profiles fail together */
};

/* A random model: 3 to 8 dimensions of 1 to 3 profiles, each shrinking by up to 25%
 * or growing by up to 8% alone, with pairwise interactions and failures. */
static struct model *
model_random(uint64_t seed, const struct model_rates *rates)
{
	uint64_t st = seed;
	struct model *m = model_new(100000 + (double)(rng_next(&st) % 900000));
	int ndim = 3 + (int)(rng_next(&st) % 6);

	for (int d = 0; d < ndim; d++) {
		double r = rng_range(&st, 0, 1);
		int k = r < 0.6 ? 1 : r < 0.9 ? 2 : 3;

		for (int j = 0; j < k; j++) {
			size_t i = model_add(m, d, 1 + rng_range(&st, -0.25, 0.08));

			m->fail[i] = rng_chance(&st, rates->fail);
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		for (size_t j = i + 1; j < m->n; j++) {
			if (m->dim[i] == m->dim[j]) {
				continue;
			}
			if (rng_chance(&st, rates->interact)) {
				model_pair(m, i, j,
					   1 + rng_range(&st, -rates->strength, rates->strength));
			}
			m->fail_pair[i][j] = rng_chance(&st, rates->fail_pair);
		}
	}
	return m;
}

static size_t
model_ndim(const struct model *m)
{
	size_t nd = 0;

	for (size_t i = 0; i < m->n; i++) {
		size_t j = 0;

		while (j < i && m->dim[j] != m->dim[i]) {
			j++;
		}
		nd += j == i;
	}
	return nd;
}

static void
test_search_init(void **state)
{
	struct search s;
	const int dim[] = {7, -3, 7, 100, -3, 0};
	long long metric = 0;
	const uint64_t *batch;

	(void)state;
	search_init(&s, 6, dim, 0);
	assert_int_equal(s.ndim, 4);
	/* 4 a dimension, the baseline among them */
	assert_int_equal(s.budget, 15);
	assert_int_equal(s.dim_mask[0], bit(0) | bit(2));
	assert_int_equal(s.dim_mask[1], bit(1) | bit(4));
	assert_string_equal(search_phase(&s), "singles");
	assert_int_equal(search_asked(&s), 0);
	/* nothing recorded: no best */
	assert_int_equal(search_best(&s, &metric), 0);
	assert_int_equal(metric, -1);
	/* invalid masks are ignored */
	search_record(&s, bit(0) | bit(2), true, 1);
	search_record(&s, bit(6), true, 1);
	assert_int_equal(search_best(&s, NULL), 0);
	search_release(&s);

	search_init(&s, 6, dim, 5);
	assert_int_equal(s.budget, 5);
	search_release(&s);

	/* no profiles: nothing to ask */
	search_init(&s, 0, NULL, 0);
	search_record(&s, 0, true, 100);
	assert_int_equal(search_next(&s, &batch), 0);
	assert_null(batch);
	assert_string_equal(search_phase(&s), "done");
	assert_int_equal(search_best(&s, &metric), 0);
	assert_int_equal(metric, 100);
	search_release(&s);
}

static void
test_search_best_breaks_ties(void **state)
{
	struct search s;
	const int dim[] = {0, 1, 2, 3};
	long long metric = 0;

	(void)state;
	search_init(&s, 4, dim, 0);
	search_record(&s, 0, true, 100);
	search_record(&s, bit(0) | bit(1), true, 90);
	assert_int_equal(search_best(&s, &metric), bit(0) | bit(1));
	assert_int_equal(metric, 90);
	/* same metric, fewer profiles */
	search_record(&s, bit(3), true, 90);
	assert_int_equal(search_best(&s, NULL), bit(3));
	/* same metric and count, lower mask */
	search_record(&s, bit(2), true, 90);
	assert_int_equal(search_best(&s, NULL), bit(2));
	search_record(&s, bit(1), false, 10);
	assert_int_equal(search_best(&s, NULL), bit(2));
	/* the best measured again, and failing this time */
	search_record(&s, bit(2), false, 0);
	assert_int_equal(search_best(&s, &metric), bit(3));
	assert_int_equal(metric, 90);
	search_release(&s);
}

/* lto grows alone but shrinks with gc; strip always shrinks; clang or not; -Os or
 * -Oz in one dimension, lto doing better with -Os. */
static void
test_search_finds_interactions(void **state)
{
	struct model *m = model_new(100000);
	size_t gc = model_add(m, 0, 0.95);
	size_t lto = model_add(m, 1, 1.08);
	size_t strip = model_add(m, 2, 0.70);
	size_t clang = model_add(m, 3, 0.98);
	size_t os = model_add(m, 4, 0.91);
	size_t oz = model_add(m, 4, 0.89);
	struct outcome want, got;

	(void)state;
	/* lto and gc together: -20% where lto alone is +8% */
	model_pair(m, gc, lto, 0.80 / 1.08);
	model_pair(m, lto, os, 0.95);
	model_pair(m, clang, strip, 1.01);
	want = model_optimum(m);
	assert_true(want.best & bit(lto));
	assert_true(want.best & bit(gc));
	assert_true(want.best & bit(strip));
	assert_true(want.best & bit(os));
	assert_false(want.best & bit(oz));
	got = drive(m, 0, NULL, 0);
	assert_int_equal(got.metric, want.metric);
	assert_int_equal(got.best, want.best);
	assert_true(got.asked <= 4 * 5);
	free(m);
}

/* Plain greedy from singles keeps -Oz (the better single) and then rejects lto,
 * which only pays off with -Os: the optimum is two steps away from its answer. */
static void
test_search_beats_plain_greedy(void **state)
{
	struct model *m = model_new(500000);
	size_t strip = model_add(m, 0, 0.70);
	size_t os = model_add(m, 1, 0.90);
	size_t oz = model_add(m, 1, 0.88);
	size_t lto = model_add(m, 2, 1.02);
	size_t gc = model_add(m, 3, 0.97);
	struct outcome want, got;

	(void)state;
	model_pair(m, os, lto, 0.85);
	model_pair(m, oz, gc, 0.99);
	want = model_optimum(m);
	assert_int_equal(want.best, bit(strip) | bit(os) | bit(lto) | bit(gc));
	assert_true(plain_greedy(m) > want.metric);
	got = drive(m, 0, NULL, 0);
	assert_int_equal(got.metric, want.metric);
	assert_int_equal(got.best, want.best);
	free(m);
}

/* clang fails to build with lto, and so does lto with -Oz: the optimum takes the
 * worse single -Os to keep lto. */
static void
test_search_avoids_failing_combinations(void **state)
{
	struct model *m = model_new(200000);
	size_t clang = model_add(m, 0, 0.93);
	size_t lto = model_add(m, 1, 0.90);
	size_t os = model_add(m, 2, 0.92);
	size_t oz = model_add(m, 2, 0.90);
	size_t strip = model_add(m, 3, 0.75);
	struct outcome want, got;

	(void)state;
	model_fail_pair(m, clang, lto);
	model_fail_pair(m, lto, oz);
	want = model_optimum(m);
	assert_int_equal(want.best, bit(strip) | bit(os) | bit(lto));
	got = drive(m, 0, NULL, 0);
	assert_int_equal(got.metric, want.metric);
	assert_int_equal(got.best, want.best);
	free(m);
}

/* Cells measured earlier (every single, a few pairs) are never asked for again,
 * and with the singles known the search starts with the greedy walk. */
static void
test_search_skips_recorded_masks(void **state)
{
	struct model *m = model_new(300000);
	uint64_t pre[16];
	size_t npre = 0;
	struct search s;
	const uint64_t *batch;
	struct outcome want, got;

	(void)state;
	model_add(m, 0, 0.95);
	model_add(m, 1, 1.08);
	model_add(m, 2, 0.70);
	model_add(m, 3, 0.90);
	model_add(m, 3, 0.88);
	model_pair(m, 0, 1, 0.80);
	for (size_t i = 0; i < m->n; i++) {
		pre[npre++] = bit(i);
	}
	pre[npre++] = bit(0) | bit(2);
	pre[npre++] = bit(0) | bit(2) | bit(4);
	pre[npre++] = bit(1) | bit(3);
	want = model_optimum(m);
	got = drive(m, 0, pre, npre);
	assert_int_equal(got.metric, want.metric);

	search_init(&s, m->n, m->dim, 0);
	for (size_t i = 0; i <= npre; i++) {
		uint64_t mask = i ? pre[i - 1] : 0;

		feed(&s, m, mask);
	}
	assert_int_equal(search_next(&s, &batch), 1);
	assert_string_equal(search_phase(&s), "greedy");
	assert_false(contains(pre, npre, batch[0]));
	search_release(&s);
	free(m);
}

/* Budget 0 is 4 per dimension less the baseline; a smaller budget cuts even the
 * singles. */
static void
test_search_keeps_the_budget(void **state)
{
	struct model *m = model_new(100000);
	struct search s;
	const uint64_t *batch;
	struct outcome got;
	size_t k;

	(void)state;
	for (int d = 0; d < 6; d++) {
		model_add(m, d * 10 - 20, 0.9 + 0.02 * d);
		model_add(m, d * 10 - 20, 0.95);
	}
	got = drive(m, 0, NULL, 0);
	assert_true(got.asked <= 23);
	/* singles (12) alone fill more than half of it: the search uses what is left */
	assert_true(got.asked > 12);

	got = drive(m, 5, NULL, 0);
	assert_int_equal(got.asked, 5);

	search_init(&s, m->n, m->dim, 3);
	search_record(&s, 0, true, 100000);
	k = search_next(&s, &batch);
	assert_int_equal(k, 3);
	assert_int_equal(batch[0], bit(0));
	assert_int_equal(batch[2], bit(2));
	for (size_t i = 0; i < k; i++) {
		search_record(&s, batch[i], true, 90000);
	}
	assert_int_equal(search_next(&s, &batch), 0);
	assert_string_equal(search_phase(&s), "done");
	search_release(&s);
	free(m);
}

/* When every single fails, nothing is combined and the baseline stays best. */
static void
test_search_every_single_fails(void **state)
{
	struct model *m = model_new(123456);
	struct outcome got;

	(void)state;
	for (int d = 0; d < 4; d++) {
		size_t i = model_add(m, d, 0.9);

		m->fail[i] = true;
	}
	m->fail[model_add(m, 3, 0.8)] = true;
	got = drive(m, 0, NULL, 0);
	assert_int_equal(got.best, 0);
	assert_int_equal(got.metric, 123456);
	assert_int_equal(got.asked, 5);
	free(m);
}

/* The phases follow each other in order; batches of the greedy walk hold one mask,
 * those of the local step at most s.width. */
static void
test_search_walks_the_phases(void **state)
{
	struct model *m = model_new(100000);
	struct search s;
	const uint64_t *batch;
	const char *seen[64];
	size_t nseen = 0, k;

	(void)state;
	model_add(m, 0, 0.95);
	model_add(m, 1, 1.08);
	model_add(m, 2, 0.70);
	model_add(m, 3, 0.90);
	model_add(m, 3, 0.88);
	model_add(m, 4, 1.01);
	model_pair(m, 0, 1, 0.80);
	search_init(&s, m->n, m->dim, 0);
	s.width = 2;
	feed(&s, m, 0);
	while ((k = search_next(&s, &batch))) {
		const char *phase = search_phase(&s);

		if (!strcmp(phase, "greedy")) {
			assert_int_equal(k, 1);
		}
		if (!strcmp(phase, "local")) {
			assert_true(k <= 2);
		}
		if (!nseen || strcmp(seen[nseen - 1], phase)) {
			seen[nseen++] = phase;
		}
		for (size_t i = 0; i < k; i++) {
			feed(&s, m, batch[i]);
		}
	}
	assert_true(nseen >= 3);
	assert_string_equal(seen[0], "singles");
	assert_string_equal(seen[1], "greedy");
	assert_string_equal(seen[2], "local");
	assert_string_equal(search_phase(&s), "done");
	search_release(&s);
	free(m);
}

/* cgu1 implies lto (gcc: -flto -flto-partition=one), so lto+cgu1 is cgu1, byte for
 * byte: the search builds no such twin, knows its result from cgu1's, and takes
 * the decisions it took when it built them (same asked, same best) in fewer
 * builds. */
static void
test_search_builds_no_twin(void **state)
{
	struct model *m = model_new(100000);
	size_t strip = model_add(m, 0, 0.70);
	size_t gc = model_add(m, 1, 0.95);
	size_t lto = model_add(m, 2, 0.93);
	size_t cgu1 = model_add(m, 3, 0.91);
	size_t os = model_add(m, 4, 0.92);
	size_t nosep = model_add(m, 5, 0.96);
	struct outcome want, blind, got;

	(void)state;
	(void)strip;
	(void)nosep;
	m->implies[cgu1] = bit(lto);
	model_pair(m, lto, gc, 0.97);
	model_pair(m, cgu1, gc, 0.96);
	model_pair(m, lto, os, 0.98);
	want = model_optimum(m);
	assert_true(want.best & bit(cgu1));
	assert_false(want.best & bit(lto));
	m->blind = true;
	blind = drive(m, 0, NULL, 0);
	m->blind = false;
	got = drive(m, 0, NULL, 0);
	assert_int_equal(blind.metric, want.metric);
	assert_int_equal(got.metric, want.metric);
	assert_int_equal(got.best, want.best);
	/* 4 of the 23 masks the search asks for are twins */
	assert_int_equal(got.asked, blind.asked);
	assert_int_equal(got.twins, 4);
	assert_int_equal(got.built, blind.built - got.twins);
	assert_int_equal(got.ruled_out, 0);
	free(m);
}

/* A twin whose build is not recorded yet is asked for as that build, and known
 * once it is measured: the greedy walk has a+b and wants c, which implies b, so
 * a+b+c is a+c's build. */
static void
test_search_twin_waits_for_its_build(void **state)
{
	struct search s;
	struct model *m = model_new(1000);
	const uint64_t *batch;
	const struct search_cell *c = NULL;
	size_t a, b, cc, k;

	(void)state;
	a = model_add(m, 0, 0.8);
	b = model_add(m, 1, 0.9);
	cc = model_add(m, 2, 0.95);
	m->implies[cc] = bit(b);
	search_init(&s, m->n, m->dim, 0);
	s.same_build = model_same_build;
	s.same_ctx = m;
	feed(&s, m, 0);
	assert_int_equal(search_next(&s, &batch), 3);
	for (size_t i = 0; i < 3; i++) {
		feed(&s, m, batch[i]);
	}
	/* greedy: a is the best single, so a+b is the first mask */
	assert_int_equal(search_next(&s, &batch), 1);
	assert_int_equal(batch[0], bit(a) | bit(b));
	feed(&s, m, batch[0]);
	k = search_next(&s, &batch);
	assert_int_equal(k, 1);
	assert_int_equal(batch[0], bit(a) | bit(cc));
	assert_int_equal(search_asked(&s), 5);
	feed(&s, m, batch[0]);
	/* the next call knows a+b+c from a+c, at no cost */
	k = search_next(&s, &batch);
	for (size_t i = 0; i < s.ncells; i++) {
		if (s.cells[i].mask == (bit(a) | bit(b) | bit(cc))) {
			c = &s.cells[i];
		}
	}
	assert_non_null(c);
	assert_int_equal(c->how, SEARCH_TWIN);
	assert_int_equal(c->metric, 760);
	assert_int_equal(search_best(&s, NULL), bit(a) | bit(b));
	for (size_t i = 0; i < k; i++) {
		assert_int_equal(model_reduce(m, batch[i]), batch[i]);
	}
	search_release(&s);
	free(m);
}

/* The allocator grows the program by 269% alone and as much with the best set:
 * once the greedy walk has seen that, no further combination is built with it
 * (its single and that one try are the only cells built with it: drive checks
 * the batches), where before the search built 2 more; the optimum is the same. lto grows by 30% alone
 * but shrinks with gc-sections, which the best holds when lto's turn comes: it
 * stays, and is in the optimum. */
static void
test_search_growth_rule(void **state)
{
	struct model *m = model_new(200000);
	size_t strip = model_add(m, 0, 0.70);
	size_t gc = model_add(m, 1, 0.95);
	size_t alloc = model_add(m, 2, 3.69);
	size_t lto = model_add(m, 3, 1.30);
	size_t os = model_add(m, 4, 0.92);
	struct outcome want, all, got;

	(void)state;
	(void)strip;
	model_pair(m, lto, gc, 0.60);
	model_pair(m, alloc, os, 0.99);
	model_pair(m, alloc, gc, 0.98);
	want = model_optimum(m);
	assert_true(want.best & bit(lto));
	assert_false(want.best & bit(alloc));
	/* growth_limit 0 (--stack all): the search as it was */
	m->growth_limit = 0;
	all = drive(m, 0, NULL, 0);
	m->growth_limit = -1;
	got = drive(m, 0, NULL, 0);
	assert_int_equal(all.metric, want.metric);
	assert_int_equal(got.metric, want.metric);
	assert_int_equal(got.best, want.best);
	assert_int_equal(all.dropped, 0);
	assert_int_equal(got.dropped, bit(alloc));
	/* 2 of the 19 masks the search asks for are ruled out */
	assert_int_equal(got.ruled_out, 2);
	assert_int_equal(got.built, all.built - got.ruled_out);
	assert_int_equal(got.asked, all.asked);
	free(m);
}

/* The threshold: a profile that grew alone by less than it, or that grew by
 * more alone but not with the best, stays; one above it both ways is dropped,
 * whatever its dimension. Each cell recorded by hand. */
static void
test_search_growth_threshold(void **state)
{
	struct search s;
	const int dim[] = {0, 1, 2, 3, 3};
	const uint64_t *batch;

	(void)state;
	search_init(&s, 5, dim, 0);
	assert_int_equal(s.growth_limit, SEARCH_GROWTH_LIMIT);
	s.growth_limit = 25;
	search_record(&s, 0, true, 1000);
	search_record(&s, bit(0), true, 700);	/* the best */
	search_record(&s, bit(1), true, 1240);	/* +24% alone */
	search_record(&s, bit(2), true, 1300);	/* +30% alone */
	search_record(&s, bit(3), true, 2000);	/* +100% alone */
	search_record(&s, bit(4), true, 1500);	/* +50% alone, its dimension's other */
	search_record(&s, bit(0) | bit(1), true, 900);	/* +29% with the best */
	search_record(&s, bit(0) | bit(2), true, 860);	/* +23% with the best */
	search_record(&s, bit(0) | bit(3), true, 1400);	/* +100% with the best */
	search_record(&s, bit(0) | bit(4), true, 876);	/* +25.1% with the best */
	/* the singles are all in: the search goes on from them */
	assert_true(search_next(&s, &batch) > 0);
	assert_int_equal(s.dropped, bit(3) | bit(4));
	for (size_t i = 0; i < s.nbatch; i++) {
		assert_false(batch[i] & (bit(3) | bit(4)));
	}
	search_release(&s);

	/* off: nothing dropped */
	search_init(&s, 5, dim, 0);
	s.growth_limit = 0;
	search_record(&s, 0, true, 1000);
	search_record(&s, bit(0), true, 700);
	search_record(&s, bit(3), true, 2000);
	search_record(&s, bit(0) | bit(3), true, 1400);
	for (size_t i = 1; i < 5; i++) {
		search_record(&s, bit(i), true, i == 3 ? 2000 : 1000);
	}
	search_next(&s, &batch);
	assert_int_equal(s.dropped, 0);
	search_release(&s);
}

/* Search runs random models of rates; returns how many of them it found the
 * exact optimum of, after printing that with the masks asked. */
static size_t
random_runs(const char *what, const struct model_rates *rates, size_t runs)
{
	size_t found = 0, asked = 0, most = 0, masks = 0;

	for (size_t r = 0; r < runs; r++) {
		struct model *m = model_random(r + 1, rates);
		size_t nd = model_ndim(m);
		struct outcome want = model_optimum(m);
		struct outcome got = drive(m, 0, NULL, 0);

		assert_true(got.asked <= 4 * nd);
		assert_true(got.metric >= want.metric);
		found += got.metric == want.metric;
		asked += got.asked;
		most = got.asked > most ? got.asked : most;
		masks += want.asked;
		free(m);
	}
	printf("search, %s: exact optimum in %zu of %zu random models (%.1f%%); "
	       "%.1f masks asked on average, at most %zu (of %.1f valid on average)\n",
	       what, found, runs, 100.0 * (double)found / (double)runs,
	       (double)asked / (double)runs, most, (double)masks / (double)runs);
	return found;
}

/* Random models (model_random's), each with a profile that implies another (of
 * another dimension: the model measures the twin as its build) and a lever that
 * grows the metric by 30% to 300% alone and interacts like the others: the search
 * with both rules against the search told of neither. Returns how many optima the
 * rules lost (found blind, not with them); *saved gets the builds they saved. */
static size_t
random_rules(const struct model_rates *rates, size_t runs, size_t *found, size_t *saved)
{
	size_t lost = 0;

	*found = *saved = 0;
	for (size_t r = 0; r < runs; r++) {
		struct model *m = model_random(1000 + r, rates);
		uint64_t st = 77 + r;
		size_t grower, a = m->n - 1;
		struct outcome want, blind, got;

		if (m->dim[a] != m->dim[0]) {
			m->implies[a] = bit(0);
		}
		grower = model_add(m, 1000, 1.3 + rng_range(&st, 0, 2.7));
		for (size_t i = 0; i < grower; i++) {
			if (rng_chance(&st, rates->interact)) {
				model_pair(m, i, grower,
					   1 + rng_range(&st, -rates->strength, rates->strength));
			}
		}
		want = model_optimum(m);
		m->blind = true;
		m->growth_limit = 0;
		blind = drive(m, 0, NULL, 0);
		m->blind = false;
		m->growth_limit = -1;
		got = drive(m, 0, NULL, 0);
		assert_true(got.built <= blind.built);
		*found += got.metric == want.metric;
		lost += blind.metric == want.metric && got.metric != want.metric;
		*saved += blind.built - got.built;
		free(m);
	}
	printf("search, twins and a grower: exact optimum in %zu of %zu random models, %zu lost "
	       "to the rules; %zu builds saved\n",
	       *found, runs, lost, *saved);
	return lost;
}

static void
test_search_random_models_rules(void **state)
{
	const struct model_rates rates = {0.02, 0.1, 0.15, 0.01};
	size_t found, saved;

	(void)state;
	assert_int_equal(random_rules(&rates, 400, &found, &saved), 0);
	assert_true(saved > 0);
}

/* Seeded random models with sparse interactions: the exact optimum in almost all. */
static void
test_search_random_sparse_models(void **state)
{
	const struct model_rates rates = {0, 0.1, 0.15, 0};

	(void)state;
	/* measured: 374 of these 400 (381 with one mask more: before the budget
	 * counted the baseline among its 4 a dimension) */
	assert_true(random_runs("sparse", &rates, 400) >= 370);
}

/* Denser interactions, and profiles failing alone or in pairs: still most. */
static void
test_search_random_models_with_failures(void **state)
{
	const struct model_rates rates = {0.04, 0.15, 0.15, 0.02};

	(void)state;
	/* measured: 363 of these 400 (368 with one mask more) */
	assert_true(random_runs("denser, failures", &rates, 400) >= 358);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_init),
		cmocka_unit_test(test_search_best_breaks_ties),
		cmocka_unit_test(test_search_finds_interactions),
		cmocka_unit_test(test_search_beats_plain_greedy),
		cmocka_unit_test(test_search_avoids_failing_combinations),
		cmocka_unit_test(test_search_skips_recorded_masks),
		cmocka_unit_test(test_search_keeps_the_budget),
		cmocka_unit_test(test_search_every_single_fails),
		cmocka_unit_test(test_search_walks_the_phases),
		cmocka_unit_test(test_search_builds_no_twin),
		cmocka_unit_test(test_search_twin_waits_for_its_build),
		cmocka_unit_test(test_search_growth_rule),
		cmocka_unit_test(test_search_growth_threshold),
		cmocka_unit_test(test_search_random_sparse_models),
		cmocka_unit_test(test_search_random_models_with_failures),
		cmocka_unit_test(test_search_random_models_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
