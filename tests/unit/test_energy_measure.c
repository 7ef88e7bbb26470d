/* run/energy_measure.c: batches split for the meter, and the whole
 * measurement (open, start, batches, finish) against tests/emu/ppk2_emu
 * replaying a trace whose energy is known, with windows as long as the
 * batches' counts say, or not. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../emu/trace_synth.h"
#include "messages.h"
#include "run/energy_measure.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/spawn.h"

#define RUNS_PER_BATCH 4
#define CLOCK_HZ       1000000u

static char measure_message[512];

static void capture(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(measure_message, sizeof measure_message, "%s", message);
}

Test(energy_measure, batches_are_at_least_five_and_at_most_the_protocols)
{
	const uint32_t cases[][2] = {{5, 5}, {7, 5}, {20, 5}, {240, 5}, {241, 6}, {1000, 21}};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		uint32_t done = 0, batches = 0, smallest = UINT32_MAX, largest = 0;

		while (done < cases[c][0]) {
			uint32_t size =
			    energy_measure_batch_size(cases[c][0], done, PROTO_MAX_RUNS);

			cr_assert_gt(size, 0, "%u runs: batch %u is empty", cases[c][0], batches);
			smallest = size < smallest ? size : smallest;
			largest = size > largest ? size : largest;
			done += size;
			batches++;
		}
		cr_assert_eq(done, cases[c][0]);
		cr_assert_eq(batches, cases[c][1], "%u runs: %u batches", cases[c][0], batches);
		cr_assert_leq(largest, PROTO_MAX_RUNS);
		cr_assert_leq(largest - smallest, 1, "%u runs: batches %u..%u", cases[c][0],
			      smallest, largest);
	}
	cr_assert_eq(energy_measure_batch_size(20, 20, PROTO_MAX_RUNS), 0);
}

Test(energy_measure, the_trace_goes_beside_the_record_with_a_plain_name)
{
	char path[200];

	energy_measure_trace_path("results/a_b.json", NULL, path, sizeof path);
	cr_assert_str_eq(path, "results/a_b.hbtrace");
	energy_measure_trace_path("r/s.json", "float32 (int8 weights)", path, sizeof path);
	cr_assert_str_eq(path, "r/s_float32--int8-weights-.hbtrace");
}

Test(energy_measure, without_a_supply_voltage_it_says_what_to_give)
{
	const struct energy_measure_options options = {.driver = "ppk2", .port = "/dev/null"};
	struct energy_measurement record = {.attempted = false};
	struct energy_measure *measure;

	hb_log_set_sink(capture, NULL);
	cr_assert_eq(energy_measure_open(&options, 0, &record, &measure), HB_ERR_USAGE);
	hb_log_set_sink(NULL, NULL);
	cr_assert(strstr(measure_message, "--meter-supply"), "%s", measure_message);
	cr_assert_null(measure);
	energy_measurement_release(&record);
}

struct emu_run {
	struct child child;
	char dir[64];
	char log[96];
	char port[256];
};

static void emu_start(struct emu_run *run, const struct trace_synth *synth)
{
	const char *tools = getenv("HB_TOOLS");
	char program[512], windows[16], samples[16], gap[16], lead[16], inferences[16];
	const char *argv[] = {program, "--windows",	windows,    "--window-samples",
			      samples, "--gap-samples", gap,	    "--lead-samples",
			      lead,    "--inferences",	inferences, NULL};
	struct spawn_options options = {0};
	const int64_t deadline = clock_now_ms() + 5000;

	if (!tools)
		cr_skip_test("HB_TOOLS is not set (make unit sets it to build/tools)");
	snprintf(program, sizeof program, "%s/ppk2_emu", tools);
	if (access(program, X_OK) != 0)
		cr_skip_test("%s is not built (make build/tools/ppk2_emu)", program);
	snprintf(windows, sizeof windows, "%u", synth->windows);
	snprintf(samples, sizeof samples, "%u", synth->window_samples);
	snprintf(gap, sizeof gap, "%u", synth->gap_samples);
	snprintf(lead, sizeof lead, "%u", synth->lead_samples);
	snprintf(inferences, sizeof inferences, "%u", synth->inferences);
	snprintf(run->dir, sizeof run->dir, "/tmp/hb-measure-XXXXXX");
	cr_assert_not_null(mkdtemp(run->dir));
	snprintf(run->log, sizeof run->log, "%s/emu.log", run->dir);
	options.log_path = run->log;
	cr_assert_eq(spawn_start(argv, &options, &run->child), HB_OK);
	while (clock_now_ms() < deadline) {
		FILE *log = fopen(run->log, "r");

		if (log) {
			if (fgets(run->port, sizeof run->port, log) && strchr(run->port, '\n')) {
				fclose(log);
				run->port[strcspn(run->port, "\n")] = '\0';
				return;
			}
			fclose(log);
		}
		usleep(10000);
	}
	cr_assert_fail("ppk2_emu printed no pty path in 5 s");
}

static void emu_finish(struct emu_run *run)
{
	spawn_stop(&run->child);
	unlink(run->log);
}

static void synth_for(struct trace_synth *synth)
{
	trace_synth_defaults(synth);
	synth->lead_samples = 1000;
	synth->window_samples = 2000; /* 20 ms at 100 kS/s */
	synth->gap_samples = 1500;
	synth->windows = 5;
	synth->inferences = RUNS_PER_BATCH;
}

/* The whole measurement: `batches` batches whose counts give windows of
 * `window_ticks` (at CLOCK_HZ), against the emulator's trace. */
static void measure(const struct trace_synth *synth, uint32_t batches, uint64_t window_ticks,
		    struct energy_measurement *record, char *trace_path, size_t capacity)
{
	const struct energy_measure_options options = {.driver = "ppk2", .marker_bit = 0};
	struct energy_measure_options with_port = options;
	struct energy_measure *meter;
	struct emu_run run;
	uint64_t ticks[RUNS_PER_BATCH];

	for (int i = 0; i < RUNS_PER_BATCH; i++)
		ticks[i] = window_ticks / RUNS_PER_BATCH;
	emu_start(&run, synth);
	with_port.port = run.port;
	snprintf(trace_path, capacity, "%s/run.hbtrace", run.dir);
	cr_assert_eq(energy_measure_open(&with_port, synth->supply_v, record, &meter), HB_OK);
	cr_assert_str_eq(record->info.model, "PPK2");
	cr_assert_eq(record->info.sample_rate_hz, synth->rate_hz);
	cr_assert_str_eq(record->supply_source, "profile energy.model.supply_v");
	cr_assert_eq(energy_measure_start(meter), HB_OK);
	for (uint32_t b = 0; b < batches; b++)
		cr_assert_eq(energy_measure_batch(meter, ticks, RUNS_PER_BATCH, 1.0, CLOCK_HZ),
			     HB_OK);
	cr_assert_eq(energy_measure_finish(meter, trace_path), HB_OK);
	energy_measure_close(meter);
	emu_finish(&run);
}

static void cleanup(const char *trace_path)
{
	char dir[256];

	snprintf(dir, sizeof dir, "%s", trace_path);
	unlink(trace_path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

Test(energy_measure, recovers_the_known_energy_and_keeps_the_trace)
{
	struct trace_synth synth;
	struct energy_measurement record = {.attempted = false};
	struct energy_trace trace;
	struct meter_sample *samples;
	char trace_path[256];
	double known[5];
	cJSON *json;

	synth_for(&synth);
	measure(&synth, 5, 20000, &record, trace_path, sizeof trace_path);
	cr_assert_str_empty(record.reason, "%s", record.reason);
	cr_assert(record.analysed && record.analysis.has_energy);
	cr_assert_eq(record.analysis.valid_count, 5);
	for (uint32_t w = 0; w < 5; w++) {
		known[w] = trace_synth_window_energy_j(&synth, w);
		cr_assert_eq(record.analysis.windows[w].inferences, RUNS_PER_BATCH);
		cr_assert_float_eq(record.analysis.windows[w].expected_s, 0.02, 1e-12);
	}
	/* Median of five: the middle one, sorted. */
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (known[j] < known[i]) {
				double swap = known[i];
				known[i] = known[j];
				known[j] = swap;
			}
	cr_log_info("measured %.4f uJ per inference, the trace holds %.4f uJ",
		    record.analysis.median_j * 1e6, known[2] * 1e6);
	cr_assert(fabs(record.analysis.median_j - known[2]) < 0.01 * known[2]);
	cr_assert_str_eq(record.trace_path, trace_path);
	cr_assert_eq(energy_trace_read(trace_path, &trace, &samples), HB_OK);
	cr_assert_eq(trace.count, record.samples);
	cr_assert_eq(trace.count, trace_synth_length(&synth));
	cr_assert_float_eq(trace.supply_v, synth.supply_v, 1e-12);
	free(samples);
	json = energy_measurement_json(&record);
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(json, "value")));
	cr_assert_str_eq(cJSON_GetObjectItem(json, "source")->valuestring, "measured");
	cr_assert_str_eq(cJSON_GetObjectItem(json, "trace")->valuestring, "run.hbtrace");
	cJSON_Delete(json);
	energy_measurement_release(&record);
	cleanup(trace_path);
}

Test(energy_measure, windows_off_the_counts_or_unpaired_give_no_figure_and_say_why)
{
	struct trace_synth synth;
	struct energy_measurement record = {.attempted = false};
	char trace_path[256];
	cJSON *json;

	synth_for(&synth);
	/* The batches counted 10 % less than the windows last. */
	measure(&synth, 5, 18000, &record, trace_path, sizeof trace_path);
	cr_assert_not(record.analysis.has_energy);
	for (size_t w = 0; w < record.analysis.window_count; w++)
		cr_assert_eq(record.analysis.windows[w].invalid, ENERGY_LENGTH);
	cr_assert(strstr(record.reason, "0 valid windows of 5"), "%s", record.reason);
	json = energy_measurement_json(&record);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(json, "value")), "absent is null, never 0");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(json, "reason")));
	cJSON_Delete(json);
	energy_measurement_release(&record);
	cleanup(trace_path);

	/* Six batches ran, the trace has five windows: none can be trusted. */
	measure(&synth, 6, 20000, &record, trace_path, sizeof trace_path);
	cr_assert_not(record.analysis.has_energy);
	cr_assert(strstr(record.reason, "cannot be paired"), "%s", record.reason);
	energy_measurement_release(&record);
	cleanup(trace_path);
}
