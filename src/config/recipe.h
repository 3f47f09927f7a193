/* recipe.h: how one build system is configured and built out of a source tree,
 * loaded from recipes/NAME.ini and detected from the files in a project directory. */
#ifndef OUNCE_RECIPE_H
#define OUNCE_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/mem.h"
#include "base/strv.h"

/* One build a recipe knows (release, dev, ...): what it adds to the commands. */
struct recipe_build {
	char *name;
	struct strv configure_args;	/* words after the configure command */
	struct strv build_args;		/* words after the build command */
	struct strv env;		/* NAME=VALUE for its commands */
	char *artifact_dir;		/* where its artifacts land (template), or NULL */
};

struct recipe {
	char *name;
	char *file;
	char *summary;
	int priority;		/* the highest-priority recipe that matches wins */
	struct strv detect;	/* file names: any one present matches */
	char *detect_glob;	/* or: a glob at the top of the tree ... */
	int detect_count;	/* ... that matches exactly this many files (0: any) */
	char *configure;	/* command template, or NULL */
	char *build;		/* command template */
	char *artifact;		/* default artifact template, or NULL to find it */
	bool export_flags;	/* also export CFLAGS, CXXFLAGS, LDFLAGS, LIBS to the build */
	char *toolchain;	/* "cargo", or NULL for C (gcc, or clang by profile) */
	char *cwd;		/* where commands run: "src" (default) or "build" */
	char *install;		/* command that installs into {stage}: what the project
				 * ships is measured; NULL: the build tree is searched */
	struct strv ignore;	/* directory names never searched for artifacts */
	struct strv exclude;	/* names at the top of the tree not copied into cells
				 * (the build system's own output directory) */
	/* a tree that lacks every file of prepare_unless (autotools from a git
	 * checkout: no configure) is prepared once per run (prepare.h): by the first
	 * of prepare_scripts it has, else by the prepare command, with prepare_env */
	char *prepare;		/* command template, or NULL: never prepared */
	struct strv prepare_scripts;	/* the project's own scripts, preferred */
	struct strv prepare_env;	/* NAME=VALUE for them */
	struct strv prepare_unless;	/* file names: any one present, no preparing */
	struct recipe_build **builds;	/* [build NAME] sections; the first is the default */
	size_t nbuilds;
};

struct recipe_set {
	struct recipe **v;
	size_t n;
	struct arena arena;
};
#define RECIPE_SET_INIT {NULL, 0, ARENA_INIT}

/* Load every recipes/NAME.ini of dir. Returns 0 or -1 after reporting FILE:LINE. */
int recipe_load_dir(struct recipe_set *set, const char *dir);
/* Does r build with Cargo (toolchain = cargo)? */
bool recipe_is_cargo(const struct recipe *r);
/* The recipe called name, or NULL. */
struct recipe *recipe_find(const struct recipe_set *set, const char *name);
/* The recipe that matches project directory dir, or NULL (not reported). When
 * match is set, *match receives the file the glob matched (caller frees) or NULL. */
struct recipe *recipe_detect(const struct recipe_set *set, const char *dir, char **match);
/* Does r match project directory dir? When match is set, *match receives the file
 * its glob matched (caller frees) or NULL. */
bool recipe_matches(const struct recipe *r, const char *dir, char **match);
/* Every recipe that matches dir, the one recipe_detect picks first, then the others
 * by priority: *out gets an array the caller frees (its recipes belong to set).
 * Returns how many. */
size_t recipe_detect_all(const struct recipe_set *set, const char *dir, struct recipe ***out);
/* What makes r match dir: the detect file found there, or its glob; NULL when r does
 * not match. Owned by r. */
const char *recipe_detected_by(const struct recipe *r, const char *dir);
/* Free everything the set owns. */
void recipe_set_release(struct recipe_set *set);

/* The build called name in r, or NULL. */
struct recipe_build *recipe_build_find(const struct recipe *r, const char *name);
/* Apply one key of a [build NAME] section to b. Returns NULL or a static error. */
const char *recipe_build_key(struct recipe_build *b, const char *key, const char *value);
/* A new empty build called name, owned by the caller (free with recipe_build_free). */
struct recipe_build *recipe_build_new(const char *name);
/* Add other's arguments and environment to b (its artifact_dir wins when set). */
void recipe_build_merge(struct recipe_build *b, const struct recipe_build *other);
/* Free a build made by recipe_build_new. */
void recipe_build_free(struct recipe_build *b);

#endif
