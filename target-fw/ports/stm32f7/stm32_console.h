/* The console instance for shared/stm32_usart_tx.c: USART1 (RM0385 2.2.2). */
#ifndef FW_STM32_CONSOLE_H
#define FW_STM32_CONSOLE_H

#define STM32_CONSOLE_BASE 0x40011000u

#endif
