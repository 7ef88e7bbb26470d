/* port_exit on QEMU's netduinoplus2: semihosting, after the USART has drained. */
#include "port.h"
#include "semihosting.h"
#include "stm32f4.h"

void port_exit(int status)
{
	stm32f4_usart_drain();
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
