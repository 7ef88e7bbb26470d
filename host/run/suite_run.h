/*
 * Running a suite: every model variant on the same samples, streamed to the
 * board one by one, each output checked against the host's execution of the
 * same image, per-sample records appended to a journal as they arrive, then
 * the suite's metric per variant and every variant compared with the first
 * (float) one on the same samples. An interrupted run resumes from its
 * journal without re-running or losing samples.
 */
#ifndef HB_SUITE_RUN_H
#define HB_SUITE_RUN_H

#include <stdint.h>

#include <cJSON.h>

#include "run/benchmark.h"
#include "config/profile.h"
#include "config/suite.h"

struct suite_run_options {
	struct benchmark_options benchmark; /* timeout, firmware, results_dir, ... */
	uint32_t limit;	    /* samples to run: 0 = the suite's default, UINT32_MAX = all */
	uint32_t seed;	    /* 0 = the suite's */
	const char *resume; /* a journal (.jsonl) to continue, or NULL */
};

/* What a suite run leaves its caller to show (the record is on disk already). */
struct suite_outcome {
	cJSON *record; /* NULL when the run stopped before it had one */
	char record_path[800];
};

/* The outcome is filled whatever the status; release it in every case. */
int suite_run(const struct board_profile *board, const struct suite *suite,
	      const struct suite_run_options *options, struct suite_outcome *outcome);
void suite_outcome_release(struct suite_outcome *outcome);

#endif
