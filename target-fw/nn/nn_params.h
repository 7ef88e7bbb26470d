/*
 * Parameters of every kernel, as small structs of 32-bit fields only
 * (int32_t and float, no pointers, no padding), so that the host compiler
 * can serialise them into a device model image with memcpy and the
 * firmware can use them in place: x86-64 and Arm lay them out the same.
 * Portable C99.
 *
 * Conventions (TFLite's): tensors are NHWC; int8 tensors carry a zero point
 * and a scale, and kernels see offsets (input_offset = -input zero point,
 * output_offset = +output zero point); weights are symmetric (zero point 0);
 * per-channel requantisation uses a Q31 multiplier and a shift (> 0 left).
 * Activation clamps are given in output units (int8 or float).
 */
#ifndef NN_PARAMS_H
#define NN_PARAMS_H

#include <stdint.h>

/* CONV_2D and DEPTHWISE_CONV_2D. Filter layouts:
 *   conv:      [output_channels][filter_height][filter_width][input_channels]
 *   depthwise: [1][filter_height][filter_width][output_channels], with
 *              output_channels = input_channels * depth_multiplier */
struct nn_conv_params {
	int32_t batches;
	int32_t input_height;
	int32_t input_width;
	int32_t input_channels;
	int32_t filter_height;
	int32_t filter_width;
	int32_t output_height;
	int32_t output_width;
	int32_t output_channels;
	int32_t stride_height;
	int32_t stride_width;
	int32_t dilation_height;
	int32_t dilation_width;
	int32_t pad_top;	  /* rows of implicit zeros (input zero point) above */
	int32_t pad_left;	  /* columns left; bottom/right padding is implied by the sizes */
	int32_t depth_multiplier; /* depthwise only, else 1 */
	int32_t input_offset;	  /* int8 only */
	int32_t output_offset;	  /* int8 only */
	int32_t activation_min;	  /* int8 only */
	int32_t activation_max;
	float activation_min_f; /* float only */
	float activation_max_f;
};

/* FULLY_CONNECTED. weights: [output_count][input_count]. */
struct nn_fc_params {
	int32_t input_count;  /* inputs per batch row (accumulation depth) */
	int32_t output_count; /* output channels */
	int32_t batches;
	int32_t input_offset;	/* int8: minus the input zero point, in [-127, 128] */
	int32_t output_offset;	/* int8: the output zero point, in [-128, 127] */
	int32_t activation_min; /* int8 clamp */
	int32_t activation_max;
	float activation_min_f; /* float clamp */
	float activation_max_f;
};

/* AVERAGE_POOL_2D and MAX_POOL_2D. Padding is excluded from averages
 * (TFLite divides by the number of input cells inside the window). */
struct nn_pool_params {
	int32_t batches;
	int32_t input_height;
	int32_t input_width;
	int32_t channels;
	int32_t output_height;
	int32_t output_width;
	int32_t filter_height;
	int32_t filter_width;
	int32_t stride_height;
	int32_t stride_width;
	int32_t pad_top;
	int32_t pad_left;
	int32_t activation_min; /* int8 */
	int32_t activation_max;
	float activation_min_f; /* float */
	float activation_max_f;
};

/* ADD of two tensors of the same shape (no broadcasting). int8 follows
 * TFLite: both inputs are shifted left by left_shift, rescaled to a common
 * scale with their own multiplier/shift, summed, rescaled to the output. */
struct nn_add_params {
	int32_t size; /* elements */
	int32_t input1_offset;
	int32_t input1_multiplier;
	int32_t input1_shift;
	int32_t input2_offset;
	int32_t input2_multiplier;
	int32_t input2_shift;
	int32_t left_shift;
	int32_t output_offset;
	int32_t output_multiplier;
	int32_t output_shift;
	int32_t activation_min;
	int32_t activation_max;
	float activation_min_f;
	float activation_max_f;
};

/* SOFTMAX over the last dimension. int8 output has TFLite's fixed
 * quantisation (scale 1/256, zero point -128); input_multiplier,
 * input_left_shift and diff_min come from TFLite's
 * PreprocessSoftmaxScaling(beta, input_scale, 5) and CalculateInputRadius. */
struct nn_softmax_params {
	int32_t rows;
	int32_t row_size;
	int32_t input_multiplier; /* int8 */
	int32_t input_left_shift;
	int32_t diff_min;
	float beta; /* float */
};

/* QUANTIZE (float -> int8) and DEQUANTIZE (int8 -> float). */
struct nn_quantize_params {
	int32_t size;
	float scale;
	int32_t zero_point;
};

#endif
