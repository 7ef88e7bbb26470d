// FUZZ_DEPS: host/meter/lpm01a_line.c
/*
 * The LPM01A line parser on arbitrary bytes, split at '\n' as the driver
 * splits the monitor's stream: a line on a noisy serial link can hold
 * anything. Every line must classify, a data value must be finite and not
 * negative, and text must stay inside its buffer.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/lpm01a_line.h"

#define FUZZ_CHECK(condition)                                                                      \
	do {                                                                                       \
		if (!(condition))                                                                  \
			abort();                                                                   \
	} while (0)

static void check_line(const char *line, size_t length)
{
	struct lpm01a_line parsed;
	/* An exact copy on the heap, so ASan sees a read past the line. */
	char *copy = malloc(length ? length : 1);

	FUZZ_CHECK(copy);
	memcpy(copy, line, length);
	lpm01a_line_parse(copy, length, &parsed);
	FUZZ_CHECK(parsed.kind >= LPM01A_LINE_EMPTY && parsed.kind <= LPM01A_LINE_MALFORMED);
	FUZZ_CHECK(memchr(parsed.text, '\0', sizeof parsed.text) != NULL);
	if (parsed.kind == LPM01A_LINE_DATA)
		FUZZ_CHECK(isfinite(parsed.value) && parsed.value >= 0);
	if (parsed.kind == LPM01A_LINE_TIMESTAMP)
		FUZZ_CHECK(parsed.buffer <= 100);
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
