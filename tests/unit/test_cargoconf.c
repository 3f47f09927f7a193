/* test_cargoconf.c: which of Cargo's rustflags settings a project's configuration
 * files hold (target or build), and the file ounce writes to add the profiles'. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/strv.h"
#include "config/cargoconf.h"
#include "testutil.h"

static void
test_cargoconf_text(void **state)
{
	(void)state;
	/* target rustflags, in every way TOML writes the key */
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-C\", \"target-cpu=native\"]\n", NULL));
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.'cfg(unix)']\n  rustflags=[\"--cfg\",\"x\"]\n", NULL));
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.\"cfg(target_os = \\\"linux\\\")\"]\nrustflags = []\n", NULL));
	assert_true(cargoconf_text_has_target_rustflags(
		"target.x86_64-unknown-linux-gnu.rustflags = [\"-Cdebuginfo=0\"]\n", NULL));
	assert_true(cargoconf_text_has_target_rustflags("[target]\n'cfg(all())'.rustflags = []\n", NULL));
	/* build rustflags, other target keys, comments, arrays over several lines */
	assert_false(cargoconf_text_has_target_rustflags("[build]\nrustflags = [\"--cfg\", \"x\"]\n", NULL));
	assert_false(cargoconf_text_has_target_rustflags(
		"[target.x86_64-unknown-linux-gnu]\nlinker = \"clang\"\n\n[build]\nrustflags = []\n", NULL));
	assert_false(cargoconf_text_has_target_rustflags(
		"# [target.x]\n# rustflags = []\n[build]\nrustflags = [\n  \"-C\",\n"
		"  \"link-arg=-Wl,--target.x.rustflags=1\",\n]\n", NULL));
	assert_false(cargoconf_text_has_target_rustflags("build.rustflags = [\"-Copt-level=s\"]\n", NULL));
	assert_false(cargoconf_text_has_target_rustflags("", NULL));

	/* with the host known: another triple's table does not apply, unless the
	 * configuration builds for it; a cfg(...) table is taken to apply */
	static const char *const host = "x86_64-unknown-linux-gnu";
	static const char *const arm =
		"[target.aarch64-unknown-linux-gnu]\nrustflags = [\"-Ctarget-cpu=cortex-a72\"]\n";
	char *text;

	assert_false(cargoconf_text_has_target_rustflags(arm, host));
	assert_true(cargoconf_text_has_target_rustflags(arm, NULL));
	text = xasprintf("[build]\ntarget = \"aarch64-unknown-linux-gnu\" # a comment\n%s", arm);
	assert_true(cargoconf_text_has_target_rustflags(text, host));
	free(text);
	assert_true(cargoconf_text_has_target_rustflags(
		"build.target = [\"aarch64-unknown-linux-gnu\"]\n"
		"target.aarch64-unknown-linux-gnu.rustflags = []\n", host));
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.x86_64-unknown-linux-gnu]\nrustflags = []\n", host));
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.'cfg(windows)']\nrustflags = []\n", host));
}

/* the files Cargo reads from a directory: there and above, then CARGO_HOME; the
 * directory ounce writes is passed over; CARGO_TARGET_*_RUSTFLAGS counts */
static void
test_cargoconf_files(void **state)
{
	struct tu_tmp *t = *state;
	struct strv env = STRV_INIT;
	char *cwd = xasprintf("%s/cell/src", t->dir), *cell = xasprintf("%s/cell", t->dir);
	char *home = xasprintf("%s/home", t->dir), *f;

	strv_setenv(&env, "CARGO_HOME", home);
	free(tu_write_file(t->dir, "cell/src/main.rs", "fn main() {}\n"));
	free(tu_write_file(t->dir, "cell/src/.cargo/config.toml", "[build]\nrustflags = []\n"));
	assert_false(cargoconf_has_target_rustflags(cwd, &env, cell, NULL));

	f = tu_write_file(t->dir, "cell/.cargo/config.toml", "[target.'cfg(all())']\nrustflags = []\n");
	assert_false(cargoconf_has_target_rustflags(cwd, &env, cell, NULL));
	assert_true(cargoconf_has_target_rustflags(cwd, &env, NULL, NULL));
	unlink(f);
	free(f);

	/* a parent's, in the extensionless name */
	f = tu_write_file(t->dir, ".cargo/config", "[target.x86_64-unknown-linux-gnu]\nrustflags = []\n");
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell, NULL));
	unlink(f);
	free(f);

	f = tu_write_file(t->dir, "home/config.toml", "target.aarch64-unknown-linux-gnu.rustflags = []\n");
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell, NULL));
	unlink(f);
	free(f);
	assert_false(cargoconf_has_target_rustflags(cwd, &env, cell, NULL));

	/* the environment's: matched by triple too, and CARGO_BUILD_TARGET counts */
	strv_setenv(&env, "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS", "-Copt-level=s");
	assert_false(cargoconf_has_target_rustflags(cwd, &env, cell, "x86_64-unknown-linux-gnu"));
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell, NULL));
	strv_setenv(&env, "CARGO_BUILD_TARGET", "aarch64-unknown-linux-gnu");
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell, "x86_64-unknown-linux-gnu"));
	strv_unsetenv(&env, "CARGO_BUILD_TARGET");
	strv_setenv(&env, "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS", "-Copt-level=s");
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell, "x86_64-unknown-linux-gnu"));

	strv_release(&env);
	free(cwd);
	free(cell);
	free(home);
}

static void
test_cargoconf_toml(void **state)
{
	struct strv flags = STRV_INIT;
	char *s;

	(void)state;
	strv_push(&flags, "-C");
	strv_push(&flags, "link-arg=-Wl,-z,pack-relative-relocs");
	strv_push(&flags, "a \"quoted\" \\ path\t");
	s = cargoconf_rustflags_toml(&flags, false);
	tu_assert_contains(s, "\n[build]\nrustflags = [\"-C\", \"link-arg=-Wl,-z,pack-relative-relocs\", "
			      "\"a \\\"quoted\\\" \\\\ path\\u0009\"]\n");
	assert_false(cargoconf_text_has_target_rustflags(s, NULL));
	free(s);
	s = cargoconf_rustflags_toml(&flags, true);
	tu_assert_contains(s, "\n[target.'cfg(all())']\nrustflags = [\"-C\", ");
	assert_true(cargoconf_text_has_target_rustflags(s, NULL));
	free(s);
	strv_release(&flags);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cargoconf_files, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_cargoconf_text),
		cmocka_unit_test(test_cargoconf_toml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
