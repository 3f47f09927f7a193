/* sstrip.h: strip an ELF executable or shared library past what strip can: drop
 * the section header table and every byte no program header covers, as sstrip
 * from ELFkickers does. The loader reads segments only, so the program still runs;
 * tools that read sections (objdump, gdb, strip, readelf -S) see none. */
#ifndef OUNCE_SSTRIP_H
#define OUNCE_SSTRIP_H

#include <stddef.h>

enum sstrip_status {
	SSTRIP_DONE,		/* stripped, or there was nothing left to remove */
	SSTRIP_BAD_FILE,	/* not an ELF executable or shared library with program
				 * headers, or truncated: a usage error */
	SSTRIP_FAILED,		/* the file could not be written or replaced */
};

/* Strip the ELF image of len bytes at data in place: zero e_shoff, e_shnum and
 * e_shstrndx and set *newlen to the bytes to keep (the end of the last segment's
 * file image, the ELF and program headers included). Returns 0, or -1 with a
 * message in err (errlen bytes) when data is not an executable or shared library
 * with program headers that lie inside it; data is unchanged then. */
int sstrip_image(unsigned char *data, size_t len, size_t *newlen, char *err, size_t errlen);

/* Strip the file at path (a symbolic link: its target) through a temporary file
 * in its directory, renamed over it with its mode kept, so the file is never
 * half written. *before and *after (either may be NULL) get its sizes. Reports
 * any failure once, as an error line. */
enum sstrip_status sstrip_file(const char *path, long long *before, long long *after);

#endif
