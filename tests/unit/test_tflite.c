/* The .tflite reader: the MLPerf Tiny models parse to the facts flatc shows
 * for them, and broken files (built here with a small FlatBuffers builder,
 * or cut from real models) are refused with a message, never a crash. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fileio.h"
#include "model/tflite.h"

#ifndef TFLITE_TEST_MLPERF_DIR
#define TFLITE_TEST_MLPERF_DIR "../shared/mlperf-tiny"
#endif

static char tflite_test_log[4096];

static void tflite_test_sink(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)context;
	snprintf(tflite_test_log, sizeof tflite_test_log, "%s", message);
}

static void tflite_test_setup(void)
{
	tflite_test_log[0] = '\0';
	hb_log_set_sink(tflite_test_sink, NULL);
}

static void tflite_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

/* ---- a forward FlatBuffers builder: parents first, children appended and linked ---- */

struct tiny_builder {
	uint8_t bytes[4096];
	size_t size;
};

struct tiny_field {
	unsigned slot;
	unsigned width; /* 1, 2, 4 or 8 bytes; offsets are 4 and linked later */
	uint64_t value;
};

static void tiny_poke(struct tiny_builder *b, size_t position, uint64_t value, unsigned width)
{
	unsigned i;
	cr_assert_leq(position + width, sizeof b->bytes);
	for (i = 0; i < width; i++)
		b->bytes[position + i] = (uint8_t)(value >> (8 * i));
}

static uint64_t tiny_peek(const struct tiny_builder *b, size_t position, unsigned width)
{
	uint64_t value = 0;
	unsigned i;
	for (i = 0; i < width; i++)
		value |= (uint64_t)b->bytes[position + i] << (8 * i);
	return value;
}

static size_t tiny_reserve(struct tiny_builder *b, size_t length)
{
	size_t position = b->size;
	cr_assert_leq(b->size + length, sizeof b->bytes, "tiny model does not fit the builder");
	memset(b->bytes + position, 0, length);
	b->size += length;
	return position;
}

static void tiny_align(struct tiny_builder *b, size_t alignment)
{
	while (b->size % alignment != 0)
		tiny_reserve(b, 1);
}

static size_t tiny_table(struct tiny_builder *b, const struct tiny_field *fields, size_t count)
{
	unsigned slots = 0, offset = 4, offsets[16];
	size_t i, vtable, table;

	cr_assert_leq(count, 16);
	for (i = 0; i < count; i++) {
		if (fields[i].slot + 1 > slots)
			slots = fields[i].slot + 1;
		offset = (offset + fields[i].width - 1) / fields[i].width * fields[i].width;
		offsets[i] = offset;
		offset += fields[i].width;
	}
	offset = (offset + 3) / 4 * 4;
	tiny_align(b, 2);
	vtable = tiny_reserve(b, 4 + 2 * slots);
	tiny_poke(b, vtable, 4 + 2 * slots, 2);
	tiny_poke(b, vtable + 2, offset, 2);
	for (i = 0; i < count; i++)
		tiny_poke(b, vtable + 4 + 2 * fields[i].slot, offsets[i], 2);
	tiny_align(b, 8);
	table = tiny_reserve(b, offset);
	tiny_poke(b, table, (uint32_t)(table - vtable), 4);
	for (i = 0; i < count; i++)
		tiny_poke(b, table + offsets[i], fields[i].value, fields[i].width);
	return table;
}

static size_t tiny_field_position(const struct tiny_builder *b, size_t table, unsigned slot)
{
	size_t vtable = table - (int32_t)tiny_peek(b, table, 4);
	return table + tiny_peek(b, vtable + 4 + 2 * slot, 2);
}

/* Points an offset field of `table` at `target` (which must come after it). */
static void tiny_link(struct tiny_builder *b, size_t table, unsigned slot, size_t target)
{
	size_t position = tiny_field_position(b, table, slot);
	cr_assert_gt(target, position);
	tiny_poke(b, position, target - position, 4);
}

static size_t tiny_vector(struct tiny_builder *b, unsigned element_size, uint32_t count,
			  const void *elements)
{
	size_t position;
	tiny_align(b, 4);
	if (element_size == 8 && b->size % 8 == 0)
		tiny_reserve(b, 4);
	position = tiny_reserve(b, 4 + (size_t)element_size * count);
	tiny_poke(b, position, count, 4);
	if (count > 0)
		memcpy(b->bytes + position + 4, elements, (size_t)element_size * count);
	return position;
}

static void tiny_link_element(struct tiny_builder *b, size_t vector, uint32_t index, size_t target)
{
	size_t position = vector + 4 + 4 * (size_t)index;
	tiny_poke(b, position, target - position, 4);
}

static size_t tiny_string(struct tiny_builder *b, const char *text)
{
	size_t position = tiny_vector(b, 1, (uint32_t)strlen(text), text);
	tiny_reserve(b, 1);
	return position;
}

static size_t tiny_int_vector(struct tiny_builder *b, const int32_t *values, uint32_t count)
{
	uint8_t bytes[64];
	uint32_t i;
	cr_assert_leq(count, 16);
	for (i = 0; i < count; i++) {
		bytes[4 * i] = (uint8_t)values[i];
		bytes[4 * i + 1] = (uint8_t)(values[i] >> 8);
		bytes[4 * i + 2] = (uint8_t)(values[i] >> 16);
		bytes[4 * i + 3] = (uint8_t)((uint32_t)values[i] >> 24);
	}
	return tiny_vector(b, 4, count, bytes);
}

/* ---- a tiny CONV_2D > RESHAPE > SOFTMAX model, with knobs to break it ---- */

struct tiny_knobs {
	char identifier[5];
	uint32_t version;
	uint32_t subgraphs;
	uint32_t conv_opcode; /* operator 0's opcode index */
	int32_t conv_filter;  /* operator 0's input 1 */
	uint8_t conv_options; /* builtin_options_type of operator 0 */
	bool custom;	      /* operator code 0 is CUSTOM 'MyOp' */
	int8_t softmax_deprecated;
	int32_t softmax_builtin;
	int8_t input_type;
	uint32_t input_rank; /* tensor 0 is [1,4,4,1] padded with 1s */
	int32_t input_height;
	uint32_t filter_buffer;
	uint32_t filter_bytes;
	bool filter_outside; /* buffer 1 uses offset/size instead of data */
	bool sparse;	     /* tensor 1 carries SparsityParameters */
	uint32_t bias_zero_points;
	int32_t graph_output;
	const char *input_name; /* tensor 0's name; NULL: "input" */
};

struct tiny_layout {
	size_t model, tensors_vector, filter_buffer_table, filter_data;
};

static void tiny_defaults(struct tiny_knobs *k)
{
	memset(k, 0, sizeof *k);
	memcpy(k->identifier, "TFL3", 5);
	k->version = 3;
	k->subgraphs = 1;
	k->conv_filter = 1;
	k->conv_options = 1;
	k->softmax_builtin = TFLITE_OP_SOFTMAX;
	k->input_type = TFLITE_TYPE_INT8;
	k->input_rank = 4;
	k->input_height = 4;
	k->filter_buffer = 1;
	k->filter_bytes = 18;
	k->bias_zero_points = 2;
	k->graph_output = 5;
}

static size_t tiny_quant(struct tiny_builder *b, const float *scales, uint32_t scale_count,
			 const int64_t *zero_points, uint32_t zero_count)
{
	const struct tiny_field fields[] = {{2, 4, 0}, {3, 4, 0}, {6, 4, 0}};
	size_t table = tiny_table(b, fields, 3);
	tiny_link(b, table, 2, tiny_vector(b, 4, scale_count, scales));
	tiny_link(b, table, 3, tiny_vector(b, 8, zero_count, zero_points));
	return table;
}

struct tiny_tensor_spec {
	const char *name;
	int32_t shape[8];
	uint32_t rank;
	int8_t type;
	uint32_t buffer;
	float scales[2];
	int64_t zero_points[2];
	uint32_t scale_count, zero_count;
	bool sparse;
};

static size_t tiny_tensor(struct tiny_builder *b, const struct tiny_tensor_spec *spec)
{
	struct tiny_field fields[6] = {
	    {0, 4, 0},
	    {1, 1, (uint8_t)spec->type},
	    {2, 4, spec->buffer},
	    {3, 4, 0},
	};
	size_t count = 4, table;
	if (spec->scale_count > 0)
		fields[count++] = (struct tiny_field){4, 4, 0};
	if (spec->sparse)
		fields[count++] = (struct tiny_field){6, 4, 0};
	table = tiny_table(b, fields, count);
	tiny_link(b, table, 0, tiny_int_vector(b, spec->shape, spec->rank));
	tiny_link(b, table, 3, tiny_string(b, spec->name));
	if (spec->scale_count > 0)
		tiny_link(b, table, 4,
			  tiny_quant(b, spec->scales, spec->scale_count, spec->zero_points,
				     spec->zero_count));
	if (spec->sparse)
		tiny_link(b, table, 6, tiny_table(b, NULL, 0));
	return table;
}

static size_t tiny_operator(struct tiny_builder *b, uint32_t opcode, const int32_t *inputs,
			    uint32_t input_count, int32_t output, uint8_t options_type,
			    size_t *options_slot_table)
{
	const struct tiny_field fields[] = {
	    {0, 4, opcode}, {1, 4, 0}, {2, 4, 0}, {3, 1, options_type}, {4, 4, 0},
	};
	size_t table = tiny_table(b, fields, options_type ? 5 : 4);
	tiny_link(b, table, 1, tiny_int_vector(b, inputs, input_count));
	tiny_link(b, table, 2, tiny_int_vector(b, &output, 1));
	*options_slot_table = table;
	return table;
}

static size_t tiny_build(struct tiny_builder *b, const struct tiny_knobs *k,
			 struct tiny_layout *layout)
{
	size_t model, vector, subgraph, table, op;
	uint8_t filter_data[32], bias_data[8] = {5, 0, 0, 0, 0xfb, 0xff, 0xff, 0xff};
	uint32_t i;

	memset(b, 0, sizeof *b);
	tiny_reserve(b, 8);
	memcpy(b->bytes + 4, k->identifier, 4);
	{
		const struct tiny_field fields[] = {
		    {0, 4, k->version}, {1, 4, 0}, {2, 4, 0}, {3, 4, 0}, {4, 4, 0},
		};
		model = tiny_table(b, fields, 5);
	}
	tiny_poke(b, 0, model, 4);
	layout->model = model;
	tiny_link(b, model, 3, tiny_string(b, "tiny test model"));

	/* operator codes: CONV_2D (or a custom op), RESHAPE, SOFTMAX */
	vector = tiny_vector(b, 4, 3, (uint32_t[3]){0});
	tiny_link(b, model, 1, vector);
	if (k->custom) {
		const struct tiny_field fields[] = {{0, 1, 32}, {1, 4, 0}};
		table = tiny_table(b, fields, 2);
		tiny_link_element(b, vector, 0, table);
		tiny_link(b, table, 1, tiny_string(b, "MyOp"));
	} else {
		const struct tiny_field fields[] = {{0, 1, 3}, {2, 4, 2}};
		tiny_link_element(b, vector, 0, tiny_table(b, fields, 2));
	}
	{
		const struct tiny_field fields[] = {{0, 1, 22}};
		tiny_link_element(b, vector, 1, tiny_table(b, fields, 1));
	}
	{
		const struct tiny_field fields[] = {
		    {0, 1, (uint8_t)k->softmax_deprecated},
		    {3, 4, (uint32_t)k->softmax_builtin},
		};
		tiny_link_element(b, vector, 2, tiny_table(b, fields, 2));
	}

	/* subgraphs: all entries point at the same subgraph */
	vector = tiny_vector(b, 4, k->subgraphs, (uint32_t[4]){0});
	tiny_link(b, model, 2, vector);
	{
		const struct tiny_field fields[] = {{0, 4, 0}, {1, 4, 0}, {2, 4, 0}, {3, 4, 0}};
		subgraph = tiny_table(b, fields, 4);
	}
	for (i = 0; i < k->subgraphs; i++)
		tiny_link_element(b, vector, i, subgraph);

	vector = tiny_vector(b, 4, 6, (uint32_t[6]){0});
	layout->tensors_vector = vector;
	tiny_link(b, subgraph, 0, vector);
	{
		struct tiny_tensor_spec specs[6] = {
		    {k->input_name ? k->input_name : "input",
		     {1, 4, 4, 1, 1, 1, 1, 1},
		     4,
		     TFLITE_TYPE_INT8,
		     0,
		     {0.5f},
		     {-1},
		     1,
		     1,
		     false},
		    {"filter",
		     {2, 3, 3, 1},
		     4,
		     TFLITE_TYPE_INT8,
		     1,
		     {0.25f, 0.125f},
		     {0, 0},
		     2,
		     2,
		     false},
		    {"bias", {2}, 1, TFLITE_TYPE_INT32, 2, {0.125f, 0.0625f}, {0, 0}, 2, 2, false},
		    {"conv_out", {1, 2, 2, 2}, 4, TFLITE_TYPE_INT8, 0, {0.75f}, {3}, 1, 1, false},
		    {"flat", {1, 8}, 2, TFLITE_TYPE_INT8, 0, {0.75f}, {3}, 1, 1, false},
		    {"probs", {1, 8}, 2, TFLITE_TYPE_INT8, 0, {1.0f / 256}, {-128}, 1, 1, false},
		};
		specs[0].type = k->input_type;
		specs[0].rank = k->input_rank;
		specs[0].shape[1] = k->input_height;
		specs[1].buffer = k->filter_buffer;
		specs[1].sparse = k->sparse;
		specs[2].zero_count = k->bias_zero_points;
		for (i = 0; i < 6; i++)
			tiny_link_element(b, vector, i, tiny_tensor(b, &specs[i]));
	}
	tiny_link(b, subgraph, 1, tiny_int_vector(b, (int32_t[1]){0}, 1));
	tiny_link(b, subgraph, 2, tiny_int_vector(b, &k->graph_output, 1));

	vector = tiny_vector(b, 4, 3, (uint32_t[3]){0});
	tiny_link(b, subgraph, 3, vector);
	tiny_link_element(b, vector, 0,
			  tiny_operator(b, k->conv_opcode, (int32_t[3]){0, k->conv_filter, 2}, 3, 3,
					k->conv_options, &op));
	{
		/* VALID, stride 1x2, RELU6; dilation left out to get the defaults */
		const struct tiny_field fields[] = {{0, 1, 1}, {1, 4, 1}, {2, 4, 2}, {3, 1, 3}};
		if (k->conv_options)
			tiny_link(b, op, 4, tiny_table(b, fields, 4));
	}
	tiny_link_element(b, vector, 1, tiny_operator(b, 1, (int32_t[1]){3}, 1, 4, 0, &op));
	tiny_link_element(b, vector, 2, tiny_operator(b, 2, (int32_t[1]){4}, 1, 5, 9, &op));
	{
		const struct tiny_field fields[] = {{0, 4, 0x3f800000}}; /* beta 1.0f */
		tiny_link(b, op, 4, tiny_table(b, fields, 1));
	}

	/* buffers: the empty sentinel, the filter, the bias */
	vector = tiny_vector(b, 4, 3, (uint32_t[3]){0});
	tiny_link(b, model, 4, vector);
	tiny_link_element(b, vector, 0, tiny_table(b, NULL, 0));
	for (i = 0; i < sizeof filter_data; i++)
		filter_data[i] = (uint8_t)(i * 7 - 60);
	if (k->filter_outside) {
		const struct tiny_field fields[] = {{1, 8, 0}, {2, 8, k->filter_bytes}};
		table = tiny_table(b, fields, 2);
	} else {
		const struct tiny_field fields[] = {{0, 4, 0}};
		table = tiny_table(b, fields, 1);
	}
	layout->filter_buffer_table = table;
	tiny_link_element(b, vector, 1, table);
	{
		const struct tiny_field fields[] = {{0, 4, 0}};
		size_t bias = tiny_table(b, fields, 1);
		tiny_link_element(b, vector, 2, bias);
		tiny_link(b, bias, 0, tiny_vector(b, 1, sizeof bias_data, bias_data));
	}
	if (k->filter_outside) {
		tiny_align(b, 16);
		layout->filter_data = tiny_reserve(b, k->filter_bytes);
		memcpy(b->bytes + layout->filter_data, filter_data, k->filter_bytes);
		tiny_poke(b, tiny_field_position(b, table, 1), layout->filter_data, 8);
	} else {
		size_t data = tiny_vector(b, 1, k->filter_bytes, filter_data);
		tiny_link(b, table, 0, data);
		layout->filter_data = data + 4;
	}
	return b->size;
}

/* Parses bytes from their own allocation so ASan sees any read past the end. */
static int tiny_parse_copy(const uint8_t *bytes, size_t size, const char *name,
			   struct tflite_model *model)
{
	uint8_t *copy = malloc(size ? size : 1);
	int status;
	cr_assert_not_null(copy);
	memcpy(copy, bytes, size);
	status = tflite_parse(copy, size, name, model);
	tflite_release(model);
	free(copy);
	return status;
}

static void tiny_expect_error(const struct tiny_builder *b, const char *expected)
{
	struct tflite_model model;
	int status = tiny_parse_copy(b->bytes, b->size, "tiny.tflite", &model);
	cr_assert_eq(status, HB_ERR_INPUT, "expected a refusal (%s), got %d", expected, status);
	cr_assert(strstr(tflite_test_log, expected) != NULL, "message '%s' lacks '%s'",
		  tflite_test_log, expected);
	cr_assert(strncmp(tflite_test_log, "'tiny.tflite': ", 15) == 0,
		  "message '%s' does not start with the file name", tflite_test_log);
}

static void tiny_expect_knob_error(const struct tiny_knobs *k, const char *expected)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	tiny_build(&b, k, &layout);
	tiny_expect_error(&b, expected);
}

TestSuite(tflite, .init = tflite_test_setup, .fini = tflite_test_teardown);

Test(tflite, tiny_model_parses_to_what_was_built)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	struct tflite_model model;
	const struct tflite_tensor *filter;

	tiny_defaults(&k);
	tiny_build(&b, &k, &layout);
	cr_assert_eq(tflite_parse(b.bytes, b.size, "tiny.tflite", &model), HB_OK, "%s",
		     tflite_test_log);
	cr_expect_eq(model.schema_version, 3);
	cr_expect_str_eq(model.description, "tiny test model");
	cr_expect_str_eq(model.name, "tiny.tflite");
	cr_expect_eq(model.file, NULL);
	cr_expect_eq(model.file_size, b.size);
	cr_assert_eq(model.tensor_count, 6);
	cr_assert_eq(model.operator_count, 3);
	cr_expect_eq(model.input_count, 1);
	cr_expect_eq(model.inputs[0], 0);
	cr_expect_eq(model.output_count, 1);
	cr_expect_eq(model.outputs[0], 5);

	cr_expect_str_eq(model.tensors[0].name, "input");
	cr_expect_eq(model.tensors[0].type, TFLITE_TYPE_INT8);
	cr_expect_eq(model.tensors[0].rank, 4);
	cr_expect_eq(model.tensors[0].shape[1], 4);
	cr_expect_eq(model.tensors[0].data, NULL);
	cr_expect_eq(model.tensors[0].quant_count, 1);
	cr_expect_float_eq(model.tensors[0].scales[0], 0.5f, 1e-9);
	cr_expect_eq(model.tensors[0].zero_points[0], -1);

	filter = &model.tensors[1];
	cr_expect_eq(filter->buffer, 1);
	cr_expect_eq(filter->data_size, 18);
	cr_expect_eq(filter->data, b.bytes + layout.filter_data);
	cr_expect_eq(filter->data[1], (uint8_t)(7 - 60));
	cr_expect_eq(filter->quant_count, 2);
	cr_expect_float_eq(filter->scales[1], 0.125f, 1e-9);
	cr_expect_eq(filter->quantized_dimension, 0);
	cr_expect_eq(tflite_tensor_elements(filter), 18);

	cr_expect_eq(model.tensors[2].type, TFLITE_TYPE_INT32);
	cr_expect_eq(model.tensors[2].data_size, 8);
	cr_expect_eq(model.tensors[2].data[4], 0xfb);
	cr_expect_str_eq(model.tensors[5].name, "probs");
	cr_expect_eq(model.tensors[5].zero_points[0], -128);

	cr_expect_eq(model.operators[0].builtin, TFLITE_OP_CONV_2D);
	cr_expect_eq(model.operators[0].version, 2);
	cr_expect_eq(model.operators[0].input_count, 3);
	cr_expect_eq(model.operators[0].inputs[2], 2);
	cr_expect_eq(model.operators[0].output_count, 1);
	cr_expect_eq(model.operators[0].outputs[0], 3);
	cr_expect_eq(model.operators[0].options.padding, TFLITE_PADDING_VALID);
	cr_expect_eq(model.operators[0].options.stride_width, 1);
	cr_expect_eq(model.operators[0].options.stride_height, 2);
	cr_expect_eq(model.operators[0].options.activation, TFLITE_ACTIVATION_RELU6);
	cr_expect_eq(model.operators[0].options.dilation_width, 1);
	cr_expect_eq(model.operators[0].options.dilation_height, 1);
	cr_expect_eq(model.operators[1].builtin, TFLITE_OP_RESHAPE);
	cr_expect_eq(model.operators[1].version, 1, "absent version defaults to 1");
	cr_expect_eq(model.operators[1].options.new_shape_count, -1);
	cr_expect_eq(model.operators[2].builtin, TFLITE_OP_SOFTMAX);
	cr_expect_float_eq(model.operators[2].options.beta, 1.0f, 1e-9);
	tflite_release(&model);
	cr_expect_eq(model.tensors, NULL);
	tflite_release(&model); /* twice is harmless */
}

Test(tflite, buffer_offset_and_size_point_into_the_file)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	struct tflite_model model;

	tiny_defaults(&k);
	k.filter_outside = true;
	tiny_build(&b, &k, &layout);
	cr_assert_eq(tflite_parse(b.bytes, b.size, "tiny.tflite", &model), HB_OK, "%s",
		     tflite_test_log);
	cr_expect_eq(model.tensors[1].data, b.bytes + layout.filter_data);
	cr_expect_eq(model.tensors[1].data_size, 18);
	tflite_release(&model);

	/* an offset past the end is refused */
	tiny_poke(&b, tiny_field_position(&b, layout.filter_buffer_table, 1), b.size - 4, 8);
	tiny_expect_error(&b, "truncated: data of buffer 1 at offset");
}

Test(tflite, builtin_code_is_the_larger_of_the_two_fields)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	struct tflite_model model;

	tiny_defaults(&k);
	k.softmax_deprecated = 127; /* PLACEHOLDER_FOR_GREATER_OP_CODES */
	k.softmax_builtin = 150;
	tiny_build(&b, &k, &layout);
	cr_assert_eq(tflite_parse(b.bytes, b.size, "tiny.tflite", &model), HB_OK, "%s",
		     tflite_test_log);
	cr_expect_eq(model.operators[2].builtin, 150);
	cr_expect_str_eq(tflite_builtin_name(model.operators[2].builtin), "GELU");
	tflite_release(&model);

	k.softmax_deprecated = TFLITE_OP_SOFTMAX; /* older files: builtin_code left 0 */
	k.softmax_builtin = 0;
	tiny_build(&b, &k, &layout);
	cr_assert_eq(tflite_parse(b.bytes, b.size, "tiny.tflite", &model), HB_OK);
	cr_expect_eq(model.operators[2].builtin, TFLITE_OP_SOFTMAX);
	tflite_release(&model);
}

Test(tflite, optional_input_minus_one_is_kept)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	struct tflite_model model;

	tiny_defaults(&k);
	k.conv_filter = -1;
	k.conv_options = 0;
	tiny_build(&b, &k, &layout);
	cr_assert_eq(tflite_parse(b.bytes, b.size, "tiny.tflite", &model), HB_OK, "%s",
		     tflite_test_log);
	cr_expect_eq(model.operators[0].inputs[1], -1);
	/* no Conv2DOptions at all: the schema's defaults */
	cr_expect_eq(model.operators[0].options.stride_width, 0);
	cr_expect_eq(model.operators[0].options.padding, TFLITE_PADDING_SAME);
	cr_expect_eq(model.operators[0].options.dilation_height, 1);
	tflite_release(&model);
}

Test(tflite, read_owns_the_file_and_reports_missing_files)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	struct tflite_model model;
	char path[] = "/tmp/hb-tflite-test-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	tiny_defaults(&k);
	tiny_build(&b, &k, &layout);
	cr_assert_eq(file_write_atomic(path, b.bytes, b.size), HB_OK);
	cr_assert_eq(tflite_read(path, &model), HB_OK, "%s", tflite_test_log);
	cr_expect_neq(model.file, NULL);
	cr_expect_eq(model.file_size, b.size);
	cr_expect_eq(model.tensors[1].data, model.file + layout.filter_data);
	cr_expect_str_eq(model.name, path);
	tflite_release(&model);
	unlink(path);

	cr_expect_eq(tflite_read("/nonexistent/model.tflite", &model), HB_ERR_NOT_FOUND);
	cr_expect_eq(model.tensors, NULL);
}

Test(tflite, names_and_elements)
{
	struct tflite_tensor tensor;

	cr_expect_str_eq(tflite_builtin_name(TFLITE_OP_DEPTHWISE_CONV_2D), "DEPTHWISE_CONV_2D");
	cr_expect_str_eq(tflite_builtin_name(TFLITE_OP_QUANTIZE), "QUANTIZE");
	cr_expect_str_eq(tflite_builtin_name(127), "PLACEHOLDER_FOR_GREATER_OP_CODES");
	cr_expect_str_eq(tflite_builtin_name(209), "STABLEHLO_CASE");
	cr_expect_str_eq(tflite_builtin_name(210), "unknown operator");
	cr_expect_str_eq(tflite_builtin_name(-1), "unknown operator");
	cr_expect_str_eq(tflite_type_name(TFLITE_TYPE_INT8), "INT8");
	cr_expect_str_eq(tflite_type_name(5), "STRING");
	cr_expect_str_eq(tflite_type_name(99), "unknown type");

	memset(&tensor, 0, sizeof tensor);
	cr_expect_eq(tflite_tensor_elements(&tensor), 1, "rank 0 is a scalar");
	tensor.rank = 3;
	tensor.shape[0] = 2;
	tensor.shape[1] = 3;
	tensor.shape[2] = 5;
	cr_expect_eq(tflite_tensor_elements(&tensor), 30);
	tensor.rank = 6;
	tensor.shape[3] = tensor.shape[4] = tensor.shape[5] = INT32_MAX;
	cr_expect_eq(tflite_tensor_elements(&tensor), UINT64_MAX, "saturates instead of wrapping");
}

/* ---- malformed files ---- */

Test(tflite, wrong_identifier)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	memcpy(k.identifier, "ABCD", 5);
	tiny_expect_knob_error(&k, "not a TFLite model (file identifier 'ABCD', expected 'TFL3')");
}

Test(tflite, too_short_for_a_header)
{
	struct tflite_model model;
	cr_expect_eq(tiny_parse_copy((const uint8_t *)"TFL3", 4, "x.tflite", &model), HB_ERR_INPUT);
	cr_expect_str_eq(
	    tflite_test_log,
	    "'x.tflite': not a TFLite model (file is 4 bytes, too short for a header)");
}

Test(tflite, root_offset_out_of_range)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	char expected[128];

	tiny_defaults(&k);
	tiny_build(&b, &k, &layout);
	tiny_poke(&b, 0, 0x10000, 4);
	snprintf(expected, sizeof expected,
		 "truncated: table Model at offset 65536 runs past the end (file is %zu bytes)",
		 b.size);
	tiny_expect_error(&b, expected);
	tiny_poke(&b, 0, 0xffffffff, 4);
	tiny_expect_error(&b, "truncated: table Model at offset 4294967295");
}

Test(tflite, vtable_offset_out_of_range)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;

	tiny_defaults(&k);
	tiny_build(&b, &k, &layout);
	tiny_poke(&b, layout.model, layout.model + 64, 4); /* vtable 64 bytes before the file */
	tiny_expect_error(&b, "has its vtable at offset -64, outside the file");
	tiny_poke(&b, layout.model, (uint32_t) - (int32_t)b.size, 4); /* after its end */
	tiny_expect_error(&b, "outside the file");
	tiny_poke(&b, layout.model, 0x80000000u, 4);
	tiny_expect_error(&b, "outside the file");
}

Test(tflite, vtable_claims_fields_outside_the_table)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	size_t vtable;

	tiny_defaults(&k);
	tiny_build(&b, &k, &layout);
	vtable = layout.model - (int32_t)tiny_peek(&b, layout.model, 4);
	tiny_poke(&b, vtable + 2, 4, 2); /* the table is only its vtable offset */
	tiny_expect_error(&b, "malformed: field 0 of table Model at offset");
	tiny_poke(&b, vtable + 2, 24, 2);
	tiny_poke(&b, vtable, 3, 2);
	tiny_expect_error(&b, "has size 3, expected an even size of at least 4");
	tiny_poke(&b, vtable, 0xfffe, 2);
	tiny_expect_error(&b, "truncated: vtable of Model");
}

Test(tflite, vector_length_huge)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;

	tiny_defaults(&k);
	tiny_build(&b, &k, &layout);
	tiny_poke(&b, layout.tensors_vector, 0xffffffffu, 4);
	tiny_expect_error(&b, "truncated: vector SubGraph.tensors at offset");
	cr_expect(strstr(tflite_test_log, "has 4294967295 elements of 4 bytes") != NULL, "%s",
		  tflite_test_log);
	tiny_poke(&b, layout.tensors_vector, 0x40000001u, 4); /* count * 4 wraps in 32 bits */
	tiny_expect_error(&b, "has 1073741825 elements of 4 bytes, runs past the end");
}

Test(tflite, tensor_index_out_of_range)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	k.conv_filter = 91;
	tiny_expect_knob_error(
	    &k, "'tiny.tflite': operator 0 (CONV_2D): input 1 refers to tensor 91, the model has 6 "
		"tensors");
	k.conv_filter = -2;
	tiny_expect_knob_error(&k, "input 1 refers to tensor -2, the model has 6 tensors");
	tiny_defaults(&k);
	k.graph_output = 6;
	tiny_expect_knob_error(&k,
			       "the graph: output 0 refers to tensor 6, the model has 6 tensors");
	k.graph_output = -1;
	tiny_expect_knob_error(&k, "the graph: output 0 refers to tensor -1");
}

Test(tflite, opcode_index_out_of_range)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	k.conv_opcode = 7;
	tiny_expect_knob_error(
	    &k, "operator 0: opcode index 7 is out of range, the model has 3 operator codes");
}

Test(tflite, custom_operator_is_refused)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	k.custom = true;
	tiny_expect_knob_error(&k,
			       "operator 0 uses custom operator 'MyOp', which is not supported");
}

Test(tflite, two_subgraphs_are_refused)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	k.subgraphs = 2;
	tiny_expect_knob_error(
	    &k, "the model has 2 subgraphs, only single-subgraph models are supported");
	k.subgraphs = 0;
	tiny_expect_knob_error(&k, "the model has no subgraph");
}

Test(tflite, sparse_tensor_is_refused)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	k.sparse = true;
	tiny_expect_knob_error(&k, "tensor 1 'filter': sparse tensors are not supported");
}

Test(tflite, other_schema_version_is_refused)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	k.version = 2;
	tiny_expect_knob_error(&k, "schema version 2 is not supported, expected 3");
}

Test(tflite, tensor_problems_name_the_tensor)
{
	struct tiny_knobs k;

	tiny_defaults(&k);
	k.input_type = 5;
	tiny_expect_knob_error(&k, "tensor 0 'input': type STRING (5) is not supported");
	tiny_defaults(&k);
	k.input_type = -3;
	tiny_expect_knob_error(&k, "tensor 0 'input': unknown type -3");
	tiny_defaults(&k);
	k.input_rank = 7;
	tiny_expect_knob_error(&k, "tensor 0 'input': rank 7 is more than the 6 supported");
	tiny_defaults(&k);
	k.input_height = -1;
	tiny_expect_knob_error(&k, "tensor 0 'input': dimension 1 is -1, expected a fixed size");
	tiny_defaults(&k);
	k.filter_buffer = 9;
	tiny_expect_knob_error(&k,
			       "tensor 1 'filter': refers to buffer 9, the model has 3 buffers");
	tiny_defaults(&k);
	k.filter_bytes = 17;
	tiny_expect_knob_error(
	    &k, "tensor 1 'filter': constant data is 17 bytes, expected 18 for its shape and type "
		"INT8");
	tiny_defaults(&k);
	k.bias_zero_points = 1;
	tiny_expect_knob_error(
	    &k, "tensor 2 'bias': quantization has 2 scales and 1 zero points, expected as many");
}

Test(tflite, options_of_the_wrong_type_are_refused)
{
	struct tiny_knobs k;
	tiny_defaults(&k);
	k.conv_options = 5; /* Pool2DOptions on a CONV_2D */
	tiny_expect_knob_error(&k,
			       "operator 0 (CONV_2D): builtin options of type 5, expected type 1");
}

Test(tflite, every_prefix_of_the_tiny_model_is_refused)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	struct tflite_model model;
	size_t length;

	tiny_defaults(&k);
	tiny_build(&b, &k, &layout);
	for (length = 0; length < b.size; length++) {
		int status = tiny_parse_copy(b.bytes, length, "tiny.tflite", &model);
		cr_assert_eq(status, HB_ERR_INPUT, "prefix of %zu bytes: status %d", length,
			     status);
		cr_assert(strstr(tflite_test_log, "truncated") ||
			      strstr(tflite_test_log, "not a TFLite model"),
			  "prefix of %zu bytes: %s", length, tflite_test_log);
	}
}

/* ---- the MLPerf Tiny reference models (facts checked with flatc --json) ---- */

static uint8_t *mlperf_load(const char *file, size_t *size)
{
	char path[256];
	uint8_t *data;
	if (access(TFLITE_TEST_MLPERF_DIR, R_OK) != 0)
		cr_skip_test("../shared/mlperf-tiny not found: MLPerf Tiny model tests skipped");
	snprintf(path, sizeof path, "%s/%s", TFLITE_TEST_MLPERF_DIR, file);
	cr_assert_eq(file_read_all(path, 64u << 20, "a model", &data, size), HB_OK, "%s",
		     tflite_test_log);
	return data;
}

static void mlperf_read(const char *file, struct tflite_model *model)
{
	char path[256];
	if (access(TFLITE_TEST_MLPERF_DIR, R_OK) != 0)
		cr_skip_test("../shared/mlperf-tiny not found: MLPerf Tiny model tests skipped");
	snprintf(path, sizeof path, "%s/%s", TFLITE_TEST_MLPERF_DIR, file);
	cr_assert_eq(tflite_read(path, model), HB_OK, "%s", tflite_test_log);
}

static int mlperf_count(const struct tflite_model *model, int32_t builtin)
{
	int count = 0;
	uint32_t i;
	for (i = 0; i < model->operator_count; i++)
		count += model->operators[i].builtin == builtin;
	return count;
}

static size_t mlperf_constant_bytes(const struct tflite_model *model)
{
	size_t total = 0;
	uint32_t i;
	for (i = 0; i < model->tensor_count; i++)
		total += model->tensors[i].data_size;
	return total;
}

static void mlperf_expect_shape(const struct tflite_tensor *tensor, int32_t type, int32_t rank,
				const int32_t *shape)
{
	int32_t i;
	cr_expect_eq(tensor->type, type, "tensor '%s' type %d", tensor->name, tensor->type);
	cr_assert_eq(tensor->rank, rank, "tensor '%s' rank %d", tensor->name, tensor->rank);
	for (i = 0; i < rank; i++)
		cr_expect_eq(tensor->shape[i], shape[i], "tensor '%s' dimension %d", tensor->name,
			     i);
}

static void mlperf_expect_quant(const struct tflite_tensor *tensor, float scale, int64_t zero_point)
{
	cr_assert_eq(tensor->quant_count, 1, "tensor '%s'", tensor->name);
	cr_expect(fabsf(tensor->scales[0] - scale) <= 1e-6f * (1 + scale), "'%s' scale %g",
		  tensor->name, tensor->scales[0]);
	cr_expect_eq(tensor->zero_points[0], zero_point, "'%s' zero point", tensor->name);
}

static void mlperf_expect_kws(const struct tflite_model *model, int32_t io_type)
{
	cr_expect_eq(model->schema_version, 3);
	cr_expect_str_eq(model->description, "MLIR Converted.");
	cr_expect_eq(model->operator_count, 13);
	cr_expect_eq(model->tensor_count, 35);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_CONV_2D), 5);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_DEPTHWISE_CONV_2D), 4);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_AVERAGE_POOL_2D), 1);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_RESHAPE), 1);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_FULLY_CONNECTED), 1);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_SOFTMAX), 1);
	cr_assert_eq(model->input_count, 1);
	cr_assert_eq(model->output_count, 1);
	cr_expect_eq(model->inputs[0], 0);
	cr_expect_eq(model->outputs[0], 34);
	mlperf_expect_shape(&model->tensors[0], io_type, 4, (const int32_t[]){1, 49, 10, 1});
	mlperf_expect_shape(&model->tensors[34], io_type, 2, (const int32_t[]){1, 12});
	cr_expect_str_eq(model->tensors[0].name, "input_1");
	cr_expect_str_eq(model->tensors[34].name, "Identity");

	/* operator 0: CONV_2D [0, 17, 3] -> [22], stride 2, padding SAME, RELU */
	cr_expect_eq(model->operators[0].builtin, TFLITE_OP_CONV_2D);
	cr_expect_eq(model->operators[0].input_count, 3);
	cr_expect_eq(model->operators[0].inputs[1], 17);
	cr_expect_eq(model->operators[0].outputs[0], 22);
	cr_expect_eq(model->operators[0].options.stride_width, 2);
	cr_expect_eq(model->operators[0].options.stride_height, 2);
	cr_expect_eq(model->operators[0].options.padding, TFLITE_PADDING_SAME);
	cr_expect_eq(model->operators[0].options.activation, TFLITE_ACTIVATION_RELU);
	cr_expect_eq(model->operators[0].options.dilation_width, 1);
	cr_expect_eq(model->operators[1].builtin, TFLITE_OP_DEPTHWISE_CONV_2D);
	cr_expect_eq(model->operators[1].options.depth_multiplier, 1);
	/* operator 9: AVERAGE_POOL_2D VALID, 25x5 window, stride 25x5 */
	cr_expect_eq(model->operators[9].builtin, TFLITE_OP_AVERAGE_POOL_2D);
	cr_expect_eq(model->operators[9].options.padding, TFLITE_PADDING_VALID);
	cr_expect_eq(model->operators[9].options.filter_height, 25);
	cr_expect_eq(model->operators[9].options.filter_width, 5);
	cr_expect_eq(model->operators[9].options.stride_height, 25);
	cr_expect_eq(model->operators[9].options.stride_width, 5);
	cr_expect_eq(model->operators[10].builtin, TFLITE_OP_RESHAPE);
	cr_expect_eq(model->operators[10].input_count, 2);
	cr_expect_eq(model->operators[10].options.new_shape_count, -1);
	cr_expect_eq(model->operators[11].options.activation, TFLITE_ACTIVATION_NONE);
	cr_expect_eq(model->operators[11].options.weights_format, 0);
	cr_expect_float_eq(model->operators[12].options.beta, 1.0f, 1e-9);
}

Test(tflite, mlperf_kws_int8)
{
	struct tflite_model model;
	const struct tflite_tensor *filter;

	mlperf_read("kws_ref_model.tflite", &model);
	mlperf_expect_kws(&model, TFLITE_TYPE_INT8);
	cr_expect_eq(model.file_size, 53936);
	cr_expect_eq(model.operators[0].version, 3);
	mlperf_expect_quant(&model.tensors[0], 0.584703f, 83);
	mlperf_expect_quant(&model.tensors[34], 0.00390625f, -128);
	/* depthwise filter: per-channel over dimension 3 */
	filter = &model.tensors[5];
	mlperf_expect_shape(filter, TFLITE_TYPE_INT8, 4, (const int32_t[]){1, 3, 3, 64});
	cr_expect_eq(filter->quant_count, 64);
	cr_expect_eq(filter->quantized_dimension, 3);
	cr_expect(fabsf(filter->scales[0] - 0.008552f) < 1e-6f, "scale %g", filter->scales[0]);
	cr_expect_eq(filter->data_size, 576);
	cr_expect_eq(mlperf_constant_bytes(&model), 24376);
	tflite_release(&model);
}

Test(tflite, mlperf_kws_float32)
{
	struct tflite_model model;

	mlperf_read("kws_ref_model_float32.tflite", &model);
	mlperf_expect_kws(&model, TFLITE_TYPE_FLOAT32);
	cr_expect_eq(model.tensors[0].quant_count, 0);
	/* a hybrid model: the first convolution's weights are INT8 */
	mlperf_expect_shape(&model.tensors[17], TFLITE_TYPE_INT8, 4,
			    (const int32_t[]){64, 10, 4, 1});
	mlperf_expect_quant(&model.tensors[17], 0.002023f, 0);
	cr_expect_eq(model.tensors[3].type, TFLITE_TYPE_FLOAT32);
	cr_expect_eq(model.tensors[3].data_size, 256);
	cr_expect_eq(mlperf_constant_bytes(&model), 33592);
	tflite_release(&model);
}

static void mlperf_expect_resnet(const struct tflite_model *model, int32_t io_type)
{
	cr_expect_eq(model->operator_count, 16);
	cr_expect_eq(model->tensor_count, 38);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_CONV_2D), 9);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_ADD), 3);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_AVERAGE_POOL_2D), 1);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_RESHAPE), 1);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_FULLY_CONNECTED), 1);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_SOFTMAX), 1);
	cr_expect_eq(model->inputs[0], 0);
	cr_expect_eq(model->outputs[0], 37);
	mlperf_expect_shape(&model->tensors[0], io_type, 4, (const int32_t[]){1, 32, 32, 3});
	mlperf_expect_shape(&model->tensors[37], io_type, 2, (const int32_t[]){1, 10});
	/* operator 3: ADD [22, 24] -> [25] with RELU; its opcode has neither code field */
	cr_expect_eq(model->operators[3].builtin, TFLITE_OP_ADD);
	cr_expect_eq(model->operators[3].inputs[0], 22);
	cr_expect_eq(model->operators[3].inputs[1], 24);
	cr_expect_eq(model->operators[3].outputs[0], 25);
	cr_expect_eq(model->operators[3].options.activation, TFLITE_ACTIVATION_RELU);
	cr_expect_eq(model->operators[4].options.stride_width, 2);
	cr_expect_eq(model->operators[2].options.activation, TFLITE_ACTIVATION_NONE);
	cr_expect_eq(model->operators[12].options.filter_width, 8);
	cr_expect_eq(model->operators[12].options.stride_height, 8);
	mlperf_expect_shape(&model->tensors[8], model->tensors[8].type, 4,
			    (const int32_t[]){16, 3, 3, 3});
}

Test(tflite, mlperf_resnet_int8)
{
	struct tflite_model model;

	mlperf_read("pretrainedResnet_quant.tflite", &model);
	mlperf_expect_resnet(&model, TFLITE_TYPE_INT8);
	mlperf_expect_quant(&model.tensors[0], 1.0f, -128);
	mlperf_expect_quant(&model.tensors[37], 0.00390625f, -128);
	cr_expect_eq(model.tensors[8].type, TFLITE_TYPE_INT8);
	cr_expect_eq(model.tensors[8].quant_count, 16);
	cr_expect_eq(model.tensors[8].quantized_dimension, 0);
	cr_expect_eq(model.tensors[8].data_size, 432);
	cr_expect_eq(mlperf_constant_bytes(&model), 78752);
	tflite_release(&model);
}

Test(tflite, mlperf_resnet_float32)
{
	struct tflite_model model;

	mlperf_read("pretrainedResnet.tflite", &model);
	mlperf_expect_resnet(&model, TFLITE_TYPE_FLOAT32);
	cr_expect_eq(model.tensors[8].type, TFLITE_TYPE_FLOAT32);
	cr_expect_eq(model.tensors[8].data_size, 1728);
	cr_expect_eq(mlperf_constant_bytes(&model), 310832);
	tflite_release(&model);
}

static void mlperf_expect_ad01(const struct tflite_model *model, int32_t io_type)
{
	uint32_t i;
	cr_expect_eq(model->operator_count, 10);
	cr_expect_eq(model->tensor_count, 31);
	cr_expect_eq(mlperf_count(model, TFLITE_OP_FULLY_CONNECTED), 10);
	mlperf_expect_shape(&model->tensors[model->inputs[0]], io_type, 2,
			    (const int32_t[]){1, 640});
	mlperf_expect_shape(&model->tensors[model->outputs[0]], io_type, 2,
			    (const int32_t[]){1, 640});
	/* operator 0: [0, 11, 1] -> [21], weights [128, 640], RELU */
	cr_expect_eq(model->operators[0].inputs[1], 11);
	cr_expect_eq(model->operators[0].inputs[2], 1);
	cr_expect_eq(model->operators[0].outputs[0], 21);
	cr_expect_eq(model->operators[0].options.activation, TFLITE_ACTIVATION_RELU);
	mlperf_expect_shape(&model->tensors[11], io_type, 2, (const int32_t[]){128, 640});
	for (i = 0; i < model->operator_count; i++)
		cr_expect_eq(model->operators[i].input_count, 3, "operator %u", i);
}

Test(tflite, mlperf_ad01_int8)
{
	struct tflite_model model;

	mlperf_read("ad01_int8.tflite", &model);
	mlperf_expect_ad01(&model, TFLITE_TYPE_INT8);
	mlperf_expect_quant(&model.tensors[0], 0.391015f, 89);
	mlperf_expect_quant(&model.tensors[30], 0.364498f, 96);
	mlperf_expect_quant(&model.tensors[11], 0.000377f, 0);
	cr_expect_eq(model.tensors[11].data_size, 81920);
	cr_expect_eq(model.tensors[1].type, TFLITE_TYPE_INT32);
	cr_expect_eq(mlperf_constant_bytes(&model), 270880);
	tflite_release(&model);
}

Test(tflite, mlperf_ad01_float32)
{
	struct tflite_model model;

	mlperf_read("ad01_fp32.tflite", &model);
	mlperf_expect_ad01(&model, TFLITE_TYPE_FLOAT32);
	cr_expect_eq(model.tensors[11].data_size, 327680);
	cr_expect_eq(mlperf_constant_bytes(&model), 1063456);
	tflite_release(&model);
}

/* Every prefix of a real model must be refused; lengths are sampled densely at
 * both ends (header, and the tables the converter writes last) and sparsely
 * between, each from its own allocation. */
static void mlperf_expect_prefixes_refused(const char *file)
{
	struct tflite_model model;
	size_t size, length;
	uint8_t *data = mlperf_load(file, &size);

	for (length = 0; length < size;) {
		int status = tiny_parse_copy(data, length, file, &model);
		cr_assert_eq(status, HB_ERR_INPUT, "%s cut at %zu bytes: status %d", file, length,
			     status);
		cr_assert(strstr(tflite_test_log, "truncated") ||
			      strstr(tflite_test_log, "not a TFLite model"),
			  "%s cut at %zu bytes: %s", file, length, tflite_test_log);
		length += (length < 2048 || length + 2048 > size) ? 1 : 61;
	}
	free(data);
}

Test(tflite, mlperf_prefixes_are_refused_kws)
{
	mlperf_expect_prefixes_refused("kws_ref_model.tflite");
}

Test(tflite, mlperf_prefixes_are_refused_resnet)
{
	mlperf_expect_prefixes_refused("pretrainedResnet_quant.tflite");
}

/* Flipping bytes in a real model must never crash the reader; whatever it
 * accepts must still have every index in range. */
Test(tflite, mlperf_byte_flips_never_escape_the_checks)
{
	struct tflite_model model;
	size_t size, i;
	uint8_t *data = mlperf_load("kws_ref_model.tflite", &size);
	uint32_t seed = 12345;

	for (i = 0; i < 3000; i++) {
		uint8_t *copy = malloc(size);
		size_t position;
		cr_assert_not_null(copy);
		memcpy(copy, data, size);
		seed = seed * 1103515245u + 12345u;
		/* the FlatBuffer tables sit after the constant data in this file */
		position = (i % 2) ? (seed >> 8) % size : size - 1 - (seed >> 8) % 4096;
		copy[position] ^= (uint8_t)(1u << (seed % 8));
		if (tflite_parse(copy, size, "flipped", &model) == HB_OK) {
			uint32_t op;
			int32_t k;
			for (op = 0; op < model.operator_count; op++)
				for (k = 0; k < model.operators[op].input_count; k++)
					cr_assert(model.operators[op].inputs[k] >= -1 &&
						  model.operators[op].inputs[k] <
						      (int32_t)model.tensor_count);
			tflite_release(&model);
		} else {
			cr_assert(strncmp(tflite_test_log, "'flipped': ", 11) == 0, "%s",
				  tflite_test_log);
		}
		free(copy);
	}
	free(data);
}

Test(tflite, a_name_too_long_to_keep_is_cut_with_an_ellipsis)
{
	struct tiny_builder b;
	struct tiny_layout layout;
	struct tiny_knobs k;
	struct tflite_model model;
	char name[201];

	memset(name, 'n', 200);
	name[200] = '\0';
	name[0] = 'A';
	tiny_defaults(&k);
	k.input_name = name;
	tiny_build(&b, &k, &layout);
	cr_assert_eq(tflite_parse(b.bytes, b.size, "long.tflite", &model), HB_OK, "%s",
		     tflite_test_log);
	cr_expect_eq(strlen(model.tensors[0].name), sizeof model.tensors[0].name - 1);
	cr_expect_eq(model.tensors[0].name[0], 'A');
	cr_expect_str_eq(model.tensors[0].name + sizeof model.tensors[0].name - 4, "...");
	tflite_release(&model);
}
