#include "nn.h"

void nn_add_f32(const struct nn_add_params *params, const float *input1, const float *input2,
		float *output)
{
	for (int32_t i = 0; i < params->size; i++) {
		float value = input1[i] + input2[i];
		if (value < params->activation_min_f)
			value = params->activation_min_f;
		if (value > params->activation_max_f)
			value = params->activation_max_f;
		output[i] = value;
	}
}
