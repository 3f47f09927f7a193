/* regions.h: the memory regions of a firmware link (FLASH, RAM...), read from the
 * "Memory Configuration" of a GNU ld map file or from the MEMORY blocks of a linker
 * script, and the allocated sections of an ELF file placed in them by address:
 * how full each region is. For `ounce size`, and for the matrix to call per cell:
 *
 *	struct regions rs = REGIONS_INIT;
 *	if (regions_read(&rs, map, script) < 0 || regions_place(&rs, elf) < 0)
 *		... (reported)
 *	for (size_t i = 0; i < rs.n; i++)
 *		rs.v[i].name, .origin, .length, .used, regions_percent(&rs.v[i])
 *	regions_release(&rs);
 */
#ifndef OUNCE_REGIONS_H
#define OUNCE_REGIONS_H

#include <stdbool.h>
#include <stddef.h>

/* A section of the ELF file in a region (or in none). */
struct region_section {
	char *name;
	unsigned long long addr;  /* where its bytes are: its run address (VMA), or
	                           * its load address (LMA) for a load image */
	unsigned long long bytes; /* sh_size */
	unsigned long long vma;   /* its run address, for a load image */
	bool load_image;          /* the initial values of a section that runs elsewhere
	                           * (.data in FLASH, copied to RAM by the startup code) */
	bool nobits;              /* takes no bytes in the file (.bss, a NOLOAD stack) */
};

struct region {
	char *name;  /* "FLASH" */
	char *attrs; /* "rx", "rw!x", or "" */
	unsigned long long origin, length;
	size_t line; /* where the map or script declares it */
	/* by regions_place: */
	unsigned long long used;         /* the bytes of its sections, saturating */
	struct region_section *sections; /* by address */
	size_t nsections;
};

struct regions {
	char *source;     /* the map file or linker script they come from */
	struct region *v; /* in the order of the source */
	size_t n;         /* 0: the source declares none (a Linux program's map) */
	/* by regions_place: allocated sections (or load images) in no region */
	struct region_section *outside;
	size_t noutside;
};
#define REGIONS_INIT                                                                               \
	{                                                                                          \
		0                                                                                  \
	}

/* The regions of the "Memory Configuration" of the GNU ld map file path (the
 * catch-all *default* left out) into rs (released first). Returns 0 (rs->n 0 when
 * the map has none: an lld map, or a link without MEMORY), or -1 after reporting:
 * the file cannot be read or is not a map, "PATH:LINE: error: ..." for a line there
 * that is not a region or a region named twice. */
int regions_from_map(struct regions *rs, const char *path);
/* The regions of the MEMORY blocks of the linker script path into rs (released
 * first): NAME [(ATTRS)] : ORIGIN = EXPR, LENGTH = EXPR (also org/o, len/l), where
 * an EXPR is numbers (decimal, 0x hex, a K or M suffix), + - * / and parentheses,
 * and ORIGIN(R)/LENGTH(R) of a region above. Returns 0 (rs->n 0 for a script
 * without MEMORY), or -1 after reporting "PATH:LINE: error: ..." for what it does
 * not understand there (a symbol, INCLUDE, a malformed entry). */
int regions_from_script(struct regions *rs, const char *path);
/* The regions of a link: from the linker script when script is not NULL, else from
 * the map file when map is not NULL (else none). Returns 0 or -1 as above. */
int regions_read(struct regions *rs, const char *map, const char *script);
/* Place every allocated section of the ELF file elf that takes addresses (SHF_ALLOC,
 * size > 0, not .tbss) in the region holding its address; a section with contents
 * whose load address (from the PT_LOAD program header holding it: p_paddr against
 * p_vaddr) differs also counts, as a load image, in the region of that address.
 * Sets each region's used and sections and rs->outside (replacing an earlier
 * placement). Returns 0, or -1 after reporting a file that cannot be read as ELF. */
int regions_place(struct regions *rs, const char *elf);
/* used as a percentage of length (0 for a region of length 0). */
double regions_percent(const struct region *r);
/* Free what rs owns; rs is REGIONS_INIT again. */
void regions_release(struct regions *rs);

#endif
