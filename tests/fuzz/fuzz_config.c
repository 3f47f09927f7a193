/* fuzz_config.c: the INI readers on any bytes: conf_parse itself, the input as a
 * project's ounce.ini (project_load, its [profile NAME] sections included), as a
 * profile file (profile_load_file) and as a recipe
 * (recipe_load_dir of a directory holding it). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "config/profile.h"
#include "config/project.h"
#include "config/recipe.h"
#include "fuzzutil.h"
#include "os/fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char proj[4200], profile_path[4200], recipes[4200], recipe_path[4200];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch_dir();

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(proj, sizeof(proj), "%s/proj", dir);
	snprintf(profile_path, sizeof(profile_path), "%s/fuzzed.ini", dir);
	snprintf(recipes, sizeof(recipes), "%s/recipes", dir);
	snprintf(recipe_path, sizeof(recipe_path), "%s/recipes/fuzzed.ini", dir);
	if (fs_mkdirs(proj) < 0 || fs_mkdirs(recipes) < 0) {
		abort();
	}
	return 0;
}

/* Accept every key, but look at all of it. */
static const char *
any_key(void *ctx, const char *section, const char *key, const char *value)
{
	size_t *n = ctx;
	bool b;

	*n += strlen(section) + strlen(key) + strlen(value);
	(void)conf_bool(value, &b);
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ini[4300];
	size_t n = 0;
	struct profile_set ps = PROFILE_SET_INIT;
	struct project p = PROJECT_INIT;
	struct recipe_set rs = RECIPE_SET_INIT;

	(void)conf_parse(fuzz_memfile(0, data, size), any_key, &n);

	snprintf(ini, sizeof(ini), "%s/ounce.ini", proj);
	fuzz_write_file(ini, data, size);
	(void)project_load(&p, proj, &ps);
	project_release(&p);
	profile_set_release(&ps);

	ps = (struct profile_set)PROFILE_SET_INIT;
	fuzz_write_file(profile_path, data, size);
	(void)profile_load_file(&ps, profile_path);
	profile_set_release(&ps);

	fuzz_write_file(recipe_path, data, size);
	(void)recipe_load_dir(&rs, recipes);
	recipe_set_release(&rs);
	return 0;
}
