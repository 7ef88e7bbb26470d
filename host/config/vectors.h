/*
 * Test vectors and labels read from the formats datasets ship in: IDX (plain
 * or gzip, the MNIST family), NumPy .npy (version 1/2/3, little-endian,
 * C order) and raw binary with a declared shape and type. All are
 * untrusted input: headers, sizes and counts are checked against the file.
 */
#ifndef HB_VECTORS_H
#define HB_VECTORS_H

#include <stddef.h>
#include <stdint.h>

enum vector_format { VECTOR_FORMAT_IDX, VECTOR_FORMAT_NPY, VECTOR_FORMAT_RAW };

enum vector_dtype {
	VECTOR_DTYPE_UINT8,
	VECTOR_DTYPE_INT8,
	VECTOR_DTYPE_INT16,
	VECTOR_DTYPE_INT32,
	VECTOR_DTYPE_FLOAT32,
	VECTOR_DTYPE_FLOAT64,
};

#define VECTOR_MAX_RANK 6

struct vector_set {
	enum vector_dtype dtype;
	int32_t rank; /* of the whole array: [count, ...sample shape] */
	int32_t shape[VECTOR_MAX_RANK];
	uint32_t count;	     /* shape[0] */
	size_t sample_bytes; /* bytes of one sample (product of shape[1..] * size) */
	uint8_t *data;	     /* owned; count * sample_bytes, host byte order */
};

/* For VECTOR_FORMAT_RAW the caller gives the dtype and the sample shape
 * (raw_rank dims, without the count); the count is the file size divided
 * by the sample size, which must divide it exactly. Other formats ignore
 * the raw_* arguments. `.gz` files are inflated (zlib) for IDX and raw. */
int vectors_read(const char *path, enum vector_format format, enum vector_dtype raw_dtype,
		 const int32_t *raw_shape, int32_t raw_rank, struct vector_set *out);

/* Parsers of in-memory files (for tests and fuzzing); `name` for messages. */
int vectors_parse_idx(const uint8_t *data, size_t size, const char *name, struct vector_set *out);
int vectors_parse_npy(const uint8_t *data, size_t size, const char *name, struct vector_set *out);

void vectors_release(struct vector_set *set);

size_t vector_dtype_size(enum vector_dtype dtype);
const char *vector_dtype_name(enum vector_dtype dtype);
/* Element e of sample s as a double (any dtype). */
double vectors_value(const struct vector_set *set, uint32_t sample, size_t element);

#endif
