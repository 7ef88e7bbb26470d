/*
 * The OpenOCD flasher: `openocd -f IF -f TARGET -c "program {ELF} verify
 * reset exit"`, then the board runs on its own and its console is the
 * serial port named in the profile.
 *
 * OpenOCD explains failures in a log full of Info lines; we read it back
 * and turn the failure into one line that says which probe or chip could
 * not be reached and what to check. The patterns are the messages of
 * OpenOCD 0.12 (checked with no probe attached for stlink, cmsis-dap,
 * jlink and ftdi interfaces).
 */
#include "flash/flasher.h"

#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define OPENOCD_PROGRAM		   "openocd"
#define OPENOCD_INSTALL_HINT	   "install openocd, or run scripts/install-deps.sh"
#define OPENOCD_DEFAULT_TIMEOUT_MS 60000

enum openocd_failure {
	FAILURE_OTHER,
	FAILURE_NO_PROBE,
	FAILURE_PROBE_ACCESS,
	FAILURE_CONFIG_MISSING,
	FAILURE_NO_TARGET,
	FAILURE_FIRMWARE,
	FAILURE_VERIFY,
};

struct openocd_pattern {
	const char *text;
	enum openocd_failure failure;
};

/* Checked in this order; the first line matching any pattern decides. */
static const struct openocd_pattern openocd_patterns[] = {
    {"LIBUSB_ERROR_ACCESS", FAILURE_PROBE_ACCESS},
    {"Can't find ", FAILURE_CONFIG_MISSING},
    {"Error: open failed", FAILURE_NO_PROBE}, /* stlink (hla and dap) */
    {"unable to find a matching CMSIS-DAP device", FAILURE_NO_PROBE},
    {"unable to find a CMSIS-DAP device", FAILURE_NO_PROBE},
    {"No J-Link device found", FAILURE_NO_PROBE},
    {"unable to open ftdi device", FAILURE_NO_PROBE},
    {"Error: no device found", FAILURE_NO_PROBE},	 /* ftdi */
    {"could not find or open device", FAILURE_NO_PROBE}, /* xds110 */
    {"init mode failed", FAILURE_NO_TARGET},
    {"Error connecting DP", FAILURE_NO_TARGET},
    {"unable to connect to the target", FAILURE_NO_TARGET},
    {"target voltage may be too low", FAILURE_NO_TARGET},
    {"couldn't open", FAILURE_FIRMWARE},
    {"checksum mismatch", FAILURE_VERIFY},
    {"Verify Failed", FAILURE_VERIFY},
    {"verification failed", FAILURE_VERIFY},
};

#define OPENOCD_PATTERN_COUNT (sizeof openocd_patterns / sizeof openocd_patterns[0])

/* Reads the log and picks the failure kind and the line that shows it. With
 * no known pattern, the last "Error" line, else the last line, is quoted. */
static enum openocd_failure openocd_classify(const char *log_path, char *evidence, size_t capacity)
{
	size_t best_rank = OPENOCD_PATTERN_COUNT;
	bool have_error_line = false;
	char line[512];
	FILE *log = fopen(log_path, "r");

	snprintf(evidence, capacity, "no output");
	if (!log)
		return FAILURE_OTHER;
	while (fgets(line, sizeof line, log)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || strncmp(line, "Info :", 6) == 0)
			continue;
		for (size_t rank = 0; rank < best_rank; rank++) {
			if (strstr(line, openocd_patterns[rank].text)) {
				best_rank = rank;
				snprintf(evidence, capacity, "%s", line);
				break;
			}
		}
		if (best_rank < OPENOCD_PATTERN_COUNT)
			continue;
		if (strncmp(line, "Error", 5) == 0) {
			snprintf(evidence, capacity, "%s", line);
			have_error_line = true;
		} else if (!have_error_line && strstr(line, "shutdown command invoked") == NULL) {
			snprintf(evidence, capacity, "%s", line);
		}
	}
	fclose(log);
	return best_rank < OPENOCD_PATTERN_COUNT ? openocd_patterns[best_rank].failure
						 : FAILURE_OTHER;
}

static int openocd_report(const struct flash_request *request, const char *verb,
			  const char *log_path, int exit_status)
{
	const struct board_profile *board = request->board;
	const char *probe = board->flasher.interface_cfg[0] ? board->flasher.interface_cfg
							    : board->flasher.target_cfg;
	char evidence[512];

	switch (openocd_classify(log_path, evidence, sizeof evidence)) {
	case FAILURE_NO_PROBE:
		return hb_error(HB_ERR_TOOL,
				"cannot %s board '%s': openocd found no debug probe (%s): %s; "
				"is the board connected by USB?",
				verb, board->id, probe, evidence);
	case FAILURE_PROBE_ACCESS:
		return hb_error(HB_ERR_TOOL,
				"cannot %s board '%s': openocd may not open the debug probe "
				"(%s): %s; install OpenOCD's udev rules (60-openocd.rules) or "
				"check the USB device permissions",
				verb, board->id, probe, evidence);
	case FAILURE_CONFIG_MISSING:
		return hb_error(
		    HB_ERR_TOOL,
		    "cannot %s board '%s': openocd cannot find a config script: %s; check "
		    "flasher.interface_cfg '%s' and flasher.target_cfg '%s' in the board profile",
		    verb, board->id, evidence, board->flasher.interface_cfg,
		    board->flasher.target_cfg);
	case FAILURE_NO_TARGET:
		return hb_error(
		    HB_ERR_TOOL,
		    "cannot %s board '%s': openocd reached the probe (%s) but not the chip "
		    "(%s): %s; is the board powered and the debug cable seated?",
		    verb, board->id, probe, board->flasher.target_cfg, evidence);
	case FAILURE_FIRMWARE:
		return hb_error(HB_ERR_TOOL, "cannot %s board '%s': openocd cannot read '%s': %s",
				verb, board->id, request->firmware_elf, evidence);
	case FAILURE_VERIFY:
		return hb_error(
		    HB_ERR_TOOL,
		    "cannot %s board '%s': openocd wrote the firmware but verification failed: "
		    "%s; try again, or check the flash region of the board profile",
		    verb, board->id, evidence);
	default:
		return hb_error(HB_ERR_TOOL,
				"cannot %s board '%s': openocd exited with status %d: %s (see %s)",
				verb, board->id, exit_status, evidence, log_path);
	}
}

static int openocd_available(const struct board_profile *board, char *why, size_t why_capacity)
{
	char path[4096];

	(void)board;
	return flasher_find_tool(OPENOCD_PROGRAM, OPENOCD_INSTALL_HINT, path, sizeof path, why,
				 why_capacity);
}

/* The path goes into a Tcl word in braces; these would end or change it. */
static int openocd_check_path(const struct board_profile *board, const char *what, const char *path)
{
	for (const char *cursor = path; *cursor; cursor++) {
		unsigned char c = (unsigned char)*cursor;
		if (c < 0x20 || c == 0x7F || strchr("\"{}[]$\\", c))
			return hb_error(HB_ERR_INPUT,
					"cannot flash board '%s': %s path '%s' contains a "
					"character OpenOCD's Tcl cannot take (one of \" { } [ ] $ "
					"\\ or a control character); use a plainer path",
					board->id, what, path);
	}
	return HB_OK;
}

/* A lab map's probe serial number picks this board's probe among several
 * of a kind: `adapter serial`, before the init that opens the probe. */
static void openocd_add_probe(const struct board_profile *board, const char **argv, size_t *count,
			      char *command, size_t capacity)
{
	if (!board->instance.probe_serial[0])
		return;
	snprintf(command, capacity, "adapter serial %s", board->instance.probe_serial);
	argv[(*count)++] = "-c";
	argv[(*count)++] = command;
}

/* openocd, its probe and target scripts, and the probe's serial: what every
 * command line starts with. Returns the count of argv filled. */
static size_t openocd_argv_start(const struct board_profile *board, const char **argv,
				 char *probe_command, size_t probe_capacity)
{
	size_t count = 0;

	argv[count++] = OPENOCD_PROGRAM;
	/* A board script may pick its own probe; then there is no interface. */
	if (board->flasher.interface_cfg[0]) {
		argv[count++] = "-f";
		argv[count++] = board->flasher.interface_cfg;
	}
	argv[count++] = "-f";
	argv[count++] = board->flasher.target_cfg;
	openocd_add_probe(board, argv, &count, probe_command, probe_capacity);
	return count;
}

/* Runs openocd to its end within timeout_ms; `action` ("flash", "reset")
 * names what failed, from the log. */
static int openocd_run(const struct flash_request *request, struct flash_session *session,
		       const char *const *argv, int timeout_ms, const char *action)
{
	struct spawn_options options = {0};
	int status;

	options.log_path = session->log_path;
	status = spawn_start(argv, &options, &session->process);
	if (status != HB_OK)
		return status;
	if (spawn_wait(&session->process, timeout_ms) != HB_OK) {
		spawn_stop(&session->process);
		return hb_error(
		    HB_ERR_TIMEOUT,
		    "cannot %s board '%s': openocd did not finish within %d ms (see %s)", action,
		    request->board->id, timeout_ms, session->log_path);
	}
	if (session->process.exit_status != 0)
		return openocd_report(request, action, session->log_path,
				      session->process.exit_status);
	return HB_OK;
}

static int openocd_start(const struct flash_request *request, struct flash_session *session)
{
	const struct board_profile *board = request->board;
	const char *argv[12];
	char program_path[4096];
	char probe_command[96];
	char command[4200];
	char model_command[4200];
	size_t count = 0;
	int timeout_ms = request->timeout_ms > 0 ? request->timeout_ms : OPENOCD_DEFAULT_TIMEOUT_MS;
	int status;

	memset(session, 0, sizeof *session);
	snprintf(session->console_transport, sizeof session->console_transport, "%s",
		 board->console.transport);
	snprintf(session->console_address, sizeof session->console_address, "%s",
		 board->console.device);
	if (board->flasher.target_cfg[0] == '\0')
		return hb_error(
		    HB_ERR_INPUT,
		    "%s: flasher.target_cfg: expected an OpenOCD target or board script",
		    board->path[0] ? board->path : board->id);
	status = openocd_check_path(board, "firmware", request->firmware_elf);
	if (status == HB_OK && request->model_image)
		status = openocd_check_path(board, "model image", request->model_image);
	if (status != HB_OK)
		return status;
	status = flasher_find_tool(OPENOCD_PROGRAM, OPENOCD_INSTALL_HINT, program_path,
				   sizeof program_path, NULL, 0);
	if (status != HB_OK)
		return status;
	if (access(request->firmware_elf, R_OK) != 0)
		return hb_error(HB_ERR_NOT_FOUND, "cannot flash board '%s': firmware '%s': %s",
				board->id, request->firmware_elf, strerror(errno));
	if (request->model_image &&
	    (size_t)snprintf(model_command, sizeof model_command, "program {%s} verify 0x%08x",
			     request->model_image, request->model_address) >= sizeof model_command)
		return hb_error(HB_ERR_INPUT, "cannot flash board '%s': model image path too long",
				board->id);
	if ((size_t)snprintf(command, sizeof command, "program {%s} verify reset exit",
			     request->firmware_elf) >= sizeof command ||
	    (size_t)snprintf(session->log_path, sizeof session->log_path, "%s/openocd.log",
			     request->run_dir) >= sizeof session->log_path)
		return hb_error(HB_ERR_INPUT,
				"cannot flash board '%s': firmware or run directory path too long",
				board->id);

	count = openocd_argv_start(board, argv, probe_command, sizeof probe_command);
	/* The model first: the firmware's program command resets and exits. */
	if (request->model_image) {
		argv[count++] = "-c";
		argv[count++] = model_command;
	}
	argv[count++] = "-c";
	argv[count++] = command;
	argv[count] = NULL;
	return openocd_run(request, session, argv, timeout_ms, "flash");
}

/* `reset run` through the probe, nothing programmed: the flash keeps what
 * the last start wrote. Reported as a flash failure would be, from the log. */
static int openocd_reset(const struct flash_request *request, struct flash_session *session)
{
	const struct board_profile *board = request->board;
	const char *argv[14];
	char program_path[4096];
	char probe_command[96];
	size_t count = 0;
	int timeout_ms = request->timeout_ms > 0 ? request->timeout_ms : OPENOCD_DEFAULT_TIMEOUT_MS;
	int status = flasher_find_tool(OPENOCD_PROGRAM, OPENOCD_INSTALL_HINT, program_path,
				       sizeof program_path, NULL, 0);

	if (status != HB_OK)
		return status;
	if ((size_t)snprintf(session->log_path, sizeof session->log_path, "%s/openocd-reset.log",
			     request->run_dir) >= sizeof session->log_path)
		return hb_error(HB_ERR_INPUT, "cannot reset board '%s': run directory too long",
				board->id);
	count = openocd_argv_start(board, argv, probe_command, sizeof probe_command);
	argv[count++] = "-c";
	argv[count++] = "init";
	argv[count++] = "-c";
	argv[count++] = "reset run";
	argv[count++] = "-c";
	argv[count++] = "shutdown";
	argv[count] = NULL;
	return openocd_run(request, session, argv, timeout_ms, "reset");
}

static int openocd_stop(struct flash_session *session, int timeout_ms)
{
	/* openocd exited after programming; the board runs on its own. */
	(void)session;
	(void)timeout_ms;
	return 0;
}

static const char *const openocd_profile_fields[] = {"driver", "interface", "target", NULL};

static void openocd_check_profile(struct json_reader *reader, const struct board_profile *board)
{
	if (!board->flasher.interface_cfg[0])
		json_fail(reader, "missing field 'flasher.interface' (expected an OpenOCD config "
				  "such as \"interface/stlink.cfg\" with driver \"openocd\")");
	if (!board->flasher.target_cfg[0])
		json_fail(reader, "missing field 'flasher.target' (expected an OpenOCD config "
				  "such as \"target/stm32f4x.cfg\" with driver \"openocd\")");
	if (board->counter == PROFILE_COUNTER_EMULATED_INSTRUCTIONS)
		json_fail(reader, "field 'cycle_counter': expected \"dwt\" or \"systick\" with "
				  "flasher driver \"openocd\", got \"emulated-instructions\"");
	if (board->verified == PROFILE_VERIFIED_EMULATED)
		json_fail(reader, "field 'verified': expected \"compile-only\" or \"hardware\" "
				  "with flasher driver \"openocd\", got \"emulated\"");
}

const struct flasher_driver flasher_openocd = {
    .name = "openocd",
    .profile_fields = openocd_profile_fields,
    .check_profile = openocd_check_profile,
    .ready_note = "if the probe is attached",
    .available = openocd_available,
    .start = openocd_start,
    .reset = openocd_reset,
    .stop = openocd_stop,
};
