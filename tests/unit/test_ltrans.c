/* test_ltrans.c: which links share GCC's LTO code generation and under what key:
 * an LTO link through the plugin, the key blind to the cell's directory and to
 * linker options that leave the symbol resolution alone, and seeing every other
 * argument and the content of every input; the plugin's list in partition order.
 * (The links themselves run in tests/integration/objects_shared.sh.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/strv.h"
#include "testutil.h"
#include "wrap/ltrans.h"

/* a literal as the wrapper's argv holds it (char *, as main's) */
#define W(s) ((char *)(s))
#define N(v) (sizeof(v) / sizeof(*(v)))

static void
test_ltrans_applies(void **state)
{
	char *lto[] = {W("gcc"), W("-O2"), W("-o"), W("p"), W("a.o"), W("-flto=auto")};
	char *undone[] = {W("gcc"), W("-flto"), W("-o"), W("p"), W("a.o"), W("-fno-lto")};
	char *compile[] = {W("gcc"), W("-flto"), W("-c"), W("a.c")};
	char *plain[] = {W("gcc"), W("-o"), W("p"), W("a.o")};
	char *lld[] = {W("gcc"), W("-flto"), W("-fuse-ld=lld"), W("a.o")};
	char *gold[] = {W("gcc"), W("-flto"), W("-fuse-ld=gold"), W("a.o")};
	char *noplugin[] = {W("gcc"), W("-flto"), W("-fno-use-linker-plugin"), W("a.o")};
	char *version[] = {W("gcc"), W("-flto"), W("--version")};

	(void)state;
	assert_true(ltrans_applies(lto, N(lto)));
	assert_false(ltrans_applies(undone, N(undone)));
	assert_false(ltrans_applies(compile, N(compile)));
	assert_false(ltrans_applies(plain, N(plain)));
	assert_false(ltrans_applies(lld, N(lld)));
	assert_true(ltrans_applies(gold, N(gold)));
	assert_false(ltrans_applies(noplugin, N(noplugin)));
	assert_false(ltrans_applies(version, N(version)));
}

static void
test_ltrans_neutral(void **state)
{
	(void)state;
	assert_true(ltrans_neutral("-Wl,-z,noseparate-code"));
	assert_true(ltrans_neutral("-Wl,-z,pack-relative-relocs"));
	assert_true(ltrans_neutral("-Wl,-z,relro,-z,now"));
	assert_true(ltrans_neutral("-Wl,--build-id=none"));
	assert_true(ltrans_neutral("-Wl,-Map,prog.map"));
	assert_true(ltrans_neutral("-Wl,--hash-style=gnu,-O1"));
	assert_true(ltrans_neutral("-Wl,-z,max-page-size=4096"));
	/* resolution: what is exported, what is wrapped, what is kept */
	assert_false(ltrans_neutral("-Wl,--export-dynamic"));
	assert_false(ltrans_neutral("-Wl,-z,muldefs"));
	assert_false(ltrans_neutral("-Wl,--gc-sections"));
	assert_false(ltrans_neutral("-Wl,-z,now,--wrap=malloc"));
	assert_false(ltrans_neutral("-Wl,-z"));
	assert_false(ltrans_neutral("-Wl,"));
	assert_false(ltrans_neutral("-z"));
	assert_false(ltrans_neutral("-s"));
}

/* the key of argv run in cwd (the test fails when an input cannot be read) */
static char *
key_of(const char *sig, const char *cell, const char *cwd, char **argv, size_t n)
{
	char key[LTRANS_KEY_LEN + 1];

	assert_int_equal(ltrans_key(sig, cell, cwd, argv, n, key), 0);
	assert_int_equal(strlen(key), LTRANS_KEY_LEN);
	return xstrdup(key);
}

static void
test_ltrans_key(void **state)
{
	struct tu_tmp *t = *state;
	char *a = tu_write_file(t->dir, "a/src/m.o", "IR one");
	char *b = tu_write_file(t->dir, "b/src/m.o", "IR one");
	char *ca = xasprintf("%s/a", t->dir), *cb = xasprintf("%s/b", t->dir);
	char *sa = xasprintf("%s/src", ca), *sb = xasprintf("%s/src", cb);
	char *mapa = xasprintf("-ffile-prefix-map=%s=/home/u/p", sa);
	char *mapb = xasprintf("-ffile-prefix-map=%s=/home/u/p", sb);
	char *one[] = {W("/usr/bin/gcc"), W("-o"), W("p"), a, mapa, W("-flto=auto")};
	char *two[] = {W("/usr/bin/gcc"), W("-o"), W("p"), b, mapb, W("-flto=auto"),
		       W("-Wl,-z,noseparate-code"), W("-Wl,--build-id=none")};
	char *three[] = {W("/usr/bin/gcc"), W("-o"), W("p"), b, mapb, W("-flto=auto"),
			 W("-Wl,--export-dynamic")};
	char *four[] = {W("/usr/bin/gcc"), W("-o"), W("p"), b, mapb, W("-flto=auto"), W("-lm")};
	char *missing[] = {W("/usr/bin/gcc"), W("-o"), W("p"), W("/nonexistent/x.o"), W("-flto")};
	char *k1 = key_of("sig", ca, sa, one, N(one));
	char *k2 = key_of("sig", cb, sb, two, N(two));
	char *k3 = key_of("sig", cb, sb, three, N(three));
	char *k4 = key_of("sig", cb, sb, four, N(four));
	char *k5 = key_of("other", cb, sb, two, N(two));
	char *k6, *k7;
	char key[LTRANS_KEY_LEN + 1];

	/* another cell's directory, and linker options that lay out only: the same */
	assert_string_equal(k1, k2);
	/* an exported symbol, a library, other compile settings: another key */
	assert_string_not_equal(k1, k3);
	assert_string_not_equal(k1, k4);
	assert_string_not_equal(k1, k5);
	/* another directory to run in */
	k6 = key_of("sig", cb, cb, two, N(two));
	assert_string_not_equal(k2, k6);
	/* an input's content */
	free(tu_write_file(t->dir, "b/src/m.o", "IR two"));
	k7 = key_of("sig", cb, sb, two, N(two));
	assert_string_not_equal(k2, k7);
	assert_int_equal(ltrans_key("sig", cb, sb, missing, N(missing), key), -1);
	free(a);
	free(b);
	free(ca);
	free(cb);
	free(sa);
	free(sb);
	free(mapa);
	free(mapb);
	free(k1);
	free(k2);
	free(k3);
	free(k4);
	free(k5);
	free(k6);
	free(k7);
}

static void
test_ltrans_list_in_partition_order(void **state)
{
	struct tu_tmp *t = *state;
	const char *names[] = {"cc1.ltrans10.ltrans.o", "cc1.ltrans2.ltrans.o",
			       "cc1.ltrans0.ltrans.o", "cc1.ltrans1.ltrans.o",
			       "cc1.ltrans_args", "cc1.res", "cc1.ltrans.ltrans.o"};
	char *tmp = xasprintf("%s/tmp", t->dir), *list;

	for (size_t i = 0; i < N(names); i++) {
		char *name = xasprintf("tmp/%s", names[i]);

		free(tu_write_file(t->dir, name, "x"));
		free(name);
	}
	assert_int_equal(ltrans_write_list(tmp, "/w/lto/KEY"), 4);
	list = xasprintf("%s/list", tmp);
	char *text = tu_read_file(list);

	assert_string_equal(text, "/w/lto/KEY/cc1.ltrans0.ltrans.o\n"
				  "/w/lto/KEY/cc1.ltrans1.ltrans.o\n"
				  "/w/lto/KEY/cc1.ltrans2.ltrans.o\n"
				  "/w/lto/KEY/cc1.ltrans10.ltrans.o\n");
	free(text);
	free(list);
	/* nothing to list: no list */
	free(tmp);
	tmp = xasprintf("%s/empty", t->dir);
	free(tu_write_file(t->dir, "empty/cc2.res", "x"));
	assert_int_equal(ltrans_write_list(tmp, "/w/lto/KEY"), 0);
	list = xasprintf("%s/list", tmp);
	assert_int_not_equal(access(list, F_OK), 0);
	free(list);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ltrans_applies),
		cmocka_unit_test(test_ltrans_neutral),
		cmocka_unit_test_setup_teardown(test_ltrans_key, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_ltrans_list_in_partition_order,
						tu_setup_tmpdir, tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
