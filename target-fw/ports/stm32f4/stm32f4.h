/*
 * What the files of the STM32F4 port share: the clock it runs at and the
 * entry points of its parts, called from board.c.
 */
#ifndef FW_STM32F4_H
#define FW_STM32F4_H

/* The internal RC oscillator the part starts on; no PLL is set up, so the
 * core, AHB and APB1 all run at this rate. */
#define STM32F4_HSI_HZ	  16000000u
#define STM32F4_UART_BAUD 115200u

/* USART2 on PA2 (TX) / PA3 (RX): the ST-LINK virtual COM port on Nucleo-64.
 * Receive runs through DMA1 stream 5 into a ring (usart.c). */
void stm32f4_usart_init(void);

/* Waits until the last byte written has left the transmit shift register. */
void stm32f4_usart_drain(void);

void stm32f4_counter_init(void);

/* Keeps the 64-bit extension of the cycle counter current while idle. */
void stm32f4_counter_poll(void);

#endif
