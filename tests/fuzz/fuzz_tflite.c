// FUZZ_DEPS: host/model/tflite.c host/util/error.c host/util/fileio.c
/*
 * tflite_parse on arbitrary bytes: it must refuse (never crash on, never
 * read past) anything, and whatever it accepts must hold only in-range
 * indices and data inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "model/tflite.h"

static void fuzz_tflite_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void fuzz_tflite_check_indices(const int32_t *indices, int32_t count, uint32_t tensors,
				      int allow_absent)
{
	int32_t i;
	for (i = 0; i < count; i++) {
		if (allow_absent && indices[i] == -1)
			continue;
		if (indices[i] < 0 || (uint32_t)indices[i] >= tensors)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tflite_model model;
	uint32_t i;

	hb_log_set_sink(fuzz_tflite_quiet, NULL);
	if (tflite_parse(data, size, "fuzz.tflite", &model) != HB_OK)
		return 0;
	fuzz_tflite_check_indices(model.inputs, model.input_count, model.tensor_count, 0);
	fuzz_tflite_check_indices(model.outputs, model.output_count, model.tensor_count, 0);
	for (i = 0; i < model.operator_count; i++) {
		const struct tflite_operator *op = &model.operators[i];
		if (op->input_count > TFLITE_MAX_OP_INPUTS ||
		    op->output_count > TFLITE_MAX_OP_OUTPUTS)
			abort();
		fuzz_tflite_check_indices(op->inputs, op->input_count, model.tensor_count, 1);
		fuzz_tflite_check_indices(op->outputs, op->output_count, model.tensor_count, 0);
		if (op->options.new_shape_count > TFLITE_MAX_RANK)
			abort();
	}
	for (i = 0; i < model.tensor_count; i++) {
		const struct tflite_tensor *tensor = &model.tensors[i];
		if (tensor->rank < 0 || tensor->rank > TFLITE_MAX_RANK)
			abort();
		if (tensor->data && (tensor->data < data || tensor->data_size > size ||
				     (size_t)(tensor->data - data) > size - tensor->data_size))
			abort();
		if (memchr(tensor->name, '\0', sizeof tensor->name) == NULL)
			abort();
		if (tensor->quant_count > 0)
			(void)(tensor->scales[tensor->quant_count - 1] +
			       (float)tensor->zero_points[tensor->quant_count - 1]);
	}
	tflite_release(&model);
	return 0;
}
