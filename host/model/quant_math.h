/*
 * The arithmetic TFLite does when it prepares a kernel, done once on the
 * host so the target gets integers only: real multipliers turned into a
 * Q31 significand and a power-of-two shift, softmax input scaling, fused
 * activation clamps, and the padding and output sizes of windowed ops.
 * Results match TFLite's quantization_util, kernel_util and padding rules.
 *
 * These are pure functions: they return HB_OK or HB_ERR_INPUT without a
 * message, and the caller, who knows the operator, reports the error.
 */
#ifndef HB_QUANT_MATH_H
#define HB_QUANT_MATH_H

#include <stdint.h>

/* real = multiplier * 2^shift / 2^31 with multiplier in [2^30, 2^31) (or
 * 0 for real == 0 and for reals below 2^-32, which flush to zero). Refuses
 * negative, NaN and infinite reals, and reals of 2^31 or more (shift
 * above 31). shift > 0 shifts left. */
int quantize_multiplier(double real, int32_t *multiplier, int32_t *shift);

/* The same, for 0 < real < 1 only (shift <= 0), as TFLite's ADD requires. */
int quantize_multiplier_below_one(double real, int32_t *multiplier, int32_t *shift);

/* TFLite's PreprocessSoftmaxScaling: beta * input_scale in
 * Q(integer_bits).(31 - integer_bits), capped at 2^31 - 1; refuses a
 * product that does not exceed 1 (TFLite asserts on it). */
int softmax_input_scaling(double beta, double input_scale, int integer_bits, int32_t *multiplier,
			  int32_t *left_shift);

/* TFLite's CalculateInputRadius: the largest input difference whose
 * rescaled value still fits; softmax's diff_min is minus this. */
int32_t softmax_input_radius(int integer_bits, int left_shift, int total_signed_bits);

/* Clamp of a fused activation (enum tflite_activation) in int8 output
 * units, as TFLite's CalculateActivationRangeQuantized; refuses TANH and
 * SIGN_BIT, which are not clamps. */
int activation_range_s8(int32_t activation, float scale, int32_t zero_point,
			int32_t *activation_min, int32_t *activation_max);
int activation_range_f32(int32_t activation, float *activation_min, float *activation_max);

/* Output size and leading padding of one spatial dimension of a windowed
 * op (enum tflite_padding). SAME pads ceil(in / stride) outputs with the
 * odd extra row or column at the end; VALID pads nothing. Refuses a
 * non-positive stride, filter or dilation and an empty output. */
int window_output_size(int32_t padding, int32_t input_size, int32_t filter_size, int32_t stride,
		       int32_t dilation, int32_t *output_size, int32_t *pad_before);

#endif
