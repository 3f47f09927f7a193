/* heapcmd_sites.c: `ounce heap sites LOG`: the allocation sites of a log traced
 * with --stacks, largest live at the peak first, as text, Markdown, CSV or JSON;
 * --stack adds each site's stacks. */
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
#include "base/strv.h"
#include "heap/heapfmt.h"
#include "heap/heaplog.h"
#include "heap/heapsites.h"
#include "heap/heapsym.h"
#include "report/table.h"
#include "base/banned.h"

#define U(x) ((unsigned long long)(x))

static const char usage[] =
	"usage: ounce heap sites LOG [options]\n"
	"The allocation sites of a log traced with 'ounce heap trace --stacks N': the\n"
	"innermost frame of each stack outside the C library and allocator wrappers,\n"
	"with its bytes live at the peak, allocations, bytes leaked at exit and largest\n"
	"block, largest at the peak first.\n"
	"  -n N             show the first N sites (default 20; 0: all)\n"
	"      --skip FUNC  a function (a pattern: xalloc_*) that is not a site either;\n"
	"                   repeatable\n"
	"      --stack      print each site's stacks under it, innermost frame first\n"
	"  -f, --format F   text, md, csv or json (default text)\n";

/* The parsed options. */
struct sites_opts {
	size_t top;
	bool stack;
	const char *format;
	enum table_format f;
	struct strv skip;
};

static void
json_figures(json_t *o, const struct heapsites_figures *f)
{
	json_object_set_new(o, "peak_bytes", heapcmd_json_u64(f->peak_bytes));
	json_object_set_new(o, "peak_blocks", heapcmd_json_u64(f->peak_blocks));
	json_object_set_new(o, "allocations", heapcmd_json_u64(f->allocs));
	json_object_set_new(o, "total_bytes", heapcmd_json_u64(f->total_bytes));
	json_object_set_new(o, "leaked_bytes", heapcmd_json_u64(f->leak_bytes));
	json_object_set_new(o, "leaked_blocks", heapcmd_json_u64(f->leak_blocks));
	json_object_set_new(o, "largest", heapcmd_json_u64(f->largest));
}

static json_t *
json_frame(const struct heapsym_frame *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "function", f->func ? json_string(f->func) : json_null());
	json_object_set_new(o, "file", f->file ? json_string(f->file) : json_null());
	json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "object", f->object ? json_string(f->object) : json_null());
	json_object_set_new(o, "offset", heapcmd_json_u64(f->offset));
	json_object_set_new(o, "inlined", json_boolean(f->inlined));
	return o;
}

/* The frames of stack id, innermost first. */
static json_t *
json_stack(const struct heap_log *log, const struct heapsym *sym, uint32_t id)
{
	json_t *a = json_array();

	for (uint32_t f = id; f && f < sym->n; f = log->frames[f].parent) {
		for (size_t k = 0; k < heapsym_depth(sym, f); k++) {
			json_array_append_new(a, json_frame(heapsym_at(sym, f, k)));
		}
	}
	return a;
}

static size_t
shown(const struct heapsites *hs, const struct sites_opts *o)
{
	return o->top && o->top < hs->n ? o->top : hs->n;
}

static void
render_json(const struct heap_log *log, const struct heapsym *sym, const struct heapsites *hs,
	    const struct sites_opts *o, struct buf *out)
{
	json_t *root = json_object(), *sites = json_array(), *all = json_object();
	char *s;

	for (size_t i = 0; i < shown(hs, o); i++) {
		const struct heapsites_site *site = &hs->sites[i];
		json_t *j = json_object();

		json_object_set_new(j, "site", json_string(site->label));
		json_object_set_new(j, "frame",
		                    heapsym_depth(sym, site->frame)
		                        ? json_frame(heapsym_at(sym, site->frame, site->k))
		                        : json_null());
		json_figures(j, &site->f);
		if (o->stack) {
			json_t *stacks = json_array();

			for (size_t k = 0; k < site->nstacks; k++) {
				json_t *st = json_object();

				json_figures(st, &hs->per_stack[site->stacks[k]]);
				json_object_set_new(st, "frames",
				                    json_stack(log, sym, site->stacks[k]));
				json_array_append_new(stacks, st);
			}
			json_object_set_new(j, "stacks", stacks);
		}
		json_array_append_new(sites, j);
	}
	json_object_set_new(root, "sites", sites);
	json_object_set_new(root, "site_count", heapcmd_json_u64(hs->n));
	json_figures(all, &hs->all);
	json_object_set_new(root, "total", all);
	json_object_set_new(root, "peak_event", heapcmd_json_u64(hs->peak_event));
	json_object_set_new(root, "peak_t_us", heapcmd_json_u64(hs->peak_t_us));
	json_object_set_new(root, "frames", heapcmd_json_u64(log->nframes ? log->nframes - 1 : 0));
	json_object_set_new(root, "unresolved_frames", heapcmd_json_u64(sym->unresolved));
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
}

/* The stacks of site, for under its row. */
static char *
stacks_text(const struct heap_log *log, const struct heapsym *sym, const struct heapsites *hs,
	    const struct heapsites_site *site, bool md)
{
	struct buf b = BUF_INIT;

	for (size_t k = 0; k < site->nstacks; k++) {
		uint32_t id = site->stacks[k];
		const struct heapsites_figures *f = &hs->per_stack[id];

		buf_printf(&b, "%s  stack %zu: %llu B live at the peak, %llu allocations, %llu B\n",
			   md ? ">" : "", k + 1, U(f->peak_bytes), U(f->allocs), U(f->total_bytes));
		if (!id) {
			buf_printf(&b, "%s    (no frame was recorded)\n", md ? ">" : "");
		}
		for (uint32_t fr = id; fr && fr < sym->n; fr = log->frames[fr].parent) {
			for (size_t j = 0; j < heapsym_depth(sym, fr); j++) {
				const struct heapsym_frame *at = heapsym_at(sym, fr, j);

				buf_printf(&b, "%s    %s%s%s\n", md ? ">" : "",
				           fr == site->frame && j == site->k ? "> " : "  ",
				           at->label, at->inlined ? " [inlined]" : "");
			}
		}
	}
	return buf_detach(&b);
}

static void
render(const struct heap_log *log, const struct heapsym *sym, const struct heapsites *hs,
       const struct sites_opts *o, struct buf *out)
{
	static const char *const headers[] = {"Site",        "Peak Bytes",  "Peak Blocks",
	                                      "Allocations", "Total Bytes", "Leaked Bytes",
	                                      "Largest"};
	static const bool right[] = {false, true, true, true, true, true, true};
	struct grid g;

	if (o->f == TABLE_JSON) {
		render_json(log, sym, hs, o, out);
		return;
	}
	grid_init(&g, 7, headers, right);
	for (size_t i = 0; i < shown(hs, o); i++) {
		const struct heapsites_site *s = &hs->sites[i];

		grid_row(&g, "%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu", s->label, U(s->f.peak_bytes),
			 U(s->f.peak_blocks), U(s->f.allocs), U(s->f.total_bytes),
			 U(s->f.leak_bytes), U(s->f.largest));
		if (o->stack) {
			char *t = stacks_text(log, sym, hs, s, o->f == TABLE_MD);

			grid_after(&g, t);
			free(t);
		}
	}
	grid_render(&g, o->format, out);
	grid_release(&g);
	if (o->f == TABLE_CSV) {
		return;
	}
	if (shown(hs, o) < hs->n) {
		buf_printf(out, "\n%zu more sites (-n 0 shows all)\n", hs->n - shown(hs, o));
	}
	buf_printf(out, "\npeak live %llu B in %llu blocks", U(hs->all.peak_bytes),
		   U(hs->all.peak_blocks));
	if (hs->peak_event) {
		buf_printf(out, " at event %zu (t=%.6f s)", hs->peak_event,
			   (double)hs->peak_t_us / 1e6);
	}
	if (hs->n && hs->all.peak_bytes) {
		buf_printf(out, "; %.1f %% of it from %s",
			   100.0 * (double)hs->sites[0].f.peak_bytes / (double)hs->all.peak_bytes,
			   hs->sites[0].label);
	}
	buf_printf(out, "\n%llu allocations, %llu B in %zu sites; leaked at exit %llu B in %llu "
		   "blocks\n",
		   U(hs->all.allocs), U(hs->all.total_bytes), hs->n, U(hs->all.leak_bytes),
		   U(hs->all.leak_blocks));
	if (sym->unresolved) {
		buf_printf(out, "%zu of %zu frames have no function name (no symbols for them)\n",
			   sym->unresolved, log->nframes ? log->nframes - 1 : 0);
	}
}

/* Parse the options; returns -1 (exit 2 after reporting), 1 for --help, or 0. */
static int
parse_opts(int argc, char **argv, struct sites_opts *o)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"skip", required_argument, NULL, 'S'},
		{"stack", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->top = strtoul(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-') {
				error("-n needs a number of sites, not '%s'", optarg);
				return -1;
			}
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'S':
			strv_push(&o->skip, optarg);
			break;
		case 's':
			o->stack = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (!table_format_option(o->format, &o->f)) {
		return -1;
	}
	if (o->stack && o->f == TABLE_CSV) {
		error("--stack has no CSV form (use --format json)");
		return -1;
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

/* Read the log at path with its stacks resolved; -1 after reporting. Shared by
 * sites and flame. */
int
heapcmd_read_stacks(const char *path, struct heap_log *log, struct heapsym *sym)
{
	if (heaplog_read(log, path) < 0) {
		return -1;
	}
	if (!(log->flags & HEAPFMT_FLAG_STACKS)) {
		heaplog_release(log);
		return error("'%s' has no stacks: trace with 'ounce heap trace --stacks 16'", path);
	}
	heapsym_resolve(sym, log);
	return 0;
}

int
heapcmd_sites(int argc, char **argv)
{
	struct sites_opts o = {20, false, "text", TABLE_TEXT, STRV_INIT};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapsym sym = HEAPSYM_INIT;
	struct heapsites hs = HEAPSITES_INIT;
	struct buf out = BUF_INIT;
	int rc = parse_opts(argc, argv, &o);

	if (rc) {
		strv_release(&o.skip);
		return rc < 0 ? 2 : 0;
	}
	if (heapcmd_read_stacks(argv[optind], &log, &sym) < 0) {
		strv_release(&o.skip);
		return 2;
	}
	heapsites_compute(&hs, &log, &sym, (const char *const *)o.skip.v, o.skip.n);
	render(&log, &sym, &hs, &o, &out);
	fputs(buf_str(&out), stdout);
	buf_release(&out);
	heapsites_release(&hs);
	heapsym_release(&sym);
	heaplog_release(&log);
	strv_release(&o.skip);
	return 0;
}
