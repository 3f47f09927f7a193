/* demangle.c: one demangler for the size reports and the heap's frames. */
#include "base/demangle.h"

#include <ctype.h>
#include <stdbool.h>
#include <libiberty/demangle.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/banned.h"

char *
demangle(const char *raw)
{
	char *d = cplus_demangle(raw, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);

	return d ? d : xstrdup(raw);
}

/* Is the '<' at s[i] the start of template or generic arguments: after a name
 * (a letter, digit, '_', or "::"), and not part of an operator's name? */
static bool
opens_arguments(const char *s, size_t i)
{
	size_t k = i;

	if (i == 0) {
		return false;
	}
	if (i >= 2 && s[i - 1] == ':' && s[i - 2] == ':') {
		return true;
	}
	if (!isalnum((unsigned char)s[i - 1]) && s[i - 1] != '_') {
		return false;
	}
	while (k > 0 && (isalnum((unsigned char)s[k - 1]) || s[k - 1] == '_')) {
		k--;
	}
	return !(i - k == 8 && !strncmp(s + k, "operator", 8));
}

char *
demangle_shorten(const char *name)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++) {
		if (name[i] == '<' && opens_arguments(name, i)) {
			size_t depth = 0, j = i;

			for (; j < n; j++) {
				depth += name[j] == '<';
				depth -= name[j] == '>';
				if (!depth) {
					break;
				}
			}
			if (j < n) {
				buf_adds(&b, "<...>");
				i = j;
				continue;
			}
		}
		buf_addc(&b, name[i]);
	}
	return buf_detach(&b);
}
