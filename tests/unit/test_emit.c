/* test_emit.c: the winner's settings as shell exports, a Makefile fragment and
 * JSON. The env and make forms are also run through the real sh and make. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "emit.h"
#include "fsutil.h"
#include "mem.h"
#include "profile.h"
#include "result.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct results r;
	struct profile_set set;
	struct cell *win;
};

/* Results with a winner "os+gc" whose settings hold quoting traps. */
static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	struct profile *p;
	struct cell *c;

	f->r = (struct results)RESULTS_INIT;
	f->set = (struct profile_set)PROFILE_SET_INIT;
	f->r.project = xstrdup("demo");
	f->r.baseline = xstrdup("baseline");

	p = profile_define(&f->set, "os", "os.ini", false);
	profile_set_key(&f->set, p, NULL, "summary", "optimise for size");
	profile_set_key(&f->set, p, NULL, "tradeoff", "speed");
	profile_set_key(&f->set, p, NULL, "tradeoff_note", "slower code");
	results_add_profile(&f->r, p);
	p = profile_define(&f->set, "gc", "gc.ini", false);
	profile_set_key(&f->set, p, NULL, "summary", "drop unused sections");
	results_add_profile(&f->r, p);

	c = cell_new("baseline");
	c->status = CELL_OK;
	c->m.bytes = 8000;
	c->m.xz_bytes = 3000;
	results_add_cell(&f->r, c);

	c = cell_new("os+gc");
	strv_push(&c->profiles, "os");
	strv_push(&c->profiles, "gc");
	c->status = CELL_OK;
	c->m.bytes = 5000;
	c->m.xz_bytes = 1234;
	c->artifact = xstrdup("/w/cells/os+gc/src/app");
	c->settings.toolchain = xstrdup("gcc");
	c->settings.cc = xstrdup("gcc");
	c->settings.cxx = xstrdup("g++");
	strv_push(&c->settings.f.cflags, "-Os");
	strv_push(&c->settings.f.cflags, "-DPRICE=$5");
	strv_push(&c->settings.f.ldflags, "-Wl,--gc-sections");
	strv_push(&c->settings.f.libs, "-lm");
	strv_push(&c->settings.f.env, "MALLOC_ARENA_MAX=2");
	strv_push(&c->settings.f.env, "NOTE=two words, it's");
	strv_push(&c->settings.f.post, "strip --strip-all {artifact}");
	strv_push(&c->settings.f.build_args, "V=1");
	results_add_cell(&f->r, c);
	f->win = c;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	results_release(&f->r);
	profile_set_release(&f->set);
	return tu_fixture_free(f);
}

/* Run the NULL-terminated argv in f's directory and return its stdout (the caller
 * frees it); the program must exit 0. */
static char *
run(const struct fixture *f, const char *const *argv)
{
	struct buf out = BUF_INIT;

	assert_int_equal(tu_run(f->t.dir, argv, &out, 30), 0);
	return buf_detach(&out);
}

static void
test_emit_unknown_form(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(emit_render(&f->r, f->win, "cmake2", "xz", &out), -1);
	assert_int_equal(emit_render(&f->r, f->win, "", "xz", &out), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(emit_render(&f->r, f->win, "env", "xz", &out), 0);
	assert_true(out.len > 0);
	buf_release(&out);
}

static void
test_emit_header_names_the_winner_and_tradeoffs(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	const char *s;
	static const char header[] =
		"# ounce: winner for demo: 'os+gc' (profiles below), 1234 bytes by 'xz'\n";

	assert_int_equal(emit_render(&f->r, f->win, "make", "xz", &out), 0);
	s = buf_str(&out);
	assert_true(!strncmp(s, header, strlen(header)));
	assert_non_null(strstr(s, "\n#   os: optimise for size [trade-off: speed: slower code]"
				  "\n"));
	assert_non_null(strstr(s, "\n#   gc: drop unused sections\n"));
	buf_release(&out);

	assert_int_equal(emit_render(&f->r, f->win, "env", "file", &out), 0);
	assert_non_null(strstr(buf_str(&out), "5000 bytes by 'file'"));
	buf_release(&out);
}

static void
test_emit_make_lines(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	const char *s;

	assert_int_equal(emit_render(&f->r, f->win, "make", "xz", &out), 0);
	s = buf_str(&out);
	assert_non_null(strstr(s, "# Use: make -f Makefile -f ounce.mk V=1 ounce-post\n"));
	assert_non_null(strstr(s, "\nCC = gcc\nCXX = g++\n"));
	/* make expands $: flags keep theirs as $$ */
	assert_non_null(strstr(s, "\nCFLAGS += -Os -DPRICE=$$5\n"));
	assert_non_null(strstr(s, "\nCXXFLAGS += -Os -DPRICE=$$5\n"));
	assert_non_null(strstr(s, "\nLDFLAGS += -Wl,--gc-sections\n"));
	assert_non_null(strstr(s, "\nLDLIBS += -lm\n"));
	assert_non_null(strstr(s, "\nexport MALLOC_ARENA_MAX = 2\n"));
	assert_non_null(strstr(s, "\nOUNCE_ARTIFACT ?= app\n"));
	assert_non_null(strstr(s, "\n.PHONY: ounce-post\nounce-post: $(OUNCE_ARTIFACT)\n"
				  "\tstrip --strip-all $(OUNCE_ARTIFACT)\n"));
	assert_null(strstr(s, "{artifact}"));
	buf_release(&out);
}

static void
test_emit_make_without_post_or_libs(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	const char *s;

	strv_release(&f->win->settings.f.post);
	strv_release(&f->win->settings.f.libs);
	strv_release(&f->win->settings.f.build_args);
	assert_int_equal(emit_render(&f->r, f->win, "make", "xz", &out), 0);
	s = buf_str(&out);
	assert_non_null(strstr(s, "# Use: make -f Makefile -f ounce.mk\n"));
	assert_null(strstr(s, "ounce-post"));
	assert_null(strstr(s, "OUNCE_ARTIFACT"));
	assert_null(strstr(s, "LDLIBS"));
	assert_non_null(strstr(s, "CFLAGS += "));
	buf_release(&out);
}

static void
test_emit_make_runs_in_real_make(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	char *mk, *makefile, *got, *copy;
	const char *const show[] = {"make", "-s", "-f", "Makefile", "-f", "ounce.mk", "show", NULL};
	const char *const post[] = {"make", "-s", "-f", "Makefile", "-f", "ounce.mk", "ounce-post",
				    NULL};

	strv_release(&f->win->settings.f.post);
	strv_push(&f->win->settings.f.post, "cp {artifact} {artifact}.copy");
	assert_int_equal(emit_render(&f->r, f->win, "make", "xz", &out), 0);
	mk = tu_write_file(f->t.dir, "ounce.mk", buf_str(&out));
	makefile = tu_write_file(f->t.dir, "Makefile",
				 "app:\n"
				 "\tprintf 'built\\n' > $@\n"
				 "show:\n"
				 "\t@printf '%s|%s|%s|%s|%s\\n' '$(CC)' '$(CFLAGS)' '$(LDFLAGS)' "
				 "'$(LDLIBS)' \"$$NOTE\"\n");
	got = run(f, show);
	assert_string_equal(got, "gcc|-Os -DPRICE=$5|-Wl,--gc-sections|-lm|two words, it's\n");
	free(got);

	/* the documented use builds the artifact, then runs the post-link step on it */
	got = run(f, post);
	free(got);
	copy = xasprintf("%s/app.copy", f->t.dir);
	assert_true(fs_exists(copy));
	free(copy);
	free(makefile);
	free(mk);
	buf_release(&out);
}

static void
test_emit_make_env_values_stay_literal(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	char *mk, *makefile, *got;
	const char *const show[] = {"make", "-s", "-f", "Makefile", "-f", "ounce.mk", "show", NULL};

	strv_release(&f->win->settings.f.env);
	strv_push(&f->win->settings.f.env, "PRICE=$5");
	assert_int_equal(emit_render(&f->r, f->win, "make", "xz", &out), 0);
	mk = tu_write_file(f->t.dir, "ounce.mk", buf_str(&out));
	makefile = tu_write_file(f->t.dir, "Makefile", "show:\n\t@printf '%s\\n' \"$$PRICE\"\n");
	/* like the flags, an environment value must reach the build as written */
	got = run(f, show);
	assert_string_equal(got, "$5\n");
	free(got);
	free(makefile);
	free(mk);
	buf_release(&out);
}

static void
test_emit_make_hash_stays_literal(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	char *mk, *makefile, *got;
	const char *const show[] = {"make", "-s", "-f", "Makefile", "-f", "ounce.mk", "show", NULL};

	strv_release(&f->win->settings.f.cflags);
	strv_push(&f->win->settings.f.cflags, "-DSEP=a#b");
	strv_push(&f->win->settings.f.cflags, "-g0");
	assert_int_equal(emit_render(&f->r, f->win, "make", "xz", &out), 0);
	mk = tu_write_file(f->t.dir, "ounce.mk", buf_str(&out));
	makefile = tu_write_file(f->t.dir, "Makefile", "show:\n\t@printf '%s\\n' '$(CFLAGS)'\n");
	/* '#' starts a make comment unless escaped */
	got = run(f, show);
	assert_string_equal(got, "-DSEP=a#b -g0\n");
	free(got);
	free(makefile);
	free(mk);
	buf_release(&out);
}

static void
test_emit_env_lines(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	const char *s;

	assert_int_equal(emit_render(&f->r, f->win, "env", "xz", &out), 0);
	s = buf_str(&out);
	assert_non_null(strstr(s, "\nexport CC=gcc\nexport CXX=g++\n"));
	assert_non_null(strstr(s, "\nexport CFLAGS='-Os -DPRICE=$5'\n"));
	assert_non_null(strstr(s, "\nexport CXXFLAGS='-Os -DPRICE=$5'\n"));
	assert_non_null(strstr(s, "\nexport LDFLAGS=-Wl,--gc-sections\n"));
	assert_non_null(strstr(s, "\nexport LDLIBS=-lm\n"));
	assert_non_null(strstr(s, "\nexport MALLOC_ARENA_MAX=2\n"));
	assert_non_null(strstr(s, "\nexport NOTE='two words, it'\\''s'\n"));
	assert_non_null(strstr(s, "\n# pass to the build command: V=1\n"));
	assert_non_null(strstr(s, "\n#   strip --strip-all app\n"));
	buf_release(&out);
}

static void
test_emit_env_runs_in_real_sh(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	char *got;
	const char *argv[] = {"sh", "-c", NULL, NULL};

	strv_release(&f->win->settings.f.ldflags);
	assert_int_equal(emit_render(&f->r, f->win, "env", "xz", &out), 0);
	buf_adds(&out, "printf '%s|%s|%s|%s|%s|%s' \"$CC\" \"$CFLAGS\" \"$LDFLAGS\" \"$LIBS\" "
		       "\"$NOTE\" \"$MALLOC_ARENA_MAX\"\n");
	argv[2] = buf_str(&out);
	got = run(f, argv);
	assert_string_equal(got, "gcc|-Os -DPRICE=$5||-lm|two words, it's|2");
	free(got);
	buf_release(&out);
}

static void
test_emit_json(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	json_error_t jerr;
	json_t *o, *a;

	assert_int_equal(emit_render(&f->r, f->win, "json", "xz", &out), 0);
	o = json_loads(buf_str(&out), 0, &jerr);
	if (!o) {
		fail_msg("invalid JSON at line %d: %s", jerr.line, jerr.text);
	}
	assert_string_equal(json_string_value(json_object_get(o, "project")), "demo");
	assert_string_equal(json_string_value(json_object_get(o, "cell")), "os+gc");
	assert_string_equal(json_string_value(json_object_get(o, "metric")), "xz");
	assert_int_equal(json_integer_value(json_object_get(o, "value")), 1234);
	assert_int_equal(json_integer_value(json_object_get(o, "bytes")), 5000);
	assert_string_equal(json_string_value(json_object_get(o, "cc")), "gcc");
	a = json_object_get(o, "profiles");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 1)), "gc");
	a = json_object_get(o, "cflags");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 1)), "-DPRICE=$5");
	a = json_object_get(o, "libs");
	assert_string_equal(json_string_value(json_array_get(a, 0)), "-lm");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "env"), "NOTE")),
			    "two words, it's");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "post"), 0)),
			    "strip --strip-all {artifact}");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "build_args"), 0)),
			    "V=1");
	json_decref(o);
	buf_release(&out);
}

static void
test_emit_baseline_winner(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	const struct cell *c = results_find(&f->r, "baseline");
	const char *s;

	/* no profile, no settings recorded: defaults, and nothing to add */
	assert_int_equal(emit_render(&f->r, c, "env", "file", &out), 0);
	s = buf_str(&out);
	assert_non_null(strstr(s, "'baseline' (no profile), 8000 bytes by 'file'"));
	assert_non_null(strstr(s, "\nexport CC=cc\n"));
	assert_non_null(strstr(s, "\nexport CFLAGS=''\n"));
	assert_null(strstr(s, "after the build"));
	buf_release(&out);
	assert_int_equal(emit_render(&f->r, c, "make", "file", &out), 0);
	s = buf_str(&out);
	assert_non_null(strstr(s, "\nCC = cc\n"));
	assert_null(strstr(s, "CFLAGS"));
	buf_release(&out);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_emit_unknown_form),
		T(test_emit_header_names_the_winner_and_tradeoffs),
		T(test_emit_make_lines),
		T(test_emit_make_without_post_or_libs),
		T(test_emit_make_runs_in_real_make),
		T(test_emit_make_env_values_stay_literal),
		T(test_emit_make_hash_stays_literal),
		T(test_emit_env_lines),
		T(test_emit_env_runs_in_real_sh),
		T(test_emit_json),
		T(test_emit_baseline_winner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
