/* strv.h: NULL-terminated vectors of owned strings, for argv and envp. */
#ifndef OUNCE_STRV_H
#define OUNCE_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct strv {
	char **v;	/* NULL-terminated once anything was pushed */
	size_t n, cap;
};
#define STRV_INIT {NULL, 0, 0}

/* Append a copy of s. */
void strv_push(struct strv *sv, const char *s);
/* Append s, taking ownership of it. */
void strv_push_owned(struct strv *sv, char *s);
/* Append copies of every string of a NULL-terminated array. */
void strv_pushv(struct strv *sv, char *const *v);
/* Append copies of every element of other. */
void strv_extend(struct strv *sv, const struct strv *other);
/* Sort the strings in byte order. */
void strv_sort(struct strv *sv);
/* Split s on blanks and append the words (no quoting; flags lists). */
void strv_split(struct strv *sv, const char *s);
/* Split a list separated by commas and/or blanks ("a,b c, d") and append the items. */
void strv_split_list(struct strv *sv, const char *s);
/* Split s like a shell word list: blanks separate, '...' and "..." quote and
 * backslash escapes, with no expansion of any kind. Returns -1 and sets *err to a
 * static message on an unterminated quote. */
int strv_split_words(struct strv *sv, const char *s, const char **err);
/* True when sv holds s. */
bool strv_has(const struct strv *sv, const char *s);
/* The NULL-terminated array (never NULL), borrowed from sv. */
char **strv_array(struct strv *sv);
/* Set or replace NAME=VALUE in an environment vector. */
void strv_setenv(struct strv *sv, const char *name, const char *value);
/* Remove NAME=... from an environment vector, if there. */
void strv_unsetenv(struct strv *sv, const char *name);
/* Value of NAME in an environment vector, or NULL. */
const char *strv_getenv(const struct strv *sv, const char *name);
/* Join with sep into a string the caller frees. */
char *strv_join(const struct strv *sv, const char *sep);
/* Free the strings and the vector. */
void strv_release(struct strv *sv);

#endif
