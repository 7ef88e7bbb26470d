/*
 * gemmlowp's fixed-point exp and reciprocal, as TFLite's reference int8
 * softmax uses them, reproduced bit for bit on plain int32 values. A value
 * "in Qm" has m integer bits and 31 - m fractional bits (gemmlowp's
 * FixedPoint<int32_t, m>). Private to the kernels; header-only so the
 * softmax inlines it. Portable C99, no float.
 */
#ifndef NN_FIXED_POINT_H
#define NN_FIXED_POINT_H

#include <stdint.h>

#include "nn_requantize.h"

/* x * 2^exponent: saturating for exponent > 0 (at most 30), rounding half
 * away from zero for exponent < 0 (gemmlowp SaturatingRoundingMultiplyByPOT,
 * which is also what its Rescale between Q formats does). */
static inline int32_t nn_fixed_multiply_by_pot(int32_t x, int32_t exponent)
{
	int32_t threshold;

	if (exponent <= 0)
		return nn_rounding_divide_by_pot(x, -exponent);
	threshold = ((int32_t)1 << (31 - exponent)) - 1;
	if (x > threshold)
		return INT32_MAX;
	if (x < -threshold)
		return INT32_MIN;
	return x * ((int32_t)1 << exponent);
}

/* (a + b) / 2 rounded half away from zero, without overflow. */
static inline int32_t nn_fixed_rounding_half_sum(int32_t a, int32_t b)
{
	const int64_t sum = (int64_t)a + b;
	return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

static inline int32_t nn_fixed_count_leading_zeros(uint32_t x)
{
	int32_t count = 0;

	if (x == 0)
		return 32;
	while (!(x & ((uint32_t)1 << 31))) {
		x <<= 1;
		count++;
	}
	return count;
}

/* exp(a) for a in [-1/4, 0), Q0 in and out: a fourth-order Taylor
 * expansion around -1/8. */
static inline int32_t nn_fixed_exp_on_quarter(int32_t a)
{
	const int32_t exp_minus_one_eighth = 1895147668;
	const int32_t one_third = 715827883;
	const int32_t x = a + ((int32_t)1 << 28); /* a + 1/8 */
	const int32_t x2 = nn_doubling_high_mul(x, x);
	const int32_t x3 = nn_doubling_high_mul(x2, x);
	const int32_t x4 = nn_doubling_high_mul(x2, x2);
	const int32_t x4_over_4 = nn_rounding_divide_by_pot(x4, 2);
	/* x^4/24 + x^3/6 + x^2/2 */
	const int32_t higher_terms =
	    nn_rounding_divide_by_pot(nn_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);

	return exp_minus_one_eighth + nn_doubling_high_mul(exp_minus_one_eighth, x + higher_terms);
}

/* exp(a) for a <= 0, a in Q5, result in Q0 (exp(0) gives the largest Q0
 * value, just below 1). The fraction modulo 1/4 goes through the Taylor
 * expansion; each set bit of the rest multiplies by a constant exp(-2^k). */
static inline int32_t nn_fixed_exp_on_negative_values_q5(int32_t a)
{
	/* exp(-1/4), exp(-1/2), exp(-1), ..., exp(-16) in Q0. */
	const int32_t exp_of_minus_power_of_two[7] = {
	    1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242,
	};
	const int32_t fraction_bits = 26;
	const int32_t quarter = (int32_t)1 << (fraction_bits - 2);
	const int32_t fraction_minus_quarter = (a & (quarter - 1)) - quarter;
	const int32_t remainder = fraction_minus_quarter - a;
	int32_t result =
	    nn_fixed_exp_on_quarter(nn_fixed_multiply_by_pot(fraction_minus_quarter, 5));

	for (int32_t bit = 0; bit < 7; bit++)
		if (remainder & ((int32_t)1 << (fraction_bits - 2 + bit)))
			result = nn_doubling_high_mul(result, exp_of_minus_power_of_two[bit]);
	return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1), Q0 in and out: three Newton-Raphson steps
 * on the half denominator, in Q2, from the 48/17 - 32/17 * d estimate. */
static inline int32_t nn_fixed_one_over_one_plus_x(int32_t a)
{
	const int32_t one_q2 = (int32_t)1 << 29;
	const int32_t half_denominator = nn_fixed_rounding_half_sum(a, INT32_MAX);
	int32_t x = 1515870810 + nn_doubling_high_mul(half_denominator, -1010580540);

	for (int32_t i = 0; i < 3; i++) {
		const int32_t error = one_q2 - nn_doubling_high_mul(half_denominator, x);
		/* x * error is in Q4: back to Q2. */
		x += nn_fixed_multiply_by_pot(nn_doubling_high_mul(x, error), 2);
	}
	/* x is 1 / half_denominator in Q2; read as Q1 it is half that,
	 * 1 / (1 + a), which is then rescaled to Q0. */
	return nn_fixed_multiply_by_pot(x, 1);
}

/* TFLite's GetReciprocal: x > 0 (required) in Q(integer_bits) is normalised to
 * 1 + f with f in [0, 1); returns 1 / (1 + f) in Q0, and in
 * *bits_over_unit how many bits 1 / x lies below that. */
static inline int32_t nn_fixed_reciprocal(int32_t x, int32_t integer_bits, int32_t *bits_over_unit)
{
	const int32_t headroom_plus_one = nn_fixed_count_leading_zeros((uint32_t)x);
	const int32_t shifted_minus_one =
	    (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));

	*bits_over_unit = integer_bits - headroom_plus_one;
	return nn_fixed_one_over_one_plus_x(shifted_minus_one);
}

#endif
