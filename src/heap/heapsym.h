/* heapsym.h: the frames of a heap log with stacks resolved to function, source
 * file and line after the run, with libdw, from the objects the log names. */
#ifndef OUNCE_HEAPSYM_H
#define OUNCE_HEAPSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_log;

/* One function's part of a frame, as a person reads it. A frame whose call was
 * inlined into other functions (their debug info says so) reads as several: the
 * innermost is the frame itself, the others are in its outer[]. */
struct heapsym_frame {
	char *func;		/* demangled; NULL when no symbol covers it */
	char *file;		/* source file of the call; NULL when unknown */
	int line;		/* 0 when unknown */
	const char *object;	/* the object's path (the log's); NULL when none held it */
	uint64_t offset;	/* the call's address in the object's file */
	char *label;		/* "func (file:line)", "func", or "object+0xOFFSET", with
				 * func's template arguments folded (demangle_shorten) */
	char *name;		/* func folded, else label: what a flame graph box shows */
	bool inlined;		/* inlined into the next function out */
	struct heapsym_frame *outer;	/* the functions it is inlined into, innermost
					 * first, out to the one the symbol table names */
	size_t nouter;
};

/* Every frame of one log; frames[id] for the log's frame ids (frames[0] unused). */
struct heapsym {
	struct heapsym_frame *frames;
	size_t n;
	size_t unresolved;	/* frames with no function name */
};
#define HEAPSYM_INIT {NULL, 0, 0}

/* Resolve every frame of log. An object that is gone, or whose build-id is not
 * the one the log recorded (rebuilt since the run), is said once on stderr and its
 * frames show as object+offset; so do frames outside every object. Debug info
 * comes from the object itself or a separate file libdw finds for it (its
 * .gnu_debuglink, /usr/lib/debug/.build-id, debuginfod when DEBUGINFOD_URLS is set). */
void heapsym_resolve(struct heapsym *s, const struct heap_log *log);
/* Free what s owns. */
void heapsym_release(struct heapsym *s);

/* How many functions frame id reads as (1 + its inlined callers). */
static inline size_t
heapsym_depth(const struct heapsym *s, uint32_t id)
{
	return id && id < s->n ? 1 + s->frames[id].nouter : 0;
}

/* Function k (0: the innermost) of frame id; k < heapsym_depth. */
static inline const struct heapsym_frame *
heapsym_at(const struct heapsym *s, uint32_t id, size_t k)
{
	return k ? &s->frames[id].outer[k - 1] : &s->frames[id];
}

#endif
