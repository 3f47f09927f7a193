/* alloc.h: tinyhttpd's allocator switch.
 *
 * Every heap allocation in tinyhttpd goes through these wrappers. By default
 * they are system malloc/free; compiled with -DTINYHTTPD_POOL they use the
 * fixed-block pool in pool.c instead.
 */
#ifndef TINYHTTPD_ALLOC_H
#define TINYHTTPD_ALLOC_H

#include <stddef.h>

/* Returns NULL when no memory is available; n == 0 is treated as 1. */
void *th_alloc(size_t n);
/* NULL is accepted and ignored. */
void th_free(void *p);

#endif
