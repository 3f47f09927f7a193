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

#include "base/buf.h"
#include "base/mem.h"
#include "config/profile.h"
#include "os/fsutil.h"
#include "report/emit.h"
#include "report/result.h"
#include "testutil.h"
#include "wrap/wrap.h"

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

/* Render c as form into a string the caller frees; emit_render must return 0. */
static char *
render(struct fixture *f, const struct cell *c, const char *form)
{
	struct buf out = BUF_INIT;

	assert_int_equal(emit_render(&f->r, c, form, "xz", &out), 0);
	return buf_detach(&out);
}

/* A recipe line printing each word of $(VAR) as the recipe's shell passes it on,
 * as [word]. */
#define WORDS(var) "for a in $(" var "); do printf '[%s]' \"$$a\"; done"
/* The same for the compiler and every flag variable of a compile and link. */
#define ALL_WORDS "for a in $(CC) $(CFLAGS) $(LDFLAGS) $(LDLIBS); do printf '[%s]' \"$$a\"; done"

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
	/* quoted for the recipe's shell, then $ as $$ for make */
	assert_non_null(strstr(s, "\nCFLAGS += -Os '-DPRICE=$$5'\n"));
	assert_non_null(strstr(s, "\nCXXFLAGS += -Os '-DPRICE=$$5'\n"));
	assert_non_null(strstr(s, "\nLDFLAGS += -Wl,--gc-sections\n"));
	assert_non_null(strstr(s, "\nLDLIBS += -lm\n"));
	assert_non_null(strstr(s, "\nexport MALLOC_ARENA_MAX = 2\n"));
	assert_non_null(strstr(s, "\nOUNCE_ARTIFACT ?= app\n"));
	assert_non_null(strstr(s, "\n.PHONY: ounce-post\nounce-post: $(OUNCE_ARTIFACT)\n"
				  "\t$(foreach a,$(OUNCE_ARTIFACT),strip --strip-all $(a) &&) "
				  "true\n"));
	assert_null(strstr(s, "{artifact}"));
	/* the one line for trees that run make in sub-directories */
	tu_assert_contains(s, "\n# reproduce: MALLOC_ARENA_MAX=2 NOTE='two words, it'\\''s' make "
			      "CC=gcc CXX=g++ V=1 '--eval=%: override private CFLAGS += -Os "
			      "'\\''-DPRICE=$$5'\\''' '--eval=%: override private CXXFLAGS += -Os "
			      "'\\''-DPRICE=$$5'\\''' '--eval=%: override private LDFLAGS += "
			      "-Wl,--gc-sections' '--eval=%: override private LDLIBS += -lm' && "
			      "strip --strip-all app\n");
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
	assert_null(strstr(s, "LDLIBS +="));
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
				 "\t@" WORDS("CC") "; printf '|'; " WORDS("CFLAGS") "; printf '|'; "
				 WORDS("LDFLAGS") "; printf '|'; " WORDS("LDLIBS") "; "
				 "printf '|%s\\n' \"$$NOTE\"\n");
	got = run(f, show);
	assert_string_equal(got, "[gcc]|[-Os][-DPRICE=$5]|[-Wl,--gc-sections]|[-lm]|two words, "
				 "it's\n");
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
	makefile = tu_write_file(f->t.dir, "Makefile", "show:\n\t@" WORDS("CFLAGS") "\n");
	/* '#' starts a make comment unless escaped */
	got = run(f, show);
	assert_string_equal(got, "[-DSEP=a#b][-g0]");
	free(got);
	free(makefile);
	free(mk);
	buf_release(&out);
}

/* Flags that a shell or make would change, with the words the compiler must get. */
static const char *const traps[] = {
	"-DSP=two words", "-DQ='q'", "-DDQ=\"d\"", "-DCMD=$(touch pwned)", "-DBQ=`touch pwned`",
	"-DP=$5", "-DBS=a\\b", "-DH=a#b", "-DBH=a\\#b", "-DBBH=a\\\\#b", "-DPC=100%",
	"-DSEMI=a;b", "-DEND=x\\", "-DTAB=\tt", "-DALL=~{}[]*?!&|<>",
};

static void
test_emit_make_quoting_survives_make_and_sub_makes(void **state)
{
	struct fixture *f = *state;
	struct buf want = BUF_INIT;
	char *text, *line, *got, *done, *pwned;
	char *files[5];
	const char *const frag[] = {"make", "-s", "-f", "Makefile", "-f", "ounce.mk", "show", NULL};
	const char *sh[] = {"sh", "-c", NULL, NULL};
	char *rec = xasprintf("%s/rec", f->t.dir);

	strv_release(&f->win->settings.f.cflags);
	strv_release(&f->win->settings.f.env);
	strv_release(&f->win->settings.f.build_args);
	strv_release(&f->win->settings.f.post);
	for (size_t i = 0; i < sizeof(traps) / sizeof(*traps); i++) {
		strv_push(&f->win->settings.f.cflags, traps[i]);
	}
	strv_push(&f->win->settings.f.ldflags, "-Wl,-rpath,/a:/b");
	strv_push(&f->win->settings.f.post, "touch {artifact}.done");
	free(f->win->artifact);
	f->win->artifact = xstrdup("/w/cells/os+gc/src/out dir/app");
	f->win->log = xstrdup("/w/cells/os+gc/build.log");
	text = render(f, f->win, "make");

	/* the words each make's recipe gives the compiler: the Makefile's own, then
	 * the cell's, exactly as written */
	buf_adds(&want, "[gcc][-O2]");
	for (size_t i = 0; i < sizeof(traps) / sizeof(*traps); i++) {
		buf_printf(&want, "[%s]", traps[i]);
	}
	buf_adds(&want, "[-Wl,--gc-sections][-Wl,-rpath,/a:/b][-lz][-lm]");

	/* the fragment, read after a Makefile that sets CFLAGS itself */
	files[0] = tu_write_file(f->t.dir, "ounce.mk", text);
	files[1] = tu_write_file(f->t.dir, "Makefile",
				 "CFLAGS = -O2\nLDLIBS = -lz\nshow:\n\t@" ALL_WORDS
				 "\n");
	got = run(f, frag);
	assert_string_equal(got, buf_str(&want));
	free(got);

	/* the command line, at the root of a tree that recurses both usual ways into
	 * a Makefile with its own flags: both sub-makes get the same words */
	files[2] = tu_write_file(rec, "Makefile",
				 "all:\n\tcd sub && $(MAKE)\n\t$(MAKE) -C sub\n"
				 "\tmkdir -p 'out dir' && touch 'out dir/app'\n");
	files[3] = tu_write_file(rec, "sub/Makefile",
				 "CFLAGS = -O2\nLDLIBS = -lz\nall:\n\t@" ALL_WORDS
				 " >> ../words; echo >> ../words\n");
	line = strstr(text, "\n# reproduce: ");
	assert_non_null(line);
	line += strlen("\n# reproduce: ");
	line[strcspn(line, "\n")] = '\0';
	tu_assert_contains(line, " && touch 'out dir/app.done'");
	sh[2] = line;
	assert_int_equal(tu_run(rec, sh, NULL, 60), 0);
	buf_addc(&want, '\n');
	got = xstrdup(buf_str(&want));
	buf_adds(&want, got);
	free(got);
	files[4] = xasprintf("%s/words", rec);
	got = tu_read_file(files[4]);
	assert_string_equal(got, buf_str(&want));
	free(got);

	/* the post-link step ran on the artifact, and nothing ran a flag */
	done = xasprintf("%s/out dir/app.done", rec);
	assert_true(fs_exists(done));
	pwned = xasprintf("%s/sub/pwned", rec);
	assert_false(fs_exists(pwned));
	free(pwned);
	pwned = xasprintf("%s/pwned", f->t.dir);
	assert_false(fs_exists(pwned));
	free(pwned);
	free(done);
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		free(files[i]);
	}
	buf_release(&want);
	free(text);
	free(rec);
}

static void
test_emit_make_artifact_path_from_the_root(void **state)
{
	struct fixture *f = *state;
	struct cell *base = results_find(&f->r, "baseline");
	char *s, *json, *entry;

	/* where the cell's build made it, in the cell's copy of the tree */
	free(f->win->artifact);
	f->win->artifact = xstrdup("/w/cells/os+gc/src/bin/app");
	f->win->log = xstrdup("/w/cells/os+gc/build.log");
	s = render(f, f->win, "make");
	tu_assert_contains(s, " && strip --strip-all bin/app\n");
	tu_assert_contains(s, "\nOUNCE_ARTIFACT ?= bin/app\n");
	free(s);

	/* from the cache: the entry's cell.json says where it was built */
	entry = xasprintf("%s/cache/k", f->t.dir);
	json = tu_write_file(entry, "cell.json",
			     "{\"artifact\": \"/old/cells/os+gc/src/out/app\","
			     " \"log\": \"/old/cells/os+gc/build.log\"}\n");
	free(f->win->artifact);
	free(f->win->log);
	f->win->artifact = xasprintf("%s/art/app", entry);
	f->win->log = xasprintf("%s/build.log", entry);
	s = render(f, f->win, "make");
	tu_assert_contains(s, " && strip --strip-all out/app\n");
	free(s);

	/* else from another cell of the same build that was built here */
	free(json);
	json = tu_write_file(entry, "cell.json", "{}\n");
	f->win->build = xstrdup("release");
	base->build = xstrdup("release");
	base->artifact = xstrdup("/w/cells/baseline/src/bin/app");
	base->log = xstrdup("/w/cells/baseline/build.log");
	s = render(f, f->win, "make");
	tu_assert_contains(s, " && strip --strip-all bin/app\n");
	free(s);

	/* a step that runs ounce names it as a user's shell finds it */
	strv_push(&f->win->settings.f.post, "{ounce} sstrip {artifact}");
	s = render(f, f->win, "make");
	tu_assert_contains(s, "\n# A post-link step runs ounce itself: it must be in PATH.\n");
	tu_assert_contains(s, " && strip --strip-all bin/app && ounce sstrip bin/app\n");
	tu_assert_contains(s, "\n\t$(foreach a,$(OUNCE_ARTIFACT),ounce sstrip $(a) &&) true\n");
	free(s);
	strv_release(&f->win->settings.f.post);
	strv_push(&f->win->settings.f.post, "strip --strip-all {artifact}");

	/* and, knowing nothing, its file name */
	free(base->build);
	base->build = xstrdup("dev");
	s = render(f, f->win, "make");
	tu_assert_contains(s, " && strip --strip-all app\n");
	free(s);
	free(json);
	free(entry);
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
	assert_non_null(strstr(s, "\n# reproduce: make CC=cc CXX=c++\n"));
	assert_null(strstr(s, "FLAGS +="));
	buf_release(&out);
}

static void
test_emit_cmake_release(void **state)
{
	struct fixture *f = *state;
	char *s;

	f->win->build = xstrdup("release");
	strv_push(&f->win->settings.f.configure_args, "-DFOO=OFF");
	strv_push(&f->win->settings.f.configure_args, "-DBAR:BOOL=ON");
	strv_push(&f->win->settings.f.configure_args, "--trace");
	s = render(f, f->win, "cmake");
	tu_assert_contains(s, "# ounce: winner for demo: 'os+gc'");
	tu_assert_contains(s, "\nset(CMAKE_BUILD_TYPE Release CACHE STRING \"set by ounce\")\n");
	tu_assert_contains(s, "\nset(CMAKE_C_COMPILER gcc CACHE FILEPATH \"set by ounce\")\n");
	/* CMake's own Release flags first, then the profile's, with $ escaped */
	tu_assert_contains(s, "\nset(CMAKE_C_FLAGS_RELEASE \"-O3 -DNDEBUG -Os -DPRICE=\\$5\" "
			      "CACHE STRING \"set by ounce\")\n");
	tu_assert_contains(s, "\nset(CMAKE_CXX_FLAGS_RELEASE \"-O3 -DNDEBUG -Os -DPRICE=\\$5\" "
			      "CACHE STRING \"set by ounce\")\n");
	tu_assert_contains(s, "\nset(CMAKE_EXE_LINKER_FLAGS \"-Wl,--gc-sections\" "
			      "CACHE STRING \"set by ounce\")\n");
	tu_assert_contains(s, "\nset(CMAKE_C_STANDARD_LIBRARIES \"-lm\" "
			      "CACHE STRING \"set by ounce\")\n");
	tu_assert_contains(s, "\nset(FOO \"OFF\" CACHE STRING \"set by ounce\" FORCE)\n");
	tu_assert_contains(s, "\nset(BAR \"ON\" CACHE BOOL \"set by ounce\" FORCE)\n");
	tu_assert_contains(s, "\n# also pass to cmake: --trace\n");
	tu_assert_contains(s, "\n# after the build, run on the artifact: strip --strip-all");
	assert_null(strstr(s, "_DEBUG"));
	free(s);

	/* without link flags or libraries, no linker or library lines */
	strv_release(&f->win->settings.f.ldflags);
	strv_release(&f->win->settings.f.libs);
	s = render(f, f->win, "cmake");
	assert_null(strstr(s, "LINKER_FLAGS"));
	assert_null(strstr(s, "STANDARD_LIBRARIES"));
	free(s);
}

static void
test_emit_cmake_dev_and_baseline(void **state)
{
	struct fixture *f = *state;
	struct cell *base = results_find(&f->r, "baseline");
	char *s;

	f->win->build = xstrdup("dev");
	s = render(f, f->win, "cmake");
	tu_assert_contains(s, "-DCMAKE_BUILD_TYPE=Debug\n");
	tu_assert_contains(s, "\nset(CMAKE_BUILD_TYPE Debug CACHE STRING \"set by ounce\")\n");
	tu_assert_contains(s, "\nset(CMAKE_C_FLAGS_DEBUG \"-g -Os -DPRICE=\\$5\" "
			      "CACHE STRING \"set by ounce\")\n");
	assert_null(strstr(s, "_RELEASE"));
	free(s);

	/* no settings recorded: CMake's own flags only, and cc */
	s = render(f, base, "cmake");
	tu_assert_contains(s, "\nset(CMAKE_C_FLAGS_RELEASE \"-O3 -DNDEBUG\" "
			      "CACHE STRING \"set by ounce\")\n");
	tu_assert_contains(s, "\nset(CMAKE_C_COMPILER cc CACHE FILEPATH");
	free(s);
}

static void
test_emit_cmake_runs_in_real_cmake(void **state)
{
	struct fixture *f = *state;
	char *init, *src, *lists, *cache, *bdir, *text;
	const char *argv[] = {"cmake", "-C", NULL, "-S", f->t.dir, "-B", NULL, NULL};

	f->win->build = xstrdup("release");
	strv_release(&f->win->settings.f.cflags);
	strv_push(&f->win->settings.f.cflags, "-Os");
	strv_push(&f->win->settings.f.cflags, "-fno-asynchronous-unwind-tables");
	strv_push(&f->win->settings.f.configure_args, "-DFOO=OFF");
	strv_push(&f->win->settings.f.configure_args, "-DBAR:BOOL=ON");
	text = render(f, f->win, "cmake");
	init = tu_write_file(f->t.dir, "ounce.cmake", text);
	free(text);
	src = tu_write_file(f->t.dir, "hello.c", "int main(void) { return 0; }\n");
	lists = tu_write_file(f->t.dir, "CMakeLists.txt",
			      "cmake_minimum_required(VERSION 3.10)\n"
			      "project(x C)\n"
			      "add_executable(hello hello.c)\n");
	bdir = xasprintf("%s/b", f->t.dir);
	argv[2] = init;
	argv[6] = bdir;
	assert_int_equal(tu_run(f->t.dir, argv, NULL, 120), 0);

	cache = xasprintf("%s/CMakeCache.txt", bdir);
	text = tu_read_file(cache);
	tu_assert_contains(text, "\nCMAKE_BUILD_TYPE:STRING=Release\n");
	tu_assert_contains(text, "\nCMAKE_C_FLAGS_RELEASE:STRING=-O3 -DNDEBUG -Os "
				 "-fno-asynchronous-unwind-tables\n");
	tu_assert_contains(text, "\nCMAKE_EXE_LINKER_FLAGS:STRING=-Wl,--gc-sections\n");
	tu_assert_contains(text, "\nCMAKE_C_STANDARD_LIBRARIES:STRING=-lm\n");
	tu_assert_contains(text, "\nFOO:STRING=OFF\n");
	tu_assert_contains(text, "\nBAR:BOOL=ON\n");
	free(text);
	free(cache);
	free(bdir);
	free(lists);
	free(src);
	free(init);
}

static void
test_emit_cmake_list_option_keeps_its_items(void **state)
{
	struct fixture *f = *state;
	char *init, *lists, *cache, *bdir, *text, *line;
	const char *argv[] = {"cmake", "-C", NULL, "-S", f->t.dir, "-B", NULL, NULL};

	/* on cmake's command line, -DTARGETS=X86;ARM is a list of two items: the
	 * emitted cache entry must give the cell's configure the same value */
	strv_push(&f->win->settings.f.configure_args, "-DTARGETS=X86;ARM");
	text = render(f, f->win, "cmake");
	init = tu_write_file(f->t.dir, "ounce.cmake", text);
	free(text);
	lists = tu_write_file(f->t.dir, "CMakeLists.txt",
			      "cmake_minimum_required(VERSION 3.10)\nproject(x NONE)\n");
	bdir = xasprintf("%s/b", f->t.dir);
	argv[2] = init;
	argv[6] = bdir;
	assert_int_equal(tu_run(f->t.dir, argv, NULL, 120), 0);
	cache = xasprintf("%s/CMakeCache.txt", bdir);
	text = tu_read_file(cache);
	line = strstr(text, "\nTARGETS:");
	assert_non_null(line);
	line[strcspn(line + 1, "\n") + 1] = '\0';
	assert_string_equal(line, "\nTARGETS:STRING=X86;ARM");
	free(text);
	free(cache);
	free(bdir);
	free(lists);
	free(init);
}

static void
test_emit_meson(void **state)
{
	struct fixture *f = *state;
	char *s;

	strv_push(&f->win->settings.f.cflags, "-DQ='x'");
	strv_push(&f->win->settings.f.cflags, "-DB=\\");
	strv_push(&f->win->settings.f.configure_args, "-Db_lto=true");
	s = render(f, f->win, "meson");
	tu_assert_contains(s, "# ounce: winner for demo: 'os+gc'");
	tu_assert_contains(s, "\n[binaries]\nc = 'gcc'\ncpp = 'g++'\n");
	tu_assert_contains(s, "\n[built-in options]\nbuildtype = 'release'\n");
	/* quotes and backslashes escaped in meson's string literals */
	tu_assert_contains(s, "\nc_args = ['-Os', '-DPRICE=$5', '-DQ=\\'x\\'', '-DB=\\\\']\n");
	tu_assert_contains(s, "\ncpp_args = ['-Os', '-DPRICE=$5', '-DQ=\\'x\\'', '-DB=\\\\']\n");
	/* links get the compile flags too, then the link flags, then the libraries */
	tu_assert_contains(s, "\nc_link_args = ['-Os', '-DPRICE=$5', '-DQ=\\'x\\'', '-DB=\\\\', "
			      "'-Wl,--gc-sections', '-lm']\n");
	tu_assert_contains(s, "\ncpp_link_args = ['-Os', ");
	tu_assert_contains(s, "# line: meson setup build -Dbuildtype=release \"-Dc_args=['-Os',");
	tu_assert_contains(s, "\" -Db_lto=true\n");
	tu_assert_contains(s, "\n# after the build, run on the artifact: strip --strip-all");
	free(s);

	f->win->build = xstrdup("dev");
	s = render(f, f->win, "meson");
	tu_assert_contains(s, "\nbuildtype = 'debug'\n");
	tu_assert_contains(s, "-Dbuildtype=debug ");
	free(s);
	free(f->win->build);
	f->win->build = xstrdup("release");
	s = render(f, f->win, "meson");
	tu_assert_contains(s, "\nbuildtype = 'release'\n");
	free(s);

	s = render(f, results_find(&f->r, "baseline"), "meson");
	tu_assert_contains(s, "\nc_args = []\n");
	tu_assert_contains(s, "\nc_link_args = []\n");
	tu_assert_contains(s, "\nc = 'cc'\n");
	free(s);
}

/* A Cargo cell "oz+cgu1+lto" of build, added to f's results. */
static struct cell *
add_cargo_cell(struct fixture *f, const char *build)
{
	struct cell *c = cell_new("oz+cgu1+lto");

	strv_push(&c->profiles, "oz");
	strv_push(&c->profiles, "cgu1");
	strv_push(&c->profiles, "lto");
	c->build = build ? xstrdup(build) : NULL;
	c->status = CELL_OK;
	c->m.bytes = 300000;
	c->m.xz_bytes = 100000;
	c->settings.toolchain = xstrdup("cargo");
	c->settings.cc = xstrdup("gcc");
	c->settings.cxx = xstrdup("g++");
	strv_push(&c->settings.f.env, "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z");
	strv_push(&c->settings.f.env, "CARGO_PROFILE_{BUILD}_CODEGEN_UNITS=1");
	strv_push(&c->settings.f.env, "CARGO_PROFILE_{BUILD}_LTO=fat");
	results_add_cell(&f->r, c);
	return c;
}

static void
test_emit_cargo_profile_section(void **state)
{
	struct fixture *f = *state;
	struct cell *c = add_cargo_cell(f, "release");
	char *s;

	s = render(f, c, "cargo");
	tu_assert_contains(s, "# ounce: winner for demo: 'oz+cgu1+lto'");
	tu_assert_contains(s, "# Paste into Cargo.toml.\n");
	tu_assert_contains(s, "\n[profile.release]\nopt-level = \"z\"\ncodegen-units = 1\n"
			      "lto = \"fat\"\n");
	assert_null(strstr(s, "[build]"));
	assert_null(strstr(s, "CARGO_PROFILE"));
	free(s);

	/* rustflags go to a [build] section; other variables are named as such */
	strv_push(&c->settings.f.rustflags, "-C");
	strv_push(&c->settings.f.rustflags, "target-cpu=native");
	strv_push(&c->settings.f.env, "CARGO_PROFILE_RELEASE_STRIP=symbols");
	strv_push(&c->settings.f.env, "CARGO_PROFILE_RELEASE_DEBUG=false");
	strv_push(&c->settings.f.env, "CARGO_INCREMENTAL=0");
	strv_push(&c->settings.f.build_args, "--locked");
	s = render(f, c, "cargo");
	tu_assert_contains(s, "; the [build] section goes in .cargo/config.toml.\n");
	tu_assert_contains(s, "\n# Build with: cargo build --release --locked\n");
	tu_assert_contains(s, "lto = \"fat\"\nstrip = \"symbols\"\ndebug = false\n");
	tu_assert_contains(s, "\n[build]\nrustflags = [\"-C\", \"target-cpu=native\"]\n");
	tu_assert_contains(s, "\n# also set in the environment: CARGO_INCREMENTAL=0\n");
	/* the line pick --verify runs once both are pasted */
	tu_assert_contains(s, "\n# reproduce: CARGO_INCREMENTAL=0 cargo build --release --locked "
			      "--target-dir build\n");
	free(s);

	/* a project whose .cargo/config.toml has target rustflags: Cargo would
	 * ignore a [build] section, so the flags go with the target's */
	free(tu_write_file(f->t.dir, "proj/.cargo/config.toml",
			   "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-Cforce-frame-pointers\"]\n"));
	f->r.project_dir = xasprintf("%s/proj", f->t.dir);
	s = render(f, c, "cargo");
	tu_assert_contains(s, "; the [target.'cfg(all())'] section goes in .cargo/config.toml.\n");
	tu_assert_contains(s, "\n[target.'cfg(all())']\nrustflags = [\"-C\", \"target-cpu=native\"]\n");
	assert_null(strstr(s, "\n[build]\n"));
	free(s);
}

static void
test_emit_cargo_dev_and_default_builds(void **state)
{
	struct fixture *f = *state;
	struct cell *dev = add_cargo_cell(f, "dev");
	char *s;

	strv_push(&dev->settings.f.env, "CARGO_PROFILE_RELEASE_STRIP=symbols");
	strv_push(&dev->settings.f.env, "CARGO_PROFILE_DEV_PANIC=abort");
	strv_push(&dev->settings.f.build_args, "--locked");
	s = render(f, dev, "cargo");
	tu_assert_contains(s, "\n[profile.dev]\nopt-level = \"z\"\ncodegen-units = 1\n"
			      "lto = \"fat\"\npanic = \"abort\"\n");
	tu_assert_contains(s, "\n# Build with: cargo build --locked\n");
	/* another profile's variable is not this one's */
	tu_assert_contains(s, "\n# also set in the environment: "
			      "CARGO_PROFILE_RELEASE_STRIP=symbols\n");
	assert_null(strstr(s, "[profile.release]"));
	free(s);

	/* a cell of the default build, or of none, is a release build */
	free(dev->build);
	dev->build = xstrdup("default");
	s = render(f, dev, "cargo");
	tu_assert_contains(s, "\n[profile.release]\nopt-level = \"z\"\n");
	free(s);
	free(dev->build);
	dev->build = NULL;
	s = render(f, dev, "cargo");
	tu_assert_contains(s, "\n[profile.release]\n");
	free(s);
}

/* emit_render of c as form must return -2 and report want on stderr. */
static void
check_wrong_form(struct fixture *f, const struct cell *c, const char *form, const char *want)
{
	struct buf out = BUF_INIT;
	char *err;

	tu_capture_begin(&f->t);
	assert_int_equal(emit_render(&f->r, c, form, "xz", &out), -2);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, want);
	assert_int_equal(out.len, 0);
	free(err);
	buf_release(&out);
}

static void
test_emit_form_must_fit_the_toolchain(void **state)
{
	struct fixture *f = *state;
	struct cell *c = add_cargo_cell(f, "release");
	char *s;

	check_wrong_form(f, f->win, "cargo",
			 "error: 'os+gc' is a C build: emit it as make, cmake, meson, wrapper, env or json");
	check_wrong_form(f, results_find(&f->r, "baseline"), "cargo", "is a C build");
	check_wrong_form(f, c, "make",
			 "error: 'oz+cgu1+lto' is a Cargo build: emit it as cargo, env or json");
	check_wrong_form(f, c, "cmake", "emit it as cargo, env or json");
	check_wrong_form(f, c, "meson", "emit it as cargo, env or json");

	/* env and json fit both */
	s = render(f, c, "env");
	tu_assert_contains(s, "\nexport CARGO_PROFILE_{BUILD}_LTO=fat\n");
	free(s);
	s = render(f, c, "json");
	tu_assert_contains(s, "\"CARGO_PROFILE_{BUILD}_OPT_LEVEL\": \"z\"");
	free(s);
}

/* The text of the "# reproduce: " line of text (the caller frees it), or NULL. */
static char *
reproduce_line(const char *text)
{
	const char *l = strstr(text, "\n# reproduce: ");

	if (!l) {
		return NULL;
	}
	l += strlen("\n# reproduce: ");
	return xstrndup(l, strcspn(l, "\n"));
}

/* Write the wrapper form of f's winner into f's directory (run through sh), with
 * stand-ins for the compilers that print the words they get. */
static char *
write_wrapper(struct fixture *f)
{
	char *cc = tu_write_file(f->t.dir, "real/cc", "#!/bin/sh\nprintf 'cc'\n"
				 "for a do printf '[%s]' \"$a\"; done\n");
	char *cxx = tu_write_file(f->t.dir, "real/cxx", "#!/bin/sh\nprintf 'cxx'\n"
				  "for a do printf '[%s]' \"$a\"; done\n");
	const char *const chmod[] = {"chmod", "+x", "real/cc", "real/cxx", NULL};
	const char *sh[] = {"sh", "-c", NULL, NULL};
	char *text;

	assert_int_equal(tu_run(f->t.dir, chmod, NULL, 10), 0);
	free(f->win->settings.cc);
	free(f->win->settings.cxx);
	f->win->settings.cc = cc;
	f->win->settings.cxx = cxx;
	text = render(f, f->win, "wrapper");
	sh[2] = text;
	assert_int_equal(tu_run(f->t.dir, sh, NULL, 10), 0);
	return text;
}

static void
test_emit_wrapper_decides_as_ounces_wrapper(void **state)
{
	struct fixture *f = *state;
	/* compiles, links, calls without input, options whose value is the next word */
	static const char *const calls[][6] = {
		{"-c", "-o", "x.o", "x.c"}, {"-O2", "-o", "prog", "a.o", "b.o", "-lz"},
		{"--version"}, {"-print-file-name=libc.so.6"}, {"-E", "-"},
		{"-shared", "-o", "lib x.so", "a.o"}, {"-l", "m", "-o", "p"}, {"-r", "-o", "r.o", "a.o"},
		{"-MM", "x.c"}, {"-o", "x.c"}, {"-L", "lib"}, {"", "-c"}, {"-D", "X=1", "-c", "y.c"},
		{"-Xlinker", "-v", "a.o"}, {"-x", "c", "-c", "-"}, {"-dumpversion"},
	};
	char *text, *cc = xasprintf("%s/cc-small", f->t.dir);
	char *cxx = xasprintf("%s/c++-small", f->t.dir);

	strv_release(&f->win->settings.f.cflags);
	for (size_t i = 0; i < sizeof(traps) / sizeof(*traps); i++) {
		strv_push(&f->win->settings.f.cflags, traps[i]);
	}
	strv_push(&f->win->settings.f.ldflags, "-Wl,-rpath,/a:/b");
	text = write_wrapper(f);
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
		for (int k = 0; k < 2; k++) {
			const char *argv[8] = {k ? cxx : cc};
			struct strv want = STRV_INIT;
			struct buf w = BUF_INIT, got = BUF_INIT;
			size_t n = 0;

			while (n < 6 && calls[i][n]) {
				argv[n + 1] = calls[i][n];
				n++;
			}
			/* what ounce's wrapper runs for the same call */
			wrap_argv(&want, k ? "cxx" : "cc", (char *const *)(argv + 1), n,
				  &f->win->settings.f.cflags, &f->win->settings.f.ldflags,
				  &f->win->settings.f.libs);
			buf_adds(&w, want.v[0]);
			for (size_t j = 1; j < want.n; j++) {
				buf_printf(&w, "[%s]", want.v[j]);
			}
			assert_int_equal(tu_run(f->t.dir, argv, &got, 10), 0);
			assert_string_equal(buf_str(&got), buf_str(&w));
			strv_release(&want);
			buf_release(&w);
			buf_release(&got);
		}
	}
	free(text);
	free(cc);
	free(cxx);
}

static void
test_emit_wrapper_post_and_reproduce_lines(void **state)
{
	struct fixture *f = *state;
	static const char *const made[] = {"out dir/app.copy", "out dir/app done", "stage/x y.copy",
					   "stage/x y done", "once"};
	char *script = xasprintf("%s/ounce-post", f->t.dir);
	const char *const post[] = {script, "out dir/app", "stage/x y", NULL};
	char *text, *line, *p;

	strv_release(&f->win->settings.f.post);
	strv_push(&f->win->settings.f.post, "cp {artifact} {artifact}.copy");
	strv_push(&f->win->settings.f.post, "touch '{artifact} done'");
	strv_push(&f->win->settings.f.post, "touch once");
	cell_add_artifact(f->win, "/w/cells/os+gc/src/out dir/app", "/w/cells/os+gc");
	cell_add_artifact(f->win, "/w/cells/os+gc/stage/x y", "/w/cells/os+gc");
	text = write_wrapper(f);
	free(tu_write_file(f->t.dir, "out dir/app", "a\n"));
	free(tu_write_file(f->t.dir, "stage/x y", "b\n"));
	assert_int_equal(tu_run(f->t.dir, post, NULL, 10), 0);
	for (size_t i = 0; i < sizeof(made) / sizeof(*made); i++) {
		p = xasprintf("%s/%s", f->t.dir, made[i]);
		assert_true(fs_exists(p));
		free(p);
	}
	free(script);

	/* the line for the recipe: the wrapper as the compilers, then the steps on
	 * the artifacts, from the project's root */
	line = reproduce_line(text);
	assert_string_equal(line, "MALLOC_ARENA_MAX=2 NOTE='two words, it'\\''s' make "
				  "CC=\"$PWD/cc-small\" CXX=\"$PWD/c++-small\" V=1 && ./ounce-post "
				  "'out dir/app' 'stage/x y'");
	free(line);
	free(text);
	strv_release(&f->win->settings.f.env);
	strv_release(&f->win->settings.f.build_args);
	f->r.recipe = xstrdup("cmake");
	text = render(f, f->win, "wrapper");
	line = reproduce_line(text);
	assert_string_equal(line, "cmake -DCMAKE_BUILD_TYPE=Release "
				  "-DCMAKE_C_COMPILER=\"$PWD/cc-small\" "
				  "-DCMAKE_CXX_COMPILER=\"$PWD/c++-small\" -S . -B build && "
				  "cmake --build build && cmake --install build --prefix "
				  "\"$PWD/stage\" && ./ounce-post 'out dir/app' 'stage/x y'");
	free(line);
	free(text);
	free(f->r.recipe);
	f->r.recipe = xstrdup("autotools");
	text = render(f, f->win, "wrapper");
	line = reproduce_line(text);
	assert_string_equal(line, "P=$PWD && mkdir -p build && cd build && \"$P/configure\" "
				  "CC=\"$P/cc-small\" CXX=\"$P/c++-small\" && make && make install "
				  "DESTDIR=\"$P/stage\" && cd \"$P\" && ./ounce-post 'out dir/app' "
				  "'stage/x y'");
	free(line);
	free(text);
	/* a recipe with no such line gets the lines to adapt, not a wrong one */
	free(f->r.recipe);
	f->r.recipe = xstrdup("single");
	text = render(f, f->win, "wrapper");
	assert_null(reproduce_line(text));
	tu_assert_contains(text, "\n#   make CC=\"$PWD/cc-small\" CXX=\"$PWD/c++-small\"\n");
	free(text);
}

static void
test_emit_wrapper_here_document_ends_once(void **state)
{
	struct fixture *f = *state;
	char *cc = xasprintf("%s/cc-small", f->t.dir);
	const char *const show[] = {cc, "-c", "x.c", NULL};
	struct buf got = BUF_INIT;
	char *text;

	/* a flag with the delimiter as a line of its own must not end the file */
	strv_release(&f->win->settings.f.cflags);
	strv_push(&f->win->settings.f.cflags, "-DX=\nOUNCE_EOF\n");
	strv_push(&f->win->settings.f.cflags, "-DY=\nOUNCE_EOF1\nz");
	text = write_wrapper(f);
	tu_assert_contains(text, "<<'OUNCE_EOF2'\n");
	assert_int_equal(tu_run(f->t.dir, show, &got, 10), 0);
	assert_string_equal(buf_str(&got), "cc[-c][x.c][-DX=\nOUNCE_EOF\n][-DY=\nOUNCE_EOF1\nz]");
	buf_release(&got);
	free(text);
	free(cc);
}

static void
test_emit_autotools_and_cmake_lines(void **state)
{
	struct fixture *f = *state;
	char *text, *line;

	strv_release(&f->win->settings.f.env);
	strv_release(&f->win->settings.f.build_args);
	cell_add_artifact(f->win, "/w/cells/os+gc/stage/usr/local/bin/app", "/w/cells/os+gc");
	/* configure as the cell did, then make's --eval, with LIBS for automake */
	f->r.recipe = xstrdup("autotools");
	text = render(f, f->win, "make");
	line = reproduce_line(text);
	assert_string_equal(line, "P=$PWD && mkdir -p build && cd build && \"$P/configure\" "
				  "CC=gcc CXX=g++ && make '--eval=%: override private CFLAGS += "
				  "-Os '\\''-DPRICE=$$5'\\''' '--eval=%: override private CXXFLAGS += "
				  "-Os '\\''-DPRICE=$$5'\\''' '--eval=%: override private LDFLAGS += "
				  "-Wl,--gc-sections' '--eval=%: override private LIBS += -lm' && make "
				  "install DESTDIR=\"$P/stage\" && cd \"$P\" && strip --strip-all "
				  "stage/usr/local/bin/app");
	/* the file the install put there, not a name from the build tree */
	tu_assert_contains(text, "\nOUNCE_ARTIFACT ?= stage/usr/local/bin/app\n");
	free(line);
	free(text);

	/* measured in the build tree under libtool: the program in .libs/, never the
	 * wrapper script of the same name beside it */
	cell_clear_artifacts(f->win);
	cell_add_artifact(f->win, "/w/cells/os+gc/build/.libs/app", "/w/cells/os+gc");
	text = render(f, f->win, "make");
	tu_assert_contains(text, "\nOUNCE_ARTIFACT ?= build/.libs/app\n");
	tu_assert_contains(text, " && cd \"$P\" && strip --strip-all build/.libs/app\n");
	assert_null(strstr(text, "make install"));
	free(text);
	cell_clear_artifacts(f->win);
	cell_add_artifact(f->win, "/w/cells/os+gc/stage/usr/local/bin/app", "/w/cells/os+gc");

	/* every kind of link, and the line that uses the cache file */
	free(f->r.recipe);
	f->r.recipe = xstrdup("cmake");
	text = render(f, f->win, "cmake");
	tu_assert_contains(text, "\nset(CMAKE_MODULE_LINKER_FLAGS \"-Wl,--gc-sections\" CACHE "
				 "STRING \"set by ounce\")\n");
	tu_assert_contains(text, "\nset(CMAKE_SHARED_LINKER_FLAGS \"-Wl,--gc-sections\" CACHE ");
	tu_assert_contains(text, "\nset(CMAKE_EXE_LINKER_FLAGS \"-Wl,--gc-sections\" CACHE ");
	line = reproduce_line(text);
	assert_string_equal(line, "cmake -C ounce.cmake -S . -B build && cmake --build build && "
				  "cmake --install build --prefix \"$PWD/stage\" && strip "
				  "--strip-all stage/usr/local/bin/app");
	free(line);
	free(text);
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
		T(test_emit_make_quoting_survives_make_and_sub_makes),
		T(test_emit_make_artifact_path_from_the_root),
		T(test_emit_env_lines),
		T(test_emit_env_runs_in_real_sh),
		T(test_emit_json),
		T(test_emit_baseline_winner),
		T(test_emit_cmake_release),
		T(test_emit_cmake_dev_and_baseline),
		T(test_emit_cmake_runs_in_real_cmake),
		T(test_emit_cmake_list_option_keeps_its_items),
		T(test_emit_meson),
		T(test_emit_cargo_profile_section),
		T(test_emit_cargo_dev_and_default_builds),
		T(test_emit_form_must_fit_the_toolchain),
		T(test_emit_wrapper_decides_as_ounces_wrapper),
		T(test_emit_wrapper_post_and_reproduce_lines),
		T(test_emit_wrapper_here_document_ends_once),
		T(test_emit_autotools_and_cmake_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
