/*
 * Debug probes hilbench knows: their kinds (what a lab map's probe.kind
 * names), which OpenOCD interface configs drive each, and the USB ids and
 * strings that identify them. The tables are data (lab_probe.c, each row
 * with its public source); adding a probe is a row.
 */
#ifndef HB_LAB_PROBE_H
#define HB_LAB_PROBE_H

#include <stdbool.h>

#include "config/profile.h"
#include "lab/lab_enum.h"

struct lab_probe_kind {
	const char *name;  /* "stlink-v2-1": the lab map's probe.kind */
	const char *title; /* "ST-LINK/V2-1" */
	/* OpenOCD interface configs that drive it, NULL-terminated. */
	const char *const *interfaces;
};

/* The kind a USB device is, or NULL when it is no probe hilbench knows.
 * *model is set to the row's model name ("STLINK-V3SET") or the product
 * string for probes known by their strings (CMSIS-DAP). */
const struct lab_probe_kind *lab_probe_classify(const struct lab_usb_device *device,
						const char **model);

const struct lab_probe_kind *lab_probe_kind_find(const char *name);

/* The kinds' names, NULL-terminated, in table order. */
const char *const *lab_probe_kind_names(void);

/* Can this kind be the probe of a board of this profile? True when the
 * profile's flasher uses one of the kind's interface configs, or names no
 * interface (its board script picks the probe); false for emulated boards. */
bool lab_probe_drives(const struct lab_probe_kind *kind, const struct board_profile *profile);

/* The kinds that can drive the profile, as "a, b" (for messages). */
void lab_probe_kinds_for(const struct board_profile *profile, char *out, size_t capacity);

#endif
