/*
 * Board profiles: boards/<id>.json validated field by field into
 * struct board_profile. Every problem found is reported (one message each)
 * so a user fixes a profile in one pass; cross-field rules run only once
 * every field on its own is valid, to avoid follow-on noise.
 */
#include "config/profile.h"

#include "flash/flasher.h"
#include "link/transport.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json_read.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Profiles are a few hundred bytes; anything this big is not one. */
#define PROFILE_MAX_FILE_BYTES (1024 * 1024)

static const char *const root_fields[] = {
    "schema",	"id",	  "name",     "core",	 "fpu",	     "dsp",
    "clock_hz", "memory", "firmware", "flasher", "console",  "cycle_counter",
    "verified", "energy", "emulates", "notes",	 "deadline", NULL,
};
static const char *const deadline_fields[] = {"margin", "min_ms", "units_per_mac", NULL};
static const char *const energy_fields[] = {"model", "window_pin", NULL};
static const char *const energy_model_fields[] = {
    "chip", "supply_v", "run_current_ma", "at_clock_hz", "datasheet", NULL,
};
static const char *const memory_fields[] = {"flash", "ram", "model", NULL};
static const char *const region_fields[] = {"origin", "size", NULL};
static const char *const firmware_fields[] = {"port", NULL};
static const char *const flasher_fields[] = {"driver", "machine", "interface", "target", NULL};
static const char *const console_fields[] = {"transport", "device", "baud", NULL};

static const char *const core_names[] = {
    "cortex-m0", "cortex-m0plus", "cortex-m3",	"cortex-m4",
    "cortex-m7", "cortex-m33",	  "cortex-m55", NULL,
};
/* The -mfpu values that exist on M-profile cores. */
static const char *const fpu_names[] = {"none", "fpv4-sp-d16", "fpv5-sp-d16", "fpv5-d16", NULL};
/* Same order as enum profile_counter / enum profile_verified. */
static const char *const counter_names[] = {"dwt", "systick", "emulated-instructions", NULL};
static const char *const verified_names[] = {"emulated", "compile-only", "hardware", NULL};

/* Which FPUs and whether DSP instructions each core can have, so a profile
 * cannot ask the compiler for an impossible combination. */
struct core_facts {
	const char *core;
	const char *fpus; /* space separated, always includes none */
	bool dsp_possible;
	bool has_dwt;
};

static const struct core_facts core_table[] = {
    {"cortex-m0", "none", false, false},
    {"cortex-m0plus", "none", false, false},
    {"cortex-m3", "none", false, true},
    {"cortex-m4", "none fpv4-sp-d16", true, true},
    {"cortex-m7", "none fpv5-sp-d16 fpv5-d16", true, true},
    {"cortex-m33", "none fpv5-sp-d16", true, true},
    /* The M55's FPU has double precision; -mcpu=cortex-m55 brings MVE with it. */
    {"cortex-m55", "none fpv5-sp-d16 fpv5-d16", true, true},
};

/* "0x1f000", "512K", "4M" or "65536": the forms a datasheet memory map uses. */
static bool parse_size_text(const char *text, uint32_t *out)
{
	uint64_t value = 0;
	const char *c = text;

	if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
		c += 2;
		if (!*c)
			return false;
		for (; *c; c++) {
			unsigned digit;

			if (*c >= '0' && *c <= '9')
				digit = (unsigned)(*c - '0');
			else if (*c >= 'a' && *c <= 'f')
				digit = (unsigned)(*c - 'a' + 10);
			else if (*c >= 'A' && *c <= 'F')
				digit = (unsigned)(*c - 'A' + 10);
			else
				return false;
			value = value * 16 + digit;
			if (value > UINT32_MAX)
				return false;
		}
	} else {
		if (!(*c >= '0' && *c <= '9'))
			return false;
		for (; *c >= '0' && *c <= '9'; c++) {
			value = value * 10 + (uint64_t)(*c - '0');
			if (value > UINT32_MAX)
				return false;
		}
		if (*c == 'K')
			value *= 1024, c++;
		else if (*c == 'M')
			value *= 1024 * 1024, c++;
		if (*c || value > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)value;
	return true;
}

static bool read_address(struct json_reader *reader, const cJSON *object, const char *parent,
			 const char *key, uint32_t *out)
{
	static const char expected[] =
	    "an integer or a string such as \"0x08000000\", \"512K\" or \"4M\" below 4 GiB";
	const cJSON *item = json_member(reader, object, parent, key, expected);
	bool valid;

	if (!item)
		return false;
	if (cJSON_IsString(item))
		valid = parse_size_text(item->valuestring, out);
	else
		valid = json_number_to_u32(item, 0, UINT32_MAX, out);
	if (!valid)
		json_fail_expected(reader, parent, key, expected, item);
	return valid;
}

static bool read_region(struct json_reader *reader, const cJSON *memory, const char *key,
			struct profile_region *out)
{
	const cJSON *region = json_read_object(reader, memory, "memory", key, region_fields);
	char path[32];
	bool valid;

	if (!region)
		return false;
	snprintf(path, sizeof path, "memory.%s", key);
	valid = read_address(reader, region, path, "origin", &out->origin);
	valid = read_address(reader, region, path, "size", &out->size) && valid;
	if (!valid)
		return false;
	if (out->size == 0) {
		json_fail(reader, "field '%s.size': expected a region size above 0, got 0", path);
		return false;
	}
	if ((uint64_t)out->origin + out->size > (uint64_t)1 << 32) {
		json_fail(reader,
			  "field '%s': expected origin + size within the 32-bit address space, "
			  "got 0x%08x + 0x%x",
			  path, out->origin, out->size);
		return false;
	}
	return true;
}

static bool regions_overlap(const struct profile_region *a, const struct profile_region *b)
{
	uint64_t a_end = (uint64_t)a->origin + a->size;
	uint64_t b_end = (uint64_t)b->origin + b->size;

	return a->origin < b_end && b->origin < a_end;
}

static const struct core_facts *core_facts_of(const char *core)
{
	for (size_t i = 0; i < sizeof core_table / sizeof core_table[0]; i++)
		if (strcmp(core_table[i].core, core) == 0)
			return &core_table[i];
	return NULL;
}

static bool word_in_list(const char *word, const char *list)
{
	size_t length = strlen(word);

	for (const char *c = list; *c;) {
		size_t span = strcspn(c, " ");
		if (span == length && strncmp(c, word, length) == 0)
			return true;
		c += span;
		c += strspn(c, " ");
	}
	return false;
}

/* The file name without folders and without ".json". */
static void id_from_path(const char *path, char *out, size_t capacity)
{
	const char *base = strrchr(path, '/');
	size_t length;

	base = base ? base + 1 : path;
	length = strlen(base);
	if (length > 5 && strcmp(base + length - 5, ".json") == 0)
		length -= 5;
	if (length >= capacity)
		length = capacity - 1;
	memcpy(out, base, length);
	out[length] = '\0';
}

/* Members of `object` that the driver of this kind does not read are
 * reported; `known` is every member the object may have at all. */
static void check_unused(struct json_reader *reader, const cJSON *object, const char *object_name,
			 const char *const *known, const char *const *used_fields, const char *kind,
			 const char *driver_name)
{
	const cJSON *member;
	char used[128];

	json_list_names(used_fields, used, sizeof used);
	cJSON_ArrayForEach(member, object)
	{
		if (member->string && json_name_index(member->string, used_fields) < 0 &&
		    json_name_index(member->string, known) >= 0)
			json_fail(reader,
				  "field '%s.%s': not used with %s \"%s\" (expected only %s)",
				  object_name, member->string, kind, driver_name, used);
	}
}

/* What the flasher driver does not read is reported; the rest is the driver's to check. */
static void check_flasher(struct json_reader *reader, const cJSON *flasher,
			  struct board_profile *out)
{
	const struct flasher_driver *driver = flasher_find(out->flasher.driver);

	if (!driver)
		return;
	check_unused(reader, flasher, "flasher", flasher_fields, driver->profile_fields, "driver",
		     out->flasher.driver);
	driver->check_profile(reader, out);
}

/* A console is a transport driver's, or made by an emulating flasher (the
 * flasher's name stands for it); either way the drivers say what it needs. */
static const char *const *console_transport_names(void)
{
	static const char *names[32];

	if (!names[0]) {
		const char *const *flashers = flasher_names();
		const char *const *transports = transport_names();
		size_t count = 0;

		for (size_t i = 0; flashers[i] && count + 1 < 32; i++)
			if (flasher_find(flashers[i])->emulator)
				names[count++] = flashers[i];
		for (size_t i = 0; transports[i] && count + 1 < 32; i++)
			names[count++] = transports[i];
	}
	return names;
}

static void check_console(struct json_reader *reader, const cJSON *console,
			  struct board_profile *out)
{
	static const char *const made_by_flasher_fields[] = {"transport", NULL};
	const struct flasher_driver *flasher = flasher_find(out->flasher.driver);
	const struct transport_driver *transport = transport_find(out->console.transport);
	char transports[64];

	check_unused(reader, console, "console", console_fields,
		     transport ? transport->profile_fields : made_by_flasher_fields, "transport",
		     out->console.transport);
	if (transport)
		transport->check_profile(reader, out);
	if (!flasher)
		return;
	json_list_names(transport_names(), transports, sizeof transports);
	if (flasher->emulator && strcmp(out->console.transport, flasher->name) != 0)
		json_fail(reader,
			  "field 'console.transport': expected \"%s\" with flasher driver "
			  "\"%s\" (it makes the console), got \"%s\"",
			  flasher->name, flasher->name, out->console.transport);
	else if (!flasher->emulator && !transport)
		json_fail(reader,
			  "field 'console.transport': expected one of %s with flasher driver "
			  "\"%s\", got \"%s\"",
			  transports, flasher->name, out->console.transport);
}

static void check_core(struct json_reader *reader, struct board_profile *out)
{
	const struct core_facts *facts = core_facts_of(out->core);

	if (!word_in_list(out->fpu, facts->fpus)) {
		char allowed[64];
		size_t used = 0;

		for (const char *c = facts->fpus; *c && used + 3 < sizeof allowed; c++) {
			if (*c == ' ')
				allowed[used++] = ',';
			allowed[used++] = *c;
		}
		allowed[used] = '\0';
		json_fail(reader, "field 'fpu': expected %s%s for %s, got \"%s\"",
			  strchr(allowed, ',') ? "one of " : "", allowed, out->core, out->fpu);
	}
	if (out->dsp && !facts->dsp_possible)
		json_fail(reader,
			  "field 'dsp': expected false for %s (it has no DSP "
			  "extension), got true",
			  out->core);
	if (out->counter == PROFILE_COUNTER_DWT && !facts->has_dwt)
		json_fail(reader,
			  "field 'cycle_counter': expected \"systick\" for %s (ARMv6-M "
			  "has no DWT cycle counter), got \"dwt\"",
			  out->core);
}

/* A number in (0, maximum]: supply voltages and currents. */
static bool read_positive(struct json_reader *reader, const cJSON *object, const char *parent,
			  const char *key, double maximum, const char *expected, double *out)
{
	const cJSON *item = json_member(reader, object, parent, key, expected);

	if (!item)
		return false;
	if (!cJSON_IsNumber(item) || !(item->valuedouble > 0) || item->valuedouble > maximum) {
		json_fail_expected(reader, parent, key, expected, item);
		return false;
	}
	*out = item->valuedouble;
	return true;
}

/* "deadline" is optional, and each of its members: what it names replaces
 * the default of link/deadline.h for this board (docs/reliability.md). */
static void read_deadline(struct json_reader *reader, const cJSON *root, struct board_profile *out)
{
	const cJSON *deadline = json_member(reader, root, "", "deadline", NULL);

	if (!deadline)
		return;
	if (!cJSON_IsObject(deadline)) {
		json_fail_expected(reader, "", "deadline", "an object", deadline);
		return;
	}
	json_check_members(reader, deadline, "deadline", deadline_fields);
	out->deadline.given = true;
	if (json_member(reader, deadline, "deadline", "margin", NULL)) {
		out->deadline.have_margin = read_positive(
		    reader, deadline, "deadline", "margin", 1000,
		    "a margin from 1 to 1000 (times the counted work)", &out->deadline.margin);
		if (out->deadline.have_margin && out->deadline.margin < 1) {
			json_fail(
			    reader,
			    "field 'deadline.margin': expected a margin from 1 to 1000 (times "
			    "the counted work), got %g",
			    out->deadline.margin);
			out->deadline.have_margin = false;
		}
	}
	if (json_member(reader, deadline, "deadline", "min_ms", NULL))
		out->deadline.have_min_ms =
		    json_read_u32(reader, deadline, "deadline", "min_ms", false, 10,
				  "milliseconds from 10 to 3600000", &out->deadline.min_ms);
	if (out->deadline.have_min_ms && out->deadline.min_ms > 3600000) {
		json_fail(
		    reader,
		    "field 'deadline.min_ms': expected milliseconds from 10 to 3600000, got %u",
		    out->deadline.min_ms);
		out->deadline.have_min_ms = false;
	}
	if (json_member(reader, deadline, "deadline", "units_per_mac", NULL))
		out->deadline.have_units_per_mac =
		    read_positive(reader, deadline, "deadline", "units_per_mac", 1e6,
				  "counter units per MAC above 0, at most 1000000 (an upper bound)",
				  &out->deadline.units_per_mac);
}

/* "energy" is optional; when its "model" is given every figure of it is
 * required, so a modelled energy never rests on a guessed default. */
static void read_energy(struct json_reader *reader, const cJSON *root, struct board_profile *out)
{
	const cJSON *energy = json_member(reader, root, "", "energy", NULL);
	const cJSON *model;
	struct profile_energy_model *figures = &out->energy.model;

	if (!energy)
		return;
	if (!cJSON_IsObject(energy)) {
		json_fail_expected(reader, "", "energy", "an object", energy);
		return;
	}
	json_check_members(reader, energy, "energy", energy_fields);
	json_read_string(reader, energy, "energy", "window_pin", false, JSON_STRING_TEXT,
			 out->energy.window_pin, sizeof out->energy.window_pin);
	model = json_member(reader, energy, "energy", "model", NULL);
	if (!model)
		return;
	if (!cJSON_IsObject(model)) {
		json_fail_expected(reader, "energy", "model", "an object", model);
		return;
	}
	json_check_members(reader, model, "energy.model", energy_model_fields);
	figures->present =
	    json_read_string(reader, model, "energy.model", "chip", true, JSON_STRING_TEXT,
			     figures->chip, sizeof figures->chip) &
	    read_positive(reader, model, "energy.model", "supply_v", 60,
			  "a supply voltage in volts above 0 and at most 60", &figures->supply_v) &
	    read_positive(reader, model, "energy.model", "run_current_ma", 10000,
			  "a run current in mA above 0 and at most 10000",
			  &figures->run_current_ma) &
	    json_read_u32(reader, model, "energy.model", "at_clock_hz", true, 1,
			  "the clock in Hz the datasheet states the current at (a positive "
			  "integer)",
			  &figures->at_clock_hz) &
	    json_read_string(reader, model, "energy.model", "datasheet", true, JSON_STRING_TEXT,
			     figures->datasheet, sizeof figures->datasheet);
}

static int parse_profile(const char *text, size_t length, const char *path, bool resolve,
			 struct board_profile *out);

/* The room a firmware has before the model region. */
static uint32_t firmware_room(const struct profile_region *flash,
			      const struct profile_region *model)
{
	return model->origin - flash->origin;
}

/* An emulated board that stands for a real one takes the real board's
 * limits from that board's profile, found beside this one; the emulator
 * must offer at least that much, and run the same core, or the counts
 * would not say anything about the real board. */
static void resolve_emulates(struct json_reader *reader, const char *path,
			     struct board_profile *out)
{
	const struct flasher_driver *flasher = flasher_find(out->flasher.driver);
	struct board_profile *real;
	char real_path[sizeof out->path];
	const char *slash = path ? strrchr(path, '/') : NULL;
	int folder_length = slash ? (int)(slash - path) : 1;
	uint8_t *text = NULL;
	size_t length = 0;

	if (!flasher || !flasher->emulator) {
		json_fail(reader,
			  "field 'emulates': expected only on an emulated board (a flasher that "
			  "emulates, such as \"qemu\"), got it with flasher driver \"%s\"",
			  out->flasher.driver);
		return;
	}
	if ((size_t)snprintf(real_path, sizeof real_path, "%.*s/%s.json", folder_length,
			     slash ? path : ".", out->emulates) >= sizeof real_path) {
		json_fail(reader, "field 'emulates': path of '%s' too long", out->emulates);
		return;
	}
	if (access(real_path, R_OK) != 0) {
		json_fail(reader,
			  "field 'emulates': expected the id of a board profile beside this one, "
			  "got \"%s\" ('%s': %s)",
			  out->emulates, real_path, strerror(errno));
		return;
	}
	real = malloc(sizeof *real);
	if (!real ||
	    file_read_all(real_path, PROFILE_MAX_FILE_BYTES, "a board profile", &text, &length) !=
		HB_OK ||
	    parse_profile((const char *)text, length, real_path, false, real) != HB_OK) {
		json_fail(reader, "field 'emulates': the profile it names, '%s', cannot be used",
			  real_path);
		goto out;
	}
	if (real->verified == PROFILE_VERIFIED_EMULATED || real->emulates[0])
		json_fail(reader,
			  "field 'emulates': expected a real board's profile, got '%s', which is "
			  "%s",
			  real_path, real->emulates[0] ? "a stand-in itself" : "an emulated board");
	else if (strcmp(real->core, out->core) != 0 || strcmp(real->fpu, out->fpu) != 0 ||
		 real->dsp != out->dsp)
		json_fail(reader,
			  "field 'emulates': expected a board of this profile's core (%s, FPU %s, "
			  "DSP %s), got '%s' with %s, FPU %s, DSP %s",
			  out->core, out->fpu, out->dsp ? "yes" : "no", out->emulates, real->core,
			  real->fpu, real->dsp ? "yes" : "no");
	else if (out->ram.size < real->ram.size || out->model.size < real->model.size ||
		 firmware_room(&out->flash, &out->model) <
		     firmware_room(&real->flash, &real->model))
		json_fail(reader,
			  "field 'emulates': expected the emulated board to have at least the "
			  "RAM (%u B), model region (%u B) and firmware room (%u B) of '%s', got "
			  "%u, %u and %u B",
			  real->ram.size, real->model.size,
			  firmware_room(&real->flash, &real->model), out->emulates, out->ram.size,
			  out->model.size, firmware_room(&out->flash, &out->model));
	else
		out->stands_for = profile_limits(real);
out:
	free(text);
	free(real);
}

/* "notes": {"console.baud": "why"}: each key names a field of the profile
 * (its first part a top-level field), each value says why it is so. */
static void read_notes(struct json_reader *reader, const cJSON *root, struct board_profile *out)
{
	const cJSON *notes = json_member(reader, root, "", "notes", NULL);
	const cJSON *note;

	if (!notes)
		return;
	if (!cJSON_IsObject(notes)) {
		json_fail_expected(reader, "", "notes", "an object of field name: reason", notes);
		return;
	}
	cJSON_ArrayForEach(note, notes)
	{
		struct profile_note *slot = &out->notes[out->note_count];
		char top[32];
		size_t top_length = strcspn(note->string, ".");

		snprintf(top, sizeof top, "%.*s", (int)(top_length < sizeof top ? top_length : 0),
			 note->string);
		if (strlen(note->string) >= sizeof slot->field ||
		    json_name_index(top, root_fields) < 0 || !cJSON_GetObjectItem(root, top)) {
			json_fail(reader,
				  "field 'notes.%s': expected the name of a field this profile "
				  "has, such as \"console.baud\"",
				  note->string);
			continue;
		}
		if (out->note_count == PROFILE_MAX_NOTES) {
			json_fail(reader, "field 'notes': expected at most %d notes",
				  PROFILE_MAX_NOTES);
			return;
		}
		if (json_read_string(reader, notes, "notes", note->string, true, JSON_STRING_TEXT,
				     slot->text, sizeof slot->text)) {
			snprintf(slot->field, sizeof slot->field, "%s", note->string);
			out->note_count++;
		}
	}
}

static void read_root(struct json_reader *reader, const cJSON *root, const char *path,
		      struct board_profile *out)
{
	const cJSON *memory, *firmware, *flasher, *console;
	int core, fpu, driver, transport, counter, verified;
	bool regions_valid;

	json_check_members(reader, root, "", root_fields);

	if (json_read_string(reader, root, "", "id", true, JSON_STRING_IDENTIFIER, out->id,
			     sizeof out->id) &&
	    path) {
		char expected_id[sizeof out->id];

		id_from_path(path, expected_id, sizeof expected_id);
		if (strcmp(out->id, expected_id) != 0)
			json_fail(reader,
				  "field 'id': expected \"%s\" (the file name without "
				  ".json), got \"%s\"",
				  expected_id, out->id);
	}
	json_read_string(reader, root, "", "name", true, JSON_STRING_TEXT, out->name,
			 sizeof out->name);
	core = json_read_choice(reader, root, "", "core", core_names);
	if (core >= 0)
		snprintf(out->core, sizeof out->core, "%s", core_names[core]);
	fpu = json_read_choice(reader, root, "", "fpu", fpu_names);
	if (fpu >= 0)
		snprintf(out->fpu, sizeof out->fpu, "%s", fpu_names[fpu]);
	json_read_bool(reader, root, "", "dsp", &out->dsp);
	json_read_u32(reader, root, "", "clock_hz", true, 1, "a positive integer below 2^32 (Hz)",
		      &out->clock_hz);

	memory = json_read_object(reader, root, "", "memory", memory_fields);
	regions_valid = read_region(reader, memory, "flash", &out->flash);
	regions_valid = read_region(reader, memory, "ram", &out->ram) && regions_valid;
	if (read_region(reader, memory, "model", &out->model) && regions_valid &&
	    (out->model.origin < out->flash.origin ||
	     (uint64_t)out->model.origin + out->model.size >
		 (uint64_t)out->flash.origin + out->flash.size ||
	     out->model.origin == out->flash.origin))
		json_fail(
		    reader,
		    "field 'memory.model': expected a region inside flash after the firmware "
		    "(flash 0x%08x-0x%08llx), got 0x%08x-0x%08llx",
		    out->flash.origin, (unsigned long long)out->flash.origin + out->flash.size - 1,
		    out->model.origin, (unsigned long long)out->model.origin + out->model.size - 1);
	if (regions_valid && regions_overlap(&out->flash, &out->ram))
		json_fail(reader,
			  "field 'memory': expected flash and ram not to overlap, got flash "
			  "0x%08x-0x%08llx and ram 0x%08x-0x%08llx",
			  out->flash.origin,
			  (unsigned long long)out->flash.origin + out->flash.size - 1,
			  out->ram.origin, (unsigned long long)out->ram.origin + out->ram.size - 1);

	firmware = json_read_object(reader, root, "", "firmware", firmware_fields);
	json_read_string(reader, firmware, "firmware", "port", true, JSON_STRING_IDENTIFIER,
			 out->port, sizeof out->port);

	flasher = json_read_object(reader, root, "", "flasher", flasher_fields);
	driver = json_read_choice(reader, flasher, "flasher", "driver", flasher_names());
	if (driver >= 0)
		snprintf(out->flasher.driver, sizeof out->flasher.driver, "%s",
			 flasher_names()[driver]);
	json_read_string(reader, flasher, "flasher", "machine", false, JSON_STRING_TOKEN,
			 out->flasher.machine, sizeof out->flasher.machine);
	json_read_string(reader, flasher, "flasher", "interface", false, JSON_STRING_TOKEN,
			 out->flasher.interface_cfg, sizeof out->flasher.interface_cfg);
	json_read_string(reader, flasher, "flasher", "target", false, JSON_STRING_TOKEN,
			 out->flasher.target_cfg, sizeof out->flasher.target_cfg);

	console = json_read_object(reader, root, "", "console", console_fields);
	transport =
	    json_read_choice(reader, console, "console", "transport", console_transport_names());
	if (transport >= 0)
		snprintf(out->console.transport, sizeof out->console.transport, "%s",
			 console_transport_names()[transport]);
	json_read_string(reader, console, "console", "device", false, JSON_STRING_TOKEN,
			 out->console.device, sizeof out->console.device);
	json_read_u32(reader, console, "console", "baud", false, 1, "a positive integer (bit/s)",
		      &out->console.baud);

	counter = json_read_choice(reader, root, "", "cycle_counter", counter_names);
	if (counter >= 0)
		out->counter = (enum profile_counter)counter;
	verified = json_read_choice(reader, root, "", "verified", verified_names);
	if (verified >= 0)
		out->verified = (enum profile_verified)verified;
	read_energy(reader, root, out);
	read_deadline(reader, root, out);
	json_read_string(reader, root, "", "emulates", false, JSON_STRING_IDENTIFIER, out->emulates,
			 sizeof out->emulates);
	read_notes(reader, root, out);

	if (reader->errors)
		return;
	check_core(reader, out);
	check_flasher(reader, flasher, out);
	check_console(reader, console, out);
}

/* `resolve`: look up the board an "emulates" field names (not when reading
 * that board itself, so a chain of stand-ins cannot recurse). */
static int parse_profile(const char *text, size_t length, const char *path, bool resolve,
			 struct board_profile *out)
{
	struct json_reader reader = {path ? path : "<profile>", 0};
	cJSON *root;
	int status;

	memset(out, 0, sizeof *out);
	if (path && strlen(path) >= sizeof out->path)
		return hb_error(HB_ERR_INPUT, "'%s': path longer than %zu characters", path,
				sizeof out->path - 1);
	status = json_parse_object(&reader, text, length, &root);
	if (status != HB_OK)
		return status;
	/* A different schema means different rules: stop before they add noise. */
	json_check_schema(&reader, root, PROFILE_SCHEMA_VERSION);
	if (!reader.errors)
		read_root(&reader, root, path, out);
	if (!reader.errors && resolve && out->emulates[0])
		resolve_emulates(&reader, path, out);
	cJSON_Delete(root);

	if (reader.errors) {
		memset(out, 0, sizeof *out);
		return HB_ERR_INPUT;
	}
	if (path)
		memcpy(out->path, path, strlen(path) + 1);
	return HB_OK;
}

int profile_parse(const char *text, size_t length, const char *path, struct board_profile *out)
{
	return parse_profile(text, length, path, true, out);
}

int profile_load(const char *path, struct board_profile *out)
{
	uint8_t *text = NULL;
	size_t length = 0;
	int status;

	memset(out, 0, sizeof *out);
	status = file_read_all(path, PROFILE_MAX_FILE_BYTES, "a board profile", &text, &length);
	if (status != HB_OK)
		return status;
	status = profile_parse((const char *)text, length, path, out);
	free(text);
	return status;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compare_profiles(const void *a, const void *b)
{
	return strcmp(((const struct board_profile *)a)->id, ((const struct board_profile *)b)->id);
}

static void free_names(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* The ids (file names without .json) in boards_dir, sorted. */
static int list_ids(const char *boards_dir, char ***ids, size_t *count)
{
	DIR *dir = opendir(boards_dir);
	struct dirent *entry;
	size_t capacity = 0;

	*ids = NULL;
	*count = 0;
	if (!dir) {
		if (errno == ENOENT)
			return hb_error(HB_ERR_NOT_FOUND, "'%s': no such folder", boards_dir);
		return hb_error(HB_ERR_IO, "'%s': cannot list: %s", boards_dir, strerror(errno));
	}
	while ((entry = readdir(dir))) {
		size_t length = strlen(entry->d_name);

		if (entry->d_name[0] == '.' || length <= 5 ||
		    strcmp(entry->d_name + length - 5, ".json") != 0)
			continue;
		if (*count == capacity) {
			size_t grown = capacity ? capacity * 2 : 16;
			char **bigger = realloc(*ids, grown * sizeof *bigger);

			if (!bigger)
				goto nomem;
			*ids = bigger;
			capacity = grown;
		}
		(*ids)[*count] = strndup(entry->d_name, length - 5);
		if (!(*ids)[*count])
			goto nomem;
		++*count;
	}
	closedir(dir);
	if (*count)
		qsort(*ids, *count, sizeof **ids, compare_names);
	return HB_OK;
nomem:
	closedir(dir);
	free_names(*ids, *count);
	*ids = NULL;
	*count = 0;
	return hb_error(HB_ERR_NOMEM, "'%s': out of memory", boards_dir);
}

static bool id_is_safe(const char *id)
{
	return json_string_is_kind(id, JSON_STRING_IDENTIFIER) &&
	       strlen(id) < sizeof((struct board_profile *)0)->id;
}

int profile_find(const char *boards_dir, const char *id, struct board_profile *out)
{
	char path[sizeof out->path];
	char available[512];
	const char *suggestion = NULL;
	char **ids;
	size_t count, used = 0, distance, best_distance = 3;
	int status;

	memset(out, 0, sizeof *out);
	/* Only plain names: an id must not reach outside boards_dir. */
	if (id_is_safe(id)) {
		int n = snprintf(path, sizeof path, "%s/%s.json", boards_dir, id);

		if (n < 0 || (size_t)n >= sizeof path)
			return hb_error(HB_ERR_INPUT, "'%s/%s.json': path too long", boards_dir,
					id);
		if (access(path, F_OK) == 0 || errno != ENOENT)
			return profile_load(path, out);
	}

	status = list_ids(boards_dir, &ids, &count);
	if (status != HB_OK)
		return status;
	available[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		int n = snprintf(available + used, sizeof available - used, "%s%s", i ? ", " : "",
				 ids[i]);
		if (n < 0 || (size_t)n >= sizeof available - used)
			break;
		used += (size_t)n;
		distance = json_edit_distance(id, ids[i]);
		if (distance < best_distance) {
			suggestion = ids[i];
			best_distance = distance;
		}
	}
	if (suggestion)
		status = hb_error(HB_ERR_NOT_FOUND,
				  "board '%s' not found in '%s' (did you mean '%s'? available: %s)",
				  id, boards_dir, suggestion, available);
	else
		status = hb_error(HB_ERR_NOT_FOUND, "board '%s' not found in '%s' (available: %s)",
				  id, boards_dir, count ? available : "none");
	free_names(ids, count);
	return status;
}

int profile_list(const char *boards_dir, struct board_profile **profiles, size_t *count,
		 size_t *invalid)
{
	char **ids;
	size_t id_count;
	int status;

	*profiles = NULL;
	*count = 0;
	*invalid = 0;
	status = list_ids(boards_dir, &ids, &id_count);
	if (status != HB_OK)
		return status;
	if (id_count) {
		*profiles = calloc(id_count, sizeof **profiles);
		if (!*profiles) {
			free_names(ids, id_count);
			return hb_error(HB_ERR_NOMEM, "'%s': out of memory", boards_dir);
		}
	}
	for (size_t i = 0; i < id_count; i++) {
		char path[sizeof(*profiles)->path];
		int n = snprintf(path, sizeof path, "%s/%s.json", boards_dir, ids[i]);

		if (n < 0 || (size_t)n >= sizeof path) {
			hb_error(HB_ERR_INPUT, "'%s/%s.json': path too long", boards_dir, ids[i]);
			++*invalid;
			continue;
		}
		if (profile_load(path, &(*profiles)[*count]) == HB_OK)
			++*count;
		else
			++*invalid;
	}
	free_names(ids, id_count);
	/* Ids equal file names, so this is already sorted; sort anyway so the
	 * order does not depend on that rule. */
	if (*count)
		qsort(*profiles, *count, sizeof **profiles, compare_profiles);
	if (*count == 0) {
		free(*profiles);
		*profiles = NULL;
	}
	return HB_OK;
}

int profile_counter_from_name(const char *name)
{
	return json_name_index(name, counter_names);
}

const char *profile_counter_name(enum profile_counter counter)
{
	if ((unsigned)counter < sizeof counter_names / sizeof counter_names[0] - 1)
		return counter_names[counter];
	return "unknown";
}

const char *profile_verified_name(enum profile_verified verified)
{
	if ((unsigned)verified < sizeof verified_names / sizeof verified_names[0] - 1)
		return verified_names[verified];
	return "unknown";
}

const char *profile_note(const struct board_profile *board, const char *field)
{
	for (size_t i = 0; i < board->note_count; i++)
		if (strcmp(board->notes[i].field, field) == 0)
			return board->notes[i].text;
	return NULL;
}

struct profile_limits profile_limits(const struct board_profile *board)
{
	struct profile_limits limits;

	if (board->emulates[0])
		return board->stands_for;
	memset(&limits, 0, sizeof limits);
	snprintf(limits.board_id, sizeof limits.board_id, "%s", board->id);
	snprintf(limits.board_name, sizeof limits.board_name, "%s", board->name);
	limits.clock_hz = board->clock_hz;
	limits.flash = board->flash;
	limits.ram = board->ram;
	limits.model = board->model;
	return limits;
}

void profile_stand_in_label(const struct board_profile *board, char *out, size_t capacity)
{
	char emulator[16];
	size_t i;

	if (!board->emulates[0]) {
		if (capacity)
			out[0] = '\0';
		return;
	}
	for (i = 0; board->flasher.driver[i] && i + 1 < sizeof emulator; i++)
		emulator[i] =
		    (char)(board->flasher.driver[i] >= 'a' && board->flasher.driver[i] <= 'z'
			       ? board->flasher.driver[i] - 'a' + 'A'
			       : board->flasher.driver[i]);
	emulator[i] = '\0';
	snprintf(out, capacity, "emulated stand-in for %s: limits from its profile, counts from %s",
		 board->emulates, emulator);
}
