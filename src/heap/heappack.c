/* heappack.c: the packed heap log (heappack.h): the writer, fed a raw log as it
 * is read, interns each allocation's (function, size, alignment, stack) and
 * keeps each live address's info so a free can name it; the reader inflates the
 * stream and hands each block a made-up address from a last-in first-out list
 * per info. */
#include "heap/heappack.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "heap/heapfmt.h"
#include "heap/heaplog.h"
#include "base/banned.h"

/* What an info stands for. */
struct info {
	uint64_t fn, size, align, stack;
};

/* The infos, with a hash index (slot: index + 1; 0 empty). */
struct infos {
	struct info *v;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
};

static size_t
info_hash(const struct info *i, size_t nslots)
{
	return (size_t)XXH3_64bits(i, sizeof(*i)) & (nslots - 1);
}

static void
infos_rehash(struct infos *t)
{
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (size_t k = 0; k < t->n; k++) {
		size_t s = info_hash(&t->v[k], t->nslots);

		while (t->slots[s]) {
			s = (s + 1) & (t->nslots - 1);
		}
		t->slots[s] = (uint32_t)(k + 1);
	}
}

/* The number of info i; *fresh says whether it is new. */
static uint64_t
infos_intern(struct infos *t, const struct info *i, bool *fresh)
{
	size_t s;

	if ((t->n + 1) * 2 > t->nslots) {
		infos_rehash(t);
	}
	for (s = info_hash(i, t->nslots); t->slots[s]; s = (s + 1) & (t->nslots - 1)) {
		if (!memcmp(&t->v[t->slots[s] - 1], i, sizeof(*i))) {
			*fresh = false;
			return t->slots[s] - 1;
		}
	}
	t->v = xgrowarray(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n] = *i;
	t->slots[s] = (uint32_t)(t->n + 1);
	*fresh = true;
	return t->n++;
}

static void
infos_release(struct infos *t)
{
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* --- writing --- */

struct heappack_writer {
	int fd;
	char *name;
	z_stream z;
	bool failed;		/* a write failed: said once */
	struct buf pend;	/* packed bytes not deflated yet */
	struct infos infos;
	struct heaplog_map live;	/* address -> info */
	uint64_t t_us, tid, prev_ip, forks;
	size_t nobjects, nframes;
};

static void
put_leb(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		buf_addc(b, (char)(v | 0x80));
		v >>= 7;
	}
	buf_addc(b, (char)v);
}

static void
write_all(struct heappack_writer *w, const unsigned char *p, size_t n)
{
	while (n && !w->failed) {
		ssize_t k = write(w->fd, p, n);

		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			error_errno("cannot write the packed log '%s'", w->name);
			w->failed = true;
			return;
		}
		p += k;
		n -= (size_t)k;
	}
}

/* Deflate what is pending (all of it, and the end of the stream, with flush
 * Z_FINISH). */
static void
deflate_pending(struct heappack_writer *w, int flush)
{
	unsigned char out[64 * 1024];
	int rc;

	w->z.next_in = (unsigned char *)w->pend.s;
	w->z.avail_in = (uInt)w->pend.len;
	do {
		w->z.next_out = out;
		w->z.avail_out = sizeof(out);
		rc = deflate(&w->z, flush);
		write_all(w, out, sizeof(out) - w->z.avail_out);
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END && rc == Z_OK));
	buf_reset(&w->pend);
}

static void
meta(struct heappack_writer *w, enum heappack_meta m)
{
	put_leb(&w->pend, (uint64_t)m << 3 | HEAPPACK_META);
}

struct heappack_writer *
heappack_begin(int fd, const char *name, const unsigned char *hdr, size_t len)
{
	struct heappack_writer *w = xcalloc(1, sizeof(*w));
	unsigned char *copy;

	w->fd = fd;
	w->name = xstrdup(name);
	w->pend = (struct buf)BUF_INIT;
	w->live = (struct heaplog_map)HEAPLOG_MAP_INIT;
	/* level 1: the stream is deflated beside a running program; higher levels
	 * gain little on packed records */
	if (deflateInit(&w->z, 1) != Z_OK) {
		error("cannot start zlib for '%s'", name);
		free(w->name);
		free(w);
		return NULL;
	}
	copy = xmalloc(len);
	memcpy(copy, hdr, len);
	copy[9] |= HEAPFMT_FLAG_PACKED;
	write_all(w, copy, len);
	free(copy);
	return w;
}

/* The info of a new block, interned (defined in the stream when new). */
static uint64_t
info_of(struct heappack_writer *w, const struct heap_event *e)
{
	struct info i = {e->fn, e->size, e->align, e->stack};
	bool fresh;
	uint64_t k = infos_intern(&w->infos, &i, &fresh);

	if (fresh) {
		meta(w, HEAPPACK_INFO);
		put_leb(&w->pend, i.fn);
		put_leb(&w->pend, i.size);
		put_leb(&w->pend, i.align);
		put_leb(&w->pend, i.stack);
	}
	return k;
}

/* Make ptr a live block of info k: an address handed out again without a free
 * gives the first block back. */
static void
make_live(struct heappack_writer *w, uint64_t ptr, uint64_t k)
{
	uint64_t old;

	if (heaplog_map_put(&w->live, ptr, k, &old)) {
		put_leb(&w->pend, old << 3 | HEAPPACK_FREE);
	}
}

static void
pack_event(struct heappack_writer *w, const struct heap_event *e)
{
	uint64_t k, old;

	if (e->tid != w->tid) {
		meta(w, HEAPPACK_THREAD);
		put_leb(&w->pend, e->tid);
		w->tid = e->tid;
	}
	if (e->t_us != w->t_us) {
		meta(w, HEAPPACK_TICK);
		put_leb(&w->pend, e->t_us - w->t_us);
		w->t_us = e->t_us;
	}
	switch (e->kind) {
	case HEAP_EV_ALLOC:
		k = info_of(w, e);
		make_live(w, e->ptr, k);
		put_leb(&w->pend, k << 3 | HEAPPACK_ALLOC);
		break;
	case HEAP_EV_FREE:
		if (heaplog_map_take(&w->live, e->ptr, &old)) {
			put_leb(&w->pend, old << 3 | HEAPPACK_FREE);
		} else {
			put_leb(&w->pend, HEAPPACK_UNKNOWN);
		}
		break;
	case HEAP_EV_REALLOC:
		k = info_of(w, e);
		if (heaplog_map_take(&w->live, e->old, &old)) {
			make_live(w, e->ptr, k);
			put_leb(&w->pend, k << 3 | HEAPPACK_REALLOC);
			put_leb(&w->pend, old);
		} else {
			make_live(w, e->ptr, k);
			put_leb(&w->pend, (k + 1) << 3 | HEAPPACK_UNKNOWN);
		}
		break;
	case HEAP_EV_FAIL:
		put_leb(&w->pend, (uint64_t)e->fn << 3 | HEAPPACK_FAIL);
		put_leb(&w->pend, e->size);
		put_leb(&w->pend, e->stack);
		break;
	}
}

void
heappack_feed(struct heappack_writer *w, const struct heap_log *log)
{
	for (; w->nobjects < log->nobjects; w->nobjects++) {
		const struct heap_object *o = &log->objects[w->nobjects];

		meta(w, HEAPPACK_OBJECT);
		put_leb(&w->pend, o->start);
		put_leb(&w->pend, o->end);
		put_leb(&w->pend, o->bias);
		put_leb(&w->pend, o->build_id_len);
		if (o->build_id_len) {
			buf_add(&w->pend, (const char *)o->build_id, o->build_id_len);
		}
		put_leb(&w->pend, strlen(o->path));
		buf_adds(&w->pend, o->path);
	}
	if (!w->nframes) {
		w->nframes = 1;	/* [0] is no frame */
	}
	for (; w->nframes < log->nframes; w->nframes++) {
		const struct heap_frame *f = &log->frames[w->nframes];
		uint64_t d = f->ip - w->prev_ip;

		meta(w, HEAPPACK_FRAME);
		put_leb(&w->pend, f->parent);
		put_leb(&w->pend, (d << 1) ^ (0 - (d >> 63)));
		put_leb(&w->pend, f->object == HEAP_NO_OBJECT ? 0 : (uint64_t)f->object + 1);
		w->prev_ip = f->ip;
	}
	for (; w->forks < log->forks; w->forks++) {
		meta(w, HEAPPACK_FORK);
		put_leb(&w->pend, 0);
	}
	for (size_t i = 0; i < log->n; i++) {
		pack_event(w, &log->ev[i]);
		if (w->pend.len >= 64 * 1024) {
			deflate_pending(w, Z_NO_FLUSH);
		}
	}
	deflate_pending(w, Z_NO_FLUSH);
}

int
heappack_end(struct heappack_writer *w, const struct heap_log *log)
{
	int rc;

	heappack_feed(w, log);
	if (log->ended) {
		meta(w, HEAPPACK_TRAILER);
		put_leb(&w->pend, log->trailer_events);
		put_leb(&w->pend, log->lost);
		put_leb(&w->pend, log->trailer_flags);
	}
	deflate_pending(w, Z_FINISH);
	deflateEnd(&w->z);
	rc = w->failed ? -1 : 0;
	buf_release(&w->pend);
	infos_release(&w->infos);
	heaplog_map_release(&w->live);
	free(w->name);
	free(w);
	return rc;
}

/* --- reading --- */

enum { PK_OK = HEAPLOG_LEB_OK, PK_END = HEAPLOG_LEB_END, PK_BAD = HEAPLOG_LEB_BAD };

struct unpack {
	const unsigned char *p;
	size_t n, off;
	struct infos infos;
	uint32_t *head;		/* per info: its last live block + 1; 0 none */
	size_t head_cap;
	uint32_t *next;		/* per block: the info's block live before it + 1 */
	size_t nblocks, next_cap;
	uint64_t unknown;	/* addresses made up for frees of unknown ones */
	uint64_t t_us, tid, prev_ip;
};

static int
pk_leb(struct unpack *u, uint64_t *out)
{
	return heaplog_leb(u->p, u->n, &u->off, out);
}

/* The made-up address of block b. */
static uint64_t
block_ptr(uint64_t b)
{
	return (b + 1) << 4;
}

/* A new live block of info k. */
static uint64_t
block_new(struct unpack *u, uint64_t k)
{
	uint64_t b = u->nblocks;

	u->next = xgrowarray(u->next, &u->next_cap, u->nblocks + 1, sizeof(*u->next));
	u->next[b] = u->head[k];
	u->head[k] = (uint32_t)(b + 1);
	u->nblocks++;
	return block_ptr(b);
}

/* Give back the last live block of info k; false when it has none. */
static bool
block_take(struct unpack *u, uint64_t k, uint64_t *ptr)
{
	uint32_t b = u->head[k];

	if (!b) {
		return false;
	}
	u->head[k] = u->next[b - 1];
	*ptr = block_ptr(b - 1);
	return true;
}

static struct heap_event *
pk_push(struct heap_log *log, const struct unpack *u, enum heap_kind kind)
{
	struct heap_event *e;

	log->ev = xgrowarray(log->ev, &log->cap, log->n + 1, sizeof(*log->ev));
	e = &log->ev[log->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->tid = u->tid;
	e->t_us = u->t_us;
	return e;
}

/* Fill e from info k. */
static void
from_info(struct heap_event *e, const struct infos *t, uint64_t k)
{
	const struct info *i = &t->v[k];

	e->fn = i->fn > UINT_MAX ? UINT_MAX : (unsigned)i->fn;
	e->size = i->size;
	e->align = i->align;
	e->stack = (uint32_t)i->stack;
}

#define PK(call)                                   \
	do {                                       \
		if ((rc = (call)) != PK_OK) {      \
			goto stop;                 \
		}                                  \
	} while (0)

static int
pk_meta(struct heap_log *log, struct unpack *u, uint64_t m)
{
	uint64_t a, b, c, d, len, len2;
	struct info i;
	bool fresh;
	int rc = PK_OK;

	switch (m) {
	case HEAPPACK_INFO:
		PK(pk_leb(u, &i.fn));
		PK(pk_leb(u, &i.size));
		PK(pk_leb(u, &i.align));
		PK(pk_leb(u, &i.stack));
		if (i.stack && i.stack >= log->nframes) {
			return PK_BAD;
		}
		infos_intern(&u->infos, &i, &fresh);
		if (!fresh) {
			return PK_BAD;
		}
		u->head = xgrowarray(u->head, &u->head_cap, u->infos.n, sizeof(*u->head));
		u->head[u->infos.n - 1] = 0;
		break;
	case HEAPPACK_TICK:
		PK(pk_leb(u, &a));
		u->t_us += a;
		break;
	case HEAPPACK_THREAD:
		PK(pk_leb(u, &u->tid));
		break;
	case HEAPPACK_FORK:
		PK(pk_leb(u, &a));
		log->forks++;
		break;
	case HEAPPACK_OBJECT: {
		struct heap_object *o;

		PK(pk_leb(u, &a));
		PK(pk_leb(u, &b));
		PK(pk_leb(u, &c));
		PK(pk_leb(u, &len));
		if (len > u->n - u->off) {
			return PK_END;
		}
		d = u->off;
		u->off += (size_t)len;
		PK(pk_leb(u, &len2));
		if (len2 > u->n - u->off) {
			return PK_END;
		}
		log->objects = xgrowarray(log->objects, &log->objects_cap, log->nobjects + 1,
					  sizeof(*log->objects));
		o = &log->objects[log->nobjects++];
		o->start = a;
		o->end = b;
		o->bias = c;
		o->build_id_len = (size_t)len;
		o->build_id = NULL;
		if (len) {
			o->build_id = xmalloc((size_t)len);
			memcpy(o->build_id, u->p + d, (size_t)len);
		}
		o->path = xstrndup((const char *)u->p + u->off, (size_t)len2);
		u->off += (size_t)len2;
		break;
	}
	case HEAPPACK_FRAME:
		PK(pk_leb(u, &a));
		PK(pk_leb(u, &b));
		PK(pk_leb(u, &c));
		if ((a && a >= log->nframes) || c > log->nobjects ||
		    log->nframes >= UINT32_MAX - 1) {
			return PK_BAD;
		}
		u->prev_ip += (b >> 1) ^ (0 - (b & 1));
		heaplog_add_frame(log, (uint32_t)a, u->prev_ip,
				  c ? (uint32_t)(c - 1) : HEAP_NO_OBJECT);
		break;
	case HEAPPACK_TRAILER:
		PK(pk_leb(u, &a));
		PK(pk_leb(u, &b));
		PK(pk_leb(u, &c));
		log->trailer_events = a;
		log->lost = b;
		log->trailer_flags = c > UINT_MAX ? UINT_MAX : (unsigned)c;
		log->interrupted = c & HEAPFMT_TRAILER_INTERRUPTED;
		log->ended = true;
		break;
	default:
		return PK_BAD;
	}
stop:
	return rc;
}

/* One packed record. */
static int
pk_record(struct heap_log *log, struct unpack *u)
{
	struct heap_event *e;
	uint64_t v, k, old, a, b;
	int rc = PK_OK;

	PK(pk_leb(u, &v));
	k = v >> 3;
	switch (v & 7) {
	case HEAPPACK_ALLOC:
		if (k >= u->infos.n) {
			return PK_BAD;
		}
		e = pk_push(log, u, HEAP_EV_ALLOC);
		from_info(e, &u->infos, k);
		e->ptr = block_new(u, k);
		break;
	case HEAPPACK_FREE:
		if (k >= u->infos.n || !block_take(u, k, &old)) {
			return PK_BAD;
		}
		e = pk_push(log, u, HEAP_EV_FREE);
		e->ptr = old;
		break;
	case HEAPPACK_REALLOC:
		PK(pk_leb(u, &a));
		if (k >= u->infos.n || a >= u->infos.n || !block_take(u, a, &old)) {
			return PK_BAD;
		}
		e = pk_push(log, u, HEAP_EV_REALLOC);
		from_info(e, &u->infos, k);
		e->old = old;
		e->ptr = block_new(u, k);
		break;
	case HEAPPACK_UNKNOWN:
		/* an address no block had: above every made-up one */
		old = UINT64_C(1) << 63 | ++u->unknown << 4;
		if (!k) {
			e = pk_push(log, u, HEAP_EV_FREE);
			e->ptr = old;
			break;
		}
		if (k - 1 >= u->infos.n) {
			return PK_BAD;
		}
		e = pk_push(log, u, HEAP_EV_REALLOC);
		from_info(e, &u->infos, k - 1);
		e->old = old;
		e->ptr = block_new(u, k - 1);
		break;
	case HEAPPACK_FAIL:
		PK(pk_leb(u, &a));
		PK(pk_leb(u, &b));
		if (b && b >= log->nframes) {
			return PK_BAD;
		}
		e = pk_push(log, u, HEAP_EV_FAIL);
		e->fn = k > UINT_MAX ? UINT_MAX : (unsigned)k;
		e->size = a;
		e->stack = (uint32_t)b;
		break;
	case HEAPPACK_META:
		return pk_meta(log, u, k);
	default:
		return PK_BAD;
	}
stop:
	return rc;
}

/* Inflate the n bytes at p into out; returns Z_STREAM_END, Z_BUF_ERROR when the
 * stream is cut short, or another zlib error. */
static int
inflate_all(const unsigned char *p, size_t n, struct buf *out)
{
	unsigned char chunk[64 * 1024];
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		return Z_MEM_ERROR;
	}
	do {
		/* zlib counts its input in uInt: a larger log goes in pieces */
		size_t take = n > UINT_MAX ? UINT_MAX : n;

		z.next_in = (unsigned char *)p;
		z.avail_in = (uInt)take;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			rc = inflate(&z, Z_NO_FLUSH);
			buf_add(out, (const char *)chunk, sizeof(chunk) - z.avail_out);
		} while (rc == Z_OK && z.avail_out == 0);
		p += take - z.avail_in;
		n -= take - z.avail_in;
	} while (rc == Z_OK && n);
	inflateEnd(&z);
	return rc == Z_OK ? Z_BUF_ERROR : rc;
}

int
heappack_parse(struct heap_log *log, const char *name, const unsigned char *p, size_t n,
	       size_t off)
{
	struct buf raw = BUF_INIT;
	struct unpack u;
	int zrc = inflate_all(p, n, &raw), rc = PK_OK;
	size_t start = 0;

	if (zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
		buf_release(&raw);
		return error_at(name, (int)(off > INT_MAX ? 0 : off),
				"the packed records are damaged (zlib error %d)", zrc);
	}
	memset(&u, 0, sizeof(u));
	u.p = (const unsigned char *)raw.s;
	u.n = raw.len;
	while (u.off < u.n && !log->ended) {
		start = u.off;
		rc = pk_record(log, &u);
		if (rc != PK_OK) {
			break;
		}
	}
	infos_release(&u.infos);
	free(u.head);
	free(u.next);
	buf_release(&raw);
	if (rc == PK_BAD) {
		return error("%s: packed record %zu bytes into the stream is malformed", name,
		             start);
	}
	if (rc == PK_END || zrc == Z_BUF_ERROR || !log->ended) {
		log->truncated = true;
		warn("%s: truncated after %zu events (process killed?)", name, log->n);
	}
	return 0;
}

/* --- following a raw log --- */

struct heappack_follower {
	char *raw, *packed;
	int in, out;
	pthread_t thread;
	atomic_bool done;	/* the writers are gone: read to the end, then stop */
	int rc;			/* heappack_follow_end's */
	struct heappack_summary sum;
};

/* Read raw as it grows and pack it; at the end (done set and nothing more to
 * read) finish. */
static void *
follow(void *arg)
{
	struct heappack_follower *f = arg;
	struct heaplog_follow *lf = heaplog_follow_new(f->raw, true);
	struct heappack_writer *w = NULL;
	struct buf pend = BUF_INIT;
	char chunk[256 * 1024];
	bool failed = false;

	for (;;) {
		bool last = atomic_load(&f->done);
		ssize_t n = read(f->in, chunk, sizeof(chunk));
		size_t used;

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			error_errno("cannot read the log '%s'", f->raw);
			failed = true;
			break;
		}
		if (n == 0 && !last) {
			/* the tracer flushes every 50 ms, or when 48 KiB are waiting */
			struct timespec ts = {0, 2000000};

			nanosleep(&ts, NULL);
			continue;
		}
		if (n == 0 && !pend.len && !heaplog_follow_started(lf)) {
			break;	/* nothing was ever written */
		}
		buf_add(&pend, chunk, (size_t)n);
		if (heaplog_follow_feed(lf, (const unsigned char *)pend.s, pend.len, n == 0,
					&used) < 0) {
			failed = true;
			break;
		}
		if (!w && heaplog_follow_started(lf)) {
			w = heappack_begin(f->out, f->packed, (const unsigned char *)pend.s,
					   heaplog_follow_started(lf));
			if (!w) {
				failed = true;
				break;
			}
		}
		if (w) {
			heappack_feed(w, heaplog_follow_log(lf));
			heaplog_follow_log(lf)->n = 0;
		}
		memmove(pend.s, pend.s + used, pend.len - used);
		pend.len -= used;
		if (n == 0) {
			f->sum.cut = pend.len > 0;
			break;	/* done, and everything read */
		}
	}
	if (w && heappack_end(w, heaplog_follow_log(lf)) < 0) {
		failed = true;
	}
	f->rc = failed ? -1 : w ? 1 : 0;
	if (heaplog_follow_started(lf)) {
		const struct heap_log *log = heaplog_follow_log(lf);

		f->sum.header = true;
		f->sum.ended = log->ended;
		f->sum.header_flags = log->flags;
		f->sum.trailer_flags = log->trailer_flags;
		f->sum.records = log->records;
		f->sum.frames = log->nframes ? log->nframes - 1 : 0;
		f->sum.lost = log->lost;
	}
	heaplog_follow_free(lf);
	buf_release(&pend);
	return NULL;
}

struct heappack_follower *
heappack_follow_start(const char *raw, const char *packed)
{
	struct heappack_follower *f = xcalloc(1, sizeof(*f));

	f->raw = xstrdup(raw);
	f->packed = xstrdup(packed);
	f->in = open(raw, O_RDONLY | O_CLOEXEC);
	f->out = f->in < 0 ? -1 : open(packed, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	atomic_init(&f->done, false);
	if (f->in < 0 || f->out < 0) {
		error_errno("cannot open '%s'", f->in < 0 ? raw : packed);
	} else if (pthread_create(&f->thread, NULL, follow, f) != 0) {
		error("cannot start the thread that packs '%s'", raw);
	} else {
		return f;
	}
	if (f->in >= 0) {
		close(f->in);
	}
	if (f->out >= 0) {
		close(f->out);
		unlink(packed);
	}
	free(f->raw);
	free(f->packed);
	free(f);
	return NULL;
}

int
heappack_follow_end(struct heappack_follower *f, struct heappack_summary *sum)
{
	int rc;

	atomic_store(&f->done, true);
	pthread_join(f->thread, NULL);
	rc = f->rc;
	if (sum) {
		*sum = f->sum;
	}
	close(f->in);
	if (close(f->out) < 0 && rc > 0) {
		rc = error_errno("cannot write the packed log '%s'", f->packed);
	}
	if (rc <= 0) {
		unlink(f->packed);
	}
	free(f->raw);
	free(f->packed);
	free(f);
	return rc;
}

int
heappack_file(const char *raw, const char *packed, struct heappack_summary *sum)
{
	struct heappack_follower *f = heappack_follow_start(raw, packed);

	return f ? heappack_follow_end(f, sum) : -1;
}
