/*
 * QUANTIZE (float -> int8) and DEQUANTIZE (int8 -> float) kernels. The
 * rounding rule is TFLite's AffineQuantize: x / scale divided in float,
 * rounded half away from zero (roundf, not banker's rint and not
 * floor(x + 0.5)), plus the zero point, saturated to [-128, 127].
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

struct nn_quantize_test_case {
	float input;
	int8_t want;
};

static void nn_quantize_test_check(float scale, int32_t zero_point,
				   const struct nn_quantize_test_case *cases, int count)
{
	struct nn_quantize_params params;

	memset(&params, 0, sizeof(params));
	params.size = 1;
	params.scale = scale;
	params.zero_point = zero_point;
	for (int i = 0; i < count; i++) {
		int8_t got = 99;
		nn_quantize_f32_s8(&params, &cases[i].input, &got);
		cr_expect_eq(got, cases[i].want,
			     "scale %.9g zero point %d: %.9g -> %d, expected %d", (double)scale,
			     zero_point, (double)cases[i].input, got, cases[i].want);
	}
}

Test(nn_quantize_f32_s8, exact_halves_round_away_from_zero)
{
	static const struct nn_quantize_test_case unit_scale[] = {
	    {0.5f, 1},	       {-0.5f, -1},	 {1.5f, 2},	  {-1.5f, -2}, {2.5f, 3},
	    {-2.5f, -3},       {0.49999997f, 0}, /* floor(x + 0.5f) would give 1: x + 0.5f rounds
						    to 1.0f */
	    {-0.49999997f, 0}, {0.50000006f, 1}, {2.4999998f, 2}, {0, 0},      {-0.0f, 0},
	};
	/* The same halves in units of a scale of 0.5 (exact in binary). */
	static const struct nn_quantize_test_case half_scale[] = {
	    {0.25f, 1}, {-0.25f, -1}, {1.25f, 3}, {-1.25f, -3},
	    {0.75f, 2}, {-0.75f, -2}, {0.24f, 0}, {63.5f, 127},
	};

	nn_quantize_test_check(1.0f, 0, unit_scale,
			       (int)(sizeof(unit_scale) / sizeof(unit_scale[0])));
	nn_quantize_test_check(0.5f, 0, half_scale,
			       (int)(sizeof(half_scale) / sizeof(half_scale[0])));
}

Test(nn_quantize_f32_s8, divides_in_float_like_tflite)
{
	/* 0.25f / 0.1f is 2.49999996... exactly, but the float quotient rounds
	 * to 2.5, which rounds to 3; a double division would give 2. */
	static const struct nn_quantize_test_case cases[] = {
	    {0.25f, 3}, {-0.25f, -3}, {0.75f, 8}, {1.25f, 13}, {0.3f, 3},
	};

	nn_quantize_test_check(0.1f, 0, cases, (int)(sizeof(cases) / sizeof(cases[0])));
}

Test(nn_quantize_f32_s8, saturates_at_both_ends)
{
	static const struct nn_quantize_test_case cases[] = {
	    {12.7f, 127},    {12.8f, 127},   {12.66f, 127},	{12.64f, 126},	  {1e30f, 127},
	    {INFINITY, 127}, {FLT_MAX, 127}, {-12.8f, -128},	{-12.9f, -128},	  {-12.85f, -128},
	    {-12.74f, -127}, {-1e30f, -128}, {-INFINITY, -128}, {-FLT_MAX, -128},
	};

	nn_quantize_test_check(0.1f, 0, cases, (int)(sizeof(cases) / sizeof(cases[0])));
}

Test(nn_quantize_f32_s8, zero_point_minus_128)
{
	/* scale 0.5: codes -128..127 cover [0, 127.5] */
	static const struct nn_quantize_test_case cases[] = {
	    {0, -128},	   {0.25f, -127},  {-0.25f, -128}, {1, -126},
	    {127.5f, 127}, {128, 127},	   {127.25f, 127}, {127.2f, 126},
	    {-1, -128},	   {-1e30f, -128}, {1e30f, 127},
	};

	nn_quantize_test_check(0.5f, -128, cases, (int)(sizeof(cases) / sizeof(cases[0])));
}

Test(nn_quantize_f32_s8, zero_point_127)
{
	/* scale 0.5: codes -128..127 cover [-127.5, 0] */
	static const struct nn_quantize_test_case cases[] = {
	    {0, 127},	  {-0.25f, 126},    {0.25f, 127},    {0.5f, 127},  {-127.5f, -128},
	    {-128, -128}, {-127.25f, -128}, {-127.2f, -127}, {1e30f, 127}, {-1e30f, -128},
	};

	nn_quantize_test_check(0.5f, 127, cases, (int)(sizeof(cases) / sizeof(cases[0])));
}

Test(nn_quantize_f32_s8, not_a_number_maps_to_the_zero_point)
{
	static const struct nn_quantize_test_case cases[] = {{NAN, -5}, {-NAN, -5}};

	nn_quantize_test_check(0.25f, -5, cases, 2);
}

Test(nn_quantize_f32_s8, whole_buffer_and_nothing_more)
{
	struct nn_quantize_params params = {.size = 5, .scale = 0.25f, .zero_point = 10};
	const float input[5] = {0, 1, -1, 0.125f, -0.125f};
	const int8_t want[5] = {10, 14, 6, 11, 9};
	int8_t got[6] = {0, 0, 0, 0, 0, 42};

	nn_quantize_f32_s8(&params, input, got);
	for (int i = 0; i < 5; i++)
		cr_expect_eq(got[i], want[i], "element %d: got %d, expected %d", i, got[i],
			     want[i]);
	cr_expect_eq(got[5], 42, "wrote past the output");
}

Test(nn_dequantize_s8_f32, small_integers_are_exact)
{
	struct nn_quantize_params params = {.size = 6, .scale = 0.5f, .zero_point = 3};
	const int8_t input[6] = {-128, 127, 3, 0, 4, 2};
	const float want[6] = {-65.5f, 62, 0, -1.5f, 0.5f, -0.5f};
	float got[7];

	got[6] = 42;
	nn_dequantize_s8_f32(&params, input, got);
	for (int i = 0; i < 6; i++)
		cr_expect(got[i] == want[i], "element %d: got %.9g, expected %.9g", i,
			  (double)got[i], (double)want[i]);
	cr_expect(got[6] == 42, "wrote past the output");
}

Test(nn_dequantize_s8_f32, matches_tflite_double_product_for_every_code)
{
	/* TFLite multiplies by the scale in double and narrows to float; the
	 * product of a float and a 9-bit integer is exact in double, so one
	 * float multiplication must give the same bits. */
	static const float scales[] = {0.1f, 0.003921569f, 1.0f / 3.0f, 17.25f, 1e-20f, 3e30f};
	static const int32_t zero_points[] = {-128, -1, 0, 5, 127};
	int8_t codes[256];
	float got[256];

	for (int i = 0; i < 256; i++)
		codes[i] = (int8_t)(i - 128);
	for (size_t s = 0; s < sizeof(scales) / sizeof(scales[0]); s++) {
		for (size_t z = 0; z < sizeof(zero_points) / sizeof(zero_points[0]); z++) {
			struct nn_quantize_params params = {
			    .size = 256, .scale = scales[s], .zero_point = zero_points[z]};
			nn_dequantize_s8_f32(&params, codes, got);
			for (int i = 0; i < 256; i++) {
				const float want = (float)((double)scales[s] *
							   (double)(codes[i] - zero_points[z]));
				cr_expect(
				    got[i] == want,
				    "scale %.9g zero point %d code %d: got %.9g, expected %.9g",
				    (double)scales[s], zero_points[z], codes[i], (double)got[i],
				    (double)want);
			}
		}
	}
}

Test(nn_dequantize_s8_f32, quantize_recovers_every_code)
{
	static const float scales[] = {0.1f, 0.003921569f, 0.5f, 1.0f / 3.0f, 7.0f};
	static const int32_t zero_points[] = {-128, -7, 0, 127};
	int8_t codes[256];
	float values[256];
	int8_t again[256];

	for (int i = 0; i < 256; i++)
		codes[i] = (int8_t)(i - 128);
	for (size_t s = 0; s < sizeof(scales) / sizeof(scales[0]); s++) {
		for (size_t z = 0; z < sizeof(zero_points) / sizeof(zero_points[0]); z++) {
			struct nn_quantize_params params = {
			    .size = 256, .scale = scales[s], .zero_point = zero_points[z]};
			nn_dequantize_s8_f32(&params, codes, values);
			nn_quantize_f32_s8(&params, values, again);
			for (int i = 0; i < 256; i++)
				cr_expect_eq(again[i], codes[i],
					     "scale %.9g zero point %d: code %d came back as %d",
					     (double)scales[s], zero_points[z], codes[i], again[i]);
		}
	}
}
