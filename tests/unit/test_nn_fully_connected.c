/*
 * int8 fully-connected kernel and its requantizer (target-fw/nn/), checked
 * against values worked out by hand with TFLite's rounding rules, and the
 * random layer against an independent
 * reference written here from the rules, not from the kernel's code.
 *
 * The two rounding steps of TFLite's MultiplyByQuantizedMultiplier:
 *  1. SaturatingRoundingDoublingHighMul(a, b) = round(a * b / 2^31) with
 *     ties toward +infinity (gemmlowp adds 2^30, or 1 - 2^30 for negative
 *     products, and truncates toward zero; both are floor((ab + 2^30) / 2^31)),
 *     so 1.5 -> 2 but -1.5 -> -1.
 *  2. RoundingDivideByPOT(x, e) = x / 2^e rounded with ties away from zero:
 *     1.5 -> 2, -1.5 -> -2.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"
#include "nn_requantize.h"

#define NN_TEST_HALF (1 << 30) /* 0.5 as a Q31 multiplier */

Test(nn_requantize, doubling_high_mul)
{
	cr_expect_eq(nn_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX, "the one overflow");
	cr_expect_eq(nn_doubling_high_mul(INT32_MIN, INT32_MAX), -2147483647);
	cr_expect_eq(nn_doubling_high_mul(INT32_MAX, INT32_MIN), -2147483647);
	/* (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31 */
	cr_expect_eq(nn_doubling_high_mul(INT32_MAX, INT32_MAX), 2147483646);
	cr_expect_eq(nn_doubling_high_mul(INT32_MIN, NN_TEST_HALF), -1073741824);
	cr_expect_eq(nn_doubling_high_mul(0, INT32_MIN), 0);
	cr_expect_eq(nn_doubling_high_mul(10, NN_TEST_HALF), 5);
	/* Ties: +0.5 -> 1, -0.5 -> 0, +1.5 -> 2, -1.5 -> -1 */
	cr_expect_eq(nn_doubling_high_mul(1, NN_TEST_HALF), 1);
	cr_expect_eq(nn_doubling_high_mul(-1, NN_TEST_HALF), 0);
	cr_expect_eq(nn_doubling_high_mul(3, NN_TEST_HALF), 2);
	cr_expect_eq(nn_doubling_high_mul(-3, NN_TEST_HALF), -1);
	/* Just below and above a tie: 1000 * (2^31 - 1) / 2^31 = 999.9999995 */
	cr_expect_eq(nn_doubling_high_mul(1000, INT32_MAX), 1000);
	cr_expect_eq(nn_doubling_high_mul(-1000, INT32_MAX), -1000);
}

Test(nn_requantize, rounding_divide_by_pot)
{
	cr_expect_eq(nn_rounding_divide_by_pot(12345, 0), 12345);
	cr_expect_eq(nn_rounding_divide_by_pot(-12345, 0), -12345);
	/* Ties go away from zero, for both signs. */
	cr_expect_eq(nn_rounding_divide_by_pot(5, 1), 3);   /* 2.5 */
	cr_expect_eq(nn_rounding_divide_by_pot(-5, 1), -3); /* -2.5 */
	cr_expect_eq(nn_rounding_divide_by_pot(3, 1), 2);   /* 1.5 */
	cr_expect_eq(nn_rounding_divide_by_pot(-3, 1), -2); /* -1.5 */
	cr_expect_eq(nn_rounding_divide_by_pot(6, 2), 2);   /* 1.5 */
	cr_expect_eq(nn_rounding_divide_by_pot(-6, 2), -2);
	cr_expect_eq(nn_rounding_divide_by_pot(2, 2), 1);   /* 0.5 */
	cr_expect_eq(nn_rounding_divide_by_pot(-2, 2), -1); /* -0.5 */
	/* Not ties: nearest. */
	cr_expect_eq(nn_rounding_divide_by_pot(1, 2), 0); /* 0.25 */
	cr_expect_eq(nn_rounding_divide_by_pot(-1, 2), 0);
	cr_expect_eq(nn_rounding_divide_by_pot(7, 2), 2); /* 1.75 */
	cr_expect_eq(nn_rounding_divide_by_pot(-7, 2), -2);
	cr_expect_eq(nn_rounding_divide_by_pot(-9, 3), -1); /* -1.125 */
	/* Largest exponent. */
	cr_expect_eq(nn_rounding_divide_by_pot(INT32_MIN, 31), -1);
	cr_expect_eq(nn_rounding_divide_by_pot(INT32_MAX, 31), 1);
	cr_expect_eq(nn_rounding_divide_by_pot(1 << 30, 31), 1);     /* 0.5 */
	cr_expect_eq(nn_rounding_divide_by_pot(-(1 << 30), 31), -1); /* -0.5 */
	cr_expect_eq(nn_rounding_divide_by_pot((1 << 30) - 1, 31), 0);
}

Test(nn_requantize, multiply_by_quantized_multiplier)
{
	/* 0.5, shift 0: only step 1 rounds (ties toward +infinity). */
	cr_expect_eq(nn_requantize(10, NN_TEST_HALF, 0), 5);
	cr_expect_eq(nn_requantize(7, NN_TEST_HALF, 0), 4);   /* 3.5 */
	cr_expect_eq(nn_requantize(-7, NN_TEST_HALF, 0), -3); /* -3.5 */
	cr_expect_eq(nn_requantize(0, NN_TEST_HALF, 0), 0);
	/* 0.25 = 0.5 with shift -1: both steps round. */
	cr_expect_eq(nn_requantize(6, NN_TEST_HALF, -1), 2);	/* 3 -> 1.5 -> 2 */
	cr_expect_eq(nn_requantize(-6, NN_TEST_HALF, -1), -2);	/* -3 -> -1.5 -> -2 */
	cr_expect_eq(nn_requantize(-10, NN_TEST_HALF, -1), -3); /* -5 -> -2.5 -> -3 */
	/* Double rounding: 5 * 0.25 = 1.25, but 2.5 -> 3 then 1.5 -> 2. */
	cr_expect_eq(nn_requantize(5, NN_TEST_HALF, -1), 2);
	/* -7 * 0.25 = -1.75: -3.5 -> -3, then -1.5 -> -2. */
	cr_expect_eq(nn_requantize(-7, NN_TEST_HALF, -1), -2);
	/* Positive shifts are exact left shifts before the multiply. */
	cr_expect_eq(nn_requantize(12345, NN_TEST_HALF, 1), 12345);
	cr_expect_eq(nn_requantize(-12345, NN_TEST_HALF, 1), -12345);
	cr_expect_eq(nn_requantize(-3, NN_TEST_HALF, 3), -12);
	/* ~1.0 with shift -4: 40/16 = 2.5 -> 3, -2.5 -> -3, 1.5 -> 2. */
	cr_expect_eq(nn_requantize(40, INT32_MAX, -4), 3);
	cr_expect_eq(nn_requantize(-40, INT32_MAX, -4), -3);
	cr_expect_eq(nn_requantize(24, INT32_MAX, -4), 2);
	cr_expect_eq(nn_requantize(-24, INT32_MAX, -4), -2);
	/* 1e6 * 1518500250 / 2^31 = 707106.78 -> 707107; / 32 = 22097.09 -> 22097 */
	cr_expect_eq(nn_requantize(1000000, 1518500250, -5), 22097);
	cr_expect_eq(nn_requantize(-1000000, 1518500250, -5), -22097);
	/* The header's saturation of the left shift (TFLite leaves it undefined). */
	cr_expect_eq(nn_requantize(INT32_MAX, NN_TEST_HALF, 1), 1073741824);
	cr_expect_eq(nn_requantize(INT32_MIN, NN_TEST_HALF, 1), -1073741824);
}

/* Row 0 is (1, -1, 2), row 1 is (-2, 0, 1) in every 2x3 case below. */
static const int8_t nn_test_weights_2x3[6] = {1, -1, 2, -2, 0, 1};

/* The multiplier 0.5 with shift 1 is exactly 1.0: acc passes through. */
static const int32_t nn_test_half[4] = {NN_TEST_HALF, NN_TEST_HALF, NN_TEST_HALF, NN_TEST_HALF};
static const int32_t nn_test_unit_shift[4] = {1, 1, 1, 1};

static struct nn_fc_params nn_test_params(int32_t inputs, int32_t outputs, int32_t batches,
					  int32_t input_offset, int32_t output_offset)
{
	struct nn_fc_params params = {
	    .input_count = inputs,
	    .output_count = outputs,
	    .batches = batches,
	    .input_offset = input_offset,
	    .output_offset = output_offset,
	    .activation_min = -128,
	    .activation_max = 127,
	};
	return params;
}

/* Runs the kernel into a buffer with a guard byte after the outputs. */
static void nn_test_run(const struct nn_fc_params *params, const int8_t *input,
			const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
			const int32_t *shift, const int8_t *expected)
{
	int8_t output[17];
	const int32_t count = params->batches * params->output_count;

	cr_assert_lt(count, 17);
	memset(output, 0x5A, sizeof output);
	nn_fully_connected_s8(params, input, weights, bias, multiplier, shift, output);
	for (int32_t i = 0; i < count; i++)
		cr_expect_eq(output[i], expected[i], "output %d: expected %d, got %d", (int)i,
			     expected[i], output[i]);
	cr_expect_eq(output[count], 0x5A, "wrote past the output");
}

Test(nn_fully_connected, input_and_output_offsets)
{
	/* input_offset 1: (1, 2, 3) + 1 = (2, 3, 4)
	 * row 0: 2 - 3 + 8 = 7, + bias 10 = 17, x1.0, + output_offset 5 = 22
	 * row 1: -4 + 0 + 4 = 0, + bias -3 = -3, x1.0, + 5 = 2 */
	struct nn_fc_params params = nn_test_params(3, 2, 1, 1, 5);
	const int8_t input[3] = {1, 2, 3};
	const int32_t bias[2] = {10, -3};

	nn_test_run(&params, input, nn_test_weights_2x3, bias, nn_test_half, nn_test_unit_shift,
		    (const int8_t[]){22, 2});
}

Test(nn_fully_connected, per_channel_rounding)
{
	/* input (1, 2, 3), no offsets; multipliers 0.5 (shift 0) and 0.25
	 * (0.5, shift -1).
	 * row 0: 1 - 2 + 6 = 5, bias -12 -> -7; -7 * 0.5 = -3.5 -> -3 (step 1)
	 * row 1: -2 + 0 + 3 = 1, bias -8 -> -7; -3.5 -> -3, / 2 = -1.5 -> -2 */
	struct nn_fc_params params = nn_test_params(3, 2, 1, 0, 0);
	const int8_t input[3] = {1, 2, 3};
	const int32_t bias[2] = {-12, -8};
	const int32_t shift[2] = {0, -1};

	nn_test_run(&params, input, nn_test_weights_2x3, bias, nn_test_half, shift,
		    (const int8_t[]){-3, -2});
	/* Positive: bias 2 and 0 -> 7 * 0.5 = 3.5 -> 4; 1 * 0.25: 0.5 -> 1, 0.5 -> 1 */
	const int32_t bias_positive[2] = {2, 0};
	nn_test_run(&params, input, nn_test_weights_2x3, bias_positive, nn_test_half, shift,
		    (const int8_t[]){4, 1});
}

Test(nn_fully_connected, saturates_at_int8_limits)
{
	/* 3 x 127 x 127 = 48387 -> 127; 3 x 127 x -128 = -48768 -> -128 */
	struct nn_fc_params params = nn_test_params(3, 2, 1, 0, 0);
	const int8_t input[3] = {127, 127, 127};
	const int8_t weights[6] = {127, 127, 127, -128, -128, -128};

	nn_test_run(&params, input, weights, NULL, nn_test_half, nn_test_unit_shift,
		    (const int8_t[]){127, -128});
}

Test(nn_fully_connected, exact_limits_and_one_past)
{
	/* One input of 1: acc = weight + bias.
	 * 127 + 1 = 128 -> 127; -128 - 1 = -129 -> -128; 127 and -128 pass. */
	struct nn_fc_params params = nn_test_params(1, 4, 1, 0, 0);
	const int8_t input[1] = {1};
	const int8_t weights[4] = {127, -128, 127, -128};
	const int32_t bias[4] = {1, -1, 0, 0};

	nn_test_run(&params, input, weights, bias, nn_test_half, nn_test_unit_shift,
		    (const int8_t[]){127, -128, 127, -128});
}

Test(nn_fully_connected, relu_clamp_through_activation_min)
{
	/* Output zero point 3: RELU clamps at 3 (the real value 0).
	 * row 0: 1 - 2 + 6 = 5, bias -20 -> -15, + 3 = -12 -> 3
	 * row 1: -2 + 0 + 3 = 1, bias 20 -> 21, + 3 = 24 */
	struct nn_fc_params params = nn_test_params(3, 2, 1, 0, 3);
	const int8_t input[3] = {1, 2, 3};
	const int32_t bias[2] = {-20, 20};

	params.activation_min = 3;
	nn_test_run(&params, input, nn_test_weights_2x3, bias, nn_test_half, nn_test_unit_shift,
		    (const int8_t[]){3, 24});
	/* A RELU6-style upper clamp at 20. */
	params.activation_max = 20;
	nn_test_run(&params, input, nn_test_weights_2x3, bias, nn_test_half, nn_test_unit_shift,
		    (const int8_t[]){3, 20});
}

Test(nn_fully_connected, zero_points_at_int8_extremes)
{
	/* Input zero point -128 (input_offset 128), output zero point -128:
	 * (-128, -128, 127) + 128 = (0, 0, 255)
	 * row 0: 0 - 0 + 510 = 510; x0.125 (0.5, shift -2): 255 -> 63.75 -> 64; - 128 = -64
	 * row 1: 0 + 0 + 255 = 255; 127.5 -> 128 -> 32; - 128 = -96 */
	struct nn_fc_params low = nn_test_params(3, 2, 1, 128, -128);
	const int32_t shift_eighth[2] = {-2, -2};

	nn_test_run(&low, (const int8_t[]){-128, -128, 127}, nn_test_weights_2x3, NULL,
		    nn_test_half, shift_eighth, (const int8_t[]){-64, -96});

	/* Input zero point 127 (input_offset -127), output zero point 127:
	 * (127, -128, 0) - 127 = (0, -255, -127)
	 * row 0: 0 + 255 - 254 = 1, + 127 = 128 -> 127
	 * row 1: 0 + 0 - 127 = -127, + 127 = 0 */
	struct nn_fc_params high = nn_test_params(3, 2, 1, -127, 127);
	nn_test_run(&high, (const int8_t[]){127, -128, 0}, nn_test_weights_2x3, NULL, nn_test_half,
		    nn_test_unit_shift, (const int8_t[]){127, 0});
}

Test(nn_fully_connected, two_batches_without_bias)
{
	/* batch 0 (1, 2, 3):  row 0: 1 - 2 + 6 = 5;   row 1: -2 + 0 + 3 = 1
	 * batch 1 (-3, 0, 5): row 0: -3 - 0 + 10 = 7; row 1: 6 + 0 + 5 = 11 */
	struct nn_fc_params params = nn_test_params(3, 2, 2, 0, 0);
	const int8_t input[6] = {1, 2, 3, -3, 0, 5};

	nn_test_run(&params, input, nn_test_weights_2x3, NULL, nn_test_half, nn_test_unit_shift,
		    (const int8_t[]){5, 1, 7, 11});
	/* input_offset 2 applies to every batch:
	 * batch 0 (3, 4, 5):  row 0: 3 - 4 + 10 = 9;  row 1: -6 + 0 + 5 = -1
	 * batch 1 (-1, 2, 7): row 0: -1 - 2 + 14 = 11; row 1: 2 + 0 + 7 = 9 */
	params.input_offset = 2;
	nn_test_run(&params, input, nn_test_weights_2x3, NULL, nn_test_half, nn_test_unit_shift,
		    (const int8_t[]){9, -1, 11, 9});
}

/* ---- a random layer against an independent reference ---- */

static int64_t nn_test_floor_div(int64_t numerator, int64_t denominator)
{
	int64_t quotient = numerator / denominator;
	if ((numerator % denominator != 0) && ((numerator < 0) != (denominator < 0)))
		quotient--;
	return quotient;
}

/* The two rounding steps written from their definitions (see the top of
 * this file) with floor division on exact 64-bit products. */
static int32_t nn_test_reference_requantize(int32_t acc, int32_t multiplier, int32_t shift)
{
	const int64_t left = shift > 0 ? shift : 0;
	const int64_t right = shift > 0 ? 0 : -shift;
	const int64_t scaled = (int64_t)acc * ((int64_t)1 << left);
	int64_t high;

	/* The test layer never needs the saturation, so the reference does not model it. */
	cr_assert(scaled >= INT32_MIN && scaled <= INT32_MAX, "left shift overflows");
	cr_assert(multiplier >= (1 << 30), "test multipliers are in [0.5, 1)");
	/* Step 1: round half up. */
	high = nn_test_floor_div(scaled * multiplier + ((int64_t)1 << 30), (int64_t)1 << 31);
	/* Cross-check step 1 against real arithmetic: within half a unit. */
	const double exact = (double)scaled * (double)multiplier / 2147483648.0;
	cr_assert(high - exact <= 0.5 + 1e-6 && exact - high < 0.5 + 1e-6);
	if (right == 0)
		return (int32_t)high;
	/* Step 2: round half away from zero, on the magnitude. */
	const int64_t half = (int64_t)1 << (right - 1);
	const int64_t magnitude = high < 0 ? -high : high;
	const int64_t rounded = nn_test_floor_div(magnitude + half, (int64_t)1 << right);
	return (int32_t)(high < 0 ? -rounded : rounded);
}

#define NN_TEST_INPUTS	256
#define NN_TEST_OUTPUTS 64

struct nn_test_layer {
	int8_t weights[NN_TEST_OUTPUTS * NN_TEST_INPUTS];
	int32_t bias[NN_TEST_OUTPUTS];
	int32_t multiplier[NN_TEST_OUTPUTS];
	int32_t shift[NN_TEST_OUTPUTS];
	struct nn_fc_params params;
};

static uint32_t nn_test_xorshift32(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* A random layer whose multipliers lie in [0.5, 1) with shifts of both signs. */
static void nn_test_make_layer(struct nn_test_layer *layer)
{
	uint32_t state = 0x48494C42u;

	for (int i = 0; i < NN_TEST_OUTPUTS * NN_TEST_INPUTS; i++)
		layer->weights[i] = (int8_t)(nn_test_xorshift32(&state) & 0xFF);
	for (int o = 0; o < NN_TEST_OUTPUTS; o++) {
		layer->bias[o] = (int32_t)(nn_test_xorshift32(&state) % 200001u) - 100000;
		layer->multiplier[o] =
		    (int32_t)(0x40000000u + (nn_test_xorshift32(&state) & 0x3FFFFFFFu));
		layer->shift[o] =
		    -(int32_t)(8 + nn_test_xorshift32(&state) % 6) + (o % 16 == 0 ? 9 : 0);
	}
	memset(&layer->params, 0, sizeof layer->params);
	layer->params.input_count = NN_TEST_INPUTS;
	layer->params.output_count = NN_TEST_OUTPUTS;
	layer->params.batches = 1;
	layer->params.input_offset = 3;
	layer->params.output_offset = -5;
	layer->params.activation_min = -128;
	layer->params.activation_max = 127;
}

static void nn_test_reference_layer(const struct nn_test_layer *layer, const int8_t *input,
				    int8_t *output, int *saturated)
{
	for (int o = 0; o < NN_TEST_OUTPUTS; o++) {
		int64_t acc = layer->bias[o];
		for (int i = 0; i < NN_TEST_INPUTS; i++)
			acc += (int64_t)(input[i] + layer->params.input_offset) *
			       layer->weights[o * NN_TEST_INPUTS + i];
		cr_assert(acc >= INT32_MIN && acc <= INT32_MAX);
		int64_t value = nn_test_reference_requantize((int32_t)acc, layer->multiplier[o],
							     layer->shift[o]) +
				layer->params.output_offset;
		if (value < -128 || value > 127)
			(*saturated)++;
		output[o] = (int8_t)(value < -128 ? -128 : value > 127 ? 127 : value);
	}
}

Test(nn_fully_connected, random_layer_matches_independent_reference)
{
	static struct nn_test_layer layer;
	int8_t input[NN_TEST_INPUTS];
	int8_t got[NN_TEST_OUTPUTS];
	int8_t expected[NN_TEST_OUTPUTS];
	uint32_t state = 0x12345678u;
	int saturated = 0;
	int distinct = 0;

	nn_test_make_layer(&layer);
	for (int pattern = 0; pattern < 6; pattern++) {
		for (int i = 0; i < NN_TEST_INPUTS; i++) {
			switch (pattern) {
			case 0: input[i] = (int8_t)((i * 7) % 256 - 128); break;
			case 1: input[i] = -128; break;
			case 2: input[i] = 127; break;
			case 3: input[i] = -3; break; /* the zero point: only bias counts */
			default: input[i] = (int8_t)(nn_test_xorshift32(&state) & 0xFF); break;
			}
		}
		memset(got, 0x5A, sizeof got);
		nn_fully_connected_s8(&layer.params, input, layer.weights, layer.bias,
				      layer.multiplier, layer.shift, got);
		nn_test_reference_layer(&layer, input, expected, &saturated);
		for (int o = 0; o < NN_TEST_OUTPUTS; o++)
			cr_expect_eq(got[o], expected[o],
				     "pattern %d output %d: expected %d, got %d", pattern, o,
				     expected[o], got[o]);
		if (pattern == 0) {
			int seen[256] = {0};
			for (int o = 0; o < NN_TEST_OUTPUTS; o++)
				distinct += !seen[got[o] + 128]++;
		}
	}
	/* The comparison means something only if outputs vary and some clamp. */
	cr_expect_gt(distinct, 16, "only %d distinct outputs", distinct);
	cr_expect_gt(saturated, 0, "no output reached the int8 limits");
}
