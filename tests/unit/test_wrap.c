/* test_wrap.c: the compiler wrapper's classification and argv rewriting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "testutil.h"
#include "wrap/wrap.h"

/* A vector of the NULL-terminated list of words. */
static void
words(struct strv *sv, const char *const *list)
{
	for (; *list; list++) {
		strv_push(sv, *list);
	}
}

/* Classify the NULL-terminated list of arguments. */
static enum wrap_mode
classify(const char *const *list)
{
	struct strv sv = STRV_INIT;
	enum wrap_mode m;

	words(&sv, list);
	m = wrap_classify(strv_array(&sv), sv.n);
	strv_release(&sv);
	return m;
}

#define CLASSIFY(...) classify((const char *const[]){__VA_ARGS__, NULL})

static void
test_wrap_classify_info_calls(void **state)
{
	(void)state;
	assert_int_equal(CLASSIFY("--version"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-v"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-print-prog-name=ld"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-print-file-name=libc.so"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-dumpmachine"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-dumpversion"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-Os", "-Q", "--help=optimizers"), WRAP_INFO);
	assert_int_equal(wrap_classify(NULL, 0), WRAP_INFO);
}

static void
test_wrap_classify_option_values_are_not_inputs(void **state)
{
	(void)state;
	/* the value of -o, -x, -I, -MF ... is not an input file */
	assert_int_equal(CLASSIFY("-o", "foo"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-x", "c"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-I", "include", "-D", "X=1", "-MF", "deps.d"), WRAP_INFO);
	assert_int_equal(CLASSIFY("-Xlinker", "--verbose"), WRAP_INFO);
}

static void
test_wrap_classify_compile_steps(void **state)
{
	(void)state;
	assert_int_equal(CLASSIFY("-c", "foo.c", "-o", "foo.o"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-O2", "-Iinc", "-c", "foo.c"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("foo.c", "-c"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-S", "foo.c"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-E", "foo.c"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-E", "-dM", "-x", "c", "/dev/null"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-M", "foo.c"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-MM", "foo.c"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-x", "c", "-c", "-", "-o", "stdin.o"), WRAP_COMPILE);
}

static void
test_wrap_classify_relocatable_link_is_compile(void **state)
{
	(void)state;
	assert_int_equal(CLASSIFY("-r", "a.o", "b.o", "-o", "ab.o"), WRAP_COMPILE);
	assert_int_equal(CLASSIFY("-nostdlib", "-r", "a.o", "-o", "r.o"), WRAP_COMPILE);
}

static void
test_wrap_classify_links(void **state)
{
	(void)state;
	assert_int_equal(CLASSIFY("foo.o", "-o", "foo"), WRAP_LINK);
	assert_int_equal(CLASSIFY("foo.o", "bar.o"), WRAP_LINK);
	assert_int_equal(CLASSIFY("-O2", "foo.c", "-o", "foo"), WRAP_LINK);
	/* a library is an input of the link even without a file */
	assert_int_equal(CLASSIFY("-o", "x", "-lm"), WRAP_LINK);
	assert_int_equal(CLASSIFY("-o", "x", "-l", "m"), WRAP_LINK);
	assert_int_equal(CLASSIFY("-shared", "-fPIC", "a.o", "-o", "liba.so"), WRAP_LINK);
	/* stdin as the input */
	assert_int_equal(CLASSIFY("-x", "c", "-"), WRAP_LINK);
	assert_int_equal(CLASSIFY("-x", "c", "-", "-o", "a.out"), WRAP_LINK);
}

/* wrap_argv of args into a vector, with fixed flags. */
static void
rewrite(struct strv *out, const char *const *args)
{
	struct strv a = STRV_INIT, cflags = STRV_INIT, ldflags = STRV_INIT, libs = STRV_INIT;

	words(&a, args);
	strv_push(&cflags, "-Os");
	strv_push(&cflags, "-ffunction-sections");
	strv_push(&ldflags, "-Wl,--gc-sections");
	strv_push(&libs, "-ljemalloc");
	strv_push(&libs, "-lpthread");
	wrap_argv(out, "/usr/bin/gcc", strv_array(&a), a.n, &cflags, &ldflags, &libs);
	strv_release(&a);
	strv_release(&cflags);
	strv_release(&ldflags);
	strv_release(&libs);
}

static void
test_wrap_argv_compile_appends_cflags_after_user_args(void **state)
{
	struct strv out = STRV_INIT;
	const char *const args[] = {"-O2", "-c", "foo.c", "-o", "foo.o", NULL};
	const char *const want[] = {
		"/usr/bin/gcc", "-O2", "-c", "foo.c", "-o", "foo.o", "-Os", "-ffunction-sections",
		NULL,
	};

	(void)state;
	rewrite(&out, args);
	tu_assert_words(&out, want);
	strv_release(&out);
}

static void
test_wrap_argv_link_appends_cflags_ldflags_then_libs(void **state)
{
	struct strv out = STRV_INIT;
	const char *const args[] = {"foo.o", "-o", "foo", "-lm", NULL};
	const char *const want[] = {
		"/usr/bin/gcc", "foo.o", "-o", "foo", "-lm", "-Os", "-ffunction-sections",
		"-Wl,--gc-sections", "-ljemalloc", "-lpthread", NULL,
	};

	(void)state;
	rewrite(&out, args);
	tu_assert_words(&out, want);
	strv_release(&out);
}

/* The nopie profile's flags stay out of a shared library: its link (-shared)
 * and its objects (-fpic) keep position-independent code; an executable's
 * calls get them. */
static void
test_wrap_argv_position_dependent_flags_skip_shared_libraries(void **state)
{
	struct strv cflags = STRV_INIT, ldflags = STRV_INIT, libs = STRV_INIT, out = STRV_INIT;
	struct strv so_link = STRV_INIT, pic_cc = STRV_INIT, exe_link = STRV_INIT;
	const char *const so_args[] = {"-o", "libx.so", "x.o", "-shared", NULL};
	const char *const pic_args[] = {"-fpic", "-c", "x.c", "-o", "x.o", NULL};
	const char *const exe_args[] = {"-o", "prog", "main.o", NULL};
	const char *const want_so[] = {"gcc", "-o", "libx.so", "x.o", "-shared", "-Os", NULL};
	const char *const want_pic[] = {"gcc", "-fpic", "-c", "x.c", "-o", "x.o", "-Os", NULL};
	const char *const want_exe[] = {"gcc", "-o", "prog", "main.o", "-fno-pie", "-Os",
					"-no-pie", NULL};

	(void)state;
	words(&so_link, so_args);
	words(&pic_cc, pic_args);
	words(&exe_link, exe_args);
	strv_push(&cflags, "-fno-pie");
	strv_push(&cflags, "-Os");
	strv_push(&ldflags, "-no-pie");
	wrap_argv(&out, "gcc", strv_array(&so_link), so_link.n, &cflags, &ldflags, &libs);
	tu_assert_words(&out, want_so);
	strv_release(&out);
	wrap_argv(&out, "gcc", strv_array(&pic_cc), pic_cc.n, &cflags, &ldflags, &libs);
	tu_assert_words(&out, want_pic);
	strv_release(&out);
	wrap_argv(&out, "gcc", strv_array(&exe_link), exe_link.n, &cflags, &ldflags, &libs);
	tu_assert_words(&out, want_exe);
	strv_release(&out);
	strv_release(&so_link);
	strv_release(&pic_cc);
	strv_release(&exe_link);
	strv_release(&cflags);
	strv_release(&ldflags);
}

/* A specs file is given once: a profile's (nano's) in both the cflags and the
 * ldflags of a call that compiles and links, or one the build has already. */
static void
test_wrap_argv_specs_once(void **state)
{
	struct strv cflags = STRV_INIT, ldflags = STRV_INIT, libs = STRV_INIT, out = STRV_INIT;
	struct strv cl = STRV_INIT, own = STRV_INIT;
	const char *const cl_args[] = {"-o", "fw.elf", "main.c", NULL};
	const char *const own_args[] = {"--specs=nano.specs", "-c", "x.c", NULL};
	const char *const want_cl[] = {"gcc", "-o", "fw.elf", "main.c", "--specs=nano.specs", "-u",
				       "_printf_float", NULL};
	const char *const want_own[] = {"gcc", "--specs=nano.specs", "-c", "x.c", NULL};

	(void)state;
	words(&cl, cl_args);
	words(&own, own_args);
	strv_push(&cflags, "--specs=nano.specs");
	strv_push(&ldflags, "-specs=nano.specs");
	strv_push(&ldflags, "-u");
	strv_push(&ldflags, "_printf_float");
	wrap_argv(&out, "gcc", strv_array(&cl), cl.n, &cflags, &ldflags, &libs);
	tu_assert_words(&out, want_cl);
	strv_release(&out);
	wrap_argv(&out, "gcc", strv_array(&own), own.n, &cflags, &ldflags, &libs);
	tu_assert_words(&out, want_own);
	strv_release(&out);
	strv_release(&cl);
	strv_release(&own);
	strv_release(&cflags);
	strv_release(&ldflags);
}

static void
test_wrap_argv_info_calls_are_unchanged(void **state)
{
	struct strv out = STRV_INIT;
	const char *const args[] = {"-print-prog-name=ld", NULL};
	const char *const want[] = {"/usr/bin/gcc", "-print-prog-name=ld", NULL};
	const char *const none[] = {NULL};
	const char *const want_none[] = {"/usr/bin/gcc", NULL};

	(void)state;
	rewrite(&out, args);
	tu_assert_words(&out, want);
	strv_release(&out);
	rewrite(&out, none);
	tu_assert_words(&out, want_none);
	strv_release(&out);
}

static void
test_wrap_argv_with_empty_flag_lists(void **state)
{
	struct strv out = STRV_INIT, a = STRV_INIT, empty = STRV_INIT;
	const char *const args[] = {"main.c", "-o", "main", NULL};
	const char *const want[] = {"cc", "main.c", "-o", "main", NULL};

	(void)state;
	words(&a, args);
	wrap_argv(&out, "cc", strv_array(&a), a.n, &empty, &empty, &empty);
	tu_assert_words(&out, want);
	strv_release(&out);
	strv_release(&a);
}

static void
test_wrap_encode_decode_round_trip(void **state)
{
	struct strv flags = STRV_INIT, back = STRV_INIT;
	const char *const list[] = {"-Os", "-DGREETING=\"hello world\"", "-Wl,-z,norelro", "$X",
				    NULL};
	char *enc;

	(void)state;
	words(&flags, list);
	enc = wrap_encode(&flags);
	assert_string_equal(enc, "-Os\n-DGREETING=\"hello world\"\n-Wl,-z,norelro\n$X\n");
	wrap_decode(&back, enc);
	tu_assert_words(&back, list);
	free(enc);
	strv_release(&back);
	strv_release(&flags);
}

static void
test_wrap_encode_decode_empty(void **state)
{
	struct strv flags = STRV_INIT, back = STRV_INIT;
	char *enc;

	(void)state;
	enc = wrap_encode(&flags);
	assert_non_null(enc);
	assert_string_equal(enc, "");
	wrap_decode(&back, enc);
	wrap_decode(&back, NULL);
	assert_int_equal(back.n, 0);
	free(enc);
	strv_release(&back);
}

static void
test_wrap_encode_decode_any_byte(void **state)
{
	struct strv flags = STRV_INIT, back = STRV_INIT;
	/* a project path with a newline and a space (the file-prefix map), a
	 * backslash before an n, escapes that look encoded, empty flags */
	const char *const list[] = {"-ffile-prefix-map=/w/src=/tmp/a b\nc/p",
				    "", "-DX=\\n", "\\", "\n", "\\\\n\\", " ", "", "\t\x01",
				    NULL};
	char *enc;

	(void)state;
	words(&flags, list);
	enc = wrap_encode(&flags);
	wrap_decode(&back, enc);
	tu_assert_words(&back, list);
	assert_int_equal(back.n, flags.n);
	free(enc);

	/* decoding appends; one empty flag is not no flag */
	strv_release(&flags);
	strv_push(&flags, "");
	enc = wrap_encode(&flags);
	strv_release(&back);
	strv_push(&back, "-g0");
	wrap_decode(&back, enc);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0], "-g0");
	assert_string_equal(back.v[1], "");
	free(enc);
	strv_release(&back);
	strv_release(&flags);
}

/* wrap_map_flag of the NULL-terminated list of arguments; the caller frees it. */
static char *
map_flag(const char *const *list)
{
	struct strv sv = STRV_INIT;
	char *flag;

	words(&sv, list);
	flag = wrap_map_flag(strv_array(&sv), sv.n);
	strv_release(&sv);
	return flag;
}

#define MAP_FLAG(...) map_flag((const char *const[]){__VA_ARGS__, NULL})

/* Fail unless the flag is want (NULL: none), then free it. */
static void
check_map_flag(char *flag, const char *want)
{
	if (!want) {
		assert_null(flag);
		return;
	}
	assert_non_null(flag);
	assert_string_equal(flag, want);
	free(flag);
}

static void
test_wrap_map_flag_of_a_link(void **state)
{
	(void)state;
	check_map_flag(MAP_FLAG("-o", "prog", "main.o"), "-Wl,-Map,prog.map");
	check_map_flag(MAP_FLAG("main.o", "util.o", "-o", "prog", "-lm"), "-Wl,-Map,prog.map");
	check_map_flag(MAP_FLAG("-O2", "main.c", "-o", "out/bin/app"), "-Wl,-Map,out/bin/app.map");
	check_map_flag(MAP_FLAG("-shared", "-fPIC", "a.o", "-o", "libx.so"),
		       "-Wl,-Map,libx.so.map");
	/* the last -o wins, as for the compiler */
	check_map_flag(MAP_FLAG("-o", "first", "main.o", "-o", "second"), "-Wl,-Map,second.map");
}

static void
test_wrap_map_flag_none(void **state)
{
	(void)state;
	/* a compile, not a link */
	check_map_flag(MAP_FLAG("-c", "main.c", "-o", "main.o"), NULL);
	check_map_flag(MAP_FLAG("-r", "a.o", "b.o", "-o", "ab.o"), NULL);
	check_map_flag(MAP_FLAG("-E", "main.c", "-o", "main.i"), NULL);
	/* a link to a device: configure's tests */
	check_map_flag(MAP_FLAG("main.o", "-o", "/dev/null"), NULL);
	check_map_flag(MAP_FLAG("-x", "c", "-", "-o", "/dev/null"), NULL);
	/* a link without -o: a.out */
	check_map_flag(MAP_FLAG("main.o"), NULL);
	check_map_flag(MAP_FLAG("main.o", "-lm"), NULL);
	/* -o as the last word has no value */
	check_map_flag(MAP_FLAG("main.o", "-o"), NULL);
	/* an information call */
	check_map_flag(MAP_FLAG("--version"), NULL);
	check_map_flag(MAP_FLAG("-print-prog-name=ld", "-o", "x"), NULL);
	assert_null(wrap_map_flag(NULL, 0));
}

/* An output name with a comma gets no map flag: -Wl, would split it at the comma
 * and break a link that works without ounce. */
static void
test_wrap_map_flag_output_with_a_comma(void **state)
{
	char *flag = MAP_FLAG("main.o", "-o", "out,1");

	(void)state;
	if (flag) {
		assert_int_equal(strncmp(flag, "-Wl,-Map,", 9), 0);
		assert_null(strchr(flag + 9, ','));
	}
	free(flag);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_classify_info_calls),
		cmocka_unit_test(test_wrap_classify_option_values_are_not_inputs),
		cmocka_unit_test(test_wrap_classify_compile_steps),
		cmocka_unit_test(test_wrap_classify_relocatable_link_is_compile),
		cmocka_unit_test(test_wrap_classify_links),
		cmocka_unit_test(test_wrap_argv_compile_appends_cflags_after_user_args),
		cmocka_unit_test(test_wrap_argv_link_appends_cflags_ldflags_then_libs),
		cmocka_unit_test(test_wrap_argv_position_dependent_flags_skip_shared_libraries),
		cmocka_unit_test(test_wrap_argv_specs_once),
		cmocka_unit_test(test_wrap_argv_info_calls_are_unchanged),
		cmocka_unit_test(test_wrap_argv_with_empty_flag_lists),
		cmocka_unit_test(test_wrap_encode_decode_round_trip),
		cmocka_unit_test(test_wrap_encode_decode_empty),
		cmocka_unit_test(test_wrap_encode_decode_any_byte),
		cmocka_unit_test(test_wrap_map_flag_of_a_link),
		cmocka_unit_test(test_wrap_map_flag_none),
		cmocka_unit_test(test_wrap_map_flag_output_with_a_comma),
	};


	return cmocka_run_group_tests(tests, NULL, NULL);
}
