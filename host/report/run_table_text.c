/* The run table for a terminal: aligned columns, status when not "ok". */
#include <string.h>

#include "report/count_label.h"
#include "report/run_table.h"

void run_table_write_text(FILE *out, const struct run_result *result, const struct run_table *table)
{
	char value[160];

	fprintf(out, "%s (%s) on %s (%s, verified: %s)\n", result->model->name,
		result->model->variant, result->board->id, result->board->core,
		profile_verified_name(result->board->verified));
	fprintf(out, "  %-22s %-30s %s\n", "metric", "value", "source");
	for (size_t i = 0; i < table->count; i++) {
		run_table_value_text(&table->rows[i], value, sizeof value);
		fprintf(out, "  %-22s %-30s %s\n", table->rows[i].metric, value,
			table->rows[i].source);
	}
	if (table->layer_count) {
		fprintf(out, "  %s\n", table->layers_title);
		fprintf(out, "    %-4s %-7s %-22s %-9s %9s %14s %9s %7s\n", "op", ".tflite", "kind",
			"path", "MACs", count_unit(result->board->counter), "per MAC", "share");
		for (size_t i = 0; i < table->layer_count; i++) {
			const struct run_table_layer *layer = &table->layers[i];
			fprintf(out, "    %-4s %-7s %-22s %-9s %9s %14s %9s %7s\n", layer->index,
				layer->tflite, layer->op, layer->path, layer->macs, layer->count,
				layer->per_mac, layer->share);
		}
		fprintf(out, "  %s\n", table->layers_note);
	}
	if (strcmp(result->status, "ok"))
		fprintf(out, "  %-22s %s\n", "status", result->status);
}
