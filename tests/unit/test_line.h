/*
 * The board-to-host direction of the fake boards in the unit tests: reply
 * frames queued as bytes, read back like a transport's read (waiting out
 * the timeout when nothing is queued).
 */
#ifndef HB_TEST_LINE_H
#define HB_TEST_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_line {
	uint8_t pending[1 << 16];
	size_t length;
	uint64_t read_total; /* bytes read so far */
};

/* Encodes a frame onto the line, with one byte damaged if asked. */
void test_line_queue(struct test_line *line, uint16_t seq, uint8_t type, const uint8_t *payload,
		     size_t length, bool damage);

/* Queues raw bytes (a text protocol's lines). */
void test_line_append(struct test_line *line, const void *bytes, size_t length);

/* A transport read: up to `capacity` queued bytes, or HB_ERR_TIMEOUT after
 * sleeping `timeout_ms` when none are queued. */
int test_line_read(struct test_line *line, uint8_t *data, size_t capacity, size_t *got,
		   int timeout_ms);

#endif
