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
	size_t nrows;
};

/* Start a grid with these columns (the arrays are borrowed and must outlive g). */
void grid_init(struct grid *g, size_t ncols, const char *const *headers, const bool *right);
/* Add a row; each column's text is formatted from fmt's arguments in order: the
 * format holds one conversion per column, separated by '\t'. */
void grid_row(struct grid *g, const char *fmt, ...) OUNCE_PRINTF(2, 3);
/* Render as "text", "md" or "csv" into out. */
void grid_render(const struct grid *g, const char *format, struct buf *out);
/* Append s as one CSV field (quoted when it holds a comma, quote or newline). */
void grid_csv_field(struct buf *out, const char *s);
/* Free what g owns. */
void grid_release(struct grid *g);

#endif
