/* test_check.c: the checks behind the table's notes and pick's exclusions: ABI
 * against the baseline, glibc against the target, profiles that changed nothing;
 * and the version arithmetic of iface. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/strv.h"
#include "elf/iface.h"
#include "report/check.h"
#include "report/result.h"

/* A measured cell of profiles (a '+'-separated list, "" for none) with one
 * artifact "src/prog" exporting the space-separated names, with glibc g and
 * content hash h. */
static struct cell *
cell_of(struct results *r, const char *name, const char *profiles, const char *exports,
        const char *g, const char *h)
{
	struct cell *c = cell_new(name);
	struct artifact *a;

	c->status = CELL_OK;
	c->build = xstrdup("default");
	char *list = xstrdup(profiles);

	for (char *p = list; *p; p++) {
		*p = *p == '+' ? ',' : *p;
	}
	strv_split_list(&c->profiles, list);
	free(list);
	a = cell_add_artifact(c, "/w/cells/x/src/prog", "/w/cells/x");
	a->m.bytes = 100;
	strv_split(&a->ifc.exports, exports);
	strv_sort(&a->ifc.exports);
	a->ifc.glibc = g ? xstrdup(g) : NULL;
	snprintf(a->hash, sizeof(a->hash), "%032d", atoi(h));
	cell_sum_artifacts(c);
	results_add_cell(r, c);
	return c;
}

static void
test_check_abi_lost(void **state)
{
	struct results r = RESULTS_INIT;
	struct strv lost = STRV_INIT;
	size_t total;
	const struct cell *base, *vis, *more;

	(void)state;
	base = cell_of(&r, "baseline", "", "api_a api_b api_c@V1", "2.34", "1");
	vis = cell_of(&r, "vis", "vis", "api_b", "2.34", "2");
	more = cell_of(&r, "gc", "gc", "api_a api_b api_c@V1 extra", "2.34", "3");
	assert_int_equal(check_abi(base, vis, &lost, &total), 2);
	assert_int_equal(total, 3);
	assert_string_equal(lost.v[0], "src/prog: api_a");
	assert_string_equal(lost.v[1], "src/prog: api_c@V1");
	/* gaining a symbol is not a change of ABI */
	assert_int_equal(check_abi(base, more, NULL, &total), 0);
	assert_non_null(check_cost(base, vis, NULL, NULL));
	assert_non_null(strstr(check_cost(base, vis, NULL, NULL), "2 of 3"));
	strv_push(&lost, "abi");
	assert_null(check_cost(base, vis, &lost, NULL));
	strv_release(&lost);
	results_release(&r);
}

static void
test_check_abi_soname(void **state)
{
	struct results r = RESULTS_INIT;
	struct cell *base, *c;
	size_t total;

	(void)state;
	base = cell_of(&r, "baseline", "", "f", NULL, "1");
	c = cell_of(&r, "x", "x", "f", NULL, "2");
	base->arts[0].ifc.soname = xstrdup("libx.so.1");
	c->arts[0].ifc.soname = xstrdup("libx.so.2");
	assert_int_equal(check_abi(base, c, NULL, &total), 1);
	results_release(&r);
}

static void
test_check_glibc_target(void **state)
{
	struct results r = RESULTS_INIT;
	const struct cell *base, *relr;

	(void)state;
	base = cell_of(&r, "baseline", "", "", "2.2.5", "1");
	relr = cell_of(&r, "relr", "relr", "", "2.36", "2");
	assert_null(check_cost(base, relr, NULL, NULL));
	assert_null(check_cost(base, relr, NULL, "2.36"));
	assert_non_null(check_cost(base, relr, NULL, "2.31"));
	assert_null(check_cost(base, base, NULL, "2.31"));
	results_release(&r);
}

static void
test_check_no_effect(void **state)
{
	struct results r = RESULTS_INIT;
	struct strv none = STRV_INIT;
	struct cell *c;

	(void)state;
	cell_of(&r, "baseline", "", "", NULL, "1");
	cell_of(&r, "lto", "lto", "", NULL, "2");
	c = cell_of(&r, "lto+allocator", "lto+allocator", "", NULL, "2");
	check_no_effect(&r, c, &none);
	assert_int_equal(none.n, 1);
	assert_string_equal(none.v[0], "allocator");
	strv_release(&none);
	/* the other way round it had one: lto changed the bytes of allocator */
	c = cell_of(&r, "allocator", "allocator", "", NULL, "3");
	check_no_effect(&r, c, &none);
	assert_int_equal(none.n, 0);
	/* evidence that is missing counts too */
	strv_push(&c->unproven, "allocator");
	check_no_effect(&r, c, &none);
	assert_int_equal(none.n, 1);
	strv_release(&none);
	results_release(&r);
}

static void
test_check_glibc_versions(void **state)
{
	char v[32];

	(void)state;
	assert_true(iface_glibc_version("GLIBC_2.34", v, sizeof(v)));
	assert_string_equal(v, "2.34");
	assert_true(iface_glibc_version("GLIBC_ABI_DT_RELR", v, sizeof(v)));
	assert_string_equal(v, "2.36");
	assert_false(iface_glibc_version("GLIBC_PRIVATE", v, sizeof(v)));
	assert_false(iface_glibc_version("GCC_3.0", v, sizeof(v)));
	assert_true(iface_version_cmp("2.34", "2.4") > 0);
	assert_true(iface_version_cmp("2.2.5", "2.3") < 0);
	assert_true(iface_version_cmp("2.34", "2.34.1") < 0);
	assert_int_equal(iface_version_cmp("2.36", "2.36"), 0);
}

static void
test_check_iface_reads_itself(void **state)
{
	struct iface f = IFACE_INIT;
	char err[256];

	(void)state;
	/* this test program: a dynamic executable needing glibc */
	assert_int_equal(iface_read("/proc/self/exe", &f, err, sizeof(err)), 0);
	assert_true(f.dynamic);
	assert_string_equal(f.kind, "executable");
	assert_non_null(f.interp);
	assert_non_null(f.glibc);
	assert_true(strv_has(&f.needed, "libc.so.6"));
	iface_release(&f);
	assert_int_equal(iface_read("/etc/hostname", &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an ELF file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_abi_lost),
	    cmocka_unit_test(test_check_abi_soname),
	    cmocka_unit_test(test_check_glibc_target),
	    cmocka_unit_test(test_check_no_effect),
	    cmocka_unit_test(test_check_glibc_versions),
	    cmocka_unit_test(test_check_iface_reads_itself),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
