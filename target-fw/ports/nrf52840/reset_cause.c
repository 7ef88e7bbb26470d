/*
 * port_reset_cause on the nRF52840: POWER->RESETREAS, read once and then
 * cleared (its flags are cleared by writing 1 to them, and accumulate
 * until then), so the next start reports its own cause.
 *
 * RESETREAS is at POWER + 0x400 with POWER at 0x40000000: nRF52840 Product
 * Specification v1.7, section 5.3.7.11 (POWER registers, RESETREAS). With
 * no flag set, the reset came from the on-chip reset generator: a power-on
 * or a brown-out, which it does not tell apart; reported as power-on. The
 * wake-ups from System OFF (OFF, LPCOMP, DIF, NFC, VBUS) and a CPU lock-up
 * are not causes the protocol names.
 */
#include <stdint.h>

#include "cortex_m.h"
#include "messages.h"
#include "port.h"

#define POWER_RESETREAS		 CORTEX_M_REGISTER(0x40000000u + 0x400u)
#define POWER_RESETREAS_RESETPIN (1u << 0)
#define POWER_RESETREAS_DOG	 (1u << 1)
#define POWER_RESETREAS_SREQ	 (1u << 2)

static uint8_t nrf52_reset_cause_of(uint32_t flags)
{
	if (flags == 0)
		return MSG_RESET_CAUSE_POWER_ON;
	if (flags & POWER_RESETREAS_DOG)
		return MSG_RESET_CAUSE_WATCHDOG;
	if (flags & POWER_RESETREAS_SREQ)
		return MSG_RESET_CAUSE_SOFTWARE;
	if (flags & POWER_RESETREAS_RESETPIN)
		return MSG_RESET_CAUSE_PIN;
	return MSG_RESET_CAUSE_UNKNOWN;
}

uint8_t port_reset_cause(void)
{
	static uint8_t cause;
	static int known;

	if (!known) {
		const uint32_t flags = POWER_RESETREAS;
		cause = nrf52_reset_cause_of(flags);
		POWER_RESETREAS = flags; /* write 1 to clear what was set */
		known = 1;
	}
	return cause;
}
