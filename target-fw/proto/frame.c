#include "frame.h"

#include <string.h>

#include "byte_order.h"
#include "crc32.h"

size_t frame_encode(const struct frame *frame, uint8_t *out, size_t capacity)
{
	uint8_t raw[FRAME_MAX_RAW];
	size_t raw_length;
	size_t encoded;

	if (frame->length > FRAME_MAX_PAYLOAD)
		return 0;
	le_put_u16(raw, frame->seq);
	raw[2] = frame->type;
	memcpy(raw + FRAME_HEADER_SIZE, frame->payload, frame->length);
	raw_length = FRAME_HEADER_SIZE + frame->length;
	le_put_u32(raw + raw_length, crc32_compute(raw, raw_length));
	raw_length += FRAME_CRC_SIZE;

	if (capacity < 1)
		return 0;
	encoded = cobs_encode(raw, raw_length, out, capacity - 1);
	if (encoded == 0)
		return 0;
	out[encoded] = FRAME_DELIMITER;
	return encoded + 1;
}

void frame_decoder_init(struct frame_decoder *decoder)
{
	decoder->used = 0;
	decoder->overflowed = 0;
}

static enum frame_result decode_buffer(struct frame_decoder *decoder, struct frame *out)
{
	/* Decoding in place is safe: COBS output never overtakes its input. */
	long raw_length =
	    cobs_decode(decoder->buffer, decoder->used, decoder->buffer, sizeof decoder->buffer);
	const uint8_t *raw = decoder->buffer;
	size_t payload_length;

	if (raw_length < 0)
		return FRAME_ERROR_ENCODING;
	if ((size_t)raw_length < FRAME_HEADER_SIZE + FRAME_CRC_SIZE)
		return FRAME_ERROR_SHORT;
	payload_length = (size_t)raw_length - FRAME_HEADER_SIZE - FRAME_CRC_SIZE;
	if (payload_length > FRAME_MAX_PAYLOAD)
		return FRAME_ERROR_OVERFLOW;
	if (crc32_compute(raw, (size_t)raw_length - FRAME_CRC_SIZE) !=
	    le_get_u32(raw + raw_length - FRAME_CRC_SIZE))
		return FRAME_ERROR_CRC;
	out->seq = le_get_u16(raw);
	out->type = raw[2];
	out->length = (uint16_t)payload_length;
	memcpy(out->payload, raw + FRAME_HEADER_SIZE, payload_length);
	return FRAME_READY;
}

enum frame_result frame_decoder_push(struct frame_decoder *decoder, uint8_t byte, struct frame *out)
{
	enum frame_result result;

	if (byte != FRAME_DELIMITER) {
		if (decoder->overflowed)
			return FRAME_PENDING;
		if (decoder->used == sizeof decoder->buffer) {
			decoder->overflowed = 1;
			return FRAME_PENDING;
		}
		decoder->buffer[decoder->used++] = byte;
		return FRAME_PENDING;
	}
	if (decoder->overflowed)
		result = FRAME_ERROR_OVERFLOW;
	else if (decoder->used == 0)
		result = FRAME_PENDING; /* idle delimiters resynchronise the line */
	else
		result = decode_buffer(decoder, out);
	frame_decoder_init(decoder);
	return result;
}

const char *frame_result_name(enum frame_result result)
{
	switch (result) {
	case FRAME_PENDING: return "incomplete frame";
	case FRAME_READY: return "frame ok";
	case FRAME_ERROR_CRC: return "CRC mismatch";
	case FRAME_ERROR_ENCODING: return "invalid COBS encoding";
	case FRAME_ERROR_SHORT: return "truncated frame";
	case FRAME_ERROR_OVERFLOW: return "frame too long";
	}
	return "unknown frame error";
}
