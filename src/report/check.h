/* check.h: what the table checks for you, from the measured cells alone: a cell's
 * interface against its baseline's (ABI), the C library it needs against the
 * target, and the profiles that changed nothing. pick, the stack and the search
 * all ask here, so a saved results.json is judged the same way. */
#ifndef OUNCE_CHECK_H
#define OUNCE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct cell;
struct results;
struct strv;

/* The exported symbols (and SONAMEs) of base's artifacts that c's lack, as
 * "ARTIFACT: NAME" into lost when not NULL; *total gets how many base exports.
 * An artifact of base that c does not have loses all of its exports. Returns the
 * number lost (a changed SONAME counts one). */
size_t check_abi(const struct cell *base, const struct cell *c, struct strv *lost, size_t *total);
/* Why c must not be handed over, or NULL: "abi: N of M exported symbols lost" (unless
 * allow holds "abi"), "needs glibc X, newer than the target Y" (target may be NULL).
 * A static per-thread buffer. */
const char *check_cost(const struct cell *base, const struct cell *c, const struct strv *allow,
                       const char *target);
/* Do a and b have the same artifacts, byte for byte (by their hashes)? */
bool check_same_bytes(const struct cell *a, const struct cell *b);
/* c's profiles that had no effect, into out: the cell of r without the profile
 * (same build, every other profile the same) has byte-identical artifacts, or
 * none of the profile's evidence is in c's artifacts. */
void check_no_effect(const struct results *r, const struct cell *c, struct strv *out);

#endif
