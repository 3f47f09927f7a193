/* stage.c: copies a project tree for one cell. Build outputs already in the tree
 * (objects, archives, executables) are left behind: a copied stale binary would
 * make every cell "up to date" and measure the user's old build. */
#include "stage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "strv.h"
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

		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, ".git") ||
		    (top && !strcmp(n, ".ounce")) || (top && exclude && strv_has(exclude, n))) {
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
			ssize_t len = readlink(from, target, sizeof(target) - 1);

			if (len < 0) {
				rc = error_errno("cannot read link '%s'", from);
			} else {
				target[len] = '\0';
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
