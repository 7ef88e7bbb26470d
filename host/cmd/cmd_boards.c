/* hilbench boards: the board profiles and whether each can run here. */
#include <cJSON.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "util/error.h"
#include "flash/flasher.h"
#include "config/profile.h"

/* The listing: one row of text cells per profile, columns as wide as their
 * longest cell (a core name like cortex-m0plus must not push the rest). */
enum {
	COL_ID,
	COL_CORE,
	COL_FPU,
	COL_DSP,
	COL_MVE,
	COL_MHZ,
	COL_RAM,
	COL_FLASH,
	COL_FLASHER,
	COL_COUNTS,
	COL_VERIFIED,
	COL_HERE,
	COLUMNS
};

static const char *const column_names[COLUMNS] = {
    "board", "core",  "fpu",	 "dsp",	   "mve",      "MHz",
    "RAM",   "flash", "flasher", "counts", "verified", "runs here",
};

struct board_row {
	char cell[COLUMNS][256];
	char stand_in[256];
};

/* -mcpu=cortex-m55 brings MVE (Helium) with it; no other core has it. */
static bool board_has_mve(const struct board_profile *board)
{
	return strcmp(board->core, "cortex-m55") == 0;
}

static void format_kib(char *out, size_t capacity, uint32_t bytes)
{
	if (bytes % 1024 == 0)
		snprintf(out, capacity, "%uK", bytes / 1024);
	else
		snprintf(out, capacity, "%uB", bytes);
}

/* Whether the tools this board needs are here ("yes", or why not). */
static void board_here(const struct board_profile *board, char *out, size_t capacity)
{
	const struct flasher_driver *flasher = flasher_find(board->flasher.driver);
	char why[256] = "";

	if (!flasher || flasher->available(board, why, sizeof why) != HB_OK)
		snprintf(out, capacity, "%s", why[0] ? why : "no");
	else
		snprintf(out, capacity, "%s", flasher->ready_note ? flasher->ready_note : "yes");
}

static void board_row_fill(const struct board_profile *board, struct board_row *row)
{
	/* RAM and flash are the limits a model must fit: a stand-in's real board's. */
	const struct profile_limits limits = profile_limits(board);

	snprintf(row->cell[COL_ID], sizeof row->cell[0], "%s", board->id);
	snprintf(row->cell[COL_CORE], sizeof row->cell[0], "%s", board->core);
	snprintf(row->cell[COL_FPU], sizeof row->cell[0], "%s", board->fpu);
	snprintf(row->cell[COL_DSP], sizeof row->cell[0], "%s", board->dsp ? "yes" : "no");
	snprintf(row->cell[COL_MVE], sizeof row->cell[0], "%s",
		 board_has_mve(board) ? "yes" : "no");
	snprintf(row->cell[COL_MHZ], sizeof row->cell[0], "%.1f", limits.clock_hz / 1e6);
	format_kib(row->cell[COL_RAM], sizeof row->cell[0], limits.ram.size);
	format_kib(row->cell[COL_FLASH], sizeof row->cell[0], limits.flash.size);
	snprintf(row->cell[COL_FLASHER], sizeof row->cell[0], "%s", board->flasher.driver);
	snprintf(row->cell[COL_COUNTS], sizeof row->cell[0], "%s",
		 profile_counter_name(board->counter));
	snprintf(row->cell[COL_VERIFIED], sizeof row->cell[0], "%s",
		 profile_verified_name(board->verified));
	board_here(board, row->cell[COL_HERE], sizeof row->cell[0]);
	profile_stand_in_label(board, row->stand_in, sizeof row->stand_in);
}

static void print_rows(const struct board_row *rows, size_t count)
{
	int width[COLUMNS];

	for (int c = 0; c < COLUMNS; c++)
		width[c] = (int)strlen(column_names[c]);
	for (size_t i = 0; i < count; i++)
		for (int c = 0; c < COLUMNS; c++)
			if ((int)strlen(rows[i].cell[c]) > width[c])
				width[c] = (int)strlen(rows[i].cell[c]);
	for (int c = 0; c + 1 < COLUMNS; c++)
		printf("%-*s  ", width[c], column_names[c]);
	printf("%s\n", column_names[COLUMNS - 1]);
	for (size_t i = 0; i < count; i++) {
		for (int c = 0; c + 1 < COLUMNS; c++)
			printf("%-*s  ", width[c], rows[i].cell[c]);
		printf("%s\n", rows[i].cell[COLUMNS - 1]);
		if (rows[i].stand_in[0])
			printf("%-*s  %s\n", width[COL_ID], "", rows[i].stand_in);
	}
}

static cJSON *board_json(const struct board_profile *board, const struct board_row *row)
{
	const struct profile_limits limits = profile_limits(board);
	cJSON *object = cJSON_CreateObject();

	cJSON_AddStringToObject(object, "id", board->id);
	cJSON_AddStringToObject(object, "name", board->name);
	cJSON_AddStringToObject(object, "core", board->core);
	cJSON_AddStringToObject(object, "fpu", board->fpu);
	cJSON_AddBoolToObject(object, "dsp", board->dsp);
	cJSON_AddBoolToObject(object, "mve", board_has_mve(board));
	cJSON_AddNumberToObject(object, "clock_hz", limits.clock_hz);
	cJSON_AddNumberToObject(object, "ram_bytes", limits.ram.size);
	cJSON_AddNumberToObject(object, "flash_bytes", limits.flash.size);
	cJSON_AddStringToObject(object, "limits_from", limits.board_id);
	cJSON_AddStringToObject(object, "flasher", board->flasher.driver);
	cJSON_AddStringToObject(object, "counts", profile_counter_name(board->counter));
	cJSON_AddStringToObject(object, "verified", profile_verified_name(board->verified));
	cJSON_AddStringToObject(object, "runs_here", row->cell[COL_HERE]);
	if (board->emulates[0])
		cJSON_AddStringToObject(object, "emulates", board->emulates);
	return object;
}

static void print_help(void)
{
	printf("usage: hilbench boards [--json] [--boards-dir DIR]\n"
	       "       hilbench boards --detect [--json] [--from-recording FILE]\n\n"
	       "Lists the board profiles (boards/*.json): core, FPU, DSP and MVE (Helium)\n"
	       "extensions, clock, the RAM and flash a model must fit, how the board is\n"
	       "flashed, what its counts mean, how far it has been verified (emulated,\n"
	       "compile-only or hardware), and whether the tools it needs are installed here;\n"
	       "an emulated stand-in for a real board is labelled so, and its clock, RAM and\n"
	       "flash are the real board's. --json prints the same as a JSON array. Add a\n"
	       "board by adding a profile: see docs/boards.md.\n\n"
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
	struct board_row *rows;
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
	if (recording)
		return hb_error(HB_ERR_USAGE, "--from-recording goes with --detect");
	status = profile_list(cli_boards_dir(boards_dir), &profiles, &count, &invalid);
	if (status != HB_OK)
		return status;
	rows = calloc(count ? count : 1, sizeof *rows);
	if (!rows) {
		free(profiles);
		return hb_error(HB_ERR_NOMEM, "out of memory listing %zu boards", count);
	}
	for (size_t i = 0; i < count; i++)
		board_row_fill(&profiles[i], &rows[i]);
	if (json) {
		cJSON *array = cJSON_CreateArray();
		char *text;
		for (size_t i = 0; i < count; i++)
			cJSON_AddItemToArray(array, board_json(&profiles[i], &rows[i]));
		text = cJSON_Print(array);
		if (text)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(array);
	} else {
		print_rows(rows, count);
	}
	free(rows);
	free(profiles);
	if (invalid)
		return hb_error(HB_ERR_INPUT,
				"%zu board profile(s) in '%s' are invalid (see above)", invalid,
				cli_boards_dir(boards_dir));
	return HB_OK;
}
