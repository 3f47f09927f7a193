/* startup.c: the Cortex-M3 vector table and the reset handler, in C. The core
 * loads the initial stack pointer from word 0 of the table and jumps to the
 * reset handler from word 1; the handler copies .data (and picolibc's
 * thread-local block) from flash to RAM, zeroes .bss, runs the constructors,
 * starts the UART and calls main, whose status leaves through exit(). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uart.h"

int main(void);
void reset_handler(void);

/* from firmware.ld */
extern uint32_t __stack_top;
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss;
extern void (*__preinit_array_start[])(void), (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
#ifdef __PICOLIBC__
extern char __tls_base[];
void _set_tls(void *tls);
#endif

static void
fault_handler(void)
{
	static const char msg[] = "fault\n";

	uart_write(msg, sizeof(msg) - 1);
	_exit(70);
}

static void
default_handler(void)
{
	static const char msg[] = "unexpected interrupt\n";

	uart_write(msg, sizeof(msg) - 1);
	_exit(71);
}

#ifndef __PICOLIBC__
/* full newlib's exit() runs __libc_fini_array, which ends with _fini: crtn.o's,
 * which -nostartfiles leaves out; this program has nothing to run there */
void
_fini(void)
{
}
#endif

/* the 16 system exceptions of an ARMv7-M core; no device interrupt is enabled */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
	(void (*)(void))&__stack_top, /* initial main stack pointer */
	reset_handler,
	default_handler, /* NMI */
	fault_handler,	 /* HardFault */
	fault_handler,	 /* MemManage */
	fault_handler,	 /* BusFault */
	fault_handler,	 /* UsageFault */
	0,
	0,
	0,
	0,
	default_handler, /* SVCall */
	default_handler, /* DebugMonitor */
	0,
	default_handler, /* PendSV */
	default_handler, /* SysTick */
};

/* ounce's heap tracer (ounce heap mcu-source), when it is linked in: the trace
 * is ended before exit, as no destructor runs at exit here */
void ounce_heaptrace_end(void) __attribute__((weak));

void
reset_handler(void)
{
	int status;

	memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
	memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
#ifdef __PICOLIBC__
	/* errno is thread-local in picolibc: point the thread pointer at the block */
	_set_tls(__tls_base);
#endif
	for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; f++) {
		(*f)();
	}
	for (void (**f)(void) = __init_array_start; f < __init_array_end; f++) {
		(*f)();
	}
	uart_init();
	status = main();
	if (ounce_heaptrace_end) {
		ounce_heaptrace_end();
	}
	exit(status);
}
