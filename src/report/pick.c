/* pick.c: the rules that choose a winner. They read only results (and the profile
 * descriptions recorded in it), so a saved results.json picks the same way. */
#include "report/pick.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/strv.h"
#include "base/units.h"
#include "report/check.h"
#include "report/result.h"
#include "report/speed.h"
#include "base/banned.h"

/* Why c is over r's --max-rss: its peak RSS in the workload (else in its smoke
 * test) above the limit, or not measured; NULL when it is within. */
static const char *
over_rss(const struct results *r, const struct cell *c, char *why, size_t len)
{
	long long rss = c->bench.n ? c->bench.rss_kb : c->peak_rss_kb;
	char limit[32];

	if (r->max_rss_kb <= 0) {
		return NULL;
	}
	if (rss < 0) {
		return "no peak RSS measured (--max-rss)";
	}
	if (rss <= r->max_rss_kb) {
		return NULL;
	}
	snprintf(limit, sizeof(limit), "%s", units_human(r->max_rss_kb * 1024));
	snprintf(why, len, "peak RSS %s, over the --max-rss %s", units_human(rss * 1024), limit);
	return why;
}

const char *
pick_budget(const struct results *r, const struct cell *c)
{
	static _Thread_local char why[256];
	const struct cell *base = results_baseline_of(r, c);
	struct speed_change ch;
	const char *rss = over_rss(r, c, why, sizeof(why));
	bool have;

	if (rss) {
		return rss;
	}
	/* a workload that ran on the baseline and failed in a cell that passed its
	 * smoke test: what the smaller build broke (or, with its artifacts gone,
	 * what cannot be known) */
	if (c->bench.error && !c->bench.n && base && base->bench.n) {
		snprintf(why, sizeof(why), "%s", c->bench.error);
		return why;
	}
	if (!r->slowdown_limit || c == base) {
		return NULL;
	}
	have = speed_change(base, c, &ch);
	switch (speed_judge(have ? &ch : NULL, r->max_slowdown)) {
	case SPEED_WITHIN:
		return NULL;
	case SPEED_UNKNOWN:
		snprintf(why, sizeof(why), "%s not benchmarked: --max-slowdown cannot judge it",
			 c->bench.n ? "its baseline was" : "it was");
		break;
	case SPEED_OVER:
		if (ch.by_instructions) {
			snprintf(why, sizeof(why), "%+.1f%% instructions, over the %g%% "
						   "--max-slowdown",
				 ch.pct, r->max_slowdown);
		} else if (ch.runs > 1) {
			snprintf(why, sizeof(why), "%+.1f%% CPU (runs %+.1f%%..%+.1f%%), over the "
						   "%g%% --max-slowdown",
				 ch.pct, ch.lo, ch.hi, r->max_slowdown);
		} else {
			snprintf(why, sizeof(why), "%+.1f%% CPU, over the %g%% --max-slowdown",
				 ch.pct, r->max_slowdown);
		}
		break;
	case SPEED_UNCERTAIN:
		snprintf(why, sizeof(why), "uncertain: %+.1f%% CPU, its runs %+.1f%%..%+.1f%% "
					   "straddle the %g%% --max-slowdown",
			 ch.pct, ch.lo, ch.hi, r->max_slowdown);
		break;
	}
	return why;
}

const char *
pick_excluded(const struct results *r, const struct cell *c, const char *metric,
	      const struct strv *allow)
{
	static _Thread_local char why[256];

	if (c->status != CELL_OK) {
		snprintf(why, sizeof(why), "status %s", cell_status_name(c->status));
		return why;
	}
	if (c->smoke == SMOKE_FAIL) {
		return "smoke test failed";
	}
	if (cell_metric(c, metric) < 0) {
		snprintf(why, sizeof(why), "no '%s' measure", metric);
		return why;
	}
	const char *cost = check_cost(results_baseline_of(r, c), c, allow, r->target_glibc);

	if (cost) {
		return cost;
	}
	for (size_t i = 0; i < c->profiles.n; i++) {
		const struct result_profile *p = results_profile(r, c->profiles.v[i]);
		const char *t = p ? p->tradeoff : "none";

		if (!strcmp(t, "security") && !(allow && strv_has(allow, "security"))) {
			snprintf(why, sizeof(why), "profile '%s' trades away security",
				 c->profiles.v[i]);
			return why;
		}
	}
	return pick_budget(r, c);
}

const struct cell *
pick_best(const struct results *r, const char *metric, const struct strv *allow)
{
	return pick_best_in(r, metric, allow, NULL);
}

/* How a cell ranks among cells of the same size: reproducible first, then not
 * repeated, then not reproducible (two builds from scratch gave other bytes). */
static int
repro_rank(const struct cell *c)
{
	if (c->reproducible == CELL_REPRO_YES) {
		return 0;
	}
	return c->reproducible == CELL_REPRO_UNKNOWN ? 1 : 2;
}

/* Does c beat best (v and best_v their metric values)? */
static bool
better(const struct cell *c, long long v, const struct cell *best, long long best_v)
{
	if (!best || v != best_v) {
		return !best || v < best_v;
	}
	if (repro_rank(c) != repro_rank(best)) {
		return repro_rank(c) < repro_rank(best);
	}
	return c->profiles.n < best->profiles.n;
}

/* Is c a candidate of build (NULL: any)? */
static bool
candidate(const struct results *r, const struct cell *c, const char *metric,
	  const struct strv *allow, const char *build)
{
	return (!build || (c->build && !strcmp(c->build, build))) &&
	       !pick_excluded(r, c, metric, allow);
}

const struct cell *
pick_best_in(const struct results *r, const char *metric, const struct strv *allow,
	     const char *build)
{
	const struct cell *best = NULL;
	long long best_v = -1;

	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *c = r->cells[i];
		long long v;

		if (!candidate(r, c, metric, allow, build)) {
			continue;
		}
		v = cell_metric(c, metric);
		if (better(c, v, best, best_v)) {
			best = c;
			best_v = v;
		}
	}
	return best;
}

const struct cell *
pick_passed_over(const struct results *r, const struct cell *win, const char *metric,
		 const struct strv *allow, const char *build)
{
	long long v = cell_metric(win, metric);

	if (win->reproducible == CELL_REPRO_NO) {
		return NULL;
	}
	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *c = r->cells[i];

		if (c != win && c->reproducible == CELL_REPRO_NO &&
		    candidate(r, c, metric, allow, build) && cell_metric(c, metric) == v) {
			return c;
		}
	}
	return NULL;
}
