/*
 * port_exit on a real board: no host to report a status to. Shared by the
 * real-board ports (port.mk: shared/reset.c): the console drained, then
 * the system reset of common/reset_cortex_m.c, so the board is ready for
 * the next run.
 */
#include "port.h"
#include "port_drain.h"

void port_exit(int status)
{
	(void)status;
	port_uart_drain();
	port_reset();
}
