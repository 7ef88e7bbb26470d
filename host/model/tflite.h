/*
 * A .tflite file (FlatBuffers, TFLite schema v3) read into plain structs.
 *
 * The file is untrusted input: every offset, vector length and index is
 * checked against the buffer before it is followed, and anything we do not
 * support (several subgraphs, sparse tensors, an unknown tensor type, a
 * custom op) is refused with a message naming the operator, its index and
 * the tensor. Only what the compiler needs is kept. Pointers into the file
 * (tensor data) stay valid while the model is alive.
 */
#ifndef HB_TFLITE_H
#define HB_TFLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFLITE_MAX_RANK	      6
#define TFLITE_MAX_OP_INPUTS  8
#define TFLITE_MAX_OP_OUTPUTS 4
#define TFLITE_MAX_GRAPH_IO   8

/* TensorType values from the schema (only the ones we name). */
enum tflite_type {
	TFLITE_TYPE_FLOAT32 = 0,
	TFLITE_TYPE_FLOAT16 = 1,
	TFLITE_TYPE_INT32 = 2,
	TFLITE_TYPE_UINT8 = 3,
	TFLITE_TYPE_INT64 = 4,
	TFLITE_TYPE_INT16 = 7,
	TFLITE_TYPE_INT8 = 9,
};

/* BuiltinOperator values from the schema (only the ones we name). */
enum tflite_builtin {
	TFLITE_OP_ADD = 0,
	TFLITE_OP_AVERAGE_POOL_2D = 1,
	TFLITE_OP_CONCATENATION = 2,
	TFLITE_OP_CONV_2D = 3,
	TFLITE_OP_DEPTHWISE_CONV_2D = 4,
	TFLITE_OP_DEQUANTIZE = 6,
	TFLITE_OP_FULLY_CONNECTED = 9,
	TFLITE_OP_MAX_POOL_2D = 17,
	TFLITE_OP_RESHAPE = 22,
	TFLITE_OP_SOFTMAX = 25,
	TFLITE_OP_QUANTIZE = 114,
};

enum tflite_padding { TFLITE_PADDING_SAME = 0, TFLITE_PADDING_VALID = 1 };

/* BuiltinOptions union members we read and write (position in the union). */
enum tflite_options_type {
	TFLITE_OPTIONS_NONE = 0,
	TFLITE_OPTIONS_CONV_2D = 1,
	TFLITE_OPTIONS_DEPTHWISE_CONV_2D = 2,
	TFLITE_OPTIONS_POOL_2D = 5,
	TFLITE_OPTIONS_FULLY_CONNECTED = 8,
	TFLITE_OPTIONS_SOFTMAX = 9,
	TFLITE_OPTIONS_ADD = 11,
	TFLITE_OPTIONS_RESHAPE = 17,
};

enum tflite_activation {
	TFLITE_ACTIVATION_NONE = 0,
	TFLITE_ACTIVATION_RELU = 1,
	TFLITE_ACTIVATION_RELU_N1_TO_1 = 2,
	TFLITE_ACTIVATION_RELU6 = 3,
	TFLITE_ACTIVATION_TANH = 4,
	TFLITE_ACTIVATION_SIGN_BIT = 5,
};

struct tflite_tensor {
	char name[96];
	int32_t type; /* enum tflite_type */
	int32_t rank;
	int32_t shape[TFLITE_MAX_RANK];
	uint32_t buffer;     /* index into the model's buffers */
	const uint8_t *data; /* constant data in the file, NULL if none */
	size_t data_size;
	/* Quantisation: quant_count scales/zero points (1 per tensor, or one
	 * per channel along quantized_dimension); 0 when not quantised. */
	uint32_t quant_count;
	float *scales;	      /* owned */
	int64_t *zero_points; /* owned */
	int32_t quantized_dimension;
};

/* The builtin options we read, with the schema's defaults when absent. */
struct tflite_options {
	int32_t padding; /* enum tflite_padding */
	int32_t stride_width;
	int32_t stride_height;
	int32_t dilation_width;	 /* default 1 */
	int32_t dilation_height; /* default 1 */
	int32_t filter_width;	 /* pools */
	int32_t filter_height;
	int32_t depth_multiplier;	    /* depthwise */
	int32_t activation;		    /* enum tflite_activation */
	bool keep_num_dims;		    /* fully connected */
	int32_t weights_format;		    /* fully connected: 0 DEFAULT */
	float beta;			    /* softmax (schema default 0.0) */
	int32_t new_shape[TFLITE_MAX_RANK]; /* reshape */
	int32_t new_shape_count;	    /* -1 when absent */
};

struct tflite_operator {
	int32_t builtin; /* enum tflite_builtin (resolved from the opcode table) */
	int32_t version;
	uint32_t opcode_index;
	int32_t input_count;
	int32_t inputs[TFLITE_MAX_OP_INPUTS]; /* tensor indices, -1 = optional absent */
	int32_t output_count;
	int32_t outputs[TFLITE_MAX_OP_OUTPUTS];
	struct tflite_options options;
};

struct tflite_model {
	char name[256]; /* the file name, for messages */
	uint32_t schema_version;
	char description[128];
	struct tflite_tensor *tensors; /* owned */
	uint32_t tensor_count;
	struct tflite_operator *operators; /* owned */
	uint32_t operator_count;
	int32_t input_count;
	int32_t inputs[TFLITE_MAX_GRAPH_IO];
	int32_t output_count;
	int32_t outputs[TFLITE_MAX_GRAPH_IO];
	uint8_t *file; /* owned when read by tflite_read */
	size_t file_size;
};

/* Parses `data` (kept by reference: it must outlive the model). `name`
 * is used in messages. */
int tflite_parse(const uint8_t *data, size_t size, const char *name, struct tflite_model *model);

/* Reads and parses a file; the model owns the bytes. */
int tflite_read(const char *path, struct tflite_model *model);

void tflite_release(struct tflite_model *model);

const char *tflite_builtin_name(int32_t builtin);

/* The options table a builtin carries (TFLITE_OPTIONS_NONE for the rest). */
enum tflite_options_type tflite_builtin_options_type(int32_t builtin);
const char *tflite_type_name(int32_t type);

/* Elements in a tensor (product of its shape; 1 for rank 0). */
uint64_t tflite_tensor_elements(const struct tflite_tensor *tensor);

#endif
