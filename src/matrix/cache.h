/* cache.h: the results of earlier runs, keyed by a hash of everything that decides
 * a cell's outcome (ounce's version, the recipe, ounce.ini, the build, the smoke
 * test, the toolchain's versions, the source tree's content, the cell's settings),
 * so running the matrix again, or a bigger one, rebuilds nothing already measured. */
#ifndef OUNCE_CACHE_H
#define OUNCE_CACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/strv.h"

struct buf;
struct cell;

#define CACHE_KEY_LEN 32

struct cache {
	char *dir;		/* the cache directory (cache_dir_of; owned) */
	char context[CACHE_KEY_LEN + 1];	/* hash of what every cell of the run shares */
	bool empty;		/* no entry when the run started: nothing to look up */
	/* cache_init_async: the thread that finishes the context, joined once */
	pthread_mutex_t mu;
	pthread_t thread;
	bool pending;
	bool async;
	struct strv parts;
	bool cargo;
	char *memo_dir;
};

/* The cache directory of a run in work directory workdir: dir (--cache, or cache =
 * in ounce.ini; a relative one taken from the current directory) when not NULL,
 * else WORKDIR/cache. One directory may serve several runs at once, on several
 * machines (NFS): entries appear and go by rename only, so it needs no lock. The
 * caller frees it; NULL after reporting. */
char *cache_dir_of(const char *workdir, const char *dir);
/* Fill c for the cache directory dir (cache_dir_of), the context hashed from the
 * strings of parts. Nothing is created on disk yet. */
void cache_init(struct cache *c, const char *dir, const struct strv *parts);
/* Can the cache directory dir (made when missing) be read and written? When not,
 * warns once ("going on without it") and returns false. */
bool cache_usable(const char *dir);
/* cache_init with the toolchain's versions (cache_add_toolchain(parts, cargo,
 * memo_dir)) added to parts in a thread: a compiler's `--version` takes 0.2 s
 * after a quiet minute (clang maps its 110 MB libLLVM), and a new work directory
 * has nothing to look up, so the first build need not wait for it. cache_key
 * waits for the thread. */
void cache_init_async(struct cache *c, const char *dir, const struct strv *parts, bool cargo,
		      const char *memo_dir);
/* Did the cache hold no entry when c was made (a lookup cannot hit)? */
bool cache_empty(const struct cache *c);
/* Free what c owns. */
void cache_release(struct cache *c);
/* The key of cell (its build and settings, in c's context) into key. Thread-safe. */
void cache_key(struct cache *c, const struct cell *cell, char key[CACHE_KEY_LEN + 1]);
/* Does an artifact's name stay in the cell it names a place in: relative, not
 * empty, and no '..' component? A cache entry's cell.json says it, and a cell's
 * tree is written at it. */
bool cache_artifact_name_ok(const char *name);
/* If an earlier run stored key, copy its result into cell (status, reason,
 * measures, smoke test, build time; log and artifact point into the cache) and
 * return true. A missing or unreadable entry is a miss; so is one whose artifacts
 * are not the size and content they were stored with or whose names leave the
 * cell (cache_artifact_name_ok), which is removed (one warning). */
bool cache_load(const struct cache *c, const char *key, struct cell *cell);
/* Store a finished cell under key, with copies (or links) of its artifact and log,
 * and each artifact's size and hash. Only results that depend on the inputs alone
 * are stored (cache_storable). Returns 0, or -1 after warning (the run goes on
 * without it). */
int cache_store(const struct cache *c, const char *key, const struct cell *cell);
/* Does cell's result depend on its inputs alone, so a fresh build would give it
 * again? An ok cell, or a failure of the build's own (its command ran and exited
 * non-zero) with nothing of the environment behind it: not a timeout, an
 * interruption, a signal, a command that could not start or is not installed, a
 * full disk or quota, a file size limit, or memory running out (its reason and
 * its log say which). */
bool cache_storable(const struct cell *cell);
/* The hash of ounce's own executable (/proc/self/exe) into key, so a rebuilt
 * ounce never serves an older one's results; false when it cannot be read. */
bool cache_self_key(char key[CACHE_KEY_LEN + 1]);

/* The lock of a work directory: one run at a time uses it. */
struct cache_lock {
	char *dir;		/* the directory locked (owned), or NULL */
	int fd;			/* DIR/lock, open while held, or -1 */
};
#define CACHE_LOCK_INIT {NULL, -1}
/* Lock work directory dir for this process (flock on DIR/lock, which gets our
 * pid) for as long as lk holds it; with wait, wait for the run that holds it, else
 * fail. A lock lk holds on another directory is released first; lk holding dir
 * already is success. Returns 0, or -1 after reporting (held by another process,
 * named by its pid; or the lock file cannot be made). */
int cache_lock_workdir(struct cache_lock *lk, const char *dir, bool wait);
/* Release what lk holds (nothing held is fine). */
void cache_unlock_workdir(struct cache_lock *lk);

/* What cache_prune did. */
struct cache_pruned {
	size_t removed;			/* entries removed */
	unsigned long long freed;	/* their bytes */
	unsigned long long kept;	/* bytes of the entries left */
};
/* Keep the cache under max_bytes (0: no limit): remove the entries used least
 * recently (stored, or loaded: cache_load marks an entry used) until the rest fit,
 * but never one used at or after keep_since (this run's), so a run never loses
 * what it just measured. Temporary entries a killed run left, older than a day,
 * go too. Fills *out; returns 0, or -1 after reporting (what was removed stays
 * removed). */
int cache_prune(const struct cache *c, unsigned long long max_bytes, time_t keep_since,
		struct cache_pruned *out);
/* Append to parts what identifies the tree at dir as stage_copy would copy it
 * ("tree=HASH"). Returns 0 or -1 after reporting. */
int cache_add_tree(struct strv *parts, const char *dir, const struct strv *exclude,
		   const char *skip);
/* Append to parts the version lines of the tools a build may use (compilers,
 * linkers, strip; rustc and cargo when cargo is set), one "TOOL=PATH OUTPUT" each;
 * a missing tool is recorded as missing; then the C library's: glibc's version
 * ("libc=2.36") and gcc's libc.a (cache_add_libc). memo_dir (or NULL): where the
 * outputs are kept by the identity of each tool's file, so an unchanged tool is not
 * run again. */
void cache_add_toolchain(struct strv *parts, bool cargo, const char *memo_dir);
/* Append to parts the identity of the C library the compiler cc (a name looked up
 * in PATH) links statically, which covers a cross toolchain's (newlib's libc.a for
 * arm-none-eabi-gcc): "libc.a(CC)=PATH SIZE HASH" of the file `CC
 * -print-file-name=libc.a` names when that is an absolute path to a file, else
 * "libc.a(CC)=none". The answer and the hash are kept in memo_dir (or NULL) as
 * cache_tool_version and cache_file_identity keep theirs; a kept answer that names
 * no file now is asked again. */
void cache_add_libc(struct strv *parts, const char *cc, const char *memo_dir);
/* "SIZE HASH" of the regular file at path, or NULL when it cannot be read. With
 * memo_dir, kept there under the file's identity (as cache_tool_version's) and
 * read back while the file is unchanged. The caller frees it. */
char *cache_file_identity(const char *memo_dir, const char *path);
/* The output of `path flag` (a tool's version), or NULL when it does not run.
 * With memo_dir (made when missing), the output is kept there under the identity
 * of the file at path (device, inode, size, modification and change times) and
 * read back instead of running the tool while that file is unchanged. The caller
 * frees it. */
char *cache_tool_version(const char *memo_dir, const char *path, const char *flag);
/* Append to parts the list as parts of its own: "LABEL N", then its N strings
 * each as one part, so ["a b"] and ["a", "b"] (or strings holding a newline) never
 * give the same parts. */
void cache_add_list(struct strv *parts, const char *label, const struct strv *list);
/* Append to parts the variables of ounce's environment that change what a build
 * makes (PATH, CFLAGS, RUSTFLAGS, CARGO_*...). */
void cache_add_environment(struct strv *parts);

/* Compressed sizes already measured in this run, by the content of the stripped
 * file: cells whose stripped binaries are the same (strip on a copy of another
 * cell, profiles that change nothing) are compressed once. Thread-safe. */
struct cache_memo;
/* A new empty memo; free it with cache_memo_free. */
struct cache_memo *cache_memo_new(void);
void cache_memo_free(struct cache_memo *m);
/* The hash of words (each with its terminator, so "a" "bc" and "ab" "c" differ)
 * into out. */
void cache_hash_words(const struct strv *words, char out[CACHE_KEY_LEN + 1]);
/* The hash of the file at path into key; false when it cannot be read. */
bool cache_file_key(const char *path, char key[CACHE_KEY_LEN + 1]);
/* The sizes recorded for key, true when there are. */
bool cache_memo_get(struct cache_memo *m, const char *key, long long *gz, long long *xz);
/* Record the sizes for key. */
void cache_memo_put(struct cache_memo *m, const char *key, long long gz, long long xz);

#endif
