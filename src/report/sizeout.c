/* sizeout.c: how `ounce size` and `ounce diff` print. Text and Markdown give
 * three tables (sections, symbols, components with a GRAND TOTAL row); CSV gives
 * one table with a "table" column; JSON follows the documented contract. */
#include "report/sizeout.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/grid.h"
#include "base/mem.h"
#include "base/units.h"
#include "elf/diff.h"
#include "elf/regions.h"
#include "elf/size.h"
#include "report/result.h"
#include "report/table.h"
#include "base/banned.h"

static void
dump_json(json_t *o, struct buf *out)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(o);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
}

static json_t *
region_sections_json(const struct region_section *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *s = json_object();

		json_object_set_new(s, "name", json_string(v[i].name));
		json_object_set_new(s, "address", json_integer((json_int_t)v[i].addr));
		json_object_set_new(s, "bytes", json_integer((json_int_t)v[i].bytes));
		json_object_set_new(s, "load_image", json_boolean(v[i].load_image));
		if (v[i].load_image) {
			json_object_set_new(s, "vma", json_integer((json_int_t)v[i].vma));
		}
		json_array_append_new(a, s);
	}
	return a;
}

/* "regions" and "outside_regions" of the JSON report. Addresses and sizes above
 * LLONG_MAX (a 64-bit *default*-like region) are clamped, as the report's counts. */
static void
regions_json(const struct regions *rs, json_t *o)
{
	json_t *a = json_array();

	for (size_t i = 0; i < rs->n; i++) {
		const struct region *g = &rs->v[i];
		json_t *j = json_object();

		json_object_set_new(j, "name", json_string(g->name));
		json_object_set_new(j, "attributes", json_string(g->attrs));
		json_object_set_new(
			j, "origin",
			json_integer((json_int_t)(g->origin < SIZE_BYTES_MAX ? g->origin : SIZE_BYTES_MAX)));
		json_object_set_new(
			j, "length",
			json_integer((json_int_t)(g->length < SIZE_BYTES_MAX ? g->length : SIZE_BYTES_MAX)));
		json_object_set_new(
			j, "used",
			json_integer((json_int_t)(g->used < SIZE_BYTES_MAX ? g->used : SIZE_BYTES_MAX)));
		json_object_set_new(j, "sections", region_sections_json(g->sections, g->nsections));
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "regions_from", json_string(rs->source));
	json_object_set_new(o, "regions", a);
	json_object_set_new(o, "outside_regions", region_sections_json(rs->outside, rs->noutside));
}

static void
report_json(const struct size_report *r, const struct regions *rs, struct buf *out)
{
	json_t *o = json_object(), *secs = json_array(), *syms = json_array();
	json_t *comps = json_array();

	json_object_set_new(o, "file", json_string(r->file));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	for (size_t i = 0; i < r->nsections; i++) {
		json_t *s = json_object();

		json_object_set_new(s, "name", json_string(r->sections[i].name));
		json_object_set_new(s, "bytes", json_integer((json_int_t)r->sections[i].bytes));
		json_object_set_new(s, "vm_bytes", json_integer((json_int_t)r->sections[i].vm_bytes));
		json_array_append_new(secs, s);
	}
	json_object_set_new(o, "sections", secs);
	for (size_t i = 0; i < r->nsymbols; i++) {
		const struct size_symbol *y = &r->symbols[i];
		json_t *s = json_object();

		json_object_set_new(s, "name", json_string(y->name));
		json_object_set_new(s, "bytes", json_integer((json_int_t)y->bytes));
		json_object_set_new(s, "section", json_string(y->section));
		json_object_set_new(s, "component", json_string(y->component));
		json_object_set_new(s, "raw", json_string(y->raw));
		json_object_set_new(s, "aliases", result_json_strv(&y->aliases));
		json_array_append_new(syms, s);
	}
	json_object_set_new(o, "symbols", syms);
	for (size_t i = 0; i < r->ncomponents; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "name", json_string(r->components[i].name));
		json_object_set_new(c, "bytes", json_integer((json_int_t)r->components[i].bytes));
		json_array_append_new(comps, c);
	}
	json_object_set_new(o, "components", comps);
	json_object_set_new(o, "attribution", json_string(r->attribution ? r->attribution : "none"));
	json_object_set_new(o, "grand_total", json_integer((json_int_t)size_symbol_total(r)));
	if (rs && rs->n) {
		regions_json(rs, o);
	}
	dump_json(o, out);
}

static const char *
kib(unsigned long long b)
{
	static _Thread_local char s[32];

	snprintf(s, sizeof(s), "%.1f", (double)b / 1024.0);
	return s;
}

/* The note of a section row in a region. */
static const char *
section_note(const struct region_section *s, bool outside)
{
	static _Thread_local char note[96];

	if (s->load_image) {
		snprintf(note, sizeof(note), "%sload image of %s (runs at 0x%08llx)",
			 outside ? "outside every region: " : "", s->name, s->vma);
	} else {
		snprintf(note, sizeof(note), "%s", outside ? "outside every region" : "");
	}
	return note;
}

/* Text and Markdown: a row per region (used, size, percent, free), then a row per
 * section in it, as ld --print-memory-usage and esp-idf-size show them. */
static void
regions_text(const struct regions *rs, const char *format, struct buf *out)
{
	static const char *const reg_h[] = {"region", "used", "size", "%", "free", "origin",
					    "attributes"};
	static const bool reg_r[] = {false, true, true, true, true, false, false};
	static const char *const sec_h[] = {"region", "section", "address", "bytes", "note"};
	static const bool sec_r[] = {false, false, false, true, false};
	struct grid g;

	buf_printf(out, "\nmemory regions (from %s)\n\n", rs->source);
	grid_init(&g, 7, reg_h, reg_r);
	for (size_t i = 0; i < rs->n; i++) {
		const struct region *x = &rs->v[i];

		grid_row(&g, "%s\t%llu\t%llu\t%.2f%%\t%lld\t0x%08llx\t%s", x->name, x->used,
			 x->length, regions_percent(x),
			 x->used > x->length ? -(long long)size_add(0, x->used - x->length)
					     : (long long)size_add(0, x->length - x->used),
			 x->origin, x->attrs);
	}
	grid_render(&g, format, out);
	grid_release(&g);
	buf_addc(out, '\n');
	grid_init(&g, 5, sec_h, sec_r);
	for (size_t i = 0; i < rs->n; i++) {
		const struct region *x = &rs->v[i];

		for (size_t j = 0; j < x->nsections; j++) {
			const struct region_section *s = &x->sections[j];

			grid_row(&g, "%s\t%s\t0x%08llx\t%llu\t%s", x->name, s->name, s->addr,
				 s->bytes, section_note(s, false));
		}
	}
	for (size_t j = 0; j < rs->noutside; j++) {
		const struct region_section *s = &rs->outside[j];

		grid_row(&g, "-\t%s\t0x%08llx\t%llu\t%s", s->name, s->addr, s->bytes,
			 section_note(s, true));
	}
	grid_render(&g, format, out);
	grid_release(&g);
}

/* CSV rows of the regions, in the report's table with four more columns. */
static void
regions_csv(const struct regions *rs, struct grid *g)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct region *x = &rs->v[i];

		grid_row(g, "region\t%s\t%llu\t\t\t\t%s\t0x%08llx\t%llu\t%s", x->name, x->used,
			 x->name, x->origin, x->length, x->attrs);
		for (size_t j = 0; j < x->nsections; j++) {
			const struct region_section *s = &x->sections[j];

			grid_row(g, "region section\t%s\t%llu\t\t%s\t\t%s\t0x%08llx\t\t%s", s->name,
				 s->bytes, s->name, x->name, s->addr, section_note(s, false));
		}
	}
	for (size_t j = 0; j < rs->noutside; j++) {
		const struct region_section *s = &rs->outside[j];

		grid_row(g, "region section\t%s\t%llu\t\t%s\t\t\t0x%08llx\t\t%s", s->name,
			 s->bytes, s->name, s->addr, section_note(s, true));
	}
}

void
sizeout_report(const struct size_report *r, const char *format, size_t limit, struct buf *out)
{
	sizeout_report_regions(r, NULL, format, limit, out);
}

void
sizeout_report_regions(const struct size_report *r, const struct regions *rs,
		       const char *format, size_t limit, struct buf *out)
{
	static const char *const sec_h[] = {"section", "file bytes", "memory bytes"};
	static const bool sec_r[] = {false, true, true};
	static const char *const sym_h[] = {"symbol", "bytes", "section", "component", "aliases"};
	static const bool sym_r[] = {false, true, false, false, false};
	static const char *const comp_h[] = {"component", "KiB", "bytes"};
	static const bool comp_r[] = {false, true, true};
	bool csv = !strcmp(format, "csv");
	struct grid g;
	unsigned long long fb = 0, vb = 0, rest = 0;
	size_t shown;

	bool with_regions = rs && rs->n;

	if (!strcmp(format, "json")) {
		report_json(r, rs, out);
		return;
	}
	if (csv) {
		/* with regions, four more columns: region, address, length, note */
		static const char *const csv_h[] = {"table",   "name",	    "bytes",  "vm_bytes",
						    "section", "component", "region", "address",
						    "length",  "note"};
		static const bool csv_r[] = {false, false, true,  true,	 false,
					     false, false, false, true, false};
		const char *more = with_regions ? "\t\t\t\t" : "";

		grid_init(&g, with_regions ? 10 : 6, csv_h, csv_r);
		for (size_t i = 0; i < r->nsections; i++) {
			grid_row(&g, "section\t%s\t%llu\t%llu\t\t%s", r->sections[i].name,
				 r->sections[i].bytes, r->sections[i].vm_bytes, more);
		}
		for (size_t i = 0; i < r->nsymbols; i++) {
			const struct size_symbol *y = &r->symbols[i];

			grid_row(&g, "symbol\t%s\t%llu\t\t%s\t%s%s", y->name, y->bytes, y->section,
				 y->component, more);
		}
		for (size_t i = 0; i < r->ncomponents; i++) {
			grid_row(&g, "component\t%s\t%llu\t\t\t%s", r->components[i].name,
				 r->components[i].bytes, more);
		}
		if (with_regions) {
			regions_csv(rs, &g);
		}
		grid_render(&g, format, out);
		grid_release(&g);
		return;
	}
	buf_printf(out, "%s: %llu bytes (%s)\n\n", r->file, r->bytes, units_human((long long)r->bytes));
	grid_init(&g, 3, sec_h, sec_r);
	for (size_t i = 0; i < r->nsections; i++) {
		grid_row(&g, "%s\t%llu\t%llu", r->sections[i].name, r->sections[i].bytes,
			 r->sections[i].vm_bytes);
		fb = size_add(fb, r->sections[i].bytes);
		vb = size_add(vb, r->sections[i].vm_bytes);
	}
	grid_row(&g, "%s\t%llu\t%llu", "TOTAL", fb, vb);
	grid_render(&g, format, out);
	grid_release(&g);

	shown = limit && limit < r->nsymbols ? limit : r->nsymbols;
	buf_printf(out, "\n%zu symbols%s\n\n", r->nsymbols,
		   shown < r->nsymbols ? " (largest first; the rest summed)" : " (largest first)");
	grid_init(&g, 5, sym_h, sym_r);
	for (size_t i = 0; i < r->nsymbols; i++) {
		const struct size_symbol *y = &r->symbols[i];

		if (i >= shown) {
			rest = size_add(rest, y->bytes);
			continue;
		}
		char *al = strv_join(&y->aliases, ", ");
		/* a table, not a dump: long template names are cut (JSON has them whole) */
		grid_row(&g, "%.*s%s\t%llu\t%s\t%s\t%.60s", 77, y->name,
			 strlen(y->name) > 77 ? "..." : "", y->bytes, y->section, y->component, al);
		free(al);
	}
	if (shown < r->nsymbols) {
		grid_row(&g, "(%zu more)\t%llu\t\t\t", r->nsymbols - shown, rest);
	}
	grid_render(&g, format, out);
	grid_release(&g);

	buf_printf(out, "\ncomponents (attributed by %s)\n\n", r->attribution ? r->attribution : "none");
	grid_init(&g, 3, comp_h, comp_r);
	rest = 0;
	shown = limit && limit < r->ncomponents ? limit : r->ncomponents;
	for (size_t i = 0; i < r->ncomponents; i++) {
		if (i >= shown) {
			rest = size_add(rest, r->components[i].bytes);
			continue;
		}
		grid_row(&g, "%s\t%s\t%llu", r->components[i].name, kib(r->components[i].bytes),
			 r->components[i].bytes);
	}
	if (shown < r->ncomponents) {
		grid_row(&g, "(%zu more)\t%s\t%llu", r->ncomponents - shown, kib(rest), rest);
	}
	grid_row(&g, "GRAND TOTAL\t%s\t%llu", kib(size_symbol_total(r)), size_symbol_total(r));
	grid_render(&g, format, out);
	grid_release(&g);
	if (with_regions) {
		regions_text(rs, format, out);
	}
}

static json_t *
diff_table_json(const struct diff_table *t)
{
	json_t *a = json_array();

	for (size_t i = 0; i < t->n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(t->v[i].name));
		json_object_set_new(o, "old", json_integer(t->v[i].old_bytes));
		json_object_set_new(o, "new", json_integer(t->v[i].new_bytes));
		json_object_set_new(o, "delta", json_integer(t->v[i].new_bytes - t->v[i].old_bytes));
		json_object_set_new(o, "change", json_string(diff_change_name(t->v[i].change)));
		json_array_append_new(a, o);
	}
	return a;
}

static void
diff_grid(const struct diff_table *t, const char *what, const char *format, size_t limit,
	  struct buf *out)
{
	static const char *const h[] = {"", "before", "after", "delta", "%", "change"};
	static const bool right[] = {false, true, true, true, true, false};
	const char *hdr[6] = {what, h[1], h[2], h[3], h[4], h[5]};
	struct grid g;
	long long ra = 0, rb = 0;
	size_t shown = limit && limit < t->n ? limit : t->n;

	grid_init(&g, 6, hdr, right);
	for (size_t i = 0; i < t->n; i++) {
		const struct diff_row *r = &t->v[i];

		if (i >= shown) {
			/* counts are 0..LLONG_MAX (diff.h): sums saturate there */
			ra = (long long)size_add((unsigned long long)ra, (unsigned long long)r->old_bytes);
			rb = (long long)size_add((unsigned long long)rb, (unsigned long long)r->new_bytes);
			continue;
		}
		grid_row(&g, "%s\t%lld\t%lld\t%+lld\t%s\t%s", r->name, r->old_bytes, r->new_bytes,
			 r->new_bytes - r->old_bytes,
			 r->old_bytes ? units_percent(r->new_bytes, r->old_bytes) : "new",
			 diff_change_name(r->change));
	}
	if (shown < t->n) {
		grid_row(&g, "(%zu more)\t%lld\t%lld\t%+lld\t\t", t->n - shown, ra, rb, rb - ra);
	}
	grid_render(&g, format, out);
	grid_release(&g);
}

void
sizeout_diff(const struct diff *d, const char *a, const char *b, const char *format, size_t limit,
	     struct buf *out)
{
	if (!strcmp(format, "json")) {
		json_t *o = json_object();

		json_object_set_new(o, "a", json_string(a));
		json_object_set_new(o, "b", json_string(b));
		json_object_set_new(o, "symbols", diff_table_json(&d->symbols));
		json_object_set_new(o, "sections", diff_table_json(&d->sections));
		json_object_set_new(o, "components", diff_table_json(&d->components));
		json_object_set_new(o, "old_bytes", json_integer(d->old_total));
		json_object_set_new(o, "new_bytes", json_integer(d->new_total));
		json_object_set_new(o, "total_delta", json_integer(d->new_total - d->old_total));
		dump_json(o, out);
		return;
	}
	if (!strcmp(format, "csv")) {
		/* one table, as the report's CSV: a "table" column says which */
		static const char *const h[] = {"table", "name", "old", "new", "delta", "change"};
		static const bool right[] = {false, false, true, true, true, false};
		const struct diff_table *t[] = {&d->symbols, &d->sections, &d->components};
		static const char *const kind[] = {"symbol", "section", "component"};
		struct grid g;

		grid_init(&g, 6, h, right);
		grid_row(&g, "file\t\t%lld\t%lld\t%+lld\t%s", d->old_total, d->new_total,
			 d->new_total - d->old_total,
			 d->new_total > d->old_total ? "grown"
			 : d->new_total < d->old_total ? "shrunk" : "same");
		for (size_t k = 0; k < 3; k++) {
			for (size_t i = 0; i < t[k]->n; i++) {
				const struct diff_row *r = &t[k]->v[i];

				grid_row(&g, "%s\t%s\t%lld\t%lld\t%+lld\t%s", kind[k], r->name,
					 r->old_bytes, r->new_bytes, r->new_bytes - r->old_bytes,
					 diff_change_name(r->change));
			}
		}
		grid_render(&g, format, out);
		grid_release(&g);
		return;
	}
	buf_printf(out, "%s -> %s: %lld -> %lld bytes, %+lld (%s)\n\n", a, b, d->old_total,
		   d->new_total, d->new_total - d->old_total,
		   units_percent(d->new_total, d->old_total));
	diff_grid(&d->symbols, "symbol", format, limit, out);
	buf_addc(out, '\n');
	diff_grid(&d->sections, "section", format, limit, out);
	if (d->components.n) {
		buf_addc(out, '\n');
		diff_grid(&d->components, "component", format, limit, out);
	}
}
