/* markup.c: escaping text for XML and HTML, one character at a time, so what a
 * results.json or an ELF file holds (any bytes) never breaks the markup. */
#include "base/markup.h"

#include "base/buf.h"
#include "base/banned.h"

size_t
markup_char_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (*p < 0x80) {
		return (*p >= 0x20 && *p != 0x7f) || *p == '\t' || *p == '\n' ? 1 : 0;
	}
	if (*p >= 0xc2 && *p <= 0xdf) {
		n = 2;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		lo = *p == 0xe0 ? 0xa0 : lo;	/* overlong */
		hi = *p == 0xed ? 0x9f : hi;	/* surrogates */
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		lo = *p == 0xf0 ? 0x90 : lo;
		hi = *p == 0xf4 ? 0x8f : hi;
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi) {
		return 0;
	}
	for (size_t i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf) {
			return 0;
		}
	}
	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe) {
		return 0;	/* U+FFFE and U+FFFF are not XML characters */
	}
	return n;
}

size_t
markup_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p; n++) {
		size_t len = markup_char_len(p);

		p += len ? len : 1;
	}
	return n;
}

void
markup_escape(struct buf *out, const char *s, size_t max, const char *bad)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p && max; max--) {
		size_t len = markup_char_len(p);

		if (!len) {
			buf_adds(out, bad);
			p++;
			continue;
		}
		switch (*p) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&#39;");
			break;
		default:
			buf_add(out, (const char *)p, len);
			break;
		}
		p += len;
	}
}
