/*
 * The facts of the rp2040 port (Raspberry Pi Pico: RP2040, Cortex-M0+) and
 * the entry points its files share. Registers from the RP2040 datasheet
 * (build-date 2023 edition); not yet run on hardware.
 */
#ifndef FW_RP2040_H
#define FW_RP2040_H

#include "cortex_m.h"

/* clk_sys from PLL_SYS: the 12 MHz crystal / 1 x 125 = 1500 MHz VCO, / 6
 * / 2 = 125 MHz; clk_peri (the UART's) runs from clk_sys. */
#define RP2040_CLOCK_HZ 125000000u

/* UART0 on GP0 (TX, Pico pin 1) / GP1 (RX, pin 2), to a USB serial bridge
 * (the Raspberry Pi Debug Probe's UART). boards/pico.json's console.baud
 * says why this rate. */
#define RP2040_CONSOLE_BAUD 921600u

/* Subsystem resets (2.14): a block stays in reset until released. */
#define RESETS_BASE	  0x4000C000u
#define RESETS_RESET_CLR  CORTEX_M_REGISTER(RESETS_BASE + 0x3000u) /* atomic clear alias */
#define RESETS_RESET_DONE CORTEX_M_REGISTER(RESETS_BASE + 0x08u)
#define RESETS_DMA	  (1u << 2)
#define RESETS_IO_BANK0	  (1u << 5)
#define RESETS_PADS_BANK0 (1u << 8)
#define RESETS_PLL_SYS	  (1u << 12)
#define RESETS_UART0	  (1u << 22)

/* Takes the blocks in `mask` out of reset and waits until they are. */
static inline void rp2040_unreset(uint32_t mask)
{
	RESETS_RESET_CLR = mask;
	while ((RESETS_RESET_DONE & mask) != mask) {
	}
}

#define IO_BANK0_GPIO_CTRL(pin) CORTEX_M_REGISTER(0x40014000u + 0x04u + 8u * (pin))
#define PADS_BANK0_GPIO(pin)	CORTEX_M_REGISTER(0x4001C000u + 0x04u + 4u * (pin))

/* clk_sys to RP2040_CLOCK_HZ (clock.c). */
void rp2040_clock_init(void);

/* UART0 with DMA receive into a ring (uart.c). */
void rp2040_uart_init(void);

/* SysTick on the processor clock (counter_systick.c). */
void rp2040_counter_init(void);

#endif
