/*
 * Stopping QEMU through ARM semihosting (-semihosting-config enable=on), for
 * the emulated ports: SYS_EXIT_EXTENDED passes any exit status, where plain
 * SYS_EXIT on AArch32 only tells success from failure. BKPT 0xAB is the
 * M-profile semihosting call on every core, ARMv6-M included.
 */
#ifndef FW_SEMIHOSTING_H
#define FW_SEMIHOSTING_H

#include <stdint.h>

#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT  0x20026u
/* QEMU's status when the firmware faults: EX_SOFTWARE of sysexits.h, so a
 * crash ends the run at once instead of after the host's timeout. */
#define SEMIHOSTING_FAULT_EXIT_STATUS 70

/* Ends the emulation with `status`; the caller drains its UART first, so
 * the reply to MSG_EXIT is out before QEMU goes away. */
__attribute__((noreturn)) static inline void semihosting_exit(int status)
{
	uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};

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

#endif
