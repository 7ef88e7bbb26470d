#include "link/pipeline.h"

#include <stdbool.h>
#include <stdlib.h>

#include "util/clock.h"
#include "util/error.h"
#include "messages.h"

/* The smallest encoded frame (empty payload) is 9 bytes, so a window holds
 * at most window / 9 requests; the ring is sized from that. */
#define SMALLEST_ENCODED_FRAME 9u

struct in_flight {
	uint16_t seq;
	uint8_t type;
	uint8_t expected_reply;
	uint32_t tag;
	uint32_t wire_bytes;
};

struct pipeline_state {
	struct session *session;
	const struct pipeline_source *source;
	uint32_t window;
	struct in_flight *ring;
	uint32_t capacity;
	uint32_t head; /* oldest unanswered */
	uint32_t count;
	uint32_t bytes; /* wire bytes of the requests in flight */
	bool ended;
	bool staged; /* `staged_bytes` holds the next request, encoded */
	struct in_flight staged_request;
	uint8_t staged_bytes[FRAME_MAX_ENCODED];
};

static int stage_next(struct pipeline_state *state)
{
	struct pipeline_request request;
	enum pipeline_next next = state->source->next(state->source->context, &request);
	size_t encoded_length = 0;
	int status;

	if (next == PIPELINE_END)
		state->ended = true;
	if (next != PIPELINE_SEND)
		return HB_OK;
	state->staged_request = (struct in_flight){.seq = session_take_seq(state->session),
						   .type = request.type,
						   .expected_reply = request.expected_reply,
						   .tag = request.tag};
	status = session_encode(state->staged_request.seq, request.type, request.payload,
				request.length, state->staged_bytes, &encoded_length);
	state->staged_request.wire_bytes = (uint32_t)encoded_length;
	state->staged = status == HB_OK;
	return status;
}

/* Sends staged requests while the window has room for them. */
static int fill_window(struct pipeline_state *state)
{
	for (;;) {
		int status;

		if (!state->staged && !state->ended) {
			status = stage_next(state);
			if (status != HB_OK)
				return status;
		}
		if (!state->staged)
			return HB_OK;
		if (state->count == state->capacity ||
		    (state->count > 0 &&
		     state->bytes + state->staged_request.wire_bytes > state->window))
			return HB_OK;
		status = session_write(state->session, state->staged_bytes,
				       state->staged_request.wire_bytes);
		if (status != HB_OK)
			return status;
		state->ring[(state->head + state->count) % state->capacity] = state->staged_request;
		state->count++;
		state->bytes += state->staged_request.wire_bytes;
		state->session->counters.requests++;
		state->staged = false;
	}
}

static bool is_in_flight(const struct pipeline_state *state, uint16_t seq)
{
	for (uint32_t i = 0; i < state->count; i++)
		if (state->ring[(state->head + i) % state->capacity].seq == seq)
			return true;
	return false;
}

/* Reads until the oldest request's reply is in (HB_OK), the line shows
 * damage or loses a reply (PIPELINE_BROKEN), or the board refuses it. */
static int take_reply(struct pipeline_state *state, struct frame *reply)
{
	struct session *session = state->session;
	const struct in_flight *oldest = &state->ring[state->head];
	const int64_t deadline = clock_now_ms() + session->timeout_ms;

	for (;;) {
		enum frame_result result;
		int status = session_read_frame(session, deadline, reply, &result);

		if (status != HB_OK)
			return status;
		if (result == FRAME_PENDING) {
			hb_debug("board '%s': no reply to pipelined %s within %.1f s",
				 session->board_id, msg_type_name(oldest->type),
				 session->timeout_ms / 1000.0);
			return PIPELINE_BROKEN;
		}
		if (result != FRAME_READY || (reply->seq == 0xFFFF && reply->type == MSG_ERROR)) {
			session->counters.damaged_frames++;
			hb_debug("board '%s': damage in the pipelined stream (%s)",
				 session->board_id,
				 result != FRAME_READY ? frame_result_name(result)
						       : "the board could not read a request");
			return PIPELINE_BROKEN;
		}
		if (reply->seq == oldest->seq)
			return session_check_reply(session, oldest->type, oldest->expected_reply,
						   reply);
		/* A later request answered first: the oldest one's reply is lost. */
		if (is_in_flight(state, reply->seq))
			return PIPELINE_BROKEN;
		session->counters.stale_frames++;
	}
}

int pipeline_run(struct session *session, uint32_t window, const struct pipeline_source *source)
{
	struct pipeline_state *state = calloc(1, sizeof *state);
	int status = HB_OK;

	if (!state)
		return hb_error(HB_ERR_NOMEM, "out of memory for the request pipeline");
	state->session = session;
	state->source = source;
	state->window = window;
	state->capacity = window / SMALLEST_ENCODED_FRAME + 1;
	state->ring = calloc(state->capacity, sizeof *state->ring);
	if (!state->ring)
		status = hb_error(HB_ERR_NOMEM, "out of memory for the request pipeline");
	while (status == HB_OK) {
		struct frame reply;
		uint32_t tag;

		status = fill_window(state);
		if (status != HB_OK)
			break;
		if (state->count == 0) {
			if (!state->ended)
				status =
				    hb_error(HB_ERR_INTERNAL,
					     "pipeline: the source waits with nothing in flight");
			break;
		}
		status = take_reply(state, &reply);
		if (status != HB_OK)
			break;
		tag = state->ring[state->head].tag;
		state->bytes -= state->ring[state->head].wire_bytes;
		state->head = (state->head + 1) % state->capacity;
		state->count--;
		status = source->reply(source->context, tag, &reply);
	}
	free(state->ring);
	free(state);
	return status;
}

int pipeline_resync(struct session *session, int resend_ms)
{
	session->counters.resyncs++;
	return session_sync(session, resend_ms);
}
