/* heappools.h: `ounce heap pools`: the fixed-block pool layout that serves a
 * traced run with the fewest reserved bytes, for 1..N pools, by an exact dynamic
 * program over the sorted size classes (research/heap.md 7.3). */
#ifndef OUNCE_HEAPPOOLS_H
#define OUNCE_HEAPPOOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct heap_log;

/* How many blocks a pool serving classes i..j needs. */
enum heappools_capacity {
	HEAPPOOLS_JOINT,	/* max over time of the blocks of i..j alive at once: exact */
	HEAPPOOLS_SUM,		/* Σ of each class's own maximum (Drone's): an upper bound */
	/* Σ of each class's blocks alive right after the peak event (heapstats'
	 * peak_event): exact at that moment, and too few at another moment where a
	 * range holds more blocks of its classes */
	HEAPPOOLS_AT_PEAK,
};

/* The size classes of a run and what each range of them needs; owns its arrays. */
struct heappools_classes {
	enum heappools_capacity model;
	size_t m;
	uint64_t *cls;		/* ascending block sizes */
	uint64_t *max_load;	/* per class */
	uint64_t *joint;	/* JOINT: m*m, [i*m+j] for i <= j; else NULL */
	uint64_t *at_peak;	/* AT_PEAK: per class, alive after peak_event; else NULL */
	size_t peak_event;	/* AT_PEAK: counted from 1; 0: the log allocates nothing */
};
#define HEAPPOOLS_CLASSES_INIT {HEAPPOOLS_SUM, 0, NULL, NULL, NULL, NULL, 0}

struct heappools_pool {
	uint64_t block, count;
};

/* How a layout was found. */
enum heappools_method {
	HEAPPOOLS_EXACT,	/* the dynamic program over every start of every pool */
	/* past HEAPPOOLS_EXACT_BUDGET: the same program, each pool's best start
	 * searched by divide and conquer (K·m·log m steps). Exact when the costs have
	 * the quadrangle inequality, as --capacity sum's have (block(j)·Σ max_load
	 * with ascending blocks; at-peak's too, a sum of other counts) while they do
	 * not saturate; joint capacities (at most
	 * HEAPPOOLS_MAX_JOINT classes, so K·m²/2 stays under the budget) are not
	 * proven to have it: there it is the best layout found. */
	HEAPPOOLS_BOUNDED,
};

/* One layout; owns pools. */
struct heappools_layout {
	struct heappools_pool *pools;	/* ascending block */
	size_t npools;
	uint64_t reserved;		/* Σ block·count (saturated) */
	enum heappools_method method;
};

/* The steps (about pools·classes²/2) the exact program may take: 10,000 classes
 * with --pools 64 took 28 s, that is 3.2e9 steps. */
#define HEAPPOOLS_EXACT_BUDGET 5e7

/* Largest class count for which joint capacities are computed; above it
 * heappools_classes falls back to sum and says so. */
#define HEAPPOOLS_MAX_JOINT 256
/* The steps (m²/2 for each distinct live vector at a peak candidate) joint
 * capacities may take; past it heappools_classes falls back to sum and says so
 * (200,000 events over 256 classes took 12 s of CPU before, now 0.9 s). */
#define HEAPPOOLS_JOINT_BUDGET 5e8

/* The classes of log: each request of s > 0 bytes becomes max(min_block,
 * align_up(s, align)); a realloc takes its new block before it gives the old one
 * back (both are alive for a moment). Zero-byte requests need no pool. JOINT
 * becomes SUM (c->model, with a warning) past HEAPPOOLS_MAX_JOINT classes or
 * HEAPPOOLS_JOINT_BUDGET steps. AT_PEAK keeps only the classes alive right
 * after the peak event, each with that count (a pool of none would be empty). */
void heappools_classes(struct heappools_classes *c, const struct heap_log *log, uint64_t align,
		       uint64_t min_block, enum heappools_capacity model);
/* Blocks needed by one pool serving classes i..j (0-based, i <= j < m). */
uint64_t heappools_cap(const struct heappools_classes *c, size_t i, size_t j);
/* The cheapest layouts with at most 1, 2, ..., npools pools: out[k-1] for k,
 * each owned by the caller (heappools_layout_release). With no classes every
 * layout is empty. Returns how they were found: HEAPPOOLS_BOUNDED past the exact
 * program's budget (see enum heappools_method). */
enum heappools_method heappools_solve(const struct heappools_classes *c, size_t npools,
				      struct heappools_layout *out);
/* heappools_solve with budget steps for the exact program instead of
 * HEAPPOOLS_EXACT_BUDGET (0: always the bounded search). */
enum heappools_method heappools_solve_budget(const struct heappools_classes *c, size_t npools,
					     double budget, struct heappools_layout *out);
/* Free what c owns. */
void heappools_classes_release(struct heappools_classes *c);
/* Free what l owns. */
void heappools_layout_release(struct heappools_layout *l);

enum heappools_emit { HEAPPOOLS_EMIT_INI, HEAPPOOLS_EMIT_TOML, HEAPPOOLS_EMIT_C };

/* Parse "ini", "toml" or "c"; false when it is none of those. */
bool heappools_emit_parse(const char *s, enum heappools_emit *out);
/* Append l in form e to out: ounce's INI ([pools], BLOCK = COUNT, read by
 * replay), a Drone [heap.main] TOML section, or a C initializer. */
void heappools_emit(const struct heappools_layout *l, enum heappools_emit e, struct buf *out);

#endif
