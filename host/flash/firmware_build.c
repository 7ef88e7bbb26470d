#include "flash/firmware_build.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "crc32.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/paths.h"
#include "util/spawn.h"

#define BUILD_TIMEOUT_MS (5 * 60 * 1000)
/* firmware.mk checks the same bound. */
#define FIRMWARE_MODEL_NAME_MAX 31

/* The last non-empty line of a log, for one-line error messages. */
static void last_log_line(const char *path, char *line, size_t capacity)
{
	uint8_t *text;
	size_t length;
	char *end, *start;

	line[0] = '\0';
	if (file_read_all(path, 1 << 24, "a build log", &text, &length) != HB_OK)
		return;
	end = (char *)text + length;
	while (end > (char *)text && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = end;
	while (start > (char *)text && start[-1] != '\n')
		start--;
	snprintf(line, capacity, "%s", start);
	free(text);
}

static int run_and_wait(const char *const argv[], const char *log_path, int timeout_ms)
{
	/* make ends its compilers and deletes a half-written target on SIGTERM,
	 * so a killed hilbench leaves no process and no torn object file. */
	struct spawn_options options = {
	    .log_path = log_path, .workdir = paths_root(), .death_signal = SIGTERM};
	struct child child;
	int status = spawn_start(argv, &options, &child);

	if (status != HB_OK)
		return status;
	status = spawn_wait(&child, timeout_ms);
	if (status != HB_OK) {
		spawn_stop(&child);
		return hb_error(status, "'%s' did not finish within %d s", argv[0],
				timeout_ms / 1000);
	}
	return child.exit_status;
}

static void read_compiler_version(const char *folder, char *out, size_t capacity)
{
	const char *argv[] = {"arm-none-eabi-gcc", "--version", NULL};
	char log_path[600];
	uint8_t *text;
	size_t length;

	snprintf(out, capacity, "unknown");
	/* One file per process: two runs on boards of the same profile share
	 * the folder, and one's gcc would truncate the file the other reads. */
	snprintf(log_path, sizeof log_path, "%s/compiler-%ld.txt", folder, (long)getpid());
	if (run_and_wait(argv, log_path, 10000) != 0 ||
	    file_read_all(log_path, 1 << 16, "compiler output", &text, &length) != HB_OK) {
		unlink(log_path);
		return;
	}
	unlink(log_path);
	text[strcspn((char *)text, "\n")] = '\0';
	snprintf(out, capacity, "%s", (char *)text);
	free(text);
}

int firmware_describe(const char *elf_path, struct firmware_image *image)
{
	uint8_t *bytes;
	size_t length;
	int status = file_read_all(elf_path, 256u << 20, "a firmware ELF", &bytes, &length);

	if (status != HB_OK)
		return status;
	if (snprintf(image->elf_path, sizeof image->elf_path, "%s", elf_path) >=
	    (int)sizeof image->elf_path) {
		free(bytes);
		return hb_error(HB_ERR_INPUT, "firmware path too long: '%s'", elf_path);
	}
	image->crc32 = crc32_compute(bytes, length);
	free(bytes);
	if (!image->compiler[0])
		snprintf(image->compiler, sizeof image->compiler, "unknown (prebuilt firmware)");
	return HB_OK;
}

int firmware_model_name_valid(const char *name)
{
	size_t length = name ? strlen(name) : 0;

	if (length == 0 || length > FIRMWARE_MODEL_NAME_MAX)
		return 0;
	for (size_t i = 0; i < length; i++) {
		const char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* One build at a time in a folder: two processes building the same variant
 * (two lab instances of one profile in one run over several boards, or two
 * runs) would write the same objects and link each other's half-written
 * ones, so the second waits for the first (then finds it up to date).
 * Boards of different ids build in folders of their own and never wait. */
static int lock_build_folder(const char *folder, int *fd)
{
	char path[600];

	snprintf(path, sizeof path, "%s/build.lock", folder);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0)
		return hb_error(HB_ERR_IO, "cannot open build lock '%s': %s", path,
				strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return HB_OK;
	if (errno == EWOULDBLOCK) {
		int result;

		hb_info("waiting for another hilbench building firmware in '%s'", folder);
		do
			result = flock(*fd, LOCK_EX);
		while (result != 0 && errno == EINTR);
		if (result == 0)
			return HB_OK;
	}
	close(*fd);
	*fd = -1;
	return hb_error(HB_ERR_IO, "cannot lock build lock '%s': %s", path, strerror(errno));
}

static int build_locked(const struct board_profile *board, const struct firmware_options *options,
			struct firmware_image *image, const char *folder);

int firmware_build_with(const struct board_profile *board, const struct firmware_options *options,
			struct firmware_image *image)
{
	const char *protocol = options ? options->protocol : NULL;
	const char *model_name = options ? options->model_name : NULL;
	const int energy_mode = options ? options->energy_mode : 0;
	char folder[512], name[200];
	int status, lock_fd = -1;

	memset(image, 0, sizeof *image);
	if (model_name && !firmware_model_name_valid(model_name))
		return hb_error(HB_ERR_INPUT,
				"model name '%s' is malformed: expected 1 to %d characters from "
				"[A-Za-z0-9_-], e.g. kws01",
				model_name, FIRMWARE_MODEL_NAME_MAX);
	if (protocol && strlen(protocol) > 32)
		return hb_error(HB_ERR_INPUT, "firmware protocol '%s' is too long", protocol);
	snprintf(name, sizeof name, "%s%s%s%s%s%s", board->id, protocol ? "-" : "",
		 protocol ? protocol : "", model_name ? "-" : "", model_name ? model_name : "",
		 energy_mode ? "-energy" : "");
	status = paths_join(folder, sizeof folder, "build/fw", name);
	if (status == HB_OK)
		status = file_make_dirs(folder);
	if (status == HB_OK)
		status = lock_build_folder(folder, &lock_fd);
	if (status != HB_OK)
		return status;
	status = build_locked(board, options, image, folder);
	close(lock_fd);
	return status;
}

static int build_locked(const struct board_profile *board, const struct firmware_options *options,
			struct firmware_image *image, const char *folder)
{
	const char *protocol = options ? options->protocol : NULL;
	const char *model_name = options ? options->model_name : NULL;
	const int energy_mode = options ? options->energy_mode : 0;
	char out_arg[600], log_path[600], board_arg[96], port_arg[64], cpu_arg[64], fpu_arg[64],
	    protocol_arg[64], model_arg[64], line[256];
	const char *argv[14] = {"make",
				"--no-print-directory",
				"-s",
				"-f",
				"target-fw/firmware.mk",
				board_arg,
				port_arg,
				cpu_arg,
				fpu_arg,
				out_arg};
	size_t argc = 10;
	int status;

	snprintf(board_arg, sizeof board_arg, "BOARD=%s", board->id);
	snprintf(port_arg, sizeof port_arg, "PORT=%s", board->port);
	snprintf(cpu_arg, sizeof cpu_arg, "CPU=%s", board->core);
	snprintf(fpu_arg, sizeof fpu_arg, "FPU=%s", board->fpu);
	snprintf(out_arg, sizeof out_arg, "OUT=%s", folder);
	if (protocol) {
		snprintf(protocol_arg, sizeof protocol_arg, "PROTOCOL=%s", protocol);
		argv[argc++] = protocol_arg;
	}
	if (model_name) {
		snprintf(model_arg, sizeof model_arg, "MODEL_NAME=%s", model_name);
		argv[argc++] = model_arg;
	}
	if (energy_mode)
		argv[argc++] = "ENERGY_MODE=1";
	argv[argc] = NULL;
	snprintf(log_path, sizeof log_path, "%s/build.log", folder);

	if (protocol || model_name || energy_mode)
		hb_info("building firmware for '%s' with PROTOCOL=%s%s%s%s", board->id,
			protocol ? protocol : "hilbench", model_name ? " MODEL_NAME=" : "",
			model_name ? model_name : "", energy_mode ? " ENERGY_MODE=1" : "");
	else
		hb_info("building firmware for '%s' (port %s, %s)", board->id, board->port,
			board->core);
	status = run_and_wait(argv, log_path, BUILD_TIMEOUT_MS);
	if (status < 0)
		return status;
	if (status != 0) {
		last_log_line(log_path, line, sizeof line);
		return hb_error(
		    HB_ERR_TOOL,
		    "firmware build for board '%s' failed (make exit %d): %s (full log: %s)",
		    board->id, status, line, log_path);
	}
	read_compiler_version(folder, image->compiler, sizeof image->compiler);
	snprintf(out_arg, sizeof out_arg, "%s/firmware.elf", folder);
	return firmware_describe(out_arg, image);
}

int firmware_build_protocol(const struct board_profile *board, const char *protocol,
			    struct firmware_image *image)
{
	const struct firmware_options options = {.protocol = protocol};

	return firmware_build_with(board, &options, image);
}

int firmware_build(const struct board_profile *board, struct firmware_image *image)
{
	return firmware_build_protocol(board, NULL, image);
}
