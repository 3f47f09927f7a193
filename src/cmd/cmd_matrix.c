/* cmd_matrix.c: `ounce matrix [DIR]`: load profiles, recipe and project, plan the
 * cells, run them, save results.json and print the table. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/tmpl.h"
#include "base/units.h"
#include "config/cargoconf.h"
#include "config/profile.h"
#include "config/project.h"
#include "config/recipe.h"
#include "heap/heaplog.h"
#include "matrix/build.h"
#include "matrix/cache.h"
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
#include "os/spawn.h"
#include "report/result.h"
#include "report/table.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce matrix [options] [DIR]\n"
	"Rebuild the project in DIR (default .) under each size profile and print the table.\n"
	"  -j, --jobs N          cells built at once (default: number of cores)\n"
	"      --build-jobs N    jobs inside each build (default: the cores the cells\n"
	"                        running at the same time leave, at least 1)\n"
	"  -p, --profiles A,B    profiles to use, in stack order (default: the matrix's)\n"
	"  -s, --strategy S      each, cumulative, both (default), search (the smallest\n"
	"                        combination in few builds) or full (every combination)\n"
	"      --stack MODE      helpful: leave out of the stack a profile that grows the\n"
	"                        metric (default); all: keep every profile that builds\n"
	"  -m, --metric M        file, stripped, xz, gz, flash or ram (default file)\n"
	"  -a, --allow T         allow trade-off T in the stack and in the pick: security,\n"
	"                        abi (a cell that loses exported symbols or its SONAME)\n"
	"      --artifact PATH   measure this file (repeatable; relative to the build\n"
	"                        tree); default: every executable and shared library the\n"
	"                        build makes but test programs\n"
	"      --target-glibc V  the oldest glibc the artifacts must run on (e.g. 2.31):\n"
	"                        a cell that needs a newer one is not picked\n"
	"      --per-artifact    under each row, a line per artifact\n"
	"      --smoke CMD       smoke-test command; {artifact} is the first built file,\n"
	"                        {artifacts} all of them (default: load each artifact\n"
	"                        with every symbol bound)\n"
	"      --timeout SECS    limit for each configure, build or post-link step (600)\n"
	"      --recipe NAME     use this recipe instead of detecting one (default: the\n"
	"                        first that matches the tree and configures it)\n"
	"      --build CMD       build with this command instead of the recipe's (as\n"
	"                        'build =' in ounce.ini), e.g. 'make -f Makefile.unix'\n"
	"  -b, --builds A,B      the builds to run, each with its own baseline and table\n"
	"                        (default: the recipe's first, e.g. release; 'ounce profiles'\n"
	"                        does not list them: see the recipe and ounce.ini)\n"
	"  -w, --workdir DIR     where cells are built (default ./.ounce); one run at a\n"
	"                        time uses it\n"
	"      --wait            when another run uses the work directory, wait for it\n"
	"                        to end instead of failing\n"
	"  -o, --output FILE     where results.json goes (default WORKDIR/results.json)\n"
	"  -f, --format F        text, md, csv or json (default text)\n"
	"      --explain         under each row, the sections and symbols that changed most\n"
	"      --fresh           rebuild every cell: read no result from the cache\n"
	"      --cache-size SIZE keep the cache under SIZE (e.g. 500M, 4G; 0: no limit;\n"
	"                        default 2G), the entries used least recently going first\n"
	"      --keep-cells      keep each measured cell's whole tree (by default only its\n"
	"                        artifacts, link maps and logs stay)\n"
	"      --no-verify       do not rebuild the winner from the emitted form at the end\n"
	"                        (ounce pick --verify) to check it gives the same bytes\n"
	"      --no-sandbox      builds may write where they like (by default, where the\n"
	"                        machine allows it, the project is read-only to them)\n"
	"      --no-reuse        no cache, no shared objects, no cells from copies: every\n"
	"                        cell built from scratch (for checking, and benchmarks)\n"
	"      --resume          go on with the interrupted run whose results.json is in\n"
	"                        the work directory (or -o FILE), with its options\n"
	"  -q, --quiet / -v, --verbose\n";

static int
bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ounce: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

/* Is path inside (or equal to) dir? Both absolute and resolved. */
static bool
inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

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
		if (dir && inside(dir, p->stage_dir)) {
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
	if (inside(cwd, p->stage_dir)) {
		const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		unsigned long h = 5381;

		for (const char *s = p->dir; *s; s++) {
			h = h * 33 + (unsigned char)*s;
		}
		if (cache && *cache) {
			dir = xasprintf("%s/ounce/%s-%08lx", cache, p->name, h & 0xffffffffUL);
		} else {
			dir = xasprintf("%s/.cache/ounce/%s-%08lx", home ? home : "/tmp", p->name,
					h & 0xffffffffUL);
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

/* The profiles of the matrix, in stack order. Returns the count or -1 (reported). */
static int
select_profiles(struct profile_set *set, const struct project *p, const char *list,
		const char *toolchain, const char *recipe, struct profile ***out)
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
	return (int)n;
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

struct opts {
	int jobs, build_jobs;
	const char *profiles, *strategy, *stack, *metric, *smoke, *recipe, *workdir, *output;
	const char *format, *builds;
	const char *build_cmd;	/* --build */
	struct strv not_recipes;	/* recipes detection passes over: their baseline
					 * could not be configured */
	size_t explain;
	bool fresh, no_reuse, resume, resumed, keep_cells, no_verify, wait, no_sandbox;
	double timeout;
	unsigned long long cache_size;
	struct strv allow;
	struct strv artifacts;	/* --artifact */
	const char *target_glibc;
	bool per_artifact;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"jobs", required_argument, NULL, 'j'},
		{"build-jobs", required_argument, NULL, 'J'},
		{"profiles", required_argument, NULL, 'p'},
		{"strategy", required_argument, NULL, 's'},
		{"stack", required_argument, NULL, 'S'},
		{"metric", required_argument, NULL, 'm'},
		{"allow", required_argument, NULL, 'a'},
		{"smoke", required_argument, NULL, 'k'},
		{"artifact", required_argument, NULL, 'A'},
		{"target-glibc", required_argument, NULL, 'G'},
		{"per-artifact", no_argument, NULL, 'P'},
		{"timeout", required_argument, NULL, 't'},
		{"recipe", required_argument, NULL, 'r'},
		{"builds", required_argument, NULL, 'b'},
		{"workdir", required_argument, NULL, 'w'},
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"explain", no_argument, NULL, 'x'},
		{"fresh", no_argument, NULL, 'F'},
		{"cache-size", required_argument, NULL, 'C'},
		{"no-reuse", no_argument, NULL, 'N'},
		{"resume", no_argument, NULL, 'R'},
		/* internal: this run goes on with the interrupted one at -o, whose
		 * totals it adds to its own */
		{"resumed", no_argument, NULL, 'U'},
		{"keep-cells", no_argument, NULL, 'K'},
		{"wait", no_argument, NULL, 'W'},
		{"no-verify", no_argument, NULL, 'Y'},
		{"no-sandbox", no_argument, NULL, 'Z'},
		{"build", required_argument, NULL, 'B'},
		/* internal: detection passes over this recipe, whose baseline could not
		 * be configured (the run that falls back adds it) */
		{"not-recipe", required_argument, NULL, 'X'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j:p:s:m:a:b:w:o:f:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->jobs = (int)strtol(optarg, &end, 10);
			if (*end || o->jobs < 1 || o->jobs > 256) {
				return bad_usage("-j needs a number from 1 to 256, not '%s'", optarg);
			}
			break;
		case 'J':
			o->build_jobs = (int)strtol(optarg, &end, 10);
			if (*end || o->build_jobs < 1 || o->build_jobs > 256) {
				return bad_usage("--build-jobs needs a number from 1 to 256, not '%s'",
						 optarg);
			}
			break;
		case 'p':
			o->profiles = optarg;
			break;
		case 's':
			o->strategy = optarg;
			break;
		case 'S':
			o->stack = optarg;
			break;
		case 'm':
			o->metric = optarg;
			break;
		case 'a':
			strv_split_list(&o->allow, optarg);
			break;
		case 'k': {
			/* checked as ounce.ini's smoke is: once, not in every cell */
			char errbuf[256];
			const char *err;

			if (tmpl_check(optarg, TMPL_SMOKE, errbuf, (int)sizeof(errbuf), &err) < 0) {
				error("--smoke: %s", err);
				return 2;
			}
			o->smoke = optarg;
			break;
		}
		case 'A':
			if (!*optarg || optarg[0] == '/' || strstr(optarg, "..")) {
				return bad_usage("--artifact needs a path inside the build tree, not "
						 "'%s'",
						 optarg);
			}
			strv_push(&o->artifacts, optarg);
			break;
		case 'G':
			if (!project_glibc_valid(optarg)) {
				return bad_usage("--target-glibc needs a glibc release such as 2.31, "
						 "not '%s'",
						 optarg);
			}
			o->target_glibc = optarg;
			break;
		case 'P':
			o->per_artifact = true;
			break;
		case 't':
			o->timeout = strtod(optarg, &end);
			if (*end || !(o->timeout > 0)) {
				return bad_usage("--timeout needs a number of seconds, not '%s'", optarg);
			}
			break;
		case 'r':
			o->recipe = optarg;
			break;
		case 'b':
			o->builds = optarg;
			break;
		case 'w':
			o->workdir = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'x':
			o->explain = 3;
			break;
		case 'F':
			o->fresh = true;
			break;
		case 'C': {
			uint64_t v;

			if (!units_parse_size(optarg, &v)) {
				return bad_usage("--cache-size needs a size such as 500M or 4G, not '%s'",
						 optarg);
			}
			o->cache_size = v;
			break;
		}
		case 'N':
			o->no_reuse = true;
			break;
		case 'R':
			o->resume = true;
			break;
		case 'U':
			o->resumed = true;
			break;
		case 'K':
			o->keep_cells = true;
			break;
		case 'W':
			o->wait = true;
			break;
		case 'Y':
			o->no_verify = true;
			break;
		case 'Z':
			o->no_sandbox = true;
			break;
		case 'B':
			if (!optarg[strspn(optarg, " \t")]) {
				return bad_usage("--build needs a command, not '%s'", optarg);
			}
			o->build_cmd = optarg;
			break;
		case 'X':
			strv_push(&o->not_recipes, optarg);
			break;
		case 'q':
			log_adjust(-1);
			break;
		case 'v':
			log_adjust(1);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
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

/* The options of this run as arguments of `ounce matrix`, with absolute paths,
 * for --resume. */
static void
saved_argv(const struct opts *o, const struct run *run, const char *out_path, struct strv *out)
{
	if (o->jobs) {
		strv_push_owned(out, xasprintf("--jobs=%d", o->jobs));
	}
	if (o->build_jobs) {
		strv_push_owned(out, xasprintf("--build-jobs=%d", o->build_jobs));
	}
	if (o->profiles) {
		strv_push_owned(out, xasprintf("--profiles=%s", o->profiles));
	}
	if (o->strategy) {
		strv_push_owned(out, xasprintf("--strategy=%s", o->strategy));
	}
	if (o->stack) {
		strv_push_owned(out, xasprintf("--stack=%s", o->stack));
	}
	strv_push_owned(out, xasprintf("--metric=%s", o->metric));
	for (size_t i = 0; i < o->allow.n; i++) {
		strv_push_owned(out, xasprintf("--allow=%s", o->allow.v[i]));
	}
	if (o->smoke) {
		strv_push_owned(out, xasprintf("--smoke=%s", o->smoke));
	}
	for (size_t i = 0; i < o->artifacts.n; i++) {
		strv_push_owned(out, xasprintf("--artifact=%s", o->artifacts.v[i]));
	}
	if (o->target_glibc) {
		strv_push_owned(out, xasprintf("--target-glibc=%s", o->target_glibc));
	}
	if (o->per_artifact) {
		strv_push(out, "--per-artifact");
	}
	strv_push_owned(out, xasprintf("--timeout=%g", o->timeout));
	if (o->recipe) {
		strv_push_owned(out, xasprintf("--recipe=%s", o->recipe));
	}
	for (size_t i = 0; i < o->not_recipes.n; i++) {
		strv_push_owned(out, xasprintf("--not-recipe=%s", o->not_recipes.v[i]));
	}
	if (o->build_cmd) {
		strv_push_owned(out, xasprintf("--build=%s", o->build_cmd));
	}
	if (o->builds) {
		strv_push_owned(out, xasprintf("--builds=%s", o->builds));
	}
	strv_push_owned(out, xasprintf("--workdir=%s", run->workdir));
	strv_push_owned(out, xasprintf("--output=%s", out_path));
	if (o->format) {
		strv_push_owned(out, xasprintf("--format=%s", o->format));
	}
	if (o->explain) {
		strv_push(out, "--explain");
	}
	if (o->no_reuse) {
		strv_push(out, "--no-reuse");
	}
	if (o->keep_cells) {
		strv_push(out, "--keep-cells");
	}
	if (o->no_verify) {
		strv_push(out, "--no-verify");
	}
	if (o->no_sandbox) {
		strv_push(out, "--no-sandbox");
	}
	strv_push_owned(out, xasprintf("--cache-size=%llu", o->cache_size));
	strv_push(out, "--");
	strv_push(out, run->project->dir);
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

/* rustc's host triple ("host: " of rustc -vV, kept in the cache's tool memo of
 * workdir), or NULL when rustc does not say. The caller frees it. */
static char *
rust_host(const char *workdir)
{
	char *rustc = spawn_which("rustc", NULL), *memo = xasprintf("%s/cache", workdir);
	char *out = rustc ? cache_tool_version(memo, rustc, "-vV") : NULL, *host = NULL;
	const char *p = out ? strstr(out, "\nhost: ") : NULL;

	if (p) {
		p += strlen("\nhost: ");
		host = xstrndup(p, strcspn(p, " \n"));
	}
	free(out);
	free(memo);
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

/* One run of the matrix from argv, holding the work directory's lock in lk. The
 * arguments of the run that goes on from this one (--resume, or the next recipe)
 * into again. Returns the exit status. */
static int
matrix_once(int argc, char **argv, struct cache_lock *lk, struct strv *again)
{
	struct opts o = {0};
	struct profile_set set = PROFILE_SET_INIT;
	struct recipe_set recipes = RECIPE_SET_INIT;
	struct project proj = PROJECT_INIT;
	struct results res = RESULTS_INIT, prev = RESULTS_INIT;
	bool have_prev = false;
	struct profile **selected = NULL;
	struct run run;
	struct plan plan;
	struct recipe_build **builds = NULL;
	size_t nbuilds = 0;
	struct strv wanted = STRV_INIT, parts = STRV_INIT, resume = STRV_INIT;
	struct cache cache = {0};
	struct sandbox *sandbox = NULL;
	struct jobserver js;
	bool js_open = false;
	double t0 = clock_now();
	time_t started = time(NULL);
	bool base_failed = false;
	/* the recipe tried next when this one cannot configure the tree, or NULL */
	const struct recipe *next = NULL;
	enum table_format fmt = TABLE_TEXT;
	char *data = NULL, *pdir = NULL, *rdir = NULL, *out_path = NULL;
	char tree[STAGE_HASH_SIZE] = "";
	int rc = 1, n, st;

	memset(&run, 0, sizeof(run));
	o.metric = "file";
	o.timeout = 600;
	o.cache_size = 2ULL << 30;
	st = parse(argc, argv, &o);
	if (st >= 0) {
		strv_release(&o.allow);
		strv_release(&o.artifacts);
		strv_release(&o.not_recipes);
		return st;
	}
	if (argc - optind > 1) {
		strv_release(&o.allow);
		strv_release(&o.artifacts);
		strv_release(&o.not_recipes);
		return bad_usage("too many arguments: '%s'", argv[optind + 1]);
	}
	if (o.format && !table_format_parse(o.format, &fmt)) {
		return bad_usage("unknown format '%s': expected text, md, csv or json", o.format);
	}
	if (!metric_valid(o.metric)) {
		return bad_usage("unknown metric '%s': expected file, stripped, xz, gz, flash or ram",
				 o.metric);
	}
	if (o.strategy && strcmp(o.strategy, "each") && strcmp(o.strategy, "cumulative") &&
	    strcmp(o.strategy, "both") && strcmp(o.strategy, "search") &&
	    strcmp(o.strategy, "full")) {
		return bad_usage("unknown strategy '%s': expected each, cumulative, both, search or "
				 "full",
				 o.strategy);
	}
	if (o.stack && strcmp(o.stack, "helpful") && strcmp(o.stack, "all")) {
		return bad_usage("unknown stack mode '%s': expected helpful or all", o.stack);
	}
	for (size_t i = 0; i < o.allow.n; i++) {
		if (strcmp(o.allow.v[i], "security") && strcmp(o.allow.v[i], "abi")) {
			return bad_usage("--allow takes 'security' or 'abi', not '%s'", o.allow.v[i]);
		}
	}

	data = os_data_dir();
	if (!data) {
		goto out;
	}
	pdir = xasprintf("%s/profiles", data);
	rdir = xasprintf("%s/recipes", data);
	if (profile_load_dir(&set, pdir) < 0 || recipe_load_dir(&recipes, rdir) < 0) {
		rc = 2;
		goto out;
	}
	if (o.resume) {
		struct results old = RESULTS_INIT;

		/* with -w or -o, the run is found without the project (the current
		 * directory need not be it) */
		if (o.output || o.workdir) {
			run.workdir = fs_resolve_future(o.workdir ? o.workdir : ".");
		} else if (project_load(&proj, optind < argc ? argv[optind] : ".", &set) < 0) {
			rc = 2;
			goto out;
		} else {
			run.workdir = choose_workdir(NULL, &proj, &rc);
		}
		if (!run.workdir) {
			goto out;
		}
		out_path = o.output ? xstrdup(o.output) : xasprintf("%s/results.json", run.workdir);
		if (!fs_exists(out_path)) {
			error("nothing to resume: no '%s' (name the run's work directory with -w or "
			      "its results with -o)",
			      out_path);
			rc = 1;
			goto out;
		}
		/* held on through the run that goes on (with -o alone, the work
		 * directory is not known yet: that run takes it) */
		if ((o.workdir || !o.output) && cache_lock_workdir(lk, run.workdir, o.wait) < 0) {
			rc = 1;
			goto out;
		}
		if (results_load(&old, out_path) < 0 || !old.argv.n) {
			if (!old.argv.n) {
				error_at(out_path, 0, "no 'argv': not written by a matrix run that "
					 "can be resumed");
			}
			results_release(&old);
			rc = 2;
			goto out;
		}
		strv_push(&resume, "matrix");
		if (!old.complete) {
			strv_push(&resume, "--resumed");
		}
		for (size_t i = 0; i < old.argv.n; i++) {
			/* a saved --resume (written by hand: ounce saves none) would
			 * resume again and again */
			if (!strcmp(old.argv.v[i], "--")) {
				for (; i < old.argv.n; i++) {
					strv_push(&resume, old.argv.v[i]);
				}
				break;
			}
			if (strcmp(old.argv.v[i], "--resume") &&
			    strcmp(old.argv.v[i], "--resumed")) {
				strv_push(&resume, old.argv.v[i]);
			}
		}
		if (old.complete) {
			info("the run in '%s' was complete: running it again from the cache",
			     run.workdir);
		} else {
			char *q = spawn_quote_argv(strv_array(&resume));

			info("resuming: ounce %s", q);
			free(q);
		}
		results_release(&old);
		rc = 0;
		goto out;
	}
	st = project_load(&proj, optind < argc ? argv[optind] : ".", &set);
	if (st < 0) {
		rc = 2;
		goto out;
	}
	for (size_t i = 0; i < set.n; i++) {
		for (size_t j = 0; j < set.v[i]->nrecipes; j++) {
			if (!recipe_find(&recipes, set.v[i]->recipes[j].recipe)) {
				error_at(set.v[i]->file, 0, "profile '%s' has a [recipe:%s] section, "
					 "but there is no recipe '%s'",
					 set.v[i]->name, set.v[i]->recipes[j].recipe,
					 set.v[i]->recipes[j].recipe);
				rc = 2;
				goto out;
			}
		}
	}
	const char *rname = o.recipe ? o.recipe : proj.recipe;
	if (o.build_cmd) {
		/* the command line's build command replaces ounce.ini's */
		free(proj.build);
		proj.build = xstrdup(o.build_cmd);
	}
	if (rname) {
		run.recipe = recipe_find(&recipes, rname);
		if (!run.recipe) {
			error("unknown recipe '%s' (%s)", rname, o.recipe ? "--recipe" : proj.ini);
			rc = 2;
			goto out;
		}
		/* a forced single-file recipe still needs its file */
		recipe_matches(run.recipe, proj.dir, &run.recipe_match);
	} else {
		struct strv below = STRV_INIT, makefiles = STRV_INIT;
		struct buf found = BUF_INIT;

		run.recipe = detect(&recipes, proj.dir, &o.not_recipes, &next);
		if (!run.recipe && proj.build) {
			/* nothing detected, but a build command: it runs in the tree, as
			 * the make recipe's does */
			run.recipe = recipe_find(&recipes, "make");
		}
		if (!run.recipe && !proj.ini && detect_below(&recipes, proj.dir, &below) == 1) {
			/* a checkout whose project is one directory down (libexpat's
			 * expat/): build that one, and say so */
			char *sub = xasprintf("%s/%s", proj.dir, strchr(below.v[0], '\t') + 1);

			info("'%s' has no build system of its own; its directory '%s' has "
			     "one: building that",
			     proj.dir, sub + strlen(proj.dir) + 1);
			project_release(&proj);
			st = project_load(&proj, sub, &set);
			free(sub);
			if (st < 0) {
				strv_release(&below);
				rc = 2;
				goto out;
			}
			run.recipe = detect(&recipes, proj.dir, &o.not_recipes, &next);
		}
		if (!run.recipe) {
			other_makefiles(proj.dir, &makefiles);
			if (makefiles.n == 1) {
				buf_printf(&found, "; did you mean --build 'make -f %s'?",
					   makefiles.v[0]);
			} else if (makefiles.n > 1) {
				char *list = strv_join(&makefiles, ", ");

				buf_printf(&found, "; did you mean --build 'make -f FILE' with one of %s?",
					   list);
				free(list);
			} else if (below.n > 1) {
				buf_adds(&found, "; found ");
				describe_below(&below, &found);
				buf_printf(&found, ": run 'ounce matrix %s/%s'", proj.dir,
					   strchr(below.v[0], '\t') + 1);
			} else {
				buf_adds(&found, "; name a recipe with 'recipe =' in [project] of "
						 "ounce.ini, or a command with --build");
			}
			error("%s: no known build system: no Makefile, and not exactly one .c file%s",
			      proj.dir, buf_str(&found));
		} else {
			recipe_matches(run.recipe, proj.dir, &run.recipe_match);
			if (run.recipe_match) {
				other_makefiles(proj.dir, &makefiles);
			}
			if (makefiles.n) {
				info("'%s' has no Makefile: compiling '%s' alone; --build 'make -f %s' "
				     "builds it with '%s' instead",
				     proj.dir, run.recipe_match, makefiles.v[0], makefiles.v[0]);
			}
		}
		strv_release(&below);
		strv_release(&makefiles);
		buf_release(&found);
		if (!run.recipe) {
			rc = 2;
			goto out;
		}
		if (proj.configure) {
			/* ounce.ini's configure command would fail the same way */
			next = NULL;
		}
	}
	/* the build system's own output directory is not copied into cells */
	strv_extend(&proj.exclude, &run.recipe->exclude);
	if (recipe_is_cargo(run.recipe)) {
		char *root = cargoconf_workspace_root(proj.dir);

		if (root) {
			/* the workspace's Cargo.toml holds the members' [profile] settings
			 * (a member's own are ignored) and their Cargo.lock */
			project_set_stage_root(&proj, root);
			info("'%s' is a member of the Cargo workspace '%s': each cell copies the "
			     "workspace and builds the member",
			     proj.dir, root);
			free(root);
		}
	}
	n = select_profiles(&set, &proj, o.profiles, run.recipe->toolchain, run.recipe->name,
			    &selected);
	if (n < 0) {
		rc = 2;
		goto out;
	}
	run.workdir = choose_workdir(o.workdir, &proj, &rc);
	if (!run.workdir) {
		goto out;
	}
	if (o.output) {
		char *outp = fs_resolve_future(o.output);

		if (outp && inside(outp, proj.stage_dir)) {
			error("the results file '%s' is inside the project '%s', which ounce never "
			      "writes; choose another with --output",
			      outp, proj.stage_dir);
			free(outp);
			rc = 2;
			goto out;
		}
		free(outp);
	}
	if (cache_lock_workdir(lk, run.workdir, o.wait) < 0) {
		rc = 1;
		goto out;
	}
	run.project = &proj;
	run.profiles = &set;
	run.self = os_self_exe();
	run.shimdir = xasprintf("%s/bin", run.workdir);
	if (recipe_is_cargo(run.recipe)) {
		run.rust_host = rust_host(run.workdir);
	}
	run.jobs = o.jobs ? o.jobs : os_ncpu();
	run.build_jobs = os_ncpu() / run.jobs > 0 ? os_ncpu() / run.jobs : 1;
	run.cores = os_ncpu();
	if (o.build_jobs) {
		run.build_jobs = o.build_jobs;
		run.cores = 0;
	}
	js_open = true;
	if (jobserver_open(&js, getenv("MAKEFLAGS"))) {
		/* make hands out the job slots: a cell beyond the first takes one, and
		 * each build runs one job at a time, so ounce never holds more slots
		 * than make gave it */
		run.jobserver = &js;
		run.build_jobs = 1;
		run.cores = 0;
		info("running under make's jobserver: cells take job slots from make");
	}
	run.reuse = !o.no_reuse;
	run.keep_cells = o.keep_cells;
	run.fresh = o.fresh;
	if (!o.no_reuse) {
		run.memo = cache_memo_new();
		run.ccache = spawn_which("ccache", NULL);
		if (!run.ccache) {
			warn("ccache is not installed: cells with the same compile flags do not "
			     "share objects");
		}
	}
	run.timeout = o.timeout;
	run.smoke = o.smoke ? o.smoke : proj.smoke;
	run.smoke_timeout = proj.smoke_timeout;
	run.metric = o.metric;
	run.stack_all = o.stack && !strcmp(o.stack, "all");
	strv_extend(&run.allow, &o.allow);
	if (o.artifacts.n) {
		/* the command line's list replaces ounce.ini's */
		strv_release(&proj.artifacts);
		strv_extend(&proj.artifacts, &o.artifacts);
	}
	run.target_glibc = o.target_glibc ? o.target_glibc : proj.target_glibc;
	run.cancel = sched_install_signals();
	if (!run.self || build_make_shims(&run) < 0 ||
	    !(sandbox = sandbox_open(&run, optind < argc ? argv[optind] : ".",
				     !o.no_sandbox && proj.sandbox))) {
		goto out;
	}
	nbuilds = merge_builds(run.recipe, &proj, &builds);
	if (o.builds) {
		strv_split_list(&wanted, o.builds);
	} else {
		strv_push(&wanted, builds[0]->name);
	}
	for (size_t i = 0; i < wanted.n; i++) {
		if (find_build(builds, nbuilds, wanted.v[i]) < 0) {
			struct buf known = BUF_INIT;

			for (size_t j = 0; j < nbuilds; j++) {
				buf_printf(&known, "%s%s", j ? ", " : "", builds[j]->name);
			}
			error("unknown build '%s': the %s recipe knows %s (add others with [build "
			      "NAME] in ounce.ini)",
			      wanted.v[i], run.recipe->name, buf_str(&known));
			buf_release(&known);
			rc = 2;
			goto out;
		}
	}
	/* the snapshot every cell copies, and its hash; configure.ac without
	 * configure: generated there once */
	st = prepare_run(&run, tree);
	if (st != 0) {
		rc = st;
		goto out;
	}

	if (!o.no_reuse && cache_usable(run.workdir)) {
		if (cache_context(&run, builds, nbuilds, tree, &parts) < 0) {
			goto out;
		}
		if (o.build_cmd) {
			strv_push_owned(&parts, xasprintf("--build %s", o.build_cmd));
		}
		if (run.sandbox->ns) {
			/* a build that writes into the project fails only read-only */
			strv_push(&parts, "sandbox=read-only");
		}
		char *memo = xasprintf("%s/cache", run.workdir);

		cache_init_async(&cache, run.workdir, &parts, recipe_is_cargo(run.recipe),
				 run.fresh ? NULL : memo);
		free(memo);
		run.cache = &cache;
	}
	{
		long long cells = -1;

		if (o.strategy && !strcmp(o.strategy, "full") &&
		    ((cells = sched_full_cells(selected, (size_t)n)) < 0 || cells > 4096)) {
			error("--strategy full with %d profiles is %s cells: use --strategy search, "
			      "or fewer profiles with -p",
			      n, cells < 0 ? "millions of" : "thousands of");
			rc = 2;
			goto out;
		}
	}
	out_path = o.output ? xstrdup(o.output) : xasprintf("%s/results.json", run.workdir);
	if (o.resumed && fs_exists(out_path) && results_load(&prev, out_path) == 0 &&
	    !prev.complete) {
		have_prev = true;
	}
	res.strategy = xstrdup(o.strategy ? o.strategy : "both");
	saved_argv(&o, &run, out_path, &res.argv);
	run.results_path = out_path;
	res.project = xstrdup(proj.name);
	res.project_dir = xstrdup(proj.dir);
	res.recipe = xstrdup(run.recipe->name);
	res.metric = xstrdup(run.metric);
	res.target_glibc = run.target_glibc ? xstrdup(run.target_glibc) : NULL;
	for (size_t i = 0; i < set.n; i++) {
		results_add_profile(&res, set.v[i]);
	}
	st = 0;
	remove_lto_dir(&run);
	for (size_t i = 0; i < wanted.n && st == 0; i++) {
		int bst;

		run.build = builds[find_build(builds, nbuilds, wanted.v[i])];
		run.default_build = run.build == builds[0];
		plan_init(&plan, selected, (size_t)n);
		plan.each = !o.strategy || !strcmp(o.strategy, "both") ||
			    !strcmp(o.strategy, "each");
		plan.cumulative = !o.strategy || !strcmp(o.strategy, "both") ||
				  !strcmp(o.strategy, "cumulative");
		plan.search = o.strategy && !strcmp(o.strategy, "search");
		plan.full = o.strategy && !strcmp(o.strategy, "full");
		plan.stack_all = run.stack_all;
		plan.allow_security = strv_has(&run.allow, "security");
		/* the first build's baseline tells whether the recipe configures the tree */
		run.fallback = i == 0 ? next : NULL;
		bst = sched_run(&run, &plan, &res);
		plan_release(&plan);
		if (bst == 1 && run.fallback && !fall_back_to(&run, &res, argc, argv, &resume)) {
			rc = 0;
			goto out;
		}
		if (bst == 1 && i + 1 < wanted.n) {
			/* a failed baseline ends this build, not the others */
			st = 0;
			base_failed = true;
			continue;
		}
		st = bst;
	}
	if (st == 0 && base_failed) {
		st = 1;
	}
	remove_lto_dir(&run);
	res.complete = st >= 0 && st <= 1;
	res.wall_seconds = clock_now() - t0;
	{
		struct rusage ru;

		if (getrusage(RUSAGE_SELF, &ru) == 0) {
			res.self_seconds = (double)ru.ru_utime.tv_sec +
					   (double)ru.ru_utime.tv_usec / 1e6 +
					   (double)ru.ru_stime.tv_sec +
					   (double)ru.ru_stime.tv_usec / 1e6;
		}
	}
	if (have_prev) {
		add_interrupted_part(&res, &prev);
	}
	info("%lld of %zu cells built, %lld from the cache, in %.1f s (ounce itself: %.2f s of "
	     "CPU, %.2f s of it measuring)",
	     res.builds_run, res.ncells, res.cache_hits, res.wall_seconds, res.self_seconds,
	     res.measure_seconds);
	if (results_save(&res, out_path) < 0) {
		rc = 1;
		goto out;
	}
	info("results: %s", out_path);
	if (run.cache) {
		prune_cache(run.cache, o.cache_size, started);
	}
	{
		char *cells = xasprintf("%s/cells", run.workdir);
		char *store = xasprintf("%s/cache", run.workdir);

		info("work directory '%s': %.1f MB (cells %.1f MB%s, cache %.1f MB)", run.workdir,
		     (double)fs_tree_bytes(run.workdir) / 1e6, (double)fs_tree_bytes(cells) / 1e6,
		     run.keep_cells ? ", kept whole" : "", (double)fs_tree_bytes(store) / 1e6);
		free(cells);
		free(store);
	}
	if (st < 0) {
		rc = 1;
		goto out;
	}
	if (st != 1 || res.nrows > 1) {
		struct buf b = BUF_INIT;

		table_render_opts(&res, fmt, o.explain, o.per_artifact, &b);
		fputs(buf_str(&b), stdout);
		fflush(stdout);
		buf_release(&b);
	}
	if (st == 0 && !o.no_verify &&
	    verify_run_winner(&res, out_path, &run.allow, o.timeout, run.sandbox) < 0) {
		st = 1;
	}
	rc = st;
out:
	/* after the results are saved: a tree that changed fails the run */
	if (sandbox_close(sandbox) < 0 && rc == 0) {
		rc = 1;
	}
	if (js_open) {
		jobserver_close(&js);
	}
	cache_release(&cache);
	cache_memo_free(run.memo);
	strv_release(&parts);
	free(run.ccache);
	results_release(&res);
	results_release(&prev);
	project_release(&proj);
	profile_set_release(&set);
	recipe_set_release(&recipes);
	strv_release(&o.allow);
	strv_release(&o.artifacts);
	strv_release(&o.not_recipes);
	strv_release(&run.allow);
	strv_release(&wanted);
	for (size_t i = 0; i < nbuilds; i++) {
		recipe_build_free(builds[i]);
	}
	free(builds);
	free(selected);
	free(run.recipe_match);
	free(run.prepared);
	free(run.workdir);
	free(run.self);
	free(run.shimdir);
	free(run.rust_host);
	free(data);
	free(pdir);
	free(rdir);
	free(out_path);
	/* resume: the arguments of the run that goes on from this one (--resume, or
	 * the next recipe), for cmd_matrix to run */
	if (resume.n && rc == 0) {
		*again = resume;
	} else {
		strv_release(&resume);
	}
	return rc;
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
