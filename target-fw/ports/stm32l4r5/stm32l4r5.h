/*
 * The facts of the stm32l4r5 port (NUCLEO-L4R5ZI, STM32L4R5ZI, Cortex-M4F)
 * and the entry points its files share. Registers from the reference
 * manual RM0432 (STM32L4+ series); not yet run on hardware.
 */
#ifndef FW_STM32L4R5_H
#define FW_STM32L4R5_H

/* SYSCLK = HCLK = PCLK1 = PCLK2: the PLL on the 16 MHz HSI, M 4, N 60,
 * R 2 (clock.c). 120 MHz is the part's maximum, in Range 1 boost mode. */
#define STM32L4R5_CLOCK_HZ 120000000u

/* LPUART1 on PG7 (TX) / PG8 (RX), wired to the ST-LINK/V2-1's virtual COM
 * port (UM2179, solder bridges SB130/SB131 closed as shipped).
 * boards/nucleo-l4r5zi.json's console.baud says why this rate. */
#define STM32L4R5_CONSOLE_BAUD 921600u

/* Sets the clock tree to STM32L4R5_CLOCK_HZ (clock.c). */
void stm32l4r5_clock_init(void);

/* LPUART1 with DMA receive into a ring (lpuart.c). */
void stm32l4r5_lpuart_init(void);

#endif
