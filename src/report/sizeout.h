/* sizeout.h: the size report and the diff as text, Markdown, CSV or JSON. */
#ifndef OUNCE_SIZEOUT_H
#define OUNCE_SIZEOUT_H

#include <stddef.h>

struct buf;
struct diff;
struct regions;
struct size_report;

/* Render r in format ("text", "md", "csv", "json"); text and Markdown show at
 * most limit symbol and component rows (0: all; the rest are summed in one row,
 * so totals hold), CSV and JSON show every row. */
void sizeout_report(const struct size_report *r, const char *format, size_t limit,
		    struct buf *out);
/* sizeout_report, then the memory regions of rs (placed; NULL or none: nothing
 * more): text and Markdown add a region table and a table of the sections in each
 * region, CSV adds rows "region" and "region section" in four more columns
 * (region, address, length, note), JSON adds "regions_from", "regions" and
 * "outside_regions". */
void sizeout_report_regions(const struct size_report *r, const struct regions *rs,
			    const char *format, size_t limit, struct buf *out);
/* Render d (a named before, b after) in format; text and Markdown show at most
 * limit rows per table, CSV (one table with a "table" column) and JSON all. */
void sizeout_diff(const struct diff *d, const char *a, const char *b, const char *format,
		  size_t limit, struct buf *out);

#endif
