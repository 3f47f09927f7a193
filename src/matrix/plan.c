/* plan.c: strategies as a small state machine, kept free of building so the
 * stacking rules can be tested on made-up numbers. */
#include "matrix/plan.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "config/profile.h"
#include "base/banned.h"

void
plan_init(struct plan *plan, struct profile **v, size_t n)
{
	memset(plan, 0, sizeof(*plan));
	plan->v = v;
	plan->n = n;
	plan->each = plan->cumulative = true;
	plan->stack = xcalloc(n + 1, sizeof(*plan->stack));
	plan->last = -1;
}

char *
plan_cell_name(struct profile *const *v, size_t n)
{
	struct buf b = BUF_INIT;

	if (!n) {
		return xstrdup("baseline");
	}
	for (size_t i = 0; i < n; i++) {
		if (i) {
			buf_addc(&b, '+');
		}
		buf_adds(&b, v[i]->name);
	}
	return buf_detach(&b);
}

struct profile *
plan_stack_next(struct plan *plan, struct profile ***cand, size_t *ncand)
{
	while (plan->next < plan->n) {
		struct profile *p = plan->v[plan->next];

		if (profile_is_security(p) && !plan->allow_security) {
			plan->next++;
			continue;
		}
		plan->stack[plan->nstack] = p;
		*cand = plan->stack;
		*ncand = plan->nstack + 1;
		return p;
	}
	return NULL;
}

bool
plan_stack_record(struct plan *plan, bool ok, long long metric, const char **why)
{
	*why = NULL;
	plan->next++;
	if (!ok) {
		*why = "failed: left out below";
		return false;
	}
	if (!plan->stack_all && plan->last >= 0 && metric > plan->last) {
		*why = "grew: left out below";
		return false;
	}
	plan->nstack++;
	plan->last = metric;
	return true;
}

void
plan_release(struct plan *plan)
{
	free(plan->stack);
	plan->stack = NULL;
}
