/* clang-format off */ // FUZZ_DEPS: host/model/tflite.c host/model/model_compile.c host/model/model_compile_ops.c host/model/model_layout.c host/model/arena_plan.c host/model/quant_math.c host/model/reference.c host/util/error.c host/util/fileio.c target-fw/proto/crc32.c target-fw/nn/model_image.c target-fw/nn/model_op_check.c target-fw/nn/nn_add_f32.c target-fw/nn/nn_add_s8.c target-fw/nn/nn_avg_pool2d_f32.c target-fw/nn/nn_avg_pool2d_s8.c target-fw/nn/nn_conv2d_f32.c target-fw/nn/nn_conv2d_s8.c target-fw/nn/nn_depthwise_conv2d_f32.c target-fw/nn/nn_depthwise_conv2d_s8.c target-fw/nn/nn_dequantize_s8_f32.c target-fw/nn/nn_fully_connected_f32.c target-fw/nn/nn_fully_connected_s8.c target-fw/nn/nn_max_pool2d_f32.c target-fw/nn/nn_max_pool2d_s8.c target-fw/nn/nn_quantize_f32_s8.c target-fw/nn/nn_softmax_f32.c target-fw/nn/nn_softmax_s8.c
// clang-format on
/*
 * A .tflite that parses but lies (shapes against buffers, strides,
 * padding, operator inputs, quantisation counts) must be refused by
 * model_compile, never crash it. Whatever compiles is then run on the
 * host reference kernels with an input of the compiled size, so ASan sees
 * any kernel reading or writing outside the arena the compiler planned.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "model/model_compile.h"
#include "model/reference.h"
#include "model/tflite.h"

/* Keeps each run in milliseconds: the work bound is the target's, not the
 * library's, which must accept any real model. */
#define FUZZ_MODEL_MAX_MACS  100000u
#define FUZZ_MODEL_MAX_BYTES (256u << 10)

static void fuzz_model_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tflite_model model;
	struct compiled_model compiled;
	uint8_t *input;
	uint8_t *output;

	hb_log_set_sink(fuzz_model_quiet, NULL);
	if (tflite_parse(data, size, "fuzz.tflite", &model) != HB_OK)
		return 0;
	if (model_compile(&model, 0, &compiled) != HB_OK) {
		tflite_release(&model);
		return 0;
	}
	if (compiled.image == NULL || compiled.image_size == 0)
		abort();
	if (compiled.macs <= FUZZ_MODEL_MAX_MACS && compiled.input_bytes <= FUZZ_MODEL_MAX_BYTES &&
	    compiled.output_bytes <= FUZZ_MODEL_MAX_BYTES &&
	    compiled.arena_size <= FUZZ_MODEL_MAX_BYTES) {
		/* Exact sizes, so ASan flags one byte past either buffer. */
		input = malloc(compiled.input_bytes ? compiled.input_bytes : 1);
		output = malloc(compiled.output_bytes ? compiled.output_bytes : 1);
		if (input && output) {
			memset(input, (int)(size & 0xff), compiled.input_bytes);
			(void)reference_run(&compiled, input, output);
		}
		free(input);
		free(output);
	}
	compiled_model_release(&compiled);
	tflite_release(&model);
	return 0;
}
