/* search.c: --strategy search as a state machine. The singles give each profile's
 * effect; a greedy walk then tries one dimension at a time on the best; the local
 * step asks for the one- and two-step changes of the best most likely to beat it,
 * a few at a time, until the budget of asked masks is spent. A mask the search
 * wants passes through want(): a twin of a recorded mask is known, a mask with a
 * profile the growth rule dropped is ruled out, and neither is built. */
#include "matrix/search.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/banned.h"

#define NOT_FOUND ((size_t)-1)

/* One way to change one dimension of the best. */
struct change {
	uint64_t value;		/* the dimension's new member, 0 for none */
	size_t dim;
	long long delta;	/* what it moves the metric by, measured or estimated */
	size_t far;		/* profiles the cells delta comes from differ from the best by */
};

/* A mask to ask for, and how likely it is to beat the best: lower is likelier. */
struct candidate {
	double score;
	uint64_t mask;
};

static uint64_t
bit(size_t i)
{
	return (uint64_t)1 << i;
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

/* Whether (ma, a) is better than (mb, b): lower metric, then fewer profiles, then
 * lower mask. */
static bool
better(long long ma, uint64_t a, long long mb, uint64_t b)
{
	if (ma != mb) {
		return ma < mb;
	}
	if (popcount(a) != popcount(b)) {
		return popcount(a) < popcount(b);
	}
	return a < b;
}

static bool
valid(const struct search *s, uint64_t mask)
{
	if (s->n < SEARCH_MAX && mask >> s->n) {
		return false;
	}
	for (size_t d = 0; d < s->ndim; d++) {
		if (popcount(mask & s->dim_mask[d]) > 1) {
			return false;
		}
	}
	return true;
}

/* Index in s->cells of mask; else NOT_FOUND, and *at (when not NULL) gets where it
 * would go. */
static size_t
find(const struct search *s, uint64_t mask, size_t *at)
{
	size_t lo = 0, hi = s->ncells;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->cells[mid].mask == mask) {
			return mid;
		}
		if (s->cells[mid].mask < mask) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (at) {
		*at = lo;
	}
	return NOT_FOUND;
}

static const struct search_cell *
lookup(const struct search *s, uint64_t mask)
{
	size_t i = find(s, mask, NULL);

	return i == NOT_FOUND ? NULL : &s->cells[i];
}

static bool
recorded(const struct search *s, uint64_t mask)
{
	return find(s, mask, NULL) != NOT_FOUND;
}

static void
recompute_best(struct search *s)
{
	s->have_best = false;
	s->best = 0;
	s->best_metric = -1;
	for (size_t i = 0; i < s->ncells; i++) {
		const struct search_cell *c = &s->cells[i];

		if (c->ok &&
		    (!s->have_best || better(c->metric, c->mask, s->best_metric, s->best))) {
			s->have_best = true;
			s->best = c->mask;
			s->best_metric = c->metric;
		}
	}
}

static void
batch_add(struct search *s, uint64_t mask)
{
	s->batch = xgrowarray(s->batch, &s->batch_cap, s->nbatch + 1, sizeof(*s->batch));
	s->batch[s->nbatch++] = mask;
}

/* Cut the batch to what the budget has left; returns its size. */
static size_t
cut_batch(struct search *s)
{
	size_t left = s->budget - s->asked;

	if (s->nbatch > left) {
		s->nbatch = left;
	}
	return s->nbatch;
}

void
search_init(struct search *s, size_t n, const int *dim, size_t budget)
{
	int ids[SEARCH_MAX];

	memset(s, 0, sizeof(*s));
	s->n = n < SEARCH_MAX ? n : SEARCH_MAX;
	for (size_t i = 0; i < s->n; i++) {
		size_t d = 0;

		while (d < s->ndim && ids[d] != dim[i]) {
			d++;
		}
		if (d == s->ndim) {
			ids[s->ndim++] = dim[i];
		}
		s->dim[i] = (unsigned char)d;
		s->dim_mask[d] |= bit(i);
	}
	/* the baseline is one of the 4 builds a dimension may cost */
	s->budget = budget ? budget : s->ndim ? 4 * s->ndim - 1 : 0;
	/* measured on random models: batches of 1 to 8 find the optimum as often
	 * (greedy has done the sequential part), so let builds run side by side */
	s->width = s->ndim > 4 ? s->ndim : 4;
	s->step = SEARCH_SINGLES;
	s->best_metric = -1;
	s->growth_limit = SEARCH_GROWTH_LIMIT;
}

/* Record mask, known in the way how. */
static void
record(struct search *s, uint64_t mask, bool ok, long long metric, enum search_how how)
{
	size_t at = 0;
	size_t i;

	if (!ok) {
		metric = 0;
	}
	i = find(s, mask, &at);
	if (i == NOT_FOUND) {
		s->cells = xgrowarray(s->cells, &s->cells_cap, s->ncells + 1, sizeof(*s->cells));
		memmove(&s->cells[at + 1], &s->cells[at], (s->ncells - at) * sizeof(*s->cells));
		s->ncells++;
		i = at;
	}
	s->cells[i] = (struct search_cell){mask, metric, ok, how};
	if (s->have_best && s->best == mask) {
		/* measured again, perhaps worse: the best may now be another mask */
		recompute_best(s);
	} else if (ok && (!s->have_best || better(metric, mask, s->best_metric, s->best))) {
		s->have_best = true;
		s->best = mask;
		s->best_metric = metric;
	}
}

void
search_record(struct search *s, uint64_t mask, bool ok, long long metric)
{
	if (valid(s, mask)) {
		record(s, mask, ok, metric, SEARCH_BUILT);
	}
}

/* The build mask is (itself without a same_build). */
static uint64_t
build_of(const struct search *s, uint64_t mask)
{
	return s->same_build ? s->same_build(s->same_ctx, mask) & mask : mask;
}

static bool
in_batch(const struct search *s, uint64_t mask)
{
	for (size_t i = 0; i < s->nbatch; i++) {
		if (s->batch[i] == mask) {
			return true;
		}
	}
	return false;
}

/* The step wants mask (valid, not recorded) measured; each such mask counts
 * against the budget, as before either rule. A mask with a dropped profile is
 * ruled out. A twin (its build is another mask) is known once that build is:
 * at once when it is recorded, after the batch when it is in it (or put there
 * now, standing for the twin: then it is no build saved, and not counted in
 * s->twins). Anything else goes into the batch. */
static void
want(struct search *s, uint64_t mask)
{
	uint64_t b = build_of(s, mask);

	if (s->asked + s->nbatch >= s->budget) {
		return;
	}
	if (mask & s->dropped) {
		record(s, mask, false, 0, SEARCH_RULED_OUT);
		s->ruled_out++;
		s->asked++;
		return;
	}
	if (b == mask) {
		if (!in_batch(s, mask)) {
			batch_add(s, mask);
		} else {
			/* put there for a twin of it: that twin needed no build */
			s->twins++;
			s->asked++;
		}
		return;
	}
	if (recorded(s, b)) {
		const struct search_cell *c = lookup(s, b);

		record(s, mask, c->ok, c->metric, SEARCH_TWIN);
		s->twins++;
		s->asked++;
		return;
	}
	s->pending = xgrowarray(s->pending, &s->pending_cap, s->npending + 1, sizeof(*s->pending));
	s->pending[s->npending++] = mask;
	if (in_batch(s, b)) {
		s->twins++;
		s->asked++;
	} else {
		/* built as b: a build, as the twin would have been */
		batch_add(s, b);
	}
}

/* The twins whose build the last batch measured: known now. */
static void
resolve_pending(struct search *s)
{
	for (size_t i = 0; i < s->npending; i++) {
		const struct search_cell *c = lookup(s, build_of(s, s->pending[i]));

		if (c && !recorded(s, s->pending[i])) {
			record(s, s->pending[i], c->ok, c->metric, SEARCH_TWIN);
		}
	}
	s->npending = 0;
}

/* Did metric grow over ref by more than pct percent? */
static bool
grew(long long metric, long long ref, unsigned pct)
{
	return ref > 0 && (metric - ref) * 100 > ref * (long long)pct;
}

/* The growth rule: a profile that grew the metric by more than growth_limit
 * alone and in the best set so far (the best with it, against the best) is
 * dropped: the search builds it in no further combination. A lever that pays
 * only in company (lto with gc-sections) shrinks, or grows a little, in the
 * best set; and the greedy walk tries the dimensions whose single grew last,
 * on a best that holds every lever that shrank. */
static void
drop_growers(struct search *s)
{
	const struct search_cell *base = lookup(s, 0);

	if (!s->growth_limit || !s->have_best || !base || !base->ok) {
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct search_cell *one = lookup(s, bit(i)), *with;

		if (!(s->alive & bit(i)) || (s->dropped | s->best) & bit(i) || !one || !one->ok ||
		    !grew(one->metric, base->metric, s->growth_limit)) {
			continue;
		}
		with = lookup(s, (s->best & ~s->dim_mask[s->dim[i]]) | bit(i));
		if (with && with->ok && with->how != SEARCH_RULED_OUT &&
		    grew(with->metric, s->best_metric, s->growth_limit)) {
			s->dropped |= bit(i);
		}
	}
}

/* The profile of dimension d that measured least alone among those that built, or
 * NOT_FOUND. */
static size_t
best_single(const struct search *s, size_t d)
{
	size_t v = NOT_FOUND;
	long long vm = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct search_cell *c;

		if (!(s->alive & s->dim_mask[d] & bit(i))) {
			continue;
		}
		c = lookup(s, bit(i));
		if (v == NOT_FOUND || c->metric < vm) {
			v = i;
			vm = c->metric;
		}
	}
	return v;
}

/* Ask for every single not recorded yet; once they are in, keep the profiles that
 * built alone (the others are left out of the search) and order the dimensions
 * for the greedy walk by their best single. */
static size_t
step_singles(struct search *s)
{
	long long key[SEARCH_MAX];

	if (!s->waiting) {
		for (size_t i = 0; i < s->n; i++) {
			if (!recorded(s, bit(i))) {
				batch_add(s, bit(i));
			}
		}
		if (cut_batch(s)) {
			s->waiting = true;
			return s->nbatch;
		}
	}
	s->waiting = false;
	for (size_t i = 0; i < s->n; i++) {
		const struct search_cell *c = lookup(s, bit(i));

		if (c && c->ok) {
			s->alive |= bit(i);
		}
	}
	for (size_t d = 0; d < s->ndim; d++) {
		size_t v = best_single(s, d);
		size_t j;

		if (v == NOT_FOUND) {
			continue;
		}
		key[d] = lookup(s, bit(v))->metric;
		/* insertion sort; equal metrics keep the dimensions' order */
		for (j = s->norder; j > 0 && key[s->dim[s->order[j - 1]]] > key[d]; j--) {
			s->order[j] = s->order[j - 1];
		}
		s->order[j] = (unsigned char)v;
		s->norder++;
	}
	s->step = SEARCH_GREEDY;
	return 0;
}

/* One mask at a time: the best so far with the next dimension set to its best
 * single. A dimension whose single grew is tried too: it may shrink with what the
 * best holds (LTO with gc-sections). */
static size_t
step_greedy(struct search *s)
{
	while (s->next_order < s->norder) {
		size_t v = s->order[s->next_order++];
		uint64_t cand = (s->best & ~s->dim_mask[s->dim[v]]) | bit(v);

		if (cand == s->best || recorded(s, cand)) {
			continue;
		}
		want(s, cand);
		if (s->nbatch || s->asked >= s->budget) {
			return cut_batch(s);
		}
	}
	s->step = SEARCH_LOCAL;
	return 0;
}

/* What value measured alone against the baseline (0 for none, or when unknown). */
static long long
effect(const struct search *s, uint64_t value)
{
	const struct search_cell *base = lookup(s, 0);
	const struct search_cell *c = value ? lookup(s, value) : NULL;

	return c && c->ok && base && base->ok ? c->metric - base->metric : 0;
}

/* What setting dimension d of the best from member from to value to moves the
 * metric by, as measured on the recorded pair of cells differing only by that
 * change that is nearest the best (the singles at worst); *far gets how many
 * profiles that pair differs from the best by elsewhere. */
static long long
estimate(const struct search *s, size_t d, uint64_t from, uint64_t to, size_t *far)
{
	uint64_t dm = s->dim_mask[d];
	size_t nearest = popcount(s->best & ~dm);
	long long delta = effect(s, to) - effect(s, from);

	for (size_t i = 0; i < s->ncells; i++) {
		const struct search_cell *x = &s->cells[i], *y;
		size_t dist;

		if (!x->ok || (x->mask & dm) != from) {
			continue;
		}
		dist = popcount((x->mask ^ s->best) & ~dm);
		if (dist >= nearest) {
			continue;
		}
		y = lookup(s, (x->mask & ~dm) | to);
		if (y && y->ok) {
			nearest = dist;
			delta = y->metric - x->metric;
		}
	}
	*far = nearest;
	return delta;
}

/* The one-step changes of the best, but those measured to fail: a dimension set to
 * another profile that built alone, or to none. Returns how many, into out. */
static size_t
changes(const struct search *s, struct change *out)
{
	size_t k = 0;

	for (size_t d = 0; d < s->ndim; d++) {
		uint64_t member = s->best & s->dim_mask[d];
		uint64_t rest = s->best & ~s->dim_mask[d];
		uint64_t values = s->dim_mask[d] & s->alive & ~member;
		bool none = member != 0;

		/* every other value, then none when the best has a member here */
		while (values || none) {
			uint64_t value = values & -values;
			const struct search_cell *c = lookup(s, rest | value);

			if (value) {
				values &= values - 1;
			} else {
				none = false;
			}
			if (c && !c->ok) {
				continue;
			}
			out[k].value = value;
			out[k].dim = d;
			out[k].delta = estimate(s, d, member, value, &out[k].far);
			k++;
		}
	}
	return k;
}

/* How likely the change of the best that moves the metric by delta (estimated,
 * with var the number of unknown interactions in that estimate) is to beat it:
 * z*|z| for z = delta / sqrt(var), so that no square root is needed. */
static double
score(long long delta, size_t var)
{
	double d = (double)delta;

	return d * (d < 0 ? -d : d) / (double)(var ? var : 1);
}

static void
candidate_add(struct candidate **v, size_t *n, size_t *cap, double sc, uint64_t mask)
{
	*v = xgrowarray(*v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct candidate){sc, mask};
}

static int
candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->score != y->score) {
		return x->score < y->score ? -1 : 1;
	}
	return x->mask < y->mask ? -1 : x->mask > y->mask;
}

/* The next few masks one or two changes away from the best, not recorded, most
 * likely to beat it first. A change's effect is its estimate; two changes add up,
 * plus one unknown interaction between them. Likeliness is the predicted gain over
 * its uncertainty: a change measured near the best is trusted more than one known
 * only from the singles, so a change that grew the metric alone gets tried where
 * the best has what it may interact with. Deeper combinations and whole
 * neighbourhoods per batch found the optimum less often within the budget. */
static size_t
step_local(struct search *s)
{
	struct change ch[2 * SEARCH_MAX];
	struct candidate *cand = NULL;
	size_t nch, ncand = 0, cap = 0;

	if (!s->have_best) {
		s->step = SEARCH_DONE;
		return 0;
	}
	nch = changes(s, ch);
	for (size_t i = 0; i < nch; i++) {
		uint64_t one = (s->best & ~s->dim_mask[ch[i].dim]) | ch[i].value;

		if (!recorded(s, one)) {
			candidate_add(&cand, &ncand, &cap, score(ch[i].delta, ch[i].far), one);
		}
		for (size_t j = i + 1; j < nch; j++) {
			uint64_t two;

			if (ch[j].dim == ch[i].dim) {
				continue;
			}
			two = (one & ~s->dim_mask[ch[j].dim]) | ch[j].value;
			if (!recorded(s, two)) {
				/* one more unknown: how the two changes interact */
				size_t var = ch[i].far + ch[j].far + 1;

				candidate_add(&cand, &ncand, &cap,
					      score(ch[i].delta + ch[j].delta, var), two);
			}
		}
	}
	if (ncand) {
		qsort(cand, ncand, sizeof(*cand), candidate_cmp);
	}
	for (size_t i = 0; i < ncand && i < (s->width ? s->width : 1); i++) {
		want(s, cand[i].mask);
	}
	free(cand);
	if (!ncand) {
		s->step = SEARCH_DONE;
		return 0;
	}
	/* none to build when every one was known or ruled out: the next round
	 * ranks the candidates again with that known */
	return cut_batch(s);
}

size_t
search_next(struct search *s, const uint64_t **batch)
{
	size_t k = 0;

	s->nbatch = 0;
	resolve_pending(s);
	while (!k && s->step != SEARCH_DONE) {
		/* (again each round: the singles step makes profiles alive) */
		drop_growers(s);
		if (s->asked >= s->budget) {
			s->step = SEARCH_DONE;
			break;
		}
		switch (s->step) {
		case SEARCH_SINGLES:
			k = step_singles(s);
			break;
		case SEARCH_GREEDY:
			k = step_greedy(s);
			break;
		case SEARCH_LOCAL:
			k = step_local(s);
			break;
		case SEARCH_DONE:
			break;
		}
	}
	s->asked += k;
	*batch = k ? s->batch : NULL;
	return k;
}

uint64_t
search_best(const struct search *s, long long *metric)
{
	if (metric) {
		*metric = s->have_best ? s->best_metric : -1;
	}
	return s->have_best ? s->best : 0;
}

size_t
search_asked(const struct search *s)
{
	return s->asked;
}

const char *
search_phase(const struct search *s)
{
	static const char *const names[] = {
		[SEARCH_SINGLES] = "singles",
		[SEARCH_GREEDY] = "greedy",
		[SEARCH_LOCAL] = "local",
		[SEARCH_DONE] = "done",
	};

	return names[s->step];
}

void
search_release(struct search *s)
{
	free(s->cells);
	free(s->batch);
	free(s->pending);
	s->cells = NULL;
	s->batch = NULL;
	s->pending = NULL;
	s->ncells = s->cells_cap = s->nbatch = s->batch_cap = 0;
	s->npending = s->pending_cap = 0;
}
