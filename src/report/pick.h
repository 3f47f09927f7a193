/* pick.h: choose the winning cell of a run by a metric, within the trade-offs the
 * user allows. */
#ifndef OUNCE_PICK_H
#define OUNCE_PICK_H

#include <stddef.h>

struct cell;
struct results;
struct strv;

/* The smallest cell by metric among those that built and passed their smoke test
 * (or had none), leaving out cells with a profile whose trade-off is security
 * unless allow holds "security", cells that changed the baseline's ABI unless it
 * holds "abi", and cells that need a newer glibc than r->target_glibc. Ties go to
 * fewer profiles (so a profile that changed nothing is not handed over), then to
 * the earlier cell. Returns NULL when no cell qualifies. */
const struct cell *pick_best(const struct results *r, const char *metric,
			     const struct strv *allow);
/* pick_best among the cells of one build (NULL: every cell). */
const struct cell *pick_best_in(const struct results *r, const char *metric,
				const struct strv *allow, const char *build);
/* Why cell c cannot win (NULL when it can), in a static per-thread buffer. */
const char *pick_excluded(const struct results *r, const struct cell *c, const char *metric,
			  const struct strv *allow);

#endif
