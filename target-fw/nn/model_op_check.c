/* Each op's parameters against its tensors: see model_op_check.h. */
#include "model_op_check.h"

#include "nn_params.h"

/* Bounds far above any model a microcontroller runs, low enough that no
 * index or coordinate a kernel forms in int32 can overflow. */
#define EXTENT_MAX	   (1 << 20)  /* any one extent, stride, dilation or padding */
#define REACH_MAX	   (1u << 28) /* the farthest coordinate a window reaches */
#define SHIFT_MAX	   31	      /* rescale shifts either way (nn_requantize.h) */
#define ADD_LEFT_SHIFT_MAX 20
#define AVG_POOL_CELLS_MAX (1u << 23) /* int8 cells an average sums in int32 */
#define INT32_LIMIT	   2147483647ull

static uint64_t mul(uint64_t a, uint64_t b)
{
	return a != 0 && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static int extent_ok(int32_t value)
{
	return value >= 1 && value <= EXTENT_MAX;
}

static int pad_ok(int32_t value)
{
	return value >= 0 && value <= EXTENT_MAX;
}

/* Window origins (out * stride - pad) and taps (+ filter * dilation). */
static int reach_ok(int32_t out, int32_t stride, int32_t filter, int32_t dilation)
{
	return (uint64_t)(out - 1) * (uint64_t)stride +
		   (uint64_t)(filter - 1) * (uint64_t)dilation <=
	       REACH_MAX;
}

static int shift_ok(int32_t shift)
{
	return shift >= -SHIFT_MAX && shift <= SHIFT_MAX;
}

static int clamp_s8_ok(int32_t low, int32_t high)
{
	return low >= -128 && low <= high && high <= 127;
}

static uint64_t magnitude(int32_t value)
{
	return value < 0 ? (uint64_t)(-(int64_t)value) : (uint64_t)value;
}

static const void *op_params(const struct model_image_header *header, const struct model_op *op)
{
	return (const uint8_t *)header + op->params_offset;
}

/* Input i, or NULL when absent. */
static const struct model_tensor *op_input(const struct model_image_header *header,
					   const struct model_op *op, uint32_t i)
{
	if (i >= op->input_count || op->inputs[i] == MODEL_NO_TENSOR)
		return NULL;
	return &model_tensors(header)[op->inputs[i]];
}

/* `tensor` is of `dtype` and holds at least `count` elements. */
static int holds(const struct model_tensor *tensor, uint32_t dtype, uint64_t count)
{
	const uint64_t element = dtype == MODEL_DTYPE_INT8 ? 1u : 4u;

	return tensor && tensor->dtype == dtype && mul(count, element) <= tensor->size;
}

/* The largest |nn_requantize(x, multiplier, shift)| for |x| <= bound
 * (bound <= 2^31): the left shift saturates at 2^31, the high multiply
 * by |multiplier| / 2^31 rounds up by at most 1, a right shift only
 * shrinks it. */
static uint64_t requantized_bound(uint64_t bound, int32_t multiplier, int32_t shift)
{
	if (shift > 0)
		bound <<= shift;
	if (bound > INT32_LIMIT + 1u)
		bound = INT32_LIMIT + 1u;
	return (bound * magnitude(multiplier) >> 31) + 1u;
}

/* The per-channel rescale and bias of an int8 conv, depthwise or fully
 * connected op. The kernels accumulate from the bias `depth` products of
 * (input + input_offset) * weight, |weight| <= 128; the fast kernels fold
 * input_offset * sum(weights) into the bias first, so a partial sum
 * reaches |bias| + depth * 128 * (|input_offset| + 128). Neither that nor
 * the rescaled sum plus the output offset may pass int32. Bias and
 * rescale must be constants in the image (their values are checked). */
static int rescale_s8_ok(const struct model_image_header *header, const struct model_op *op,
			 uint32_t channels, uint64_t depth, int32_t input_offset,
			 int32_t output_offset)
{
	const struct model_tensor *bias = op_input(header, op, 2);
	const struct model_tensor *quant = op_input(header, op, 3);
	const int32_t *bias_values;
	const int32_t *multipliers;
	const int32_t *shifts;
	uint64_t products;

	if (input_offset < -128 || input_offset > 128 || output_offset < -128 ||
	    output_offset > 127)
		return 0;
	if (!holds(quant, MODEL_DTYPE_INT32, 2u * (uint64_t)channels) ||
	    quant->location != MODEL_LOCATION_IMAGE)
		return 0;
	if (bias && bias->location != MODEL_LOCATION_IMAGE)
		return 0;
	products = mul(mul(depth, 128u), magnitude(input_offset) + 128u);
	bias_values = bias ? (const int32_t *)((const uint8_t *)header + bias->offset) : NULL;
	multipliers = (const int32_t *)((const uint8_t *)header + quant->offset);
	shifts = multipliers + channels;
	for (uint32_t c = 0; c < channels; c++) {
		const uint64_t sum = (bias_values ? magnitude(bias_values[c]) : 0u) + products;
		if (products > INT32_LIMIT || sum > INT32_LIMIT || !shift_ok(shifts[c]))
			return 0;
		if (requantized_bound(sum, multipliers[c], shifts[c]) + 128u > INT32_LIMIT)
			return 0;
	}
	return 1;
}

static int is_s8(uint32_t kind)
{
	return kind <= MODEL_OP_SOFTMAX_S8;
}

static int conv_ok(const struct model_image_header *header, const struct model_op *op,
		   int depthwise)
{
	const struct nn_conv_params *p = op_params(header, op);
	const uint32_t dtype = is_s8(op->kind) ? MODEL_DTYPE_INT8 : MODEL_DTYPE_FLOAT32;
	const struct model_tensor *output = &model_tensors(header)[op->output];
	const struct model_tensor *bias = op_input(header, op, 2);
	uint64_t taps, depth;

	if (!extent_ok(p->batches) || !extent_ok(p->input_height) || !extent_ok(p->input_width) ||
	    !extent_ok(p->input_channels) || !extent_ok(p->filter_height) ||
	    !extent_ok(p->filter_width) || !extent_ok(p->output_height) ||
	    !extent_ok(p->output_width) || !extent_ok(p->output_channels) ||
	    !extent_ok(p->stride_height) || !extent_ok(p->stride_width) ||
	    !extent_ok(p->dilation_height) || !extent_ok(p->dilation_width) ||
	    !pad_ok(p->pad_top) || !pad_ok(p->pad_left))
		return 0;
	if (!reach_ok(p->output_height, p->stride_height, p->filter_height, p->dilation_height) ||
	    !reach_ok(p->output_width, p->stride_width, p->filter_width, p->dilation_width))
		return 0;
	if (depthwise && (!extent_ok(p->depth_multiplier) ||
			  (int64_t)p->input_channels * p->depth_multiplier != p->output_channels))
		return 0;
	taps = (uint64_t)p->filter_height * (uint64_t)p->filter_width;
	depth = depthwise ? taps : taps * (uint64_t)p->input_channels;
	if (!holds(op_input(header, op, 0), dtype,
		   mul(mul((uint64_t)p->batches, (uint64_t)p->input_height),
		       mul((uint64_t)p->input_width, (uint64_t)p->input_channels))) ||
	    !holds(op_input(header, op, 1), dtype, mul(depth, (uint64_t)p->output_channels)) ||
	    !holds(output, dtype,
		   mul(mul((uint64_t)p->batches, (uint64_t)p->output_height),
		       mul((uint64_t)p->output_width, (uint64_t)p->output_channels))))
		return 0;
	if (dtype == MODEL_DTYPE_FLOAT32)
		return !bias || holds(bias, MODEL_DTYPE_FLOAT32, (uint64_t)p->output_channels);
	/* model_invoke_op finds the shifts after output dims[3] multipliers. */
	if (output->dims[3] != p->output_channels ||
	    (bias && !holds(bias, MODEL_DTYPE_INT32, (uint64_t)p->output_channels)) ||
	    !clamp_s8_ok(p->activation_min, p->activation_max))
		return 0;
	return rescale_s8_ok(header, op, (uint32_t)p->output_channels, depth, p->input_offset,
			     p->output_offset);
}

static int fully_connected_ok(const struct model_image_header *header, const struct model_op *op)
{
	const struct nn_fc_params *p = op_params(header, op);
	const uint32_t dtype = is_s8(op->kind) ? MODEL_DTYPE_INT8 : MODEL_DTYPE_FLOAT32;
	const struct model_tensor *bias = op_input(header, op, 2);
	const uint64_t depth = (uint64_t)p->input_count;

	if (!extent_ok(p->input_count) || !extent_ok(p->output_count) || !extent_ok(p->batches))
		return 0;
	if (!holds(op_input(header, op, 0), dtype, mul(depth, (uint64_t)p->batches)) ||
	    !holds(op_input(header, op, 1), dtype, mul(depth, (uint64_t)p->output_count)) ||
	    !holds(&model_tensors(header)[op->output], dtype,
		   mul((uint64_t)p->output_count, (uint64_t)p->batches)))
		return 0;
	if (dtype == MODEL_DTYPE_FLOAT32)
		return !bias || holds(bias, MODEL_DTYPE_FLOAT32, (uint64_t)p->output_count);
	if ((bias && !holds(bias, MODEL_DTYPE_INT32, (uint64_t)p->output_count)) ||
	    !clamp_s8_ok(p->activation_min, p->activation_max))
		return 0;
	return rescale_s8_ok(header, op, (uint32_t)p->output_count, depth, p->input_offset,
			     p->output_offset);
}

static int pool_ok(const struct model_image_header *header, const struct model_op *op)
{
	const struct nn_pool_params *p = op_params(header, op);
	const uint32_t dtype = is_s8(op->kind) ? MODEL_DTYPE_INT8 : MODEL_DTYPE_FLOAT32;

	if (!extent_ok(p->batches) || !extent_ok(p->input_height) || !extent_ok(p->input_width) ||
	    !extent_ok(p->channels) || !extent_ok(p->output_height) ||
	    !extent_ok(p->output_width) || !extent_ok(p->filter_height) ||
	    !extent_ok(p->filter_width) || !extent_ok(p->stride_height) ||
	    !extent_ok(p->stride_width) || !pad_ok(p->pad_top) || !pad_ok(p->pad_left))
		return 0;
	if (!reach_ok(p->output_height, p->stride_height, p->filter_height, 1) ||
	    !reach_ok(p->output_width, p->stride_width, p->filter_width, 1))
		return 0;
	if (!holds(op_input(header, op, 0), dtype,
		   mul(mul((uint64_t)p->batches, (uint64_t)p->input_height),
		       mul((uint64_t)p->input_width, (uint64_t)p->channels))) ||
	    !holds(&model_tensors(header)[op->output], dtype,
		   mul(mul((uint64_t)p->batches, (uint64_t)p->output_height),
		       mul((uint64_t)p->output_width, (uint64_t)p->channels))))
		return 0;
	if (dtype == MODEL_DTYPE_FLOAT32)
		return 1;
	return clamp_s8_ok(p->activation_min, p->activation_max) &&
	       (op->kind != MODEL_OP_AVG_POOL2D_S8 ||
		(uint64_t)p->filter_height * (uint64_t)p->filter_width <= AVG_POOL_CELLS_MAX);
}

/* int8 ADD: (offset + x) << left_shift in int32, each rescaled, summed
 * in int32, rescaled again plus the output offset. */
static int add_s8_ok(const struct nn_add_params *p)
{
	uint64_t shifted1, shifted2, sum;

	if (p->left_shift < 0 || p->left_shift > ADD_LEFT_SHIFT_MAX || p->input1_offset < -128 ||
	    p->input1_offset > 128 || p->input2_offset < -128 || p->input2_offset > 128 ||
	    p->output_offset < -128 || p->output_offset > 127 || !shift_ok(p->input1_shift) ||
	    !shift_ok(p->input2_shift) || !shift_ok(p->output_shift) ||
	    !clamp_s8_ok(p->activation_min, p->activation_max))
		return 0;
	shifted1 = (magnitude(p->input1_offset) + 128u) << p->left_shift;
	shifted2 = (magnitude(p->input2_offset) + 128u) << p->left_shift;
	sum = requantized_bound(shifted1, p->input1_multiplier, p->input1_shift) +
	      requantized_bound(shifted2, p->input2_multiplier, p->input2_shift);
	return sum <= INT32_LIMIT &&
	       requantized_bound(sum, p->output_multiplier, p->output_shift) + 128u <= INT32_LIMIT;
}

static int add_ok(const struct model_image_header *header, const struct model_op *op)
{
	const struct nn_add_params *p = op_params(header, op);
	const uint32_t dtype = is_s8(op->kind) ? MODEL_DTYPE_INT8 : MODEL_DTYPE_FLOAT32;
	const uint64_t size = (uint64_t)p->size;

	if (p->size < 1 || !holds(op_input(header, op, 0), dtype, size) ||
	    !holds(op_input(header, op, 1), dtype, size) ||
	    !holds(&model_tensors(header)[op->output], dtype, size))
		return 0;
	return dtype == MODEL_DTYPE_FLOAT32 || add_s8_ok(p);
}

static int softmax_ok(const struct model_image_header *header, const struct model_op *op)
{
	const struct nn_softmax_params *p = op_params(header, op);
	const uint32_t dtype = is_s8(op->kind) ? MODEL_DTYPE_INT8 : MODEL_DTYPE_FLOAT32;
	const uint64_t size = mul((uint64_t)p->rows, (uint64_t)p->row_size);

	if (!extent_ok(p->rows) || !extent_ok(p->row_size) ||
	    !holds(op_input(header, op, 0), dtype, size) ||
	    !holds(&model_tensors(header)[op->output], dtype, size))
		return 0;
	/* Differences to the row maximum are <= 0: a multiplier >= 0 keeps
	 * their rescale <= 0, where the fixed-point exp is defined. */
	return dtype == MODEL_DTYPE_FLOAT32 ||
	       (p->input_multiplier >= 0 && shift_ok(p->input_left_shift));
}

static int quantize_ok(const struct model_image_header *header, const struct model_op *op)
{
	const struct nn_quantize_params *p = op_params(header, op);
	const int to_s8 = op->kind == MODEL_OP_QUANTIZE_F32_S8;
	const uint64_t size = (uint64_t)p->size;

	return p->size >= 1 && p->zero_point >= -128 && p->zero_point <= 127 &&
	       holds(op_input(header, op, 0), to_s8 ? MODEL_DTYPE_FLOAT32 : MODEL_DTYPE_INT8,
		     size) &&
	       holds(&model_tensors(header)[op->output],
		     to_s8 ? MODEL_DTYPE_INT8 : MODEL_DTYPE_FLOAT32, size);
}

int model_op_params_ok(const struct model_image_header *header, const struct model_op *op)
{
	switch (op->kind) {
	case MODEL_OP_CONV2D_S8:
	case MODEL_OP_CONV2D_F32: return conv_ok(header, op, 0);
	case MODEL_OP_DEPTHWISE_CONV2D_S8:
	case MODEL_OP_DEPTHWISE_CONV2D_F32: return conv_ok(header, op, 1);
	case MODEL_OP_FULLY_CONNECTED_S8:
	case MODEL_OP_FULLY_CONNECTED_F32: return fully_connected_ok(header, op);
	case MODEL_OP_AVG_POOL2D_S8:
	case MODEL_OP_MAX_POOL2D_S8:
	case MODEL_OP_AVG_POOL2D_F32:
	case MODEL_OP_MAX_POOL2D_F32: return pool_ok(header, op);
	case MODEL_OP_ADD_S8:
	case MODEL_OP_ADD_F32: return add_ok(header, op);
	case MODEL_OP_SOFTMAX_S8:
	case MODEL_OP_SOFTMAX_F32: return softmax_ok(header, op);
	case MODEL_OP_QUANTIZE_F32_S8:
	case MODEL_OP_DEQUANTIZE_S8_F32: return quantize_ok(header, op);
	case MODEL_OP_RESHAPE: return 1; /* a byte copy of equal sizes (model_image.c) */
	default: return 0;
	}
}

uint64_t model_op_work(const struct model_image_header *header, const struct model_op *op)
{
	switch (op->kind) {
	case MODEL_OP_CONV2D_S8:
	case MODEL_OP_CONV2D_F32:
	case MODEL_OP_DEPTHWISE_CONV2D_S8:
	case MODEL_OP_DEPTHWISE_CONV2D_F32: {
		const struct nn_conv_params *p = op_params(header, op);
		const int depthwise = op->kind == MODEL_OP_DEPTHWISE_CONV2D_S8 ||
				      op->kind == MODEL_OP_DEPTHWISE_CONV2D_F32;
		uint64_t taps = mul((uint64_t)p->filter_height, (uint64_t)p->filter_width);
		return mul(mul(mul((uint64_t)p->batches, (uint64_t)p->output_height),
			       mul((uint64_t)p->output_width, (uint64_t)p->output_channels)),
			   depthwise ? taps : mul(taps, (uint64_t)p->input_channels));
	}
	case MODEL_OP_FULLY_CONNECTED_S8:
	case MODEL_OP_FULLY_CONNECTED_F32: {
		const struct nn_fc_params *p = op_params(header, op);
		return mul(mul((uint64_t)p->batches, (uint64_t)p->output_count),
			   (uint64_t)p->input_count);
	}
	case MODEL_OP_AVG_POOL2D_S8:
	case MODEL_OP_MAX_POOL2D_S8:
	case MODEL_OP_AVG_POOL2D_F32:
	case MODEL_OP_MAX_POOL2D_F32: {
		const struct nn_pool_params *p = op_params(header, op);
		return mul(mul(mul((uint64_t)p->batches, (uint64_t)p->output_height),
			       mul((uint64_t)p->output_width, (uint64_t)p->channels)),
			   mul((uint64_t)p->filter_height, (uint64_t)p->filter_width));
	}
	case MODEL_OP_ADD_S8:
	case MODEL_OP_ADD_F32:
		return (uint64_t)((const struct nn_add_params *)op_params(header, op))->size;
	case MODEL_OP_SOFTMAX_S8:
	case MODEL_OP_SOFTMAX_F32: {
		const struct nn_softmax_params *p = op_params(header, op);
		return mul(mul((uint64_t)p->rows, (uint64_t)p->row_size), 3u);
	}
	case MODEL_OP_QUANTIZE_F32_S8:
	case MODEL_OP_DEQUANTIZE_S8_F32:
		return (uint64_t)((const struct nn_quantize_params *)op_params(header, op))->size;
	default: return 0;
	}
}
