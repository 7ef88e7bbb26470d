/* The tiny FULLY_CONNECTED image: see fw_host_model.h. */
#include "fw_host_model.h"

#include <string.h>

#include "crc32.h"
#include "model_image.h"
#include "nn_params.h"

enum { TENSOR_INPUT, TENSOR_OUTPUT, TENSOR_WEIGHTS, TENSOR_BIAS, TENSOR_QUANT, TENSOR_COUNT };

#define CHANNELS FW_HOST_MODEL_OUTPUT_BYTES
#define DEPTH	 FW_HOST_MODEL_INPUT_BYTES

static size_t model_align4(size_t value)
{
	return (value + 3u) & ~(size_t)3u;
}

static struct model_tensor tensor(uint32_t dtype, uint32_t location, size_t offset, uint32_t size,
				  int32_t d2, int32_t d3)
{
	struct model_tensor record = {.dtype = dtype,
				      .location = location,
				      .offset = (uint32_t)offset,
				      .size = size,
				      .dims = {1, 1, d2, d3},
				      .scale = dtype == MODEL_DTYPE_INT8 ? 0.5f : 0.0f};
	return record;
}

size_t fw_host_model_write(uint8_t *region, size_t capacity)
{
	const size_t tensors = sizeof(struct model_image_header);
	const size_t ops = tensors + TENSOR_COUNT * sizeof(struct model_tensor);
	const size_t params = ops + sizeof(struct model_op);
	const size_t weights = model_align4(params + sizeof(struct nn_fc_params));
	const size_t bias = model_align4(weights + CHANNELS * DEPTH);
	const size_t quant = bias + CHANNELS * 4u;
	const size_t size = quant + 2u * CHANNELS * 4u;
	struct model_tensor records[TENSOR_COUNT];
	struct model_image_header image_header = {.magic = MODEL_IMAGE_MAGIC,
						  .version = MODEL_IMAGE_VERSION,
						  .header_size = sizeof image_header,
						  .image_size = (uint32_t)size,
						  .arena_size = 16u,
						  .tensor_count = TENSOR_COUNT,
						  .tensors_offset = (uint32_t)tensors,
						  .op_count = 1,
						  .ops_offset = (uint32_t)ops,
						  .input_tensor = TENSOR_INPUT,
						  .output_tensor = TENSOR_OUTPUT,
						  .macs_low = CHANNELS * DEPTH};
	struct model_op op = {.kind = MODEL_OP_FULLY_CONNECTED_S8,
			      .params_offset = (uint32_t)params,
			      .params_size = sizeof(struct nn_fc_params),
			      .input_count = 4,
			      .inputs = {TENSOR_INPUT, TENSOR_WEIGHTS, TENSOR_BIAS, TENSOR_QUANT},
			      .output = TENSOR_OUTPUT,
			      .macs = CHANNELS * DEPTH};
	struct nn_fc_params fc = {.input_count = DEPTH,
				  .output_count = CHANNELS,
				  .batches = 1,
				  .input_offset = 1,
				  .output_offset = -3,
				  .activation_min = -128,
				  .activation_max = 127};

	if (capacity < size)
		return 0;
	memset(region, 0, size);
	records[TENSOR_INPUT] = tensor(MODEL_DTYPE_INT8, MODEL_LOCATION_ARENA, 0, DEPTH, 1, DEPTH);
	records[TENSOR_OUTPUT] =
	    tensor(MODEL_DTYPE_INT8, MODEL_LOCATION_ARENA, DEPTH, CHANNELS, 1, CHANNELS);
	records[TENSOR_WEIGHTS] = tensor(MODEL_DTYPE_INT8, MODEL_LOCATION_IMAGE, weights,
					 CHANNELS * DEPTH, CHANNELS, DEPTH);
	records[TENSOR_BIAS] =
	    tensor(MODEL_DTYPE_INT32, MODEL_LOCATION_IMAGE, bias, CHANNELS * 4u, 1, CHANNELS);
	records[TENSOR_QUANT] =
	    tensor(MODEL_DTYPE_INT32, MODEL_LOCATION_IMAGE, quant, 2u * CHANNELS * 4u, 2, CHANNELS);
	memcpy(region + tensors, records, sizeof records);
	memcpy(region + ops, &op, sizeof op);
	memcpy(region + params, &fc, sizeof fc);
	for (uint32_t i = 0; i < CHANNELS * DEPTH; i++)
		region[weights + i] = (uint8_t)(int8_t)((int32_t)(i * 37u % 255u) - 127);
	for (uint32_t c = 0; c < CHANNELS; c++) {
		const int32_t bias_value = (int32_t)c * 100 - 150;
		const int32_t multiplier = 1 << 30;
		const int32_t shift = -(int32_t)c;
		memcpy(region + bias + 4u * c, &bias_value, 4);
		memcpy(region + quant + 4u * c, &multiplier, 4);
		memcpy(region + quant + 4u * (CHANNELS + c), &shift, 4);
	}
	image_header.crc32 =
	    crc32_compute(region + sizeof image_header, size - sizeof image_header);
	memcpy(region, &image_header, sizeof image_header);
	return size;
}
