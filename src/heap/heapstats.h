/* heapstats.h: `ounce heap stats`: per-size maximum load and totals (Drone's
 * table), the true peak of live bytes and the counts, in one pass over a log;
 * what was live at the peak moment, per size, in a second pass up to it. */
#ifndef OUNCE_HEAPSTATS_H
#define OUNCE_HEAPSTATS_H

#include <stddef.h>
#include <stdint.h>

struct heap_log;

/* One row: requests of this size (rounded up to the alignment). */
struct heapstats_size {
	uint64_t size;
	uint64_t max_load;	/* most blocks alive at once */
	uint64_t total;		/* blocks handed out */
	uint64_t cur;		/* alive now (at exit, once the pass is done) */
	uint64_t at_peak;	/* alive right after the peak event (heapstats_at_peak) */
	uint64_t at_peak_bytes;	/* their requested bytes: the rows sum to peak_bytes */
};

/* The figures of one log; owns sizes. A realloc that moves counts as free(old)
 * then alloc(new) in one step, as Drone counts it. */
struct heapstats {
	struct heapstats_size *sizes;	/* ascending size */
	size_t nsizes;
	uint64_t align;
	uint64_t allocations;	/* blocks handed out, reallocs' new blocks included */
	uint64_t frees;		/* blocks given back, reallocs' old blocks included */
	uint64_t reallocs;	/* realloc calls, of every kind */
	uint64_t failed;	/* requests that returned NULL */
	uint64_t unknown_frees;	/* frees and reallocs of a pointer never allocated */
	uint64_t peak_bytes;	/* most requested bytes alive at once */
	size_t peak_event;	/* the event (counted from 1) that reached it; 0: none */
	uint64_t peak_t_us;
	uint64_t drone_bytes;	/* Σ size·max_load: an upper bound on the peak */
	uint64_t live_blocks, live_bytes;	/* alive at exit */
	size_t events;
	uint64_t peak_blocks;	/* alive right after peak_event (heapstats_at_peak) */
};
#define HEAPSTATS_INIT {NULL, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* Compute st from log, sizes rounded up to align (0 or 1: exact sizes). */
void heapstats_compute(struct heapstats *st, const struct heap_log *log, uint64_t align);
/* Fill each row's at_peak and at_peak_bytes, and peak_blocks: the blocks alive
 * right after event peak_event, by a second pass over its first peak_event
 * events; st comes from heapstats_compute on the same log. */
void heapstats_at_peak(struct heapstats *st, const struct heap_log *log);
/* Free what st owns. */
void heapstats_release(struct heapstats *st);

#endif
