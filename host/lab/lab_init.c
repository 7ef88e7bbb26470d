/* Drafting a lab map from what was detected. */
#include "lab/lab_init.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "lab/lab_map.h"

/* "nucleo-f446re-1", "nucleo-f446re-2", "stlink-v3-1": the first free
 * number after the base, so re-running on the same probes gives the same ids. */
static void instance_id(const cJSON *boards, const char *base, char *out, size_t capacity)
{
	for (unsigned n = 1;; n++) {
		const cJSON *board;
		bool taken = false;

		snprintf(out, capacity, "%.*s-%u", (int)(capacity - 12), base, n);
		cJSON_ArrayForEach(board, boards)
		{
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(board, "id");
			if (cJSON_IsString(id) && strcmp(id->valuestring, out) == 0)
				taken = true;
		}
		if (!taken)
			return;
	}
}

static void profile_choice(const struct lab_probe_found *probe,
			   const struct board_profile *profiles, char *out, size_t capacity)
{
	size_t used;

	if (probe->profile_count == 1) {
		snprintf(out, capacity, "%s", profiles[probe->profiles[0]].id);
		return;
	}
	if (probe->profile_count == 0) {
		snprintf(out, capacity,
			 "TODO: no shipped profile flashes with a %s probe; add one "
			 "(docs/boards.md) and name it here",
			 probe->kind->name);
		return;
	}
	used = (size_t)snprintf(out, capacity, "TODO: the board's profile, one of");
	for (size_t i = 0; i < probe->profile_count && used < capacity; i++)
		used += (size_t)snprintf(out + used, capacity - used, "%s %s", i ? "," : "",
					 profiles[probe->profiles[i]].id);
}

static void console_choice(const struct lab_probe_found *probe,
			   const struct lab_detection *detection, char *out, size_t capacity)
{
	size_t used;

	if (probe->port) {
		const struct serial_port_info *info = &probe->port->info;

		/* Without a by-id link (no udev), the serial transport's
		 * usb:VID:PID:SERIAL also survives a renumbered ttyACM. */
		if (!probe->port->by_id[0] && info->usb_serial[0] &&
		    strspn(info->usb_serial,
			   "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
			strlen(info->usb_serial))
			snprintf(out, capacity, "usb:%04x:%04x:%s", info->usb_vendor,
				 info->usb_product, info->usb_serial);
		else
			snprintf(out, capacity, "%s", lab_port_stable_path(probe->port));
		return;
	}
	used = (size_t)snprintf(out, capacity,
				"TODO: the board's serial port (this probe has none of its own");
	for (size_t i = 0; i < detection->bridge_count && used < capacity; i++)
		used += (size_t)snprintf(
		    out + used, capacity - used, "%s %s",
		    i ? "," : "; bridges seen:", lab_port_stable_path(detection->bridges[i]));
	if (used < capacity)
		snprintf(out + used, capacity - used, ")");
}

static bool add_probe(cJSON *boards, const struct lab_probe_found *probe,
		      const struct lab_detection *detection, const struct board_profile *profiles,
		      size_t *placeholders)
{
	cJSON *board = cJSON_CreateObject();
	cJSON *probe_object = cJSON_CreateObject();
	char profile[512], console[1024], id[64];
	const char *serial = probe->device->serial[0]
				 ? probe->device->serial
				 : "TODO: the probe's serial number (it gave none: see 'hilbench "
				   "boards --detect' run with access to the device)";

	if (!board || !probe_object) {
		cJSON_Delete(board);
		cJSON_Delete(probe_object);
		return false;
	}
	profile_choice(probe, profiles, profile, sizeof profile);
	console_choice(probe, detection, console, sizeof console);
	instance_id(boards, probe->profile_count == 1 ? profile : probe->kind->name, id, sizeof id);
	*placeholders += (probe->profile_count != 1) + !probe->device->serial[0] + !probe->port;
	cJSON_AddStringToObject(probe_object, "kind", probe->kind->name);
	cJSON_AddStringToObject(probe_object, "serial", serial);
	cJSON_AddStringToObject(board, "id", id);
	cJSON_AddStringToObject(board, "profile", profile);
	cJSON_AddItemToObject(board, "probe", probe_object);
	cJSON_AddStringToObject(board, "console", console);
	cJSON_AddItemToArray(boards, board);
	return true;
}

char *lab_init_text(const struct lab_detection *detection, const struct board_profile *profiles,
		    size_t profile_count, size_t *placeholders)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *boards = cJSON_CreateArray();
	char *text = NULL;
	bool complete = root && boards;

	(void)profile_count; /* the detection's indices point into profiles */
	*placeholders = 0;
	if (complete) {
		cJSON_AddNumberToObject(root, "schema", LAB_MAP_SCHEMA);
		cJSON_AddItemToObject(root, "boards", boards);
		boards = NULL;
		for (size_t i = 0; i < detection->probe_count && complete; i++)
			complete =
			    add_probe(cJSON_GetObjectItemCaseSensitive(root, "boards"),
				      &detection->probes[i], detection, profiles, placeholders);
	}
	if (complete)
		text = cJSON_Print(root);
	cJSON_Delete(boards);
	cJSON_Delete(root);
	return text;
}
