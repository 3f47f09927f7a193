/* budget.h: is a build within its size budgets? Each artifact (and the sum) against
 * its absolute limit and, with an older build, against the growth allowed; then
 * the verdict as a table (text, a Markdown pull-request comment, JSON). */
#ifndef OUNCE_BUDGET_H
#define OUNCE_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct budget_growth;
struct budget_limit;
struct budget_rules;
struct sizein;
struct sizein_artifact;

enum budget_verdict { BUDGET_NONE, BUDGET_OK, BUDGET_OVER };

/* One line of the verdict: an artifact, or the sum over them (BUDGET_TOTAL). */
struct budget_row {
	char *name;
	long long before;	/* -1: nothing to compare with (no older build, or the
				 * artifact is new) */
	long long after;	/* -1: the artifact is gone from the new build */
	const struct budget_limit *limits[2];	/* borrowed from the rules: its own, and
						 * the total's when it is the only one */
	size_t nlimits;
	bool growth;		/* the growth allowance applies to it */
	enum budget_verdict verdict;
	char *why;		/* what is over, NULL when nothing is */
	const char *note;	/* "new" (not in the older build), "gone" (not in the new
				 * one), or NULL */
	const struct sizein_artifact *now, *old;	/* borrowed; NULL for the total */
};

struct budget_check {
	struct budget_row *rows;	/* the artifacts, then the total when there are
					 * several */
	size_t nrows;
	enum budget_verdict verdict;	/* OVER when any row is over; NONE when no row
					 * has a budget */
};
#define BUDGET_CHECK_INIT {NULL, 0, BUDGET_NONE}

/* The growth allowed on before bytes: g's bytes, or g's percent of before rounded
 * down (0 for before 0: anything from nothing is growth past a percent); saturates
 * at UINT64_MAX. */
uint64_t budget_allowed_growth(const struct budget_growth *g, long long before);
/* Judge after against before (-1: none), the limits and the growth allowance g
 * (NULL or unset: none; it applies only with before and after both known). Why
 * it is over goes into why (when not NULL), reasons joined by "; ". */
enum budget_verdict budget_judge(long long before, long long after,
				 const struct budget_limit *const *limits, size_t nlimits,
				 const struct budget_growth *g, struct buf *why);
/* Judge now (and old, NULL when no older build) by rules into out; only (NULL:
 * every artifact) keeps the artifacts of that name or base name. Returns 0, or -1
 * with a message in err (size len) when a command-line limit or only names no
 * artifact of now. */
int budget_evaluate(const struct budget_rules *rules, const struct sizein *now,
		    const struct sizein *old, const char *only, struct budget_check *out,
		    char *err, size_t len);
/* Render c in format "text", "md" (a pull-request comment: the table, then the
 * ten largest symbol changes of each artifact in a <details> block, or why there
 * are none) or "json". */
void budget_render(const struct budget_check *c, const struct budget_rules *rules,
		   const struct sizein *now, const struct sizein *old, const char *format,
		   struct buf *out);
/* Free what c owns. */
void budget_check_release(struct budget_check *c);

#endif
