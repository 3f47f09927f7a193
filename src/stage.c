/* stage.c: copies a project tree for one cell. Build outputs already in the tree
 * (objects, archives, executables) are left behind: a copied stale binary would
 * make every cell "up to date" and measure the user's old build. */
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
	if (n >= 4 && !memcmp(magic, "\177ELF", 4)) {
		return 1;
	}
	return n == 8 && !memcmp(magic, "!<arch>\n", 8);
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
				rc = copy_dir(from, to, exclude, skip, 0);
			}
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];

			if (link_target(from, target, sizeof(target)) < 0) {
				rc = -1;
			} else {
				if (symlink(target, to) < 0) {
					rc = error_errno("cannot create link '%s'", to);
				}
			}
		} else if (S_ISREG(st.st_mode)) {
			if (stage_is_build_output(from)) {
				debug("not staging build output '%s'", from);
			} else {
				rc = fs_copy_file(from, to);
			}
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
	struct stat skip_st;
	const struct stat *sp = NULL;

	if (skip && stat(skip, &skip_st) == 0) {
		sp = &skip_st;
	}
	if (fs_remove_tree(dst) < 0 || fs_mkdirs(dst) < 0) {
		return -1;
	}
	return copy_dir(src, dst, exclude, sp, 1);
}
