/*
 * One benchmark run of one compiled model on one board: build the firmware,
 * check firmware and model fit, flash/start both, talk to the board,
 * measure, check the board's output against the host's execution of the
 * same image, stop the board, record. The record on disk is updated after
 * each step that measured something.
 */
#ifndef HB_BENCHMARK_H
#define HB_BENCHMARK_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model_load.h"
#include "config/profile.h"
#include "run/result.h"
#include "link/session.h"
#include "link/protocol.h"
#include "run/recovery.h"
#include "run/energy_measure.h"

struct benchmark_options {
	uint32_t runs;	  /* timed invocations */
	uint32_t warmups; /* untimed invocations before the first batch */
	uint32_t input_seed;
	/* --timeout: one fixed deadline for every request; 0: deadlines
	 * derived from the work (link/deadline.h, the profile's "deadline"). */
	int timeout_ms;
	int attempts;	      /* sends per request (1 + retries) */
	const char *firmware; /* prebuilt ELF, or NULL to build */
	const char *results_dir;
	bool debug_hang; /* test hook: make the board hang after the first batch (runs <= 48: after
			    half), and again after every reset */
	struct debug_hooks *hooks; /* test hooks --debug-hang-at etc. (run/recovery.h), or NULL */
	bool synchronous;	   /* suites: one request at a time, no pipelining */
	double line_noise;   /* test aid: chance each console byte is damaged (transport_noise.h) */
	uint32_t noise_seed; /* the damage's seed */
	uint32_t line_rate;  /* emulated consoles: pace to this baud (transport_paced.h), 0 off */
	const uint8_t *input;  /* the input tensor's bytes, or NULL for a seeded random one */
	uint8_t *board_output; /* if not NULL, receives the board's output bytes */
	/* What to do once the board answers HELLO; NULL: time `runs` invocations
	 * of one input and check its output (benchmark_measure_one). A suite
	 * streams its samples here instead. */
	int (*measure)(struct session *session, const struct loaded_model *model,
		       const struct benchmark_options *options, struct run_result *result);
	void *measure_context;
	/* --protocol: the protocol driver's name (link/protocol.h); NULL: hilbench. */
	const char *protocol;
	/* --model-name: the MLPerf Tiny runner's name of the model (kws01, ...),
	 * built into hilbench firmware and checked against the board's; NULL none. */
	const char *model_name;
	/* What to do after the handshake over a protocol without a framed
	 * session (mlperf-tiny); NULL: mlperf_measure_performance. A suite
	 * streams its samples here instead. */
	int (*measure_link)(const struct protocol_driver *driver, struct protocol_link *link,
			    const struct loaded_model *model,
			    const struct benchmark_options *options, struct run_result *result);
	void *measure_link_context; /* for measure_link (measure_context is the recovery's) */
	/* --meter: measured energy over the timed batches (run/energy_measure.h), NULL off. */
	const struct energy_measure_options *meter;
};

/* The default measurement: one input, `runs` timed invocations in batches,
 * output checked against the host reference. */
int benchmark_measure_one(struct session *session, const struct loaded_model *model,
			  const struct benchmark_options *options, struct run_result *result);

/* Runs and records. Returns HB_OK or the first error; *result is filled
 * either way (the caller releases it). */
int benchmark_run(const struct board_profile *board, const struct loaded_model *model,
		  const struct benchmark_options *options, struct run_result *result);

/* Fills an input tensor with seeded pseudo-random values of its type
 * (int8: the whole range; float: uniform in [-1, 1)). */
void benchmark_make_input(uint32_t dtype, uint32_t seed, uint8_t *input, size_t bytes);

#endif
