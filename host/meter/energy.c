/* Windows, joules and the trace file of energy.h. */
#include "meter/energy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fileio.h"

#define TRACE_MAGIC	   "HBTRACE"
#define TRACE_VERSION	   1
#define TRACE_HEADER_BYTES 32
#define TRACE_SAMPLE_BYTES 6
/* A trace file past this is not one of ours (over 2 hours at 100 kS/s). */
#define TRACE_MAX_SAMPLES (1ull << 30)

const char *energy_invalid_name(enum energy_invalid invalid)
{
	switch (invalid) {
	case ENERGY_VALID: return "valid";
	case ENERGY_DROPPED: return "dropped samples";
	case ENERGY_GLITCH: return "marker glitch";
	case ENERGY_LENGTH: return "length off the firmware's count";
	case ENERGY_UNTERMINATED: return "trace ends inside the window";
	case ENERGY_UNEXPECTED: return "no batch of runs for this window";
	}
	return "unknown";
}

static bool marked(const struct energy_trace *trace, size_t i)
{
	return (trace->samples[i].logic >> trace->marker_bit) & 1u;
}

/* The window opening at `first`: it runs until the marker stays low for
 * glitch_samples; shorter low runs are glitches inside it. */
static struct energy_window window_at(const struct energy_trace *trace,
				      const struct energy_options *options, size_t first,
				      size_t number)
{
	struct energy_window window = {.first = first};
	const bool per_batch = options->batches != NULL;
	const bool has_batch = per_batch && number < options->batch_count;
	size_t end = first, glitch = 0, dropped = 0;
	bool has_glitch = false, closed = false;
	double charge = 0.0;

	while (end < trace->count) {
		size_t low = end;

		/* A dropped slot says nothing about the marker: it stays in the window
		 * (which it makes invalid) rather than splitting it in two. */
		if (marked(trace, end) || trace->samples[end].dropped) {
			end++;
			continue;
		}
		while (low < trace->count && !marked(trace, low) &&
		       low - end < options->glitch_samples)
			low++;
		if (low < trace->count && marked(trace, low) &&
		    low - end < options->glitch_samples) {
			if (!has_glitch)
				glitch = end;
			has_glitch = true;
			end = low;
			continue;
		}
		closed = low - end >= options->glitch_samples;
		break;
	}
	for (size_t i = first; i < end; i++) {
		if (trace->samples[i].dropped)
			dropped++;
		else
			charge += trace->samples[i].current_a;
	}
	window.length = end - first;
	window.start_s = (double)first / trace->rate_hz;
	window.length_s = (double)window.length / trace->rate_hz;
	window.expected_s = has_batch	? options->batches[number].window_s
			    : per_batch ? 0.0
					: options->expected_window_s;
	window.inferences = has_batch ? options->batches[number].inferences : options->inferences;
	if (window.inferences == 0)
		window.inferences = 1;
	window.energy_per_inference_j =
	    trace->supply_v * charge / trace->rate_hz / window.inferences;
	if (!closed) {
		window.invalid = ENERGY_UNTERMINATED;
	} else if (dropped) {
		window.invalid = ENERGY_DROPPED;
		window.detail = dropped;
	} else if (has_glitch) {
		window.invalid = ENERGY_GLITCH;
		window.detail = glitch;
	} else if (per_batch && !has_batch) {
		window.invalid = ENERGY_UNEXPECTED;
	} else if (window.expected_s > 0 &&
		   fabs(window.length_s - window.expected_s) >
		       options->tolerance * window.expected_s +
			   (double)options->tolerance_samples / trace->rate_hz) {
		window.invalid = ENERGY_LENGTH;
	}
	return window;
}

static int find_windows(const struct energy_trace *trace, const struct energy_options *options,
			struct energy_result *result)
{
	size_t capacity = 0, i = 0;

	/* A trace that opens with the marker high began mid-window: skip that part. */
	while (i < trace->count && marked(trace, i))
		i++;
	while (i < trace->count) {
		struct energy_window window;

		if (!marked(trace, i)) {
			i++;
			continue;
		}
		window = window_at(trace, options, i, result->window_count);
		if (result->window_count == capacity) {
			size_t grown_capacity = capacity ? capacity * 2 : 16;
			struct energy_window *grown =
			    realloc(result->windows, grown_capacity * sizeof *grown);

			if (!grown)
				return hb_error(HB_ERR_NOMEM, "energy: out of memory for windows");
			result->windows = grown;
			capacity = grown_capacity;
		}
		result->windows[result->window_count++] = window;
		i = window.first + window.length;
	}
	return HB_OK;
}

/* Mean power over samples at least guard_samples away from every window. */
static void idle_power(const struct energy_trace *trace, const struct energy_options *options,
		       struct energy_result *result)
{
	size_t next = 0, used = 0;
	double sum = 0.0;

	for (size_t i = 0; i < trace->count; i++) {
		bool near = false;

		while (next < result->window_count && result->windows[next].first +
							      result->windows[next].length +
							      options->guard_samples <=
							  i)
			next++;
		if (next < result->window_count) {
			const struct energy_window *w = &result->windows[next];
			size_t from = w->first > options->guard_samples
					  ? w->first - options->guard_samples
					  : 0;

			near = i >= from;
		}
		if (near || marked(trace, i) || trace->samples[i].dropped)
			continue;
		sum += trace->samples[i].current_a;
		used++;
	}
	if (used == 0)
		return;
	result->has_idle = true;
	result->idle_power_w = trace->supply_v * sum / (double)used;
}

static int compare_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *values, size_t count)
{
	qsort(values, count, sizeof *values, compare_double);
	return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2.0;
}

static int summarise(const struct energy_trace *trace, const struct energy_options *options,
		     struct energy_result *result)
{
	double *values = malloc((result->window_count ? result->window_count : 1) * sizeof *values);
	size_t n = 0;

	(void)trace;
	if (!values)
		return hb_error(HB_ERR_NOMEM, "energy: out of memory for windows");
	for (size_t i = 0; i < result->window_count; i++)
		if (result->windows[i].invalid == ENERGY_VALID)
			values[n++] = result->windows[i].energy_per_inference_j;
	result->valid_count = n;
	if (options->batches && result->window_count != options->batch_count) {
		snprintf(result->reason, sizeof result->reason,
			 "%zu windows in the trace, the firmware ran %zu batches: windows and "
			 "batches cannot be paired",
			 result->window_count, options->batch_count);
		free(values);
		return HB_OK;
	}
	if (n < ENERGY_MIN_WINDOWS) {
		snprintf(result->reason, sizeof result->reason,
			 "%zu valid windows of %zu found, at least %d needed", n,
			 result->window_count, ENERGY_MIN_WINDOWS);
		free(values);
		return HB_OK;
	}
	result->median_j = median_of(values, n);
	result->min_j = values[0];
	result->max_j = values[n - 1];
	result->spread =
	    result->median_j > 0 ? (result->max_j - result->min_j) / result->median_j : 0;
	result->has_energy = true;
	if (result->has_idle) {
		n = 0;
		for (size_t i = 0; i < result->window_count; i++) {
			const struct energy_window *w = &result->windows[i];

			if (w->invalid == ENERGY_VALID)
				values[n++] = w->energy_per_inference_j -
					      result->idle_power_w * w->length_s / w->inferences;
		}
		result->above_idle_median_j = median_of(values, n);
		result->has_above_idle = true;
	}
	free(values);
	return HB_OK;
}

int energy_analyse(const struct energy_trace *trace, const struct energy_options *options,
		   struct energy_result *result)
{
	int status;

	memset(result, 0, sizeof *result);
	if (!trace->samples && trace->count)
		return hb_error(HB_ERR_INTERNAL, "energy: a trace of %zu samples has none",
				trace->count);
	if (trace->rate_hz == 0 || !(trace->supply_v > 0) || trace->marker_bit > 7)
		return hb_error(
		    HB_ERR_INPUT,
		    "energy: trace needs a rate > 0, a supply > 0 and a marker bit 0..7 "
		    "(got %u Hz, %g V, bit %u)",
		    trace->rate_hz, trace->supply_v, trace->marker_bit);
	if (options->batches ? options->batch_count == 0 : options->inferences == 0)
		return hb_error(HB_ERR_INPUT, "energy: inferences per window must be at least 1");
	for (size_t k = 0; options->batches && k < options->batch_count; k++)
		if (options->batches[k].inferences == 0)
			return hb_error(HB_ERR_INPUT, "energy: batch %zu has no inferences", k);
	status = find_windows(trace, options, result);
	if (status == HB_OK) {
		idle_power(trace, options, result);
		status = summarise(trace, options, result);
	}
	if (status != HB_OK)
		energy_result_release(result);
	return status;
}

void energy_result_release(struct energy_result *result)
{
	free(result->windows);
	result->windows = NULL;
	result->window_count = result->valid_count = 0;
}

static void put_le(uint8_t *out, uint64_t value, int bytes)
{
	for (int i = 0; i < bytes; i++)
		out[i] = (uint8_t)(value >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, int bytes)
{
	uint64_t value = 0;

	for (int i = 0; i < bytes; i++)
		value |= (uint64_t)in[i] << (8 * i);
	return value;
}

int energy_trace_write(const char *path, const struct energy_trace *trace)
{
	const size_t length = TRACE_HEADER_BYTES + trace->count * TRACE_SAMPLE_BYTES;
	uint8_t *data = calloc(1, length);
	uint64_t supply_bits;
	int status;

	if (!data)
		return hb_error(HB_ERR_NOMEM, "cannot write trace '%s': out of memory", path);
	memcpy(data, TRACE_MAGIC, 8);
	put_le(data + 8, TRACE_VERSION, 2);
	data[10] = trace->marker_bit;
	put_le(data + 12, trace->rate_hz, 4);
	memcpy(&supply_bits, &trace->supply_v, sizeof supply_bits);
	put_le(data + 16, supply_bits, 8);
	put_le(data + 24, trace->count, 8);
	for (size_t i = 0; i < trace->count; i++) {
		uint8_t *out = data + TRACE_HEADER_BYTES + i * TRACE_SAMPLE_BYTES;
		uint32_t current_bits;

		memcpy(&current_bits, &trace->samples[i].current_a, sizeof current_bits);
		put_le(out, current_bits, 4);
		out[4] = trace->samples[i].logic;
		out[5] = trace->samples[i].dropped ? 1 : 0;
	}
	status = file_write_atomic(path, data, length);
	free(data);
	return status;
}

static int trace_parse(const char *path, const uint8_t *data, size_t length,
		       struct energy_trace *trace, struct meter_sample **samples)
{
	uint64_t count, supply_bits;

	if (length < TRACE_HEADER_BYTES || memcmp(data, TRACE_MAGIC, 8) != 0)
		return hb_error(HB_ERR_INPUT, "trace '%s': not a hilbench trace (no '%s' header)",
				path, TRACE_MAGIC);
	if (get_le(data + 8, 2) != TRACE_VERSION)
		return hb_error(HB_ERR_INPUT, "trace '%s': version %u, expected %d", path,
				(unsigned)get_le(data + 8, 2), TRACE_VERSION);
	trace->marker_bit = data[10];
	trace->rate_hz = (uint32_t)get_le(data + 12, 4);
	supply_bits = get_le(data + 16, 8);
	memcpy(&trace->supply_v, &supply_bits, sizeof supply_bits);
	count = get_le(data + 24, 8);
	if (trace->marker_bit > 7 || trace->rate_hz == 0 || !(trace->supply_v > 0))
		return hb_error(HB_ERR_INPUT,
				"trace '%s': header needs marker bit 0..7, rate > 0, supply > 0",
				path);
	if (count > TRACE_MAX_SAMPLES || count * TRACE_SAMPLE_BYTES != length - TRACE_HEADER_BYTES)
		return hb_error(
		    HB_ERR_INPUT,
		    "trace '%s': header says %llu samples, the file holds %zu bytes of them", path,
		    (unsigned long long)count, length - TRACE_HEADER_BYTES);
	*samples = calloc(count ? count : 1, sizeof **samples);
	if (!*samples)
		return hb_error(HB_ERR_NOMEM, "trace '%s': out of memory", path);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *in = data + TRACE_HEADER_BYTES + i * TRACE_SAMPLE_BYTES;
		uint32_t current_bits = (uint32_t)get_le(in, 4);

		memcpy(&(*samples)[i].current_a, &current_bits, sizeof current_bits);
		(*samples)[i].logic = in[4];
		(*samples)[i].dropped = in[5] ? 1 : 0;
	}
	trace->samples = *samples;
	trace->count = (size_t)count;
	return HB_OK;
}

int energy_trace_read(const char *path, struct energy_trace *trace, struct meter_sample **samples)
{
	uint8_t *data = NULL;
	size_t length = 0;
	int status =
	    file_read_all(path, TRACE_HEADER_BYTES + TRACE_MAX_SAMPLES * TRACE_SAMPLE_BYTES,
			  "a hilbench trace", &data, &length);

	*samples = NULL;
	memset(trace, 0, sizeof *trace);
	if (status == HB_OK)
		status = trace_parse(path, data, length, trace, samples);
	free(data);
	return status;
}
