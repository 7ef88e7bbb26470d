/*
 * FULLY_CONNECTED, int8: TFLite's reference_integer_ops::FullyConnected.
 *
 * Two paths, both always compiled: nn_fully_connected_s8_portable, the
 * reference the host runs, and nn_fully_connected_s8_fast, what the boards
 * run (NN_FAST_KERNELS, nn_simd.h): four weight rows at a time against one
 * input row, four inputs per step, each input word unpacked and offset
 * once per batch row (into a buffer on the stack when the row is short
 * enough, else once per block of four rows). The offset is added to the unpacked inputs
 * (x + offset fits 16 bits) rather than folded into the bias: folding
 * would need the sum of every weight row, as many additions as the product
 * itself when there is one batch.
 */
#include "nn.h"

#include "nn_requantize.h"
#include "nn_simd.h"

/* Rows of the fast path's block. */
#define FC_BLOCK 4
/* Inputs unpacked and offset once per batch row, on the stack; deeper rows
 * are unpacked again for each block of rows. */
#define FC_EXPAND_MAX	1024
#define FC_EXPAND_WORDS (FC_EXPAND_MAX / 2 + 3)

static NN_ALWAYS_INLINE void
fully_connected_s8_reference(const struct nn_fc_params *params, const int8_t *input,
			     const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
			     const int32_t *shift, int8_t *output, int narrow)
{
	const int32_t depth = params->input_count;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *row_in = input + batch * depth;
		int8_t *row_out = output + batch * params->output_count;
		for (int32_t out = 0; out < params->output_count; out++) {
			const int8_t *row_weights = weights + out * depth;
			int32_t acc = bias ? bias[out] : 0;
			if (narrow)
				acc = nn_dot_offset_s8(row_in, row_weights, depth,
						       params->input_offset, acc);
			else
				for (int32_t i = 0; i < depth; i++)
					acc += ((int32_t)row_in[i] + params->input_offset) *
					       row_weights[i];
			row_out[out] = nn_output_s8((narrow ? nn_requantize_fast : nn_requantize)(
							acc, multiplier[out], shift[out]) +
							params->output_offset,
						    params->activation_min, params->activation_max);
		}
	}
}

/* TFLite's arithmetic as written: the reference the host runs. */
void nn_fully_connected_s8_portable(const struct nn_fc_params *params, const int8_t *input,
				    const int8_t *weights, const int32_t *bias,
				    const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	fully_connected_s8_reference(params, input, weights, bias, multiplier, shift, output, 0);
}

/* The same loops with nn_requantize_fast: for cores without the fast
 * kernels (see nn_conv2d_s8_narrow). */
void nn_fully_connected_s8_narrow(const struct nn_fc_params *params, const int8_t *input,
				  const int8_t *weights, const int32_t *bias,
				  const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	fully_connected_s8_reference(params, input, weights, bias, multiplier, shift, output, 1);
}

static NN_ALWAYS_INLINE int8_t fc_output(const struct nn_fc_params *params, int32_t acc,
					 int32_t multiplier, int32_t shift)
{
	return nn_output_s8(nn_requantize_fast(acc, multiplier, shift) + params->output_offset,
			    params->activation_min, params->activation_max);
}

/* acc[r] += (row_in + offset) . rows[r] for `count` rows (1 to FC_BLOCK;
 * missing rows repeat the last one and their sums are not used). */
static void fc_dot_rows(const struct nn_fc_params *params, const int8_t *row_in,
			const int8_t *rows[FC_BLOCK], int32_t acc[FC_BLOCK])
{
	const int32_t depth = params->input_count;
	const uint32_t offset = nn_dup16(params->input_offset);
	int32_t acc0 = acc[0], acc1 = acc[1], acc2 = acc[2], acc3 = acc[3];
	int32_t i = 0;

	for (; i + 4 <= depth; i += 4) {
		const uint32_t x = nn_read_s8x4(row_in + i);
		const uint32_t x_even = nn_sadd16(nn_sxtb16(x), offset);
		const uint32_t x_odd = nn_sadd16(nn_sxtb16_ror8(x), offset);
		uint32_t w = nn_read_s8x4(rows[0] + i);

		acc0 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc0));
		w = nn_read_s8x4(rows[1] + i);
		acc1 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc1));
		w = nn_read_s8x4(rows[2] + i);
		acc2 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc2));
		w = nn_read_s8x4(rows[3] + i);
		acc3 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc3));
	}
	for (; i < depth; i++) {
		const int32_t x = row_in[i] + params->input_offset;
		acc0 += x * rows[0][i];
		acc1 += x * rows[1][i];
		acc2 += x * rows[2][i];
		acc3 += x * rows[3][i];
	}
	acc[0] = acc0;
	acc[1] = acc1;
	acc[2] = acc2;
	acc[3] = acc3;
}

/* row_in + offset as 16-bit lanes in SXTB16's order: words 2k and 2k + 1
 * hold inputs 4k, 4k + 2 and 4k + 1, 4k + 3; the last depth % 4 follow one
 * per word. */
static void fc_expand(const int8_t *row_in, int32_t depth, int32_t input_offset, uint32_t *words)
{
	const uint32_t offset = nn_dup16(input_offset);
	int32_t i = 0;

	for (; i + 4 <= depth; i += 4) {
		const uint32_t x = nn_read_s8x4(row_in + i);
		*words++ = nn_sadd16(nn_sxtb16(x), offset);
		*words++ = nn_sadd16(nn_sxtb16_ror8(x), offset);
	}
	for (; i < depth; i++)
		*words++ = (uint32_t)(row_in[i] + input_offset);
}

/* fc_dot_rows over inputs unpacked by fc_expand: with the offset already
 * added, the loop has one register to spare and no additions. Walking
 * pointers: indexed, GCC keeps the bases on the stack. */
static NN_ALWAYS_INLINE void fc_dot_rows_expanded(const uint32_t *x, int32_t depth,
						  const int8_t *rows[FC_BLOCK],
						  int32_t acc[FC_BLOCK])
{
	const int8_t *row0 = rows[0], *row1 = rows[1], *row2 = rows[2], *row3 = rows[3];
	int32_t acc0 = acc[0], acc1 = acc[1], acc2 = acc[2], acc3 = acc[3];

	for (int32_t groups = depth / 4; groups > 0; groups--) {
		const uint32_t x_even = *x++;
		const uint32_t x_odd = *x++;
		uint32_t w = nn_read_s8x4(row0);

		acc0 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc0));
		w = nn_read_s8x4(row1);
		acc1 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc1));
		w = nn_read_s8x4(row2);
		acc2 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc2));
		w = nn_read_s8x4(row3);
		acc3 = nn_smlad(x_odd, nn_sxtb16_ror8(w), nn_smlad(x_even, nn_sxtb16(w), acc3));
		row0 += 4;
		row1 += 4;
		row2 += 4;
		row3 += 4;
	}
	for (int32_t i = 0; i < depth % 4; i++) {
		const int32_t value = (int32_t)x[i];
		acc0 += value * row0[i];
		acc1 += value * row1[i];
		acc2 += value * row2[i];
		acc3 += value * row3[i];
	}
	acc[0] = acc0;
	acc[1] = acc1;
	acc[2] = acc2;
	acc[3] = acc3;
}

void nn_fully_connected_s8_fast(const struct nn_fc_params *params, const int8_t *input,
				const int8_t *weights, const int32_t *bias,
				const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->input_count;
	const int expand = depth <= FC_EXPAND_MAX;
	uint32_t words[FC_EXPAND_WORDS];

	/* x + offset must fit a 16-bit lane; TFLite's int8 offsets always do. */
	if (params->input_offset < -32767 + 128 || params->input_offset > 32767 - 127) {
		nn_fully_connected_s8_portable(params, input, weights, bias, multiplier, shift,
					       output);
		return;
	}
	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *row_in = input + batch * depth;
		int8_t *row_out = output + batch * params->output_count;
		if (expand)
			fc_expand(row_in, depth, params->input_offset, words);
		for (int32_t out = 0; out < params->output_count; out += FC_BLOCK) {
			const int32_t left = params->output_count - out;
			const int32_t count = left < FC_BLOCK ? left : FC_BLOCK;
			const int8_t *rows[FC_BLOCK];
			int32_t acc[FC_BLOCK];
			for (int32_t r = 0; r < FC_BLOCK; r++) {
				const int32_t row = out + (r < count ? r : count - 1);
				rows[r] = weights + row * depth;
				acc[r] = bias ? bias[row] : 0;
			}
			if (expand)
				fc_dot_rows_expanded(words, depth, rows, acc);
			else
				fc_dot_rows(params, row_in, rows, acc);
			for (int32_t r = 0; r < count; r++)
				row_out[out + r] =
				    fc_output(params, acc[r], multiplier[out + r], shift[out + r]);
		}
	}
}

void nn_fully_connected_s8(const struct nn_fc_params *params, const int8_t *input,
			   const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
			   const int32_t *shift, int8_t *output)
{
#if NN_FAST_KERNELS
	nn_fully_connected_s8_fast(params, input, weights, bias, multiplier, shift, output);
#elif defined(__arm__)
	/* No fast kernels (Cortex-M0, M23): the portable loops, cheaper
	 * requantisation. */
	nn_fully_connected_s8_narrow(params, input, weights, bias, multiplier, shift, output);
#else
	nn_fully_connected_s8_portable(params, input, weights, bias, multiplier, shift, output);
#endif
}
