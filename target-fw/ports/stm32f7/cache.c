/*
 * The Cortex-M7's L1 caches (Cortex-M7 TRM 5.3 and the ARMv7-M ARM B3.2:
 * CCR.IC/DC, ICIALLU, DCISW, DCIMVAC): both invalidated, then enabled. The
 * data cache is write-back on the default memory map's SRAM, so memory a
 * DMA writes is invalidated before the core reads it (usart.c).
 */
#include "cortex_m.h"
#include "stm32f7.h"

#define SCB_CCR	    CORTEX_M_REGISTER(0xE000ED14u)
#define SCB_CCSIDR  CORTEX_M_REGISTER(0xE000ED80u)
#define SCB_CSSELR  CORTEX_M_REGISTER(0xE000ED84u)
#define SCB_ICIALLU CORTEX_M_REGISTER(0xE000EF50u)
#define SCB_DCIMVAC CORTEX_M_REGISTER(0xE000EF5Cu)
#define SCB_DCISW   CORTEX_M_REGISTER(0xE000EF60u)
#define SCB_CCR_DC  (1u << 16)
#define SCB_CCR_IC  (1u << 17)
/* The M7's data cache: 32-byte lines (set index from bit 5), 4 ways (way
 * index in bits 31:30). */
#define DCACHE_LINE  32u
#define DCISW_SET(s) ((uint32_t)(s) << 5)
#define DCISW_WAY(w) ((uint32_t)(w) << 30)

void stm32f7_caches_enable(void)
{
	uint32_t ccsidr, sets, ways;

	cortex_m_dsb();
	cortex_m_isb();
	SCB_ICIALLU = 0;
	cortex_m_dsb();
	cortex_m_isb();
	SCB_CCR |= SCB_CCR_IC;
	cortex_m_dsb();
	cortex_m_isb();

	SCB_CSSELR = 0; /* level 1 data cache */
	cortex_m_dsb();
	ccsidr = SCB_CCSIDR;
	sets = (ccsidr >> 13) & 0x7FFFu;
	ways = (ccsidr >> 3) & 0x3FFu;
	for (uint32_t set = 0; set <= sets; set++)
		for (uint32_t way = 0; way <= ways; way++)
			SCB_DCISW = DCISW_SET(set) | DCISW_WAY(way);
	cortex_m_dsb();
	SCB_CCR |= SCB_CCR_DC;
	cortex_m_dsb();
	cortex_m_isb();
}

void stm32f7_dcache_invalidate_line(const volatile void *address)
{
	SCB_DCIMVAC = (uint32_t)(uintptr_t)address & ~(DCACHE_LINE - 1u);
	cortex_m_dsb();
}
