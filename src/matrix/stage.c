/* stage.c: copies of a project tree. A run copies the tree once, into a snapshot
 * hashed in the walk that copies it (the cache key is the bytes every cell builds,
 * whatever is edited meanwhile), and each cell copies the snapshot. Build outputs
 * in the tree (objects, archives, executables) are left behind: a copied stale
 * binary would make every cell "up to date" and measure the user's old build.
 * Modification times are kept: make compares them, and a release tarball's
 * configure must stay newer than configure.ac, or make runs automake. A symbolic
 * link that stays inside the tree is copied as a link; one that leads out of it
 * (or to what is not copied) as what it leads to, so the hash covers what a build
 * reads and a build never writes through a link into the user's files. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "matrix/stage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/fsutil.h"
#include <xxhash.h>
#include "os/hash.h"
#include "base/banned.h"

/* A directory being walked, up to the top: a link leading back into one of
 * them would copy forever. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
};

/* One walk of a tree, copying, hashing or both. */
struct walk {
	const struct strv *exclude;	/* names left out at the top, or NULL */
	struct stat skip;		/* the work directory, when has_skip */
	bool has_skip;
	bool clone;			/* a snapshot's copy: every entry as it is (its
					 * links stay inside it or dangle) */
	char *root;			/* the tree's real path */
	char *real_skip;		/* the work directory's real path, or NULL */
	XXH3_state_t *tree;		/* the tree's hash, or NULL */
	XXH3_state_t *file;		/* one file's contents */
};

/* What becomes of a symbolic link in the copy. */
enum link_fate {
	LINK_KEEP,	/* copied as a link: it stays inside the copy, or dangles */
	LINK_FOLLOW,	/* copied as what it leads to */
	LINK_DROP,	/* left out, as its target (a build output, the work
			 * directory) is */
};

/* Is the start of a file that of an ELF object or an ar archive? */
static bool
build_output_magic(const unsigned char *magic, size_t n)
{
	if (n >= 4 && !memcmp(magic, "\177ELF", 4)) {
		return true;
	}
	return n >= 8 && !memcmp(magic, "!<arch>\n", 8);
}

/* Is the open file fd a build output? */
static bool
fd_is_build_output(int fd)
{
	unsigned char magic[8] = {0};
	ssize_t n = pread(fd, magic, sizeof(magic), 0);

	return n > 0 && build_output_magic(magic, (size_t)n);
}

int
stage_is_build_output(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	if (fd < 0) {
		return 0;
	}
	yes = fd_is_build_output(fd);
	close(fd);
	return yes;
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

/* Add an entry's kind, name and text (NUL-terminated both) to the tree's hash. */
static void
hash_entry(struct walk *w, const char *kind, const char *rel, const char *text)
{
	if (w->tree) {
		XXH3_128bits_update(w->tree, kind, 1);
		XXH3_128bits_update(w->tree, rel, strlen(rel) + 1);
		if (text) {
			XXH3_128bits_update(w->tree, text, strlen(text) + 1);
		}
	}
}

/* Is path (or what is below it) dir or below it? */
static bool
below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

/* Is real (a real path) in the work directory, which holds the copies being
 * made? A tree inside it (a snapshot being prepared) is not. */
static bool
in_workdir(const struct walk *w, const char *real)
{
	return w->real_skip && below(real, w->real_skip) &&
	       !(below(w->root, w->real_skip) && below(real, w->root));
}

/* Does the copy hold the tree's file real (a real path below the root)? */
static bool
copied(const struct walk *w, const char *real)
{
	const char *rel = real + strlen(w->root);
	bool top = true;

	while (*rel == '/') {
		size_t n = strcspn(++rel, "/");
		char *name = xstrndup(rel, n);
		bool out = left_out(name, top, w->exclude);

		free(name);
		if (out) {
			return false;
		}
		top = false;
		rel += n;
	}
	return true;
}

/* Does target, the text of the link at rel (the path in the tree), name a path
 * inside the tree whatever the tree is called (relative, never above the top)? */
static bool
stays_inside(const char *rel, const char *target)
{
	long depth = 0;

	if (target[0] == '/') {
		return false;
	}
	for (const char *p = rel; (p = strchr(p, '/')); p++) {
		depth++;
	}
	while (*target) {
		size_t n = strcspn(target, "/");

		if (n == 2 && !strncmp(target, "..", 2)) {
			if (--depth < 0) {
				return false;
			}
		} else if (n && !(n == 1 && target[0] == '.')) {
			depth++;
		}
		target += n;
		target += strspn(target, "/");
	}
	return true;
}

/* What becomes of the link at from (rel in the tree, text target, real path real:
 * NULL when it dangles). in_tree: from is in the tree, not in a directory a link
 * led out to (whose links are all followed). */
static enum link_fate
link_fate(const struct walk *w, const char *rel, const char *target, const char *real,
	  bool in_tree)
{
	struct stat st;

	if (!real || w->clone) {
		return LINK_KEEP;
	}
	if (in_workdir(w, real)) {
		return LINK_DROP;
	}
	if (!in_tree || !stays_inside(rel, target) || !below(real, w->root) || !copied(w, real)) {
		return LINK_FOLLOW;
	}
	if (stat(real, &st) == 0 && S_ISREG(st.st_mode) && stage_is_build_output(real)) {
		return LINK_DROP;
	}
	return LINK_KEEP;
}

/* Copy the regular file from to to (NULL: hash only), unless it is a build output
 * (in a user's tree, and !followed: what a link out of the tree leads to is an
 * input) or is gone (removed since its directory was read: the snapshot is of
 * what was there). Returns 0 or -1 after reporting. */
static int
walk_file(struct walk *w, const char *from, const char *to, const char *rel, bool followed)
{
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1;
	XXH128_canonical_t sum;
	struct stat st;
	long long len = 0;
	int rc = 0;

	if (in < 0 && errno == ENOENT) {
		debug("not staging '%s': removed meanwhile", from);
		return 0;
	}
	if (in < 0 || fstat(in, &st) < 0) {
		error_errno("cannot open '%s'", from);
		if (in >= 0) {
			close(in);
		}
		return -1;
	}
	if (!w->clone && !followed && fd_is_build_output(in)) {
		debug("not staging build output '%s'", from);
		close(in);
		return 0;
	}
	if (to) {
		out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			   st.st_mode & 07777);
		if (out < 0) {
			error_errno("cannot create '%s'", to);
			close(in);
			return -1;
		}
	}
	XXH3_128bits_reset(w->file);
	if (fs_copy_fd(in, out, w->tree ? hash_bytes : NULL, w->file, &len) < 0) {
		rc = to ? error_errno("cannot copy '%s' to '%s'", from, to)
			: error_errno("cannot read '%s'", from);
	}
	close(in);
	if (out >= 0) {
		struct timespec t[2] = {{0, UTIME_OMIT}, st.st_mtim};

		if (rc == 0 && futimens(out, t) < 0) {
			rc = error_errno("cannot set the modification time of '%s'", to);
		}
		if (close(out) < 0 && rc == 0) {
			rc = error_errno("cannot write '%s'", to);
		}
	}
	if (rc == 0 && w->tree) {
		int64_t n = len;

		/* the length keeps one file's end from passing for the next one's name */
		hash_entry(w, st.st_mode & 0111 ? "x" : "f", rel, NULL);
		XXH128_canonicalFromHash(&sum, XXH3_128bits_digest(w->file));
		XXH3_128bits_update(w->tree, &n, sizeof(n));
		XXH3_128bits_update(w->tree, &sum, sizeof(sum));
	}
	return rc;
}

static int walk_dir(struct walk *w, const char *from, const char *to, const char *rel,
		    bool in_tree, const struct stat *st, const struct ancestor *up);

/* Is the directory st one of up, or real (its path) above the tree's root? */
static bool
loops(const struct walk *w, const struct stat *st, const char *real,
      const struct ancestor *up)
{
	for (; up; up = up->up) {
		if (up->dev == st->st_dev && up->ino == st->st_ino) {
			return true;
		}
	}
	return below(w->root, real);
}

/* Copy the link at from (lstat in st) to to, as a link or as what it leads to.
 * Returns 0 or -1 after reporting. */
static int
walk_link(struct walk *w, const char *from, const char *to, const char *rel, bool in_tree,
	  const struct stat *st, const struct ancestor *up)
{
	char target[PATH_MAX], resolved[PATH_MAX];
	const char *real;
	struct stat tst;
	int rc = 0;

	if (link_target(from, target, sizeof(target)) < 0) {
		return -1;
	}
	/* a snapshot's links stay inside it or dangle: as they are */
	real = w->clone ? NULL : realpath(from, resolved);
	switch (link_fate(w, rel, target, real, in_tree)) {
	case LINK_DROP:
		debug("not staging '%s': it links to a build output or the work directory",
		      from);
		return 0;
	case LINK_KEEP:
		hash_entry(w, "l", rel, target);
		if (to && symlink(target, to) < 0) {
			return error_errno("cannot create link '%s'", to);
		}
		return to ? keep_mtime(to, st, true) : 0;
	case LINK_FOLLOW:
		break;
	}
	if (stat(real, &tst) < 0) {
		return error_errno("cannot read '%s', where '%s' leads", real, from);
	}
	if (S_ISREG(tst.st_mode)) {
		rc = walk_file(w, real, to, rel, true);
	} else if (S_ISDIR(tst.st_mode)) {
		if (loops(w, &tst, real, up)) {
			warn("not copying '%s': it links to '%s', which holds it", from, real);
			return 0;
		}
		rc = walk_dir(w, real, to, rel, false, &tst, up);
	}
	/* a link to a socket, fifo or device: nothing a build reads */
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of the directory from (st: its stat) into to (made here; NULL: hash
 * only), rel its path in the tree ("" at the top), in name order. in_tree: from is
 * in the tree (else a link led out to it). Returns 0 or -1 after reporting. */
static int
walk_dir(struct walk *w, const char *from, const char *to, const char *rel, bool in_tree,
	 const struct stat *st, const struct ancestor *up)
{
	struct ancestor me = {st->st_dev, st->st_ino, up};
	bool top = !*rel && in_tree;
	struct strv names = STRV_INIT;
	struct dirent *e;
	DIR *d;
	int fd, rc = 0;

	if (*rel) {
		hash_entry(w, "d", rel, NULL);
		if (to && mkdir(to, (st->st_mode & 07777) | 0700) < 0) {
			return error_errno("cannot create directory '%s'", to);
		}
	}
	/* never through a link swapped in for the directory */
	fd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (*rel ? O_NOFOLLOW : 0));
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		error_errno("cannot open directory '%s'", from);
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	while ((e = readdir(d))) {
		if (!left_out(e->d_name, top, w->exclude)) {
			strv_push(&names, e->d_name);
		}
	}
	closedir(d);
	if (names.n) {
		qsort(names.v, names.n, sizeof(*names.v), by_name);
	}
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *cfrom = xasprintf("%s/%s", from, names.v[i]);
		char *cto = to ? xasprintf("%s/%s", to, names.v[i]) : NULL;
		char *crel = xasprintf("%s%s%s", rel, *rel ? "/" : "", names.v[i]);
		struct stat cst;

		if (lstat(cfrom, &cst) < 0) {
			/* removed since the directory was read: not in the snapshot */
			rc = errno == ENOENT ? 0 : error_errno("cannot read '%s'", cfrom);
		} else if (S_ISDIR(cst.st_mode)) {
			if (!(w->has_skip && cst.st_dev == w->skip.st_dev &&
			      cst.st_ino == w->skip.st_ino)) {
				rc = walk_dir(w, cfrom, cto, crel, in_tree, &cst, &me);
			}
		} else if (S_ISLNK(cst.st_mode)) {
			rc = walk_link(w, cfrom, cto, crel, in_tree, &cst, &me);
		} else if (S_ISREG(cst.st_mode)) {
			rc = walk_file(w, cfrom, cto, crel, !in_tree);
		}
		/* sockets, fifos and devices are not part of a source tree */
		free(cfrom);
		free(cto);
		free(crel);
	}
	strv_release(&names);
	/* after its entries, whose creation changed it */
	if (rc == 0 && to) {
		rc = keep_mtime(to, st, false);
	}
	return rc;
}

/* Walk the tree src: copy it to dst (removed first; NULL: no copy) and add it to
 * tree (NULL: no hash). clone: src is a snapshot, copied as it is. Returns 0 or
 * -1 after reporting. */
static int
walk(const char *src, const char *dst, const struct strv *exclude, const char *skip,
     bool clone, XXH3_state_t *tree)
{
	struct walk w = {.exclude = exclude, .clone = clone, .tree = tree};
	struct stat top;
	int rc = -1;

	if (skip && stat(skip, &w.skip) == 0) {
		w.has_skip = true;
		w.real_skip = realpath(skip, NULL);
	}
	w.root = realpath(src, NULL);
	if (!w.root || stat(w.root, &top) < 0) {
		error_errno("cannot read '%s'", src);
		goto out;
	}
	w.file = hash_new();
	if (dst && (fs_remove_tree(dst) < 0 || fs_mkdirs(dst) < 0)) {
		goto out;
	}
	rc = walk_dir(&w, w.root, dst, "", true, &top, NULL);
out:
	free(w.root);
	free(w.real_skip);
	if (w.file) {
		XXH3_freeState(w.file);
	}
	return rc;
}

int
stage_hash(const char *src, const struct strv *exclude, const char *skip, void *state)
{
	return walk(src, NULL, exclude, skip, false, state);
}

int
stage_copy(const char *src, const char *dst, const struct strv *exclude, const char *skip)
{
	return walk(src, dst, exclude, skip, false, NULL);
}

/* stage_snapshot and stage_clone: a walk of src with its hash in hex. */
static int
walk_hex(const char *src, const char *dst, const struct strv *exclude, const char *skip,
	 bool clone, char *hash)
{
	XXH3_state_t *st = hash ? hash_new() : NULL;
	int rc;

	rc = walk(src, dst, exclude, skip, clone, st);
	if (st) {
		if (rc == 0) {
			hash_hex(XXH3_128bits_digest(st), hash);
		}
		XXH3_freeState(st);
	}
	return rc;
}

int
stage_snapshot(const char *src, const char *dst, const struct strv *exclude, const char *skip,
	       char hash[STAGE_HASH_SIZE])
{
	return walk_hex(src, dst, exclude, skip, false, hash);
}

int
stage_clone(const char *snap, const char *dst, const struct strv *exclude,
	    char hash[STAGE_HASH_SIZE])
{
	return walk_hex(snap, dst, exclude, NULL, true, hash);
}
