/*
 * SOFTMAX, int8 in and out: TFLite's reference_ops::Softmax for int8, in
 * gemmlowp fixed point (nn_fixed_point.h). Differences to the row maximum
 * are scaled by beta into Q5 (5 integer bits), exponentiated into Q0, summed
 * in Q12 and normalised by a fixed-point reciprocal. The output has
 * TFLite's fixed quantisation: scale 1/256, zero point -128.
 */
#include "nn.h"

#include "nn_fixed_point.h"
#include "nn_requantize.h"

#define SOFTMAX_ACCUMULATION_INTEGER_BITS 12

/* exp(beta * input_scale * diff) in Q0 for diff <= 0, diff >= diff_min.
 * diff_min bounds diff so that the left shift cannot overflow; there
 * nn_requantize with a shift >= 0 is TFLite's
 * MultiplyByQuantizedMultiplierGreaterThanOne. */
static int32_t softmax_exp(const struct nn_softmax_params *params, int32_t diff)
{
	const int32_t scaled_diff =
	    nn_requantize(diff, params->input_multiplier, params->input_left_shift);
	return nn_fixed_exp_on_negative_values_q5(scaled_diff);
}

void nn_softmax_s8(const struct nn_softmax_params *params, const int8_t *input, int8_t *output)
{
	const int32_t size = params->row_size;

	for (int32_t row = 0; row < params->rows; row++) {
		const int8_t *in = input + row * size;
		int8_t *out = output + row * size;
		int32_t max = INT8_MIN;
		int32_t sum = 0; /* Q12 */
		int32_t scale = 0;
		int32_t exponent = 0;

		for (int32_t i = 0; i < size; i++)
			if (in[i] > max)
				max = in[i];
		for (int32_t i = 0; i < size; i++) {
			int32_t term;
			if (in[i] - max < params->diff_min)
				continue;
			term = nn_fixed_multiply_by_pot(softmax_exp(params, in[i] - max),
							-SOFTMAX_ACCUMULATION_INTEGER_BITS);
			/* Saturates where TFLite's sum overflows (4096 or more
			 * cells at the maximum); the outputs are then all -128. */
			sum = sum > INT32_MAX - term ? INT32_MAX : sum + term;
		}
		if (sum > 0) {
			int32_t bits_over_unit;
			scale = nn_fixed_reciprocal(sum, SOFTMAX_ACCUMULATION_INTEGER_BITS,
						    &bits_over_unit);
			/* scale * exp is the probability times 2^bits_over_unit
			 * in Q0; this divisor turns it into steps of 1/256. */
			exponent = bits_over_unit + 31 - 8;
		}
		for (int32_t i = 0; i < size; i++) {
			int32_t value = INT8_MIN;
			if (in[i] - max >= params->diff_min) {
				const int32_t probability =
				    nn_doubling_high_mul(scale, softmax_exp(params, in[i] - max));
				/* TFLite rejects exponents above 31 (sums of 512 or
				 * more); every quotient is then below one half. */
				int32_t steps = 0;
				if (exponent <= 31)
					steps = nn_rounding_divide_by_pot(probability, exponent);
				value = steps + INT8_MIN;
			}
			if (value > INT8_MAX)
				value = INT8_MAX;
			out[i] = (int8_t)value;
		}
	}
}
