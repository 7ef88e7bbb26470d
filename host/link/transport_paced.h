/*
 * A transport held to a UART's line rate: bytes leave and arrive no faster
 * than baud / 10 per second (8N1), each direction on its own as on a
 * full-duplex serial line. For emulated boards, whose console has no baud
 * rate, so that streaming can be measured against a real line's limit
 * (`hilbench run --debug-line-rate`). Writes return at once, as into a
 * serial driver's buffer; the bytes reach the inner transport when their
 * time on the line has passed, during later writes and reads. It paces the
 * host's side only: an emulated board still takes bytes as QEMU gives them.
 */
#ifndef HB_TRANSPORT_PACED_H
#define HB_TRANSPORT_PACED_H

#include <stdint.h>

#include "link/transport.h"

/* Seconds on a monotonic clock, and a sleep; tests pass their own. */
struct paced_clock {
	double (*now)(void *context);
	void (*sleep)(void *context, double seconds);
	void *context;
};

/* Wraps `inner` (closing the wrapper closes it) at `baud` (300 ... 10^8).
 * `clock` NULL: the system's monotonic clock. On failure `inner` stays the
 * caller's. */
int transport_paced_wrap(struct transport *inner, uint32_t baud, const struct paced_clock *clock,
			 struct transport **out);

#endif
