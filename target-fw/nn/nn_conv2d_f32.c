#include "nn.h"

/*
 * Summation order is part of the contract, because the host runs this same
 * code as the reference for the board and float addition is not associative:
 * each output starts at 0, adds the products in filter row, filter column,
 * input channel order (all ascending), then adds the bias, as TFLite's
 * reference CONV_2D does. Window cells outside the input are padding and
 * are skipped rather than added as zeros. Both sides must be compiled with
 * -ffp-contract=off so that no product is fused into its addition.
 */
void nn_conv2d_f32(const struct nn_conv_params *params, const float *input, const float *filter,
		   const float *bias, float *output)
{
	const int32_t in_height = params->input_height;
	const int32_t in_width = params->input_width;
	const int32_t in_channels = params->input_channels;
	const int32_t out_channels = params->output_channels;
	const int32_t filter_size = params->filter_height * params->filter_width * in_channels;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const float *image = input + batch * in_height * in_width * in_channels;
		for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
			const int32_t origin_y = out_y * params->stride_height - params->pad_top;
			for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
				const int32_t origin_x =
				    out_x * params->stride_width - params->pad_left;
				for (int32_t oc = 0; oc < out_channels; oc++) {
					const float *kernel = filter + oc * filter_size;
					float acc = 0.0f;
					for (int32_t ky = 0; ky < params->filter_height; ky++) {
						const int32_t in_y =
						    origin_y + ky * params->dilation_height;
						if (in_y < 0 || in_y >= in_height)
							continue;
						for (int32_t kx = 0; kx < params->filter_width;
						     kx++) {
							const int32_t in_x =
							    origin_x + kx * params->dilation_width;
							const float *pixel;
							const float *taps;
							if (in_x < 0 || in_x >= in_width)
								continue;
							pixel = image + (in_y * in_width + in_x) *
									    in_channels;
							taps = kernel +
							       (ky * params->filter_width + kx) *
								   in_channels;
							for (int32_t ic = 0; ic < in_channels; ic++)
								acc += pixel[ic] * taps[ic];
						}
					}
					if (bias)
						acc += bias[oc];
					if (acc < params->activation_min_f)
						acc = params->activation_min_f;
					if (acc > params->activation_max_f)
						acc = params->activation_max_f;
					output[((batch * params->output_height + out_y) *
						    params->output_width +
						out_x) *
						   out_channels +
					       oc] = acc;
				}
			}
		}
	}
}
