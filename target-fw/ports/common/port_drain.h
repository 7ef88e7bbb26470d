/*
 * The hook the shared ways of ending a run (mps2/semihosting.c on the
 * emulated ports, shared/reset.c on the real boards) call in the port they
 * are built into: its console's drain, so the reply to MSG_EXIT is on the
 * wire before the target stops.
 */
#ifndef FW_PORT_DRAIN_H
#define FW_PORT_DRAIN_H

/* Waits until the last byte written has left the UART's transmitter. */
void port_uart_drain(void);

#endif
