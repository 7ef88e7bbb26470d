/*
 * The nRF52840-DK (PCA10056: nRF52840, Cortex-M4F at 64 MHz): the crystal
 * oscillator, UARTE0 to the interface MCU's virtual COM port, the DWT
 * cycle counter (shared/counter_dwt.c) and the window marker. Written
 * from the nRF52840 Product Specification v1.7; compile-only so far.
 */
#include "cortex_m.h"
#include "dwt_counter.h"
#include "nrf52840.h"
#include "port.h"

#define CLOCK_BASE		  0x40000000u
#define CLOCK_TASKS_HFCLKSTART	  CORTEX_M_REGISTER(CLOCK_BASE + 0x000u)
#define CLOCK_EVENTS_HFCLKSTARTED CORTEX_M_REGISTER(CLOCK_BASE + 0x100u)

/* The window marker on P1.08: Arduino D7 of the DK's header. */
#define GPIO_P1_BASE	  0x50000300u
#define GPIO_OUTSET	  CORTEX_M_REGISTER(GPIO_P1_BASE + 0x508u)
#define GPIO_OUTCLR	  CORTEX_M_REGISTER(GPIO_P1_BASE + 0x50Cu)
#define GPIO_DIRSET	  CORTEX_M_REGISTER(GPIO_P1_BASE + 0x518u)
#define WINDOW_MARKER_PIN (1u << 8)

void port_window_marker(int high)
{
	if (high)
		GPIO_OUTSET = WINDOW_MARKER_PIN;
	else
		GPIO_OUTCLR = WINDOW_MARKER_PIN;
}

/* HFXO: the 64 MHz clock then comes from the crystal instead of the RC
 * oscillator (6.4.2), which the UART's baud rate needs to be accurate. */
static void hfxo_start(void)
{
	CLOCK_EVENTS_HFCLKSTARTED = 0;
	CLOCK_TASKS_HFCLKSTART = 1;
	while (!CLOCK_EVENTS_HFCLKSTARTED) {
	}
}

void port_init(void)
{
	hfxo_start();
	dwt_counter_init(); /* the UARTE's receive path reads CYCCNT */
	nrf52840_uarte_init();
	GPIO_OUTCLR = WINDOW_MARKER_PIN;
	GPIO_DIRSET = WINDOW_MARKER_PIN;
}

uint32_t port_clock_hz(void)
{
	return NRF52840_CLOCK_HZ;
}

const char *port_name(void)
{
	return "nrf52840";
}
