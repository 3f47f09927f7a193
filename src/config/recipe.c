/* recipe.c: build systems as data. A recipe names the files that reveal it and
 * the command templates that configure and build a staged copy of the tree;
 * adding a build system is adding a recipes/NAME.ini. */
#include "config/recipe.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/tmpl.h"
#include "config/conf.h"
#include "os/fsutil.h"
#include "base/banned.h"

struct ctx {
	struct recipe_set *set;
	struct recipe *r;
};

/* The kind of template key is in a recipe, or -1 when it is not one. */
static int
tmpl_key(const char *section, const char *key)
{
	if (strcmp(section, "recipe")) {
		return !strcmp(key, "artifact_dir") ? TMPL_ARTIFACT : -1;
	}
	if (!strcmp(key, "configure") || !strcmp(key, "build")) {
		return TMPL_STEP;
	}
	if (!strcmp(key, "install")) {
		return TMPL_INSTALL;
	}
	if (!strcmp(key, "artifact")) {
		return TMPL_ARTIFACT;
	}
	return !strcmp(key, "prepare") ? TMPL_PREPARE : -1;
}

static const char *
handler(void *vctx, const char *section, const char *key, const char *value)
{
	struct ctx *c = vctx;
	struct recipe *r = c->r;
	struct arena *a = &c->set->arena;
	int kind = tmpl_key(section, key);

	if (kind >= 0) {
		char errbuf[128];
		const char *err;

		/* a command no cell could run is the file's fault, found when it is read */
		if (tmpl_check(value, (enum tmpl_kind)kind, errbuf, (int)sizeof(errbuf), &err) < 0) {
			return arena_printf(a, "%s: %s", key, err);
		}
	}
	if (!strncmp(section, "build ", 6) && section[6]) {
		struct recipe_build *b = recipe_build_find(r, section + 6);

		/* a build's name names its cells' directory, cells-NAME */
		if (!conf_name_valid(section + 6)) {
			return "bad build name: lowercase letters, digits, '-' or '_'";
		}
		if (!b) {
			b = recipe_build_new(section + 6);
			r->builds = xreallocarray(r->builds, r->nbuilds + 1, sizeof(*r->builds));
			r->builds[r->nbuilds++] = b;
		}
		return recipe_build_key(b, key, value);
	}
	if (strcmp(section, "recipe")) {
		return *section ? "unknown section: expected [recipe] or [build NAME]"
				: "key outside a section: start the file with [recipe]";
	}
	if (!strcmp(key, "summary")) {
		r->summary = arena_strdup(a, value);
	} else if (!strcmp(key, "priority")) {
		char *end;
		long v = strtol(value, &end, 10);

		if (*end || end == value || v < 0 || v > 1000) {
			return "priority must be a number from 0 to 1000";
		}
		r->priority = (int)v;
	} else if (!strcmp(key, "detect")) {
		strv_split(&r->detect, value);
	} else if (!strcmp(key, "detect_glob")) {
		r->detect_glob = arena_strdup(a, value);
	} else if (!strcmp(key, "detect_count")) {
		char *end;
		long v = strtol(value, &end, 10);

		if (*end || end == value || v < 0 || v > 1000) {
			return "detect_count must be a number from 0 to 1000";
		}
		r->detect_count = (int)v;
	} else if (!strcmp(key, "configure")) {
		r->configure = arena_strdup(a, value);
	} else if (!strcmp(key, "build")) {
		r->build = arena_strdup(a, value);
	} else if (!strcmp(key, "artifact")) {
		r->artifact = arena_strdup(a, value);
	} else if (!strcmp(key, "install")) {
		r->install = arena_strdup(a, value);
	} else if (!strcmp(key, "export_flags")) {
		if (!conf_bool(value, &r->export_flags)) {
			return "export_flags must be yes or no";
		}
	} else if (!strcmp(key, "toolchain")) {
		if (strcmp(value, "cargo")) {
			return "toolchain must be cargo (C recipes leave it out)";
		}
		r->toolchain = arena_strdup(a, value);
	} else if (!strcmp(key, "cwd")) {
		if (strcmp(value, "src") && strcmp(value, "build")) {
			return "cwd must be src or build";
		}
		r->cwd = arena_strdup(a, value);
	} else if (!strcmp(key, "ignore")) {
		strv_split(&r->ignore, value);
	} else if (!strcmp(key, "exclude")) {
		strv_split(&r->exclude, value);
	} else if (!strcmp(key, "prepare")) {
		r->prepare = arena_strdup(a, value);
	} else if (!strcmp(key, "prepare_scripts")) {
		strv_split(&r->prepare_scripts, value);
	} else if (!strcmp(key, "prepare_env")) {
		if (!strchr(value, '=') || value[0] == '=') {
			return "prepare_env must be NAME=VALUE";
		}
		strv_push(&r->prepare_env, value);
	} else if (!strcmp(key, "prepare_unless")) {
		strv_split(&r->prepare_unless, value);
	} else {
		return "unknown key: expected summary, priority, detect, detect_glob, "
		       "detect_count, configure, build, install, artifact, export_flags, "
		       "toolchain, cwd, ignore, exclude, prepare, prepare_scripts, prepare_env "
		       "or prepare_unless";
	}
	return NULL;
}

static int
load_file(struct recipe_set *set, const char *path)
{
	const char *base = strrchr(path, '/');
	struct recipe *r = arena_alloc(&set->arena, sizeof(*r));
	struct ctx c = {set, r};

	base = base ? base + 1 : path;
	r->name = arena_strdup(&set->arena, base);
	r->name[strcspn(r->name, ".")] = '\0';
	if (!conf_name_valid(r->name)) {
		/* it names files of the work directory (NAME-baseline.log) */
		return error_at(path, 0, "recipe file names must be lowercase letters, digits, '-' "
				"or '_'");
	}
	r->file = arena_strdup(&set->arena, path);
	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
	set->v[set->n++] = r;
	if (conf_parse(path, handler, &c) < 0) {
		return -1;
	}
	if (!r->build) {
		return error_at(path, 0, "recipe '%s' has no build command", r->name);
	}
	if (!r->detect.n && !r->detect_glob) {
		return error_at(path, 0, "recipe '%s' has neither detect nor detect_glob", r->name);
	}
	if (!r->nbuilds) {
		/* one build, the project's own default */
		r->builds = xcalloc(1, sizeof(*r->builds));
		r->builds[0] = recipe_build_new("default");
		r->nbuilds = 1;
	}
	return 0;
}

struct recipe_build *
recipe_build_new(const char *name)
{
	struct recipe_build *b = xcalloc(1, sizeof(*b));

	b->name = xstrdup(name);
	return b;
}

void
recipe_build_free(struct recipe_build *b)
{
	if (!b) {
		return;
	}
	free(b->name);
	free(b->artifact_dir);
	strv_release(&b->configure_args);
	strv_release(&b->build_args);
	strv_release(&b->env);
	free(b);
}

struct recipe_build *
recipe_build_find(const struct recipe *r, const char *name)
{
	for (size_t i = 0; i < r->nbuilds; i++) {
		if (!strcmp(r->builds[i]->name, name)) {
			return r->builds[i];
		}
	}
	return NULL;
}

const char *
recipe_build_key(struct recipe_build *b, const char *key, const char *value)
{
	const char *err = NULL;

	if (!strcmp(key, "configure_args")) {
		if (strv_split_words(&b->configure_args, value, &err) < 0) {
			return err;
		}
	} else if (!strcmp(key, "build_args")) {
		if (strv_split_words(&b->build_args, value, &err) < 0) {
			return err;
		}
	} else if (!strcmp(key, "env")) {
		if (!strchr(value, '=') || value[0] == '=') {
			return "env must be NAME=VALUE";
		}
		strv_push(&b->env, value);
	} else if (!strcmp(key, "artifact_dir")) {
		free(b->artifact_dir);
		b->artifact_dir = xstrdup(value);
	} else {
		return "unknown key in a [build NAME] section: expected configure_args, "
		       "build_args, env or artifact_dir";
	}
	return NULL;
}

void
recipe_build_merge(struct recipe_build *b, const struct recipe_build *other)
{
	strv_extend(&b->configure_args, &other->configure_args);
	strv_extend(&b->build_args, &other->build_args);
	strv_extend(&b->env, &other->env);
	if (other->artifact_dir) {
		free(b->artifact_dir);
		b->artifact_dir = xstrdup(other->artifact_dir);
	}
}

int
recipe_load_dir(struct recipe_set *set, const char *dir)
{
	struct strv files = STRV_INIT;
	int rc = fs_list_suffix(dir, ".ini", "recipe directory", &files);

	for (size_t i = 0; i < files.n && rc == 0; i++) {
		rc = load_file(set, files.v[i]);
	}
	strv_release(&files);
	return rc;
}

bool
recipe_is_cargo(const struct recipe *r)
{
	return r->toolchain && !strcmp(r->toolchain, "cargo");
}

struct recipe *
recipe_find(const struct recipe_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		if (!strcmp(set->v[i]->name, name)) {
			return set->v[i];
		}
	}
	return NULL;
}

/* Does r match dir? On a glob match, *match gets the (single) matching name;
 * *which (when set) gets the detect file or the glob that matched. */
static int
matches(const struct recipe *r, const char *dir, char **match, const char **which)
{
	*match = NULL;
	for (size_t i = 0; i < r->detect.n; i++) {
		char *p = xasprintf("%s/%s", dir, r->detect.v[i]);
		struct stat st;
		int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);

		free(p);
		if (ok) {
			if (which) {
				*which = r->detect.v[i];
			}
			return 1;
		}
	}
	if (which) {
		*which = r->detect_glob;
	}
	if (r->detect_glob) {
		DIR *d = opendir(dir);
		struct dirent *e;
		int count = 0;

		if (!d) {
			return 0;
		}
		while ((e = readdir(d))) {
			if (fnmatch(r->detect_glob, e->d_name, FNM_PERIOD) == 0) {
				if (!*match) {
					*match = xstrdup(e->d_name);
				}
				count++;
			}
		}
		closedir(d);
		if (count && (!r->detect_count || count == r->detect_count)) {
			return 1;
		}
		free(*match);
		*match = NULL;
	}
	return 0;
}

struct recipe *
recipe_detect(const struct recipe_set *set, const char *dir, char **match)
{
	struct recipe *best = NULL;
	char *best_match = NULL;

	for (size_t i = 0; i < set->n; i++) {
		char *m;

		if (!matches(set->v[i], dir, &m, NULL)) {
			continue;
		}
		if (!best || set->v[i]->priority > best->priority) {
			best = set->v[i];
			free(best_match);
			best_match = m;
		} else {
			free(m);
		}
	}
	if (match) {
		*match = best_match;
	} else {
		free(best_match);
	}
	return best;
}

bool
recipe_matches(const struct recipe *r, const char *dir, char **match)
{
	char *m;
	int ok = matches(r, dir, &m, NULL);

	if (match) {
		*match = m;
	} else {
		free(m);
	}
	return ok;
}

size_t
recipe_detect_all(const struct recipe_set *set, const char *dir, struct recipe ***out)
{
	size_t n = 0;

	*out = xcalloc(set->n + 1, sizeof(**out));
	for (size_t i = 0; i < set->n; i++) {
		char *m;
		size_t j;

		if (!matches(set->v[i], dir, &m, NULL)) {
			continue;
		}
		free(m);
		/* by priority, the set's order among equals (as recipe_detect) */
		for (j = n; j > 0 && (*out)[j - 1]->priority < set->v[i]->priority; j--) {
			(*out)[j] = (*out)[j - 1];
		}
		(*out)[j] = set->v[i];
		n++;
	}
	return n;
}

const char *
recipe_detected_by(const struct recipe *r, const char *dir)
{
	const char *which = NULL;
	char *m;

	if (!matches(r, dir, &m, &which)) {
		return NULL;
	}
	free(m);
	return which;
}

void
recipe_set_release(struct recipe_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		strv_release(&set->v[i]->detect);
		strv_release(&set->v[i]->ignore);
		strv_release(&set->v[i]->exclude);
		strv_release(&set->v[i]->prepare_scripts);
		strv_release(&set->v[i]->prepare_env);
		strv_release(&set->v[i]->prepare_unless);
		for (size_t j = 0; j < set->v[i]->nbuilds; j++) {
			recipe_build_free(set->v[i]->builds[j]);
		}
		free(set->v[i]->builds);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
	arena_release(&set->arena);
}
