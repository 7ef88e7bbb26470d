/* The report as a Markdown document: the summary grid and the notes. */
#include "report/report_grid.h"

#include <string.h>

#include "util/error.h"

/* A cell from a record must not end the table cell early. */
static void write_cell(FILE *out, const char *text)
{
	fputs("| ", out);
	for (const char *c = text; *c; c++) {
		if (*c == '|' || *c == '\\' || *c == '*' || *c == '_' || *c == '`' || *c == '<')
			fputc('\\', out);
		fputc(*c, out);
	}
	fputc(' ', out);
}

static int markdown_write(FILE *out, const struct report_view *view)
{
	struct report_grid grid;
	const char *notes[REPORT_GRID_NOTES];
	size_t note_count;
	int status = report_grid_build(view, &grid);

	if (status != HB_OK)
		return status;
	fprintf(out, "# %s\n\n", view->title);
	if (view->generated_utc)
		fprintf(out,
			"Generated %s: %zu rows (board x model x variant) from result records.\n\n",
			view->generated_utc, view->table->count);
	if (view->require_text)
		fprintf(out, "Required: `%s`. %zu of %zu qualify%s%s.\n\n", view->require_text,
			view->selection->qualifying, view->selection->count,
			view->selection->ranked ? ", best first by " : "",
			view->selection->ranked ? report_column(view->selection->rank_column)->name
						: "");
	for (size_t c = 0; c < grid.columns; c++)
		write_cell(out, grid.headings[c]);
	fputs("|\n", out);
	for (size_t c = 0; c < grid.columns; c++)
		fputs(c < 3 ? "|---" : "|--:", out);
	fputs("|\n", out);
	for (size_t l = 0; l < grid.lines; l++) {
		for (size_t c = 0; c < grid.columns; c++)
			write_cell(out, grid.cells[l][c]);
		fputs("|\n", out);
	}
	report_grid_notes(&grid, notes, &note_count);
	fputc('\n', out);
	for (size_t i = 0; i < note_count; i++) {
		fputs("- ", out);
		/* The mark itself would start Markdown emphasis. */
		if (!strncmp(notes[i], REPORT_EMULATED_MARK, 1))
			fputc('\\', out);
		fprintf(out, "%s\n", notes[i]);
	}
	report_grid_release(&grid);
	return ferror(out) ? hb_error(HB_ERR_IO, "writing the report failed") : HB_OK;
}

const struct report_writer report_writer_markdown = {
    .name = "markdown",
    .extension = ".md",
    .write = markdown_write,
};
