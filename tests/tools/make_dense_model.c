/*
 * Writes a small int8 .tflite of LAYERS fully connected layers, 64 -> 64
 * each. The CI gate's e2e test needs the same model (same name, same
 * variant) made slower by a real change: one more layer is that change,
 * and the board really computes it. Usage: make_dense_model OUT.tflite LAYERS
 */
#include <stdio.h>
#include <stdlib.h>

#include "model/tflite_write.h"
#include "test_graph.h"
#include "util/error.h"

#define WIDTH	   64
#define MAX_LAYERS 6

int main(int argc, char **argv)
{
	static struct test_graph graph;
	static int8_t weights[WIDTH * WIDTH];
	static int32_t bias[WIDTH];
	int32_t previous, layers = argc == 3 ? atoi(argv[2]) : 0;

	if (layers < 1 || layers > MAX_LAYERS) {
		fprintf(stderr, "usage: make_dense_model OUT.tflite LAYERS (1 to %d)\n",
			MAX_LAYERS);
		return 2;
	}
	/* Fixed small weights: every layer the same, outputs stay in range. */
	for (int i = 0; i < WIDTH * WIDTH; i++)
		weights[i] = (int8_t)((i * 37 % 15) - 7);
	for (int i = 0; i < WIDTH; i++)
		bias[i] = (i % 9) - 4;
	test_graph_init(&graph, "dense");
	previous =
	    test_graph_tensor(&graph, "input", TFLITE_TYPE_INT8, 2, (int32_t[]){1, WIDTH}, NULL, 0);
	test_graph_quant1(&graph, previous, 0.05f, 0);
	graph.model.inputs[0] = previous;
	for (int32_t layer = 0; layer < layers; layer++) {
		int32_t w, b, out;

		w = test_graph_tensor(&graph, "weights", TFLITE_TYPE_INT8, 2,
				      (int32_t[]){WIDTH, WIDTH}, weights, sizeof weights);
		test_graph_quant1(&graph, w, 0.01f, 0);
		b = test_graph_tensor(&graph, "bias", TFLITE_TYPE_INT32, 1, (int32_t[]){WIDTH},
				      bias, sizeof bias);
		out = test_graph_tensor(&graph, "dense", TFLITE_TYPE_INT8, 2, (int32_t[]){1, WIDTH},
					NULL, 0);
		test_graph_quant1(&graph, out, 0.05f, 0);
		test_graph_op(&graph, TFLITE_OP_FULLY_CONNECTED, 1, 3, (int32_t[]){previous, w, b},
			      out);
		previous = out;
	}
	graph.model.outputs[0] = previous;
	return tflite_write_file(&graph.model, argv[1]) == HB_OK ? 0 : 1;
}
