#include "benchmark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "flasher.h"
#include "transport.h"
#include "workload.h"

#define CONNECT_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 3000

/* The host's copy of the layer, for the reference output. */
static struct workload_fc reference_layer;

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void make_input(uint32_t seed, int8_t *input, size_t length)
{
	uint32_t state = seed ? seed : 1;
	for (size_t i = 0; i < length; i++) {
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		input[i] = (int8_t)(state >> 24);
	}
}

/* The board must be the firmware we think it is. */
static int check_hello(const struct board_profile *board, const struct msg_hello_reply *hello)
{
	if (hello->workload_input_length != WORKLOAD_FC_INPUTS ||
	    hello->workload_output_length != WORKLOAD_FC_OUTPUTS ||
	    hello->workload_macs != workload_fc_macs())
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s' runs a different built-in workload (%u in, %u out, %u MACs; expected %d, %d, %u): rebuild the firmware",
				board->id, hello->workload_input_length, hello->workload_output_length,
				hello->workload_macs, WORKLOAD_FC_INPUTS, WORKLOAD_FC_OUTPUTS,
				workload_fc_macs());
	if (hello->input_capacity < WORKLOAD_FC_INPUTS || hello->output_capacity < WORKLOAD_FC_OUTPUTS)
		return hb_error(HB_ERR_PROTOCOL, "board '%s' reports buffers too small for the workload",
				board->id);
	if (hello->counter_scale_q16 == 0)
		return hb_error(HB_ERR_PROTOCOL, "board '%s' reports a counter scale of 0", board->id);
	if (hello->clock_hz != board->clock_hz)
		hb_warn("board '%s': firmware reports a %u Hz clock, profile '%s' says %u Hz; latency uses the profile",
			board->id, hello->clock_hz, board->path, board->clock_hz);
	return HB_OK;
}

static int check_fits(const struct board_profile *board, const struct elf_sizes *sizes)
{
	if (sizes->flash > board->flash.size)
		return hb_error(HB_ERR_INPUT, "firmware needs %u bytes of flash, board '%s' has %u",
				sizes->flash, board->id, board->flash.size);
	if ((uint64_t)sizes->static_ram + sizes->stack > board->ram.size)
		return hb_error(HB_ERR_INPUT,
				"firmware needs %u bytes of RAM (static %u + stack %u), board '%s' has %u",
				sizes->static_ram + sizes->stack, sizes->static_ram, sizes->stack,
				board->id, board->ram.size);
	return HB_OK;
}

/* Writes the record; a failure to write is reported but the run goes on to
 * stop the board cleanly. */
static int save(struct run_result *result)
{
	return result_write(result);
}

static int measure(struct session *session, const struct benchmark_options *options,
		   struct run_result *result)
{
	int8_t input[WORKLOAD_FC_INPUTS];
	int8_t expected[WORKLOAD_FC_OUTPUTS];
	uint8_t output[WORKLOAD_FC_OUTPUTS];
	uint32_t done = 0;
	int status;

	make_input(options->input_seed, input, sizeof input);
	status = session_write_input(session, (const uint8_t *)input, sizeof input, 0);
	if (status != HB_OK)
		return status;

	result->warmups = options->warmups;
	while (done < options->runs) {
		struct msg_invoke_reply reply;
		uint32_t batch = options->runs - done;
		if (batch > PROTO_MAX_RUNS)
			batch = PROTO_MAX_RUNS;
		hb_info("  invoking %u runs (%u/%u done)", batch, done, options->runs);
		status = session_invoke(session, (uint16_t)batch,
					(uint16_t)(done == 0 ? options->warmups : 0), &reply);
		if (status != HB_OK)
			return status;
		status = result_add_runs(result, reply.ticks, reply.runs);
		if (status != HB_OK)
			return status;
		result->have_stack = true;
		result->stack_high_water = reply.stack_high_water;
		done += batch;
		result->counters = session->counters;
		save(result);
		if (options->debug_hang && done < options->runs) {
			hb_info("  debug: asking the board to hang");
			status = session_send_only(session, MSG_DEBUG_HANG, NULL, 0);
			if (status != HB_OK)
				return status;
		}
	}

	status = session_read_output(session, output, sizeof output, 0);
	if (status != HB_OK)
		return status;
	workload_fc_init(&reference_layer);
	workload_fc_run(&reference_layer, input, expected);
	result->output_checked = true;
	result->outputs_compared = 1;
	for (size_t i = 0; i < sizeof output; i++) {
		if ((int8_t)output[i] != expected[i]) {
			result->output_mismatches = 1;
			result->first_mismatch_byte = (int32_t)i;
			return hb_error(HB_ERR_MISMATCH,
					"board output differs from the host reference at byte %zu: board %d, host %d",
					i, (int8_t)output[i], expected[i]);
		}
	}
	return HB_OK;
}

/* Real boards: the UART is opened before flashing, so a missing port fails
 * fast and the first bytes after reset are not lost. QEMU boards: the
 * flasher makes the socket, so it is opened after the start. */
static int open_console(const struct board_profile *board, const char *transport_name,
			const char *address, struct transport **transport)
{
	const struct transport_driver *driver = transport_find(transport_name);
	struct transport_options options = { .baud = board->console.baud,
					     .connect_timeout_ms = CONNECT_TIMEOUT_MS };

	if (!driver)
		return hb_error(HB_ERR_INPUT, "board '%s': unknown console transport '%s'", board->id,
				transport_name);
	return driver->open(address, &options, transport);
}

static int talk(const struct board_profile *board, const struct benchmark_options *options,
		struct transport *transport, struct run_result *result)
{
	struct session session;
	int status;

	session_init(&session, transport, board->id, options->timeout_ms, options->attempts);
	status = session_hello(&session, &result->hello);
	if (status == HB_OK)
		status = check_hello(board, &result->hello);
	if (status == HB_OK) {
		result->have_hello = true;
		hb_info("  board says: port %s, core %s, %u Hz, %.2f counter units per tick",
			result->hello.port, result->hello.core, result->hello.clock_hz,
			result->hello.counter_scale_q16 / 65536.0);
		save(result);
		status = measure(&session, options, result);
	}
	/* Stop the board through the protocol whenever it is still answering. */
	if (status == HB_OK || status == HB_ERR_MISMATCH) {
		int exit_status = session_exit(&session, 0);
		if (status == HB_OK)
			status = exit_status;
	}
	result->counters = session.counters;
	return status;
}

int benchmark_run(const struct board_profile *board, const struct benchmark_options *options,
		  struct run_result *result)
{
	const struct flasher_driver *flasher = flasher_find(board->flasher.driver);
	struct flash_session flash;
	struct flash_request request;
	char run_dir[] = "/tmp/hilbench-run-XXXXXX";
	struct timespec start;
	struct transport *console = NULL;
	bool started = false;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	result_init(result, board, WORKLOAD_NAME, options->results_dir);
	result->input_seed = options->input_seed;

	status = file_make_dirs(options->results_dir);
	if (status != HB_OK)
		return status;
	if (!flasher)
		return hb_error(HB_ERR_INPUT, "board '%s': unknown flasher '%s'", board->id,
				board->flasher.driver);
	status = options->firmware ? firmware_describe(options->firmware, &result->firmware)
				   : firmware_build(board, &result->firmware);
	if (status == HB_OK)
		status = elf_sizes_read(result->firmware.elf_path, &result->sizes);
	if (status == HB_OK) {
		result->have_sizes = true;
		status = check_fits(board, &result->sizes);
	}
	if (status != HB_OK) {
		result_fail(result, status);
		save(result);
		return status;
	}
	save(result);

	if (!mkdtemp(run_dir))
		return hb_error(HB_ERR_IO, "cannot create a run folder in /tmp");
	request = (struct flash_request){ .board = board,
					  .firmware_elf = result->firmware.elf_path,
					  .run_dir = run_dir,
					  .timeout_ms = 60000 };
	memset(&flash, 0, sizeof flash);
	if (strcmp(board->console.transport, "qemu") != 0)
		status = open_console(board, board->console.transport, board->console.device, &console);
	if (status == HB_OK) {
		hb_info("starting board '%s' with %s", board->id, flasher->name);
		status = flasher->start(&request, &flash);
		started = status == HB_OK;
	}
	if (status == HB_OK && !console)
		status = open_console(board, flash.console_transport, flash.console_address, &console);
	if (status == HB_OK)
		status = talk(board, options, console, result);
	if (console)
		console->driver->close(console);
	if (started) {
		int stop_status = flasher->stop(&flash, status == HB_OK ? STOP_TIMEOUT_MS : 0);
		if (stop_status >= 0)
			result->target_exit_status = stop_status;
		if (status == HB_OK && stop_status < 0)
			status = stop_status; /* the board had to be stopped: already reported */
		else if (status == HB_OK && stop_status > 0)
			status = hb_error(HB_ERR_TOOL, "board '%s' stopped with status %d (log: %s)",
					  board->id, stop_status, flash.log_path);
	}
	result_finish(result, status, seconds_since(&start));
	int save_status = save(result);
	if (status == HB_OK) {
		/* Keep the tool logs of a failed run for the user; drop a clean one's. */
		char path[600];
		snprintf(path, sizeof path, "%s/qemu.log", run_dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/openocd.log", run_dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/uart0.sock", run_dir);
		unlink(path);
		rmdir(run_dir);
		status = save_status;
	}
	return status;
}
