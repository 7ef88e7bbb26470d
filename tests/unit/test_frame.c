/*
 * Frames (target-fw/proto/frame.c): round trips fed byte by byte, and every
 * kind of line damage: each must be reported as an error, must never yield
 * a frame with different content, and must cost at most the damaged frame
 * (plus the next one when the delimiter itself is lost).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "crc32.h"
#include "frame.h"
#include "messages.h"

/* Enough for a few frames back to back plus damage. */
#define FRAME_TEST_STREAM (8 * FRAME_MAX_ENCODED)

static uint32_t frame_test_random(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Payload with zeros and 0xFF mixed in, so encodings have several blocks. */
static void frame_test_fill(struct frame *frame, uint16_t seq, uint8_t type, uint16_t length,
			    uint32_t seed)
{
	memset(frame, 0, sizeof *frame);
	frame->seq = seq;
	frame->type = type;
	frame->length = length;
	for (uint16_t i = 0; i < length; i++) {
		uint32_t r = frame_test_random(&seed);
		frame->payload[i] = (uint8_t)(r % 7 == 0 ? 0 : r % 11 == 0 ? 0xFF : r >> 4);
	}
}

static int frame_test_same(const struct frame *a, const struct frame *b)
{
	return a->seq == b->seq && a->type == b->type && a->length == b->length &&
	       memcmp(a->payload, b->payload, a->length) == 0;
}

struct frame_test_log {
	int ready;
	int errors;
	int pending;
	int by_kind[5]; /* indexed by -result for the errors */
	struct frame frames[4];
};

/* Feeds bytes one at a time as a UART would and records every result. */
static void frame_test_feed(struct frame_decoder *decoder, const uint8_t *bytes, size_t length,
			    struct frame_test_log *log)
{
	static struct frame out;

	for (size_t i = 0; i < length; i++) {
		enum frame_result result = frame_decoder_push(decoder, bytes[i], &out);
		if (result == FRAME_READY) {
			if (log->ready < 4)
				log->frames[log->ready] = out;
			log->ready++;
		} else if (result == FRAME_PENDING) {
			log->pending++;
		} else {
			cr_assert(result >= FRAME_ERROR_OVERFLOW, "unknown result %d", (int)result);
			log->errors++;
			log->by_kind[-result]++;
		}
	}
}

static size_t frame_test_encode(const struct frame *frame, uint8_t *out)
{
	size_t length = frame_encode(frame, out, FRAME_MAX_ENCODED);
	cr_assert_gt(length, 1, "frame_encode failed for length %u", frame->length);
	return length;
}

static void frame_test_round_trip(uint16_t length)
{
	static struct frame in;
	static struct frame out;
	static uint8_t wire[FRAME_MAX_ENCODED];
	struct frame_decoder decoder;
	size_t wire_length;

	frame_test_fill(&in, (uint16_t)(0xA500 + length), 0x42, length, length + 1u);
	wire_length = frame_test_encode(&in, wire);
	cr_assert_leq(wire_length, FRAME_MAX_ENCODED);
	cr_assert_eq(wire[wire_length - 1], FRAME_DELIMITER);
	cr_assert_eq(memchr(wire, 0, wire_length - 1), NULL, "0x00 inside the frame");

	frame_decoder_init(&decoder);
	for (size_t i = 0; i + 1 < wire_length; i++)
		cr_assert_eq(frame_decoder_push(&decoder, wire[i], &out), FRAME_PENDING,
			     "length %u: byte %zu", length, i);
	cr_assert_eq(frame_decoder_push(&decoder, wire[wire_length - 1], &out), FRAME_READY,
		     "length %u", length);
	cr_assert(frame_test_same(&in, &out), "length %u: decoded frame differs", length);
}

Test(frame, round_trip_lengths)
{
	frame_test_round_trip(0);
	frame_test_round_trip(1);
	frame_test_round_trip(2);
	frame_test_round_trip(250);
	frame_test_round_trip(511);
	frame_test_round_trip(512);
}

Test(frame, seq_and_type_extremes)
{
	static struct frame in;
	static struct frame out;
	static uint8_t wire[FRAME_MAX_ENCODED];
	static const uint16_t seqs[] = {0x0000, 0x0001, 0x00FF, 0xFF00, 0xFFFF};
	static const uint8_t types[] = {0x00, 0x01, 0x7F, 0x80, 0xFF};
	struct frame_decoder decoder;

	for (size_t s = 0; s < 5; s++) {
		for (size_t t = 0; t < 5; t++) {
			struct frame_test_log log = {0};
			frame_test_fill(&in, seqs[s], types[t], 5, (uint32_t)(s * 5 + t));
			size_t length = frame_test_encode(&in, wire);
			frame_decoder_init(&decoder);
			frame_test_feed(&decoder, wire, length, &log);
			cr_assert_eq(log.ready, 1);
			out = log.frames[0];
			cr_expect(frame_test_same(&in, &out), "seq 0x%04X type 0x%02X", seqs[s],
				  types[t]);
		}
	}
}

Test(frame, encode_refuses_too_long_payload_and_small_buffer)
{
	static struct frame in;
	static uint8_t wire[FRAME_MAX_ENCODED + 16];

	frame_test_fill(&in, 1, 2, FRAME_MAX_PAYLOAD, 3);
	in.length = FRAME_MAX_PAYLOAD + 1;
	cr_expect_eq(frame_encode(&in, wire, sizeof wire), 0u);
	in.length = 0xFFFF;
	cr_expect_eq(frame_encode(&in, wire, sizeof wire), 0u);
	in.length = FRAME_MAX_PAYLOAD;
	cr_expect_gt(frame_encode(&in, wire, FRAME_MAX_ENCODED), 0u);
	cr_expect_eq(frame_encode(&in, wire, 0), 0u);
	cr_expect_eq(frame_encode(&in, wire, 10), 0u);
}

Test(frame, known_bytes_of_hello_request)
{
	/* seq 1, MSG_HELLO, payload u16 1: the worked example of
	 * docs/protocol.md. Raw bytes 01 00 01 01 00, CRC 0xE39B85DB. */
	static const uint8_t expected[] = {0x02, 0x01, 0x03, 0x01, 0x01, 0x05,
					   0xDB, 0x85, 0x9B, 0xE3, 0x00};
	static struct frame in;
	uint8_t wire[FRAME_MAX_ENCODED];
	const uint8_t raw[] = {0x01, 0x00, 0x01, 0x01, 0x00};

	cr_assert_eq(crc32_compute(raw, sizeof raw), 0xE39B85DBu);
	memset(&in, 0, sizeof in);
	in.seq = 1;
	in.type = 0x01;
	in.length = 2;
	in.payload[0] = 0x01;
	cr_assert_eq(frame_encode(&in, wire, sizeof wire), sizeof expected);
	cr_expect_arr_eq(wire, expected, sizeof expected);
}

Test(frame, known_bytes_of_current_hello)
{
	/* The worked example of docs/protocol.md: seq 1, MSG_HELLO, version 5. */
	static const uint8_t expected[] = {0x02, 0x01, 0x03, 0x01, 0x05, 0x05,
					   0xDF, 0x40, 0xF7, 0x87, 0x00};
	static struct frame in;
	uint8_t wire[FRAME_MAX_ENCODED];

	memset(&in, 0, sizeof in);
	in.seq = 1;
	in.type = MSG_HELLO;
	in.length = 2;
	le_put_u16(in.payload, PROTO_VERSION);
	cr_assert_eq(frame_encode(&in, wire, sizeof wire), sizeof expected);
	cr_expect_arr_eq(wire, expected, sizeof expected);
}

Test(frame, back_to_back_with_idle_delimiters)
{
	static struct frame frames[5];
	static uint8_t stream[FRAME_TEST_STREAM];
	static struct frame_test_log log;
	static const uint16_t lengths[5] = {0, 1, 100, 512, 7};
	struct frame_decoder decoder;
	size_t used = 0;

	stream[used++] = 0x00; /* idle delimiters before anything */
	stream[used++] = 0x00;
	stream[used++] = 0x00;
	for (int i = 0; i < 5; i++) {
		frame_test_fill(&frames[i], (uint16_t)i, (uint8_t)(0x80 + i), lengths[i], 77u + i);
		used += frame_test_encode(&frames[i], stream + used);
		if (i == 2)
			stream[used++] = 0x00; /* an idle delimiter between frames */
	}
	frame_decoder_init(&decoder);
	memset(&log, 0, sizeof log);
	frame_test_feed(&decoder, stream, 3, &log);
	cr_assert_eq(log.pending, 3, "idle delimiters must be silent");
	cr_assert_eq(log.errors, 0);

	/* Feed the frames one by one to check each result in order. */
	struct frame out;
	size_t at = 3;
	for (int i = 0; i < 5; i++) {
		enum frame_result result = FRAME_PENDING;
		while (result == FRAME_PENDING) {
			cr_assert_lt(at, used);
			result = frame_decoder_push(&decoder, stream[at++], &out);
		}
		cr_assert_eq(result, FRAME_READY, "frame %d: %s", i, frame_result_name(result));
		cr_expect(frame_test_same(&frames[i], &out), "frame %d differs", i);
	}
	/* Only the idle delimiter after frame 2 may remain, and it is silent. */
	while (at < used)
		cr_expect_eq(frame_decoder_push(&decoder, stream[at++], &out), FRAME_PENDING);
}

/*
 * Feeds `damaged` followed by the good frames `next` and `after`, then
 * checks: no frame other than `next`/`after` came out, something was
 * reported as an error, `after` decoded, and `next` decoded unless the
 * damage may have swallowed it (`next_may_be_lost`).
 */
static void frame_test_damage(const uint8_t *damaged, size_t damaged_length,
			      const struct frame *next, const uint8_t *next_wire,
			      size_t next_length, const struct frame *after,
			      const uint8_t *after_wire, size_t after_length, int next_may_be_lost,
			      const char *what, size_t where)
{
	static struct frame_test_log log;
	struct frame_decoder decoder;
	int saw_next = 0;
	int saw_after = 0;

	memset(&log, 0, sizeof log);
	frame_decoder_init(&decoder);
	frame_test_feed(&decoder, damaged, damaged_length, &log);
	cr_assert_eq(log.ready, 0, "%s at %zu: a damaged frame was accepted", what, where);
	frame_test_feed(&decoder, next_wire, next_length, &log);
	frame_test_feed(&decoder, after_wire, after_length, &log);
	cr_assert_leq(log.ready, 2, "%s at %zu", what, where);
	for (int i = 0; i < log.ready; i++) {
		if (frame_test_same(&log.frames[i], next))
			saw_next = 1;
		else if (frame_test_same(&log.frames[i], after))
			saw_after = 1;
		else
			cr_assert_fail("%s at %zu: decoded a frame that was never sent", what,
				       where);
	}
	cr_assert_geq(log.errors, 1, "%s at %zu: damage went unreported", what, where);
	cr_assert_eq(log.by_kind[-FRAME_ERROR_OVERFLOW], 0, "%s at %zu: reported as overflow", what,
		     where);
	cr_assert(saw_after, "%s at %zu: decoder did not recover", what, where);
	if (!next_may_be_lost)
		cr_assert(saw_next, "%s at %zu: the next good frame was lost", what, where);
}

struct frame_test_pair {
	struct frame victim;
	struct frame next;
	struct frame after;
	uint8_t victim_wire[FRAME_MAX_ENCODED];
	uint8_t next_wire[FRAME_MAX_ENCODED];
	uint8_t after_wire[FRAME_MAX_ENCODED];
	size_t victim_length;
	size_t next_length;
	size_t after_length;
	uint8_t damaged[FRAME_MAX_ENCODED + 2];
};

static void frame_test_prepare(struct frame_test_pair *p, uint16_t victim_length)
{
	frame_test_fill(&p->victim, 0x1234, 0x03, victim_length, 5u + victim_length);
	frame_test_fill(&p->next, 0x1235, 0x83, 9, 6);
	frame_test_fill(&p->after, 0x1236, 0x84, 3, 7);
	p->victim_length = frame_test_encode(&p->victim, p->victim_wire);
	p->next_length = frame_test_encode(&p->next, p->next_wire);
	p->after_length = frame_test_encode(&p->after, p->after_wire);
}

static void frame_test_every_bit_flip(uint16_t payload_length)
{
	static struct frame_test_pair p;

	frame_test_prepare(&p, payload_length);
	for (size_t at = 0; at < p.victim_length; at++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p.damaged, p.victim_wire, p.victim_length);
			p.damaged[at] ^= (uint8_t)(1u << bit);
			/* A flipped delimiter merges the victim with the next frame. */
			frame_test_damage(p.damaged, p.victim_length, &p.next, p.next_wire,
					  p.next_length, &p.after, p.after_wire, p.after_length,
					  at == p.victim_length - 1, "bit flip",
					  at * 8 + (size_t)bit);
		}
	}
}

Test(frame, every_single_bit_flip_is_detected_short_frame)
{
	frame_test_every_bit_flip(0);
	frame_test_every_bit_flip(12);
}

Test(frame, every_single_bit_flip_is_detected_long_frame)
{
	frame_test_every_bit_flip(300); /* more than one 254-byte COBS block */
}

Test(frame, truncated_frames_are_detected)
{
	static struct frame_test_pair p;

	frame_test_prepare(&p, 40);
	/* Keep the first `kept` bytes, then a delimiter arrives early. */
	for (size_t kept = 1; kept + 1 < p.victim_length; kept++) {
		memcpy(p.damaged, p.victim_wire, kept);
		p.damaged[kept] = FRAME_DELIMITER;
		frame_test_damage(p.damaged, kept + 1, &p.next, p.next_wire, p.next_length,
				  &p.after, p.after_wire, p.after_length, 0, "truncation", kept);
	}
}

Test(frame, short_frames_are_reported_as_short)
{
	/* Valid COBS holding fewer than header + CRC bytes. */
	static const uint8_t shorts[][8] = {
	    {0x01, 0x00},
	    {0x02, 0x11, 0x00},
	    {0x07, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x00},
	};
	static const size_t lengths[] = {2, 3, 8};
	struct frame_decoder decoder;
	struct frame out;

	for (size_t i = 0; i < 3; i++) {
		enum frame_result result = FRAME_PENDING;
		frame_decoder_init(&decoder);
		for (size_t j = 0; j < lengths[i]; j++)
			result = frame_decoder_push(&decoder, shorts[i][j], &out);
		cr_expect_eq(result, FRAME_ERROR_SHORT, "case %zu: got %s", i,
			     frame_result_name(result));
	}
}

Test(frame, dropped_byte_is_detected)
{
	static struct frame_test_pair p;

	frame_test_prepare(&p, 40);
	for (size_t at = 0; at + 1 < p.victim_length; at++) {
		memcpy(p.damaged, p.victim_wire, at);
		memcpy(p.damaged + at, p.victim_wire + at + 1, p.victim_length - at - 1);
		frame_test_damage(p.damaged, p.victim_length - 1, &p.next, p.next_wire,
				  p.next_length, &p.after, p.after_wire, p.after_length, 0,
				  "dropped byte", at);
	}
}

Test(frame, inserted_byte_is_detected)
{
	static struct frame_test_pair p;
	static const uint8_t inserts[] = {0x01, 0x55, 0xFF};

	frame_test_prepare(&p, 40);
	for (size_t k = 0; k < sizeof inserts; k++) {
		for (size_t at = 0; at < p.victim_length; at++) {
			memcpy(p.damaged, p.victim_wire, at);
			p.damaged[at] = inserts[k];
			memcpy(p.damaged + at + 1, p.victim_wire + at, p.victim_length - at);
			frame_test_damage(p.damaged, p.victim_length + 1, &p.next, p.next_wire,
					  p.next_length, &p.after, p.after_wire, p.after_length, 0,
					  "inserted byte", at * 256 + inserts[k]);
		}
	}
}

Test(frame, inserted_delimiter_never_yields_a_wrong_frame)
{
	static struct frame_test_pair p;
	static struct frame_test_log log;
	struct frame_decoder decoder;

	frame_test_prepare(&p, 40);
	/* A 0x00 inserted before the first byte or next to the final delimiter
	 * is just an idle delimiter; anywhere else it cuts the frame in two
	 * damaged halves. */
	for (size_t at = 0; at < p.victim_length; at++) {
		memcpy(p.damaged, p.victim_wire, at);
		p.damaged[at] = FRAME_DELIMITER;
		memcpy(p.damaged + at + 1, p.victim_wire + at, p.victim_length - at);
		memset(&log, 0, sizeof log);
		frame_decoder_init(&decoder);
		frame_test_feed(&decoder, p.damaged, p.victim_length + 1, &log);
		const int harmless = at == 0 || at == p.victim_length - 1;
		if (harmless) {
			cr_assert_eq(log.ready, 1);
			cr_assert(frame_test_same(&log.frames[0], &p.victim));
			cr_assert_eq(log.errors, 0);
		} else {
			cr_assert_eq(log.ready, 0, "delimiter inserted at %zu", at);
			cr_assert_geq(log.errors, 1, "delimiter inserted at %zu", at);
		}
		frame_test_feed(&decoder, p.next_wire, p.next_length, &log);
		cr_assert_eq(log.ready, harmless ? 2 : 1);
		cr_assert(frame_test_same(&log.frames[log.ready - 1], &p.next));
	}
}

Test(frame, oversized_frame_overflows_and_recovers)
{
	static struct frame_test_pair p;
	static uint8_t garbage[5000];
	static struct frame_test_log log;
	static const size_t lengths[] = {FRAME_MAX_ENCODED, FRAME_MAX_ENCODED + 1, 600, 5000};
	struct frame_decoder decoder;

	frame_test_prepare(&p, 20);
	memset(garbage, 0x55, sizeof garbage);
	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		memset(&log, 0, sizeof log);
		frame_decoder_init(&decoder);
		frame_test_feed(&decoder, garbage, lengths[i], &log);
		cr_assert_eq(log.errors + log.ready, 0, "no result before the delimiter");
		frame_test_feed(&decoder, (const uint8_t[]){FRAME_DELIMITER}, 1, &log);
		cr_expect_eq(log.errors, 1, "%zu bytes", lengths[i]);
		if (lengths[i] > FRAME_MAX_ENCODED)
			cr_expect_eq(log.by_kind[-FRAME_ERROR_OVERFLOW], 1, "%zu bytes",
				     lengths[i]);
		frame_test_feed(&decoder, p.next_wire, p.next_length, &log);
		cr_assert_eq(log.ready, 1, "%zu bytes: no recovery", lengths[i]);
		cr_assert(frame_test_same(&log.frames[0], &p.next));
	}
}

Test(frame, valid_cobs_of_too_long_payload_overflows)
{
	/* A correct frame layout (CRC included) but with 513 payload bytes:
	 * its 523 encoded bytes still fit the buffer, the length check must
	 * refuse it. */
	static uint8_t raw[FRAME_HEADER_SIZE + FRAME_MAX_PAYLOAD + 1 + FRAME_CRC_SIZE];
	static uint8_t wire[COBS_MAX_ENCODED(sizeof raw) + 1];
	static struct frame_test_pair p;
	static struct frame_test_log log;
	const size_t payload_end = FRAME_HEADER_SIZE + FRAME_MAX_PAYLOAD + 1;
	struct frame_decoder decoder;

	for (size_t i = 0; i < payload_end; i++)
		raw[i] = (uint8_t)(1 + i % 200);
	uint32_t crc = crc32_compute(raw, payload_end);
	for (int i = 0; i < 4; i++)
		raw[payload_end + i] = (uint8_t)(crc >> (8 * i));
	size_t length = cobs_encode(raw, sizeof raw, wire, sizeof wire - 1);
	cr_assert_gt(length, 0);
	cr_assert_leq(length, FRAME_MAX_ENCODED, "must fit so the decode path is taken");
	wire[length++] = FRAME_DELIMITER;

	frame_test_prepare(&p, 1);
	memset(&log, 0, sizeof log);
	frame_decoder_init(&decoder);
	frame_test_feed(&decoder, wire, length, &log);
	cr_expect_eq(log.ready, 0);
	cr_expect_eq(log.by_kind[-FRAME_ERROR_OVERFLOW], 1);
	frame_test_feed(&decoder, p.next_wire, p.next_length, &log);
	cr_assert_eq(log.ready, 1);
	cr_assert(frame_test_same(&log.frames[0], &p.next));
}

Test(frame, garbage_before_a_good_frame)
{
	static struct frame_test_pair p;
	static struct frame_test_log log;
	static uint8_t noise[20000];
	uint32_t state = 4242u;
	struct frame_decoder decoder;

	frame_test_prepare(&p, 64);
	for (size_t i = 0; i < sizeof noise; i++) {
		uint32_t r = frame_test_random(&state);
		/* Roughly one delimiter per 100 bytes, so noise forms many
		 * candidate frames of plausible sizes. */
		noise[i] = (uint8_t)(r % 100 == 0 ? 0 : 1 + (r >> 8) % 255);
	}
	noise[sizeof noise - 1] = 0x55;
	noise[999] = 0x55;
	memset(&log, 0, sizeof log);
	frame_decoder_init(&decoder);
	frame_test_feed(&decoder, noise, sizeof noise, &log);
	cr_assert_eq(log.ready, 0, "noise decoded as a frame");
	cr_assert_gt(log.errors, 50);
	/* The noise does not end in a delimiter: the next frame merges with it
	 * and is lost, the one after comes through. */
	frame_test_feed(&decoder, p.next_wire, p.next_length, &log);
	frame_test_feed(&decoder, p.victim_wire, p.victim_length, &log);
	cr_assert_eq(log.ready, 1);
	cr_assert(frame_test_same(&log.frames[0], &p.victim));
	/* Noise ended by a delimiter costs nothing. */
	frame_test_feed(&decoder, noise, 1000, &log);
	frame_test_feed(&decoder, (const uint8_t[]){FRAME_DELIMITER}, 1, &log);
	frame_test_feed(&decoder, p.next_wire, p.next_length, &log);
	cr_assert_eq(log.ready, 2);
	cr_assert(frame_test_same(&log.frames[1], &p.next));
}

Test(frame, result_names)
{
	cr_expect_str_eq(frame_result_name(FRAME_PENDING), "incomplete frame");
	cr_expect_str_eq(frame_result_name(FRAME_READY), "frame ok");
	cr_expect_str_eq(frame_result_name(FRAME_ERROR_CRC), "CRC mismatch");
	cr_expect_str_eq(frame_result_name(FRAME_ERROR_ENCODING), "invalid COBS encoding");
	cr_expect_str_eq(frame_result_name(FRAME_ERROR_SHORT), "truncated frame");
	cr_expect_str_eq(frame_result_name(FRAME_ERROR_OVERFLOW), "frame too long");
	cr_expect_str_eq(frame_result_name((enum frame_result)7), "unknown frame error");
}
