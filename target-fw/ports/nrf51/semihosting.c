/*
 * Stopping QEMU through ARM semihosting (-semihosting-config enable=on),
 * as on the mps2 port: SYS_EXIT_EXTENDED passes any exit status. BKPT
 * 0xAB is the M-profile semihosting call on ARMv6-M too.
 */
#include <stdint.h>

#include "nrf51.h"
#include "port.h"

#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT  0x20026u
/* QEMU's status when the firmware faults (EX_SOFTWARE), as on mps2. */
#define NRF51_FAULT_EXIT_STATUS 70

void port_exit(int status)
{
	uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};

	/* The reply to MSG_EXIT must be out before QEMU goes away. */
	nrf51_uart_drain();
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
	port_exit(NRF51_FAULT_EXIT_STATUS);
}

/* ARMv6-M escalates every fault to HardFault. */
void HardFault_Handler(void) __attribute__((alias("fault_exit")));
