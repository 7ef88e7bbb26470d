#include "nn.h"

/*
 * q - zero_point is an integer of at most 9 bits, so converting it to float
 * is exact and the result is the correctly rounded product: the same value
 * TFLite gets by multiplying in double and narrowing to float.
 */
void nn_dequantize_s8_f32(const struct nn_quantize_params *params, const int8_t *input,
			  float *output)
{
	for (int32_t i = 0; i < params->size; i++)
		output[i] = params->scale * (float)((int32_t)input[i] - params->zero_point);
}
