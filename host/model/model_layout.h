/*
 * Assembling a device model image (target-fw/nn/model_image.h). The
 * compiler registers tensors and ops as it walks the graph, the planner
 * gives the arena tensors their offsets, then model_layout_write lays out
 * header | tensor table | op table | parameter blobs | constants, every
 * piece 4-byte aligned, and seals it with the CRC.
 */
#ifndef HB_MODEL_LAYOUT_H
#define HB_MODEL_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "model/arena_plan.h"
#include "model_image.h"
#include "nn_params.h"

/* Room for the largest parameter struct, aligned for any of them. */
union layout_params {
	struct nn_conv_params conv;
	struct nn_fc_params fc;
	struct nn_pool_params pool;
	struct nn_add_params add;
	struct nn_softmax_params softmax;
	struct nn_quantize_params quantize;
};

struct layout_tensor {
	struct model_tensor record; /* offset set by placing (arena) or writing (image) */
	int32_t buffer;		    /* arena: the plan buffer it lives in; -1 for constants */
	const void *data;	    /* constants: record.size bytes to copy */
};

struct layout_op {
	struct model_op record; /* params_offset set when writing */
	union layout_params params;
};

struct model_layout {
	struct layout_tensor *tensors;
	size_t tensor_count;
	size_t tensor_capacity;
	struct layout_op *ops;
	size_t op_count;
	size_t op_capacity;
	void **owned; /* constants made at compile time, freed with the layout */
	size_t owned_count;
	size_t owned_capacity;
};

void model_layout_init(struct model_layout *layout);
void model_layout_release(struct model_layout *layout);

/* Zeroed memory that lives as long as the layout (for generated constants). */
void *model_layout_alloc(struct model_layout *layout, size_t size);

/* Adds a tensor: an arena one (buffer >= 0, data NULL) or a constant
 * (buffer -1, `data` of record->size bytes, kept by reference). */
int model_layout_add_tensor(struct model_layout *layout, const struct model_tensor *record,
			    int32_t buffer, const void *data, uint32_t *index);

int model_layout_add_op(struct model_layout *layout, uint32_t kind, const void *params,
			uint32_t params_size, const uint32_t *inputs, uint32_t input_count,
			uint32_t output, uint32_t macs);

/* Gives every arena tensor the offset of its plan buffer. */
void model_layout_place(struct model_layout *layout, const struct plan_buffer *buffers);

/* Bytes of constants in the image (without alignment padding). */
uint32_t model_layout_constant_bytes(const struct model_layout *layout);

/* Writes the image; `header` supplies arena_size, input_tensor,
 * output_tensor, macs_low/high, source_crc32 and flags, the rest is computed. */
int model_layout_write(const struct model_layout *layout, const struct model_image_header *header,
		       uint8_t **image, size_t *image_size);

#endif
