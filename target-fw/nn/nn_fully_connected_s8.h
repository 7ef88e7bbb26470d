/*
 * int8 fully-connected layer with TFLite quantization semantics:
 *   acc[o] = bias[o] + sum_i (input[i] + input_offset) * weights[o][i]
 *   out[o] = clamp(requantize(acc[o], multiplier[o], shift[o]) + output_offset)
 * Weights are symmetric (zero point 0), per output channel multipliers.
 * Portable C99, no malloc, no I/O; compiled into host and firmware.
 */
#ifndef NN_FULLY_CONNECTED_S8_H
#define NN_FULLY_CONNECTED_S8_H

#include <stdint.h>

struct nn_fc_params {
	int32_t input_count;   /* inputs per batch row (accumulation depth) */
	int32_t output_count;  /* output channels */
	int32_t batches;
	int32_t input_offset;  /* minus the input zero point, in [-127, 128] */
	int32_t output_offset; /* the output zero point, in [-128, 127] */
	int32_t activation_min; /* fused RELU/RELU6 clamp, in int8 units */
	int32_t activation_max;
};

/* weights: [output_count][input_count]; bias may be NULL; multiplier/shift
 * have output_count entries (TFLite's quantized multiplier, shift > 0 is a
 * left shift). input: [batches][input_count], output: [batches][output_count]. */
void nn_fully_connected_s8(const struct nn_fc_params *params, const int8_t *input,
			   const int8_t *weights, const int32_t *bias,
			   const int32_t *multiplier, const int32_t *shift, int8_t *output);

#endif
