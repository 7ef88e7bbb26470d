/*
 * The board the stm32f4 port's files are built for: NUCLEO-F446RE. Another
 * STM32F4 board reuses the files through a port of its own (port.mk's
 * PORT_SHARED) whose folder holds a header of this name, found first on the
 * include path (ports/stm32f4-netduinoplus2/stm32f4_board.h).
 */
#ifndef FW_STM32F4_BOARD_H
#define FW_STM32F4_BOARD_H

/* What port_name() reports: the port folder the profile names. */
#define STM32F4_BOARD_PORT_NAME "stm32f4"

/* The console: USART2 on PA2 (TX) / PA3 (RX), alternate function 7, wired
 * to the ST-LINK's virtual COM port on every Nucleo-64. usart.c knows the
 * registers, bus clock and interrupt of USART1 and USART2. */
#define STM32F4_BOARD_CONSOLE_USART  2
#define STM32F4_BOARD_CONSOLE_TX_PIN 2u
#define STM32F4_BOARD_CONSOLE_RX_PIN 3u

/* 1: receive through DMA into a ring, so bytes the host sends while an
 * inference runs are kept (usart.c). 0: poll the data register, which only
 * an emulator that holds input back until it is read makes lossless. */
#define STM32F4_BOARD_CONSOLE_RX_DMA 1

#endif
