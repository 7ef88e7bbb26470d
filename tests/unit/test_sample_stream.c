/* Streaming samples through a stateful fake board, pipelined and one
 * request at a time: every sample finished once, in order, with the output
 * of its own input, within the window, and the same after damage, an
 * unreadable request or a lost reply (resync, then the sample redone). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/error.h"
#include "link/pipeline.h"
#include "link/sample_stream.h"
#include "test_line.h"

#define STREAM_INPUT_BYTES  1100u /* three INPUT_WRITE frames */
#define STREAM_OUTPUT_BYTES 600u  /* two OUTPUT_READ frames */
#define STREAM_SAMPLES	    20u

/* What the board does with each request in arrival order: 'o' answer,
 * 'c' answer with a damaged byte, 'b' "bad frame" (it could not read the
 * request), 'd' drop it silently, 'e' refuse it. Past the script: 'o'. */
struct stream_board {
	struct transport base;
	const char *script;
	size_t handled;
	const char *hello_script; /* the same, for HELLOs only (resync barriers) */
	size_t hellos;
	struct frame_decoder decoder;
	uint32_t frame_bytes; /* of the request being decoded */
	uint8_t input[STREAM_INPUT_BYTES];
	uint8_t output[STREAM_OUTPUT_BYTES];
	uint64_t ticks;
	uint32_t invokes;
	struct test_line line;
	/* Window bookkeeping: a request's bytes are in flight from the write
	 * until the host has read the last byte of its reply. */
	uint64_t written;
	uint64_t released;
	uint64_t max_in_flight;
	struct {
		uint64_t end; /* read_total after the reply's last byte */
		uint32_t bytes;
	} replies[4096];
	size_t reply_count;
	size_t reply_next;
};

static struct stream_board stream_board;
static struct session stream_session;
static char stream_error[1024];

static void stream_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(stream_error, sizeof stream_error, "%s", message);
}

static void stream_queue(struct stream_board *board, uint16_t seq, uint8_t type,
			 const uint8_t *payload, size_t length, bool damage, uint32_t request_bytes)
{
	test_line_queue(&board->line, seq, type, payload, length, damage);
	board->replies[board->reply_count].end = board->line.read_total + board->line.length;
	board->replies[board->reply_count].bytes = request_bytes;
	board->reply_count++;
}

/* The "model": every output byte depends on the whole input. */
static void stream_model(const uint8_t *input, uint8_t *output, uint64_t *ticks)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < STREAM_INPUT_BYTES; i++)
		sum = sum * 31u + input[i];
	for (uint32_t i = 0; i < STREAM_OUTPUT_BYTES; i++)
		output[i] = (uint8_t)(sum >> (i % 24)) ^ (uint8_t)i;
	*ticks = 1000u + sum % 977u;
}

static void stream_answer(struct stream_board *board, const struct frame *request, bool damage,
			  uint32_t request_bytes)
{
	uint8_t payload[FRAME_MAX_PAYLOAD];
	size_t length = 0;

	switch (request->type) {
	case MSG_HELLO: {
		struct msg_hello_reply hello = {.protocol_version = PROTO_VERSION,
						.counter_scale_q16 = 1u << 16,
						.rx_window = 4096};
		length = msg_hello_reply_encode(&hello, payload, sizeof payload);
		break;
	}
	case MSG_INPUT_WRITE: {
		uint32_t offset = le_get_u32(request->payload);
		cr_assert_leq(offset + request->length - 4u, STREAM_INPUT_BYTES);
		memcpy(board->input + offset, request->payload + 4, request->length - 4u);
		memcpy(payload, request->payload, 4);
		le_put_u16(payload + 4, (uint16_t)(request->length - 4));
		length = 6;
		break;
	}
	case MSG_INVOKE: {
		struct msg_invoke_reply invoke = {.runs = 1, .stack_high_water = 512};
		stream_model(board->input, board->output, &board->ticks);
		invoke.ticks[0] = board->ticks;
		board->invokes++;
		length = msg_invoke_reply_encode(&invoke, payload, sizeof payload);
		break;
	}
	case MSG_OUTPUT_READ: {
		uint32_t offset = le_get_u32(request->payload);
		uint16_t count = le_get_u16(request->payload + 4);
		cr_assert_leq(offset + count, STREAM_OUTPUT_BYTES);
		memcpy(payload, request->payload, 4);
		memcpy(payload + 4, board->output + offset, count);
		length = 4u + count;
		break;
	}
	default: cr_assert_fail("unexpected request type 0x%02x", request->type);
	}
	stream_queue(board, request->seq, request->type | MSG_REPLY_FLAG, payload, length, damage,
		     request_bytes);
}

static int stream_write(struct transport *transport, const uint8_t *data, size_t length,
			int timeout_ms)
{
	struct stream_board *board = (struct stream_board *)transport;
	uint64_t in_flight = board->written - board->released + length;

	(void)timeout_ms;
	if (in_flight > board->max_in_flight)
		board->max_in_flight = in_flight;
	board->written += length;
	for (size_t i = 0; i < length; i++) {
		struct frame request;
		enum frame_result result = frame_decoder_push(&board->decoder, data[i], &request);
		uint32_t bytes = ++board->frame_bytes;
		char action;

		if (result == FRAME_PENDING)
			continue;
		board->frame_bytes = 0;
		cr_assert_eq(result, FRAME_READY, "the host sent a broken frame");
		action =
		    board->handled < strlen(board->script) ? board->script[board->handled] : 'o';
		board->handled++;
		if (request.type == MSG_HELLO) {
			action = board->hellos < strlen(board->hello_script)
				     ? board->hello_script[board->hellos]
				     : 'o';
			board->hellos++;
		}
		if (action == 'o' || action == 'c') {
			stream_answer(board, &request, action == 'c', bytes);
		} else if (action == 'b') {
			uint8_t error[3] = {MSG_ERROR_BAD_FRAME, 0, 0};
			stream_queue(board, 0xFFFF, MSG_ERROR, error, 3, false, bytes);
		} else if (action == 'e') {
			uint8_t error[3] = {MSG_ERROR_OUT_OF_RANGE, 0, request.type};
			stream_queue(board, request.seq, MSG_ERROR, error, 3, false, bytes);
		} else {
			board->released += bytes; /* dropped: nothing will answer it */
		}
	}
	return HB_OK;
}

static int stream_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		       int timeout_ms)
{
	struct stream_board *board = (struct stream_board *)transport;
	int status = test_line_read(&board->line, data, capacity, got, timeout_ms);

	while (board->reply_next < board->reply_count &&
	       board->replies[board->reply_next].end <= board->line.read_total)
		board->released += board->replies[board->reply_next++].bytes;
	return status;
}

static const struct transport_driver stream_driver = {
    .name = "stream-fake",
    .write = stream_write,
    .read = stream_read,
};

/* The host side: what the handler saw. */
struct stream_seen {
	uint32_t finished;
	uint32_t made;
	uint64_t ticks[STREAM_SAMPLES];
};

static void stream_make_input(void *context, uint32_t index, uint8_t *input)
{
	struct stream_seen *seen = context;
	seen->made++;
	for (uint32_t i = 0; i < STREAM_INPUT_BYTES; i++)
		input[i] = (uint8_t)(index * 37u + i * 3u + (i >> 8));
}

static int stream_finish(void *context, uint32_t index, const uint8_t *input, const uint8_t *output,
			 const struct msg_invoke_reply *reply)
{
	struct stream_seen *seen = context;
	uint8_t expected_input[STREAM_INPUT_BYTES];
	uint8_t expected_output[STREAM_OUTPUT_BYTES];
	uint64_t ticks;
	uint32_t made = seen->made;

	cr_assert_eq(index, seen->finished, "sample %u finished out of order", index);
	stream_make_input(seen, index, expected_input);
	seen->made = made;
	cr_assert_arr_eq(input, expected_input, STREAM_INPUT_BYTES, "sample %u: wrong input",
			 index);
	stream_model(expected_input, expected_output, &ticks);
	cr_assert_arr_eq(output, expected_output, STREAM_OUTPUT_BYTES,
			 "sample %u: output of another input", index);
	cr_assert_eq(reply->ticks[0], ticks);
	seen->ticks[index] = reply->ticks[0];
	seen->finished++;
	return HB_OK;
}

static int stream_run_hellos(const char *script, const char *hello_script, uint32_t window,
			     int timeout_ms, struct stream_seen *seen,
			     struct sample_stream_stats *stats)
{
	const struct sample_stream_handler handler = {
	    .make_input = stream_make_input, .finish = stream_finish, .context = seen};
	const struct sample_stream_options options = {.first = 0,
						      .end = STREAM_SAMPLES,
						      .input_bytes = STREAM_INPUT_BYTES,
						      .output_bytes = STREAM_OUTPUT_BYTES,
						      .window = window};

	memset(&stream_board, 0, sizeof stream_board);
	memset(seen, 0, sizeof *seen);
	stream_board.base.driver = &stream_driver;
	stream_board.script = script;
	stream_board.hello_script = hello_script;
	frame_decoder_init(&stream_board.decoder);
	session_init(&stream_session, &stream_board.base, "fake-board", timeout_ms, 3);
	stream_error[0] = '\0';
	hb_log_set_sink(stream_sink, NULL);
	return sample_stream_run(&stream_session, &options, &handler, stats);
}

static int stream_run(const char *script, uint32_t window, int timeout_ms, struct stream_seen *seen,
		      struct sample_stream_stats *stats)
{
	return stream_run_hellos(script, "", window, timeout_ms, seen, stats);
}

static void stream_stop(void)
{
	hb_log_set_sink(NULL, NULL);
}

TestSuite(sample_stream, .fini = stream_stop);

Test(sample_stream, pipelined_run_finishes_every_sample_in_order_within_the_window)
{
	struct stream_seen seen;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("", 4096, 1000, &seen, &stats), HB_OK, "%s", stream_error);
	cr_assert_eq(seen.finished, STREAM_SAMPLES);
	cr_assert_eq(seen.made, STREAM_SAMPLES, "each input made once");
	cr_assert_eq(stream_board.invokes, STREAM_SAMPLES);
	cr_assert_leq(stream_board.max_in_flight, 4096);
	/* More than one sample's requests at once: it really pipelines. */
	cr_assert_gt(stream_board.max_in_flight, STREAM_INPUT_BYTES + 100,
		     "at most %llu bytes in flight",
		     (unsigned long long)stream_board.max_in_flight);
	cr_assert_eq(stats.resyncs, 0);
	cr_assert_eq(stream_session.counters.requests, STREAM_SAMPLES * 6);
}

Test(sample_stream, a_small_window_is_respected)
{
	struct stream_seen seen;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("", 600, 1000, &seen, &stats), HB_OK, "%s", stream_error);
	cr_assert_eq(seen.finished, STREAM_SAMPLES);
	cr_assert_leq(stream_board.max_in_flight, 600);
}

Test(sample_stream, one_request_at_a_time_gives_the_same_results)
{
	struct stream_seen pipelined;
	struct stream_seen synchronous;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("", 4096, 1000, &pipelined, &stats), HB_OK);
	cr_assert_eq(stream_run("", 0, 1000, &synchronous, &stats), HB_OK, "%s", stream_error);
	cr_assert_eq(synchronous.finished, STREAM_SAMPLES);
	cr_assert_leq(stream_board.max_in_flight, FRAME_MAX_ENCODED);
	cr_assert_arr_eq(pipelined.ticks, synchronous.ticks, sizeof pipelined.ticks);
}

/* Request 14 is sample 2's INVOKE (6 requests a sample). */
Test(sample_stream, damaged_reply_resyncs_and_redoes_the_sample)
{
	struct stream_seen seen;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("oooooooooooooc", 4096, 1000, &seen, &stats), HB_OK, "%s",
		     stream_error);
	cr_assert_eq(seen.finished, STREAM_SAMPLES);
	cr_assert_eq(stats.resyncs, 1);
	cr_assert_eq(stats.redone, 1);
	cr_assert_eq(stream_session.counters.resyncs, 1);
	cr_assert_geq(stream_session.counters.damaged_frames, 1);
}

Test(sample_stream, unreadable_request_resyncs_and_redoes_the_sample)
{
	struct stream_seen seen;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("ooooooooob", 4096, 1000, &seen, &stats), HB_OK, "%s",
		     stream_error);
	cr_assert_eq(seen.finished, STREAM_SAMPLES);
	cr_assert_eq(stats.resyncs, 1);
}

/* The resync's HELLO itself lost twice: it is resent after about twice a
 * sample's time, not after the "bad frame" errors (they may belong to
 * requests in flight) and not after the session's 10 s resend time. */
Test(sample_stream, lost_resync_hello_is_resent_after_a_sample_time)
{
	struct stream_seen seen;
	struct sample_stream_stats stats;
	double begin;
	double seconds;

	begin = clock_now_seconds();
	cr_assert_eq(stream_run_hellos("ooooooooooooooob", "bd", 4096, 30000, &seen, &stats), HB_OK,
		     "%s", stream_error);
	seconds = clock_now_seconds() - begin;
	cr_assert_eq(seen.finished, STREAM_SAMPLES);
	cr_assert_eq(stats.resyncs, 1);
	cr_assert_eq(stream_board.hellos, 3);
	cr_assert_lt(seconds, 5.0, "took %.2f s: resent after the session's resend time?", seconds);
}

Test(sample_stream, lost_reply_resyncs_after_the_timeout)
{
	struct stream_seen seen;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("ooooooood", 4096, 300, &seen, &stats), HB_OK, "%s", stream_error);
	cr_assert_eq(seen.finished, STREAM_SAMPLES);
	cr_assert_eq(stats.resyncs, 1);
}

Test(sample_stream, damage_in_every_phase_still_gives_every_sample_once)
{
	struct stream_seen clean;
	struct stream_seen damaged;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("", 4096, 1000, &clean, &stats), HB_OK);
	cr_assert_eq(stream_run("ocoooooobooooooocoooooocooooooooooooooocoboooooc", 4096, 1000,
				&damaged, &stats),
		     HB_OK, "%s", stream_error);
	cr_assert_eq(damaged.finished, STREAM_SAMPLES);
	cr_assert_gt(stats.resyncs, 2);
	cr_assert_arr_eq(clean.ticks, damaged.ticks, sizeof clean.ticks);
}

/* Damage every seventh request: pipelines break soon after they start, so
 * more and more samples go one request at a time, and all still agree. */
Test(sample_stream, a_line_that_keeps_breaking_pipelines_backs_off)
{
	static char script[121];
	struct stream_seen clean;
	struct stream_seen damaged;
	struct sample_stream_stats stats;

	for (int i = 0; i < 120; i++)
		script[i] = i % 7 == 3 ? 'c' : 'o';
	cr_assert_eq(stream_run("", 4096, 1000, &clean, &stats), HB_OK);
	cr_assert_eq(stream_run(script, 4096, 1000, &damaged, &stats), HB_OK, "%s", stream_error);
	cr_assert_eq(damaged.finished, STREAM_SAMPLES);
	cr_assert_arr_eq(clean.ticks, damaged.ticks, sizeof clean.ticks);
	cr_assert_gt(stats.one_at_a_time, stats.redone, "never backed off: %u resyncs, %u redone",
		     stats.resyncs, stats.redone);
	cr_assert_lt(stats.resyncs, 8, "%u resyncs for %u samples", stats.resyncs, STREAM_SAMPLES);
}

Test(sample_stream, refused_request_is_an_error_naming_it)
{
	struct stream_seen seen;
	struct sample_stream_stats stats;

	cr_assert_eq(stream_run("oooooooe", 4096, 1000, &seen, &stats), HB_ERR_PROTOCOL);
	cr_assert(strstr(stream_error, "board 'fake-board' refused INPUT_WRITE: "), "%s",
		  stream_error);
	cr_assert_eq(seen.finished, 1, "sample 0 was finished before the refusal");
}
