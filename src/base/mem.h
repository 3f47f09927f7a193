/* mem.h: allocators that exit on out-of-memory and check for size overflow, and
 * a simple arena for data that lives as long as a run. */
#ifndef OUNCE_MEM_H
#define OUNCE_MEM_H

#include <stddef.h>

#include "base/log.h"

/* malloc that exits with a message on failure; never returns NULL. */
void *xmalloc(size_t size);
/* calloc that exits on failure or when n * size overflows. */
void *xcalloc(size_t n, size_t size);
/* realloc of n elements of size bytes; exits on overflow or failure. */
void *xreallocarray(void *p, size_t n, size_t size);
/* p with room for at least need elements of size bytes, *cap their count: grows by
 * doubling, so a loop that appends one element at a time copies O(n) in all
 * (realloc by one is quadratic where realloc always moves, as under ASan). */
void *xgrowarray(void *p, size_t *cap, size_t need, size_t size);
/* realloc that exits on failure. Also the name libiberty's demangler calls: with
 * it defined here, the linker never pulls libiberty's own x-allocators, whose
 * xmalloc would clash with ours. */
void *xrealloc(void *p, size_t size);
/* strdup that exits on failure; the copy belongs to the caller. */
char *xstrdup(const char *s);
/* strndup that exits on failure; the copy belongs to the caller. */
char *xstrndup(const char *s, size_t n);
/* Formatted string the caller frees; exits on failure. */
char *xasprintf(const char *fmt, ...) OUNCE_PRINTF(1, 2);

/* An arena: every allocation is freed at once by arena_release. */
struct arena {
	struct arena_block *head;
};
#define ARENA_INIT {NULL}

/* Zeroed memory owned by the arena, aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
/* Copy of s owned by the arena (NULL gives NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* Formatted string owned by the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) OUNCE_PRINTF(2, 3);
/* Free everything the arena owns; it can be used again afterwards. */
void arena_release(struct arena *a);

#endif
