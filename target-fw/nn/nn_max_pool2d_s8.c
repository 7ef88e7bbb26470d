/*
 * MAX_POOL_2D, int8: TFLite's reference_integer_ops::MaxPool. The window is
 * clipped to the input, so padding never wins the maximum.
 */
#include "nn.h"

static int32_t pool_max32(int32_t a, int32_t b)
{
	return a > b ? a : b;
}

static int32_t pool_min32(int32_t a, int32_t b)
{
	return a < b ? a : b;
}

void nn_max_pool2d_s8(const struct nn_pool_params *params, const int8_t *input, int8_t *output)
{
	const int32_t channels = params->channels;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *image =
		    input + batch * params->input_height * params->input_width * channels;
		for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
			const int32_t origin_y = out_y * params->stride_height - params->pad_top;
			const int32_t y_start = pool_max32(0, origin_y);
			const int32_t y_end =
			    pool_min32(params->input_height, origin_y + params->filter_height);
			for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
				const int32_t origin_x =
				    out_x * params->stride_width - params->pad_left;
				const int32_t x_start = pool_max32(0, origin_x);
				const int32_t x_end = pool_min32(params->input_width,
								 origin_x + params->filter_width);
				for (int32_t c = 0; c < channels; c++) {
					int32_t value = INT8_MIN;
					for (int32_t y = y_start; y < y_end; y++)
						for (int32_t x = x_start; x < x_end; x++)
							value = pool_max32(
							    value,
							    image[(y * params->input_width + x) *
								      channels +
								  c]);
					if (value < params->activation_min)
						value = params->activation_min;
					if (value > params->activation_max)
						value = params->activation_max;
					*output++ = (int8_t)value;
				}
			}
		}
	}
}
