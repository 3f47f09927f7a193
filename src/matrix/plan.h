/* plan.h: which cells a strategy builds. "each" is every profile alone on the
 * baseline; "cumulative" stacks profiles in order, and a profile that fails (or,
 * unless stacking all, makes the metric worse) is left out of the rows after it,
 * so the stack depends on results as they come in. */
#ifndef OUNCE_PLAN_H
#define OUNCE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

struct profile;

struct plan {
	struct profile **v;	/* the selected profiles, in stack order (borrowed) */
	size_t n;
	bool each, cumulative;
	bool search;		/* search for the smallest combination (search.h) */
	bool full;		/* every combination */
	bool stack_all;		/* keep a profile that builds even when it grows the metric */
	bool allow_security;	/* stack security trade-offs too */
	struct profile **stack;	/* profiles kept in the stack so far */
	size_t nstack;
	size_t next;		/* index in v of the next profile to try */
	long long last;		/* metric of the last kept stack row (the baseline's at first) */
};

/* Fill plan for profiles v (borrowed, n of them); the caller sets the flags. */
void plan_init(struct plan *plan, struct profile **v, size_t n);
/* The name of the cell built from profiles v: "baseline", or names joined with '+';
 * the caller frees it. */
char *plan_cell_name(struct profile *const *v, size_t n);
/* The next stack row: *cand (owned by plan, valid until the next call) gets the
 * kept profiles plus the next one, whose profile is returned; NULL when the stack
 * is done. Profiles the stack never takes (security, unless allowed) are skipped. */
struct profile *plan_stack_next(struct plan *plan, struct profile ***cand, size_t *ncand);
/* Record the result of the row plan_stack_next gave: built (and passed its smoke
 * test) or not, and its metric. Returns true when the profile stays in the stack;
 * *why gets a static reason when it does not. */
bool plan_stack_record(struct plan *plan, bool ok, long long metric, const char **why);
/* Free what plan owns. */
void plan_release(struct plan *plan);

#endif
