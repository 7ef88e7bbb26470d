/* The LPM01A driver: its line parser on canned lines, and the whole driver
 * against tests/emu/lpm01a_emu replaying a trace with known energy. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../emu/trace_synth.h"
#include "meter/energy.h"
#include "meter/lpm01a_line.h"
#include "meter/meter.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/spawn.h"

static struct lpm01a_line parse(const char *text)
{
	struct lpm01a_line line;

	lpm01a_line_parse(text, strlen(text), &line);
	return line;
}

Test(lpm01a_line, data_lines_are_mantissa_and_power_of_ten)
{
	struct lpm01a_line line = parse("6409-07\r");

	cr_assert_eq(line.kind, LPM01A_LINE_DATA);
	cr_assert_float_eq(line.value, 640.9e-6, 1e-15);
	line = parse("1234+02");
	cr_assert_eq(line.kind, LPM01A_LINE_DATA);
	cr_assert_float_eq(line.value, 123400.0, 1e-9);
	cr_assert_eq(parse("0000-00").kind, LPM01A_LINE_DATA);
	cr_assert_float_eq(parse("0000-00").value, 0.0, 1e-30);
}

Test(lpm01a_line, damaged_data_lines_are_malformed)
{
	static const char *const bad[] = {"64#9-07",  "6409*07", "640-07",  "6409-0",
					  "6409-077", "6409-0x", "64090-7", "6"};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(parse(bad[i]).kind, LPM01A_LINE_MALFORMED, "'%s'", bad[i]);
}

Test(lpm01a_line, events_timestamps_and_the_end)
{
	struct lpm01a_line line = parse("event 07 ris");

	cr_assert_eq(line.kind, LPM01A_LINE_EVENT);
	cr_assert_eq(line.event, 7);
	cr_assert(line.rising);
	line = parse("event 123 fal\r\n");
	cr_assert_eq(line.kind, LPM01A_LINE_EVENT);
	cr_assert_eq(line.event, 123);
	cr_assert_not(line.rising);
	cr_assert_eq(parse("event x ris").kind, LPM01A_LINE_OTHER);
	cr_assert_eq(parse("event 1 up").kind, LPM01A_LINE_OTHER);
	line = parse("TimeStamp: 012s 250ms, buff 07%");
	cr_assert_eq(line.kind, LPM01A_LINE_TIMESTAMP);
	cr_assert_eq(line.time_ms, 12250);
	cr_assert_eq(line.buffer, 7);
	cr_assert_eq(parse("TimeStamp:>001s 000ms, buff 99%").kind, LPM01A_LINE_TIMESTAMP);
	cr_assert_eq(parse("TimeStamp: 001s 1000ms, buff 00%").kind, LPM01A_LINE_OTHER);
	cr_assert_eq(parse("TimeStamp: 001s 000ms, buff 00").kind, LPM01A_LINE_OTHER);
	cr_assert_eq(parse("PowerShield > Acquisition completed").kind, LPM01A_LINE_END);
	cr_assert_eq(parse("").kind, LPM01A_LINE_EMPTY);
	cr_assert_eq(parse("PowerShield > ").kind, LPM01A_LINE_EMPTY);
}

Test(lpm01a_line, acks_and_errors_echo_the_command)
{
	struct lpm01a_line line = parse("PowerShield > ack volt 3000m\r");

	cr_assert_eq(line.kind, LPM01A_LINE_ACK);
	cr_assert_str_eq(line.text, "volt 3000m");
	line = parse("PowerShield > PowerShield > error freq 7k");
	cr_assert_eq(line.kind, LPM01A_LINE_ERROR);
	cr_assert_str_eq(line.text, "freq 7k");
	line = parse("PowerShield > Error detail: value not in the list");
	cr_assert_eq(line.kind, LPM01A_LINE_ERROR_DETAIL);
	cr_assert_str_eq(line.text, "value not in the list");
	cr_assert_eq(parse("PowerShield present").kind, LPM01A_LINE_OTHER);
}

/* --- the driver against the emulator --- */

#define EMU_WINDOWS 8
#define EMU_GLITCH  5
#define EMU_DROP    3

static void emu_trace(struct trace_synth *synth)
{
	trace_synth_defaults(synth);
	synth->rate_hz = 1000;
	synth->supply_v = 3.0;
	synth->lead_samples = 500;
	synth->window_samples = 2000;
	synth->gap_samples = 1500;
	synth->windows = EMU_WINDOWS;
	synth->glitch_window = EMU_GLITCH;
	synth->drop_window = EMU_DROP;
	synth->drop_samples = 200;
}

struct emu_run {
	struct child child;
	char dir[64];
	char log[96];
	char port[256];
};

/* Starts the emulator on the test trace, with one more option if given. */
static void emu_start(struct emu_run *run, const char *option, const char *value)
{
	const char *tools = getenv("HB_TOOLS");
	char program[512];
	const char *argv[22] = {program, "--windows",	     "8",    "--lead-samples",
				"500",	 "--window-samples", "2000", "--gap-samples",
				"1500",	 "--glitch-window",  "5",    "--drop-window",
				"3",	 "--drop-samples",   "200",  "--corrupt",
				"100",	 "--corrupt",	     "250",  NULL};
	struct spawn_options options = {0};
	const int64_t deadline = clock_now_ms() + 5000;

	if (option) {
		argv[19] = option;
		argv[20] = value;
	}
	if (!tools)
		cr_skip_test("HB_TOOLS is not set (make unit sets it to build/tools)");
	snprintf(program, sizeof program, "%s/lpm01a_emu", tools);
	if (access(program, X_OK) != 0)
		cr_skip_test("%s is not built (make build/tools/lpm01a_emu)", program);
	snprintf(run->dir, sizeof run->dir, "/tmp/hb-lpm01a-XXXXXX");
	cr_assert_not_null(mkdtemp(run->dir));
	snprintf(run->log, sizeof run->log, "%s/emu.log", run->dir);
	options.log_path = run->log;
	cr_assert_eq(spawn_start(argv, &options, &run->child), HB_OK);
	run->port[0] = '\0';
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
	cr_assert_fail("lpm01a_emu printed no pty path in 5 s");
}

static void emu_finish(struct emu_run *run)
{
	spawn_stop(&run->child);
	unlink(run->log);
	rmdir(run->dir);
}

/* energy.c's analysis of a captured trace, as a run would do it. */
static void analyse(const struct trace_synth *synth, const struct meter_sample *samples,
		    size_t length, uint32_t rate_hz, struct energy_result *result)
{
	const struct energy_trace trace = {.samples = samples,
					   .count = length,
					   .rate_hz = rate_hz,
					   .supply_v = synth->supply_v,
					   .marker_bit = 0};
	const struct energy_options options = {.expected_window_s =
						   (double)synth->window_samples / synth->rate_hz,
					       .tolerance = 0.02,
					       .inferences = synth->inferences,
					       .glitch_samples = 10,
					       .guard_samples = 100};

	cr_assert_eq(energy_analyse(&trace, &options, result), HB_OK);
}

/* The last error and the last warning the driver reported, captured instead of
 * printed. */
static char lpm01a_message[512];
static char lpm01a_warning[512];

static void capture(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(lpm01a_message, sizeof lpm01a_message, "%s", message);
	if (level == HB_LEVEL_WARN)
		snprintf(lpm01a_warning, sizeof lpm01a_warning, "%s", message);
}

/* The whole trace through the driver: open, configure, start, read, stop,
 * close. */
static struct meter_sample *capture_trace(const char *option, const char *value, size_t length,
					  uint32_t *rate_hz)
{
	struct emu_run run;
	struct meter *meter = NULL;
	struct meter_info info;
	const struct meter_config config = {
	    .supply_v = 3.0, .sample_rate_hz = 1000, .marker_bit = 0};
	struct meter_sample *samples = calloc(length, sizeof *samples);
	size_t have = 0;

	cr_assert_not_null(samples);
	emu_start(&run, option, value);
	hb_log_set_sink(capture, NULL);
	cr_assert_eq(meter_lpm01a.open(run.port, &meter, &info), HB_OK);
	cr_assert_str_eq(info.model, "LPM01A");
	cr_assert_eq(meter_lpm01a.configure(meter, &config, &info), HB_OK);
	cr_assert_eq(meter_lpm01a.start(meter), HB_OK);
	while (have < length) {
		size_t got;
		int status = meter_lpm01a.read(meter, samples + have, length - have, &got, 5000);

		cr_assert_eq(status, HB_OK, "read stopped at sample %zu of %zu", have, length);
		have += got;
	}
	cr_assert_eq(meter_lpm01a.stop(meter), HB_OK);
	hb_log_set_sink(NULL, NULL);
	meter_lpm01a.close(meter);
	emu_finish(&run);
	*rate_hz = info.sample_rate_hz;
	return samples;
}

Test(meter_lpm01a, recovers_the_energy_per_inference_and_flags_broken_windows)
{
	struct trace_synth synth;
	struct energy_result result;
	size_t length, dropped = 0;
	uint32_t rate_hz;
	struct meter_sample *samples;

	emu_trace(&synth);
	length = (size_t)trace_synth_length(&synth);
	samples = capture_trace(NULL, NULL, length, &rate_hz);
	cr_assert_eq(rate_hz, 1000);

	/* The two damaged lines are one dropped slot each, in place. */
	cr_assert(samples[100].dropped && samples[250].dropped);
	cr_assert(!samples[99].dropped && !samples[101].dropped);
	for (size_t i = 0; i < length; i++)
		dropped += samples[i].dropped;
	/* The burst of 200 lost lines marks its whole second (11000..11999). */
	cr_assert_eq(dropped, 2 + 1000, "dropped %zu", dropped);
	cr_assert(samples[11000].dropped && samples[11999].dropped && !samples[12000].dropped);

	analyse(&synth, samples, length, rate_hz, &result);
	cr_assert_eq(result.window_count, EMU_WINDOWS);
	cr_assert_eq(result.valid_count, EMU_WINDOWS - 2);
	for (uint32_t w = 0; w < EMU_WINDOWS; w++) {
		const struct energy_window *window = &result.windows[w];
		const double expected = trace_synth_window_energy_j(&synth, w);

		cr_assert_eq(window->first, synth.lead_samples + w * 3500, "window %u", w);
		if (w == EMU_DROP || w == EMU_GLITCH) {
			cr_assert_eq(window->invalid,
				     w == EMU_DROP ? ENERGY_DROPPED : ENERGY_GLITCH,
				     "window %u: %s", w, energy_invalid_name(window->invalid));
			continue;
		}
		cr_assert_eq(window->invalid, ENERGY_VALID, "window %u: %s", w,
			     energy_invalid_name(window->invalid));
		cr_log_info("lpm01a window %u: %.4f uJ per inference measured, %.4f uJ in the "
			    "trace (%+.3f %%)",
			    w, window->energy_per_inference_j * 1e6, expected * 1e6,
			    100 * (window->energy_per_inference_j - expected) / expected);
		cr_assert(fabs(window->energy_per_inference_j - expected) < 0.01 * expected,
			  "window %u: %.6g J per inference, expected %.6g J", w,
			  window->energy_per_inference_j, expected);
	}
	cr_assert(result.has_energy, "%s", result.reason);
	cr_assert(result.has_idle);
	cr_log_info("lpm01a: median %.4f uJ per inference over %zu valid windows, "
		    "idle %.4f mW "
		    "(trace %.4f mW)",
		    result.median_j * 1e6, result.valid_count, result.idle_power_w * 1e3,
		    trace_synth_idle_power_w(&synth) * 1e3);
	cr_assert(fabs(result.idle_power_w - trace_synth_idle_power_w(&synth)) <
		  0.01 * trace_synth_idle_power_w(&synth));
	energy_result_release(&result);
	free(samples);
}

Test(meter_lpm01a, a_refused_command_names_the_port_the_command_and_the_reason)
{
	struct emu_run run;
	struct meter *meter = NULL;
	struct meter_info info;
	const struct meter_config config = {
	    .supply_v = 3.0, .sample_rate_hz = 1000, .marker_bit = 0};
	char expected[400];
	int status;

	emu_start(&run, "--refuse", "eventsrc");
	hb_log_set_sink(capture, NULL);
	cr_assert_eq(meter_lpm01a.open(run.port, &meter, &info), HB_OK);
	/* Starting before configure is the caller's mistake, said so. */
	cr_assert_eq(meter_lpm01a.start(meter), HB_ERR_INTERNAL);
	status = meter_lpm01a.configure(meter, &config, &info);
	hb_log_set_sink(NULL, NULL);
	meter_lpm01a.close(meter);
	emu_finish(&run);
	cr_assert_eq(status, HB_ERR_PROTOCOL);
	snprintf(expected, sizeof expected,
		 "meter '%s': the monitor refused 'eventsrc d7 fal': command not "
		 "supported by "
		 "this firmware",
		 run.port);
	cr_assert_str_eq(lpm01a_message, expected);
}

Test(meter_lpm01a, a_supply_it_cannot_give_is_refused_before_sending)
{
	struct emu_run run;
	struct meter *meter = NULL;
	struct meter_info info;
	const struct meter_config config = {
	    .supply_v = 5.0, .sample_rate_hz = 1000, .marker_bit = 0};
	const struct meter_config ampere = {
	    .supply_v = 3.0, .sample_rate_hz = 1000, .marker_bit = 0, .ampere_mode = true};

	emu_start(&run, NULL, NULL);
	hb_log_set_sink(capture, NULL);
	cr_assert_eq(meter_lpm01a.open(run.port, &meter, &info), HB_OK);
	cr_assert_eq(meter_lpm01a.configure(meter, &config, &info), HB_ERR_INPUT);
	cr_assert(strstr(lpm01a_message, "supply voltage 5.000 V out of the LPM01A's range"), "%s",
		  lpm01a_message);
	cr_assert_eq(meter_lpm01a.configure(meter, &ampere, &info), HB_ERR_INPUT);
	cr_assert(strstr(lpm01a_message, "no ampere mode"), "%s", lpm01a_message);
	hb_log_set_sink(NULL, NULL);
	meter_lpm01a.close(meter);
	emu_finish(&run);
}

Test(meter_lpm01a, a_lost_event_line_is_reported_and_its_second_dropped)
{
	struct trace_synth synth;
	struct energy_result result;
	size_t length;
	uint32_t rate_hz;
	struct meter_sample *samples;

	emu_trace(&synth);
	length = (size_t)trace_synth_length(&synth);
	/* Event 4 opens window 2 (sample 7500); event 5 closes it at 9500. */
	samples = capture_trace("--lose-event", "4", length, &rate_hz);
	cr_assert(strstr(lpm01a_warning, "event 5 after event 3"), "%s", lpm01a_warning);
	cr_assert(samples[9000].dropped && samples[9999].dropped && !samples[10000].dropped);
	analyse(&synth, samples, length, rate_hz, &result);
	/* The window that lost its opening edge is not in the marker: one fewer,
	 * for the window count against the firmware's to catch. */
	cr_assert_eq(result.window_count, EMU_WINDOWS - 1);
	energy_result_release(&result);
	free(samples);
}

Test(meter_lpm01a, the_rate_is_the_highest_the_monitor_streams_not_above_the_one_asked)
{
	static const uint32_t asked[] = {100000, 5000, 4999, 1500,
					 1000,	 7,    1,    0}; /* 0: none asked */
	static const uint32_t used[] = {5000, 5000, 2000, 1000, 1000, 5, 1, 5000};
	struct emu_run run;
	struct meter *meter = NULL;
	struct meter_info info;

	emu_start(&run, NULL, NULL);
	hb_log_set_sink(capture, NULL);
	cr_assert_eq(meter_lpm01a.open(run.port, &meter, &info), HB_OK);
	for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
		const struct meter_config config = {
		    .supply_v = 1.8, .sample_rate_hz = asked[i], .marker_bit = 7};

		cr_assert_eq(meter_lpm01a.configure(meter, &config, &info), HB_OK, "%u Hz: %s",
			     asked[i], lpm01a_message);
		cr_assert_eq(info.sample_rate_hz, used[i], "%u Hz asked", asked[i]);
	}
	hb_log_set_sink(NULL, NULL);
	meter_lpm01a.close(meter);
	emu_finish(&run);
}
