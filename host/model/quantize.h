/*
 * Post-training int8 quantisation: a float32 model and calibration inputs
 * in, an int8 model out, quantised the way TFLite's converter does it so
 * the compiler and the int8 kernels take it as they take a converted file.
 *
 * The float model runs on this machine (compiled, op by op, with the same
 * kernels the boards run) over the calibration samples; every activation's
 * range is recorded as it is written. Then:
 *  - activations (graph input and output included): per-tensor asymmetric
 *    int8, scale (max - min) / 255 over a range widened to hold 0 and
 *    nudged so that 0 is exact; pool and RESHAPE outputs keep their input's
 *    parameters, SOFTMAX outputs are fixed at 1/256 with zero point -128;
 *  - weights of CONV_2D and FULLY_CONNECTED (dimension 0) and
 *    DEPTHWISE_CONV_2D (dimension 3): symmetric int8 per output channel,
 *    scale max|w| / 127;
 *  - bias: int32 with scale input scale * weight scale of its channel;
 *  - other float constants: per-tensor asymmetric int8 from their values.
 * No QUANTIZE or DEQUANTIZE is added: the caller quantises inputs with the
 * input tensor's scale and zero point and dequantises outputs likewise.
 * Supported operators: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
 * AVERAGE_POOL_2D, MAX_POOL_2D, ADD, RESHAPE, SOFTMAX; weights float32, or
 * int8 with scales (a hybrid model), which are dequantised first.
 */
#ifndef HB_QUANTIZE_H
#define HB_QUANTIZE_H

#include <stdint.h>

#include "model/tflite.h"

/* Where the calibration samples came from, as the caller knows it; the
 * int8 model's description says so, so the file itself tells whether it
 * was calibrated on the data it is evaluated on. */
enum quantize_calibration_origin {
	QUANTIZE_CALIBRATION_UNSTATED,	 /* the description names no origin */
	QUANTIZE_CALIBRATION_SEPARATE,	 /* a set apart from the evaluation inputs */
	QUANTIZE_CALIBRATION_EVALUATION, /* the evaluation inputs themselves */
};

struct quantize_options {
	/* 0: an activation's range is the smallest and largest value seen.
	 * In (0, 100]: clipped to this percentile of its absolute values
	 * (99.99 ignores the rarest 0.01 %), which spends the 256 levels on
	 * the values that occur instead of on outliers. */
	double percentile;
	enum quantize_calibration_origin origin; /* default UNSTATED */
};

struct quantize_summary {
	uint32_t samples;
	uint32_t calibrated_tensors; /* activations whose range was measured */
	uint32_t clipped_tensors;    /* of those, ranges the percentile narrowed */
	uint32_t inherited_tensors;  /* took their input's parameters, or softmax's fixed ones */
	uint32_t weight_tensors;     /* per-channel int8 */
	uint32_t bias_tensors;	     /* int32 */
	uint32_t other_constants;    /* float constants quantised per tensor */
};

void quantize_options_default(struct quantize_options *options);

/* `calibration` holds `samples` inputs of the float model, one after the
 * other, each as many floats as the input tensor has elements, already
 * the model's real-valued input. On success `int8_model` is the parsed
 * result and owns its bytes: int8_model->file and ->file_size are the
 * .tflite file to save. Release it with tflite_release. `summary` may be
 * NULL. Errors name the operator or tensor that could not be handled. */
int quantize_model(const struct tflite_model *float_model, const float *calibration,
		   uint32_t samples, const struct quantize_options *options,
		   struct tflite_model *int8_model, struct quantize_summary *summary);

/* Per-tensor asymmetric int8 parameters for values in [min, max] (the
 * range is first widened to hold 0; an empty one becomes [0, 1]), with
 * the zero point chosen and nudged as TFLite's ChooseQuantizationParams.
 * Refuses non-finite bounds and min > max. */
int quantize_choose_params(float min, float max, float *scale, int32_t *zero_point);

#endif
