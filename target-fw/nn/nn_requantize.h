/*
 * TFLite's fixed-point requantization, bit-exact with its reference
 * kernels: SaturatingRoundingDoublingHighMul followed by a rounding
 * arithmetic right shift (the "double rounding" of gemmlowp). Header-only
 * so every kernel inlines it. Portable C99.
 */
#ifndef NN_REQUANTIZE_H
#define NN_REQUANTIZE_H

#include <stdint.h>

#include "nn_simd.h"

/* (a * b * 2) >> 32 with round-to-nearest; saturates the single overflow
 * case a == b == INT32_MIN. */
static inline int32_t nn_doubling_high_mul(int32_t a, int32_t b)
{
	int64_t product;
	int64_t nudge;
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	product = (int64_t)a * (int64_t)b;
	nudge = product >= 0 ? (1ll << 30) : (1 - (1ll << 30));
	/* Division, not a shift: TFLite truncates toward zero here. */
	return (int32_t)((product + nudge) / (1ll << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t nn_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
	const int32_t mask = (int32_t)((1ll << exponent) - 1);
	const int32_t remainder = x & mask;
	const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLite MultiplyByQuantizedMultiplier: x * multiplier * 2^shift / 2^31. */
static inline int32_t nn_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
	const int32_t left = shift > 0 ? shift : 0;
	const int32_t right = shift > 0 ? 0 : -shift;
	/* Left shift in 64 bits, saturated, so large positive shifts stay defined. */
	int64_t shifted = (int64_t)x * ((int64_t)1 << left);
	if (shifted > INT32_MAX)
		shifted = INT32_MAX;
	if (shifted < INT32_MIN)
		shifted = INT32_MIN;
	return nn_rounding_divide_by_pot(nn_doubling_high_mul((int32_t)shifted, multiplier), right);
}

/*
 * nn_requantize in fewer instructions, for the fast kernels; the same
 * result for every x, multiplier and shift (unit-tested against it):
 * - the saturating left shift compares x with the limits shifted right
 *   instead of widening to 64 bits;
 * - (p + nudge) / 2^31 truncated toward zero, with nudge 2^30 for p >= 0
 *   and 1 - 2^30 below, is floor((p + 2^30) / 2^31) for either sign, so
 *   the high multiply is one 64-bit add and a shift (no sign branches).
 */
static inline int32_t nn_requantize_fast(int32_t x, int32_t multiplier, int32_t shift)
{
	int32_t high;

	/* Kept apart because models have per-channel shifts of both signs and
	 * each side then needs half of the work. */
	if (shift > 0) {
		/* Any shift past 31 saturates every x but 0 alike: 31 does the same. */
		const int32_t left = shift > 31 ? 31 : shift;
		if (x > (INT32_MAX >> left))
			x = INT32_MAX;
		else if (x < (INT32_MIN >> left))
			x = INT32_MIN;
		else
			x = (int32_t)((uint32_t)x << left);
	}
	if (x == INT32_MIN && multiplier == INT32_MIN)
		high = INT32_MAX;
	else
		high = (int32_t)(((int64_t)x * multiplier + (1ll << 30)) >> 31);
	return shift > 0 ? high : nn_rounding_divide_by_pot(high, -shift);
}

/*
 * The fast kernels' requantisation of an accumulator known to lie in
 * (-2^30, 2^30) (nn_requantize_bounded_ok), equal to nn_requantize there
 * for every multiplier and every shift in [-31, 31]:
 * - 2x then fits 32 bits, and SMMULR's (2xm + 2^31) >> 32 is exactly
 *   floor((xm + 2^30) / 2^31), the doubling high multiply (no saturation
 *   case: x is never INT32_MIN);
 * - for a right shift by e >= 1, rounding half away from zero is
 *   floor((y + 2^(e-1)) / 2^e) with y = high - (high < 0), which is
 *   (floor(y / 2^(e-1)) + 1) >> 1, and e - 1 is ~shift; |high| <= |x|, so
 *   nothing overflows.
 */
static inline int32_t nn_requantize_bounded(int32_t x, int32_t multiplier, int32_t shift)
{
	int32_t high;

	if (shift > 0) /* rare in real models: the general left-shift path */
		return nn_requantize_fast(x, multiplier, shift);
	high = nn_smmulr(x * 2, multiplier);
	if (shift == 0)
		return high;
	return (((high + (high >> 31)) >> ~shift) + 1) >> 1;
}

/*
 * nn_smmulr(a, b) from four 16x16 -> 32 products, for cores without a
 * 32x32 -> 64 multiply (Armv6-M: there GCC calls __aeabi_lmul, about 50
 * instructions with the call, where this is about 20). With a = ah 2^16 +
 * al and b = bh 2^16 + bl (al, bl the unsigned low halves), a b + 2^31 =
 * ah bh 2^32 + (ah bl + al bh) 2^16 + al bl + 2^31; each cross product
 * fits int32 (|ah| <= 2^15, bl < 2^16), and the carry into bit 32 is what
 * the low halves of the cross products, the high half of al bl and 2^15
 * sum to past bit 16. Exact for every a and b (unit-tested).
 */
static inline int32_t nn_smmulr_narrow(int32_t a, int32_t b)
{
	const uint32_t al = (uint32_t)a & 0xffffu, bl = (uint32_t)b & 0xffffu;
	const int32_t ah = a >> 16, bh = b >> 16;
	const int32_t cross_a = ah * (int32_t)bl, cross_b = (int32_t)al * bh;
	const uint32_t carry = ((al * bl) >> 16) + ((uint32_t)cross_a & 0xffffu) +
			       ((uint32_t)cross_b & 0xffffu) + 0x8000u;

	return ah * bh + (cross_a >> 16) + (cross_b >> 16) + (int32_t)(carry >> 16);
}

/* nn_requantize_bounded with nn_smmulr_narrow: the same result for the
 * same accumulators (nn_requantize_bounded_ok), for the narrow paths. */
static inline int32_t nn_requantize_bounded_narrow(int32_t x, int32_t multiplier, int32_t shift)
{
	int32_t high;

	if (shift > 0)
		return nn_requantize_fast(x, multiplier, shift);
	high = nn_smmulr_narrow(x * 2, multiplier);
	if (shift == 0)
		return high;
	return (((high + (high >> 31)) >> ~shift) + 1) >> 1;
}

/* One output of a narrow path (cores without a 32x32 -> 64 multiply), from
 * an accumulator nn_requantize_bounded_ok bounds, taken modulo 2^32 (a
 * path's folded terms may wrap and cancel): the usual case folded (nudge
 * from nn_requantize_folded_nudge, the offset inside; nn_requantize_folded_ok)
 * or any bounded one. */
struct nn_narrow_q {
	int32_t output_offset;
	int32_t min;
	int32_t max;
	int folded; /* nn_requantize_folded_ok */
};

static NN_ALWAYS_INLINE int8_t nn_narrow_output(struct nn_narrow_q q, uint32_t acc,
						int32_t multiplier, int32_t shift, int32_t nudge)
{
	int32_t value;

	if (q.folded) {
		const int32_t high = nn_smmulr_narrow((int32_t)(acc * 2u), multiplier);
		value = (high + (high >> 31) + nudge) >> -shift;
	} else {
		value =
		    nn_requantize_bounded_narrow((int32_t)acc, multiplier, shift) + q.output_offset;
	}
	return nn_output_s8(value, q.min, q.max);
}

/* nn_requantize_bounded for a right shift (shift in [-31, -1]), without
 * the tests on its sign: for layers whose shifts all are
 * (nn_requantize_right_ok), as in most real models. */
static inline int32_t nn_requantize_bounded_right(int32_t x, int32_t multiplier, int32_t shift)
{
	const int32_t high = nn_smmulr(x * 2, multiplier);
	return (((high + (high >> 31)) >> ~shift) + 1) >> 1;
}

/*
 * nn_requantize_bounded_right with the output offset added, in three steps
 * after the SMMULR, for the fast kernels' usual case: doubled = 2 x (x as
 * nn_requantize_bounded takes it, so doubled fits 32 bits), exponent =
 * -shift in [1, NN_FOLDED_EXPONENT_MAX] and nudge =
 * nn_requantize_folded_nudge(shift, output_offset). The rounding shift
 * floor((y + 2^(e-1)) / 2^e) plus the offset is floor((y + 2^(e-1) +
 * offset 2^e) / 2^e) exactly, since offset 2^e is a multiple of 2^e; with
 * |y| < 2^30, e <= 22 and |offset| <= 128 the sum stays below 2^31.
 */
#define NN_FOLDED_EXPONENT_MAX 22

static inline int32_t nn_requantize_folded(int32_t doubled, int32_t multiplier, int32_t nudge,
					   int32_t exponent)
{
	const int32_t high = nn_smmulr(doubled, multiplier);
	return (high + (high >> 31) + nudge) >> exponent;
}

static inline int32_t nn_requantize_folded_nudge(int32_t shift, int32_t output_offset)
{
	return ((int32_t)1 << (-shift - 1)) + output_offset * ((int32_t)1 << -shift);
}

/* Whether a layer's outputs can go through nn_requantize_folded and be
 * clamped as packed bytes (nn_clamp_s8x4): every shift in [-22, -1], the
 * output offset in [-128, 128], the clamps inside int8. The accumulators
 * must also pass nn_requantize_bounded_ok. */
static inline int nn_requantize_folded_ok(const int32_t *shift, int32_t channels,
					  int32_t output_offset, int32_t min, int32_t max)
{
	if (output_offset < -128 || output_offset > 128 || min < -128 || max > 127 || min > max)
		return 0;
	for (int32_t c = 0; c < channels; c++)
		if (shift[c] < -NN_FOLDED_EXPONENT_MAX || shift[c] > -1)
			return 0;
	return 1;
}

static inline int nn_requantize_right_ok(const int32_t *shift, int32_t channels)
{
	for (int32_t c = 0; c < channels; c++)
		if (shift[c] < -31 || shift[c] > -1)
			return 0;
	return 1;
}

/* Whether every accumulator of a layer lies in (-2^30, 2^30) and every
 * shift in [-31, 31], so nn_requantize_bounded is exact for it: channels
 * output channels, each depth products of (x + input_offset) * w with x
 * and w int8, plus its bias (may be NULL). */
static inline int nn_requantize_bounded_ok(const int32_t *bias, const int32_t *shift,
					   int32_t channels, int32_t depth, int32_t input_offset)
{
	const int64_t limit = (1ll << 30) - 1;
	const int64_t inputs = 128 + (input_offset < 0 ? -(int64_t)input_offset : input_offset);
	const int64_t products = (int64_t)depth * inputs * 128;

	if (products > limit)
		return 0;
	for (int32_t c = 0; c < channels; c++) {
		const int64_t b = bias ? bias[c] : 0;
		if ((b < 0 ? -b : b) > limit - products || shift[c] < -31 || shift[c] > 31)
			return 0;
	}
	return 1;
}

#endif
