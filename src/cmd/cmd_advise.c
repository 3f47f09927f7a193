/* cmd_advise.c: `ounce advise FILE|results.json`: which profiles are likely to
 * pay for an ELF file, each backed by a figure measured in it; given the
 * results.json of a run, the advice is about its baseline and each profile's
 * measured change is added. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/units.h"
#include "config/profile.h"
#include "elf/advise.h"
#include "elf/size.h"
#include "os/os_linux.h"
#include "report/result.h"
#include "report/speed.h"
#include "report/table.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce advise FILE|results.json\n"
	"Say which profiles are likely to pay for an ELF file, each with the figure measured\n"
	"in the file that backs it and the profile's trade-off. Given the results.json of\n"
	"ounce matrix, advise on its baseline and add what each profile measured alone.\n"
	"  -h, --help   print this help\n";

/* Does path start like JSON (its first byte that is not white space is '{')?
 * False for an ELF file, and for a file that cannot be read (size_read says why). */
static bool
looks_like_json(const char *path)
{
	/* O_NONBLOCK and a regular file only: a FIFO or a device is size_read's to refuse */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), c;
	struct stat st;
	FILE *fp;

	if (fd < 0) {
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(fp = fdopen(fd, "rb"))) {
		close(fd);
		return false;
	}
	while ((c = getc(fp)) != EOF && isspace(c)) {
	}
	fclose(fp);
	return c == '{';
}

/* The run-time cost of the profile of each "each" row of base's build that
 * ounce matrix --bench measured, as NAME=TEXT into costs (speed_describe). */
static void
measured_costs(const struct results *res, const struct cell *base, struct strv *costs)
{
	for (size_t i = 0; i < res->nrows; i++) {
		const struct row *row = &res->rows[i];
		const struct cell *c = results_find(res, row->cell);
		char *cost;

		if (strcmp(row->group, "each") || !c || c->profiles.n != 1 ||
		    results_baseline_of(res, c) != base) {
			continue;
		}
		cost = speed_describe(base, c);
		if (cost) {
			strv_setenv(costs, c->profiles.v[0], cost);
		}
		free(cost);
	}
}

/* Append what each profile of the default build measured alone (the "each"
 * rows) against its baseline, and its measured run-time cost (costs); returns
 * how many rows were written. */
static size_t
add_measured(const struct results *res, const struct cell *base, const char *path,
	     const struct strv *costs, struct buf *b)
{
	size_t n = 0;

	for (size_t i = 0; i < res->nrows; i++) {
		const struct row *row = &res->rows[i];
		const struct cell *c = results_find(res, row->cell);

		if (strcmp(row->group, "each") || !c || results_baseline_of(res, c) != base) {
			continue;
		}
		if (!n) {
			buf_printf(b, "Measured by ounce matrix in %s, each profile alone against "
				   "the baseline's %lld bytes:\n", path, base->m.bytes);
		}
		n++;
		if (c->m.bytes < 0) {
			buf_printf(b, "  %s was not measured here: %s\n", row->label,
				   cell_status_name(c->status));
			continue;
		}
		buf_printf(b, "  %s measured %s here (%lld bytes)", row->label,
			   units_percent(c->m.bytes, base->m.bytes), c->m.bytes);
		if (c->profiles.n == 1 && strv_getenv(costs, c->profiles.v[0])) {
			buf_printf(b, "; at run time, measured: %s",
				   strv_getenv(costs, c->profiles.v[0]));
		}
		if (c->status != CELL_OK) {
			buf_printf(b, ", but the cell is %s", cell_status_name(c->status));
		}
		buf_adds(b, ".\n");
	}
	if (n) {
		buf_addc(b, '\n');
	}
	return n;
}

/* Load the built-in profiles for their trade-offs. Returns 0 or -1 after reporting. */
static int
load_profiles(struct profile_set *set)
{
	char *data = os_data_dir(), *dir;
	int rc;

	if (!data) {
		return -1;
	}
	dir = xasprintf("%s/profiles", data);
	rc = profile_load_dir(set, dir);
	free(dir);
	free(data);
	return rc;
}

/* The advice of b without its last line (advise_report's summary). */
static void
drop_last_line(struct buf *b)
{
	while (b->len && b->s[b->len - 1] == '\n') {
		b->len--;
	}
	while (b->len && b->s[b->len - 1] != '\n') {
		b->len--;
	}
	if (b->s) {
		b->s[b->len] = '\0';
	}
}

int
cmd_advise(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct results res = RESULTS_INIT;
	struct size_report r = SIZE_REPORT_INIT;
	struct profile_set set = PROFILE_SET_INIT;
	struct buf b = BUF_INIT;
	struct strv costs = STRV_INIT;
	const struct cell *base = NULL;
	const char *path, *file;
	char err[512];
	int c, n, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		return 2;
	}
	path = file = argv[optind];
	if (looks_like_json(path)) {
		if (results_load(&res, path) < 0) {
			goto out;
		}
		base = results_find(&res, res.baseline);
		if (!base->artifact) {
			error("'%s': the baseline cell '%s' has no artifact (%s)", path, base->name,
			      cell_status_name(base->status));
			rc = 1;
			goto out;
		}
		file = base->artifact;
	}
	if (size_read(file, &r, err, sizeof(err)) < 0 ||
	    size_attribute(&r, NULL, err, sizeof(err)) < 0) {
		if (base) {
			/* results.json is fine; the work directory it points at is not */
			error("%s (the baseline of '%s')", err, path);
			rc = 1;
		} else {
			error("%s", err);
		}
		goto out;
	}
	if (load_profiles(&set) < 0) {
		rc = 1;
		goto out;
	}
	if (base) {
		measured_costs(&res, base, &costs);
	}
	n = advise_report_costs(&r, &set, &costs, &b);
	if (base) {
		struct buf measured = BUF_INIT;
		size_t m = add_measured(&res, base, path, &costs, &measured);

		if (m) {
			drop_last_line(&b);
			buf_adds(&b, buf_str(&measured));
			buf_printf(&b, "%d suggestion%s; ounce matrix measured %zu profile%s "
				   "above\n", n, n == 1 ? "" : "s", m, m == 1 ? "" : "s");
		}
		buf_release(&measured);
	}
	fputs(buf_str(&b), stdout);
	rc = 0;
out:
	buf_release(&b);
	strv_release(&costs);
	profile_set_release(&set);
	size_report_release(&r);
	results_release(&res);
	return rc;
}
