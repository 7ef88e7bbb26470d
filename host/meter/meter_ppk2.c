/*
 * Nordic Power Profiler Kit II over its USB CDC serial port (ppk2_proto.h
 * holds the byte protocol). The PPK2 samples at a fixed 100 kS/s; every
 * sample word carries a 6-bit counter, and a jump in it is a burst the USB
 * link lost, put back as that many dropped slots so time stays an index.
 * A loss of a multiple of 64 samples leaves the counter in step and cannot
 * be seen; nothing in the stream can tell it.
 *
 * Nordic's software smooths the samples right after a range switch (its
 * "spike filter"); this driver does not: the integral is what matters here,
 * and the filter would shift charge between samples, not remove it.
 */
#include "meter/meter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/meter_port.h"
#include "meter/ppk2_proto.h"
#include "util/clock.h"
#include "util/error.h"

#define PPK2_REPLY_MS 2000
#define METADATA_MAX  4096
#define READ_CHUNK    16384

struct ppk2 {
	struct meter base;
	struct meter_port port;
	struct ppk2_metadata metadata;
	double vdd_v;
	int expected_counter; /* -1 before the first sample */
	uint8_t partial[4];
	size_t partial_length;
	struct meter_sample *queue; /* decoded and not yet read */
	size_t queue_first, queue_count, queue_capacity;
};

static int send(struct ppk2 *ppk2, const uint8_t *bytes, size_t length)
{
	return meter_port_write(&ppk2->port, bytes, length, PPK2_REPLY_MS);
}

/* Not strstr: bytes of a stream still in flight may hold NULs. */
static bool has_end(const char *text, size_t length)
{
	for (size_t k = 0; k + 3 <= length; k++)
		if (memcmp(text + k, "END", 3) == 0)
			return true;
	return false;
}

/* Reads the metadata text up to its END line. */
static int read_metadata(struct ppk2 *ppk2)
{
	char text[METADATA_MAX + 1];
	size_t length = 0;
	const int64_t deadline = clock_now_ms() + PPK2_REPLY_MS;
	static const uint8_t ask = PPK2_GET_META_DATA;
	int status = send(ppk2, &ask, 1);

	while (status == HB_OK) {
		size_t got;
		const int64_t left = deadline - clock_now_ms();

		if (left <= 0 || length == METADATA_MAX)
			return hb_error(HB_ERR_TIMEOUT,
					"ppk2 '%s': no metadata ending in 'END' within %d ms (%zu "
					"bytes came); is this a PPK2?",
					ppk2->base.port, PPK2_REPLY_MS, length);
		status = meter_port_read(&ppk2->port, text + length, METADATA_MAX - length, &got,
					 (int)left);
		if (status == HB_ERR_TIMEOUT)
			status = HB_OK;
		length += got;
		text[length] = '\0';
		if (has_end(text, length))
			return ppk2_metadata_parse(text, length, ppk2->base.port, &ppk2->metadata);
	}
	return status;
}

static int ppk2_open(const char *port, struct meter **out, struct meter_info *info)
{
	static const uint8_t quiet = PPK2_AVERAGE_STOP;
	struct ppk2 *ppk2 = calloc(1, sizeof *ppk2);
	int status;

	*out = NULL;
	memset(info, 0, sizeof *info);
	if (!ppk2)
		return hb_error(HB_ERR_NOMEM, "cannot open ppk2 '%s': out of memory", port);
	ppk2->base.driver = &meter_ppk2;
	snprintf(ppk2->base.port, sizeof ppk2->base.port, "%s", port);
	ppk2->expected_counter = -1;
	status = meter_port_open(port, 115200, &ppk2->port);
	if (status != HB_OK) {
		free(ppk2);
		return status;
	}
	/* A PPK2 left streaming by an earlier run would bury the metadata. */
	status = send(ppk2, &quiet, 1);
	if (status == HB_OK)
		status = read_metadata(ppk2);
	if (status != HB_OK) {
		meter_port_close(&ppk2->port);
		free(ppk2);
		return status;
	}
	if (!ppk2->metadata.calibrated)
		hb_warn("ppk2 '%s': the unit reports no calibration; currents use its stored or "
			"default values",
			port);
	snprintf(info->model, sizeof info->model, "PPK2");
	if (ppk2->metadata.hw >= 0)
		snprintf(info->firmware, sizeof info->firmware, "hw %ld", ppk2->metadata.hw);
	*out = &ppk2->base;
	return HB_OK;
}

static int ppk2_configure(struct meter *meter, const struct meter_config *config,
			  struct meter_info *info)
{
	struct ppk2 *ppk2 = (struct ppk2 *)meter;
	const double mv = config->supply_v * 1000.0;
	uint8_t mode[2] = {PPK2_SET_POWER_MODE, PPK2_MODE_SOURCE};
	uint8_t regulator[3] = {PPK2_REGULATOR_SET};
	int status;

	if (!(mv >= PPK2_VDD_MIN_MV && mv <= PPK2_VDD_MAX_MV))
		return hb_error(HB_ERR_INPUT,
				"ppk2 '%s': supply %.3f V is outside the PPK2's 0.8 to 5 V",
				meter->port, config->supply_v);
	if (config->marker_bit > 7)
		return hb_error(HB_ERR_INPUT,
				"ppk2 '%s': marker bit %u, expected a logic input 0..7",
				meter->port, config->marker_bit);
	if (config->sample_rate_hz && config->sample_rate_hz != PPK2_RATE_HZ)
		hb_info("ppk2 '%s': samples at %d Hz only (%u asked)", meter->port, PPK2_RATE_HZ,
			config->sample_rate_hz);
	if (config->ampere_mode)
		mode[1] = PPK2_MODE_AMPERE;
	ppk2_regulator_bytes((unsigned)lround(mv), regulator + 1);
	status = send(ppk2, mode, sizeof mode);
	/* The regulator also sets the voltage the calibration's S term uses in ampere mode. */
	if (status == HB_OK)
		status = send(ppk2, regulator, sizeof regulator);
	if (status != HB_OK)
		return status;
	ppk2->vdd_v = config->supply_v;
	info->sample_rate_hz = PPK2_RATE_HZ;
	return HB_OK;
}

static int ppk2_start(struct meter *meter)
{
	struct ppk2 *ppk2 = (struct ppk2 *)meter;
	static const uint8_t power[2] = {PPK2_DEVICE_RUNNING_SET, 1};
	static const uint8_t start = PPK2_AVERAGE_START;
	int status;

	if (!(ppk2->vdd_v > 0))
		return hb_error(HB_ERR_INTERNAL, "ppk2 '%s': start before configure", meter->port);
	ppk2->expected_counter = -1;
	ppk2->partial_length = 0;
	ppk2->queue_first = ppk2->queue_count = 0;
	status = send(ppk2, power, sizeof power);
	return status == HB_OK ? send(ppk2, &start, 1) : status;
}

static int queue_room(struct ppk2 *ppk2, size_t more)
{
	if (ppk2->queue_first == ppk2->queue_count)
		ppk2->queue_first = ppk2->queue_count = 0;
	if (ppk2->queue_count + more > ppk2->queue_capacity) {
		const size_t capacity = (ppk2->queue_count + more) * 2;
		struct meter_sample *grown = realloc(ppk2->queue, capacity * sizeof *grown);

		if (!grown)
			return hb_error(HB_ERR_NOMEM, "ppk2 '%s': out of memory", ppk2->base.port);
		ppk2->queue = grown;
		ppk2->queue_capacity = capacity;
	}
	return HB_OK;
}

/* One word: the slots its counter says were lost, then the sample. */
static int decode_word(struct ppk2 *ppk2, uint32_t word)
{
	const struct ppk2_raw raw = ppk2_unpack(word);
	size_t lost = 0;
	int status;

	if (ppk2->expected_counter >= 0)
		lost = (size_t)((raw.counter - ppk2->expected_counter + PPK2_COUNTER_MODULO) %
				PPK2_COUNTER_MODULO);
	ppk2->expected_counter = (raw.counter + 1) % PPK2_COUNTER_MODULO;
	status = queue_room(ppk2, lost + 1);
	if (status != HB_OK)
		return status;
	for (size_t k = 0; k < lost; k++)
		ppk2->queue[ppk2->queue_count++] = (struct meter_sample){.dropped = 1};
	ppk2->queue[ppk2->queue_count++] = (struct meter_sample){
	    .current_a = (float)ppk2_current_a(&ppk2->metadata, ppk2->vdd_v, raw),
	    .logic = raw.logic};
	return HB_OK;
}

static int decode_bytes(struct ppk2 *ppk2, const uint8_t *data, size_t length)
{
	for (size_t k = 0; k < length; k++) {
		ppk2->partial[ppk2->partial_length++] = data[k];
		if (ppk2->partial_length == 4) {
			const uint32_t word =
			    (uint32_t)ppk2->partial[0] | (uint32_t)ppk2->partial[1] << 8 |
			    (uint32_t)ppk2->partial[2] << 16 | (uint32_t)ppk2->partial[3] << 24;
			int status = decode_word(ppk2, word);

			ppk2->partial_length = 0;
			if (status != HB_OK)
				return status;
		}
	}
	return HB_OK;
}

static int ppk2_read(struct meter *meter, struct meter_sample *samples, size_t capacity,
		     size_t *got, int timeout_ms)
{
	struct ppk2 *ppk2 = (struct ppk2 *)meter;
	size_t take;

	const int64_t deadline = clock_now_ms() + timeout_ms;

	*got = 0;
	/* Until one whole word came: a read may end inside one. */
	while (ppk2->queue_first == ppk2->queue_count) {
		uint8_t data[READ_CHUNK];
		size_t length;
		const int64_t left = deadline - clock_now_ms();
		int status;

		if (left < 0)
			return HB_ERR_TIMEOUT;
		status = meter_port_read(&ppk2->port, data, sizeof data, &length, (int)left);
		if (status != HB_OK)
			return status;
		status = decode_bytes(ppk2, data, length);
		if (status != HB_OK)
			return status;
	}
	take = ppk2->queue_count - ppk2->queue_first;
	if (take > capacity)
		take = capacity;
	memcpy(samples, ppk2->queue + ppk2->queue_first, take * sizeof *samples);
	ppk2->queue_first += take;
	*got = take;
	return HB_OK;
}

static int ppk2_stop(struct meter *meter)
{
	static const uint8_t stop = PPK2_AVERAGE_STOP;

	return send((struct ppk2 *)meter, &stop, 1);
}

static void ppk2_close(struct meter *meter)
{
	struct ppk2 *ppk2 = (struct ppk2 *)meter;

	if (!meter)
		return;
	meter_port_close(&ppk2->port);
	free(ppk2->queue);
	free(ppk2);
}

const struct meter_driver meter_ppk2 = {
    .name = "ppk2",
    .description = "Nordic Power Profiler Kit II (USB CDC serial, 100 kS/s, 8 logic inputs)",
    .usb_vendor = 0x1915,
    .usb_product = 0xc00a,
    .open = ppk2_open,
    .configure = ppk2_configure,
    .start = ppk2_start,
    .read = ppk2_read,
    .stop = ppk2_stop,
    .close = ppk2_close,
};
