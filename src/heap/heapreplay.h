/* heapreplay.h: `ounce heap replay`: a traced run replayed against a fixed-block
 * pool layout, to see whether (and where) it would have run out. */
#ifndef OUNCE_HEAPREPLAY_H
#define OUNCE_HEAPREPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_log;
struct heappools_pool;

struct heapreplay_pool {
	uint64_t block, count;
	uint64_t used, hwm;	/* blocks in use now, and at most */
	uint64_t borrowed;	/* blocks it lent to requests a smaller pool could not serve */
	uint64_t fails;		/* requests that fitted here first and were not served */
};

/* The outcome; owns pools. */
struct heapreplay {
	struct heapreplay_pool *pools;	/* ascending block */
	size_t npools;
	uint64_t requests;	/* allocations tried (zero-byte ones need no pool) */
	uint64_t fails;		/* of which not served */
	uint64_t too_large;	/* of which larger than every block */
	size_t first_event;	/* the first that failed, counted from 1; 0: none */
	uint64_t first_size, first_t_us;
	uint64_t peak_used;	/* most block bytes in use at once */
	uint64_t reserved;	/* Σ block·count */
};
#define HEAPREPLAY_INIT {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* Replay log against the npools pools (any order; blocks must differ). A request
 * goes to the smallest fitting pool with a free block; a full pool fails it, or,
 * with borrow, passes it to the next larger pool. A realloc takes its new block
 * before it gives the old one back. A failed request is assumed to have been
 * served by other means: its later free is ignored. */
void heapreplay_run(struct heapreplay *r, const struct heap_log *log,
		    const struct heappools_pool *pools, size_t npools, bool borrow);
/* Free what r owns. */
void heapreplay_release(struct heapreplay *r);

#endif
