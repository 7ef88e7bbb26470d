#include <math.h>

#include "nn.h"

/*
 * Per row: subtracting the maximum keeps every exponent <= 0, so expf cannot
 * overflow and the largest term is exactly 1. The exponentials are kept in
 * the output and summed in index order, then divided by the sum: the same
 * order and values as TFLite's reference, which recomputes each expf.
 * input and output may be the same buffer: each input is read before its
 * output cell is written. expf is the one step host (glibc) and board
 * (newlib) may round differently, by an ulp or so.
 */
void nn_softmax_f32(const struct nn_softmax_params *params, const float *input, float *output)
{
	const int32_t size = params->row_size;

	for (int32_t row = 0; row < params->rows; row++) {
		const float *row_in = input + row * size;
		float *row_out = output + row * size;
		float max;
		float sum = 0.0f;

		if (size <= 0)
			continue;
		max = row_in[0];
		for (int32_t i = 1; i < size; i++)
			if (row_in[i] > max)
				max = row_in[i];
		for (int32_t i = 0; i < size; i++) {
			const float term = expf((row_in[i] - max) * params->beta);
			row_out[i] = term;
			sum += term;
		}
		for (int32_t i = 0; i < size; i++)
			row_out[i] = row_out[i] / sum;
	}
}
