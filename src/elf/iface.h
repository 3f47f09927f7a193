/* iface.h: what an ELF artifact offers and needs at run time, as the dynamic
 * loader sees it: the symbols it exports, its SONAME, the libraries it needs, its
 * interpreter and the newest C library version it asks for. */
#ifndef OUNCE_IFACE_H
#define OUNCE_IFACE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/strv.h"

struct iface {
	const char *kind;    /* "executable", "shared-library" or "object" (static) */
	bool dynamic;        /* it has a dynamic section */
	struct strv exports; /* defined, visible dynamic symbols: "name" or
	                      * "name@VERSION", sorted; the loader's and linker's own
	                      * (_init, _end...) left out */
	char *soname;        /* DT_SONAME, or NULL */
	struct strv needed;  /* DT_NEEDED, in order */
	char *interp;        /* PT_INTERP, or NULL */
	char *glibc;         /* the newest glibc it needs ("2.34"), or NULL for none */
};
#define IFACE_INIT                                                                                 \
	{                                                                                          \
		0                                                                                  \
	}

/* Read path's interface into f, from its program headers and dynamic section
 * only (so a file without section headers reads the same). Returns 0, or -1 with
 * a message in err (size errlen) when path is not a readable ELF file. */
int iface_read(const char *path, struct iface *f, char *err, size_t errlen);
/* The glibc release a version name stands for ("GLIBC_2.34": "2.34";
 * "GLIBC_ABI_DT_RELR": "2.36"), into out (size n); false for any other name. */
bool iface_glibc_version(const char *name, char *out, size_t n);
/* <0, 0, >0 as glibc release a is older, the same, newer than b ("2.3.4"). */
int iface_version_cmp(const char *a, const char *b);
/* Free what f owns. */
void iface_release(struct iface *f);

#endif
