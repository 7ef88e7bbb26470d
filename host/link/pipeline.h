/*
 * Pipelined requests: the host keeps sending while earlier replies are
 * outstanding, up to the board's receive window (HELLO_REPLY.rx_window:
 * request bytes in flight, sent but not yet answered), and takes the
 * replies in order. The board serves requests one at a time in the order
 * they arrive, so order pairs them; sequence numbers check it.
 *
 * Nothing is resent here. A damaged or missing reply, or a request the
 * board could not read, ends the run with PIPELINE_BROKEN; the caller then
 * calls pipeline_resync and redoes its work on the synchronous path of
 * session.h, which does resend. A board's MSG_ERROR reply is an error.
 */
#ifndef HB_PIPELINE_H
#define HB_PIPELINE_H

#include <stdint.h>

#include "frame.h"
#include "link/session.h"

/* Positive, so never confused with an HB_ERR_* code. */
#define PIPELINE_BROKEN 1

enum pipeline_next {
	PIPELINE_SEND, /* *request is filled: send it when the window allows */
	PIPELINE_WAIT, /* nothing to send until more replies arrive */
	PIPELINE_END,  /* nothing more, ever */
};

struct pipeline_request {
	uint8_t type;
	uint8_t expected_reply;
	uint16_t length;
	uint32_t tag; /* the source's own; handed back with the reply */
	uint8_t payload[FRAME_MAX_PAYLOAD];
};

struct pipeline_source {
	/* Must not answer PIPELINE_WAIT when no request is in flight. */
	enum pipeline_next (*next)(void *context, struct pipeline_request *request);
	/* The intact, expected reply to the request tagged `tag`. HB_OK, or
	 * an error (reported) that ends the run. */
	int (*reply)(void *context, uint32_t tag, const struct frame *reply);
	void *context;
};

/* Sends what the source gives, at most `window` bytes in flight (one
 * request always may be), until it says PIPELINE_END and every reply is
 * in. Each reply must come within the session's timeout of the previous
 * one. Returns HB_OK, PIPELINE_BROKEN or an error. */
int pipeline_run(struct session *session, uint32_t window, const struct pipeline_source *source);

/* After PIPELINE_BROKEN: waits for the reply to a HELLO sent behind
 * everything in flight (session_sync, resent every `resend_ms`), so the
 * board has served or dropped every earlier request and the window is
 * empty again. */
int pipeline_resync(struct session *session, int resend_ms);

#endif
