/* port_exit on the MPS2 images: semihosting, after the UART has drained. */
#include "mps2.h"
#include "port.h"
#include "semihosting.h"

void port_exit(int status)
{
	mps2_uart_drain();
	semihosting_exit(status);
}

static void fault_exit(void)
{
	port_exit(SEMIHOSTING_FAULT_EXIT_STATUS);
}

void HardFault_Handler(void) __attribute__((alias("fault_exit")));
void MemManage_Handler(void) __attribute__((alias("fault_exit")));
void BusFault_Handler(void) __attribute__((alias("fault_exit")));
void UsageFault_Handler(void) __attribute__((alias("fault_exit")));
