/*
 * The tick counter on a core with a DWT: the cycle counter, one tick per
 * core clock cycle. CYCCNT is 32 bits (268 s at 16 MHz, 36 s at 120 MHz);
 * every read notices a wrap since the previous one and extends it to 64
 * bits. The UART polling loop reads it too (dwt_counter_poll), so an idle
 * board does not miss a wrap. Shared by the real-board ports of every
 * ARMv7-M core (ARMv7-M Architecture Reference Manual, C1.8).
 */
#include "cortex_m.h"
#include "dwt_counter.h"
#include "messages.h"
#include "port.h"

static uint32_t last_low;
static uint32_t high;

void dwt_counter_init(void)
{
	DEMCR |= DEMCR_TRCENA;
	DWT_CYCCNT = 0;
	DWT_CTRL |= DWT_CTRL_CYCCNTENA;
	last_low = 0;
	high = 0;
}

uint64_t port_counter_read(void)
{
	uint32_t low = DWT_CYCCNT;

	/* No port using it updates the pair from an interrupt, so nothing
	 * else changes it between the read and the store. */
	if (low < last_low)
		high++;
	last_low = low;
	return (uint64_t)high << 32 | low;
}

void dwt_counter_poll(void)
{
	(void)port_counter_read();
}

uint8_t port_counter_kind(void)
{
	return MSG_COUNTER_DWT;
}

uint32_t port_counter_scale_q16(void)
{
	return 1u << 16; /* one tick per cycle */
}
