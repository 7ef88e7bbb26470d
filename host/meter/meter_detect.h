/*
 * Attached meters, recognised by the USB ids of serial ports against the
 * driver table's. A pure function of the port list, so it is tested on a
 * made-up one; `hilbench meters` feeds it serial_ports_list().
 */
#ifndef HB_METER_DETECT_H
#define HB_METER_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "link/serial_ports.h"
#include "meter/meter.h"

struct meter_found {
	const struct serial_port_info *port;
	const struct meter_driver *driver;
	bool shared; /* the ids are a generic bridge's: maybe this meter, maybe not */
};

/* Writes up to capacity matches into found; returns how many there are. */
size_t meter_detect(const struct serial_port_info *ports, size_t count, struct meter_found *found,
		    size_t capacity);

#endif
