/* ounce-heaptrace-mcu.c: heap tracing on a bare-metal device, for `ounce heap
 * stats|pools|replay`. Add this file to the firmware and link with
 *
 *     -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc
 *
 * Every call the firmware makes to malloc, free, realloc and calloc then goes
 * through the __wrap_ functions below, which call the C library's (__real_) and
 * record the call in ounce's heap log format (src/heap/heapfmt.h of ounce: the
 * plain format, version 1, 4-byte pointers, no stacks). Call
 * ounce_heaptrace_end() when the run is over: it writes the log's trailer and
 * flushes (a log without it reads as "truncated", but reads).
 *
 * Where the log goes (one of):
 *   semihosting (the default on Cortex-M): the file OUNCE_HEAPTRACE_FILE
 *     ("heap.log") on the debug host, opened with SYS_OPEN "wb" at the first call
 *     and written with SYS_WRITE in blocks of OUNCE_HEAPTRACE_CHUNK bytes (a
 *     static buffer). A debugger (OpenOCD: `arm semihosting enable`; pyOCD;
 *     J-Link) or qemu (-semihosting-config enable=on,target=native: the file
 *     is in qemu's current directory) must serve the BKPT 0xAB calls: without
 *     one, the first call faults.
 *   a RAM buffer, with -DOUNCE_HEAPTRACE_BUFFER=SIZE (bytes): the log is built
 *     in `unsigned char ounce_heaptrace_buf[SIZE]`, its length in
 *     `ounce_heaptrace_len`. Stop the target after ounce_heaptrace_end() and
 *     dump it with gdb's command
 *   dump binary memory heap.log ounce_heaptrace_buf ounce_heaptrace_buf+ounce_heaptrace_len
 *     When the buffer is full, later calls are counted as lost (the trailer
 *     says how many) rather than wrapping round: a log needs its header and
 *     every earlier pointer (pointers are written as differences).
 *
 * Timestamps: each record's dt (microseconds) comes from
 *   OUNCE_HEAPTRACE_CLOCK_US, when defined: the name of a function
 *     `uint32_t f(void)` of the firmware's that returns a microsecond count (a
 *     timer it already runs; wrapping round at 2^32 is fine), else
 *   the DWT cycle counter (CYCCNT) on ARMv7-M/ARMv8-M mainline (Cortex-M3, M4,
 *     M7, M33...) when -DOUNCE_HEAPTRACE_CPU_HZ=the core clock in Hz is given:
 *     the first call enables it (DEMCR.TRCENA, DWT_CTRL.CYCCNTENA) without
 *     resetting it, and dt = cycles / (Hz / 1e6); else
 *   nothing: every dt is 0 (the statistics and pools need no time).
 *
 * Interrupts: a record must not be interleaved with another, and the log must
 * see calls in the order the heap did. So each wrapper runs the C library's call
 * and writes its record between OUNCE_HEAPTRACE_LOCK(state) and
 * OUNCE_HEAPTRACE_UNLOCK(state): by default, on Cortex-M, PRIMASK is saved and
 * interrupts masked (cpsid i), then PRIMASK restored. Define both macros to use
 * your RTOS's critical section instead (or nothing, when no interrupt handler or
 * other thread allocates); it must nest (FreeRTOS's taskENTER_CRITICAL does; a
 * plain mutex does not): the C library's allocator may call malloc again. With
 * semihosting, a flush happens inside that section, and takes the debugger's
 * time: interrupts wait for it.
 *
 * What it sees: only calls through the symbols malloc, free, realloc and calloc,
 * each once: the allocator's own calls to them (picolibc's calloc calls malloc)
 * are part of the outer call.
 * The C library's own internal allocations (newlib's stdio buffers call
 * _malloc_r) do not go through them, and neither do calls inside an LTO unit
 * (GNU ld applies --wrap to undefined symbols of each object; with -flto, keep
 * this file and the C library out of LTO, or check the log's counts).
 *
 * Options (-D on the compiler's command line):
 *   OUNCE_HEAPTRACE_EXE    the program's name in the log (default "firmware")
 *   OUNCE_HEAPTRACE_FILE   the semihosting file name (default "heap.log")
 *   OUNCE_HEAPTRACE_CHUNK  the semihosting buffer, bytes (default 256, >= 64)
 *   OUNCE_HEAPTRACE_BUFFER the RAM buffer's size in bytes (RAM-buffer mode)
 *   OUNCE_HEAPTRACE_CPU_HZ the core clock, for CYCCNT timestamps
 *   OUNCE_HEAPTRACE_CLOCK_US  a microsecond clock function of your own
 *   OUNCE_HEAPTRACE_LOCK(s) / OUNCE_HEAPTRACE_UNLOCK(s)  the critical section;
 *                          s is a uint32_t variable the pair may use
 *
 * It needs 32-bit pointers, and privileged mode for the default lock (cpsid is
 * ignored in unprivileged code) and for the CYCCNT set-up (DEMCR faults there).
 *
 * C99, freestanding: no OS, no stdio, no allocation of its own. Public domain
 * (CC0): copy it into any firmware. Written for ounce; `ounce heap mcu-source`
 * prints this file.
 */
#include <stddef.h>
#include <stdint.h>

#ifndef OUNCE_HEAPTRACE_EXE
#define OUNCE_HEAPTRACE_EXE "firmware"
#endif
#ifndef OUNCE_HEAPTRACE_FILE
#define OUNCE_HEAPTRACE_FILE "heap.log"
#endif
#ifndef OUNCE_HEAPTRACE_CHUNK
#define OUNCE_HEAPTRACE_CHUNK 256
#endif

#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define OUNCE_HT_CORTEX_M 1
#else
#define OUNCE_HT_CORTEX_M 0
#endif

#if !defined(OUNCE_HEAPTRACE_LOCK) && !defined(OUNCE_HEAPTRACE_UNLOCK)
#if OUNCE_HT_CORTEX_M
#define OUNCE_HEAPTRACE_LOCK(s) __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(s)::"memory")
#define OUNCE_HEAPTRACE_UNLOCK(s) __asm__ volatile("msr primask, %0" ::"r"(s) : "memory")
#else
#error "define OUNCE_HEAPTRACE_LOCK(s) and OUNCE_HEAPTRACE_UNLOCK(s) for this core"
#endif
#elif !defined(OUNCE_HEAPTRACE_LOCK) || !defined(OUNCE_HEAPTRACE_UNLOCK)
#error "define both OUNCE_HEAPTRACE_LOCK(s) and OUNCE_HEAPTRACE_UNLOCK(s), or neither"
#endif

#if !defined(OUNCE_HEAPTRACE_BUFFER) && !OUNCE_HT_CORTEX_M
#error "semihosting is written for Cortex-M here; use -DOUNCE_HEAPTRACE_BUFFER=SIZE"
#endif
#if defined(OUNCE_HEAPTRACE_BUFFER) && OUNCE_HEAPTRACE_BUFFER < 128
#error "OUNCE_HEAPTRACE_BUFFER is too small for the log's header and trailer (128 at least)"
#endif
#if OUNCE_HEAPTRACE_CHUNK < 32
#error "OUNCE_HEAPTRACE_CHUNK must be 32 bytes or more"
#endif

/* the log says its pointers have 4 bytes */
typedef char ounce_heaptrace_needs_32bit_pointers[sizeof(void *) == 4 ? 1 : -1];

/* the log format (ounce's src/heap/heapfmt.h) */
#define HT_MAGIC "OUNCEHT"
#define HT_VERSION 1
#define HT_MALLOC 0x01  /* dt size ptr */
#define HT_CALLOC 0x02  /* dt nmemb size ptr */
#define HT_REALLOC 0x03 /* dt old size new */
#define HT_FREE 0x04    /* dt ptr */
#define HT_FAIL 0x06    /* dt fn size */
#define HT_TRAILER 0x7f /* events lost flags */
#define HT_FN_MALLOC 0
#define HT_FN_CALLOC 1
#define HT_RECORD_MAX 21 /* tag + four 32-bit LEB128 fields */

void *__real_malloc(size_t size);
void __real_free(void *p);
void *__real_realloc(void *p, size_t size);
void *__real_calloc(size_t nmemb, size_t size);

void *__wrap_malloc(size_t size);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void ounce_heaptrace_end(void);

/* FULL: the RAM buffer is full, the rest is counted as lost; BROKEN: the log
 * could not be opened or written, nothing more goes to it */
enum { HT_IDLE, HT_ON, HT_FULL, HT_BROKEN, HT_DONE };

static int ht_state;
static uint32_t ht_prev_ptr, ht_events, ht_lost;
/* above 0 inside the C library's allocator: its own calls to malloc and free
 * (picolibc's calloc calls malloc; with --wrap they come back here) are part of
 * the call being recorded, not calls of the firmware's */
static unsigned ht_depth;

/* --- where the bytes go --- */

#ifdef OUNCE_HEAPTRACE_BUFFER
unsigned char ounce_heaptrace_buf[OUNCE_HEAPTRACE_BUFFER];
volatile uint32_t ounce_heaptrace_len;

/* the trailer always fits: the space for one is kept */
#define HT_ROOM (OUNCE_HEAPTRACE_BUFFER - 16)

static int
ht_open(void)
{
	ounce_heaptrace_len = 0;
	return 0;
}

static int
ht_put(const unsigned char *p, uint32_t n, int trailer)
{
	uint32_t len = ounce_heaptrace_len;

	if (len + n > (trailer ? (uint32_t)OUNCE_HEAPTRACE_BUFFER : (uint32_t)HT_ROOM)) {
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		ounce_heaptrace_buf[len + i] = p[i];
	}
	ounce_heaptrace_len = len + n;
	return 0;
}

static void
ht_close(void)
{
}
#else
#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE 0x05

static unsigned char ht_chunk[OUNCE_HEAPTRACE_CHUNK];
static uint32_t ht_used;
static int ht_fd = -1;

/* one semihosting call: BKPT 0xAB with the operation in r0, its block in r1 */
static int
ht_semihost(int op, void *arg)
{
	register int r0 __asm__("r0") = op;
	register void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

static int
ht_open(void)
{
	static const char name[] = OUNCE_HEAPTRACE_FILE;
	uint32_t args[3] = {(uint32_t)(uintptr_t)name, 5 /* "wb" */, sizeof(name) - 1};

	ht_fd = ht_semihost(SYS_OPEN, args);
	ht_used = 0;
	return ht_fd < 0 ? -1 : 0;
}

static int
ht_flush(void)
{
	uint32_t args[3] = {(uint32_t)ht_fd, (uint32_t)(uintptr_t)ht_chunk, ht_used};

	if (ht_used && ht_semihost(SYS_WRITE, args) != 0) {
		return -1; /* the count of bytes not written */
	}
	ht_used = 0;
	return 0;
}

/* n bytes at p into the chunk, flushing each time it is full */
static int
ht_put(const unsigned char *p, uint32_t n, int trailer)
{
	(void)trailer;
	for (uint32_t i = 0; i < n; i++) {
		if (ht_used == sizeof(ht_chunk) && ht_flush() < 0) {
			return -1;
		}
		ht_chunk[ht_used++] = p[i];
	}
	return 0;
}

static void
ht_close(void)
{
	uint32_t args[1];

	ht_flush();
	args[0] = (uint32_t)ht_fd;
	ht_semihost(SYS_CLOSE, args);
	ht_fd = -1;
}
#endif

/* --- time --- */

#if defined(OUNCE_HEAPTRACE_CLOCK_US)
uint32_t OUNCE_HEAPTRACE_CLOCK_US(void);

static uint32_t ht_prev_us;

static void
ht_clock_start(void)
{
	ht_prev_us = OUNCE_HEAPTRACE_CLOCK_US();
}

static uint32_t
ht_dt(void)
{
	uint32_t now = OUNCE_HEAPTRACE_CLOCK_US(), dt = now - ht_prev_us;

	ht_prev_us = now;
	return dt;
}
#elif defined(OUNCE_HEAPTRACE_CPU_HZ) && OUNCE_HT_CORTEX_M &&                                      \
    (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__))
#define HT_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define HT_DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define HT_DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define HT_CYCLES_PER_US ((uint32_t)((OUNCE_HEAPTRACE_CPU_HZ) / 1000000u))

static uint32_t ht_prev_cyc, ht_rem;
static int ht_has_cyccnt;

/* in privileged mode: DEMCR is not writable from unprivileged code */
static void
ht_clock_start(void)
{
	HT_DEMCR |= 1u << 24; /* TRCENA: the DWT is powered */
	/* DWT_CTRL.NOCYCCNT: a core built without the cycle counter */
	ht_has_cyccnt = !(HT_DWT_CTRL & (1u << 25));
	if (ht_has_cyccnt) {
		HT_DWT_CTRL |= 1u; /* CYCCNTENA */
		ht_prev_cyc = HT_DWT_CYCCNT;
	}
	ht_rem = 0;
}

/* The microseconds since the previous record; the cycles left over carry to the
 * next, so the times do not drift. Gaps of 2^32 cycles or more are not seen. */
static uint32_t
ht_dt(void)
{
	uint32_t k = HT_CYCLES_PER_US ? HT_CYCLES_PER_US : 1;
	uint32_t now, d, dt;

	if (!ht_has_cyccnt) {
		return 0;
	}
	now = HT_DWT_CYCCNT;
	d = now - ht_prev_cyc;
	dt = d / k;
	ht_prev_cyc = now;
	ht_rem += d % k;
	if (ht_rem >= k) {
		ht_rem -= k;
		dt++;
	}
	return dt;
}
#else
static void
ht_clock_start(void)
{
}

static uint32_t
ht_dt(void)
{
	return 0;
}
#endif

/* --- records --- */

static unsigned char *
ht_uleb(unsigned char *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* a pointer field: the zigzag of its difference from the previous one */
static unsigned char *
ht_ptr(unsigned char *p, const void *ptr)
{
	uint32_t v = (uint32_t)(uintptr_t)ptr, d = v - ht_prev_ptr;

	ht_prev_ptr = v;
	return ht_uleb(p, (d << 1) ^ (0u - (d >> 31)));
}

/* The header; the first call's job (lock held). */
static void
ht_start(void)
{
	static const char exe[] = OUNCE_HEAPTRACE_EXE;
	unsigned char h[32 + 5 + sizeof(exe)], *p = h;

	ht_state = HT_BROKEN;
	if (ht_open() < 0) {
		return;
	}
	for (unsigned i = 0; i < 7; i++) {
		*p++ = (unsigned char)HT_MAGIC[i];
	}
	*p++ = HT_VERSION;
	*p++ = 4; /* pointer bytes */
	*p++ = 0; /* flags: no stacks */
	/* zero u16, page size 0 (none), pid, ppid, start time: all zero */
	for (unsigned i = 0; i < 2 + 4 + 4 + 4 + 8; i++) {
		*p++ = 0;
	}
	p = ht_uleb(p, sizeof(exe) - 1);
	for (unsigned i = 0; i < sizeof(exe) - 1; i++) {
		*p++ = (unsigned char)exe[i];
	}
	if (ht_put(h, (uint32_t)(p - h), 0) < 0) {
		return;
	}
	ht_clock_start();
	ht_state = HT_ON;
}

/* One event record: tag, dt, then n fields, field i a pointer when bit i of
 * ptrs is set (lock held). */
static void
ht_record(int tag, const uint32_t *f, unsigned n, unsigned ptrs)
{
	unsigned char r[HT_RECORD_MAX], *p = r;

	if (ht_state == HT_IDLE) {
		ht_start();
	}
	if (ht_state != HT_ON) {
		ht_lost++;
		return;
	}
	*p++ = (unsigned char)tag;
	p = ht_uleb(p, ht_dt());
	for (unsigned i = 0; i < n; i++) {
		p = (ptrs >> i) & 1 ? ht_ptr(p, (const void *)(uintptr_t)f[i]) : ht_uleb(p, f[i]);
	}
	if (ht_put(r, (uint32_t)(p - r), 0) < 0) {
		/* nothing more is written: the pointer chain would miss this one */
		ht_lost++;
#ifdef OUNCE_HEAPTRACE_BUFFER
		ht_state = HT_FULL;
#else
		ht_state = HT_BROKEN;
#endif
		return;
	}
	ht_events++;
}

void *
__wrap_malloc(size_t size)
{
	uint32_t s = 0;
	void *p;

	OUNCE_HEAPTRACE_LOCK(s);
	(void)s;
	if (ht_depth) {
		p = __real_malloc(size);
		OUNCE_HEAPTRACE_UNLOCK(s);
		return p;
	}
	ht_depth++;
	p = __real_malloc(size);
	ht_depth--;
	if (p) {
		uint32_t f[2] = {(uint32_t)size, (uint32_t)(uintptr_t)p};

		ht_record(HT_MALLOC, f, 2, 2);
	} else {
		uint32_t f[2] = {HT_FN_MALLOC, (uint32_t)size};

		ht_record(HT_FAIL, f, 2, 0);
	}
	OUNCE_HEAPTRACE_UNLOCK(s);
	return p;
}

void *
__wrap_calloc(size_t nmemb, size_t size)
{
	uint32_t s = 0;
	void *p;

	OUNCE_HEAPTRACE_LOCK(s);
	(void)s;
	if (ht_depth) {
		p = __real_calloc(nmemb, size);
		OUNCE_HEAPTRACE_UNLOCK(s);
		return p;
	}
	ht_depth++;
	p = __real_calloc(nmemb, size);
	ht_depth--;
	if (p) {
		uint32_t f[3] = {(uint32_t)nmemb, (uint32_t)size, (uint32_t)(uintptr_t)p};

		ht_record(HT_CALLOC, f, 3, 4);
	} else {
		/* the size asked for, UINT32_MAX when n * size overflows */
		uint32_t total =
		    size && nmemb > UINT32_MAX / size ? UINT32_MAX : (uint32_t)(nmemb * size);
		uint32_t f[2] = {HT_FN_CALLOC, total};

		ht_record(HT_FAIL, f, 2, 0);
	}
	OUNCE_HEAPTRACE_UNLOCK(s);
	return p;
}

/* Every realloc is one record: old 0 is a malloc; new 0 with size 0 a free; new
 * 0 with a size a failure (the old block stays). */
void *
__wrap_realloc(void *old, size_t size)
{
	uint32_t s = 0;
	void *p;

	OUNCE_HEAPTRACE_LOCK(s);
	(void)s;
	if (ht_depth) {
		p = __real_realloc(old, size);
		OUNCE_HEAPTRACE_UNLOCK(s);
		return p;
	}
	ht_depth++;
	p = __real_realloc(old, size);
	ht_depth--;
	{
		uint32_t f[3] = {(uint32_t)(uintptr_t)old, (uint32_t)size, (uint32_t)(uintptr_t)p};

		ht_record(HT_REALLOC, f, 3, 1 | 4);
	}
	OUNCE_HEAPTRACE_UNLOCK(s);
	return p;
}

void
__wrap_free(void *p)
{
	uint32_t s = 0;

	if (!p) {
		__real_free(p);
		return;
	}
	OUNCE_HEAPTRACE_LOCK(s);
	(void)s;
	if (!ht_depth) {
		uint32_t f[1] = {(uint32_t)(uintptr_t)p};

		ht_record(HT_FREE, f, 1, 1);
	}
	ht_depth++;
	__real_free(p);
	ht_depth--;
	OUNCE_HEAPTRACE_UNLOCK(s);
}

/* The trailer (events, lost, flags 0), then the last flush; once. Calls after it
 * are not recorded. A log that was never started (no call) gets its header. */
void
ounce_heaptrace_end(void)
{
	unsigned char r[16], *p = r;
	uint32_t s = 0;

	OUNCE_HEAPTRACE_LOCK(s);
	(void)s;
	if (ht_state == HT_IDLE) {
		ht_start();
	}
	if (ht_state != HT_ON && ht_state != HT_FULL) {
		ht_state = HT_DONE;
		OUNCE_HEAPTRACE_UNLOCK(s);
		return;
	}
	*p++ = HT_TRAILER;
	p = ht_uleb(p, ht_events);
	p = ht_uleb(p, ht_lost);
	p = ht_uleb(p, 0);
	ht_put(r, (uint32_t)(p - r), 1);
	ht_close();
	ht_state = HT_DONE;
	OUNCE_HEAPTRACE_UNLOCK(s);
}

/* At exit, when the C library runs destructors (newlib's exit does, through
 * __libc_fini_array, when the startup code registered it). */
__attribute__((destructor)) static void
ounce_heaptrace_at_exit(void)
{
	ounce_heaptrace_end();
}
