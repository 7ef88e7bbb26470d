/*
 * How long the host waits for one request, derived from the work the
 * request asks for instead of one fixed timeout (docs/reliability.md):
 *
 *   deadline = min_ms + margin x units per inference x inferences / clock
 *
 * where units are the board's counter units (cycles, or instructions on an
 * emulator) of one inference, counted by the board once a reply came in.
 * Before the first count, an upper bound stands in: the model's MACs x
 * units_per_mac (a stated bound, DEADLINE_UNITS_PER_MAC unless the profile
 * names one). min_ms is a floor for the line and the host. An explicit
 * --timeout (fixed_ms) wins over all of it.
 */
#ifndef HB_DEADLINE_H
#define HB_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

#define DEADLINE_MARGIN 4.0
#define DEADLINE_MIN_MS 3000
/* An upper bound on counter units per MAC: counted on qemu-m4, fmnist's
 * int8 variant takes 3.0 instructions per MAC and its float32 one 11.4;
 * soft-float cores (Cortex-M0, M3) take more. */
#define DEADLINE_UNITS_PER_MAC 256.0
/* Requests made before anything is known of the work (the handshake). */
#define DEADLINE_HANDSHAKE_MS 30000
/* No deadline is longer than this (an int must hold it, and a day is plenty). */
#define DEADLINE_MAX_MS 86400000

struct deadline_rule {
	int fixed_ms;	      /* > 0: --timeout, used for every request */
	double margin;	      /* >= 1 */
	int min_ms;	      /* floor */
	double units_per_mac; /* the bound before a count is known */
	uint32_t clock_hz;    /* the board's clock (profile) */
	const char *source;   /* "defaults", or the profile path that set margin/min_ms */
};

/* The defaults above, for a board clocked at clock_hz. */
void deadline_rule_default(struct deadline_rule *rule, uint32_t clock_hz);

/* Milliseconds for `inferences` of `units_per_inference` each (0 units: the
 * floor alone), clamped to DEADLINE_MAX_MS; fixed_ms when set. */
int deadline_for_work_ms(const struct deadline_rule *rule, double units_per_inference,
			 uint32_t inferences);

/* The upper bound of one inference's units from its MACs (0 when unknown). */
double deadline_bound_units(const struct deadline_rule *rule, uint64_t macs);

#endif
