/* search.h: `--strategy search`, the smallest combination of size profiles in few
 * builds. Profiles are indexed 0..n-1 and a configuration is a bit mask over them;
 * profiles of one dimension exclude each other. The search is a state machine free
 * of building: the caller builds the masks it asks for (in parallel if it likes)
 * and records what they measured, lower metric being better. What the search
 * already knows costs no build: a mask that is the same build as one recorded (a
 * profile in it implies another: same_build) is known from that one, and a
 * profile that grew the metric by more than growth_limit alone and in the best
 * set is not built in further combinations. Both still count against the budget
 * where the search would have asked for them, so it takes the same decisions in
 * fewer builds. */
#ifndef OUNCE_SEARCH_H
#define OUNCE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most profiles a search handles: one bit each in a uint64_t. */
#define SEARCH_MAX 64
/* The growth rule's threshold, percent: a profile whose cell grew the metric by
 * more than this alone and in the best set is not combined further. Measured
 * (bench/search_saved.sh): no profile in the optimum of a full factorial grew more
 * than 0.3% alone (os on tinyhttpd, -21.7% in its optimum); bundled allocators
 * grew 146% (jemalloc, the generated project), 2668% (tinyhttpd's pool, by ram)
 * and 269% (a real project). clang at -O2 grew the generated project by 66.5%
 * alone, yet by 22.6% on the optimum (9.1% on gc+os+nosep, with -Oz): it
 * stays in play, as a compiler changes every other profile's flags. */
#define SEARCH_GROWTH_LIMIT 25

enum search_step {
	SEARCH_SINGLES,	/* every profile alone on the baseline */
	SEARCH_GREEDY,	/* one dimension at a time, best single first */
	SEARCH_LOCAL,	/* one- and two-step changes of the best, likeliest first */
	SEARCH_DONE,
};

/* How a recorded mask came to be known. */
enum search_how {
	SEARCH_BUILT,		/* measured: recorded by the caller */
	SEARCH_TWIN,		/* the same build as a recorded mask: its result */
	SEARCH_RULED_OUT,	/* holds a profile the growth rule dropped: not built */
};

/* One recorded mask. */
struct search_cell {
	uint64_t mask;
	long long metric;	/* 0 when the cell failed or was ruled out */
	bool ok;
	enum search_how how;
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
	/* the mask of the build mask is: mask less the profiles others in it
	 * imply (NULL: every mask is a build of its own) */
	uint64_t (*same_build)(void *ctx, uint64_t mask);
	void *same_ctx;
	unsigned growth_limit;		/* percent; 0: the growth rule is off */
	uint64_t dropped;		/* profiles the growth rule keeps out */
	size_t twins;			/* masks known as the same build as another */
	size_t ruled_out;		/* masks not built for a dropped profile */
	uint64_t *pending;		/* twins whose build is in the batch out (owned) */
	size_t npending, pending_cap;
};

/* Fill s for n profiles (at most SEARCH_MAX); dim[i] is profile i's dimension id
 * (any ints; equal ids exclude each other). budget: most masks it may ask for
 * beyond the baseline, 0 for 4 per dimension less one (so that with the baseline
 * the search builds at most 4 cells a dimension). The caller may change s->width (most
 * masks per batch after the greedy walk: 4, or one per dimension if more) before
 * searching, and set same_build and same_ctx. The growth rule is on, at
 * SEARCH_GROWTH_LIMIT; growth_limit 0 turns it off. */
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
/* How many masks the search decided about, the budget's count: the sizes of its
 * batches, summed, and the masks it knew without a build (s->twins) or ruled out
 * (s->ruled_out) where it would have asked for them. */
size_t search_asked(const struct search *s);
/* A short static name of the step the search is in, for a progress line:
 * "singles", "greedy", "local" or "done". */
const char *search_phase(const struct search *s);
/* Free what s owns. */
void search_release(struct search *s);

#endif
