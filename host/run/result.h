/*
 * One benchmark run as recorded on disk: results/<UTC>_<board>_<model>.json
 * (schema in docs/results.md) and a Markdown summary beside it. The record
 * is rewritten atomically after every step that measured something, so an
 * interrupted or failed run keeps what it had.
 */
#ifndef HB_RESULT_H
#define HB_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "flash/elf_size.h"
#include "flash/firmware_build.h"
#include "messages.h"
#include "model/model_load.h"
#include "config/profile.h"
#include "link/session.h"
#include "link/transport_noise.h"
#include "run/recovery.h"
#include "run/layer_profile.h"
#include "run/energy_measure.h"

#define RESULT_SCHEMA "hilbench.result/1"

struct run_result {
	const char *status; /* "running", "ok", "error" */
	int error_code;
	char error_message[1024];
	char started_utc[32];
	char finished_utc[32];
	double wall_seconds;

	const struct board_profile *board;
	struct firmware_image firmware;
	bool have_sizes;
	struct elf_sizes sizes;
	bool have_hello;
	struct msg_hello_reply hello;

	const struct loaded_model *model;
	uint32_t input_seed;
	uint32_t warmups;
	uint64_t *ticks; /* per timed run, as the board's counter reported them */
	size_t run_count;
	size_t run_capacity;
	bool have_stack;
	uint32_t stack_high_water;
	uint32_t arena_used; /* painted on the board */
	/* The runs' stack below their call point (repainted before them,
	 * protocol 4): the model's own stack, without the harness's frames. */
	bool have_inference_stack;
	uint32_t inference_stack;
	/* One extra run timed op by op (protocol 5); absent unless present. */
	struct layer_profile layers;

	bool output_checked;
	uint32_t outputs_compared;	/* samples whose output was compared */
	uint32_t output_mismatches;	/* samples whose output differed */
	int64_t first_mismatch_element; /* -1 when all equal */
	double max_abs_error;
	double tolerance;

	/* The protocol driver that measured this record (link/protocol.h), and
	 * what only that protocol measured (the MLPerf Tiny runner's windows and
	 * figures: run/mlperf_measure.h), owned; NULL: hilbench, nothing more. */
	const char *protocol;
	cJSON *protocol_figures;

	struct session_counters counters;
	bool have_deadlines;
	struct session_deadline_log deadlines; /* what the requests were given (link/deadline.h) */
	struct recovery_log recoveries;	       /* resets made to carry on (run/recovery.h) */
	double line_noise;		       /* test aid: damage probability per byte, 0 off */
	uint32_t noise_seed;
	struct transport_noise_counts noise; /* bytes it damaged */
	uint32_t paced_baud;		     /* emulated console paced to this baud, 0 not */
	int target_exit_status;		     /* -1 when unknown */
	struct energy_measurement energy;    /* --meter: measured energy (attempted false: none) */

	char json_path[768];
	char markdown_path[768];
};

/* results_dir NULL: the record stays in memory (a suite writes its own). */
void result_init(struct run_result *result, const struct board_profile *board,
		 const struct loaded_model *model, const char *results_dir);
void result_release(struct run_result *result);

int result_add_runs(struct run_result *result, const uint64_t *ticks, size_t count);

/* Records an error (status "error") with the last reported message. */
void result_fail(struct run_result *result, int code);

/* Ends the record: status "ok" or "error" (from `code`), finish time. */
void result_finish(struct run_result *result, int code, double wall_seconds);

/* The record as JSON (caller deletes). */
cJSON *result_to_json(const struct run_result *result);

/* Writes the JSON (atomically) and the Markdown summary. */
int result_write(const struct run_result *result);

/* The firmware's copy of the input above the arena, and where that figure came from. */
uint32_t result_input_staging(const struct run_result *result);
const char *result_input_staging_source(const struct run_result *result);
/* peak RAM = static + planned arena + input staging + stack high-water
 * (0 if unknown: callers show it only when sizes and stack were measured). */
uint32_t result_peak_ram(const struct run_result *result);
/* What a deployment of the model would need: static without the harness's
 * buffers + planned arena + the inference's stack (0 if unknown). Where
 * the board did not report the inference's own stack (a suite run), the
 * whole firmware's high-water stands in, an upper bound. */
uint32_t result_deployment_ram(const struct run_result *result);
/* The stack figure result_deployment_ram() counts, and what it is. */
uint32_t result_deployment_stack(const struct run_result *result);
const char *result_deployment_stack_name(const struct run_result *result);
/* flash = firmware (.text + .rodata + .data) + model image. */
uint32_t result_flash(const struct run_result *result);

/* Counter units per tick, from the hello (1.0 before it); unit and source: report/count_label.h. */
double result_counter_scale(const struct run_result *result);

#endif
