// FUZZ_DEPS: host/meter/ppk2_proto.c host/util/error.c
/*
 * The PPK2's metadata parser and sample decoder on arbitrary bytes: the
 * metadata arrives over a USB link that may still carry samples, and any
 * 32-bit word can be a sample. A parse must succeed or refuse, a parsed
 * resistor must be positive, and every word must split into its fields;
 * with the default calibration its current must be finite.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/ppk2_proto.h"
#include "util/error.h"

#define FUZZ_CHECK(condition)                                                                      \
	do {                                                                                       \
		if (!(condition))                                                                  \
			abort();                                                                   \
	} while (0)

static void quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ppk2_metadata metadata;
	/* An exact copy on the heap, so ASan sees a read past the text. */
	char *copy = malloc(size ? size : 1);
	bool parsed;

	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	hb_log_set_sink(quiet, NULL);
	parsed = ppk2_metadata_parse(copy, size, "fuzz", &metadata) == HB_OK;

	if (!parsed)
		ppk2_metadata_defaults(&metadata);
	for (int k = 0; k < PPK2_RANGES; k++)
		FUZZ_CHECK(metadata.r[k] > 0 && isfinite(metadata.r[k]));
	for (size_t at = 0; at + 4 <= size; at += 4) {
		const uint32_t word = (uint32_t)data[at] | (uint32_t)data[at + 1] << 8 |
				      (uint32_t)data[at + 2] << 16 | (uint32_t)data[at + 3] << 24;
		const struct ppk2_raw raw = ppk2_unpack(word);
		const double current = ppk2_current_a(&metadata, 3.0, raw);

		FUZZ_CHECK(raw.adc < 16384 && raw.range < 8 && raw.counter < 64);
		FUZZ_CHECK(raw.logic == (uint8_t)(word >> 24));
		/* Huge calibration values may overflow; the defaults never do. */
		FUZZ_CHECK(parsed || isfinite(current));
	}
	hb_log_set_sink(NULL, NULL);
	free(copy);
	return 0;
}
