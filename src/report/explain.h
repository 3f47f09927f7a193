/* explain.h: the few symbols and sections behind a cell's change from its
 * baseline, for `ounce matrix --explain` and `ounce table --explain`: computed
 * from the ELF files once the cells are measured, kept in results.json, printed
 * from there. */
#ifndef OUNCE_EXPLAIN_H
#define OUNCE_EXPLAIN_H

#include <stddef.h>

struct buf;
struct cell;
struct results;

/* How many sections and symbols explain_fill keeps per cell: --explain shows 3
 * (cmd_matrix.c, cmd_table.c); showing more needs a larger number here. */
#define EXPLAIN_ROWS 3

/* For every cell of r, replace c->explain with its top changes against its build's
 * baseline, read from both cells' artifacts (which must still be on disk): nothing
 * for a baseline, a cell not CELL_OK, or an artifact that cannot be read. Marks
 * every cell done. Reads each measured cell's artifact and its baseline's. */
void explain_fill(struct results *r);
/* One line (indented, no newline at the end) naming the top changes of c stored
 * by explain_fill; nothing when none were stored or nothing changed. */
void explain_line(const struct cell *c, size_t top, struct buf *out);

#endif
