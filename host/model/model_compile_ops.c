/*
 * The operator side of the model compiler: checks each operator against
 * what the kernels support, computes its parameters as TFLite's Prepare
 * would (output shapes, padding, requantisation, fused clamps) and emits
 * it, registering its operands through model_compile.c. One function per
 * operator family; the checks they share come first.
 */
#include "model/model_compile_ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "model_image.h"
#include "nn_params.h"
#include "model/quant_math.h"

/* TFLite's kScaledDiffIntegerBits for int8 softmax. */
#define COMPILE_SOFTMAX_INTEGER_BITS 5
/* TFLite's left shift for int8 ADD. */
#define COMPILE_ADD_LEFT_SHIFT 20

enum compile_types { COMPILE_TYPES_S8, COMPILE_TYPES_F32 };

static uint32_t compile_kind(enum compile_types types, uint32_t s8_kind, uint32_t f32_kind)
{
	return types == COMPILE_TYPES_S8 ? s8_kind : f32_kind;
}

/* One operand of the current operator; optional ones may be absent (-1). */
static int compile_operand(struct compile_context *ctx, const struct tflite_operator *op,
			   bool output, int32_t position, bool optional, int32_t *index)
{
	int32_t count = output ? op->output_count : op->input_count;
	int32_t value = -1;

	if (position < count)
		value = output ? op->outputs[position] : op->inputs[position];
	*index = -1;
	if (value < 0) {
		if (optional)
			return HB_OK;
		return compile_refuse(ctx, "%s %d is missing", output ? "output" : "input",
				      position + 1);
	}
	if ((uint32_t)value >= ctx->model->tensor_count)
		return compile_refuse(ctx, "%s %d: tensor index %d out of range (%u tensors)",
				      output ? "output" : "input", position + 1, value,
				      ctx->model->tensor_count);
	*index = value;
	return HB_OK;
}

/* Inputs 0 .. input_count - 1 (those from `required` on may be absent),
 * then output 0 into operands[input_count]. */
static int compile_operands(struct compile_context *ctx, const struct tflite_operator *op,
			    int32_t input_count, int32_t required, int32_t *operands)
{
	int status = HB_OK;

	for (int32_t i = 0; i < input_count && status == HB_OK; i++)
		status = compile_operand(ctx, op, false, i, i >= required, &operands[i]);
	if (status == HB_OK)
		status = compile_operand(ctx, op, true, 0, false, &operands[input_count]);
	return status;
}

/* Input 0 and output 0 of a one-input operator, and their tensors. */
static int compile_unary_operands(struct compile_context *ctx, const struct tflite_operator *op,
				  int32_t operands[2], const struct tflite_tensor **input,
				  const struct tflite_tensor **output)
{
	int status = compile_operands(ctx, op, 1, 1, operands);

	if (status != HB_OK)
		return status;
	*input = compile_tensor(ctx, operands[0]);
	*output = compile_tensor(ctx, operands[1]);
	return HB_OK;
}

static int compile_expect_rank(struct compile_context *ctx, int32_t index, const char *role,
			       int32_t rank)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	if (tensor->rank == rank)
		return HB_OK;
	return compile_refuse(ctx, "%s '%s' (tensor %d): expected %d dimensions, found shape %s",
			      role, tensor->name, index, rank, compile_shape_text(tensor).text);
}

static int compile_expect_shape(struct compile_context *ctx, int32_t index, const char *role,
				const int32_t *expected, int32_t rank)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);
	bool same = tensor->rank == rank;

	for (int32_t i = 0; same && i < rank; i++)
		same = tensor->shape[i] == expected[i];
	if (same)
		return HB_OK;
	return compile_refuse(ctx, "shape mismatch: %s '%s' (tensor %d): expected %s, found %s",
			      role, tensor->name, index, compile_dims_text(expected, rank).text,
			      compile_shape_text(tensor).text);
}

/* The output of a windowed op: [batches, height, width, channels]. */
static int compile_expect_nhwc(struct compile_context *ctx, int32_t index, int32_t batches,
			       int32_t height, int32_t width, int32_t channels)
{
	const int32_t expected[4] = {batches, height, width, channels};

	return compile_expect_shape(ctx, index, "output", expected, 4);
}

static int compile_expect_elements(struct compile_context *ctx, int32_t index, const char *role,
				   uint64_t expected)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	if (compile_elements(tensor) == expected)
		return HB_OK;
	return compile_refuse(
	    ctx, "shape mismatch: %s '%s' (tensor %d): expected %llu elements, found shape %s",
	    role, tensor->name, index, (unsigned long long)expected,
	    compile_shape_text(tensor).text);
}

/* Output size and leading padding along one axis of a windowed op. */
static int compile_window(struct compile_context *ctx, int32_t padding, int32_t input,
			  int32_t filter, int32_t stride, int32_t dilation, const char *axis,
			  int32_t *output, int32_t *pad)
{
	if (window_output_size(padding, input, filter, stride, dilation, output, pad) != HB_OK)
		return compile_refuse(ctx,
				      "%s: a window of %d (stride %d, dilation %d, padding %d) "
				      "does not fit an input of %d",
				      axis, filter, stride, dilation, padding, input);
	return HB_OK;
}

static const char *compile_type_label(const struct tflite_tensor *tensor)
{
	return tensor ? tflite_type_name(tensor->type) : "none";
}

/* `expected` is appended as is: "" or " (only ...)". */
static int compile_refuse_types(struct compile_context *ctx, const struct tflite_tensor *input,
				const struct tflite_tensor *output, const char *expected)
{
	return compile_refuse(ctx, "unsupported type combination: %s to %s%s",
			      tflite_type_name(input->type), tflite_type_name(output->type),
			      expected);
}

/* Both (all) int8 or float32; anything else is refused naming the types. */
static int compile_same_types(struct compile_context *ctx, const int32_t *indices, size_t count,
			      enum compile_types *types)
{
	int32_t type = compile_tensor(ctx, indices[0])->type;
	char found[160] = "";
	size_t used = 0;
	bool same = true;

	for (size_t i = 1; i < count; i++)
		same = same && compile_tensor(ctx, indices[i])->type == type;
	/* Set on every path, for gcc's sake as in compile_dtype. */
	*types = type == TFLITE_TYPE_INT8 ? COMPILE_TYPES_S8 : COMPILE_TYPES_F32;
	if (same && (type == TFLITE_TYPE_INT8 || type == TFLITE_TYPE_FLOAT32))
		return HB_OK;
	for (size_t i = 0; i < count && used < sizeof found; i++)
		used += (size_t)snprintf(found + used, sizeof found - used, "%s%s", i ? ", " : "",
					 tflite_type_name(compile_tensor(ctx, indices[i])->type));
	return compile_refuse(
	    ctx, "unsupported type combination: %s (expected all int8 or all float32)", found);
}

/* Per-tensor quantisation of an int8 activation. */
static int compile_activation_quant(struct compile_context *ctx, int32_t index, const char *role,
				    float *scale, int32_t *zero_point)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	if (tensor->quant_count != 1 || !tensor->scales || !tensor->zero_points)
		return compile_refuse(
		    ctx, "%s '%s' (tensor %d): expected one quantisation scale, found %u", role,
		    tensor->name, index, tensor->quant_count);
	if (!(tensor->scales[0] > 0.0f) || isinf(tensor->scales[0]) ||
	    tensor->zero_points[0] < -128 || tensor->zero_points[0] > 127)
		return compile_refuse(ctx,
				      "%s '%s' (tensor %d): quantisation scale %g zero point %lld "
				      "is not valid for int8",
				      role, tensor->name, index, (double)tensor->scales[0],
				      (long long)tensor->zero_points[0]);
	*scale = tensor->scales[0];
	*zero_point = (int32_t)tensor->zero_points[0];
	return HB_OK;
}

/* Scales and zero points of an int8 op's input and output; all zero for
 * float ops, which is what their params hold in the int8-only fields. */
struct compile_io_quant {
	float input_scale;
	int32_t input_zero;
	float output_scale;
	int32_t output_zero;
};

static int compile_io_quant(struct compile_context *ctx, int32_t input, int32_t output,
			    struct compile_io_quant *quant)
{
	int status =
	    compile_activation_quant(ctx, input, "input", &quant->input_scale, &quant->input_zero);

	if (status == HB_OK)
		status = compile_activation_quant(ctx, output, "output", &quant->output_scale,
						  &quant->output_zero);
	return status;
}

/* The clamp of the fused activation: in int8 output units (from the
 * output's scale and zero point) or in float. */
static int compile_clamp(struct compile_context *ctx, enum compile_types types, int32_t activation,
			 float output_scale, int32_t output_zero, int32_t *min, int32_t *max,
			 float *min_f, float *max_f)
{
	int status = types == COMPILE_TYPES_S8
			 ? activation_range_s8(activation, output_scale, output_zero, min, max)
			 : activation_range_f32(activation, min_f, max_f);

	if (status != HB_OK)
		return compile_refuse(ctx, "fused activation %d is not supported", activation);
	return HB_OK;
}

struct compile_weighted_operands {
	int32_t input;
	int32_t filter;
	int32_t bias; /* -1 when absent */
	int32_t output;
};

static int compile_weighted_operands(struct compile_context *ctx, const struct tflite_operator *op,
				     struct compile_weighted_operands *operands)
{
	int32_t found[4];
	int status = compile_operands(ctx, op, 3, 2, found);

	if (status != HB_OK)
		return status;
	operands->input = found[0];
	operands->filter = found[1];
	operands->bias = found[2];
	operands->output = found[3];
	return HB_OK;
}

/* int8 throughout with int32 bias, or float32 activations with float32 or
 * int8/float16 weights and float32 bias. */
static int compile_weighted_types(struct compile_context *ctx,
				  const struct compile_weighted_operands *operands,
				  enum compile_types *types)
{
	const struct tflite_tensor *in = compile_tensor(ctx, operands->input);
	const struct tflite_tensor *weights = compile_tensor(ctx, operands->filter);
	const struct tflite_tensor *bias =
	    operands->bias >= 0 ? compile_tensor(ctx, operands->bias) : NULL;
	const struct tflite_tensor *out = compile_tensor(ctx, operands->output);
	int32_t bias_type = bias ? bias->type : -1;
	int32_t weights_type = ctx->tensors[compile_root(ctx, operands->filter)].folded
				   ? TFLITE_TYPE_FLOAT32
				   : weights->type;

	if (in->type == TFLITE_TYPE_INT8 && weights_type == TFLITE_TYPE_INT8 &&
	    out->type == TFLITE_TYPE_INT8 && (bias_type < 0 || bias_type == TFLITE_TYPE_INT32)) {
		*types = COMPILE_TYPES_S8;
		return HB_OK;
	}
	if (in->type == TFLITE_TYPE_FLOAT32 && out->type == TFLITE_TYPE_FLOAT32 &&
	    (weights_type == TFLITE_TYPE_FLOAT32 || weights_type == TFLITE_TYPE_INT8 ||
	     weights_type == TFLITE_TYPE_FLOAT16) &&
	    (bias_type < 0 || bias_type == TFLITE_TYPE_FLOAT32)) {
		*types = COMPILE_TYPES_F32;
		return HB_OK;
	}
	return compile_refuse(
	    ctx,
	    "unsupported type combination: input %s, weights %s, bias %s, output %s (expected int8 "
	    "with int32 bias, or float32 with float32 or int8 weights)",
	    compile_type_label(in), compile_type_label(weights), compile_type_label(bias),
	    compile_type_label(out));
}

/* Symmetric int8 weights: one scale, or one per channel along channel_dim. */
static int compile_filter_quant(struct compile_context *ctx, int32_t index, int32_t channels,
				int32_t channel_dim)
{
	const struct tflite_tensor *tensor = compile_tensor(ctx, index);

	if (tensor->quant_count == 0 || !tensor->scales || !tensor->zero_points)
		return compile_refuse(ctx, "weights '%s' (tensor %d) are int8 without a scale",
				      tensor->name, index);
	if (tensor->quant_count != 1 && (tensor->quant_count != (uint32_t)channels ||
					 tensor->quantized_dimension != channel_dim))
		return compile_refuse(ctx,
				      "weights '%s' (tensor %d): expected 1 or %d scales along "
				      "dimension %d, found %u along dimension %d",
				      tensor->name, index, channels, channel_dim,
				      tensor->quant_count, tensor->quantized_dimension);
	for (uint32_t i = 0; i < tensor->quant_count; i++) {
		if (tensor->zero_points[i] != 0)
			return compile_refuse(ctx,
					      "weights '%s' (tensor %d): zero point %lld at "
					      "channel %u, expected 0 (symmetric)",
					      tensor->name, index,
					      (long long)tensor->zero_points[i], i);
		if (!(tensor->scales[i] > 0.0f) || isinf(tensor->scales[i]))
			return compile_refuse(
			    ctx, "weights '%s' (tensor %d): scale %g at channel %u is not positive",
			    tensor->name, index, (double)tensor->scales[i], i);
	}
	return HB_OK;
}

/* What the three weighted ops check alike once their shapes are known:
 * the bias length, the types and, for int8, the quantisation. */
static int compile_weighted_quant(struct compile_context *ctx,
				  const struct compile_weighted_operands *operands,
				  int32_t channels, int32_t channel_dim, enum compile_types *types,
				  struct compile_io_quant *quant)
{
	int status = HB_OK;

	memset(quant, 0, sizeof *quant);
	if (operands->bias >= 0)
		status = compile_expect_elements(ctx, operands->bias, "bias", (uint64_t)channels);
	if (status == HB_OK)
		status = compile_weighted_types(ctx, operands, types);
	if (status == HB_OK && *types == COMPILE_TYPES_S8)
		status = compile_io_quant(ctx, operands->input, operands->output, quant);
	if (status == HB_OK && *types == COMPILE_TYPES_S8)
		status = compile_filter_quant(ctx, operands->filter, channels, channel_dim);
	return status;
}

/* Per-channel multipliers then shifts, as one int32 [2][channels] constant. */
static int compile_channel_quant(struct compile_context *ctx, const struct compile_io_quant *quant,
				 int32_t filter_index, int32_t channels, uint32_t *image_index)
{
	const struct tflite_tensor *filter = compile_tensor(ctx, filter_index);
	int32_t *values = model_layout_alloc(&ctx->layout, (size_t)channels * 2 * sizeof *values);
	struct model_tensor record = {
	    .dtype = MODEL_DTYPE_INT32,
	    .dims = {1, 1, 2, channels},
	    .size = (uint32_t)channels * 2 * sizeof *values,
	};

	if (!values)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", ctx->model->name);
	for (int32_t c = 0; c < channels; c++) {
		float filter_scale = filter->scales[filter->quant_count == 1 ? 0 : c];
		double real =
		    (double)quant->input_scale * (double)filter_scale / (double)quant->output_scale;
		if (quantize_multiplier(real, &values[c], &values[channels + c]) != HB_OK)
			return compile_refuse(ctx, "channel %d: rescale %g cannot be quantised", c,
					      real);
	}
	return model_layout_add_tensor(&ctx->layout, &record, -1, values, image_index);
}

/* The int8 kernels accumulate in int32 from the bias: a bias so large
 * that the worst-case sum of (input - zero point) * weight overflows it
 * would be undefined behaviour, so it is refused (real biases are far
 * smaller). Depth per channel is the filter's elements over its channels. */
static int compile_bias_bound(struct compile_context *ctx, int32_t bias_index, int32_t filter_index,
			      int32_t channels)
{
	const struct tflite_tensor *bias = compile_tensor(ctx, bias_index);
	uint64_t depth = tflite_tensor_elements(compile_tensor(ctx, filter_index)) /
			 (uint64_t)(channels > 0 ? channels : 1);
	uint64_t reach = depth * 255u * 128u;

	if (!bias->data || bias->data_size < (size_t)channels * 4)
		return HB_OK; /* compile_constant has refused it already */
	for (int32_t c = 0; c < channels; c++) {
		const uint8_t *p = bias->data + (size_t)c * 4;
		int64_t value = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
					  (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		uint64_t magnitude = (uint64_t)(value < 0 ? -value : value);
		if (magnitude + reach > (uint64_t)INT32_MAX)
			return compile_refuse(ctx,
					      "bias '%s' (tensor %d) channel %d: %lld with %llu "
					      "products per output can overflow the int32 "
					      "accumulator",
					      bias->name, bias_index, c, (long long)value,
					      (unsigned long long)depth);
	}
	return HB_OK;
}

/* Registers input, weights, bias (and for int8 the per-channel rescale)
 * and output, then emits. */
static int compile_weighted_emit(struct compile_context *ctx,
				 const struct compile_weighted_operands *operands,
				 enum compile_types types, const struct compile_io_quant *quant,
				 uint32_t kind, const void *params, uint32_t params_size,
				 int32_t channels, uint64_t macs)
{
	uint32_t inputs[4] = {MODEL_NO_TENSOR, MODEL_NO_TENSOR, MODEL_NO_TENSOR, MODEL_NO_TENSOR};
	uint32_t output;
	int status;

	status = compile_read(ctx, operands->input, "input", &inputs[0]);
	if (status != HB_OK)
		return status;
	if (types == COMPILE_TYPES_S8)
		status = compile_constant(ctx, operands->filter, "weights", &inputs[1]);
	else
		status = compile_float_constant(ctx, operands->filter, "weights", &inputs[1]);
	if (status == HB_OK && operands->bias >= 0)
		status = compile_constant(ctx, operands->bias, "bias", &inputs[2]);
	if (status == HB_OK && operands->bias >= 0 && types == COMPILE_TYPES_S8)
		status = compile_bias_bound(ctx, operands->bias, operands->filter, channels);
	if (status == HB_OK && types == COMPILE_TYPES_S8)
		status = compile_channel_quant(ctx, quant, operands->filter, channels, &inputs[3]);
	if (status == HB_OK)
		status = compile_write(ctx, operands->output, &output);
	if (status != HB_OK)
		return status;
	return compile_emit(ctx, kind, params, params_size, inputs,
			    types == COMPILE_TYPES_S8 ? 4 : 3, output, macs);
}

/* Channels: conv weights are [output, height, width, input], depthwise
 * weights [1, height, width, input * depth multiplier]. */
static int compile_conv_channels(struct compile_context *ctx, const struct tflite_operator *op,
				 int32_t filter_index, bool depthwise,
				 struct nn_conv_params *params)
{
	const struct tflite_tensor *filter = compile_tensor(ctx, filter_index);
	int32_t depth_multiplier = op->options.depth_multiplier;

	if (!depthwise) {
		params->output_channels = filter->shape[0];
		params->depth_multiplier = 1;
		if (filter->shape[3] != params->input_channels)
			return compile_refuse(
			    ctx,
			    "weights '%s' (tensor %d) take %d input channels, the input has %d "
			    "(grouped convolution is not supported)",
			    filter->name, filter_index, filter->shape[3], params->input_channels);
		return HB_OK;
	}
	params->output_channels = filter->shape[3];
	if (filter->shape[0] != 1 || params->input_channels <= 0 ||
	    params->output_channels % params->input_channels != 0)
		return compile_refuse(ctx,
				      "weights '%s' (tensor %d): expected [1, height, width, a "
				      "multiple of %d channels]",
				      filter->name, filter_index, params->input_channels);
	params->depth_multiplier = params->output_channels / params->input_channels;
	if (depth_multiplier != 0 && depth_multiplier != params->depth_multiplier)
		return compile_refuse(ctx,
				      "depth multiplier %d does not match %d output channels for "
				      "%d input channels",
				      depth_multiplier, params->output_channels,
				      params->input_channels);
	return HB_OK;
}

static int compile_conv(struct compile_context *ctx, const struct tflite_operator *op,
			bool depthwise)
{
	const struct tflite_options *options = &op->options;
	struct compile_weighted_operands operands;
	const struct tflite_tensor *input, *filter;
	struct compile_io_quant quant;
	struct nn_conv_params params;
	enum compile_types types;
	uint64_t macs;
	int status;

	status = compile_weighted_operands(ctx, op, &operands);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands.input, "input", 4);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands.filter, "weights", 4);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands.input);
	filter = compile_tensor(ctx, operands.filter);

	memset(&params, 0, sizeof params);
	params.batches = input->shape[0];
	params.input_height = input->shape[1];
	params.input_width = input->shape[2];
	params.input_channels = input->shape[3];
	params.filter_height = filter->shape[1];
	params.filter_width = filter->shape[2];
	params.stride_height = options->stride_height;
	params.stride_width = options->stride_width;
	params.dilation_height = options->dilation_height;
	params.dilation_width = options->dilation_width;
	status = compile_conv_channels(ctx, op, operands.filter, depthwise, &params);
	if (status == HB_OK)
		status =
		    compile_window(ctx, options->padding, params.input_height, params.filter_height,
				   params.stride_height, params.dilation_height, "height",
				   &params.output_height, &params.pad_top);
	if (status == HB_OK)
		status =
		    compile_window(ctx, options->padding, params.input_width, params.filter_width,
				   params.stride_width, params.dilation_width, "width",
				   &params.output_width, &params.pad_left);
	if (status == HB_OK)
		status =
		    compile_expect_nhwc(ctx, operands.output, params.batches, params.output_height,
					params.output_width, params.output_channels);
	if (status == HB_OK)
		status = compile_weighted_quant(ctx, &operands, params.output_channels,
						depthwise ? 3 : 0, &types, &quant);
	if (status == HB_OK)
		status =
		    compile_clamp(ctx, types, options->activation, quant.output_scale,
				  quant.output_zero, &params.activation_min, &params.activation_max,
				  &params.activation_min_f, &params.activation_max_f);
	if (status != HB_OK)
		return status;
	params.input_offset = -quant.input_zero;
	params.output_offset = quant.output_zero;

	macs = (uint64_t)params.batches * (uint64_t)params.output_height *
	       (uint64_t)params.output_width * (uint64_t)params.output_channels *
	       (uint64_t)params.filter_height * (uint64_t)params.filter_width *
	       (uint64_t)(depthwise ? 1 : params.input_channels);
	return compile_weighted_emit(
	    ctx, &operands, types, &quant,
	    depthwise
		? compile_kind(types, MODEL_OP_DEPTHWISE_CONV2D_S8, MODEL_OP_DEPTHWISE_CONV2D_F32)
		: compile_kind(types, MODEL_OP_CONV2D_S8, MODEL_OP_CONV2D_F32),
	    &params, sizeof params, params.output_channels, macs);
}

/* The input is read as rows of the weights' depth; the output holds one
 * row of output_count per input row. */
static int compile_fc_shapes(struct compile_context *ctx,
			     const struct compile_weighted_operands *operands,
			     struct nn_fc_params *params)
{
	const struct tflite_tensor *input = compile_tensor(ctx, operands->input);
	const struct tflite_tensor *weights = compile_tensor(ctx, operands->filter);
	const struct tflite_tensor *output = compile_tensor(ctx, operands->output);
	uint64_t input_elements = compile_elements(input);

	params->output_count = weights->shape[0];
	params->input_count = weights->shape[1];
	if (params->input_count <= 0 || params->output_count <= 0 || input_elements == 0 ||
	    input_elements % (uint64_t)params->input_count != 0)
		return compile_refuse(ctx,
				      "shape mismatch: input '%s' (tensor %d) of shape %s does not "
				      "split into rows of %d (the depth of the weights)",
				      input->name, operands->input, compile_shape_text(input).text,
				      params->input_count);
	params->batches = (int32_t)(input_elements / (uint64_t)params->input_count);
	if (compile_elements(output) !=
		(uint64_t)params->batches * (uint64_t)params->output_count ||
	    output->rank < 1 || output->shape[output->rank - 1] != params->output_count)
		return compile_refuse(ctx,
				      "shape mismatch: output '%s' (tensor %d): expected %d rows "
				      "of %d, found shape %s",
				      output->name, operands->output, params->batches,
				      params->output_count, compile_shape_text(output).text);
	return HB_OK;
}

static int compile_fully_connected(struct compile_context *ctx, const struct tflite_operator *op)
{
	struct compile_weighted_operands operands;
	struct compile_io_quant quant;
	struct nn_fc_params params;
	enum compile_types types;
	int status;

	status = compile_weighted_operands(ctx, op, &operands);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands.filter, "weights", 2);
	if (status != HB_OK)
		return status;
	if (op->options.weights_format != 0)
		return compile_refuse(ctx, "weights format %d is not supported (only the default)",
				      op->options.weights_format);
	memset(&params, 0, sizeof params);
	status = compile_fc_shapes(ctx, &operands, &params);
	if (status == HB_OK)
		status =
		    compile_weighted_quant(ctx, &operands, params.output_count, 0, &types, &quant);
	if (status == HB_OK)
		status =
		    compile_clamp(ctx, types, op->options.activation, quant.output_scale,
				  quant.output_zero, &params.activation_min, &params.activation_max,
				  &params.activation_min_f, &params.activation_max_f);
	if (status != HB_OK)
		return status;
	params.input_offset = -quant.input_zero;
	params.output_offset = quant.output_zero;
	return compile_weighted_emit(
	    ctx, &operands, types, &quant,
	    compile_kind(types, MODEL_OP_FULLY_CONNECTED_S8, MODEL_OP_FULLY_CONNECTED_F32), &params,
	    sizeof params, params.output_count,
	    (uint64_t)params.batches * (uint64_t)params.input_count *
		(uint64_t)params.output_count);
}

/* The kinds whose kernel reads each input element before it writes the
 * output element at the same place (forward loops, output elements no
 * larger than the input's): SOFTMAX reads a whole row before its last
 * pass, which reads cell i then writes it; QUANTIZE float32 to int8 writes
 * byte i after reading float i, which holds bytes 4i..4i+3. Not
 * DEQUANTIZE: its float i would cover int8 cells i+1.. before they are
 * read. Pools read windows around each output cell. */
static bool compile_kind_in_place(uint32_t kind)
{
	return kind == MODEL_OP_SOFTMAX_S8 || kind == MODEL_OP_SOFTMAX_F32 ||
	       kind == MODEL_OP_QUANTIZE_F32_S8;
}

/* Reads the input, writes the output (offered in place where the kernel
 * allows), emits. */
static int compile_unary_emit(struct compile_context *ctx, const int32_t *operands, uint32_t kind,
			      const void *params, uint32_t params_size)
{
	uint32_t inputs[1];
	uint32_t output;
	int status = compile_read(ctx, operands[0], "input", &inputs[0]);

	if (status == HB_OK)
		status = compile_write(ctx, operands[1], &output);
	if (status == HB_OK && compile_kind_in_place(kind))
		status = compile_offer_in_place(ctx, operands[1], operands[0]);
	if (status != HB_OK)
		return status;
	return compile_emit(ctx, kind, params, params_size, inputs, 1, output, 0);
}

static int compile_pool(struct compile_context *ctx, const struct tflite_operator *op, bool max)
{
	const struct tflite_options *options = &op->options;
	struct compile_io_quant quant = {0};
	struct nn_pool_params params;
	const struct tflite_tensor *input;
	enum compile_types types;
	int32_t operands[2];
	int status;

	status = compile_operands(ctx, op, 1, 1, operands);
	if (status == HB_OK)
		status = compile_expect_rank(ctx, operands[0], "input", 4);
	if (status != HB_OK)
		return status;
	input = compile_tensor(ctx, operands[0]);
	memset(&params, 0, sizeof params);
	params.batches = input->shape[0];
	params.input_height = input->shape[1];
	params.input_width = input->shape[2];
	params.channels = input->shape[3];
	params.filter_height = options->filter_height;
	params.filter_width = options->filter_width;
	params.stride_height = options->stride_height;
	params.stride_width = options->stride_width;
	status = compile_window(ctx, options->padding, params.input_height, params.filter_height,
				params.stride_height, 1, "height", &params.output_height,
				&params.pad_top);
	if (status == HB_OK)
		status = compile_window(ctx, options->padding, params.input_width,
					params.filter_width, params.stride_width, 1, "width",
					&params.output_width, &params.pad_left);
	if (status == HB_OK)
		status = compile_expect_nhwc(ctx, operands[1], params.batches, params.output_height,
					     params.output_width, params.channels);
	if (status == HB_OK)
		status = compile_same_types(ctx, operands, 2, &types);
	if (status == HB_OK && types == COMPILE_TYPES_S8)
		status = compile_io_quant(ctx, operands[0], operands[1], &quant);
	if (status != HB_OK)
		return status;
	/* The kernels do not requantise: TFLite requires equal quantisation. */
	if (types == COMPILE_TYPES_S8 &&
	    (fabs((double)quant.input_scale - (double)quant.output_scale) > 1e-6 ||
	     quant.input_zero != quant.output_zero))
		return compile_refuse(ctx,
				      "input scale %g zero point %d and output scale %g zero "
				      "point %d differ (pooling does not rescale)",
				      (double)quant.input_scale, quant.input_zero,
				      (double)quant.output_scale, quant.output_zero);
	status = compile_clamp(ctx, types, options->activation, quant.output_scale,
			       quant.output_zero, &params.activation_min, &params.activation_max,
			       &params.activation_min_f, &params.activation_max_f);
	if (status != HB_OK)
		return status;
	return compile_unary_emit(
	    ctx, operands,
	    max ? compile_kind(types, MODEL_OP_MAX_POOL2D_S8, MODEL_OP_MAX_POOL2D_F32)
		: compile_kind(types, MODEL_OP_AVG_POOL2D_S8, MODEL_OP_AVG_POOL2D_F32),
	    &params, sizeof params);
}

static int compile_softmax(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *input, *output;
	struct compile_io_quant quant;
	struct nn_softmax_params params;
	enum compile_types types;
	int32_t operands[2];
	int status;

	status = compile_unary_operands(ctx, op, operands, &input, &output);
	if (status != HB_OK)
		return status;
	if (input->rank < 1 || compile_elements(input) == 0)
		return compile_refuse(ctx, "input '%s' (tensor %d) has no rows to normalise",
				      input->name, operands[0]);
	status = compile_expect_shape(ctx, operands[1], "output", input->shape, input->rank);
	if (status == HB_OK)
		status = compile_same_types(ctx, operands, 2, &types);
	if (status != HB_OK)
		return status;
	memset(&params, 0, sizeof params);
	params.row_size = input->shape[input->rank - 1];
	params.rows = (int32_t)(compile_elements(input) / (uint64_t)params.row_size);
	params.beta = op->options.beta;
	if (types == COMPILE_TYPES_S8) {
		status = compile_io_quant(ctx, operands[0], operands[1], &quant);
		if (status != HB_OK)
			return status;
		if (fabs((double)quant.output_scale - 1.0 / 256) > 0.001 / 256 ||
		    quant.output_zero != -128)
			return compile_refuse(ctx,
					      "output '%s' (tensor %d): expected scale 1/256 and "
					      "zero point -128, found scale %g zero point %d",
					      output->name, operands[1], (double)quant.output_scale,
					      quant.output_zero);
		if (softmax_input_scaling((double)op->options.beta, (double)quant.input_scale,
					  COMPILE_SOFTMAX_INTEGER_BITS, &params.input_multiplier,
					  &params.input_left_shift) != HB_OK)
			return compile_refuse(
			    ctx, "beta %g times input scale %g is too small for int8 softmax",
			    (double)op->options.beta, (double)quant.input_scale);
		params.diff_min = -softmax_input_radius(COMPILE_SOFTMAX_INTEGER_BITS,
							params.input_left_shift, 31);
	}
	return compile_unary_emit(ctx, operands,
				  compile_kind(types, MODEL_OP_SOFTMAX_S8, MODEL_OP_SOFTMAX_F32),
				  &params, sizeof params);
}

/* QUANTIZE takes float32 to int8, DEQUANTIZE int8 or float16 to float32;
 * the output has the input's shape. */
static int compile_convert_operands(struct compile_context *ctx, const struct tflite_operator *op,
				    bool quantize, int32_t operands[2])
{
	const struct tflite_tensor *input, *output;
	bool supported;
	int status = compile_unary_operands(ctx, op, operands, &input, &output);

	if (status != HB_OK)
		return status;
	if (quantize)
		supported = input->type == TFLITE_TYPE_FLOAT32 && output->type == TFLITE_TYPE_INT8;
	else
		supported =
		    (input->type == TFLITE_TYPE_INT8 || input->type == TFLITE_TYPE_FLOAT16) &&
		    output->type == TFLITE_TYPE_FLOAT32;
	if (!supported)
		return compile_refuse_types(ctx, input, output,
					    quantize ? " (only float32 to int8)"
						     : " (only int8 or float16 to float32)");
	return compile_expect_shape(ctx, operands[1], "output", input->shape, input->rank);
}

/* The element count and the quantisation of the int8 side: the output
 * when quantising, the input when dequantising. */
static int compile_convert_emit(struct compile_context *ctx, const int32_t *operands, bool quantize,
				uint32_t kind)
{
	struct nn_quantize_params params;
	int status;

	memset(&params, 0, sizeof params);
	params.size = (int32_t)compile_elements(compile_tensor(ctx, operands[0]));
	status =
	    compile_activation_quant(ctx, operands[quantize ? 1 : 0], quantize ? "output" : "input",
				     &params.scale, &params.zero_point);
	if (status != HB_OK)
		return status;
	return compile_unary_emit(ctx, operands, kind, &params, sizeof params);
}

static int compile_quantize(struct compile_context *ctx, const struct tflite_operator *op)
{
	int32_t operands[2];
	int status = compile_convert_operands(ctx, op, true, operands);

	if (status != HB_OK)
		return status;
	return compile_convert_emit(ctx, operands, true, MODEL_OP_QUANTIZE_F32_S8);
}

/* Weights stored small: converted once here, nothing runs on the target. */
static int compile_fold_dequantize(struct compile_context *ctx, int32_t input, int32_t output)
{
	struct compile_tensor *state = &ctx->tensors[output];
	float *values;
	int status;

	if (compile_is_written(ctx, output))
		return compile_refuse_second_write(ctx, output);
	status = compile_dequantize_data(ctx, input, "input", &values, &state->folded_size);
	if (status != HB_OK)
		return status;
	state->folded = values;
	ctx->hybrid = true;
	return HB_OK;
}

static int compile_dequantize(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *input;
	int32_t operands[2];
	int status = compile_convert_operands(ctx, op, false, operands);

	if (status != HB_OK)
		return status;
	if (compile_is_constant(ctx, operands[0]))
		return compile_fold_dequantize(ctx, operands[0], operands[1]);
	input = compile_tensor(ctx, operands[0]);
	if (input->type != TFLITE_TYPE_INT8)
		return compile_refuse(ctx, "float16 input '%s' (tensor %d) is not a constant",
				      input->name, operands[0]);
	return compile_convert_emit(ctx, operands, false, MODEL_OP_DEQUANTIZE_S8_F32);
}

/* A byte view: the output shares the input's bytes and no op runs. */
static int compile_reshape(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *input, *output;
	int32_t operands[2];
	int32_t buffer;
	int status;

	status = compile_unary_operands(ctx, op, operands, &input, &output);
	if (status != HB_OK)
		return status;
	if (input->type != output->type)
		return compile_refuse_types(ctx, input, output, "");
	status = compile_expect_elements(ctx, operands[1], "output", compile_elements(input));
	if (status != HB_OK)
		return status;
	if (input->type == TFLITE_TYPE_INT8 && input->quant_count == 1 &&
	    output->quant_count == 1 &&
	    (input->scales[0] != output->scales[0] ||
	     input->zero_points[0] != output->zero_points[0]))
		return compile_refuse(
		    ctx, "input and output quantisation differ (scale %g/%g, zero point %lld/%lld)",
		    (double)input->scales[0], (double)output->scales[0],
		    (long long)input->zero_points[0], (long long)output->zero_points[0]);
	if (!compile_is_constant(ctx, operands[0])) {
		status = compile_written_buffer(ctx, operands[0], "input", &buffer);
		if (status != HB_OK)
			return status;
	}
	if (compile_is_written(ctx, operands[1]) || output->data)
		return compile_refuse_second_write(ctx, operands[1]);
	ctx->tensors[operands[1]].alias = operands[0];
	return HB_OK;
}

/* TFLite's int8 ADD: both inputs shifted left, rescaled to twice the larger
 * input scale, summed, rescaled to the output. */
static int compile_add_quant(struct compile_context *ctx, const int32_t *operands,
			     struct nn_add_params *params, float *output_scale)
{
	static const char *const roles[3] = {"input 1", "input 2", "output"};
	float scales[3];
	int32_t zero_points[3];
	double twice_max;
	int status = HB_OK;

	for (int i = 0; i < 3 && status == HB_OK; i++)
		status = compile_activation_quant(ctx, operands[i], roles[i], &scales[i],
						  &zero_points[i]);
	if (status != HB_OK)
		return status;
	params->input1_offset = -zero_points[0];
	params->input2_offset = -zero_points[1];
	params->output_offset = zero_points[2];
	params->left_shift = COMPILE_ADD_LEFT_SHIFT;
	twice_max = 2.0 * (double)(scales[0] > scales[1] ? scales[0] : scales[1]);
	if (quantize_multiplier_below_one((double)scales[0] / twice_max, &params->input1_multiplier,
					  &params->input1_shift) != HB_OK ||
	    quantize_multiplier_below_one((double)scales[1] / twice_max, &params->input2_multiplier,
					  &params->input2_shift) != HB_OK ||
	    quantize_multiplier_below_one(
		twice_max / ((double)(1 << COMPILE_ADD_LEFT_SHIFT) * (double)scales[2]),
		&params->output_multiplier, &params->output_shift) != HB_OK)
		return compile_refuse(
		    ctx, "input scales %g and %g cannot be rescaled to output scale %g",
		    (double)scales[0], (double)scales[1], (double)scales[2]);
	*output_scale = scales[2];
	return HB_OK;
}

static int compile_add(struct compile_context *ctx, const struct tflite_operator *op)
{
	const struct tflite_tensor *first, *second;
	struct nn_add_params params;
	enum compile_types types;
	float output_scale = 0;
	int32_t operands[3];
	uint32_t inputs[2], output;
	bool same;
	int status;

	status = compile_operands(ctx, op, 2, 2, operands);
	if (status != HB_OK)
		return status;
	first = compile_tensor(ctx, operands[0]);
	second = compile_tensor(ctx, operands[1]);
	same = first->rank == second->rank;
	for (int32_t i = 0; same && i < first->rank; i++)
		same = first->shape[i] == second->shape[i];
	if (!same)
		return compile_refuse(ctx,
				      "broadcasting is not supported: input 1 '%s' (tensor %d) has "
				      "shape %s, input 2 '%s' (tensor %d) has shape %s",
				      first->name, operands[0], compile_shape_text(first).text,
				      second->name, operands[1], compile_shape_text(second).text);
	status = compile_expect_shape(ctx, operands[2], "output", first->shape, first->rank);
	if (status == HB_OK)
		status = compile_same_types(ctx, operands, 3, &types);
	if (status != HB_OK)
		return status;
	memset(&params, 0, sizeof params);
	params.size = (int32_t)compile_elements(first);
	if (types == COMPILE_TYPES_S8)
		status = compile_add_quant(ctx, operands, &params, &output_scale);
	if (status == HB_OK)
		status = compile_clamp(ctx, types, op->options.activation, output_scale,
				       params.output_offset, &params.activation_min,
				       &params.activation_max, &params.activation_min_f,
				       &params.activation_max_f);
	if (status == HB_OK)
		status = compile_read(ctx, operands[0], "input 1", &inputs[0]);
	if (status == HB_OK)
		status = compile_read(ctx, operands[1], "input 2", &inputs[1]);
	if (status == HB_OK)
		status = compile_write(ctx, operands[2], &output);
	/* Same shapes (no broadcast): element i of the sum reads element i of
	 * each input only, so it may overwrite either input if this is its last
	 * reader; the planner takes at most one. */
	if (status == HB_OK)
		status = compile_offer_in_place(ctx, operands[2], operands[0]);
	if (status == HB_OK)
		status = compile_offer_in_place(ctx, operands[2], operands[1]);
	if (status != HB_OK)
		return status;
	return compile_emit(ctx, compile_kind(types, MODEL_OP_ADD_S8, MODEL_OP_ADD_F32), &params,
			    sizeof params, inputs, 2, output, 0);
}

int compile_operator(struct compile_context *ctx, const struct tflite_operator *op)
{
	if (op->output_count != 1)
		return compile_refuse(ctx, "expected one output, found %d", op->output_count);
	switch (op->builtin) {
	case TFLITE_OP_CONV_2D: return compile_conv(ctx, op, false);
	case TFLITE_OP_DEPTHWISE_CONV_2D: return compile_conv(ctx, op, true);
	case TFLITE_OP_FULLY_CONNECTED: return compile_fully_connected(ctx, op);
	case TFLITE_OP_AVERAGE_POOL_2D: return compile_pool(ctx, op, false);
	case TFLITE_OP_MAX_POOL_2D: return compile_pool(ctx, op, true);
	case TFLITE_OP_ADD: return compile_add(ctx, op);
	case TFLITE_OP_SOFTMAX: return compile_softmax(ctx, op);
	case TFLITE_OP_QUANTIZE: return compile_quantize(ctx, op);
	case TFLITE_OP_DEQUANTIZE: return compile_dequantize(ctx, op);
	case TFLITE_OP_RESHAPE: return compile_reshape(ctx, op);
	default:
		return compile_refuse(ctx,
				      "unsupported operator (supported: ADD, AVERAGE_POOL_2D, "
				      "CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, FULLY_CONNECTED, "
				      "MAX_POOL_2D, QUANTIZE, RESHAPE, SOFTMAX)");
	}
}
