#include "nn.h"

#include "nn_requantize.h"

void nn_fully_connected_s8(const struct nn_fc_params *params, const int8_t *input,
			   const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
			   const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->input_count;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *row_in = input + batch * depth;
		int8_t *row_out = output + batch * params->output_count;
		for (int32_t out = 0; out < params->output_count; out++) {
			const int8_t *row_weights = weights + out * depth;
			int32_t acc = bias ? bias[out] : 0;
			int32_t value;
			for (int32_t i = 0; i < depth; i++)
				acc += ((int32_t)row_in[i] + params->input_offset) * row_weights[i];
			value =
			    nn_requantize(acc, multiplier[out], shift[out]) + params->output_offset;
			if (value < params->activation_min)
				value = params->activation_min;
			if (value > params->activation_max)
				value = params->activation_max;
			row_out[out] = (int8_t)value;
		}
	}
}
