/*
 * The tick counter on the STM32F4: the DWT cycle counter, one tick per core
 * clock cycle. CYCCNT is 32 bits (268 s at 16 MHz); every read notices a
 * wrap since the previous one and extends it to 64 bits. The UART polling
 * loop reads it too, so an idle board does not miss a wrap.
 */
#include "cortex_m.h"
#include "messages.h"
#include "port.h"
#include "stm32f4.h"

static uint32_t last_low;
static uint32_t high;

void stm32f4_counter_init(void)
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

	/* No interrupt is enabled on this port, so nothing else updates the
	 * pair between the read and the store. */
	if (low < last_low)
		high++;
	last_low = low;
	return (uint64_t)high << 32 | low;
}

void stm32f4_counter_poll(void)
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
