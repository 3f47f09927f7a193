/* sizein.h: the sizes of a build as `ounce check` reads them, from any of the three
 * things ounce leaves behind: an ELF file, a results.json (one cell), or the output
 * of `ounce size --format json`. */
#ifndef OUNCE_SIZEIN_H
#define OUNCE_SIZEIN_H

#include <stdbool.h>
#include <stddef.h>

struct size_report;

enum sizein_kind { SIZEIN_ELF, SIZEIN_RESULTS, SIZEIN_SIZE_JSON };

struct sizein_artifact {
	char *name;		/* the file as given, the artifact's name in a results.json,
				 * the "file" of size JSON */
	long long bytes;	/* on the metric */
	struct size_report *syms;	/* its sections and symbols, or NULL (see nosyms) */
};

struct sizein {
	char *path;		/* as given */
	enum sizein_kind kind;
	char *cell;		/* results.json: the cell read; else NULL */
	struct sizein_artifact *arts;
	size_t narts;
	char *nosyms;		/* why an artifact has no symbols, or NULL */
	long long region_length;	/* metric region:NAME: the region's length (of
					 * the first artifact that has it); else -1 */
};
#define SIZEIN_INIT {.region_length = -1}

/* What to read and how. */
struct sizein_opts {
	const char *metric;	/* file, stripped, xz, gz, flash, ram */
	const char *cell;	/* results.json: a cell's name, "pick" (the winner by
				 * metric) or NULL (the default build's baseline) */
	bool symbols;		/* read symbol tables where the input has them */
	const char *tmpdir;	/* where an ELF file's stripped copy goes (stripped, xz,
				 * gz metrics) */
};

/* Read path into in. Returns 0; -1 after reporting one line when path is at fault
 * (missing, unreadable, not one of the three, a cell that did not build, a metric
 * the input does not hold: exit status 2); -2 after reporting when the work could
 * not be done (strip could not run: exit status 1). */
int sizein_load(struct sizein *in, const char *path, const struct sizein_opts *o);
/* "ELF file", "results.json" or "size JSON". */
const char *sizein_kind_name(enum sizein_kind k);
/* Free what in owns. */
void sizein_release(struct sizein *in);

#endif
