/*
 * Writes the int8 .tflite models that `make bench` measures beside the
 * MLPerf Tiny files (bench_models.py runs them with `hilbench run`, which
 * checks the board's output against the host's as for any model):
 *
 *   make_kernel_model conv3x3 C H W OUT.tflite   CONV_2D 3x3 SAME, C -> C channels
 *   make_kernel_model conv1x1 C H W OUT.tflite   CONV_2D 1x1, C -> C channels
 *   make_kernel_model dw3x3   C H W OUT.tflite   DEPTHWISE_CONV_2D 3x3 SAME
 *   make_kernel_model fc    IN OUT OUT.tflite    FULLY_CONNECTED IN -> OUT
 *   make_kernel_model conv KH KW STRIDE CIN COUT H W OUT.tflite   any CONV_2D, SAME
 *   make_kernel_model dw   K STRIDE C H W OUT.tflite              any KxK depthwise, SAME
 *   make_kernel_model mobilenet OUT.tflite
 *   make_kernel_model zp Z ...                   any of the above, input zero point Z
 *
 * The input zero point is -3 unless `zp Z` (-128 to 127) comes first: the
 * kernels' offset handling at its edges (-128: an input offset of 128,
 * which is no int8).
 * The last is a depthwise-separable MobileNet-style graph: a 96x96x3 input,
 * a 3x3 stride-2 convolution to 8 channels, nine blocks of 3x3 depthwise
 * (four at stride 2) and 1x1 pointwise convolutions, 8 -> 256 channels,
 * ReLU6 after each, an average pool and a 2-way fully connected layer (the
 * shape of MLPerf Tiny's person detection network, 5.0 M MACs).
 *
 * Weights and biases are a fixed pseudo-random sequence, weights quantised
 * per tensor; each output scale keeps most outputs inside the int8 range so
 * the requantisation does real work.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/tflite_write.h"
#include "test_graph.h"
#include "util/error.h"

/* Constants of every operator of one model, weights then biases. */
#define KERNEL_MAX_WEIGHTS (256 * 1024)
#define KERNEL_MAX_BIAS	   4096

static int8_t kernel_weights[KERNEL_MAX_WEIGHTS];
/* The input tensor's zero point (`zp Z`). */
static int32_t kernel_input_zero_point = -3;
static int32_t kernel_bias[KERNEL_MAX_BIAS];

/* One model under construction: the graph and how much of the constant
 * pools its operators took. */
struct kernel_builder {
	struct test_graph graph;
	uint32_t state;
	int32_t weights_used;
	int32_t bias_used;
};

static uint32_t kernel_next(struct kernel_builder *builder)
{
	uint32_t state = builder->state;

	state ^= state << 13, state ^= state >> 17, state ^= state << 5;
	builder->state = state;
	return state;
}

static int kernel_room(const struct kernel_builder *builder, int32_t weights, int32_t biases)
{
	if (weights > KERNEL_MAX_WEIGHTS - builder->weights_used ||
	    biases > KERNEL_MAX_BIAS - builder->bias_used) {
		fprintf(stderr,
			"make_kernel_model: the model's constants exceed %d weights and "
			"%d biases\n",
			KERNEL_MAX_WEIGHTS, KERNEL_MAX_BIAS);
		return 0;
	}
	return 1;
}

/* The activation tensor `input` (int8 at in_scale) through one operator
 * with weights of weight_shape and bias_count biases, into a new int8
 * tensor of out_shape; depth is the accumulation depth, which sets the
 * output scale. Returns the output tensor, or -1. */
static int32_t kernel_layer(struct kernel_builder *builder, const char *name, int32_t builtin,
			    int32_t input, float in_scale, const int32_t *weight_shape,
			    int32_t weight_count, int32_t bias_count, int32_t rank,
			    const int32_t *out_shape, int32_t depth, int32_t stride,
			    int32_t activation, float *out_scale)
{
	const float weight_scale = 0.02f;
	struct test_graph *graph = &builder->graph;
	int8_t *weights_data = kernel_weights + builder->weights_used;
	int32_t *bias_data = kernel_bias + builder->bias_used;
	struct tflite_operator *op;
	int32_t weights, bias, output;
	char tensor_name[64];

	if (!kernel_room(builder, weight_count, bias_count))
		return -1;
	for (int32_t i = 0; i < weight_count; i++)
		weights_data[i] = (int8_t)kernel_next(builder);
	for (int32_t i = 0; i < bias_count; i++)
		bias_data[i] = (int32_t)(kernel_next(builder) % 2001u) - 1000;
	builder->weights_used += weight_count;
	builder->bias_used += bias_count;

	snprintf(tensor_name, sizeof tensor_name, "%s/weights", name);
	weights = test_graph_tensor(graph, tensor_name, TFLITE_TYPE_INT8,
				    builtin == TFLITE_OP_FULLY_CONNECTED ? 2 : 4, weight_shape,
				    weights_data, (size_t)weight_count);
	test_graph_quant1(graph, weights, weight_scale, 0);
	snprintf(tensor_name, sizeof tensor_name, "%s/bias", name);
	bias = test_graph_tensor(graph, tensor_name, TFLITE_TYPE_INT32, 1, (int32_t[]){bias_count},
				 bias_data, (size_t)bias_count * sizeof bias_data[0]);
	test_graph_quant1(graph, bias, in_scale * weight_scale, 0);
	snprintf(tensor_name, sizeof tensor_name, "%s/output", name);
	output = test_graph_tensor(graph, tensor_name, TFLITE_TYPE_INT8, rank, out_shape, NULL, 0);
	/* A sum of depth products of ~74 x ~74 int8 steps spreads like
	 * 5500 sqrt(depth): that over ~100 output steps. */
	*out_scale = in_scale * weight_scale * 55.0f * sqrtf((float)depth);
	test_graph_quant1(graph, output, *out_scale, 5);
	op = test_graph_op(graph, builtin, 1, 3, (int32_t[]){input, weights, bias}, output);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.stride_width = op->options.stride_height = stride;
	op->options.depth_multiplier = 1;
	op->options.activation = activation;
	return output;
}

static int32_t kernel_input(struct kernel_builder *builder, const char *path, int32_t rank,
			    const int32_t *shape, float *scale)
{
	int32_t input;

	builder->state = 0x6B65726Eu;
	builder->weights_used = builder->bias_used = 0;
	test_graph_init(&builder->graph, path);
	input = test_graph_tensor(&builder->graph, "input", TFLITE_TYPE_INT8, rank, shape, NULL, 0);
	*scale = 0.05f;
	test_graph_quant1(&builder->graph, input, *scale, kernel_input_zero_point);
	return input;
}

static int kernel_finish(struct kernel_builder *builder, const char *path, int32_t input,
			 int32_t output)
{
	if (output < 0)
		return 1;
	builder->graph.model.inputs[0] = input;
	builder->graph.model.outputs[0] = output;
	if (tflite_write_file(&builder->graph.model, path) != HB_OK) {
		fprintf(stderr, "make_kernel_model: %s\n", hb_last_error());
		return 1;
	}
	return 0;
}

/* TFLite's SAME output size. */
static int32_t kernel_same(int32_t size, int32_t stride)
{
	return (size + stride - 1) / stride;
}

static int kernel_conv(const char *path, int32_t kh, int32_t kw, int32_t stride, int32_t cin,
		       int32_t cout, int32_t h, int32_t w)
{
	static struct kernel_builder builder;
	const int32_t oh = kernel_same(h, stride), ow = kernel_same(w, stride);
	float scale;
	const int32_t input = kernel_input(&builder, path, 4, (int32_t[]){1, h, w, cin}, &scale);
	const int32_t output = kernel_layer(&builder, "conv", TFLITE_OP_CONV_2D, input, scale,
					    (int32_t[]){cout, kh, kw, cin}, cout * kh * kw * cin,
					    cout, 4, (int32_t[]){1, oh, ow, cout}, kh * kw * cin,
					    stride, TFLITE_ACTIVATION_NONE, &scale);

	return kernel_finish(&builder, path, input, output);
}

static int kernel_dw(const char *path, int32_t k, int32_t stride, int32_t c, int32_t h, int32_t w)
{
	static struct kernel_builder builder;
	const int32_t oh = kernel_same(h, stride), ow = kernel_same(w, stride);
	float scale;
	const int32_t input = kernel_input(&builder, path, 4, (int32_t[]){1, h, w, c}, &scale);
	const int32_t output =
	    kernel_layer(&builder, "depthwise", TFLITE_OP_DEPTHWISE_CONV_2D, input, scale,
			 (int32_t[]){1, k, k, c}, k * k * c, c, 4, (int32_t[]){1, oh, ow, c}, k * k,
			 stride, TFLITE_ACTIVATION_NONE, &scale);

	return kernel_finish(&builder, path, input, output);
}

static int kernel_fc(const char *path, int32_t in, int32_t out)
{
	static struct kernel_builder builder;
	float scale;
	const int32_t input = kernel_input(&builder, path, 2, (int32_t[]){1, in}, &scale);
	const int32_t output = kernel_layer(
	    &builder, "fc", TFLITE_OP_FULLY_CONNECTED, input, scale, (int32_t[]){out, in}, in * out,
	    out, 2, (int32_t[]){1, out}, in, 1, TFLITE_ACTIVATION_NONE, &scale);

	return kernel_finish(&builder, path, input, output);
}

static int kernel_mobilenet(const char *path)
{
	/* Per block: depthwise stride, pointwise output channels. */
	static const int32_t blocks[][2] = {{1, 16},  {2, 32},	{1, 32},  {2, 64}, {1, 64},
					    {2, 128}, {1, 128}, {2, 256}, {1, 256}};
	static struct kernel_builder builder;
	struct test_graph *graph = &builder.graph;
	int32_t size = 48, channels = 8;
	float scale;
	const int32_t input = kernel_input(&builder, path, 4, (int32_t[]){1, 96, 96, 3}, &scale);
	int32_t tensor = kernel_layer(
	    &builder, "conv0", TFLITE_OP_CONV_2D, input, scale, (int32_t[]){8, 3, 3, 3}, 8 * 27, 8,
	    4, (int32_t[]){1, 48, 48, 8}, 27, 2, TFLITE_ACTIVATION_RELU6, &scale);
	struct tflite_operator *pool;
	int32_t pooled;

	for (size_t b = 0; b < sizeof blocks / sizeof blocks[0] && tensor >= 0; b++) {
		const int32_t stride = blocks[b][0], out_channels = blocks[b][1];
		char name[32];

		size = kernel_same(size, stride);
		snprintf(name, sizeof name, "block%zu/depthwise", b + 1);
		tensor = kernel_layer(&builder, name, TFLITE_OP_DEPTHWISE_CONV_2D, tensor, scale,
				      (int32_t[]){1, 3, 3, channels}, 9 * channels, channels, 4,
				      (int32_t[]){1, size, size, channels}, 9, stride,
				      TFLITE_ACTIVATION_RELU6, &scale);
		if (tensor < 0)
			break;
		snprintf(name, sizeof name, "block%zu/pointwise", b + 1);
		tensor =
		    kernel_layer(&builder, name, TFLITE_OP_CONV_2D, tensor, scale,
				 (int32_t[]){out_channels, 1, 1, channels}, out_channels * channels,
				 out_channels, 4, (int32_t[]){1, size, size, out_channels},
				 channels, 1, TFLITE_ACTIVATION_RELU6, &scale);
		channels = out_channels;
	}
	if (tensor < 0)
		return 1;
	pooled = test_graph_tensor(graph, "pool/output", TFLITE_TYPE_INT8, 4,
				   (int32_t[]){1, 1, 1, channels}, NULL, 0);
	test_graph_quant1(graph, pooled, scale, 5);
	pool = test_graph_op(graph, TFLITE_OP_AVERAGE_POOL_2D, 1, 1, (int32_t[]){tensor}, pooled);
	pool->options.padding = TFLITE_PADDING_VALID;
	pool->options.filter_width = pool->options.filter_height = size;
	pool->options.stride_width = pool->options.stride_height = 1;
	tensor = kernel_layer(&builder, "fc", TFLITE_OP_FULLY_CONNECTED, pooled, scale,
			      (int32_t[]){2, channels}, 2 * channels, 2, 2, (int32_t[]){1, 2},
			      channels, 1, TFLITE_ACTIVATION_NONE, &scale);
	return kernel_finish(&builder, path, input, tensor);
}

static int kernel_usage(void)
{
	fprintf(stderr, "usage: make_kernel_model conv3x3|conv1x1|dw3x3 C H W OUT.tflite\n"
			"       make_kernel_model fc IN OUT OUT.tflite\n"
			"       make_kernel_model conv KH KW STRIDE CIN COUT H W OUT.tflite\n"
			"       make_kernel_model dw K STRIDE C H W OUT.tflite\n"
			"       make_kernel_model mobilenet OUT.tflite\n"
			"       make_kernel_model zp Z (-128..127) followed by any of the above\n");
	return 2;
}

/* argv[first..first+count-1] as positive integers, at most 4096 each. */
static int kernel_numbers(char **argv, int first, int count, int32_t *numbers)
{
	for (int i = 0; i < count; i++) {
		numbers[i] = atoi(argv[first + i]);
		if (numbers[i] < 1 || numbers[i] > 4096)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	int32_t n[7];

	if (argc >= 4 && strcmp(argv[1], "zp") == 0) {
		char *end;
		const long zero_point = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || zero_point < -128 || zero_point > 127)
			return kernel_usage();
		kernel_input_zero_point = (int32_t)zero_point;
		argc -= 2;
		argv += 2;
	}
	if (argc == 3 && strcmp(argv[1], "mobilenet") == 0)
		return kernel_mobilenet(argv[2]);
	if (argc == 5 && strcmp(argv[1], "fc") == 0 && kernel_numbers(argv, 2, 2, n))
		return kernel_fc(argv[4], n[0], n[1]);
	if (argc == 10 && strcmp(argv[1], "conv") == 0 && kernel_numbers(argv, 2, 7, n))
		return kernel_conv(argv[9], n[0], n[1], n[2], n[3], n[4], n[5], n[6]);
	if (argc == 8 && strcmp(argv[1], "dw") == 0 && kernel_numbers(argv, 2, 5, n))
		return kernel_dw(argv[7], n[0], n[1], n[2], n[3], n[4]);
	if (argc != 6 || !kernel_numbers(argv, 2, 3, n))
		return kernel_usage();
	if (strcmp(argv[1], "conv3x3") == 0)
		return kernel_conv(argv[5], 3, 3, 1, n[0], n[0], n[1], n[2]);
	if (strcmp(argv[1], "conv1x1") == 0)
		return kernel_conv(argv[5], 1, 1, 1, n[0], n[0], n[1], n[2]);
	if (strcmp(argv[1], "dw3x3") == 0)
		return kernel_dw(argv[5], 3, 1, n[0], n[1], n[2]);
	return kernel_usage();
}
