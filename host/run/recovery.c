#include "run/recovery.h"

#include <stdio.h>
#include <string.h>

#include "model_image.h"
#include "util/error.h"
#include "util/spawn.h"

void debug_hooks_init(struct debug_hooks *hooks)
{
	*hooks =
	    (struct debug_hooks){.hang_at = -1, .reset_at = -1, .stuck_at = -1, .corrupt_at = -1};
}

static const char *debug_hook_verb(uint8_t type)
{
	switch (type) {
	case MSG_DEBUG_HANG: return "hang";
	case MSG_DEBUG_RESET: return "reset";
	default: return "damage its model image";
	}
}

static int debug_hooks_send(struct debug_hooks *hooks, struct session *session, const char *model,
			    uint32_t index, bool await_reply)
{
	struct frame reply;
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
	} else if (!hooks->corrupt_fired && hooks->corrupt_at == (int64_t)index) {
		hooks->corrupt_fired = true;
		type = MSG_DEBUG_CORRUPT;
	}
	if (!type)
		return HB_OK;
	hb_info("  debug: asking board '%s' to %s at %u", session->board_id, debug_hook_verb(type),
		index);
	if (type != MSG_DEBUG_CORRUPT || !await_reply)
		return session_send_only(session, type, NULL, 0);
	return session_request(session, type, NULL, 0, MSG_DEBUG_CORRUPT_REPLY, &reply);
}

int debug_hooks_fire(struct debug_hooks *hooks, struct session *session, const char *model,
		     uint32_t index)
{
	return debug_hooks_send(hooks, session, model, index, false);
}

int debug_hooks_fire_awaited(struct debug_hooks *hooks, struct session *session, const char *model,
			     uint32_t index)
{
	return debug_hooks_send(hooks, session, model, index, true);
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

bool debug_hooks_corrupt_pending(const struct debug_hooks *hooks)
{
	return hooks && hooks->corrupt_at >= 0 && !hooks->corrupt_fired;
}

void debug_hooks_check_corrupt(const struct debug_hooks *hooks, bool was_pending,
			       const struct recovery_log *log, const char *board_id)
{
	const char *damaged = recovery_cause_name(RECOVERY_CAUSE_IMAGE_DAMAGED);

	if (!was_pending || !hooks->corrupt_fired)
		return;
	for (uint32_t i = 0; i < log->count; i++)
		if (strcmp(log->events[i].cause, damaged) == 0)
			return;
	hb_warn("board '%s': --debug-corrupt-at %lld fired, but the board never reported a damaged "
		"image (firmware whose model region is flash refuses it, unheard in a suite's "
		"stream)",
		board_id, (long long)hooks->corrupt_at);
}

enum recovery_cause recovery_classify(int status, uint32_t boots, uint16_t board_error)
{
	if (status == HB_OK)
		return RECOVERY_NOT_RECOVERABLE;
	if (boots > 0)
		return RECOVERY_CAUSE_BOARD_RESET;
	if (status == HB_ERR_TIMEOUT)
		return RECOVERY_CAUSE_DEADLINE;
	if (status == HB_ERR_PROTOCOL && board_error == MSG_ERROR_MODEL_CORRUPT)
		return RECOVERY_CAUSE_IMAGE_DAMAGED;
	return RECOVERY_NOT_RECOVERABLE;
}

const char *recovery_cause_name(enum recovery_cause cause)
{
	switch (cause) {
	case RECOVERY_CAUSE_DEADLINE: return "deadline expired";
	case RECOVERY_CAUSE_BOARD_RESET: return "board reset by itself";
	case RECOVERY_CAUSE_IMAGE_DAMAGED: return "image damaged on the board";
	default: return "not recoverable";
	}
}

/* Appends `text` to the event's action, after "; " unless it is the first. */
static void recovery_action_add(struct recovery_event *event, const char *text)
{
	const size_t used = strlen(event->action);

	snprintf(event->action + used, sizeof event->action - used, "%s%s", used ? "; " : "", text);
}

int recovery_restart(const struct recovery_board *board, bool reflash, struct recovery_event *event)
{
	const struct flasher_driver *flasher = board->flasher;
	char text[64];

	if (reflash || !flasher->reset) {
		recovery_action_add(event, "reflashed (firmware and model image)");
		flasher->stop(board->flash, 0);
		return flasher->start(board->request, board->flash);
	}
	if (flasher->emulator)
		snprintf(text, sizeof text, "%s", "emulator restarted");
	else
		snprintf(text, sizeof text, "reset run (%s)", flasher->name);
	recovery_action_add(event, text);
	return flasher->reset(board->request, board->flash);
}

bool recovery_can_power_cycle(const struct recovery_board *board)
{
	return board->power_cycle && board->power_cycle->count > 0 && !board->flasher->emulator;
}

/* The command as one line for messages: its items joined by spaces. */
static void power_cycle_text(const struct profile_power_cycle *command, char *text, size_t capacity)
{
	size_t used = 0;

	text[0] = '\0';
	for (uint32_t i = 0; i < command->count && used < capacity; i++)
		used += (size_t)snprintf(text + used, capacity - used, "%s%s", i ? " " : "",
					 command->args[i]);
}

/* The end of the command's output, on one line, for the error. */
static void power_cycle_output(const char *log_path, char *text, size_t capacity)
{
	FILE *log = fopen(log_path, "r");
	size_t length = 0;
	long size;

	snprintf(text, capacity, "%s", "none");
	if (!log)
		return;
	if (fseek(log, 0, SEEK_END) == 0 && (size = ftell(log)) > 0) {
		const long from = size > (long)capacity - 1 ? size - ((long)capacity - 1) : 0;
		if (fseek(log, from, SEEK_SET) == 0)
			length = fread(text, 1, capacity - 1, log);
	}
	fclose(log);
	while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == ' '))
		length--;
	if (length == 0)
		return;
	text[length] = '\0';
	for (size_t i = 0; i < length; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = text[i] == '\n' ? '|' : ' ';
}

int recovery_power_cycle(const struct recovery_board *board, struct recovery_event *event)
{
	const struct profile_power_cycle *command = board->power_cycle;
	const int timeout_ms = board->power_cycle_timeout_ms > 0 ? board->power_cycle_timeout_ms
								 : RECOVERY_POWER_CYCLE_TIMEOUT_MS;
	const char *argv[PROFILE_POWER_CYCLE_MAX_ARGS + 1];
	char text[256], log_path[600], output[240], action[300];
	struct spawn_options options = {.log_path = log_path};
	struct child child;
	bool was_quiet;
	int status;

	if (!recovery_can_power_cycle(board))
		return hb_error(HB_ERR_INTERNAL, "board '%s' has no power switch to cycle",
				board->board_id);
	for (uint32_t i = 0; i < command->count; i++)
		argv[i] = command->args[i];
	argv[command->count] = NULL;
	power_cycle_text(command, text, sizeof text);
	if ((size_t)snprintf(log_path, sizeof log_path, "%s/power-cycle.log",
			     board->request->run_dir) >= sizeof log_path)
		return hb_error(HB_ERR_INTERNAL, "run folder path too long: '%s'",
				board->request->run_dir);
	hb_info("power-cycling board '%s' (%s)", board->board_id, text);
	memset(&child, 0, sizeof child);
	was_quiet = hb_quiet_errors(true);
	status = spawn_start(argv, &options, &child);
	hb_quiet_errors(was_quiet);
	if (status != HB_OK) {
		snprintf(action, sizeof action, "power cycle failed (%s)", text);
		recovery_action_add(event, action);
		return hb_error(HB_ERR_INFRASTRUCTURE,
				"board '%s': cannot run its power switch '%s' (the lab map's "
				"power_cycle): %s",
				board->board_id, text, hb_last_error());
	}
	status = spawn_wait(&child, timeout_ms);
	if (status == HB_ERR_TIMEOUT)
		spawn_stop(&child);
	if (status != HB_OK || child.exit_status != 0) {
		power_cycle_output(log_path, output, sizeof output);
		snprintf(action, sizeof action, "power cycle failed (%s)", text);
		recovery_action_add(event, action);
		if (status == HB_ERR_TIMEOUT)
			return hb_error(HB_ERR_INFRASTRUCTURE,
					"board '%s': power switch '%s' did not finish within %.1f "
					"s, stopped (output: %s; log: %s)",
					board->board_id, text, timeout_ms / 1000.0, output,
					log_path);
		if (status != HB_OK)
			return hb_error(HB_ERR_INFRASTRUCTURE,
					"board '%s': power switch '%s': %s (log: %s)",
					board->board_id, text, hb_last_error(), log_path);
		return hb_error(HB_ERR_INFRASTRUCTURE,
				"board '%s': power switch '%s' failed with exit status %d "
				"(output: %s; log: %s)",
				board->board_id, text, child.exit_status, output, log_path);
	}
	snprintf(action, sizeof action, "power cycled (%s)", text);
	recovery_action_add(event, action);
	return HB_OK;
}

int recovery_restart_or_power_cycle(const struct recovery_board *board, bool silent_after_restart,
				    bool *power_cycled, struct recovery_event *event)
{
	size_t used;
	bool was_quiet;
	int status;

	*power_cycled = false;
	if (!recovery_can_power_cycle(board))
		return recovery_restart(board, false, event);
	if (!silent_after_restart) {
		/* Forgiven when the power switch mends it: a warning then. */
		was_quiet = hb_quiet_errors(true);
		status = recovery_restart(board, false, event);
		hb_quiet_errors(was_quiet);
		if (status == HB_OK)
			return HB_OK;
		/* The flasher's error names the board already. */
		hb_warn("%s; power-cycling board '%s'", hb_last_error(), board->board_id);
		used = strlen(event->action);
		snprintf(event->action + used, sizeof event->action - used, " failed");
	} else {
		hb_warn("board '%s' stayed silent after its last restart; power-cycling it",
			board->board_id);
		recovery_action_add(event, "silent after the last restart");
	}
	*power_cycled = true;
	return recovery_power_cycle(board, event);
}

static bool recovery_image_differs(const struct msg_hello_reply *hello, uint32_t host_crc)
{
	return hello->model_status != MODEL_CHECK_OK || hello->model_crc32 != host_crc;
}

/* "image 0x... on the board (its check's verdict), 0x... on the host". */
static void recovery_image_text(const struct msg_hello_reply *hello, uint32_t host_crc, char *text,
				size_t capacity)
{
	char verdict[80] = "";

	if (hello->model_status != MODEL_CHECK_OK)
		snprintf(verdict, sizeof verdict, " (refused: %s)",
			 model_check_name((enum model_check)hello->model_status));
	snprintf(text, capacity, "image 0x%08x on the board%s, 0x%08x on the host",
		 hello->model_crc32, verdict, host_crc);
}

enum recovery_image_step recovery_check_image(const struct msg_hello_reply *hello,
					      uint32_t host_crc, bool reflashed,
					      struct recovery_event *event)
{
	char text[160];

	if (!hello)
		return RECOVERY_IMAGE_UNSEEN;
	if (!recovery_image_differs(hello, host_crc)) {
		recovery_action_add(event, "image CRC matches");
		return RECOVERY_IMAGE_MATCHES;
	}
	recovery_image_text(hello, host_crc, text, sizeof text);
	recovery_action_add(event, text);
	return reflashed ? RECOVERY_IMAGE_GIVE_UP : RECOVERY_IMAGE_REFLASH;
}

int recovery_image_error(const struct recovery_board *board, const struct msg_hello_reply *hello,
			 uint32_t host_crc)
{
	char text[160];

	recovery_image_text(hello, host_crc, text, sizeof text);
	return hb_error(HB_ERR_INFRASTRUCTURE,
			"board '%s' still reports another model image after it was reflashed "
			"(%s); gave up on it (flasher log: %s)",
			board->board_id, text,
			board->flash->log_path[0] ? board->flash->log_path : "none");
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
