#include "report/report_grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static const enum report_column_id grid_figures[] = {
    REPORT_COL_COUNT,  REPORT_COL_LATENCY,	   REPORT_COL_PEAK_RAM, REPORT_COL_PEAK_RAM_PCT,
    REPORT_COL_FLASH,  REPORT_COL_FLASH_PCT,	   REPORT_COL_ACCURACY, REPORT_COL_INT8_DROP,
    REPORT_COL_ENERGY, REPORT_COL_ENERGY_MODELLED,
};

#define GRID_FIGURES (sizeof grid_figures / sizeof grid_figures[0])

static bool any_cell(const struct report_table *table, enum report_column_id id)
{
	for (size_t i = 0; i < table->count; i++)
		if (report_row_cell(&table->rows[i], id))
			return true;
	return false;
}

/* Energy columns only when some row has them: a column of dashes teaches nothing. */
static bool column_shown(const struct report_table *table, enum report_column_id id)
{
	return (id != REPORT_COL_ENERGY && id != REPORT_COL_ENERGY_MODELLED) || any_cell(table, id);
}

static void fill_line(const struct report_view *view, const struct report_row *row,
		      const struct report_verdict *verdict, struct report_grid *grid,
		      char (*cells)[REPORT_GRID_CELL])
{
	size_t column = 0;

	snprintf(cells[column++], REPORT_GRID_CELL, "%s", row->board);
	snprintf(cells[column++], REPORT_GRID_CELL, "%s", row->verified);
	snprintf(cells[column++], REPORT_GRID_CELL, "%s %s", row->model, row->variant);
	for (size_t i = 0; i < GRID_FIGURES; i++) {
		const struct report_cell *cell = report_row_cell(row, grid_figures[i]);
		if (!column_shown(view->table, grid_figures[i]))
			continue;
		report_cell_text(row, grid_figures[i], cells[column], REPORT_GRID_CELL);
		if (grid_figures[i] == REPORT_COL_LATENCY && cell) {
			const struct report_cell *count = report_row_cell(row, REPORT_COL_COUNT);
			/* Derived from an emulated count, or timed by emulated
			 * firmware (a protocol's own timestamps on QEMU). */
			bool emulated = (count && count->source == REPORT_SOURCE_EMULATED) ||
					cell->source == REPORT_SOURCE_EMULATED;
			if (emulated)
				strncat(cells[column], REPORT_EMULATED_MARK,
					REPORT_GRID_CELL - strlen(cells[column]) - 1);
			grid->any_emulated |= emulated;
			grid->any_measured |= !emulated;
		}
		column++;
	}
	if (verdict->exclusion == REPORT_QUALIFIES)
		snprintf(cells[column], REPORT_GRID_CELL, "%s",
			 view->selection->requirements ? "qualifies" : "ok");
	else
		report_exclusion_text(view->table, view->selection, verdict, cells[column],
				      REPORT_GRID_CELL);
}

int report_grid_build(const struct report_view *view, struct report_grid *grid)
{
	static const char *const fixed[] = {"board", "verified", "model"};
	memset(grid, 0, sizeof *grid);
	for (size_t i = 0; i < 3; i++)
		grid->headings[grid->columns++] = fixed[i];
	grid->any_modelled_energy = any_cell(view->table, REPORT_COL_ENERGY_MODELLED);
	for (size_t i = 0; i < GRID_FIGURES; i++)
		if (column_shown(view->table, grid_figures[i]))
			grid->headings[grid->columns++] = report_column(grid_figures[i])->title;
	grid->headings[grid->columns++] = view->selection->requirements ? "selection" : "status";
	grid->cells =
	    calloc(view->selection->count ? view->selection->count : 1, sizeof *grid->cells);
	if (!grid->cells)
		return hb_error(HB_ERR_NOMEM, "out of memory for the report");
	for (size_t i = 0; i < view->selection->count; i++) {
		const struct report_verdict *verdict = &view->selection->verdicts[i];
		fill_line(view, &view->table->rows[verdict->row], verdict, grid, grid->cells[i]);
	}
	grid->lines = view->selection->count;
	return HB_OK;
}

void report_grid_release(struct report_grid *grid)
{
	free(grid->cells);
	memset(grid, 0, sizeof *grid);
}

void report_grid_notes(const struct report_grid *grid, const char **notes, size_t *count)
{
	*count = 0;
	if (grid->any_emulated)
		notes[(*count)++] = REPORT_EMULATED_MARK
		    " latency derived from instructions counted by QEMU at the "
		    "profile's clock, assuming 1 instruction per cycle: not a "
		    "timing measurement; instr = emulated instruction counts, "
		    "not cycles";
	if (grid->any_measured)
		notes[(*count)++] = "latency without a mark: derived from measured cycle counts";
	notes[(*count)++] =
	    "peak RAM: static + arena + input staging + stack high-water (derived); "
	    "flash: firmware from the ELF + model image; accuracy: the suite's "
	    "metric on the board's outputs; drop: float32 minus this variant, "
	    "in points";
	if (grid->any_modelled_energy)
		notes[(*count)++] =
		    "energy (modelled): a datasheet's typical run current x supply x counted "
		    "time, never a meter reading; each record's method names the chip and table";
}
