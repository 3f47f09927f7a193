/* heapcmd_replay.c: `ounce heap replay LOG --layout FILE`: replays a traced run
 * against a pool layout (the [pools] INI that `ounce heap pools` writes). Exit 0
 * only when every request was served, so it can gate CI. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/heapcmd.h"

#include <ctype.h>
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
#include "config/conf.h"
#include "heap/heaplog.h"
#include "heap/heappools.h"
#include "heap/heapreplay.h"
#include "report/table.h"
#include "base/banned.h"

#define U(x) ((unsigned long long)(x))

static const char usage[] =
	"usage: ounce heap replay LOG --layout FILE [options]\n"
	"Replay a heap trace log against a pool layout; exit 0 if nothing failed, 1 if\n"
	"a request could not be served.\n"
	"  --layout FILE    an INI file with a [pools] section of BLOCK = COUNT lines\n"
	"                   (as 'ounce heap pools --emit ini' writes it)\n"
	"  --borrow         a full pool lends blocks of the next larger pools\n"
	"  -f, --format F   text, md, csv (the table only) or json (default text)\n";

struct layout {
	struct heappools_pool *pools;
	size_t n;
	bool borrow, has_borrow;
};

static bool
number(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s)) {
		return false;
	}
	*out = strtoull(s, &end, 10);
	return !*end;
}

static const char *
handler(void *ctx, const char *section, const char *key, const char *value)
{
	struct layout *l = ctx;
	uint64_t block, count;

	if (strcmp(section, "pools")) {
		return "unknown section: a layout has one section, [pools]";
	}
	if (!strcmp(key, "borrow")) {
		if (!conf_bool(value, &l->borrow)) {
			return "borrow needs yes or no";
		}
		l->has_borrow = true;
		return NULL;
	}
	if (!number(key, &block) || !block) {
		return "expected 'BLOCK = COUNT' with BLOCK a positive number of bytes";
	}
	if (!number(value, &count)) {
		return "expected 'BLOCK = COUNT' with COUNT a number of blocks";
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->pools[i].block == block) {
			return "this block size has a pool already";
		}
	}
	l->pools = xreallocarray(l->pools, l->n + 1, sizeof(*l->pools));
	l->pools[l->n].block = block;
	l->pools[l->n++].count = count;
	return NULL;
}

static void
render_json(const struct heapreplay *r, struct buf *out)
{
	json_t *o = json_object(), *pools = json_array();
	char *s;

	for (size_t i = 0; i < r->npools; i++) {
		const struct heapreplay_pool *p = &r->pools[i];
		json_t *j = json_object();

		json_object_set_new(j, "block", json_integer((json_int_t)p->block));
		json_object_set_new(j, "count", json_integer((json_int_t)p->count));
		json_object_set_new(j, "hwm", json_integer((json_int_t)p->hwm));
		json_object_set_new(j, "borrowed", json_integer((json_int_t)p->borrowed));
		json_object_set_new(j, "fails", json_integer((json_int_t)p->fails));
		json_array_append_new(pools, j);
	}
	json_object_set_new(o, "pools", pools);
	json_object_set_new(o, "requests", json_integer((json_int_t)r->requests));
	json_object_set_new(o, "fails", json_integer((json_int_t)r->fails));
	json_object_set_new(o, "too_large", json_integer((json_int_t)r->too_large));
	if (r->first_event) {
		json_t *f = json_object();

		json_object_set_new(f, "event", json_integer((json_int_t)r->first_event));
		json_object_set_new(f, "size", json_integer((json_int_t)r->first_size));
		json_object_set_new(f, "t_us", json_integer((json_int_t)r->first_t_us));
		json_object_set_new(o, "first_failure", f);
	} else {
		json_object_set_new(o, "first_failure", json_null());
	}
	json_object_set_new(o, "peak_used", json_integer((json_int_t)r->peak_used));
	json_object_set_new(o, "reserved", json_integer((json_int_t)r->reserved));
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
}

static void
render(const struct heapreplay *r, enum table_format f, const char *format, struct buf *out)
{
	static const char *const headers[] = {"pool", "block", "count", "hwm", "borrowed",
					      "fails"};
	static const bool right[] = {true, true, true, true, true, true};
	struct grid g;

	if (f == TABLE_JSON) {
		render_json(r, out);
		return;
	}
	grid_init(&g, 6, headers, right);
	for (size_t i = 0; i < r->npools; i++) {
		const struct heapreplay_pool *p = &r->pools[i];

		grid_row(&g, "%zu\t%llu\t%llu\t%llu\t%llu\t%llu", i, U(p->block), U(p->count),
			 U(p->hwm), U(p->borrowed), U(p->fails));
	}
	grid_render(&g, format, out);
	grid_release(&g);
	if (f == TABLE_CSV) {
		return;
	}
	buf_addc(out, '\n');
	if (!r->fails) {
		buf_printf(out, "OK: %llu allocations served; peak blocks in use %llu B of %llu B "
			   "reserved\n",
			   U(r->requests), U(r->peak_used), U(r->reserved));
		return;
	}
	buf_printf(out, "FAIL: %llu of %llu allocations not served", U(r->fails), U(r->requests));
	if (r->too_large) {
		buf_printf(out, " (%llu larger than every block)", U(r->too_large));
	}
	buf_printf(out, "; first at event %zu (%llu B, t=%.6f s); peak blocks in use %llu B of "
		   "%llu B reserved\n",
		   r->first_event, U(r->first_size), (double)r->first_t_us / 1e6, U(r->peak_used),
		   U(r->reserved));
}

int
heapcmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"layout", required_argument, NULL, 'l'},
		{"borrow", no_argument, NULL, 'b'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct heap_log log = HEAP_LOG_INIT;
	struct heapreplay r = HEAPREPLAY_INIT;
	struct layout l = {NULL, 0, false, false};
	struct buf out = BUF_INIT;
	const char *format = "text", *layout = NULL;
	enum table_format f;
	bool borrow = false;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			layout = optarg;
			break;
		case 'b':
			borrow = true;
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
	if (argc - optind != 1 || !layout) {
		if (argc - optind == 1) {
			error("--layout FILE is required");
		}
		fputs(usage, stderr);
		return 2;
	}
	if (conf_parse(layout, handler, &l) < 0) {
		goto out;
	}
	if (!l.n) {
		error_at(layout, 0, "no pools: expected a [pools] section of 'BLOCK = COUNT' lines");
		goto out;
	}
	if (heaplog_read(&log, argv[optind]) < 0) {
		goto out;
	}
	heapreplay_run(&r, &log, l.pools, l.n, borrow || (l.has_borrow && l.borrow));
	render(&r, f, format, &out);
	fputs(buf_str(&out), stdout);
	rc = r.fails ? 1 : 0;
out:
	buf_release(&out);
	heapreplay_release(&r);
	heaplog_release(&log);
	free(l.pools);
	return rc;
}
