/*
 * The .tflite reader: FlatBuffers followed by hand, written from the
 * published format and the TFLite schema (schema.fbs, version 3).
 *
 * Every offset comes from an untrusted file, so nothing is followed before
 * it has been checked against the buffer, and fields are read byte by byte
 * because the file gives no alignment guarantee. The schema nests to a
 * fixed depth (Model > SubGraph > Tensor > QuantizationParameters), so the
 * reader walks it with plain loops and never recurses on file content.
 */
#include "model/tflite.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fileio.h"

/* Far beyond any microcontroller model; keeps allocations proportional. */
#define TFLITE_MAX_FILE_BYTES  ((size_t)256 << 20)
#define TFLITE_MAX_TENSORS     (1u << 20)
#define TFLITE_MAX_OPERATORS   (1u << 20)
#define TFLITE_MAX_QUANT_TOTAL (1u << 24)
#define TFLITE_SCHEMA_VERSION  3u
#define TFLITE_BUILTIN_CUSTOM  32

/* Vtable slots from schema.fbs. A union takes two: its type, then its value. */
enum { MODEL_VERSION, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS };
enum { SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS };
enum {
	TENSOR_SHAPE,
	TENSOR_TYPE,
	TENSOR_BUFFER,
	TENSOR_NAME,
	TENSOR_QUANTIZATION,
	TENSOR_IS_VARIABLE,
	TENSOR_SPARSITY,
	TENSOR_SHAPE_SIGNATURE,
	TENSOR_HAS_RANK,
	TENSOR_VARIANT_TENSORS,
	TENSOR_EXTERNAL_BUFFER,
};
enum {
	QUANT_MIN,
	QUANT_MAX,
	QUANT_SCALE,
	QUANT_ZERO_POINT,
	QUANT_DETAILS_TYPE,
	QUANT_DETAILS,
	QUANT_DIMENSION
};
enum { OPCODE_DEPRECATED_BUILTIN, OPCODE_CUSTOM_CODE, OPCODE_VERSION, OPCODE_BUILTIN };
enum {
	OPERATOR_OPCODE_INDEX,
	OPERATOR_INPUTS,
	OPERATOR_OUTPUTS,
	OPERATOR_OPTIONS_TYPE,
	OPERATOR_OPTIONS
};
enum { BUFFER_DATA, BUFFER_OFFSET, BUFFER_SIZE };

struct fb_file {
	const uint8_t *bytes;
	size_t size;
	const char *name;
};

struct fb_table {
	size_t position;
	size_t vtable;
	uint16_t vtable_size;
	uint16_t table_size;
};

struct fb_vector {
	size_t position; /* of the first element */
	uint32_t count;
};

static uint16_t load_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t load_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t load_u64(const uint8_t *p)
{
	return (uint64_t)load_u32(p) | ((uint64_t)load_u32(p + 4) << 32);
}

static float load_f32(const uint8_t *p)
{
	uint32_t bits = load_u32(p);
	float value;
	memcpy(&value, &bits, sizeof value);
	return value;
}

/* Every model error goes through here so each message starts with the file. */
__attribute__((format(printf, 2, 3))) static int fb_fail(const struct fb_file *file,
							 const char *format, ...)
{
	char text[768];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof text, format, args);
	va_end(args);
	return hb_error(HB_ERR_INPUT, "'%s': %s", file->name, text);
}

/* Copies a string from the file for messages: bounded, printable only. */
/* Names only ever go into messages: a name too long for `out` is cut and
 * ends in "...", so nobody takes the cut one for the whole. */
static void copy_printable(char *out, size_t out_size, const uint8_t *in, size_t length)
{
	size_t i;
	if (out_size == 0)
		return;
	for (i = 0; i < length && i + 1 < out_size && in[i] != '\0'; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? (char)in[i] : '?';
	out[i] = '\0';
	if (i < length && in[i] != '\0' && i >= 3)
		memcpy(out + i - 3, "...", 3);
}

static int fb_check_span(const struct fb_file *file, uint64_t position, uint64_t length,
			 const char *kind, const char *what)
{
	if (position > file->size || length > file->size - position)
		return fb_fail(file,
			       "truncated: %s %s at offset %" PRIu64
			       " runs past the end (file is %zu bytes)",
			       kind, what, position, file->size);
	return HB_OK;
}

static int fb_table_at(const struct fb_file *file, uint64_t position, const char *what,
		       struct fb_table *table)
{
	int64_t vtable;
	int32_t distance;
	int status = fb_check_span(file, position, 4, "table", what);
	if (status != HB_OK)
		return status;
	distance = (int32_t)load_u32(file->bytes + position);
	vtable = (int64_t)position - distance;
	if (vtable < 0 || (uint64_t)vtable > file->size)
		return fb_fail(file,
			       "malformed: table %s at offset %" PRIu64 " has its vtable at offset "
			       "%" PRId64 ", outside the file (%zu bytes)",
			       what, position, vtable, file->size);
	status = fb_check_span(file, (uint64_t)vtable, 4, "vtable of", what);
	if (status != HB_OK)
		return status;
	table->position = (size_t)position;
	table->vtable = (size_t)vtable;
	table->vtable_size = load_u16(file->bytes + vtable);
	table->table_size = load_u16(file->bytes + vtable + 2);
	if (table->vtable_size < 4 || table->vtable_size % 2 != 0)
		return fb_fail(file,
			       "malformed: vtable of %s at offset %" PRId64
			       " has size %u, expected an even size of at least 4",
			       what, vtable, table->vtable_size);
	if (table->table_size < 4)
		return fb_fail(file,
			       "malformed: table %s at offset %" PRIu64
			       " has size %u, expected at least 4",
			       what, position, table->table_size);
	status = fb_check_span(file, (uint64_t)vtable, table->vtable_size, "vtable of", what);
	if (status != HB_OK)
		return status;
	return fb_check_span(file, position, table->table_size, "table", what);
}

/* Finds a field: 1 and its position when present, 0 when absent. */
static int fb_field(const struct fb_file *file, const struct fb_table *table, unsigned slot,
		    unsigned width, const char *what, size_t *position)
{
	unsigned entry = 4 + 2 * slot;
	uint16_t offset;
	if (entry + 2 > table->vtable_size)
		return 0;
	offset = load_u16(file->bytes + table->vtable + entry);
	if (offset == 0)
		return 0;
	if ((unsigned)offset + width > table->table_size)
		return fb_fail(file,
			       "malformed: field %u of table %s at offset %zu runs past the table "
			       "(%u bytes)",
			       slot, what, table->position, table->table_size);
	*position = table->position + offset;
	return 1;
}

static int fb_u8(const struct fb_file *file, const struct fb_table *table, unsigned slot,
		 const char *what, uint8_t fallback, uint8_t *value)
{
	size_t position = 0;
	int found = fb_field(file, table, slot, 1, what, &position);
	if (found < 0)
		return found;
	*value = found ? file->bytes[position] : fallback;
	return HB_OK;
}

static int fb_u32(const struct fb_file *file, const struct fb_table *table, unsigned slot,
		  const char *what, uint32_t fallback, uint32_t *value)
{
	size_t position = 0;
	int found = fb_field(file, table, slot, 4, what, &position);
	if (found < 0)
		return found;
	*value = found ? load_u32(file->bytes + position) : fallback;
	return HB_OK;
}

static int fb_i32(const struct fb_file *file, const struct fb_table *table, unsigned slot,
		  const char *what, int32_t fallback, int32_t *value)
{
	uint32_t raw;
	int status = fb_u32(file, table, slot, what, (uint32_t)fallback, &raw);
	if (status == HB_OK)
		*value = (int32_t)raw;
	return status;
}

static int fb_u64(const struct fb_file *file, const struct fb_table *table, unsigned slot,
		  const char *what, uint64_t *value)
{
	size_t position = 0;
	int found = fb_field(file, table, slot, 8, what, &position);
	if (found < 0)
		return found;
	*value = found ? load_u64(file->bytes + position) : 0;
	return HB_OK;
}

/* Follows an offset field: 1 and the target when present, 0 when absent. */
static int fb_follow(const struct fb_file *file, const struct fb_table *table, unsigned slot,
		     const char *what, uint64_t *target)
{
	size_t position = 0;
	int found = fb_field(file, table, slot, 4, what, &position);
	if (found <= 0)
		return found;
	*target = (uint64_t)position + load_u32(file->bytes + position);
	return 1;
}

static int fb_table_field(const struct fb_file *file, const struct fb_table *table, unsigned slot,
			  const char *what, struct fb_table *child)
{
	uint64_t target;
	int found = fb_follow(file, table, slot, what, &target);
	int status;
	if (found <= 0)
		return found;
	status = fb_table_at(file, target, what, child);
	return status == HB_OK ? 1 : status;
}

/* An absent vector reads as an empty one. */
static int fb_vector_field(const struct fb_file *file, const struct fb_table *table, unsigned slot,
			   unsigned element_size, const char *what, struct fb_vector *vector)
{
	uint64_t target;
	int found = fb_follow(file, table, slot, what, &target);
	int status;
	vector->position = 0;
	vector->count = 0;
	if (found <= 0)
		return found;
	status = fb_check_span(file, target, 4, "vector", what);
	if (status != HB_OK)
		return status;
	vector->count = load_u32(file->bytes + target);
	vector->position = (size_t)target + 4;
	/* count < 2^32 and element_size <= 8: the product cannot overflow. */
	if ((uint64_t)vector->count * element_size > file->size - vector->position)
		return fb_fail(file,
			       "truncated: vector %s at offset %" PRIu64 " has %" PRIu32
			       " elements of %u bytes, runs past the end (file is %zu bytes)",
			       what, target, vector->count, element_size, file->size);
	return 1;
}

static int fb_vector_table(const struct fb_file *file, const struct fb_vector *vector,
			   uint32_t index, const char *what, struct fb_table *table)
{
	size_t position = vector->position + (size_t)index * 4;
	return fb_table_at(file, (uint64_t)position + load_u32(file->bytes + position), what,
			   table);
}

static int32_t fb_vector_i32(const struct fb_file *file, const struct fb_vector *vector,
			     uint32_t index)
{
	return (int32_t)load_u32(file->bytes + vector->position + (size_t)index * 4);
}

static int fb_string_field(const struct fb_file *file, const struct fb_table *table, unsigned slot,
			   const char *what, char *out, size_t out_size)
{
	struct fb_vector text;
	int found = fb_vector_field(file, table, slot, 1, what, &text);
	if (found < 0)
		return found;
	copy_printable(out, out_size, file->bytes + text.position, text.count);
	return HB_OK;
}

/* clang-format off */
static const char *const builtin_names[] = {
	"ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
	"DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
	"L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC",
	"LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE",
	"RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS",
	"SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
	"UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND",
	"TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
	"STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX",
	"DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM",
	"LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN",
	"TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG",
	"SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD",
	"REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK",
	"REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
	"RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
	"SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK",
	"ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
	"HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5",
	"SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
	"PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO", "RFFT2D",
	"CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT",
	"HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE",
	"ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE",
	"RANDOM_UNIFORM", "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1",
	"UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2",
	"UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT",
	"STABLEHLO_LOGISTIC", "STABLEHLO_ADD", "STABLEHLO_DIVIDE", "STABLEHLO_MULTIPLY",
	"STABLEHLO_MAXIMUM", "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP", "STABLEHLO_CONCATENATE",
	"STABLEHLO_BROADCAST_IN_DIM", "STABLEHLO_CONVOLUTION", "STABLEHLO_SLICE",
	"STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE", "STABLEHLO_ABS", "STABLEHLO_AND",
	"STABLEHLO_COSINE", "STABLEHLO_EXPONENTIAL", "STABLEHLO_FLOOR", "STABLEHLO_LOG",
	"STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR", "STABLEHLO_POWER",
	"STABLEHLO_REMAINDER", "STABLEHLO_RSQRT", "STABLEHLO_SELECT", "STABLEHLO_SUBTRACT",
	"STABLEHLO_TANH", "STABLEHLO_SCATTER", "STABLEHLO_COMPARE", "STABLEHLO_CONVERT",
	"STABLEHLO_DYNAMIC_SLICE", "STABLEHLO_DYNAMIC_UPDATE_SLICE", "STABLEHLO_PAD",
	"STABLEHLO_IOTA", "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW", "STABLEHLO_SORT",
	"STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE", "DILATE",
	"STABLEHLO_RNG_BIT_GENERATOR", "REDUCE_WINDOW", "STABLEHLO_COMPOSITE",
	"STABLEHLO_SHIFT_LEFT", "STABLEHLO_CBRT", "STABLEHLO_CASE",
};
/* clang-format on */

const char *tflite_builtin_name(int32_t builtin)
{
	if (builtin < 0 || (size_t)builtin >= sizeof builtin_names / sizeof builtin_names[0])
		return "unknown operator";
	return builtin_names[builtin];
}

/* clang-format off */
static const char *const type_names[] = {
	"FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64",
	"INT8", "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16",
	"INT4", "BFLOAT16", "INT2", "UINT4", "FLOAT8_E4M3FN", "FLOAT8_E5M2",
};
/* clang-format on */

const char *tflite_type_name(int32_t type)
{
	if (type < 0 || (size_t)type >= sizeof type_names / sizeof type_names[0])
		return "unknown type";
	return type_names[type];
}

/* Bytes per element of the types we accept; 0 for the rest. */
static unsigned type_size(int32_t type)
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

uint64_t tflite_tensor_elements(const struct tflite_tensor *tensor)
{
	uint64_t elements = 1;
	int32_t i;
	for (i = 0; i < tensor->rank && i < TFLITE_MAX_RANK; i++) {
		if (tensor->shape[i] < 0)
			return 0;
		if (tensor->shape[i] != 0 && elements > UINT64_MAX / (uint64_t)tensor->shape[i])
			return UINT64_MAX;
		elements *= (uint64_t)tensor->shape[i];
	}
	return elements;
}

struct parse_state {
	struct fb_file file;
	struct tflite_model *model;
	struct fb_vector operator_codes;
	struct fb_vector buffers;
	uint64_t quant_total;
};

static int parse_tensor_data(struct parse_state *state, uint32_t index,
			     struct tflite_tensor *tensor)
{
	const struct fb_file *file = &state->file;
	struct fb_table buffer;
	struct fb_vector data;
	uint64_t offset, size, expected;
	int status;

	if (state->buffers.count == 0 && tensor->buffer == 0)
		return HB_OK; /* buffer 0 is the empty sentinel, even when left out */
	if (tensor->buffer >= state->buffers.count)
		return fb_fail(file,
			       "tensor %" PRIu32 " '%s': refers to buffer %" PRIu32
			       ", the model has %" PRIu32 " buffers",
			       index, tensor->name, tensor->buffer, state->buffers.count);
	status = fb_vector_table(file, &state->buffers, tensor->buffer, "Buffer", &buffer);
	if (status != HB_OK)
		return status;
	status = fb_u64(file, &buffer, BUFFER_OFFSET, "Buffer", &offset);
	if (status == HB_OK)
		status = fb_u64(file, &buffer, BUFFER_SIZE, "Buffer", &size);
	if (status != HB_OK)
		return status;
	if (offset > 1) {
		/* Models past 2 GB keep data outside the FlatBuffer, at a file offset. */
		if (size > file->size || offset > file->size - size)
			return fb_fail(file,
				       "truncated: data of buffer %" PRIu32 " at offset %" PRIu64
				       " (%" PRIu64 " bytes) runs past the end (file is %zu bytes)",
				       tensor->buffer, offset, size, file->size);
		tensor->data = file->bytes + offset;
		tensor->data_size = (size_t)size;
	} else {
		status = fb_vector_field(file, &buffer, BUFFER_DATA, 1, "Buffer.data", &data);
		if (status < 0)
			return status;
		tensor->data = file->bytes + data.position;
		tensor->data_size = data.count;
	}
	if (tensor->data_size == 0) {
		tensor->data = NULL;
		return HB_OK;
	}
	expected = tflite_tensor_elements(tensor) * type_size(tensor->type);
	if (tensor->data_size != expected)
		return fb_fail(file,
			       "tensor %" PRIu32
			       " '%s': constant data is %zu bytes, expected %" PRIu64
			       " for its shape and type %s",
			       index, tensor->name, tensor->data_size, expected,
			       tflite_type_name(tensor->type));
	return HB_OK;
}

static int parse_quantization(struct parse_state *state, const struct fb_table *table,
			      uint32_t index, struct tflite_tensor *tensor)
{
	const struct fb_file *file = &state->file;
	struct fb_table quant;
	struct fb_vector scales, zero_points;
	uint32_t i;
	int status =
	    fb_table_field(file, table, TENSOR_QUANTIZATION, "QuantizationParameters", &quant);
	if (status <= 0)
		return status;
	/* min/max are only for importing back into TensorFlow; details are ignored. */
	status =
	    fb_vector_field(file, &quant, QUANT_SCALE, 4, "QuantizationParameters.scale", &scales);
	if (status >= 0)
		status = fb_vector_field(file, &quant, QUANT_ZERO_POINT, 8,
					 "QuantizationParameters.zero_point", &zero_points);
	if (status >= 0)
		status = fb_i32(file, &quant, QUANT_DIMENSION, "QuantizationParameters", 0,
				&tensor->quantized_dimension);
	if (status < 0)
		return status;
	if (scales.count == 0)
		return HB_OK;
	if (zero_points.count != scales.count)
		return fb_fail(file,
			       "tensor %" PRIu32 " '%s': quantization has %" PRIu32
			       " scales and %" PRIu32 " zero points, expected as many of each",
			       index, tensor->name, scales.count, zero_points.count);
	if (scales.count > 1 &&
	    (tensor->quantized_dimension < 0 || tensor->quantized_dimension >= tensor->rank ||
	     (uint32_t)tensor->shape[tensor->quantized_dimension] != scales.count))
		return fb_fail(file,
			       "tensor %" PRIu32 " '%s': %" PRIu32
			       " per-channel scales do not match quantized dimension %" PRId32
			       " of a rank %" PRId32 " shape",
			       index, tensor->name, scales.count, tensor->quantized_dimension,
			       tensor->rank);
	state->quant_total += scales.count;
	if (state->quant_total > TFLITE_MAX_QUANT_TOTAL)
		return fb_fail(file, "the model has more than %u quantisation parameters",
			       TFLITE_MAX_QUANT_TOTAL);
	tensor->scales = malloc(scales.count * sizeof *tensor->scales);
	tensor->zero_points = malloc(scales.count * sizeof *tensor->zero_points);
	if (!tensor->scales || !tensor->zero_points)
		return hb_error(HB_ERR_NOMEM, "'%s': out of memory for quantisation parameters",
				file->name);
	tensor->quant_count = scales.count;
	for (i = 0; i < scales.count; i++) {
		tensor->scales[i] = load_f32(file->bytes + scales.position + (size_t)i * 4);
		tensor->zero_points[i] =
		    (int64_t)load_u64(file->bytes + zero_points.position + (size_t)i * 8);
		if (!isfinite(tensor->scales[i]))
			return fb_fail(file,
				       "tensor %" PRIu32 " '%s': quantization scale %" PRIu32
				       " is not a finite number",
				       index, tensor->name, i);
	}
	return HB_OK;
}

static int parse_tensor(struct parse_state *state, const struct fb_table *table, uint32_t index,
			struct tflite_tensor *tensor)
{
	const struct fb_file *file = &state->file;
	struct fb_vector shape;
	struct fb_table sparsity;
	uint32_t external_buffer, i;
	uint8_t type;
	int status;

	status = fb_string_field(file, table, TENSOR_NAME, "Tensor.name", tensor->name,
				 sizeof tensor->name);
	if (status != HB_OK)
		return status;
	status = fb_vector_field(file, table, TENSOR_SHAPE, 4, "Tensor.shape", &shape);
	if (status < 0)
		return status;
	if (shape.count > TFLITE_MAX_RANK)
		return fb_fail(
		    file, "tensor %" PRIu32 " '%s': rank %" PRIu32 " is more than the %d supported",
		    index, tensor->name, shape.count, TFLITE_MAX_RANK);
	tensor->rank = (int32_t)shape.count;
	for (i = 0; i < shape.count; i++) {
		tensor->shape[i] = fb_vector_i32(file, &shape, i);
		if (tensor->shape[i] < 0)
			return fb_fail(file,
				       "tensor %" PRIu32 " '%s': dimension %" PRIu32 " is %" PRId32
				       ", expected a fixed size",
				       index, tensor->name, i, tensor->shape[i]);
	}
	status = fb_u8(file, table, TENSOR_TYPE, "Tensor", 0, &type);
	if (status != HB_OK)
		return status;
	tensor->type = (int8_t)type;
	if (type_size(tensor->type) == 0 && tensor->type >= 0 &&
	    (size_t)tensor->type < sizeof type_names / sizeof type_names[0])
		return fb_fail(file,
			       "tensor %" PRIu32 " '%s': type %s (%" PRId32 ") is not supported",
			       index, tensor->name, tflite_type_name(tensor->type), tensor->type);
	if (type_size(tensor->type) == 0)
		return fb_fail(file, "tensor %" PRIu32 " '%s': unknown type %" PRId32, index,
			       tensor->name, tensor->type);
	if (tflite_tensor_elements(tensor) > (uint64_t)INT32_MAX / type_size(tensor->type))
		return fb_fail(file, "tensor %" PRIu32 " '%s': is larger than 2 GiB", index,
			       tensor->name);
	status = fb_table_field(file, table, TENSOR_SPARSITY, "SparsityParameters", &sparsity);
	if (status < 0)
		return status;
	if (status > 0)
		return fb_fail(file, "tensor %" PRIu32 " '%s': sparse tensors are not supported",
			       index, tensor->name);
	status = fb_u32(file, table, TENSOR_EXTERNAL_BUFFER, "Tensor", 0, &external_buffer);
	if (status != HB_OK)
		return status;
	if (external_buffer != 0)
		return fb_fail(file,
			       "tensor %" PRIu32 " '%s': data in an external file is not supported",
			       index, tensor->name);
	status = fb_u32(file, table, TENSOR_BUFFER, "Tensor", 0, &tensor->buffer);
	if (status == HB_OK)
		status = parse_tensor_data(state, index, tensor);
	if (status == HB_OK)
		status = parse_quantization(state, table, index, tensor);
	return status < 0 ? status : HB_OK;
}

/* Reads a vector of tensor indices; -1 (an optional input left out) only when allowed. */
static int parse_indices(struct parse_state *state, const struct fb_table *table, unsigned slot,
			 const char *what, const char *context, const char *role, int32_t max_count,
			 bool allow_absent, int32_t *indices, int32_t *count)
{
	const struct fb_file *file = &state->file;
	struct fb_vector vector;
	uint32_t i;
	int status = fb_vector_field(file, table, slot, 4, what, &vector);
	if (status < 0)
		return status;
	if (vector.count > (uint32_t)max_count)
		return fb_fail(file, "%s: has %" PRIu32 " %ss, at most %" PRId32 " are supported",
			       context, vector.count, role, max_count);
	for (i = 0; i < vector.count; i++) {
		int32_t tensor = fb_vector_i32(file, &vector, i);
		if (tensor == -1 && allow_absent) {
			indices[i] = tensor;
			continue;
		}
		if (tensor < 0 || (uint32_t)tensor >= state->model->tensor_count)
			return fb_fail(file,
				       "%s: %s %" PRIu32 " refers to tensor %" PRId32
				       ", the model has %" PRIu32 " tensors",
				       context, role, i, tensor, state->model->tensor_count);
		indices[i] = tensor;
	}
	*count = (int32_t)vector.count;
	return HB_OK;
}

static void options_defaults(struct tflite_options *options)
{
	memset(options, 0, sizeof *options);
	options->dilation_width = 1;
	options->dilation_height = 1;
	options->new_shape_count = -1;
}

enum tflite_options_type tflite_builtin_options_type(int32_t builtin)
{
	switch (builtin) {
	case TFLITE_OP_CONV_2D: return TFLITE_OPTIONS_CONV_2D;
	case TFLITE_OP_DEPTHWISE_CONV_2D: return TFLITE_OPTIONS_DEPTHWISE_CONV_2D;
	case TFLITE_OP_AVERAGE_POOL_2D:
	case TFLITE_OP_MAX_POOL_2D: return TFLITE_OPTIONS_POOL_2D;
	case TFLITE_OP_FULLY_CONNECTED: return TFLITE_OPTIONS_FULLY_CONNECTED;
	case TFLITE_OP_SOFTMAX: return TFLITE_OPTIONS_SOFTMAX;
	case TFLITE_OP_ADD: return TFLITE_OPTIONS_ADD;
	case TFLITE_OP_RESHAPE: return TFLITE_OPTIONS_RESHAPE;
	default: return TFLITE_OPTIONS_NONE;
	}
}

/* Reads one field per entry: slot, destination, width (1 = byte, 4 = int). */
struct option_field {
	unsigned slot;
	int32_t *value;
	unsigned width;
};

static int read_option_fields(const struct fb_file *file, const struct fb_table *table,
			      const char *what, const struct option_field *fields, size_t count)
{
	size_t i;
	for (i = 0; i < count; i++) {
		int status;
		if (fields[i].width == 1) {
			uint8_t byte = 0;
			status = fb_u8(file, table, fields[i].slot, what, (uint8_t)*fields[i].value,
				       &byte);
			*fields[i].value = (int8_t)byte;
		} else {
			status = fb_i32(file, table, fields[i].slot, what, *fields[i].value,
					fields[i].value);
		}
		if (status != HB_OK)
			return status;
	}
	return HB_OK;
}

static int parse_options(struct parse_state *state, const struct fb_table *op_table,
			 const char *context, struct tflite_operator *op)
{
	const struct fb_file *file = &state->file;
	struct tflite_options *o = &op->options;
	struct fb_table table;
	uint8_t type, expected;
	int status;

	options_defaults(o);
	status = fb_u8(file, op_table, OPERATOR_OPTIONS_TYPE, "Operator", 0, &type);
	if (status != HB_OK)
		return status;
	expected = tflite_builtin_options_type(op->builtin);
	if (type == TFLITE_OPTIONS_NONE || expected == TFLITE_OPTIONS_NONE)
		return HB_OK;
	if (type != expected)
		return fb_fail(file, "%s: builtin options of type %u, expected type %u", context,
			       type, expected);
	status = fb_table_field(file, op_table, OPERATOR_OPTIONS, "BuiltinOptions", &table);
	if (status <= 0)
		return status;

	switch (type) {
	case TFLITE_OPTIONS_CONV_2D: {
		const struct option_field fields[] = {
		    {0, &o->padding, 1},    {1, &o->stride_width, 4},	{2, &o->stride_height, 4},
		    {3, &o->activation, 1}, {4, &o->dilation_width, 4}, {5, &o->dilation_height, 4},
		};
		return read_option_fields(file, &table, "Conv2DOptions", fields,
					  sizeof fields / sizeof fields[0]);
	}
	case TFLITE_OPTIONS_DEPTHWISE_CONV_2D: {
		const struct option_field fields[] = {
		    {0, &o->padding, 1},	 {1, &o->stride_width, 4},
		    {2, &o->stride_height, 4},	 {3, &o->depth_multiplier, 4},
		    {4, &o->activation, 1},	 {5, &o->dilation_width, 4},
		    {6, &o->dilation_height, 4},
		};
		return read_option_fields(file, &table, "DepthwiseConv2DOptions", fields,
					  sizeof fields / sizeof fields[0]);
	}
	case TFLITE_OPTIONS_POOL_2D: {
		const struct option_field fields[] = {
		    {0, &o->padding, 1},      {1, &o->stride_width, 4},	 {2, &o->stride_height, 4},
		    {3, &o->filter_width, 4}, {4, &o->filter_height, 4}, {5, &o->activation, 1},
		};
		return read_option_fields(file, &table, "Pool2DOptions", fields,
					  sizeof fields / sizeof fields[0]);
	}
	case TFLITE_OPTIONS_FULLY_CONNECTED: {
		int32_t keep_num_dims = 0;
		const struct option_field fields[] = {
		    {0, &o->activation, 1},
		    {1, &o->weights_format, 1},
		    {2, &keep_num_dims, 1},
		};
		status = read_option_fields(file, &table, "FullyConnectedOptions", fields,
					    sizeof fields / sizeof fields[0]);
		o->keep_num_dims = keep_num_dims != 0;
		return status;
	}
	case TFLITE_OPTIONS_SOFTMAX: {
		uint32_t bits;
		status = fb_u32(file, &table, 0, "SoftmaxOptions", 0, &bits);
		memcpy(&o->beta, &bits, sizeof o->beta);
		return status;
	}
	case TFLITE_OPTIONS_ADD: {
		const struct option_field fields[] = {{0, &o->activation, 1}};
		return read_option_fields(file, &table, "AddOptions", fields, 1);
	}
	case TFLITE_OPTIONS_RESHAPE: {
		struct fb_vector shape;
		uint32_t i;
		status = fb_vector_field(file, &table, 0, 4, "ReshapeOptions.new_shape", &shape);
		if (status <= 0)
			return status;
		if (shape.count > TFLITE_MAX_RANK)
			return fb_fail(file,
				       "%s: new shape has %" PRIu32
				       " dimensions, at most %d are supported",
				       context, shape.count, TFLITE_MAX_RANK);
		for (i = 0; i < shape.count; i++)
			o->new_shape[i] = fb_vector_i32(file, &shape, i);
		o->new_shape_count = (int32_t)shape.count;
		return HB_OK;
	}
	default: return HB_OK;
	}
}

/* Resolves an operator code; the larger of the two fields is the real one. */
static int resolve_opcode(struct parse_state *state, uint32_t op_index, struct tflite_operator *op)
{
	const struct fb_file *file = &state->file;
	struct fb_table code;
	uint8_t deprecated;
	int32_t extended;
	int status;

	if (op->opcode_index >= state->operator_codes.count)
		return fb_fail(file,
			       "operator %" PRIu32 ": opcode index %" PRIu32
			       " is out of range, the model has %" PRIu32 " operator codes",
			       op_index, op->opcode_index, state->operator_codes.count);
	status =
	    fb_vector_table(file, &state->operator_codes, op->opcode_index, "OperatorCode", &code);
	if (status == HB_OK)
		status =
		    fb_u8(file, &code, OPCODE_DEPRECATED_BUILTIN, "OperatorCode", 0, &deprecated);
	if (status == HB_OK)
		status = fb_i32(file, &code, OPCODE_BUILTIN, "OperatorCode", 0, &extended);
	if (status == HB_OK)
		status = fb_i32(file, &code, OPCODE_VERSION, "OperatorCode", 1, &op->version);
	if (status != HB_OK)
		return status;
	op->builtin = (int8_t)deprecated > extended ? (int8_t)deprecated : extended;
	if (op->builtin < 0)
		return fb_fail(file,
			       "operator %" PRIu32 ": operator code %" PRIu32
			       " has builtin code %" PRId32 ", expected a non-negative value",
			       op_index, op->opcode_index, op->builtin);
	if (op->builtin == TFLITE_BUILTIN_CUSTOM) {
		char custom[64];
		status = fb_string_field(file, &code, OPCODE_CUSTOM_CODE,
					 "OperatorCode.custom_code", custom, sizeof custom);
		if (status != HB_OK)
			return status;
		return fb_fail(
		    file, "operator %" PRIu32 " uses custom operator '%s', which is not supported",
		    op_index, custom);
	}
	return HB_OK;
}

static int parse_operator(struct parse_state *state, const struct fb_table *table, uint32_t index,
			  struct tflite_operator *op)
{
	const struct fb_file *file = &state->file;
	char context[96];
	int status = fb_u32(file, table, OPERATOR_OPCODE_INDEX, "Operator", 0, &op->opcode_index);
	if (status == HB_OK)
		status = resolve_opcode(state, index, op);
	if (status != HB_OK)
		return status;
	snprintf(context, sizeof context, "operator %" PRIu32 " (%s)", index,
		 tflite_builtin_name(op->builtin));
	status = parse_indices(state, table, OPERATOR_INPUTS, "Operator.inputs", context, "input",
			       TFLITE_MAX_OP_INPUTS, true, op->inputs, &op->input_count);
	if (status == HB_OK)
		status = parse_indices(state, table, OPERATOR_OUTPUTS, "Operator.outputs", context,
				       "output", TFLITE_MAX_OP_OUTPUTS, false, op->outputs,
				       &op->output_count);
	if (status == HB_OK)
		status = parse_options(state, table, context, op);
	return status < 0 ? status : HB_OK;
}

static int parse_subgraph(struct parse_state *state, const struct fb_table *subgraph)
{
	const struct fb_file *file = &state->file;
	struct tflite_model *model = state->model;
	struct fb_vector tensors, operators;
	uint32_t i;
	int status;

	status = fb_vector_field(file, subgraph, SUBGRAPH_TENSORS, 4, "SubGraph.tensors", &tensors);
	if (status >= 0)
		status = fb_vector_field(file, subgraph, SUBGRAPH_OPERATORS, 4,
					 "SubGraph.operators", &operators);
	if (status < 0)
		return status;
	if (tensors.count > TFLITE_MAX_TENSORS)
		return fb_fail(file, "the model has %" PRIu32 " tensors, at most %u are supported",
			       tensors.count, TFLITE_MAX_TENSORS);
	if (operators.count > TFLITE_MAX_OPERATORS)
		return fb_fail(file,
			       "the model has %" PRIu32 " operators, at most %u are supported",
			       operators.count, TFLITE_MAX_OPERATORS);
	if (tensors.count > 0) {
		model->tensors = calloc(tensors.count, sizeof *model->tensors);
		if (!model->tensors)
			return hb_error(HB_ERR_NOMEM, "'%s': out of memory for %" PRIu32 " tensors",
					file->name, tensors.count);
	}
	model->tensor_count = tensors.count;
	for (i = 0; i < tensors.count; i++) {
		struct fb_table table;
		status = fb_vector_table(file, &tensors, i, "Tensor", &table);
		if (status == HB_OK)
			status = parse_tensor(state, &table, i, &model->tensors[i]);
		if (status != HB_OK)
			return status;
	}
	status =
	    parse_indices(state, subgraph, SUBGRAPH_INPUTS, "SubGraph.inputs", "the graph", "input",
			  TFLITE_MAX_GRAPH_IO, false, model->inputs, &model->input_count);
	if (status == HB_OK)
		status = parse_indices(state, subgraph, SUBGRAPH_OUTPUTS, "SubGraph.outputs",
				       "the graph", "output", TFLITE_MAX_GRAPH_IO, false,
				       model->outputs, &model->output_count);
	if (status != HB_OK)
		return status;
	if (operators.count > 0) {
		model->operators = calloc(operators.count, sizeof *model->operators);
		if (!model->operators)
			return hb_error(HB_ERR_NOMEM,
					"'%s': out of memory for %" PRIu32 " operators", file->name,
					operators.count);
	}
	model->operator_count = operators.count;
	for (i = 0; i < operators.count; i++) {
		struct fb_table table;
		status = fb_vector_table(file, &operators, i, "Operator", &table);
		if (status == HB_OK)
			status = parse_operator(state, &table, i, &model->operators[i]);
		if (status != HB_OK)
			return status;
	}
	return HB_OK;
}

static int parse_model(struct parse_state *state)
{
	const struct fb_file *file = &state->file;
	struct tflite_model *model = state->model;
	struct fb_table root, subgraph;
	struct fb_vector subgraphs;
	char identifier[5];
	int status;

	if (file->size < 8)
		return fb_fail(file,
			       "not a TFLite model (file is %zu bytes, too short for a header)",
			       file->size);
	if (memcmp(file->bytes + 4, "TFL3", 4) != 0) {
		copy_printable(identifier, sizeof identifier, file->bytes + 4, 4);
		return fb_fail(file, "not a TFLite model (file identifier '%s', expected 'TFL3')",
			       identifier);
	}
	status = fb_table_at(file, load_u32(file->bytes), "Model", &root);
	if (status == HB_OK)
		status = fb_u32(file, &root, MODEL_VERSION, "Model", 0, &model->schema_version);
	if (status != HB_OK)
		return status;
	if (model->schema_version != TFLITE_SCHEMA_VERSION)
		return fb_fail(file, "schema version %" PRIu32 " is not supported, expected %u",
			       model->schema_version, TFLITE_SCHEMA_VERSION);
	status = fb_string_field(file, &root, MODEL_DESCRIPTION, "Model.description",
				 model->description, sizeof model->description);
	if (status != HB_OK)
		return status;
	status = fb_vector_field(file, &root, MODEL_OPERATOR_CODES, 4, "Model.operator_codes",
				 &state->operator_codes);
	if (status >= 0)
		status = fb_vector_field(file, &root, MODEL_BUFFERS, 4, "Model.buffers",
					 &state->buffers);
	if (status >= 0)
		status =
		    fb_vector_field(file, &root, MODEL_SUBGRAPHS, 4, "Model.subgraphs", &subgraphs);
	if (status < 0)
		return status;
	if (subgraphs.count == 0)
		return fb_fail(file, "the model has no subgraph");
	if (subgraphs.count > 1)
		return fb_fail(file,
			       "the model has %" PRIu32
			       " subgraphs, only single-subgraph models are supported",
			       subgraphs.count);
	status = fb_vector_table(file, &subgraphs, 0, "SubGraph", &subgraph);
	if (status != HB_OK)
		return status;
	return parse_subgraph(state, &subgraph);
}

int tflite_parse(const uint8_t *data, size_t size, const char *name, struct tflite_model *model)
{
	struct parse_state state;
	int status;

	memset(model, 0, sizeof *model);
	memset(&state, 0, sizeof state);
	state.file.bytes = data;
	state.file.size = data ? size : 0;
	state.file.name = name ? name : "model";
	state.model = model;
	snprintf(model->name, sizeof model->name, "%s", state.file.name);
	model->file_size = state.file.size;
	status = parse_model(&state);
	if (status != HB_OK)
		tflite_release(model);
	return status;
}

int tflite_read(const char *path, struct tflite_model *model)
{
	uint8_t *data;
	size_t size;
	int status;

	memset(model, 0, sizeof *model);
	status = file_read_all(path, TFLITE_MAX_FILE_BYTES, "a TFLite model", &data, &size);
	if (status != HB_OK)
		return status;
	status = tflite_parse(data, size, path, model);
	if (status != HB_OK) {
		free(data);
		return status;
	}
	model->file = data;
	return HB_OK;
}

void tflite_release(struct tflite_model *model)
{
	uint32_t i;
	if (!model)
		return;
	for (i = 0; model->tensors && i < model->tensor_count; i++) {
		free(model->tensors[i].scales);
		free(model->tensors[i].zero_points);
	}
	free(model->tensors);
	free(model->operators);
	free(model->file);
	memset(model, 0, sizeof *model);
}
