/* The meter's part of a run (energy_measure.h). */
#include "run/energy_measure.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/error.h"

#define READ_CHUNK   4096
#define READ_WAIT_MS 50
/* After the last batch the trace runs on this long: the last window closes
 * and idle power has samples after it. */
#define TAIL_MS (2 * ENERGY_MEASURE_GAP_MS)

struct energy_measure {
	const struct meter_driver *driver;
	struct meter *meter;
	struct energy_measurement *record;
	pthread_t reader;
	bool reading;
	atomic_bool stopping;
	/* Written by the reader thread only, read after it is joined. */
	struct meter_sample *samples;
	size_t count, capacity;
	int read_status; /* the first failure of read or stop */
	char read_error[256];
	size_t batch_capacity;
	bool finished;
};

static void sleep_ms(int ms)
{
	struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&pause, &pause) != 0)
		;
}

static void note_failure(struct energy_measure *measure, int status)
{
	if (measure->read_status != HB_OK)
		return;
	measure->read_status = status;
	snprintf(measure->read_error, sizeof measure->read_error, "%s", hb_last_error());
}

static bool grow(struct energy_measure *measure)
{
	if (measure->count + READ_CHUNK <= measure->capacity)
		return true;
	{
		const size_t capacity = (measure->capacity + READ_CHUNK) * 2;
		struct meter_sample *grown = realloc(measure->samples, capacity * sizeof *grown);

		if (!grown)
			return false;
		measure->samples = grown;
		measure->capacity = capacity;
	}
	return true;
}

/* Drains the meter until asked to stop, then for TAIL_MS more, then stops
 * it: the meter is only touched by this thread while it runs (a driver's
 * stop may read the stream's end, as the LPM01A's does). */
static void *reader_main(void *context)
{
	struct energy_measure *measure = context;
	int64_t end_ms = -1;
	int status;

	for (;;) {
		size_t got = 0;

		if (end_ms < 0 && atomic_load(&measure->stopping))
			end_ms = clock_now_ms() + TAIL_MS;
		if (end_ms >= 0 && clock_now_ms() >= end_ms)
			break;
		if (!grow(measure)) {
			note_failure(measure,
				     hb_error(HB_ERR_NOMEM,
					      "meter '%s': out of memory after %zu samples",
					      measure->record->port, measure->count));
			break;
		}
		status = measure->driver->read(measure->meter, measure->samples + measure->count,
					       READ_CHUNK, &got, READ_WAIT_MS);
		if (status == HB_ERR_TIMEOUT)
			continue;
		if (status != HB_OK) {
			note_failure(measure, status);
			break;
		}
		measure->count += got;
	}
	status = measure->driver->stop(measure->meter);
	if (status != HB_OK)
		note_failure(measure, status);
	return NULL;
}

int energy_measure_open(const struct energy_measure_options *options, double profile_supply_v,
			struct energy_measurement *record, struct energy_measure **out)
{
	const struct meter_driver *driver = meter_find(options->driver);
	struct energy_measure *measure;
	struct meter_config config;
	int status;

	*out = NULL;
	/* A board reset and resumed (run/recovery.h) measures afresh. */
	energy_measurement_release(record);
	memset(record, 0, sizeof *record);
	record->attempted = true;
	snprintf(record->driver, sizeof record->driver, "%s",
		 options->driver ? options->driver : "");
	snprintf(record->port, sizeof record->port, "%s", options->port ? options->port : "");
	record->tolerance = options->tolerance > 0 ? options->tolerance : ENERGY_MEASURE_TOLERANCE;
	record->tolerance_samples = ENERGY_MEASURE_TOLERANCE_SAMPLES;
	record->marker_bit = options->marker_bit;
	if (!driver)
		return hb_error(HB_ERR_USAGE, "unknown meter '%s' (see 'hilbench meters')",
				record->driver);
	if (!options->port || !options->port[0])
		return hb_error(HB_ERR_USAGE, "--meter %s needs --meter-port DEVICE", driver->name);
	if (options->supply_v > 0) {
		record->supply_v = options->supply_v;
		record->supply_source = "--meter-supply";
	} else if (profile_supply_v > 0) {
		record->supply_v = profile_supply_v;
		record->supply_source = "profile energy.model.supply_v";
	} else {
		return hb_error(HB_ERR_USAGE,
				"--meter %s: no supply voltage (the profile has no energy.model "
				"supply_v): give --meter-supply VOLTS",
				driver->name);
	}
	measure = calloc(1, sizeof *measure);
	if (!measure)
		return hb_error(HB_ERR_NOMEM, "out of memory for meter '%s'", record->port);
	measure->driver = driver;
	measure->record = record;
	atomic_init(&measure->stopping, false);
	status = driver->open(options->port, &measure->meter, &record->info);
	config = (struct meter_config){.supply_v = record->supply_v,
				       .sample_rate_hz = options->rate_hz,
				       .marker_bit = options->marker_bit};
	if (status == HB_OK)
		status = driver->configure(measure->meter, &config, &record->info);
	if (status == HB_OK && record->info.sample_rate_hz == 0)
		status = hb_error(HB_ERR_INTERNAL, "meter '%s': driver %s gave no sample rate",
				  record->port, driver->name);
	if (status != HB_OK) {
		energy_measure_close(measure);
		return status;
	}
	*out = measure;
	return HB_OK;
}

uint32_t energy_measure_batch_size(uint32_t runs, uint32_t done, uint32_t max_batch)
{
	uint32_t batches = (runs + max_batch - 1) / max_batch;
	uint32_t index = 0, first = 0;

	if (batches < ENERGY_MIN_WINDOWS)
		batches = ENERGY_MIN_WINDOWS;
	if (batches > runs)
		batches = runs;
	if (done >= runs || batches == 0)
		return 0;
	/* Equal batches, the first (runs % batches) one run longer. */
	for (; index < batches; index++) {
		const uint32_t size = runs / batches + (index < runs % batches ? 1 : 0);

		if (done < first + size)
			return first + size - done;
		first += size;
	}
	return 0;
}

int energy_measure_start(struct energy_measure *measure)
{
	int status = measure->driver->start(measure->meter);

	if (status != HB_OK)
		return status;
	if (pthread_create(&measure->reader, NULL, reader_main, measure) != 0) {
		measure->driver->stop(measure->meter);
		return hb_error(HB_ERR_INTERNAL, "meter '%s': cannot start the reader thread",
				measure->record->port);
	}
	measure->reading = true;
	sleep_ms(ENERGY_MEASURE_GAP_MS); /* idle before the first window */
	return HB_OK;
}

int energy_measure_batch(struct energy_measure *measure, const uint64_t *ticks, uint32_t runs,
			 double counter_scale, uint32_t clock_hz)
{
	struct energy_measurement *record = measure->record;
	double units = 0;

	if (record->batch_count == measure->batch_capacity) {
		const size_t capacity = measure->batch_capacity ? measure->batch_capacity * 2 : 8;
		struct energy_batch *grown = realloc(record->batches, capacity * sizeof *grown);

		if (!grown)
			return hb_error(HB_ERR_NOMEM, "out of memory for energy batches");
		record->batches = grown;
		measure->batch_capacity = capacity;
	}
	for (uint32_t i = 0; i < runs; i++)
		units += (double)ticks[i];
	record->batches[record->batch_count++] = (struct energy_batch){
	    .window_s = clock_hz ? units * counter_scale / clock_hz : 0, .inferences = runs};
	sleep_ms(ENERGY_MEASURE_GAP_MS); /* idle between windows */
	return HB_OK;
}

static void analyse(struct energy_measure *measure)
{
	struct energy_measurement *record = measure->record;
	const uint32_t rate = record->info.sample_rate_hz;
	const struct energy_trace trace = {.samples = measure->samples,
					   .count = measure->count,
					   .rate_hz = rate,
					   .supply_v = record->supply_v,
					   .marker_bit = record->marker_bit};
	const struct energy_options options = {
	    .tolerance = record->tolerance,
	    .tolerance_samples = record->tolerance_samples,
	    .inferences = 1,
	    /* 100 us of marker low inside a window is a glitch, not its end
	     * (at least 2 samples); idle power keeps 2 ms off every edge. */
	    .glitch_samples = rate / 10000 > 2 ? rate / 10000 : 2,
	    .guard_samples = rate / 500 > 2 ? rate / 500 : 2,
	    .batches = record->batches,
	    .batch_count = record->batch_count};

	if (energy_analyse(&trace, &options, &record->analysis) != HB_OK) {
		snprintf(record->reason, sizeof record->reason, "analysis failed: %s",
			 hb_last_error());
		return;
	}
	record->analysed = true;
	if (!record->analysis.has_energy)
		snprintf(record->reason, sizeof record->reason, "%s", record->analysis.reason);
}

int energy_measure_begin(const struct energy_measure_options *options,
			 const struct board_profile *board, struct energy_measurement *record,
			 struct energy_measure **out)
{
	const double profile_v = board->energy.model.present ? board->energy.model.supply_v : 0;
	int status = energy_measure_open(options, profile_v, record, out);

	if (status == HB_OK)
		status = energy_measure_start(*out);
	if (status != HB_OK) {
		snprintf(record->reason, sizeof record->reason, "the meter did not start: %s",
			 hb_last_error());
		energy_measure_close(*out);
		*out = NULL;
	}
	return status;
}

int energy_measure_finish(struct energy_measure *measure, const char *trace_path)
{
	struct energy_measurement *record = measure->record;

	measure->finished = true;
	if (measure->reading) {
		atomic_store(&measure->stopping, true);
		pthread_join(measure->reader, NULL);
		measure->reading = false;
	}
	record->samples = measure->count;
	if (measure->read_status != HB_OK) {
		snprintf(record->reason, sizeof record->reason, "the meter failed: %s",
			 measure->read_error);
		hb_warn("no measured energy: %s", record->reason);
		return HB_OK;
	}
	if (record->batch_count == 0) {
		snprintf(record->reason, sizeof record->reason, "no batch of runs finished");
		return HB_OK;
	}
	analyse(measure);
	if (trace_path && trace_path[0]) {
		const struct energy_trace trace = {.samples = measure->samples,
						   .count = measure->count,
						   .rate_hz = record->info.sample_rate_hz,
						   .supply_v = record->supply_v,
						   .marker_bit = record->marker_bit};

		if (energy_trace_write(trace_path, &trace) == HB_OK)
			snprintf(record->trace_path, sizeof record->trace_path, "%s", trace_path);
		else
			hb_warn("the meter's trace was not kept: %s", hb_last_error());
	}
	if (record->reason[0])
		hb_warn("no measured energy: %s", record->reason);
	return HB_OK;
}

void energy_measure_close(struct energy_measure *measure)
{
	if (!measure)
		return;
	if (!measure->finished && !measure->record->reason[0])
		snprintf(measure->record->reason, sizeof measure->record->reason,
			 "the run stopped before its batches finished");
	if (measure->reading) {
		atomic_store(&measure->stopping, true);
		pthread_join(measure->reader, NULL);
	}
	if (measure->meter)
		measure->driver->close(measure->meter);
	free(measure->samples);
	free(measure);
}

void energy_measure_trace_path(const char *record_path, const char *suffix, char *out,
			       size_t capacity)
{
	size_t length = strlen(record_path), used;

	if (length > 5 && strcmp(record_path + length - 5, ".json") == 0)
		length -= 5;
	used = (size_t)snprintf(out, capacity, "%.*s", (int)length, record_path);
	/* A variant name may hold spaces and brackets: keep a file name plain. */
	if (suffix && suffix[0] && used + 1 < capacity) {
		out[used++] = '_';
		for (const char *c = suffix; *c && used + 1 < capacity; c++)
			out[used++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
					      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.'
					  ? *c
					  : '-';
		out[used] = '\0';
	}
	if (used < capacity)
		snprintf(out + used, capacity - used, ".hbtrace");
}

void energy_measurement_release(struct energy_measurement *record)
{
	free(record->batches);
	record->batches = NULL;
	record->batch_count = 0;
	energy_result_release(&record->analysis);
	record->analysed = false;
}
