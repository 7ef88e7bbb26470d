/*
 * Streams samples through the board, one inference each: write the input,
 * invoke once, read the output. Pipelined when the caller gives a window
 * (the next sample's input goes out while the board computes, see
 * pipeline.h), else one request at a time. After damage on the line the
 * pipeline is resynced and the sample whose replies were cut short is
 * redone on the synchronous path (which resends), so every sample is
 * finished exactly once, in order, from replies that arrived intact. A
 * redone sample may have been invoked twice on the board; only the intact
 * reply counts. When pipelines keep breaking soon after they start, more
 * samples after each break go one request at a time (doubling, up to 64).
 */
#ifndef HB_SAMPLE_STREAM_H
#define HB_SAMPLE_STREAM_H

#include <stdint.h>

#include "messages.h"
#include "link/session.h"

struct sample_stream_handler {
	/* The model's input bytes for sample `index`; called again for a
	 * redone sample, so it must give the same bytes. */
	void (*make_input)(void *context, uint32_t index, uint8_t *input);
	/* One finished sample. HB_OK, or an error that stops the stream. */
	int (*finish)(void *context, uint32_t index, const uint8_t *input, const uint8_t *output,
		      const struct msg_invoke_reply *reply);
	void *context;
};

struct sample_stream_options {
	uint32_t first;	       /* index of the first sample to stream */
	uint32_t end;	       /* one past the last */
	uint32_t input_bytes;  /* the model's input tensor */
	uint32_t output_bytes; /* and output tensor */
	uint32_t window;       /* request bytes in flight; 0: one request at a time */
};

struct sample_stream_stats {
	uint32_t resyncs;	/* pipelines broken by damage and restarted */
	uint32_t redone;	/* samples redone on the synchronous path */
	uint32_t one_at_a_time; /* samples run that way after a break, redone ones included */
};

int sample_stream_run(struct session *session, const struct sample_stream_options *options,
		      const struct sample_stream_handler *handler,
		      struct sample_stream_stats *stats);

#endif
