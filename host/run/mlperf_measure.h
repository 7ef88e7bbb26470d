/*
 * Measuring through a protocol driver that has no framed session (the
 * MLPerf Tiny protocol, link/protocol.h), and the MLPerf Tiny runner's
 * arithmetic (mlcommons/tiny benchmark/runner: script.py's
 * _print_AP_results and main.py's summarize_result), so its figures stand
 * beside hilbench's own:
 *   performance  MLPERF_WINDOWS windows, each a load of the input and
 *                "infer N W"; throughput = N / (elapsed_us / 1e6) per
 *                window, its median over the windows; latency = elapsed_us
 *                / N, timed by the board's own microsecond clock (or, on an
 *                emulator, the firmware's clock from counted instructions)
 *   accuracy     per sample "db load", "infer 1 0", its m-results; top-1 is
 *                the argmax of the scores normalised to sum 1, AUC that of
 *                ad01's one anomaly score
 * Every board output is checked against the host's execution of the same
 * image, to the precision the board prints ("%0.3f").
 */
#ifndef HB_MLPERF_MEASURE_H
#define HB_MLPERF_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/protocol.h"
#include "model/model_load.h"
#include "run/benchmark.h"
#include "run/result.h"

/* The runner's performance script: "loop 5: download, infer N W". */
#define MLPERF_WINDOWS 5u

/* Half the last printed digit of "%0.3f", and a float's rounding besides. */
#define MLPERF_PRINTED_TOLERANCE 0.0005

/* Inferences per second of one window, as the runner computes it; false
 * (absent) when the board's clock did not move (the runner says 0). */
bool mlperf_window_throughput(uint32_t runs, uint64_t elapsed_us, double *throughput);

/* numpy's median: the middle value, or the mean of the two middle ones. */
double mlperf_median(const double *values, size_t count);

/* The class the runner takes from one result vector: the argmax of the
 * scores divided by their sum (np.argmax: the first of equal ones; a sum
 * of 0 makes every score NaN, and np.argmax then answers 0). */
uint32_t mlperf_runner_class(const double *scores, size_t count);

/* What the board's printed values should be for the host's output bytes
 * of `model` (dequantised; ad01's one score when `count` is 1 and the
 * output is wider: the mean squared difference of the dequantised output
 * and the dequantised input); false when `count` fits neither. */
bool mlperf_expected_values(const struct loaded_model *model, const uint8_t *input,
			    const uint8_t *host_output, size_t count, double *expected);

/* Board values against expected ones, each within MLPERF_PRINTED_TOLERANCE
 * (relative past 1): the number outside it, *max_abs_error. */
uint32_t mlperf_compare_values(const double *board, const double *expected, size_t count,
			       double *max_abs_error);

/* The performance measurement (benchmark_options.measure_link's default). */
int mlperf_measure_performance(const struct protocol_driver *driver, struct protocol_link *link,
			       const struct loaded_model *model,
			       const struct benchmark_options *options, struct run_result *result);

/* One accuracy sample: load, "infer 1 0", the printed values into
 * values[0..capacity), *count of them. */
int mlperf_measure_sample(const struct protocol_driver *driver, struct protocol_link *link,
			  const uint8_t *input, uint32_t input_bytes, double *values,
			  size_t capacity, size_t *count);

/* After the handshake over a protocol without a framed session: records
 * what the board said (result->protocol_figures), warns when its model
 * name is not the one asked for, and runs options->measure_link (NULL:
 * mlperf_measure_performance). */
int mlperf_measure(const struct protocol_driver *driver, struct protocol_link *link,
		   const struct protocol_identity *identity, const struct loaded_model *model,
		   const struct benchmark_options *options, struct run_result *result);

/* The record's "protocol" object for this board and handshake (the caller
 * adds the figures): name, what the board said, the timer's source and
 * what the protocol does not give. */
cJSON *mlperf_protocol_json(const struct board_profile *board,
			    const struct protocol_identity *identity, const char *mode);

#endif
