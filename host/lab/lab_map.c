/*
 * The lab map, validated field by field. Every problem is reported (one
 * message each, naming the file and the field) so a user fixes the map in
 * one pass; the rules between an instance and its profile run only when
 * the profile is known.
 */
#include "lab/lab_map.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash/flasher.h"
#include "lab/lab_probe.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json_read.h"

#define LAB_MAP_MAX_BYTES  (1024 * 1024)
#define LAB_MAP_MAX_BOARDS 256
/* What `hilbench lab init` writes where it cannot know the answer. */
#define PLACEHOLDER "TODO"

static const char *const root_fields[] = {"schema", "boards", NULL};
static const char *const board_fields[] = {"id",      "profile",     "probe",
					   "console", "power_cycle", NULL};
static const char *const probe_fields[] = {"kind", "serial", NULL};

static bool is_placeholder(const cJSON *item)
{
	return cJSON_IsString(item) &&
	       strncmp(item->valuestring, PLACEHOLDER, strlen(PLACEHOLDER)) == 0;
}

/* A string member, with lab init's placeholders named as such. */
static bool read_value(struct json_reader *reader, const cJSON *object, const char *parent,
		       const char *key, const char *expected, enum json_string_kind kind, char *out,
		       size_t capacity)
{
	const cJSON *item = json_member(reader, object, parent, key, expected);
	char path[160], shown[96];

	if (!item)
		return false;
	json_field_path(path, sizeof path, parent, key);
	if (is_placeholder(item)) {
		json_printable(item->valuestring, shown, sizeof shown);
		json_fail(reader,
			  "field '%s': \"%s\" is a placeholder left by 'hilbench lab init': "
			  "expected %s",
			  path, shown, expected);
		return false;
	}
	if (!cJSON_IsString(item) || !json_string_is_kind(item->valuestring, kind) ||
	    strlen(item->valuestring) >= capacity) {
		json_fail_expected(reader, parent, key, expected, item);
		return false;
	}
	memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
	return true;
}

/* Probe serial numbers go to OpenOCD's `adapter serial`: plain characters
 * only (an ST-LINK/V2's binary serial is written in hex). */
static bool serial_is_plain(const char *text)
{
	return text[0] && strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789._:-") == strlen(text);
}

static const struct board_profile *find_profile(const struct board_profile *profiles, size_t count,
						const char *id)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(profiles[i].id, id) == 0)
			return &profiles[i];
	return NULL;
}

static void fail_unknown_profile(struct json_reader *reader, const char *path, const char *id,
				 const struct board_profile *profiles, size_t count)
{
	const char *names[LAB_MAP_MAX_BOARDS + 1];
	char available[512];
	const char *suggestion;
	size_t used = 0;

	for (size_t i = 0; i < count && used < LAB_MAP_MAX_BOARDS; i++)
		names[used++] = profiles[i].id;
	names[used] = NULL;
	json_list_names(names, available, sizeof available);
	suggestion = json_closest_name(id, names);
	if (suggestion)
		json_fail(reader,
			  "field '%s.profile': unknown board profile \"%s\" (did you mean "
			  "\"%s\"? profiles: %s)",
			  path, id, suggestion, available);
	else
		json_fail(reader, "field '%s.profile': unknown board profile \"%s\" (profiles: %s)",
			  path, id, count ? available : "none");
}

static void read_probe(struct json_reader *reader, const cJSON *probe, const char *path,
		       struct lab_instance *out)
{
	char probe_path[96], serial_expected[160];
	int kind;

	snprintf(probe_path, sizeof probe_path, "%s.probe", path);
	json_check_members(reader, probe, probe_path, probe_fields);
	kind = json_read_choice(reader, probe, probe_path, "kind", lab_probe_kind_names());
	if (kind >= 0)
		snprintf(out->probe_kind, sizeof out->probe_kind, "%s",
			 lab_probe_kind_names()[kind]);
	snprintf(serial_expected, sizeof serial_expected,
		 "the probe's USB serial number (letters, digits, '.', '_', ':', '-'; at most "
		 "%zu characters; 'hilbench boards --detect' shows it)",
		 sizeof out->probe_serial - 1);
	if (read_value(reader, probe, probe_path, "serial", serial_expected, JSON_STRING_TOKEN,
		       out->probe_serial, sizeof out->probe_serial) &&
	    !serial_is_plain(out->probe_serial)) {
		json_fail_expected(reader, probe_path, "serial", serial_expected,
				   cJSON_GetObjectItemCaseSensitive(probe, "serial"));
		out->probe_serial[0] = '\0';
	}
	out->has_probe = true;
}

#define POWER_CYCLE_EXAMPLE "[\"uhubctl\", \"-a\", \"cycle\", \"-l\", \"1-1\", \"-p\", \"2\"]"

/* "power_cycle": a program and its arguments, each a string of its own,
 * because it is run without a shell (a shell string would need quoting
 * rules and could run anything its text says). */
static void read_power_cycle(struct json_reader *reader, const cJSON *command, const char *path,
			     struct profile_power_cycle *out)
{
	char field[64], item_path[80];
	const cJSON *item;
	int count;

	snprintf(field, sizeof field, "%s.power_cycle", path);
	if (!cJSON_IsArray(command)) {
		json_fail_expected(reader, path, "power_cycle",
				   "an argv array: the program and its arguments, each a string, "
				   "run without a shell (e.g. " POWER_CYCLE_EXAMPLE ")",
				   command);
		return;
	}
	count = cJSON_GetArraySize(command);
	if (count == 0) {
		json_fail(reader,
			  "field '%s': expected the program and its arguments (e.g. "
			  "%s), got an empty array",
			  field, POWER_CYCLE_EXAMPLE);
		return;
	}
	if (count > PROFILE_POWER_CYCLE_MAX_ARGS) {
		json_fail(reader,
			  "field '%s': expected at most %d items (the program and its "
			  "arguments), got %d",
			  field, PROFILE_POWER_CYCLE_MAX_ARGS, count);
		return;
	}
	out->count = 0;
	cJSON_ArrayForEach(item, command)
	{
		snprintf(item_path, sizeof item_path, "%s[%u]", field, out->count);
		if (!json_copy_string(reader, item, item_path, JSON_STRING_TEXT,
				      out->args[out->count], sizeof out->args[out->count])) {
			out->count = 0;
			return;
		}
		out->count++;
	}
}

/* What the instance must hold given its profile: a real board's probe and
 * console, nothing for a board an emulator makes. */
static void check_against_profile(struct json_reader *reader, const cJSON *board, const char *path,
				  const struct board_profile *profile, struct lab_instance *out)
{
	const struct flasher_driver *flasher = flasher_find(profile->flasher.driver);
	const cJSON *probe = cJSON_GetObjectItemCaseSensitive(board, "probe");
	const cJSON *console = cJSON_GetObjectItemCaseSensitive(board, "console");
	char kinds[128];

	if (flasher && flasher->emulator) {
		if (probe)
			json_fail(reader,
				  "field '%s.probe': not used with profile \"%s\" (an emulated "
				  "board: flasher \"%s\" needs no probe)",
				  path, profile->id, flasher->name);
		if (console)
			json_fail(reader,
				  "field '%s.console': not used with profile \"%s\" (an "
				  "emulated board: flasher \"%s\" makes the console)",
				  path, profile->id, flasher->name);
		if (cJSON_GetObjectItemCaseSensitive(board, "power_cycle"))
			json_fail(reader,
				  "field '%s.power_cycle': not used with profile \"%s\" (an "
				  "emulated board: flasher \"%s\" restarts the emulator)",
				  path, profile->id, flasher->name);
		return;
	}
	lab_probe_kinds_for(profile, kinds, sizeof kinds);
	if (!probe)
		json_fail(reader,
			  "missing field '%s.probe' (expected {\"kind\": one of %s, \"serial\": "
			  "...} for profile \"%s\")",
			  path, kinds, profile->id);
	else if (out->probe_kind[0] &&
		 !lab_probe_drives(lab_probe_kind_find(out->probe_kind), profile))
		json_fail(reader,
			  "field '%s.probe.kind': expected a probe that profile \"%s\"'s flasher "
			  "interface '%s' drives (%s), got \"%s\"",
			  path, profile->id, profile->flasher.interface_cfg, kinds,
			  out->probe_kind);
	if (!console)
		json_fail(reader,
			  "missing field '%s.console' (expected the board's %s for profile "
			  "\"%s\", e.g. \"%s\")",
			  path,
			  strcmp(profile->console.transport, "tcp") == 0 ? "serial server"
									 : "serial port",
			  profile->id,
			  strcmp(profile->console.transport, "tcp") == 0
			      ? "lab-host:4001"
			      : "/dev/serial/by-id/usb-STMicroelectronics_STLINK-V3_...-if02");
}

static void read_board(struct json_reader *reader, const cJSON *board, const char *path,
		       const struct board_profile *profiles, size_t profile_count,
		       struct lab_instance *out)
{
	const struct board_profile *profile = NULL;
	const cJSON *probe, *power;
	char expected[160];

	json_check_members(reader, board, path, board_fields);
	snprintf(expected, sizeof expected,
		 "an instance id (letters, digits, '-', '_'; at most %zu characters)",
		 sizeof out->id - 1);
	read_value(reader, board, path, "id", expected, JSON_STRING_IDENTIFIER, out->id,
		   sizeof out->id);
	if (read_value(reader, board, path, "profile",
		       "a board profile id ('hilbench boards' lists them)", JSON_STRING_IDENTIFIER,
		       out->profile, sizeof out->profile)) {
		profile = find_profile(profiles, profile_count, out->profile);
		if (!profile)
			fail_unknown_profile(reader, path, out->profile, profiles, profile_count);
	}
	probe = json_member(reader, board, path, "probe", NULL);
	if (probe && !cJSON_IsObject(probe))
		json_fail_expected(reader, path, "probe", "an object {\"kind\", \"serial\"}",
				   probe);
	else if (probe)
		read_probe(reader, probe, path, out);
	if (json_member(reader, board, path, "console", NULL))
		read_value(reader, board, path, "console",
			   "a serial port such as \"/dev/serial/by-id/...\" or a serial "
			   "server's host:port",
			   JSON_STRING_TOKEN, out->console, sizeof out->console);
	power = cJSON_GetObjectItemCaseSensitive(board, "power_cycle");
	if (power)
		read_power_cycle(reader, power, path, &out->power_cycle);
	if (profile)
		check_against_profile(reader, board, path, profile, out);
}

/* Two instances cannot be one board: the same id, console or probe. */
static void check_repeats(struct json_reader *reader, const struct lab_map *map)
{
	for (size_t i = 0; i < map->count; i++) {
		const struct lab_instance *board = &map->boards[i];

		for (size_t j = 0; j < i; j++) {
			const struct lab_instance *earlier = &map->boards[j];

			if (board->id[0] && strcmp(board->id, earlier->id) == 0)
				json_fail(reader,
					  "field 'boards[%zu].id': \"%s\" is already the id of "
					  "boards[%zu]",
					  i, board->id, j);
			if (board->console[0] && strcmp(board->console, earlier->console) == 0)
				json_fail(reader,
					  "field 'boards[%zu].console': '%s' is already the "
					  "console of boards[%zu]",
					  i, board->console, j);
			if (board->probe_serial[0] &&
			    strcmp(board->probe_kind, earlier->probe_kind) == 0 &&
			    strcmp(board->probe_serial, earlier->probe_serial) == 0)
				json_fail(reader,
					  "field 'boards[%zu].probe.serial': %s \"%s\" is already "
					  "the probe of boards[%zu]",
					  i, board->probe_kind, board->probe_serial, j);
		}
	}
}

static void read_boards(struct json_reader *reader, const cJSON *root,
			const struct board_profile *profiles, size_t profile_count,
			struct lab_map *out)
{
	const cJSON *boards =
	    json_member(reader, root, "", "boards", "an array of board instances (may be empty)");
	const cJSON *board;
	size_t count;

	if (!boards)
		return;
	if (!cJSON_IsArray(boards) || cJSON_GetArraySize(boards) > LAB_MAP_MAX_BOARDS) {
		json_fail_expected(reader, "", "boards", "an array of at most 256 board instances",
				   boards);
		return;
	}
	count = (size_t)cJSON_GetArraySize(boards);
	out->boards = count ? calloc(count, sizeof *out->boards) : NULL;
	if (count && !out->boards) {
		json_fail(reader, "out of memory");
		return;
	}
	cJSON_ArrayForEach(board, boards)
	{
		char path[32];

		snprintf(path, sizeof path, "boards[%zu]", out->count);
		if (!cJSON_IsObject(board))
			json_fail_expected(
			    reader, "", path,
			    "an object {\"id\", \"profile\", \"probe\", \"console\"}", board);
		else
			read_board(reader, board, path, profiles, profile_count,
				   &out->boards[out->count]);
		out->count++;
	}
	check_repeats(reader, out);
}

int lab_map_parse(const char *text, size_t length, const char *path,
		  const struct board_profile *profiles, size_t profile_count, struct lab_map *out)
{
	struct json_reader reader = {path ? path : "<lab map>", 0};
	cJSON *root;
	int status;

	memset(out, 0, sizeof *out);
	if (path && strlen(path) >= sizeof out->path)
		return hb_error(HB_ERR_INPUT, "'%.60s...': path longer than %zu characters", path,
				sizeof out->path - 1);
	status = json_parse_object(&reader, text, length, &root);
	if (status != HB_OK)
		return status;
	json_check_schema(&reader, root, LAB_MAP_SCHEMA);
	if (!reader.errors) {
		json_check_members(&reader, root, "", root_fields);
		read_boards(&reader, root, profiles, profile_count, out);
	}
	cJSON_Delete(root);
	if (reader.errors) {
		lab_map_release(out);
		return HB_ERR_INPUT;
	}
	if (path)
		memcpy(out->path, path, strlen(path) + 1);
	return HB_OK;
}

static int load_with(const char *path, const struct board_profile *profiles, size_t profile_count,
		     struct lab_map *out)
{
	uint8_t *text = NULL;
	size_t length = 0;
	int status = file_read_all(path, LAB_MAP_MAX_BYTES, "a lab map", &text, &length);

	memset(out, 0, sizeof *out);
	if (status != HB_OK)
		return status;
	status = lab_map_parse((const char *)text, length, path, profiles, profile_count, out);
	free(text);
	return status;
}

int lab_map_load(const char *path, const char *boards_dir, struct lab_map *out)
{
	struct board_profile *profiles;
	size_t count, invalid;
	int status = profile_list(boards_dir, &profiles, &count, &invalid);

	memset(out, 0, sizeof *out);
	if (status != HB_OK)
		return status;
	status = load_with(path, profiles, count, out);
	free(profiles);
	return status;
}

void lab_map_release(struct lab_map *map)
{
	free(map->boards);
	memset(map, 0, sizeof *map);
}

const struct lab_instance *lab_map_find(const struct lab_map *map, const char *id)
{
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->boards[i].id, id) == 0)
			return &map->boards[i];
	return NULL;
}

static int not_in_map(const struct lab_map *map, const char *id)
{
	const char *names[LAB_MAP_MAX_BOARDS + 1];
	const char *suggestion;
	char ids[512];

	for (size_t i = 0; i < map->count; i++)
		names[i] = map->boards[i].id;
	names[map->count] = NULL;
	json_list_names(names, ids, sizeof ids);
	suggestion = json_closest_name(id, names);
	if (suggestion)
		return hb_error(HB_ERR_NOT_FOUND,
				"board '%s' is not in lab map '%s' (did you mean '%s'? its "
				"boards: %s)",
				id, map->path, suggestion, ids);
	return hb_error(HB_ERR_NOT_FOUND, "board '%s' is not in lab map '%s' (its boards: %s)", id,
			map->path, map->count ? ids : "none");
}

static void apply_instance(const struct lab_instance *instance, struct board_profile *board)
{
	snprintf(board->instance.id, sizeof board->instance.id, "%s", instance->id);
	if (instance->has_probe) {
		snprintf(board->instance.probe_kind, sizeof board->instance.probe_kind, "%s",
			 instance->probe_kind);
		snprintf(board->instance.probe_serial, sizeof board->instance.probe_serial, "%s",
			 instance->probe_serial);
	}
	if (instance->console[0])
		snprintf(board->console.device, sizeof board->console.device, "%s",
			 instance->console);
	board->instance.power_cycle = instance->power_cycle;
}

int lab_board_resolve(const char *lab_path, const char *boards_dir, const char *id,
		      struct board_profile *out)
{
	struct board_profile *profiles = NULL;
	const struct board_profile *profile;
	const struct lab_instance *instance;
	const struct flasher_driver *flasher;
	struct lab_map map;
	size_t count, invalid;
	int status;

	if (!lab_path)
		return profile_find(boards_dir, id, out);
	memset(out, 0, sizeof *out);
	status = profile_list(boards_dir, &profiles, &count, &invalid);
	if (status == HB_OK)
		status = load_with(lab_path, profiles, count, &map);
	if (status != HB_OK) {
		free(profiles);
		return status;
	}
	instance = lab_map_find(&map, id);
	profile = find_profile(profiles, count, instance ? instance->profile : id);
	flasher = profile ? flasher_find(profile->flasher.driver) : NULL;
	if (instance) {
		*out = *profile; /* validated: the profile exists */
		apply_instance(instance, out);
	} else if (profile && flasher && flasher->emulator) {
		*out = *profile;
	} else {
		status = not_in_map(&map, id);
	}
	lab_map_release(&map);
	free(profiles);
	return status;
}
