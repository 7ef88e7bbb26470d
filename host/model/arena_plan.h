/*
 * The arena planner: places activation tensors in one RAM arena so that
 * tensors alive at the same time never overlap, each at the lowest free
 * offset, placed in several orders (by size, as TFLite Micro does; by
 * execution; by size x lifetime), keeping the smallest arena.
 * Reports the arena it needs and the floor no placement without sharing
 * can beat (the largest sum of sizes alive at any one step). With sharing
 * hints (in-place element-wise ops) a buffer may take the bytes of the one
 * its op consumes, and the arena can end below that floor.
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

/* Buffer `buffer` may take the offset of buffer `with`: the op that writes
 * `buffer` is `with`'s last reader (buffer's first step is with's last)
 * and reads each element of `with` before it writes the element at the
 * same place, so the two may share bytes at that one step. */
struct plan_share {
	uint32_t buffer;
	uint32_t with;
};

/* Plans `count` buffers with `alignment` (a power of two). */
int plan_arena(struct plan_buffer *buffers, size_t count, uint32_t alignment, uint32_t *arena_size,
	       uint32_t *activation_floor);

/* The same with sharing hints: each is taken where it does not make the
 * arena larger (a shared pair is placed as one buffer of the larger size
 * over both lifetimes), so the arena is at most plan_arena's. The floor
 * is still the one without sharing; *shared counts the hints taken (the
 * pairs then have equal offsets). Of hints naming the same buffer, or the
 * same `with`, at most one is taken. A hint that names a buffer out of
 * range, or whose `with` is not written before `buffer` and last read
 * where `buffer` is written, is refused (HB_ERR_INTERNAL). */
int plan_arena_shared(struct plan_buffer *buffers, size_t count, const struct plan_share *shares,
		      size_t share_count, uint32_t alignment, uint32_t *arena_size,
		      uint32_t *activation_floor, uint32_t *shared);

#endif
