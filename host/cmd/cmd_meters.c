/* hilbench meters: the meter drivers, and the meters attached to this machine. */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "link/serial_ports.h"
#include "meter/meter.h"
#include "meter/meter_detect.h"
#include "util/error.h"

#define MAX_FOUND 32

static void print_help(void)
{
	printf("usage: hilbench meters [--json]\n\n"
	       "Lists the energy meter drivers hilbench has (name, instrument, USB VID:PID),\n"
	       "then the meters attached here, found by the USB ids of this machine's serial\n"
	       "ports. A meter is named by its driver and its port (a device path such as\n"
	       "/dev/ttyACM0).\n\n"
	       "A port whose ids are a generic bridge's is listed as \"maybe\": the LPM01A\n"
	       "enumerates as ST's virtual COM port, which every ST board with a USB CDC\n"
	       "example shows too, so only opening it tells. docs/energy.md describes the\n"
	       "meters, how a trace becomes energy per inference, and the trace file.\n\n"
	       "  --json   print {\"drivers\": [...], \"attached\": [...]} instead of tables\n");
}

static void usb_ids(char *text, size_t capacity, uint16_t vendor, uint16_t product)
{
	if (vendor)
		snprintf(text, capacity, "%04x:%04x", vendor, product);
	else
		snprintf(text, capacity, "-");
}

static void print_tables(const struct meter_found *found, size_t count)
{
	const char *const *names = meter_names();

	printf("%-8s %-10s %-10s %s\n", "driver", "usb", "shared usb", "instrument");
	for (size_t i = 0; names[i]; i++) {
		const struct meter_driver *driver = meter_find(names[i]);
		char own[16], shared[16];

		usb_ids(own, sizeof own, driver->usb_vendor, driver->usb_product);
		usb_ids(shared, sizeof shared, driver->shared_usb_vendor,
			driver->shared_usb_product);
		printf("%-8s %-10s %-10s %s\n", driver->name, own, shared, driver->description);
	}
	printf("\n");
	if (count == 0) {
		printf("no meter attached (no serial port with a meter's USB ids)\n");
		return;
	}
	printf("%-20s %-8s %-9s %-6s %s\n", "port", "driver", "usb", "match", "serial");
	for (size_t i = 0; i < count; i++) {
		char ids[16];

		usb_ids(ids, sizeof ids, found[i].port->usb_vendor, found[i].port->usb_product);
		printf("%-20s %-8s %-9s %-6s %s\n", found[i].port->path, found[i].driver->name, ids,
		       found[i].shared ? "maybe" : "yes",
		       found[i].port->usb_serial[0] ? found[i].port->usb_serial : "-");
	}
	if (count > MAX_FOUND)
		printf("(%zu more not shown)\n", count - MAX_FOUND);
}

static cJSON *usb_json(uint16_t vendor, uint16_t product)
{
	char ids[16];

	if (!vendor)
		return cJSON_CreateNull();
	usb_ids(ids, sizeof ids, vendor, product);
	return cJSON_CreateString(ids);
}

static int print_json(const struct meter_found *found, size_t count)
{
	const char *const *names = meter_names();
	cJSON *root = cJSON_CreateObject();
	cJSON *drivers = cJSON_AddArrayToObject(root, "drivers");
	cJSON *attached = cJSON_AddArrayToObject(root, "attached");
	char *text;

	for (size_t i = 0; names[i]; i++) {
		const struct meter_driver *driver = meter_find(names[i]);
		cJSON *item = cJSON_CreateObject();

		cJSON_AddStringToObject(item, "name", driver->name);
		cJSON_AddStringToObject(item, "description", driver->description);
		cJSON_AddItemToObject(item, "usb",
				      usb_json(driver->usb_vendor, driver->usb_product));
		cJSON_AddItemToObject(
		    item, "shared_usb",
		    usb_json(driver->shared_usb_vendor, driver->shared_usb_product));
		cJSON_AddItemToArray(drivers, item);
	}
	for (size_t i = 0; i < count && i < MAX_FOUND; i++) {
		cJSON *item = cJSON_CreateObject();

		cJSON_AddStringToObject(item, "port", found[i].port->path);
		cJSON_AddStringToObject(item, "driver", found[i].driver->name);
		cJSON_AddItemToObject(
		    item, "usb", usb_json(found[i].port->usb_vendor, found[i].port->usb_product));
		cJSON_AddStringToObject(item, "match", found[i].shared ? "maybe" : "yes");
		if (found[i].port->usb_serial[0])
			cJSON_AddStringToObject(item, "serial", found[i].port->usb_serial);
		else
			cJSON_AddNullToObject(item, "serial");
		cJSON_AddItemToArray(attached, item);
	}
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory printing the meters");
	printf("%s\n", text);
	free(text);
	return HB_OK;
}

int cmd_meters(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct serial_port_info *ports = NULL;
	struct meter_found found[MAX_FOUND];
	size_t port_count = 0, count;
	int option, json = 0, status;

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'j': json = 1; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("meters", option, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hb_error(HB_ERR_USAGE, "meters: unexpected argument '%s' (see --help)",
				argv[optind]);
	status = serial_ports_list(&ports, &port_count);
	if (status != HB_OK)
		return status;
	count = meter_detect(ports, port_count, found, MAX_FOUND);
	status = json ? print_json(found, count) : (print_tables(found, count), HB_OK);
	free(ports);
	return status;
}
