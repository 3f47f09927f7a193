/* test_explain.c: explain_fill on programs built by the real gcc (a baseline at
 * -O2, cells at -Os, the same again, stripped, missing, failed, with two
 * artifacts), and explain_line printing what it stored once the files are gone. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "os/fsutil.h"
#include "report/explain.h"
#include "report/result.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct results r;
	struct cell *base, *os, *same, *stripped, *missing, *failed, *two;
};

static const char prog_c[] =
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"static int v[4096];\n"
	"__attribute__((noinline)) long\n"
	"mix(int n)\n"
	"{\n"
	"\tlong s = 0;\n"
	"\tfor (int i = 0; i < n; i++) {\n"
	"\t\tv[i & 4095] = v[(i * 7) & 4095] * 3 + i;\n"
	"\t\ts += v[i & 4095] * (long)i;\n"
	"\t}\n"
	"\tfor (int i = 0; i < 4096; i++) {\n"
	"\t\ts += v[i] / (i + 1);\n"
	"\t}\n"
	"\treturn s;\n"
	"}\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\tprintf(\"%ld\\n\", mix(argc > 1 ? atoi(argv[1]) : 100000));\n"
	"\treturn 0;\n"
	"}\n";

/* A cell of build "default" whose artifact is DIR/file. */
static struct cell *
add_cell(struct fixture *f, const char *name, const char *file, enum cell_status status)
{
	struct cell *c = cell_new(name);

	c->build = xstrdup("default");
	c->status = status;
	c->artifact = xasprintf("%s/%s", f->t.dir, file);
	results_add_cell(&f->r, c);
	return c;
}

/* An artifact of c named name, at DIR/file, of bytes bytes. */
static void
add_art(struct fixture *f, struct cell *c, const char *name, const char *file, long long bytes)
{
	char *path = xasprintf("%s/%s", f->t.dir, file);
	struct artifact *a = cell_add_artifact(c, path, NULL);

	free(a->name);
	a->name = xstrdup(name);
	a->m.bytes = bytes;
	free(path);
}

/* The four programs, built once for every test (each test copies them: some
 * delete them). */
static struct tu_tmp built;
static const char *const programs[] = {"prog-O2", "prog-Os", "prog-O2-again", "prog-O2-stripped"};

#define BUILD(...) TU_RUN(built.dir, __VA_ARGS__)

static int
build_programs(void **state)
{
	(void)state;
	if (tu_mkdtemp(&built) < 0) {
		return -1;
	}
	free(tu_write_file(built.dir, "prog.c", prog_c));
	if (BUILD("gcc", "-O2", "-o", "prog-O2", "prog.c") < 0 ||
	    BUILD("gcc", "-Os", "-o", "prog-Os", "prog.c") < 0 ||
	    BUILD("gcc", "-O2", "-o", "prog-O2-again", "prog.c") < 0 ||
	    BUILD("gcc", "-O2", "-s", "-o", "prog-O2-stripped", "prog.c") < 0) {
		return -1;
	}
	return 0;
}

static int
remove_programs(void **state)
{
	(void)state;
	return tu_rmtree(&built);
}

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));

	*state = f;
	for (size_t i = 0; i < sizeof(programs) / sizeof(*programs); i++) {
		char *from = xasprintf("%s/%s", built.dir, programs[i]);
		char *to = xasprintf("%s/%s", f->t.dir, programs[i]);
		int rc = fs_copy_file(from, to);

		free(from);
		free(to);
		if (rc < 0) {
			return -1;
		}
	}
	f->base = add_cell(f, "baseline", "prog-O2", CELL_OK);
	f->os = add_cell(f, "os", "prog-Os", CELL_OK);
	f->same = add_cell(f, "same", "prog-O2-again", CELL_OK);
	f->stripped = add_cell(f, "stripped", "prog-O2-stripped", CELL_OK);
	f->missing = add_cell(f, "missing", "no-such-file", CELL_OK);
	f->failed = add_cell(f, "failed", "prog-Os", CELL_BUILD_FAILED);
	/* two artifacts: the one whose size changed most is compared */
	f->two = add_cell(f, "two", "prog-O2-again", CELL_OK);
	add_art(f, f->base, "bin/a", "prog-O2", 1000);
	add_art(f, f->base, "bin/b", "prog-O2", 1000);
	add_art(f, f->two, "bin/a", "prog-O2-again", 1000);
	add_art(f, f->two, "bin/b", "prog-Os", 900);
	results_set_baseline(&f->r, "default", "baseline");
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	results_release(&f->r);
	return tu_fixture_free(f);
}

static const struct explain_row *
find_row(const struct explain_row *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, name)) {
			return &v[i];
		}
	}
	return NULL;
}

static void
test_explain_fill_stores_the_top_changes(void **state)
{
	struct fixture *f = *state;
	const struct cell_explain *e = &f->os->explain;
	const struct explain_row *text;
	struct buf out = BUF_INIT;

	explain_fill(&f->r);
	/* every cell is done, explained or not */
	for (size_t i = 0; i < f->r.ncells; i++) {
		assert_true(f->r.cells[i]->explain.done);
	}
	assert_null(e->artifact);
	assert_true(e->nsections > 0 && e->nsections <= EXPLAIN_ROWS);
	assert_true(e->nsymbols > 0 && e->nsymbols <= EXPLAIN_ROWS);
	/* -Os against -O2: .text shrank, and it is among the largest changes */
	text = find_row(e->sections, e->nsections, ".text");
	assert_non_null(text);
	assert_true(text->new_bytes < text->old_bytes);
	/* largest change first */
	for (size_t i = 1; i < e->nsections; i++) {
		long long d0 = e->sections[i - 1].new_bytes - e->sections[i - 1].old_bytes;
		long long d1 = e->sections[i].new_bytes - e->sections[i].old_bytes;

		assert_true(llabs(d0) >= llabs(d1));
	}
	explain_line(f->os, 3, &out);
	if (strncmp(buf_str(&out), "    where: ", 11)) {
		fail_msg("expected '    where: ...', got '%s'", buf_str(&out));
	}
	tu_assert_contains(buf_str(&out), ".text -");
	tu_assert_contains(buf_str(&out), "; ");
	assert_null(strchr(buf_str(&out), '\n'));
	buf_release(&out);
	/* fewer on request */
	explain_line(f->os, 1, &out);
	assert_null(strstr(buf_str(&out), ", "));
	buf_release(&out);
}

static void
test_explain_fill_nothing_to_say(void **state)
{
	struct fixture *f = *state;
	const struct cell *none[] = {f->base, f->same, f->missing, f->failed};
	struct buf out = BUF_INIT;

	explain_fill(&f->r);
	/* the baseline itself, the same build again, an artifact not there, a failure */
	for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++) {
		assert_int_equal(none[i]->explain.nsections, 0);
		assert_int_equal(none[i]->explain.nsymbols, 0);
		explain_line(none[i], 3, &out);
		assert_int_equal(out.len, 0);
	}
	/* not computed (an older results.json): nothing either */
	cell_explain_release(&f->os->explain);
	explain_line(f->os, 3, &out);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

/* A stripped file has only its dynamic symbols: its sections changed, but its
 * symbols are not compared with the unstripped baseline's. */
static void
test_explain_fill_stripped_has_no_symbols(void **state)
{
	struct fixture *f = *state;
	const struct cell_explain *e = &f->stripped->explain;

	explain_fill(&f->r);
	assert_true(e->nsections > 0);
	assert_non_null(find_row(e->sections, e->nsections, ".symtab"));
	assert_int_equal(e->nsymbols, 0);
}

static void
test_explain_fill_names_the_artifact(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;

	explain_fill(&f->r);
	assert_string_equal(f->two->explain.artifact, "bin/b");
	explain_line(f->two, 3, &out);
	assert_int_equal(strncmp(buf_str(&out), "    where (bin/b): ", 19), 0);
	buf_release(&out);
}

/* A cell whose files are the same bytes as an earlier cell's says what that one
 * said, and one whose file is the baseline's bytes has nothing to say: neither is
 * read (their paths lead nowhere). */
static void
test_explain_fill_same_bytes_are_not_read_again(void **state)
{
	struct fixture *f = *state;
	struct cell *copy = add_cell(f, "copy", "no-such-os", CELL_OK);
	struct cell *noop = add_cell(f, "noop", "no-such-base", CELL_OK);
	struct buf a = BUF_INIT, b = BUF_INIT;

	memcpy(f->base->arts[0].hash, "h-base", 7);
	add_art(f, f->os, "bin/a", "prog-Os", 900);
	memcpy(f->os->arts[0].hash, "h-os", 5);
	add_art(f, copy, "bin/a", "no-such-os", 900);
	memcpy(copy->arts[0].hash, "h-os", 5);
	add_art(f, noop, "bin/a", "no-such-base", 1000);
	memcpy(noop->arts[0].hash, "h-base", 7);

	explain_fill(&f->r);
	assert_true(f->os->explain.nsections > 0);
	explain_line(f->os, 3, &a);
	explain_line(copy, 3, &b);
	assert_string_equal(buf_str(&b), buf_str(&a));
	assert_true(noop->explain.done);
	assert_int_equal(noop->explain.nsections + noop->explain.nsymbols, 0);
	buf_release(&a);
	buf_release(&b);
}

/* What explain_fill stored is printed the same once the files are gone. */
static void
test_explain_line_needs_no_file(void **state)
{
	struct fixture *f = *state;
	struct buf now = BUF_INIT, stored = BUF_INIT;
	char *path;

	assert_false(f->os->explain.done);
	explain_fill(&f->r);
	explain_line(f->os, 3, &now);
	path = xasprintf("%s/prog-Os", f->t.dir);
	assert_int_equal(unlink(path), 0);
	free(path);
	path = xasprintf("%s/prog-O2", f->t.dir);
	assert_int_equal(unlink(path), 0);
	free(path);
	explain_line(f->os, 3, &stored);
	assert_true(stored.len > 0);
	assert_string_equal(buf_str(&stored), buf_str(&now));
	/* filled again without the files: nothing left to say */
	explain_fill(&f->r);
	assert_true(f->os->explain.done);
	assert_int_equal(f->os->explain.nsections, 0);
	buf_release(&now);
	buf_release(&stored);
}

/* A build whose baseline is missing, or names no cell. */
static void
test_explain_fill_without_a_baseline_artifact(void **state)
{
	struct fixture *f = *state;

	results_set_baseline(&f->r, "default", "missing");
	explain_fill(&f->r);
	assert_true(f->os->explain.done);
	assert_int_equal(f->os->explain.nsections + f->os->explain.nsymbols, 0);
	results_set_baseline(&f->r, "default", "nobody");
	explain_fill(&f->r);
	assert_int_equal(f->os->explain.nsections + f->os->explain.nsymbols, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_explain_fill_stores_the_top_changes),
		T(test_explain_fill_nothing_to_say),
		T(test_explain_fill_stripped_has_no_symbols),
		T(test_explain_fill_names_the_artifact),
		T(test_explain_fill_same_bytes_are_not_read_again),
		T(test_explain_line_needs_no_file),
		T(test_explain_fill_without_a_baseline_artifact),
	};

	return cmocka_run_group_tests(tests, build_programs, remove_programs);
}
