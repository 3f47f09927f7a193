/* heapcmd_pools.c: `ounce heap pools LOG --pools N`: the trade-off between pool
 * count and reserved bytes for 1..N pools, then the N-pool layout as ounce INI,
 * Drone TOML or a C initializer. In text, the table is written as comments of
 * that form, so the whole output can be saved and read back (by replay). With
 * --at-peak, the pools hold what was alive at the peak moment, and a replay of
 * the N-pool layout over the whole run says whether that is enough. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/heapcmd.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/grid.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/units.h"
#include "heap/heaplog.h"
#include "heap/heappools.h"
#include "heap/heapreplay.h"
#include "heap/heapstats.h"
#include "report/table.h"
#include "base/banned.h"

#define U(x) ((unsigned long long)(x))

static const char usage[] =
	"usage: ounce heap pools LOG --pools N [options]\n"
	"The fixed-block pool layouts with the fewest reserved bytes for 1..N pools.\n"
	"  --pools N             the most pools to use (required)\n"
	"  --align A             round block sizes up to a multiple of A (default 8)\n"
	"  --min-block B         smallest block (default 8: a free list lives in it)\n"
	"  --capacity joint|sum|at-peak\n"
	"                        blocks per pool: the most of its sizes alive at once\n"
	"                        (joint, default), the sum of each size's own most (sum,\n"
	"                        Drone's), or how many were alive at the peak moment\n"
	"  --at-peak             --capacity at-peak: hold exactly the peak's blocks\n"
	"  --emit ini|toml|c     the N-pool layout as ounce INI (read by 'ounce heap\n"
	"                        replay'), a Drone [heap.main] section or a C initializer\n"
	"  -f, --format F        text, md, csv (the table only) or json (default text)\n";

/* What a layout of the bounded search is (heappools.h), in the output and on stderr. */
static const char bounded_note[] =
	"bounded search: too many size classes for the exact search in time; the layouts "
	"are the best the divide-and-conquer search found (the optimum for --capacity sum)";

/* reserved - peak, each side at most LLONG_MAX (saturated counts of a damaged
 * log): no signed overflow */
static long long
frag(const struct heappools_layout *l, uint64_t peak)
{
	uint64_t r = l->reserved < INT64_MAX ? l->reserved : INT64_MAX;
	uint64_t p = peak < INT64_MAX ? peak : INT64_MAX;

	return r >= p ? (long long)(r - p) : -(long long)(p - r);
}

static double
frag_pct(const struct heappools_layout *l, uint64_t peak)
{
	return l->reserved ? 100.0 * (double)frag(l, peak) / (double)l->reserved : 0.0;
}

static const char *
capacity_name(enum heappools_capacity model)
{
	switch (model) {
	case HEAPPOOLS_JOINT:
		return "joint";
	case HEAPPOOLS_SUM:
		return "sum";
	case HEAPPOOLS_AT_PEAK:
		break;
	}
	return "at-peak";
}

/* What was alive at the peak moment, and whether the N-pool layout sized to it
 * serves the whole run: a replay (rp) of it says. */
static void
note_at_peak(const struct heapstats *st, const struct heappools_classes *c,
	     const struct heapreplay *rp, size_t npools, const char *cm, struct buf *out)
{
	uint64_t blocks = 0;

	for (size_t i = 0; i < c->m; i++) {
		blocks = units_sat_add(blocks, c->at_peak[i]);
	}
	if (!st->peak_event) {
		buf_printf(out, "%scapacity at-peak: no block of a nonzero size was ever alive\n", cm);
		return;
	}
	buf_printf(out, "%scapacity at-peak: the pools hold the %llu blocks alive right after "
		   "event %zu (t=%.6f s), the peak\n", cm, U(blocks), st->peak_event,
		   (double)st->peak_t_us / 1e6);
	if (!rp->fails) {
		buf_printf(out, "%sreplay of the %zu-pool layout over the whole run: all %llu "
			   "requests served\n", cm, npools, U(rp->requests));
		return;
	}
	buf_printf(out, "%sreplay of the %zu-pool layout over the whole run: %llu of %llu "
		   "requests fail, the first at event %zu (%llu B): other moments hold more "
		   "blocks of some sizes than the peak does\n", cm, npools, U(rp->fails),
		   U(rp->requests), rp->first_event, U(rp->first_size));
}

static void
render_json(const struct heappools_layout *ls, size_t n, const struct heappools_classes *c,
	    const struct heapreplay *rp, uint64_t peak, uint64_t align, struct buf *out)
{
	json_t *o = json_object(), *layouts = json_array();
	char *s;

	json_object_set_new(o, "capacity", json_string(capacity_name(c->model)));
	json_object_set_new(o, "method", json_string(n && ls[0].method == HEAPPOOLS_BOUNDED
							     ? "bounded" : "exact"));
	json_object_set_new(o, "align", heapcmd_json_u64(align));
	json_object_set_new(o, "peak_bytes", heapcmd_json_u64(peak));
	if (c->model == HEAPPOOLS_AT_PEAK) {
		json_t *r = json_object();

		json_object_set_new(o, "peak_event", heapcmd_json_u64(c->peak_event));
		/* the N-pool layout replayed over the whole run */
		json_object_set_new(r, "requests", heapcmd_json_u64(rp->requests));
		json_object_set_new(r, "fails", heapcmd_json_u64(rp->fails));
		json_object_set_new(r, "first_failure_event", heapcmd_json_u64(rp->first_event));
		json_object_set_new(o, "replay", r);
	}
	for (size_t k = 0; k < n; k++) {
		json_t *l = json_object(), *pools = json_array();

		for (size_t i = 0; i < ls[k].npools; i++) {
			json_t *p = json_object();

			json_object_set_new(p, "block", heapcmd_json_u64(ls[k].pools[i].block));
			json_object_set_new(p, "count", heapcmd_json_u64(ls[k].pools[i].count));
			json_array_append_new(pools, p);
		}
		json_object_set_new(l, "max_pools", heapcmd_json_u64((k + 1)));
		json_object_set_new(l, "pools", pools);
		json_object_set_new(l, "reserved", heapcmd_json_u64(ls[k].reserved));
		json_object_set_new(l, "fragmentation", json_integer(frag(&ls[k], peak)));
		json_array_append_new(layouts, l);
	}
	json_object_set_new(o, "layouts", layouts);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
}

/* The trade-off table; in text, each line becomes a comment of the emitted form. */
static void
render(const struct heappools_layout *ls, size_t n, uint64_t peak, enum table_format f,
       const char *format, enum heappools_emit emit, const char *note, struct buf *out)
{
	static const char *const headers[] = {"pools", "reserved", "fragmentation", "%",
					      "layout (block x count)"};
	static const bool right[] = {true, true, true, true, false};
	struct buf table = BUF_INIT, lay = BUF_INIT;
	struct grid g;

	grid_init(&g, 5, headers, right);
	for (size_t k = 0; k < n; k++) {
		buf_reset(&lay);
		for (size_t i = 0; i < ls[k].npools; i++) {
			buf_printf(&lay, "%s%llux%llu", i ? " " : "", U(ls[k].pools[i].block),
				   U(ls[k].pools[i].count));
		}
		grid_row(&g, "%zu\t%llu\t%lld\t%.1f\t%s", k + 1, U(ls[k].reserved),
			 frag(&ls[k], peak), frag_pct(&ls[k], peak), buf_str(&lay));
	}
	grid_render(&g, format, &table);
	grid_release(&g);
	if (f == TABLE_TEXT) {
		const char *cm = emit == HEAPPOOLS_EMIT_C ? "// " : "# ";
		const char *p = buf_str(&table);

		buf_printf(out, "%speak live %llu B; fragmentation = reserved - peak\n", cm,
			   U(peak));
		if (n && ls[0].method == HEAPPOOLS_BOUNDED) {
			buf_printf(out, "%s%s\n", cm, bounded_note);
		}
		buf_adds(out, note);
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			buf_adds(out, cm);
			buf_add(out, p, len);
			buf_addc(out, '\n');
			p += len + (nl != NULL);
		}
	} else {
		buf_adds(out, buf_str(&table));
		if (f == TABLE_MD && *note) {
			buf_printf(out, "\n%s", note);
		}
	}
	if (f != TABLE_CSV && n) {
		buf_adds(out, f == TABLE_MD ? "\n```\n" : "\n");
		heappools_emit(&ls[n - 1], emit, out);
		if (f == TABLE_MD) {
			buf_adds(out, "```\n");
		}
	}
	buf_release(&table);
	buf_release(&lay);
}

int
heapcmd_pools(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pools", required_argument, NULL, 'n'},
		{"align", required_argument, NULL, 'a'},
		{"min-block", required_argument, NULL, 'm'},
		{"capacity", required_argument, NULL, 'c'},
		{"at-peak", no_argument, NULL, 'p'},
		{"emit", required_argument, NULL, 'e'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapstats st = HEAPSTATS_INIT;
	struct heappools_classes cl = HEAPPOOLS_CLASSES_INIT;
	struct heappools_layout *ls;
	struct heapreplay rp = HEAPREPLAY_INIT;
	struct buf note = BUF_INIT;
	enum heappools_capacity model = HEAPPOOLS_JOINT;
	enum heappools_emit emit = HEAPPOOLS_EMIT_INI;
	struct buf out = BUF_INIT;
	const char *format = "text";
	enum table_format f;
	uint64_t align = 8, min_block = 8, npools = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!units_parse_size(optarg, &npools) || !npools || npools > 4096) {
				error("--pools needs a number from 1 to 4096, not '%s'", optarg);
				return 2;
			}
			break;
		case 'a':
			if (!units_parse_size(optarg, &align) || !align) {
				error("--align needs a positive number of bytes, not '%s'", optarg);
				return 2;
			}
			break;
		case 'm':
			if (!units_parse_size(optarg, &min_block)) {
				error("--min-block needs a number of bytes, not '%s'", optarg);
				return 2;
			}
			break;
		case 'c':
			if (!strcmp(optarg, "joint")) {
				model = HEAPPOOLS_JOINT;
			} else if (!strcmp(optarg, "sum")) {
				model = HEAPPOOLS_SUM;
			} else if (!strcmp(optarg, "at-peak")) {
				model = HEAPPOOLS_AT_PEAK;
			} else {
				error("unknown capacity '%s': expected joint, sum or at-peak",
				      optarg);
				return 2;
			}
			break;
		case 'p':
			model = HEAPPOOLS_AT_PEAK;
			break;
		case 'e':
			if (!heappools_emit_parse(optarg, &emit)) {
				error("unknown emit form '%s': expected ini, toml or c", optarg);
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
	if (argc - optind != 1 || !npools) {
		if (argc - optind == 1) {
			error("--pools N is required");
		}
		fputs(usage, stderr);
		return 2;
	}
	if (heaplog_read(&log, argv[optind]) < 0) {
		return 2;
	}
	heapstats_compute(&st, &log, 1);
	heappools_classes(&cl, &log, align, min_block, model);
	if (npools > cl.m && cl.m) {
		info("%zu size classes: %llu pools are no better than %zu", cl.m, U(npools), cl.m);
		npools = cl.m;
	}
	ls = xcalloc((size_t)npools, sizeof(*ls));
	if (heappools_solve(&cl, (size_t)npools, ls) == HEAPPOOLS_BOUNDED) {
		warn("%zu size classes and %llu pools: %s", cl.m, U(npools), bounded_note);
	}
	if (cl.model == HEAPPOOLS_AT_PEAK) {
		heapreplay_run(&rp, &log, ls[npools - 1].pools, ls[npools - 1].npools, false);
		note_at_peak(&st, &cl, &rp, ls[npools - 1].npools,
			     f == TABLE_TEXT ? (emit == HEAPPOOLS_EMIT_C ? "// " : "# ") : "",
			     &note);
	}
	if (f == TABLE_JSON) {
		render_json(ls, (size_t)npools, &cl, &rp, st.peak_bytes, align, &out);
	} else {
		render(ls, (size_t)npools, st.peak_bytes, f, format, emit, buf_str(&note), &out);
	}
	fputs(buf_str(&out), stdout);
	for (size_t k = 0; k < npools; k++) {
		heappools_layout_release(&ls[k]);
	}
	free(ls);
	heapreplay_release(&rp);
	buf_release(&note);
	buf_release(&out);
	heappools_classes_release(&cl);
	heapstats_release(&st);
	heaplog_release(&log);
	return 0;
}
