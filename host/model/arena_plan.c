/*
 * Arena planning: the smallest arena over several greedy placements, each
 * putting buffers one by one at the lowest offset free for their lifetime.
 * Greedy-by-size (TFLite Micro's order) keeps the small buffers for the
 * gaps and is optimal on most graphs, but on a chain whose sizes rise and
 * fall (a MobileNet's stride-2 layers) it can leave a hole the next large
 * buffer does not fit; placing in execution order reaches the floor there.
 * Each order costs O(n^2 log n), a few ms on the largest models; the search
 * stops at the first placement that reaches the floor, no arena can be smaller.
 */
#include "model/arena_plan.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

struct plan_entry {
	uint32_t size; /* aligned */
	int32_t first_step;
	int32_t last_step;
	int64_t footprint; /* size x steps alive, for PLAN_ORDER_FOOTPRINT */
	size_t index;
};

/* The orders tried, best first on the graphs we know. */
enum plan_order {
	PLAN_ORDER_SIZE,      /* largest first: TFLite Micro's greedy */
	PLAN_ORDER_EXECUTION, /* by the step that writes them */
	PLAN_ORDER_FOOTPRINT, /* largest size x lifetime first */
	PLAN_ORDER_COUNT,
};

static int plan_tie_break(const struct plan_entry *left, const struct plan_entry *right)
{
	if (left->first_step != right->first_step)
		return left->first_step < right->first_step ? -1 : 1;
	return left->index < right->index ? -1 : (left->index > right->index);
}

static int plan_compare_size(const void *a, const void *b)
{
	const struct plan_entry *left = a;
	const struct plan_entry *right = b;

	if (left->size != right->size)
		return left->size > right->size ? -1 : 1;
	return plan_tie_break(left, right);
}

static int plan_compare_execution(const void *a, const void *b)
{
	const struct plan_entry *left = a;
	const struct plan_entry *right = b;

	if (left->first_step == right->first_step && left->size != right->size)
		return left->size > right->size ? -1 : 1;
	return plan_tie_break(left, right);
}

static int plan_compare_footprint(const void *a, const void *b)
{
	const struct plan_entry *left = a;
	const struct plan_entry *right = b;

	if (left->footprint != right->footprint)
		return left->footprint > right->footprint ? -1 : 1;
	return plan_compare_size(a, b);
}

static int plan_compare_offset(const void *a, const void *b)
{
	const struct plan_buffer *left = *(const struct plan_buffer *const *)a;
	const struct plan_buffer *right = *(const struct plan_buffer *const *)b;

	if (left->offset != right->offset)
		return left->offset < right->offset ? -1 : 1;
	return 0;
}

static int plan_lifetimes_overlap(const struct plan_buffer *a, const struct plan_buffer *b)
{
	return a->first_step <= b->last_step && b->first_step <= a->last_step;
}

static uint64_t plan_align(uint64_t value, uint32_t alignment)
{
	return (value + alignment - 1) & ~(uint64_t)(alignment - 1);
}

/* The largest sum alive at one step is reached where some buffer begins. */
static uint64_t plan_floor(const struct plan_entry *entries, size_t count)
{
	uint64_t best = 0;

	for (size_t i = 0; i < count; i++) {
		int32_t step = entries[i].first_step;
		uint64_t alive = 0;
		for (size_t j = 0; j < count; j++)
			if (entries[j].first_step <= step && step <= entries[j].last_step)
				alive += entries[j].size;
		if (alive > best)
			best = alive;
	}
	return best;
}

/* Places buffers in the order of entries, each at the lowest offset where
 * it overlaps no placed buffer alive at the same time; the arena's end in
 * *arena_end. `placed` has room for 2 x count pointers. */
static void plan_place(struct plan_buffer *buffers, const struct plan_entry *entries, size_t count,
		       uint32_t alignment, const struct plan_buffer **placed, uint64_t *arena_end)
{
	size_t placed_count = 0;

	*arena_end = 0;
	for (size_t i = 0; i < count; i++) {
		struct plan_buffer *buffer = &buffers[entries[i].index];
		const struct plan_buffer **conflicts = placed + placed_count;
		size_t conflict_count = 0;
		uint64_t candidate = 0;

		for (size_t j = 0; j < placed_count; j++)
			if (plan_lifetimes_overlap(placed[j], buffer))
				conflicts[conflict_count++] = placed[j];
		qsort(conflicts, conflict_count, sizeof *conflicts, plan_compare_offset);
		for (size_t j = 0; j < conflict_count; j++) {
			uint64_t end =
			    conflicts[j]->offset + plan_align(conflicts[j]->size, alignment);
			if (conflicts[j]->offset >= candidate + entries[i].size)
				break;
			if (end > candidate)
				candidate = end;
		}
		/* Past 4 GiB the offset no longer fits: the caller refuses the plan. */
		buffer->offset = candidate > UINT32_MAX ? UINT32_MAX : (uint32_t)candidate;
		placed[placed_count++] = buffer;
		if (candidate + entries[i].size > *arena_end)
			*arena_end = candidate + entries[i].size;
	}
}

static void plan_sort(struct plan_entry *entries, size_t count, enum plan_order order)
{
	int32_t last_real_step = -1;

	switch (order) {
	case PLAN_ORDER_SIZE: qsort(entries, count, sizeof *entries, plan_compare_size); break;
	case PLAN_ORDER_EXECUTION:
		qsort(entries, count, sizeof *entries, plan_compare_execution);
		break;
	default:
		/* Outputs live "to the end": count their life to the last step any
		 * buffer really ends at, not to INT32_MAX. */
		for (size_t i = 0; i < count; i++) {
			if (entries[i].last_step != INT32_MAX &&
			    entries[i].last_step > last_real_step)
				last_real_step = entries[i].last_step;
			if (entries[i].first_step > last_real_step)
				last_real_step = entries[i].first_step;
		}
		for (size_t i = 0; i < count; i++) {
			int32_t last = entries[i].last_step > last_real_step ? last_real_step
									     : entries[i].last_step;
			entries[i].footprint =
			    ((int64_t)last - entries[i].first_step + 1) * entries[i].size;
		}
		qsort(entries, count, sizeof *entries, plan_compare_footprint);
		break;
	}
}

int plan_arena(struct plan_buffer *buffers, size_t count, uint32_t alignment, uint32_t *arena_size,
	       uint32_t *activation_floor)
{
	struct plan_entry *entries;
	const struct plan_buffer **placed;
	uint32_t *best_offsets;
	uint64_t best_end = UINT64_MAX;
	uint64_t floor_bytes;

	if (alignment == 0 || (alignment & (alignment - 1)) != 0)
		return hb_error(HB_ERR_INTERNAL, "arena plan: alignment %u is not a power of two",
				alignment);
	*arena_size = 0;
	*activation_floor = 0;
	if (count == 0)
		return HB_OK;
	entries = calloc(count, sizeof *entries);
	/* Room for the placed buffers and, after them, the ones in conflict. */
	placed = calloc(2 * count, sizeof *placed);
	best_offsets = calloc(count, sizeof *best_offsets);
	if (!entries || !placed || !best_offsets) {
		free(entries);
		free(placed);
		free(best_offsets);
		return hb_error(HB_ERR_NOMEM, "arena plan: out of memory for %zu buffers", count);
	}
	for (size_t i = 0; i < count; i++) {
		uint64_t aligned = plan_align(buffers[i].size, alignment);
		if (buffers[i].first_step > buffers[i].last_step || aligned > UINT32_MAX) {
			free(entries);
			free(placed);
			free(best_offsets);
			return hb_error(HB_ERR_INTERNAL,
					"arena plan: buffer %zu: bad lifetime [%d, %d] or size %u",
					i, buffers[i].first_step, buffers[i].last_step,
					buffers[i].size);
		}
		entries[i].size = (uint32_t)aligned;
		entries[i].first_step = buffers[i].first_step;
		entries[i].last_step = buffers[i].last_step;
		entries[i].index = i;
	}
	floor_bytes = plan_floor(entries, count);

	for (int order = 0; order < PLAN_ORDER_COUNT && best_end > floor_bytes; order++) {
		uint64_t end;

		plan_sort(entries, count, (enum plan_order)order);
		plan_place(buffers, entries, count, alignment, placed, &end);
		if (end < best_end) {
			best_end = end;
			for (size_t i = 0; i < count; i++)
				best_offsets[i] = buffers[i].offset;
		}
	}
	for (size_t i = 0; i < count; i++)
		buffers[i].offset = best_offsets[i];
	free(entries);
	free(placed);
	free(best_offsets);
	if (best_end > UINT32_MAX)
		return hb_error(HB_ERR_INPUT, "arena plan: activations need more than 4 GiB");
	*arena_size = (uint32_t)best_end;
	*activation_floor = floor_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)floor_bytes;
	return HB_OK;
}
