/*
 * CRC-32 (target-fw/proto/crc32.c): published check values of CRC-32/ISO-HDLC
 * (the zlib CRC), chunked updates, and agreement with a bit-at-a-time
 * reference on pseudo-random buffers (the unit binary links no zlib).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "crc32.h"

/* Slowest possible form of the same CRC, one bit at a time, so it shares
 * nothing with the nibble table under test. */
static uint32_t crc32_test_bitwise(const uint8_t *data, size_t length)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < length; i++) {
		crc ^= data[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
	}
	return crc ^ 0xFFFFFFFFu;
}

static uint32_t crc32_test_random(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

struct crc32_test_vector {
	const char *text;
	size_t length;
	uint32_t crc;
};

Test(crc32, published_check_values)
{
	static const struct crc32_test_vector vectors[] = {
	    {"", 0, 0x00000000u},
	    {"a", 1, 0xE8B7BE43u},
	    {"abc", 3, 0x352441C2u},
	    {"123456789", 9, 0xCBF43926u},
	    {"message digest", 14, 0x20159D7Fu},
	    {"abcdefghijklmnopqrstuvwxyz", 26, 0x4C2750BDu},
	    {"The quick brown fox jumps over the lazy dog", 43, 0x414FA339u},
	};

	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		uint32_t got = crc32_compute(vectors[i].text, vectors[i].length);
		cr_expect_eq(got, vectors[i].crc, "crc32(\"%s\"): expected 0x%08X, got 0x%08X",
			     vectors[i].text, (unsigned)vectors[i].crc, (unsigned)got);
	}
}

Test(crc32, published_values_for_constant_blocks)
{
	uint8_t block[32];

	memset(block, 0x00, sizeof block);
	cr_expect_eq(crc32_compute(block, sizeof block), 0x190A55ADu);
	memset(block, 0xFF, sizeof block);
	cr_expect_eq(crc32_compute(block, sizeof block), 0xFF6CAB0Bu);
}

Test(crc32, empty_update_keeps_the_crc)
{
	uint32_t crc = crc32_compute("123456789", 9);

	cr_expect_eq(crc32_update(crc, "", 0), crc);
	cr_expect_eq(crc32_update(0, NULL, 0), 0u);
}

Test(crc32, chunked_updates_equal_one_shot)
{
	static const char text[] = "The quick brown fox jumps over the lazy dog";
	const size_t length = sizeof text - 1;

	for (size_t split = 0; split <= length; split++) {
		uint32_t crc = crc32_update(0, text, split);
		crc = crc32_update(crc, text + split, length - split);
		cr_expect_eq(crc, 0x414FA339u, "split at %zu: got 0x%08X", split, (unsigned)crc);
	}
	/* One byte at a time. */
	uint32_t crc = 0;
	for (size_t i = 0; i < length; i++)
		crc = crc32_update(crc, text + i, 1);
	cr_expect_eq(crc, 0x414FA339u);
}

Test(crc32, matches_bitwise_reference_on_random_buffers)
{
	static uint8_t buffer[2048];
	uint32_t state = 12345u;

	for (size_t i = 0; i < sizeof buffer; i++)
		buffer[i] = (uint8_t)crc32_test_random(&state);
	for (size_t length = 0; length <= sizeof buffer; length += 1 + length / 3) {
		uint32_t expected = crc32_test_bitwise(buffer, length);
		cr_expect_eq(crc32_compute(buffer, length), expected, "length %zu", length);
	}
}

Test(crc32, appended_crc_gives_the_fixed_residue)
{
	/* A buffer followed by its own CRC (little-endian) always has the
	 * CRC 0x2144DF1C: a property of CRC-32, independent of the data. */
	uint8_t buffer[64];
	uint32_t state = 99u;

	for (size_t length = 0; length + 4 <= sizeof buffer; length += 7) {
		for (size_t i = 0; i < length; i++)
			buffer[i] = (uint8_t)crc32_test_random(&state);
		uint32_t crc = crc32_compute(buffer, length);
		for (int i = 0; i < 4; i++)
			buffer[length + i] = (uint8_t)(crc >> (8 * i));
		cr_expect_eq(crc32_compute(buffer, length + 4), 0x2144DF1Cu, "length %zu", length);
	}
}

Test(crc32, detects_every_single_bit_flip)
{
	uint8_t buffer[32];
	uint32_t state = 7u;

	for (size_t i = 0; i < sizeof buffer; i++)
		buffer[i] = (uint8_t)crc32_test_random(&state);
	const uint32_t clean = crc32_compute(buffer, sizeof buffer);
	for (size_t i = 0; i < sizeof buffer; i++) {
		for (int bit = 0; bit < 8; bit++) {
			buffer[i] ^= (uint8_t)(1u << bit);
			cr_expect_neq(crc32_compute(buffer, sizeof buffer), clean,
				      "byte %zu bit %d", i, bit);
			buffer[i] ^= (uint8_t)(1u << bit);
		}
	}
}
