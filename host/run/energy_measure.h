/*
 * Measured energy in a run (`hilbench run --meter`): a meter's trace taken
 * while the board runs its timed batches, then analysed by meter/energy.c
 * with each window checked against the batch the firmware counted.
 *
 *   energy_measure_open     open and configure the meter (before the batches)
 *   energy_measure_start    start acquisition; a reader thread drains the
 *                           meter's stream while the board runs, so it never
 *                           backs up
 *   energy_measure_batch    the firmware's counts of one batch (its window)
 *   energy_measure_finish   stop, analyse, write the trace file, fill the
 *                           record's figure (or the reason there is none)
 *   energy_measure_close    release the meter
 * A suite, whose samples run one at a time, calls energy_measure_batches
 * after them instead (energy_batches.c).
 *
 * A meter that fails during the run, or a trace that gives no valid figure,
 * leaves the figure absent with its reason; the run goes on and records
 * everything else. Every figure is "measured" by the meter (a meter emulator's
 * trace is synthetic: the record names the meter as it reports itself).
 */
#ifndef HB_ENERGY_MEASURE_H
#define HB_ENERGY_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config/profile.h"
#include "link/session.h"
#include "meter/energy.h"
#include "meter/meter.h"

/* Window length check: relative tolerance plus two samples (one per edge). */
#define ENERGY_MEASURE_TOLERANCE	 0.02
#define ENERGY_MEASURE_TOLERANCE_SAMPLES 2
/* Host-side pause between batches when a meter is on, so windows stay apart
 * and idle power has samples between them. */
#define ENERGY_MEASURE_GAP_MS 20

struct energy_measure_options {
	const char *driver; /* a meter driver name (meter.h), e.g. "ppk2" */
	const char *port;   /* the meter's serial device */
	uint8_t marker_bit; /* logic input wired to the window pin */
	uint32_t rate_hz;   /* 0: the driver's own rate */
	double supply_v;    /* > 0: --meter-supply, which wins over the profile's */
	double tolerance;   /* 0: ENERGY_MEASURE_TOLERANCE */
};

/* What the record keeps about one measurement. */
struct energy_measurement {
	bool attempted; /* a meter was asked for */
	char driver[16];
	char port[256];
	struct meter_info info; /* model, serial, firmware, rate, as the meter says */
	uint8_t marker_bit;
	double supply_v;
	const char *supply_source; /* "--meter-supply" or "profile energy.model.supply_v" */
	double tolerance;
	uint32_t tolerance_samples;
	struct energy_batch *batches; /* one per INVOKE batch, in order */
	size_t batch_count;
	bool analysed;
	struct energy_result analysis;
	size_t samples; /* in the trace */
	char trace_path[800];
	char reason[320]; /* why there is no figure; "" when there is one */
};

struct energy_measure;

/* Opens and configures the meter into `record` (zeroed, or one measured
 * before: it is released and starts afresh). supply_v: options->supply_v if > 0, else
 * profile_supply_v if > 0, else an error saying to give --meter-supply. */
int energy_measure_open(const struct energy_measure_options *options, double profile_supply_v,
			struct energy_measurement *record, struct energy_measure **out);

/* Opens with the board's profile supply (energy.model.supply_v) and starts. */
int energy_measure_begin(const struct energy_measure_options *options,
			 const struct board_profile *board, struct energy_measurement *record,
			 struct energy_measure **out);

/* Splits `runs` into at least ENERGY_MIN_WINDOWS batches of at most
 * max_batch: the size of the batch after `done` runs. */
uint32_t energy_measure_batch_size(uint32_t runs, uint32_t done, uint32_t max_batch);

int energy_measure_start(struct energy_measure *measure);

/* One batch's counts: window = sum(ticks) x counter_scale / clock_hz. */
int energy_measure_batch(struct energy_measure *measure, const uint64_t *ticks, uint32_t runs,
			 double counter_scale, uint32_t clock_hz);

/* Stops and analyses; trace_path NULL: the trace is not kept. Problems of
 * the meter or the trace end in record->reason, not in the status: only a
 * bad call or no memory fails. */
int energy_measure_finish(struct energy_measure *measure, const char *trace_path);

/* Releases the meter; a measurement not finished keeps a reason saying so. */
void energy_measure_close(struct energy_measure *measure);

/* A suite's energy part: `runs` timed runs of the input the board holds, in
 * batches with the meter on (begin, batches, finish, close), into `record`.
 * Fails when the meter cannot be opened or the board stops answering. */
int energy_measure_batches(const struct energy_measure_options *options,
			   const struct board_profile *board, struct session *session,
			   uint32_t runs, double counter_scale, const char *trace_path,
			   struct energy_measurement *record);

/* The trace's file name beside a record: "<record without .json>.hbtrace". */
void energy_measure_trace_path(const char *record_path, const char *suffix, char *out,
			       size_t capacity);

/* measurements.energy_per_inference: value in uJ or null with the reason. */
cJSON *energy_measurement_json(const struct energy_measurement *record);

void energy_measurement_release(struct energy_measurement *record);

#endif
