/* Test vectors: IDX, .npy and raw files (plain and gzip) round trip, every
 * malformed header is refused with a message naming the file, what was
 * expected and what was found, and the Fashion-MNIST files read as shipped. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/error.h"
#include "config/vectors.h"

#define VECTORS_TEST_FMNIST "/usr/share/datasets/fashion-mnist"

static char vectors_test_log[8192];
static char vectors_test_dir[64];

static void vectors_test_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(vectors_test_log);
	(void)level;
	(void)context;
	snprintf(vectors_test_log + used, sizeof vectors_test_log - used, "%s\n", message);
}

static void vectors_test_setup(void)
{
	vectors_test_log[0] = '\0';
	vectors_test_dir[0] = '\0';
	hb_log_set_sink(vectors_test_sink, NULL);
}

/* Made on first use: Criterion skips .fini for skipped tests. */
static const char *vectors_test_folder(void)
{
	if (!vectors_test_dir[0]) {
		snprintf(vectors_test_dir, sizeof vectors_test_dir, "/tmp/hb-vectors-XXXXXX");
		cr_assert_not_null(mkdtemp(vectors_test_dir));
	}
	return vectors_test_dir;
}

static void vectors_test_teardown(void)
{
	static const char *const names[] = {"a.idx",	"a.idx.gz",    "a.npy",
					    "a.npy.gz", "a.raw",       "a.raw.gz",
					    "bad.gz",	"renamed.idx", NULL};
	char path[128];

	hb_log_set_sink(NULL, NULL);
	if (!vectors_test_dir[0])
		return;
	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", vectors_test_dir, names[i]);
		unlink(path);
	}
	rmdir(vectors_test_dir);
}

TestSuite(vectors, .init = vectors_test_setup, .fini = vectors_test_teardown);

/* An IDX file in memory: header for `type` and `dims`, then `payload`. */
static uint8_t *vectors_test_idx(uint8_t type, int rank, const uint32_t *dims, const void *payload,
				 size_t payload_size, size_t *size)
{
	uint8_t *file;

	*size = 4 + 4 * (size_t)rank + payload_size;
	file = malloc(*size);
	cr_assert_not_null(file);
	file[0] = 0;
	file[1] = 0;
	file[2] = type;
	file[3] = (uint8_t)rank;
	for (int i = 0; i < rank; i++) {
		file[4 + 4 * i] = (uint8_t)(dims[i] >> 24);
		file[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
		file[6 + 4 * i] = (uint8_t)(dims[i] >> 8);
		file[7 + 4 * i] = (uint8_t)dims[i];
	}
	if (payload_size)
		memcpy(file + 4 + 4 * rank, payload, payload_size);
	return file;
}

/* A .npy file in memory: the header text padded with spaces and a newline
 * so the data starts on a 64-byte boundary, as NumPy writes it. */
static uint8_t *vectors_test_npy(int major, const char *header, const void *payload,
				 size_t payload_size, size_t *size)
{
	size_t prefix = major == 1 ? 10 : 12;
	size_t text = strlen(header) + 1;
	size_t padded = (prefix + text + 63) / 64 * 64 - prefix;
	uint8_t *file;

	*size = prefix + padded + payload_size;
	file = malloc(*size);
	cr_assert_not_null(file);
	memcpy(file, "\x93NUMPY", 6);
	file[6] = (uint8_t)major;
	file[7] = 0;
	if (major == 1) {
		file[8] = (uint8_t)padded;
		file[9] = (uint8_t)(padded >> 8);
	} else {
		file[8] = (uint8_t)padded;
		file[9] = (uint8_t)(padded >> 8);
		file[10] = (uint8_t)(padded >> 16);
		file[11] = (uint8_t)(padded >> 24);
	}
	memcpy(file + prefix, header, text - 1);
	memset(file + prefix + text - 1, ' ', padded - text);
	file[prefix + padded - 1] = '\n';
	if (payload_size)
		memcpy(file + prefix + padded, payload, payload_size);
	return file;
}

/* gzip-wrapped deflate of `data` (windowBits 15 + 16 asks zlib for the
 * gzip header and trailer). */
static uint8_t *vectors_test_gzip(const void *data, size_t size, size_t *out_size)
{
	z_stream stream;
	size_t capacity = size + size / 100 + 256;
	uint8_t *out = malloc(capacity);

	cr_assert_not_null(out);
	memset(&stream, 0, sizeof stream);
	cr_assert_eq(deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	stream.next_in = (Bytef *)data;
	stream.avail_in = (uInt)size;
	stream.next_out = out;
	stream.avail_out = (uInt)capacity;
	cr_assert_eq(deflate(&stream, Z_FINISH), Z_STREAM_END);
	*out_size = capacity - stream.avail_out;
	deflateEnd(&stream);
	return out;
}

static void vectors_test_write(const char *name, const void *data, size_t size, char *path,
			       size_t capacity)
{
	FILE *file;

	snprintf(path, capacity, "%s/%s", vectors_test_dir, name);
	file = fopen(path, "wb");
	cr_assert_not_null(file, "cannot create %s", path);
	cr_assert_eq(fwrite(data, 1, size, file), size);
	cr_assert_eq(fclose(file), 0);
}

/* Expects `status` to be an input error whose message holds every needle. */
static void vectors_test_expect(int status, ...)
{
	const char *needle;
	va_list needles;

	cr_assert_eq(status, HB_ERR_INPUT, "status %d, log: %s", status, vectors_test_log);
	va_start(needles, status);
	while ((needle = va_arg(needles, const char *)))
		cr_assert_not_null(strstr(vectors_test_log, needle), "expected \"%s\" in: %s",
				   needle, vectors_test_log);
	va_end(needles);
	vectors_test_log[0] = '\0';
}

static int vectors_test_parse_idx(const uint8_t *file, size_t size)
{
	struct vector_set set;
	int status = vectors_parse_idx(file, size, "mem.idx", &set);

	cr_assert(status != HB_OK || set.data);
	if (status == HB_OK)
		vectors_release(&set);
	else
		cr_assert_null(set.data, "a refused file must leave no data");
	return status;
}

static int vectors_test_parse_npy(const char *header, const void *payload, size_t payload_size)
{
	struct vector_set set;
	size_t size;
	uint8_t *file = vectors_test_npy(1, header, payload, payload_size, &size);
	int status = vectors_parse_npy(file, size, "mem.npy", &set);

	free(file);
	if (status == HB_OK)
		vectors_release(&set);
	return status;
}

Test(vectors, dtype_names_and_sizes)
{
	static const struct {
		enum vector_dtype dtype;
		const char *name;
		size_t size;
	} expected[] = {
	    {VECTOR_DTYPE_UINT8, "uint8", 1},	  {VECTOR_DTYPE_INT8, "int8", 1},
	    {VECTOR_DTYPE_INT16, "int16", 2},	  {VECTOR_DTYPE_INT32, "int32", 4},
	    {VECTOR_DTYPE_FLOAT32, "float32", 4}, {VECTOR_DTYPE_FLOAT64, "float64", 8},
	};

	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		cr_assert_str_eq(vector_dtype_name(expected[i].dtype), expected[i].name);
		cr_assert_eq(vector_dtype_size(expected[i].dtype), expected[i].size);
	}
	cr_assert_eq(vector_dtype_size((enum vector_dtype)42), 0);
	cr_assert_str_eq(vector_dtype_name((enum vector_dtype)42), "unknown");
}

Test(vectors, idx_uint8_images)
{
	static const uint32_t dims[] = {2, 2, 3};
	static const uint8_t pixels[] = {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255};
	struct vector_set set;
	size_t size;
	uint8_t *file = vectors_test_idx(0x08, 3, dims, pixels, sizeof pixels, &size);

	cr_assert_eq(vectors_parse_idx(file, size, "mem.idx", &set), HB_OK, "%s", vectors_test_log);
	free(file);
	cr_assert_eq(set.dtype, VECTOR_DTYPE_UINT8);
	cr_assert_eq(set.rank, 3);
	cr_assert_eq(set.shape[0], 2);
	cr_assert_eq(set.shape[1], 2);
	cr_assert_eq(set.shape[2], 3);
	cr_assert_eq(set.count, 2);
	cr_assert_eq(set.sample_bytes, 6);
	cr_assert_arr_eq(set.data, pixels, sizeof pixels);
	cr_assert_float_eq(vectors_value(&set, 0, 5), 5.0, 0);
	cr_assert_float_eq(vectors_value(&set, 1, 0), 250.0, 0);
	cr_assert_float_eq(vectors_value(&set, 1, 5), 255.0, 0);
	/* Out of range is the caller's bug, made visible. */
	cr_assert(isnan(vectors_value(&set, 2, 0)));
	cr_assert(isnan(vectors_value(&set, 0, 6)));
	vectors_release(&set);
	cr_assert_null(set.data);
	cr_assert_eq(set.count, 0);
}

Test(vectors, idx_every_dtype_is_converted_from_big_endian)
{
	static const uint32_t dims[] = {2};
	static const struct {
		uint8_t type;
		enum vector_dtype dtype;
		uint8_t payload[16];
		size_t size;
		double first, second;
	} cases[] = {
	    {0x08, VECTOR_DTYPE_UINT8, {0xff, 0x07}, 2, 255, 7},
	    {0x09, VECTOR_DTYPE_INT8, {0xff, 0x80}, 2, -1, -128},
	    {0x0b, VECTOR_DTYPE_INT16, {0xff, 0xfe, 0x01, 0x02}, 4, -2, 258},
	    {0x0c,
	     VECTOR_DTYPE_INT32,
	     {0x80, 0, 0, 0, 0x00, 0x01, 0x00, 0x02},
	     8,
	     -2147483648.0,
	     65538},
	    /* 1.5f = 0x3fc00000, -0.25f = 0xbe800000 */
	    {0x0d, VECTOR_DTYPE_FLOAT32, {0x3f, 0xc0, 0, 0, 0xbe, 0x80, 0, 0}, 8, 1.5, -0.25},
	    /* -2.25 = 0xc002000000000000, 1e-300 */
	    {0x0e,
	     VECTOR_DTYPE_FLOAT64,
	     {0xc0, 0x02, 0, 0, 0, 0, 0, 0, 0x01, 0xa5, 0x6e, 0x1f, 0xc2, 0xf8, 0xf3, 0x59},
	     16,
	     -2.25,
	     1e-300},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vector_set set;
		size_t size;
		uint8_t *file = vectors_test_idx(cases[i].type, 1, dims, cases[i].payload,
						 cases[i].size, &size);

		cr_assert_eq(vectors_parse_idx(file, size, "mem.idx", &set), HB_OK, "type %#x: %s",
			     cases[i].type, vectors_test_log);
		free(file);
		cr_assert_eq(set.dtype, cases[i].dtype);
		cr_assert_eq(set.rank, 1);
		cr_assert_eq(set.count, 2);
		cr_assert_eq(set.sample_bytes, vector_dtype_size(cases[i].dtype));
		cr_assert_eq(vectors_value(&set, 0, 0), cases[i].first, "type %#x: %.17g",
			     cases[i].type, vectors_value(&set, 0, 0));
		cr_assert_eq(vectors_value(&set, 1, 0), cases[i].second, "type %#x: %.17g",
			     cases[i].type, vectors_value(&set, 1, 0));
		vectors_release(&set);
	}
}

Test(vectors, idx_malformed_headers_are_refused)
{
	static const uint8_t nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	uint32_t dims[VECTOR_MAX_RANK + 1] = {3, 3};
	uint8_t *file;
	size_t size;

	vectors_test_expect(vectors_test_parse_idx(nine, 0), "'mem.idx'", "too short",
			    "got 0 bytes", NULL);
	vectors_test_expect(vectors_test_parse_idx((const uint8_t *)"\0\0\x08", 3), "'mem.idx'",
			    "expected a 4-byte magic, got 3 bytes", NULL);

	file = vectors_test_idx(0x08, 2, dims, nine, sizeof nine, &size);
	file[1] = 0x01;
	vectors_test_expect(vectors_test_parse_idx(file, size), "'mem.idx'", "not an IDX file",
			    "expected the magic 00 00 <type> <rank>, got 00 01 08 02", NULL);
	file[1] = 0;
	file[2] = 0x0a;
	vectors_test_expect(vectors_test_parse_idx(file, size), "IDX type 0x0a is not supported",
			    "0x08 uint8", "0x0e float64", NULL);
	file[2] = 0x08;
	file[3] = 0;
	vectors_test_expect(vectors_test_parse_idx(file, size),
			    "IDX header declares 0 dimensions (expected 1 to 6", NULL);
	free(file);

	file = vectors_test_idx(0x08, 7, dims, NULL, 0, &size);
	vectors_test_expect(vectors_test_parse_idx(file, size),
			    "IDX header declares 7 dimensions (expected 1 to 6", NULL);
	free(file);

	/* Three dimensions need 16 header bytes; only 12 are there. */
	file = vectors_test_idx(0x08, 3, dims, NULL, 0, &size);
	vectors_test_expect(vectors_test_parse_idx(file, 12), "'mem.idx'",
			    "IDX header truncated (3 dimensions need a 16-byte header, the file "
			    "holds 12 bytes)",
			    NULL);
	free(file);
}

Test(vectors, idx_sizes_must_match_the_header)
{
	static const uint8_t data[10] = {0};
	uint32_t dims[VECTOR_MAX_RANK] = {2, 2, 2};
	uint8_t *file;
	size_t size;

	file = vectors_test_idx(0x08, 3, dims, data, 7, &size);
	vectors_test_expect(vectors_test_parse_idx(file, size), "'mem.idx'",
			    "IDX header says 2 x 2 x 2 uint8 values (8 bytes after the 16-byte "
			    "header), the file holds 7 (1 missing)",
			    NULL);
	free(file);
	file = vectors_test_idx(0x08, 3, dims, data, 10, &size);
	vectors_test_expect(vectors_test_parse_idx(file, size), "the file holds 10 (2 too many)",
			    NULL);
	free(file);

	/* int16 doubles the bytes the same dims need. */
	file = vectors_test_idx(0x0b, 3, dims, data, 8, &size);
	vectors_test_expect(vectors_test_parse_idx(file, size),
			    "2 x 2 x 2 int16 values (16 bytes after the 16-byte header), the file "
			    "holds 8 (8 missing)",
			    NULL);
	free(file);

	dims[1] = 0;
	file = vectors_test_idx(0x08, 3, dims, NULL, 0, &size);
	vectors_test_expect(vectors_test_parse_idx(file, size),
			    "says shape 2 x 0 x 2: dimension 1 is 0 (expected at least 1)", NULL);
	free(file);

	/* Products that wrap a 64-bit integer must not pass as small. */
	for (int i = 0; i < VECTOR_MAX_RANK; i++)
		dims[i] = 0xffffffffu;
	file = vectors_test_idx(0x0e, VECTOR_MAX_RANK, dims, data, 8, &size);
	vectors_test_expect(vectors_test_parse_idx(file, size),
			    "4294967295 x 4294967295 x 4294967295 x 4294967295 x 4294967295 x "
			    "4294967295 float64 values, more than the 1 GiB limit",
			    "the file holds 8 bytes after the 28-byte header", NULL);
	free(file);
	/* 2^16 x 2^16 x 2^16 x 2^16 = 2^64 wraps to 0 in naive arithmetic. */
	for (int i = 0; i < 4; i++)
		dims[i] = 65536;
	file = vectors_test_idx(0x08, 4, dims, NULL, 0, &size);
	vectors_test_expect(vectors_test_parse_idx(file, size), "more than the 1 GiB limit", NULL);
	free(file);
}

Test(vectors, npy_versions_and_dtypes)
{
	static const struct {
		int major;
		const char *header;
		enum vector_dtype dtype;
		uint8_t payload[16];
		size_t size;
		double first, last;
	} cases[] = {
	    {1,
	     "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }",
	     VECTOR_DTYPE_UINT8,
	     {200, 3},
	     2,
	     200,
	     3},
	    {1,
	     "{'descr': '<u1', 'fortran_order': False, 'shape': (2,), }",
	     VECTOR_DTYPE_UINT8,
	     {1, 255},
	     2,
	     1,
	     255},
	    {2,
	     "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }",
	     VECTOR_DTYPE_INT8,
	     {0x80, 0x7f},
	     2,
	     -128,
	     127},
	    /* Byte order is meaningless for one byte: '>i1' is '|i1'. */
	    {1,
	     "{'descr': '>i1', 'fortran_order': False, 'shape': (2,), }",
	     VECTOR_DTYPE_INT8,
	     {0xfe, 0x01},
	     2,
	     -2,
	     1},
	    {3,
	     "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }",
	     VECTOR_DTYPE_INT16,
	     {0xfe, 0xff, 0x02, 0x01},
	     4,
	     -2,
	     258},
	    {1,
	     "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (2,)}",
	     VECTOR_DTYPE_INT32,
	     {0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x01, 0x00},
	     8,
	     -1,
	     65538},
	    {1,
	     "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }",
	     VECTOR_DTYPE_FLOAT32,
	     {0, 0, 0xc0, 0x3f, 0, 0, 0x80, 0xbe},
	     8,
	     1.5,
	     -0.25},
	    {2,
	     "{'shape': (2,), 'fortran_order': False, 'descr': '<f8'}",
	     VECTOR_DTYPE_FLOAT64,
	     {0, 0, 0, 0, 0, 0, 0x02, 0xc0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f},
	     16,
	     -2.25,
	     1.0},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vector_set set;
		size_t size;
		uint8_t *file = vectors_test_npy(cases[i].major, cases[i].header, cases[i].payload,
						 cases[i].size, &size);

		cr_assert_eq(vectors_parse_npy(file, size, "mem.npy", &set), HB_OK, "%s: %s",
			     cases[i].header, vectors_test_log);
		free(file);
		cr_assert_eq(set.dtype, cases[i].dtype, "%s", cases[i].header);
		cr_assert_eq(set.rank, 1);
		cr_assert_eq(set.count, 2);
		cr_assert_eq(vectors_value(&set, 0, 0), cases[i].first, "%s: %.17g",
			     cases[i].header, vectors_value(&set, 0, 0));
		cr_assert_eq(vectors_value(&set, 1, 0), cases[i].last, "%s: %.17g", cases[i].header,
			     vectors_value(&set, 1, 0));
		vectors_release(&set);
	}
}

Test(vectors, npy_images)
{
	float values[3 * 2 * 2];
	struct vector_set set;
	size_t size;
	uint8_t *file;

	for (int i = 0; i < 12; i++)
		values[i] = (float)i * 0.5f - 1.0f;
	file = vectors_test_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2, 2), }",
				values, sizeof values, &size);
	cr_assert_eq(size % 64, 48, "data must start on a 64-byte boundary");
	cr_assert_eq(vectors_parse_npy(file, size, "mem.npy", &set), HB_OK, "%s", vectors_test_log);
	free(file);
	cr_assert_eq(set.rank, 3);
	cr_assert_eq(set.count, 3);
	cr_assert_eq(set.shape[1], 2);
	cr_assert_eq(set.shape[2], 2);
	cr_assert_eq(set.sample_bytes, 16);
	cr_assert_eq(vectors_value(&set, 2, 3), 4.5);
	cr_assert_eq(vectors_value(&set, 1, 0), 1.0);
	vectors_release(&set);
}

Test(vectors, npy_malformed_files_are_refused)
{
	static const uint8_t four[4] = {1, 2, 3, 4};
	struct vector_set set;
	uint8_t *file;
	size_t size;

	vectors_test_expect(vectors_parse_npy((const uint8_t *)"\x93NUMP", 5, "mem.npy", &set),
			    "'mem.npy': not a .npy file", "got 5 bytes starting 93 4e 55 4d", NULL);
	vectors_test_expect(
	    vectors_parse_npy((const uint8_t *)"PK\x03\x04zipfile", 11, "mem.npy", &set),
	    "expected the magic \\x93NUMPY", "starting 50 4b 03 04", NULL);

	file = vectors_test_npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }",
				four, sizeof four, &size);
	file[6] = 4;
	vectors_test_expect(vectors_parse_npy(file, size, "mem.npy", &set),
			    ".npy version 4.0 is not supported (expected 1.0, 2.0 or 3.0)", NULL);
	file[6] = 1;
	file[7] = 1;
	vectors_test_expect(vectors_parse_npy(file, size, "mem.npy", &set), "version 1.1", NULL);
	file[7] = 0;
	vectors_test_expect(vectors_parse_npy(file, 40, "mem.npy", &set),
			    ".npy header truncated (its length field says 118 bytes, the file "
			    "holds 30 after the 10-byte prefix)",
			    NULL);
	vectors_test_expect(vectors_parse_npy(file, size - 1, "mem.npy", &set),
			    ".npy header says 4 uint8 values (4 bytes after the 128-byte header), "
			    "the file holds 3 (1 missing)",
			    NULL);
	free(file);
	file = vectors_test_npy(2, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }",
				four, sizeof four, &size);
	vectors_test_expect(vectors_parse_npy(file, 11, "mem.npy", &set),
			    "expected 12 bytes before the header text, the file holds 11", NULL);
	free(file);

	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", four,
				   4),
	    "'mem.npy'", "Fortran order (expected C order", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
				   four, 4),
	    "'mem.npy'", "dtype '>f4' is big-endian (expected little-endian '<f4'", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
				   four, 4),
	    "dtype '<f2' is not supported (expected '|u1', '|i1', '<i2', '<i4', '<f4' or '<f8')",
	    NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
				   four, 4),
	    "dtype '<i8' is not supported", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '|i2', 'fortran_order': False, 'shape': (2,), }",
				   four, 4),
	    "dtype '|i2' is not supported", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy(
		"{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", four, 4),
	    "structured record (expected a plain numeric array)", NULL);
	vectors_test_expect(vectors_test_parse_npy("{'descr': '|u1', 'fortran_order': False, "
						   "'shape': (4,), 'extra': 1}",
						   four, 4),
			    "unknown key 'extra' (expected descr, fortran_order, shape)", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '|u1', 'fortran_order': False}", four, 4),
	    "header lacks 'shape'", NULL);
	vectors_test_expect(vectors_test_parse_npy(
				"{'descr': '|u1', 'fortran_order': False, 'shape': (), }", four, 1),
			    "shape () is a single value (expected at least one dimension", NULL);
	vectors_test_expect(vectors_test_parse_npy("{'descr': '|u1', 'descr': '|u1', "
						   "'fortran_order': False, 'shape': (4,)}",
						   four, 4),
			    "repeats the key 'descr'", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr' '|u1', 'fortran_order': False, 'shape': (4,)}", four,
				   4),
	    "malformed .npy header at character 9: expected ':' after the key, got '''", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4,)} x",
				   four, 4),
	    "expected only padding after '}', got 'x'", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4 4)}", four,
				   4),
	    "expected ',' or ')' in the shape tuple, got '4'", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '|u1', 'fortran_order': 0, 'shape': (4,)}", four, 4),
	    "expected False or True, got '0'", NULL);
	vectors_test_expect(vectors_test_parse_npy("{'descr': '|u1', 'fortran_order': False, "
						   "'shape': (1, 1, 1, 1, 1, 1, 4)}",
						   four, 4),
			    "shape has more than 6 dimensions", NULL);
	vectors_test_expect(vectors_test_parse_npy("{'descr': '<f8', 'fortran_order': False, "
						   "'shape': (99999999999999999999999, 4)}",
						   four, 4),
			    "float64 values, more than the 1 GiB limit", NULL);
	vectors_test_expect(
	    vectors_test_parse_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }",
				   four, 4),
	    ".npy header says 2 x 3 uint8 values", "the file holds 4 (2 missing)", NULL);
}

Test(vectors, files_plain_and_gzip_round_trip)
{
	static const uint32_t dims[] = {3, 2, 2};
	uint8_t pixels[12];
	char path[128];
	struct vector_set set;
	size_t size, packed_size;
	uint8_t *file, *packed;
	gzFile gz;

	for (int i = 0; i < 12; i++)
		pixels[i] = (uint8_t)(i * 20);
	file = vectors_test_idx(0x08, 3, dims, pixels, sizeof pixels, &size);
	vectors_test_write("a.idx", file, size, path, sizeof path);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), HB_OK, "%s",
		     vectors_test_log);
	cr_assert_eq(set.count, 3);
	cr_assert_arr_eq(set.data, pixels, sizeof pixels);
	vectors_release(&set);

	/* gzip through zlib's file API, as the gzip tool would write it. */
	snprintf(path, sizeof path, "%s/a.idx.gz", vectors_test_folder());
	gz = gzopen(path, "wb9");
	cr_assert_not_null(gz);
	cr_assert_eq(gzwrite(gz, file, (unsigned)size), (int)size);
	cr_assert_eq(gzclose(gz), Z_OK);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), HB_OK, "%s",
		     vectors_test_log);
	cr_assert_eq(set.count, 3);
	cr_assert_eq(set.sample_bytes, 4);
	cr_assert_arr_eq(set.data, pixels, sizeof pixels);
	vectors_release(&set);

	/* Detected by content: a gzip file without the .gz name. */
	packed = vectors_test_gzip(file, size, &packed_size);
	vectors_test_write("renamed.idx", packed, packed_size, path, sizeof path);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), HB_OK, "%s",
		     vectors_test_log);
	cr_assert_arr_eq(set.data, pixels, sizeof pixels);
	vectors_release(&set);

	/* Two gzip members in a row are one file to gzip -d. */
	{
		size_t half = size / 2, first_size, second_size;
		uint8_t *first = vectors_test_gzip(file, half, &first_size);
		uint8_t *second = vectors_test_gzip(file + half, size - half, &second_size);
		uint8_t *joined = malloc(first_size + second_size);

		cr_assert_not_null(joined);
		memcpy(joined, first, first_size);
		memcpy(joined + first_size, second, second_size);
		vectors_test_write("a.idx.gz", joined, first_size + second_size, path, sizeof path);
		cr_assert_eq(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), HB_OK, "%s",
			     vectors_test_log);
		cr_assert_arr_eq(set.data, pixels, sizeof pixels);
		vectors_release(&set);
		free(first);
		free(second);
		free(joined);
	}
	free(packed);
	free(file);
}

Test(vectors, npy_file_and_gzip_round_trip)
{
	int16_t values[] = {-300, 0, 7, 32767, -32768, 1};
	char path[128];
	struct vector_set set;
	size_t size, packed_size;
	uint8_t *file, *packed;

	file = vectors_test_npy(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }",
				values, sizeof values, &size);
	vectors_test_write("a.npy", file, size, path, sizeof path);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_NPY, 0, NULL, 0, &set), HB_OK, "%s",
		     vectors_test_log);
	cr_assert_eq(set.dtype, VECTOR_DTYPE_INT16);
	cr_assert_eq(set.count, 2);
	cr_assert_eq(vectors_value(&set, 0, 0), -300);
	cr_assert_eq(vectors_value(&set, 1, 1), -32768);
	vectors_release(&set);

	packed = vectors_test_gzip(file, size, &packed_size);
	vectors_test_write("a.npy.gz", packed, packed_size, path, sizeof path);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_NPY, 0, NULL, 0, &set), HB_OK, "%s",
		     vectors_test_log);
	cr_assert_eq(vectors_value(&set, 1, 0), 32767);
	vectors_release(&set);
	free(packed);
	free(file);
}

Test(vectors, raw_files)
{
	float values[2 * 2 * 3];
	const int32_t shape[] = {2, 3};
	char path[128];
	struct vector_set set;
	size_t packed_size;
	uint8_t *packed;

	for (int i = 0; i < 12; i++)
		values[i] = (float)i / 4.0f;
	vectors_test_write("a.raw", values, sizeof values, path, sizeof path);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_RAW, VECTOR_DTYPE_FLOAT32, shape, 2, &set),
		     HB_OK, "%s", vectors_test_log);
	cr_assert_eq(set.rank, 3);
	cr_assert_eq(set.shape[0], 2);
	cr_assert_eq(set.shape[1], 2);
	cr_assert_eq(set.shape[2], 3);
	cr_assert_eq(set.count, 2);
	cr_assert_eq(set.sample_bytes, 24);
	cr_assert_eq(vectors_value(&set, 1, 5), 2.75);
	vectors_release(&set);

	/* The same bytes as 4 samples of 3 int32... do not divide into 5-value samples. */
	{
		const int32_t five[] = {5};
		vectors_test_expect(
		    vectors_read(path, VECTOR_FORMAT_RAW, VECTOR_DTYPE_INT32, five, 1, &set), path,
		    "holds 48 bytes, not a whole number of int32 samples of 20 "
		    "bytes each (5 values)",
		    NULL);
	}

	packed = vectors_test_gzip(values, sizeof values, &packed_size);
	vectors_test_write("a.raw.gz", packed, packed_size, path, sizeof path);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_RAW, VECTOR_DTYPE_FLOAT32, shape, 1, &set),
		     HB_OK, "%s", vectors_test_log);
	cr_assert_eq(set.count, 6);
	cr_assert_eq(set.sample_bytes, 8);
	cr_assert_eq(vectors_value(&set, 5, 1), 2.75);
	vectors_release(&set);
	free(packed);

	vectors_test_write("a.raw", "", 0, path, sizeof path);
	vectors_test_expect(
	    vectors_read(path, VECTOR_FORMAT_RAW, VECTOR_DTYPE_UINT8, shape, 2, &set),
	    "holds 0 bytes, not a whole number of uint8 samples of 6 bytes", NULL);
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_RAW, VECTOR_DTYPE_UINT8, shape, 0, &set),
		     HB_ERR_USAGE);
	cr_assert_not_null(strstr(vectors_test_log, "need a sample shape of 1 to 5 dimensions"),
			   "%s", vectors_test_log);
}

Test(vectors, bad_gzip_is_refused)
{
	static const uint32_t dims[] = {64};
	uint8_t values[64];
	char path[128];
	struct vector_set set;
	size_t size, packed_size;
	uint8_t *file, *packed, *longer;

	for (int i = 0; i < 64; i++)
		values[i] = (uint8_t)(i * 7);
	file = vectors_test_idx(0x08, 1, dims, values, sizeof values, &size);
	packed = vectors_test_gzip(file, size, &packed_size);

	vectors_test_write("bad.gz", packed, packed_size / 2, path, sizeof path);
	vectors_test_expect(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), path,
			    "gzip data ends early", "truncated download?", NULL);

	/* A flipped CRC: the data inflates but does not match the trailer. */
	packed[packed_size - 6] ^= 0xff;
	vectors_test_write("bad.gz", packed, packed_size, path, sizeof path);
	vectors_test_expect(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), path,
			    "corrupt gzip data: incorrect data check", NULL);
	packed[packed_size - 6] ^= 0xff;

	/* A deflate block type that does not exist (BTYPE 11). */
	packed[10] = 0x07;
	vectors_test_write("bad.gz", packed, packed_size, path, sizeof path);
	vectors_test_expect(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), path,
			    "corrupt gzip data: invalid block type", NULL);
	free(packed);

	packed = vectors_test_gzip(file, size, &packed_size);
	longer = malloc(packed_size + 3);
	cr_assert_not_null(longer);
	memcpy(longer, packed, packed_size);
	memcpy(longer + packed_size, "abc", 3);
	vectors_test_write("bad.gz", longer, packed_size + 3, path, sizeof path);
	vectors_test_expect(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), path,
			    "3 bytes of trailing data after the gzip stream", NULL);

	/* A valid gzip of a broken IDX: the IDX rules still apply. */
	free(packed);
	packed = vectors_test_gzip(file, size - 1, &packed_size);
	vectors_test_write("bad.gz", packed, packed_size, path, sizeof path);
	vectors_test_expect(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), path,
			    "the file holds 63 (1 missing)", NULL);
	free(longer);
	free(packed);
	free(file);

	snprintf(path, sizeof path, "%s/none.idx", vectors_test_folder());
	cr_assert_eq(vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set), HB_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(vectors_test_log, "none.idx': no such file"), "%s",
			   vectors_test_log);
}

/* Inflating 1 GiB takes seconds and the memory; run on request only. */
Test(vectors, gzip_bomb_is_bounded)
{
	const size_t chunk = 1 << 20;
	uint8_t *zeros;
	char path[128];
	struct vector_set set;
	gzFile gz;

	if (!getenv("HILBENCH_SLOW_TESTS"))
		cr_skip_test("inflates 1 GiB; set HILBENCH_SLOW_TESTS=1 to run it");
	zeros = calloc(1, chunk);
	cr_assert_not_null(zeros);
	snprintf(path, sizeof path, "%s/bad.gz", vectors_test_folder());
	gz = gzopen(path, "wb9");
	cr_assert_not_null(gz);
	for (size_t i = 0; i < 1024; i++)
		cr_assert_eq(gzwrite(gz, zeros, (unsigned)chunk), (int)chunk);
	cr_assert_eq(gzwrite(gz, zeros, 1), 1);
	cr_assert_eq(gzclose(gz), Z_OK);
	free(zeros);
	vectors_test_expect(vectors_read(path, VECTOR_FORMAT_RAW, VECTOR_DTYPE_UINT8,
					 (const int32_t[]){1}, 1, &set),
			    path, "inflates to more than 1 GiB", NULL);
}

Test(vectors, fashion_mnist_as_shipped)
{
	static const uint8_t first_labels[] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
	unsigned per_class[10] = {0};
	struct vector_set images, labels;
	double sum = 0;

	if (access(VECTORS_TEST_FMNIST "/t10k-images-idx3-ubyte.gz", R_OK) != 0 ||
	    access(VECTORS_TEST_FMNIST "/t10k-labels-idx1-ubyte.gz", R_OK) != 0)
		cr_skip_test("Fashion-MNIST not found in " VECTORS_TEST_FMNIST
			     " (Debian package dataset-fashion-mnist)");
	cr_assert_eq(vectors_read(VECTORS_TEST_FMNIST "/t10k-images-idx3-ubyte.gz",
				  VECTOR_FORMAT_IDX, 0, NULL, 0, &images),
		     HB_OK, "%s", vectors_test_log);
	cr_assert_eq(images.dtype, VECTOR_DTYPE_UINT8);
	cr_assert_eq(images.rank, 3);
	cr_assert_eq(images.count, 10000);
	cr_assert_eq(images.shape[1], 28);
	cr_assert_eq(images.shape[2], 28);
	cr_assert_eq(images.sample_bytes, 784);
	for (size_t i = 0; i < 784; i++)
		sum += vectors_value(&images, 0, i);
	/* Pixel sum of the first test image (checked with Python's gzip module). */
	cr_assert_eq(sum, 33456.0);
	vectors_release(&images);

	cr_assert_eq(vectors_read(VECTORS_TEST_FMNIST "/t10k-labels-idx1-ubyte.gz",
				  VECTOR_FORMAT_IDX, 0, NULL, 0, &labels),
		     HB_OK, "%s", vectors_test_log);
	cr_assert_eq(labels.rank, 1);
	cr_assert_eq(labels.count, 10000);
	cr_assert_eq(labels.sample_bytes, 1);
	cr_assert_arr_eq(labels.data, first_labels, sizeof first_labels);
	for (uint32_t i = 0; i < labels.count; i++) {
		cr_assert_lt(labels.data[i], 10);
		per_class[labels.data[i]]++;
	}
	/* The test set is balanced: 1000 of each class. */
	for (int i = 0; i < 10; i++)
		cr_assert_eq(per_class[i], 1000, "class %d: %u", i, per_class[i]);
	vectors_release(&labels);
}
