/*
 * Walks the operators in execution order, checks each against what the
 * kernels support, computes its parameters as TFLite's Prepare would, and
 * registers its tensors with the image layout. Activations get one plan
 * buffer per tensor (RESHAPE outputs share their input's), constants are
 * copied into the image, converted when a float kernel reads int8 or
 * float16 weights. Steps are operator indices: the graph input is alive
 * from step -1, the output to INT32_MAX.
 */
#include "model_compile.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena_plan.h"
#include "error.h"
#include "model_image.h"
#include "model_layout.h"
#include "nn_params.h"
#include "quant_math.h"

/* TFLite Micro aligns arena buffers to 16 bytes; the same makes sizes comparable. */
#define COMPILE_ARENA_ALIGNMENT 16u
/* TFLite's kScaledDiffIntegerBits for int8 softmax. */
#define COMPILE_SOFTMAX_INTEGER_BITS 5
/* TFLite's left shift for int8 ADD. */
#define COMPILE_ADD_LEFT_SHIFT 20

struct compile_tensor {
	int32_t alias;	      /* the tensor this one is a view of (RESHAPE), -1 if none */
	int32_t buffer;	      /* plan buffer once written (activations), -1 before */
	uint32_t image_index; /* entry in the tensor table, MODEL_NO_TENSOR until used */
	uint32_t image_dtype;
	const float *folded; /* a constant computed here (folded DEQUANTIZE) */
	size_t folded_size;
};

struct compile_context {
	const struct tflite_model *model;
	struct compile_tensor *tensors;
	struct model_layout layout;
	struct plan_buffer *buffers;
	size_t buffer_count;
	size_t buffer_capacity;
	uint32_t op_index; /* the operator being compiled; UINT32_MAX outside any */
	struct compiled_layer *layer;
	bool hybrid;
};

static int compile_refuse(struct compile_context *ctx, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int compile_refuse(struct compile_context *ctx, const char *format, ...)
{
	char reason[640];
	va_list args;

	va_start(args, format);
	vsnprintf(reason, sizeof reason, format, args);
	va_end(args);
	if (ctx->op_index >= ctx->model->operator_count)
		return hb_error(HB_ERR_INPUT, "%s: %s", ctx->model->name, reason);
	return hb_error(HB_ERR_INPUT, "%s: operator %u (%s): %s", ctx->model->name, ctx->op_index,
			tflite_builtin_name(ctx->model->operators[ctx->op_index].builtin), reason);
}

static void compile_format_shape(const struct tflite_tensor *tensor, char *text, size_t size)
{
	size_t used = 0;

	text[0] = '\0';
	used += (size_t)snprintf(text, size, "[");
	for (int32_t i = 0; i < tensor->rank && i < TFLITE_MAX_RANK && used < size; i++)
		used += (size_t)snprintf(text + used, size - used, "%s%d", i ? ", " : "",
					 tensor->shape[i]);
	if (used < size)
		snprintf(text + used, size - used, "]");
}

static void compile_format_dims(const int32_t *dims, int32_t rank, char *text, size_t size)
{
	struct tflite_tensor shape = {.rank = rank};

	for (int32_t i = 0; i < rank && i < TFLITE_MAX_RANK; i++)
		shape.shape[i] = dims[i];
	compile_format_shape(&shape, text, size);
}

static const struct tflite_tensor *compile_tensor(struct compile_context *ctx, int32_t index)
{
	return &ctx->model->tensors[index];
}

static int32_t compile_root(struct compile_context *ctx, int32_t index)
{
	while (ctx->tensors[index].alias >= 0)
		index = ctx->tensors[index].alias;
	return index;
}

static bool compile_is_constant(struct compile_context *ctx, int32_t index)
{
	int32_t root = compile_root(ctx, index);
	return ctx->tensors[root].folded || compile_tensor(ctx, root)->data;
}

/* Elements of a tensor; 0 when a dimension is not positive. */
static uint64_t compile_elements(const struct tflite_tensor *tensor)
{
	uint64_t elements = 1;

	for (int32_t i = 0; i < tensor->rank && i < TFLITE_MAX_RANK; i++) {
		if (tensor->shape[i] <= 0)
			return 0;
		elements *= (uint64_t)tensor->shape[i];
		if (elements > INT32_MAX)
			return 0;
	}
	return elements;
}

static const char *compile_type_label(const struct tflite_tensor *tensor)
{
	return tensor ? tflite_type_name(tensor->type) : "none";
}

/* One operand of the current operator; optional ones may be absent (-1). */
static int compile_operand(struct compile_context *ctx, const struct tflite_operator *op,
			   bool output, int32_t position, bool optional, int32_t *index)
{
	int32_t count = output ? op->output_count : op->input_count;
	int32_t value = -1;

	if (position < count)
		value = output ? op->outputs[position] : op->inputs[position];
	*index = -1;
	if (value < 0) {
		if (optional)
			return HB_OK;
		return compile_refuse(ctx, "%s %d is missing", output ? "output" : "input",
				      position + 1);
	}
	if ((uint32_t)value >= ctx->model->tensor_count)
		return compile_refuse(ctx, "%s %d: tensor index %d out of range (%u tensors)",
				      output ? "output" : "input", position + 1, value,
				      ctx->model->tensor_count);
	*index = value;
	return HB_OK;
}

/* NHWC dims of the image, leading 1s for lower ranks. */
static int compile_dims4(struct compile_context *ctx, int32_t index, int32_t dims[4])
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	char shape[96];

	compile_format_shape(tensor, shape, sizeof shape);
	if (tensor->rank < 0 || tensor->rank > TFLITE_MAX_RANK || compile_elements(tensor) == 0)
		return compile_refuse(ctx,
				      "tensor '%s' (tensor %d): shape %s is empty or too large",
				      tensor->name, index, shape);
	for (int32_t i = 0; i < tensor->rank - 4; i++)
		if (tensor->shape[i] != 1)
			return compile_refuse(
			    ctx, "tensor '%s' (tensor %d): shape %s has more than 4 dimensions",
			    tensor->name, index, shape);
	for (int32_t i = 0; i < 4; i++) {
		int32_t source = tensor->rank - 4 + i;
		dims[i] = source >= 0 ? tensor->shape[source] : 1;
	}
	return HB_OK;
}

static int compile_expect_rank(struct compile_context *ctx, int32_t index, const char *role,
			       int32_t rank)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	char shape[96];

	if (tensor->rank == rank)
		return HB_OK;
	compile_format_shape(tensor, shape, sizeof shape);
	return compile_refuse(ctx, "%s '%s' (tensor %d): expected %d dimensions, found shape %s",
			      role, tensor->name, index, rank, shape);
}

static int compile_expect_shape(struct compile_context *ctx, int32_t index, const char *role,
				const int32_t *expected, int32_t rank)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	bool same = tensor->rank == rank;
	char found[96], wanted[96];

	for (int32_t i = 0; same && i < rank; i++)
		same = tensor->shape[i] == expected[i];
	if (same)
		return HB_OK;
	compile_format_shape(tensor, found, sizeof found);
	compile_format_dims(expected, rank, wanted, sizeof wanted);
	return compile_refuse(ctx, "shape mismatch: %s '%s' (tensor %d): expected %s, found %s",
			      role, tensor->name, index, wanted, found);
}

static int compile_expect_elements(struct compile_context *ctx, int32_t index, const char *role,
				   uint64_t expected)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	char shape[96];

	if (compile_elements(tensor) == expected)
		return HB_OK;
	compile_format_shape(tensor, shape, sizeof shape);
	return compile_refuse(
	    ctx, "shape mismatch: %s '%s' (tensor %d): expected %llu elements, found shape %s",
	    role, tensor->name, index, (unsigned long long)expected, shape);
}

/* Per-tensor quantisation of an int8 activation. */
static int compile_activation_quant(struct compile_context *ctx, int32_t index, const char *role,
				    float *scale, int32_t *zero_point)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	if (tensor->quant_count != 1 || !tensor->scales || !tensor->zero_points)
		return compile_refuse(
		    ctx, "%s '%s' (tensor %d): expected one quantisation scale, found %u", role,
		    tensor->name, index, tensor->quant_count);
	if (!(tensor->scales[0] > 0.0f) || isinf(tensor->scales[0]) ||
	    tensor->zero_points[0] < -128 || tensor->zero_points[0] > 127)
		return compile_refuse(ctx,
				      "%s '%s' (tensor %d): quantisation scale %g zero point %lld "
				      "is not valid for int8",
				      role, tensor->name, index, (double)tensor->scales[0],
				      (long long)tensor->zero_points[0]);
	*scale = tensor->scales[0];
	*zero_point = (int32_t)tensor->zero_points[0];
	return HB_OK;
}

/* Symmetric int8 weights: one scale, or one per channel along channel_dim. */
static int compile_filter_quant(struct compile_context *ctx, int32_t index, int32_t channels,
				int32_t channel_dim)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	if (tensor->quant_count == 0 || !tensor->scales || !tensor->zero_points)
		return compile_refuse(ctx, "weights '%s' (tensor %d) are int8 without a scale",
				      tensor->name, index);
	if (tensor->quant_count != 1 && (tensor->quant_count != (uint32_t)channels ||
					 tensor->quantized_dimension != channel_dim))
		return compile_refuse(ctx,
				      "weights '%s' (tensor %d): expected 1 or %d scales along "
				      "dimension %d, found %u along dimension %d",
				      tensor->name, index, channels, channel_dim,
				      tensor->quant_count, tensor->quantized_dimension);
	for (uint32_t i = 0; i < tensor->quant_count; i++) {
		if (tensor->zero_points[i] != 0)
			return compile_refuse(ctx,
					      "weights '%s' (tensor %d): zero point %lld at "
					      "channel %u, expected 0 (symmetric)",
					      tensor->name, index,
					      (long long)tensor->zero_points[i], i);
		if (!(tensor->scales[i] > 0.0f) || isinf(tensor->scales[i]))
			return compile_refuse(
			    ctx, "weights '%s' (tensor %d): scale %g at channel %u is not positive",
			    tensor->name, index, (double)tensor->scales[i], i);
	}
	return HB_OK;
}

static int compile_dtype(struct compile_context *ctx, int32_t index, uint32_t *dtype,
			 uint32_t *element_size)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	switch (tensor->type) {
	case TFLITE_TYPE_INT8:
		*dtype = MODEL_DTYPE_INT8;
		*element_size = 1;
		return HB_OK;
	case TFLITE_TYPE_FLOAT32:
		*dtype = MODEL_DTYPE_FLOAT32;
		*element_size = 4;
		return HB_OK;
	case TFLITE_TYPE_INT32:
		*dtype = MODEL_DTYPE_INT32;
		*element_size = 4;
		return HB_OK;
	default:
		return compile_refuse(ctx, "tensor '%s' (tensor %d): type %s is not supported",
				      tensor->name, index, tflite_type_name(tensor->type));
	}
}

/* The table record of a tensor as stored: its own dims, its dtype. */
static int compile_record(struct compile_context *ctx, int32_t index, uint32_t dtype,
			  struct model_tensor *record)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	uint32_t element_size = dtype == MODEL_DTYPE_INT8 ? 1 : 4;
	int status;

	memset(record, 0, sizeof *record);
	status = compile_dims4(ctx, index, record->dims);
	if (status != HB_OK)
		return status;
	record->dtype = dtype;
	record->size = (uint32_t)(compile_elements(tensor) * element_size);
	if (dtype == MODEL_DTYPE_INT8 && tensor->quant_count == 1 && tensor->scales &&
	    tensor->zero_points) {
		record->scale = tensor->scales[0];
		record->zero_point = (int32_t)tensor->zero_points[0];
	}
	return HB_OK;
}

static int compile_add_buffer(struct compile_context *ctx, uint32_t size, int32_t first_step,
			      int32_t *buffer)
{
	if (ctx->buffer_count == ctx->buffer_capacity) {
		size_t grown = ctx->buffer_capacity ? ctx->buffer_capacity * 2 : 32;
		struct plan_buffer *bigger = realloc(ctx->buffers, grown * sizeof *bigger);
		if (!bigger)
			return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
		ctx->buffers = bigger;
		ctx->buffer_capacity = grown;
	}
	ctx->buffers[ctx->buffer_count] =
	    (struct plan_buffer){.size = size, .first_step = first_step, .last_step = first_step};
	*buffer = (int32_t)ctx->buffer_count++;
	return HB_OK;
}

/* The table entry of an activation, made on first use. */
static int compile_arena_entry(struct compile_context *ctx, int32_t index, uint32_t *image_index)
{
	struct compile_tensor *state = &ctx->tensors[index];
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	struct model_tensor record;
	uint32_t dtype, element_size;
	int status;

	if (state->image_index != MODEL_NO_TENSOR) {
		*image_index = state->image_index;
		return HB_OK;
	}
	status = compile_dtype(ctx, index, &dtype, &element_size);
	if (status != HB_OK)
		return status;
	if (dtype == MODEL_DTYPE_INT32)
		return compile_refuse(
		    ctx, "tensor '%s' (tensor %d): int32 activations are not supported",
		    tensor->name, index);
	status = compile_record(ctx, index, dtype, &record);
	if (status != HB_OK)
		return status;
	status = model_layout_add_tensor(&ctx->layout, &record,
					 ctx->tensors[compile_root(ctx, index)].buffer, NULL,
					 image_index);
	if (status != HB_OK)
		return status;
	state->image_index = *image_index;
	state->image_dtype = dtype;
	return HB_OK;
}

/* A constant as stored in the file (or folded here), in its own type. */
static int compile_constant(struct compile_context *ctx, int32_t index, const char *role,
			    uint32_t *image_index)
{
	struct compile_tensor *state = &ctx->tensors[index];
	int32_t root = compile_root(ctx, index);
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	const struct tflite_tensor *source = compile_tensor(ctx, root);
	const void *data = ctx->tensors[root].folded;
	size_t data_size = ctx->tensors[root].folded_size;
	struct model_tensor record;
	uint32_t dtype, element_size;
	int status;

	if (!compile_is_constant(ctx, index))
		return compile_refuse(ctx,
				      "%s '%s' (tensor %d) is not a constant (weights computed at "
				      "run time are not supported)",
				      role, tensor->name, index);
	if (data) {
		dtype = MODEL_DTYPE_FLOAT32;
	} else {
		data = source->data;
		data_size = source->data_size;
		status = compile_dtype(ctx, index, &dtype, &element_size);
		if (status != HB_OK)
			return status;
	}
	if (state->image_index != MODEL_NO_TENSOR && state->image_dtype == dtype) {
		*image_index = state->image_index;
		return HB_OK;
	}
	status = compile_record(ctx, index, dtype, &record);
	if (status != HB_OK)
		return status;
	if (data_size != record.size)
		return compile_refuse(ctx, "%s '%s' (tensor %d): %zu bytes of data, expected %u",
				      role, tensor->name, index, data_size, record.size);
	status = model_layout_add_tensor(&ctx->layout, &record, -1, data, image_index);
	if (status != HB_OK)
		return status;
	if (state->image_index == MODEL_NO_TENSOR) {
		state->image_index = *image_index;
		state->image_dtype = dtype;
	}
	return HB_OK;
}

static float compile_half_to_float(uint16_t half)
{
	uint32_t exponent = (half >> 10) & 0x1Fu;
	uint32_t mantissa = half & 0x3FFu;
	float value;

	if (exponent == 0)
		value = ldexpf((float)mantissa, -24);
	else if (exponent == 31)
		value = mantissa ? NAN : INFINITY;
	else
		value = ldexpf((float)(mantissa | 0x400u), (int)exponent - 25);
	return (half & 0x8000u) ? -value : value;
}

/* Float values of an int8 (per-tensor or per-channel) or float16 constant. */
static int compile_dequantize_data(struct compile_context *ctx, int32_t index, const char *role,
				   float **values, size_t *size)
{
	int32_t root = compile_root(ctx, index);
	const struct tflite_tensor *tensor = compile_tensor(ctx, root);
	uint64_t elements = compile_elements(tensor);
	uint64_t inner = 1;
	int32_t channels = 1;
	float *out;

	if (!tensor->data || elements == 0)
		return compile_refuse(ctx, "%s '%s' (tensor %d) is not a constant", role,
				      tensor->name, root);
	if (tensor->type == TFLITE_TYPE_INT8) {
		if (tensor->data_size != elements)
			return compile_refuse(
			    ctx, "%s '%s' (tensor %d): %zu bytes of data, expected %llu", role,
			    tensor->name, root, tensor->data_size, (unsigned long long)elements);
		if (tensor->quant_count == 0 || !tensor->scales || !tensor->zero_points)
			return compile_refuse(ctx, "%s '%s' (tensor %d) is int8 without a scale",
					      role, tensor->name, root);
		if (tensor->quant_count > 1) {
			int32_t dim = tensor->quantized_dimension;
			if (dim < 0 || dim >= tensor->rank ||
			    (uint32_t)tensor->shape[dim] != tensor->quant_count)
				return compile_refuse(
				    ctx, "%s '%s' (tensor %d): %u scales do not match dimension %d",
				    role, tensor->name, root, tensor->quant_count, dim);
			channels = tensor->shape[dim];
			for (int32_t i = dim + 1; i < tensor->rank; i++)
				inner *= (uint64_t)tensor->shape[i];
		}
	} else if (tensor->type == TFLITE_TYPE_FLOAT16) {
		if (tensor->data_size != elements * 2)
			return compile_refuse(
			    ctx, "%s '%s' (tensor %d): %zu bytes of data, expected %llu", role,
			    tensor->name, root, tensor->data_size,
			    (unsigned long long)elements * 2);
	} else {
		return compile_refuse(ctx, "%s '%s' (tensor %d): cannot convert %s to float32",
				      role, tensor->name, root, tflite_type_name(tensor->type));
	}
	out = model_layout_alloc(&ctx->layout, (size_t)elements * sizeof *out);
	if (!out)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
	for (uint64_t i = 0; i < elements; i++) {
		if (tensor->type == TFLITE_TYPE_FLOAT16) {
			uint16_t half =
			    (uint16_t)(tensor->data[2 * i] | tensor->data[2 * i + 1] << 8);
			out[i] = compile_half_to_float(half);
		} else {
			size_t channel =
			    channels > 1 ? (size_t)((i / inner) % (uint64_t)channels) : 0;
			int32_t quantized = (int8_t)tensor->data[i];
			/* Exact in double, rounded once to float, as TFLite's Dequantize. */
			out[i] = (float)((double)tensor->scales[channel] *
					 (double)(quantized - tensor->zero_points[channel]));
		}
	}
	*values = out;
	*size = (size_t)elements * sizeof *out;
	return HB_OK;
}

/* Weights a float kernel reads: float32 as is, int8/float16 converted (hybrid). */
static int compile_float_constant(struct compile_context *ctx, int32_t index, const char *role,
				  uint32_t *image_index)
{
	int32_t root = compile_root(ctx, index);
	const struct tflite_tensor *source = compile_tensor(ctx, root);
	struct compile_tensor *state = &ctx->tensors[index];
	struct model_tensor record;
	float *values;
	size_t size;
	int status;

	if (ctx->tensors[root].folded || source->type == TFLITE_TYPE_FLOAT32 ||
	    !compile_is_constant(ctx, index))
		return compile_constant(ctx, index, role, image_index);
	if (state->image_index != MODEL_NO_TENSOR && state->image_dtype == MODEL_DTYPE_FLOAT32) {
		*image_index = state->image_index;
		return HB_OK;
	}
	status = compile_dequantize_data(ctx, index, role, &values, &size);
	if (status != HB_OK)
		return status;
	status = compile_record(ctx, index, MODEL_DTYPE_FLOAT32, &record);
	if (status != HB_OK)
		return status;
	status = model_layout_add_tensor(&ctx->layout, &record, -1, values, image_index);
	if (status != HB_OK)
		return status;
	if (state->image_index == MODEL_NO_TENSOR) {
		state->image_index = *image_index;
		state->image_dtype = MODEL_DTYPE_FLOAT32;
	}
	ctx->hybrid = true;
	return HB_OK;
}

/* An operand read at this step: a constant, or an activation already written. */
static int compile_read(struct compile_context *ctx, int32_t index, const char *role,
			uint32_t *image_index)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	int32_t buffer;

	if (compile_is_constant(ctx, index))
		return compile_constant(ctx, index, role, image_index);
	buffer = ctx->tensors[compile_root(ctx, index)].buffer;
	if (buffer < 0)
		return compile_refuse(ctx,
				      "%s '%s' (tensor %d) is read before any operator writes it",
				      role, tensor->name, index);
	if (ctx->buffers[buffer].last_step < (int32_t)ctx->op_index)
		ctx->buffers[buffer].last_step = (int32_t)ctx->op_index;
	return compile_arena_entry(ctx, index, image_index);
}

/* The output written at this step gets a new buffer. */
static int compile_write(struct compile_context *ctx, int32_t index, uint32_t *image_index)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	struct compile_tensor *state = &ctx->tensors[index];
	uint32_t dtype, element_size;
	int32_t dims[4];
	int status;

	if (compile_is_constant(ctx, index))
		return compile_refuse(ctx, "output '%s' (tensor %d) is a constant", tensor->name,
				      index);
	if (state->buffer >= 0 || state->alias >= 0)
		return compile_refuse(ctx, "output '%s' (tensor %d) is written a second time",
				      tensor->name, index);
	status = compile_dtype(ctx, index, &dtype, &element_size);
	if (status == HB_OK)
		status = compile_dims4(ctx, index, dims);
	if (status != HB_OK)
		return status;
	status = compile_add_buffer(ctx, (uint32_t)(compile_elements(tensor) * element_size),
				    (int32_t)ctx->op_index, &state->buffer);
	if (status != HB_OK)
		return status;
	return compile_arena_entry(ctx, index, image_index);
}

static int compile_emit(struct compile_context *ctx, uint32_t kind, const void *params,
			uint32_t params_size, const uint32_t *inputs, uint32_t input_count,
			uint32_t output, uint64_t macs)
{
	uint64_t weight_bytes = 0;

	if (macs > UINT32_MAX)
		return compile_refuse(ctx, "%llu multiply-accumulates do not fit one operator",
				      (unsigned long long)macs);
	for (uint32_t i = 0; i < input_count; i++)
		if (inputs[i] != MODEL_NO_TENSOR && ctx->layout.tensors[inputs[i]].buffer < 0)
			weight_bytes += ctx->layout.tensors[inputs[i]].record.size;
	ctx->layer->kind = kind;
	ctx->layer->macs = macs;
	ctx->layer->weight_bytes = (uint32_t)weight_bytes;
	return model_layout_add_op(&ctx->layout, kind, params, params_size, inputs, input_count,
				   output, (uint32_t)macs);
}

/* Per-channel multipliers then shifts, as one int32 [2][channels] constant. */
static int compile_channel_quant(struct compile_context *ctx, float input_scale,
				 int32_t filter_index, float output_scale, int32_t channels,
				 uint32_t *image_index)
{
	const struct tflite_tensor *filter = compile_tensor(ctx, filter_index);
	int32_t *values = model_layout_alloc(&ctx->layout, (size_t)channels * 2 * sizeof *values);
	struct model_tensor record = {
	    .dtype = MODEL_DTYPE_INT32,
	    .dims = {1, 1, 2, channels},
	    .size = (uint32_t)channels * 2 * sizeof *values,
	};

	if (!values)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
	for (int32_t c = 0; c < channels; c++) {
		float filter_scale = filter->scales[filter->quant_count == 1 ? 0 : c];
		double real = (double)input_scale * (double)filter_scale / (double)output_scale;
		if (quantize_multiplier(real, &values[c], &values[channels + c]) != HB_OK)
			return compile_refuse(ctx, "channel %d: rescale %g cannot be quantised", c,
					      real);
	}
	return model_layout_add_tensor(&ctx->layout, &record, -1, values, image_index);
}

enum compile_types { COMPILE_TYPES_S8, COMPILE_TYPES_F32 };

/* int8 throughout with int32 bias, or float32 activations with float32 or
 * int8/float16 weights and float32 bias. */
static int compile_weighted_types(struct compile_context *ctx, int32_t input, int32_t filter,
				  int32_t bias, int32_t output, enum compile_types *types)
{
	const struct tflite_tensor *in = compile_tensor(ctx, input);
	const struct tflite_tensor *weights = compile_tensor(ctx, filter);
	const struct tflite_tensor *bias_tensor = bias >= 0 ? compile_tensor(ctx, bias) : NULL;
	const struct tflite_tensor *out = compile_tensor(ctx, output);
	int32_t bias_type = bias_tensor ? bias_tensor->type : -1;
	int32_t weights_type =
	    ctx->tensors[compile_root(ctx, filter)].folded ? TFLITE_TYPE_FLOAT32 : weights->type;

	if (in->type == TFLITE_TYPE_INT8 && weights_type == TFLITE_TYPE_INT8 &&
	    out->type == TFLITE_TYPE_INT8 && (bias_type < 0 || bias_type == TFLITE_TYPE_INT32)) {
		*types = COMPILE_TYPES_S8;
		return HB_OK;
	}
	if (in->type == TFLITE_TYPE_FLOAT32 && out->type == TFLITE_TYPE_FLOAT32 &&
	    (weights_type == TFLITE_TYPE_FLOAT32 || weights_type == TFLITE_TYPE_INT8 ||
	     weights_type == TFLITE_TYPE_FLOAT16) &&
	    (bias_type < 0 || bias_type == TFLITE_TYPE_FLOAT32)) {
		*types = COMPILE_TYPES_F32;
		return HB_OK;
	}
	return compile_refuse(
	    ctx,
	    "unsupported type combination: input %s, weights %s, bias %s, output %s (expected int8 "
	    "with int32 bias, or float32 with float32 or int8 weights)",
	    compile_type_label(in), compile_type_label(weights), compile_type_label(bias_tensor),
	    compile_type_label(out));
}

static int compile_fused_s8(struct compile_context *ctx, int32_t activation, float scale,
			    int32_t zero_point, int32_t *low, int32_t *high)
{
	if (activation_range_s8(activation, scale, zero_point, low, high) != HB_OK)
		return compile_refuse(ctx, "fused activation %d is not supported", activation);
	return HB_OK;
}

static int compile_fused_f32(struct compile_context *ctx, int32_t activation, float *low,
			     float *high)
{
	if (activation_range_f32(activation, low, high) != HB_OK)
		return compile_refuse(ctx, "fused activation %d is not supported", activation);
	return HB_OK;
}

static int compile_window(struct compile_context *ctx, int32_t padding, int32_t input,
			  int32_t filter, int32_t stride, int32_t dilation, const char *axis,
			  int32_t *output, int32_t *pad)
{
	if (window_output_size(padding, input, filter, stride, dilation, output, pad) != HB_OK)
		return compile_refuse(ctx,
				      "%s: a window of %d (stride %d, dilation %d, padding %d) "
				      "does not fit an input of %d",
				      axis, filter, stride, dilation, padding, input);
	return HB_OK;
}

/* Inputs, weights, bias and output of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED. */
struct compile_operands {
	int32_t input;
	int32_t filter;
	int32_t bias;
	int32_t output;
};

static int compile_weighted_operands(struct compile_context *ctx, const struct tflite_operator *op,
				     struct compile_operands *operands)
{
	int status = compile_operand(ctx, op, false, 0, false, &operands->input);
	if (status == HB_OK)
		status = compile_operand(ctx, op, false, 1, false, &operands->filter);
	if (status == HB_OK)
		status = compile_operand(ctx, op, false, 2, true, &operands->bias);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands->output);
	return status;
}

/* Registers input, weights, bias (and quant) and output, then emits. */
static int compile_weighted_emit(struct compile_context *ctx,
				 const struct compile_operands *operands, enum compile_types types,
				 uint32_t kind, const void *params, uint32_t params_size,
				 float input_scale, float output_scale, int32_t channels,
				 uint64_t macs)
{
	uint32_t inputs[4] = {MODEL_NO_TENSOR, MODEL_NO_TENSOR, MODEL_NO_TENSOR, MODEL_NO_TENSOR};
	uint32_t output;
	int status;

	status = compile_read(ctx, operands->input, "input", &inputs[0]);
	if (status != HB_OK)
		return status;
	if (types == COMPILE_TYPES_S8)
		status = compile_constant(ctx, operands->filter, "weights", &inputs[1]);
	else
		status = compile_float_constant(ctx, operands->filter, "weights", &inputs[1]);
	if (status == HB_OK && operands->bias >= 0)
		status = compile_constant(ctx, operands->bias, "bias", &inputs[2]);
	if (status == HB_OK && types == COMPILE_TYPES_S8)
		status = compile_channel_quant(ctx, input_scale, operands->filter, output_scale,
					       channels, &inputs[3]);
	if (status == HB_OK)
		status = compile_write(ctx, operands->output, &output);
	if (status != HB_OK)
		return status;
	return compile_emit(ctx, kind, params, params_size, inputs,
			    types == COMPILE_TYPES_S8 ? 4 : 3, output, macs);
}

static int compile_conv(struct compile_context *ctx, const struct tflite_operator *op,
			bool depthwise)
{
	const struct tflite_options *options = &op->options;
	struct compile_operands operands;
	const struct tflite_tensor *input, *filter;
	struct nn_conv_params params;
	enum compile_types types;
	int32_t expected[4];
	float input_scale = 0, output_scale = 0;
	uint64_t macs;
	int status;

	status = compile_weighted_operands(ctx, op, &operands);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands.input, "input", 4);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands.filter, "weights", 4);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands.input);
	filter = compile_tensor(ctx, operands.filter);

	memset(&params, 0, sizeof params);
	params.batches = input->shape[0];
	params.input_height = input->shape[1];
	params.input_width = input->shape[2];
	params.input_channels = input->shape[3];
	params.filter_height = filter->shape[1];
	params.filter_width = filter->shape[2];
	if (depthwise) {
		params.output_channels = filter->shape[3];
		if (filter->shape[0] != 1 || params.input_channels <= 0 ||
		    params.output_channels % params.input_channels != 0)
			return compile_refuse(ctx,
					      "weights '%s' (tensor %d): expected [1, height, "
					      "width, a multiple of %d channels]",
					      filter->name, operands.filter, params.input_channels);
		params.depth_multiplier = params.output_channels / params.input_channels;
		if (options->depth_multiplier != 0 &&
		    options->depth_multiplier != params.depth_multiplier)
			return compile_refuse(ctx,
					      "depth multiplier %d does not match %d output "
					      "channels for %d input channels",
					      options->depth_multiplier, params.output_channels,
					      params.input_channels);
	} else {
		params.output_channels = filter->shape[0];
		params.depth_multiplier = 1;
		if (filter->shape[3] != params.input_channels)
			return compile_refuse(
			    ctx,
			    "weights '%s' (tensor %d) take %d input channels, the input has %d "
			    "(grouped convolution is not supported)",
			    filter->name, operands.filter, filter->shape[3], params.input_channels);
	}
	params.stride_height = options->stride_height;
	params.stride_width = options->stride_width;
	params.dilation_height = options->dilation_height;
	params.dilation_width = options->dilation_width;
	status = compile_window(ctx, options->padding, params.input_height, params.filter_height,
				params.stride_height, params.dilation_height, "height",
				&params.output_height, &params.pad_top);
	if (status == HB_OK)
		status =
		    compile_window(ctx, options->padding, params.input_width, params.filter_width,
				   params.stride_width, params.dilation_width, "width",
				   &params.output_width, &params.pad_left);
	if (status != HB_OK)
		return status;
	expected[0] = params.batches;
	expected[1] = params.output_height;
	expected[2] = params.output_width;
	expected[3] = params.output_channels;
	status = compile_expect_shape(ctx, operands.output, "output", expected, 4);
	if (status == HB_OK && operands.bias >= 0)
		status = compile_expect_elements(ctx, operands.bias, "bias",
						 (uint64_t)params.output_channels);
	if (status == HB_OK)
		status = compile_weighted_types(ctx, operands.input, operands.filter, operands.bias,
						operands.output, &types);
	if (status != HB_OK)
		return status;

	if (types == COMPILE_TYPES_S8) {
		status = compile_activation_quant(ctx, operands.input, "input", &input_scale,
						  &params.input_offset);
		if (status == HB_OK)
			status = compile_activation_quant(ctx, operands.output, "output",
							  &output_scale, &params.output_offset);
		if (status == HB_OK)
			status = compile_filter_quant(ctx, operands.filter, params.output_channels,
						      depthwise ? 3 : 0);
		if (status == HB_OK)
			status = compile_fused_s8(ctx, options->activation, output_scale,
						  params.output_offset, &params.activation_min,
						  &params.activation_max);
		params.input_offset = -params.input_offset;
	} else {
		status = compile_fused_f32(ctx, options->activation, &params.activation_min_f,
					   &params.activation_max_f);
	}
	if (status != HB_OK)
		return status;

	macs = (uint64_t)params.batches * (uint64_t)params.output_height *
	       (uint64_t)params.output_width * (uint64_t)params.output_channels *
	       (uint64_t)params.filter_height * (uint64_t)params.filter_width *
	       (uint64_t)(depthwise ? 1 : params.input_channels);
	return compile_weighted_emit(
	    ctx, &operands, types,
	    depthwise ? (types == COMPILE_TYPES_S8 ? MODEL_OP_DEPTHWISE_CONV2D_S8
						   : MODEL_OP_DEPTHWISE_CONV2D_F32)
		      : (types == COMPILE_TYPES_S8 ? MODEL_OP_CONV2D_S8 : MODEL_OP_CONV2D_F32),
	    &params, sizeof params, input_scale, output_scale, params.output_channels, macs);
}

static int compile_fully_connected(struct compile_context *ctx, const struct tflite_operator *op)
{
	struct compile_operands operands;
	const struct tflite_tensor *input, *weights, *output;
	struct nn_fc_params params;
	enum compile_types types;
	float input_scale = 0, output_scale = 0;
	uint64_t input_elements;
	char shape[96];
	int status;

	status = compile_weighted_operands(ctx, op, &operands);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands.filter, "weights", 2);
	if (status != HB_OK)
		return status;
	if (op->options.weights_format != 0)
		return compile_refuse(ctx, "weights format %d is not supported (only the default)",
				      op->options.weights_format);
	input = compile_tensor(ctx, operands.input);
	weights = compile_tensor(ctx, operands.filter);
	output = compile_tensor(ctx, operands.output);
	memset(&params, 0, sizeof params);
	params.output_count = weights->shape[0];
	params.input_count = weights->shape[1];
	input_elements = compile_elements(input);
	if (params.input_count <= 0 || params.output_count <= 0 || input_elements == 0 ||
	    input_elements % (uint64_t)params.input_count != 0) {
		compile_format_shape(input, shape, sizeof shape);
		return compile_refuse(ctx,
				      "shape mismatch: input '%s' (tensor %d) of shape %s does not "
				      "split into rows of %d (the depth of the weights)",
				      input->name, operands.input, shape, params.input_count);
	}
	params.batches = (int32_t)(input_elements / (uint64_t)params.input_count);
	if (compile_elements(output) != (uint64_t)params.batches * (uint64_t)params.output_count ||
	    output->rank < 1 || output->shape[output->rank - 1] != params.output_count) {
		compile_format_shape(output, shape, sizeof shape);
		return compile_refuse(ctx,
				      "shape mismatch: output '%s' (tensor %d): expected %d rows "
				      "of %d, found shape %s",
				      output->name, operands.output, params.batches,
				      params.output_count, shape);
	}
	status = HB_OK;
	if (operands.bias >= 0)
		status = compile_expect_elements(ctx, operands.bias, "bias",
						 (uint64_t)params.output_count);
	if (status == HB_OK)
		status = compile_weighted_types(ctx, operands.input, operands.filter, operands.bias,
						operands.output, &types);
	if (status != HB_OK)
		return status;
	if (types == COMPILE_TYPES_S8) {
		status = compile_activation_quant(ctx, operands.input, "input", &input_scale,
						  &params.input_offset);
		if (status == HB_OK)
			status = compile_activation_quant(ctx, operands.output, "output",
							  &output_scale, &params.output_offset);
		if (status == HB_OK)
			status = compile_filter_quant(ctx, operands.filter, params.output_count, 0);
		if (status == HB_OK)
			status = compile_fused_s8(ctx, op->options.activation, output_scale,
						  params.output_offset, &params.activation_min,
						  &params.activation_max);
		params.input_offset = -params.input_offset;
	} else {
		status = compile_fused_f32(ctx, op->options.activation, &params.activation_min_f,
					   &params.activation_max_f);
	}
	if (status != HB_OK)
		return status;
	return compile_weighted_emit(
	    ctx, &operands, types,
	    types == COMPILE_TYPES_S8 ? MODEL_OP_FULLY_CONNECTED_S8 : MODEL_OP_FULLY_CONNECTED_F32,
	    &params, sizeof params, input_scale, output_scale, params.output_count,
	    (uint64_t)params.batches * (uint64_t)params.input_count *
		(uint64_t)params.output_count);
}

/* Both int8 or both float32; anything else is refused naming the types. */
static int compile_same_types(struct compile_context *ctx, const int32_t *indices, size_t count,
			      enum compile_types *types)
{
	int32_t type = compile_tensor(ctx, indices[0])->type;
	char found[160] = "";
	size_t used = 0;
	bool same = true;

	for (size_t i = 1; i < count; i++)
		same = same && compile_tensor(ctx, indices[i])->type == type;
	if (same && (type == TFLITE_TYPE_INT8 || type == TFLITE_TYPE_FLOAT32)) {
		*types = type == TFLITE_TYPE_INT8 ? COMPILE_TYPES_S8 : COMPILE_TYPES_F32;
		return HB_OK;
	}
	for (size_t i = 0; i < count && used < sizeof found; i++)
		used += (size_t)snprintf(found + used, sizeof found - used, "%s%s", i ? ", " : "",
					 tflite_type_name(compile_tensor(ctx, indices[i])->type));
	return compile_refuse(
	    ctx, "unsupported type combination: %s (expected all int8 or all float32)", found);
}

/* One-input ops: reads the input, writes the output, emits. */
static int compile_unary_emit(struct compile_context *ctx, int32_t input, int32_t output,
			      uint32_t kind, const void *params, uint32_t params_size)
{
	uint32_t inputs[1];
	uint32_t output_image;
	int status = compile_read(ctx, input, "input", &inputs[0]);

	if (status == HB_OK)
		status = compile_write(ctx, output, &output_image);
	if (status != HB_OK)
		return status;
	return compile_emit(ctx, kind, params, params_size, inputs, 1, output_image, 0);
}

static int compile_pool(struct compile_context *ctx, const struct tflite_operator *op, bool max)
{
	const struct tflite_options *options = &op->options;
	struct nn_pool_params params;
	const struct tflite_tensor *input;
	enum compile_types types;
	int32_t operands[2];
	int32_t expected[4];
	int status;

	status = compile_operand(ctx, op, false, 0, false, &operands[0]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands[1]);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands[0], "input", 4);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands[0]);
	memset(&params, 0, sizeof params);
	params.batches = input->shape[0];
	params.input_height = input->shape[1];
	params.input_width = input->shape[2];
	params.channels = input->shape[3];
	params.filter_height = options->filter_height;
	params.filter_width = options->filter_width;
	params.stride_height = options->stride_height;
	params.stride_width = options->stride_width;
	status = compile_window(ctx, options->padding, params.input_height, params.filter_height,
				params.stride_height, 1, "height", &params.output_height,
				&params.pad_top);
	if (status == HB_OK)
		status = compile_window(ctx, options->padding, params.input_width,
					params.filter_width, params.stride_width, 1, "width",
					&params.output_width, &params.pad_left);
	if (status != HB_OK)
		return status;
	expected[0] = params.batches;
	expected[1] = params.output_height;
	expected[2] = params.output_width;
	expected[3] = params.channels;
	status = compile_expect_shape(ctx, operands[1], "output", expected, 4);
	if (status == HB_OK)
		status = compile_same_types(ctx, operands, 2, &types);
	if (status != HB_OK)
		return status;
	if (types == COMPILE_TYPES_S8) {
		float input_scale, output_scale;
		int32_t input_zero, output_zero;
		status =
		    compile_activation_quant(ctx, operands[0], "input", &input_scale, &input_zero);
		if (status == HB_OK)
			status = compile_activation_quant(ctx, operands[1], "output", &output_scale,
							  &output_zero);
		if (status != HB_OK)
			return status;
		/* The kernels do not requantise: TFLite requires equal quantisation. */
		if (fabs((double)input_scale - (double)output_scale) > 1e-6 ||
		    input_zero != output_zero)
			return compile_refuse(ctx,
					      "input scale %g zero point %d and output scale %g "
					      "zero point %d differ (pooling does not rescale)",
					      (double)input_scale, input_zero, (double)output_scale,
					      output_zero);
		status = compile_fused_s8(ctx, options->activation, output_scale, output_zero,
					  &params.activation_min, &params.activation_max);
	} else {
		status = compile_fused_f32(ctx, options->activation, &params.activation_min_f,
					   &params.activation_max_f);
	}
	if (status != HB_OK)
		return status;
	return compile_unary_emit(
	    ctx, operands[0], operands[1],
	    max ? (types == COMPILE_TYPES_S8 ? MODEL_OP_MAX_POOL2D_S8 : MODEL_OP_MAX_POOL2D_F32)
		: (types == COMPILE_TYPES_S8 ? MODEL_OP_AVG_POOL2D_S8 : MODEL_OP_AVG_POOL2D_F32),
	    &params, sizeof params);
}

static int compile_add_quant(struct compile_context *ctx, const int32_t *operands,
			     struct nn_add_params *params)
{
	float scales[3];
	int32_t zero_points[3];
	static const char *const roles[3] = {"input 1", "input 2", "output"};
	double twice_max;
	int status = HB_OK;

	for (int i = 0; i < 3 && status == HB_OK; i++)
		status = compile_activation_quant(ctx, operands[i], roles[i], &scales[i],
						  &zero_points[i]);
	if (status != HB_OK)
		return status;
	params->input1_offset = -zero_points[0];
	params->input2_offset = -zero_points[1];
	params->output_offset = zero_points[2];
	params->left_shift = COMPILE_ADD_LEFT_SHIFT;
	twice_max = 2.0 * (double)(scales[0] > scales[1] ? scales[0] : scales[1]);
	if (quantize_multiplier_below_one((double)scales[0] / twice_max, &params->input1_multiplier,
					  &params->input1_shift) != HB_OK ||
	    quantize_multiplier_below_one((double)scales[1] / twice_max, &params->input2_multiplier,
					  &params->input2_shift) != HB_OK ||
	    quantize_multiplier_below_one(
		twice_max / ((double)(1 << COMPILE_ADD_LEFT_SHIFT) * (double)scales[2]),
		&params->output_multiplier, &params->output_shift) != HB_OK)
		return compile_refuse(
		    ctx, "input scales %g and %g cannot be rescaled to output scale %g",
		    (double)scales[0], (double)scales[1], (double)scales[2]);
	return compile_fused_s8(ctx, ctx->model->operators[ctx->op_index].options.activation,
				scales[2], zero_points[2], &params->activation_min,
				&params->activation_max);
}

static int compile_add(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *first, *second;
	struct nn_add_params params;
	enum compile_types types;
	int32_t operands[3];
	uint32_t inputs[2], output;
	bool same;
	int status;

	status = compile_operand(ctx, op, false, 0, false, &operands[0]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, false, 1, false, &operands[1]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands[2]);
	if (status != HB_OK)
		return status;
	first = compile_tensor(ctx, operands[0]);
	second = compile_tensor(ctx, operands[1]);
	same = first->rank == second->rank;
	for (int32_t i = 0; same && i < first->rank; i++)
		same = first->shape[i] == second->shape[i];
	if (!same) {
		char first_shape[96], second_shape[96];
		compile_format_shape(first, first_shape, sizeof first_shape);
		compile_format_shape(second, second_shape, sizeof second_shape);
		return compile_refuse(ctx,
				      "broadcasting is not supported: input 1 '%s' (tensor %d) has "
				      "shape %s, input 2 '%s' (tensor %d) has shape %s",
				      first->name, operands[0], first_shape, second->name,
				      operands[1], second_shape);
	}
	status = compile_expect_shape(ctx, operands[2], "output", first->shape, first->rank);
	if (status == HB_OK)
		status = compile_same_types(ctx, operands, 3, &types);
	if (status != HB_OK)
		return status;
	memset(&params, 0, sizeof params);
	params.size = (int32_t)compile_elements(first);
	if (types == COMPILE_TYPES_S8)
		status = compile_add_quant(ctx, operands, &params);
	else
		status = compile_fused_f32(ctx, op->options.activation, &params.activation_min_f,
					   &params.activation_max_f);
	if (status == HB_OK)
		status = compile_read(ctx, operands[0], "input 1", &inputs[0]);
	if (status == HB_OK)
		status = compile_read(ctx, operands[1], "input 2", &inputs[1]);
	if (status == HB_OK)
		status = compile_write(ctx, operands[2], &output);
	if (status != HB_OK)
		return status;
	return compile_emit(ctx, types == COMPILE_TYPES_S8 ? MODEL_OP_ADD_S8 : MODEL_OP_ADD_F32,
			    &params, sizeof params, inputs, 2, output, 0);
}

static int compile_softmax(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *input, *output;
	struct nn_softmax_params params;
	enum compile_types types;
	int32_t operands[2];
	int status;

	status = compile_operand(ctx, op, false, 0, false, &operands[0]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands[1]);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands[0]);
	output = compile_tensor(ctx, operands[1]);
	if (input->rank < 1 || compile_elements(input) == 0)
		return compile_refuse(ctx, "input '%s' (tensor %d) has no rows to normalise",
				      input->name, operands[0]);
	status = compile_expect_shape(ctx, operands[1], "output", input->shape, input->rank);
	if (status == HB_OK)
		status = compile_same_types(ctx, operands, 2, &types);
	if (status != HB_OK)
		return status;
	memset(&params, 0, sizeof params);
	params.row_size = input->shape[input->rank - 1];
	params.rows = (int32_t)(compile_elements(input) / (uint64_t)params.row_size);
	params.beta = op->options.beta;
	if (types == COMPILE_TYPES_S8) {
		float input_scale, output_scale;
		int32_t input_zero, output_zero;
		status =
		    compile_activation_quant(ctx, operands[0], "input", &input_scale, &input_zero);
		if (status == HB_OK)
			status = compile_activation_quant(ctx, operands[1], "output", &output_scale,
							  &output_zero);
		if (status != HB_OK)
			return status;
		if (fabs((double)output_scale - 1.0 / 256) > 0.001 / 256 || output_zero != -128)
			return compile_refuse(ctx,
					      "output '%s' (tensor %d): expected scale 1/256 and "
					      "zero point -128, found scale %g zero point %d",
					      output->name, operands[1], (double)output_scale,
					      output_zero);
		if (softmax_input_scaling((double)op->options.beta, (double)input_scale,
					  COMPILE_SOFTMAX_INTEGER_BITS, &params.input_multiplier,
					  &params.input_left_shift) != HB_OK)
			return compile_refuse(
			    ctx, "beta %g times input scale %g is too small for int8 softmax",
			    (double)op->options.beta, (double)input_scale);
		params.diff_min = -softmax_input_radius(COMPILE_SOFTMAX_INTEGER_BITS,
							params.input_left_shift, 31);
	}
	return compile_unary_emit(ctx, operands[0], operands[1],
				  types == COMPILE_TYPES_S8 ? MODEL_OP_SOFTMAX_S8
							    : MODEL_OP_SOFTMAX_F32,
				  &params, sizeof params);
}

static int compile_quantize(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *input, *output;
	struct nn_quantize_params params;
	int32_t operands[2];
	int status;

	status = compile_operand(ctx, op, false, 0, false, &operands[0]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands[1]);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands[0]);
	output = compile_tensor(ctx, operands[1]);
	if (input->type != TFLITE_TYPE_FLOAT32 || output->type != TFLITE_TYPE_INT8)
		return compile_refuse(
		    ctx, "unsupported type combination: %s to %s (only float32 to int8)",
		    tflite_type_name(input->type), tflite_type_name(output->type));
	status = compile_expect_shape(ctx, operands[1], "output", input->shape, input->rank);
	if (status != HB_OK)
		return status;
	memset(&params, 0, sizeof params);
	params.size = (int32_t)compile_elements(input);
	status =
	    compile_activation_quant(ctx, operands[1], "output", &params.scale, &params.zero_point);
	if (status != HB_OK)
		return status;
	return compile_unary_emit(ctx, operands[0], operands[1], MODEL_OP_QUANTIZE_F32_S8, &params,
				  sizeof params);
}

static int compile_dequantize(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *input, *output;
	struct nn_quantize_params params;
	int32_t operands[2];
	int status;

	status = compile_operand(ctx, op, false, 0, false, &operands[0]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands[1]);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands[0]);
	output = compile_tensor(ctx, operands[1]);
	if ((input->type != TFLITE_TYPE_INT8 && input->type != TFLITE_TYPE_FLOAT16) ||
	    output->type != TFLITE_TYPE_FLOAT32)
		return compile_refuse(
		    ctx, "unsupported type combination: %s to %s (only int8 or float16 to float32)",
		    tflite_type_name(input->type), tflite_type_name(output->type));
	status = compile_expect_shape(ctx, operands[1], "output", input->shape, input->rank);
	if (status != HB_OK)
		return status;
	if (compile_is_constant(ctx, operands[0])) {
		/* Weights stored small: convert once here, nothing runs on the target. */
		struct compile_tensor *state = &ctx->tensors[operands[1]];
		float *values;
		if (state->buffer >= 0 || state->alias >= 0 || state->folded)
			return compile_refuse(ctx,
					      "output '%s' (tensor %d) is written a second time",
					      output->name, operands[1]);
		status = compile_dequantize_data(ctx, operands[0], "input", &values,
						 &state->folded_size);
		if (status != HB_OK)
			return status;
		state->folded = values;
		ctx->hybrid = true;
		return HB_OK;
	}
	if (input->type != TFLITE_TYPE_INT8)
		return compile_refuse(ctx, "float16 input '%s' (tensor %d) is not a constant",
				      input->name, operands[0]);
	memset(&params, 0, sizeof params);
	params.size = (int32_t)compile_elements(input);
	status =
	    compile_activation_quant(ctx, operands[0], "input", &params.scale, &params.zero_point);
	if (status != HB_OK)
		return status;
	return compile_unary_emit(ctx, operands[0], operands[1], MODEL_OP_DEQUANTIZE_S8_F32,
				  &params, sizeof params);
}

/* A byte view: the output shares the input's bytes and no op runs. */
static int compile_reshape(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *input, *output;
	struct compile_tensor *state;
	int32_t operands[2];
	int status;

	status = compile_operand(ctx, op, false, 0, false, &operands[0]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands[1]);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands[0]);
	output = compile_tensor(ctx, operands[1]);
	state = &ctx->tensors[operands[1]];
	if (input->type != output->type)
		return compile_refuse(ctx, "unsupported type combination: %s to %s",
				      tflite_type_name(input->type),
				      tflite_type_name(output->type));
	status = compile_expect_elements(ctx, operands[1], "output", compile_elements(input));
	if (status != HB_OK)
		return status;
	if (input->type == TFLITE_TYPE_INT8 && input->quant_count == 1 &&
	    output->quant_count == 1 &&
	    (input->scales[0] != output->scales[0] ||
	     input->zero_points[0] != output->zero_points[0]))
		return compile_refuse(
		    ctx, "input and output quantisation differ (scale %g/%g, zero point %lld/%lld)",
		    (double)input->scales[0], (double)output->scales[0],
		    (long long)input->zero_points[0], (long long)output->zero_points[0]);
	if (!compile_is_constant(ctx, operands[0]) &&
	    ctx->tensors[compile_root(ctx, operands[0])].buffer < 0)
		return compile_refuse(
		    ctx, "input '%s' (tensor %d) is read before any operator writes it",
		    input->name, operands[0]);
	if (state->buffer >= 0 || state->alias >= 0 || state->folded || output->data)
		return compile_refuse(ctx, "output '%s' (tensor %d) is written a second time",
				      output->name, operands[1]);
	state->alias = operands[0];
	return HB_OK;
}

static int compile_operator(struct compile_context *ctx, const struct tflite_operator *op)
{
	if (op->output_count != 1)
		return compile_refuse(ctx, "expected one output, found %d", op->output_count);
	switch (op->builtin) {
	case TFLITE_OP_CONV_2D: return compile_conv(ctx, op, false);
	case TFLITE_OP_DEPTHWISE_CONV_2D: return compile_conv(ctx, op, true);
	case TFLITE_OP_FULLY_CONNECTED: return compile_fully_connected(ctx, op);
	case TFLITE_OP_AVERAGE_POOL_2D: return compile_pool(ctx, op, false);
	case TFLITE_OP_MAX_POOL_2D: return compile_pool(ctx, op, true);
	case TFLITE_OP_ADD: return compile_add(ctx, op);
	case TFLITE_OP_SOFTMAX: return compile_softmax(ctx, op);
	case TFLITE_OP_QUANTIZE: return compile_quantize(ctx, op);
	case TFLITE_OP_DEQUANTIZE: return compile_dequantize(ctx, op);
	case TFLITE_OP_RESHAPE: return compile_reshape(ctx, op);
	default:
		return compile_refuse(ctx,
				      "unsupported operator (supported: ADD, AVERAGE_POOL_2D, "
				      "CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, FULLY_CONNECTED, "
				      "MAX_POOL_2D, QUANTIZE, RESHAPE, SOFTMAX)");
	}
}

/* The graph's single input (alive before the first op) and output (to the end). */
static int compile_graph_tensor(struct compile_context *ctx, bool output, uint32_t *image_index)
{
	const struct tflite_model *model = ctx->model;
	int32_t count = output ? model->output_count : model->input_count;
	const char *role = output ? "output" : "input";
	int32_t index;
	int32_t buffer;
	int status;

	if (count != 1)
		return compile_refuse(ctx, "expected exactly one graph %s, found %d", role, count);
	index = output ? model->outputs[0] : model->inputs[0];
	if (index < 0 || (uint32_t)index >= model->tensor_count)
		return compile_refuse(ctx, "graph %s: tensor index %d out of range", role, index);
	if (compile_is_constant(ctx, index))
		return compile_refuse(ctx, "graph %s '%s' (tensor %d) is a constant", role,
				      compile_tensor(ctx, index)->name, index);
	if (!output) {
		uint32_t dtype, element_size;
		status = compile_dtype(ctx, index, &dtype, &element_size);
		if (status == HB_OK)
			status = compile_dims4(ctx, index, (int32_t[4]){0});
		if (status == HB_OK)
			status = compile_add_buffer(
			    ctx,
			    (uint32_t)(compile_elements(compile_tensor(ctx, index)) * element_size),
			    -1, &ctx->tensors[index].buffer);
		if (status != HB_OK)
			return status;
		return compile_arena_entry(ctx, index, image_index);
	}
	buffer = ctx->tensors[compile_root(ctx, index)].buffer;
	if (buffer < 0)
		return compile_refuse(ctx, "graph output '%s' (tensor %d) is never written",
				      compile_tensor(ctx, index)->name, index);
	ctx->buffers[buffer].last_step = INT32_MAX;
	return compile_arena_entry(ctx, index, image_index);
}

static int compile_layer_shape(struct compile_context *ctx, struct compiled_layer *layer,
			       const struct tflite_operator *op)
{
	const struct tflite_tensor *output = compile_tensor(ctx, op->outputs[0]);
	uint32_t element_size = output->type == TFLITE_TYPE_INT8 ? 1 : 4;
	int status = compile_dims4(ctx, op->outputs[0], layer->output_shape);

	layer->output_bytes = (uint32_t)(compile_elements(output) * element_size);
	return status;
}

static uint32_t compile_live_bytes(const struct compile_context *ctx, int32_t step)
{
	uint64_t total = 0;

	for (size_t i = 0; i < ctx->buffer_count; i++)
		if (ctx->buffers[i].first_step <= step && step <= ctx->buffers[i].last_step)
			total += (ctx->buffers[i].size + COMPILE_ARENA_ALIGNMENT - 1) &
				 ~(uint64_t)(COMPILE_ARENA_ALIGNMENT - 1);
	return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

static void compile_describe_io(const struct model_tensor *record, uint32_t *dtype, uint32_t *bytes,
				int32_t shape[4])
{
	*dtype = record->dtype;
	*bytes = record->size;
	memcpy(shape, record->dims, 4 * sizeof *shape);
}

static int compile_graph(struct compile_context *ctx, uint32_t source_crc32,
			 struct compiled_model *out)
{
	const struct tflite_model *model = ctx->model;
	struct model_image_header header;
	uint32_t input_image, output_image;
	uint64_t macs = 0;
	int status;

	memset(&header, 0, sizeof header);
	ctx->op_index = UINT32_MAX;
	status = compile_graph_tensor(ctx, false, &input_image);
	if (status != HB_OK)
		return status;
	for (uint32_t i = 0; i < model->operator_count; i++) {
		const struct tflite_operator *op = &model->operators[i];
		ctx->op_index = i;
		ctx->layer = &out->layers[i];
		ctx->layer->tflite_index = (int32_t)i;
		ctx->layer->builtin = op->builtin;
		status = compile_operator(ctx, op);
		if (status == HB_OK)
			status = compile_layer_shape(ctx, ctx->layer, op);
		if (status != HB_OK)
			return status;
		macs += ctx->layer->macs;
	}
	ctx->op_index = UINT32_MAX;
	status = compile_graph_tensor(ctx, true, &output_image);
	if (status == HB_OK)
		status = plan_arena(ctx->buffers, ctx->buffer_count, COMPILE_ARENA_ALIGNMENT,
				    &out->arena_size, &out->activation_floor);
	if (status != HB_OK)
		return status;
	model_layout_place(&ctx->layout, ctx->buffers);
	for (uint32_t i = 0; i < model->operator_count; i++)
		out->layers[i].live_bytes = compile_live_bytes(ctx, (int32_t)i);

	header.arena_size = out->arena_size;
	header.input_tensor = input_image;
	header.output_tensor = output_image;
	header.macs_low = (uint32_t)macs;
	header.macs_high = (uint32_t)(macs >> 32);
	header.source_crc32 = source_crc32;
	status = model_layout_write(&ctx->layout, &header, &out->image, &out->image_size);
	if (status != HB_OK)
		return status;
	out->macs = macs;
	out->weight_bytes = model_layout_constant_bytes(&ctx->layout);
	out->hybrid = ctx->hybrid;
	compile_describe_io(&ctx->layout.tensors[input_image].record, &out->input_dtype,
			    &out->input_bytes, out->input_shape);
	compile_describe_io(&ctx->layout.tensors[output_image].record, &out->output_dtype,
			    &out->output_bytes, out->output_shape);
	return HB_OK;
}

int model_compile(const struct tflite_model *model, uint32_t source_crc32,
		  struct compiled_model *out)
{
	struct compile_context ctx;
	int status;

	memset(out, 0, sizeof *out);
	memset(&ctx, 0, sizeof ctx);
	ctx.model = model;
	ctx.op_index = UINT32_MAX;
	model_layout_init(&ctx.layout);
	ctx.tensors = calloc(model->tensor_count ? model->tensor_count : 1, sizeof *ctx.tensors);
	out->layers =
	    calloc(model->operator_count ? model->operator_count : 1, sizeof *out->layers);
	if (!ctx.tensors || !out->layers) {
		status = hb_error(HB_ERR_NOMEM, "%s: out of memory", model->name);
		goto done;
	}
	for (uint32_t i = 0; i < model->tensor_count; i++) {
		ctx.tensors[i].alias = -1;
		ctx.tensors[i].buffer = -1;
		ctx.tensors[i].image_index = MODEL_NO_TENSOR;
	}
	out->layer_count = model->operator_count;
	status = compile_graph(&ctx, source_crc32, out);
done:
	free(ctx.tensors);
	free(ctx.buffers);
	model_layout_release(&ctx.layout);
	if (status != HB_OK)
		compiled_model_release(out);
	return status;
}

void compiled_model_release(struct compiled_model *compiled)
{
	free(compiled->image);
	free(compiled->layers);
	memset(compiled, 0, sizeof *compiled);
}
