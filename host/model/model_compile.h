/*
 * The model compiler: a parsed .tflite graph in, a device model image
 * (target-fw/nn/model_image.h) out, with everything the target would
 * otherwise compute at run time done here: padding, output shapes,
 * requantisation multipliers and shifts (so an int8 model needs no float
 * math on the target), activation clamps, hybrid weights dequantised to
 * float, RESHAPE folded into an alias, and arena offsets from the planner.
 * Also the per-layer figures `hilbench inspect` prints.
 */
#ifndef HB_MODEL_COMPILE_H
#define HB_MODEL_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/tflite.h"

struct compiled_layer {
	int32_t tflite_index; /* operator index in the .tflite */
	int32_t builtin;      /* enum tflite_builtin */
	uint32_t kind;	      /* enum model_op_kind emitted, 0 if folded away */
	uint64_t macs;
	uint32_t weight_bytes; /* constants this op reads (weights, bias, quant) */
	uint32_t output_bytes;
	uint32_t live_bytes;	 /* activation bytes alive while it runs (input not kept) */
	bool in_place;		 /* its output is planned over its consumed input */
	int32_t output_shape[4]; /* padded to 4D with leading 1s */
	int32_t output_rank;	 /* the rank the .tflite gives it */
};

struct compiled_model {
	uint8_t *image; /* owned; the whole device image */
	size_t image_size;
	uint32_t arena_size;	   /* planner's result, as the image runs it */
	uint32_t activation_floor; /* largest sum of live activation bytes at any op */
	/* The plan keeps the input alive through every run: the firmware
	 * receives it in place and keeps no copy above the arena
	 * (MODEL_IMAGE_INPUT_IN_ARENA), chosen when that takes less RAM. */
	bool input_in_arena;
	/* The arena when the input dies at its last reader: what a deployment
	 * that writes each input into the arena before its inference needs;
	 * arena_size unless input_in_arena. */
	uint32_t arena_fresh_input;
	uint32_t in_place_ops; /* ops planned to write over their consumed input */
	uint64_t macs;
	uint32_t weight_bytes;
	bool hybrid;	      /* float activations with int8 weights dequantised */
	uint32_t input_dtype; /* enum model_dtype */
	uint32_t input_bytes;
	int32_t input_shape[4]; /* padded to 4D with leading 1s */
	int32_t input_rank;	/* the rank the .tflite gives it */
	uint32_t output_dtype;
	uint32_t output_bytes;
	int32_t output_shape[4];
	int32_t output_rank;
	struct compiled_layer *layers; /* owned, one per .tflite operator */
	size_t layer_count;
};

/* "[1, 10]": a padded shape at its .tflite rank (leading 1s above rank 4). */
struct compiled_shape_text {
	char text[64];
};
struct compiled_shape_text compiled_shape_text(const int32_t shape[4], int32_t rank);

/* Compiles; every refusal names the operator (index and name), the tensor
 * and what was expected. `source_crc32` is recorded in the image header. */
int model_compile(const struct tflite_model *model, uint32_t source_crc32,
		  struct compiled_model *out);
void compiled_model_release(struct compiled_model *compiled);

#endif
