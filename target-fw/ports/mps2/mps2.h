/*
 * What the files of the MPS2 port share: the board's clock and the entry
 * points of its parts (UART, SysTick counter), called from board.c.
 */
#ifndef FW_MPS2_H
#define FW_MPS2_H

/* QEMU clocks the CPU and SysTick of AN385, AN386 and AN500 at 25 MHz. */
#define MPS2_CLOCK_HZ  25000000u
#define MPS2_UART_BAUD 115200u

void mps2_uart_init(void);

/* Waits until the last byte written has left the UART's holding register. */
void mps2_uart_drain(void);

/* Starts SysTick and calibrates instructions per tick. */
void mps2_counter_init(void);

#endif
