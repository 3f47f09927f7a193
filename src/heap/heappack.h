/* heappack.h: packed heap logs. A log traced with stacks is rewritten by `ounce
 * heap trace` as it is written, so it costs the disk less than heaptrack's: its
 * header (HEAPFMT_FLAG_PACKED set), then one zlib stream of packed records.
 * What makes it small: each distinct (function, size, alignment, stack) is
 * defined once as an "info", an allocation is its info's number, and a free
 * names the info of the block it gives back instead of its address (which a
 * reader does not need: every analysis counts per size and per stack). Times
 * are written only when they move. The reader gives each block a made-up
 * address, so every analysis reads a packed log as it reads the raw one.
 *
 * packed record: unsigned LEB128 v, op = v & 7, x = v >> 3:
 *   ALLOC    x = info                      a block of the info is handed out
 *   FREE     x = info                      a live block of the info is given back
 *   REALLOC  x = new info, then old info   a live block of old moves to new
 *   UNKNOWN  x = 0: a free of an address never handed out;
 *            x = 1 + new info: a realloc of one (the new block is new's)
 *   FAIL     x = fn, then size, stack      a request that returned NULL
 *   META     x = a heappack_meta, then its fields
 */
#ifndef OUNCE_HEAPPACK_H
#define OUNCE_HEAPPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_log;

enum heappack_op {
	HEAPPACK_ALLOC,
	HEAPPACK_FREE,
	HEAPPACK_REALLOC,
	HEAPPACK_UNKNOWN,
	HEAPPACK_FAIL,
	HEAPPACK_META,
};

enum heappack_meta {
	HEAPPACK_INFO,		/* fn size align stack: the next info (0, 1, ...) */
	HEAPPACK_TICK,		/* dt: microseconds since the last TICK */
	HEAPPACK_THREAD,	/* tid */
	HEAPPACK_FORK,		/* child pid */
	HEAPPACK_OBJECT,	/* start end bias build-id path (as HEAPFMT_OBJECT) */
	HEAPPACK_FRAME,		/* parent, zigzag ip delta, object + 1 (0: none) */
	HEAPPACK_TRAILER,	/* events lost flags (as HEAPFMT_TRAILER) */
};

/* Parse the n packed bytes at p (after a header at file offset off) into log,
 * whose header fields are set. Returns 0 (a stream cut short: log->truncated,
 * warned), or -1 after reporting. */
int heappack_parse(struct heap_log *log, const char *name, const unsigned char *p, size_t n,
		   size_t off);

/* Rewriting a log as a packed one, fed as it is read. */
struct heappack_writer;

/* Start the packed log at fd (written from its current offset), with the header
 * of the raw log: hdr[0, len), copied with the packed flag set. NULL after
 * reporting. */
struct heappack_writer *heappack_begin(int fd, const char *name, const unsigned char *hdr,
				       size_t len);
/* Pack what log holds that was not packed yet: its new objects and frames, then
 * its events ev[0, n), which the caller may drop afterwards. */
void heappack_feed(struct heappack_writer *w, const struct heap_log *log);
/* Write the trailer (when log has one) and the end of the stream, and free w.
 * Returns 0, or -1 after reporting a write error. */
int heappack_end(struct heappack_writer *w, const struct heap_log *log);

/* Packing a raw log file while its program writes it, in a thread of its own
 * (on a machine with a second core, the packing costs the traced program
 * nothing): the raw log at raw is read as it grows and packed into packed
 * (created, or truncated). NULL after reporting. */
struct heappack_follower;
struct heappack_follower *heappack_follow_start(const char *raw, const char *packed);
/* What the raw log held, as the follower read it. */
struct heappack_summary {
	bool header;		/* it had one */
	bool ended;		/* it had a trailer */
	bool cut;		/* it ended inside a record */
	unsigned header_flags;	/* HEAPFMT_FLAG_* */
	unsigned trailer_flags;	/* HEAPFMT_TRAILER_* */
	uint64_t records;	/* event records */
	uint64_t frames;	/* distinct frames */
	uint64_t lost;		/* from the trailer */
};

/* The raw log's writers are gone: read the rest, finish the packed log, stop
 * the thread and free f; *sum (may be NULL) says what the raw log held. Returns
 * 1 when packed holds the packed log, 0 when the raw log never got a header
 * (packed is removed), -1 after reporting (a malformed log: packed is removed,
 * and *sum is not to be trusted). */
int heappack_follow_end(struct heappack_follower *f, struct heappack_summary *sum);
/* Pack the complete raw log at raw into packed, at once; as heappack_follow_end. */
int heappack_file(const char *raw, const char *packed, struct heappack_summary *sum);

#endif
