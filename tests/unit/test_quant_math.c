/*
 * Compile-time quantisation arithmetic against values worked out by hand
 * from TFLite's definitions (frexp significand in [0.5, 1) scaled by 2^31
 * and rounded half away from zero; clamps rounded with roundf; SAME padding
 * with the odd pixel at the end).
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "util/error.h"
#include "model/quant_math.h"
#include "model/tflite.h"

static void quant_test_expect(double real, int32_t multiplier, int32_t shift)
{
	int32_t got_multiplier = -1, got_shift = -99;

	cr_assert_eq(quantize_multiplier(real, &got_multiplier, &got_shift), HB_OK, "%.17g", real);
	cr_expect_eq(got_multiplier, multiplier, "%.17g: multiplier %d, expected %d", real,
		     got_multiplier, multiplier);
	cr_expect_eq(got_shift, shift, "%.17g: shift %d, expected %d", real, got_shift, shift);
}

Test(quant_math, quantize_multiplier_exact_powers)
{
	quant_test_expect(0.5, 1 << 30, 0);
	quant_test_expect(0.25, 1 << 30, -1);
	quant_test_expect(1.0, 1 << 30, 1);
	quant_test_expect(4.0, 1 << 30, 3);
	/* 1.5 = 0.75 * 2^1; 0.75 * 2^31 = 1610612736 */
	quant_test_expect(1.5, 1610612736, 1);
	quant_test_expect(0.0, 0, 0);
}

Test(quant_math, quantize_multiplier_rounds)
{
	/* 0.3 = 0.6 * 2^-1; 0.6 * 2^31 = 1288490188.8 -> 1288490189 */
	quant_test_expect(0.3, 1288490189, -1);
	/* 0.1 = 0.8 * 2^-3; 0.8 * 2^31 = 1717986918.4 -> 1717986918 */
	quant_test_expect(0.1, 1717986918, -3);
	/* 2^-31 + 2^-33 = 0.625 * 2^-30; 0.625 * 2^31 = 1342177280 */
	quant_test_expect(ldexp(1.0, -31) + ldexp(1.0, -33), 1342177280, -30);
}

Test(quant_math, quantize_multiplier_carry)
{
	/* 1 - 2^-33: significand * 2^31 = 2^31 - 0.25 rounds up to 2^31, which
	 * does not fit: it becomes 2^30 with the exponent one higher. */
	quant_test_expect(1.0 - ldexp(1.0, -33), 1 << 30, 1);
	/* Just below the carry: 1 - 2^-31 -> 2^31 - 1 with shift 0. */
	quant_test_expect(1.0 - ldexp(1.0, -31), INT32_MAX, 0);
}

Test(quant_math, quantize_multiplier_flushes_tiny_values)
{
	quant_test_expect(ldexp(1.0, -32), 1 << 30, -31); /* still representable */
	quant_test_expect(ldexp(1.0, -33), 0, 0);
	quant_test_expect(1e-20, 0, 0);
}

Test(quant_math, quantize_multiplier_refuses)
{
	int32_t multiplier, shift;

	cr_expect_eq(quantize_multiplier(-0.5, &multiplier, &shift), HB_ERR_INPUT);
	cr_expect_eq(quantize_multiplier(NAN, &multiplier, &shift), HB_ERR_INPUT);
	cr_expect_eq(quantize_multiplier(INFINITY, &multiplier, &shift), HB_ERR_INPUT);
	/* Shifts past 31 overflow the kernels' 64-bit left shift. */
	cr_expect_eq(quantize_multiplier(4294967296.0, &multiplier, &shift), HB_ERR_INPUT);
	cr_expect_eq(quantize_multiplier(2147483647.0, &multiplier, &shift), HB_OK);
	cr_expect_eq(shift, 31);
	cr_expect_eq(quantize_multiplier_below_one(1.0, &multiplier, &shift), HB_ERR_INPUT);
	cr_expect_eq(quantize_multiplier_below_one(0.0, &multiplier, &shift), HB_ERR_INPUT);
	cr_expect_eq(quantize_multiplier_below_one(0.375, &multiplier, &shift), HB_OK);
	cr_expect_eq(multiplier, 1610612736); /* 0.75 * 2^31 */
	cr_expect_eq(shift, -1);
}

Test(quant_math, softmax_scaling)
{
	int32_t multiplier = 0, left_shift = 0;

	/* beta 1, scale 1/16: 2^-4 * 2^26 = 2^22 = 0.5 * 2^23 */
	cr_assert_eq(softmax_input_scaling(1.0, 0.0625, 5, &multiplier, &left_shift), HB_OK);
	cr_expect_eq(multiplier, 1 << 30);
	cr_expect_eq(left_shift, 23);
	/* (2^5 - 1) * 2^26 / 2^23 = 248 */
	cr_expect_eq(softmax_input_radius(5, left_shift, 31), 248);

	/* beta 1, scale 0.09: 0.09 * 2^34 = 1546188226.56 -> 1546188227, shift 23 */
	cr_assert_eq(softmax_input_scaling(1.0, 0.09, 5, &multiplier, &left_shift), HB_OK);
	cr_expect_eq(multiplier, 1546188227);
	cr_expect_eq(left_shift, 23);

	/* A huge product is capped at 2^31 - 1 = 0.99999999953 * 2^31. */
	cr_assert_eq(softmax_input_scaling(1.0, 100.0, 5, &multiplier, &left_shift), HB_OK);
	cr_expect_eq(multiplier, INT32_MAX);
	cr_expect_eq(left_shift, 31);
	cr_expect_eq(softmax_input_radius(5, 31, 31), 0, "31/32 floors to 0");
	cr_expect_eq(softmax_input_radius(5, 20, 31), 1984);

	/* TFLite asserts when the scaled product is not above 1. */
	cr_expect_eq(softmax_input_scaling(1.0, ldexp(1.0, -26), 5, &multiplier, &left_shift),
		     HB_ERR_INPUT);
}

Test(quant_math, activation_ranges_s8)
{
	int32_t low = 0, high = 0;

	cr_assert_eq(activation_range_s8(TFLITE_ACTIVATION_NONE, 0.5f, 3, &low, &high), HB_OK);
	cr_expect_eq(low, -128);
	cr_expect_eq(high, 127);
	cr_assert_eq(activation_range_s8(TFLITE_ACTIVATION_RELU, 0.5f, -10, &low, &high), HB_OK);
	cr_expect_eq(low, -10);
	cr_expect_eq(high, 127);
	cr_assert_eq(activation_range_s8(TFLITE_ACTIVATION_RELU6, 0.25f, 5, &low, &high), HB_OK);
	cr_expect_eq(low, 5);
	cr_expect_eq(high, 29, "5 + 6 / 0.25");
	cr_assert_eq(activation_range_s8(TFLITE_ACTIVATION_RELU6, 0.01f, 0, &low, &high), HB_OK);
	cr_expect_eq(high, 127, "600 clamps to 127");
	/* -1 / 0.4f is -2.5 in float: rounds away from zero to -3. */
	cr_assert_eq(activation_range_s8(TFLITE_ACTIVATION_RELU_N1_TO_1, 0.4f, 0, &low, &high),
		     HB_OK);
	cr_expect_eq(low, -3);
	cr_expect_eq(high, 3);
	cr_assert_eq(activation_range_s8(TFLITE_ACTIVATION_RELU, 0.1f, -128, &low, &high), HB_OK);
	cr_expect_eq(low, -128);
	cr_expect_eq(activation_range_s8(TFLITE_ACTIVATION_TANH, 0.1f, 0, &low, &high),
		     HB_ERR_INPUT);
}

Test(quant_math, activation_ranges_f32)
{
	float low = 1, high = 1;

	cr_assert_eq(activation_range_f32(TFLITE_ACTIVATION_NONE, &low, &high), HB_OK);
	cr_expect_eq(low, -FLT_MAX);
	cr_expect_eq(high, FLT_MAX);
	cr_assert_eq(activation_range_f32(TFLITE_ACTIVATION_RELU, &low, &high), HB_OK);
	cr_expect_eq(low, 0.0f);
	cr_expect_eq(high, FLT_MAX);
	cr_assert_eq(activation_range_f32(TFLITE_ACTIVATION_RELU6, &low, &high), HB_OK);
	cr_expect_eq(low, 0.0f);
	cr_expect_eq(high, 6.0f);
	cr_expect_eq(activation_range_f32(TFLITE_ACTIVATION_SIGN_BIT, &low, &high), HB_ERR_INPUT);
}

static void quant_test_window(int32_t padding, int32_t input, int32_t filter, int32_t stride,
			      int32_t dilation, int32_t output, int32_t pad)
{
	int32_t got_output = -1, got_pad = -1;

	cr_assert_eq(
	    window_output_size(padding, input, filter, stride, dilation, &got_output, &got_pad),
	    HB_OK, "in %d filter %d stride %d", input, filter, stride);
	cr_expect_eq(got_output, output, "in %d filter %d stride %d: output %d, expected %d", input,
		     filter, stride, got_output, output);
	cr_expect_eq(got_pad, pad, "in %d filter %d stride %d: pad %d, expected %d", input, filter,
		     stride, got_pad, pad);
}

Test(quant_math, padding_same)
{
	/* out = ceil(in / stride); total = (out - 1) * stride + f - in; before = total / 2 */
	quant_test_window(TFLITE_PADDING_SAME, 5, 3, 1, 1, 5, 1);
	quant_test_window(TFLITE_PADDING_SAME, 4, 2, 1, 1, 4, 0);    /* total 1: all at the end */
	quant_test_window(TFLITE_PADDING_SAME, 5, 3, 2, 1, 3, 1);    /* odd input: total 2 */
	quant_test_window(TFLITE_PADDING_SAME, 6, 3, 2, 1, 3, 0);    /* even input: total 1 */
	quant_test_window(TFLITE_PADDING_SAME, 49, 10, 2, 1, 25, 4); /* KWS first conv: total 9 */
	quant_test_window(TFLITE_PADDING_SAME, 10, 4, 2, 1, 5, 1);   /* total 2 */
	quant_test_window(TFLITE_PADDING_SAME, 32, 1, 2, 1, 16, 0);  /* 1x1: total < 0 -> 0 */
	quant_test_window(TFLITE_PADDING_SAME, 10, 3, 1, 2, 10, 2);  /* dilated: effective 5 */
}

Test(quant_math, padding_valid)
{
	/* out = ceil((in - effective + 1) / stride), no padding */
	quant_test_window(TFLITE_PADDING_VALID, 5, 3, 1, 1, 3, 0);
	quant_test_window(TFLITE_PADDING_VALID, 6, 3, 2, 1, 2, 0);
	quant_test_window(TFLITE_PADDING_VALID, 7, 3, 2, 1, 3, 0);
	quant_test_window(TFLITE_PADDING_VALID, 25, 25, 1, 1, 1, 0); /* global pooling */
	quant_test_window(TFLITE_PADDING_VALID, 10, 3, 1, 2, 6, 0);
}

Test(quant_math, padding_refuses)
{
	int32_t output, pad;

	cr_expect_eq(window_output_size(TFLITE_PADDING_VALID, 2, 3, 1, 1, &output, &pad),
		     HB_ERR_INPUT, "filter larger than the input");
	cr_expect_eq(window_output_size(TFLITE_PADDING_SAME, 5, 3, 0, 1, &output, &pad),
		     HB_ERR_INPUT, "stride 0");
	cr_expect_eq(window_output_size(7, 5, 3, 1, 1, &output, &pad), HB_ERR_INPUT);
}
