/* test_tmpl.c: command templates: words first, placeholders second. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/strv.h"
#include "base/tmpl.h"

static const struct tmpl_var vars[] = {
	{"jobs", "4"},
	{"cc", "gcc"},
	{"cxx", "g++"},
	{"artifact", "build/my prog"},
	{"empty", ""},
	{"none", NULL},
	{"quoted", "it's \"odd\" $HOME \\"},
};
#define NVARS ((int)(sizeof(vars) / sizeof(*vars)))

static void
assert_strv(const struct strv *sv, const char *const *want, size_t n)
{
	assert_int_equal(sv->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(sv->v[i], want[i]);
	}
}

/* Expand t into a fresh vector and check the words. */
static void
check(const char *t, const char *const *want, size_t n)
{
	struct strv out = STRV_INIT;
	char errbuf[128];
	const char *err = NULL;

	assert_int_equal(tmpl_expand(&out, t, vars, NVARS, errbuf, sizeof(errbuf), &err), 0);
	assert_null(err);
	assert_strv(&out, want, n);
	strv_release(&out);
}

static void
test_tmpl_placeholders_inside_words(void **state)
{
	const char *const want[] = {"make", "-j4", "CC=gcc", "CXX=g++"};
	const char *const want2[] = {"gcc-4-g++.o", "{jobs"};

	(void)state;
	check("make -j{jobs} CC={cc} CXX={cxx}", want, 4);
	check("{cc}-{jobs}-{cxx}.o {jobs", want2, 2);
}

static void
test_tmpl_value_with_spaces_stays_one_word(void **state)
{
	const char *const want[] = {"strip", "--strip-all", "build/my prog"};
	const char *const want2[] = {"cp", "build/my prog", "out/build/my prog.bak"};

	(void)state;
	check("strip --strip-all {artifact}", want, 3);
	check("cp {artifact} out/{artifact}.bak", want2, 3);
}

static void
test_tmpl_values_are_not_split_or_unquoted(void **state)
{
	const char *const want[] = {"echo", "it's \"odd\" $HOME \\", "x=it's \"odd\" $HOME \\"};

	(void)state;
	check("echo {quoted} x={quoted}", want, 3);
}

static void
test_tmpl_quoting_in_the_template(void **state)
{
	const char *const want[] = {"sh", "-c", "echo 4 and gcc", "a b", "{", "}"};
	const char *const want2[] = {"x", "gcc"};

	(void)state;
	check("sh -c 'echo {jobs} and {cc}' \"a b\" { }", want, 6);
	/* a quoted placeholder is still a placeholder: quotes only group words */
	check("x '{'cc'}'", want2, 2);
}

static void
test_tmpl_empty_and_null_values_keep_their_word(void **state)
{
	const char *const want[] = {"a", "", "", "-x"};

	(void)state;
	check("a {empty} {none} -x{none}", want, 4);
}

static void
test_tmpl_appends_to_out(void **state)
{
	struct strv out = STRV_INIT;
	char errbuf[64];
	const char *err = NULL;
	const char *const want[] = {"first", "make", "-j4"};

	(void)state;
	strv_push(&out, "first");
	assert_int_equal(tmpl_expand(&out, "make -j{jobs}", vars, NVARS, errbuf, sizeof(errbuf),
				     &err),
			 0);
	assert_strv(&out, want, 3);
	assert_int_equal(tmpl_expand(&out, "", vars, NVARS, errbuf, sizeof(errbuf), &err), 0);
	assert_int_equal(out.n, 3);
	strv_release(&out);
}

static void
test_tmpl_unknown_placeholder_is_an_error(void **state)
{
	struct strv out = STRV_INIT;
	char errbuf[128];
	const char *err = NULL;

	(void)state;
	assert_int_equal(tmpl_expand(&out, "make CC={cc} {ccx}", vars, NVARS, errbuf,
				     sizeof(errbuf), &err),
			 -1);
	assert_non_null(err);
	assert_string_equal(err, "unknown placeholder '{ccx}'");
	strv_release(&out);

	/* a name must match whole: {job} is not {jobs} */
	err = NULL;
	assert_int_equal(tmpl_expand(&out, "-j{job}", vars, NVARS, errbuf, sizeof(errbuf), &err),
			 -1);
	assert_string_equal(err, "unknown placeholder '{job}'");
	strv_release(&out);

	/* {} names nothing */
	err = NULL;
	assert_int_equal(tmpl_expand(&out, "x{}", vars, NVARS, errbuf, sizeof(errbuf), &err), -1);
	assert_string_equal(err, "unknown placeholder '{}'");
	strv_release(&out);

	/* no variables at all */
	err = NULL;
	assert_int_equal(tmpl_expand(&out, "{cc}", NULL, 0, errbuf, sizeof(errbuf), &err), -1);
	assert_string_equal(err, "unknown placeholder '{cc}'");
	strv_release(&out);
}

static void
test_tmpl_error_message_fits_errbuf(void **state)
{
	struct strv out = STRV_INIT;
	char errbuf[12];
	const char *err = NULL;

	(void)state;
	memset(errbuf, 'Z', sizeof(errbuf));
	assert_int_equal(tmpl_expand(&out, "{a_very_long_unknown_name}", vars, NVARS, errbuf,
				     sizeof(errbuf), &err),
			 -1);
	assert_ptr_equal(err, errbuf);
	assert_int_equal(strlen(errbuf), sizeof(errbuf) - 1);
	assert_string_equal(errbuf, "unknown pla");
	strv_release(&out);
}

static void
test_tmpl_bad_quoting_is_an_error(void **state)
{
	struct strv out = STRV_INIT;
	char errbuf[64];
	const char *err = NULL;

	(void)state;
	assert_int_equal(tmpl_expand(&out, "'make CC={cc}", vars, NVARS, errbuf, sizeof(errbuf),
				     &err),
			 -1);
	assert_non_null(err);
	assert_string_equal(err, "unterminated single quote");
	assert_int_equal(out.n, 0);
	strv_release(&out);

	err = NULL;
	assert_int_equal(tmpl_expand(&out, "\"{cc}", vars, NVARS, errbuf, sizeof(errbuf), &err),
			 -1);
	assert_string_equal(err, "unterminated double quote");
	assert_int_equal(out.n, 0);
}

static void
test_tmpl_bad_quoting_after_a_word_frees_it(void **state)
{
	struct strv out = STRV_INIT;
	char errbuf[64];
	const char *err = NULL;

	(void)state;
	assert_int_equal(tmpl_expand(&out, "make 'CC={cc}", vars, NVARS, errbuf, sizeof(errbuf),
				     &err),
			 -1);
	assert_string_equal(err, "unterminated single quote");
	assert_int_equal(out.n, 0);
	strv_release(&out);
}

static void
test_tmpl_check_by_kind(void **state)
{
	char errbuf[128];
	const char *err;

	(void)state;
	assert_int_equal(tmpl_check("muon-meson setup {args} {build}", TMPL_STEP, errbuf,
				    sizeof(errbuf), &err),
			 0);
	assert_null(err);
	assert_int_equal(tmpl_check("{cc} -o {stem} {source} -j{jobs} {name} {build_name} {src}",
				    TMPL_STEP, errbuf, sizeof(errbuf), &err),
			 0);
	assert_int_equal(tmpl_check("make DESTDIR={stage} install", TMPL_INSTALL, errbuf,
				    sizeof(errbuf), &err),
			 0);
	/* {stage} is the install step's alone; {args} the steps' */
	assert_int_equal(tmpl_check("make DESTDIR={stage}", TMPL_STEP, errbuf, sizeof(errbuf),
				    &err),
			 -1);
	assert_string_equal(err, "unknown placeholder '{stage}'");
	assert_int_equal(tmpl_check("{args}", TMPL_ARTIFACT, errbuf, sizeof(errbuf), &err), -1);
	assert_int_equal(tmpl_check("{artifact} {artifacts} --in {dir}", TMPL_SMOKE, errbuf,
				    sizeof(errbuf), &err),
			 0);
	assert_int_equal(tmpl_check("{src}/x", TMPL_SMOKE, errbuf, sizeof(errbuf), &err), -1);
	assert_string_equal(err, "unknown placeholder '{src}'");
	assert_int_equal(tmpl_check("{src}/autogen.sh", TMPL_PREPARE, errbuf, sizeof(errbuf), &err),
			 0);
	assert_int_equal(tmpl_check("{ounce} sstrip {artifact} {src}", TMPL_POST, errbuf,
				    sizeof(errbuf), &err),
			 0);
	assert_int_equal(tmpl_check("strip {file}", TMPL_POST, errbuf, sizeof(errbuf), &err), -1);
	assert_int_equal(tmpl_check("make \"all", TMPL_STEP, errbuf, sizeof(errbuf), &err), -1);
	assert_string_equal(err, "unterminated double quote");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpl_placeholders_inside_words),
		cmocka_unit_test(test_tmpl_value_with_spaces_stays_one_word),
		cmocka_unit_test(test_tmpl_values_are_not_split_or_unquoted),
		cmocka_unit_test(test_tmpl_quoting_in_the_template),
		cmocka_unit_test(test_tmpl_empty_and_null_values_keep_their_word),
		cmocka_unit_test(test_tmpl_appends_to_out),
		cmocka_unit_test(test_tmpl_unknown_placeholder_is_an_error),
		cmocka_unit_test(test_tmpl_error_message_fits_errbuf),
		cmocka_unit_test(test_tmpl_bad_quoting_is_an_error),
		cmocka_unit_test(test_tmpl_bad_quoting_after_a_word_frees_it),
		cmocka_unit_test(test_tmpl_check_by_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
