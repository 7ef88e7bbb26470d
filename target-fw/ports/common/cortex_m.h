/*
 * Registers of the Cortex-M core itself (System Control Block, SysTick, debug
 * and trace), the same on every ARMv7-M part, and the few instructions the
 * ports need. Shared by the ports; the portable core never includes it.
 */
#ifndef FW_CORTEX_M_H
#define FW_CORTEX_M_H

#include <stdint.h>

#define CORTEX_M_REGISTER(address) (*(volatile uint32_t *)(address))

/* SysTick: a 24-bit down-counter. */
#define SYST_CSR		CORTEX_M_REGISTER(0xE000E010u)
#define SYST_RVR		CORTEX_M_REGISTER(0xE000E014u)
#define SYST_CVR		CORTEX_M_REGISTER(0xE000E018u)
#define SYST_CSR_ENABLE		(1u << 0)
#define SYST_CSR_TICKINT	(1u << 1)
#define SYST_CSR_CLKSOURCE_CORE (1u << 2)
#define SYST_MAX_RELOAD		0x00FFFFFFu

/* System Control Block. */
#define SCB_ICSR		 CORTEX_M_REGISTER(0xE000ED04u)
#define SCB_VTOR		 CORTEX_M_REGISTER(0xE000ED08u)
#define SCB_AIRCR		 CORTEX_M_REGISTER(0xE000ED0Cu)
#define SCB_CPACR		 CORTEX_M_REGISTER(0xE000ED88u)
#define SCB_ICSR_PENDSTSET	 (1u << 26)
#define SCB_AIRCR_VECTKEY	 (0x05FAu << 16)
#define SCB_AIRCR_SYSRESETREQ	 (1u << 2)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)

/* Debug and trace: the cycle counter (absent on ARMv6-M). */
#define DEMCR		   CORTEX_M_REGISTER(0xE000EDFCu)
#define DEMCR_TRCENA	   (1u << 24)
#define DWT_CTRL	   CORTEX_M_REGISTER(0xE0001000u)
#define DWT_CYCCNT	   CORTEX_M_REGISTER(0xE0001004u)
#define DWT_CTRL_CYCCNTENA (1u << 0)

static inline void cortex_m_dsb(void)
{
	__asm__ volatile("dsb" ::: "memory");
}

static inline void cortex_m_isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

/* Masks interrupts and returns the previous PRIMASK for the restore. */
static inline uint32_t cortex_m_interrupts_save(void)
{
	uint32_t primask;

	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	return primask;
}

static inline void cortex_m_interrupts_restore(uint32_t primask)
{
	__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

#endif
