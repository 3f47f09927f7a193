/* build.h: build and measure one cell: stage a private copy, configure, build,
 * post-link steps, measure, smoke test. */
#ifndef OUNCE_BUILD_H
#define OUNCE_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct cell;
struct profile;
struct run;

/* What build_cell calls when a cell's smoke test starts (its build, post-link steps
 * and measuring done): a smoke test mostly waits (a server starting, a request), so
 * the scheduler may start another build beside it. */
struct build_hook {
	void (*smoke_starts)(void *arg);
	void *arg;
};

/* Build cell c (whose name is set) with the given profiles, in order, with jobs
 * parallel jobs inside the build (the recipe's {jobs}; 0: run->build_jobs), and record
 * everything in c: a failure of the build is c->status, not a return value. With
 * from set (a finished cell built with the same profiles less some that
 * build_derives), start from a copy of from's artifact, or link from's kept objects
 * again with the link arguments (building the cell when from kept none), and run
 * only the post-link steps.
 * A result in run->cache is taken instead of building. hook, when not NULL, is told
 * when the smoke test starts. Returns 0, or -1 when ounce itself could not go on
 * (reported). */
int build_cell(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n,
	       const struct cell *from, int jobs, const struct build_hook *hook);

/* --repeat (run->repeat > 1): build c, a cell build_cell measured (profiles as
 * for it; jobs as for it), again from scratch run->repeat - 1 times, each in its
 * own directory (CELL~K beside the cell's), each starting in a later second of
 * the clock than the bytes before it were made, without the cache, ccache or
 * anything of another cell, and compare the artifacts' bytes with c's: the answer
 * in c->reproducible (unknown when a repeat could not finish) and
 * c->repro_detail. A cell that failed is not repeated; one made from a copy or
 * a relink of another is built whole. Returns 0, or -1 when ounce itself could
 * not go on (reported). */
int build_repeat(const struct run *run, struct cell *c, struct profile *const *profiles, size_t n,
		 int jobs);

/* Record in c (profiles as for build_cell) that it fails as from failed, from being
 * the cell it would start from: a build that failed is not mended by post-link
 * steps. Returns 0. */
int build_failed_as(const struct run *run, struct cell *c, struct profile *const *profiles,
		    size_t n, const struct cell *from);

/* Does this run relink Cargo cells that only add link arguments (with reuse on)? */
bool build_relinks(const struct run *run);
/* Can a cell with p start from the cell without it: a copy of its artifact (p only
 * adds post-link steps) or, in a Cargo run, its objects linked again (p only adds
 * link arguments: profile_cargo_link_only)? */
bool build_derives(const struct run *run, const struct profile *p);

/* Create run->shimdir with the compiler names linked to run->self. Returns 0 or -1
 * after reporting. */
int build_make_shims(const struct run *run);

#endif
