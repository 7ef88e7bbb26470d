/* stats_u64_compute: order statistics, untouched input, no overflow near UINT64_MAX. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "util/stats.h"

Test(stats, empty_input_gives_zeros)
{
	struct stats_u64 result;

	memset(&result, 0xa5, sizeof result);
	stats_u64_compute(NULL, 0, &result);
	cr_assert_eq(result.count, 0);
	cr_assert_eq(result.min, 0);
	cr_assert_eq(result.max, 0);
	cr_assert_eq(result.median, 0.0);
	cr_assert_eq(result.mean, 0.0);
}

Test(stats, one_value)
{
	const uint64_t values[] = {42};
	struct stats_u64 result;

	stats_u64_compute(values, 1, &result);
	cr_assert_eq(result.count, 1);
	cr_assert_eq(result.min, 42);
	cr_assert_eq(result.max, 42);
	cr_assert_eq(result.median, 42.0);
	cr_assert_eq(result.mean, 42.0);
}

Test(stats, odd_count_unsorted)
{
	const uint64_t values[] = {9, 1, 5, 7, 3};
	struct stats_u64 result;

	stats_u64_compute(values, 5, &result);
	cr_assert_eq(result.min, 1);
	cr_assert_eq(result.max, 9);
	cr_assert_eq(result.median, 5.0);
	cr_assert_eq(result.mean, 5.0);
	cr_assert_eq(result.count, 5);
}

Test(stats, even_count_median_is_mean_of_middle_two)
{
	const uint64_t values[] = {10, 4, 1, 7};
	struct stats_u64 result;

	stats_u64_compute(values, 4, &result);
	cr_assert_eq(result.min, 1);
	cr_assert_eq(result.max, 10);
	cr_assert_eq(result.median, 5.5);
	cr_assert_eq(result.mean, 5.5);
}

Test(stats, duplicates)
{
	const uint64_t values[] = {3, 3, 8, 3, 8, 8, 8};
	struct stats_u64 result;

	stats_u64_compute(values, 7, &result);
	cr_assert_eq(result.min, 3);
	cr_assert_eq(result.max, 8);
	cr_assert_eq(result.median, 8.0);
	cr_assert_float_eq(result.mean, 41.0 / 7.0, 1e-12);
}

Test(stats, input_is_not_modified)
{
	uint64_t values[] = {5, 2, 9, 1, 7, 3};
	const uint64_t original[] = {5, 2, 9, 1, 7, 3};
	struct stats_u64 result;

	stats_u64_compute(values, 6, &result);
	cr_assert_arr_eq(values, original, sizeof original);
	cr_assert_eq(result.median, 4.0);
}

Test(stats, values_near_uint64_max_do_not_overflow)
{
	const uint64_t values[] = {UINT64_MAX, UINT64_MAX - 2, UINT64_MAX, UINT64_MAX - 2};
	const double top = 18446744073709551615.0; /* UINT64_MAX, rounded to a double */
	struct stats_u64 result;

	stats_u64_compute(values, 4, &result);
	cr_assert_eq(result.min, UINT64_MAX - 2);
	cr_assert_eq(result.max, UINT64_MAX);
	/* A wrapped 64-bit sum would give a mean near 2^62, far from the top. */
	cr_assert_float_eq(result.mean, top, top * 1e-15);
	cr_assert_float_eq(result.median, top, top * 1e-15);
}

Test(stats, mixed_small_and_huge_values)
{
	const uint64_t values[] = {0, UINT64_MAX};
	struct stats_u64 result;

	stats_u64_compute(values, 2, &result);
	cr_assert_eq(result.min, 0);
	cr_assert_eq(result.max, UINT64_MAX);
	cr_assert_float_eq(result.mean, 9223372036854775807.5, 1e4);
	cr_assert_float_eq(result.median, 9223372036854775807.5, 1e4);
}

Test(stats, large_counts_keep_exact_integers)
{
	/* Cycle counts in the billions: the mean must stay exact to the unit. */
	const uint64_t values[] = {4000000001ULL, 4000000003ULL, 4000000002ULL};
	struct stats_u64 result;

	stats_u64_compute(values, 3, &result);
	cr_assert_eq(result.mean, 4000000002.0);
	cr_assert_eq(result.median, 4000000002.0);
}
