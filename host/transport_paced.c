#include "transport_paced.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

/* What a serial driver would buffer for writing; a write beyond it waits. */
#define PACED_BUFFER 65536u

struct paced_transport {
	struct transport base;
	struct transport *inner;
	struct paced_clock clock;
	double byte_seconds; /* 10 bits of 8N1 */
	/* Outgoing: bytes written, not yet on the line's far end. The byte at
	 * out_start is due at out_due; each next one a byte time later. */
	uint8_t out[PACED_BUFFER];
	size_t out_start;
	size_t out_length;
	double out_due;
	/* Incoming: bytes read from the inner transport, handed out no faster
	 * than the line carries them: the next is due at in_due. */
	uint8_t in[PACED_BUFFER];
	size_t in_start;
	size_t in_length;
	double in_due;
};

static double system_now(void *context)
{
	struct timespec now;
	(void)context;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + now.tv_nsec / 1e9;
}

static void system_sleep(void *context, double seconds)
{
	struct timespec wait;
	(void)context;
	if (seconds <= 0)
		return;
	wait.tv_sec = (time_t)seconds;
	wait.tv_nsec = (long)((seconds - (double)wait.tv_sec) * 1e9);
	nanosleep(&wait, NULL);
}

static double paced_now(const struct paced_transport *paced)
{
	return paced->clock.now(paced->clock.context);
}

/* Hands the inner transport every written byte whose time has come. */
static int deliver_due(struct paced_transport *paced, int timeout_ms)
{
	double now = paced_now(paced);
	size_t due;
	int status;

	if (paced->out_length == 0 || now < paced->out_due)
		return HB_OK;
	due = (size_t)((now - paced->out_due) / paced->byte_seconds) + 1;
	if (due > paced->out_length)
		due = paced->out_length;
	status = paced->inner->driver->write(paced->inner, paced->out + paced->out_start, due,
					     timeout_ms);
	if (status != HB_OK)
		return status;
	paced->out_start += due;
	paced->out_length -= due;
	paced->out_due += (double)due * paced->byte_seconds;
	if (paced->out_length == 0)
		paced->out_start = 0;
	return HB_OK;
}

static int paced_write(struct transport *transport, const uint8_t *data, size_t length,
		       int timeout_ms)
{
	struct paced_transport *paced = (struct paced_transport *)transport;
	const double deadline = paced_now(paced) + timeout_ms / 1000.0;

	while (length > 0) {
		size_t room;
		int status = deliver_due(paced, timeout_ms);

		if (status != HB_OK)
			return status;
		if (paced->out_length == 0)
			/* An idle line starts sending now, not when it last sent. */
			paced->out_due = paced_now(paced) + paced->byte_seconds;
		if (paced->out_start + paced->out_length == PACED_BUFFER && paced->out_start > 0) {
			memmove(paced->out, paced->out + paced->out_start, paced->out_length);
			paced->out_start = 0;
		}
		room = PACED_BUFFER - paced->out_start - paced->out_length;
		if (room == 0) {
			/* The buffer is full: wait for the line, as a serial write would. */
			if (paced_now(paced) >= deadline)
				return hb_error(HB_ERR_TIMEOUT, "'%s': line busy for %d ms",
						transport->address, timeout_ms);
			paced->clock.sleep(paced->clock.context, paced->out_due - paced_now(paced));
			continue;
		}
		if (room > length)
			room = length;
		memcpy(paced->out + paced->out_start + paced->out_length, data, room);
		paced->out_length += room;
		data += room;
		length -= room;
	}
	return deliver_due(paced, timeout_ms);
}

static int paced_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		      int timeout_ms)
{
	struct paced_transport *paced = (struct paced_transport *)transport;
	const double deadline = paced_now(paced) + timeout_ms / 1000.0;

	*got = 0;
	for (;;) {
		double now;
		double wake;
		int status = deliver_due(paced, timeout_ms);

		if (status != HB_OK)
			return status;
		now = paced_now(paced);
		if (paced->in_length > 0 && now >= paced->in_due) {
			size_t due = (size_t)((now - paced->in_due) / paced->byte_seconds) + 1;
			if (due > paced->in_length)
				due = paced->in_length;
			if (due > capacity)
				due = capacity;
			memcpy(data, paced->in + paced->in_start, due);
			paced->in_start += due;
			paced->in_length -= due;
			paced->in_due += (double)due * paced->byte_seconds;
			if (paced->in_length == 0)
				paced->in_start = 0;
			*got = due;
			return HB_OK;
		}
		if (now >= deadline)
			return HB_ERR_TIMEOUT;
		/* Wake for whichever comes first: the deadline, a written byte
		 * due on the line, a received one due to the caller. */
		wake = deadline;
		if (paced->out_length > 0 && paced->out_due < wake)
			wake = paced->out_due;
		if (paced->in_length > 0) {
			if (paced->in_due < wake)
				wake = paced->in_due;
			paced->clock.sleep(paced->clock.context, wake - now);
			continue;
		}
		{
			size_t read = 0;
			int wait_ms = (int)((wake - now) * 1000.0) + 1;
			status = paced->inner->driver->read(paced->inner, paced->in, sizeof paced->in,
							    &read, wait_ms);
			if (status == HB_ERR_TIMEOUT)
				continue;
			if (status != HB_OK)
				return status;
			paced->in_start = 0;
			paced->in_length = read;
			/* They left the board no earlier than this read saw them
			 * (a pessimistic guess), and no sooner than the line frees. */
			now = paced_now(paced);
			if (paced->in_due < now)
				paced->in_due = now;
			paced->in_due += paced->byte_seconds;
		}
	}
}

static int paced_flush_input(struct transport *transport)
{
	struct paced_transport *paced = (struct paced_transport *)transport;

	paced->in_start = paced->in_length = 0;
	return paced->inner->driver->flush_input(paced->inner);
}

static void paced_close(struct transport *transport)
{
	struct paced_transport *paced = (struct paced_transport *)transport;

	if (!transport)
		return;
	paced->inner->driver->close(paced->inner);
	free(paced);
}

static int paced_open(const char *address, const struct transport_options *options,
		      struct transport **out)
{
	(void)options;
	*out = NULL;
	return hb_error(HB_ERR_USAGE, "cannot open '%s': the paced transport only wraps an opened one",
			address);
}

/* Not in transport.c's table: nobody opens it by address. */
static const struct transport_driver paced_driver = {
	.name = "paced",
	.open = paced_open,
	.write = paced_write,
	.read = paced_read,
	.flush_input = paced_flush_input,
	.close = paced_close,
};

int transport_paced_wrap(struct transport *inner, uint32_t baud, const struct paced_clock *clock,
			 struct transport **out)
{
	struct paced_transport *paced;

	*out = NULL;
	if (baud < 300 || baud > 100000000)
		return hb_error(HB_ERR_USAGE, "line rate %u baud is out of range: expected 300 to 100000000",
				baud);
	paced = calloc(1, sizeof *paced);
	if (!paced)
		return hb_error(HB_ERR_NOMEM, "pacing '%s': out of memory", inner->address);
	paced->base.driver = &paced_driver;
	snprintf(paced->base.address, sizeof paced->base.address, "%s", inner->address);
	paced->inner = inner;
	paced->byte_seconds = 10.0 / baud;
	paced->clock = clock ? *clock
			     : (struct paced_clock){ .now = system_now, .sleep = system_sleep };
	*out = &paced->base;
	return HB_OK;
}
