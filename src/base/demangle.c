/* demangle.c: one demangler for the size reports and the heap's frames. */
#include "base/demangle.h"

#include <libiberty/demangle.h>

#include "base/mem.h"
#include "base/banned.h"

char *
demangle(const char *raw)
{
	char *d = cplus_demangle(raw, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);

	return d ? d : xstrdup(raw);
}
