#include "nn.h"

/*
 * Output channel ic * depth_multiplier + m reads input channel ic only.
 * Summation order, fixed so host and board round alike (both compiled with
 * -ffp-contract=off): from 0, products in filter row then filter column
 * order (ascending), then the bias, as TFLite's reference DEPTHWISE_CONV_2D.
 * Padding cells are skipped.
 */
void nn_depthwise_conv2d_f32(const struct nn_conv_params *params, const float *input,
			     const float *filter, const float *bias, float *output)
{
	const int32_t in_height = params->input_height;
	const int32_t in_width = params->input_width;
	const int32_t in_channels = params->input_channels;
	const int32_t out_channels = params->output_channels;
	const int32_t multiplier = params->depth_multiplier;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const float *image = input + batch * in_height * in_width * in_channels;
		for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
			const int32_t origin_y = out_y * params->stride_height - params->pad_top;
			for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
				const int32_t origin_x =
				    out_x * params->stride_width - params->pad_left;
				float *pixel_out =
				    output + ((batch * params->output_height + out_y) *
						  params->output_width +
					      out_x) *
						 out_channels;
				for (int32_t ic = 0; ic < in_channels; ic++) {
					for (int32_t m = 0; m < multiplier; m++) {
						const int32_t oc = ic * multiplier + m;
						float acc = 0.0f;
						for (int32_t ky = 0; ky < params->filter_height;
						     ky++) {
							const int32_t in_y =
							    origin_y + ky * params->dilation_height;
							if (in_y < 0 || in_y >= in_height)
								continue;
							for (int32_t kx = 0;
							     kx < params->filter_width; kx++) {
								const int32_t in_x =
								    origin_x +
								    kx * params->dilation_width;
								if (in_x < 0 || in_x >= in_width)
									continue;
								acc +=
								    image[(in_y * in_width + in_x) *
									      in_channels +
									  ic] *
								    filter[(ky *
										params
										    ->filter_width +
									    kx) *
									       out_channels +
									   oc];
							}
						}
						if (bias)
							acc += bias[oc];
						if (acc < params->activation_min_f)
							acc = params->activation_min_f;
						if (acc > params->activation_max_f)
							acc = params->activation_max_f;
						pixel_out[oc] = acc;
					}
				}
			}
		}
	}
}
