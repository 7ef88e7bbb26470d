/*
 * The STM32L4R5's clock tree to 120 MHz, from the 4 MHz MSI it resets to.
 * RM0432: 5.1.8 (dynamic voltage scaling: Range 1 boost mode above 80
 * MHz, and the sequence into it), 3.3.3 (flash wait states: 5 for HCLK up
 * to 120 MHz in Range 1 boost), 6.2.5 (PLL: VCO input 2.66 to 16 MHz,
 * VCO output 64 to 344 MHz) and 6.4 (RCC registers).
 */
#include "cortex_m.h"
#include "stm32l4r5.h"

#define RCC_BASE	   0x40021000u
#define RCC_CR		   CORTEX_M_REGISTER(RCC_BASE + 0x00u)
#define RCC_CFGR	   CORTEX_M_REGISTER(RCC_BASE + 0x08u)
#define RCC_PLLCFGR	   CORTEX_M_REGISTER(RCC_BASE + 0x0Cu)
#define RCC_APB1ENR1	   CORTEX_M_REGISTER(RCC_BASE + 0x58u)
#define RCC_CR_HSION	   (1u << 8)
#define RCC_CR_HSIRDY	   (1u << 10)
#define RCC_CR_PLLON	   (1u << 24)
#define RCC_CR_PLLRDY	   (1u << 25)
#define RCC_CFGR_SW_MASK   3u
#define RCC_CFGR_SW_PLL	   3u
#define RCC_CFGR_SWS_PLL   (3u << 2)
#define RCC_CFGR_SWS_MASK  (3u << 2)
#define RCC_CFGR_HPRE_MASK (0xFu << 4)
#define RCC_CFGR_HPRE_DIV2 (0x8u << 4)
#define RCC_APB1ENR1_PWREN (1u << 28)

/* PLL: HSI16 / M 4 = 4 MHz into the VCO, x N 60 = 240 MHz, / R 2 = 120 MHz. */
#define PLL_SOURCE_HSI16 2u
#define PLL_M		 4u
#define PLL_N		 60u
#define PLLCFGR_VALUE                                                                              \
	(PLL_SOURCE_HSI16 | (PLL_M - 1u) << 4 | PLL_N << 8 | 0u << 25 /* R = 2 */ |                \
	 1u << 24 /* PLLREN */)

#define PWR_BASE	   0x40007000u
#define PWR_CR1		   CORTEX_M_REGISTER(PWR_BASE + 0x00u)
#define PWR_SR2		   CORTEX_M_REGISTER(PWR_BASE + 0x14u)
#define PWR_CR5		   CORTEX_M_REGISTER(PWR_BASE + 0x80u)
#define PWR_CR1_VOS_MASK   (3u << 9)
#define PWR_CR1_VOS_RANGE1 (1u << 9)
#define PWR_SR2_VOSF	   (1u << 10)
#define PWR_CR5_R1MODE	   (1u << 8) /* 1: Range 1 normal, 0: Range 1 boost */

#define FLASH_ACR	       CORTEX_M_REGISTER(0x40022000u)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_WAIT_STATES      5u
#define FLASH_ACR_PRFTEN       (1u << 8)
#define FLASH_ACR_ICEN	       (1u << 9)
#define FLASH_ACR_DCEN	       (1u << 10)

void stm32l4r5_clock_init(void)
{
	RCC_APB1ENR1 |= RCC_APB1ENR1_PWREN;
	(void)RCC_APB1ENR1; /* the clock reaches PWR before the first access */

	RCC_CR |= RCC_CR_HSION;
	while (!(RCC_CR & RCC_CR_HSIRDY)) {
	}

	/* Into Range 1 boost (5.1.8): HCLK halved before the faster clock
	 * comes, R1MODE cleared, Range 1 selected and settled. */
	RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_HPRE_MASK) | RCC_CFGR_HPRE_DIV2;
	PWR_CR5 &= ~PWR_CR5_R1MODE;
	PWR_CR1 = (PWR_CR1 & ~PWR_CR1_VOS_MASK) | PWR_CR1_VOS_RANGE1;
	while (PWR_SR2 & PWR_SR2_VOSF) {
	}

	/* Wait states before the clock rises; read back until they apply. */
	FLASH_ACR = (FLASH_ACR & ~FLASH_ACR_LATENCY_MASK) | FLASH_WAIT_STATES | FLASH_ACR_PRFTEN |
		    FLASH_ACR_ICEN | FLASH_ACR_DCEN;
	while ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != FLASH_WAIT_STATES) {
	}

	/* The PLL is configured only while off. */
	RCC_CR &= ~RCC_CR_PLLON;
	while (RCC_CR & RCC_CR_PLLRDY) {
	}
	RCC_PLLCFGR = PLLCFGR_VALUE;
	RCC_CR |= RCC_CR_PLLON;
	while (!(RCC_CR & RCC_CR_PLLRDY)) {
	}
	RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL;
	while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL) {
	}

	/* At least 1 us at the halved 60 MHz HCLK, then full speed. Each
	 * iteration takes a few cycles: 100 of them are over 1.6 us. */
	for (volatile uint32_t i = 0; i < 100u; i++) {
	}
	RCC_CFGR &= ~RCC_CFGR_HPRE_MASK;
}
