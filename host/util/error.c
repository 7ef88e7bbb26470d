/* The one error-reporting helper: format, remember the last error, hand to the sink. */
#include "util/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static hb_log_sink current_sink;
static void *current_context;
static enum hb_level current_level = HB_LEVEL_INFO;
static char last_error[1024];
/* A meter's reader thread (run/energy_measure.c) reports while the main
 * thread may be reporting too: one line at a time, and the last error and
 * the held lines are never written by two threads at once. Sinks must not
 * report themselves. */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

void hb_log_set_sink(hb_log_sink sink, void *context)
{
	current_sink = sink;
	current_context = context;
}

void hb_log_set_level(enum hb_level level)
{
	current_level = level;
}

enum hb_level hb_log_level(void)
{
	return current_level;
}

int hb_use_color(int fd)
{
	const char *no_color = getenv("NO_COLOR");
	if (no_color && no_color[0])
		return 0;
	return isatty(fd);
}

static void default_sink(enum hb_level level, const char *message, void *context)
{
	static const char *const prefix[] = {"error", "warning", "", "debug"};
	static const char *const color[] = {"\033[1;31m", "\033[1;33m", "", "\033[2m"};
	(void)context;
	if (level > current_level)
		return;
	if (level == HB_LEVEL_INFO) {
		fprintf(stderr, "%s\n", message);
		return;
	}
	if (hb_use_color(2))
		fprintf(stderr, "%s%s:\033[0m %s\n", color[level], prefix[level], message);
	else
		fprintf(stderr, "%s: %s\n", prefix[level], message);
}

static void deliver(enum hb_level level, const char *line)
{
	if (current_sink)
		current_sink(level, line, current_context);
	else
		default_sink(level, line, NULL);
}

/* Errors held back by hb_hold_errors (the first few; the last one is
 * always kept as hb_last_error). */
#define HELD_LINES 4
static bool holding;
static bool quiet_errors;
static char held[HELD_LINES][1024];
static unsigned held_count;

static void emit(enum hb_level level, const char *format, va_list args)
{
	char line[1024];
	vsnprintf(line, sizeof line, format, args);
	pthread_mutex_lock(&report_lock);
	if (level == HB_LEVEL_ERROR)
		memcpy(last_error, line, sizeof last_error);
	if (level == HB_LEVEL_ERROR && quiet_errors) {
		/* kept as the last error only */
	} else if (level == HB_LEVEL_ERROR && holding) {
		if (held_count < HELD_LINES)
			memcpy(held[held_count++], line, sizeof line);
	} else {
		deliver(level, line);
	}
	pthread_mutex_unlock(&report_lock);
}

bool hb_quiet_errors(bool quiet)
{
	bool before;

	pthread_mutex_lock(&report_lock);
	before = quiet_errors;
	quiet_errors = quiet;
	pthread_mutex_unlock(&report_lock);
	return before;
}

void hb_hold_errors(bool hold)
{
	holding = hold;
}

void hb_release_held(enum hb_level level, const char *prefix)
{
	char line[1100];

	pthread_mutex_lock(&report_lock);
	for (unsigned i = 0; i < held_count; i++) {
		snprintf(line, sizeof line, "%s%s", prefix ? prefix : "", held[i]);
		deliver(level, line);
	}
	held_count = 0;
	pthread_mutex_unlock(&report_lock);
}

int hb_error(int code, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	emit(HB_LEVEL_ERROR, format, args);
	va_end(args);
	return code;
}

void hb_warn(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	emit(HB_LEVEL_WARN, format, args);
	va_end(args);
}

void hb_info(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	emit(HB_LEVEL_INFO, format, args);
	va_end(args);
}

void hb_debug(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	emit(HB_LEVEL_DEBUG, format, args);
	va_end(args);
}

const char *hb_last_error(void)
{
	return last_error;
}

const char *hb_status_name(int code)
{
	switch (code) {
	case HB_OK: return "ok";
	case HB_ERR_USAGE: return "usage";
	case HB_ERR_INPUT: return "bad input";
	case HB_ERR_NOT_FOUND: return "not found";
	case HB_ERR_IO: return "i/o error";
	case HB_ERR_TOOL: return "tool failed";
	case HB_ERR_TIMEOUT: return "timeout";
	case HB_ERR_PROTOCOL: return "protocol error";
	case HB_ERR_MISMATCH: return "output mismatch";
	case HB_ERR_NOMEM: return "out of memory";
	case HB_ERR_REGRESSION: return "regression";
	case HB_ERR_INFRASTRUCTURE: return "infrastructure";
	default: return "internal error";
	}
}
