/* testutil.c: the helpers of testutil.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "report/result.h"
#include "testutil.h"

int
tu_mkdtemp(struct tu_tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "%s", "/tmp/ounce-test-XXXXXX");
	t->saved_stderr = -1;
	return mkdtemp(t->dir) ? 0 : -1;
}

/* Put the real stderr back. */
static void
restore_stderr(struct tu_tmp *t)
{
	fflush(stderr);
	dup2(t->saved_stderr, 2);
	close(t->saved_stderr);
	t->saved_stderr = -1;
}

int
tu_rmtree(struct tu_tmp *t)
{
	if (t->saved_stderr >= 0) {
		restore_stderr(t);
	}
	return fs_remove_tree(t->dir);
}

void *
tu_fixture_new(size_t size)
{
	struct tu_tmp *t = xcalloc(1, size < sizeof(*t) ? sizeof(*t) : size);

	if (tu_mkdtemp(t) < 0) {
		fail_msg("cannot make %s: %s", t->dir, strerror(errno));
	}
	return t;
}

int
tu_fixture_free(void *fixture)
{
	int rc = tu_rmtree(fixture);

	free(fixture);
	return rc;
}

int
tu_setup_tmpdir(void **state)
{
	*state = tu_fixture_new(sizeof(struct tu_tmp));
	return 0;
}

int
tu_teardown_tmpdir(void **state)
{
	return tu_fixture_free(*state);
}

char *
tu_write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	FILE *fp;

	*slash = '\0';
	assert_int_equal(fs_mkdirs(path), 0);
	*slash = '/';
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	return path;
}

char *
tu_read_file(const char *path)
{
	struct buf b = BUF_INIT;

	assert_int_equal(fs_read_file(path, &b), 0);
	return buf_detach(&b);
}

void
tu_capture_begin(struct tu_tmp *t)
{
	char *path = xasprintf("%s/stderr.txt", t->dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	free(path);
	assert_true(fd >= 0);
	fflush(stderr);
	t->saved_stderr = dup(2);
	assert_true(t->saved_stderr >= 0);
	assert_true(dup2(fd, 2) >= 0);
	close(fd);
}

char *
tu_capture_end(struct tu_tmp *t)
{
	char *path = xasprintf("%s/stderr.txt", t->dir);
	char *text;

	restore_stderr(t);
	text = tu_read_file(path);
	free(path);
	return text;
}

char *
tu_source_path(const char *name)
{
	const char *root = getenv("OUNCE_SOURCE_ROOT");

	assert_non_null(root);
	return xasprintf("%s/%s", root, name);
}

int
tu_run(const char *dir, const char *const *argv, struct buf *out, double timeout)
{
	struct strv av = STRV_INIT;
	struct spawn_opts o;
	struct spawn_result res;
	char *log = dir ? xasprintf("%s/run.log", dir) : NULL;
	int rc;

	for (; *argv; argv++) {
		strv_push(&av, *argv);
	}
	memset(&o, 0, sizeof(o));
	o.argv = strv_array(&av);
	o.cwd = dir;
	o.out = out;
	o.log_path = log;
	o.timeout = timeout;
	rc = spawn_run(&o, &res);
	if (rc < 0 || res.end != SPAWN_EXITED || res.status != 0) {
		struct buf l = BUF_INIT;

		if (log && fs_exists(log)) {
			fs_read_file(log, &l);
		}
		print_error("%s: %s; log:\n%s\n", av.v[0], spawn_describe(&res, timeout),
			    buf_str(&l));
		buf_release(&l);
		rc = -1;
	}
	strv_release(&av);
	free(log);
	return rc;
}

void
tu_assert_words(const struct strv *sv, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++) {
		assert_non_null(sv->v);
		assert_true(n < sv->n);
		assert_string_equal(sv->v[n], want[n]);
	}
	assert_int_equal(sv->n, n);
	if (n) {
		assert_null(sv->v[n]);
	}
}

void
tu_assert_contains(const char *s, const char *want)
{
	if (!strstr(s, want)) {
		fail_msg("expected '%s' in '%s'", want, s);
	}
}

void
tu_add_section(struct cell *c, const char *name, unsigned long long bytes)
{
	c->m.sections = xreallocarray(c->m.sections, c->m.nsections + 1, sizeof(*c->m.sections));
	c->m.sections[c->m.nsections].name = xstrdup(name);
	c->m.sections[c->m.nsections].bytes = bytes;
	c->m.nsections++;
}
