/*
 * In-place element-wise ops below the activation floor: the planner's
 * sharing hints on hand-made lifetimes, graphs of ADD, QUANTIZE and
 * SOFTMAX chains built by the test graph builder and compiled, a checker
 * that walks every step of a compiled image and finds no two live
 * tensors sharing a byte but an output over the input its kernel
 * consumes in place, the same image run with every tensor apart giving
 * the same bytes (the host reference runs the aliased image, so a wrong
 * alias would not show against it), and the firmware's checker accepting
 * exactly the aliasing the kernels tolerate.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "model/arena_plan.h"
#include "model/model_compile.h"
#include "model/reference.h"
#include "model/tflite.h"
#include "model_image.h"
#include "test_graph.h"
#include "test_image_walk.h"
#include "util/error.h"

Test(arena_plan_shared, an_add_at_the_peak_goes_below_the_floor)
{
	/* a = op0(x); b = op1(a); c = ADD(a, b) at op2; d = ADD(c, b) at op3,
	 * all 64 B. Alive: step 2 a, b, c and step 3 b, c, d: floor 192 B. c
	 * over a (last read at 2) and d over c (last read at 3) leave 128 B
	 * at both; b is read at 3, so c cannot take it; d may take b or c,
	 * not both. 64 B below the floor. */
	struct plan_buffer buffers[] = {
	    {.size = 64, .first_step = -1, .last_step = 0},	   /* x */
	    {.size = 64, .first_step = 0, .last_step = 2},	   /* a */
	    {.size = 64, .first_step = 1, .last_step = 3},	   /* b */
	    {.size = 64, .first_step = 2, .last_step = 3},	   /* c */
	    {.size = 64, .first_step = 3, .last_step = INT32_MAX}, /* d */
	};
	const struct plan_share shares[] = {{3, 1}, {4, 3}, {4, 2}};
	uint32_t arena = 0, floor_bytes = 0, shared = 0;

	cr_assert_eq(plan_arena_shared(buffers, 5, shares, 3, 16, &arena, &floor_bytes, &shared),
		     HB_OK, "%s", hb_last_error());
	cr_expect_eq(floor_bytes, 192);
	cr_expect_eq(arena, 128);
	cr_expect_eq(shared, 2, "d takes one of b and c");
	cr_expect_eq(buffers[3].offset, buffers[1].offset);
	cr_expect(buffers[4].offset == buffers[3].offset || buffers[4].offset == buffers[2].offset);
	cr_expect_neq(buffers[2].offset, buffers[1].offset);
	cr_expect_neq(buffers[2].offset, buffers[3].offset);
}

static void inplace_test_discard(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

Test(arena_plan_shared, a_hint_that_does_not_help_changes_nothing_and_bad_ones_are_refused)
{
	struct plan_buffer buffers[] = {
	    {.size = 32, .first_step = -1, .last_step = 0},
	    {.size = 256, .first_step = 0, .last_step = 1},
	    {.size = 256, .first_step = 1, .last_step = INT32_MAX},
	};
	const struct plan_share growing = {1, 0}; /* 32 B grown to 256 over [-1,1] */
	const struct plan_share late = {2, 0};	  /* the input's last reader is op 0 */
	uint32_t arena = 0, floor_bytes = 0, shared = 0;

	hb_log_set_sink(inplace_test_discard, NULL);
	cr_assert_eq(plan_arena_shared(buffers, 3, &growing, 1, 16, &arena, &floor_bytes, &shared),
		     HB_OK);
	/* Step 0 holds 32 + 256 either way, step 1 512: sharing ties at 512
	 * and is taken; the arena is the floor. */
	cr_expect_eq(floor_bytes, 512);
	cr_expect_eq(arena, 512);
	cr_expect_eq(plan_arena_shared(buffers, 3, &late, 1, 16, &arena, &floor_bytes, &shared),
		     HB_ERR_INTERNAL);
}

/* ---- compiled graphs ---- */

static int8_t inplace_test_weights[2][64 * 64];

/* A 64-wide int8 FULLY_CONNECTED `input` -> new tensor. */
static int32_t inplace_test_fc(struct test_graph *graph, int32_t input, int layer)
{
	char name[16];
	int32_t weights, output;

	for (int i = 0; i < 64 * 64; i++)
		inplace_test_weights[layer][i] = (int8_t)((i * 37 + layer * 11) % 61 - 30);
	snprintf(name, sizeof name, "w%d", layer);
	weights = test_graph_tensor(graph, name, TFLITE_TYPE_INT8, 2, (int32_t[]){64, 64},
				    inplace_test_weights[layer], 64 * 64);
	test_graph_quant1(graph, weights, 0.01f, 0);
	snprintf(name, sizeof name, "fc%d", layer);
	output = test_graph_tensor(graph, name, TFLITE_TYPE_INT8, 2, (int32_t[]){1, 64}, NULL, 0);
	test_graph_quant1(graph, output, 0.25f, 3);
	test_graph_op(graph, TFLITE_OP_FULLY_CONNECTED, 1, 3, (int32_t[]){input, weights, -1},
		      output);
	return output;
}

static int32_t inplace_test_add(struct test_graph *graph, int32_t first, int32_t second,
				const char *name, float scale)
{
	int32_t output =
	    test_graph_tensor(graph, name, TFLITE_TYPE_INT8, 2, (int32_t[]){1, 64}, NULL, 0);

	test_graph_quant1(graph, output, scale, -5);
	test_graph_op(graph, TFLITE_OP_ADD, 1, 2, (int32_t[]){first, second}, output);
	return output;
}

/* x -> a = FC(x) -> b = FC(a); c = ADD(a, b); d = ADD(c, b): the
 * lifetimes of an_add_at_the_peak_goes_below_the_floor. */
static void inplace_test_residual(struct test_graph *graph)
{
	int32_t x, a, b, c;

	test_graph_init(graph, "residual");
	x = test_graph_tensor(graph, "x", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 64}, NULL, 0);
	test_graph_quant1(graph, x, 0.5f, -1);
	graph->model.inputs[0] = x;
	a = inplace_test_fc(graph, x, 0);
	b = inplace_test_fc(graph, a, 1);
	c = inplace_test_add(graph, a, b, "c", 0.4f);
	graph->model.outputs[0] = inplace_test_add(graph, c, b, "d", 0.6f);
}

/* x (float32 [1,256]) -> QUANTIZE q -> s = ADD(q, q) -> SOFTMAX */
static void inplace_test_float_chain(struct test_graph *graph)
{
	int32_t x, q, s, out;

	test_graph_init(graph, "quantize_chain");
	x = test_graph_tensor(graph, "x", TFLITE_TYPE_FLOAT32, 2, (int32_t[]){1, 256}, NULL, 0);
	graph->model.inputs[0] = x;
	q = test_graph_tensor(graph, "q", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 256}, NULL, 0);
	test_graph_quant1(graph, q, 0.05f, 2);
	test_graph_op(graph, TFLITE_OP_QUANTIZE, 1, 1, (int32_t[]){x}, q);
	s = test_graph_tensor(graph, "s", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 256}, NULL, 0);
	test_graph_quant1(graph, s, 0.1f, 0);
	test_graph_op(graph, TFLITE_OP_ADD, 1, 2, (int32_t[]){q, q}, s);
	out = test_graph_tensor(graph, "p", TFLITE_TYPE_INT8, 2, (int32_t[]){1, 256}, NULL, 0);
	test_graph_quant1(graph, out, 1.0f / 256, -128);
	test_graph_op(graph, TFLITE_OP_SOFTMAX, 1, 1, (int32_t[]){s}, out)->options.beta = 1.0f;
	graph->model.outputs[0] = out;
}

static const struct model_image_header *inplace_test_header(const struct compiled_model *model)
{
	return (const struct model_image_header *)(const void *)model->image;
}

static int inplace_test_overlap(const struct model_tensor *a, const struct model_tensor *b)
{
	return a->offset < b->offset + b->size && b->offset < a->offset + a->size;
}

/* Every step of a compiled image (no RESHAPE views): the arena tensors
 * alive there (written before or at it, read at or after it; the input
 * from the start, to the end if kept; the output to the end) share no
 * byte, but an output written at this step over an input its op reads,
 * at the same offset, by an op kind that runs in place. */
void test_image_walk(const struct compiled_model *compiled)
{
	const struct model_image_header *header = inplace_test_header(compiled);
	const struct model_tensor *tensors = model_tensors(header);
	const struct model_op *ops = model_ops(header);
	const int32_t count = (int32_t)header->tensor_count;
	int32_t *first = malloc((size_t)count * sizeof *first);
	int32_t *last = malloc((size_t)count * sizeof *last);

	cr_assert(first && last);
	for (int32_t t = 0; t < count; t++) {
		first[t] = INT32_MAX;
		last[t] = -2;
	}
	first[header->input_tensor] = -1;
	last[header->input_tensor] = -1;
	for (int32_t i = 0; i < (int32_t)header->op_count; i++) {
		first[ops[i].output] = i;
		if (last[ops[i].output] < i)
			last[ops[i].output] = i;
		for (uint32_t k = 0; k < ops[i].input_count; k++)
			if (ops[i].inputs[k] != MODEL_NO_TENSOR)
				last[ops[i].inputs[k]] = i;
	}
	last[header->output_tensor] = INT32_MAX;
	if (header->flags & MODEL_IMAGE_INPUT_IN_ARENA)
		last[header->input_tensor] = INT32_MAX;
	for (int32_t step = -1; step < (int32_t)header->op_count; step++)
		for (int32_t a = 0; a < count; a++)
			for (int32_t b = a + 1; b < count; b++) {
				const struct model_op *op = step >= 0 ? &ops[step] : NULL;
				int shared = 0;
				if (tensors[a].location != MODEL_LOCATION_ARENA ||
				    tensors[b].location != MODEL_LOCATION_ARENA ||
				    first[a] > step || last[a] < step || first[b] > step ||
				    last[b] < step ||
				    !inplace_test_overlap(&tensors[a], &tensors[b]))
					continue;
				if (op && (op->kind == MODEL_OP_ADD_S8 ||
					   op->kind == MODEL_OP_QUANTIZE_F32_S8 ||
					   op->kind == MODEL_OP_SOFTMAX_S8))
					for (uint32_t k = 0; k < op->input_count; k++) {
						uint32_t in = op->inputs[k];
						uint32_t out = op->output;
						shared |=
						    ((in == (uint32_t)a && out == (uint32_t)b) ||
						     (in == (uint32_t)b && out == (uint32_t)a)) &&
						    tensors[a].offset == tensors[b].offset &&
						    last[in] == step;
					}
				cr_expect(shared, "step %d: tensors %d and %d overlap", step, a, b);
			}
	free(first);
	free(last);
}

/* The step that writes tensor t (-1 for the graph input), INT32_MAX for
 * a RESHAPE view (no op writes it) or a constant. */
static int32_t inplace_test_writer(const struct model_image_header *header, uint32_t t)
{
	const struct model_op *ops = model_ops(header);

	if (t == header->input_tensor)
		return -1;
	for (uint32_t i = 0; i < header->op_count; i++)
		if (ops[i].output == t)
			return (int32_t)i;
	return INT32_MAX;
}

/* The first step that reads tensor t. */
static int32_t inplace_test_first_reader(const struct model_image_header *header, uint32_t t)
{
	const struct model_op *ops = model_ops(header);

	for (uint32_t i = 0; i < header->op_count; i++)
		for (uint32_t k = 0; k < ops[i].input_count; k++)
			if (ops[i].inputs[k] == t)
				return (int32_t)i;
	return INT32_MAX;
}

/* The image with every written arena tensor at a place of its own: no
 * sharing at all. A RESHAPE view keeps its root's place: the tensor at its
 * offset written last before the view is first read. */
static void inplace_test_run_apart(const struct compiled_model *compiled, const uint8_t *input,
				   uint8_t *output)
{
	const struct model_image_header *original = inplace_test_header(compiled);
	const struct model_tensor *before = model_tensors(original);
	uint8_t *image = malloc(compiled->image_size);
	struct model_image_header header;
	struct model_tensor *tensors;
	uint8_t *arena;
	uint32_t cursor = 0;

	cr_assert(image);
	memcpy(image, compiled->image, compiled->image_size);
	memcpy(&header, image, sizeof header);
	tensors = (struct model_tensor *)(void *)(image + header.tensors_offset);
	for (uint32_t t = 0; t < header.tensor_count; t++)
		if (tensors[t].location == MODEL_LOCATION_ARENA &&
		    inplace_test_writer(original, t) != INT32_MAX) {
			tensors[t].offset = cursor;
			cursor += (tensors[t].size + 15u) & ~15u;
		}
	for (uint32_t v = 0; v < header.tensor_count; v++) {
		int32_t read = inplace_test_first_reader(original, v);
		int32_t best = -2;
		if (before[v].location != MODEL_LOCATION_ARENA ||
		    inplace_test_writer(original, v) != INT32_MAX)
			continue;
		for (uint32_t t = 0; t < header.tensor_count; t++) {
			int32_t written = inplace_test_writer(original, t);
			if (before[t].location == MODEL_LOCATION_ARENA && written != INT32_MAX &&
			    before[t].offset == before[v].offset && written < read &&
			    written > best) {
				best = written;
				tensors[v].offset = tensors[t].offset;
			}
		}
		cr_assert_neq(best, -2, "view %u has no root", v);
	}
	header.arena_size = cursor;
	header.flags = 0;
	header.crc32 = crc32_compute(image + sizeof header, header.image_size - sizeof header);
	memcpy(image, &header, sizeof header);
	cr_assert_eq(model_image_check(image, compiled->image_size, cursor), MODEL_CHECK_OK);
	arena = calloc(1, cursor + 16);
	cr_assert(arena);
	memcpy(arena + tensors[header.input_tensor].offset, input,
	       tensors[header.input_tensor].size);
	model_invoke((const struct model_image_header *)(const void *)image, arena);
	memcpy(output, arena + tensors[header.output_tensor].offset,
	       tensors[header.output_tensor].size);
	free(arena);
	free(image);
}

/* The aliased image and the one with every tensor apart agree byte for byte. */
static void inplace_test_expect_same_output(const struct compiled_model *compiled)
{
	uint8_t *input = malloc(compiled->input_bytes);
	uint8_t *aliased = calloc(1, compiled->output_bytes);
	uint8_t *apart = calloc(1, compiled->output_bytes);

	cr_assert(input && aliased && apart);
	for (uint32_t i = 0; i < compiled->input_bytes; i++)
		input[i] = (uint8_t)(i * 73u + 19u);
	if (compiled->input_dtype == MODEL_DTYPE_FLOAT32)
		for (uint32_t i = 0; i < compiled->input_bytes / 4; i++) {
			float value = (float)((int32_t)(i * 29u % 97u) - 48) * 0.07f;
			memcpy(input + 4 * i, &value, 4);
		}
	cr_assert_eq(reference_run(compiled, input, aliased), HB_OK, "%s", hb_last_error());
	inplace_test_run_apart(compiled, input, apart);
	cr_expect_arr_eq(aliased, apart, compiled->output_bytes);
	free(input);
	free(aliased);
	free(apart);
}

Test(model_inplace, residual_adds_plan_below_the_floor)
{
	static struct test_graph graph;
	struct compiled_model compiled;

	inplace_test_residual(&graph);
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	/* As an_add_at_the_peak_goes_below_the_floor: 192 B without sharing,
	 * 128 B with c over a and d over c or b. Kept alive, the 64 B input
	 * would add 64 B: 192 B, as much as 128 B and the copy; the tie keeps
	 * the copy. */
	cr_expect_eq(compiled.activation_floor, 192);
	cr_expect_eq(compiled.arena_size, 128);
	cr_expect_eq(compiled.in_place_ops, 2);
	cr_expect(compiled.layers[2].in_place && compiled.layers[3].in_place);
	cr_expect_not(compiled.layers[0].in_place || compiled.layers[1].in_place);
	cr_expect_not(compiled.input_in_arena);
	cr_expect_eq(model_image_check(compiled.image, compiled.image_size, compiled.arena_size),
		     MODEL_CHECK_OK);
	test_image_walk(&compiled);
	inplace_test_expect_same_output(&compiled);
	compiled_model_release(&compiled);
}

Test(model_inplace, a_quantize_add_softmax_chain_runs_in_place)
{
	static struct test_graph graph;
	struct compiled_model compiled;

	inplace_test_float_chain(&graph);
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	/* x 1024 B [-1,0], q 256 [0,1], s 256 [1,2], p 256 [2,end]: floor 1280
	 * at the QUANTIZE. All four in one place: 1024 B, plus a 1024 B input
	 * copy, 2048 B. Keeping the input instead: it cannot be quantised
	 * over, q, s and p share 256 B beside it: 1280 B, the smaller RAM, so
	 * the image keeps the input and the ADD and SOFTMAX run in place. */
	cr_expect_eq(compiled.activation_floor, 1280);
	cr_expect_eq(compiled.arena_fresh_input, 1024, "below the floor were the input not kept");
	cr_expect(compiled.input_in_arena);
	cr_expect_eq(compiled.arena_size, 1280);
	cr_expect_eq(compiled.in_place_ops, 2);
	cr_expect_not(compiled.layers[0].in_place, "the kept input is never written over");
	test_image_walk(&compiled);
	inplace_test_expect_same_output(&compiled);
	compiled_model_release(&compiled);
}

Test(model_inplace, mlperf_resnet_in_place_adds_give_the_same_bytes)
{
	struct tflite_model model;
	struct compiled_model compiled;
	const char *path = "../shared/mlperf-tiny/pretrainedResnet_quant.tflite";
	FILE *file = fopen(path, "rb");

	if (!file)
		cr_skip_test("../shared/mlperf-tiny not found: skipped");
	fclose(file);
	cr_assert_eq(tflite_read(path, &model), HB_OK, "%s", hb_last_error());
	cr_assert_eq(model_compile(&model, 0, &compiled), HB_OK, "%s", hb_last_error());
	/* Its peaks hold three 16 KiB tensors at the convolutions as well as
	 * at the ADDs: sharing ties at the floor, and is kept. */
	cr_expect_eq(compiled.arena_size, compiled.activation_floor);
	cr_expect_gt(compiled.in_place_ops, 0);
	inplace_test_expect_same_output(&compiled);
	compiled_model_release(&compiled);
	tflite_release(&model);
}

/* ---- the firmware's checker ---- */

static void inplace_test_move(uint8_t *image, uint32_t tensor, uint32_t offset)
{
	struct model_image_header header;
	struct model_tensor record;
	uint8_t *at;

	memcpy(&header, image, sizeof header);
	at = image + header.tensors_offset + tensor * sizeof record;
	memcpy(&record, at, sizeof record);
	record.offset = offset;
	memcpy(at, &record, sizeof record);
	header.crc32 = crc32_compute(image + sizeof header, header.image_size - sizeof header);
	memcpy(image, &header, sizeof header);
}

static struct model_tensor inplace_test_tensor(const uint8_t *image, uint32_t index)
{
	return model_tensors((const struct model_image_header *)(const void *)image)[index];
}

Test(model_inplace, the_checker_allows_exactly_the_aliasing_a_kernel_tolerates)
{
	static struct test_graph graph;
	struct compiled_model compiled;
	const struct model_op *ops;
	uint8_t *image;
	uint32_t add_out, add_in1, add_in2, fc_in, fc_out;

	inplace_test_residual(&graph);
	cr_assert_eq(model_compile(&graph.model, 0, &compiled), HB_OK, "%s", hb_last_error());
	image = malloc(compiled.image_size);
	cr_assert(image);
	ops = model_ops(inplace_test_header(&compiled));
	add_in1 = ops[2].inputs[0];
	add_in2 = ops[2].inputs[1];
	add_out = ops[2].output;
	fc_in = ops[1].inputs[0];
	fc_out = ops[1].output;
#define INPLACE_CHECK(tensor, offset)                                                              \
	(memcpy(image, compiled.image, compiled.image_size),                                       \
	 inplace_test_move(image, (tensor), (offset)),                                             \
	 model_image_check(image, compiled.image_size, compiled.arena_size))
	/* The ADD over its first input as planned, over its second, its
	 * output half over an input, a FULLY_CONNECTED over its input. */
	cr_expect_eq(INPLACE_CHECK(add_out, inplace_test_tensor(compiled.image, add_in1).offset),
		     MODEL_CHECK_OK);
	cr_expect_eq(INPLACE_CHECK(add_out, inplace_test_tensor(compiled.image, add_in2).offset),
		     MODEL_CHECK_OK, "ADD reads element i of each input before writing it");
	cr_expect_eq(
	    INPLACE_CHECK(add_out, inplace_test_tensor(compiled.image, add_in2).offset + 32),
	    MODEL_CHECK_BAD_OP, "an output shifted over its input reads what it wrote");
	cr_expect_eq(INPLACE_CHECK(fc_out, inplace_test_tensor(compiled.image, fc_in).offset),
		     MODEL_CHECK_BAD_OP, "FULLY_CONNECTED reads the whole row for each output");
#undef INPLACE_CHECK
	free(image);
	compiled_model_release(&compiled);
}
