/* hilbench lab: the lab map of the boards attached here (docs/boards.md). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "config/profile.h"
#include "lab/lab_detect.h"
#include "lab/lab_init.h"
#include "lab/lab_map.h"
#include "util/error.h"

static void print_help(void)
{
	printf("usage: hilbench lab init [--from-recording FILE] [--boards-dir DIR] > lab.json\n"
	       "       hilbench lab check FILE [--boards-dir DIR]\n"
	       "       hilbench lab record > recording.json\n\n"
	       "A lab map binds the boards attached to this host to their profiles: an\n"
	       "instance id ('--lab lab.json --board ID' in run, build and inspect), the\n"
	       "profile, the probe's kind and serial number, and the console port. Keep it\n"
	       "out of the repository; docs/boards.md describes it.\n\n"
	       "  init   writes a lab map of the probes 'hilbench boards --detect' finds, one\n"
	       "         instance per probe; what detection cannot settle (which of several\n"
	       "         profiles, a probe without a serial port) is a \"TODO: ...\" that\n"
	       "         'lab check' reports until it is replaced\n"
	       "  check  validates a lab map and lists its boards\n"
	       "  record writes what USB enumerates here as a recording (the --from-recording\n"
	       "         format), to reproduce a detection elsewhere or add it to the tests\n\n"
	       "  --from-recording FILE  test aid: read a recorded enumeration (JSON,\n"
	       "                    docs/boards.md#detection) instead of USB\n"
	       "  --boards-dir DIR  where board profiles are (default <hilbench>/boards)\n");
}

static int lab_init(const char *boards_dir, const char *recording)
{
	struct board_profile *profiles = NULL;
	struct lab_enumeration enumeration;
	struct lab_detection detection;
	size_t count = 0, invalid = 0, placeholders = 0;
	char *text = NULL;
	int status = profile_list(boards_dir, &profiles, &count, &invalid);

	if (status == HB_OK)
		status = lab_enumerate(recording, &enumeration);
	if (status != HB_OK) {
		free(profiles);
		return status;
	}
	status = lab_detect(&enumeration, profiles, count, &detection);
	if (status == HB_OK) {
		text = lab_init_text(&detection, profiles, count, &placeholders);
		if (!text)
			status = hb_error(HB_ERR_NOMEM, "lab init: out of memory");
	}
	if (text) {
		printf("%s\n", text);
		if (!detection.probe_count)
			hb_warn("lab init: no debug probes found: the map lists no boards");
		else if (placeholders)
			hb_warn("lab init: %zu board(s), %zu \"TODO\" placeholder(s) to replace; "
				"'hilbench lab check FILE' shows where",
				detection.probe_count, placeholders);
	}
	free(text);
	lab_detection_release(&detection);
	lab_enumeration_release(&enumeration);
	free(profiles);
	return status;
}

static int lab_record(const char *recording)
{
	struct lab_enumeration enumeration;
	char note[600];
	char *text;
	int status = lab_enumerate(recording, &enumeration);

	if (status != HB_OK)
		return status;
	snprintf(note, sizeof note, "recorded by 'hilbench lab record' (hilbench %s) from %s%s",
		 HB_VERSION, recording ? "the recording " : "this host's USB",
		 recording ? recording : "");
	text = lab_recording_text(&enumeration, note);
	lab_enumeration_release(&enumeration);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "lab record: out of memory");
	printf("%s\n", text);
	free(text);
	return HB_OK;
}

static int lab_check(const char *boards_dir, const char *path)
{
	struct lab_map map;
	int status = lab_map_load(path, boards_dir, &map);

	if (status != HB_OK)
		return status;
	printf("%s: %zu board(s)\n", path, map.count);
	for (size_t i = 0; i < map.count; i++) {
		const struct lab_instance *board = &map.boards[i];

		printf("  %-20s %-16s", board->id, board->profile);
		if (board->has_probe)
			printf(" %s %s", board->probe_kind, board->probe_serial);
		printf(" %s\n", board->console[0] ? board->console : "(emulated)");
	}
	lab_map_release(&map);
	return HB_OK;
}

int cmd_lab(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"from-recording", required_argument, NULL, 'r'},
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *boards_dir = NULL, *recording = NULL, *action;
	int option;

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'r': recording = optarg; break;
		case 'd': boards_dir = optarg; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("lab", option, argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return hb_error(HB_ERR_USAGE, "lab needs 'init', 'check FILE' or 'record' (see "
					      "'hilbench lab --help')");
	action = argv[optind];
	if (strcmp(action, "init") == 0 && optind + 1 == argc)
		return lab_init(cli_boards_dir(boards_dir), recording);
	if (strcmp(action, "record") == 0 && optind + 1 == argc)
		return lab_record(recording);
	if (strcmp(action, "check") == 0 && optind + 2 == argc && !recording)
		return lab_check(cli_boards_dir(boards_dir), argv[optind + 1]);
	if (strcmp(action, "init") != 0 && strcmp(action, "check") != 0 &&
	    strcmp(action, "record") != 0)
		return hb_error(HB_ERR_USAGE,
				"lab: unknown action '%s' (expected init, check or record)",
				action);
	return hb_error(HB_ERR_USAGE, "lab %s: unexpected arguments (see 'hilbench lab --help')",
			action);
}
