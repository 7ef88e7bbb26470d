/*
 * The STM32F746's clock tree to 216 MHz (RM0385 5.3, 5.3.2 PLL, 4.1.4
 * entering over-drive, 3.3.2 wait states: 7 at 216 MHz and 2.7 to 3.6 V):
 * HSI 16 MHz / M 8 = 2 MHz into the VCO, x N 216 = 432 MHz, / P 2 =
 * 216 MHz, / Q 9 = 48 MHz for USB; AHB / 1, APB1 / 4, APB2 / 2.
 */
#include "cortex_m.h"
#include "stm32f7.h"

#define RCC_BASE	  0x40023800u
#define RCC_CR		  CORTEX_M_REGISTER(RCC_BASE + 0x00u)
#define RCC_PLLCFGR	  CORTEX_M_REGISTER(RCC_BASE + 0x04u)
#define RCC_CFGR	  CORTEX_M_REGISTER(RCC_BASE + 0x08u)
#define RCC_APB1ENR	  CORTEX_M_REGISTER(RCC_BASE + 0x40u)
#define RCC_CR_HSION	  (1u << 0)
#define RCC_CR_HSIRDY	  (1u << 1)
#define RCC_CR_PLLON	  (1u << 24)
#define RCC_CR_PLLRDY	  (1u << 25)
#define RCC_APB1ENR_PWREN (1u << 28)
#define PLL_M		  8u
#define PLL_N		  216u
#define PLL_P_DIV2	  0u
#define PLL_Q		  9u
#define PLLCFGR_VALUE	  (PLL_M | PLL_N << 6 | PLL_P_DIV2 << 16 | PLL_Q << 24) /* PLLSRC 0: HSI */
#define CFGR_PRESCALERS	  (5u << 10 | 4u << 13) /* PPRE1 / 4, PPRE2 / 2 */
#define CFGR_SW_PLL	  2u
#define CFGR_SWS_MASK	  (3u << 2)
#define CFGR_SWS_PLL	  (2u << 2)

#define PWR_CR1		   CORTEX_M_REGISTER(0x40007000u + 0x00u)
#define PWR_CSR1	   CORTEX_M_REGISTER(0x40007000u + 0x04u)
#define PWR_CR1_VOS_SCALE1 (3u << 14)
#define PWR_CR1_ODEN	   (1u << 16)
#define PWR_CR1_ODSWEN	   (1u << 17)
#define PWR_CSR1_ODRDY	   (1u << 16)
#define PWR_CSR1_ODSWRDY   (1u << 17)

#define FLASH_ACR	       CORTEX_M_REGISTER(0x40023C00u)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_WAIT_STATES      7u
#define FLASH_ACR_PRFTEN       (1u << 8)
#define FLASH_ACR_ARTEN	       (1u << 9)

#if 16000000u / PLL_M * PLL_N / 2u != STM32F7_CLOCK_HZ
#error "PLL settings do not give STM32F7_CLOCK_HZ"
#endif

void stm32f7_clock_init(void)
{
	RCC_CR |= RCC_CR_HSION;
	while (!(RCC_CR & RCC_CR_HSIRDY)) {
	}
	RCC_APB1ENR |= RCC_APB1ENR_PWREN;
	(void)RCC_APB1ENR;
	PWR_CR1 |= PWR_CR1_VOS_SCALE1; /* applies once the PLL runs */

	RCC_CR &= ~RCC_CR_PLLON;
	while (RCC_CR & RCC_CR_PLLRDY) {
	}
	RCC_PLLCFGR = PLLCFGR_VALUE;
	RCC_CR |= RCC_CR_PLLON;
	while (!(RCC_CR & RCC_CR_PLLRDY)) {
	}

	/* Over-drive, needed above 180 MHz: enable, then switch to it. */
	PWR_CR1 |= PWR_CR1_ODEN;
	while (!(PWR_CSR1 & PWR_CSR1_ODRDY)) {
	}
	PWR_CR1 |= PWR_CR1_ODSWEN;
	while (!(PWR_CSR1 & PWR_CSR1_ODSWRDY)) {
	}

	FLASH_ACR = (FLASH_ACR & ~FLASH_ACR_LATENCY_MASK) | FLASH_WAIT_STATES | FLASH_ACR_PRFTEN |
		    FLASH_ACR_ARTEN;
	while ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != FLASH_WAIT_STATES) {
	}
	/* Bus prescalers before the faster clock reaches the buses. */
	RCC_CFGR = CFGR_PRESCALERS;
	RCC_CFGR = CFGR_PRESCALERS | CFGR_SW_PLL;
	while ((RCC_CFGR & CFGR_SWS_MASK) != CFGR_SWS_PLL) {
	}
}
