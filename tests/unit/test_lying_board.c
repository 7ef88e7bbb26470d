/* The host protocol client against a board that lies: garbage, frames
 * longer than any frame, a HELLO that lies about its version or is cut
 * short, replies with the wrong sequence numbers, acknowledgements and
 * outputs that are not what was asked. The host must end with a clear
 * error (or recover, where the protocol allows), in bounded time, and
 * never take a wrong value. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/error.h"
#include "link/session.h"
#include "test_line.h"

/* The lie the board tells to every request (LIE_NONE: none). */
enum lie {
	LIE_NONE,
	LIE_GARBAGE,	   /* bytes that are no frame, with delimiters */
	LIE_OVERLONG,	   /* one frame longer than FRAME_MAX_ENCODED */
	LIE_OVERLONG_ONCE, /* that, then honest replies */
	LIE_VERSION,	   /* HELLO with another protocol version */
	LIE_SHORT_HELLO,   /* HELLO_REPLY cut to half its length */
	LIE_SEQ,	   /* every reply carries seq + 1 */
	LIE_OUTPUT_LONG,   /* OUTPUT_DATA with more bytes than asked */
	LIE_OUTPUT_OFFSET, /* OUTPUT_DATA for another offset */
	LIE_ACK_LENGTH,	   /* INPUT_ACK for fewer bytes than sent */
	LIE_WRONG_TYPE,	   /* a reply of another type with the right seq */
};

struct lying_board {
	struct transport base;
	enum lie lie;
	size_t handled;
	struct test_line line;
	struct frame_decoder decoder;
};

static char captured[1024];

static void capture_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(captured, sizeof captured, "%s", message);
}

static void answer(struct lying_board *board, const struct frame *request)
{
	uint8_t payload[FRAME_MAX_PAYLOAD + 64];
	size_t length = 0;
	uint8_t type = request->type | MSG_REPLY_FLAG;
	uint16_t seq = board->lie == LIE_SEQ ? (uint16_t)(request->seq + 1) : request->seq;

	switch (request->type) {
	case MSG_HELLO: {
		struct msg_hello_reply hello = {.protocol_version = PROTO_VERSION,
						.max_payload = FRAME_MAX_PAYLOAD,
						.clock_hz = 25000000,
						.counter_scale_q16 = 1u << 16,
						.input_capacity = 1024,
						.rx_window = 4096};
		if (board->lie == LIE_VERSION)
			hello.protocol_version = PROTO_VERSION + 1;
		strcpy(hello.port, "liar");
		length = msg_hello_reply_encode(&hello, payload, sizeof payload);
		if (board->lie == LIE_SHORT_HELLO)
			length /= 2;
		break;
	}
	case MSG_INPUT_WRITE:
		memcpy(payload, request->payload, 4);
		le_put_u16(payload + 4, (uint16_t)(request->length - 4 -
						   (board->lie == LIE_ACK_LENGTH ? 1 : 0)));
		length = 6;
		break;
	case MSG_OUTPUT_READ: {
		uint32_t offset = le_get_u32(request->payload);
		uint16_t count = le_get_u16(request->payload + 4);
		if (board->lie == LIE_OUTPUT_LONG)
			count = (uint16_t)(count + 16);
		if (count > FRAME_MAX_PAYLOAD - 4)
			count = FRAME_MAX_PAYLOAD - 4;
		le_put_u32(payload, board->lie == LIE_OUTPUT_OFFSET ? offset + 1 : offset);
		for (uint16_t i = 0; i < count; i++)
			payload[4 + i] = (uint8_t)(offset + i);
		length = 4u + count;
		break;
	}
	default: break;
	}
	if (board->lie == LIE_WRONG_TYPE)
		type = request->type == MSG_HELLO ? MSG_OUTPUT_DATA : MSG_HELLO_REPLY;
	test_line_queue(&board->line, seq, type, payload, length, false);
}

static void queue_garbage(struct lying_board *board)
{
	uint8_t bytes[300];
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i * 37u + 11u);
	bytes[100] = FRAME_DELIMITER; /* frames that fail their CRC or COBS */
	bytes[299] = FRAME_DELIMITER;
	test_line_append(&board->line, bytes, sizeof bytes);
}

static void queue_overlong(struct lying_board *board)
{
	static uint8_t bytes[FRAME_MAX_ENCODED * 3];
	memset(bytes, 0x5A, sizeof bytes);
	bytes[sizeof bytes - 1] = FRAME_DELIMITER;
	test_line_append(&board->line, bytes, sizeof bytes);
}

static int lying_write(struct transport *transport, const uint8_t *data, size_t length,
		       int timeout_ms)
{
	struct lying_board *board = (struct lying_board *)transport;
	struct frame request;
	(void)timeout_ms;
	for (size_t i = 0; i < length; i++) {
		if (frame_decoder_push(&board->decoder, data[i], &request) != FRAME_READY)
			continue;
		board->handled++;
		if (board->lie == LIE_GARBAGE)
			queue_garbage(board);
		else if (board->lie == LIE_OVERLONG ||
			 (board->lie == LIE_OVERLONG_ONCE && board->handled == 1))
			queue_overlong(board);
		else
			answer(board, &request);
	}
	return HB_OK;
}

static int lying_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		      int timeout_ms)
{
	return test_line_read(&((struct lying_board *)transport)->line, data, capacity, got,
			      timeout_ms);
}

static const struct transport_driver lying_driver = {
    .name = "lying",
    .write = lying_write,
    .read = lying_read,
};

static struct lying_board board;
static struct session session;
static double began;

static void start(enum lie lie)
{
	memset(&board, 0, sizeof board);
	board.base.driver = &lying_driver;
	board.lie = lie;
	frame_decoder_init(&board.decoder);
	session_init(&session, &board.base, "liar", 300, 3);
	captured[0] = '\0';
	hb_log_set_sink(capture_sink, NULL);
	began = clock_now_seconds();
}

/* Every lie ends within a bound of the session's own timeout. */
static void assert_bounded(void)
{
	double took = clock_now_seconds() - began;
	cr_assert_lt(took, 3.0, "the host took %.2f s to give up", took);
}

static void stop(void)
{
	hb_log_set_sink(NULL, NULL);
}

TestSuite(lying_board, .fini = stop);

Test(lying_board, garbage_is_an_error_not_a_hello)
{
	struct msg_hello_reply hello;
	start(LIE_GARBAGE);
	cr_assert_neq(session_hello(&session, &hello), HB_OK);
	cr_assert_neq(captured[0], '\0', "no error was given");
	cr_assert(strstr(captured, "liar"), "the error does not name the board: %s", captured);
	cr_assert_gt(session.counters.damaged_frames, 0);
	assert_bounded();
}

Test(lying_board, overlong_frames_are_an_error)
{
	struct msg_hello_reply hello;
	start(LIE_OVERLONG);
	cr_assert_neq(session_hello(&session, &hello), HB_OK);
	cr_assert(strstr(captured, "liar"), "%s", captured);
	assert_bounded();
}

Test(lying_board, one_overlong_frame_is_recovered_from)
{
	struct msg_hello_reply hello;
	start(LIE_OVERLONG_ONCE);
	cr_assert_eq(session_hello(&session, &hello), HB_OK, "%s", captured);
	cr_assert_str_eq(hello.port, "liar");
	cr_assert_eq(hello.protocol_version, PROTO_VERSION);
	assert_bounded();
}

Test(lying_board, another_protocol_version_is_refused)
{
	struct msg_hello_reply hello;
	start(LIE_VERSION);
	cr_assert_eq(session_hello(&session, &hello), HB_ERR_PROTOCOL);
	cr_assert(strstr(captured, "speaks protocol version"), "%s", captured);
}

Test(lying_board, a_short_hello_is_malformed)
{
	struct msg_hello_reply hello;
	start(LIE_SHORT_HELLO);
	cr_assert_eq(session_hello(&session, &hello), HB_ERR_PROTOCOL);
	cr_assert(strstr(captured, "malformed HELLO_REPLY"), "%s", captured);
}

Test(lying_board, wrong_sequence_numbers_are_never_taken_as_the_reply)
{
	struct msg_hello_reply hello;
	start(LIE_SEQ);
	cr_assert_neq(session_hello(&session, &hello), HB_OK);
	cr_assert_gt(session.counters.stale_frames, 0);
	cr_assert(strstr(captured, "liar"), "%s", captured);
	assert_bounded();
}

Test(lying_board, a_reply_of_the_wrong_type_is_refused)
{
	struct msg_hello_reply hello;
	start(LIE_WRONG_TYPE);
	cr_assert_neq(session_hello(&session, &hello), HB_OK);
	cr_assert(strstr(captured, "liar"), "%s", captured);
	assert_bounded();
}

/* The output buffer is allocated to the exact size asked, so ASan sees
 * any byte the host would copy past it. */
Test(lying_board, output_longer_than_asked_is_refused_and_not_copied)
{
	uint8_t *output = malloc(100);
	start(LIE_OUTPUT_LONG);
	cr_assert_eq(session_read_output(&session, output, 100, 0), HB_ERR_PROTOCOL);
	cr_assert(strstr(captured, "wrong output chunk"), "%s", captured);
	free(output);
}

Test(lying_board, output_for_another_offset_is_refused)
{
	uint8_t output[100];
	start(LIE_OUTPUT_OFFSET);
	cr_assert_eq(session_read_output(&session, output, sizeof output, 0), HB_ERR_PROTOCOL);
	cr_assert(strstr(captured, "wrong output chunk"), "%s", captured);
}

Test(lying_board, an_acknowledgement_for_fewer_bytes_is_refused)
{
	uint8_t input[100];
	memset(input, 3, sizeof input);
	start(LIE_ACK_LENGTH);
	cr_assert_eq(session_write_input(&session, input, sizeof input, 0), HB_ERR_PROTOCOL);
	cr_assert(strstr(captured, "wrong input chunk"), "%s", captured);
}

Test(lying_board, the_honest_board_passes_the_same_checks)
{
	struct msg_hello_reply hello;
	uint8_t output[100];
	start(LIE_NONE);
	cr_assert_eq(session_hello(&session, &hello), HB_OK, "%s", captured);
	cr_assert_eq(session_read_output(&session, output, sizeof output, 0), HB_OK, "%s",
		     captured);
	for (size_t i = 0; i < sizeof output; i++)
		cr_assert_eq(output[i], (uint8_t)i);
}
