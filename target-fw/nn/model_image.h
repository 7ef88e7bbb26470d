/*
 * The device model image: what the host compiler makes of a .tflite file
 * and what the firmware runs. It is flashed into the board's model region
 * and used in place (no copy, no parsing on the target): every record is
 * made of 32-bit little-endian fields, 4-byte aligned, so the same structs
 * describe it on the host (x86-64) and on the board (Arm).
 *
 * Layout: header | tensor table | op table | parameter blobs | constants.
 * All offsets are from the start of the image and 4-byte aligned. The CRC
 * covers every byte after the header. docs/models.md describes it.
 */
#ifndef MODEL_IMAGE_H
#define MODEL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define MODEL_IMAGE_MAGIC 0x494D4248u /* "HBMI" */
/* Version 2: the header's flags word (reserved, always 0, in version 1). */
#define MODEL_IMAGE_VERSION 2u
#define MODEL_NO_TENSOR	    0xFFFFFFFFu
#define MODEL_MAX_OP_INPUTS 4u

/* Header flags. INPUT_IN_ARENA: the plan keeps the input tensor alive
 * through every run (no op writes over it), so the firmware receives the
 * input straight into it and needs no copy of it above the arena. */
#define MODEL_IMAGE_INPUT_IN_ARENA 0x1u
#define MODEL_IMAGE_FLAGS_KNOWN	   MODEL_IMAGE_INPUT_IN_ARENA

enum model_dtype {
	MODEL_DTYPE_INT8 = 0,
	MODEL_DTYPE_FLOAT32 = 1,
	MODEL_DTYPE_INT32 = 2,
};

enum model_location {
	MODEL_LOCATION_ARENA = 0, /* activations: offset into the RAM arena */
	MODEL_LOCATION_IMAGE = 1, /* constants: offset into this image (flash) */
};

/* One kind per kernel in nn.h. Inputs, in order (MODEL_NO_TENSOR if absent):
 *   conv/depthwise/fc s8: input, filter, bias (int32), quant (int32 [2][C]:
 *                         multipliers then shifts)
 *   conv/depthwise/fc f32: input, filter, bias (float)
 *   pools, softmax, quantize, dequantize, reshape: input
 *   add: input1, input2
 * Every op has one output tensor. */
enum model_op_kind {
	MODEL_OP_CONV2D_S8 = 1,
	MODEL_OP_DEPTHWISE_CONV2D_S8 = 2,
	MODEL_OP_FULLY_CONNECTED_S8 = 3,
	MODEL_OP_AVG_POOL2D_S8 = 4,
	MODEL_OP_MAX_POOL2D_S8 = 5,
	MODEL_OP_ADD_S8 = 6,
	MODEL_OP_SOFTMAX_S8 = 7,
	MODEL_OP_CONV2D_F32 = 8,
	MODEL_OP_DEPTHWISE_CONV2D_F32 = 9,
	MODEL_OP_FULLY_CONNECTED_F32 = 10,
	MODEL_OP_AVG_POOL2D_F32 = 11,
	MODEL_OP_MAX_POOL2D_F32 = 12,
	MODEL_OP_ADD_F32 = 13,
	MODEL_OP_SOFTMAX_F32 = 14,
	MODEL_OP_QUANTIZE_F32_S8 = 15,
	MODEL_OP_DEQUANTIZE_S8_F32 = 16,
	MODEL_OP_RESHAPE = 17, /* a byte copy; planned in place where possible */
	MODEL_OP_KIND_COUNT
};

struct model_image_header {
	uint32_t magic;
	uint32_t version;
	uint32_t header_size; /* sizeof(struct model_image_header) */
	uint32_t image_size;  /* whole image, bytes */
	uint32_t crc32;	      /* of bytes [header_size, image_size) */
	uint32_t arena_size;  /* bytes of RAM the activations need (planned) */
	uint32_t tensor_count;
	uint32_t tensors_offset;
	uint32_t op_count;
	uint32_t ops_offset;
	uint32_t input_tensor;	/* the model's single input */
	uint32_t output_tensor; /* and single output */
	uint32_t macs_low;	/* multiply-accumulates per inference */
	uint32_t macs_high;
	uint32_t source_crc32; /* of the .tflite it was compiled from */
	uint32_t flags;	       /* MODEL_IMAGE_* flags; unknown bits are refused */
};

struct model_tensor {
	uint32_t dtype;	   /* enum model_dtype */
	uint32_t location; /* enum model_location */
	uint32_t offset;
	uint32_t size;	 /* bytes */
	int32_t dims[4]; /* NHWC, leading 1s for lower ranks */
	float scale;	 /* int8: quantisation scale (per-tensor); else 0 */
	int32_t zero_point;
};

struct model_op {
	uint32_t kind;		/* enum model_op_kind */
	uint32_t params_offset; /* image offset of the kind's nn_*_params struct */
	uint32_t params_size;	/* must equal sizeof that struct */
	uint32_t input_count;
	uint32_t inputs[MODEL_MAX_OP_INPUTS];
	uint32_t output;
	uint32_t macs;
};

enum model_check {
	MODEL_CHECK_OK = 0,
	MODEL_CHECK_TOO_SMALL = 1, /* shorter than a header */
	MODEL_CHECK_BAD_MAGIC = 2,
	MODEL_CHECK_BAD_VERSION = 3, /* another version, header size, or flags it does not know */
	MODEL_CHECK_BAD_SIZE = 4,    /* image_size larger than the region */
	MODEL_CHECK_BAD_CRC = 5,
	MODEL_CHECK_BAD_TABLE = 6,  /* a table or blob runs outside the image */
	MODEL_CHECK_BAD_TENSOR = 7, /* a tensor outside the arena/image or of unknown type */
	MODEL_CHECK_BAD_OP = 8,	    /* unknown kind, wrong params size, bad tensor index or dtype,
				     * parameters its kernel cannot run safely (model_op_check.h),
				     * an output over an input its kernel does not tolerate, or
				     * over a kept input (MODEL_IMAGE_INPUT_IN_ARENA) */
	MODEL_CHECK_ARENA_TOO_SMALL = 9,
};

/* Checks an image of at most `length` bytes against an arena of
 * `arena_capacity` bytes before anything trusts it: header, CRC, every
 * table, tensor and op. Cheap enough for the firmware to run at boot. */
enum model_check model_image_check(const void *image, size_t length, uint32_t arena_capacity);
const char *model_check_name(enum model_check check);

/* The tables of a checked image. */
static inline const struct model_tensor *model_tensors(const struct model_image_header *header)
{
	return (const struct model_tensor *)((const uint8_t *)header + header->tensors_offset);
}

static inline const struct model_op *model_ops(const struct model_image_header *header)
{
	return (const struct model_op *)((const uint8_t *)header + header->ops_offset);
}

/* Address of a tensor's bytes: in the image or in the arena. */
void *model_tensor_data(const struct model_image_header *header, uint8_t *arena,
			const struct model_tensor *tensor);

/* Runs one op / the whole graph on a checked image. */
void model_invoke_op(const struct model_image_header *header, uint8_t *arena,
		     const struct model_op *op);
void model_invoke(const struct model_image_header *header, uint8_t *arena);

const char *model_op_kind_name(uint32_t kind);

#endif
