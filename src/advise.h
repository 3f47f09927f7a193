/* advise.h: plain-sentence advice, each backed by a figure measured in the file. */
#ifndef OUNCE_ADVISE_H
#define OUNCE_ADVISE_H

struct buf;
struct profile_set;
struct size_report;

/* Write advice about r into out; profiles (may be NULL) give each lever's
 * trade-off. Returns the number of pieces of advice. */
int advise_report(const struct size_report *r, const struct profile_set *profiles,
		  struct buf *out);

#endif
