/* buf.h: the one growable string type. */
#ifndef OUNCE_BUF_H
#define OUNCE_BUF_H

#include <stddef.h>

#include "base/log.h"

struct buf {
	char *s;	/* always NUL-terminated once anything was added */
	size_t len, cap;
};
#define BUF_INIT {NULL, 0, 0}

/* Append n bytes of p. */
void buf_add(struct buf *b, const char *p, size_t n);
/* Append a C string. */
void buf_adds(struct buf *b, const char *s);
/* Append one character. */
void buf_addc(struct buf *b, char c);
/* Append formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...) OUNCE_PRINTF(2, 3);
/* Append s as one word a POSIX shell reads back as s: bare when nothing in it is
 * special to the shell, else in single quotes (a quote inside as '\''). */
void buf_add_shell_word(struct buf *b, const char *s);
/* The contents as a C string (never NULL), borrowed from b. */
const char *buf_str(struct buf *b);
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Hand the string over to the caller (who frees it) and leave b empty. */
char *buf_detach(struct buf *b);
/* Free what the buffer owns. */
void buf_release(struct buf *b);

#endif
