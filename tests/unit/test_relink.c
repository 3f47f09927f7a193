/* test_relink.c: a link kept for a relink: the inputs under the cell's directory
 * are hard-linked into the record (and survive their deletion), the others are
 * named as they were; the record is found by its output's inode, and the relink's
 * arguments write another output with the extra arguments last. A link that cannot
 * be kept (no output, a response file, an output that names no file) is not. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/strv.h"
#include "os/fsutil.h"
#include "testutil.h"
#include "wrap/relink.h"

/* a literal as the wrapper's argv holds it (char *, as main's) */
#define W(s) ((char *)(s))

/* the inode of path (the test fails when it cannot be read) */
static ino_t
inode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void
test_relink_keeps_inputs_and_links_again(void **state)
{
	struct tu_tmp *t = *state;
	char *cell = xasprintf("%s/cell", t->dir), *keep = xasprintf("%s/cell/link", t->dir);
	char *obj = tu_write_file(cell, "build/deps/app-1.cgu.0.o", "object\n");
	char *sym = tu_write_file(t->dir, "tmp/rustcX/symbols.o", "symbols\n");
	char *lib = tu_write_file(t->dir, "sysroot/libstd.rlib", "std\n");
	char *out = tu_write_file(cell, "build/deps/app-1", "linked\n");
	char *art = xasprintf("%s/build/app", cell), *tmp = xasprintf("%s/tmp", t->dir);
	char *other = xasprintf("%s/other/app", t->dir), *got;
	struct strv roots = STRV_INIT, argv = STRV_INIT, extra = STRV_INIT;
	struct relink r = RELINK_INIT;
	char *args[] = {W("-m64"), sym,	   obj, lib, W("-Wl,--as-needed"),
			W("-o"),   out, W("-nodefaultlibs")};

	assert_int_equal(link(out, art), 0); /* Cargo's NAME beside deps/NAME-HASH */
	strv_push(&roots, cell);
	strv_push(&roots, tmp);
	assert_int_equal(relink_keep(keep, &roots, "/usr/bin/gcc", args, 8), 0);
	/* rustc deletes its objects after the link */
	assert_int_equal(unlink(obj), 0);
	assert_int_equal(unlink(sym), 0);

	assert_int_equal(relink_find(keep, art, &r), 0);
	assert_string_equal(r.real, "/usr/bin/gcc");
	assert_string_equal(r.out, out);
	assert_int_equal(r.args.n, 8);
	/* kept: the object and symbols.o, now in the record; the rlib outside the
	 * roots and the flags as they were */
	assert_non_null(strstr(r.args.v[1], "/cell/link/app-1/1-symbols.o"));
	assert_non_null(strstr(r.args.v[2], "/cell/link/app-1/2-app-1.cgu.0.o"));
	got = tu_read_file(r.args.v[2]);
	assert_string_equal(got, "object\n");
	free(got);
	assert_string_equal(r.args.v[3], lib);
	assert_string_equal(r.args.v[4], "-Wl,--as-needed");

	strv_push(&extra, "-Wl,-z,pack-relative-relocs");
	relink_args(&r, other, &extra, &argv);
	TU_WORDS(&argv, "-m64", r.args.v[1], r.args.v[2], lib, "-Wl,--as-needed", "-o", other,
		 "-nodefaultlibs", "-Wl,-z,pack-relative-relocs");
	relink_release(&r);

	/* another file is not the output of any link kept */
	assert_int_equal(relink_find(keep, lib, &r), -1);
	/* the same output linked again replaces its record */
	args[2] = lib;
	assert_int_equal(relink_keep(keep, &roots, "/usr/bin/cc", args, 8), 0);
	assert_int_equal(relink_find(keep, art, &r), 0);
	assert_string_equal(r.real, "/usr/bin/cc");
	assert_string_equal(r.args.v[2], lib);
	assert_true(inode_of(out) == inode_of(art));
	relink_release(&r);

	strv_release(&roots);
	strv_release(&argv);
	strv_release(&extra);
	free(cell);
	free(keep);
	free(obj);
	free(sym);
	free(lib);
	free(out);
	free(art);
	free(tmp);
	free(other);
}

static void
test_relink_refuses_what_it_cannot_keep(void **state)
{
	struct tu_tmp *t = *state;
	char *keep = xasprintf("%s/link", t->dir), *obj = tu_write_file(t->dir, "a.o", "o\n");
	struct strv roots = STRV_INIT, argv = STRV_INIT;
	struct relink r = RELINK_INIT;
	char *app;
	char *no_out[] = {obj, W("-lc")};
	char *rsp[] = {W("@/tmp/rustcY/linker-arguments"), W("-o"), W("app")};
	char *inline_out[] = {obj, W("-oapp")};
	char *dir_out[] = {obj, W("-o"), W("sub/")};

	strv_push(&roots, t->dir);
	assert_int_equal(relink_keep(keep, &roots, "cc", no_out, 2), 1);
	assert_int_equal(relink_keep(keep, &roots, "cc", rsp, 3), 1);
	assert_int_equal(relink_keep(keep, &roots, "cc", dir_out, 3), 1);
	assert_false(fs_exists(keep));
	/* nothing kept: nothing found */
	assert_int_equal(relink_find(keep, obj, &r), -1);
	/* -oFILE is an output too, relative to where the link runs */
	app = tu_write_file(t->dir, "app", "linked\n");
	assert_int_equal(chdir(t->dir), 0);
	assert_int_equal(relink_keep(keep, &roots, "cc", inline_out, 2), 0);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(relink_find(keep, app, &r), 0);
	assert_string_equal(r.out, app);
	relink_args(&r, "/x/app2", NULL, &argv);
	TU_WORDS(&argv, r.args.v[0], "-o/x/app2");
	relink_release(&r);
	strv_release(&argv);
	strv_release(&roots);
	free(keep);
	free(obj);
	free(app);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relink_keeps_inputs_and_links_again,
						tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_relink_refuses_what_it_cannot_keep,
						tu_setup_tmpdir, tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
