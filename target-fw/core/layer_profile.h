/*
 * The per-layer profile: one inference run op by op with a counter read
 * between ops, each op's ticks kept for the last such run (a u32 per op in
 * the harness's static RAM), what one counter read costs, and which kernel
 * the build routes each op kind to. Used only by an INVOKE that asks for it
 * (MSG_INVOKE_PROFILE_LAYERS): the timed runs of a plain INVOKE never read
 * the counter between ops.
 */
#ifndef FW_LAYER_PROFILE_H
#define FW_LAYER_PROFILE_H

#include <stdint.h>

#include "model_image.h"

/* Ops an image may have for its layers to be profiled: 4 bytes of RAM each. */
#define LAYER_PROFILE_MAX_OPS 128u

/* Measures the read cost, then runs the graph of a checked image op by op
 * and keeps each op's ticks. Returns the ticks from the read before the
 * first op to the read after the last (the ops' sum). An image with more
 * than LAYER_PROFILE_MAX_OPS ops runs whole and leaves no profile. */
uint64_t layer_profile_invoke(const struct model_image_header *header, uint8_t *arena);

/* Ops in the kept profile; 0 when none was taken since boot (or too many ops). */
uint32_t layer_profile_op_count(void);
/* Ticks of op `op` (< layer_profile_op_count()), saturated at UINT32_MAX. */
uint32_t layer_profile_ticks(uint32_t op);
/* Ticks one counter read adds to an op's figure: the least difference of
 * two back-to-back reads over a few tries, measured before the run. */
uint32_t layer_profile_read_cost(void);

/* enum msg_kernel_path the build routes an op kind to. */
uint8_t layer_profile_path(uint32_t kind);

#endif
