/*
 * Writes a small int8 .tflite that takes a 96x96x3 image (the input size of
 * MLPerf Tiny's visual wake words model): AVERAGE_POOL_2D 4x4 stride 4 to
 * 24x24x3. No such model ships; the e2e RAM test needs one to show the
 * firmware's input staging buffer (27648 B). Usage: make_image_model OUT.tflite
 */
#include <stdio.h>

#include "model/tflite_write.h"
#include "test_graph.h"
#include "util/error.h"

int main(int argc, char **argv)
{
	static struct test_graph graph;
	struct tflite_operator *op;
	int32_t input, output;

	if (argc != 2) {
		fprintf(stderr, "usage: make_image_model OUT.tflite\n");
		return 2;
	}
	test_graph_init(&graph, "image96");
	input = test_graph_tensor(&graph, "image", TFLITE_TYPE_INT8, 4, (int32_t[]){1, 96, 96, 3},
				  NULL, 0);
	test_graph_quant1(&graph, input, 0.0078125f, 0);
	output = test_graph_tensor(&graph, "pooled", TFLITE_TYPE_INT8, 4, (int32_t[]){1, 24, 24, 3},
				   NULL, 0);
	test_graph_quant1(&graph, output, 0.0078125f, 0);
	op = test_graph_op(&graph, TFLITE_OP_AVERAGE_POOL_2D, 1, 1, (int32_t[]){input}, output);
	op->options.padding = TFLITE_PADDING_VALID;
	op->options.stride_width = op->options.stride_height = 4;
	op->options.filter_width = op->options.filter_height = 4;
	graph.model.inputs[0] = input;
	graph.model.outputs[0] = output;
	return tflite_write_file(&graph.model, argv[1]) == HB_OK ? 0 : 1;
}
