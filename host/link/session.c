#include "link/session.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/error.h"

void session_init(struct session *session, struct transport *transport, const char *board_id,
		  int timeout_ms, int max_attempts)
{
	memset(session, 0, sizeof *session);
	session->transport = transport;
	session->board_id = board_id;
	session->timeout_ms = timeout_ms;
	session->max_attempts = max_attempts < 1 ? 1 : max_attempts;
	session->next_seq = 1;
	frame_decoder_init(&session->decoder);
}

int session_encode(uint16_t seq, uint8_t type, const uint8_t *payload, uint16_t length,
		   uint8_t encoded[FRAME_MAX_ENCODED], size_t *encoded_length)
{
	struct frame request;

	if (length > FRAME_MAX_PAYLOAD)
		return hb_error(HB_ERR_INTERNAL, "request %s too long (%u bytes)",
				msg_type_name(type), length);
	request.seq = seq;
	request.type = type;
	request.length = length;
	if (length)
		memcpy(request.payload, payload, length);
	*encoded_length = frame_encode(&request, encoded, FRAME_MAX_ENCODED);
	return HB_OK;
}

static int send_frame(struct session *session, uint16_t seq, uint8_t type, const uint8_t *payload,
		      uint16_t length)
{
	uint8_t encoded[FRAME_MAX_ENCODED];
	size_t encoded_length = 0;
	int status = session_encode(seq, type, payload, length, encoded, &encoded_length);

	return status == HB_OK ? session_write(session, encoded, encoded_length) : status;
}

int session_write(struct session *session, const uint8_t *bytes, size_t length)
{
	int status = session->transport->driver->write(session->transport, bytes, length,
						       session->timeout_ms);
	if (status == HB_OK)
		session->counters.bytes_sent += length;
	return status;
}

/* MSG_BOOT: before the handshake the board is just starting (skipped, so
 * it costs no wait); after it, the board reset by itself and everything
 * it held (input, cached reply) is gone: the request in flight can only fail. */
static int take_boot(struct session *session, const struct frame *frame)
{
	struct msg_boot boot = {0};
	const bool decoded = msg_boot_decode(frame->payload, frame->length, &boot) == 0;

	if (!session->handshaken) {
		hb_debug("board '%s' started (boot message, reset cause %s)", session->board_id,
			 decoded ? msg_reset_cause_name(boot.reset_cause) : "unreadable");
		return HB_OK;
	}
	session->counters.unasked_boots++;
	return hb_error(HB_ERR_PROTOCOL,
			"board '%s' reset by itself while %s was in flight (boot message, reset "
			"cause %s)",
			session->board_id,
			session->awaiting ? msg_type_name(session->awaiting) : "a request",
			decoded ? msg_reset_cause_name(boot.reset_cause) : "unreadable");
}

int session_read_frame(struct session *session, int64_t deadline_ms, struct frame *frame,
		       enum frame_result *result)
{
	*result = FRAME_PENDING;
	for (;;) {
		int64_t now;
		size_t got = 0;
		int status;

		while (session->received_position < session->received_length) {
			uint8_t byte = session->received[session->received_position++];
			*result = frame_decoder_push(&session->decoder, byte, frame);
			if (*result == FRAME_READY && frame->type == MSG_BOOT &&
			    frame->seq == MSG_BOOT_SEQ) {
				status = take_boot(session, frame);
				if (status != HB_OK)
					return status;
				*result = FRAME_PENDING;
				continue;
			}
			if (*result != FRAME_PENDING)
				return HB_OK;
		}
		now = clock_now_ms();
		if (now >= deadline_ms)
			return HB_OK;
		status = session->transport->driver->read(session->transport, session->received,
							  sizeof session->received, &got,
							  (int)(deadline_ms - now));
		if (status == HB_ERR_TIMEOUT)
			return HB_OK;
		if (status != HB_OK)
			return status;
		session->counters.bytes_received += got;
		session->received_length = got;
		session->received_position = 0;
	}
}

uint16_t session_take_seq(struct session *session)
{
	uint16_t seq = session->next_seq++;
	/* 0xFFFF is what the board uses for replies to frames it could not read. */
	if (session->next_seq == 0xFFFF)
		session->next_seq = 1;
	return seq;
}

int session_send_only(struct session *session, uint8_t type, const uint8_t *payload,
		      uint16_t length)
{
	return send_frame(session, session_take_seq(session), type, payload, length);
}

enum reply_outcome { REPLY_NONE, REPLY_GOT, REPLY_RESEND, REPLY_DAMAGED_ANSWER };

/* Reads until a frame for `seq` arrives, a reason to resend appears, or the
 * attempt's deadline passes. After damage it still decodes what has already
 * arrived, where the intact reply may be. */
static int await_reply(struct session *session, uint16_t seq, int64_t deadline,
		       bool resend_on_damage, bool damage_answers, struct frame *reply,
		       enum reply_outcome *outcome)
{
	*outcome = REPLY_NONE;
	for (;;) {
		enum frame_result result;
		int status = session_read_frame(session, deadline, reply, &result);

		if (status != HB_OK || result == FRAME_PENDING)
			return status;
		if (result != FRAME_READY) {
			session->counters.damaged_frames++;
			hb_debug("board '%s': damaged reply (%s)", session->board_id,
				 frame_result_name(result));
			if (damage_answers) {
				*outcome = REPLY_DAMAGED_ANSWER;
				return HB_OK;
			}
			if (resend_on_damage)
				*outcome = REPLY_RESEND;
		} else if (reply->seq == 0xFFFF && reply->type == MSG_ERROR) {
			/* The board could not read our request. */
			session->counters.damaged_frames++;
			hb_debug("board '%s': could not read a request", session->board_id);
			if (resend_on_damage)
				*outcome = REPLY_RESEND;
		} else if (reply->seq != seq) {
			session->counters.stale_frames++;
		} else {
			*outcome = REPLY_GOT;
			return HB_OK;
		}
		if (*outcome == REPLY_RESEND &&
		    session->received_position == session->received_length)
			return HB_OK;
	}
}

/* What to do about the errors a user can act on. */
static const char *session_error_advice(uint16_t code)
{
	switch (code) {
	case MSG_ERROR_MODEL_CORRUPT:
		return ": the model region changed since boot, reflash the image";
	case MSG_ERROR_STACK_OVERRUN:
		return ": the model needs more stack than the firmware reserves (STACK_SIZE in "
		       "target-fw/firmware.mk or the port's port.mk)";
	default: return "";
	}
}

int session_check_reply(struct session *session, uint8_t request_type, uint8_t expected_reply,
			const struct frame *reply)
{
	if (reply->type == MSG_ERROR) {
		struct msg_error_reply error;
		if (msg_error_decode(reply->payload, reply->length, &error) != 0)
			return hb_error(HB_ERR_PROTOCOL,
					"board '%s' sent a malformed error reply to %s",
					session->board_id, msg_type_name(request_type));
		session->board_error = error.code;
		return hb_error(HB_ERR_PROTOCOL, "board '%s' refused %s: %s (code %u)%s",
				session->board_id, msg_type_name(request_type),
				msg_error_name(error.code), error.code,
				session_error_advice(error.code));
	}
	if (reply->type != expected_reply)
		return hb_error(HB_ERR_PROTOCOL, "board '%s' answered %s with %s, expected %s",
				session->board_id, msg_type_name(request_type),
				msg_type_name(reply->type), msg_type_name(expected_reply));
	return HB_OK;
}

/* When a request is sent again: at once after damage (on_damage), or when
 * no reply came within `wait_ms` of a send. Silence and damage have budgets
 * of their own: `attempts` sends met by silence (the board may be gone), and
 * SESSION_DAMAGE_RESENDS more after damaged replies, which prove the board is
 * there and answering; all within the session's timeout. A reply of a few
 * hundred bytes on a line damaging 1 byte in 1000 arrives damaged about one
 * time in five, so a budget shared with silence ran out on noise alone. */
struct resend_policy {
	bool on_damage;
	bool damage_answers; /* a damaged reply is the answer: do not resend */
	int wait_ms;
	int attempts;
};

static int request_attempts(struct session *session, uint8_t type, const uint8_t *payload,
			    uint16_t length, uint8_t expected_reply,
			    const struct resend_policy *policy, int timeout_ms, struct frame *reply)
{
	const uint16_t seq = session_take_seq(session);
	const int64_t deadline = clock_now_ms() + timeout_ms;
	int attempts = 0, silent = 0, damaged = 0;

	session->counters.requests++;
	for (;;) {
		enum reply_outcome outcome;
		int64_t attempt_deadline;
		int status;

		if (silent == policy->attempts || damaged > SESSION_DAMAGE_RESENDS ||
		    clock_now_ms() >= deadline)
			break;
		if (attempts > 0) {
			session->counters.resends++;
			hb_debug("board '%s': sending %s (seq %u) again, attempt %d",
				 session->board_id, msg_type_name(type), seq, attempts + 1);
		}
		attempts++;
		status = send_frame(session, seq, type, payload, length);
		if (status != HB_OK)
			return status;
		attempt_deadline = clock_now_ms() + policy->wait_ms;
		/* The last send silence allows waits out the whole deadline. */
		if (attempt_deadline > deadline || silent + 1 == policy->attempts)
			attempt_deadline = deadline;
		status = await_reply(session, seq, attempt_deadline, policy->on_damage,
				     policy->damage_answers, reply, &outcome);
		if (status != HB_OK)
			return status;
		if (outcome == REPLY_DAMAGED_ANSWER)
			return HB_OK;
		if (outcome == REPLY_GOT)
			return session_check_reply(session, type, expected_reply, reply);
		if (outcome == REPLY_RESEND)
			damaged++;
		else
			silent++;
	}
	if (damaged && clock_now_ms() < deadline)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': no intact reply to %s after %d attempts, %d of them "
				"damaged (line noise? check the cable and baud rate)",
				session->board_id, msg_type_name(type), attempts, damaged);
	return hb_error(HB_ERR_TIMEOUT, "board '%s' did not answer %s within %.1f s (%d attempts)",
			session->board_id, msg_type_name(type), timeout_ms / 1000.0, attempts);
}

/* A request that fails leaves its type and deadline in the session (a
 * recovery names them); one answered clears them. */
static int request_within(struct session *session, uint8_t type, const uint8_t *payload,
			  uint16_t length, uint8_t expected_reply,
			  const struct resend_policy *policy, int timeout_ms, struct frame *reply)
{
	int status;

	session->awaiting = type;
	session->awaiting_deadline_ms = timeout_ms;
	status = request_attempts(session, type, payload, length, expected_reply, policy,
				  timeout_ms, reply);
	if (status == HB_OK) {
		session->awaiting = 0;
		session->awaiting_deadline_ms = 0;
	}
	return status;
}

static int request(struct session *session, uint8_t type, const uint8_t *payload, uint16_t length,
		   uint8_t expected_reply, const struct resend_policy *policy, struct frame *reply)
{
	return request_within(session, type, payload, length, expected_reply, policy,
			      session->timeout_ms, reply);
}

int session_request(struct session *session, uint8_t type, const uint8_t *payload, uint16_t length,
		    uint8_t expected_reply, struct frame *reply)
{
	/* Silence is worth a resend only a few times within the deadline. */
	const struct resend_policy policy = {.on_damage = true,
					     .wait_ms = session->timeout_ms / session->max_attempts,
					     .attempts = session->max_attempts};
	return request(session, type, payload, length, expected_reply, &policy, reply);
}

/* Moving bytes in or out costs the board no compute, so silence after a
 * second means the request or its reply was lost (a damaged delimiter can
 * leave the board waiting for the rest of a frame), not that the board is
 * busy: resend then instead of after a share of the whole timeout. The last
 * attempt still waits out the timeout, so a dead board is declared as late
 * as before. Resends are harmless: the board answers a repeat from its cache. */
static int quick_request(struct session *session, uint8_t type, const uint8_t *payload,
			 uint16_t length, uint8_t expected_reply, struct frame *reply)
{
	struct resend_policy policy = {.on_damage = true,
				       .wait_ms = session->timeout_ms / session->max_attempts,
				       .attempts = session->max_attempts};

	if (policy.wait_ms > SESSION_QUICK_WAIT_MS)
		policy.wait_ms = SESSION_QUICK_WAIT_MS;
	return request(session, type, payload, length, expected_reply, &policy, reply);
}

static int say_hello(struct session *session, const struct resend_policy *policy,
		     struct msg_hello_reply *hello)
{
	uint8_t payload[2];
	struct frame reply;
	int status;

	le_put_u16(payload, PROTO_VERSION);
	status =
	    request(session, MSG_HELLO, payload, sizeof payload, MSG_HELLO_REPLY, policy, &reply);
	if (status != HB_OK)
		return status;
	if (msg_hello_reply_decode(reply.payload, reply.length, hello) != 0)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s' sent a malformed HELLO_REPLY (%u bytes)",
				session->board_id, reply.length);
	if (hello->protocol_version != PROTO_VERSION)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s' speaks protocol version %u, this hilbench speaks %u: "
				"rebuild the firmware",
				session->board_id, hello->protocol_version, PROTO_VERSION);
	if (!session->handshaken)
		session->deadlines.handshake_ms = session->timeout_ms;
	session->handshaken = true;
	return HB_OK;
}

/* The first HELLO meets a board that has just started: a UART that drops
 * what arrives before the firmware enables it (the STM32F4's, real or in
 * QEMU) loses it, and silence then cost a quarter of the timeout. A HELLO
 * has no effect on the board, so it is resent after the quick wait. */
int session_hello(struct session *session, struct msg_hello_reply *hello)
{
	struct resend_policy policy = {.on_damage = true,
				       .wait_ms = session->timeout_ms / session->max_attempts,
				       .attempts = session->max_attempts};

	if (policy.wait_ms > SESSION_QUICK_WAIT_MS)
		policy.wait_ms = SESSION_QUICK_WAIT_MS;
	return say_hello(session, &policy, hello);
}

int session_sync(struct session *session, int resend_ms)
{
	/* Damage meanwhile may belong to the requests still in flight, whose
	 * replies come first, so only time makes it resend; a HELLO has no
	 * effect on the board, so resending it often is harmless. */
	struct resend_policy policy = {.on_damage = false, .wait_ms = resend_ms};
	struct msg_hello_reply hello;

	if (policy.wait_ms < 1)
		policy.wait_ms = 1;
	policy.attempts = session->timeout_ms / policy.wait_ms + 1;
	return say_hello(session, &policy, &hello);
}

int session_check_input_ack(const struct session *session, const struct frame *reply,
			    uint32_t offset, uint32_t length)
{
	if (reply->length != 6 || le_get_u32(reply->payload) != offset ||
	    le_get_u16(reply->payload + 4) != length)
		return hb_error(
		    HB_ERR_PROTOCOL,
		    "board '%s' acknowledged the wrong input chunk (expected offset %u, %u bytes)",
		    session->board_id, offset, length);
	return HB_OK;
}

int session_check_output_data(const struct session *session, const struct frame *reply,
			      uint32_t offset, uint32_t length)
{
	if (reply->length != length + 4 || le_get_u32(reply->payload) != offset)
		return hb_error(
		    HB_ERR_PROTOCOL,
		    "board '%s' sent the wrong output chunk (expected offset %u, %u bytes)",
		    session->board_id, offset, length);
	return HB_OK;
}

/* The board's own count of an inference prices every later deadline: the
 * most seen, so one quick run cannot shorten the deadline of a slow one. */
static void count_inference(struct session *session, const struct msg_invoke_reply *result)
{
	uint64_t most = 0;

	for (uint16_t i = 0; i < result->runs; i++)
		if (result->ticks[i] > most)
			most = result->ticks[i];
	session_assume_counted(session, (double)most * session->counter_scale_q16 / 65536.0);
}

void session_assume_counted(struct session *session, double units)
{
	if (!session->derive_deadlines || units <= session->deadlines.counted_units)
		return;
	session->deadlines.counted_units = session->units_per_inference = units;
	session->deadlines.counted_request_ms = deadline_for_work_ms(&session->rule, units, 1);
	if (session->rule.fixed_ms <= 0)
		session->timeout_ms = session->deadlines.counted_request_ms;
}

int session_decode_invoke(struct session *session, const struct frame *reply, uint16_t runs,
			  struct msg_invoke_reply *result)
{
	if (msg_invoke_reply_decode(reply->payload, reply->length, result) != 0 ||
	    result->runs != runs)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s' sent a malformed INVOKE_REPLY (%u bytes)",
				session->board_id, reply->length);
	count_inference(session, result);
	return HB_OK;
}

void session_use_deadlines(struct session *session, const struct deadline_rule *rule, uint64_t macs,
			   uint32_t counter_scale_q16)
{
	session->rule = *rule;
	session->deadlines.rule = *rule;
	session->derive_deadlines = true;
	session->counter_scale_q16 = counter_scale_q16;
	session->deadlines.derived = rule->fixed_ms <= 0;
	session->deadlines.fixed_ms = rule->fixed_ms > 0 ? rule->fixed_ms : 0;
	session->deadlines.bound_units = deadline_bound_units(rule, macs);
	session->units_per_inference = session->deadlines.bound_units;
	/* Without MACs there is no bound: the handshake's deadline stands in. */
	session->deadlines.bound_request_ms =
	    session->units_per_inference > 0
		? deadline_for_work_ms(rule, session->units_per_inference, 1)
		: (rule->fixed_ms > 0 ? rule->fixed_ms : DEADLINE_HANDSHAKE_MS);
	session->timeout_ms = session->deadlines.bound_request_ms;
}

int session_invoke_deadline_ms(const struct session *session, uint32_t inferences)
{
	if (!session->derive_deadlines || session->rule.fixed_ms > 0 ||
	    session->units_per_inference <= 0)
		return session->timeout_ms;
	return deadline_for_work_ms(&session->rule, session->units_per_inference, inferences);
}

void session_counters_add(struct session_counters *a, const struct session_counters *b)
{
	a->requests += b->requests;
	a->resends += b->resends;
	a->damaged_frames += b->damaged_frames;
	a->stale_frames += b->stale_frames;
	a->resyncs += b->resyncs;
	a->unasked_boots += b->unasked_boots;
	a->bytes_sent += b->bytes_sent;
	a->bytes_received += b->bytes_received;
}

int session_write_input(struct session *session, const uint8_t *data, uint32_t length,
			uint32_t chunk)
{
	uint8_t payload[FRAME_MAX_PAYLOAD];
	struct frame reply;

	if (chunk == 0 || chunk > FRAME_MAX_PAYLOAD - 4)
		chunk = FRAME_MAX_PAYLOAD - 4;
	for (uint32_t offset = 0; offset < length; offset += chunk) {
		uint32_t part = length - offset < chunk ? length - offset : chunk;
		int status;
		le_put_u32(payload, offset);
		memcpy(payload + 4, data + offset, part);
		status = quick_request(session, MSG_INPUT_WRITE, payload, (uint16_t)(part + 4),
				       MSG_INPUT_ACK, &reply);
		if (status != HB_OK)
			return status;
		status = session_check_input_ack(session, &reply, offset, part);
		if (status != HB_OK)
			return status;
	}
	return HB_OK;
}

int session_invoke(struct session *session, uint16_t runs, uint16_t warmups,
		   struct msg_invoke_reply *result)
{
	return session_invoke_flags(session, runs, warmups, 0, result);
}

int session_invoke_flags(struct session *session, uint16_t runs, uint16_t warmups, uint8_t flags,
			 struct msg_invoke_reply *result)
{
	uint8_t payload[5];
	struct frame reply;
	int status;
	/* Priced by the work asked for: runs and warm-ups alike. */
	const int timeout_ms = session_invoke_deadline_ms(session, (uint32_t)runs + warmups);
	struct resend_policy policy = {.on_damage = true,
				       .wait_ms = timeout_ms / session->max_attempts,
				       .attempts = session->max_attempts};

	if (session->invoke_wait_ms > 0 && session->invoke_wait_ms < policy.wait_ms)
		policy.wait_ms = session->invoke_wait_ms;
	if (timeout_ms > session->deadlines.longest_invoke_ms)
		session->deadlines.longest_invoke_ms = timeout_ms;
	le_put_u16(payload, runs);
	le_put_u16(payload + 2, warmups);
	payload[4] = flags;
	/* Without flags, the 4-byte INVOKE of protocol 4. */
	status = request_within(session, MSG_INVOKE, payload, flags ? 5 : 4, MSG_INVOKE_REPLY,
				&policy, timeout_ms, &reply);
	if (status != HB_OK)
		return status;
	return session_decode_invoke(session, &reply, runs, result);
}

int session_read_output(struct session *session, uint8_t *data, uint32_t length, uint32_t chunk)
{
	uint8_t payload[6];
	struct frame reply;

	if (chunk == 0 || chunk > FRAME_MAX_PAYLOAD - 4)
		chunk = FRAME_MAX_PAYLOAD - 4;
	for (uint32_t offset = 0; offset < length; offset += chunk) {
		uint32_t part = length - offset < chunk ? length - offset : chunk;
		int status;
		le_put_u32(payload, offset);
		le_put_u16(payload + 4, (uint16_t)part);
		status = quick_request(session, MSG_OUTPUT_READ, payload, sizeof payload,
				       MSG_OUTPUT_DATA, &reply);
		if (status != HB_OK)
			return status;
		status = session_check_output_data(session, &reply, offset, part);
		if (status != HB_OK)
			return status;
		memcpy(data + offset, reply.payload + 4, part);
	}
	return HB_OK;
}

int session_read_layers(struct session *session, uint16_t first, struct msg_layers_reply *layers)
{
	uint8_t payload[2];
	struct frame reply;
	int status;

	le_put_u16(payload, first);
	status = quick_request(session, MSG_LAYERS_READ, payload, sizeof payload, MSG_LAYERS_DATA,
			       &reply);
	if (status != HB_OK)
		return status;
	if (msg_layers_reply_decode(reply.payload, reply.length, layers) != 0 ||
	    (layers->op_count > 0 && layers->first != first))
		return hb_error(
		    HB_ERR_PROTOCOL,
		    "board '%s' sent a malformed LAYERS_DATA (%u bytes, asked from op %u)",
		    session->board_id, reply.length, first);
	return HB_OK;
}

int session_exit(struct session *session, uint8_t status)
{
	/* The board stops right after it answers EXIT, so a resend would find
	 * the line closed: any reply, even a damaged one, says it got there.
	 * A request it could not read it reports intact, and that is resent. */
	const struct resend_policy policy = {.on_damage = true,
					     .damage_answers = true,
					     .wait_ms = session->timeout_ms / session->max_attempts,
					     .attempts = session->max_attempts};
	struct frame reply;
	/* A reply whose delimiter the line damaged never completes, and the
	 * board, having answered, is gone: the line closing after EXIT then
	 * says it stopped as asked. The flasher's exit status confirms it. */
	const bool was_quiet = hb_quiet_errors(true);
	int result = request(session, MSG_EXIT, &status, 1, MSG_EXIT_REPLY, &policy, &reply);

	hb_quiet_errors(was_quiet);
	if (result == HB_ERR_IO) {
		hb_debug("board '%s': the line closed after EXIT (%s): taken as stopped",
			 session->board_id, hb_last_error());
		return HB_OK;
	}
	if (result != HB_OK)
		return hb_error(result, "%s", hb_last_error());
	return HB_OK;
}
