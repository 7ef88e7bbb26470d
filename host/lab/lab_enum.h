/*
 * What is plugged into this host's USB: devices (through libusb) and serial
 * ports (through libserialport, link/serial_ports.h), as plain structs.
 *
 * Where they come from is a driver: the real buses, or a recording (a JSON
 * file in the same shape, docs/boards.md#detection) so detection and
 * `lab init` are tested on enumerations of probes nobody has attached here.
 */
#ifndef HB_LAB_ENUM_H
#define HB_LAB_ENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/serial_ports.h"

#define LAB_USB_MAX_PORTS      7  /* USB 3 allows hubs 7 deep */
#define LAB_USB_MAX_INTERFACES 16 /* interface strings kept per device */

struct lab_usb_device {
	uint16_t vendor, product;
	uint8_t bus, address;		  /* address 0: unknown (a recording may omit it) */
	uint8_t ports[LAB_USB_MAX_PORTS]; /* hub port numbers from the root: "1-2.1" */
	uint8_t port_count;
	char serial[64]; /* the serial number string; empty when none */
	char manufacturer[64];
	char product_name[128];
	char interfaces[LAB_USB_MAX_INTERFACES][64]; /* interface strings, "" when none */
	uint8_t interface_count;
	bool strings_unread; /* the device could not be opened: strings from sysfs or none */
};

struct lab_serial_port {
	struct serial_port_info info;
	char by_id[256]; /* its /dev/serial/by-id/ link, which survives replugging; "" when none */
};

struct lab_enumeration {
	struct lab_usb_device *devices;
	size_t device_count;
	struct lab_serial_port *ports;
	size_t port_count;
};

/** A source of enumerations. */
struct lab_source {
	const char *name;
	/** Fills *out (caller releases it with lab_enumeration_release);
	 * argument is the source's own (a recording's path; NULL for usb). */
	int (*enumerate)(const char *argument, struct lab_enumeration *out);
};

extern const struct lab_source lab_source_usb;	     /* libusb and libserialport */
extern const struct lab_source lab_source_recording; /* a JSON file */

/* The recording at `recording` when given, else the real buses. */
int lab_enumerate(const char *recording, struct lab_enumeration *out);

void lab_enumeration_release(struct lab_enumeration *enumeration);

/* "1-2.1": bus, then the hub ports, as Linux names the device in sysfs. */
void lab_usb_path(const struct lab_usb_device *device, char *out, size_t capacity);

/* The enumeration as a recording's JSON text (malloc'd; NULL when out of
 * memory), `note` saying where it came from: `hilbench lab record`. */
char *lab_recording_text(const struct lab_enumeration *enumeration, const char *note);

/* Parses a recording (docs/boards.md#detection); errors name file and field. */
int lab_recording_parse(const char *text, size_t length, const char *path,
			struct lab_enumeration *out);

#endif
