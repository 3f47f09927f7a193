/* size.h: where the bytes of one ELF file go: every byte of the file in a row
 * (headers, sections, padding), the symbols with their aliases counted once,
 * and components (object file, source file or crate) for each symbol. */
#ifndef OUNCE_SIZE_H
#define OUNCE_SIZE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/strv.h"

struct size_section {
	char *name;		/* a section's name, or "[ELF header]", "[program headers]",
				 * "[section headers]", "[padding]" for the rest of the file */
	unsigned long long bytes;	/* in the file (0 for .bss) */
	unsigned long long vm_bytes;	/* in memory (0 for what is not loaded) */
	bool synthetic;		/* one of the bracketed rows, not a real section */
};

struct size_symbol {
	char *name;		/* demangled */
	char *raw;		/* as in the symbol table */
	unsigned long long addr;
	unsigned long long bytes;	/* st_size */
	char *section;		/* the section it lives in */
	char *component;	/* set by size_attribute, or "unattributed" */
	char kind;		/* nm's letter: T t D d B b R r V W ... */
	struct strv aliases;	/* other names at the same address and size */
};

struct size_component {
	char *name;
	unsigned long long bytes;	/* its symbols' bytes */
};

struct size_report {
	char *file;
	unsigned long long bytes;	/* the file's size; the rows of sections add up to it */
	struct size_section *sections;
	size_t nsections;
	struct size_symbol *symbols;	/* largest first */
	size_t nsymbols;
	struct size_component *components;	/* largest first */
	size_t ncomponents;
	char *attribution;	/* how components were found: "map", "dwarf", "crate", "none" */
	bool is_object;		/* ET_REL */
	bool dynamic_symbols;	/* no .symtab: the symbols are .dynsym's (a stripped file) */
};
#define SIZE_REPORT_INIT {0}

/* Read path: sections (accounting for the whole file: each byte in one row, even
 * where sections overlap), symbols (from .symtab, else .dynsym; aliases at one
 * address folded into one row; none larger than its section), names demangled.
 * Returns 0, or -1 with a message in err for a file that is missing, not a regular
 * file or not a well-formed ELF file (truncated: a header table or section past the
 * end of the file, or fewer section headers than the ELF header counts). */
int size_read(const char *path, struct size_report *r, char *err, size_t errlen);
/* The linker map beside file, when there is one: FILE.map (what ounce's builds
 * write), else for FILE.elf the FILE.map of firmware builds (-Wl,-Map=FILE.map).
 * NULL when neither exists; the caller frees it. */
char *size_map_beside(const char *file);
/* Attribute each symbol to a component: through the linker map file map_path
 * when given (or PATH.map when it exists), else DWARF compile units when the file
 * has debug info, else the Rust crate of a Rust symbol; "unattributed" for the
 * rest. Then fill r->components. Returns 0 or -1 (message in err) for a map file
 * that cannot be read. */
int size_attribute(struct size_report *r, const char *map_path, char *err, size_t errlen);
/* The largest byte count a report holds: counts are clamped to it and sums
 * saturate at it (size_add), so no total overflows, as signed or unsigned, and
 * none is negative in JSON. */
#define SIZE_BYTES_MAX ((unsigned long long)LLONG_MAX)
/* a + b, saturating at SIZE_BYTES_MAX. */
unsigned long long size_add(unsigned long long a, unsigned long long b);
/* Bytes of all symbols, unattributed included: the components' GRAND TOTAL. */
unsigned long long size_symbol_total(const struct size_report *r);
/* A symbol name without the compiler's clone suffixes (.constprop.N, .isra.N,
 * .part.N, .cold, .llvm.N, Rust's ::h<hash>), for matching across builds. The
 * caller frees the result. */
char *size_normalize_name(const char *name);
/* Free what r owns. */
void size_report_release(struct size_report *r);

#endif
