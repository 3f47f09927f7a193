/* heapsym.c: symbolising a heap log's frames after the run. Each object the
 * log names gets its own libdw session (a dlclose'd library and the one loaded
 * at its place later may overlap, which one session cannot hold), reported at
 * the load bias the tracer saw; a frame's return address minus one is the call
 * it stands for, looked up for its symbol and source line. */
#include "heap/heapsym.h"

#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "elf/size.h"
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
		Dwfl_Line *line = dwfl_module_getsrc(s->mod, call);

		if (name && *name) {
			/* a dynamic symbol's version ("@@GLIBC_2.34") is not its name */
			char *plain = xstrndup(name, strcspn(name, "@"));

			f->func = size_demangle(plain);
			free(plain);
		}
		if (line) {
			int lineno = 0;
			const char *src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);

			if (src && *src) {
				f->file = xstrdup(src);
				f->line = lineno;
			}
		}
	}
	if (f->func && f->file && f->line > 0) {
		f->label = xasprintf("%s (%s:%d)", f->func, base_name(f->file), f->line);
	} else if (f->func) {
		f->label = xstrdup(f->func);
	} else if (o) {
		f->label = xasprintf("%s+0x%llx", base_name(o->path), (unsigned long long)f->offset);
	} else {
		f->label = xasprintf("0x%llx", (unsigned long long)f->offset);
	}
	f->name = xstrdup(f->func ? f->func : f->label);
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
		free(s->frames[i].func);
		free(s->frames[i].file);
		free(s->frames[i].label);
		free(s->frames[i].name);
	}
	free(s->frames);
	*s = (struct heapsym)HEAPSYM_INIT;
}
