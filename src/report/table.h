/* table.h: the size table of a run, in text, Markdown, CSV or JSON. */
#ifndef OUNCE_TABLE_H
#define OUNCE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct cell;
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

/* The table of the cells on the size/speed front of their build (speed.h's
 * speed_on_front, by r's metric: no other cell both smaller or as small and faster
 * or as fast, one of them strictly), each in its first row, in the order of the
 * cells; nothing when none is (no cell was benchmarked). Returns how many are. */
size_t table_render_front(const struct results *r, enum table_format f, struct buf *out);

/* The table as data, for other renderings (report/html.c): the same lines, columns
 * and texts as table_render's text table. */
#define TABLE_NCOLS 13

/* One line of the table: a row of r (or, in an interrupted run, a cell no row
 * shows, in the group "measured"), with the text of each column and the number
 * it sorts by. Owns its strings. */
struct table_line {
	char *cell;  /* the cell's name */
	char *group; /* its row's group: "baseline", "each", "cumulative"... */
	char *build; /* the build whose table it is in */
	char *col[TABLE_NCOLS];
	double key[TABLE_NCOLS];   /* a number column's value (size (human): the bytes;
	                            * glibc: major * 1000 + minor) */
	bool has_key[TABLE_NCOLS]; /* false for text columns and for "-" */
};

/* The heading of column col ("build", "modifications", "size (bytes)"...). */
const char *table_header(size_t col);
/* Is column col a number (right-aligned)? */
bool table_col_number(size_t col);
/* Every line of r's table, in order (each build's lines together); *n gets how
 * many. Free them with table_lines_free. */
struct table_line *table_lines(const struct results *r, size_t *n);
void table_lines_free(struct table_line *l, size_t n);
/* The lines table --explain prints under c's row after explain_line's: the
 * exports c lost against its baseline, the libraries it needs that the
 * baseline did not, or no longer needs (each line indented, ending in '\n'). */
void table_explain_abi(const struct results *r, const struct cell *c, struct buf *out);

#endif
