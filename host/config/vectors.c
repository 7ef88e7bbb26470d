/*
 * Test vectors from IDX, .npy and raw files. Everything in a header is
 * untrusted: dimensions are multiplied with an overflow-safe bound before
 * any size is compared or allocated, and the data must fill the file
 * exactly, so a misread header is an error rather than garbage samples.
 */
#include "config/vectors.h"

#include "util/error.h"
#include "util/fileio.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Larger than any TinyML evaluation set by far; a header or gzip stream
 * asking for more is corrupt or hostile. */
#define VECTORS_MAX_BYTES  ((size_t)1 << 30)
#define VECTORS_LIMIT_TEXT "1 GiB"

/* Same order as enum vector_dtype. */
static const char *const dtype_names[] = {"uint8", "int8", "int16", "int32", "float32", "float64"};
static const size_t dtype_sizes[] = {1, 1, 2, 4, 4, 8};

size_t vector_dtype_size(enum vector_dtype dtype)
{
	if ((unsigned)dtype < sizeof dtype_sizes / sizeof dtype_sizes[0])
		return dtype_sizes[dtype];
	return 0;
}

const char *vector_dtype_name(enum vector_dtype dtype)
{
	if ((unsigned)dtype < sizeof dtype_names / sizeof dtype_names[0])
		return dtype_names[dtype];
	return "unknown";
}

void vectors_release(struct vector_set *set)
{
	free(set->data);
	memset(set, 0, sizeof *set);
}

/* A caller asking for a sample or element that does not exist has a bug;
 * NaN makes it visible in any metric instead of reading out of bounds. */
double vectors_value(const struct vector_set *set, uint32_t sample, size_t element)
{
	size_t width = vector_dtype_size(set->dtype);
	const uint8_t *at;

	if (!set->data || width == 0 || sample >= set->count ||
	    element >= set->sample_bytes / width)
		return NAN;
	at = set->data + (size_t)sample * set->sample_bytes + element * width;
	switch (set->dtype) {
	case VECTOR_DTYPE_UINT8: return *at;
	case VECTOR_DTYPE_INT8: return (int8_t)*at;
	case VECTOR_DTYPE_INT16: {
		int16_t value;
		memcpy(&value, at, sizeof value);
		return value;
	}
	case VECTOR_DTYPE_INT32: {
		int32_t value;
		memcpy(&value, at, sizeof value);
		return value;
	}
	case VECTOR_DTYPE_FLOAT32: {
		float value;
		memcpy(&value, at, sizeof value);
		return value;
	}
	case VECTOR_DTYPE_FLOAT64: {
		double value;
		memcpy(&value, at, sizeof value);
		return value;
	}
	}
	return NAN;
}

static bool host_is_big_endian(void)
{
	const uint16_t probe = 1;
	uint8_t first;

	memcpy(&first, &probe, 1);
	return first == 0;
}

/* Copies `count` elements of `width` bytes stored in the given byte order
 * into host order. Floats travel as their bit patterns, which share the
 * integers' byte order on every platform we build for. */
static void load_elements(uint8_t *out, const uint8_t *in, size_t count, size_t width,
			  bool big_endian)
{
	if (width == 1 || big_endian == host_is_big_endian()) {
		memcpy(out, in, count * width);
		return;
	}
	for (size_t i = 0; i < count; i++, in += width, out += width)
		for (size_t b = 0; b < width; b++)
			out[b] = in[width - 1 - b];
}

/* "10000 x 28 x 28" */
static void format_dims(const uint64_t *dims, int rank, char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < rank; i++) {
		int n = snprintf(out + used, capacity - used, "%s%llu", i ? " x " : "",
				 (unsigned long long)dims[i]);
		if (n < 0 || (size_t)n >= capacity - used)
			return;
		used += (size_t)n;
	}
}

/*
 * The checks IDX and .npy share once their headers are decoded: every
 * dimension at least 1, the array at most VECTORS_MAX_BYTES, and exactly
 * as many data bytes as the header promises. Fills `out` on success.
 */
static int check_and_load(const char *name, const char *header_text, const uint64_t *dims, int rank,
			  enum vector_dtype dtype, bool big_endian, const uint8_t *data,
			  size_t data_bytes, size_t header_bytes, struct vector_set *out)
{
	size_t width = vector_dtype_size(dtype);
	uint64_t elements = 1, limit = VECTORS_MAX_BYTES / width;
	bool too_big = false;
	char shown[160];

	format_dims(dims, rank, shown, sizeof shown);
	for (int i = 0; i < rank; i++) {
		if (dims[i] == 0)
			return hb_error(HB_ERR_INPUT,
					"'%s': %s says shape %s: dimension %d is 0 (expected at "
					"least 1)",
					name, header_text, shown, i);
		/* Divide before multiplying so the product never overflows. */
		if (too_big || dims[i] > limit / elements)
			too_big = true;
		else
			elements *= dims[i];
	}
	if (too_big)
		return hb_error(HB_ERR_INPUT,
				"'%s': %s says %s %s values, more than the %s limit for test "
				"vectors (the file holds %zu bytes after the %zu-byte header)",
				name, header_text, shown, dtype_names[dtype], VECTORS_LIMIT_TEXT,
				data_bytes, header_bytes);
	if (elements * width != data_bytes) {
		uint64_t expected = elements * width;

		return hb_error(HB_ERR_INPUT,
				"'%s': %s says %s %s values (%llu bytes after the %zu-byte "
				"header), the file holds %zu (%llu %s)",
				name, header_text, shown, dtype_names[dtype],
				(unsigned long long)expected, header_bytes, data_bytes,
				(unsigned long long)(expected > data_bytes ? expected - data_bytes
									   : data_bytes - expected),
				expected > data_bytes ? "missing" : "too many");
	}

	memset(out, 0, sizeof *out);
	out->data = malloc(data_bytes);
	if (!out->data)
		return hb_error(HB_ERR_NOMEM, "'%s': out of memory for %zu bytes of vectors", name,
				data_bytes);
	load_elements(out->data, data, (size_t)elements, width, big_endian);
	out->dtype = dtype;
	out->rank = rank;
	for (int i = 0; i < rank; i++)
		out->shape[i] = (int32_t)dims[i];
	out->count = (uint32_t)dims[0];
	out->sample_bytes = data_bytes / (size_t)dims[0];
	return HB_OK;
}

static uint32_t read_u32_big(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t read_u32_little(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int idx_dtype(uint8_t code, enum vector_dtype *dtype)
{
	switch (code) {
	case 0x08: *dtype = VECTOR_DTYPE_UINT8; return 0;
	case 0x09: *dtype = VECTOR_DTYPE_INT8; return 0;
	case 0x0b: *dtype = VECTOR_DTYPE_INT16; return 0;
	case 0x0c: *dtype = VECTOR_DTYPE_INT32; return 0;
	case 0x0d: *dtype = VECTOR_DTYPE_FLOAT32; return 0;
	case 0x0e: *dtype = VECTOR_DTYPE_FLOAT64; return 0;
	default: return -1;
	}
}

int vectors_parse_idx(const uint8_t *data, size_t size, const char *name, struct vector_set *out)
{
	enum vector_dtype dtype;
	uint64_t dims[VECTOR_MAX_RANK];
	size_t header_bytes;
	int rank;

	memset(out, 0, sizeof *out);
	if (size < 4)
		return hb_error(HB_ERR_INPUT,
				"'%s': too short for an IDX file (expected a 4-byte magic, got %zu "
				"bytes)",
				name, size);
	if (data[0] != 0 || data[1] != 0)
		return hb_error(
		    HB_ERR_INPUT,
		    "'%s': not an IDX file (expected the magic 00 00 <type> <rank>, got "
		    "%02x %02x %02x %02x)",
		    name, data[0], data[1], data[2], data[3]);
	if (idx_dtype(data[2], &dtype) != 0)
		return hb_error(HB_ERR_INPUT,
				"'%s': IDX type 0x%02x is not supported (expected 0x08 uint8, 0x09 "
				"int8, 0x0b int16, 0x0c int32, 0x0d float32 or 0x0e float64)",
				name, data[2]);
	rank = data[3];
	if (rank < 1 || rank > VECTOR_MAX_RANK)
		return hb_error(HB_ERR_INPUT,
				"'%s': IDX header declares %d dimensions (expected 1 to %d: the "
				"sample count, then the sample shape)",
				name, rank, VECTOR_MAX_RANK);
	header_bytes = 4 + 4 * (size_t)rank;
	if (size < header_bytes)
		return hb_error(HB_ERR_INPUT,
				"'%s': IDX header truncated (%d dimensions need a %zu-byte header, "
				"the file holds %zu bytes)",
				name, rank, header_bytes, size);
	for (int i = 0; i < rank; i++)
		dims[i] = read_u32_big(data + 4 + 4 * i);
	return check_and_load(name, "IDX header", dims, rank, dtype, true, data + header_bytes,
			      size - header_bytes, header_bytes, out);
}

/* A cursor over the .npy header, a Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (10, 28, 28), } */
struct npy_cursor {
	const char *name;
	const char *text;
	size_t length;
	size_t at;
};

static void npy_skip_space(struct npy_cursor *cursor)
{
	while (cursor->at < cursor->length &&
	       (cursor->text[cursor->at] == ' ' || cursor->text[cursor->at] == '\t' ||
		cursor->text[cursor->at] == '\n' || cursor->text[cursor->at] == '\r'))
		cursor->at++;
}

static int npy_malformed(const struct npy_cursor *cursor, const char *expected)
{
	char got[24];

	if (cursor->at >= cursor->length) {
		snprintf(got, sizeof got, "the end of the header");
	} else {
		unsigned char c = (unsigned char)cursor->text[cursor->at];
		if (c >= 0x20 && c < 0x7f)
			snprintf(got, sizeof got, "'%c'", c);
		else
			snprintf(got, sizeof got, "byte 0x%02x", c);
	}
	return hb_error(HB_ERR_INPUT,
			"'%s': malformed .npy header at character %zu: expected %s, got %s",
			cursor->name, cursor->at, expected, got);
}

/* Skips spaces, then consumes `c` or fails. */
static int npy_expect(struct npy_cursor *cursor, char c, const char *expected)
{
	npy_skip_space(cursor);
	if (cursor->at >= cursor->length || cursor->text[cursor->at] != c)
		return npy_malformed(cursor, expected);
	cursor->at++;
	return HB_OK;
}

static bool npy_peek(struct npy_cursor *cursor, char c)
{
	npy_skip_space(cursor);
	return cursor->at < cursor->length && cursor->text[cursor->at] == c;
}

/* A quoted string (either quote); no escapes, which the keys and simple
 * dtype strings never need. */
static int npy_string(struct npy_cursor *cursor, char *out, size_t capacity)
{
	char quote;
	size_t used = 0;

	npy_skip_space(cursor);
	if (cursor->at >= cursor->length ||
	    (cursor->text[cursor->at] != '\'' && cursor->text[cursor->at] != '"'))
		return npy_malformed(cursor, "a quoted string");
	quote = cursor->text[cursor->at++];
	while (cursor->at < cursor->length && cursor->text[cursor->at] != quote) {
		char c = cursor->text[cursor->at];

		if (c == '\\' || (unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			return npy_malformed(cursor, "a plain ASCII string");
		if (used + 1 >= capacity)
			return npy_malformed(cursor, "a shorter string");
		out[used++] = c;
		cursor->at++;
	}
	if (cursor->at >= cursor->length)
		return npy_malformed(cursor, "a closing quote");
	cursor->at++;
	out[used] = '\0';
	return HB_OK;
}

static bool npy_word(struct npy_cursor *cursor, const char *word)
{
	size_t length = strlen(word);

	npy_skip_space(cursor);
	if (cursor->length - cursor->at < length ||
	    memcmp(cursor->text + cursor->at, word, length) != 0)
		return false;
	cursor->at += length;
	return true;
}

/* (), (n,) or (n, m, ...); Python 2 era files may write 10L. Values are
 * kept up to a bound that is already invalid, so they cannot overflow. */
static int npy_shape(struct npy_cursor *cursor, uint64_t *dims, int *rank)
{
	int status = npy_expect(cursor, '(', "'(' starting the shape tuple");

	*rank = 0;
	if (status != HB_OK)
		return status;
	for (;;) {
		uint64_t value = 0;

		if (npy_peek(cursor, ')'))
			break;
		if (cursor->at >= cursor->length || cursor->text[cursor->at] < '0' ||
		    cursor->text[cursor->at] > '9')
			return npy_malformed(cursor, "a non-negative integer or ')'");
		while (cursor->at < cursor->length && cursor->text[cursor->at] >= '0' &&
		       cursor->text[cursor->at] <= '9') {
			if (value < ((uint64_t)1 << 40))
				value = value * 10 + (uint64_t)(cursor->text[cursor->at] - '0');
			cursor->at++;
		}
		if (cursor->at < cursor->length && cursor->text[cursor->at] == 'L')
			cursor->at++;
		if (*rank == VECTOR_MAX_RANK)
			return hb_error(
			    HB_ERR_INPUT,
			    "'%s': .npy shape has more than %d dimensions (expected the "
			    "sample count, then at most %d sample dimensions)",
			    cursor->name, VECTOR_MAX_RANK, VECTOR_MAX_RANK - 1);
		dims[(*rank)++] = value;
		if (npy_peek(cursor, ')'))
			break;
		status = npy_expect(cursor, ',', "',' or ')' in the shape tuple");
		if (status != HB_OK)
			return status;
	}
	cursor->at++;
	return HB_OK;
}

/* Maps a simple little-endian descr to a dtype. */
static int npy_dtype(const char *name, const char *descr, enum vector_dtype *dtype)
{
	static const struct {
		const char *code;
		enum vector_dtype dtype;
	} codes[] = {
	    {"u1", VECTOR_DTYPE_UINT8}, {"i1", VECTOR_DTYPE_INT8},    {"i2", VECTOR_DTYPE_INT16},
	    {"i4", VECTOR_DTYPE_INT32}, {"f4", VECTOR_DTYPE_FLOAT32}, {"f8", VECTOR_DTYPE_FLOAT64},
	};
	static const char supported[] = "'|u1', '|i1', '<i2', '<i4', '<f4' or '<f8'";
	char order = descr[0];

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		if (strlen(descr) != 3 || strcmp(descr + 1, codes[i].code) != 0)
			continue;
		/* Byte order means nothing for one-byte types. */
		if (vector_dtype_size(codes[i].dtype) == 1 &&
		    (order == '|' || order == '<' || order == '>' || order == '='))
			*dtype = codes[i].dtype;
		else if (order == '<')
			*dtype = codes[i].dtype;
		else if (order == '>')
			return hb_error(HB_ERR_INPUT,
					"'%s': .npy dtype '%s' is big-endian (expected "
					"little-endian '<%s'; convert with "
					"array.astype('<%s'))",
					name, descr, codes[i].code, codes[i].code);
		else
			break;
		return HB_OK;
	}
	return hb_error(HB_ERR_INPUT, "'%s': .npy dtype '%s' is not supported (expected %s)", name,
			descr, supported);
}

static int npy_header(struct npy_cursor *cursor, enum vector_dtype *dtype, uint64_t *dims,
		      int *rank)
{
	bool seen_descr = false, seen_order = false, seen_shape = false;
	int status = npy_expect(cursor, '{', "'{' starting the header dictionary");

	if (status != HB_OK)
		return status;
	while (!npy_peek(cursor, '}')) {
		char key[32], descr[32];
		bool *seen;

		status = npy_string(cursor, key, sizeof key);
		if (status == HB_OK)
			status = npy_expect(cursor, ':', "':' after the key");
		if (status != HB_OK)
			return status;
		if (strcmp(key, "descr") == 0) {
			seen = &seen_descr;
			/* A list here is a structured dtype: not test vectors. */
			if (npy_peek(cursor, '['))
				return hb_error(HB_ERR_INPUT,
						"'%s': .npy dtype is a structured record (expected "
						"a plain numeric array)",
						cursor->name);
			status = npy_string(cursor, descr, sizeof descr);
			if (status == HB_OK)
				status = npy_dtype(cursor->name, descr, dtype);
		} else if (strcmp(key, "fortran_order") == 0) {
			seen = &seen_order;
			if (npy_word(cursor, "True"))
				return hb_error(HB_ERR_INPUT,
						"'%s': .npy array is in Fortran order (expected C "
						"order; save np.ascontiguousarray(array))",
						cursor->name);
			if (!npy_word(cursor, "False"))
				return npy_malformed(cursor, "False or True");
		} else if (strcmp(key, "shape") == 0) {
			seen = &seen_shape;
			status = npy_shape(cursor, dims, rank);
		} else {
			return hb_error(
			    HB_ERR_INPUT,
			    "'%s': .npy header has an unknown key '%s' (expected descr, "
			    "fortran_order, shape)",
			    cursor->name, key);
		}
		if (status != HB_OK)
			return status;
		if (*seen)
			return hb_error(HB_ERR_INPUT, "'%s': .npy header repeats the key '%s'",
					cursor->name, key);
		*seen = true;
		if (npy_peek(cursor, '}'))
			break;
		status = npy_expect(cursor, ',', "',' or '}' after a value");
		if (status != HB_OK)
			return status;
	}
	cursor->at++;
	npy_skip_space(cursor);
	if (cursor->at != cursor->length)
		return npy_malformed(cursor, "only padding after '}'");
	if (!seen_descr || !seen_order || !seen_shape)
		return hb_error(HB_ERR_INPUT,
				"'%s': .npy header lacks '%s' (expected descr, fortran_order and "
				"shape)",
				cursor->name,
				!seen_descr   ? "descr"
				: !seen_order ? "fortran_order"
					      : "shape");
	if (*rank == 0)
		return hb_error(HB_ERR_INPUT,
				"'%s': .npy shape () is a single value (expected at least one "
				"dimension, the sample count)",
				cursor->name);
	return HB_OK;
}

int vectors_parse_npy(const uint8_t *data, size_t size, const char *name, struct vector_set *out)
{
	static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
	struct npy_cursor cursor = {name, NULL, 0, 0};
	enum vector_dtype dtype = VECTOR_DTYPE_UINT8;
	uint64_t dims[VECTOR_MAX_RANK];
	size_t prefix, header_length, header_bytes;
	int rank = 0, status;

	memset(out, 0, sizeof *out);
	if (size < 10 || memcmp(data, magic, sizeof magic) != 0)
		return hb_error(
		    HB_ERR_INPUT,
		    "'%s': not a .npy file (expected the magic \\x93NUMPY and a header, "
		    "got %zu bytes starting %02x %02x %02x %02x)",
		    name, size, size > 0 ? data[0] : 0, size > 1 ? data[1] : 0,
		    size > 2 ? data[2] : 0, size > 3 ? data[3] : 0);
	if (data[6] < 1 || data[6] > 3 || data[7] != 0)
		return hb_error(HB_ERR_INPUT,
				"'%s': .npy version %u.%u is not supported (expected 1.0, 2.0 or "
				"3.0)",
				name, data[6], data[7]);
	if (data[6] == 1) {
		prefix = 10;
		header_length = (size_t)data[8] | (size_t)data[9] << 8;
	} else {
		prefix = 12;
		if (size < prefix)
			return hb_error(
			    HB_ERR_INPUT,
			    "'%s': .npy header truncated (expected %zu bytes before the "
			    "header text, the file holds %zu)",
			    name, prefix, size);
		header_length = read_u32_little(data + 8);
	}
	if (header_length > size - prefix)
		return hb_error(HB_ERR_INPUT,
				"'%s': .npy header truncated (its length field says %zu bytes, the "
				"file holds %zu after the %zu-byte prefix)",
				name, header_length, size - prefix, prefix);
	header_bytes = prefix + header_length;
	cursor.text = (const char *)data + prefix;
	cursor.length = header_length;
	status = npy_header(&cursor, &dtype, dims, &rank);
	if (status != HB_OK)
		return status;
	return check_and_load(name, ".npy header", dims, rank, dtype, false, data + header_bytes,
			      size - header_bytes, header_bytes, out);
}

static int parse_raw(const uint8_t *data, size_t size, const char *name, enum vector_dtype dtype,
		     const int32_t *shape, int32_t rank, struct vector_set *out)
{
	size_t width = vector_dtype_size(dtype);
	uint64_t sample_bytes = width, count;

	memset(out, 0, sizeof *out);
	if (width == 0)
		return hb_error(HB_ERR_USAGE,
				"'%s': raw vectors need a dtype (expected one of "
				"uint8, int8, int16, int32, float32, float64)",
				name);
	if (rank < 1 || rank > VECTOR_MAX_RANK - 1 || !shape)
		return hb_error(HB_ERR_USAGE,
				"'%s': raw vectors need a sample shape of 1 to %d dimensions, got "
				"%d",
				name, VECTOR_MAX_RANK - 1, (int)rank);
	for (int32_t i = 0; i < rank; i++) {
		if (shape[i] < 1)
			return hb_error(HB_ERR_USAGE,
					"'%s': raw sample shape dimension %d is %d (expected at "
					"least 1)",
					name, (int)i, (int)shape[i]);
		if ((uint64_t)shape[i] > VECTORS_MAX_BYTES / sample_bytes)
			return hb_error(HB_ERR_USAGE,
					"'%s': raw sample shape is larger than the %s limit", name,
					VECTORS_LIMIT_TEXT);
		sample_bytes *= (uint64_t)shape[i];
	}
	if (size == 0 || size % sample_bytes != 0)
		return hb_error(HB_ERR_INPUT,
				"'%s': holds %zu bytes, not a whole number of %s samples of %llu "
				"bytes each (%llu values)",
				name, size, dtype_names[dtype], (unsigned long long)sample_bytes,
				(unsigned long long)(sample_bytes / width));
	count = size / sample_bytes;
	if (count > INT32_MAX)
		return hb_error(HB_ERR_INPUT, "'%s': holds %llu samples (expected at most %d)",
				name, (unsigned long long)count, INT32_MAX);
	out->data = malloc(size);
	if (!out->data)
		return hb_error(HB_ERR_NOMEM, "'%s': out of memory for %zu bytes of vectors", name,
				size);
	load_elements(out->data, data, size / width, width, false);
	out->dtype = dtype;
	out->rank = rank + 1;
	out->shape[0] = (int32_t)count;
	memcpy(out->shape + 1, shape, (size_t)rank * sizeof *shape);
	out->count = (uint32_t)count;
	out->sample_bytes = (size_t)sample_bytes;
	return HB_OK;
}

/* Inflates a whole gzip file (one or more members, as gzip allows) into a
 * new buffer of at most VECTORS_MAX_BYTES. */
static int inflate_gzip(const uint8_t *data, size_t size, const char *name, uint8_t **out,
			size_t *out_size)
{
	z_stream stream;
	/* ISIZE (the trailer) is only a hint: it can lie, so it is capped by
	 * deflate's best possible ratio (about 1032:1). */
	uint64_t hint = size >= 4 ? read_u32_little(data + size - 4) : 0;
	uint64_t ceiling = (uint64_t)size * 1032 + 4096;
	size_t capacity, used = 0;
	uint8_t *buffer;
	int status = HB_OK, z;

	if (hint > ceiling)
		hint = ceiling;
	if (hint > VECTORS_MAX_BYTES)
		hint = VECTORS_MAX_BYTES;
	/* +1 so a correct hint ends the stream without one more realloc. */
	capacity = hint < 4096 ? 4096 : (size_t)hint + 1;
	buffer = malloc(capacity);
	if (!buffer)
		return hb_error(HB_ERR_NOMEM, "'%s': out of memory inflating", name);
	memset(&stream, 0, sizeof stream);
	if (inflateInit2(&stream, 15 + 32) != Z_OK) {
		free(buffer);
		return hb_error(HB_ERR_NOMEM, "'%s': cannot start zlib", name);
	}
	stream.next_in = (Bytef *)data;
	stream.avail_in = (uInt)size;
	for (;;) {
		if (used == capacity) {
			size_t grown = capacity * 2;
			uint8_t *bigger;

			/* One byte past the limit tells "exactly 1 GiB" from "more". */
			if (capacity > VECTORS_MAX_BYTES) {
				status = hb_error(HB_ERR_INPUT,
						  "'%s': inflates to more than %s (the limit for "
						  "test vectors)",
						  name, VECTORS_LIMIT_TEXT);
				break;
			}
			if (grown > VECTORS_MAX_BYTES + 1)
				grown = VECTORS_MAX_BYTES + 1;
			bigger = realloc(buffer, grown);
			if (!bigger) {
				status =
				    hb_error(HB_ERR_NOMEM, "'%s': out of memory inflating", name);
				break;
			}
			buffer = bigger;
			capacity = grown;
		}
		stream.next_out = buffer + used;
		stream.avail_out = (uInt)(capacity - used);
		z = inflate(&stream, Z_NO_FLUSH);
		used = capacity - stream.avail_out;
		if (z == Z_STREAM_END) {
			if (stream.avail_in == 0)
				break;
			if (stream.avail_in >= 2 && stream.next_in[0] == 0x1f &&
			    stream.next_in[1] == 0x8b) {
				inflateReset(&stream);
				continue;
			}
			status = hb_error(HB_ERR_INPUT,
					  "'%s': %u bytes of trailing data after the gzip stream "
					  "(expected the file to end)",
					  name, stream.avail_in);
			break;
		}
		if (z == Z_OK || (z == Z_BUF_ERROR && stream.avail_out == 0))
			continue;
		if (z == Z_BUF_ERROR)
			status = hb_error(HB_ERR_INPUT,
					  "'%s': gzip data ends early after %zu of %zu bytes "
					  "(expected a complete stream; truncated download?)",
					  name, size - stream.avail_in, size);
		else if (z == Z_MEM_ERROR)
			status = hb_error(HB_ERR_NOMEM, "'%s': out of memory inflating", name);
		else
			status = hb_error(HB_ERR_INPUT, "'%s': corrupt gzip data: %s", name,
					  stream.msg ? stream.msg : "unknown zlib error");
		break;
	}
	inflateEnd(&stream);
	if (status != HB_OK) {
		free(buffer);
		return status;
	}
	if (used > VECTORS_MAX_BYTES) {
		free(buffer);
		return hb_error(HB_ERR_INPUT,
				"'%s': inflates to more than %s (the limit for test vectors)", name,
				VECTORS_LIMIT_TEXT);
	}
	*out = buffer;
	*out_size = used;
	return HB_OK;
}

int vectors_read(const char *path, enum vector_format format, enum vector_dtype raw_dtype,
		 const int32_t *raw_shape, int32_t raw_rank, struct vector_set *out)
{
	uint8_t *file = NULL, *inflated = NULL;
	const uint8_t *content;
	size_t size = 0, content_size;
	int status;

	memset(out, 0, sizeof *out);
	status = file_read_all(path, VECTORS_MAX_BYTES, "test vectors", &file, &size);
	if (status != HB_OK)
		return status;
	content = file;
	content_size = size;
	/* By content, not by name: datasets are often renamed or served
	 * pre-inflated under their .gz names. */
	if (size >= 2 && file[0] == 0x1f && file[1] == 0x8b) {
		status = inflate_gzip(file, size, path, &inflated, &content_size);
		free(file);
		file = NULL;
		if (status != HB_OK)
			return status;
		content = inflated;
	}
	switch (format) {
	case VECTOR_FORMAT_IDX: status = vectors_parse_idx(content, content_size, path, out); break;
	case VECTOR_FORMAT_NPY: status = vectors_parse_npy(content, content_size, path, out); break;
	case VECTOR_FORMAT_RAW:
		status =
		    parse_raw(content, content_size, path, raw_dtype, raw_shape, raw_rank, out);
		break;
	default:
		status =
		    hb_error(HB_ERR_INTERNAL, "'%s': unknown vector format %d", path, (int)format);
	}
	free(file);
	free(inflated);
	return status;
}
