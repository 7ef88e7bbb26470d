/* port_exit on the micro:bit under QEMU: semihosting, after the UART has drained. */
#include "nrf51.h"
#include "port.h"
#include "semihosting.h"

void port_exit(int status)
{
	nrf51_uart_drain();
	semihosting_exit(status);
}

static void fault_exit(void)
{
	port_exit(SEMIHOSTING_FAULT_EXIT_STATUS);
}

/* ARMv6-M escalates every fault to HardFault. */
void HardFault_Handler(void) __attribute__((alias("fault_exit")));
