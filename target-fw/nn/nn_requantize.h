/*
 * TFLite's fixed-point requantization, bit-exact with its reference
 * kernels: SaturatingRoundingDoublingHighMul followed by a rounding
 * arithmetic right shift (the "double rounding" of gemmlowp). Header-only
 * so every kernel inlines it. Portable C99.
 */
#ifndef NN_REQUANTIZE_H
#define NN_REQUANTIZE_H

#include <stdint.h>

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

#endif
