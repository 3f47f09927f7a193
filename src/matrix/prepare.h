/* prepare.h: the run's snapshot of the project's tree, which every cell is staged
 * from; a tree that must be generated before it can be configured (autotools from
 * a git checkout: configure.ac, no configure) is prepared there, once per run. */
#ifndef OUNCE_PREPARE_H
#define OUNCE_PREPARE_H

#include <stdbool.h>

#include "matrix/stage.h"

struct recipe;
struct run;

/* Does the tree at dir need r's prepare step (r has one, and dir holds none of
 * r's prepare_unless files)? */
bool prepare_needed(const struct recipe *r, const char *dir);

/* Copy the project's tree (its stage_dir) to WORKDIR/prep/src, the snapshot every
 * cell copies (stage_clone), hashing it in the same walk; a tree that needs it is
 * first copied to WORKDIR/prep/work and prepared there (by its own autogen.sh or
 * bootstrap, else by the recipe's command; the output in WORKDIR/prep/prepare.log)
 * and the snapshot taken of that. Then point run->prepared (owned by run) at the
 * snapshot and put its hash in tree_hash. WORKDIR/prep/origin names the tree
 * copied. Returns 0, 1 after reporting a failure, 2 after reporting a bad prepare
 * command in the recipe, or 128+N when signal N stopped it; run->prepared is NULL
 * unless 0. Nothing is written into the project's tree. */
int prepare_run(struct run *run, char tree_hash[STAGE_HASH_SIZE]);

#endif
