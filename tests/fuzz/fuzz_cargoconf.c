/* fuzz_cargoconf.c: the Cargo configuration scanners on any bytes: the text
 * scanner for several hosts, the same text found as .cargo/config.toml above a
 * build directory and in CARGO_HOME, and the configuration ounce writes from the
 * input's lines as flags, which the scanner must find again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "config/cargoconf.h"
#include "fuzzutil.h"
#include "os/fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char cwd[4200], config[4200], home[4200], home_config[4200];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch_dir();
	char p[4300];

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(cwd, sizeof(cwd), "%s/ws/member", dir);
	snprintf(config, sizeof(config), "%s/ws/.cargo/config.toml", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(home_config, sizeof(home_config), "%s/home/config", dir);
	snprintf(p, sizeof(p), "%s/ws/.cargo", dir);
	if (fs_mkdirs(cwd) < 0 || fs_mkdirs(p) < 0 || fs_mkdirs(home) < 0) {
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	char *env_home;
	struct strv env = STRV_INIT, flags = STRV_INIT;
	char *toml;

	(void)cargoconf_text_has_target_rustflags(text, NULL);
	(void)cargoconf_text_has_target_rustflags(text, "x86_64-unknown-linux-gnu");
	(void)cargoconf_text_has_target_rustflags(text, "");

	fuzz_write_file(config, data, size);
	fuzz_write_file(home_config, data, size);
	env_home = malloc(strlen(home) + sizeof("CARGO_HOME="));
	if (!env_home) {
		abort();
	}
	sprintf(env_home, "CARGO_HOME=%s", home);
	strv_push(&env, env_home);
	free(env_home);
	(void)cargoconf_has_target_rustflags(cwd, &env, NULL, "x86_64-unknown-linux-gnu");
	strv_release(&env);

	/* each line a flag: what ounce writes for them is found as target rustflags */
	for (char *line = text, *end; line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end) {
			*end = '\0';
		}
		strv_push(&flags, line);
	}
	toml = cargoconf_rustflags_toml(&flags, true);
	if (!cargoconf_text_has_target_rustflags(toml, "x86_64-unknown-linux-gnu")) {
		abort();
	}
	free(toml);
	strv_release(&flags);
	free(text);
	return 0;
}
