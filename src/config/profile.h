/* profile.h: size profiles (one measure of the matrix each) loaded from
 * profiles/NAME.ini and a project's ounce.ini, and their composition into the exact
 * settings of one build. */
#ifndef OUNCE_PROFILE_H
#define OUNCE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/mem.h"
#include "base/strv.h"

enum profile_stage { STAGE_COMPILE, STAGE_LINK, STAGE_POST_LINK };

/* What a profile adds to a build, for one toolchain or for all. */
struct profile_flags {
	struct strv cflags;	/* compile steps (and compile-and-link steps) */
	struct strv ldflags;	/* link steps, before the objects in a Makefile's order */
	struct strv libs;	/* link steps, at the very end (LDLIBS) */
	struct strv env;	/* NAME=VALUE for the configure and build commands */
	struct strv post;	/* post-link commands, one string each, split into words */
	struct strv build_args;	/* extra words for the build command (make VAR=VALUE) */
	struct strv configure_args;	/* extra words for the configure command (-DOPT=OFF) */
	struct strv rustflags;	/* cargo: joined into RUSTFLAGS */
};

/* What a profile means to one build system, where it has a native mechanism
 * (CMake's CMAKE_INTERPROCEDURAL_OPTIMIZATION): a [recipe:NAME] section. */
struct profile_recipe {
	char *recipe;
	struct profile_flags f;
};

struct profile {
	char *name;
	char *summary;		/* one line: what it does */
	char *tradeoff;		/* none, debuggability, speed, build-time, security, portability, abi, ram */
	char *tradeoff_note;	/* one line: what it costs */
	char *file;		/* where it was defined */
	char *dimension;	/* profiles of one dimension are alternatives (the compiler,
				 * the optimisation level, the linker): a cell has at most
				 * one of them; NULL: a dimension of its own */
	char *compiler;		/* switches the toolchain (clang), or NULL */
	char *cxx;		/* the C++ compiler that goes with it */
	enum profile_stage stage;
	bool in_default;	/* part of the default matrix */
	int order;		/* position in the default cumulative stack */
	struct profile_flags all, gcc, clang;
	struct strv conflicts, conflicts_gcc, conflicts_clang;	/* profiles it cannot go
				 * with: always, or when the cell is built by gcc or clang */
	struct strv implies, implies_gcc, implies_clang, implies_cargo;	/* profiles whose
				 * effect it includes, so that a cell with both is the cell
				 * without them: in C builds, when gcc or clang builds, in Cargo */
	struct strv targets; /* the kinds of target it means something for (native,
	                      * linux, bare-metal: cross_kind); empty: every one */
	struct strv evidence, evidence_cargo;	/* what shows the profile is in the
				 * artifact ("symbol:mallctl", "needed:libjemalloc.so.2"), any
				 * one of them: in C builds, in Cargo builds */
	struct profile_flags cargo;	/* a Cargo project uses only this section */
	bool has_cargo;			/* the profile has a [cargo] section */
	struct profile_recipe *recipes;	/* [recipe:NAME] sections */
	size_t nrecipes;
	struct profile_recipe *cross;	/* [gcc-PREFIX] sections (recipe: the prefix):
					 * flags added after [gcc]'s when the cell is
					 * built by that cross gcc */
	size_t ncross;
};

/* All profiles known to a run; the arena owns them. */
struct profile_set {
	struct profile **v;
	size_t n;
	struct arena arena;
};
#define PROFILE_SET_INIT {NULL, 0, ARENA_INIT}

/* Load every profiles/NAME.ini of dir into set, sorted by order then name. Returns
 * 0, or -1 after reporting FILE:LINE of the first bad entry. */
int profile_load_dir(struct profile_set *set, const char *dir);
/* Load one profile file (the profile is named after the file). Returns the
 * profile (owned by set) or NULL after reporting. */
struct profile *profile_load_file(struct profile_set *set, const char *path);
/* The profile called name, or a new empty one (replacing an existing one when
 * replace is set), owned by set. Used by ounce.ini's [profile NAME] sections. */
struct profile *profile_define(struct profile_set *set, const char *name, const char *file,
			       bool replace);
/* Apply one key of a profile's section; toolchain is NULL for the [profile] section,
 * "gcc", "clang" or "cargo" for theirs, "recipe:NAME" for a build system's.
 * Returns NULL or a static error message. */
const char *profile_set_key(struct profile_set *set, struct profile *p, const char *toolchain,
			    const char *key, const char *value);
/* The profile called name, or NULL. */
struct profile *profile_find(const struct profile_set *set, const char *name);
/* Sort the set by order, then name. */
void profile_sort(struct profile_set *set);
/* Free everything the set owns. */
void profile_set_release(struct profile_set *set);
/* "compile", "link" or "post-link". */
const char *profile_stage_name(enum profile_stage s);
/* True for a trade-off that pick and the cumulative stack avoid unless allowed. */
bool profile_is_security(const struct profile *p);

/* The settings of one build: the composition of its profiles. */
struct settings {
	char *toolchain;	/* "gcc" or "clang" */
	char *cc, *cxx;		/* the real compilers, as names or paths */
	struct profile_flags f;
};
#define SETTINGS_INIT {0}

/* Compose the profiles, in order, into s (which must be SETTINGS_INIT or
 * released), for a C build: the last profile that names a compiler wins, and
 * each profile adds its common flags and then those of that compiler. */
void settings_compose(struct settings *s, struct profile *const *profiles, size_t n);
/* The same for a Cargo build: each profile adds its [cargo] section only. */
void settings_compose_cargo(struct settings *s, struct profile *const *profiles, size_t n);
/* settings_compose for a build by recipe: a profile with a [recipe:RECIPE]
 * section adds that section instead of its compiler flags. */
void settings_compose_recipe(struct settings *s, struct profile *const *profiles, size_t n,
			     const char *recipe);
/* settings_compose_cargo when toolchain is "cargo", else settings_compose_recipe. */
void settings_compose_for(struct settings *s, struct profile *const *profiles, size_t n,
			  const char *toolchain, const char *recipe);
/* The [recipe:NAME] section of p, or NULL. */
const struct profile_flags *profile_recipe_flags(const struct profile *p, const char *recipe);
/* Does p mean anything for toolchain ("cargo", or NULL for C)? */
bool profile_applies(const struct profile *p, const char *toolchain);
/* Does p apply to a target of kind (cross_kind: "native", "linux", "bare-metal")?
 * A profile without targets applies to every kind. */
bool profile_for_target(const struct profile *p, const char *kind);
/* profile_applies, for a project built by recipe: a profile that has nothing
 * but [recipe:NAME] sections applies only to those recipes. */
bool profile_applies_to(const struct profile *p, const char *toolchain, const char *recipe);
/* Does p only add post-link steps for this toolchain and recipe (strip)? Then a
 * cell with it can start from a copy of the artifact linked without it. */
bool profile_post_only(const struct profile *p, const char *toolchain, const char *recipe);
/* Does p leave a C build's compile steps alone: no compiler, and in every
 * section (the compilers', recipe's) nothing but link flags, libraries and
 * post-link steps? Then a cell with it compiles the objects the cell without it
 * does (nosep, relr; not gc or noid, which add compile flags). */
bool profile_link_only(const struct profile *p, const char *recipe);
/* Does p, in a Cargo build, only add arguments to the link: rustflags that are
 * all -C link-arg(s), link flags or libraries for the wrapper? RUSTFLAGS are not
 * in Cargo's -C metadata (since Cargo 1.39), so rustc's objects are the same
 * without it, and a cell with it can relink the objects of the cell without it.
 * (Cargo's profile settings, strip included, are in -C metadata: not these.) */
bool profile_cargo_link_only(const struct profile *p);
/* The linker arguments of rustflags (-C link-arg=X, -Clink-arg=X, -C link-args=X),
 * appended to out; -1 when one of the flags is something else. */
int profile_rust_link_args(const struct strv *rustflags, struct strv *out);
/* Why profiles v (n of them, in a C build) cannot be built together, in buf (len
 * bytes), or NULL when they can: a profile's `conflicts` names another of them,
 * for the compiler the cell is built with (lld cannot link gcc's LTO objects). */
const char *profile_conflict(struct profile *const *v, size_t n, char *buf, size_t len);
/* Are a and b two values of one dimension (two compilers, two optimisation
 * levels), alternatives that never go in one cell? A profile without a dimension
 * is a dimension of its own. */
bool profile_same_dimension(const struct profile *a, const struct profile *b);
/* Leave out of v (n profiles, in the matrix's order) each profile that another
 * profile left in v implies, for the cell's toolchain (toolchain "cargo", or NULL
 * for C: the compiler the profiles choose), the last ones first: the profiles
 * that remain make the same build (cgu1 implies lto under gcc). Returns how many
 * remain, in the same order. */
size_t profile_reduce(struct profile **v, size_t n, const char *toolchain);
/* Build s with the cross toolchain prefix (NULL: leave it native): a gcc build's
 * compilers become PREFIX-gcc and PREFIX-g++, and a post-link step that runs a
 * binutils program (strip) runs the toolchain's (PREFIX-strip). The flags of
 * the [gcc-PREFIX] sections of profiles (n, the cell's) are added after theirs. */
void settings_set_cross(struct settings *s, struct profile *const *profiles, size_t n,
			const char *prefix);
/* Free what s owns. */
void settings_release(struct settings *s);

#endif
