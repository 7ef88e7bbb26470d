/* The PPK2's metadata text, sample words and calibration (ppk2_proto.h). */
#include "meter/ppk2_proto.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* The ADC's volts per count after the firmware's x4 scaling of the 14 bits. */
#define PPK2_ADC_MULT (1.8 / 163840.0)

void ppk2_metadata_defaults(struct ppk2_metadata *metadata)
{
	static const double r[PPK2_RANGES] = {1031.64, 101.65, 10.15, 0.94, 0.043};

	memset(metadata, 0, sizeof *metadata);
	for (int k = 0; k < PPK2_RANGES; k++) {
		metadata->r[k] = r[k];
		metadata->gs[k] = 1.0;
		metadata->gi[k] = 1.0;
		metadata->ug[k] = 1.0;
	}
	metadata->hw = metadata->mode = metadata->ia = -1;
}

static double *calibration_slot(struct ppk2_metadata *metadata, const char *key, size_t key_length)
{
	static const struct {
		const char *name;
		size_t offset;
	} tables[] = {
	    {"R", offsetof(struct ppk2_metadata, r)},	{"GS", offsetof(struct ppk2_metadata, gs)},
	    {"GI", offsetof(struct ppk2_metadata, gi)}, {"O", offsetof(struct ppk2_metadata, o)},
	    {"S", offsetof(struct ppk2_metadata, s)},	{"I", offsetof(struct ppk2_metadata, i)},
	    {"UG", offsetof(struct ppk2_metadata, ug)},
	};
	char last;

	if (key_length < 2)
		return NULL;
	last = key[key_length - 1];
	if (last < '0' || last >= '0' + PPK2_RANGES)
		return NULL;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		if (strlen(tables[t].name) == key_length - 1 &&
		    memcmp(tables[t].name, key, key_length - 1) == 0)
			return (double *)((char *)metadata + tables[t].offset) + (last - '0');
	return NULL;
}

static int parse_line(struct ppk2_metadata *metadata, const char *line, size_t length,
		      const char *port)
{
	const char *colon = memchr(line, ':', length);
	char value_text[64], *end;
	size_t key_length, value_length;
	double value;
	double *slot;

	if (!colon)
		return HB_OK; /* firmware banners and blank lines carry nothing we use */
	key_length = (size_t)(colon - line);
	value_length = length - key_length - 1;
	while (value_length && (colon[1] == ' ' || colon[1] == '\t')) {
		colon++;
		value_length--;
	}
	if (value_length == 0 || value_length >= sizeof value_text)
		return hb_error(HB_ERR_PROTOCOL, "ppk2 '%s': metadata line '%.*s' has no value",
				port, (int)(length > 60 ? 60 : length), line);
	memcpy(value_text, colon + 1, value_length);
	value_text[value_length] = '\0';
	errno = 0;
	value = strtod(value_text, &end);
	while (*end == ' ' || *end == '\r')
		end++;
	if (end == value_text || *end || errno || !isfinite(value))
		return hb_error(HB_ERR_PROTOCOL,
				"ppk2 '%s': metadata line '%.*s': expected a number after ':'",
				port, (int)(length > 60 ? 60 : length), line);
	slot = calibration_slot(metadata, line, key_length);
	if (slot) {
		if (line[0] == 'R' && key_length == 2 && !(value > 0))
			return hb_error(HB_ERR_PROTOCOL,
					"ppk2 '%s': metadata %.*s = %g, expected a resistance > 0",
					port, (int)key_length, line, value);
		*slot = value;
		metadata->keys_seen++;
	} else if (key_length == 10 && memcmp(line, "Calibrated", 10) == 0) {
		metadata->calibrated = value != 0;
	} else if (key_length == 2 && memcmp(line, "HW", 2) == 0) {
		metadata->hw = (long)value;
	} else if (key_length == 4 && memcmp(line, "mode", 4) == 0) {
		metadata->mode = (long)value;
	} else if (key_length == 2 && memcmp(line, "IA", 2) == 0) {
		metadata->ia = (long)value;
	}
	return HB_OK;
}

int ppk2_metadata_parse(const char *text, size_t length, const char *port,
			struct ppk2_metadata *metadata)
{
	size_t at = 0;

	ppk2_metadata_defaults(metadata);
	while (at < length) {
		const char *line = text + at;
		const char *newline = memchr(line, '\n', length - at);
		size_t line_length = newline ? (size_t)(newline - line) : length - at;
		int status;

		at += line_length + (newline ? 1 : 0);
		if (line_length && line[line_length - 1] == '\r')
			line_length--;
		if (line_length == 3 && memcmp(line, "END", 3) == 0)
			return HB_OK;
		status = parse_line(metadata, line, line_length, port);
		if (status != HB_OK)
			return status;
	}
	return hb_error(HB_ERR_PROTOCOL, "ppk2 '%s': metadata has no 'END' line (%zu bytes)", port,
			length);
}

struct ppk2_raw ppk2_unpack(uint32_t word)
{
	return (struct ppk2_raw){.adc = (uint16_t)(word & 0x3fffu),
				 .range = (uint8_t)((word >> 14) & 0x7u),
				 .counter = (uint8_t)((word >> 18) & 0x3fu),
				 .logic = (uint8_t)(word >> 24)};
}

double ppk2_current_a(const struct ppk2_metadata *metadata, double vdd_v, struct ppk2_raw raw)
{
	/* Ranges 5..7 do not exist; Nordic's software reads them as the highest. */
	const int k = raw.range < PPK2_RANGES ? raw.range : PPK2_RANGES - 1;
	const double adc = (double)raw.adc * 4.0;
	const double volts = (adc - metadata->o[k]) * (PPK2_ADC_MULT / metadata->r[k]);

	return metadata->ug[k] * (volts * (metadata->gs[k] * volts + metadata->gi[k]) +
				  (metadata->s[k] * vdd_v + metadata->i[k]));
}

void ppk2_regulator_bytes(unsigned mv, uint8_t out[2])
{
	/* 800 mV is [3, 32]; each step of the second byte is 1 mV, carrying into the first. */
	const unsigned clamped = mv < PPK2_VDD_MIN_MV	? PPK2_VDD_MIN_MV
				 : mv > PPK2_VDD_MAX_MV ? PPK2_VDD_MAX_MV
							: mv;
	const unsigned steps = clamped - PPK2_VDD_MIN_MV + 32;

	out[0] = (uint8_t)(3 + steps / 256);
	out[1] = (uint8_t)(steps % 256);
}
