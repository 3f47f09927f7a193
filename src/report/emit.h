/* emit.h: print a cell's settings in a form the user pastes into their build. */
#ifndef OUNCE_EMIT_H
#define OUNCE_EMIT_H

#include <stdbool.h>

struct buf;
struct cell;
struct results;

/* Render cell c of r as form ("env", "make", "json", "cmake", "meson", "cargo" or
 * "wrapper") into out, with metric named in the header. make, cmake and wrapper
 * have a "# reproduce: " line, the one command that rebuilds the whole tree
 * from its root as the cell was built (sub-makes too), post-link steps included;
 * wrapper is a shell snippet that writes a compiler wrapper doing what ounce's
 * did in the cells. Returns 0, -1 when form is unknown (not reported), or -2 when
 * the form does not fit the cell's toolchain (cargo for a C build, a C form for a
 * Cargo build; reported). */
int emit_render(const struct results *r, const struct cell *c, const char *form,
		const char *metric, struct buf *out);
/* Is form one emit_render knows? */
bool emit_form_valid(const char *form);
/* The form that applies a winner with the build system's own means (make's
 * command line, cmake -C, configure, a Meson native file, a Cargo profile) for
 * recipe, or NULL when there is none (the single-file recipe). */
const char *emit_native_form(const char *recipe);
/* The path from the project's root of a cell's artifact called name ("src/prog",
 * "build/lib/x.so", "stage/usr/bin/prog"), as the forms say it: the cell's copy
 * of the tree is the root, build/ and stage/ are the build and staging
 * directories under it. Borrowed from name. */
const char *emit_artifact_path(const char *name);

#endif
