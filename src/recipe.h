/* recipe.h: how one build system is configured and built out of a source tree,
 * loaded from recipes/NAME.ini and detected from the files in a project directory. */
#ifndef OUNCE_RECIPE_H
#define OUNCE_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "mem.h"
#include "strv.h"

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
};

struct recipe_set {
	struct recipe **v;
	size_t n;
	struct arena arena;
};
#define RECIPE_SET_INIT {NULL, 0, ARENA_INIT}

/* Load every recipes/NAME.ini of dir. Returns 0 or -1 after reporting FILE:LINE. */
int recipe_load_dir(struct recipe_set *set, const char *dir);
/* The recipe called name, or NULL. */
struct recipe *recipe_find(const struct recipe_set *set, const char *name);
/* The recipe that matches project directory dir, or NULL (not reported). When
 * match is set, *match receives the file the glob matched (caller frees) or NULL. */
struct recipe *recipe_detect(const struct recipe_set *set, const char *dir, char **match);
/* Free everything the set owns. */
void recipe_set_release(struct recipe_set *set);

#endif
