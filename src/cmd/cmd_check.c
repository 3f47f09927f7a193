/* cmd_check.c: `ounce check NEW`: is a build within its size budgets? For CI:
 * exit 0 within, 1 over, 2 bad input. */
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
#include "config/budgetconf.h"
#include "config/profile.h"
#include "config/project.h"
#include "report/budget.h"
#include "report/sizein.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce check [options] NEW\n"
	"Check a build against its size budgets: an absolute limit per artifact or on\n"
	"their sum, and the growth allowed against an older build. One line per artifact:\n"
	"name, before, after, delta, %, budget, verdict.\n"
	"\n"
	"NEW (and OLD) is any of:\n"
	"  an ELF file      measured as the matrix measures an artifact\n"
	"  size JSON        what 'ounce size --format json FILE' printed (file bytes only,\n"
	"                   and its symbols)\n"
	"  a results.json   of 'ounce matrix': the artifacts of one cell, by default the\n"
	"                   baseline of the run's default build (what the project builds\n"
	"                   today; --cell picks another)\n"
	"\n"
	"options:\n"
	"  -b, --budget [NAME=]SIZE  the most bytes allowed: NAME an artifact's name or\n"
	"                   base name, 'total' (or no NAME) the sum over all artifacts;\n"
	"                   SIZE as 180K, 2M, 65536 (K, M, G are powers of 1024);\n"
	"                   repeatable\n"
	"  -a, --against OLD  the older build to compare with (e.g. main's size JSON)\n"
	"  -g, --max-growth G  the most each artifact and the total may grow against\n"
	"                   OLD: a percent (1%, 0.5%) or bytes (512B, 2K); growth from\n"
	"                   0 bytes is over any percent\n"
	"  -m, --metric M   file, stripped, xz, gz, flash, ram, region:NAME (default file); size\n"
	"                   JSON holds file only; stripped, xz and gz of an ELF file come\n"
	"                   from a stripped copy (strip --strip-all), as in the matrix\n"
	"      --artifact NAME  check only that artifact (name or base name); the total\n"
	"                   is then left out\n"
	"  -c, --cell NAME  the cell of a results.json to check: a cell's name as\n"
	"                   results.json and 'ounce table' have it, or 'pick' for the\n"
	"                   winner by the metric (default: the baseline); for OLD too\n"
	"  -f, --format F   text (default), md (a comment to post on a pull request: the\n"
	"                   table, then the 10 largest symbol changes per artifact under\n"
	"                   <details>) or json\n"
	"  -C, --project DIR  whose ounce.ini [budget] section applies (default: the\n"
	"                   current directory)\n"
	"  -h, --help       this text\n"
	"\n"
	"ounce.ini:\n"
	"  [budget]\n"
	"  metric = file         ; what the budgets count\n"
	"  tinyhttpd = 180K      ; an artifact, by name or base name\n"
	"  total = 400K          ; the sum over all artifacts\n"
	"  max-growth = 1%       ; applied when --against is given\n"
	"  The command line's --budget, --max-growth and --metric replace the ini's. An\n"
	"  ini budget naming no artifact of NEW is not applied (one ounce.ini may serve\n"
	"  several programs); a --budget naming none is an error. A bad value is an error\n"
	"  at its file:line.\n"
	"\n"
	"Artifacts of NEW and OLD are matched by name, else by base name, else as the\n"
	"only one on each side. Symbol changes need symbols on both sides (ELF files\n"
	"that are not stripped, or size JSON of such files); otherwise the comment says\n"
	"why there are none.\n"
	"\n"
	"exit status: 0 within budget (or no budget given: a warning says so), 1 over\n"
	"budget (or strip could not measure), 2 bad input or usage, with one line naming\n"
	"the file (and line) at fault.\n"
	"\n"
	"example (CI):\n"
	"  ounce size --format json build/prog > new.json\n"
	"  ounce check new.json --against main.json --max-growth 1% --format md\n";

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"budget", required_argument, NULL, 'b'},
		{"against", required_argument, NULL, 'a'},
		{"max-growth", required_argument, NULL, 'g'},
		{"metric", required_argument, NULL, 'm'},
		{"artifact", required_argument, NULL, 'A'},
		{"cell", required_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'f'},
		{"project", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *against = NULL, *growth = NULL, *metric = NULL, *only = NULL, *cell = NULL;
	const char *format = "text", *dir = ".", *err;
	struct strv budgets = STRV_INIT;
	struct profile_set set = PROFILE_SET_INIT;
	struct project p = PROJECT_INIT;
	struct budget_rules rules = BUDGET_RULES_INIT;
	struct sizein now = SIZEIN_INIT, old = SIZEIN_INIT;
	struct budget_check chk = BUDGET_CHECK_INIT;
	struct buf out = BUF_INIT;
	char msg[512];
	int c, rc = 2, lr;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:a:g:m:c:f:C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			strv_push(&budgets, optarg);
			break;
		case 'a':
			against = optarg;
			break;
		case 'g':
			growth = optarg;
			break;
		case 'm':
			metric = optarg;
			break;
		case 'A':
			only = optarg;
			break;
		case 'c':
			cell = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		error("check takes one NEW file (an ELF file, size JSON or a results.json); "
		      "'ounce check --help' says more");
		goto out;
	}
	if (strcmp(format, "text") && strcmp(format, "md") && strcmp(format, "json")) {
		error("unknown format '%s': expected text, md or json", format);
		goto out;
	}
	if (growth && !against) {
		error("--max-growth needs an older build to grow from: --against OLD");
		goto out;
	}
	/* ounce.ini's [budget] first; the command line replaces what it names */
	if (project_load(&p, dir, &set) < 0) {
		goto out;
	}
	rules = p.budget;
	memset(&p.budget, 0, sizeof(p.budget));
	if (metric) {
		if (!budgetconf_metric_valid(metric)) {
			error("unknown metric '%s': expected file, stripped, xz, gz, flash, ram or "
			      "region:NAME",
			      metric);
			goto out;
		}
		free(rules.metric);
		rules.metric = xstrdup(metric);
	}
	for (size_t i = 0; i < budgets.n; i++) {
		if ((err = budgetconf_arg(&rules, budgets.v[i], msg, sizeof(msg)))) {
			error("%s", err);
			goto out;
		}
	}
	if (growth && (err = budgetconf_set_growth(&rules, growth))) {
		error("--max-growth '%s': %s", growth, err);
		goto out;
	}
	struct sizein_opts o = {
		.metric = rules.metric ? rules.metric : "file",
		.cell = cell,
		.symbols = !strcmp(format, "md"),
	};

	if ((lr = sizein_load(&now, argv[optind], &o)) < 0 ||
	    (against && (lr = sizein_load(&old, against, &o)) < 0)) {
		rc = lr == -2 ? 1 : 2;
		goto out;
	}
	if (!budgetconf_any(&rules) && now.region_length >= 0) {
		/* a memory region's own size is its budget when none is given */
		char len[32];

		snprintf(len, sizeof(len), "%lld", now.region_length);
		budgetconf_set_limit(&rules, "total", len, false);
		info("budget: the size of region %s, %s B", rules.metric + 7, len);
	}
	if (budget_evaluate(&rules, &now, against ? &old : NULL, only, &chk, msg, sizeof(msg)) <
	    0) {
		error("%s", msg);
		goto out;
	}
	if (!budgetconf_any(&rules)) {
		warn("no budget to check: give --budget, --max-growth with --against, or a "
		     "[budget] section in ounce.ini");
	} else if (rules.growth.set && !against && !rules.nlimits) {
		warn("ounce.ini's max-growth needs an older build to grow from: --against OLD");
	}
	budget_render(&chk, &rules, &now, against ? &old : NULL, format, &out);
	fputs(buf_str(&out), stdout);
	rc = chk.verdict == BUDGET_OVER ? 1 : 0;
out:
	buf_release(&out);
	budget_check_release(&chk);
	sizein_release(&now);
	sizein_release(&old);
	budgetconf_release(&rules);
	project_release(&p);
	profile_set_release(&set);
	strv_release(&budgets);
	return rc;
}
