/* The LPM01A line classifier of lpm01a_line.h: pure, no I/O. */
#include "meter/lpm01a_line.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PROMPT "PowerShield >"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool starts_with(const char *line, size_t length, const char *prefix)
{
	size_t n = strlen(prefix);

	return length >= n && memcmp(line, prefix, n) == 0;
}

/* Reads 1..9 digits at *cursor; false when there are none. */
static bool read_number(const char *line, size_t length, size_t *cursor, uint64_t *value)
{
	size_t start = *cursor;

	*value = 0;
	while (*cursor < length && is_digit(line[*cursor]) && *cursor - start < 9)
		*value = *value * 10 + (uint64_t)(line[(*cursor)++] - '0');
	return *cursor > start && (*cursor >= length || !is_digit(line[*cursor]));
}

static void copy_text(struct lpm01a_line *out, const char *text, size_t length)
{
	if (length >= sizeof out->text)
		length = sizeof out->text - 1;
	memcpy(out->text, text, length);
	out->text[length] = '\0';
}

/* "DDDD[+-]EE": exactly seven characters. */
static void parse_data(const char *line, size_t length, struct lpm01a_line *out)
{
	int mantissa = 0, exponent;

	out->kind = LPM01A_LINE_MALFORMED;
	if (length != 7 || (line[4] != '-' && line[4] != '+'))
		return;
	for (size_t i = 0; i < 7; i++)
		if (i != 4 && !is_digit(line[i]))
			return;
	for (size_t i = 0; i < 4; i++)
		mantissa = mantissa * 10 + (line[i] - '0');
	exponent = (line[5] - '0') * 10 + (line[6] - '0');
	out->value = mantissa * pow(10.0, line[4] == '-' ? -exponent : exponent);
	out->kind = LPM01A_LINE_DATA;
}

/* "event N ris|fal" */
static void parse_event(const char *line, size_t length, struct lpm01a_line *out)
{
	size_t cursor = strlen("event ");
	uint64_t number;

	out->kind = LPM01A_LINE_OTHER;
	if (!read_number(line, length, &cursor, &number) || number > UINT32_MAX)
		return;
	if (length - cursor != 4 || line[cursor] != ' ')
		return;
	if (memcmp(line + cursor + 1, "ris", 3) == 0)
		out->rising = true;
	else if (memcmp(line + cursor + 1, "fal", 3) != 0)
		return;
	out->event = (uint32_t)number;
	out->kind = LPM01A_LINE_EVENT;
}

/* "TimeStamp:?SSSs MMMms, buff PP%" where ? is ' ', '<' or '>'. */
static void parse_timestamp(const char *line, size_t length, struct lpm01a_line *out)
{
	size_t cursor = strlen("TimeStamp:");
	uint64_t seconds, millis, buffer;

	out->kind = LPM01A_LINE_OTHER;
	if (cursor >= length || (line[cursor] != ' ' && line[cursor] != '<' && line[cursor] != '>'))
		return;
	cursor++;
	if (!read_number(line, length, &cursor, &seconds) ||
	    !starts_with(line + cursor, length - cursor, "s "))
		return;
	cursor += 2;
	if (!read_number(line, length, &cursor, &millis) || millis > 999 ||
	    !starts_with(line + cursor, length - cursor, "ms, buff "))
		return;
	cursor += strlen("ms, buff ");
	if (!read_number(line, length, &cursor, &buffer) || buffer > 100 || length - cursor != 1 ||
	    line[cursor] != '%')
		return;
	out->time_ms = seconds * 1000 + millis;
	out->buffer = (uint32_t)buffer;
	out->kind = LPM01A_LINE_TIMESTAMP;
}

void lpm01a_line_parse(const char *line, size_t length, struct lpm01a_line *out)
{
	memset(out, 0, sizeof *out);
	while (length > 0 && (line[length - 1] == '\r' || line[length - 1] == '\n' ||
			      line[length - 1] == ' ' || line[length - 1] == '\t'))
		length--;
	/* The prompt may come more than once when commands were sent back to back. */
	for (;;) {
		while (length > 0 && *line == ' ') {
			line++;
			length--;
		}
		if (!starts_with(line, length, PROMPT))
			break;
		line += strlen(PROMPT);
		length -= strlen(PROMPT);
	}
	if (length == 0) {
		out->kind = LPM01A_LINE_EMPTY;
		return;
	}
	if (is_digit(line[0]))
		parse_data(line, length, out);
	else if (starts_with(line, length, "event "))
		parse_event(line, length, out);
	else if (starts_with(line, length, "TimeStamp:"))
		parse_timestamp(line, length, out);
	else if (starts_with(line, length, "ack ")) {
		out->kind = LPM01A_LINE_ACK;
		copy_text(out, line + 4, length - 4);
	} else if (starts_with(line, length, "error ")) {
		out->kind = LPM01A_LINE_ERROR;
		copy_text(out, line + 6, length - 6);
	} else if (starts_with(line, length, "Error detail:")) {
		size_t skip = strlen("Error detail:");

		while (skip < length && line[skip] == ' ')
			skip++;
		out->kind = LPM01A_LINE_ERROR_DETAIL;
		copy_text(out, line + skip, length - skip);
	} else if (starts_with(line, length, "Acquisition completed"))
		out->kind = LPM01A_LINE_END;
	else {
		out->kind = LPM01A_LINE_OTHER;
		copy_text(out, line, length);
	}
}
