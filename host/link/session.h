/*
 * The host end of the protocol: one request, one reply, with bounded
 * retries. A damaged reply, a damaged request (the board answers
 * MSG_ERROR_BAD_FRAME) or a silent line makes the host resend the same
 * request with the same sequence number; the board answers a repeat from
 * its cached reply, so nothing runs twice. The whole request is bounded by
 * its deadline (link/deadline.h: derived from the work once
 * session_use_deadlines() is called, else the fixed timeout): a hung board
 * ends in HB_ERR_TIMEOUT, never a hang. A MSG_BOOT arriving after the
 * handshake means the board reset itself: the request then ends at once
 * with HB_ERR_PROTOCOL and counters.unasked_boots counts it; one before the
 * handshake is the board starting, and is skipped.
 */
#ifndef HB_SESSION_H
#define HB_SESSION_H

#include <stdint.h>

#include "frame.h"
#include "messages.h"
#include "link/deadline.h"
#include "link/transport.h"

/* Resends after damaged replies a request may take beyond the ones silence
 * allows (max_attempts): damage means the board is alive; a line that
 * damages every reply still ends, as a protocol error naming the line. */
#define SESSION_DAMAGE_RESENDS 16

/* How long a request that moves bytes (input, output) waits in silence
 * before it is sent again; requests that compute wait their share of the
 * timeout. */
#define SESSION_QUICK_WAIT_MS 1000

struct session_counters {
	uint32_t requests;
	uint32_t resends;	 /* requests sent again after damage or silence */
	uint32_t damaged_frames; /* replies that failed CRC/encoding/length */
	uint32_t stale_frames;	 /* replies to an earlier sequence number, ignored */
	uint32_t resyncs;	 /* pipelined streams restarted after damage (pipeline.h) */
	uint32_t unasked_boots;	 /* MSG_BOOT after the handshake: the board reset itself */
	uint64_t bytes_sent;
	uint64_t bytes_received;
};

/* The deadlines a session gave its requests, for the record. 0: not given. */
struct session_deadline_log {
	struct deadline_rule rule; /* as session_use_deadlines was given it */
	bool derived;		   /* from the work (session_use_deadlines), else fixed */
	int fixed_ms;		   /* --timeout, when given */
	int handshake_ms;	   /* the HELLO before anything was known */
	double bound_units;	   /* one inference's upper bound from its MACs */
	int bound_request_ms;	   /* a one-inference request's deadline from that bound */
	double counted_units;	   /* one inference as the board counted it (the most seen) */
	int counted_request_ms;	   /* a one-inference request's deadline from that count */
	int longest_invoke_ms;	   /* the longest INVOKE deadline given */
};

struct session {
	struct transport *transport;
	const char *board_id; /* for messages */
	/* Whole request, all attempts included: the fixed timeout, or (after
	 * session_use_deadlines) the deadline of a request with one
	 * inference's work; an INVOKE of more runs gets its own. */
	int timeout_ms;
	int max_attempts; /* sends per request met by silence, >= 1 */
	/* How long an INVOKE may take before silence means it was lost, when
	 * the caller has measured it (a suite's samples); 0: a share of the
	 * timeout. */
	int invoke_wait_ms;
	uint16_t next_seq;
	struct frame_decoder decoder;
	uint8_t received[512]; /* read from the transport, not yet decoded */
	size_t received_length;
	size_t received_position;
	struct session_counters counters;
	bool handshaken;	    /* a HELLO was answered: a MSG_BOOT now is a reset */
	uint8_t awaiting;	    /* the request in flight (0: none), for messages */
	int awaiting_deadline_ms;   /* its deadline */
	uint16_t board_error;	    /* the last MSG_ERROR's code (0: none) */
	bool derive_deadlines;	    /* session_use_deadlines was called */
	struct deadline_rule rule;  /* its rule */
	uint32_t counter_scale_q16; /* counter units per tick, from HELLO */
	double units_per_inference; /* the count, or the bound before it */
	struct session_deadline_log deadlines;
};

void session_init(struct session *session, struct transport *transport, const char *board_id,
		  int timeout_ms, int max_attempts);

/* From now on, requests get deadlines derived from the work (deadline.h):
 * the bound from `macs` until the first INVOKE_REPLY counts an inference
 * (ticks x counter_scale_q16 / 65536 units). With rule->fixed_ms set,
 * every request keeps that fixed deadline. */
void session_use_deadlines(struct session *session, const struct deadline_rule *rule, uint64_t macs,
			   uint32_t counter_scale_q16);

/* Prices the deadlines by `units` per inference as if the board had just
 * counted them (the count of an earlier start of the same board and model,
 * after a reset); a smaller count than one already seen changes nothing. */
void session_assume_counted(struct session *session, double units);

/* The deadline an INVOKE of runs + warmups inferences gets. */
int session_invoke_deadline_ms(const struct session *session, uint32_t inferences);

/* Adds b's counts to a (attempts of one run, for the record). */
void session_counters_add(struct session_counters *a, const struct session_counters *b);

/* Sends `type` with `payload` and waits for the reply with the same
 * sequence number. A MSG_ERROR reply becomes HB_ERR_PROTOCOL with the
 * board's error named; `expected_reply` other than the reply type too. */
int session_request(struct session *session, uint8_t type, const uint8_t *payload, uint16_t length,
		    uint8_t expected_reply, struct frame *reply);

/* A HELLO behind whatever is still in flight: when its reply is in, the
 * board has served or dropped every earlier request. Damaged frames and
 * "bad frame" errors meanwhile are taken for those requests' replies, so
 * it is resent only when `resend_ms` pass without its reply (choose about
 * the time the board takes to serve what is in flight). */
int session_sync(struct session *session, int resend_ms);

/* Sends a request and does not wait (MSG_DEBUG_HANG). */
int session_send_only(struct session *session, uint8_t type, const uint8_t *payload,
		      uint16_t length);

uint16_t session_take_seq(struct session *session);
/* A request frame as it goes on the wire (at most FRAME_MAX_ENCODED bytes). */
int session_encode(uint16_t seq, uint8_t type, const uint8_t *payload, uint16_t length,
		   uint8_t encoded[FRAME_MAX_ENCODED], size_t *encoded_length);
/* Writes encoded frame bytes, counting them. */
int session_write(struct session *session, const uint8_t *bytes, size_t length);
/* Decodes received bytes until one frame is complete or damaged (*result
 * says which) or the monotonic `deadline_ms` passes (*result FRAME_PENDING).
 * Bytes after that frame stay buffered for the next call. */
int session_read_frame(struct session *session, int64_t deadline_ms, struct frame *frame,
		       enum frame_result *result);
/* HB_OK when `reply` is the expected reply to a `request_type`; otherwise
 * reports the board's MSG_ERROR (its code kept as board_error) or the
 * wrong type, naming the board. */
int session_check_reply(struct session *session, uint8_t request_type, uint8_t expected_reply,
			const struct frame *reply);

/* Checks of the typed replies, shared with the pipelined path: the chunk
 * acknowledged or returned, and an INVOKE_REPLY with `runs` runs (whose
 * counts then price the deadlines, when derived). */
int session_check_input_ack(const struct session *session, const struct frame *reply,
			    uint32_t offset, uint32_t length);
int session_check_output_data(const struct session *session, const struct frame *reply,
			      uint32_t offset, uint32_t length);
int session_decode_invoke(struct session *session, const struct frame *reply, uint16_t runs,
			  struct msg_invoke_reply *result);

/* The typed requests the benchmark uses. */
int session_hello(struct session *session, struct msg_hello_reply *hello);
int session_write_input(struct session *session, const uint8_t *data, uint32_t length,
			uint32_t chunk);
int session_invoke(struct session *session, uint16_t runs, uint16_t warmups,
		   struct msg_invoke_reply *result);
/* INVOKE with flags (protocol 5: MSG_INVOKE_PROFILE_LAYERS); flags 0 sends
 * the 4-byte INVOKE session_invoke sends. */
int session_invoke_flags(struct session *session, uint16_t runs, uint16_t warmups, uint8_t flags,
			 struct msg_invoke_reply *result);
int session_read_output(struct session *session, uint8_t *data, uint32_t length, uint32_t chunk);
/* LAYERS_READ from op `first`: the profile the last profiled INVOKE left,
 * decoded; op_count 0 when the board kept none. */
int session_read_layers(struct session *session, uint16_t first, struct msg_layers_reply *layers);
int session_exit(struct session *session, uint8_t status);

#endif
