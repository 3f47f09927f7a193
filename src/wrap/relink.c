/* relink.c: keep a link (its call and its inputs) and link it again. */
#include "wrap/relink.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "os/fsutil.h"
#include "base/banned.h"

/* The index of the argument that names the output ("-o" OUT or "-oOUT"), with
 * *inline set for the second form; -1 when there is none. */
static ssize_t
output_arg(char *const *args, size_t n, bool *inline_)
{
	ssize_t found = -1;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(args[i], "-o") && i + 1 < n) {
			found = (ssize_t)++i;
			*inline_ = false;
		} else if (!strncmp(args[i], "-o", 2) && args[i][2]) {
			found = (ssize_t)i;
			*inline_ = true;
		}
	}
	return found;
}

static char *
absolute(const char *cwd, const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
}

static bool
under(const char *path, const struct strv *roots)
{
	for (size_t i = 0; i < roots->n; i++) {
		size_t n = strlen(roots->v[i]);

		if (n && !strncmp(path, roots->v[i], n) && path[n] == '/') {
			return true;
		}
	}
	return false;
}

int
relink_keep(const char *keep, const struct strv *roots, const char *real, char *const *args,
	    size_t n)
{
	char cwd[PATH_MAX];
	bool inline_ = false;
	ssize_t o = output_arg(args, n, &inline_);
	struct buf rec = BUF_INIT;
	char *dir, *out, *file;
	const char *base;
	int rc = -1;

	if (o < 0 || !getcwd(cwd, sizeof(cwd))) {
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (args[i][0] == '@') {
			/* a response file: rustc's, in a directory it deletes */
			return 1;
		}
	}
	out = absolute(cwd, args[o] + (inline_ ? 2 : 0));
	base = strrchr(out, '/') + 1;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		/* not a file's name: keep/BASE would be keep itself */
		free(out);
		return 1;
	}
	dir = xasprintf("%s/%s", keep, base);
	if (fs_remove_tree(dir) < 0 || fs_mkdirs(dir) < 0) {
		free(dir);
		free(out);
		return -1;
	}
	buf_add(&rec, cwd, strlen(cwd) + 1);
	buf_add(&rec, real, strlen(real) + 1);
	buf_add(&rec, out, strlen(out) + 1);
	for (size_t i = 0; i < n; i++) {
		char *path = absolute(cwd, args[i]);
		struct stat st;

		if ((ssize_t)i != o && args[i][0] != '-' && under(path, roots) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			const char *name = strrchr(path, '/') + 1;
			char *kept = xasprintf("%s/%zu-%s", dir, i, name);

			if (link(path, kept) < 0 && fs_copy_file(path, kept) < 0) {
				free(kept);
				free(path);
				goto out;
			}
			buf_add(&rec, kept, strlen(kept) + 1);
			free(kept);
		} else {
			buf_add(&rec, args[i], strlen(args[i]) + 1);
		}
		free(path);
	}
	file = xasprintf("%s/link", dir);
	rc = fs_write_atomic(file, rec.s, rec.len);
	free(file);
out:
	if (rc < 0) {
		fs_remove_tree(dir);
	}
	buf_release(&rec);
	free(dir);
	free(out);
	return rc;
}

/* Read the record in file into r. Returns 0, or -1 when it is not one. */
static int
read_record(const char *file, struct relink *r)
{
	struct buf b = BUF_INIT;
	char *p, *end;
	size_t k = 0;

	if (fs_read_file(file, &b) < 0 || !b.len || b.s[b.len - 1] != '\0') {
		buf_release(&b);
		return -1;
	}
	for (p = b.s, end = b.s + b.len; p < end; p += strlen(p) + 1, k++) {
		if (k == 0) {
			r->cwd = xstrdup(p);
		} else if (k == 1) {
			r->real = xstrdup(p);
		} else if (k == 2) {
			r->out = xstrdup(p);
		} else {
			strv_push(&r->args, p);
		}
	}
	buf_release(&b);
	if (k < 3) {
		relink_release(r);
		return -1;
	}
	return 0;
}

int
relink_find(const char *keep, const char *artifact, struct relink *r)
{
	DIR *d = opendir(keep);
	struct dirent *e;
	struct stat want, st;
	int rc = -1;

	if (!d) {
		return -1;
	}
	if (stat(artifact, &want) < 0) {
		closedir(d);
		return -1;
	}
	while (rc < 0 && (e = readdir(d))) {
		char *file;

		if (e->d_name[0] == '.') {
			continue;
		}
		file = xasprintf("%s/%s/link", keep, e->d_name);
		if (read_record(file, r) == 0) {
			if (stat(r->out, &st) == 0 && st.st_dev == want.st_dev &&
			    st.st_ino == want.st_ino) {
				rc = 0;
			} else {
				relink_release(r);
			}
		}
		free(file);
	}
	closedir(d);
	return rc;
}

void
relink_args(const struct relink *r, const char *out, const struct strv *extra,
	    struct strv *argv)
{
	bool inline_ = false;
	ssize_t o = output_arg(r->args.v, r->args.n, &inline_);

	for (size_t i = 0; i < r->args.n; i++) {
		if ((ssize_t)i == o) {
			strv_push_owned(argv, inline_ ? xasprintf("-o%s", out) : xstrdup(out));
		} else {
			strv_push(argv, r->args.v[i]);
		}
	}
	if (extra) {
		strv_extend(argv, extra);
	}
}

void
relink_release(struct relink *r)
{
	free(r->cwd);
	free(r->real);
	free(r->out);
	strv_release(&r->args);
	memset(r, 0, sizeof(*r));
}
