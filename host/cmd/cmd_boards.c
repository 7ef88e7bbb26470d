/* hilbench boards: the board profiles and whether each can run here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "util/error.h"
#include "flash/flasher.h"
#include "config/profile.h"

static void print_help(void)
{
	printf("usage: hilbench boards [--boards-dir DIR]\n"
	       "       hilbench boards --detect [--json] [--from-recording FILE]\n\n"
	       "Lists the board profiles (boards/*.json): core, clock, how the board is\n"
	       "flashed, what its counts mean, how far it has been verified (emulated,\n"
	       "compile-only or hardware), and whether the tools it needs are installed here;\n"
	       "an emulated stand-in for a real board is labelled so. Add a board by adding\n"
	       "a profile: see docs/boards.md.\n\n"
	       "--detect lists the debug probes (ST-LINK, CMSIS-DAP, J-Link, picoprobe) and\n"
	       "USB serial bridges attached here (libusb, libserialport): ids, serial number,\n"
	       "port, each probe's own serial port and the profiles it can flash; --json as\n"
	       "JSON. --from-recording FILE is a test aid: a recorded enumeration (JSON,\n"
	       "docs/boards.md#detection) instead of USB.\n");
}

int cmd_boards(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"detect", no_argument, NULL, 'D'},
	    {"json", no_argument, NULL, 'j'},
	    {"from-recording", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *boards_dir = NULL, *recording = NULL;
	int detect = 0, json = 0;
	struct board_profile *profiles = NULL;
	size_t count = 0, invalid = 0;
	int option, status;

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'd': boards_dir = optarg; break;
		case 'D': detect = 1; break;
		case 'j': json = 1; break;
		case 'r': recording = optarg; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("boards", option, argv[optind - 1]);
		}
	}
	if (detect)
		return cmd_boards_detect(cli_boards_dir(boards_dir), recording, json);
	if (json || recording)
		return hb_error(HB_ERR_USAGE, "--json and --from-recording go with --detect");
	status = profile_list(cli_boards_dir(boards_dir), &profiles, &count, &invalid);
	if (status != HB_OK)
		return status;
	printf("%-16s %-11s %-7s %-8s %-22s %-13s %s\n", "board", "core", "MHz", "flasher",
	       "counts", "verified", "runs here");
	for (size_t i = 0; i < count; i++) {
		const struct board_profile *board = &profiles[i];
		const struct flasher_driver *flasher = flasher_find(board->flasher.driver);
		char why[256] = "";
		const char *here = "yes";
		if (!flasher || flasher->available(board, why, sizeof why) != HB_OK)
			here = why[0] ? why : "no";
		else if (flasher->ready_note)
			here = flasher->ready_note;
		printf("%-16s %-11s %-7.1f %-8s %-22s %-13s %s\n", board->id, board->core,
		       board->clock_hz / 1e6, board->flasher.driver,
		       profile_counter_name(board->counter), profile_verified_name(board->verified),
		       here);
		/* A stand-in says whose limits it answers for. */
		profile_stand_in_label(board, why, sizeof why);
		if (why[0])
			printf("%-16s %s\n", "", why);
	}
	free(profiles);
	if (invalid)
		return hb_error(HB_ERR_INPUT,
				"%zu board profile(s) in '%s' are invalid (see above)", invalid,
				cli_boards_dir(boards_dir));
	return HB_OK;
}
