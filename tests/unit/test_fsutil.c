/* test_fsutil.c: file-system helpers: directory listings by suffix, the absolute
 * form of paths that may not exist yet, whether a path is inside a directory,
 * removing a tree without following its links, and copies that keep holes. */
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

#include "base/mem.h"
#include "base/strv.h"
#include "os/fsutil.h"
#include "testutil.h"

static void
test_fsutil_list_suffix_sorted(void **state)
{
	struct tu_tmp *t = *state;
	struct strv out = STRV_INIT;
	char *dir = xasprintf("%s/d", t->dir);
	char *want[3];

	free(tu_write_file(t->dir, "d/zeta.ini", "z\n"));
	free(tu_write_file(t->dir, "d/alpha.ini", "a\n"));
	free(tu_write_file(t->dir, "d/Mid.ini", "m\n"));
	/* not ending in the suffix, or nothing but the suffix */
	free(tu_write_file(t->dir, "d/beta.ini.bak", "b\n"));
	free(tu_write_file(t->dir, "d/gamma.txt", "g\n"));
	free(tu_write_file(t->dir, "d/ini", "i\n"));
	free(tu_write_file(t->dir, "d/.ini", "dot\n"));
	free(tu_write_file(t->dir, "d/sub/deep.ini", "below the top\n"));

	/* appended after what out holds, which stays first and unsorted */
	strv_push(&out, "~kept");
	assert_int_equal(fs_list_suffix(dir, ".ini", "thing directory", &out), 0);
	want[0] = xasprintf("%s/Mid.ini", dir);
	want[1] = xasprintf("%s/alpha.ini", dir);
	want[2] = xasprintf("%s/zeta.ini", dir);
	TU_WORDS(&out, "~kept", want[0], want[1], want[2]);
	for (size_t i = 0; i < 3; i++) {
		free(want[i]);
	}
	strv_release(&out);

	/* no match is not an error */
	assert_int_equal(fs_list_suffix(dir, ".conf", "thing directory", &out), 0);
	assert_int_equal(out.n, 0);
	strv_release(&out);
	free(dir);
}

static void
test_fsutil_list_suffix_missing_dir_names_what(void **state)
{
	struct tu_tmp *t = *state;
	struct strv out = STRV_INIT;
	char *dir = xasprintf("%s/absent", t->dir);
	char *file = tu_write_file(t->dir, "plain", "not a directory\n");
	char *err, *want;

	tu_capture_begin(t);
	assert_int_equal(fs_list_suffix(dir, ".ini", "widget directory", &out), -1);
	assert_int_equal(fs_list_suffix(file, ".ini", "gadget directory", &out), -1);
	err = tu_capture_end(t);
	assert_int_equal(out.n, 0);
	want = xasprintf("error: cannot open widget directory '%s': No such file or directory",
			 dir);
	tu_assert_contains(err, want);
	free(want);
	want = xasprintf("error: cannot open gadget directory '%s': Not a directory", file);
	tu_assert_contains(err, want);
	free(want);
	free(err);
	free(file);
	free(dir);
}

static void
test_fsutil_resolve_future_existing(void **state)
{
	struct tu_tmp *t = *state;
	char *real = fs_realpath(t->dir);
	char *target = xasprintf("%s/target", t->dir);
	char *link = xasprintf("%s/link", t->dir);
	char *want, *got;

	assert_non_null(real);
	assert_int_equal(fs_mkdirs(target), 0);
	assert_int_equal(symlink("target", link), 0);

	/* an existing directory: symbolic links resolved */
	want = xasprintf("%s/target", real);
	got = fs_resolve_future(link);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	got = fs_resolve_future(target);
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* and an existing file reached through the link */
	free(tu_write_file(t->dir, "target/f.txt", "x\n"));
	free(link);
	link = xasprintf("%s/link/./f.txt", t->dir);
	want = xasprintf("%s/target/f.txt", real);
	got = fs_resolve_future(link);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(link);
	free(target);
	free(real);
}

static void
test_fsutil_resolve_future_appends_missing_tail(void **state)
{
	struct tu_tmp *t = *state;
	char *real = fs_realpath(t->dir);
	char *target = xasprintf("%s/target", t->dir);
	char *link = xasprintf("%s/link", t->dir);
	char *path, *want, *got;

	assert_non_null(real);
	assert_int_equal(fs_mkdirs(target), 0);
	assert_int_equal(symlink(target, link), 0);

	/* the longest existing prefix resolved, the rest as written */
	path = xasprintf("%s/link/new/sub", t->dir);
	want = xasprintf("%s/target/new/sub", real);
	got = fs_resolve_future(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_false(fs_exists(got));
	free(got);
	free(want);
	free(path);

	path = xasprintf("%s/missing", t->dir);
	want = xasprintf("%s/missing", real);
	got = fs_resolve_future(path);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(path);

	/* nothing is made on the way */
	path = xasprintf("%s/target/new", t->dir);
	assert_false(fs_exists(path));
	free(path);
	free(link);
	free(target);
	free(real);
}

static void
test_fsutil_resolve_future_relative(void **state)
{
	char *cwd = fs_realpath(".");
	const char *rel = "ounce-test-no-such-dir/sub";
	char *want, *got;

	(void)state;
	assert_non_null(cwd);
	assert_false(fs_exists("ounce-test-no-such-dir"));
	want = xasprintf("%s/%s", cwd, rel);
	got = fs_resolve_future(rel);
	assert_non_null(got);
	assert_true(got[0] == '/');
	assert_string_equal(got, want);
	free(got);
	free(want);

	got = fs_resolve_future(".");
	assert_string_equal(got, cwd);
	free(got);
	free(cwd);
}

static void
test_fsutil_resolve_future_below_the_root(void **state)
{
	const char *path = "/ounce-test-no-such-dir/x";
	char *got;

	(void)state;
	assert_false(fs_exists("/ounce-test-no-such-dir"));
	/* the longest existing prefix is "/" itself */
	got = fs_resolve_future(path);
	assert_non_null(got);
	assert_string_equal(got, path);
	free(got);
	got = fs_resolve_future("/");
	assert_non_null(got);
	assert_string_equal(got, "/");
	free(got);
}

/* Inside means dir itself or below one of its '/', never a longer name sharing
 * its prefix; the root holds everything. */
static void
test_fsutil_path_inside_whole_components(void **state)
{
	(void)state;
	assert_true(fs_path_inside("/a/b", "/a/b"));
	assert_true(fs_path_inside("/a/b/c", "/a/b"));
	assert_true(fs_path_inside("/a/b/.ounce/x", "/a/b"));
	assert_false(fs_path_inside("/a/bc", "/a/b"));
	assert_false(fs_path_inside("/a/b-old/c", "/a/b"));
	assert_false(fs_path_inside("/a", "/a/b"));
	assert_false(fs_path_inside("/x/a/b", "/a/b"));
	assert_true(fs_path_inside("/home/u", "/"));
	assert_true(fs_path_inside("/", "/"));
}

/* A tree holding links to a directory and a file outside it: removing the tree
 * removes the links, never what they lead to. */
static void
test_fsutil_remove_tree_never_follows_links(void **state)
{
	struct tu_tmp *t = *state;
	char *tree = xasprintf("%s/tree", t->dir), *out = xasprintf("%s/outside", t->dir);
	char *p, *text;

	free(tu_write_file(out, "keep.txt", "the user's file\n"));
	free(tu_write_file(out, "sub/deep.txt", "another\n"));
	free(tu_write_file(tree, "a/b/file", "x\n"));
	p = xasprintf("%s/a/dirlink", tree);
	assert_int_equal(symlink(out, p), 0);
	free(p);
	p = xasprintf("%s/a/b/filelink", tree);
	text = xasprintf("%s/keep.txt", out);
	assert_int_equal(symlink(text, p), 0);
	free(text);
	free(p);
	assert_int_equal(fs_remove_tree(tree), 0);
	assert_false(fs_exists(tree));
	p = xasprintf("%s/keep.txt", out);
	text = tu_read_file(p);
	assert_string_equal(text, "the user's file\n");
	free(text);
	free(p);
	p = xasprintf("%s/sub/deep.txt", out);
	assert_true(fs_exists(p));
	free(p);
	/* a link given itself is removed, not its target; absent is fine */
	p = xasprintf("%s/link", t->dir);
	assert_int_equal(symlink(out, p), 0);
	assert_int_equal(fs_remove_tree(p), 0);
	assert_false(fs_exists(p));
	assert_true(fs_exists(out));
	assert_int_equal(fs_remove_tree(p), 0);
	free(p);
	free(tree);
	free(out);
}

/* A sparse 64 MiB file with a few bytes of data: the copy holds the same bytes
 * in a few blocks, not 64 MiB of zeros. */
static void
test_fsutil_copy_keeps_holes(void **state)
{
	struct tu_tmp *t = *state;
	char *from = xasprintf("%s/sparse", t->dir), *to = xasprintf("%s/copy", t->dir);
	const off_t size = 64 << 20;
	char a[4096], b[4096];
	struct stat st;
	int fd = open(from, O_WRONLY | O_CREAT | O_TRUNC, 0644), fa, fb;

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "start", 5, 0), 5);
	assert_int_equal(pwrite(fd, "middle", 6, size / 2), 6);
	assert_int_equal(ftruncate(fd, size), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(fs_copy_file(from, to), 0);
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal(st.st_size, size);
	/* 512-byte blocks: at most a megabyte's worth */
	assert_true(st.st_blocks < 2048);
	fa = open(from, O_RDONLY);
	fb = open(to, O_RDONLY);
	assert_true(fa >= 0 && fb >= 0);
	for (;;) {
		ssize_t na = read(fa, a, sizeof(a)), nb = read(fb, b, sizeof(b));

		assert_int_equal(na, nb);
		if (na <= 0) {
			break;
		}
		assert_memory_equal(a, b, (size_t)na);
	}
	close(fa);
	close(fb);
	free(from);
	free(to);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fsutil_list_suffix_sorted),
		T(test_fsutil_list_suffix_missing_dir_names_what),
		T(test_fsutil_resolve_future_existing),
		T(test_fsutil_resolve_future_appends_missing_tail),
		T(test_fsutil_remove_tree_never_follows_links),
		T(test_fsutil_copy_keeps_holes),
		cmocka_unit_test(test_fsutil_resolve_future_relative),
		cmocka_unit_test(test_fsutil_resolve_future_below_the_root),
		cmocka_unit_test(test_fsutil_path_inside_whole_components),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
