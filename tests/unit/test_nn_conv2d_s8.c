/*
 * int8 CONV_2D (target-fw/nn/nn_conv2d_s8.c): small cases worked out by
 * hand, then random shapes against a naive 64-bit reference written here
 * from TFLite's definition, not from the kernel.
 *
 * Multipliers used by the hand cases (Q31 multiplier 2^30 = 0.5):
 *   0.5, shift  1: exactly x1;
 *   0.5, shift  0: x0.5, ties toward +infinity (-99.5 -> -99, 27.5 -> 28);
 *   0.5, shift -1: x0.25, rounded twice: first x0.5 as above, then /2 with
 *                  ties away from zero (-21 -> -10 -> -5, 98 -> 49 -> 25);
 *   0.5, shift  2: x2, exact (the input is shifted left before the multiply).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

#define CONV_TEST_HALF	     (1 << 30)
#define CONV_TEST_MAX_OUTPUT 64

static const int32_t conv_test_half[4] = {CONV_TEST_HALF, CONV_TEST_HALF, CONV_TEST_HALF,
					  CONV_TEST_HALF};
static const int32_t conv_test_unit_shift[4] = {1, 1, 1, 1};
static const int32_t conv_test_zero_shift[4] = {0, 0, 0, 0};

static struct nn_conv_params conv_test_params(int32_t height, int32_t width, int32_t channels,
					      int32_t filter_height, int32_t filter_width,
					      int32_t output_height, int32_t output_width,
					      int32_t output_channels)
{
	struct nn_conv_params params = {
	    .batches = 1,
	    .input_height = height,
	    .input_width = width,
	    .input_channels = channels,
	    .filter_height = filter_height,
	    .filter_width = filter_width,
	    .output_height = output_height,
	    .output_width = output_width,
	    .output_channels = output_channels,
	    .stride_height = 1,
	    .stride_width = 1,
	    .dilation_height = 1,
	    .dilation_width = 1,
	    .depth_multiplier = 1,
	    .activation_min = -128,
	    .activation_max = 127,
	};
	return params;
}

/* Runs the kernel into a buffer with guard bytes after the outputs. */
static void conv_test_run(const struct nn_conv_params *params, const int8_t *input,
			  const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			  const int32_t *shift, const int8_t *expected)
{
	int8_t output[CONV_TEST_MAX_OUTPUT + 4];
	const int32_t count = params->batches * params->output_height * params->output_width *
			      params->output_channels;

	cr_assert_leq(count, CONV_TEST_MAX_OUTPUT);
	memset(output, 0x5A, sizeof output);
	nn_conv2d_s8(params, input, filter, bias, multiplier, shift, output);
	for (int32_t i = 0; i < count; i++)
		cr_expect_eq(output[i], expected[i], "output %d: expected %d, got %d", (int)i,
			     expected[i], output[i]);
	for (int32_t i = count; i < count + 4; i++)
		cr_expect_eq(output[i], 0x5A, "wrote past the output");
}

Test(nn_conv2d_s8, pointwise_per_channel_multipliers)
{
	/* 1x1 filter over a 2x2x2 input, three output channels with their own
	 * multiplier: x0.5 (shift 0), x0.25 (shift -1), x2 (shift +2).
	 * Input zero point -128 (input_offset 128), output zero point 5.
	 * pixels + 128: (0, 1) (8, 28) (128, 138) (255, 0)
	 * channel 0, filter (1, 1), bias -200: 1-200 = -199, 36-200 = -164,
	 *   266-200 = 66, 255-200 = 55; x0.5: -99.5 -> -99, -82, 33, 27.5 -> 28
	 *   + 5: -94, -77, 38, 33
	 * channel 1, filter (2, -1), bias -20: -21, -32, 98, 490
	 *   x0.25: -21 -> -10 -> -5, -32 -> -16 -> -8, 98 -> 49 -> 25 (24.5 away),
	 *   490 -> 245 -> 123 (122.5 away); + 5: 0, -3, 30, 128 -> 127
	 * channel 2, filter (-1, 1), no bias: 1, 20, 10, -255
	 *   x2: 2, 40, 20, -510; + 5: 7, 45, 25, -505 -> -128 */
	struct nn_conv_params params = conv_test_params(2, 2, 2, 1, 1, 2, 2, 3);
	const int8_t input[8] = {-128, -127, -120, -100, 0, 10, 127, -128};
	const int8_t filter[6] = {1, 1, 2, -1, -1, 1};
	const int32_t bias[3] = {-200, -20, 0};
	const int32_t shift[3] = {0, -1, 2};

	params.input_offset = 128;
	params.output_offset = 5;
	conv_test_run(&params, input, filter, bias, conv_test_half, shift,
		      (const int8_t[]){-94, 0, 7, -77, -3, 45, 38, 30, 25, 33, 127, -128});
}

Test(nn_conv2d_s8, three_by_three_same_padding_skips_the_border)
{
	/* Input zero point 127 (input_offset -127): a kernel that read the
	 * padding as a stored value (0, i.e. real -127) would be far off.
	 * input - 127:      filter:
	 *     0  -1   -2     1 -1  2
	 *    -3   0   -7     0  3 -2
	 *   -27   0 -127     1  1 -1
	 * pad 1 all round, stride 1, output 3x3.
	 * corner (0,0) sees filter rows/cols 1..2 over input rows/cols 0..1:
	 *   3*0 + -2*-1 + 1*-3 + -1*0 = -1
	 * centre (1,1) sees everything:
	 *   0 + 1 - 4 + 0 + 0 + 14 - 27 + 0 + 127 = 111
	 * all nine: -1 5 -13 / -38 111 -147 / -78 237 -374
	 * x0.5 (ties up): 0 3 -6 / -19 56 -73 / -39 119 -187 -> -128 */
	struct nn_conv_params params = conv_test_params(3, 3, 1, 3, 3, 3, 3, 1);
	const int8_t input[9] = {127, 126, 125, 124, 127, 120, 100, 127, 0};
	const int8_t filter[9] = {1, -1, 2, 0, 3, -2, 1, 1, -1};

	params.pad_top = 1;
	params.pad_left = 1;
	params.input_offset = -127;
	conv_test_run(&params, input, filter, NULL, conv_test_half, conv_test_zero_shift,
		      (const int8_t[]){0, 3, -6, -19, 56, -73, -39, 119, -128});
}

Test(nn_conv2d_s8, stride_two_with_implied_bottom_right_padding)
{
	/* 4x4 input 1..16 (row-major), 3x3 filter of ones, stride 2: TFLite's
	 * SAME padding for this is 0 on top/left and 1 below/right, which the
	 * kernel infers from the output size 2x2.
	 *    1  2  3  4
	 *    5  6  7  8
	 *    9 10 11 12
	 *   13 14 15 16
	 * (0,0): rows 0-2, cols 0-2: 6 + 18 + 30 = 54
	 * (0,1): rows 0-2, cols 2-3: 7 + 15 + 23 = 45
	 * (1,0): rows 2-3, cols 0-2: 30 + 42 = 72
	 * (1,1): rows 2-3, cols 2-3: 23 + 31 = 54 */
	struct nn_conv_params params = conv_test_params(4, 4, 1, 3, 3, 2, 2, 1);
	int8_t input[16];
	const int8_t ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

	for (int i = 0; i < 16; i++)
		input[i] = (int8_t)(i + 1);
	params.stride_height = 2;
	params.stride_width = 2;
	conv_test_run(&params, input, ones, NULL, conv_test_half, conv_test_unit_shift,
		      (const int8_t[]){54, 45, 72, 54});

	/* Asymmetric the other way: one row of padding on top only.
	 * (0,0): rows 0-1, cols 0-2: 6 + 18 = 24;  (0,1): rows 0-1, cols 2-3: 7 + 15 = 22
	 * (1,0): rows 1-3, cols 0-2: 18 + 30 + 42 = 90; (1,1): 15 + 23 + 31 = 69 */
	params.pad_top = 1;
	conv_test_run(&params, input, ones, NULL, conv_test_half, conv_test_unit_shift,
		      (const int8_t[]){24, 22, 90, 69});
}

Test(nn_conv2d_s8, dilation)
{
	/* 5x5 input x[y][x] = 5y + x - 12, 3x3 filter w = 1..9 row-major
	 * (w[ky][kx] = 3ky + kx + 1; sum w = 45, sum w*ky = 63, sum w*kx = 51).
	 * Dilation 2x2, VALID: one output, taps at x[2ky][2kx] = 10ky + 2kx - 12:
	 *   10*63 + 2*51 - 12*45 = 192; x0.5 = 96 */
	struct nn_conv_params params = conv_test_params(5, 5, 1, 3, 3, 1, 1, 1);
	int8_t input[25];
	int8_t filter[9];

	for (int i = 0; i < 25; i++)
		input[i] = (int8_t)(5 * (i / 5) + i % 5 - 12);
	for (int i = 0; i < 9; i++)
		filter[i] = (int8_t)(i + 1);
	params.dilation_height = 2;
	params.dilation_width = 2;
	conv_test_run(&params, input, filter, NULL, conv_test_half, conv_test_zero_shift,
		      (const int8_t[]){96});

	/* Dilation 2 down, 1 across: output 1x3, taps x[2ky][ox + kx]:
	 *   10*63 + 51 + (ox - 12)*45 = 141 + 45ox -> 141, 186, 231
	 *   x0.5: 70.5 -> 71, 93, 115.5 -> 116 */
	params.dilation_width = 1;
	params.output_width = 3;
	conv_test_run(&params, input, filter, NULL, conv_test_half, conv_test_zero_shift,
		      (const int8_t[]){71, 93, 116});
}

Test(nn_conv2d_s8, two_batches_two_channels_stride_two)
{
	/* 3x3x2 input, 2x2 filter, stride 2, output 2x2 (SAME: the right
	 * column and bottom row windows hang over by one).
	 * batch 0: channel 0 = 3y + x (0..8), channel 1 = 1
	 * batch 1: channel 0 = -(3y + x),    channel 1 = 2
	 * filter channel 0 = (1 2 / 3 4), channel 1 = all ones; bias 5, x1.
	 * batch 0 channel 0: (0,0): 0 + 2 + 9 + 16 = 27; (0,1): 2*1 + 5*3 = 17;
	 *   (1,0): 6*1 + 7*2 = 20; (1,1): 8*1 = 8
	 * channel 1 adds the number of taps inside: 4, 2, 2, 1
	 *   -> 31, 19, 22, 9; + 5 -> 36, 24, 27, 14
	 * batch 1: -27 + 8, -17 + 4, -20 + 4, -8 + 2 = -19, -13, -16, -6
	 *   + 5 -> -14, -8, -11, -1 */
	struct nn_conv_params params = conv_test_params(3, 3, 2, 2, 2, 2, 2, 1);
	int8_t input[36];
	const int8_t filter[8] = {1, 1, 2, 1, 3, 1, 4, 1};
	const int32_t bias[1] = {5};

	for (int i = 0; i < 9; i++) {
		input[2 * i] = (int8_t)i;
		input[2 * i + 1] = 1;
		input[18 + 2 * i] = (int8_t)-i;
		input[18 + 2 * i + 1] = 2;
	}
	params.batches = 2;
	params.stride_height = 2;
	params.stride_width = 2;
	conv_test_run(&params, input, filter, bias, conv_test_half, conv_test_unit_shift,
		      (const int8_t[]){36, 24, 27, 14, -14, -8, -11, -1});
}

Test(nn_conv2d_s8, relu_clamps_at_the_output_zero_point)
{
	/* 1x1 filter of 1, x1, no bias, output zero point 10.
	 * inputs -50 -1 0 50 -> -40 9 10 60; RELU (min 10): 10 10 10 60;
	 * RELU6-like max at 30: 10 10 10 30 */
	struct nn_conv_params params = conv_test_params(1, 4, 1, 1, 1, 1, 4, 1);
	const int8_t input[4] = {-50, -1, 0, 50};
	const int8_t filter[1] = {1};

	params.output_offset = 10;
	params.activation_min = 10;
	conv_test_run(&params, input, filter, NULL, conv_test_half, conv_test_unit_shift,
		      (const int8_t[]){10, 10, 10, 60});
	params.activation_max = 30;
	conv_test_run(&params, input, filter, NULL, conv_test_half, conv_test_unit_shift,
		      (const int8_t[]){10, 10, 10, 30});
}

/* ---- random shapes against a naive reference ---- */

static uint32_t conv_test_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static int32_t conv_test_between(uint32_t *state, int32_t low, int32_t high)
{
	return low + (int32_t)(conv_test_random(state) % (uint32_t)(high - low + 1));
}

static int64_t conv_test_floor_div(int64_t numerator, int64_t denominator)
{
	int64_t quotient = numerator / denominator;
	if (numerator % denominator != 0 && (numerator < 0) != (denominator < 0))
		quotient--;
	return quotient;
}

/* MultiplyByQuantizedMultiplier from its definition: round(x * m / 2^31)
 * with ties up, then a division by 2^right with ties away from zero, both
 * on exact 64-bit values. */
static int32_t conv_test_requantize(int64_t acc, int32_t multiplier, int32_t shift)
{
	const int64_t scaled = acc * ((int64_t)1 << (shift > 0 ? shift : 0));
	const int32_t right = shift > 0 ? 0 : -shift;
	int64_t high;
	int64_t magnitude;

	cr_assert(scaled >= INT32_MIN && scaled <= INT32_MAX, "test chose an overflowing shift");
	high = conv_test_floor_div(scaled * multiplier + ((int64_t)1 << 30), (int64_t)1 << 31);
	if (right == 0)
		return (int32_t)high;
	magnitude = conv_test_floor_div((high < 0 ? -high : high) + ((int64_t)1 << (right - 1)),
					(int64_t)1 << right);
	return (int32_t)(high < 0 ? -magnitude : magnitude);
}

/* The input padded explicitly: the real value zero outside the image. */
static int64_t conv_test_input_at(const struct nn_conv_params *params, const int8_t *input,
				  int32_t batch, int32_t y, int32_t x, int32_t c)
{
	if (y < 0 || y >= params->input_height || x < 0 || x >= params->input_width)
		return 0;
	return (int64_t)input[((batch * params->input_height + y) * params->input_width + x) *
				  params->input_channels +
			      c] +
	       params->input_offset;
}

/* Index of filter tap (ky, kx, c) of output channel oc. */
static int32_t conv_test_tap(const struct nn_conv_params *params, int32_t oc, int32_t ky,
			     int32_t kx, int32_t c)
{
	return ((oc * params->filter_height + ky) * params->filter_width + kx) *
		   params->input_channels +
	       c;
}

static int64_t conv_test_cell(const struct nn_conv_params *params, const int8_t *input,
			      const int8_t *filter, int32_t b, int32_t oy, int32_t ox, int32_t oc)
{
	int64_t acc = 0;

	for (int32_t ky = 0; ky < params->filter_height; ky++) {
		const int32_t y =
		    oy * params->stride_height - params->pad_top + ky * params->dilation_height;
		for (int32_t kx = 0; kx < params->filter_width; kx++) {
			const int32_t x = ox * params->stride_width - params->pad_left +
					  kx * params->dilation_width;
			for (int32_t c = 0; c < params->input_channels; c++)
				acc += conv_test_input_at(params, input, b, y, x, c) *
				       filter[conv_test_tap(params, oc, ky, kx, c)];
		}
	}
	return acc;
}

static void conv_test_reference(const struct nn_conv_params *params, const int8_t *input,
				const int8_t *filter, const int32_t *bias,
				const int32_t *multiplier, const int32_t *shift, int8_t *output,
				int *unclamped)
{
	for (int32_t b = 0; b < params->batches; b++)
		for (int32_t oy = 0; oy < params->output_height; oy++)
			for (int32_t ox = 0; ox < params->output_width; ox++)
				for (int32_t oc = 0; oc < params->output_channels; oc++) {
					const int64_t acc =
					    conv_test_cell(params, input, filter, b, oy, ox, oc) +
					    (bias ? bias[oc] : 0);
					int64_t value =
					    conv_test_requantize(acc, multiplier[oc], shift[oc]) +
					    params->output_offset;
					if (value > params->activation_min &&
					    value < params->activation_max)
						(*unclamped)++;
					if (value < params->activation_min)
						value = params->activation_min;
					if (value > params->activation_max)
						value = params->activation_max;
					*output++ = (int8_t)value;
				}
}

Test(nn_conv2d_s8, random_shapes_match_naive_reference)
{
	static int8_t input[2 * 9 * 9 * 6];
	static int8_t filter[6 * 4 * 4 * 6];
	static int8_t got[2 * 9 * 9 * 6 + 4];
	static int8_t expected[2 * 9 * 9 * 6];
	int32_t bias[6];
	int32_t multiplier[6];
	int32_t shift[6];
	uint32_t state = 0xC0FFEE01u;
	int unclamped = 0;
	int total = 0;
	int padded_cases = 0;
	int dilated_cases = 0;

	for (int round = 0; round < 300; round++) {
		struct nn_conv_params params = conv_test_params(
		    conv_test_between(&state, 1, 9), conv_test_between(&state, 1, 9),
		    conv_test_between(&state, 1, 6), conv_test_between(&state, 1, 4),
		    conv_test_between(&state, 1, 4), 0, 0, conv_test_between(&state, 1, 6));
		int32_t extent_y;
		int32_t extent_x;
		int32_t padded_height;
		int32_t padded_width;
		int32_t count;

		params.batches = conv_test_between(&state, 1, 2);
		params.stride_height = conv_test_between(&state, 1, 3);
		params.stride_width = conv_test_between(&state, 1, 3);
		params.dilation_height = conv_test_between(&state, 1, 2);
		params.dilation_width = conv_test_between(&state, 1, 2);
		extent_y = (params.filter_height - 1) * params.dilation_height + 1;
		extent_x = (params.filter_width - 1) * params.dilation_width + 1;
		params.pad_top = conv_test_between(&state, 0, extent_y - 1);
		params.pad_left = conv_test_between(&state, 0, extent_x - 1);
		/* Any bottom/right padding up to the filter extent; skip shapes
		 * where not even one window fits. */
		padded_height = params.input_height + params.pad_top +
				conv_test_between(&state, 0, extent_y - 1);
		padded_width = params.input_width + params.pad_left +
			       conv_test_between(&state, 0, extent_x - 1);
		if (padded_height < extent_y || padded_width < extent_x)
			continue;
		params.output_height = (padded_height - extent_y) / params.stride_height + 1;
		params.output_width = (padded_width - extent_x) / params.stride_width + 1;
		params.input_offset = conv_test_between(&state, -127, 128);
		params.output_offset = conv_test_between(&state, -128, 127);
		if (conv_test_between(&state, 0, 3) == 0) {
			params.activation_min = params.output_offset;
			params.activation_max =
			    conv_test_between(&state, params.output_offset, 127);
		}
		padded_cases += params.pad_top > 0 || params.pad_left > 0;
		dilated_cases += params.dilation_height > 1 || params.dilation_width > 1;

		for (int32_t i = 0; i < params.batches * params.input_height * params.input_width *
					    params.input_channels;
		     i++)
			input[i] = (int8_t)conv_test_random(&state);
		for (int32_t i = 0; i < params.output_channels * params.filter_height *
					    params.filter_width * params.input_channels;
		     i++)
			filter[i] = (int8_t)conv_test_random(&state);
		for (int32_t oc = 0; oc < params.output_channels; oc++) {
			int32_t depth =
			    params.filter_height * params.filter_width * params.input_channels;
			bias[oc] = conv_test_between(&state, -2000, 2000);
			multiplier[oc] = conv_test_between(&state, 1 << 30, INT32_MAX);
			/* A sum of depth products of ~74 x ~74 spreads like
			 * 2^13 * sqrt(depth): scale by about 2^-7 / sqrt(depth)
			 * so most outputs land in range; now and then a left shift. */
			shift[oc] = -conv_test_between(&state, 6, 8);
			for (; depth >= 4; depth /= 4)
				shift[oc]--;
			if (conv_test_between(&state, 0, 9) == 0)
				shift[oc] = 1;
		}

		count = params.batches * params.output_height * params.output_width *
			params.output_channels;
		memset(got, 0x5A, sizeof got);
		nn_conv2d_s8(&params, input, filter, round % 5 ? bias : NULL, multiplier, shift,
			     got);
		conv_test_reference(&params, input, filter, round % 5 ? bias : NULL, multiplier,
				    shift, expected, &unclamped);
		for (int32_t i = 0; i < count; i++)
			cr_assert_eq(got[i], expected[i], "round %d output %d: expected %d, got %d",
				     round, (int)i, expected[i], got[i]);
		for (int32_t i = count; i < count + 4; i++)
			cr_assert_eq(got[i], 0x5A, "round %d: wrote past the output", round);
		total += count;
	}
	/* The comparison is only worth something if most outputs are not clamped
	 * and padding and dilation both came up often. */
	cr_expect_gt(unclamped * 2, total, "%d of %d outputs unclamped", unclamped, total);
	cr_expect_gt(padded_cases, 50);
	cr_expect_gt(dilated_cases, 50);
}
