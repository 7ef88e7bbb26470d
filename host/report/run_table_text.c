/* The run table for a terminal: aligned columns, status when not "ok". */
#include <string.h>

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
	if (strcmp(result->status, "ok"))
		fprintf(out, "  %-22s %s\n", "status", result->status);
}
