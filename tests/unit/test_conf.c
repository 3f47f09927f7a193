/* test_conf.c: INI files through inih: every key reaches the handler, and the
 * first error is reported as FILE:LINE: error: MESSAGE. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "config/conf.h"
#include "testutil.h"

/* The handler of the tests: records "section/key=value", and refuses the key
 * "bad" and, when fail_on is set, the value fail_on. */
struct record {
	struct strv calls;
	const char *fail_on;
};

static const char *
record_handler(void *ctx, const char *section, const char *key, const char *value)
{
	struct record *r = ctx;

	strv_push_owned(&r->calls, xasprintf("%s/%s=%s", section, key, value));
	if (!strcmp(key, "bad")) {
		return "no bad keys here";
	}
	if (r->fail_on && !strcmp(value, r->fail_on)) {
		return "refused value";
	}
	return NULL;
}

/* conf_parse of path must fail with "PATH:LINE: error: MSG" (no ":LINE" when line
 * is 0): the whole of its stderr when exact, else somewhere in it. Returns that
 * stderr; the caller frees it. */
static char *
parse_fails(struct tu_tmp *t, struct record *r, const char *path, int line, const char *msg,
	    bool exact)
{
	char *err, *want;

	tu_capture_begin(t);
	assert_int_equal(conf_parse(path, record_handler, r), -1);
	err = tu_capture_end(t);
	want = line ? xasprintf("%s:%d: error: %s", path, line, msg)
		    : xasprintf("%s: error: %s", path, msg);
	if (exact) {
		assert_string_equal(err, want);
	} else {
		assert_non_null(strstr(err, want));
	}
	free(want);
	return err;
}

static void
test_conf_values_reach_the_handler(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = tu_write_file(t->dir, "a.ini",
				   "; a comment\n"
				   "# another comment\n"
				   "[first]\n"
				   "x = 1\n"
				   "y=two words  \n"
				   "\n"
				   "[second section]\n"
				   "  z   =   3 ; inline comment\n"
				   "empty =\n"
				   "url = a;b\n");
	const char *const want[] = {
		"first/x=1", "first/y=two words", "second section/z=3", "second section/empty=",
		"second section/url=a;b", NULL,
	};

	assert_int_equal(conf_parse(path, record_handler, &r), 0);
	tu_assert_words(&r.calls, want);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_repeated_keys_and_continuation_lines(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = tu_write_file(t->dir, "b.ini",
				   "[s]\n"
				   "cflags = -Os\n"
				   "cflags = -g0\n"
				   "ldflags = -Wl,--gc-sections\n"
				   "   -Wl,-O1\n");
	const char *const want[] = {
		"s/cflags=-Os", "s/cflags=-g0", "s/ldflags=-Wl,--gc-sections", "s/ldflags=-Wl,-O1",
		NULL,
	};

	assert_int_equal(conf_parse(path, record_handler, &r), 0);
	tu_assert_words(&r.calls, want);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_keys_before_any_section(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = tu_write_file(t->dir, "c.ini", "top = 1\n[s]\nk = v\n");
	const char *const want[] = {"/top=1", "s/k=v", NULL};

	assert_int_equal(conf_parse(path, record_handler, &r), 0);
	tu_assert_words(&r.calls, want);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_handler_error_is_reported_at_its_line(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = tu_write_file(t->dir, "d.ini", "[s]\nok = 1\n\nbad = 2\nbad = 3\n");

	free(parse_fails(t, &r, path, 4, "no bad keys here\n", true));
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_handler_error_on_a_continuation_line(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, "nope"};
	char *path = tu_write_file(t->dir, "e.ini", "[s]\nk = fine\n  nope\n");

	free(parse_fails(t, &r, path, 3, "refused value\n", true));
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_syntax_error_returns_minus_one(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = tu_write_file(t->dir, "f.ini", "[s]\nk = v\nthis line has no equals sign\n");

	free(parse_fails(t, &r, path, 3,
			 "syntax error: expected '[section]' or 'key = value'\n", true));
	strv_release(&r.calls);
	free(path);

	path = tu_write_file(t->dir, "g.ini", "[unclosed\nk = v\n");
	free(parse_fails(t, &r, path, 1, "syntax error", false));
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_first_error_wins(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = tu_write_file(t->dir, "h.ini", "[s]\ngarbage\nbad = 1\n");
	char *err = parse_fails(t, &r, path, 2, "syntax error", false);

	assert_null(strstr(err, "no bad keys"));
	free(err);
	strv_release(&r.calls);
	free(path);

	path = tu_write_file(t->dir, "i.ini", "[s]\nbad = 1\ngarbage\n");
	free(parse_fails(t, &r, path, 2, "no bad keys here\n", true));
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_line_longer_than_the_limit_returns_minus_one(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	struct buf text = BUF_INIT;
	char *path;

	/* a line of 198 characters is the longest inih reads whole */
	buf_adds(&text, "[s]\nk = ");
	for (size_t i = strlen("k = "); i < 198; i++) {
		buf_addc(&text, 'a' + (char)(i % 26));
	}
	buf_addc(&text, '\n');
	path = tu_write_file(t->dir, "ok.ini", buf_str(&text));
	assert_int_equal(conf_parse(path, record_handler, &r), 0);
	assert_int_equal(r.calls.n, 1);
	assert_int_equal(strlen(r.calls.v[0]), strlen("s/k=") + 198 - strlen("k = "));
	strv_release(&r.calls);
	free(path);

	/* one more character and it is refused, not split */
	buf_reset(&text);
	buf_adds(&text, "[s]\nfirst = 1\nk = ");
	for (size_t i = strlen("k = "); i < 199; i++) {
		buf_addc(&text, 'x');
	}
	buf_adds(&text, "\nlast = 2\n");
	path = tu_write_file(t->dir, "long.ini", buf_str(&text));
	free(parse_fails(t, &r, path, 3, "line longer than 198 characters", false));
	/* refused before any key was handled */
	assert_int_equal(r.calls.n, 0);
	free(path);
	buf_release(&text);
	strv_release(&r.calls);
}

static void
test_conf_missing_file_returns_minus_one(void **state)
{
	struct tu_tmp *t = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = xasprintf("%s/does-not-exist.ini", t->dir);

	free(parse_fails(t, &r, path, 0, "cannot open", false));
	assert_int_equal(r.calls.n, 0);
	free(path);
}

static void
test_conf_bool_words(void **state)
{
	static const char *const yes[] = {"yes", "YES", "Yes", "true", "TRUE", "1", "on", "On"};
	static const char *const no[] = {"no", "NO", "false", "False", "0", "off", "OFF"};
	static const char *const neither[] = {"", "maybe", "2", "yes ", "y", "enable", "01"};
	bool v;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		v = false;
		assert_true(conf_bool(yes[i], &v));
		assert_true(v);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
		v = true;
		assert_true(conf_bool(no[i], &v));
		assert_false(v);
	}
	for (size_t i = 0; i < sizeof(neither) / sizeof(*neither); i++) {
		v = true;
		assert_false(conf_bool(neither[i], &v));
		/* untouched */
		assert_true(v);
	}
}

static void
test_conf_names_and_labels(void **state)
{
	(void)state;
	assert_true(conf_name_valid("gc-2_x"));
	assert_false(conf_name_valid(""));
	assert_false(conf_name_valid(".."));
	assert_false(conf_name_valid("a/b"));
	assert_false(conf_name_valid("Big"));
	assert_null(conf_label_invalid("my project 2.0"));
	assert_string_equal(conf_label_invalid(""), "is empty");
	assert_string_equal(conf_label_invalid(".."), "starts with '.'");
	assert_string_equal(conf_label_invalid(".hidden"), "starts with '.'");
	assert_string_equal(conf_label_invalid("a/../../b"), "has a '/'");
	assert_string_equal(conf_label_invalid("a\nb"), "has a control character");
	assert_string_equal(conf_label_invalid("a\x7f"), "has a control character");
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_conf_values_reach_the_handler),
		T(test_conf_repeated_keys_and_continuation_lines),
		T(test_conf_keys_before_any_section),
		T(test_conf_handler_error_is_reported_at_its_line),
		T(test_conf_handler_error_on_a_continuation_line),
		T(test_conf_syntax_error_returns_minus_one),
		T(test_conf_first_error_wins),
		T(test_conf_line_longer_than_the_limit_returns_minus_one),
		T(test_conf_missing_file_returns_minus_one),
		cmocka_unit_test(test_conf_bool_words),
		cmocka_unit_test(test_conf_names_and_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
