/*
 * `make bench`: hilbench's framed binary protocol, pipelined and one
 * request at a time, against the MLPerf Tiny / EEMBC runner's ASCII
 * protocol (input as "db HEX%" commands of 31 bytes, one round trip each),
 * on the same emulated board, model and inputs.
 *
 *   bench_protocols [BOARD [SAMPLES]]     (default: qemu-m4 50)
 *
 * Builds the firmware twice (PROTOCOL=hilbench and PROTOCOL=eembc) and runs
 * SAMPLES samples (write input, run once, read output) through three arms,
 * each on its own QEMU: "hilbench piped" (sample_stream.h with the board's
 * HELLO rx_window: the next sample's requests go out while the board
 * computes), "hilbench 1-by-1" (the same code path, window 0) and "eembc
 * ascii". Prints host time per sample, payload bytes per second (input +
 * output bytes of the model, not protocol overhead), bytes on the wire
 * each way and the ratios between the arms, then a modelled 115200-baud
 * UART from the measured bytes and device time, then the three arms again
 * with the host holding the console to 115200 baud (transport_paced.h), as
 * a measured check of that model: only the line is real there, QEMU still
 * takes bytes as it does. The outputs of all three
 * arms must agree byte for byte, or the comparison is void. It is a
 * benchmark: it prints what it measured and asserts nothing about time.
 * Only QEMU boards (the ASCII firmware has no exit command, so the board
 * is stopped by ending QEMU).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "run/benchmark.h"
#include "link/eembc_session.h"
#include "util/error.h"
#include "flash/firmware_build.h"
#include "flash/flasher.h"
#include "model_image.h"
#include "model/model_load.h"
#include "util/paths.h"
#include "config/profile.h"
#include "link/sample_stream.h"
#include "link/session.h"
#include "util/spawn.h"
#include "link/transport.h"
#include "link/transport_paced.h"

#define REQUEST_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS	   3000

/* 115200 baud, 8N1: ten bit times per byte, each direction. */
#define PACED_BAUD	      115200u
#define LINE_BYTES_PER_SECOND (PACED_BAUD / 10.0)

enum arm {
	ARM_PIPED,
	ARM_ONE_BY_ONE,
	ARM_ASCII,
	ARM_COUNT,
};

struct protocol_measure {
	const char *name;
	int pipelined;		    /* the board computes while the next input arrives */
	double seconds;		    /* the whole sample loop */
	uint64_t bytes_sent;	    /* host to board, everything on the UART */
	uint64_t bytes_received;    /* board to host */
	uint64_t round_trips;	    /* requests (hilbench) or commands (ascii) */
	uint32_t rx_window;	    /* hilbench: the board's HELLO rx_window */
	uint32_t resyncs;	    /* hilbench: pipelines broken by damage */
	double device_microseconds; /* per inference, from the board's counter */
	uint8_t *outputs;	    /* samples x output bytes */
	double *sample_seconds;	    /* per sample, for the median (robust to load spikes) */
};

struct bench {
	struct board_profile board;
	struct loaded_model model;
	char hilbench_elf[512];
	char eembc_elf[600];
	uint32_t samples;
	uint8_t *inputs;		   /* samples x input bytes */
	uint8_t *outputs[ARM_COUNT];	   /* samples x output bytes, per arm */
	double *sample_seconds[ARM_COUNT]; /* per arm */
	int model_loaded;
	uint32_t paced_baud; /* 0, or the baud the host holds the console to */
};

static int build_eembc_firmware(struct bench *bench)
{
	struct firmware_image image;
	int status = firmware_build_protocol(&bench->board, "eembc", &image);

	if (status == HB_OK)
		snprintf(bench->eembc_elf, sizeof bench->eembc_elf, "%s", image.elf_path);
	return status;
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
	status = driver->open(run->flash.console_address, &options, &run->console);
	if (status == HB_OK && bench->paced_baud) {
		struct transport *paced;
		status = transport_paced_wrap(run->console, bench->paced_baud, NULL, &paced);
		if (status == HB_OK)
			run->console = paced;
	}
	return status;
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

/* What a hilbench arm's sample stream needs: the bench's inputs in, the
 * arm's outputs and times out. */
struct stream_sink {
	const struct bench *bench;
	struct protocol_measure *measure;
	uint64_t ticks;
	double previous; /* the last sample finished, or the loop began */
};

static void stream_make_input(void *context, uint32_t index, uint8_t *input)
{
	const struct stream_sink *sink = context;
	const uint32_t bytes = sink->bench->model.compiled.input_bytes;

	memcpy(input, sink->bench->inputs + (size_t)index * bytes, bytes);
}

/* Pipelined, a sample's own round trips overlap the next one's, so its
 * time is the gap between two finishes, which is what throughput sees. */
static int stream_finish(void *context, uint32_t index, const uint8_t *input, const uint8_t *output,
			 const struct msg_invoke_reply *reply)
{
	struct stream_sink *sink = context;
	const uint32_t bytes = sink->bench->model.compiled.output_bytes;
	double now = clock_now_seconds();

	(void)input;
	memcpy(sink->measure->outputs + (size_t)index * bytes, output, bytes);
	sink->ticks += reply->ticks[0];
	sink->measure->sample_seconds[index] = now - sink->previous;
	sink->previous = now;
	return HB_OK;
}

static int measure_hilbench(struct bench *bench, int pipelined, struct protocol_measure *measure)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	struct stream_sink sink = {.bench = bench, .measure = measure};
	const struct sample_stream_handler handler = {
	    .make_input = stream_make_input, .finish = stream_finish, .context = &sink};
	struct sample_stream_options options = {.first = 0,
						.end = bench->samples,
						.input_bytes = compiled->input_bytes,
						.output_bytes = compiled->output_bytes};
	struct sample_stream_stats stats;
	struct board_run run;
	struct session session;
	struct msg_hello_reply hello;
	uint32_t requests_before;
	double begin;
	int status = board_start(bench, bench->hilbench_elf, &run);

	measure->name = pipelined ? "hilbench piped" : "hilbench 1-by-1";
	measure->pipelined = pipelined;
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
	if (status == HB_OK) {
		measure->rx_window = hello.rx_window;
		if (pipelined && hello.rx_window < FRAME_MAX_ENCODED)
			status =
			    hb_error(HB_ERR_PROTOCOL,
				     "board '%s' has a receive window of %u bytes, less than one "
				     "encoded frame (%u bytes): it cannot be pipelined",
				     bench->board.id, hello.rx_window, FRAME_MAX_ENCODED);
		options.window = pipelined ? hello.rx_window : 0;
	}
	if (status != HB_OK) {
		board_stop(&run, 0, 1);
		return status;
	}
	session.counters.bytes_sent = session.counters.bytes_received = 0;
	requests_before = session.counters.requests;
	begin = clock_now_seconds();
	sink.previous = begin;
	status = sample_stream_run(&session, &options, &handler, &stats);
	measure->seconds = clock_now_seconds() - begin;
	measure->bytes_sent = session.counters.bytes_sent;
	measure->bytes_received = session.counters.bytes_received;
	measure->round_trips = session.counters.requests - requests_before;
	measure->resyncs = stats.resyncs;
	measure->device_microseconds = ticks_to_microseconds(sink.ticks, &hello) / bench->samples;
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

/* The ASCII firmware prints the output dequantized, with three decimals,
 * as the MLPerf Tiny reference firmware does: each value is mapped back to
 * the int8 step it came from, which must be the only one within the
 * printing's rounding, or the arms' outputs could not be compared. */
static int values_to_bytes(const char *board_id, const struct model_tensor *tensor,
			   const double *values, size_t count, uint8_t *bytes, size_t expected)
{
	const double scale = tensor->scale;

	if (count != expected)
		return hb_error(HB_ERR_PROTOCOL, "board '%s': %zu result values, expected %zu",
				board_id, count, expected);
	if (tensor->dtype != MODEL_DTYPE_INT8 || !(scale > 0.001))
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': the output is not int8 with a scale above 0.001 (%g): "
				"its three-decimal results cannot be read back as bytes",
				board_id, scale);
	for (size_t i = 0; i < count; i++) {
		const double steps = values[i] / scale + tensor->zero_point;
		const long q = lround(steps);
		if (q < -128 || q > 127 ||
		    fabs(values[i] - (double)(q - tensor->zero_point) * scale) > 0.0005 + 1e-9)
			return hb_error(HB_ERR_PROTOCOL,
					"board '%s': result value %zu is %g, not an int8 step of "
					"scale %g and zero point %d",
					board_id, i, values[i], scale, (int)tensor->zero_point);
		bytes[i] = (uint8_t)(int8_t)q;
	}
	return HB_OK;
}

static int measure_eembc(struct bench *bench, struct protocol_measure *measure)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	const struct model_image_header *header = (const void *)compiled->image;
	const struct model_tensor *output = &model_tensors(header)[header->output_tensor];
	static struct eembc_session session;
	struct eembc_infer_result infer;
	struct board_run run;
	double *values = calloc(compiled->output_bytes + 1u, sizeof *values);
	uint64_t device_microseconds = 0;
	char name[64];
	size_t count;
	double begin, previous;
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
	begin = previous = clock_now_seconds();
	for (uint32_t sample = 0; sample < bench->samples && status == HB_OK; sample++) {
		double now;

		status = eembc_session_load(&session,
					    bench->inputs + (size_t)sample * compiled->input_bytes,
					    compiled->input_bytes, 0);
		if (status == HB_OK)
			status = eembc_session_infer(&session, 1, 0, &infer);
		if (status == HB_OK) {
			device_microseconds += infer.elapsed_us;
			status = eembc_session_results(&session, values,
						       compiled->output_bytes + 1u, &count);
		}
		if (status == HB_OK)
			status = values_to_bytes(bench->board.id, output, values, count,
						 measure->outputs +
						     (size_t)sample * compiled->output_bytes,
						 compiled->output_bytes);
		/* Measured like the hilbench arms: since the previous finish. */
		now = clock_now_seconds();
		measure->sample_seconds[sample] = now - previous;
		previous = now;
	}
	measure->seconds = clock_now_seconds() - begin;
	measure->bytes_sent = session.counters.bytes_sent;
	measure->bytes_received = session.counters.bytes_received;
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

/* Ratios of arm `fast` over arm `slow`: payload rate, and from the medians. */
static void print_ratio(const struct protocol_measure *measures, const double *rate,
			const double *median, enum arm fast, enum arm slow)
{
	printf("  %-16s vs %-16s payload B/s %6.2f", measures[fast].name, measures[slow].name,
	       rate[fast] / rate[slow]);
	if (median)
		printf("   (from medians %6.2f)", median[slow] / median[fast]);
	printf("\n");
}

static void print_ratios(const struct protocol_measure *measures, const double *rate,
			 const double *median)
{
	print_ratio(measures, rate, median, ARM_PIPED, ARM_ONE_BY_ONE);
	print_ratio(measures, rate, median, ARM_ONE_BY_ONE, ARM_ASCII);
	print_ratio(measures, rate, median, ARM_PIPED, ARM_ASCII);
}

static double max3(double a, double b, double c)
{
	double most = a > b ? a : b;

	return most > c ? most : c;
}

/*
 * Real UART at 115200 baud, full duplex, both ends keeping the line busy.
 * One request at a time, sending, the board's compute and receiving follow
 * each other. Pipelined, the next input goes up while the board computes
 * (it receives by DMA, as the STM32F4 port does) and replies come down
 * meanwhile, so the busiest of the three sets the pace.
 */
static void print_modelled(const struct bench *bench, const struct protocol_measure *measures)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	const double payload = (double)compiled->input_bytes + compiled->output_bytes;
	const double samples = bench->samples;
	const struct protocol_measure *piped = &measures[ARM_PIPED];
	double rate[ARM_COUNT];

	printf("\nmodelled, not measured: a real 115200-baud 8N1 UART (%.0f B/s each way, full "
	       "duplex)\n",
	       LINE_BYTES_PER_SECOND);
	printf("  compute = the arm's device us/inference, itself emulated instructions at the "
	       "board clock\n  (%" PRIu32 " Hz), taken as 1 instruction per cycle\n",
	       bench->board.clock_hz);
	printf("  one at a time: sent/line + received/line + compute; pipelined: max(sent/line, "
	       "received/line, compute)\n");
	printf("  host round-trip latency (USB, OS) is not counted\n");
	printf("%-16s %10s %12s %14s\n", "arm", "ms/sample", "payload B/s", "input/line %");
	for (int i = 0; i < ARM_COUNT; i++) {
		const struct protocol_measure *m = &measures[i];
		const double send = m->bytes_sent / samples / LINE_BYTES_PER_SECOND;
		const double receive = m->bytes_received / samples / LINE_BYTES_PER_SECOND;
		const double compute = m->device_microseconds / 1e6;
		const double seconds =
		    m->pipelined ? max3(send, receive, compute) : send + receive + compute;

		rate[i] = payload / seconds;
		printf("%-16s %10.1f %12.0f %14.1f\n", m->name, seconds * 1e3, rate[i],
		       100.0 * compiled->input_bytes / seconds / LINE_BYTES_PER_SECOND);
	}
	printf(
	    "  the pipelined figure assumes the board's receive window holds a sample's requests "
	    "(%.0f B sent/sample;\n  this board's rx_window is %" PRIu32 " B)%s\n",
	    piped->bytes_sent / samples, piped->rx_window,
	    piped->bytes_sent / samples > piped->rx_window ? ": it does not, so it is optimistic"
							   : "");
	printf("modelled ratios:\n");
	print_ratios(measures, rate, NULL);
}

static void print_results(const struct bench *bench, struct protocol_measure *measures)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	const double payload = (double)compiled->input_bytes + compiled->output_bytes;
	const double samples = bench->samples;
	double rate[ARM_COUNT], median[ARM_COUNT];

	printf("bench: board %s, model %s (input %" PRIu32 " B, output %" PRIu32 " B), %" PRIu32
	       " samples per arm, each arm on its own QEMU\n",
	       bench->board.id, bench->model.name, compiled->input_bytes, compiled->output_bytes,
	       bench->samples);
	printf("%-16s %10s %10s %12s %10s %10s %10s %9s %14s\n", "arm", "ms/sample", "median ms",
	       "payload B/s", "sent B/smp", "recv B/smp", "wire B/smp", "reqs/smp",
	       "device us/inf");
	for (int i = 0; i < ARM_COUNT; i++) {
		struct protocol_measure *m = &measures[i];

		rate[i] = payload * samples / m->seconds;
		median[i] = median_seconds(m->sample_seconds, bench->samples);
		printf("%-16s %10.2f %10.2f %12.0f %10.0f %10.0f %10.0f %9.1f %14.1f\n", m->name,
		       m->seconds * 1e3 / samples, median[i] * 1e3, rate[i],
		       m->bytes_sent / samples, m->bytes_received / samples,
		       (m->bytes_sent + m->bytes_received) / samples, m->round_trips / samples,
		       m->device_microseconds);
	}
	printf("  reqs/smp: hilbench requests or ascii commands per sample; a sample's time is "
	       "the gap between two finishes\n");
	if (measures[ARM_PIPED].resyncs)
		printf("  %s: %" PRIu32 " pipeline resyncs after damage on the line\n",
		       measures[ARM_PIPED].name, measures[ARM_PIPED].resyncs);
	printf("ratios (measured on QEMU):\n");
	print_ratios(measures, rate, median);
	printf("outputs of all three arms agree on all %" PRIu32 " samples\n", bench->samples);
	printf("note: QEMU's UART is not paced by a baud rate, so the figures above are host and "
	       "emulator bound\n");
	print_modelled(bench, measures);
}

/* The three arms, one after the other, and their outputs compared. */
/* The same arms with the host holding the console to a real line's rate:
 * measured, but only the line is real: QEMU still takes bytes as it does. */
static void print_paced(const struct bench *bench, struct protocol_measure *measures)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	const double payload = (double)compiled->input_bytes + compiled->output_bytes;
	const double samples = bench->samples;
	double rate[ARM_COUNT], median[ARM_COUNT];

	printf("\nmeasured on QEMU with the host holding the console to %u baud 8N1 "
	       "(%.0f B/s each way; transport_paced.h):\n",
	       PACED_BAUD, LINE_BYTES_PER_SECOND);
	printf("%-16s %10s %10s %12s %14s\n", "arm", "ms/sample", "median ms", "payload B/s",
	       "input/line %");
	for (int i = 0; i < ARM_COUNT; i++) {
		struct protocol_measure *m = &measures[i];

		rate[i] = payload * samples / m->seconds;
		median[i] = median_seconds(m->sample_seconds, bench->samples);
		printf("%-16s %10.2f %10.2f %12.0f %14.1f\n", m->name, m->seconds * 1e3 / samples,
		       median[i] * 1e3, rate[i],
		       100.0 * compiled->input_bytes * samples / m->seconds /
			   LINE_BYTES_PER_SECOND);
	}
	printf("ratios (measured at the paced line):\n");
	print_ratios(measures, rate, median);
	printf("outputs of all three arms agree on all %" PRIu32 " samples\n", bench->samples);
}

static int measure_arms(struct bench *bench, struct protocol_measure *measures)
{
	const struct compiled_model *compiled = &bench->model.compiled;
	const char *paced = bench->paced_baud ? ", console paced to 115200 baud" : "";
	int status;

	hb_info("measuring the binary protocol, pipelined%s: %" PRIu32 " samples", paced,
		bench->samples);
	status = measure_hilbench(bench, 1, &measures[ARM_PIPED]);
	if (status == HB_OK) {
		hb_info("measuring the binary protocol, one request at a time%s: %" PRIu32
			" samples",
			paced, bench->samples);
		status = measure_hilbench(bench, 0, &measures[ARM_ONE_BY_ONE]);
	}
	if (status == HB_OK) {
		hb_info("measuring the ASCII protocol%s: %" PRIu32 " samples", paced,
			bench->samples);
		status = measure_eembc(bench, &measures[ARM_ASCII]);
	}
	if (status != HB_OK)
		return status;
	for (int i = 1; i < ARM_COUNT && status == HB_OK; i++) {
		size_t mismatched = 0;

		for (uint32_t sample = 0; sample < bench->samples; sample++)
			mismatched +=
			    memcmp(bench->outputs[0] + (size_t)sample * compiled->output_bytes,
				   bench->outputs[i] + (size_t)sample * compiled->output_bytes,
				   compiled->output_bytes) != 0;
		if (mismatched)
			status = hb_error(HB_ERR_MISMATCH,
					  "outputs differ between '%s' and '%s' on %zu of %" PRIu32
					  " samples: the comparison is void",
					  measures[0].name, measures[i].name, mismatched,
					  bench->samples);
	}
	return status;
}

static int run_bench(struct bench *bench, const char *board_id)
{
	struct protocol_measure measures[ARM_COUNT];
	struct firmware_image image;
	char boards_dir[1024];
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
	if (!bench->inputs)
		return hb_error(HB_ERR_NOMEM, "out of memory for %" PRIu32 " samples",
				bench->samples);
	for (int i = 0; i < ARM_COUNT; i++) {
		bench->outputs[i] = calloc(bench->samples, compiled->output_bytes);
		bench->sample_seconds[i] = calloc(bench->samples, sizeof(double));
		if (!bench->outputs[i] || !bench->sample_seconds[i])
			return hb_error(HB_ERR_NOMEM, "out of memory for %" PRIu32 " samples",
					bench->samples);
		measures[i].outputs = bench->outputs[i];
		measures[i].sample_seconds = bench->sample_seconds[i];
	}
	for (uint32_t sample = 0; sample < bench->samples; sample++)
		benchmark_make_input(compiled->input_dtype, sample + 1,
				     bench->inputs + (size_t)sample * compiled->input_bytes,
				     compiled->input_bytes);

	status = measure_arms(bench, measures);
	if (status == HB_OK)
		print_results(bench, measures);
	if (status == HB_OK) {
		struct protocol_measure paced[ARM_COUNT];

		memset(paced, 0, sizeof paced);
		for (int i = 0; i < ARM_COUNT; i++) {
			paced[i].outputs = bench->outputs[i];
			paced[i].sample_seconds = bench->sample_seconds[i];
		}
		bench->paced_baud = PACED_BAUD;
		status = measure_arms(bench, paced);
		if (status == HB_OK)
			print_paced(bench, paced);
	}
	return status;
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
	for (int i = 0; i < ARM_COUNT; i++) {
		free(bench.outputs[i]);
		free(bench.sample_seconds[i]);
	}
	if (bench.model_loaded)
		model_unload(&bench.model);
	spawn_stop_all();
	return status == HB_OK ? 0 : 1;
}
