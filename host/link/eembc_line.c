#include "link/eembc_line.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char EEMBC_LINE_TOO_MANY_VALUES[] = "more values than expected";

static bool starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Digits only into *value; false on anything else or overflow. */
static bool parse_decimal(const char *text, uint64_t *value)
{
	uint64_t result = 0;

	if (*text == '\0')
		return false;
	for (; *text; text++) {
		uint64_t digit = (uint64_t)(*text - '0');

		if (*text < '0' || *text > '9' || result > (UINT64_MAX - digit) / 10)
			return false;
		result = result * 10 + digit;
	}
	*value = result;
	return true;
}

static void garbled(struct eembc_line *out, enum eembc_line_kind kind, const char *why)
{
	out->kind = EEMBC_LINE_GARBLED;
	out->garbled_kind = kind;
	out->why = why;
}

/* "PREFIX[TEXT]": TEXT into out, or GARBLED without the closing ']'. */
static void bracketed(const char *line, const char *prefix, enum eembc_line_kind kind,
		      struct eembc_line *out)
{
	const size_t start = strlen(prefix);
	const size_t length = strlen(line);

	if (length < start + 1 || line[length - 1] != ']') {
		garbled(out, kind, "expected ']' at the end");
		return;
	}
	out->kind = kind;
	out->text = line + start;
	out->text_length = length - start - 1;
}

static void parse_name(const char *line, struct eembc_line *out)
{
	const char *name = line + strlen("m-name-");
	size_t length = strlen(name);

	/* The reference firmware prints "m-name-dut-[VENDOR]". */
	if (strncmp(name, "dut-[", 5) == 0 && length > 6 && name[length - 1] == ']') {
		name += 5;
		length -= 6;
	}
	out->kind = EEMBC_LINE_NAME;
	out->text = name;
	out->text_length = length;
}

static void parse_results(const char *line, double *values, size_t capacity, struct eembc_line *out)
{
	const char *cursor = line + strlen("m-results-[");
	const size_t length = strlen(line);

	if (line[length - 1] != ']') {
		garbled(out, EEMBC_LINE_RESULTS, "expected ']' at the end");
		return;
	}
	out->value_count = 0;
	if (cursor == line + length - 1) {
		out->kind = EEMBC_LINE_RESULTS; /* "m-results-[]" */
		return;
	}
	for (;;) {
		char *end;
		double value = strtod(cursor, &end);

		if (end == cursor || !isfinite(value)) {
			garbled(out, EEMBC_LINE_RESULTS, "expected numbers separated by ','");
			return;
		}
		while (*end == ' ')
			end++;
		if (*end != ',' && *end != ']') {
			garbled(out, EEMBC_LINE_RESULTS, "expected ',' or ']' after a number");
			return;
		}
		if (out->value_count == capacity) {
			garbled(out, EEMBC_LINE_RESULTS, EEMBC_LINE_TOO_MANY_VALUES);
			return;
		}
		values[out->value_count++] = value;
		if (*end == ']') {
			if (end[1] != '\0')
				garbled(out, EEMBC_LINE_RESULTS, "text after ']'");
			else
				out->kind = EEMBC_LINE_RESULTS;
			return;
		}
		cursor = end + 1;
	}
}

static void parse_expecting(const char *line, struct eembc_line *out)
{
	static const char prefix[] = "m-[Expecting ";
	const char *digits = line + sizeof prefix - 1;
	const char *space = strchr(digits, ' ');
	char number[24];

	if (!space || strcmp(space, " bytes]") != 0 || (size_t)(space - digits) >= sizeof number) {
		garbled(out, EEMBC_LINE_EXPECTING, "expected m-[Expecting N bytes]");
		return;
	}
	memcpy(number, digits, (size_t)(space - digits));
	number[space - digits] = '\0';
	if (!parse_decimal(number, &out->number)) {
		garbled(out, EEMBC_LINE_EXPECTING, "expected m-[Expecting N bytes]");
		return;
	}
	out->kind = EEMBC_LINE_EXPECTING;
}

void eembc_line_parse(const char *line, double *values, size_t capacity, struct eembc_line *out)
{
	memset(out, 0, sizeof *out);
	out->kind = EEMBC_LINE_OTHER;
	out->text = line;
	out->text_length = strlen(line);
	if (strcmp(line, "m-ready") == 0) {
		out->kind = EEMBC_LINE_READY;
	} else if (starts_with(line, "e-")) {
		out->kind = EEMBC_LINE_ERROR;
	} else if (starts_with(line, "m-name-")) {
		parse_name(line, out);
	} else if (starts_with(line, "m-profile-[")) {
		bracketed(line, "m-profile-[", EEMBC_LINE_PROFILE, out);
	} else if (starts_with(line, "m-model-[")) {
		bracketed(line, "m-model-[", EEMBC_LINE_MODEL, out);
	} else if (starts_with(line, "m-results-[")) {
		parse_results(line, values, capacity, out);
	} else if (starts_with(line, "m-lap-us-")) {
		if (parse_decimal(line + strlen("m-lap-us-"), &out->number))
			out->kind = EEMBC_LINE_LAP_US;
		else
			garbled(out, EEMBC_LINE_LAP_US, "expected m-lap-us-DIGITS");
	} else if (starts_with(line, "m-[Expecting ")) {
		parse_expecting(line, out);
	} else if (strcmp(line, "m-load-done") == 0) {
		out->kind = EEMBC_LINE_LOAD_DONE;
	} else if (starts_with(line, "m-")) {
		out->kind = EEMBC_LINE_MESSAGE;
		out->text = line + 2;
		out->text_length -= 2;
	}
}

const char *eembc_line_kind_name(enum eembc_line_kind kind)
{
	switch (kind) {
	case EEMBC_LINE_READY: return "m-ready";
	case EEMBC_LINE_ERROR: return "e-";
	case EEMBC_LINE_NAME: return "m-name-";
	case EEMBC_LINE_PROFILE: return "m-profile-";
	case EEMBC_LINE_MODEL: return "m-model-";
	case EEMBC_LINE_RESULTS: return "m-results-";
	case EEMBC_LINE_LAP_US: return "m-lap-us-";
	case EEMBC_LINE_EXPECTING: return "m-[Expecting N bytes]";
	case EEMBC_LINE_LOAD_DONE: return "m-load-done";
	case EEMBC_LINE_MESSAGE: return "m-";
	case EEMBC_LINE_GARBLED: return "garbled";
	case EEMBC_LINE_OTHER: break;
	}
	return "other";
}
