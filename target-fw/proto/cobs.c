#include "cobs.h"

size_t cobs_encode(const uint8_t *in, size_t length, uint8_t *out, size_t capacity)
{
	size_t code_at = 0;
	size_t written = 1;
	uint8_t code = 1;

	if (capacity < COBS_MAX_ENCODED(length))
		return 0;
	for (size_t i = 0; i < length; i++) {
		if (in[i] == 0) {
			out[code_at] = code;
			code_at = written++;
			code = 1;
			continue;
		}
		out[written++] = in[i];
		if (++code == 0xFF) {
			out[code_at] = code;
			code_at = written++;
			code = 1;
		}
	}
	out[code_at] = code;
	return written;
}

long cobs_decode(const uint8_t *in, size_t length, uint8_t *out, size_t capacity)
{
	size_t read = 0;
	size_t written = 0;

	while (read < length) {
		uint8_t code = in[read++];
		if (code == 0 || read + code - 1 > length)
			return -1;
		for (uint8_t i = 1; i < code; i++) {
			if (in[read] == 0 || written >= capacity)
				return -1;
			out[written++] = in[read++];
		}
		/* A code below 0xFF stands for a zero, except at the very end. */
		if (code != 0xFF && read < length) {
			if (written >= capacity)
				return -1;
			out[written++] = 0;
		}
	}
	return (long)written;
}
