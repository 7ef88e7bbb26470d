/*
 * The facts of the stm32f7 port (STM32F746G-DISCO: STM32F746NG,
 * Cortex-M7 with 4 KiB instruction and data caches) and the entry points
 * its files share. Registers from the reference manual RM0385 and the
 * Cortex-M7 Technical Reference Manual; not yet run on hardware.
 */
#ifndef FW_STM32F7_H
#define FW_STM32F7_H

/* SYSCLK = HCLK 216 MHz (the part's maximum, with over-drive), from the PLL
 * on the 16 MHz HSI; APB2 (USART1) at 108 MHz, APB1 at 54 MHz. */
#define STM32F7_CLOCK_HZ 216000000u
#define STM32F7_APB2_HZ	 (STM32F7_CLOCK_HZ / 2u)

/* USART1 on PA9 (TX) / PB7 (RX), the DISCO's wiring to the ST-LINK/V2-1
 * virtual COM port. boards/disco-f746.json's console.baud says why. */
#define STM32F7_CONSOLE_BAUD 921600u

/* Clock tree, over-drive and flash wait states (clock.c). */
void stm32f7_clock_init(void);

/* The L1 instruction and data caches on (cache.c). */
void stm32f7_caches_enable(void);

/* Invalidates the data cache line holding `address`, so the next read
 * comes from RAM (a DMA's write). */
void stm32f7_dcache_invalidate_line(const volatile void *address);

/* USART1 with DMA receive into a ring (usart.c). */
void stm32f7_usart_init(void);

#endif
