/*
 * The Raspberry Pi Pico (RP2040, Cortex-M0+ at 125 MHz): clocks, UART0,
 * the SysTick counter and the window marker; boot2 (boot2/) runs before
 * all of this. Only core 0 runs; core 1 stays asleep in the bootrom.
 * Written from the RP2040 datasheet; compile-only so far.
 */
#include "port.h"
#include "rp2040.h"

/* The window marker on GP2 (Pico pin 4), driven through SIO. */
#define SIO_GPIO_OUT_SET  CORTEX_M_REGISTER(0xD0000000u + 0x014u)
#define SIO_GPIO_OUT_CLR  CORTEX_M_REGISTER(0xD0000000u + 0x018u)
#define SIO_GPIO_OE_SET	  CORTEX_M_REGISTER(0xD0000000u + 0x024u)
#define WINDOW_MARKER_PIN 2u
#define FUNCSEL_SIO	  5u

void port_window_marker(int high)
{
	if (high)
		SIO_GPIO_OUT_SET = 1u << WINDOW_MARKER_PIN;
	else
		SIO_GPIO_OUT_CLR = 1u << WINDOW_MARKER_PIN;
}

void port_init(void)
{
	rp2040_clock_init();
	rp2040_uart_init(); /* takes IO_BANK0 out of reset */
	rp2040_counter_init();
	SIO_GPIO_OUT_CLR = 1u << WINDOW_MARKER_PIN;
	SIO_GPIO_OE_SET = 1u << WINDOW_MARKER_PIN;
	IO_BANK0_GPIO_CTRL(WINDOW_MARKER_PIN) = FUNCSEL_SIO;
}

uint32_t port_clock_hz(void)
{
	return RP2040_CLOCK_HZ;
}

const char *port_name(void)
{
	return "rp2040";
}
