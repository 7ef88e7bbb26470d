/*
 * Post-training quantisation on float graphs built here: the int8 result
 * parses, compiles and, run by the same interpreter, agrees with the float
 * model on inputs it was not calibrated on; parameters are exact where the
 * arithmetic is (scales that are powers of two); the percentile option
 * clips outliers; what cannot be quantised is refused by name; the file
 * says where its calibration samples came from, and a suite without a
 * calibration source is refused unless the evaluation inputs are asked for.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "config/suite.h"
#include "model/model_compile.h"
#include "model_image.h"
#include "model/quantize.h"
#include "model/reference.h"
#include "test_graph.h"
#include "model/tflite.h"

static char quantize_test_log[2048];

static void quantize_test_sink(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)context;
	snprintf(quantize_test_log, sizeof quantize_test_log, "%s", message);
}

static void quantize_test_setup(void)
{
	quantize_test_log[0] = '\0';
	hb_log_set_sink(quantize_test_sink, NULL);
}

static void quantize_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

/* ---- float graphs in fixed arrays ---- */

/* A float tensor with no data (an activation). */
static int32_t quantize_test_tensor(struct test_graph *graph, const char *name, int32_t rank,
				    const int32_t *shape)
{
	return test_graph_tensor(graph, name, TFLITE_TYPE_FLOAT32, rank, shape, NULL, 0);
}

/* A float constant holding `values` (or, when NULL, none yet: fill later). */
static int32_t quantize_test_constant(struct test_graph *graph, const char *name, int32_t rank,
				      const int32_t *shape, const float *values, float **storage)
{
	int32_t index = quantize_test_tensor(graph, name, rank, shape);
	struct tflite_tensor *tensor = &graph->tensors[index];
	uint64_t elements = tflite_tensor_elements(tensor);
	float *data;

	cr_assert_leq(elements, 512);
	data = test_graph_data(graph, elements * sizeof *data);
	if (values)
		memcpy(data, values, elements * sizeof *data);
	tensor->data = (const uint8_t *)data;
	tensor->data_size = elements * sizeof *data;
	if (storage)
		*storage = data;
	return index;
}

/* Deterministic pseudo-random numbers in [-1, 1). */
static float quantize_test_random(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return (float)(*state >> 8) / (float)(1u << 23) - 1.0f;
}

static void quantize_test_fill(float *values, size_t count, float amplitude, uint32_t seed)
{
	for (size_t i = 0; i < count; i++)
		values[i] = amplitude * quantize_test_random(&seed);
}

/* input [1,8,8,2] -> CONV_2D 3x3 SAME RELU (4) -> DEPTHWISE_CONV_2D 3x3 SAME RELU6
 * -> ADD(conv, depthwise) -> MAX_POOL_2D 2x2/2 -> RESHAPE [1,64] -> FULLY_CONNECTED 5
 * -> SOFTMAX */
struct quantize_test_net {
	int32_t input, conv_w, conv_b, conv_out, dw_w, dw_b, dw_out, add_out, pool_out, shape, flat,
	    fc_w, fc_b, logits, probabilities;
};

static void quantize_test_build_net(struct test_graph *graph, struct quantize_test_net *net)
{
	struct tflite_operator *op;
	float *values;
	int32_t *shape_constant;

	test_graph_init(graph, "float.tflite");
	net->input = quantize_test_tensor(graph, "input", 4, (int32_t[]){1, 8, 8, 2});
	net->conv_w = quantize_test_constant(graph, "conv/weights", 4, (int32_t[]){4, 3, 3, 2},
					     NULL, &values);
	quantize_test_fill(values, 72, 0.4f, 11);
	net->conv_b = quantize_test_constant(graph, "conv/bias", 1, (int32_t[]){4}, NULL, &values);
	quantize_test_fill(values, 4, 0.2f, 12);
	net->conv_out = quantize_test_tensor(graph, "conv_out", 4, (int32_t[]){1, 8, 8, 4});
	net->dw_w = quantize_test_constant(graph, "depthwise/weights", 4, (int32_t[]){1, 3, 3, 4},
					   NULL, &values);
	quantize_test_fill(values, 36, 0.5f, 13);
	net->dw_b =
	    quantize_test_constant(graph, "depthwise/bias", 1, (int32_t[]){4}, NULL, &values);
	quantize_test_fill(values, 4, 0.1f, 14);
	net->dw_out = quantize_test_tensor(graph, "depthwise_out", 4, (int32_t[]){1, 8, 8, 4});
	net->add_out = quantize_test_tensor(graph, "add_out", 4, (int32_t[]){1, 8, 8, 4});
	net->pool_out = quantize_test_tensor(graph, "pool_out", 4, (int32_t[]){1, 4, 4, 4});
	net->shape = quantize_test_tensor(graph, "shape", 1, (int32_t[]){2});
	shape_constant = test_graph_data(graph, 2 * sizeof *shape_constant);
	shape_constant[0] = 1;
	shape_constant[1] = 64;
	graph->tensors[net->shape].type = TFLITE_TYPE_INT32;
	graph->tensors[net->shape].data = (const uint8_t *)shape_constant;
	graph->tensors[net->shape].data_size = 2 * sizeof *shape_constant;
	net->flat = quantize_test_tensor(graph, "flat", 2, (int32_t[]){1, 64});
	net->fc_w =
	    quantize_test_constant(graph, "fc/weights", 2, (int32_t[]){5, 64}, NULL, &values);
	quantize_test_fill(values, 320, 0.3f, 15);
	net->fc_b = quantize_test_constant(graph, "fc/bias", 1, (int32_t[]){5}, NULL, &values);
	quantize_test_fill(values, 5, 0.1f, 16);
	net->logits = quantize_test_tensor(graph, "logits", 2, (int32_t[]){1, 5});
	net->probabilities = quantize_test_tensor(graph, "probabilities", 2, (int32_t[]){1, 5});

	op = test_graph_op(graph, TFLITE_OP_CONV_2D, 1, 3,
			   (int32_t[]){net->input, net->conv_w, net->conv_b}, net->conv_out);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.activation = TFLITE_ACTIVATION_RELU;
	op = test_graph_op(graph, TFLITE_OP_DEPTHWISE_CONV_2D, 1, 3,
			   (int32_t[]){net->conv_out, net->dw_w, net->dw_b}, net->dw_out);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.depth_multiplier = 1;
	op->options.activation = TFLITE_ACTIVATION_RELU6;
	test_graph_op(graph, TFLITE_OP_ADD, 1, 2, (int32_t[]){net->conv_out, net->dw_out},
		      net->add_out);
	op = test_graph_op(graph, TFLITE_OP_MAX_POOL_2D, 1, 1, (int32_t[]){net->add_out},
			   net->pool_out);
	op->options.padding = TFLITE_PADDING_VALID;
	op->options.filter_width = 2;
	op->options.filter_height = 2;
	op->options.stride_width = 2;
	op->options.stride_height = 2;
	op = test_graph_op(graph, TFLITE_OP_RESHAPE, 1, 2, (int32_t[]){net->pool_out, net->shape},
			   net->flat);
	op->options.new_shape_count = 2;
	op->options.new_shape[0] = 1;
	op->options.new_shape[1] = 64;
	test_graph_op(graph, TFLITE_OP_FULLY_CONNECTED, 1, 3,
		      (int32_t[]){net->flat, net->fc_w, net->fc_b}, net->logits);
	test_graph_op(graph, TFLITE_OP_SOFTMAX, 1, 1, (int32_t[]){net->logits}, net->probabilities)
	    ->options.beta = 1.0f;
	graph->model.inputs[0] = net->input;
	graph->model.outputs[0] = net->probabilities;
}

/* Smooth images with noise, different per seed: closer to real inputs than
 * white noise, so the classes are not all decided by a few pixels. */
static float *quantize_test_inputs(uint32_t samples, uint32_t seed)
{
	float *inputs = malloc((size_t)samples * 128 * sizeof *inputs);

	cr_assert_not_null(inputs);
	for (uint32_t s = 0; s < samples; s++) {
		float fx = 0.5f + 0.5f * quantize_test_random(&seed);
		float fy = 0.5f + 0.5f * quantize_test_random(&seed);
		float phase = 3.0f * quantize_test_random(&seed);
		float level = quantize_test_random(&seed);
		for (int i = 0; i < 128; i++) {
			int y = i / 16, x = (i / 2) % 8, c = i % 2;
			inputs[(size_t)s * 128 + i] =
			    level * 0.3f + sinf(fx * (float)x + fy * (float)y + phase + (float)c) +
			    0.1f * quantize_test_random(&seed);
		}
	}
	return inputs;
}

static int quantize_test_argmax(const float *values, int count)
{
	int best = 0;
	for (int i = 1; i < count; i++)
		if (values[i] > values[best])
			best = i;
	return best;
}

static const struct tflite_tensor *quantize_test_find(const struct tflite_model *model,
						      const char *name)
{
	for (uint32_t i = 0; i < model->tensor_count; i++)
		if (strcmp(model->tensors[i].name, name) == 0)
			return &model->tensors[i];
	cr_assert_fail("no tensor '%s'", name);
	return NULL;
}

static void quantize_test_expect_same_quant(const struct tflite_tensor *a,
					    const struct tflite_tensor *b)
{
	cr_assert_eq(a->quant_count, 1, "'%s'", a->name);
	cr_assert_eq(b->quant_count, 1, "'%s'", b->name);
	cr_expect_eq(a->scales[0], b->scales[0], "'%s' %g vs '%s' %g", a->name,
		     (double)a->scales[0], b->name, (double)b->scales[0]);
	cr_expect_eq(a->zero_points[0], b->zero_points[0], "'%s' vs '%s'", a->name, b->name);
}

TestSuite(quantize, .init = quantize_test_setup, .fini = quantize_test_teardown);

Test(quantize, network_parses_compiles_and_agrees_with_float)
{
	/* 64 calibration samples, 300 held-out ones with other seeds. */
	enum { CALIBRATION = 64, HELD_OUT = 300 };
	static struct test_graph graph;
	struct quantize_test_net net;
	struct tflite_model int8_model, reparsed;
	struct quantize_summary summary;
	struct compiled_model float_compiled, int8_compiled;
	const struct tflite_tensor *input, *output;
	float *calibration = quantize_test_inputs(CALIBRATION, 1);
	float *held_out = quantize_test_inputs(HELD_OUT, 777);
	double squared = 0.0;
	int agree = 0;

	quantize_test_build_net(&graph, &net);
	cr_assert_eq(
	    quantize_model(&graph.model, calibration, CALIBRATION, NULL, &int8_model, &summary),
	    HB_OK, "%s", quantize_test_log);

	/* The file it carries parses to the same model. */
	cr_assert_not_null(int8_model.file);
	cr_assert_eq(tflite_parse(int8_model.file, int8_model.file_size, "again", &reparsed), HB_OK,
		     "%s", quantize_test_log);
	cr_expect_eq(reparsed.tensor_count, graph.model.tensor_count);
	cr_expect_eq(reparsed.operator_count, graph.model.operator_count);
	tflite_release(&reparsed);

	cr_expect_eq(summary.samples, CALIBRATION);
	cr_expect_eq(summary.calibrated_tensors, 5, "input, conv, depthwise, add, fc");
	cr_expect_eq(summary.inherited_tensors, 3, "pool, reshape, softmax");
	cr_expect_eq(summary.weight_tensors, 3);
	cr_expect_eq(summary.bias_tensors, 3);
	cr_expect_eq(summary.clipped_tensors, 0);

	input = &int8_model.tensors[int8_model.inputs[0]];
	output = &int8_model.tensors[int8_model.outputs[0]];
	cr_expect_eq(input->type, TFLITE_TYPE_INT8);
	cr_expect_eq(output->type, TFLITE_TYPE_INT8);
	cr_assert_eq(output->quant_count, 1);
	cr_expect_eq(output->scales[0], 1.0f / 256);
	cr_expect_eq(output->zero_points[0], -128);
	quantize_test_expect_same_quant(quantize_test_find(&int8_model, "pool_out"),
					quantize_test_find(&int8_model, "add_out"));
	quantize_test_expect_same_quant(quantize_test_find(&int8_model, "flat"),
					quantize_test_find(&int8_model, "add_out"));
	/* ReLU outputs start at 0: the zero point sits at -128. */
	cr_expect_eq(quantize_test_find(&int8_model, "conv_out")->zero_points[0], -128);
	cr_expect_eq(quantize_test_find(&int8_model, "conv/weights")->quant_count, 4);
	cr_expect_eq(quantize_test_find(&int8_model, "depthwise/weights")->quantized_dimension, 3);
	cr_expect_eq(quantize_test_find(&int8_model, "fc/bias")->type, TFLITE_TYPE_INT32);
	cr_expect_eq(int8_model.operators[0].version, 3);
	cr_expect_eq(int8_model.operators[5].version, 4);

	cr_assert_eq(model_compile(&graph.model, 0, &float_compiled), HB_OK, "%s",
		     quantize_test_log);
	cr_assert_eq(model_compile(&int8_model, 0, &int8_compiled), HB_OK, "%s", quantize_test_log);
	cr_assert_eq(int8_compiled.input_dtype, MODEL_DTYPE_INT8);
	cr_assert_eq(int8_compiled.output_dtype, MODEL_DTYPE_INT8);
	cr_assert_eq(float_compiled.input_bytes, 128 * 4);
	cr_assert_eq(int8_compiled.input_bytes, 128);
	for (int s = 0; s < HELD_OUT; s++) {
		const float *sample = held_out + (size_t)s * 128;
		float float_out[5], int8_out[5];
		int8_t quantized[128], raw[5];
		for (int i = 0; i < 128; i++) {
			long q =
			    lroundf(sample[i] / input->scales[0]) + (long)input->zero_points[0];
			quantized[i] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
		}
		cr_assert_eq(
		    reference_run(&float_compiled, (const uint8_t *)sample, (uint8_t *)float_out),
		    HB_OK);
		cr_assert_eq(
		    reference_run(&int8_compiled, (const uint8_t *)quantized, (uint8_t *)raw),
		    HB_OK);
		for (int k = 0; k < 5; k++) {
			int8_out[k] = output->scales[0] * (float)(raw[k] - output->zero_points[0]);
			squared += ((double)int8_out[k] - float_out[k]) *
				   ((double)int8_out[k] - float_out[k]);
		}
		agree += quantize_test_argmax(float_out, 5) == quantize_test_argmax(int8_out, 5);
	}
	/* Stated bounds: top-1 agreement at least 95 %, probability RMSE under
	 * 0.02 (8 output steps of 1/256 would be 0.03). */
	cr_expect_geq(agree, HELD_OUT * 95 / 100, "top-1 agreement %d of %d", agree, HELD_OUT);
	cr_expect_lt(sqrt(squared / (HELD_OUT * 5)), 0.02, "RMSE %g",
		     sqrt(squared / (HELD_OUT * 5)));
	cr_log_info("quantize: top-1 agreement %d/%d, probability RMSE %.4f", agree, HELD_OUT,
		    sqrt(squared / (HELD_OUT * 5)));
	compiled_model_release(&float_compiled);
	compiled_model_release(&int8_compiled);
	tflite_release(&int8_model);
	free(calibration);
	free(held_out);
}

/* input [1,1,1,2] -> CONV_2D 1x1 (2) -> DEPTHWISE_CONV_2D 1x1 -> output. Every
 * scale is a power of two so the expected values are exact. */
Test(quantize, weights_and_bias_parameters_are_exact)
{
	static struct test_graph graph;
	/* conv channel 0: max |w| 127/64 -> scale 1/64; channel 1: 127/256 -> 1/256 */
	static const float conv_weights[4] = {127.0f / 64, -0.5f, 0.25f, -127.0f / 256};
	static const float conv_bias[2] = {0.5f, -0.25f};
	/* depthwise [1,1,1,2], channel dimension 3: scales 1/32 and 1/512 */
	static const float dw_weights[2] = {127.0f / 32, -127.0f / 512};
	static const float dw_bias[2] = {0.0f, 1.0f / 64};
	/* input range [-1, 127/128]: scale 1/128, zero point 0 */
	static const float calibration[4] = {-1.0f, 127.0f / 128, 0.5f, -0.25f};
	struct tflite_model int8_model;
	const struct tflite_tensor *tensor;
	int32_t input, conv_w, conv_b, conv_out, dw_w, dw_b, dw_out;
	const int8_t *q;
	int32_t bias[2];

	test_graph_init(&graph, "float.tflite");
	input = quantize_test_tensor(&graph, "input", 4, (int32_t[]){1, 1, 1, 2});
	conv_w = quantize_test_constant(&graph, "conv/weights", 4, (int32_t[]){2, 1, 1, 2},
					conv_weights, NULL);
	conv_b = quantize_test_constant(&graph, "conv/bias", 1, (int32_t[]){2}, conv_bias, NULL);
	conv_out = quantize_test_tensor(&graph, "conv_out", 4, (int32_t[]){1, 1, 1, 2});
	dw_w = quantize_test_constant(&graph, "dw/weights", 4, (int32_t[]){1, 1, 1, 2}, dw_weights,
				      NULL);
	dw_b = quantize_test_constant(&graph, "dw/bias", 1, (int32_t[]){2}, dw_bias, NULL);
	dw_out = quantize_test_tensor(&graph, "output", 4, (int32_t[]){1, 1, 1, 2});
	test_graph_op(&graph, TFLITE_OP_CONV_2D, 1, 3, (int32_t[]){input, conv_w, conv_b}, conv_out)
	    ->options.padding = TFLITE_PADDING_VALID;
	test_graph_op(&graph, TFLITE_OP_DEPTHWISE_CONV_2D, 1, 3, (int32_t[]){conv_out, dw_w, dw_b},
		      dw_out)
	    ->options.depth_multiplier = 1;
	graph.model.inputs[0] = input;
	graph.model.outputs[0] = dw_out;

	cr_assert_eq(quantize_model(&graph.model, calibration, 2, NULL, &int8_model, NULL), HB_OK,
		     "%s", quantize_test_log);
	tensor = &int8_model.tensors[input];
	cr_assert_eq(tensor->quant_count, 1);
	cr_expect_eq(tensor->scales[0], 1.0f / 128);
	cr_expect_eq(tensor->zero_points[0], 0);

	tensor = &int8_model.tensors[conv_w];
	cr_assert_eq(tensor->type, TFLITE_TYPE_INT8);
	cr_assert_eq(tensor->quant_count, 2);
	cr_expect_eq(tensor->quantized_dimension, 0);
	cr_expect_eq(tensor->scales[0], 1.0f / 64);
	cr_expect_eq(tensor->scales[1], 1.0f / 256);
	cr_expect_eq(tensor->zero_points[0], 0);
	cr_expect_eq(tensor->zero_points[1], 0);
	cr_assert_eq(tensor->data_size, 4);
	q = (const int8_t *)tensor->data;
	cr_expect_eq(q[0], 127);
	cr_expect_eq(q[1], -32);
	cr_expect_eq(q[2], 64);
	cr_expect_eq(q[3], -127);

	/* bias scale = input scale * weight scale: 1/8192 and 1/32768 */
	tensor = &int8_model.tensors[conv_b];
	cr_assert_eq(tensor->type, TFLITE_TYPE_INT32);
	cr_assert_eq(tensor->quant_count, 2);
	cr_expect_eq(tensor->scales[0], 1.0f / 8192);
	cr_expect_eq(tensor->scales[1], 1.0f / 32768);
	cr_expect_eq(tensor->zero_points[0], 0);
	cr_assert_eq(tensor->data_size, 8);
	memcpy(bias, tensor->data, sizeof bias);
	cr_expect_eq(bias[0], 4096);
	cr_expect_eq(bias[1], -8192);

	tensor = &int8_model.tensors[dw_w];
	cr_assert_eq(tensor->quant_count, 2);
	cr_expect_eq(tensor->quantized_dimension, 3);
	cr_expect_eq(tensor->scales[0], 1.0f / 32);
	cr_expect_eq(tensor->scales[1], 1.0f / 512);
	q = (const int8_t *)tensor->data;
	cr_expect_eq(q[0], 127);
	cr_expect_eq(q[1], -127);
	tflite_release(&int8_model);
}

Test(quantize, activation_parameters)
{
	float scale;
	int32_t zero_point;

	cr_assert_eq(quantize_choose_params(0.0f, 2.55f, &scale, &zero_point), HB_OK);
	cr_expect_float_eq(scale, 0.01f, 1e-9);
	cr_expect_eq(zero_point, -128);
	/* Symmetric: zero lands half a step off, rounded away from zero. */
	cr_assert_eq(quantize_choose_params(-1.0f, 1.0f, &scale, &zero_point), HB_OK);
	cr_expect_float_eq(scale, 2.0f / 255, 1e-9);
	cr_expect_eq(zero_point, -1);
	/* A range that misses zero is widened to include it. */
	cr_assert_eq(quantize_choose_params(2.0f, 5.1f, &scale, &zero_point), HB_OK);
	cr_expect_float_eq(scale, 0.02f, 1e-8);
	cr_expect_eq(zero_point, -128);
	cr_assert_eq(quantize_choose_params(-2.55f, -1.0f, &scale, &zero_point), HB_OK);
	cr_expect_float_eq(scale, 0.01f, 1e-9);
	cr_expect_eq(zero_point, 127);
	/* -1.28 .. 1.27 in steps of 0.01: zero point 0 exactly. */
	cr_assert_eq(quantize_choose_params(-1.28f, 1.27f, &scale, &zero_point), HB_OK);
	cr_expect_eq(zero_point, 0);
	/* Never anything but zero: a usable scale, zero exact. */
	cr_assert_eq(quantize_choose_params(0.0f, 0.0f, &scale, &zero_point), HB_OK);
	cr_expect_gt(scale, 0.0f);
	cr_expect_eq(zero_point, -128);
	cr_expect_eq(quantize_choose_params(NAN, 1.0f, &scale, &zero_point), HB_ERR_INPUT);
	cr_expect_eq(quantize_choose_params(1.0f, -1.0f, &scale, &zero_point), HB_ERR_INPUT);
}

/* input [1,4] -> FULLY_CONNECTED 4->3 -> output */
static void quantize_test_build_fc(struct test_graph *graph)
{
	float *values;
	int32_t input, weights, bias, output;

	test_graph_init(graph, "float.tflite");
	input = quantize_test_tensor(graph, "input", 2, (int32_t[]){1, 4});
	weights = quantize_test_constant(graph, "weights", 2, (int32_t[]){3, 4}, NULL, &values);
	quantize_test_fill(values, 12, 1.0f, 5);
	bias = quantize_test_constant(graph, "bias", 1, (int32_t[]){3}, NULL, &values);
	quantize_test_fill(values, 3, 0.5f, 6);
	output = quantize_test_tensor(graph, "output", 2, (int32_t[]){1, 3});
	test_graph_op(graph, TFLITE_OP_FULLY_CONNECTED, 1, 3, (int32_t[]){input, weights, bias},
		      output);
	graph->model.inputs[0] = input;
	graph->model.outputs[0] = output;
}

Test(quantize, percentile_clips_outliers)
{
	enum { SAMPLES = 1000 };
	static struct test_graph graph;
	static float calibration[SAMPLES * 4];
	struct quantize_options options;
	struct quantize_summary summary;
	struct tflite_model minmax, clipped, full;
	uint32_t seed = 99;

	quantize_test_build_fc(&graph);
	for (size_t i = 0; i < SAMPLES * 4; i++)
		calibration[i] = quantize_test_random(&seed);
	calibration[1234] = 100.0f; /* one outlier in 4000 values */

	quantize_options_default(&options);
	cr_assert_eq(
	    quantize_model(&graph.model, calibration, SAMPLES, &options, &minmax, &summary), HB_OK,
	    "%s", quantize_test_log);
	cr_expect_eq(summary.clipped_tensors, 0);
	/* min/max: [-1, 100] */
	cr_expect_float_eq(minmax.tensors[0].scales[0], 101.0f / 255, 0.01f);

	options.percentile = 99.9;
	cr_assert_eq(
	    quantize_model(&graph.model, calibration, SAMPLES, &options, &clipped, &summary), HB_OK,
	    "%s", quantize_test_log);
	cr_expect_geq(summary.clipped_tensors, 1);
	/* 99.9 % of |values| are below 1 (the bound is rounded up to a bin of
	 * 100/2048): the range is about [-1, 1]. */
	cr_expect_lt(clipped.tensors[0].scales[0], 2.1f / 255, "scale %g",
		     (double)clipped.tensors[0].scales[0]);
	cr_expect_gt(clipped.tensors[0].scales[0], 1.9f / 255, "scale %g",
		     (double)clipped.tensors[0].scales[0]);

	/* The 100th percentile is the largest value: nothing clipped. */
	options.percentile = 100.0;
	cr_assert_eq(quantize_model(&graph.model, calibration, SAMPLES, &options, &full, &summary),
		     HB_OK, "%s", quantize_test_log);
	cr_expect_eq(summary.clipped_tensors, 0);
	cr_expect_eq(full.tensors[0].scales[0], minmax.tensors[0].scales[0]);
	tflite_release(&minmax);
	tflite_release(&clipped);
	tflite_release(&full);
}

TestSuite(quantize_errors, .init = quantize_test_setup, .fini = quantize_test_teardown);

Test(quantize_errors, unsupported_operator)
{
	static struct test_graph graph;
	static const float calibration[4] = {0};
	struct tflite_model out;

	quantize_test_build_fc(&graph);
	graph.operators[0].builtin = TFLITE_OP_CONCATENATION;
	cr_expect_eq(quantize_model(&graph.model, calibration, 1, NULL, &out, NULL), HB_ERR_INPUT);
	cr_expect(strstr(quantize_test_log,
			 "cannot quantise 'float.tflite': operator 0 (CONCATENATION): not "
			 "supported") != NULL,
		  "%s", quantize_test_log);
	cr_expect_null(out.tensors);
}

Test(quantize_errors, int8_input)
{
	static struct test_graph graph;
	static const float calibration[4] = {0};
	struct tflite_model out;

	quantize_test_build_fc(&graph);
	graph.tensors[0].type = TFLITE_TYPE_INT8;
	cr_expect_eq(quantize_model(&graph.model, calibration, 1, NULL, &out, NULL), HB_ERR_INPUT);
	cr_expect(strstr(quantize_test_log, "graph input 'input' (tensor 0) is INT8, expected "
					    "FLOAT32") != NULL,
		  "%s", quantize_test_log);
}

Test(quantize_errors, no_samples_and_bad_percentile)
{
	static struct test_graph graph;
	static const float calibration[4] = {0};
	struct quantize_options options = {.percentile = 120.0};
	struct tflite_model out;

	quantize_test_build_fc(&graph);
	cr_expect_eq(quantize_model(&graph.model, calibration, 0, NULL, &out, NULL), HB_ERR_INPUT);
	cr_expect(strstr(quantize_test_log, "no calibration samples") != NULL, "%s",
		  quantize_test_log);
	cr_expect_eq(quantize_model(&graph.model, calibration, 1, &options, &out, NULL),
		     HB_ERR_INPUT);
	cr_expect(strstr(quantize_test_log, "percentile 120 is outside (0, 100]") != NULL, "%s",
		  quantize_test_log);
}

Test(quantize_errors, non_finite_calibration_value)
{
	static struct test_graph graph;
	float calibration[8] = {0, 0, 0, 0, 1, NAN, 0, 0};
	struct tflite_model out;

	quantize_test_build_fc(&graph);
	cr_expect_eq(quantize_model(&graph.model, calibration, 2, NULL, &out, NULL), HB_ERR_INPUT);
	cr_expect(strstr(quantize_test_log,
			 "calibration sample 1: tensor 'input' (tensor 0) holds a non-finite") !=
		      NULL,
		  "%s", quantize_test_log);
}

/* The description TFLite files carry is the one place inside the model
 * that says whether it was calibrated on the data it is scored on. */
Test(quantize, description_records_the_calibration_origin)
{
	static struct test_graph graph;
	static const float calibration[8] = {0, 0.5f, -1, 1, 0.25f, 0, 1, -0.5f};
	struct quantize_options options;
	struct tflite_model out, reparsed;
	static const struct {
		enum quantize_calibration_origin origin;
		const char *description;
	} cases[] = {
	    {QUANTIZE_CALIBRATION_UNSTATED,
	     "hilbench int8 post-training quantisation (min/max, 2 samples)"},
	    {QUANTIZE_CALIBRATION_SEPARATE, "hilbench int8 post-training quantisation (min/max, 2 "
					    "samples of a set apart from the evaluation inputs)"},
	    {QUANTIZE_CALIBRATION_EVALUATION,
	     "hilbench int8 post-training quantisation (min/max, 2 samples of the EVALUATION "
	     "inputs)"},
	};

	quantize_test_build_fc(&graph);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		quantize_options_default(&options);
		options.origin = cases[i].origin;
		cr_assert_eq(quantize_model(&graph.model, calibration, 2, &options, &out, NULL),
			     HB_OK, "%s", quantize_test_log);
		/* Read back from the bytes that get saved, not the struct. */
		cr_assert_eq(tflite_parse(out.file, out.file_size, "again", &reparsed), HB_OK, "%s",
			     quantize_test_log);
		cr_expect_str_eq(reparsed.description, cases[i].description);
		tflite_release(&reparsed);
		tflite_release(&out);
	}
}

static const char quantize_test_suite[] =
    "{\"schema\": 1, \"name\": \"s\", \"models\": {\"float32\": \"m.tflite\"},\n"
    " \"inputs\": {\"format\": \"idx\", \"path\": \"/d/t10k-images.idx\"},\n"
    " \"labels\": {\"format\": \"idx\", \"path\": \"/d/t10k-labels.idx\"},\n"
    " %s\"metric\": \"top1\", \"classes\": 2}";

static void quantize_test_parse_suite(const char *calibration, struct suite *suite)
{
	char text[1024];

	snprintf(text, sizeof text, quantize_test_suite, calibration);
	cr_assert_eq(suite_parse(text, strlen(text), "/s/suite.json", suite), HB_OK, "%s",
		     quantize_test_log);
}

/* What `hilbench quantize` calibrates on: the calibration source, never
 * the evaluation inputs unless asked (--calib-on-eval). */
Test(quantize_errors, suite_without_calibration_refused_unless_on_eval)
{
	static struct suite suite;
	const struct suite_source *source;

	quantize_test_parse_suite("", &suite);
	cr_expect_eq(suite_calibration_source(&suite, false, &source), HB_ERR_INPUT);
	cr_expect_null(source);
	cr_expect_str_eq(quantize_test_log,
			 "/s/suite.json: no field 'calibration' (expected the inputs to "
			 "calibrate on, apart from the evaluation 'inputs'); --calib-on-eval "
			 "calibrates on the evaluation inputs, and the record says so");
	cr_assert_eq(suite_calibration_source(&suite, true, &source), HB_OK);
	cr_expect_eq(source, &suite.inputs);
	cr_expect_str_eq(source->path, "/d/t10k-images.idx");

	quantize_test_parse_suite(
	    "\"calibration\": {\"format\": \"idx\", \"path\": \"train.idx\"},", &suite);
	cr_assert_eq(suite_calibration_source(&suite, false, &source), HB_OK);
	cr_expect_eq(source, &suite.calibration);
	cr_expect_str_eq(source->path, "/s/train.idx");
	/* Asked for, the evaluation inputs win even when a calibration set exists. */
	cr_assert_eq(suite_calibration_source(&suite, true, &source), HB_OK);
	cr_expect_eq(source, &suite.inputs);
}
