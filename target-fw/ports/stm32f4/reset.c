/* port_exit on a real STM32F4 board: no host to report a status to. */
#include "cortex_m.h"
#include "port.h"
#include "stm32f4.h"

/* Sends the last reply out, then resets, so the board is ready for the
 * next run. */
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
