/*
 * Arena planning: the smallest arena over several greedy placements, each
 * putting buffers one by one at the lowest offset free for their lifetime.
 * Greedy-by-size (TFLite Micro's order) keeps the small buffers for the
 * gaps and is optimal on most graphs, but on a chain whose sizes rise and
 * fall (a MobileNet's stride-2 layers) it can leave a hole the next large
 * buffer does not fit; placing in execution order reaches the floor there.
 * Each order costs O(n^2 log n), a few ms on the largest models; the search
 * stops at the first placement that reaches the floor, no arena of those
 * lifetimes can be smaller. Sharing hints (in-place ops) change the
 * lifetimes: each is tried in turn, one more plan each, and kept where the
 * arena does not grow.
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

/* The smallest placement over the orders, offsets in `buffers`; its end
 * and the floor of these lifetimes. */
static int plan_search(struct plan_buffer *buffers, size_t count, uint32_t alignment,
		       uint64_t *arena_end, uint64_t *floor_out)
{
	struct plan_entry *entries;
	const struct plan_buffer **placed;
	uint32_t *best_offsets;
	uint64_t best_end = UINT64_MAX;
	uint64_t floor_bytes;

	*arena_end = 0;
	*floor_out = 0;
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
	*arena_end = best_end;
	*floor_out = floor_bytes;
	return HB_OK;
}

static int plan_check_alignment(uint32_t alignment)
{
	if (alignment == 0 || (alignment & (alignment - 1)) != 0)
		return hb_error(HB_ERR_INTERNAL, "arena plan: alignment %u is not a power of two",
				alignment);
	return HB_OK;
}

static int plan_report(uint64_t end, uint64_t floor_bytes, uint32_t *arena_size,
		       uint32_t *activation_floor)
{
	if (end > UINT32_MAX)
		return hb_error(HB_ERR_INPUT, "arena plan: activations need more than 4 GiB");
	*arena_size = (uint32_t)end;
	*activation_floor = floor_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)floor_bytes;
	return HB_OK;
}

int plan_arena(struct plan_buffer *buffers, size_t count, uint32_t alignment, uint32_t *arena_size,
	       uint32_t *activation_floor)
{
	uint64_t end, floor_bytes;
	int status = plan_check_alignment(alignment);

	*arena_size = 0;
	*activation_floor = 0;
	if (status == HB_OK)
		status = plan_search(buffers, count, alignment, &end, &floor_bytes);
	if (status != HB_OK)
		return status;
	return plan_report(end, floor_bytes, arena_size, activation_floor);
}

/* Sharing: a chain of buffers, each taking the bytes of the one before
 * (its op's consumed input), is placed as one buffer: the largest size,
 * from the first one's first step to the last one's last. Two members are
 * alive together only at the step where one is consumed into the next,
 * which is the sharing the hint allows. First steps rise along a chain
 * (plan_share_ok), so it has no cycle. */
struct plan_sharing {
	int32_t *with;		     /* per buffer: the buffer whose bytes it takes, -1 none */
	uint8_t *has_sharer;	     /* per buffer: another takes its bytes */
	size_t *slot;		     /* per chain head: its entry in `grouped` */
	struct plan_buffer *grouped; /* one per chain */
};

static size_t plan_chain_head(const struct plan_sharing *sharing, size_t i)
{
	while (sharing->with[i] >= 0)
		i = (size_t)sharing->with[i];
	return i;
}

/* Plans the chains as single buffers; offsets copied back to every member. */
static int plan_grouped(struct plan_buffer *buffers, size_t count, uint32_t alignment,
			struct plan_sharing *sharing, uint64_t *end)
{
	size_t groups = 0;
	uint64_t floor_bytes;
	int status;

	for (size_t i = 0; i < count; i++)
		if (sharing->with[i] < 0) {
			sharing->slot[i] = groups;
			sharing->grouped[groups++] = buffers[i];
		}
	for (size_t i = 0; i < count; i++) {
		struct plan_buffer *group;
		if (sharing->with[i] < 0)
			continue;
		group = &sharing->grouped[sharing->slot[plan_chain_head(sharing, i)]];
		if (buffers[i].size > group->size)
			group->size = buffers[i].size;
		if (buffers[i].last_step > group->last_step)
			group->last_step = buffers[i].last_step;
	}
	status = plan_search(sharing->grouped, groups, alignment, end, &floor_bytes);
	for (size_t i = 0; status == HB_OK && i < count; i++)
		buffers[i].offset =
		    sharing->grouped[sharing->slot[plan_chain_head(sharing, i)]].offset;
	return status;
}

static int plan_share_ok(const struct plan_buffer *buffers, size_t count,
			 const struct plan_share *share)
{
	if (share->buffer >= count || share->with >= count ||
	    buffers[share->with].first_step >= buffers[share->buffer].first_step ||
	    buffers[share->with].last_step != buffers[share->buffer].first_step)
		return hb_error(HB_ERR_INTERNAL,
				"arena plan: buffer %u cannot share buffer %u (lifetimes do not "
				"meet at one step)",
				share->buffer, share->with);
	return HB_OK;
}

static void plan_sharing_free(struct plan_sharing *sharing, uint32_t *offsets)
{
	free(sharing->with);
	free(sharing->has_sharer);
	free(sharing->slot);
	free(sharing->grouped);
	free(offsets);
}

int plan_arena_shared(struct plan_buffer *buffers, size_t count, const struct plan_share *shares,
		      size_t share_count, uint32_t alignment, uint32_t *arena_size,
		      uint32_t *activation_floor, uint32_t *shared)
{
	struct plan_sharing sharing;
	uint32_t *best_offsets;
	uint64_t best_end, floor_bytes;
	int status = plan_check_alignment(alignment);

	*arena_size = 0;
	*activation_floor = 0;
	*shared = 0;
	for (size_t i = 0; status == HB_OK && i < share_count; i++)
		status = plan_share_ok(buffers, count, &shares[i]);
	/* Without sharing first: the floor, and the plan every hint must not worsen. */
	if (status == HB_OK)
		status = plan_search(buffers, count, alignment, &best_end, &floor_bytes);
	if (status != HB_OK || share_count == 0)
		return status == HB_OK
			   ? plan_report(best_end, floor_bytes, arena_size, activation_floor)
			   : status;
	sharing.with = malloc(count * sizeof *sharing.with);
	sharing.has_sharer = calloc(count, 1);
	sharing.slot = malloc(count * sizeof *sharing.slot);
	sharing.grouped = malloc(count * sizeof *sharing.grouped);
	best_offsets = malloc(count * sizeof *best_offsets);
	if (!sharing.with || !sharing.has_sharer || !sharing.slot || !sharing.grouped ||
	    !best_offsets) {
		plan_sharing_free(&sharing, best_offsets);
		return hb_error(HB_ERR_NOMEM, "arena plan: out of memory for %zu buffers", count);
	}
	for (size_t i = 0; i < count; i++) {
		sharing.with[i] = -1;
		best_offsets[i] = buffers[i].offset;
	}
	/* One hint at a time, kept where the arena does not grow: a tie keeps
	 * it, so two in-place ops at two equal peaks both count. */
	for (size_t h = 0; status == HB_OK && h < share_count; h++) {
		const struct plan_share *share = &shares[h];
		uint64_t end;
		if (sharing.with[share->buffer] >= 0 || sharing.has_sharer[share->with])
			continue;
		sharing.with[share->buffer] = (int32_t)share->with;
		status = plan_grouped(buffers, count, alignment, &sharing, &end);
		if (status == HB_OK && end <= best_end) {
			best_end = end;
			sharing.has_sharer[share->with] = 1;
			(*shared)++;
			for (size_t i = 0; i < count; i++)
				best_offsets[i] = buffers[i].offset;
		} else {
			sharing.with[share->buffer] = -1;
		}
	}
	for (size_t i = 0; i < count; i++)
		buffers[i].offset = best_offsets[i];
	plan_sharing_free(&sharing, best_offsets);
	if (status != HB_OK)
		return status;
	return plan_report(best_end, floor_bytes, arena_size, activation_floor);
}
