/* sched.c: the matrix scheduler. Each cell is independent, so up to run->jobs of
 * them build at once on worker threads (every subprocess still goes through
 * spawn.c). The cumulative stack is a chain: its next row is known only when the
 * row before it has a result, so the chain's cells jump the queue. */
#include "sched.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "log.h"
#include "mem.h"
#include "plan.h"
#include "profile.h"
#include "project.h"
#include "recipe.h"
#include "result.h"
#include "run.h"
#include "table.h"
#include "banned.h"

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

volatile sig_atomic_t *
sched_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return &interrupted;
}

int
sched_signal(void)
{
	return interrupted;
}

struct task {
	struct cell *cell;
	struct profile **profiles;	/* owned copy */
	size_t n;
	bool done;
};

struct sched {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct run *run;
	struct plan *plan;
	struct results *res;
	struct task **tasks;	/* every task, in creation order */
	size_t ntasks;
	size_t *queue;		/* indexes into tasks not yet started */
	size_t nqueue;
	int running;
	struct task *chain;	/* the stack row the chain waits for, or NULL */
	struct profile *chain_p;	/* the profile that row adds */
	bool chain_done;
	int failed;		/* ounce itself failed */
	size_t finished;
	long long base;		/* baseline metric */
};

/* The name of the cell for profiles v in the build being run: a build other
 * than the default has its name in front ("dev:strip+gc"). */
static char *
cell_name(const struct sched *s, struct profile *const *v, size_t n)
{
	char *plain = plan_cell_name(v, n), *name;

	if (s->run->default_build) {
		return plain;
	}
	name = xasprintf("%s:%s", s->run->build->name, plain);
	free(plain);
	return name;
}

static struct task *
find_task(struct sched *s, const char *name)
{
	for (size_t i = 0; i < s->ntasks; i++) {
		if (!strcmp(s->tasks[i]->cell->name, name)) {
			return s->tasks[i];
		}
	}
	return NULL;
}

static struct task *
add_task(struct sched *s, struct profile *const *v, size_t n, bool front)
{
	struct task *t = xcalloc(1, sizeof(*t));
	char *name = cell_name(s, v, n);

	t->cell = cell_new(name);
	free(name);
	t->profiles = xcalloc(n + 1, sizeof(*t->profiles));
	memcpy(t->profiles, v, n * sizeof(*v));
	t->n = n;
	for (size_t i = 0; i < n; i++) {
		strv_push(&t->cell->profiles, v[i]->name);
	}
	s->tasks = xreallocarray(s->tasks, s->ntasks + 1, sizeof(*s->tasks));
	s->tasks[s->ntasks++] = t;
	s->queue = xreallocarray(s->queue, s->nqueue + 1, sizeof(*s->queue));
	if (front) {
		memmove(s->queue + 1, s->queue, s->nqueue * sizeof(*s->queue));
		s->queue[0] = s->ntasks - 1;
	} else {
		s->queue[s->nqueue] = s->ntasks - 1;
	}
	s->nqueue++;
	results_add_cell(s->res, t->cell);
	return t;
}

static bool
usable(const struct cell *c)
{
	return c->status == CELL_OK;
}

/* Move the cumulative chain on as far as results allow. Called with mu held. */
static void
advance_chain(struct sched *s)
{
	while (!s->chain_done) {
		struct profile **cand;
		size_t n;

		if (s->chain) {
			const char *why;
			char *label;

			if (!s->chain->done) {
				return;
			}
			plan_stack_record(s->plan, usable(s->chain->cell),
					  cell_metric(s->chain->cell, s->run->metric), &why);
			label = xasprintf("+ %s", s->chain_p->name);
			results_add_row(s->res, s->chain->cell->name, "cumulative", label, why);
			free(label);
			s->chain = NULL;
		}
		if (interrupted) {
			s->chain_done = true;
			return;
		}
		s->chain_p = plan_stack_next(s->plan, &cand, &n);
		if (!s->chain_p) {
			s->chain_done = true;
			return;
		}
		char *name = cell_name(s, cand, n);
		s->chain = find_task(s, name);
		free(name);
		if (!s->chain) {
			s->chain = add_task(s, cand, n, true);
		}
	}
}

static void
report(struct sched *s, const struct cell *c)
{
	s->finished++;
	if (c->status == CELL_OK || c->status == CELL_SMOKE_FAILED) {
		info("[%zu] %s: %lld bytes (%s)%s", s->finished, c->name, c->m.bytes,
		     table_percent(c->m.bytes, s->base),
		     c->status == CELL_SMOKE_FAILED ? ", smoke test FAILED" : "");
	} else {
		info("[%zu] %s: %s: %s", s->finished, c->name, cell_status_name(c->status),
		     c->reason ? c->reason : "");
	}
}

static void *
worker(void *arg)
{
	struct sched *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct task *t;

		advance_chain(s);
		if (interrupted || s->failed) {
			break;
		}
		if (!s->nqueue) {
			if (!s->running && s->chain_done) {
				break;
			}
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		t = s->tasks[s->queue[0]];
		memmove(s->queue, s->queue + 1, (s->nqueue - 1) * sizeof(*s->queue));
		s->nqueue--;
		s->running++;
		pthread_mutex_unlock(&s->mu);

		int rc = build_cell(s->run, t->cell, t->profiles, t->n);

		pthread_mutex_lock(&s->mu);
		s->running--;
		t->done = true;
		if (rc < 0) {
			s->failed = 1;
		}
		report(s, t->cell);
		pthread_cond_broadcast(&s->cv);
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int
sched_run(struct run *run, struct plan *plan, struct results *res)
{
	struct sched s;
	struct cell *base;
	pthread_t *th;
	int n = run->jobs > 0 ? run->jobs : 1, rc = 0;
	char *bname;

	memset(&s, 0, sizeof(s));
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	s.run = run;
	s.plan = plan;
	s.res = res;
	bname = cell_name(&s, NULL, 0);
	base = cell_new(bname);
	results_add_cell(res, base);
	results_set_baseline(res, run->build->name, bname);
	if (run->default_build || !res->baseline) {
		free(res->baseline);
		res->baseline = xstrdup(bname);
	}
	results_add_row(res, bname, "baseline", "baseline", NULL);
	free(bname);
	info("building the %s baseline of '%s' (%s)", run->build->name, run->project->name,
	     run->recipe->name);
	if (build_cell(run, base, NULL, 0) < 0) {
		return -1;
	}
	s.base = base->m.bytes;
	report(&s, base);
	if (interrupted) {
		return 128 + interrupted;
	}
	if (base->status != CELL_OK) {
		error("the baseline build of '%s' failed: %s (log: %s)", run->project->name,
		      base->reason ? base->reason : cell_status_name(base->status),
		      base->log ? base->log : "none");
		return 1;
	}
	if (!res->toolchain) {
		res->toolchain = xstrdup(base->settings.toolchain);
	}
	plan->last = cell_metric(base, run->metric);
	if (plan->each) {
		for (size_t i = 0; i < plan->n; i++) {
			struct task *t = add_task(&s, &plan->v[i], 1, false);

			results_add_row(res, t->cell->name, "each", plan->v[i]->name, NULL);
		}
	}
	s.chain_done = !plan->cumulative;
	th = xcalloc((size_t)n, sizeof(*th));
	for (int i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, worker, &s) != 0) {
			die("cannot start a worker thread");
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
	}
	free(th);
	for (size_t i = 0; i < s.ntasks; i++) {
		struct cell *c = s.tasks[i]->cell;

		if (c->status == CELL_PENDING) {
			c->status = CELL_INTERRUPTED;
			c->reason = xstrdup("not built: the run was interrupted");
		}
		free(s.tasks[i]->profiles);
		free(s.tasks[i]);
	}
	free(s.tasks);
	free(s.queue);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
	if (s.failed) {
		rc = -1;
	} else if (interrupted) {
		rc = 128 + interrupted;
	}
	return rc;
}
