/*
 * Greedy-by-size arena planning. Placing the largest buffers first keeps
 * the small ones for the gaps; the result is optimal for chains (where
 * every step only overlaps its neighbours) and usually close otherwise.
 */
#include "model/arena_plan.h"

#include <stdlib.h>

#include "util/error.h"

struct plan_entry {
	uint32_t size; /* aligned */
	int32_t first_step;
	size_t index;
};

static int plan_compare_order(const void *a, const void *b)
{
	const struct plan_entry *left = a;
	const struct plan_entry *right = b;

	if (left->size != right->size)
		return left->size > right->size ? -1 : 1;
	if (left->first_step != right->first_step)
		return left->first_step < right->first_step ? -1 : 1;
	return left->index < right->index ? -1 : (left->index > right->index);
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
static uint64_t plan_floor(const struct plan_buffer *buffers, const struct plan_entry *entries,
			   size_t count)
{
	uint64_t best = 0;

	for (size_t i = 0; i < count; i++) {
		int32_t step = buffers[entries[i].index].first_step;
		uint64_t alive = 0;
		for (size_t j = 0; j < count; j++) {
			const struct plan_buffer *other = &buffers[entries[j].index];
			if (other->first_step <= step && step <= other->last_step)
				alive += entries[j].size;
		}
		if (alive > best)
			best = alive;
	}
	return best;
}

int plan_arena(struct plan_buffer *buffers, size_t count, uint32_t alignment, uint32_t *arena_size,
	       uint32_t *activation_floor)
{
	struct plan_entry *entries;
	const struct plan_buffer **placed;
	size_t placed_count = 0;
	uint64_t arena_end = 0;
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
	if (!entries || !placed) {
		free(entries);
		free(placed);
		return hb_error(HB_ERR_NOMEM, "arena plan: out of memory for %zu buffers", count);
	}
	for (size_t i = 0; i < count; i++) {
		uint64_t aligned = plan_align(buffers[i].size, alignment);
		if (buffers[i].first_step > buffers[i].last_step || aligned > UINT32_MAX) {
			free(entries);
			free(placed);
			return hb_error(HB_ERR_INTERNAL,
					"arena plan: buffer %zu: bad lifetime [%d, %d] or size %u",
					i, buffers[i].first_step, buffers[i].last_step,
					buffers[i].size);
		}
		entries[i].size = (uint32_t)aligned;
		entries[i].first_step = buffers[i].first_step;
		entries[i].index = i;
	}
	qsort(entries, count, sizeof *entries, plan_compare_order);

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
		if (candidate + entries[i].size > UINT32_MAX) {
			free(entries);
			free(placed);
			return hb_error(HB_ERR_INPUT,
					"arena plan: activations need more than 4 GiB");
		}
		buffer->offset = (uint32_t)candidate;
		placed[placed_count++] = buffer;
		if (candidate + entries[i].size > arena_end)
			arena_end = candidate + entries[i].size;
	}
	floor_bytes = plan_floor(buffers, entries, count);
	free(entries);
	free(placed);
	*arena_size = (uint32_t)arena_end;
	*activation_floor = floor_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)floor_bytes;
	return HB_OK;
}
