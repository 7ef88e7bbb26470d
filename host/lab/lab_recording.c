/*
 * A recorded enumeration: a JSON file holding what the real source would
 * list (docs/boards.md#detection), read with the same strictness as any
 * file a user writes: unknown members, wrong types and bad ids are errors
 * naming the file and the field ("usb[1].pid").
 */
#include "lab/lab_enum.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fileio.h"
#include "util/json_read.h"

#define RECORDING_SCHEMA      1
#define RECORDING_MAX_BYTES   (4 * 1024 * 1024)
#define RECORDING_MAX_ENTRIES 1024

/* "note": where the recording came from (a real host, or written by hand). */
static const char *const root_fields[] = {"schema", "note", "usb", "serial", NULL};
static const char *const usb_fields[] = {
    "vid",    "pid",	      "bus",	 "address",    "ports",
    "serial", "manufacturer", "product", "interfaces", NULL,
};
static const char *const serial_fields[] = {
    "port", "by_id", "description", "vid", "pid", "serial", "product", "bus", "address", NULL,
};

static bool read_id(struct json_reader *reader, const cJSON *object, const char *parent,
		    const char *key, bool required, uint16_t *out)
{
	static const char expected[] = "a USB id as 4 hex digits, e.g. \"0483\"";
	const cJSON *item = json_member(reader, object, parent, key, required ? expected : NULL);
	unsigned value = 0;

	if (!item)
		return false;
	if (!cJSON_IsString(item) || strlen(item->valuestring) != 4 ||
	    strspn(item->valuestring, "0123456789abcdefABCDEF") != 4) {
		json_fail_expected(reader, parent, key, expected, item);
		return false;
	}
	sscanf(item->valuestring, "%4x", &value);
	*out = (uint16_t)value;
	return true;
}

static bool read_byte(struct json_reader *reader, const cJSON *object, const char *parent,
		      const char *key, bool required, uint32_t minimum, uint8_t *out)
{
	uint32_t value;
	char expected[64];
	const cJSON *item;

	snprintf(expected, sizeof expected, "an integer from %u to 255", minimum);
	item = json_member(reader, object, parent, key, required ? expected : NULL);
	if (!item)
		return false;
	if (!json_number_to_u32(item, minimum, 255, &value)) {
		json_fail_expected(reader, parent, key, expected, item);
		return false;
	}
	*out = (uint8_t)value;
	return true;
}

static void read_text(struct json_reader *reader, const cJSON *object, const char *parent,
		      const char *key, enum json_string_kind kind, char *out, size_t capacity)
{
	json_read_string(reader, object, parent, key, false, kind, out, capacity);
}

/* An optional array of at most `capacity` items; NULL when absent or wrong. */
static const cJSON *read_array(struct json_reader *reader, const cJSON *object, const char *parent,
			       const char *key, size_t capacity, const char *expected)
{
	const cJSON *item = json_member(reader, object, parent, key, NULL);

	if (!item)
		return NULL;
	if (!cJSON_IsArray(item) || (size_t)cJSON_GetArraySize(item) > capacity) {
		json_fail_expected(reader, parent, key, expected, item);
		return NULL;
	}
	return item;
}

static void read_device(struct json_reader *reader, const cJSON *entry, const char *path,
			struct lab_usb_device *device)
{
	const cJSON *list, *item;
	char field[96];

	json_check_members(reader, entry, path, usb_fields);
	read_id(reader, entry, path, "vid", true, &device->vendor);
	read_id(reader, entry, path, "pid", true, &device->product);
	read_byte(reader, entry, path, "bus", true, 1, &device->bus);
	read_byte(reader, entry, path, "address", false, 1, &device->address);
	read_text(reader, entry, path, "serial", JSON_STRING_TEXT, device->serial,
		  sizeof device->serial);
	read_text(reader, entry, path, "manufacturer", JSON_STRING_TEXT, device->manufacturer,
		  sizeof device->manufacturer);
	read_text(reader, entry, path, "product", JSON_STRING_TEXT, device->product_name,
		  sizeof device->product_name);
	list = read_array(reader, entry, path, "ports", LAB_USB_MAX_PORTS,
			  "an array of at most 7 hub port numbers (1 to 255)");
	cJSON_ArrayForEach(item, list)
	{
		uint32_t port = 0;

		snprintf(field, sizeof field, "%s.ports[%u]", path, device->port_count);
		if (!json_number_to_u32(item, 1, 255, &port))
			json_fail_expected(reader, "", field, "a hub port number from 1 to 255",
					   item);
		device->ports[device->port_count++] = (uint8_t)port;
	}
	list = read_array(reader, entry, path, "interfaces", LAB_USB_MAX_INTERFACES,
			  "an array of at most 16 interface strings");
	cJSON_ArrayForEach(item, list)
	{
		char *out = device->interfaces[device->interface_count];

		snprintf(field, sizeof field, "%s.interfaces[%u]", path, device->interface_count);
		device->interface_count++;
		/* "" stands for an interface without a string. */
		if (cJSON_IsString(item) && !item->valuestring[0])
			continue;
		json_copy_string(reader, item, field, JSON_STRING_TEXT, out,
				 sizeof device->interfaces[0]);
	}
}

static void read_port(struct json_reader *reader, const cJSON *entry, const char *path,
		      struct lab_serial_port *port)
{
	struct serial_port_info *info = &port->info;
	bool vid, pid;

	json_check_members(reader, entry, path, serial_fields);
	json_read_string(reader, entry, path, "port", true, JSON_STRING_TOKEN, info->path,
			 sizeof info->path);
	read_text(reader, entry, path, "by_id", JSON_STRING_TOKEN, port->by_id, sizeof port->by_id);
	read_text(reader, entry, path, "description", JSON_STRING_TEXT, info->description,
		  sizeof info->description);
	vid = read_id(reader, entry, path, "vid", false, &info->usb_vendor);
	pid = read_id(reader, entry, path, "pid", false, &info->usb_product);
	if (vid != pid && !json_member(reader, entry, path, vid ? "pid" : "vid", NULL))
		json_fail(reader, "field '%s': expected both vid and pid or neither", path);
	info->usb = vid && pid;
	read_text(reader, entry, path, "serial", JSON_STRING_TEXT, info->usb_serial,
		  sizeof info->usb_serial);
	read_text(reader, entry, path, "product", JSON_STRING_TEXT, info->usb_product_name,
		  sizeof info->usb_product_name);
	read_byte(reader, entry, path, "bus", false, 1, &info->usb_bus);
	read_byte(reader, entry, path, "address", false, 1, &info->usb_address);
}

/* Each entry of root[key] must be an object; read_one fills item i. */
static void read_entries(struct json_reader *reader, const cJSON *root, const char *key,
			 void *items, size_t item_size, size_t *count,
			 void (*read_one)(struct json_reader *, const cJSON *, const char *,
					  void *))
{
	const cJSON *list = read_array(reader, root, "", key, RECORDING_MAX_ENTRIES,
				       "an array of at most 1024 objects");
	const cJSON *entry;

	cJSON_ArrayForEach(entry, list)
	{
		char path[32];

		snprintf(path, sizeof path, "%s[%zu]", key, *count);
		if (!cJSON_IsObject(entry))
			json_fail_expected(reader, "", path, "an object", entry);
		else
			read_one(reader, entry, path, (char *)items + *count * item_size);
		++*count;
	}
}

static void read_device_entry(struct json_reader *reader, const cJSON *entry, const char *path,
			      void *item)
{
	read_device(reader, entry, path, item);
}

static void read_port_entry(struct json_reader *reader, const cJSON *entry, const char *path,
			    void *item)
{
	read_port(reader, entry, path, item);
}

static size_t array_size(const cJSON *root, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
	int size = cJSON_IsArray(item) ? cJSON_GetArraySize(item) : 0;

	return size > 0 && size <= RECORDING_MAX_ENTRIES ? (size_t)size : 0;
}

int lab_recording_parse(const char *text, size_t length, const char *path,
			struct lab_enumeration *out)
{
	struct json_reader reader = {path ? path : "<recording>", 0};
	size_t devices, ports;
	char note[1024];
	cJSON *root;
	int status;

	memset(out, 0, sizeof *out);
	status = json_parse_object(&reader, text, length, &root);
	if (status != HB_OK)
		return status;
	json_check_schema(&reader, root, RECORDING_SCHEMA);
	json_check_members(&reader, root, "", root_fields);
	json_read_string(&reader, root, "", "note", false, JSON_STRING_TEXT, note, sizeof note);
	devices = array_size(root, "usb");
	ports = array_size(root, "serial");
	out->devices = devices ? calloc(devices, sizeof *out->devices) : NULL;
	out->ports = ports ? calloc(ports, sizeof *out->ports) : NULL;
	if ((devices && !out->devices) || (ports && !out->ports)) {
		cJSON_Delete(root);
		lab_enumeration_release(out);
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", reader.file);
	}
	if (!reader.errors) {
		read_entries(&reader, root, "usb", out->devices, sizeof *out->devices,
			     &out->device_count, read_device_entry);
		read_entries(&reader, root, "serial", out->ports, sizeof *out->ports,
			     &out->port_count, read_port_entry);
	}
	cJSON_Delete(root);
	if (reader.errors) {
		lab_enumeration_release(out);
		return HB_ERR_INPUT;
	}
	return HB_OK;
}

static int recording_enumerate(const char *path, struct lab_enumeration *out)
{
	uint8_t *text = NULL;
	size_t length = 0;
	int status = file_read_all(path, RECORDING_MAX_BYTES, "a USB recording", &text, &length);

	if (status != HB_OK)
		return status;
	status = lab_recording_parse((const char *)text, length, path, out);
	free(text);
	return status;
}

const struct lab_source lab_source_recording = {
    .name = "recording",
    .enumerate = recording_enumerate,
};

static void add_hex(cJSON *object, const char *key, uint16_t id)
{
	char text[8];

	snprintf(text, sizeof text, "%04x", id);
	cJSON_AddStringToObject(object, key, text);
}

/* Recordings omit what a device did not give, as the reader expects. */
static void add_text(cJSON *object, const char *key, const char *text)
{
	if (text[0])
		cJSON_AddStringToObject(object, key, text);
}

static cJSON *device_json(const struct lab_usb_device *device)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *list;

	add_hex(object, "vid", device->vendor);
	add_hex(object, "pid", device->product);
	cJSON_AddNumberToObject(object, "bus", device->bus);
	if (device->address)
		cJSON_AddNumberToObject(object, "address", device->address);
	list = cJSON_AddArrayToObject(object, "ports");
	for (uint8_t i = 0; i < device->port_count; i++)
		cJSON_AddItemToArray(list, cJSON_CreateNumber(device->ports[i]));
	add_text(object, "serial", device->serial);
	add_text(object, "manufacturer", device->manufacturer);
	add_text(object, "product", device->product_name);
	list = cJSON_AddArrayToObject(object, "interfaces");
	for (uint8_t i = 0; i < device->interface_count; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(device->interfaces[i]));
	return object;
}

static cJSON *port_json(const struct lab_serial_port *port)
{
	const struct serial_port_info *info = &port->info;
	cJSON *object = cJSON_CreateObject();

	cJSON_AddStringToObject(object, "port", info->path);
	add_text(object, "by_id", port->by_id);
	add_text(object, "description", info->description);
	if (info->usb) {
		add_hex(object, "vid", info->usb_vendor);
		add_hex(object, "pid", info->usb_product);
		add_text(object, "serial", info->usb_serial);
		add_text(object, "product", info->usb_product_name);
		if (info->usb_bus && info->usb_address) {
			cJSON_AddNumberToObject(object, "bus", info->usb_bus);
			cJSON_AddNumberToObject(object, "address", info->usb_address);
		}
	}
	return object;
}

char *lab_recording_text(const struct lab_enumeration *enumeration, const char *note)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *devices, *ports;
	char *text;

	cJSON_AddNumberToObject(root, "schema", RECORDING_SCHEMA);
	cJSON_AddStringToObject(root, "note", note);
	devices = cJSON_AddArrayToObject(root, "usb");
	for (size_t i = 0; i < enumeration->device_count; i++)
		cJSON_AddItemToArray(devices, device_json(&enumeration->devices[i]));
	ports = cJSON_AddArrayToObject(root, "serial");
	for (size_t i = 0; i < enumeration->port_count; i++)
		cJSON_AddItemToArray(ports, port_json(&enumeration->ports[i]));
	text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	return text;
}
