/*
 * STM32F446RE on a NUCLEO-F446RE, running on the 16 MHz HSI it resets to.
 * Written from the reference manual (RM0390) and not yet run on hardware.
 */
#include "cortex_m.h"
#include "port.h"
#include "stm32f4.h"

void port_init(void)
{
	stm32f4_usart_init();
	stm32f4_counter_init();
}

uint32_t port_clock_hz(void)
{
	return STM32F4_HSI_HZ;
}

const char *port_name(void)
{
	return "stm32f4";
}

/* A real board has no host to report a status to: send the last reply
 * out, then reset, so the board is ready for the next run. */
void port_exit(int status)
{
	(void)status;
	stm32f4_usart_drain();
	cortex_m_dsb();
	SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
	cortex_m_dsb();
	for (;;) {
	}
}
