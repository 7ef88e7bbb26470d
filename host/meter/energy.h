/*
 * Energy per inference from a meter's trace, the same arithmetic for every
 * meter. A trace is samples at a fixed rate with a supply voltage and the
 * logic bit wired to the firmware's window pin; energy_analyse() finds the
 * marked windows, judges each one and gives the median over the valid ones.
 * Every figure here is measured (by the meter); a figure that cannot be
 * given is absent (its `has_` flag false) with a reason, never 0.
 * The raw trace is kept beside a result as a small binary file
 * (docs/energy.md, "Meters and traces").
 */
#ifndef HB_ENERGY_H
#define HB_ENERGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/meter.h"

/* Fewer valid windows than this give no energy figure. */
#define ENERGY_MIN_WINDOWS 5

struct energy_trace {
	const struct meter_sample *samples;
	size_t count;
	uint32_t rate_hz;
	double supply_v;
	uint8_t marker_bit;
};

/* One batch of timed runs as the firmware counted it: the window it should
 * leave in the trace. */
struct energy_batch {
	double window_s;     /* sum of its runs' counts x counter scale / clock */
	uint32_t inferences; /* runs in the batch, at least 1 */
};

struct energy_options {
	double expected_window_s; /* from the firmware's own counts; <= 0: not checked */
	double tolerance;	  /* allowed relative length error, e.g. 0.02 */
	/* Allowed length error in samples on top of the tolerance: an edge
	 * lands on a sample, so a short window is off by up to one at each end. */
	uint32_t tolerance_samples;
	uint32_t inferences; /* per window */
	/* Optional: the firmware's batches, one per window in trace order. When
	 * given, window k is checked against batches[k] and divided by its
	 * inferences (expected_window_s and inferences are unused); a window
	 * past the last batch is ENERGY_UNEXPECTED, and a trace whose window
	 * count differs from batch_count gives no figure (a window lost or
	 * added would pair every later window with the wrong batch). */
	const struct energy_batch *batches;
	size_t batch_count;
	/* A marker low run shorter than this (samples) inside a window is a
	 * glitch: the window is kept whole and marked invalid. */
	uint32_t glitch_samples;
	/* Idle power is taken outside every window by at least this many
	 * samples, away from the edges' settling. */
	uint32_t guard_samples;
};

enum energy_invalid {
	ENERGY_VALID = 0,
	ENERGY_DROPPED,	     /* the meter lost samples inside the window */
	ENERGY_GLITCH,	     /* the marker dropped briefly inside the window */
	ENERGY_LENGTH,	     /* its length is off the expected beyond the tolerance */
	ENERGY_UNTERMINATED, /* the trace ends before the window closes */
	ENERGY_UNEXPECTED    /* more windows than the firmware ran batches */
};

struct energy_window {
	size_t first;  /* sample index of the marker's rising edge */
	size_t length; /* samples, glitches included */
	double start_s, length_s;
	double expected_s;	       /* the length it was checked against; 0: none */
	uint32_t inferences;	       /* it was divided by */
	double energy_per_inference_j; /* integral of V x I / inferences */
	enum energy_invalid invalid;
	size_t detail; /* the dropped count, or the glitch's first sample */
};

struct energy_result {
	struct energy_window *windows; /* energy_result_release frees */
	size_t window_count, valid_count;
	bool has_energy; /* false: see reason */
	double median_j, min_j, max_j;
	double spread; /* (max - min) / median over the valid windows */
	bool has_idle;
	double idle_power_w;
	bool has_above_idle; /* energy per inference minus idle power x window time / inferences */
	double above_idle_median_j;
	char reason[160]; /* why has_energy is false */
};

/* Analyses a trace. Fails only on bad arguments or memory; a trace that
 * gives no figure is HB_OK with has_energy false and the reason. */
int energy_analyse(const struct energy_trace *trace, const struct energy_options *options,
		   struct energy_result *result);

void energy_result_release(struct energy_result *result);

/* A short name for a window's verdict ("valid", "dropped samples", ...). */
const char *energy_invalid_name(enum energy_invalid invalid);

/* The trace file: header then samples; errors name the path. */
int energy_trace_write(const char *path, const struct energy_trace *trace);

/* Reads a trace file; *samples is malloc'd and owned by the caller. */
int energy_trace_read(const char *path, struct energy_trace *trace, struct meter_sample **samples);

#endif
