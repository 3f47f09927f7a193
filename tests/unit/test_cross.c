/* test_cross.c: cross toolchain prefixes, told from a Makefile, the kinds of
 * target profiles name, and settings built with a cross toolchain. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/cross.h"
#include "config/profile.h"
#include "config/project.h"
#include "testutil.h"

static void
test_cross_prefix_parse(void **state)
{
	char *v;

	(void)state;
	v = cross_prefix_parse("arm-none-eabi");
	assert_string_equal(v, "arm-none-eabi");
	free(v);
	/* as CROSS_COMPILE writes it */
	v = cross_prefix_parse("riscv64-unknown-elf-");
	assert_string_equal(v, "riscv64-unknown-elf");
	free(v);
	v = cross_prefix_parse("native");
	assert_string_equal(v, "native");
	free(v);
	assert_null(cross_prefix_parse(""));
	assert_null(cross_prefix_parse("-"));
	assert_null(cross_prefix_parse("a b"));
	assert_null(cross_prefix_parse("../bin/arm"));
	assert_null(cross_prefix_parse("-arm"));
	assert_null(cross_prefix_parse("arm--eabi"));
}

static void
test_cross_kind(void **state)
{
	(void)state;
	assert_string_equal(cross_kind(NULL), "native");
	assert_string_equal(cross_kind("aarch64-linux-gnu"), "linux");
	assert_string_equal(cross_kind("arm-linux-gnueabihf"), "linux");
	assert_string_equal(cross_kind("arm-none-eabi"), "bare-metal");
	assert_string_equal(cross_kind("riscv64-unknown-elf"), "bare-metal");
	assert_true(cross_kind_valid("bare-metal"));
	assert_false(cross_kind_valid("baremetal"));
}

/* The toolchain the Makefile text names, or NULL; where says which line. */
static char *
detect(const struct tu_tmp *t, const char *name, const char *text, char **where)
{
	free(tu_write_file(t->dir, name, text));
	return cross_detect_makefile(t->dir, where);
}

static void
test_cross_detect_makefile(void **state)
{
	const struct tu_tmp *t = *state;
	char *where, *v;

	v = detect(t, "Makefile", "# CROSS_COMPILE = x-\nCROSS_COMPILE ?= arm-none-eabi-\n",
		   &where);
	assert_string_equal(v, "arm-none-eabi");
	assert_string_equal(where, "Makefile: CROSS_COMPILE ?= arm-none-eabi-");
	free(v);
	free(where);
	v = detect(t, "Makefile", "export CROSS_COMPILE := riscv64-unknown-elf- # the target\n",
		   &where);
	assert_string_equal(v, "riscv64-unknown-elf");
	free(v);
	free(where);
	v = detect(t, "Makefile", "CFLAGS = -Os\nCC=arm-none-eabi-gcc\n", &where);
	assert_string_equal(v, "arm-none-eabi");
	free(v);
	free(where);
	/* not literal, empty, a recipe's line, a CC that is no gcc: nothing */
	assert_null(detect(t, "Makefile", "CROSS_COMPILE ?= $(TARGET)-\nCC = $(CROSS_COMPILE)gcc\n",
			   &where));
	assert_null(where);
	assert_null(detect(t, "Makefile", "CROSS_COMPILE ?=\nall:\n\tCC=arm-none-eabi-gcc x\n",
			   &where));
	assert_null(detect(t, "Makefile", "CC = arm-none-eabi-clang\nCCX = a-gcc\n", &where));
	/* make reads GNUmakefile first, and only it */
	assert_null(detect(t, "GNUmakefile", "include Makefile\n", &where));
}

static void
test_cross_settings(void **state)
{
	struct profile_set set = PROFILE_SET_INIT;
	struct profile *strip = profile_define(&set, "strip", "test", false);
	struct profile *alloc = profile_define(&set, "allocator", "test", false);
	struct settings s = SETTINGS_INIT;

	(void)state;
	assert_null(profile_set_key(&set, strip, NULL, "post", "strip --strip-all {artifact}"));
	assert_null(profile_set_key(&set, strip, NULL, "post", "{ounce} sstrip {artifact}"));
	assert_null(profile_set_key(&set, alloc, NULL, "targets", "native"));
	assert_non_null(profile_set_key(&set, alloc, NULL, "targets", "host"));
	assert_true(profile_for_target(strip, "bare-metal"));
	assert_false(profile_for_target(alloc, "bare-metal"));
	assert_true(profile_for_target(alloc, "native"));
	settings_compose(&s, &strip, 1);
	settings_set_cross(&s, &strip, 1, "arm-none-eabi");
	assert_string_equal(s.toolchain, "gcc");
	assert_string_equal(s.cc, "arm-none-eabi-gcc");
	assert_string_equal(s.cxx, "arm-none-eabi-g++");
	assert_string_equal(s.f.post.v[0], "arm-none-eabi-strip --strip-all {artifact}");
	assert_string_equal(s.f.post.v[1], "{ounce} sstrip {artifact}");
	settings_release(&s);
	/* native: unchanged */
	settings_compose(&s, &strip, 1);
	settings_set_cross(&s, &strip, 1, NULL);
	assert_string_equal(s.cc, "gcc");
	assert_string_equal(s.f.post.v[0], "strip --strip-all {artifact}");
	settings_release(&s);
	profile_set_release(&set);
}

/* [gcc-PREFIX] sections: their flags after [gcc]'s, for that toolchain only. */
static void
test_cross_target_sections(void **state)
{
	struct profile_set set = PROFILE_SET_INIT;
	struct profile *gc = profile_define(&set, "gc", "test", false);
	struct settings s = SETTINGS_INIT;
	char *j;

	(void)state;
	assert_null(profile_set_key(&set, gc, "gcc", "cflags", "-ffunction-sections"));
	assert_null(profile_set_key(&set, gc, "gcc-arm-none-eabi", "cflags", "-mslow-flash-data"));
	assert_null(profile_set_key(&set, gc, "gcc-arm-none-eabi", "ldflags", "-Wl,--gc-sections"));
	assert_non_null(profile_set_key(&set, gc, "gcc-", "cflags", "-x"));
	assert_non_null(profile_set_key(&set, gc, "gcc-a b", "cflags", "-x"));
	settings_compose(&s, &gc, 1);
	settings_set_cross(&s, &gc, 1, "arm-none-eabi");
	j = strv_join(&s.f.cflags, " ");
	assert_string_equal(j, "-ffunction-sections -mslow-flash-data");
	free(j);
	assert_string_equal(s.f.ldflags.v[0], "-Wl,--gc-sections");
	settings_release(&s);
	/* another cross toolchain, and native: [gcc] alone */
	settings_compose(&s, &gc, 1);
	settings_set_cross(&s, &gc, 1, "riscv64-unknown-elf");
	j = strv_join(&s.f.cflags, " ");
	assert_string_equal(j, "-ffunction-sections");
	free(j);
	assert_int_equal(s.f.ldflags.n, 0);
	settings_release(&s);
	settings_compose(&s, &gc, 1);
	settings_set_cross(&s, &gc, 1, NULL);
	assert_int_equal(s.f.cflags.n, 1);
	settings_release(&s);
	profile_set_release(&set);
}

static void
test_cross_project_key(void **state)
{
	struct tu_tmp *t = *state;
	struct profile_set set = PROFILE_SET_INIT;
	struct project p = PROJECT_INIT;
	char *err;

	free(tu_write_file(t->dir, "ounce.ini", "[project]\ntoolchain = arm-none-eabi-\n"));
	assert_int_equal(project_load(&p, t->dir, &set), 0);
	assert_string_equal(p.toolchain, "arm-none-eabi");
	project_release(&p);
	p = (struct project)PROJECT_INIT;
	free(tu_write_file(t->dir, "ounce.ini", "[project]\n\ntoolchain = arm none\n"));
	tu_capture_begin(t);
	assert_int_equal(project_load(&p, t->dir, &set), -1);
	err = tu_capture_end(t);
	assert_non_null(strstr(err, "ounce.ini:3: error: toolchain must be a cross toolchain's "
				    "prefix such as arm-none-eabi, or native"));
	free(err);
	project_release(&p);
	profile_set_release(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_prefix_parse),
		cmocka_unit_test(test_cross_kind),
		cmocka_unit_test_setup_teardown(test_cross_detect_makefile, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_cross_settings),
		cmocka_unit_test(test_cross_target_sections),
		cmocka_unit_test_setup_teardown(test_cross_project_key, tu_setup_tmpdir,
						tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
