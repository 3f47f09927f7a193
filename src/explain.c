/* explain.c: where a profile's bytes went (being written). */
#include "explain.h"

#include "buf.h"
#include "result.h"
#include "banned.h"

void
explain_cell(const struct results *r, const struct cell *c, size_t top, struct buf *out)
{
	(void)r;
	(void)c;
	(void)top;
	(void)out;
}
