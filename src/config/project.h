/* project.h: the user's project: its directory and what its optional ounce.ini
 * says (artifact, commands, smoke test, its own profiles, its size budgets). */
#ifndef OUNCE_PROJECT_H
#define OUNCE_PROJECT_H

#include <stdbool.h>

#include "base/strv.h"
#include "config/budgetconf.h"

struct profile_set;
struct recipe_build;

/* The most builds of one cell `repeat =` (and ounce matrix --repeat) takes. */
#define PROJECT_REPEAT_MAX 100

struct project {
	char *dir;		/* absolute, no trailing slash */
	/* the tree copied into each cell: dir, or the root of the Cargo workspace
	 * dir is a member of (project_set_stage_root) */
	char *stage_dir;
	char *subdir;		/* dir relative to stage_dir; "" when they are the same */
	char *ini;		/* path of ounce.ini, or NULL when there is none */
	char *name;		/* [project] name, or the directory's name */
	char *recipe;		/* [project] recipe, or NULL to detect */
	struct strv artifacts;	/* [project] artifact: the files to measure, relative to the
				 * build tree; empty: every executable and shared library */
	char *target_glibc;	/* [project] target_glibc: the oldest glibc to run on, or NULL */
	char *toolchain;        /* [project] toolchain: a cross toolchain's prefix
	                         * (arm-none-eabi), "native", or NULL to detect */
	char *distribute;	/* [project] distribute: distcc, icecc, none, or NULL */
	char *configure;	/* [project] configure command template, or NULL */
	char *build;		/* [project] build command template, or NULL */
	char *smoke;		/* [project] smoke command template, or NULL */
	double smoke_timeout;	/* seconds */
	char *bench;		/* [project] bench: the workload's template (--bench), or NULL */
	bool sandbox;		/* [project] sandbox: the project is read-only to builds (true) */
	int repeat;		/* [project] repeat: builds of each cell compared (as
				 * --repeat); 0: not given */
	char *cache;		/* [project] cache: the results cache's directory (as
				 * --cache; absolute), or NULL: WORKDIR/cache */
	struct strv profiles;	/* [project] profiles: the default list, or empty */
	struct strv exclude;	/* [project] exclude: names not copied into cells */
	struct recipe_build **builds;	/* [build NAME] sections, added to the recipe's */
	size_t nbuilds;
	struct budget_rules budget;	/* [budget]: what `ounce check` holds builds to */
};
#define PROJECT_INIT {0}

/* Fill p for directory dir, reading dir/ounce.ini when present; its [profile NAME]
 * and [profile NAME:TOOLCHAIN] sections define profiles in set (replacing built-in
 * ones of the same name). Returns 0, -1 after reporting FILE:LINE, or -2 when dir
 * is not a directory (reported). */
int project_load(struct project *p, const char *dir, struct profile_set *set);
/* Copy root, an ancestor of p->dir, into the cells instead of p->dir (a Cargo
 * workspace: its manifest holds the members' [profile] settings and Cargo.lock). */
void project_set_stage_root(struct project *p, const char *root);
/* Add to p->exclude, and to found (may be NULL), the directories at the top of
 * what is copied into cells (p->stage_dir) that hold another build's outputs:
 * a Meson or muon build directory (meson-private/, muon-private/), a CMake one
 * (CMakeCache.txt), or a tagged cache (CACHEDIR.TAG: Cargo's target/). An
 * in-tree build directory is no source, and copying it into every cell (and
 * hashing it) costs as much as the project itself, or far more. */
void project_exclude_build_dirs(struct project *p, struct strv *found);
/* Is v a C library release as --target-glibc takes it ("2.31")? */
bool project_glibc_valid(const char *v);
/* Free what p owns. */
void project_release(struct project *p);

#endif
