/*
 * The .tflite writer: a FlatBuffer built by hand, written from the
 * published binary format and the TFLite schema (schema.fbs, version 3).
 *
 * FlatBuffers builders usually fill the buffer back to front so that every
 * child exists before the offset to it is written. This one writes front to
 * back instead, parents first: an offset field is left as a hole and
 * patched when its child is written later. Every offset then points
 * forward, as the format's unsigned offsets require, and alignment is
 * simply the absolute position in the file, so constant data can start on
 * a 16-byte boundary (the schema's force_align) without knowing the final
 * size. Each table's vtable is written just before the table.
 */
#include "model/tflite_write.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fileio.h"

#define WRITE_SCHEMA_VERSION 3u
#define WRITE_BUILTIN_CUSTOM 32
#define WRITE_DATA_ALIGNMENT 16u
/* FlatBuffers offsets are 32-bit and vtable distances signed. */
#define WRITE_MAX_BYTES	       ((size_t)INT32_MAX)
#define WRITE_MAX_TABLE_FIELDS 12

/* Vtable slots from schema.fbs; a union takes two (type, then value). */
enum { MODEL_VERSION, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS };
enum { SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS };
enum { TENSOR_SHAPE, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME, TENSOR_QUANTIZATION };
enum { QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DIMENSION = 6 };
enum { OPCODE_DEPRECATED_BUILTIN = 0, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3 };
enum {
	OPERATOR_OPCODE_INDEX,
	OPERATOR_INPUTS,
	OPERATOR_OUTPUTS,
	OPERATOR_OPTIONS_TYPE,
	OPERATOR_OPTIONS
};
enum { BUFFER_DATA };

struct builder {
	uint8_t *bytes;
	size_t size;
	size_t capacity;
	int status; /* the first failure; later calls do nothing */
};

/* A table being assembled: scalars carry their value, references are holes
 * whose positions are known once the table is written. */
struct table_field {
	unsigned slot;
	unsigned width; /* 1, 4 or 8 bytes */
	uint64_t value;
	size_t position; /* absolute, set by table_end */
};

struct table {
	struct table_field fields[WRITE_MAX_TABLE_FIELDS];
	unsigned count;
};

static void store_u16(uint8_t *p, uint16_t value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
}

static void store_u32(uint8_t *p, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static void store_u64(uint8_t *p, uint64_t value)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t float_bits(float value)
{
	uint32_t bits;
	memcpy(&bits, &value, sizeof bits);
	return bits;
}

static size_t align_up(size_t value, size_t alignment)
{
	return (value + alignment - 1) / alignment * alignment;
}

/* Makes the file `size` bytes long (new bytes zero); the position before. */
static size_t builder_extend(struct builder *b, size_t size)
{
	size_t old = b->size;

	if (b->status != HB_OK)
		return 0;
	if (size > WRITE_MAX_BYTES) {
		b->status =
		    hb_error(HB_ERR_INPUT, "model is too large for a FlatBuffer (more than 2 GiB)");
		return 0;
	}
	if (size > b->capacity) {
		size_t capacity = b->capacity ? b->capacity : 4096;
		uint8_t *bigger;
		while (capacity < size)
			capacity *= 2;
		bigger = realloc(b->bytes, capacity);
		if (!bigger) {
			b->status =
			    hb_error(HB_ERR_NOMEM, "out of memory for a %zu-byte model", size);
			return 0;
		}
		b->bytes = bigger;
		b->capacity = capacity;
	}
	if (size > old)
		memset(b->bytes + old, 0, size - old);
	b->size = size;
	return old;
}

/* Fills an offset hole at `field` with the distance to `target`. */
static void builder_patch(struct builder *b, size_t field, size_t target)
{
	if (b->status != HB_OK)
		return;
	if (target <= field || target - field > UINT32_MAX) {
		b->status =
		    hb_error(HB_ERR_INTERNAL,
			     "flatbuffer writer: offset at %zu to %zu does not point forward",
			     field, target);
		return;
	}
	store_u32(b->bytes + field, (uint32_t)(target - field));
}

static void table_scalar(struct table *t, unsigned slot, unsigned width, uint64_t value)
{
	/* The callers below never exceed the capacity; the bound is a guard. */
	if (t->count < WRITE_MAX_TABLE_FIELDS)
		t->fields[t->count++] =
		    (struct table_field){.slot = slot, .width = width, .value = value};
}

/* A reference field; returns its index for table_field_position. */
static unsigned table_reference(struct table *t, unsigned slot)
{
	table_scalar(t, slot, 4, 0);
	return t->count - 1;
}

/* Writes the vtable then the table (soffset, then fields widest first so
 * each sits on its natural alignment); returns the table's position. */
static size_t table_end(struct builder *b, struct table *t)
{
	unsigned slots = 0;
	size_t vtable, start, cursor, end;
	uint16_t vtable_size;

	for (unsigned i = 0; i < t->count; i++)
		if (t->fields[i].slot + 1 > slots)
			slots = t->fields[i].slot + 1;
	vtable_size = (uint16_t)(4 + 2 * slots);
	vtable = align_up(b->size, 2);
	start = align_up(vtable + vtable_size, 4);
	cursor = start + 4;
	for (unsigned width = 8; width >= 1; width /= 2)
		for (unsigned i = 0; i < t->count; i++)
			if (t->fields[i].width == width) {
				cursor = align_up(cursor, width);
				t->fields[i].position = cursor;
				cursor += width;
			}
	end = cursor;
	builder_extend(b, end);
	if (b->status != HB_OK)
		return 0;
	store_u16(b->bytes + vtable, vtable_size);
	store_u16(b->bytes + vtable + 2, (uint16_t)(end - start));
	store_u32(b->bytes + start, (uint32_t)(start - vtable)); /* vtable = table - soffset */
	for (unsigned i = 0; i < t->count; i++) {
		struct table_field *f = &t->fields[i];
		uint8_t *p = b->bytes + f->position;
		store_u16(b->bytes + vtable + 4 + 2 * f->slot, (uint16_t)(f->position - start));
		if (f->width == 1)
			p[0] = (uint8_t)f->value;
		else if (f->width == 4)
			store_u32(p, (uint32_t)f->value);
		else
			store_u64(p, f->value);
	}
	return start;
}

/* Starts a vector: its length, then room for count elements aligned to
 * `alignment`; returns the position of the first element. */
static size_t vector_begin(struct builder *b, uint32_t count, size_t element_size, size_t alignment)
{
	size_t elements, length;

	if (alignment < 4)
		alignment = 4;
	elements = align_up(b->size + 4, alignment);
	length = elements - 4;
	if ((uint64_t)count * element_size > WRITE_MAX_BYTES) {
		builder_extend(b, WRITE_MAX_BYTES + 1);
		return 0;
	}
	builder_extend(b, elements + (size_t)count * element_size);
	if (b->status != HB_OK)
		return 0;
	store_u32(b->bytes + length, count);
	return elements;
}

/* Each vector writer returns the position of its length, what an offset
 * field points to. */
static size_t vector_i32(struct builder *b, const int32_t *values, uint32_t count)
{
	size_t elements = vector_begin(b, count, 4, 4);
	if (b->status != HB_OK)
		return 0;
	for (uint32_t i = 0; i < count; i++)
		store_u32(b->bytes + elements + 4 * (size_t)i, (uint32_t)values[i]);
	return elements - 4;
}

static size_t vector_i64(struct builder *b, const int64_t *values, uint32_t count)
{
	size_t elements = vector_begin(b, count, 8, 8);
	if (b->status != HB_OK)
		return 0;
	for (uint32_t i = 0; i < count; i++)
		store_u64(b->bytes + elements + 8 * (size_t)i, (uint64_t)values[i]);
	return elements - 4;
}

static size_t vector_f32(struct builder *b, const float *values, uint32_t count)
{
	size_t elements = vector_begin(b, count, 4, 4);
	if (b->status != HB_OK)
		return 0;
	for (uint32_t i = 0; i < count; i++)
		store_u32(b->bytes + elements + 4 * (size_t)i, float_bits(values[i]));
	return elements - 4;
}

/* Bytes as they are: tensor data in the file is little-endian already. */
static size_t vector_bytes(struct builder *b, const uint8_t *data, size_t size, size_t alignment)
{
	size_t elements;

	if (size > UINT32_MAX) {
		builder_extend(b, WRITE_MAX_BYTES + 1);
		return 0;
	}
	elements = vector_begin(b, (uint32_t)size, 1, alignment);
	if (b->status != HB_OK)
		return 0;
	if (size > 0)
		memcpy(b->bytes + elements, data, size);
	return elements - 4;
}

/* A string: its length, the bytes, a terminating NUL. */
static size_t string_write(struct builder *b, const char *text)
{
	size_t length = strlen(text);
	size_t elements = vector_begin(b, (uint32_t)length, 1, 4);
	if (b->status != HB_OK)
		return 0;
	memcpy(b->bytes + elements, text, length);
	builder_extend(b, b->size + 1);
	return elements - 4;
}

/* ----- the model ----- */

struct write_state {
	const struct tflite_model *model;
	struct builder builder;
	/* Operator codes: distinct (builtin, version) pairs in order of first use. */
	int32_t *code_builtins;
	int32_t *code_versions;
	uint32_t code_count;
	uint32_t *operator_codes; /* per operator: its entry */
	/* Buffers: the data each holds (NULL = empty) and the tensor it came from. */
	const uint8_t **buffer_data;
	size_t *buffer_sizes;
	int64_t *buffer_owner;
	uint32_t buffer_count;
	uint32_t *tensor_buffers; /* per tensor: the buffer written */
};

__attribute__((format(printf, 2, 3))) static int write_refuse(const struct write_state *state,
							      const char *format, ...)
{
	char reason[512];
	va_list args;

	va_start(args, format);
	vsnprintf(reason, sizeof reason, format, args);
	va_end(args);
	return hb_error(HB_ERR_INPUT, "cannot write '%s': %s", state->model->name, reason);
}

static unsigned write_type_size(int32_t type)
{
	switch (type) {
	case TFLITE_TYPE_FLOAT32: return 4;
	case TFLITE_TYPE_FLOAT16: return 2;
	case TFLITE_TYPE_INT32: return 4;
	case TFLITE_TYPE_UINT8: return 1;
	case TFLITE_TYPE_INT64: return 8;
	case TFLITE_TYPE_INT16: return 2;
	case TFLITE_TYPE_INT8: return 1;
	default: return 0;
	}
}

static int write_check_tensor(const struct write_state *state, uint32_t index)
{
	const struct tflite_tensor *tensor = &state->model->tensors[index];
	unsigned element_size = write_type_size(tensor->type);

	if (tensor->rank < 0 || tensor->rank > TFLITE_MAX_RANK)
		return write_refuse(state,
				    "tensor %" PRIu32 " '%s': rank %" PRId32 " is outside 0..%d",
				    index, tensor->name, tensor->rank, TFLITE_MAX_RANK);
	for (int32_t d = 0; d < tensor->rank; d++)
		if (tensor->shape[d] < 0)
			return write_refuse(state,
					    "tensor %" PRIu32 " '%s': dimension %" PRId32
					    " is %" PRId32 ", expected a fixed size",
					    index, tensor->name, d, tensor->shape[d]);
	if (element_size == 0)
		return write_refuse(
		    state, "tensor %" PRIu32 " '%s': type %s (%" PRId32 ") is not supported", index,
		    tensor->name, tflite_type_name(tensor->type), tensor->type);
	if (tensor->data && tensor->data_size > 0 &&
	    tensor->data_size != tflite_tensor_elements(tensor) * element_size)
		return write_refuse(state,
				    "tensor %" PRIu32 " '%s': %zu bytes of data, expected %" PRIu64
				    " for its shape and type %s",
				    index, tensor->name, tensor->data_size,
				    tflite_tensor_elements(tensor) * element_size,
				    tflite_type_name(tensor->type));
	if (tensor->quant_count == 0)
		return HB_OK;
	if (!tensor->scales || !tensor->zero_points)
		return write_refuse(state,
				    "tensor %" PRIu32 " '%s': %" PRIu32
				    " quantisation parameters without their arrays",
				    index, tensor->name, tensor->quant_count);
	if (tensor->quant_count > 1 &&
	    (tensor->quantized_dimension < 0 || tensor->quantized_dimension >= tensor->rank ||
	     (uint32_t)tensor->shape[tensor->quantized_dimension] != tensor->quant_count))
		return write_refuse(state,
				    "tensor %" PRIu32 " '%s': %" PRIu32
				    " per-channel scales do not match quantized dimension %" PRId32,
				    index, tensor->name, tensor->quant_count,
				    tensor->quantized_dimension);
	for (uint32_t i = 0; i < tensor->quant_count; i++)
		if (!isfinite(tensor->scales[i]))
			return write_refuse(state,
					    "tensor %" PRIu32 " '%s': scale %" PRIu32
					    " is not a finite number",
					    index, tensor->name, i);
	return HB_OK;
}

static int write_check_indices(const struct write_state *state, const char *context,
			       const char *role, const int32_t *indices, int32_t count,
			       int32_t max_count, bool allow_absent)
{
	if (count < 0 || count > max_count)
		return write_refuse(state, "%s: %" PRId32 " %ss, expected 0 to %" PRId32, context,
				    count, role, max_count);
	for (int32_t i = 0; i < count; i++) {
		if (indices[i] == -1 && allow_absent)
			continue;
		if (indices[i] < 0 || (uint32_t)indices[i] >= state->model->tensor_count)
			return write_refuse(state,
					    "%s: %s %" PRId32 " refers to tensor %" PRId32
					    ", the model has %" PRIu32 " tensors",
					    context, role, i, indices[i],
					    state->model->tensor_count);
	}
	return HB_OK;
}

static int write_check_model(const struct write_state *state)
{
	const struct tflite_model *model = state->model;
	int status = HB_OK;

	if (model->tensor_count > 0 && !model->tensors)
		return write_refuse(state, "%" PRIu32 " tensors without a tensor array",
				    model->tensor_count);
	if (model->operator_count > 0 && !model->operators)
		return write_refuse(state, "%" PRIu32 " operators without an operator array",
				    model->operator_count);
	for (uint32_t i = 0; i < model->tensor_count && status == HB_OK; i++)
		status = write_check_tensor(state, i);
	if (status == HB_OK)
		status = write_check_indices(state, "the graph", "input", model->inputs,
					     model->input_count, TFLITE_MAX_GRAPH_IO, false);
	if (status == HB_OK)
		status = write_check_indices(state, "the graph", "output", model->outputs,
					     model->output_count, TFLITE_MAX_GRAPH_IO, false);
	for (uint32_t i = 0; i < model->operator_count && status == HB_OK; i++) {
		const struct tflite_operator *op = &model->operators[i];
		char context[96];
		snprintf(context, sizeof context, "operator %" PRIu32 " (%s)", i,
			 tflite_builtin_name(op->builtin));
		if (op->builtin < 0 || op->builtin == WRITE_BUILTIN_CUSTOM)
			return write_refuse(
			    state,
			    "%s: builtin code %" PRId32
			    " cannot be written (custom operators are not supported)",
			    context, op->builtin);
		status = write_check_indices(state, context, "input", op->inputs, op->input_count,
					     TFLITE_MAX_OP_INPUTS, true);
		if (status == HB_OK)
			status =
			    write_check_indices(state, context, "output", op->outputs,
						op->output_count, TFLITE_MAX_OP_OUTPUTS, false);
		if (status == HB_OK && op->builtin == TFLITE_OP_RESHAPE &&
		    op->options.new_shape_count > TFLITE_MAX_RANK)
			return write_refuse(state,
					    "%s: new shape has %" PRId32 " dimensions, at most %d",
					    context, op->options.new_shape_count, TFLITE_MAX_RANK);
	}
	return status;
}

/* A version below 1 (a struct left zeroed) is written as 1, the schema's default. */
static int32_t write_version(const struct tflite_operator *op)
{
	return op->version < 1 ? 1 : op->version;
}

static int write_plan_codes(struct write_state *state)
{
	const struct tflite_model *model = state->model;
	size_t count = model->operator_count ? model->operator_count : 1;

	state->code_builtins = calloc(count, sizeof *state->code_builtins);
	state->code_versions = calloc(count, sizeof *state->code_versions);
	state->operator_codes = calloc(count, sizeof *state->operator_codes);
	if (!state->code_builtins || !state->code_versions || !state->operator_codes)
		return hb_error(HB_ERR_NOMEM, "cannot write '%s': out of memory", model->name);
	for (uint32_t i = 0; i < model->operator_count; i++) {
		const struct tflite_operator *op = &model->operators[i];
		uint32_t code = 0;
		while (code < state->code_count &&
		       (state->code_builtins[code] != op->builtin ||
			state->code_versions[code] != write_version(op)))
			code++;
		if (code == state->code_count) {
			state->code_builtins[code] = op->builtin;
			state->code_versions[code] = write_version(op);
			state->code_count++;
		}
		state->operator_codes[i] = code;
	}
	return HB_OK;
}

static bool write_has_data(const struct tflite_tensor *tensor)
{
	return tensor->data && tensor->data_size > 0;
}

static int write_plan_buffers(struct write_state *state)
{
	const struct tflite_model *model = state->model;
	uint64_t count = 1;

	for (uint32_t i = 0; i < model->tensor_count; i++) {
		const struct tflite_tensor *tensor = &model->tensors[i];
		if ((uint64_t)tensor->buffer + 1 > count)
			count = (uint64_t)tensor->buffer + 1;
		if (tensor->buffer == 0 && write_has_data(tensor))
			count++;
	}
	if (count > (uint64_t)model->tensor_count + 1 + (1u << 20))
		return write_refuse(state,
				    "buffer indices up to %" PRIu64 " for %" PRIu32
				    " tensors, expected at most one buffer per tensor",
				    count - 1, model->tensor_count);
	state->buffer_data = calloc((size_t)count, sizeof *state->buffer_data);
	state->buffer_sizes = calloc((size_t)count, sizeof *state->buffer_sizes);
	state->buffer_owner = malloc((size_t)count * sizeof *state->buffer_owner);
	state->tensor_buffers =
	    calloc(model->tensor_count ? model->tensor_count : 1, sizeof *state->tensor_buffers);
	if (!state->buffer_data || !state->buffer_sizes || !state->buffer_owner ||
	    !state->tensor_buffers)
		return hb_error(HB_ERR_NOMEM, "cannot write '%s': out of memory", model->name);
	for (uint64_t i = 0; i < count; i++)
		state->buffer_owner[i] = -1;
	state->buffer_count = 1;
	for (uint32_t i = 0; i < model->tensor_count; i++)
		if (model->tensors[i].buffer + 1 > state->buffer_count)
			state->buffer_count = model->tensors[i].buffer + 1;

	for (uint32_t i = 0; i < model->tensor_count; i++) {
		const struct tflite_tensor *tensor = &model->tensors[i];
		uint32_t buffer = tensor->buffer;
		int64_t owner;
		if (buffer == 0 && write_has_data(tensor))
			buffer = state->buffer_count++;
		state->tensor_buffers[i] = buffer;
		owner = state->buffer_owner[buffer];
		if (owner < 0) {
			state->buffer_owner[buffer] = i;
			if (write_has_data(tensor)) {
				state->buffer_data[buffer] = tensor->data;
				state->buffer_sizes[buffer] = tensor->data_size;
			}
			continue;
		}
		/* A second tensor on the same buffer must read the same bytes. */
		if (state->buffer_sizes[buffer] !=
			(write_has_data(tensor) ? tensor->data_size : 0) ||
		    (write_has_data(tensor) &&
		     memcmp(state->buffer_data[buffer], tensor->data, tensor->data_size) != 0))
			return write_refuse(
			    state,
			    "tensors %" PRId64 " '%s' and %" PRIu32 " '%s' share buffer %" PRIu32
			    " but hold different data",
			    owner, model->tensors[owner].name, i, tensor->name, buffer);
	}
	return HB_OK;
}

static void write_operator_codes(struct write_state *state, size_t field)
{
	struct builder *b = &state->builder;
	size_t vector = vector_begin(b, state->code_count, 4, 4);

	builder_patch(b, field, vector - 4);
	for (uint32_t i = 0; i < state->code_count && b->status == HB_OK; i++) {
		struct table code = {.count = 0};
		int32_t builtin = state->code_builtins[i];
		table_scalar(&code, OPCODE_DEPRECATED_BUILTIN, 1,
			     (uint8_t)(builtin < 127 ? builtin : 127));
		table_scalar(&code, OPCODE_VERSION, 4, (uint32_t)state->code_versions[i]);
		table_scalar(&code, OPCODE_BUILTIN, 4, (uint32_t)builtin);
		builder_patch(b, vector + 4 * (size_t)i, table_end(b, &code));
	}
}

static void write_quantization(struct write_state *state, const struct tflite_tensor *tensor,
			       size_t field)
{
	struct builder *b = &state->builder;
	struct table quant = {.count = 0};
	unsigned scale = table_reference(&quant, QUANT_SCALE);
	unsigned zero_point = table_reference(&quant, QUANT_ZERO_POINT);
	size_t position;

	table_scalar(&quant, QUANT_DIMENSION, 4, (uint32_t)tensor->quantized_dimension);
	position = table_end(b, &quant);
	builder_patch(b, field, position);
	builder_patch(b, quant.fields[scale].position,
		      vector_f32(b, tensor->scales, tensor->quant_count));
	builder_patch(b, quant.fields[zero_point].position,
		      vector_i64(b, tensor->zero_points, tensor->quant_count));
}

static void write_tensor(struct write_state *state, uint32_t index, size_t field)
{
	const struct tflite_tensor *tensor = &state->model->tensors[index];
	struct builder *b = &state->builder;
	struct table table = {.count = 0};
	unsigned shape = table_reference(&table, TENSOR_SHAPE);
	unsigned name = table_reference(&table, TENSOR_NAME);
	unsigned quant = 0;

	table_scalar(&table, TENSOR_TYPE, 1, (uint8_t)tensor->type);
	table_scalar(&table, TENSOR_BUFFER, 4, state->tensor_buffers[index]);
	if (tensor->quant_count > 0)
		quant = table_reference(&table, TENSOR_QUANTIZATION);
	builder_patch(b, field, table_end(b, &table));
	builder_patch(b, table.fields[shape].position,
		      vector_i32(b, tensor->shape, (uint32_t)tensor->rank));
	builder_patch(b, table.fields[name].position, string_write(b, tensor->name));
	if (tensor->quant_count > 0)
		write_quantization(state, tensor, table.fields[quant].position);
}

/* The options table of one operator; every field is written, defaults too. */
static size_t write_options(struct builder *b, const struct tflite_operator *op, uint8_t type)
{
	const struct tflite_options *o = &op->options;
	struct table t = {.count = 0};
	unsigned new_shape = 0;
	size_t position;

	switch (type) {
	case TFLITE_OPTIONS_CONV_2D:
		table_scalar(&t, 0, 1, (uint8_t)o->padding);
		table_scalar(&t, 1, 4, (uint32_t)o->stride_width);
		table_scalar(&t, 2, 4, (uint32_t)o->stride_height);
		table_scalar(&t, 3, 1, (uint8_t)o->activation);
		table_scalar(&t, 4, 4, (uint32_t)o->dilation_width);
		table_scalar(&t, 5, 4, (uint32_t)o->dilation_height);
		break;
	case TFLITE_OPTIONS_DEPTHWISE_CONV_2D:
		table_scalar(&t, 0, 1, (uint8_t)o->padding);
		table_scalar(&t, 1, 4, (uint32_t)o->stride_width);
		table_scalar(&t, 2, 4, (uint32_t)o->stride_height);
		table_scalar(&t, 3, 4, (uint32_t)o->depth_multiplier);
		table_scalar(&t, 4, 1, (uint8_t)o->activation);
		table_scalar(&t, 5, 4, (uint32_t)o->dilation_width);
		table_scalar(&t, 6, 4, (uint32_t)o->dilation_height);
		break;
	case TFLITE_OPTIONS_POOL_2D:
		table_scalar(&t, 0, 1, (uint8_t)o->padding);
		table_scalar(&t, 1, 4, (uint32_t)o->stride_width);
		table_scalar(&t, 2, 4, (uint32_t)o->stride_height);
		table_scalar(&t, 3, 4, (uint32_t)o->filter_width);
		table_scalar(&t, 4, 4, (uint32_t)o->filter_height);
		table_scalar(&t, 5, 1, (uint8_t)o->activation);
		break;
	case TFLITE_OPTIONS_FULLY_CONNECTED:
		table_scalar(&t, 0, 1, (uint8_t)o->activation);
		table_scalar(&t, 1, 1, (uint8_t)o->weights_format);
		table_scalar(&t, 2, 1, o->keep_num_dims ? 1 : 0);
		break;
	case TFLITE_OPTIONS_SOFTMAX: table_scalar(&t, 0, 4, float_bits(o->beta)); break;
	case TFLITE_OPTIONS_ADD: table_scalar(&t, 0, 1, (uint8_t)o->activation); break;
	case TFLITE_OPTIONS_RESHAPE: new_shape = table_reference(&t, 0); break;
	default: break;
	}
	position = table_end(b, &t);
	if (type == TFLITE_OPTIONS_RESHAPE)
		builder_patch(b, t.fields[new_shape].position,
			      vector_i32(b, o->new_shape, (uint32_t)o->new_shape_count));
	return position;
}

static void write_operator(struct write_state *state, uint32_t index, size_t field)
{
	const struct tflite_operator *op = &state->model->operators[index];
	struct builder *b = &state->builder;
	struct table table = {.count = 0};
	uint8_t type = tflite_builtin_options_type(op->builtin);
	unsigned inputs = table_reference(&table, OPERATOR_INPUTS);
	unsigned outputs = table_reference(&table, OPERATOR_OUTPUTS);
	unsigned options = 0;

	/* A RESHAPE without new_shape reads its shape tensor: no options, as converters write it.
	 */
	if (type == TFLITE_OPTIONS_RESHAPE && op->options.new_shape_count < 0)
		type = TFLITE_OPTIONS_NONE;
	table_scalar(&table, OPERATOR_OPCODE_INDEX, 4, state->operator_codes[index]);
	if (type != TFLITE_OPTIONS_NONE) {
		table_scalar(&table, OPERATOR_OPTIONS_TYPE, 1, type);
		options = table_reference(&table, OPERATOR_OPTIONS);
	}
	builder_patch(b, field, table_end(b, &table));
	builder_patch(b, table.fields[inputs].position,
		      vector_i32(b, op->inputs, (uint32_t)op->input_count));
	builder_patch(b, table.fields[outputs].position,
		      vector_i32(b, op->outputs, (uint32_t)op->output_count));
	if (type != TFLITE_OPTIONS_NONE)
		builder_patch(b, table.fields[options].position, write_options(b, op, type));
}

static void write_subgraph(struct write_state *state, size_t field)
{
	const struct tflite_model *model = state->model;
	struct builder *b = &state->builder;
	struct table table = {.count = 0};
	unsigned tensors = table_reference(&table, SUBGRAPH_TENSORS);
	unsigned inputs = table_reference(&table, SUBGRAPH_INPUTS);
	unsigned outputs = table_reference(&table, SUBGRAPH_OUTPUTS);
	unsigned operators = table_reference(&table, SUBGRAPH_OPERATORS);
	size_t vector;

	builder_patch(b, field, table_end(b, &table));
	vector = vector_begin(b, model->tensor_count, 4, 4);
	builder_patch(b, table.fields[tensors].position, vector - 4);
	for (uint32_t i = 0; i < model->tensor_count && b->status == HB_OK; i++)
		write_tensor(state, i, vector + 4 * (size_t)i);
	builder_patch(b, table.fields[inputs].position,
		      vector_i32(b, model->inputs, (uint32_t)model->input_count));
	builder_patch(b, table.fields[outputs].position,
		      vector_i32(b, model->outputs, (uint32_t)model->output_count));
	vector = vector_begin(b, model->operator_count, 4, 4);
	builder_patch(b, table.fields[operators].position, vector - 4);
	for (uint32_t i = 0; i < model->operator_count && b->status == HB_OK; i++)
		write_operator(state, i, vector + 4 * (size_t)i);
}

/* Buffer tables first, then their data, so the tables stay together and
 * the bulk sits at the end of the file. */
static void write_buffers(struct write_state *state, size_t field)
{
	struct builder *b = &state->builder;
	size_t vector = vector_begin(b, state->buffer_count, 4, 4);
	size_t *data_fields = calloc(state->buffer_count, sizeof *data_fields);

	if (!data_fields) {
		if (b->status == HB_OK)
			b->status = hb_error(HB_ERR_NOMEM, "cannot write '%s': out of memory",
					     state->model->name);
		return;
	}
	builder_patch(b, field, vector - 4);
	for (uint32_t i = 0; i < state->buffer_count && b->status == HB_OK; i++) {
		struct table table = {.count = 0};
		unsigned data = 0;
		if (state->buffer_data[i])
			data = table_reference(&table, BUFFER_DATA);
		builder_patch(b, vector + 4 * (size_t)i, table_end(b, &table));
		if (state->buffer_data[i])
			data_fields[i] = table.fields[data].position;
	}
	for (uint32_t i = 0; i < state->buffer_count && b->status == HB_OK; i++)
		if (state->buffer_data[i])
			builder_patch(b, data_fields[i],
				      vector_bytes(b, state->buffer_data[i], state->buffer_sizes[i],
						   WRITE_DATA_ALIGNMENT));
	free(data_fields);
}

static void write_model(struct write_state *state)
{
	struct builder *b = &state->builder;
	struct table root = {.count = 0};
	unsigned codes = table_reference(&root, MODEL_OPERATOR_CODES);
	unsigned subgraphs = table_reference(&root, MODEL_SUBGRAPHS);
	unsigned buffers = table_reference(&root, MODEL_BUFFERS);
	unsigned description = 0;
	bool has_description = state->model->description[0] != '\0';
	size_t vector;

	builder_extend(b, 8); /* root offset, then the file identifier */
	if (b->status != HB_OK)
		return;
	memcpy(b->bytes + 4, "TFL3", 4);
	table_scalar(&root, MODEL_VERSION, 4, WRITE_SCHEMA_VERSION);
	if (has_description)
		description = table_reference(&root, MODEL_DESCRIPTION);
	builder_patch(b, 0, table_end(b, &root));
	write_operator_codes(state, root.fields[codes].position);
	vector = vector_begin(b, 1, 4, 4);
	builder_patch(b, root.fields[subgraphs].position, vector - 4);
	write_subgraph(state, vector);
	if (has_description)
		builder_patch(b, root.fields[description].position,
			      string_write(b, state->model->description));
	write_buffers(state, root.fields[buffers].position);
	/* Whole 16-byte blocks keep the data aligned for a reader that maps
	 * the file at an aligned address and appends nothing. */
	builder_extend(b, align_up(b->size, WRITE_DATA_ALIGNMENT));
}

int tflite_write(const struct tflite_model *model, uint8_t **data, size_t *size)
{
	struct write_state state;
	int status;

	*data = NULL;
	*size = 0;
	memset(&state, 0, sizeof state);
	state.model = model;
	status = write_check_model(&state);
	if (status == HB_OK)
		status = write_plan_codes(&state);
	if (status == HB_OK)
		status = write_plan_buffers(&state);
	if (status == HB_OK) {
		write_model(&state);
		status = state.builder.status;
	}
	if (status == HB_OK) {
		*data = state.builder.bytes;
		*size = state.builder.size;
	} else {
		free(state.builder.bytes);
	}
	free(state.code_builtins);
	free(state.code_versions);
	free(state.operator_codes);
	free(state.buffer_data);
	free(state.buffer_sizes);
	free(state.buffer_owner);
	free(state.tensor_buffers);
	return status;
}

int tflite_write_file(const struct tflite_model *model, const char *path)
{
	uint8_t *data;
	size_t size;
	int status = tflite_write(model, &data, &size);

	if (status != HB_OK)
		return status;
	status = file_write_atomic(path, data, size);
	free(data);
	return status;
}
