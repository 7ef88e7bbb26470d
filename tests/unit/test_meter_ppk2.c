/* The PPK2 driver: its metadata parser and sample decoding on canned bytes,
 * and the whole driver against tests/emu/ppk2_emu replaying a trace with
 * known energy, analysed by energy.c. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../emu/trace_synth.h"
#include "meter/energy.h"
#include "meter/meter.h"
#include "meter/meter_detect.h"
#include "meter/ppk2_proto.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/spawn.h"

#define EMU_WINDOWS 8
#define EMU_GLITCH  5
#define EMU_DROP    3

static char ppk2_message[512];

static void capture(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(ppk2_message, sizeof ppk2_message, "%s", message);
}

Test(ppk2_proto, metadata_gives_the_calibration_per_range)
{
	const char text[] = "Calibrated: 1\r\nR0: 1003.5\nR1: 101.25\nGS1: 112.5\nGI1: 0.98\n"
			    "O2: 40\nS3: 0.000002\nI4: -0.25\nUG0: 1.01\nHW: 9173\nmode: 2\n"
			    "IA: 56\nEND\nR2: 9999\n";
	struct ppk2_metadata meta;

	cr_assert_eq(ppk2_metadata_parse(text, sizeof text - 1, "canned", &meta), HB_OK);
	cr_assert(meta.calibrated);
	cr_assert_float_eq(meta.r[0], 1003.5, 1e-12);
	cr_assert_float_eq(meta.r[1], 101.25, 1e-12);
	cr_assert_float_eq(meta.r[2], 10.15, 1e-12, "after END nothing counts; default stays");
	cr_assert_float_eq(meta.gs[1], 112.5, 1e-12);
	cr_assert_float_eq(meta.gs[0], 1.0, 1e-12);
	cr_assert_float_eq(meta.gi[1], 0.98, 1e-12);
	cr_assert_float_eq(meta.o[2], 40, 1e-12);
	cr_assert_float_eq(meta.s[3], 2e-6, 1e-18);
	cr_assert_float_eq(meta.i[4], -0.25, 1e-12);
	cr_assert_float_eq(meta.ug[0], 1.01, 1e-12);
	cr_assert_eq(meta.hw, 9173);
	cr_assert_eq(meta.mode, 2);
	cr_assert_eq(meta.ia, 56);
	cr_assert_eq(meta.keys_seen, 8);
}

Test(ppk2_proto, bad_metadata_is_refused_naming_the_line)
{
	struct ppk2_metadata meta;

	hb_log_set_sink(capture, NULL);
	cr_assert_eq(ppk2_metadata_parse("R0: 1000\n", 9, "p", &meta), HB_ERR_PROTOCOL);
	cr_assert(strstr(ppk2_message, "no 'END'"), "%s", ppk2_message);
	cr_assert_eq(ppk2_metadata_parse("R1: ten\nEND\n", 12, "p", &meta), HB_ERR_PROTOCOL);
	cr_assert(strstr(ppk2_message, "'R1: ten'"), "%s", ppk2_message);
	cr_assert_eq(ppk2_metadata_parse("R3: 0\nEND\n", 10, "p", &meta), HB_ERR_PROTOCOL);
	cr_assert(strstr(ppk2_message, "resistance"), "%s", ppk2_message);
	hb_log_set_sink(NULL, NULL);
}

Test(ppk2_proto, a_sample_word_splits_into_adc_range_counter_and_logic)
{
	const uint32_t word = 0x1234u | 3u << 14 | 1u << 17 | 45u << 18 | 0xa5u << 24;
	const struct ppk2_raw raw = ppk2_unpack(word);
	struct ppk2_metadata meta;

	cr_assert_eq(raw.adc, 0x1234);
	cr_assert_eq(raw.range, 3);
	cr_assert_eq(raw.counter, 45);
	cr_assert_eq(raw.logic, 0xa5);
	/* Hand-derived: defaults (GS = GI = UG = 1, O = S = I = 0) on range 1. */
	ppk2_metadata_defaults(&meta);
	{
		const double volts = 1000.0 * 4 * (1.8 / 163840) / 101.65;

		cr_assert_float_eq(
		    ppk2_current_a(&meta, 3.0, (struct ppk2_raw){.adc = 1000, .range = 1}),
		    volts * (volts + 1), 1e-15);
	}
}

Test(ppk2_proto, every_calibration_term_counts)
{
	struct ppk2_metadata meta;
	const struct ppk2_raw raw = {.adc = 2000, .range = 2};
	/* Nordic's formula by hand: v = (4 x adc - O) x 1.8 / 163840 / R, then
	 * UG x (v x (GS x v + GI) + S x vdd + I). */
	const double v = (4.0 * 2000 - 28) * 1.8 / 163840 / 10.02;
	const double expected = 0.998 * (v * (0.8 * v + 1.02) + 1e-6 * 3.0 - 2e-7);

	ppk2_metadata_defaults(&meta);
	meta.r[2] = 10.02;
	meta.o[2] = 28;
	meta.gs[2] = 0.8;
	meta.gi[2] = 1.02;
	meta.s[2] = 1e-6;
	meta.i[2] = -2e-7;
	meta.ug[2] = 0.998;
	cr_assert_float_eq(ppk2_current_a(&meta, 3.0, raw), expected, 1e-12);
	/* Ranges 5..7 do not exist: read as range 4. */
	cr_assert_eq(ppk2_current_a(&meta, 3.0, (struct ppk2_raw){.adc = 100, .range = 7}),
		     ppk2_current_a(&meta, 3.0, (struct ppk2_raw){.adc = 100, .range = 4}));
}

Test(ppk2_proto, the_regulator_bytes_are_millivolts_above_768)
{
	uint8_t bytes[2];

	ppk2_regulator_bytes(800, bytes);
	cr_assert(bytes[0] == 3 && bytes[1] == 32);
	ppk2_regulator_bytes(3000, bytes); /* 3000 - 800 + 32 = 2232 = 8 x 256 + 184 */
	cr_assert(bytes[0] == 11 && bytes[1] == 184);
	ppk2_regulator_bytes(9000, bytes); /* clamped to 5000: 4232 = 16 x 256 + 136 */
	cr_assert(bytes[0] == 19 && bytes[1] == 136);
}

static void emu_trace(struct trace_synth *synth, uint32_t drop_samples)
{
	trace_synth_defaults(synth);
	synth->lead_samples = 500;
	synth->window_samples = 2000;
	synth->gap_samples = 1500;
	synth->windows = EMU_WINDOWS;
	synth->glitch_window = EMU_GLITCH;
	synth->drop_window = EMU_DROP;
	synth->drop_samples = drop_samples;
}

struct emu_run {
	struct child child;
	char dir[64];
	char log[96];
	char port[256];
};

static void emu_start(struct emu_run *run, const char *drop_samples)
{
	const char *tools = getenv("HB_TOOLS");
	char program[512];
	const char *argv[] = {
	    program, "--windows",      "8",	     "--lead-samples",	"500", "--window-samples",
	    "2000",  "--gap-samples",  "1500",	     "--glitch-window", "5",   "--drop-window",
	    "3",     "--drop-samples", drop_samples, "--marker-bit",	"2",   NULL};
	struct spawn_options options = {0};
	const int64_t deadline = clock_now_ms() + 5000;

	if (!tools)
		cr_skip_test("HB_TOOLS is not set (make unit sets it to build/tools)");
	snprintf(program, sizeof program, "%s/ppk2_emu", tools);
	if (access(program, X_OK) != 0)
		cr_skip_test("%s is not built (make build/tools/ppk2_emu)", program);
	snprintf(run->dir, sizeof run->dir, "/tmp/hb-ppk2-XXXXXX");
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
	rmdir(run->dir);
}

/* The whole trace through the driver: open, configure, start, read until
 * the emulator has nothing more, stop, close. */
static struct meter_sample *capture_trace(const char *drop_samples, size_t capacity, size_t *count)
{
	struct emu_run run;
	struct meter *meter = NULL;
	struct meter_info info;
	const struct meter_config config = {
	    .supply_v = 3.0, .sample_rate_hz = 100000, .marker_bit = 2};
	struct meter_sample *samples = calloc(capacity, sizeof *samples);
	size_t have = 0;
	int status = HB_OK;

	cr_assert_not_null(samples);
	emu_start(&run, drop_samples);
	cr_assert_eq(meter_ppk2.open(run.port, &meter, &info), HB_OK);
	cr_assert_str_eq(info.model, "PPK2");
	cr_assert_str_eq(info.firmware, "hw 9173");
	cr_assert_eq(meter_ppk2.configure(meter, &config, &info), HB_OK);
	cr_assert_eq(info.sample_rate_hz, 100000);
	cr_assert_eq(meter_ppk2.start(meter), HB_OK);
	/* Time plays no part: the end is the first read that waits 500 ms in vain. */
	while (have < capacity) {
		size_t got;

		status = meter_ppk2.read(meter, samples + have, capacity - have, &got, 500);
		if (status != HB_OK)
			break;
		have += got;
	}
	cr_assert_eq(status, HB_ERR_TIMEOUT, "read ended with %d at sample %zu", status, have);
	cr_assert_eq(meter_ppk2.stop(meter), HB_OK);
	meter_ppk2.close(meter);
	emu_finish(&run);
	*count = have;
	return samples;
}

static const struct energy_options emu_options = {.expected_window_s = 0.02,
						  .tolerance = 0.02,
						  .inferences = 5,
						  .glitch_samples = 10,
						  .guard_samples = 100};

Test(meter_ppk2, recovers_the_energy_per_inference_and_flags_broken_windows)
{
	struct trace_synth synth;
	struct energy_result result;
	size_t count, dropped = 0;
	struct meter_sample *samples;
	struct energy_trace trace;

	/* 50 lost samples: fewer than the counter's 64, so the driver puts each back. */
	emu_trace(&synth, 50);
	samples = capture_trace("50", 2 * trace_synth_length(&synth), &count);
	cr_assert_eq(count, trace_synth_length(&synth));
	for (size_t i = 0; i < count; i++) {
		dropped += samples[i].dropped;
		cr_assert_eq(samples[i].dropped, trace_synth_point(&synth, i).dropped, "sample %zu",
			     i);
	}
	cr_assert_eq(dropped, 50);

	trace = (struct energy_trace){.samples = samples,
				      .count = count,
				      .rate_hz = 100000,
				      .supply_v = 3.0,
				      .marker_bit = 2};
	cr_assert_eq(energy_analyse(&trace, &emu_options, &result), HB_OK);
	for (size_t w = 0; w < result.window_count; w++)
		cr_log_info("window %zu at %zu, %zu samples: %s", w, result.windows[w].first,
			    result.windows[w].length,
			    energy_invalid_name(result.windows[w].invalid));
	cr_assert_eq(result.window_count, EMU_WINDOWS);
	cr_assert_eq(result.valid_count, EMU_WINDOWS - 2);
	for (uint32_t w = 0; w < EMU_WINDOWS; w++) {
		const struct energy_window *window = &result.windows[w];
		const double expected = trace_synth_window_energy_j(&synth, w);

		cr_assert_eq(window->first, synth.lead_samples + w * 3500, "window %u", w);
		if (w == EMU_GLITCH) {
			cr_assert_eq(window->invalid, ENERGY_GLITCH, "window %u: %s", w,
				     energy_invalid_name(window->invalid));
			continue;
		}
		if (w == EMU_DROP) {
			cr_assert_eq(window->invalid, ENERGY_DROPPED, "window %u: %s", w,
				     energy_invalid_name(window->invalid));
			cr_assert_eq(window->detail, 50);
			continue;
		}
		cr_assert_eq(window->invalid, ENERGY_VALID, "window %u: %s", w,
			     energy_invalid_name(window->invalid));
		cr_log_info("ppk2 window %u: %.4f uJ per inference measured, %.4f uJ in the trace "
			    "(%+.3f %%)",
			    w, window->energy_per_inference_j * 1e6, expected * 1e6,
			    100 * (window->energy_per_inference_j - expected) / expected);
		cr_assert(fabs(window->energy_per_inference_j - expected) < 0.01 * expected,
			  "window %u: %.6g J per inference, expected %.6g J", w,
			  window->energy_per_inference_j, expected);
	}
	cr_assert(result.has_energy && result.has_idle && result.has_above_idle);
	cr_log_info("ppk2: median %.4f uJ per inference, spread %.3f %%, idle %.4f mW (trace %.4f "
		    "mW), above idle %.4f uJ",
		    result.median_j * 1e6, 100 * result.spread, result.idle_power_w * 1e3,
		    trace_synth_idle_power_w(&synth) * 1e3, result.above_idle_median_j * 1e6);
	cr_assert(fabs(result.idle_power_w - trace_synth_idle_power_w(&synth)) <
		  0.01 * trace_synth_idle_power_w(&synth));
	energy_result_release(&result);
	free(samples);
}

Test(meter_ppk2, a_burst_past_the_counter_range_is_flagged_but_its_length_is_known_modulo_64)
{
	struct trace_synth synth;
	struct energy_result result;
	size_t count, dropped = 0;
	struct meter_sample *samples;
	struct energy_trace trace;

	/* 200 lost = 3 x 64 + 8: the counter shows 8 of them. */
	emu_trace(&synth, 200);
	samples = capture_trace("200", 2 * trace_synth_length(&synth), &count);
	for (size_t i = 0; i < count; i++)
		dropped += samples[i].dropped;
	cr_assert_eq(dropped, 8);
	cr_assert_eq(count, trace_synth_length(&synth) - 192);
	trace = (struct energy_trace){.samples = samples,
				      .count = count,
				      .rate_hz = 100000,
				      .supply_v = 3.0,
				      .marker_bit = 2};
	cr_assert_eq(energy_analyse(&trace, &emu_options, &result), HB_OK);
	cr_assert_eq(result.window_count, EMU_WINDOWS);
	cr_assert_eq(result.windows[EMU_DROP].invalid, ENERGY_DROPPED);
	cr_assert_eq(result.windows[EMU_GLITCH].invalid, ENERGY_GLITCH);
	cr_assert_eq(result.valid_count, EMU_WINDOWS - 2);
	energy_result_release(&result);
	free(samples);
}

Test(meter_ppk2, a_supply_outside_the_ppk2_range_is_refused_before_sending)
{
	struct emu_run run;
	struct meter *meter = NULL;
	struct meter_info info;
	const struct meter_config config = {.supply_v = 5.5, .marker_bit = 0};

	emu_start(&run, "0");
	cr_assert_eq(meter_ppk2.open(run.port, &meter, &info), HB_OK);
	hb_log_set_sink(capture, NULL);
	cr_assert_eq(meter_ppk2.configure(meter, &config, &info), HB_ERR_INPUT);
	hb_log_set_sink(NULL, NULL);
	cr_assert(strstr(ppk2_message, "5.500 V") && strstr(ppk2_message, run.port), "%s",
		  ppk2_message);
	meter_ppk2.close(meter);
	emu_finish(&run);
}

Test(meter, the_table_lists_every_driver_and_finds_them_by_name)
{
	const char *const *names = meter_names();
	size_t n = 0;

	for (; names[n]; n++)
		cr_assert_eq(meter_find(names[n])->name, names[n]);
	cr_assert_geq(n, 1);
	cr_assert_eq(meter_find("ppk2"), &meter_ppk2);
	cr_assert_null(meter_find("nope"));
	cr_assert_null(meter_find(NULL));
}

Test(meter, detection_matches_usb_ids_and_says_when_they_are_shared)
{
	const struct serial_port_info ports[] = {
	    {.path = "/dev/ttyS0"},
	    {.path = "/dev/ttyACM0",
	     .usb = true,
	     .usb_vendor = 0x1915,
	     .usb_product = 0xc00a,
	     .usb_serial = "C1A2"},
	    {.path = "/dev/ttyACM1", .usb = true, .usb_vendor = 0x0483, .usb_product = 0x5740},
	    {.path = "/dev/ttyACM2", .usb = true, .usb_vendor = 0x0483, .usb_product = 0x374b},
	    {.path = "/dev/ttyACM3", .usb = true, .usb_vendor = 0x1915, .usb_product = 0x520f},
	};
	struct meter_found found[4];
	const size_t count = meter_detect(ports, 5, found, 4);

	cr_assert_eq(count, 2);
	cr_assert_str_eq(found[0].port->path, "/dev/ttyACM0");
	cr_assert_eq(found[0].driver, &meter_ppk2);
	cr_assert_not(found[0].shared);
	cr_assert_str_eq(found[1].port->path, "/dev/ttyACM1");
	cr_assert_eq(found[1].driver, &meter_lpm01a);
	cr_assert(found[1].shared, "ST's virtual COM port is only a maybe");
	cr_assert_eq(meter_detect(ports, 5, found, 1), 2, "the count goes past the capacity");
	cr_assert_eq(meter_detect(ports, 0, found, 4), 0);
}
