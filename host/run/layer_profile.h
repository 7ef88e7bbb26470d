/*
 * The per-layer profile of a run: after the timed batches, one more INVOKE
 * of the same input with the counter read between ops (protocol 5,
 * MSG_INVOKE_PROFILE_LAYERS), then the per-op ticks read back
 * (LAYERS_READ). Each op's figure is its read-to-read ticks less what one
 * counter read costs (measured by the board, never below 0); its MACs come
 * from the compiled image; its share is of the ops' sum. The timed runs
 * stay unprofiled: the profiled total is kept beside them to say how much
 * the reads between ops moved it.
 */
#ifndef HB_LAYER_PROFILE_H
#define HB_LAYER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config/profile.h"
#include "link/session.h"
#include "model/model_compile.h"

struct layer_figure {
	uint32_t kind;	    /* enum model_op_kind, as the board and the image agree */
	uint8_t path;	    /* enum msg_kernel_path the board reported */
	uint64_t macs;	    /* from the image's op table */
	uint64_t raw_ticks; /* counter read before the op to the read after it */
	uint64_t ticks;	    /* raw_ticks less read_cost_ticks, never below 0 */
	/* The .tflite operator the op was compiled from, -1 when the compiler's
	 * layers do not map one to one onto the image's ops. */
	int32_t tflite_index;
	int32_t builtin; /* enum tflite_builtin of that operator */
};

struct layer_profile {
	bool present; /* false: the board kept none; every figure below is absent */
	uint32_t count;
	struct layer_figure *layers; /* owned, `count` of them, in image op order */
	uint32_t read_cost_ticks;
	uint64_t profiled_ticks; /* the profiled run's total, its reads included */
	/* An unprofiled run of the same input, when the caller has one to set
	 * (a suite: its last sample's); 0: the timed runs' median stands in. */
	uint64_t same_input_ticks;
};

/* Runs the profiled INVOKE and reads the figures back. A board that kept
 * no profile (an image with more ops than it profiles) leaves `present`
 * false with a warning; an op list that disagrees with the image, or a
 * link error, is an error. `profile` is zeroed (result_init does it) or
 * holds an earlier profile, which this one replaces. */
int layer_profile_measure(struct session *session, const struct compiled_model *compiled,
			  struct layer_profile *profile);
void layer_profile_release(struct layer_profile *profile);

/* The ops' ticks summed (after the read cost came off). */
uint64_t layer_profile_sum(const struct layer_profile *profile);

/* Up to `max` op indexes, most ticks first (ties: lower index first). */
size_t layer_profile_top(const struct layer_profile *profile, uint32_t *order, size_t max);

/* Adds "layers" (one object per op) and "layer_profile" (unit, source,
 * method, read cost, profiled and unprofiled totals, overhead) to a
 * record's measurements. `unprofiled_ticks` is the timed runs' median,
 * used unless the profile has same_input_ticks; `scale` the counter units
 * per tick. Adds nothing when absent. */
void layer_profile_add_json(cJSON *measurements, const struct layer_profile *profile,
			    enum profile_counter counter, double scale, double unprofiled_ticks);

#endif
