/*
 * Noise transport: wraps another transport and XORs bytes going either way
 * with a nonzero mask at a seeded rate.
 *
 * The generator is a self-contained splitmix64, so the damage is the same
 * on every libc and every run. Each byte costs exactly one draw whether it
 * is damaged or not, so which bytes get hit depends only on the seed and
 * the byte's position in its direction's stream, never on how the bytes
 * were split into calls.
 */
#include "link/transport_noise.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Big enough that a whole frame usually goes down in one inner write, so
 * the wrapper does not change the timing the board sees. */
#define NOISE_PIECE 1024

/* Draws are 53 bits wide, so a probability maps exactly onto a threshold
 * and p = 1 is above every draw. */
#define NOISE_DRAW_BITS 53
#define NOISE_DRAW_SPAN 9007199254740992.0 /* 2^53 */

/* Arbitrary distinct constants so the two directions start far apart. */
#define NOISE_SEND_SALT	   UINT64_C(0x73656e642d6e6f69)
#define NOISE_RECEIVE_SALT UINT64_C(0x726563762d6e6f69)

struct noise_transport {
	struct transport base;
	struct transport *inner;
	uint64_t threshold; /* a byte is damaged when its draw is below this */
	uint64_t send_state;
	uint64_t receive_state;
	struct transport_noise_counts counts;
};

static const struct transport_driver noise_driver;

static uint64_t noise_mix(uint64_t value)
{
	value = (value ^ (value >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	value = (value ^ (value >> 27)) * UINT64_C(0x94d049bb133111eb);
	return value ^ (value >> 31);
}

static uint64_t noise_next(uint64_t *state)
{
	*state += UINT64_C(0x9e3779b97f4a7c15);
	return noise_mix(*state);
}

/* Damages bytes in place; returns how many were changed. */
static uint64_t noise_damage(uint64_t *state, uint64_t threshold, uint8_t *bytes, size_t length)
{
	uint64_t damaged = 0;

	for (size_t i = 0; i < length; i++) {
		uint64_t draw = noise_next(state);
		/* High bits decide, the low bits (unused by the decision) pick
		 * the mask; 1 + x % 255 can never be 0, so a hit always shows. */
		if ((draw >> (64 - NOISE_DRAW_BITS)) < threshold) {
			bytes[i] ^= (uint8_t)(1 + (draw & 0x7ff) % 255);
			damaged++;
		}
	}
	return damaged;
}

static int noise_open(const char *address, const struct transport_options *options,
		      struct transport **out)
{
	(void)options;
	*out = NULL;
	return hb_error(HB_ERR_USAGE,
			"cannot open '%s': the noise transport only wraps an opened transport "
			"(transport_noise_wrap)",
			address);
}

static int noise_write(struct transport *transport, const uint8_t *data, size_t length,
		       int timeout_ms)
{
	struct noise_transport *noise = (struct noise_transport *)transport;
	uint8_t piece[NOISE_PIECE];
	size_t done = 0;

	while (done < length) {
		size_t size = length - done < sizeof piece ? length - done : sizeof piece;
		int status;

		/* The caller's buffer is theirs: a retry must resend what they meant. */
		memcpy(piece, data + done, size);
		noise->counts.damaged_sent +=
		    noise_damage(&noise->send_state, noise->threshold, piece, size);
		noise->counts.bytes_sent += size;
		status = noise->inner->driver->write(noise->inner, piece, size, timeout_ms);
		if (status != HB_OK)
			return status;
		done += size;
	}
	return HB_OK;
}

static int noise_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		      int timeout_ms)
{
	struct noise_transport *noise = (struct noise_transport *)transport;
	int status = noise->inner->driver->read(noise->inner, data, capacity, got, timeout_ms);

	if (status != HB_OK)
		return status;
	noise->counts.damaged_received +=
	    noise_damage(&noise->receive_state, noise->threshold, data, *got);
	noise->counts.bytes_received += *got;
	return HB_OK;
}

static int noise_flush_input(struct transport *transport)
{
	struct noise_transport *noise = (struct noise_transport *)transport;

	return noise->inner->driver->flush_input(noise->inner);
}

static void noise_close(struct transport *transport)
{
	struct noise_transport *noise = (struct noise_transport *)transport;

	if (!transport)
		return;
	noise->inner->driver->close(noise->inner);
	free(noise);
}

/* Not in transport.c's table: nobody opens it by address. */
static const struct transport_driver noise_driver = {
    .name = "noise",
    .open = noise_open,
    .write = noise_write,
    .read = noise_read,
    .flush_input = noise_flush_input,
    .close = noise_close,
};

int transport_noise_wrap(struct transport *inner, double probability, uint32_t seed,
			 struct transport **out)
{
	struct noise_transport *noise;
	size_t prefix = strlen("noise:");
	size_t inner_length;

	if (!out)
		return hb_error(HB_ERR_INTERNAL, "noise transport: nowhere to return the wrapper");
	*out = NULL;
	if (!inner)
		return hb_error(HB_ERR_INTERNAL, "noise transport: no transport to wrap");
	/* Written so that NaN, which compares false with everything, fails too. */
	if (!(probability >= 0.0 && probability <= 1.0))
		return hb_error(HB_ERR_USAGE,
				"noise probability %g is out of range: expected a number from 0 "
				"(no damage) to 1 (every byte damaged)",
				probability);
	noise = calloc(1, sizeof *noise);
	if (!noise)
		return hb_error(HB_ERR_NOMEM, "wrapping '%s' in noise: out of memory",
				inner->address);
	noise->base.driver = &noise_driver;
	inner_length = strnlen(inner->address, sizeof inner->address);
	if (inner_length > sizeof noise->base.address - 1 - prefix)
		inner_length = sizeof noise->base.address - 1 - prefix;
	memcpy(noise->base.address, "noise:", prefix);
	memcpy(noise->base.address + prefix, inner->address, inner_length);
	noise->base.address[prefix + inner_length] = '\0';
	noise->inner = inner;
	noise->threshold = (uint64_t)(probability * NOISE_DRAW_SPAN);
	noise->send_state = noise_mix((uint64_t)seed ^ NOISE_SEND_SALT);
	noise->receive_state = noise_mix((uint64_t)seed ^ NOISE_RECEIVE_SALT);
	*out = &noise->base;
	return HB_OK;
}

void transport_noise_counts(const struct transport *noisy, struct transport_noise_counts *counts)
{
	static const struct transport_noise_counts none;

	if (!noisy || noisy->driver != &noise_driver) {
		*counts = none;
		return;
	}
	*counts = ((const struct noise_transport *)noisy)->counts;
}
