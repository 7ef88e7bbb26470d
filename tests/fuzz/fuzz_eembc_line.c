// FUZZ_DEPS: host/link/eembc_line.c
/*
 * The MLPerf Tiny answer-line parser on arbitrary bytes, split at '\n' as
 * the session splits the board's stream: vendor firmware and a noisy line
 * can print anything. Every line must classify, text must stay inside the
 * line, results must fit the caller's buffer and be finite.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "link/eembc_line.h"

#define FUZZ_CHECK(condition)                                                                      \
	do {                                                                                       \
		if (!(condition))                                                                  \
			abort();                                                                   \
	} while (0)

#define FUZZ_VALUES 8

static void check_line(const char *line, size_t length)
{
	/* An exact copy on the heap, so ASan sees a read past the line. */
	char *copy = malloc(length + 1);
	double *values = malloc(FUZZ_VALUES * sizeof *values);
	struct eembc_line parsed;

	FUZZ_CHECK(copy && values);
	memcpy(copy, line, length);
	copy[length] = '\0';
	length = strlen(copy); /* a NUL inside ends the line, as for the session */
	eembc_line_parse(copy, values, FUZZ_VALUES, &parsed);
	FUZZ_CHECK(parsed.kind >= EEMBC_LINE_OTHER && parsed.kind <= EEMBC_LINE_GARBLED);
	FUZZ_CHECK(parsed.text >= copy && parsed.text + parsed.text_length <= copy + length);
	if (parsed.kind == EEMBC_LINE_GARBLED)
		FUZZ_CHECK(parsed.why && parsed.why[0]);
	if (parsed.kind == EEMBC_LINE_RESULTS) {
		FUZZ_CHECK(parsed.value_count <= FUZZ_VALUES);
		for (size_t i = 0; i < parsed.value_count; i++)
			FUZZ_CHECK(isfinite(values[i]));
	}
	FUZZ_CHECK(eembc_line_kind_name(parsed.kind)[0]);
	/* Without a buffer, no value may be stored. */
	eembc_line_parse(copy, NULL, 0, &parsed);
	FUZZ_CHECK(parsed.kind != EEMBC_LINE_RESULTS || parsed.value_count == 0);
	free(values);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t start = 0;

	for (size_t i = 0; i <= size; i++)
		if (i == size || text[i] == '\n') {
			check_line(text + start, i - start);
			start = i + 1;
		}
	return 0;
}
