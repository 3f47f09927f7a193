/* test_conf.c: INI files through inih: every key reaches the handler, and the
 * first error is reported as FILE:LINE: error: MESSAGE. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "fsutil.h"
#include "mem.h"
#include "strv.h"

struct fixture {
	char dir[64];
	int saved_stderr;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f) {
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "%s", "/tmp/ounce-test-conf-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->saved_stderr = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = fs_remove_tree(f->dir);

	free(f);
	return rc;
}

/* Write text to DIR/name and return the path (the caller frees it). */
static char *
write_file(const struct fixture *f, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", f->dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Send stderr to DIR/stderr.txt until capture_end. */
static void
capture_begin(struct fixture *f)
{
	char *path = xasprintf("%s/stderr.txt", f->dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	free(path);
	assert_true(fd >= 0);
	fflush(stderr);
	f->saved_stderr = dup(2);
	assert_true(f->saved_stderr >= 0);
	assert_true(dup2(fd, 2) >= 0);
	close(fd);
}

/* Restore stderr and return what was written to it (the caller frees it). */
static char *
capture_end(struct fixture *f)
{
	char *path = xasprintf("%s/stderr.txt", f->dir);
	struct buf b = BUF_INIT;

	fflush(stderr);
	dup2(f->saved_stderr, 2);
	close(f->saved_stderr);
	f->saved_stderr = -1;
	assert_int_equal(fs_read_file(path, &b), 0);
	free(path);
	return buf_detach(&b);
}

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

static void
assert_calls(const struct record *r, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++) {
		assert_true(n < r->calls.n);
		assert_string_equal(r->calls.v[n], want[n]);
	}
	assert_int_equal(r->calls.n, n);
}

static void
test_conf_values_reach_the_handler(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = write_file(f, "a.ini",
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
	assert_calls(&r, want);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_repeated_keys_and_continuation_lines(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = write_file(f, "b.ini",
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
	assert_calls(&r, want);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_keys_before_any_section(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = write_file(f, "c.ini", "top = 1\n[s]\nk = v\n");
	const char *const want[] = {"/top=1", "s/k=v", NULL};

	assert_int_equal(conf_parse(path, record_handler, &r), 0);
	assert_calls(&r, want);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_handler_error_is_reported_at_its_line(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = write_file(f, "d.ini", "[s]\nok = 1\n\nbad = 2\nbad = 3\n");
	char *err, *want;

	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s:4: error: no bad keys here\n", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_handler_error_on_a_continuation_line(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, "nope"};
	char *path = write_file(f, "e.ini", "[s]\nk = fine\n  nope\n");
	char *err, *want;

	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s:3: error: refused value\n", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_syntax_error_returns_minus_one(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = write_file(f, "f.ini", "[s]\nk = v\nthis line has no equals sign\n");
	char *err, *want;

	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s:3: error: syntax error: expected '[section]' or 'key = value'\n",
			 path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	strv_release(&r.calls);
	free(path);

	path = write_file(f, "g.ini", "[unclosed\nk = v\n");
	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s:1: error: syntax error", path);
	assert_non_null(strstr(err, want));
	free(want);
	free(err);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_first_error_wins(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = write_file(f, "h.ini", "[s]\ngarbage\nbad = 1\n");
	char *err, *want;

	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s:2: error: syntax error", path);
	assert_non_null(strstr(err, want));
	assert_null(strstr(err, "no bad keys"));
	free(want);
	free(err);
	strv_release(&r.calls);
	free(path);

	path = write_file(f, "i.ini", "[s]\nbad = 1\ngarbage\n");
	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s:2: error: no bad keys here\n", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	strv_release(&r.calls);
	free(path);
}

static void
test_conf_line_longer_than_the_limit_returns_minus_one(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	struct buf text = BUF_INIT;
	char *path, *err, *want;

	/* a line of 198 characters is the longest inih reads whole */
	buf_adds(&text, "[s]\nk = ");
	for (size_t i = strlen("k = "); i < 198; i++) {
		buf_addc(&text, 'a' + (char)(i % 26));
	}
	buf_addc(&text, '\n');
	path = write_file(f, "ok.ini", buf_str(&text));
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
	path = write_file(f, "long.ini", buf_str(&text));
	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s:3: error: line longer than 198 characters", path);
	assert_non_null(strstr(err, want));
	/* refused before any key was handled */
	assert_int_equal(r.calls.n, 0);
	free(want);
	free(err);
	free(path);
	buf_release(&text);
	strv_release(&r.calls);
}

static void
test_conf_missing_file_returns_minus_one(void **state)
{
	struct fixture *f = *state;
	struct record r = {STRV_INIT, NULL};
	char *path = xasprintf("%s/does-not-exist.ini", f->dir);
	char *err, *want;

	capture_begin(f);
	assert_int_equal(conf_parse(path, record_handler, &r), -1);
	err = capture_end(f);
	want = xasprintf("%s: error: cannot open", path);
	assert_non_null(strstr(err, want));
	assert_int_equal(r.calls.n, 0);
	free(want);
	free(err);
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
