/*
 * port_reset_cause on the STM32F4 and STM32F7 (shared/ through their
 * port.mk): the reset flags in RCC_CSR, read once and then cleared (RMVF),
 * so the next start reports its own cause and not every one since power-on.
 *
 * RCC_CSR is at RCC + 0x74 with RCC at 0x40023800 on both families, with
 * the same flags: RM0390 (STM32F446) section 6.3.21 and RM0385 (STM32F7)
 * section 5.3.21, "RCC clock control & status register". Every reset
 * drives the NRST pin low, so PINRSTF comes with the others: it means the
 * pin only when nothing else is set. A power-on sets BORRSTF as well as
 * PORRSTF.
 */
#include <stdint.h>

#include "cortex_m.h"
#include "messages.h"
#include "port.h"

#define RCC_CSR		 CORTEX_M_REGISTER(0x40023800u + 0x74u)
#define RCC_CSR_RMVF	 (1u << 24)
#define RCC_CSR_BORRSTF	 (1u << 25)
#define RCC_CSR_PINRSTF	 (1u << 26)
#define RCC_CSR_PORRSTF	 (1u << 27)
#define RCC_CSR_SFTRSTF	 (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)
#define RCC_CSR_WWDGRSTF (1u << 30)

static uint8_t stm32_reset_cause_of(uint32_t flags)
{
	if (flags & (RCC_CSR_IWDGRSTF | RCC_CSR_WWDGRSTF))
		return MSG_RESET_CAUSE_WATCHDOG;
	if (flags & RCC_CSR_SFTRSTF)
		return MSG_RESET_CAUSE_SOFTWARE;
	if (flags & RCC_CSR_PORRSTF)
		return MSG_RESET_CAUSE_POWER_ON;
	if (flags & RCC_CSR_BORRSTF)
		return MSG_RESET_CAUSE_BROWN_OUT;
	if (flags & RCC_CSR_PINRSTF)
		return MSG_RESET_CAUSE_PIN;
	return MSG_RESET_CAUSE_UNKNOWN; /* LPWRRSTF (low-power reset), or none */
}

uint8_t port_reset_cause(void)
{
	static uint8_t cause;
	static int known;

	if (!known) {
		cause = stm32_reset_cause_of(RCC_CSR);
		RCC_CSR |= RCC_CSR_RMVF;
		known = 1;
	}
	return cause;
}
