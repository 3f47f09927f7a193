/* prepare.h: a project tree that must be generated before it can be configured
 * (autotools from a git checkout: configure.ac, no configure) is prepared once
 * per run, in a copy under the work directory that every cell is staged from. */
#ifndef OUNCE_PREPARE_H
#define OUNCE_PREPARE_H

#include <stdbool.h>

struct recipe;
struct run;

/* Does the tree at dir need r's prepare step (r has one, and dir holds none of
 * r's prepare_unless files)? */
bool prepare_needed(const struct recipe *r, const char *dir);

/* When the project needs it, copy its tree to WORKDIR/prep/src and prepare it
 * there (by its own autogen.sh or bootstrap, else by the recipe's command; the
 * output in WORKDIR/prep/prepare.log), then point run->prepared (owned by run) at
 * that copy. Returns 0 (also when there was nothing to do), 1 after reporting a
 * failure, 2 after reporting a bad prepare command in the recipe, or 128+N when
 * signal N stopped it. Nothing is written into the project's tree. */
int prepare_run(struct run *run);

#endif
