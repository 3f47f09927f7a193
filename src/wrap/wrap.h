/* wrap.h: the compiler wrapper's argv rewriting: which step a compiler call is,
 * and where the cell's flags go. Pure functions, so tests need no compiler. */
#ifndef OUNCE_WRAP_H
#define OUNCE_WRAP_H

#include <stdbool.h>
#include <stddef.h>

struct strv;

enum wrap_mode {
	WRAP_INFO,	/* no input: --version, -print-*, -dumpmachine...: left alone */
	WRAP_COMPILE,	/* -c, -S, -E, -M, -MM, or a relocatable link (-r): compile flags */
	WRAP_LINK,	/* anything that links: compile flags, link flags, then libraries */
};

/* Is a compiler option whose value is the next argument (-o, -L, -l, -Xlinker...)? */
bool wrap_takes_value(const char *a);
/* Every option wrap_takes_value knows (*n of them, static), for a wrapper written
 * in another language that must decide as this one does (pick --emit wrapper). */
const char *const *wrap_value_options(size_t *n);
/* Classify the arguments of a compiler call (argv without argv[0]). */
enum wrap_mode wrap_classify(char *const *args, size_t n);
/* Build the real call into out: real, args, then the flags that mode takes
 * (for a call that builds or compiles for a shared library, -shared or -fpic in
 * args, without the flags that would make its code position-dependent). */
void wrap_argv(struct strv *out, const char *real, char *const *args, size_t n,
	       const struct strv *cflags, const struct strv *ldflags, const struct strv *libs);
/* For a link with -o OUT (not under /dev), the flag that makes the linker write
 * its map to OUT.map, for ounce size's components; NULL otherwise. The caller
 * frees the result. */
char *wrap_map_flag(char *const *args, size_t n);
/* Encode a flag list for an environment variable: each flag, with '\\' as "\\\\"
 * and a newline as "\\n", ended by a newline, so wrap_decode gives back exactly
 * the list (empty flags too). The caller frees the result. */
char *wrap_encode(const struct strv *flags);
/* Append the flags of a list wrap_encode made (NULL or empty gives none). */
void wrap_decode(struct strv *out, const char *encoded);

#endif
