/*
 * The QEMU "flasher": runs the firmware ELF as -kernel under qemu-system-arm.
 *
 * -icount shift=0 makes one guest instruction one virtual nanosecond, so
 * counts repeat exactly run to run. The UART is a unix socket in the run
 * directory with wait=on: QEMU holds the guest until we connect, so no
 * byte is lost, and parallel runs cannot clash on a port number.
 * -nographic is avoided on purpose: its stdio mux is not binary safe.
 * Semihosting lets the firmware end QEMU with an exit status.
 */
#include "flash/flasher.h"

#include "util/clock.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QEMU_PROGRAM	    "qemu-system-arm"
#define QEMU_INSTALL_HINT   "install qemu-system-arm, or run scripts/install-deps.sh"
#define QEMU_SOCKET_WAIT_MS 5000
#define QEMU_POLL_MS	    5

/* The line of QEMU's log that explains an early exit: its last
 * "qemu-system-arm: ..." line (without that prefix), else the last line.
 * QEMU often follows the error with advice ("Use -machine help ..."). */
static void qemu_log_reason(const char *log_path, char *reason, size_t capacity)
{
	static const char prefix[] = QEMU_PROGRAM ": ";
	char line[512];
	bool have_error = false;
	FILE *log = fopen(log_path, "r");

	snprintf(reason, capacity, "it printed nothing");
	if (!log)
		return;
	while (fgets(line, sizeof line, log)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (strncmp(line, prefix, sizeof prefix - 1) == 0) {
			snprintf(reason, capacity, "%s", line + sizeof prefix - 1);
			have_error = true;
		} else if (!have_error) {
			snprintf(reason, capacity, "%s", line);
		}
	}
	fclose(log);
}

static int qemu_available(const struct board_profile *board, char *why, size_t why_capacity)
{
	char path[4096];

	(void)board;
	return flasher_find_tool(QEMU_PROGRAM, QEMU_INSTALL_HINT, path, sizeof path, why,
				 why_capacity);
}

static bool is_socket(const char *path)
{
	struct stat info;
	return stat(path, &info) == 0 && S_ISSOCK(info.st_mode);
}

/* Waits for QEMU to create the UART socket; QEMU then blocks until a client
 * connects. An early exit is reported with QEMU's own reason. */
static int qemu_wait_for_socket(struct flash_session *session, const char *socket_path)
{
	int64_t deadline = clock_now_ms() + QEMU_SOCKET_WAIT_MS;
	char reason[512];

	for (;;) {
		if (spawn_wait(&session->process, 0) == HB_OK) {
			qemu_log_reason(session->log_path, reason, sizeof reason);
			return hb_error(HB_ERR_TOOL,
					"%s exited with status %d before the board started: %s",
					QEMU_PROGRAM, session->process.exit_status, reason);
		}
		if (is_socket(socket_path))
			return HB_OK;
		if (clock_now_ms() >= deadline)
			break;
		usleep(QEMU_POLL_MS * 1000);
	}
	spawn_stop(&session->process);
	return hb_error(HB_ERR_TIMEOUT,
			"%s did not create the UART socket '%s' within %d ms (see %s)",
			QEMU_PROGRAM, socket_path, QEMU_SOCKET_WAIT_MS, session->log_path);
}

static int qemu_start(const struct flash_request *request, struct flash_session *session)
{
	const struct board_profile *board = request->board;
	struct sockaddr_un unix_address;
	struct spawn_options options = {0};
	char program_path[4096];
	char socket_path[sizeof unix_address.sun_path + 16];
	char chardev[600];
	char loader[4200];
	int status;

	memset(session, 0, sizeof *session);
	status = flasher_find_tool(QEMU_PROGRAM, QEMU_INSTALL_HINT, program_path,
				   sizeof program_path, NULL, 0);
	if (status != HB_OK)
		return status;
	if (board->flasher.machine[0] == '\0')
		return hb_error(HB_ERR_INPUT,
				"%s: flasher.machine: expected a QEMU machine name (-M)",
				board->path[0] ? board->path : board->id);
	if (access(request->firmware_elf, R_OK) != 0)
		return hb_error(HB_ERR_NOT_FOUND, "cannot start board '%s': firmware '%s': %s",
				board->id, request->firmware_elf, strerror(errno));
	if ((size_t)snprintf(socket_path, sizeof socket_path, "%s/uart0.sock", request->run_dir) >=
		sizeof unix_address.sun_path ||
	    (size_t)snprintf(session->log_path, sizeof session->log_path, "%s/qemu.log",
			     request->run_dir) >= sizeof session->log_path)
		return hb_error(HB_ERR_INPUT,
				"cannot start board '%s': run directory '%s' is too long for a "
				"unix socket path (at most %zu bytes)",
				board->id, request->run_dir,
				sizeof unix_address.sun_path - sizeof "/uart0.sock");
	snprintf(session->console_transport, sizeof session->console_transport, "tcp");
	snprintf(session->console_address, sizeof session->console_address, "unix:%s", socket_path);
	snprintf(chardev, sizeof chardev, "socket,id=uart0,path=%s,server=on,wait=on", socket_path);

	/* A socket left by an earlier run would look like this QEMU's. */
	if (unlink(socket_path) != 0 && errno != ENOENT)
		return hb_error(HB_ERR_IO, "cannot start board '%s': cannot remove stale '%s': %s",
				board->id, socket_path, strerror(errno));

	if (request->model_image) {
		if (access(request->model_image, R_OK) != 0)
			return hb_error(HB_ERR_NOT_FOUND,
					"cannot start board '%s': model image '%s': %s", board->id,
					request->model_image, strerror(errno));
		/* QEMU splits -device options at commas: a path with one cannot be passed. */
		if (strchr(request->model_image, ',') ||
		    (size_t)snprintf(loader, sizeof loader, "loader,file=%s,addr=0x%08x",
				     request->model_image, request->model_address) >= sizeof loader)
			return hb_error(HB_ERR_INPUT,
					"cannot start board '%s': model image path '%s' is too "
					"long or has a comma",
					board->id, request->model_image);
	}

	const char *const argv[] = {
	    QEMU_PROGRAM,
	    "-M",
	    board->flasher.machine,
	    "-kernel",
	    request->firmware_elf,
	    "-display",
	    "none",
	    "-monitor",
	    "none",
	    "-icount",
	    "shift=0,align=off,sleep=off",
	    "-semihosting-config",
	    "enable=on,target=native",
	    "-chardev",
	    chardev,
	    "-serial",
	    "chardev:uart0",
	    request->model_image ? "-device" : NULL,
	    loader,
	    NULL,
	};
	options.log_path = session->log_path;
	status = spawn_start(argv, &options, &session->process);
	if (status != HB_OK)
		return status;
	return qemu_wait_for_socket(session, socket_path);
}

/* Ending QEMU ourselves gives HB_ERR_TIMEOUT, never its exit status: a
 * SIGTERM'd QEMU exits with 0, which would pass for a clean firmware exit.
 * timeout_ms == 0 means the caller is on an error path and only wants QEMU
 * gone, so then nothing is reported over the caller's own message. */
static int qemu_stop(struct flash_session *session, int timeout_ms)
{
	const char *address = session->console_address;
	bool stopped = false;

	if (session->process.pid > 0 && spawn_wait(&session->process, timeout_ms) != HB_OK) {
		spawn_stop(&session->process);
		stopped = true;
	}
	if (strncmp(address, "unix:", 5) == 0)
		unlink(address + 5);
	if (!session->process.exited)
		return hb_error(HB_ERR_INTERNAL, "%s was not started", QEMU_PROGRAM);
	if (!stopped)
		return session->process.exit_status;
	if (timeout_ms == 0)
		return HB_ERR_TIMEOUT;
	return hb_error(HB_ERR_TIMEOUT,
			"%s did not exit within %d ms (the firmware did not end through "
			"semihosting); stopped it (see %s)",
			QEMU_PROGRAM, timeout_ms, session->log_path);
}

/* A new machine on the same images: what a reset pin does to an MPS2 board
 * (QEMU's own system reset would keep the guest's RAM). */
static int qemu_reset(const struct flash_request *request, struct flash_session *session)
{
	qemu_stop(session, 0);
	return qemu_start(request, session);
}

static const char *const qemu_profile_fields[] = {"driver", "machine", NULL};

static void qemu_check_profile(struct json_reader *reader, const struct board_profile *board)
{
	if (!board->flasher.machine[0])
		json_fail(reader, "missing field 'flasher.machine' (expected a QEMU "
				  "machine name such as \"mps2-an386\" with driver \"qemu\")");
	if (board->counter != PROFILE_COUNTER_EMULATED_INSTRUCTIONS)
		json_fail(reader,
			  "field 'cycle_counter': expected \"emulated-instructions\" "
			  "with flasher driver \"qemu\", got \"%s\"",
			  profile_counter_name(board->counter));
	if (board->verified != PROFILE_VERIFIED_EMULATED)
		json_fail(reader,
			  "field 'verified': expected \"emulated\" with flasher "
			  "driver \"qemu\", got \"%s\"",
			  profile_verified_name(board->verified));
}

const struct flasher_driver flasher_qemu = {
    .name = "qemu",
    .emulator = true,
    .profile_fields = qemu_profile_fields,
    .check_profile = qemu_check_profile,
    .available = qemu_available,
    .start = qemu_start,
    .reset = qemu_reset,
    .stop = qemu_stop,
};
