/* stage.h: private copies of the user's tree, one per cell, so nothing is ever
 * written into the tree itself. */
#ifndef OUNCE_STAGE_H
#define OUNCE_STAGE_H

struct strv;

/* Copy the tree src into dst (created), keeping modes, symlinks and modification
 * times (make compares those: a release tarball's configure must stay newer than
 * its configure.ac). Not copied:
 * .git and the names in exclude at the top, the directory skip (the work
 * directory, when it lies inside src; may be NULL), and build outputs (ELF files
 * and ar archives), so every cell builds from sources alone. Returns 0 or -1
 * after reporting. */
int stage_copy(const char *src, const char *dst, const struct strv *exclude, const char *skip);

/* Add to state (an XXH3 state, passed as void * so this header needs no xxhash.h)
 * what stage_copy would copy of src: names, kinds, executable bits, link targets and
 * file contents, in name order; not times, so a fresh checkout or a touch keeps the
 * hash. Returns 0 or -1 after reporting. */
int stage_hash(const char *src, const struct strv *exclude, const char *skip, void *state);
/* Is path an ELF file or an ar archive (a build output)? */
int stage_is_build_output(const char *path);

#endif
