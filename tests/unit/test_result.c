/* test_result.c: cells, rows and results.json written and read back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "config/profile.h"
#include "os/fsutil.h"
#include "report/result.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct results r, back;
	struct profile_set set;
};

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));

	f->r = (struct results)RESULTS_INIT;
	f->back = (struct results)RESULTS_INIT;
	f->set = (struct profile_set)PROFILE_SET_INIT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	results_release(&f->r);
	results_release(&f->back);
	profile_set_release(&f->set);
	return tu_fixture_free(f);
}

/* A run of three cells (one failed), four rows and two profiles. */
static void
fill(struct fixture *f)
{
	struct results *r = &f->r;
	struct profile *p;
	struct cell *c;

	r->version = xstrdup("9.9.9");
	r->project = xstrdup("demo");
	r->project_dir = xstrdup("/home/u/demo");
	r->recipe = xstrdup("make");
	r->toolchain = xstrdup("gcc");
	r->baseline = xstrdup("baseline");
	r->metric = xstrdup("xz");

	c = cell_new("baseline");
	c->status = CELL_OK;
	c->log = xstrdup("/w/cells/baseline/log");
	c->artifact = xstrdup("/w/cells/baseline/src/prog");
	c->m.bytes = 16000;
	c->m.stripped_bytes = 14000;
	c->m.gz_bytes = 6000;
	c->m.xz_bytes = 5500;
	c->m.flash = 9000;
	c->m.ram = 700;
	tu_add_section(c, ".text", 5000);
	tu_add_section(c, ".data", 200);
	tu_add_section(c, ".bss", 500);
	c->smoke = SMOKE_PASS;
	c->peak_rss_kb = 1234;
	c->build_seconds = 2.5;
	c->settings.toolchain = xstrdup("gcc");
	c->settings.cc = xstrdup("gcc");
	c->settings.cxx = xstrdup("g++");
	results_add_cell(r, c);

	c = cell_new("os+strip");
	strv_push(&c->profiles, "os");
	strv_push(&c->profiles, "strip");
	c->status = CELL_OK;
	c->m.bytes = 9000;
	c->m.stripped_bytes = 9000;
	c->m.gz_bytes = 4000;
	c->m.xz_bytes = 3800;
	c->m.flash = 8000;
	c->m.ram = 700;
	tu_add_section(c, ".text", 4000);
	c->smoke = SMOKE_FAIL;
	c->build_seconds = 3.25;
	c->settings.toolchain = xstrdup("clang");
	c->settings.cc = xstrdup("clang");
	c->settings.cxx = xstrdup("clang++");
	strv_push(&c->settings.f.cflags, "-Oz");
	strv_push(&c->settings.f.cflags, "-DNAME=\"a b\"");
	strv_push(&c->settings.f.ldflags, "-Wl,--gc-sections");
	strv_push(&c->settings.f.libs, "-lm");
	strv_setenv(&c->settings.f.env, "MALLOC_ARENA_MAX", "2");
	strv_setenv(&c->settings.f.env, "NOTE", "x = y z");
	strv_push(&c->settings.f.post, "strip --strip-all {artifact}");
	strv_push(&c->settings.f.build_args, "V=1");
	results_add_cell(r, c);

	c = cell_new("lto");
	strv_push(&c->profiles, "lto");
	c->status = CELL_BUILD_FAILED;
	c->reason = xstrdup("exit status 2");
	c->log = xstrdup("/w/cells/lto/log");
	/* a failed cell's stale numbers are not written */
	c->m.bytes = 123;
	tu_add_section(c, ".text", 100);
	c->build_seconds = 0.75;
	results_add_cell(r, c);

	results_add_row(r, "baseline", "baseline", "baseline", NULL);
	results_add_row(r, "lto", "each", "+ lto", "failed: left out below");
	results_add_row(r, "os+strip", "cumulative", "+ os + strip", NULL);
	results_add_row(r, "baseline", "cumulative", "baseline", NULL);

	p = profile_define(&f->set, "os", "os.ini", false);
	assert_null(profile_set_key(&f->set, p, NULL, "summary", "optimise for size"));
	assert_null(profile_set_key(&f->set, p, NULL, "tradeoff", "speed"));
	assert_null(profile_set_key(&f->set, p, NULL, "tradeoff_note", "slower"));
	results_add_profile(r, p);
	p = profile_define(&f->set, "strip", "strip.ini", false);
	assert_null(profile_set_key(&f->set, p, NULL, "summary", "strip it"));
	assert_null(profile_set_key(&f->set, p, NULL, "stage", "post-link"));
	results_add_profile(r, p);
}

static void
test_result_cell_basics(void **state)
{
	struct fixture *f = *state;
	struct cell *c = cell_new("x");
	struct profile *p;
	const struct result_profile *rp;

	assert_string_equal(c->name, "x");
	assert_int_equal(c->status, CELL_PENDING);
	assert_int_equal(c->m.bytes, -1);
	assert_int_equal(c->m.xz_bytes, -1);
	assert_int_equal(c->peak_rss_kb, -1);
	assert_int_equal(c->smoke, SMOKE_NONE);
	c->m.bytes = 100;
	assert_int_equal(cell_metric(c, "file"), -1);
	c->status = CELL_SMOKE_FAILED;
	assert_int_equal(cell_metric(c, "file"), 100);
	c->status = CELL_OK;
	assert_int_equal(cell_metric(c, "file"), 100);
	assert_int_equal(cell_metric(c, "xz"), -1);
	assert_int_equal(cell_metric(c, "bogus"), -1);
	c->status = CELL_TIMEOUT;
	assert_int_equal(cell_metric(c, "file"), -1);
	cell_free(c);
	cell_free(NULL);

	assert_true(metric_valid("file"));
	assert_true(metric_valid("stripped"));
	assert_true(metric_valid("xz"));
	assert_true(metric_valid("gz"));
	assert_true(metric_valid("flash"));
	assert_true(metric_valid("ram"));
	assert_false(metric_valid("bytes"));
	assert_false(metric_valid(""));

	assert_string_equal(cell_status_name(CELL_OK), "ok");
	assert_string_equal(cell_status_name(CELL_CONFIGURE_FAILED), "configure-failed");
	assert_string_equal(cell_status_name(CELL_BUILD_FAILED), "build-failed");
	assert_string_equal(cell_status_name(CELL_SMOKE_FAILED), "smoke-failed");
	assert_string_equal(cell_status_name(CELL_TIMEOUT), "timeout");
	assert_string_equal(cell_status_name(CELL_INTERRUPTED), "interrupted");

	p = profile_define(&f->set, "nossp", "nossp.ini", false);
	assert_null(profile_set_key(&f->set, p, NULL, "tradeoff", "security"));
	assert_null(profile_set_key(&f->set, p, NULL, "stage", "link"));
	results_add_profile(&f->r, p);
	rp = results_profile(&f->r, "nossp");
	assert_non_null(rp);
	assert_string_equal(rp->name, "nossp");
	assert_string_equal(rp->summary, "");
	assert_string_equal(rp->stage, "link");
	assert_string_equal(rp->tradeoff, "security");
	assert_null(rp->tradeoff_note);
	assert_null(results_profile(&f->r, "os"));
}

static void
test_result_to_json_fields(void **state)
{
	struct fixture *f = *state;
	char *s;
	json_error_t jerr;
	json_t *o, *cells, *c, *set;

	fill(f);
	s = results_to_json(&f->r);
	assert_non_null(s);
	assert_int_equal(s[strlen(s) - 1], '\n');
	o = json_loads(s, 0, &jerr);
	free(s);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "tool")), "ounce");
	assert_string_equal(json_string_value(json_object_get(o, "version")), "9.9.9");
	assert_string_equal(json_string_value(json_object_get(o, "baseline")), "baseline");
	cells = json_object_get(o, "cells");
	assert_int_equal(json_array_size(cells), 3);
	c = json_array_get(cells, 0);
	assert_int_equal(json_integer_value(json_object_get(c, "bytes")), 16000);
	set = json_object_get(c, "sections");
	assert_int_equal(json_integer_value(json_object_get(set, ".bss")), 500);
	assert_string_equal(json_string_value(json_object_get(c, "smoke")), "pass");
	c = json_array_get(cells, 1);
	set = json_object_get(c, "settings");
	assert_string_equal(json_string_value(json_object_get(json_object_get(set, "env"), "NOTE")),
			    "x = y z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(set, "cflags"), 1)),
			    "-DNAME=\"a b\"");
	c = json_array_get(cells, 2);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "build-failed");
	assert_true(json_is_null(json_object_get(c, "bytes")));
	assert_true(json_is_null(json_object_get(c, "flash")));
	assert_int_equal(json_object_size(json_object_get(c, "sections")), 0);
	assert_true(json_is_null(json_object_get(c, "peak_rss_kb")));
	assert_int_equal(json_array_size(json_object_get(o, "rows")), 4);
	assert_int_equal(json_array_size(json_object_get(o, "profiles")), 2);
	json_decref(o);
}

static void
test_result_save_load_round_trip(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir);
	const struct results *b = &f->back;
	const struct cell *c;

	fill(f);
	assert_int_equal(results_save(&f->r, path), 0);
	assert_int_equal(results_load(&f->back, path), 0);

	assert_string_equal(b->version, "9.9.9");
	assert_string_equal(b->project, "demo");
	assert_string_equal(b->project_dir, "/home/u/demo");
	assert_string_equal(b->recipe, "make");
	assert_string_equal(b->toolchain, "gcc");
	assert_string_equal(b->baseline, "baseline");
	assert_string_equal(b->metric, "xz");
	assert_int_equal(b->ncells, 3);

	c = results_find(b, "baseline");
	assert_non_null(c);
	assert_ptr_equal(c, b->cells[0]);
	assert_int_equal(c->status, CELL_OK);
	assert_int_equal(c->profiles.n, 0);
	assert_null(c->reason);
	assert_string_equal(c->log, "/w/cells/baseline/log");
	assert_string_equal(c->artifact, "/w/cells/baseline/src/prog");
	assert_int_equal(c->m.bytes, 16000);
	assert_int_equal(c->m.stripped_bytes, 14000);
	assert_int_equal(c->m.gz_bytes, 6000);
	assert_int_equal(c->m.xz_bytes, 5500);
	assert_int_equal(c->m.flash, 9000);
	assert_int_equal(c->m.ram, 700);
	assert_int_equal(c->m.nsections, 3);
	assert_string_equal(c->m.sections[0].name, ".text");
	assert_string_equal(c->m.sections[1].name, ".data");
	assert_string_equal(c->m.sections[2].name, ".bss");
	assert_int_equal(measure_section(&c->m, ".text"), 5000);
	assert_int_equal(measure_section(&c->m, ".bss"), 500);
	assert_int_equal(c->smoke, SMOKE_PASS);
	assert_int_equal(c->peak_rss_kb, 1234);
	assert_true(c->build_seconds > 2.49 && c->build_seconds < 2.51);
	assert_string_equal(c->settings.toolchain, "gcc");
	assert_string_equal(c->settings.cxx, "g++");
	assert_int_equal(c->settings.f.cflags.n, 0);

	c = results_find(b, "os+strip");
	assert_non_null(c);
	TU_WORDS(&c->profiles, "os", "strip");
	assert_int_equal(c->smoke, SMOKE_FAIL);
	assert_int_equal(c->peak_rss_kb, -1);
	assert_null(c->log);
	assert_string_equal(c->settings.cc, "clang");
	TU_WORDS(&c->settings.f.cflags, "-Oz", "-DNAME=\"a b\"");
	TU_WORDS(&c->settings.f.ldflags, "-Wl,--gc-sections");
	TU_WORDS(&c->settings.f.libs, "-lm");
	TU_WORDS(&c->settings.f.env, "MALLOC_ARENA_MAX=2", "NOTE=x = y z");
	TU_WORDS(&c->settings.f.post, "strip --strip-all {artifact}");
	TU_WORDS(&c->settings.f.build_args, "V=1");
	assert_int_equal(cell_metric(c, "xz"), 3800);

	c = results_find(b, "lto");
	assert_non_null(c);
	assert_int_equal(c->status, CELL_BUILD_FAILED);
	assert_string_equal(c->reason, "exit status 2");
	assert_int_equal(c->m.bytes, -1);
	assert_int_equal(c->m.nsections, 0);
	assert_int_equal(c->smoke, SMOKE_NONE);
	assert_true(c->build_seconds > 0.74 && c->build_seconds < 0.76);

	assert_int_equal(b->nrows, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(b->rows[i].cell, f->r.rows[i].cell);
		assert_string_equal(b->rows[i].group, f->r.rows[i].group);
		assert_string_equal(b->rows[i].label, f->r.rows[i].label);
		if (f->r.rows[i].note) {
			assert_string_equal(b->rows[i].note, f->r.rows[i].note);
		} else {
			assert_null(b->rows[i].note);
		}
	}

	assert_int_equal(b->nprofiles, 2);
	assert_string_equal(results_profile(b, "os")->summary, "optimise for size");
	assert_string_equal(results_profile(b, "os")->tradeoff, "speed");
	assert_string_equal(results_profile(b, "os")->tradeoff_note, "slower");
	assert_string_equal(results_profile(b, "os")->stage, "compile");
	assert_string_equal(results_profile(b, "strip")->stage, "post-link");
	assert_null(results_profile(b, "strip")->tradeoff_note);
	free(path);
}

static void
test_result_save_twice_gives_the_same_file(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir);
	char *again = xasprintf("%s/again.json", f->t.dir);
	char *one, *two;

	fill(f);
	assert_int_equal(results_save(&f->r, path), 0);
	assert_int_equal(results_load(&f->back, path), 0);
	assert_int_equal(results_save(&f->back, again), 0);
	one = tu_read_file(path);
	two = tu_read_file(again);
	assert_string_equal(one, two);
	free(one);
	free(two);
	free(again);
	free(path);
}

static void
test_result_load_without_rows_makes_one_per_cell(void **state)
{
	struct fixture *f = *state;
	char *path = tu_write_file(f->t.dir, "norows.json",
				   "{\"tool\": \"ounce\", \"baseline\": \"base\", \"cells\": ["
				   "{\"name\": \"base\", \"status\": \"ok\", \"bytes\": 100},"
				   "{\"name\": \"os\", \"status\": \"ok\", \"bytes\": 90,"
				   " \"profiles\": [\"os\"]}]}\n");

	assert_int_equal(results_load(&f->back, path), 0);
	assert_int_equal(f->back.ncells, 2);
	assert_int_equal(f->back.nrows, 2);
	assert_string_equal(f->back.rows[0].cell, "base");
	assert_string_equal(f->back.rows[0].group, "baseline");
	assert_string_equal(f->back.rows[0].label, "baseline");
	assert_string_equal(f->back.rows[1].cell, "os");
	assert_string_equal(f->back.rows[1].group, "each");
	assert_string_equal(f->back.rows[1].label, "os");
	assert_int_equal(cell_metric(f->back.cells[1], "file"), 90);
	assert_int_equal(cell_metric(f->back.cells[1], "xz"), -1);
	free(path);
}

/* results_load of path must fail with want in the message. */
static void
load_fails(struct fixture *f, const char *path, const char *want)
{
	struct results r = RESULTS_INIT;
	char *err;

	tu_capture_begin(&f->t);
	assert_int_equal(results_load(&r, path), -1);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, want);
	results_release(&r);
	free(err);
}

/* results_load of text must fail with want in the message. */
static void
check_refused(struct fixture *f, const char *text, const char *want)
{
	char *path = tu_write_file(f->t.dir, "bad.json", text);

	load_fails(f, path, want);
	free(path);
}

static void
test_result_load_errors(void **state)
{
	struct fixture *f = *state;
	char *missing = xasprintf("%s/missing.json", f->t.dir);

	check_refused(f, "{\"tool\": \"ounce\", \"cells\": [\n", "bad.json:2: error: invalid JSON");
	check_refused(f, "", "error: invalid JSON");
	check_refused(f, "{\"cells\": []}\n", "not an ounce results file");
	check_refused(f, "{\"tool\": \"other\", \"cells\": []}\n", "not an ounce results file");
	check_refused(f, "[1, 2]\n", "not an ounce results file");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\"}\n", "no 'cells' array");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"x\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\"}]}\n",
		      "'baseline' names no cell");
	check_refused(f, "{\"tool\": \"ounce\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\"}]}",
		      "'baseline' names no cell");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"fine\"}]}\n",
		      "no known 'status'");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"pending\"}]}\n",
		      "no known 'status'");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"status\": \"ok\"}]}\n",
		      "a cell has no 'name'");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\", \"profiles\": \"os\"}]}\n",
		      "profiles");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\", \"settings\": []}]}\n",
		      "'settings' is not an object");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\"}], \"rows\": "
			 "[{\"cell\": \"zz\", \"group\": \"each\", \"label\": \"zz\"}]}\n",
		      "a row names no known cell");

	load_fails(f, missing, "no such file");
	free(missing);
}

static void
test_result_save_into_a_missing_directory_fails(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/no/such/dir/results.json", f->t.dir);
	char *err;

	fill(f);
	tu_capture_begin(&f->t);
	assert_int_equal(results_save(&f->r, path), -1);
	err = tu_capture_end(&f->t);
	assert_true(strlen(err) > 0);
	assert_false(fs_exists(path));
	free(err);
	free(path);
}

/* Add an ok cell called name of build (NULL: none) to r. */
static struct cell *
add_built(struct results *r, const char *name, const char *build, long long bytes)
{
	struct cell *c = cell_new(name);

	c->build = build ? xstrdup(build) : NULL;
	c->status = CELL_OK;
	c->m.bytes = bytes;
	results_add_cell(r, c);
	return c;
}

static void
test_result_baseline_of_a_build(void **state)
{
	struct fixture *f = *state;
	struct results *r = &f->r;
	struct cell *rel, *dev, *devos, *none, *odd;

	/* nothing recorded: no baseline at all */
	none = add_built(r, "lonely", NULL, 1);
	assert_null(results_baseline_of(r, none));
	assert_null(results_baseline_of(r, NULL));

	rel = add_built(r, "baseline", "release", 1000);
	dev = add_built(r, "dev:baseline", "dev", 3000);
	devos = add_built(r, "dev:os", "dev", 2500);
	odd = add_built(r, "bench:os", "bench", 900);
	r->baseline = xstrdup("baseline");
	results_set_baseline(r, "release", "baseline");
	results_set_baseline(r, "dev", "dev:baseline");
	TU_WORDS(&r->baselines, "release=baseline", "dev=dev:baseline");

	assert_ptr_equal(results_baseline_of(r, devos), dev);
	assert_ptr_equal(results_baseline_of(r, dev), dev);
	assert_ptr_equal(results_baseline_of(r, rel), rel);
	/* a cell without a build, or of a build without a baseline, gets the run's */
	assert_ptr_equal(results_baseline_of(r, none), rel);
	assert_ptr_equal(results_baseline_of(r, odd), rel);
	assert_ptr_equal(results_baseline_of(r, NULL), rel);

	/* setting a build's baseline again replaces it */
	results_set_baseline(r, "dev", "dev:os");
	assert_int_equal(r->baselines.n, 2);
	assert_ptr_equal(results_baseline_of(r, dev), devos);
	/* a recorded name that is no cell finds nothing */
	results_set_baseline(r, "bench", "bench:baseline");
	assert_null(results_baseline_of(r, odd));
}

static void
test_result_bench_round_trip(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir);
	struct cell *c;
	const struct cell *b;
	char *text;

	fill(f);
	c = results_find(&f->r, "baseline");
	cell_bench_add(&c->bench, 0.5, 0.25);
	cell_bench_add(&c->bench, 0.75, 0.5);
	c->bench.rss_kb = 1500;
	c->bench.instructions = 12005795;
	c = results_find(&f->r, "lto");
	c->bench.error = xstrdup("not benchmarked: its artifact 'x' is gone (/w/x)");
	f->r.bench_command = xstrdup("{artifact} --bench");
	f->r.bench_repeat = 2;
	f->r.bench_count = xstrdup("instructions");
	f->r.bench_counter = xstrdup("callgrind");
	f->r.slowdown_limit = true;
	f->r.max_slowdown = 5;
	f->r.max_rss_kb = 65536;
	assert_int_equal(results_save(&f->r, path), 0);
	text = tu_read_file(path);
	tu_assert_contains(text, "\"instructions\": 12005795");
	tu_assert_contains(text, "\"command\": \"{artifact} --bench\"");
	free(text);

	assert_int_equal(results_load(&f->back, path), 0);
	b = results_find(&f->back, "baseline");
	assert_int_equal(b->bench.n, 2);
	assert_true(b->bench.wall[1] == 0.75 && b->bench.cpu[0] == 0.25);
	assert_int_equal(b->bench.rss_kb, 1500);
	assert_int_equal(b->bench.instructions, 12005795);
	assert_null(b->bench.error);
	b = results_find(&f->back, "lto");
	assert_int_equal(b->bench.n, 0);
	assert_string_equal(b->bench.error, "not benchmarked: its artifact 'x' is gone (/w/x)");
	/* a cell the run did not benchmark has no bench, and no count */
	b = results_find(&f->back, "os+strip");
	assert_int_equal(b->bench.n, 0);
	assert_int_equal(b->bench.instructions, -1);
	assert_string_equal(f->back.bench_command, "{artifact} --bench");
	assert_int_equal(f->back.bench_repeat, 2);
	assert_string_equal(f->back.bench_count, "instructions");
	assert_string_equal(f->back.bench_counter, "callgrind");
	assert_true(f->back.slowdown_limit && f->back.max_slowdown == 5);
	assert_int_equal(f->back.max_rss_kb, 65536);
	free(path);
}

static void
test_result_builds_and_new_settings_round_trip(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir);
	struct cell *c;
	const struct cell *b;
	char *text;

	fill(f);
	add_built(&f->r, "dev:baseline", "dev", 30000);
	c = add_built(&f->r, "dev:os", "dev", 20000);
	strv_push(&c->profiles, "os");
	c->settings.toolchain = xstrdup("cargo");
	strv_push(&c->settings.f.configure_args, "-DUSE_FOO=OFF");
	strv_push(&c->settings.f.configure_args, "-DNAME=a b");
	strv_push(&c->settings.f.rustflags, "-C");
	strv_push(&c->settings.f.rustflags, "target-cpu=native");
	strv_push(&c->settings.f.env, "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z");
	f->r.cells[0]->build = xstrdup("release");
	results_set_baseline(&f->r, "release", "baseline");
	results_set_baseline(&f->r, "dev", "dev:baseline");
	assert_int_equal(results_save(&f->r, path), 0);

	text = tu_read_file(path);
	tu_assert_contains(text, "\"baselines\": {");
	tu_assert_contains(text, "\"dev\": \"dev:baseline\"");
	free(text);

	assert_int_equal(results_load(&f->back, path), 0);
	TU_WORDS(&f->back.baselines, "release=baseline", "dev=dev:baseline");
	assert_string_equal(f->back.baseline, "baseline");
	b = results_find(&f->back, "baseline");
	assert_non_null(b);
	assert_string_equal(b->build, "release");
	/* a cell written without a build reads back without one */
	assert_null(results_find(&f->back, "lto")->build);
	b = results_find(&f->back, "dev:os");
	assert_non_null(b);
	assert_string_equal(b->build, "dev");
	assert_string_equal(b->settings.toolchain, "cargo");
	TU_WORDS(&b->settings.f.configure_args, "-DUSE_FOO=OFF", "-DNAME=a b");
	TU_WORDS(&b->settings.f.rustflags, "-C", "target-cpu=native");
	TU_WORDS(&b->settings.f.env, "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z");
	assert_ptr_equal(results_baseline_of(&f->back, b), results_find(&f->back, "dev:baseline"));
	assert_ptr_equal(results_baseline_of(&f->back, results_find(&f->back, "lto")),
			 results_find(&f->back, "baseline"));
	free(path);
}

static void
test_result_load_without_baselines(void **state)
{
	struct fixture *f = *state;
	char *path = tu_write_file(f->t.dir, "old.json",
				   "{\"tool\": \"ounce\", \"baseline\": \"base\", \"cells\": ["
				   "{\"name\": \"base\", \"status\": \"ok\", \"bytes\": 100},"
				   "{\"name\": \"dev:os\", \"build\": \"dev\", \"status\": \"ok\","
				   " \"bytes\": 90}]}\n");
	const struct cell *c;

	/* a results.json from before builds: no baselines, no build fields */
	assert_int_equal(results_load(&f->back, path), 0);
	assert_int_equal(f->back.baselines.n, 0);
	assert_null(f->back.cells[0]->build);
	c = results_find(&f->back, "dev:os");
	assert_string_equal(c->build, "dev");
	assert_ptr_equal(results_baseline_of(&f->back, c), f->back.cells[0]);
	free(path);
}

/* results_progress_json: a run still going, as --resume reads it: not complete,
 * the cell being built and those not started recorded as interrupted (the former
 * by its name alone), the others as they are, builds counted from the cells */
static void
test_result_progress_json(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir), *js;
	struct cell *running[1], *c;

	fill(f);
	f->r.complete = true;
	f->r.cells[0]->built = true;
	/* os+strip is being built: its fields are its thread's */
	running[0] = f->r.cells[1];
	free(running[0]->reason);
	running[0]->reason = xstrdup("half written");
	/* lto is queued */
	f->r.cells[2]->status = CELL_PENDING;
	js = results_progress_json(&f->r, running, 1);
	assert_int_equal(fs_write_atomic(path, js, strlen(js)), 0);
	free(js);
	assert_int_equal(results_load(&f->back, path), 0);
	assert_false(f->back.complete);
	assert_int_equal(f->back.ncells, 3);
	assert_int_equal(f->back.nrows, 4);
	assert_int_equal(f->back.builds_run, 1);
	c = results_find(&f->back, "baseline");
	assert_int_equal(c->status, CELL_OK);
	assert_int_equal(c->m.bytes, 16000);
	c = results_find(&f->back, "os+strip");
	assert_int_equal(c->status, CELL_INTERRUPTED);
	assert_string_equal(c->reason, "not built: the run was interrupted");
	assert_int_equal(c->profiles.n, 0);
	c = results_find(&f->back, "lto");
	assert_int_equal(c->status, CELL_INTERRUPTED);
	assert_int_equal(c->profiles.n, 1);
	/* the run's own cells are untouched */
	assert_int_equal(f->r.cells[2]->status, CELL_PENDING);
	assert_true(f->r.complete);
	free(path);
}

/* A cell's "explain" (what --explain prints) is written only once computed, and
 * read back as written; a file without it (an older ounce's) loads, not done. */
static void
test_result_explain_round_trip(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir);
	struct cell *c;
	const struct cell_explain *e;
	json_t *o;

	fill(f);
	/* before explain_fill: no key, as in an older results.json */
	o = result_cell_json(f->r.cells[1]);
	assert_null(json_object_get(o, "explain"));
	json_decref(o);
	assert_int_equal(results_save(&f->r, path), 0);
	assert_int_equal(results_load(&f->back, path), 0);
	for (size_t i = 0; i < f->back.ncells; i++) {
		assert_false(f->back.cells[i]->explain.done);
	}
	results_release(&f->back);

	f->r.cells[0]->explain.done = true;
	c = f->r.cells[1];
	c->explain.done = true;
	c->explain.artifact = xstrdup("src/prog");
	cell_explain_add(&c->explain, false, ".text", 5000, 4000, DIFF_SHRUNK);
	cell_explain_add(&c->explain, false, ".bss", 500, 0, DIFF_REMOVED);
	cell_explain_add(&c->explain, true, "operator\"new\"", 0, 96, DIFF_ADDED);
	cell_explain_add(&c->explain, true, "main", 300, 310, DIFF_GROWN);
	assert_int_equal(results_save(&f->r, path), 0);
	assert_int_equal(results_load(&f->back, path), 0);

	e = &results_find(&f->back, "baseline")->explain;
	assert_true(e->done);
	assert_null(e->artifact);
	assert_int_equal(e->nsections + e->nsymbols, 0);
	assert_false(results_find(&f->back, "lto")->explain.done);
	e = &results_find(&f->back, "os+strip")->explain;
	assert_true(e->done);
	assert_string_equal(e->artifact, "src/prog");
	assert_int_equal(e->nsections, 2);
	assert_string_equal(e->sections[0].name, ".text");
	assert_int_equal(e->sections[0].old_bytes, 5000);
	assert_int_equal(e->sections[0].new_bytes, 4000);
	assert_int_equal(e->sections[0].change, DIFF_SHRUNK);
	assert_int_equal(e->sections[1].change, DIFF_REMOVED);
	assert_int_equal(e->nsymbols, 2);
	assert_string_equal(e->symbols[0].name, "operator\"new\"");
	assert_int_equal(e->symbols[0].change, DIFF_ADDED);
	assert_string_equal(e->symbols[1].name, "main");
	assert_int_equal(e->symbols[1].old_bytes, 300);
	assert_int_equal(e->symbols[1].new_bytes, 310);
	assert_int_equal(e->symbols[1].change, DIFF_GROWN);

	/* written back, the same file */
	{
		char *path2 = xasprintf("%s/again.json", f->t.dir);
		char *a, *b;

		assert_int_equal(results_save(&f->back, path2), 0);
		a = tu_read_file(path);
		b = tu_read_file(path2);
		assert_string_equal(a, b);
		free(a);
		free(b);
		free(path2);
	}
	/* released, it is not done */
	cell_explain_release(&c->explain);
	assert_false(c->explain.done);
	assert_null(c->explain.sections);
	free(path);
}

/* A malformed "explain" is refused like any other field. */
static void
test_result_explain_malformed(void **state)
{
	struct fixture *f = *state;

	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\", \"explain\": []}]}\n",
		      "'explain' is not an object");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\", \"explain\": "
			 "{\"sections\": {}, \"symbols\": []}}]}\n",
		      "no 'sections' or 'symbols' array");
	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\", \"explain\": "
			 "{\"sections\": [{\"name\": \".text\"}], \"symbols\": []}}]}\n",
		      "has no 'name' or bytes");
}

/* --repeat's answers: "repeat" at the top, "reproducible" (and its detail) on the
 * cells it compared, nothing on the others; written, read back, written the same. */
static void
test_result_reproducible_round_trip(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir);
	char *again = xasprintf("%s/again.json", f->t.dir);
	char *one, *two;
	const struct cell *c;
	json_t *o;

	fill(f);
	f->r.repeat = 2;
	f->r.cells[0]->reproducible = CELL_REPRO_YES;
	f->r.cells[1]->reproducible = CELL_REPRO_NO;
	f->r.cells[1]->repro_detail = xstrdup("build 2 of 2 gave other bytes for 'prog' "
					      "(kept: /w/cells/os+strip~2/src/prog)");
	assert_int_equal(results_save(&f->r, path), 0);

	one = tu_read_file(path);
	o = json_loads(one, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "repeat")), 2);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(o, "cells"), 0),
						 "reproducible")));
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(o, "cells"), 1),
						  "reproducible")));
	/* the failed cell was not repeated: no answer, not false */
	assert_null(json_object_get(json_array_get(json_object_get(o, "cells"), 2),
				    "reproducible"));
	assert_null(json_object_get(json_array_get(json_object_get(o, "cells"), 0),
				    "reproducible_detail"));
	json_decref(o);

	assert_int_equal(results_load(&f->back, path), 0);
	assert_int_equal(f->back.repeat, 2);
	c = results_find(&f->back, "baseline");
	assert_int_equal(c->reproducible, CELL_REPRO_YES);
	assert_null(c->repro_detail);
	c = results_find(&f->back, "os+strip");
	assert_int_equal(c->reproducible, CELL_REPRO_NO);
	assert_string_equal(c->repro_detail, "build 2 of 2 gave other bytes for 'prog' "
					     "(kept: /w/cells/os+strip~2/src/prog)");
	assert_int_equal(results_find(&f->back, "lto")->reproducible, CELL_REPRO_UNKNOWN);
	assert_int_equal(results_save(&f->back, again), 0);
	two = tu_read_file(again);
	assert_string_equal(one, two);
	free(one);
	free(two);
	free(again);
	free(path);
}

/* A run without --repeat, or a file an older ounce wrote, has neither field and
 * loads with every cell unknown; a "reproducible" that is not true or false is
 * refused. */
static void
test_result_reproducible_absent_and_malformed(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/results.json", f->t.dir);
	char *text;

	fill(f);
	assert_int_equal(results_save(&f->r, path), 0);
	text = tu_read_file(path);
	assert_null(strstr(text, "\"repeat\""));
	assert_null(strstr(text, "reproducible"));
	free(text);
	assert_int_equal(results_load(&f->back, path), 0);
	assert_int_equal(f->back.repeat, 0);
	for (size_t i = 0; i < f->back.ncells; i++) {
		assert_int_equal(f->back.cells[i]->reproducible, CELL_REPRO_UNKNOWN);
	}
	free(path);

	check_refused(f, "{\"tool\": \"ounce\", \"baseline\": \"b\", \"cells\": "
			 "[{\"name\": \"b\", \"status\": \"ok\", \"reproducible\": \"yes\"}]}\n",
		      "'reproducible' is not true or false");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_result_cell_basics),
		T(test_result_to_json_fields),
		T(test_result_save_load_round_trip),
		T(test_result_save_twice_gives_the_same_file),
		T(test_result_load_without_rows_makes_one_per_cell),
		T(test_result_load_errors),
		T(test_result_save_into_a_missing_directory_fails),
		T(test_result_baseline_of_a_build),
		T(test_result_builds_and_new_settings_round_trip),
		T(test_result_load_without_baselines),
		T(test_result_progress_json),
		T(test_result_explain_round_trip),
		T(test_result_explain_malformed),
		T(test_result_reproducible_round_trip),
		T(test_result_reproducible_absent_and_malformed),
		T(test_result_bench_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
