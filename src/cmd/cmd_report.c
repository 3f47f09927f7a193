/* cmd_report.c: `ounce report [FILE] -o report.html`: a saved run as one
 * self-contained HTML page (report/html.c). */
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
#include "config/project.h"
#include "os/fsutil.h"
#include "report/emit.h"
#include "report/html.h"
#include "report/result.h"
#include "base/banned.h"

static const char usage[] =
    "usage: ounce report [options] [FILE]\n"
    "Write a saved run (default .ounce/results.json) as one HTML page that needs\n"
    "nothing else: the tables (sortable), the winner and its settings, a bar chart\n"
    "of every cell against the baseline, build seconds against bytes with the\n"
    "Pareto front, the flame graphs of the baseline and the winner, and --explain.\n"
    "  -o, --output F   the page (default: report.html beside FILE; - for stdout)\n"
    "  -m, --metric M   the winner's metric, as for pick (default file)\n"
    "  -a, --allow T    as for pick: security, abi\n"
    "  -b, --build B    the winner among build B's cells (default: the run's default build)\n"
    "      --target-glibc V  as for pick (default: the run's)\n"
    "  -e, --emit F     the form of the winner's settings (default: the build\n"
    "                   system's own; wrapper for a single C file)\n";

/* report.html in the directory of path. The caller frees it. */
static char *
default_output(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? xasprintf("%.*s/report.html", (int)(slash - path), path)
	             : xstrdup("report.html");
}

int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"metric", required_argument, NULL, 'm'},
	    {"allow", required_argument, NULL, 'a'},
	    {"build", required_argument, NULL, 'b'},
	    {"target-glibc", required_argument, NULL, 'G'},
	    {"emit", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct html_opts o = {0};
	const char *path = ".ounce/results.json", *output = NULL, *target = NULL;
	struct strv allow = STRV_INIT;
	struct results r = RESULTS_INIT;
	struct buf b = BUF_INIT;
	char *out_path = NULL;
	int c, rc = 2;

	o.metric = "file";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:m:a:b:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'm':
			o.metric = optarg;
			break;
		case 'a':
			strv_split_list(&allow, optarg);
			break;
		case 'b':
			o.build = optarg;
			break;
		case 'G':
			if (!project_glibc_valid(optarg)) {
				error("--target-glibc needs a glibc release such as 2.31, not '%s'",
				      optarg);
				goto out;
			}
			target = optarg;
			break;
		case 'e':
			o.form = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (cmd_pick_opts_check(o.metric, &allow, o.form) != 0) {
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
	if (target) {
		free(r.target_glibc);
		r.target_glibc = xstrdup(target);
	}
	o.allow = &allow;
	o.source = path;
	if (html_report(&r, &o, &b) < 0) {
		goto out;
	}
	if (output && !strcmp(output, "-")) {
		fputs(buf_str(&b), stdout);
		rc = fflush(stdout) == 0 ? 0 : 1;
		if (rc) {
			error_errno("cannot write the report to stdout");
		}
		goto out;
	}
	out_path = output ? xstrdup(output) : default_output(path);
	if (fs_write_atomic(out_path, buf_str(&b), b.len) < 0) {
		rc = 1;
		goto out;
	}
	info("wrote %s", out_path);
	rc = 0;
out:
	free(out_path);
	buf_release(&b);
	results_release(&r);
	strv_release(&allow);
	return rc;
}
