/*
 * Arena planner: hand-made cases whose best placement is known, and random
 * lifetimes checked for the invariants any valid plan must keep.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "model/arena_plan.h"
#include "util/error.h"

static int arena_test_overlap(const struct plan_buffer *a, const struct plan_buffer *b,
			      uint32_t alignment)
{
	uint32_t a_end = a->offset + ((a->size + alignment - 1) & ~(alignment - 1));
	uint32_t b_end = b->offset + ((b->size + alignment - 1) & ~(alignment - 1));
	int lifetimes = a->first_step <= b->last_step && b->first_step <= a->last_step;
	int memory = a->offset < b_end && b->offset < a_end && a->size && b->size;
	return lifetimes && memory;
}

Test(arena_plan, chain_reuses_memory)
{
	/* input -> A -> B -> output: each buffer overlaps only its neighbours. */
	struct plan_buffer buffers[] = {
	    {.size = 100, .first_step = -1, .last_step = 0},	   /* input */
	    {.size = 200, .first_step = 0, .last_step = 1},	   /* A */
	    {.size = 50, .first_step = 1, .last_step = INT32_MAX}, /* output */
	};
	uint32_t arena = 0, floor_bytes = 0;

	cr_assert_eq(plan_arena(buffers, 3, 16, &arena, &floor_bytes), HB_OK);
	/* Aligned sizes 112, 208, 64: A first at 0, the input above it, and the
	 * output reuses the input's place once the input is dead. */
	cr_expect_eq(buffers[1].offset, 0);
	cr_expect_eq(buffers[0].offset, 208);
	cr_expect_eq(buffers[2].offset, 208);
	cr_expect_eq(arena, 320);
	cr_expect_eq(floor_bytes, 320, "step 0 holds the input and A");
}

Test(arena_plan, buffers_alive_together_do_not_share)
{
	struct plan_buffer buffers[] = {
	    {.size = 64, .first_step = 0, .last_step = 3},
	    {.size = 64, .first_step = 2, .last_step = 5},
	};
	uint32_t arena = 0, floor_bytes = 0;

	cr_assert_eq(plan_arena(buffers, 2, 4, &arena, &floor_bytes), HB_OK);
	cr_expect_eq(buffers[0].offset, 0, "tie on size: the earlier first step goes first");
	cr_expect_eq(buffers[1].offset, 64);
	cr_expect_eq(arena, 128);
	cr_expect_eq(floor_bytes, 128);
}

Test(arena_plan, output_stays_alive_to_the_end)
{
	/* The output is written at step 1 and must survive the buffers of
	 * steps 2 and 3, which may reuse only the input's memory. */
	struct plan_buffer buffers[] = {
	    {.size = 32, .first_step = -1, .last_step = 1},
	    {.size = 32, .first_step = 1, .last_step = INT32_MAX},
	    {.size = 16, .first_step = 2, .last_step = 3},
	    {.size = 16, .first_step = 3, .last_step = 3},
	};
	uint32_t arena = 0, floor_bytes = 0;

	cr_assert_eq(plan_arena(buffers, 4, 16, &arena, &floor_bytes), HB_OK);
	cr_expect_eq(buffers[0].offset, 0);
	cr_expect_eq(buffers[1].offset, 32);
	cr_expect_eq(buffers[2].offset, 0);
	cr_expect_eq(buffers[3].offset, 16);
	cr_expect_eq(arena, 64);
	cr_expect_eq(floor_bytes, 64);
}

static void arena_test_expect_valid(const struct plan_buffer *buffers, size_t count,
				    uint32_t alignment, uint32_t arena)
{
	for (size_t i = 0; i < count; i++) {
		cr_expect_leq(buffers[i].offset + buffers[i].size, arena, "buffer %zu", i);
		for (size_t j = i + 1; j < count; j++)
			cr_expect(!arena_test_overlap(&buffers[i], &buffers[j], alignment),
				  "buffers %zu and %zu overlap", i, j);
	}
}

Test(arena_plan, reaches_the_floor_where_greedy_by_size_does_not)
{
	/* Greedy by size puts the 64-byte buffer at 0, the 48-byte one alive at
	 * steps 1-2 above it, the other 48 at 0 and the 32 at 112: 144 bytes.
	 * The floor, 128 at step 2, is reachable (48@0, 64@48, 48@48, 32@96);
	 * the plan tries other orders and finds a placement of that size. */
	struct plan_buffer buffers[] = {
	    {.size = 32, .first_step = 2, .last_step = 4},
	    {.size = 48, .first_step = 2, .last_step = 2},
	    {.size = 48, .first_step = 1, .last_step = 2},
	    {.size = 64, .first_step = 1, .last_step = 1},
	};
	uint32_t arena = 0, floor_bytes = 0;

	cr_assert_eq(plan_arena(buffers, 4, 16, &arena, &floor_bytes), HB_OK);
	cr_expect_eq(floor_bytes, 128);
	cr_expect_eq(arena, 128);
	arena_test_expect_valid(buffers, 4, 16, arena);
}

/* MobileNet v1 (width 0.25) on a 96x96x3 int8 image, the visual wake words
 * model's shape: a chain of 30 activations whose sizes rise at each
 * pointwise layer and fall at each stride-2 depthwise one. */
static const uint32_t arena_test_mobilenet[] = {
    27648, 18432, 18432, 36864, 9216, 18432, 18432, 18432, 4608, 9216, 9216, 9216, 2304, 4608, 4608,
    4608,  4608,  4608,	 4608,	4608, 4608,  4608,  4608,  4608, 1152, 2304, 2304, 2304, 256,  2,
};

Test(arena_plan, mobilenet_chain_reaches_the_floor)
{
	enum { COUNT = sizeof arena_test_mobilenet / sizeof arena_test_mobilenet[0] };
	struct plan_buffer buffers[COUNT];
	uint32_t arena = 0, floor_bytes = 0;

	for (int i = 0; i < COUNT; i++)
		buffers[i] = (struct plan_buffer){.size = arena_test_mobilenet[i],
						  .first_step = i - 1,
						  .last_step = i < COUNT - 1 ? i : INT32_MAX};
	cr_assert_eq(plan_arena(buffers, COUNT, 16, &arena, &floor_bytes), HB_OK);
	/* 48x48x8 in and 48x48x16 out of the first pointwise layer. Greedy by
	 * size alone plans 64 512 B here: the 36 864 B buffer takes offset 0,
	 * and the 18 432 B ones beside it stack above instead of around it. */
	cr_expect_eq(floor_bytes, 55296);
	cr_expect_eq(arena, 55296);
	arena_test_expect_valid(buffers, COUNT, 16, arena);
}

Test(arena_plan, alignment_rounds_sizes_and_offsets)
{
	struct plan_buffer buffers[] = {
	    {.size = 5, .first_step = 0, .last_step = 1},
	    {.size = 3, .first_step = 1, .last_step = 2},
	    {.size = 0, .first_step = 1, .last_step = 1},
	};
	uint32_t arena = 0, floor_bytes = 0;

	cr_assert_eq(plan_arena(buffers, 3, 8, &arena, &floor_bytes), HB_OK);
	cr_expect_eq(buffers[0].offset, 0);
	cr_expect_eq(buffers[1].offset, 8);
	cr_expect_eq(arena, 16);
	cr_expect_eq(floor_bytes, 16);
}

static void arena_test_discard(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void arena_test_quiet(void)
{
	hb_log_set_sink(arena_test_discard, NULL);
}

Test(arena_plan, empty_and_bad_arguments, .init = arena_test_quiet)
{
	struct plan_buffer bad = {.size = 4, .first_step = 3, .last_step = 2};
	uint32_t arena = 7, floor_bytes = 7;

	cr_expect_eq(plan_arena(NULL, 0, 16, &arena, &floor_bytes), HB_OK);
	cr_expect_eq(arena, 0);
	cr_expect_eq(floor_bytes, 0);
	cr_expect_eq(plan_arena(&bad, 1, 16, &arena, &floor_bytes), HB_ERR_INTERNAL);
	cr_expect(strstr(hb_last_error(), "buffer 0: bad lifetime [3, 2]"), "%s", hb_last_error());
	bad.first_step = 0;
	cr_expect_eq(plan_arena(&bad, 1, 12, &arena, &floor_bytes), HB_ERR_INTERNAL,
		     "12 is not a power of two");
}

static uint32_t arena_test_random(uint32_t *state)
{
	/* xorshift32: the same sequence on every libc. */
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

Test(arena_plan, random_lifetimes_keep_invariants)
{
	enum { ROUNDS = 300, MAX_BUFFERS = 40 };
	struct plan_buffer buffers[MAX_BUFFERS];
	uint32_t state = 0x12345678u;
	unsigned above_floor = 0;

	for (int round = 0; round < ROUNDS; round++) {
		size_t count = 1 + arena_test_random(&state) % MAX_BUFFERS;
		uint32_t alignment = 1u << (arena_test_random(&state) % 5);
		uint32_t arena = 0, floor_bytes = 0;
		uint32_t largest_end = 0;

		for (size_t i = 0; i < count; i++) {
			int32_t first = (int32_t)(arena_test_random(&state) % 30) - 1;
			int32_t length = (int32_t)(arena_test_random(&state) % 6);
			buffers[i].size = 1 + arena_test_random(&state) % 3000;
			buffers[i].first_step = first;
			buffers[i].last_step =
			    arena_test_random(&state) % 10 == 0 ? INT32_MAX : first + length;
			buffers[i].offset = 0xFFFFFFFFu;
		}
		cr_assert_eq(plan_arena(buffers, count, alignment, &arena, &floor_bytes), HB_OK);
		cr_assert_geq(arena, floor_bytes, "round %d: arena %u below floor %u", round, arena,
			      floor_bytes);
		for (size_t i = 0; i < count; i++) {
			uint32_t end = buffers[i].offset +
				       ((buffers[i].size + alignment - 1) & ~(alignment - 1));
			cr_assert_eq(buffers[i].offset % alignment, 0, "round %d buffer %zu", round,
				     i);
			cr_assert_leq(end, arena, "round %d buffer %zu ends past the arena", round,
				      i);
			if (end > largest_end)
				largest_end = end;
			for (size_t j = i + 1; j < count; j++)
				cr_assert(!arena_test_overlap(&buffers[i], &buffers[j], alignment),
					  "round %d: buffers %zu and %zu overlap", round, i, j);
		}
		cr_assert_eq(largest_end, arena, "round %d: arena is the largest end", round);
		above_floor += arena > floor_bytes;
	}
	/* Not a requirement, a sanity check that the cases are not all trivial. */
	cr_expect_lt(above_floor, ROUNDS);
}
