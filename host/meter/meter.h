/*
 * Energy meters: instruments that sample a board's supply current and a
 * logic input wired to the firmware's inference-window pin. One driver per
 * instrument, in an explicit table (meter.c):
 *   ppk2     Nordic Power Profiler Kit II, USB CDC serial, binary samples
 *   lpm01a   ST X-NUCLEO-LPM01A power monitor, ASCII serial protocol
 * A driver only moves samples; energy.c turns a trace into windows and joules,
 * so every meter is judged by the same arithmetic.
 */
#ifndef HB_METER_H
#define HB_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct meter_driver;

/* Drivers embed this as their first member. */
struct meter {
	const struct meter_driver *driver;
	char port[256]; /* the serial device it was opened on */
};

struct meter_config {
	double supply_v;	 /* the voltage the meter supplies the board with */
	uint32_t sample_rate_hz; /* wanted rate; drivers round to what the meter does;
				    0: the highest the driver streams */
	uint8_t marker_bit;	 /* logic input (0..7) wired to the window pin */
	/* PPK2: measure a board powered from elsewhere at supply_v (ampere
	 * meter) instead of powering it (source meter). */
	bool ampere_mode;
};

/* What a meter says about itself after open (absent members stay empty/0
 * and are shown as absent, never as a value). */
struct meter_info {
	char model[64];		 /* "PPK2", "LPM01A" */
	char serial[64];	 /* the instrument's own serial number, if it gives one */
	char firmware[64];	 /* its firmware version, if it gives one */
	uint32_t sample_rate_hz; /* the rate actually configured (after configure) */
};

/* One current sample at the configured rate. A sample the meter never
 * delivered (a dropped burst the driver detected) is still one slot in the
 * trace, with `dropped` set, so time stays a sample index / rate. */
struct meter_sample {
	float current_a;
	uint8_t logic;	 /* the logic inputs; bit marker_bit is the window */
	uint8_t dropped; /* 1: a gap the driver detected; current_a is not valid */
};

struct meter_driver {
	const char *name;
	const char *description; /* one line for `hilbench meters` */
	/** USB vendor:product of the instrument, for detection (0 when unknown). */
	uint16_t usb_vendor, usb_product;
	/** Ids the instrument shows that other devices share (a generic USB
	 * bridge): a port with them is only a maybe, and is listed as such. */
	uint16_t shared_usb_vendor, shared_usb_product;
	/** Opens the serial device and reads the instrument's identity (and,
	 * for the PPK2, its calibration); errors name the port. */
	int (*open)(const char *port, struct meter **out, struct meter_info *info);
	/** Sets supply voltage, rate and marker input; fills info->sample_rate_hz. */
	int (*configure)(struct meter *meter, const struct meter_config *config,
			 struct meter_info *info);
	/** Powers the board and starts streaming samples. */
	int (*start)(struct meter *meter);
	/** Reads up to capacity samples, waiting up to timeout_ms for the
	 * first; *got = 0 and HB_ERR_TIMEOUT when none came. */
	int (*read)(struct meter *meter, struct meter_sample *samples, size_t capacity, size_t *got,
		    int timeout_ms);
	/** Stops streaming (the board stays powered). */
	int (*stop)(struct meter *meter);
	void (*close)(struct meter *meter);
};

const struct meter_driver *meter_find(const char *name);

/* Names of all drivers, NULL terminated (for --help and errors). */
const char *const *meter_names(void);

extern const struct meter_driver meter_ppk2;
extern const struct meter_driver meter_lpm01a;

#endif
