/*
 * The facts of the nrf52840 port (nRF52840-DK, PCA10056: nRF52840,
 * Cortex-M4F) and the entry points its files share. Registers from the
 * nRF52840 Product Specification v1.7; not yet run on hardware.
 */
#ifndef FW_NRF52840_H
#define FW_NRF52840_H

/* The CPU always runs at 64 MHz; board.c starts the 32 MHz crystal
 * oscillator (HFXO) the PLL then runs from, for an accurate UART clock. */
#define NRF52840_CLOCK_HZ 64000000u

/* UARTE0 on P0.06 (TX) / P0.08 (RX), the DK's wiring to the interface
 * MCU's virtual COM port. boards/nrf52840dk.json's console.baud says why
 * this rate; uarte.c's BAUDRATE value must match it. */
#define NRF52840_CONSOLE_BAUD 1000000u

/* UARTE0 with EasyDMA receive into a ring (uarte.c). */
void nrf52840_uarte_init(void);

#endif
