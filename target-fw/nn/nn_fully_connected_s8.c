/*
 * FULLY_CONNECTED, int8: TFLite's reference_integer_ops::FullyConnected.
 *
 * Two paths, both always compiled: nn_fully_connected_s8_portable, the
 * reference the host runs, and nn_fully_connected_s8_fast, what the boards
 * run (NN_FAST_KERNELS, nn_simd.h): four weight rows at a time against one
 * input row, four inputs per step, so each input word is unpacked and
 * offset once for four rows. The offset is added to the unpacked inputs
 * (x + offset fits 16 bits) rather than folded into the bias: folding
 * would need the sum of every weight row, as many additions as the product
 * itself when there is one batch.
 */
#include "nn.h"

#include "nn_requantize.h"
#include "nn_simd.h"

/* Rows of the fast path's block. */
#define FC_BLOCK 4

void nn_fully_connected_s8_portable(const struct nn_fc_params *params, const int8_t *input,
				    const int8_t *weights, const int32_t *bias,
				    const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->input_count;

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *row_in = input + batch * depth;
		int8_t *row_out = output + batch * params->output_count;
		for (int32_t out = 0; out < params->output_count; out++) {
			const int8_t *row_weights = weights + out * depth;
			int32_t acc = bias ? bias[out] : 0;
			for (int32_t i = 0; i < depth; i++)
				acc += ((int32_t)row_in[i] + params->input_offset) * row_weights[i];
			row_out[out] = nn_output_s8(
			    nn_requantize(acc, multiplier[out], shift[out]) + params->output_offset,
			    params->activation_min, params->activation_max);
		}
	}
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

void nn_fully_connected_s8_fast(const struct nn_fc_params *params, const int8_t *input,
				const int8_t *weights, const int32_t *bias,
				const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->input_count;

	/* x + offset must fit a 16-bit lane; TFLite's int8 offsets always do. */
	if (params->input_offset < -32767 + 128 || params->input_offset > 32767 - 127) {
		nn_fully_connected_s8_portable(params, input, weights, bias, multiplier, shift,
					       output);
		return;
	}
	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *row_in = input + batch * depth;
		int8_t *row_out = output + batch * params->output_count;
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
#else
	nn_fully_connected_s8_portable(params, input, weights, bias, multiplier, shift, output);
#endif
}
