/*
 * The stm32f4 port's board facts for QEMU 7.2's netduinoplus2 (STM32F405,
 * Cortex-M4F), in place of ports/stm32f4/stm32f4_board.h.
 */
#ifndef FW_STM32F4_BOARD_H
#define FW_STM32F4_BOARD_H

#define STM32F4_BOARD_PORT_NAME "stm32f4-netduinoplus2"

/* QEMU connects its first -serial to USART1 (serial_hd(0) in
 * hw/arm/stm32f405_soc.c; USART2 gets the second). PA9 (TX) / PA10 (RX),
 * AF7, are USART1's pins on the chip; QEMU does not model the GPIOs. */
#define STM32F4_BOARD_CONSOLE_USART  1
#define STM32F4_BOARD_CONSOLE_TX_PIN 9u
#define STM32F4_BOARD_CONSOLE_RX_PIN 10u

/* DMA1 and DMA2 are unimplemented devices in QEMU 7.2 (they read as 0), so
 * the receive path polls; QEMU holds input back until it is read, so the
 * polled path loses nothing (usart.c). */
#define STM32F4_BOARD_CONSOLE_RX_DMA 0

#endif
