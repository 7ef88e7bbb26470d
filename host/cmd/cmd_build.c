/* hilbench build: build (or bring up to date) the firmware for a board. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "flash/elf_size.h"
#include "util/error.h"
#include "flash/firmware_build.h"
#include "lab/lab_map.h"

static void print_help(void)
{
	printf("usage: hilbench build [--board ID] [--lab FILE] [--boards-dir DIR]\n\n"
	       "Builds the benchmark firmware for a board with arm-none-eabi-gcc into\n"
	       "build/fw/<board>/firmware.elf (nothing is rebuilt when nothing changed)\n"
	       "and prints its flash and static RAM sizes. 'hilbench run' does this itself.\n"
	       "With --lab FILE, --board names an instance of that lab map (docs/boards.md).\n");
}

int cmd_build(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"board", required_argument, NULL, 'b'},
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"lab", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *board_id = "qemu-m4";
	const char *boards_dir = NULL, *lab_path = NULL;
	struct board_profile board;
	struct firmware_image image;
	struct elf_sizes sizes;
	int option, status;

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'b': board_id = optarg; break;
		case 'd': boards_dir = optarg; break;
		case 'L': lab_path = optarg; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("build", option, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hb_error(HB_ERR_USAGE,
				"unexpected argument '%s' (see 'hilbench build --help')",
				argv[optind]);
	status = lab_board_resolve(lab_path, cli_boards_dir(boards_dir), board_id, &board);
	if (status == HB_OK)
		status = firmware_build(&board, &image);
	if (status == HB_OK)
		status = elf_sizes_read(image.elf_path, &sizes);
	if (status != HB_OK)
		return status;
	printf("%s: %s\n  flash %u B (.text %u, .rodata %u, .data %u), static RAM %u B, stack %u "
	       "B\n  %s\n",
	       board.id, image.elf_path, sizes.flash, sizes.text, sizes.rodata, sizes.data,
	       sizes.static_ram, sizes.stack, image.compiler);
	return HB_OK;
}
