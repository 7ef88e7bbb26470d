/*
 * One benchmark run of the built-in workload on one board: build the
 * firmware, check it fits, flash/start it, talk to it, measure, check the
 * output against the host reference, stop the board, record. The record on
 * disk is updated after each step that measured something.
 */
#ifndef HB_BENCHMARK_H
#define HB_BENCHMARK_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "result.h"

struct benchmark_options {
	uint32_t runs;          /* timed invocations */
	uint32_t warmups;       /* untimed invocations before the first batch */
	uint32_t input_seed;
	int timeout_ms;         /* per request to the board */
	int attempts;           /* sends per request (1 + retries) */
	const char *firmware;   /* prebuilt ELF, or NULL to build */
	const char *results_dir;
	bool debug_hang;        /* test hook: make the board hang after the first batch */
};

/* Runs and records. Returns HB_OK or the first error; *result is filled
 * either way (the caller releases it). */
int benchmark_run(const struct board_profile *board, const struct benchmark_options *options,
		  struct run_result *result);

#endif
