#include "run/benchmark.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/fileio.h"
#include "flash/flasher.h"
#include "model_image.h"
#include "model/reference.h"
#include "link/transport.h"
#include "link/transport_noise.h"
#include "link/transport_paced.h"
#include "link/deadline.h"
#include "run/mlperf_measure.h"
#include "run/recovery.h"

#define CONNECT_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS	   3000

void benchmark_make_input(uint32_t dtype, uint32_t seed, uint8_t *input, size_t bytes)
{
	uint32_t state = seed ? seed : 1;
	size_t step = dtype == MODEL_DTYPE_FLOAT32 ? 4 : 1;

	for (size_t i = 0; i + step <= bytes; i += step) {
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		if (step == 4) {
			float value = (float)(state >> 8) / 8388608.0f - 1.0f;
			memcpy(input + i, &value, 4);
		} else {
			input[i] = (uint8_t)(state >> 24);
		}
	}
}

/* The board must run the image we just gave it. */
static int check_hello(const struct board_profile *board, const struct loaded_model *model,
		       const struct msg_hello_reply *hello)
{
	const struct model_image_header *header = (const void *)model->compiled.image;

	if (hello->model_status != MODEL_CHECK_OK)
		return hb_error(HB_ERR_PROTOCOL, "board '%s' refused the model image at 0x%08x: %s",
				board->id, hello->model_region_origin,
				model_check_name((enum model_check)hello->model_status));
	if (hello->model_crc32 != header->crc32)
		return hb_error(
		    HB_ERR_PROTOCOL,
		    "board '%s' runs model image %08x, expected %08x (was the model flashed?)",
		    board->id, hello->model_crc32, header->crc32);
	if (hello->model_input_length != model->compiled.input_bytes ||
	    hello->model_output_length != model->compiled.output_bytes)
		return hb_error(
		    HB_ERR_PROTOCOL,
		    "board '%s' reports %u input and %u output bytes, the model has %u and %u",
		    board->id, hello->model_input_length, hello->model_output_length,
		    model->compiled.input_bytes, model->compiled.output_bytes);
	if (hello->counter_scale_q16 == 0)
		return hb_error(HB_ERR_PROTOCOL, "board '%s' reports a counter scale of 0",
				board->id);
	if (hello->clock_hz != board->clock_hz)
		hb_warn("board '%s': firmware reports a %u Hz clock, profile '%s' says %u Hz; "
			"latency uses the profile",
			board->id, hello->clock_hz, board->path, board->clock_hz);
	return HB_OK;
}

/* Refused before anything is flashed, with the sizes. The limits are the
 * board's own, or an emulated stand-in's real board's (profile_limits). */
static int check_fits(const struct board_profile *board, const struct loaded_model *model,
		      const struct elf_sizes *sizes)
{
	const struct profile_limits real = profile_limits(board);
	const struct profile_limits *limits = &real;
	const uint32_t firmware_room = limits->model.origin - limits->flash.origin;
	const uint64_t ram_used = (uint64_t)sizes->static_ram + sizes->stack;
	const uint64_t ram_left = limits->ram.size > ram_used ? limits->ram.size - ram_used : 0;
	const uint64_t arena_need = model_ram_need(&model->compiled);

	if (sizes->flash > firmware_room)
		return hb_error(
		    HB_ERR_INPUT,
		    "firmware needs %u bytes of flash, board '%s' has %u before its model region",
		    sizes->flash, limits->board_id, firmware_room);
	if (model->compiled.image_size > limits->model.size)
		return hb_error(
		    HB_ERR_INPUT,
		    "model '%s' needs a %zu-byte image, board '%s' has a %u-byte model region",
		    model->name, model->compiled.image_size, limits->board_id, limits->model.size);
	if (arena_need > ram_left)
		return hb_error(
		    HB_ERR_INPUT,
		    "model '%s' needs %llu bytes of RAM (arena %u + input copy %u), board '%s' has "
		    "%llu left after the firmware (static %u + stack %u of %u)",
		    model->name, (unsigned long long)arena_need, model->compiled.arena_size,
		    model->compiled.input_bytes, limits->board_id, (unsigned long long)ram_left,
		    sizes->static_ram, sizes->stack, limits->ram.size);
	return HB_OK;
}

/* Writes the record; a failure to write is reported but the run goes on to
 * stop the board cleanly. */
static int save(struct run_result *result)
{
	return result_write(result);
}

int benchmark_measure_one(struct session *session, const struct loaded_model *model,
			  const struct benchmark_options *options, struct run_result *result)
{
	const struct compiled_model *compiled = &model->compiled;
	uint8_t *input = malloc(compiled->input_bytes);
	uint8_t *board_output = malloc(compiled->output_bytes);
	uint8_t *host_output = malloc(compiled->output_bytes);
	struct output_comparison comparison;
	struct energy_measure *meter = NULL;
	/* After a recovery the runs already recorded stay: the batch that hung is redone. */
	uint32_t done = (uint32_t)result->run_count;
	bool warm = false; /* warm-ups ran on this start of the board */
	int status = HB_OK;

	if (!input || !board_output || !host_output) {
		status =
		    hb_error(HB_ERR_NOMEM, "out of memory for model '%s' buffers", model->name);
		goto out;
	}
	if (options->input)
		memcpy(input, options->input, compiled->input_bytes);
	else
		benchmark_make_input(compiled->input_dtype, options->input_seed, input,
				     compiled->input_bytes);
	status = session_write_input(session, input, compiled->input_bytes, 0);
	if (status != HB_OK)
		goto out;

	result->warmups = options->warmups;
	/* The hang goes between two batches; a run that fits one batch is split
	 * in two, and a single run hangs before it. */
	if (options->debug_hang && options->runs == 1) {
		hb_info("  debug: asking the board to hang");
		status = session_send_only(session, MSG_DEBUG_HANG, NULL, 0);
		if (status != HB_OK)
			goto out;
	}
	if (options->meter) {
		status =
		    energy_measure_begin(options->meter, result->board, &result->energy, &meter);
		if (status != HB_OK)
			goto out;
	}
	while (done < options->runs) {
		struct msg_invoke_reply reply;
		uint32_t batch = options->runs - done;
		if (batch > PROTO_MAX_RUNS)
			batch = PROTO_MAX_RUNS;
		if (options->debug_hang && done == 0 && options->runs > 1 &&
		    options->runs <= PROTO_MAX_RUNS)
			batch = options->runs / 2;
		if (meter) /* one window per batch, at least ENERGY_MIN_WINDOWS */
			batch = energy_measure_batch_size(options->runs, done, PROTO_MAX_RUNS);
		hb_info("  %s: invoking %u runs (%u/%u done)", model->name, batch, done,
			options->runs);
		/* Batch N of the hooks starts at run 48 x N, across resets too. */
		status = debug_hooks_fire_awaited(options->hooks, session, model->name,
						  done / PROTO_MAX_RUNS);
		if (status != HB_OK)
			goto out;
		status = session_invoke(session, (uint16_t)batch,
					(uint16_t)(warm ? 0 : options->warmups), &reply);
		warm = true;
		if (status != HB_OK)
			goto out;
		status = result_add_runs(result, reply.ticks, reply.runs);
		if (status == HB_OK && meter)
			status = energy_measure_batch(meter, reply.ticks, reply.runs,
						      result_counter_scale(result),
						      result->board->clock_hz);
		if (status != HB_OK)
			goto out;
		result->have_stack = true;
		result->stack_high_water = reply.stack_high_water;
		if (reply.arena_used > result->arena_used)
			result->arena_used = reply.arena_used;
		if (!result->have_inference_stack ||
		    reply.inference_stack > result->inference_stack)
			result->inference_stack = reply.inference_stack;
		result->have_inference_stack = true;
		done += batch;
		result->counters = session->counters;
		save(result);
		if (options->debug_hang && done < options->runs) {
			hb_info("  debug: asking the board to hang");
			status = session_send_only(session, MSG_DEBUG_HANG, NULL, 0);
			if (status != HB_OK)
				goto out;
		}
	}

	if (meter) {
		char trace[800];

		energy_measure_trace_path(result->json_path, NULL, trace, sizeof trace);
		status = energy_measure_finish(meter, result->json_path[0] ? trace : NULL);
		energy_measure_close(meter);
		meter = NULL;
		save(result);
		if (status != HB_OK)
			goto out;
	}
	/* One more run of the same input, timed op by op: the per-layer profile. */
	status = layer_profile_measure(session, compiled, &result->layers);
	if (status != HB_OK)
		goto out;
	save(result);
	status = session_read_output(session, board_output, compiled->output_bytes, 0);
	if (status == HB_OK)
		status = reference_run(compiled, input, host_output);
	if (status != HB_OK)
		goto out;
	if (options->board_output)
		memcpy(options->board_output, board_output, compiled->output_bytes);
	reference_compare(compiled->output_dtype, board_output, host_output, compiled->output_bytes,
			  &comparison);
	result->output_checked = true;
	result->outputs_compared = 1;
	result->output_mismatches = comparison.mismatched ? 1 : 0;
	result->first_mismatch_element = comparison.first_mismatch;
	result->max_abs_error = comparison.max_abs_error;
	result->tolerance = comparison.tolerance;
	if (comparison.mismatched)
		status = hb_error(HB_ERR_MISMATCH,
				  "model '%s': board output differs from the host reference in %u "
				  "elements, first at element %lld (max abs error %g)",
				  model->name, comparison.mismatched,
				  (long long)comparison.first_mismatch, comparison.max_abs_error);
out:
	energy_measure_close(meter);
	free(input);
	free(board_output);
	free(host_output);
	return status;
}

/* Scratch for sockets and tool logs: under $TMPDIR (else /tmp), so parallel
 * runs and test suites keep theirs apart. */
static int make_run_dir(char *path, size_t capacity)
{
	const char *base = getenv("TMPDIR");

	if (!base || !base[0])
		base = "/tmp";
	if ((size_t)snprintf(path, capacity, "%s/hilbench-run-XXXXXX", base) >= capacity)
		return hb_error(HB_ERR_INPUT, "TMPDIR '%s' is too long for a run folder", base);
	if (!mkdtemp(path))
		return hb_error(HB_ERR_IO, "cannot create a run folder in '%s': %s", base,
				strerror(errno));
	return HB_OK;
}

/* Real boards: the UART is opened before flashing, so a missing port fails
 * fast and the first bytes after reset are not lost. Emulated boards: the
 * flasher makes the console, so it is opened after the start. */
static int open_console(const struct board_profile *board, const char *transport_name,
			const char *address, struct transport **transport)
{
	const struct transport_driver *driver = transport_find(transport_name);
	struct transport_options options = {.baud = board->console.baud,
					    .connect_timeout_ms = CONNECT_TIMEOUT_MS};

	if (!driver)
		return hb_error(HB_ERR_INPUT, "board '%s': unknown console transport '%s'",
				board->id, transport_name);
	return driver->open(address, &options, transport);
}

/* One session with the board through its protocol driver (link/protocol.h):
 * handshake, measure, stop. The framed protocol's session gets the
 * measurement that needs it (batches, pipelined suites, hooks); a protocol
 * without one is measured through the table (run/mlperf_measure.h). */
static int talk(const struct board_profile *board, const struct loaded_model *model,
		const struct benchmark_options *options, struct transport *transport,
		struct run_result *result)
{
	const struct protocol_driver *driver = protocol_find(options->protocol);
	struct protocol_open_options open = {.transport = transport,
					     .board_id = board->id,
					     .timeout_ms = options->timeout_ms,
					     .attempts = options->attempts};
	struct protocol_identity identity;
	struct protocol_link *link = NULL;
	struct session *session;
	int status;

	if (!driver)
		return hb_error(HB_ERR_USAGE, "unknown protocol '%s'", options->protocol);
	protocol_model_from(model, options->model_name, &open.model);
	status = driver->open(&open, &link);
	if (status != HB_OK)
		return status;
	result->protocol = driver->name;
	memset(&identity, 0, sizeof identity);
	status = driver->handshake(link, &identity);
	if (identity.have_hello)
		result->hello = identity.hello;
	session = driver->framed_session ? driver->framed_session(link) : NULL;
	if (status == HB_OK && identity.have_hello)
		status = check_hello(board, model, &result->hello);
	if (status == HB_OK && session) {
		result->have_hello = true;
		hb_info("  board says: port %s, core %s, %u Hz, %.2f counter units per tick",
			result->hello.port, result->hello.core, result->hello.clock_hz,
			result->hello.counter_scale_q16 / 65536.0);
		save(result);
		status = (options->measure ? options->measure : benchmark_measure_one)(
		    session, model, options, result);
	} else if (status == HB_OK) {
		status = mlperf_measure(driver, link, &identity, model, options, result);
	}
	/* Stop the board through the protocol whenever it is still answering. */
	if (status == HB_OK || status == HB_ERR_MISMATCH) {
		int exit_status = driver->stop(link);
		if (status == HB_OK)
			status = exit_status;
	}
	driver->counters(link, &result->counters);
	driver->close(link);
	return status;
}

/* The board as benchmark_run holds it, for the recovery to reset it. */
struct board_link {
	const struct board_profile *board;
	const struct flasher_driver *flasher;
	const struct flash_request *request;
	struct flash_session *flash;
	struct transport **console;
	bool *started;
};

/* Opens an emulated board's console (a real one is open already) and puts
 * the test aids around it. */
static int connect_console(const struct board_profile *board,
			   const struct benchmark_options *options,
			   const struct flash_session *flash, struct transport **console,
			   struct run_result *result)
{
	int status = HB_OK;

	if (!*console)
		status =
		    open_console(board, flash->console_transport, flash->console_address, console);
	if (status == HB_OK && options->line_noise > 0) {
		struct transport *noisy;
		status = transport_noise_wrap(*console, options->line_noise, options->noise_seed,
					      &noisy);
		if (status == HB_OK)
			*console = noisy;
		result->line_noise = options->line_noise;
		result->noise_seed = options->noise_seed;
	}
	if (status == HB_OK && options->line_rate > 0) {
		struct transport *paced;
		status = transport_paced_wrap(*console, options->line_rate, NULL, &paced);
		if (status == HB_OK)
			*console = paced;
		result->paced_baud = options->line_rate;
	}
	return status;
}

/* Closes the console, adding the damage it injected to the record's. */
static void close_console(struct transport **console, struct run_result *result)
{
	struct transport_noise_counts counts;

	if (!*console)
		return;
	memset(&counts, 0, sizeof counts);
	transport_noise_counts(*console, &counts);
	result->noise.bytes_sent += counts.bytes_sent;
	result->noise.bytes_received += counts.bytes_received;
	result->noise.damaged_sent += counts.damaged_sent;
	result->noise.damaged_received += counts.damaged_received;
	(*console)->driver->close(*console);
	*console = NULL;
}

/* One attempt's measurement, between talk()'s handshake and its EXIT: the
 * deadlines are priced from the board's HELLO here, and what the attempt
 * was waiting for when it failed is kept for the recovery. */
struct attempt {
	const struct benchmark_options *options; /* the caller's */
	const struct board_profile *board;
	uint32_t number; /* 0: the first start of the board */
	uint8_t awaiting;
	int deadline_ms;
	uint16_t board_error; /* the code of the board's last MSG_ERROR (0: none) */
	double counted_units; /* one inference as an earlier start counted it */
};

/* A plain run's first batch is runs + warm-ups inferences priced by the MAC
 * bound alone, which can be a long wait for a hang (fmnist, 48 runs: 35
 * minutes). One of its warm-ups goes first on its own instead, so the
 * board counts an inference before the batch: the batch's deadline is then
 * priced by that count. Its reply is not recorded. */
static int warm_up_and_count(struct session *session)
{
	struct msg_invoke_reply reply;

	return session_invoke(session, 1, 0, &reply);
}

static int measure_attempt(struct session *session, const struct loaded_model *model,
			   const struct benchmark_options *options, struct run_result *result)
{
	struct attempt *attempt = options->measure_context;
	const struct benchmark_options *caller = attempt->options;
	const uint64_t macs =
	    ((uint64_t)result->hello.model_macs_high << 32) | result->hello.model_macs;
	struct deadline_rule rule;
	struct benchmark_options counted = *caller;
	bool counting = false;
	int status = HB_OK;

	/* Only the framed protocol has a session to price (link/protocol.h). */
	if (session) {
		recovery_deadline_rule(attempt->board, caller->timeout_ms, &rule);
		session_use_deadlines(session, &rule, macs ? macs : model->compiled.macs,
				      result->hello.counter_scale_q16);
		if (attempt->counted_units > 0)
			session_assume_counted(session, attempt->counted_units);
		counting = attempt->counted_units <= 0 && !caller->measure && caller->warmups > 0 &&
			   caller->timeout_ms <= 0;
	}
	if (counting) {
		status = warm_up_and_count(session);
		counted.warmups--;
	}
	/* --debug-hang: a board no reset mends hangs again after each one. */
	if (session && caller->debug_hang && attempt->number > 0) {
		hb_info("  debug: asking the board to hang again");
		status = session_send_only(session, MSG_DEBUG_HANG, NULL, 0);
	}
	if (status == HB_OK)
		status = (caller->measure ? caller->measure : benchmark_measure_one)(
		    session, model, &counted, result);
	if (counting)
		result->warmups = caller->warmups; /* the one that counted was one of them */
	if (session) {
		attempt->counted_units = session->deadlines.counted_units;
		attempt->awaiting = session->awaiting;
		attempt->board_error = session->board_error;
		attempt->deadline_ms =
		    session->awaiting ? session->awaiting_deadline_ms : session->timeout_ms;
		result->deadlines = session->deadlines;
		result->have_deadlines = true;
	}
	return status;
}

/* How long a real board's console may take to come back after a power
 * cycle: a probe's USB serial port goes with the power and is enumerated
 * again a second or two after it returns. */
#define POWER_CYCLE_CONSOLE_WAIT_MS  10000
#define POWER_CYCLE_CONSOLE_RETRY_MS 250

/* After a power cycle: the real board's console opened again, retried
 * until its port is back or POWER_CYCLE_CONSOLE_WAIT_MS pass. */
static int reopen_console(const struct board_link *link, const struct benchmark_options *options,
			  struct run_result *result)
{
	const int64_t give_up = clock_now_ms() + POWER_CYCLE_CONSOLE_WAIT_MS;
	const struct timespec pause = {0, POWER_CYCLE_CONSOLE_RETRY_MS * 1000000L};
	int status;

	close_console(link->console, result);
	for (;;) {
		const bool was_quiet = hb_quiet_errors(true);
		status = open_console(link->board, link->board->console.transport,
				      link->board->console.device, link->console);
		hb_quiet_errors(was_quiet);
		if (status == HB_OK || clock_now_ms() >= give_up)
			break;
		nanosleep(&pause, NULL);
	}
	if (status != HB_OK)
		return hb_error(HB_ERR_INFRASTRUCTURE,
				"board '%s': its console '%s' did not come back within %d s of the "
				"power cycle: %s",
				link->board->id, link->board->console.device,
				POWER_CYCLE_CONSOLE_WAIT_MS / 1000, hb_last_error());
	return connect_console(link->board, options, link->flash, link->console, result);
}

/* Restarts the board (reflash: programs it again; else its reset, or the
 * lab map's power switch when that fails or the board stayed silent after
 * the last restart), reopening an emulator's console, or a real one's
 * after a power cycle; appends what it did to event->action. */
static int reset_board(const struct board_link *link, const struct benchmark_options *options,
		       bool reflash, bool silent_after_restart, struct run_result *result,
		       struct recovery_event *event)
{
	const struct recovery_board board = {.board_id = link->board->id,
					     .flasher = link->flasher,
					     .request = link->request,
					     .flash = link->flash,
					     .power_cycle = &link->board->instance.power_cycle};
	bool power_cycled = false;
	int status;

	if (link->flasher->emulator)
		close_console(link->console, result);
	if (reflash || !link->flasher->reset)
		*link->started = false;
	status = reflash ? recovery_restart(&board, true, event)
			 : recovery_restart_or_power_cycle(&board, silent_after_restart,
							   &power_cycled, event);
	*link->started = status == HB_OK;
	if (status == HB_OK && power_cycled && !link->flasher->emulator)
		status = reopen_console(link, options, result);
	else if (status == HB_OK)
		status = connect_console(link->board, options, link->flash, link->console, result);
	return status;
}

/* Where a run stands: the first unfinished sample of a suite (its measure
 * keeps outputs_compared so), or the runs of a plain run recorded. */
static uint32_t progress(const struct benchmark_options *options, const struct run_result *result)
{
	return options->measure ? result->outputs_compared : (uint32_t)result->run_count;
}

/* What the image check after a restart leaves the recovery to do. */
enum image_check_outcome {
	IMAGE_GO_ON,	  /* the attempt's own status and cause decide */
	IMAGE_TALK_AGAIN, /* the board was reflashed: another attempt */
	IMAGE_FAILED,	  /* the reflash failed, or the board was given up on */
};

/* After a restart: a board reset by its pin keeps its flash, so it is
 * reflashed only when the image it reported in this attempt's HELLO
 * (`hello`, NULL: none) is not the host's, and given up on when it is
 * still not after the reflash (*status and *cause then say so). */

static enum image_check_outcome
check_image_after_restart(const struct board_link *link, const struct benchmark_options *options,
			  const struct loaded_model *model, const struct msg_hello_reply *hello,
			  bool *reflashed, struct run_result *result, struct recovery_event *event,
			  int *status, enum recovery_cause *cause)
{
	const struct model_image_header *header = (const void *)model->compiled.image;
	const struct recovery_board board = {
	    .board_id = link->board->id, .flasher = link->flasher, .flash = link->flash};

	switch (recovery_check_image(hello, header->crc32, *reflashed, event)) {
	case RECOVERY_IMAGE_REFLASH:
		recovery_attempt_end(true);
		*reflashed = true;
		*status = reset_board(link, options, true, false, result, event);
		if (*status == HB_OK)
			return IMAGE_TALK_AGAIN;
		*cause = RECOVERY_NOT_RECOVERABLE;
		return IMAGE_FAILED;
	case RECOVERY_IMAGE_GIVE_UP:
		recovery_attempt_end(true);
		*status = recovery_image_error(&board, hello, header->crc32);
		*cause = RECOVERY_NOT_RECOVERABLE;
		return IMAGE_FAILED;
	default: return IMAGE_GO_ON;
	}
}

/* The one error of a run given up on, over the attempts' own (shown as
 * warnings): an infrastructure failure (exit 3) naming the board, the
 * request and its deadline. */
static int give_up(const struct board_link *link, const struct attempt *attempt, uint32_t resets,
		   int status)
{
	char last[1024];

	snprintf(last, sizeof last, "%s", hb_last_error());
	recovery_attempt_end(true);
	return hb_error(status == HB_ERR_TIMEOUT ? HB_ERR_TIMEOUT : HB_ERR_INFRASTRUCTURE,
			"%s; gave up on board '%s' after %u resets (request %s, deadline %.1f s)",
			last, link->board->id, resets,
			attempt->awaiting ? msg_type_name(attempt->awaiting) : "-",
			attempt->deadline_ms / 1000.0);
}

/* talk() until it succeeds, fails in a way no reset mends, or has used its
 * RECOVERY_MAX_RESETS; each reset is recorded (result->recoveries). */
static int talk_recovering(const struct board_link *link, const struct loaded_model *model,
			   const struct benchmark_options *options, struct run_result *result)
{
	struct attempt attempt = {.options = options, .board = link->board};
	struct benchmark_options attempt_options = *options;
	struct session_counters carried;
	struct recovery_event *event = NULL;
	struct msg_hello_reply earlier_hello;
	enum recovery_cause cause;
	uint32_t resets = 0;
	bool reflashed = false;
	bool restarted = false; /* the board was restarted since the last image check */
	bool hello_seen;
	bool silent_after_restart; /* no HELLO answered after the last restart */
	const bool corrupt_pending = debug_hooks_corrupt_pending(options->hooks);
	int status;

	memset(&carried, 0, sizeof carried);
	attempt_options.measure = measure_attempt;
	attempt_options.measure_context = &attempt;
	attempt_options.timeout_ms =
	    options->timeout_ms > 0 ? options->timeout_ms : DEADLINE_HANDSHAKE_MS;
	for (;;) {
		memset(&result->counters, 0, sizeof result->counters);
		attempt.awaiting = 0;
		attempt.deadline_ms = 0;
		attempt.board_error = 0;
		/* A HELLO answered in this attempt fills it again (its version is never 0). */
		earlier_hello = result->hello;
		memset(&result->hello, 0, sizeof result->hello);
		recovery_attempt_begin(true);
		status = talk(link->board, model, &attempt_options, *link->console, result);
		hello_seen = result->hello.protocol_version != 0;
		if (!hello_seen)
			result->hello = earlier_hello;
		cause =
		    recovery_classify(status, result->counters.unasked_boots, attempt.board_error);
		session_counters_add(&carried, &result->counters);
		silent_after_restart = restarted && !hello_seen && cause == RECOVERY_CAUSE_DEADLINE;
		if (event && restarted) {
			enum image_check_outcome image = check_image_after_restart(
			    link, options, model, hello_seen ? &result->hello : NULL, &reflashed,
			    result, event, &status, &cause);
			restarted = image == IMAGE_TALK_AGAIN;
			if (image == IMAGE_TALK_AGAIN)
				continue;
			if (image == IMAGE_FAILED) {
				snprintf(event->outcome, sizeof event->outcome, "failed: %s",
					 hb_last_error());
				break;
			}
		}
		/* Recovered when the board got past the point where it stopped. */
		if (event)
			snprintf(event->outcome, sizeof event->outcome, "%s",
				 status == HB_OK || progress(options, result) > event->index
				     ? "recovered"
				     : "failed again at the same point");
		if (status == HB_OK || cause == RECOVERY_NOT_RECOVERABLE ||
		    resets == RECOVERY_MAX_RESETS)
			break;
		recovery_attempt_end(true);
		resets++;
		event = recovery_note(&result->recoveries, cause,
				      attempt.awaiting ? msg_type_name(attempt.awaiting) : "-",
				      options->measure ? "sample" : "run",
				      progress(options, result), attempt.deadline_ms);
		hb_warn("board '%s': %s; resetting it (%u of %u)", link->board->id, event->cause,
			resets, RECOVERY_MAX_RESETS);
		save(result);
		reflashed = false;
		restarted = true;
		attempt.number++;
		status = reset_board(link, options, false, silent_after_restart, result, event);
		if (status != HB_OK) {
			snprintf(event->outcome, sizeof event->outcome, "failed: %s",
				 hb_last_error());
			cause = RECOVERY_NOT_RECOVERABLE;
			break;
		}
	}
	if (status != HB_OK && resets > 0 && cause != RECOVERY_NOT_RECOVERABLE)
		status = give_up(link, &attempt, resets, status);
	else
		recovery_attempt_end(false);
	if (status == HB_OK)
		debug_hooks_check_corrupt(options->hooks, corrupt_pending, &result->recoveries,
					  link->board->id);
	result->counters = carried;
	return status;
}

int benchmark_run(const struct board_profile *board, const struct loaded_model *model,
		  const struct benchmark_options *options, struct run_result *result)
{
	const struct flasher_driver *flasher = flasher_find(board->flasher.driver);
	struct flash_session flash;
	struct flash_request request;
	char run_dir[200];
	const double start = clock_now_seconds();
	struct transport *console = NULL;
	bool started = false;
	int status;

	result_init(result, board, model, options->results_dir);
	result->input_seed = options->input_seed;

	status = options->results_dir ? file_make_dirs(options->results_dir) : HB_OK;
	if (status != HB_OK)
		return status;
	if (!flasher)
		return hb_error(HB_ERR_INPUT, "board '%s': unknown flasher '%s'", board->id,
				board->flasher.driver);
	if (options->line_rate > 0 && !flasher->emulator)
		return hb_error(
		    HB_ERR_USAGE,
		    "board '%s': --debug-line-rate paces an emulated console; this board's "
		    "console is a real line (%s)",
		    board->id, board->console.transport);
	if (!protocol_find(options->protocol))
		return hb_error(HB_ERR_USAGE, "unknown protocol '%s'", options->protocol);
	{
		/* hilbench firmware that speaks the run's protocol. */
		const struct firmware_options build = {
		    .protocol = protocol_find(options->protocol)->firmware_protocol,
		    .model_name = options->model_name};
		status = options->firmware ? firmware_describe(options->firmware, &result->firmware)
					   : firmware_build_with(board, &build, &result->firmware);
	}
	if (status == HB_OK)
		status = elf_sizes_read(result->firmware.elf_path, &result->sizes);
	if (status == HB_OK) {
		result->have_sizes = true;
		status = check_fits(board, model, &result->sizes);
	}
	if (status != HB_OK) {
		result_fail(result, status);
		save(result);
		return status;
	}
	save(result);

	status = make_run_dir(run_dir, sizeof run_dir);
	if (status != HB_OK)
		return status;
	request = (struct flash_request){.board = board,
					 .firmware_elf = result->firmware.elf_path,
					 .model_image = model->image_path,
					 .model_address = board->model.origin,
					 .run_dir = run_dir,
					 .timeout_ms = 60000};
	memset(&flash, 0, sizeof flash);
	if (!flasher->emulator)
		status =
		    open_console(board, board->console.transport, board->console.device, &console);
	if (status == HB_OK) {
		hb_info("starting board '%s' with %s", board->id, flasher->name);
		status = flasher->start(&request, &flash);
		started = status == HB_OK;
	}
	if (status == HB_OK)
		status = connect_console(board, options, &flash, &console, result);
	if (status == HB_OK) {
		struct board_link link = {.board = board,
					  .flasher = flasher,
					  .request = &request,
					  .flash = &flash,
					  .console = &console,
					  .started = &started};
		status = talk_recovering(&link, model, options, result);
	}
	close_console(&console, result);
	if (started && !protocol_find(options->protocol)->board_exits) {
		/* Firmware that never exits (MLPerf Tiny): stopped, not waited for. */
		int stop_status = flasher->stop(&flash, 0);
		if (stop_status >= 0)
			result->target_exit_status = stop_status;
	} else if (started) {
		int stop_status = flasher->stop(&flash, status == HB_OK ? STOP_TIMEOUT_MS : 0);
		if (stop_status >= 0)
			result->target_exit_status = stop_status;
		if (status == HB_OK && stop_status < 0)
			status = stop_status; /* the board had to be stopped: already reported */
		else if (status == HB_OK && stop_status > 0)
			status =
			    hb_error(HB_ERR_TOOL, "board '%s' stopped with status %d (log: %s)",
				     board->id, stop_status, flash.log_path);
	}
	result_finish(result, status, clock_now_seconds() - start);
	int save_status = save(result);
	if (status == HB_OK) {
		/* Keep the tool logs of a failed run for the user; drop a clean one's. */
		if (file_remove_scratch_dir(run_dir) != HB_OK)
			hb_warn("run folder '%s' left behind", run_dir);
		status = save_status;
	}
	return status;
}
