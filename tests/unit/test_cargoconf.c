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

#include "cargoconf.h"
#include "mem.h"
#include "strv.h"
#include "testutil.h"

static void
test_cargoconf_text(void **state)
{
	(void)state;
	/* target rustflags, in every way TOML writes the key */
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-C\", \"target-cpu=native\"]\n"));
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.'cfg(unix)']\n  rustflags=[\"--cfg\",\"x\"]\n"));
	assert_true(cargoconf_text_has_target_rustflags(
		"[target.\"cfg(target_os = \\\"linux\\\")\"]\nrustflags = []\n"));
	assert_true(cargoconf_text_has_target_rustflags(
		"target.x86_64-unknown-linux-gnu.rustflags = [\"-Cdebuginfo=0\"]\n"));
	assert_true(cargoconf_text_has_target_rustflags("[target]\n'cfg(all())'.rustflags = []\n"));
	/* build rustflags, other target keys, comments, arrays over several lines */
	assert_false(cargoconf_text_has_target_rustflags("[build]\nrustflags = [\"--cfg\", \"x\"]\n"));
	assert_false(cargoconf_text_has_target_rustflags(
		"[target.x86_64-unknown-linux-gnu]\nlinker = \"clang\"\n\n[build]\nrustflags = []\n"));
	assert_false(cargoconf_text_has_target_rustflags(
		"# [target.x]\n# rustflags = []\n[build]\nrustflags = [\n  \"-C\",\n"
		"  \"link-arg=-Wl,--target.x.rustflags=1\",\n]\n"));
	assert_false(cargoconf_text_has_target_rustflags("build.rustflags = [\"-Copt-level=s\"]\n"));
	assert_false(cargoconf_text_has_target_rustflags(""));
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
	assert_false(cargoconf_has_target_rustflags(cwd, &env, cell));

	f = tu_write_file(t->dir, "cell/.cargo/config.toml", "[target.'cfg(all())']\nrustflags = []\n");
	assert_false(cargoconf_has_target_rustflags(cwd, &env, cell));
	assert_true(cargoconf_has_target_rustflags(cwd, &env, NULL));
	unlink(f);
	free(f);

	/* a parent's, in the extensionless name */
	f = tu_write_file(t->dir, ".cargo/config", "[target.x86_64-unknown-linux-gnu]\nrustflags = []\n");
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell));
	unlink(f);
	free(f);

	f = tu_write_file(t->dir, "home/config.toml", "target.aarch64-unknown-linux-gnu.rustflags = []\n");
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell));
	unlink(f);
	free(f);
	assert_false(cargoconf_has_target_rustflags(cwd, &env, cell));

	strv_setenv(&env, "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS", "-Copt-level=s");
	assert_true(cargoconf_has_target_rustflags(cwd, &env, cell));

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
	assert_false(cargoconf_text_has_target_rustflags(s));
	free(s);
	s = cargoconf_rustflags_toml(&flags, true);
	tu_assert_contains(s, "\n[target.'cfg(all())']\nrustflags = [\"-C\", ");
	assert_true(cargoconf_text_has_target_rustflags(s));
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
