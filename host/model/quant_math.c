#include "model/quant_math.h"

#include <float.h>
#include <math.h>

#include "util/error.h"
#include "model/tflite.h"

int quantize_multiplier(double real, int32_t *multiplier, int32_t *shift)
{
	int exponent = 0;
	double significand;
	int64_t fixed;

	*multiplier = 0;
	*shift = 0;
	if (isnan(real) || isinf(real) || real < 0.0)
		return HB_ERR_INPUT;
	if (real == 0.0)
		return HB_OK;
	significand = frexp(real, &exponent); /* in [0.5, 1) */
	fixed = (int64_t)round(significand * 2147483648.0);
	/* Rounding can carry a significand just below 1 up to exactly 2^31. */
	if (fixed == (1ll << 31)) {
		fixed /= 2;
		exponent++;
	}
	/* Every bit would be shifted out: TFLite stores that as zero. */
	if (exponent < -31)
		return HB_OK;
	/* The kernels shift a 32-bit accumulator left in 64 bits: past 31 it
	 * overflows (a lying scale in a .tflite, never a real model). */
	if (exponent > 31)
		return HB_ERR_INPUT;
	*multiplier = (int32_t)fixed;
	*shift = exponent;
	return HB_OK;
}

int quantize_multiplier_below_one(double real, int32_t *multiplier, int32_t *shift)
{
	if (!(real > 0.0 && real < 1.0)) {
		*multiplier = 0;
		*shift = 0;
		return HB_ERR_INPUT;
	}
	return quantize_multiplier(real, multiplier, shift);
}

int softmax_input_scaling(double beta, double input_scale, int integer_bits, int32_t *multiplier,
			  int32_t *left_shift)
{
	const double cap = 2147483647.0;
	double real = beta * input_scale * (double)(1ll << (31 - integer_bits));

	*multiplier = 0;
	*left_shift = 0;
	if (real > cap)
		real = cap;
	if (!(real > 1.0))
		return HB_ERR_INPUT;
	return quantize_multiplier(real, multiplier, left_shift);
}

int32_t softmax_input_radius(int integer_bits, int left_shift, int total_signed_bits)
{
	double radius = (double)((1ll << integer_bits) - 1) *
			(double)(1ll << (total_signed_bits - integer_bits)) /
			(double)(1ll << left_shift);
	return (int32_t)floor(radius);
}

/* zero_point + round(value / scale), in float as TFLite does it. */
static int32_t quant_math_quantize(float value, float scale, int32_t zero_point)
{
	return zero_point + (int32_t)roundf(value / scale);
}

int activation_range_s8(int32_t activation, float scale, int32_t zero_point,
			int32_t *activation_min, int32_t *activation_max)
{
	int32_t low = -128;
	int32_t high = 127;

	switch (activation) {
	case TFLITE_ACTIVATION_NONE: break;
	case TFLITE_ACTIVATION_RELU: low = quant_math_quantize(0.0f, scale, zero_point); break;
	case TFLITE_ACTIVATION_RELU6:
		low = quant_math_quantize(0.0f, scale, zero_point);
		high = quant_math_quantize(6.0f, scale, zero_point);
		break;
	case TFLITE_ACTIVATION_RELU_N1_TO_1:
		low = quant_math_quantize(-1.0f, scale, zero_point);
		high = quant_math_quantize(1.0f, scale, zero_point);
		break;
	default: return HB_ERR_INPUT;
	}
	*activation_min = low > -128 ? low : -128;
	*activation_max = high < 127 ? high : 127;
	return HB_OK;
}

int activation_range_f32(int32_t activation, float *activation_min, float *activation_max)
{
	switch (activation) {
	case TFLITE_ACTIVATION_NONE:
		*activation_min = -FLT_MAX;
		*activation_max = FLT_MAX;
		return HB_OK;
	case TFLITE_ACTIVATION_RELU:
		*activation_min = 0.0f;
		*activation_max = FLT_MAX;
		return HB_OK;
	case TFLITE_ACTIVATION_RELU6:
		*activation_min = 0.0f;
		*activation_max = 6.0f;
		return HB_OK;
	case TFLITE_ACTIVATION_RELU_N1_TO_1:
		*activation_min = -1.0f;
		*activation_max = 1.0f;
		return HB_OK;
	default: return HB_ERR_INPUT;
	}
}

int window_output_size(int32_t padding, int32_t input_size, int32_t filter_size, int32_t stride,
		       int32_t dilation, int32_t *output_size, int32_t *pad_before)
{
	int64_t effective_filter;
	int64_t output;
	int64_t total_padding;

	*output_size = 0;
	*pad_before = 0;
	if (input_size <= 0 || filter_size <= 0 || stride <= 0 || dilation <= 0)
		return HB_ERR_INPUT;
	effective_filter = (int64_t)(filter_size - 1) * dilation + 1;
	if (padding == TFLITE_PADDING_SAME)
		output = ((int64_t)input_size + stride - 1) / stride;
	else if (padding == TFLITE_PADDING_VALID)
		output = input_size >= effective_filter
			     ? ((int64_t)input_size - effective_filter + stride) / stride
			     : 0;
	else
		return HB_ERR_INPUT;
	if (output <= 0)
		return HB_ERR_INPUT;
	total_padding = (output - 1) * stride + effective_filter - input_size;
	if (total_padding < 0)
		total_padding = 0;
	*output_size = (int32_t)output;
	*pad_before = (int32_t)(total_padding / 2);
	return HB_OK;
}
