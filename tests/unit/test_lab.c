/* Detection on recorded enumerations (tests/lab/NAME.json) and lab init's
 * drafts: probes known by ids and strings, each with its own serial port,
 * matched to the profiles it can flash. */
#include <criterion/criterion.h>

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/profile.h"
#include "lab/lab_detect.h"
#include "lab/lab_enum.h"
#include "lab/lab_init.h"
#include "lab/lab_map.h"
#include "util/error.h"

#include "test_lab.h"

static struct board_profile lab_test_profiles[LAB_TEST_PROFILE_COUNT];
static struct lab_enumeration lab_test_enumeration;
static struct lab_detection lab_test_detection;

static void lab_test_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void lab_test_setup(void)
{
	hb_log_set_sink(lab_test_quiet, NULL);
	lab_test_make_profiles(lab_test_profiles);
}

static void lab_test_teardown(void)
{
	lab_detection_release(&lab_test_detection);
	lab_enumeration_release(&lab_test_enumeration);
	hb_log_set_sink(NULL, NULL);
}

/* Detects the recording tests/lab/NAME.json against the test profiles. */
static void lab_test_detect(const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/tests/lab/%s.json", HB_SOURCE_ROOT, name);
	cr_assert_eq(lab_enumerate(path, &lab_test_enumeration), HB_OK, "%s", hb_last_error());
	cr_assert_eq(lab_detect(&lab_test_enumeration, lab_test_profiles, LAB_TEST_PROFILE_COUNT,
				&lab_test_detection),
		     HB_OK);
}

static const char *lab_test_profile_of(const struct lab_probe_found *probe, size_t i)
{
	cr_assert_lt(i, probe->profile_count);
	return lab_test_profiles[probe->profiles[i]].id;
}

TestSuite(lab_detect, .init = lab_test_setup, .fini = lab_test_teardown);

Test(lab_detect, stlink_v2_1_with_its_vcp)
{
	const struct lab_probe_found *probe;

	lab_test_detect("stlink_v21_vcp");
	/* The Logitech receiver is no probe; ttyS0 is no USB port. */
	cr_assert_eq(lab_test_detection.probe_count, 1);
	cr_assert_eq(lab_test_detection.bridge_count, 0);
	probe = &lab_test_detection.probes[0];
	cr_assert_str_eq(probe->kind->name, "stlink-v2-1");
	cr_assert_str_eq(probe->model, "ST-LINK/V2-1");
	cr_assert_str_eq(probe->device->serial, "0669FF485550755187034646");
	cr_assert_not_null(probe->port);
	cr_assert_str_eq(probe->port->info.path, "/dev/ttyACM0");
	cr_assert_str_eq(lab_port_stable_path(probe->port),
			 "/dev/serial/by-id/"
			 "usb-STMicroelectronics_STM32_STLink_0669FF485550755187034646-if02");
	/* interface/stlink.cfg profiles only: not the J-Link or CMSIS-DAP
	 * boards, not the emulated one. */
	cr_assert_eq(probe->profile_count, 2);
	cr_assert_str_eq(lab_test_profile_of(probe, 0), "nucleo-a");
	cr_assert_str_eq(lab_test_profile_of(probe, 1), "nucleo-b");
}

Test(lab_detect, cmsis_dap_by_its_strings)
{
	lab_test_detect("cmsis_dap");
	cr_assert_eq(lab_test_detection.probe_count, 2);
	/* 2e8a:000c is in the table; c251:f002 is known only by saying CMSIS-DAP
	 * in an interface string. */
	cr_assert_str_eq(lab_test_detection.probes[0].kind->name, "cmsis-dap");
	cr_assert_str_eq(lab_test_detection.probes[0].model,
			 "Raspberry Pi Debug Probe (debugprobe)");
	cr_assert_not_null(lab_test_detection.probes[0].port);
	cr_assert_str_eq(lab_test_detection.probes[0].port->info.path, "/dev/ttyACM1");
	cr_assert_str_eq(lab_test_detection.probes[1].kind->name, "cmsis-dap");
	cr_assert_str_eq(lab_test_detection.probes[1].model, "LPC1768 board");
	cr_assert_null(lab_test_detection.probes[1].port);
	cr_assert_eq(lab_test_detection.probes[1].profile_count, 1);
	cr_assert_str_eq(lab_test_profile_of(&lab_test_detection.probes[1], 0), "pico-dap");
}

Test(lab_detect, jlink_matched_by_bus_and_address)
{
	lab_test_detect("jlink");
	cr_assert_eq(lab_test_detection.probe_count, 1);
	cr_assert_str_eq(lab_test_detection.probes[0].kind->name, "jlink");
	cr_assert_not_null(lab_test_detection.probes[0].port);
	cr_assert_str_eq(lab_test_detection.probes[0].port->info.path, "/dev/ttyACM2");
	cr_assert_eq(lab_test_detection.probes[0].profile_count, 1);
	cr_assert_str_eq(lab_test_profile_of(&lab_test_detection.probes[0], 0), "nrf-jlink");
}

Test(lab_detect, a_lone_ftdi_bridge_is_no_probe)
{
	lab_test_detect("ftdi_bridge");
	cr_assert_eq(lab_test_detection.probe_count, 0);
	cr_assert_eq(lab_test_detection.bridge_count, 1);
	cr_assert_str_eq(lab_test_detection.bridges[0]->info.path, "/dev/ttyUSB0");
	cr_assert_str_eq(lab_test_detection.bridges[0]->info.usb_product_name, "FT232R USB UART");
}

Test(lab_detect, nothing_attached)
{
	cJSON *root;

	lab_test_detect("nothing");
	cr_assert_eq(lab_test_detection.probe_count, 0);
	cr_assert_eq(lab_test_detection.bridge_count, 0);
	root = lab_detection_to_json(&lab_test_detection, lab_test_profiles);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "probes")), 0);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "bridges")), 0);
	cJSON_Delete(root);
}

/* Same ids, same serial, but another device (bus/address differ): not its VCP. */
Test(lab_detect, a_port_of_another_device_is_not_the_probes)
{
	struct lab_usb_device device = {
	    .vendor = 0x0483, .product = 0x374b, .bus = 1, .address = 7};
	struct lab_serial_port port = {.info = {.path = "/dev/ttyACM5",
						.usb = true,
						.usb_vendor = 0x0483,
						.usb_product = 0x374b,
						.usb_bus = 1,
						.usb_address = 8}};
	struct lab_enumeration enumeration = {&device, 1, &port, 1};

	cr_assert_eq(lab_detect(&enumeration, lab_test_profiles, LAB_TEST_PROFILE_COUNT,
				&lab_test_detection),
		     HB_OK);
	cr_assert_eq(lab_test_detection.probe_count, 1);
	cr_assert_null(lab_test_detection.probes[0].port);
	cr_assert_eq(lab_test_detection.bridge_count, 1);
}

Test(lab_detect, picoprobe_ids_that_speak_cmsis_dap_are_cmsis_dap)
{
	struct lab_usb_device device = {.vendor = 0x2e8a, .product = 0x0004};
	const char *model;

	cr_assert_str_eq(lab_probe_classify(&device, &model)->name, "picoprobe");
	snprintf(device.product_name, sizeof device.product_name, "Picoprobe (CMSIS-DAP)");
	cr_assert_str_eq(lab_probe_classify(&device, &model)->name, "cmsis-dap");
	device.vendor = 0x0403;
	device.product_name[0] = '\0';
	cr_assert_null(lab_probe_classify(&device, &model));
}

TestSuite(lab_recording, .init = lab_test_setup, .fini = lab_test_teardown);

Test(lab_recording, bad_fields_name_file_and_field)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
	    {"{\"schema\": 1, \"usb\": [{\"vid\": \"483\", \"pid\": \"374b\", \"bus\": 1}]}",
	     "rec.json: field 'usb[0].vid': expected a USB id as 4 hex digits"},
	    {"{\"schema\": 1, \"usb\": [{\"vid\": \"0483\", \"pid\": \"374b\"}]}",
	     "rec.json: missing field 'usb[0].bus'"},
	    {"{\"schema\": 1, \"serial\": [{\"port\": \"/dev/ttyACM0\", \"vid\": \"0483\"}]}",
	     "rec.json: field 'serial[0]': expected both vid and pid or neither"},
	    {"{\"schema\": 1, \"usb\": [{\"vid\": \"0483\", \"pid\": \"374b\", \"bus\": 1, "
	     "\"prots\": [1]}]}",
	     "rec.json: unknown field 'usb[0].prots' (did you mean 'usb[0].ports'?)"},
	    {"{\"schema\": 2}", "rec.json: field 'schema'"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lab_enumeration enumeration;
		int status = lab_recording_parse(cases[i].text, strlen(cases[i].text), "rec.json",
						 &enumeration);

		cr_assert_eq(status, HB_ERR_INPUT, "case %zu", i);
		cr_assert(strstr(hb_last_error(), cases[i].message), "case %zu: got '%s'", i,
			  hb_last_error());
	}
}

TestSuite(lab_init, .init = lab_test_setup, .fini = lab_test_teardown);

/* lab init's draft, parsed back as a lab map against the same profiles. */
static int lab_test_init_and_parse(size_t *placeholders, struct lab_map *map)
{
	char *text = lab_init_text(&lab_test_detection, lab_test_profiles, LAB_TEST_PROFILE_COUNT,
				   placeholders);
	int status;

	cr_assert_not_null(text);
	status = lab_map_parse(text, strlen(text), "lab.json", lab_test_profiles,
			       LAB_TEST_PROFILE_COUNT, map);
	free(text);
	return status;
}

Test(lab_init, a_jlink_with_its_vcp_gives_a_valid_map)
{
	struct lab_map map;
	size_t placeholders;

	lab_test_detect("jlink");
	cr_assert_eq(lab_test_init_and_parse(&placeholders, &map), HB_OK, "%s", hb_last_error());
	cr_assert_eq(placeholders, 0);
	cr_assert_eq(map.count, 1);
	cr_assert_str_eq(map.boards[0].id, "nrf-jlink-1");
	cr_assert_str_eq(map.boards[0].profile, "nrf-jlink");
	cr_assert_str_eq(map.boards[0].probe_kind, "jlink");
	cr_assert_str_eq(map.boards[0].probe_serial, "001050012345");
	cr_assert_str_eq(map.boards[0].console,
			 "/dev/serial/by-id/usb-SEGGER_J-Link_001050012345-if00");
	lab_map_release(&map);
}

Test(lab_init, two_candidate_profiles_leave_a_placeholder_validation_names)
{
	struct lab_map map;
	size_t placeholders;

	lab_test_detect("stlink_v21_vcp");
	cr_assert_eq(lab_test_init_and_parse(&placeholders, &map), HB_ERR_INPUT);
	cr_assert_eq(placeholders, 1);
	cr_assert(strstr(hb_last_error(), "lab.json: field 'boards[0].profile': \"TODO: the "
					  "board's profile, one of nucleo-a, nucleo-b\" is a "
					  "placeholder left by 'hilbench lab init'"),
		  "got '%s'", hb_last_error());
}

Test(lab_init, a_probe_without_a_port_leaves_the_console_to_fill_in)
{
	struct lab_map map;
	size_t placeholders;

	lab_test_detect("cmsis_dap");
	/* Two cmsis-dap probes, one profile: ids count up; the second has no VCP. */
	cr_assert_eq(lab_test_init_and_parse(&placeholders, &map), HB_ERR_INPUT);
	cr_assert_eq(placeholders, 1);
	cr_assert(strstr(hb_last_error(), "lab.json: field 'boards[1].console': \"TODO: the "
					  "board's serial port"),
		  "got '%s'", hb_last_error());
}

Test(lab_init, nothing_attached_gives_an_empty_valid_map)
{
	struct lab_map map;
	size_t placeholders;

	lab_test_detect("nothing");
	cr_assert_eq(lab_test_init_and_parse(&placeholders, &map), HB_OK);
	cr_assert_eq(map.count, 0);
	lab_map_release(&map);
}

/* lab record's output reads back as the same enumeration. */
Test(lab_recording, what_lab_record_writes_reads_back_the_same)
{
	struct lab_enumeration again;
	char *text;

	lab_test_detect("stlink_v21_vcp");
	text = lab_recording_text(&lab_test_enumeration, "round trip");
	cr_assert_not_null(text);
	cr_assert_eq(lab_recording_parse(text, strlen(text), "again.json", &again), HB_OK, "%s",
		     hb_last_error());
	free(text);
	cr_assert_eq(again.device_count, lab_test_enumeration.device_count);
	cr_assert_eq(again.port_count, lab_test_enumeration.port_count);
	for (size_t i = 0; i < again.device_count; i++)
		cr_assert_eq(memcmp(&again.devices[i], &lab_test_enumeration.devices[i],
				    sizeof again.devices[i]),
			     0, "device %zu", i);
	for (size_t i = 0; i < again.port_count; i++)
		cr_assert_eq(
		    memcmp(&again.ports[i], &lab_test_enumeration.ports[i], sizeof again.ports[i]),
		    0, "port %zu", i);
	lab_enumeration_release(&again);
}

/* No by-id link (a host without udev): the console is named by its USB
 * identity, which the serial transport opens and a renumbering keeps. */
Test(lab_init, without_a_by_id_link_the_console_is_named_by_usb_ids)
{
	struct lab_usb_device device = {
	    .vendor = 0x1366, .product = 0x1015, .bus = 2, .serial = "001050012345"};
	struct lab_serial_port port = {.info = {.path = "/dev/ttyACM3",
						.usb = true,
						.usb_vendor = 0x1366,
						.usb_product = 0x1015,
						.usb_serial = "001050012345"}};
	struct lab_enumeration enumeration = {&device, 1, &port, 1};
	struct lab_map map;
	size_t placeholders;

	cr_assert_eq(lab_detect(&enumeration, lab_test_profiles, LAB_TEST_PROFILE_COUNT,
				&lab_test_detection),
		     HB_OK);
	cr_assert_eq(lab_test_init_and_parse(&placeholders, &map), HB_OK, "%s", hb_last_error());
	cr_assert_str_eq(map.boards[0].console, "usb:1366:1015:001050012345");
	lab_map_release(&map);
}

/* Two VCPs of one STLINK-V3, listed backwards: the lower interface is the
 * console, the other is no bridge. */
Test(lab_detect, two_vcps_the_lower_interface_whatever_the_order)
{
	struct lab_usb_device device = {
	    .vendor = 0x0483, .product = 0x3753, .bus = 1, .address = 4, .serial = "V3SERIAL"};
	struct lab_serial_port ports[2] = {
	    {.info = {.path = "/dev/ttyACM1",
		      .usb = true,
		      .usb_vendor = 0x0483,
		      .usb_product = 0x3753,
		      .usb_serial = "V3SERIAL"},
	     .by_id = "/dev/serial/by-id/usb-STMicroelectronics_STLINK-V3_V3SERIAL-if04"},
	    {.info = {.path = "/dev/ttyACM0",
		      .usb = true,
		      .usb_vendor = 0x0483,
		      .usb_product = 0x3753,
		      .usb_serial = "V3SERIAL"},
	     .by_id = "/dev/serial/by-id/usb-STMicroelectronics_STLINK-V3_V3SERIAL-if02"},
	};
	struct lab_enumeration enumeration = {&device, 1, ports, 2};

	cr_assert_eq(lab_detect(&enumeration, lab_test_profiles, LAB_TEST_PROFILE_COUNT,
				&lab_test_detection),
		     HB_OK);
	cr_assert_eq(lab_test_detection.probe_count, 1);
	cr_assert_str_eq(lab_test_detection.probes[0].kind->name, "stlink-v3");
	cr_assert_str_eq(lab_test_detection.probes[0].port->info.path, "/dev/ttyACM0");
	cr_assert_eq(lab_test_detection.bridge_count, 0);
}
