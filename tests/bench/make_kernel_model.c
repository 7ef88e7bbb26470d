/*
 * Writes a one-operator int8 .tflite of a kernel shape that `make bench`
 * measures on its own (bench_models.py runs it with `hilbench run`, which
 * checks the board's output against the host's as for any model):
 *
 *   make_kernel_model conv3x3 C H W OUT.tflite   CONV_2D 3x3 SAME, C -> C channels
 *   make_kernel_model conv1x1 C H W OUT.tflite   CONV_2D 1x1, C -> C channels
 *   make_kernel_model dw3x3   C H W OUT.tflite   DEPTHWISE_CONV_2D 3x3 SAME
 *   make_kernel_model fc    IN OUT OUT.tflite    FULLY_CONNECTED IN -> OUT
 *
 * Weights and biases are a fixed pseudo-random sequence, weights quantised
 * per tensor; the output scale keeps most outputs inside the int8 range so
 * the requantisation does real work.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/tflite_write.h"
#include "test_graph.h"
#include "util/error.h"

#define KERNEL_MAX_WEIGHTS (640 * 128)
#define KERNEL_MAX_BIAS	   640

static int8_t kernel_weights[KERNEL_MAX_WEIGHTS];
static int32_t kernel_bias[KERNEL_MAX_BIAS];

static void kernel_fill(int32_t weight_count, int32_t bias_count)
{
	uint32_t state = 0x6B65726Eu;

	for (int32_t i = 0; i < weight_count; i++) {
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		kernel_weights[i] = (int8_t)state;
	}
	for (int32_t i = 0; i < bias_count; i++) {
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		kernel_bias[i] = (int32_t)(state % 2001u) - 1000;
	}
}

/* input -> one operator with weights and bias -> output, int8 throughout. */
static int kernel_write(const char *path, int32_t builtin, int32_t rank, const int32_t *in_shape,
			const int32_t *weight_shape, int32_t weight_count, int32_t bias_count,
			const int32_t *out_shape, int32_t depth)
{
	static struct test_graph graph;
	const float in_scale = 0.05f, weight_scale = 0.02f;
	struct tflite_operator *op;
	int32_t input, weights, bias, output;

	kernel_fill(weight_count, bias_count);
	test_graph_init(&graph, path);
	input = test_graph_tensor(&graph, "input", TFLITE_TYPE_INT8, rank, in_shape, NULL, 0);
	test_graph_quant1(&graph, input, in_scale, -3);
	weights = test_graph_tensor(&graph, "weights", TFLITE_TYPE_INT8,
				    builtin == TFLITE_OP_FULLY_CONNECTED ? 2 : 4, weight_shape,
				    kernel_weights, (size_t)weight_count);
	test_graph_quant1(&graph, weights, weight_scale, 0);
	bias = test_graph_tensor(&graph, "bias", TFLITE_TYPE_INT32, 1, (int32_t[]){bias_count},
				 kernel_bias, (size_t)bias_count * sizeof kernel_bias[0]);
	test_graph_quant1(&graph, bias, in_scale * weight_scale, 0);
	output = test_graph_tensor(&graph, "output", TFLITE_TYPE_INT8, rank, out_shape, NULL, 0);
	/* A sum of depth products of ~74 x ~74 int8 steps spreads like
	 * 5500 sqrt(depth): that over ~100 output steps. */
	test_graph_quant1(&graph, output, in_scale * weight_scale * 55.0f * sqrtf((float)depth), 5);
	op = test_graph_op(&graph, builtin, 1, 3, (int32_t[]){input, weights, bias}, output);
	op->options.padding = TFLITE_PADDING_SAME;
	op->options.stride_width = op->options.stride_height = 1;
	op->options.depth_multiplier = 1;
	graph.model.inputs[0] = input;
	graph.model.outputs[0] = output;
	if (tflite_write_file(&graph.model, path) != HB_OK) {
		fprintf(stderr, "make_kernel_model: %s\n", hb_last_error());
		return 1;
	}
	return 0;
}

static int kernel_usage(void)
{
	fprintf(stderr, "usage: make_kernel_model conv3x3|conv1x1|dw3x3 C H W OUT.tflite\n"
			"       make_kernel_model fc IN OUT OUT.tflite\n");
	return 2;
}

int main(int argc, char **argv)
{
	int32_t c, h, w;

	if (argc == 5 && strcmp(argv[1], "fc") == 0) {
		const int32_t in = atoi(argv[2]), out = atoi(argv[3]);
		if (in < 1 || out < 1 || in * out > KERNEL_MAX_WEIGHTS || out > KERNEL_MAX_BIAS)
			return kernel_usage();
		return kernel_write(argv[4], TFLITE_OP_FULLY_CONNECTED, 2, (int32_t[]){1, in},
				    (int32_t[]){out, in}, in * out, out, (int32_t[]){1, out}, in);
	}
	if (argc != 6)
		return kernel_usage();
	c = atoi(argv[2]), h = atoi(argv[3]), w = atoi(argv[4]);
	if (c < 1 || h < 1 || w < 1 || c * c * 9 > KERNEL_MAX_WEIGHTS || c > KERNEL_MAX_BIAS)
		return kernel_usage();
	if (strcmp(argv[1], "conv3x3") == 0)
		return kernel_write(argv[5], TFLITE_OP_CONV_2D, 4, (int32_t[]){1, h, w, c},
				    (int32_t[]){c, 3, 3, c}, c * 9 * c, c, (int32_t[]){1, h, w, c},
				    9 * c);
	if (strcmp(argv[1], "conv1x1") == 0)
		return kernel_write(argv[5], TFLITE_OP_CONV_2D, 4, (int32_t[]){1, h, w, c},
				    (int32_t[]){c, 1, 1, c}, c * c, c, (int32_t[]){1, h, w, c}, c);
	if (strcmp(argv[1], "dw3x3") == 0)
		return kernel_write(argv[5], TFLITE_OP_DEPTHWISE_CONV_2D, 4,
				    (int32_t[]){1, h, w, c}, (int32_t[]){1, 3, 3, c}, 9 * c, c,
				    (int32_t[]){1, h, w, c}, 9);
	return kernel_usage();
}
