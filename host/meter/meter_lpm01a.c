/*
 * ST X-NUCLEO-LPM01A (PowerShield) over its ASCII serial protocol, in
 * host-controlled mode (htc), as MLPerf Tiny's runner drives it.
 *
 * Output mode: energy, not current. The monitor integrates the supply
 * current on board and sends the energy of each 1/freq interval, so nothing
 * between two samples is lost (current mode sends point samples, and ascii
 * output is limited to 10 kHz). Each energy sample E becomes the mean
 * current E x rate / V of its interval, so energy.c's arithmetic applies
 * unchanged and gives back the same joules.
 *
 * The window marker: the board's window pin drives D7, `eventsrc d7 fal`
 * makes the monitor send a numbered event line per edge, and each event
 * toggles bit marker_bit (low before event 0), as the reference runner's
 * timestamp pulses mark the start and the end of a timed run.
 *
 * What the driver detects:
 *   - a malformed data line: one dropped slot, at its exact place;
 *   - lines never sent (a dropped burst): the monitor sends a TimeStamp line
 *     every second of acquisition, so the count of data lines between two
 *     of them must be the rate. A shortfall cannot be placed inside the
 *     second, so every sample of that second is marked dropped and the
 *     missing slots are added at its end: time stays right and any window
 *     touching that second is flagged, never silently short;
 *   - a lost event line (its number skips): the second where the skip is
 *     seen is marked dropped, a warning names the events, and the marker
 *     level follows the event number (even: high), not the count of lines.
 *     The samples before that second were already delivered with the wrong
 *     level: a window whose opening edge was lost is missing from the
 *     marker, which the window count against the firmware's catches.
 * It cannot check the samples after the last TimeStamp (they are delivered
 * as sent), nor a corrupted line that still reads as a valid value.
 */
#include "meter/meter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/lpm01a_line.h"
#include "meter/meter_port.h"
#include "util/error.h"
#include "util/clock.h"

#define LPM01A_BAUD	3686400
#define LPM01A_REPLY_MS 2000
/* ascii_dec streams without a limit of duration only up to 5 kHz (UM2269). */
#define LPM01A_MAX_RATE 5000
#define LINE_MAX_BYTES	256

/* The rates the monitor's freq command takes, with their spelling. */
static const struct {
	uint32_t hz;
	const char *arg;
} lpm01a_rates[] = {{5000, "5k"}, {2000, "2k"}, {1000, "1k"}, {500, "500"},
		    {200, "200"}, {100, "100"}, {50, "50"},   {20, "20"},
		    {10, "10"},	  {5, "5"},	{2, "2"},     {1, "1"}};

struct lpm01a {
	struct meter base;
	struct meter_port port;
	char line[LINE_MAX_BYTES];
	size_t line_length;
	bool line_overflow;
	double supply_v;
	uint32_t rate_hz;
	uint8_t marker_bit;
	bool marker;
	int64_t last_event; /* -1 before event 0 */
	/* The samples since the last TimeStamp, held until it vouches for them. */
	struct meter_sample *pending;
	size_t pending_count, pending_capacity;
	bool pending_broken;
	uint64_t counted; /* slots released or pending since start */
	/* Released samples not yet read. */
	struct meter_sample *ready;
	size_t ready_count, ready_first, ready_capacity;
	bool warned_unverified;
	char detail[96]; /* the last "Error detail:" */
};

static int lpm01a_write(struct lpm01a *meter, const char *text)
{
	return meter_port_write(&meter->port, text, strlen(text), LPM01A_REPLY_MS);
}

static int push_ready(struct lpm01a *meter, const struct meter_sample *samples, size_t count)
{
	if (meter->ready_first > 0 && meter->ready_first == meter->ready_count)
		meter->ready_first = meter->ready_count = 0;
	if (meter->ready_count + count > meter->ready_capacity) {
		size_t capacity = (meter->ready_count + count) * 2;
		struct meter_sample *grown = realloc(meter->ready, capacity * sizeof *grown);

		if (!grown)
			return hb_error(HB_ERR_NOMEM, "meter '%s': out of memory",
					meter->base.port);
		meter->ready = grown;
		meter->ready_capacity = capacity;
	}
	memcpy(meter->ready + meter->ready_count, samples, count * sizeof *samples);
	meter->ready_count += count;
	return HB_OK;
}

static int release_pending(struct lpm01a *meter)
{
	int status;

	if (meter->pending_broken)
		for (size_t i = 0; i < meter->pending_count; i++)
			meter->pending[i].dropped = 1;
	status = push_ready(meter, meter->pending, meter->pending_count);
	meter->pending_count = 0;
	meter->pending_broken = false;
	return status;
}

static int add_sample(struct lpm01a *meter, struct meter_sample sample)
{
	/* No TimeStamp for two seconds: release what came, unchecked, rather
	 * than hold samples without end. */
	if (meter->pending_count == meter->pending_capacity) {
		int status;

		if (!meter->warned_unverified)
			hb_warn("meter '%s': no TimeStamp line for %zu samples; samples are "
				"delivered without the check for lost lines",
				meter->base.port, meter->pending_capacity);
		meter->warned_unverified = true;
		status = release_pending(meter);
		if (status != HB_OK)
			return status;
	}
	sample.logic = meter->marker ? (uint8_t)(1u << meter->marker_bit) : 0;
	meter->pending[meter->pending_count++] = sample;
	meter->counted++;
	return HB_OK;
}

static int on_timestamp(struct lpm01a *meter, uint64_t time_ms)
{
	uint64_t expected = time_ms * meter->rate_hz / 1000;

	if (meter->counted > expected) {
		hb_warn("meter '%s': %llu samples by TimeStamp %llu ms, expected %llu",
			meter->base.port, (unsigned long long)meter->counted,
			(unsigned long long)time_ms, (unsigned long long)expected);
		meter->pending_broken = true;
	}
	if (meter->counted < expected) {
		const struct meter_sample lost = {.dropped = 1};

		meter->pending_broken = true;
		while (meter->counted < expected) {
			int status = add_sample(meter, lost);

			if (status != HB_OK)
				return status;
		}
	}
	return release_pending(meter);
}

static int on_line(struct lpm01a *meter, const struct lpm01a_line *line)
{
	switch (line->kind) {
	case LPM01A_LINE_DATA: {
		struct meter_sample sample = {
		    .current_a = (float)(line->value * meter->rate_hz / meter->supply_v)};

		return add_sample(meter, sample);
	}
	case LPM01A_LINE_MALFORMED: {
		const struct meter_sample lost = {.dropped = 1};

		return add_sample(meter, lost);
	}
	case LPM01A_LINE_EVENT:
		if ((int64_t)line->event != meter->last_event + 1) {
			hb_warn("meter '%s': event %u after event %lld: the marker edges between "
				"were lost; this second is marked dropped",
				meter->base.port, line->event, (long long)meter->last_event);
			meter->pending_broken = true;
		}
		meter->last_event = line->event;
		meter->marker = line->event % 2 == 0;
		return HB_OK;
	case LPM01A_LINE_TIMESTAMP: return on_timestamp(meter, line->time_ms);
	case LPM01A_LINE_ERROR_DETAIL:
		snprintf(meter->detail, sizeof meter->detail, "%s", line->text);
		return HB_OK;
	default: return HB_OK;
	}
}

/* Reads bytes once (up to timeout_ms) and acts on every complete line; the
 * first ack or error is left in *last, unless the end of acquisition came. */
static int pump(struct lpm01a *meter, int timeout_ms, struct lpm01a_line *last)
{
	char data[4096];
	size_t got;
	int status = meter_port_read(&meter->port, data, sizeof data, &got, timeout_ms);

	if (status != HB_OK)
		return status;
	for (size_t i = 0; i < got; i++) {
		struct lpm01a_line line = {.kind = LPM01A_LINE_MALFORMED};

		if (data[i] != '\n') {
			if (meter->line_length < sizeof meter->line)
				meter->line[meter->line_length++] = data[i];
			else
				meter->line_overflow = true;
			continue;
		}
		if (!meter->line_overflow)
			lpm01a_line_parse(meter->line, meter->line_length, &line);
		meter->line_length = 0;
		meter->line_overflow = false;
		status = on_line(meter, &line);
		if (status != HB_OK)
			return status;
		if (last && (line.kind == LPM01A_LINE_END ||
			     (last->kind == LPM01A_LINE_EMPTY &&
			      (line.kind == LPM01A_LINE_ACK || line.kind == LPM01A_LINE_ERROR))))
			*last = line;
	}
	return HB_OK;
}

/* Sends `command` and waits for its ack; an error names the command and
 * the monitor's detail. */
static int lpm01a_command(struct lpm01a *meter, const char *command)
{
	char text[128];
	const int64_t deadline = clock_now_ms() + LPM01A_REPLY_MS;
	int status;

	snprintf(text, sizeof text, "%s\r\n", command);
	meter->detail[0] = '\0';
	status = lpm01a_write(meter, text);
	while (status == HB_OK) {
		struct lpm01a_line last = {.kind = LPM01A_LINE_EMPTY};
		int64_t now = clock_now_ms();

		if (now >= deadline)
			return hb_error(HB_ERR_TIMEOUT,
					"meter '%s': no answer to '%s' in %d ms (is it an LPM01A "
					"at %d baud?)",
					meter->base.port, command, LPM01A_REPLY_MS, LPM01A_BAUD);
		status = pump(meter, (int)(deadline - now), &last);
		if (status == HB_ERR_TIMEOUT)
			status = HB_OK;
		if (status != HB_OK)
			return status;
		if (last.kind == LPM01A_LINE_ACK && strcmp(last.text, command) == 0)
			return HB_OK;
		if (last.kind == LPM01A_LINE_ERROR && strcmp(last.text, command) == 0) {
			/* The detail line follows the error line. */
			if (!meter->detail[0])
				(void)pump(meter, 200, NULL);
			return hb_error(HB_ERR_PROTOCOL, "meter '%s': the monitor refused '%s'%s%s",
					meter->base.port, command, meter->detail[0] ? ": " : "",
					meter->detail);
		}
	}
	return status;
}

static void lpm01a_close(struct meter *base)
{
	struct lpm01a *meter = (struct lpm01a *)base;

	if (!meter)
		return;
	meter_port_close(&meter->port);
	free(meter->pending);
	free(meter->ready);
	free(meter);
}

static int lpm01a_open(const char *port, struct meter **out, struct meter_info *info)
{
	struct lpm01a *meter;
	int status;

	*out = NULL;
	memset(info, 0, sizeof *info);
	if (strlen(port) >= sizeof meter->base.port)
		return hb_error(HB_ERR_INPUT, "cannot open meter port '%.40s...': name too long",
				port);
	meter = calloc(1, sizeof *meter);
	if (!meter)
		return hb_error(HB_ERR_NOMEM, "cannot open meter port '%s': out of memory", port);
	meter->base.driver = &meter_lpm01a;
	snprintf(meter->base.port, sizeof meter->base.port, "%s", port);
	meter->last_event = -1;
	status = meter_port_open(port, LPM01A_BAUD, &meter->port);
	/* Host control first: in standalone mode the monitor takes no other command. */
	if (status == HB_OK)
		status = lpm01a_command(meter, "htc");
	if (status != HB_OK) {
		lpm01a_close(&meter->base);
		return status;
	}
	snprintf(info->model, sizeof info->model, "LPM01A");
	*out = &meter->base;
	return HB_OK;
}

static int lpm01a_configure(struct meter *base, const struct meter_config *config,
			    struct meter_info *info)
{
	struct lpm01a *meter = (struct lpm01a *)base;
	const char *rate_arg = NULL;
	char command[64];
	int status;

	if (config->ampere_mode)
		return hb_error(
		    HB_ERR_INPUT,
		    "meter '%s': the LPM01A measures only the supply it gives the board "
		    "(no ampere mode; power the board from the monitor)",
		    base->port);
	if (config->supply_v < 1.8 || config->supply_v > 3.3)
		return hb_error(HB_ERR_INPUT,
				"meter '%s': supply voltage %.3f V out of the LPM01A's range "
				"(expected 1.8 to 3.3 V)",
				base->port, config->supply_v);
	/* One event input (D7): its edges go to whichever bit the caller reads. */
	if (config->marker_bit > 7)
		return hb_error(HB_ERR_INPUT, "meter '%s': marker bit %u (expected 0 to 7)",
				base->port, config->marker_bit);
	/* The highest rate the monitor has that is not above the one asked
	 * (0: none asked, the highest). */
	for (size_t i = 0; i < sizeof lpm01a_rates / sizeof lpm01a_rates[0]; i++)
		if (config->sample_rate_hz == 0 || lpm01a_rates[i].hz <= config->sample_rate_hz ||
		    i + 1 == sizeof lpm01a_rates / sizeof lpm01a_rates[0]) {
			meter->rate_hz = lpm01a_rates[i].hz;
			rate_arg = lpm01a_rates[i].arg;
			break;
		}
	if (config->sample_rate_hz > LPM01A_MAX_RATE)
		hb_info("meter '%s': %u Hz asked, %u Hz used (the LPM01A's ascii output streams "
			"without a time limit up to 5 kHz)",
			base->port, config->sample_rate_hz, meter->rate_hz);
	meter->supply_v = config->supply_v;
	meter->marker_bit = config->marker_bit;
	free(meter->pending);
	meter->pending_capacity = 2 * (size_t)meter->rate_hz + 16;
	meter->pending = calloc(meter->pending_capacity, sizeof *meter->pending);
	if (!meter->pending)
		return hb_error(HB_ERR_NOMEM, "meter '%s': out of memory", base->port);
	snprintf(command, sizeof command, "volt %um", (unsigned)(config->supply_v * 1000 + 0.5));
	status = lpm01a_command(meter, command);
	if (status == HB_OK) {
		snprintf(command, sizeof command, "freq %s", rate_arg);
		status = lpm01a_command(meter, command);
	}
	if (status == HB_OK)
		status = lpm01a_command(meter, "acqtime 0");
	if (status == HB_OK)
		status = lpm01a_command(meter, "trigsrc sw");
	if (status == HB_OK)
		status = lpm01a_command(meter, "eventsrc d7 fal");
	if (status == HB_OK)
		status = lpm01a_command(meter, "output energy");
	if (status == HB_OK)
		status = lpm01a_command(meter, "format ascii_dec");
	if (status == HB_OK)
		info->sample_rate_hz = meter->rate_hz;
	return status;
}

static int lpm01a_start(struct meter *base)
{
	struct lpm01a *meter = (struct lpm01a *)base;
	int status;

	if (!meter->pending)
		return hb_error(HB_ERR_INTERNAL, "meter '%s': start before configure", base->port);
	meter->counted = 0;
	meter->pending_count = 0;
	meter->pending_broken = false;
	meter->ready_count = meter->ready_first = 0;
	meter->marker = false;
	meter->last_event = -1;
	status = lpm01a_command(meter, "pwr on");
	if (status == HB_OK)
		status = lpm01a_command(meter, "start");
	return status;
}

static int lpm01a_read(struct meter *base, struct meter_sample *samples, size_t capacity,
		       size_t *got, int timeout_ms)
{
	struct lpm01a *meter = (struct lpm01a *)base;
	const int64_t deadline = clock_now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
	size_t available;

	*got = 0;
	while (meter->ready_count == meter->ready_first) {
		int64_t now = clock_now_ms();
		int status;

		if (now >= deadline)
			return HB_ERR_TIMEOUT;
		status = pump(meter, (int)(deadline - now), NULL);
		if (status != HB_OK && status != HB_ERR_TIMEOUT)
			return status;
	}
	available = meter->ready_count - meter->ready_first;
	*got = available < capacity ? available : capacity;
	memcpy(samples, meter->ready + meter->ready_first, *got * sizeof *samples);
	meter->ready_first += *got;
	return HB_OK;
}

static int lpm01a_stop(struct meter *base)
{
	struct lpm01a *meter = (struct lpm01a *)base;
	const int64_t deadline = clock_now_ms() + LPM01A_REPLY_MS;
	int status = lpm01a_write(meter, "stop\r\n");

	/* The stream runs on until the monitor says it is complete; what comes
	 * after the caller stopped reading is dropped. */
	while (status == HB_OK) {
		struct lpm01a_line last = {.kind = LPM01A_LINE_EMPTY};
		int64_t now = clock_now_ms();

		if (now >= deadline)
			return hb_error(
			    HB_ERR_TIMEOUT,
			    "meter '%s': no 'Acquisition completed' in %d ms after stop",
			    base->port, LPM01A_REPLY_MS);
		status = pump(meter, (int)(deadline - now), &last);
		if (status == HB_ERR_TIMEOUT)
			status = HB_OK;
		if (last.kind == LPM01A_LINE_END)
			break;
	}
	meter->pending_count = 0;
	meter->ready_count = meter->ready_first = 0;
	return status;
}

const struct meter_driver meter_lpm01a = {
    .name = "lpm01a",
    .description = "ST X-NUCLEO-LPM01A power monitor (ASCII protocol, energy output, D7 events)",
    /* It enumerates as ST's generic virtual COM port, which other ST boards share:
     * not an identity to detect it by. */
    .usb_vendor = 0,
    .usb_product = 0,
    .shared_usb_vendor = 0x0483,
    .shared_usb_product = 0x5740,
    .open = lpm01a_open,
    .configure = lpm01a_configure,
    .start = lpm01a_start,
    .read = lpm01a_read,
    .stop = lpm01a_stop,
    .close = lpm01a_close,
};
