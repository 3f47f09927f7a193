/* uart.c: UART0 of the LM3S6965 (a PL011 at 0x4000C000), polled: no interrupts,
 * no buffer. 115200 8N1 from the evaluation board's 8 MHz crystal (qemu ignores
 * the divisor, real hardware does not). */
#include <stdint.h>

#include "uart.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

/* system control: run-mode clock gating */
#define SYSCTL_RCGC1 REG(0x400FE104) /* bit 0: UART0 */
#define SYSCTL_RCGC2 REG(0x400FE108) /* bit 0: GPIO port A */

/* GPIO port A: PA0 is U0Rx, PA1 is U0Tx */
#define GPIOA_AFSEL REG(0x40004420)
#define GPIOA_DEN REG(0x4000451C)

#define UART0_BASE 0x4000C000u
#define UART_DR REG(UART0_BASE + 0x000)
#define UART_FR REG(UART0_BASE + 0x018)
#define UART_IBRD REG(UART0_BASE + 0x024)
#define UART_FBRD REG(UART0_BASE + 0x028)
#define UART_LCRH REG(UART0_BASE + 0x02C)
#define UART_CR REG(UART0_BASE + 0x030)

#define UART_FR_TXFF (1u << 5)	 /* transmit FIFO full */
#define UART_FR_BUSY (1u << 3)	 /* still sending */
#define UART_LCRH_WLEN8 (3u << 5) /* 8 data bits */
#define UART_LCRH_FEN (1u << 4)	 /* FIFOs on */
#define UART_CR_UARTEN (1u << 0)
#define UART_CR_TXE (1u << 8)
#define UART_CR_RXE (1u << 9)

void
uart_init(void)
{
	SYSCTL_RCGC1 |= 1u;
	SYSCTL_RCGC2 |= 1u;
	/* a few cycles for the clocks to start before the registers are touched */
	(void)SYSCTL_RCGC2;
	(void)SYSCTL_RCGC2;
	GPIOA_AFSEL |= 3u;
	GPIOA_DEN |= 3u;

	UART_CR = 0;
	/* 8 MHz / (16 * 115200) = 4.340: integer 4, fraction 0.340 * 64 = 22 */
	UART_IBRD = 4;
	UART_FBRD = 22;
	UART_LCRH = UART_LCRH_WLEN8 | UART_LCRH_FEN;
	UART_CR = UART_CR_UARTEN | UART_CR_TXE | UART_CR_RXE;
}

void
uart_putc(char c)
{
	while (UART_FR & UART_FR_TXFF) {
	}
	UART_DR = (unsigned char)c;
}

void
uart_write(const char *buf, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		uart_putc(buf[i]);
	}
	/* everything out before the caller goes on (to exit, say) */
	while (UART_FR & UART_FR_BUSY) {
	}
}
