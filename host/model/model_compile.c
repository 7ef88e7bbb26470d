/*
 * The graph side of the model compiler: walks the operators in execution
 * order (model_compile_ops.c compiles each one), gives every tensor its
 * entry in the image's tensor table, tracks activation lifetimes for the
 * planner and sums the totals. Activations get one plan buffer per tensor
 * (RESHAPE outputs share their input's), constants are copied into the
 * image, converted when a float kernel reads int8 or float16 weights.
 * Steps are operator indices: the graph input is alive from step -1, the
 * output to INT32_MAX.
 */
#include "model/model_compile.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/arena_plan.h"
#include "util/error.h"
#include "util/grow.h"
#include "model/model_compile_ops.h"
#include "model_image.h"
#include "model/model_layout.h"

/* TFLite Micro aligns arena buffers to 16 bytes; the same makes sizes comparable. */
#define COMPILE_ARENA_ALIGNMENT 16u

int compile_refuse(struct compile_context *ctx, const char *format, ...)
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

struct compile_shape_text compile_dims_text(const int32_t *dims, int32_t rank)
{
	struct compile_shape_text shape;
	size_t size = sizeof shape.text;
	size_t used = 0;

	shape.text[0] = '\0';
	used += (size_t)snprintf(shape.text, size, "[");
	for (int32_t i = 0; i < rank && i < TFLITE_MAX_RANK && used < size; i++)
		used += (size_t)snprintf(shape.text + used, size - used, "%s%d", i ? ", " : "",
					 dims[i]);
	if (used < size)
		snprintf(shape.text + used, size - used, "]");
	return shape;
}

struct compile_shape_text compile_shape_text(const struct tflite_tensor *tensor)
{
	return compile_dims_text(tensor->shape, tensor->rank);
}

const struct tflite_tensor *compile_tensor(struct compile_context *ctx, int32_t index)
{
	return &ctx->model->tensors[index];
}

int32_t compile_root(struct compile_context *ctx, int32_t index)
{
	while (ctx->tensors[index].alias >= 0)
		index = ctx->tensors[index].alias;
	return index;
}

bool compile_is_constant(struct compile_context *ctx, int32_t index)
{
	int32_t root = compile_root(ctx, index);
	return ctx->tensors[root].folded || compile_tensor(ctx, root)->data;
}

uint64_t compile_elements(const struct tflite_tensor *tensor)
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

/* NHWC dims of the image, leading 1s for lower ranks. */
static int compile_dims4(struct compile_context *ctx, int32_t index, int32_t dims[4])
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	if (tensor->rank < 0 || tensor->rank > TFLITE_MAX_RANK || compile_elements(tensor) == 0)
		return compile_refuse(ctx,
				      "tensor '%s' (tensor %d): shape %s is empty or too large",
				      tensor->name, index, compile_shape_text(tensor).text);
	for (int32_t i = 0; i < tensor->rank - 4; i++)
		if (tensor->shape[i] != 1)
			return compile_refuse(
			    ctx, "tensor '%s' (tensor %d): shape %s has more than 4 dimensions",
			    tensor->name, index, compile_shape_text(tensor).text);
	for (int32_t i = 0; i < 4; i++) {
		int32_t source = tensor->rank - 4 + i;
		dims[i] = source >= 0 ? tensor->shape[source] : 1;
	}
	return HB_OK;
}

/* Every path sets *dtype: gcc cannot see that a refusal is never HB_OK
 * and would otherwise warn about its callers at -O2. */
static int compile_dtype(struct compile_context *ctx, int32_t index, uint32_t *dtype)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	switch (tensor->type) {
	case TFLITE_TYPE_INT8: *dtype = MODEL_DTYPE_INT8; return HB_OK;
	case TFLITE_TYPE_FLOAT32: *dtype = MODEL_DTYPE_FLOAT32; return HB_OK;
	case TFLITE_TYPE_INT32: *dtype = MODEL_DTYPE_INT32; return HB_OK;
	default:
		*dtype = MODEL_DTYPE_FLOAT32;
		return compile_refuse(ctx, "tensor '%s' (tensor %d): type %s is not supported",
				      tensor->name, index, tflite_type_name(tensor->type));
	}
}

static uint32_t compile_element_size(uint32_t dtype)
{
	return dtype == MODEL_DTYPE_INT8 ? 1 : 4;
}

/* The table record of a tensor as stored: its own dims, its dtype. */
static int compile_record(struct compile_context *ctx, int32_t index, uint32_t dtype,
			  struct model_tensor *record)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	int status;

	memset(record, 0, sizeof *record);
	status = compile_dims4(ctx, index, record->dims);
	if (status != HB_OK)
		return status;
	record->dtype = dtype;
	record->size = (uint32_t)(compile_elements(tensor) * compile_element_size(dtype));
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
	struct plan_buffer *bigger =
	    grow_array(ctx->buffers, &ctx->buffer_capacity, ctx->buffer_count, sizeof *bigger, 32);

	if (!bigger)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
	ctx->buffers = bigger;
	ctx->buffers[ctx->buffer_count] =
	    (struct plan_buffer){.size = size, .first_step = first_step, .last_step = first_step};
	*buffer = (int32_t)ctx->buffer_count++;
	return HB_OK;
}

int compile_offer_in_place(struct compile_context *ctx, int32_t output, int32_t input)
{
	int32_t with = ctx->tensors[compile_root(ctx, input)].buffer;
	int32_t buffer = ctx->tensors[compile_root(ctx, output)].buffer;
	struct plan_share *bigger;

	if (compile_is_constant(ctx, input) || with < 0 || buffer < 0 || with == buffer)
		return HB_OK;
	bigger =
	    grow_array(ctx->shares, &ctx->share_capacity, ctx->share_count, sizeof *bigger, 16);
	if (!bigger)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
	ctx->shares = bigger;
	ctx->shares[ctx->share_count++] =
	    (struct plan_share){.buffer = (uint32_t)buffer, .with = (uint32_t)with};
	return HB_OK;
}

/* The table entry of an activation, made on first use. */
static int compile_arena_entry(struct compile_context *ctx, int32_t index, uint32_t *image_index)
{
	struct compile_tensor *state = &ctx->tensors[index];
	struct model_tensor record;
	uint32_t dtype;
	int status;

	if (state->image_index != MODEL_NO_TENSOR) {
		*image_index = state->image_index;
		return HB_OK;
	}
	status = compile_dtype(ctx, index, &dtype);
	if (status != HB_OK)
		return status;
	if (dtype == MODEL_DTYPE_INT32)
		return compile_refuse(
		    ctx, "tensor '%s' (tensor %d): int32 activations are not supported",
		    compile_tensor(ctx, index)->name, index);
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

/* A new plan buffer for an activation first written at `step`, and its
 * table entry; the shape is checked before its size is used. */
static int compile_new_activation(struct compile_context *ctx, int32_t index, int32_t step,
				  uint32_t *image_index)
{
	uint64_t elements = compile_elements(compile_tensor(ctx, index));
	uint32_t dtype;
	int32_t dims[4];
	int status = compile_dtype(ctx, index, &dtype);

	if (status == HB_OK)
		status = compile_dims4(ctx, index, dims);
	if (status == HB_OK)
		status = compile_add_buffer(ctx, (uint32_t)(elements * compile_element_size(dtype)),
					    step, &ctx->tensors[index].buffer);
	if (status != HB_OK)
		return status;
	return compile_arena_entry(ctx, index, image_index);
}

int compile_written_buffer(struct compile_context *ctx, int32_t index, const char *role,
			   int32_t *buffer)
{
	*buffer = ctx->tensors[compile_root(ctx, index)].buffer;
	if (*buffer >= 0)
		return HB_OK;
	return compile_refuse(ctx, "%s '%s' (tensor %d) is read before any operator writes it",
			      role, compile_tensor(ctx, index)->name, index);
}

bool compile_is_written(struct compile_context *ctx, int32_t index)
{
	const struct compile_tensor *state = &ctx->tensors[index];
	return state->buffer >= 0 || state->alias >= 0 || state->folded;
}

int compile_refuse_second_write(struct compile_context *ctx, int32_t index)
{
	return compile_refuse(ctx, "output '%s' (tensor %d) is written a second time",
			      compile_tensor(ctx, index)->name, index);
}

int compile_read(struct compile_context *ctx, int32_t index, const char *role,
		 uint32_t *image_index)
{
	int32_t buffer;
	int status;

	if (compile_is_constant(ctx, index))
		return compile_constant(ctx, index, role, image_index);
	status = compile_written_buffer(ctx, index, role, &buffer);
	if (status != HB_OK)
		return status;
	if (ctx->buffers[buffer].last_step < (int32_t)ctx->op_index)
		ctx->buffers[buffer].last_step = (int32_t)ctx->op_index;
	return compile_arena_entry(ctx, index, image_index);
}

int compile_write(struct compile_context *ctx, int32_t index, uint32_t *image_index)
{
	if (compile_is_constant(ctx, index))
		return compile_refuse(ctx, "output '%s' (tensor %d) is a constant",
				      compile_tensor(ctx, index)->name, index);
	if (compile_is_written(ctx, index))
		return compile_refuse_second_write(ctx, index);
	return compile_new_activation(ctx, index, (int32_t)ctx->op_index, image_index);
}

static int compile_expect_data_size(struct compile_context *ctx, const char *role, const char *name,
				    int32_t index, size_t found, uint64_t expected)
{
	if (found == expected)
		return HB_OK;
	return compile_refuse(ctx, "%s '%s' (tensor %d): %zu bytes of data, expected %llu", role,
			      name, index, found, (unsigned long long)expected);
}

/* The entry a constant already has in `dtype`, if any. */
static bool compile_known_constant(struct compile_context *ctx, int32_t index, uint32_t dtype,
				   uint32_t *image_index)
{
	const struct compile_tensor *state = &ctx->tensors[index];

	if (state->image_index == MODEL_NO_TENSOR || state->image_dtype != dtype)
		return false;
	*image_index = state->image_index;
	return true;
}

/* A new entry for a constant; the first one made is the one reused. */
static int compile_add_constant(struct compile_context *ctx, int32_t index,
				const struct model_tensor *record, const void *data,
				uint32_t *image_index)
{
	struct compile_tensor *state = &ctx->tensors[index];
	int status = model_layout_add_tensor(&ctx->layout, record, -1, data, image_index);

	if (status != HB_OK)
		return status;
	if (state->image_index == MODEL_NO_TENSOR) {
		state->image_index = *image_index;
		state->image_dtype = record->dtype;
	}
	return HB_OK;
}

/* As stored in the file (or folded here), in its own type. */
int compile_constant(struct compile_context *ctx, int32_t index, const char *role,
		     uint32_t *image_index)
{
	int32_t root = compile_root(ctx, index);
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	const struct tflite_tensor *source = compile_tensor(ctx, root);
	const void *data = ctx->tensors[root].folded;
	size_t data_size = ctx->tensors[root].folded_size;
	struct model_tensor record;
	uint32_t dtype;
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
		status = compile_dtype(ctx, index, &dtype);
		if (status != HB_OK)
			return status;
	}
	if (compile_known_constant(ctx, index, dtype, image_index))
		return HB_OK;
	status = compile_record(ctx, index, dtype, &record);
	if (status == HB_OK)
		status = compile_expect_data_size(ctx, role, tensor->name, index, data_size,
						  record.size);
	if (status != HB_OK)
		return status;
	return compile_add_constant(ctx, index, &record, data, image_index);
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

/* Per-channel int8 needs one scale per index of the quantised dimension;
 * `inner` is the stride between channels. */
static int compile_channel_layout(struct compile_context *ctx, int32_t index, const char *role,
				  int32_t *channels, uint64_t *inner)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	int32_t dim = tensor->quantized_dimension;

	*channels = 1;
	*inner = 1;
	if (tensor->quant_count == 0 || !tensor->scales || !tensor->zero_points)
		return compile_refuse(ctx, "%s '%s' (tensor %d) is int8 without a scale", role,
				      tensor->name, index);
	if (tensor->quant_count == 1)
		return HB_OK;
	if (dim < 0 || dim >= tensor->rank || (uint32_t)tensor->shape[dim] != tensor->quant_count)
		return compile_refuse(ctx,
				      "%s '%s' (tensor %d): %u scales do not match dimension %d",
				      role, tensor->name, index, tensor->quant_count, dim);
	*channels = tensor->shape[dim];
	for (int32_t i = dim + 1; i < tensor->rank; i++)
		*inner *= (uint64_t)tensor->shape[i];
	return HB_OK;
}

int compile_dequantize_data(struct compile_context *ctx, int32_t index, const char *role,
			    float **values, size_t *size)
{
	int32_t root = compile_root(ctx, index);
	const struct tflite_tensor *tensor = compile_tensor(ctx, root);
	uint64_t elements = compile_elements(tensor);
	bool half = tensor->type == TFLITE_TYPE_FLOAT16;
	uint64_t inner = 1;
	int32_t channels = 1;
	float *out;
	int status;

	if (!tensor->data || elements == 0)
		return compile_refuse(ctx, "%s '%s' (tensor %d) is not a constant", role,
				      tensor->name, root);
	if (tensor->type != TFLITE_TYPE_INT8 && !half)
		return compile_refuse(ctx, "%s '%s' (tensor %d): cannot convert %s to float32",
				      role, tensor->name, root, tflite_type_name(tensor->type));
	status = compile_expect_data_size(ctx, role, tensor->name, root, tensor->data_size,
					  elements * (half ? 2 : 1));
	if (status == HB_OK && !half)
		status = compile_channel_layout(ctx, root, role, &channels, &inner);
	if (status != HB_OK)
		return status;
	out = model_layout_alloc(&ctx->layout, (size_t)elements * sizeof *out);
	if (!out)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
	if (half) {
		for (uint64_t i = 0; i < elements; i++)
			out[i] = compile_half_to_float(
			    (uint16_t)(tensor->data[2 * i] | tensor->data[2 * i + 1] << 8));
	} else {
		for (uint64_t i = 0; i < elements; i++) {
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

int compile_float_constant(struct compile_context *ctx, int32_t index, const char *role,
			   uint32_t *image_index)
{
	int32_t root = compile_root(ctx, index);
	struct model_tensor record;
	float *values;
	size_t size;
	int status;

	if (ctx->tensors[root].folded || compile_tensor(ctx, root)->type == TFLITE_TYPE_FLOAT32 ||
	    !compile_is_constant(ctx, index))
		return compile_constant(ctx, index, role, image_index);
	if (compile_known_constant(ctx, index, MODEL_DTYPE_FLOAT32, image_index))
		return HB_OK;
	status = compile_dequantize_data(ctx, index, role, &values, &size);
	if (status == HB_OK)
		status = compile_record(ctx, index, MODEL_DTYPE_FLOAT32, &record);
	if (status == HB_OK)
		status = compile_add_constant(ctx, index, &record, values, image_index);
	if (status == HB_OK)
		ctx->hybrid = true;
	return status;
}

int compile_emit(struct compile_context *ctx, uint32_t kind, const void *params,
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

/* The graph's single input (alive before the first op) and output (to the end). */
static int compile_graph_tensor(struct compile_context *ctx, bool output, uint32_t *image_index)
{
	const struct tflite_model *model = ctx->model;
	int32_t count = output ? model->output_count : model->input_count;
	const char *role = output ? "output" : "input";
	int32_t index;
	int32_t buffer;

	if (count != 1)
		return compile_refuse(ctx, "expected exactly one graph %s, found %d", role, count);
	index = output ? model->outputs[0] : model->inputs[0];
	if (index < 0 || (uint32_t)index >= model->tensor_count)
		return compile_refuse(ctx, "graph %s: tensor index %d out of range", role, index);
	if (compile_is_constant(ctx, index))
		return compile_refuse(ctx, "graph %s '%s' (tensor %d) is a constant", role,
				      compile_tensor(ctx, index)->name, index);
	if (!output)
		return compile_new_activation(ctx, index, -1, image_index);
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

	layer->output_rank = output->rank;
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

/* Plans the arena both ways the firmware can hold the input: dying at its
 * last reader, the firmware then keeping a copy above the arena (4-byte
 * aligned after it) that it restores before each run; or alive through
 * every run, received in place with no copy. Keeps the smaller RAM of the
 * two, arena plus copy; a tie keeps the copy (the smaller arena). The
 * floor reported is the first plan's: the model's, not the choice's. */
/* The in-place candidates these lifetimes allow (the input last read by
 * the op that writes the output), moved to the front of `shares`. */
static size_t compile_valid_shares(const struct plan_buffer *buffers, struct plan_share *shares,
				   size_t count)
{
	size_t valid = 0;

	for (size_t i = 0; i < count; i++)
		if (buffers[shares[i].with].last_step == buffers[shares[i].buffer].first_step)
			shares[valid++] = shares[i];
	return valid;
}

/* One plan of `buffers` (ctx's, or a copy with other lifetimes), in-place
 * candidates included where these lifetimes allow them. */
static int compile_plan_one(struct compile_context *ctx, struct plan_buffer *buffers,
			    struct plan_share *shares, uint32_t *arena, uint32_t *floor_bytes)
{
	uint32_t shared = 0;
	size_t valid;

	if (ctx->share_count)
		memcpy(shares, ctx->shares, ctx->share_count * sizeof *shares);
	valid = compile_valid_shares(buffers, shares, ctx->share_count);
	return plan_arena_shared(buffers, ctx->buffer_count, shares, valid, COMPILE_ARENA_ALIGNMENT,
				 arena, floor_bytes, &shared);
}

/* Which ops write over their input, as planned: two buffers alive at one
 * step share an offset only where a hint was taken. */
static void compile_mark_in_place(struct compile_context *ctx, struct compiled_model *out)
{
	for (size_t i = 0; i < ctx->share_count; i++) {
		const struct plan_buffer *buffer = &ctx->buffers[ctx->shares[i].buffer];
		const struct plan_buffer *with = &ctx->buffers[ctx->shares[i].with];
		int32_t step = buffer->first_step;
		if (with->last_step == step && with->offset == buffer->offset && step >= 0 &&
		    (size_t)step < out->layer_count && !out->layers[step].in_place) {
			out->layers[step].in_place = true;
			out->in_place_ops++;
		}
	}
}

static int compile_plan(struct compile_context *ctx, int32_t input_buffer,
			struct compiled_model *out, uint32_t *flags)
{
	struct plan_buffer *kept = malloc(ctx->buffer_count * sizeof *kept);
	struct plan_share *shares =
	    malloc((ctx->share_count ? ctx->share_count : 1) * sizeof *shares);
	uint32_t kept_arena = 0, kept_floor = 0;
	uint64_t staged_total;
	int status;

	if (!kept || !shares) {
		free(kept);
		free(shares);
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
	}
	memcpy(kept, ctx->buffers, ctx->buffer_count * sizeof *kept);
	kept[input_buffer].last_step = INT32_MAX;
	status =
	    compile_plan_one(ctx, ctx->buffers, shares, &out->arena_size, &out->activation_floor);
	if (status == HB_OK)
		status = compile_plan_one(ctx, kept, shares, &kept_arena, &kept_floor);
	staged_total =
	    (((uint64_t)out->arena_size + 3u) & ~(uint64_t)3u) + ctx->buffers[input_buffer].size;
	out->arena_fresh_input = out->arena_size;
	if (status == HB_OK && kept_arena < staged_total) {
		memcpy(ctx->buffers, kept, ctx->buffer_count * sizeof *kept);
		out->arena_size = kept_arena;
		out->input_in_arena = true;
		*flags |= MODEL_IMAGE_INPUT_IN_ARENA;
	}
	if (status == HB_OK)
		compile_mark_in_place(ctx, out);
	free(kept);
	free(shares);
	return status;
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
	if (status != HB_OK)
		return status;
	/* The model's own lifetimes, the floor's, before the plan may keep the input. */
	for (uint32_t i = 0; i < model->operator_count; i++)
		out->layers[i].live_bytes = compile_live_bytes(ctx, (int32_t)i);
	status = compile_plan(ctx, ctx->tensors[model->inputs[0]].buffer, out, &header.flags);
	if (status != HB_OK)
		return status;
	model_layout_place(&ctx->layout, ctx->buffers);

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
	out->input_rank = compile_tensor(ctx, model->inputs[0])->rank;
	out->output_rank = compile_tensor(ctx, model->outputs[0])->rank;
	return HB_OK;
}

struct compiled_shape_text compiled_shape_text(const int32_t shape[4], int32_t rank)
{
	struct compiled_shape_text result;
	size_t used = 0;

	result.text[used++] = '[';
	for (int32_t i = 0; i < rank && used < sizeof result.text - 16; i++) {
		int32_t padded = 4 - rank + i;
		used += (size_t)snprintf(result.text + used, sizeof result.text - used, "%s%d",
					 i ? ", " : "", padded >= 0 ? shape[padded] : 1);
	}
	snprintf(result.text + used, sizeof result.text - used, "]");
	return result;
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
	free(ctx.shares);
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
