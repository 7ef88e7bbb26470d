/* The noise transport over a fake in-memory transport ("loop") that keeps
 * what was written, serves prepared bytes to reads and records its close. */
#include <criterion/criterion.h>

#include "util/error.h"
#include "link/transport.h"
#include "link/transport_noise.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LOOP_CAPACITY 200000

struct loop_transport {
	struct transport base;
	uint8_t written[LOOP_CAPACITY];
	size_t written_length;
	size_t write_calls;
	int last_write_timeout;
	const uint8_t *readable;
	size_t readable_length;
	size_t read_position;
	size_t read_limit; /* most bytes one read returns (0: no limit) */
	int last_read_timeout;
	int flushes;
	bool closed;
};

/* Static storage: each Criterion test runs in its own process, so these
 * start zeroed every time, and they outlive close() for inspection. */
static struct loop_transport loop_first;
static struct loop_transport loop_second;
static uint8_t loop_source[LOOP_CAPACITY];
static uint8_t loop_received[LOOP_CAPACITY];

static int loop_open(const char *address, const struct transport_options *options,
		     struct transport **out)
{
	(void)address;
	(void)options;
	*out = NULL;
	return HB_ERR_USAGE;
}

static int loop_write(struct transport *transport, const uint8_t *data, size_t length,
		      int timeout_ms)
{
	struct loop_transport *loop = (struct loop_transport *)transport;

	if (length > LOOP_CAPACITY - loop->written_length)
		return HB_ERR_IO;
	memcpy(loop->written + loop->written_length, data, length);
	loop->written_length += length;
	loop->write_calls++;
	loop->last_write_timeout = timeout_ms;
	return HB_OK;
}

static int loop_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		     int timeout_ms)
{
	struct loop_transport *loop = (struct loop_transport *)transport;
	size_t left = loop->readable_length - loop->read_position;

	loop->last_read_timeout = timeout_ms;
	*got = 0;
	if (left == 0)
		return HB_ERR_TIMEOUT;
	if (capacity < left)
		left = capacity;
	if (loop->read_limit && loop->read_limit < left)
		left = loop->read_limit;
	memcpy(data, loop->readable + loop->read_position, left);
	loop->read_position += left;
	*got = left;
	return HB_OK;
}

static int loop_flush_input(struct transport *transport)
{
	struct loop_transport *loop = (struct loop_transport *)transport;

	loop->flushes++;
	return HB_OK;
}

static void loop_close(struct transport *transport)
{
	struct loop_transport *loop = (struct loop_transport *)transport;

	loop->closed = true;
}

static const struct transport_driver loop_driver = {
    .name = "loop",
    .open = loop_open,
    .write = loop_write,
    .read = loop_read,
    .flush_input = loop_flush_input,
    .close = loop_close,
};

static void loop_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void loop_setup(void)
{
	hb_log_set_sink(loop_quiet, NULL);
}

TestSuite(transport_noise, .init = loop_setup, .timeout = 20);

/* Deterministic, varied bytes (including zeros) to push through. */
static void loop_fill(uint8_t *bytes, size_t length, uint32_t salt)
{
	uint32_t state = salt * 2654435761u + 1u;

	for (size_t i = 0; i < length; i++) {
		state = state * 1103515245u + 12345u;
		bytes[i] = (uint8_t)(state >> 16);
	}
}

static struct transport *loop_init(struct loop_transport *loop, const uint8_t *readable,
				   size_t readable_length)
{
	loop->base.driver = &loop_driver;
	snprintf(loop->base.address, sizeof loop->base.address, "loop:test");
	loop->readable = readable;
	loop->readable_length = readable_length;
	return &loop->base;
}

static struct transport *loop_wrap(struct loop_transport *loop, const uint8_t *readable,
				   size_t readable_length, double probability, uint32_t seed)
{
	struct transport *noisy = NULL;
	int status = transport_noise_wrap(loop_init(loop, readable, readable_length), probability,
					  seed, &noisy);

	cr_assert_eq(status, HB_OK, "%s", hb_last_error());
	cr_assert_not_null(noisy);
	return noisy;
}

/* Writes `length` bytes in pieces of `step` (the last may be shorter). */
static void loop_write_in_steps(struct transport *noisy, const uint8_t *data, size_t length,
				size_t step)
{
	for (size_t done = 0; done < length; done += step) {
		size_t size = length - done < step ? length - done : step;
		cr_assert_eq(noisy->driver->write(noisy, data + done, size, 100), HB_OK);
	}
}

/* Reads until the fake runs dry; returns how many bytes arrived. */
static size_t loop_read_all(struct transport *noisy, uint8_t *into, size_t capacity)
{
	size_t total = 0;

	for (;;) {
		size_t got = 12345;
		int status = noisy->driver->read(noisy, into + total, capacity - total, &got, 50);
		if (status == HB_ERR_TIMEOUT) {
			cr_assert_eq(got, 0);
			return total;
		}
		cr_assert_eq(status, HB_OK);
		cr_assert_gt(got, 0);
		total += got;
	}
}

static size_t loop_differences(const uint8_t *a, const uint8_t *b, size_t length)
{
	size_t count = 0;

	for (size_t i = 0; i < length; i++)
		count += a[i] != b[i];
	return count;
}

Test(transport_noise, zero_probability_passes_bytes_unchanged)
{
	struct transport *noisy;
	struct transport_noise_counts counts;
	size_t length = 5000;

	loop_fill(loop_source, length, 1);
	noisy = loop_wrap(&loop_first, loop_source, length, 0.0, 7);
	loop_write_in_steps(noisy, loop_source, length, 333);
	cr_assert_eq(loop_first.written_length, length);
	cr_assert_arr_eq(loop_first.written, loop_source, length);
	cr_assert_eq(loop_read_all(noisy, loop_received, sizeof loop_received), length);
	cr_assert_arr_eq(loop_received, loop_source, length);
	transport_noise_counts(noisy, &counts);
	cr_assert_eq(counts.damaged_sent, 0);
	cr_assert_eq(counts.damaged_received, 0);
	noisy->driver->close(noisy);
}

Test(transport_noise, full_probability_damages_every_byte)
{
	struct transport *noisy;
	struct transport_noise_counts counts;
	size_t length = 5000;

	loop_fill(loop_source, length, 2);
	noisy = loop_wrap(&loop_first, loop_source, length, 1.0, 7);
	loop_write_in_steps(noisy, loop_source, length, 4096);
	cr_assert_eq(loop_first.written_length, length);
	for (size_t i = 0; i < length; i++)
		cr_assert_neq(loop_first.written[i], loop_source[i], "sent byte %zu unchanged", i);
	cr_assert_eq(loop_read_all(noisy, loop_received, sizeof loop_received), length);
	for (size_t i = 0; i < length; i++)
		cr_assert_neq(loop_received[i], loop_source[i], "received byte %zu unchanged", i);
	transport_noise_counts(noisy, &counts);
	cr_assert_eq(counts.damaged_sent, length);
	cr_assert_eq(counts.damaged_received, length);
	noisy->driver->close(noisy);
}

Test(transport_noise, one_percent_damages_about_one_percent)
{
	struct transport *noisy;
	size_t length = 100000;
	size_t sent_damage;
	size_t received_damage;

	loop_fill(loop_source, length, 3);
	noisy = loop_wrap(&loop_first, loop_source, length, 0.01, 12345);
	loop_write_in_steps(noisy, loop_source, length, 700);
	cr_assert_eq(loop_read_all(noisy, loop_received, sizeof loop_received), length);
	sent_damage = loop_differences(loop_first.written, loop_source, length);
	received_damage = loop_differences(loop_received, loop_source, length);
	cr_assert(sent_damage >= 500 && sent_damage <= 1500, "sent: %zu of %zu damaged",
		  sent_damage, length);
	cr_assert(received_damage >= 500 && received_damage <= 1500, "received: %zu of %zu damaged",
		  received_damage, length);
	noisy->driver->close(noisy);
}

Test(transport_noise, same_seed_damages_same_positions)
{
	struct transport *first;
	struct transport *second;
	static uint8_t second_received[LOOP_CAPACITY];
	size_t length = 20000;

	loop_fill(loop_source, length, 4);
	first = loop_wrap(&loop_first, loop_source, length, 0.05, 99);
	second = loop_wrap(&loop_second, loop_source, length, 0.05, 99);
	/* Split differently: the damage follows byte positions, not calls. */
	loop_write_in_steps(first, loop_source, length, 5000);
	loop_write_in_steps(second, loop_source, length, 17);
	cr_assert_eq(loop_second.written_length, length);
	cr_assert_gt(loop_differences(loop_first.written, loop_source, length), 0);
	cr_assert_arr_eq(loop_first.written, loop_second.written, length);

	loop_second.read_limit = 3;
	cr_assert_eq(loop_read_all(first, loop_received, sizeof loop_received), length);
	cr_assert_eq(loop_read_all(second, second_received, sizeof second_received), length);
	cr_assert_arr_eq(loop_received, second_received, length);
	first->driver->close(first);
	second->driver->close(second);
}

Test(transport_noise, reads_do_not_depend_on_writes)
{
	struct transport *writer;
	struct transport *reader;
	static uint8_t reader_received[LOOP_CAPACITY];
	size_t length = 10000;

	loop_fill(loop_source, length, 5);
	writer = loop_wrap(&loop_first, loop_source, length, 0.05, 2024);
	reader = loop_wrap(&loop_second, loop_source, length, 0.05, 2024);
	loop_write_in_steps(writer, loop_source, length, 1000);
	cr_assert_eq(loop_read_all(writer, loop_received, sizeof loop_received), length);
	cr_assert_eq(loop_read_all(reader, reader_received, sizeof reader_received), length);
	cr_assert_arr_eq(loop_received, reader_received, length);
	writer->driver->close(writer);
	reader->driver->close(reader);
}

Test(transport_noise, different_seeds_damage_different_positions)
{
	struct transport *first;
	struct transport *second;
	size_t length = 20000;

	loop_fill(loop_source, length, 6);
	first = loop_wrap(&loop_first, loop_source, length, 0.05, 1);
	second = loop_wrap(&loop_second, loop_source, length, 0.05, 2);
	loop_write_in_steps(first, loop_source, length, 1000);
	loop_write_in_steps(second, loop_source, length, 1000);
	cr_assert_neq(memcmp(loop_first.written, loop_second.written, length), 0);
	first->driver->close(first);
	second->driver->close(second);
}

Test(transport_noise, counts_add_up)
{
	struct transport *noisy;
	struct transport_noise_counts counts;
	size_t sent = 30000;
	size_t readable = 12000;
	size_t received;

	loop_fill(loop_source, sent, 7);
	noisy = loop_wrap(&loop_first, loop_source, readable, 0.1, 31337);
	loop_first.read_limit = 100;
	loop_write_in_steps(noisy, loop_source, sent, 2500);
	received = loop_read_all(noisy, loop_received, sizeof loop_received);
	cr_assert_eq(received, readable);
	transport_noise_counts(noisy, &counts);
	cr_assert_eq(counts.bytes_sent, sent);
	cr_assert_eq(counts.bytes_received, readable);
	cr_assert_eq(counts.damaged_sent, loop_differences(loop_first.written, loop_source, sent));
	cr_assert_eq(counts.damaged_received,
		     loop_differences(loop_received, loop_source, readable));
	cr_assert_gt(counts.damaged_sent, 0);
	cr_assert_gt(counts.damaged_received, 0);
	noisy->driver->close(noisy);
}

Test(transport_noise, caller_write_buffer_is_untouched)
{
	struct transport *noisy;
	static uint8_t original[LOOP_CAPACITY];
	size_t length = 3000;

	loop_fill(loop_source, length, 8);
	memcpy(original, loop_source, length);
	noisy = loop_wrap(&loop_first, NULL, 0, 1.0, 5);
	cr_assert_eq(noisy->driver->write(noisy, loop_source, length, 250), HB_OK);
	cr_assert_arr_eq(loop_source, original, length);
	/* Split into pieces, each with the caller's timeout. */
	cr_assert_gt(loop_first.write_calls, 1);
	cr_assert_eq(loop_first.last_write_timeout, 250);
	noisy->driver->close(noisy);
}

static void loop_expect_refused(double probability)
{
	struct transport *noisy = (struct transport *)&loop_second;
	int status = transport_noise_wrap(loop_init(&loop_first, NULL, 0), probability, 1, &noisy);

	cr_assert_eq(status, HB_ERR_USAGE, "probability %g: status %d", probability, status);
	cr_assert_null(noisy);
	cr_assert(strstr(hb_last_error(), "probability"), "got: %s", hb_last_error());
	cr_assert(strstr(hb_last_error(), "0"), "got: %s", hb_last_error());
	cr_assert_not(loop_first.closed, "a refused wrap must leave the inner transport open");
}

Test(transport_noise, refuses_negative_probability)
{
	loop_expect_refused(-0.1);
}

Test(transport_noise, refuses_probability_above_one)
{
	loop_expect_refused(1.5);
}

Test(transport_noise, refuses_nan_probability)
{
	loop_expect_refused(NAN);
}

Test(transport_noise, close_closes_inner)
{
	struct transport *noisy = loop_wrap(&loop_first, NULL, 0, 0.5, 3);

	cr_assert_not(loop_first.closed);
	noisy->driver->close(noisy);
	cr_assert(loop_first.closed);
}

Test(transport_noise, flush_and_timeouts_forward)
{
	struct transport *noisy = loop_wrap(&loop_first, NULL, 0, 0.5, 3);
	uint8_t byte;
	size_t got = 99;

	cr_assert_eq(noisy->driver->flush_input(noisy), HB_OK);
	cr_assert_eq(loop_first.flushes, 1);
	cr_assert_eq(noisy->driver->read(noisy, &byte, 1, &got, 75), HB_ERR_TIMEOUT);
	cr_assert_eq(got, 0);
	cr_assert_eq(loop_first.last_read_timeout, 75);
	noisy->driver->close(noisy);
}

Test(transport_noise, address_and_driver_name)
{
	struct transport *noisy = loop_wrap(&loop_first, NULL, 0, 0.0, 0);
	struct transport *opened = (struct transport *)&loop_second;

	cr_assert_str_eq(noisy->address, "noise:loop:test");
	cr_assert_str_eq(noisy->driver->name, "noise");
	/* Not reachable by address. */
	cr_assert_eq(noisy->driver->open("loop:test", NULL, &opened), HB_ERR_USAGE);
	cr_assert_null(opened);
	noisy->driver->close(noisy);
}

Test(transport_noise, long_inner_address_is_truncated)
{
	struct transport *noisy;
	size_t capacity = sizeof loop_first.base.address;

	loop_init(&loop_first, NULL, 0);
	memset(loop_first.base.address, 'a', capacity - 1);
	loop_first.base.address[capacity - 1] = '\0';
	cr_assert_eq(transport_noise_wrap(&loop_first.base, 0.0, 0, &noisy), HB_OK);
	cr_assert_eq(strlen(noisy->address), capacity - 1);
	cr_assert_eq(strncmp(noisy->address, "noise:aaa", 9), 0);
	noisy->driver->close(noisy);
}

Test(transport_noise, counts_of_other_transport_are_zero)
{
	struct transport_noise_counts counts;

	memset(&counts, 0xff, sizeof counts);
	transport_noise_counts(loop_init(&loop_first, NULL, 0), &counts);
	cr_assert_eq(counts.bytes_sent, 0);
	cr_assert_eq(counts.bytes_received, 0);
	cr_assert_eq(counts.damaged_sent, 0);
	cr_assert_eq(counts.damaged_received, 0);
}
