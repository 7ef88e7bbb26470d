/*
 * The BBC micro:bit (nRF51822, Cortex-M0) as QEMU's microbit machine
 * emulates it. The core runs from reset on the 16 MHz RC oscillator, so no
 * clock set-up; timing comes from SysTick, as ARMv6-M has no DWT.
 */
#include "nrf51.h"
#include "port.h"

void port_init(void)
{
	nrf51_uart_init();
	mps2_counter_init();
}

uint32_t port_clock_hz(void)
{
	return NRF51_CLOCK_HZ;
}

const char *port_name(void)
{
	return "nrf51";
}
