/* The run table for the Markdown summary beside a result record. */
#include "report/run_table.h"

void run_table_write_markdown(FILE *out, const struct run_table *table)
{
	char value[160];

	fprintf(out, "| metric | value | source |\n|---|---|---|\n");
	for (size_t i = 0; i < table->count; i++) {
		run_table_value_text(&table->rows[i], value, sizeof value);
		fprintf(out, "| %s | %s | %s |\n", table->rows[i].metric, value,
			table->rows[i].source);
	}
	if (table->note[0])
		fprintf(out, "\n%s\n", table->note);
	if (table->layer_count) {
		fprintf(out,
			"\n%s\n\n| op | kind | path | count | per MAC | share |\n"
			"|---:|---|---|---:|---:|---:|\n",
			table->layers_title);
		for (size_t i = 0; i < table->layer_count; i++) {
			const struct run_table_layer *layer = &table->layers[i];
			fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", layer->index,
				layer->tflite, layer->op, layer->path, layer->macs, layer->count,
				layer->per_mac, layer->share);
		}
		fprintf(out, "\n%s\n", table->layers_note);
	}
}
