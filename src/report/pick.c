/* pick.c: the rules that choose a winner. They read only results (and the profile
 * descriptions recorded in it), so a saved results.json picks the same way. */
#include "report/pick.h"

#include <stdio.h>
#include <string.h>

#include "base/strv.h"
#include "report/check.h"
#include "report/result.h"
#include "base/banned.h"

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
	return NULL;
}

const struct cell *
pick_best(const struct results *r, const char *metric, const struct strv *allow)
{
	return pick_best_in(r, metric, allow, NULL);
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

		if (build && (!c->build || strcmp(c->build, build))) {
			continue;
		}
		if (pick_excluded(r, c, metric, allow)) {
			continue;
		}
		v = cell_metric(c, metric);
		if (!best || v < best_v || (v == best_v && c->profiles.n < best->profiles.n)) {
			best = c;
			best_v = v;
		}
	}
	return best;
}
