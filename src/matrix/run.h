/* run.h: the context of one matrix run, passed to every module that needs it
 * instead of globals. */
#ifndef OUNCE_RUN_H
#define OUNCE_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "base/strv.h"

struct cache;
struct cache_memo;
struct distrib;
struct jobserver;
struct profile_set;
struct project;
struct recipe;
struct recipe_build;
struct spawn_opts;
struct spawn_result;
struct spawn_sandbox;

struct run {
	struct project *project;
	/* the tree cells are staged from: the run's snapshot of the project, as
	 * the recipe's prepare step left it (prepare.h); NULL before prepare_run */
	char *prepared;
	const struct recipe *recipe;
	/* the recipe tried next when the baseline cannot be configured (the
	 * caller then reports the failure), or NULL */
	const struct recipe *fallback;
	const struct recipe_build *build;	/* the build being run (release, dev...) */
	bool default_build;	/* it is the recipe's first: its cells have no prefix */
	char *recipe_match;	/* the file the recipe's glob matched, or NULL */
	struct profile_set *profiles;
	char *workdir;		/* absolute; cells live in workdir/cells/NAME */
	char *self;		/* absolute path of the ounce executable */
	char *shimdir;		/* workdir/bin: compiler names linked to ounce */
	char *rust_host;	/* rustc's host triple (Cargo projects), or NULL */
	const char *cross;      /* the cross toolchain's prefix (arm-none-eabi), or NULL */
	int jobs;		/* cells at once */
	int build_jobs;		/* parallel jobs inside each build, when every cell runs */
	int cores;		/* the jobs the machine runs at once; 0: share build_jobs only */
	double timeout;		/* seconds for each configure, build or post-link step */
	const char *smoke;	/* smoke command template, or NULL */
	double smoke_timeout;
	const char *metric;	/* what the cumulative stack keeps profiles by */
	struct strv allow;	/* trade-offs allowed in the stack and in pick */
	const char *target_glibc;	/* the oldest glibc the artifacts must run on, or NULL */
	const struct cell *baseline;	/* the build's baseline once it is built, for the
					 * load check; NULL before */
	volatile sig_atomic_t *cancel;
	/* how build steps run (sandbox.h): read-only tree, killed with ounce */
	const struct spawn_sandbox *sandbox;
	/* what starts a cell's configure, build, install, post-link and relink steps,
	 * with spawn_run's contract (os/spawn.h); NULL: spawn_run itself. A seam for
	 * unit tests, which answer as a toolchain would (exit 1 with a line in the log,
	 * a timeout, a signal) or run a tiny command; ounce never sets it. */
	int (*spawn_fn)(const struct spawn_opts *opts, struct spawn_result *res);
	const char *results_path;	/* results.json, saved as cells finish (so a run
					 * killed by SIGKILL can be resumed), or NULL */
	struct cache *cache;	/* results of earlier runs, or NULL (--no-reuse) */
	bool fresh;		/* --fresh: store results in the cache but never read them */
	bool reuse;		/* derive post-link cells from linked artifacts, share objects */
	bool keep_cells;	/* --keep-cells: a measured cell keeps its whole tree */
	char *ccache;		/* ccache's path when objects are shared, or NULL */
	const struct distrib *distrib;	/* where compiles go (--distribute), or NULL */
	struct cache_memo *memo;	/* compressed sizes by content, or NULL */
	struct jobserver *jobserver;	/* make's, when ounce runs under one, or NULL */
	int repeat;		/* --repeat: each measured cell is built this many times
				 * (0 or 1: once) */
	bool repeating;		/* a repeat build (build_repeat): from scratch, only its
				 * artifacts hashed, nothing measured or stored */
	const char *bench;	/* --bench: the workload's template, or NULL */
	int bench_repeat;	/* --bench-repeat: timed runs of each cell */
	const char *bench_count;	/* --bench-count: "instructions", or NULL */
	char *bench_counter;	/* what counts them (bench_setup): perf's or valgrind's
				 * path, or NULL */
	bool bench_perf;	/* bench_counter is perf (else valgrind's callgrind) */
};

#endif
