/* Order statistics over a sorted private copy, so callers keep their run order. */
#include "util/stats.h"

#include <stdlib.h>
#include <string.h>

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Mean of two values without the sum overflowing 64 bits. */
static double midpoint(uint64_t low, uint64_t high)
{
	return (double)low + (double)(high - low) / 2.0;
}

/* The value that would sit at `rank` after sorting, found without a copy:
 * quadratic, only used when there is no memory for the copy. */
static uint64_t smallest_at_rank(const uint64_t *values, size_t count, size_t rank)
{
	for (size_t i = 0; i < count; i++) {
		size_t below = 0, equal = 0;

		for (size_t j = 0; j < count; j++) {
			below += values[j] < values[i];
			equal += values[j] == values[i];
		}
		if (below <= rank && rank < below + equal)
			return values[i];
	}
	return 0; /* unreachable: some value always holds each rank */
}

void stats_u64_compute(const uint64_t *values, size_t count, struct stats_u64 *out)
{
	long double sum = 0;
	uint64_t *sorted;

	memset(out, 0, sizeof *out);
	if (count == 0 || !values)
		return;
	out->count = count;

	/* long double keeps 64 bits of mantissa on x86, so sums of counts near
	 * UINT64_MAX neither wrap nor lose the low digits that matter. */
	for (size_t i = 0; i < count; i++)
		sum += (long double)values[i];
	out->mean = (double)(sum / (long double)count);

	sorted = malloc(count * sizeof *sorted);
	if (!sorted) {
		out->min = smallest_at_rank(values, count, 0);
		out->max = smallest_at_rank(values, count, count - 1);
		if (count % 2)
			out->median = (double)smallest_at_rank(values, count, count / 2);
		else
			out->median = midpoint(smallest_at_rank(values, count, count / 2 - 1),
					       smallest_at_rank(values, count, count / 2));
		return;
	}
	memcpy(sorted, values, count * sizeof *sorted);
	qsort(sorted, count, sizeof *sorted, compare_u64);
	out->min = sorted[0];
	out->max = sorted[count - 1];
	if (count % 2)
		out->median = (double)sorted[count / 2];
	else
		out->median = midpoint(sorted[count / 2 - 1], sorted[count / 2]);
	free(sorted);
}
