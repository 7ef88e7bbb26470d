#include "report/run_table.h"

#include <stdarg.h>
#include <string.h>

#include "meter/energy_model.h"
#include "model_image.h"
#include "report/count_label.h"
#include "util/stats.h"

static struct run_table_row *add_row(struct run_table *table, const char *metric, const char *unit,
				     const char *source_format, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends a row with its metric, unit and source; the caller fills the value. */
static struct run_table_row *add_row(struct run_table *table, const char *metric, const char *unit,
				     const char *source_format, ...)
{
	static struct run_table_row overflow; /* rows past the table's room are dropped */
	struct run_table_row *row;
	va_list args;

	if (table->count == RUN_TABLE_MAX_ROWS)
		return memset(&overflow, 0, sizeof overflow);
	row = &table->rows[table->count++];
	memset(row, 0, sizeof *row);
	snprintf(row->metric, sizeof row->metric, "%s", metric);
	snprintf(row->unit, sizeof row->unit, "%s", unit);
	va_start(args, source_format);
	vsnprintf(row->source, sizeof row->source, source_format, args);
	va_end(args);
	return row;
}

static void add_bytes_row(struct run_table *table, const char *metric, uint32_t bytes,
			  const char *source)
{
	struct run_table_row *row = add_row(table, metric, "B", "%s", source);
	snprintf(row->value, sizeof row->value, "%u", bytes);
}

static void add_count_rows(const struct run_result *result, struct run_table *table)
{
	const enum profile_counter counter = result->board->counter;
	const struct compiled_model *compiled = &result->model->compiled;
	const double scale = result_counter_scale(result);
	const char *caveat = latency_caveat(counter);
	struct run_table_row *row;
	struct stats_u64 stats;

	stats_u64_compute(result->ticks, result->run_count, &stats);
	/* The metric names the unit of the counts: no unit beside the numbers. */
	row = add_row(table, count_unit(counter), "", "%s, min/median/max of %zu runs",
		      count_source(counter), result->run_count);
	snprintf(row->value, sizeof row->value, "%.0f / %.0f / %.0f", stats.min * scale,
		 stats.median * scale, stats.max * scale);
	if (compiled->macs) {
		row = add_row(table, count_per_mac_label(counter), "", "derived (%llu MACs)",
			      (unsigned long long)compiled->macs);
		snprintf(row->value, sizeof row->value, "%.3f",
			 stats.median * scale / (double)compiled->macs);
	}
	/* An emulated stand-in's latency is at its real board's clock. */
	row = add_row(table, "latency (median)", "us", "derived (%s / %.1f MHz%s%s%s%s)",
		      count_unit(counter), profile_limits(result->board).clock_hz / 1e6,
		      result->board->emulates[0] ? " of " : "", result->board->emulates,
		      caveat[0] ? ", " : "", caveat);
	snprintf(row->value, sizeof row->value, "%.1f",
		 stats.median * scale * 1e6 / profile_limits(result->board).clock_hz);
	if (result->board->energy.model.present) {
		const struct profile_energy_model *figures = &result->board->energy.model;
		row = add_row(table, "energy (modelled)", "uJ",
			      "modelled (%s datasheet: %.3g V x %.4g mA at %.4g MHz%s)",
			      figures->chip, figures->supply_v, figures->run_current_ma,
			      figures->at_clock_hz / 1e6,
			      counter == PROFILE_COUNTER_EMULATED_INSTRUCTIONS
				  ? ", instructions taken as cycles"
				  : "");
		snprintf(row->value, sizeof row->value, "%.3f",
			 energy_model_uj(figures, stats.median * scale));
	}
}

/* Measured energy (--meter): the figure, or a row saying why there is none. */
static void add_energy_rows(const struct run_result *result, struct run_table *table)
{
	const struct energy_measurement *energy = &result->energy;
	const struct energy_result *analysis = &energy->analysis;
	const char *model = energy->info.model[0] ? energy->info.model : energy->driver;
	struct run_table_row *row;

	if (!energy->attempted)
		return;
	if (!energy->analysed || !analysis->has_energy) {
		row = add_row(table, "energy (measured)", "", "measured by %s: none, %s", model,
			      energy->reason[0] ? energy->reason : "no trace");
		snprintf(row->value, sizeof row->value, "-");
		return;
	}
	row = add_row(table, "energy (measured)", "uJ",
		      "measured (%s on %s, %u S/s, %.3g V; median of %zu/%zu windows)", model,
		      energy->port, energy->info.sample_rate_hz, energy->supply_v,
		      analysis->valid_count, analysis->window_count);
	snprintf(row->value, sizeof row->value, "%.3f", analysis->median_j * 1e6);
	snprintf(row->detail, sizeof row->detail, "(spread %.2f %%)", 100 * analysis->spread);
	if (analysis->has_above_idle) {
		row = add_row(table, "energy above idle", "uJ",
			      "measured (idle %.4g mW subtracted over each window)",
			      analysis->idle_power_w * 1e3);
		snprintf(row->value, sizeof row->value, "%.3f",
			 analysis->above_idle_median_j * 1e6);
	}
}

static void add_ram_rows(const struct run_result *result, struct run_table *table)
{
	const enum profile_counter counter = result->board->counter;
	const struct compiled_model *compiled = &result->model->compiled;
	const struct elf_sizes *sizes = &result->sizes;
	struct run_table_row *row;
	char source[160];

	if (result->have_stack) {
		snprintf(source, sizeof source, "%s (painted)", count_source(counter));
		add_bytes_row(table, "stack high-water", result->stack_high_water, source);
	}
	if (result->have_inference_stack) {
		snprintf(source, sizeof source, "%s (repainted before the runs, below their call)",
			 count_source(counter));
		add_bytes_row(table, "inference stack", result->inference_stack, source);
	}
	if (result->have_stack) {
		row = add_row(table, "arena used", "B", "%s (painted); activation floor %u B",
			      count_source(counter), compiled->activation_floor);
		snprintf(row->value, sizeof row->value, "%u", result->arena_used);
		snprintf(row->detail, sizeof row->detail, "(planned %u)", compiled->arena_size);
	}
	add_bytes_row(table, "input staging", result_input_staging(result),
		      result_input_staging_source(result));
	if (!result->have_sizes)
		return;
	snprintf(source, sizeof source, "elf (.data %u + .bss %u, of which harness buffers %u)",
		 sizes->data, sizes->bss, sizes->harness_bss);
	add_bytes_row(table, "static RAM", sizes->static_ram, source);
	if (result->have_stack) {
		add_bytes_row(table, "peak RAM", result_peak_ram(result),
			      "derived (static + planned arena + input staging + stack)");
		snprintf(source, sizeof source,
			 "derived (static without harness buffers + planned arena + %s)",
			 result->have_inference_stack ? "inference stack"
						      : "stack high-water, an upper bound");
		add_bytes_row(table, "deployment RAM (est.)", result_deployment_ram(result),
			      source);
	}
	snprintf(source, sizeof source, "derived (firmware %u + model image %zu)", sizes->flash,
		 compiled->image_size);
	add_bytes_row(table, "flash", result_flash(result), source);
}

static void add_check_row(const struct run_result *result, struct run_table *table)
{
	struct run_table_row *row;

	/* A protocol that prints its scores (MLPerf Tiny: 3 decimals) can only
	 * be held to what it printed, whatever the tensor's type. */
	if (result->protocol && strcmp(result->protocol, "hilbench") != 0) {
		row = add_row(table, "output check", "",
			      "host reference, to the printed decimals, max abs error %.3g",
			      result->max_abs_error);
		snprintf(row->value, sizeof row->value, "%s",
			 result->output_mismatches ? "MISMATCH" : "within print precision");
	} else if (result->model->compiled.output_dtype == MODEL_DTYPE_INT8) {
		row = add_row(table, "output check", "", "host reference, bit-exact");
		snprintf(row->value, sizeof row->value, "%s",
			 result->output_mismatches ? "MISMATCH" : "equal");
	} else {
		row = add_row(table, "output check", "", "host reference, max abs error %.3g",
			      result->max_abs_error);
		snprintf(row->value, sizeof row->value, "%s",
			 result->output_mismatches ? "MISMATCH" : "within tolerance");
	}
}

static void add_layers(const struct run_result *result, struct run_table *table)
{
	const struct layer_profile *profile = &result->layers;
	const enum profile_counter counter = result->board->counter;
	const double scale = result_counter_scale(result);
	const double sum = (double)layer_profile_sum(profile);
	uint32_t order[RUN_TABLE_TOP_LAYERS];
	struct stats_u64 stats;

	table->layer_count = layer_profile_top(profile, order, RUN_TABLE_TOP_LAYERS);
	for (size_t i = 0; i < table->layer_count; i++) {
		const struct layer_figure *figure = &profile->layers[order[i]];
		const char *path = msg_kernel_path_name(figure->path);
		struct run_table_layer *row = &table->layers[i];
		snprintf(row->index, sizeof row->index, "%u", order[i]);
		snprintf(row->op, sizeof row->op, "%s", model_op_kind_name(figure->kind));
		if (figure->tflite_index >= 0)
			snprintf(row->tflite, sizeof row->tflite, "%d", (int)figure->tflite_index);
		else
			snprintf(row->tflite, sizeof row->tflite, "-");
		snprintf(row->path, sizeof row->path, "%s", path ? path : "-");
		snprintf(row->macs, sizeof row->macs, "%llu", (unsigned long long)figure->macs);
		snprintf(row->count, sizeof row->count, "%.0f", (double)figure->ticks * scale);
		if (figure->macs)
			snprintf(row->per_mac, sizeof row->per_mac, "%.3f",
				 (double)figure->ticks * scale / (double)figure->macs);
		else
			snprintf(row->per_mac, sizeof row->per_mac, "-");
		snprintf(row->share, sizeof row->share, "%.1f%%",
			 sum > 0 ? 100.0 * (double)figure->ticks / sum : 0.0);
	}
	if (!table->layer_count)
		return;
	snprintf(table->layers_title, sizeof table->layers_title,
		 "top %zu of %u layers by %s (%s; one extra run read between ops, %.0f %s of "
		 "counter read taken off each op)",
		 table->layer_count, profile->count, count_unit(counter), count_source(counter),
		 profile->read_cost_ticks * scale, count_unit(counter));
	stats_u64_compute(result->ticks, result->run_count, &stats);
	snprintf(table->layers_note, sizeof table->layers_note,
		 "profiling: %.0f %s with the reads between ops against %.0f unprofiled "
		 "(median), %+.3f%%; the ops sum to %.0f",
		 (double)profile->profiled_ticks * scale, count_unit(counter), stats.median * scale,
		 stats.median > 0
		     ? 100.0 * ((double)profile->profiled_ticks - stats.median) / stats.median
		     : 0.0,
		 sum * scale);
}

void run_table_build(const struct run_result *result, struct run_table *table)
{
	table->count = 0;
	table->layer_count = 0;
	table->layers_title[0] = table->layers_note[0] = '\0';
	if (result->run_count > 0)
		add_layers(result, table);
	table->note = count_note(result->board->counter);
	if (result->run_count > 0)
		add_count_rows(result, table);
	add_energy_rows(result, table);
	add_ram_rows(result, table);
	if (result->output_checked)
		add_check_row(result, table);
}

void run_table_value_text(const struct run_table_row *row, char *out, size_t capacity)
{
	snprintf(out, capacity, "%s%s%s%s%s", row->value, row->unit[0] ? " " : "", row->unit,
		 row->detail[0] ? " " : "", row->detail);
}
