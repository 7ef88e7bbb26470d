/*
 * A model ready to run: read (.tflite or the built-in one), compiled into a
 * device image, the image written to build/models/ for the flasher, and the
 * names reports use.
 */
#ifndef HB_MODEL_LOAD_H
#define HB_MODEL_LOAD_H

#include <stdint.h>

#include "model/model_compile.h"

struct loaded_model {
	char name[128];		 /* file name without .tflite, or the built-in name */
	char path[512];		 /* the .tflite, or "builtin" */
	uint32_t source_crc32;	 /* of the .tflite bytes */
	const char *variant;	 /* "int8", "float32", "float32 (int8 weights dequantised)" */
	uint32_t operator_count; /* operators in the .tflite */
	struct compiled_model compiled;
	char image_path[768]; /* where the device image was written */
};

/* RAM the board needs beside its static data for this model: the planned
 * arena plus the copy of the input each run starts from, if the image has
 * one (alignment included). */
uint64_t model_ram_need(const struct compiled_model *compiled);

/* Bytes of the firmware's input copy above the arena (the input, 4-byte
 * aligned); 0 when the image keeps its input in the arena (no copy). */
uint32_t model_input_staging(const struct compiled_model *compiled);

/* `path` NULL loads the built-in model. */
int model_load(const char *path, struct loaded_model *out);
void model_unload(struct loaded_model *model);

#endif
