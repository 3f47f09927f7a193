/* fsutil.h: file-system helpers: directories, whole-file reads and writes, and
 * atomic replacement. */
#ifndef OUNCE_FSUTIL_H
#define OUNCE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct strv;

/* mkdir -p; returns 0 or -1 after reporting. */
int fs_mkdirs(const char *path);
/* rm -rf of path (absent is fine); returns 0 or -1 after reporting. */
int fs_remove_tree(const char *path);
/* Append the whole of path, a regular file (fs_open_regular), to b; returns 0 or
 * -1 after reporting. */
int fs_read_file(const char *path, struct buf *b);
/* Write data to path through a temporary file and rename, so a crash never leaves
 * half a file; returns 0 or -1 after reporting. */
int fs_write_atomic(const char *path, const char *data, size_t len);
/* Write all len bytes of buf to fd, again after EINTR and short writes; returns 0
 * or -1 with errno set. */
int fs_write_all(int fd, const void *buf, size_t len);
/* Write data to a new file at path (replacing one there), without the temporary
 * file and fsync of fs_write_atomic: for files inside a directory that is renamed
 * into place once complete. Returns 0 or -1 after reporting. */
int fs_write_file(const char *path, const char *data, size_t len);
/* Copy file from to file to (mode kept, holes kept as holes); returns 0 or -1
 * after reporting. */
int fs_copy_file(const char *from, const char *to);
/* What fs_copy_fd passes each run of bytes it reads to. */
typedef void fs_bytes_fn(void *ctx, const void *data, size_t n);
/* Copy the contents of the open file in to the new file out (-1: read only),
 * holes kept as holes (SEEK_DATA/SEEK_HOLE), and pass every byte, a hole's as
 * zeros, to fn(ctx, ...) when fn is set. *len: the bytes copied (fewer than the
 * size when the file shrank meanwhile). Returns 0 or -1 with errno set. */
int fs_copy_fd(int in, int out, fs_bytes_fn *fn, void *ctx, long long *len);
/* Size of path in bytes, or -1 (errno set, not reported). */
long long fs_size(const char *path);
/* True when path exists. */
bool fs_exists(const char *path);
/* Absolute form of path (which must exist); the caller frees; NULL after reporting. */
char *fs_realpath(const char *path);

/* Append DIR/NAME for every NAME in dir ending in suffix, sorted by name (so
 * files load in the same order everywhere). Returns 0, or -1 after reporting
 * "cannot open WHAT 'DIR'". */
int fs_list_suffix(const char *dir, const char *suffix, const char *what, struct strv *out);
/* Absolute form of a path that may not exist yet: its longest existing prefix
 * resolved, the rest appended. The caller frees; NULL after reporting. */
char *fs_resolve_future(const char *path);
/* True when path is dir or below it: both absolute and resolved (fs_realpath,
 * fs_resolve_future); "/" holds every path. Compares strings only. */
bool fs_path_inside(const char *path, const char *dir);

/* The disk space the files under path take (their blocks), 0 when it cannot be
 * read. A file hard-linked twice in the tree counts twice. */
unsigned long long fs_tree_bytes(const char *path);

/* Open path for reading when it is a regular file (never blocking on a FIFO, nor
 * reading a device without end); returns an O_CLOEXEC fd the caller closes, or -1
 * after reporting "cannot open 'PATH'" or "cannot read 'PATH': not a regular file". */
int fs_open_regular(const char *path);

#endif
