/* profile.c: profiles are data (profiles/NAME.ini and [profile NAME] sections of a
 * project's ounce.ini); this module reads them, checks every key, and composes a
 * cell's profiles into the flags, environment and post-link steps of one build. */
#include "config/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tmpl.h"
#include "config/conf.h"
#include "config/cross.h"
#include "os/fsutil.h"
#include "base/banned.h"

static const char *const tradeoffs[] = {
	"none", "debuggability", "speed", "build-time", "security", "portability", "abi", "ram",
};

const char *
profile_stage_name(enum profile_stage s)
{
	switch (s) {
	case STAGE_COMPILE:
		return "compile";
	case STAGE_LINK:
		return "link";
	case STAGE_POST_LINK:
		return "post-link";
	}
	return "?";
}

bool
profile_is_security(const struct profile *p)
{
	return p->tradeoff && !strcmp(p->tradeoff, "security");
}

static void
flags_release(struct profile_flags *f)
{
	strv_release(&f->cflags);
	strv_release(&f->ldflags);
	strv_release(&f->libs);
	strv_release(&f->env);
	strv_release(&f->post);
	strv_release(&f->build_args);
	strv_release(&f->configure_args);
	strv_release(&f->rustflags);
}

static void
profile_release(struct profile *p)
{
	flags_release(&p->all);
	flags_release(&p->gcc);
	flags_release(&p->clang);
	flags_release(&p->cargo);
	strv_release(&p->conflicts);
	strv_release(&p->evidence);
	strv_release(&p->targets);
	strv_release(&p->evidence_cargo);
	strv_release(&p->conflicts_gcc);
	strv_release(&p->conflicts_clang);
	strv_release(&p->implies);
	strv_release(&p->implies_gcc);
	strv_release(&p->implies_clang);
	strv_release(&p->implies_cargo);
	for (size_t i = 0; i < p->nrecipes; i++) {
		free(p->recipes[i].recipe);
		flags_release(&p->recipes[i].f);
	}
	free(p->recipes);
	p->recipes = NULL;
	p->nrecipes = 0;
	for (size_t i = 0; i < p->ncross; i++) {
		free(p->cross[i].recipe);
		flags_release(&p->cross[i].f);
	}
	free(p->cross);
	p->cross = NULL;
	p->ncross = 0;
}

const struct profile_flags *
profile_recipe_flags(const struct profile *p, const char *recipe)
{
	for (size_t i = 0; recipe && i < p->nrecipes; i++) {
		if (!strcmp(p->recipes[i].recipe, recipe)) {
			return &p->recipes[i].f;
		}
	}
	return NULL;
}

struct profile *
profile_find(const struct profile_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		if (!strcmp(set->v[i]->name, name)) {
			return set->v[i];
		}
	}
	return NULL;
}

struct profile *
profile_define(struct profile_set *set, const char *name, const char *file, bool replace)
{
	struct profile *p = profile_find(set, name);

	if (p && !replace) {
		return p;
	}
	if (p) {
		/* a project's own profile of the same name replaces the built-in one,
		 * keeping its place in the stack unless it says otherwise */
		int order = p->order;
		bool def = p->in_default;

		profile_release(p);
		memset(p, 0, sizeof(*p));
		p->order = order;
		p->in_default = def;
	} else {
		p = arena_alloc(&set->arena, sizeof(*p));
		set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
		set->v[set->n++] = p;
		p->order = 1000;
		p->in_default = true;
	}
	p->name = arena_strdup(&set->arena, name);
	p->file = arena_strdup(&set->arena, file);
	p->tradeoff = arena_strdup(&set->arena, "none");
	p->stage = STAGE_COMPILE;
	return p;
}

static const char *
flags_key(struct profile_flags *f, const char *key, const char *value)
{
	if (!strcmp(key, "cflags")) {
		strv_split(&f->cflags, value);
	} else if (!strcmp(key, "ldflags")) {
		strv_split(&f->ldflags, value);
	} else if (!strcmp(key, "libs")) {
		strv_split(&f->libs, value);
	} else if (!strcmp(key, "env")) {
		const char *eq = strchr(value, '=');

		if (!eq || eq == value) {
			return "env must be NAME=VALUE";
		}
		strv_push(&f->env, value);
	} else if (!strcmp(key, "post")) {
		struct strv words = STRV_INIT;
		const char *err = NULL;

		int rc = strv_split_words(&words, value, &err);

		strv_release(&words);
		if (rc < 0) {
			return err;
		}
		strv_push(&f->post, value);
	} else if (!strcmp(key, "build_args") || !strcmp(key, "configure_args")) {
		const char *err = NULL;

		if (strv_split_words(key[0] == 'b' ? &f->build_args : &f->configure_args, value,
				     &err) < 0) {
			return err;
		}
	} else if (!strcmp(key, "rustflags")) {
		strv_split(&f->rustflags, value);
	} else {
		return NULL;
	}
	return "";
}

/* The key implies = NAMES: other profiles, each a valid name. */
static const char *
implies_key(struct profile *p, const char *toolchain, const char *value)
{
	struct strv *to = !toolchain		    ? &p->implies
			  : !strcmp(toolchain, "gcc")   ? &p->implies_gcc
			  : !strcmp(toolchain, "clang") ? &p->implies_clang
			  : !strcmp(toolchain, "cargo") ? &p->implies_cargo
							: NULL;
	struct strv w = STRV_INIT;

	if (!to) {
		return "implies belongs in [profile], [gcc], [clang] or [cargo]";
	}
	strv_split(&w, value);
	if (!w.n) {
		strv_release(&w);
		return "implies must name the profiles this one includes";
	}
	for (size_t i = 0; i < w.n; i++) {
		if (!conf_name_valid(w.v[i])) {
			strv_release(&w);
			return "implies must name profiles (lowercase letters, digits, '-', '_')";
		}
		if (!strcmp(w.v[i], p->name)) {
			strv_release(&w);
			return "a profile cannot imply itself";
		}
	}
	strv_extend(to, &w);
	strv_release(&w);
	return NULL;
}

const char *
profile_set_key(struct profile_set *set, struct profile *p, const char *toolchain,
		const char *key, const char *value)
{
	struct profile_flags *f = &p->all;
	const char *r;

	if (!strcmp(key, "implies")) {
		/* before the sections' flags: an implication alone does not make a
		 * [cargo] section one that applies to Cargo */
		return implies_key(p, toolchain, value);
	}
	if (toolchain) {
		if (!strcmp(toolchain, "gcc")) {
			f = &p->gcc;
		} else if (!strcmp(toolchain, "clang")) {
			f = &p->clang;
		} else if (!strcmp(toolchain, "cargo")) {
			f = &p->cargo;
			p->has_cargo = true;
		} else if (!strncmp(toolchain, "gcc-", 4) && cross_prefix_valid(toolchain + 4)) {
			f = NULL;
			for (size_t i = 0; i < p->ncross; i++) {
				if (!strcmp(p->cross[i].recipe, toolchain + 4)) {
					f = &p->cross[i].f;
				}
			}
			if (!f) {
				p->cross = xreallocarray(p->cross, p->ncross + 1, sizeof(*p->cross));
				memset(&p->cross[p->ncross], 0, sizeof(*p->cross));
				p->cross[p->ncross].recipe = xstrdup(toolchain + 4);
				f = &p->cross[p->ncross++].f;
			}
		} else if (!strncmp(toolchain, "recipe:", 7) && conf_name_valid(toolchain + 7)) {
			f = (struct profile_flags *)profile_recipe_flags(p, toolchain + 7);
			if (!f) {
				p->recipes = xreallocarray(p->recipes, p->nrecipes + 1,
							   sizeof(*p->recipes));
				memset(&p->recipes[p->nrecipes], 0, sizeof(*p->recipes));
				p->recipes[p->nrecipes].recipe = xstrdup(toolchain + 7);
				f = &p->recipes[p->nrecipes++].f;
			}
		} else {
			return "unknown toolchain section: expected gcc, clang, cargo, gcc-PREFIX (a "
			       "cross toolchain: gcc-arm-none-eabi) or recipe:NAME";
		}
	}
	if (!strcmp(key, "evidence")) {
		struct strv *e = !toolchain ? &p->evidence
				 : !strcmp(toolchain, "cargo") ? &p->evidence_cargo
							       : NULL;
		struct strv w = STRV_INIT;

		if (!e) {
			return "evidence belongs in [profile] (C builds) or [cargo]";
		}
		strv_split(&w, value);
		for (size_t i = 0; i < w.n; i++) {
			if ((strncmp(w.v[i], "symbol:", 7) && strncmp(w.v[i], "needed:", 7)) ||
			    !w.v[i][7]) {
				strv_release(&w);
				return "evidence must be words symbol:NAME or needed:LIBRARY";
			}
		}
		strv_extend(e, &w);
		strv_release(&w);
		return NULL;
	}
	if (!strcmp(key, "conflicts")) {
		struct strv *c = !toolchain		   ? &p->conflicts
				 : !strcmp(toolchain, "gcc")   ? &p->conflicts_gcc
				 : !strcmp(toolchain, "clang") ? &p->conflicts_clang
							       : NULL;

		if (!c) {
			return "conflicts belongs in [profile], [gcc] or [clang]";
		}
		strv_split(c, value);
		return NULL;
	}
	if (!strcmp(key, "post")) {
		char errbuf[128];
		const char *err;

		/* a step no cell could run is the file's fault, found when it is read */
		if (tmpl_check(value, TMPL_POST, errbuf, (int)sizeof(errbuf), &err) < 0) {
			return arena_strdup(&set->arena, err);
		}
	}
	r = flags_key(f, key, value);
	if (r) {
		return *r ? r : NULL;
	}
	if (toolchain) {
		return "unknown key in a toolchain section: expected cflags, ldflags, libs, env, "
		       "post, build_args, configure_args, rustflags, conflicts or implies";
	}
	if (!strcmp(key, "summary")) {
		p->summary = arena_strdup(&set->arena, value);
	} else if (!strcmp(key, "tradeoff_note")) {
		p->tradeoff_note = arena_strdup(&set->arena, value);
	} else if (!strcmp(key, "tradeoff")) {
		size_t i;

		for (i = 0; i < sizeof(tradeoffs) / sizeof(*tradeoffs); i++) {
			if (!strcmp(value, tradeoffs[i])) {
				break;
			}
		}
		if (i == sizeof(tradeoffs) / sizeof(*tradeoffs)) {
			return "unknown tradeoff: expected none, debuggability, speed, build-time, "
			       "security, portability, abi or ram";
		}
		p->tradeoff = arena_strdup(&set->arena, value);
	} else if (!strcmp(key, "stage")) {
		if (!strcmp(value, "compile")) {
			p->stage = STAGE_COMPILE;
		} else if (!strcmp(value, "link")) {
			p->stage = STAGE_LINK;
		} else if (!strcmp(value, "post-link")) {
			p->stage = STAGE_POST_LINK;
		} else {
			return "unknown stage: expected compile, link or post-link";
		}
	} else if (!strcmp(key, "default")) {
		if (!conf_bool(value, &p->in_default)) {
			return "default must be yes or no";
		}
	} else if (!strcmp(key, "order")) {
		char *end;
		long v = strtol(value, &end, 10);

		if (*end || end == value || v < 0 || v > 100000) {
			return "order must be a number from 0 to 100000";
		}
		p->order = (int)v;
	} else if (!strcmp(key, "compiler")) {
		if (strcmp(value, "gcc") && strcmp(value, "clang")) {
			return "compiler must be gcc or clang";
		}
		p->compiler = arena_strdup(&set->arena, value);
	} else if (!strcmp(key, "cxx")) {
		p->cxx = arena_strdup(&set->arena, value);
	} else if (!strcmp(key, "targets")) {
		struct strv v = STRV_INIT;

		strv_split_list(&v, value);
		for (size_t i = 0; i < v.n; i++) {
			if (!cross_kind_valid(v.v[i])) {
				strv_release(&v);
				return "targets must name kinds of target: native, linux or "
				       "bare-metal";
			}
		}
		if (!v.n) {
			return "targets must name kinds of target: native, linux or bare-metal";
		}
		strv_release(&p->targets);
		p->targets = v;
	} else if (!strcmp(key, "dimension")) {
		if (!*value || strpbrk(value, " \t,+:")) {
			return "dimension must be one word (profiles with the same dimension are "
			       "alternatives)";
		}
		p->dimension = arena_strdup(&set->arena, value);
	} else {
		return "unknown key: expected summary, stage, tradeoff, tradeoff_note, default, "
		       "order, dimension, targets, compiler, cxx, cflags, ldflags, libs, env, "
		       "post, build_args, configure_args, rustflags, conflicts, implies or "
		       "evidence";
	}
	return NULL;
}

struct file_ctx {
	struct profile_set *set;
	struct profile *p;
};

static const char *
file_handler(void *ctx, const char *section, const char *key, const char *value)
{
	struct file_ctx *c = ctx;

	if (!strcmp(section, "profile")) {
		return profile_set_key(c->set, c->p, NULL, key, value);
	}
	if (!strcmp(section, "gcc") || !strcmp(section, "clang") || !strcmp(section, "cargo") ||
	    !strncmp(section, "recipe:", 7) || !strncmp(section, "gcc-", 4)) {
		return profile_set_key(c->set, c->p, section, key, value);
	}
	if (!*section) {
		return "key outside a section: start the file with [profile]";
	}
	return "unknown section: expected [profile], [gcc], [clang], [cargo], [gcc-PREFIX] or "
	       "[recipe:NAME]";
}

struct profile *
profile_load_file(struct profile_set *set, const char *path)
{
	const char *base = strrchr(path, '/');
	char *name;
	struct file_ctx c = {set, NULL};

	base = base ? base + 1 : path;
	name = xstrndup(base, strcspn(base, "."));
	if (!conf_name_valid(name)) {
		error_at(path, 0, "profile file names must be lowercase letters, digits, '-' or '_'");
		free(name);
		return NULL;
	}
	c.p = profile_define(set, name, path, true);
	free(name);
	if (conf_parse(path, file_handler, &c) < 0) {
		return NULL;
	}
	if (!c.p->summary) {
		error_at(path, 0, "profile '%s' has no summary", c.p->name);
		return NULL;
	}
	return c.p;
}

static int
cmp_profile(const void *a, const void *b)
{
	const struct profile *x = *(struct profile *const *)a, *y = *(struct profile *const *)b;

	if (x->order != y->order) {
		return x->order < y->order ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

void
profile_sort(struct profile_set *set)
{
	if (set->n > 1) {
		qsort(set->v, set->n, sizeof(*set->v), cmp_profile);
	}
}

int
profile_load_dir(struct profile_set *set, const char *dir)
{
	struct strv files = STRV_INIT;
	int rc = fs_list_suffix(dir, ".ini", "profile directory", &files);

	for (size_t i = 0; i < files.n && rc == 0; i++) {
		if (!profile_load_file(set, files.v[i])) {
			rc = -1;
		}
	}
	strv_release(&files);
	profile_sort(set);
	return rc;
}

void
profile_set_release(struct profile_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		profile_release(set->v[i]);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
	arena_release(&set->arena);
}

static void
flags_add(struct profile_flags *to, const struct profile_flags *from)
{
	strv_extend(&to->cflags, &from->cflags);
	strv_extend(&to->ldflags, &from->ldflags);
	strv_extend(&to->libs, &from->libs);
	for (size_t i = 0; i < from->env.n; i++) {
		const char *kv = from->env.v[i];
		size_t n = strcspn(kv, "=");
		char *name = xstrndup(kv, n);

		strv_setenv(&to->env, name, kv + n + 1);
		free(name);
	}
	strv_extend(&to->post, &from->post);
	strv_extend(&to->build_args, &from->build_args);
	strv_extend(&to->configure_args, &from->configure_args);
	strv_extend(&to->rustflags, &from->rustflags);
}

static bool
flags_empty(const struct profile_flags *f)
{
	return !f->cflags.n && !f->ldflags.n && !f->libs.n && !f->env.n && !f->post.n &&
	       !f->build_args.n && !f->configure_args.n && !f->rustflags.n;
}

bool
profile_applies(const struct profile *p, const char *toolchain)
{
	return profile_applies_to(p, toolchain, NULL);
}

bool
profile_for_target(const struct profile *p, const char *kind)
{
	return !p->targets.n || strv_has(&p->targets, kind);
}

bool
profile_applies_to(const struct profile *p, const char *toolchain, const char *recipe)
{
	bool c_flags = p->compiler || !flags_empty(&p->all) || !flags_empty(&p->gcc) ||
		       !flags_empty(&p->clang);

	if (recipe && profile_recipe_flags(p, recipe)) {
		return true;
	}
	if (toolchain && !strcmp(toolchain, "cargo")) {
		return p->has_cargo;
	}
	/* a profile with nothing but [cargo] or [recipe:NAME] sections is for those */
	return c_flags || (!p->has_cargo && !p->nrecipes);
}

void
settings_compose_cargo(struct settings *s, struct profile *const *profiles, size_t n)
{
	/* rustc links through cc, which stays gcc */
	s->toolchain = xstrdup("cargo");
	s->cc = xstrdup("gcc");
	s->cxx = xstrdup("g++");
	for (size_t i = 0; i < n; i++) {
		flags_add(&s->f, &profiles[i]->cargo);
	}
}

void
settings_compose(struct settings *s, struct profile *const *profiles, size_t n)
{
	settings_compose_recipe(s, profiles, n, NULL);
}

void
settings_compose_recipe(struct settings *s, struct profile *const *profiles, size_t n,
			const char *recipe)
{
	const char *compiler = "gcc", *cxx = "g++";

	for (size_t i = 0; i < n; i++) {
		if (profiles[i]->compiler) {
			compiler = profiles[i]->compiler;
			cxx = profiles[i]->cxx ? profiles[i]->cxx
			      : !strcmp(compiler, "clang") ? "clang++"
							   : "g++";
		}
	}
	s->toolchain = xstrdup(compiler);
	s->cc = xstrdup(compiler);
	s->cxx = xstrdup(cxx);
	for (size_t i = 0; i < n; i++) {
		const struct profile *p = profiles[i];
		const struct profile_flags *native = profile_recipe_flags(p, recipe);

		if (native) {
			/* the build system's own mechanism stands for the flags */
			flags_add(&s->f, native);
			continue;
		}
		flags_add(&s->f, &p->all);
		flags_add(&s->f, !strcmp(compiler, "clang") ? &p->clang : &p->gcc);
	}
}

/* The compiler a C cell of profiles v is built with: the last one named. */
static const char *
cell_compiler(struct profile *const *v, size_t n)
{
	const char *compiler = "gcc";

	for (size_t i = 0; i < n; i++) {
		if (v[i]->compiler) {
			compiler = v[i]->compiler;
		}
	}
	return compiler;
}

const char *
profile_conflict(struct profile *const *v, size_t n, char *buf, size_t len)
{
	const char *compiler = cell_compiler(v, n);

	for (size_t i = 0; i < n; i++) {
		const struct strv *by = !strcmp(compiler, "clang") ? &v[i]->conflicts_clang
								   : &v[i]->conflicts_gcc;

		for (size_t j = 0; j < n; j++) {
			if (j == i) {
				continue;
			}
			if (strv_has(&v[i]->conflicts, v[j]->name)) {
				snprintf(buf, len, "'%s' cannot go with '%s'", v[i]->name, v[j]->name);
				return buf;
			}
			if (strv_has(by, v[j]->name)) {
				snprintf(buf, len, "'%s' cannot go with '%s' when %s builds", v[i]->name,
					 v[j]->name, compiler);
				return buf;
			}
		}
	}
	return NULL;
}

bool
profile_same_dimension(const struct profile *a, const struct profile *b)
{
	return a->dimension && b->dimension && !strcmp(a->dimension, b->dimension);
}

/* Does q imply p in a cell built by compiler (or by Cargo when cargo is set)? */
static bool
includes(const struct profile *q, const struct profile *p, const char *compiler, bool cargo)
{
	if (cargo) {
		return strv_has(&q->implies_cargo, p->name);
	}
	return strv_has(&q->implies, p->name) ||
	       strv_has(!strcmp(compiler, "clang") ? &q->implies_clang : &q->implies_gcc, p->name);
}

size_t
profile_reduce(struct profile **v, size_t n, const char *toolchain)
{
	bool cargo = toolchain && !strcmp(toolchain, "cargo");
	const char *compiler = cell_compiler(v, n);

	/* the last first, so that of two profiles that imply each other the first
	 * stays; one that names the compiler always stays, so the compiler of the
	 * cell is the same */
	for (size_t i = n; i-- > 0;) {
		bool implied = false;

		if (v[i]->compiler && !cargo) {
			continue;
		}
		for (size_t j = 0; j < n && !implied; j++) {
			implied = j != i && includes(v[j], v[i], compiler, cargo);
		}
		if (implied) {
			memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof(*v));
			n--;
		}
	}
	return n;
}

void
settings_compose_for(struct settings *s, struct profile *const *profiles, size_t n,
		     const char *toolchain, const char *recipe)
{
	if (toolchain && !strcmp(toolchain, "cargo")) {
		settings_compose_cargo(s, profiles, n);
	} else {
		settings_compose_recipe(s, profiles, n, recipe);
	}
}

bool
profile_post_only(const struct profile *p, const char *toolchain, const char *recipe)
{
	struct settings s = SETTINGS_INIT;
	struct profile *one = (struct profile *)p;
	bool only;

	if (p->compiler) {
		return false;
	}
	settings_compose_for(&s, &one, 1, toolchain, recipe);
	only = s.f.post.n && !s.f.cflags.n && !s.f.ldflags.n && !s.f.libs.n && !s.f.env.n &&
	       !s.f.build_args.n && !s.f.configure_args.n && !s.f.rustflags.n;
	settings_release(&s);
	return only;
}

int
profile_rust_link_args(const struct strv *rustflags, struct strv *out)
{
	for (size_t i = 0; i < rustflags->n; i++) {
		const char *f = rustflags->v[i], *v;

		if (!strcmp(f, "-C") && i + 1 < rustflags->n) {
			f = rustflags->v[++i];
		} else if (!strncmp(f, "-C", 2)) {
			f += 2;
		} else {
			return -1;
		}
		if (!strncmp(f, "link-arg=", 9)) {
			strv_push(out, f + 9);
		} else if (!strncmp(f, "link-args=", 10)) {
			/* RUSTFLAGS is split at blanks, so the list is one word here */
			for (v = f + 10; *v;) {
				size_t n = strcspn(v, " \t");

				if (n) {
					strv_push_owned(out, xstrndup(v, n));
				}
				v += n + strspn(v + n, " \t");
			}
		} else {
			return -1;
		}
	}
	return 0;
}

/* Do flags leave a C build's compile steps alone (link flags, libraries and
 * post-link steps only)? */
static bool
flags_link_only(const struct profile_flags *f)
{
	return !f->cflags.n && !f->env.n && !f->build_args.n && !f->configure_args.n;
}

bool
profile_link_only(const struct profile *p, const char *recipe)
{
	const struct profile_flags *r = profile_recipe_flags(p, recipe);

	return !p->compiler && flags_link_only(&p->all) && flags_link_only(&p->gcc) &&
	       flags_link_only(&p->clang) && (!r || flags_link_only(r));
}

bool
profile_cargo_link_only(const struct profile *p)
{
	struct strv args = STRV_INIT;
	const struct profile_flags *f = &p->cargo;
	bool only = !f->post.n && !f->cflags.n && !f->env.n && !f->build_args.n &&
		    !f->configure_args.n && (f->rustflags.n || f->ldflags.n || f->libs.n) &&
		    profile_rust_link_args(&f->rustflags, &args) == 0;

	strv_release(&args);
	return only;
}

void
settings_set_cross(struct settings *s, struct profile *const *profiles, size_t nprofiles,
		   const char *prefix)
{
	if (!prefix || strcmp(s->toolchain, "gcc")) {
		return;
	}
	for (size_t i = 0; i < nprofiles; i++) {
		for (size_t k = 0; k < profiles[i]->ncross; k++) {
			if (!strcmp(profiles[i]->cross[k].recipe, prefix)) {
				flags_add(&s->f, &profiles[i]->cross[k].f);
			}
		}
	}
	free(s->cc);
	free(s->cxx);
	s->cc = cross_tool(prefix, "gcc");
	s->cxx = cross_tool(prefix, "g++");
	for (size_t i = 0; i < s->f.post.n; i++) {
		const char *step = s->f.post.v[i];
		size_t n = strcspn(step, " \t");
		char *word = xstrndup(step, n);

		if (cross_is_binutil(word)) {
			char *tool = cross_tool(prefix, word);
			char *v = xasprintf("%s%s", tool, step + n);

			free(s->f.post.v[i]);
			s->f.post.v[i] = v;
			free(tool);
		}
		free(word);
	}
}

void
settings_release(struct settings *s)
{
	free(s->toolchain);
	free(s->cc);
	free(s->cxx);
	flags_release(&s->f);
	memset(s, 0, sizeof(*s));
}
