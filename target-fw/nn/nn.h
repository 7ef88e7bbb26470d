/*
 * The kernels: one op per file (nn_<op>_<dtype>.c), portable C99, no malloc,
 * no I/O, compiled into the firmware and the host alike, so the host can
 * compute the exact reference of what the board computes. int8 kernels
 * follow TFLite's reference arithmetic bit for bit; float kernels are
 * compiled with -ffp-contract=off on both sides.
 */
#ifndef NN_H
#define NN_H

#include <stdint.h>

#include "nn_params.h"

/* multiplier/shift: one per output channel. bias may be NULL. */
void nn_conv2d_s8(const struct nn_conv_params *params, const int8_t *input, const int8_t *filter,
		  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
		  int8_t *output);
void nn_depthwise_conv2d_s8(const struct nn_conv_params *params, const int8_t *input,
			    const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			    const int32_t *shift, int8_t *output);
void nn_fully_connected_s8(const struct nn_fc_params *params, const int8_t *input,
			   const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
			   const int32_t *shift, int8_t *output);
void nn_avg_pool2d_s8(const struct nn_pool_params *params, const int8_t *input, int8_t *output);
void nn_max_pool2d_s8(const struct nn_pool_params *params, const int8_t *input, int8_t *output);
void nn_add_s8(const struct nn_add_params *params, const int8_t *input1, const int8_t *input2,
	       int8_t *output);
void nn_softmax_s8(const struct nn_softmax_params *params, const int8_t *input, int8_t *output);

void nn_conv2d_f32(const struct nn_conv_params *params, const float *input, const float *filter,
		   const float *bias, float *output);
void nn_depthwise_conv2d_f32(const struct nn_conv_params *params, const float *input,
			     const float *filter, const float *bias, float *output);
void nn_fully_connected_f32(const struct nn_fc_params *params, const float *input,
			    const float *weights, const float *bias, float *output);
void nn_avg_pool2d_f32(const struct nn_pool_params *params, const float *input, float *output);
void nn_max_pool2d_f32(const struct nn_pool_params *params, const float *input, float *output);
void nn_add_f32(const struct nn_add_params *params, const float *input1, const float *input2,
		float *output);
void nn_softmax_f32(const struct nn_softmax_params *params, const float *input, float *output);

/* Both paths of the int8 kernels that have a fast one, always compiled so
 * the tests can hold one against the other: _portable is the plain
 * reference the host runs, _fast the blocked, packed path the boards run
 * (through the entry points above, see nn_simd.h), _narrow the portable
 * loops with a cheaper requantisation for the Arm cores without the fast
 * path (M0, M23). Same results, bit for bit, on every input. */
void nn_conv2d_s8_portable(const struct nn_conv_params *params, const int8_t *input,
			   const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			   const int32_t *shift, int8_t *output);
void nn_conv2d_s8_fast(const struct nn_conv_params *params, const int8_t *input,
		       const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
		       const int32_t *shift, int8_t *output);
void nn_fully_connected_s8_portable(const struct nn_fc_params *params, const int8_t *input,
				    const int8_t *weights, const int32_t *bias,
				    const int32_t *multiplier, const int32_t *shift,
				    int8_t *output);
void nn_fully_connected_s8_fast(const struct nn_fc_params *params, const int8_t *input,
				const int8_t *weights, const int32_t *bias,
				const int32_t *multiplier, const int32_t *shift, int8_t *output);
void nn_depthwise_conv2d_s8_portable(const struct nn_conv_params *params, const int8_t *input,
				     const int8_t *filter, const int32_t *bias,
				     const int32_t *multiplier, const int32_t *shift,
				     int8_t *output);
void nn_depthwise_conv2d_s8_fast(const struct nn_conv_params *params, const int8_t *input,
				 const int8_t *filter, const int32_t *bias,
				 const int32_t *multiplier, const int32_t *shift, int8_t *output);

void nn_conv2d_s8_narrow(const struct nn_conv_params *params, const int8_t *input,
			 const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			 const int32_t *shift, int8_t *output);
void nn_fully_connected_s8_narrow(const struct nn_fc_params *params, const int8_t *input,
				  const int8_t *weights, const int32_t *bias,
				  const int32_t *multiplier, const int32_t *shift, int8_t *output);
void nn_depthwise_conv2d_s8_narrow(const struct nn_conv_params *params, const int8_t *input,
				   const int8_t *filter, const int32_t *bias,
				   const int32_t *multiplier, const int32_t *shift, int8_t *output);

/* q = clamp(round_half_away(x / scale) + zero_point, -128, 127). */
void nn_quantize_f32_s8(const struct nn_quantize_params *params, const float *input,
			int8_t *output);
/* x = scale * (q - zero_point). */
void nn_dequantize_s8_f32(const struct nn_quantize_params *params, const int8_t *input,
			  float *output);

#endif
