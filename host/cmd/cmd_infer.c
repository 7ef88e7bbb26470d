/* hilbench infer: one input tensor in, the board's output tensor out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "lab/board_lock.h"
#include "run/benchmark.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "util/error.h"
#include "util/fileio.h"
#include "model_image.h"
#include "model/model_load.h"

static void print_help(void)
{
	printf("usage: hilbench infer --model FILE.tflite --input IN.bin --output OUT.bin [--board "
	       "ID]\n\n"
	       "Runs one inference on the board: IN.bin holds the model's input tensor and\n"
	       "OUT.bin receives its output tensor, as raw little-endian bytes in the\n"
	       "model's own type and layout (int8 or float32, NHWC): what any other runtime\n"
	       "reads and writes. The board's output is also checked against the host's\n"
	       "execution of the same image, and the run is recorded like 'hilbench run'.\n\n"
	       "options:\n"
	       "  --board ID        board profile (default qemu-m4)\n"
	       "  --timeout S       seconds the board may take per request (default 30)\n"
	       "  --results DIR     where the result record goes (default ./results)\n"
	       "  --boards-dir DIR  where board profiles are\n");
}

static const char *dtype_name(uint32_t dtype)
{
	return dtype == MODEL_DTYPE_FLOAT32 ? "float32" : "int8";
}

int cmd_infer(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"board", required_argument, NULL, 'b'},
	    {"model", required_argument, NULL, 'm'},
	    {"input", required_argument, NULL, 'i'},
	    {"output", required_argument, NULL, 'o'},
	    {"timeout", required_argument, NULL, 't'},
	    {"results", required_argument, NULL, 'r'},
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct benchmark_options options = {
	    .runs = 1,
	    .warmups = 0,
	    .timeout_ms = 30000,
	    .attempts = 4,
	    .results_dir = "results",
	};
	const char *board_id = "qemu-m4", *boards_dir = NULL;
	const char *model_path = NULL, *input_path = NULL, *output_path = NULL;
	struct board_profile board;
	struct loaded_model model;
	struct run_result result = {0};
	uint8_t *input = NULL, *output = NULL;
	size_t input_length = 0;
	struct board_locks locks;
	int option, status = HB_OK;

	optind = 0;
	opterr = 0;
	while (status == HB_OK &&
	       (option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'b': board_id = optarg; break;
		case 'm': model_path = optarg; break;
		case 'i': input_path = optarg; break;
		case 'o': output_path = optarg; break;
		case 't':
			status = cli_parse_seconds("--timeout", optarg, &options.timeout_ms);
			break;
		case 'r': options.results_dir = optarg; break;
		case 'd': boards_dir = optarg; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("infer", option, argv[optind - 1]);
		}
	}
	if (status != HB_OK)
		return status;
	if (!model_path || !input_path || !output_path)
		return hb_error(
		    HB_ERR_USAGE,
		    "infer needs --model, --input and --output (see 'hilbench infer --help')");
	status = profile_find(cli_boards_dir(boards_dir), board_id, &board);
	if (status != HB_OK)
		return status;
	status = model_load(model_path, &model);
	if (status != HB_OK)
		return status;
	status = file_read_all(input_path, (size_t)model.compiled.input_bytes + 1,
			       "an input tensor", &input, &input_length);
	if (status == HB_OK && input_length != model.compiled.input_bytes) {
		const int32_t *shape = model.compiled.input_shape;
		status = hb_error(
		    HB_ERR_INPUT,
		    "'%s': expected %u bytes (%s [%d, %d, %d, %d]) for model '%s', got %zu",
		    input_path, model.compiled.input_bytes, dtype_name(model.compiled.input_dtype),
		    shape[0], shape[1], shape[2], shape[3], model.name, input_length);
	}
	if (status == HB_OK) {
		output = malloc(model.compiled.output_bytes);
		if (!output)
			status = hb_error(HB_ERR_NOMEM, "out of memory");
	}
	if (status == HB_OK) {
		options.input = input;
		options.board_output = output;
		/* infer flashes the board as run does: not while a run holds it. */
		status = board_locks_acquire(&board, &locks);
		if (status == HB_OK)
			status = benchmark_run(&board, &model, &options, &result);
		board_locks_release(&locks);
		/* A mismatching output is still the board's answer: keep it for the user. */
		if (result.output_checked) {
			int write_status =
			    file_write_atomic(output_path, output, model.compiled.output_bytes);
			if (status == HB_OK)
				status = write_status;
		}
		if (status == HB_OK)
			printf("%s: %u bytes (%s [%d, %d, %d, %d]) from board '%s'\n", output_path,
			       model.compiled.output_bytes, dtype_name(model.compiled.output_dtype),
			       model.compiled.output_shape[0], model.compiled.output_shape[1],
			       model.compiled.output_shape[2], model.compiled.output_shape[3],
			       board.id);
		result_release(&result);
	}
	free(input);
	free(output);
	model_unload(&model);
	return status;
}
