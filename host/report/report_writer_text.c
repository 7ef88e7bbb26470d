/* The report as aligned columns for a terminal. */
#include "report/report_grid.h"

#include <string.h>

#include "util/error.h"

static void write_line(FILE *out, const char *const *texts, const size_t *widths, size_t columns)
{
	for (size_t c = 0; c + 1 < columns; c++)
		fprintf(out, "%-*s  ", (int)widths[c], texts[c]);
	fprintf(out, "%s\n", texts[columns - 1]);
}

static int text_write(FILE *out, const struct report_view *view)
{
	struct report_grid grid;
	size_t widths[REPORT_GRID_COLUMNS] = {0};
	const char *notes[REPORT_GRID_NOTES];
	size_t note_count;
	int status = report_grid_build(view, &grid);

	if (status != HB_OK)
		return status;
	for (size_t c = 0; c < grid.columns; c++) {
		widths[c] = strlen(grid.headings[c]);
		for (size_t l = 0; l < grid.lines; l++)
			if (strlen(grid.cells[l][c]) > widths[c])
				widths[c] = strlen(grid.cells[l][c]);
	}
	fprintf(out, "%s\n", view->title);
	if (view->require_text)
		fprintf(out, "required: %s; %zu of %zu qualify%s%s\n", view->require_text,
			view->selection->qualifying, view->selection->count,
			view->selection->ranked ? ", ranked by " : "",
			view->selection->ranked ? report_column(view->selection->rank_column)->name
						: "");
	write_line(out, grid.headings, widths, grid.columns);
	for (size_t l = 0; l < grid.lines; l++) {
		const char *texts[REPORT_GRID_COLUMNS];
		for (size_t c = 0; c < grid.columns; c++)
			texts[c] = grid.cells[l][c];
		write_line(out, texts, widths, grid.columns);
	}
	report_grid_notes(&grid, notes, &note_count);
	for (size_t i = 0; i < note_count; i++)
		fprintf(out, "%s\n", notes[i]);
	report_grid_release(&grid);
	return ferror(out) ? hb_error(HB_ERR_IO, "writing the report failed") : HB_OK;
}

const struct report_writer report_writer_text = {
    .name = "text",
    .extension = ".txt",
    .write = text_write,
};
