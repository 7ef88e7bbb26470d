/*
 * Post-training quantisation in three steps: calibrate (run the compiled
 * float model op by op and record what each op writes), choose parameters
 * (activations from their ranges, weights and bias from their values) and
 * assemble the int8 model, which is written with tflite_write and read back
 * with tflite_parse so the caller gets exactly what the file says.
 *
 * Finding each op's output: the compiler emits one image op per .tflite
 * operator in order and records the kind it emitted in compiled->layers
 * (0 when the operator was folded away, as RESHAPE is). So the n-th layer
 * with a kind is the n-th image op, and that op's output is the operator's
 * outputs[0]; the image's tensor table gives its arena offset. The walk
 * checks kinds and sizes as it pairs them, so a compiler that ever emitted
 * differently would be refused here rather than calibrate the wrong tensor.
 * A folded RESHAPE output is the same bytes as its input and takes its
 * input's parameters, as the compiler requires.
 */
#include "model/quantize.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/grow.h"
#include "model/model_compile.h"
#include "model_image.h"
#include "model/tflite_write.h"

#define PTQ_HISTOGRAM_BINS 2048
#define PTQ_WEIGHT_LIMIT   127
/* Bias is kept below 2^30 in its own units so the accumulator still has room. */
#define PTQ_BIAS_LIMIT 1073741824.0

enum ptq_role {
	PTQ_ROLE_NONE,
	PTQ_ROLE_ACTIVATION,
	PTQ_ROLE_WEIGHTS,
	PTQ_ROLE_BIAS,
	PTQ_ROLE_CONSTANT
};

struct ptq_range {
	bool observed;
	float min;
	float max;
	float abs_max;
	uint64_t count;
	uint64_t *histogram; /* of |value| over [0, abs_max], percentile only */
};

struct ptq_context {
	const struct tflite_model *model;
	const struct quantize_options *options;
	struct compiled_model compiled;
	const struct model_image_header *header;
	int32_t *op_outputs; /* per image op: the .tflite tensor it writes */
	struct ptq_range *ranges;
	uint8_t *arena;
	uint64_t input_elements;
	/* the int8 model being assembled */
	struct tflite_tensor *tensors;
	struct tflite_operator *operators;
	uint8_t *roles;
	void **owned;
	size_t owned_count;
	size_t owned_capacity;
	struct quantize_summary summary;
};

__attribute__((format(printf, 3, 4))) static int
ptq_refuse(const struct ptq_context *ctx, int64_t op_index, const char *format, ...)
{
	char reason[512];
	va_list args;

	va_start(args, format);
	vsnprintf(reason, sizeof reason, format, args);
	va_end(args);
	if (op_index < 0)
		return hb_error(HB_ERR_INPUT, "cannot quantise '%s': %s", ctx->model->name, reason);
	return hb_error(HB_ERR_INPUT, "cannot quantise '%s': operator %lld (%s): %s",
			ctx->model->name, (long long)op_index,
			tflite_builtin_name(ctx->model->operators[op_index].builtin), reason);
}

static void *ptq_alloc(struct ptq_context *ctx, size_t size)
{
	void **bigger =
	    grow_array(ctx->owned, &ctx->owned_capacity, ctx->owned_count, sizeof *bigger, 64);
	void *memory;

	if (!bigger)
		return NULL;
	ctx->owned = bigger;
	memory = calloc(1, size ? size : 1);
	if (memory)
		ctx->owned[ctx->owned_count++] = memory;
	return memory;
}

static int ptq_out_of_memory(const struct ptq_context *ctx)
{
	return hb_error(HB_ERR_NOMEM, "cannot quantise '%s': out of memory", ctx->model->name);
}

void quantize_options_default(struct quantize_options *options)
{
	memset(options, 0, sizeof *options);
}

int quantize_choose_params(float min, float max, float *scale, int32_t *zero_point)
{
	const double qmin = -128.0, qmax = 127.0;
	double low, high, real_scale, from_min, from_max, zero;

	*scale = 0.0f;
	*zero_point = 0;
	if (!isfinite(min) || !isfinite(max) || min > max)
		return HB_ERR_INPUT;
	low = min < 0.0f ? (double)min : 0.0;
	high = max > 0.0f ? (double)max : 0.0;
	if (high == low)
		high = 1.0; /* never anything but 0: any scale keeps it exact */
	real_scale = (high - low) / (qmax - qmin);
	if ((float)real_scale <= 0.0f || !isfinite((float)real_scale))
		return HB_ERR_INPUT;
	/* The zero point that keeps the smaller of the two ends exact, as
	 * TFLite picks it, then rounded into range: 0 becomes exact. */
	from_min = qmin - low / real_scale;
	from_max = qmax - high / real_scale;
	zero = fabs(qmin) + fabs(low / real_scale) < fabs(qmax) + fabs(high / real_scale)
		   ? from_min
		   : from_max;
	zero = round(zero);
	*zero_point = (int32_t)(zero < qmin ? qmin : zero > qmax ? qmax : zero);
	*scale = (float)real_scale;
	return HB_OK;
}

/* ----- checking what can be quantised ----- */

static bool ptq_is_constant(const struct tflite_tensor *tensor)
{
	return tensor->data && tensor->data_size > 0;
}

/* Inputs that must be present: the activation, and weights or a second operand. */
static int32_t ptq_required_inputs(int32_t builtin)
{
	switch (builtin) {
	case TFLITE_OP_CONV_2D:
	case TFLITE_OP_DEPTHWISE_CONV_2D:
	case TFLITE_OP_FULLY_CONNECTED:
	case TFLITE_OP_ADD: return 2;
	default: return 1;
	}
}

static int ptq_check_model(const struct ptq_context *ctx)
{
	const struct tflite_model *model = ctx->model;
	const struct tflite_tensor *input;

	if (model->input_count != 1 || model->output_count != 1)
		return ptq_refuse(ctx, -1,
				  "expected one graph input and one output, found %d and %d",
				  model->input_count, model->output_count);
	/* tflite_parse checks indices; a graph built by hand may not have. */
	if (model->inputs[0] < 0 || (uint32_t)model->inputs[0] >= model->tensor_count ||
	    model->outputs[0] < 0 || (uint32_t)model->outputs[0] >= model->tensor_count)
		return ptq_refuse(ctx, -1, "graph input or output index is out of range");
	for (uint32_t i = 0; i < model->operator_count; i++) {
		const struct tflite_operator *op = &model->operators[i];
		if (op->input_count > TFLITE_MAX_OP_INPUTS ||
		    op->output_count > TFLITE_MAX_OP_OUTPUTS)
			return ptq_refuse(ctx, i, "too many inputs or outputs");
		for (int32_t k = 0; k < op->input_count + op->output_count; k++) {
			int32_t index =
			    k < op->input_count ? op->inputs[k] : op->outputs[k - op->input_count];
			if (index < -1 || index >= (int64_t)model->tensor_count)
				return ptq_refuse(ctx, i, "tensor index %d is out of range", index);
		}
	}
	input = &model->tensors[model->inputs[0]];
	if (input->type != TFLITE_TYPE_FLOAT32)
		return ptq_refuse(ctx, -1,
				  "graph input '%s' (tensor %d) is %s, expected FLOAT32 "
				  "(the model is quantised already?)",
				  input->name, model->inputs[0], tflite_type_name(input->type));
	for (uint32_t i = 0; i < model->operator_count; i++) {
		const struct tflite_operator *op = &model->operators[i];
		const struct tflite_tensor *output;
		int32_t required;
		switch (op->builtin) {
		case TFLITE_OP_CONV_2D:
		case TFLITE_OP_DEPTHWISE_CONV_2D:
		case TFLITE_OP_FULLY_CONNECTED:
		case TFLITE_OP_AVERAGE_POOL_2D:
		case TFLITE_OP_MAX_POOL_2D:
		case TFLITE_OP_ADD:
		case TFLITE_OP_RESHAPE:
		case TFLITE_OP_SOFTMAX: break;
		default:
			return ptq_refuse(
			    ctx, i,
			    "not supported (supported: ADD, AVERAGE_POOL_2D, CONV_2D, "
			    "DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, RESHAPE, "
			    "SOFTMAX)");
		}
		required = ptq_required_inputs(op->builtin);
		if (op->output_count != 1 || op->input_count < required)
			return ptq_refuse(ctx, i, "expected at least %d inputs and one output",
					  required);
		for (int32_t k = 0; k < required; k++)
			if (op->inputs[k] < 0)
				return ptq_refuse(ctx, i, "input %d is missing", k + 1);
		output = &model->tensors[op->outputs[0]];
		if (output->type != TFLITE_TYPE_FLOAT32)
			return ptq_refuse(ctx, i, "output '%s' (tensor %d) is %s, expected FLOAT32",
					  output->name, op->outputs[0],
					  tflite_type_name(output->type));
		if (op->builtin != TFLITE_OP_ADD && ptq_is_constant(&model->tensors[op->inputs[0]]))
			return ptq_refuse(ctx, i,
					  "input '%s' (tensor %d) is a constant, expected "
					  "an activation",
					  model->tensors[op->inputs[0]].name, op->inputs[0]);
	}
	return HB_OK;
}

/* ----- calibration ----- */

/* Pairs image ops with .tflite operators (see the top of the file). */
static int ptq_map_ops(struct ptq_context *ctx)
{
	const struct model_op *ops = model_ops(ctx->header);
	const struct model_tensor *tensors = model_tensors(ctx->header);
	uint32_t next = 0;

	ctx->op_outputs =
	    calloc(ctx->header->op_count ? ctx->header->op_count : 1, sizeof *ctx->op_outputs);
	if (!ctx->op_outputs)
		return ptq_out_of_memory(ctx);
	for (size_t i = 0; i < ctx->compiled.layer_count; i++) {
		const struct compiled_layer *layer = &ctx->compiled.layers[i];
		const struct tflite_operator *op;
		const struct tflite_tensor *output;
		if (layer->kind == 0)
			continue;
		op = &ctx->model->operators[layer->tflite_index];
		output = &ctx->model->tensors[op->outputs[0]];
		if (next >= ctx->header->op_count || ops[next].kind != layer->kind ||
		    tensors[ops[next].output].dtype != MODEL_DTYPE_FLOAT32 ||
		    tensors[ops[next].output].size != tflite_tensor_elements(output) * 4)
			return hb_error(HB_ERR_INTERNAL,
					"cannot quantise '%s': image op %u does not match operator "
					"%d (%s)",
					ctx->model->name, next, layer->tflite_index,
					tflite_builtin_name(op->builtin));
		ctx->op_outputs[next++] = op->outputs[0];
	}
	if (next != ctx->header->op_count)
		return hb_error(HB_ERR_INTERNAL,
				"cannot quantise '%s': %u image ops, %u operators emitted",
				ctx->model->name, ctx->header->op_count, next);
	return HB_OK;
}

/* Adds one tensor's values: min/max on the first pass, the histogram on the second. */
static int ptq_record(struct ptq_context *ctx, int32_t index, const float *values, uint64_t count,
		      bool histogram_pass, uint32_t sample)
{
	struct ptq_range *range = &ctx->ranges[index];

	for (uint64_t i = 0; i < count; i++) {
		float value = values[i];
		float magnitude = fabsf(value);
		if (!isfinite(value))
			return ptq_refuse(ctx, -1,
					  "calibration sample %u: tensor '%s' (tensor %d) "
					  "holds a non-finite value",
					  sample, ctx->model->tensors[index].name, index);
		if (histogram_pass) {
			size_t bin = 0;
			if (range->abs_max > 0.0f)
				bin = (size_t)((double)magnitude / (double)range->abs_max *
					       PTQ_HISTOGRAM_BINS);
			if (bin >= PTQ_HISTOGRAM_BINS)
				bin = PTQ_HISTOGRAM_BINS - 1;
			range->histogram[bin]++;
			continue;
		}
		if (!range->observed || value < range->min)
			range->min = value;
		if (!range->observed || value > range->max)
			range->max = value;
		if (magnitude > range->abs_max)
			range->abs_max = magnitude;
		range->observed = true;
	}
	if (!histogram_pass)
		range->count += count;
	return HB_OK;
}

/* Runs every sample through the float model, one op at a time. */
static int ptq_calibrate_pass(struct ptq_context *ctx, const float *calibration, uint32_t samples,
			      bool histogram_pass)
{
	const struct model_tensor *tensors = model_tensors(ctx->header);
	const struct model_tensor *input = &tensors[ctx->header->input_tensor];
	const struct model_op *ops = model_ops(ctx->header);
	int32_t input_index = ctx->model->inputs[0];
	int status;

	for (uint32_t s = 0; s < samples; s++) {
		const float *sample = calibration + (size_t)s * ctx->input_elements;
		memcpy(model_tensor_data(ctx->header, ctx->arena, input), sample, input->size);
		status =
		    ptq_record(ctx, input_index, sample, ctx->input_elements, histogram_pass, s);
		for (uint32_t k = 0; k < ctx->header->op_count && status == HB_OK; k++) {
			const struct model_tensor *output = &tensors[ops[k].output];
			model_invoke_op(ctx->header, ctx->arena, &ops[k]);
			status = ptq_record(ctx, ctx->op_outputs[k],
					    model_tensor_data(ctx->header, ctx->arena, output),
					    output->size / 4, histogram_pass, s);
		}
		if (status != HB_OK)
			return status;
	}
	return HB_OK;
}

static int ptq_calibrate(struct ptq_context *ctx, const float *calibration, uint32_t samples)
{
	const struct tflite_model *model = ctx->model;
	enum model_check check;
	int status;

	status = model_compile(model, 0, &ctx->compiled);
	if (status != HB_OK)
		return status;
	ctx->header = (const struct model_image_header *)ctx->compiled.image;
	check = model_image_check(ctx->compiled.image, ctx->compiled.image_size,
				  ctx->compiled.arena_size);
	if (check != MODEL_CHECK_OK)
		return hb_error(HB_ERR_INTERNAL,
				"cannot quantise '%s': compiled image fails its "
				"check: %s",
				model->name, model_check_name(check));
	status = ptq_map_ops(ctx);
	if (status != HB_OK)
		return status;
	ctx->arena = aligned_alloc(16, ((size_t)ctx->compiled.arena_size + 16) & ~(size_t)15);
	if (!ctx->arena)
		return ptq_out_of_memory(ctx);
	memset(ctx->arena, 0, ctx->compiled.arena_size);
	status = ptq_calibrate_pass(ctx, calibration, samples, false);
	if (status != HB_OK || ctx->options->percentile <= 0.0)
		return status;
	for (uint32_t i = 0; i < model->tensor_count; i++) {
		if (!ctx->ranges[i].observed)
			continue;
		ctx->ranges[i].histogram =
		    calloc(PTQ_HISTOGRAM_BINS, sizeof *ctx->ranges[i].histogram);
		if (!ctx->ranges[i].histogram)
			return ptq_out_of_memory(ctx);
	}
	return ptq_calibrate_pass(ctx, calibration, samples, true);
}

/* The smallest bound below which `percentile` % of the |values| fall
 * (rounded up to a histogram bin edge). */
static float ptq_percentile_bound(const struct ptq_range *range, double percentile)
{
	double needed = percentile / 100.0 * (double)range->count;
	uint64_t seen = 0;

	for (size_t bin = 0; bin < PTQ_HISTOGRAM_BINS; bin++) {
		seen += range->histogram[bin];
		if ((double)seen >= needed)
			return (float)((double)range->abs_max * (double)(bin + 1) /
				       PTQ_HISTOGRAM_BINS);
	}
	return range->abs_max;
}

/* ----- the int8 model ----- */

static int ptq_set_quant(struct ptq_context *ctx, int32_t index, uint32_t count,
			 const float *scales, const int64_t *zero_points, int32_t dimension)
{
	struct tflite_tensor *tensor = &ctx->tensors[index];

	tensor->scales = ptq_alloc(ctx, count * sizeof *tensor->scales);
	tensor->zero_points = ptq_alloc(ctx, count * sizeof *tensor->zero_points);
	if (!tensor->scales || !tensor->zero_points)
		return ptq_out_of_memory(ctx);
	memcpy(tensor->scales, scales, count * sizeof *scales);
	if (zero_points)
		memcpy(tensor->zero_points, zero_points, count * sizeof *zero_points);
	tensor->quant_count = count;
	tensor->quantized_dimension = dimension;
	return HB_OK;
}

/* An activation from its recorded range, clipped when a percentile is asked for. */
static int ptq_activation_from_range(struct ptq_context *ctx, int32_t index)
{
	const struct ptq_range *range = &ctx->ranges[index];
	float low = range->min, high = range->max, scale;
	int32_t zero_point;
	int64_t zero;

	if (!range->observed)
		return hb_error(HB_ERR_INTERNAL,
				"cannot quantise '%s': tensor '%s' (tensor %d) "
				"was never written during calibration",
				ctx->model->name, ctx->model->tensors[index].name, index);
	if (ctx->options->percentile > 0.0 && range->histogram) {
		float bound = ptq_percentile_bound(range, ctx->options->percentile);
		if (bound < range->abs_max) {
			ctx->summary.clipped_tensors++;
			if (low < -bound)
				low = -bound;
			if (high > bound)
				high = bound;
		}
	}
	if (quantize_choose_params(low, high, &scale, &zero_point) != HB_OK)
		return ptq_refuse(ctx, -1,
				  "tensor '%s' (tensor %d): range [%g, %g] cannot be "
				  "quantised",
				  ctx->model->tensors[index].name, index, (double)low,
				  (double)high);
	zero = zero_point;
	ctx->summary.calibrated_tensors++;
	return ptq_set_quant(ctx, index, 1, &scale, &zero, 0);
}

static int ptq_make_activation(struct ptq_context *ctx, int32_t index)
{
	struct tflite_tensor *tensor = &ctx->tensors[index];

	ctx->roles[index] = PTQ_ROLE_ACTIVATION;
	tensor->type = TFLITE_TYPE_INT8;
	tensor->data = NULL;
	tensor->data_size = 0;
	tensor->quant_count = 0;
	return HB_OK;
}

/* A constant as real values: float32 as stored, int8 dequantised. */
static int ptq_constant_values(struct ptq_context *ctx, int64_t op_index, int32_t index,
			       const char *role, float **values)
{
	const struct tflite_tensor *tensor = &ctx->model->tensors[index];
	uint64_t elements = tflite_tensor_elements(tensor);
	float *out;

	if (!ptq_is_constant(tensor))
		return ptq_refuse(ctx, op_index, "%s '%s' (tensor %d) is not a constant", role,
				  tensor->name, index);
	out = ptq_alloc(ctx, (size_t)elements * sizeof *out);
	if (!out)
		return ptq_out_of_memory(ctx);
	if (tensor->type == TFLITE_TYPE_FLOAT32) {
		memcpy(out, tensor->data, (size_t)elements * sizeof *out);
	} else if (tensor->type == TFLITE_TYPE_INT8 && tensor->quant_count > 0) {
		uint64_t inner = 1;
		uint32_t channels = tensor->quant_count;
		for (int32_t d = tensor->quantized_dimension + 1; channels > 1 && d < tensor->rank;
		     d++)
			inner *= (uint64_t)tensor->shape[d];
		for (uint64_t i = 0; i < elements; i++) {
			uint32_t c = channels > 1 ? (uint32_t)((i / inner) % channels) : 0;
			out[i] =
			    (float)((double)tensor->scales[c] *
				    (double)((int8_t)tensor->data[i] - tensor->zero_points[c]));
		}
	} else {
		return ptq_refuse(ctx, op_index,
				  "%s '%s' (tensor %d) is %s, expected FLOAT32 or "
				  "INT8 with scales",
				  role, tensor->name, index, tflite_type_name(tensor->type));
	}
	for (uint64_t i = 0; i < elements; i++)
		if (!isfinite(out[i]))
			return ptq_refuse(ctx, op_index,
					  "%s '%s' (tensor %d): value %llu is not "
					  "a finite number",
					  role, tensor->name, index, (unsigned long long)i);
	*values = out;
	return HB_OK;
}

/* Symmetric per-channel weights and their int32 bias. */
static int ptq_weights(struct ptq_context *ctx, uint32_t op_index, int32_t channel_dim)
{
	const struct tflite_operator *op = &ctx->model->operators[op_index];
	int32_t weights = op->inputs[1]; /* present: checked with the model */
	int32_t bias = op->input_count > 2 ? op->inputs[2] : -1;
	const struct tflite_tensor *source = &ctx->model->tensors[weights];
	struct tflite_tensor *target = &ctx->tensors[weights];
	float input_scale = ctx->tensors[op->inputs[0]].scales[0];
	float *values, *bias_values = NULL, *scales, *bias_scales;
	int64_t *zeros;
	uint64_t elements = tflite_tensor_elements(source), inner = 1;
	int32_t channels;
	int status;

	if (source->rank <= channel_dim)
		return ptq_refuse(ctx, op_index, "expected weights of rank above %d", channel_dim);
	channels = source->shape[channel_dim];
	for (int32_t d = channel_dim + 1; d < source->rank; d++)
		inner *= (uint64_t)source->shape[d];
	if (channels <= 0 || elements == 0)
		return ptq_refuse(ctx, op_index, "weights '%s' (tensor %d) are empty", source->name,
				  weights);
	if (ctx->roles[weights] != PTQ_ROLE_NONE &&
	    (ctx->roles[weights] != PTQ_ROLE_WEIGHTS || target->quantized_dimension != channel_dim))
		return ptq_refuse(ctx, op_index,
				  "weights '%s' (tensor %d) are also used in "
				  "another role",
				  source->name, weights);
	if (bias >= 0) {
		status = ptq_constant_values(ctx, op_index, bias, "bias", &bias_values);
		if (status != HB_OK)
			return status;
		if (tflite_tensor_elements(&ctx->model->tensors[bias]) != (uint64_t)channels)
			return ptq_refuse(
			    ctx, op_index,
			    "bias '%s' (tensor %d) has %llu values for "
			    "%d channels",
			    ctx->model->tensors[bias].name, bias,
			    (unsigned long long)tflite_tensor_elements(&ctx->model->tensors[bias]),
			    channels);
	}

	if (ctx->roles[weights] == PTQ_ROLE_NONE) {
		int8_t *quantized;
		status = ptq_constant_values(ctx, op_index, weights, "weights", &values);
		if (status != HB_OK)
			return status;
		scales = ptq_alloc(ctx, (size_t)channels * sizeof *scales);
		zeros = ptq_alloc(ctx, (size_t)channels * sizeof *zeros);
		quantized = ptq_alloc(ctx, (size_t)elements);
		if (!scales || !zeros || !quantized)
			return ptq_out_of_memory(ctx);
		for (uint64_t i = 0; i < elements; i++) {
			size_t c = (size_t)((i / inner) % (uint64_t)channels);
			if (fabsf(values[i]) > scales[c])
				scales[c] = fabsf(values[i]);
		}
		for (int32_t c = 0; c < channels; c++) {
			double scale = (double)scales[c] / PTQ_WEIGHT_LIMIT;
			/* A bias too large for int32 at this scale widens the scale. */
			if (bias_values && input_scale > 0.0f &&
			    fabs((double)bias_values[c]) / ((double)input_scale * scale) >
				PTQ_BIAS_LIMIT)
				scale = fabs((double)bias_values[c]) /
					((double)input_scale * PTQ_BIAS_LIMIT);
			/* An all-zero channel: any scale keeps it exact. */
			scales[c] = scale > 0.0 ? (float)scale : 1.0f;
		}
		for (uint64_t i = 0; i < elements; i++) {
			size_t c = (size_t)((i / inner) % (uint64_t)channels);
			double q = round((double)values[i] / (double)scales[c]);
			quantized[i] = (int8_t)(q < -PTQ_WEIGHT_LIMIT  ? -PTQ_WEIGHT_LIMIT
						: q > PTQ_WEIGHT_LIMIT ? PTQ_WEIGHT_LIMIT
								       : q);
		}
		status =
		    ptq_set_quant(ctx, weights, (uint32_t)channels, scales, zeros, channel_dim);
		if (status != HB_OK)
			return status;
		target->type = TFLITE_TYPE_INT8;
		target->data = (const uint8_t *)quantized;
		target->data_size = (size_t)elements;
		ctx->roles[weights] = PTQ_ROLE_WEIGHTS;
		ctx->summary.weight_tensors++;
	}
	if (bias < 0)
		return HB_OK;

	bias_scales = ptq_alloc(ctx, (size_t)channels * sizeof *bias_scales);
	zeros = ptq_alloc(ctx, (size_t)channels * sizeof *zeros);
	if (!bias_scales || !zeros)
		return ptq_out_of_memory(ctx);
	for (int32_t c = 0; c < channels; c++)
		bias_scales[c] = (float)((double)input_scale *
					 (double)target->scales[target->quant_count == 1 ? 0 : c]);
	if (ctx->roles[bias] == PTQ_ROLE_BIAS) {
		/* Shared bias: fine only if every user gives it the same scales. */
		if (memcmp(ctx->tensors[bias].scales, bias_scales,
			   (size_t)channels * sizeof(float)))
			return ptq_refuse(ctx, op_index,
					  "bias '%s' (tensor %d) is shared by "
					  "operators with different input scales",
					  ctx->model->tensors[bias].name, bias);
		return HB_OK;
	}
	if (ctx->roles[bias] != PTQ_ROLE_NONE)
		return ptq_refuse(ctx, op_index,
				  "bias '%s' (tensor %d) is also used in another "
				  "role",
				  ctx->model->tensors[bias].name, bias);
	{
		int32_t *quantized = ptq_alloc(ctx, (size_t)channels * sizeof *quantized);
		if (!quantized)
			return ptq_out_of_memory(ctx);
		for (int32_t c = 0; c < channels; c++) {
			double q = round((double)bias_values[c] / (double)bias_scales[c]);
			quantized[c] = (int32_t)(q < -2147483647.0  ? -2147483647.0
						 : q > 2147483647.0 ? 2147483647.0
								    : q);
		}
		status = ptq_set_quant(ctx, bias, (uint32_t)channels, bias_scales, zeros, 0);
		if (status != HB_OK)
			return status;
		ctx->tensors[bias].type = TFLITE_TYPE_INT32;
		ctx->tensors[bias].data = (const uint8_t *)quantized;
		ctx->tensors[bias].data_size = (size_t)channels * sizeof *quantized;
		ctx->roles[bias] = PTQ_ROLE_BIAS;
		ctx->summary.bias_tensors++;
	}
	return HB_OK;
}

/* A float constant read as an activation (ADD's operand): per tensor. */
static int ptq_constant_operand(struct ptq_context *ctx, uint32_t op_index, int32_t index)
{
	const struct tflite_tensor *source = &ctx->model->tensors[index];
	struct tflite_tensor *target = &ctx->tensors[index];
	uint64_t elements = tflite_tensor_elements(source);
	float *values, low = 0.0f, high = 0.0f, scale;
	int32_t zero_point;
	int64_t zero;
	int8_t *quantized;
	int status;

	if (ctx->roles[index] == PTQ_ROLE_CONSTANT)
		return HB_OK;
	if (ctx->roles[index] != PTQ_ROLE_NONE)
		return ptq_refuse(ctx, op_index,
				  "constant '%s' (tensor %d) is also used in "
				  "another role",
				  source->name, index);
	status = ptq_constant_values(ctx, op_index, index, "constant", &values);
	if (status != HB_OK)
		return status;
	for (uint64_t i = 0; i < elements; i++) {
		low = fminf(low, values[i]);
		high = fmaxf(high, values[i]);
	}
	if (quantize_choose_params(low, high, &scale, &zero_point) != HB_OK)
		return ptq_refuse(ctx, op_index, "constant '%s' (tensor %d) cannot be quantised",
				  source->name, index);
	quantized = ptq_alloc(ctx, (size_t)elements);
	if (!quantized)
		return ptq_out_of_memory(ctx);
	for (uint64_t i = 0; i < elements; i++) {
		double q = round((double)values[i] / (double)scale) + zero_point;
		quantized[i] = (int8_t)(q < -128.0 ? -128.0 : q > 127.0 ? 127.0 : q);
	}
	zero = zero_point;
	status = ptq_set_quant(ctx, index, 1, &scale, &zero, 0);
	if (status != HB_OK)
		return status;
	target->type = TFLITE_TYPE_INT8;
	target->data = (const uint8_t *)quantized;
	target->data_size = (size_t)elements;
	ctx->roles[index] = PTQ_ROLE_CONSTANT;
	ctx->summary.other_constants++;
	return HB_OK;
}

static int32_t ptq_int8_version(int32_t builtin, int32_t version)
{
	int32_t wanted;

	/* What TFLite's converter records for the int8 kernels. */
	switch (builtin) {
	case TFLITE_OP_CONV_2D:
	case TFLITE_OP_DEPTHWISE_CONV_2D: wanted = 3; break;
	case TFLITE_OP_FULLY_CONNECTED: wanted = 4; break;
	case TFLITE_OP_AVERAGE_POOL_2D:
	case TFLITE_OP_MAX_POOL_2D:
	case TFLITE_OP_ADD:
	case TFLITE_OP_SOFTMAX: wanted = 2; break;
	default: wanted = 1; break;
	}
	return version > wanted ? version : wanted;
}

/* Chooses every tensor's parameters in execution order (an op's input is
 * settled before its output) and converts the constants. */
static int ptq_assign(struct ptq_context *ctx)
{
	const struct tflite_model *model = ctx->model;
	int status;

	status = ptq_make_activation(ctx, model->inputs[0]);
	if (status == HB_OK)
		status = ptq_activation_from_range(ctx, model->inputs[0]);
	for (uint32_t i = 0; i < model->operator_count && status == HB_OK; i++) {
		const struct tflite_operator *op = &model->operators[i];
		struct tflite_operator *target = &ctx->operators[i];
		int32_t input = op->inputs[0], output = op->outputs[0];
		target->version = ptq_int8_version(op->builtin, op->version);

		/* ADD reads two activations (a float constant among them becomes
		 * one); every other op reads one, plus its constants. */
		for (int32_t k = 0; k < (op->builtin == TFLITE_OP_ADD ? 2 : 1) && status == HB_OK;
		     k++) {
			int32_t operand = op->inputs[k];
			if (ptq_is_constant(&model->tensors[operand]))
				status = ptq_constant_operand(ctx, i, operand);
			else if (ctx->roles[operand] != PTQ_ROLE_ACTIVATION)
				status = ptq_refuse(ctx, i,
						    "input '%s' (tensor %d) is read before "
						    "any operator writes it",
						    model->tensors[operand].name, operand);
		}
		if (status != HB_OK)
			break;
		if (ctx->roles[output] != PTQ_ROLE_NONE) {
			status = ptq_refuse(ctx, i, "output '%s' (tensor %d) is written twice",
					    model->tensors[output].name, output);
			break;
		}
		status = ptq_make_activation(ctx, output);
		if (status != HB_OK)
			break;
		switch (op->builtin) {
		case TFLITE_OP_SOFTMAX: {
			const float scale = 1.0f / 256.0f;
			const int64_t zero = -128;
			status = ptq_set_quant(ctx, output, 1, &scale, &zero, 0);
			ctx->summary.inherited_tensors++;
			break;
		}
		case TFLITE_OP_AVERAGE_POOL_2D:
		case TFLITE_OP_MAX_POOL_2D:
		case TFLITE_OP_RESHAPE:
			/* Pools do not rescale and RESHAPE is a view: same parameters. */
			status = ptq_set_quant(ctx, output, 1, ctx->tensors[input].scales,
					       ctx->tensors[input].zero_points, 0);
			ctx->summary.inherited_tensors++;
			break;
		case TFLITE_OP_CONV_2D:
		case TFLITE_OP_FULLY_CONNECTED:
			status = ptq_weights(ctx, i, 0);
			if (status == HB_OK)
				status = ptq_activation_from_range(ctx, output);
			break;
		case TFLITE_OP_DEPTHWISE_CONV_2D:
			status = ptq_weights(ctx, i, 3);
			if (status == HB_OK)
				status = ptq_activation_from_range(ctx, output);
			break;
		default: status = ptq_activation_from_range(ctx, output); break;
		}
	}
	return status;
}

/* The tail of the description; the evaluation case in capitals because
 * it is the one a reader of results must not miss. */
static const char *ptq_origin_text(enum quantize_calibration_origin origin)
{
	switch (origin) {
	case QUANTIZE_CALIBRATION_SEPARATE: return " of a set apart from the evaluation inputs";
	case QUANTIZE_CALIBRATION_EVALUATION: return " of the EVALUATION inputs";
	case QUANTIZE_CALIBRATION_UNSTATED: break;
	}
	return "";
}

/* Writes the assembled model and reads it back: the result owns its file. */
static int ptq_finish(struct ptq_context *ctx, struct tflite_model *out)
{
	struct tflite_model draft;
	struct compiled_model check;
	uint8_t *bytes;
	size_t size;
	char name[sizeof out->name];
	int status;

	draft = *ctx->model;
	draft.tensors = ctx->tensors;
	draft.operators = ctx->operators;
	draft.file = NULL;
	draft.file_size = 0;
	snprintf(draft.description, sizeof draft.description,
		 "hilbench int8 post-training quantisation (%s, %u samples%s)",
		 ctx->options->percentile > 0.0 ? "percentile" : "min/max", ctx->summary.samples,
		 ptq_origin_text(ctx->options->origin));
	/* Buffer 0 everywhere: the writer gives each constant a buffer of its own. */
	for (uint32_t i = 0; i < draft.tensor_count; i++)
		ctx->tensors[i].buffer = 0;
	status = tflite_write(&draft, &bytes, &size);
	if (status != HB_OK)
		return status;
	snprintf(name, sizeof name, "%.240s (int8)", ctx->model->name);
	status = tflite_parse(bytes, size, name, out);
	if (status != HB_OK) {
		free(bytes);
		return status;
	}
	out->file = bytes;
	out->file_size = size;
	/* What the compiler refuses is no use to the caller: say so now. */
	status = model_compile(out, 0, &check);
	if (status != HB_OK) {
		tflite_release(out);
		return hb_error(status, "cannot quantise '%s': the int8 model does not compile",
				ctx->model->name);
	}
	compiled_model_release(&check);
	return HB_OK;
}

static void ptq_release(struct ptq_context *ctx)
{
	for (uint32_t i = 0; ctx->ranges && i < ctx->model->tensor_count; i++)
		free(ctx->ranges[i].histogram);
	free(ctx->ranges);
	free(ctx->op_outputs);
	free(ctx->arena);
	free(ctx->tensors);
	free(ctx->operators);
	free(ctx->roles);
	for (size_t i = 0; i < ctx->owned_count; i++)
		free(ctx->owned[i]);
	free(ctx->owned);
	compiled_model_release(&ctx->compiled);
}

int quantize_model(const struct tflite_model *float_model, const float *calibration,
		   uint32_t samples, const struct quantize_options *options,
		   struct tflite_model *int8_model, struct quantize_summary *summary)
{
	struct quantize_options defaults;
	struct ptq_context ctx;
	size_t tensor_count = float_model->tensor_count ? float_model->tensor_count : 1;
	int status;

	memset(int8_model, 0, sizeof *int8_model);
	if (summary)
		memset(summary, 0, sizeof *summary);
	if (!options) {
		quantize_options_default(&defaults);
		options = &defaults;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.model = float_model;
	ctx.options = options;
	ctx.summary.samples = samples;
	if (!(options->percentile >= 0.0 && options->percentile <= 100.0))
		return ptq_refuse(&ctx, -1, "percentile %g is outside (0, 100]",
				  options->percentile);
	if (samples == 0 || !calibration)
		return ptq_refuse(&ctx, -1, "no calibration samples");
	status = ptq_check_model(&ctx);
	if (status != HB_OK)
		return status;
	ctx.input_elements = tflite_tensor_elements(&float_model->tensors[float_model->inputs[0]]);
	ctx.ranges = calloc(tensor_count, sizeof *ctx.ranges);
	ctx.tensors = calloc(tensor_count, sizeof *ctx.tensors);
	ctx.operators = calloc(float_model->operator_count ? float_model->operator_count : 1,
			       sizeof *ctx.operators);
	ctx.roles = calloc(tensor_count, sizeof *ctx.roles);
	if (!ctx.ranges || !ctx.tensors || !ctx.operators || !ctx.roles) {
		status = ptq_out_of_memory(&ctx);
		goto done;
	}
	memcpy(ctx.tensors, float_model->tensors, float_model->tensor_count * sizeof *ctx.tensors);
	memcpy(ctx.operators, float_model->operators,
	       float_model->operator_count * sizeof *ctx.operators);
	status = ptq_calibrate(&ctx, calibration, samples);
	if (status == HB_OK)
		status = ptq_assign(&ctx);
	if (status == HB_OK)
		status = ptq_finish(&ctx, int8_model);
	if (status == HB_OK && summary)
		*summary = ctx.summary;
done:
	ptq_release(&ctx);
	return status;
}
