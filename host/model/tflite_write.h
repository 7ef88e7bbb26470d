/*
 * A .tflite writer: the structs tflite.h reads, serialised back into a
 * FlatBuffer of the TFLite schema (version 3, identifier "TFL3", buffer 0
 * empty, operator codes with both the deprecated byte and the full code),
 * so other TFLite tools can read what hilbench makes (the quantiser's
 * output above all).
 *
 * What is written is what the struct says, with two rules where the struct
 * leaves room:
 *  - operator codes are rebuilt from each operator's builtin and version,
 *    one entry per distinct pair in order of first use (opcode_index is
 *    ignored on input; a converter's table comes out the same);
 *  - a tensor keeps its buffer index; one with data and buffer 0 (as a
 *    graph built by hand leaves it) gets a buffer of its own, because
 *    buffer 0 must stay the empty one. Tensors naming the same buffer must
 *    carry the same bytes.
 * Constant data starts 16-byte aligned in the file, as the schema asks.
 * Only the builtin options tflite.h reads are written (CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE/MAX_POOL_2D, ADD, RESHAPE,
 * SOFTMAX; RESHAPE only when it has a new_shape); other operators get
 * none, which means the schema's defaults. Tensor names are what tflite.h
 * keeps (95 characters).
 */
#ifndef HB_TFLITE_WRITE_H
#define HB_TFLITE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "model/tflite.h"

/* Serialises `model` into a new buffer (*data, *size; the caller frees it).
 * A model the schema cannot express (an index out of range, a custom
 * operator, data that does not match its shape) is refused with a message
 * naming the tensor or operator. */
int tflite_write(const struct tflite_model *model, uint8_t **data, size_t *size);

/* The same, written atomically to `path`. */
int tflite_write_file(const struct tflite_model *model, const char *path);

#endif
