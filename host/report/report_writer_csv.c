/*
 * The report as CSV (RFC 4180): one row per board x model x variant, every
 * column of the table with its source beside it, under stable header names
 * (docs/report.md), so a spreadsheet or pandas can load it. An absent
 * figure is an empty field, never 0.
 */
#include "report/report_writer.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static void csv_field(FILE *out, const char *text, bool last)
{
	if (strpbrk(text, ",\"\r\n")) {
		fputc('"', out);
		for (const char *c = text; *c; c++) {
			if (*c == '"')
				fputc('"', out);
			fputc(*c, out);
		}
		fputc('"', out);
	} else {
		fputs(text, out);
	}
	fputs(last ? "\r\n" : ",", out);
}

static void csv_number(FILE *out, double value)
{
	char text[32];

	/* The shortest form that reads back as the same double. */
	snprintf(text, sizeof text, "%.15g", value);
	if (strtod(text, NULL) != value)
		snprintf(text, sizeof text, "%.17g", value);
	fprintf(out, "%s,", text);
}

static const char *const fixed_headers[] = {
    "record",
    "status",
    "error_kind",
    "board",
    "board_name",
    "core",
    "verified",
    "cycle_counter",
    "clock_hz",
    "flash_capacity_bytes",
    "ram_capacity_bytes",
    "suite",
    "model",
    "variant",
    "count_unit",
    "runs",
    "count_min",
    "count_max",
    "accuracy_metric",
    "accuracy_samples",
};

static void csv_row(FILE *out, const struct report_view *view, const struct report_verdict *verdict)
{
	const struct report_row *row = &view->table->rows[verdict->row];
	char why[160];

	csv_field(out, row->record, false);
	csv_field(out, row->status, false);
	csv_field(out, row->error_kind, false);
	csv_field(out, row->board, false);
	csv_field(out, row->board_name, false);
	csv_field(out, row->core, false);
	csv_field(out, row->verified, false);
	csv_field(out, row->counter, false);
	fprintf(out, "%u,", row->clock_hz);
	/* 0 means the record did not say: an empty field, not a capacity of 0. */
	if (row->flash_bytes)
		fprintf(out, "%u,", row->flash_bytes);
	else
		fputc(',', out);
	if (row->ram_bytes)
		fprintf(out, "%u,", row->ram_bytes);
	else
		fputc(',', out);
	csv_field(out, row->suite, false);
	csv_field(out, row->model, false);
	csv_field(out, row->variant, false);
	csv_field(out, row->count_unit, false);
	if (row->cells[REPORT_COL_COUNT].present) {
		fprintf(out, "%u,", row->runs);
		csv_number(out, row->count_min);
		csv_number(out, row->count_max);
	} else {
		fputs(",,,", out);
	}
	csv_field(out, row->accuracy_metric, false);
	if (row->accuracy_metric[0])
		fprintf(out, "%u,", row->accuracy_samples);
	else
		fputc(',', out);
	for (int c = 0; c < REPORT_COLUMN_COUNT; c++) {
		const struct report_cell *cell = report_row_cell(row, (enum report_column_id)c);
		if (cell) {
			csv_number(out, cell->value);
			fprintf(out, "%s,", report_source_name(cell->source));
		} else {
			fputs(",,", out);
		}
	}
	report_exclusion_text(view->table, view->selection, verdict, why, sizeof why);
	csv_field(out, verdict->exclusion == REPORT_QUALIFIES ? "" : why, true);
}

static int csv_write(FILE *out, const struct report_view *view)
{
	for (size_t i = 0; i < sizeof fixed_headers / sizeof fixed_headers[0]; i++)
		csv_field(out, fixed_headers[i], false);
	for (int c = 0; c < REPORT_COLUMN_COUNT; c++) {
		const struct report_column *column = report_column((enum report_column_id)c);
		fprintf(out, "%s,%s_source,", column->csv_name, column->csv_name);
	}
	csv_field(out, "excluded_because", true);
	for (size_t i = 0; i < view->selection->count; i++)
		csv_row(out, view, &view->selection->verdicts[i]);
	return ferror(out) ? hb_error(HB_ERR_IO, "writing the CSV report failed") : HB_OK;
}

const struct report_writer report_writer_csv = {
    .name = "csv",
    .extension = ".csv",
    .write = csv_write,
};
