/*
 * Host-side error codes and the one helper every message goes through.
 *
 * Library code never prints on its own and never exits: it calls
 * hb_error() (which formats, hands the line to the current sink and returns
 * the code) and passes the code up. Messages follow git's style: lower case,
 * name what failed first, quote the subject, no trailing period.
 */
#ifndef HB_ERROR_H
#define HB_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

enum hb_status {
	HB_OK = 0,
	HB_ERR_USAGE = -1,     /* the command line is wrong */
	HB_ERR_INPUT = -2,     /* a file the user gave is malformed or invalid */
	HB_ERR_NOT_FOUND = -3, /* a file, board, port or program does not exist */
	HB_ERR_IO = -4,	       /* reading/writing a file, socket or port failed */
	HB_ERR_TOOL = -5,      /* an external tool (qemu, openocd, make) failed */
	HB_ERR_TIMEOUT = -6,   /* the board did not answer in time */
	HB_ERR_PROTOCOL = -7,  /* the board answered something we cannot accept */
	HB_ERR_MISMATCH = -8,  /* target output differs from the host reference */
	HB_ERR_NOMEM = -9,
	HB_ERR_INTERNAL = -10,
	HB_ERR_REGRESSION = -11, /* a gate failed: slower, bigger, less accurate, none qualifies */
	HB_ERR_INFRASTRUCTURE = -12, /* a board or tool could not give a result to judge */
};

enum hb_level { HB_LEVEL_ERROR, HB_LEVEL_WARN, HB_LEVEL_INFO, HB_LEVEL_DEBUG };

/* A sink receives every finished message line (no trailing newline). */
typedef void (*hb_log_sink)(enum hb_level level, const char *message, void *context);

/* Replace the sink (NULL restores the default stderr sink). Tests capture
 * messages this way. */
void hb_log_set_sink(hb_log_sink sink, void *context);

/* Verbosity for the default sink: messages above this level are dropped. */
void hb_log_set_level(enum hb_level level);
/* The level set, so a child hilbench can be given the same -v or -q. */
enum hb_level hb_log_level(void);

/* Reports an error and returns `code` so callers can `return hb_error(...)`. */
int hb_error(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
void hb_warn(const char *format, ...) __attribute__((format(printf, 1, 2)));
void hb_info(const char *format, ...) __attribute__((format(printf, 1, 2)));
void hb_debug(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* While held, errors are kept back instead of handed to the sink (they
 * still become hb_last_error): a caller that may recover from a failure
 * (run/recovery.c) shows them as warnings then, or as the errors they were
 * when it cannot. hb_release_held hands the kept lines on at `level`, each
 * after `prefix` (or none), and forgets them. */
void hb_hold_errors(bool hold);
void hb_release_held(enum hb_level level, const char *prefix);

/* While quiet, errors only become hb_last_error: for a caller that expects
 * a failure it may forgive, and reports the last error itself when it does
 * not. Returns the state before, to restore. */
bool hb_quiet_errors(bool quiet);

/* The text of the last error reported (empty if none); results files keep it. */
const char *hb_last_error(void);

/* A short name for a status code ("timeout", "bad input", ...). */
const char *hb_status_name(int code);

/* True when colour may be used on this stream (a tty and NO_COLOR unset). */
int hb_use_color(int fd);

#endif
