#include "layer_profile.h"

#include "harness.h"
#include "messages.h"
#include "port.h"
/* For NN_FAST_KERNELS: the kernels' own choice of path, not a copy of it. */
#include "nn_simd.h"

#define READ_COST_TRIES 16u

static HARNESS_BSS uint32_t op_ticks[LAYER_PROFILE_MAX_OPS];
static HARNESS_BSS uint32_t op_count;
static HARNESS_BSS uint32_t read_cost;

/* Back-to-back reads differ by what one read costs: on a SysTick port that
 * aligns each read to the next tick (mps2 under QEMU), exactly one tick;
 * on a DWT port, the read's few cycles. The least of a few tries leaves out
 * an interrupt taken between two of them. */
static uint32_t measure_read_cost(void)
{
	uint64_t least = UINT64_MAX;

	for (uint32_t i = 0; i < READ_COST_TRIES; i++) {
		uint64_t first = port_counter_read();
		uint64_t second = port_counter_read();
		if (second - first < least)
			least = second - first;
	}
	return least > UINT32_MAX ? UINT32_MAX : (uint32_t)least;
}

uint64_t layer_profile_invoke(const struct model_image_header *header, uint8_t *arena)
{
	const struct model_op *ops = model_ops(header);
	uint64_t start, previous;

	op_count = 0;
	read_cost = measure_read_cost();
	if (header->op_count > LAYER_PROFILE_MAX_OPS) {
		start = port_counter_read();
		model_invoke(header, arena);
		return port_counter_read() - start;
	}
	start = previous = port_counter_read();
	for (uint32_t i = 0; i < header->op_count; i++) {
		uint64_t now;
		model_invoke_op(header, arena, &ops[i]);
		now = port_counter_read();
		op_ticks[i] = now - previous > UINT32_MAX ? UINT32_MAX : (uint32_t)(now - previous);
		previous = now;
	}
	op_count = header->op_count;
	return previous - start;
}

uint32_t layer_profile_op_count(void)
{
	return op_count;
}

uint32_t layer_profile_ticks(uint32_t op)
{
	return op < op_count ? op_ticks[op] : 0;
}

uint32_t layer_profile_read_cost(void)
{
	return read_cost;
}

/* The three int8 kinds with a fast kernel beside the portable one
 * (target-fw/nn/nn.h) run the fast one when NN_FAST_KERNELS is on, with
 * MVE vectors where the core has Helium (the M55: each of the three has
 * an MVE step), else SXTB16/SMLAD where the core has the DSP extension;
 * every other kind has one kernel, portable C. Keep in step with
 * target-fw/nn when a kind gains a path. */
uint8_t layer_profile_path(uint32_t kind)
{
	switch (kind) {
	case MODEL_OP_CONV2D_S8:
	case MODEL_OP_DEPTHWISE_CONV2D_S8:
	case MODEL_OP_FULLY_CONNECTED_S8:
#if NN_FAST_KERNELS && defined(__ARM_FEATURE_MVE)
		return MSG_KERNEL_PATH_FAST_MVE;
#elif NN_FAST_KERNELS && defined(__ARM_FEATURE_DSP)
		return MSG_KERNEL_PATH_FAST_DSP;
#elif NN_FAST_KERNELS
		return MSG_KERNEL_PATH_FAST;
#else
		return MSG_KERNEL_PATH_PORTABLE;
#endif
	default:
		return kind > 0 && kind < MODEL_OP_KIND_COUNT ? MSG_KERNEL_PATH_PORTABLE
							      : MSG_KERNEL_PATH_UNKNOWN;
	}
}
