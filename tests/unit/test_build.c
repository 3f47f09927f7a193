/* test_build.c: one cell's steps and how their ends become its result: a
 * configure that fails, a step that times out, is killed or is cancelled, a
 * command that cannot start; and the options each step is started with. The
 * steps are answered by fakespawn.h's script, not run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/mem.h"
#include "base/strv.h"
#include "matrix/build.h"
#include "os/fsutil.h"
#include "report/result.h"
#include "fakespawn.h"
#include "testutil.h"

static int
setup(void **state)
{
	*state = fake_tree_new();
	return 0;
}

static int
teardown(void **state)
{
	return fake_tree_free(*state);
}

/* build_cell of the baseline of f's run; returns the cell, the caller frees it. */
static struct cell *
build_baseline(struct fake_tree *f)
{
	struct cell *c = cell_new("baseline");

	assert_int_equal(build_cell(&f->run, c, NULL, 0, NULL, 0, NULL), 0);
	return c;
}

static void
test_build_configure_failure_is_the_cells_result(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;
	char *log;

	fake_answer(SPAWN_EXITED, 1,
		    "checking for gcc... gcc\nconfigure: error: libfoo 2.0 is required\n");
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_CONFIGURE_FAILED);
	assert_string_equal(c->reason,
			    "configure: exit status 1: configure: error: libfoo 2.0 is required");
	/* the build never ran */
	assert_int_equal(fake.calls, 1);
	assert_true(c->built);
	assert_non_null(c->log);
	log = tu_read_file(c->log);
	assert_string_equal(log, "==> ./configure --disable-nls\nchecking for gcc... gcc\n"
				 "configure: error: libfoo 2.0 is required\n");
	free(log);
	cell_free(c);
}

static void
test_build_steps_start_as_ounce_starts_them(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;
	char *src = xasprintf("%s/cells/baseline/src", f->run.workdir);
	char *cc = xasprintf("%s/cc", f->run.shimdir);

	/* configure and build pass; no artifact is found after them */
	c = build_baseline(f);
	assert_int_equal(fake.calls, 2);
	TU_WORDS(&fake.argv, "./configure --disable-nls", "make -j2");
	TU_WORDS(&fake.cwd, src, src);
	assert_string_equal(fake.last.log_path, c->log);
	assert_true(fake.last.timeout == 5.0);
	assert_ptr_equal(fake.last.cancel, &f->cancel);
	assert_null(fake.last.sandbox);
	assert_false(fake.last.inherit_output);
	assert_null(fake.last.out);
	assert_string_equal(fake.cc, cc);
	/* both steps' time */
	assert_true(c->build_seconds == 1.0);
	assert_int_equal(c->status, CELL_BUILD_FAILED);
	free(src);
	free(cc);
	cell_free(c);
}

static void
test_build_timeout_is_not_a_failure_of_the_build(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_TIMEOUT, 0, "cc1: compiling a very large file\n");
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_TIMEOUT);
	assert_string_equal(c->reason, "build timed out after 5 s");
	assert_int_equal(fake.calls, 2);
	cell_free(c);
}

static void
test_build_killed_and_cancelled_steps(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_EXITED, 128 + 9, "make: *** [Makefile:2: all] Killed\n");
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_BUILD_FAILED);
	tu_assert_contains(c->reason, "build: killed by signal 9");
	cell_free(c);

	fake_reset();
	fake.flag = &f->cancel;
	fake.signal = SIGINT;
	fake_answer(SPAWN_CANCELLED, 0, NULL);
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_INTERRUPTED);
	assert_string_equal(c->reason, "interrupted during configure");
	assert_int_equal(f->cancel, SIGINT);
	cell_free(c);
}

static void
test_build_command_that_cannot_start(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	fake_answer(SPAWN_NOT_STARTED, 0, NULL);
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_CONFIGURE_FAILED);
	assert_string_equal(c->reason, "configure: cannot run './configure': "
				       "No such file or directory");
	cell_free(c);
}

static void
test_build_project_commands_replace_the_recipes(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c;

	f->project.configure = xstrdup("sh configure --quiet");
	f->project.build = xstrdup("make {name}");
	c = build_baseline(f);
	TU_WORDS(&fake.argv, "sh configure --quiet --disable-nls", "make proj");
	free(f->project.configure);
	free(f->project.build);
	f->project.configure = f->project.build = NULL;
	cell_free(c);
}

static void
test_build_measured_cell_is_pruned_and_cached(void **state)
{
	struct fake_tree *f = *state;
	struct cell *c, *again;
	char *kept = xasprintf("%s/cells/baseline/src/prog", f->run.workdir);
	char *gone = xasprintf("%s/cells/baseline/src/main.c", f->run.workdir);

	f->run.spawn_fn = fake_spawn_linking;
	fake_tree_cache(f);
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_OK);
	assert_null(c->reason);
	assert_int_equal(c->narts, 1);
	assert_string_equal(c->arts[0].name, "src/prog");
	assert_int_equal(c->m.bytes, fs_size("/bin/true"));
	assert_true(c->m.stripped_bytes > 0 && c->m.stripped_bytes <= c->m.bytes);
	assert_false(c->cached);
	/* measured: the copy of the tree goes, the artifact stays */
	assert_true(fs_exists(kept));
	assert_false(fs_exists(gone));

	/* the next run finds it in the cache: no step runs */
	fake_tree_cache(f);
	fake.calls = 0;
	again = build_baseline(f);
	assert_int_equal(fake.calls, 0);
	assert_true(again->cached);
	assert_false(again->built);
	assert_int_equal(again->status, CELL_OK);
	assert_int_equal(again->m.bytes, c->m.bytes);
	cell_free(again);
	cell_free(c);
	free(kept);
	free(gone);
}

/* What the repeat tests' make does and saw: the program each make call links
 * (in turn), when it ran, and what its environment said of ccache. */
static struct {
	const char *progs[2];
	size_t makes;
	time_t started[2];
	bool ccache_disabled, ccache_shared;
} rep;

/* fake_spawn_run, and a make that links rep.progs[k] as prog on its k'th call
 * (a build that gives other bytes each time when they differ). */
static int
spawn_repeat(const struct spawn_opts *o, struct spawn_result *res)
{
	int rc = fake_spawn_run(o, res);

	if (!strcmp(o->argv[0], "make")) {
		char *prog = xasprintf("%s/prog", o->cwd);
		size_t k = rep.makes++ % 2;

		if (fs_copy_file(rep.progs[k], prog) < 0 || chmod(prog, 0755) < 0) {
			fail_msg("cannot make '%s'", prog);
		}
		free(prog);
		rep.started[k] = time(NULL);
		rep.ccache_disabled = rep.ccache_shared = false;
		for (char *const *e = o->envp; e && *e; e++) {
			rep.ccache_disabled |= !strcmp(*e, "CCACHE_DISABLE=1");
			rep.ccache_shared |= !strncmp(*e, "OUNCE_CCACHE=", 13);
		}
	}
	return rc;
}

/* --repeat 2 of a build that gives the same bytes: the repeat is built (not taken
 * from the cache that holds the cell, nor through ccache), in a later second than
 * the first build, in a directory of its own that goes once it agrees. */
static void
test_build_repeat_reproducible(void **state)
{
	struct fake_tree *f = *state;
	char *rdir = xasprintf("%s/cells/baseline~2", f->run.workdir);
	char *ccache = xstrdup("/usr/bin/ccache");
	struct cell *c;

	memset(&rep, 0, sizeof(rep));
	rep.progs[0] = rep.progs[1] = "/bin/true";
	f->run.spawn_fn = spawn_repeat;
	f->run.ccache = ccache;
	f->run.reuse = true;
	fake_tree_cache(f);
	c = build_baseline(f);
	assert_int_equal(c->status, CELL_OK);
	assert_int_equal(c->reproducible, CELL_REPRO_UNKNOWN);
	/* the cache holds the cell now */
	fake_tree_cache(f);
	assert_false(cache_empty(f->run.cache));

	/* not asked for: nothing runs */
	assert_int_equal(build_repeat(&f->run, c, NULL, 0, 0), 0);
	assert_int_equal(rep.makes, 1);
	assert_int_equal(c->reproducible, CELL_REPRO_UNKNOWN);

	f->run.repeat = 2;
	assert_int_equal(build_repeat(&f->run, c, NULL, 0, 0), 0);
	assert_int_equal(rep.makes, 2);
	assert_int_equal(c->reproducible, CELL_REPRO_YES);
	assert_null(c->repro_detail);
	assert_true(rep.started[1] > c->made);
	assert_true(rep.ccache_disabled);
	assert_false(rep.ccache_shared);
	assert_false(fs_exists(rdir));
	/* the cell itself is as it was */
	assert_int_equal(c->status, CELL_OK);
	assert_int_equal(c->m.bytes, fs_size("/bin/true"));
	f->run.ccache = NULL;
	free(ccache);
	free(rdir);
	cell_free(c);
}

/* A build that gives other bytes the second time is not reproducible: the file
 * and the build are named, and that build's copy is kept to compare; a repeat
 * that fails as a build is an answer too, one that times out is none. */
static void
test_build_repeat_differs(void **state)
{
	struct fake_tree *f = *state;
	char *kept = xasprintf("%s/cells/baseline~2/src/prog", f->run.workdir);
	char *want = xasprintf("build 2 of 2 gave other bytes for 'src/prog' (kept: %s)", kept);
	char *err;
	struct cell *c;

	memset(&rep, 0, sizeof(rep));
	rep.progs[0] = "/bin/true";
	rep.progs[1] = "/bin/false";
	f->run.spawn_fn = spawn_repeat;
	f->run.repeat = 2;
	c = build_baseline(f);
	assert_int_equal(build_repeat(&f->run, c, NULL, 0, 0), 0);
	assert_int_equal(c->reproducible, CELL_REPRO_NO);
	assert_string_equal(c->repro_detail, want);
	assert_true(fs_exists(kept));
	assert_int_equal(fs_size(kept), fs_size("/bin/false"));

	/* configure passes, make fails: the build is not reproducible */
	fake_reset();
	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_EXITED, 2, "make: *** [Makefile:3: prog] Error 1\n");
	assert_int_equal(build_repeat(&f->run, c, NULL, 0, 0), 0);
	assert_int_equal(c->reproducible, CELL_REPRO_NO);
	tu_assert_contains(c->repro_detail, "build 2 of 2 failed: build: exit status 2");

	/* a timeout says nothing either way */
	fake_reset();
	fake_answer(SPAWN_EXITED, 0, NULL);
	fake_answer(SPAWN_TIMEOUT, 0, NULL);
	tu_capture_begin(&f->t);
	assert_int_equal(build_repeat(&f->run, c, NULL, 0, 0), 0);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, "baseline: build 2 of 2 from scratch did not finish (build timed "
				"out after 5 s): whether it is reproducible is not known");
	free(err);
	assert_int_equal(c->reproducible, CELL_REPRO_UNKNOWN);
	assert_null(c->repro_detail);

	/* a cell that failed is not repeated */
	fake_reset();
	c->status = CELL_BUILD_FAILED;
	assert_int_equal(build_repeat(&f->run, c, NULL, 0, 0), 0);
	assert_int_equal(fake.calls, 0);
	free(want);
	free(kept);
	cell_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build_configure_failure_is_the_cells_result,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_steps_start_as_ounce_starts_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_timeout_is_not_a_failure_of_the_build,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_killed_and_cancelled_steps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_build_command_that_cannot_start, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_build_project_commands_replace_the_recipes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_measured_cell_is_pruned_and_cached,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_repeat_reproducible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_repeat_differs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
