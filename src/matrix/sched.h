/* sched.h: runs the cells of a plan, several at once, and stops them on Ctrl-C
 * (run->cancel, set by os/signals.c). */
#ifndef OUNCE_SCHED_H
#define OUNCE_SCHED_H

#include <stddef.h>

struct plan;
struct profile;
struct results;
struct run;

/* How many cells the full factorial of profiles v has (profiles of one dimension
 * exclude each other), the baseline not counted; -1 when there are too many to
 * count (more than 20 profiles). */
long long sched_full_cells(struct profile *const *v, size_t n);

/* Build the baseline, then the plan's cells with run->jobs at once, adding cells
 * and rows to res as they finish. Returns 0 when the matrix ran (failed cells are
 * results), 1 when the baseline failed, 128+N when *run->cancel became N (signal N
 * caught), and -1 when ounce itself could not go on (reported). */
int sched_run(struct run *run, struct plan *plan, struct results *res);

#endif
