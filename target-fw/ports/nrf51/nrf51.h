/*
 * What the files of the nRF51 port share: the clock, the UART's drain for
 * the exit, and the SysTick counter it borrows from the mps2 port.
 */
#ifndef FW_NRF51_H
#define FW_NRF51_H

/* The 16 MHz HFCLK (the RC oscillator runs from reset) clocks the core. */
#define NRF51_CLOCK_HZ	16000000u
#define NRF51_UART_BAUD 115200u

void nrf51_uart_init(void);

/* port_uart_drain waits until the last byte written has left the UART. */
#include "port_drain.h" /* port_uart_drain */

/* ports/mps2/counter_systick.c, built into this port by port.mk: starts
 * SysTick and calibrates instructions per tick. */
void mps2_counter_init(void);

#endif
