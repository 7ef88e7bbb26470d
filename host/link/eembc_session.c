#include "link/eembc_session.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link/eembc_line.h"
#include "util/clock.h"
#include "util/error.h"

#define READY_LINE "m-ready"

/* A line handler returns LINE_USED when the line was the answer it waits
 * for, LINE_IGNORED for chatter, or a negative status (already reported)
 * when the line is the expected kind but garbled. */
enum { LINE_IGNORED = 0, LINE_USED = 1 };

typedef int (*line_handler)(struct eembc_session *session, const char *command, const char *line,
			    void *context);

struct command_spec {
	line_handler handler; /* NULL: only error lines matter */
	void *context;
	/* An m-ready before the handler used a line ends an earlier answer
	 * (the boot banner), not this one. */
	bool ready_only_after_use;
	/* e- lines go to the handler (a command the board may not know),
	 * not reported as errors. */
	bool error_lines_to_handler;
};

void eembc_session_init(struct eembc_session *session, struct transport *transport,
			const char *board_id, int timeout_ms)
{
	memset(session, 0, sizeof *session);
	session->transport = transport;
	session->board_id = board_id;
	session->timeout_ms = timeout_ms;
}

/* The next line into session->line, without its "\r\n". HB_ERR_TIMEOUT
 * (not reported) when the deadline passes first. */
static int next_line(struct eembc_session *session, const char *command, int64_t deadline)
{
	size_t length = 0;

	session->line[0] = '\0';
	for (;;) {
		while (session->pending_start < session->pending_length) {
			uint8_t byte = session->pending[session->pending_start++];

			if (byte == '\n')
				return HB_OK;
			if (byte == '\r' || byte == '\0')
				continue;
			if (length + 1 >= sizeof session->line)
				return hb_error(
				    HB_ERR_PROTOCOL,
				    "board '%s': answer to '%s%%': line longer than %zu characters",
				    session->board_id, command, sizeof session->line - 1);
			session->line[length++] = (char)byte;
			session->line[length] = '\0';
		}
		int64_t wait = deadline - clock_now_ms();
		size_t got = 0;
		int status;

		if (wait <= 0)
			return HB_ERR_TIMEOUT;
		status = session->transport->driver->read(session->transport, session->pending,
							  sizeof session->pending, &got, (int)wait);
		if (status == HB_ERR_TIMEOUT)
			continue;
		if (status != HB_OK)
			return status;
		session->pending_start = 0;
		session->pending_length = got;
		session->counters.bytes_received += got;
	}
}

/* Sends "COMMAND%" and reads lines up to the m-ready that ends the answer.
 * The first error (an e- line, a garbled line) is kept while the rest of
 * the answer is drained, so the next command starts clean. */
static int run_command(struct eembc_session *session, const char *command,
		       const struct command_spec *spec)
{
	char text[EEMBC_COMMAND_CAPACITY + 1];
	size_t length = strlen(command);
	int64_t deadline;
	int first_error = HB_OK;
	bool used = false;
	int status;

	if (length > EEMBC_COMMAND_CAPACITY || strchr(command, '%'))
		return hb_error(HB_ERR_INTERNAL,
				"eembc command '%.40s': expected at most %u characters and no '%%'",
				command, EEMBC_COMMAND_CAPACITY);
	memcpy(text, command, length);
	text[length++] = '%';
	status = session->transport->driver->write(session->transport, (const uint8_t *)text,
						   length, session->timeout_ms);
	if (status != HB_OK)
		return status;
	session->counters.commands++;
	session->counters.bytes_sent += length;
	deadline = clock_now_ms() + session->timeout_ms;

	for (;;) {
		const char *line = session->line;

		status = next_line(session, command, deadline);
		if (status == HB_ERR_TIMEOUT && first_error == HB_OK)
			return hb_error(
			    HB_ERR_TIMEOUT,
			    "board '%s': no \"" READY_LINE "\" after '%s%%' within %d ms%s%s%s",
			    session->board_id, command, session->timeout_ms,
			    line[0] ? " (last partial line \"" : "", line, line[0] ? "\")" : "");
		if (status != HB_OK)
			return first_error != HB_OK ? first_error : status;
		if (strcmp(line, READY_LINE) == 0) {
			if (spec->ready_only_after_use && !used)
				continue;
			return first_error;
		}
		if (first_error != HB_OK)
			continue;
		if (strncmp(line, "e-", 2) == 0 && !spec->error_lines_to_handler) {
			first_error = hb_error(HB_ERR_PROTOCOL, "board '%s': '%s%%' failed: %s",
					       session->board_id, command, line);
			continue;
		}
		if (!spec->handler)
			continue;
		status = spec->handler(session, command, line, spec->context);
		if (status < 0)
			first_error = status;
		else if (status == LINE_USED)
			used = true;
	}
}

int eembc_session_command(struct eembc_session *session, const char *command)
{
	const struct command_spec spec = {0};

	return run_command(session, command, &spec);
}

struct name_answer {
	char *name;
	size_t capacity;
	bool seen;
};

static int name_line(struct eembc_session *session, const char *command, const char *line,
		     void *context)
{
	struct name_answer *answer = context;
	struct eembc_line parsed;

	(void)session;
	(void)command;
	eembc_line_parse(line, NULL, 0, &parsed);
	if (parsed.kind != EEMBC_LINE_NAME)
		return LINE_IGNORED;
	snprintf(answer->name, answer->capacity, "%.*s", (int)parsed.text_length, parsed.text);
	answer->seen = true;
	return LINE_USED;
}

int eembc_session_name(struct eembc_session *session, char *name, size_t capacity)
{
	struct name_answer answer = {.name = name, .capacity = capacity};
	const struct command_spec spec = {name_line, &answer, true, false};
	int status;

	if (capacity)
		name[0] = '\0';
	status = run_command(session, "name", &spec);
	if (status == HB_OK && !answer.seen)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': 'name%%' answered without an m-name- line",
				session->board_id);
	return status;
}

static int profile_line(struct eembc_session *session, const char *command, const char *line,
			void *context)
{
	struct eembc_profile *profile = context;
	struct eembc_line parsed;

	(void)session;
	(void)command;
	eembc_line_parse(line, NULL, 0, &parsed);
	if (parsed.kind == EEMBC_LINE_PROFILE) {
		snprintf(profile->profile, sizeof profile->profile, "%.*s", (int)parsed.text_length,
			 parsed.text);
		profile->have_profile = true;
		return LINE_USED;
	}
	if (parsed.kind == EEMBC_LINE_ERROR) {
		snprintf(profile->refused, sizeof profile->refused, "%s", line);
		return LINE_USED;
	}
	if (parsed.kind == EEMBC_LINE_MODEL) {
		snprintf(profile->model, sizeof profile->model, "%.*s", (int)parsed.text_length,
			 parsed.text);
		profile->have_model = true;
		return LINE_USED;
	}
	return LINE_IGNORED;
}

int eembc_session_profile(struct eembc_session *session, struct eembc_profile *profile)
{
	const struct command_spec spec = {profile_line, profile, false, true};

	memset(profile, 0, sizeof *profile);
	return run_command(session, "profile", &spec);
}

struct load_answer {
	enum eembc_line_kind expected; /* the line that acknowledges this command */
	uint64_t bytes;		       /* EXPECTING: the count it must name */
	bool seen;
};

static int load_line(struct eembc_session *session, const char *command, const char *line,
		     void *context)
{
	struct load_answer *answer = context;
	struct eembc_line parsed;

	(void)session;
	(void)command;
	eembc_line_parse(line, NULL, 0, &parsed);
	if (parsed.kind != answer->expected ||
	    (parsed.kind == EEMBC_LINE_EXPECTING && parsed.number != answer->bytes))
		return LINE_IGNORED;
	answer->seen = true;
	return LINE_USED;
}

static void put_hex(char *out, const uint8_t *data, size_t length)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < length; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xF];
	}
	out[2 * length] = '\0';
}

int eembc_session_load(struct eembc_session *session, const uint8_t *data, uint32_t length,
		       uint32_t chunk)
{
	char command[EEMBC_COMMAND_CAPACITY + 1];
	struct load_answer answer = {.expected = EEMBC_LINE_EXPECTING, .bytes = length};
	const struct command_spec spec = {load_line, &answer, false, false};
	int status;

	if (chunk == 0)
		chunk = EEMBC_CHUNK_BYTES;
	if (length == 0)
		return hb_error(HB_ERR_INTERNAL, "board '%s': db load: expected at least one byte",
				session->board_id);
	if (chunk > (EEMBC_COMMAND_CAPACITY - 3) / 2)
		return hb_error(HB_ERR_USAGE,
				"db chunk of %" PRIu32
				" bytes does not fit in the board's %u-character command",
				chunk, EEMBC_COMMAND_CAPACITY);

	snprintf(command, sizeof command, "db load %" PRIu32, length);
	status = run_command(session, command, &spec);
	if (status != HB_OK)
		return status;
	if (!answer.seen)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': '%s%%' not acknowledged: expected \"m-[Expecting "
				"%" PRIu32 " bytes]\"",
				session->board_id, command, length);

	answer.expected = EEMBC_LINE_LOAD_DONE;
	for (uint32_t offset = 0; offset < length; offset += chunk) {
		uint32_t count = length - offset < chunk ? length - offset : chunk;
		bool last = offset + count == length;

		memcpy(command, "db ", 3);
		put_hex(command + 3, data + offset, count);
		answer.seen = false;
		status = run_command(session, command, &spec);
		if (status != HB_OK)
			return status;
		if (answer.seen != last)
			return hb_error(HB_ERR_PROTOCOL,
					last ? "board '%s': no \"m-load-done\" after all %" PRIu32
					       " bytes"
					     : "board '%s': \"m-load-done\" after %" PRIu32
					       " of %" PRIu32 " bytes",
					session->board_id, last ? length : offset + count, length);
	}
	return HB_OK;
}

struct results_answer {
	double *values;
	size_t capacity;
	size_t count;
	bool seen;
};

static int results_garbled(struct eembc_session *session, const char *command, const char *line,
			   const char *why)
{
	return hb_error(HB_ERR_PROTOCOL,
			"board '%s': answer to '%s%%': garbled results \"%.80s%s\": %s",
			session->board_id, command, line, strlen(line) > 80 ? "..." : "", why);
}

/* A results line into `answer`: LINE_USED, LINE_IGNORED for another kind,
 * or a reported error. */
static int take_results(struct eembc_session *session, const char *command, const char *line,
			struct results_answer *answer)
{
	struct eembc_line parsed;

	eembc_line_parse(line, answer->values, answer->capacity, &parsed);
	if (parsed.kind == EEMBC_LINE_GARBLED && parsed.garbled_kind == EEMBC_LINE_RESULTS &&
	    parsed.why == EEMBC_LINE_TOO_MANY_VALUES)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': answer to '%s%%': more than the %zu result "
				"values expected",
				session->board_id, command, answer->capacity);
	if (parsed.kind == EEMBC_LINE_GARBLED && parsed.garbled_kind == EEMBC_LINE_RESULTS)
		return results_garbled(session, command, line, parsed.why);
	if (parsed.kind != EEMBC_LINE_RESULTS)
		return LINE_IGNORED;
	if (answer->seen)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': answer to '%s%%': more than one m-results- line",
				session->board_id, command);
	answer->seen = true;
	answer->count = parsed.value_count;
	return LINE_USED;
}

struct infer_answer {
	struct eembc_infer_result *result;
	struct results_answer results; /* values NULL: results lines are chatter */
};

static int infer_line(struct eembc_session *session, const char *command, const char *line,
		      void *context)
{
	struct infer_answer *answer = context;
	struct eembc_infer_result *result = answer->result;
	struct eembc_line parsed;

	if (answer->results.values && strncmp(line, "m-results-", 10) == 0)
		return take_results(session, command, line, &answer->results);
	eembc_line_parse(line, NULL, 0, &parsed);
	if (parsed.kind == EEMBC_LINE_GARBLED && parsed.garbled_kind == EEMBC_LINE_LAP_US)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': answer to '%s%%': garbled timestamp \"%s\": expected "
				"m-lap-us-DIGITS",
				session->board_id, command, line);
	if (parsed.kind != EEMBC_LINE_LAP_US)
		return LINE_IGNORED;
	if (result->lap_count == 0)
		result->start_us = parsed.number;
	result->end_us = parsed.number;
	result->lap_count++;
	return LINE_USED;
}

int eembc_session_infer_results(struct eembc_session *session, uint32_t runs, uint32_t warmups,
				struct eembc_infer_result *result, double *values, size_t capacity,
				size_t *count)
{
	char command[64];
	struct infer_answer answer = {.result = result,
				      .results = {.values = values, .capacity = capacity}};
	const struct command_spec spec = {infer_line, &answer, false, false};
	int status;

	memset(result, 0, sizeof *result);
	if (count)
		*count = 0;
	snprintf(command, sizeof command, "infer %" PRIu32 " %" PRIu32, runs, warmups);
	status = run_command(session, command, &spec);
	if (status != HB_OK)
		return status;
	if (result->lap_count < 2)
		return hb_error(
		    HB_ERR_PROTOCOL,
		    "board '%s': answer to '%s%%': expected two m-lap-us- lines, got %" PRIu32,
		    session->board_id, command, result->lap_count);
	if (result->end_us >= result->start_us)
		result->elapsed_us = result->end_us - result->start_us;
	else if (result->start_us <= UINT32_MAX)
		/* The reference prints an unsigned long: 32 bits on the board. */
		result->elapsed_us = result->end_us + (UINT64_C(1) << 32) - result->start_us;
	else
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': answer to '%s%%': timestamps go backwards (%" PRIu64
				" then %" PRIu64 " us)",
				session->board_id, command, result->start_us, result->end_us);
	if (values && !answer.results.seen)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': '%s%%' answered without an m-results- line",
				session->board_id, command);
	if (count)
		*count = answer.results.count;
	return HB_OK;
}

int eembc_session_infer(struct eembc_session *session, uint32_t runs, uint32_t warmups,
			struct eembc_infer_result *result)
{
	return eembc_session_infer_results(session, runs, warmups, result, NULL, 0, NULL);
}

static int results_line(struct eembc_session *session, const char *command, const char *line,
			void *context)
{
	return take_results(session, command, line, context);
}

int eembc_session_results(struct eembc_session *session, double *values, size_t capacity,
			  size_t *count)
{
	struct results_answer answer = {.values = values, .capacity = capacity};
	const struct command_spec spec = {results_line, &answer, false, false};
	int status;

	*count = 0;
	status = run_command(session, "results", &spec);
	if (status != HB_OK)
		return status;
	if (!answer.seen)
		return hb_error(HB_ERR_PROTOCOL,
				"board '%s': 'results%%' answered without an m-results- line",
				session->board_id);
	*count = answer.count;
	return HB_OK;
}
