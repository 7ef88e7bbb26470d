/*
 * The tick counter of the RP2040: SysTick on the processor clock, one tick
 * per cycle (ARMv6-M has no DWT), 24 bits with an interrupt counting the
 * wraps (every 134 ms at 125 MHz) into a 64-bit count.
 */
#include "messages.h"
#include "port.h"
#include "rp2040.h"

#define SYSTICK_PERIOD ((uint64_t)SYST_MAX_RELOAD + 1u)

static volatile uint32_t wraps;

void SysTick_Handler(void)
{
	wraps++;
}

void rp2040_counter_init(void)
{
	wraps = 0;
	SYST_RVR = SYST_MAX_RELOAD;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE_CORE;
}

uint64_t port_counter_read(void)
{
	uint32_t primask = cortex_m_interrupts_save();
	uint32_t value = SYST_CVR;
	uint64_t periods = wraps;

	/* A wrap pending but not yet counted: the value may be from either
	 * side of it, so read again, after it for sure. */
	if (SCB_ICSR & SCB_ICSR_PENDSTSET) {
		value = SYST_CVR;
		periods++;
	}
	cortex_m_interrupts_restore(primask);
	return periods * SYSTICK_PERIOD + (SYST_MAX_RELOAD - value);
}

uint8_t port_counter_kind(void)
{
	return MSG_COUNTER_SYSTICK;
}

uint32_t port_counter_scale_q16(void)
{
	return 1u << 16; /* one tick per cycle */
}
