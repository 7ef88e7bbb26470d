#include "link/sample_stream.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/error.h"
#include "link/pipeline.h"

/* Input and output bytes per frame: the payload less the u32 offset. */
#define CHUNK (FRAME_MAX_PAYLOAD - 4u)

struct stream {
	struct session *session;
	const struct sample_stream_options *options;
	const struct sample_stream_handler *handler;
	uint32_t input_parts;  /* INPUT_WRITE frames per sample */
	uint32_t output_parts; /* OUTPUT_READ frames per sample */
	/* Sample k's input lives in inputs[k % 2]: the next sample's is made
	 * and sent before this one's reply is checked against it. */
	uint8_t *inputs[2];
	uint8_t *output;
	struct msg_invoke_reply invoke;
	uint32_t completed;   /* samples finished, from options->first on */
	uint32_t next_sample; /* the sample whose requests `next` gives */
	uint32_t next_part;
	uint32_t reply_part; /* of sample `completed`, the next reply due */
	int64_t finished_ms; /* when the last sample finished */
	int64_t sample_ms;   /* time between the last two, -1 before */
};

static uint32_t parts_of(uint32_t bytes)
{
	return bytes ? (bytes + CHUNK - 1) / CHUNK : 0;
}

/* Length of chunk `index` of a `total`-byte tensor, and its offset. */
static uint32_t chunk_at(uint32_t total, uint32_t index, uint32_t *offset)
{
	*offset = index * CHUNK;
	return total - *offset < CHUNK ? total - *offset : CHUNK;
}

static uint8_t *input_of(struct stream *stream, uint32_t sample)
{
	return stream->inputs[sample % 2];
}

/* Request `part` of a sample: its input chunks, the invoke, its output chunks. */
static enum pipeline_next next_request(void *context, struct pipeline_request *request)
{
	struct stream *stream = context;
	const uint32_t sample = stream->next_sample;
	const uint32_t part = stream->next_part;

	if (sample == stream->options->end)
		return PIPELINE_END;
	/* One sample ahead at most: two input buffers, and a resync redoes one. */
	if (sample > stream->completed + 1)
		return PIPELINE_WAIT;
	if (part == 0)
		stream->handler->make_input(stream->handler->context, sample,
					    input_of(stream, sample));
	request->tag = part;
	if (part < stream->input_parts) {
		uint32_t offset;
		uint32_t length = chunk_at(stream->options->input_bytes, part, &offset);
		request->type = MSG_INPUT_WRITE;
		request->expected_reply = MSG_INPUT_ACK;
		le_put_u32(request->payload, offset);
		memcpy(request->payload + 4, input_of(stream, sample) + offset, length);
		request->length = (uint16_t)(4 + length);
	} else if (part == stream->input_parts) {
		request->type = MSG_INVOKE;
		request->expected_reply = MSG_INVOKE_REPLY;
		le_put_u16(request->payload, 1);
		le_put_u16(request->payload + 2, 0);
		request->length = 4;
	} else {
		uint32_t offset;
		uint32_t length = chunk_at(stream->options->output_bytes,
					   part - stream->input_parts - 1, &offset);
		request->type = MSG_OUTPUT_READ;
		request->expected_reply = MSG_OUTPUT_DATA;
		le_put_u32(request->payload, offset);
		le_put_u16(request->payload + 4, (uint16_t)length);
		request->length = 6;
	}
	if (++stream->next_part == stream->input_parts + 1 + stream->output_parts) {
		stream->next_sample++;
		stream->next_part = 0;
	}
	return PIPELINE_SEND;
}

static int finish_sample(struct stream *stream)
{
	const uint32_t sample = stream->completed;
	int status =
	    stream->handler->finish(stream->handler->context, sample, input_of(stream, sample),
				    stream->output, &stream->invoke);
	int64_t now = clock_now_ms();

	if (stream->finished_ms) {
		stream->sample_ms = now - stream->finished_ms;
		/* One sample's compute fits in the time between two samples. */
		stream->session->invoke_wait_ms =
		    (int)(2 * stream->sample_ms + SESSION_QUICK_WAIT_MS < INT32_MAX
			      ? 2 * stream->sample_ms + SESSION_QUICK_WAIT_MS
			      : INT32_MAX);
	}
	stream->finished_ms = now;
	stream->completed++;
	stream->reply_part = 0;
	return status;
}

static int take_reply(void *context, uint32_t tag, const struct frame *reply)
{
	struct stream *stream = context;
	const uint32_t part = stream->reply_part;
	uint32_t offset;
	uint32_t length;
	int status;

	if (tag != part)
		return hb_error(HB_ERR_INTERNAL, "pipeline: reply to part %u, expected part %u",
				tag, part);
	if (part < stream->input_parts) {
		length = chunk_at(stream->options->input_bytes, part, &offset);
		status = session_check_input_ack(stream->session, reply, offset, length);
	} else if (part == stream->input_parts) {
		status = session_decode_invoke(stream->session, reply, 1, &stream->invoke);
	} else {
		length = chunk_at(stream->options->output_bytes, part - stream->input_parts - 1,
				  &offset);
		status = session_check_output_data(stream->session, reply, offset, length);
		if (status == HB_OK)
			memcpy(stream->output + offset, reply->payload + 4, length);
	}
	if (status == HB_OK &&
	    ++stream->reply_part == stream->input_parts + 1 + stream->output_parts)
		status = finish_sample(stream);
	return status;
}

/* One sample, one request at a time, each resent after damage. */
static int run_synchronously(struct stream *stream)
{
	const uint32_t sample = stream->completed;
	uint8_t *input = input_of(stream, sample);
	int status;

	stream->handler->make_input(stream->handler->context, sample, input);
	status = session_write_input(stream->session, input, stream->options->input_bytes, 0);
	if (status == HB_OK)
		status = session_invoke(stream->session, 1, 0, &stream->invoke);
	if (status == HB_OK)
		status = session_read_output(stream->session, stream->output,
					     stream->options->output_bytes, 0);
	if (status == HB_OK)
		status = finish_sample(stream);
	return status;
}

/* What is in flight is at most about two samples' work, so a HELLO not
 * answered in twice a sample's time was lost. Before the first sample
 * finished that time is unknown: resend every SESSION_QUICK_WAIT_MS, which
 * costs a few bytes per extra HELLO, rather than wait a share of the whole
 * timeout after every loss. */
static int resync_resend_ms(const struct stream *stream)
{
	const int longest = stream->session->timeout_ms / stream->session->max_attempts;
	int64_t wait = stream->sample_ms < 0 ? SESSION_QUICK_WAIT_MS : 2 * stream->sample_ms + 100;

	return wait > longest ? longest : (int)wait;
}

/* A pipeline that breaks within this many samples of starting gained less
 * than its resync cost. */
#define SHORT_PIPELINE 8u
#define MAX_BACKOFF    64u

static int run_pipelined(struct stream *stream, struct sample_stream_stats *stats)
{
	const struct pipeline_source source = {
	    .next = next_request, .reply = take_reply, .context = stream};
	uint32_t backoff = 0; /* samples run one at a time after the last break */
	int status = HB_OK;

	while (status == HB_OK && stream->completed < stream->options->end) {
		const uint32_t start = stream->completed;

		stream->next_sample = stream->completed;
		stream->next_part = 0;
		stream->reply_part = 0;
		status = pipeline_run(stream->session, stream->options->window, &source);
		if (status != PIPELINE_BROKEN)
			break;
		stats->resyncs++;
		/* On a line that keeps breaking pipelines, one request at a time
		 * (which resends a single frame) is faster: stay with it for
		 * longer each time a pipeline breaks soon after it started. */
		if (stream->completed - start < SHORT_PIPELINE)
			backoff =
			    backoff ? (backoff * 2 < MAX_BACKOFF ? backoff * 2 : MAX_BACKOFF) : 1;
		else
			backoff = 1;
		hb_debug(
		    "board '%s': pipeline broken at sample %u; %u sample(s) one request at a time",
		    stream->session->board_id, stream->completed, backoff);
		status = pipeline_resync(stream->session, resync_resend_ms(stream));
		if (status == HB_OK)
			stats->redone++;
		for (uint32_t i = 0;
		     i < backoff && status == HB_OK && stream->completed < stream->options->end;
		     i++) {
			status = run_synchronously(stream);
			stats->one_at_a_time++;
		}
	}
	return status;
}

int sample_stream_run(struct session *session, const struct sample_stream_options *options,
		      const struct sample_stream_handler *handler,
		      struct sample_stream_stats *stats)
{
	struct stream stream = {.session = session,
				.options = options,
				.handler = handler,
				.input_parts = parts_of(options->input_bytes),
				.output_parts = parts_of(options->output_bytes),
				.completed = options->first,
				.sample_ms = -1};
	int status = HB_OK;

	memset(stats, 0, sizeof *stats);
	stream.inputs[0] = malloc(options->input_bytes ? options->input_bytes : 1);
	stream.inputs[1] = malloc(options->input_bytes ? options->input_bytes : 1);
	stream.output = malloc(options->output_bytes ? options->output_bytes : 1);
	if (!stream.inputs[0] || !stream.inputs[1] || !stream.output)
		status = hb_error(HB_ERR_NOMEM, "out of memory streaming samples");
	if (status == HB_OK && options->window > 0)
		status = run_pipelined(&stream, stats);
	while (status == HB_OK && stream.completed < options->end)
		status = run_synchronously(&stream);
	free(stream.inputs[0]);
	free(stream.inputs[1]);
	free(stream.output);
	return status;
}
