/*
 * Transports carry bytes between host and board. One driver per kind,
 * found by name in an explicit table (transport.c):
 *   serial  a real UART through libserialport (the only file that includes it)
 *   tcp     a stream socket: "host:port" (ser2net-style serial servers) or
 *           "unix:/path" (QEMU's UART chardev)
 * Each driver also says which members of a profile's "console" object it
 * reads and checks them, so profile.c knows no transport by name.
 */
#ifndef HB_TRANSPORT_H
#define HB_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/profile.h"
#include "util/json_read.h"

struct transport_driver;

/* Drivers embed this as their first member. */
struct transport {
	const struct transport_driver *driver;
	char address[256];
};

struct transport_options {
	uint32_t baud;		/* serial only */
	int connect_timeout_ms; /* tcp: keep retrying the connect this long */
};

struct transport_driver {
	const char *name;
	/** The members of a profile's "console" object this driver reads
	 * (NULL-terminated, "transport" included); others are reported unused. */
	const char *const *profile_fields;
	/** Checks the console fields this driver needs, through json_fail so
	 * every problem is reported. */
	void (*check_profile)(struct json_reader *reader, const struct board_profile *board);
	/** True when the line runs at the profile's console.baud, so a result
	 * can say how much of that line rate the upload used. */
	bool baud_limited;
	/** Opens `address`; errors name the address and what to check. */
	int (*open)(const char *address, const struct transport_options *options,
		    struct transport **out);
	/** Writes all bytes or fails; HB_ERR_TIMEOUT after timeout_ms. */
	int (*write)(struct transport *transport, const uint8_t *data, size_t length,
		     int timeout_ms);
	/** Reads 1..capacity bytes into data, waiting up to timeout_ms for the
	 * first; *got = 0 and HB_ERR_TIMEOUT when none came, HB_ERR_IO on
	 * end of stream. */
	int (*read)(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		    int timeout_ms);
	/** Drops bytes already received and not read. */
	int (*flush_input)(struct transport *transport);
	void (*close)(struct transport *transport);
};

const struct transport_driver *transport_find(const char *name);

/* Names of all drivers, NULL terminated (for --help and errors). */
const char *const *transport_names(void);

extern const struct transport_driver transport_serial;
extern const struct transport_driver transport_tcp;

#endif
