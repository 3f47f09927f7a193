/* test_stage.c: the copy of a project tree each cell builds in: sources, modes,
 * links, modification times and files larger than one read are copied; ELF
 * objects and ar archives (a build the user left in the tree) are not; the
 * excluded names, .git and the work directory stay out. The tree's hash ignores
 * times. */
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

#include "buf.h"
#include "fsutil.h"
#include "mem.h"
#include "stage.h"
#include "strv.h"
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

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stage_copies_sources_and_leaves_builds_behind),
		T(test_stage_keeps_modification_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
