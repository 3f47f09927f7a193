/* measure.h: sizes of a built artifact, read from the file with libelf, plus its
 * stripped and compressed sizes. */
#ifndef OUNCE_MEASURE_H
#define OUNCE_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

struct section_size {
	char *name;
	unsigned long long bytes;	/* sh_size: in memory for .bss, in the file otherwise */
};

/* A memory region of a firmware link and how much of it the file uses. */
struct measure_region {
	char *name;			/* "FLASH" */
	unsigned long long origin, length, used;
};

struct measure {
	long long bytes;		/* the file */
	long long stripped_bytes;	/* a copy after strip --strip-all */
	long long gz_bytes;		/* the stripped copy, gzip -9 */
	long long xz_bytes;		/* the stripped copy, xz -9 */
	unsigned long long flash;	/* allocated sections stored in the file */
	unsigned long long ram;		/* allocated writable sections (.data, .bss, ...) */
	struct section_size *sections;	/* every named section, in file order */
	size_t nsections;
	bool no_sections;		/* the file has no section headers (sstrip): flash
					 * and ram come from its loadable segments */
	struct measure_region *regions;	/* a firmware link's memory regions, from the
					 * map beside the file (elf/regions.h); none for
					 * a Linux program */
	size_t nregions;
};
#define MEASURE_INIT {-1, -1, -1, -1, 0, 0, NULL, 0, false, NULL, 0}

/* Read path's ELF sections into m (bytes, sections, flash, ram, and the memory
 * regions of the map beside it: size_map_beside). Returns 0, or -1 with a message
 * in err (size errlen) when path is not a readable ELF file. */
int measure_elf(const char *path, struct measure *m, char *err, size_t errlen);
/* gzip -9 and xz -9 sizes of the file at path. Returns 0 or -1 (message in err). */
int measure_compressed(const char *path, long long *gz, long long *xz, char *err, size_t errlen);
/* The size of the len bytes at data as gzip -9 -n writes them, fed to zlib chunk
 * bytes at a time (0: as many as zlib takes at once, 4 GiB - 1); -1 when zlib
 * fails. */
long long measure_gzip_size(const unsigned char *data, size_t len, size_t chunk);
/* Does path define a symbol called name (in .symtab or .dynsym)? False when it
 * cannot be read. */
bool measure_defines(const char *path, const char *name);
/* Bytes of section name in m, or 0. */
unsigned long long measure_section(const struct measure *m, const char *name);
/* m's value on metric ("file", "stripped", "xz", "gz", "flash", "ram", or
 * "region:NAME": the bytes used in memory region NAME), or -1 for another name or
 * a region m does not have. */
long long measure_metric(const struct measure *m, const char *metric);
/* True when path is an ELF executable (ET_EXEC, or ET_DYN with an interpreter:
 * a PIE), not a shared library or an object. */
int measure_is_executable(const char *path);
/* True when path is an ELF shared library (ET_DYN without an interpreter). */
int measure_is_shared_library(const char *path);
/* The strip program for path: the cross toolchain's (PREFIX-strip) when the run
 * has one (prefix, or NULL), else "strip" for the host's machine, else
 * the cross binutils' one in PATH for path's machine (arm-none-eabi-strip for
 * ARM, riscv64-unknown-elf-strip for RISC-V...), else "strip" (which then says
 * it cannot read the file). The matrix and ounce check strip their copies with
 * it. The caller frees it. */
char *measure_strip_tool(const char *path, const char *prefix);
/* Region name of m, or NULL. */
const struct measure_region *measure_region(const struct measure *m, const char *name);
/* Append a region to m (name copied). */
void measure_add_region(struct measure *m, const char *name, unsigned long long origin,
			unsigned long long length, unsigned long long used);
/* Copy src's regions into m (which has none). */
void measure_copy_regions(struct measure *m, const struct measure *src);
/* Free what m owns. */
void measure_release(struct measure *m);

#endif
