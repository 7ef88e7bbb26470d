/*
 * An STM32F4 (the NUCLEO-F446RE's STM32F446RE; the board is stm32f4_board.h)
 * running on the 16 MHz HSI it resets to: the port does not touch the
 * clock tree. Written from the reference manual (RM0390); run under QEMU
 * as its netduinoplus2 (STM32F405), not yet on hardware. How the port
 * ends a run is the board's: shared/reset.c here, semihosting under QEMU.
 */
#include "cortex_m.h"
#include "port.h"
#include "stm32f4.h"
/* In angle brackets: the include path, where a port reusing these files puts
 * its own folder first, decides which board this is (quotes would search
 * this folder first). */
#include <stm32f4_board.h>

/* The window marker on PA8: Arduino header D7 (CN9 pin 8), also ST morpho
 * CN10 pin 23 on the NUCLEO-F446RE. Wire it to the meter's logic input. */
#define RCC_AHB1ENR	    CORTEX_M_REGISTER(0x40023800u + 0x30u)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define GPIOA_MODER	    CORTEX_M_REGISTER(0x40020000u + 0x00u)
#define GPIOA_BSRR	    CORTEX_M_REGISTER(0x40020000u + 0x18u)
#define WINDOW_MARKER_PIN   8u
#define GPIO_MODE_OUTPUT    1u

static void window_marker_init(void)
{
	RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
	(void)RCC_AHB1ENR; /* the clock is on before the first GPIO access */
	GPIOA_BSRR = 1u << (WINDOW_MARKER_PIN + 16u);
	GPIOA_MODER = (GPIOA_MODER & ~(3u << (2u * WINDOW_MARKER_PIN))) |
		      GPIO_MODE_OUTPUT << (2u * WINDOW_MARKER_PIN);
}

/* BSRR sets or resets the pin in one write, so the edge is not delayed by
 * a read of the port. */
void port_window_marker(int high)
{
	GPIOA_BSRR = high ? 1u << WINDOW_MARKER_PIN : 1u << (WINDOW_MARKER_PIN + 16u);
}

void port_init(void)
{
	stm32f4_usart_init();
	stm32f4_counter_init();
	window_marker_init();
}

uint32_t port_clock_hz(void)
{
	return STM32F4_HSI_HZ;
}

const char *port_name(void)
{
	return STM32F4_BOARD_PORT_NAME;
}
