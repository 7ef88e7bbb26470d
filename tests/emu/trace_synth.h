/*
 * A synthesized supply-current trace with a known energy per inference, for
 * the meter emulators (ppk2_emu, lpm01a_emu) and the tests that check the
 * drivers recover it. Deterministic for a seed: the same parameters give the
 * same samples in every emulator, so a test knows the answer in advance.
 *
 * The trace is idle current, then `windows` marked windows of active current
 * (marker high), each followed by idle; every sample carries bounded,
 * zero-mean noise. Two faults can be placed: a marker glitch (the marker
 * drops low for a few samples inside one window, as a bouncing wire does)
 * and a dropped-sample burst inside another window (the emulator skips
 * those samples on the wire, as a congested USB link does).
 */
#ifndef HB_TRACE_SYNTH_H
#define HB_TRACE_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

struct trace_synth {
	uint32_t rate_hz;
	double supply_v;
	double idle_a, active_a;
	double noise_a;		 /* peak noise, uniform in [-noise_a, +noise_a] */
	uint32_t lead_samples;	 /* idle before the first window */
	uint32_t window_samples; /* marker high */
	uint32_t gap_samples;	 /* idle after each window */
	uint32_t windows;
	uint32_t inferences;   /* per window */
	int32_t glitch_window; /* -1: none */
	int32_t drop_window;   /* -1: none */
	uint32_t drop_samples; /* length of the dropped burst */
	uint32_t seed;
};

struct trace_point {
	double current_a;
	bool marker;
	bool dropped; /* not sent on the wire */
};

/* Sensible defaults: 100 kS/s, 3.0 V, 1 mA idle, 8 mA active, 6 windows of
 * 20 ms, 5 inferences each, 0.2 mA noise, no faults. */
void trace_synth_defaults(struct trace_synth *synth);

uint64_t trace_synth_length(const struct trace_synth *synth);

/* Sample `index` (0 .. length-1). */
struct trace_point trace_synth_point(const struct trace_synth *synth, uint64_t index);

/* The energy per inference of window w as the trace holds it (noise
 * included, the dropped samples too), in joules: what a driver that lost
 * nothing would measure. */
double trace_synth_window_energy_j(const struct trace_synth *synth, uint32_t window);

/* Idle power (the noiseless idle current x supply), in watts. */
double trace_synth_idle_power_w(const struct trace_synth *synth);

#endif
