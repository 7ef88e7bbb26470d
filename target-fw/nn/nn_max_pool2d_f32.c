#include <float.h>

#include "nn.h"

/*
 * The window is cut to the input (padding never wins the maximum); a window
 * entirely in the padding yields -FLT_MAX before clamping, as in TFLite.
 */
void nn_max_pool2d_f32(const struct nn_pool_params *params, const float *input, float *output)
{
	const int32_t channels = params->channels;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const float *image =
		    input + batch * params->input_height * params->input_width * channels;
		for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
			const int32_t origin_y = out_y * params->stride_height - params->pad_top;
			const int32_t y_start = origin_y < 0 ? -origin_y : 0;
			const int32_t y_end =
			    params->input_height - origin_y < params->filter_height
				? params->input_height - origin_y
				: params->filter_height;
			for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
				const int32_t origin_x =
				    out_x * params->stride_width - params->pad_left;
				const int32_t x_start = origin_x < 0 ? -origin_x : 0;
				const int32_t x_end =
				    params->input_width - origin_x < params->filter_width
					? params->input_width - origin_x
					: params->filter_width;
				float *pixel_out =
				    output + ((batch * params->output_height + out_y) *
						  params->output_width +
					      out_x) *
						 channels;
				for (int32_t c = 0; c < channels; c++) {
					float value = -FLT_MAX;
					for (int32_t ky = y_start; ky < y_end; ky++) {
						for (int32_t kx = x_start; kx < x_end; kx++) {
							const int32_t in_y = origin_y + ky;
							const int32_t in_x = origin_x + kx;
							const float cell =
							    image[(in_y * params->input_width +
								   in_x) *
								      channels +
								  c];
							if (cell > value)
								value = cell;
						}
					}
					if (value < params->activation_min_f)
						value = params->activation_min_f;
					if (value > params->activation_max_f)
						value = params->activation_max_f;
					pixel_out[c] = value;
				}
			}
		}
	}
}
