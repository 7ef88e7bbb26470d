/*
 * DEPTHWISE_CONV_2D, int8: TFLite's reference_integer_ops::
 * DepthwiseConvPerChannel. Output channel in_c * depth_multiplier + m reads
 * input channel in_c only; the filter is [1][height][width][output_channels].
 *
 * Two paths, both always compiled: nn_depthwise_conv2d_s8_portable, the
 * reference the host runs, and nn_depthwise_conv2d_s8_fast, what the boards
 * run (NN_FAST_KERNELS, nn_simd.h) for a depth multiplier of 1: four
 * channels per step, one word of input and one of filter per tap, each
 * lane multiplied on its own. A tap in the padding reads a row of the
 * input zero point instead of being skipped, so every output sees every
 * tap and sum((x + offset) * w) is sum(x * w) + offset * sum(w) exactly,
 * with offset * sum(w) folded into the bias once per channel.
 */
#include <string.h>

#include "nn.h"

#include "nn_mve.h"
#include "nn_requantize.h"
#include "nn_simd.h"

/* Channels whose folded bias is kept at once (also the zero-point row). */
#define DW_CHANNEL_BLOCK 64
/* Filter taps of the fast path: up to 8x8. */
#define DW_MAX_TAPS 64
/* The unrolled path's filter: 3x3, its weights unpacked per block. */
#define DW_TAPS_3X3	9
#define DW_GROUP	4
#define DW_WEIGHT_WORDS (DW_CHANNEL_BLOCK / DW_GROUP * DW_TAPS_3X3 * 2)

/* Sum of (input + input_offset) * filter over the in-bounds taps of one
 * output cell and channel; image is one batch. */
static int32_t depthwise_accumulate(const struct nn_conv_params *params, const int8_t *image,
				    const int8_t *filter, int32_t in_c, int32_t out_c,
				    int32_t origin_y, int32_t origin_x)
{
	int32_t acc = 0;

	for (int32_t ky = 0; ky < params->filter_height; ky++) {
		const int32_t in_y = origin_y + ky * params->dilation_height;
		if (in_y < 0 || in_y >= params->input_height)
			continue;
		for (int32_t kx = 0; kx < params->filter_width; kx++) {
			const int32_t in_x = origin_x + kx * params->dilation_width;
			int32_t pixel;
			int32_t tap;
			if (in_x < 0 || in_x >= params->input_width)
				continue;
			pixel = image[(in_y * params->input_width + in_x) * params->input_channels +
				      in_c];
			tap = filter[(ky * params->filter_width + kx) * params->output_channels +
				     out_c];
			acc += (pixel + params->input_offset) * tap;
		}
	}
	return acc;
}

static NN_ALWAYS_INLINE void
depthwise_conv2d_s8_reference(const struct nn_conv_params *params, const int8_t *input,
			      const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			      const int32_t *shift, int8_t *output, int narrow)
{
	const int32_t image_size =
	    params->input_height * params->input_width * params->input_channels;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *image = input + batch * image_size;
		for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
			const int32_t origin_y = out_y * params->stride_height - params->pad_top;
			for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
				const int32_t origin_x =
				    out_x * params->stride_width - params->pad_left;
				for (int32_t in_c = 0; in_c < params->input_channels; in_c++) {
					for (int32_t m = 0; m < params->depth_multiplier; m++) {
						const int32_t out_c =
						    in_c * params->depth_multiplier + m;
						int32_t acc = depthwise_accumulate(
						    params, image, filter, in_c, out_c, origin_y,
						    origin_x);
						int32_t value;
						if (bias)
							acc += bias[out_c];
						value =
						    (narrow ? nn_requantize_fast : nn_requantize)(
							acc, multiplier[out_c], shift[out_c]) +
						    params->output_offset;
						if (value < params->activation_min)
							value = params->activation_min;
						if (value > params->activation_max)
							value = params->activation_max;
						/* out_c counts up from 0: NHWC order. */
						*output++ = (int8_t)value;
					}
				}
			}
		}
	}
}

/* TFLite's arithmetic as written: the reference the host runs. */
void nn_depthwise_conv2d_s8_portable(const struct nn_conv_params *params, const int8_t *input,
				     const int8_t *filter, const int32_t *bias,
				     const int32_t *multiplier, const int32_t *shift,
				     int8_t *output)
{
	depthwise_conv2d_s8_reference(params, input, filter, bias, multiplier, shift, output, 0);
}

static NN_ALWAYS_INLINE int8_t dw_output(const struct nn_conv_params *params, int32_t acc,
					 int32_t multiplier, int32_t shift)
{
	return nn_output_s8(nn_requantize_fast(acc, multiplier, shift) + params->output_offset,
			    params->activation_min, params->activation_max);
}

/* Where each tap of output pixel (out_y, out_x) reads channel `first`:
 * the input, or the zero-point row for a tap in the padding. */
static NN_ALWAYS_INLINE void dw_taps(const struct nn_conv_params *params, const int8_t *image,
				     int32_t first, const int8_t *zero_row, int32_t out_y,
				     int32_t out_x, const int8_t **taps)
{
	const int32_t origin_y = out_y * params->stride_height - params->pad_top;
	const int32_t origin_x = out_x * params->stride_width - params->pad_left;

	for (int32_t ky = 0; ky < params->filter_height; ky++) {
		const int32_t in_y = origin_y + ky * params->dilation_height;
		const int row_inside = in_y >= 0 && in_y < params->input_height;
		for (int32_t kx = 0; kx < params->filter_width; kx++) {
			const int32_t in_x = origin_x + kx * params->dilation_width;
			*taps++ =
			    row_inside && in_x >= 0 && in_x < params->input_width
				? image +
				      (in_y * params->input_width + in_x) * params->input_channels +
				      first
				: zero_row;
		}
	}
}

/* One output pixel, channels first..first+count-1, from acc = folded bias. */
static NN_ALWAYS_INLINE void dw_pixel(const struct nn_conv_params *params,
				      const int8_t *const *taps, int32_t tap_count,
				      const int8_t *filter, const int32_t *folded, int32_t first,
				      int32_t count, const int32_t *multiplier,
				      const int32_t *shift, int8_t *out)
{
	const int32_t stride = params->output_channels;
	int32_t c = 0;

	for (; c + 4 <= count; c += 4) {
		const int8_t *weights = filter + first + c;
		int32_t acc0 = folded[c], acc1 = folded[c + 1];
		int32_t acc2 = folded[c + 2], acc3 = folded[c + 3];
		for (int32_t t = 0; t < tap_count; t++, weights += stride) {
			const uint32_t x = nn_read_s8x4(taps[t] + c);
			const uint32_t w = nn_read_s8x4(weights);
			const uint32_t x_even = nn_sxtb16(x), x_odd = nn_sxtb16_ror8(x);
			const uint32_t w_even = nn_sxtb16(w), w_odd = nn_sxtb16_ror8(w);
			acc0 = nn_smlabb(x_even, w_even, acc0);
			acc1 = nn_smlabb(x_odd, w_odd, acc1);
			acc2 = nn_smlatt(x_even, w_even, acc2);
			acc3 = nn_smlatt(x_odd, w_odd, acc3);
		}
		out[first + c] = dw_output(params, acc0, multiplier[first + c], shift[first + c]);
		out[first + c + 1] =
		    dw_output(params, acc1, multiplier[first + c + 1], shift[first + c + 1]);
		out[first + c + 2] =
		    dw_output(params, acc2, multiplier[first + c + 2], shift[first + c + 2]);
		out[first + c + 3] =
		    dw_output(params, acc3, multiplier[first + c + 3], shift[first + c + 3]);
	}
	for (; c < count; c++) {
		const int8_t *weights = filter + first + c;
		int32_t acc = folded[c];
		for (int32_t t = 0; t < tap_count; t++, weights += stride)
			acc += taps[t][c] * *weights;
		out[first + c] = dw_output(params, acc, multiplier[first + c], shift[first + c]);
	}
}

/* Channels first..first+count-1's biases with offset * sum(w) folded in,
 * the padding taps reading the zero-point row (see the top comment). */
static void dw_fold(const struct nn_conv_params *params, const int8_t *filter, const int32_t *bias,
		    int32_t first, int32_t count, int32_t *folded)
{
	const int32_t tap_count = params->filter_height * params->filter_width;
	const int32_t channels = params->output_channels;

	for (int32_t c = 0; c < count; c++) {
		int32_t sum = 0;
		for (int32_t t = 0; t < tap_count; t++)
			sum += filter[t * channels + first + c];
		folded[c] = (bias ? bias[first + c] : 0) + params->input_offset * sum;
	}
}

/* The narrow path's channel block and filter size: its tables on the
 * stack stay under the narrow conv's. */
#define DW_NARROW_BLOCK 32
#define DW_NARROW_TAPS	25

/* Channels first..first+count-1 of one output pixel on the narrow path:
 * byte loads only (Armv6-M faults on an unaligned word), each channel's
 * taps summed onto its folded bias. */
static NN_ALWAYS_INLINE void dw_narrow_pixel(const struct nn_conv_params *params,
					     const int8_t *const *taps, int32_t tap_count,
					     const int8_t *filter, const int32_t *folded,
					     const int32_t *nudge, int32_t first, int32_t count,
					     const int32_t *multiplier, const int32_t *shift,
					     struct nn_narrow_q q, int8_t *out)
{
	const int32_t stride = params->output_channels;

	for (int32_t c = 0; c < count; c++) {
		const int8_t *w = filter + first + c;
		int32_t acc = folded[c];
		for (int32_t t = 0; t < tap_count; t++, w += stride)
			acc += taps[t][c] * *w;
		out[first + c] = nn_narrow_output(q, (uint32_t)acc, multiplier[first + c],
						  shift[first + c], nudge[c]);
	}
}

static void dw_narrow_image(const struct nn_conv_params *params, const int8_t *image,
			    const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			    const int32_t *shift, struct nn_narrow_q q, int8_t *output)
{
	const int32_t tap_count = params->filter_height * params->filter_width;
	const int32_t channels = params->output_channels;
	int8_t zero_row[DW_NARROW_BLOCK];
	const int8_t *taps[DW_NARROW_TAPS];
	int32_t folded[DW_NARROW_BLOCK], nudge[DW_NARROW_BLOCK];

	for (int32_t i = 0; i < DW_NARROW_BLOCK; i++)
		zero_row[i] = (int8_t)-params->input_offset;
	for (int32_t first = 0; first < channels; first += DW_NARROW_BLOCK) {
		const int32_t left = channels - first;
		const int32_t count = left < DW_NARROW_BLOCK ? left : DW_NARROW_BLOCK;
		dw_fold(params, filter, bias, first, count, folded);
		for (int32_t c = 0; c < count; c++)
			nudge[c] =
			    q.folded ? nn_requantize_folded_nudge(shift[first + c], q.output_offset)
				     : 0;
		for (int32_t out_y = 0; out_y < params->output_height; out_y++)
			for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
				int8_t *out =
				    output + (out_y * params->output_width + out_x) * channels;
				dw_taps(params, image, first, zero_row, out_y, out_x, taps);
				/* 3x3 with a constant tap count. */
				if (tap_count == 9)
					dw_narrow_pixel(params, taps, 9, filter, folded, nudge,
							first, count, multiplier, shift, q, out);
				else
					dw_narrow_pixel(params, taps, tap_count, filter, folded,
							nudge, first, count, multiplier, shift, q,
							out);
			}
	}
}

/* For cores without the fast kernels (M0, M23): tap pointers and folded
 * biases as the fast path builds them, where it applies (a depth
 * multiplier of 1, the zero point an int8, up to 5x5 taps, accumulators
 * nn_requantize_bounded_ok bounds, as real models' are), else the portable
 * loops with nn_requantize_fast (see nn_conv2d_s8_narrow). */
void nn_depthwise_conv2d_s8_narrow(const struct nn_conv_params *params, const int8_t *input,
				   const int8_t *filter, const int32_t *bias,
				   const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t tap_count = params->filter_height * params->filter_width;
	const int32_t channels = params->output_channels;
	const int32_t image_size =
	    params->input_height * params->input_width * params->input_channels;
	const int32_t output_size = params->output_height * params->output_width * channels;
	const struct nn_narrow_q q = {
	    params->output_offset, params->activation_min, params->activation_max,
	    nn_requantize_folded_ok(shift, channels, params->output_offset, params->activation_min,
				    params->activation_max)};

	if (params->depth_multiplier != 1 || params->input_offset < -127 ||
	    params->input_offset > 128 || tap_count > DW_NARROW_TAPS ||
	    !nn_requantize_bounded_ok(bias, shift, channels, tap_count, params->input_offset)) {
		depthwise_conv2d_s8_reference(params, input, filter, bias, multiplier, shift,
					      output, 1);
		return;
	}
	for (int32_t batch = 0; batch < params->batches; batch++)
		dw_narrow_image(params, input + batch * image_size, filter, bias, multiplier, shift,
				q, output + batch * output_size);
}

/* The weights of channels first.. (groups of four) of a 3x3 filter as
 * 16-bit lanes: for group g and tap t, words 18g + 2t and 18g + 2t + 1
 * hold channels 0, 2 and 1, 3 of the group (SXTB16's order). */
static void dw_unpack_3x3(const int8_t *filter, int32_t channels, int32_t first, int32_t groups,
			  int doubled, uint32_t *words)
{
	for (int32_t g = 0; g < groups; g++)
		for (int32_t t = 0; t < DW_TAPS_3X3; t++) {
			const uint32_t w =
			    nn_read_s8x4(filter + t * channels + first + DW_GROUP * g);
			const uint32_t even = nn_sxtb16(w), odd = nn_sxtb16_ror8(w);
			/* 2w fits a lane: the accumulators come out doubled, as
			 * nn_requantize_folded takes them. */
			*words++ = doubled ? nn_sadd16(even, even) : even;
			*words++ = doubled ? nn_sadd16(odd, odd) : odd;
		}
}

/* What the packed outputs (nn_requantize_folded_ok) read of a channel,
 * side by side: its folded bias doubled, multiplier, nudge, exponent. */
struct dw_channel {
	int32_t folded2;
	int32_t multiplier;
	int32_t nudge;
	int32_t exponent;
};

/* The packed outputs' table and clamps (NULL table: the per-output path). */
struct dw_packed {
	const struct dw_channel *table;
	uint32_t min4;
	uint32_t max4;
};

static NN_ALWAYS_INLINE int32_t dw_folded(const struct dw_channel *channel, int32_t doubled)
{
	return nn_ssat8(
	    nn_requantize_folded(doubled, channel->multiplier, channel->nudge, channel->exponent));
}

/* Four neighbouring channels' doubled accumulators, from table entry t,
 * requantised, clamped as one word and stored at once. */
static NN_ALWAYS_INLINE void dw_store_packed(struct dw_packed p, const struct dw_channel *t,
					     int32_t acc0, int32_t acc1, int32_t acc2, int32_t acc3,
					     int8_t *out)
{
	const uint32_t word =
	    nn_clamp_s8x4(nn_pack_s8x4(dw_folded(t, acc0), dw_folded(t + 1, acc1),
				       dw_folded(t + 2, acc2), dw_folded(t + 3, acc3)),
			  p.min4, p.max4);
	memcpy(out, &word, sizeof word);
}

/* Requantisation, offset and clamps read once per block (the int8 stores
 * could alias the parameters). */
struct dw_requant {
	int32_t output_offset;
	int32_t min;
	int32_t max;
	int right_only; /* every shift in [-31, -1] */
};

static NN_ALWAYS_INLINE int8_t dw_output_bounded(struct dw_requant q, int32_t acc,
						 int32_t multiplier, int32_t shift)
{
	const int32_t value = q.right_only ? nn_requantize_bounded_right(acc, multiplier, shift)
					   : nn_requantize_bounded(acc, multiplier, shift);
	return nn_output_s8(value + q.output_offset, q.min, q.max);
}

/* One output pixel of a 3x3 filter, channels first..first+count-1, from
 * the unpacked weights; the last count % 4 channels one by one. */
static void dw_pixel_3x3(const struct nn_conv_params *params, const int8_t *const *taps,
			 const uint32_t *weights, const int32_t *folded, int32_t first,
			 int32_t count, const int32_t *multiplier, const int32_t *shift,
			 const int8_t *filter, struct dw_requant q, struct dw_packed p, int8_t *out)
{
	const int32_t stride = params->output_channels;
	const int32_t *m = multiplier + first, *s = shift + first;
	int32_t c = 0;

	out += first;
	for (; c + DW_GROUP <= count; c += DW_GROUP, weights += 2 * DW_TAPS_3X3) {
		const struct dw_channel *entry = p.table ? p.table + c : NULL;
		int32_t acc0 = entry ? entry[0].folded2 : folded[c];
		int32_t acc1 = entry ? entry[1].folded2 : folded[c + 1];
		int32_t acc2 = entry ? entry[2].folded2 : folded[c + 2];
		int32_t acc3 = entry ? entry[3].folded2 : folded[c + 3];
		NN_UNROLL_9
		for (int32_t t = 0; t < DW_TAPS_3X3; t++) {
			const uint32_t x = nn_read_s8x4(taps[t] + c);
			const uint32_t x_even = nn_sxtb16(x), x_odd = nn_sxtb16_ror8(x);
			acc0 = nn_smlabb(x_even, weights[2 * t], acc0);
			acc1 = nn_smlabb(x_odd, weights[2 * t + 1], acc1);
			acc2 = nn_smlatt(x_even, weights[2 * t], acc2);
			acc3 = nn_smlatt(x_odd, weights[2 * t + 1], acc3);
		}
		if (entry) {
			dw_store_packed(p, entry, acc0, acc1, acc2, acc3, out + c);
			continue;
		}
		out[c] = dw_output_bounded(q, acc0, m[c], s[c]);
		out[c + 1] = dw_output_bounded(q, acc1, m[c + 1], s[c + 1]);
		out[c + 2] = dw_output_bounded(q, acc2, m[c + 2], s[c + 2]);
		out[c + 3] = dw_output_bounded(q, acc3, m[c + 3], s[c + 3]);
	}
	for (; c < count; c++) {
		const int8_t *w = filter + first + c;
		int32_t acc = folded[c];
		for (int32_t t = 0; t < DW_TAPS_3X3; t++, w += stride)
			acc += taps[t][c] * *w;
		out[c] = dw_output_bounded(q, acc, m[c], s[c]);
	}
}

/* One tap of four channels: the input word at x, the unpacked weights w. */
static NN_ALWAYS_INLINE void dw_tap(const int8_t *x, const uint32_t *w, int32_t *acc0,
				    int32_t *acc1, int32_t *acc2, int32_t *acc3)
{
	const uint32_t word = nn_read_s8x4(x);
	const uint32_t x_even = nn_sxtb16(word), x_odd = nn_sxtb16_ror8(word);

	*acc0 = nn_smlabb(x_even, w[0], *acc0);
	*acc1 = nn_smlabb(x_odd, w[1], *acc1);
	*acc2 = nn_smlatt(x_even, w[0], *acc2);
	*acc3 = nn_smlatt(x_odd, w[1], *acc3);
}

/* Output pixels x_begin..x_end-1 of row out_y, whose 3x3 windows (no
 * dilation) lie inside the image, for the channels first..first+count-1:
 * each group of four channels walks the row with the window's three input
 * rows at fixed offsets, so no tap pointers are built; the last count % 4
 * channels one pixel at a time. */
static NN_ALWAYS_INLINE void dw_row_3x3(const struct nn_conv_params *params, const int8_t *image,
					const uint32_t *weights, const int32_t *folded,
					int32_t first, int32_t count, const int32_t *multiplier,
					const int32_t *shift, const int8_t *filter,
					struct dw_requant q, struct dw_packed p, int32_t out_y,
					int32_t x_begin, int32_t x_end, int8_t *out)
{
	const int32_t channels = params->output_channels;
	const int32_t line = params->input_width * channels;
	const int32_t step = params->stride_width * channels;
	const int32_t origin_y = out_y * params->stride_height - params->pad_top;
	const int32_t origin_x = x_begin * params->stride_width - params->pad_left;
	const int8_t *start =
	    image + (origin_y * params->input_width + origin_x) * channels + first;
	int8_t *row_out = out + (out_y * params->output_width + x_begin) * channels + first;
	int32_t c = 0;

	for (; c + DW_GROUP <= count; c += DW_GROUP, weights += 2 * DW_TAPS_3X3) {
		const int32_t m0 = multiplier[first + c], s0 = shift[first + c];
		const int8_t *window = start + c;
		int8_t *o = row_out + c;
		for (int32_t x = x_begin; x < x_end; x++, window += step, o += channels) {
			const int8_t *r1 = window + line, *r2 = window + 2 * line;
			const struct dw_channel *t = p.table ? p.table + c : NULL;
			int32_t acc0 = t ? t[0].folded2 : folded[c];
			int32_t acc1 = t ? t[1].folded2 : folded[c + 1];
			int32_t acc2 = t ? t[2].folded2 : folded[c + 2];
			int32_t acc3 = t ? t[3].folded2 : folded[c + 3];
			dw_tap(window, weights, &acc0, &acc1, &acc2, &acc3);
			dw_tap(window + channels, weights + 2, &acc0, &acc1, &acc2, &acc3);
			dw_tap(window + 2 * channels, weights + 4, &acc0, &acc1, &acc2, &acc3);
			dw_tap(r1, weights + 6, &acc0, &acc1, &acc2, &acc3);
			dw_tap(r1 + channels, weights + 8, &acc0, &acc1, &acc2, &acc3);
			dw_tap(r1 + 2 * channels, weights + 10, &acc0, &acc1, &acc2, &acc3);
			dw_tap(r2, weights + 12, &acc0, &acc1, &acc2, &acc3);
			dw_tap(r2 + channels, weights + 14, &acc0, &acc1, &acc2, &acc3);
			dw_tap(r2 + 2 * channels, weights + 16, &acc0, &acc1, &acc2, &acc3);
			if (t) {
				dw_store_packed(p, t, acc0, acc1, acc2, acc3, o);
				continue;
			}
			o[0] = dw_output_bounded(q, acc0, m0, s0);
			o[1] = dw_output_bounded(q, acc1, multiplier[first + c + 1],
						 shift[first + c + 1]);
			o[2] = dw_output_bounded(q, acc2, multiplier[first + c + 2],
						 shift[first + c + 2]);
			o[3] = dw_output_bounded(q, acc3, multiplier[first + c + 3],
						 shift[first + c + 3]);
		}
	}
	for (; c < count; c++) {
		const int8_t *window = start + c;
		int8_t *o = row_out + c;
		for (int32_t x = x_begin; x < x_end; x++, window += step, o += channels) {
			const int8_t *w = filter + first + c;
			int32_t acc = folded[c];
			for (int32_t ky = 0; ky < 3; ky++)
				for (int32_t kx = 0; kx < 3; kx++, w += channels)
					acc += window[ky * line + kx * channels] * *w;
			*o = dw_output_bounded(q, acc, multiplier[first + c], shift[first + c]);
		}
	}
}

/* The output columns [*begin, *end) whose 3x3 windows (no dilation) lie
 * inside the image's width. */
static void dw_inside_columns(const struct nn_conv_params *params, int32_t *begin, int32_t *end)
{
	const int32_t stride = params->stride_width;
	int32_t last = params->input_width - 3 + params->pad_left;

	*begin = (params->pad_left + stride - 1) / stride;
	*end = last < 0 ? 0 : last / stride + 1;
	if (*end > params->output_width)
		*end = params->output_width;
	if (*end < *begin)
		*end = *begin;
}

#if defined(__ARM_FEATURE_MVE)
/*
 * The M55's path, for any filter of up to DW_MAX_TAPS taps whose layer
 * nn_mve_requantize covers (bounded accumulators, right shifts): eight
 * channels across the lanes of a vector, the inputs and weights of a tap
 * loaded widened to 16 bits (the filter's row of a tap is contiguous, so
 * it is read in place), their products widened to 32 bits by VMULLB and
 * VMULLT (even and odd channels) and added to two accumulator vectors.
 * The taps and the folded bias are those of the DSP path (padding reads
 * the zero-point row). The even and odd channels' multipliers, shifts and
 * biases come in by gathers and their outputs go out by scatters, one
 * instruction each; the last count % 8 channels by the same steps,
 * predicated.
 */
#define DW_MVE_LANES 8

/* Channels c..c+7 (or the `left` of them, when tail) of one pixel, the
 * taps of channel 0 at taps[]. */
static NN_ALWAYS_INLINE void
dw_mve_channels(const struct nn_conv_params *params, const int8_t *const *taps, int32_t tap_count,
		int32_t c, const int8_t *weights, const int32_t *folded, const int32_t *multiplier,
		const int32_t *shift, int32_t left, int tail, int8_t *out)
{
	const int32_t stride = params->output_channels;
	const int32x4_t min = vdupq_n_s32(params->activation_min);
	const int32x4_t max = vdupq_n_s32(params->activation_max);
	const uint32x4_t pairs = vidupq_n_u32(0, 2);
	const mve_pred16_t p16 = tail ? vctp16q((uint32_t)left) : 0xffff;
	const mve_pred16_t p_even = tail ? vctp32q((uint32_t)(left + 1) / 2) : 0xffff;
	const mve_pred16_t p_odd = tail ? vctp32q((uint32_t)left / 2) : 0xffff;
	int32x4_t even, odd;

	if (tail) {
		even = vldrwq_gather_shifted_offset_z_s32(folded, pairs, p_even);
		odd = vldrwq_gather_shifted_offset_z_s32(folded + 1, pairs, p_odd);
	} else {
		even = vldrwq_gather_shifted_offset_s32(folded, pairs);
		odd = vldrwq_gather_shifted_offset_s32(folded + 1, pairs);
	}
	for (int32_t t = 0; t < tap_count; t++, weights += stride) {
		const int8_t *at = taps[t] + c;
		const int16x8_t x = tail ? vldrbq_z_s16(at, p16) : vldrbq_s16(at);
		const int16x8_t w = tail ? vldrbq_z_s16(weights, p16) : vldrbq_s16(weights);
		even = vaddq_s32(even, vmullbq_int_s16(x, w));
		odd = vaddq_s32(odd, vmulltq_int_s16(x, w));
	}
	if (tail) {
		even = nn_mve_requantize(
		    even, vldrwq_gather_shifted_offset_z_s32(multiplier, pairs, p_even),
		    vldrwq_gather_shifted_offset_z_s32(shift, pairs, p_even), params->output_offset,
		    min, max);
		odd = nn_mve_requantize(
		    odd, vldrwq_gather_shifted_offset_z_s32(multiplier + 1, pairs, p_odd),
		    vldrwq_gather_shifted_offset_z_s32(shift + 1, pairs, p_odd),
		    params->output_offset, min, max);
		vstrbq_scatter_offset_p_s32(out, pairs, even, p_even);
		vstrbq_scatter_offset_p_s32(out + 1, pairs, odd, p_odd);
		return;
	}
	even = nn_mve_requantize(even, vldrwq_gather_shifted_offset_s32(multiplier, pairs),
				 vldrwq_gather_shifted_offset_s32(shift, pairs),
				 params->output_offset, min, max);
	odd = nn_mve_requantize(odd, vldrwq_gather_shifted_offset_s32(multiplier + 1, pairs),
				vldrwq_gather_shifted_offset_s32(shift + 1, pairs),
				params->output_offset, min, max);
	vstrbq_scatter_offset_s32(out, pairs, even);
	vstrbq_scatter_offset_s32(out + 1, pairs, odd);
}

/* One output pixel (pixel_out: its channel `first`), channels
 * first..first+count-1. */
static NN_ALWAYS_INLINE void dw_mve_pixel(const struct nn_conv_params *params,
					  const int8_t *const *taps, int32_t tap_count,
					  const int8_t *filter, const int32_t *folded,
					  const int32_t *multiplier, const int32_t *shift,
					  int32_t first, int32_t count, int8_t *pixel_out)
{
	int32_t c = 0;

	for (; c + DW_MVE_LANES <= count; c += DW_MVE_LANES)
		dw_mve_channels(params, taps, tap_count, c, filter + first + c, folded + c,
				multiplier + first + c, shift + first + c, DW_MVE_LANES, 0,
				pixel_out + c);
	if (c < count)
		dw_mve_channels(params, taps, tap_count, c, filter + first + c, folded + c,
				multiplier + first + c, shift + first + c, count - c, 1,
				pixel_out + c);
}

static void dw_mve(const struct nn_conv_params *params, const int8_t *input, const int8_t *filter,
		   const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
		   int8_t *output)
{
	const int32_t image_size =
	    params->input_height * params->input_width * params->input_channels;
	const int32_t tap_count = params->filter_height * params->filter_width;
	const int32_t channels = params->output_channels;
	const int32_t height = params->input_height, width = params->input_width;
	/* From a window's first tap to its last, per axis. */
	const int32_t span_y = (params->filter_height - 1) * params->dilation_height;
	const int32_t span_x = (params->filter_width - 1) * params->dilation_width;
	const int32_t step = params->stride_width * params->input_channels;
	int8_t zero_row[DW_CHANNEL_BLOCK];
	const int8_t *taps[DW_MAX_TAPS];
	int32_t folded[DW_CHANNEL_BLOCK];

	for (int32_t i = 0; i < DW_CHANNEL_BLOCK; i++)
		zero_row[i] = (int8_t)-params->input_offset;
	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *image = input + batch * image_size;
		int8_t *out =
		    output + batch * params->output_height * params->output_width * channels;
		for (int32_t first = 0; first < channels; first += DW_CHANNEL_BLOCK) {
			const int32_t left = channels - first;
			const int32_t count = left < DW_CHANNEL_BLOCK ? left : DW_CHANNEL_BLOCK;
			dw_fold(params, filter, bias, first, count, folded);
			for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
				const int32_t origin_y =
				    out_y * params->stride_height - params->pad_top;
				const int rows_inside = origin_y >= 0 && origin_y + span_y < height;
				int moved = 0; /* taps[] is the last pixel's, inside the image */
				for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
					const int32_t origin_x =
					    out_x * params->stride_width - params->pad_left;
					const int inside = rows_inside && origin_x >= 0 &&
							   origin_x + span_x < width;
					int8_t *pixel_out =
					    out +
					    (out_y * params->output_width + out_x) * channels +
					    first;
					/* Inside the image a window is the last one moved by a
					 * stride: no bounds to test per tap. */
					if (inside && moved)
						for (int32_t t = 0; t < tap_count; t++)
							taps[t] += step;
					else
						dw_taps(params, image, first, zero_row, out_y,
							out_x, taps);
					moved = inside;
					/* 3x3 with a constant tap count, unrolled. */
					if (tap_count == DW_TAPS_3X3)
						dw_mve_pixel(params, taps, DW_TAPS_3X3, filter,
							     folded, multiplier, shift, first,
							     count, pixel_out);
					else
						dw_mve_pixel(params, taps, tap_count, filter,
							     folded, multiplier, shift, first,
							     count, pixel_out);
				}
			}
		}
	}
}
#endif

void nn_depthwise_conv2d_s8_fast(const struct nn_conv_params *params, const int8_t *input,
				 const int8_t *filter, const int32_t *bias,
				 const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t image_size =
	    params->input_height * params->input_width * params->input_channels;
	const int32_t tap_count = params->filter_height * params->filter_width;
	const int32_t channels = params->output_channels;
	int8_t zero_row[DW_CHANNEL_BLOCK];
	const int8_t *taps[DW_MAX_TAPS];
	int32_t folded[DW_CHANNEL_BLOCK];
	uint32_t weights[DW_WEIGHT_WORDS];
	int32_t inside_begin, inside_end;
	struct dw_channel table[DW_CHANNEL_BLOCK];
	struct dw_requant q, right_q, any_q;
	struct dw_packed packed = {NULL, 0, 0}, unpacked = {NULL, 0, 0};
	int unrolled, sliding;

	if (params->depth_multiplier != 1 || tap_count > DW_MAX_TAPS) {
		nn_depthwise_conv2d_s8_portable(params, input, filter, bias, multiplier, shift,
						output);
		return;
	}
#if defined(__ARM_FEATURE_MVE)
	if (nn_requantize_bounded_ok(bias, shift, channels, tap_count, params->input_offset) &&
	    nn_requantize_right_ok(shift, channels)) {
		dw_mve(params, input, filter, bias, multiplier, shift, output);
		return;
	}
#endif
	unrolled = tap_count == DW_TAPS_3X3 &&
		   nn_requantize_bounded_ok(bias, shift, channels, tap_count, params->input_offset);
	q = (struct dw_requant){params->output_offset, params->activation_min,
				params->activation_max, nn_requantize_right_ok(shift, channels)};
	right_q = q;
	right_q.right_only = 1;
	any_q = q;
	any_q.right_only = 0;
	sliding = unrolled && params->dilation_height == 1 && params->dilation_width == 1 &&
		  params->filter_height == 3;
	if (unrolled && nn_requantize_folded_ok(shift, channels, params->output_offset,
						params->activation_min, params->activation_max))
		packed = (struct dw_packed){table, nn_dup8(params->activation_min),
					    nn_dup8(params->activation_max)};
	for (int32_t i = 0; i < DW_CHANNEL_BLOCK; i++)
		zero_row[i] = (int8_t)-params->input_offset;
	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *image = input + batch * image_size;
		int8_t *out =
		    output + batch * params->output_height * params->output_width * channels;
		for (int32_t first = 0; first < channels; first += DW_CHANNEL_BLOCK) {
			const int32_t left = channels - first;
			const int32_t count = left < DW_CHANNEL_BLOCK ? left : DW_CHANNEL_BLOCK;
			for (int32_t c = 0; c < count; c++) {
				int32_t sum = 0;
				for (int32_t t = 0; t < tap_count; t++)
					sum += filter[t * channels + first + c];
				folded[c] =
				    (bias ? bias[first + c] : 0) + params->input_offset * sum;
				if (packed.table)
					table[c] = (struct dw_channel){
					    2 * folded[c], multiplier[first + c],
					    nn_requantize_folded_nudge(shift[first + c],
								       params->output_offset),
					    -shift[first + c]};
			}
			if (unrolled)
				dw_unpack_3x3(filter, channels, first, count / DW_GROUP,
					      packed.table != NULL, weights);
			dw_inside_columns(params, &inside_begin, &inside_end);
			for (int32_t out_y = 0; out_y < params->output_height; out_y++) {
				const int32_t origin_y =
				    out_y * params->stride_height - params->pad_top;
				const int rows_inside =
				    origin_y >= 0 && origin_y + 2 < params->input_height;
				for (int32_t out_x = 0; out_x < params->output_width; out_x++) {
					int8_t *pixel_out;
					if (sliding && rows_inside && out_x == inside_begin &&
					    inside_end > inside_begin) {
						/* Two copies, so that the usual one
						 * has no tests on the shift's sign. */
						if (packed.table)
							dw_row_3x3(params, image, weights, folded,
								   first, count, multiplier, shift,
								   filter, right_q, packed, out_y,
								   inside_begin, inside_end, out);
						else if (q.right_only)
							dw_row_3x3(params, image, weights, folded,
								   first, count, multiplier, shift,
								   filter, right_q, unpacked, out_y,
								   inside_begin, inside_end, out);
						else
							dw_row_3x3(params, image, weights, folded,
								   first, count, multiplier, shift,
								   filter, any_q, unpacked, out_y,
								   inside_begin, inside_end, out);
						out_x = inside_end - 1;
						continue;
					}
					pixel_out =
					    out + (out_y * params->output_width + out_x) * channels;
					dw_taps(params, image, first, zero_row, out_y, out_x, taps);
					if (unrolled)
						dw_pixel_3x3(params, taps, weights, folded, first,
							     count, multiplier, shift, filter, q,
							     packed, pixel_out);
					/* 3x3 with a constant tap count. */
					else if (tap_count == 9)
						dw_pixel(params, taps, 9, filter, folded, first,
							 count, multiplier, shift, pixel_out);
					else
						dw_pixel(params, taps, tap_count, filter, folded,
							 first, count, multiplier, shift,
							 pixel_out);
				}
			}
		}
	}
}

void nn_depthwise_conv2d_s8(const struct nn_conv_params *params, const int8_t *input,
			    const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			    const int32_t *shift, int8_t *output)
{
#if NN_FAST_KERNELS
	nn_depthwise_conv2d_s8_fast(params, input, filter, bias, multiplier, shift, output);
#elif defined(__arm__)
	/* No fast kernels (Cortex-M0, M23): the portable loops, cheaper
	 * requantisation. */
	nn_depthwise_conv2d_s8_narrow(params, input, filter, bias, multiplier, shift, output);
#else
	nn_depthwise_conv2d_s8_portable(params, input, filter, bias, multiplier, shift, output);
#endif
}
