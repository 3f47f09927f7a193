/* project.c: reads a project's ounce.ini. Everything in it is optional: without
 * one, the recipe's defaults and artifact discovery apply. */
#include "config/project.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/tmpl.h"
#include "config/conf.h"
#include "config/cross.h"
#include "config/profile.h"
#include "config/recipe.h"
#include "os/fsutil.h"
#include "base/banned.h"

struct ctx {
	struct project *p;
	struct profile_set *set;
	struct profile *cur;	/* the profile of the current section */
	char *cur_section;	/* the section cur belongs to */
	char *tool;		/* its toolchain, or NULL */
	char msg[256];
};

/* Keep the text of a message for the handler's caller, which reports the first
 * one only: a later one must not overwrite it. */
static const char *
keep_msg(struct ctx *c, const char *what, const char *err)
{
	if (c->msg[0]) {
		return what;
	}
	snprintf(c->msg, sizeof(c->msg), "%s: %s", what, err);
	return c->msg;
}

/* Check a command template of the [project] section when it is read. */
static const char *
check_tmpl(struct ctx *c, const char *key, const char *value, enum tmpl_kind kind)
{
	char errbuf[128];
	const char *err;

	if (tmpl_check(value, kind, errbuf, (int)sizeof(errbuf), &err) < 0) {
		return keep_msg(c, key, err);
	}
	return NULL;
}

static void
replace(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

/* Does path have a ".." segment (which could leave the build tree)? */
static bool
has_dotdot(const char *path)
{
	for (const char *s = path; *s;) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.') {
			return true;
		}
		s += n;
		s += strspn(s, "/");
	}
	return false;
}

bool
project_glibc_valid(const char *v)
{
	/* "2.31", "2.3.4": numbers joined by single dots */
	size_t n = strlen(v);

	return n && n < 16 && v[0] >= '0' && v[0] <= '9' && v[n - 1] != '.' &&
	       strspn(v, "0123456789.") == n && !strstr(v, "..");
}

static const char *
project_key(struct ctx *c, const char *key, const char *value)
{
	struct project *p = c->p;

	const char *err;

	if (!strcmp(key, "name")) {
		/* a label, which becomes a path component (the work directory under
		 * ~/.cache/ounce, {name} in a recipe's output): never a path */
		if ((err = conf_label_invalid(value))) {
			return keep_msg(c, "name must be a label, not a path", err);
		}
		replace(&p->name, value);
	} else if (!strcmp(key, "recipe")) {
		replace(&p->recipe, value);
	} else if (!strcmp(key, "artifact")) {
		struct strv v = STRV_INIT;

		strv_split_list(&v, value);
		for (size_t i = 0; i < v.n; i++) {
			if (v.v[i][0] == '/' || has_dotdot(v.v[i])) {
				strv_release(&v);
				return "artifact must be a path inside the build tree";
			}
			if ((err = check_tmpl(c, "artifact", v.v[i], TMPL_ARTIFACT))) {
				strv_release(&v);
				return err;
			}
		}
		strv_extend(&p->artifacts, &v);
		strv_release(&v);
	} else if (!strcmp(key, "target_glibc")) {
		char v[32];

		if (!project_glibc_valid(value)) {
			return "target_glibc must be a glibc release such as 2.31";
		}
		snprintf(v, sizeof(v), "%s", value);
		replace(&p->target_glibc, v);
	} else if (!strcmp(key, "toolchain")) {
		char *v = cross_prefix_parse(value);

		if (!v) {
			return "toolchain must be a cross toolchain's prefix such as "
			       "arm-none-eabi, or native";
		}
		free(p->toolchain);
		p->toolchain = v;
	} else if (!strcmp(key, "distribute")) {
		if (strcmp(value, "distcc") && strcmp(value, "icecc") && strcmp(value, "none")) {
			return "distribute must be distcc, icecc or none";
		}
		replace(&p->distribute, value);
	} else if (!strcmp(key, "configure")) {
		if ((err = check_tmpl(c, key, value, TMPL_STEP))) {
			return err;
		}
		replace(&p->configure, value);
	} else if (!strcmp(key, "build")) {
		if ((err = check_tmpl(c, key, value, TMPL_STEP))) {
			return err;
		}
		replace(&p->build, value);
	} else if (!strcmp(key, "smoke")) {
		if ((err = check_tmpl(c, key, value, TMPL_SMOKE))) {
			return err;
		}
		replace(&p->smoke, value);
	} else if (!strcmp(key, "bench")) {
		if ((err = check_tmpl(c, key, value, TMPL_SMOKE))) {
			return err;
		}
		replace(&p->bench, value);
	} else if (!strcmp(key, "smoke_timeout")) {
		char *end;
		double v = strtod(value, &end);

		if (*end || end == value || !(v > 0) || v > 86400) {
			return "smoke_timeout must be a number of seconds above 0";
		}
		p->smoke_timeout = v;
	} else if (!strcmp(key, "repeat")) {
		char *end;
		long v = strtol(value, &end, 10);

		if (*end || end == value || v < 1 || v > PROJECT_REPEAT_MAX) {
			return "repeat must be a number of builds from 1 to 100";
		}
		p->repeat = (int)v;
	} else if (!strcmp(key, "sandbox")) {
		if (!conf_bool(value, &p->sandbox)) {
			return "sandbox must be true or false";
		}
	} else if (!strcmp(key, "cache")) {
		if (!*value) {
			return "cache must be a directory";
		}
		free(p->cache);
		/* a relative one is taken from the directory of ounce.ini */
		p->cache = value[0] == '/' ? xstrdup(value) : xasprintf("%s/%s", p->dir, value);
	} else if (!strcmp(key, "profiles")) {
		strv_split_list(&p->profiles, value);
	} else if (!strcmp(key, "exclude")) {
		strv_split(&p->exclude, value);
	} else {
		return "unknown key in [project]: expected name, recipe, artifact, configure, "
		       "build, smoke, smoke_timeout, bench, sandbox, profiles, exclude, "
		       "target_glibc, toolchain, distribute, repeat or cache";
	}
	return NULL;
}

static const char *
handler(void *vctx, const char *section, const char *key, const char *value)
{
	struct ctx *c = vctx;

	if (!strcmp(section, "project")) {
		return project_key(c, key, value);
	}
	if (!strncmp(section, "profile ", 8)) {
		if (!c->cur_section || strcmp(c->cur_section, section)) {
			const char *name = section + 8;
			size_t n = strcspn(name, ":");
			char *pname = xstrndup(name, n);

			/* a profile's name names its cells' directories */
			if (!conf_name_valid(pname)) {
				free(pname);
				return keep_msg(c, "bad profile name",
						"lowercase letters, digits, '-' or '_'");
			}
			free(c->cur_section);
			free(c->tool);
			c->cur_section = xstrdup(section);
			c->tool = name[n] == ':' ? xstrdup(name + n + 1) : NULL;
			/* the first section of a name in this file replaces a built-in
			 * profile of that name; later sections add to it */
			c->cur = profile_find(c->set, pname);
			if (!c->cur || strcmp(c->cur->file, c->p->ini)) {
				c->cur = profile_define(c->set, pname, c->p->ini, true);
			}
			free(pname);
		}
		return profile_set_key(c->set, c->cur, c->tool, key, value);
	}
	if (!strncmp(section, "build ", 6) && section[6]) {
		struct project *p = c->p;
		struct recipe_build *b = NULL;

		/* a build's name names its cells' directory, cells-NAME */
		if (!conf_name_valid(section + 6)) {
			return keep_msg(c, "bad build name", "lowercase letters, digits, '-' or '_'");
		}
		if (!strcmp(key, "artifact_dir")) {
			const char *err = check_tmpl(c, key, value, TMPL_ARTIFACT);

			if (err) {
				return err;
			}
		}
		for (size_t i = 0; i < p->nbuilds && !b; i++) {
			if (!strcmp(p->builds[i]->name, section + 6)) {
				b = p->builds[i];
			}
		}
		if (!b) {
			b = recipe_build_new(section + 6);
			p->builds = xreallocarray(p->builds, p->nbuilds + 1, sizeof(*p->builds));
			p->builds[p->nbuilds++] = b;
		}
		return recipe_build_key(b, key, value);
	}
	if (!strcmp(section, "budget")) {
		char m[256];
		const char *err = budgetconf_key(&c->p->budget, key, value, m, sizeof(m));

		if (err && !c->msg[0]) {
			snprintf(c->msg, sizeof(c->msg), "%s", err);
			return c->msg;
		}
		return err ? "bad budget" : NULL;
	}
	if (!*section) {
		return "key outside a section: start with [project] or [profile NAME]";
	}
	if (c->msg[0]) {
		/* only the first error is reported: keep its text intact */
		return "unknown section";
	}
	snprintf(c->msg, sizeof(c->msg),
		 "unknown section '%s': expected [project], [build NAME], [profile NAME], "
		 "[profile NAME:gcc|clang|cargo] or [budget]",
		 section);
	return c->msg;
}

int
project_load(struct project *p, const char *dir, struct profile_set *set)
{
	struct stat st;
	const char *base;
	int rc = 0;

	if (stat(dir, &st) < 0) {
		error("cannot read project directory '%s': %s", dir, strerror(errno));
		return -2;
	}
	if (!S_ISDIR(st.st_mode)) {
		error("'%s' is not a directory", dir);
		return -2;
	}
	p->dir = fs_realpath(dir);
	if (!p->dir) {
		return -2;
	}
	p->stage_dir = xstrdup(p->dir);
	p->subdir = xstrdup("");
	base = strrchr(p->dir, '/');
	p->name = xstrdup(base && base[1] ? base + 1 : "project");
	/* the directory's name is a label too: no leading '.', no control
	 * characters (a '/' it cannot have) */
	if (p->name[0] == '.') {
		p->name[0] = '_';
	}
	for (char *s = p->name; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			*s = '_';
		}
	}
	p->smoke_timeout = 60;
	p->sandbox = true;
	p->ini = xasprintf("%s/ounce.ini", p->dir);
	if (access(p->ini, F_OK) < 0) {
		free(p->ini);
		p->ini = NULL;
		return 0;
	}
	struct ctx c = {p, set, NULL, NULL, NULL, {0}};
	if (conf_parse(p->ini, handler, &c) < 0) {
		rc = -1;
	}
	free(c.cur_section);
	free(c.tool);
	for (size_t i = 0; rc == 0 && i < set->n; i++) {
		if (!set->v[i]->summary) {
			rc = error_at(p->ini, 0, "profile '%s' has no summary", set->v[i]->name);
		}
	}
	profile_sort(set);
	return rc;
}

void
project_set_stage_root(struct project *p, const char *root)
{
	size_t n = strlen(root);

	if (strncmp(p->dir, root, n) || p->dir[n] != '/') {
		/* not an ancestor: dir stays what is copied */
		return;
	}
	free(p->stage_dir);
	free(p->subdir);
	p->stage_dir = xstrdup(root);
	p->subdir = xstrdup(p->dir + n + 1);
}

/* Does directory name of the directory open at fd hold one of the markers of a
 * build directory? */
static bool
is_build_dir(int fd, const char *name)
{
	static const char *const markers[] = {"meson-private", "muon-private", "CMakeCache.txt",
					      "CACHEDIR.TAG"};
	struct stat st;

	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
		return false;
	}
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		char *path = xasprintf("%s/%s", name, markers[i]);
		bool has = fstatat(fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;

		free(path);
		if (has) {
			return true;
		}
	}
	return false;
}

void
project_exclude_build_dirs(struct project *p, struct strv *found)
{
	DIR *d = opendir(p->stage_dir);
	struct dirent *e;

	if (!d) {
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, ".."))) {
			continue;
		}
		if (!strv_has(&p->exclude, e->d_name) && is_build_dir(dirfd(d), e->d_name)) {
			strv_push(&p->exclude, e->d_name);
			if (found) {
				strv_push(found, e->d_name);
			}
		}
	}
	closedir(d);
}

void
project_release(struct project *p)
{
	free(p->dir);
	free(p->stage_dir);
	free(p->subdir);
	free(p->ini);
	free(p->name);
	free(p->recipe);
	strv_release(&p->artifacts);
	free(p->target_glibc);
	free(p->toolchain);
	free(p->distribute);
	free(p->cache);
	free(p->configure);
	free(p->build);
	free(p->smoke);
	free(p->bench);
	strv_release(&p->profiles);
	strv_release(&p->exclude);
	for (size_t i = 0; i < p->nbuilds; i++) {
		recipe_build_free(p->builds[i]);
	}
	free(p->builds);
	budgetconf_release(&p->budget);
	memset(p, 0, sizeof(*p));
}
