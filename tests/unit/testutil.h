/* testutil.h: what the unit tests share: a temporary directory as cmocka setup
 * and teardown, files written and read there, stderr captured, programs run, and
 * string vectors compared. Compiled into every test executable. */
#ifndef OUNCE_TESTUTIL_H
#define OUNCE_TESTUTIL_H

#include <stddef.h>

struct buf;
struct cell;
struct strv;

/* A temporary directory, and the real stderr while a capture is on. */
struct tu_tmp {
	char dir[64];
	int saved_stderr;	/* -1 unless stderr is captured */
};

/* Make a new directory /tmp/ounce-test-XXXXXX in t->dir; returns 0 or -1. */
int tu_mkdtemp(struct tu_tmp *t);
/* End a capture left on, then remove t's directory and everything below it;
 * returns 0 or -1. */
int tu_rmtree(struct tu_tmp *t);
/* A zeroed fixture of size bytes whose first member is a struct tu_tmp, with its
 * directory made (the test fails when it cannot be). */
void *tu_fixture_new(size_t size);
/* tu_rmtree of a fixture of tu_fixture_new, then free it; returns 0 or -1. */
int tu_fixture_free(void *fixture);
/* cmocka setup: *state becomes a struct tu_tmp with a new directory. */
int tu_setup_tmpdir(void **state);
/* cmocka teardown for tu_setup_tmpdir. */
int tu_teardown_tmpdir(void **state);

/* Write text to DIR/name (the directories in name are made) and return the path;
 * the caller frees it. */
char *tu_write_file(const char *dir, const char *name, const char *text);
/* The whole file at path; the caller frees it. */
char *tu_read_file(const char *path);
/* Send stderr to DIR/stderr.txt until tu_capture_end. */
void tu_capture_begin(struct tu_tmp *t);
/* Restore stderr and return what was written to it; the caller frees it. */
char *tu_capture_end(struct tu_tmp *t);

/* $OUNCE_SOURCE_ROOT/name, in the source tree; the caller frees it. */
char *tu_source_path(const char *name);

/* Run the NULL-terminated argv in dir (NULL: here, with no log; else stderr goes
 * to DIR/run.log), its stdout captured in out (NULL: discarded). Returns 0 when
 * it exits 0, else -1 after printing how it ended and the log. */
int tu_run(const char *dir, const char *const *argv, struct buf *out, double timeout);
/* tu_run of the words given, in dir, with a 120 s timeout and no output kept:
 * TU_RUN(dir, "gcc", "-o", "prog", "prog.c"). */
#define TU_RUN(dir, ...) tu_run((dir), (const char *const[]){__VA_ARGS__, NULL}, NULL, 120)

/* Fail unless sv holds exactly the NULL-terminated list want. */
void tu_assert_words(const struct strv *sv, const char *const *want);
#define TU_WORDS(sv, ...) tu_assert_words((sv), (const char *const[]){__VA_ARGS__, NULL})
/* Fail unless want occurs in s. */
void tu_assert_contains(const char *s, const char *want);

/* Append section name of bytes to c's measure. */
void tu_add_section(struct cell *c, const char *name, unsigned long long bytes);

#endif
