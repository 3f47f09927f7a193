/* heapcmd_flame.c: `ounce heap flame LOG > heap.svg`: a flame graph of a log
 * traced with --stacks, each stack drawn from its outermost recorded frame up to
 * its allocation site, as wide as its bytes live at the peak, its allocations or
 * its bytes allocated in total; drawn by base/flamegraph like `ounce size --flame`. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/heapcmd.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/flamegraph.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "heap/heaplog.h"
#include "heap/heapsites.h"
#include "heap/heapsym.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce heap flame LOG [options] > heap.svg\n"
	"A flame graph (SVG, on stdout) of a log traced with 'ounce heap trace --stacks N':\n"
	"each stack from its outermost recorded frame up to its allocation site (as\n"
	"'ounce heap sites' finds it), as wide as\n"
	"  --by peak    its bytes live at the peak (the default)\n"
	"  --by count   its allocations\n"
	"  --by total   its bytes allocated in total\n"
	"      --skip FUNC  a function (a pattern) that is not a site either; repeatable\n";

enum flame_by { BY_PEAK, BY_COUNT, BY_TOTAL };

/* The width and the second figure of a stack's box. */
static void
figures(const struct heapsites_figures *f, enum flame_by by, unsigned long long *value,
	unsigned long long *count)
{
	switch (by) {
	case BY_PEAK:
		*value = f->peak_bytes;
		*count = f->peak_blocks;
		break;
	case BY_COUNT:
		*value = f->allocs;
		*count = f->total_bytes;
		break;
	case BY_TOTAL:
		*value = f->total_bytes;
		*count = f->allocs;
		break;
	}
}

/* The names of stack id's functions from the outermost recorded one to its
 * site (inlined ones too), into names (of cap entries); returns how many. */
static size_t
site_path(const struct heap_log *log, const struct heapsym *sym, const struct heapsites *hs,
	  uint32_t id, const char **names, size_t cap)
{
	size_t n = 0;

	if (!id) {
		names[0] = "(no stack)";
		return 1;
	}
	for (uint32_t f = hs->site_of[id]; f && f < sym->n; f = log->frames[f].parent) {
		size_t k = f == hs->site_of[id] ? hs->site_k[id] : 0;

		for (; k < heapsym_depth(sym, f) && n < cap; k++) {
			names[n++] = heapsym_at(sym, f, k)->name;
		}
	}
	/* innermost first so far */
	for (size_t i = 0; i < n / 2; i++) {
		const char *t = names[i];

		names[i] = names[n - 1 - i];
		names[n - 1 - i] = t;
	}
	return n;
}

static void
draw(const struct heap_log *log, const struct heapsym *sym, const struct heapsites *hs,
     enum flame_by by, struct buf *out)
{
	static const char *const what[] = {"bytes live at the peak", "allocations",
					   "bytes allocated in total"};
	struct flamegraph_node root;
	struct flamegraph_style style;
	const char *exe = log->exe && *log->exe ? log->exe : "(unknown program)";
	const char *base = strrchr(exe, '/');
	size_t cap = 1;
	const char **names;
	char *title, *subtitle;

	for (size_t id = 1; id < sym->n; id++) {
		cap += heapsym_depth(sym, (uint32_t)id);
	}
	names = xcalloc(cap, sizeof(*names));
	flamegraph_init(&root, base ? base + 1 : exe, FLAMEGRAPH_GREY);
	for (size_t id = 0; id < hs->nframes; id++) {
		unsigned long long value, count;
		size_t n;

		figures(&hs->per_stack[id], by, &value, &count);
		if (!value) {
			continue;
		}
		n = site_path(log, sym, hs, (uint32_t)id, names, cap);
		flamegraph_add_path(&root, names, n, FLAMEGRAPH_CODE, value, count);
	}
	flamegraph_finish(&root);
	title = xasprintf("Heap flame graph of %s: %s", base ? base + 1 : exe, what[by]);
	if (by == BY_PEAK) {
		subtitle = xasprintf("%llu bytes in %llu blocks live after event %zu (t=%.6f s); "
				     "each stack from its outermost frame to its allocation site",
				     (unsigned long long)hs->all.peak_bytes,
				     (unsigned long long)hs->all.peak_blocks, hs->peak_event,
				     (double)hs->peak_t_us / 1e6);
	} else {
		subtitle = xasprintf("%llu allocations, %llu bytes; each stack from its outermost "
				     "frame to its allocation site",
				     (unsigned long long)hs->all.allocs,
				     (unsigned long long)hs->all.total_bytes);
	}
	style.title = title;
	style.subtitle = subtitle;
	style.unit = by == BY_COUNT ? "allocations" : "bytes";
	style.count_unit = by == BY_PEAK ? "blocks" : by == BY_COUNT ? "bytes" : "allocations";
	flamegraph_svg(&root, &style, out);
	flamegraph_release(&root);
	free(title);
	free(subtitle);
	free(names);
}

int
heapcmd_flame(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"by", required_argument, NULL, 'b'},
		{"skip", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapsym sym = HEAPSYM_INIT;
	struct heapsites hs = HEAPSITES_INIT;
	struct strv skip = STRV_INIT;
	struct buf out = BUF_INIT;
	enum flame_by by = BY_PEAK;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!strcmp(optarg, "peak")) {
				by = BY_PEAK;
			} else if (!strcmp(optarg, "count")) {
				by = BY_COUNT;
			} else if (!strcmp(optarg, "total")) {
				by = BY_TOTAL;
			} else {
				error("--by takes peak, count or total, not '%s'", optarg);
				goto done;
			}
			break;
		case 'S':
			strv_push(&skip, optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			rc = 0;
			goto done;
		default:
			fputs(usage, stderr);
			goto done;
		}
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		goto done;
	}
	if (heapcmd_read_stacks(argv[optind], &log, &sym) < 0) {
		goto done;
	}
	heapsites_compute(&hs, &log, &sym, (const char *const *)skip.v, skip.n);
	draw(&log, &sym, &hs, by, &out);
	if (fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		error_errno("cannot write the flame graph");
		rc = 1;
	} else {
		rc = 0;
	}
done:
	buf_release(&out);
	heapsites_release(&hs);
	heapsym_release(&sym);
	heaplog_release(&log);
	strv_release(&skip);
	return rc;
}
