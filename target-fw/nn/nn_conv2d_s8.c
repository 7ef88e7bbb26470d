/*
 * CONV_2D, int8: TFLite's reference_integer_ops::ConvPerChannel. Taps that
 * fall into the padding are skipped rather than read as the input zero
 * point, which is the same thing in real terms: they contribute zero.
 *
 * Two paths, both always compiled: nn_conv2d_s8_portable, the reference
 * the host runs, and nn_conv2d_s8_fast, what nn_conv2d_s8 runs on the
 * boards (NN_FAST_KERNELS, nn_simd.h). The fast path is a matrix product
 * of output pixels by output channels, two by two, four taps per step
 * (packed 16-bit multiply-accumulates): a 1x1 filter reads the input
 * pixels in place, any other filter gathers each pixel's taps into a
 * column on the stack first, with the padding written as the input zero
 * point. Since every tap then exists, sum((x + offset) * w) is
 * sum(x * w) + offset * sum(w) exactly, and offset * sum(w) goes into the
 * bias once per output channel.
 */
#include <string.h>

#include "nn.h"

#include "nn_requantize.h"
#include "nn_simd.h"

/* Taps of one gathered column: 3x3 filters over up to 113 channels. Larger
 * filters (1x1 aside, which need no column) take the portable path. */
#define CONV_COLUMN_MAX 1024
/* Output channels whose folded bias is kept at once. */
#define CONV_CHANNEL_BLOCK 64

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

void nn_conv2d_s8_portable(const struct nn_conv_params *params, const int8_t *input,
			   const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			   const int32_t *shift, int8_t *output)
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

/* n bytes, by words while at least four are left: the rows gathered are
 * short (a few taps of a few channels), too short for a library call. */
static NN_ALWAYS_INLINE void conv_copy(int8_t *to, const int8_t *from, int32_t n)
{
	for (; n >= 4; n -= 4, to += 4, from += 4) {
		const uint32_t word = nn_read_s8x4(from);
		memcpy(to, &word, sizeof word);
	}
	for (; n > 0; n--)
		*to++ = *from++;
}

static NN_ALWAYS_INLINE void conv_fill(int8_t *to, int8_t value, int32_t n)
{
	for (; n > 0; n--)
		*to++ = value;
}

/* The taps of output pixel (out_y, out_x) in filter order; padding taps are
 * the input zero point, so that they contribute nothing once the offset is
 * folded in. Without dilation a filter row's taps inside the image are one
 * run of the input row, copied at once. */
static void conv_gather(const struct nn_conv_params *params, const int8_t *image, int32_t out_y,
			int32_t out_x, int8_t *column)
{
	const int32_t channels = params->input_channels;
	const int32_t width = params->filter_width;
	const int32_t row_taps = width * channels;
	const int8_t zero = (int8_t)-params->input_offset;
	const int32_t origin_y = out_y * params->stride_height - params->pad_top;
	const int32_t origin_x = out_x * params->stride_width - params->pad_left;
	/* The filter columns [first, past) inside the image when there is no
	 * dilation; none when the window lies wholly in the padding. */
	int32_t first = origin_x < 0 ? -origin_x : 0;
	int32_t past = params->input_width - origin_x;

	if (first > width)
		first = width;
	if (past > width)
		past = width;
	if (past < first)
		past = first;

	for (int32_t ky = 0; ky < params->filter_height; ky++) {
		const int32_t in_y = origin_y + ky * params->dilation_height;
		const int8_t *line;
		int8_t *row = column + ky * row_taps;
		if (in_y < 0 || in_y >= params->input_height) {
			conv_fill(row, zero, row_taps);
			continue;
		}
		line = image + in_y * params->input_width * channels;
		if (params->dilation_width == 1) {
			conv_fill(row, zero, first * channels);
			conv_copy(row + first * channels, line + (origin_x + first) * channels,
				  (past - first) * channels);
			conv_fill(row + past * channels, zero, (width - past) * channels);
			continue;
		}
		for (int32_t kx = 0; kx < width; kx++) {
			const int32_t in_x = origin_x + kx * params->dilation_width;
			if (in_x < 0 || in_x >= params->input_width)
				conv_fill(row + kx * channels, zero, channels);
			else
				conv_copy(row + kx * channels, line + in_x * channels, channels);
		}
	}
}

/* The taps of output pixel `pixel` (row-major): the input pixel itself for
 * an unpadded 1x1 filter, else gathered into column. */
static const int8_t *conv_column(const struct nn_conv_params *params, const int8_t *image,
				 int32_t pixel, int pointwise, int8_t *column)
{
	const int32_t out_y = pixel / params->output_width;
	const int32_t out_x = pixel - out_y * params->output_width;

	if (pointwise)
		return image + (out_y * params->stride_height * params->input_width +
				out_x * params->stride_width) *
				   params->input_channels;
	conv_gather(params, image, out_y, out_x, column);
	return column;
}

/* acc[2p + c] += column p . filter c over depth taps, for two columns and
 * two filters: each input word is unpacked once for two filters and each
 * filter word once for two columns. */
static NN_ALWAYS_INLINE void conv_dot_2x2(const int8_t *column0, const int8_t *column1,
					  const int8_t *filter0, const int8_t *filter1,
					  int32_t depth, int32_t acc[4])
{
	int32_t acc00 = acc[0], acc01 = acc[1], acc10 = acc[2], acc11 = acc[3];
	int32_t i = 0;

	for (; i + 4 <= depth; i += 4) {
		const uint32_t x0 = nn_read_s8x4(column0 + i);
		const uint32_t x1 = nn_read_s8x4(column1 + i);
		const uint32_t x0_even = nn_sxtb16(x0), x0_odd = nn_sxtb16_ror8(x0);
		const uint32_t x1_even = nn_sxtb16(x1), x1_odd = nn_sxtb16_ror8(x1);
		uint32_t w = nn_read_s8x4(filter0 + i);
		uint32_t w_even = nn_sxtb16(w), w_odd = nn_sxtb16_ror8(w);

		acc00 = nn_smlad(x0_odd, w_odd, nn_smlad(x0_even, w_even, acc00));
		acc10 = nn_smlad(x1_odd, w_odd, nn_smlad(x1_even, w_even, acc10));
		w = nn_read_s8x4(filter1 + i);
		w_even = nn_sxtb16(w);
		w_odd = nn_sxtb16_ror8(w);
		acc01 = nn_smlad(x0_odd, w_odd, nn_smlad(x0_even, w_even, acc01));
		acc11 = nn_smlad(x1_odd, w_odd, nn_smlad(x1_even, w_even, acc11));
	}
	for (; i < depth; i++) {
		acc00 += column0[i] * filter0[i];
		acc01 += column0[i] * filter1[i];
		acc10 += column1[i] * filter0[i];
		acc11 += column1[i] * filter1[i];
	}
	acc[0] = acc00;
	acc[1] = acc01;
	acc[2] = acc10;
	acc[3] = acc11;
}

/* bias + input_offset * sum(filter) for output channels first..first+count-1. */
static void conv_fold_bias(const struct nn_conv_params *params, const int8_t *filter,
			   const int32_t *bias, int32_t first, int32_t count, int32_t *folded)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;

	for (int32_t c = 0; c < count; c++) {
		const int8_t *taps = filter + (first + c) * depth;
		int32_t sum = 0;
		for (int32_t i = 0; i < depth; i++)
			sum += taps[i];
		folded[c] = (bias ? bias[first + c] : 0) + params->input_offset * sum;
	}
}

static NN_ALWAYS_INLINE int8_t conv_output(const struct nn_conv_params *params, int32_t acc,
					   int32_t multiplier, int32_t shift)
{
	return nn_output_s8(nn_requantize_fast(acc, multiplier, shift) + params->output_offset,
			    params->activation_min, params->activation_max);
}

/* Output pixels pixel and pixel + 1 (when two_pixels) by the channels
 * first..first+count-1: the filters two at a time, the last one alone when
 * count is odd. Always inlined with two_pixels a constant, so that the
 * usual case has no per-output tests. */
static NN_ALWAYS_INLINE void
conv_block_pixels(const struct nn_conv_params *params, const int8_t *column0, const int8_t *column1,
		  int two_pixels, const int8_t *filter, const int32_t *folded, int32_t first,
		  int32_t count, const int32_t *multiplier, const int32_t *shift, int8_t *out0)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;
	int8_t *out1 = out0 + params->output_channels;
	int32_t c = 0;

	for (; c + 1 < count; c += 2) {
		const int32_t oc = first + c;
		const int8_t *filter0 = filter + oc * depth;
		int32_t acc[4] = {folded[c], folded[c + 1], folded[c], folded[c + 1]};

		conv_dot_2x2(column0, column1, filter0, filter0 + depth, depth, acc);
		out0[oc] = conv_output(params, acc[0], multiplier[oc], shift[oc]);
		out0[oc + 1] = conv_output(params, acc[1], multiplier[oc + 1], shift[oc + 1]);
		if (two_pixels) {
			out1[oc] = conv_output(params, acc[2], multiplier[oc], shift[oc]);
			out1[oc + 1] =
			    conv_output(params, acc[3], multiplier[oc + 1], shift[oc + 1]);
		}
	}
	if (c < count) {
		const int32_t oc = first + c;
		const int8_t *filter0 = filter + oc * depth;
		int32_t acc[4] = {folded[c], folded[c], folded[c], folded[c]};

		conv_dot_2x2(column0, column1, filter0, filter0, depth, acc);
		out0[oc] = conv_output(params, acc[0], multiplier[oc], shift[oc]);
		if (two_pixels)
			out1[oc] = conv_output(params, acc[2], multiplier[oc], shift[oc]);
	}
}

/* Output pixels pixel, pixel + 1 (if below pixels) by one block of channels. */
static void conv_block(const struct nn_conv_params *params, const int8_t *column0,
		       const int8_t *column1, int32_t pixel, int32_t pixels, const int8_t *filter,
		       const int32_t *folded, int32_t first, int32_t count,
		       const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	int8_t *out0 = output + pixel * params->output_channels;

	if (pixel + 1 < pixels)
		conv_block_pixels(params, column0, column1, 1, filter, folded, first, count,
				  multiplier, shift, out0);
	else
		conv_block_pixels(params, column0, column1, 0, filter, folded, first, count,
				  multiplier, shift, out0);
}

void nn_conv2d_s8_fast(const struct nn_conv_params *params, const int8_t *input,
		       const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
		       const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;
	const int32_t image_size =
	    params->input_height * params->input_width * params->input_channels;
	const int32_t pixels = params->output_height * params->output_width;
	const int pointwise =
	    params->filter_height == 1 && params->filter_width == 1 && params->pad_top == 0 &&
	    params->pad_left == 0 &&
	    (params->output_height - 1) * params->stride_height < params->input_height &&
	    (params->output_width - 1) * params->stride_width < params->input_width;
	int8_t columns[2][CONV_COLUMN_MAX];
	int32_t folded[CONV_CHANNEL_BLOCK];

	if (!pointwise && depth > CONV_COLUMN_MAX) {
		nn_conv2d_s8_portable(params, input, filter, bias, multiplier, shift, output);
		return;
	}
	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *image = input + batch * image_size;
		int8_t *batch_output = output + batch * pixels * params->output_channels;
		for (int32_t first = 0; first < params->output_channels;
		     first += CONV_CHANNEL_BLOCK) {
			const int32_t left = params->output_channels - first;
			const int32_t count = left < CONV_CHANNEL_BLOCK ? left : CONV_CHANNEL_BLOCK;
			conv_fold_bias(params, filter, bias, first, count, folded);
			for (int32_t pixel = 0; pixel < pixels; pixel += 2) {
				const int8_t *column0 =
				    conv_column(params, image, pixel, pointwise, columns[0]);
				const int8_t *column1 = pixel + 1 < pixels
							    ? conv_column(params, image, pixel + 1,
									  pointwise, columns[1])
							    : column0;
				conv_block(params, column0, column1, pixel, pixels, filter, folded,
					   first, count, multiplier, shift, batch_output);
			}
		}
	}
}

void nn_conv2d_s8(const struct nn_conv_params *params, const int8_t *input, const int8_t *filter,
		  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
		  int8_t *output)
{
#if NN_FAST_KERNELS
	nn_conv2d_s8_fast(params, input, filter, bias, multiplier, shift, output);
#else
	nn_conv2d_s8_portable(params, input, filter, bias, multiplier, shift, output);
#endif
}
