/* explain.h: the few symbols and sections behind a cell's change from its
 * baseline, for `ounce matrix --explain` and `ounce table --explain`. */
#ifndef OUNCE_EXPLAIN_H
#define OUNCE_EXPLAIN_H

#include <stddef.h>

struct buf;
struct cell;
struct results;

/* One line (indented, no newline at the end) naming the top changes of cell c
 * against its build's baseline, read from both artifacts; nothing when either
 * is missing or nothing changed. */
void explain_cell(const struct results *r, const struct cell *c, size_t top, struct buf *out);

#endif
