/* energy.c on hand-built traces whose answers are derived by hand, and on
 * trace_synth's trace; the trace file's round trip and its refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../emu/trace_synth.h"
#include "meter/energy.h"
#include "util/error.h"

#define RATE	 1000
#define CAPACITY 40000

static struct meter_sample trace_buffer[CAPACITY];
static size_t trace_length;
static char energy_message[512];

static void capture(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(energy_message, sizeof energy_message, "%s", message);
}

/* Appends `count` samples of current_ma with the marker (bit 1) as given. */
static void append(size_t count, double current_ma, bool marker)
{
	cr_assert_leq(trace_length + count, CAPACITY);
	for (size_t i = 0; i < count; i++)
		trace_buffer[trace_length++] = (struct meter_sample){
		    .current_a = (float)(current_ma / 1000.0), .logic = marker ? 0x02 : 0x40};
}

/* Idle 1 mA for 500 samples, then per window 1000 samples at its current and 500 idle. */
static void build(const double *window_ma, size_t windows)
{
	trace_length = 0;
	append(500, 1.0, false);
	for (size_t w = 0; w < windows; w++) {
		append(1000, window_ma[w], true);
		append(500, 1.0, false);
	}
}

static struct energy_trace built(void)
{
	return (struct energy_trace){.samples = trace_buffer,
				     .count = trace_length,
				     .rate_hz = RATE,
				     .supply_v = 3.0,
				     .marker_bit = 1};
}

static const struct energy_options options = {.expected_window_s = 1.0,
					      .tolerance = 0.02,
					      .inferences = 2,
					      .glitch_samples = 5,
					      .guard_samples = 20};

static const double six_equal[6] = {10, 10, 10, 10, 10, 10};

Test(energy, known_energy_idle_and_above_idle)
{
	struct energy_trace trace;
	struct energy_result result;

	build(six_equal, 6);
	trace = built();
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_OK);
	cr_assert_eq(result.window_count, 6);
	cr_assert_eq(result.valid_count, 6);
	/* 3 V x 10 mA x 1 s / 2 inferences = 15 mJ; idle 3 V x 1 mA = 3 mW;
	 * above idle: 15 mJ - 3 mW x 1 s / 2 = 13.5 mJ. */
	cr_assert(result.has_energy);
	cr_assert_float_eq(result.median_j, 0.015, 1e-9);
	cr_assert_float_eq(result.spread, 0.0, 1e-6);
	cr_assert(result.has_idle);
	cr_assert_float_eq(result.idle_power_w, 0.003, 1e-9);
	cr_assert(result.has_above_idle);
	cr_assert_float_eq(result.above_idle_median_j, 0.0135, 1e-9);
	cr_assert_eq(result.windows[1].first, 2000);
	cr_assert_float_eq(result.windows[1].start_s, 2.0, 1e-12);
	cr_assert_float_eq(result.windows[1].length_s, 1.0, 1e-12);
	energy_result_release(&result);
}

Test(energy, median_and_spread_over_the_valid_windows)
{
	const double currents[6] = {14, 10, 15, 11, 13, 12};
	struct energy_trace trace;
	struct energy_result result;

	build(currents, 6);
	trace = built();
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_OK);
	/* Median of 10..15 mA is 12.5 mA: 3 x 0.0125 / 2; spread (15 - 10) / 12.5. */
	cr_assert_float_eq(result.median_j, 3 * 0.0125 / 2, 1e-9);
	cr_assert_float_eq(result.min_j, 3 * 0.010 / 2, 1e-9);
	cr_assert_float_eq(result.max_j, 3 * 0.015 / 2, 1e-9);
	cr_assert_float_eq(result.spread, 0.4, 1e-6);
	energy_result_release(&result);
}

Test(energy, idle_keeps_out_of_the_guard_band)
{
	struct energy_trace trace;
	struct energy_result result;

	build(six_equal, 6);
	/* Settling after each window's falling edge: 10 samples at 50 mA, inside the guard. */
	for (size_t w = 0; w < 6; w++)
		for (size_t i = 0; i < 10; i++)
			trace_buffer[500 + w * 1500 + 1000 + i].current_a = 0.050f;
	trace = built();
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_OK);
	cr_assert_float_eq(result.idle_power_w, 0.003, 1e-9);
	energy_result_release(&result);
}

Test(energy, a_dropped_gap_invalidates_its_window_and_says_how_many)
{
	struct energy_trace trace;
	struct energy_result result;

	build(six_equal, 6);
	for (size_t i = 0; i < 30; i++)
		trace_buffer[2000 + 400 + i] = (struct meter_sample){.dropped = 1};
	trace = built();
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_OK);
	cr_assert_eq(result.window_count, 6, "the gap does not split the window");
	cr_assert_eq(result.windows[1].invalid, ENERGY_DROPPED);
	cr_assert_eq(result.windows[1].detail, 30);
	cr_assert_str_eq(energy_invalid_name(ENERGY_DROPPED), "dropped samples");
	cr_assert_eq(result.valid_count, 5);
	cr_assert(result.has_energy);
	energy_result_release(&result);
}

Test(energy, a_marker_glitch_invalidates_its_window_and_a_long_gap_is_two_windows)
{
	struct energy_trace trace;
	struct energy_result result;

	build(six_equal, 6);
	for (size_t i = 0; i < 4; i++) /* shorter than glitch_samples (5) */
		trace_buffer[3500 + 600 + i].logic = 0;
	for (size_t i = 0; i < 5; i++) /* as long as glitch_samples: the window ends */
		trace_buffer[5000 + 300 + i].logic = 0;
	trace = built();
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_OK);
	cr_assert_eq(result.window_count, 7);
	cr_assert_eq(result.windows[2].invalid, ENERGY_GLITCH);
	cr_assert_eq(result.windows[2].detail, 4100);
	cr_assert_eq(result.windows[2].length, 1000);
	cr_assert_eq(result.windows[3].invalid, ENERGY_LENGTH); /* 300 samples */
	cr_assert_eq(result.windows[4].invalid, ENERGY_LENGTH); /* 695 samples */
	cr_assert_eq(result.valid_count, 4);
	cr_assert_not(result.has_energy);
	energy_result_release(&result);
}

Test(energy, a_length_off_the_firmware_count_beyond_the_tolerance_is_invalid)
{
	struct energy_trace trace;
	struct energy_result result;
	struct energy_options tight = options;

	build(six_equal, 6);
	trace = built();
	tight.expected_window_s = 1.015; /* 1.5 % off: inside 2 % */
	cr_assert_eq(energy_analyse(&trace, &tight, &result), HB_OK);
	cr_assert_eq(result.valid_count, 6);
	energy_result_release(&result);
	tight.expected_window_s = 1.03; /* 3 % off */
	cr_assert_eq(energy_analyse(&trace, &tight, &result), HB_OK);
	cr_assert_eq(result.valid_count, 0);
	cr_assert_eq(result.windows[0].invalid, ENERGY_LENGTH);
	cr_assert_not(result.has_energy);
	energy_result_release(&result);
	tight.expected_window_s = 0; /* not checked */
	cr_assert_eq(energy_analyse(&trace, &tight, &result), HB_OK);
	cr_assert_eq(result.valid_count, 6);
	energy_result_release(&result);
}

Test(energy, fewer_than_five_valid_windows_give_no_figure_and_say_why)
{
	struct energy_trace trace;
	struct energy_result result;

	build(six_equal, 4);
	trace = built();
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_OK);
	cr_assert_eq(result.valid_count, 4);
	cr_assert_not(result.has_energy);
	cr_assert_not(result.has_above_idle);
	cr_assert(result.has_idle, "idle is measured all the same");
	cr_assert_str_eq(result.reason, "4 valid windows of 4 found, at least 5 needed");
	energy_result_release(&result);
}

Test(energy, a_window_cut_by_either_end_of_the_trace_is_not_counted_as_valid)
{
	struct energy_trace trace;
	struct energy_result result;

	trace_length = 0;
	append(300, 10, true); /* began before the trace */
	append(500, 1, false);
	for (int w = 0; w < 5; w++) {
		append(1000, 10, true);
		append(500, 1, false);
	}
	append(400, 10, true); /* still open at the end */
	trace = built();
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_OK);
	cr_assert_eq(result.window_count, 6);
	cr_assert_eq(result.windows[0].first, 800);
	cr_assert_eq(result.windows[5].invalid, ENERGY_UNTERMINATED);
	cr_assert_eq(result.valid_count, 5);
	energy_result_release(&result);
}

Test(energy, the_synthesized_trace_gives_its_known_energy)
{
	struct trace_synth synth;
	struct energy_trace trace;
	struct energy_result result;
	struct energy_options synth_options = {.expected_window_s = 0.02,
					       .tolerance = 0.01,
					       .glitch_samples = 10,
					       .guard_samples = 50};
	size_t length;

	trace_synth_defaults(&synth);
	synth_options.inferences = synth.inferences;
	length = (size_t)trace_synth_length(&synth);
	cr_assert_leq(length, CAPACITY);
	for (size_t i = 0; i < length; i++) {
		const struct trace_point point = trace_synth_point(&synth, i);

		trace_buffer[i] = (struct meter_sample){.current_a = (float)point.current_a,
							.logic = point.marker ? 1 : 0};
	}
	trace = (struct energy_trace){.samples = trace_buffer,
				      .count = length,
				      .rate_hz = synth.rate_hz,
				      .supply_v = synth.supply_v,
				      .marker_bit = 0};
	cr_assert_eq(energy_analyse(&trace, &synth_options, &result), HB_OK);
	cr_assert_eq(result.window_count, synth.windows);
	for (uint32_t w = 0; w < synth.windows; w++)
		cr_assert_float_eq(result.windows[w].energy_per_inference_j,
				   trace_synth_window_energy_j(&synth, w),
				   1e-6 * trace_synth_window_energy_j(&synth, w));
	cr_assert(fabs(result.idle_power_w - trace_synth_idle_power_w(&synth)) <
		  0.01 * trace_synth_idle_power_w(&synth));
	energy_result_release(&result);
}

Test(energy, bad_arguments_are_refused)
{
	struct energy_trace trace;
	struct energy_result result;
	struct energy_options none = options;

	build(six_equal, 6);
	trace = built();
	hb_log_set_sink(capture, NULL);
	trace.marker_bit = 8;
	cr_assert_eq(energy_analyse(&trace, &options, &result), HB_ERR_INPUT);
	cr_assert(strstr(energy_message, "bit 8"), "%s", energy_message);
	trace.marker_bit = 1;
	none.inferences = 0;
	cr_assert_eq(energy_analyse(&trace, &none, &result), HB_ERR_INPUT);
	hb_log_set_sink(NULL, NULL);
}

static void temp_path(char *path, size_t capacity, const char *name)
{
	snprintf(path, capacity, "/tmp/hb-energy-%d-%s", (int)getpid(), name);
}

Test(energy, the_trace_file_round_trips)
{
	char path[128];
	struct energy_trace trace, back;
	struct meter_sample *samples;

	build(six_equal, 6);
	trace_buffer[7].dropped = 1;
	trace_buffer[9].current_a = -1.25e-7f;
	trace = built();
	temp_path(path, sizeof path, "ok.hbtrace");
	cr_assert_eq(energy_trace_write(path, &trace), HB_OK);
	cr_assert_eq(energy_trace_read(path, &back, &samples), HB_OK);
	unlink(path);
	cr_assert_eq(back.count, trace.count);
	cr_assert_eq(back.rate_hz, RATE);
	cr_assert_eq(back.supply_v, 3.0);
	cr_assert_eq(back.marker_bit, 1);
	cr_assert_eq(memcmp(samples, trace_buffer, trace.count * sizeof *samples), 0);
	free(samples);
}

static int read_bytes(const char *name, const uint8_t *data, size_t length)
{
	char path[128];
	struct energy_trace back;
	struct meter_sample *samples;
	FILE *file;
	int status;

	temp_path(path, sizeof path, name);
	file = fopen(path, "wb");
	cr_assert_not_null(file);
	fwrite(data, 1, length, file);
	fclose(file);
	status = energy_trace_read(path, &back, &samples);
	unlink(path);
	free(samples);
	return status;
}

Test(energy, bad_trace_files_are_refused_naming_the_problem)
{
	char path[128];
	struct energy_trace trace, back;
	struct meter_sample *samples;
	uint8_t *data;
	FILE *file;
	long length;

	build(six_equal, 1);
	trace = built();
	temp_path(path, sizeof path, "good.hbtrace");
	cr_assert_eq(energy_trace_write(path, &trace), HB_OK);
	file = fopen(path, "rb");
	fseek(file, 0, SEEK_END);
	length = ftell(file);
	rewind(file);
	data = malloc((size_t)length);
	cr_assert_eq(fread(data, 1, (size_t)length, file), (size_t)length);
	fclose(file);
	unlink(path);
	cr_assert_eq(length, 32 + 6 * (long)trace.count);

	hb_log_set_sink(capture, NULL);
	cr_assert_eq(read_bytes("short", data, (size_t)length - 1), HB_ERR_INPUT);
	cr_assert(strstr(energy_message, "header says 2000 samples"), "%s", energy_message);
	cr_assert_eq(read_bytes("tiny", data, 10), HB_ERR_INPUT);
	cr_assert(strstr(energy_message, "not a hilbench trace"), "%s", energy_message);
	data[8] = 2;
	cr_assert_eq(read_bytes("version", data, (size_t)length), HB_ERR_INPUT);
	cr_assert(strstr(energy_message, "version 2, expected 1"), "%s", energy_message);
	data[8] = 1;
	data[10] = 9;
	cr_assert_eq(read_bytes("bit", data, (size_t)length), HB_ERR_INPUT);
	cr_assert(strstr(energy_message, "marker bit"), "%s", energy_message);
	data[10] = 1;
	data[0] = 'X';
	cr_assert_eq(read_bytes("magic", data, (size_t)length), HB_ERR_INPUT);
	cr_assert_eq(energy_trace_read("/nonexistent/hb.hbtrace", &back, &samples),
		     HB_ERR_NOT_FOUND);
	cr_assert(strstr(energy_message, "/nonexistent/hb.hbtrace"), "%s", energy_message);
	hb_log_set_sink(NULL, NULL);
	free(data);
}
