/*
 * Recovering a board that hung or reset itself in the middle of a run
 * (docs/reliability.md). benchmark_run makes the attempts; this module
 * decides what a failed attempt was (a request past its deadline, or a
 * board that announced a boot unasked), whether one more is allowed (at most
 * RECOVERY_MAX_RESETS resets per model), and records each recovery for the
 * result: the request and the sample or batch it stopped at, the cause, the
 * action (an emulator restarted, OpenOCD `reset run`, a reflash when the
 * image the board reports differs from the host's) and how it ended. A lab
 * map's power switch (issue 9) would be one more action here.
 *
 * Also the test hooks that make an emulated board hang or reset at a chosen
 * sample (suite) or batch (plain run): `--debug-hang-at`, `--debug-reset-at`
 * fire once per hilbench run, so the recovery can succeed;
 * `--debug-stuck-at` hangs the first model or variant that reaches it on
 * every attempt, a board no reset mends.
 */
#ifndef HB_RECOVERY_H
#define HB_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config/profile.h"
#include "link/deadline.h"
#include "link/session.h"

#define RECOVERY_MAX_RESETS 2
#define RECOVERY_MAX_EVENTS (RECOVERY_MAX_RESETS + 1)

enum recovery_cause {
	RECOVERY_NOT_RECOVERABLE = 0, /* anything else: the run ends */
	RECOVERY_CAUSE_DEADLINE,      /* a request had no reply within its deadline */
	RECOVERY_CAUSE_BOARD_RESET,   /* MSG_BOOT after the handshake */
};

struct recovery_event {
	char request[24];  /* the request in flight, or "-" */
	const char *unit;  /* "sample" or "batch" */
	uint32_t index;	   /* the first unfinished sample, or the batch */
	int deadline_ms;   /* the request's deadline */
	const char *cause; /* recovery_cause_name */
	char action[64];   /* what was done to the board */
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
	bool hang_fired, reset_fired;
	char stuck_owner[128]; /* the model the stuck hook holds to ("": none yet) */
};

void debug_hooks_init(struct debug_hooks *hooks);

/* Before sample or batch `index` of `model`: sends MSG_DEBUG_HANG or
 * MSG_DEBUG_RESET when a hook is due (NULL hooks: none). */
int debug_hooks_fire(struct debug_hooks *hooks, struct session *session, const char *model,
		     uint32_t index);

/* What an attempt's failure was. `boots` are the attempt's unasked boots. */
enum recovery_cause recovery_classify(int status, uint32_t boots);
const char *recovery_cause_name(enum recovery_cause cause);

/* Appends an event (the last one is overwritten when full); returns it. */
struct recovery_event *recovery_note(struct recovery_log *log, enum recovery_cause cause,
				     const char *request, const char *unit, uint32_t index,
				     int deadline_ms);

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
