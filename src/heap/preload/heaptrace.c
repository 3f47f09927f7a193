/* heaptrace.c: libounce-heaptrace.so, the LD_PRELOAD library behind `ounce heap
 * trace`. It interposes the malloc family, forwards every call to the next
 * definition (dlsym RTLD_NEXT) and appends one record per call to the log of
 * heapfmt.h. The rules it keeps are research/heap.md 7.1 "Shim rules". With
 * --stacks N it also unwinds each allocation (libunwind, or the frame pointer
 * chain) before taking its lock, and interns the stacks as FRAME records.
 *
 * A preloaded shim gets no context argument, so its state lives in file-level
 * globals (the one place in ounce that has them). It never allocates and uses no
 * stdio: output goes through a static buffer and write(2). banned.h is included
 * like everywhere else; nothing here needs the functions it bans.
 */
#include "heap/heapfmt.h"

/* local unwinding only: the _UL names, which libunwind.so.8 has */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libunwind.h>
#include <limits.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/banned.h"

#define EXPORT __attribute__((visibility("default")))
/* every thread-local is initial-exec: a dynamic TLS access may call malloc
 * (heap.md pitfall 3); the shim is preloaded, never dlopen'ed, so this is safe */
#define TLS_IE __attribute__((tls_model("initial-exec")))

enum {
	BUF_SIZE = 64 * 1024,   /* the log buffer, flushed when 3/4 full */
	RECORD_MAX = 96,        /* a THREAD record and the longest event, with room */
	ARENA_SIZE = 16 * 1024, /* allocations made by dlsym while we bootstrap */
	LOG_FD_MIN = 512,       /* the log fd moves up here, out of the program's way */
	SUFFIX_MAX = 32,        /* room for ".<pid>.<n>" after a log path */
	SKIP_MAX = 8,           /* unwinder and tracer frames above the program's */
	FRAME_MAX = 32,         /* a FRAME record, with room */
	NODES_MIN = 4096,       /* first size of the stack table (a power of two) */
	OBJECTS_MAX = 1024,     /* loaded objects an OBJECT record was written for */
	BUILD_ID_MAX = 64,      /* longer build-ids are cut (none is in practice) */
	STACK_CACHE_N = 1024,   /* entries of the stack cache (a power of two) */
};
#define FLUSH_NS 50000000ULL /* flush at least every 50 ms while events come */
#define PRELOAD_NAME "libounce-heaptrace.so"

enum state {
	STATE_UNINIT, /* nothing resolved yet */
	STATE_BOOT,   /* one thread is resolving the real functions */
	STATE_PRE,    /* recording into the buffer; the constructor has not opened the log */
	STATE_ON,     /* recording into the log */
	STATE_OFF,    /* passing every call straight through */
};

/* values of in_tracer */
enum { IN_NONE, IN_TRACE, IN_SETUP, IN_UNWIND };

static _Atomic int state;

static struct {
	void *(*malloc)(size_t);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void (*free)(void *);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	pid_t (*fork)(void);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execv)(const char *, char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
} real;

/* Set on the thread that runs dlsym during bootstrap: its allocations come from
 * the arena. */
static _Thread_local bool booting TLS_IE;
/* IN_TRACE while this thread is inside the tracer (a nested call passes through
 * and counts as lost), IN_SETUP while the shim sets itself up (passes through,
 * not counted), IN_UNWIND while it walks the stack (the unwinder's own calls pass
 * through, not counted). Set before the lock is taken, so a signal handler that
 * allocates never waits for a lock its own thread holds. */
static _Thread_local int in_tracer TLS_IE;
static _Thread_local pid_t tid_cache TLS_IE;
static _Thread_local int fork_saved TLS_IE;
static _Thread_local bool fork_locked TLS_IE;
/* This thread's stack, [stack_lo, stack_hi), for --unwind fp; stack_hi 0: not
 * known yet. A forked child's one thread keeps its parent thread's stack. */
static _Thread_local uintptr_t stack_lo TLS_IE, stack_hi TLS_IE;

static _Alignas(64) unsigned char arena[ARENA_SIZE];
static size_t arena_used;

/* Everything below is guarded by lock, except where a comment says otherwise. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char buf[BUF_SIZE];
/* buf[0, committed) holds whole records, of which [0, flushed) are written.
 * volatile: the exit path may read them from a signal handler. */
static volatile size_t committed, flushed;
static int log_fd = -1;
static pid_t log_pid; /* the process log_fd is the log of (a vfork child is not it) */
static dev_t log_dev; /* what log_fd must still be, checked before each write */
static ino_t log_ino;
static uint64_t events;
static atomic_ulong lost; /* bumped without the lock */
static bool lost_boot;     /* some of lost: no log to write to yet */
static uint64_t prev_ptr, prev_us, last_flush_ns;
static pid_t prev_tid;

/* Set once by the constructor. */
static bool follow_fork;
static char child_template[PATH_MAX]; /* log path of forked children: has a %p */
static char env_entry[sizeof(HEAPFMT_ENV_LOG) + PATH_MAX];
/* --stacks N (0: no stacks) and --unwind fp, read by boot() */
static int stack_depth;
static bool unwind_fp;
/* where this library is mapped: its frames are never recorded (set once) */
static uintptr_t self_lo, self_hi;
static pthread_once_t unwind_once = PTHREAD_ONCE_INIT;

/* The stack table (lock held): the tree of heapfmt.h, (parent, ip) -> id, open
 * addressing in mmap'd memory (never malloc). Reset for a followed child's log. */
struct node {
	uintptr_t ip;
	uint32_t parent;
	uint32_t id; /* 0: an empty slot */
};
static struct node *nodes;
static size_t nodes_cap, nodes_used;
static uint32_t next_id;
static uint64_t prev_frame_ip;
/* the stack cache: the leaf ids of recent stacks (lock held; see lock_intern) */
static uint64_t *stack_cache;
/* set by frame_id when a frame's object has no OBJECT yet (lock held) */
static bool scan_allowed, scan_wanted;
/* the objects an OBJECT record was written for, in this log (lock held) */
static struct {
	uintptr_t lo, hi;
} objects[OBJECTS_MAX];
static size_t n_objects;
static char exe_path[PATH_MAX];

/* the main thread's stack ends here (ld.so's) */
extern void *__libc_stack_end;

extern char **environ;

void cfree(void *p);

/* --- small helpers that allocate nothing --- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static pid_t
current_tid(void)
{
	if (!tid_cache) {
		tid_cache = (pid_t)syscall(SYS_gettid);
	}
	return tid_cache;
}

/* Decimal digits of v at p; returns the end. */
static char *
put_dec(char *p, unsigned long v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n) {
		*p++ = tmp[--n];
	}
	return p;
}

static void
fail_hard(const char *msg)
{
	/* nothing can work without the real allocator */
	ssize_t r = write(2, msg, strlen(msg));

	(void)r;
	abort();
}

/* --- the bootstrap arena: dlsym's own allocations, never freed --- */

static bool
in_arena(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	return a >= (uintptr_t)arena && a < (uintptr_t)arena + sizeof(arena);
}

static void *
arena_alloc(size_t size, size_t align)
{
	/* each block is preceded by its size, for realloc */
	size_t off;

	if (align < 16) {
		align = 16;
	}
	if (align & (align - 1) || size > sizeof(arena)) {
		errno = align & (align - 1) ? EINVAL : ENOMEM;
		return NULL;
	}
	off = (arena_used + sizeof(size_t) + align - 1) & ~(align - 1);
	if (off > sizeof(arena) || sizeof(arena) - off < size) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(arena + off - sizeof(size_t), &size, sizeof(size));
	arena_used = off + size;
	/* static memory that is never handed out twice is already zero, for calloc */
	return arena + off;
}

static size_t
arena_size(const void *p)
{
	size_t n;

	memcpy(&n, (const unsigned char *)p - sizeof(size_t), sizeof(n));
	return n;
}

/* --- bootstrap --- */

#define RESOLVE(f)                                                                                 \
	do {                                                                                       \
		void *sym_ = dlsym(RTLD_NEXT, #f);                                                 \
		memcpy(&real.f, &sym_, sizeof(sym_));                                              \
	} while (0)

static void write_header(void);

/* --stacks N and --unwind from the environment (getenv allocates nothing) */
static void
read_stack_options(void)
{
	const char *v = getenv(HEAPFMT_ENV_STACKS);
	int n = 0;

	for (; v && *v >= '0' && *v <= '9' && n <= HEAPFMT_STACKS_MAX; v++) {
		n = n * 10 + (*v - '0');
	}
	stack_depth = n > HEAPFMT_STACKS_MAX ? HEAPFMT_STACKS_MAX : n;
	v = getenv(HEAPFMT_ENV_UNWIND);
#if defined(__x86_64__)
	unwind_fp = v && !strcmp(v, "fp");
#else
	/* the frame pointer walk is x86_64's: libunwind elsewhere, and the header
	 * says so */
	(void)v;
	unwind_fp = false;
#endif
}

/* Resolve the real functions, once; the other threads wait. The booting thread
 * itself may come back here (dlsym frees a block the arena did not give): it
 * returns at once, as waiting for itself would never end. */
static void
boot(void)
{
	int expect = STATE_UNINIT;

	if (!atomic_compare_exchange_strong(&state, &expect, STATE_BOOT)) {
		while (!booting && atomic_load(&state) == STATE_BOOT) {
			sched_yield();
		}
		return;
	}
	booting = true;
	RESOLVE(malloc);
	RESOLVE(calloc);
	RESOLVE(realloc);
	RESOLVE(free);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(memalign);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	RESOLVE(fork);
	RESOLVE(execve);
	RESOLVE(execv);
	RESOLVE(execvp);
	RESOLVE(execvpe);
	RESOLVE(fexecve);
	RESOLVE(execveat);
	booting = false;
	if (!real.malloc || !real.calloc || !real.realloc || !real.free || !real.posix_memalign ||
	    !real.fork) {
		fail_hard("ounce-heaptrace: cannot find the real malloc\n");
	}
	read_stack_options();
	/* events before the constructor opens the log are kept in the buffer */
	write_header();
	atomic_store(&state, STATE_PRE);
}

/* Start a call that should be traced: true means in_tracer is now set and the
 * caller must call leave(); false means pass the call straight through. */
static bool
enter(void)
{
	int s = atomic_load_explicit(&state, memory_order_acquire);

	if (s < STATE_PRE) {
		boot();
		s = atomic_load(&state);
	}
	if (s != STATE_PRE && s != STATE_ON) {
		/* off, or this thread is the one booting */
		return false;
	}
	if (in_tracer) {
		if (in_tracer == IN_TRACE) {
			atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
		}
		return false;
	}
	in_tracer = IN_TRACE;
	return true;
}

static void
leave(void)
{
	in_tracer = IN_NONE;
}

/* --- encoding and output (lock held) --- */

static unsigned char *
put_uleb(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static unsigned char *
put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		*p++ = (unsigned char)(v >> (8 * i));
	}
	return p;
}

/* A pointer field: zigzag of the difference from the previous pointer field. */
static unsigned char *
put_ptr(unsigned char *p, const void *ptr)
{
	uint64_t v = (uint64_t)(uintptr_t)ptr, d = v - prev_ptr;

	prev_ptr = v;
	return put_uleb(p, (d << 1) ^ (0 - (d >> 63)));
}

/* Write buf[flushed, committed). When the fd is no longer our log, or on an
 * error other than EINTR (the disk is full), tracing stops: there is no way to
 * say so but the missing trailer. */
static int
flush(void)
{
	struct stat st;

	/* a program that closes every fd and opens another file may be handed our
	 * number: never write into its file */
	if (flushed < committed &&
	    (fstat(log_fd, &st) < 0 || st.st_dev != log_dev || st.st_ino != log_ino)) {
		atomic_store(&state, STATE_OFF);
		return -1;
	}
	while (flushed < committed) {
		ssize_t n = write(log_fd, buf + flushed, committed - flushed);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			atomic_store(&state, STATE_OFF);
			return -1;
		}
		flushed += (size_t)n;
	}
	/* committed first: an exit from a signal handler between the two stores
	 * then sees nothing left to write */
	committed = 0;
	flushed = 0;
	last_flush_ns = now_ns();
	return 0;
}

static void
write_header(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe));
	long page = sysconf(_SC_PAGESIZE);
	uint64_t start = now_ns();
	unsigned char *p = buf;

	if (n < 0) {
		n = 0;
	}
	memcpy(p, HEAPFMT_MAGIC, HEAPFMT_MAGIC_LEN);
	p += HEAPFMT_MAGIC_LEN;
	*p++ = HEAPFMT_VERSION;
	*p++ = (unsigned char)sizeof(void *);
	*p++ = (unsigned char)((stack_depth ? HEAPFMT_FLAG_STACKS : 0) |
	                       (stack_depth && unwind_fp ? HEAPFMT_FLAG_UNWIND_FP : 0));
	p = put_le(p, 0, 2);
	p = put_le(p, (uint64_t)(page > 0 ? page : 4096), 4);
	p = put_le(p, (uint64_t)getpid(), 4);
	p = put_le(p, (uint64_t)getppid(), 4);
	p = put_le(p, start, 8);
	p = put_uleb(p, (uint64_t)n);
	memcpy(p, exe, (size_t)n);
	p += n;
	flushed = 0;
	committed = (size_t)(p - buf);
	events = 0;
	atomic_store(&lost, 0);
	prev_ptr = 0;
	prev_tid = 0;
	prev_us = start / 1000;
	last_flush_ns = start;
	/* a new log (a followed child's) names its own stacks and objects */
	if (nodes) {
		munmap(nodes, nodes_cap * sizeof(*nodes));
		nodes = NULL;
	}
	nodes_cap = nodes_used = 0;
	if (stack_cache) {
		munmap(stack_cache, STACK_CACHE_N * (2 + (size_t)stack_depth) * sizeof(uint64_t));
		stack_cache = NULL;
	}
	next_id = 1;
	prev_frame_ip = 0;
	n_objects = 0;
}

static int start_log(void);

/* The buffer has less than need bytes free (need < BUF_SIZE / 4), in state s
 * (PRE or ON): make room. False when there is none (no log can be opened, or
 * writing it failed). Kept out of line, off the path of every call. */
static __attribute__((noinline)) bool
make_room(int s, size_t need)
{
	if (s == STATE_PRE) {
		/* full before our constructor ran (a library's constructor that
		 * allocates a lot): open the log now rather than drop events */
		if (start_log() < 0) {
			lost_boot = true;
			return false;
		}
	} else if (flush() < 0) {
		return false;
	}
	return BUF_SIZE - committed >= need;
}

/* Room for need bytes at the end of the buffer; false when there is none. */
static bool
room(size_t need)
{
	int s = atomic_load(&state);

	if (s != STATE_PRE && s != STATE_ON) {
		return false;
	}
	return BUF_SIZE - committed >= need || make_room(s, need);
}

/* Room for one record at the end of the buffer, after a THREAD record when the
 * thread changed. NULL when there is none (no log can be opened, or writing it
 * failed): the caller counts the event as lost. */
static unsigned char *
record_begin(void)
{
	int s = atomic_load(&state);
	unsigned char *p;
	pid_t tid;

	if (s != STATE_PRE && s != STATE_ON) {
		return NULL;
	}
	if (BUF_SIZE - committed < RECORD_MAX && !make_room(s, RECORD_MAX)) {
		return NULL;
	}
	p = buf + committed;
	tid = current_tid();
	if (tid != prev_tid) {
		*p++ = HEAPFMT_THREAD;
		p = put_uleb(p, (uint64_t)tid);
		prev_tid = tid;
	}
	return p;
}

/* An event record's tag and dt. */
static unsigned char *
event_begin(int tag, uint64_t *t)
{
	unsigned char *p = record_begin();
	uint64_t us;

	if (!p) {
		return NULL;
	}
	*t = now_ns();
	us = *t / 1000;
	*p++ = (unsigned char)tag;
	p = put_uleb(p, us > prev_us ? us - prev_us : 0);
	prev_us = us > prev_us ? us : prev_us;
	return p;
}

/* Commit the record that ends at p, and flush when due. */
static void
record_end(unsigned char *p, uint64_t t, bool event)
{
	committed = (size_t)(p - buf);
	if (event) {
		events++;
	}
	if (atomic_load(&state) == STATE_ON &&
	    (committed > BUF_SIZE / 4 * 3 ||
	     (t > last_flush_ns && t - last_flush_ns >= FLUSH_NS))) {
		flush();
	}
}

/* One event; fields[i] is a pointer field when bit i of ptrs is set. */
static void
log_event_locked(int tag, const uint64_t *fields, int n, unsigned ptrs)
{
	uint64_t t;
	unsigned char *p = event_begin(tag, &t);

	if (!p) {
		atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (ptrs & (1u << i)) {
			p = put_ptr(p, (const void *)(uintptr_t)fields[i]);
		} else {
			p = put_uleb(p, fields[i]);
		}
	}
	record_end(p, t, true);
}

static void
log_event(int tag, const uint64_t *fields, int n, unsigned ptrs)
{
	pthread_mutex_lock(&lock);
	log_event_locked(tag, fields, n, ptrs);
	pthread_mutex_unlock(&lock);
}

static uint64_t
ptrval(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* n * m in *out; false when it overflows, with *out SIZE_MAX (a failed call's
 * size in the log) */
static bool
mul_size(size_t n, size_t m, size_t *out)
{
	if (m && n > SIZE_MAX / m) {
		*out = SIZE_MAX;
		return false;
	}
	*out = n * m;
	return true;
}

/* --- stacks (--stacks N): unwinding outside the lock, interning under it --- */

/* Is ip inside this library? Its frames are the tracer's, never recorded. */
static bool
in_self(uintptr_t ip)
{
	return ip >= self_lo && ip < self_hi;
}

/* The span of the PT_LOAD segments of info's object in [*lo, *hi). */
static void
load_span(const struct dl_phdr_info *info, uintptr_t *lo, uintptr_t *hi)
{
	*lo = UINTPTR_MAX;
	*hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = (uintptr_t)info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD) {
			*lo = a < *lo ? a : *lo;
			*hi = a + ph->p_memsz > *hi ? a + ph->p_memsz : *hi;
		}
	}
}

static int
find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t lo, hi, me = (uintptr_t)data;

	(void)size;
	load_span(info, &lo, &hi);
	if (me >= lo && me < hi) {
		self_lo = lo;
		self_hi = hi;
		return 1;
	}
	return 0;
}

/* Once, on the first stack: where this library is, and libunwind's per-thread
 * cache (a cursor init then costs no lock). in_tracer is IN_UNWIND: what either
 * allocates passes straight through. */
static void
unwind_setup(void)
{
	dl_iterate_phdr(find_self, (void *)(uintptr_t)&in_self);
	if (!unwind_fp) {
		unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	}
}

/* This thread's stack bounds, once: the main thread's ends at __libc_stack_end
 * and spans at most its rlimit (pthread_getattr_np would read /proc/self/maps
 * through stdio); another thread's are what pthread_getattr_np says. */
static void
stack_bounds(void)
{
	pthread_attr_t a;
	void *addr;
	size_t size;

	stack_lo = stack_hi = 1; /* known, empty: no frames */
	if (current_tid() == getpid()) {
		struct rlimit rl;
		uintptr_t span = 8u << 20;

		if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur > span) {
			span = rl.rlim_cur;
		}
		stack_hi = (uintptr_t)__libc_stack_end;
		stack_lo = stack_hi > span ? stack_hi - span : 0;
	} else if (pthread_getattr_np(pthread_self(), &a) == 0) {
		if (pthread_attr_getstack(&a, &addr, &size) == 0) {
			stack_lo = (uintptr_t)addr;
			stack_hi = (uintptr_t)addr + size;
		}
		pthread_attr_destroy(&a);
	}
}

/* Walk the frame pointer chain into ips (at most max), innermost first. This
 * library is built with frame pointers, so the chain starts right; in code
 * without them rbp is any value, so every frame pointer must be aligned, inside
 * this thread's stack and above the previous one: the walk stops at the first
 * that is not, and a program built with -fomit-frame-pointer gets short or wrong
 * stacks, never a crash. Other architectures than x86_64 use libunwind. */
static int
fp_backtrace(void **ips, int max)
{
#if defined(__x86_64__)
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	int n = 0;

	if (!stack_hi) {
		stack_bounds();
	}
	while (n < max) {
		const uintptr_t *f = (const uintptr_t *)fp;

		if ((fp & 7) || fp < stack_lo || fp >= stack_hi || stack_hi - fp < 2 * sizeof(fp) ||
		    !f[1]) {
			break;
		}
		ips[n++] = (void *)f[1];
		if (f[0] <= fp) {
			break;
		}
		fp = f[0];
	}
	return n;
#else
	return unw_backtrace(ips, max);
#endif
}

/* The program's return addresses at this call into ips, innermost first, at
 * most stack_depth: the unwinder's leading frames and every frame of the
 * tracer dropped. Called before the lock is taken; in_tracer is IN_TRACE.
 * Inlined: one frame less for libunwind to walk on every call. */
static inline __attribute__((always_inline)) int
capture(uintptr_t *ips)
{
	void *raw[HEAPFMT_STACKS_MAX + SKIP_MAX];
	int n, i = 0, k = 0;

	in_tracer = IN_UNWIND;
	pthread_once(&unwind_once, unwind_setup);
	n = unwind_fp ? fp_backtrace(raw, stack_depth + SKIP_MAX)
	              : unw_backtrace(raw, stack_depth + SKIP_MAX);
	in_tracer = IN_TRACE;
	/* libunwind's frames come first, then ours */
	while (i < n && i < SKIP_MAX && !in_self((uintptr_t)raw[i])) {
		i++;
	}
	if (i == n || i == SKIP_MAX) {
		i = 0;
	}
	/* and deeper down too, where a signal handler interrupted the tracer */
	for (; i < n && k < stack_depth; i++) {
		if (!in_self((uintptr_t)raw[i])) {
			ips[k++] = (uintptr_t)raw[i];
		}
	}
	return k;
}

/* The build-id of info's object (its NT_GNU_BUILD_ID note), or NULL. */
static const unsigned char *
build_id(const struct dl_phdr_info *info, size_t *len)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p, *end;

		if (ph->p_type != PT_NOTE) {
			continue;
		}
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
			size_t name = (nh->n_namesz + 3) & ~(size_t)3;
			size_t desc = (nh->n_descsz + 3) & ~(size_t)3;
			const unsigned char *d = p + sizeof(*nh) + name;

			if (name > (size_t)(end - p) || desc > (size_t)(end - p) ||
			    (size_t)(end - d) < desc) {
				break;
			}
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof(*nh), "GNU", 4)) {
				*len = nh->n_descsz < BUILD_ID_MAX ? nh->n_descsz : BUILD_ID_MAX;
				return d;
			}
			p = d + desc;
		}
	}
	*len = 0;
	return NULL;
}

/* Write an OBJECT record for info's object unless one was written (lock held).
 * first: it is the first object, the program, whose name is "". Returns 1 when
 * no more can be written. */
static int
write_object(const struct dl_phdr_info *info, bool first)
{
	const char *path = info->dlpi_name;
	const unsigned char *id;
	size_t id_len, path_len;
	uintptr_t lo, hi;
	unsigned char *p;

	if (first && (!path || !*path)) {
		ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);

		exe_path[n > 0 ? n : 0] = '\0';
		path = exe_path;
	}
	load_span(info, &lo, &hi);
	if (!path || !*path || !hi || (lo == self_lo && hi == self_hi)) {
		/* an unnamed object (a vdso), or this library */
		return 0;
	}
	for (size_t i = 0; i < n_objects; i++) {
		if (objects[i].lo == lo && objects[i].hi == hi) {
			return 0;
		}
	}
	if (n_objects == OBJECTS_MAX) {
		return 1;
	}
	id = build_id(info, &id_len);
	path_len = strnlen(path, PATH_MAX);
	if (!room(64 + id_len + path_len)) {
		return 1;
	}
	p = buf + committed;
	*p++ = HEAPFMT_OBJECT;
	p = put_uleb(p, lo);
	p = put_uleb(p, hi);
	p = put_uleb(p, (uint64_t)info->dlpi_addr);
	p = put_uleb(p, id_len);
	memcpy(p, id, id_len);
	p += id_len;
	p = put_uleb(p, path_len);
	memcpy(p, path, path_len);
	p += path_len;
	committed = (size_t)(p - buf);
	objects[n_objects].lo = lo;
	objects[n_objects].hi = hi;
	n_objects++;
	return 0;
}

/* dl_iterate_phdr's callback of scan_objects: the lock is taken inside it, so
 * the order is always the loader's lock, then ours (a program's own callback
 * that allocates takes them in that order too). */
static int
object_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	int *index = data, rc;

	(void)size;
	pthread_mutex_lock(&lock);
	rc = write_object(info, (*index)++ == 0);
	pthread_mutex_unlock(&lock);
	return rc;
}

/* Name every object loaded now that no OBJECT named (dlopen'ed ones are found
 * here, lazily, without interposing dlopen). Called without the lock. */
static void
scan_objects(void)
{
	int index = 0;

	dl_iterate_phdr(object_cb, &index);
}

/* Is ip inside an object an OBJECT record named? (lock held) */
static bool
ip_known(uintptr_t ip)
{
	for (size_t i = 0; i < n_objects; i++) {
		if (ip >= objects[i].lo && ip < objects[i].hi) {
			return true;
		}
	}
	return false;
}

static uint32_t
node_slot(uint32_t parent, uintptr_t ip, size_t mask)
{
	uint64_t h = ((uint64_t)ip ^ ((uint64_t)parent << 40)) * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)((h >> 32) & mask);
}

/* Double the stack table (or make the first); false when mmap fails. */
static bool
nodes_grow(void)
{
	size_t cap = nodes_cap ? nodes_cap * 2 : NODES_MIN;
	struct node *t = mmap(NULL, cap * sizeof(*t), PROT_READ | PROT_WRITE,
	                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (t == MAP_FAILED) {
		return false;
	}
	for (size_t i = 0; i < nodes_cap; i++) {
		const struct node *o = &nodes[i];

		if (o->id) {
			size_t j = node_slot(o->parent, o->ip, cap - 1);

			while (t[j].id) {
				j = (j + 1) & (cap - 1);
			}
			t[j] = *o;
		}
	}
	if (nodes) {
		munmap(nodes, nodes_cap * sizeof(*nodes));
	}
	nodes = t;
	nodes_cap = cap;
	return true;
}

/* The id of frame ip called from parent: found, or made and written as a FRAME
 * record. 0 when it cannot be written, or when its object is not named yet and
 * scan_allowed is set: then scan_wanted is set. Lock held. */
static uint32_t
frame_id(uint32_t parent, uintptr_t ip)
{
	size_t j;
	uint64_t d;
	unsigned char *p;

	if (nodes_used * 2 >= nodes_cap && !nodes_grow()) {
		return 0;
	}
	j = node_slot(parent, ip, nodes_cap - 1);
	while (nodes[j].id) {
		if (nodes[j].ip == ip && nodes[j].parent == parent) {
			return nodes[j].id;
		}
		j = (j + 1) & (nodes_cap - 1);
	}
	if (!ip_known(ip) && scan_allowed) {
		scan_wanted = true;
		return 0;
	}
	if (!room(FRAME_MAX)) {
		return 0;
	}
	p = buf + committed;
	*p++ = HEAPFMT_FRAME;
	p = put_uleb(p, parent);
	d = (uint64_t)ip - prev_frame_ip;
	prev_frame_ip = ip;
	p = put_uleb(p, (d << 1) ^ (0 - (d >> 63)));
	committed = (size_t)(p - buf);
	nodes[j].ip = ip;
	nodes[j].parent = parent;
	nodes[j].id = next_id++;
	nodes_used++;
	return nodes[j].id;
}

/* The stack id of ips[0, n) (innermost first), interning what is new. Lock
 * held. A frame that cannot be written ends the stack there: *whole is false. */
static uint32_t
intern_locked(const uintptr_t *ips, int n, bool *whole)
{
	uint32_t id = 0;

	*whole = false;
	for (int i = n - 1; i >= 0; i--) {
		uint32_t next = frame_id(id, ips[i]);

		if (!next) {
			return id;
		}
		id = next;
	}
	*whole = true;
	return id;
}

/* The stack cache's entry for a stack of hash h (lock held): words [0] the
 * hash, [1] depth << 32 | leaf id, then the return addresses. NULL when the
 * cache cannot be mapped. */
static uint64_t *
stack_cache_entry(uint64_t h)
{
	size_t words = 2 + (size_t)stack_depth;

	if (!stack_cache) {
		void *m = mmap(NULL, STACK_CACHE_N * words * sizeof(uint64_t),
		               PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			return NULL;
		}
		stack_cache = m;
	}
	return stack_cache + (h & (STACK_CACHE_N - 1)) * words;
}

/* Take the lock and intern ips[0, n): the stack id. A stack seen before costs
 * one look-up in the stack cache (by a hash of its return addresses, compared
 * in full), not one per frame. A frame in an object no OBJECT named yet (the
 * first stack, or a dlopen since) needs a rescan of the loaded objects, which
 * takes the loader's lock: it is done with ours released (taking the loader's
 * while holding ours could deadlock against a thread in a dl_iterate_phdr
 * callback that allocates), then interning goes on; an ip in no object at all
 * (JIT code) is interned without one. Returns with the lock held. */
static uint32_t
lock_intern(const uintptr_t *ips, int n)
{
	uint64_t h = (uint64_t)n, *e;
	uint32_t id;
	bool whole;

	for (int i = 0; i < n; i++) {
		h = (h ^ ips[i]) * 0x9e3779b97f4a7c15ULL;
	}
	h ^= h >> 29;
	pthread_mutex_lock(&lock);
	e = stack_cache_entry(h);
	if (e && n && e[0] == h && e[1] >> 32 == (uint64_t)n &&
	    !memcmp(e + 2, ips, (size_t)n * sizeof(*ips))) {
		return (uint32_t)e[1];
	}
	scan_allowed = true;
	scan_wanted = false;
	id = intern_locked(ips, n, &whole);
	if (scan_wanted) {
		pthread_mutex_unlock(&lock);
		scan_objects();
		pthread_mutex_lock(&lock);
		scan_allowed = false;
		id = intern_locked(ips, n, &whole);
		/* the cache may have been remapped while the lock was released */
		e = stack_cache_entry(h);
	}
	if (e && n && whole) {
		e[0] = h;
		e[1] = (uint64_t)n << 32 | id;
		memcpy(e + 2, ips, (size_t)n * sizeof(*ips));
	}
	return id;
}

/* One allocation event with a stack: fields has room for one more, the stack
 * id of ips[0, depth). */
static void
log_event_stack(int tag, uint64_t *fields, int n, unsigned ptrs, const uintptr_t *ips, int depth)
{
	fields[n] = lock_intern(ips, depth);
	log_event_locked(tag, fields, n + 1, ptrs);
	pthread_mutex_unlock(&lock);
}

/* log_alloc of a block with its stack, unwound before the lock is taken. Out of
 * line: without --stacks, the path of every call stays what it was. */
static __attribute__((noinline)) void
log_alloc_stack(int tag, int fn, size_t a, size_t b, const void *p)
{
	uintptr_t ips[HEAPFMT_STACKS_MAX];
	int depth = capture(ips);
	uint64_t f[] = {(uint64_t)fn, a, b, ptrval(p), 0};

	if (tag == HEAPFMT_MALLOC) {
		log_event_stack(tag, f + 2, 2, 2, ips, depth);
	} else if (tag == HEAPFMT_CALLOC) {
		log_event_stack(tag, f + 1, 3, 4, ips, depth);
	} else {
		log_event_stack(tag, f, 4, 8, ips, depth);
	}
}

/* inlined into each caller, as it was before stacks: a call less per allocation */
static inline __attribute__((always_inline)) void
log_alloc(int tag, int fn, size_t a, size_t b, const void *p)
{
	if (!p) {
		size_t size = b;

		if (tag == HEAPFMT_CALLOC) {
			mul_size(a, b, &size);
		}
		uint64_t f[] = {(uint64_t)fn, size};

		log_event(HEAPFMT_FAIL, f, 2, 0);
	} else if (stack_depth) {
		log_alloc_stack(tag, fn, a, b, p);
	} else if (tag == HEAPFMT_MALLOC) {
		uint64_t f[] = {b, ptrval(p)};

		log_event(tag, f, 2, 2);
	} else {
		/* CALLOC: nmemb size ptr; ALIGNED: fn align size ptr */
		uint64_t f[] = {(uint64_t)fn, a, b, ptrval(p)};

		if (tag == HEAPFMT_CALLOC) {
			log_event(tag, f + 1, 3, 4);
		} else {
			log_event(tag, f, 4, 8);
		}
	}
}

/* --- setup: the constructor, fork and exit --- */

/* Expand each %p of tmpl to pid into out (size PATH_MAX). Returns 1 when tmpl
 * had a %p, 0 when not, -1 when the result does not fit. */
static int
expand(const char *tmpl, pid_t pid, char *out)
{
	char *o = out, *end = out + PATH_MAX - SUFFIX_MAX;
	int had = 0;

	for (const char *s = tmpl; *s; s++) {
		if (o >= end) {
			return -1;
		}
		if (s[0] == '%' && s[1] == 'p') {
			o = put_dec(o, (unsigned long)pid);
			s++;
			had = 1;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return had;
}

/* Open the log for pid. A fixed path (the first process's) is truncated, as
 * ounce asked; a per-pid path never overwrites: a child that execs after a fork
 * keeps the same pid, so the second log of a pid gets ".1", and so on. The fd
 * ends up at LOG_FD_MIN or above, close-on-exec. */
static int
open_log(const char *tmpl, pid_t pid)
{
	char path[PATH_MAX];
	int per_pid = expand(tmpl, pid, path), fd;

	if (per_pid < 0) {
		return -1;
	}
	if (!per_pid) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	} else {
		size_t len = strlen(path);

		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		for (unsigned long n = 1; fd < 0 && errno == EEXIST && n < 1000; n++) {
			char *e = path + len;

			*e++ = '.';
			*put_dec(e, n) = '\0';
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		}
	}
	if (fd >= 0 && fd < LOG_FD_MIN) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, LOG_FD_MIN);

		if (high >= 0) {
			close(fd);
			fd = high;
		}
	}
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) < 0) {
			close(fd);
			return -1;
		}
		log_dev = st.st_dev;
		log_ino = st.st_ino;
		log_pid = pid;
	}
	return fd;
}

static bool
env_is_one(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "1");
}

/* Take the shim out of LD_PRELOAD, in place (the new value is never longer), so
 * programs this one execs are not traced. */
static void
strip_preload(void)
{
	Dl_info self;
	const char *self_path = NULL;
	char *v = NULL;

	if (dladdr(&log_fd, &self) && self.dli_fname) {
		self_path = self.dli_fname;
	}
	for (char **e = environ; e && *e; e++) {
		if (!strncmp(*e, "LD_PRELOAD=", 11)) {
			v = *e + 11;
			break;
		}
	}
	if (!v) {
		return;
	}
	char *out = v, *s = v;

	while (*s) {
		size_t n = strcspn(s, ": ");
		const char *base = s + n;
		bool ours;

		while (base > s && base[-1] != '/') {
			base--;
		}
		ours = (n == strlen(PRELOAD_NAME) + (size_t)(base - s) &&
		        !strncmp(base, PRELOAD_NAME, strlen(PRELOAD_NAME))) ||
		       (self_path && strlen(self_path) == n && !strncmp(s, self_path, n));
		if (n && !ours) {
			if (out != v) {
				*out++ = ':';
			}
			memmove(out, s, n);
			out += n;
		}
		s += n;
		if (*s) {
			s++;
		}
	}
	*out = '\0';
	if (!*v) {
		unsetenv("LD_PRELOAD");
	}
}

/* Point the OUNCE_HEAPTRACE entry of environ at the per-pid template, so
 * programs this one execs write their own logs. */
static void
set_child_env(void)
{
	size_t name = strlen(HEAPFMT_ENV_LOG);

	memcpy(env_entry, HEAPFMT_ENV_LOG "=", name + 1);
	memcpy(env_entry + name + 1, child_template, strlen(child_template) + 1);
	for (char **e = environ; e && *e; e++) {
		if (!strncmp(*e, HEAPFMT_ENV_LOG "=", name + 1)) {
			*e = env_entry;
			return;
		}
	}
}

static void
atfork_prepare(void)
{
	/* a fork from a signal handler that interrupted the tracer cannot take the
	 * lock; its child is simply not traced */
	fork_saved = in_tracer;
	in_tracer = IN_TRACE;
	fork_locked = !fork_saved;
	if (fork_locked) {
		pthread_mutex_lock(&lock);
	}
}

static void
atfork_parent(void)
{
	if (fork_locked) {
		pthread_mutex_unlock(&lock);
	}
	in_tracer = fork_saved;
}

static void
atfork_child(void)
{
	int s = atomic_load(&state);

	tid_cache = 0;
	if (fork_locked) {
		pthread_mutex_unlock(&lock);
	}
	if (s == STATE_ON && follow_fork && fork_locked) {
		/* the parent's buffered records are the parent's to write */
		int fd = open_log(child_template, getpid());

		log_fd = fd;
		write_header();
		if (fd < 0 || flush() < 0) {
			atomic_store(&state, STATE_OFF);
		}
	} else if (s != STATE_OFF) {
		/* the fd is the parent's log: leave it alone, and stop */
		atomic_store(&state, STATE_OFF);
		log_fd = -1;
	}
	in_tracer = fork_saved;
}

/* Append the TRAILER, with flags (and HEAPFMT_TRAILER_BOOT_LOST when it
 * applies), to what is committed. */
static void
put_trailer(unsigned flags)
{
	unsigned char trailer[40], *p = trailer;

	*p++ = HEAPFMT_TRAILER;
	p = put_uleb(p, events);
	p = put_uleb(p, atomic_load(&lost));
	p = put_uleb(p, flags | (lost_boot ? HEAPFMT_TRAILER_BOOT_LOST : 0));
	if (flushed > committed) {
		flushed = committed;
	}
	if ((size_t)(p - trailer) <= BUF_SIZE - committed) {
		memcpy(buf + committed, trailer, (size_t)(p - trailer));
		committed += (size_t)(p - trailer);
	}
}

/* Flush and write the TRAILER, once; calls after it pass through. When this
 * thread is inside the tracer (exit() from a signal handler that interrupted
 * it), the lock may be ours already: write what is committed without it, and
 * say so in the trailer's flags. */
static void
finish(void)
{
	bool interrupted = in_tracer == IN_TRACE;
	int saved = in_tracer;

	if (atomic_load(&state) != STATE_ON) {
		return;
	}
	in_tracer = IN_TRACE;
	if (!interrupted) {
		pthread_mutex_lock(&lock);
	}
	if (atomic_load(&state) == STATE_ON) {
		put_trailer(interrupted ? HEAPFMT_TRAILER_INTERRUPTED : 0);
		flush();
		atomic_store(&state, STATE_OFF);
	}
	if (!interrupted) {
		pthread_mutex_unlock(&lock);
	}
	in_tracer = saved;
}

static void
exit_handler(void)
{
	finish();
}

__attribute__((destructor)) static void
heaptrace_fini(void)
{
	finish();
}

/* Open the log the environment names and write what was buffered since boot
 * (lock held, state PRE). The constructor calls it, or the first record that
 * finds the buffer full before the constructor ran. Allocates nothing. Returns
 * 0, or -1 with tracing off. */
static int
start_log(void)
{
	const char *env = getenv(HEAPFMT_ENV_LOG);
	size_t len = env ? strlen(env) : 0;
	char log_template[PATH_MAX];
	int fd;

	if (!len || len >= sizeof(log_template) - SUFFIX_MAX) {
		atomic_store(&state, STATE_OFF);
		return -1;
	}
	memcpy(log_template, env, len + 1);
	memcpy(child_template, env, len + 1);
	if (!strstr(env, "%p")) {
		memcpy(child_template + len, ".%p", 4);
	}
	follow_fork = env_is_one(HEAPFMT_ENV_FOLLOW_FORK);
	fd = open_log(log_template, getpid());
	if (fd < 0) {
		atomic_store(&state, STATE_OFF);
		return -1;
	}
	log_fd = fd;
	atomic_store(&state, STATE_ON);
	flush();
	return 0;
}

/* Open the log (unless a full buffer opened it already), then set the
 * environment of the programs this one execs, and the fork and exit handlers. */
__attribute__((constructor)) static void
heaptrace_init(void)
{
	bool on;
	int s;

	if (atomic_load(&state) < STATE_PRE) {
		boot();
	}
	s = atomic_load(&state);
	if (s != STATE_PRE && s != STATE_ON) {
		return;
	}
	in_tracer = IN_SETUP;
	pthread_mutex_lock(&lock);
	if (atomic_load(&state) == STATE_PRE) {
		start_log();
	}
	on = atomic_load(&state) == STATE_ON;
	pthread_mutex_unlock(&lock);
	if (child_template[0]) {
		/* the environment named a log */
		if (env_is_one(HEAPFMT_ENV_FOLLOW_EXEC)) {
			set_child_env();
		} else {
			unsetenv(HEAPFMT_ENV_LOG);
			strip_preload();
		}
	}
	if (on) {
		pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
		atexit(exit_handler);
	}
	in_tracer = IN_NONE;
}

/* --- the interposed functions --- */

/* The real realloc, or reallocarray done as the C library does it (glibc's calls
 * the public realloc, which would come back here as a nested call). */
static void *
real_realloc(void *p, size_t n, size_t m, bool array)
{
	size_t size = n;

	if (array && !mul_size(n, m, &size)) {
		errno = ENOMEM;
		return NULL;
	}
	return real.realloc(p, size);
}

static void *
trace_malloc(size_t size)
{
	void *p;
	int e;

	if (booting) {
		return arena_alloc(size, 16);
	}
	if (!enter()) {
		return real.malloc(size);
	}
	p = real.malloc(size);
	e = errno;
	log_alloc(HEAPFMT_MALLOC, HEAPFMT_FN_MALLOC, 0, size, p);
	leave();
	errno = e;
	return p;
}

static void
trace_free(void *p)
{
	int e;

	if (!p || in_arena(p)) {
		return;
	}
	if (booting) {
		/* a block the arena did not give, freed while the real free is not
		 * known yet: kept, as nothing else is safe */
		return;
	}
	if (!enter()) {
		real.free(p);
		return;
	}
	/* logged before the real free, so a thread that gets the address next
	 * logs its allocation after this */
	e = errno;
	uint64_t f[] = {ptrval(p)};
	log_event(HEAPFMT_FREE, f, 1, 1);
	errno = e;
	real.free(p);
	leave();
}

/* realloc(p, n), or reallocarray(p, n, m) when array is set. */
static void *
trace_realloc(void *p, size_t n, size_t m, bool array)
{
	size_t size = n;
	bool fits = array ? mul_size(n, m, &size) : true;
	uintptr_t ips[HEAPFMT_STACKS_MAX];
	int e, depth = 0;
	uint32_t stack = 0;
	void *q;

	if (booting && !p) {
		return fits ? arena_alloc(size, 16) : NULL;
	}
	if (in_arena(p)) {
		/* copy out of the bootstrap arena into a real (traced) block */
		size_t old = arena_size(p);

		if (!fits) {
			errno = ENOMEM;
			return NULL;
		}
		if (!size) {
			return NULL;
		}
		q = trace_malloc(size);
		if (q) {
			memcpy(q, p, old < size ? old : size);
		}
		return q;
	}
	if (!enter()) {
		return real_realloc(p, n, m, array);
	}
	/* the lock is held across the real call: the old block cannot be handed to
	 * another thread before this record is written; the stack is unwound
	 * before the lock is taken, and interned before the call */
	if (stack_depth) {
		depth = capture(ips);
		stack = lock_intern(ips, depth);
	} else {
		pthread_mutex_lock(&lock);
	}
	q = real_realloc(p, n, m, array);
	e = errno;
	uint64_t f[] = {ptrval(p), size, ptrval(q), stack};
	log_event_locked(HEAPFMT_REALLOC, f, stack_depth ? 4 : 3, 1 | 4);
	pthread_mutex_unlock(&lock);
	leave();
	errno = e;
	return q;
}

/* The real memalign, aligned_alloc, valloc or pvalloc; when the C library has
 * no such function (dlsym found none), posix_memalign, which it must have. */
static void *
real_aligned(int fn, size_t align, size_t size)
{
	void *p = NULL;
	int rc;

	switch (fn) {
	case HEAPFMT_FN_MEMALIGN:
		if (real.memalign) {
			return real.memalign(align, size);
		}
		break;
	case HEAPFMT_FN_ALIGNED_ALLOC:
		if (real.aligned_alloc) {
			return real.aligned_alloc(align, size);
		}
		break;
	case HEAPFMT_FN_VALLOC:
		if (real.valloc) {
			return real.valloc(size);
		}
		break;
	default:
		if (real.pvalloc) {
			return real.pvalloc(size);
		}
		/* pvalloc rounds the size up to whole pages (at least one) */
		if (size > SIZE_MAX - align) {
			errno = ENOMEM;
			return NULL;
		}
		size = size ? (size + align - 1) / align * align : align;
		break;
	}
	if (align < sizeof(void *)) {
		align = sizeof(void *);
	}
	rc = real.posix_memalign(&p, align, size);
	if (rc) {
		errno = rc;
		return NULL;
	}
	return p;
}

static void *
trace_aligned(int fn, size_t align, size_t size)
{
	void *p = NULL;
	int e;

	if (booting) {
		return arena_alloc(size, align);
	}
	if (!enter()) {
		return real_aligned(fn, align, size);
	}
	p = real_aligned(fn, align, size);
	e = errno;
	log_alloc(HEAPFMT_ALIGNED, fn, align, size, p);
	leave();
	errno = e;
	return p;
}

EXPORT void *
malloc(size_t size)
{
	return trace_malloc(size);
}

EXPORT void
free(void *p)
{
	trace_free(p);
}

EXPORT void
cfree(void *p)
{
	trace_free(p);
}

EXPORT void *
calloc(size_t nmemb, size_t size)
{
	void *p;
	int e;

	if (booting) {
		size_t n;

		return mul_size(nmemb, size, &n) ? arena_alloc(n, 16) : NULL;
	}
	if (!enter()) {
		return real.calloc(nmemb, size);
	}
	p = real.calloc(nmemb, size);
	e = errno;
	log_alloc(HEAPFMT_CALLOC, HEAPFMT_FN_CALLOC, nmemb, size, p);
	leave();
	errno = e;
	return p;
}

EXPORT void *
realloc(void *p, size_t size)
{
	return trace_realloc(p, size, 0, false);
}

EXPORT void *
reallocarray(void *p, size_t nmemb, size_t size)
{
	return trace_realloc(p, nmemb, size, true);
}

EXPORT int
posix_memalign(void **out, size_t align, size_t size)
{
	int rc, e;

	if (booting) {
		*out = arena_alloc(size, align);
		return *out ? 0 : ENOMEM;
	}
	if (!enter()) {
		return real.posix_memalign(out, align, size);
	}
	e = errno;
	rc = real.posix_memalign(out, align, size);
	log_alloc(HEAPFMT_ALIGNED, HEAPFMT_FN_POSIX_MEMALIGN, align, size, rc ? NULL : *out);
	leave();
	errno = e;
	return rc;
}

EXPORT void *
aligned_alloc(size_t align, size_t size)
{
	return trace_aligned(HEAPFMT_FN_ALIGNED_ALLOC, align, size);
}

EXPORT void *
memalign(size_t align, size_t size)
{
	return trace_aligned(HEAPFMT_FN_MEMALIGN, align, size);
}

EXPORT void *
valloc(size_t size)
{
	return trace_aligned(HEAPFMT_FN_VALLOC, (size_t)sysconf(_SC_PAGESIZE), size);
}

EXPORT void *
pvalloc(size_t size)
{
	return trace_aligned(HEAPFMT_FN_PVALLOC, (size_t)sysconf(_SC_PAGESIZE), size);
}

/* fork is wrapped only so the parent's log can name the child (pthread_atfork
 * handlers are not told its pid); the atfork handlers do the rest. */
EXPORT pid_t
fork(void)
{
	pid_t pid;
	int e;

	if (!real.fork) {
		boot();
	}
	pid = real.fork();
	if (pid > 0 && follow_fork && enter()) {
		e = errno;
		pthread_mutex_lock(&lock);
		unsigned char *p = record_begin();
		if (p) {
			*p++ = HEAPFMT_FORK;
			p = put_uleb(p, (uint64_t)pid);
			record_end(p, now_ns(), false);
		}
		pthread_mutex_unlock(&lock);
		leave();
		errno = e;
	}
	return pid;
}

/* --- exec and _exit: the process ends without exit(), so no atexit handler
 * writes what is buffered. glibc's exec* call its internal execve, never the
 * public one, so each public function is wrapped. --- */

/* Before an exec: when this process is tracing (not a vfork child sharing the
 * parent's memory), write what is buffered and a TRAILER marked exec, keeping
 * the lock and this thread in the tracer until exec_after, so nothing is
 * logged after the trailer. Returns true then, with *at the log's length
 * before the trailer (-1 when it could not be written). */
static bool
exec_before(off_t *at)
{
	*at = -1;
	if (atomic_load(&state) < STATE_PRE) {
		boot();
	}
	if (atomic_load(&state) != STATE_ON || in_tracer || getpid() != log_pid) {
		return false;
	}
	in_tracer = IN_TRACE;
	pthread_mutex_lock(&lock);
	if (atomic_load(&state) == STATE_ON && flush() == 0) {
		*at = lseek(log_fd, 0, SEEK_CUR);
		if (*at >= 0) {
			put_trailer(HEAPFMT_TRAILER_EXEC);
			if (flush() < 0) {
				*at = -1;
			}
		}
	}
	return true;
}

/* After an exec that failed: take the trailer back and go on tracing. */
static void
exec_after(bool held, off_t at)
{
	int e = errno;

	if (!held) {
		return;
	}
	if (at >= 0 && (ftruncate(log_fd, at) < 0 || lseek(log_fd, at, SEEK_SET) != at)) {
		atomic_store(&state, STATE_OFF);
	}
	pthread_mutex_unlock(&lock);
	in_tracer = IN_NONE;
	errno = e;
}

/* The real function, or ENOSYS when the C library has none. */
#define CALL_REAL(f, ...) (real.f ? real.f(__VA_ARGS__) : (errno = ENOSYS, -1))

EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	off_t at;
	bool held = exec_before(&at);
	int rc = CALL_REAL(execve, path, argv, envp);

	exec_after(held, at);
	return rc;
}

EXPORT int
execv(const char *path, char *const argv[])
{
	off_t at;
	bool held = exec_before(&at);
	int rc = CALL_REAL(execv, path, argv);

	exec_after(held, at);
	return rc;
}

EXPORT int
execvp(const char *file, char *const argv[])
{
	off_t at;
	bool held = exec_before(&at);
	int rc = CALL_REAL(execvp, file, argv);

	exec_after(held, at);
	return rc;
}

EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	off_t at;
	bool held = exec_before(&at);
	int rc = CALL_REAL(execvpe, file, argv, envp);

	exec_after(held, at);
	return rc;
}

EXPORT int
fexecve(int fd, char *const argv[], char *const envp[])
{
	off_t at;
	bool held = exec_before(&at);
	int rc = CALL_REAL(fexecve, fd, argv, envp);

	exec_after(held, at);
	return rc;
}

EXPORT int
execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	off_t at;
	bool held = exec_before(&at);
	int rc = CALL_REAL(execveat, dirfd, path, argv, envp, flags);

	exec_after(held, at);
	return rc;
}

/* The argv of an execl-style call, n words (arg, then what ap gives), from the
 * real allocator (not traced); after it, *envp gets the word that follows the
 * NULL when envp is set. NULL with errno ENOMEM. */
static char **
execl_argv(const char *arg, va_list ap, size_t n, char *const **envp)
{
	char **v;

	if (atomic_load(&state) < STATE_PRE) {
		boot();
	}
	v = real.malloc ? real.malloc((n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		errno = ENOMEM;
		return NULL;
	}
	if (n) {
		v[0] = (char *)arg;
	}
	for (size_t i = 1; i < n; i++) {
		v[i] = va_arg(ap, char *);
	}
	v[n] = NULL;
	if (envp) {
		if (n) {
			(void)va_arg(ap, char *);
		}
		*envp = va_arg(ap, char *const *);
	}
	return v;
}

/* How many words an execl-style call passes before its NULL. */
static size_t
execl_count(const char *arg, va_list ap)
{
	size_t n = 0;

	if (arg) {
		for (n = 1; va_arg(ap, const char *); n++) {
		}
	}
	return n;
}

EXPORT int
execl(const char *path, const char *arg, ...)
{
	va_list ap;
	size_t n;
	char **v;
	int rc;

	va_start(ap, arg);
	n = execl_count(arg, ap);
	va_end(ap);
	va_start(ap, arg);
	v = execl_argv(arg, ap, n, NULL);
	va_end(ap);
	if (!v) {
		return -1;
	}
	rc = execv(path, v);
	real.free(v);
	return rc;
}

EXPORT int
execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	size_t n;
	char **v;
	int rc;

	va_start(ap, arg);
	n = execl_count(arg, ap);
	va_end(ap);
	va_start(ap, arg);
	v = execl_argv(arg, ap, n, NULL);
	va_end(ap);
	if (!v) {
		return -1;
	}
	rc = execvp(file, v);
	real.free(v);
	return rc;
}

EXPORT int
execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char *const *envp;
	size_t n;
	char **v;
	int rc;

	va_start(ap, arg);
	n = execl_count(arg, ap);
	va_end(ap);
	va_start(ap, arg);
	v = execl_argv(arg, ap, n, &envp);
	va_end(ap);
	if (!v) {
		return -1;
	}
	rc = execve(path, v, envp);
	real.free(v);
	return rc;
}

/* _exit and _Exit end the process at once: write the log and its trailer first
 * (unless this is a vfork child: the log is its parent's). */
static _Noreturn void
exit_now(int status)
{
	if (getpid() == log_pid) {
		finish();
	}
	for (;;) {
		syscall(SYS_exit_group, status);
	}
}

EXPORT void
_exit(int status)
{
	exit_now(status);
}

EXPORT void
_Exit(int status)
{
	exit_now(status);
}
