/* test_profile.c: profiles from INI files (temporary ones and the real
 * profiles/ directory) and their composition into one build's settings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/strv.h"
#include "config/profile.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct profile_set set;
};

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));

	f->set = (struct profile_set)PROFILE_SET_INIT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	profile_set_release(&f->set);
	return tu_fixture_free(f);
}

static void
test_profile_load_file_parses_every_key(void **state)
{
	struct fixture *f = *state;
	char *path = tu_write_file(f->t.dir, "tiny.ini",
				   "; a test profile\n"
				   "[profile]\n"
				   "summary = make it tiny\n"
				   "stage = link\n"
				   "tradeoff = speed\n"
				   "tradeoff_note = slower\n"
				   "order = 42\n"
				   "default = no\n"
				   "cflags = -Os -g0\n"
				   "cflags = -fno-ident\n"
				   "ldflags = -Wl,--gc-sections\n"
				   "libs = -lm\n"
				   "env = MALLOC_ARENA_MAX=2\n"
				   "post = strip --strip-all {artifact}\n"
				   "build_args = V=1 'NAME=a b'\n"
				   "\n"
				   "[gcc]\n"
				   "cflags = -fgcc-only\n"
				   "ldflags = -Wl,-O1\n"
				   "\n"
				   "[clang]\n"
				   "cflags = -Oz\n"
				   "env = CLANG_ONLY=1\n");
	struct profile *p = profile_load_file(&f->set, path);

	assert_non_null(p);
	assert_int_equal(f->set.n, 1);
	assert_ptr_equal(profile_find(&f->set, "tiny"), p);
	assert_string_equal(p->name, "tiny");
	assert_string_equal(p->file, path);
	assert_string_equal(p->summary, "make it tiny");
	assert_int_equal(p->stage, STAGE_LINK);
	assert_string_equal(p->tradeoff, "speed");
	assert_string_equal(p->tradeoff_note, "slower");
	assert_int_equal(p->order, 42);
	assert_false(p->in_default);
	assert_null(p->compiler);
	TU_WORDS(&p->all.cflags, "-Os", "-g0", "-fno-ident");
	TU_WORDS(&p->all.ldflags, "-Wl,--gc-sections");
	TU_WORDS(&p->all.libs, "-lm");
	TU_WORDS(&p->all.env, "MALLOC_ARENA_MAX=2");
	TU_WORDS(&p->all.post, "strip --strip-all {artifact}");
	TU_WORDS(&p->all.build_args, "V=1", "NAME=a b");
	TU_WORDS(&p->gcc.cflags, "-fgcc-only");
	TU_WORDS(&p->gcc.ldflags, "-Wl,-O1");
	assert_int_equal(p->gcc.env.n, 0);
	TU_WORDS(&p->clang.cflags, "-Oz");
	TU_WORDS(&p->clang.env, "CLANG_ONLY=1");
	assert_int_equal(p->clang.ldflags.n, 0);
	assert_false(profile_is_security(p));
	free(path);
}

static void
test_profile_load_file_defaults(void **state)
{
	struct fixture *f = *state;
	char *path = tu_write_file(f->t.dir, "min_1.ini", "[profile]\nsummary = minimal\n");
	struct profile *p = profile_load_file(&f->set, path);

	assert_non_null(p);
	assert_string_equal(p->name, "min_1");
	assert_string_equal(p->tradeoff, "none");
	assert_null(p->tradeoff_note);
	assert_int_equal(p->stage, STAGE_COMPILE);
	assert_true(p->in_default);
	assert_int_equal(p->order, 1000);
	assert_null(p->compiler);
	assert_null(p->cxx);
	assert_int_equal(p->all.cflags.n + p->gcc.cflags.n + p->clang.cflags.n, 0);
	free(path);

	path = tu_write_file(f->t.dir, "cl.ini",
			     "[profile]\nsummary = clang\ncompiler = clang\ncxx = clang++-14\n"
			     "stage = post-link\ntradeoff = security\n");
	p = profile_load_file(&f->set, path);
	assert_non_null(p);
	assert_string_equal(p->compiler, "clang");
	assert_string_equal(p->cxx, "clang++-14");
	assert_int_equal(p->stage, STAGE_POST_LINK);
	assert_true(profile_is_security(p));
	free(path);
}

/* Load a profile file that must be refused with message want (at line, or 0). */
static void
check_refused(struct fixture *f, const char *name, const char *text, int line, const char *want)
{
	char *path = tu_write_file(f->t.dir, name, text);
	char *err, *where;

	tu_capture_begin(&f->t);
	assert_null(profile_load_file(&f->set, path));
	err = tu_capture_end(&f->t);
	where = line ? xasprintf("%s:%d: error: %s", path, line, want)
		     : xasprintf("%s: error: %s", path, want);
	tu_assert_contains(err, where);
	free(where);
	free(err);
	free(path);
}

static void
test_profile_load_file_refuses_bad_entries(void **state)
{
	struct fixture *f = *state;

	check_refused(f, "a.ini", "[profile]\nsummary = s\nsumary = typo\n", 3, "unknown key");
	check_refused(f, "b.ini", "[profile]\nsummary = s\ntradeoff = size\n", 3,
		      "unknown tradeoff");
	check_refused(f, "c.ini", "[profile]\nsummary = s\nstage = postlink\n", 3,
		      "unknown stage");
	check_refused(f, "d.ini", "[profile]\nstage = link\n", 0, "profile 'd' has no summary");
	check_refused(f, "e.ini", "[profile]\nsummary = s\norder = -1\n", 3,
		      "order must be a number");
	check_refused(f, "f.ini", "[profile]\nsummary = s\norder = 12x\n", 3,
		      "order must be a number");
	check_refused(f, "g.ini", "[profile]\nsummary = s\ndefault = perhaps\n", 3,
		      "default must be yes or no");
	check_refused(f, "h.ini", "[profile]\nsummary = s\nenv = NOVALUE\n", 3,
		      "env must be NAME=VALUE");
	check_refused(f, "i.ini", "[profile]\nsummary = s\nenv = =x\n", 3,
		      "env must be NAME=VALUE");
	check_refused(f, "j.ini", "[profile]\nsummary = s\ncompiler = tcc\n", 3,
		      "compiler must be gcc or clang");
	check_refused(f, "k.ini", "[profile]\nsummary = s\npost = '{artifact}\n", 3,
		      "unterminated single quote");
	check_refused(f, "k2.ini", "[profile]\nsummary = s\n[gcc]\nbuild_args = V=1 \"X\n", 4,
		      "unterminated double quote");
	check_refused(f, "l.ini", "summary = s\n", 1, "key outside a section");
	check_refused(f, "m.ini", "[profile]\nsummary = s\n[msvc]\ncflags = /O1\n", 4,
		      "unknown section");
	check_refused(f, "n.ini", "[profile]\nsummary = s\n[gcc]\nsummary = t\n", 4,
		      "unknown key in a toolchain section");
	check_refused(f, "Upper.ini", "[profile]\nsummary = s\n", 0,
		      "profile file names must be lowercase");
}

static void
test_profile_bad_post_step_frees_its_words(void **state)
{
	struct fixture *f = *state;

	check_refused(f, "p.ini", "[profile]\nsummary = s\npost = strip '{artifact}\n", 3,
		      "unterminated single quote");
}

static void
test_profile_load_dir_sorts_by_order_then_name(void **state)
{
	struct fixture *f = *state;
	char *paths[6];

	paths[0] = tu_write_file(f->t.dir, "b.ini", "[profile]\nsummary = b\norder = 10\n");
	paths[1] = tu_write_file(f->t.dir, "a.ini", "[profile]\nsummary = a\norder = 10\n");
	paths[2] = tu_write_file(f->t.dir, "c.ini", "[profile]\nsummary = c\norder = 5\n");
	paths[3] = tu_write_file(f->t.dir, "d.ini", "[profile]\nsummary = d\n");
	paths[4] = tu_write_file(f->t.dir, "z.ini", "[profile]\nsummary = z\norder = 0\n");
	/* not profiles: */
	paths[5] = tu_write_file(f->t.dir, "README", "[profile]\nnot = a profile\n");
	for (int i = 0; i < 6; i++) {
		free(paths[i]);
	}
	free(tu_write_file(f->t.dir, "e.ini.bak", "garbage"));
	free(tu_write_file(f->t.dir, ".ini", "garbage"));

	assert_int_equal(profile_load_dir(&f->set, f->t.dir), 0);
	assert_int_equal(f->set.n, 5);
	assert_string_equal(f->set.v[0]->name, "z");
	assert_string_equal(f->set.v[1]->name, "c");
	assert_string_equal(f->set.v[2]->name, "a");
	assert_string_equal(f->set.v[3]->name, "b");
	assert_string_equal(f->set.v[4]->name, "d");
}

static void
test_profile_load_dir_errors(void **state)
{
	struct fixture *f = *state;
	char *missing = xasprintf("%s/nope", f->t.dir);
	char *err;

	free(tu_write_file(f->t.dir, "good.ini", "[profile]\nsummary = fine\n"));
	free(tu_write_file(f->t.dir, "bad.ini", "[profile]\nsummary = s\nfrobnicate = yes\n"));
	tu_capture_begin(&f->t);
	assert_int_equal(profile_load_dir(&f->set, f->t.dir), -1);
	assert_int_equal(profile_load_dir(&f->set, missing), -1);
	err = tu_capture_end(&f->t);
	assert_non_null(strstr(err, "bad.ini:3: error: unknown key"));
	assert_non_null(strstr(err, "cannot open profile directory"));
	free(err);
	free(missing);
}

static void
test_profile_define_and_replace(void **state)
{
	struct fixture *f = *state;
	struct profile *p, *q;

	p = profile_define(&f->set, "mine", "ounce.ini", false);
	assert_non_null(p);
	assert_string_equal(p->name, "mine");
	assert_string_equal(p->file, "ounce.ini");
	assert_string_equal(p->tradeoff, "none");
	assert_int_equal(p->order, 1000);
	assert_true(p->in_default);
	assert_null(profile_set_key(&f->set, p, NULL, "summary", "first"));
	assert_null(profile_set_key(&f->set, p, NULL, "order", "7"));
	assert_null(profile_set_key(&f->set, p, NULL, "default", "off"));
	assert_null(profile_set_key(&f->set, p, "gcc", "cflags", "-Os"));
	assert_non_null(profile_set_key(&f->set, p, "msvc", "cflags", "/O1"));

	/* without replace, the same profile */
	q = profile_define(&f->set, "mine", "other.ini", false);
	assert_ptr_equal(p, q);
	assert_string_equal(q->summary, "first");
	assert_int_equal(f->set.n, 1);

	/* with replace, an empty profile in the same place and stack position */
	q = profile_define(&f->set, "mine", "other.ini", true);
	assert_ptr_equal(p, q);
	assert_int_equal(f->set.n, 1);
	assert_null(q->summary);
	assert_string_equal(q->file, "other.ini");
	assert_int_equal(q->gcc.cflags.n, 0);
	assert_int_equal(q->order, 7);
	assert_false(q->in_default);

	assert_null(profile_find(&f->set, "yours"));
	assert_string_equal(profile_stage_name(STAGE_COMPILE), "compile");
	assert_string_equal(profile_stage_name(STAGE_LINK), "link");
	assert_string_equal(profile_stage_name(STAGE_POST_LINK), "post-link");
}

static void
test_profile_is_security(void **state)
{
	struct profile p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_false(profile_is_security(&p));
	p.tradeoff = (char *)"security";
	assert_true(profile_is_security(&p));
	p.tradeoff = (char *)"speed";
	assert_false(profile_is_security(&p));
	p.tradeoff = (char *)"none";
	assert_false(profile_is_security(&p));
}

/* Define a profile in f's set from key/value pairs (toolchain "gcc:" or "clang:"
 * prefixes a key of that section). */
static struct profile *
make(struct fixture *f, const char *name, const char *const *kv)
{
	struct profile *p = profile_define(&f->set, name, "test", true);

	for (; kv[0]; kv += 2) {
		const char *colon = strchr(kv[0], ':');
		char *tool = colon ? xstrndup(kv[0], (size_t)(colon - kv[0])) : NULL;

		assert_null(profile_set_key(&f->set, p, tool, colon ? colon + 1 : kv[0], kv[1]));
		free(tool);
	}
	return p;
}

#define MAKE(f, name, ...) make((f), (name), (const char *const[]){__VA_ARGS__, NULL})

static void
test_profile_settings_compose_gcc(void **state)
{
	struct fixture *f = *state;
	struct settings s = SETTINGS_INIT;
	struct profile *v[2];

	v[0] = MAKE(f, "one", "summary", "1", "cflags", "-Os", "gcc:cflags", "-fgcc1",
		    "clang:cflags", "-fclang1", "env", "X=1", "ldflags", "-Wl,-O1", "libs", "-lm");
	v[1] = MAKE(f, "two", "summary", "2", "cflags", "-g0", "gcc:cflags", "-fgcc2", "env", "X=2",
		    "env", "Y=a b", "gcc:env", "Z=gcc", "post", "strip {artifact}", "gcc:post",
		    "true {artifact}", "build_args", "V=1", "libs", "-lpthread");
	settings_compose(&s, v, 2);
	assert_string_equal(s.toolchain, "gcc");
	assert_string_equal(s.cc, "gcc");
	assert_string_equal(s.cxx, "g++");
	/* each profile adds its common flags, then its toolchain's */
	TU_WORDS(&s.f.cflags, "-Os", "-fgcc1", "-g0", "-fgcc2");
	TU_WORDS(&s.f.ldflags, "-Wl,-O1");
	TU_WORDS(&s.f.libs, "-lm", "-lpthread");
	/* the later profile's value wins, in the place of the first */
	TU_WORDS(&s.f.env, "X=2", "Y=a b", "Z=gcc");
	TU_WORDS(&s.f.post, "strip {artifact}", "true {artifact}");
	TU_WORDS(&s.f.build_args, "V=1");
	settings_release(&s);
	assert_null(s.toolchain);

	/* order matters */
	v[0] = profile_find(&f->set, "two");
	v[1] = profile_find(&f->set, "one");
	settings_compose(&s, v, 2);
	TU_WORDS(&s.f.cflags, "-g0", "-fgcc2", "-Os", "-fgcc1");
	TU_WORDS(&s.f.env, "X=1", "Y=a b", "Z=gcc");
	settings_release(&s);
}

static void
test_profile_settings_compose_clang_anywhere(void **state)
{
	struct fixture *f = *state;
	struct settings s = SETTINGS_INIT;
	struct profile *os, *cl, *gc, *v[3];

	os = MAKE(f, "os", "summary", "s", "gcc:cflags", "-Os", "clang:cflags", "-Oz");
	gc = MAKE(f, "gc", "summary", "s", "cflags", "-ffunction-sections", "clang:ldflags",
		  "-Wl,--icf=all", "gcc:ldflags", "-Wl,--gc-sections");
	cl = MAKE(f, "clang", "summary", "s", "compiler", "clang");

	/* the compiler profile last still switches the earlier ones to clang flags */
	v[0] = os;
	v[1] = gc;
	v[2] = cl;
	settings_compose(&s, v, 3);
	assert_string_equal(s.toolchain, "clang");
	assert_string_equal(s.cc, "clang");
	assert_string_equal(s.cxx, "clang++");
	TU_WORDS(&s.f.cflags, "-Oz", "-ffunction-sections");
	TU_WORDS(&s.f.ldflags, "-Wl,--icf=all");
	settings_release(&s);

	v[0] = cl;
	v[1] = os;
	settings_compose(&s, v, 2);
	assert_string_equal(s.toolchain, "clang");
	TU_WORDS(&s.f.cflags, "-Oz");
	settings_release(&s);

	v[0] = os;
	settings_compose(&s, v, 1);
	assert_string_equal(s.toolchain, "gcc");
	TU_WORDS(&s.f.cflags, "-Os");
	settings_release(&s);

	/* no profile at all: the gcc baseline */
	settings_compose(&s, v, 0);
	assert_string_equal(s.toolchain, "gcc");
	assert_string_equal(s.cc, "gcc");
	assert_string_equal(s.cxx, "g++");
	assert_int_equal(s.f.cflags.n + s.f.ldflags.n + s.f.env.n + s.f.post.n, 0);
	settings_release(&s);
}

static void
test_profile_settings_compose_last_compiler_wins(void **state)
{
	struct fixture *f = *state;
	struct settings s = SETTINGS_INIT;
	struct profile *v[2];

	v[0] = MAKE(f, "cl", "summary", "s", "compiler", "clang", "cxx", "clang++-16",
		    "clang:cflags", "-Oz", "gcc:cflags", "-Os");
	v[1] = MAKE(f, "back", "summary", "s", "compiler", "gcc");
	settings_compose(&s, v, 2);
	assert_string_equal(s.toolchain, "gcc");
	assert_string_equal(s.cxx, "g++");
	TU_WORDS(&s.f.cflags, "-Os");
	settings_release(&s);

	settings_compose(&s, v, 1);
	assert_string_equal(s.cc, "clang");
	assert_string_equal(s.cxx, "clang++-16");
	settings_release(&s);
}

static void
test_profile_real_profiles_load(void **state)
{
	struct fixture *f = *state;
	char *dir = tu_source_path("profiles");
	const struct profile *p;

	assert_int_equal(profile_load_dir(&f->set, dir), 0);
	free(dir);
	assert_true(f->set.n > 0);
	for (size_t i = 0; i < f->set.n; i++) {
		p = f->set.v[i];
		assert_non_null(p->summary);
		assert_true(strlen(p->summary) > 0);
		assert_non_null(p->tradeoff);
		if (i) {
			assert_true(f->set.v[i - 1]->order <= p->order);
		}
	}

	p = profile_find(&f->set, "strip");
	assert_non_null(p);
	assert_int_equal(p->stage, STAGE_POST_LINK);
	assert_true(p->all.post.n > 0);
	assert_non_null(strstr(p->all.post.v[0], "{artifact}"));
	assert_false(profile_is_security(p));

	for (size_t i = 0; i < 3; i++) {
		static const char *const sec[] = {"nopie", "nossp", "norelro"};

		p = profile_find(&f->set, sec[i]);
		assert_non_null(p);
		if (!profile_is_security(p)) {
			fail_msg("profile '%s' should trade away security", sec[i]);
		}
	}

	p = profile_find(&f->set, "os");
	assert_non_null(p);
	assert_false(profile_is_security(p));
	assert_true(strv_has(&p->gcc.cflags, "-Os"));
	assert_true(strv_has(&p->clang.cflags, "-Oz"));
	assert_false(strv_has(&p->all.cflags, "-Os"));
}

static void
test_profile_real_profiles_compose(void **state)
{
	struct fixture *f = *state;
	char *dir = tu_source_path("profiles");
	struct settings s = SETTINGS_INIT;
	struct profile *v[2];

	assert_int_equal(profile_load_dir(&f->set, dir), 0);
	free(dir);
	v[0] = profile_find(&f->set, "os");
	v[1] = profile_find(&f->set, "clang");
	assert_non_null(v[0]);
	assert_non_null(v[1]);
	settings_compose(&s, v, 1);
	assert_string_equal(s.toolchain, "gcc");
	assert_true(strv_has(&s.f.cflags, "-Os"));
	assert_false(strv_has(&s.f.cflags, "-Oz"));
	settings_release(&s);
	settings_compose(&s, v, 2);
	assert_string_equal(s.toolchain, "clang");
	assert_true(strv_has(&s.f.cflags, "-Oz"));
	assert_false(strv_has(&s.f.cflags, "-Os"));
	settings_release(&s);
}

static void
test_profile_cargo_section(void **state)
{
	struct fixture *f = *state;
	char *path = tu_write_file(f->t.dir, "rs.ini",
				   "[profile]\n"
				   "summary = rust things\n"
				   "[cargo]\n"
				   "env = CARGO_PROFILE_{BUILD}_LTO=fat\n"
				   "env = CARGO_INCREMENTAL=0\n"
				   "rustflags = -C target-cpu=native\n"
				   "rustflags = -Zlocation-detail=none\n"
				   "build_args = -Z 'build-std=std,panic_abort'\n"
				   "configure_args = --ignored\n");
	struct profile *p = profile_load_file(&f->set, path);

	assert_non_null(p);
	assert_true(p->has_cargo);
	TU_WORDS(&p->cargo.env, "CARGO_PROFILE_{BUILD}_LTO=fat", "CARGO_INCREMENTAL=0");
	TU_WORDS(&p->cargo.rustflags, "-C", "target-cpu=native", "-Zlocation-detail=none");
	TU_WORDS(&p->cargo.build_args, "-Z", "build-std=std,panic_abort");
	TU_WORDS(&p->cargo.configure_args, "--ignored");
	/* nothing leaks into the other sections */
	assert_int_equal(p->all.env.n + p->all.rustflags.n + p->all.build_args.n, 0);
	assert_int_equal(p->gcc.env.n + p->clang.env.n, 0);
	free(path);

	path = tu_write_file(f->t.dir, "c.ini", "[profile]\nsummary = c\ncflags = -Os\n");
	p = profile_load_file(&f->set, path);
	assert_non_null(p);
	assert_false(p->has_cargo);
	free(path);

	check_refused(f, "bad1.ini", "[profile]\nsummary = s\n[cargo]\nenv = LTO\n", 4,
		      "env must be NAME=VALUE");
	check_refused(f, "bad2.ini", "[profile]\nsummary = s\n[cargo]\nsummary = t\n", 4,
		      "unknown key in a toolchain section");
	check_refused(f, "bad3.ini", "[profile]\nsummary = s\n[cargo]\nbuild_args = 'x\n", 4,
		      "unterminated single quote");
}

static void
test_profile_configure_args_key(void **state)
{
	struct fixture *f = *state;
	struct settings s = SETTINGS_INIT;
	struct profile *v[2];

	v[0] = MAKE(f, "one", "summary", "1", "configure_args", "-DUSE_FOO=OFF '-DNAME=a b'",
		    "gcc:configure_args", "-DGCC=1", "clang:configure_args", "-DCLANG=1");
	v[1] = MAKE(f, "two", "summary", "2", "configure_args", "--disable-nls");
	TU_WORDS(&v[0]->all.configure_args, "-DUSE_FOO=OFF", "-DNAME=a b");
	TU_WORDS(&v[0]->gcc.configure_args, "-DGCC=1");
	settings_compose(&s, v, 2);
	TU_WORDS(&s.f.configure_args, "-DUSE_FOO=OFF", "-DNAME=a b", "-DGCC=1", "--disable-nls");
	settings_release(&s);

	assert_string_equal(profile_set_key(&f->set, v[1], NULL, "configure_args", "\"open"),
			    "unterminated double quote");
}

static void
test_profile_applies_by_toolchain(void **state)
{
	struct fixture *f = *state;
	struct profile *rust, *c, *both, *gcconly, *empty, *compiler;

	rust = MAKE(f, "rust", "summary", "r", "cargo:env", "CARGO_PROFILE_{BUILD}_LTO=fat");
	c = MAKE(f, "c", "summary", "c", "cflags", "-Os");
	both = MAKE(f, "both", "summary", "b", "ldflags", "-Wl,-O1", "cargo:rustflags",
		    "-Copt-level=s");
	gcconly = MAKE(f, "gcconly", "summary", "g", "gcc:cflags", "-fno-ident", "cargo:env",
		       "A=1");
	compiler = MAKE(f, "cl", "summary", "cl", "compiler", "clang", "cargo:env", "CC=clang");
	empty = MAKE(f, "empty", "summary", "e");

	/* only a [cargo] section: Rust only */
	assert_true(profile_applies(rust, "cargo"));
	assert_false(profile_applies(rust, NULL));
	/* only C flags: C only */
	assert_true(profile_applies(c, NULL));
	assert_false(profile_applies(c, "cargo"));
	/* both */
	assert_true(profile_applies(both, NULL));
	assert_true(profile_applies(both, "cargo"));
	assert_true(profile_applies(gcconly, NULL));
	assert_true(profile_applies(gcconly, "cargo"));
	assert_true(profile_applies(compiler, NULL));
	assert_true(profile_applies(compiler, "cargo"));
	/* a profile with nothing in it is a C profile (a no-op, but not Rust's) */
	assert_true(profile_applies(empty, NULL));
	assert_false(profile_applies(empty, "cargo"));
	/* an empty [cargo] section still makes it apply to cargo */
	assert_null(profile_set_key(&f->set, empty, "cargo", "rustflags", ""));
	assert_true(empty->has_cargo);
	assert_true(profile_applies(empty, "cargo"));
}

static void
test_profile_settings_compose_cargo(void **state)
{
	struct fixture *f = *state;
	struct settings s = SETTINGS_INIT;
	struct profile *v[3];

	v[0] = MAKE(f, "lto", "summary", "l", "cflags", "-flto", "gcc:ldflags", "-flto",
		    "cargo:env", "CARGO_PROFILE_{BUILD}_LTO=fat", "cargo:rustflags", "-Cfoo=1");
	v[1] = MAKE(f, "clang", "summary", "c", "compiler", "clang", "clang:cflags", "-Oz");
	v[2] = MAKE(f, "oz", "summary", "o", "cargo:env", "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z",
		    "cargo:env", "CARGO_PROFILE_{BUILD}_LTO=thin", "cargo:rustflags",
		    "-Cbar=2 -Cbaz=3", "cargo:build_args", "--locked");
	settings_compose_cargo(&s, v, 3);
	/* a compiler profile does not switch a Cargo build */
	assert_string_equal(s.toolchain, "cargo");
	assert_non_null(s.cc);
	assert_non_null(s.cxx);
	/* only the [cargo] sections count */
	assert_int_equal(s.f.cflags.n + s.f.ldflags.n + s.f.libs.n + s.f.post.n, 0);
	TU_WORDS(&s.f.rustflags, "-Cfoo=1", "-Cbar=2", "-Cbaz=3");
	/* {BUILD} stays for emit and the cell to fill in; the later value wins in place */
	TU_WORDS(&s.f.env, "CARGO_PROFILE_{BUILD}_LTO=thin", "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z");
	TU_WORDS(&s.f.build_args, "--locked");
	settings_release(&s);

	/* the C composition leaves the [cargo] sections out */
	settings_compose(&s, v, 3);
	assert_string_equal(s.toolchain, "clang");
	assert_int_equal(s.f.rustflags.n + s.f.env.n + s.f.build_args.n, 0);
	TU_WORDS(&s.f.cflags, "-flto", "-Oz");
	settings_release(&s);

	/* no profile: the Cargo baseline */
	settings_compose_cargo(&s, v, 0);
	assert_string_equal(s.toolchain, "cargo");
	assert_int_equal(s.f.env.n + s.f.rustflags.n, 0);
	settings_release(&s);
}

static void
test_profile_real_profiles_cargo(void **state)
{
	struct fixture *f = *state;
	char *dir = tu_source_path("profiles");
	static const char *const rust[] = {"lto", "abort", "strip", "cgu1", "os", "oz"};
	struct settings s = SETTINGS_INIT;
	struct profile *v[2];
	const struct profile *p;

	assert_int_equal(profile_load_dir(&f->set, dir), 0);
	free(dir);
	for (size_t i = 0; i < sizeof(rust) / sizeof(*rust); i++) {
		p = profile_find(&f->set, rust[i]);
		if (!p) {
			fail_msg("no real profile '%s'", rust[i]);
		}
		assert_true(p->has_cargo);
		assert_true(profile_applies(p, "cargo"));
		assert_true(p->cargo.env.n > 0);
		for (size_t j = 0; j < p->cargo.env.n; j++) {
			if (strncmp(p->cargo.env.v[j], "CARGO_PROFILE_{BUILD}_", 22)) {
				fail_msg("profile '%s': cargo env '%s'", rust[i],
					 p->cargo.env.v[j]);
			}
		}
	}
	p = profile_find(&f->set, "oz");
	assert_false(profile_applies(p, NULL));
	TU_WORDS(&p->cargo.env, "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z");
	p = profile_find(&f->set, "os");
	assert_true(profile_applies(p, NULL));
	TU_WORDS(&p->cargo.env, "CARGO_PROFILE_{BUILD}_OPT_LEVEL=s");
	/* a C-only profile does not apply to Cargo builds */
	p = profile_find(&f->set, "gc");
	assert_non_null(p);
	assert_false(p->has_cargo);
	assert_true(profile_applies(p, NULL));
	assert_false(profile_applies(p, "cargo"));

	/* os then oz: the later opt-level wins */
	v[0] = profile_find(&f->set, "os");
	v[1] = profile_find(&f->set, "oz");
	settings_compose_cargo(&s, v, 2);
	TU_WORDS(&s.f.env, "CARGO_PROFILE_{BUILD}_OPT_LEVEL=z");
	settings_release(&s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* conflicts: always, or only for the compiler the cell is built with; dimension;
 * post-only profiles */
static void
test_profile_conflicts_dimension_post_only(void **state)
{
	struct fixture *f = *state;
	char *paths[5];
	struct profile *lld, *lto, *clang, *strip, *odd;
	struct profile *v[3];
	char buf[128];

	paths[0] = tu_write_file(f->t.dir, "lld.ini", "[profile]\nsummary = l\ndimension = linker\n"
				 "ldflags = -fuse-ld=lld\n[gcc]\nconflicts = lto cgu1\n");
	paths[1] = tu_write_file(f->t.dir, "lto.ini", "[profile]\nsummary = t\ncflags = -flto\n");
	paths[2] = tu_write_file(f->t.dir, "clang.ini", "[profile]\nsummary = c\ncompiler = clang\n"
				 "dimension = compiler\n");
	paths[3] = tu_write_file(f->t.dir, "strip.ini", "[profile]\nsummary = s\n"
				 "post = strip {artifact}\n[cargo]\nenv = CARGO_PROFILE_{BUILD}_STRIP=symbols\n");
	paths[4] = tu_write_file(f->t.dir, "odd.ini", "[profile]\nsummary = o\nconflicts = strip\n"
				 "post = true\ncflags = -g0\n");
	lld = profile_load_file(&f->set, paths[0]);
	lto = profile_load_file(&f->set, paths[1]);
	clang = profile_load_file(&f->set, paths[2]);
	strip = profile_load_file(&f->set, paths[3]);
	odd = profile_load_file(&f->set, paths[4]);
	assert_non_null(lld);
	assert_non_null(lto);
	assert_non_null(clang);
	assert_non_null(strip);
	assert_non_null(odd);
	assert_string_equal(lld->dimension, "linker");
	assert_null(lto->dimension);
	/* one dimension: alternatives; none: a dimension of its own */
	assert_true(profile_same_dimension(lld, lld));
	assert_false(profile_same_dimension(lld, clang));
	assert_false(profile_same_dimension(lto, lto));
	assert_false(profile_same_dimension(lto, lld));

	v[0] = lto;
	v[1] = lld;
	assert_non_null(profile_conflict(v, 2, buf, sizeof(buf)));
	assert_string_equal(buf, "'lld' cannot go with 'lto' when gcc builds");
	/* with clang, lld links LTO objects */
	v[2] = clang;
	assert_null(profile_conflict(v, 3, buf, sizeof(buf)));
	assert_null(profile_conflict(v, 1, buf, sizeof(buf)));
	/* a [profile] conflict holds for every compiler, either way round */
	v[0] = strip;
	v[1] = odd;
	assert_non_null(profile_conflict(v, 2, buf, sizeof(buf)));
	assert_string_equal(buf, "'odd' cannot go with 'strip'");

	/* post-only: strip for C, not for Cargo (an environment variable there), and
	 * not a profile that also compiles */
	assert_true(profile_post_only(strip, NULL, "make"));
	assert_false(profile_post_only(strip, "cargo", "cargo"));
	assert_false(profile_post_only(odd, NULL, "make"));
	assert_false(profile_post_only(lto, NULL, "make"));
	for (size_t i = 0; i < 5; i++) {
		free(paths[i]);
	}
	check_refused(f, "bad.ini", "[profile]\nsummary = b\n[cargo]\nconflicts = lto\n", 4,
		      "conflicts belongs in [profile], [gcc] or [clang]");
	check_refused(f, "bad2.ini", "[profile]\nsummary = b\ndimension = two words\n", 3,
		      "dimension must be one word");
}

/* implies: in [profile] for C builds, [gcc] or [clang] for the compiler that
 * builds the cell, [cargo] for Cargo; profile_reduce leaves out what another
 * profile of the cell implies, and a bad entry is refused at its line */
static void
test_profile_implies(void **state)
{
	struct fixture *f = *state;
	const char *const inis[][2] = {
		{"lto.ini", "[profile]\nsummary = t\n[gcc]\ncflags = -flto=auto\n"},
		{"cgu1.ini", "[profile]\nsummary = c\n[gcc]\ncflags = -flto -flto-partition=one\n"
			     "implies = lto\n[cargo]\nenv = CARGO_PROFILE_{BUILD}_CODEGEN_UNITS=1\n"},
		{"abort.ini", "[profile]\nsummary = a\ncflags = -fno-unwind-tables\n"},
		{"noehhdr.ini", "[profile]\nsummary = n\ncflags = -fno-unwind-tables\n"
				"implies = abort\n"},
		{"strip.ini", "[profile]\nsummary = s\npost = strip {artifact}\n"},
		{"sstrip.ini", "[profile]\nsummary = ss\npost = strip {artifact}\nimplies = strip\n"
			       "[cargo]\nimplies = strip\n[clang]\nimplies = abort lto\n"},
		{"clang.ini", "[profile]\nsummary = k\ncompiler = clang\n"},
		{"usesclang.ini", "[profile]\nsummary = u\nimplies = clang\n"},
		{"loop.ini", "[profile]\nsummary = l\nimplies = gc\n"},
		{"gc.ini", "[profile]\nsummary = g\nimplies = loop\n"},
	};
	struct profile *p[10], *v[8];
	size_t n;

	for (size_t i = 0; i < 10; i++) {
		char *path = tu_write_file(f->t.dir, inis[i][0], inis[i][1]);

		p[i] = profile_load_file(&f->set, path);
		assert_non_null(p[i]);
		free(path);
	}
	TU_WORDS(&p[1]->implies_gcc, "lto");
	assert_int_equal(p[1]->implies.n, 0);
	assert_int_equal(p[1]->implies_clang.n, 0);
	assert_int_equal(p[1]->implies_cargo.n, 0);
	TU_WORDS(&p[5]->implies, "strip");
	TU_WORDS(&p[5]->implies_cargo, "strip");
	TU_WORDS(&p[5]->implies_clang, "abort", "lto");
	/* an implication alone is not a Cargo section */
	assert_false(p[3]->has_cargo);

	/* gcc: lto+cgu1 is cgu1, whichever order */
	v[0] = p[0];
	v[1] = p[1];
	assert_int_equal(profile_reduce(v, 2, NULL), 1);
	assert_ptr_equal(v[0], p[1]);
	v[0] = p[1];
	v[1] = p[0];
	assert_int_equal(profile_reduce(v, 2, NULL), 1);
	assert_ptr_equal(v[0], p[1]);
	/* not under clang, nor Cargo */
	v[0] = p[0];
	v[1] = p[1];
	v[2] = p[6];
	assert_int_equal(profile_reduce(v, 3, NULL), 3);
	assert_int_equal(profile_reduce(v, 2, "cargo"), 2);
	/* [profile]: every compiler; [clang] adds to it under clang */
	v[0] = p[2];
	v[1] = p[3];
	v[2] = p[4];
	v[3] = p[5];
	assert_int_equal(profile_reduce(v, 4, NULL), 2);
	assert_ptr_equal(v[0], p[3]);
	assert_ptr_equal(v[1], p[5]);
	v[0] = p[0];
	v[1] = p[2];
	v[2] = p[4];
	v[3] = p[5];
	v[4] = p[6];
	assert_int_equal(profile_reduce(v, 5, NULL), 2);
	assert_ptr_equal(v[0], p[5]);
	assert_ptr_equal(v[1], p[6]);
	/* Cargo: only [cargo]'s */
	v[0] = p[2];
	v[1] = p[4];
	v[2] = p[5];
	n = profile_reduce(v, 3, "cargo");
	assert_int_equal(n, 2);
	assert_ptr_equal(v[0], p[2]);
	assert_ptr_equal(v[1], p[5]);
	/* a profile that names the compiler stays, so the cell's compiler does */
	v[0] = p[6];
	v[1] = p[7];
	assert_int_equal(profile_reduce(v, 2, NULL), 2);
	/* two that imply each other: the first stays */
	v[0] = p[8];
	v[1] = p[9];
	assert_int_equal(profile_reduce(v, 2, NULL), 1);
	assert_ptr_equal(v[0], p[8]);
	assert_int_equal(profile_reduce(v, 0, NULL), 0);

	check_refused(f, "bad1.ini", "[profile]\nsummary = b\n[recipe:cmake]\nimplies = lto\n", 4,
		      "implies belongs in [profile], [gcc], [clang] or [cargo]");
	check_refused(f, "bad2.ini", "[profile]\nsummary = b\nimplies = bad2\n", 3,
		      "a profile cannot imply itself");
	check_refused(f, "bad3.ini", "[profile]\nsummary = b\n[gcc]\nimplies = lto Cgu1\n", 4,
		      "implies must name profiles");
	check_refused(f, "bad4.ini", "[profile]\nsummary = b\nimplies =\n", 3,
		      "implies must name the profiles this one includes");
}

/* Cargo profiles that only add link arguments (relinkable) and what they add */
static void
test_profile_cargo_link_only(void **state)
{
	struct fixture *f = *state;
	const char *const inis[][2] = {
		{"relr.ini", "[profile]\nsummary = r\n[cargo]\n"
			     "rustflags = -C link-arg=-Wl,-z,pack-relative-relocs -Clink-arg=-s\n"},
		{"list.ini", "[profile]\nsummary = l\n[cargo]\nrustflags = -C link-args=-a\n"},
		{"ld.ini", "[profile]\nsummary = d\n[cargo]\nldflags = -Wl,--icf=all\n"},
		{"opt.ini", "[profile]\nsummary = o\n[cargo]\n"
			    "rustflags = -C link-arg=-s -C opt-level=s\n"},
		{"env.ini", "[profile]\nsummary = e\n[cargo]\nenv = CARGO_PROFILE_{BUILD}_STRIP=1\n"},
		{"both.ini", "[profile]\nsummary = b\n[cargo]\nrustflags = -C link-arg=-s\n"
			     "build_args = --features x\n"},
		{"c.ini", "[profile]\nsummary = c\nldflags = -s\n"},
	};
	const bool want[] = {true, true, true, false, false, false, false};
	struct strv args = STRV_INIT, bad = STRV_INIT;

	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		char *path = tu_write_file(f->t.dir, inis[i][0], inis[i][1]);
		struct profile *p = profile_load_file(&f->set, path);

		assert_non_null(p);
		if (profile_cargo_link_only(p) != want[i]) {
			fail_msg("%s: link-only %d, want %d", inis[i][0], !want[i], want[i]);
		}
		if (i == 0) {
			assert_int_equal(profile_rust_link_args(&p->cargo.rustflags, &args), 0);
		}
		free(path);
	}
	TU_WORDS(&args, "-Wl,-z,pack-relative-relocs", "-s");
	strv_push(&bad, "-C");
	strv_push(&bad, "link-args=-a -b");
	strv_push(&bad, "--cfg");
	assert_int_equal(profile_rust_link_args(&bad, &args), -1);
	strv_release(&args);
	strv_release(&bad);
}

/* link-only (C): a cell with it compiles what the cell without it does, so
 * the two share objects through ccache; any compile flag, compiler, build or
 * configure argument, in any section, and it is not */
static void
test_profile_link_only(void **state)
{
	struct fixture *f = *state;
	const char *const inis[][2] = {
		{"nosep.ini", "[profile]\nsummary = n\nldflags = -Wl,-z,noseparate-code\n"
			      "[cargo]\nrustflags = -C link-arg=-Wl,-z,noseparate-code\n"},
		{"libs.ini", "[profile]\nsummary = l\nlibs = -lm\n[gcc]\nconflicts = lto\n"},
		{"strip.ini", "[profile]\nsummary = s\npost = strip {artifact}\n"},
		{"noid.ini", "[profile]\nsummary = i\ncflags = -fno-ident\n"
			     "ldflags = -Wl,--build-id=none\n"},
		{"cl.ini", "[profile]\nsummary = c\nldflags = -s\n[clang]\ncflags = -Oz\n"},
		{"cc.ini", "[profile]\nsummary = k\ncompiler = clang\n"},
		{"ipo.ini", "[profile]\nsummary = p\nldflags = -s\n[recipe:cmake]\n"
			    "configure_args = -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON\n"},
		{"mk.ini", "[profile]\nsummary = m\nbuild_args = LTO=1\n"},
		{"env.ini", "[profile]\nsummary = e\nenv = CFLAGS=-Os\n"},
	};
	const bool want[] = {true, true, true, false, false, false, true, false, false};

	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		char *path = tu_write_file(f->t.dir, inis[i][0], inis[i][1]);
		struct profile *p = profile_load_file(&f->set, path);

		assert_non_null(p);
		if (profile_link_only(p, "make") != want[i]) {
			fail_msg("%s: link-only %d, want %d", inis[i][0], !want[i], want[i]);
		}
		free(path);
	}
	/* a [recipe:NAME] section counts for that recipe only */
	assert_false(profile_link_only(profile_find(&f->set, "ipo"), "cmake"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_profile_load_file_parses_every_key),
		T(test_profile_load_file_defaults),
		T(test_profile_load_file_refuses_bad_entries),
		T(test_profile_bad_post_step_frees_its_words),
		T(test_profile_load_dir_sorts_by_order_then_name),
		T(test_profile_load_dir_errors),
		T(test_profile_define_and_replace),
		cmocka_unit_test(test_profile_is_security),
		T(test_profile_settings_compose_gcc),
		T(test_profile_settings_compose_clang_anywhere),
		T(test_profile_settings_compose_last_compiler_wins),
		T(test_profile_real_profiles_load),
		T(test_profile_real_profiles_compose),
		T(test_profile_cargo_section),
		T(test_profile_configure_args_key),
		T(test_profile_applies_by_toolchain),
		T(test_profile_settings_compose_cargo),
		T(test_profile_real_profiles_cargo),
		T(test_profile_conflicts_dimension_post_only),
		T(test_profile_implies),
		T(test_profile_cargo_link_only),
		T(test_profile_link_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
