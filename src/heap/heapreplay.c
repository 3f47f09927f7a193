/* heapreplay.c: the pool simulator. Pools only count blocks (no addresses are
 * needed): a table from the traced pointer to the pool that served it is enough
 * to give each block back. Failures are recorded and the replay goes on. */
#include "heap/heapreplay.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "heap/heaplog.h"
#include "heap/heappools.h"
#include "base/banned.h"

static int
by_block(const void *a, const void *b)
{
	const struct heapreplay_pool *x = a, *y = b;

	return (x->block > y->block) - (x->block < y->block);
}

/* Serve size bytes for ptr; a failure is recorded against event i. */
static void
take(struct heapreplay *r, struct heaplog_map *owner, const struct heap_event *e, size_t i,
     bool borrow)
{
	size_t home = 0;

	if (!e->size) {
		return;
	}
	r->requests++;
	while (home < r->npools && r->pools[home].block < e->size) {
		home++;
	}
	for (size_t p = home; p < r->npools; p++) {
		struct heapreplay_pool *pool = &r->pools[p];

		if (pool->used < pool->count) {
			uint64_t old;

			pool->used++;
			if (pool->used > pool->hwm) {
				pool->hwm = pool->used;
			}
			if (p != home) {
				pool->borrowed++;
			}
			/* the same address twice with no free: the first block is gone */
			if (heaplog_map_put(owner, e->ptr, p, &old)) {
				r->pools[old].used--;
			}
			uint64_t inuse = 0;

			for (size_t q = 0; q < r->npools; q++) {
				inuse += r->pools[q].used * r->pools[q].block;
			}
			if (inuse > r->peak_used) {
				r->peak_used = inuse;
			}
			return;
		}
		if (!borrow) {
			break;
		}
	}
	r->fails++;
	if (home < r->npools) {
		r->pools[home].fails++;
	} else {
		r->too_large++;
	}
	if (!r->first_event) {
		r->first_event = i + 1;
		r->first_size = e->size;
		r->first_t_us = e->t_us;
	}
}

static void
give_back(struct heapreplay *r, struct heaplog_map *owner, uint64_t ptr)
{
	uint64_t p;

	if (heaplog_map_take(owner, ptr, &p)) {
		r->pools[p].used--;
	}
}

void
heapreplay_run(struct heapreplay *r, const struct heap_log *log,
	       const struct heappools_pool *pools, size_t npools, bool borrow)
{
	struct heaplog_map owner = HEAPLOG_MAP_INIT;

	heapreplay_release(r);
	r->npools = npools;
	r->pools = xcalloc(npools ? npools : 1, sizeof(*r->pools));
	for (size_t i = 0; i < npools; i++) {
		r->pools[i].block = pools[i].block;
		r->pools[i].count = pools[i].count;
		r->reserved += pools[i].block * pools[i].count;
	}
	if (npools > 1) {
		qsort(r->pools, npools, sizeof(*r->pools), by_block);
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct heap_event *e = &log->ev[i];

		switch (e->kind) {
		case HEAP_EV_ALLOC:
			take(r, &owner, e, i, borrow);
			break;
		case HEAP_EV_REALLOC:
			if (e->ptr == e->old) {
				/* in place: the pool that holds it may not fit the new size */
				give_back(r, &owner, e->old);
				take(r, &owner, e, i, borrow);
				break;
			}
			take(r, &owner, e, i, borrow);
			give_back(r, &owner, e->old);
			break;
		case HEAP_EV_FREE:
			give_back(r, &owner, e->ptr);
			break;
		case HEAP_EV_FAIL:
			break;
		}
	}
	heaplog_map_release(&owner);
}

void
heapreplay_release(struct heapreplay *r)
{
	free(r->pools);
	*r = (struct heapreplay)HEAPREPLAY_INIT;
}
