/* matrix_opts.h: the options of `ounce matrix`, parsed and checked once (--strategy,
 * --stack and --format into enums), and written back as arguments for --resume. */
#ifndef OUNCE_MATRIX_OPTS_H
#define OUNCE_MATRIX_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/strv.h"
#include "config/project.h"
#include "report/table.h"

/* --strategy: which cells the plan builds (plan.h's each, cumulative, search and
 * full flags). */
enum matrix_strategy {
	MATRIX_STRATEGY_BOTH,	/* each and cumulative: the default */
	MATRIX_STRATEGY_EACH,
	MATRIX_STRATEGY_CUMULATIVE,
	MATRIX_STRATEGY_SEARCH,
	MATRIX_STRATEGY_FULL,
};

/* --stack: which profiles the cumulative stack keeps. */
enum matrix_stack {
	MATRIX_STACK_HELPFUL,	/* those that do not grow the metric: the default */
	MATRIX_STACK_ALL,	/* every one that builds */
};

/* The strings point into argv (borrowed); the strv lists are owned. */
struct matrix_opts {
	int jobs, build_jobs;	/* 0: not given */
	int repeat;		/* --repeat: builds of each cell; 0: not given */
	const char *profiles, *metric, *smoke, *recipe, *workdir, *output, *builds;
	const char *strategy_arg, *stack_arg, *format_arg;	/* as given, or NULL */
	enum matrix_strategy strategy;
	enum matrix_stack stack;
	enum table_format format;
	const char *build_cmd;	/* --build */
	struct strv not_recipes;	/* recipes detection passes over: their baseline
					 * could not be configured */
	size_t explain;
	bool fresh, no_reuse, resume, resumed, keep_cells, no_verify, wait, no_sandbox;
	double timeout;
	unsigned long long cache_size;
	const char *cache;	/* --cache: the cache directory, or NULL (WORKDIR/cache) */
	struct strv allow;
	struct strv artifacts;	/* --artifact */
	const char *target_glibc;
	const char *toolchain; /* --toolchain: a prefix (arm-none-eabi) or "native" */
	const char *distribute; /* --distribute: distcc, icecc or none */
	bool per_artifact;
	const char *dir;	/* the project's directory as given: DIR, or "." */
	const char *bench;	/* --bench: the workload's template */
	int bench_repeat;	/* --bench-repeat; 0: not given */
	const char *bench_count;	/* --bench-count: "instructions", or NULL */
	const char *max_slowdown;	/* --max-slowdown as given ("5%"), or NULL */
	const char *max_rss;	/* --max-rss as given ("64M"), or NULL */
};

/* The most --repeat (and repeat = in ounce.ini) takes. */
#define MATRIX_REPEAT_MAX PROJECT_REPEAT_MAX

/* the defaults; every list empty (STRV_INIT is all zeros) */
#define MATRIX_OPTS_INIT {.metric = "file", .timeout = 600, .cache_size = 2ULL << 30, .dir = "."}

/* Parse and check the options and operand of `ounce matrix` into o (initialised
 * with MATRIX_OPTS_INIT). Returns -1 to go on, else the exit status to end with:
 * 0 after --help, 2 after reporting bad usage. */
int matrix_opts_parse(struct matrix_opts *o, int argc, char **argv);
/* The name of strategy s, as --strategy takes it and results.json records it. */
const char *matrix_strategy_name(enum matrix_strategy s);
/* Append o as arguments of `ounce matrix` to out, with the run's absolute work
 * directory, results file and project directory, for --resume. */
void matrix_opts_save_argv(const struct matrix_opts *o, const char *workdir,
			   const char *out_path, const char *project_dir, struct strv *out);
/* Free what o owns. */
void matrix_opts_release(struct matrix_opts *o);

#endif
