/* Probes, their serial ports and the profiles they can flash. */
#include "lab/lab_detect.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* A probe's own port: the same USB device, known by ids and serial number
 * (both non-empty and equal), or by bus and address when both sides know
 * them (a probe without a serial number). */
static bool port_of_device(const struct lab_serial_port *port, const struct lab_usb_device *device)
{
	const struct serial_port_info *info = &port->info;

	if (!info->usb || info->usb_vendor != device->vendor ||
	    info->usb_product != device->product)
		return false;
	if (info->usb_bus && device->address)
		return info->usb_bus == device->bus && info->usb_address == device->address;
	return info->usb_serial[0] && strcmp(info->usb_serial, device->serial) == 0;
}

static void match_profiles(struct lab_probe_found *probe, const struct board_profile *profiles,
			   size_t profile_count)
{
	for (size_t i = 0; i < profile_count && probe->profile_count < LAB_DETECT_MAX_PROFILES; i++)
		if (lab_probe_drives(probe->kind, &profiles[i]))
			probe->profiles[probe->profile_count++] = i;
}

int lab_detect(const struct lab_enumeration *enumeration, const struct board_profile *profiles,
	       size_t profile_count, struct lab_detection *out)
{
	bool *owned = NULL;

	memset(out, 0, sizeof *out);
	if (enumeration->device_count)
		out->probes = calloc(enumeration->device_count, sizeof *out->probes);
	if (enumeration->port_count) {
		out->bridges = calloc(enumeration->port_count, sizeof *out->bridges);
		owned = calloc(enumeration->port_count, sizeof *owned);
	}
	if ((enumeration->device_count && !out->probes) ||
	    (enumeration->port_count && (!out->bridges || !owned))) {
		free(owned);
		lab_detection_release(out);
		return hb_error(HB_ERR_NOMEM, "detecting probes: out of memory");
	}
	for (size_t i = 0; i < enumeration->device_count; i++) {
		const struct lab_usb_device *device = &enumeration->devices[i];
		struct lab_probe_found *probe = &out->probes[out->probe_count];

		probe->kind = lab_probe_classify(device, &probe->model);
		if (!probe->kind)
			continue;
		probe->device = device;
		/* An STLINK-V3 with two VCPs has two ports: the one of the lower
		 * interface (by-id "-if02" before "-if04"; else the lower path) is
		 * taken whatever the listing order; both stay the probe's, neither
		 * is listed as a bridge. */
		for (size_t p = 0; p < enumeration->port_count; p++) {
			const struct lab_serial_port *port = &enumeration->ports[p];

			if (owned[p] || !port_of_device(port, device))
				continue;
			if (!probe->port || strcmp(lab_port_stable_path(port),
						   lab_port_stable_path(probe->port)) < 0)
				probe->port = port;
			owned[p] = true;
		}
		match_profiles(probe, profiles, profile_count);
		out->probe_count++;
	}
	for (size_t p = 0; p < enumeration->port_count; p++)
		if (!owned[p] && enumeration->ports[p].info.usb)
			out->bridges[out->bridge_count++] = &enumeration->ports[p];
	free(owned);
	return HB_OK;
}

void lab_detection_release(struct lab_detection *detection)
{
	free(detection->probes);
	free(detection->bridges);
	memset(detection, 0, sizeof *detection);
}

const char *lab_port_stable_path(const struct lab_serial_port *port)
{
	return port->by_id[0] ? port->by_id : port->info.path;
}
