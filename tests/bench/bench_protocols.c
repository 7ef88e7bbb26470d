/*
 * `make bench`: hilbench's framed binary protocol against the MLPerf Tiny /
 * EEMBC runner's ASCII protocol (input as "db HEX%" commands of 31 bytes,
 * one round trip each), on the same emulated board, model and inputs.
 *
 *   bench_protocols [BOARD [SAMPLES]]     (default: qemu-m4 50)
 *
 * Builds the firmware twice (PROTOCOL=hilbench and PROTOCOL=eembc), runs
 * SAMPLES samples through each (write input, run once, read output) and
 * prints host time per sample, payload bytes per second (input + output
 * bytes of the model, not protocol overhead) and their ratio. The outputs
 * of both protocols must agree byte for byte, or the comparison is void.
 * It is a benchmark: it prints what it measured and asserts nothing about
 * time. Only QEMU boards (the ASCII firmware has no exit command, so the
 * board is stopped by ending QEMU).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchmark.h"
#include "eembc_session.h"
#include "error.h"
#include "fileio.h"
#include "firmware_build.h"
#include "flasher.h"
#include "model_image.h"
#include "model_load.h"
#include "paths.h"
#include "profile.h"
#include "session.h"
#include "spawn.h"
#include "transport.h"

#define REQUEST_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS	   3000
#define BUILD_TIMEOUT_MS   (5 * 60 * 1000)

struct protocol_measure {
	const char *name;
	double seconds;	       /* the whole sample loop */
	double upload_seconds; /* input only */
	double infer_seconds;  /* the invoke command, round trip */
	double output_seconds; /* output only */
	uint64_t wire_bytes;   /* both directions, everything on the UART */
	uint64_t round_trips;
	double device_microseconds; /* per inference, from the board's counter */
	double *sample_seconds;	    /* per sample, for the median (robust to load spikes) */
};

struct bench {
	struct board_profile board;
	struct loaded_model model;
	char hilbench_elf[512];
	char eembc_elf[600];
	uint32_t samples;
	uint8_t *inputs;	   /* samples x input bytes */
	uint8_t *outputs[2];	   /* samples x output bytes, per protocol */
	double *sample_seconds[2]; /* per protocol */
	int model_loaded;
};

static double seconds_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + now.tv_nsec / 1e9;
}

static int build_eembc_firmware(struct bench *bench)
{
	const struct board_profile *board = &bench->board;
	char folder[512], out_arg[600], log_path[600], board_arg[96], port_arg[64], cpu_arg[64],
	    fpu_arg[64];
	const char *argv[] = {"make",
			      "--no-print-directory",
			      "-s",
			      "-f",
			      "target-fw/firmware.mk",
			      board_arg,
			      port_arg,
			      cpu_arg,
			      fpu_arg,
			      out_arg,
			      "PROTOCOL=eembc",
			      NULL};
	struct spawn_options options = {.log_path = log_path, .workdir = paths_root()};
	struct child child;
	char name[96];
	int status;

	snprintf(name, sizeof name, "%s-eembc", board->id);
	status = paths_join(folder, sizeof folder, "build/fw", name);
	if (status == HB_OK)
		status = file_make_dirs(folder);
	if (status != HB_OK)
		return status;
	snprintf(board_arg, sizeof board_arg, "BOARD=%s", board->id);
	snprintf(port_arg, sizeof port_arg, "PORT=%s", board->port);
	snprintf(cpu_arg, sizeof cpu_arg, "CPU=%s", board->core);
	snprintf(fpu_arg, sizeof fpu_arg, "FPU=%s", board->fpu);
	snprintf(out_arg, sizeof out_arg, "OUT=%s", folder);
	snprintf(log_path, sizeof log_path, "%s/build.log", folder);
	snprintf(bench->eembc_elf, sizeof bench->eembc_elf, "%s/firmware.elf", folder);

	hb_info("building firmware for '%s' with PROTOCOL=eembc", board->id);
	status = spawn_start(argv, &options, &child);
	if (status != HB_OK)
		return status;
	status = spawn_wait(&child, BUILD_TIMEOUT_MS);
	if (status != HB_OK) {
		spawn_stop(&child);
		return hb_error(status, "PROTOCOL=eembc firmware build did not finish within %d s",
				BUILD_TIMEOUT_MS / 1000);
	}
	if (child.exit_status != 0)
		return hb_error(
		    HB_ERR_TOOL,
		    "PROTOCOL=eembc firmware build for '%s' failed (make exit %d, log: %s)",
		    board->id, child.exit_status, log_path);
	return HB_OK;
}

/* One QEMU for one protocol: started, connected, measured, stopped. */
struct board_run {
	struct flash_session flash;
	struct transport *console;
	char run_dir[64];
	int started;
};

static int board_start(struct bench *bench, const char *elf, struct board_run *run)
{
	const struct flasher_driver *flasher = flasher_find(bench->board.flasher.driver);
	const struct transport_driver *driver;
	struct transport_options options = {.connect_timeout_ms = CONNECT_TIMEOUT_MS};
	struct flash_request request;
	int status;

	memset(run, 0, sizeof *run);
	snprintf(run->run_dir, sizeof run->run_dir, "/tmp/hilbench-bench-XXXXXX");
	if (!mkdtemp(run->run_dir))
		return hb_error(HB_ERR_IO, "cannot create a run folder in /tmp");
	request = (struct flash_request){.board = &bench->board,
					 .firmware_elf = elf,
					 .model_image = bench->model.image_path,
					 .model_address = bench->board.model.origin,
					 .run_dir = run->run_dir,
					 .timeout_ms = 60000};
	status = flasher->start(&request, &run->flash);
	if (status != HB_OK)
		return status;
	run->started = 1;
	driver = transport_find(run->flash.console_transport);
	if (!driver)
		return hb_error(HB_ERR_INTERNAL, "unknown console transport '%s'",
				run->flash.console_transport);
	return driver->open(run->flash.console_address, &options, &run->console);
}

/* timeout_ms 0: the board cannot exit by itself, end QEMU now. */
static int board_stop(struct board_run *run, int timeout_ms, int keep_logs)
{
	const struct flasher_driver *flasher = flasher_find("qemu");
	char path[600];
	int status = HB_OK;

	if (run->console)
		run->console->driver->close(run->console);
	run->console = NULL;
	if (run->started) {
		status = flasher->stop(&run->flash, timeout_ms);
		if (timeout_ms == 0 && status == HB_ERR_TIMEOUT)
			status = HB_OK; /* stopped as intended */
	}
	run->started = 0;
	if (status == HB_OK && !keep_logs) {
		snprintf(path, sizeof path, "%s/qemu.log", run->run_dir);
		unlink(path);
		rmdir(run->run_dir);
	}
	return status;
}

static double ticks_to_microseconds(uint64_t ticks, const struct msg_hello_reply *hello)
{
	return (double)ticks * hello->counter_scale_q16 / 65536.0 / hello->clock_hz * 1e6;
}

static int measure_hilbench(struct bench *bench, struct protocol_measure *measure)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	struct board_run run;
	struct session session;
	struct msg_hello_reply hello;
	struct msg_invoke_reply invoke;
	uint64_t ticks = 0;
	uint32_t requests_before;
	double begin, step;
	int status = board_start(bench, bench->hilbench_elf, &run);

	measure->name = "hilbench binary";
	if (status == HB_OK) {
		session_init(&session, run.console, bench->board.id, REQUEST_TIMEOUT_MS, 3);
		status = session_hello(&session, &hello);
	}
	if (status == HB_OK && (hello.model_status != MODEL_CHECK_OK ||
				hello.model_input_length != compiled->input_bytes ||
				hello.model_output_length != compiled->output_bytes))
		status = hb_error(HB_ERR_PROTOCOL,
				  "board '%s' did not load the model (status %u, input %u bytes, "
				  "output %u bytes)",
				  bench->board.id, hello.model_status, hello.model_input_length,
				  hello.model_output_length);
	if (status != HB_OK) {
		board_stop(&run, 0, 1);
		return status;
	}
	session.counters.bytes_sent = session.counters.bytes_received = 0;
	requests_before = session.counters.requests;
	begin = seconds_now();
	for (uint32_t sample = 0; sample < bench->samples && status == HB_OK; sample++) {
		double sample_begin = seconds_now();

		step = sample_begin;
		status = session_write_input(&session,
					     bench->inputs + (size_t)sample * compiled->input_bytes,
					     compiled->input_bytes, 0);
		measure->upload_seconds += seconds_now() - step;
		step = seconds_now();
		if (status == HB_OK)
			status = session_invoke(&session, 1, 0, &invoke);
		measure->infer_seconds += seconds_now() - step;
		if (status == HB_OK)
			ticks += invoke.ticks[0];
		step = seconds_now();
		if (status == HB_OK)
			status = session_read_output(
			    &session, bench->outputs[0] + (size_t)sample * compiled->output_bytes,
			    compiled->output_bytes, 0);
		measure->output_seconds += seconds_now() - step;
		measure->sample_seconds[sample] = seconds_now() - sample_begin;
	}
	measure->seconds = seconds_now() - begin;
	measure->wire_bytes = session.counters.bytes_sent + session.counters.bytes_received;
	measure->round_trips = session.counters.requests - requests_before;
	measure->device_microseconds = ticks_to_microseconds(ticks, &hello) / bench->samples;
	if (status == HB_OK)
		status = session_exit(&session, 0);
	if (status != HB_OK) {
		board_stop(&run, 0, 1);
		return status;
	}
	status = board_stop(&run, STOP_TIMEOUT_MS, 0);
	if (status > 0)
		status = hb_error(HB_ERR_TOOL, "board '%s' stopped with status %d", bench->board.id,
				  status);
	return status;
}

/* The ASCII firmware prints its output bytes as decimal integers. */
static int values_to_bytes(const char *board_id, const double *values, size_t count, uint8_t *bytes,
			   size_t expected)
{
	if (count != expected)
		return hb_error(HB_ERR_PROTOCOL, "board '%s': %zu result values, expected %zu",
				board_id, count, expected);
	for (size_t i = 0; i < count; i++) {
		if (values[i] < 0 || values[i] > 255 || values[i] != (double)(uint8_t)values[i])
			return hb_error(
			    HB_ERR_PROTOCOL,
			    "board '%s': result value %zu is %g, expected a byte (0..255)",
			    board_id, i, values[i]);
		bytes[i] = (uint8_t)values[i];
	}
	return HB_OK;
}

static int measure_eembc(struct bench *bench, struct protocol_measure *measure)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	static struct eembc_session session;
	struct eembc_infer_result infer;
	struct board_run run;
	double *values = calloc(compiled->output_bytes + 1u, sizeof *values);
	uint64_t device_microseconds = 0;
	char name[64];
	size_t count;
	double begin, step;
	int status;

	measure->name = "eembc ascii";
	if (!values)
		return hb_error(HB_ERR_NOMEM, "out of memory");
	status = board_start(bench, bench->eembc_elf, &run);
	if (status == HB_OK) {
		eembc_session_init(&session, run.console, bench->board.id, REQUEST_TIMEOUT_MS);
		status = eembc_session_name(&session, name, sizeof name);
	}
	if (status == HB_OK)
		hb_info("ascii board says: m-name-%s", name);
	session.counters = (struct eembc_counters){0};
	begin = seconds_now();
	for (uint32_t sample = 0; sample < bench->samples && status == HB_OK; sample++) {
		double sample_begin = seconds_now();

		step = sample_begin;
		status = eembc_session_load(&session,
					    bench->inputs + (size_t)sample * compiled->input_bytes,
					    compiled->input_bytes, 0);
		measure->upload_seconds += seconds_now() - step;
		step = seconds_now();
		if (status == HB_OK)
			status = eembc_session_infer(&session, 1, 0, &infer);
		measure->infer_seconds += seconds_now() - step;
		if (status == HB_OK)
			device_microseconds += infer.elapsed_us;
		step = seconds_now();
		if (status == HB_OK)
			status = eembc_session_results(&session, values,
						       compiled->output_bytes + 1u, &count);
		measure->output_seconds += seconds_now() - step;
		if (status == HB_OK)
			status = values_to_bytes(bench->board.id, values, count,
						 bench->outputs[1] +
						     (size_t)sample * compiled->output_bytes,
						 compiled->output_bytes);
		measure->sample_seconds[sample] = seconds_now() - sample_begin;
	}
	measure->seconds = seconds_now() - begin;
	measure->wire_bytes = session.counters.bytes_sent + session.counters.bytes_received;
	measure->round_trips = session.counters.commands;
	measure->device_microseconds = (double)device_microseconds / bench->samples;
	free(values);
	/* No exit command in this protocol: end QEMU. */
	if (status != HB_OK) {
		board_stop(&run, 0, 1);
		return status;
	}
	return board_stop(&run, 0, 0);
}

static int compare_doubles(const void *left, const void *right)
{
	double a = *(const double *)left, b = *(const double *)right;

	return (a > b) - (a < b);
}

static double median_seconds(double *values, uint32_t count)
{
	qsort(values, count, sizeof *values, compare_doubles);
	return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

static void print_results(const struct bench *bench, struct protocol_measure *measures)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	const double payload = (double)compiled->input_bytes + compiled->output_bytes;
	double rate[2], median[2];

	printf("bench: board %s, model %s (input %" PRIu32 " B, output %" PRIu32 " B), %" PRIu32
	       " samples per protocol\n",
	       bench->board.id, bench->model.name, compiled->input_bytes, compiled->output_bytes,
	       bench->samples);
	printf("%-16s %10s %10s %12s %10s %10s %10s %11s %10s %14s\n", "protocol", "ms/sample",
	       "median ms", "payload B/s", "upload ms", "infer ms", "output ms", "wire B/smp",
	       "trips/smp", "device us/inf");
	for (int i = 0; i < 2; i++) {
		struct protocol_measure *m = &measures[i];
		const double samples = bench->samples;

		rate[i] = payload * samples / m->seconds;
		median[i] = median_seconds(m->sample_seconds, bench->samples);
		printf("%-16s %10.2f %10.2f %12.0f %10.2f %10.2f %10.2f %11.0f %10.1f %14.1f\n",
		       m->name, m->seconds * 1e3 / samples, median[i] * 1e3, rate[i],
		       m->upload_seconds * 1e3 / samples, m->infer_seconds * 1e3 / samples,
		       m->output_seconds * 1e3 / samples, m->wire_bytes / samples,
		       m->round_trips / samples, m->device_microseconds);
	}
	printf("ratio binary/ascii: payload B/s %.2f (from medians %.2f)\n", rate[0] / rate[1],
	       median[1] / median[0]);
	printf("outputs of both protocols agree on all %" PRIu32 " samples\n", bench->samples);
	printf("note: QEMU's UART is not paced by a baud rate; on a 115200-baud 8N1 line the wire "
	       "bytes alone would take\n");
	for (int i = 0; i < 2; i++) {
		const double line_seconds =
		    measures[i].wire_bytes * 10.0 / 115200.0 / bench->samples;

		rate[i] = payload / line_seconds;
		printf("  %-16s %7.1f ms/sample, %6.0f payload B/s (modelled, round trips not "
		       "counted)\n",
		       measures[i].name, line_seconds * 1e3, rate[i]);
	}
	printf("  ratio binary/ascii: payload B/s %.2f (modelled)\n", rate[0] / rate[1]);
}

static int run_bench(struct bench *bench, const char *board_id)
{
	struct protocol_measure measures[2];
	struct firmware_image image;
	char boards_dir[1024];
	size_t mismatched = 0;
	int status;

	memset(measures, 0, sizeof measures);
	status = paths_join(boards_dir, sizeof boards_dir, "boards", NULL);
	if (status == HB_OK)
		status = profile_find(boards_dir, board_id, &bench->board);
	if (status != HB_OK)
		return status;
	if (strcmp(bench->board.flasher.driver, "qemu") != 0)
		return hb_error(
		    HB_ERR_USAGE,
		    "board '%s': the protocol bench runs on QEMU boards only (flasher '%s')",
		    board_id, bench->board.flasher.driver);
	status = model_load(NULL, &bench->model);
	if (status != HB_OK)
		return status;
	bench->model_loaded = 1;
	status = firmware_build(&bench->board, &image);
	if (status == HB_OK) {
		snprintf(bench->hilbench_elf, sizeof bench->hilbench_elf, "%s", image.elf_path);
		status = build_eembc_firmware(bench);
	}
	if (status != HB_OK)
		return status;

	const struct compiled_model *compiled = &bench->model.compiled;
	bench->inputs = malloc((size_t)bench->samples * compiled->input_bytes);
	bench->outputs[0] = calloc(bench->samples, compiled->output_bytes);
	bench->outputs[1] = calloc(bench->samples, compiled->output_bytes);
	bench->sample_seconds[0] = calloc(bench->samples, sizeof(double));
	bench->sample_seconds[1] = calloc(bench->samples, sizeof(double));
	measures[0].sample_seconds = bench->sample_seconds[0];
	measures[1].sample_seconds = bench->sample_seconds[1];
	if (!bench->inputs || !bench->outputs[0] || !bench->outputs[1] ||
	    !bench->sample_seconds[0] || !bench->sample_seconds[1])
		return hb_error(HB_ERR_NOMEM, "out of memory for %" PRIu32 " samples",
				bench->samples);
	for (uint32_t sample = 0; sample < bench->samples; sample++)
		benchmark_make_input(compiled->input_dtype, sample + 1,
				     bench->inputs + (size_t)sample * compiled->input_bytes,
				     compiled->input_bytes);

	hb_info("measuring the binary protocol: %" PRIu32 " samples", bench->samples);
	status = measure_hilbench(bench, &measures[0]);
	if (status == HB_OK) {
		hb_info("measuring the ASCII protocol: %" PRIu32 " samples", bench->samples);
		status = measure_eembc(bench, &measures[1]);
	}
	if (status != HB_OK)
		return status;
	for (uint32_t sample = 0; sample < bench->samples; sample++)
		mismatched += memcmp(bench->outputs[0] + (size_t)sample * compiled->output_bytes,
				     bench->outputs[1] + (size_t)sample * compiled->output_bytes,
				     compiled->output_bytes) != 0;
	if (mismatched)
		return hb_error(HB_ERR_MISMATCH,
				"outputs differ between the protocols on %zu of %" PRIu32
				" samples: the comparison is void",
				mismatched, bench->samples);
	print_results(bench, measures);
	return HB_OK;
}

int main(int argc, char **argv)
{
	static struct bench bench;
	const char *board_id = argc > 1 ? argv[1] : "qemu-m4";
	char *end = NULL;
	unsigned long samples = argc > 2 ? strtoul(argv[2], &end, 10) : 50;
	int status;

	if (argc > 3 || (end && (*end != '\0' || end == argv[2])) || samples == 0 ||
	    samples > 100000) {
		fprintf(stderr,
			"usage: %s [BOARD [SAMPLES]]   (SAMPLES 1..100000; default qemu-m4 50)\n",
			argv[0]);
		return 2;
	}
	bench.samples = (uint32_t)samples;
	spawn_install_cleanup();
	status = run_bench(&bench, board_id);
	free(bench.inputs);
	free(bench.outputs[0]);
	free(bench.outputs[1]);
	free(bench.sample_seconds[0]);
	free(bench.sample_seconds[1]);
	if (bench.model_loaded)
		model_unload(&bench.model);
	spawn_stop_all();
	return status == HB_OK ? 0 : 1;
}
