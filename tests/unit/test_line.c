#include "test_line.h"

#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "util/error.h"
#include "frame.h"

void test_line_queue(struct test_line *line, uint16_t seq, uint8_t type, const uint8_t *payload,
		     size_t length, bool damage)
{
	struct frame reply = {.seq = seq, .type = type, .length = (uint16_t)length};
	size_t encoded;

	if (length)
		memcpy(reply.payload, payload, length);
	encoded =
	    frame_encode(&reply, line->pending + line->length, sizeof line->pending - line->length);
	cr_assert(encoded > 0, "the fake line is full");
	if (damage)
		line->pending[line->length + encoded / 2] ^= 0x10;
	line->length += encoded;
}

void test_line_append(struct test_line *line, const void *bytes, size_t length)
{
	cr_assert_leq(length, sizeof line->pending - line->length, "the fake line is full");
	memcpy(line->pending + line->length, bytes, length);
	line->length += length;
}

int test_line_read(struct test_line *line, uint8_t *data, size_t capacity, size_t *got,
		   int timeout_ms)
{
	size_t count = line->length < capacity ? line->length : capacity;

	if (count == 0) {
		struct timespec wait = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
		nanosleep(&wait, NULL);
		*got = 0;
		return HB_ERR_TIMEOUT;
	}
	memcpy(data, line->pending, count);
	memmove(line->pending, line->pending + count, line->length - count);
	line->length -= count;
	line->read_total += count;
	*got = count;
	return HB_OK;
}
