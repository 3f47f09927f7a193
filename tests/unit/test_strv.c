/* test_strv.c: argv and environment vectors: splitting, shell-like words,
 * NAME=VALUE replacement, joining. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"

/* Assert that sv holds exactly the n strings of want, NULL-terminated. */
static void
assert_strv(const struct strv *sv, const char *const *want, size_t n)
{
	assert_int_equal(sv->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(sv->v[i], want[i]);
	}
	if (n) {
		assert_null(sv->v[n]);
	}
}

static void
test_strv_push_keeps_copies_and_null_terminates(void **state)
{
	struct strv sv = STRV_INIT;
	char word[] = "first";
	const char *const want[] = {"first", "second", "third"};

	(void)state;
	assert_non_null(strv_array(&sv));
	assert_null(strv_array(&sv)[0]);
	strv_push(&sv, word);
	word[0] = 'X';
	strv_push(&sv, "second");
	strv_push_owned(&sv, strdup("third"));
	assert_strv(&sv, want, 3);
	assert_ptr_equal(strv_array(&sv), sv.v);
	strv_release(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
}

static void
test_strv_grows_past_initial_capacity(void **state)
{
	struct strv sv = STRV_INIT;
	char name[16];

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		strv_push(&sv, name);
	}
	assert_int_equal(sv.n, 100);
	assert_string_equal(sv.v[0], "w0");
	assert_string_equal(sv.v[57], "w57");
	assert_string_equal(sv.v[99], "w99");
	assert_null(sv.v[100]);
	strv_release(&sv);
}

static void
test_strv_pushv_and_extend_append(void **state)
{
	struct strv a = STRV_INIT, b = STRV_INIT;
	const char *const want[] = {"x", "y", "z", "x", "y", "z"};

	(void)state;
	strv_push(&a, "x");
	strv_push(&a, "y");
	strv_push(&a, "z");
	strv_pushv(&b, strv_array(&a));
	strv_extend(&b, &a);
	strv_pushv(&b, NULL);
	assert_strv(&b, want, 6);
	/* copies, not shared pointers */
	assert_ptr_not_equal(a.v[0], b.v[0]);
	strv_release(&a);
	strv_release(&b);
}

static void
test_strv_split_on_blanks(void **state)
{
	struct strv sv = STRV_INIT;
	const char *const want[] = {"-Os", "-g", "-flto", "'a", "b'"};

	(void)state;
	strv_split(&sv, "  -Os\t-g \n -flto\r\n 'a b'  ");
	/* no quoting in flag lists */
	assert_strv(&sv, want, 5);
	strv_release(&sv);

	strv_split(&sv, "");
	strv_split(&sv, " \t \n");
	strv_split(&sv, NULL);
	assert_int_equal(sv.n, 0);
	strv_release(&sv);
}

static void
test_strv_split_list_commas_and_blanks(void **state)
{
	struct strv sv = STRV_INIT;
	const char *const want[] = {"a", "b", "c", "d"};
	const char *const more[] = {"a", "b", "c", "d", "e", "f"};

	(void)state;
	strv_split_list(&sv, "a,b c, d");
	assert_strv(&sv, want, 4);
	/* empty items are dropped, wherever they are; it appends */
	strv_split_list(&sv, ",, e,,\t,f , ,");
	assert_strv(&sv, more, 6);
	strv_release(&sv);

	strv_split_list(&sv, "");
	strv_split_list(&sv, " , ,\n");
	strv_split_list(&sv, NULL);
	assert_int_equal(sv.n, 0);
	strv_release(&sv);

	strv_split_list(&sv, "solo");
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "solo");
	strv_release(&sv);
}

static void
test_strv_split_words_quotes_and_backslashes(void **state)
{
	struct strv sv = STRV_INIT;
	const char *err = NULL;
	const char *const want[] = {
		"a", "b c", "d \"e\" \\f", "g h", "premidpost", "$HOME", "x\\y", "it's",
	};

	(void)state;
	assert_int_equal(strv_split_words(&sv,
					  "a 'b c'  \"d \\\"e\\\" \\\\f\"\tg\\ h "
					  "pre'mid'\"post\" '$HOME' \"x\\y\" it\\'s",
					  &err),
			 0);
	assert_null(err);
	assert_strv(&sv, want, 8);
	strv_release(&sv);
}

static void
test_strv_split_words_single_quotes_keep_backslashes(void **state)
{
	struct strv sv = STRV_INIT;
	const char *err = NULL;
	const char *const want[] = {"a\\nb", "c\\"};

	(void)state;
	/* inside '...' nothing is special; a trailing lone backslash stays */
	assert_int_equal(strv_split_words(&sv, "'a\\nb' c\\", &err), 0);
	assert_strv(&sv, want, 2);
	strv_release(&sv);
}

static void
test_strv_split_words_empty_quotes_make_a_word(void **state)
{
	struct strv sv = STRV_INIT;
	const char *err = NULL;
	const char *const want[] = {"x", "", "y", "", "z"};

	(void)state;
	assert_int_equal(strv_split_words(&sv, "x '' y \"\" z", &err), 0);
	assert_strv(&sv, want, 5);
	strv_release(&sv);

	assert_int_equal(strv_split_words(&sv, "   ", &err), 0);
	assert_int_equal(strv_split_words(&sv, "", &err), 0);
	assert_int_equal(sv.n, 0);
	strv_release(&sv);
}

static void
test_strv_split_words_unterminated_quote_is_an_error(void **state)
{
	struct strv sv = STRV_INIT;
	const char *err = NULL;

	(void)state;
	assert_int_equal(strv_split_words(&sv, "echo 'oops", &err), -1);
	assert_non_null(err);
	assert_string_equal(err, "unterminated single quote");
	strv_release(&sv);

	err = NULL;
	assert_int_equal(strv_split_words(&sv, "echo \"oops \\\"", &err), -1);
	assert_non_null(err);
	assert_string_equal(err, "unterminated double quote");
	strv_release(&sv);
}

static void
test_strv_setenv_replaces_in_place(void **state)
{
	struct strv env = STRV_INIT;

	(void)state;
	strv_setenv(&env, "A", "1");
	strv_setenv(&env, "AB", "2");
	strv_setenv(&env, "B", "x=y");
	strv_setenv(&env, "A", "3");
	assert_int_equal(env.n, 3);
	assert_string_equal(env.v[0], "A=3");
	assert_string_equal(env.v[1], "AB=2");
	assert_string_equal(env.v[2], "B=x=y");
	assert_null(env.v[3]);
	strv_setenv(&env, "AB", "");
	assert_int_equal(env.n, 3);
	assert_string_equal(env.v[1], "AB=");
	strv_release(&env);
}

static void
test_strv_getenv_matches_whole_names(void **state)
{
	struct strv env = STRV_INIT;

	(void)state;
	assert_null(strv_getenv(&env, "PATH"));
	strv_push(&env, "PATHX=/nope");
	strv_push(&env, "PATH=/usr/bin:/bin");
	strv_push(&env, "EMPTY=");
	strv_push(&env, "EQ=a=b");
	assert_string_equal(strv_getenv(&env, "PATH"), "/usr/bin:/bin");
	assert_string_equal(strv_getenv(&env, "PATHX"), "/nope");
	assert_string_equal(strv_getenv(&env, "EMPTY"), "");
	assert_string_equal(strv_getenv(&env, "EQ"), "a=b");
	assert_null(strv_getenv(&env, "PAT"));
	assert_null(strv_getenv(&env, "E"));
	assert_null(strv_getenv(&env, "HOME"));
	strv_release(&env);
}

static void
test_strv_join_with_separator(void **state)
{
	struct strv sv = STRV_INIT;
	char *s;

	(void)state;
	s = strv_join(&sv, ", ");
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	strv_push(&sv, "a");
	s = strv_join(&sv, ", ");
	assert_string_equal(s, "a");
	free(s);
	strv_push(&sv, "b c");
	strv_push(&sv, "");
	strv_push(&sv, "d");
	s = strv_join(&sv, ", ");
	assert_string_equal(s, "a, b c, , d");
	free(s);
	s = strv_join(&sv, "");
	assert_string_equal(s, "ab cd");
	free(s);
	strv_release(&sv);
}

static void
test_strv_has_compares_whole_strings(void **state)
{
	struct strv sv = STRV_INIT;

	(void)state;
	assert_false(strv_has(&sv, "security"));
	strv_push(&sv, "speed");
	strv_push(&sv, "security");
	assert_true(strv_has(&sv, "security"));
	assert_true(strv_has(&sv, "speed"));
	assert_false(strv_has(&sv, "secure"));
	assert_false(strv_has(&sv, "security2"));
	assert_false(strv_has(&sv, ""));
	strv_release(&sv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strv_push_keeps_copies_and_null_terminates),
		cmocka_unit_test(test_strv_grows_past_initial_capacity),
		cmocka_unit_test(test_strv_pushv_and_extend_append),
		cmocka_unit_test(test_strv_split_on_blanks),
		cmocka_unit_test(test_strv_split_list_commas_and_blanks),
		cmocka_unit_test(test_strv_split_words_quotes_and_backslashes),
		cmocka_unit_test(test_strv_split_words_single_quotes_keep_backslashes),
		cmocka_unit_test(test_strv_split_words_empty_quotes_make_a_word),
		cmocka_unit_test(test_strv_split_words_unterminated_quote_is_an_error),
		cmocka_unit_test(test_strv_setenv_replaces_in_place),
		cmocka_unit_test(test_strv_getenv_matches_whole_names),
		cmocka_unit_test(test_strv_join_with_separator),
		cmocka_unit_test(test_strv_has_compares_whole_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
