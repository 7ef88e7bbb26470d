/*
 * The NUCLEO-L4R5ZI (STM32L4R5ZI, Cortex-M4F): the clock tree to 120 MHz,
 * LPUART1 to the ST-LINK, the DWT cycle counter (shared/counter_dwt.c)
 * and the window marker. Written from RM0432; compile-only so far.
 */
#include "cortex_m.h"
#include "dwt_counter.h"
#include "port.h"
#include "stm32l4r5.h"

/* The window marker on PF13: Arduino D7 of the Zio connector (CN10), the
 * pin the MLPerf Tiny reference firmware timestamps on (mbed's D7). */
#define RCC_AHB2ENR	    CORTEX_M_REGISTER(0x40021000u + 0x4Cu)
#define RCC_AHB2ENR_GPIOFEN (1u << 5)
#define GPIOF_MODER	    CORTEX_M_REGISTER(0x48001400u + 0x00u)
#define GPIOF_BSRR	    CORTEX_M_REGISTER(0x48001400u + 0x18u)
#define WINDOW_MARKER_PIN   13u
#define GPIO_MODE_OUTPUT    1u

void port_window_marker(int high)
{
	GPIOF_BSRR = high ? 1u << WINDOW_MARKER_PIN : 1u << (WINDOW_MARKER_PIN + 16u);
}

void port_init(void)
{
	stm32l4r5_clock_init();
	stm32l4r5_lpuart_init();
	dwt_counter_init();
	RCC_AHB2ENR |= RCC_AHB2ENR_GPIOFEN;
	(void)RCC_AHB2ENR;
	port_window_marker(0);
	GPIOF_MODER = (GPIOF_MODER & ~(3u << (2u * WINDOW_MARKER_PIN))) |
		      GPIO_MODE_OUTPUT << (2u * WINDOW_MARKER_PIN);
}

uint32_t port_clock_hz(void)
{
	return STM32L4R5_CLOCK_HZ;
}

const char *port_name(void)
{
	return "stm32l4r5";
}
