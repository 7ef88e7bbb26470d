/* hilbench serve: a board running hilbench firmware, its UART offered to
 * other tools as a pseudo-terminal (emulated boards), or flashed and left
 * to them (real boards). */
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "flash/firmware_build.h"
#include "flash/flasher.h"
#include "lab/board_lock.h"
#include "link/protocol.h"
#include "link/pty_relay.h"
#include "link/transport.h"
#include "model/model_load.h"
#include "util/error.h"
#include "util/fileio.h"

#define CONNECT_TIMEOUT_MS 10000

struct serve_options {
	const char *board_id;
	const char *boards_dir;
	const char *protocol;
	const char *model_name;
	const char *model_path;
	int json;
	int energy_mode;
	int help;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int signal_number)
{
	(void)signal_number;
	stop_requested = 1;
}

static void print_help(void)
{
	printf("usage: hilbench serve [--board ID] [--protocol P] [--model-name NAME]\n"
	       "                      [--model FILE.tflite] [--energy-mode] [--json]\n"
	       "                      [--boards-dir DIR]\n\n"
	       "Builds hilbench's firmware for a board, puts a model on it and hands the\n"
	       "board's UART to other tools.\n\n"
	       "On an emulated board (QEMU) the UART becomes a pseudo-terminal: its path\n"
	       "is printed, and any tool that opens a serial port opens it instead (the\n"
	       "MLPerf Tiny runner, pyserial scripts, 'picocom /dev/pts/N'). It runs until\n"
	       "Ctrl-C or SIGTERM, then stops the board. The pty stays open between clients;\n"
	       "the board's output waits in it while no client reads.\n"
	       "On a real board it builds, flashes, prints the board's console device and\n"
	       "exits: the board keeps running the firmware on its own.\n\n"
	       "options:\n"
	       "  --board ID         board profile (default qemu-m4)\n"
	       "  --protocol P       what the firmware speaks on its UART:\n"
	       "                       hilbench     hilbench's framed protocol (default)\n"
	       "                       mlperf-tiny  the MLPerf Tiny runner's ASCII protocol\n"
	       "                                    ('name%%', 'profile%%', 'db load N%%', ...)\n"
	       "  --model-name NAME  mlperf-tiny: what 'profile%%' answers as m-model-[NAME],\n"
	       "                     which the runner picks its dataset by: kws01, vww01,\n"
	       "                     ic01 (uint8 pixels offset by -128 on the board), ad01\n"
	       "                     (float32 inputs quantized on the board, one anomaly\n"
	       "                     score), or another name of 1 to 31 of [A-Za-z0-9_-]\n"
	       "  --model FILE       the .tflite to compile and load (default: the built-in\n"
	       "                     model)\n"
	       "  --energy-mode      mlperf-tiny: the reference's energy mode: the firmware\n"
	       "                     prints no m-lap-us lines; 'timestamp%%' and the start\n"
	       "                     and end of 'infer%%' are low pulses on the window pin\n"
	       "                     (idle high) for an energy monitor's event input\n"
	       "  --json             print what was started as one JSON object\n"
	       "  --boards-dir DIR   where board profiles are\n\n"
	       "example:\n"
	       "  hilbench serve --board qemu-m4 --protocol mlperf-tiny --model-name kws01 \\\n"
	       "      --model kws_ref_model.tflite\n"
	       "  then, in another terminal, the MLPerf Tiny runner with the printed pty as\n"
	       "  its DUT port.\n");
}

static int parse_options(int argc, char **argv, struct serve_options *options)
{
	static const struct option long_options[] = {
	    {"board", required_argument, NULL, 'b'},
	    {"protocol", required_argument, NULL, 'p'},
	    {"model-name", required_argument, NULL, 'n'},
	    {"model", required_argument, NULL, 'm'},
	    {"json", no_argument, NULL, 'j'},
	    {"energy-mode", no_argument, NULL, 'e'},
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int option;

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'b': options->board_id = optarg; break;
		case 'p': options->protocol = optarg; break;
		case 'n': options->model_name = optarg; break;
		case 'm': options->model_path = optarg; break;
		case 'j': options->json = 1; break;
		case 'e': options->energy_mode = 1; break;
		case 'd': options->boards_dir = optarg; break;
		case 'h': options->help = 1; return HB_OK;
		default: return cli_bad_option("serve", option, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hb_error(HB_ERR_USAGE,
				"unexpected argument '%s' (see 'hilbench serve --help')",
				argv[optind]);
	if (!protocol_find(options->protocol))
		return hb_error(HB_ERR_USAGE,
				"--protocol '%s' is unknown: expected hilbench or mlperf-tiny",
				options->protocol);
	if (options->model_name && strcmp(options->protocol, "mlperf-tiny") != 0)
		return hb_error(HB_ERR_USAGE,
				"--model-name names the model to the MLPerf Tiny runner: it needs "
				"--protocol mlperf-tiny");
	if (options->energy_mode && strcmp(options->protocol, "mlperf-tiny") != 0)
		return hb_error(HB_ERR_USAGE, "--energy-mode is the MLPerf Tiny firmware's energy "
					      "mode: it needs --protocol mlperf-tiny");
	if (options->model_name && !firmware_model_name_valid(options->model_name))
		return hb_error(HB_ERR_USAGE,
				"--model-name '%s' is malformed: expected 1 to 31 characters from "
				"[A-Za-z0-9_-], e.g. kws01",
				options->model_name);
	return HB_OK;
}

static int make_run_dir(char *path, size_t capacity)
{
	const char *base = getenv("TMPDIR");

	if (!base || !base[0])
		base = "/tmp";
	if ((size_t)snprintf(path, capacity, "%s/hilbench-run-serve-XXXXXX", base) >= capacity)
		return hb_error(HB_ERR_INPUT, "TMPDIR '%s' is too long for a run folder", base);
	if (!mkdtemp(path))
		return hb_error(HB_ERR_IO, "cannot create a run folder in '%s': %s", base,
				strerror(errno));
	return HB_OK;
}

static int print_started(const struct serve_options *options, const struct board_profile *board,
			 const struct firmware_image *image, const struct loaded_model *model,
			 const char *key, const char *device)
{
	cJSON *root;
	char *text;

	if (!options->json) {
		printf("%s: %s (board '%s', protocol %s%s%s, model %s)\n", key, device, board->id,
		       options->protocol, options->model_name ? ", model name " : "",
		       options->model_name ? options->model_name : "", model->name);
		fflush(stdout);
		return HB_OK;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, key, device);
	cJSON_AddStringToObject(root, "board", board->id);
	cJSON_AddStringToObject(root, "protocol", options->protocol);
	if (options->model_name)
		cJSON_AddStringToObject(root, "model_name", options->model_name);
	else
		cJSON_AddNullToObject(root, "model_name");
	cJSON_AddStringToObject(root, "model", model->path);
	cJSON_AddStringToObject(root, "model_image", model->image_path);
	cJSON_AddStringToObject(root, "firmware", image->elf_path);
	cJSON_AddBoolToObject(root, "energy_mode", options->energy_mode);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory printing what was started");
	printf("%s\n", text);
	fflush(stdout);
	free(text);
	return HB_OK;
}

/* The pty, relayed until a signal; then the board is stopped. */
static int serve_emulated(const struct serve_options *options, const struct board_profile *board,
			  const struct firmware_image *image, const struct loaded_model *model,
			  const struct flash_session *flash)
{
	const struct transport_driver *driver = transport_find(flash->console_transport);
	const struct transport_options transport_options = {
	    .baud = board->console.baud, .connect_timeout_ms = CONNECT_TIMEOUT_MS};
	struct transport *console = NULL;
	struct pty_relay relay;
	int status;

	if (!driver)
		return hb_error(HB_ERR_INTERNAL, "board '%s': unknown console transport '%s'",
				board->id, flash->console_transport);
	status = driver->open(flash->console_address, &transport_options, &console);
	if (status != HB_OK)
		return status;
	status = pty_relay_open(&relay);
	if (status == HB_OK) {
		status = print_started(options, board, image, model, "pty", relay.path);
		if (status == HB_OK) {
			hb_info("serving board '%s' on %s until Ctrl-C", board->id, relay.path);
			status = pty_relay_run(&relay, console, &stop_requested);
		}
		if (status == HB_OK)
			hb_info("stopping board '%s' (%llu bytes to it, %llu from it)", board->id,
				(unsigned long long)relay.to_board,
				(unsigned long long)relay.from_board);
		pty_relay_close(&relay);
	}
	console->driver->close(console);
	return status;
}

static int install_signal_handlers(void)
{
	struct sigaction action;

	memset(&action, 0, sizeof action);
	action.sa_handler = on_signal;
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0)
		return hb_error(HB_ERR_INTERNAL, "cannot install the SIGINT/SIGTERM handlers: %s",
				strerror(errno));
	return HB_OK;
}

static int serve(const struct serve_options *options, const struct board_profile *board,
		 const struct loaded_model *model)
{
	const struct flasher_driver *flasher = flasher_find(board->flasher.driver);
	/* The protocol's firmware build (link/protocol.h); hilbench's is the
	 * default build, the one `hilbench run` uses. */
	const struct firmware_options build = {
	    .protocol = protocol_find(options->protocol)->firmware_protocol,
	    .model_name = options->model_name,
	    .energy_mode = options->energy_mode};
	struct firmware_image image;
	struct flash_session flash;
	struct flash_request request;
	struct board_locks locks;
	char run_dir[200];
	int status;

	if (!flasher)
		return hb_error(HB_ERR_INPUT, "board '%s': unknown flasher '%s'", board->id,
				board->flasher.driver);
	/* Flashing a real board that a run is using would end that run. */
	status = board_locks_acquire(board, &locks);
	if (status == HB_OK)
		status = firmware_build_with(board, &build, &image);
	if (status == HB_OK)
		status = make_run_dir(run_dir, sizeof run_dir);
	if (status != HB_OK) {
		board_locks_release(&locks);
		return status;
	}
	request = (struct flash_request){.board = board,
					 .firmware_elf = image.elf_path,
					 .model_image = model->image_path,
					 .model_address = board->model.origin,
					 .run_dir = run_dir,
					 .timeout_ms = 60000};
	memset(&flash, 0, sizeof flash);
	stop_requested = 0;
	status = install_signal_handlers();
	if (status == HB_OK) {
		hb_info("starting board '%s' with %s", board->id, flasher->name);
		status = flasher->start(&request, &flash);
	}
	if (status == HB_OK && !flasher->emulator) {
		/* The board runs on its own now; the tools open its console. */
		status =
		    print_started(options, board, &image, model, "console", board->console.device);
	} else if (status == HB_OK) {
		status = serve_emulated(options, board, &image, model, &flash);
		/* No protocol exit for every firmware: the board is stopped, not asked. */
		int stop_status = flasher->stop(&flash, 0);
		if (status == HB_OK && stop_status > 0)
			status =
			    hb_error(HB_ERR_TOOL, "board '%s' had stopped with status %d (log: %s)",
				     board->id, stop_status, flash.log_path);
	}
	if (status == HB_OK && file_remove_scratch_dir(run_dir) != HB_OK)
		hb_warn("run folder '%s' left behind", run_dir);
	board_locks_release(&locks);
	return status;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_options options = {.board_id = "qemu-m4", .protocol = "hilbench"};
	struct board_profile board;
	struct loaded_model model;
	int status = parse_options(argc, argv, &options);

	if (status != HB_OK)
		return status;
	if (options.help) {
		print_help();
		return HB_OK;
	}
	status = profile_find(cli_boards_dir(options.boards_dir), options.board_id, &board);
	if (status != HB_OK)
		return status;
	status = model_load(options.model_path, &model);
	if (status != HB_OK)
		return status;
	status = serve(&options, &board, &model);
	model_unload(&model);
	return status;
}
