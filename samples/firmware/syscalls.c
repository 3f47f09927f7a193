/* syscalls.c: what the C library needs from the board. Output goes to UART0,
 * memory comes from the heap reservation firmware.ld declares, and the program
 * ends through semihosting, which ends qemu with the program's status.
 *
 * newlib and newlib-nano call the _-prefixed stubs (_write, _sbrk, ...);
 * picolibc writes through a FILE whose put function is given here, and its
 * malloc calls sbrk. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uart.h"

/* from firmware.ld */
extern char __heap_start[], __heap_end[];

/* semihosting: the operation in r0, its argument in r1, then BKPT 0xAB (the
 * Thumb form); the debugger or emulator answers in r0 */
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int
semihost_call(int op, void *arg)
{
	register int r0 __asm__("r0") = op;
	register void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void
_exit(int status)
{
	/* SYS_EXIT_EXTENDED carries the status (plain SYS_EXIT on 32-bit ARM only
	 * says "exit" or "error"); qemu exits with it */
	uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};

	semihost_call(SYS_EXIT_EXTENDED, block);
	for (;;) {
	}
}

static char *heap_top = __heap_start;

static void *
heap_grow(intptr_t incr)
{
	char *old = heap_top;

	if (incr > __heap_end - heap_top || incr < __heap_start - heap_top) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_top += incr;
	return old;
}

#ifdef __PICOLIBC__

void *
sbrk(ptrdiff_t incr)
{
	return heap_grow(incr);
}

static int
stdio_put(char c, FILE *f)
{
	(void)f;
	uart_putc(c);
	return (unsigned char)c;
}

static FILE stdio_uart = FDEV_SETUP_STREAM(stdio_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &stdio_uart;
FILE *const stdout = &stdio_uart;
FILE *const stderr = &stdio_uart;

#else /* newlib, newlib-nano */

void *
_sbrk(ptrdiff_t incr)
{
	return heap_grow(incr);
}

int
_write(int fd, const char *buf, int len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	uart_write(buf, (unsigned)len);
	return len;
}

int
_read(int fd, char *buf, int len)
{
	(void)fd, (void)buf, (void)len;
	return 0; /* no input: end of file */
}

int
_close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

int
_fstat(int fd, struct stat *st)
{
	(void)fd;
	st->st_mode = S_IFCHR;
	return 0;
}

int
_isatty(int fd)
{
	return fd >= 0 && fd <= 2;
}

int
_lseek(int fd, int off, int whence)
{
	(void)fd, (void)off, (void)whence;
	errno = ESPIPE;
	return -1;
}

int
_getpid(void)
{
	return 1;
}

int
_kill(int pid, int sig)
{
	(void)pid;
	_exit(128 + sig);
}

#endif
