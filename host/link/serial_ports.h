/*
 * The serial ports this machine sees, with their USB identity, for
 * detecting instruments (`hilbench meters`) and probes' serial ports
 * (`hilbench boards --detect`). Listed through libserialport
 * in transport_serial.c, the one file that includes it; callers get plain
 * structs, so detection can be tested on a made-up list.
 */
#ifndef HB_SERIAL_PORTS_H
#define HB_SERIAL_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct serial_port_info {
	char path[256];
	char description[128];
	char usb_serial[64]; /* empty when the device gives none */
	bool usb;	     /* false: no USB ids (a built-in UART, a bluetooth port) */
	uint16_t usb_vendor, usb_product;
	char usb_product_name[128]; /* the USB product string; empty when none */
	/* Where the device sits (libusb's numbers), 0 when unknown: tells a
	 * probe's own serial port from another device with the same ids. */
	uint8_t usb_bus, usb_address;
};

/* Lists every port; *ports is malloc'd (NULL when none), caller frees. */
int serial_ports_list(struct serial_port_info **ports, size_t *count);

#endif
