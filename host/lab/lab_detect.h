/*
 * Detection: an enumeration (lab_enum.h) read as debug probes, each with
 * its own serial port when it has one (the probe's VCP: the same USB
 * device), and serial bridges that belong to no probe, each probe matched
 * to the board profiles it can flash. A pure function of its inputs, so
 * tests feed it recorded enumerations.
 */
#ifndef HB_LAB_DETECT_H
#define HB_LAB_DETECT_H

#include <stddef.h>

#include "config/profile.h"
#include "lab/lab_enum.h"
#include "lab/lab_probe.h"

#define LAB_DETECT_MAX_PROFILES 32

struct lab_probe_found {
	const struct lab_usb_device *device;
	const struct lab_probe_kind *kind;
	const char *model;		    /* "STLINK-V3SET" */
	const struct lab_serial_port *port; /* its VCP, or NULL */
	/* Profiles this probe can flash (indices into the profiles given). */
	size_t profiles[LAB_DETECT_MAX_PROFILES];
	size_t profile_count;
};

struct lab_detection {
	struct lab_probe_found *probes;
	size_t probe_count;
	const struct lab_serial_port **bridges; /* USB serial ports of no probe */
	size_t bridge_count;
};

/* Fills *out; pointers point into enumeration and the kind table, so both
 * must outlive it. Release with lab_detection_release. */
int lab_detect(const struct lab_enumeration *enumeration, const struct board_profile *profiles,
	       size_t profile_count, struct lab_detection *out);

void lab_detection_release(struct lab_detection *detection);

/* The detection as JSON (docs/boards.md#detection): {"probes": [...],
 * "bridges": [...]}; cJSON leaves out what it cannot allocate. Caller deletes it. */
struct cJSON;
struct cJSON *lab_detection_to_json(const struct lab_detection *detection,
				    const struct board_profile *profiles);

/* The path a lab map should name for a port: its by-id link when it has one. */
const char *lab_port_stable_path(const struct lab_serial_port *port);

#endif
