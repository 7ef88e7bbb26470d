/*
 * int8 SOFTMAX (target-fw/nn/nn_softmax_s8.c) and its fixed-point helpers
 * (target-fw/nn/nn_fixed_point.h).
 *
 * The golden outputs below come from a separate Python port of gemmlowp's
 * fixedpoint.h (FixedPoint<int32_t, IntegerBits> as a class, operators
 * and Rescale as in the C++ templates) and of TFLite's reference int8
 * Softmax, written from those sources and not from the kernel; the kernel
 * agreed with it on 3000 random rows of random length and scale as well.
 * On top: properties any softmax must have, and agreement with a double
 * precision softmax to within one output step.
 *
 * Parameters as TFLite's PreprocessSoftmaxScaling(beta, input_scale, 5)
 * gives them: beta * input_scale * 2^26 as a Q31 multiplier and a left
 * shift, and diff_min = -floor(31 * 2^26 / 2^left_shift). For beta 1:
 *   scale 1/16: 2^22 = 0.5 * 2^23        -> 1073741824, 23, diff_min -248
 *   scale 0.1:  6710886.4 = 0.8 * 2^23   -> 1717986918, 23, diff_min -248
 *   scale 0.5:  2^25 = 0.5 * 2^26        -> 1073741824, 26, diff_min -31
 * beta 0.5, scale 0.25: 2^23 = 0.5 * 2^24 -> 1073741824, 24, diff_min -124
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"
#include "nn_fixed_point.h"

#define SOFTMAX_TEST_MAX_ROW 640

static struct nn_softmax_params softmax_test_params(int32_t multiplier, int32_t left_shift,
						    int32_t diff_min, int32_t rows,
						    int32_t row_size)
{
	struct nn_softmax_params params = {
	    .rows = rows,
	    .row_size = row_size,
	    .input_multiplier = multiplier,
	    .input_left_shift = left_shift,
	    .diff_min = diff_min,
	};
	return params;
}

/* TFLite's PreprocessSoftmaxScaling and CalculateInputRadius, in double. */
static struct nn_softmax_params softmax_test_prepare(double beta, double input_scale, int32_t rows,
						     int32_t row_size)
{
	int exponent;
	double real = beta * input_scale * (double)(1 << 26);
	double fraction;
	int64_t fixed;

	if (real > 2147483647.0)
		real = 2147483647.0;
	fraction = frexp(real, &exponent);
	fixed = (int64_t)llround(fraction * 2147483648.0);
	if (fixed == ((int64_t)1 << 31)) {
		fixed /= 2;
		exponent++;
	}
	cr_assert_geq(exponent, 0);
	return softmax_test_params((int32_t)fixed, exponent,
				   -(int32_t)floor(31.0 * (double)(1 << 26) / ldexp(1.0, exponent)),
				   rows, row_size);
}

static void softmax_test_run(const struct nn_softmax_params *params, const int8_t *input,
			     const int8_t *expected)
{
	int8_t output[SOFTMAX_TEST_MAX_ROW + 4];
	const int32_t count = params->rows * params->row_size;

	cr_assert_leq(count, SOFTMAX_TEST_MAX_ROW);
	memset(output, 0x5A, sizeof output);
	nn_softmax_s8(params, input, output);
	for (int32_t i = 0; i < count; i++)
		cr_expect_eq(output[i], expected[i], "output %d: expected %d, got %d", (int)i,
			     expected[i], output[i]);
	for (int32_t i = count; i < count + 4; i++)
		cr_expect_eq(output[i], 0x5A, "wrote past the output");
}

Test(nn_softmax_s8, prepare_matches_hand_derivation)
{
	const struct nn_softmax_params sixteenth = softmax_test_prepare(1.0, 0.0625, 1, 1);
	const struct nn_softmax_params tenth = softmax_test_prepare(1.0, 0.1, 1, 1);
	const struct nn_softmax_params half = softmax_test_prepare(1.0, 0.5, 1, 1);

	cr_expect_eq(sixteenth.input_multiplier, 1073741824);
	cr_expect_eq(sixteenth.input_left_shift, 23);
	cr_expect_eq(sixteenth.diff_min, -248);
	cr_expect_eq(tenth.input_multiplier, 1717986918);
	cr_expect_eq(tenth.input_left_shift, 23);
	cr_expect_eq(tenth.diff_min, -248);
	cr_expect_eq(half.input_multiplier, 1073741824);
	cr_expect_eq(half.input_left_shift, 26);
	cr_expect_eq(half.diff_min, -31);
}

Test(nn_softmax_s8, golden_rows_scale_sixteenth)
{
	/* Max 127: 100 is e^(-27/16) = 0.185 of it, 90 0.099, 80 0.053, ...;
	 * sum ~ 1.367, so 127 gets 0.7315 * 256 = 187.3 -> 187 - 128 = 59. */
	const struct nn_softmax_params ten = softmax_test_params(1073741824, 23, -248, 1, 10);
	softmax_test_run(&ten, (const int8_t[]){0, 16, 32, 48, 64, -128, 127, 100, 90, 80},
			 (const int8_t[]){-128, -128, -128, -127, -124, -128, 59, -93, -109, -118});

	/* Two rows in one call. Row 0: 4 x 0.25 = 64 steps: -64 each.
	 * Row 1: e^(-1/16) = 0.939; 1 / (1 + 3 * 0.939) = 0.2619 -> 67 -> -61,
	 * 0.2460 -> 63 -> -65. */
	const struct nn_softmax_params two_rows = softmax_test_params(1073741824, 23, -248, 2, 4);
	softmax_test_run(&two_rows, (const int8_t[]){5, 5, 5, 5, -128, -128, -128, -127},
			 (const int8_t[]){-64, -64, -64, -64, -65, -65, -65, -61});

	/* 127 - -128 = 255 is beyond diff_min -248: the cell is dropped and 127
	 * alone gets probability 1 -> 256 - 128 = 128, clamped to 127. */
	const struct nn_softmax_params pair = softmax_test_params(1073741824, 23, -248, 1, 2);
	softmax_test_run(&pair, (const int8_t[]){127, -128}, (const int8_t[]){127, -128});

	const struct nn_softmax_params ramp = softmax_test_params(1073741824, 23, -248, 1, 16);
	softmax_test_run(&ramp,
			 (const int8_t[]){10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5},
			 (const int8_t[]){-103, -105, -106, -108, -109, -110, -111, -112, -113,
					  -114, -115, -116, -116, -117, -118, -118});
}

Test(nn_softmax_s8, golden_rows_other_scales)
{
	const struct nn_softmax_params tenth = softmax_test_params(1717986918, 23, -248, 1, 8);
	softmax_test_run(&tenth, (const int8_t[]){-20, 0, 20, 40, 60, 80, 100, 120},
			 (const int8_t[]){-128, -128, -128, -128, -127, -124, -98, 93});

	/* diff_min -31: with max 2, -30 (diff -32) and below are dropped. */
	const struct nn_softmax_params half = softmax_test_params(1073741824, 26, -31, 1, 8);
	softmax_test_run(&half, (const int8_t[]){0, -30, -31, -32, -33, -100, 1, 2},
			 (const int8_t[]){-80, -128, -128, -128, -128, -128, -49, 2});

	/* beta 0.5, input scale 0.25. */
	const struct nn_softmax_params quarter = softmax_test_params(1073741824, 24, -124, 1, 9);
	softmax_test_run(&quarter, (const int8_t[]){12, -12, 0, 3, 7, 100, 99, 98, 97},
			 (const int8_t[]){-128, -128, -128, -128, -128, -52, -61, -68, -75});
}

Test(nn_softmax_s8, diff_min_cuts_cells_out_of_the_sum)
{
	/* Scale 1/16 with diff_min forced to -2: -3 and -100 are dropped, so
	 * they give -128 and do not count in the sum: 0 and -2 share it as
	 * 1 / (1 + e^(-1/8)) = 0.531 -> 136 -> 8 and 0.469 -> 120 -> -8.
	 * With the real diff_min (-248), -3 takes its share: -34 -45 -50. */
	struct nn_softmax_params params = softmax_test_params(1073741824, 23, -2, 1, 4);
	const int8_t input[4] = {0, -2, -3, -100};

	softmax_test_run(&params, input, (const int8_t[]){8, -8, -128, -128});
	params.diff_min = -248;
	softmax_test_run(&params, input, (const int8_t[]){-34, -45, -50, -128});
}

Test(nn_softmax_s8, equal_inputs_share_equally)
{
	static int8_t input[SOFTMAX_TEST_MAX_ROW];
	static int8_t expected[SOFTMAX_TEST_MAX_ROW];
	/* n cells: 256 / n steps each, minus 128.
	 * n = 1: 256 -> 127 (clamped); n = 2: 0; n = 3: 85.3 -> -43; n = 4: -64;
	 * n = 256: 1 -> -127; n = 300: 0.85 -> -127; n = 511: 0.501 -> -127.
	 * n = 600: 0.43 -> -128; TFLite refuses sums of 512 or more, the
	 * kernel rounds the quotient (below one half) to zero. */
	const int32_t sizes[] = {1, 2, 3, 4, 256, 300, 511, 600};
	const int8_t shares[] = {127, 0, -43, -64, -127, -127, -127, -128};

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		const struct nn_softmax_params params =
		    softmax_test_params(1073741824, 23, -248, 1, sizes[k]);
		memset(input, 0x2A, sizeof input);
		memset(expected, shares[k], sizeof expected);
		softmax_test_run(&params, input, expected);
	}
}

/* ---- the fixed-point helpers against double precision ---- */

Test(nn_softmax_s8, fixed_point_exp)
{
	double worst = 0.0;

	/* Golden raw values from the Python port. */
	cr_expect_eq(nn_fixed_exp_on_negative_values_q5(0), INT32_MAX);
	cr_expect_eq(nn_fixed_exp_on_negative_values_q5(-(1 << 26)), 790015308); /* e^-1 */
	cr_expect_eq(nn_fixed_exp_on_negative_values_q5(-(1 << 24)), 1672462419);
	cr_expect_eq(nn_fixed_exp_on_negative_values_q5(-(3 << 25)), 479168506);
	cr_expect_eq(nn_fixed_exp_on_negative_values_q5(-12345678), 1786631188);
	cr_expect_eq(nn_fixed_exp_on_negative_values_q5(-(5 << 26)), 14469635);
	cr_expect_eq(nn_fixed_exp_on_negative_values_q5(INT32_MIN), 0);
	for (int64_t a = INT32_MIN; a <= 0; a += 104729 * 7) {
		const double got = nn_fixed_exp_on_negative_values_q5((int32_t)a) / 2147483648.0;
		const double error = fabs(got - exp((double)a / (double)(1 << 26)));
		if (error > worst)
			worst = error;
	}
	cr_expect_lt(worst, 1e-6, "exp off by %g", worst);
}

Test(nn_softmax_s8, fixed_point_reciprocal)
{
	double worst = 0.0;
	int32_t bits;

	cr_expect_eq(nn_fixed_one_over_one_plus_x(0), INT32_MAX);
	cr_expect_eq(nn_fixed_one_over_one_plus_x(1 << 30), 1431655762); /* 2/3 */
	cr_expect_eq(nn_fixed_one_over_one_plus_x(123456789), 2030738432);
	cr_expect_eq(nn_fixed_one_over_one_plus_x(INT32_MAX), 1073741820);
	/* Q12 sums: 1.0 -> 1/1, no extra bits; 3.0 = 2 * 1.5 -> 2/3, one bit;
	 * 40.0 = 32 * 1.25 -> 0.8, five bits. */
	cr_expect_eq(nn_fixed_reciprocal(1 << 19, 12, &bits), INT32_MAX);
	cr_expect_eq(bits, 0);
	cr_expect_eq(nn_fixed_reciprocal(3 << 19, 12, &bits), 1431655762);
	cr_expect_eq(bits, 1);
	cr_expect_eq(nn_fixed_reciprocal(5 << 22, 12, &bits), 1717986914);
	cr_expect_eq(bits, 5);
	cr_expect_eq(nn_fixed_reciprocal(123456789, 12, &bits), 1167333038);
	cr_expect_eq(bits, 7);
	for (int64_t a = 0; a <= INT32_MAX; a += 7919 * 13) {
		const double x = (double)a / 2147483648.0;
		const double got = nn_fixed_one_over_one_plus_x((int32_t)a) / 2147483648.0;
		const double error = fabs(got - 1.0 / (1.0 + x));
		if (error > worst)
			worst = error;
	}
	cr_expect_lt(worst, 1e-8, "reciprocal off by %g", worst);
}

/* ---- properties on random rows ---- */

static uint32_t softmax_test_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

Test(nn_softmax_s8, random_rows_properties)
{
	static const double scales[] = {0.0625, 0.1, 0.5, 0.02, 0.2};
	static int8_t input[3 * 200];
	static int8_t output[3 * 200];
	uint32_t state = 0x50F7A3C5u;
	int nonzero = 0;

	for (int round = 0; round < 400; round++) {
		const double scale = scales[round % 5];
		const int32_t rows = 1 + (int32_t)(softmax_test_random(&state) % 3);
		const int32_t size = 1 + (int32_t)(softmax_test_random(&state) % 200);
		const struct nn_softmax_params params =
		    softmax_test_prepare(1.0, scale, rows, size);
		/* Narrow spreads give many cells a visible share. */
		const int32_t spread = round % 2 ? 256 : 16;
		const int32_t base = (int32_t)(softmax_test_random(&state) % 256) - 128;

		for (int32_t i = 0; i < rows * size; i++) {
			int32_t value = base + (int32_t)(softmax_test_random(&state) % spread);
			input[i] = (int8_t)(value > 127 ? value - 256 : value);
		}
		nn_softmax_s8(&params, input, output);
		for (int32_t row = 0; row < rows; row++) {
			const int8_t *in = input + row * size;
			const int8_t *out = output + row * size;
			int32_t max = -128;
			double sum = 0.0;
			int32_t steps = 0;

			for (int32_t i = 0; i < size; i++)
				max = in[i] > max ? in[i] : max;
			for (int32_t i = 0; i < size; i++)
				if (in[i] - max >= params.diff_min)
					sum += exp(scale * (in[i] - max));
			for (int32_t i = 0; i < size; i++) {
				const double share = in[i] - max >= params.diff_min
							 ? exp(scale * (in[i] - max)) / sum
							 : 0.0;
				const long nearest = lround(share * 256.0) - 128;
				const long clamped = nearest > 127 ? 127 : nearest;
				cr_assert(labs(out[i] - clamped) <= 1,
					  "round %d row %d cell %d: %d, double says %ld", round,
					  (int)row, (int)i, out[i], clamped);
				steps += out[i] + 128;
				nonzero += out[i] > -128;
				/* Monotonic: a larger input never gets less. */
				for (int32_t j = 0; j < size; j++)
					if (in[j] > in[i])
						cr_assert_geq(out[j], out[i],
							      "round %d: not monotonic", round);
					else if (in[j] == in[i])
						cr_assert_eq(out[j], out[i],
							     "round %d: equal inputs", round);
			}
			/* The shares add up to 1 (256 steps), give or take half a
			 * step per cell, less one step when a single cell's 256 is
			 * clamped to 255. */
			cr_assert(steps >= 256 - 1 - size / 2 - 1 && steps <= 256 + size / 2 + 1,
				  "round %d row %d: %d steps for %d cells", round, (int)row,
				  (int)steps, (int)size);
		}
	}
	cr_expect_gt(nonzero, 2000, "only %d cells with a visible share", nonzero);
}
