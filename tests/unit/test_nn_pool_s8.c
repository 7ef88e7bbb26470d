/*
 * int8 AVERAGE_POOL_2D and MAX_POOL_2D (target-fw/nn/nn_{avg,max}_pool2d_s8.c)
 * on cases worked out by hand. TFLite's average rounds half away from zero
 * by integer division: sum > 0 ? (sum + n/2) / n : (sum - n/2) / n, with C
 * division truncating toward zero; n counts only cells inside the input.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

#define POOL_TEST_MAX_OUTPUT 32

enum pool_test_kind { POOL_TEST_AVERAGE, POOL_TEST_MAX };

static struct nn_pool_params pool_test_params(int32_t height, int32_t width, int32_t channels,
					      int32_t filter_height, int32_t filter_width,
					      int32_t output_height, int32_t output_width)
{
	struct nn_pool_params params = {
	    .batches = 1,
	    .input_height = height,
	    .input_width = width,
	    .channels = channels,
	    .output_height = output_height,
	    .output_width = output_width,
	    .filter_height = filter_height,
	    .filter_width = filter_width,
	    .stride_height = 1,
	    .stride_width = 1,
	    .activation_min = -128,
	    .activation_max = 127,
	};
	return params;
}

static void pool_test_run(enum pool_test_kind kind, const struct nn_pool_params *params,
			  const int8_t *input, const int8_t *expected)
{
	int8_t output[POOL_TEST_MAX_OUTPUT + 4];
	const int32_t count =
	    params->batches * params->output_height * params->output_width * params->channels;

	cr_assert_leq(count, POOL_TEST_MAX_OUTPUT);
	memset(output, 0x5A, sizeof output);
	if (kind == POOL_TEST_AVERAGE)
		nn_avg_pool2d_s8(params, input, output);
	else
		nn_max_pool2d_s8(params, input, output);
	for (int32_t i = 0; i < count; i++)
		cr_expect_eq(output[i], expected[i], "output %d: expected %d, got %d", (int)i,
			     expected[i], output[i]);
	for (int32_t i = count; i < count + 4; i++)
		cr_expect_eq(output[i], 0x5A, "wrote past the output");
}

Test(nn_avg_pool2d_s8, rounds_half_away_from_zero)
{
	/* One 2x2 window over a 2x2 input, eight channels, n = 4:
	 *   ch 0: 1 2 2 1 = 6:      (6 + 2) / 4 = 2     (1.5 -> 2)
	 *   ch 1: negated, -6:      (-6 - 2) / 4 = -2   (-1.5 -> -2)
	 *   ch 2: 1 1 2 1 = 5:      (5 + 2) / 4 = 1     (1.25 -> 1)
	 *   ch 3: negated, -5:      (-5 - 2) / 4 = -1   (-1.25 -> -1)
	 *   ch 4: 2 2 2 1 = 7:      9 / 4 = 2           (1.75 -> 2)
	 *   ch 5: negated, -7:      -9 / 4 = -2
	 *   ch 6: 127 127 127 126:  509 / 4 = 127       (126.75)
	 *   ch 7: -128 x3, -127:    -513 / 4 = -128     (-127.75) */
	struct nn_pool_params params = pool_test_params(2, 2, 8, 2, 2, 1, 1);
	const int8_t cells[4][8] = {
	    {1, -1, 1, -1, 2, -2, 127, -128},
	    {2, -2, 1, -1, 2, -2, 127, -128},
	    {2, -2, 2, -2, 2, -2, 127, -128},
	    {1, -1, 1, -1, 1, -1, 126, -127},
	};

	pool_test_run(POOL_TEST_AVERAGE, &params, &cells[0][0],
		      (const int8_t[]){2, -2, 1, -1, 2, -2, 127, -128});
	/* The activation clamp comes after the rounding. */
	params.activation_min = -1;
	params.activation_max = 1;
	pool_test_run(POOL_TEST_AVERAGE, &params, &cells[0][0],
		      (const int8_t[]){1, -1, 1, -1, 1, -1, 1, -1});
}

Test(nn_avg_pool2d_s8, padding_is_not_counted)
{
	/* 3x3 window, stride 1, pad 1 all round, so corner windows hold 4
	 * cells, edges 6, the centre 9:
	 *   10 20 30
	 *   40 50 60
	 *   70 80 91
	 * (0,0): 120/4 = 30   (0,1): 210/6 = 35            (0,2): 160/4 = 40
	 * (1,0): 270/6 = 45   (1,1): 451/9 -> 455/9 = 50   (1,2): 331/6 -> 334/6 = 55
	 * (2,0): 240/4 = 60   (2,1): 391/6 -> 394/6 = 65   (2,2): 281/4 -> 283/4 = 70
	 * Counting the padding would give 120/9 = 13 in the corner. */
	struct nn_pool_params params = pool_test_params(3, 3, 1, 3, 3, 3, 3);
	const int8_t input[9] = {10, 20, 30, 40, 50, 60, 70, 80, 91};

	params.pad_top = 1;
	params.pad_left = 1;
	pool_test_run(POOL_TEST_AVERAGE, &params, input,
		      (const int8_t[]){30, 35, 40, 45, 50, 55, 60, 65, 70});
}

Test(nn_avg_pool2d_s8, stride_two_windows_clipped_bottom_right)
{
	/* 3x3 input, 2x2 window, stride 2, no top/left padding: the second
	 * window of each row/column holds one column/row only (TFLite SAME).
	 * Two channels (c1 = -c0), two batches (batch 1 = batch 0 + 1).
	 * c0:  10 20 30 / 40 50 60 / 70 80 91
	 * (0,0): 120/4 = 30; (0,1): 30+60 = 90/2 = 45; (1,0): 150/2 = 75; (1,1): 91
	 * c1 = -c0: -30, -45, -75, -91
	 * batch 1: sums grow by n (4, 2, 2, 1), averages by exactly 1 for c0;
	 *   c1 = -c0 + 1: (-120 + 4)/4 = -29, (-90 + 2)/2 = -44, -74, -90 */
	struct nn_pool_params params = pool_test_params(3, 3, 2, 2, 2, 2, 2);
	const int8_t first[9] = {10, 20, 30, 40, 50, 60, 70, 80, 91};
	int8_t input[36];

	for (int b = 0; b < 2; b++)
		for (int i = 0; i < 9; i++) {
			input[18 * b + 2 * i] = (int8_t)(first[i] + b);
			input[18 * b + 2 * i + 1] = (int8_t)(-first[i] + b);
		}
	params.batches = 2;
	params.stride_height = 2;
	params.stride_width = 2;
	pool_test_run(POOL_TEST_AVERAGE, &params, input,
		      (const int8_t[]){30, -30, 45, -45, 75, -75, 91, -91, 31, -29, 46, -44, 76,
				       -74, 92, -90});
}

Test(nn_avg_pool2d_s8, rounding_of_negative_sums_with_odd_counts)
{
	/* 1x3 input, window 1x3, pad 1 left, output 1x3: counts 2, 3, 2.
	 * (-3, -4, -4): (0): -7 -> (-7 - 1)/2 = -4 (-3.5 away);
	 * (1): -11 -> (-11 - 1)/3 = -4 (-3.67); (2): -8 -> (-8 - 1)/2 = -4 (-4 exact,
	 * the -1 does not carry it over) */
	struct nn_pool_params params = pool_test_params(1, 3, 1, 1, 3, 1, 3);

	params.pad_left = 1;
	pool_test_run(POOL_TEST_AVERAGE, &params, (const int8_t[]){-3, -4, -4},
		      (const int8_t[]){-4, -4, -4});
	/* (3, 4, 4): 7 -> 8/2 = 4; 11 -> 12/3 = 4; 8 -> 9/2 = 4 */
	pool_test_run(POOL_TEST_AVERAGE, &params, (const int8_t[]){3, 4, 4},
		      (const int8_t[]){4, 4, 4});
	/* (-2, -3, 5): -5 -> -6/2 = -3 (-2.5 away); 0 -> (0 - 1)/3 = 0; 2 -> 3/2 = 1 */
	pool_test_run(POOL_TEST_AVERAGE, &params, (const int8_t[]){-2, -3, 5},
		      (const int8_t[]){-3, 0, 1});
}

Test(nn_max_pool2d_s8, padding_never_wins)
{
	/* All inputs negative: if the padding took part as 0 every border
	 * output would be 0.
	 *   -10 -20 -30
	 *   -40 -50 -60
	 *   -70 -80 -91
	 * 3x3 window, pad 1, stride 1: max over the clipped window. */
	struct nn_pool_params params = pool_test_params(3, 3, 1, 3, 3, 3, 3);
	const int8_t input[9] = {-10, -20, -30, -40, -50, -60, -70, -80, -91};

	params.pad_top = 1;
	params.pad_left = 1;
	pool_test_run(POOL_TEST_MAX, &params, input,
		      (const int8_t[]){-10, -10, -20, -10, -10, -20, -40, -40, -50});
}

Test(nn_max_pool2d_s8, stride_two_batches_channels_and_clamp)
{
	/* Same layout as the average case: 3x3x2, 2x2 window, stride 2.
	 * c0:  10 20 30 / 40 50 60 / 70 80 91   -> max 50, 60, 80, 91
	 * c1 = -c0                              -> max -10, -30, -70, -91
	 * batch 1 = batch 0 with -128 everywhere -> all -128 */
	struct nn_pool_params params = pool_test_params(3, 3, 2, 2, 2, 2, 2);
	const int8_t first[9] = {10, 20, 30, 40, 50, 60, 70, 80, 91};
	int8_t input[36];

	for (int i = 0; i < 9; i++) {
		input[2 * i] = first[i];
		input[2 * i + 1] = (int8_t)-first[i];
		input[18 + 2 * i] = -128;
		input[18 + 2 * i + 1] = -128;
	}
	params.batches = 2;
	params.stride_height = 2;
	params.stride_width = 2;
	pool_test_run(POOL_TEST_MAX, &params, input,
		      (const int8_t[]){50, -10, 60, -30, 80, -70, 91, -91, -128, -128, -128, -128,
				       -128, -128, -128, -128});
	/* RELU6-like clamp [-20, 70] applies after the maximum. */
	params.activation_min = -20;
	params.activation_max = 70;
	pool_test_run(POOL_TEST_MAX, &params, input,
		      (const int8_t[]){50, -10, 60, -20, 70, -20, 70, -20, -20, -20, -20, -20, -20,
				       -20, -20, -20});
}

Test(nn_max_pool2d_s8, window_larger_than_stride_overlaps)
{
	/* 1x5 input, window 1x3, stride 1, VALID: sliding maxima.
	 * (5, -1, 7, 3, -128) -> 7, 7, 7 */
	struct nn_pool_params params = pool_test_params(1, 5, 1, 1, 3, 1, 3);

	pool_test_run(POOL_TEST_MAX, &params, (const int8_t[]){5, -1, 7, 3, -128},
		      (const int8_t[]){7, 7, 7});
	/* (127, -5, -6, -7, -8) -> 127, -5, -6 */
	pool_test_run(POOL_TEST_MAX, &params, (const int8_t[]){127, -5, -6, -7, -8},
		      (const int8_t[]){127, -5, -6});
}
