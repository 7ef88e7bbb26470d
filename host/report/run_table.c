#include "report/run_table.h"

#include <stdarg.h>
#include <string.h>

#include "model_image.h"
#include "report/count_label.h"
#include "util/stats.h"

static void add_row(struct run_table *table, const char *metric, const char *value,
		    const char *source_format, ...) __attribute__((format(printf, 4, 5)));

static void add_row(struct run_table *table, const char *metric, const char *value,
		    const char *source_format, ...)
{
	struct run_table_row *row;
	va_list args;

	if (table->count == RUN_TABLE_MAX_ROWS)
		return;
	row = &table->rows[table->count++];
	snprintf(row->metric, sizeof row->metric, "%s", metric);
	snprintf(row->value, sizeof row->value, "%s", value);
	va_start(args, source_format);
	vsnprintf(row->source, sizeof row->source, source_format, args);
	va_end(args);
}

static void add_count_rows(const struct run_result *result, struct run_table *table)
{
	const enum profile_counter counter = result->board->counter;
	const struct compiled_model *compiled = &result->model->compiled;
	const double scale = result_counter_scale(result);
	const char *caveat = latency_caveat(counter);
	struct stats_u64 stats;
	char value[64];

	stats_u64_compute(result->ticks, result->run_count, &stats);
	snprintf(value, sizeof value, "%.0f / %.0f / %.0f", stats.min * scale, stats.median * scale,
		 stats.max * scale);
	add_row(table, count_unit(counter), value, "%s, min/median/max of %zu runs",
		count_source(counter), result->run_count);
	if (compiled->macs) {
		snprintf(value, sizeof value, "%.3f",
			 stats.median * scale / (double)compiled->macs);
		add_row(table, count_per_mac_label(counter), value, "derived (%llu MACs)",
			(unsigned long long)compiled->macs);
	}
	snprintf(value, sizeof value, "%.1f us",
		 stats.median * scale * 1e6 / result->board->clock_hz);
	add_row(table, "latency (median)", value, "derived (%s / %.1f MHz%s%s)",
		count_unit(counter), result->board->clock_hz / 1e6, caveat[0] ? ", " : "", caveat);
}

static void add_ram_rows(const struct run_result *result, struct run_table *table)
{
	const enum profile_counter counter = result->board->counter;
	const struct compiled_model *compiled = &result->model->compiled;
	const struct elf_sizes *sizes = &result->sizes;
	char value[64];

	if (result->have_stack) {
		snprintf(value, sizeof value, "%u B", result->stack_high_water);
		add_row(table, "stack high-water", value, "%s (painted)", count_source(counter));
		snprintf(value, sizeof value, "%u B (planned %u)", result->arena_used,
			 compiled->arena_size);
		add_row(table, "arena used", value, "%s (painted); activation floor %u B",
			count_source(counter), compiled->activation_floor);
	}
	snprintf(value, sizeof value, "%u B", result_input_staging(result));
	add_row(table, "input staging", value, "%s", result_input_staging_source(result));
	if (!result->have_sizes)
		return;
	snprintf(value, sizeof value, "%u B", sizes->static_ram);
	add_row(table, "static RAM", value, "elf (.data %u + .bss %u, of which harness buffers %u)",
		sizes->data, sizes->bss, sizes->harness_bss);
	if (result->have_stack) {
		snprintf(value, sizeof value, "%u B", result_peak_ram(result));
		add_row(table, "peak RAM", value,
			"derived (static + planned arena + input staging + stack)");
		snprintf(value, sizeof value, "%u B", result_deployment_ram(result));
		add_row(
		    table, "deployment RAM (est.)", value,
		    "derived (static without harness buffers + planned arena + stack high-water)");
	}
	snprintf(value, sizeof value, "%u B", result_flash(result));
	add_row(table, "flash", value, "derived (firmware %u + model image %zu)", sizes->flash,
		compiled->image_size);
}

void run_table_build(const struct run_result *result, struct run_table *table)
{
	const struct compiled_model *compiled = &result->model->compiled;

	table->count = 0;
	if (result->run_count > 0)
		add_count_rows(result, table);
	add_ram_rows(result, table);
	if (!result->output_checked)
		return;
	if (compiled->output_dtype == MODEL_DTYPE_INT8) {
		add_row(table, "output check", result->output_mismatches ? "MISMATCH" : "equal",
			"host reference, bit-exact");
	} else {
		add_row(table, "output check",
			result->output_mismatches ? "MISMATCH" : "within tolerance",
			"host reference, max abs error %.3g", result->max_abs_error);
	}
}

void run_table_write_text(FILE *out, const struct run_result *result, const struct run_table *table)
{
	fprintf(out, "%s (%s) on %s (%s, verified: %s)\n", result->model->name,
		result->model->variant, result->board->id, result->board->core,
		profile_verified_name(result->board->verified));
	fprintf(out, "  %-22s %-30s %s\n", "metric", "value", "source");
	for (size_t i = 0; i < table->count; i++)
		fprintf(out, "  %-22s %-30s %s\n", table->rows[i].metric, table->rows[i].value,
			table->rows[i].source);
	if (strcmp(result->status, "ok"))
		fprintf(out, "  %-22s %s\n", "status", result->status);
}

void run_table_write_markdown(FILE *out, const struct run_table *table)
{
	fprintf(out, "| metric | value | source |\n|---|---|---|\n");
	for (size_t i = 0; i < table->count; i++)
		fprintf(out, "| %s | %s | %s |\n", table->rows[i].metric, table->rows[i].value,
			table->rows[i].source);
}
