/* relink.h: a link kept so a cell can link the same objects again with more link
 * arguments, and no rebuild. rustc deletes its objects after the link, so the
 * compiler wrapper keeps them: hard links of the link's inputs that live in the
 * cell's directory, and the call itself, in KEEP/NAME/ (NAME the output's). */
#ifndef OUNCE_RELINK_H
#define OUNCE_RELINK_H

#include <stddef.h>

#include "base/strv.h"

struct relink {
	char *cwd;	  /* where the link ran */
	char *real;	  /* the compiler that linked */
	char *out;	  /* the output the link wrote (its -o) */
	struct strv args; /* the link's arguments as the wrapper got them, inputs kept */
};

#define RELINK_INIT {NULL, NULL, NULL, STRV_INIT}

/* Keep a link with n arguments args, run by real, in keep: every argument that
 * is a regular file under one of roots (not the output) is hard-linked (or
 * copied) into the record and the argument names that instead. Returns 0 when
 * kept, 1 when the link cannot be kept (no -o, a response file), -1 on an error
 * (nothing kept). */
int relink_keep(const char *keep, const struct strv *roots, const char *real,
		char *const *args, size_t n);
/* The link kept in keep whose output is the file artifact (the same inode: Cargo
 * hard-links its deps/NAME-HASH to NAME), into r. Returns 0 when found, -1 when
 * there is none. */
int relink_find(const char *keep, const char *artifact, struct relink *r);
/* The arguments of r's link again, writing out instead, then extra. */
void relink_args(const struct relink *r, const char *out, const struct strv *extra,
		 struct strv *argv);
void relink_release(struct relink *r);

#endif
