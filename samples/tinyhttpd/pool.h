/* pool.h: a fixed-block pool allocator over a static arena.
 * Only compiled in when TINYHTTPD_POOL is defined. */
#ifndef TINYHTTPD_POOL_H
#define TINYHTTPD_POOL_H

#include <stddef.h>

/* Returns a block of at least n bytes, or NULL when no pool can serve it. */
void *pool_alloc(size_t n);
/* Returns a block obtained from pool_alloc; NULL is ignored. */
void pool_free(void *p);

#endif
