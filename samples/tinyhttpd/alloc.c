/* alloc.c: th_alloc/th_free, backed by malloc or by pool.c. */
#include "alloc.h"

#ifdef TINYHTTPD_POOL

#include "pool.h"

void *
th_alloc(size_t n)
{
	return pool_alloc(n ? n : 1);
}

void
th_free(void *p)
{
	pool_free(p);
}

#else

#include <stdlib.h>

void *
th_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

void
th_free(void *p)
{
	free(p);
}

#endif
