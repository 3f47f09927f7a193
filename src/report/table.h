/* table.h: the size table of a run, in text, Markdown, CSV or JSON. */
#ifndef OUNCE_TABLE_H
#define OUNCE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct results;

enum table_format { TABLE_TEXT, TABLE_MD, TABLE_CSV, TABLE_JSON };

/* Parse "text", "md", "csv" or "json"; false when it is none of those. */
bool table_format_parse(const char *s, enum table_format *out);
/* table_format_parse for a command's -f option: false after saying, in one line,
 * which formats there are. */
bool table_format_option(const char *s, enum table_format *out);
/* Render r's rows into out. */
void table_render(const struct results *r, enum table_format f, struct buf *out);
/* table_render with, under each row of the text table (after the Markdown
 * table), the top sections and symbols behind its change as results.json keeps
 * them (explain.h), and the exports and libraries it lost or gained. */
void table_render_explained(const struct results *r, enum table_format f, size_t top,
			    struct buf *out);
/* table_render_explained with, per_artifact, a line under each row for each of its
 * artifacts. */
void table_render_opts(const struct results *r, enum table_format f, size_t top,
		       bool per_artifact, struct buf *out);

#endif
