/* The paced transport on a fake clock: bytes reach the inner transport,
 * and the caller, no faster than the line rate, each way. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/error.h"
#include "link/transport_paced.h"

struct pace_inner {
	struct transport base;
	double *clock;
	size_t written;
	double write_times[4096]; /* clock when each byte reached us */
	const uint8_t *readable;
	size_t readable_length;
	size_t read_position;
	bool closed;
};

static double pace_clock;
static double pace_clock_step; /* added on every reading: a loaded machine */
static int pace_least_read_timeout;
static struct pace_inner pace_fake;

static double pace_now(void *context)
{
	(void)context;
	pace_clock += pace_clock_step;
	return pace_clock;
}

static void pace_sleep(void *context, double seconds)
{
	(void)context;
	if (seconds > 0)
		pace_clock += seconds;
}

static int pace_write(struct transport *transport, const uint8_t *data, size_t length,
		      int timeout_ms)
{
	struct pace_inner *inner = (struct pace_inner *)transport;
	(void)data;
	(void)timeout_ms;
	for (size_t i = 0; i < length && inner->written < 4096; i++)
		inner->write_times[inner->written++] = pace_clock;
	return HB_OK;
}

static int pace_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		     int timeout_ms)
{
	struct pace_inner *inner = (struct pace_inner *)transport;
	size_t left = inner->readable_length - inner->read_position;

	if (timeout_ms < pace_least_read_timeout)
		pace_least_read_timeout = timeout_ms;
	if (timeout_ms < 0)
		return HB_ERR_IO; /* a real transport would wait for ever */
	if (left == 0) {
		pace_clock += timeout_ms / 1000.0;
		*got = 0;
		return HB_ERR_TIMEOUT;
	}
	*got = left < capacity ? left : capacity;
	memcpy(data, inner->readable + inner->read_position, *got);
	inner->read_position += *got;
	return HB_OK;
}

static int pace_flush(struct transport *transport)
{
	(void)transport;
	return HB_OK;
}

static void pace_close(struct transport *transport)
{
	((struct pace_inner *)transport)->closed = true;
}

static const struct transport_driver pace_driver = {
    .name = "pace-fake",
    .write = pace_write,
    .read = pace_read,
    .flush_input = pace_flush,
    .close = pace_close,
};

static struct transport *pace_start(uint32_t baud)
{
	const struct paced_clock clock = {.now = pace_now, .sleep = pace_sleep};
	struct transport *paced;

	memset(&pace_fake, 0, sizeof pace_fake);
	pace_fake.base.driver = &pace_driver;
	pace_clock = 100.0;
	pace_clock_step = 0;
	pace_least_read_timeout = 1 << 30;
	cr_assert_eq(transport_paced_wrap(&pace_fake.base, baud, &clock, &paced), HB_OK);
	return paced;
}

/* 1000 baud: 100 bytes/s, a byte every 10 ms. */
Test(transport_paced, written_bytes_leave_at_the_line_rate)
{
	struct transport *paced = pace_start(1000);
	uint8_t bytes[50] = {0};
	uint8_t none[4];
	size_t got;

	cr_assert_eq(paced->driver->write(paced, bytes, sizeof bytes, 1000), HB_OK);
	cr_expect_eq(pace_clock, 100.0, "a write returns at once, as into a driver buffer");
	cr_expect_eq(pace_fake.written, 0);
	cr_assert_eq(paced->driver->read(paced, none, sizeof none, &got, 2000), HB_ERR_TIMEOUT);
	cr_assert_eq(pace_fake.written, 50, "all bytes reach the far end while the caller reads");
	for (size_t i = 0; i < 50; i++)
		cr_assert_geq(pace_fake.write_times[i], 100.0 + (i + 1) * 0.01 - 1e-9,
			      "byte %zu arrived at %.4f s", i, pace_fake.write_times[i] - 100.0);
	cr_expect_lt(pace_fake.write_times[49], 100.0 + 0.5 + 0.02, "the line ran slow");
	paced->driver->close(paced);
	cr_expect(pace_fake.closed);
}

Test(transport_paced, received_bytes_arrive_at_the_line_rate)
{
	static const uint8_t reply[100] = {1, 2, 3};
	struct transport *paced = pace_start(1000);
	uint8_t data[256];
	size_t total = 0;

	pace_fake.readable = reply;
	pace_fake.readable_length = sizeof reply;
	while (total < sizeof reply) {
		size_t got;
		cr_assert_eq(
		    paced->driver->read(paced, data + total, sizeof data - total, &got, 5000),
		    HB_OK);
		total += got;
		cr_assert_geq(pace_clock, 100.0 + total * 0.01 - 1e-9, "%zu bytes by %.4f s", total,
			      pace_clock - 100.0);
	}
	cr_expect_arr_eq(data, reply, sizeof reply);
	cr_expect_lt(pace_clock, 100.0 + 1.0 + 0.02, "the line ran slow");
	paced->driver->close(paced);
}

/* Full duplex: a reply read while a long write drains takes no longer. */
Test(transport_paced, directions_do_not_wait_for_each_other)
{
	static const uint8_t reply[50];
	struct transport *paced = pace_start(1000);
	uint8_t bytes[100] = {0};
	uint8_t data[64];
	size_t total = 0;

	pace_fake.readable = reply;
	pace_fake.readable_length = sizeof reply;
	cr_assert_eq(paced->driver->write(paced, bytes, sizeof bytes, 1000), HB_OK);
	while (total < sizeof reply) {
		size_t got;
		cr_assert_eq(paced->driver->read(paced, data, sizeof data, &got, 5000), HB_OK);
		total += got;
	}
	cr_expect_lt(pace_clock, 100.0 + 0.5 + 0.02, "the reply waited for the write");
	cr_expect_geq(pace_fake.written, 45);
	paced->driver->close(paced);
}

/* Found in CI under load: a written byte fell due between deliver_due()
 * and the read's own look at the clock, the wait to it came out negative,
 * and the inner transport took a negative timeout as "for ever". */
Test(transport_paced, a_byte_due_while_reading_never_means_waiting_for_ever)
{
	struct transport *paced = pace_start(1000);
	uint8_t bytes[20] = {0};
	uint8_t data[8];
	size_t got;

	cr_assert_eq(paced->driver->write(paced, bytes, sizeof bytes, 1000), HB_OK);
	pace_clock_step = 0.007; /* 7 ms pass between any two readings of the clock */
	cr_expect_eq(paced->driver->read(paced, data, sizeof data, &got, 300), HB_ERR_TIMEOUT);
	cr_expect_geq(pace_least_read_timeout, 0, "the inner read got a timeout of %d ms",
		      pace_least_read_timeout);
	cr_expect_eq(pace_fake.written, sizeof bytes, "every written byte still left");
	paced->driver->close(paced);
}

static void pace_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

Test(transport_paced, refuses_a_line_rate_out_of_range)
{
	struct transport *paced;

	hb_log_set_sink(pace_quiet, NULL);
	memset(&pace_fake, 0, sizeof pace_fake);
	pace_fake.base.driver = &pace_driver;
	cr_expect_eq(transport_paced_wrap(&pace_fake.base, 299, NULL, &paced), HB_ERR_USAGE);
	cr_expect_eq(paced, NULL);
	cr_expect(!pace_fake.closed, "a failed wrap leaves the inner transport to the caller");
	hb_log_set_sink(NULL, NULL);
}
