/* heapsym.c: symbolising a heap log's frames after the run. Each object the
 * log names gets its own libdw session (a dlclose'd library and the one loaded
 * at its place later may overlap, which one session cannot hold), reported at
 * the load bias the tracer saw; a frame's return address minus one is the call
 * it stands for, looked up for its symbol and source line. */
#include "heap/heapsym.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/demangle.h"
#include "base/log.h"
#include "base/mem.h"
#include "heap/heaplog.h"
#include "base/banned.h"

/* What was found for one object. */
struct session {
	Dwfl *dwfl;
	Dwfl_Module *mod;	/* NULL: its frames stay object+offset */
};

static char *debuginfo_path;	/* libdw's default search path: NULL */

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

static bool
same_id(Dwfl_Module *m, const struct heap_object *o)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(m, &bits, &vaddr);

	if (!o->build_id_len) {
		return true;	/* nothing to compare with */
	}
	return len > 0 && (size_t)len == o->build_id_len && !memcmp(bits, o->build_id, (size_t)len);
}

/* The separate debug file of a build-id, where Debian's -dbgsym packages put it. */
static char *
build_id_file(const struct heap_object *o)
{
	char *hex = xmalloc(2 * o->build_id_len + 1), *path;

	for (size_t i = 0; i < o->build_id_len; i++) {
		snprintf(hex + 2 * i, 3, "%02x", o->build_id[i]);
	}
	path = xasprintf("/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2);
	free(hex);
	return path;
}

enum opened { OPEN_OK, OPEN_UNREADABLE, OPEN_OTHER_ID };

/* Report path at o's bias in a session of its own (s->dwfl, ended by the
 * caller); s->mod is NULL when libdw cannot read it or its build-id is not o's. */
static enum opened
open_session(struct session *s, const struct heap_object *o, const char *path)
{
	if (s->dwfl) {
		dwfl_end(s->dwfl);
	}
	s->dwfl = dwfl_begin(&callbacks);
	s->mod = NULL;
	if (!s->dwfl) {
		return OPEN_UNREADABLE;
	}
	dwfl_report_begin(s->dwfl);
	s->mod = dwfl_report_elf(s->dwfl, o->path, path, -1, o->bias, false);
	dwfl_report_end(s->dwfl, NULL, NULL);
	if (!s->mod) {
		return OPEN_UNREADABLE;
	}
	if (!same_id(s->mod, o)) {
		s->mod = NULL;
		return OPEN_OTHER_ID;
	}
	return OPEN_OK;
}

/* The session of object o: its file when it is still the one that ran, else its
 * separate debug file by build-id. Says once why its frames cannot be named. */
static void
object_session(struct session *s, const struct heap_object *o)
{
	enum opened first = OPEN_UNREADABLE;
	char *alt;

	s->dwfl = NULL;
	s->mod = NULL;
	if (access(o->path, R_OK) == 0) {
		first = open_session(s, o, o->path);
		if (first == OPEN_OK) {
			return;
		}
	}
	if (o->build_id_len) {
		alt = build_id_file(o);
		if (access(alt, R_OK) == 0 && open_session(s, o, alt) == OPEN_OK) {
			free(alt);
			return;
		}
		free(alt);
	}
	if (access(o->path, F_OK) != 0) {
		warn("'%s' is not there any more: its frames show as object+offset", o->path);
	} else if (first == OPEN_OTHER_ID) {
		warn("'%s' has changed since the run (another build-id): its frames show as "
		     "object+offset",
		     o->path);
	} else {
		warn("cannot read '%s': its frames show as object+offset", o->path);
	}
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Fill f's label and name from its func, file and line (and o's path). */
static void
label_frame(struct heapsym_frame *f, const struct heap_object *o)
{
	/* template and generic arguments folded: Rust's and C++'s names are read
	 * in a table row (JSON keeps them whole) */
	char *func = f->func ? demangle_shorten(f->func) : NULL;

	if (func && f->file && f->line > 0) {
		f->label = xasprintf("%s (%s:%d)", func, base_name(f->file), f->line);
	} else if (func) {
		f->label = xstrdup(func);
	} else if (o) {
		f->label =
		    xasprintf("%s+0x%llx", base_name(o->path), (unsigned long long)f->offset);
	} else {
		f->label = xasprintf("0x%llx", (unsigned long long)f->offset);
	}
	f->name = func ? func : xstrdup(f->label);
}

/* The name of a function's DIE (following its abstract origin): its linkage
 * name demangled, else its name; NULL when it has neither. */
static char *
die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *s = NULL;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &a) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a)) {
		s = dwarf_formstring(&a);
		if (s) {
			return demangle(s);
		}
	}
	if (dwarf_attr_integrate(die, DW_AT_name, &a)) {
		s = dwarf_formstring(&a);
	}
	return s ? xstrdup(s) : NULL;
}

/* Where the inlined call of die was made: its call file and line. */
static void
call_site(Dwarf_Die *die, Dwarf_Die *cu, char **file, int *line)
{
	Dwarf_Attribute a;
	Dwarf_Word idx, ln;
	Dwarf_Files *files;
	size_t nfiles;
	const char *src;

	*file = NULL;
	*line = 0;
	if (dwarf_attr(die, DW_AT_call_line, &a) && dwarf_formudata(&a, &ln) == 0 &&
	    ln <= INT_MAX) {
		*line = (int)ln;
	}
	if (dwarf_attr(die, DW_AT_call_file, &a) && dwarf_formudata(&a, &idx) == 0 &&
	    dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && idx < nfiles) {
		src = dwarf_filesrc(files, idx, NULL, NULL);
		if (src && *src) {
			*file = xstrdup(src);
		}
	}
}

/* The compile unit that holds address a: libdw 0.188 finds it through
 * .debug_aranges, which clang does not write, so failing that each unit's own
 * ranges are asked. */
static Dwarf_Die *
cu_of(Dwfl_Module *mod, uint64_t a, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(mod, a, bias);

	while (!cu && (cu = dwfl_module_nextcu(mod, cu, bias)) != NULL) {
		if (dwarf_haspc(cu, a - *bias) > 0) {
			return cu;
		}
	}
	return cu;
}

/* The source file and line of address a, in *file (the caller frees it) and
 * *line; false when the debug info does not say. */
static bool
source_of(Dwfl_Module *mod, uint64_t a, char **file, int *line)
{
	Dwfl_Line *dl = dwfl_module_getsrc(mod, a);
	const char *src = NULL;
	Dwarf_Addr bias;
	Dwarf_Die *cu;

	*line = 0;
	if (dl) {
		src = dwfl_lineinfo(dl, NULL, line, NULL, NULL, NULL);
	} else if ((cu = cu_of(mod, a, &bias)) != NULL) {
		Dwarf_Line *l = dwarf_getsrc_die(cu, a - bias);

		if (l) {
			src = dwarf_linesrc(l, NULL, NULL);
			dwarf_lineno(l, line);
		}
	}
	if (!src || !*src) {
		return false;
	}
	*file = xstrdup(src);
	return true;
}

/* The most scopes (functions, inlined calls, blocks) followed into a unit. */
#define SCOPES_MAX 64

/* The scopes below parent that hold pc, outermost first, appended to path
 * (*n of them). libdw 0.188's dwarf_getscopes does not look into namespaces,
 * where rustc puts every function, so this walks the tree itself: namespaces
 * and types are entered, functions and blocks only when they hold pc. */
static bool
scope_path(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *path, int *n, int depth)
{
	Dwarf_Die child;

	if (depth > SCOPES_MAX || dwarf_child(parent, &child) != 0) {
		return false;
	}
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
		case DW_TAG_lexical_block:
		case DW_TAG_entry_point:
			if (dwarf_haspc(&child, pc) > 0) {
				if (*n < SCOPES_MAX) {
					path[(*n)++] = child;
				}
				scope_path(&child, pc, path, n, depth + 1);
				return true;
			}
			break;
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_structure_type:
		case DW_TAG_class_type:
		case DW_TAG_union_type:
		case DW_TAG_enumeration_type:
			if (dwarf_haschildren(&child) > 0 &&
			    scope_path(&child, pc, path, n, depth + 1)) {
				return true;
			}
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The functions inlined at the call address call, from the debug info's scopes
 * (innermost first): f (already named from the symbol table and line table)
 * becomes the innermost inlined function, and its outer[] the functions out to
 * the one the symbol table named. */
static void
inline_chain(struct heapsym_frame *f, Dwfl_Module *mod, uint64_t call,
	     const struct heap_object *o)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = cu_of(mod, call, &bias), scopes[SCOPES_MAX];
	int n = 0;

	if (cu) {
		scope_path(cu, call - bias, scopes, &n, 0);
	}
	/* the unit .debug_aranges names may not hold the function (rustc's units
	 * overlap there): then each unit whose own ranges hold the address */
	for (Dwarf_Die *c = NULL; !n && (c = dwfl_module_nextcu(mod, c, &bias)) != NULL;) {
		if (c != cu && dwarf_haspc(c, call - bias) > 0) {
			scope_path(c, call - bias, scopes, &n, 0);
			cu = c;
		}
	}
	struct heapsym_frame *chain = NULL;
	size_t nchain = 0, cap = 0;
	char *file = f->file ? xstrdup(f->file) : NULL;	/* where the next one is */
	int line = f->line;

	/* each inlined subroutine, innermost first, then the function around them */
	for (int i = n - 1; i >= 0; i--) {
		int tag = dwarf_tag(&scopes[i]);
		struct heapsym_frame *c;

		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) {
			continue;
		}
		chain = xgrowarray(chain, &cap, nchain + 1, sizeof(*chain));
		c = &chain[nchain++];
		memset(c, 0, sizeof(*c));
		c->object = f->object;
		c->offset = f->offset;
		c->file = file;
		c->line = line;
		file = NULL;
		if (tag == DW_TAG_subprogram) {
			/* the symbol table's name: demangled in full */
			c->func = f->func ? xstrdup(f->func) : die_name(&scopes[i]);
			break;
		}
		c->func = die_name(&scopes[i]);
		c->inlined = true;
		call_site(&scopes[i], cu, &file, &line);
	}
	free(file);
	if (nchain < 2) {
		/* nothing inlined here: f stays as it is */
		for (size_t i = 0; i < nchain; i++) {
			free(chain[i].func);
			free(chain[i].file);
		}
		free(chain);
		return;
	}
	free(f->func);
	free(f->file);
	f->func = chain[0].func;
	f->file = chain[0].file;
	f->line = chain[0].line;
	f->inlined = true;
	f->nouter = nchain - 1;
	f->outer = xcalloc(f->nouter, sizeof(*f->outer));
	for (size_t i = 1; i < nchain; i++) {
		f->outer[i - 1] = chain[i];
		label_frame(&f->outer[i - 1], o);
	}
	f->outer[f->nouter - 1].inlined = false;
	free(chain);
}

/* Name the frame at return address ip held by session s of object o (both may
 * be NULL). */
static void
resolve_frame(struct heapsym_frame *f, uint64_t ip, const struct session *s,
	      const struct heap_object *o)
{
	uint64_t call = ip ? ip - 1 : 0;

	if (o) {
		f->object = o->path;
		f->offset = call - o->bias;
	} else {
		f->offset = call;
	}
	if (s && s->mod) {
		GElf_Off off;
		GElf_Sym sym;
		const char *name = dwfl_module_addrinfo(s->mod, call, &off, &sym, NULL, NULL, NULL);

		if (name && *name) {
			/* a dynamic symbol's version ("@@GLIBC_2.34") is not its name */
			char *plain = xstrndup(name, strcspn(name, "@"));

			f->func = demangle(plain);
			free(plain);
		}
		if (!source_of(s->mod, call, &f->file, &f->line)) {
			f->file = NULL;
			f->line = 0;
		}
		inline_chain(f, s->mod, call, o);
	}
	label_frame(f, o);
}

void
heapsym_resolve(struct heapsym *s, const struct heap_log *log)
{
	struct session *sess = NULL;
	bool *opened = NULL;

	heapsym_release(s);
	if (log->nframes < 2) {
		return;
	}
	if (log->nobjects) {
		sess = xcalloc(log->nobjects, sizeof(*sess));
		opened = xcalloc(log->nobjects, sizeof(*opened));
	}
	s->n = log->nframes;
	s->frames = xcalloc(s->n, sizeof(*s->frames));
	for (size_t i = 1; i < s->n; i++) {
		const struct heap_frame *fr = &log->frames[i];
		const struct heap_object *o = NULL;
		const struct session *se = NULL;

		if (fr->object != HEAP_NO_OBJECT && fr->object < log->nobjects) {
			o = &log->objects[fr->object];
			if (!opened[fr->object]) {
				/* only the objects some frame is in */
				object_session(&sess[fr->object], o);
				opened[fr->object] = true;
			}
			se = &sess[fr->object];
		}
		resolve_frame(&s->frames[i], fr->ip, se, o);
		if (!s->frames[i].func) {
			s->unresolved++;
		}
	}
	for (size_t i = 0; i < log->nobjects; i++) {
		if (sess[i].dwfl) {
			dwfl_end(sess[i].dwfl);
		}
	}
	free(sess);
	free(opened);
}

void
heapsym_release(struct heapsym *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; k < s->frames[i].nouter; k++) {
			free(s->frames[i].outer[k].func);
			free(s->frames[i].outer[k].file);
			free(s->frames[i].outer[k].label);
			free(s->frames[i].outer[k].name);
		}
		free(s->frames[i].outer);
		free(s->frames[i].func);
		free(s->frames[i].file);
		free(s->frames[i].label);
		free(s->frames[i].name);
	}
	free(s->frames);
	*s = (struct heapsym)HEAPSYM_INIT;
}
