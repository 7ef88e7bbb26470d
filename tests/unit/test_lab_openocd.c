/* A lab map instance reaches OpenOCD: its probe's serial number as
 * `adapter serial` (flash and reset), its console as the session's. A fake
 * openocd on PATH records the argv it was given. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash/flasher.h"
#include "lab/lab_map.h"
#include "util/error.h"

static char lab_openocd_dir[64];

static void lab_openocd_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

/* dir/openocd writes its arguments, one a line, to dir/args.txt and fails. */
static void lab_openocd_setup(void)
{
	char path[128], search[256];
	FILE *file;

	hb_log_set_sink(lab_openocd_quiet, NULL);
	snprintf(lab_openocd_dir, sizeof lab_openocd_dir, "/tmp/hb-lab-openocd-XXXXXX");
	cr_assert_not_null(mkdtemp(lab_openocd_dir));
	snprintf(path, sizeof path, "%s/openocd", lab_openocd_dir);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	fprintf(file, "#!/bin/sh\nprintf '%%s\\n' \"$@\" >\"%s/args.txt\"\nexit 1\n",
		lab_openocd_dir);
	fclose(file);
	cr_assert_eq(chmod(path, 0755), 0);
	snprintf(search, sizeof search, "%s:/usr/bin:/bin", lab_openocd_dir);
	setenv("PATH", search, 1);
	snprintf(path, sizeof path, "%s/lab.json", lab_openocd_dir);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	fprintf(file,
		"{\"schema\": 1, \"boards\": [{\"id\": \"f446-1\", \"profile\": "
		"\"nucleo-f446re\", \"probe\": {\"kind\": \"stlink-v2-1\", \"serial\": "
		"\"0669FF485550755187034646\"}, \"console\": \"/dev/serial/by-id/usb-X-if02\"}]}");
	fclose(file);
	snprintf(path, sizeof path, "%s/firmware.elf", lab_openocd_dir);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	fclose(file);
}

static void lab_openocd_teardown(void)
{
	static const char *const names[] = {"openocd",	    "args.txt",	   "lab.json",
					    "firmware.elf", "openocd.log", "openocd-reset.log"};
	char path[128];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", lab_openocd_dir, names[i]);
		unlink(path);
	}
	rmdir(lab_openocd_dir);
	hb_log_set_sink(NULL, NULL);
}

static char *lab_openocd_args(void)
{
	static char text[4096];
	char path[128];
	FILE *file;
	size_t length;

	snprintf(path, sizeof path, "%s/args.txt", lab_openocd_dir);
	file = fopen(path, "r");
	cr_assert_not_null(file, "openocd did not run");
	length = fread(text, 1, sizeof text - 1, file);
	text[length] = '\0';
	fclose(file);
	return text;
}

TestSuite(lab_openocd, .init = lab_openocd_setup, .fini = lab_openocd_teardown, .timeout = 20);

Test(lab_openocd, the_instances_probe_and_console_reach_openocd)
{
	struct board_profile board;
	struct flash_session session;
	char lab[128], elf[128];
	struct flash_request request = {
	    .board = &board, .firmware_elf = elf, .run_dir = lab_openocd_dir, .timeout_ms = 10000};

	snprintf(lab, sizeof lab, "%s/lab.json", lab_openocd_dir);
	snprintf(elf, sizeof elf, "%s/firmware.elf", lab_openocd_dir);
	cr_assert_eq(lab_board_resolve(lab, HB_SOURCE_ROOT "/boards", "f446-1", &board), HB_OK);
	cr_assert_neq(flasher_openocd.start(&request, &session), HB_OK);
	cr_assert(strstr(lab_openocd_args(), "-c\nadapter serial 0669FF485550755187034646\n"),
		  "argv: %s", lab_openocd_args());
	cr_assert_str_eq(session.console_address, "/dev/serial/by-id/usb-X-if02");
	flasher_openocd.stop(&session, 1000);

	cr_assert_neq(flasher_openocd.reset(&request, &session), HB_OK);
	cr_assert(strstr(lab_openocd_args(), "adapter serial 0669FF485550755187034646\n-c\ninit\n"),
		  "argv: %s", lab_openocd_args());

	/* The profile alone names no probe. */
	cr_assert_eq(lab_board_resolve(NULL, HB_SOURCE_ROOT "/boards", "nucleo-f446re", &board),
		     HB_OK);
	cr_assert_neq(flasher_openocd.start(&request, &session), HB_OK);
	cr_assert_null(strstr(lab_openocd_args(), "adapter serial"), "argv: %s",
		       lab_openocd_args());
	flasher_openocd.stop(&session, 1000);
}
