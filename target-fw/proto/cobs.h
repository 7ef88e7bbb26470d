/*
 * Consistent Overhead Byte Stuffing: removes every 0x00 from a block so that
 * 0x00 can delimit frames on the wire. Worst-case overhead is one byte per
 * 254 bytes plus one. Portable C99, no I/O.
 */
#ifndef PROTO_COBS_H
#define PROTO_COBS_H

#include <stddef.h>
#include <stdint.h>

/* Largest encoded size of `length` input bytes (without the delimiter). */
#define COBS_MAX_ENCODED(length) ((length) + (length) / 254 + 1)

/* Encodes `length` bytes of `in` into `out`. Returns the encoded length, or
 * 0 when `capacity` is too small. The output holds no 0x00 and no delimiter. */
size_t cobs_encode(const uint8_t *in, size_t length, uint8_t *out, size_t capacity);

/* Decodes `length` bytes (no delimiter). Returns the decoded length, or -1
 * when the input is not valid COBS (a 0x00 inside, a code running past the
 * end) or does not fit in `capacity`. `out` may equal `in` (in place). */
long cobs_decode(const uint8_t *in, size_t length, uint8_t *out, size_t capacity);

#endif
