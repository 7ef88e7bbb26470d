/*
 * The tick counter on MPS2: SysTick on the CPU clock, free-running over its
 * full 24 bits, with an interrupt counting the wraps into a 56-bit count.
 *
 * Under QEMU a tick is not a cycle: with -icount shift=0 each instruction
 * advances virtual time by 1 ns, so a tick of the 25 MHz SysTick is a fixed
 * number of instructions. That number is measured at boot rather than
 * assumed, and reported as the counter's scale; when it is whole, reads are
 * also aligned to the instruction with it.
 */
#include "cortex_m.h"
#include "mps2.h"
#include "port.h"
#include "messages.h"
#include "tick_sync.h"

#define SYSTICK_RELOAD SYST_MAX_RELOAD
#define SYSTICK_PERIOD ((uint64_t)SYSTICK_RELOAD + 1u)

/* The calibration loops differ by 2,000,000 instructions (2 ms of virtual
 * time at one instruction per nanosecond): a multiple of 20, 25, 32, 40,
 * 50, 64, 80 and 100, the tick lengths of clocks from 10 to 50 MHz. */
#define CALIBRATION_SHORT_ITERATIONS	       100000u
#define CALIBRATION_LONG_ITERATIONS	       (CALIBRATION_SHORT_ITERATIONS + 1000000u)
#define CALIBRATION_INSTRUCTIONS_PER_ITERATION 2u /* subs, bne */

static volatile uint32_t wraps;
static uint32_t scale_q16;
/* Whole instructions per tick once calibrated to one, else 0. */
static uint32_t instructions_per_tick;

void SysTick_Handler(void)
{
	wraps++;
}

/* Zero is the one tick in which the counter has expired but the reload,
 * and with it the wrap interrupt, may not have happened yet: a value read
 * then belongs to neither period for sure. It lasts a single tick, so wait
 * it out. */
static uint32_t read_value(void)
{
	uint32_t value;

	do {
		value = SYST_CVR;
	} while (value == 0);
	return value;
}

/* The count at the start of the next tick, returned a fixed number of
 * instructions after it (see tick_sync.h): waiting up to a tick costs
 * little and makes repeated runs of the same code read the same count. */
uint64_t port_counter_read(void)
{
	uint32_t primask = cortex_m_interrupts_save();
	uint32_t value;
	uint64_t periods;

	if (instructions_per_tick) {
		tick_sync_exact(instructions_per_tick);
		/* Zero would make read_value() wait a tick more, coarsely. */
		if (SYST_CVR == 0)
			tick_sync_exact(instructions_per_tick);
	} else {
		tick_sync_coarse();
	}
	value = read_value();
	periods = wraps;
	/* A wrap pending but not yet counted by the handler: the value read
	 * may be from either side of it, so read again, after it for sure. */
	if (SCB_ICSR & SCB_ICSR_PENDSTSET) {
		value = read_value();
		periods++;
	}
	cortex_m_interrupts_restore(primask);
	return periods * SYSTICK_PERIOD + (SYSTICK_RELOAD - value);
}

uint8_t port_counter_kind(void)
{
	return MSG_COUNTER_SYSTICK;
}

uint32_t port_counter_scale_q16(void)
{
	return scale_q16;
}

static uint64_t time_loop(uint32_t iterations)
{
	uint64_t start = port_counter_read();

	__asm__ volatile("1:\n\t"
			 "subs %0, %0, #1\n\t"
			 "bne 1b"
			 : "+l"(iterations)
			 :
			 : "cc");
	return port_counter_read() - start;
}

/* Instructions per tick in 16.16 from the difference of two loops, which
 * cancels the cost of reading the counter and entering the loop. */
static uint32_t measure_scale(void)
{
	uint64_t short_ticks = time_loop(CALIBRATION_SHORT_ITERATIONS);
	uint64_t long_ticks = time_loop(CALIBRATION_LONG_ITERATIONS);
	uint64_t instructions = (uint64_t)CALIBRATION_INSTRUCTIONS_PER_ITERATION *
				(CALIBRATION_LONG_ITERATIONS - CALIBRATION_SHORT_ITERATIONS);
	uint64_t ticks = long_ticks - short_ticks;

	if (long_ticks <= short_ticks)
		return 0; /* the counter did not run: report no scale */
	return (uint32_t)(((instructions << 16) + ticks / 2) / ticks);
}

/* A first measurement with coarse alignment is within a tick per loop. If
 * it is close to a whole number of instructions per tick, that number is
 * tried for exact alignment and kept only when a second measurement with
 * it comes out at exactly that number (the loop difference is a multiple
 * of every likely tick length, so an exact alignment reproduces it). */
static void calibrate(void)
{
	uint32_t candidate;

	instructions_per_tick = 0;
	scale_q16 = measure_scale();
	candidate = (scale_q16 + 0x8000u) >> 16;
	if (candidate < 8u)
		return;
	instructions_per_tick = candidate;
	if (measure_scale() == candidate << 16)
		scale_q16 = candidate << 16;
	else
		instructions_per_tick = 0;
}

void mps2_counter_init(void)
{
	SYST_CSR = 0;
	SYST_RVR = SYSTICK_RELOAD;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_CLKSOURCE_CORE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
	/* The write above left the value at zero until the first reload. */
	(void)read_value();
	calibrate();
}
