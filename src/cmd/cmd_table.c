/* cmd_table.c: `ounce table [FILE]`: print a saved run again, in any format. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "report/explain.h"
#include "report/result.h"
#include "report/table.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce table [-f text|md|csv|json] [--explain] [--per-artifact] [--pareto]\n"
	"                   [FILE]\n"
	"Print the table of a saved run (default .ounce/results.json).\n"
	"  --explain   under each row, the sections and symbols that changed most, and\n"
	"              the exported symbols lost\n"
	"  --per-artifact  under each row, a line per artifact\n"
	"  --pareto    only the cells on the size/speed front: no other cell is both\n"
	"              as small and as fast, one of them strictly (by the run's metric,\n"
	"              and by instructions when counted, else by median CPU time; needs\n"
	"              ounce matrix --bench)\n";

int
cmd_table(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"explain", no_argument, NULL, 'x'},
		{"per-artifact", no_argument, NULL, 'P'},
		{"pareto", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum table_format fmt = TABLE_TEXT;
	size_t explain = 0;
	bool per_artifact = false, pareto = false;
	const char *path;
	struct results r = RESULTS_INIT;
	struct buf b = BUF_INIT;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!table_format_option(optarg, &fmt)) {
				return 2;
			}
			break;
		case 'x':
			explain = EXPLAIN_ROWS;
			break;
		case 'P':
			per_artifact = true;
			break;
		case 'F':
			pareto = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fputs(usage, stderr);
		return 2;
	}
	path = optind < argc ? argv[optind] : ".ounce/results.json";
	if (results_load(&r, path) < 0) {
		results_release(&r);
		return 2;
	}
	if (pareto && !table_render_front(&r, fmt, &b)) {
		error("%s: --pareto: no cell was benchmarked (ounce matrix --bench CMD)", path);
		buf_release(&b);
		results_release(&r);
		return 2;
	} else if (!pareto) {
		table_render_opts(&r, fmt, explain, per_artifact, &b);
	}
	fputs(buf_str(&b), stdout);
	buf_release(&b);
	results_release(&r);
	return 0;
}
