/* stage.h: private copies of the user's tree: the run's snapshot, hashed as it is
 * copied, and each cell's copy of it, so nothing is ever written into the tree
 * and the cache key is what every cell builds. */
#ifndef OUNCE_STAGE_H
#define OUNCE_STAGE_H

struct strv;

/* A tree's hash in hex, with its NUL. */
#define STAGE_HASH_SIZE 33

/* Copy the tree src into dst (removed first, then created), keeping modes,
 * modification times (make compares those: a release tarball's configure must
 * stay newer than its configure.ac) and holes. Not copied: .git and the names in
 * exclude at the top, the directory skip (the work directory; may be NULL), and
 * build outputs (ELF files and ar archives), so every cell builds from sources
 * alone. A symbolic link is copied as a link when it leads, as a relative path
 * that never goes above the top, to what is copied, or when it dangles; a link to
 * a build output or into skip is left out; any other as the file or directory it
 * leads to (a link out of the tree: a build never writes through it). Returns 0
 * or -1 after reporting. */
int stage_copy(const char *src, const char *dst, const struct strv *exclude, const char *skip);

/* Add to state (an XXH3 state, passed as void * so this header needs no xxhash.h)
 * what stage_copy would copy of src: names, kinds, executable bits, link targets and
 * file contents (of what a link out of the tree leads to too), in name order; not
 * times, so a fresh checkout or a touch keeps the hash. Returns 0 or -1 after
 * reporting. */
int stage_hash(const char *src, const struct strv *exclude, const char *skip, void *state);

/* stage_copy of src to dst, and in the same walk, from the very bytes it copies,
 * the hash stage_hash would give dst, into hash (hex): the snapshot of a run, whose
 * hash holds however src changes meanwhile. Returns 0 or -1 after reporting. */
int stage_snapshot(const char *src, const char *dst, const struct strv *exclude, const char *skip,
		   char hash[STAGE_HASH_SIZE]);

/* Copy the snapshot snap (of stage_snapshot) to dst (NULL: no copy) as it is:
 * links as links (they stay inside it, or dangle), build outputs included (a
 * prebuilt file a link led to), without the names in exclude at its top (may be
 * NULL); put its hash in hash (NULL: none), which is the snapshot's. Returns 0 or
 * -1 after reporting. */
int stage_clone(const char *snap, const char *dst, const struct strv *exclude,
		char hash[STAGE_HASH_SIZE]);

/* Is path an ELF file or an ar archive (a build output)? */
int stage_is_build_output(const char *path);

#endif
