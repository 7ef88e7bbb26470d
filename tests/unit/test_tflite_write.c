/*
 * The .tflite writer: what it writes parses back (with our own reader) to
 * every field it was given, for a graph built here and for the MLPerf Tiny
 * models in ../shared/mlperf-tiny (skipped when that folder is absent);
 * the bytes follow the format where the reader is lenient (identifier,
 * operator code fields, 16-byte aligned data); models the schema cannot
 * express are refused naming the tensor or operator.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fileio.h"
#include "test_graph.h"
#include "model/tflite.h"
#include "model/tflite_write.h"

#define WRITE_TEST_MLPERF_DIR "../shared/mlperf-tiny"

static char write_test_log[2048];

static void write_test_sink(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)context;
	snprintf(write_test_log, sizeof write_test_log, "%s", message);
}

static void write_test_setup(void)
{
	write_test_log[0] = '\0';
	hb_log_set_sink(write_test_sink, NULL);
}

static void write_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

static int8_t write_test_conv_weights[3 * 3 * 3 * 2];
static const int32_t write_test_conv_bias[3] = {1000, -2000, 3};
static int8_t write_test_depthwise_weights[3 * 3 * 3];
static const int32_t write_test_new_shape[2] = {1, 12};
static int8_t write_test_fc_weights[5 * 12];
static const int32_t write_test_fc_bias[5] = {-5, 4, -3, 2, -1};

/* input [1,4,4,2] -> CONV_2D 3x3 SAME RELU6 (3 ch, per-channel) -> DEPTHWISE_CONV_2D
 * 3x3 stride 2 dilation 1 -> [1,2,2,3] -> ADD itself -> MAX_POOL_2D 1x1 -> AVG_POOL
 * -> RESHAPE [1,12] -> FULLY_CONNECTED 12->5 keep_num_dims -> SOFTMAX beta 0.5 */
static void write_test_build(struct test_graph *graph)
{
	static const float channel_scales[3] = {0.25f, 0.375f, 0.0625f};
	static const float depthwise_scales[3] = {0.5f, 0.125f, 0.03125f};
	static const int64_t zeros[3] = {0, 0, 0};
	struct tflite_operator *op;
	int32_t input, conv_w, conv_b, conv_out, dw_w, dw_out, add_out, max_out, avg_out, shape,
	    flat, fc_w, fc_b, fc_out, probabilities;

	for (size_t i = 0; i < sizeof write_test_conv_weights; i++)
		write_test_conv_weights[i] = (int8_t)(i * 7 - 60);
	for (size_t i = 0; i < sizeof write_test_depthwise_weights; i++)
		write_test_depthwise_weights[i] = (int8_t)(100 - i * 5);
	for (size_t i = 0; i < sizeof write_test_fc_weights; i++)
		write_test_fc_weights[i] = (int8_t)(i * 3 - 90);
	test_graph_init(graph, "built.tflite");
	snprintf(graph->model.description, sizeof graph->model.description, "built by hand");
	input = test_graph_tensor(graph, "input", TFLITE_TYPE_INT8, 4, (int32_t[]){1, 4, 4, 2},
				  NULL, 0);
	test_graph_quant1(graph, input, 0.5f, -1);
	conv_w =
	    test_graph_tensor(graph, "conv/weights", TFLITE_TYPE_INT8, 4, (int32_t[]){3, 3, 3, 2},
			      write_test_conv_weights, sizeof write_test_conv_weights);
	test_graph_quant(graph, conv_w, 3, channel_scales, zeros, 0);
	conv_b = test_graph_tensor(graph, "conv/bias", TFLITE_TYPE_INT32, 1, (int32_t[]){3},
				   write_test_conv_bias, sizeof write_test_conv_bias);
	conv_out = test_graph_tensor(graph, "conv_out", TFLITE_TYPE_INT8, 4,
				     (int32_t[]){1, 4, 4, 3}, NULL, 0);
	test_graph_quant1(graph, conv_out, 0.25f, 3);
	dw_w = test_graph_tensor(graph, "depthwise/weights", TFLITE_TYPE_INT8, 4,
				 (int32_t[]){1, 3, 3, 3}, write_test_depthwise_weights,
				 sizeof write_test_depthwise_weights);
	test_graph_quant(graph, dw_w, 3, depthwise_scales, zeros, 3);
	dw_out = test_graph_tensor(graph, "depthwise_out", TFLITE_TYPE_INT8, 4,
				   (int32_t[]){1, 2, 2, 3}, NULL, 0);
	test_graph_quant1(graph, dw_out, 0.125f, -7);
	add_out = test_graph_tensor(graph, "add_out", TFLITE_TYPE_INT8, 4, (int32_t[]){1, 2, 2, 3},
				    NULL, 0);
	test_graph_quant1(graph, add_out, 0.25f, -7);
	max_out = test_graph_tensor(graph, "max_out", TFLITE_TYPE_INT8, 4, (int32_t[]){1, 2, 2, 3},
				    NULL, 0);
	test_graph_quant1(graph, max_out, 0.25f, -7);
	avg_out = test_graph_tensor(graph, "avg_out", TFLITE_TYPE_INT8, 4, (int32_t[]){1, 2, 2, 3},
				    NULL, 0);
	test_graph_quant1(graph, avg_out, 0.25f, -7);
	shape = test_graph_tensor(graph, "new_shape", TFLITE_TYPE_INT32, 1, (int32_t[]){2},
				  write_test_new_shape, sizeof write_test_new_shape);
	flat = test_graph_tensor(graph, "flat", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 12}, NULL, 0);
	test_graph_quant1(graph, flat, 0.25f, -7);
	fc_w = test_graph_tensor(graph, "fc/weights", TFLITE_TYPE_INT8, 2, (int32_t[]){5, 12},
				 write_test_fc_weights, sizeof write_test_fc_weights);
	test_graph_quant1(graph, fc_w, 0.1f, 0);
	fc_b = test_graph_tensor(graph, "fc/bias", TFLITE_TYPE_INT32, 1, (int32_t[]){5},
				 write_test_fc_bias, sizeof write_test_fc_bias);
	fc_out =
	    test_graph_tensor(graph, "logits", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 5}, NULL, 0);
	test_graph_quant1(graph, fc_out, 0.125f, -2);
	probabilities = test_graph_tensor(graph, "probabilities", TFLITE_TYPE_INT8, 2,
					  (int32_t[]){1, 5}, NULL, 0);
	test_graph_quant1(graph, probabilities, 1.0f / 256, -128);

	op = test_graph_op(graph, TFLITE_OP_CONV_2D, 3, 3, (int32_t[]){input, conv_w, conv_b},
			   conv_out);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.activation = TFLITE_ACTIVATION_RELU6;
	op = test_graph_op(graph, TFLITE_OP_DEPTHWISE_CONV_2D, 3, 3,
			   (int32_t[]){conv_out, dw_w, -1}, dw_out);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.stride_width = 2;
	op->options.stride_height = 2;
	op->options.depth_multiplier = 1;
	op->options.dilation_width = 1;
	op->options.dilation_height = 1;
	op = test_graph_op(graph, TFLITE_OP_ADD, 2, 2, (int32_t[]){dw_out, dw_out}, add_out);
	op->options.activation = TFLITE_ACTIVATION_RELU;
	op = test_graph_op(graph, TFLITE_OP_MAX_POOL_2D, 2, 1, (int32_t[]){add_out}, max_out);
	op->options.padding = TFLITE_PADDING_VALID;
	op->options.filter_width = 1;
	op->options.filter_height = 1;
	op = test_graph_op(graph, TFLITE_OP_AVERAGE_POOL_2D, 2, 1, (int32_t[]){max_out}, avg_out);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.filter_width = 2;
	op->options.filter_height = 3;
	op->options.stride_width = 1;
	op->options.stride_height = 1;
	op = test_graph_op(graph, TFLITE_OP_RESHAPE, 1, 2, (int32_t[]){avg_out, shape}, flat);
	op->options.new_shape_count = 2;
	op->options.new_shape[0] = 1;
	op->options.new_shape[1] = 12;
	op = test_graph_op(graph, TFLITE_OP_FULLY_CONNECTED, 4, 3, (int32_t[]){flat, fc_w, fc_b},
			   fc_out);
	op->options.keep_num_dims = true;
	op->options.activation = TFLITE_ACTIVATION_NONE;
	op = test_graph_op(graph, TFLITE_OP_SOFTMAX, 2, 1, (int32_t[]){fc_out}, probabilities);
	op->options.beta = 0.5f;
	graph->model.input_count = 1;
	graph->model.inputs[0] = input;
	graph->model.output_count = 1;
	graph->model.outputs[0] = probabilities;
}

/* ---- comparing models field by field ---- */

static void write_test_expect_options(const struct tflite_options *a,
				      const struct tflite_options *b, const char *label,
				      uint32_t op)
{
	cr_expect_eq(a->padding, b->padding, "%s op %u padding", label, op);
	cr_expect_eq(a->stride_width, b->stride_width, "%s op %u stride_width", label, op);
	cr_expect_eq(a->stride_height, b->stride_height, "%s op %u stride_height", label, op);
	cr_expect_eq(a->dilation_width, b->dilation_width, "%s op %u dilation_w", label, op);
	cr_expect_eq(a->dilation_height, b->dilation_height, "%s op %u dilation_h", label, op);
	cr_expect_eq(a->filter_width, b->filter_width, "%s op %u filter_width", label, op);
	cr_expect_eq(a->filter_height, b->filter_height, "%s op %u filter_height", label, op);
	cr_expect_eq(a->depth_multiplier, b->depth_multiplier, "%s op %u depth_mult", label, op);
	cr_expect_eq(a->activation, b->activation, "%s op %u activation", label, op);
	cr_expect_eq(a->keep_num_dims, b->keep_num_dims, "%s op %u keep_num_dims", label, op);
	cr_expect_eq(a->weights_format, b->weights_format, "%s op %u weights_format", label, op);
	cr_expect(memcmp(&a->beta, &b->beta, sizeof a->beta) == 0, "%s op %u beta %g vs %g", label,
		  op, (double)a->beta, (double)b->beta);
	cr_expect_eq(a->new_shape_count, b->new_shape_count, "%s op %u new_shape_count", label, op);
	for (int32_t i = 0; i < a->new_shape_count && i < TFLITE_MAX_RANK; i++)
		cr_expect_eq(a->new_shape[i], b->new_shape[i], "%s op %u new_shape[%d]", label, op,
			     i);
}

static void write_test_expect_tensor(const struct tflite_tensor *a, const struct tflite_tensor *b,
				     const char *label, uint32_t index, bool same_buffers)
{
	cr_expect_str_eq(a->name, b->name, "%s tensor %u name", label, index);
	cr_expect_eq(a->type, b->type, "%s tensor %u type", label, index);
	cr_expect_eq(a->rank, b->rank, "%s tensor %u rank", label, index);
	for (int32_t d = 0; d < a->rank && d < TFLITE_MAX_RANK; d++)
		cr_expect_eq(a->shape[d], b->shape[d], "%s tensor %u shape[%d]", label, index, d);
	if (same_buffers)
		cr_expect_eq(a->buffer, b->buffer, "%s tensor %u buffer", label, index);
	cr_expect_eq(a->data == NULL, b->data == NULL, "%s tensor %u has data", label, index);
	cr_expect_eq(a->data_size, b->data_size, "%s tensor %u data size", label, index);
	if (a->data && b->data && a->data_size == b->data_size)
		cr_expect(memcmp(a->data, b->data, a->data_size) == 0, "%s tensor %u data bytes",
			  label, index);
	cr_expect_eq(a->quant_count, b->quant_count, "%s tensor %u quant count", label, index);
	cr_expect_eq(a->quantized_dimension, b->quantized_dimension,
		     "%s tensor %u quantized dimension", label, index);
	for (uint32_t q = 0; q < a->quant_count && q < b->quant_count; q++) {
		cr_expect(memcmp(&a->scales[q], &b->scales[q], sizeof(float)) == 0,
			  "%s tensor %u scale %u: %g vs %g", label, index, q, (double)a->scales[q],
			  (double)b->scales[q]);
		cr_expect_eq(a->zero_points[q], b->zero_points[q], "%s tensor %u zero point %u",
			     label, index, q);
	}
}

/* Every field tflite.h holds, except the file name and bytes. */
static void write_test_expect_same(const struct tflite_model *a, const struct tflite_model *b,
				   const char *label, bool same_buffers)
{
	cr_assert_eq(a->tensor_count, b->tensor_count, "%s tensor count", label);
	cr_assert_eq(a->operator_count, b->operator_count, "%s operator count", label);
	cr_expect_eq(b->schema_version, 3, "%s schema version", label);
	cr_expect_str_eq(a->description, b->description, "%s description", label);
	cr_assert_eq(a->input_count, b->input_count, "%s input count", label);
	cr_assert_eq(a->output_count, b->output_count, "%s output count", label);
	for (int32_t i = 0; i < a->input_count; i++)
		cr_expect_eq(a->inputs[i], b->inputs[i], "%s input %d", label, i);
	for (int32_t i = 0; i < a->output_count; i++)
		cr_expect_eq(a->outputs[i], b->outputs[i], "%s output %d", label, i);
	for (uint32_t i = 0; i < a->tensor_count; i++)
		write_test_expect_tensor(&a->tensors[i], &b->tensors[i], label, i, same_buffers);
	for (uint32_t i = 0; i < a->operator_count; i++) {
		const struct tflite_operator *x = &a->operators[i], *y = &b->operators[i];
		cr_expect_eq(x->builtin, y->builtin, "%s op %u builtin", label, i);
		cr_expect_eq(x->version, y->version, "%s op %u version", label, i);
		cr_expect_eq(x->input_count, y->input_count, "%s op %u input count", label, i);
		for (int32_t k = 0; k < x->input_count && k < TFLITE_MAX_OP_INPUTS; k++)
			cr_expect_eq(x->inputs[k], y->inputs[k], "%s op %u input %d", label, i, k);
		cr_expect_eq(x->output_count, y->output_count, "%s op %u output count", label, i);
		for (int32_t k = 0; k < x->output_count && k < TFLITE_MAX_OP_OUTPUTS; k++)
			cr_expect_eq(x->outputs[k], y->outputs[k], "%s op %u output %d", label, i,
				     k);
		write_test_expect_options(&x->options, &y->options, label, i);
	}
}

static void write_test_round_trip(const struct tflite_model *model, uint8_t **bytes, size_t *size,
				  struct tflite_model *parsed)
{
	cr_assert_eq(tflite_write(model, bytes, size), HB_OK, "%s", write_test_log);
	cr_assert_eq(tflite_parse(*bytes, *size, "written.tflite", parsed), HB_OK, "%s",
		     write_test_log);
}

/* ---- an independent look at the bytes (the reader is lenient on these) ---- */

static uint32_t write_test_u32(const uint8_t *bytes, size_t position)
{
	return (uint32_t)bytes[position] | (uint32_t)bytes[position + 1] << 8 |
	       (uint32_t)bytes[position + 2] << 16 | (uint32_t)bytes[position + 3] << 24;
}

/* Position of field `slot` of the table at `table`, 0 when absent. */
static size_t write_test_field(const uint8_t *bytes, size_t table, unsigned slot)
{
	size_t vtable = table - (size_t)(int32_t)write_test_u32(bytes, table);
	uint16_t vtable_size = (uint16_t)(bytes[vtable] | bytes[vtable + 1] << 8);
	uint16_t offset;

	if (4 + 2 * slot + 2 > vtable_size)
		return 0;
	offset = (uint16_t)(bytes[vtable + 4 + 2 * slot] | bytes[vtable + 5 + 2 * slot] << 8);
	return offset ? table + offset : 0;
}

static size_t write_test_follow(const uint8_t *bytes, size_t field)
{
	return field + write_test_u32(bytes, field);
}

/* ---- tests ---- */

TestSuite(tflite_write, .init = write_test_setup, .fini = write_test_teardown);

Test(tflite_write, hand_built_model_round_trips)
{
	struct test_graph graph;
	struct tflite_model parsed;
	uint8_t *bytes;
	size_t size;

	write_test_build(&graph);
	write_test_round_trip(&graph.model, &bytes, &size, &parsed);
	/* Constants left on buffer 0 got buffers of their own: compare all
	 * but the buffer index, then check the indices. */
	write_test_expect_same(&graph.model, &parsed, "hand-built", false);
	for (uint32_t i = 0; i < parsed.tensor_count; i++) {
		const struct tflite_tensor *tensor = &parsed.tensors[i];
		if (!tensor->data) {
			cr_expect_eq(tensor->buffer, 0, "tensor %u '%s'", i, tensor->name);
			continue;
		}
		cr_expect_neq(tensor->buffer, 0, "tensor %u '%s'", i, tensor->name);
		for (uint32_t j = 0; j < i; j++)
			if (parsed.tensors[j].data)
				cr_expect_neq(parsed.tensors[j].buffer, tensor->buffer,
					      "tensors %u and %u", j, i);
		/* the schema's force_align: 16 */
		cr_expect_eq((size_t)(tensor->data - bytes) % 16, 0, "tensor %u '%s' at %zu", i,
			     tensor->name, (size_t)(tensor->data - bytes));
	}
	cr_expect_eq(size % 16, 0, "file size %zu", size);
	tflite_release(&parsed);
	free(bytes);
}

Test(tflite_write, writing_is_deterministic_and_stable)
{
	struct test_graph graph;
	struct tflite_model parsed;
	uint8_t *first, *second, *again;
	size_t first_size, second_size, again_size;

	write_test_build(&graph);
	cr_assert_eq(tflite_write(&graph.model, &first, &first_size), HB_OK, "%s", write_test_log);
	cr_assert_eq(tflite_write(&graph.model, &second, &second_size), HB_OK);
	cr_assert_eq(first_size, second_size);
	cr_expect(memcmp(first, second, first_size) == 0);
	/* What was read back carries its buffer indices now: same bytes again. */
	cr_assert_eq(tflite_parse(first, first_size, "first", &parsed), HB_OK, "%s",
		     write_test_log);
	cr_assert_eq(tflite_write(&parsed, &again, &again_size), HB_OK, "%s", write_test_log);
	cr_assert_eq(again_size, first_size);
	cr_expect(memcmp(again, first, first_size) == 0);
	tflite_release(&parsed);
	free(first);
	free(second);
	free(again);
}

Test(tflite_write, identifier_version_and_operator_codes)
{
	struct test_graph graph;
	struct tflite_model parsed;
	uint8_t *bytes;
	size_t size, root, codes, code;
	static const int32_t shape[2] = {1, 4};
	int32_t a, b, c, d;

	test_graph_init(&graph, "built.tflite");
	a = test_graph_tensor(&graph, "a", TFLITE_TYPE_FLOAT32, 2, shape, NULL, 0);
	b = test_graph_tensor(&graph, "b", TFLITE_TYPE_FLOAT32, 2, shape, NULL, 0);
	c = test_graph_tensor(&graph, "c", TFLITE_TYPE_FLOAT32, 2, shape, NULL, 0);
	d = test_graph_tensor(&graph, "d", TFLITE_TYPE_FLOAT32, 2, shape, NULL, 0);
	/* SOFTMAX v1 twice shares one code; v2 gets another; 150 (past the
	 * deprecated byte's range) is stored as 127 plus the real code. */
	test_graph_op(&graph, TFLITE_OP_SOFTMAX, 1, 1, (int32_t[]){a}, b)->options.beta = 1.0f;
	test_graph_op(&graph, 150, 1, 1, (int32_t[]){b}, c);
	test_graph_op(&graph, TFLITE_OP_SOFTMAX, 2, 1, (int32_t[]){c}, d)->options.beta = 2.0f;
	test_graph_op(&graph, TFLITE_OP_SOFTMAX, 1, 1, (int32_t[]){d}, a)->options.beta = 3.0f;
	graph.model.input_count = 1;
	graph.model.output_count = 1;
	graph.model.outputs[0] = d;

	write_test_round_trip(&graph.model, &bytes, &size, &parsed);
	cr_expect(memcmp(bytes + 4, "TFL3", 4) == 0);
	cr_expect_eq(parsed.schema_version, 3);
	cr_expect_eq(parsed.operators[0].opcode_index, 0);
	cr_expect_eq(parsed.operators[1].opcode_index, 1);
	cr_expect_eq(parsed.operators[2].opcode_index, 2);
	cr_expect_eq(parsed.operators[3].opcode_index, 0);
	cr_expect_eq(parsed.operators[1].builtin, 150);
	cr_expect_eq(parsed.operators[2].version, 2);
	cr_expect_float_eq(parsed.operators[3].options.beta, 3.0f, 0);

	/* Model.operator_codes (slot 1): three tables; the second's
	 * deprecated_builtin_code (slot 0, a byte) is 127, builtin_code (slot 3) 150. */
	root = write_test_u32(bytes, 0);
	codes = write_test_follow(bytes, write_test_field(bytes, root, 1));
	cr_assert_eq(write_test_u32(bytes, codes), 3);
	code = write_test_follow(bytes, codes + 4 + 4);
	cr_assert_neq(write_test_field(bytes, code, 0), 0);
	cr_expect_eq(bytes[write_test_field(bytes, code, 0)], 127);
	cr_expect_eq(write_test_u32(bytes, write_test_field(bytes, code, 3)), 150);
	code = write_test_follow(bytes, codes + 4);
	cr_expect_eq(bytes[write_test_field(bytes, code, 0)], TFLITE_OP_SOFTMAX);
	cr_expect_eq(write_test_u32(bytes, write_test_field(bytes, code, 3)), TFLITE_OP_SOFTMAX);
	cr_expect_eq(write_test_u32(bytes, write_test_field(bytes, code, 2)), 1);
	tflite_release(&parsed);
	free(bytes);
}

Test(tflite_write, buffer_indices_are_kept_and_may_be_shared)
{
	struct test_graph graph;
	struct tflite_model parsed;
	uint8_t *bytes;
	size_t size;
	static const float values[4] = {1.5f, -2.0f, 0.25f, 8.0f};
	static const float same_values[4] = {1.5f, -2.0f, 0.25f, 8.0f};
	static const int32_t shape[1] = {4};
	int32_t input, first, second, sum, output;

	test_graph_init(&graph, "built.tflite");
	input = test_graph_tensor(&graph, "input", TFLITE_TYPE_FLOAT32, 1, shape, NULL, 0);
	graph.tensors[input].buffer = 2;
	first = test_graph_tensor(&graph, "first", TFLITE_TYPE_FLOAT32, 1, shape, values,
				  sizeof values);
	graph.tensors[first].buffer = 5;
	second = test_graph_tensor(&graph, "second", TFLITE_TYPE_FLOAT32, 1, shape, same_values,
				   sizeof same_values);
	graph.tensors[second].buffer = 5;
	sum = test_graph_tensor(&graph, "sum", TFLITE_TYPE_FLOAT32, 1, shape, NULL, 0);
	output = test_graph_tensor(&graph, "output", TFLITE_TYPE_FLOAT32, 1, shape, NULL, 0);
	test_graph_op(&graph, TFLITE_OP_ADD, 1, 2, (int32_t[]){input, first}, sum);
	test_graph_op(&graph, TFLITE_OP_ADD, 1, 2, (int32_t[]){sum, second}, output);
	graph.model.input_count = 1;
	graph.model.inputs[0] = input;
	graph.model.output_count = 1;
	graph.model.outputs[0] = output;

	write_test_round_trip(&graph.model, &bytes, &size, &parsed);
	write_test_expect_same(&graph.model, &parsed, "shared", true);
	cr_expect_eq(parsed.tensors[first].data, parsed.tensors[second].data,
		     "one buffer, one copy of the data");
	tflite_release(&parsed);
	free(bytes);
}

Test(tflite_write, write_file_then_read)
{
	struct test_graph graph;
	struct tflite_model parsed;
	char folder[] = "/tmp/tflite_write_test_XXXXXX";
	char path[64];

	write_test_build(&graph);
	cr_assert_not_null(mkdtemp(folder));
	snprintf(path, sizeof path, "%s/model.tflite", folder);
	cr_assert_eq(tflite_write_file(&graph.model, path), HB_OK, "%s", write_test_log);
	cr_assert_eq(tflite_read(path, &parsed), HB_OK, "%s", write_test_log);
	write_test_expect_same(&graph.model, &parsed, "file", false);
	tflite_release(&parsed);
	unlink(path);
	rmdir(folder);
}

TestSuite(tflite_write_errors, .init = write_test_setup, .fini = write_test_teardown);

static void write_test_expect_refused(const struct tflite_model *model, const char *needle)
{
	uint8_t *bytes = (uint8_t *)model; /* anything non-NULL: must be reset */
	size_t size = 1;

	cr_expect_eq(tflite_write(model, &bytes, &size), HB_ERR_INPUT);
	cr_expect_null(bytes);
	cr_expect_eq(size, 0);
	cr_expect(strstr(write_test_log, needle) != NULL, "message '%s' lacks '%s'", write_test_log,
		  needle);
}

Test(tflite_write_errors, operator_input_out_of_range)
{
	struct test_graph graph;

	write_test_build(&graph);
	graph.operators[2].inputs[1] = 99;
	write_test_expect_refused(
	    &graph.model, "operator 2 (ADD): input 1 refers to tensor 99, the model has 15");
}

Test(tflite_write_errors, data_size_does_not_match_shape)
{
	struct test_graph graph;

	write_test_build(&graph);
	graph.tensors[1].data_size = 17;
	write_test_expect_refused(&graph.model, "tensor 1 'conv/weights': 17 bytes of data, "
						"expected 54");
}

Test(tflite_write_errors, per_channel_scales_do_not_match)
{
	struct test_graph graph;

	write_test_build(&graph);
	graph.tensors[1].quantized_dimension = 3;
	write_test_expect_refused(&graph.model, "tensor 1 'conv/weights': 3 per-channel scales");
}

Test(tflite_write_errors, custom_operator)
{
	struct test_graph graph;

	write_test_build(&graph);
	graph.operators[0].builtin = 32;
	write_test_expect_refused(&graph.model, "operator 0 (CUSTOM)");
}

Test(tflite_write_errors, shared_buffer_with_different_data)
{
	struct test_graph graph;

	write_test_build(&graph);
	graph.tensors[1].buffer = 7;
	graph.tensors[2].buffer = 7;
	write_test_expect_refused(&graph.model,
				  "tensors 1 'conv/weights' and 2 'conv/bias' share buffer 7");
}

Test(tflite_write_errors, data_on_a_buffer_another_tensor_reads_as_empty)
{
	struct test_graph graph;

	write_test_build(&graph);
	graph.tensors[0].buffer = 4; /* the input: no data */
	graph.tensors[1].buffer = 4;
	write_test_expect_refused(&graph.model, "share buffer 4 but hold different data");
}

Test(tflite_write_errors, unknown_tensor_type)
{
	struct test_graph graph;

	write_test_build(&graph);
	graph.tensors[3].type = 5; /* STRING */
	write_test_expect_refused(&graph.model, "tensor 3 'conv_out': type STRING (5)");
}

/* ---- the MLPerf Tiny models ---- */

TestSuite(tflite_write_mlperf, .init = write_test_setup, .fini = write_test_teardown);

static void write_test_mlperf(const char *file)
{
	struct tflite_model original, parsed;
	uint8_t *bytes;
	size_t size, constant_bytes = 0;
	char path[256];

	if (access(WRITE_TEST_MLPERF_DIR, R_OK) != 0)
		cr_skip_test("../shared/mlperf-tiny not found: MLPerf Tiny round trips skipped");
	snprintf(path, sizeof path, "%s/%s", WRITE_TEST_MLPERF_DIR, file);
	cr_assert_eq(tflite_read(path, &original), HB_OK, "%s", write_test_log);
	write_test_round_trip(&original, &bytes, &size, &parsed);
	write_test_expect_same(&original, &parsed, file, true);
	/* The converters number operator codes in order of first use too. */
	for (uint32_t i = 0; i < original.operator_count; i++)
		cr_expect_eq(original.operators[i].opcode_index, parsed.operators[i].opcode_index,
			     "%s op %u opcode index", file, i);
	/* What tflite.h does not keep (min/max, shape signatures, metadata) is
	 * left out, so the file is no larger than the original plus alignment
	 * padding and the vtables a converter would have shared (a few dozen
	 * bytes per table at most), and holds at least every constant byte. */
	for (uint32_t i = 0; i < original.tensor_count; i++)
		constant_bytes += original.tensors[i].data_size;
	cr_expect_leq(size,
		      original.file_size +
			  32 * ((size_t)original.tensor_count + original.operator_count),
		      "%s: %zu bytes written, %zu read", file, size, original.file_size);
	cr_expect_geq(size, constant_bytes, "%s: %zu bytes written, %zu of constants", file, size,
		      constant_bytes);
	tflite_release(&parsed);
	tflite_release(&original);
	free(bytes);
}

Test(tflite_write_mlperf, kws_int8)
{
	write_test_mlperf("kws_ref_model.tflite");
}
Test(tflite_write_mlperf, kws_float32)
{
	write_test_mlperf("kws_ref_model_float32.tflite");
}
Test(tflite_write_mlperf, resnet_int8)
{
	write_test_mlperf("pretrainedResnet_quant.tflite");
}
Test(tflite_write_mlperf, resnet_float32)
{
	write_test_mlperf("pretrainedResnet.tflite");
}
Test(tflite_write_mlperf, ad_int8)
{
	write_test_mlperf("ad01_int8.tflite");
}
Test(tflite_write_mlperf, ad_float32)
{
	write_test_mlperf("ad01_fp32.tflite");
}
