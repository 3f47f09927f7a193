/* matrix_opts.c: the options of `ounce matrix`: the usage text, the parser (a
 * getopt_long table, then small handlers by kind of option), the checks of values
 * that name one of a few choices, and the options written back for --resume. Apart
 * from cmd_matrix.c, which runs the stages of a run, so that each file stays one
 * concern and cmd_matrix.c stays readable. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/matrix_opts.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/tmpl.h"
#include "base/units.h"
#include "config/cross.h"
#include "config/project.h"
#include "matrix/bench.h"
#include "matrix/distrib.h"
#include "report/explain.h"
#include "report/result.h"
#include "report/speed.h"
#include "base/banned.h"

/* The usage text, in parts: a C11 compiler need take no string longer than 4095
 * characters. */
static const char *const usage[] = {
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
	"  -m, --metric M        file, stripped, xz, gz, flash, ram or region:NAME\n"
	"                        (default file)\n"
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
	"                        with every symbol bound)\n",
	"      --bench CMD       workload run on each cell that passed its smoke test, one\n"
	"                        cell at a time once all are built ({artifact}, {artifacts}\n"
	"                        as for --smoke): wall and CPU time, peak RSS\n"
	"      --bench-repeat N  timed runs of the workload in each cell (default 3)\n"
	"      --bench-count instructions\n"
	"                        also count the instructions it executes, once a cell\n"
	"                        (perf where the hardware counter works, else callgrind)\n"
	"      --max-slowdown P  the pick leaves out cells more than P (e.g. 5%) slower\n"
	"                        than the baseline (by instructions when counted)\n"
	"      --max-rss SIZE    the pick leaves out cells whose peak RSS is above SIZE\n",
	"      --timeout SECS    limit for each configure, build or post-link step (600)\n"
	"      --recipe NAME     use this recipe instead of detecting one (default: the\n"
	"                        first that matches the tree and configures it)\n"
	"      --toolchain T     cross toolchain prefix (arm-none-eabi), or native\n"
	"      --distribute D    send the compiles to distcc's hosts (DISTCC_HOSTS) or\n"
	"                        icecc's (D: distcc, icecc or none); links, LTO code\n"
	"                        generation and measuring stay here\n"
	"      --build CMD       build with this command instead of the recipe's (as\n"
	"                        'build =' in ounce.ini), e.g. 'make -f Makefile.unix'\n",
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
	"                        default 2G), the entries used least recently going first\n",
	"      --cache DIR       keep the cache in DIR instead of WORKDIR/cache (as 'cache ='\n"
	"                        in ounce.ini): a directory several runs, and machines\n"
	"                        (NFS), may use at once\n"
	"      --keep-cells      keep each measured cell's whole tree (by default only its\n"
	"                        artifacts, link maps and logs stay)\n"
	"      --no-verify       do not rebuild the winner from the emitted form at the end\n"
	"                        (ounce pick --verify) to check it gives the same bytes\n"
	"      --no-sandbox      builds may write where they like (by default, where the\n"
	"                        machine allows it, the project is read-only to them)\n"
	"      --no-reuse        no cache, no shared objects, no cells from copies: every\n"
	"                        cell built from scratch (for checking, and benchmarks)\n"
	"      --repeat N        build every cell that built N times (default 1), again\n"
	"                        from scratch (no cache, no ccache), each in a later second,\n"
	"                        and mark those whose bytes differ: not reproducible\n"
	"      --resume          go on with the interrupted run whose results.json is in\n"
	"                        the work directory (or -o FILE), with its options\n"
	"  -q, --quiet / -v, --verbose\n",
};

static void
print_usage(FILE *f)
{
	for (size_t i = 0; i < sizeof(usage) / sizeof(*usage); i++) {
		fputs(usage[i], f);
	}
}

static const struct option longopts[] = {
	{"jobs", required_argument, NULL, 'j'},
	{"build-jobs", required_argument, NULL, 'J'},
	{"profiles", required_argument, NULL, 'p'},
	{"strategy", required_argument, NULL, 's'},
	{"stack", required_argument, NULL, 'S'},
	{"metric", required_argument, NULL, 'm'},
	{"allow", required_argument, NULL, 'a'},
	{"smoke", required_argument, NULL, 'k'},
	{"bench", required_argument, NULL, 'H'},
	{"bench-repeat", required_argument, NULL, 'I'},
	{"bench-count", required_argument, NULL, 'L'},
	{"max-slowdown", required_argument, NULL, 'M'},
	{"max-rss", required_argument, NULL, 'Q'},
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
	{"cache", required_argument, NULL, 'c'},
	{"no-reuse", no_argument, NULL, 'N'},
	{"repeat", required_argument, NULL, 'e'},
	{"resume", no_argument, NULL, 'R'},
	/* internal: this run goes on with the interrupted one at -o, whose totals it
	 * adds to its own */
	{"resumed", no_argument, NULL, 'U'},
	{"keep-cells", no_argument, NULL, 'K'},
	{"wait", no_argument, NULL, 'W'},
	{"no-verify", no_argument, NULL, 'Y'},
	{"no-sandbox", no_argument, NULL, 'Z'},
	{"build", required_argument, NULL, 'B'},
	{"toolchain", required_argument, NULL, 'T'},
	{"distribute", required_argument, NULL, 'D'},
	/* internal: detection passes over this recipe, whose baseline could not be
	 * configured (the run that falls back adds it) */
	{"not-recipe", required_argument, NULL, 'X'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The names --strategy takes, by enum matrix_strategy. */
static const char *const strategy_names[] = {
	[MATRIX_STRATEGY_BOTH] = "both",
	[MATRIX_STRATEGY_EACH] = "each",
	[MATRIX_STRATEGY_CUMULATIVE] = "cumulative",
	[MATRIX_STRATEGY_SEARCH] = "search",
	[MATRIX_STRATEGY_FULL] = "full",
};

/* Report bad usage, then the usage text; returns 2, the exit status. */
static int OUNCE_PRINTF(1, 2)
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ounce: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr);
	return 2;
}

/* The flag an option without argument sets, or NULL for another option. */
static bool *
flag_of(struct matrix_opts *o, int c)
{
	switch (c) {
	case 'P':
		return &o->per_artifact;
	case 'F':
		return &o->fresh;
	case 'N':
		return &o->no_reuse;
	case 'R':
		return &o->resume;
	case 'U':
		return &o->resumed;
	case 'K':
		return &o->keep_cells;
	case 'W':
		return &o->wait;
	case 'Y':
		return &o->no_verify;
	case 'Z':
		return &o->no_sandbox;
	default:
		return NULL;
	}
}

/* Where an option whose argument is kept as given (checked later, or by what
 * uses it) keeps it, or NULL for another option. */
static const char **
text_of(struct matrix_opts *o, int c)
{
	switch (c) {
	case 'p':
		return &o->profiles;
	case 's':
		return &o->strategy_arg;
	case 'S':
		return &o->stack_arg;
	case 'm':
		return &o->metric;
	case 'r':
		return &o->recipe;
	case 'b':
		return &o->builds;
	case 'w':
		return &o->workdir;
	case 'o':
		return &o->output;
	case 'f':
		return &o->format_arg;
	case 'c':
		return &o->cache;
	default:
		return NULL;
	}
}

/* -j or --build-jobs (named name) into *out. Returns -1, else 2 after reporting. */
static int
jobs_arg(const char *name, const char *arg, int *out)
{
	char *end;

	*out = (int)strtol(arg, &end, 10);
	if (*end || *out < 1 || *out > 256) {
		return bad_usage("%s needs a number from 1 to 256, not '%s'", name, arg);
	}
	return -1;
}

/* The options whose argument is a number or a size. Returns -1, else 2 after
 * reporting. */
static int
number_option(struct matrix_opts *o, int c, const char *arg)
{
	char *end;
	uint64_t size;

	switch (c) {
	case 'j':
		return jobs_arg("-j", arg, &o->jobs);
	case 'J':
		return jobs_arg("--build-jobs", arg, &o->build_jobs);
	case 'e':
		o->repeat = (int)strtol(arg, &end, 10);
		if (*end || end == arg || o->repeat < 1 || o->repeat > MATRIX_REPEAT_MAX) {
			return bad_usage("--repeat needs a number from 1 to %d, not '%s'",
					 MATRIX_REPEAT_MAX, arg);
		}
		return -1;
	case 't':
		o->timeout = strtod(arg, &end);
		if (*end || !(o->timeout > 0)) {
			return bad_usage("--timeout needs a number of seconds, not '%s'", arg);
		}
		return -1;
	default: /* 'C' */
		if (!units_parse_size(arg, &size)) {
			return bad_usage("--cache-size needs a size such as 500M or 4G, not '%s'",
					 arg);
		}
		o->cache_size = size;
		return -1;
	}
}

/* --bench and the options of its measures and budgets. Returns -1, else 2 after
 * one line (no usage text: the value is wrong, not the command line's shape). */
static int
bench_option(struct matrix_opts *o, int c, const char *arg)
{
	char errbuf[256], *end;
	const char *err;
	double pct;
	uint64_t size;

	switch (c) {
	case 'H':
		if (tmpl_check(arg, TMPL_SMOKE, errbuf, (int)sizeof(errbuf), &err) < 0) {
			error("--bench: %s", err);
			return 2;
		}
		o->bench = arg;
		return -1;
	case 'I':
		o->bench_repeat = (int)strtol(arg, &end, 10);
		if (*end || end == arg || o->bench_repeat < 1 ||
		    o->bench_repeat > BENCH_REPEAT_MAX) {
			error("--bench-repeat needs a number from 1 to %d, not '%s'",
			      BENCH_REPEAT_MAX, arg);
			return 2;
		}
		return -1;
	case 'L':
		if (strcmp(arg, "instructions")) {
			error("--bench-count takes 'instructions', not '%s'", arg);
			return 2;
		}
		o->bench_count = arg;
		return -1;
	case 'M':
		if (!speed_parse_percent(arg, &pct)) {
			error("--max-slowdown needs a percentage such as 5%%, not '%s'", arg);
			return 2;
		}
		o->max_slowdown = arg;
		return -1;
	default: /* 'Q' */
		if (!units_parse_size(arg, &size) || size < 1024) {
			error("--max-rss needs a size such as 64M, not '%s'", arg);
			return 2;
		}
		o->max_rss = arg;
		return -1;
	}
}

/* The other options with an argument, and an unknown one (c '?'). Returns -1,
 * else the exit status after reporting. */
static int
other_option(struct matrix_opts *o, int c, const char *arg)
{
	char errbuf[256];
	const char *err;

	switch (c) {
	case 'j':
	case 'J':
	case 't':
	case 'C':
	case 'e':
		return number_option(o, c, arg);
	case 'a':
		strv_split_list(&o->allow, arg);
		return -1;
	case 'k':
		/* checked as ounce.ini's smoke is: once, not in every cell */
		if (tmpl_check(arg, TMPL_SMOKE, errbuf, (int)sizeof(errbuf), &err) < 0) {
			error("--smoke: %s", err);
			return 2;
		}
		o->smoke = arg;
		return -1;
	case 'A':
		if (!*arg || arg[0] == '/' || strstr(arg, "..")) {
			return bad_usage("--artifact needs a path inside the build tree, not '%s'",
					 arg);
		}
		strv_push(&o->artifacts, arg);
		return -1;
	case 'G':
		if (!project_glibc_valid(arg)) {
			return bad_usage("--target-glibc needs a glibc release such as 2.31, not '%s'",
					 arg);
		}
		o->target_glibc = arg;
		return -1;
	case 'B':
		if (!arg[strspn(arg, " \t")]) {
			return bad_usage("--build needs a command, not '%s'", arg);
		}
		o->build_cmd = arg;
		return -1;
	case 'T': {
		char *v = cross_prefix_parse(arg);

		if (!v) {
			return bad_usage("--toolchain needs a cross toolchain's prefix such as "
					 "arm-none-eabi, or native, not '%s'",
					 arg);
		}
		free(v);
		o->toolchain = arg;
		return -1;
	}
	case 'D':
		if (strcmp(arg, "none") && !distrib_known(arg)) {
			return bad_usage("--distribute takes distcc, icecc or none, not '%s'", arg);
		}
		o->distribute = arg;
		return -1;
	case 'X':
		strv_push(&o->not_recipes, arg);
		return -1;
	case 'H':
	case 'I':
	case 'L':
	case 'M':
	case 'Q':
		return bench_option(o, c, arg);
	default:
		print_usage(stderr);
		return 2;
	}
}

/* The options, in the order given. Returns -1 to go on, else the exit status. */
static int
parse_options(struct matrix_opts *o, int argc, char **argv)
{
	int c, st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j:p:s:m:a:b:w:o:f:qvh", longopts, NULL)) != -1) {
		bool *flag = flag_of(o, c);
		const char **text = text_of(o, c);

		if (flag) {
			*flag = true;
		} else if (text) {
			*text = optarg;
		} else if (c == 'x') {
			o->explain = EXPLAIN_ROWS;
		} else if (c == 'q' || c == 'v') {
			log_adjust(c == 'q' ? -1 : 1);
		} else if (c == 'h') {
			print_usage(stdout);
			return 0;
		} else if ((st = other_option(o, c, optarg)) >= 0) {
			return st;
		}
	}
	return -1;
}

/* The options that name one of a few values, once all are read. Returns -1, else
 * 2 after reporting. */
static int
check_values(struct matrix_opts *o)
{
	size_t s;

	if (o->format_arg && !table_format_parse(o->format_arg, &o->format)) {
		return bad_usage("unknown format '%s': expected text, md, csv or json",
				 o->format_arg);
	}
	if (!metric_valid(o->metric)) {
		return bad_usage("unknown metric '%s': expected file, stripped, xz, gz, flash, "
				 "ram or region:NAME",
				 o->metric);
	}
	for (s = 0; o->strategy_arg && s < sizeof(strategy_names) / sizeof(*strategy_names);
	     s++) {
		if (!strcmp(o->strategy_arg, strategy_names[s])) {
			o->strategy = (enum matrix_strategy)s;
			break;
		}
	}
	if (o->strategy_arg && s == sizeof(strategy_names) / sizeof(*strategy_names)) {
		return bad_usage("unknown strategy '%s': expected each, cumulative, both, search or "
				 "full",
				 o->strategy_arg);
	}
	if (o->stack_arg && strcmp(o->stack_arg, "helpful") && strcmp(o->stack_arg, "all")) {
		return bad_usage("unknown stack mode '%s': expected helpful or all", o->stack_arg);
	}
	o->stack = o->stack_arg && !strcmp(o->stack_arg, "all") ? MATRIX_STACK_ALL
								: MATRIX_STACK_HELPFUL;
	for (size_t i = 0; i < o->allow.n; i++) {
		if (strcmp(o->allow.v[i], "security") && strcmp(o->allow.v[i], "abi")) {
			return bad_usage("--allow takes 'security' or 'abi', not '%s'",
					 o->allow.v[i]);
		}
	}
	return -1;
}

int
matrix_opts_parse(struct matrix_opts *o, int argc, char **argv)
{
	int st = parse_options(o, argc, argv);

	if (st >= 0) {
		return st;
	}
	if (argc - optind > 1) {
		return bad_usage("too many arguments: '%s'", argv[optind + 1]);
	}
	if (optind < argc) {
		o->dir = argv[optind];
	}
	return check_values(o);
}

const char *
matrix_strategy_name(enum matrix_strategy s)
{
	return strategy_names[s];
}

void
matrix_opts_save_argv(const struct matrix_opts *o, const char *workdir, const char *out_path,
		      const char *project_dir, struct strv *out)
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
	if (o->strategy_arg) {
		strv_push_owned(out, xasprintf("--strategy=%s", strategy_names[o->strategy]));
	}
	if (o->stack_arg) {
		strv_push_owned(out, xasprintf("--stack=%s",
					       o->stack == MATRIX_STACK_ALL ? "all" : "helpful"));
	}
	strv_push_owned(out, xasprintf("--metric=%s", o->metric));
	for (size_t i = 0; i < o->allow.n; i++) {
		strv_push_owned(out, xasprintf("--allow=%s", o->allow.v[i]));
	}
	if (o->smoke) {
		strv_push_owned(out, xasprintf("--smoke=%s", o->smoke));
	}
	if (o->bench) {
		strv_push_owned(out, xasprintf("--bench=%s", o->bench));
	}
	if (o->bench_repeat) {
		strv_push_owned(out, xasprintf("--bench-repeat=%d", o->bench_repeat));
	}
	if (o->bench_count) {
		strv_push_owned(out, xasprintf("--bench-count=%s", o->bench_count));
	}
	if (o->max_slowdown) {
		strv_push_owned(out, xasprintf("--max-slowdown=%s", o->max_slowdown));
	}
	if (o->max_rss) {
		strv_push_owned(out, xasprintf("--max-rss=%s", o->max_rss));
	}
	for (size_t i = 0; i < o->artifacts.n; i++) {
		strv_push_owned(out, xasprintf("--artifact=%s", o->artifacts.v[i]));
	}
	if (o->target_glibc) {
		strv_push_owned(out, xasprintf("--target-glibc=%s", o->target_glibc));
	}
	if (o->toolchain) {
		strv_push_owned(out, xasprintf("--toolchain=%s", o->toolchain));
	}
	if (o->distribute) {
		strv_push_owned(out, xasprintf("--distribute=%s", o->distribute));
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
	strv_push_owned(out, xasprintf("--workdir=%s", workdir));
	strv_push_owned(out, xasprintf("--output=%s", out_path));
	if (o->format_arg) {
		strv_push_owned(out, xasprintf("--format=%s", o->format_arg));
	}
	if (o->explain) {
		strv_push(out, "--explain");
	}
	if (o->no_reuse) {
		strv_push(out, "--no-reuse");
	}
	if (o->repeat) {
		strv_push_owned(out, xasprintf("--repeat=%d", o->repeat));
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
	if (o->cache) {
		/* absolute (cmd_matrix resolves it), so a resume from elsewhere finds it */
		strv_push_owned(out, xasprintf("--cache=%s", o->cache));
	}
	strv_push(out, "--");
	strv_push(out, project_dir);
}

void
matrix_opts_release(struct matrix_opts *o)
{
	strv_release(&o->allow);
	strv_release(&o->not_recipes);
	strv_release(&o->artifacts);
}
