#include "run/suite_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "nn.h"
#include "run/journal.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fileio.h"
#include "run/metrics.h"
#include "model_image.h"
#include "model/model_load.h"
#include "model/reference.h"
#include "link/sample_stream.h"
#include "link/protocol.h"
#include "run/mlperf_measure.h"
#include "link/transport.h"
#include "util/stats.h"

#define PROGRESS_SECONDS 2.0

/* One variant's samples, in run order. */
struct variant_run {
	const struct suite_model *entry;
	struct loaded_model model;
	struct run_result result;
	bool loaded;
	uint32_t done;	     /* samples finished (journalled) */
	uint32_t *predicted; /* top1: argmax of the output */
	float *outputs;	     /* dequantised outputs, done x output_count */
	double *scores;	     /* auc: reconstruction error */
	uint64_t *ticks;     /* counter ticks of each sample's inference */
	uint32_t output_count;
	uint32_t mismatches;	/* samples whose board output differed from the host */
	int64_t first_mismatch; /* sample index, -1 */
	double max_abs_error;
	/* The board's memory figures, largest over the samples done (restored
	 * ones too): the record is reset when the board boots. */
	bool have_memory;
	uint32_t stack_high_water, inference_stack, arena_used;
	uint32_t streamed;	/* samples streamed by this process (not restored) */
	double seconds;		/* their streaming time */
	uint64_t payload_bytes; /* input + output tensor bytes moved */
	uint64_t input_bytes;	/* of which input */
	uint32_t window;	/* request bytes in flight; 0: one request at a time */
	uint32_t resyncs;	/* pipelines restarted after line damage */
	uint32_t redone;	/* samples redone one request at a time */
	uint32_t one_at_a_time; /* samples run so after breaks, redone ones included */
	/* The outputs hold the board's one anomaly score (MLPerf Tiny's ad01
	 * answers no output tensor), which is also the AUC's score. */
	bool score_only;
};

struct suite_state {
	const struct board_profile *board;
	const struct suite *suite;
	const struct suite_run_options *options;
	struct vector_set inputs;
	struct vector_set labels;
	uint32_t *order; /* sample indices in run order */
	uint32_t count;
	uint32_t seed;
	struct variant_run variants[SUITE_MAX_MODELS];
	struct variant_run *current;
	FILE *journal;
	char journal_path[800];
	char record_path[800];
	char started_utc[32];
	/* While a variant streams (stream_samples). */
	uint8_t *host_output;
	float *dequantized;
	float *real_input; /* one sample's preprocessed values */
	double stream_start;
	double last_report;
	struct session *session;   /* the board's, for the test hooks */
	struct debug_hooks *hooks; /* --debug-hang-at etc., or NULL */
};

/* A label outside 0..2^32-2 (negative, NaN, huge) becomes UINT32_MAX, which
 * no class matches: it counts as wrong, never as undefined behaviour. */
static uint32_t label_of(const struct suite_state *state, uint32_t sample)
{
	double value;

	if (!state->labels.data)
		return 0;
	value = vectors_value(&state->labels, sample, 0);
	return value >= 0 && value < (double)UINT32_MAX ? (uint32_t)value : UINT32_MAX;
}

/* Raw sample -> the model's input tensor bytes, through the suite's
 * preprocessing and, for int8 models, the same quantisation kernel the
 * firmware's graph uses. `real` holds one sample's values. */
static void make_input(const struct suite_state *state, const struct loaded_model *model,
		       uint32_t sample, float *real, uint8_t *input)
{
	const struct model_image_header *header = (const void *)model->compiled.image;
	const struct model_tensor *tensor = &model_tensors(header)[header->input_tensor];
	const bool is_float = model->compiled.input_dtype == MODEL_DTYPE_FLOAT32;
	const size_t elements =
	    is_float ? model->compiled.input_bytes / 4 : model->compiled.input_bytes;

	for (size_t e = 0; e < elements; e++)
		real[e] =
		    (float)(vectors_value(&state->inputs, sample, e) * state->suite->input_scale +
			    state->suite->input_offset);
	if (is_float) {
		memcpy(input, real, elements * sizeof *real);
	} else {
		const struct nn_quantize_params params = {.size = (int32_t)elements,
							  .scale = tensor->scale,
							  .zero_point = tensor->zero_point};
		nn_quantize_f32_s8(&params, real, (int8_t *)input);
	}
}

static void dequantize_output(const struct loaded_model *model, const uint8_t *bytes, float *out)
{
	const struct model_image_header *header = (const void *)model->compiled.image;
	const struct model_tensor *tensor = &model_tensors(header)[header->output_tensor];
	const struct nn_quantize_params params = {.size = (int32_t)model->compiled.output_bytes,
						  .scale = tensor->scale,
						  .zero_point = tensor->zero_point};

	if (model->compiled.output_dtype == MODEL_DTYPE_FLOAT32)
		memcpy(out, bytes, model->compiled.output_bytes);
	else
		nn_dequantize_s8_f32(&params, (const int8_t *)bytes, out);
}

/* Reconstruction error of an autoencoder output against its real-valued input. */
static double reconstruction_error(const struct suite_state *state, uint32_t sample,
				   const float *output, uint32_t count)
{
	double sum = 0;
	for (uint32_t e = 0; e < count; e++) {
		double real = vectors_value(&state->inputs, sample, e) * state->suite->input_scale +
			      state->suite->input_offset;
		sum += (output[e] - real) * (output[e] - real);
	}
	return count ? sum / count : 0;
}

static int journal_sample(struct suite_state *state, struct variant_run *variant, uint32_t index,
			  uint32_t sample, uint64_t ticks, bool equal, double max_abs_error,
			  const struct msg_invoke_reply *reply)
{
	struct journal_sample line = {
	    .counted = reply != NULL,
	    .index = index,
	    .sample = sample,
	    .label = label_of(state, sample),
	    .ticks = ticks,
	    .equal = equal,
	    .score = variant->scores[index],
	    .max_abs_error = max_abs_error,
	    .stack_high_water = reply ? reply->stack_high_water : 0,
	    .inference_stack = reply ? reply->inference_stack : 0,
	    .arena_used = reply ? reply->arena_used : 0,
	    .output = variant->outputs + (size_t)index * variant->output_count,
	    .output_count = variant->output_count,
	};

	snprintf(line.variant, sizeof line.variant, "%s", variant->entry->variant);
	return journal_append(state->journal, state->journal_path, &line);
}

static void record_sample(struct suite_state *state, struct variant_run *variant, uint32_t index,
			  uint32_t sample, uint64_t ticks, bool equal, const float *output)
{
	float *slot = variant->outputs + (size_t)index * variant->output_count;

	memcpy(slot, output, variant->output_count * sizeof *slot);
	variant->predicted[index] = metric_argmax(slot, variant->output_count);
	variant->scores[index] =
	    state->suite->metric != SUITE_METRIC_AUC ? 0
	    : variant->score_only
		? slot[0]
		: reconstruction_error(state, sample, slot, variant->output_count);
	if (!equal) {
		variant->mismatches++;
		if (variant->first_mismatch < 0)
			variant->first_mismatch = sample;
	}
	variant->ticks[index] = ticks;
	variant->done = index + 1;
}

/* One sample's board figures, streamed or restored from the journal. */
static void note_sample_figures(struct variant_run *variant, double max_abs_error,
				uint32_t stack_high_water, uint32_t inference_stack,
				uint32_t arena_used)
{
	if (max_abs_error > variant->max_abs_error)
		variant->max_abs_error = max_abs_error;
	if (!variant->have_memory || stack_high_water > variant->stack_high_water)
		variant->stack_high_water = stack_high_water;
	if (!variant->have_memory || inference_stack > variant->inference_stack)
		variant->inference_stack = inference_stack;
	if (!variant->have_memory || arena_used > variant->arena_used)
		variant->arena_used = arena_used;
	variant->have_memory = true;
}

/* sample_stream callbacks: `index` counts samples in run order. */
static void make_sample_input(void *context, uint32_t index, uint8_t *input)
{
	struct suite_state *state = context;

	/* A hook's request goes before the sample's own (run/recovery.h). */
	if (debug_hooks_fire(state->hooks, state->session, state->current->model.name, index) !=
	    HB_OK)
		hb_warn("%s: sample %u: the debug hook's request was not sent",
			state->current->entry->variant, index);
	make_input(state, &state->current->model, state->order[index], state->real_input, input);
}

static int finish_sample(void *context, uint32_t index, const uint8_t *input,
			 const uint8_t *board_output, const struct msg_invoke_reply *reply)
{
	struct suite_state *state = context;
	struct variant_run *variant = state->current;
	const struct compiled_model *compiled = &variant->model.compiled;
	const uint32_t sample = state->order[index];
	struct output_comparison comparison;
	int status = reference_run(compiled, input, state->host_output);

	if (status != HB_OK)
		return status;
	reference_compare(compiled->output_dtype, board_output, state->host_output,
			  compiled->output_bytes, &comparison);
	note_sample_figures(variant, comparison.max_abs_error, reply->stack_high_water,
			    reply->inference_stack, reply->arena_used);
	variant->payload_bytes += compiled->input_bytes + compiled->output_bytes;
	variant->input_bytes += compiled->input_bytes;
	dequantize_output(&variant->model, board_output, state->dequantized);
	record_sample(state, variant, index, sample, reply->ticks[0], !comparison.mismatched,
		      state->dequantized);
	result_add_runs(&variant->result, &reply->ticks[0], 1);
	variant->streamed++;
	status = journal_sample(state, variant, index, sample, reply->ticks[0],
				!comparison.mismatched, comparison.max_abs_error, reply);
	if (status != HB_OK)
		return status;
	if (comparison.mismatched)
		hb_warn("%s: sample %u: board output differs from the host reference (max abs "
			"error %g)",
			variant->entry->variant, sample, comparison.max_abs_error);
	if (clock_now_seconds() - state->last_report >= PROGRESS_SECONDS ||
	    index + 1 == state->count) {
		double rate = variant->streamed / (clock_now_seconds() - state->stream_start);
		state->last_report = clock_now_seconds();
		hb_info("  %s: %u/%u samples, %.1f samples/s, %.0f s left", variant->entry->variant,
			index + 1, state->count, rate,
			rate > 0 ? (state->count - index - 1) / rate : 0.0);
	}
	return HB_OK;
}

/* The per-layer profile (run/layer_profile.h) of the last sample, against
 * that sample's own count. Its input is on the board when this stream sent
 * any; a variant finished before a resume sends it again, so a resumed
 * record says what an uninterrupted one does. */
static int profile_last_sample(struct session *session, struct suite_state *state,
			       const struct compiled_model *compiled, bool streamed,
			       struct run_result *result)
{
	int status = HB_OK;

	if (result->run_count == 0)
		return HB_OK;
	if (!streamed) {
		uint8_t *input = malloc(compiled->input_bytes);
		if (!input)
			return hb_error(HB_ERR_NOMEM, "out of memory for a sample's input");
		make_input(state, &state->current->model, state->order[result->run_count - 1],
			   state->real_input, input);
		status = session_write_input(session, input, compiled->input_bytes, 0);
		free(input);
	}
	if (status == HB_OK)
		status = layer_profile_measure(session, compiled, &result->layers);
	if (status == HB_OK)
		result->layers.same_input_ticks = result->ticks[result->run_count - 1];
	return status;
}

static int stream_samples(struct session *session, const struct loaded_model *model,
			  const struct benchmark_options *options, struct run_result *result)
{
	struct suite_state *state = options->measure_context;
	struct variant_run *variant = state->current;
	const struct compiled_model *compiled = &model->compiled;
	const struct sample_stream_handler handler = {
	    .make_input = make_sample_input, .finish = finish_sample, .context = state};
	struct sample_stream_options stream = {.first = variant->done,
					       .end = state->count,
					       .input_bytes = compiled->input_bytes,
					       .output_bytes = compiled->output_bytes};
	struct sample_stream_stats stats;
	int status = HB_OK;

	/* Pipelined unless asked not to, or the board cannot buffer a frame. */
	if (!options->synchronous && result->hello.rx_window >= FRAME_MAX_ENCODED)
		stream.window = result->hello.rx_window;
	variant->window = stream.window;
	/* The record was just reset: restore what a resumed journal already
	 * holds. After a recovery (the board reset in the middle, benchmark.c)
	 * it holds every sample done so far, and streaming goes on from the
	 * first unfinished one. */
	if (result->run_count < variant->done)
		result_add_runs(result, variant->ticks + result->run_count,
				variant->done - result->run_count);
	state->session = session;
	state->hooks = options->hooks;
	state->host_output = malloc(compiled->output_bytes);
	state->dequantized = malloc(variant->output_count * sizeof *state->dequantized);
	state->real_input =
	    malloc(state->inputs.sample_bytes / vector_dtype_size(state->inputs.dtype) *
		   sizeof *state->real_input);
	if (!state->host_output || !state->dequantized || !state->real_input)
		status = hb_error(HB_ERR_NOMEM, "out of memory streaming suite '%s'",
				  state->suite->name);
	state->stream_start = state->last_report = clock_now_seconds();
	if (status == HB_OK)
		status = sample_stream_run(session, &stream, &handler, &stats);
	variant->seconds += clock_now_seconds() - state->stream_start;
	variant->resyncs += stats.resyncs;
	variant->redone += stats.redone;
	variant->one_at_a_time += stats.one_at_a_time;
	if (status == HB_OK)
		status = profile_last_sample(session, state, compiled, variant->done > stream.first,
					     result);
	/* --meter: the performance part, timed batches of the last sample. */
	if (status == HB_OK && options->meter) {
		char trace[800];

		energy_measure_trace_path(state->record_path, variant->entry->variant, trace,
					  sizeof trace);
		status =
		    energy_measure_batches(options->meter, state->board, session, options->runs,
					   result_counter_scale(result), trace, &result->energy);
	}
	variant->result.counters = session->counters;
	variant->result.output_checked = variant->done > 0;
	variant->result.outputs_compared = variant->done;
	variant->result.output_mismatches = variant->mismatches;
	variant->result.first_mismatch_element = variant->first_mismatch;
	variant->result.max_abs_error = variant->max_abs_error;
	variant->result.have_stack = variant->result.have_inference_stack = variant->have_memory;
	variant->result.stack_high_water = variant->stack_high_water;
	variant->result.inference_stack = variant->inference_stack;
	variant->result.arena_used = variant->arena_used;
	if (status == HB_OK && variant->mismatches)
		status = hb_error(
		    HB_ERR_MISMATCH,
		    "%s: %u of %u samples differ from the host reference (first: sample %lld)",
		    variant->entry->variant, variant->mismatches, variant->done,
		    (long long)variant->first_mismatch);
	free(state->host_output);
	free(state->dequantized);
	free(state->real_input);
	state->host_output = NULL;
	state->dequantized = NULL;
	state->real_input = NULL;
	return status;
}

/* One sample over a protocol without a framed session (MLPerf Tiny): its
 * values checked against the host's to the printed precision, recorded
 * and journalled. Such a protocol counts no ticks and paints no memory:
 * the journal's ticks and memory figures are 0 and the record has none. */
static int link_sample(struct suite_state *state, const struct protocol_driver *driver,
		       struct protocol_link *link, uint32_t index, uint8_t *input, double *values,
		       double *expected)
{
	struct variant_run *variant = state->current;
	const struct loaded_model *model = &variant->model;
	const uint32_t sample = state->order[index];
	double max_abs_error;
	uint32_t outside;
	size_t count;
	int status;

	make_input(state, model, sample, state->real_input, input);
	status = mlperf_measure_sample(driver, link, input, model->compiled.input_bytes, values,
				       variant->output_count + 1, &count);
	if (status == HB_OK)
		status = reference_run(&model->compiled, input, state->host_output);
	if (status != HB_OK)
		return status;
	if (count != variant->output_count ||
	    !mlperf_expected_values(model, input, state->host_output, count, expected))
		return hb_error(HB_ERR_PROTOCOL,
				"%s: sample %u: the board printed %zu result values, expected %u",
				variant->entry->variant, sample, count, variant->output_count);
	outside = mlperf_compare_values(values, expected, count, &max_abs_error);
	for (size_t e = 0; e < count; e++)
		state->dequantized[e] = (float)values[e];
	if (max_abs_error > variant->max_abs_error)
		variant->max_abs_error = max_abs_error;
	variant->payload_bytes += model->compiled.input_bytes;
	variant->input_bytes += model->compiled.input_bytes;
	record_sample(state, variant, index, sample, 0, outside == 0, state->dequantized);
	variant->streamed++;
	if (outside)
		hb_warn("%s: sample %u: board results differ from the host reference (max abs "
			"error %g, printed to 3 decimals)",
			variant->entry->variant, sample, max_abs_error);
	return journal_sample(state, variant, index, sample, 0, outside == 0, max_abs_error, NULL);
}

/* benchmark_options.measure_link: the samples one by one, as the MLPerf
 * Tiny runner's accuracy mode sends them ("db load", "infer 1 0"). */
static int stream_samples_link(const struct protocol_driver *driver, struct protocol_link *link,
			       const struct loaded_model *model,
			       const struct benchmark_options *options, struct run_result *result)
{
	struct suite_state *state = options->measure_link_context;
	struct variant_run *variant = state->current;
	uint8_t *input = malloc(model->compiled.input_bytes);
	double *values = malloc((variant->output_count + 1) * sizeof *values);
	double *expected = malloc((variant->output_count + 1) * sizeof *expected);
	int status = HB_OK;

	state->host_output = malloc(model->compiled.output_bytes);
	state->dequantized = malloc((variant->output_count + 1) * sizeof *state->dequantized);
	state->real_input =
	    malloc(state->inputs.sample_bytes / vector_dtype_size(state->inputs.dtype) *
		   sizeof *state->real_input);
	if (!input || !values || !expected || !state->host_output || !state->dequantized ||
	    !state->real_input)
		status = hb_error(HB_ERR_NOMEM, "out of memory streaming suite '%s'",
				  state->suite->name);
	if (result->protocol_figures)
		cJSON_AddStringToObject(result->protocol_figures, "mode", "accuracy");
	state->stream_start = state->last_report = clock_now_seconds();
	for (uint32_t index = variant->done; status == HB_OK && index < state->count; index++) {
		status = link_sample(state, driver, link, index, input, values, expected);
		if (status == HB_OK &&
		    (clock_now_seconds() - state->last_report >= PROGRESS_SECONDS ||
		     index + 1 == state->count)) {
			state->last_report = clock_now_seconds();
			hb_info("  %s: %u/%u samples", variant->entry->variant, index + 1,
				state->count);
		}
	}
	variant->seconds += clock_now_seconds() - state->stream_start;
	driver->counters(link, &result->counters);
	result->output_checked = variant->done > 0;
	result->outputs_compared = variant->done;
	result->output_mismatches = variant->mismatches;
	result->first_mismatch_element = variant->first_mismatch;
	result->max_abs_error = variant->max_abs_error;
	result->tolerance = MLPERF_PRINTED_TOLERANCE;
	result->have_stack = result->have_inference_stack = false;
	if (status == HB_OK && variant->mismatches)
		status = hb_error(
		    HB_ERR_MISMATCH,
		    "%s: %u of %u samples differ from the host reference (first: sample %lld)",
		    variant->entry->variant, variant->mismatches, variant->done,
		    (long long)variant->first_mismatch);
	free(input);
	free(values);
	free(expected);
	free(state->host_output);
	free(state->dequantized);
	free(state->real_input);
	state->host_output = NULL;
	state->dequantized = NULL;
	state->real_input = NULL;
	return status;
}

static int allocate_variant(struct suite_state *state, struct variant_run *variant)
{
	const struct benchmark_options *benchmark = &state->options->benchmark;
	const struct protocol_driver *protocol = protocol_find(benchmark->protocol);

	variant->output_count = variant->model.compiled.output_dtype == MODEL_DTYPE_FLOAT32
				    ? variant->model.compiled.output_bytes / 4
				    : variant->model.compiled.output_bytes;
	/* ad01 over the MLPerf Tiny protocol: the one score the board prints. */
	if (protocol && !protocol->framed_session && benchmark->model_name &&
	    strcmp(benchmark->model_name, "ad01") == 0 && variant->output_count > 1) {
		variant->output_count = 1;
		variant->score_only = true;
	}
	variant->predicted = calloc(state->count, sizeof *variant->predicted);
	variant->scores = calloc(state->count, sizeof *variant->scores);
	variant->ticks = calloc(state->count, sizeof *variant->ticks);
	variant->outputs =
	    calloc((size_t)state->count * variant->output_count, sizeof *variant->outputs);
	variant->first_mismatch = -1;
	if (!variant->predicted || !variant->scores || !variant->ticks || !variant->outputs)
		return hb_error(HB_ERR_NOMEM, "out of memory for %u samples", state->count);
	return HB_OK;
}

static void release_state(struct suite_state *state)
{
	for (uint32_t v = 0; v < state->suite->model_count; v++) {
		struct variant_run *variant = &state->variants[v];
		free(variant->predicted);
		free(variant->scores);
		free(variant->ticks);
		free(variant->outputs);
		result_release(&variant->result);
		if (variant->loaded)
			model_unload(&variant->model);
	}
	vectors_release(&state->inputs);
	vectors_release(&state->labels);
	free(state->order);
	if (state->journal)
		fclose(state->journal);
}

/* File order, or a seeded Fisher-Yates shuffle; then the first `count`. */
static int choose_samples(struct suite_state *state, uint32_t available, uint32_t count)
{
	uint32_t rng = state->seed;

	state->order = malloc((size_t)available * sizeof *state->order);
	if (!state->order)
		return hb_error(HB_ERR_NOMEM, "out of memory for %u samples", available);
	for (uint32_t i = 0; i < available; i++)
		state->order[i] = i;
	for (uint32_t i = available; rng && i > 1; i--) {
		uint32_t j;
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		j = rng % i;
		uint32_t swap = state->order[i - 1];
		state->order[i - 1] = state->order[j];
		state->order[j] = swap;
	}
	state->count = count;
	return HB_OK;
}

static int load_data(struct suite_state *state)
{
	const struct suite *suite = state->suite;
	const struct suite_run_options *options = state->options;
	uint32_t count;
	int status;

	status = vectors_read(suite->inputs.path, suite->inputs.format, suite->inputs.raw_dtype,
			      suite->inputs.raw_shape, suite->inputs.raw_rank, &state->inputs);
	if (status == HB_OK && suite->labels.path[0])
		status =
		    vectors_read(suite->labels.path, suite->labels.format, suite->labels.raw_dtype,
				 suite->labels.raw_shape, suite->labels.raw_rank, &state->labels);
	if (status != HB_OK)
		return status;
	if (state->labels.data && state->labels.count != state->inputs.count)
		return hb_error(HB_ERR_INPUT, "%s: %u inputs in '%s' but %u labels in '%s'",
				suite->path, state->inputs.count, suite->inputs.path,
				state->labels.count, suite->labels.path);
	count = options->limit ? options->limit : suite->samples;
	if (count == 0 || count > state->inputs.count)
		count = state->inputs.count;
	state->seed = options->seed ? options->seed : suite->seed;
	return choose_samples(state, state->inputs.count, count);
}

static int load_variants(struct suite_state *state)
{
	const size_t sample_elements =
	    state->inputs.sample_bytes / vector_dtype_size(state->inputs.dtype);

	for (uint32_t v = 0; v < state->suite->model_count; v++) {
		struct variant_run *variant = &state->variants[v];
		const struct compiled_model *compiled;
		size_t model_elements;
		int status;

		variant->entry = &state->suite->models[v];
		status = model_load(variant->entry->path, &variant->model);
		if (status != HB_OK)
			return status;
		variant->loaded = true;
		compiled = &variant->model.compiled;
		model_elements = compiled->input_dtype == MODEL_DTYPE_FLOAT32
				     ? compiled->input_bytes / 4
				     : compiled->input_bytes;
		if (model_elements != sample_elements)
			return hb_error(HB_ERR_INPUT,
					"%s: model '%s' (%s) takes %zu input values, the samples "
					"in '%s' have %zu",
					state->suite->path, variant->model.name,
					variant->entry->variant, model_elements,
					state->suite->inputs.path, sample_elements);
		status = allocate_variant(state, variant);
		if (status != HB_OK)
			return status;
	}
	return HB_OK;
}

struct resume_context {
	struct suite_state *state;
	uint32_t restored;
};

/* One journalled sample: restored when it is the next one of its variant
 * (a sample journalled twice, by a run killed after writing it, counts once). */
static int restore_sample(void *context, const struct journal_sample *line)
{
	struct resume_context *resume = context;
	struct suite_state *state = resume->state;

	for (uint32_t v = 0; v < state->suite->model_count; v++) {
		struct variant_run *variant = &state->variants[v];
		if (strcmp(variant->entry->variant, line->variant) != 0 ||
		    line->index != variant->done || variant->done >= state->count)
			continue;
		if (line->output_count != variant->output_count ||
		    line->sample != state->order[line->index])
			return hb_error(HB_ERR_INPUT,
					"'%s': sample %u of variant '%s' does not match this run "
					"(sample %u with %u outputs, expected sample %u with %u)",
					state->journal_path, line->index, line->variant,
					line->sample, line->output_count, state->order[line->index],
					variant->output_count);
		/* A sample of a protocol that counts nothing has no ticks to become runs. */
		if (!line->counted && protocol_find(state->options->benchmark.protocol) &&
		    protocol_find(state->options->benchmark.protocol)->framed_session)
			return hb_error(
			    HB_ERR_INPUT,
			    "'%s': sample %u of variant '%s' has no counts: the journal "
			    "was written over a protocol that gives none (resume with "
			    "its --protocol, e.g. mlperf-tiny)",
			    state->journal_path, line->index, line->variant);
		record_sample(state, variant, variant->done, line->sample, line->ticks, line->equal,
			      line->output);
		note_sample_figures(variant, line->max_abs_error, line->stack_high_water,
				    line->inference_stack, line->arena_used);
		resume->restored++;
	}
	return HB_OK;
}

/* Restores what the journal holds; *valid_bytes is where appending resumes
 * (a torn last line, already warned about by journal_read, is cut off). */
static int resume_from(struct suite_state *state, const char *path, size_t *valid_bytes)
{
	struct resume_context resume = {.state = state};
	struct journal_header header;
	struct journal_tail tail;
	int status = journal_read(path, &header, restore_sample, &resume, &tail);

	if (status != HB_OK)
		return status;
	if (header.seed != state->seed || header.samples != state->count ||
	    strcmp(header.board, state->board->id) != 0 ||
	    strcmp(header.suite, state->suite->name) != 0)
		return hb_error(
		    HB_ERR_INPUT,
		    "'%s': journal of a different run (suite '%s', board '%s', %u samples, seed "
		    "%u): resume with the same suite, --board, --limit and --seed",
		    path, header.suite, header.board, header.samples, header.seed);
	*valid_bytes = tail.valid_bytes;
	hb_info("resuming '%s': %u samples already done", path, resume.restored);
	return HB_OK;
}

static int open_journal(struct suite_state *state)
{
	const struct suite_run_options *options = state->options;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int status = file_make_dirs(options->benchmark.results_dir);

	if (status != HB_OK)
		return status;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	strftime(state->started_utc, sizeof state->started_utc, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (options->resume) {
		size_t length = strlen(options->resume), valid_bytes = 0;
		snprintf(state->journal_path, sizeof state->journal_path, "%s", options->resume);
		if (length > 6 && strcmp(options->resume + length - 6, ".jsonl") == 0)
			snprintf(state->record_path, sizeof state->record_path, "%.*s.json",
				 (int)(length - 6), options->resume);
		else
			snprintf(state->record_path, sizeof state->record_path, "%s.json",
				 options->resume);
		status = resume_from(state, options->resume, &valid_bytes);
		if (status != HB_OK)
			return status;
		return journal_open_append(state->journal_path, valid_bytes, &state->journal);
	} else {
		struct journal_header header = {.samples = state->count, .seed = state->seed};
		snprintf(state->journal_path, sizeof state->journal_path, "%s/%s_%s_%s.jsonl",
			 options->benchmark.results_dir, stamp, state->board->id,
			 state->suite->name);
		snprintf(state->record_path, sizeof state->record_path, "%s/%s_%s_%s.json",
			 options->benchmark.results_dir, stamp, state->board->id,
			 state->suite->name);
		snprintf(header.suite, sizeof header.suite, "%s", state->suite->name);
		snprintf(header.board, sizeof header.board, "%s", state->board->id);
		return journal_create(state->journal_path, &header, &state->journal);
	}
}

static cJSON *accuracy_json(const struct suite_state *state, const struct variant_run *variant)
{
	const struct suite *suite = state->suite;
	cJSON *object = cJSON_CreateObject();

	cJSON_AddStringToObject(object, "metric", suite_metric_name(suite->metric));
	cJSON_AddNumberToObject(object, "samples", variant->done);
	if (suite->metric == SUITE_METRIC_TOP1 && variant->done) {
		const uint32_t classes = suite->class_count;
		uint32_t *labels = malloc(variant->done * sizeof *labels);
		uint32_t *confusion = calloc((size_t)classes * classes, sizeof *confusion);
		cJSON *per_class = cJSON_AddArrayToObject(object, "per_class");
		cJSON *matrix = cJSON_AddArrayToObject(object, "confusion");
		if (labels && confusion) {
			for (uint32_t i = 0; i < variant->done; i++)
				labels[i] = label_of(state, state->order[i]);
			cJSON_AddNumberToObject(
			    object, "value",
			    metric_top1(variant->predicted, labels, variant->done));
			metric_confusion(variant->predicted, labels, variant->done, classes,
					 confusion);
			for (uint32_t c = 0; c < classes; c++) {
				cJSON *entry = cJSON_CreateObject();
				cJSON *row = cJSON_CreateArray();
				uint32_t total = 0;
				for (uint32_t p = 0; p < classes; p++) {
					total += confusion[c * classes + p];
					cJSON_AddItemToArray(
					    row, cJSON_CreateNumber(confusion[c * classes + p]));
				}
				if (suite->class_names[c][0])
					cJSON_AddStringToObject(entry, "class",
								suite->class_names[c]);
				cJSON_AddNumberToObject(entry, "samples", total);
				/* A class with no samples has no accuracy: null, never 0. */
				if (total)
					cJSON_AddNumberToObject(entry, "top1",
								(double)confusion[c * classes + c] /
								    total);
				else
					cJSON_AddNullToObject(entry, "top1");
				cJSON_AddItemToArray(per_class, entry);
				cJSON_AddItemToArray(matrix, row);
			}
		}
		free(labels);
		free(confusion);
	} else if (suite->metric == SUITE_METRIC_AUC && variant->done) {
		uint8_t *labels = malloc(variant->done);
		if (labels) {
			for (uint32_t i = 0; i < variant->done; i++)
				labels[i] = label_of(state, state->order[i]) != 0;
			cJSON_AddNumberToObject(object, "value",
						metric_auc(variant->scores, labels, variant->done));
		}
		free(labels);
	}
	return object;
}

/* The MLPerf Tiny runner's accuracy figures on the board's printed values
 * (main.py summarize_result, one inference per sample): top-1 from the
 * scores normalised to sum 1, the AUC of the one anomaly score. */
static cJSON *runner_accuracy_json(const struct suite_state *state,
				   const struct variant_run *variant)
{
	cJSON *object = cJSON_CreateObject();
	uint8_t *anomalous = malloc(variant->done ? variant->done : 1);
	double *scores = malloc((variant->output_count + 1) * sizeof *scores);
	uint32_t correct = 0;

	cJSON_AddStringToObject(object, "source", "derived");
	cJSON_AddNumberToObject(object, "samples", variant->done);
	if (!anomalous || !scores || variant->done == 0) {
		free(anomalous);
		free(scores);
		return object;
	}
	for (uint32_t i = 0; i < variant->done; i++) {
		const float *slot = variant->outputs + (size_t)i * variant->output_count;
		const uint32_t label = label_of(state, state->order[i]);

		for (uint32_t e = 0; e < variant->output_count; e++)
			scores[e] = slot[e];
		correct += mlperf_runner_class(scores, variant->output_count) == label;
		anomalous[i] = label != 0;
	}
	if (state->suite->metric == SUITE_METRIC_AUC) {
		cJSON_AddStringToObject(object, "method",
					"ROC AUC of the board's anomaly scores against the labels "
					"(normal 0), as the MLPerf Tiny runner's roc_auc_score");
		cJSON_AddNumberToObject(object, "auc",
					metric_auc(variant->scores, anomalous, variant->done));
	} else {
		cJSON_AddStringToObject(object, "method",
					"share of samples whose printed scores, normalised to sum "
					"1, have their argmax at the label, as the MLPerf Tiny "
					"runner's Top 1% / 100");
		cJSON_AddNumberToObject(object, "top1", (double)correct / variant->done);
	}
	free(anomalous);
	free(scores);
	return object;
}

static cJSON *streaming_json(const struct suite_state *state, const struct variant_run *variant)
{
	const struct transport_driver *line = transport_find(state->board->console.transport);
	cJSON *object = cJSON_CreateObject();
	const uint32_t streamed = variant->streamed;

	cJSON_AddStringToObject(object, "source", "measured (host wall clock)");
	cJSON_AddNumberToObject(object, "samples_streamed", streamed);
	cJSON_AddNumberToObject(object, "seconds", variant->seconds);
	cJSON_AddNumberToObject(object, "payload_bytes", (double)variant->payload_bytes);
	if (variant->seconds > 0) {
		cJSON_AddNumberToObject(object, "payload_bytes_per_s",
					variant->payload_bytes / variant->seconds);
		cJSON_AddNumberToObject(object, "samples_per_s", streamed / variant->seconds);
	}
	cJSON_AddBoolToObject(object, "pipelined", variant->window > 0);
	cJSON_AddNumberToObject(object, "window_bytes", variant->window);
	cJSON_AddNumberToObject(object, "resyncs", variant->resyncs);
	cJSON_AddNumberToObject(object, "samples_redone", variant->redone);
	cJSON_AddNumberToObject(object, "samples_one_at_a_time", variant->one_at_a_time);
	cJSON_AddNumberToObject(object, "link_bytes_sent",
				(double)variant->result.counters.bytes_sent);
	cJSON_AddNumberToObject(object, "link_bytes_received",
				(double)variant->result.counters.bytes_received);
	/* Derived: the share of the bytes sent that is input, so the most of
	 * the line rate the upload can reach with compute fully overlapped. */
	if (variant->result.counters.bytes_sent > 0)
		cJSON_AddNumberToObject(object, "upload_framing_efficiency",
					(double)variant->input_bytes /
					    variant->result.counters.bytes_sent);
	if ((line && line->baud_limited) || variant->result.paced_baud) {
		const bool paced = variant->result.paced_baud > 0;
		double line_rate =
		    (paced ? variant->result.paced_baud : state->board->console.baud) / 10.0;
		cJSON_AddStringToObject(
		    object, "line",
		    paced ? "emulated console paced by the host (--debug-line-rate)" : line->name);
		cJSON_AddNumberToObject(object, "line_rate_bytes_per_s", line_rate);
		if (variant->seconds > 0)
			cJSON_AddNumberToObject(object, "input_bytes_per_s_of_line_rate",
						variant->input_bytes / variant->seconds /
						    line_rate);
	} else {
		cJSON_AddNullToObject(object, "line_rate_bytes_per_s");
	}
	return object;
}

static cJSON *comparison_json(const struct suite_state *state, const struct variant_run *reference,
			      const struct variant_run *test)
{
	cJSON *object = cJSON_CreateObject();
	struct metric_agreement agreement;
	uint32_t samples = reference->done < test->done ? reference->done : test->done;

	cJSON_AddStringToObject(object, "reference", reference->entry->variant);
	cJSON_AddStringToObject(object, "test", test->entry->variant);
	cJSON_AddNumberToObject(object, "samples", samples);
	if (reference->output_count != test->output_count || samples == 0) {
		cJSON_AddStringToObject(object, "note",
					"not comparable (different outputs or no samples)");
		return object;
	}
	metric_compare(reference->outputs, test->outputs, samples, reference->output_count,
		       &agreement);
	cJSON_AddStringToObject(object, "on", "dequantised outputs of the same samples");
	cJSON_AddNumberToObject(object, "top1_agreement", agreement.top1_agreement);
	cJSON_AddNumberToObject(object, "rmse", agreement.rmse);
	cJSON_AddNumberToObject(object, "mae", agreement.mae);
	cJSON_AddNumberToObject(object, "max_abs_error", agreement.max_abs_error);
	cJSON_AddNumberToObject(object, "cosine", agreement.cosine);
	cJSON_AddNumberToObject(object, "l2_relative", agreement.l2_relative);
	(void)state;
	return object;
}

static cJSON *record_json(const struct suite_state *state, const char *status)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *suite_object = cJSON_AddObjectToObject(root, "suite");
	cJSON *variants = cJSON_AddArrayToObject(root, "variants");
	cJSON *comparisons = cJSON_AddArrayToObject(root, "comparisons");

	cJSON_AddStringToObject(root, "schema", "hilbench.suite-result/1");
	cJSON_AddStringToObject(root, "status", status);
	cJSON_AddStringToObject(root, "started_utc", state->started_utc);
	cJSON_AddStringToObject(root, "journal", state->journal_path);
	cJSON_AddStringToObject(suite_object, "name", state->suite->name);
	cJSON_AddStringToObject(suite_object, "path", state->suite->path);
	cJSON_AddNumberToObject(suite_object, "samples", state->count);
	cJSON_AddNumberToObject(suite_object, "available", state->inputs.count);
	cJSON_AddNumberToObject(suite_object, "seed", state->seed);
	for (uint32_t v = 0; v < state->suite->model_count; v++) {
		const struct variant_run *variant = &state->variants[v];
		cJSON *entry;
		if (!variant->result.model)
			continue; /* not started */
		entry = result_to_json(&variant->result);
		cJSON_AddStringToObject(entry, "variant", variant->entry->variant);
		cJSON_AddItemToObject(entry, "accuracy", accuracy_json(state, variant));
		if (variant->result.protocol_figures)
			cJSON_AddItemToObject(cJSON_GetObjectItem(entry, "accuracy"),
					      "mlperf_tiny_runner",
					      runner_accuracy_json(state, variant));
		cJSON_AddItemToObject(entry, "streaming", streaming_json(state, variant));
		cJSON_AddItemToArray(variants, entry);
		if (v > 0)
			cJSON_AddItemToArray(comparisons,
					     comparison_json(state, &state->variants[0], variant));
	}
	return root;
}

static int write_record(const struct suite_state *state, const char *status)
{
	cJSON *root = record_json(state, status);
	char *text = cJSON_Print(root);
	int result;

	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory writing '%s'", state->record_path);
	result = file_write_atomic(state->record_path, text, strlen(text));
	free(text);
	return result;
}

int suite_run(const struct board_profile *board, const struct suite *suite,
	      const struct suite_run_options *options, struct suite_outcome *outcome)
{
	struct suite_state state;
	int status;

	memset(&state, 0, sizeof state);
	memset(outcome, 0, sizeof *outcome);
	state.board = board;
	state.suite = suite;
	state.options = options;
	status = load_data(&state);
	if (status == HB_OK)
		status = load_variants(&state);
	if (status == HB_OK)
		status = open_journal(&state);
	for (uint32_t v = 0; status == HB_OK && v < suite->model_count; v++) {
		struct variant_run *variant = &state.variants[v];
		struct benchmark_options benchmark = options->benchmark;
		/* A variant finished before an interruption still boots the board
		 * once, so its record has the board's figures (sizes, counter scale). */
		benchmark.measure = stream_samples;
		benchmark.measure_link = stream_samples_link;
		benchmark.measure_link_context = &state;
		benchmark.measure_context = &state;
		benchmark.results_dir = NULL; /* one record for the suite, written here */
		state.current = variant;
		hb_info("%s: %s (%s), %u samples", suite->name, variant->model.name,
			variant->entry->variant, state.count - variant->done);
		/* benchmark_run resets the record; the samples live in `variant`. */
		status = benchmark_run(board, &variant->model, &benchmark, &variant->result);
		write_record(&state, status == HB_OK ? "running" : "error");
	}
	if (state.journal) {
		int write_status = write_record(&state, status == HB_OK ? "ok" : "error");
		if (status == HB_OK)
			status = write_status;
		outcome->record = record_json(&state, status == HB_OK ? "ok" : "error");
		snprintf(outcome->record_path, sizeof outcome->record_path, "%s",
			 state.record_path);
	}
	release_state(&state);
	return status;
}

void suite_outcome_release(struct suite_outcome *outcome)
{
	cJSON_Delete(outcome->record);
	outcome->record = NULL;
}
