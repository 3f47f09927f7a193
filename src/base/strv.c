/* strv.c: argument and environment vectors. Every argv ounce spawns is built here,
 * never as a shell string. */
#include "base/strv.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"

void
strv_push_owned(struct strv *sv, char *s)
{
	sv->v = xgrowarray(sv->v, &sv->cap, sv->n + 2, sizeof(*sv->v));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_push(struct strv *sv, const char *s)
{
	strv_push_owned(sv, xstrdup(s));
}

void
strv_pushv(struct strv *sv, char *const *v)
{
	for (; v && *v; v++) {
		strv_push(sv, *v);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strv_sort(struct strv *sv)
{
	if (sv->n > 1) {
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	}
}

void
strv_extend(struct strv *sv, const struct strv *other)
{
	for (size_t i = 0; i < other->n; i++) {
		strv_push(sv, other->v[i]);
	}
}

void
strv_split(struct strv *sv, const char *s)
{
	while (s && *s) {
		size_t n;

		s += strspn(s, " \t\n\r");
		n = strcspn(s, " \t\n\r");
		if (n) {
			strv_push_owned(sv, xstrndup(s, n));
		}
		s += n;
	}
}

void
strv_split_list(struct strv *sv, const char *s)
{
	while (s && *s) {
		size_t n;

		s += strspn(s, ", \t\n\r");
		n = strcspn(s, ", \t\n\r");
		if (n) {
			strv_push_owned(sv, xstrndup(s, n));
		}
		s += n;
	}
}

int
strv_split_words(struct strv *sv, const char *s, const char **err)
{
	struct buf w = BUF_INIT;
	bool inword = false;

	for (;;) {
		char c = *s;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (inword) {
				strv_push_owned(sv, buf_detach(&w));
				inword = false;
			}
			if (c == '\0') {
				break;
			}
			s++;
			continue;
		}
		inword = true;
		if (c == '\'' || c == '"') {
			const char *end = strchr(s + 1, c);

			if (c == '"') {
				/* inside double quotes a backslash escapes " and \ */
				s++;
				while (*s && *s != '"') {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\')) {
						s++;
					}
					buf_addc(&w, *s++);
				}
				if (*s != '"') {
					buf_release(&w);
					*err = "unterminated double quote";
					return -1;
				}
				s++;
				continue;
			}
			if (!end) {
				buf_release(&w);
				*err = "unterminated single quote";
				return -1;
			}
			buf_add(&w, s + 1, (size_t)(end - s - 1));
			/* an empty '' still makes a word */
			buf_add(&w, "", 0);
			s = end + 1;
			continue;
		}
		if (c == '\\' && s[1]) {
			s++;
		}
		buf_addc(&w, *s++);
	}
	buf_release(&w);
	return 0;
}

bool
strv_has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (!strcmp(sv->v[i], s)) {
			return true;
		}
	}
	return false;
}

char **
strv_array(struct strv *sv)
{
	static char *empty[1] = {NULL};

	return sv->v ? sv->v : empty;
}

void
strv_setenv(struct strv *sv, const char *name, const char *value)
{
	size_t len = strlen(name);
	char *entry = xasprintf("%s=%s", name, value);

	for (size_t i = 0; i < sv->n; i++) {
		if (!strncmp(sv->v[i], name, len) && sv->v[i][len] == '=') {
			free(sv->v[i]);
			sv->v[i] = entry;
			return;
		}
	}
	strv_push_owned(sv, entry);
}

void
strv_unsetenv(struct strv *sv, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sv->n; i++) {
		if (!strncmp(sv->v[i], name, len) && sv->v[i][len] == '=') {
			free(sv->v[i]);
			memmove(sv->v + i, sv->v + i + 1, (sv->n - i) * sizeof(*sv->v));
			sv->n--;
			return;
		}
	}
}

const char *
strv_getenv(const struct strv *sv, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sv->n; i++) {
		if (!strncmp(sv->v[i], name, len) && sv->v[i][len] == '=') {
			return sv->v[i] + len + 1;
		}
	}
	return NULL;
}

char *
strv_join(const struct strv *sv, const char *sep)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sv->n; i++) {
		if (i) {
			buf_adds(&b, sep);
		}
		buf_adds(&b, sv->v[i]);
	}
	return buf_detach(&b);
}

void
strv_release(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		free(sv->v[i]);
	}
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
