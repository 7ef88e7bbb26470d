#include "link/transport_paced.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/error.h"

/* What a serial driver would buffer for writing; a write beyond it waits. */
#define PACED_BUFFER 65536u

/* Bytes on the line: the one at `start` is due at `due`, each next one a
 * byte time later. */
struct line_queue {
	uint8_t bytes[PACED_BUFFER];
	size_t start;
	size_t length;
	double due;
};

struct paced_transport {
	struct transport base;
	struct transport *inner;
	struct paced_clock clock;
	double byte_seconds;   /* 10 bits of 8N1 */
	struct line_queue out; /* written, not yet at the line's far end */
	struct line_queue in;  /* read from the inner transport, not yet handed out */
};

/* How many queued bytes are due by `now`, at most `limit`. */
static size_t line_due(const struct line_queue *queue, double now, double byte_seconds,
		       size_t limit)
{
	size_t due;

	if (queue->length == 0 || now < queue->due)
		return 0;
	due = (size_t)((now - queue->due) / byte_seconds) + 1;
	if (due > queue->length)
		due = queue->length;
	return due < limit ? due : limit;
}

static void line_drop(struct line_queue *queue, size_t count, double byte_seconds)
{
	queue->start += count;
	queue->length -= count;
	queue->due += (double)count * byte_seconds;
	if (queue->length == 0)
		queue->start = 0;
}

static double system_now(void *context)
{
	(void)context;
	return clock_now_seconds();
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
	size_t due = line_due(&paced->out, paced_now(paced), paced->byte_seconds, SIZE_MAX);
	int status;

	if (due == 0)
		return HB_OK;
	status = paced->inner->driver->write(paced->inner, paced->out.bytes + paced->out.start, due,
					     timeout_ms);
	if (status == HB_OK)
		line_drop(&paced->out, due, paced->byte_seconds);
	return status;
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
		if (paced->out.length == 0)
			/* An idle line starts sending now, not when it last sent. */
			paced->out.due = paced_now(paced) + paced->byte_seconds;
		if (paced->out.start + paced->out.length == PACED_BUFFER && paced->out.start > 0) {
			memmove(paced->out.bytes, paced->out.bytes + paced->out.start,
				paced->out.length);
			paced->out.start = 0;
		}
		room = PACED_BUFFER - paced->out.start - paced->out.length;
		if (room == 0) {
			/* The buffer is full: wait for the line, as a serial write would. */
			if (paced_now(paced) >= deadline)
				return hb_error(HB_ERR_TIMEOUT, "'%s': line busy for %d ms",
						transport->address, timeout_ms);
			paced->clock.sleep(paced->clock.context, paced->out.due - paced_now(paced));
			continue;
		}
		if (room > length)
			room = length;
		memcpy(paced->out.bytes + paced->out.start + paced->out.length, data, room);
		paced->out.length += room;
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
		*got = line_due(&paced->in, now, paced->byte_seconds, capacity);
		if (*got > 0) {
			memcpy(data, paced->in.bytes + paced->in.start, *got);
			line_drop(&paced->in, *got, paced->byte_seconds);
			return HB_OK;
		}
		if (now >= deadline)
			return HB_ERR_TIMEOUT;
		/* Wake for whichever comes first: the deadline, a written byte
		 * due on the line, a received one due to the caller. */
		wake = deadline;
		if (paced->out.length > 0 && paced->out.due < wake)
			wake = paced->out.due;
		if (paced->in.length > 0) {
			if (paced->in.due < wake)
				wake = paced->in.due;
			paced->clock.sleep(paced->clock.context, wake - now);
			continue;
		}
		{
			size_t read = 0;
			/* A byte may have come due since deliver_due() looked: then
			 * wake is already past, and a negative wait would be
			 * the inner transport's "wait for ever" (seen under load). */
			int wait_ms = wake > now ? (int)((wake - now) * 1000.0) + 1 : 0;
			status = paced->inner->driver->read(paced->inner, paced->in.bytes,
							    sizeof paced->in.bytes, &read, wait_ms);
			if (status == HB_ERR_TIMEOUT)
				continue;
			if (status != HB_OK)
				return status;
			paced->in.start = 0;
			paced->in.length = read;
			/* The first is due a byte time after this read saw it (a
			 * pessimistic guess at when it left the board), or when the
			 * line has carried the bytes before it, whichever is later. */
			now = paced_now(paced);
			if (paced->in.due < now + paced->byte_seconds)
				paced->in.due = now + paced->byte_seconds;
		}
	}
}

static int paced_flush_input(struct transport *transport)
{
	struct paced_transport *paced = (struct paced_transport *)transport;

	paced->in.start = paced->in.length = 0;
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
	return hb_error(HB_ERR_USAGE,
			"cannot open '%s': the paced transport only wraps an opened one", address);
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
		return hb_error(HB_ERR_USAGE,
				"line rate %u baud is out of range: expected 300 to 100000000",
				baud);
	paced = calloc(1, sizeof *paced);
	if (!paced)
		return hb_error(HB_ERR_NOMEM, "pacing '%s': out of memory", inner->address);
	paced->base.driver = &paced_driver;
	snprintf(paced->base.address, sizeof paced->base.address, "%s", inner->address);
	paced->inner = inner;
	paced->byte_seconds = 10.0 / baud;
	paced->clock =
	    clock ? *clock : (struct paced_clock){.now = system_now, .sleep = system_sleep};
	*out = &paced->base;
	return HB_OK;
}
