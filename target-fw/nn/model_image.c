/* Checking and running a device model image; shared by firmware and host. */
#include "model_image.h"

#include <string.h>

#include "crc32.h"
#include "model_op_check.h"
#include "nn.h"

struct op_shape {
	uint32_t params_size;
	uint32_t input_count; /* inputs that must be present */
	uint32_t input_max;   /* inputs allowed */
	uint8_t input_dtype;
	uint8_t output_dtype;
};

#define S8  MODEL_DTYPE_INT8
#define F32 MODEL_DTYPE_FLOAT32

/* What each kind takes; indexed by enum model_op_kind. */
static const struct op_shape op_shapes[MODEL_OP_KIND_COUNT] = {
    [MODEL_OP_CONV2D_S8] = {sizeof(struct nn_conv_params), 2, 4, S8, S8},
    [MODEL_OP_DEPTHWISE_CONV2D_S8] = {sizeof(struct nn_conv_params), 2, 4, S8, S8},
    [MODEL_OP_FULLY_CONNECTED_S8] = {sizeof(struct nn_fc_params), 2, 4, S8, S8},
    [MODEL_OP_AVG_POOL2D_S8] = {sizeof(struct nn_pool_params), 1, 1, S8, S8},
    [MODEL_OP_MAX_POOL2D_S8] = {sizeof(struct nn_pool_params), 1, 1, S8, S8},
    [MODEL_OP_ADD_S8] = {sizeof(struct nn_add_params), 2, 2, S8, S8},
    [MODEL_OP_SOFTMAX_S8] = {sizeof(struct nn_softmax_params), 1, 1, S8, S8},
    [MODEL_OP_CONV2D_F32] = {sizeof(struct nn_conv_params), 2, 3, F32, F32},
    [MODEL_OP_DEPTHWISE_CONV2D_F32] = {sizeof(struct nn_conv_params), 2, 3, F32, F32},
    [MODEL_OP_FULLY_CONNECTED_F32] = {sizeof(struct nn_fc_params), 2, 3, F32, F32},
    [MODEL_OP_AVG_POOL2D_F32] = {sizeof(struct nn_pool_params), 1, 1, F32, F32},
    [MODEL_OP_MAX_POOL2D_F32] = {sizeof(struct nn_pool_params), 1, 1, F32, F32},
    [MODEL_OP_ADD_F32] = {sizeof(struct nn_add_params), 2, 2, F32, F32},
    [MODEL_OP_SOFTMAX_F32] = {sizeof(struct nn_softmax_params), 1, 1, F32, F32},
    [MODEL_OP_QUANTIZE_F32_S8] = {sizeof(struct nn_quantize_params), 1, 1, F32, S8},
    [MODEL_OP_DEQUANTIZE_S8_F32] = {sizeof(struct nn_quantize_params), 1, 1, S8, F32},
    [MODEL_OP_RESHAPE] = {0, 1, 1, 0xFF, 0xFF},
};

static int range_ok(uint32_t offset, uint32_t size, uint32_t limit)
{
	return offset <= limit && size <= limit - offset;
}

static int tensor_ok(const struct model_tensor *tensor, uint32_t image_size, uint32_t arena_size)
{
	static const uint32_t element_size[] = {1, 4, 4};
	uint64_t elements = 1;

	if (tensor->dtype > MODEL_DTYPE_INT32 || (tensor->offset & 3u) != 0)
		return 0;
	for (int i = 0; i < 4; i++) {
		if (tensor->dims[i] <= 0)
			return 0;
		elements *= (uint32_t)tensor->dims[i];
	}
	if (elements * element_size[tensor->dtype] != tensor->size)
		return 0;
	if (tensor->location == MODEL_LOCATION_ARENA)
		return range_ok(tensor->offset, tensor->size, arena_size);
	if (tensor->location == MODEL_LOCATION_IMAGE)
		return range_ok(tensor->offset, tensor->size, image_size);
	return 0;
}

/* Whether two arena tensors share a byte. */
static int arena_overlap(const struct model_tensor *a, const struct model_tensor *b)
{
	return a->location == MODEL_LOCATION_ARENA && b->location == MODEL_LOCATION_ARENA &&
	       a->size > 0 && b->size > 0 && a->offset < b->offset + b->size &&
	       b->offset < a->offset + a->size;
}

/* The aliasing an op's kernel tolerates between an input and its output.
 * Element-wise kernels that read element i before writing the element at
 * the same place, on a forward loop, run in place when the output starts
 * where the input does: ADD (same shapes), SOFTMAX (the row is read
 * before its last pass, which reads cell i then writes it), QUANTIZE
 * float32 to int8 (byte i is written after float i, bytes 4i..4i+3, is
 * read). RESHAPE is a memmove. Every other kernel reads inputs around or
 * after the cell it writes, so any overlap gives wrong results. */
static int op_alias_tolerated(uint32_t kind, const struct model_tensor *input,
			      const struct model_tensor *output)
{
	switch (kind) {
	case MODEL_OP_ADD_S8:
	case MODEL_OP_ADD_F32:
	case MODEL_OP_SOFTMAX_S8:
	case MODEL_OP_SOFTMAX_F32:
	case MODEL_OP_QUANTIZE_F32_S8: return input->offset == output->offset;
	case MODEL_OP_RESHAPE: return 1;
	default: return 0;
	}
}

/* An op's output overlaps none of its inputs but as its kernel tolerates,
 * and with the input kept in the arena (MODEL_IMAGE_INPUT_IN_ARENA) no op
 * writes over the graph input, which the next run reads again. */
static int op_aliasing_ok(const struct model_image_header *header, const struct model_op *op)
{
	const struct model_tensor *tensors = model_tensors(header);
	const struct model_tensor *output = &tensors[op->output];

	for (uint32_t i = 0; i < op->input_count; i++) {
		const struct model_tensor *input;
		if (op->inputs[i] == MODEL_NO_TENSOR)
			continue;
		input = &tensors[op->inputs[i]];
		if (arena_overlap(input, output) && !op_alias_tolerated(op->kind, input, output))
			return 0;
	}
	return !(header->flags & MODEL_IMAGE_INPUT_IN_ARENA) ||
	       !arena_overlap(&tensors[header->input_tensor], output);
}

static int op_ok(const struct model_image_header *header, const struct model_op *op)
{
	const struct model_tensor *tensors = model_tensors(header);
	const struct op_shape *shape;

	if (op->kind == 0 || op->kind >= MODEL_OP_KIND_COUNT)
		return 0;
	shape = &op_shapes[op->kind];
	if (op->params_size != shape->params_size ||
	    !range_ok(op->params_offset, op->params_size, header->image_size) ||
	    (op->params_offset & 3u) != 0)
		return 0;
	if (op->input_count < shape->input_count || op->input_count > shape->input_max)
		return 0;
	for (uint32_t i = 0; i < MODEL_MAX_OP_INPUTS; i++) {
		uint32_t index = op->inputs[i];
		if (index == MODEL_NO_TENSOR) {
			if (i < shape->input_count)
				return 0;
			continue;
		}
		if (i >= op->input_count || index >= header->tensor_count)
			return 0;
	}
	if (op->output >= header->tensor_count ||
	    tensors[op->output].location != MODEL_LOCATION_ARENA)
		return 0;
	if (shape->input_dtype != 0xFF && tensors[op->inputs[0]].dtype != shape->input_dtype)
		return 0;
	if (shape->output_dtype != 0xFF && tensors[op->output].dtype != shape->output_dtype)
		return 0;
	if (op->kind == MODEL_OP_RESHAPE && tensors[op->inputs[0]].size != tensors[op->output].size)
		return 0;
	return op_aliasing_ok(header, op) && model_op_params_ok(header, op);
}

enum model_check model_image_check(const void *image, size_t length, uint32_t arena_capacity)
{
	const struct model_image_header *header = image;
	const struct model_tensor *tensors;
	const struct model_op *ops;

	if (length < sizeof *header)
		return MODEL_CHECK_TOO_SMALL;
	if (header->magic != MODEL_IMAGE_MAGIC)
		return MODEL_CHECK_BAD_MAGIC;
	if (header->version != MODEL_IMAGE_VERSION || header->header_size != sizeof *header ||
	    (header->flags & ~MODEL_IMAGE_FLAGS_KNOWN) != 0)
		return MODEL_CHECK_BAD_VERSION;
	/* Below 2^31 as well, so that no int32 index into it can overflow. */
	if (header->image_size > length || header->image_size < sizeof *header ||
	    header->image_size > INT32_MAX)
		return MODEL_CHECK_BAD_SIZE;
	if (crc32_compute((const uint8_t *)image + sizeof *header,
			  header->image_size - sizeof *header) != header->crc32)
		return MODEL_CHECK_BAD_CRC;
	if ((header->tensors_offset & 3u) || (header->ops_offset & 3u) ||
	    header->tensor_count > header->image_size / sizeof *tensors ||
	    header->op_count > header->image_size / sizeof *ops ||
	    !range_ok(header->tensors_offset, header->tensor_count * (uint32_t)sizeof *tensors,
		      header->image_size) ||
	    !range_ok(header->ops_offset, header->op_count * (uint32_t)sizeof *ops,
		      header->image_size))
		return MODEL_CHECK_BAD_TABLE;
	if (header->arena_size > arena_capacity || header->arena_size > INT32_MAX)
		return MODEL_CHECK_ARENA_TOO_SMALL;
	tensors = model_tensors(header);
	for (uint32_t i = 0; i < header->tensor_count; i++)
		if (!tensor_ok(&tensors[i], header->image_size, header->arena_size))
			return MODEL_CHECK_BAD_TENSOR;
	if (header->input_tensor >= header->tensor_count ||
	    header->output_tensor >= header->tensor_count ||
	    tensors[header->input_tensor].location != MODEL_LOCATION_ARENA ||
	    tensors[header->output_tensor].location != MODEL_LOCATION_ARENA)
		return MODEL_CHECK_BAD_TENSOR;
	ops = model_ops(header);
	for (uint32_t i = 0; i < header->op_count; i++)
		if (!op_ok(header, &ops[i]))
			return MODEL_CHECK_BAD_OP;
	return MODEL_CHECK_OK;
}

const char *model_check_name(enum model_check check)
{
	switch (check) {
	case MODEL_CHECK_OK: return "ok";
	case MODEL_CHECK_TOO_SMALL: return "shorter than a header";
	case MODEL_CHECK_BAD_MAGIC: return "no model image (bad magic)";
	case MODEL_CHECK_BAD_VERSION: return "unsupported image version";
	case MODEL_CHECK_BAD_SIZE: return "image larger than the model region";
	case MODEL_CHECK_BAD_CRC: return "CRC mismatch";
	case MODEL_CHECK_BAD_TABLE: return "a table runs outside the image";
	case MODEL_CHECK_BAD_TENSOR: return "a tensor is out of range";
	case MODEL_CHECK_BAD_OP: return "an operator is malformed";
	case MODEL_CHECK_ARENA_TOO_SMALL: return "arena larger than the RAM available";
	}
	return "unknown";
}

void *model_tensor_data(const struct model_image_header *header, uint8_t *arena,
			const struct model_tensor *tensor)
{
	if (tensor->location == MODEL_LOCATION_IMAGE)
		return (uint8_t *)header + tensor->offset;
	return arena + tensor->offset;
}

/* Data of input i, or NULL when absent. */
static const void *input_data(const struct model_image_header *header, uint8_t *arena,
			      const struct model_op *op, uint32_t i)
{
	if (i >= op->input_count || op->inputs[i] == MODEL_NO_TENSOR)
		return NULL;
	return model_tensor_data(header, arena, &model_tensors(header)[op->inputs[i]]);
}

void model_invoke_op(const struct model_image_header *header, uint8_t *arena,
		     const struct model_op *op)
{
	const void *params = (const uint8_t *)header + op->params_offset;
	const void *in0 = input_data(header, arena, op, 0);
	const void *in1 = input_data(header, arena, op, 1);
	const void *in2 = input_data(header, arena, op, 2);
	const int32_t *quant = input_data(header, arena, op, 3);
	const struct model_tensor *output_tensor = &model_tensors(header)[op->output];
	void *out = model_tensor_data(header, arena, output_tensor);
	/* Per-channel multipliers then shifts, one per output channel. */
	const int32_t channels = output_tensor->dims[3];
	const int32_t *shift = quant ? quant + channels : NULL;

	switch (op->kind) {
	case MODEL_OP_CONV2D_S8: nn_conv2d_s8(params, in0, in1, in2, quant, shift, out); break;
	case MODEL_OP_DEPTHWISE_CONV2D_S8:
		nn_depthwise_conv2d_s8(params, in0, in1, in2, quant, shift, out);
		break;
	case MODEL_OP_FULLY_CONNECTED_S8:
		nn_fully_connected_s8(params, in0, in1, in2, quant,
				      quant + ((const struct nn_fc_params *)params)->output_count,
				      out);
		break;
	case MODEL_OP_AVG_POOL2D_S8: nn_avg_pool2d_s8(params, in0, out); break;
	case MODEL_OP_MAX_POOL2D_S8: nn_max_pool2d_s8(params, in0, out); break;
	case MODEL_OP_ADD_S8: nn_add_s8(params, in0, in1, out); break;
	case MODEL_OP_SOFTMAX_S8: nn_softmax_s8(params, in0, out); break;
	case MODEL_OP_CONV2D_F32: nn_conv2d_f32(params, in0, in1, in2, out); break;
	case MODEL_OP_DEPTHWISE_CONV2D_F32:
		nn_depthwise_conv2d_f32(params, in0, in1, in2, out);
		break;
	case MODEL_OP_FULLY_CONNECTED_F32:
		nn_fully_connected_f32(params, in0, in1, in2, out);
		break;
	case MODEL_OP_AVG_POOL2D_F32: nn_avg_pool2d_f32(params, in0, out); break;
	case MODEL_OP_MAX_POOL2D_F32: nn_max_pool2d_f32(params, in0, out); break;
	case MODEL_OP_ADD_F32: nn_add_f32(params, in0, in1, out); break;
	case MODEL_OP_SOFTMAX_F32: nn_softmax_f32(params, in0, out); break;
	case MODEL_OP_QUANTIZE_F32_S8: nn_quantize_f32_s8(params, in0, out); break;
	case MODEL_OP_DEQUANTIZE_S8_F32: nn_dequantize_s8_f32(params, in0, out); break;
	case MODEL_OP_RESHAPE:
		if (in0 != out)
			memmove(out, in0, output_tensor->size);
		break;
	default: break;
	}
}

void model_invoke(const struct model_image_header *header, uint8_t *arena)
{
	const struct model_op *ops = model_ops(header);
	for (uint32_t i = 0; i < header->op_count; i++)
		model_invoke_op(header, arena, &ops[i]);
}

const char *model_op_kind_name(uint32_t kind)
{
	static const char *const names[MODEL_OP_KIND_COUNT] = {
	    [MODEL_OP_CONV2D_S8] = "conv2d_s8",
	    [MODEL_OP_DEPTHWISE_CONV2D_S8] = "depthwise_conv2d_s8",
	    [MODEL_OP_FULLY_CONNECTED_S8] = "fully_connected_s8",
	    [MODEL_OP_AVG_POOL2D_S8] = "avg_pool2d_s8",
	    [MODEL_OP_MAX_POOL2D_S8] = "max_pool2d_s8",
	    [MODEL_OP_ADD_S8] = "add_s8",
	    [MODEL_OP_SOFTMAX_S8] = "softmax_s8",
	    [MODEL_OP_CONV2D_F32] = "conv2d_f32",
	    [MODEL_OP_DEPTHWISE_CONV2D_F32] = "depthwise_conv2d_f32",
	    [MODEL_OP_FULLY_CONNECTED_F32] = "fully_connected_f32",
	    [MODEL_OP_AVG_POOL2D_F32] = "avg_pool2d_f32",
	    [MODEL_OP_MAX_POOL2D_F32] = "max_pool2d_f32",
	    [MODEL_OP_ADD_F32] = "add_f32",
	    [MODEL_OP_SOFTMAX_F32] = "softmax_f32",
	    [MODEL_OP_QUANTIZE_F32_S8] = "quantize_f32_s8",
	    [MODEL_OP_DEQUANTIZE_S8_F32] = "dequantize_s8_f32",
	    [MODEL_OP_RESHAPE] = "reshape",
	};
	return kind < MODEL_OP_KIND_COUNT && names[kind] ? names[kind] : "unknown";
}
