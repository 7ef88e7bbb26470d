/* Board profiles: the shipped ones parse, and every rule rejects with a
 * message naming the file, the field and what was expected. */
#include <criterion/criterion.h>

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "config/profile.h"
#include "link/transport.h"

static char profile_test_log[16384];

static void profile_test_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(profile_test_log);
	(void)level;
	(void)context;
	snprintf(profile_test_log + used, sizeof profile_test_log - used, "%s\n", message);
}

static void profile_test_setup(void)
{
	profile_test_log[0] = '\0';
	hb_log_set_sink(profile_test_sink, NULL);
}

static void profile_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

static const char profile_test_qemu[] =
    "{\n"
    "  \"schema\": 1,\n"
    "  \"id\": \"qemu-m4\",\n"
    "  \"name\": \"Test MPS2 AN386\",\n"
    "  \"core\": \"cortex-m4\",\n"
    "  \"fpu\": \"fpv4-sp-d16\",\n"
    "  \"dsp\": true,\n"
    "  \"clock_hz\": 25000000,\n"
    "  \"memory\": {\n"
    "    \"flash\": { \"origin\": \"0x00000000\", \"size\": \"4M\" },\n"
    "    \"ram\": { \"origin\": \"0x20000000\", \"size\": \"4M\" },\n"
    "    \"model\": { \"origin\": \"0x00100000\", \"size\": \"3M\" }\n"
    "  },\n"
    "  \"firmware\": { \"port\": \"mps2\" },\n"
    "  \"flasher\": { \"driver\": \"qemu\", \"machine\": \"mps2-an386\" },\n"
    "  \"console\": { \"transport\": \"qemu\" },\n"
    "  \"cycle_counter\": \"emulated-instructions\",\n"
    "  \"verified\": \"emulated\"\n"
    "}\n";
#define PROFILE_TEST_QEMU_PATH "boards/qemu-m4.json"

static const char profile_test_openocd[] =
    "{\"schema\": 1, \"id\": \"nucleo-test\", \"name\": \"Test Nucleo\", \"core\": \"cortex-m4\","
    " \"fpu\": \"fpv4-sp-d16\", \"dsp\": true, \"clock_hz\": 16000000,"
    " \"memory\": {\"flash\": {\"origin\": \"0x08000000\", \"size\": \"512K\"},"
    "  \"ram\": {\"origin\": \"0x20000000\", \"size\": \"128K\"},"
    "  \"model\": {\"origin\": \"0x08040000\", \"size\": \"256K\"}},"
    " \"firmware\": {\"port\": \"stm32f4\"},"
    " \"flasher\": {\"driver\": \"openocd\", \"interface\": \"interface/stlink.cfg\","
    "  \"target\": \"target/stm32f4x.cfg\"},"
    " \"console\": {\"transport\": \"serial\", \"device\": \"/dev/ttyACM0\", \"baud\": 115200},"
    " \"cycle_counter\": \"dwt\", \"verified\": \"compile-only\"}";
#define PROFILE_TEST_OPENOCD_PATH "boards/nucleo-test.json"

/* A copy of `base` with the member at dotted `path` set to the JSON text
 * `value` (added when missing), or removed when `value` is NULL. */
static char *profile_test_edit(const char *base, const char *path, const char *value)
{
	cJSON *root = cJSON_Parse(base);
	cJSON *object = root;
	char segment[64];
	const char *rest = path;
	char *text;

	cr_assert_not_null(root);
	for (;;) {
		size_t length = strcspn(rest, ".");

		cr_assert_lt(length, sizeof segment);
		memcpy(segment, rest, length);
		segment[length] = '\0';
		if (!rest[length])
			break;
		object = cJSON_GetObjectItemCaseSensitive(object, segment);
		cr_assert_not_null(object, "no object '%s' in the fixture", segment);
		rest += length + 1;
	}
	if (!value) {
		cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(object, segment));
		cJSON_DeleteItemFromObjectCaseSensitive(object, segment);
	} else {
		cJSON *item = cJSON_Parse(value);

		cr_assert_not_null(item, "bad test value %s", value);
		if (cJSON_GetObjectItemCaseSensitive(object, segment))
			cJSON_ReplaceItemInObjectCaseSensitive(object, segment, item);
		else
			cJSON_AddItemToObject(object, segment, item);
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	cr_assert_not_null(text);
	return text;
}

/* Two edits at once, for rules that need a consistent pair of fields. */
static char *profile_test_edit2(const char *base, const char *path1, const char *value1,
				const char *path2, const char *value2)
{
	char *first = profile_test_edit(base, path1, value1);
	char *second = profile_test_edit(first, path2, value2);

	free(first);
	return second;
}

/* Parses `text` as `path`, expects HB_ERR_INPUT and every NULL-terminated
 * needle somewhere in the captured messages. Frees `text`. */
static void profile_test_expect_error(char *text, const char *path, ...)
{
	struct board_profile profile;
	const char *needle;
	va_list needles;
	int status;

	profile_test_log[0] = '\0';
	status = profile_parse(text, strlen(text), path, &profile);
	cr_assert_eq(status, HB_ERR_INPUT, "status %d for:\n%s\nlog: %s", status, text,
		     profile_test_log);
	cr_assert_not_null(strstr(profile_test_log, path), "file not named in: %s",
			   profile_test_log);
	va_start(needles, path);
	while ((needle = va_arg(needles, const char *)))
		cr_assert_not_null(strstr(profile_test_log, needle), "expected \"%s\" in: %s",
				   needle, profile_test_log);
	va_end(needles);
	cr_assert_eq(profile.id[0], '\0', "a rejected profile must come back zeroed");
	free(text);
}

static void profile_test_expect_valid(char *text, const char *path, struct board_profile *out)
{
	int status;

	profile_test_log[0] = '\0';
	status = profile_parse(text, strlen(text), path, out);
	cr_assert_eq(status, HB_OK, "status %d for:\n%s\nlog: %s", status, text, profile_test_log);
	free(text);
}

static char *profile_test_copy(const char *text)
{
	char *copy = strdup(text);

	cr_assert_not_null(copy);
	return copy;
}

TestSuite(profile, .init = profile_test_setup, .fini = profile_test_teardown);

Test(profile, shipped_qemu_profiles_load)
{
	static const struct {
		const char *id, *core, *fpu, *machine;
		bool dsp;
	} expected[] = {
	    {"qemu-m3", "cortex-m3", "none", "mps2-an385", false},
	    {"qemu-m4", "cortex-m4", "fpv4-sp-d16", "mps2-an386", true},
	    {"qemu-m7", "cortex-m7", "fpv5-d16", "mps2-an500", true},
	    {"qemu-l4r5zi", "cortex-m4", "fpv4-sp-d16", "mps2-an386", true},
	};

	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		struct board_profile profile;
		char path[64];

		snprintf(path, sizeof path, "boards/%s.json", expected[i].id);
		cr_assert_eq(profile_load(path, &profile), HB_OK, "%s: %s", path, profile_test_log);
		cr_assert_str_eq(profile.path, path);
		cr_assert_str_eq(profile.id, expected[i].id);
		cr_assert_str_eq(profile.core, expected[i].core);
		cr_assert_str_eq(profile.fpu, expected[i].fpu);
		cr_assert_eq(profile.dsp, expected[i].dsp);
		cr_assert_eq(profile.clock_hz, 25000000);
		cr_assert_eq(profile.flash.origin, 0);
		cr_assert_eq(profile.flash.size, 4u << 20);
		cr_assert_eq(profile.ram.origin, 0x20000000);
		cr_assert_eq(profile.ram.size, 4u << 20);
		cr_assert_str_eq(profile.port, "mps2");
		cr_assert_str_eq(profile.flasher.driver, "qemu");
		cr_assert_str_eq(profile.flasher.machine, expected[i].machine);
		cr_assert_str_eq(profile.console.transport, "qemu");
		cr_assert_eq(profile.counter, PROFILE_COUNTER_EMULATED_INSTRUCTIONS);
		cr_assert_eq(profile.verified, PROFILE_VERIFIED_EMULATED);
	}
}

/* The boards beyond the MPS2 images of one memory map: the profile must
 * name the same regions as the port's memory.ld. */
Test(profile, shipped_qemu_profiles_of_other_memory_maps_load)
{
	static const struct {
		const char *id, *core, *fpu, *machine, *port;
		bool dsp;
		uint32_t clock_hz, flash_origin, flash_size, ram_origin, ram_size, model_origin,
		    model_size;
	} expected[] = {
	    {"qemu-m0", "cortex-m0", "none", "microbit", "nrf51", false, 16000000, 0, 256u << 10,
	     0x20000000, 16u << 10, 0x10000, 192u << 10},
	    {"qemu-m33", "cortex-m33", "fpv5-sp-d16", "mps2-an505", "mps2-an505", true, 20000000,
	     0x10000000, 4u << 20, 0x38000000, 4u << 20, 0x10100000, 3u << 20},
	    {"qemu-m55", "cortex-m55", "fpv5-d16", "mps3-an547", "mps3-an547", true, 32000000,
	     0x10000000, 512u << 10, 0x31000000, 4u << 20, 0x10020000, 384u << 10},
	    {"qemu-f405", "cortex-m4", "fpv4-sp-d16", "netduinoplus2", "stm32f4-netduinoplus2",
	     true, 16000000, 0x08000000, 1u << 20, 0x20000000, 128u << 10, 0x08040000, 768u << 10},
	};

	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		struct board_profile profile;
		char path[64];

		snprintf(path, sizeof path, "boards/%s.json", expected[i].id);
		cr_assert_eq(profile_load(path, &profile), HB_OK, "%s: %s", path, profile_test_log);
		cr_assert_str_eq(profile.core, expected[i].core);
		cr_assert_str_eq(profile.fpu, expected[i].fpu);
		cr_assert_eq(profile.dsp, expected[i].dsp);
		cr_assert_eq(profile.clock_hz, expected[i].clock_hz);
		cr_assert_eq(profile.flash.origin, expected[i].flash_origin);
		cr_assert_eq(profile.flash.size, expected[i].flash_size);
		cr_assert_eq(profile.ram.origin, expected[i].ram_origin);
		cr_assert_eq(profile.ram.size, expected[i].ram_size);
		cr_assert_eq(profile.model.origin, expected[i].model_origin);
		cr_assert_eq(profile.model.size, expected[i].model_size);
		cr_assert_str_eq(profile.port, expected[i].port);
		cr_assert_str_eq(profile.flasher.machine, expected[i].machine);
		cr_assert_eq(profile.counter, PROFILE_COUNTER_EMULATED_INSTRUCTIONS);
		cr_assert_eq(profile.verified, PROFILE_VERIFIED_EMULATED);
	}
}

Test(profile, shipped_nucleo_profile_loads)
{
	struct board_profile profile;

	cr_assert_eq(profile_load("boards/nucleo-f446re.json", &profile), HB_OK, "%s",
		     profile_test_log);
	cr_assert_str_eq(profile.id, "nucleo-f446re");
	cr_assert_str_eq(profile.core, "cortex-m4");
	cr_assert_str_eq(profile.fpu, "fpv4-sp-d16");
	cr_assert(profile.dsp);
	cr_assert_eq(profile.clock_hz, 16000000);
	cr_assert_eq(profile.flash.origin, 0x08000000);
	cr_assert_eq(profile.flash.size, 512 * 1024);
	cr_assert_eq(profile.ram.origin, 0x20000000);
	cr_assert_eq(profile.ram.size, 128 * 1024);
	cr_assert_str_eq(profile.port, "stm32f4");
	cr_assert_str_eq(profile.flasher.driver, "openocd");
	cr_assert_str_eq(profile.flasher.interface_cfg, "interface/stlink.cfg");
	cr_assert_str_eq(profile.flasher.target_cfg, "target/stm32f4x.cfg");
	cr_assert_str_eq(profile.console.transport, "serial");
	cr_assert_str_eq(profile.console.device, "/dev/ttyACM0");
	cr_assert_eq(profile.console.baud, 115200);
	cr_assert_eq(profile.counter, PROFILE_COUNTER_DWT);
	cr_assert_eq(profile.verified, PROFILE_VERIFIED_COMPILE_ONLY);
}

Test(profile, find_loads_by_id)
{
	struct board_profile profile;

	cr_assert_eq(profile_find("boards", "qemu-m7", &profile), HB_OK, "%s", profile_test_log);
	cr_assert_str_eq(profile.flasher.machine, "mps2-an500");
	cr_assert_str_eq(profile.path, "boards/qemu-m7.json");
}

Test(profile, fixtures_are_valid)
{
	struct board_profile profile;

	profile_test_expect_valid(profile_test_copy(profile_test_qemu), PROFILE_TEST_QEMU_PATH,
				  &profile);
	cr_assert_str_eq(profile.name, "Test MPS2 AN386");
	profile_test_expect_valid(profile_test_copy(profile_test_openocd),
				  PROFILE_TEST_OPENOCD_PATH, &profile);
	cr_assert_eq(profile.console.baud, 115200);
}

Test(profile, sizes_accept_integers_hex_and_suffixes)
{
	static const char *const forms[] = {"4194304",	      "\"4194304\"", "\"0x400000\"",
					    "\"0X00400000\"", "\"4096K\"",   "\"4M\""};
	struct board_profile profile;

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		profile_test_expect_valid(
		    profile_test_edit(profile_test_qemu, "memory.flash.size", forms[i]),
		    PROFILE_TEST_QEMU_PATH, &profile);
		cr_assert_eq(profile.flash.size, 0x400000, "form %s", forms[i]);
	}
	profile_test_expect_valid(
	    profile_test_edit(profile_test_qemu, "memory.ram.origin", "536870912"),
	    PROFILE_TEST_QEMU_PATH, &profile);
	cr_assert_eq(profile.ram.origin, 0x20000000);
}

Test(profile, region_may_end_exactly_at_4_gib)
{
	struct board_profile profile;

	profile_test_expect_valid(profile_test_edit2(profile_test_qemu, "memory.ram.origin",
						     "\"0xFFFF0000\"", "memory.ram.size",
						     "\"64K\""),
				  PROFILE_TEST_QEMU_PATH, &profile);
	cr_assert_eq(profile.ram.origin, 0xffff0000);
	cr_assert_eq(profile.ram.size, 0x10000);
}

Test(profile, tcp_console_is_valid)
{
	char *text = profile_test_edit2(profile_test_openocd, "console.transport", "\"tcp\"",
					"console.device", "\"lab-host:4001\"");
	struct board_profile profile;

	profile_test_expect_valid(profile_test_edit(text, "console.baud", NULL),
				  PROFILE_TEST_OPENOCD_PATH, &profile);
	free(text);
	cr_assert_str_eq(profile.console.device, "lab-host:4001");
	cr_assert_eq(profile.console.baud, 0);
}

Test(profile, without_a_path_the_id_is_not_checked)
{
	struct board_profile profile;

	cr_assert_eq(profile_parse(profile_test_qemu, strlen(profile_test_qemu), NULL, &profile),
		     HB_OK, "%s", profile_test_log);
	cr_assert_str_eq(profile.id, "qemu-m4");
	cr_assert_str_eq(profile.path, "");
}

Test(profile, names_of_enums)
{
	cr_assert_str_eq(profile_counter_name(PROFILE_COUNTER_DWT), "dwt");
	cr_assert_str_eq(profile_counter_name(PROFILE_COUNTER_SYSTICK), "systick");
	cr_assert_str_eq(profile_counter_name(PROFILE_COUNTER_EMULATED_INSTRUCTIONS),
			 "emulated-instructions");
	cr_assert_str_eq(profile_verified_name(PROFILE_VERIFIED_EMULATED), "emulated");
	cr_assert_str_eq(profile_verified_name(PROFILE_VERIFIED_COMPILE_ONLY), "compile-only");
	cr_assert_str_eq(profile_verified_name(PROFILE_VERIFIED_HARDWARE), "hardware");
}

/* ---- malformed JSON ---- */

Test(profile, invalid_json_names_line_and_column)
{
	char *text = profile_test_copy("{\n  \"schema\": 1,\n  \"id\": ,\n}\n");

	profile_test_expect_error(text, "boards/broken.json",
				  "boards/broken.json:3:9: invalid JSON", NULL);
}

Test(profile, trailing_garbage_is_invalid_json)
{
	char *text = malloc(sizeof profile_test_qemu + 8);

	cr_assert_not_null(text);
	snprintf(text, sizeof profile_test_qemu + 8, "%sxyz", profile_test_qemu);
	profile_test_expect_error(text, PROFILE_TEST_QEMU_PATH,
				  "boards/qemu-m4.json:20:1: invalid JSON", NULL);
}

Test(profile, nul_byte_is_invalid_json)
{
	struct board_profile profile;
	const char text[] = "{\"schema\": 1,\0 \"id\": \"x\"}";

	cr_assert_eq(profile_parse(text, sizeof text - 1, "boards/x.json", &profile), HB_ERR_INPUT);
	cr_assert_not_null(strstr(profile_test_log, "boards/x.json:1:14: invalid JSON: NUL byte"),
			   "%s", profile_test_log);
}

Test(profile, top_level_must_be_an_object)
{
	profile_test_expect_error(profile_test_copy("[1, 2]"), "boards/x.json",
				  "expected a JSON object at the top level, got an array", NULL);
}

/* ---- presence, types, unknown and repeated fields ---- */

Test(profile, every_required_field_is_reported_missing)
{
	static const struct {
		const char *path, *expected;
	} required[] = {
	    {"schema", "missing field 'schema' (expected 1)"},
	    {"id", "missing field 'id' (expected a non-empty string of letters"},
	    {"name", "missing field 'name' (expected a non-empty string)"},
	    {"core", "missing field 'core' (expected one of cortex-m0, cortex-m0plus"},
	    {"fpu", "missing field 'fpu' (expected one of none, fpv4-sp-d16"},
	    {"dsp", "missing field 'dsp' (expected true or false)"},
	    {"clock_hz", "missing field 'clock_hz' (expected a positive integer"},
	    {"memory", "missing field 'memory' (expected an object)"},
	    {"memory.flash", "missing field 'memory.flash' (expected an object)"},
	    {"memory.ram", "missing field 'memory.ram' (expected an object)"},
	    {"memory.flash.origin", "missing field 'memory.flash.origin' (expected an integer"},
	    {"memory.ram.size", "missing field 'memory.ram.size' (expected an integer"},
	    {"firmware", "missing field 'firmware' (expected an object)"},
	    {"firmware.port", "missing field 'firmware.port' (expected a non-empty string"},
	    {"flasher", "missing field 'flasher' (expected an object)"},
	    {"flasher.driver", "missing field 'flasher.driver' (expected one of qemu, openocd)"},
	    {"console", "missing field 'console' (expected an object)"},
	    {"console.transport",
	     "missing field 'console.transport' (expected one of qemu, serial, tcp)"},
	    {"cycle_counter", "missing field 'cycle_counter' (expected one of dwt, systick, "
			      "emulated-instructions)"},
	    {"verified", "missing field 'verified' (expected one of emulated, compile-only, "
			 "hardware)"},
	};

	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		profile_test_expect_error(
		    profile_test_edit(profile_test_qemu, required[i].path, NULL),
		    PROFILE_TEST_QEMU_PATH, required[i].expected, NULL);
}

Test(profile, wrong_types_are_reported)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "clock_hz", "\"fast\""),
				  PROFILE_TEST_QEMU_PATH,
				  "boards/qemu-m4.json: field 'clock_hz': expected a positive "
				  "integer below 2^32 (Hz), got \"fast\"",
				  NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "dsp", "\"yes\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'dsp': expected true or false, got \"yes\"", NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "name", "5"),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'name': expected a non-empty string, got 5", NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "name", "\"\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'name': expected a non-empty string, got \"\"", NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "memory", "[]"),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'memory': expected an object, got an array", NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "flasher.machine", "null"),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'flasher.machine': expected a non-empty string without "
				  "spaces, got null",
				  NULL);
}

Test(profile, unknown_root_field_suggests_the_close_one)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "clok_hz", "1"),
				  PROFILE_TEST_QEMU_PATH,
				  "boards/qemu-m4.json: unknown field 'clok_hz' (did you mean "
				  "'clock_hz'?)",
				  NULL);
}

Test(profile, unknown_nested_fields_suggest_at_every_level)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "memory.flash.sise", "1"),
				  PROFILE_TEST_QEMU_PATH,
				  "unknown field 'memory.flash.sise' (did you mean "
				  "'memory.flash.size'?)",
				  NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "memory.rma", "{}"),
				  PROFILE_TEST_QEMU_PATH,
				  "unknown field 'memory.rma' (did you mean 'memory.ram'?)", NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "flasher.machin", "\"x\""), PROFILE_TEST_QEMU_PATH,
	    "unknown field 'flasher.machin' (did you mean 'flasher.machine'?)", NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "firmware.prot", "\"x\""), PROFILE_TEST_QEMU_PATH,
	    "unknown field 'firmware.prot' (did you mean 'firmware.port'?)", NULL);
}

Test(profile, unknown_field_without_a_close_name_lists_the_known_ones)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "console.baudrate", "9600"),
	    PROFILE_TEST_OPENOCD_PATH,
	    "boards/nucleo-test.json: unknown field 'console.baudrate' (known "
	    "fields here: transport, device, baud)",
	    NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "thermals", "{}"),
				  PROFILE_TEST_QEMU_PATH,
				  "unknown field 'thermals' (known fields here: "
				  "schema, id, name",
				  NULL);
}

Test(profile, control_bytes_in_names_are_not_echoed)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "\x1b[31m", "1"),
				  PROFILE_TEST_QEMU_PATH, "unknown field '?[31m'", NULL);
	cr_assert_null(strchr(profile_test_log, '\x1b'));
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "name", "\"a\\u001bb\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'name': expected a non-empty string, got \"a?b\"", NULL);
	cr_assert_null(strchr(profile_test_log, '\x1b'));
}

Test(profile, repeated_field_is_rejected)
{
	size_t capacity = sizeof profile_test_qemu + 32;
	char *text = malloc(capacity);

	cr_assert_not_null(text);
	snprintf(text, capacity, "{\"dsp\": false,%s", profile_test_qemu + 1);
	profile_test_expect_error(text, PROFILE_TEST_QEMU_PATH,
				  "boards/qemu-m4.json: field 'dsp' appears more than once", NULL);
}

Test(profile, several_problems_are_all_reported)
{
	char *text = profile_test_edit2(profile_test_qemu, "clock_hz", "0", "core", "\"m4\"");

	profile_test_expect_error(text, PROFILE_TEST_QEMU_PATH, "field 'clock_hz'", "field 'core'",
				  NULL);
}

/* ---- values ---- */

Test(profile, schema_must_be_1)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "schema", "2"),
				  PROFILE_TEST_QEMU_PATH,
				  "boards/qemu-m4.json: field 'schema': expected 1, got 2", NULL);
}

Test(profile, id_must_match_the_file_name)
{
	profile_test_expect_error(profile_test_copy(profile_test_qemu), "boards/qemu-m4-copy.json",
				  "boards/qemu-m4-copy.json: field 'id': expected \"qemu-m4-copy\" "
				  "(the file name without .json), got \"qemu-m4\"",
				  NULL);
}

Test(profile, id_must_be_a_plain_name)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "id", "\"../qemu m4\""), PROFILE_TEST_QEMU_PATH,
	    "field 'id': expected a non-empty string of letters, digits, '-' or "
	    "'_', got \"../qemu m4\"",
	    NULL);
}

Test(profile, clock_must_be_a_positive_32_bit_integer)
{
	static const char *const bad[] = {"0", "-25000000", "1.5", "4294967296", "true"};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char expected[128];

		snprintf(expected, sizeof expected, "got %s", bad[i]);
		profile_test_expect_error(profile_test_edit(profile_test_qemu, "clock_hz", bad[i]),
					  PROFILE_TEST_QEMU_PATH,
					  "field 'clock_hz': expected a positive integer", expected,
					  NULL);
	}
}

Test(profile, region_size_must_not_be_zero)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "memory.flash.size", "0"), PROFILE_TEST_QEMU_PATH,
	    "boards/qemu-m4.json: field 'memory.flash.size': expected a region "
	    "size above 0, got 0",
	    NULL);
}

Test(profile, region_must_fit_in_32_bits)
{
	profile_test_expect_error(profile_test_edit2(profile_test_qemu, "memory.ram.origin",
						     "\"0xFFFF0000\"", "memory.ram.size",
						     "\"128K\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'memory.ram': expected origin + size within the 32-bit "
				  "address space, got 0xffff0000 + 0x20000",
				  NULL);
}

Test(profile, flash_and_ram_must_not_overlap)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "memory.ram.origin", "\"0x00200000\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'memory': expected flash and ram not to overlap, got flash "
	    "0x00000000-0x003fffff and ram 0x00200000-0x005fffff",
	    NULL);
}

Test(profile, malformed_sizes_are_rejected)
{
	static const char *const bad[] = {"\"4G\"",
					  "\"0x\"",
					  "\"12k\"",
					  "\"\"",
					  "\"-1\"",
					  "\" 4M\"",
					  "\"4MB\"",
					  "\"0x100000000\"",
					  "\"4294967296\"",
					  "\"4096M\"",
					  "-1",
					  "4294967296",
					  "1.5",
					  "[]"};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char expected[128];

		snprintf(expected, sizeof expected, "got %s", bad[i]);
		profile_test_expect_error(
		    profile_test_edit(profile_test_qemu, "memory.flash.size", bad[i]),
		    PROFILE_TEST_QEMU_PATH,
		    "field 'memory.flash.size': expected an integer or a "
		    "string such as \"0x08000000\", \"512K\" or \"4M\"",
		    bad[i][0] == '[' ? "got an array" : expected, NULL);
	}
}

Test(profile, core_must_be_known)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "core", "\"cortex-m5\""), PROFILE_TEST_QEMU_PATH,
	    "field 'core': expected one of cortex-m0, cortex-m0plus, cortex-m3, "
	    "cortex-m4, cortex-m7, cortex-m33, cortex-m55, got \"cortex-m5\"",
	    NULL);
}

Test(profile, fpu_must_be_known)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "fpu", "\"neon\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'fpu': expected one of none, fpv4-sp-d16, fpv5-sp-d16, "
				  "fpv5-d16, got \"neon\"",
				  NULL);
}

Test(profile, fpu_must_exist_on_the_core)
{
	profile_test_expect_error(
	    profile_test_edit2(profile_test_qemu, "core", "\"cortex-m3\"", "dsp", "false"),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'fpu': expected none for cortex-m3, got "
	    "\"fpv4-sp-d16\"",
	    NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "fpu", "\"fpv5-d16\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'fpu': expected one of none, fpv4-sp-d16 for cortex-m4, "
				  "got \"fpv5-d16\"",
				  NULL);
}

/* The M55 has a double-precision FPU and DSP, and never FPv4. */
Test(profile, cortex_m55_takes_fpv5_and_dsp)
{
	struct board_profile profile;

	profile_test_expect_valid(
	    profile_test_edit2(profile_test_qemu, "core", "\"cortex-m55\"", "fpu", "\"fpv5-d16\""),
	    PROFILE_TEST_QEMU_PATH, &profile);
	cr_assert_str_eq(profile.core, "cortex-m55");
	cr_assert(profile.dsp);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "core", "\"cortex-m55\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'fpu': expected one of none, fpv5-sp-d16, fpv5-d16 for "
				  "cortex-m55, got \"fpv4-sp-d16\"",
				  NULL);
}

Test(profile, dsp_needs_a_core_with_dsp)
{
	profile_test_expect_error(
	    profile_test_edit2(profile_test_qemu, "core", "\"cortex-m3\"", "fpu", "\"none\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'dsp': expected false for cortex-m3 (it has no DSP "
	    "extension), got true",
	    NULL);
}

Test(profile, enums_list_their_allowed_values)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "flasher.driver", "\"jlink\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'flasher.driver': expected one of qemu, openocd, got "
	    "\"jlink\"",
	    NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "console.transport", "\"usb\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'console.transport': expected one of qemu, serial, tcp, got "
	    "\"usb\"",
	    NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "cycle_counter", "\"pmu\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'cycle_counter': expected one of dwt, systick, "
				  "emulated-instructions, got \"pmu\"",
				  NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "verified", "\"yes\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'verified': expected one of emulated, compile-only, "
				  "hardware, got \"yes\"",
				  NULL);
}

Test(profile, strings_too_long_are_errors_not_truncated)
{
	char long_name[260] = {0};
	char value[300];

	memset(long_name, 'n', 200);
	long_name[200] = '\0';
	snprintf(value, sizeof value, "\"%s\"", long_name);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "name", value),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'name': expected at most 127 characters, got 200", NULL);
	memset(long_name, 'd', 256);
	long_name[0] = '/';
	snprintf(value, sizeof value, "\"%s\"", long_name);
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "console.device", value),
	    PROFILE_TEST_OPENOCD_PATH,
	    "field 'console.device': expected at most 255 characters, got 256", NULL);
}

/* ---- cross-field rules ---- */

Test(profile, qemu_driver_needs_a_machine)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "flasher.machine", NULL), PROFILE_TEST_QEMU_PATH,
	    "missing field 'flasher.machine' (expected a QEMU machine name such "
	    "as \"mps2-an386\" with driver \"qemu\")",
	    NULL);
}

Test(profile, qemu_driver_needs_qemu_transport)
{
	char *text = profile_test_edit2(profile_test_qemu, "console.transport", "\"serial\"",
					"console.device", "\"/dev/ttyACM0\"");

	profile_test_expect_error(
	    profile_test_edit(text, "console.baud", "115200"), PROFILE_TEST_QEMU_PATH,
	    "field 'console.transport': expected \"qemu\" with flasher driver "
	    "\"qemu\" (it makes the console), got \"serial\"",
	    NULL);
	free(text);
}

Test(profile, qemu_driver_needs_emulated_instruction_counts)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "cycle_counter", "\"dwt\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'cycle_counter': expected \"emulated-instructions\" with "
				  "flasher driver \"qemu\", got \"dwt\"",
				  NULL);
}

Test(profile, qemu_driver_is_verified_emulated)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "verified", "\"hardware\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'verified': expected \"emulated\" with flasher driver "
				  "\"qemu\", got \"hardware\"",
				  NULL);
}

Test(profile, qemu_driver_refuses_openocd_fields)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "flasher.interface", "\"interface/stlink.cfg\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'flasher.interface': not used with driver \"qemu\" (expected "
	    "only driver, machine)",
	    NULL);
}

Test(profile, openocd_driver_needs_interface_and_target)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "flasher.interface", NULL),
	    PROFILE_TEST_OPENOCD_PATH,
	    "missing field 'flasher.interface' (expected an OpenOCD config such "
	    "as \"interface/stlink.cfg\" with driver \"openocd\")",
	    NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "flasher.target", NULL),
	    PROFILE_TEST_OPENOCD_PATH,
	    "missing field 'flasher.target' (expected an OpenOCD config such as "
	    "\"target/stm32f4x.cfg\" with driver \"openocd\")",
	    NULL);
}

Test(profile, openocd_driver_refuses_qemu_fields)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "flasher.machine", "\"mps2-an386\""),
	    PROFILE_TEST_OPENOCD_PATH, "field 'flasher.machine': not used with driver \"openocd\"",
	    NULL);
}

Test(profile, openocd_driver_needs_serial_or_tcp)
{
	char *text = profile_test_edit2(profile_test_openocd, "console.transport", "\"qemu\"",
					"console.device", NULL);

	profile_test_expect_error(profile_test_edit(text, "console.baud", NULL),
				  PROFILE_TEST_OPENOCD_PATH,
				  "field 'console.transport': expected one of serial, tcp with "
				  "flasher driver \"openocd\", got \"qemu\"",
				  NULL);
	free(text);
}

Test(profile, openocd_driver_refuses_emulated_counts_and_verification)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "cycle_counter", "\"emulated-instructions\""),
	    PROFILE_TEST_OPENOCD_PATH,
	    "field 'cycle_counter': expected \"dwt\" or \"systick\" with flasher "
	    "driver \"openocd\", got \"emulated-instructions\"",
	    NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "verified", "\"emulated\""),
	    PROFILE_TEST_OPENOCD_PATH,
	    "field 'verified': expected \"compile-only\" or \"hardware\" with "
	    "flasher driver \"openocd\", got \"emulated\"",
	    NULL);
}

Test(profile, armv6m_cores_have_no_dwt)
{
	static const char *const cores[] = {"cortex-m0", "cortex-m0plus"};

	for (size_t i = 0; i < 2; i++) {
		char core[32], expected[160];
		char *text =
		    profile_test_edit2(profile_test_openocd, "fpu", "\"none\"", "dsp", "false");

		snprintf(core, sizeof core, "\"%s\"", cores[i]);
		snprintf(expected, sizeof expected,
			 "field 'cycle_counter': expected \"systick\" for %s (ARMv6-M has no DWT "
			 "cycle counter), got \"dwt\"",
			 cores[i]);
		profile_test_expect_error(profile_test_edit(text, "core", core),
					  PROFILE_TEST_OPENOCD_PATH, expected, NULL);
		free(text);
	}
}

Test(profile, cortex_m0_with_systick_is_valid)
{
	char *first = profile_test_edit2(profile_test_openocd, "fpu", "\"none\"", "dsp", "false");
	char *second =
	    profile_test_edit2(first, "core", "\"cortex-m0plus\"", "cycle_counter", "\"systick\"");
	struct board_profile profile;

	free(first);
	profile_test_expect_valid(second, PROFILE_TEST_OPENOCD_PATH, &profile);
	cr_assert_eq(profile.counter, PROFILE_COUNTER_SYSTICK);
}

Test(profile, serial_needs_device_and_baud)
{
	profile_test_expect_error(profile_test_edit(profile_test_openocd, "console.device", NULL),
				  PROFILE_TEST_OPENOCD_PATH,
				  "missing field 'console.device' (expected a serial port such as "
				  "\"/dev/ttyACM0\" with transport \"serial\")",
				  NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "console.baud", NULL),
	    PROFILE_TEST_OPENOCD_PATH,
	    "missing field 'console.baud' (expected a positive integer such as "
	    "115200 with transport \"serial\")",
	    NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "console.baud", "0"), PROFILE_TEST_OPENOCD_PATH,
	    "field 'console.baud': expected a positive integer (bit/s), got 0", NULL);
}

Test(profile, tcp_needs_host_and_port)
{
	static const char *const bad[] = {"\"lab-host\"",	"\"lab-host:\"",  "\":4001\"",
					  "\"lab-host:99999\"", "\"lab-host:0\"", "\"h:40x1\""};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text = profile_test_edit2(profile_test_openocd, "console.transport",
						"\"tcp\"", "console.baud", NULL);
		char expected[160];

		snprintf(expected, sizeof expected,
			 "field 'console.device': expected \"host:port\" with a port from 1 to "
			 "65535, got %s",
			 bad[i]);
		profile_test_expect_error(profile_test_edit(text, "console.device", bad[i]),
					  PROFILE_TEST_OPENOCD_PATH, expected, NULL);
		free(text);
	}
}

/* profile.c knows no transport by name: each driver in the table says what
 * of the console it reads, and "transport" is always among it. */
Test(profile, every_transport_driver_checks_its_own_console_fields)
{
	const char *const *names = transport_names();

	cr_assert_not_null(names[0]);
	for (size_t i = 0; names[i]; i++) {
		const struct transport_driver *driver = transport_find(names[i]);

		cr_assert_not_null(driver->check_profile, "%s: no check_profile", names[i]);
		cr_assert_not_null(driver->profile_fields, "%s: no profile_fields", names[i]);
		cr_assert_str_eq(driver->profile_fields[0], "transport", "%s", names[i]);
	}
}

Test(profile, tcp_refuses_baud)
{
	char *text = profile_test_edit2(profile_test_openocd, "console.transport", "\"tcp\"",
					"console.device", "\"lab-host:4001\"");

	profile_test_expect_error(text, PROFILE_TEST_OPENOCD_PATH,
				  "field 'console.baud': not used with transport \"tcp\"", NULL);
}

Test(profile, qemu_transport_refuses_device)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "console.device", "\"/dev/ttyACM0\""),
	    PROFILE_TEST_QEMU_PATH, "field 'console.device': not used with transport \"qemu\"",
	    NULL);
}

/* ---- files and folders ---- */

struct profile_test_dir {
	char path[64];
	char files[8][32];
	size_t count;
};

static void profile_test_dir_add(struct profile_test_dir *dir, const char *file, const char *text)
{
	char path[160];
	FILE *out;

	snprintf(path, sizeof path, "%s/%s", dir->path, file);
	out = fopen(path, "w");
	cr_assert_not_null(out);
	fputs(text, out);
	fclose(out);
	snprintf(dir->files[dir->count++], sizeof dir->files[0], "%s", file);
}

static void profile_test_dir_remove(struct profile_test_dir *dir)
{
	char path[160];

	for (size_t i = 0; i < dir->count; i++) {
		snprintf(path, sizeof path, "%s/%s", dir->path, dir->files[i]);
		unlink(path);
	}
	rmdir(dir->path);
}

/* A folder with b.json and a.json (valid), c.json (invalid) and a text file. */
static void profile_test_dir_make(struct profile_test_dir *dir)
{
	char *text;

	snprintf(dir->path, sizeof dir->path, "/tmp/hilbench-profile-XXXXXX");
	dir->count = 0;
	cr_assert_not_null(mkdtemp(dir->path));
	text = profile_test_edit(profile_test_qemu, "id", "\"b\"");
	profile_test_dir_add(dir, "b.json", text);
	free(text);
	text = profile_test_edit(profile_test_openocd, "id", "\"a\"");
	profile_test_dir_add(dir, "a.json", text);
	free(text);
	text = profile_test_edit2(profile_test_qemu, "id", "\"c\"", "clock_hz", "-1");
	profile_test_dir_add(dir, "c.json", text);
	free(text);
	profile_test_dir_add(dir, "notes.txt", "not a profile");
}

Test(profile, load_missing_file_is_not_found)
{
	struct board_profile profile;

	cr_assert_eq(profile_load("boards/no-such-board.json", &profile), HB_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(profile_test_log, "'boards/no-such-board.json': no such file"),
			   "%s", profile_test_log);
}

Test(profile, find_unknown_id_lists_the_available_ones)
{
	struct profile_test_dir dir;
	struct board_profile profile;
	char expected[256];
	int status;

	profile_test_dir_make(&dir);
	status = profile_find(dir.path, "bb", &profile);
	snprintf(expected, sizeof expected,
		 "board 'bb' not found in '%s' (did you mean 'b'? available: a, b, c)", dir.path);
	profile_test_dir_remove(&dir);
	cr_assert_eq(status, HB_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(profile_test_log, expected), "%s", profile_test_log);
}

Test(profile, find_unknown_id_in_shipped_boards)
{
	struct board_profile profile;

	cr_assert_eq(profile_find("boards", "stm32-nonexistent", &profile), HB_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(profile_test_log, "board 'stm32-nonexistent' not found in "
						    "'boards' (available: "),
			   "%s", profile_test_log);
	cr_assert_not_null(strstr(profile_test_log, "qemu-m4"), "%s", profile_test_log);
	cr_assert_not_null(strstr(profile_test_log, "nucleo-f446re"), "%s", profile_test_log);
}

Test(profile, find_does_not_leave_the_folder)
{
	struct board_profile profile;

	cr_assert_eq(profile_find("boards/../boards", "../boards/qemu-m4", &profile),
		     HB_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(profile_test_log, "board '../boards/qemu-m4' not found"), "%s",
			   profile_test_log);
}

Test(profile, find_reports_an_invalid_profile_as_invalid)
{
	struct profile_test_dir dir;
	struct board_profile profile;
	int status;

	profile_test_dir_make(&dir);
	status = profile_find(dir.path, "c", &profile);
	profile_test_dir_remove(&dir);
	cr_assert_eq(status, HB_ERR_INPUT);
	cr_assert_not_null(
	    strstr(profile_test_log, "/c.json: field 'clock_hz': expected a positive"), "%s",
	    profile_test_log);
}

Test(profile, list_sorts_and_counts_invalid_files)
{
	struct profile_test_dir dir;
	struct board_profile *profiles = NULL;
	size_t count = 99, invalid = 99;
	int status;

	profile_test_dir_make(&dir);
	status = profile_list(dir.path, &profiles, &count, &invalid);
	profile_test_dir_remove(&dir);
	cr_assert_eq(status, HB_OK, "%s", profile_test_log);
	cr_assert_eq(count, 2);
	cr_assert_eq(invalid, 1);
	cr_assert_str_eq(profiles[0].id, "a");
	cr_assert_str_eq(profiles[1].id, "b");
	cr_assert_str_eq(profiles[0].flasher.driver, "openocd");
	cr_assert_not_null(strstr(profile_test_log, "/c.json: field 'clock_hz'"), "%s",
			   profile_test_log);
	free(profiles);
}

Test(profile, list_of_shipped_boards)
{
	struct board_profile *profiles = NULL;
	size_t count = 0, invalid = 99;

	cr_assert_eq(profile_list("boards", &profiles, &count, &invalid), HB_OK);
	cr_assert_eq(invalid, 0, "%s", profile_test_log);
	cr_assert_geq(count, 4);
	for (size_t i = 1; i < count; i++)
		cr_assert_lt(strcmp(profiles[i - 1].id, profiles[i].id), 0);
	free(profiles);
}

Test(profile, list_missing_folder_is_not_found)
{
	struct board_profile *profiles = NULL;
	size_t count, invalid;

	cr_assert_eq(profile_list("/nonexistent/hilbench-boards", &profiles, &count, &invalid),
		     HB_ERR_NOT_FOUND);
	cr_assert_null(profiles);
	cr_assert_not_null(strstr(profile_test_log, "'/nonexistent/hilbench-boards': no such "
						    "folder"),
			   "%s", profile_test_log);
}

Test(profile, model_region_must_lie_inside_flash)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "memory.model.origin", "\"0x00400000\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'memory.model': expected a region inside flash after the firmware", NULL);
}

#define PROFILE_TEST_ENERGY_MODEL                                                                  \
	"{\"model\": {\"chip\": \"Test chip\", \"supply_v\": 3.0, \"run_current_ma\": 4.4, "       \
	"\"at_clock_hz\": 16000000, \"datasheet\": \"Test PS v1, table 9\"}, "                     \
	"\"window_pin\": \"P0.02\"}"

Test(profile, energy_model_is_read)
{
	struct board_profile profile;

	profile_test_expect_valid(
	    profile_test_edit(profile_test_qemu, "energy", PROFILE_TEST_ENERGY_MODEL),
	    PROFILE_TEST_QEMU_PATH, &profile);
	cr_assert(profile.energy.model.present);
	cr_assert_str_eq(profile.energy.model.chip, "Test chip");
	cr_assert_float_eq(profile.energy.model.supply_v, 3.0, 1e-12);
	cr_assert_float_eq(profile.energy.model.run_current_ma, 4.4, 1e-12);
	cr_assert_eq(profile.energy.model.at_clock_hz, 16000000u);
	cr_assert_str_eq(profile.energy.window_pin, "P0.02");
}

Test(profile, energy_is_optional)
{
	struct board_profile profile;

	profile_test_expect_valid(profile_test_copy(profile_test_qemu), PROFILE_TEST_QEMU_PATH,
				  &profile);
	cr_assert(!profile.energy.model.present);
	cr_assert_str_eq(profile.energy.window_pin, "");
}

Test(profile, energy_model_figures_are_all_required_and_checked)
{
	char *with = profile_test_edit(profile_test_qemu, "energy", PROFILE_TEST_ENERGY_MODEL);

	profile_test_expect_error(profile_test_edit(with, "energy.model.datasheet", NULL),
				  PROFILE_TEST_QEMU_PATH, "energy.model.datasheet", NULL);
	profile_test_expect_error(profile_test_edit(with, "energy.model.supply_v", "0"),
				  PROFILE_TEST_QEMU_PATH, "energy.model.supply_v",
				  "a supply voltage in volts", NULL);
	profile_test_expect_error(profile_test_edit(with, "energy.model.run_current_ma", "\"4\""),
				  PROFILE_TEST_QEMU_PATH, "energy.model.run_current_ma", NULL);
	profile_test_expect_error(profile_test_edit(with, "energy.model.at_clock_hz", "0"),
				  PROFILE_TEST_QEMU_PATH, "energy.model.at_clock_hz", NULL);
	profile_test_expect_error(profile_test_edit(with, "energy.model.idle_ma", "1"),
				  PROFILE_TEST_QEMU_PATH, "idle_ma", NULL);
	profile_test_expect_error(profile_test_edit(with, "energy.pin", "\"x\""),
				  PROFILE_TEST_QEMU_PATH, "pin", NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "energy", "3"),
				  PROFILE_TEST_QEMU_PATH, "energy", "an object", NULL);
	free(with);
}

/* Every profile in boards/ is one of the tables above or below: a new
 * board must come with its expected facts. */
Test(profile, every_shipped_profile_is_checked_by_a_table)
{
	static const char *const checked[] = {
	    "disco-f746",  "nrf52840dk", "nucleo-f446re", "nucleo-l4r5zi", "pico",    "qemu-f405",
	    "qemu-l4r5zi", "qemu-m0",	 "qemu-m3",	  "qemu-m33",	   "qemu-m4", "qemu-m55",
	    "qemu-m7",	   NULL,
	};
	struct board_profile *profiles = NULL;
	size_t count = 0, invalid = 0, listed = 0;

	cr_assert_eq(profile_list("boards", &profiles, &count, &invalid), HB_OK);
	cr_assert_eq(invalid, 0, "%s", profile_test_log);
	for (size_t i = 0; i < count; i++) {
		size_t j = 0;

		while (checked[j] && strcmp(checked[j], profiles[i].id) != 0)
			j++;
		cr_assert_not_null(checked[j], "boards/%s.json is in no table of test_profile.c",
				   profiles[i].id);
	}
	while (checked[listed])
		listed++;
	cr_assert_eq(count, listed, "a profile the tables check is missing from boards/");
	free(profiles);
}

/* The real boards built in make test, compile-only until run on hardware:
 * the port, its OpenOCD configs and the memory map of its memory.ld. */
Test(profile, shipped_real_board_profiles_load)
{
	static const struct {
		const char *id, *core, *fpu, *port, *interface, *target;
		enum profile_counter counter;
		uint32_t clock_hz, flash_size, ram_origin, ram_size, model_origin, model_size, baud;
	} expected[] = {
	    {"nucleo-l4r5zi", "cortex-m4", "fpv4-sp-d16", "stm32l4r5", "interface/stlink.cfg",
	     "target/stm32l4x.cfg", PROFILE_COUNTER_DWT, 120000000, 2u << 20, 0x20000000,
	     640u << 10, 0x08040000, 1792u << 10, 921600},
	    {"nrf52840dk", "cortex-m4", "fpv4-sp-d16", "nrf52840", "interface/jlink.cfg",
	     "board/nordic_nrf52_dk.cfg", PROFILE_COUNTER_DWT, 64000000, 1u << 20, 0x20000000,
	     256u << 10, 0x00040000, 768u << 10, 1000000},
	    {"pico", "cortex-m0plus", "none", "rp2040", "interface/cmsis-dap.cfg",
	     "target/rp2040.cfg", PROFILE_COUNTER_SYSTICK, 125000000, 2u << 20, 0x20000000,
	     264u << 10, 0x10040000, 1792u << 10, 921600},
	    {"disco-f746", "cortex-m7", "fpv5-sp-d16", "stm32f7", "interface/stlink.cfg",
	     "target/stm32f7x.cfg", PROFILE_COUNTER_DWT, 216000000, 1u << 20, 0x20000000,
	     320u << 10, 0x08040000, 768u << 10, 921600},
	};

	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		struct board_profile profile;
		char path[64];

		snprintf(path, sizeof path, "boards/%s.json", expected[i].id);
		cr_assert_eq(profile_load(path, &profile), HB_OK, "%s: %s", path, profile_test_log);
		cr_assert_str_eq(profile.core, expected[i].core);
		cr_assert_str_eq(profile.fpu, expected[i].fpu);
		cr_assert_str_eq(profile.port, expected[i].port);
		cr_assert_str_eq(profile.flasher.driver, "openocd");
		cr_assert_str_eq(profile.flasher.interface_cfg, expected[i].interface);
		cr_assert_str_eq(profile.flasher.target_cfg, expected[i].target);
		cr_assert_eq(profile.counter, expected[i].counter);
		cr_assert_eq(profile.clock_hz, expected[i].clock_hz);
		cr_assert_eq(profile.flash.size, expected[i].flash_size);
		cr_assert_eq(profile.ram.origin, expected[i].ram_origin);
		cr_assert_eq(profile.ram.size, expected[i].ram_size);
		cr_assert_eq(profile.model.origin, expected[i].model_origin);
		cr_assert_eq(profile.model.size, expected[i].model_size);
		cr_assert_eq(profile.console.baud, expected[i].baud);
		cr_assert_not_null(profile_note(&profile, "console.baud"),
				   "%s: the baud must say why (notes.console.baud)", path);
		cr_assert_neq(profile.energy.window_pin[0], '\0', "%s: no window pin", path);
		cr_assert_eq(profile.verified, PROFILE_VERIFIED_COMPILE_ONLY);
		cr_assert_str_eq(profile.emulates, "");
	}
}

/* An emulated stand-in answers for the real board's RAM, flash and clock;
 * any other board for its own. */
Test(profile, stand_in_takes_the_real_boards_limits)
{
	struct board_profile profile;
	struct profile_limits limits;
	char label[160];

	cr_assert_eq(profile_load("boards/qemu-l4r5zi.json", &profile), HB_OK, "%s",
		     profile_test_log);
	cr_assert_str_eq(profile.emulates, "nucleo-l4r5zi");
	limits = profile_limits(&profile);
	cr_assert_str_eq(limits.board_id, "nucleo-l4r5zi");
	cr_assert_eq(limits.clock_hz, 120000000);
	cr_assert_eq(limits.ram.size, 640u << 10);
	cr_assert_eq(limits.flash.origin, 0x08000000);
	cr_assert_eq(limits.model.origin, 0x08040000);
	cr_assert_eq(limits.model.size, 1792u << 10);
	/* The emulated machine's own facts stay what the firmware runs on. */
	cr_assert_eq(profile.clock_hz, 25000000);
	cr_assert_eq(profile.ram.size, 4u << 20);
	profile_stand_in_label(&profile, label, sizeof label);
	cr_assert_str_eq(label, "emulated stand-in for nucleo-l4r5zi: limits from its profile, "
				"counts from QEMU");

	cr_assert_eq(profile_load("boards/qemu-m4.json", &profile), HB_OK);
	limits = profile_limits(&profile);
	cr_assert_str_eq(limits.board_id, "qemu-m4");
	cr_assert_eq(limits.clock_hz, 25000000);
	cr_assert_eq(limits.ram.size, 4u << 20);
	profile_stand_in_label(&profile, label, sizeof label);
	cr_assert_str_eq(label, "");
}

Test(profile, emulates_must_name_a_profile_beside_it)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_qemu, "emulates", "\"nucleo-l4r5z\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'emulates': expected the id of a board profile beside this one, got "
	    "\"nucleo-l4r5z\" ('boards/nucleo-l4r5z.json'",
	    NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "emulates", "\"../x\""),
				  PROFILE_TEST_QEMU_PATH, "field 'emulates'", NULL);
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "emulates", "7"),
				  PROFILE_TEST_QEMU_PATH, "field 'emulates'", NULL);
}

Test(profile, emulates_only_on_an_emulated_board)
{
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "emulates", "\"nucleo-l4r5zi\""),
	    PROFILE_TEST_OPENOCD_PATH, "field 'emulates': expected only on an emulated board",
	    "\"openocd\"", NULL);
}

Test(profile, emulates_must_name_a_real_board)
{
	profile_test_expect_error(profile_test_edit(profile_test_qemu, "emulates", "\"qemu-m4\""),
				  PROFILE_TEST_QEMU_PATH,
				  "field 'emulates': expected a real board's profile, got "
				  "'boards/qemu-m4.json', which is an emulated board",
				  NULL);
}

Test(profile, emulates_needs_the_same_core)
{
	profile_test_expect_error(
	    profile_test_edit2(profile_test_qemu, "dsp", "false", "emulates", "\"nucleo-l4r5zi\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'emulates': expected a board of this profile's core (cortex-m4, FPU "
	    "fpv4-sp-d16, DSP no), got 'nucleo-l4r5zi' with cortex-m4, FPU fpv4-sp-d16, DSP yes",
	    NULL);
}

/* The emulator must give the runs at least the real board's room, or a
 * model that fits the real board could not be run on its stand-in. */
Test(profile, emulates_needs_at_least_the_real_boards_room)
{
	profile_test_expect_error(
	    profile_test_edit2(profile_test_qemu, "memory.ram.size", "\"512K\"", "emulates",
			       "\"nucleo-l4r5zi\""),
	    PROFILE_TEST_QEMU_PATH,
	    "field 'emulates': expected the emulated board to have at least the RAM (655360 B)",
	    "got 524288", NULL);
}

Test(profile, notes_name_fields_of_the_profile)
{
	struct board_profile profile;

	profile_test_expect_valid(profile_test_edit(profile_test_openocd, "notes",
						    "{\"console.baud\": \"the bridge's limit\"}"),
				  PROFILE_TEST_OPENOCD_PATH, &profile);
	cr_assert_str_eq(profile_note(&profile, "console.baud"), "the bridge's limit");
	cr_assert_null(profile_note(&profile, "clock_hz"));
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "notes", "{\"clok_hz\": \"why\"}"),
	    PROFILE_TEST_OPENOCD_PATH,
	    "field 'notes.clok_hz': expected the name of a field this profile has", NULL);
	/* A field the profile does not have (no energy object here). */
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "notes", "{\"energy\": \"why\"}"),
	    PROFILE_TEST_OPENOCD_PATH, "field 'notes.energy'", NULL);
	profile_test_expect_error(
	    profile_test_edit(profile_test_openocd, "notes", "{\"clock_hz\": 3}"),
	    PROFILE_TEST_OPENOCD_PATH, "field 'notes.clock_hz'", NULL);
	profile_test_expect_error(profile_test_edit(profile_test_openocd, "notes", "[]"),
				  PROFILE_TEST_OPENOCD_PATH, "field 'notes'", NULL);
}
