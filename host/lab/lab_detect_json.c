/* A detection as JSON, for `hilbench boards --detect --json`. */
#include "lab/lab_detect.h"

#include <cJSON.h>
#include <stdio.h>

static void add_id(cJSON *object, const char *key, uint16_t id)
{
	char text[8];

	snprintf(text, sizeof text, "%04x", id);
	cJSON_AddStringToObject(object, key, text);
}

/* Strings a device did not give are null, never "". */
static void add_text(cJSON *object, const char *key, const char *text)
{
	if (text && text[0])
		cJSON_AddStringToObject(object, key, text);
	else
		cJSON_AddNullToObject(object, key);
}

static cJSON *port_json(const struct lab_serial_port *port)
{
	cJSON *object = cJSON_CreateObject();

	add_text(object, "port", port->info.path);
	add_text(object, "by_id", port->by_id);
	add_id(object, "vid", port->info.usb_vendor);
	add_id(object, "pid", port->info.usb_product);
	add_text(object, "serial", port->info.usb_serial);
	add_text(object, "product", port->info.usb_product_name);
	add_text(object, "description", port->info.description);
	return object;
}

static cJSON *probe_json(const struct lab_probe_found *probe, const struct board_profile *profiles)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *list = cJSON_CreateArray();
	char where[48];

	lab_usb_path(probe->device, where, sizeof where);
	cJSON_AddStringToObject(object, "kind", probe->kind->name);
	cJSON_AddStringToObject(object, "model", probe->model);
	add_id(object, "vid", probe->device->vendor);
	add_id(object, "pid", probe->device->product);
	add_text(object, "serial", probe->device->serial);
	add_text(object, "product", probe->device->product_name);
	cJSON_AddStringToObject(object, "usb_path", where);
	cJSON_AddBoolToObject(object, "strings_read", !probe->device->strings_unread);
	if (probe->port)
		cJSON_AddItemToObject(object, "console", port_json(probe->port));
	else
		cJSON_AddNullToObject(object, "console");
	for (size_t i = 0; i < probe->profile_count; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(profiles[probe->profiles[i]].id));
	cJSON_AddItemToObject(object, "profiles", list);
	return object;
}

cJSON *lab_detection_to_json(const struct lab_detection *detection,
			     const struct board_profile *profiles)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *probes = cJSON_AddArrayToObject(root, "probes");
	cJSON *bridges = cJSON_AddArrayToObject(root, "bridges");

	for (size_t i = 0; i < detection->probe_count; i++)
		cJSON_AddItemToArray(probes, probe_json(&detection->probes[i], profiles));
	for (size_t i = 0; i < detection->bridge_count; i++)
		cJSON_AddItemToArray(bridges, port_json(detection->bridges[i]));
	return root;
}
