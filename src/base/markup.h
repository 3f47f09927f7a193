/* markup.h: text into XML and HTML (the flame graph's SVG, ounce report's page):
 * markup characters escaped, and what is no XML character replaced. */
#ifndef OUNCE_MARKUP_H
#define OUNCE_MARKUP_H

#include <stddef.h>

struct buf;

/* Length of the UTF-8 sequence at p when XML accepts it as a character (tab and
 * newline included, other controls, broken or overlong UTF-8, surrogates,
 * U+FFFE and U+FFFF not), or 0. */
size_t markup_char_len(const unsigned char *p);
/* Characters in s as markup_escape counts them (a byte of no character is one). */
size_t markup_chars(const char *s);
/* Append at most max characters of s to out: & < > " ' as entities, and each
 * byte that starts no XML character as bad (e.g. "?" or U+FFFD's UTF-8). */
void markup_escape(struct buf *out, const char *s, size_t max, const char *bad);

#endif
