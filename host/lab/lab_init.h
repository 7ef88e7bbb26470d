/*
 * `hilbench lab init`: a lab map drafted from a detection, one instance per
 * probe. Where the detection settles a fact (one shipped profile the probe
 * can flash, the probe's serial number, its own serial port) it is written;
 * where it does not, a "TODO: ..." placeholder saying what to fill in,
 * which lab map validation reports by field until it is replaced.
 */
#ifndef HB_LAB_INIT_H
#define HB_LAB_INIT_H

#include <stddef.h>

#include "config/profile.h"
#include "lab/lab_detect.h"

/* The lab map as JSON text (malloc'd, caller frees), or NULL when out of
 * memory. *placeholders counts the TODOs left in it. */
char *lab_init_text(const struct lab_detection *detection, const struct board_profile *profiles,
		    size_t profile_count, size_t *placeholders);

#endif
