/*
 * CONV_2D, int8: TFLite's reference_integer_ops::ConvPerChannel. Taps that
 * fall into the padding are skipped rather than read as the input zero
 * point, which is the same thing in real terms: they contribute zero.
 *
 * Two paths, both always compiled: nn_conv2d_s8_portable, the reference
 * the host runs, and nn_conv2d_s8_fast, what nn_conv2d_s8 runs on the
 * boards (NN_FAST_KERNELS, nn_simd.h). The fast path is a matrix product
 * of output pixels by output channels: a 1x1 filter reads the input
 * pixels in place, any other filter gathers each pixel's taps into a
 * column on the stack first, with the padding written as the input zero
 * point. Since every tap then exists, sum((x + offset) * w) is
 * sum(x * w) + offset * sum(w) exactly, and offset * sum(w) goes into the
 * bias once per output channel. Its usual form (columns of up to
 * CONV_EXPAND_MAX taps, accumulators that nn_requantize_bounded_ok
 * bounds, which real models' are) takes four pixels at a time: their
 * columns unpacked once to 16-bit lanes (SXTB16) for all the channels of
 * a block, each channel's weights unpacked once for the four, two packed
 * multiply-accumulates (SMLAD) per pixel per four taps. Otherwise it takes
 * two pixels by two channels, four taps per step, each unpacked in the
 * loop.
 */
#include <string.h>

#include "nn.h"

#include "nn_mve.h"
#include "nn_requantize.h"
#include "nn_simd.h"

/* Taps of one gathered column: 3x3 filters over up to 113 channels. Larger
 * filters (1x1 aside, which need no column) take the portable path. */
#define CONV_COLUMN_MAX 1024
/* Output channels whose folded bias is kept at once. */
#define CONV_CHANNEL_BLOCK 64
/* Taps of the four-pixel path's columns, unpacked on the stack (2 B per
 * tap and pixel, 4.5 KiB at most): 3x3 filters over 64 channels. */
#define CONV_EXPAND_MAX 576
#define CONV_LANES	4
/* Words of four unpacked columns: two per tap, four per tap of the last
 * depth % 4. */
#define CONV_EXPAND_WORDS (2 * CONV_EXPAND_MAX + 3 * CONV_LANES)

/* Sum of (input + input_offset) * filter over the in-bounds taps of one
 * output cell; image is one batch, kernel one output channel's filter. */
static NN_ALWAYS_INLINE int32_t conv_accumulate(const struct nn_conv_params *params,
						const int8_t *image, const int8_t *kernel,
						int32_t origin_y, int32_t origin_x, int narrow)
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
			if (narrow)
				acc = nn_dot_offset_s8(pixel, taps, channels, params->input_offset,
						       acc);
			else
				for (int32_t c = 0; c < channels; c++)
					acc += ((int32_t)pixel[c] + params->input_offset) * taps[c];
		}
	}
	return acc;
}

static NN_ALWAYS_INLINE void conv2d_s8_reference(const struct nn_conv_params *params,
						 const int8_t *input, const int8_t *filter,
						 const int32_t *bias, const int32_t *multiplier,
						 const int32_t *shift, int8_t *output, int narrow)
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
								      origin_y, origin_x, narrow);
					int32_t value;
					if (bias)
						acc += bias[out_c];
					value = (narrow ? nn_requantize_fast : nn_requantize)(
						    acc, multiplier[out_c], shift[out_c]) +
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

/* TFLite's arithmetic as written: the reference the host runs. */
void nn_conv2d_s8_portable(const struct nn_conv_params *params, const int8_t *input,
			   const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			   const int32_t *shift, int8_t *output)
{
	conv2d_s8_reference(params, input, filter, bias, multiplier, shift, output, 0);
}

/*
 * The narrow path's usual form (Armv6-M has no word loads from any address, no
 * packed multiplies and no 32x32 -> 64 multiply): four output pixels at a time,
 * so each weight byte loaded feeds four MULS. Their taps are gathered into four
 * interleaved columns of unsigned bytes, x + 128 (padding the zero point + 128),
 * because LDRB takes an immediate offset there and LDRSB does not: one base
 * register reaches all four pixels. sum((x + offset) w) is then
 * sum((x + 128) w) + (offset - 128) sum(w), the last term folded into the bias
 * once per channel; int32 sums wrap alike, so the result is exact wherever
 * the portable one is defined. The requantisation is nn_requantize_bounded's
 * with the high multiply from 16-bit products (nn_smmulr_narrow).
 */

/* Taps of the four interleaved columns (4 B each on the stack, 1.5 KiB: the
 * M0's stack is 4 KiB); deeper filters take the per-output loops. */
#define CONV_NARROW_TAPS_MAX 384
/* Output channels whose folded bias and rounding nudge are kept at once. */
#define CONV_NARROW_BLOCK 32

struct conv_narrow_acc {
	uint32_t a0, a1, a2, a3;
};

/* n taps of one input pixel into lane bytes 4 apart, as x + 128. */
static NN_ALWAYS_INLINE void conv_narrow_copy(uint8_t *to, const int8_t *from, int32_t n)
{
	for (; n >= 2; n -= 2, from += 2, to += 8) {
		to[0] = (uint8_t)((uint8_t)from[0] ^ 0x80u);
		to[4] = (uint8_t)((uint8_t)from[1] ^ 0x80u);
	}
	if (n)
		to[0] = (uint8_t)((uint8_t)from[0] ^ 0x80u);
}

static NN_ALWAYS_INLINE void conv_narrow_fill(uint8_t *to, uint8_t value, int32_t n)
{
	for (; n > 0; n--, to += 4)
		*to = value;
}

/* The taps of output pixel `pixel` (row-major) in filter order into lane
 * bytes 4 apart. */
static void conv_narrow_gather(const struct nn_conv_params *params, const int8_t *image,
			       int32_t pixel, uint8_t *lane)
{
	const int32_t channels = params->input_channels;
	const uint8_t pad = (uint8_t)((uint8_t)-params->input_offset ^ 0x80u);
	const int32_t out_y = pixel / params->output_width;
	const int32_t origin_y = out_y * params->stride_height - params->pad_top;
	const int32_t origin_x =
	    (pixel - out_y * params->output_width) * params->stride_width - params->pad_left;

	for (int32_t ky = 0; ky < params->filter_height; ky++) {
		const int32_t in_y = origin_y + ky * params->dilation_height;
		const int inside = in_y >= 0 && in_y < params->input_height;
		const int8_t *line = inside ? image + in_y * params->input_width * channels : image;
		for (int32_t kx = 0; kx < params->filter_width; kx++, lane += 4 * channels) {
			const int32_t in_x = origin_x + kx * params->dilation_width;
			if (inside && in_x >= 0 && in_x < params->input_width)
				conv_narrow_copy(lane, line + in_x * channels, channels);
			else
				conv_narrow_fill(lane, pad, channels);
		}
	}
}

/* acc.aP += sum over k of lanes[4k + P] * w[k]. On Armv6-M an asm loop over
 * four taps a turn: 14 instructions per tap for four MACs (LDRSB of the
 * weight against end pointers, then LDRB, MULS and an ADD into a high
 * register per pixel), where GCC 12's C reloads and spills the sums. Tested by
 * the firmware's output check against the host's portable kernels; the C
 * below is its twin, run by the unit tests. */
static NN_ALWAYS_INLINE struct conv_narrow_acc
conv_narrow_dot(const uint8_t *lanes, const int8_t *w, int32_t depth, struct conv_narrow_acc acc)
{
	int32_t k = 0;

#if defined(__ARM_ARCH_6M__) && defined(__GNUC__)
	if (depth >= 4) {
		const int32_t n = depth & ~3;
		const int8_t *w_end = w + n, *w_end1 = w_end + 1;
		int32_t i = -n;
		uint32_t x, tap;
		__asm__ volatile(
		    ".syntax unified\n"
		    "1:\n\t"
		    "ldrsb %[t], [%[we], %[i]]\n\t"
		    "ldrb %[x], [%[p], #0]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a0], %[x]\n\t"
		    "ldrb %[x], [%[p], #1]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a1], %[x]\n\t"
		    "ldrb %[x], [%[p], #2]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a2], %[x]\n\t"
		    "ldrb %[x], [%[p], #3]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a3], %[x]\n\t"
		    "ldrsb %[t], [%[we1], %[i]]\n\t"
		    "ldrb %[x], [%[p], #4]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a0], %[x]\n\t"
		    "ldrb %[x], [%[p], #5]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a1], %[x]\n\t"
		    "ldrb %[x], [%[p], #6]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a2], %[x]\n\t"
		    "ldrb %[x], [%[p], #7]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a3], %[x]\n\t"
		    "adds %[i], #2\n\t"
		    "ldrsb %[t], [%[we], %[i]]\n\t"
		    "ldrb %[x], [%[p], #8]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a0], %[x]\n\t"
		    "ldrb %[x], [%[p], #9]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a1], %[x]\n\t"
		    "ldrb %[x], [%[p], #10]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a2], %[x]\n\t"
		    "ldrb %[x], [%[p], #11]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a3], %[x]\n\t"
		    "ldrsb %[t], [%[we1], %[i]]\n\t"
		    "ldrb %[x], [%[p], #12]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a0], %[x]\n\t"
		    "ldrb %[x], [%[p], #13]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a1], %[x]\n\t"
		    "ldrb %[x], [%[p], #14]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a2], %[x]\n\t"
		    "ldrb %[x], [%[p], #15]\n\t"
		    "muls %[x], %[t], %[x]\n\t"
		    "add %[a3], %[x]\n\t"
		    "adds %[p], #16\n\t"
		    "adds %[i], #2\n\t"
		    "bne 1b\n\t"
		    ".syntax divided"
		    : [a0] "+h"(acc.a0), [a1] "+h"(acc.a1), [a2] "+h"(acc.a2), [a3] "+h"(acc.a3),
		      [i] "+l"(i), [p] "+l"(lanes), [x] "=&l"(x), [t] "=&l"(tap)
		    : [we] "l"(w_end), [we1] "l"(w_end1)
		    : "cc", "memory");
		k = n;
	}
#endif
	for (; k < depth; k++, lanes += 4) {
		const int32_t tap = w[k];
		acc.a0 += (uint32_t)(lanes[0] * tap);
		acc.a1 += (uint32_t)(lanes[1] * tap);
		acc.a2 += (uint32_t)(lanes[2] * tap);
		acc.a3 += (uint32_t)(lanes[3] * tap);
	}
	return acc;
}

/* (offset - 128) sum(w) + bias, modulo 2^32, for channels first..first+count-1;
 * and each one's folded nudge when q.folded. */
static void conv_narrow_fold(const struct nn_conv_params *params, const int8_t *filter,
			     const int32_t *bias, const int32_t *shift, int32_t first,
			     int32_t count, struct nn_narrow_q q, uint32_t *folded, int32_t *nudge)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;

	for (int32_t c = 0; c < count; c++) {
		const int8_t *taps = filter + (first + c) * depth;
		int32_t sum = 0;
		for (int32_t i = 0; i < depth; i++)
			sum += taps[i];
		folded[c] = (uint32_t)(bias ? bias[first + c] : 0) +
			    (uint32_t)(params->input_offset - 128) * (uint32_t)sum;
		nudge[c] =
		    q.folded ? nn_requantize_folded_nudge(shift[first + c], q.output_offset) : 0;
	}
}

/* Output pixels pixel..pixel+lanes-1 (lanes 1 to 4, gathered in `columns`)
 * by channels first..first+count-1. */
static NN_ALWAYS_INLINE void conv_narrow_block(const struct nn_conv_params *params,
					       const uint8_t *columns, const int8_t *filter,
					       const uint32_t *folded, const int32_t *nudge,
					       const int32_t *multiplier, const int32_t *shift,
					       int32_t first, int32_t count, int32_t lanes,
					       struct nn_narrow_q q, int8_t *out)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;
	const int32_t stride = params->output_channels;
	const int8_t *w = filter + first * depth;

	for (int32_t c = 0; c < count; c++, w += depth) {
		const int32_t oc = first + c, m = multiplier[oc], s = shift[oc], n = nudge[c];
		const struct conv_narrow_acc acc = conv_narrow_dot(
		    columns, w, depth,
		    (struct conv_narrow_acc){folded[c], folded[c], folded[c], folded[c]});
		out[oc] = nn_narrow_output(q, acc.a0, m, s, n);
		if (lanes > 1)
			out[stride + oc] = nn_narrow_output(q, acc.a1, m, s, n);
		if (lanes > 2)
			out[2 * stride + oc] = nn_narrow_output(q, acc.a2, m, s, n);
		if (lanes > 3)
			out[3 * stride + oc] = nn_narrow_output(q, acc.a3, m, s, n);
	}
}

static void conv_narrow_image(const struct nn_conv_params *params, const int8_t *image,
			      const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			      const int32_t *shift, struct nn_narrow_q q, int8_t *output)
{
	const int32_t pixels = params->output_height * params->output_width;
	uint8_t columns[4 * CONV_NARROW_TAPS_MAX];
	uint32_t folded[CONV_NARROW_BLOCK];
	int32_t nudge[CONV_NARROW_BLOCK];

	for (int32_t first = 0; first < params->output_channels; first += CONV_NARROW_BLOCK) {
		const int32_t left = params->output_channels - first;
		const int32_t count = left < CONV_NARROW_BLOCK ? left : CONV_NARROW_BLOCK;
		conv_narrow_fold(params, filter, bias, shift, first, count, q, folded, nudge);
		for (int32_t pixel = 0; pixel < pixels; pixel += 4) {
			const int32_t lanes = pixels - pixel < 4 ? pixels - pixel : 4;
			int8_t *out = output + pixel * params->output_channels;
			/* A missing lane repeats the last pixel and is not stored. */
			for (int32_t k = 0; k < 4; k++)
				conv_narrow_gather(params, image,
						   pixel + (k < lanes ? k : lanes - 1),
						   columns + k);
			if (lanes == 4 && q.folded)
				conv_narrow_block(
				    params, columns, filter, folded, nudge, multiplier, shift,
				    first, count, 4,
				    (struct nn_narrow_q){q.output_offset, q.min, q.max, 1}, out);
			else
				conv_narrow_block(params, columns, filter, folded, nudge,
						  multiplier, shift, first, count, lanes, q, out);
		}
	}
}

/* For cores without the fast kernels (M0, M23): the four-pixel form above
 * where it applies (the zero point an int8, the filter within the columns,
 * accumulators nn_requantize_bounded_ok bounds, as real models' are), else
 * the portable loops with nn_requantize_fast (equal to nn_requantize for every
 * input, unit-tested: nn_requantize's 64-bit division is a library call per
 * output there). */
void nn_conv2d_s8_narrow(const struct nn_conv_params *params, const int8_t *input,
			 const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
			 const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;
	const int32_t image_size =
	    params->input_height * params->input_width * params->input_channels;
	const int32_t pixels = params->output_height * params->output_width;
	const struct nn_narrow_q q = {
	    params->output_offset, params->activation_min, params->activation_max,
	    nn_requantize_folded_ok(shift, params->output_channels, params->output_offset,
				    params->activation_min, params->activation_max)};

	if (params->input_offset < -127 || params->input_offset > 128 ||
	    depth > CONV_NARROW_TAPS_MAX ||
	    !nn_requantize_bounded_ok(bias, shift, params->output_channels, depth,
				      params->input_offset)) {
		conv2d_s8_reference(params, input, filter, bias, multiplier, shift, output, 1);
		return;
	}
	for (int32_t batch = 0; batch < params->batches; batch++)
		conv_narrow_image(params, input + batch * image_size, filter, bias, multiplier,
				  shift, q, output + batch * pixels * params->output_channels);
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

	/* The usual case first: the whole window inside, no dilation. */
	if (params->dilation_width == 1 && params->dilation_height == 1 && first == 0 &&
	    past >= width && origin_y >= 0 &&
	    origin_y + params->filter_height <= params->input_height) {
		const int32_t line = params->input_width * channels;
		const int8_t *from = image + (origin_y * params->input_width + origin_x) * channels;
		for (int32_t ky = 0; ky < params->filter_height; ky++, from += line)
			conv_copy(column + ky * row_taps, from, row_taps);
		return;
	}
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

	/* Four weights per step, summed as two packed pairs times one: once
	 * per block, as many weights as the block's filters hold, which a
	 * 1x1 layer over few pixels would otherwise spend most of its time on. */
	const uint32_t ones = nn_dup16(1);

	for (int32_t c = 0; c < count; c++) {
		const int8_t *taps = filter + (first + c) * depth;
		int32_t sum = 0;
		int32_t i = 0;
		for (; i + 4 <= depth; i += 4) {
			const uint32_t w = nn_read_s8x4(taps + i);
			sum = nn_smlad(nn_sxtb16_ror8(w), ones, nn_smlad(nn_sxtb16(w), ones, sum));
		}
		for (; i < depth; i++)
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

/* Column `lane` (of CONV_LANES) of the four-pixel path, unpacked: for each
 * group g of four taps, words 8g + 2 lane and 8g + 2 lane + 1 hold the
 * even and the odd taps as 16-bit lanes (SXTB16's order); the depth % 4
 * last taps follow, one word per tap per lane. */
static void conv_expand(const int8_t *column, int32_t depth, int32_t lane, uint32_t *words)
{
	uint32_t *group = words + 2 * lane;
	int32_t i = 0;

	for (; i + 4 <= depth; i += 4, group += 2 * CONV_LANES) {
		const uint32_t x = nn_read_s8x4(column + i);
		group[0] = nn_sxtb16(x);
		group[1] = nn_sxtb16_ror8(x);
	}
	for (group -= 2 * lane; i < depth; i++, group += CONV_LANES)
		group[lane] = (uint32_t)(int32_t)column[i];
}

/* acc[k] += column k . filter over depth taps, for the four unpacked
 * columns: one weight word unpacked per four taps, used by all four;
 * eight taps per turn of the loop (the accumulators stay in registers
 * only as plain locals). */
struct conv_acc4 {
	int32_t a0, a1, a2, a3;
};

static NN_ALWAYS_INLINE struct conv_acc4 conv_dot_4x1(const uint32_t *x, const int8_t *filter,
						      int32_t depth, int32_t init)
{
	int32_t acc0 = init, acc1 = init, acc2 = init, acc3 = init;
	uint32_t w, w_even, w_odd;
	const int8_t *const end = filter + (depth & ~7);

#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
	/* The same turns as the C loop below, written out: LDM brings four
	 * column words per instruction where GCC 12 uses LDRD for two, and
	 * GCC also copies a pointer into a register on every turn (28
	 * instructions a turn here, 34 or 35 from the C). LDM needs its
	 * registers in ascending order, hence the fixed ones (the weight word
	 * is unpacked in place so that 13 registers do: the M7's build has no
	 * 14 to give); the firmware's
	 * output check against the host's portable kernels tests this loop. */
	if (filter != end) {
		register int32_t a0 __asm__("r0") = acc0;
		register int32_t a1 __asm__("r1") = acc1;
		register int32_t a2 __asm__("r2") = acc2;
		register int32_t a3 __asm__("r3") = acc3;
		register uint32_t x0 __asm__("r4");
		register uint32_t x1 __asm__("r5");
		register uint32_t x2 __asm__("r6");
		register uint32_t x3 __asm__("r7");
		__asm__ volatile("1:\n\t"
				 "ldr %[w], [%[f]], #4\n\t"
				 "sxtb16 %[wo], %[w], ror #8\n\t"
				 "sxtb16 %[w], %[w]\n\t"
				 "ldmia %[x]!, {r4, r5, r6, r7}\n\t"
				 "smlad %[a0], %[x0], %[w], %[a0]\n\t"
				 "smlad %[a0], %[x1], %[wo], %[a0]\n\t"
				 "smlad %[a1], %[x2], %[w], %[a1]\n\t"
				 "smlad %[a1], %[x3], %[wo], %[a1]\n\t"
				 "ldmia %[x]!, {r4, r5, r6, r7}\n\t"
				 "smlad %[a2], %[x0], %[w], %[a2]\n\t"
				 "smlad %[a2], %[x1], %[wo], %[a2]\n\t"
				 "smlad %[a3], %[x2], %[w], %[a3]\n\t"
				 "smlad %[a3], %[x3], %[wo], %[a3]\n\t"
				 "ldr %[w], [%[f]], #4\n\t"
				 "sxtb16 %[wo], %[w], ror #8\n\t"
				 "sxtb16 %[w], %[w]\n\t"
				 "ldmia %[x]!, {r4, r5, r6, r7}\n\t"
				 "smlad %[a0], %[x0], %[w], %[a0]\n\t"
				 "smlad %[a0], %[x1], %[wo], %[a0]\n\t"
				 "smlad %[a1], %[x2], %[w], %[a1]\n\t"
				 "smlad %[a1], %[x3], %[wo], %[a1]\n\t"
				 "ldmia %[x]!, {r4, r5, r6, r7}\n\t"
				 "smlad %[a2], %[x0], %[w], %[a2]\n\t"
				 "smlad %[a2], %[x1], %[wo], %[a2]\n\t"
				 "smlad %[a3], %[x2], %[w], %[a3]\n\t"
				 "smlad %[a3], %[x3], %[wo], %[a3]\n\t"
				 "cmp %[f], %[end]\n\t"
				 "bne 1b"
				 : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3),
				   [x] "+r"(x), [f] "+r"(filter), [x0] "=&r"(x0), [x1] "=&r"(x1),
				   [x2] "=&r"(x2), [x3] "=&r"(x3), [w] "=&r"(w), [wo] "=&r"(w_odd)
				 : [end] "r"(end)
				 : "cc", "memory");
		acc0 = a0;
		acc1 = a1;
		acc2 = a2;
		acc3 = a3;
	}
#else
	while (filter != end) {
		w = nn_read_s8x4(filter);
		w_even = nn_sxtb16(w);
		w_odd = nn_sxtb16_ror8(w);
		acc0 = nn_smlad(x[1], w_odd, nn_smlad(x[0], w_even, acc0));
		acc1 = nn_smlad(x[3], w_odd, nn_smlad(x[2], w_even, acc1));
		acc2 = nn_smlad(x[5], w_odd, nn_smlad(x[4], w_even, acc2));
		acc3 = nn_smlad(x[7], w_odd, nn_smlad(x[6], w_even, acc3));
		w = nn_read_s8x4(filter + 4);
		w_even = nn_sxtb16(w);
		w_odd = nn_sxtb16_ror8(w);
		acc0 = nn_smlad(x[9], w_odd, nn_smlad(x[8], w_even, acc0));
		acc1 = nn_smlad(x[11], w_odd, nn_smlad(x[10], w_even, acc1));
		acc2 = nn_smlad(x[13], w_odd, nn_smlad(x[12], w_even, acc2));
		acc3 = nn_smlad(x[15], w_odd, nn_smlad(x[14], w_even, acc3));
		x += 4 * CONV_LANES;
		filter += 8;
	}
#endif
	if (depth & 4) {
		w = nn_read_s8x4(filter);
		w_even = nn_sxtb16(w);
		w_odd = nn_sxtb16_ror8(w);
		acc0 = nn_smlad(x[1], w_odd, nn_smlad(x[0], w_even, acc0));
		acc1 = nn_smlad(x[3], w_odd, nn_smlad(x[2], w_even, acc1));
		acc2 = nn_smlad(x[5], w_odd, nn_smlad(x[4], w_even, acc2));
		acc3 = nn_smlad(x[7], w_odd, nn_smlad(x[6], w_even, acc3));
		x += 2 * CONV_LANES;
		filter += 4;
	}
	for (int32_t i = depth & 3; i > 0; i--, x += CONV_LANES) {
		const int32_t tap = *filter++;
		acc0 += (int32_t)x[0] * tap;
		acc1 += (int32_t)x[1] * tap;
		acc2 += (int32_t)x[2] * tap;
		acc3 += (int32_t)x[3] * tap;
	}
	return (struct conv_acc4){acc0, acc1, acc2, acc3};
}

/* The output's requantisation, offset and clamps, read once per block:
 * the int8 stores could alias the parameters, so GCC would reload them
 * after each. */
struct conv_requant {
	int32_t output_offset;
	int32_t min;
	int32_t max;
	int right_only; /* every shift in [-31, -1] */
};

static NN_ALWAYS_INLINE int8_t conv_output_bounded(struct conv_requant q, int32_t acc,
						   int32_t multiplier, int32_t shift)
{
	const int32_t value = q.right_only ? nn_requantize_bounded_right(acc, multiplier, shift)
					   : nn_requantize_bounded(acc, multiplier, shift);
	return nn_output_s8(value + q.output_offset, q.min, q.max);
}

/* What the four-pixel path reads of an output channel, side by side so
 * one pointer walks them: its folded bias, multiplier and shift, and for
 * nn_requantize_folded the nudge and exponent. */
struct conv_channel {
	int32_t folded;
	int32_t multiplier;
	int32_t nudge;
	int32_t exponent;
	int32_t shift;
};

/* `lanes` (1 to 4) output pixels (out: the first one's channel 0 of the
 * block) by the block's channels, from their unpacked columns (a missing
 * lane repeats the last and is not stored). The filter rows follow each
 * other, so the dot product leaves its pointer at the next row. */
static NN_ALWAYS_INLINE void conv_block_4(const uint32_t *x, const int8_t *filter, int32_t depth,
					  const struct conv_channel *channel, int32_t count,
					  int32_t stride, int32_t lanes, struct conv_requant q,
					  int8_t *out)
{
	const struct conv_channel *end = channel + count;

	for (; channel < end; channel++, out++, filter += depth) {
		const int32_t m = channel->multiplier, s = channel->shift;
		const struct conv_acc4 acc = conv_dot_4x1(x, filter, depth, channel->folded);

		out[0] = conv_output_bounded(q, acc.a0, m, s);
		if (lanes > 1)
			out[stride] = conv_output_bounded(q, acc.a1, m, s);
		if (lanes > 2)
			out[2 * stride] = conv_output_bounded(q, acc.a2, m, s);
		if (lanes > 3)
			out[3 * stride] = conv_output_bounded(q, acc.a3, m, s);
	}
}

/* The clamped int8 of the usual case (nn_requantize_folded_ok) before its
 * packed clamp: requantised with the offset in, saturated to int8. */
static NN_ALWAYS_INLINE int32_t conv_folded(const struct conv_channel *channel, int32_t acc)
{
	return nn_ssat8(
	    nn_requantize_folded(acc * 2, channel->multiplier, channel->nudge, channel->exponent));
}

/* conv_block_4 for a layer that passes nn_requantize_folded_ok: the four
 * pixels' outputs of a channel packed in one word and clamped at once. */
static NN_ALWAYS_INLINE void conv_block_4_packed(const uint32_t *x, const int8_t *filter,
						 int32_t depth, const struct conv_channel *channel,
						 int32_t count, int32_t stride, int32_t lanes,
						 uint32_t min4, uint32_t max4, int8_t *out)
{
	const struct conv_channel *end = channel + count;

	for (; channel < end; channel++, out++, filter += depth) {
		const struct conv_acc4 acc = conv_dot_4x1(x, filter, depth, channel->folded);
		const uint32_t word = nn_clamp_s8x4(
		    nn_pack_s8x4(conv_folded(channel, acc.a0), conv_folded(channel, acc.a1),
				 conv_folded(channel, acc.a2), conv_folded(channel, acc.a3)),
		    min4, max4);

		out[0] = (int8_t)word;
		if (lanes > 1)
			out[stride] = (int8_t)(word >> 8);
		if (lanes > 2)
			out[2 * stride] = (int8_t)(word >> 16);
		if (lanes > 3)
			out[3 * stride] = (int8_t)(word >> 24);
	}
}

/* acc[r] += column . filter row r over depth taps, for one unpacked column
 * (lane `lane` of the four-pixel layout) and four filter rows `depth`
 * apart: for the last one or two pixels of an image, which the four-pixel
 * product would mostly compute for nothing. */
static NN_ALWAYS_INLINE struct conv_acc4 conv_dot_1x4(const uint32_t *words, int32_t lane,
						      const int8_t *filter, int32_t depth,
						      const int32_t *init)
{
	const int8_t *row0 = filter, *row1 = filter + depth;
	const int8_t *row2 = row1 + depth, *row3 = row2 + depth;
	const uint32_t *x = words + 2 * lane;
	int32_t acc0 = init[0], acc1 = init[1], acc2 = init[2], acc3 = init[3];
	int32_t i = 0;

	for (; i + 4 <= depth; i += 4, x += 2 * CONV_LANES) {
		const uint32_t x_even = x[0], x_odd = x[1];
		uint32_t w = nn_read_s8x4(row0 + i);
		acc0 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc0));
		w = nn_read_s8x4(row1 + i);
		acc1 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc1));
		w = nn_read_s8x4(row2 + i);
		acc2 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc2));
		w = nn_read_s8x4(row3 + i);
		acc3 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc3));
	}
	for (x -= lane; i < depth; i++, x += CONV_LANES) {
		const int32_t value = (int32_t)x[lane];
		acc0 += value * row0[i];
		acc1 += value * row1[i];
		acc2 += value * row2[i];
		acc3 += value * row3[i];
	}
	return (struct conv_acc4){acc0, acc1, acc2, acc3};
}

/* Output pixel `lane` of the unpacked columns by the channels
 * first..first+count-1 (count >= 4), four filter rows at a time; when
 * count is not a multiple of four the last four rows overlap the ones
 * before and store the same values again. */
static void conv_block_1(const struct nn_conv_params *params, const uint32_t *x, int32_t lane,
			 const int8_t *filter, const int32_t *folded, int32_t first, int32_t count,
			 const int32_t *multiplier, const int32_t *shift, struct conv_requant q,
			 int8_t *out)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;

	for (int32_t c = 0; c < count; c += 4) {
		const int32_t local = c + 4 <= count ? c : count - 4;
		const int32_t top = first + local;
		const struct conv_acc4 acc =
		    conv_dot_1x4(x, lane, filter + top * depth, depth, folded + local);

		out[top] = conv_output_bounded(q, acc.a0, multiplier[top], shift[top]);
		out[top + 1] = conv_output_bounded(q, acc.a1, multiplier[top + 1], shift[top + 1]);
		out[top + 2] = conv_output_bounded(q, acc.a2, multiplier[top + 2], shift[top + 2]);
		out[top + 3] = conv_output_bounded(q, acc.a3, multiplier[top + 3], shift[top + 3]);
	}
}

/* conv_block_1 for a layer that passes nn_requantize_folded_ok: four
 * neighbouring channels' outputs packed, clamped and stored as one word. */
static void conv_block_1_packed(const uint32_t *x, int32_t lane, const int8_t *filter,
				int32_t depth, const int32_t *folded,
				const struct conv_channel *table, int32_t count, uint32_t min4,
				uint32_t max4, int8_t *out)
{
	for (int32_t c = 0; c < count; c += 4) {
		const int32_t local = c + 4 <= count ? c : count - 4;
		const struct conv_channel *channel = table + local;
		const struct conv_acc4 acc =
		    conv_dot_1x4(x, lane, filter + local * depth, depth, folded + local);
		const uint32_t word = nn_clamp_s8x4(nn_pack_s8x4(conv_folded(channel, acc.a0),
								 conv_folded(channel + 1, acc.a1),
								 conv_folded(channel + 2, acc.a2),
								 conv_folded(channel + 3, acc.a3)),
						    min4, max4);
		memcpy(out + local, &word, sizeof word);
	}
}

/* The four-pixel path over one batch image. */
static void conv_four_pixels(const struct nn_conv_params *params, const int8_t *image,
			     int pointwise, const int8_t *filter, const int32_t *bias,
			     const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;
	const int32_t pixels = params->output_height * params->output_width;
	/* Output pixel p reads input pixel p. */
	const int dense = pointwise && params->stride_height == 1 && params->stride_width == 1 &&
			  params->input_width == params->output_width;
	const struct conv_requant q = {params->output_offset, params->activation_min,
				       params->activation_max,
				       nn_requantize_right_ok(shift, params->output_channels)};
	const struct conv_requant right_q = {q.output_offset, q.min, q.max, 1};
	const struct conv_requant any_q = {q.output_offset, q.min, q.max, 0};
	const int packed =
	    nn_requantize_folded_ok(shift, params->output_channels, params->output_offset,
				    params->activation_min, params->activation_max);
	const uint32_t min4 = nn_dup8(params->activation_min);
	const uint32_t max4 = nn_dup8(params->activation_max);
	uint32_t words[CONV_EXPAND_WORDS];
	int8_t column[CONV_EXPAND_MAX];
	int32_t folded[CONV_CHANNEL_BLOCK];
	struct conv_channel table[CONV_CHANNEL_BLOCK];

	for (int32_t first = 0; first < params->output_channels; first += CONV_CHANNEL_BLOCK) {
		const int32_t left = params->output_channels - first;
		const int32_t count = left < CONV_CHANNEL_BLOCK ? left : CONV_CHANNEL_BLOCK;
		const int8_t *rows = filter + first * depth;
		conv_fold_bias(params, filter, bias, first, count, folded);
		for (int32_t c = 0; c < count; c++) {
			const int32_t s = shift[first + c];
			table[c] = (struct conv_channel){
			    folded[c], multiplier[first + c],
			    packed ? nn_requantize_folded_nudge(s, params->output_offset) : 0, -s,
			    s};
		}
		for (int32_t pixel = 0; pixel < pixels; pixel += CONV_LANES) {
			const int32_t lanes =
			    pixels - pixel < CONV_LANES ? pixels - pixel : CONV_LANES;
			int8_t *out;
			for (int32_t k = 0; k < CONV_LANES; k++) {
				const int32_t source = pixel + (k < lanes ? k : lanes - 1);
				conv_expand(
				    dense ? image + source * params->input_channels
					  : conv_column(params, image, source, pointwise, column),
				    depth, k, words);
			}
			if (lanes <= 2 && count >= 4 && packed) {
				for (int32_t k = 0; k < lanes; k++)
					conv_block_1_packed(
					    words, k, rows, depth, folded, table, count, min4, max4,
					    output + (pixel + k) * params->output_channels + first);
				continue;
			}
			if (lanes <= 2 && count >= 4) {
				for (int32_t k = 0; k < lanes; k++)
					conv_block_1(params, words, k, filter, folded, first, count,
						     multiplier, shift, q,
						     output +
							 (pixel + k) * params->output_channels);
				continue;
			}
			/* Copies without tests on the shift's sign or the lanes in
			 * the usual case. */
			out = output + pixel * params->output_channels + first;
			if (packed && lanes == CONV_LANES)
				conv_block_4_packed(words, rows, depth, table, count,
						    params->output_channels, CONV_LANES, min4, max4,
						    out);
			else if (packed)
				conv_block_4_packed(words, rows, depth, table, count,
						    params->output_channels, lanes, min4, max4,
						    out);
			else if (q.right_only && lanes == CONV_LANES)
				conv_block_4(words, rows, depth, table, count,
					     params->output_channels, CONV_LANES, right_q, out);
			else
				conv_block_4(words, rows, depth, table, count,
					     params->output_channels, lanes, any_q, out);
		}
	}
}

#if defined(__ARM_FEATURE_MVE)
/*
 * The M55's four-pixel path, for layers whose shifts are all right shifts
 * (nn_requantize_right_ok; the others take conv_four_pixels): the same
 * blocking in 16-tap steps. The four columns are interleaved by 16 bytes
 * on the stack, so one pointer walks them with immediate offsets; two
 * filter rows a turn, eight VMLADAVA.S8 per 16 taps. The columns' last
 * depth % 16 taps are copied with zeros after them and the filter's are
 * loaded predicated, so nothing past a filter is read. A channel's four
 * outputs are requantised as one vector (nn_mve_requantize_n) and
 * scattered to their four pixels by one predicated store.
 */
#define CONV_MVE_STEP	(CONV_LANES * NN_MVE_BYTES)
#define CONV_MVE_CHUNKS ((CONV_EXPAND_MAX + NN_MVE_BYTES - 1) / NN_MVE_BYTES)

/* Column `lane` (of CONV_LANES) into chunks: its taps 16g..16g+15 at
 * chunks + 64g + 16 lane. */
static void conv_mve_interleave(const int8_t *column, int32_t depth, int32_t lane, int8_t *chunks)
{
	int8_t *to = chunks + NN_MVE_BYTES * lane;
	int32_t i = 0;

	for (; i + NN_MVE_BYTES <= depth; i += NN_MVE_BYTES, to += CONV_MVE_STEP)
		vst1q_s8(to, vld1q_s8(column + i));
	if (i < depth)
		vst1q_s8(to, vldrbq_z_s8(column + i, vctp8q((uint32_t)(depth - i))));
}

/* acc0.aP += column P . row0 and acc1.aP += column P . row1 over depth
 * taps, for the four interleaved columns. */
static NN_ALWAYS_INLINE void conv_mve_dot_4x2(const int8_t *x, const int8_t *row0,
					      const int8_t *row1, int32_t depth,
					      struct conv_acc4 *acc0, struct conv_acc4 *acc1)
{
	int32_t a0 = acc0->a0, a1 = acc0->a1, a2 = acc0->a2, a3 = acc0->a3;
	int32_t b0 = acc1->a0, b1 = acc1->a1, b2 = acc1->a2, b3 = acc1->a3;
	int8x16_t x0, x1, x2, x3, w;

	for (int32_t steps = depth / NN_MVE_BYTES; steps > 0; steps--) {
		x0 = vld1q_s8(x);
		x1 = vld1q_s8(x + NN_MVE_BYTES);
		x2 = vld1q_s8(x + 2 * NN_MVE_BYTES);
		x3 = vld1q_s8(x + 3 * NN_MVE_BYTES);
		w = vld1q_s8(row0);
		a0 = vmladavaq_s8(a0, x0, w);
		a1 = vmladavaq_s8(a1, x1, w);
		a2 = vmladavaq_s8(a2, x2, w);
		a3 = vmladavaq_s8(a3, x3, w);
		w = vld1q_s8(row1);
		b0 = vmladavaq_s8(b0, x0, w);
		b1 = vmladavaq_s8(b1, x1, w);
		b2 = vmladavaq_s8(b2, x2, w);
		b3 = vmladavaq_s8(b3, x3, w);
		x += CONV_MVE_STEP;
		row0 += NN_MVE_BYTES;
		row1 += NN_MVE_BYTES;
	}
	if (depth % NN_MVE_BYTES) {
		const mve_pred16_t p = vctp8q((uint32_t)(depth % NN_MVE_BYTES));
		x0 = vld1q_s8(x);
		x1 = vld1q_s8(x + NN_MVE_BYTES);
		x2 = vld1q_s8(x + 2 * NN_MVE_BYTES);
		x3 = vld1q_s8(x + 3 * NN_MVE_BYTES);
		w = vldrbq_z_s8(row0, p);
		a0 = vmladavaq_s8(a0, x0, w);
		a1 = vmladavaq_s8(a1, x1, w);
		a2 = vmladavaq_s8(a2, x2, w);
		a3 = vmladavaq_s8(a3, x3, w);
		w = vldrbq_z_s8(row1, p);
		b0 = vmladavaq_s8(b0, x0, w);
		b1 = vmladavaq_s8(b1, x1, w);
		b2 = vmladavaq_s8(b2, x2, w);
		b3 = vmladavaq_s8(b3, x3, w);
	}
	*acc0 = (struct conv_acc4){a0, a1, a2, a3};
	*acc1 = (struct conv_acc4){b0, b1, b2, b3};
}

/* What the channel loop reads of an output channel, side by side so one
 * pointer walks them (the int8 stores could alias anything else). */
struct conv_mve_channel {
	int32_t folded;
	int32_t multiplier;
	int32_t shift;
};

/* The output offset and clamps, read once per layer. */
struct conv_mve_requant {
	int32_t output_offset;
	int32x4_t min;
	int32x4_t max;
	uint32x4_t to; /* byte offsets of the four pixels' outputs of a channel */
};

static NN_ALWAYS_INLINE int32x4_t conv_acc4_lanes(struct conv_acc4 acc)
{
	return nn_mve_lanes(acc.a0, acc.a1, acc.a2, acc.a3);
}

/* One channel's four accumulators (a lane a pixel): requantised, clamped,
 * stored to their pixels (only the first `lanes` when partial). */
static NN_ALWAYS_INLINE void conv_mve_store(const struct conv_mve_requant *q,
					    const struct conv_mve_channel *channel, int32x4_t acc,
					    int partial, mve_pred16_t p, int8_t *out)
{
	const int32x4_t value = nn_mve_requantize_n(acc, channel->multiplier, channel->shift,
						    q->output_offset, q->min, q->max);
	if (partial)
		vstrbq_scatter_offset_p_s32(out, q->to, value, p);
	else
		vstrbq_scatter_offset_s32(out, q->to, value);
}

/* The four interleaved columns by the count channels of a block (out: the
 * first pixel's first channel of the block), two channels a step; an odd
 * last channel pairs with itself and its twin is not stored. */
static NN_ALWAYS_INLINE void conv_mve_channels(const int8_t *chunks, const int8_t *rows,
					       int32_t depth, const struct conv_mve_channel *table,
					       int32_t count, const struct conv_mve_requant *q,
					       int partial, mve_pred16_t p, int8_t *out)
{
	const struct conv_mve_channel *end = table + (count & ~1);

	if (depth <= NN_MVE_BYTES) {
		/* One step of taps (a pointwise layer over at most 16 channels):
		 * the four columns stay in registers for every channel, one
		 * channel at a time. */
		const int8x16_t x0 = vld1q_s8(chunks), x1 = vld1q_s8(chunks + NN_MVE_BYTES);
		const int8x16_t x2 = vld1q_s8(chunks + 2 * NN_MVE_BYTES);
		const int8x16_t x3 = vld1q_s8(chunks + 3 * NN_MVE_BYTES);
		const mve_pred16_t taps = vctp8q((uint32_t)depth);

		for (end = table + count; table < end; table++, rows += depth, out++) {
			const int8x16_t w = vldrbq_z_s8(rows, taps);
			const int32x4_t acc =
			    vaddq_n_s32(nn_mve_lanes(vmladavq_s8(x0, w), vmladavq_s8(x1, w),
						     vmladavq_s8(x2, w), vmladavq_s8(x3, w)),
					table->folded);
			conv_mve_store(q, table, acc, partial, p, out);
		}
		return;
	}
	for (; table < end; table += 2, rows += 2 * depth, out += 2) {
		struct conv_acc4 acc0 = {table[0].folded, table[0].folded, table[0].folded,
					 table[0].folded};
		struct conv_acc4 acc1 = {table[1].folded, table[1].folded, table[1].folded,
					 table[1].folded};
		conv_mve_dot_4x2(chunks, rows, rows + depth, depth, &acc0, &acc1);
		conv_mve_store(q, table, conv_acc4_lanes(acc0), partial, p, out);
		conv_mve_store(q, table + 1, conv_acc4_lanes(acc1), partial, p, out + 1);
	}
	if (count & 1) {
		struct conv_acc4 acc0 = {table[0].folded, table[0].folded, table[0].folded,
					 table[0].folded};
		struct conv_acc4 acc1 = acc0;
		conv_mve_dot_4x2(chunks, rows, rows, depth, &acc0, &acc1);
		conv_mve_store(q, table, conv_acc4_lanes(acc0), partial, p, out);
	}
}

static void conv_four_pixels_mve(const struct nn_conv_params *params, const int8_t *image,
				 int pointwise, const int8_t *filter, const int32_t *bias,
				 const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->filter_height * params->filter_width * params->input_channels;
	const int32_t pixels = params->output_height * params->output_width;
	const int32_t channels = params->output_channels;
	/* Output pixel p reads input pixel p. */
	const int dense = pointwise && params->stride_height == 1 && params->stride_width == 1 &&
			  params->input_width == params->output_width;
	const struct conv_mve_requant q = {params->output_offset,
					   vdupq_n_s32(params->activation_min),
					   vdupq_n_s32(params->activation_max),
					   vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)channels)};
	int8_t chunks[CONV_MVE_CHUNKS * CONV_MVE_STEP];
	int8_t column[CONV_EXPAND_MAX];
	int32_t folded[CONV_CHANNEL_BLOCK];
	struct conv_mve_channel table[CONV_CHANNEL_BLOCK];

	for (int32_t first = 0; first < channels; first += CONV_CHANNEL_BLOCK) {
		const int32_t left = channels - first;
		const int32_t count = left < CONV_CHANNEL_BLOCK ? left : CONV_CHANNEL_BLOCK;
		const int8_t *rows = filter + first * depth;
		conv_fold_bias(params, filter, bias, first, count, folded);
		for (int32_t c = 0; c < count; c++)
			table[c] = (struct conv_mve_channel){folded[c], multiplier[first + c],
							     shift[first + c]};
		for (int32_t pixel = 0; pixel < pixels; pixel += CONV_LANES) {
			const int32_t lanes =
			    pixels - pixel < CONV_LANES ? pixels - pixel : CONV_LANES;
			int8_t *out = output + pixel * channels + first;
			for (int32_t k = 0; k < CONV_LANES; k++) {
				const int32_t source = pixel + (k < lanes ? k : lanes - 1);
				conv_mve_interleave(
				    dense ? image + source * params->input_channels
					  : conv_column(params, image, source, pointwise, column),
				    depth, k, chunks);
			}
			/* Copies without a predicate in the usual case. */
			if (lanes == CONV_LANES)
				conv_mve_channels(chunks, rows, depth, table, count, &q, 0, 0, out);
			else
				conv_mve_channels(chunks, rows, depth, table, count, &q, 1,
						  vctp32q((uint32_t)lanes), out);
		}
	}
}
#endif

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

	if (depth <= CONV_EXPAND_MAX &&
	    nn_requantize_bounded_ok(bias, shift, params->output_channels, depth,
				     params->input_offset)) {
#if defined(__ARM_FEATURE_MVE)
		if (nn_requantize_right_ok(shift, params->output_channels)) {
			for (int32_t batch = 0; batch < params->batches; batch++)
				conv_four_pixels_mve(params, input + batch * image_size, pointwise,
						     filter, bias, multiplier, shift,
						     output +
							 batch * pixels * params->output_channels);
			return;
		}
#endif
		for (int32_t batch = 0; batch < params->batches; batch++)
			conv_four_pixels(params, input + batch * image_size, pointwise, filter,
					 bias, multiplier, shift,
					 output + batch * pixels * params->output_channels);
		return;
	}
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
#elif defined(__arm__)
	/* No fast kernels (Cortex-M0, M23): the portable loops, cheaper
	 * requantisation. */
	nn_conv2d_s8_narrow(params, input, filter, bias, multiplier, shift, output);
#else
	nn_conv2d_s8_portable(params, input, filter, bias, multiplier, shift, output);
#endif
}
