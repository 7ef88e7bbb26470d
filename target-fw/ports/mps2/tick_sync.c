/*
 * The instruction counts here are the point: each sequence is written in
 * assembly so the compiler cannot change them. QEMU counts every Thumb
 * instruction as one, including IT and instructions whose condition fails.
 */
#include "tick_sync.h"

#include "cortex_m.h"

void tick_sync_coarse(void)
{
	uint32_t first;
	uint32_t now;

	__asm__ volatile("ldr %0, [%2]\n"
			 "1:\n\t"
			 "ldr %1, [%2]\n\t"
			 "cmp %0, %1\n\t"
			 "beq 1b"
			 : "=&l"(first), "=&l"(now)
			 : "l"(&SYST_CVR)
			 : "cc", "memory");
}

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
/*
 * The poll sees a tick p = 0..2 instructions late. A delay then places three
 * single-instruction samples X, X+1, X+2 instructions after that detection,
 * with X = instructions_per_tick - 3 or - 2, so the next tick falls on
 * sample (instructions_per_tick - X - p). The number of samples still
 * showing the old value is that index; padding with as many 2-byte NOPs
 * puts the return a constant distance after the tick, whatever p was.
 */
void tick_sync_exact(uint32_t instructions_per_tick)
{
	/* Before the poll: 3 instructions after detection, then 2 per loop. */
	uint32_t delay = (instructions_per_tick - 5u) / 2u;
	uint32_t first, old, a, b, c, pad, target;

	__asm__ volatile(
	    "ldr %[first], [%[cvr]]\n"
	    "1:\n\t"
	    "ldr %[old], [%[cvr]]\n\t"
	    "cmp %[first], %[old]\n\t"
	    "beq 1b\n"
	    "2:\n\t"
	    "subs %[delay], %[delay], #1\n\t"
	    "bne 2b\n\t"
	    "ldr %[a], [%[cvr]]\n\t"
	    "ldr %[b], [%[cvr]]\n\t"
	    "ldr %[c], [%[cvr]]\n\t"
	    "movs %[pad], #0\n\t"
	    "cmp %[a], %[old]\n\t"
	    "it eq\n\t"
	    "addeq %[pad], %[pad], #1\n\t"
	    "cmp %[b], %[old]\n\t"
	    "it eq\n\t"
	    "addeq %[pad], %[pad], #1\n\t"
	    "cmp %[c], %[old]\n\t"
	    "it eq\n\t"
	    "addeq %[pad], %[pad], #1\n\t"
	    "adr %[target], 3f\n\t"
	    "sub %[target], %[target], %[pad], lsl #1\n\t"
	    "orr %[target], %[target], #1\n\t"
	    "bx %[target]\n\t"
	    ".short 0xbf00\n\t" /* 16-bit NOPs, exactly 2 bytes each */
	    ".short 0xbf00\n\t"
	    ".short 0xbf00\n"
	    "3:\n\t"
	    : [first] "=&r"(first), [old] "=&r"(old), [delay] "+r"(delay), [a] "=&r"(a),
	      [b] "=&r"(b), [c] "=&r"(c), [pad] "=&r"(pad), [target] "=&r"(target)
	    : [cvr] "r"(&SYST_CVR)
	    : "cc", "memory");
}
#else
/* Without Thumb-2's IT and ADR the coarse wait is the best on offer. */
void tick_sync_exact(uint32_t instructions_per_tick)
{
	(void)instructions_per_tick;
	tick_sync_coarse();
}
#endif
