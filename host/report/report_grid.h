/*
 * The summary grid the terminal and Markdown reports share: one line per
 * row of the view in selection order, the same headings and cell texts,
 * with the footnote marks decided once here (a latency derived from
 * emulated instruction counts is marked, never passed off as a timing).
 * CSV and HTML read the table itself: they show every column.
 */
#ifndef HB_REPORT_GRID_H
#define HB_REPORT_GRID_H

#include <stddef.h>

#include "report/report_writer.h"

#define REPORT_GRID_COLUMNS 14
#define REPORT_GRID_CELL    160
#define REPORT_GRID_NOTES   4

/* The footnote mark on latencies derived from emulated counts. */
#define REPORT_EMULATED_MARK "*"

struct report_grid {
	const char *headings[REPORT_GRID_COLUMNS];
	size_t columns;
	char (*cells)[REPORT_GRID_COLUMNS][REPORT_GRID_CELL]; /* [line][column] */
	size_t lines;
	bool any_emulated; /* some latency carries REPORT_EMULATED_MARK */
	bool any_measured;
	bool any_modelled_energy; /* the modelled energy column is shown */
};

int report_grid_build(const struct report_view *view, struct report_grid *grid);
void report_grid_release(struct report_grid *grid);

/* The sentences under a grid (at most REPORT_GRID_NOTES): where the counts,
 * latencies and energies come from. */
void report_grid_notes(const struct report_grid *grid, const char **notes, size_t *count);

#endif
