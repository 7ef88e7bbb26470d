/*
 * The per-layer profile of a record as the report keeps it: the costliest
 * layers of `measurements.layers` (run/layer_profile.h wrote them), each
 * with its count, share and count per MAC, and how many layers and what
 * share were left out. Read from the record only; a record without layers,
 * or whose layers say nothing usable, keeps none (never zeros).
 */
#ifndef HB_REPORT_LAYERS_H
#define HB_REPORT_LAYERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define REPORT_LAYERS_KEPT 10

struct report_layer {
	uint32_t index; /* op index in the device image */
	char op[32];
	char path[16]; /* "" when the record does not say */
	double macs;
	double count; /* in report_layers.unit */
	double share; /* of the ops' sum, 0..1 */
	bool has_per_mac;
	double per_mac;
};

struct report_layers {
	size_t count; /* kept below, most costly first; 0: none */
	struct report_layer kept[REPORT_LAYERS_KEPT];
	uint32_t total;	       /* layers the record holds (usable ones) */
	double rest_share;     /* share of the layers not kept */
	char unit[16];	       /* "instructions" or "cycles" */
	char source[16];       /* "emulated" or "measured" */
	double overhead_share; /* profiled total against the unprofiled one */
	bool has_overhead;
};

/* Fills `out` from a record's measurements object (NULL: none). Entries
 * without a finite count or share in 0..1 are left out. */
void report_layers_read(const cJSON *measurements, struct report_layers *out);

#endif
