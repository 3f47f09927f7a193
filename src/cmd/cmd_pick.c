/* cmd_pick.c: `ounce pick [FILE]`: the winning cell of a saved run, and with
 * --emit its settings in a form to paste. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/units.h"
#include "config/project.h"
#include "matrix/verify.h"
#include "report/emit.h"
#include "report/pick.h"
#include "report/result.h"
#include "report/speed.h"
#include "report/table.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce pick [options] [FILE]\n"
	"Choose the smallest cell of a saved run (default .ounce/results.json) that built\n"
	"and passed its smoke test.\n"
	"  -m, --metric M   file, stripped, xz, gz, flash, ram or region:NAME (a memory\n"
	"                   region of a firmware link; default file)\n"
	"  -a, --allow T    also consider profiles with trade-off T (security), or cells\n"
	"                   that change the baseline's ABI (abi)\n"
	"      --target-glibc V  leave out cells that need a glibc newer than V (default:\n"
	"                   the run's --target-glibc or target_glibc in ounce.ini)\n"
	"  -e, --emit F     print the winner's settings as env, make, json, cmake (an\n"
	"                   initial cache for cmake -C), meson (a native file), cargo\n"
	"                   (a [profile.release] section) or wrapper (a compiler wrapper\n"
	"                   script that adds the flags as ounce's cells did)\n"
	"      --max-slowdown P  leave out cells more than P (e.g. 5%) slower than the\n"
	"                   baseline: by instructions when counted, else by median CPU\n"
	"                   time; a cell whose runs straddle P is left out as uncertain\n"
	"                   (default: the run's; needs ounce matrix --bench)\n"
	"      --max-rss SIZE  leave out cells whose peak RSS (of the workload, else of\n"
	"                   the smoke test) is above SIZE (e.g. 64M)\n"
	"  -b, --build B    choose among the cells of build B (default: the run's\n"
	"                   default build, e.g. release)\n"
	"      --verify     rebuild the winner from the emitted form (--emit, else the\n"
	"                   build system's own) in a copy of the project, without ounce's\n"
	"                   wrapper, and compare its bytes: identical, differs or failed\n"
	"                   (saved in FILE; exit status 1 unless identical)\n";

/* Rebuild win from form (NULL: the native one), print what came of it, record it
 * in the results at path. Returns the exit status: 0 identical, 1 otherwise. */
static int
verify_winner(struct results *r, struct cell *win, const char *form, const char *path)
{
	char *workdir = verify_workdir(r, path), *line;
	struct cell_verify v;
	int rc = 1;

	if (verify_cell(r, win, form, workdir, 600, NULL, &v) < 0) {
		free(workdir);
		cell_verify_release(&v);
		return 1;
	}
	line = verify_line(&v);
	/* after an emitted form, as a comment of it */
	printf("%s%s\n", form ? "# " : "", line);
	fflush(stdout);
	free(line);
	verify_explain(win, &v);
	cell_set_verify(win, &v);
	if (results_save(r, path) == 0 && !strcmp(v.state, "identical")) {
		rc = 0;
	}
	cell_verify_release(&v);
	free(workdir);
	return rc;
}

/* Say which cells of build the run-time budget left out: those over it, those
 * uncertain. */
static void
over_budget(const struct results *r, const char *metric, const char *build)
{
	for (size_t i = 0; i < r->ncells; i++) {
		const struct cell *c = r->cells[i];
		const char *why;

		if (c->status != CELL_OK || (build && (!c->build || strcmp(c->build, build))) ||
		    cell_metric(c, metric) < 0 || !(why = pick_budget(r, c))) {
			continue;
		}
		info("note: '%s' (%lld bytes) left out: %s", c->name, cell_metric(c, metric), why);
	}
}

int
cmd_pick_opts_check(const char *metric, const struct strv *allow, const char *form)
{
	if (!metric_valid(metric)) {
		error("unknown metric '%s': expected file, stripped, xz, gz, flash, ram or "
		      "region:NAME",
		      metric);
		return 2;
	}
	for (size_t i = 0; i < allow->n; i++) {
		if (strcmp(allow->v[i], "security") && strcmp(allow->v[i], "abi")) {
			error("--allow takes 'security' or 'abi', not '%s'", allow->v[i]);
			return 2;
		}
	}
	if (form && !emit_form_valid(form)) {
		error("unknown --emit form '%s': expected env, make, json, cmake, meson, cargo or "
		      "wrapper",
		      form);
		return 2;
	}
	return 0;
}

int
cmd_pick(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"metric", required_argument, NULL, 'm'},
		{"allow", required_argument, NULL, 'a'},
		{"emit", required_argument, NULL, 'e'},
		{"build", required_argument, NULL, 'b'},
		{"target-glibc", required_argument, NULL, 'G'},
		{"verify", no_argument, NULL, 'V'},
		{"max-slowdown", required_argument, NULL, 'M'},
		{"max-rss", required_argument, NULL, 'Q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *metric = "file", *form = NULL, *build = NULL, *target = NULL;
	const char *path = ".ounce/results.json";
	bool verify = false, slowdown_set = false;
	double slowdown = 0;
	uint64_t max_rss = 0;
	struct strv allow = STRV_INIT;
	struct results r = RESULTS_INIT;
	struct buf b = BUF_INIT;
	const struct cell *win, *base = NULL, *passed;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:a:e:b:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			metric = optarg;
			break;
		case 'a':
			strv_split_list(&allow, optarg);
			break;
		case 'e':
			form = optarg;
			break;
		case 'b':
			build = optarg;
			break;
		case 'G':
			if (!project_glibc_valid(optarg)) {
				error("--target-glibc needs a glibc release such as 2.31, not '%s'",
				      optarg);
				goto out;
			}
			target = optarg;
			break;
		case 'V':
			verify = true;
			break;
		case 'M':
			if (!speed_parse_percent(optarg, &slowdown)) {
				error("--max-slowdown needs a percentage such as 5%%, not '%s'",
				      optarg);
				goto out;
			}
			slowdown_set = true;
			break;
		case 'Q':
			if (!units_parse_size(optarg, &max_rss) || max_rss < 1024) {
				error("--max-rss needs a size such as 64M, not '%s'", optarg);
				goto out;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (cmd_pick_opts_check(metric, &allow, form) != 0) {
		goto out;
	}
	if (argc - optind > 1) {
		fputs(usage, stderr);
		goto out;
	}
	if (optind < argc) {
		path = argv[optind];
	}
	if (results_load(&r, path) < 0) {
		goto out;
	}
	if (!r.complete) {
		size_t done = 0;

		for (size_t i = 0; i < r.ncells; i++) {
			done += r.cells[i]->status != CELL_PENDING &&
				r.cells[i]->status != CELL_INTERRUPTED;
		}
		warn("this run was interrupted (%zu of %zu cells measured): the winner is the best "
		     "of those; ounce matrix --resume goes on with it",
		     done, r.ncells);
	}
	base = results_find(&r, r.baseline);
	if (!build) {
		build = base ? base->build : NULL;
	}
	if (target) {
		free(r.target_glibc);
		r.target_glibc = xstrdup(target);
	}
	if (slowdown_set) {
		r.slowdown_limit = true;
		r.max_slowdown = slowdown;
	}
	if (max_rss) {
		r.max_rss_kb = (long long)(max_rss / 1024);
	}
	win = pick_best_in(&r, metric, &allow, build);
	over_budget(&r, metric, build);
	if (!win) {
		const char *why = base ? pick_excluded(&r, base, metric, &allow) : NULL;

		error("no cell of '%s'%s%s built, passed its smoke test and is allowed%s%s",
		      r.project ? r.project : "?", build ? " in build " : "", build ? build : "",
		      why ? "; the baseline: " : "", why ? why : "");
		rc = 1;
		goto out;
	}
	passed = pick_passed_over(&r, win, metric, &allow, build);
	if (passed) {
		info("note: '%s' chosen over '%s', of the same %lld bytes by %s, which is not "
		     "reproducible (%s)",
		     win->name, passed->name, cell_metric(win, metric), metric,
		     passed->repro_detail ? passed->repro_detail : "its builds differ");
	} else if (win->reproducible == CELL_REPRO_NO) {
		warn("the winner '%s' is not reproducible (%s), and no reproducible cell is as "
		     "small",
		     win->name, win->repro_detail ? win->repro_detail : "its builds differ");
	}
	if (win->smoke == SMOKE_LOADED) {
		info("note: '%s' was only load-checked (no smoke test ran it): give matrix a "
		     "--smoke command to be sure it works",
		     win->name);
	}
	if (form) {
		if (emit_render(&r, win, form, metric, &b) < 0) {
			goto out;
		}
	} else {
		base = results_baseline_of(&r, win);
		buf_printf(&b, "%s\t%lld\t%s\n", win->name, cell_metric(win, metric),
			   units_percent(cell_metric(win, metric), cell_metric(base, metric)));
	}
	fputs(buf_str(&b), stdout);
	rc = 0;
	if (verify) {
		rc = verify_winner(&r, results_find(&r, win->name), form, path);
	}
out:
	buf_release(&b);
	results_release(&r);
	strv_release(&allow);
	return rc;
}
