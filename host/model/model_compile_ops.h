/*
 * Private to the model compiler. model_compile.c walks the graph and owns
 * the tensors: table entries, plan buffers and their lifetimes, constants
 * and their conversions. model_compile_ops.c checks each operator against
 * the kernels and computes its parameters, reading and writing tensors
 * only through the functions below. All of them report with
 * compile_refuse, which names the model and the operator being compiled.
 */
#ifndef HB_MODEL_COMPILE_OPS_H
#define HB_MODEL_COMPILE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/arena_plan.h"
#include "model/model_compile.h"
#include "model/model_layout.h"
#include "model/tflite.h"

struct compile_tensor {
	int32_t alias;	      /* the tensor this one is a view of (RESHAPE), -1 if none */
	int32_t buffer;	      /* plan buffer once written (activations), -1 before */
	uint32_t image_index; /* entry in the tensor table, MODEL_NO_TENSOR until used */
	uint32_t image_dtype;
	const float *folded; /* a constant computed here (folded DEQUANTIZE) */
	size_t folded_size;
};

struct compile_context {
	const struct tflite_model *model;
	struct compile_tensor *tensors;
	struct model_layout layout;
	struct plan_buffer *buffers;
	size_t buffer_count;
	size_t buffer_capacity;
	struct plan_share *shares; /* in-place candidates, for the planner */
	size_t share_count;
	size_t share_capacity;
	uint32_t op_index; /* the operator being compiled; UINT32_MAX outside any */
	struct compiled_layer *layer;
	bool hybrid;
};

/* Returned by value so a message can format a shape in place:
 * compile_shape_text(tensor).text lives to the end of the statement. */
struct compile_shape_text {
	char text[96];
};

/* Reports HB_ERR_INPUT prefixed with the model and the current operator. */
int compile_refuse(struct compile_context *ctx, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* "[1, 49, 10, 1]" */
struct compile_shape_text compile_shape_text(const struct tflite_tensor *tensor);
struct compile_shape_text compile_dims_text(const int32_t *dims, int32_t rank);

const struct tflite_tensor *compile_tensor(struct compile_context *ctx, int32_t index);
/* The tensor whose bytes `index` shares (itself unless it is a RESHAPE view). */
int32_t compile_root(struct compile_context *ctx, int32_t index);
bool compile_is_constant(struct compile_context *ctx, int32_t index);
/* Elements of a tensor; 0 when a dimension is not positive. */
uint64_t compile_elements(const struct tflite_tensor *tensor);

/* An operand read at this step: a constant, or an activation already
 * written (which then lives at least to this step). `role` names it in
 * messages ("input", "weights"). */
int compile_read(struct compile_context *ctx, int32_t index, const char *role,
		 uint32_t *image_index);
/* The output written at this step gets a new plan buffer. */
int compile_write(struct compile_context *ctx, int32_t index, uint32_t *image_index);
/* A constant in its own type. */
int compile_constant(struct compile_context *ctx, int32_t index, const char *role,
		     uint32_t *image_index);
/* Weights a float kernel reads: float32 as is, int8/float16 converted (hybrid). */
int compile_float_constant(struct compile_context *ctx, int32_t index, const char *role,
			   uint32_t *image_index);
/* Float values of an int8 (per-tensor or per-channel) or float16 constant,
 * owned by the layout. */
int compile_dequantize_data(struct compile_context *ctx, int32_t index, const char *role,
			    float **values, size_t *size);

/* The plan buffer of an activation, refused if no earlier operator wrote it. */
int compile_written_buffer(struct compile_context *ctx, int32_t index, const char *role,
			   int32_t *buffer);
/* Whether a tensor already has its value: a buffer, a view or a folded constant. */
bool compile_is_written(struct compile_context *ctx, int32_t index);
int compile_refuse_second_write(struct compile_context *ctx, int32_t index);

/* The current operator may write `output` over `input` in place (its
 * kernel reads each element before writing the one at the same place; the
 * checker allows the kinds that do, model_image.c): offered to the planner,
 * which takes it if `input` is last read here and sharing saves bytes.
 * Nothing for a constant input. */
int compile_offer_in_place(struct compile_context *ctx, int32_t output, int32_t input);

/* Records the current operator's layer figures and adds it to the op table. */
int compile_emit(struct compile_context *ctx, uint32_t kind, const void *params,
		 uint32_t params_size, const uint32_t *inputs, uint32_t input_count,
		 uint32_t output, uint64_t macs);

/* Compiles operator ctx->op_index (model_compile_ops.c). */
int compile_operator(struct compile_context *ctx, const struct tflite_operator *op);

#endif
