/* mem.c: the x-allocators (the only code that checks malloc) and the arena used
 * for data loaded once per run: profiles, recipes, the plan. */
#include "base/mem.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void
oom(size_t size)
{
	die("out of memory allocating %zu bytes", size);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		oom(size);
	}
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		die("size overflow allocating %zu elements of %zu bytes", n, size);
	}
	p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		oom(n * size);
	}
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size) {
		die("size overflow allocating %zu elements of %zu bytes", n, size);
	}
	q = realloc(p, n * size != 0 ? n * size : 1);
	if (!q) {
		oom(n * size);
	}
	return q;
}

void *
xgrowarray(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap;

	if (need <= n) {
		return p;
	}
	n = n < 8 ? 8 : n <= SIZE_MAX / 2 ? n * 2 : SIZE_MAX;
	if (n < need) {
		n = need;
	}
	p = xreallocarray(p, n, size);
	*cap = n;
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	return xreallocarray(p, size, 1);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static char *
vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		die("cannot format string '%s'", fmt);
	}
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vformat(fmt, ap);
	va_end(ap);
	return p;
}

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_BLOCK 16384

void *
arena_alloc(struct arena *a, size_t size)
{
	size_t align = alignof(max_align_t);
	size_t need;
	struct arena_block *b = a->head;

	if (size > SIZE_MAX - align) {
		die("size overflow in arena allocation of %zu bytes", size);
	}
	need = (size + align - 1) / align * align;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;

		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	size_t n;
	char *p;

	if (!s) {
		return NULL;
	}
	n = strlen(s);
	p = arena_alloc(a, n + 1);
	memcpy(p, s, n + 1);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *tmp, *p;

	va_start(ap, fmt);
	tmp = vformat(fmt, ap);
	va_end(ap);
	p = arena_strdup(a, tmp);
	free(tmp);
	return p;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}
