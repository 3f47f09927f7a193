/* test_stage.c: the copy of a project tree each cell builds in: sources, modes,
 * links, modification times and files larger than one read are copied; ELF
 * objects and ar archives (a build the user left in the tree) are not; the
 * excluded names, .git and the work directory stay out. A link out of the tree
 * is copied as what it leads to, and hashed so; holes stay holes. The tree's
 * hash ignores times, and the snapshot's, taken as it is copied, is the hash of
 * the copy. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "testutil.h"

/* the mode bits of path (the test fails when it cannot be read) */
static unsigned
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

/* DIR/name holds want */
static void
assert_staged(const char *dir, const char *name, const char *want)
{
	char *p = xasprintf("%s/%s", dir, name), *got = tu_read_file(p);

	assert_int_equal(strlen(got), strlen(want));
	assert_string_equal(got, want);
	free(got);
	free(p);
}

static void
test_stage_copies_sources_and_leaves_builds_behind(void **state)
{
	struct tu_tmp *t = *state;
	char *src = xasprintf("%s/proj", t->dir), *dst = xasprintf("%s/cell/src", t->dir);
	char *work = xasprintf("%s/proj/.work", t->dir), *p, *got;
	struct strv exclude = STRV_INIT;
	struct buf big = BUF_INIT;

	free(tu_write_file(src, "main.c", "int main(void) { return 0; }\n"));
	free(tu_write_file(src, "sub/dir/util.h", "#define X 1\n"));
	p = tu_write_file(src, "run.sh", "#!/bin/sh\nexit 0\n");
	assert_int_equal(chmod(p, 0755), 0);
	free(p);
	/* 200 KiB: more than the 64 KiB read that also checks the magic */
	for (int i = 0; i < 200 * 1024 / 16; i++) {
		buf_adds(&big, "0123456789abcde\n");
	}
	free(tu_write_file(src, "data/big.txt", buf_str(&big)));
	/* build outputs: an ELF executable, an object, an archive */
	free(tu_write_file(src, "prog", "\177ELF\002\001\001 pretend"));
	free(tu_write_file(src, "sub/util.o", "\177ELF"));
	free(tu_write_file(src, "libx.a", "!<arch>\nmember"));
	/* ELF-like but too short, and an empty file: sources */
	free(tu_write_file(src, "short", "\177EL"));
	free(tu_write_file(src, "empty", ""));
	free(tu_write_file(src, ".git/HEAD", "ref: refs/heads/main\n"));
	free(tu_write_file(src, "skipme/file", "excluded by name\n"));
	free(tu_write_file(src, ".work/cells/x", "the work directory\n"));
	p = xasprintf("%s/link", src);
	assert_int_equal(symlink("main.c", p), 0);
	free(p);
	strv_push(&exclude, "skipme");

	assert_int_equal(stage_copy(src, dst, &exclude, work), 0);

	assert_staged(dst, "main.c", "int main(void) { return 0; }\n");
	/* modes as in the project */
	p = xasprintf("%s/main.c", src);
	got = xasprintf("%s/main.c", dst);
	assert_int_equal(mode_of(got), mode_of(p));
	free(got);
	free(p);
	p = xasprintf("%s/run.sh", dst);
	assert_int_equal(mode_of(p), 0755);
	free(p);
	assert_staged(dst, "sub/dir/util.h", "#define X 1\n");
	assert_staged(dst, "data/big.txt", buf_str(&big));
	p = xasprintf("%s/short", dst);
	assert_true(fs_exists(p));
	free(p);
	p = xasprintf("%s/empty", dst);
	assert_int_equal(fs_size(p), 0);
	free(p);
	p = xasprintf("%s/link", dst);
	{
		char target[64];
		ssize_t n = readlink(p, target, sizeof(target) - 1);

		assert_true(n > 0);
		target[n] = '\0';
		assert_string_equal(target, "main.c");
	}
	free(p);
	const char *absent[] = {"prog", "sub/util.o", "libx.a", ".git", "skipme", ".work"};

	for (size_t i = 0; i < sizeof(absent) / sizeof(*absent); i++) {
		p = xasprintf("%s/%s", dst, absent[i]);
		if (fs_exists(p)) {
			fail_msg("'%s' was staged", absent[i]);
		}
		free(p);
	}
	/* the project is as it was */
	p = xasprintf("%s/prog", src);
	assert_true(fs_exists(p));
	free(p);

	buf_release(&big);
	strv_release(&exclude);
	free(src);
	free(dst);
	free(work);
}

/* Set the modification time of DIR/name (a link itself, not its target) to sec. */
static void
set_mtime(const char *dir, const char *name, time_t sec)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct timespec t[2] = {{sec, 0}, {sec, 0}};

	assert_int_equal(utimensat(AT_FDCWD, p, t, AT_SYMLINK_NOFOLLOW), 0);
	free(p);
}

static long long
mtime_of(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	free(p);
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* the tree hash of dir, as a number to compare */
static XXH128_hash_t
tree_hash(const char *dir)
{
	XXH3_state_t *st = XXH3_createState();
	XXH128_hash_t h;

	XXH3_128bits_reset(st);
	assert_int_equal(stage_hash(dir, NULL, NULL, st), 0);
	h = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	return h;
}

/* A release tarball as tar x leaves it: the generated files newer than their
 * sources. The copy keeps every time (make would otherwise run the automake the
 * tarball was made with); the hash does not see them. */
static void
test_stage_keeps_modification_times(void **state)
{
	struct tu_tmp *t = *state;
	char *src = xasprintf("%s/proj", t->dir), *dst = xasprintf("%s/cell/src", t->dir), *p;
	const char *names[] = {"configure.ac", "aclocal.m4", "configure", "m4/ax.m4",
			       "m4", "link", ""};
	XXH128_hash_t before;

	free(tu_write_file(src, "configure.ac", "AC_INIT([x], [1])\n"));
	free(tu_write_file(src, "aclocal.m4", "# aclocal 1.14\n"));
	free(tu_write_file(src, "configure", "#!/bin/sh\n"));
	free(tu_write_file(src, "m4/ax.m4", "dnl\n"));
	p = xasprintf("%s/link", src);
	assert_int_equal(symlink("configure", p), 0);
	free(p);
	before = tree_hash(src);
	/* sources oldest, in the order the tools made them, then the directories */
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		set_mtime(src, names[i], (time_t)1400000000 + (time_t)i * 60);
	}
	assert_true(XXH128_isEqual(before, tree_hash(src)));

	assert_int_equal(stage_copy(src, dst, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (mtime_of(dst, names[i]) != mtime_of(src, names[i])) {
			fail_msg("'%s' lost its modification time", names[i]);
		}
	}
	assert_true(XXH128_isEqual(before, tree_hash(dst)));

	free(src);
	free(dst);
}

/* The text of the link at DIR/name, or NULL when it is not a link; the caller
 * frees it. */
static char *
link_of(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name), buf[4096];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	free(p);
	if (n < 0) {
		return NULL;
	}
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Make DIR/name a link to target. */
static void
make_link(const char *dir, const char *name, const char *target)
{
	char *p = xasprintf("%s/%s", dir, name);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

/* The snapshot's hash, taken as it copies src to dst */
static void
snapshot(const char *src, const char *dst, char hash[STAGE_HASH_SIZE])
{
	assert_int_equal(stage_snapshot(src, dst, NULL, NULL, hash), 0);
}

/* Links inside the tree stay links; links out of it (absolute, or by ../ above
 * the top) and links that would dangle in the copy are copied as what they lead
 * to, directories too, so a write into the copy never reaches the user's file; a
 * dangling link stays one; a link to a build output is left out with it; a link
 * to a directory holding the tree is not followed forever. The hash follows the
 * outside file's content. */
static void
test_stage_links_out_of_the_tree_are_copied(void **state)
{
	struct tu_tmp *t = *state;
	char *src = xasprintf("%s/proj", t->dir), *dst = xasprintf("%s/snap", t->dir);
	char *out = xasprintf("%s/outside", t->dir), *cell = xasprintf("%s/cell", t->dir);
	char *p, *got, h1[STAGE_HASH_SIZE], h2[STAGE_HASH_SIZE], h3[STAGE_HASH_SIZE];
	int fd;

	free(tu_write_file(out, "config.h", "#define SIZE 1\n"));
	free(tu_write_file(out, "inc/extra.h", "int extra;\n"));
	free(tu_write_file(src, "main.c", "#include \"config.h\"\n"));
	free(tu_write_file(src, "sub/util.h", "int util;\n"));
	free(tu_write_file(src, "prog", "\177ELF\002\001\001 pretend"));
	free(tu_write_file(src, ".git/HEAD", "ref: refs/heads/main\n"));
	p = xasprintf("%s/config.h", out);
	make_link(src, "config.h", p);
	free(p);
	make_link(src, "rel.h", "../outside/config.h");
	make_link(src, "inc", "../outside/inc");
	make_link(src, "sub/up.h", "../main.c");
	make_link(src, "sub/util2.h", "util.h");
	make_link(src, "head", ".git/HEAD");
	make_link(src, "prog2", "prog");
	make_link(src, "gone", "no-such-file");
	make_link(src, "loop", "..");

	tu_capture_begin(t);
	snapshot(src, dst, h1);
	got = tu_capture_end(t);
	tu_assert_contains(got, "warning: not copying '");
	tu_assert_contains(got, "/proj/loop': it links to '");
	free(got);
	/* inside: links as they were */
	got = link_of(dst, "sub/up.h");
	assert_string_equal(got, "../main.c");
	free(got);
	got = link_of(dst, "sub/util2.h");
	assert_string_equal(got, "util.h");
	free(got);
	got = link_of(dst, "gone");
	assert_string_equal(got, "no-such-file");
	free(got);
	/* out: files and directories */
	const char *files[] = {"config.h", "rel.h", "head", "inc/extra.h"};
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		assert_null(link_of(dst, files[i]));
	}
	assert_null(link_of(dst, "inc"));
	assert_staged(dst, "config.h", "#define SIZE 1\n");
	assert_staged(dst, "rel.h", "#define SIZE 1\n");
	assert_staged(dst, "inc/extra.h", "int extra;\n");
	assert_staged(dst, "head", "ref: refs/heads/main\n");
	/* left out: the build output and the link to it, and the loop */
	const char *absent[] = {"prog", "prog2", "loop"};
	for (size_t i = 0; i < sizeof(absent) / sizeof(*absent); i++) {
		p = xasprintf("%s/%s", dst, absent[i]);
		struct stat st;

		if (lstat(p, &st) == 0) {
			fail_msg("'%s' was staged", absent[i]);
		}
		free(p);
	}
	/* a build writing into the copy's config.h leaves the user's as it was */
	p = xasprintf("%s/config.h", dst);
	fd = open(p, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hacked\n", 7), 7);
	close(fd);
	free(p);
	got = xasprintf("%s/config.h", out);
	p = tu_read_file(got);
	assert_string_equal(p, "#define SIZE 1\n");
	free(p);
	free(got);

	/* the hash is the content's: the outside file changes, so does the hash */
	p = xasprintf("%s/loop", src);
	assert_int_equal(unlink(p), 0);
	free(p);
	free(tu_write_file(out, "config.h", "#define SIZE 100000\n"));
	assert_int_equal(stage_snapshot(src, NULL, NULL, NULL, h2), 0);
	assert_string_not_equal(h1, h2);
	/* and stage_hash, the cache's, sees it too */
	{
		XXH128_hash_t a = tree_hash(src);

		free(tu_write_file(out, "inc/extra.h", "int extra2;\n"));
		assert_false(XXH128_isEqual(a, tree_hash(src)));
	}
	/* a cell's copy of the snapshot: the same tree, the same hash */
	snapshot(src, dst, h2);
	assert_int_equal(stage_clone(dst, cell, NULL, h3), 0);
	assert_string_equal(h2, h3);
	assert_int_equal(stage_clone(cell, NULL, NULL, h3), 0);
	assert_string_equal(h2, h3);
	got = link_of(cell, "sub/up.h");
	assert_string_equal(got, "../main.c");
	free(got);
	assert_staged(cell, "config.h", "#define SIZE 100000\n");

	free(src);
	free(dst);
	free(out);
	free(cell);
}

/* A prebuilt file a link out of the tree leads to is an input: copied, and kept
 * in each cell's copy of the snapshot. */
static void
test_stage_outside_build_outputs_are_inputs(void **state)
{
	struct tu_tmp *t = *state;
	char *src = xasprintf("%s/proj", t->dir), *dst = xasprintf("%s/snap", t->dir);
	char *cell = xasprintf("%s/cell", t->dir), *p, hash[STAGE_HASH_SIZE];

	free(tu_write_file(src, "main.c", "int main(void) { return 0; }\n"));
	p = tu_write_file(t->dir, "vendor/libv.a", "!<arch>\nmember");
	make_link(src, "libv.a", p);
	free(p);
	snapshot(src, dst, hash);
	assert_staged(dst, "libv.a", "!<arch>\nmember");
	assert_int_equal(stage_clone(dst, cell, NULL, NULL), 0);
	assert_staged(cell, "libv.a", "!<arch>\nmember");
	free(src);
	free(dst);
	free(cell);
}

/* A sparse 16 MiB file: the snapshot and the cell's copy keep its holes, and
 * the same bytes. */
static void
test_stage_keeps_holes(void **state)
{
	struct tu_tmp *t = *state;
	char *src = xasprintf("%s/proj", t->dir), *dst = xasprintf("%s/snap", t->dir);
	char *cell = xasprintf("%s/cell", t->dir), *p, h1[STAGE_HASH_SIZE], h2[STAGE_HASH_SIZE];
	const off_t size = 16 << 20;
	struct stat st;
	int fd;

	p = tu_write_file(src, "disk.img", "head");
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "tail", 4, size - 4), 4);
	close(fd);
	free(p);
	snapshot(src, dst, h1);
	assert_int_equal(stage_clone(dst, cell, NULL, h2), 0);
	assert_string_equal(h1, h2);
	const char *copies[] = {dst, cell};
	for (size_t i = 0; i < 2; i++) {
		char *c = xasprintf("%s/disk.img", copies[i]), buf[4];

		assert_int_equal(stat(c, &st), 0);
		assert_int_equal(st.st_size, size);
		assert_true(st.st_blocks < 2048);
		fd = open(c, O_RDONLY);
		assert_int_equal(pread(fd, buf, 4, 0), 4);
		assert_memory_equal(buf, "head", 4);
		assert_int_equal(pread(fd, buf, 4, size - 4), 4);
		assert_memory_equal(buf, "tail", 4);
		assert_int_equal(pread(fd, buf, 4, size / 2), 4);
		assert_memory_equal(buf, "\0\0\0\0", 4);
		close(fd);
		free(c);
	}
	/* holes hash as the zeros they read as */
	{
		XXH3_state_t *x = XXH3_createState();
		XXH128_hash_t a;

		XXH3_128bits_reset(x);
		assert_int_equal(stage_hash(src, NULL, NULL, x), 0);
		a = XXH3_128bits_digest(x);
		p = xasprintf("%s/dense", t->dir);
		assert_int_equal(fs_mkdirs(p), 0);
		free(p);
		p = xasprintf("%s/dense/disk.img", t->dir);
		fd = open(p, O_WRONLY | O_CREAT, 0644);
		free(p);
		{
			char *zeros = xcalloc(1, (size_t)size);

			memcpy(zeros, "head", 4);
			memcpy(zeros + size - 4, "tail", 4);
			assert_int_equal(fs_write_all(fd, zeros, (size_t)size), 0);
			free(zeros);
		}
		close(fd);
		p = xasprintf("%s/dense", t->dir);
		XXH3_128bits_reset(x);
		assert_int_equal(stage_hash(p, NULL, NULL, x), 0);
		free(p);
		assert_true(XXH128_isEqual(a, XXH3_128bits_digest(x)));
		XXH3_freeState(x);
	}
	free(src);
	free(dst);
	free(cell);
}

/* A tree prepared inside the work directory (WORKDIR/prep/work) is snapshotted
 * there: its own links stay links, a link into the rest of the work directory is
 * left out, one out of it is copied. A cell's copy of the snapshot copies links as
 * they are: one that dangled when the snapshot was taken and leads somewhere now
 * is still the link the hash describes. */
static void
test_stage_snapshot_in_the_work_directory(void **state)
{
	struct tu_tmp *t = *state;
	char *w = xasprintf("%s/w", t->dir), *work = xasprintf("%s/w/prep/work", t->dir);
	char *snap = xasprintf("%s/w/prep/src", t->dir), *cell = xasprintf("%s/w/cells/a", t->dir);
	char *p, *got, h1[STAGE_HASH_SIZE], h2[STAGE_HASH_SIZE];

	free(tu_write_file(w, "cells/old/secret", "another cell's file\n"));
	free(tu_write_file(work, "main.c", "int main(void) { return 0; }\n"));
	p = tu_write_file(t->dir, "automake/install-sh", "#!/bin/sh\n");
	make_link(work, "install-sh", p);
	free(p);
	make_link(work, "same.c", "main.c");
	make_link(work, "cells", "../../cells");
	p = xasprintf("%s/later.h", t->dir);
	make_link(work, "later.h", p);

	assert_int_equal(stage_snapshot(work, snap, NULL, w, h1), 0);
	got = link_of(snap, "same.c");
	assert_string_equal(got, "main.c");
	free(got);
	assert_null(link_of(snap, "install-sh"));
	assert_staged(snap, "install-sh", "#!/bin/sh\n");
	got = xasprintf("%s/cells", snap);
	assert_false(fs_exists(got));
	free(got);
	got = link_of(snap, "later.h");
	assert_string_equal(got, p);
	free(got);

	/* the dangling link's target appears: the cell's copy is still the link */
	free(tu_write_file(t->dir, "later.h", "#define LATER 1\n"));
	assert_int_equal(stage_clone(snap, cell, NULL, h2), 0);
	assert_string_equal(h1, h2);
	got = link_of(cell, "later.h");
	assert_string_equal(got, p);
	free(got);
	free(p);
	free(w);
	free(work);
	free(snap);
	free(cell);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stage_copies_sources_and_leaves_builds_behind),
		T(test_stage_keeps_modification_times),
		T(test_stage_links_out_of_the_tree_are_copied),
		T(test_stage_outside_build_outputs_are_inputs),
		T(test_stage_keeps_holes),
		T(test_stage_snapshot_in_the_work_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
