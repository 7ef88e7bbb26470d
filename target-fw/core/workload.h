/*
 * The built-in workload until real models arrive: one int8 fully-connected
 * layer of fixed size with TFLite-style quantization. Its weights and bias
 * come from a documented pseudo-random generator (seeded, portable), so host
 * and target build the identical layer without shipping tables. The host
 * runs the same code to compute the reference output. Portable C99, no I/O.
 */
#ifndef FW_WORKLOAD_H
#define FW_WORKLOAD_H

#include <stdint.h>

#include "nn.h"

#define WORKLOAD_FC_INPUTS 256
#define WORKLOAD_FC_OUTPUTS 64
#define WORKLOAD_FC_SEED 0x48494C42u /* "HILB" */
#define WORKLOAD_NAME "builtin-fc-int8-256x64"

struct workload_fc {
	int8_t weights[WORKLOAD_FC_OUTPUTS * WORKLOAD_FC_INPUTS];
	int32_t bias[WORKLOAD_FC_OUTPUTS];
	int32_t multiplier[WORKLOAD_FC_OUTPUTS]; /* per output channel */
	int32_t shift[WORKLOAD_FC_OUTPUTS];
	struct nn_fc_params params;
};

/* Fills the layer deterministically from WORKLOAD_FC_SEED. */
void workload_fc_init(struct workload_fc *layer);

/* Runs the layer: WORKLOAD_FC_INPUTS int8 in, WORKLOAD_FC_OUTPUTS int8 out. */
void workload_fc_run(const struct workload_fc *layer, const int8_t *input, int8_t *output);

/* Multiply-accumulates per invocation. */
static inline uint32_t workload_fc_macs(void)
{
	return (uint32_t)WORKLOAD_FC_INPUTS * WORKLOAD_FC_OUTPUTS;
}

#endif
