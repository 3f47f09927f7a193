/* heapcmd_stats.c: `ounce heap stats LOG`: Drone's table (Block Size | Max Load |
 * Total Allocations), then the true peak, the counts and the live-at-exit
 * figures, as text, Markdown, CSV (the table only) or JSON. With --at-peak, the
 * table of what was alive at the peak moment instead (JSON: both). */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/heapcmd.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/grid.h"
#include "base/log.h"
#include "base/units.h"
#include "heap/heaplog.h"
#include "heap/heapstats.h"
#include "report/table.h"
#include "base/banned.h"

#define U(x) ((unsigned long long)(x))

static const char usage[] =
	"usage: ounce heap stats LOG [options]\n"
	"Per-size maximum load and totals of a heap trace log, and its peak.\n"
	"  --align N        round sizes up to a multiple of N (default 1: exact sizes)\n"
	"  --at-peak        instead, the blocks alive at the peak moment, per size\n"
	"  --budget SIZE    show the peak as a share of SIZE (4096, 4K, 4KiB, 1M)\n"
	"  -f, --format F   text, md, csv or json (default text)\n";

json_t *
heapcmd_json_u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static void
render_json(const struct heapstats *st, const struct heap_log *log, uint64_t budget,
	    bool at_peak, struct buf *out)
{
	json_t *o = json_object(), *blocks = json_array();
	char *s;

	for (size_t i = 0; i < st->nsizes; i++) {
		json_t *b = json_object();

		json_object_set_new(b, "size", heapcmd_json_u64(st->sizes[i].size));
		json_object_set_new(b, "max_load", heapcmd_json_u64(st->sizes[i].max_load));
		json_object_set_new(b, "total", heapcmd_json_u64(st->sizes[i].total));
		json_array_append_new(blocks, b);
	}
	json_object_set_new(o, "blocks", blocks);
	json_object_set_new(o, "align", heapcmd_json_u64(st->align));
	json_object_set_new(o, "peak_bytes", heapcmd_json_u64(st->peak_bytes));
	json_object_set_new(o, "peak_event", heapcmd_json_u64(st->peak_event));
	json_object_set_new(o, "peak_t_us", heapcmd_json_u64(st->peak_t_us));
	json_object_set_new(o, "max_heap_load", heapcmd_json_u64(st->drone_bytes));
	json_object_set_new(o, "allocations", heapcmd_json_u64(st->allocations));
	json_object_set_new(o, "frees", heapcmd_json_u64(st->frees));
	json_object_set_new(o, "reallocs", heapcmd_json_u64(st->reallocs));
	json_object_set_new(o, "failed", heapcmd_json_u64(st->failed));
	json_object_set_new(o, "unknown_frees", heapcmd_json_u64(st->unknown_frees));
	json_object_set_new(o, "live_blocks", heapcmd_json_u64(st->live_blocks));
	json_object_set_new(o, "live_bytes", heapcmd_json_u64(st->live_bytes));
	json_object_set_new(o, "events", heapcmd_json_u64(st->events));
	json_object_set_new(o, "truncated", json_boolean(log->truncated));
	json_object_set_new(o, "lost", heapcmd_json_u64(log->lost));
	if (budget) {
		json_object_set_new(o, "budget", heapcmd_json_u64(budget));
		json_object_set_new(o, "budget_share",
				    json_real(100.0 * (double)st->peak_bytes / (double)budget));
	}
	if (at_peak) {
		json_t *rows = json_array();

		for (size_t i = 0; i < st->nsizes; i++) {
			json_t *b;

			if (!st->sizes[i].at_peak) {
				continue;
			}
			b = json_object();
			json_object_set_new(b, "size", heapcmd_json_u64(st->sizes[i].size));
			json_object_set_new(b, "blocks", heapcmd_json_u64(st->sizes[i].at_peak));
			json_object_set_new(b, "bytes", heapcmd_json_u64(st->sizes[i].at_peak_bytes));
			json_array_append_new(rows, b);
		}
		json_object_set_new(o, "at_peak", rows);
		json_object_set_new(o, "peak_blocks", heapcmd_json_u64(st->peak_blocks));
	}
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
}

/* The table of what was alive right after the peak event, and its totals. */
static void
render_at_peak(const struct heapstats *st, uint64_t budget, enum table_format f,
	       const char *format, struct buf *out)
{
	static const char *const headers[] = {"Block Size", "Live at Peak", "Bytes at Peak"};
	static const bool right[] = {true, true, true};
	struct grid g;

	grid_init(&g, 3, headers, right);
	for (size_t i = 0; i < st->nsizes; i++) {
		if (st->sizes[i].at_peak) {
			grid_row(&g, "%llu\t%llu\t%llu", U(st->sizes[i].size),
				 U(st->sizes[i].at_peak), U(st->sizes[i].at_peak_bytes));
		}
	}
	grid_render(&g, format, out);
	grid_release(&g);
	if (f == TABLE_CSV) {
		return;
	}
	buf_printf(out, "\nlive at peak %llu blocks / %llu B", U(st->peak_blocks),
		   U(st->peak_bytes));
	if (st->peak_event) {
		buf_printf(out, " right after event %zu (t=%.6f s)", st->peak_event,
			   (double)st->peak_t_us / 1e6);
	}
	buf_adds(out, "\n");
	if (budget) {
		buf_printf(out, "budget %llu B: peak uses %.1f %%\n", U(budget),
			   100.0 * (double)st->peak_bytes / (double)budget);
	}
}

static void
render(const struct heapstats *st, const struct heap_log *log, uint64_t budget, bool at_peak,
       enum table_format f, const char *format, struct buf *out)
{
	static const char *const headers[] = {"Block Size", "Max Load", "Total Allocations"};
	static const bool right[] = {true, true, true};
	struct grid g;

	if (f == TABLE_JSON) {
		render_json(st, log, budget, at_peak, out);
		return;
	}
	if (at_peak) {
		render_at_peak(st, budget, f, format, out);
		return;
	}
	grid_init(&g, 3, headers, right);
	for (size_t i = 0; i < st->nsizes; i++) {
		grid_row(&g, "%llu\t%llu\t%llu", U(st->sizes[i].size), U(st->sizes[i].max_load),
			 U(st->sizes[i].total));
	}
	grid_render(&g, format, out);
	grid_release(&g);
	if (f == TABLE_CSV) {
		return;
	}
	buf_printf(out, "\nallocations %llu (%llu failed), frees %llu, reallocs %llu, "
		   "unknown frees %llu\n",
		   U(st->allocations), U(st->failed), U(st->frees), U(st->reallocs),
		   U(st->unknown_frees));
	buf_printf(out, "peak live %llu B", U(st->peak_bytes));
	if (st->peak_event) {
		buf_printf(out, " at event %zu (t=%.6f s)", st->peak_event,
			   (double)st->peak_t_us / 1e6);
	}
	buf_printf(out, "; size x max-load %llu B; live at exit %llu blocks / %llu B\n",
		   U(st->drone_bytes), U(st->live_blocks), U(st->live_bytes));
	if (budget) {
		buf_printf(out, "budget %llu B: peak uses %.1f %%, size x max-load %.1f %%\n",
			   U(budget), 100.0 * (double)st->peak_bytes / (double)budget,
			   100.0 * (double)st->drone_bytes / (double)budget);
	}
}

int
heapcmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"align", required_argument, NULL, 'a'},
		{"at-peak", no_argument, NULL, 'p'},
		{"budget", required_argument, NULL, 'b'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapstats st = HEAPSTATS_INIT;
	struct buf out = BUF_INIT;
	const char *format = "text";
	enum table_format f;
	uint64_t align = 1, budget = 0;
	bool at_peak = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!units_parse_size(optarg, &align) || !align) {
				error("--align needs a positive number of bytes, not '%s'", optarg);
				return 2;
			}
			break;
		case 'p':
			at_peak = true;
			break;
		case 'b':
			if (!units_parse_size(optarg, &budget) || !budget) {
				error("--budget needs a size such as 4096, 4K or 1MiB, not '%s'",
				      optarg);
				return 2;
			}
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!table_format_option(format, &f)) {
		return 2;
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (heaplog_read(&log, argv[optind]) < 0) {
		return 2;
	}
	if (log.lost) {
		/* a device's tracer whose RAM buffer filled up says so only here */
		warn("%s: the tracer could not record %llu calls: the figures miss them",
		     argv[optind], U(log.lost));
	}
	heapstats_compute(&st, &log, align);
	if (at_peak) {
		heapstats_at_peak(&st, &log);
	}
	render(&st, &log, budget, at_peak, f, format, &out);
	fputs(buf_str(&out), stdout);
	buf_release(&out);
	heapstats_release(&st);
	heaplog_release(&log);
	return 0;
}
