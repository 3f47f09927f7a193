/* search.h: `--strategy search`, the smallest combination of size profiles in few
 * builds. Profiles are indexed 0..n-1 and a configuration is a bit mask over them;
 * profiles of one dimension exclude each other. The search is a state machine free
 * of building: the caller builds the masks it asks for (in parallel if it likes)
 * and records what they measured, lower metric being better. */
#ifndef OUNCE_SEARCH_H
#define OUNCE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most profiles a search handles: one bit each in a uint64_t. */
#define SEARCH_MAX 64

enum search_step {
	SEARCH_SINGLES,	/* every profile alone on the baseline */
	SEARCH_GREEDY,	/* one dimension at a time, best single first */
	SEARCH_LOCAL,	/* one- and two-step changes of the best, likeliest first */
	SEARCH_DONE,
};

/* One recorded mask. */
struct search_cell {
	uint64_t mask;
	long long metric;	/* 0 when the cell failed */
	bool ok;
};

struct search {
	size_t n;			/* profiles */
	size_t ndim;			/* dimensions */
	unsigned char dim[SEARCH_MAX];	/* each profile's dimension, 0..ndim-1 */
	uint64_t dim_mask[SEARCH_MAX];	/* the profiles of each dimension */
	uint64_t alive;			/* profiles the search may add: their single built */
	size_t budget;			/* most masks it may ask for */
	size_t width;			/* most masks in a batch of the local step */
	size_t asked;			/* masks asked for so far */
	enum search_step step;
	bool waiting;			/* the batch of the singles is out */
	struct search_cell *cells;	/* every recorded mask, sorted by mask (owned) */
	size_t ncells, cells_cap;
	uint64_t *batch;		/* the batch last returned (owned) */
	size_t nbatch, batch_cap;
	bool have_best;			/* some recorded mask built */
	uint64_t best;			/* the best of them (0 until then) */
	long long best_metric;		/* its metric (-1 until then) */
	/* the greedy walk: each dimension's best single, best first, and the next */
	unsigned char order[SEARCH_MAX];
	size_t norder, next_order;
};

/* Fill s for n profiles (at most SEARCH_MAX); dim[i] is profile i's dimension id
 * (any ints; equal ids exclude each other). budget: most masks it may ask for
 * beyond the baseline, 0 for 4 per dimension less one (so that with the baseline
 * the search builds at most 4 cells a dimension). The caller may change s->width (most
 * masks per batch after the greedy walk: 4, or one per dimension if more) before
 * searching. */
void search_init(struct search *s, size_t n, const int *dim, size_t budget);
/* Record what the cell of mask measured; ok is false when it failed to build or
 * its smoke test failed (metric is then ignored). Any valid mask at any time, asked
 * for or not (the baseline, mask 0, before the first search_next); the search never
 * asks for a recorded mask. An invalid mask is ignored. */
void search_record(struct search *s, uint64_t mask, bool ok, long long metric);
/* The next batch of masks to build (valid, not recorded, distinct); *batch is
 * owned by s until the next call. Call it once every mask of the previous batch is
 * recorded. Returns the batch size, 0 when the search is over. */
size_t search_next(struct search *s, const uint64_t **batch);
/* The best mask recorded (built, lowest metric; ties: fewer profiles, then lower
 * mask); *metric (when not NULL) gets its metric. Returns 0 with *metric -1 when
 * no recorded mask built. */
uint64_t search_best(const struct search *s, long long *metric);
/* How many masks the search asked for: the sizes of its batches, summed. */
size_t search_asked(const struct search *s);
/* A short static name of the step the search is in, for a progress line:
 * "singles", "greedy", "local" or "done". */
const char *search_phase(const struct search *s);
/* Free what s owns. */
void search_release(struct search *s);

#endif
