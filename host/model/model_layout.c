#include "model/model_layout.h"

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "util/error.h"
#include "util/grow.h"

#define LAYOUT_ALIGN4(value) (((value) + 3u) & ~(uint64_t)3u)

void model_layout_init(struct model_layout *layout)
{
	memset(layout, 0, sizeof *layout);
}

void model_layout_release(struct model_layout *layout)
{
	for (size_t i = 0; i < layout->owned_count; i++)
		free(layout->owned[i]);
	free(layout->owned);
	free(layout->tensors);
	free(layout->ops);
	memset(layout, 0, sizeof *layout);
}

/* Makes room for one more element of `size` bytes in a growing array. */
static int layout_reserve(void **array, size_t *capacity, size_t count, size_t size)
{
	void *bigger = grow_array(*array, capacity, count, size, 16);

	if (!bigger)
		return hb_error(HB_ERR_NOMEM, "model image: out of memory");
	*array = bigger;
	return HB_OK;
}

void *model_layout_alloc(struct model_layout *layout, size_t size)
{
	void *memory;

	if (layout_reserve((void **)&layout->owned, &layout->owned_capacity, layout->owned_count,
			   sizeof *layout->owned) != HB_OK)
		return NULL;
	memory = calloc(1, size ? size : 1);
	if (memory)
		layout->owned[layout->owned_count++] = memory;
	return memory;
}

int model_layout_add_tensor(struct model_layout *layout, const struct model_tensor *record,
			    int32_t buffer, const void *data, uint32_t *index)
{
	struct layout_tensor *tensor;
	int status = layout_reserve((void **)&layout->tensors, &layout->tensor_capacity,
				    layout->tensor_count, sizeof *layout->tensors);

	if (status != HB_OK)
		return status;
	tensor = &layout->tensors[layout->tensor_count];
	tensor->record = *record;
	tensor->record.location = buffer >= 0 ? MODEL_LOCATION_ARENA : MODEL_LOCATION_IMAGE;
	tensor->record.offset = 0;
	tensor->buffer = buffer;
	tensor->data = data;
	*index = (uint32_t)layout->tensor_count++;
	return HB_OK;
}

int model_layout_add_op(struct model_layout *layout, uint32_t kind, const void *params,
			uint32_t params_size, const uint32_t *inputs, uint32_t input_count,
			uint32_t output, uint32_t macs)
{
	struct layout_op *op;
	int status;

	if (params_size > sizeof op->params || params_size % 4 != 0 ||
	    input_count > MODEL_MAX_OP_INPUTS)
		return hb_error(HB_ERR_INTERNAL, "model image: op kind %u: bad parameters", kind);
	status = layout_reserve((void **)&layout->ops, &layout->op_capacity, layout->op_count,
				sizeof *layout->ops);
	if (status != HB_OK)
		return status;
	op = &layout->ops[layout->op_count++];
	memset(op, 0, sizeof *op);
	op->record.kind = kind;
	op->record.params_size = params_size;
	op->record.input_count = input_count;
	for (uint32_t i = 0; i < MODEL_MAX_OP_INPUTS; i++)
		op->record.inputs[i] = i < input_count ? inputs[i] : MODEL_NO_TENSOR;
	op->record.output = output;
	op->record.macs = macs;
	memcpy(&op->params, params, params_size);
	return HB_OK;
}

void model_layout_place(struct model_layout *layout, const struct plan_buffer *buffers)
{
	for (size_t i = 0; i < layout->tensor_count; i++)
		if (layout->tensors[i].buffer >= 0)
			layout->tensors[i].record.offset =
			    buffers[layout->tensors[i].buffer].offset;
}

uint32_t model_layout_constant_bytes(const struct model_layout *layout)
{
	uint64_t total = 0;

	for (size_t i = 0; i < layout->tensor_count; i++)
		if (layout->tensors[i].buffer < 0)
			total += layout->tensors[i].record.size;
	return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

int model_layout_write(const struct model_layout *layout, const struct model_image_header *header,
		       uint8_t **image, size_t *image_size)
{
	struct model_image_header out = *header;
	uint64_t tensors_offset = sizeof out;
	uint64_t ops_offset = tensors_offset + layout->tensor_count * sizeof(struct model_tensor);
	uint64_t cursor = ops_offset + layout->op_count * sizeof(struct model_op);
	uint8_t *bytes;

	/* First pass: sizes only, so the image is allocated once. */
	uint64_t total = cursor;
	for (size_t i = 0; i < layout->op_count; i++)
		total += LAYOUT_ALIGN4(layout->ops[i].record.params_size);
	for (size_t i = 0; i < layout->tensor_count; i++)
		if (layout->tensors[i].buffer < 0)
			total += LAYOUT_ALIGN4(layout->tensors[i].record.size);
	if (total > UINT32_MAX)
		return hb_error(HB_ERR_INPUT, "model image: %llu bytes, more than 4 GiB",
				(unsigned long long)total);
	bytes = calloc(1, (size_t)total);
	if (!bytes)
		return hb_error(HB_ERR_NOMEM, "model image: out of memory for %llu bytes",
				(unsigned long long)total);

	for (size_t i = 0; i < layout->op_count; i++) {
		struct model_op record = layout->ops[i].record;
		record.params_offset = (uint32_t)cursor;
		memcpy(bytes + cursor, &layout->ops[i].params, record.params_size);
		cursor += LAYOUT_ALIGN4(record.params_size);
		memcpy(bytes + ops_offset + i * sizeof record, &record, sizeof record);
	}
	for (size_t i = 0; i < layout->tensor_count; i++) {
		struct model_tensor record = layout->tensors[i].record;
		if (layout->tensors[i].buffer < 0) {
			record.offset = (uint32_t)cursor;
			if (record.size)
				memcpy(bytes + cursor, layout->tensors[i].data, record.size);
			cursor += LAYOUT_ALIGN4(record.size);
		}
		memcpy(bytes + tensors_offset + i * sizeof record, &record, sizeof record);
	}

	out.magic = MODEL_IMAGE_MAGIC;
	out.version = MODEL_IMAGE_VERSION;
	out.header_size = sizeof out;
	out.image_size = (uint32_t)total;
	out.tensor_count = (uint32_t)layout->tensor_count;
	out.tensors_offset = (uint32_t)tensors_offset;
	out.op_count = (uint32_t)layout->op_count;
	out.ops_offset = (uint32_t)ops_offset;
	out.flags = header->flags;
	out.crc32 = crc32_compute(bytes + sizeof out, (size_t)total - sizeof out);
	memcpy(bytes, &out, sizeof out);
	*image = bytes;
	*image_size = (size_t)total;
	return HB_OK;
}
