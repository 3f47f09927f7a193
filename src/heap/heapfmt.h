/* heapfmt.h: the heap trace log format, shared by the preload library that
 * writes it (src/heaptrace/) and the reader (heaplog.c). Binary, little-endian,
 * versioned; this comment is the whole description (packed logs: heappack.h).
 *
 * header:  "OUNCEHT" (7 bytes), u8 version, u8 ptr_bytes, u8 flags (HEAPFMT_FLAG_*), u16 zero,
 *          u32 page_size, u32 pid, u32 ppid, u64 start_mono_ns,
 *          varint length + bytes of the executable's path
 * records: u8 tag, then unsigned LEB128 fields. Every event record starts with
 *          dt = microseconds since the previous record. A pointer field is
 *          written as zigzag(ptr - previous pointer field of any record), so
 *          nearby pointers take one or two bytes.
 * stacks:  a log written with `ounce heap trace --stacks N` has HEAPFMT_FLAG_STACKS
 *          in its header. Then every MALLOC, CALLOC, REALLOC and ALIGNED record
 *          has one more field at its end: the id of its stack (0: none, the
 *          unwinder found no frame). Stacks are interned as a tree of frames:
 *          each FRAME record defines the next id (1, 2, ...) as one frame (a
 *          return address) called from its parent (0: outermost recorded frame),
 *          so a stack costs the log only the frames no earlier stack had, and
 *          an event names its innermost frame. OBJECT records name the loaded
 *          objects (the executable, shared libraries, dlopen'ed ones) before the
 *          first FRAME inside them, so the reader can symbolise after the run.
 *          The tracer's own frames are never recorded.
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
	HEAPFMT_OBJECT = 0x12,	/* start end bias (absolute), build-id (varint length +
				 * bytes, length 0: none), path (varint length + bytes):
				 * a loaded object whose PT_LOAD segments span [start,
				 * end), at load bias bias (dl_iterate_phdr's dlpi_addr).
				 * A later OBJECT that overlaps it replaces it (dlclose,
				 * then another dlopen at the same place). */
	HEAPFMT_FRAME = 0x13,	/* parent ip: the next stack id; ip is written as
				 * zigzag(ip - ip of the previous FRAME record), and is a
				 * return address (the call is the instruction before) */
	HEAPFMT_TRAILER = 0x7f,	/* events lost flags: a run that ended normally */
};

/* header flags */
#define HEAPFMT_FLAG_STACKS 1	/* alloc records end with a stack id */
#define HEAPFMT_FLAG_UNWIND_FP 2 /* stacks come from the frame pointer chain */
#define HEAPFMT_FLAG_PACKED 4	/* the records after the header are packed
				 * (heappack.h) and deflated (zlib) */

/* the most frames a stack may have (--stacks N) */
#define HEAPFMT_STACKS_MAX 64

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
/* frames per stack, 1 to HEAPFMT_STACKS_MAX (unset or 0: no stacks) */
#define HEAPFMT_ENV_STACKS "OUNCE_HEAPTRACE_STACKS"
/* "fp" unwinds by frame pointers; otherwise libunwind */
#define HEAPFMT_ENV_UNWIND "OUNCE_HEAPTRACE_UNWIND"

#endif
