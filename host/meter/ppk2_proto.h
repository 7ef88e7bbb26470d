/*
 * The Nordic PPK2's byte protocol, pure functions with no I/O (shared by
 * meter_ppk2.c, its unit test and its fuzz target). Written from Nordic's
 * public description (pc-nrfconnect-ppk) and IRNAS's ppk2-api-python:
 *   - commands are single opcode bytes with arguments;
 *   - the metadata command answers "key: value" lines ending in "END":
 *     per range 0..4 the calibration R, GS, GI, O, S, I, UG, plus HW, mode, IA;
 *   - a sample is a little-endian 32-bit word: ADC value bits 0..13, range
 *     bits 14..16, a 6-bit sample counter bits 18..23, the 8 logic inputs
 *     bits 24..31.
 */
#ifndef HB_PPK2_PROTO_H
#define HB_PPK2_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPK2_RANGES	    5
#define PPK2_RATE_HZ	    100000
#define PPK2_COUNTER_MODULO 64
#define PPK2_VDD_MIN_MV	    800
#define PPK2_VDD_MAX_MV	    5000

enum ppk2_opcode {
	PPK2_AVERAGE_START = 0x06,
	PPK2_AVERAGE_STOP = 0x07,
	PPK2_DEVICE_RUNNING_SET = 0x0c, /* 1: power the board */
	PPK2_REGULATOR_SET = 0x0d,	/* two bytes: the source voltage */
	PPK2_SET_POWER_MODE = 0x11,	/* 1: ampere meter, 2: source meter */
	PPK2_GET_META_DATA = 0x19,
};

enum ppk2_power_mode { PPK2_MODE_AMPERE = 1, PPK2_MODE_SOURCE = 2 };

struct ppk2_metadata {
	/* Calibration per range; the defaults stand where a key is absent. */
	double r[PPK2_RANGES], gs[PPK2_RANGES], gi[PPK2_RANGES], o[PPK2_RANGES];
	double s[PPK2_RANGES], i[PPK2_RANGES], ug[PPK2_RANGES];
	bool calibrated;
	long hw; /* -1 when absent */
	long mode, ia;
	unsigned keys_seen; /* how many calibration keys the text gave */
};

struct ppk2_raw {
	uint16_t adc;	 /* 14 bits */
	uint8_t range;	 /* 0..7 on the wire; 0..4 meaningful */
	uint8_t counter; /* 6 bits */
	uint8_t logic;
};

/* Nordic's uncalibrated defaults (the values a fresh unit reports). */
void ppk2_metadata_defaults(struct ppk2_metadata *metadata);

/* Parses the text up to and including "END"; HB_ERR_PROTOCOL (naming the
 * line) when "END" is missing, a value is not a number, or a resistor is
 * not positive. `port` names the source in messages. */
int ppk2_metadata_parse(const char *text, size_t length, const char *port,
			struct ppk2_metadata *metadata);

struct ppk2_raw ppk2_unpack(uint32_t word);

/* The current in amperes of one sample at source voltage vdd_v. */
double ppk2_current_a(const struct ppk2_metadata *metadata, double vdd_v, struct ppk2_raw raw);

/* The two argument bytes of PPK2_REGULATOR_SET for mv (clamped to 800..5000). */
void ppk2_regulator_bytes(unsigned mv, uint8_t out[2]);

#endif
