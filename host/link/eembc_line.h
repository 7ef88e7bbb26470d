/*
 * One answer line of the MLPerf Tiny / EEMBC runner's ASCII protocol,
 * classified and decoded, apart from the session so it can be fuzzed and
 * tested on canned lines. The forms (without the line's "\r\n"):
 *   m-ready                     the end of every answer
 *   e-[TEXT]                    the command failed (any "e-" line)
 *   m-name-NAME                 "name%": NAME, or X of "m-name-dut-[X]"
 *   m-profile-[TEXT]            "profile%": the firmware's profile
 *   m-model-[NAME]              "profile%": the model the runner picks its dataset by
 *   m-results-[V0,V1,...]       the output as numbers (the reference: "%0.3f" floats)
 *   m-lap-us-DIGITS             a timestamp of the board's microsecond clock
 *   m-[Expecting N bytes]       "db load N%" accepted
 *   m-load-done                 the last "db HEX%" of a load
 *   m-...                       any other message (chatter: warm-up, banner)
 * Anything else is OTHER: boards print what they like between answers.
 */
#ifndef HB_EEMBC_LINE_H
#define HB_EEMBC_LINE_H

#include <stddef.h>
#include <stdint.h>

enum eembc_line_kind {
	EEMBC_LINE_OTHER,
	EEMBC_LINE_READY,
	EEMBC_LINE_ERROR,
	EEMBC_LINE_NAME,
	EEMBC_LINE_PROFILE,
	EEMBC_LINE_MODEL,
	EEMBC_LINE_RESULTS,
	EEMBC_LINE_LAP_US,
	EEMBC_LINE_EXPECTING,
	EEMBC_LINE_LOAD_DONE,
	EEMBC_LINE_MESSAGE,
	/* The prefix of a kind above with a body that is not that kind's:
	 * `why` says what was expected. */
	EEMBC_LINE_GARBLED,
};

struct eembc_line {
	enum eembc_line_kind kind;
	/* What the line was taken for when GARBLED (LAP_US, RESULTS, ...). */
	enum eembc_line_kind garbled_kind;
	const char *why;    /* GARBLED: what was expected; a constant string */
	const char *text;   /* NAME, PROFILE, MODEL, ERROR, MESSAGE: inside the line */
	size_t text_length; /* of `text`, not NUL-terminated there */
	uint64_t number;    /* LAP_US: microseconds; EXPECTING: bytes */
	size_t value_count; /* RESULTS: values stored */
};

/* Classifies a NUL-terminated line. RESULTS values go to
 * values[0..capacity): more than `capacity` is GARBLED with `why`
 * EEMBC_LINE_TOO_MANY_VALUES. Never fails otherwise. */
void eembc_line_parse(const char *line, double *values, size_t capacity, struct eembc_line *out);

/* The `why` of a results line holding more values than the caller's capacity. */
extern const char EEMBC_LINE_TOO_MANY_VALUES[];

/* A short name of a kind, for messages ("m-lap-us-", "m-results-", ...). */
const char *eembc_line_kind_name(enum eembc_line_kind kind);

#endif
