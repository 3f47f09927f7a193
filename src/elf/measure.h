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
};
#define MEASURE_INIT {-1, -1, -1, -1, 0, 0, NULL, 0, false}

/* Read path's ELF sections into m (bytes, sections, flash, ram). Returns 0, or -1
 * with a message in err (size errlen) when path is not a readable ELF file. */
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
/* m's value on metric ("file", "stripped", "xz", "gz", "flash" or "ram"), or -1
 * for another name. */
long long measure_metric(const struct measure *m, const char *metric);
/* True when path is an ELF executable (ET_EXEC, or ET_DYN with an interpreter:
 * a PIE), not a shared library or an object. */
int measure_is_executable(const char *path);
/* True when path is an ELF shared library (ET_DYN without an interpreter). */
int measure_is_shared_library(const char *path);
/* Free what m owns. */
void measure_release(struct measure *m);

#endif
