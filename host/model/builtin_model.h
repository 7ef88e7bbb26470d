/*
 * The built-in model: one int8 FULLY_CONNECTED layer (256 inputs, 64
 * outputs, per-channel weight scales, int32 bias) with weights from a
 * seeded xorshift generator. It is built as a parsed .tflite graph and goes
 * through the same compiler as any model, so `hilbench run` works with no
 * model file at hand.
 */
#ifndef HB_BUILTIN_MODEL_H
#define HB_BUILTIN_MODEL_H

#include "model/tflite.h"

#define BUILTIN_MODEL_NAME "builtin-fc-int8-256x64"

/* Fills `model` (release with tflite_release). */
int builtin_model_build(struct tflite_model *model);

#endif
