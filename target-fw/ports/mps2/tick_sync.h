/*
 * Waiting for the next SysTick tick, so that timed code starts at the same
 * point of a tick every time. Under QEMU's -icount a tick is a fixed number
 * of instructions; without this a reading depends on where in a tick it
 * fell, and repeated runs of identical code differ by one tick.
 */
#ifndef FW_MPS2_TICK_SYNC_H
#define FW_MPS2_TICK_SYNC_H

#include <stdint.h>

/* Polls SysTick's value until it changes: returns 0 to 2 instructions
 * after the tick (a poll takes three). */
void tick_sync_coarse(void);

/* Returns a fixed number of instructions after a tick. Needs the tick
 * length in instructions (8 or more), as calibrated; the phase left by the
 * coarse poll is measured on the following tick and padded out. */
void tick_sync_exact(uint32_t instructions_per_tick);

#endif
