/* heaplog.c: the reader of heap trace logs. It checks every field against the
 * end of the buffer, rebuilds absolute pointers from their zigzag deltas and
 * keeps the current thread, so a damaged log gives a message, never a crash. */
#include "heap/heaplog.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "heap/heapfmt.h"
#include "heap/heappack.h"
#include "os/fsutil.h"
#include "base/banned.h"

enum { RD_OK = HEAPLOG_LEB_OK, RD_END = HEAPLOG_LEB_END, RD_BAD = HEAPLOG_LEB_BAD, RD_REF };

struct reader {
	const unsigned char *p;
	size_t n, off;
	uint64_t prev_ptr, mask, t_us, tid;
	uint64_t prev_ip;	/* the previous FRAME's ip */
	bool *replaced;		/* per object: a later OBJECT overlapped it */
	size_t replaced_cap;
	size_t base;		/* bytes of the file before p (a followed log) */
	bool more;		/* more may come: a record cut short is not the end */
};

int
heaplog_leb(const unsigned char *p, size_t n, size_t *off, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 10; i++) {
		if (*off >= n) {
			return HEAPLOG_LEB_END;
		}
		unsigned char b = p[(*off)++];

		if (i == 9 && (b & 0x7e)) {
			return HEAPLOG_LEB_BAD;
		}
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return HEAPLOG_LEB_OK;
		}
	}
	return HEAPLOG_LEB_BAD;
}

static int
leb(struct reader *r, uint64_t *out)
{
	return heaplog_leb(r->p, r->n, &r->off, out);
}

void
heaplog_add_frame(struct heap_log *log, uint32_t parent, uint64_t ip, uint32_t object)
{
	log->frames = xgrowarray(log->frames, &log->frames_cap, log->nframes ? log->nframes + 1 : 2,
				 sizeof(*log->frames));
	if (!log->nframes) {
		memset(&log->frames[0], 0, sizeof(log->frames[0]));
		log->frames[0].object = HEAP_NO_OBJECT;
		log->nframes = 1;
	}
	log->frames[log->nframes].ip = ip;
	log->frames[log->nframes].parent = parent;
	log->frames[log->nframes].object = object;
	log->nframes++;
}

/* A pointer field: zigzag(ptr - previous pointer field). */
static int
ptr_field(struct reader *r, uint64_t *out)
{
	uint64_t z;
	int rc = leb(r, &z);

	if (rc != RD_OK) {
		return rc;
	}
	r->prev_ptr = (r->prev_ptr + ((z >> 1) ^ (0 - (z & 1)))) & r->mask;
	*out = r->prev_ptr;
	return RD_OK;
}

static uint64_t
rd_u(const unsigned char *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v |= (uint64_t)p[i] << (8 * i);
	}
	return v;
}

static struct heap_event *
push(struct heap_log *log, const struct reader *r, enum heap_kind kind)
{
	struct heap_event *e;

	log->ev = xgrowarray(log->ev, &log->cap, log->n + 1, sizeof(*log->ev));
	e = &log->ev[log->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->tid = r->tid;
	e->t_us = r->t_us;
	return e;
}

/* A byte string: varint length, then the bytes. */
static int
bytes_field(struct reader *r, const unsigned char **out, size_t *len)
{
	uint64_t n;
	int rc = leb(r, &n);

	if (rc != RD_OK) {
		return rc;
	}
	if (n > r->n - r->off) {
		return RD_END;
	}
	*out = r->p + r->off;
	*len = (size_t)n;
	r->off += (size_t)n;
	return RD_OK;
}

/* The object that held return address ip when its frame was recorded: the
 * latest one not replaced whose span holds the call (the byte before ip). */
static uint32_t
object_of(const struct heap_log *log, const struct reader *r, uint64_t ip)
{
	for (size_t i = log->nobjects; i-- > 0;) {
		const struct heap_object *o = &log->objects[i];

		if (!r->replaced[i] && ip > o->start && ip - 1 < o->end) {
			return (uint32_t)i;
		}
	}
	return HEAP_NO_OBJECT;
}

static void
add_object(struct heap_log *log, struct reader *r, uint64_t start, uint64_t end, uint64_t bias,
	   const unsigned char *id, size_t idlen, const unsigned char *path, size_t pathlen)
{
	struct heap_object *o;
	size_t cap = log->objects_cap;

	for (size_t i = 0; i < log->nobjects; i++) {
		if (log->objects[i].start < end && start < log->objects[i].end) {
			r->replaced[i] = true;
		}
	}
	log->objects = xgrowarray(log->objects, &log->objects_cap, log->nobjects + 1,
				  sizeof(*log->objects));
	if (log->objects_cap != cap) {
		r->replaced = xreallocarray(r->replaced, log->objects_cap, sizeof(*r->replaced));
	}
	r->replaced[log->nobjects] = false;
	o = &log->objects[log->nobjects++];
	o->start = start;
	o->end = end;
	o->bias = bias;
	o->path = xstrndup((const char *)path, pathlen);
	o->build_id = NULL;
	if (idlen) {
		o->build_id = xmalloc(idlen);
		memcpy(o->build_id, id, idlen);
	}
	o->build_id_len = idlen;
}

#define GET(call)                                  \
	do {                                       \
		if ((rc = (call)) != RD_OK) {      \
			goto stop;                 \
		}                                  \
	} while (0)

/* The stack field that ends an alloc record of a log with stacks, into e->stack.
 * RD_REF for an id no FRAME has defined. */
static int
stack_field(const struct heap_log *log, struct reader *r, struct heap_event *e)
{
	uint64_t id;
	int rc;

	if (!(log->flags & HEAPFMT_FLAG_STACKS)) {
		return RD_OK;
	}
	rc = leb(r, &id);
	if (rc == RD_OK && id && id >= log->nframes) {
		return RD_REF;
	}
	if (e) {
		e->stack = (uint32_t)id;
	}
	return rc;
}

static void
truncated(struct heap_log *log, const char *name)
{
	log->truncated = true;
	if (!name) {
		return;	/* a follower that was asked to be quiet */
	}
	warn("%s: truncated after %zu events (process killed?)", name, log->n);
}

/* The records after the header; returns 0, or -1 after reporting. With
 * r->more, a record cut short is left for the next call (r->off at its start). */
static int
records(struct heap_log *log, const char *name, struct reader *r, bool quiet)
{
	struct heap_event *e;
	uint64_t a, b, c, d;
	const unsigned char *id, *path;
	size_t idlen, pathlen;
	size_t start = r->off;
	int rc = RD_OK, tag = -1;
	struct reader saved = *r;
	size_t saved_n = log->n;
	uint64_t saved_records = log->records;

	while (r->off < r->n) {
		start = r->off;
		/* what a record cut short must not change, in a followed log */
		saved = *r;
		saved_n = log->n;
		saved_records = log->records;
		tag = r->p[r->off++];
		switch (tag) {
		case HEAPFMT_MALLOC:
		case HEAPFMT_CALLOC:
		case HEAPFMT_REALLOC:
		case HEAPFMT_FREE:
		case HEAPFMT_ALIGNED:
		case HEAPFMT_FAIL:
			GET(leb(r, &a));
			r->t_us += a;
			log->records++;
			break;
		default:
			break;
		}
		switch (tag) {
		case HEAPFMT_MALLOC:
			GET(leb(r, &b));
			GET(ptr_field(r, &c));
			e = push(log, r, HEAP_EV_ALLOC);
			e->fn = HEAPFMT_FN_MALLOC;
			e->size = b;
			e->ptr = c;
			GET(stack_field(log, r, e));
			break;
		case HEAPFMT_CALLOC:
			GET(leb(r, &a));
			GET(leb(r, &b));
			GET(ptr_field(r, &c));
			e = push(log, r, HEAP_EV_ALLOC);
			e->fn = HEAPFMT_FN_CALLOC;
			e->size = (b && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
			e->ptr = c;
			GET(stack_field(log, r, e));
			break;
		case HEAPFMT_REALLOC:
			GET(ptr_field(r, &a));
			GET(leb(r, &b));
			GET(ptr_field(r, &c));
			if (!a && !c && !b) {
				/* realloc(NULL, 0) gave NULL: nothing happened */
				GET(stack_field(log, r, NULL));
				break;
			}
			e = push(log, r, c ? (a ? HEAP_EV_REALLOC : HEAP_EV_ALLOC)
					   : (b ? HEAP_EV_FAIL : HEAP_EV_FREE));
			e->fn = HEAPLOG_FN_REALLOC;
			e->size = b;
			if (e->kind == HEAP_EV_FREE) {
				e->ptr = a;
			} else {
				e->ptr = c;
				e->old = a;
			}
			GET(stack_field(log, r, e));
			if (e->kind == HEAP_EV_FREE) {
				e->stack = 0;
			}
			break;
		case HEAPFMT_FREE:
			GET(ptr_field(r, &a));
			e = push(log, r, HEAP_EV_FREE);
			e->ptr = a;
			break;
		case HEAPFMT_ALIGNED:
			GET(leb(r, &a));
			GET(leb(r, &b));
			GET(leb(r, &c));
			GET(ptr_field(r, &d));
			e = push(log, r, HEAP_EV_ALLOC);
			e->fn = a > UINT_MAX ? UINT_MAX : (unsigned)a;
			e->align = b;
			e->size = c;
			e->ptr = d;
			GET(stack_field(log, r, e));
			break;
		case HEAPFMT_FAIL:
			GET(leb(r, &a));
			GET(leb(r, &b));
			e = push(log, r, HEAP_EV_FAIL);
			e->fn = a > UINT_MAX ? UINT_MAX : (unsigned)a;
			e->size = b;
			break;
		case HEAPFMT_THREAD:
			GET(leb(r, &r->tid));
			break;
		case HEAPFMT_FORK:
			GET(leb(r, &a));
			log->forks++;
			break;
		case HEAPFMT_OBJECT:
			GET(leb(r, &a));
			GET(leb(r, &b));
			GET(leb(r, &c));
			GET(bytes_field(r, &id, &idlen));
			GET(bytes_field(r, &path, &pathlen));
			if (b < a) {
				rc = RD_BAD;
				goto stop;
			}
			add_object(log, r, a, b, c, id, idlen, path, pathlen);
			break;
		case HEAPFMT_FRAME:
			GET(leb(r, &a));
			GET(leb(r, &b));
			if (a && a >= log->nframes) {
				rc = RD_REF;	/* a parent defined later */
				goto stop;
			}
			if (log->nframes >= UINT32_MAX - 1) {
				return error("%s: more than %u frames", name, UINT32_MAX - 2);
			}
			r->prev_ip += (b >> 1) ^ (0 - (b & 1));
			heaplog_add_frame(log, (uint32_t)a, r->prev_ip,
					  object_of(log, r, r->prev_ip));
			break;
		case HEAPFMT_TRAILER:
			GET(leb(r, &a));	/* events */
			GET(leb(r, &b));	/* lost */
			GET(leb(r, &c));	/* flags */
			log->lost = b;
			log->interrupted = c & HEAPFMT_TRAILER_INTERRUPTED;
			log->trailer_events = a;
			log->trailer_flags = c > UINT_MAX ? UINT_MAX : (unsigned)c;
			log->ended = true;
			if (r->off < r->n) {
				debug("%s: %zu bytes after the trailer ignored", name,
				      r->n - r->off);
			}
			return 0;
		default:
			start += r->base;
			if (start > INT_MAX) {
				return error("%s: unknown record 0x%02x at offset %zu", name, tag,
					     start);
			}
			return error_at(name, (int)start, "unknown record 0x%02x", tag);
		}
	}
stop:
	if (r->more && (rc == RD_OK || rc == RD_END)) {
		/* the end of what was written so far */
		if (rc == RD_END) {
			*r = saved;
			log->n = saved_n;
			log->records = saved_records;
		}
		return 0;
	}
	start += r->base;
	if (rc == RD_REF) {
		if (start > INT_MAX) {
			return error(
			    "%s: record 0x%02x at offset %zu names a frame not defined before it",
			    name, tag, start);
		}
		return error_at(name, (int)start,
		                "record 0x%02x names a frame not defined before it", tag);
	}
	if (rc == RD_BAD) {
		if (start > INT_MAX) {
			return error("%s: malformed number in record 0x%02x at offset %zu", name,
				     tag, start);
		}
		return error_at(name, (int)start, "malformed number in record 0x%02x", tag);
	}
	truncated(log, quiet ? NULL : name);
	return 0;
}

/* The header at the start of r's bytes, into log. RD_OK with r->off after it;
 * RD_END when the bytes end inside it; -1 after reporting. */
static int
header(struct heap_log *log, const char *name, struct reader *r)
{
	const unsigned char *p = r->p;
	size_t n = r->n;
	uint64_t len;
	int rc;

	if ((n < HEAPFMT_MAGIC_LEN + 2 && !r->more) ||
	    memcmp(p, HEAPFMT_MAGIC, n < HEAPFMT_MAGIC_LEN ? n : HEAPFMT_MAGIC_LEN) ||
	    (n > 7 && p[7] != HEAPFMT_VERSION) || (n > 8 && (p[8] < 1 || p[8] > 8))) {
		return error_at(name, 0, "not an ounce heap log");
	}
	if (n < HEAPFMT_HEADER_FIXED) {
		return RD_END;
	}
	if (p[9] & ~(HEAPFMT_FLAG_STACKS | HEAPFMT_FLAG_UNWIND_FP | HEAPFMT_FLAG_PACKED)) {
		return error_at(name, 9, "header flags 0x%02x unknown to this ounce (a newer log?)",
				p[9]);
	}
	r->off = HEAPFMT_HEADER_FIXED;
	rc = leb(r, &len);
	if (rc == RD_BAD) {
		return error_at(name, 0, "not an ounce heap log");
	}
	if (rc == RD_END || len > n - r->off) {
		return RD_END;
	}
	log->ptr_bytes = p[8];
	if (log->ptr_bytes < 8) {
		r->mask = (UINT64_C(1) << (8 * log->ptr_bytes)) - 1;
	}
	log->flags = p[9];
	log->page_size = (uint32_t)rd_u(p + 12, 4);
	log->pid = (uint32_t)rd_u(p + 16, 4);
	log->ppid = (uint32_t)rd_u(p + 20, 4);
	log->start_ns = rd_u(p + 24, 8);
	log->exe = xstrndup((const char *)p + r->off, (size_t)len);
	r->off += (size_t)len;
	return RD_OK;
}

int
heaplog_parse(struct heap_log *log, const char *name, const unsigned char *p, size_t n)
{
	struct reader r = {p, n, 0, 0, UINT64_MAX, 0, 0, 0, NULL, 0, 0, false};
	int rc;

	heaplog_release(log);
	rc = header(log, name, &r);
	if (rc < 0) {
		return -1;
	}
	if (rc == RD_END) {
		/* the header fields of a log cut inside its header are not known */
		heaplog_release(log);
		truncated(log, name);
		return 0;
	}
	if (log->flags & HEAPFMT_FLAG_PACKED) {
		rc = heappack_parse(log, name, p + r.off, n - r.off, r.off);
	} else {
		rc = records(log, name, &r, false);
	}
	free(r.replaced);
	if (rc < 0) {
		/* the events read before the bad record are not the caller's */
		heaplog_release(log);
		return -1;
	}
	return 0;
}

/* A log being followed. */
struct heaplog_follow {
	struct heap_log log;
	struct reader r;
	char *name;
	bool started, quiet;
	size_t header_len;
};

struct heaplog_follow *
heaplog_follow_new(const char *name, bool quiet)
{
	struct heaplog_follow *f = xcalloc(1, sizeof(*f));

	f->log = (struct heap_log)HEAP_LOG_INIT;
	f->r.mask = UINT64_MAX;
	f->name = xstrdup(name);
	f->quiet = quiet;
	return f;
}

int
heaplog_follow_feed(struct heaplog_follow *f, const unsigned char *p, size_t n, bool last,
		    size_t *used)
{
	int rc;

	*used = 0;
	f->r.p = p;
	f->r.n = n;
	f->r.off = 0;
	f->r.more = !last;
	if (!f->started) {
		rc = header(&f->log, f->name, &f->r);
		if (rc < 0) {
			return -1;
		}
		if (rc == RD_END) {
			if (last) {
				truncated(&f->log, f->quiet ? NULL : f->name);
			}
			return 0;
		}
		if (f->log.flags & HEAPFMT_FLAG_PACKED) {
			return error("%s: a packed log cannot be followed", f->name);
		}
		f->started = true;
		f->header_len = f->r.off;
	}
	rc = records(&f->log, f->name, &f->r, f->quiet);
	*used = f->r.off;
	f->r.base += f->r.off;
	return rc < 0 ? -1 : 0;
}

struct heap_log *
heaplog_follow_log(struct heaplog_follow *f)
{
	return &f->log;
}

size_t
heaplog_follow_started(const struct heaplog_follow *f)
{
	return f->started ? f->header_len : 0;
}

void
heaplog_follow_free(struct heaplog_follow *f)
{
	if (f) {
		heaplog_release(&f->log);
		free(f->r.replaced);
		free(f->name);
		free(f);
	}
}

int
heaplog_read(struct heap_log *log, const char *path)
{
	struct buf b = BUF_INIT;
	int rc;

	if (fs_read_file(path, &b) < 0) {
		return -1;
	}
	rc = heaplog_parse(log, path, (const unsigned char *)b.s, b.len);
	buf_release(&b);
	return rc;
}

void
heaplog_release(struct heap_log *log)
{
	free(log->ev);
	free(log->exe);
	for (size_t i = 0; i < log->nobjects; i++) {
		free(log->objects[i].path);
		free(log->objects[i].build_id);
	}
	free(log->objects);
	free(log->frames);
	*log = (struct heap_log)HEAP_LOG_INIT;
}

/* A 64-bit mix (splitmix64's finaliser): pointers are aligned and clustered. */
static size_t
slot(uint64_t k, size_t cap)
{
	k ^= k >> 30;
	k *= UINT64_C(0xbf58476d1ce4e5b9);
	k ^= k >> 27;
	k *= UINT64_C(0x94d049bb133111eb);
	k ^= k >> 31;
	return (size_t)k & (cap - 1);
}

static void
grow(struct heaplog_map *m)
{
	uint64_t *keys = m->keys, *vals = m->vals;
	size_t cap = m->cap;

	m->cap = cap ? cap * 2 : 64;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	for (size_t i = 0; i < cap; i++) {
		if (keys[i]) {
			size_t s = slot(keys[i], m->cap);

			while (m->keys[s]) {
				s = (s + 1) & (m->cap - 1);
			}
			m->keys[s] = keys[i];
			m->vals[s] = vals[i];
		}
	}
	free(keys);
	free(vals);
}

bool
heaplog_map_put(struct heaplog_map *m, uint64_t key, uint64_t val, uint64_t *old)
{
	size_t s;

	if (!key) {
		bool had = m->has_zero;

		if (had && old) {
			*old = m->zero_val;
		}
		m->has_zero = true;
		m->zero_val = val;
		return had;
	}
	if ((m->n + 1) * 4 > m->cap * 3) {
		grow(m);
	}
	for (s = slot(key, m->cap); m->keys[s]; s = (s + 1) & (m->cap - 1)) {
		if (m->keys[s] == key) {
			if (old) {
				*old = m->vals[s];
			}
			m->vals[s] = val;
			return true;
		}
	}
	m->keys[s] = key;
	m->vals[s] = val;
	m->n++;
	return false;
}

bool
heaplog_map_get(const struct heaplog_map *m, uint64_t key, uint64_t *val)
{
	if (!key) {
		if (m->has_zero && val) {
			*val = m->zero_val;
		}
		return m->has_zero;
	}
	if (!m->cap) {
		return false;
	}
	for (size_t s = slot(key, m->cap); m->keys[s]; s = (s + 1) & (m->cap - 1)) {
		if (m->keys[s] == key) {
			if (val) {
				*val = m->vals[s];
			}
			return true;
		}
	}
	return false;
}

bool
heaplog_map_take(struct heaplog_map *m, uint64_t key, uint64_t *val)
{
	size_t s, mask = m->cap - 1;

	if (!key) {
		bool had = m->has_zero;

		if (had && val) {
			*val = m->zero_val;
		}
		m->has_zero = false;
		return had;
	}
	if (!m->cap) {
		return false;
	}
	for (s = slot(key, m->cap); m->keys[s] != key; s = (s + 1) & mask) {
		if (!m->keys[s]) {
			return false;
		}
	}
	if (val) {
		*val = m->vals[s];
	}
	/* backward-shift deletion keeps every probe chain unbroken */
	for (size_t j = s;;) {
		j = (j + 1) & mask;
		if (!m->keys[j]) {
			break;
		}
		size_t home = slot(m->keys[j], m->cap);

		if (((j - home) & mask) >= ((j - s) & mask)) {
			m->keys[s] = m->keys[j];
			m->vals[s] = m->vals[j];
			s = j;
		}
	}
	m->keys[s] = 0;
	m->n--;
	return true;
}

void
heaplog_map_release(struct heaplog_map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct heaplog_map)HEAPLOG_MAP_INIT;
}

uint64_t
heaplog_align_up(uint64_t size, uint64_t align)
{
	if (align <= 1) {
		return size;
	}
	uint64_t r = size % align;

	if (!r) {
		return size;
	}
	return size > UINT64_MAX - (align - r) ? UINT64_MAX : size + (align - r);
}

