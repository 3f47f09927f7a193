/* emit.h: print a cell's settings in a form the user pastes into their build. */
#ifndef OUNCE_EMIT_H
#define OUNCE_EMIT_H

struct buf;
struct cell;
struct results;

/* Render cell c of r as form ("env", "make", "json", "cmake", "meson" or "cargo")
 * into out, with metric named in the header; make's has a "# reproduce: " line,
 * the one command that rebuilds the whole tree (sub-makes too) as the cell was
 * built, post-link steps included. Returns 0, -1 when form is unknown
 * (not reported), or -2 when the form does not fit the cell's toolchain (cargo
 * for a C build, a C form for a Cargo build; reported). */
int emit_render(const struct results *r, const struct cell *c, const char *form,
		const char *metric, struct buf *out);

#endif
