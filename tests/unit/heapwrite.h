/* heapwrite.h: a small writer of heap trace logs exactly per src/heap/heapfmt.h, for
 * the heap tests. Header-only (static inline), because each unit test is built
 * from its own file and testutil.c alone. */
#ifndef OUNCE_HEAPWRITE_H
#define OUNCE_HEAPWRITE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "heap/heapfmt.h"

/* A log being written; out holds its bytes. */
struct hw {
	struct buf out;
	uint64_t prev;		/* the previous pointer field */
	unsigned flags;		/* the header's HEAPFMT_FLAG_* */
	uint64_t stack;		/* with HEAPFMT_FLAG_STACKS: the stack id alloc records carry */
	uint64_t prev_ip;	/* the previous FRAME's ip */
	uint64_t frames;	/* FRAME records so far */
};

static inline void
hw_leb(struct hw *w, uint64_t v)
{
	do {
		unsigned char b = v & 0x7f;

		v >>= 7;
		buf_addc(&w->out, (char)(b | (v ? 0x80 : 0)));
	} while (v);
}

static inline void
hw_le(struct hw *w, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++) {
		buf_addc(&w->out, (char)(v >> (8 * i)));
	}
}

static inline void
hw_ptr(struct hw *w, uint64_t p)
{
	int64_t d = (int64_t)(p - w->prev);

	hw_leb(w, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
	w->prev = p;
}

/* Start a log with header flags flags: the header, with exe as the executable's path. */
static inline void
hw_begin_flags(struct hw *w, const char *exe, unsigned flags)
{
	memset(w, 0, sizeof(*w));
	w->flags = flags;
	buf_add(&w->out, HEAPFMT_MAGIC, HEAPFMT_MAGIC_LEN);
	hw_le(w, HEAPFMT_VERSION, 1);
	hw_le(w, 8, 1);		/* ptr_bytes */
	hw_le(w, flags, 1);
	hw_le(w, 0, 2);
	hw_le(w, 4096, 4);
	hw_le(w, 1234, 4);
	hw_le(w, 1, 4);
	hw_le(w, UINT64_C(987654321), 8);
	hw_leb(w, strlen(exe));
	buf_adds(&w->out, exe);
}

/* Start a log without stacks. */
static inline void
hw_begin(struct hw *w, const char *exe)
{
	hw_begin_flags(w, exe, 0);
}

/* The stack field of an alloc record, in a log with stacks. */
static inline void
hw_stack(struct hw *w)
{
	if (w->flags & HEAPFMT_FLAG_STACKS) {
		hw_leb(w, w->stack);
	}
}

/* A FRAME: returns its id. */
static inline uint64_t
hw_frame(struct hw *w, uint64_t parent, uint64_t ip)
{
	int64_t d = (int64_t)(ip - w->prev_ip);

	buf_addc(&w->out, HEAPFMT_FRAME);
	hw_leb(w, parent);
	hw_leb(w, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
	w->prev_ip = ip;
	return ++w->frames;
}

/* An OBJECT (build_id may be NULL). */
static inline void
hw_object(struct hw *w, uint64_t start, uint64_t end, uint64_t bias, const char *build_id,
	  size_t idlen, const char *path)
{
	buf_addc(&w->out, HEAPFMT_OBJECT);
	hw_leb(w, start);
	hw_leb(w, end);
	hw_leb(w, bias);
	hw_leb(w, idlen);
	if (idlen) {
		buf_add(&w->out, build_id, idlen);
	}
	hw_leb(w, strlen(path));
	buf_adds(&w->out, path);
}

static inline void
hw_malloc(struct hw *w, uint64_t dt, uint64_t size, uint64_t ptr)
{
	buf_addc(&w->out, HEAPFMT_MALLOC);
	hw_leb(w, dt);
	hw_leb(w, size);
	hw_ptr(w, ptr);
	hw_stack(w);
}

static inline void
hw_calloc(struct hw *w, uint64_t dt, uint64_t n, uint64_t size, uint64_t ptr)
{
	buf_addc(&w->out, HEAPFMT_CALLOC);
	hw_leb(w, dt);
	hw_leb(w, n);
	hw_leb(w, size);
	hw_ptr(w, ptr);
	hw_stack(w);
}

static inline void
hw_realloc(struct hw *w, uint64_t dt, uint64_t old, uint64_t size, uint64_t new_ptr)
{
	buf_addc(&w->out, HEAPFMT_REALLOC);
	hw_leb(w, dt);
	hw_ptr(w, old);
	hw_leb(w, size);
	hw_ptr(w, new_ptr);
	hw_stack(w);
}

static inline void
hw_free(struct hw *w, uint64_t dt, uint64_t ptr)
{
	buf_addc(&w->out, HEAPFMT_FREE);
	hw_leb(w, dt);
	hw_ptr(w, ptr);
}

static inline void
hw_aligned(struct hw *w, uint64_t dt, unsigned fn, uint64_t align, uint64_t size, uint64_t ptr)
{
	buf_addc(&w->out, HEAPFMT_ALIGNED);
	hw_leb(w, dt);
	hw_leb(w, fn);
	hw_leb(w, align);
	hw_leb(w, size);
	hw_ptr(w, ptr);
	hw_stack(w);
}

static inline void
hw_fail(struct hw *w, uint64_t dt, unsigned fn, uint64_t size)
{
	buf_addc(&w->out, HEAPFMT_FAIL);
	hw_leb(w, dt);
	hw_leb(w, fn);
	hw_leb(w, size);
}

static inline void
hw_thread(struct hw *w, uint64_t tid)
{
	buf_addc(&w->out, HEAPFMT_THREAD);
	hw_leb(w, tid);
}

static inline void
hw_fork(struct hw *w, uint64_t pid)
{
	buf_addc(&w->out, HEAPFMT_FORK);
	hw_leb(w, pid);
}

static inline void
hw_trailer(struct hw *w, uint64_t events, uint64_t lost, uint64_t flags)
{
	buf_addc(&w->out, (char)HEAPFMT_TRAILER);
	hw_leb(w, events);
	hw_leb(w, lost);
	hw_leb(w, flags);
}

/* Write the log to path; returns 0 or -1. */
static inline int
hw_save(struct hw *w, const char *path)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f) {
		return -1;
	}
	ok = fwrite(w->out.s, 1, w->out.len, f) == w->out.len;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

#endif
