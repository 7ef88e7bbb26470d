/* Builds struct tflite_model graphs in fixed arrays for the unit tests. */
#include "test_graph.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

void test_graph_init(struct test_graph *graph, const char *name)
{
	memset(graph, 0, sizeof *graph);
	snprintf(graph->model.name, sizeof graph->model.name, "%s", name);
	graph->model.schema_version = 3;
	graph->model.tensors = graph->tensors;
	graph->model.operators = graph->operators;
	graph->model.input_count = 1;
	graph->model.output_count = 1;
}

int32_t test_graph_tensor(struct test_graph *graph, const char *name, int32_t type, int32_t rank,
			  const int32_t *shape, const void *data, size_t data_size)
{
	int32_t index;
	struct tflite_tensor *tensor;

	cr_assert_lt(graph->model.tensor_count, TEST_GRAPH_MAX_TENSORS, "test graph: tensor '%s'",
		     name);
	cr_assert_leq(rank, TFLITE_MAX_RANK, "test graph: tensor '%s'", name);
	index = (int32_t)graph->model.tensor_count++;
	tensor = &graph->tensors[index];
	snprintf(tensor->name, sizeof tensor->name, "%s", name);
	tensor->type = type;
	tensor->rank = rank;
	memcpy(tensor->shape, shape, (size_t)rank * sizeof *shape);
	tensor->data = data;
	tensor->data_size = data_size;
	return index;
}

void test_graph_quant(struct test_graph *graph, int32_t index, uint32_t count, const float *scales,
		      const int64_t *zero_points, int32_t dimension)
{
	struct tflite_tensor *tensor = &graph->tensors[index];

	cr_assert_leq(count, TEST_GRAPH_MAX_QUANT, "test graph: tensor %d", index);
	memcpy(graph->scales[index], scales, count * sizeof *scales);
	memcpy(graph->zero_points[index], zero_points, count * sizeof *zero_points);
	tensor->quant_count = count;
	tensor->scales = graph->scales[index];
	tensor->zero_points = graph->zero_points[index];
	tensor->quantized_dimension = dimension;
}

void test_graph_quant1(struct test_graph *graph, int32_t index, float scale, int64_t zero_point)
{
	test_graph_quant(graph, index, 1, &scale, &zero_point, 0);
}

struct tflite_operator *test_graph_op(struct test_graph *graph, int32_t builtin, int32_t version,
				      int32_t input_count, const int32_t *inputs, int32_t output)
{
	struct tflite_operator *op;

	cr_assert_lt(graph->model.operator_count, TEST_GRAPH_MAX_OPERATORS,
		     "test graph: operator %u", graph->model.operator_count);
	cr_assert_leq(input_count, TFLITE_MAX_OP_INPUTS, "test graph: operator %u",
		      graph->model.operator_count);
	op = &graph->operators[graph->model.operator_count++];
	op->builtin = builtin;
	op->version = version;
	op->input_count = input_count;
	memcpy(op->inputs, inputs, (size_t)input_count * sizeof *inputs);
	op->output_count = 1;
	op->outputs[0] = output;
	/* Zeros, dilation 1 and stride 1 where the schema has a stride, so a
	 * graph written and read back compares equal field by field. */
	if (builtin == TFLITE_OP_CONV_2D || builtin == TFLITE_OP_DEPTHWISE_CONV_2D ||
	    builtin == TFLITE_OP_AVERAGE_POOL_2D || builtin == TFLITE_OP_MAX_POOL_2D) {
		op->options.stride_width = 1;
		op->options.stride_height = 1;
	}
	op->options.dilation_width = 1;
	op->options.dilation_height = 1;
	op->options.new_shape_count = -1;
	return op;
}

void *test_graph_data(struct test_graph *graph, size_t size)
{
	size_t start = graph->data_used;

	cr_assert_leq(size, sizeof graph->data - start, "test graph: %zu bytes of data", size);
	graph->data_used = start + ((size + 15) & ~(size_t)15);
	if (graph->data_used > sizeof graph->data)
		graph->data_used = sizeof graph->data;
	return graph->data + start;
}
