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

/* Is s a name that may become a path component as it is (a profile's or a
 * build's: cells/NAME): lowercase letters, digits, '-' and '_', not empty? */
bool conf_name_valid(const char *s);
/* Why label s (a [project] name) cannot be part of a path, or NULL when it can:
 * empty, a '/', a leading '.' (so never ".."), or a control character. */
const char *conf_label_invalid(const char *s);

/* Parse yes/no/true/false/1/0/on/off into *out; false when it is none of those. */
bool conf_bool(const char *value, bool *out);

#endif
