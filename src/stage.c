/* stage.c: copies a project tree for one cell. Build outputs already in the tree
 * (objects, archives, executables) are left behind: a copied stale binary would
 * make every cell "up to date" and measure the user's old build. Modification
 * times are kept: make compares them, and a release tarball's configure and
 * Makefile.in must stay newer than configure.ac and Makefile.am, or make runs
 * the automake the tarball was made with. */
#include "stage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "strv.h"
#include <xxhash.h>
#include "banned.h"

/* Is the start of a file that of an ELF object or an ar archive? */
static bool
build_output_magic(const unsigned char *magic, size_t n)
{
	if (n >= 4 && !memcmp(magic, "\177ELF", 4)) {
		return true;
	}
	return n >= 8 && !memcmp(magic, "!<arch>\n", 8);
}

int
stage_is_build_output(const char *path)
{
	unsigned char magic[8] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		return 0;
	}
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n > 0 && build_output_magic(magic, (size_t)n);
}

/* Give path (a link itself when nofollow) the modification time of st, as tar x
 * and cp -p do. Returns 0 or -1 after reporting. */
static int
keep_mtime(const char *path, const struct stat *st, bool nofollow)
{
	struct timespec t[2] = {{0, UTIME_OMIT}, st->st_mtim};

	if (utimensat(AT_FDCWD, path, t, nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0) {
		return error_errno("cannot set the modification time of '%s'", path);
	}
	return 0;
}

/* The target of the symbolic link at path, into buf. Returns 0 or -1 after
 * reporting. */
static int
link_target(const char *path, char *buf, size_t size)
{
	ssize_t len = readlink(path, buf, size - 1);

	if (len < 0) {
		return error_errno("cannot read link '%s'", path);
	}
	buf[len] = '\0';
	return 0;
}

/* Is the directory entry n never staged? top: n is at the top of the tree, where
 * the names in exclude and ounce's own .ounce are left out. */
static bool
left_out(const char *n, bool top, const struct strv *exclude)
{
	return !strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, ".git") ||
	       (top && !strcmp(n, ".ounce")) || (top && exclude && strv_has(exclude, n));
}

/* Copy the regular file from (mode from st) to to, unless it is a build output:
 * one open of each file, the first read both checks and copies (staging is most
 * of ounce's own time on a small project). Returns 0 or -1 after reporting. */
static int
copy_source_file(const char *from, const char *to, const struct stat *st)
{
	unsigned char chunk[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0) {
		return error_errno("cannot open '%s'", from);
	}
	while ((n = read(in, chunk, sizeof(chunk))) < 0 && errno == EINTR) {
	}
	if (n < 0) {
		error_errno("cannot read '%s'", from);
		close(in);
		return -1;
	}
	if (build_output_magic(chunk, (size_t)n)) {
		debug("not staging build output '%s'", from);
		close(in);
		return 0;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st->st_mode & 07777);
	if (out < 0) {
		error_errno("cannot create '%s'", to);
		close(in);
		return -1;
	}
	while (n > 0) {
		if (fs_write_all(out, chunk, (size_t)n) < 0) {
			n = -1;
			break;
		}
		while ((n = read(in, chunk, sizeof(chunk))) < 0 && errno == EINTR) {
		}
	}
	close(in);
	if (n >= 0) {
		struct timespec t[2] = {{0, UTIME_OMIT}, st->st_mtim};

		if (futimens(out, t) < 0) {
			n = -1;
		}
	}
	if (close(out) < 0 || n < 0) {
		return error_errno("cannot copy '%s' to '%s'", from, to);
	}
	return 0;
}

static int
copy_dir(const char *src, const char *dst, const struct strv *exclude, const struct stat *skip,
	 int top)
{
	DIR *d = opendir(src);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		return error_errno("cannot open directory '%s'", src);
	}
	while (rc == 0 && (e = readdir(d))) {
		const char *n = e->d_name;
		char *from, *to;
		struct stat st;

		if (left_out(n, top, exclude)) {
			continue;
		}
		from = xasprintf("%s/%s", src, n);
		to = xasprintf("%s/%s", dst, n);
		if (lstat(from, &st) < 0) {
			rc = error_errno("cannot read '%s'", from);
		} else if (S_ISDIR(st.st_mode)) {
			if (skip && st.st_dev == skip->st_dev && st.st_ino == skip->st_ino) {
				/* the work directory itself */
			} else if (mkdir(to, (st.st_mode & 07777) | 0700) < 0) {
				rc = error_errno("cannot create directory '%s'", to);
			} else {
				/* after its entries, whose creation changed it */
				rc = copy_dir(from, to, exclude, skip, 0);
				if (rc == 0) {
					rc = keep_mtime(to, &st, false);
				}
			}
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];

			if (link_target(from, target, sizeof(target)) < 0) {
				rc = -1;
			} else {
				if (symlink(target, to) < 0) {
					rc = error_errno("cannot create link '%s'", to);
				} else {
					rc = keep_mtime(to, &st, true);
				}
			}
		} else if (S_ISREG(st.st_mode)) {
			rc = copy_source_file(from, to, &st);
		}
		/* sockets, fifos and devices are not part of a source tree */
		free(from);
		free(to);
	}
	closedir(d);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
hash_file(const char *path, XXH3_state_t *st)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		return error_errno("cannot read '%s'", path);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		XXH3_128bits_update(st, buf, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		return error_errno("cannot read '%s'", path);
	}
	return 0;
}

static int
hash_dir(const char *src, const char *rel, const struct strv *exclude, const struct stat *skip,
	 XXH3_state_t *hs)
{
	DIR *d = opendir(src);
	struct dirent *e;
	struct strv names = STRV_INIT;
	int rc = 0;

	if (!d) {
		return error_errno("cannot open directory '%s'", src);
	}
	while ((e = readdir(d))) {
		const char *n = e->d_name;

		if (left_out(n, !*rel, exclude)) {
			continue;
		}
		strv_push(&names, n);
	}
	closedir(d);
	if (names.n) {
		qsort(names.v, names.n, sizeof(*names.v), by_name);
	}
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *from = xasprintf("%s/%s", src, names.v[i]);
		char *name = xasprintf("%s%s%s", rel, *rel ? "/" : "", names.v[i]);
		struct stat st;

		if (lstat(from, &st) < 0) {
			rc = error_errno("cannot read '%s'", from);
		} else if (S_ISDIR(st.st_mode)) {
			if (!(skip && st.st_dev == skip->st_dev && st.st_ino == skip->st_ino)) {
				XXH3_128bits_update(hs, "d", 1);
				XXH3_128bits_update(hs, name, strlen(name) + 1);
				rc = hash_dir(from, name, exclude, skip, hs);
			}
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];

			if (link_target(from, target, sizeof(target)) < 0) {
				rc = -1;
			} else {
				XXH3_128bits_update(hs, "l", 1);
				XXH3_128bits_update(hs, name, strlen(name) + 1);
				XXH3_128bits_update(hs, target, strlen(target) + 1);
			}
		} else if (S_ISREG(st.st_mode) && !stage_is_build_output(from)) {
			XXH3_128bits_update(hs, st.st_mode & 0111 ? "x" : "f", 1);
			XXH3_128bits_update(hs, name, strlen(name) + 1);
			/* the size keeps one file's end from passing for the next one's name */
			XXH3_128bits_update(hs, &st.st_size, sizeof(st.st_size));
			rc = hash_file(from, hs);
		}
		free(from);
		free(name);
	}
	strv_release(&names);
	return rc;
}

int
stage_hash(const char *src, const struct strv *exclude, const char *skip, void *state)
{
	struct stat skip_st;
	const struct stat *sp = NULL;

	if (skip && stat(skip, &skip_st) == 0) {
		sp = &skip_st;
	}
	return hash_dir(src, "", exclude, sp, state);
}

int
stage_copy(const char *src, const char *dst, const struct strv *exclude, const char *skip)
{
	struct stat skip_st, top;
	const struct stat *sp = NULL;

	if (skip && stat(skip, &skip_st) == 0) {
		sp = &skip_st;
	}
	if (fs_remove_tree(dst) < 0 || fs_mkdirs(dst) < 0 ||
	    copy_dir(src, dst, exclude, sp, 1) < 0) {
		return -1;
	}
	if (stat(src, &top) < 0) {
		return error_errno("cannot read '%s'", src);
	}
	return keep_mtime(dst, &top, false);
}
