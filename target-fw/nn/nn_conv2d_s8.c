/*
 * CONV_2D, int8: TFLite's reference_integer_ops::ConvPerChannel. Taps that
 * fall into the padding are skipped rather than read as the input zero
 * point, which is the same thing in real terms: they contribute zero.
 */
#include "nn.h"

#include "nn_requantize.h"

/* Sum of (input + input_offset) * filter over the in-bounds taps of one
 * output cell; image is one batch, kernel one output channel's filter. */
static int32_t conv_accumulate(const struct nn_conv_params *params, const int8_t *image,
			       const int8_t *kernel, int32_t origin_y, int32_t origin_x)
{
	const int32_t channels = params->input_channels;
	int32_t acc = 0;

	for (int32_t ky = 0; ky < params->filter_height; ky++) {
		const int32_t in_y = origin_y + ky * params->dilation_height;
		if (in_y < 0 || in_y >= params->input_height)
			continue;
		for (int32_t kx = 0; kx < params->filter_width; kx++) {
			const int32_t in_x = origin_x + kx * params->dilation_width;
			const int8_t *pixel;
			const int8_t *taps;
			if (in_x < 0 || in_x >= params->input_width)
				continue;
			pixel = image + (in_y * params->input_width + in_x) * channels;
			taps = kernel + (ky * params->filter_width + kx) * channels;
			for (int32_t c = 0; c < channels; c++)
				acc += ((int32_t)pixel[c] + params->input_offset) * taps[c];
		}
	}
	return acc;
}

void nn_conv2d_s8(const struct nn_conv_params *params, const int8_t *input, const int8_t *filter,
		  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
		  int8_t *output)
{
	const int32_t image_size =
	    params->input_height * params->input_width * params->input_channels;
	const int32_t filter_size =
	    params->filter_height * params->filter_width * params->input_channels;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *image = input + batch * image_size;
		for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
			const int32_t origin_y = out_y * params->stride_height - params->pad_top;
			for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
				const int32_t origin_x =
				    out_x * params->stride_width - params->pad_left;
				for (int32_t out_c = 0; out_c < params->output_channels; out_c++) {
					int32_t acc = conv_accumulate(params, image,
								      filter + out_c * filter_size,
								      origin_y, origin_x);
					int32_t value;
					if (bias)
						acc += bias[out_c];
					value =
					    nn_requantize(acc, multiplier[out_c], shift[out_c]) +
					    params->output_offset;
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
