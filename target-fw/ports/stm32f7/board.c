/*
 * The STM32F746G-DISCO (STM32F746NG, Cortex-M7 at 216 MHz): clocks, the
 * caches, USART1 to the ST-LINK, the DWT cycle counter
 * (shared/counter_dwt.c) and the window marker. Written from RM0385;
 * compile-only so far.
 */
#include "cortex_m.h"
#include "dwt_counter.h"
#include "port.h"
#include "stm32f7.h"

/* The window marker on PI3: Arduino D7 of the DISCO's CN4. */
#define RCC_AHB1ENR	    CORTEX_M_REGISTER(0x40023800u + 0x30u)
#define RCC_AHB1ENR_GPIOIEN (1u << 8)
#define GPIOI_MODER	    CORTEX_M_REGISTER(0x40022000u + 0x00u)
#define GPIOI_BSRR	    CORTEX_M_REGISTER(0x40022000u + 0x18u)
#define WINDOW_MARKER_PIN   3u
#define GPIO_MODE_OUTPUT    1u

void port_window_marker(int high)
{
	GPIOI_BSRR = high ? 1u << WINDOW_MARKER_PIN : 1u << (WINDOW_MARKER_PIN + 16u);
}

void port_init(void)
{
	stm32f7_clock_init();
	stm32f7_caches_enable();
	stm32f7_usart_init();
	dwt_counter_init();
	RCC_AHB1ENR |= RCC_AHB1ENR_GPIOIEN;
	(void)RCC_AHB1ENR;
	port_window_marker(0);
	GPIOI_MODER = (GPIOI_MODER & ~(3u << (2u * WINDOW_MARKER_PIN))) |
		      GPIO_MODE_OUTPUT << (2u * WINDOW_MARKER_PIN);
}

uint32_t port_clock_hz(void)
{
	return STM32F7_CLOCK_HZ;
}

const char *port_name(void)
{
	return "stm32f7";
}
