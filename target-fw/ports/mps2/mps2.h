/*
 * What the files of the MPS2 port share: the board's clock and the entry
 * points of its parts (UART, SysTick counter), called from board.c.
 */
#ifndef FW_MPS2_H
#define FW_MPS2_H

/* In angle brackets: the include path, where a port reusing these files puts
 * its own folder first, decides which image this is, not the folder of this
 * file (which quotes would search first). */
#include <mps2_image.h>

/* The CPU and SysTick clock of the image. */
#define MPS2_CLOCK_HZ  MPS2_IMAGE_CPU_HZ
#define MPS2_UART_BAUD 115200u

void mps2_uart_init(void);

/* port_uart_drain waits until the last byte written has left the UART's
 * holding register. */
#include "port_drain.h" /* port_uart_drain */

/* Starts SysTick and calibrates instructions per tick. */
void mps2_counter_init(void);

/* Drives the window marker (window_marker.c) low. */
void mps2_window_marker_init(void);

#endif
