/*
 * One line of the ST X-NUCLEO-LPM01A (PowerShield) ASCII stream, classified
 * and decoded. Kept apart from the driver so it can be fuzzed and tested on
 * canned lines. The forms, as the monitor sends them in host-controlled mode
 * with format ascii_dec (a leading "PowerShield > " prompt is accepted):
 *   6409-07                          data: 6409 x 10^-7 (A, or J in energy output)
 *   event 03 ris                     an edge on the event input (D7), numbered from 0
 *   TimeStamp: 002s 000ms, buff 00%  acquisition time, once a second
 *   ack volt 3000m                   a command accepted (echoes it)
 *   error freq 7k                    a command refused; "Error detail: ..." follows
 *   Acquisition completed            the end of the stream after stop
 */
#ifndef HB_LPM01A_LINE_H
#define HB_LPM01A_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lpm01a_line_kind {
	LPM01A_LINE_EMPTY,
	LPM01A_LINE_DATA,
	LPM01A_LINE_EVENT,
	LPM01A_LINE_TIMESTAMP,
	LPM01A_LINE_ACK,
	LPM01A_LINE_ERROR,
	LPM01A_LINE_ERROR_DETAIL,
	LPM01A_LINE_END,
	LPM01A_LINE_OTHER,     /* a message the driver does not act on */
	LPM01A_LINE_MALFORMED, /* starts as a data line but is not one: a sample lost */
};

struct lpm01a_line {
	enum lpm01a_line_kind kind;
	double value;	  /* DATA */
	uint32_t event;	  /* EVENT: its number */
	bool rising;	  /* EVENT */
	uint64_t time_ms; /* TIMESTAMP */
	uint32_t buffer;  /* TIMESTAMP: the monitor's buffer load, % */
	char text[96];	  /* ACK, ERROR: the command echoed; ERROR_DETAIL: the reason */
};

/* Classifies `length` bytes (no line terminator needed; '\r' and trailing
 * blanks are ignored). Never fails: what it cannot read is MALFORMED or OTHER. */
void lpm01a_line_parse(const char *line, size_t length, struct lpm01a_line *out);

#endif
