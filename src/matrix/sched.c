/* sched.c: the matrix scheduler. Each cell is independent, so up to run->jobs of
 * them build at once on worker threads (every subprocess still goes through
 * spawn.c). The cumulative stack is a chain: its next row is known only when the
 * row before it has a result, so the chain's cells jump the queue. */
#include "matrix/sched.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/units.h"
#include "config/profile.h"
#include "config/project.h"
#include "config/recipe.h"
#include "matrix/bench.h"
#include "matrix/build.h"
#include "matrix/plan.h"
#include "matrix/run.h"
#include "matrix/search.h"
#include "os/clock.h"
#include "os/fsutil.h"
#include "os/jobserver.h"
#include "report/check.h"
#include "report/pick.h"
#include "report/result.h"
#include "report/table.h"
#include "base/banned.h"

/* The signal that stopped the run (run->cancel, which os/signals.c's handler sets
 * in ounce), or 0. */
static int
stop_signal(const struct run *run)
{
	return run->cancel ? *run->cancel : 0;
}

struct task {
	struct cell *cell;
	struct profile **profiles;	/* owned copy */
	size_t n;
	struct task *from;	/* the task whose artifact this one starts from, or NULL */
	bool started, done;
	bool slot;		/* holds one of the run's -j build slots */
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
	int running;		/* cells holding a build slot (building, measuring) */
	int busy;		/* cells a worker is on (those, and smoke tests) */
	bool yield;		/* a cell's smoke test gives its build slot back */
	int alive;		/* worker threads still in their loop */
	struct task *chain;	/* the stack row the chain waits for, or NULL */
	struct profile *chain_p;	/* the profile that row adds */
	bool speculated;	/* the row after it is queued, or need not be */
	bool chain_done;
	struct profile **noops;	/* stack profiles that changed no byte where added */
	size_t nnoops;
	struct search *search;	/* --strategy search, or NULL */
	struct profile **sv;	/* the profiles the search combines (its bit i is sv[i]) */
	size_t sn;
	struct task **sbatch;	/* the search's batch being built */
	uint64_t *smask;
	size_t nsbatch;
	bool search_done;
	bool make_sources;	/* queue the source cell a post-link cell starts from */
	int failed;		/* ounce itself failed */
	size_t finished;
	long long base;		/* baseline metric */
	struct jobserver *js;	/* the make jobserver ounce runs under, or NULL */
	double t0;		/* when the run started */
	const char *current;	/* the cell started last, for the progress line */
	double saved;		/* when save_progress last wrote results.json */
	bool saving;		/* a worker is writing it */
	bool save_failed;	/* it could not: reported once, not tried again */
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

static void
enqueue(struct sched *s, size_t index, bool front)
{
	s->queue = xreallocarray(s->queue, s->nqueue + 1, sizeof(*s->queue));
	if (front) {
		memmove(s->queue + 1, s->queue, s->nqueue * sizeof(*s->queue));
		s->queue[0] = index;
	} else {
		s->queue[s->nqueue] = index;
	}
	s->nqueue++;
}

/* The task of the cell of profiles v, made (and queued, at the front when front is
 * set) unless it exists. With reuse on, a cell whose profiles include some that only
 * add post-link steps (or, for Cargo, link arguments: build_derives) starts from the
 * cell without them: one that exists, or, for a
 * search or the full factorial (which ask for both sooner or later), one queued
 * first. */
static struct task *
add_task(struct sched *s, struct profile *const *v, size_t n, bool front)
{
	char *name = cell_name(s, v, n);
	struct task *t = find_task(s, name), *from = NULL;

	if (t) {
		free(name);
		if (front && !t->started) {
			for (size_t i = 0; i < s->nqueue; i++) {
				if (s->tasks[s->queue[i]] == t) {
					size_t index = s->queue[i];

					memmove(s->queue + 1, s->queue, i * sizeof(*s->queue));
					s->queue[0] = index;
					break;
				}
			}
		}
		return t;
	}
	if (s->run->reuse && n) {
		struct profile **kept = xcalloc(n + 1, sizeof(*kept));
		size_t nk = 0;

		for (size_t i = 0; i < n; i++) {
			if (!build_derives(s->run, v[i])) {
				kept[nk++] = v[i];
			}
		}
		if (nk < n && s->make_sources) {
			from = add_task(s, kept, nk, front);
		} else if (nk < n) {
			/* a source that is a cell anyway; else a build of this cell costs
			 * no more than one of its source, and one step less on the chain */
			char *source = cell_name(s, kept, nk);

			from = find_task(s, source);
			free(source);
		}
		free(kept);
	}
	t = xcalloc(1, sizeof(*t));
	t->cell = cell_new(name);
	free(name);
	t->profiles = xcalloc(n + 1, sizeof(*t->profiles));
	if (n) {
		memcpy(t->profiles, v, n * sizeof(*v));
	}
	t->n = n;
	t->from = from;
	for (size_t i = 0; i < n; i++) {
		strv_push(&t->cell->profiles, v[i]->name);
	}
	s->tasks = xreallocarray(s->tasks, s->ntasks + 1, sizeof(*s->tasks));
	s->tasks[s->ntasks++] = t;
	enqueue(s, s->ntasks - 1, front);
	results_add_cell(s->res, t->cell);
	return t;
}

/* What keeps a cell that built from being handed over (an ABI change, a glibc
 * newer than the target), or NULL. */
static const char *
cost_of(const struct sched *s, const struct cell *c)
{
	return c->status == CELL_OK && s->ntasks && c != s->tasks[0]->cell
		       ? check_cost(s->tasks[0]->cell, c, &s->run->allow, s->run->target_glibc)
		       : NULL;
}

static bool
usable(const struct sched *s, const struct cell *c)
{
	return c->status == CELL_OK && !cost_of(s, c);
}

/* Is p among the m profiles of w? */
static bool
has_profile(struct profile *const *w, size_t m, const struct profile *p)
{
	for (size_t j = 0; j < m; j++) {
		if (w[j] == p) {
			return true;
		}
	}
	return false;
}

/* Are v and w the same profiles, in any order? */
static bool
same_set(struct profile *const *v, size_t n, struct profile *const *w, size_t m)
{
	if (n != m) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!has_profile(w, m, v[i])) {
			return false;
		}
	}
	return true;
}

/* Does a cell of profiles v compile the objects one of profiles w does: the
 * profiles of either that change compile steps are in both? */
static bool
same_objects(const struct sched *s, struct profile *const *v, size_t n,
	     struct profile *const *w, size_t m)
{
	for (int side = 0; side < 2; side++) {
		for (size_t i = 0; i < n; i++) {
			if (!profile_link_only(v[i], s->run->recipe->name) &&
			    !has_profile(w, m, v[i])) {
				return false;
			}
		}
		struct profile *const *t = v;
		size_t k = n;

		v = w;
		n = m;
		w = t;
		m = k;
	}
	return true;
}

/* Will the cell of profiles v (not a task yet) be a copy of another cell's
 * artifact (add_task): reuse is on, some of its profiles only add post-link
 * steps, and the cell without them is the baseline, an each row or a task? */
static bool
predicted_copy(const struct sched *s, struct profile *const *v, size_t n)
{
	struct profile **kept;
	size_t nk = 0;
	bool copy = false;

	if (!s->run->reuse) {
		return false;
	}
	kept = xcalloc(n + 1, sizeof(*kept));
	for (size_t i = 0; i < n; i++) {
		if (!build_derives(s->run, v[i])) {
			kept[nk++] = v[i];
		}
	}
	if (nk < n) {
		copy = nk == 0 || (nk == 1 && s->plan->each);
		for (size_t i = 0; i < s->ntasks && !copy; i++) {
			copy = same_set(s->tasks[i]->profiles, s->tasks[i]->n, kept, nk);
		}
	}
	free(kept);
	return copy;
}

/* Should the cell of profiles v (the task self, or NULL) compile through ccache
 * and keep its LTO code generation (ltrans.h): may another cell of the run
 * compile the same objects (it differs only by
 * profiles that add link flags, nosep or relr)? Cells that exist are asked, and
 * the cells to come as far as they can be told: the each rows, and the stack's
 * rows after the current one as if every profile were kept. A search or the
 * full factorial may ask for any combination, so there a profile that only links
 * is enough. ccache costs a cell that shares nothing a preprocessor run and a
 * store per compile (about 20 ms: a third of tinyhttpd's compile time); a wrong
 * guess costs time, never a result: ccache hashes what is compiled. Called with
 * mu held. */
static bool
objects_shared(const struct sched *s, struct profile *const *v, size_t n,
	       const struct task *self)
{
	const struct plan *plan = s->plan;
	struct profile **row;
	size_t k, i;
	bool shared = false;

	if (recipe_is_cargo(s->run->recipe)) {
		/* build scripts' C code: the same in every cell */
		return true;
	}
	for (i = 0; i < plan->n; i++) {
		if ((plan->search || plan->full) &&
		    profile_link_only(plan->v[i], s->run->recipe->name) &&
		    !build_derives(s->run, plan->v[i])) {
			return true;
		}
		if (plan->each && !same_set(&plan->v[i], 1, v, n) &&
		    !predicted_copy(s, &plan->v[i], 1) && same_objects(s, &plan->v[i], 1, v, n)) {
			return true;
		}
	}
	for (i = 0; i < s->ntasks; i++) {
		const struct task *u = s->tasks[i];

		if (u != self && !u->from && same_objects(s, u->profiles, u->n, v, n)) {
			return true;
		}
	}
	if (!plan->cumulative || s->chain_done) {
		return false;
	}
	row = xcalloc(plan->n + 1, sizeof(*row));
	k = plan->nstack;
	if (k) {
		memcpy(row, plan->stack, k * sizeof(*row));
	}
	i = plan->next;
	if (s->chain) {
		row[k++] = s->chain_p;
		i++;
	}
	for (; i < plan->n && !shared; i++) {
		if (profile_is_security(plan->v[i]) && !plan->allow_security) {
			continue;
		}
		row[k++] = plan->v[i];
		shared = !same_set(row, k, v, n) && !predicted_copy(s, row, k) &&
			 same_objects(s, row, k, v, n);
	}
	free(row);
	return shared;
}

/* The chain is a critical path: its next row is known only when this one is
 * measured. So the row after this one is queued behind it, as if this one were
 * kept, or left out when this row's profile alone (its each row) failed or (unless
 * every row is kept) grew the baseline by more than 1%: with a second core free,
 * the two build at once. (A profile that grows a little alone often shrinks the
 * stack: -Os and -fvisibility=hidden grew tinyhttpd by 0.3% alone and shrank it
 * once LTO was on; its bundled allocator grew it by 1.4% alone and in the stack.)
 * While that each row is not measured, it goes first and the guess waits for it:
 * a cell needed anyway, where a wrong guess is a cell measured for nothing (it
 * stays in results.json, not in the table). Only the time of the run depends on
 * the guess, never a result. Called with mu held while the chain's row is not
 * done; returns false when the guess has to wait. */
static bool
speculate(struct sched *s)
{
	struct task *row = s->chain, *each;
	struct profile *p = s->chain_p, **next;
	char *name = cell_name(s, &p, 1);
	size_t n = row->n;

	each = find_task(s, name);
	free(name);
	if (each && each != row && !each->done) {
		if (!each->started) {
			add_task(s, &p, 1, true);
			add_task(s, row->profiles, row->n, true);
		}
		return false;
	}
	if (each && each != row) {
		long long alone = cell_metric(each->cell, s->run->metric);
		long long base = cell_metric(s->tasks[0]->cell, s->run->metric);

		if (!usable(s, each->cell) || (!s->plan->stack_all && alone > base + base / 100)) {
			n--;
		}
	}
	for (size_t i = s->plan->next + 1; i < s->plan->n; i++) {
		struct profile *q = s->plan->v[i];

		if (profile_is_security(q) && !s->plan->allow_security) {
			continue;
		}
		next = xcalloc(n + 2, sizeof(*next));
		if (n) {
			memcpy(next, row->profiles, n * sizeof(*next));
		}
		next[n] = q;
		add_task(s, next, n + 1, true);
		free(next);
		/* the row itself stays first */
		add_task(s, row->profiles, row->n, true);
		break;
	}
	return true;
}

/* The stack's last row less the profiles that changed no byte where they were
 * added, as a cell of its own: a winner with nothing to paste for nothing, if
 * the bytes agree (pick breaks ties by fewer profiles). Called with mu held. */
static void
prune_stack(struct sched *s)
{
	struct profile **v;
	size_t k = 0;
	bool any = false;

	if (!s->nnoops || stop_signal(s->run) || s->failed) {
		return;
	}
	v = xcalloc(s->plan->nstack + 1, sizeof(*v));
	for (size_t i = 0; i < s->plan->nstack; i++) {
		bool noop = false;

		for (size_t j = 0; j < s->nnoops; j++) {
			noop = noop || s->noops[j] == s->plan->stack[i];
		}
		if (noop) {
			any = true;
		} else {
			v[k++] = s->plan->stack[i];
		}
	}
	if (any) {
		add_task(s, v, k, true);
	}
	free(v);
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
				if (!s->speculated) {
					s->speculated = speculate(s);
				}
				return;
			}
			const char *cost = cost_of(s, s->chain->cell);
			char *prev_name = cell_name(s, s->plan->stack, s->plan->nstack);
			const struct task *prev = find_task(s, prev_name);
			/* a profile that changed no byte of the stack so far stays in it
			 * (leaving it out would change what the rows after it may take:
			 * gcc's lto kept lld out of cmark's stack, and relr in), but the
			 * stack less such profiles is built at the end, for pick */
			bool noop = prev && prev->done && usable(s, s->chain->cell) &&
				    check_same_bytes(prev->cell, s->chain->cell);

			free(prev_name);
			if (noop) {
				s->noops = xreallocarray(s->noops, s->nnoops + 1, sizeof(*s->noops));
				s->noops[s->nnoops++] = s->chain_p;
			}
			plan_stack_record(s->plan, usable(s, s->chain->cell),
					  cell_metric(s->chain->cell, s->run->metric), &why);
			if (s->chain->cell->status == CELL_SKIPPED) {
				why = "conflicts: left out below";
			} else if (cost) {
				/* the table's status column says why, from the cell */
				why = "left out below";
			}
			label = xasprintf("+ %s", s->chain_p->name);
			results_add_row(s->res, s->chain->cell->name, "cumulative", label, why);
			free(label);
			s->chain = NULL;
		}
		if (stop_signal(s->run) || s->failed) {
			s->chain_done = true;
			return;
		}
		s->chain_p = plan_stack_next(s->plan, &cand, &n);
		if (!s->chain_p) {
			s->chain_done = true;
			prune_stack(s);
			return;
		}
		s->chain = add_task(s, cand, n, true);
		/* with one cell at a time, a guess would only wait for the row */
		s->speculated = s->run->jobs <= 1;
	}
}

/* The profiles of a search mask, in the matrix's order (so a cell has one name
 * whichever strategy asked for it). */
static size_t
mask_profiles(const struct sched *s, uint64_t mask, struct profile **out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->sn; i++) {
		if (mask & ((uint64_t)1 << i)) {
			out[n++] = s->sv[i];
		}
	}
	return n;
}

/* Feed the search what its last batch measured and queue the next batch. Called
 * with mu held. */
static void
advance_search(struct sched *s)
{
	const uint64_t *batch;
	size_t k;
	struct profile **v;

	if (!s->search || s->search_done) {
		return;
	}
	for (size_t i = 0; i < s->nsbatch; i++) {
		if (!s->sbatch[i]->done) {
			return;
		}
	}
	for (size_t i = 0; i < s->nsbatch; i++) {
		const struct cell *c = s->sbatch[i]->cell;

		search_record(s->search, s->smask[i], usable(s, c), cell_metric(c, s->run->metric));
	}
	s->nsbatch = 0;
	if (stop_signal(s->run) || s->failed) {
		s->search_done = true;
		return;
	}
	k = search_next(s->search, &batch);
	if (!k) {
		s->search_done = true;
		return;
	}
	s->sbatch = xreallocarray(s->sbatch, k, sizeof(*s->sbatch));
	s->smask = xreallocarray(s->smask, k, sizeof(*s->smask));
	v = xcalloc(s->sn + 1, sizeof(*v));
	for (size_t i = 0; i < k; i++) {
		size_t n = mask_profiles(s, batch[i], v);

		s->smask[i] = batch[i];
		s->sbatch[i] = add_task(s, v, n, true);
	}
	s->nsbatch = k;
	free(v);
}

/* How many cells the run will have, as far as it can be told yet. */
static size_t
expected_total(const struct sched *s)
{
	size_t total = s->ntasks;

	if (!s->chain_done && s->plan->n > s->plan->next) {
		total += s->plan->n - s->plan->next - (s->chain && !s->chain->done ? 1 : 0);
	}
	if (s->search && !s->search_done && s->search->budget > search_asked(s->search)) {
		total += s->search->budget - search_asked(s->search);
	}
	return total;
}

static void
format_time(char *out, size_t len, double secs)
{
	long t = (long)(secs + 0.5);

	snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
}

/* Redraw the progress line (a terminal only). Called with mu held. */
static void
progress(struct sched *s)
{
	char line[160], el[32], left[32];
	size_t total = expected_total(s), done = s->finished;
	double elapsed = clock_now() - s->t0;

	if (!log_status_possible()) {
		return;
	}
	format_time(el, sizeof(el), elapsed);
	if (done > 1 && total > done) {
		format_time(left, sizeof(left), elapsed / (double)done * (double)(total - done));
	} else {
		snprintf(left, sizeof(left), "?");
	}
	snprintf(line, sizeof(line),
		 "ounce: %zu/%zu cells, %d building%s%.30s, %s elapsed, ~%s left", done, total,
		 s->running, s->running && s->current ? ": " : "",
		 s->running && s->current ? s->current : "", el, left);
	log_status(line);
}

static void
report(struct sched *s, const struct cell *c)
{
	const char *how = c->cached ? " [cached]"
			  : !c->reused_from || (c->status != CELL_OK && c->status != CELL_SMOKE_FAILED)
			      ? ""
			  : c->relinked ? " [relinked]"
					: " [from a copy]";

	s->finished++;
	if (c->status == CELL_OK || c->status == CELL_SMOKE_FAILED) {
		info("[%zu] %s: %lld bytes (%s)%s%s%s", s->finished, c->name, c->m.bytes,
		     units_percent(c->m.bytes, s->base),
		     c->status == CELL_SMOKE_FAILED ? ", smoke test FAILED" : "",
		     c->reproducible == CELL_REPRO_NO ? ", NOT reproducible" : "", how);
	} else {
		info("[%zu] %s: %s: %s%s", s->finished, c->name, cell_status_name(c->status),
		     c->reason ? c->reason : "", how);
	}
}

/* Can queued task t start: its source cell, if any, is done, and no cell that
 * compiles the same objects is building (in a C build: t waits to take that
 * cell's objects from ccache and its LTO code generation, where the two at once
 * would both compile; another cell, if any, takes the core meanwhile)? */
static bool
ready(const struct sched *s, const struct task *t)
{
	if (t->from && !t->from->done) {
		return false;
	}
	if (!s->run->reuse || recipe_is_cargo(s->run->recipe)) {
		return true;
	}
	for (size_t i = 0; i < s->ntasks; i++) {
		const struct task *u = s->tasks[i];

		if (u != t && u->started && !u->done && !u->from &&
		    same_objects(s, u->profiles, u->n, t->profiles, t->n)) {
			return false;
		}
	}
	return true;
}

/* The first queued task that can start. */
static ssize_t
runnable(const struct sched *s)
{
	for (size_t i = 0; i < s->nqueue; i++) {
		if (ready(s, s->tasks[s->queue[i]])) {
			return (ssize_t)i;
		}
	}
	return -1;
}

/* The jobs the build of queue entry q gets: the machine's cores shared by the
 * cells that run now and those that could start with it (so a search's lone cell
 * gets every core, and a full queue one each). Under make's jobserver, one. */
static int
job_share(const struct sched *s, ssize_t q)
{
	size_t nready = 0;
	int cells;

	if (s->js || s->run->cores <= 0) {
		return 0;
	}
	for (size_t i = (size_t)q; i < s->nqueue; i++) {
		nready += ready(s, s->tasks[s->queue[i]]);
	}
	cells = s->running + (int)(nready < (size_t)s->run->jobs ? nready : (size_t)s->run->jobs);
	if (cells > s->run->jobs) {
		cells = s->run->jobs;
	}
	return s->run->cores / cells > 0 ? s->run->cores / cells : 1;
}

static bool
all_done(const struct sched *s)
{
	return !s->nqueue && !s->busy && s->chain_done && (!s->search || s->search_done);
}

/* results.json as the run stands (run->results_path), so a run killed even by
 * SIGKILL can be resumed: at most once a second (the cells after that are in the
 * cache), written outside the lock (s->mu held on entry and on return). */
static void
save_progress(struct sched *s)
{
	struct cell **running;
	size_t n = 0;
	char *js;
	bool ok;

	if (!s->run->results_path || s->saving || s->save_failed ||
	    (s->saved && clock_now() - s->saved < 1.0)) {
		return;
	}
	running = xcalloc(s->ntasks + 1, sizeof(*running));
	for (size_t i = 0; i < s->ntasks; i++) {
		if (s->tasks[i]->started && !s->tasks[i]->done) {
			running[n++] = s->tasks[i]->cell;
		}
	}
	js = results_progress_json(s->res, running, n);
	free(running);
	s->saving = true;
	pthread_mutex_unlock(&s->mu);
	/* a failure is reported once; the run goes on (its end saves again) */
	ok = fs_write_atomic(s->run->results_path, js, strlen(js)) == 0;
	free(js);
	pthread_mutex_lock(&s->mu);
	s->saving = false;
	s->save_failed = !ok;
	s->saved = clock_now();
}

/* --repeat: build t's cell again from scratch (build_repeat), in a build slot of
 * its own: one its smoke test gave back is taken again. Returns build_repeat's
 * return. Called without mu. */
static int
repeat_task(struct sched *s, struct task *t, int jobs)
{
	if (s->run->repeat < 2 ||
	    (t->cell->status != CELL_OK && t->cell->status != CELL_SMOKE_FAILED)) {
		return 0;
	}
	pthread_mutex_lock(&s->mu);
	while (!t->slot && s->running >= s->run->jobs && !stop_signal(s->run) && !s->failed) {
		pthread_cond_wait(&s->cv, &s->mu);
	}
	if (!t->slot) {
		t->slot = true;
		s->running++;
	}
	s->current = t->cell->name;
	pthread_mutex_unlock(&s->mu);
	return build_repeat(s->run, t->cell, t->profiles, t->n, jobs);
}

struct slot_arg {
	struct sched *s;
	struct task *t;
};

/* build_cell's hook: the smoke test starts, the build slot is free for another
 * cell. */
static void
smoke_starts(void *arg)
{
	struct slot_arg *a = arg;

	pthread_mutex_lock(&a->s->mu);
	if (a->t->slot) {
		a->t->slot = false;
		a->s->running--;
		pthread_cond_broadcast(&a->s->cv);
	}
	pthread_mutex_unlock(&a->s->mu);
}

static void *
worker(void *arg)
{
	struct sched *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct task *t;
		const struct cell *from, *failed_from;
		bool token = false;
		ssize_t q;
		int share;

		advance_chain(s);
		advance_search(s);
		if (stop_signal(s->run) || s->failed || all_done(s)) {
			break;
		}
		q = s->running < s->run->jobs ? runnable(s) : -1;
		if (q < 0) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		if (s->js && s->running > 0) {
			/* every cell beyond the first takes a job slot from make */
			pthread_mutex_unlock(&s->mu);
			token = jobserver_acquire(s->js, s->run->cancel);
			pthread_mutex_lock(&s->mu);
			q = token ? runnable(s) : -1;
			if (q < 0) {
				if (token) {
					jobserver_release(s->js);
				}
				continue;
			}
		}
		t = s->tasks[s->queue[q]];
		share = job_share(s, q);
		memmove(s->queue + q, s->queue + q + 1,
			(s->nqueue - (size_t)q - 1) * sizeof(*s->queue));
		s->nqueue--;
		s->running++;
		s->busy++;
		t->slot = true;
		t->started = true;
		t->cell->shared = objects_shared(s, t->profiles, t->n, t);
		s->current = t->cell->name;
		progress(s);
		/* a source cell that timed out or made no artifact: build this one in
		 * full; one whose build failed: this one fails alike, as post-link
		 * steps cannot mend a build */
		from = t->from && t->from->cell->artifact &&
			       (t->from->cell->status == CELL_OK ||
				t->from->cell->status == CELL_SMOKE_FAILED)
			       ? t->from->cell
			       : NULL;
		failed_from = t->from && (t->from->cell->status == CELL_BUILD_FAILED ||
					  t->from->cell->status == CELL_CONFIGURE_FAILED ||
					  t->from->cell->status == CELL_SKIPPED)
				      ? t->from->cell
				      : NULL;
		pthread_mutex_unlock(&s->mu);

		struct slot_arg sa = {s, t};
		struct build_hook hook = {smoke_starts, &sa};
		int rc = failed_from ? build_failed_as(s->run, t->cell, t->profiles, t->n,
						       failed_from)
				     : build_cell(s->run, t->cell, t->profiles, t->n, from, share,
						  s->yield ? &hook : NULL);

		if (rc == 0) {
			rc = repeat_task(s, t, share);
		}

		pthread_mutex_lock(&s->mu);
		if (token) {
			jobserver_release(s->js);
		}
		if (t->slot) {
			t->slot = false;
			s->running--;
		}
		s->busy--;
		t->done = true;
		if (rc < 0) {
			s->failed = 1;
		}
		report(s, t->cell);
		progress(s);
		pthread_cond_broadcast(&s->cv);
		save_progress(s);
	}
	s->alive--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Is cell a smaller than cell b by metric? */
static bool
smaller(const struct cell *a, const struct cell *b, const char *metric)
{
	return cell_metric(a, metric) < cell_metric(b, metric);
}

/* The rows of a search or full run: its best cells, best first. Called once the
 * workers are done. */
static void
best_rows(struct sched *s, const char *group)
{
	struct cell **v = xcalloc(s->ntasks + 1, sizeof(*v));
	size_t n = 0, built = 0, cached = 0;
	char *note;

	for (size_t i = 0; i < s->ntasks; i++) {
		struct cell *c = s->tasks[i]->cell;

		built += c->built;
		cached += c->cached;
		if (usable(s, c) && cell_metric(c, s->run->metric) >= 0) {
			v[n++] = c;
		}
	}
	/* insertion sort: stable, and n is small */
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && smaller(v[j], v[j - 1], s->run->metric); j--) {
			struct cell *tmp = v[j];

			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	}
	note = xasprintf("best of %zu cells (%zu built, %zu cached, the rest from copies or relinks)",
			 s->ntasks, built, cached);
	for (size_t i = 0; i < n && i < 5; i++) {
		char *label = strv_join(&v[i]->profiles, " + ");

		results_add_row(s->res, v[i]->name, group, *label ? label : "baseline",
				i ? NULL : note);
		free(label);
	}
	if (n) {
		long long best = cell_metric(v[0], s->run->metric);

		info("%s: best %s, %lld bytes by %s (%s); %zu cells, %zu built, %zu cached", group,
		     v[0]->name, best, s->run->metric,
		     units_percent(best, cell_metric(s->tasks[0]->cell, s->run->metric)), s->ntasks,
		     built, cached);
	}
	free(note);
	free(v);
}

/* What the search knew without a build, on stderr. Called once the workers are
 * done. */
static void
search_summary(const struct sched *s)
{
	const struct search *q = s->search;
	struct strv names = STRV_INIT;
	char *list;

	for (size_t i = 0; i < s->sn; i++) {
		if (q->dropped & ((uint64_t)1 << i)) {
			strv_push(&names, s->sv[i]->name);
		}
	}
	list = strv_join(&names, "', '");
	if (names.n) {
		info("search: '%s' grew the %s metric by more than %u%% alone and with the best "
		     "cell: not combined further, %zu cell%s not built (--stack all combines it)",
		     list, s->run->metric, q->growth_limit, q->ruled_out,
		     q->ruled_out == 1 ? "" : "s");
	}
	if (q->twins) {
		info("search: %zu cell%s not built: the same build as another, as a profile "
		     "in each implies another ('implies' in profiles/)",
		     q->twins, q->twins == 1 ? "" : "s");
	}
	free(list);
	strv_release(&names);
}

/* When the smallest cell measured (as pick chooses it) is in no row, such as a
 * guess of the cumulative chain that beat the stack, it gets a row of its own, so
 * the table shows what pick will answer. Called once the workers are done. */
static void
best_measured_row(struct sched *s)
{
	const struct cell *best = pick_best_in(s->res, s->run->metric, &s->run->allow,
					       s->run->build->name);
	char *note;

	if (!best) {
		return;
	}
	for (size_t i = 0; i < s->res->nrows; i++) {
		if (!strcmp(s->res->rows[i].cell, best->name)) {
			return;
		}
	}
	note = xasprintf("%s: not in the stack above", best->name);
	results_add_row(s->res, best->name, "best", "best measured", note);
	free(note);
}

static bool
valid_combination(struct profile *const *v, size_t n, uint64_t mask)
{
	for (size_t i = 0; i < n; i++) {
		if (!(mask & ((uint64_t)1 << i))) {
			continue;
		}
		for (size_t j = i + 1; j < n; j++) {
			if ((mask & ((uint64_t)1 << j)) && profile_same_dimension(v[i], v[j])) {
				return false;
			}
		}
	}
	return true;
}

long long
sched_full_cells(struct profile *const *v, size_t n)
{
	long long count = 0;

	if (n > 20) {
		return -1;
	}
	for (uint64_t mask = 1; mask < ((uint64_t)1 << n); mask++) {
		count += valid_combination(v, n, mask);
	}
	return count;
}

/* The profiles a search or the full factorial combines: the matrix's, less the
 * security trade-offs unless they are allowed. */
static void
combinable(struct sched *s)
{
	s->sv = xcalloc(s->plan->n + 1, sizeof(*s->sv));
	for (size_t i = 0; i < s->plan->n && s->sn < SEARCH_MAX; i++) {
		if (!profile_is_security(s->plan->v[i]) || s->plan->allow_security) {
			s->sv[s->sn++] = s->plan->v[i];
		}
	}
}

/* The mask of the build the cell of mask is (search.h's same_build): mask less
 * the profiles that others in it imply for the run's toolchain (profile_reduce:
 * cgu1 implies lto under gcc). */
static uint64_t
same_build(void *ctx, uint64_t mask)
{
	const struct sched *s = ctx;
	struct profile **v = xcalloc(s->sn + 1, sizeof(*v));
	size_t n = mask_profiles(s, mask, v);
	uint64_t out = 0;

	n = profile_reduce(v, n, s->run->recipe->toolchain);
	for (size_t i = 0, j = 0; i < s->sn && j < n; i++) {
		if (s->sv[i] == v[j]) {
			out |= (uint64_t)1 << i;
			j++;
		}
	}
	free(v);
	return out;
}

static void
start_search(struct sched *s, struct search *search, const struct cell *base)
{
	int *dim = xcalloc(s->sn + 1, sizeof(*dim));

	for (size_t i = 0; i < s->sn; i++) {
		dim[i] = (int)(1000 + i);
		for (size_t j = 0; j < i; j++) {
			if (profile_same_dimension(s->sv[i], s->sv[j])) {
				dim[i] = dim[j];
				break;
			}
		}
	}
	search_init(search, s->sn, dim, 0);
	search->same_build = same_build;
	search->same_ctx = s;
	/* --stack all keeps every profile that builds in play, here as in the
	 * stack: a lever wanted for its trade-off (an allocator) is combined
	 * however much it grows */
	if (s->plan->stack_all) {
		search->growth_limit = 0;
	}
	search_record(search, 0, true, cell_metric(base, s->run->metric));
	s->search = search;
	free(dim);
}

/* Every combination, but twins: a cell with a profile that another of it
 * implies is the cell without it, built once. */
static void
start_full(struct sched *s)
{
	struct profile **v = xcalloc(s->sn + 1, sizeof(*v));
	size_t twins = 0;

	for (uint64_t mask = 1; mask < ((uint64_t)1 << s->sn); mask++) {
		if (!valid_combination(s->sv, s->sn, mask)) {
			continue;
		}
		if (same_build(s, mask) != mask) {
			twins++;
			continue;
		}
		add_task(s, v, mask_profiles(s, mask, v), false);
	}
	if (twins) {
		info("full: %zu combination%s not built: a profile in each implies another "
		     "('implies' in profiles/), so each is the build without it",
		     twins, twins == 1 ? "" : "s");
	}
	free(v);
}

static void
sched_init(struct sched *s, struct run *run, struct plan *plan, struct results *res)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->run = run;
	s->plan = plan;
	s->res = res;
	s->js = run->jobserver;
	s->t0 = clock_now();
}

/* The baseline's cell, its row and its place as the build's baseline in the
 * results, and its task: one like the others, done before they start, so cells
 * can start from its artifact. */
static struct task *
add_baseline(struct sched *s)
{
	struct results *res = s->res;
	char *bname = cell_name(s, NULL, 0);
	struct cell *base = cell_new(bname);
	struct task *bt;

	results_add_cell(res, base);
	results_set_baseline(res, s->run->build->name, bname);
	if (s->run->default_build || !res->baseline) {
		free(res->baseline);
		res->baseline = xstrdup(bname);
	}
	results_add_row(res, bname, "baseline", "baseline", NULL);
	free(bname);
	bt = xcalloc(1, sizeof(*bt));
	bt->cell = base;
	bt->profiles = xcalloc(1, sizeof(*bt->profiles));
	bt->started = true;
	s->tasks = xcalloc(1, sizeof(*s->tasks));
	s->tasks[s->ntasks++] = bt;
	return bt;
}

/* Build the baseline, task bt, alone: every other cell is measured against it.
 * Returns 0 to go on, else what sched_run returns: 1 when it failed (reported,
 * but for a configure failure with a fallback recipe: the caller tries that one),
 * 128+N after signal N, -1. */
static int
build_baseline(struct sched *s, struct task *bt)
{
	struct run *run = s->run;
	struct cell *base = bt->cell;
	int sig;

	info("building the %s baseline of '%s' (%s)", run->build->name, run->project->name,
	     run->recipe->name);
	s->current = base->name;
	s->running = 1;
	base->shared = objects_shared(s, NULL, 0, bt);
	progress(s);
	/* the run has started: one killed during the baseline (even by SIGKILL) leaves
	 * a results.json, its baseline "interrupted", that --resume goes on from */
	pthread_mutex_lock(&s->mu);
	save_progress(s);
	pthread_mutex_unlock(&s->mu);
	if (build_cell(run, base, NULL, 0, NULL, run->cores, NULL) < 0 ||
	    build_repeat(run, base, NULL, 0, run->cores) < 0) {
		return -1;
	}
	s->running = 0;
	bt->done = true;
	s->base = base->m.bytes;
	run->baseline = base;
	report(s, base);
	if ((sig = stop_signal(run))) {
		return 128 + sig;
	}
	if (base->status != CELL_OK) {
		log_status(NULL);
		if (!run->fallback || base->status != CELL_CONFIGURE_FAILED) {
			error("the baseline build of '%s' failed: %s (log: %s)", run->project->name,
			      base->reason ? base->reason : cell_status_name(base->status),
			      base->log ? base->log : "none");
		}
		return 1;
	}
	return 0;
}

/* Queue the plan's cells once the baseline is measured: each profile alone, the
 * full factorial, the start of a search (the cumulative chain queues its rows as
 * the rows before them finish: advance_chain). */
static void
plan_cells(struct sched *s, struct search *search)
{
	struct plan *plan = s->plan;
	const struct cell *base = s->tasks[0]->cell;

	if (!s->res->toolchain) {
		s->res->toolchain = xstrdup(base->settings.toolchain);
	}
	plan->last = cell_metric(base, s->run->metric);
	if (plan->each) {
		for (size_t i = 0; i < plan->n; i++) {
			struct task *t = add_task(s, &plan->v[i], 1, false);

			results_add_row(s->res, t->cell->name, "each", plan->v[i]->name, NULL);
		}
	}
	s->chain_done = !plan->cumulative;
	if (plan->search || plan->full) {
		combinable(s);
		s->make_sources = true;
	}
	if (plan->full) {
		start_full(s);
	}
	s->search_done = true;
	if (plan->search) {
		start_search(s, search, base);
		s->search_done = false;
	}
}

/* Build the queued cells on worker threads until every one is done (or the run
 * stops), redrawing the progress line every second meanwhile. */
static void
run_workers(struct sched *s)
{
	int n = s->run->jobs > 0 ? s->run->jobs : 1;
	pthread_t *th;

	/* a smoke test mostly waits: while it runs, its build slot goes to another
	 * cell, so there are workers for -j builds and as many smoke tests beside
	 * them (not under make's jobserver, whose tokens count every process, nor
	 * with -j 1, which means one cell at a time) */
	s->yield = n > 1 && !s->js;
	if (s->yield) {
		n *= 2;
	}
	th = xcalloc((size_t)n, sizeof(*th));
	pthread_mutex_lock(&s->mu);
	/* the baseline measured, the cells planned: saved whenever the last save was */
	s->saved = 0;
	save_progress(s);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, worker, s) != 0) {
			die("cannot start a worker thread");
		}
		s->alive++;
	}
	/* the progress line's clock ticks while cells build */
	while (s->alive > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
		progress(s);
	}
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
	}
	free(th);
}

/* The rows that sum up a run that went to its end (not one interrupted, or one
 * ounce could not finish): the best cell measured, the best of the full factorial
 * or of the search. */
static void
summary_rows(struct sched *s)
{
	if (stop_signal(s->run) || s->failed) {
		return;
	}
	if (s->plan->each || s->plan->cumulative) {
		best_measured_row(s);
	}
	if (s->plan->full) {
		best_rows(s, "full");
	}
	if (s->plan->search) {
		best_rows(s, "search");
		search_summary(s);
	}
}

/* The end of a run, whatever ended it: a cell never finished is interrupted,
 * each cell counts in the results' totals, and s's tasks are freed. */
static void
sched_release(struct sched *s)
{
	struct results *res = s->res;

	log_status(NULL);
	for (size_t i = 0; i < s->ntasks; i++) {
		struct cell *c = s->tasks[i]->cell;

		if (c->status == CELL_PENDING) {
			c->status = CELL_INTERRUPTED;
			c->reason = xstrdup("not built: the run was interrupted");
		}
		res->builds_run += c->built;
		res->cache_hits += c->cached;
		if (!c->cached) {
			res->measure_seconds += c->measure_seconds;
		}
		free(s->tasks[i]->profiles);
		free(s->tasks[i]);
	}
	if (s->search) {
		search_release(s->search);
	}
	free(s->tasks);
	free(s->noops);
	free(s->queue);
	free(s->sv);
	free(s->sbatch);
	free(s->smask);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	s->run->baseline = NULL;
}

/* --bench: every cell of the build measured, the workload runs on each, one at a
 * time with nothing else running; the run's bench settings go in the results. */
static void
bench_phase(struct sched *s)
{
	struct cell **cells;
	struct results *res = s->res;

	if (!s->run->bench || stop_signal(s->run) || s->failed) {
		return;
	}
	if (!res->bench_command) {
		res->bench_command = xstrdup(s->run->bench);
		res->bench_repeat = s->run->bench_repeat;
		res->bench_count = s->run->bench_count ? xstrdup(s->run->bench_count) : NULL;
		if (s->run->bench_counter) {
			res->bench_counter = xstrdup(s->run->bench_perf ? "perf" : "callgrind");
		}
	}
	cells = xcalloc(s->ntasks + 1, sizeof(*cells));
	for (size_t i = 0; i < s->ntasks; i++) {
		cells[i] = s->tasks[i]->cell;
	}
	if (bench_cells(s->run, cells, s->ntasks) < 0) {
		s->failed = 1;
	}
	free(cells);
	pthread_mutex_lock(&s->mu);
	s->saved = 0;
	save_progress(s);
	pthread_mutex_unlock(&s->mu);
}

int
sched_run(struct run *run, struct plan *plan, struct results *res)
{
	struct sched s;
	struct search search;
	int rc, sig;

	memset(&search, 0, sizeof(search));
	sched_init(&s, run, plan, res);
	rc = build_baseline(&s, add_baseline(&s));
	if (rc == 0) {
		plan_cells(&s, &search);
		run_workers(&s);
		bench_phase(&s);
		summary_rows(&s);
		sig = stop_signal(run);
		rc = s.failed ? -1 : sig ? 128 + sig : 0;
	}
	sched_release(&s);
	return rc;
}
