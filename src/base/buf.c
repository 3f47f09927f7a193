/* buf.c: growable NUL-terminated strings, used for every string ounce builds. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static void
grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need < b->len) {
		die("size overflow growing a string buffer");
	}
	if (need <= b->cap) {
		return;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need) {
		cap *= 2;
	}
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void
buf_add(struct buf *b, const char *p, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
buf_str(struct buf *b)
{
	return b->s ? b->s : "";
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s) {
		b->s[0] = '\0';
	}
}

char *
buf_detach(struct buf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_release(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void
buf_add_shell_word(struct buf *b, const char *s)
{
	if (*s && !strpbrk(s, " \t\n'\"\\$`;&|<>()*?[]#~{}!")) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'') {
			buf_adds(b, "'\\''");
		} else {
			buf_addc(b, *s);
		}
	}
	buf_addc(b, '\'');
}
