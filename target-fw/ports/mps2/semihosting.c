/*
 * port_exit under QEMU: semihosting, after the port's UART has drained
 * (port_drain.h). Shared by every emulated port (port.mk: mps2/semihosting.c).
 */
#include "port.h"
#include "port_drain.h"
#include "semihosting.h"

void port_exit(int status)
{
	port_uart_drain();
	semihosting_exit(status);
}

static void fault_exit(void)
{
	port_exit(SEMIHOSTING_FAULT_EXIT_STATUS);
}

/* ARMv6-M escalates every fault to HardFault; the other three are then
 * never taken. */
void HardFault_Handler(void) __attribute__((alias("fault_exit")));
void MemManage_Handler(void) __attribute__((alias("fault_exit")));
void BusFault_Handler(void) __attribute__((alias("fault_exit")));
void UsageFault_Handler(void) __attribute__((alias("fault_exit")));
