/* heaplog.h: reading a heap trace log (heapfmt.h) into an array of events, and
 * the pointer table the heap analyses share. */
#ifndef OUNCE_HEAPLOG_H
#define OUNCE_HEAPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an event does. The reader normalises REALLOC records: realloc(NULL, n)
 * becomes an ALLOC, realloc(p, 0) a FREE and a realloc that returned NULL a FAIL,
 * each with fn HEAPLOG_FN_REALLOC; HEAP_EV_REALLOC is always a move from old to
 * ptr (which may be equal). */
enum heap_kind {
	HEAP_EV_ALLOC,		/* size bytes at ptr (fn: heapfmt_fn, or REALLOC) */
	HEAP_EV_FREE,		/* ptr given back */
	HEAP_EV_REALLOC,	/* old given back, size bytes at ptr */
	HEAP_EV_FAIL,		/* a request of size bytes returned NULL */
};

/* fn of a realloc (heapfmt_fn has none) */
#define HEAPLOG_FN_REALLOC 7

struct heap_event {
	enum heap_kind kind;
	unsigned fn;		/* heapfmt_fn, or HEAPLOG_FN_REALLOC */
	uint64_t size;		/* requested bytes (calloc: nmemb * size, saturated) */
	uint64_t align;		/* aligned allocations; else 0 */
	uint64_t ptr;		/* the block allocated or freed */
	uint64_t old;		/* REALLOC: the block given back */
	uint64_t tid;		/* the thread (0 before any THREAD record) */
	uint64_t t_us;		/* microseconds since the start of the log */
	uint32_t stack;		/* ALLOC, REALLOC, FAIL of a log with stacks: the
				 * innermost frame (heap_log.frames); 0: none */
};

/* A loaded object of the traced process (HEAPFMT_OBJECT). */
struct heap_object {
	uint64_t start, end;	/* its PT_LOAD segments span [start, end) */
	uint64_t bias;		/* load bias: address in the file + bias = address */
	char *path;
	unsigned char *build_id;	/* NULL when it has none */
	size_t build_id_len;
};

/* One frame of the stack tree (HEAPFMT_FRAME): a return address and its caller's
 * frame (0: the outermost recorded). */
struct heap_frame {
	uint64_t ip;
	uint32_t parent;
	uint32_t object;	/* heap_log.objects index of the object it was in when
				 * recorded; HEAP_NO_OBJECT when none was */
};
#define HEAP_NO_OBJECT UINT32_MAX

/* A whole log; owns its events and exe. */
struct heap_log {
	struct heap_event *ev;
	size_t n, cap;
	unsigned ptr_bytes;
	uint32_t page_size, pid, ppid;
	uint64_t start_ns;
	char *exe;		/* the traced executable's path */
	unsigned flags;		/* the header's HEAPFMT_FLAG_* */
	struct heap_object *objects;
	size_t nobjects, objects_cap;
	struct heap_frame *frames;	/* [0] unused: ids count from 1 */
	size_t nframes, frames_cap;	/* nframes counts [0] once there is a frame */
	uint64_t forks;		/* FORK records */
	uint64_t lost;		/* events the tracer says it lost (trailer) */
	uint64_t trailer_events;	/* events the tracer says it wrote (trailer) */
	unsigned trailer_flags;	/* HEAPFMT_TRAILER_* */
	bool ended;		/* the trailer was read */
	uint64_t records;	/* event records read (a realloc(NULL, 0) that gave NULL
				 * is one, though no event comes of it) */
	bool truncated;		/* no trailer: the process died, or the file was cut */
	bool interrupted;	/* the trailer says exit() came while the tracer held its lock */
};
#define HEAP_LOG_INIT {.ev = NULL}

/* Parse the n bytes at p, named name in messages, into log (empty it first).
 * Returns -1 after reporting "NAME: not an ounce heap log" or "NAME:OFFSET:
 * unknown record 0xNN", with log empty; a log cut short is a warning, and 0 with
 * log->truncated. */
int heaplog_parse(struct heap_log *log, const char *name, const unsigned char *p, size_t n);
/* heaplog_parse of the file at path, a regular file (a FIFO or a device is
 * refused: fs_read_file); -1 after reporting, with log empty. */
int heaplog_read(struct heap_log *log, const char *path);
/* Free what log owns. */
void heaplog_release(struct heap_log *log);

/* Reading a log while it is being written, in pieces: each feed parses the whole
 * records at the start of p[0, n) (the first feed, the header too) and says in
 * *used how many bytes it took; the caller keeps the rest for the next feed,
 * with what was written since. Events are appended to the log's ev (the caller
 * may take them and set n to 0); objects and frames accumulate. last: nothing
 * more will come, so a record cut short is a truncation (warned, as
 * heaplog_parse does, unless quiet). Returns -1 after reporting a malformed log, else 0. */
struct heaplog_follow;
struct heaplog_follow *heaplog_follow_new(const char *name, bool quiet);
int heaplog_follow_feed(struct heaplog_follow *f, const unsigned char *p, size_t n, bool last,
			size_t *used);
/* The log read so far (the follow owns it). */
struct heap_log *heaplog_follow_log(struct heaplog_follow *f);
/* The length of the header once it has been read (the log's header fields are
 * set then), else 0. */
size_t heaplog_follow_started(const struct heaplog_follow *f);
void heaplog_follow_free(struct heaplog_follow *f);

/* A table from pointer to a value, for the analyses that pair frees with
 * allocations. Owns its slots. */
struct heaplog_map {
	uint64_t *keys, *vals;
	size_t cap, n;
	bool has_zero;		/* pointer 0 (only in damaged logs) lives apart */
	uint64_t zero_val;
};
#define HEAPLOG_MAP_INIT {NULL, NULL, 0, 0, false, 0}

/* Set key to val (replacing any value); returns true when key was present, and
 * its old value in *old (may be NULL). */
bool heaplog_map_put(struct heaplog_map *m, uint64_t key, uint64_t val, uint64_t *old);
/* The value of key in *val (may be NULL); false when key is absent. */
bool heaplog_map_get(const struct heaplog_map *m, uint64_t key, uint64_t *val);
/* Remove key; returns true and its value in *val (may be NULL) when it was present. */
bool heaplog_map_take(struct heaplog_map *m, uint64_t key, uint64_t *val);
/* Free what m owns; it is empty and usable afterwards. */
void heaplog_map_release(struct heaplog_map *m);

/* One unsigned LEB128 of at most 10 bytes at p[*off] (of n), *off moved past it:
 * HEAPLOG_LEB_OK, HEAPLOG_LEB_END when the bytes end first, HEAPLOG_LEB_BAD when it
 * is longer or does not fit 64 bits. */
enum { HEAPLOG_LEB_OK, HEAPLOG_LEB_END, HEAPLOG_LEB_BAD };
int heaplog_leb(const unsigned char *p, size_t n, size_t *off, uint64_t *out);
/* Append a frame (the next id) to log's stack tree. */
void heaplog_add_frame(struct heap_log *log, uint32_t parent, uint64_t ip, uint32_t object);

/* Round size up to a multiple of align (0 or 1: unchanged), saturating. */
uint64_t heaplog_align_up(uint64_t size, uint64_t align);

#endif
