/*
 * The arena planner: places activation tensors in one RAM arena so that
 * tensors alive at the same time never overlap, each at the lowest free
 * offset, placed in several orders (by size, as TFLite Micro does; by
 * execution; by size x lifetime), keeping the smallest arena.
 * Reports the arena it needs and the floor no placement can beat (the
 * largest sum of sizes alive at any one step).
 */
#ifndef HB_ARENA_PLAN_H
#define HB_ARENA_PLAN_H

#include <stddef.h>
#include <stdint.h>

struct plan_buffer {
	uint32_t size;	    /* bytes */
	int32_t first_step; /* step (op index) that writes it; -1 = before the first op (input) */
	int32_t last_step;  /* last step that reads it; INT32_MAX = alive to the end (output) */
	uint32_t offset;    /* result */
};

/* Plans `count` buffers with `alignment` (a power of two). */
int plan_arena(struct plan_buffer *buffers, size_t count, uint32_t alignment, uint32_t *arena_size,
	       uint32_t *activation_floor);

#endif
