/* The protocol driver for hilbench's framed protocol: the session of
 * link/session.h behind the table's steps. Runs and memory figures come
 * from the board's INVOKE reply; outputs as the tensor's bytes. */
#include <stdlib.h>
#include <string.h>

#include "link/protocol.h"
#include "util/error.h"

struct protocol_link {
	struct session session;
};

static int hilbench_open(const struct protocol_open_options *options, struct protocol_link **out)
{
	struct protocol_link *link = calloc(1, sizeof *link);

	if (!link)
		return hb_error(HB_ERR_NOMEM, "out of memory for a session with board '%s'",
				options->board_id);
	session_init(&link->session, options->transport, options->board_id, options->timeout_ms,
		     options->attempts);
	*out = link;
	return HB_OK;
}

static int hilbench_handshake(struct protocol_link *link, struct protocol_identity *identity)
{
	int status = session_hello(&link->session, &identity->hello);

	identity->have_hello = status == HB_OK;
	return status;
}

static int hilbench_load_input(struct protocol_link *link, const uint8_t *input, uint32_t length)
{
	return session_write_input(&link->session, input, length, 0);
}

static int hilbench_invoke(struct protocol_link *link, uint32_t runs, uint32_t warmups,
			   struct protocol_invoke *result)
{
	struct msg_invoke_reply reply;
	int status;

	memset(result, 0, sizeof *result);
	if (runs == 0 || runs > PROTO_MAX_RUNS || warmups > UINT16_MAX)
		return hb_error(HB_ERR_INTERNAL,
				"hilbench invoke of %u runs after %u warm-ups: expected 1 to %u "
				"runs and at most %u warm-ups",
				runs, warmups, PROTO_MAX_RUNS, UINT16_MAX);
	status = session_invoke(&link->session, (uint16_t)runs, (uint16_t)warmups, &reply);
	if (status != HB_OK)
		return status;
	result->runs = reply.runs;
	result->tick_count = reply.runs;
	memcpy(result->ticks, reply.ticks, reply.runs * sizeof reply.ticks[0]);
	result->have_memory = true;
	result->stack_high_water = reply.stack_high_water;
	result->inference_stack = reply.inference_stack;
	result->arena_used = reply.arena_used;
	return HB_OK;
}

static int hilbench_read_output(struct protocol_link *link, struct protocol_output *output)
{
	int status =
	    session_read_output(&link->session, output->bytes, (uint32_t)output->byte_capacity, 0);

	output->have_bytes = status == HB_OK;
	output->have_values = false;
	output->value_count = 0;
	return status;
}

static int hilbench_stop(struct protocol_link *link)
{
	return session_exit(&link->session, 0);
}

static void hilbench_counters(const struct protocol_link *link, struct session_counters *counters)
{
	*counters = link->session.counters;
}

static struct session *hilbench_framed_session(struct protocol_link *link)
{
	return &link->session;
}

static void hilbench_close(struct protocol_link *link)
{
	free(link);
}

const struct protocol_driver protocol_hilbench = {
    .name = "hilbench",
    .firmware_protocol = NULL,
    .board_exits = true,
    .max_runs = PROTO_MAX_RUNS,
    .open = hilbench_open,
    .handshake = hilbench_handshake,
    .load_input = hilbench_load_input,
    .invoke = hilbench_invoke,
    .read_output = hilbench_read_output,
    .stop = hilbench_stop,
    .counters = hilbench_counters,
    .framed_session = hilbench_framed_session,
    .close = hilbench_close,
};
