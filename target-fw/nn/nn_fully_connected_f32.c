#include "nn.h"

/*
 * Summation order, fixed so host and board round alike (both compiled with
 * -ffp-contract=off): from 0, products in input order, then the bias, as
 * TFLite's reference FULLY_CONNECTED.
 */
void nn_fully_connected_f32(const struct nn_fc_params *params, const float *input,
			    const float *weights, const float *bias, float *output)
{
	const int32_t depth = params->input_count;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const float *row_in = input + batch * depth;
		float *row_out = output + batch * params->output_count;
		for (int32_t out = 0; out < params->output_count; out++) {
			const float *row_weights = weights + out * depth;
			float acc = 0.0f;
			for (int32_t i = 0; i < depth; i++)
				acc += row_in[i] * row_weights[i];
			if (bias)
				acc += bias[out];
			if (acc < params->activation_min_f)
				acc = params->activation_min_f;
			if (acc > params->activation_max_f)
				acc = params->activation_max_f;
			row_out[out] = acc;
		}
	}
}
