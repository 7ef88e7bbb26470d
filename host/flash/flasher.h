/*
 * Flashers put firmware on a board and start it. One driver per tool, in an
 * explicit table (flasher.c):
 *   qemu     spawns qemu-system-arm with the firmware as -kernel (and the model
 *            image through -device loader at the model region), -icount for
 *            deterministic instruction counts, the UART on a unix socket in
 *            the run directory; stop() waits for the semihosting exit, then kills
 *   openocd  spawns `openocd -f IF -f TARGET -c "program FILE verify reset exit"`
 *            (the model image first, as a second program command at its address)
 *            and waits for it; the board then runs on its own
 * Each can also reset a started board (recovery after a hang or a reset of
 * its own, run/recovery.h): qemu stops the machine and starts it again,
 * openocd runs `init; reset run; shutdown`.
 */
#ifndef HB_FLASHER_H
#define HB_FLASHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/profile.h"
#include "util/json_read.h"
#include "util/spawn.h"

struct flash_request {
	const struct board_profile *board;
	const char *firmware_elf;
	const char *model_image; /* raw device model image, or NULL */
	uint32_t model_address;	 /* where it goes: the profile's memory.model origin */
	const char *run_dir;	 /* scratch: sockets, tool logs */
	int timeout_ms;		 /* for programming (openocd) */
};

struct flash_session {
	struct child process;	    /* qemu while it runs; unused for openocd */
	char console_transport[16]; /* transport driver to reach the UART */
	char console_address[512];  /* its address */
	char log_path[512];	    /* the tool's output, quoted in errors */
};

struct flasher_driver {
	const char *name;
	/** True when the tool emulates the board: it also makes the board's
	 * console (a profile names it as console transport, e.g. "qemu", and
	 * profile.c holds it to that) and its counts are emulated, so
	 * host-side line pacing applies. */
	bool emulator;
	/** The members of a profile's "flasher" object this driver reads
	 * (NULL-terminated, "driver" included); others are reported unused. */
	const char *const *profile_fields;
	/** Checks what this driver needs of a parsed profile (its fields, and
	 * the counter and verified level that go with it), through json_fail
	 * so every problem is reported. */
	void (*check_profile)(struct json_reader *reader, const struct board_profile *board);
	/** Said of an available board in `hilbench boards` ("yes" when NULL). */
	const char *ready_note;
	/** Is the tool installed? Fills `why` when not (for `hilbench boards`). */
	int (*available)(const struct board_profile *board, char *why, size_t why_capacity);
	/** Loads and starts; on error nothing is left running. */
	int (*start)(const struct flash_request *request, struct flash_session *session);
	/** Starts the board's firmware afresh without programming it: the
	 * board's memory is as the last start left it (for qemu a new machine
	 * loading the same images, for openocd `reset run`). The console is
	 * reopened by the caller for an emulator; a real board's port stays
	 * open. On error nothing is left running. */
	int (*reset)(const struct flash_request *request, struct flash_session *session);
	/** Waits up to timeout_ms for the target to stop by itself (after
	 * MSG_EXIT), then ends it. Returns the tool's exit status or an error. */
	int (*stop)(struct flash_session *session, int timeout_ms);
};

const struct flasher_driver *flasher_find(const char *name);

/* The drivers' names, NULL-terminated, in table order (for profile checks). */
const char *const *flasher_names(void);

/* For the drivers: finds `program` in PATH into `path`. When it is missing,
 * fills `why` if given (quiet, for `hilbench boards`), else reports
 * "cannot run 'PROGRAM': not found in PATH (HINT)". */
int flasher_find_tool(const char *program, const char *install_hint, char *path,
		      size_t path_capacity, char *why, size_t why_capacity);

extern const struct flasher_driver flasher_qemu;
extern const struct flasher_driver flasher_openocd;

#endif
