/* Enumerations: choosing the source, releasing, naming a device's place. */
#include "lab/lab_enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lab_enumerate(const char *recording, struct lab_enumeration *out)
{
	const struct lab_source *source = recording ? &lab_source_recording : &lab_source_usb;

	memset(out, 0, sizeof *out);
	return source->enumerate(recording, out);
}

void lab_enumeration_release(struct lab_enumeration *enumeration)
{
	free(enumeration->devices);
	free(enumeration->ports);
	memset(enumeration, 0, sizeof *enumeration);
}

void lab_usb_path(const struct lab_usb_device *device, char *out, size_t capacity)
{
	size_t used;
	int n = snprintf(out, capacity, "%u-", device->bus);

	if (n < 0 || (size_t)n >= capacity)
		return;
	used = (size_t)n;
	if (device->port_count == 0) {
		/* The root hub itself, or a recording without ports. */
		snprintf(out + used, capacity - used, "0");
		return;
	}
	for (uint8_t i = 0; i < device->port_count; i++) {
		n = snprintf(out + used, capacity - used, "%s%u", i ? "." : "", device->ports[i]);
		if (n < 0 || (size_t)n >= capacity - used)
			return;
		used += (size_t)n;
	}
}
