/* grid.h: a table of strings rendered as aligned text, Markdown or CSV. */
#ifndef OUNCE_GRID_H
#define OUNCE_GRID_H

#include <stdbool.h>
#include <stddef.h>

#include "base/log.h"

struct buf;

struct grid {
	size_t ncols;
	const char *const *headers;	/* borrowed */
	const bool *right;		/* right-aligned columns (numbers); borrowed */
	char **cells;			/* nrows * ncols, owned */
	char **after;			/* per row: text printed under it, or NULL; owned */
	size_t nrows;
};

/* Start a grid with these columns (the arrays are borrowed and must outlive g). */
void grid_init(struct grid *g, size_t ncols, const char *const *headers, const bool *right);
/* Add a row; each column's text is formatted from fmt's arguments in order: the
 * format holds one conversion per column, separated by '\t'. */
void grid_row(struct grid *g, const char *fmt, ...) OUNCE_PRINTF(2, 3);
/* Add a row of ncols strings that g takes (the array itself stays the caller's). */
void grid_row_take(struct grid *g, char **cols);
/* Append text to what text and Markdown print under the last row added, after its
 * line (explanations, a blank line between groups); CSV leaves it out. */
void grid_after(struct grid *g, const char *text);
/* Render as "text", "md" or "csv" into out. */
void grid_render(const struct grid *g, const char *format, struct buf *out);
/* Append s as one CSV field (quoted when it holds a comma, quote or newline). */
void grid_csv_field(struct buf *out, const char *s);
/* Free what g owns. */
void grid_release(struct grid *g);

#endif
