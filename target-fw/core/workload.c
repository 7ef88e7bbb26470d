#include "workload.h"

/* xorshift32: tiny, portable and identical on every compiler, which is all
 * the built-in layer needs from a generator. */
static uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

void workload_fc_init(struct workload_fc *layer)
{
	uint32_t state = WORKLOAD_FC_SEED;

	for (int i = 0; i < WORKLOAD_FC_OUTPUTS * WORKLOAD_FC_INPUTS; i++)
		layer->weights[i] = (int8_t)(next_random(&state) & 0xFF);
	for (int o = 0; o < WORKLOAD_FC_OUTPUTS; o++) {
		/* Bias spans about a tenth of the accumulator range of one row. */
		layer->bias[o] = (int32_t)(next_random(&state) % 200001u) - 100000;
		/* Multipliers in [0.5, 1) as Q31 with shifts of both signs, so the
		 * layer exercises both directions of the requantizer. */
		layer->multiplier[o] = (int32_t)(0x40000000u + (next_random(&state) & 0x3FFFFFFFu));
		layer->shift[o] = -(int32_t)(8 + next_random(&state) % 6) + (o % 16 == 0 ? 9 : 0);
	}
	layer->params.input_count = WORKLOAD_FC_INPUTS;
	layer->params.output_count = WORKLOAD_FC_OUTPUTS;
	layer->params.batches = 1;
	layer->params.input_offset = 3;   /* input zero point -3 */
	layer->params.output_offset = -5; /* output zero point -5 */
	layer->params.activation_min = -128;
	layer->params.activation_max = 127;
}

void workload_fc_run(const struct workload_fc *layer, const int8_t *input, int8_t *output)
{
	nn_fully_connected_s8(&layer->params, input, layer->weights, layer->bias,
			      layer->multiplier, layer->shift, output);
}
