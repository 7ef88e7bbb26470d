/*
 * The model compiler on graphs built by hand (every byte of the image
 * checked against values worked out here), its refusals, and the MLPerf
 * Tiny reference models when ../shared/mlperf-tiny is present.
 *
 * Scales in the hand-built graphs are chosen so the real multipliers are
 * exact binary fractions: input 0.5 * weights 0.375 / output 0.25 = 0.75,
 * which QuantizeMultiplier turns into 0.75 * 2^31 with shift 0.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "util/error.h"
#include "model/model_compile.h"
#include "model/model_load.h"
#include "model_image.h"
#include "nn_params.h"
#include "test_graph.h"
#include "test_image_walk.h"
#include "model/tflite.h"

#define COMPILE_TEST_MLPERF_DIR "../shared/mlperf-tiny"

static struct model_image_header compile_test_header(const struct compiled_model *compiled)
{
	struct model_image_header header;
	memcpy(&header, compiled->image, sizeof header);
	return header;
}

static struct model_tensor compile_test_tensor_at(const struct compiled_model *compiled,
						  uint32_t index)
{
	struct model_image_header header = compile_test_header(compiled);
	struct model_tensor record;
	memcpy(&record, compiled->image + header.tensors_offset + index * sizeof record,
	       sizeof record);
	return record;
}

static struct model_op compile_test_op_at(const struct compiled_model *compiled, uint32_t index)
{
	struct model_image_header header = compile_test_header(compiled);
	struct model_op record;
	memcpy(&record, compiled->image + header.ops_offset + index * sizeof record, sizeof record);
	return record;
}

static void compile_test_expect_dims(const int32_t *dims, int32_t d0, int32_t d1, int32_t d2,
				     int32_t d3)
{
	cr_expect_eq(dims[0], d0, "dims [%d, %d, %d, %d]", dims[0], dims[1], dims[2], dims[3]);
	cr_expect_eq(dims[1], d1, "dims [%d, %d, %d, %d]", dims[0], dims[1], dims[2], dims[3]);
	cr_expect_eq(dims[2], d2, "dims [%d, %d, %d, %d]", dims[0], dims[1], dims[2], dims[3]);
	cr_expect_eq(dims[3], d3, "dims [%d, %d, %d, %d]", dims[0], dims[1], dims[2], dims[3]);
}

/* input [1,4,4,2] -> CONV_2D 3x3 stride 2 SAME, 3 channels, RELU6 -> [1,2,2,3]
 *       -> FULLY_CONNECTED 12 -> 5 (the rank-4 input flattened) -> [1,5] */
static int8_t compile_test_conv_weights[54];
static const int32_t compile_test_conv_bias[3] = {100, -200, 300};
static int8_t compile_test_fc_weights[60];
static const int32_t compile_test_fc_bias[5] = {1, -2, 3, -4, 5};

static void compile_test_conv_fc(struct test_graph *graph)
{
	static const int32_t input_shape[4] = {1, 4, 4, 2};
	static const int32_t conv_weights_shape[4] = {3, 3, 3, 2};
	static const int32_t conv_bias_shape[1] = {3};
	static const int32_t conv_out_shape[4] = {1, 2, 2, 3};
	static const int32_t fc_weights_shape[2] = {5, 12};
	static const int32_t fc_bias_shape[1] = {5};
	static const int32_t fc_out_shape[2] = {1, 5};
	static const float channel_scales[3] = {0.25f, 0.375f, 0.0625f};
	static const int64_t zeros[3] = {0, 0, 0};
	struct tflite_operator *op;
	int32_t input, conv_weights, conv_bias, conv_out, fc_weights, fc_bias, fc_out;

	for (int i = 0; i < 54; i++)
		compile_test_conv_weights[i] = (int8_t)(i * 5 - 100);
	for (int i = 0; i < 60; i++)
		compile_test_fc_weights[i] = (int8_t)(i * 3 - 90);
	test_graph_init(graph, "test.tflite");
	input = test_graph_tensor(graph, "input", TFLITE_TYPE_INT8, 4, input_shape, NULL, 0);
	test_graph_quant1(graph, input, 0.5f, -1);
	conv_weights = test_graph_tensor(graph, "conv/weights", TFLITE_TYPE_INT8, 4,
					 conv_weights_shape, compile_test_conv_weights, 54);
	test_graph_quant(graph, conv_weights, 3, channel_scales, zeros, 0);
	conv_bias = test_graph_tensor(graph, "conv/bias", TFLITE_TYPE_INT32, 1, conv_bias_shape,
				      compile_test_conv_bias, sizeof compile_test_conv_bias);
	conv_out =
	    test_graph_tensor(graph, "conv_out", TFLITE_TYPE_INT8, 4, conv_out_shape, NULL, 0);
	test_graph_quant1(graph, conv_out, 0.25f, 3);
	fc_weights = test_graph_tensor(graph, "fc/weights", TFLITE_TYPE_INT8, 2, fc_weights_shape,
				       compile_test_fc_weights, 60);
	test_graph_quant1(graph, fc_weights, 0.1f, 0);
	fc_bias = test_graph_tensor(graph, "fc/bias", TFLITE_TYPE_INT32, 1, fc_bias_shape,
				    compile_test_fc_bias, sizeof compile_test_fc_bias);
	fc_out = test_graph_tensor(graph, "output", TFLITE_TYPE_INT8, 2, fc_out_shape, NULL, 0);
	test_graph_quant1(graph, fc_out, 0.125f, -2);

	op = test_graph_op(graph, TFLITE_OP_CONV_2D, 1, 3,
			   (int32_t[]){input, conv_weights, conv_bias}, conv_out);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.stride_height = 2;
	op->options.stride_width = 2;
	op->options.activation = TFLITE_ACTIVATION_RELU6;
	test_graph_op(graph, TFLITE_OP_FULLY_CONNECTED, 1, 3,
		      (int32_t[]){conv_out, fc_weights, fc_bias}, fc_out);
	graph->model.inputs[0] = input;
	graph->model.outputs[0] = fc_out;
}

Test(model_compile, conv_fc_image_header_and_tables)
{
	struct test_graph graph;
	struct compiled_model compiled;
	struct model_image_header header;
	struct model_tensor record;

	compile_test_conv_fc(&graph);
	cr_assert_eq(model_compile(&graph.model, 0xDEADBEEFu, &compiled), HB_OK, "%s",
		     hb_last_error());
	header = compile_test_header(&compiled);
	cr_expect_eq(header.magic, MODEL_IMAGE_MAGIC);
	cr_expect_eq(header.version, MODEL_IMAGE_VERSION);
	cr_expect_eq(header.header_size, 64);
	/* 64 header + 9 * 40 tensors + 2 * 40 ops + 88 + 36 params +
	 * 56 (54 padded) + 12 + 24 + 60 + 20 + 40 constants */
	cr_expect_eq(header.image_size, 840);
	cr_expect_eq(compiled.image_size, 840);
	cr_expect_eq(header.tensor_count, 9);
	cr_expect_eq(header.tensors_offset, 64);
	cr_expect_eq(header.op_count, 2);
	cr_expect_eq(header.ops_offset, 424);
	cr_expect_eq(header.input_tensor, 0, "the graph input is registered first");
	cr_expect_eq(header.output_tensor, 8);
	/* conv: 2*2*3 outputs * 3*3*2 taps = 216; fc: 12 * 5 = 60 */
	cr_expect_eq(header.macs_low, 276);
	cr_expect_eq(header.macs_high, 0);
	cr_expect_eq(header.source_crc32, 0xDEADBEEFu);
	cr_expect_eq(header.crc32, crc32_compute(compiled.image + 64, 840 - 64));
	/* Buffers, aligned to 16: input 32 [-1,0], conv_out 16 [0,1], output 16
	 * [1,end]. Input at 0, conv_out above it, output reuses 0 at step 1: a
	 * 48 B arena, plus a 32 B input copy above it, 80 B. Kept alive to the
	 * end instead, the input takes 0-31, conv_out 32-47 and the output
	 * 48-63: 64 B and no copy, the smaller, so the image keeps it. */
	cr_expect_eq(header.arena_size, 64);
	cr_expect_eq(compiled.arena_size, 64);
	cr_expect_eq(compiled.arena_fresh_input, 48);
	cr_expect_eq(compiled.activation_floor, 48);
	cr_expect(compiled.input_in_arena);
	cr_expect_eq(header.flags, MODEL_IMAGE_INPUT_IN_ARENA);

	record = compile_test_tensor_at(&compiled, 0); /* input */
	cr_expect_eq(record.dtype, MODEL_DTYPE_INT8);
	cr_expect_eq(record.location, MODEL_LOCATION_ARENA);
	cr_expect_eq(record.offset, 0);
	cr_expect_eq(record.size, 32);
	compile_test_expect_dims(record.dims, 1, 4, 4, 2);
	cr_expect_eq(record.scale, 0.5f);
	cr_expect_eq(record.zero_point, -1);

	record = compile_test_tensor_at(&compiled, 1); /* conv weights */
	cr_expect_eq(record.dtype, MODEL_DTYPE_INT8);
	cr_expect_eq(record.location, MODEL_LOCATION_IMAGE);
	cr_expect_eq(record.offset, 628);
	cr_expect_eq(record.size, 54);
	compile_test_expect_dims(record.dims, 3, 3, 3, 2);
	cr_expect_eq(record.scale, 0.0f, "per-channel weights have no single scale");

	record = compile_test_tensor_at(&compiled, 2); /* conv bias */
	cr_expect_eq(record.dtype, MODEL_DTYPE_INT32);
	cr_expect_eq(record.offset, 684);
	cr_expect_eq(record.size, 12);
	compile_test_expect_dims(record.dims, 1, 1, 1, 3);

	record = compile_test_tensor_at(&compiled, 3); /* conv quant */
	cr_expect_eq(record.dtype, MODEL_DTYPE_INT32);
	cr_expect_eq(record.location, MODEL_LOCATION_IMAGE);
	cr_expect_eq(record.offset, 696);
	cr_expect_eq(record.size, 24);
	compile_test_expect_dims(record.dims, 1, 1, 2, 3);

	record = compile_test_tensor_at(&compiled, 4); /* conv_out */
	cr_expect_eq(record.location, MODEL_LOCATION_ARENA);
	cr_expect_eq(record.offset, 32);
	cr_expect_eq(record.size, 12);
	compile_test_expect_dims(record.dims, 1, 2, 2, 3);
	cr_expect_eq(record.scale, 0.25f);
	cr_expect_eq(record.zero_point, 3);

	record = compile_test_tensor_at(&compiled, 5); /* fc weights */
	cr_expect_eq(record.offset, 720);
	cr_expect_eq(record.size, 60);
	compile_test_expect_dims(record.dims, 1, 1, 5, 12);
	record = compile_test_tensor_at(&compiled, 6); /* fc bias */
	cr_expect_eq(record.offset, 780);
	record = compile_test_tensor_at(&compiled, 7); /* fc quant */
	cr_expect_eq(record.offset, 800);
	cr_expect_eq(record.size, 40);

	record = compile_test_tensor_at(&compiled, 8); /* output */
	cr_expect_eq(record.location, MODEL_LOCATION_ARENA);
	cr_expect_eq(record.offset, 48);
	cr_expect_eq(record.size, 5);
	compile_test_expect_dims(record.dims, 1, 1, 1, 5);
	cr_expect_eq(record.zero_point, -2);

	cr_expect_eq(model_image_check(compiled.image, compiled.image_size, compiled.arena_size),
		     MODEL_CHECK_OK);
	compiled_model_release(&compiled);
}

Test(model_compile, conv_fc_ops_params_and_constants)
{
	struct test_graph graph;
	struct compiled_model compiled;
	struct model_op op;
	struct nn_conv_params conv;
	struct nn_fc_params fc;
	int32_t quant[10];

	compile_test_conv_fc(&graph);
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());

	op = compile_test_op_at(&compiled, 0);
	cr_expect_eq(op.kind, MODEL_OP_CONV2D_S8);
	cr_expect_eq(op.params_offset, 504);
	cr_expect_eq(op.params_size, sizeof conv);
	cr_expect_eq(op.input_count, 4);
	cr_expect_eq(op.inputs[0], 0);
	cr_expect_eq(op.inputs[1], 1);
	cr_expect_eq(op.inputs[2], 2);
	cr_expect_eq(op.inputs[3], 3);
	cr_expect_eq(op.output, 4);
	cr_expect_eq(op.macs, 216);
	memcpy(&conv, compiled.image + op.params_offset, sizeof conv);
	cr_expect_eq(conv.batches, 1);
	cr_expect_eq(conv.input_height, 4);
	cr_expect_eq(conv.input_width, 4);
	cr_expect_eq(conv.input_channels, 2);
	cr_expect_eq(conv.filter_height, 3);
	cr_expect_eq(conv.filter_width, 3);
	cr_expect_eq(conv.output_height, 2);
	cr_expect_eq(conv.output_width, 2);
	cr_expect_eq(conv.output_channels, 3);
	cr_expect_eq(conv.stride_height, 2);
	cr_expect_eq(conv.stride_width, 2);
	cr_expect_eq(conv.dilation_height, 1);
	cr_expect_eq(conv.dilation_width, 1);
	/* SAME, 4 in, stride 2: 2 out, (2-1)*2 + 3 - 4 = 1 row of padding, at the bottom */
	cr_expect_eq(conv.pad_top, 0);
	cr_expect_eq(conv.pad_left, 0);
	cr_expect_eq(conv.depth_multiplier, 1);
	cr_expect_eq(conv.input_offset, 1, "minus the input zero point -1");
	cr_expect_eq(conv.output_offset, 3);
	cr_expect_eq(conv.activation_min, 3, "RELU6: 3 + round(0 / 0.25)");
	cr_expect_eq(conv.activation_max, 27, "RELU6: 3 + round(6 / 0.25)");

	/* 0.5 * {0.25, 0.375, 0.0625} / 0.25 = {0.5, 0.75, 0.125} */
	memcpy(quant, compiled.image + 696, 6 * sizeof *quant);
	cr_expect_eq(quant[0], 1 << 30);
	cr_expect_eq(quant[1], 1610612736);
	cr_expect_eq(quant[2], 1 << 30);
	cr_expect_eq(quant[3], 0);
	cr_expect_eq(quant[4], 0);
	cr_expect_eq(quant[5], -2);
	cr_expect_arr_eq(compiled.image + 628, compile_test_conv_weights, 54);
	cr_expect_eq(compiled.image[682], 0, "padding after the weights is zero");
	cr_expect_arr_eq(compiled.image + 684, compile_test_conv_bias, 12);

	op = compile_test_op_at(&compiled, 1);
	cr_expect_eq(op.kind, MODEL_OP_FULLY_CONNECTED_S8);
	cr_expect_eq(op.params_offset, 592);
	cr_expect_eq(op.params_size, sizeof fc);
	cr_expect_eq(op.input_count, 4);
	cr_expect_eq(op.inputs[0], 4);
	cr_expect_eq(op.inputs[1], 5);
	cr_expect_eq(op.inputs[2], 6);
	cr_expect_eq(op.inputs[3], 7);
	cr_expect_eq(op.output, 8);
	cr_expect_eq(op.macs, 60);
	memcpy(&fc, compiled.image + op.params_offset, sizeof fc);
	cr_expect_eq(fc.input_count, 12);
	cr_expect_eq(fc.output_count, 5);
	cr_expect_eq(fc.batches, 1);
	cr_expect_eq(fc.input_offset, -3);
	cr_expect_eq(fc.output_offset, -2);
	cr_expect_eq(fc.activation_min, -128);
	cr_expect_eq(fc.activation_max, 127);
	/* 0.25 * 0.1f / 0.125 = 2 * 0.1f = 13421773 * 2^-26 = (13421773 * 2^7) * 2^-31 * 2^-2 */
	memcpy(quant, compiled.image + 800, 10 * sizeof *quant);
	for (int i = 0; i < 5; i++) {
		cr_expect_eq(quant[i], 13421773 * 128, "channel %d", i);
		cr_expect_eq(quant[5 + i], -2, "channel %d", i);
	}
	cr_expect_arr_eq(compiled.image + 720, compile_test_fc_weights, 60);
	cr_expect_arr_eq(compiled.image + 780, compile_test_fc_bias, 20);
	compiled_model_release(&compiled);
}

Test(model_compile, conv_fc_summary)
{
	struct test_graph graph;
	struct compiled_model compiled;

	compile_test_conv_fc(&graph);
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	cr_expect_eq(compiled.macs, 276);
	cr_expect_eq(compiled.weight_bytes, 54 + 12 + 24 + 60 + 20 + 40);
	cr_expect_not(compiled.hybrid);
	cr_expect_eq(compiled.input_dtype, MODEL_DTYPE_INT8);
	cr_expect_eq(compiled.input_bytes, 32);
	compile_test_expect_dims(compiled.input_shape, 1, 4, 4, 2);
	cr_expect_eq(compiled.output_dtype, MODEL_DTYPE_INT8);
	cr_expect_eq(compiled.output_bytes, 5);
	compile_test_expect_dims(compiled.output_shape, 1, 1, 1, 5);
	cr_assert_eq(compiled.layer_count, 2);
	cr_expect_eq(compiled.layers[0].tflite_index, 0);
	cr_expect_eq(compiled.layers[0].builtin, TFLITE_OP_CONV_2D);
	cr_expect_eq(compiled.layers[0].kind, MODEL_OP_CONV2D_S8);
	cr_expect_eq(compiled.layers[0].macs, 216);
	cr_expect_eq(compiled.layers[0].weight_bytes, 54 + 12 + 24);
	cr_expect_eq(compiled.layers[0].output_bytes, 12);
	cr_expect_eq(compiled.layers[0].live_bytes, 48, "input 32 + conv_out 16");
	compile_test_expect_dims(compiled.layers[0].output_shape, 1, 2, 2, 3);
	cr_expect_eq(compiled.layers[1].kind, MODEL_OP_FULLY_CONNECTED_S8);
	cr_expect_eq(compiled.layers[1].weight_bytes, 60 + 20 + 40);
	cr_expect_eq(compiled.layers[1].output_bytes, 5);
	cr_expect_eq(compiled.layers[1].live_bytes, 32, "conv_out 16 + output 16");
	compiled_model_release(&compiled);
}

/* input [1,2,2,3] -> RESHAPE [1,12] -> FULLY_CONNECTED -> [1,4], float32 */
Test(model_compile, reshape_is_an_alias)
{
	static const int32_t input_shape[4] = {1, 2, 2, 3};
	static const int32_t flat_shape[2] = {1, 12};
	static const int32_t weights_shape[2] = {4, 12};
	static const int32_t out_shape[2] = {1, 4};
	static float weights[48];
	struct test_graph graph;
	struct compiled_model compiled;
	struct model_tensor input, flat;
	struct model_op op;
	int32_t in, reshaped, w, out;

	test_graph_init(&graph, "test.tflite");
	in = test_graph_tensor(&graph, "input", TFLITE_TYPE_FLOAT32, 4, input_shape, NULL, 0);
	reshaped = test_graph_tensor(&graph, "flat", TFLITE_TYPE_FLOAT32, 2, flat_shape, NULL, 0);
	w = test_graph_tensor(&graph, "w", TFLITE_TYPE_FLOAT32, 2, weights_shape, weights,
			      sizeof weights);
	out = test_graph_tensor(&graph, "out", TFLITE_TYPE_FLOAT32, 2, out_shape, NULL, 0);
	test_graph_op(&graph, TFLITE_OP_RESHAPE, 1, 1, (int32_t[]){in}, reshaped);
	test_graph_op(&graph, TFLITE_OP_FULLY_CONNECTED, 1, 3, (int32_t[]){reshaped, w, -1}, out);
	graph.model.inputs[0] = in;
	graph.model.outputs[0] = out;
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());

	cr_expect_eq(compile_test_header(&compiled).op_count, 1, "no op for the reshape");
	cr_expect_eq(compiled.layers[0].kind, 0);
	cr_expect_eq(compiled.layers[0].output_bytes, 48);
	op = compile_test_op_at(&compiled, 0);
	cr_expect_eq(op.kind, MODEL_OP_FULLY_CONNECTED_F32);
	cr_expect_eq(op.input_count, 3);
	cr_expect_eq(op.inputs[2], MODEL_NO_TENSOR, "no bias");
	input = compile_test_tensor_at(&compiled, 0);
	flat = compile_test_tensor_at(&compiled, op.inputs[0]);
	cr_expect_neq(op.inputs[0], 0, "the view has its own table entry");
	cr_expect_eq(flat.location, MODEL_LOCATION_ARENA);
	cr_expect_eq(flat.offset, input.offset, "same bytes");
	cr_expect_eq(flat.size, 48);
	compile_test_expect_dims(flat.dims, 1, 1, 1, 12);
	/* The input lives until the FC reads it through the view, so the
	 * output (16 bytes) cannot take its place: 48 + 16. */
	cr_expect_eq(compiled.arena_size, 64);
	cr_expect_neq(compile_test_tensor_at(&compiled, op.output).offset, input.offset);
	cr_expect_eq(model_image_check(compiled.image, compiled.image_size, compiled.arena_size),
		     MODEL_CHECK_OK);
	compiled_model_release(&compiled);
}

/* float input [1,3,3,2] -> DEPTHWISE 2x2, multiplier 2, VALID, int8 weights
 * per channel -> [1,2,2,4]: the weights become float constants */
Test(model_compile, hybrid_depthwise_dequantizes_weights)
{
	static const int32_t input_shape[4] = {1, 3, 3, 2};
	static const int32_t weights_shape[4] = {1, 2, 2, 4};
	static const int32_t out_shape[4] = {1, 2, 2, 4};
	static const int8_t weights[16] = {1,  2,  3,  4,  -1,	 -2,  -3, -4,
					   10, 20, 30, 40, -128, 127, 0,  64};
	static const float scales[4] = {0.5f, 0.25f, 2.0f, 0.125f};
	static const int64_t zeros[4] = {0, 0, 0, 0};
	struct test_graph graph;
	struct compiled_model compiled;
	struct model_op op;
	struct nn_conv_params params;
	float values[16];
	struct tflite_operator *depthwise;
	int32_t in, w, out;

	test_graph_init(&graph, "test.tflite");
	in = test_graph_tensor(&graph, "input", TFLITE_TYPE_FLOAT32, 4, input_shape, NULL, 0);
	w = test_graph_tensor(&graph, "w", TFLITE_TYPE_INT8, 4, weights_shape, weights, 16);
	test_graph_quant(&graph, w, 4, scales, zeros, 3);
	out = test_graph_tensor(&graph, "out", TFLITE_TYPE_FLOAT32, 4, out_shape, NULL, 0);
	depthwise =
	    test_graph_op(&graph, TFLITE_OP_DEPTHWISE_CONV_2D, 1, 3, (int32_t[]){in, w, -1}, out);
	depthwise->options.padding = TFLITE_PADDING_VALID;
	depthwise->options.depth_multiplier = 2;
	depthwise->options.activation = TFLITE_ACTIVATION_RELU;
	graph.model.inputs[0] = in;
	graph.model.outputs[0] = out;
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());

	cr_expect(compiled.hybrid);
	op = compile_test_op_at(&compiled, 0);
	cr_expect_eq(op.kind, MODEL_OP_DEPTHWISE_CONV2D_F32);
	/* 2*2 outputs * 4 channels * 2*2 taps */
	cr_expect_eq(op.macs, 64);
	memcpy(&params, compiled.image + op.params_offset, sizeof params);
	cr_expect_eq(params.depth_multiplier, 2);
	cr_expect_eq(params.output_channels, 4);
	cr_expect_eq(params.output_height, 2);
	cr_expect_eq(params.activation_min_f, 0.0f);
	cr_expect_eq(params.activation_max_f, FLT_MAX);
	cr_expect_eq(compile_test_tensor_at(&compiled, op.inputs[1]).dtype, MODEL_DTYPE_FLOAT32);
	cr_expect_eq(compile_test_tensor_at(&compiled, op.inputs[1]).size, 64);
	memcpy(values, compiled.image + compile_test_tensor_at(&compiled, op.inputs[1]).offset,
	       sizeof values);
	/* The channel is the last dimension: scale index = element % 4. */
	cr_expect_eq(values[0], 0.5f);
	cr_expect_eq(values[1], 0.5f);
	cr_expect_eq(values[2], 6.0f);
	cr_expect_eq(values[3], 0.5f);
	cr_expect_eq(values[4], -0.5f);
	cr_expect_eq(values[7], -0.5f);
	cr_expect_eq(values[10], 60.0f);
	cr_expect_eq(values[12], -64.0f);
	cr_expect_eq(values[13], 31.75f);
	cr_expect_eq(values[15], 8.0f);
	compiled_model_release(&compiled);
}

/* A DEQUANTIZE of constant int8 weights is folded: FC reads floats. */
Test(model_compile, constant_dequantize_is_folded)
{
	static const int32_t in_shape[2] = {1, 2};
	static const int32_t weights_shape[2] = {3, 2};
	static const int32_t out_shape[2] = {1, 3};
	static const int8_t weights[6] = {10, -10, 0, 127, -128, 3};
	struct test_graph graph;
	struct compiled_model compiled;
	struct model_op op;
	float values[6];
	int32_t in, q, w, out;

	test_graph_init(&graph, "test.tflite");
	in = test_graph_tensor(&graph, "input", TFLITE_TYPE_FLOAT32, 2, in_shape, NULL, 0);
	q = test_graph_tensor(&graph, "w_int8", TFLITE_TYPE_INT8, 2, weights_shape, weights, 6);
	test_graph_quant1(&graph, q, 0.5f, 2);
	w = test_graph_tensor(&graph, "w", TFLITE_TYPE_FLOAT32, 2, weights_shape, NULL, 0);
	out = test_graph_tensor(&graph, "out", TFLITE_TYPE_FLOAT32, 2, out_shape, NULL, 0);
	test_graph_op(&graph, TFLITE_OP_DEQUANTIZE, 1, 1, (int32_t[]){q}, w);
	test_graph_op(&graph, TFLITE_OP_FULLY_CONNECTED, 1, 3, (int32_t[]){in, w, -1}, out);
	graph.model.inputs[0] = in;
	graph.model.outputs[0] = out;
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());

	cr_expect(compiled.hybrid);
	cr_expect_eq(compile_test_header(&compiled).op_count, 1);
	cr_expect_eq(compiled.layers[0].kind, 0, "the DEQUANTIZE runs here, not on the target");
	op = compile_test_op_at(&compiled, 0);
	cr_expect_eq(op.kind, MODEL_OP_FULLY_CONNECTED_F32);
	memcpy(values, compiled.image + compile_test_tensor_at(&compiled, op.inputs[1]).offset,
	       sizeof values);
	/* 0.5 * (q - 2) */
	cr_expect_eq(values[0], 4.0f);
	cr_expect_eq(values[1], -6.0f);
	cr_expect_eq(values[2], -1.0f);
	cr_expect_eq(values[3], 62.5f);
	cr_expect_eq(values[4], -65.0f);
	cr_expect_eq(values[5], 0.5f);
	compiled_model_release(&compiled);
}

/* a, b int8 [1,4] -> ADD (RELU) -> [1,4] -> SOFTMAX -> [1,4] */
Test(model_compile, add_and_softmax_params)
{
	static const int32_t shape[2] = {1, 4};
	static const int8_t b_data[4] = {1, 2, 3, 4};
	struct test_graph graph;
	struct compiled_model compiled;
	struct nn_add_params add;
	struct nn_softmax_params softmax;
	struct tflite_operator *op;
	int32_t a, b, sum, probabilities;

	test_graph_init(&graph, "test.tflite");
	a = test_graph_tensor(&graph, "a", TFLITE_TYPE_INT8, 2, shape, NULL, 0);
	test_graph_quant1(&graph, a, 0.5f, 1);
	sum = test_graph_tensor(&graph, "sum", TFLITE_TYPE_INT8, 2, shape, NULL, 0);
	test_graph_quant1(&graph, sum, 0.0625f, 5);
	probabilities = test_graph_tensor(&graph, "p", TFLITE_TYPE_INT8, 2, shape, NULL, 0);
	test_graph_quant1(&graph, probabilities, 1.0f / 256, -128);
	/* a + a would hide a swapped multiplier: the second input has another scale. */
	b = test_graph_tensor(&graph, "b", TFLITE_TYPE_INT8, 2, shape, b_data, sizeof b_data);
	test_graph_quant1(&graph, b, 0.25f, -3);
	op = test_graph_op(&graph, TFLITE_OP_ADD, 1, 2, (int32_t[]){a, b}, sum);
	op->options.activation = TFLITE_ACTIVATION_RELU;
	op = test_graph_op(&graph, TFLITE_OP_SOFTMAX, 1, 1, (int32_t[]){sum}, probabilities);
	op->options.beta = 1.0f;
	graph.model.inputs[0] = a;
	graph.model.outputs[0] = probabilities;
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());

	cr_assert_eq(compile_test_op_at(&compiled, 0).kind, MODEL_OP_ADD_S8);
	memcpy(&add, compiled.image + compile_test_op_at(&compiled, 0).params_offset, sizeof add);
	cr_expect_eq(add.size, 4);
	cr_expect_eq(add.input1_offset, -1);
	cr_expect_eq(add.input2_offset, 3);
	cr_expect_eq(add.output_offset, 5);
	cr_expect_eq(add.left_shift, 20);
	/* twice the larger input scale = 1.0: 0.5 -> 2^30 shift 0; 0.25 ->
	 * 2^30 shift -1; output 1 / (2^20 * 0.0625) = 2^-16 -> 2^30 shift -15 */
	cr_expect_eq(add.input1_multiplier, 1 << 30);
	cr_expect_eq(add.input1_shift, 0);
	cr_expect_eq(add.input2_multiplier, 1 << 30);
	cr_expect_eq(add.input2_shift, -1);
	cr_expect_eq(add.output_multiplier, 1 << 30);
	cr_expect_eq(add.output_shift, -15);
	cr_expect_eq(add.activation_min, 5);
	cr_expect_eq(add.activation_max, 127);
	/* The constant second input lives in the image. */
	cr_expect_eq(
	    compile_test_tensor_at(&compiled, compile_test_op_at(&compiled, 0).inputs[1]).location,
	    MODEL_LOCATION_IMAGE);

	cr_assert_eq(compile_test_op_at(&compiled, 1).kind, MODEL_OP_SOFTMAX_S8);
	memcpy(&softmax, compiled.image + compile_test_op_at(&compiled, 1).params_offset,
	       sizeof softmax);
	cr_expect_eq(softmax.rows, 1);
	cr_expect_eq(softmax.row_size, 4);
	/* 1.0 * 0.0625 * 2^26 = 2^22 -> 2^30 with left shift 23; radius 31 * 2^26 / 2^23 */
	cr_expect_eq(softmax.input_multiplier, 1 << 30);
	cr_expect_eq(softmax.input_left_shift, 23);
	cr_expect_eq(softmax.diff_min, -248);
	cr_expect_eq(model_image_check(compiled.image, compiled.image_size, compiled.arena_size),
		     MODEL_CHECK_OK);
	compiled_model_release(&compiled);
}

/* float [1,5,5,1] -> MAX_POOL 2x2 stride 2 SAME -> [1,3,3,1] */
Test(model_compile, pool_params)
{
	static const int32_t in_shape[4] = {1, 5, 5, 1};
	static const int32_t out_shape[4] = {1, 3, 3, 1};
	struct test_graph graph;
	struct compiled_model compiled;
	struct nn_pool_params pool;
	struct tflite_operator *op;
	int32_t in, out;

	test_graph_init(&graph, "test.tflite");
	in = test_graph_tensor(&graph, "in", TFLITE_TYPE_FLOAT32, 4, in_shape, NULL, 0);
	out = test_graph_tensor(&graph, "out", TFLITE_TYPE_FLOAT32, 4, out_shape, NULL, 0);
	op = test_graph_op(&graph, TFLITE_OP_MAX_POOL_2D, 1, 1, (int32_t[]){in}, out);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.stride_height = 2;
	op->options.stride_width = 2;
	op->options.filter_height = 2;
	op->options.filter_width = 2;
	op->options.activation = TFLITE_ACTIVATION_RELU6;
	graph.model.inputs[0] = in;
	graph.model.outputs[0] = out;
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	cr_assert_eq(compile_test_op_at(&compiled, 0).kind, MODEL_OP_MAX_POOL2D_F32);
	memcpy(&pool, compiled.image + compile_test_op_at(&compiled, 0).params_offset, sizeof pool);
	cr_expect_eq(pool.output_height, 3);
	cr_expect_eq(pool.output_width, 3);
	cr_expect_eq(pool.pad_top, 0, "(3-1)*2 + 2 - 5 = 1, all at the bottom");
	cr_expect_eq(pool.pad_left, 0);
	cr_expect_eq(pool.channels, 1);
	cr_expect_eq(pool.activation_min_f, 0.0f);
	cr_expect_eq(pool.activation_max_f, 6.0f);
	cr_expect_eq(compiled.macs, 0);
	compiled_model_release(&compiled);
}

/* Refusals: the message must name the operator, the tensor and the reason. */

static void compile_test_expect_refusal(struct test_graph *graph, const char *first,
					const char *second)
{
	struct compiled_model compiled;

	cr_assert_eq(model_compile(&graph->model, 0, &compiled), HB_ERR_INPUT);
	cr_expect_null(compiled.image);
	cr_expect_null(compiled.layers);
	cr_expect(strstr(hb_last_error(), first), "message '%s' lacks '%s'", hb_last_error(),
		  first);
	if (second)
		cr_expect(strstr(hb_last_error(), second), "message '%s' lacks '%s'",
			  hb_last_error(), second);
}

static void compile_test_discard(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

/* hb_last_error() keeps the message; the terminal does not need it. */
static void compile_test_quiet(void)
{
	hb_log_set_sink(compile_test_discard, NULL);
}

Test(model_compile_errors, unsupported_operator, .init = compile_test_quiet)
{
	struct test_graph graph;

	compile_test_conv_fc(&graph);
	graph.operators[1].builtin = TFLITE_OP_CONCATENATION;
	compile_test_expect_refusal(
	    &graph, "test.tflite: operator 1 (CONCATENATION): ", "unsupported operator");
}

Test(model_compile_errors, broadcasting_add, .init = compile_test_quiet)
{
	static const int32_t full[2] = {1, 4};
	static const int32_t one[2] = {1, 1};
	struct test_graph graph;
	int32_t a, b, sum;

	test_graph_init(&graph, "test.tflite");
	a = test_graph_tensor(&graph, "a", TFLITE_TYPE_FLOAT32, 2, full, NULL, 0);
	b = test_graph_tensor(&graph, "b", TFLITE_TYPE_FLOAT32, 2, one, (const float[1]){1}, 4);
	sum = test_graph_tensor(&graph, "sum", TFLITE_TYPE_FLOAT32, 2, full, NULL, 0);
	test_graph_op(&graph, TFLITE_OP_ADD, 1, 2, (int32_t[]){a, b}, sum);
	graph.model.inputs[0] = a;
	graph.model.outputs[0] = sum;
	compile_test_expect_refusal(
	    &graph, "operator 0 (ADD): broadcasting is not supported",
	    "input 1 'a' (tensor 0) has shape [1, 4], input 2 'b' (tensor 1) has shape [1, 1]");
}

Test(model_compile_errors, conv_output_shape_mismatch, .init = compile_test_quiet)
{
	struct test_graph graph;

	compile_test_conv_fc(&graph);
	graph.tensors[3].shape[1] = 3; /* conv_out [1,3,2,3]; SAME stride 2 gives 2 */
	compile_test_expect_refusal(
	    &graph, "operator 0 (CONV_2D): shape mismatch",
	    "output 'conv_out' (tensor 3): expected [1, 2, 2, 3], found [1, 3, 2, 3]");
}

Test(model_compile_errors, fully_connected_depth_mismatch, .init = compile_test_quiet)
{
	struct test_graph graph;

	compile_test_conv_fc(&graph);
	graph.tensors[4].shape[1] = 5; /* weights [5,5]: 12 inputs do not split into rows of 5 */
	graph.tensors[4].data_size = 25;
	compile_test_expect_refusal(&graph, "operator 1 (FULLY_CONNECTED): shape mismatch",
				    "input 'conv_out' (tensor 3)");
}

Test(model_compile_errors, two_graph_inputs, .init = compile_test_quiet)
{
	struct test_graph graph;

	compile_test_conv_fc(&graph);
	graph.model.input_count = 2;
	graph.model.inputs[1] = 3;
	compile_test_expect_refusal(&graph,
				    "test.tflite: expected exactly one graph input, found 2", NULL);
}

Test(model_compile_errors, unsupported_type_combination, .init = compile_test_quiet)
{
	struct test_graph graph;

	compile_test_conv_fc(&graph);
	graph.tensors[3].type = TFLITE_TYPE_FLOAT32; /* int8 conv writing float */
	compile_test_expect_refusal(&graph, "operator 0 (CONV_2D): unsupported type combination",
				    "input INT8, weights INT8, bias INT32, output FLOAT32");
}

Test(model_compile_errors, softmax_output_quantisation, .init = compile_test_quiet)
{
	static const int32_t shape[2] = {1, 4};
	struct test_graph graph;
	struct tflite_operator *op;
	int32_t in, out;

	test_graph_init(&graph, "test.tflite");
	in = test_graph_tensor(&graph, "logits", TFLITE_TYPE_INT8, 2, shape, NULL, 0);
	test_graph_quant1(&graph, in, 0.1f, 0);
	out = test_graph_tensor(&graph, "p", TFLITE_TYPE_INT8, 2, shape, NULL, 0);
	test_graph_quant1(&graph, out, 1.0f / 128, 0);
	op = test_graph_op(&graph, TFLITE_OP_SOFTMAX, 1, 1, (int32_t[]){in}, out);
	op->options.beta = 1.0f;
	graph.model.inputs[0] = in;
	graph.model.outputs[0] = out;
	compile_test_expect_refusal(&graph, "operator 0 (SOFTMAX): output 'p' (tensor 1)",
				    "expected scale 1/256 and zero point -128");
}

Test(model_compile_errors, tensor_read_before_written, .init = compile_test_quiet)
{
	struct test_graph graph;

	int32_t orphan;

	compile_test_conv_fc(&graph);
	/* The conv reads a tensor of the right shape that nothing produces. */
	orphan = test_graph_tensor(&graph, "orphan", TFLITE_TYPE_INT8, 4, graph.tensors[0].shape,
				   NULL, 0);
	test_graph_quant1(&graph, orphan, 0.5f, -1);
	graph.operators[0].inputs[0] = orphan;
	compile_test_expect_refusal(
	    &graph, "operator 0 (CONV_2D)",
	    "input 'orphan' (tensor 7) is read before any operator writes it");
}

Test(model_compile_errors, asymmetric_weights, .init = compile_test_quiet)
{
	struct test_graph graph;

	compile_test_conv_fc(&graph);
	graph.zero_points[4][0] = 3;
	compile_test_expect_refusal(&graph, "weights 'fc/weights' (tensor 4): zero point 3",
				    "expected 0 (symmetric)");
}

/* The MLPerf Tiny reference models. Expected figures worked out from the
 * architectures (see ../shared/mlperf-tiny/README.md):
 *  - AD: FC 640-128-128-128-128-8-128-128-128-128-640: MACs 2*81920 +
 *    6*16384 + 2*1024 = 264192; arena: input 640 + first output 128 (int8).
 *  - KWS: conv 10x4 stride 2 -> 25x5x64 = 320000, 4 x (depthwise 3x3 72000
 *    + pointwise 512000), FC 64x12 = 768: 2656768; arena: two 25x5x64
 *    activations alive at once (8000 bytes each in int8).
 *  - ResNet-8: 442368 + 2 * 2359296 + 1179648 + 2359296 + 131072 +
 *    1179648 + 2359296 + 131072 + 640 = 12501632; arena: the 32x32x16 skip
 *    input and two more 32x32x16 tensors around the first ADD. */
struct compile_test_mlperf {
	const char *file;
	uint64_t macs;
	uint32_t arena;
	uint32_t ops;
	bool hybrid;
};

static const struct compile_test_mlperf compile_test_mlperf_models[] = {
    {"ad01_int8.tflite", 264192, 640 + 128, 10, false},
    {"ad01_fp32.tflite", 264192, 4 * (640 + 128), 10, false},
    {"kws_ref_model.tflite", 2656768, 2 * 8000, 12, false},
    {"kws_ref_model_float32.tflite", 2656768, 4 * 2 * 8000, 12, true},
    {"pretrainedResnet_quant.tflite", 12501632, 3 * 16384, 15, false},
    {"pretrainedResnet.tflite", 12501632, 4 * 3 * 16384, 15, false},
};

static void compile_test_mlperf_compile(const char *file, struct tflite_model *model,
					struct compiled_model *compiled)
{
	char path[256];
	FILE *probe;

	snprintf(path, sizeof path, "%s/%s", COMPILE_TEST_MLPERF_DIR, file);
	probe = fopen(path, "rb");
	if (!probe)
		cr_skip_test("../shared/mlperf-tiny not found: MLPerf Tiny compile tests skipped");
	fclose(probe);
	cr_assert_eq(tflite_read(path, model), HB_OK, "%s", hb_last_error());
	cr_assert_eq(model_compile(model, 0x1234u, compiled), HB_OK, "%s", hb_last_error());
}

Test(model_compile_mlperf, reference_models_compile)
{
	for (size_t i = 0;
	     i < sizeof compile_test_mlperf_models / sizeof compile_test_mlperf_models[0]; i++) {
		const struct compile_test_mlperf *expected = &compile_test_mlperf_models[i];
		struct tflite_model model;
		struct compiled_model compiled;
		struct model_image_header header;
		uint64_t layer_macs = 0;
		uint32_t peak_live = 0;

		compile_test_mlperf_compile(expected->file, &model, &compiled);
		header = compile_test_header(&compiled);
		cr_expect_eq(
		    model_image_check(compiled.image, compiled.image_size, compiled.arena_size),
		    MODEL_CHECK_OK, "%s", expected->file);
		cr_expect_eq(compiled.macs, expected->macs, "%s: %llu MACs", expected->file,
			     (unsigned long long)compiled.macs);
		cr_expect_eq(compiled.arena_size, expected->arena, "%s: arena %u", expected->file,
			     compiled.arena_size);
		/* Chains and ResNet's skips are planned without waste. */
		cr_expect_eq(compiled.arena_size, compiled.activation_floor, "%s", expected->file);
		cr_expect_eq(header.op_count, expected->ops, "%s", expected->file);
		cr_expect_eq(compiled.hybrid, expected->hybrid, "%s", expected->file);
		cr_expect_eq(header.source_crc32, 0x1234u);
		cr_expect_eq(compiled.layer_count, model.operator_count);
		for (size_t l = 0; l < compiled.layer_count; l++) {
			layer_macs += compiled.layers[l].macs;
			if (compiled.layers[l].live_bytes > peak_live)
				peak_live = compiled.layers[l].live_bytes;
		}
		cr_expect_eq(layer_macs, compiled.macs, "%s", expected->file);
		cr_expect_eq(peak_live, compiled.activation_floor, "%s", expected->file);
		cr_expect_lt(compiled.weight_bytes, compiled.image_size, "%s", expected->file);
		cr_expect_gt(compiled.weight_bytes, compiled.image_size * 8 / 10,
			     "%s: the image is mostly weights", expected->file);
		compiled_model_release(&compiled);
		tflite_release(&model);
	}
}

Test(model_compile_mlperf, ad_weight_bytes)
{
	struct tflite_model model;
	struct compiled_model compiled;

	compile_test_mlperf_compile("ad01_int8.tflite", &model, &compiled);
	/* int8 weights = MACs (batch 1); int32 bias per output; [2][out] int32
	 * quant per output: 264192 + 1672 * 4 + 1672 * 8 */
	cr_expect_eq(compiled.weight_bytes, 264192 + 1672 * 4 + 1672 * 8);
	compiled_model_release(&compiled);
	tflite_release(&model);
}

/* Run the AD autoencoder, float and int8, on the real clip through the
 * device interpreter: the int8 requantisation is right if both agree
 * within quantisation noise. */
static void compile_test_run_ad(const char *file, const float *features, float *output)
{
	struct tflite_model model;
	struct compiled_model compiled;
	const struct model_image_header *header;
	const struct model_tensor *input_tensor, *output_tensor;
	uint8_t *arena;

	compile_test_mlperf_compile(file, &model, &compiled);
	header = (const struct model_image_header *)compiled.image;
	input_tensor = &model_tensors(header)[header->input_tensor];
	output_tensor = &model_tensors(header)[header->output_tensor];
	arena = calloc(1, compiled.arena_size);
	cr_assert_not_null(arena);
	for (int i = 0; i < 640; i++) {
		if (input_tensor->dtype == MODEL_DTYPE_FLOAT32) {
			memcpy(arena + input_tensor->offset + 4 * i, &features[i], 4);
		} else {
			long q =
			    lroundf(features[i] / input_tensor->scale) + input_tensor->zero_point;
			arena[input_tensor->offset + i] = (uint8_t)(int8_t)(q < -128  ? -128
									    : q > 127 ? 127
										      : q);
		}
	}
	model_invoke(header, arena);
	for (int i = 0; i < 640; i++) {
		if (output_tensor->dtype == MODEL_DTYPE_FLOAT32)
			memcpy(&output[i], arena + output_tensor->offset + 4 * i, 4);
		else
			output[i] = output_tensor->scale *
				    (float)((int8_t)arena[output_tensor->offset + i] -
					    output_tensor->zero_point);
	}
	free(arena);
	compiled_model_release(&compiled);
	tflite_release(&model);
}

Test(model_compile_mlperf, ad_float_and_int8_agree)
{
	static float clip[640], float_out[640], int8_out[640];
	double error = 0, magnitude = 0;
	FILE *file = fopen(COMPILE_TEST_MLPERF_DIR "/normal_id_01_00000000_hist_librosa.bin", "rb");

	if (!file)
		cr_skip_test("../shared/mlperf-tiny not found: MLPerf Tiny compile tests skipped");
	cr_assert_eq(fread(clip, sizeof clip[0], 640, file), 640);
	fclose(file);
	compile_test_run_ad("ad01_fp32.tflite", clip, float_out);
	compile_test_run_ad("ad01_int8.tflite", clip, int8_out);
	for (int i = 0; i < 640; i++) {
		error +=
		    ((double)float_out[i] - int8_out[i]) * ((double)float_out[i] - int8_out[i]);
		magnitude += (double)float_out[i] * float_out[i];
	}
	cr_expect_gt(magnitude, 0.0);
	/* Measured 0.021 when written; a wrong multiplier or offset gives > 0.3. */
	cr_expect_lt(sqrt(error / magnitude), 0.05, "relative RMS error %.4f",
		     sqrt(error / magnitude));
}

Test(model_compile, shapes_print_at_their_tflite_rank)
{
	const int32_t padded[4] = {1, 1, 1, 10};
	const int32_t image[4] = {1, 28, 28, 1};

	cr_expect_str_eq(compiled_shape_text(padded, 2).text, "[1, 10]");
	cr_expect_str_eq(compiled_shape_text(padded, 1).text, "[10]");
	cr_expect_str_eq(compiled_shape_text(image, 4).text, "[1, 28, 28, 1]");
	cr_expect_str_eq(compiled_shape_text(image, 6).text, "[1, 1, 1, 28, 28, 1]");
	cr_expect_str_eq(compiled_shape_text(padded, 0).text, "[]");
}

/* MobileNet v1 (width 0.25) on a 96x96x3 int8 image, as MLPerf Tiny's visual
 * wake words model is built: a stride-2 conv, 13 depthwise-separable
 * blocks (4 of them stride 2), average pool and a 2-class head. Weights are
 * zeros: only the shapes matter to the planner. */
static int8_t compile_test_zero_weights[256 * 256];

static int32_t compile_test_mobilenet_layer(struct test_graph *graph, int32_t input, int kind,
					    int32_t size, int32_t channels_in, int32_t channels,
					    int32_t stride)
{
	char name[32];
	int32_t weights, output;
	struct tflite_operator *op;
	const int32_t out_size = size / stride;

	snprintf(name, sizeof name, "w%d", graph->model.operator_count);
	if (kind == TFLITE_OP_DEPTHWISE_CONV_2D)
		weights = test_graph_tensor(graph, name, TFLITE_TYPE_INT8, 4,
					    (int32_t[]){1, 3, 3, channels},
					    compile_test_zero_weights, 9 * (size_t)channels);
	else {
		const int32_t taps = channels_in == 3 ? 3 : 1; /* the first conv is 3x3 */
		weights = test_graph_tensor(graph, name, TFLITE_TYPE_INT8, 4,
					    (int32_t[]){channels, taps, taps, channels_in},
					    compile_test_zero_weights,
					    (size_t)channels * taps * taps * channels_in);
	}
	test_graph_quant1(graph, weights, 0.02f, 0);
	snprintf(name, sizeof name, "a%d", graph->model.operator_count);
	output = test_graph_tensor(graph, name, TFLITE_TYPE_INT8, 4,
				   (int32_t[]){1, out_size, out_size, channels}, NULL, 0);
	test_graph_quant1(graph, output, 0.05f, -128);
	op = test_graph_op(graph, kind, 1, 3, (int32_t[]){input, weights, -1}, output);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.stride_width = op->options.stride_height = stride;
	op->options.activation = TFLITE_ACTIVATION_RELU6;
	if (kind == TFLITE_OP_DEPTHWISE_CONV_2D)
		op->options.depth_multiplier = 1;
	return output;
}

Test(model_compile, mobilenet_arena_is_at_the_floor)
{
	static struct test_graph graph;
	struct compiled_model compiled;
	int32_t size = 48, channels = 8, tensor;
	struct tflite_operator *op;

	test_graph_init(&graph, "mobilenet96");
	tensor = test_graph_tensor(&graph, "image", TFLITE_TYPE_INT8, 4, (int32_t[]){1, 96, 96, 3},
				   NULL, 0);
	test_graph_quant1(&graph, tensor, 0.0078125f, 0);
	graph.model.inputs[0] = tensor;
	tensor = compile_test_mobilenet_layer(&graph, tensor, TFLITE_OP_CONV_2D, 96, 3, 8, 2);
	for (int block = 0; block < 13; block++) {
		/* The depthwise layers of blocks 1, 3, 5 and 11 halve the image. */
		static const int32_t strides[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
		static const int32_t widths[13] = {16,	32,  32,  64,  64,  128, 128,
						   128, 128, 128, 128, 256, 256};
		int32_t stride = strides[block];

		tensor = compile_test_mobilenet_layer(&graph, tensor, TFLITE_OP_DEPTHWISE_CONV_2D,
						      size, channels, channels, stride);
		size /= stride;
		tensor = compile_test_mobilenet_layer(&graph, tensor, TFLITE_OP_CONV_2D, size,
						      channels, widths[block], 1);
		channels = widths[block];
	}
	{
		int32_t pooled = test_graph_tensor(&graph, "pooled", TFLITE_TYPE_INT8, 4,
						   (int32_t[]){1, 1, 1, channels}, NULL, 0);
		int32_t weights, logits;

		test_graph_quant1(&graph, pooled, 0.05f, -128);
		op = test_graph_op(&graph, TFLITE_OP_AVERAGE_POOL_2D, 1, 1, (int32_t[]){tensor},
				   pooled);
		op->options.padding = TFLITE_PADDING_VALID;
		op->options.stride_width = op->options.stride_height = 1;
		op->options.filter_width = op->options.filter_height = size;
		weights =
		    test_graph_tensor(&graph, "fc", TFLITE_TYPE_INT8, 2, (int32_t[]){2, channels},
				      compile_test_zero_weights, 2 * (size_t)channels);
		test_graph_quant1(&graph, weights, 0.02f, 0);
		logits = test_graph_tensor(&graph, "logits", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 2},
					   NULL, 0);
		test_graph_quant1(&graph, logits, 0.1f, 0);
		test_graph_op(&graph, TFLITE_OP_FULLY_CONNECTED, 1, 3,
			      (int32_t[]){pooled, weights, -1}, logits);
		graph.model.outputs[0] = logits;
	}
	cr_assert_eq(graph.model.operator_count, 29); /* 27 convolutions, pool, head */
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	/* 48x48x8 in and 48x48x16 out of the first pointwise layer. */
	cr_expect_eq(compiled.activation_floor, 55296);
	cr_expect_eq(compiled.arena_size, compiled.activation_floor);
	/* Kept alive, the 27 648 B image would sit beside that peak, where it
	 * is dead: 82 944 B, as much as the arena and the copy above it. The
	 * tie keeps the copy and the smaller arena. */
	cr_expect_not(compiled.input_in_arena);
	cr_expect_eq(compiled.arena_fresh_input, 55296);
	/* No element-wise op to run in place (and an in-place depthwise would
	 * not lower the pointwise peak): the plan stays at the floor, and no
	 * two tensors alive at one step share a byte. */
	cr_expect_eq(compiled.in_place_ops, 0);
	test_image_walk(&compiled);
	cr_expect_eq(model_input_staging(&compiled), 27648);
	cr_expect_eq(compile_test_header(&compiled).flags, 0);
	compiled_model_release(&compiled);
}

/* input [1,20] -> FULLY_CONNECTED 64 -> FULLY_CONNECTED 64 -> [1,64] */
static void compile_test_fc_chain(struct test_graph *graph)
{
	int32_t tensor, weights, previous;

	test_graph_init(graph, "fc_chain");
	tensor =
	    test_graph_tensor(graph, "input", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 20}, NULL, 0);
	test_graph_quant1(graph, tensor, 0.5f, 0);
	graph->model.inputs[0] = tensor;
	for (int layer = 0; layer < 2; layer++) {
		const int32_t depth = layer == 0 ? 20 : 64;
		previous = tensor;
		weights = test_graph_tensor(graph, layer ? "w1" : "w0", TFLITE_TYPE_INT8, 2,
					    (int32_t[]){64, depth}, compile_test_zero_weights,
					    64 * (size_t)depth);
		test_graph_quant1(graph, weights, 0.02f, 0);
		tensor = test_graph_tensor(graph, layer ? "a1" : "a0", TFLITE_TYPE_INT8, 2,
					   (int32_t[]){1, 64}, NULL, 0);
		test_graph_quant1(graph, tensor, 0.25f, 0);
		test_graph_op(graph, TFLITE_OP_FULLY_CONNECTED, 1, 3,
			      (int32_t[]){previous, weights, -1}, tensor);
	}
	graph->model.outputs[0] = tensor;
}

Test(model_compile, input_staging_is_kept_only_where_it_saves_ram)
{
	struct test_graph graph;
	struct compiled_model compiled;

	/* Buffers aligned to 16: input 32 [-1,0], a0 64 [0,1], a1 64 [1,end].
	 * The peak, 128 at step 1, has the input dead: the arena is 128 B and
	 * the copy 20 B, 148 B. Kept alive, the input adds its 32 aligned bytes
	 * to that peak: 160 B. The copy stays. */
	compile_test_fc_chain(&graph);
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	cr_expect_eq(compiled.arena_size, 128);
	cr_expect_not(compiled.input_in_arena);
	cr_expect_eq(model_input_staging(&compiled), 20);
	cr_expect_eq(model_ram_need(&compiled), 128 + 3 + 20 + 15);
	compiled_model_release(&compiled);

	/* conv_fc (conv_fc_image_header_and_tables): 64 B kept against 48 + 32. */
	compile_test_conv_fc(&graph);
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	cr_expect(compiled.input_in_arena);
	cr_expect_eq(compiled.arena_size, 64);
	cr_expect_eq(model_input_staging(&compiled), 0);
	cr_expect_eq(model_ram_need(&compiled), 64 + 15);
	cr_expect_eq(compiled.layers[1].live_bytes, 32,
		     "the model's own lifetimes, not the kept input's");
	compiled_model_release(&compiled);
}

/* Found by fuzz_model_compile: a bias near INT32_MAX made the int8 fully
 * connected kernel overflow its int32 accumulator (undefined behaviour). */
Test(model_compile, bias_that_can_overflow_the_accumulator_is_refused)
{
	static const int32_t huge_bias[5] = {1, -2, INT32_MAX - 100, -4, 5};
	struct test_graph graph;
	struct compiled_model compiled;

	compile_test_conv_fc(&graph);
	cr_assert_str_eq(graph.model.tensors[5].name, "fc/bias");
	graph.model.tensors[5].data = (const void *)huge_bias;
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_ERR_INPUT);
	cr_expect(strstr(hb_last_error(), "bias 'fc/bias' (tensor 5) channel 2"), "%s",
		  hb_last_error());
	cr_expect(strstr(hb_last_error(), "overflow the int32 accumulator"), "%s", hb_last_error());
}

/* Found by fuzz_model_compile: an output scale of 1e-12 gave a rescale
 * of 5e10, a left shift of 36, and the kernel's 64-bit shift overflowed. */
Test(model_compile, rescale_beyond_the_kernels_shift_is_refused)
{
	struct test_graph graph;
	struct compiled_model compiled;

	compile_test_conv_fc(&graph);
	cr_assert_str_eq(graph.model.tensors[6].name, "output");
	graph.model.tensors[6].scales[0] = 1e-12f;
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_ERR_INPUT);
	cr_expect(strstr(hb_last_error(), "cannot be quantised"), "%s", hb_last_error());
}
