/*
 * Frames on the wire: COBS(seq:u16le, type:u8, payload, crc32:u32le) then 0x00.
 *
 * The CRC covers seq, type and payload. The decoder is fed one byte at a
 * time (as a UART delivers them) and resynchronises on the next 0x00 after
 * any damage, so one corrupted byte costs one frame, never the stream.
 * Portable C99, no I/O: compiled into host and firmware. docs/protocol.md
 * describes the bytes.
 */
#ifndef PROTO_FRAME_H
#define PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "cobs.h"

#define FRAME_MAX_PAYLOAD 512u
#define FRAME_HEADER_SIZE 3u /* seq (2) + type (1) */
#define FRAME_CRC_SIZE	  4u
#define FRAME_MAX_RAW	  (FRAME_HEADER_SIZE + FRAME_MAX_PAYLOAD + FRAME_CRC_SIZE)
/* Encoded size including the trailing 0x00 delimiter. */
#define FRAME_MAX_ENCODED (COBS_MAX_ENCODED(FRAME_MAX_RAW) + 1u)
#define FRAME_DELIMITER	  0x00u

struct frame {
	uint16_t seq;
	uint8_t type;
	uint16_t length; /* payload bytes used */
	uint8_t payload[FRAME_MAX_PAYLOAD];
};

enum frame_result {
	FRAME_PENDING = 0,	   /* need more bytes */
	FRAME_READY = 1,	   /* a frame was decoded into *out */
	FRAME_ERROR_CRC = -1,	   /* bytes arrived but the CRC does not match */
	FRAME_ERROR_ENCODING = -2, /* not valid COBS */
	FRAME_ERROR_SHORT = -3,	   /* fewer bytes than header + CRC (truncated) */
	FRAME_ERROR_OVERFLOW = -4, /* longer than the largest frame */
};

/* Encodes `frame` with its delimiter. Returns bytes written, 0 if `capacity`
 * is too small or the payload length is out of range. */
size_t frame_encode(const struct frame *frame, uint8_t *out, size_t capacity);

struct frame_decoder {
	uint8_t buffer[FRAME_MAX_ENCODED];
	size_t used;
	int overflowed; /* drop bytes until the next delimiter */
};

void frame_decoder_init(struct frame_decoder *decoder);

/* Feeds one byte. On FRAME_READY *out holds the frame; on an error the
 * damaged frame is dropped and decoding continues with the next byte. */
enum frame_result frame_decoder_push(struct frame_decoder *decoder, uint8_t byte,
				     struct frame *out);

/* A short name for a result, for error messages. */
const char *frame_result_name(enum frame_result result);

#endif
