#include "model/builtin_model.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#define INPUTS	256
#define OUTPUTS 64
#define SEED	0x48494C42u /* "HILB" */

static uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static int set_quant(struct tflite_tensor *tensor, uint32_t count, const float *scales,
		     int64_t zero_point)
{
	tensor->scales = malloc(count * sizeof *tensor->scales);
	tensor->zero_points = malloc(count * sizeof *tensor->zero_points);
	if (!tensor->scales || !tensor->zero_points)
		return hb_error(HB_ERR_NOMEM, "out of memory building the built-in model");
	tensor->quant_count = count;
	for (uint32_t i = 0; i < count; i++) {
		tensor->scales[i] = scales[i];
		tensor->zero_points[i] = zero_point;
	}
	return HB_OK;
}

static void set_shape(struct tflite_tensor *tensor, const char *name, int32_t type, int32_t rank,
		      int32_t d0, int32_t d1)
{
	strncpy(tensor->name, name, sizeof tensor->name - 1);
	tensor->type = type;
	tensor->rank = rank;
	tensor->shape[0] = d0;
	tensor->shape[1] = d1;
}

int builtin_model_build(struct tflite_model *model)
{
	static const float input_scale = 0.05f, output_scale = 0.25f;
	float weight_scales[OUTPUTS];
	uint32_t state = SEED;
	int8_t *weights;
	int32_t *bias;
	struct tflite_tensor *t;
	struct tflite_operator *op;
	int status;

	memset(model, 0, sizeof *model);
	strcpy(model->name, BUILTIN_MODEL_NAME);
	model->schema_version = 3;
	/* One allocation holds the constants, like a file would. */
	model->file_size = OUTPUTS * INPUTS + OUTPUTS * sizeof(int32_t);
	model->file = malloc(model->file_size);
	model->tensors = calloc(4, sizeof *model->tensors);
	model->operators = calloc(1, sizeof *model->operators);
	if (!model->file || !model->tensors || !model->operators) {
		tflite_release(model);
		return hb_error(HB_ERR_NOMEM, "out of memory building the built-in model");
	}
	model->tensor_count = 4;
	model->operator_count = 1;
	weights = (int8_t *)model->file;
	bias = (int32_t *)(void *)(model->file + OUTPUTS * INPUTS);
	for (int i = 0; i < OUTPUTS * INPUTS; i++)
		weights[i] = (int8_t)(next_random(&state) & 0xFF);
	/* Symmetric int8 weights never use -128. */
	for (int i = 0; i < OUTPUTS * INPUTS; i++)
		if (weights[i] == -128)
			weights[i] = -127;
	for (int o = 0; o < OUTPUTS; o++) {
		/* Scales spread over a decade so per-channel shifts differ. */
		weight_scales[o] = 0.001f * (1.0f + (float)(next_random(&state) % 1000) / 100.0f);
		bias[o] = (int32_t)(next_random(&state) % 20001u) - 10000;
	}

	t = model->tensors;
	set_shape(&t[0], "input", TFLITE_TYPE_INT8, 2, 1, INPUTS);
	status = set_quant(&t[0], 1, &input_scale, -3);
	set_shape(&t[1], "weights", TFLITE_TYPE_INT8, 2, OUTPUTS, INPUTS);
	t[1].data = (const uint8_t *)weights;
	t[1].data_size = OUTPUTS * INPUTS;
	if (status == HB_OK)
		status = set_quant(&t[1], OUTPUTS, weight_scales, 0);
	set_shape(&t[2], "bias", TFLITE_TYPE_INT32, 1, OUTPUTS, 0);
	t[2].data = (const uint8_t *)bias;
	t[2].data_size = OUTPUTS * sizeof(int32_t);
	if (status == HB_OK) {
		float bias_scales[OUTPUTS];
		for (int o = 0; o < OUTPUTS; o++)
			bias_scales[o] = input_scale * weight_scales[o];
		status = set_quant(&t[2], OUTPUTS, bias_scales, 0);
	}
	set_shape(&t[3], "output", TFLITE_TYPE_INT8, 2, 1, OUTPUTS);
	if (status == HB_OK)
		status = set_quant(&t[3], 1, &output_scale, -5);
	if (status != HB_OK) {
		tflite_release(model);
		return status;
	}

	op = model->operators;
	op->builtin = TFLITE_OP_FULLY_CONNECTED;
	op->version = 1;
	op->input_count = 3;
	op->inputs[0] = 0;
	op->inputs[1] = 1;
	op->inputs[2] = 2;
	op->output_count = 1;
	op->outputs[0] = 3;
	op->options.dilation_width = 1;
	op->options.dilation_height = 1;
	op->options.new_shape_count = -1;
	model->input_count = 1;
	model->inputs[0] = 0;
	model->output_count = 1;
	model->outputs[0] = 3;
	return HB_OK;
}
