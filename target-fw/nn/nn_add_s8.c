/*
 * ADD, int8: TFLite's reference_integer_ops::AddElementwise. Both inputs
 * are moved to a common finer scale (the left shift keeps precision, the
 * multipliers are at most 0.5), summed, and rescaled to the output.
 * TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp is nn_requantize
 * with a shift <= 0, which is what its Prepare produces.
 */
#include "nn.h"

#include "nn_requantize.h"

void nn_add_s8(const struct nn_add_params *params, const int8_t *input1, const int8_t *input2,
	       int8_t *output)
{
	const int32_t scale = (int32_t)1 << params->left_shift;

	for (int32_t i = 0; i < params->size; i++) {
		const int32_t shifted1 = (params->input1_offset + input1[i]) * scale;
		const int32_t shifted2 = (params->input2_offset + input2[i]) * scale;
		const int32_t scaled1 =
		    nn_requantize(shifted1, params->input1_multiplier, params->input1_shift);
		const int32_t scaled2 =
		    nn_requantize(shifted2, params->input2_multiplier, params->input2_shift);
		int32_t value = nn_requantize(scaled1 + scaled2, params->output_multiplier,
					      params->output_shift) +
				params->output_offset;
		if (value < params->activation_min)
			value = params->activation_min;
		if (value > params->activation_max)
			value = params->activation_max;
		output[i] = (int8_t)value;
	}
}
