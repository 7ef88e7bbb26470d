/*
 * The BBC micro:bit (nRF51822, Cortex-M0) as QEMU's microbit machine
 * emulates it. The core runs from reset on the 16 MHz RC oscillator, so no
 * clock set-up; timing comes from SysTick, as ARMv6-M has no DWT.
 */
#include "cortex_m.h"
#include "nrf51.h"
#include "port.h"

/* The window marker on P0.03 (the micro:bit's edge pad 0). QEMU models the
 * nRF51 GPIO, though no pin leaves the emulator. */
#define GPIO_BASE	  0x50000000u
#define GPIO_OUTSET	  CORTEX_M_REGISTER(GPIO_BASE + 0x508u)
#define GPIO_OUTCLR	  CORTEX_M_REGISTER(GPIO_BASE + 0x50Cu)
#define GPIO_DIRSET	  CORTEX_M_REGISTER(GPIO_BASE + 0x518u)
#define WINDOW_MARKER_PIN (1u << 3)

void port_init(void)
{
	nrf51_uart_init();
	mps2_counter_init();
	GPIO_OUTCLR = WINDOW_MARKER_PIN;
	GPIO_DIRSET = WINDOW_MARKER_PIN;
}

void port_window_marker(int high)
{
	if (high)
		GPIO_OUTSET = WINDOW_MARKER_PIN;
	else
		GPIO_OUTCLR = WINDOW_MARKER_PIN;
}

uint32_t port_clock_hz(void)
{
	return NRF51_CLOCK_HZ;
}

const char *port_name(void)
{
	return "nrf51";
}
