/* The lab map: a valid one resolves, and every bad input is refused with a
 * message naming the file and the field. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/profile.h"
#include "lab/lab_map.h"
#include "util/error.h"

#include "test_lab.h"

static struct board_profile lab_map_test_profiles[LAB_TEST_PROFILE_COUNT];
static char lab_map_test_log[8192];

static void lab_map_test_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(lab_map_test_log);
	(void)level;
	(void)context;
	snprintf(lab_map_test_log + used, sizeof lab_map_test_log - used, "%s\n", message);
}

static void lab_map_test_setup(void)
{
	lab_map_test_log[0] = '\0';
	hb_log_set_sink(lab_map_test_sink, NULL);
	lab_test_make_profiles(lab_map_test_profiles);
}

static void lab_map_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

static int lab_map_test_parse(const char *text, struct lab_map *map)
{
	lab_map_test_log[0] = '\0';
	return lab_map_parse(text, strlen(text), "lab.json", lab_map_test_profiles,
			     LAB_TEST_PROFILE_COUNT, map);
}

#define LAB_MAP_TEST_NUCLEO                                                                        \
	"{\"id\": \"nucleo-a-1\", \"profile\": \"nucleo-a\","                                      \
	" \"probe\": {\"kind\": \"stlink-v2-1\", \"serial\": \"0669FF485550755187034646\"},"       \
	" \"console\": \"/dev/serial/by-id/usb-STM_STLink_0669-if02\"}"

TestSuite(lab_map, .init = lab_map_test_setup, .fini = lab_map_test_teardown);

Test(lab_map, a_real_and_an_emulated_instance_parse)
{
	struct lab_map map;

	cr_assert_eq(lab_map_test_parse("{\"schema\": 1, \"boards\": [" LAB_MAP_TEST_NUCLEO ","
					" {\"id\": \"qemu-1\", \"profile\": \"qemu-m4\"}]}",
					&map),
		     HB_OK, "%s", lab_map_test_log);
	cr_assert_eq(map.count, 2);
	cr_assert_str_eq(lab_map_find(&map, "nucleo-a-1")->probe_serial,
			 "0669FF485550755187034646");
	cr_assert_str_eq(lab_map_find(&map, "nucleo-a-1")->console,
			 "/dev/serial/by-id/usb-STM_STLink_0669-if02");
	cr_assert_not(lab_map_find(&map, "qemu-1")->has_probe);
	cr_assert_null(lab_map_find(&map, "qemu-m4"));
	lab_map_release(&map);
}

/* Each case: a whole map, and a part of the one message it must give. */
Test(lab_map, every_bad_input_names_file_and_field)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
	    {"{\"schema\": 1, \"boards\": [", "lab.json:1:"},
	    {"{\"schema\": 2, \"boards\": []}", "lab.json: field 'schema': expected 1"},
	    {"{\"schema\": 1}", "lab.json: missing field 'boards'"},
	    {"{\"schema\": 1, \"boards\": [], \"boads\": 1}",
	     "lab.json: unknown field 'boads' (did you mean 'boards'?)"},
	    {"{\"schema\": 1, \"boards\": {}}",
	     "lab.json: field 'boards': expected an array of at most 256 board instances"},
	    {"{\"schema\": 1, \"boards\": [7]}", "lab.json: field 'boards[0]': expected an object"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\": \"qemu-m4\", \"prob\": "
	     "1}]}",
	     "lab.json: unknown field 'boards[0].prob' (did you mean 'boards[0].probe'?)"},
	    {"{\"schema\": 1, \"boards\": [{\"profile\": \"qemu-m4\"}]}",
	     "lab.json: missing field 'boards[0].id'"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": 3, \"profile\": \"qemu-m4\"}]}",
	     "lab.json: field 'boards[0].id': expected an instance id"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"a b\", \"profile\": \"qemu-m4\"}]}",
	     "lab.json: field 'boards[0].id': expected an instance id"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\": \"qemu-m4\"},"
	     " {\"id\": \"q\", \"profile\": \"qemu-m4\"}]}",
	     "lab.json: field 'boards[1].id': \"q\" is already the id of boards[0]"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\"}]}",
	     "lab.json: missing field 'boards[0].profile'"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\": [\"qemu-m4\"]}]}",
	     "lab.json: field 'boards[0].profile': expected a board profile id"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\": \"qemu-m5\"}]}",
	     "lab.json: field 'boards[0].profile': unknown board profile \"qemu-m5\" (did you "
	     "mean \"qemu-m4\"?"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\": \"TODO: one of a, b\"}]}",
	     "lab.json: field 'boards[0].profile': \"TODO: one of a, b\" is a placeholder left "
	     "by 'hilbench lab init'"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: missing field 'boards[0].probe' (expected {\"kind\": one of stlink-v2, "
	     "stlink-v2-1, stlink-v3"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"stlink-v3\", \"serial\": \"X1\"}}]}",
	     "lab.json: missing field 'boards[0].console' (expected the board's serial port"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": \"stlink\", \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: field 'boards[0].probe': expected an object"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"stlink-v3\", \"serial\": \"X1\", \"speed\": 4},"
	     " \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: unknown field 'boards[0].probe.speed'"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"stlink-v4\", \"serial\": \"X1\"},"
	     " \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: field 'boards[0].probe.kind': expected one of stlink-v2, stlink-v2-1"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"serial\": \"X1\"}, \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: missing field 'boards[0].probe.kind'"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"jlink\", \"serial\": \"X1\"},"
	     " \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: field 'boards[0].probe.kind': expected a probe that profile "
	     "\"nucleo-a\"'s flasher interface 'interface/stlink.cfg' drives (stlink-v2, "
	     "stlink-v2-1, stlink-v3), got \"jlink\""},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"stlink-v3\"}, \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: missing field 'boards[0].probe.serial'"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"stlink-v3\", \"serial\": \"{bad}\"},"
	     " \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: field 'boards[0].probe.serial': expected the probe's USB serial number"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"stlink-v3\", \"serial\": \"X1\"}, \"console\": 0}]}",
	     "lab.json: field 'boards[0].console': expected a serial port"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","
	     " \"probe\": {\"kind\": \"stlink-v3\", \"serial\": \"X1\"},"
	     " \"console\": \"TODO: the board's serial port\"}]}",
	     "lab.json: field 'boards[0].console': \"TODO: the board's serial port\" is a "
	     "placeholder"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\": \"qemu-m4\","
	     " \"console\": \"/dev/ttyACM0\"}]}",
	     "lab.json: field 'boards[0].console': not used with profile \"qemu-m4\" (an "
	     "emulated board: flasher \"qemu\" makes the console)"},
	    {"{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\": \"qemu-m4\","
	     " \"probe\": {\"kind\": \"jlink\", \"serial\": \"X1\"}}]}",
	     "lab.json: field 'boards[0].probe': not used with profile \"qemu-m4\""},
	    {"{\"schema\": 1, \"boards\": [" LAB_MAP_TEST_NUCLEO ", {\"id\": \"n2\", \"profile\":"
	     " \"nucleo-b\", \"probe\": {\"kind\": \"stlink-v3\", \"serial\": \"X1\"},"
	     " \"console\": \"/dev/serial/by-id/usb-STM_STLink_0669-if02\"}]}",
	     "lab.json: field 'boards[1].console': '/dev/serial/by-id/usb-STM_STLink_0669-if02' "
	     "is already the console of boards[0]"},
	    {"{\"schema\": 1, \"boards\": [" LAB_MAP_TEST_NUCLEO ", {\"id\": \"n2\", \"profile\":"
	     " \"nucleo-b\", \"probe\": {\"kind\": \"stlink-v2-1\", \"serial\":"
	     " \"0669FF485550755187034646\"}, \"console\": \"/dev/ttyACM1\"}]}",
	     "lab.json: field 'boards[1].probe.serial': stlink-v2-1 \"0669FF485550755187034646\" "
	     "is already the probe of boards[0]"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lab_map map;
		int status = lab_map_test_parse(cases[i].text, &map);

		cr_assert_eq(status, HB_ERR_INPUT, "case %zu: accepted", i);
		cr_assert(strstr(lab_map_test_log, cases[i].message),
			  "case %zu: expected '%s', got '%s'", i, cases[i].message,
			  lab_map_test_log);
		cr_assert_eq(map.count, 0, "case %zu", i);
	}
}

#define LAB_MAP_TEST_NUCLEO_POWER(power)                                                           \
	"{\"schema\": 1, \"boards\": [{\"id\": \"n\", \"profile\": \"nucleo-a\","                  \
	" \"probe\": {\"kind\": \"stlink-v3\", \"serial\": \"X1\"}, \"console\": "                 \
	"\"/dev/ttyACM0\","                                                                        \
	" \"power_cycle\": " power "}]}"

/* "power_cycle": an argv array, carried as it was written. */
Test(lab_map, a_power_switch_is_an_argv_array)
{
	struct lab_map map;
	const struct lab_instance *board;

	cr_assert_eq(
	    lab_map_test_parse(LAB_MAP_TEST_NUCLEO_POWER("[\"uhubctl\", \"-a\", "
							 "\"cycle\", \"-l\", \"1-1\", \"-p\", "
							 "\"2\"]"),
			       &map),
	    HB_OK, "%s", lab_map_test_log);
	board = lab_map_find(&map, "n");
	cr_assert_eq(board->power_cycle.count, 7);
	cr_assert_str_eq(board->power_cycle.args[0], "uhubctl");
	cr_assert_str_eq(board->power_cycle.args[6], "2");
	lab_map_release(&map);
	/* Spaces inside an item are that item's: no shell splits it. */
	cr_assert_eq(
	    lab_map_test_parse(LAB_MAP_TEST_NUCLEO_POWER("[\"/opt/relay tool\", \"a b\"]"), &map),
	    HB_OK, "%s", lab_map_test_log);
	cr_assert_str_eq(lab_map_find(&map, "n")->power_cycle.args[1], "a b");
	cr_assert_eq(lab_map_find(&map, "n")->power_cycle.count, 2);
	lab_map_release(&map);
	/* Not given: none. */
	cr_assert_eq(
	    lab_map_test_parse("{\"schema\": 1, \"boards\": [" LAB_MAP_TEST_NUCLEO "]}", &map),
	    HB_OK, "%s", lab_map_test_log);
	cr_assert_eq(lab_map_find(&map, "nucleo-a-1")->power_cycle.count, 0);
	lab_map_release(&map);
}

/* Each bad "power_cycle", and the one message naming file and field. */
Test(lab_map, a_bad_power_switch_names_file_and_field)
{
	char long_item[200], too_many[400], text[900];
	static const struct {
		const char *power, *message;
	} cases[] = {
	    {"\"uhubctl -a cycle -l 1-1 -p 2\"",
	     "lab.json: field 'boards[0].power_cycle': expected an argv array: the program and its "
	     "arguments, each a string, run without a shell"},
	    {"{\"program\": \"uhubctl\"}",
	     "lab.json: field 'boards[0].power_cycle': expected an argv array"},
	    {"[]",
	     "lab.json: field 'boards[0].power_cycle': expected the program and its arguments "
	     "(e.g. [\"uhubctl\", \"-a\", \"cycle\""},
	    {"[\"uhubctl\", 2]",
	     "lab.json: field 'boards[0].power_cycle[1]': expected a non-empty string"},
	    {"[\"uhubctl\", \"\"]",
	     "lab.json: field 'boards[0].power_cycle[1]': expected a non-empty string"},
	    {"[null]", "lab.json: field 'boards[0].power_cycle[0]': expected a non-empty string"},
	    {"[\"uhub\\nctl\"]",
	     "lab.json: field 'boards[0].power_cycle[0]': expected a non-empty string"},
	};
	struct lab_map map;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, LAB_MAP_TEST_NUCLEO_POWER("%s"), cases[i].power);
		cr_assert_eq(lab_map_test_parse(text, &map), HB_ERR_INPUT, "case %zu: accepted", i);
		cr_assert(strstr(lab_map_test_log, cases[i].message),
			  "case %zu: expected '%s', got '%s'", i, cases[i].message,
			  lab_map_test_log);
		cr_assert_eq(map.count, 0);
	}
	/* An item longer than the board keeps. */
	memset(long_item, 'x', PROFILE_POWER_CYCLE_ARG_CHARS);
	long_item[PROFILE_POWER_CYCLE_ARG_CHARS] = '\0';
	snprintf(text, sizeof text, LAB_MAP_TEST_NUCLEO_POWER("[\"uhubctl\", \"%s\"]"), long_item);
	cr_assert_eq(lab_map_test_parse(text, &map), HB_ERR_INPUT);
	cr_assert(strstr(lab_map_test_log,
			 "lab.json: field 'boards[0].power_cycle[1]': expected at "
			 "most 127 characters, got 128"),
		  "%s", lab_map_test_log);
	/* More items than an argv holds. */
	snprintf(too_many, sizeof too_many, "%s", "[\"uhubctl\"");
	for (int i = 1; i <= PROFILE_POWER_CYCLE_MAX_ARGS; i++)
		snprintf(too_many + strlen(too_many), sizeof too_many - strlen(too_many),
			 ", \"%d\"", i);
	snprintf(too_many + strlen(too_many), sizeof too_many - strlen(too_many), "]");
	snprintf(text, sizeof text, LAB_MAP_TEST_NUCLEO_POWER("%s"), too_many);
	cr_assert_eq(lab_map_test_parse(text, &map), HB_ERR_INPUT);
	cr_assert(strstr(lab_map_test_log,
			 "lab.json: field 'boards[0].power_cycle': expected at most "
			 "16 items (the program and its arguments), got 17"),
		  "%s", lab_map_test_log);
	/* An emulator is restarted, never power-cycled. */
	cr_assert_eq(lab_map_test_parse("{\"schema\": 1, \"boards\": [{\"id\": \"q\", \"profile\":"
					" \"qemu-m4\", \"power_cycle\": [\"uhubctl\"]}]}",
					&map),
		     HB_ERR_INPUT);
	cr_assert(strstr(lab_map_test_log,
			 "lab.json: field 'boards[0].power_cycle': not used with "
			 "profile \"qemu-m4\" (an emulated board: flasher \"qemu\" "
			 "restarts the emulator)"),
		  "%s", lab_map_test_log);
	/* A misspelt key is caught like any other. */
	cr_assert_eq(
	    lab_map_test_parse(LAB_MAP_TEST_NUCLEO_POWER("[\"x\"], \"power_cycel\": 1"), &map),
	    HB_ERR_INPUT);
	cr_assert(strstr(lab_map_test_log, "unknown field 'boards[0].power_cycel' (did you mean "
					   "'boards[0].power_cycle'?)"),
		  "%s", lab_map_test_log);
}

/* The map's instance gives the board its console and probe; an emulated
 * profile needs no instance; a real profile's id is not an instance. */
Test(lab_map, resolve_takes_device_facts_from_the_map)
{
	char dir[] = "/tmp/hilbench-lab-XXXXXX";
	char boards[600], lab[600], profile_path[700];
	struct board_profile board;
	FILE *file;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(boards, sizeof boards, "%s", HB_SOURCE_ROOT "/boards");
	snprintf(lab, sizeof lab, "%s/lab.json", dir);
	file = fopen(lab, "w");
	cr_assert_not_null(file);
	fprintf(file, "{\"schema\": 1, \"boards\": [{\"id\": \"f446-1\", \"profile\":"
		      " \"nucleo-f446re\", \"probe\": {\"kind\": \"stlink-v2-1\", \"serial\":"
		      " \"ABC123\"}, \"console\": \"/dev/serial/by-id/usb-X-if02\","
		      " \"power_cycle\": [\"uhubctl\", \"-a\", \"cycle\", \"-p\", \"2\"]},"
		      " {\"id\": \"emu-1\", \"profile\": \"qemu-m4\"}]}");
	fclose(file);

	cr_assert_eq(lab_board_resolve(lab, boards, "f446-1", &board), HB_OK, "%s",
		     lab_map_test_log);
	cr_assert_str_eq(board.id, "nucleo-f446re");
	cr_assert_str_eq(board.console.device, "/dev/serial/by-id/usb-X-if02");
	cr_assert_str_eq(board.instance.id, "f446-1");
	cr_assert_str_eq(board.instance.probe_kind, "stlink-v2-1");
	cr_assert_str_eq(board.instance.probe_serial, "ABC123");
	cr_assert_eq(board.instance.power_cycle.count, 5);
	cr_assert_str_eq(board.instance.power_cycle.args[4], "2");

	cr_assert_eq(lab_board_resolve(lab, boards, "emu-1", &board), HB_OK);
	cr_assert_str_eq(board.id, "qemu-m4");
	cr_assert_str_eq(board.instance.id, "emu-1");
	cr_assert_eq(board.instance.power_cycle.count, 0);
	cr_assert_eq(lab_board_resolve(lab, boards, "qemu-m3", &board), HB_OK);
	cr_assert_str_eq(board.instance.id, "");

	cr_assert_eq(lab_board_resolve(lab, boards, "nucleo-f446re", &board), HB_ERR_NOT_FOUND);
	snprintf(profile_path, sizeof profile_path,
		 "board 'nucleo-f446re' is not in lab map '%s' (its boards: f446-1, emu-1)", lab);
	cr_assert(strstr(lab_map_test_log, profile_path), "got '%s'", lab_map_test_log);
	cr_assert_eq(lab_board_resolve(lab, boards, "f446-2", &board), HB_ERR_NOT_FOUND);
	cr_assert(strstr(lab_map_test_log, "(did you mean 'f446-1'?"), "got '%s'",
		  lab_map_test_log);

	/* Without a lab map, the profile as it is. */
	cr_assert_eq(lab_board_resolve(NULL, boards, "nucleo-f446re", &board), HB_OK);
	cr_assert_str_eq(board.instance.id, "");
	unlink(lab);
	rmdir(dir);
}
