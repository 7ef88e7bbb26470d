/* hilbench inspect: what a model is and what it needs, without a board. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "flash/elf_size.h"
#include "util/error.h"
#include "flash/firmware_build.h"
#include "lab/lab_map.h"
#include "model_image.h"
#include "model/model_load.h"
#include "model/tflite.h"

static void print_help(void)
{
	printf("usage: hilbench inspect FILE.tflite [--board ID [--lab FILE]]\n\n"
	       "Reads and compiles a model and prints, per operator: what it became on the\n"
	       "device, its output shape, MACs, weight bytes and the activation bytes alive\n"
	       "while it runs; then the totals: MACs, weights, device image size, the\n"
	       "planner's arena beside the activation floor (the most bytes alive at once,\n"
	       "which no plan can beat). An operator hilbench cannot run is named with its\n"
	       "index. With --board it also builds the board's firmware and says whether\n"
	       "the model fits its flash and RAM: for an emulated stand-in (a profile's\n"
	       "\"emulates\"), the flash and RAM of the real board it stands for. With\n"
	       "--lab FILE, --board names an instance of that lab map (docs/boards.md).\n");
}

/* The limits are the board's own or, for an emulated stand-in, those of
 * the real board it stands for (profile_limits). */
static void print_fit(const struct board_profile *board, const struct loaded_model *model)
{
	const struct profile_limits real = profile_limits(board);
	const struct profile_limits *limits = &real;
	const uint32_t firmware_room = limits->model.origin - limits->flash.origin;
	struct firmware_image image;
	struct elf_sizes sizes;
	const struct compiled_model *compiled = &model->compiled;
	uint64_t ram_left;
	uint64_t need = model_ram_need(compiled);
	char stand_in[160];

	if (firmware_build(board, &image) != HB_OK ||
	    elf_sizes_read(image.elf_path, &sizes) != HB_OK)
		return;
	ram_left = limits->ram.size > (uint64_t)sizes.static_ram + sizes.stack
		       ? limits->ram.size - (uint64_t)sizes.static_ram - sizes.stack
		       : 0;
	printf("\non board '%s' (%s):\n", board->id, board->name);
	profile_stand_in_label(board, stand_in, sizeof stand_in);
	if (stand_in[0])
		printf("  %s\n  limits of '%s' (%s): %u B RAM, %u B model region, %.1f MHz\n",
		       stand_in, limits->board_id, limits->board_name, limits->ram.size,
		       limits->model.size, limits->clock_hz / 1e6);
	printf("  flash: firmware %u B in the %u B before the model region: %s\n", sizes.flash,
	       firmware_room, sizes.flash <= firmware_room ? "fits" : "DOES NOT FIT");
	printf("  flash: model image %zu B in a %u B model region: %s\n", compiled->image_size,
	       limits->model.size,
	       compiled->image_size <= limits->model.size ? "fits" : "DOES NOT FIT");
	printf("  RAM:   arena %u B + input staging %u B, %llu B left after the firmware: %s\n",
	       compiled->arena_size, model_input_staging(compiled), (unsigned long long)ram_left,
	       need <= ram_left ? "fits" : "DOES NOT FIT");
	printf("  planned, before any run (stack measured only on a run):\n");
	printf("    flash %zu B (firmware %u + image)\n", sizes.flash + compiled->image_size,
	       sizes.flash);
	printf("    peak RAM >= %llu B (static %u + arena %u + input staging %u, plus stack)\n",
	       (unsigned long long)sizes.static_ram + compiled->arena_size +
		   model_input_staging(compiled),
	       sizes.static_ram, compiled->arena_size, model_input_staging(compiled));
	printf("    deployment RAM >= %llu B (static without harness buffers %u + arena, plus "
	       "the inference's stack)\n",
	       (unsigned long long)(sizes.static_ram - sizes.harness_bss) +
		   compiled->arena_fresh_input,
	       sizes.static_ram - sizes.harness_bss);
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"board", required_argument, NULL, 'b'},
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"lab", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *board_id = NULL, *boards_dir = NULL, *lab_path = NULL;
	struct board_profile board;
	struct loaded_model model;
	int option, status;

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'b': board_id = optarg; break;
		case 'd': boards_dir = optarg; break;
		case 'L': lab_path = optarg; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("inspect", option, argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return hb_error(HB_ERR_USAGE,
				"inspect needs one model file (see 'hilbench inspect --help')");
	if (board_id) {
		status = lab_board_resolve(lab_path, cli_boards_dir(boards_dir), board_id, &board);
		if (status != HB_OK)
			return status;
	}
	status = model_load(argv[optind], &model);
	if (status != HB_OK)
		return status;

	const struct compiled_model *compiled = &model.compiled;
	printf("%s: %s, %u operators\n", model.path, model.variant, model.operator_count);
	printf("  input  %s %s, %u B\n",
	       compiled->input_dtype == MODEL_DTYPE_FLOAT32 ? "float32" : "int8",
	       compiled_shape_text(compiled->input_shape, compiled->input_rank).text,
	       compiled->input_bytes);
	printf("  output %s %s, %u B\n\n",
	       compiled->output_dtype == MODEL_DTYPE_FLOAT32 ? "float32" : "int8",
	       compiled_shape_text(compiled->output_shape, compiled->output_rank).text,
	       compiled->output_bytes);
	printf("  %3s  %-18s %-22s %-18s %12s %10s %10s\n", "#", "operator", "runs as", "output",
	       "MACs", "weights B", "live B");
	for (size_t i = 0; i < compiled->layer_count; i++) {
		const struct compiled_layer *layer = &compiled->layers[i];
		printf("  %3d  %-18s %-22s %-18s %12llu %10u %10u\n", layer->tflite_index,
		       tflite_builtin_name(layer->builtin),
		       layer->kind ? model_op_kind_name(layer->kind) : "(folded)",
		       compiled_shape_text(layer->output_shape, layer->output_rank).text,
		       (unsigned long long)layer->macs, layer->weight_bytes, layer->live_bytes);
	}
	printf("\n  MACs per inference   %llu\n", (unsigned long long)compiled->macs);
	printf("  weight bytes         %u\n", compiled->weight_bytes);
	printf("  device image         %zu B\n", compiled->image_size);
	printf("  arena (planned)      %u B\n", compiled->arena_size);
	printf("  activation floor     %u B%s\n", compiled->activation_floor,
	       compiled->arena_size == compiled->activation_floor  ? " (the plan meets it)"
	       : compiled->arena_size < compiled->activation_floor ? " (no sharing; the plan "
								     "is below it, in place)"
								   : "");
	printf("  in-place ops         %u (planned to write over the input they consume)\n",
	       compiled->in_place_ops);
	if (compiled->input_in_arena)
		printf("  input staging        0 B (the input is kept alive in the arena: %u B "
		       "against %u B and a %u B copy above it)\n",
		       compiled->arena_size, compiled->arena_fresh_input,
		       (compiled->input_bytes + 3u) & ~3u);
	else
		printf("  input staging        %u B (a copy above the arena, restored before each "
		       "run)\n",
		       model_input_staging(compiled));
	if (board_id)
		print_fit(&board, &model);
	model_unload(&model);
	return HB_OK;
}
