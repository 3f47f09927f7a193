/* conf.h: INI files (profiles, recipes, ounce.ini) read through inih, with every
 * error reported once as FILE:LINE: error: MESSAGE. */
#ifndef OUNCE_CONF_H
#define OUNCE_CONF_H

#include <stdbool.h>

/* Called for each key; returns NULL to accept it, or an error message that
 * conf_parse reports at the key's line. The message must outlive the call (a
 * string literal, or text kept in ctx). */
typedef const char *(*conf_handler)(void *ctx, const char *section, const char *key,
				    const char *value);

/* Parse path, calling h for every key. A repeated key, or a continuation line
 * (indented), calls h again for the same key. Returns 0, or -1 after reporting
 * the first error (missing file, syntax, or a message from h). */
int conf_parse(const char *path, conf_handler h, void *ctx);

/* Parse yes/no/true/false/1/0/on/off into *out; false when it is none of those. */
bool conf_bool(const char *value, bool *out);

#endif
