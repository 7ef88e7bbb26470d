/* hilbench boards --detect: attached probes and serial bridges, matched to
 * the profiles each probe can flash. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "config/profile.h"
#include "lab/lab_detect.h"
#include "util/error.h"

static void print_port(const char *indent, const struct lab_serial_port *port)
{
	const struct serial_port_info *info = &port->info;

	printf("%s%s  %04x:%04x", indent, lab_port_stable_path(port), info->usb_vendor,
	       info->usb_product);
	if (info->usb_serial[0])
		printf("  serial %s", info->usb_serial);
	if (info->usb_product_name[0])
		printf("  \"%s\"", info->usb_product_name);
	printf("\n");
}

static void print_probe(const struct lab_probe_found *probe, const struct board_profile *profiles)
{
	const struct lab_usb_device *device = probe->device;
	char where[48];

	lab_usb_path(device, where, sizeof where);
	printf("  %-12s %s  %04x:%04x  serial %s  usb %s\n", probe->kind->name, probe->model,
	       device->vendor, device->product,
	       device->serial[0] ? device->serial
				 : (device->strings_unread ? "(unreadable)" : "(none)"),
	       where);
	if (device->strings_unread)
		printf("  %-12s no access to its strings: install OpenOCD's udev rules "
		       "(60-openocd.rules) and replug\n",
		       "");
	if (probe->port)
		print_port("               console ", probe->port);
	else
		printf("  %-12s console: none of its own (wire the board's UART to a bridge)\n",
		       "");
	printf("  %-12s flashes:", "");
	for (size_t i = 0; i < probe->profile_count; i++)
		printf("%s %s", i ? "," : "", profiles[probe->profiles[i]].id);
	printf("%s\n", probe->profile_count ? "" : " no shipped profile uses this probe");
}

static void print_detection(const struct lab_detection *detection,
			    const struct board_profile *profiles, const char *source)
{
	if (!detection->probe_count && !detection->bridge_count) {
		printf("no debug probes or USB serial bridges found (%s)\n", source);
		return;
	}
	printf("debug probes (%zu), from %s:\n", detection->probe_count, source);
	for (size_t i = 0; i < detection->probe_count; i++)
		print_probe(&detection->probes[i], profiles);
	printf("serial bridges of no probe (%zu):\n", detection->bridge_count);
	for (size_t i = 0; i < detection->bridge_count; i++)
		print_port("  ", detection->bridges[i]);
	printf("'hilbench lab init > lab.json' writes a lab map of these to edit.\n");
}

int cmd_boards_detect(const char *boards_dir, const char *recording, int json)
{
	struct board_profile *profiles = NULL;
	struct lab_enumeration enumeration;
	struct lab_detection detection;
	size_t count = 0, invalid = 0;
	char source[600];
	int status = profile_list(boards_dir, &profiles, &count, &invalid);

	if (status == HB_OK)
		status = lab_enumerate(recording, &enumeration);
	if (status != HB_OK) {
		free(profiles);
		return status;
	}
	status = lab_detect(&enumeration, profiles, count, &detection);
	if (status == HB_OK && json) {
		cJSON *root = lab_detection_to_json(&detection, profiles);
		char *text = root ? cJSON_Print(root) : NULL;

		if (text)
			printf("%s\n", text);
		else
			status = hb_error(HB_ERR_NOMEM, "boards --detect: out of memory");
		free(text);
		cJSON_Delete(root);
	} else if (status == HB_OK) {
		snprintf(source, sizeof source, "%s%s",
			 recording ? "the recording " : "USB, through libusb and libserialport",
			 recording ? recording : "");
		print_detection(&detection, profiles, source);
	}
	lab_detection_release(&detection);
	lab_enumeration_release(&enumeration);
	free(profiles);
	return status;
}
