/*
 * Recovering a board that hung or reset itself in the middle of a run
 * (docs/reliability.md). benchmark_run makes the attempts; this module
 * decides what a failed attempt was (a request past its deadline, a board
 * that announced a boot unasked, or one that found its model image damaged),
 * whether one more is allowed (at most RECOVERY_MAX_RESETS resets per
 * model), restarts the board through its flasher, decides after the
 * restart whether the image the board reports is the host's or must be
 * reflashed (once), and records each recovery for the result: the request
 * and the sample or batch it stopped at, the cause, the action (an emulator
 * restarted, OpenOCD `reset run`, the image found, a reflash) and how it
 * ended. A lab map instance's power switch ("power_cycle") is the last
 * resort: run when the flasher's reset fails (OpenOCD cannot reach a wedged
 * core) or the board stayed silent after a restart.
 *
 * Also the test hooks that make an emulated board hang, reset or damage its
 * image at a chosen sample (suite) or batch (plain run): `--debug-hang-at`,
 * `--debug-reset-at`, `--debug-corrupt-at` fire once per hilbench run, so
 * the recovery can succeed; `--debug-stuck-at` hangs the first model or
 * variant that reaches it on every attempt, a board no reset mends.
 */
#ifndef HB_RECOVERY_H
#define HB_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config/profile.h"
#include "flash/flasher.h"
#include "link/deadline.h"
#include "link/session.h"

#define RECOVERY_MAX_RESETS 2
#define RECOVERY_MAX_EVENTS (RECOVERY_MAX_RESETS + 1)

enum recovery_cause {
	RECOVERY_NOT_RECOVERABLE = 0, /* anything else: the run ends */
	RECOVERY_CAUSE_DEADLINE,      /* a request had no reply within its deadline */
	RECOVERY_CAUSE_BOARD_RESET,   /* MSG_BOOT after the handshake */
	/* INVOKE answered MODEL_CORRUPT: the image changed under the board (a
	 * flash bit flip, a half-finished programming). A reset, then a reflash
	 * if the board still reports another image. STACK_OVERRUN is not a
	 * cause: the same code on the same input overruns again. */
	RECOVERY_CAUSE_IMAGE_DAMAGED,
};

struct recovery_event {
	char request[24];  /* the request in flight, or "-" */
	const char *unit;  /* "sample" or "batch" */
	uint32_t index;	   /* the first unfinished sample, or the batch */
	int deadline_ms;   /* the request's deadline */
	const char *cause; /* recovery_cause_name */
	char action[400];  /* what was done to the board, and the image found after */
	char outcome[160]; /* "recovered", or why not */
};

struct recovery_log {
	struct recovery_event events[RECOVERY_MAX_EVENTS];
	uint32_t count;
};

/* Test hooks, shared by every model of a run (-1: off). */
struct debug_hooks {
	int64_t hang_at;
	int64_t reset_at;
	int64_t stuck_at;
	int64_t corrupt_at;
	bool hang_fired, reset_fired, corrupt_fired;
	char stuck_owner[128]; /* the model the stuck hook holds to ("": none yet) */
};

void debug_hooks_init(struct debug_hooks *hooks);

/* Before sample or batch `index` of `model`: sends MSG_DEBUG_HANG,
 * MSG_DEBUG_RESET or MSG_DEBUG_CORRUPT when a hook is due (NULL hooks:
 * none). Sent only, as from a suite's stream with requests in flight: the
 * board's answer to DEBUG_CORRUPT is taken for a stale reply. */
int debug_hooks_fire(struct debug_hooks *hooks, struct session *session, const char *model,
		     uint32_t index);

/* The same with nothing in flight (a plain run, between batches): the
 * answer to DEBUG_CORRUPT is awaited, so a board that refuses it (its
 * model region is flash) ends the run with the board's reason. */
int debug_hooks_fire_awaited(struct debug_hooks *hooks, struct session *session, const char *model,
			     uint32_t index);

/* --debug-corrupt-at in a suite is only sent: a board that refuses it
 * (its model region is flash) is not heard. Around one model's run: true
 * while the hook has yet to fire; then, when it fired during the run and
 * no damaged image was recovered from, a warning naming the board. */
bool debug_hooks_corrupt_pending(const struct debug_hooks *hooks);
void debug_hooks_check_corrupt(const struct debug_hooks *hooks, bool was_pending,
			       const struct recovery_log *log, const char *board_id);

/* What an attempt's failure was. `boots` are the attempt's unasked boots,
 * `board_error` the code of the board's last MSG_ERROR (0: none). */
enum recovery_cause recovery_classify(int status, uint32_t boots, uint16_t board_error);
const char *recovery_cause_name(enum recovery_cause cause);

/* Appends an event (the last one is overwritten when full); returns it. */
struct recovery_event *recovery_note(struct recovery_log *log, enum recovery_cause cause,
				     const char *request, const char *unit, uint32_t index,
				     int deadline_ms);

/* How long a power switch command may take (uhubctl's cycle waits 2 s
 * with the power off by default; a relay's tool less). */
#define RECOVERY_POWER_CYCLE_TIMEOUT_MS 30000

/* A started board as the run holds it, for a restart. */
struct recovery_board {
	const char *board_id;
	const struct flasher_driver *flasher;
	const struct flash_request *request;
	struct flash_session *flash;
	/* The lab map's power switch (NULL or count 0: none), and how long it
	 * may run (0: RECOVERY_POWER_CYCLE_TIMEOUT_MS). Its output goes to
	 * power-cycle.log in request->run_dir. */
	const struct profile_power_cycle *power_cycle;
	int power_cycle_timeout_ms;
};

/* Starts the board's firmware afresh: the flasher's reset (an emulator
 * restarted on the same images, OpenOCD's `reset run` on what the flash
 * holds), or with `reflash` (or a flasher that cannot reset) stop and
 * start, which programs firmware and model image again. Appends what it
 * did to event->action. The caller closes an emulator's console before
 * and reopens it after. */
int recovery_restart(const struct recovery_board *board, bool reflash,
		     struct recovery_event *event);

/* True when the board has a power switch recovery_power_cycle may use. */
bool recovery_can_power_cycle(const struct recovery_board *board);

/* Cuts and restores the board's power with the lab map's command (spawned
 * from its argv, at most the board's bound), after which a real board
 * boots from its flash by itself; appends "power cycled (COMMAND)" to
 * event->action. A command that fails, cannot start or overruns its bound
 * is HB_ERR_INFRASTRUCTURE (exit 3), the error naming the board, the
 * command, its exit status and the end of its output. */
int recovery_power_cycle(const struct recovery_board *board, struct recovery_event *event);

/* The restart after a failed attempt: recovery_restart without a reflash,
 * or the power switch, where the board has one, when that restart fails
 * (its error then becomes a warning and is noted in event->action) or
 * when the board stayed silent after the last restart
 * (`silent_after_restart`: no HELLO answered). *power_cycled says whether
 * the switch was used: the caller reopens the console then (a probe's
 * USB serial port goes away with the power). */
int recovery_restart_or_power_cycle(const struct recovery_board *board, bool silent_after_restart,
				    bool *power_cycled, struct recovery_event *event);

/* After a restart: the board's HELLO (NULL when it answered none) against
 * the host's image CRC. */
enum recovery_image_step {
	RECOVERY_IMAGE_UNSEEN,	/* no HELLO: nothing to compare, the attempt's failure decides */
	RECOVERY_IMAGE_MATCHES, /* the host's image, found intact at boot: no reflash */
	RECOVERY_IMAGE_REFLASH, /* another image, or one the board refused: reflash it */
	RECOVERY_IMAGE_GIVE_UP, /* so still after a reflash: recovery_image_error, exit 3 */
};

/* Decides the step (`reflashed`: a reflash was made since the restart)
 * and appends what the board reports to event->action: "image CRC
 * matches", or both CRCs and the board's verdict on its image. */
enum recovery_image_step recovery_check_image(const struct msg_hello_reply *hello,
					      uint32_t host_crc, bool reflashed,
					      struct recovery_event *event);

/* Reports the error of RECOVERY_IMAGE_GIVE_UP and returns its code,
 * HB_ERR_INFRASTRUCTURE (exit 3): names the board, both CRCs and the
 * flasher's log. */
int recovery_image_error(const struct recovery_board *board, const struct msg_hello_reply *hello,
			 uint32_t host_crc);

/* Holds the errors of an attempt that may still be recovered from, then
 * shows them as warnings (recovered, or recovering) or as errors (the last
 * attempt, or a failure no reset mends). */
void recovery_attempt_begin(bool may_recover);
void recovery_attempt_end(bool recovering);

/* The deadline rule for `board`: link/deadline.h's defaults, replaced by
 * what the profile's "deadline" names; fixed_ms > 0 (--timeout) wins. */
void recovery_deadline_rule(const struct board_profile *board, int fixed_ms,
			    struct deadline_rule *rule);

/* For the record: the events, and the deadlines the requests were given. */
cJSON *recovery_log_json(const struct recovery_log *log);
cJSON *recovery_deadlines_json(const struct session_deadline_log *deadlines);

#endif
