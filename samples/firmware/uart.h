/* uart.h: a polled driver for UART0 of the LM3S6965 (an ARM PL011). */
#ifndef UART_H
#define UART_H

void uart_init(void);
void uart_putc(char c);
void uart_write(const char *buf, unsigned len);

#endif
