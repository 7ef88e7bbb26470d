/*
 * A transport that damages bytes on the line, for tests and demos of damage
 * recovery; not a real link. It wraps any opened transport and flips bits
 * in bytes going either way at a seeded rate, so end-to-end tests can drive
 * the real firmware through "a corrupted byte on the line" and get the same
 * damage on every run.
 */
#ifndef HB_TRANSPORT_NOISE_H
#define HB_TRANSPORT_NOISE_H

#include "link/transport.h"

#include <stdint.h>

struct transport_noise_counts {
	uint64_t bytes_sent;	   /* handed to the inner transport's write */
	uint64_t bytes_received;   /* returned by the inner transport's read */
	uint64_t damaged_sent;	   /* of bytes_sent, how many were changed */
	uint64_t damaged_received; /* of bytes_received, how many were changed */
};

/* Wraps `inner` (takes ownership: closing the wrapper closes it). Each byte written or read
 * is damaged with `probability` (0 <= p <= 1), by XOR with a nonzero pseudo-random mask, from a
 * generator seeded with `seed` (same seed, same bytes damaged: deterministic for a given byte
 * sequence). Returns HB_ERR_USAGE with a clear message for p outside [0,1] or NaN.
 * Writes and reads draw from separate streams, so how writes are split does not change which
 * received bytes are damaged. On failure `inner` is left open and still the caller's. */
int transport_noise_wrap(struct transport *inner, double probability, uint32_t seed,
			 struct transport **out);

/* Totals so far; all zero when `noisy` is not a noise transport. */
void transport_noise_counts(const struct transport *noisy, struct transport_noise_counts *counts);

#endif
