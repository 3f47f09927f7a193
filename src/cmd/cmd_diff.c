/* cmd_diff.c: `ounce diff A B`: what changed between two builds, by symbol,
 * section and component. A and B are files, or cell names of a results.json. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "elf/diff.h"
#include "elf/size.h"
#include "os/fsutil.h"
#include "report/result.h"
#include "report/sizeout.h"
#include "report/table.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce diff [options] A B\n"
	"Compare two builds: A and B are ELF files, or cell names of a results.json.\n"
	"  -r, --results FILE  where cell names are looked up (default .ounce/results.json)\n"
	"  -f, --format F      text, md, csv or json (default text)\n"
	"  -n N                at most N rows per table (the rest are summed)\n";

/* The file for operand x: itself when it exists, else the artifact of the cell
 * called x. Returns a string the caller frees, or NULL after reporting. */
static char *
resolve(const char *x, const char *results)
{
	struct results r = RESULTS_INIT;
	const struct cell *c;
	char *path = NULL;

	if (fs_exists(x)) {
		return xstrdup(x);
	}
	if (!fs_exists(results)) {
		error("'%s' is neither a file nor a cell (no '%s' to look it up in)", x, results);
		return NULL;
	}
	if (results_load(&r, results) < 0) {
		return NULL;
	}
	c = results_find(&r, x);
	if (!c) {
		error("'%s' is neither a file nor a cell of '%s'", x, results);
	} else if (!c->artifact || !fs_exists(c->artifact)) {
		error("cell '%s' of '%s' has no artifact on disk (%s)", x, results,
		      c->artifact ? c->artifact : cell_status_name(c->status));
	} else {
		path = xstrdup(c->artifact);
	}
	results_release(&r);
	return path;
}

static int
load(const char *path, struct size_report *r)
{
	char err[512];

	if (size_read(path, r, err, sizeof(err)) < 0 || size_attribute(r, NULL, err, sizeof(err)) < 0) {
		error("%s", err);
		return -1;
	}
	return 0;
}

int
cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"results", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text", *results = ".ounce/results.json";
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;
	char *pa = NULL, *pb = NULL, *end;
	long limit = 0;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:f:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			results = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 0) {
				error("-n needs a number of rows, not '%s'", optarg);
				return 2;
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
	enum table_format fmt;

	if (!table_format_option(format, &fmt)) {
		return 2;
	}
	if (argc - optind != 2) {
		fputs(usage, stderr);
		return 2;
	}
	pa = resolve(argv[optind], results);
	pb = pa ? resolve(argv[optind + 1], results) : NULL;
	if (!pa || !pb || load(pa, &a) < 0 || load(pb, &b) < 0) {
		goto out;
	}
	diff_compute(&a, &b, &d);
	sizeout_diff(&d, argv[optind], argv[optind + 1], format, (size_t)limit, &out);
	fputs(buf_str(&out), stdout);
	rc = 0;
out:
	buf_release(&out);
	diff_release(&d);
	size_report_release(&a);
	size_report_release(&b);
	free(pa);
	free(pb);
	return rc;
}
