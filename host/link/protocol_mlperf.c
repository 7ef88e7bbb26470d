/* The protocol driver for the MLPerf Tiny / EEMBC runner's ASCII protocol
 * (link/eembc_session.h), as its runner drives a board: "name%" and
 * "profile%" for the handshake, "db load N%" and "db HEX%" for an input
 * in the form the named model's dataset has, "infer N W%" for the runs
 * (two m-lap-us timestamps of the board's clock around them, then the
 * output as m-results), "results%" when no infer has answered yet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/eembc_session.h"
#include "link/protocol.h"
#include "model_image.h"
#include "util/error.h"

/* A generous bound per command when the caller derives deadlines: a
 * runner's performance window is 10 s or more. */
#define MLPERF_DEFAULT_TIMEOUT_MS 60000

struct protocol_link {
	struct eembc_session session;
	struct protocol_model model;
	uint8_t *converted; /* the input in the dataset's form */
	double *values;	    /* the last infer's m-results */
	size_t value_capacity;
	size_t value_count;
	bool have_values;
};

/* How the runner's dataset holds a model's input (as the reference
 * firmware reads it): uint8 pixels for ic01/vww01 (int8 + 128), float32
 * windows for ad01, the input tensor's bytes for the rest. */
enum mlperf_form { FORM_RAW, FORM_UINT8_PIXELS, FORM_FLOAT32 };

static enum mlperf_form input_form(const struct protocol_model *model)
{
	const char *name = model->model_name ? model->model_name : "";

	if (model->input_dtype != MODEL_DTYPE_INT8)
		return FORM_RAW;
	if (strcmp(name, "ic01") == 0 || strcmp(name, "vww01") == 0)
		return FORM_UINT8_PIXELS;
	if (strcmp(name, "ad01") == 0)
		return FORM_FLOAT32;
	return FORM_RAW;
}

static int mlperf_open(const struct protocol_open_options *options, struct protocol_link **out)
{
	struct protocol_link *link = calloc(1, sizeof *link);
	const int timeout_ms =
	    options->timeout_ms > 0 ? options->timeout_ms : MLPERF_DEFAULT_TIMEOUT_MS;

	if (link) {
		link->model = options->model;
		/* ad01 answers one score; room for the whole output besides. */
		link->value_capacity = options->model.output_count + 1;
		link->values = calloc(link->value_capacity, sizeof *link->values);
		link->converted = malloc((size_t)options->model.input_bytes * 4 + 1);
	}
	if (!link || !link->values || !link->converted) {
		if (link) {
			free(link->values);
			free(link->converted);
		}
		free(link);
		return hb_error(HB_ERR_NOMEM, "out of memory for a session with board '%s'",
				options->board_id);
	}
	eembc_session_init(&link->session, options->transport, options->board_id, timeout_ms);
	*out = link;
	return HB_OK;
}

static int mlperf_handshake(struct protocol_link *link, struct protocol_identity *identity)
{
	struct eembc_profile profile;
	int status = eembc_session_name(&link->session, identity->name, sizeof identity->name);

	if (status == HB_OK)
		status = eembc_session_profile(&link->session, &profile);
	if (status != HB_OK)
		return status;
	if (profile.refused[0])
		hb_info("  board '%s' does not answer profile%%: %s", link->session.board_id,
			profile.refused);
	snprintf(identity->profile, sizeof identity->profile, "%s",
		 profile.have_profile ? profile.profile : "");
	snprintf(identity->model_name, sizeof identity->model_name, "%s",
		 profile.have_model ? profile.model : "");
	return HB_OK;
}

static int mlperf_load_input(struct protocol_link *link, const uint8_t *input, uint32_t length)
{
	const struct protocol_model *model = &link->model;
	uint32_t sent = length;

	if (length != model->input_bytes)
		return hb_error(HB_ERR_INTERNAL, "mlperf-tiny load of %u bytes, the model takes %u",
				length, model->input_bytes);
	switch (input_form(model)) {
	case FORM_UINT8_PIXELS:
		for (uint32_t i = 0; i < length; i++)
			link->converted[i] = input[i] ^ 0x80u; /* int8 + 128 */
		break;
	case FORM_FLOAT32:
		/* Dequantised: the board's quantisation gives the same int8 back. */
		for (uint32_t i = 0; i < length; i++) {
			float value = ((float)(int8_t)input[i] - (float)model->input_zero_point) *
				      model->input_scale;
			memcpy(link->converted + 4 * (size_t)i, &value, 4);
		}
		sent = length * 4;
		break;
	case FORM_RAW: memcpy(link->converted, input, length); break;
	}
	link->have_values = false;
	return eembc_session_load(&link->session, link->converted, sent, 0);
}

static int mlperf_invoke(struct protocol_link *link, uint32_t runs, uint32_t warmups,
			 struct protocol_invoke *result)
{
	struct eembc_infer_result infer;
	int status;

	memset(result, 0, sizeof *result);
	link->have_values = false;
	status = eembc_session_infer_results(&link->session, runs, warmups, &infer, link->values,
					     link->value_capacity, &link->value_count);
	if (status != HB_OK)
		return status;
	link->have_values = true;
	result->runs = runs;
	result->have_elapsed_us = true;
	result->elapsed_us = infer.elapsed_us;
	return HB_OK;
}

static int mlperf_read_output(struct protocol_link *link, struct protocol_output *output)
{
	int status = HB_OK;

	output->have_bytes = false;
	output->have_values = false;
	output->value_count = 0;
	if (!link->have_values)
		status = eembc_session_results(&link->session, link->values, link->value_capacity,
					       &link->value_count);
	if (status != HB_OK)
		return status;
	link->have_values = true;
	if (link->value_count > output->value_capacity)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': %zu result values, expected at most %zu",
				link->session.board_id, link->value_count, output->value_capacity);
	memcpy(output->values, link->values, link->value_count * sizeof *link->values);
	output->value_count = link->value_count;
	output->have_values = true;
	return HB_OK;
}

static int mlperf_stop(struct protocol_link *link)
{
	(void)link;
	return HB_OK;
}

static void mlperf_counters(const struct protocol_link *link, struct session_counters *counters)
{
	memset(counters, 0, sizeof *counters);
	counters->requests = link->session.counters.commands;
	counters->bytes_sent = link->session.counters.bytes_sent;
	counters->bytes_received = link->session.counters.bytes_received;
}

static void mlperf_close(struct protocol_link *link)
{
	free(link->values);
	free(link->converted);
	free(link);
}

const struct protocol_driver protocol_mlperf_tiny = {
    .name = "mlperf-tiny",
    .firmware_protocol = "eembc",
    .board_exits = false,
    .max_runs = UINT32_MAX / 2,
    .open = mlperf_open,
    .handshake = mlperf_handshake,
    .load_input = mlperf_load_input,
    .invoke = mlperf_invoke,
    .read_output = mlperf_read_output,
    .stop = mlperf_stop,
    .counters = mlperf_counters,
    .framed_session = NULL,
    .close = mlperf_close,
};
