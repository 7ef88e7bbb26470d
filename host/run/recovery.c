#include "run/recovery.h"

#include <stdio.h>
#include <string.h>

#include "util/error.h"

void debug_hooks_init(struct debug_hooks *hooks)
{
	*hooks = (struct debug_hooks){.hang_at = -1, .reset_at = -1, .stuck_at = -1};
}

int debug_hooks_fire(struct debug_hooks *hooks, struct session *session, const char *model,
		     uint32_t index)
{
	uint8_t type = 0;

	if (!hooks)
		return HB_OK;
	if (hooks->stuck_at == (int64_t)index &&
	    (!hooks->stuck_owner[0] || strcmp(hooks->stuck_owner, model) == 0)) {
		snprintf(hooks->stuck_owner, sizeof hooks->stuck_owner, "%s", model);
		type = MSG_DEBUG_HANG;
	} else if (!hooks->hang_fired && hooks->hang_at == (int64_t)index) {
		hooks->hang_fired = true;
		type = MSG_DEBUG_HANG;
	} else if (!hooks->reset_fired && hooks->reset_at == (int64_t)index) {
		hooks->reset_fired = true;
		type = MSG_DEBUG_RESET;
	}
	if (!type)
		return HB_OK;
	hb_info("  debug: asking board '%s' to %s at %u", session->board_id,
		type == MSG_DEBUG_HANG ? "hang" : "reset", index);
	return session_send_only(session, type, NULL, 0);
}

void recovery_deadline_rule(const struct board_profile *board, int fixed_ms,
			    struct deadline_rule *rule)
{
	deadline_rule_default(rule, board->clock_hz);
	rule->fixed_ms = fixed_ms > 0 ? fixed_ms : 0;
	if (!board->deadline.given)
		return;
	rule->source = board->path[0] ? board->path : board->id;
	if (board->deadline.have_margin)
		rule->margin = board->deadline.margin;
	if (board->deadline.have_min_ms)
		rule->min_ms = (int)board->deadline.min_ms;
	if (board->deadline.have_units_per_mac)
		rule->units_per_mac = board->deadline.units_per_mac;
}

enum recovery_cause recovery_classify(int status, uint32_t boots)
{
	if (status == HB_OK)
		return RECOVERY_NOT_RECOVERABLE;
	if (boots > 0)
		return RECOVERY_CAUSE_BOARD_RESET;
	if (status == HB_ERR_TIMEOUT)
		return RECOVERY_CAUSE_DEADLINE;
	return RECOVERY_NOT_RECOVERABLE;
}

const char *recovery_cause_name(enum recovery_cause cause)
{
	switch (cause) {
	case RECOVERY_CAUSE_DEADLINE: return "deadline expired";
	case RECOVERY_CAUSE_BOARD_RESET: return "board reset by itself";
	default: return "not recoverable";
	}
}

struct recovery_event *recovery_note(struct recovery_log *log, enum recovery_cause cause,
				     const char *request, const char *unit, uint32_t index,
				     int deadline_ms)
{
	struct recovery_event *event =
	    &log->events[log->count < RECOVERY_MAX_EVENTS ? log->count++ : RECOVERY_MAX_EVENTS - 1];

	memset(event, 0, sizeof *event);
	snprintf(event->request, sizeof event->request, "%s",
		 request && request[0] ? request : "-");
	event->unit = unit;
	event->index = index;
	event->deadline_ms = deadline_ms;
	event->cause = recovery_cause_name(cause);
	return event;
}

void recovery_attempt_begin(bool may_recover)
{
	hb_hold_errors(may_recover);
}

void recovery_attempt_end(bool recovering)
{
	hb_hold_errors(false);
	hb_release_held(recovering ? HB_LEVEL_WARN : HB_LEVEL_ERROR,
			recovering ? "recovering from: " : NULL);
}

cJSON *recovery_log_json(const struct recovery_log *log)
{
	cJSON *array = cJSON_CreateArray();

	for (uint32_t i = 0; i < log->count; i++) {
		const struct recovery_event *event = &log->events[i];
		cJSON *entry = cJSON_CreateObject();
		cJSON_AddStringToObject(entry, "request", event->request);
		cJSON_AddStringToObject(entry, "unit", event->unit);
		cJSON_AddNumberToObject(entry, "index", event->index);
		cJSON_AddNumberToObject(entry, "deadline_ms", event->deadline_ms);
		cJSON_AddStringToObject(entry, "cause", event->cause);
		cJSON_AddStringToObject(entry, "action", event->action);
		cJSON_AddStringToObject(entry, "outcome", event->outcome);
		cJSON_AddItemToArray(array, entry);
	}
	return array;
}

cJSON *recovery_deadlines_json(const struct session_deadline_log *deadlines)
{
	cJSON *object = cJSON_CreateObject();
	const struct deadline_rule *rule = &deadlines->rule;

	if (!deadlines->derived) {
		cJSON_AddStringToObject(object, "source", "--timeout (fixed, every request)");
		cJSON_AddNumberToObject(object, "fixed_ms", deadlines->fixed_ms);
		return object;
	}
	cJSON_AddStringToObject(object, "source",
				"derived: min_ms + margin x units per inference x inferences / "
				"clock_hz (docs/reliability.md)");
	cJSON_AddStringToObject(object, "rule_from", rule->source ? rule->source : "defaults");
	cJSON_AddNumberToObject(object, "margin", rule->margin);
	cJSON_AddNumberToObject(object, "min_ms", rule->min_ms);
	cJSON_AddNumberToObject(object, "units_per_mac_bound", rule->units_per_mac);
	cJSON_AddNumberToObject(object, "clock_hz", rule->clock_hz);
	cJSON_AddNumberToObject(object, "handshake_ms", deadlines->handshake_ms);
	/* Absent, never 0, when the model names no MACs or nothing was counted. */
	if (deadlines->bound_units > 0) {
		cJSON_AddNumberToObject(object, "bound_units_per_inference",
					deadlines->bound_units);
		cJSON_AddNumberToObject(object, "bound_request_ms", deadlines->bound_request_ms);
	}
	if (deadlines->counted_units > 0) {
		cJSON_AddNumberToObject(object, "counted_units_per_inference",
					deadlines->counted_units);
		cJSON_AddNumberToObject(object, "counted_request_ms",
					deadlines->counted_request_ms);
	}
	if (deadlines->longest_invoke_ms > 0)
		cJSON_AddNumberToObject(object, "longest_invoke_ms", deadlines->longest_invoke_ms);
	return object;
}
