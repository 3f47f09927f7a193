/* component.h: which part of a program each address of a linked ELF file belongs
 * to (an object file or archive member, a source file, a Rust crate), read from a
 * linker map file or from DWARF, for size breakdowns. */
#ifndef OUNCE_COMPONENT_H
#define OUNCE_COMPONENT_H

#include <stddef.h>

struct component_range {
	unsigned long long start, end;	/* [start, end) virtual addresses */
	char *name;
};

struct component_map {
	struct component_range *v;	/* sorted by start, non-overlapping */
	size_t n;
};
#define COMPONENT_MAP_INIT {NULL, 0}

/* Read a linker map file written by GNU ld (-Map) or by LLVM lld (-Map): the input
 * sections of allocated output sections, each attributed to its input file; an
 * archive member is named "libfoo.a(bar.o)" in both formats. Paths are kept as the
 * map prints them. Returns 0, or -1 with a message in err (cannot open, or not a
 * map file of either format). */
int component_from_linker_map(const char *path, struct component_map *m, char *err,
			      size_t errlen);
/* A line of the "Memory Configuration" of a GNU ld map file: a memory region, or
 * (name NULL) a line that is not one. The strings live during the call only. */
struct component_memory {
	const char *name;	/* "FLASH"; NULL for a bad line */
	const char *attrs;	/* "xr", "rw!x"; "" when the map gives none */
	unsigned long long origin, length;
	size_t line;		/* the line's number in the map */
	const char *text;	/* the whole line */
};
/* Call fn(ctx, region) for each memory region of the "Memory Configuration" of
 * the GNU ld map file path, in its order, the catch-all *default* left out, and
 * for each line there that is not a region (name NULL). Reading stops where the
 * memory map starts. Returns 1 when the map has that section, 0 when it has not
 * (an lld map; a GNU ld map of a link without MEMORY still lists *default*), -1
 * with a message in err (cannot open, or not a map file of GNU ld or lld). */
int component_map_memory(const char *path,
			 void (*fn)(void *ctx, const struct component_memory *mem), void *ctx,
			 char *err, size_t errlen);
/* Read the DWARF compile units of an ELF file with libdw (elfutils): each CU's
 * address ranges, named by the CU's DW_AT_name (the source file, as compiled).
 * Returns 1 when there were compile units with ranges, 0 when the file has no
 * debug info (m stays empty), -1 with a message in err when the file cannot be
 * read. */
int component_from_dwarf(const char *path, struct component_map *m, char *err, size_t errlen);
/* The component holding addr, or NULL. */
const char *component_lookup(const struct component_map *m, unsigned long long addr);
/* The crate of a demangled Rust symbol name ("std" for "std::io::stdio::_print",
 * "tinyrocket" for "tinyrocket::main", "core" for "<core::fmt::Error as ...>::fmt"
 * - for a trait impl "<A as B>::f" take the crate of A), or NULL when the name
 * does not look like a Rust path (no "::"). The result is a new string the
 * caller frees. */
char *component_crate(const char *demangled);
/* Free what m owns. */
void component_map_release(struct component_map *m);

#endif
