/* The host protocol client against a scripted fake board: damaged replies,
 * damaged requests, silence, stale and error replies, and the time bound. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/error.h"
#include "link/session.h"
#include "test_line.h"

/* What the fake board does with each request it reads, in order:
 * 'o' answer, 'c' answer with one byte damaged, 's' stay silent,
 * 'b' answer "bad frame" (seq 0xFFFF), 't' send a stale reply then answer,
 * 'e' answer MSG_ERROR unknown type, 'p' announce a boot (MSG_BOOT) then
 * answer, 'B' announce a boot and stay silent (a board that reset itself).
 * Past the script: 'o'. */
struct fake_board {
	struct transport base;
	const char *script;
	size_t handled;
	uint16_t seqs[32];
	struct test_line line;
	struct frame_decoder decoder;
	bool closed; /* 'x': the reply was lost and the board closed the line */
};

static char captured[1024];

static void capture_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(captured, sizeof captured, "%s", message);
}

static void queue_frame(struct fake_board *board, uint16_t seq, uint8_t type,
			const uint8_t *payload, size_t length, int damage)
{
	test_line_queue(&board->line, seq, type, payload, length, damage);
}

static void announce_boot(struct fake_board *board)
{
	const struct msg_boot boot = {.protocol_version = PROTO_VERSION,
				      .build_id = 0x1234abcd,
				      .reset_cause = MSG_RESET_CAUSE_WATCHDOG};
	uint8_t payload[MSG_BOOT_SIZE];

	queue_frame(board, MSG_BOOT_SEQ, MSG_BOOT, payload,
		    msg_boot_encode(&boot, payload, sizeof payload), 0);
}

static void answer(struct fake_board *board, const struct frame *request, int damage)
{
	uint8_t payload[FRAME_MAX_PAYLOAD];
	size_t length = 0;
	uint8_t type = request->type | MSG_REPLY_FLAG;

	switch (request->type) {
	case MSG_HELLO: {
		struct msg_hello_reply hello = {.protocol_version = PROTO_VERSION,
						.max_payload = FRAME_MAX_PAYLOAD,
						.clock_hz = 25000000,
						.counter_scale_q16 = 40u << 16,
						.model_macs = 16384};
		strcpy(hello.port, "fake");
		length = msg_hello_reply_encode(&hello, payload, sizeof payload);
		break;
	}
	case MSG_INPUT_WRITE:
		memcpy(payload, request->payload, 4);
		le_put_u16(payload + 4, (uint16_t)(request->length - 4));
		length = 6;
		break;
	case MSG_INVOKE: {
		struct msg_invoke_reply invoke = {.runs = le_get_u16(request->payload),
						  .stack_high_water = 512};
		for (int i = 0; i < invoke.runs; i++)
			invoke.ticks[i] = 1000 + (uint64_t)i;
		length = msg_invoke_reply_encode(&invoke, payload, sizeof payload);
		break;
	}
	case MSG_OUTPUT_READ: {
		uint32_t offset = le_get_u32(request->payload);
		uint16_t count = le_get_u16(request->payload + 4);
		memcpy(payload, request->payload, 4);
		for (uint16_t i = 0; i < count; i++)
			payload[4 + i] = (uint8_t)(offset + i);
		length = 4u + count;
		break;
	}
	default: break;
	}
	queue_frame(board, request->seq, type, payload, length, damage);
}

static int fake_write(struct transport *transport, const uint8_t *data, size_t length,
		      int timeout_ms)
{
	struct fake_board *board = (struct fake_board *)transport;
	struct frame request;
	(void)timeout_ms;
	for (size_t i = 0; i < length; i++) {
		if (frame_decoder_push(&board->decoder, data[i], &request) != FRAME_READY)
			continue;
		char action =
		    board->handled < strlen(board->script) ? board->script[board->handled] : 'o';
		if (board->handled < 32)
			board->seqs[board->handled] = request.seq;
		board->handled++;
		if (action == 'p' || action == 'B')
			announce_boot(board);
		if (action == 'o' || action == 'c' || action == 'p') {
			answer(board, &request, action == 'c');
		} else if (action == 'b') {
			uint8_t error[3] = {MSG_ERROR_BAD_FRAME, 0, 0};
			queue_frame(board, 0xFFFF, MSG_ERROR, error, 3, 0);
		} else if (action == 't') {
			queue_frame(board, (uint16_t)(request.seq - 1), MSG_HELLO_REPLY, NULL, 0,
				    0);
			answer(board, &request, 0);
		} else if (action == 'x') {
			board->closed = true;
		} else if (action == 'e') {
			uint8_t error[3] = {MSG_ERROR_UNKNOWN_TYPE, 0, request.type};
			queue_frame(board, request.seq, MSG_ERROR, error, 3, 0);
		}
	}
	return HB_OK;
}

static int fake_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		     int timeout_ms)
{
	struct fake_board *board = (struct fake_board *)transport;

	if (board->closed)
		return hb_error(HB_ERR_IO, "'fake': connection closed by the board");
	return test_line_read(&board->line, data, capacity, got, timeout_ms);
}

static const struct transport_driver fake_driver = {
    .name = "fake",
    .write = fake_write,
    .read = fake_read,
};

static struct fake_board board;
static struct session session;

static void start(const char *script, int timeout_ms, int attempts)
{
	memset(&board, 0, sizeof board);
	board.base.driver = &fake_driver;
	board.script = script;
	frame_decoder_init(&board.decoder);
	session_init(&session, &board.base, "fake-board", timeout_ms, attempts);
	captured[0] = '\0';
	hb_log_set_sink(capture_sink, NULL);
}

static void stop(void)
{
	hb_log_set_sink(NULL, NULL);
}

TestSuite(session, .fini = stop);

Test(session, hello_decodes_the_reply)
{
	struct msg_hello_reply hello;
	start("", 1000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	cr_assert_str_eq(hello.port, "fake");
	cr_assert_eq(hello.counter_scale_q16, 40u << 16);
	cr_assert_eq(session.counters.resends, 0);
}

Test(session, damaged_reply_is_resent_with_the_same_sequence_number)
{
	struct msg_hello_reply hello;
	start("c", 1000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	cr_assert_eq(session.counters.resends, 1);
	cr_assert_eq(session.counters.damaged_frames, 1);
	cr_assert_eq(board.seqs[0], board.seqs[1], "a resend must reuse the sequence number");
}

Test(session, request_the_board_could_not_read_is_resent)
{
	struct msg_hello_reply hello;
	start("b", 1000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	cr_assert_eq(session.counters.resends, 1);
}

Test(session, silence_is_resent_within_the_deadline)
{
	struct msg_hello_reply hello;
	start("s", 900, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	cr_assert_eq(session.counters.resends, 1);
}

Test(session, stale_reply_is_ignored)
{
	struct msg_hello_reply hello;
	start("t", 1000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	cr_assert_eq(session.counters.stale_frames, 1);
	cr_assert_eq(session.counters.resends, 0);
}

Test(session, silent_board_times_out_within_the_bound)
{
	struct msg_hello_reply hello;
	double begin;
	start("sssssssss", 400, 3);
	begin = clock_now_seconds();
	cr_assert_eq(session_hello(&session, &hello), HB_ERR_TIMEOUT);
	cr_assert_lt(clock_now_seconds() - begin, 1.5, "gave up after %.2f s",
		     clock_now_seconds() - begin);
	cr_assert(strstr(captured, "board 'fake-board' did not answer HELLO within 0.4 s"), "%s",
		  captured);
}

Test(session, persistent_damage_is_a_protocol_error_naming_the_line)
{
	struct msg_hello_reply hello;
	start("cccccccccccccccccccccccc", 2000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_ERR_PROTOCOL);
	cr_assert_eq(session.counters.damaged_frames, SESSION_DAMAGE_RESENDS + 1);
	cr_assert(
	    strstr(captured, "no intact reply to HELLO after 17 attempts, 17 of them damaged"),
	    "%s", captured);
}

/* Damage proves the board is there: it does not use up the resends that
 * silence is allowed (seed 7 of --debug-line-noise 0.001 once failed the
 * handshake on four damaged replies in a row). */
Test(session, damage_does_not_use_up_the_attempts_silence_has)
{
	struct msg_hello_reply hello;
	start("ccccccs", 2000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK, "%s", captured);
	cr_assert_eq(session.counters.damaged_frames, 6);
	cr_assert_eq(session.counters.resends, 7);
}

/* The board stops right after answering EXIT: a resend would meet a closed
 * line (seed 77 of --debug-line-noise 0.001 once failed so at the very end). */
Test(session, a_damaged_exit_reply_is_taken_as_the_answer)
{
	start("c", 1000, 3);
	cr_assert_eq(session_exit(&session, 0), HB_OK, "%s", captured);
	cr_assert_eq(session.counters.damaged_frames, 1);
	cr_assert_eq(session.counters.resends, 0);
}

/* A damaged delimiter can swallow the whole EXIT reply; the board is gone
 * then, and the closed line is its answer (seed 99 failed so at the end of a
 * variant). Before EXIT, a closed line is an error as ever. */
Test(session, a_line_closed_after_exit_is_taken_as_stopped)
{
	struct msg_hello_reply hello;

	start("x", 1000, 3);
	cr_assert_eq(session_exit(&session, 0), HB_OK, "%s", captured);
	cr_assert_str_eq(captured, "");
	start("x", 1000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_ERR_IO);
	cr_assert(strstr(captured, "connection closed"), "%s", captured);
}

Test(session, error_reply_names_the_board_error)
{
	struct msg_hello_reply hello;
	start("e", 1000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_ERR_PROTOCOL);
	cr_assert(strstr(captured, "refused HELLO: unknown message type"), "%s", captured);
}

Test(session, input_is_written_in_chunks)
{
	uint8_t input[1000];
	memset(input, 7, sizeof input);
	start("", 1000, 3);
	cr_assert_eq(session_write_input(&session, input, sizeof input, 0), HB_OK);
	cr_assert_eq(session.counters.requests, 2);
}

Test(session, invoke_and_output_round_trip)
{
	struct msg_invoke_reply invoke;
	uint8_t output[600];
	start("", 1000, 3);
	cr_assert_eq(session_invoke(&session, 5, 1, &invoke), HB_OK);
	cr_assert_eq(invoke.runs, 5);
	cr_assert_eq(invoke.ticks[4], 1004);
	cr_assert_eq(session_read_output(&session, output, sizeof output, 0), HB_OK);
	for (size_t i = 0; i < sizeof output; i++)
		cr_assert_eq(output[i], (uint8_t)i);
}

/* A board starting up announces itself; before the handshake that is no
 * reason to wait, resend or count anything. */
Test(session, a_boot_message_before_the_handshake_is_skipped)
{
	struct msg_hello_reply hello;
	start("p", 1000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK, "%s", captured);
	cr_assert_eq(session.counters.unasked_boots, 0);
	cr_assert_eq(session.counters.stale_frames, 0);
	cr_assert_eq(session.counters.resends, 0);
	cr_assert(session.handshaken);
}

/* After the handshake a boot message means the board reset itself (a
 * watchdog, a brown-out): what it held is gone, so the request in flight
 * fails at once, not at its deadline, and names the reset. */
Test(session, an_unasked_boot_after_the_handshake_ends_the_request_at_once)
{
	struct msg_hello_reply hello;
	struct msg_invoke_reply invoke;
	double begin;
	start("oB", 10000, 3);
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	begin = clock_now_seconds();
	cr_assert_eq(session_invoke(&session, 5, 0, &invoke), HB_ERR_PROTOCOL);
	cr_assert_lt(clock_now_seconds() - begin, 1.0, "took %.2f s", clock_now_seconds() - begin);
	cr_assert_eq(session.counters.unasked_boots, 1);
	cr_assert_eq(session.awaiting, MSG_INVOKE);
	cr_assert(strstr(captured, "board 'fake-board' reset by itself while INVOKE was in flight"),
		  "%s", captured);
	cr_assert(strstr(captured, "reset cause watchdog"), "%s", captured);
}

/* The board's count prices the deadlines once it is known: the fake board
 * counts 1000..1004 ticks at 40 units each, so the most is 40160 units;
 * at 25 MHz with margin 4 and a 100 ms floor a one-inference request gets
 * 100 + 4 x 40160 / 25e6 s = 106.4 ms, rounded to 106. */
Test(session, deadlines_follow_the_counted_work)
{
	struct msg_hello_reply hello;
	struct msg_invoke_reply invoke;
	struct deadline_rule rule;
	start("", 30000, 3);
	deadline_rule_default(&rule, 25000000);
	rule.min_ms = 100;
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	session_use_deadlines(&session, &rule, 16384, hello.counter_scale_q16);
	/* Before a count: 16384 MACs x 256 units bound = 4194304 units,
	 * 100 + 4 x 4194304 / 25e6 s = 771.1 ms. */
	cr_assert_eq(session.timeout_ms, 771);
	cr_assert_eq(session_invoke_deadline_ms(&session, 2), 1442);
	cr_assert_eq(session_invoke(&session, 5, 0, &invoke), HB_OK);
	cr_assert_eq(session.deadlines.longest_invoke_ms,
		     100 + (int)(4 * 5 * 4194304.0 / 25000.0 + 0.5));
	cr_assert_float_eq(session.deadlines.counted_units, 40160.0, 1e-9);
	cr_assert_eq(session.timeout_ms, 106);
	cr_assert_eq(session_invoke_deadline_ms(&session, 50), 100 + 321);
}

/* --timeout is the explicit override: every request keeps it. */
Test(session, a_fixed_timeout_wins_over_the_derived_deadlines)
{
	struct msg_hello_reply hello;
	struct msg_invoke_reply invoke;
	struct deadline_rule rule;
	start("", 1234, 3);
	deadline_rule_default(&rule, 25000000);
	rule.fixed_ms = 1234;
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	session_use_deadlines(&session, &rule, 16384, hello.counter_scale_q16);
	cr_assert_eq(session_invoke(&session, 5, 0, &invoke), HB_OK);
	cr_assert_eq(session.timeout_ms, 1234);
	cr_assert_eq(session_invoke_deadline_ms(&session, 48), 1234);
	cr_assert(!session.deadlines.derived);
}

/* After a reset the new session starts from the count the last start made;
 * a smaller one does not lower it. */
Test(session, a_count_carried_over_prices_the_first_requests)
{
	struct msg_hello_reply hello;
	struct deadline_rule rule;
	start("", 30000, 3);
	deadline_rule_default(&rule, 25000000);
	rule.min_ms = 100;
	cr_assert_eq(session_hello(&session, &hello), HB_OK);
	session_use_deadlines(&session, &rule, 16384, hello.counter_scale_q16);
	session_assume_counted(&session, 40160);
	cr_assert_eq(session.timeout_ms, 106);
	session_assume_counted(&session, 100);
	cr_assert_eq(session.timeout_ms, 106);
	cr_assert_float_eq(session.deadlines.counted_units, 40160.0, 1e-9);
}
