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
 * holds "abi", cells that need a newer glibc than r->target_glibc, and cells
 * over the run-time budget (pick_budget: --max-slowdown, --max-rss). Ties go to
 * a reproducible cell (--repeat: built again from scratch, the same bytes), then
 * to one not repeated, before one that is not reproducible; then to fewer
 * profiles (so a profile that changed nothing is not handed over), then to the
 * earlier cell. Returns NULL when no cell qualifies. */
const struct cell *pick_best(const struct results *r, const char *metric,
			     const struct strv *allow);
/* pick_best among the cells of one build (NULL: every cell). */
const struct cell *pick_best_in(const struct results *r, const char *metric,
				const struct strv *allow, const char *build);
/* A cell that could win (of build; NULL: any) with win's size by metric but is
 * not reproducible, which win (the winner pick_best_in chose) was preferred to;
 * NULL when there is none, or win is not reproducible itself. */
const struct cell *pick_passed_over(const struct results *r, const struct cell *win,
				    const char *metric, const struct strv *allow,
				    const char *build);
/* Why cell c is over r's run-time budget (NULL when it is within, or there is
 * none), in a static per-thread buffer: its peak RSS (of the workload, else of the
 * smoke test) above r->max_rss_kb; more than r->max_slowdown percent slower than
 * its baseline, by instructions when both were counted, else by median CPU time,
 * "uncertain: ..." when the spread of its CPU times straddles the budget (left out
 * too: it may be over); not benchmarked. Budget or not, a cell whose workload
 * failed (or could not run: its bench.error without a run) where it ran on the
 * baseline. */
const char *pick_budget(const struct results *r, const struct cell *c);
/* Why cell c cannot win (NULL when it can), in a static per-thread buffer. */
const char *pick_excluded(const struct results *r, const struct cell *c, const char *metric,
			  const struct strv *allow);

#endif
