/*
 * A .tflite graph built in memory for the unit tests: struct tflite_model
 * over fixed arrays instead of what tflite_read allocates, so a test can
 * state a model in a few lines and change one field to provoke a refusal.
 * Nothing here is released; a graph lives as long as the test's variable.
 */
#ifndef HB_TEST_GRAPH_H
#define HB_TEST_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "model/tflite.h"

#define TEST_GRAPH_MAX_TENSORS	 64
#define TEST_GRAPH_MAX_OPERATORS 32
#define TEST_GRAPH_MAX_QUANT	 8
/* Room for constants a test computes instead of pointing at its own arrays. */
#define TEST_GRAPH_DATA_BYTES (8 * 512 * sizeof(float) + 64)

struct test_graph {
	struct tflite_model model;
	struct tflite_tensor tensors[TEST_GRAPH_MAX_TENSORS];
	struct tflite_operator operators[TEST_GRAPH_MAX_OPERATORS];
	float scales[TEST_GRAPH_MAX_TENSORS][TEST_GRAPH_MAX_QUANT];
	int64_t zero_points[TEST_GRAPH_MAX_TENSORS][TEST_GRAPH_MAX_QUANT];
	_Alignas(16) uint8_t data[TEST_GRAPH_DATA_BYTES];
	size_t data_used;
};

/* An empty schema v3 model called `name` (the name messages quote), with
 * one graph input and one output, both tensor 0 until the test says. */
void test_graph_init(struct test_graph *graph, const char *name);

/* Appends a tensor; `data` (may be NULL) is kept by reference. Returns its index. */
int32_t test_graph_tensor(struct test_graph *graph, const char *name, int32_t type, int32_t rank,
			  const int32_t *shape, const void *data, size_t data_size);

/* Quantisation of tensor `index`: `count` scales and zero points along
 * `dimension` (copied into the graph). */
void test_graph_quant(struct test_graph *graph, int32_t index, uint32_t count, const float *scales,
		      const int64_t *zero_points, int32_t dimension);
void test_graph_quant1(struct test_graph *graph, int32_t index, float scale, int64_t zero_point);

/* Appends an operator with one output; its options are what the reader
 * gives for a file that leaves them out. Returns it for the test to set
 * the options that matter. */
struct tflite_operator *test_graph_op(struct test_graph *graph, int32_t builtin, int32_t version,
				      int32_t input_count, const int32_t *inputs, int32_t output);

/* `size` zeroed bytes of the graph's own storage, 16-byte aligned, for
 * constants the test fills in. */
void *test_graph_data(struct test_graph *graph, size_t size);

#endif
