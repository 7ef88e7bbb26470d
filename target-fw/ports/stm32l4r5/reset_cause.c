/*
 * port_reset_cause on the STM32L4R5: the reset flags in RCC_CSR, read once
 * and then cleared (RMVF), so the next start reports its own cause.
 *
 * RCC_CSR is at RCC + 0x94 with RCC at 0x40021000: RM0432 (STM32L4+)
 * section 6.4.29, "Control/status register". The L4+ has no POR flag of
 * its own: BORRSTF is set by a power-on as by a brown-out, and is reported
 * as power-on, the common case. Every reset drives NRST low, so PINRSTF
 * means the pin only when nothing else is set. OBLRSTF (option bytes
 * loaded) and FWRSTF (firewall) are not causes the protocol names.
 */
#include <stdint.h>

#include "cortex_m.h"
#include "messages.h"
#include "port.h"

#define RCC_CSR		 CORTEX_M_REGISTER(0x40021000u + 0x94u)
#define RCC_CSR_RMVF	 (1u << 23)
#define RCC_CSR_PINRSTF	 (1u << 26)
#define RCC_CSR_BORRSTF	 (1u << 27)
#define RCC_CSR_SFTRSTF	 (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)
#define RCC_CSR_WWDGRSTF (1u << 30)

static uint8_t stm32l4_reset_cause_of(uint32_t flags)
{
	if (flags & (RCC_CSR_IWDGRSTF | RCC_CSR_WWDGRSTF))
		return MSG_RESET_CAUSE_WATCHDOG;
	if (flags & RCC_CSR_SFTRSTF)
		return MSG_RESET_CAUSE_SOFTWARE;
	if (flags & RCC_CSR_BORRSTF)
		return MSG_RESET_CAUSE_POWER_ON;
	if (flags & RCC_CSR_PINRSTF)
		return MSG_RESET_CAUSE_PIN;
	return MSG_RESET_CAUSE_UNKNOWN;
}

uint8_t port_reset_cause(void)
{
	static uint8_t cause;
	static int known;

	if (!known) {
		cause = stm32l4_reset_cause_of(RCC_CSR);
		RCC_CSR |= RCC_CSR_RMVF;
		known = 1;
	}
	return cause;
}
