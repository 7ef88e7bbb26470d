/* A board that goes silent while a suite streams (requests in flight, the
 * pipeline): the session gives up after one deadline, the resync's HELLOs
 * within it, not after the pipeline's wait plus a whole deadline more; a
 * request lost on the line still costs only a resend's share. Time is the
 * fake's own clock (session.now_ms): a read with nothing to deliver moves
 * it on instead of sleeping, so the figures are exact and take no time. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "link/pipeline.h"
#include "link/sample_stream.h"

#define HANG_INPUT_BYTES  1100u /* three INPUT_WRITE frames */
#define HANG_OUTPUT_BYTES 600u	/* two OUTPUT_READ frames */
#define HANG_PARTS	  6u	/* requests per sample */
#define HANG_SAMPLES	  6u
#define HANG_DEADLINE_MS  2000
#define HANG_INVOKE_MS	  50 /* what an INVOKE computes on the fake board */

/* A board that serves one request at a time in arrival order, an INVOKE
 * taking HANG_INVOKE_MS, each reply ready on the line when served. */
struct hang_board {
	struct transport base;
	int64_t now_ms;	       /* the fake's clock */
	uint32_t answer_until; /* requests (HELLOs included) answered, then silence */
	uint32_t drop;	       /* one request (1-based) lost on the way, 0: none */
	uint32_t handled;      /* requests read */
	uint32_t hellos;       /* of them HELLOs */
	int64_t busy_until_ms; /* when the board has served what it read */
	int64_t last_reply_ms; /* when its last reply was ready */
	uint16_t last_seq;     /* a repeat of it is answered from the cache */
	struct frame_decoder decoder;
	uint8_t input[HANG_INPUT_BYTES];
	uint8_t output[HANG_OUTPUT_BYTES];
	uint8_t line[1 << 16]; /* replies not yet read */
	size_t length;
	struct {
		size_t end; /* offset in line[] one past the frame */
		int64_t ready_ms;
	} frames[512];
	size_t frame_count;
};

static struct hang_board hang;
static struct session hang_session;
static char hang_error[1024];

static int64_t hang_clock(void *context)
{
	return ((const struct hang_board *)context)->now_ms;
}

static void hang_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(hang_error, sizeof hang_error, "%s", message);
}

/* Every output byte depends on the whole input. */
static void hang_model(const uint8_t *input, uint8_t *output)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i < HANG_INPUT_BYTES; i++)
		sum = sum * 31u + input[i];
	for (uint32_t i = 0; i < HANG_OUTPUT_BYTES; i++)
		output[i] = (uint8_t)(sum >> (i % 24)) ^ (uint8_t)i;
}

static void hang_queue(struct hang_board *board, const struct frame *reply, int64_t ready_ms)
{
	size_t encoded =
	    frame_encode(reply, board->line + board->length, sizeof board->line - board->length);

	cr_assert(encoded > 0 && board->frame_count < 512, "the fake line is full");
	board->length += encoded;
	board->frames[board->frame_count].end = board->length;
	board->frames[board->frame_count].ready_ms = ready_ms;
	board->frame_count++;
	board->last_reply_ms = ready_ms;
}

static void hang_serve(struct hang_board *board, const struct frame *request)
{
	struct frame reply = {.seq = request->seq, .type = request->type | MSG_REPLY_FLAG};
	const bool repeat = request->seq == board->last_seq;
	int64_t served =
	    board->now_ms > board->busy_until_ms ? board->now_ms : board->busy_until_ms;

	switch (request->type) {
	case MSG_HELLO: {
		struct msg_hello_reply hello = {.protocol_version = PROTO_VERSION,
						.counter_scale_q16 = 1u << 16,
						.rx_window = 4096};
		reply.length =
		    (uint16_t)msg_hello_reply_encode(&hello, reply.payload, sizeof reply.payload);
		break;
	}
	case MSG_INPUT_WRITE:
		memcpy(board->input + le_get_u32(request->payload), request->payload + 4,
		       request->length - 4u);
		memcpy(reply.payload, request->payload, 4);
		le_put_u16(reply.payload + 4, (uint16_t)(request->length - 4));
		reply.length = 6;
		break;
	case MSG_INVOKE: {
		struct msg_invoke_reply invoke = {.runs = 1, .stack_high_water = 512};
		invoke.ticks[0] = 1000;
		hang_model(board->input, board->output);
		if (!repeat)
			served += HANG_INVOKE_MS;
		reply.length =
		    (uint16_t)msg_invoke_reply_encode(&invoke, reply.payload, sizeof reply.payload);
		break;
	}
	case MSG_OUTPUT_READ: {
		const uint32_t offset = le_get_u32(request->payload);
		const uint16_t count = le_get_u16(request->payload + 4);
		memcpy(reply.payload, request->payload, 4);
		memcpy(reply.payload + 4, board->output + offset, count);
		reply.length = (uint16_t)(4u + count);
		break;
	}
	default: cr_assert_fail("unexpected request type 0x%02x", request->type);
	}
	board->busy_until_ms = served;
	board->last_seq = request->seq;
	hang_queue(board, &reply, served);
}

static int hang_write(struct transport *transport, const uint8_t *data, size_t length,
		      int timeout_ms)
{
	struct hang_board *board = (struct hang_board *)transport;

	(void)timeout_ms;
	for (size_t i = 0; i < length; i++) {
		struct frame request;
		enum frame_result result = frame_decoder_push(&board->decoder, data[i], &request);

		if (result == FRAME_PENDING)
			continue;
		cr_assert_eq(result, FRAME_READY, "the host sent a broken frame");
		board->handled++;
		if (request.type == MSG_HELLO)
			board->hellos++;
		if (board->handled == board->drop || board->handled > board->answer_until)
			continue;
		hang_serve(board, &request);
	}
	return HB_OK;
}

/* The bytes of the replies ready by now; with none, the clock moves on to
 * the next one's readiness or by the whole timeout. */
static int hang_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		     int timeout_ms)
{
	struct hang_board *board = (struct hang_board *)transport;
	size_t ready = 0, count;

	*got = 0;
	if (board->frame_count > 0 && board->frames[0].ready_ms > board->now_ms) {
		const int64_t next = board->frames[0].ready_ms;
		board->now_ms =
		    next <= board->now_ms + timeout_ms ? next : board->now_ms + timeout_ms;
	} else if (board->frame_count == 0) {
		board->now_ms += timeout_ms;
		return HB_ERR_TIMEOUT;
	}
	while (ready < board->frame_count && board->frames[ready].ready_ms <= board->now_ms)
		ready++;
	if (ready == 0)
		return HB_ERR_TIMEOUT;
	count = board->frames[ready - 1].end;
	if (count > capacity)
		count = capacity;
	memcpy(data, board->line, count);
	memmove(board->line, board->line + count, board->length - count);
	board->length -= count;
	/* Frames read whole are gone; the one cut short keeps its place. */
	{
		size_t kept = 0;
		for (size_t i = 0; i < board->frame_count; i++) {
			if (board->frames[i].end <= count)
				continue;
			board->frames[kept] = board->frames[i];
			board->frames[kept].end -= count;
			kept++;
		}
		board->frame_count = kept;
	}
	*got = count;
	return HB_OK;
}

static const struct transport_driver hang_driver = {
    .name = "hang-fake", .write = hang_write, .read = hang_read};

static uint32_t hang_finished;

static void hang_make_input(void *context, uint32_t index, uint8_t *input)
{
	(void)context;
	for (uint32_t i = 0; i < HANG_INPUT_BYTES; i++)
		input[i] = (uint8_t)(index * 37u + i * 3u + (i >> 8));
}

static int hang_finish(void *context, uint32_t index, const uint8_t *input, const uint8_t *output,
		       const struct msg_invoke_reply *reply)
{
	uint8_t expected[HANG_OUTPUT_BYTES];

	(void)context;
	(void)reply;
	cr_assert_eq(index, hang_finished, "sample %u finished out of order", index);
	hang_model(input, expected);
	cr_assert_arr_eq(output, expected, HANG_OUTPUT_BYTES, "sample %u: wrong output", index);
	hang_finished++;
	return HB_OK;
}

static int hang_run(uint32_t answer_until, uint32_t drop, uint32_t window, int attempts,
		    struct sample_stream_stats *stats)
{
	const struct sample_stream_handler handler = {
	    .make_input = hang_make_input, .finish = hang_finish, .context = NULL};
	const struct sample_stream_options options = {.first = 0,
						      .end = HANG_SAMPLES,
						      .input_bytes = HANG_INPUT_BYTES,
						      .output_bytes = HANG_OUTPUT_BYTES,
						      .window = window};

	memset(&hang, 0, sizeof hang);
	hang.base.driver = &hang_driver;
	hang.answer_until = answer_until;
	hang.drop = drop;
	hang.now_ms = 1000000; /* any origin */
	frame_decoder_init(&hang.decoder);
	session_init(&hang_session, &hang.base, "fake-board", HANG_DEADLINE_MS, attempts);
	hang_session.now_ms = hang_clock;
	hang_session.clock_context = &hang;
	hang_finished = 0;
	hang_error[0] = '\0';
	hb_log_set_sink(hang_sink, NULL);
	return sample_stream_run(&hang_session, &options, &handler, stats);
}

static void hang_stop(void)
{
	hb_log_set_sink(NULL, NULL);
}

TestSuite(pipeline_hang, .fini = hang_stop);

/* Silent from the middle of sample 2, with most of the next sample in
 * flight: the timeout comes one deadline after the last reply, the resync
 * HELLOs (the resends) inside it, and names the pipelined request. */
Test(pipeline_hang, a_board_silent_mid_pipeline_times_out_after_one_deadline)
{
	struct sample_stream_stats stats;
	int64_t waited;

	cr_assert_eq(hang_run(2 * HANG_PARTS + 3, 0, 8192, 4, &stats), HB_ERR_TIMEOUT, "%s",
		     hang_error);
	waited = hang.now_ms - hang.last_reply_ms;
	cr_assert_eq(hang_finished, 2);
	cr_assert_leq(waited, HANG_DEADLINE_MS, "gave up %lld ms after the last reply",
		      (long long)waited);
	/* Past the share of one send: the resync used the rest of the deadline. */
	cr_assert_gt(waited, HANG_DEADLINE_MS / 4, "waited %lld ms", (long long)waited);
	cr_assert_geq(hang.hellos, 2, "the resync HELLO was not resent");
	cr_assert_eq(stats.resyncs, 1);
	cr_assert_eq(hang_session.awaiting, MSG_INVOKE, "awaiting %s",
		     msg_type_name(hang_session.awaiting));
	cr_assert_eq(hang_session.awaiting_deadline_ms, HANG_DEADLINE_MS);
	cr_assert(strstr(hang_error, "board 'fake-board' did not answer pipelined INVOKE "
				     "within 2.0 s (nor "),
		  "%s", hang_error);
}

/* With no resend allowed (--retries 0) the pipeline waits the whole
 * deadline and sends no HELLO after it. */
Test(pipeline_hang, without_resends_one_deadline_and_no_resync)
{
	struct sample_stream_stats stats;

	cr_assert_eq(hang_run(HANG_PARTS + 1, 0, 8192, 1, &stats), HB_ERR_TIMEOUT, "%s",
		     hang_error);
	cr_assert_eq(hang.now_ms - hang.last_reply_ms, HANG_DEADLINE_MS);
	cr_assert_eq(hang.hellos, 0);
	cr_assert_eq(hang_session.awaiting, MSG_INPUT_WRITE);
	cr_assert(strstr(hang_error, "did not answer pipelined INPUT_WRITE within 2.0 s (no time "
				     "left in it to resync)"),
		  "%s", hang_error);
}

/* One request lost on the line (the last in flight, so nothing after it
 * shows the loss): a share of the deadline, a resync and the sample redone;
 * every sample once, in order, well inside one deadline. */
Test(pipeline_hang, a_request_lost_mid_pipeline_costs_a_resend_not_a_deadline)
{
	struct sample_stream_stats stats;
	const int64_t start = 1000000;

	cr_assert_eq(hang_run(UINT32_MAX, HANG_PARTS + 2, 1, 4, &stats), HB_OK, "%s", hang_error);
	cr_assert_eq(hang_finished, HANG_SAMPLES);
	cr_assert_eq(stats.resyncs, 1);
	cr_assert_eq(stats.redone, 1);
	cr_assert_lt(hang.now_ms - start,
		     HANG_DEADLINE_MS / 4 + HANG_SAMPLES * HANG_INVOKE_MS + 200, "took %lld ms",
		     (long long)(hang.now_ms - start));
}
