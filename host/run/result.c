#include "run/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/energy_model.h"
#include "report/count_label.h"
#include "report/run_table.h"
#include "util/error.h"
#include "util/fileio.h"
#include "model_image.h"
#include "util/stats.h"

static void utc_now(char *out, size_t capacity, const char *format)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, capacity, format, &tm);
}

void result_init(struct run_result *result, const struct board_profile *board,
		 const struct loaded_model *model, const char *results_dir)
{
	char stamp[32];

	memset(result, 0, sizeof *result);
	result->status = "running";
	result->board = board;
	result->model = model;
	result->first_mismatch_element = -1;
	result->target_exit_status = -1;
	utc_now(result->started_utc, sizeof result->started_utc, "%Y-%m-%dT%H:%M:%SZ");
	utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
	if (!results_dir)
		return;
	snprintf(result->json_path, sizeof result->json_path, "%s/%s_%s_%s.json", results_dir,
		 stamp, board->id, model->name);
	snprintf(result->markdown_path, sizeof result->markdown_path, "%s/%s_%s_%s.md", results_dir,
		 stamp, board->id, model->name);
}

void result_release(struct run_result *result)
{
	free(result->ticks);
	result->ticks = NULL;
	layer_profile_release(&result->layers);
	result->run_count = result->run_capacity = 0;
	energy_measurement_release(&result->energy);
	cJSON_Delete(result->protocol_figures);
	result->protocol_figures = NULL;
}

int result_add_runs(struct run_result *result, const uint64_t *ticks, size_t count)
{
	if (count == 0)
		return HB_OK;
	if (result->run_count + count > result->run_capacity) {
		size_t capacity = (result->run_count + count) * 2;
		uint64_t *grown = realloc(result->ticks, capacity * sizeof *grown);
		if (!grown)
			return hb_error(HB_ERR_NOMEM, "out of memory recording %zu runs", count);
		result->ticks = grown;
		result->run_capacity = capacity;
	}
	memcpy(result->ticks + result->run_count, ticks, count * sizeof *ticks);
	result->run_count += count;
	return HB_OK;
}

void result_fail(struct run_result *result, int code)
{
	result->status = "error";
	result->error_code = code;
	snprintf(result->error_message, sizeof result->error_message, "%s", hb_last_error());
}

void result_finish(struct run_result *result, int code, double wall_seconds)
{
	if (code != HB_OK)
		result_fail(result, code);
	else
		result->status = "ok";
	result->wall_seconds = wall_seconds;
	utc_now(result->finished_utc, sizeof result->finished_utc, "%Y-%m-%dT%H:%M:%SZ");
}

uint32_t result_input_staging(const struct run_result *result)
{
	/* The firmware copies each input above the arena, 4-byte aligned, and
	 * reports the copy's size; before HELLO the image says the same. An
	 * image that keeps its input in the arena has no copy: the board
	 * receives the input in place (its HELLO input_capacity is then what
	 * INPUT_WRITE fills, not a copy). */
	if (result->model->compiled.input_in_arena)
		return 0;
	if (result->have_hello)
		return result->hello.input_capacity;
	return model_input_staging(&result->model->compiled);
}

const char *result_input_staging_source(const struct run_result *result)
{
	if (result->model->compiled.input_in_arena)
		return "derived (none: the plan keeps the input alive in the arena through every "
		       "run, so the board receives it in place and the next run reads it again)";
	return result->have_hello
		   ? "derived (reported by the board in HELLO: the input copy above the arena)"
		   : "derived (the model's input tensor, copied above the arena)";
}

uint32_t result_peak_ram(const struct run_result *result)
{
	if (!result->have_sizes || !result->have_stack)
		return 0;
	return result->sizes.static_ram + result->model->compiled.arena_size +
	       result_input_staging(result) + result->stack_high_water;
}

uint32_t result_deployment_ram(const struct run_result *result)
{
	const struct compiled_model *compiled = &result->model->compiled;

	if (!result->have_sizes || !result->have_stack)
		return 0;
	/* A deployment writes each input into the arena before its inference:
	 * the plan where the input dies at its last reader. */
	return result->sizes.static_ram - result->sizes.harness_bss +
	       (compiled->input_in_arena ? compiled->arena_fresh_input : compiled->arena_size) +
	       result_deployment_stack(result);
}

uint32_t result_deployment_stack(const struct run_result *result)
{
	return result->have_inference_stack ? result->inference_stack : result->stack_high_water;
}

const char *result_deployment_stack_name(const struct run_result *result)
{
	return result->have_inference_stack
		   ? "inference_stack"
		   : "stack_high_water (the whole firmware's: an upper bound)";
}

uint32_t result_flash(const struct run_result *result)
{
	return result->sizes.flash + (uint32_t)result->model->compiled.image_size;
}

double result_counter_scale(const struct run_result *result)
{
	return result->have_hello ? result->hello.counter_scale_q16 / 65536.0 : 1.0;
}

static cJSON *value_object(double value, const char *unit, const char *source, const char *method)
{
	cJSON *object = cJSON_CreateObject();
	cJSON_AddNumberToObject(object, "value", value);
	cJSON_AddStringToObject(object, "unit", unit);
	cJSON_AddStringToObject(object, "source", source);
	if (method)
		cJSON_AddStringToObject(object, "method", method);
	return object;
}

static cJSON *tool_json(void)
{
	cJSON *tool = cJSON_CreateObject();
	cJSON_AddStringToObject(tool, "name", "hilbench");
	cJSON_AddStringToObject(tool, "version", HB_VERSION);
	cJSON_AddStringToObject(tool, "git_revision", HB_GIT_REV);
	return tool;
}

static cJSON *board_json(const struct run_result *result)
{
	const struct board_profile *board = result->board;
	cJSON *object = cJSON_CreateObject();
	cJSON_AddStringToObject(object, "id", board->id);
	cJSON_AddStringToObject(object, "name", board->name);
	cJSON_AddStringToObject(object, "profile", board->path);
	cJSON_AddStringToObject(object, "core", board->core);
	cJSON_AddStringToObject(object, "fpu", board->fpu);
	cJSON_AddNumberToObject(object, "clock_hz", board->clock_hz);
	cJSON_AddStringToObject(object, "flasher", board->flasher.driver);
	cJSON_AddStringToObject(object, "cycle_counter", profile_counter_name(board->counter));
	cJSON_AddStringToObject(object, "verified", profile_verified_name(board->verified));
	/* The capacities reports measure RAM and flash against (from the profile;
	 * for an emulated stand-in, the real board's it stands for). */
	cJSON_AddNumberToObject(object, "flash_bytes", profile_limits(board).flash.size);
	cJSON_AddNumberToObject(object, "ram_bytes", profile_limits(board).ram.size);
	if (board->emulates[0]) {
		cJSON *real = cJSON_AddObjectToObject(object, "emulates");
		char label[160];

		profile_stand_in_label(board, label, sizeof label);
		cJSON_AddStringToObject(real, "id", board->stands_for.board_id);
		cJSON_AddStringToObject(real, "name", board->stands_for.board_name);
		cJSON_AddNumberToObject(real, "clock_hz", board->stands_for.clock_hz);
		cJSON_AddStringToObject(real, "note", label);
	}
	/* Which physical board, when a lab map named it (lab/lab_map.h). */
	if (board->instance.id[0]) {
		cJSON *instance = cJSON_AddObjectToObject(object, "instance");

		cJSON_AddStringToObject(instance, "id", board->instance.id);
		if (board->instance.probe_kind[0]) {
			cJSON *probe = cJSON_AddObjectToObject(instance, "probe");

			cJSON_AddStringToObject(probe, "kind", board->instance.probe_kind);
			cJSON_AddStringToObject(probe, "serial", board->instance.probe_serial);
			cJSON_AddStringToObject(instance, "console", board->console.device);
		}
	}
	return object;
}

static cJSON *firmware_json(const struct run_result *result)
{
	char hex[16];
	cJSON *object = cJSON_CreateObject();
	cJSON_AddStringToObject(object, "elf", result->firmware.elf_path);
	snprintf(hex, sizeof hex, "%08x", result->firmware.crc32);
	cJSON_AddStringToObject(object, "elf_crc32", hex);
	cJSON_AddStringToObject(object, "compiler", result->firmware.compiler);
	if (result->have_hello) {
		const struct msg_hello_reply *hello = &result->hello;
		snprintf(hex, sizeof hex, "%08x", hello->build_id);
		cJSON_AddStringToObject(object, "build_id", hex);
		cJSON_AddNumberToObject(object, "protocol_version", hello->protocol_version);
		cJSON_AddStringToObject(object, "port", hello->port);
		cJSON_AddStringToObject(object, "core", hello->core);
		cJSON_AddNumberToObject(object, "clock_hz", hello->clock_hz);
		cJSON_AddStringToObject(object, "counter",
					hello->counter_kind == MSG_COUNTER_DWT ? "dwt" : "systick");
		cJSON_AddNumberToObject(object, "counter_units_per_tick",
					result_counter_scale(result));
		cJSON_AddNumberToObject(object, "stack_size", hello->stack_size);
		cJSON_AddNumberToObject(object, "uart_rx_window", hello->rx_window);
	}
	return object;
}

static cJSON *counts_json(const struct run_result *result, struct stats_u64 *stats)
{
	const double scale = result_counter_scale(result);
	cJSON *object = cJSON_CreateObject();
	cJSON *runs = cJSON_AddArrayToObject(object, "runs");

	cJSON_AddStringToObject(object, "unit", count_unit(result->board->counter));
	cJSON_AddStringToObject(object, "source", count_source(result->board->counter));
	cJSON_AddStringToObject(object, "method", count_method(result->board->counter));
	cJSON_AddNumberToObject(object, "resolution", scale);
	for (size_t i = 0; i < result->run_count; i++)
		cJSON_AddItemToArray(runs, cJSON_CreateNumber((double)result->ticks[i] * scale));
	stats_u64_compute(result->ticks, result->run_count, stats);
	cJSON_AddNumberToObject(object, "warmups", result->warmups);
	cJSON_AddNumberToObject(object, "min", (double)stats->min * scale);
	cJSON_AddNumberToObject(object, "median", stats->median * scale);
	cJSON_AddNumberToObject(object, "max", (double)stats->max * scale);
	cJSON_AddNumberToObject(object, "mean", stats->mean * scale);
	return object;
}

static cJSON *latency_json(const struct run_result *result, const struct stats_u64 *stats)
{
	const enum profile_counter counter = result->board->counter;
	const double scale = result_counter_scale(result);
	const struct board_profile *board = result->board;
	const double us_per_unit = 1e6 / profile_limits(board).clock_hz;
	const char *caveat = latency_caveat(counter);
	char method[224];
	cJSON *object = cJSON_CreateObject();

	/* A stand-in's latency is at the clock of the board it stands for. */
	snprintf(method, sizeof method, "%s %s / %s clock_hz%s%s%s", count_source(counter),
		 count_unit(counter), board->emulates[0] ? "the emulated board's" : "profile",
		 board->emulates[0] ? " (its profile's)" : "", caveat[0] ? ": " : "", caveat);
	cJSON_AddStringToObject(object, "unit", "us");
	cJSON_AddStringToObject(object, "source", "derived");
	cJSON_AddStringToObject(object, "method", method);
	cJSON_AddNumberToObject(object, "min", (double)stats->min * scale * us_per_unit);
	cJSON_AddNumberToObject(object, "median", stats->median * scale * us_per_unit);
	cJSON_AddNumberToObject(object, "max", (double)stats->max * scale * us_per_unit);
	return object;
}

static cJSON *measurements_json(const struct run_result *result)
{
	cJSON *object = cJSON_CreateObject();
	struct stats_u64 stats;
	const char *source = count_source(result->board->counter);

	/* Says outright when none finished (a hang before the first batch). */
	cJSON_AddNumberToObject(object, "runs_completed", (double)result->run_count);
	if (result->run_count > 0) {
		double macs = (double)result->model->compiled.macs;
		cJSON_AddItemToObject(object, "count_per_inference", counts_json(result, &stats));
		cJSON_AddItemToObject(object, "latency", latency_json(result, &stats));
		layer_profile_add_json(object, &result->layers, result->board->counter,
				       result_counter_scale(result), stats.median);
		if (macs > 0) {
			char unit[40];
			snprintf(unit, sizeof unit, "%s per MAC",
				 count_unit(result->board->counter));
			cJSON_AddItemToObject(
			    object, "count_per_mac",
			    value_object(stats.median * result_counter_scale(result) / macs, unit,
					 "derived", "median count / MACs of the model"));
		}
		if (result->board->energy.model.present) {
			const struct profile_energy_model *figures = &result->board->energy.model;
			char method[640];
			cJSON *energy;

			energy_model_method(figures, result->board->counter, method, sizeof method);
			energy = value_object(
			    energy_model_uj(figures, stats.median * result_counter_scale(result)),
			    "uJ", "modelled", method);
			cJSON_AddStringToObject(energy, "chip", figures->chip);
			cJSON_AddStringToObject(energy, "datasheet", figures->datasheet);
			cJSON_AddItemToObject(object, "modelled_energy_per_inference", energy);
		}
	}
	if (result->energy.attempted)
		cJSON_AddItemToObject(object, "energy_per_inference",
				      energy_measurement_json(&result->energy));
	if (result->have_stack)
		cJSON_AddItemToObject(
		    object, "stack_high_water",
		    value_object(result->stack_high_water, "bytes", source,
				 "stack painted at boot, deepest overwritten word after the runs"));
	if (result->have_inference_stack)
		cJSON_AddItemToObject(
		    object, "inference_stack",
		    value_object(
			result->inference_stack, "bytes", source,
			"free stack repainted right before the runs, deepest overwritten "
			"word after them, measured from the runs' call point: the model's "
			"kernels and any interrupt taken meanwhile, not the harness's frames"));
	if (result->have_stack)
		cJSON_AddItemToObject(
		    object, "arena_used",
		    value_object(result->arena_used, "bytes", source,
				 "arena painted before the runs, highest overwritten word after"));
	{
		cJSON *staging = value_object(
		    result_input_staging(result), "bytes", "derived",
		    result->model->compiled.input_in_arena
			? "none: the image keeps the input alive in the arena through every run "
			  "(the plan took less RAM so than with a copy), so the board receives it "
			  "in place and the next run reads it again"
		    : result->have_hello
			? "the firmware's copy of the input above the arena, that each run starts "
			  "from, as the board reports it (HELLO input_capacity)"
			: "the firmware's copy of the input above the arena, that each run starts "
			  "from: the model's input tensor, 4-byte aligned");
		cJSON_AddItemToObject(object, "input_staging", staging);
	}
	if (result->have_sizes) {
		const struct elf_sizes *sizes = &result->sizes;
		cJSON *ram = value_object(sizes->static_ram, "bytes", "elf",
					  ".data + .bss from section headers");
		cJSON *flash = value_object(result_flash(result), "bytes", "derived",
					    "firmware .text + .rodata + .data (ELF) + model image");
		cJSON_AddNumberToObject(ram, "data", sizes->data);
		cJSON_AddNumberToObject(ram, "bss", sizes->bss);
		cJSON_AddNumberToObject(ram, "harness", sizes->harness_bss);
		cJSON_AddNumberToObject(flash, "firmware", sizes->flash);
		cJSON_AddNumberToObject(flash, "text", sizes->text);
		cJSON_AddNumberToObject(flash, "rodata", sizes->rodata);
		cJSON_AddNumberToObject(flash, "data", sizes->data);
		cJSON_AddNumberToObject(flash, "model_image",
					(double)result->model->compiled.image_size);
		cJSON_AddItemToObject(object, "static_ram", ram);
		cJSON_AddItemToObject(object, "flash", flash);
		if (result->have_stack) {
			cJSON_AddItemToObject(
			    object, "peak_ram",
			    value_object(
				result_peak_ram(result), "bytes", "derived",
				"static_ram + planned arena + input_staging + stack_high_water: "
				"all the RAM the benchmark firmware used"));
			char method[320];
			snprintf(method, sizeof method,
				 "static_ram without the harness buffers (static_ram.harness) + "
				 "planned arena + %s; leaves out the input staging and the "
				 "harness's stack frames",
				 result_deployment_stack_name(result));
			cJSON_AddItemToObject(object, "deployment_ram_estimate",
					      value_object(result_deployment_ram(result), "bytes",
							   "derived", method));
		}
	}
	return object;
}

cJSON *result_to_json(const struct run_result *result)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *model_json = cJSON_CreateObject();
	cJSON *check = cJSON_CreateObject();
	cJSON *link = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "schema", RESULT_SCHEMA);
	cJSON_AddStringToObject(root, "status", result->status);
	if (result->error_code) {
		cJSON *error = cJSON_AddObjectToObject(root, "error");
		cJSON_AddStringToObject(error, "kind", hb_status_name(result->error_code));
		cJSON_AddStringToObject(error, "message", result->error_message);
	} else {
		cJSON_AddNullToObject(root, "error");
	}
	cJSON_AddItemToObject(root, "tool", tool_json());
	cJSON_AddStringToObject(root, "started_utc", result->started_utc);
	if (result->finished_utc[0]) {
		cJSON_AddStringToObject(root, "finished_utc", result->finished_utc);
		cJSON_AddNumberToObject(root, "wall_seconds", result->wall_seconds);
	}
	cJSON_AddItemToObject(root, "board", board_json(result));
	cJSON_AddItemToObject(root, "firmware", firmware_json(result));

	{
		const struct loaded_model *model = result->model;
		const struct compiled_model *compiled = &model->compiled;
		char hex[16];
		cJSON_AddStringToObject(model_json, "name", model->name);
		cJSON_AddStringToObject(model_json, "path", model->path);
		snprintf(hex, sizeof hex, "%08x", model->source_crc32);
		cJSON_AddStringToObject(model_json, "source_crc32", hex);
		cJSON_AddStringToObject(model_json, "variant", model->variant);
		cJSON_AddNumberToObject(model_json, "operators", model->operator_count);
		cJSON_AddNumberToObject(model_json, "macs", (double)compiled->macs);
		cJSON_AddNumberToObject(model_json, "weight_bytes", compiled->weight_bytes);
		cJSON_AddNumberToObject(model_json, "image_bytes", (double)compiled->image_size);
		cJSON_AddNumberToObject(model_json, "arena_planned", compiled->arena_size);
		cJSON_AddNumberToObject(model_json, "activation_floor", compiled->activation_floor);
		cJSON_AddBoolToObject(model_json, "input_in_arena", compiled->input_in_arena);
		cJSON_AddNumberToObject(model_json, "arena_fresh_input",
					compiled->arena_fresh_input);
		cJSON_AddNumberToObject(model_json, "input_bytes", compiled->input_bytes);
		cJSON_AddNumberToObject(model_json, "output_bytes", compiled->output_bytes);
		cJSON_AddNumberToObject(model_json, "input_seed", result->input_seed);
	}
	cJSON_AddItemToObject(root, "model", model_json);
	cJSON_AddItemToObject(root, "measurements", measurements_json(result));
	{
		/* Which protocol measured the figures above; its own figures beside. */
		cJSON *protocol = result->protocol_figures
				      ? cJSON_Duplicate(result->protocol_figures, 1)
				      : cJSON_CreateObject();
		cJSON_DeleteItemFromObject(protocol, "name");
		cJSON_AddStringToObject(protocol, "name",
					result->protocol ? result->protocol : "hilbench");
		cJSON_AddItemToObject(root, "protocol", protocol);
	}

	cJSON_AddBoolToObject(check, "performed", result->output_checked);
	cJSON_AddStringToObject(check, "reference",
				result->protocol_figures
				    ? "host execution of the same image and kernels, dequantised, "
				      "to the precision the board prints (3 decimals)"
				: result->model->compiled.output_dtype == MODEL_DTYPE_INT8
				    ? "host execution of the same image and kernels, bit-exact"
				    : "host execution of the same image and kernels, within "
				      "tolerance (relative to max(1, |host|))");
	cJSON_AddNumberToObject(check, "samples_compared", result->outputs_compared);
	cJSON_AddNumberToObject(check, "mismatches", result->output_mismatches);
	cJSON_AddNumberToObject(check, "max_abs_error", result->max_abs_error);
	cJSON_AddNumberToObject(check, "tolerance", result->tolerance);
	if (result->first_mismatch_element >= 0)
		cJSON_AddNumberToObject(check, "first_mismatch_element",
					(double)result->first_mismatch_element);
	cJSON_AddItemToObject(root, "output_check", check);

	cJSON_AddNumberToObject(link, "requests", result->counters.requests);
	cJSON_AddNumberToObject(link, "resends", result->counters.resends);
	cJSON_AddNumberToObject(link, "damaged_frames", result->counters.damaged_frames);
	cJSON_AddNumberToObject(link, "resyncs", result->counters.resyncs);
	cJSON_AddNumberToObject(link, "unasked_boots", result->counters.unasked_boots);
	if (result->paced_baud > 0)
		cJSON_AddNumberToObject(link, "paced_baud", result->paced_baud);
	if (result->line_noise > 0) {
		cJSON *noise = cJSON_AddObjectToObject(link, "injected_noise");
		cJSON_AddStringToObject(noise, "source",
					"test aid --debug-line-noise, not the line");
		cJSON_AddNumberToObject(noise, "probability_per_byte", result->line_noise);
		cJSON_AddNumberToObject(noise, "seed", result->noise_seed);
		cJSON_AddNumberToObject(noise, "bytes_damaged_sent",
					(double)result->noise.damaged_sent);
		cJSON_AddNumberToObject(noise, "bytes_damaged_received",
					(double)result->noise.damaged_received);
	}
	cJSON_AddNumberToObject(link, "bytes_sent", (double)result->counters.bytes_sent);
	cJSON_AddNumberToObject(link, "bytes_received", (double)result->counters.bytes_received);
	if (result->target_exit_status >= 0)
		cJSON_AddNumberToObject(link, "target_exit_status", result->target_exit_status);
	cJSON_AddItemToObject(root, "link", link);
	if (result->have_deadlines)
		cJSON_AddItemToObject(root, "deadlines",
				      recovery_deadlines_json(&result->deadlines));
	cJSON_AddItemToObject(root, "recoveries", recovery_log_json(&result->recoveries));
	return root;
}

static int write_markdown(const struct run_result *result)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	struct run_table table;
	int status;

	if (!out)
		return hb_error(HB_ERR_NOMEM, "out of memory writing '%s'", result->markdown_path);
	fprintf(out, "# %s on %s\n\n", result->model->name, result->board->id);
	fprintf(out, "- model: `%s` (%s, %llu MACs, image %zu bytes, arena %u bytes planned)\n",
		result->model->path, result->model->variant,
		(unsigned long long)result->model->compiled.macs,
		result->model->compiled.image_size, result->model->compiled.arena_size);
	fprintf(out, "- status: **%s**%s%s\n", result->status, result->error_code ? ": " : "",
		result->error_code ? result->error_message : "");
	fprintf(out, "- board: %s (%s, verified: %s)\n", result->board->name, result->board->core,
		profile_verified_name(result->board->verified));
	fprintf(out, "- firmware: `%s` (crc32 %08x), %s\n", result->firmware.elf_path,
		result->firmware.crc32, result->firmware.compiler);
	fprintf(out, "- started: %s, hilbench %s (%s)\n\n", result->started_utc, HB_VERSION,
		HB_GIT_REV);
	run_table_build(result, &table);
	run_table_write_markdown(out, &table);
	fclose(out);
	status = file_write_atomic(result->markdown_path, text, length);
	free(text);
	return status;
}

int result_write(const struct run_result *result)
{
	cJSON *root;
	char *text;
	int status;

	if (!result->json_path[0])
		return HB_OK; /* kept in memory: a suite writes one record for all variants */
	root = result_to_json(result);
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory writing '%s'", result->json_path);
	status = file_write_atomic(result->json_path, text, strlen(text));
	free(text);
	if (status == HB_OK)
		status = write_markdown(result);
	return status;
}
