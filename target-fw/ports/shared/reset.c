/*
 * port_exit on a real board: no host to report a status to. Shared by the
 * real-board ports (port.mk: shared/reset.c); SYSRESETREQ exists on every
 * Cortex-M, ARMv6-M included.
 */
#include "cortex_m.h"
#include "port.h"
#include "port_drain.h"

/* Sends the last reply out, then resets, so the board is ready for the
 * next run. */
void port_exit(int status)
{
	(void)status;
	port_uart_drain();
	cortex_m_dsb();
	SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
	cortex_m_dsb();
	for (;;) {
	}
}
