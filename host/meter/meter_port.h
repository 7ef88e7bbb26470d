/*
 * The byte line to a meter: a real instrument's USB CDC port through the
 * serial transport (libserialport), or a pseudo-terminal for the emulators
 * in tests/emu. libserialport 0.1.1 describes a port from its entry under
 * /sys/class/tty, which a pty does not have: sp_get_port_by_name("/dev/pts/N")
 * returns SP_ERR_ARG (tried against ppk2_emu). So a path that is a pty with
 * no such entry is opened here with termios, raw; every other path goes to
 * the serial transport, and real ports keep libserialport (its USB lookup
 * and its error messages).
 */
#ifndef HB_METER_PORT_H
#define HB_METER_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct transport;

struct meter_port {
	struct transport *link; /* a real serial port */
	int pty;		/* or a pseudo-terminal; -1 when link is used */
	char name[256];
};

/* True for a /dev/pts/N path with no /sys/class/tty entry. */
bool meter_port_is_pty(const char *port);

/* Opens `port` raw at `baud` (ignored on a pty); errors name the port. */
int meter_port_open(const char *port, uint32_t baud, struct meter_port *out);

/* Writes all bytes or fails (HB_ERR_TIMEOUT after timeout_ms). */
int meter_port_write(struct meter_port *port, const void *data, size_t length, int timeout_ms);

/* Reads 1..capacity bytes, waiting up to timeout_ms for the first;
 * HB_ERR_TIMEOUT with *got = 0 when none came, HB_ERR_IO when the line closed. */
int meter_port_read(struct meter_port *port, void *data, size_t capacity, size_t *got,
		    int timeout_ms);

void meter_port_close(struct meter_port *port);

#endif
