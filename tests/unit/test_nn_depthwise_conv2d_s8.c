/*
 * int8 DEPTHWISE_CONV_2D (target-fw/nn/nn_depthwise_conv2d_s8.c): cases
 * worked out by hand for depth multipliers 1 and 2, then random shapes
 * against a naive 64-bit reference written here from TFLite's definition.
 * Output channel oc = ic * depth_multiplier + m; filter [1][h][w][oc].
 * Multiplier 2^30 (0.5) with shift 1 is x1, shift 0 is x0.5 (ties up),
 * shift -1 is x0.25 (rounded twice), shift 2 is x2.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

#define DW_TEST_HALF	   (1 << 30)
#define DW_TEST_MAX_OUTPUT 32

static const int32_t dw_test_half[4] = {DW_TEST_HALF, DW_TEST_HALF, DW_TEST_HALF, DW_TEST_HALF};
static const int32_t dw_test_unit_shift[4] = {1, 1, 1, 1};

static struct nn_conv_params dw_test_params(int32_t height, int32_t width, int32_t channels,
					    int32_t filter_height, int32_t filter_width,
					    int32_t output_height, int32_t output_width,
					    int32_t depth_multiplier)
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
	    .output_channels = channels * depth_multiplier,
	    .stride_height = 1,
	    .stride_width = 1,
	    .dilation_height = 1,
	    .dilation_width = 1,
	    .depth_multiplier = depth_multiplier,
	    .activation_min = -128,
	    .activation_max = 127,
	};
	return params;
}

static void dw_test_run(const struct nn_conv_params *params, const int8_t *input,
			const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			const int32_t *shift, const int8_t *expected)
{
	int8_t output[DW_TEST_MAX_OUTPUT + 4];
	const int32_t count = params->batches * params->output_height * params->output_width *
			      params->output_channels;

	cr_assert_leq(count, DW_TEST_MAX_OUTPUT);
	memset(output, 0x5A, sizeof output);
	nn_depthwise_conv2d_s8(params, input, filter, bias, multiplier, shift, output);
	for (int32_t i = 0; i < count; i++)
		cr_expect_eq(output[i], expected[i], "output %d: expected %d, got %d", (int)i,
			     expected[i], output[i]);
	for (int32_t i = count; i < count + 4; i++)
		cr_expect_eq(output[i], 0x5A, "wrote past the output");
}

Test(nn_depthwise_conv2d_s8, multiplier_one_keeps_channels_apart)
{
	/* 3x3x2 input, 2x2 filter, VALID, output 2x2x2; input_offset 3.
	 * s = 3y + x; channel 0 = s, channel 1 = -2s.
	 * channel 0 filter (1 2 / 3 4): sum f * (s(y+ky, x+kx) + 3)
	 *   = 10 s(oy,ox) + 3*(3+4) + (2+4) + 3*10 = 10s + 57 -> 57 67 87 97
	 * channel 1 filter (1 0 / 0 2): (-2s + 3) + 2 * (-2(s + 4) + 3)
	 *   = -6s - 7 -> -7 -13 -25 -31
	 * interleaved by channel, x1. */
	struct nn_conv_params params = dw_test_params(3, 3, 2, 2, 2, 2, 2, 1);
	int8_t input[18];
	/* [ky][kx][channel] */
	const int8_t filter[8] = {1, 1, 2, 0, 3, 0, 4, 2};

	for (int s = 0; s < 9; s++) {
		input[2 * s] = (int8_t)s;
		input[2 * s + 1] = (int8_t)(-2 * s);
	}
	params.input_offset = 3;
	dw_test_run(&params, input, filter, NULL, dw_test_half, dw_test_unit_shift,
		    (const int8_t[]){57, -7, 67, -13, 87, -25, 97, -31});
}

Test(nn_depthwise_conv2d_s8, multiplier_two_orders_channels_by_input)
{
	/* 1x2 input with 2 channels: pixel 0 = (1, 10), pixel 1 = (2, 20).
	 * 1x2 filter, 4 output channels, [kx][oc]: (1 2 3 4), (5 6 7 8).
	 * oc 0 = (ic 0, m 0): 1*1 + 2*5 = 11;   oc 1 = (ic 0, m 1): 1*2 + 2*6 = 14
	 * oc 2 = (ic 1, m 0): 10*3 + 20*7 = 170; oc 3 = (ic 1, m 1): 10*4 + 20*8 = 200
	 * bias (1, -2, 4, -8): 12, 12, 174, 192
	 * per channel x1, x2 (shift 2), x0.5 (shift 0), x0.25 (shift -1):
	 *   12, 24, 87, 48; output zero point -100: -88, -76, -13, -52 */
	struct nn_conv_params params = dw_test_params(1, 2, 2, 1, 2, 1, 1, 2);
	const int8_t input[4] = {1, 10, 2, 20};
	const int8_t filter[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const int32_t bias[4] = {1, -2, 4, -8};
	const int32_t shift[4] = {1, 2, 0, -1};

	params.output_offset = -100;
	dw_test_run(&params, input, filter, bias, dw_test_half, shift,
		    (const int8_t[]){-88, -76, -13, -52});
}

Test(nn_depthwise_conv2d_s8, multiplier_two_with_same_padding)
{
	/* 2x2 input, one channel, real values (1 2 / 3 4) stored with zero
	 * point -128 (input_offset 128): -127 -126 -125 -124. A kernel that
	 * read padding as stored zeros would add 128 per padded tap.
	 * 3x3 filter, pad 1, depth multiplier 2, [ky][kx][oc]:
	 *   oc 0 all ones: every window holds all four pixels -> 10
	 *   oc 1 w[ky][kx] = 3ky + kx; output (oy,ox) meets pixel (y,x) at
	 *   tap (y - oy + 1, x - ox + 1):
	 *   (0,0): 1*4 + 2*5 + 3*7 + 4*8 = 67   (0,1): 1*3 + 2*4 + 3*6 + 4*7 = 57
	 *   (1,0): 1*1 + 2*2 + 3*4 + 4*5 = 37   (1,1): 1*0 + 2*1 + 3*3 + 4*4 = 27 */
	struct nn_conv_params params = dw_test_params(2, 2, 1, 3, 3, 2, 2, 2);
	const int8_t input[4] = {-127, -126, -125, -124};
	int8_t filter[18];

	for (int tap = 0; tap < 9; tap++) {
		filter[2 * tap] = 1;
		filter[2 * tap + 1] = (int8_t)tap;
	}
	params.pad_top = 1;
	params.pad_left = 1;
	params.input_offset = 128;
	dw_test_run(&params, input, filter, NULL, dw_test_half, dw_test_unit_shift,
		    (const int8_t[]){10, 67, 10, 57, 10, 37, 10, 27});
}

Test(nn_depthwise_conv2d_s8, batches_stride_and_clamp)
{
	/* Two batches of a 1x3 input, one channel, 1x1 filter of 100, stride
	 * 2 across: outputs come from x = 0 and x = 2.
	 * batch 0: (1, 9, -2) -> 100, -200; batch 1: (2, 9, -1) -> 200, -100
	 * x0.5: 50, -100, 100, -50; activation [-60, 90]: 50, -60, 90, -50 */
	struct nn_conv_params params = dw_test_params(1, 3, 1, 1, 1, 1, 2, 1);
	const int8_t input[6] = {1, 9, -2, 2, 9, -1};
	const int8_t filter[1] = {100};
	const int32_t shift[1] = {0};

	params.batches = 2;
	params.stride_width = 2;
	params.activation_min = -60;
	params.activation_max = 90;
	dw_test_run(&params, input, filter, NULL, dw_test_half, shift,
		    (const int8_t[]){50, -60, 90, -50});
}

/* ---- random shapes against a naive reference ---- */

static uint32_t dw_test_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static int32_t dw_test_between(uint32_t *state, int32_t low, int32_t high)
{
	return low + (int32_t)(dw_test_random(state) % (uint32_t)(high - low + 1));
}

static int64_t dw_test_floor_div(int64_t numerator, int64_t denominator)
{
	int64_t quotient = numerator / denominator;
	if (numerator % denominator != 0 && (numerator < 0) != (denominator < 0))
		quotient--;
	return quotient;
}

/* MultiplyByQuantizedMultiplier from its definition, on exact 64-bit
 * values: round(x * m / 2^31) ties up, then / 2^right ties away from zero. */
static int32_t dw_test_requantize(int64_t acc, int32_t multiplier, int32_t shift)
{
	const int64_t scaled = acc * ((int64_t)1 << (shift > 0 ? shift : 0));
	const int32_t right = shift > 0 ? 0 : -shift;
	int64_t high;
	int64_t magnitude;

	cr_assert(scaled >= INT32_MIN && scaled <= INT32_MAX, "test chose an overflowing shift");
	high = dw_test_floor_div(scaled * multiplier + ((int64_t)1 << 30), (int64_t)1 << 31);
	if (right == 0)
		return (int32_t)high;
	magnitude = dw_test_floor_div((high < 0 ? -high : high) + ((int64_t)1 << (right - 1)),
				      (int64_t)1 << right);
	return (int32_t)(high < 0 ? -magnitude : magnitude);
}

/* One output value; the padding is the real value zero. */
static int64_t dw_test_cell(const struct nn_conv_params *params, const int8_t *input,
			    const int8_t *filter, int32_t b, int32_t oy, int32_t ox, int32_t oc)
{
	const int32_t ic = oc / params->depth_multiplier;
	int64_t acc = 0;

	for (int32_t ky = 0; ky < params->filter_height; ky++)
		for (int32_t kx = 0; kx < params->filter_width; kx++) {
			const int32_t y = oy * params->stride_height - params->pad_top +
					  ky * params->dilation_height;
			const int32_t x = ox * params->stride_width - params->pad_left +
					  kx * params->dilation_width;
			int64_t value = 0;
			if (y >= 0 && y < params->input_height && x >= 0 && x < params->input_width)
				value =
				    input[((b * params->input_height + y) * params->input_width +
					   x) *
					      params->input_channels +
					  ic] +
				    params->input_offset;
			acc +=
			    value *
			    filter[(ky * params->filter_width + kx) * params->output_channels + oc];
		}
	return acc;
}

Test(nn_depthwise_conv2d_s8, random_shapes_match_naive_reference)
{
	static int8_t input[2 * 8 * 8 * 4];
	static int8_t filter[4 * 4 * 12];
	static int8_t got[2 * 8 * 8 * 12 + 4];
	int32_t bias[12];
	int32_t multiplier[12];
	int32_t shift[12];
	uint32_t state = 0xDEC0DE05u;
	int unclamped = 0;
	int total = 0;

	for (int round = 0; round < 300; round++) {
		struct nn_conv_params params = dw_test_params(
		    dw_test_between(&state, 1, 8), dw_test_between(&state, 1, 8),
		    dw_test_between(&state, 1, 4), dw_test_between(&state, 1, 4),
		    dw_test_between(&state, 1, 4), 0, 0, dw_test_between(&state, 1, 3));
		int32_t extent_y;
		int32_t extent_x;
		int32_t padded_height;
		int32_t padded_width;
		int32_t count;
		int32_t i = 0;

		params.batches = dw_test_between(&state, 1, 2);
		params.stride_height = dw_test_between(&state, 1, 3);
		params.stride_width = dw_test_between(&state, 1, 3);
		params.dilation_height = dw_test_between(&state, 1, 2);
		params.dilation_width = dw_test_between(&state, 1, 2);
		extent_y = (params.filter_height - 1) * params.dilation_height + 1;
		extent_x = (params.filter_width - 1) * params.dilation_width + 1;
		params.pad_top = dw_test_between(&state, 0, extent_y - 1);
		params.pad_left = dw_test_between(&state, 0, extent_x - 1);
		padded_height =
		    params.input_height + params.pad_top + dw_test_between(&state, 0, extent_y - 1);
		padded_width =
		    params.input_width + params.pad_left + dw_test_between(&state, 0, extent_x - 1);
		if (padded_height < extent_y || padded_width < extent_x)
			continue;
		params.output_height = (padded_height - extent_y) / params.stride_height + 1;
		params.output_width = (padded_width - extent_x) / params.stride_width + 1;
		params.input_offset = dw_test_between(&state, -127, 128);
		params.output_offset = dw_test_between(&state, -128, 127);

		for (int32_t k = 0; k < params.batches * params.input_height * params.input_width *
					    params.input_channels;
		     k++)
			input[k] = (int8_t)dw_test_random(&state);
		for (int32_t k = 0;
		     k < params.filter_height * params.filter_width * params.output_channels; k++)
			filter[k] = (int8_t)dw_test_random(&state);
		for (int32_t oc = 0; oc < params.output_channels; oc++) {
			int32_t depth = params.filter_height * params.filter_width;
			bias[oc] = dw_test_between(&state, -2000, 2000);
			multiplier[oc] = dw_test_between(&state, 1 << 30, INT32_MAX);
			/* About 2^-7 / sqrt(depth), as in the conv test. */
			shift[oc] = -dw_test_between(&state, 6, 8);
			for (; depth >= 4; depth /= 4)
				shift[oc]--;
			if (dw_test_between(&state, 0, 9) == 0)
				shift[oc] = 2;
		}

		count = params.batches * params.output_height * params.output_width *
			params.output_channels;
		memset(got, 0x5A, sizeof got);
		nn_depthwise_conv2d_s8(&params, input, filter, round % 4 ? bias : NULL, multiplier,
				       shift, got);
		for (int32_t b = 0; b < params.batches; b++)
			for (int32_t oy = 0; oy < params.output_height; oy++)
				for (int32_t ox = 0; ox < params.output_width; ox++)
					for (int32_t oc = 0; oc < params.output_channels;
					     oc++, i++) {
						const int64_t acc =
						    dw_test_cell(&params, input, filter, b, oy, ox,
								 oc) +
						    (round % 4 ? bias[oc] : 0);
						int64_t value =
						    dw_test_requantize(acc, multiplier[oc],
								       shift[oc]) +
						    params.output_offset;
						unclamped += value > -128 && value < 127;
						value = value < -128  ? -128
							: value > 127 ? 127
								      : value;
						cr_assert_eq(
						    got[i], value,
						    "round %d output %d: expected %d, got %d",
						    round, (int)i, (int)value, got[i]);
					}
		for (int32_t k = count; k < count + 4; k++)
			cr_assert_eq(got[k], 0x5A, "round %d: wrote past the output", round);
		total += count;
	}
	cr_expect_gt(unclamped * 2, total, "%d of %d outputs unclamped", unclamped, total);
}
