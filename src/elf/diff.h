/* diff.h: what changed between two size reports: symbols matched by name after
 * normalising compiler suffixes, and section and component totals. */
#ifndef OUNCE_DIFF_H
#define OUNCE_DIFF_H

#include <stddef.h>

struct size_report;

enum diff_change { DIFF_ADDED, DIFF_REMOVED, DIFF_GROWN, DIFF_SHRUNK };

struct diff_row {
	char *name;
	long long old_bytes, new_bytes;	/* 0 where absent; never above SIZE_BYTES_MAX */
	enum diff_change change;
};

struct diff_table {
	struct diff_row *v;	/* changed rows only, largest absolute delta first */
	size_t n;
};

struct diff {
	struct diff_table symbols, sections, components;
	long long old_total, new_total;	/* file bytes */
};
#define DIFF_INIT {{NULL, 0}, {NULL, 0}, {NULL, 0}, 0, 0}

/* Compare a (before) with b (after) into d. */
void diff_compute(const struct size_report *a, const struct size_report *b, struct diff *d);
/* "added", "removed", "grown" or "shrunk". */
const char *diff_change_name(enum diff_change c);
/* Free what d owns. */
void diff_release(struct diff *d);

#endif
