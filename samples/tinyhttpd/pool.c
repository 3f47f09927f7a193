/* pool.c: fixed-block pool allocator for tinyhttpd (-DTINYHTTPD_POOL).
 *
 * One static arena is split into a few pools, each holding a fixed number of
 * blocks of one size. Free blocks are kept on a per-pool singly linked list
 * threaded through the blocks themselves. An allocation is served from the
 * smallest pool whose blocks are big enough; when that pool is empty it
 * borrows a block from the next larger pool. When nothing fits, it fails.
 * Not thread-safe: tinyhttpd is single-threaded.
 */
#ifdef TINYHTTPD_POOL

#include "pool.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

struct pool {
	size_t block_size;
	size_t count;
	unsigned char *start;
	unsigned char *end;
	void *free_list;
};

/* Block sizes must be multiples of alignof(max_align_t). */
static struct pool pools[] = {
    {64, 16, NULL, NULL, NULL},
    {256, 16, NULL, NULL, NULL},
    {1024, 8, NULL, NULL, NULL},
    {4096, 4, NULL, NULL, NULL},
};

#define NPOOLS (sizeof pools / sizeof pools[0])
#define ARENA_SIZE (64 * 16 + 256 * 16 + 1024 * 8 + 4096 * 4)

static alignas(max_align_t) unsigned char arena[ARENA_SIZE];
static int initialised;

static void
pool_init(void)
{
	unsigned char *p = arena;

	for (size_t i = 0; i < NPOOLS; i++) {
		struct pool *pl = &pools[i];

		pl->start = p;
		pl->free_list = NULL;
		/* Push blocks in reverse so the lowest address is handed out first. */
		for (size_t b = pl->count; b-- > 0;) {
			void *blk = p + b * pl->block_size;

			*(void **)blk = pl->free_list;
			pl->free_list = blk;
		}
		p += pl->count * pl->block_size;
		pl->end = p;
	}
	if (p != arena + sizeof arena) {
		abort(); /* ARENA_SIZE disagrees with the pool table */
	}
	initialised = 1;
}

void *
pool_alloc(size_t n)
{
	if (!initialised) {
		pool_init();
	}
	for (size_t i = 0; i < NPOOLS; i++) {
		struct pool *pl = &pools[i];

		if (n > pl->block_size || pl->free_list == NULL) {
			continue;
		}
		void *blk = pl->free_list;

		pl->free_list = *(void **)blk;
		return blk;
	}
	return NULL;
}

void
pool_free(void *p)
{
	if (p == NULL) {
		return;
	}
	uintptr_t u = (uintptr_t)p;

	for (size_t i = 0; i < NPOOLS; i++) {
		struct pool *pl = &pools[i];

		if (u >= (uintptr_t)pl->start && u < (uintptr_t)pl->end) {
			if ((size_t)(u - (uintptr_t)pl->start) % pl->block_size != 0) {
				abort(); /* not a block start: caller bug */
			}
			*(void **)p = pl->free_list;
			pl->free_list = p;
			return;
		}
	}
	abort(); /* not from this allocator: caller bug */
}

#else

/* Built without TINYHTTPD_POOL: alloc.c uses malloc and this file is empty.
 * The typedef keeps the translation unit non-empty for strict compilers. */
typedef int tinyhttpd_pool_unused;

#endif
