/*
 * What the files of the STM32F4 port share: the clock it runs at and the
 * entry points of its parts, called from board.c. Which USART is the
 * console, and how it receives, is the board's: stm32f4_board.h.
 */
#ifndef FW_STM32F4_H
#define FW_STM32F4_H

/* The internal RC oscillator the part starts on; no PLL is set up, so the
 * core, AHB, APB1 and APB2 all run at this rate. */
#define STM32F4_HSI_HZ	  16000000u
#define STM32F4_UART_BAUD 115200u

/* The console USART (stm32f4_board.h); receive through DMA into a ring, or
 * polled where there is no DMA (usart.c). */
void stm32f4_usart_init(void);

/* port_uart_drain (port_drain.h, usart.c) waits until the last byte written
 * has left the transmit shift register. */

/* Starts the tick counter: the DWT cycle counter (counter.c), or
 * SysTick where a port built on these files has no DWT. */
void stm32f4_counter_init(void);

/* Keeps a 64-bit extension of the counter current while idle, for a
 * counter that does not count its own wraps. */
void stm32f4_counter_poll(void);

#endif
