/*
 * float32 kernels (target-fw/nn/nn_*_f32.c): small cases worked out by hand
 * (padding, stride 2, dilation, depth multiplier 2, clamps, batches), then
 * seeded random layers against slow references written here in double
 * precision in a different way from the kernels (the convolutions read an
 * explicitly zero-padded copy of the input instead of skipping cells).
 *
 * Tolerance of the random comparisons: |float - double| <= 1e-5 * M, where
 * M is the sum of the magnitudes of all the terms added (products and bias).
 * A float sum of n terms is off by at most about n * 2^-24 * M, which for
 * the largest window here (n = 73) is 4.4e-6 * M.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

#define NN_FLOAT_TEST_TOLERANCE 1e-5
#define NN_FLOAT_TEST_BUFFER	4096

static float nn_float_test_input[NN_FLOAT_TEST_BUFFER];
static float nn_float_test_filter[NN_FLOAT_TEST_BUFFER];
static float nn_float_test_bias[64];
static float nn_float_test_output[NN_FLOAT_TEST_BUFFER];
static double nn_float_test_expected[NN_FLOAT_TEST_BUFFER];
static double nn_float_test_magnitude[NN_FLOAT_TEST_BUFFER];
static double nn_float_test_padded[NN_FLOAT_TEST_BUFFER];
static double nn_float_test_expected_max[NN_FLOAT_TEST_BUFFER];

static void nn_float_test_expect_array(const float *got, const float *want, int count)
{
	for (int i = 0; i < count; i++)
		cr_expect(got[i] == want[i], "element %d: got %.9g, expected %.9g", i,
			  (double)got[i], (double)want[i]);
}

static struct nn_conv_params nn_float_test_conv(int32_t batches, int32_t height, int32_t width,
						int32_t channels, int32_t filter_height,
						int32_t filter_width, int32_t output_channels)
{
	struct nn_conv_params params;

	memset(&params, 0, sizeof(params));
	params.batches = batches;
	params.input_height = height;
	params.input_width = width;
	params.input_channels = channels;
	params.filter_height = filter_height;
	params.filter_width = filter_width;
	params.output_height = height - filter_height + 1;
	params.output_width = width - filter_width + 1;
	params.output_channels = output_channels;
	params.stride_height = 1;
	params.stride_width = 1;
	params.dilation_height = 1;
	params.dilation_width = 1;
	params.depth_multiplier = 1;
	params.activation_min_f = -FLT_MAX;
	params.activation_max_f = FLT_MAX;
	return params;
}

static struct nn_pool_params nn_float_test_pool(int32_t height, int32_t width, int32_t channels,
						int32_t filter, int32_t stride, int32_t pad,
						int32_t output_size)
{
	struct nn_pool_params params;

	memset(&params, 0, sizeof(params));
	params.batches = 1;
	params.input_height = height;
	params.input_width = width;
	params.channels = channels;
	params.output_height = output_size;
	params.output_width = output_size;
	params.filter_height = filter;
	params.filter_width = filter;
	params.stride_height = stride;
	params.stride_width = stride;
	params.pad_top = pad;
	params.pad_left = pad;
	params.activation_min_f = -FLT_MAX;
	params.activation_max_f = FLT_MAX;
	return params;
}

/* 1..9 row-major in a 3x3 single-channel image. */
static const float nn_float_test_one_to_nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

Test(nn_conv2d_f32, padding_and_stride_two_read_the_filter_the_right_way_round)
{
	/* All-ones 3x3 input, filter 1..9, pad 1, stride 2: each output is the
	 * sum of the filter taps that land inside the input. */
	struct nn_conv_params params = nn_float_test_conv(1, 3, 3, 1, 3, 3, 1);
	const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
	const float want[4] = {5 + 6 + 8 + 9, 4 + 5 + 7 + 8, 2 + 3 + 5 + 6, 1 + 2 + 4 + 5};
	float got[4];

	params.stride_height = 2;
	params.stride_width = 2;
	params.pad_top = 1;
	params.pad_left = 1;
	params.output_height = 2;
	params.output_width = 2;
	nn_conv2d_f32(&params, ones, nn_float_test_one_to_nine, NULL, got);
	nn_float_test_expect_array(got, want, 4);
}

Test(nn_conv2d_f32, channels_layout_bias_clamp_and_batches)
{
	/* 1x2 image, 2 input channels, 1x1 filter, 3 output channels, 2 batches. */
	struct nn_conv_params params = nn_float_test_conv(2, 1, 2, 2, 1, 1, 3);
	const float input[8] = {1, 2, 3, -1, 0.5f, 0, -2, 4};
	const float filter[6] = {1, 0, 0, 1, 2, -3};
	const float bias[3] = {0, 10, -1};
	const float want[12] = {1, 12, -5, 3, 9, 8, 0.5f, 10, 0, -2, 13, -10};
	const float want_unclamped_last[3] = {-2, 14, -17};
	float got[12];

	params.activation_min_f = -10;
	params.activation_max_f = 13;
	nn_conv2d_f32(&params, input, filter, bias, got);
	nn_float_test_expect_array(got, want, 12);

	params.activation_min_f = -FLT_MAX;
	params.activation_max_f = FLT_MAX;
	nn_conv2d_f32(&params, input, filter, bias, got);
	nn_float_test_expect_array(got + 9, want_unclamped_last, 3);
}

Test(nn_conv2d_f32, dilation_in_both_directions)
{
	/* 2x2 filter dilated by 2 on a 3x3 image reads only the corners. */
	struct nn_conv_params params = nn_float_test_conv(1, 3, 3, 1, 2, 2, 1);
	const float filter[4] = {1, 10, 100, 1000};
	float got[1];

	params.dilation_height = 2;
	params.dilation_width = 2;
	params.output_height = 1;
	params.output_width = 1;
	nn_conv2d_f32(&params, nn_float_test_one_to_nine, filter, NULL, got);
	cr_expect(got[0] == 1 * 1 + 10 * 3 + 100 * 7 + 1000 * 9, "got %.9g", (double)got[0]);
}

Test(nn_conv2d_f32, dilation_stride_and_left_padding_on_a_row)
{
	/* Row 1..5, taps {10, 1} two apart, stride 2, pad 1 each side. */
	struct nn_conv_params params = nn_float_test_conv(1, 1, 5, 1, 1, 2, 1);
	const float input[5] = {1, 2, 3, 4, 5};
	const float filter[2] = {10, 1};
	const float want[3] = {2, 24, 40};
	const float want_no_padding[3] = {13, 24, 35};
	float got[3];

	params.dilation_width = 2;
	params.stride_width = 2;
	params.pad_left = 1;
	params.output_width = 3;
	nn_conv2d_f32(&params, input, filter, NULL, got);
	nn_float_test_expect_array(got, want, 3);

	params.stride_width = 1;
	params.pad_left = 0;
	nn_conv2d_f32(&params, input, filter, NULL, got);
	nn_float_test_expect_array(got, want_no_padding, 3);
}

Test(nn_depthwise_conv2d_f32, depth_multiplier_two)
{
	/* 2x2 image, 2 channels, multiplier 2: output channel ic * 2 + m. */
	struct nn_conv_params params = nn_float_test_conv(1, 2, 2, 2, 2, 2, 4);
	const float input[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const float filter[16] = {1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, -1};
	const float bias[4] = {0.25f, 0, 0, 1};
	const float want[4] = {1 + 3 + 0.25f, 5, 8, 2 - 8 + 1};
	float got[4];

	params.depth_multiplier = 2;
	nn_depthwise_conv2d_f32(&params, input, filter, bias, got);
	nn_float_test_expect_array(got, want, 4);
}

Test(nn_depthwise_conv2d_f32, padding_stride_two_and_clamp)
{
	/* Channel 0 = 1..9, channel 1 = -(1..9); filter all 1 (oc 0), all 2 (oc 1). */
	struct nn_conv_params params = nn_float_test_conv(1, 3, 3, 2, 3, 3, 2);
	float input[18];
	float filter[18];
	const float want[8] = {12, -24, 16, -32, 20, -40, 20, -40};
	const float want_unclamped[8] = {12, -24, 16, -32, 24, -48, 28, -56};
	float got[8];

	for (int i = 0; i < 9; i++) {
		input[2 * i] = nn_float_test_one_to_nine[i];
		input[2 * i + 1] = -nn_float_test_one_to_nine[i];
		filter[2 * i] = 1;
		filter[2 * i + 1] = 2;
	}
	params.stride_height = 2;
	params.stride_width = 2;
	params.pad_top = 1;
	params.pad_left = 1;
	params.output_height = 2;
	params.output_width = 2;
	nn_depthwise_conv2d_f32(&params, input, filter, NULL, got);
	nn_float_test_expect_array(got, want_unclamped, 8);

	params.activation_min_f = -40;
	params.activation_max_f = 20;
	nn_depthwise_conv2d_f32(&params, input, filter, NULL, got);
	nn_float_test_expect_array(got, want, 8);
}

Test(nn_fully_connected_f32, bias_no_bias_clamp_and_batches)
{
	struct nn_fc_params params;
	const float input[6] = {1, 2, 3, -1, 0.5f, 4};
	const float weights[6] = {1, -1, 2, -2, 0, 1};
	const float bias[2] = {0.5f, -1};
	const float want_bias[4] = {5.5f, 0, 7, 5};
	const float want_no_bias[4] = {5, 1, 6.5f, 6};
	const float want_clamped[4] = {5.5f, 0, 6, 5};
	float got[4];

	memset(&params, 0, sizeof(params));
	params.input_count = 3;
	params.output_count = 2;
	params.batches = 2;
	params.activation_min_f = -FLT_MAX;
	params.activation_max_f = FLT_MAX;
	nn_fully_connected_f32(&params, input, weights, bias, got);
	nn_float_test_expect_array(got, want_bias, 4);
	nn_fully_connected_f32(&params, input, weights, NULL, got);
	nn_float_test_expect_array(got, want_no_bias, 4);
	params.activation_min_f = 0;
	params.activation_max_f = 6;
	nn_fully_connected_f32(&params, input, weights, bias, got);
	nn_float_test_expect_array(got, want_clamped, 4);
}

Test(nn_pool_f32, average_divides_by_cells_inside_the_input)
{
	/* 3x3 image, 2x2 window, stride 2, SAME (padding bottom/right only):
	 * windows hold 4, 2, 2 and 1 cells. Channel 1 is channel 0 times 10. */
	struct nn_pool_params params = nn_float_test_pool(3, 3, 2, 2, 2, 0, 2);
	float input[18];
	const float want[8] = {3, 30, 4.5f, 45, 7.5f, 75, 9, 90};
	float got[8];

	for (int i = 0; i < 9; i++) {
		input[2 * i] = nn_float_test_one_to_nine[i];
		input[2 * i + 1] = 10 * nn_float_test_one_to_nine[i];
	}
	nn_avg_pool2d_f32(&params, input, got);
	nn_float_test_expect_array(got, want, 8);
}

Test(nn_pool_f32, average_with_top_left_padding_and_clamp)
{
	/* 3x3 window, stride 2, pad 1: every window holds 4 cells. */
	struct nn_pool_params params = nn_float_test_pool(3, 3, 1, 3, 2, 1, 2);
	const float want[4] = {3, 4, 6, 7};
	const float want_clamped[4] = {3.5f, 4, 6, 6.5f};
	float got[4];

	nn_avg_pool2d_f32(&params, nn_float_test_one_to_nine, got);
	nn_float_test_expect_array(got, want, 4);
	params.activation_min_f = 3.5f;
	params.activation_max_f = 6.5f;
	nn_avg_pool2d_f32(&params, nn_float_test_one_to_nine, got);
	nn_float_test_expect_array(got, want_clamped, 4);
}

Test(nn_pool_f32, max_ignores_padding_and_clamps)
{
	/* All-negative image: padding counted as 0 would win every window. */
	struct nn_pool_params params = nn_float_test_pool(3, 3, 1, 3, 2, 1, 2);
	float input[9];
	const float want[4] = {-1, -2, -4, -5};
	const float want_clamped[4] = {-1, -2, -3, -3};
	float got[4];

	for (int i = 0; i < 9; i++)
		input[i] = -nn_float_test_one_to_nine[i];
	nn_max_pool2d_f32(&params, input, got);
	nn_float_test_expect_array(got, want, 4);
	params.activation_min_f = -3;
	nn_max_pool2d_f32(&params, input, got);
	nn_float_test_expect_array(got, want_clamped, 4);
}

Test(nn_pool_f32, max_two_channels_two_batches)
{
	/* 2x2 image, 2x2 window, no padding: one output pixel per batch. */
	struct nn_pool_params params = nn_float_test_pool(2, 2, 2, 2, 1, 0, 1);
	const float input[16] = {1, -5, 7, -6, 3, -2, 0, -8, -1, 5, -3, 4, -2, 9, -4, 1};
	const float want[4] = {7, -2, -1, 9};
	float got[4];

	params.batches = 2;
	nn_max_pool2d_f32(&params, input, got);
	nn_float_test_expect_array(got, want, 4);
}

Test(nn_add_f32, sums_and_clamps)
{
	struct nn_add_params params;
	const float input1[4] = {1, -2, 3.5f, 100};
	const float input2[4] = {0.25f, 2, -10, 1};
	const float want[4] = {1.25f, 0, -6.5f, 101};
	const float want_relu6[4] = {1.25f, 0, 0, 6};
	float got[4];

	memset(&params, 0, sizeof(params));
	params.size = 4;
	params.activation_min_f = -FLT_MAX;
	params.activation_max_f = FLT_MAX;
	nn_add_f32(&params, input1, input2, got);
	nn_float_test_expect_array(got, want, 4);
	params.activation_min_f = 0;
	params.activation_max_f = 6;
	nn_add_f32(&params, input1, input2, got);
	nn_float_test_expect_array(got, want_relu6, 4);
}

Test(nn_softmax_f32, rows_are_independent_and_stable)
{
	struct nn_softmax_params params;
	/* uniform; huge equal values (exp would overflow without the max
	 * subtraction); one far below the other (its term underflows to 0) */
	const float input[12] = {2, 2, 2, 2, 1000, 1000, 88, 89, -1000, 0, 3, 3};
	float got[12];

	memset(&params, 0, sizeof(params));
	params.rows = 3;
	params.row_size = 4;
	params.beta = 1;
	nn_softmax_f32(&params, input, got);
	for (int i = 0; i < 4; i++)
		cr_expect(got[i] == 0.25f, "uniform row, element %d: got %.9g", i, (double)got[i]);
	cr_expect(got[4] == 0.5f && got[5] == 0.5f, "got %.9g %.9g", (double)got[4],
		  (double)got[5]);
	/* row 1 is {1000, 1000, 88, 89}: exp(-911) and exp(-912) are 0 in float */
	cr_expect(got[6] == 0 && got[7] == 0, "got %.9g %.9g", (double)got[6], (double)got[7]);
	/* row 2 is {-1000, 0, 3, 3} */
	cr_expect(got[8] == 0, "got %.9g", (double)got[8]);
	cr_expect_float_eq(got[9], 1.0 / (1.0 + 2.0 * exp(3.0)), 1e-7);
	cr_expect_float_eq(got[10], exp(3.0) / (1.0 + 2.0 * exp(3.0)), 1e-7);
	cr_expect(got[10] == got[11], "equal inputs, equal outputs");
}

Test(nn_softmax_f32, beta_scales_the_differences)
{
	struct nn_softmax_params params;
	const float input[2] = {0, 1};
	float got[2];

	memset(&params, 0, sizeof(params));
	params.rows = 1;
	params.row_size = 2;
	params.beta = (float)log(3.0); /* exp(-beta) = 1/3: {1/4, 3/4} */
	nn_softmax_f32(&params, input, got);
	cr_expect_float_eq(got[0], 0.25f, 1e-6f);
	cr_expect_float_eq(got[1], 0.75f, 1e-6f);
	params.beta = 0; /* flat */
	nn_softmax_f32(&params, input, got);
	cr_expect(got[0] == 0.5f && got[1] == 0.5f, "got %.9g %.9g", (double)got[0],
		  (double)got[1]);
}

Test(nn_softmax_f32, works_in_place)
{
	struct nn_softmax_params params;
	float data[3] = {1, 2, 3};
	const double sum = exp(-2.0) + exp(-1.0) + 1.0;

	memset(&params, 0, sizeof(params));
	params.rows = 1;
	params.row_size = 3;
	params.beta = 1;
	nn_softmax_f32(&params, data, data);
	cr_expect_float_eq(data[0], exp(-2.0) / sum, 1e-7);
	cr_expect_float_eq(data[1], exp(-1.0) / sum, 1e-7);
	cr_expect_float_eq(data[2], 1.0 / sum, 1e-7);
}

/* Random layers. */

static uint32_t nn_float_test_xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Uniform in [-1, 1), exactly representable (24 random bits). */
static float nn_float_test_random(uint32_t *state)
{
	return (float)((int32_t)(nn_float_test_xorshift32(state) >> 8) - (1 << 23)) /
	       (float)(1 << 23);
}

static void nn_float_test_fill(float *data, int count, uint32_t *state)
{
	for (int i = 0; i < count; i++)
		data[i] = nn_float_test_random(state);
}

static int32_t nn_float_test_min(int32_t a, int32_t b)
{
	return a < b ? a : b;
}

static double nn_float_test_clamp(double value, float low, float high)
{
	if (value < low)
		return low;
	if (value > high)
		return high;
	return value;
}

static void nn_float_test_expect_near(const float *got, int count, const char *what, int config)
{
	for (int i = 0; i < count; i++) {
		const double error = fabs((double)got[i] - nn_float_test_expected[i]);
		const double allowed = NN_FLOAT_TEST_TOLERANCE * nn_float_test_magnitude[i] + 1e-30;
		cr_expect(error <= allowed,
			  "%s config %d element %d: got %.9g, expected %.12g (error %.3g > %.3g)",
			  what, config, i, (double)got[i], nn_float_test_expected[i], error,
			  allowed);
	}
}

struct nn_float_test_shape {
	int32_t batches, height, width, channels;
	int32_t filter_height, filter_width, output_channels, depth_multiplier;
	int32_t stride_height, stride_width, dilation_height, dilation_width;
	int32_t pad_top, pad_left, pad_bottom, pad_right;
	float low, high;
};

static const struct nn_float_test_shape nn_float_test_shapes[] = {
    {2, 5, 6, 3, 3, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, -FLT_MAX, FLT_MAX},
    {1, 7, 7, 4, 3, 3, 5, 1, 2, 2, 1, 1, 1, 1, 1, 1, -FLT_MAX, FLT_MAX},
    {2, 9, 8, 2, 3, 2, 3, 2, 1, 2, 2, 3, 2, 0, 2, 3, -0.5f, 0.75f},
    {1, 6, 9, 3, 2, 3, 2, 2, 2, 1, 2, 1, 0, 2, 1, 0, 0, FLT_MAX},
    {2, 8, 8, 8, 3, 3, 5, 1, 2, 2, 1, 1, 0, 0, 1, 1, -FLT_MAX, 1},
    {1, 4, 4, 1, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, -FLT_MAX, FLT_MAX},
};

static struct nn_conv_params nn_float_test_random_params(const struct nn_float_test_shape *shape,
							 int depthwise)
{
	struct nn_conv_params params;
	const int32_t span_height = (shape->filter_height - 1) * shape->dilation_height + 1;
	const int32_t span_width = (shape->filter_width - 1) * shape->dilation_width + 1;

	memset(&params, 0, sizeof(params));
	params.batches = shape->batches;
	params.input_height = shape->height;
	params.input_width = shape->width;
	params.input_channels = shape->channels;
	params.filter_height = shape->filter_height;
	params.filter_width = shape->filter_width;
	params.output_height = (shape->height + shape->pad_top + shape->pad_bottom - span_height) /
				   shape->stride_height +
			       1;
	params.output_width =
	    (shape->width + shape->pad_left + shape->pad_right - span_width) / shape->stride_width +
	    1;
	params.depth_multiplier = depthwise ? shape->depth_multiplier : 1;
	params.output_channels =
	    depthwise ? shape->channels * shape->depth_multiplier : shape->output_channels;
	params.stride_height = shape->stride_height;
	params.stride_width = shape->stride_width;
	params.dilation_height = shape->dilation_height;
	params.dilation_width = shape->dilation_width;
	params.pad_top = shape->pad_top;
	params.pad_left = shape->pad_left;
	params.activation_min_f = shape->low;
	params.activation_max_f = shape->high;
	return params;
}

/* One batch image, copied into a double buffer with explicit zero borders. */
static int32_t nn_float_test_pad(const struct nn_float_test_shape *shape, const float *image)
{
	const int32_t padded_width = shape->width + shape->pad_left + shape->pad_right;
	const int32_t padded_height = shape->height + shape->pad_top + shape->pad_bottom;

	cr_assert_leq(padded_height * padded_width * shape->channels, NN_FLOAT_TEST_BUFFER);
	memset(nn_float_test_padded, 0, sizeof(nn_float_test_padded));
	for (int32_t y = 0; y < shape->height; y++)
		for (int32_t x = 0; x < shape->width; x++)
			for (int32_t c = 0; c < shape->channels; c++)
				nn_float_test_padded[((y + shape->pad_top) * padded_width + x +
						      shape->pad_left) *
							 shape->channels +
						     c] =
				    image[(y * shape->width + x) * shape->channels + c];
	return padded_width;
}

static void nn_float_test_reference_conv(const struct nn_float_test_shape *shape,
					 const struct nn_conv_params *params, int depthwise,
					 const float *bias)
{
	const int32_t in_channels = shape->channels;
	const int32_t out_channels = params->output_channels;
	int index = 0;

	for (int32_t b = 0; b < shape->batches; b++) {
		const int32_t padded_width = nn_float_test_pad(
		    shape, nn_float_test_input + b * shape->height * shape->width * in_channels);
		for (int32_t oy = 0; oy < params->output_height; oy++) {
			for (int32_t ox = 0; ox < params->output_width; ox++) {
				for (int32_t oc = 0; oc < out_channels; oc++, index++) {
					double sum = bias ? bias[oc] : 0.0;
					double magnitude = bias ? fabs(bias[oc]) : 0.0;
					for (int32_t ky = 0; ky < shape->filter_height; ky++) {
						for (int32_t kx = 0; kx < shape->filter_width;
						     kx++) {
							const int32_t py =
							    oy * shape->stride_height +
							    ky * shape->dilation_height;
							const int32_t px =
							    ox * shape->stride_width +
							    kx * shape->dilation_width;
							const double *cell =
							    nn_float_test_padded +
							    (py * padded_width + px) * in_channels;
							if (depthwise) {
								const double term =
								    cell[oc /
									 shape->depth_multiplier] *
								    nn_float_test_filter
									[(ky * shape->filter_width +
									  kx) *
									     out_channels +
									 oc];
								sum += term;
								magnitude += fabs(term);
								continue;
							}
							for (int32_t ic = 0; ic < in_channels;
							     ic++) {
								const double term =
								    cell[ic] *
								    nn_float_test_filter
									[((oc *
									       shape
										   ->filter_height +
									   ky) *
									      shape->filter_width +
									  kx) *
									     in_channels +
									 ic];
								sum += term;
								magnitude += fabs(term);
							}
						}
					}
					nn_float_test_expected[index] =
					    nn_float_test_clamp(sum, shape->low, shape->high);
					nn_float_test_magnitude[index] = magnitude;
				}
			}
		}
	}
}

static void nn_float_test_random_convolutions(int depthwise)
{
	uint32_t state = depthwise ? 0x2545f491u : 0x9e3779b9u;
	const int configs = (int)(sizeof(nn_float_test_shapes) / sizeof(nn_float_test_shapes[0]));

	for (int config = 0; config < configs; config++) {
		const struct nn_float_test_shape *shape = &nn_float_test_shapes[config];
		struct nn_conv_params params = nn_float_test_random_params(shape, depthwise);
		const int input_count =
		    shape->batches * shape->height * shape->width * shape->channels;
		const int filter_count =
		    depthwise ? shape->filter_height * shape->filter_width * params.output_channels
			      : params.output_channels * shape->filter_height *
				    shape->filter_width * shape->channels;
		const int output_count = shape->batches * params.output_height *
					 params.output_width * params.output_channels;
		const float *bias = (config % 3 == 2) ? NULL : nn_float_test_bias;

		cr_assert_leq(input_count, NN_FLOAT_TEST_BUFFER);
		cr_assert_leq(filter_count, NN_FLOAT_TEST_BUFFER);
		cr_assert_leq(output_count, NN_FLOAT_TEST_BUFFER);
		cr_assert_leq(params.output_channels, 64);
		nn_float_test_fill(nn_float_test_input, input_count, &state);
		nn_float_test_fill(nn_float_test_filter, filter_count, &state);
		nn_float_test_fill(nn_float_test_bias, params.output_channels, &state);
		nn_float_test_reference_conv(shape, &params, depthwise, bias);
		for (int i = 0; i < output_count + 1; i++)
			nn_float_test_output[i] = NAN;
		if (depthwise)
			nn_depthwise_conv2d_f32(&params, nn_float_test_input, nn_float_test_filter,
						bias, nn_float_test_output);
		else
			nn_conv2d_f32(&params, nn_float_test_input, nn_float_test_filter, bias,
				      nn_float_test_output);
		nn_float_test_expect_near(nn_float_test_output, output_count,
					  depthwise ? "depthwise" : "conv", config);
		cr_expect(isnan(nn_float_test_output[output_count]),
			  "config %d: wrote past the output", config);
	}
}

Test(nn_conv2d_f32, random_layers_match_double_reference)
{
	nn_float_test_random_convolutions(0);
}

Test(nn_depthwise_conv2d_f32, random_layers_match_double_reference)
{
	nn_float_test_random_convolutions(1);
}

Test(nn_fully_connected_f32, random_layers_match_double_reference)
{
	uint32_t state = 0x1234567u;
	struct nn_fc_params params;

	memset(&params, 0, sizeof(params));
	params.input_count = 64;
	params.output_count = 10;
	params.batches = 3;
	params.activation_min_f = -FLT_MAX;
	params.activation_max_f = FLT_MAX;
	nn_float_test_fill(nn_float_test_input, 3 * 64, &state);
	nn_float_test_fill(nn_float_test_filter, 10 * 64, &state);
	nn_float_test_fill(nn_float_test_bias, 10, &state);
	for (int b = 0; b < 3; b++) {
		for (int o = 0; o < 10; o++) {
			double sum = nn_float_test_bias[o];
			double magnitude = fabs(nn_float_test_bias[o]);
			for (int i = 0; i < 64; i++) {
				const double term = (double)nn_float_test_input[b * 64 + i] *
						    nn_float_test_filter[o * 64 + i];
				sum += term;
				magnitude += fabs(term);
			}
			nn_float_test_expected[b * 10 + o] = sum;
			nn_float_test_magnitude[b * 10 + o] = magnitude;
		}
	}
	nn_fully_connected_f32(&params, nn_float_test_input, nn_float_test_filter,
			       nn_float_test_bias, nn_float_test_output);
	nn_float_test_expect_near(nn_float_test_output, 30, "fully connected", 0);
}

Test(nn_pool_f32, random_pools_match_double_reference)
{
	uint32_t state = 0xcafef00du;
	const int configs = (int)(sizeof(nn_float_test_shapes) / sizeof(nn_float_test_shapes[0]));

	for (int config = 0; config < configs; config++) {
		const struct nn_float_test_shape *shape = &nn_float_test_shapes[config];
		struct nn_pool_params params;
		/* Pools never pad by a whole window (SAME pads at most filter - 1),
		 * so the padding of the shared shapes is cut to that. */
		const int32_t pad_top = nn_float_test_min(shape->pad_top, shape->filter_height - 1);
		const int32_t pad_bottom =
		    nn_float_test_min(shape->pad_bottom, shape->filter_height - 1);
		const int32_t pad_left =
		    nn_float_test_min(shape->pad_left, shape->filter_width - 1);
		const int32_t pad_right =
		    nn_float_test_min(shape->pad_right, shape->filter_width - 1);
		int index = 0;
		int output_count;

		memset(&params, 0, sizeof(params));
		params.batches = shape->batches;
		params.input_height = shape->height;
		params.input_width = shape->width;
		params.channels = shape->channels;
		params.filter_height = shape->filter_height;
		params.filter_width = shape->filter_width;
		params.stride_height = shape->stride_height;
		params.stride_width = shape->stride_width;
		params.pad_top = pad_top;
		params.pad_left = pad_left;
		params.output_height =
		    (shape->height + pad_top + pad_bottom - shape->filter_height) /
			shape->stride_height +
		    1;
		params.output_width = (shape->width + pad_left + pad_right - shape->filter_width) /
					  shape->stride_width +
				      1;
		params.activation_min_f = shape->low;
		params.activation_max_f = shape->high;
		output_count =
		    shape->batches * params.output_height * params.output_width * shape->channels;
		nn_float_test_fill(nn_float_test_input,
				   shape->batches * shape->height * shape->width * shape->channels,
				   &state);

		/* Average: mean of the in-bounds cells, found by scanning the
		 * whole image for cells inside each window. Max: exact. */
		for (int32_t b = 0; b < shape->batches; b++) {
			for (int32_t oy = 0; oy < params.output_height; oy++) {
				for (int32_t ox = 0; ox < params.output_width; ox++) {
					for (int32_t c = 0; c < shape->channels; c++, index++) {
						double sum = 0, magnitude = 0, max = -INFINITY;
						int count = 0;
						for (int32_t y = 0; y < shape->height; y++) {
							for (int32_t x = 0; x < shape->width; x++) {
								const int32_t dy =
								    y + pad_top -
								    oy * shape->stride_height;
								const int32_t dx =
								    x + pad_left -
								    ox * shape->stride_width;
								double cell;
								if (dy < 0 ||
								    dy >= shape->filter_height ||
								    dx < 0 ||
								    dx >= shape->filter_width)
									continue;
								cell = nn_float_test_input
								    [((b * shape->height + y) *
									  shape->width +
								      x) *
									 shape->channels +
								     c];
								sum += cell;
								magnitude += fabs(cell);
								max = cell > max ? cell : max;
								count++;
							}
						}
						cr_assert_gt(count, 0,
							     "config %d has an empty window",
							     config);
						nn_float_test_expected[index] = nn_float_test_clamp(
						    sum / count, shape->low, shape->high);
						nn_float_test_magnitude[index] = magnitude / count;
						nn_float_test_expected_max[index] =
						    nn_float_test_clamp(max, shape->low,
									shape->high);
					}
				}
			}
		}
		nn_avg_pool2d_f32(&params, nn_float_test_input, nn_float_test_output);
		nn_float_test_expect_near(nn_float_test_output, output_count, "average pool",
					  config);
		nn_max_pool2d_f32(&params, nn_float_test_input, nn_float_test_output);
		for (int i = 0; i < output_count; i++)
			cr_expect(nn_float_test_output[i] == (float)nn_float_test_expected_max[i],
				  "max pool config %d element %d: got %.9g, expected %.9g", config,
				  i, (double)nn_float_test_output[i],
				  nn_float_test_expected_max[i]);
	}
}

Test(nn_add_f32, random_sums_are_correctly_rounded)
{
	uint32_t state = 0xdeadbeefu;
	struct nn_add_params params;

	memset(&params, 0, sizeof(params));
	params.size = 1000;
	params.activation_min_f = -1.5f;
	params.activation_max_f = 1.5f;
	nn_float_test_fill(nn_float_test_input, 1000, &state);
	nn_float_test_fill(nn_float_test_filter, 1000, &state);
	for (int i = 0; i < 1000; i++)
		nn_float_test_filter[i] *= 1.0f + (float)(i % 7);
	nn_add_f32(&params, nn_float_test_input, nn_float_test_filter, nn_float_test_output);
	for (int i = 0; i < 1000; i++) {
		/* The double sum of two such floats is exact; rounding it once
		 * to float is what IEEE float addition must give. */
		const float want = (float)nn_float_test_clamp(
		    (double)nn_float_test_input[i] + nn_float_test_filter[i], -1.5f, 1.5f);
		cr_expect(nn_float_test_output[i] == want, "element %d: got %.9g, expected %.9g", i,
			  (double)nn_float_test_output[i], (double)want);
	}
}

Test(nn_softmax_f32, random_rows_match_double_reference)
{
	uint32_t state = 0x0badf00du;
	struct nn_softmax_params params;
	const int rows = 7, size = 37;

	memset(&params, 0, sizeof(params));
	params.rows = rows;
	params.row_size = size;
	params.beta = 1.7f;
	nn_float_test_fill(nn_float_test_input, rows * size, &state);
	for (int i = 0; i < rows * size; i++)
		nn_float_test_input[i] *= 8.0f;
	nn_softmax_f32(&params, nn_float_test_input, nn_float_test_output);
	for (int r = 0; r < rows; r++) {
		double sum = 0, total = 0;
		for (int i = 0; i < size; i++)
			sum += exp((double)params.beta * nn_float_test_input[r * size + i]);
		for (int i = 0; i < size; i++) {
			const double want =
			    exp((double)params.beta * nn_float_test_input[r * size + i]) / sum;
			const double got = nn_float_test_output[r * size + i];
			/* relative: expf and float (x - max) * beta each add a few ulps;
			 * |x - max| * beta <= 27 makes the argument's rounding worth up
			 * to 27 * 2^-24 relative, hence 1e-5 */
			cr_expect(fabs(got - want) <= NN_FLOAT_TEST_TOLERANCE * want,
				  "row %d element %d: got %.9g, expected %.12g", r, i, got, want);
			total += got;
		}
		cr_expect(fabs(total - 1.0) <= 1e-5, "row %d sums to %.9g", r, total);
	}
}
