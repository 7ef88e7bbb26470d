/*
 * Stopping QEMU through ARM semihosting (-semihosting-config enable=on):
 * SYS_EXIT_EXTENDED passes any exit status, where plain SYS_EXIT on AArch32
 * only tells success from failure.
 */
#include <stdint.h>

#include "mps2.h"
#include "port.h"

#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT  0x20026u
/* QEMU's status when the firmware faults: EX_SOFTWARE of sysexits.h, so a
 * crash ends the run at once instead of after the host's timeout. */
#define MPS2_FAULT_EXIT_STATUS 70

void port_exit(int status)
{
	uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};

	/* The reply to MSG_EXIT must be out before QEMU goes away. */
	mps2_uart_drain();
	/* Explicit moves rather than register variables: nothing between the
	 * set-up and the bkpt can then reuse r0 and r1. */
	__asm__ volatile("mov r0, %0\n\t"
			 "mov r1, %1\n\t"
			 "bkpt 0xab"
			 :
			 : "r"(SEMIHOSTING_SYS_EXIT_EXTENDED), "r"(block)
			 : "r0", "r1", "memory");
	/* Without a semihosting host, bkpt faults; a debugger would stop here. */
	for (;;) {
	}
}

static void fault_exit(void)
{
	port_exit(MPS2_FAULT_EXIT_STATUS);
}

void HardFault_Handler(void) __attribute__((alias("fault_exit")));
void MemManage_Handler(void) __attribute__((alias("fault_exit")));
void BusFault_Handler(void) __attribute__((alias("fault_exit")));
void UsageFault_Handler(void) __attribute__((alias("fault_exit")));
