/* Order statistics of per-run counts (min, median, max, mean). */
#ifndef HB_STATS_H
#define HB_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats_u64 {
	uint64_t min;
	uint64_t max;
	double median; /* mean of the middle two for an even count */
	double mean;
	size_t count;
};

/* Computes over `count` values (not modified). count == 0 gives zeros. */
void stats_u64_compute(const uint64_t *values, size_t count, struct stats_u64 *out);

#endif
