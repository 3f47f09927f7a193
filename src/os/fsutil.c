/* fsutil.c: small file-system helpers shared by stage, result and the commands. */
#define _GNU_SOURCE /* mkostemp */
#include "os/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/banned.h"

int
fs_mkdirs(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				error_errno("cannot create directory '%s'", p);
				free(p);
				return -1;
			}
			*s = c;
			if (!c) {
				break;
			}
		}
	}
	free(p);
	return 0;
}

/* Remove the entry name of the directory dirfd (path names it in messages),
 * never through a symbolic link: a link is unlinked, and a directory is opened
 * with O_NOFOLLOW and emptied through its descriptor, so a link swapped in for a
 * directory meanwhile is removed rather than followed. Returns 0 or -1 after
 * reporting. */
static int
remove_at(int dirfd, const char *name, const char *path)
{
	DIR *d;
	struct dirent *e;
	int fd, rc = 0;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) {
		return 0;
	}
	if (errno != EISDIR && errno != EPERM) {
		return error_errno("cannot remove '%s'", path);
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if ((errno == ENOTDIR || errno == ELOOP) &&
		    (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)) {
			/* no longer a directory */
			return 0;
		}
		return error_errno("cannot open directory '%s'", path);
	}
	d = fdopendir(fd);
	if (!d) {
		error_errno("cannot open directory '%s'", path);
		close(fd);
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		char *child;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			continue;
		}
		child = xasprintf("%s/%s", path, e->d_name);
		rc = remove_at(fd, e->d_name, child);
		free(child);
	}
	closedir(d);
	if (rc < 0) {
		return -1;
	}
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		return error_errno("cannot remove directory '%s'", path);
	}
	return 0;
}

int
fs_remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path, path);
}

int
fs_read_file(const char *path, struct buf *b)
{
	/* a regular file only: a FIFO would hang the read, a device never end it */
	int fd = fs_open_regular(path);
	char chunk[8192];
	ssize_t n;

	if (fd < 0) {
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			error_errno("cannot read '%s'", path);
			close(fd);
			return -1;
		}
		buf_add(b, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

int
fs_write_all(int fd, const void *buf, size_t len)
{
	const char *data = buf;

	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fs_write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.tmpXXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0) {
		error_errno("cannot create a file beside '%s'", path);
		free(tmp);
		return -1;
	}
	if (fs_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		error_errno("cannot write '%s'", tmp);
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	chmod(tmp, 0644);
	if (rename(tmp, path) < 0) {
		error_errno("cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
fs_write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		return error_errno("cannot create '%s'", path);
	}
	if (fs_write_all(fd, data, len) < 0) {
		error_errno("cannot write '%s'", path);
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		return error_errno("cannot write '%s'", path);
	}
	return 0;
}

/* Write all n bytes of buf to fd at offset off; returns 0 or -1 with errno set. */
static int
pwrite_all(int fd, const char *buf, size_t n, off_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, buf, n, off);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		buf += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Copy the bytes [*pos, end) of in, all data, to out (-1: none) at the same
 * offsets, passing them to fn. Stops early at an end of file (the file shrank):
 * *end becomes *pos. Returns 0 or -1 with errno set. */
static int
copy_extent(int in, int out, off_t *pos, off_t *end, off_t stop, fs_bytes_fn *fn, void *ctx)
{
	char buf[65536];

	if (out >= 0 && !fn) {
		/* in the kernel, without a pass through ounce (a reflink where the
		 * file system shares extents); another file system: by hand */
		while (*pos < stop) {
			off_t o = *pos;
			ssize_t n = copy_file_range(in, &o, out, &o, (size_t)(stop - *pos), 0);

			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n < 0) {
				break;
			}
			if (n == 0) {
				*end = *pos;
				return 0;
			}
			*pos += n;
		}
	}
	while (*pos < stop) {
		off_t left = stop - *pos;
		ssize_t n = pread(in, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf),
				  *pos);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -1;
		}
		if (n == 0) {
			*end = *pos;
			return 0;
		}
		if (out >= 0 && pwrite_all(out, buf, (size_t)n, *pos) < 0) {
			return -1;
		}
		if (fn) {
			fn(ctx, buf, (size_t)n);
		}
		*pos += n;
	}
	return 0;
}

int
fs_copy_fd(int in, int out, fs_bytes_fn *fn, void *ctx, long long *len)
{
	static const char zeros[65536];
	struct stat st;
	off_t pos = 0, written = 0, end;

	if (fstat(in, &st) < 0) {
		return -1;
	}
	end = st.st_size;
	while (pos < end) {
		/* a hole is skipped in the copy (it reads as zeros: fn sees them) */
		off_t data = lseek(in, pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO) {
			data = end;
		} else if (data < 0) {
			/* no SEEK_DATA here: all data */
			data = pos;
		}
		data = data < end ? data : end;
		while (fn && pos < data) {
			size_t n = data - pos < (off_t)sizeof(zeros) ? (size_t)(data - pos)
								      : sizeof(zeros);

			fn(ctx, zeros, n);
			pos += (off_t)n;
		}
		pos = data;
		if (pos >= end) {
			break;
		}
		hole = lseek(in, pos, SEEK_HOLE);
		hole = hole > pos && hole < end ? hole : end;
		if (copy_extent(in, out, &pos, &end, hole, fn, ctx) < 0) {
			return -1;
		}
		written = pos;
	}
	/* the length, when the file ends in a hole */
	if (out >= 0 && written != end && ftruncate(out, end) < 0) {
		return -1;
	}
	*len = (long long)end;
	return 0;
}

int
fs_copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	struct stat st;
	long long len;

	if (in < 0 || fstat(in, &st) < 0) {
		error_errno("cannot open '%s'", from);
		if (in >= 0) {
			close(in);
		}
		return -1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		error_errno("cannot create '%s'", to);
		close(in);
		return -1;
	}
	if (fs_copy_fd(in, out, NULL, NULL, &len) < 0) {
		error_errno("cannot copy '%s' to '%s'", from, to);
		close(in);
		close(out);
		return -1;
	}
	close(in);
	if (close(out) < 0) {
		return error_errno("cannot write '%s'", to);
	}
	return 0;
}

long long
fs_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		return -1;
	}
	return (long long)st.st_size;
}

bool
fs_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

char *
fs_realpath(const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real)) {
		error_errno("cannot resolve '%s'", path);
		return NULL;
	}
	return xstrdup(real);
}

char *
fs_resolve_future(const char *path)
{
	char cwd[PATH_MAX], real[PATH_MAX];
	struct buf cur = BUF_INIT;
	bool exists = true;
	const char *p = path;

	if (path[0] == '/') {
		buf_adds(&cur, "/");
	} else if (getcwd(cwd, sizeof(cwd))) {
		buf_adds(&cur, cwd);
	} else {
		error_errno("cannot get the current directory");
		return NULL;
	}
	/* component by component: resolved while they exist (symlinks and all),
	 * then appended, with "." and ".." applied to what is already there */
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(cur.s, '/');

			cur.len = slash && slash != cur.s ? (size_t)(slash - cur.s) : 1;
			cur.s[cur.len] = '\0';
		} else {
			if (cur.len > 1) {
				buf_addc(&cur, '/');
			}
			buf_add(&cur, p, n);
			if (exists && realpath(cur.s, real)) {
				buf_reset(&cur);
				buf_adds(&cur, real);
			} else {
				exists = false;
			}
		}
		p += n;
		p += strspn(p, "/");
	}
	return buf_detach(&cur);
}

bool
fs_path_inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	/* a prefix that ends at a '/' of path: "/a/bc" is not inside "/a/b" */
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
fs_list_suffix(const char *dir, const char *suffix, const char *what, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = out->n, slen = strlen(suffix);

	if (!d) {
		return error_errno("cannot open %s '%s'", what, dir);
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > slen && !strcmp(e->d_name + n - slen, suffix)) {
			strv_push_owned(out, xasprintf("%s/%s", dir, e->d_name));
		}
	}
	closedir(d);
	if (out->n - first > 1) {
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_str);
	}
	return 0;
}

unsigned long long
fs_tree_bytes(const char *path)
{
	struct stat st;
	unsigned long long sum = 0;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0) {
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* blocks, not length: a sparse or hard-linked file counts what it holds */
		return S_ISREG(st.st_mode) ? (unsigned long long)st.st_blocks * 512 : 0;
	}
	d = opendir(path);
	if (!d) {
		return 0;
	}
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			continue;
		}
		sub = xasprintf("%s/%s", path, e->d_name);
		sum += fs_tree_bytes(sub);
		free(sub);
	}
	closedir(d);
	return sum;
}

int
fs_open_regular(const char *path)
{
	/* O_NONBLOCK: opening a FIFO for reading waits for a writer otherwise */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd < 0) {
		return error_errno("cannot open '%s'", path);
	}
	if (fstat(fd, &st) < 0) {
		error_errno("cannot read '%s'", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return error("cannot read '%s': not a regular file", path);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		error_errno("cannot read '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
}
