/* advise.h: plain-sentence advice, each backed by a figure measured in the file. */
#ifndef OUNCE_ADVISE_H
#define OUNCE_ADVISE_H

struct buf;
struct profile_set;
struct size_report;
struct strv;

/* Write advice about r (size_read, then size_attribute) into out: a first line
 * naming the file and its bytes, then one paragraph per rule whose figure is
 * above its threshold (debug info, symbol table, unwind tables, identical
 * functions, a bundled allocator, formatting machinery, layout padding, dynamic
 * relocations, exported dynamic symbols, identification notes), each with its
 * bytes and share of the file, the profiles that act on it and their trade-offs.
 * r->file is opened again with libelf for the functions' bytes. The last line is
 * always the count: "N suggestions; run `ounce matrix` to measure them".
 * profiles (may be NULL) give each lever's trade-off. Returns the number of
 * suggestions; information that no profile acts on (formatting machinery) is
 * written but not counted. */
int advise_report(const struct size_report *r, const struct profile_set *profiles,
		  struct buf *out);
/* advise_report with what each profile alone measurably cost at run time where
 * ounce matrix --bench measured it: costs holds NAME=TEXT entries ("os=+3.2% CPU
 * (median of 3), +5.1% instructions"; may be NULL), quoted after a profile's
 * trade-off instead of its presumed note. */
int advise_report_costs(const struct size_report *r, const struct profile_set *profiles,
			const struct strv *costs, struct buf *out);

#endif
