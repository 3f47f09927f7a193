/* test_verify.c: where a run's work directory is, and the likely cause of a
 * rebuild that differs, read from its log. The rebuilds themselves run the real
 * toolchain in tests/integration/verify_*.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "matrix/verify.h"
#include "report/result.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct cell *c;
};

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));

	f->c = cell_new("gc+os");
	f->c->settings.cc = xstrdup("gcc");
	f->c->settings.cxx = xstrdup("g++");
	strv_push(&f->c->settings.f.cflags, "-ffunction-sections");
	strv_push(&f->c->settings.f.cflags, "-Os");
	strv_push(&f->c->settings.f.ldflags, "-Wl,--gc-sections");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	cell_free(f->c);
	return tu_fixture_free(f);
}

/* verify_cause of f's cell for a log holding text; the caller frees it. */
static char *
cause(struct fixture *f, const char *text)
{
	char *log = tu_write_file(f->t.dir, "verify.log", text);
	char *c = verify_cause(f->c, log);

	free(log);
	return c;
}

static void
test_verify_cause_a_later_flag_of_the_build(void **state)
{
	struct fixture *f = *state;
	char *c;

	c = cause(f, "make -C vendor\n"
		     "gcc -O2 -ffunction-sections -Os -c -o main.o main.c\n"
		     "cc -O2 -ffunction-sections -Os -O3 -funroll-loops -c -o crunch.o crunch.c\n");
	assert_non_null(c);
	tu_assert_contains(c, "the build's own '-O3' comes after the winner's '-Os' on 'cc -O2 "
			      "-ffunction-sections -Os -O3 -funroll-loops -c -o crunch.o crunch.c' (");
	tu_assert_contains(c, "verify.log:3)");
	free(c);

	/* -fno-X undoes -fX; a flag of ours again after theirs wins back */
	c = cause(f, "gcc -ffunction-sections -Os -fno-function-sections -c a.c\n");
	tu_assert_contains(c, "'-fno-function-sections' comes after the winner's "
			      "'-ffunction-sections'");
	free(c);
	c = cause(f, "gcc -Os -O3 -ffunction-sections -Os -c a.c\n"
		     "x86_64-linux-gnu-gcc -O2 -ffunction-sections -Os -o p a.o -Wl,--gc-sections\n");
	assert_null(c);
}

static void
test_verify_cause_calls_the_flags_missed(void **state)
{
	struct fixture *f = *state;
	char *c;

	/* cmake's "cd DIR && gcc", libtool's "libtool: link: gcc" */
	c = cause(f, "checking whether gcc understands -c and -o together... yes\n"
		     "cd /b/src && /usr/bin/gcc -O3 -ffunction-sections -Os -c x.c\n"
		     "libtool: link: gcc -shared -fPIC .libs/t.o -O2 -o .libs/libt.so.1.0.0\n");
	assert_non_null(c);
	tu_assert_contains(c, "a link that the winner's link flags did not reach: 'gcc -shared "
			      "-fPIC .libs/t.o -O2 -o .libs/libt.so.1.0.0' (");
	free(c);
	c = cause(f, "gcc -O2 -c -o main.o main.c\n");
	tu_assert_contains(c, "a compile that the winner's flags did not reach: 'gcc -O2 -c -o "
			      "main.o main.c'");
	free(c);
	/* a log that shows no compiler call says nothing */
	assert_null(cause(f, "make: Nothing to be done for 'all'.\n"));
}

static void
test_verify_workdir_of_a_run(void **state)
{
	struct fixture *f = *state;
	struct results r = RESULTS_INIT;
	struct cell *c = cell_new("baseline");
	char *w;

	(void)f;
	results_add_cell(&r, c);
	/* no log: the results file's directory */
	w = verify_workdir(&r, "/x/y/results.json");
	assert_string_equal(w, "/x/y");
	free(w);
	w = verify_workdir(&r, "results.json");
	assert_string_equal(w, ".");
	free(w);
	/* a cell built in WORKDIR/cells/NAME, or taken from WORKDIR/cache/KEY */
	c->log = xstrdup("/w/cache/0123/build.log");
	w = verify_workdir(&r, "/elsewhere/results.json");
	assert_string_equal(w, "/w");
	free(w);
	free(c->log);
	c->log = xstrdup("/home/u/.ounce/cells/strip+gc/build.log");
	w = verify_workdir(&r, "/elsewhere/results.json");
	assert_string_equal(w, "/home/u/.ounce");
	free(w);
	results_release(&r);
}

static void
test_verify_recorded_in_results(void **state)
{
	struct fixture *f = *state;
	char make[] = "make", wrapper[] = "wrapper", differs[] = "differs", same[] = "identical";
	char detail[] = "sum: 10 bytes vs 8", why[] = "a cause", log1[] = "/w/v.log";
	char log2[] = "/w/v2.log";
	struct cell_verify v = {make, differs, detail, why, log1};
	struct cell_verify w = {make, same, NULL, NULL, log2};
	json_t *o;
	struct cell *back;

	f->c->status = CELL_OK;
	cell_set_verify(f->c, &v);
	v.form = wrapper;
	v.state = same;
	cell_set_verify(f->c, &v);
	/* a new verify of a form replaces the old one */
	cell_set_verify(f->c, &w);
	assert_int_equal(f->c->nverify, 2);
	o = result_cell_json(f->c);
	back = result_cell_from_json(o);
	assert_non_null(back);
	assert_int_equal(back->nverify, 2);
	assert_string_equal(back->verify[0].form, "make");
	assert_string_equal(back->verify[0].state, "identical");
	assert_null(back->verify[0].detail);
	assert_string_equal(back->verify[0].log, "/w/v2.log");
	assert_string_equal(back->verify[1].form, "wrapper");
	assert_string_equal(back->verify[1].cause, "a cause");
	cell_free(back);
	json_decref(o);
}

/* A rebuild of a cell --repeat found not reproducible differs because no build
 * gives its bytes: said so, instead of advice about where the flags go. */
static void
test_verify_explain_of_a_cell_not_reproducible(void **state)
{
	struct fixture *f = *state;
	char make[] = "make", differs[] = "differs", log[] = "/w/v.log";
	struct cell_verify v = {make, differs, NULL, NULL, log};
	char *err;

	f->c->reproducible = CELL_REPRO_NO;
	f->c->repro_detail = xstrdup("build 2 of 2 gave other bytes for 'src/prog'");
	tu_capture_begin(&f->t);
	verify_explain(f->c, &v);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, "warning: the make form does not rebuild the bytes ounce "
				"measured, as no build of 'gc+os' does: it is not reproducible "
				"(matrix --repeat: build 2 of 2 gave other bytes for 'src/prog')");
	assert_null(strstr(err, "wrapper"));
	free(err);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_verify_cause_a_later_flag_of_the_build),
		T(test_verify_cause_calls_the_flags_missed),
		T(test_verify_workdir_of_a_run),
		T(test_verify_recorded_in_results),
		T(test_verify_explain_of_a_cell_not_reproducible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
