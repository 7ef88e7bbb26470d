/*
 * int8 ADD (target-fw/nn/nn_add_s8.c). The parameters are derived here the
 * way TFLite's Prepare does for int8 (left shift 20, inputs rescaled to
 * twice the larger input scale, multipliers from frexp), and the expected
 * outputs are worked out independently, from the real-valued sum.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

struct add_test_quantization {
	double scale;
	int32_t zero_point;
};

/* TFLite's QuantizeMultiplier: real = multiplier * 2^shift / 2^31 with the
 * multiplier in [2^30, 2^31). */
static void add_test_quantize_multiplier(double real, int32_t *multiplier, int32_t *shift)
{
	int exponent;
	const double fraction = frexp(real, &exponent);
	int64_t fixed = (int64_t)llround(fraction * 2147483648.0);

	if (fixed == ((int64_t)1 << 31)) {
		fixed /= 2;
		exponent++;
	}
	*multiplier = (int32_t)fixed;
	*shift = exponent;
}

static struct nn_add_params add_test_prepare(struct add_test_quantization in1,
					     struct add_test_quantization in2,
					     struct add_test_quantization out, int32_t size)
{
	struct nn_add_params params = {
	    .size = size,
	    .input1_offset = -in1.zero_point,
	    .input2_offset = -in2.zero_point,
	    .left_shift = 20,
	    .output_offset = out.zero_point,
	    .activation_min = -128,
	    .activation_max = 127,
	};
	const double twice_max = 2.0 * (in1.scale > in2.scale ? in1.scale : in2.scale);

	add_test_quantize_multiplier(in1.scale / twice_max, &params.input1_multiplier,
				     &params.input1_shift);
	add_test_quantize_multiplier(in2.scale / twice_max, &params.input2_multiplier,
				     &params.input2_shift);
	add_test_quantize_multiplier(twice_max / ((double)(1 << 20) * out.scale),
				     &params.output_multiplier, &params.output_shift);
	return params;
}

Test(nn_add_s8, prepare_matches_hand_derivation)
{
	/* Scales 0.5 and 0.25, output 0.75: twice the larger is 1.0, so the
	 * input multipliers are 0.5 (2^30, shift 0) and 0.25 (2^30, shift -1);
	 * the output one is 1 / (0.75 * 2^20) = (2/3) * 2^-19:
	 * round(2/3 * 2^31) = 1431655765, shift -19. */
	const struct nn_add_params params = add_test_prepare(
	    (struct add_test_quantization){0.5, -10}, (struct add_test_quantization){0.25, 20},
	    (struct add_test_quantization){0.75, 3}, 1);

	cr_expect_eq(params.input1_multiplier, 1 << 30);
	cr_expect_eq(params.input1_shift, 0);
	cr_expect_eq(params.input2_multiplier, 1 << 30);
	cr_expect_eq(params.input2_shift, -1);
	cr_expect_eq(params.output_multiplier, 1431655765);
	cr_expect_eq(params.output_shift, -19);
	cr_expect_eq(params.input1_offset, 10);
	cr_expect_eq(params.input2_offset, -20);
}

Test(nn_add_s8, different_scales_by_hand)
{
	/* Input 1: scale 0.5, zero point -10; input 2: scale 0.25, zero point
	 * 20; output: scale 0.75, zero point 3.
	 *   q1    q2    real1 + real2           / 0.75           out
	 *    0     0     5    +  -5   = 0        0                 3
	 *   10    20    10    +   0   = 10      13.33 -> 13       16
	 *  -10    22     0    + 0.5   = 0.5      0.67 -> 1         4
	 *  -11    21  -0.5    + 0.25  = -0.25   -0.33 -> 0         3
	 *  -12    20    -1    +   0   = -1      -1.33 -> -1        2
	 * -128  -128   -59    + -37   = -96    -128              -125
	 *  127   127  68.5    + 26.75 = 95.25   127               130 -> 127
	 *  100  -128    55    + -37   = 18      24                27
	 * In fixed point, e.g. q1 = -12: (-12 + 10) * 2^20 = -2097152, x0.5 =
	 * -1048576 exactly; q2 adds 0; x1431655765 / 2^31 = -699050.67 ->
	 * -699051; / 2^19 = -1.33 -> -1; + 3 = 2. */
	const struct nn_add_params params = add_test_prepare(
	    (struct add_test_quantization){0.5, -10}, (struct add_test_quantization){0.25, 20},
	    (struct add_test_quantization){0.75, 3}, 8);
	const int8_t input1[8] = {0, 10, -10, -11, -12, -128, 127, 100};
	const int8_t input2[8] = {0, 20, 22, 21, 20, -128, 127, -128};
	const int8_t expected[8] = {3, 16, 4, 3, 2, -125, 127, 27};
	int8_t output[12];

	memset(output, 0x5A, sizeof output);
	nn_add_s8(&params, input1, input2, output);
	for (int i = 0; i < 8; i++)
		cr_expect_eq(output[i], expected[i], "output %d: expected %d, got %d", i,
			     expected[i], output[i]);
	for (int i = 8; i < 12; i++)
		cr_expect_eq(output[i], 0x5A, "wrote past the output");
}

Test(nn_add_s8, exact_ties_round_away_from_zero)
{
	/* Scales 0.5, 0.5 -> 1.0, zero points 0: every multiplier is a power
	 * of two, so the sum reaches the last rounding exactly:
	 * (q1 + q2) / 2 with ties away from zero.
	 * 1 + 0 = 0.5 -> 1; -1 + 0 -> -1; 3 + 0 -> 2; -3 + 0 -> -2;
	 * 127 + 127 -> 127; -128 + -128 -> -128; 5 + -2 = 1.5 -> 2 */
	const struct nn_add_params params = add_test_prepare(
	    (struct add_test_quantization){0.5, 0}, (struct add_test_quantization){0.5, 0},
	    (struct add_test_quantization){1.0, 0}, 7);
	const int8_t input1[7] = {1, -1, 3, -3, 127, -128, 5};
	const int8_t input2[7] = {0, 0, 0, 0, 127, -128, -2};
	const int8_t expected[7] = {1, -1, 2, -2, 127, -128, 2};
	int8_t output[7];

	cr_assert_eq(params.output_multiplier, 1 << 30);
	cr_assert_eq(params.output_shift, -19);
	nn_add_s8(&params, input1, input2, output);
	for (int i = 0; i < 7; i++)
		cr_expect_eq(output[i], expected[i], "output %d: expected %d, got %d", i,
			     expected[i], output[i]);
}

Test(nn_add_s8, relu_clamp)
{
	/* Same quantisation as the hand case, output zero point 3: RELU keeps
	 * outputs at or above 3, and a max of 20 caps them. */
	struct nn_add_params params = add_test_prepare((struct add_test_quantization){0.5, -10},
						       (struct add_test_quantization){0.25, 20},
						       (struct add_test_quantization){0.75, 3}, 4);
	const int8_t input1[4] = {-12, -128, 10, 127};
	const int8_t input2[4] = {20, -128, 20, 127};
	int8_t output[4];

	params.activation_min = 3;
	params.activation_max = 20;
	nn_add_s8(&params, input1, input2, output);
	cr_expect_eq(output[0], 3);  /* 2 */
	cr_expect_eq(output[1], 3);  /* -125 */
	cr_expect_eq(output[2], 16); /* 16 */
	cr_expect_eq(output[3], 20); /* 130 */
}

/*
 * Every pair of int8 inputs against round(real sum / output scale) in
 * double. Why that is the kernel's answer: the fixed-point path deviates
 * from the exact value v = (s1 (q1 - z1) + s2 (q2 - z2)) / s_out by
 *   - at most 1 unit of 2^-20 * twice_max per input from its two roundings,
 *     plus 2^-31 relative from the quantised multipliers (< 0.1 unit for
 *     |q - z| <= 255 at 2^20), so < 2.2 units in the raw sum, worth
 *     2.2 * twice_max / (2^20 s_out) output steps;
 *   - at most half a unit of 2^output_shift (about 2^-19) in the output
 *     multiply, before the last rounding.
 * With twice_max / s_out below 100 that is < 3e-4 of an output step, so
 * the last rounding picks round(v) whenever v is more than 1e-3 from a
 * half-integer; only those pairs are compared, and the test insists that
 * almost all of them are.
 */
static void add_test_exhaustive(struct add_test_quantization in1, struct add_test_quantization in2,
				struct add_test_quantization out)
{
	static int8_t input1[256 * 256];
	static int8_t input2[256 * 256];
	static int8_t output[256 * 256];
	const struct nn_add_params params = add_test_prepare(in1, in2, out, 256 * 256);
	const double twice_max = 2.0 * (in1.scale > in2.scale ? in1.scale : in2.scale);
	int compared = 0;
	int unclamped = 0;

	cr_assert_lt(twice_max / out.scale, 100.0);
	cr_assert_leq(params.input1_shift, 0);
	cr_assert_leq(params.input2_shift, 0);
	cr_assert_leq(params.output_shift, 0);
	for (int i = 0; i < 256 * 256; i++) {
		input1[i] = (int8_t)(i / 256 - 128);
		input2[i] = (int8_t)(i % 256 - 128);
	}
	nn_add_s8(&params, input1, input2, output);
	for (int i = 0; i < 256 * 256; i++) {
		const double real = in1.scale * (input1[i] - in1.zero_point) +
				    in2.scale * (input2[i] - in2.zero_point);
		const double steps = real / out.scale;
		const double fraction = steps - floor(steps);
		long expected;

		if (fabs(fraction - 0.5) < 1e-3)
			continue;
		expected = lround(steps) + out.zero_point;
		unclamped += expected > -128 && expected < 127;
		expected = expected < -128 ? -128 : expected > 127 ? 127 : expected;
		compared++;
		cr_assert_eq(output[i], expected, "%d + %d: expected %ld, got %d", input1[i],
			     input2[i], expected, output[i]);
	}
	cr_expect_gt(compared, 256 * 256 * 98 / 100, "only %d pairs away from ties", compared);
	cr_expect_gt(unclamped, 256 * 256 / 20, "only %d pairs unclamped", unclamped);
}

Test(nn_add_s8, all_pairs_close_scales)
{
	add_test_exhaustive((struct add_test_quantization){0.07, 5},
			    (struct add_test_quantization){0.031, -17},
			    (struct add_test_quantization){0.09, -3});
}

Test(nn_add_s8, all_pairs_far_apart_scales)
{
	/* Input 2 dominates (scale 128 times larger); input 1 still moves
	 * the result across rounding boundaries. */
	add_test_exhaustive((struct add_test_quantization){0.00390625, -128},
			    (struct add_test_quantization){0.5, 0},
			    (struct add_test_quantization){0.5, 10});
}

Test(nn_add_s8, all_pairs_fine_output)
{
	/* An output scale finer than both inputs: most sums clamp, the rest
	 * need the low bits the left shift keeps. */
	add_test_exhaustive((struct add_test_quantization){0.1, 0},
			    (struct add_test_quantization){0.13, 127},
			    (struct add_test_quantization){0.023, -50});
}
