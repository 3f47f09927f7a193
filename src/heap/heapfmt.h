/* heapfmt.h: the heap trace log format, shared by the preload library that
 * writes it (src/heaptrace/) and the reader (heaplog.c). Binary, little-endian,
 * versioned; see README "Heap tracing" for the whole description.
 *
 * header:  "OUNCEHT" (7 bytes), u8 version, u8 ptr_bytes, u8 flags, u16 zero,
 *          u32 page_size, u32 pid, u32 ppid, u64 start_mono_ns,
 *          varint length + bytes of the executable's path
 * records: u8 tag, then unsigned LEB128 fields. Every event record starts with
 *          dt = microseconds since the previous record. A pointer field is
 *          written as zigzag(ptr - previous pointer field of any record), so
 *          nearby pointers take one or two bytes.
 */
#ifndef OUNCE_HEAPFMT_H
#define OUNCE_HEAPFMT_H

#define HEAPFMT_MAGIC "OUNCEHT"
#define HEAPFMT_MAGIC_LEN 7
#define HEAPFMT_VERSION 1
#define HEAPFMT_HEADER_FIXED 32 /* bytes before the executable's path */

enum heapfmt_tag {
	HEAPFMT_MALLOC = 0x01,	/* dt size ptr */
	HEAPFMT_CALLOC = 0x02,	/* dt nmemb size ptr */
	HEAPFMT_REALLOC = 0x03,	/* dt old size new: new 0 means failed (size > 0, old
				 * still live) or freed (size 0); old 0 is a malloc;
				 * reallocarray is logged as REALLOC with size = n*m */
	HEAPFMT_FREE = 0x04,	/* dt ptr (free(NULL) is not logged) */
	HEAPFMT_ALIGNED = 0x05,	/* dt fn align size ptr */
	HEAPFMT_FAIL = 0x06,	/* dt fn size: malloc/calloc/aligned returned NULL */
	HEAPFMT_THREAD = 0x10,	/* tid: the thread of the records that follow */
	HEAPFMT_FORK = 0x11,	/* child_pid */
	HEAPFMT_TRAILER = 0x7f,	/* events lost flags: a run that ended normally */
};

/* fn values of ALIGNED and FAIL */
enum heapfmt_fn {
	HEAPFMT_FN_MALLOC = 0,
	HEAPFMT_FN_CALLOC = 1,
	HEAPFMT_FN_MEMALIGN = 2,
	HEAPFMT_FN_POSIX_MEMALIGN = 3,
	HEAPFMT_FN_ALIGNED_ALLOC = 4,
	HEAPFMT_FN_VALLOC = 5,
	HEAPFMT_FN_PVALLOC = 6,
};

/* trailer flags */
#define HEAPFMT_TRAILER_INTERRUPTED 1 /* exit() while the tracer held its lock */
#define HEAPFMT_TRAILER_EXEC 2	/* written before an exec: the process went on as
				 * another program (its log, with --follow-exec) */
#define HEAPFMT_TRAILER_BOOT_LOST 4 /* some lost calls were made before the log
				     * could be opened */

/* environment: the log path (a %p in it becomes the pid), and the options */
#define HEAPFMT_ENV_LOG "OUNCE_HEAPTRACE"
#define HEAPFMT_ENV_FOLLOW_FORK "OUNCE_HEAPTRACE_FOLLOW_FORK"
#define HEAPFMT_ENV_FOLLOW_EXEC "OUNCE_HEAPTRACE_FOLLOW_EXEC"

#endif
