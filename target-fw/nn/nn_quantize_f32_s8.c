#include <math.h>

#include "nn.h"

/*
 * TFLite's AffineQuantize: x / scale divided in float, rounded half away from
 * zero (roundf), plus the zero point, saturated to int8. The rounded value
 * is bounded before the conversion to int32, because converting a float
 * outside int32 (or NaN) is undefined behaviour in C; the bound (+-256) lies
 * beyond anything the zero point can bring back into [-128, 127], so results
 * are unchanged. NaN has no meaningful code and is mapped to the zero point,
 * i.e. to 0.0.
 */
void nn_quantize_f32_s8(const struct nn_quantize_params *params, const float *input, int8_t *output)
{
	for (int32_t i = 0; i < params->size; i++) {
		const float scaled = roundf(input[i] / params->scale);
		int32_t value;

		if (scaled != scaled)
			value = 0;
		else if (scaled >= 256.0f)
			value = 256;
		else if (scaled <= -256.0f)
			value = -256;
		else
			value = (int32_t)scaled;
		value += params->zero_point;
		if (value < -128)
			value = -128;
		if (value > 127)
			value = 127;
		output[i] = (int8_t)value;
	}
}
