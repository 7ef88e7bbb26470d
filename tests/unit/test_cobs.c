/*
 * COBS (target-fw/proto/cobs.c): known encodings, round trips at the block
 * boundaries (254 non-zero bytes per block), the size bound, rejection of
 * malformed input and in-place decoding.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "cobs.h"

#define COBS_TEST_MAX 2048

static uint32_t cobs_test_random(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Encodes, checks the invariants every encoding must have, decodes and
 * compares; returns the encoded length. */
static size_t cobs_test_round_trip(const uint8_t *data, size_t length)
{
	static uint8_t encoded[COBS_MAX_ENCODED(COBS_TEST_MAX)];
	static uint8_t decoded[COBS_TEST_MAX];
	size_t encoded_length;
	long decoded_length;

	cr_assert(length <= COBS_TEST_MAX);
	encoded_length = cobs_encode(data, length, encoded, sizeof encoded);
	cr_assert_gt(encoded_length, 0, "length %zu: encode failed", length);
	cr_assert_leq(encoded_length, COBS_MAX_ENCODED(length), "length %zu", length);
	cr_assert_eq(memchr(encoded, 0, encoded_length), NULL, "length %zu: 0x00 in output",
		     length);
	decoded_length = cobs_decode(encoded, encoded_length, decoded, sizeof decoded);
	cr_assert_eq(decoded_length, (long)length, "length %zu: decoded %ld bytes", length,
		     decoded_length);
	cr_assert_arr_eq(decoded, data, length, "length %zu: decoded bytes differ", length);
	return encoded_length;
}

static void cobs_test_expect_encoding(const uint8_t *data, size_t length, const uint8_t *expected,
				      size_t expected_length)
{
	uint8_t out[64];
	size_t got = cobs_encode(data, length, out, sizeof out);

	cr_assert_eq(got, expected_length, "encoded length: expected %zu, got %zu", expected_length,
		     got);
	cr_assert_arr_eq(out, expected, expected_length);
	cobs_test_round_trip(data, length);
}

Test(cobs, known_small_encodings)
{
	cobs_test_expect_encoding((const uint8_t[]){0x00}, 0, (const uint8_t[]){0x01}, 1);
	cobs_test_expect_encoding((const uint8_t[]){0x00}, 1, (const uint8_t[]){0x01, 0x01}, 2);
	cobs_test_expect_encoding((const uint8_t[]){0x00, 0x00}, 2,
				  (const uint8_t[]){0x01, 0x01, 0x01}, 3);
	cobs_test_expect_encoding((const uint8_t[]){0x11, 0x22, 0x00, 0x33}, 4,
				  (const uint8_t[]){0x03, 0x11, 0x22, 0x02, 0x33}, 5);
	cobs_test_expect_encoding((const uint8_t[]){0x11, 0x22, 0x33, 0x44}, 4,
				  (const uint8_t[]){0x05, 0x11, 0x22, 0x33, 0x44}, 5);
	cobs_test_expect_encoding((const uint8_t[]){0x11, 0x00, 0x00, 0x00}, 4,
				  (const uint8_t[]){0x02, 0x11, 0x01, 0x01, 0x01}, 5);
}

Test(cobs, empty_round_trip)
{
	const uint8_t nothing[1] = {0x7E};

	cr_expect_eq(cobs_test_round_trip(nothing, 0), 1u);
}

Test(cobs, all_zeros_encode_to_ones)
{
	static uint8_t zeros[600];
	static uint8_t out[COBS_MAX_ENCODED(600)];

	for (size_t length = 1; length <= sizeof zeros; length += 37) {
		size_t got = cobs_encode(zeros, length, out, sizeof out);
		cr_assert_eq(got, length + 1, "length %zu", length);
		for (size_t i = 0; i < got; i++)
			cr_assert_eq(out[i], 0x01, "length %zu byte %zu", length, i);
		cobs_test_round_trip(zeros, length);
	}
}

Test(cobs, block_boundaries_without_zeros)
{
	static const size_t lengths[] = {1, 253, 254, 255, 507, 508, 509, 1000};
	static uint8_t data[1000];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(1 + i % 255);
	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		size_t length = lengths[i];
		/* Without zeros the bound is met exactly: one code byte per
		 * started (or completed) 254-byte block. */
		cr_expect_eq(cobs_test_round_trip(data, length), COBS_MAX_ENCODED(length),
			     "length %zu", length);
	}
}

Test(cobs, full_block_layout)
{
	static uint8_t data[254];
	static uint8_t out[COBS_MAX_ENCODED(254)];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i + 1);
	cr_assert_eq(cobs_encode(data, sizeof data, out, sizeof out), 256u);
	cr_expect_eq(out[0], 0xFF);
	cr_expect_arr_eq(out + 1, data, 254);
	cr_expect_eq(out[255], 0x01);
}

Test(cobs, decode_accepts_full_block_without_final_code)
{
	/* Encoders that drop the code after a final 0xFF block produce this. */
	static uint8_t in[255];
	static uint8_t out[254];

	in[0] = 0xFF;
	for (size_t i = 1; i < sizeof in; i++)
		in[i] = (uint8_t)i;
	cr_assert_eq(cobs_decode(in, sizeof in, out, sizeof out), 254);
	cr_expect_arr_eq(out, in + 1, 254);
}

Test(cobs, random_buffers_round_trip)
{
	static uint8_t data[COBS_TEST_MAX];
	uint32_t state = 2024u;

	for (int round = 0; round < 400; round++) {
		size_t length = cobs_test_random(&state) % (COBS_TEST_MAX + 1);
		unsigned zero_percent = (unsigned)(cobs_test_random(&state) % 4) * 15; /* 0..45 */
		for (size_t i = 0; i < length; i++) {
			if (cobs_test_random(&state) % 100 < zero_percent)
				data[i] = 0;
			else
				data[i] = (uint8_t)(1 + cobs_test_random(&state) % 255);
		}
		cobs_test_round_trip(data, length);
	}
}

Test(cobs, encode_refuses_small_capacity)
{
	static uint8_t data[300];
	static uint8_t out[COBS_MAX_ENCODED(300)];

	memset(data, 0x5A, sizeof data);
	cr_expect_eq(cobs_encode(data, sizeof data, out, COBS_MAX_ENCODED(300) - 1), 0u);
	cr_expect_eq(cobs_encode(data, 0, out, 0), 0u);
	cr_expect_eq(cobs_encode(data, sizeof data, out, COBS_MAX_ENCODED(300)), 302u);
}

Test(cobs, decode_rejects_zero_inside)
{
	uint8_t out[16];

	cr_expect_eq(cobs_decode((const uint8_t[]){0x03, 0x11, 0x00}, 3, out, sizeof out), -1);
	cr_expect_eq(cobs_decode((const uint8_t[]){0x02, 0x11, 0x00, 0x01}, 4, out, sizeof out), -1,
		     "zero as a code byte");
	cr_expect_eq(cobs_decode((const uint8_t[]){0x00}, 1, out, sizeof out), -1);
}

Test(cobs, decode_rejects_code_past_end)
{
	uint8_t out[16];

	cr_expect_eq(cobs_decode((const uint8_t[]){0x05, 0x11, 0x22, 0x33}, 4, out, sizeof out),
		     -1);
	cr_expect_eq(cobs_decode((const uint8_t[]){0x02, 0x11, 0x03, 0x22}, 4, out, sizeof out),
		     -1);
	cr_expect_eq(cobs_decode((const uint8_t[]){0xFF}, 1, out, sizeof out), -1);
	/* The same codes with enough bytes are fine. */
	cr_expect_eq(
	    cobs_decode((const uint8_t[]){0x02, 0x11, 0x03, 0x22, 0x33}, 5, out, sizeof out), 4);
	cr_expect_arr_eq(out, ((const uint8_t[]){0x11, 0x00, 0x22, 0x33}), 4);
}

Test(cobs, decode_rejects_small_capacity)
{
	uint8_t data[10] = {1, 2, 0, 4, 5, 6, 0, 0, 9, 10};
	uint8_t encoded[COBS_MAX_ENCODED(10)];
	uint8_t out[10];
	size_t length = cobs_encode(data, sizeof data, encoded, sizeof encoded);

	cr_assert_gt(length, 0);
	for (size_t capacity = 0; capacity < sizeof data; capacity++)
		cr_expect_eq(cobs_decode(encoded, length, out, capacity), -1, "capacity %zu",
			     capacity);
	cr_expect_eq(cobs_decode(encoded, length, out, sizeof out), 10);
	/* A trailing zero needs room as well. */
	cr_expect_eq(cobs_decode((const uint8_t[]){0x01, 0x01}, 2, out, 0), -1);
	cr_expect_eq(cobs_decode((const uint8_t[]){0x01, 0x01}, 2, out, 1), 1);
	cr_expect_eq(out[0], 0x00);
}

Test(cobs, decode_in_place)
{
	static uint8_t data[1200];
	static uint8_t buffer[COBS_MAX_ENCODED(1200)];
	uint32_t state = 31u;

	for (int round = 0; round < 50; round++) {
		size_t length = cobs_test_random(&state) % (sizeof data + 1);
		for (size_t i = 0; i < length; i++)
			data[i] =
			    (uint8_t)(cobs_test_random(&state) % 5 == 0 ? 0
									: cobs_test_random(&state));
		size_t encoded = cobs_encode(data, length, buffer, sizeof buffer);
		cr_assert_gt(encoded, 0);
		long decoded = cobs_decode(buffer, encoded, buffer, sizeof buffer);
		cr_assert_eq(decoded, (long)length, "round %d", round);
		cr_assert_arr_eq(buffer, data, length, "round %d", round);
	}
}
