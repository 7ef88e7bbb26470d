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

#include "nn_mve.h"
#include "nn_requantize.h"
#include "nn_simd.h"

/* Rows of the fast path's block. */
#define FC_BLOCK 4
/* Inputs unpacked and offset once per batch row, on the stack; deeper rows
 * are unpacked again for each block of rows. */
#define FC_EXPAND_MAX	1024
#define FC_EXPAND_WORDS (FC_EXPAND_MAX / 2 + 3)

/* TFLite's arithmetic as written: the reference the host runs. */
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

/*
 * The narrow path (cores without the fast kernels: M0, M23) takes four weight
 * rows per input load, so each input byte loaded and offset feeds four MULS.
 * The requantisation is nn_requantize_bounded's with the high multiply from
 * 16-bit products (nn_smmulr_narrow) where the accumulators are bounded
 * (nn_requantize_bounded_ok), else nn_requantize_fast.
 */
struct fc_narrow_acc {
	uint32_t a0, a1, a2, a3;
};

/* acc.aR += sum((x[i] + offset) rows[R][i]). On Armv6-M an asm loop over two
 * inputs a turn, 31 instructions for eight MACs (LDRSB has only a register
 * offset there: one index counts up to 0 against end pointers; the sums and
 * the offset sit in high registers, so the eight low ones hold the pointers,
 * the index and the two operands), where GCC 12's C spills. Tested by the
 * firmware's output check against the host's portable kernels; the C below
 * is its twin, run by the unit tests. */
static NN_ALWAYS_INLINE struct fc_narrow_acc fc_narrow_dot(const int8_t *x, const int8_t *rows[4],
							   int32_t depth, int32_t offset,
							   struct fc_narrow_acc acc)
{
	int32_t i = 0;

#if defined(__ARM_ARCH_6M__) && defined(__GNUC__)
	if (depth >= 2) {
		const int32_t n = depth & ~1;
		const int8_t *x_end = x + n;
		const int8_t *r0 = rows[0] + n, *r1 = rows[1] + n, *r2 = rows[2] + n,
			     *r3 = rows[3] + n;
		int32_t k = -n;
		int32_t value, tap;
		__asm__ volatile(".syntax unified\n"
				 "1:\n\t"
				 "ldrsb %[v], [%[xe], %[k]]\n\t"
				 "add %[v], %[off]\n\t"
				 "ldrsb %[t], [%[r0], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a0], %[t]\n\t"
				 "ldrsb %[t], [%[r1], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a1], %[t]\n\t"
				 "ldrsb %[t], [%[r2], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a2], %[t]\n\t"
				 "ldrsb %[t], [%[r3], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a3], %[t]\n\t"
				 "adds %[k], #1\n\t"
				 "ldrsb %[v], [%[xe], %[k]]\n\t"
				 "add %[v], %[off]\n\t"
				 "ldrsb %[t], [%[r0], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a0], %[t]\n\t"
				 "ldrsb %[t], [%[r1], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a1], %[t]\n\t"
				 "ldrsb %[t], [%[r2], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a2], %[t]\n\t"
				 "ldrsb %[t], [%[r3], %[k]]\n\t"
				 "muls %[t], %[v], %[t]\n\t"
				 "add %[a3], %[t]\n\t"
				 "adds %[k], #1\n\t"
				 "bne 1b\n\t"
				 ".syntax divided"
				 : [a0] "+h"(acc.a0), [a1] "+h"(acc.a1), [a2] "+h"(acc.a2),
				   [a3] "+h"(acc.a3), [k] "+l"(k), [v] "=&l"(value), [t] "=&l"(tap)
				 : [xe] "l"(x_end), [r0] "l"(r0), [r1] "l"(r1), [r2] "l"(r2),
				   [r3] "l"(r3), [off] "h"(offset)
				 : "cc", "memory");
		i = n;
	}
#endif
	for (; i < depth; i++) {
		const int32_t value = x[i] + offset;
		acc.a0 += (uint32_t)(value * rows[0][i]);
		acc.a1 += (uint32_t)(value * rows[1][i]);
		acc.a2 += (uint32_t)(value * rows[2][i]);
		acc.a3 += (uint32_t)(value * rows[3][i]);
	}
	return acc;
}

static NN_ALWAYS_INLINE int8_t fc_narrow_output(const struct nn_fc_params *params, int bounded,
						uint32_t acc, int32_t multiplier, int32_t shift)
{
	const int32_t value = bounded
				  ? nn_requantize_bounded_narrow((int32_t)acc, multiplier, shift)
				  : nn_requantize_fast((int32_t)acc, multiplier, shift);
	return nn_output_s8(value + params->output_offset, params->activation_min,
			    params->activation_max);
}

void nn_fully_connected_s8_narrow(const struct nn_fc_params *params, const int8_t *input,
				  const int8_t *weights, const int32_t *bias,
				  const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->input_count;
	const int bounded = nn_requantize_bounded_ok(bias, shift, params->output_count, depth,
						     params->input_offset);

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *row_in = input + batch * depth;
		int8_t *row_out = output + batch * params->output_count;
		for (int32_t out = 0; out < params->output_count; out += 4) {
			const int32_t left = params->output_count - out;
			const int32_t count = left < 4 ? left : 4;
			const int8_t *rows[4];
			uint32_t init[4];
			struct fc_narrow_acc acc;
			/* Missing rows repeat the last one and are not stored. */
			for (int32_t r = 0; r < 4; r++) {
				const int32_t row = out + (r < count ? r : count - 1);
				rows[r] = weights + row * depth;
				init[r] = bias ? (uint32_t)bias[row] : 0;
			}
			acc = fc_narrow_dot(
			    row_in, rows, depth, params->input_offset,
			    (struct fc_narrow_acc){init[0], init[1], init[2], init[3]});
			row_out[out] =
			    fc_narrow_output(params, bounded, acc.a0, multiplier[out], shift[out]);
			if (count > 1)
				row_out[out + 1] = fc_narrow_output(
				    params, bounded, acc.a1, multiplier[out + 1], shift[out + 1]);
			if (count > 2)
				row_out[out + 2] = fc_narrow_output(
				    params, bounded, acc.a2, multiplier[out + 2], shift[out + 2]);
			if (count > 3)
				row_out[out + 3] = fc_narrow_output(
				    params, bounded, acc.a3, multiplier[out + 3], shift[out + 3]);
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

#if defined(__ARM_FEATURE_MVE)
/*
 * The M55's path: four weight rows against the input row, 16 inputs a
 * step, one VMLADAVA.S8 per row and step (tail-predicated loads for the
 * last depth % 16, so nothing past a row is read). The input offset rides
 * in the same accumulator, a second VMLADAVA of the weights against the
 * offset in every lane: no weight sums to keep, so the four accumulators
 * fit the even registers VMLADAVA writes. An offset of 128 (zero point
 * -128) is no int8: then the inputs go in inverted, ~x = -x - 1, against
 * 1 - offset, and the sum comes out negated:
 * bias + sum((x + offset) w) = -(-bias + sum(~x w) + (1 - offset) sum(w)).
 * int32 sums wrap alike, so this is exact wherever the portable sum is.
 */
static NN_ALWAYS_INLINE void fc_mve_rows(const int8_t *x, const int8_t *rows[FC_BLOCK],
					 int32_t depth, int invert, int8x16_t offset,
					 int32_t acc[FC_BLOCK])
{
	const int8_t *w0 = rows[0], *w1 = rows[1], *w2 = rows[2], *w3 = rows[3];
	int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
	const int32_t n = depth % NN_MVE_BYTES;
	int8x16_t in, w;

	for (int32_t steps = depth / NN_MVE_BYTES; steps > 0; steps--) {
		in = vld1q_s8(x);
		if (invert)
			in = vmvnq_s8(in);
		w = vld1q_s8(w0);
		a0 = vmladavaq_s8(vmladavaq_s8(a0, in, w), offset, w);
		w = vld1q_s8(w1);
		a1 = vmladavaq_s8(vmladavaq_s8(a1, in, w), offset, w);
		w = vld1q_s8(w2);
		a2 = vmladavaq_s8(vmladavaq_s8(a2, in, w), offset, w);
		w = vld1q_s8(w3);
		a3 = vmladavaq_s8(vmladavaq_s8(a3, in, w), offset, w);
		x += NN_MVE_BYTES;
		w0 += NN_MVE_BYTES;
		w1 += NN_MVE_BYTES;
		w2 += NN_MVE_BYTES;
		w3 += NN_MVE_BYTES;
	}
	if (n > 0) {
		/* Inactive lanes load as 0: their weights add nothing. */
		const mve_pred16_t p = vctp8q((uint32_t)n);
		in = vldrbq_z_s8(x, p);
		if (invert)
			in = vmvnq_s8(in);
		w = vldrbq_z_s8(w0, p);
		a0 = vmladavaq_s8(vmladavaq_s8(a0, in, w), offset, w);
		w = vldrbq_z_s8(w1, p);
		a1 = vmladavaq_s8(vmladavaq_s8(a1, in, w), offset, w);
		w = vldrbq_z_s8(w2, p);
		a2 = vmladavaq_s8(vmladavaq_s8(a2, in, w), offset, w);
		w = vldrbq_z_s8(w3, p);
		a3 = vmladavaq_s8(vmladavaq_s8(a3, in, w), offset, w);
	}
	acc[0] = a0;
	acc[1] = a1;
	acc[2] = a2;
	acc[3] = a3;
}

/* One batch row, four output channels at a time, requantised four at
 * once where the layer allows it (vector: nn_mve_requantize's bounds). */
static NN_ALWAYS_INLINE void fc_mve_row(const struct nn_fc_params *params, const int8_t *row_in,
					const int8_t *weights, const int32_t *bias,
					const int32_t *multiplier, const int32_t *shift,
					int8_t *row_out, int invert, int vector)
{
	const int32_t depth = params->input_count;
	const int32_t offset = invert ? 1 - params->input_offset : params->input_offset;
	const int8x16_t offsets = vdupq_n_s8((int8_t)offset);
	const int32x4_t min = vdupq_n_s32(params->activation_min);
	const int32x4_t max = vdupq_n_s32(params->activation_max);

	for (int32_t out = 0; out < params->output_count; out += FC_BLOCK) {
		const int32_t left = params->output_count - out;
		const int32_t count = left < FC_BLOCK ? left : FC_BLOCK;
		const int8_t *rows[FC_BLOCK];
		int32_t acc[FC_BLOCK];
		for (int32_t r = 0; r < FC_BLOCK; r++) {
			const int32_t row = out + (r < count ? r : count - 1);
			const int32_t b = bias ? bias[row] : 0;
			rows[r] = weights + row * depth;
			acc[r] = invert ? (int32_t)(0u - (uint32_t)b) : b;
		}
		fc_mve_rows(row_in, rows, depth, invert, offsets, acc);
		if (invert)
			for (int32_t r = 0; r < FC_BLOCK; r++)
				acc[r] = (int32_t)(0u - (uint32_t)acc[r]);
		if (vector) {
			const mve_pred16_t p = vctp32q((uint32_t)count);
			const int32x4_t value = nn_mve_requantize(
			    vld1q_s32(acc), vldrwq_z_s32(multiplier + out, p),
			    vldrwq_z_s32(shift + out, p), params->output_offset, min, max);
			vstrbq_p_s32(row_out + out, value, p);
			continue;
		}
		for (int32_t r = 0; r < count; r++)
			row_out[out + r] =
			    fc_output(params, acc[r], multiplier[out + r], shift[out + r]);
	}
}

static void fc_mve(const struct nn_fc_params *params, const int8_t *input, const int8_t *weights,
		   const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
		   int8_t *output)
{
	const int invert = params->input_offset > 127;
	const int vector = nn_requantize_bounded_ok(bias, shift, params->output_count,
						    params->input_count, params->input_offset) &&
			   nn_requantize_right_ok(shift, params->output_count);

	for (int32_t batch = 0; batch < params->batches; batch++) {
		const int8_t *row_in = input + batch * params->input_count;
		int8_t *row_out = output + batch * params->output_count;
		/* Copies with constant flags, so the inner loop has no tests. */
		if (invert && vector)
			fc_mve_row(params, row_in, weights, bias, multiplier, shift, row_out, 1, 1);
		else if (vector)
			fc_mve_row(params, row_in, weights, bias, multiplier, shift, row_out, 0, 1);
		else
			fc_mve_row(params, row_in, weights, bias, multiplier, shift, row_out,
				   invert, 0);
	}
}
#endif

void nn_fully_connected_s8_fast(const struct nn_fc_params *params, const int8_t *input,
				const int8_t *weights, const int32_t *bias,
				const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
	const int32_t depth = params->input_count;
	const int expand = depth <= FC_EXPAND_MAX;
	uint32_t words[FC_EXPAND_WORDS];

#if defined(__ARM_FEATURE_MVE)
	if (params->input_offset >= -128 && params->input_offset <= 128) {
		fc_mve(params, input, weights, bias, multiplier, shift, output);
		return;
	}
#endif
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
