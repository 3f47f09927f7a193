/* cmd_matrix.c: `ounce matrix [DIR]`, one run as a list of stages: parse the
 * options (matrix_opts.c) → load profiles and recipes → resume instead? → load the
 * project → choose the recipe, profiles, work directory and builds → snapshot the
 * tree → open the cache → run each build's plan → save results.json → print the
 * table and verify the winner. */
#include "cmd/cmd.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/units.h"
#include "cmd/matrix_opts.h"
#include "config/cargoconf.h"
#include "config/cross.h"
#include "config/profile.h"
#include "config/project.h"
#include "config/recipe.h"
#include "matrix/bench.h"
#include "matrix/build.h"
#include "matrix/cache.h"
#include "matrix/distrib.h"
#include "matrix/plan.h"
#include "matrix/prepare.h"
#include "matrix/run.h"
#include "matrix/sandbox.h"
#include "matrix/sched.h"
#include "matrix/verify.h"
#include "os/clock.h"
#include "os/fsutil.h"
#include "os/jobserver.h"
#include "os/os_linux.h"
#include "os/signals.h"
#include "os/spawn.h"
#include "report/explain.h"
#include "report/result.h"
#include "report/speed.h"
#include "report/table.h"
#include "base/banned.h"

/* Builds find ounce's compiler wrapper in WORKDIR/bin at the front of PATH, which
 * cannot name a directory with a ':' in its path: -1 after reporting (bad usage). */
static int
no_colon(const char *dir, int *status)
{
	if (!strchr(dir, ':')) {
		return 0;
	}
	*status = 2;
	return error("the work directory '%s' has a ':' in its path, which PATH cannot name "
		     "for the builds; choose another with --workdir",
		     dir);
}

/* The work directory: --workdir, else ./.ounce, unless the current directory is
 * in the project (or the Cargo workspace it is a member of), whose tree ounce
 * never writes: then a cache directory. NULL after reporting, with *status 2 when
 * --workdir is inside the project (bad usage), else 1. */
static char *
choose_workdir(const char *opt, const struct project *p, int *status)
{
	char cwd[4096];
	char *dir;

	*status = 1;
	if (opt) {
		dir = fs_resolve_future(opt);
		if (dir && fs_path_inside(dir, p->stage_dir)) {
			error("the work directory '%s' is inside the project '%s', which ounce never "
			      "writes; choose another with --workdir",
			      dir, p->stage_dir);
			free(dir);
			*status = 2;
			return NULL;
		}
		if (dir && (no_colon(dir, status) < 0 || fs_mkdirs(dir) < 0)) {
			free(dir);
			return NULL;
		}
		return dir;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		error_errno("cannot get the current directory");
		return NULL;
	}
	if (fs_path_inside(cwd, p->stage_dir)) {
		const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		/* NAME-HASH: one directory per project path, named in 8 hex digits */
		unsigned long h = (unsigned long)(XXH3_64bits(p->dir, strlen(p->dir)) &
						  0xffffffffUL);

		if (cache && *cache) {
			dir = xasprintf("%s/ounce/%s-%08lx", cache, p->name, h);
		} else {
			dir = xasprintf("%s/.cache/ounce/%s-%08lx", home ? home : "/tmp", p->name,
					h);
		}
		info("the current directory is inside the project: working in '%s'", dir);
	} else {
		dir = xasprintf("%s/.ounce", cwd);
	}
	if (no_colon(dir, status) < 0) {
		free(dir);
		return NULL;
	}
	if (fs_mkdirs(dir) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Leave out of v (n profiles) those that mean nothing for the cross toolchain's
 * kind of target (a bare-metal one has no dynamic loader and no host allocator),
 * and say which once. Returns how many remain. */
static size_t
leave_out_for_target(struct profile **v, size_t n, const char *cross)
{
	const char *kind = cross_kind(cross);
	struct strv left = STRV_INIT;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (profile_for_target(v[i], kind)) {
			v[k++] = v[i];
		} else {
			strv_push(&left, v[i]->name);
		}
	}
	if (left.n) {
		char *list = strv_join(&left, ", ");

		info("left out for %s (a %s target): %s (their targets do not include %s: "
		     "'ounce profiles' says what each is for)",
		     cross, kind, list, kind);
		free(list);
	}
	strv_release(&left);
	return k;
}

/* The profiles of the matrix, in stack order, for the cross toolchain (NULL:
 * native). Returns the count or -1 (reported). */
static int
select_profiles(struct profile_set *set, const struct project *p, const char *list,
		const char *toolchain, const char *recipe, const char *cross,
		struct profile ***out)
{
	struct strv names = STRV_INIT;
	size_t n = 0;

	if (list) {
		strv_split_list(&names, list);
	} else if (p->profiles.n) {
		strv_extend(&names, &p->profiles);
	}
	*out = xcalloc(set->n + names.n + 1, sizeof(**out));
	if (names.n) {
		for (size_t i = 0; i < names.n; i++) {
			struct profile *pr = profile_find(set, names.v[i]);

			if (!pr) {
				error("unknown profile '%s' (%s); 'ounce profiles' lists them",
				      names.v[i], list ? "--profiles" : "ounce.ini");
				strv_release(&names);
				return -1;
			}
			if (!profile_applies_to(pr, toolchain, recipe)) {
				error("profile '%s' (%s) has no [%s%s] section: it does not apply to "
				      "this project",
				      names.v[i], list ? "--profiles" : "ounce.ini",
				      toolchain ? "" : "recipe:", toolchain ? toolchain : recipe);
				strv_release(&names);
				return -1;
			}
			(*out)[n++] = pr;
		}
	} else {
		for (size_t i = 0; i < set->n; i++) {
			if (set->v[i]->in_default &&
			    profile_applies_to(set->v[i], toolchain, recipe)) {
				(*out)[n++] = set->v[i];
			}
		}
	}
	strv_release(&names);
	return (int)leave_out_for_target(*out, n, cross);
}

/* The builds of this project: the recipe's, with what ounce.ini adds to them,
 * then ounce.ini's own; each a copy the caller frees. Returns the count. */
static size_t
merge_builds(const struct recipe *r, const struct project *p, struct recipe_build ***out)
{
	size_t n = 0;

	*out = xcalloc(r->nbuilds + p->nbuilds + 1, sizeof(**out));
	for (size_t i = 0; i < r->nbuilds; i++) {
		(*out)[n] = recipe_build_new(r->builds[i]->name);
		recipe_build_merge((*out)[n++], r->builds[i]);
	}
	for (size_t i = 0; i < p->nbuilds; i++) {
		size_t j;

		for (j = 0; j < n && strcmp((*out)[j]->name, p->builds[i]->name); j++) {
		}
		if (j == n) {
			(*out)[n++] = recipe_build_new(p->builds[i]->name);
		}
		recipe_build_merge((*out)[j], p->builds[i]);
	}
	return n;
}

static int
find_build(struct recipe_build *const *b, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(b[i]->name, name)) {
			return (int)i;
		}
	}
	return -1;
}

/* The directories just below dir where a recipe other than the single-file one
 * detects a build system, as "FILE\tNAME" (the file that reveals it, the
 * directory's name), sorted, into out. Returns how many. */
static size_t
detect_below(const struct recipe_set *recipes, const char *dir, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		return 0;
	}
	while ((e = readdir(d))) {
		char *sub;
		const struct recipe *r;
		struct stat st;

		if (e->d_name[0] == '.') {
			continue;
		}
		sub = xasprintf("%s/%s", dir, e->d_name);
		r = lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) ? recipe_detect(recipes, sub, NULL)
								  : NULL;
		if (r && strcmp(r->name, "single")) {
			strv_push_owned(out, xasprintf("%s\t%s", recipe_detected_by(r, sub),
						       e->d_name));
		}
		free(sub);
	}
	closedir(d);
	strv_sort(out);
	return out->n;
}

/* "CMakeLists.txt in a/ and b/, Makefile in c/" from detect_below's list. */
static void
describe_below(const struct strv *below, struct buf *b)
{
	for (size_t i = 0; i < below->n; i++) {
		const char *tab = strchr(below->v[i], '\t');
		size_t n = (size_t)(tab - below->v[i]);
		bool same = i && !strncmp(below->v[i - 1], below->v[i], n + 1);
		bool more = i + 1 < below->n && !strncmp(below->v[i + 1], below->v[i], n + 1);

		if (!same) {
			buf_printf(b, "%s%.*s in ", i ? ", " : "", (int)n, below->v[i]);
		} else {
			buf_adds(b, more ? ", " : " and ");
		}
		buf_printf(b, "%s/", tab + 1);
	}
}

/* Makefiles at the top of dir that make does not read by itself (Makefile.unix,
 * makefile.linux; not automake's Makefile.am and Makefile.in), sorted, into out. */
static void
other_makefiles(const char *dir, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		return;
	}
	while ((e = readdir(d))) {
		if ((!strncmp(e->d_name, "Makefile.", 9) || !strncmp(e->d_name, "makefile.", 9)) &&
		    e->d_name[9] && strcmp(e->d_name + 9, "am") && strcmp(e->d_name + 9, "in")) {
			strv_push(out, e->d_name);
		}
	}
	closedir(d);
	strv_sort(out);
}

/* The recipe for dir: the first recipe_detect_all finds that skip does not name;
 * *next gets the one after it, tried when the first cannot configure the tree, or
 * NULL (never the single-file recipe, which stands for no build system: a tree
 * that has one is not built without it). */
static const struct recipe *
detect(const struct recipe_set *recipes, const char *dir, const struct strv *skip,
       const struct recipe **next)
{
	struct recipe **v;
	size_t n = recipe_detect_all(recipes, dir, &v);
	const struct recipe *r = NULL;

	*next = NULL;
	for (size_t i = 0; i < n && !*next; i++) {
		if (strv_has(skip, v[i]->name)) {
			continue;
		}
		if (!r) {
			r = v[i];
		} else if (strcmp(v[i]->name, "single")) {
			*next = v[i];
		}
	}
	free(v);
	return r;
}

/* A resumed run's totals include the interrupted run it goes on with (prev): the
 * builds, seconds and cache hits of both, less the hits that are only the
 * interrupted run's own cells coming back. */
static void
add_interrupted_part(struct results *res, const struct results *prev)
{
	for (size_t i = 0; i < res->ncells; i++) {
		const struct cell *c = res->cells[i], *p = results_find(prev, c->name);

		/* made by the interrupted part (built, or derived from a cell that was) */
		if (c->cached && p && !p->cached && p->status != CELL_PENDING &&
		    p->status != CELL_INTERRUPTED && p->status != CELL_SKIPPED &&
		    res->cache_hits > 0) {
			res->cache_hits--;
		}
	}
	res->builds_run += prev->builds_run;
	res->cache_hits += prev->cache_hits;
	res->wall_seconds += prev->wall_seconds;
	res->self_seconds += prev->self_seconds;
	res->measure_seconds += prev->measure_seconds;
}

/* Keep the cache under size bytes, this run's entries aside; a failure only warns
 * (the run's results are saved). */
static void
prune_cache(const struct cache *cache, unsigned long long size, time_t started)
{
	struct cache_pruned p;

	if (cache_prune(cache, size, started, &p) < 0) {
		warn("the cache was not brought under %.0f MB", (double)size / (1 << 20));
		return;
	}
	if (p.removed) {
		info("cache: %zu entr%s used least recently removed (%.1f MB), %.1f MB kept "
		     "(--cache-size %.0f MB)",
		     p.removed, p.removed == 1 ? "y" : "ies", (double)p.freed / (1 << 20),
		     (double)p.kept / (1 << 20), (double)size / (1 << 20));
	} else if (size && p.kept > size) {
		info("cache: %.1f MB, over --cache-size %.0f MB, all of it used by this run",
		     (double)p.kept / (1 << 20), (double)size / (1 << 20));
	}
}

/* rustc's host triple ("host: " of rustc -vV, kept in the tool memo of the cache
 * directory memo), or NULL when rustc does not say. The caller frees it. */
static char *
rust_host(const char *memo)
{
	char *rustc = spawn_which("rustc", NULL);
	char *out = rustc ? cache_tool_version(memo, rustc, "-vV") : NULL, *host = NULL;
	const char *p = out ? strstr(out, "\nhost: ") : NULL;

	if (p) {
		p += strlen("\nhost: ");
		host = xstrndup(p, strcspn(p, " \n"));
	}
	free(out);
	free(rustc);
	return host;
}

/* What every cell of the run shares, for the cache's keys; tree: the hash of the
 * run's snapshot (prepare_run). Returns 0 or -1 after reporting. */
static int
cache_context(const struct run *run, struct recipe_build *const *builds, size_t nbuilds,
	      const char *tree, struct strv *parts)
{
	struct buf b = BUF_INIT;

	char self[CACHE_KEY_LEN + 1];

	/* ounce's own executable: a rebuilt ounce never serves an older one's results */
	if (!cache_self_key(self)) {
		return error_errno("cannot read ounce's own executable '/proc/self/exe'");
	}
	strv_push_owned(parts, xasprintf("ounce %s exe=%s", OUNCE_VERSION, self));
	if (fs_read_file(run->recipe->file, &b) < 0) {
		return -1;
	}
	strv_push_owned(parts, xasprintf("recipe %s\n%s", run->recipe->name, buf_str(&b)));
	buf_release(&b);
	if (run->project->ini) {
		if (fs_read_file(run->project->ini, &b) < 0) {
			return -1;
		}
		strv_push_owned(parts, xasprintf("ounce.ini\n%s", buf_str(&b)));
		buf_release(&b);
	}
	/* each list a count and its strings, one part each: joined, a configure
	 * argument "a b" and the two "a", "b" had one key */
	for (size_t i = 0; i < nbuilds; i++) {
		const char *dir = builds[i]->artifact_dir;

		strv_push_owned(parts, xasprintf("build %s", builds[i]->name));
		cache_add_list(parts, "configure_args", &builds[i]->configure_args);
		cache_add_list(parts, "build_args", &builds[i]->build_args);
		cache_add_list(parts, "env", &builds[i]->env);
		strv_push_owned(parts, xasprintf("artifact_dir %s", dir ? dir : ""));
	}
	strv_push_owned(parts, xasprintf("smoke %s %g", run->smoke ? run->smoke : "",
					 run->smoke_timeout));
	strv_push_owned(parts, xasprintf("match %s", run->recipe_match ? run->recipe_match : ""));
	cache_add_environment(parts);
	/* the toolchain's versions are added by cache_init_async */
	strv_push_owned(parts, xasprintf("member %s", run->project->subdir));
	/* which files are measured (--artifact replaces ounce.ini's list) */
	cache_add_list(parts, "artifacts", &run->project->artifacts);
	/* hashed as it was copied: what every cell builds, whatever is edited since */
	strv_push_owned(parts, xasprintf("tree=%s", tree));
	return 0;
}

/* After a failed baseline: when the recipe could not configure the tree, say so in
 * one line, keep the log as WORKDIR/RECIPE-baseline.log, and put in again the
 * arguments of the run that tries the next recipe. Returns 0 then, else -1 (the
 * baseline failed for another reason, reported by sched_run). */
static int
fall_back_to(const struct run *run, const struct results *res, int argc, char **argv,
	     struct strv *again)
{
	const struct cell *b = res->baseline ? results_find(res, res->baseline) : NULL;
	char *log;

	if (!b || b->status != CELL_CONFIGURE_FAILED) {
		return -1;
	}
	log = xasprintf("%s/%s-baseline.log", run->workdir, run->recipe->name);
	if (!b->log || rename(b->log, log) < 0) {
		free(log);
		log = xstrdup(b->log ? b->log : "none");
	}
	warn("the %s recipe could not configure '%s': %s (log: %s); trying the %s recipe "
	     "(--recipe NAME forces one)",
	     run->recipe->name, run->project->name, b->reason ? b->reason : "configure failed",
	     log, run->fallback->name);
	free(log);
	strv_push(again, argv[0]);
	strv_push_owned(again, xasprintf("--not-recipe=%s", run->recipe->name));
	for (int i = 1; i < argc; i++) {
		strv_push(again, argv[i]);
	}
	return 0;
}

/* WORKDIR/lto: LTO code generation kept for the cells of one run (ltrans.h),
 * whose objects need not outlive it (the cache keeps the results). */
static void
remove_lto_dir(const struct run *run)
{
	char *dir = xasprintf("%s/lto", run->workdir);

	fs_remove_tree(dir);
	free(dir);
}

/* Everything one run of the matrix holds, from its options to its results, handed
 * from stage to stage (matrix_once) and freed by job_finish. */
struct matrix_job {
	int argc;
	char **argv;
	struct cache_lock *lk;	/* the work directory's lock, held from run to run */
	/* the arguments of the run that goes on from this one (--resume, or the next
	 * recipe), for cmd_matrix to run */
	struct strv again;
	struct matrix_opts o;
	char *data, *pdir, *rdir;	/* ounce's data directory, its profiles and recipes */
	struct profile_set set;
	struct recipe_set recipes;
	struct project proj;
	/* the recipe tried next when this one cannot configure the tree, or NULL */
	const struct recipe *next;
	char *cross;		/* the cross toolchain's prefix, or NULL: native */
	struct profile **selected;	/* the matrix's profiles, in stack order */
	int nselected;
	struct run run;
	struct jobserver js;
	bool js_open;
	struct sandbox *sandbox;
	struct distrib dist;	/* --distribute's hosts; dist.tool NULL: none */
	struct recipe_build **builds;	/* the recipe's and ounce.ini's */
	size_t nbuilds;
	struct strv wanted;	/* the names of the builds to run */
	char tree[STAGE_HASH_SIZE];	/* the hash of the run's snapshot */
	struct strv parts;	/* what every cell's cache key shares */
	char *cache_dir;	/* the cache directory (cache_dir_of) */
	struct cache cache;
	char *out_path;		/* results.json */
	struct results res;
	struct results prev;	/* the interrupted run this one goes on with */
	bool have_prev;
	int st;			/* the builds' status (sched_run's) */
	double t0;
	time_t started;
};

/* What a stage returns to let the next one run; anything else is the exit status. */
enum { GO_ON = -1 };

static int
parse_options(struct matrix_job *job)
{
	return matrix_opts_parse(&job->o, job->argc, job->argv);
}

/* ounce's profiles and recipes, from its data directory. */
static int
load_data(struct matrix_job *job)
{
	job->data = os_data_dir();
	if (!job->data) {
		return 1;
	}
	job->pdir = xasprintf("%s/profiles", job->data);
	job->rdir = xasprintf("%s/recipes", job->data);
	if (profile_load_dir(&job->set, job->pdir) < 0 ||
	    recipe_load_dir(&job->recipes, job->rdir) < 0) {
		return 2;
	}
	return GO_ON;
}

/* The arguments of the interrupted run old, with --resumed when it was not
 * complete, into again. */
static void
resumed_argv(const struct results *old, struct strv *again)
{
	strv_push(again, "matrix");
	if (!old->complete) {
		strv_push(again, "--resumed");
	}
	for (size_t i = 0; i < old->argv.n; i++) {
		/* a saved --resume (written by hand: ounce saves none) would resume
		 * again and again */
		if (!strcmp(old->argv.v[i], "--")) {
			for (; i < old->argv.n; i++) {
				strv_push(again, old->argv.v[i]);
			}
			break;
		}
		if (strcmp(old->argv.v[i], "--resume") && strcmp(old->argv.v[i], "--resumed")) {
			strv_push(again, old->argv.v[i]);
		}
	}
}

/* --resume: instead of a run, find the interrupted one, lock its work directory
 * and put its arguments in job->again. Returns GO_ON without --resume. */
static int
resume_instead(struct matrix_job *job)
{
	const struct matrix_opts *o = &job->o;
	struct results old = RESULTS_INIT;
	int st = 1;

	if (!o->resume) {
		return GO_ON;
	}
	/* with -w or -o, the run is found without the project (the current directory
	 * need not be it) */
	if (o->output || o->workdir) {
		job->run.workdir = fs_resolve_future(o->workdir ? o->workdir : ".");
	} else if (project_load(&job->proj, o->dir, &job->set) < 0) {
		return 2;
	} else {
		job->run.workdir = choose_workdir(NULL, &job->proj, &st);
	}
	if (!job->run.workdir) {
		return st;
	}
	job->out_path = o->output ? xstrdup(o->output)
				  : xasprintf("%s/results.json", job->run.workdir);
	if (!fs_exists(job->out_path)) {
		error("nothing to resume: no '%s' (name the run's work directory with -w or its "
		      "results with -o)",
		      job->out_path);
		return 1;
	}
	/* held on through the run that goes on (with -o alone, the work directory is
	 * not known yet: that run takes it) */
	if ((o->workdir || !o->output) &&
	    cache_lock_workdir(job->lk, job->run.workdir, o->wait) < 0) {
		return 1;
	}
	if (results_load(&old, job->out_path) < 0 || !old.argv.n) {
		if (!old.argv.n) {
			error_at(job->out_path, 0,
				 "no 'argv': not written by a matrix run that can be resumed");
		}
		results_release(&old);
		return 2;
	}
	resumed_argv(&old, &job->again);
	if (old.complete) {
		info("the run in '%s' was complete: running it again from the cache",
		     job->run.workdir);
	} else {
		char *q = spawn_quote_argv(strv_array(&job->again));

		info("resuming: ounce %s", q);
		free(q);
	}
	results_release(&old);
	return 0;
}

/* The project (ounce.ini), checked against the profiles' recipe sections; --build
 * replaces its build command. */
static int
load_project(struct matrix_job *job)
{
	const struct profile_set *set = &job->set;

	if (project_load(&job->proj, job->o.dir, &job->set) < 0) {
		return 2;
	}
	for (size_t i = 0; i < set->n; i++) {
		for (size_t j = 0; j < set->v[i]->nrecipes; j++) {
			const char *name = set->v[i]->recipes[j].recipe;

			if (!recipe_find(&job->recipes, name)) {
				error_at(set->v[i]->file, 0, "profile '%s' has a [recipe:%s] section, "
					 "but there is no recipe '%s'",
					 set->v[i]->name, name, name);
				return 2;
			}
		}
	}
	if (job->o.build_cmd) {
		/* the command line's build command replaces ounce.ini's */
		free(job->proj.build);
		job->proj.build = xstrdup(job->o.build_cmd);
	}
	return GO_ON;
}

/* The recipe --recipe or ounce.ini names. */
static int
named_recipe(struct matrix_job *job, const char *name)
{
	job->run.recipe = recipe_find(&job->recipes, name);
	if (!job->run.recipe) {
		error("unknown recipe '%s' (%s)", name, job->o.recipe ? "--recipe" : job->proj.ini);
		return 2;
	}
	/* a forced single-file recipe still needs its file */
	recipe_matches(job->run.recipe, job->proj.dir, &job->run.recipe_match);
	return GO_ON;
}

/* A checkout whose project is one directory down (libexpat's expat/), the one
 * entry of below: build that one, and say so. */
static int
move_to_the_one_below(struct matrix_job *job, const struct strv *below)
{
	struct project *proj = &job->proj;
	char *sub = xasprintf("%s/%s", proj->dir, strchr(below->v[0], '\t') + 1);
	int st;

	info("'%s' has no build system of its own; its directory '%s' has one: building that",
	     proj->dir, sub + strlen(proj->dir) + 1);
	project_release(proj);
	st = project_load(proj, sub, &job->set);
	free(sub);
	if (st < 0) {
		return 2;
	}
	job->run.recipe = detect(&job->recipes, proj->dir, &job->o.not_recipes, &job->next);
	return GO_ON;
}

/* No recipe detected: say so, with what might build the tree (another makefile,
 * the directories below that have a build system). */
static void
report_no_build_system(const struct project *proj, const struct strv *below)
{
	struct strv makefiles = STRV_INIT;
	struct buf found = BUF_INIT;

	other_makefiles(proj->dir, &makefiles);
	if (makefiles.n == 1) {
		buf_printf(&found, "; did you mean --build 'make -f %s'?", makefiles.v[0]);
	} else if (makefiles.n > 1) {
		char *list = strv_join(&makefiles, ", ");

		buf_printf(&found, "; did you mean --build 'make -f FILE' with one of %s?", list);
		free(list);
	} else if (below->n > 1) {
		buf_adds(&found, "; found ");
		describe_below(below, &found);
		buf_printf(&found, ": run 'ounce matrix %s/%s'", proj->dir,
			   strchr(below->v[0], '\t') + 1);
	} else {
		buf_adds(&found, "; name a recipe with 'recipe =' in [project] of ounce.ini, or a "
				 "command with --build");
	}
	error("%s: no known build system: no Makefile, and not exactly one .c file%s", proj->dir,
	      buf_str(&found));
	strv_release(&makefiles);
	buf_release(&found);
}

/* The single-file recipe chosen where a makefile make does not read by itself
 * sits: say how to build with that one instead. */
static void
note_other_makefile(struct matrix_job *job)
{
	struct strv makefiles = STRV_INIT;

	recipe_matches(job->run.recipe, job->proj.dir, &job->run.recipe_match);
	if (job->run.recipe_match) {
		other_makefiles(job->proj.dir, &makefiles);
	}
	if (makefiles.n) {
		info("'%s' has no Makefile: compiling '%s' alone; --build 'make -f %s' builds it "
		     "with '%s' instead",
		     job->proj.dir, job->run.recipe_match, makefiles.v[0], makefiles.v[0]);
	}
	strv_release(&makefiles);
}

/* The recipe that detects the project's build system, and the one to fall back to. */
static int
detect_recipe(struct matrix_job *job)
{
	struct strv below = STRV_INIT;
	int st = GO_ON;

	job->run.recipe = detect(&job->recipes, job->proj.dir, &job->o.not_recipes, &job->next);
	if (!job->run.recipe && job->proj.build) {
		/* nothing detected, but a build command: it runs in the tree, as the make
		 * recipe's does */
		job->run.recipe = recipe_find(&job->recipes, "make");
	}
	if (!job->run.recipe && !job->proj.ini &&
	    detect_below(&job->recipes, job->proj.dir, &below) == 1) {
		st = move_to_the_one_below(job, &below);
	}
	if (st == GO_ON && !job->run.recipe) {
		report_no_build_system(&job->proj, &below);
		st = 2;
	} else if (st == GO_ON) {
		note_other_makefile(job);
	}
	strv_release(&below);
	if (st == GO_ON && job->proj.configure) {
		/* ounce.ini's configure command would fail the same way */
		job->next = NULL;
	}
	return st;
}

/* Directories in the tree that are another build's (an in-tree build/ of Meson or
 * CMake, Cargo's target/): not copied into cells, and said so. */
static void
leave_out_build_dirs(struct matrix_job *job)
{
	struct strv found = STRV_INIT;
	char *list;

	project_exclude_build_dirs(&job->proj, &found);
	if (found.n) {
		strv_sort(&found);
		list = strv_join(&found, ", ");
		info("not copied into cells: %s (build directories in the tree: they hold another "
		     "build's outputs)",
		     list);
		free(list);
	}
	strv_release(&found);
}

/* The recipe: named, or detected. Then what it tells about the project: the build
 * system's own output directory, the Cargo workspace. */
static int
choose_recipe(struct matrix_job *job)
{
	const char *name = job->o.recipe ? job->o.recipe : job->proj.recipe;
	int st = name ? named_recipe(job, name) : detect_recipe(job);
	char *root;

	if (st != GO_ON) {
		return st;
	}
	/* the build system's own output directory is not copied into cells */
	strv_extend(&job->proj.exclude, &job->run.recipe->exclude);
	if (recipe_is_cargo(job->run.recipe) && (root = cargoconf_workspace_root(job->proj.dir))) {
		/* the workspace's Cargo.toml holds the members' [profile] settings (a
		 * member's own are ignored) and their Cargo.lock */
		project_set_stage_root(&job->proj, root);
		info("'%s' is a member of the Cargo workspace '%s': each cell copies the "
		     "workspace and builds the member",
		     job->proj.dir, root);
		free(root);
	}
	leave_out_build_dirs(job);
	return GO_ON;
}

/* The cross toolchain: --toolchain, else ounce.ini's, else the one the Makefile
 * names (said so), else none; its compiler must be installed. */
static int
choose_toolchain(struct matrix_job *job)
{
	const char *named = job->o.toolchain ? job->o.toolchain : job->proj.toolchain;
	char *where = NULL, *gcc;

	if (named) {
		job->cross = cross_prefix_parse(named);
	} else if (!recipe_is_cargo(job->run.recipe) &&
		   (job->cross = cross_detect_makefile(job->proj.dir, &where))) {
		info("toolchain %s, as %s says (toolchain = in ounce.ini or --toolchain "
		     "chooses another)",
		     job->cross, where);
		free(where);
	}
	if (job->cross && !strcmp(job->cross, "native")) {
		free(job->cross);
		job->cross = NULL;
	}
	if (!job->cross) {
		return GO_ON;
	}
	if (recipe_is_cargo(job->run.recipe)) {
		error("toolchain %s: a Cargo project chooses its target in its own configuration "
		      "(build.target), not with toolchain",
		      job->cross);
		return 2;
	}
	gcc = cross_tool(job->cross, "gcc");
	if (!(where = spawn_which(gcc, NULL))) {
		error("toolchain %s: its compiler '%s' is not installed (Debian package gcc-%s)",
		      job->cross, gcc, job->cross);
		free(gcc);
		return 2;
	}
	free(where);
	free(gcc);
	job->run.cross = job->cross;
	if (!job->o.smoke && !job->proj.smoke && strcmp(cross_kind(job->cross), "linux")) {
		/* nothing checks that the cells still work: say so */
		info("no smoke test: %s's programs do not run here, so the cells are measured "
		     "only (smoke = in ounce.ini, an emulator's command line, tests each)",
		     job->cross);
	}
	return GO_ON;
}

static int
choose_profiles(struct matrix_job *job)
{
	job->nselected = select_profiles(&job->set, &job->proj, job->o.profiles,
					 job->run.recipe->toolchain, job->run.recipe->name,
					 job->cross, &job->selected);
	return job->nselected < 0 ? 2 : GO_ON;
}

/* The work directory, made and locked; a results file outside the project. */
/* The cache directory: --cache, else ounce.ini's cache =, else WORKDIR/cache; never
 * in the project, whose tree ounce never writes (and hashes into the keys). No lock:
 * several runs may share it (cache.c). */
static int
choose_cache_dir(struct matrix_job *job)
{
	const char *named = job->o.cache ? job->o.cache : job->proj.cache;

	job->cache_dir = cache_dir_of(job->run.workdir, named);
	if (!job->cache_dir) {
		return named && !*named ? 2 : 1;
	}
	if (named && fs_path_inside(job->cache_dir, job->proj.stage_dir)) {
		error("the cache directory '%s' is inside the project '%s', which ounce never "
		      "writes; choose another with --cache",
		      job->cache_dir, job->proj.stage_dir);
		return 2;
	}
	if (job->o.cache) {
		/* written back for --resume as the absolute path */
		job->o.cache = job->cache_dir;
	}
	return GO_ON;
}

static int
claim_workdir(struct matrix_job *job)
{
	int st;

	job->run.workdir = choose_workdir(job->o.workdir, &job->proj, &st);
	if (!job->run.workdir) {
		return st;
	}
	if (job->o.output) {
		char *outp = fs_resolve_future(job->o.output);

		if (outp && fs_path_inside(outp, job->proj.stage_dir)) {
			error("the results file '%s' is inside the project '%s', which ounce never "
			      "writes; choose another with --output",
			      outp, job->proj.stage_dir);
			free(outp);
			return 2;
		}
		free(outp);
	}
	if (cache_lock_workdir(job->lk, job->run.workdir, job->o.wait) < 0) {
		return 1;
	}
	return choose_cache_dir(job);
}

/* --distribute (or ounce.ini's distribute =): the hosts, each checked to compile
 * as this machine does with the compilers of the matrix. */
static int
set_up_distribute(struct matrix_job *job)
{
	const char *d = job->o.distribute ? job->o.distribute : job->proj.distribute;
	struct strv cc = STRV_INIT;
	char *tmp;
	int rc;

	if (!d || !strcmp(d, "none")) {
		return GO_ON;
	}
	if (recipe_is_cargo(job->run.recipe)) {
		info("--distribute %s: rustc's compiles stay here (%s sends C compiles only, "
		     "such as those of build scripts)",
		     d, d);
	}
	strv_push_owned(&cc, job->cross ? cross_tool(job->cross, "gcc") : xstrdup("gcc"));
	for (int i = 0; i < job->nselected; i++) {
		const char *comp = job->selected[i]->compiler;

		if (comp && !strv_has(&cc, comp)) {
			strv_push(&cc, comp);
		}
	}
	tmp = xasprintf("%s/distcc-probe", job->run.workdir);
	rc = distrib_open(&job->dist, d, &cc, tmp, 60);
	free(tmp);
	strv_release(&cc);
	if (rc != 0) {
		return rc;
	}
	job->run.distrib = &job->dist;
	return GO_ON;
}

/* How many cells run at once and how many jobs each build runs: by the cores, by
 * the options, or by the slots of make's jobserver when ounce runs under one.
 * Compiles sent to distcc's hosts: the builds share the hosts' slots. */
static void
share_cores(struct matrix_job *job)
{
	struct run *run = &job->run;
	int slots = run->distrib && run->distrib->slots > os_ncpu() ? run->distrib->slots
								   : os_ncpu();

	run->jobs = job->o.jobs ? job->o.jobs : os_ncpu();
	run->build_jobs = slots / run->jobs > 0 ? slots / run->jobs : 1;
	run->cores = slots;
	if (job->o.build_jobs) {
		run->build_jobs = job->o.build_jobs;
		run->cores = 0;
	}
	job->js_open = true;
	if (jobserver_open(&job->js, getenv("MAKEFLAGS"))) {
		/* make hands out the job slots: a cell beyond the first takes one, and each
		 * build runs one job at a time, so ounce never holds more slots than make
		 * gave it */
		run->jobserver = &job->js;
		run->build_jobs = 1;
		run->cores = 0;
		info("running under make's jobserver: cells take job slots from make");
	}
}

/* The run's context from the options and the project; the compiler shims, the
 * signal handlers and the sandbox. */
static int
set_up_run(struct matrix_job *job)
{
	const struct matrix_opts *o = &job->o;
	struct run *run = &job->run;

	run->project = &job->proj;
	run->profiles = &job->set;
	run->self = os_self_exe();
	run->shimdir = xasprintf("%s/bin", run->workdir);
	if (recipe_is_cargo(run->recipe)) {
		run->rust_host = rust_host(job->cache_dir);
	}
	share_cores(job);
	run->reuse = !o->no_reuse;
	run->keep_cells = o->keep_cells;
	run->fresh = o->fresh;
	if (!o->no_reuse) {
		run->memo = cache_memo_new();
		run->ccache = spawn_which("ccache", NULL);
		if (!run->ccache) {
			warn("ccache is not installed: cells with the same compile flags do not "
			     "share objects");
		}
	}
	run->timeout = o->timeout;
	/* the command line's count replaces ounce.ini's */
	run->repeat = o->repeat ? o->repeat : job->proj.repeat;
	run->smoke = o->smoke ? o->smoke : job->proj.smoke;
	run->smoke_timeout = job->proj.smoke_timeout;
	run->metric = o->metric;
	strv_extend(&run->allow, &o->allow);
	if (o->artifacts.n) {
		/* the command line's list replaces ounce.ini's */
		strv_release(&job->proj.artifacts);
		strv_extend(&job->proj.artifacts, &o->artifacts);
	}
	run->target_glibc = o->target_glibc ? o->target_glibc : job->proj.target_glibc;
	run->bench = o->bench ? o->bench : job->proj.bench;
	run->bench_repeat = o->bench_repeat;
	run->bench_count = o->bench_count;
	if (bench_setup(run) < 0) {
		return 2;
	}
	if (!run->bench && o->max_slowdown) {
		error("--max-slowdown needs a workload to measure: --bench CMD, or bench = in "
		      "ounce.ini");
		return 2;
	}
	run->cancel = signals_install();
	if (!run->self || build_make_shims(run) < 0 ||
	    !(job->sandbox = sandbox_open(run, o->dir, !o->no_sandbox && job->proj.sandbox))) {
		return 1;
	}
	return GO_ON;
}

/* The builds to run (-b, else the recipe's first), each one the recipe or
 * ounce.ini knows. */
static int
choose_builds(struct matrix_job *job)
{
	struct buf known = BUF_INIT;

	job->nbuilds = merge_builds(job->run.recipe, &job->proj, &job->builds);
	if (job->o.builds) {
		strv_split_list(&job->wanted, job->o.builds);
	} else {
		strv_push(&job->wanted, job->builds[0]->name);
	}
	for (size_t i = 0; i < job->wanted.n; i++) {
		if (find_build(job->builds, job->nbuilds, job->wanted.v[i]) >= 0) {
			continue;
		}
		for (size_t j = 0; j < job->nbuilds; j++) {
			buf_printf(&known, "%s%s", j ? ", " : "", job->builds[j]->name);
		}
		error("unknown build '%s': the %s recipe knows %s (add others with [build NAME] "
		      "in ounce.ini)",
		      job->wanted.v[i], job->run.recipe->name, buf_str(&known));
		buf_release(&known);
		return 2;
	}
	return GO_ON;
}

/* The snapshot every cell copies, and its hash; configure.ac without configure:
 * generated there once. */
static int
snapshot_project(struct matrix_job *job)
{
	int st = prepare_run(&job->run, job->tree);

	return st != 0 ? st : GO_ON;
}

/* The cache of earlier runs' results, unless --no-reuse or the work directory
 * cannot hold one; keyed by what every cell shares. */
static int
open_cache(struct matrix_job *job)
{
	struct run *run = &job->run;
	/* the tool memo: kept with the cache, by machine (cache_tool_version) */
	const char *memo = run->fresh ? NULL : job->cache_dir;

	if (job->o.no_reuse || !cache_usable(job->cache_dir)) {
		return GO_ON;
	}
	if (cache_context(run, job->builds, job->nbuilds, job->tree, &job->parts) < 0) {
		return 1;
	}
	if (job->o.build_cmd) {
		strv_push_owned(&job->parts, xasprintf("--build %s", job->o.build_cmd));
	}
	if (run->cross) {
		/* the cross toolchain's compiler and strip, as the host's are, and the
		 * C library its compiler links (newlib's libc.a) */
		static const char *const tools[] = {"gcc", "strip"};
		char *cc = cross_tool(run->cross, "gcc");

		strv_push_owned(&job->parts, xasprintf("toolchain=%s", run->cross));
		for (size_t i = 0; i < sizeof(tools) / sizeof(*tools); i++) {
			char *tool = cross_tool(run->cross, tools[i]);
			char *path = spawn_which(tool, NULL);
			char *v = path ? cache_tool_version(memo, path, "--version") : NULL;

			strv_push_owned(&job->parts, xasprintf("%s=%s", tool, v ? v : "missing"));
			free(v);
			free(path);
			free(tool);
		}
		cache_add_libc(&job->parts, cc, memo);
		free(cc);
	}
	if (run->sandbox->ns) {
		/* a build that writes into the project fails only read-only */
		strv_push(&job->parts, "sandbox=read-only");
	}
	cache_init_async(&job->cache, job->cache_dir, &job->parts, recipe_is_cargo(run->recipe),
			 memo);
	run->cache = &job->cache;
	return GO_ON;
}

/* --strategy full builds every combination: refuse one of thousands of cells. */
static int
check_full_size(struct matrix_job *job)
{
	long long cells;

	if (job->o.strategy != MATRIX_STRATEGY_FULL) {
		return GO_ON;
	}
	cells = sched_full_cells(job->selected, (size_t)job->nselected);
	if (cells < 0 || cells > 4096) {
		error("--strategy full with %d profiles is %s cells: use --strategy search, or "
		      "fewer profiles with -p",
		      job->nselected, cells < 0 ? "millions of" : "thousands of");
		return 2;
	}
	return GO_ON;
}

/* results.json's path, the interrupted run this one goes on with (--resumed), and
 * what the results say about the run before any cell. */
static int
start_results(struct matrix_job *job)
{
	struct results *res = &job->res;
	const struct run *run = &job->run;

	job->out_path = job->o.output ? xstrdup(job->o.output)
				      : xasprintf("%s/results.json", run->workdir);
	if (job->o.resumed && fs_exists(job->out_path) &&
	    results_load(&job->prev, job->out_path) == 0 && !job->prev.complete) {
		job->have_prev = true;
	}
	res->strategy = xstrdup(matrix_strategy_name(job->o.strategy));
	res->repeat = run->repeat > 1 ? run->repeat : 0;
	matrix_opts_save_argv(&job->o, run->workdir, job->out_path, job->proj.dir, &res->argv);
	job->run.results_path = job->out_path;
	res->project = xstrdup(job->proj.name);
	res->project_dir = xstrdup(job->proj.dir);
	res->recipe = xstrdup(run->recipe->name);
	res->metric = xstrdup(run->metric);
	res->target_glibc = run->target_glibc ? xstrdup(run->target_glibc) : NULL;
	res->slowdown_limit = job->o.max_slowdown &&
			      speed_parse_percent(job->o.max_slowdown, &res->max_slowdown);
	if (job->o.max_rss) {
		uint64_t size = 0;

		units_parse_size(job->o.max_rss, &size);
		res->max_rss_kb = (long long)(size / 1024);
	}
	for (size_t i = 0; i < job->set.n; i++) {
		results_add_profile(res, job->set.v[i]);
	}
	return GO_ON;
}

/* The plan of one build: the cells --strategy asks for, the stack --stack keeps. */
static void
plan_build(const struct matrix_job *job, struct plan *plan)
{
	enum matrix_strategy s = job->o.strategy;

	plan_init(plan, job->selected, (size_t)job->nselected);
	plan->each = s == MATRIX_STRATEGY_BOTH || s == MATRIX_STRATEGY_EACH;
	plan->cumulative = s == MATRIX_STRATEGY_BOTH || s == MATRIX_STRATEGY_CUMULATIVE;
	plan->search = s == MATRIX_STRATEGY_SEARCH;
	plan->full = s == MATRIX_STRATEGY_FULL;
	plan->stack_all = job->o.stack == MATRIX_STACK_ALL;
	plan->allow_security = strv_has(&job->run.allow, "security");
}

/* Each build's matrix in turn, its status into job->st. When the first build's
 * baseline shows the recipe cannot configure the tree, end with 0 and the arguments
 * of the run that tries the next recipe in job->again. */
static int
run_builds(struct matrix_job *job)
{
	struct run *run = &job->run;
	bool base_failed = false;
	struct plan plan;
	int st = 0;

	remove_lto_dir(run);
	for (size_t i = 0; i < job->wanted.n && st == 0; i++) {
		int bst;

		run->build = job->builds[find_build(job->builds, job->nbuilds, job->wanted.v[i])];
		run->default_build = run->build == job->builds[0];
		plan_build(job, &plan);
		/* the first build's baseline tells whether the recipe configures the tree */
		run->fallback = i == 0 ? job->next : NULL;
		bst = sched_run(run, &plan, &job->res);
		plan_release(&plan);
		if (bst == 1 && run->fallback &&
		    !fall_back_to(run, &job->res, job->argc, job->argv, &job->again)) {
			return 0;
		}
		if (bst == 1 && i + 1 < job->wanted.n) {
			/* a failed baseline ends this build, not the others */
			st = 0;
			base_failed = true;
			continue;
		}
		st = bst;
	}
	job->st = st == 0 && base_failed ? 1 : st;
	return GO_ON;
}

/* The CPU time ounce itself used (user and system), 0 when it cannot be read. */
static double
self_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0) {
		return 0;
	}
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The run's totals, results.json saved, the cache pruned, and what the work
 * directory holds now. */
static int
save_results(struct matrix_job *job)
{
	struct results *res = &job->res;
	const struct run *run = &job->run;
	char *cells;

	remove_lto_dir(run);
	/* what --explain prints, read from the artifacts while they are all on disk
	 * (before the cache is pruned), so a table never reads an ELF file */
	explain_fill(res);
	res->complete = job->st >= 0 && job->st <= 1;
	res->wall_seconds = clock_now() - job->t0;
	res->self_seconds = self_seconds();
	if (job->have_prev) {
		add_interrupted_part(res, &job->prev);
	}
	info("%lld of %zu cells built, %lld from the cache, in %.1f s (ounce itself: %.2f s of "
	     "CPU, %.2f s of it measuring)",
	     res->builds_run, res->ncells, res->cache_hits, res->wall_seconds, res->self_seconds,
	     res->measure_seconds);
	if (res->repeat > 1) {
		size_t yes = 0, no = 0;

		for (size_t i = 0; i < res->ncells; i++) {
			yes += res->cells[i]->reproducible == CELL_REPRO_YES;
			no += res->cells[i]->reproducible == CELL_REPRO_NO;
		}
		info("--repeat %d: %zu cell%s reproducible, %zu not", res->repeat, yes,
		     yes == 1 ? "" : "s", no);
	}
	if (results_save(res, job->out_path) < 0) {
		return 1;
	}
	info("results: %s", job->out_path);
	if (run->cache) {
		prune_cache(run->cache, job->o.cache_size, job->started);
	}
	cells = xasprintf("%s/cells", run->workdir);
	if (fs_path_inside(job->cache_dir, run->workdir)) {
		info("work directory '%s': %.1f MB (cells %.1f MB%s, cache %.1f MB)", run->workdir,
		     (double)fs_tree_bytes(run->workdir) / 1e6, (double)fs_tree_bytes(cells) / 1e6,
		     run->keep_cells ? ", kept whole" : "",
		     (double)fs_tree_bytes(job->cache_dir) / 1e6);
	} else {
		info("work directory '%s': %.1f MB (cells %.1f MB%s); cache '%s': %.1f MB",
		     run->workdir, (double)fs_tree_bytes(run->workdir) / 1e6,
		     (double)fs_tree_bytes(cells) / 1e6, run->keep_cells ? ", kept whole" : "",
		     job->cache_dir, (double)fs_tree_bytes(job->cache_dir) / 1e6);
	}
	free(cells);
	return GO_ON;
}

/* The table on stdout (unless only a failed baseline is there to show), then the
 * winner rebuilt from its emitted form (--no-verify skips it). Returns the exit
 * status. */
static int
report(struct matrix_job *job)
{
	int st = job->st;

	if (st < 0) {
		return 1;
	}
	if (st != 1 || job->res.nrows > 1) {
		struct buf b = BUF_INIT;

		table_render_opts(&job->res, job->o.format, job->o.explain, job->o.per_artifact,
				  &b);
		fputs(buf_str(&b), stdout);
		fflush(stdout);
		buf_release(&b);
	}
	if (st == 0 && !job->o.no_verify &&
	    verify_run_winner(&job->res, job->out_path, &job->run.allow, job->o.timeout,
			      job->run.sandbox) < 0) {
		st = 1;
	}
	return st;
}

/* End the run: close the sandbox (a tree that changed fails a run that succeeded:
 * after the results are saved), free what job holds, and hand the arguments of the
 * run that goes on to again when the run succeeded. Returns the exit status. */
static int
job_finish(struct matrix_job *job, int rc, struct strv *again)
{
	struct run *run = &job->run;

	if (sandbox_close(job->sandbox) < 0 && rc == 0) {
		rc = 1;
	}
	if (job->js_open) {
		jobserver_close(&job->js);
	}
	cache_release(&job->cache);
	free(job->cache_dir);
	cache_memo_free(run->memo);
	strv_release(&job->parts);
	free(run->ccache);
	distrib_close(&job->dist);
	free(run->bench_counter);
	free(job->cross);
	results_release(&job->res);
	results_release(&job->prev);
	project_release(&job->proj);
	profile_set_release(&job->set);
	recipe_set_release(&job->recipes);
	matrix_opts_release(&job->o);
	strv_release(&run->allow);
	strv_release(&job->wanted);
	for (size_t i = 0; i < job->nbuilds; i++) {
		recipe_build_free(job->builds[i]);
	}
	free(job->builds);
	free(job->selected);
	free(run->recipe_match);
	free(run->prepared);
	free(run->workdir);
	free(run->self);
	free(run->shimdir);
	free(run->rust_host);
	free(job->data);
	free(job->pdir);
	free(job->rdir);
	free(job->out_path);
	if (job->again.n && rc == 0) {
		*again = job->again;
	} else {
		strv_release(&job->again);
	}
	return rc;
}

/* One run of the matrix from argv, holding the work directory's lock in lk. The
 * arguments of the run that goes on from this one (--resume, or the next recipe)
 * into again. Returns the exit status. */
static int
matrix_once(int argc, char **argv, struct cache_lock *lk, struct strv *again)
{
	/* in order; each returns GO_ON or the exit status to end the run with */
	static int (*const stages[])(struct matrix_job *) = {
		parse_options,
		load_data,
		resume_instead,
		load_project,
		choose_recipe,
		choose_toolchain,
		choose_profiles,
		claim_workdir,
		set_up_distribute,
		set_up_run,
		choose_builds,
		snapshot_project,
		open_cache,
		check_full_size,
		start_results,
		run_builds,
		save_results,
		report,
	};
	struct matrix_job job = {
		.argc = argc,
		.argv = argv,
		.lk = lk,
		.o = MATRIX_OPTS_INIT,
		.set = PROFILE_SET_INIT,
		.recipes = RECIPE_SET_INIT,
		.proj = PROJECT_INIT,
		.res = RESULTS_INIT,
		.prev = RESULTS_INIT,
		.t0 = clock_now(),
		.started = time(NULL),
	};
	int rc = GO_ON;

	for (size_t i = 0; rc == GO_ON && i < sizeof(stages) / sizeof(*stages); i++) {
		rc = stages[i](&job);
	}
	return job_finish(&job, rc, again);
}

int
cmd_matrix(int argc, char **argv)
{
	struct cache_lock lk = CACHE_LOCK_INIT;
	struct strv again = STRV_INIT;
	int rc = matrix_once(argc, argv, &lk, &again);

	/* each run that goes on from the one before runs after it, never inside it:
	 * no saved argv can make ounce recurse (the next recipe is tried at most once
	 * per recipe, and a resumed run resumes nothing) */
	for (int i = 0; again.n && rc == 0; i++) {
		struct strv next = STRV_INIT;

		if (i == 32) {
			error("ounce matrix went on from one run to the next 32 times: stopping");
			rc = 1;
			break;
		}
		rc = matrix_once((int)again.n, again.v, &lk, &next);
		strv_release(&again);
		again = next;
	}
	strv_release(&again);
	cache_unlock_workdir(&lk);
	return rc;
}
