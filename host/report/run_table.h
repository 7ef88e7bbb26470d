/*
 * The metric table of one benchmark run, built once from its record and
 * rendered by the terminal and the Markdown summary, so both say the same
 * thing with the same caveats: each row is a metric, its value, the value's
 * unit and where the value came from. Units, sources and the latency caveat
 * come from report/count_label.h, never from a writer.
 */
#ifndef HB_RUN_TABLE_H
#define HB_RUN_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "run/result.h"

#define RUN_TABLE_MAX_ROWS 20

struct run_table_row {
	char metric[32];
	char value[64];	 /* the number(s), without the unit */
	char unit[24];	 /* "B", "us", "instructions", ...; "" for a verdict */
	char detail[40]; /* shown after value and unit, e.g. "(planned 16000)" */
	char source[160];
};

/* The top layers of the per-layer profile (run/layer_profile.h). */
#define RUN_TABLE_TOP_LAYERS 5

struct run_table_layer {
	char index[12];
	char tflite[12]; /* the .tflite operator's index, "-" when not known */
	char op[32];
	char path[16]; /* "-" when the board did not say */
	char macs[16];
	char count[24];
	char per_mac[16]; /* "-" for an op without MACs */
	char share[12];
};

struct run_table {
	struct run_table_row rows[RUN_TABLE_MAX_ROWS];
	size_t count;
	/* Most costly layers first; layer_count 0 without a profile. */
	struct run_table_layer layers[RUN_TABLE_TOP_LAYERS];
	size_t layer_count;
	char layers_title[200]; /* what the layer rows are, unit and source */
	char layers_note[240];	/* how much profiling moved the total */
	/* A sentence under the table about what the counts are ("" for cycles). */
	const char *note;
};

/* Rows for what the record holds; a figure that was not measured has no row. */
void run_table_build(const struct run_result *result, struct run_table *table);

/* "value unit detail" as one cell, the way both writers show it. */
void run_table_value_text(const struct run_table_row *row, char *out, size_t capacity);

/* Aligned columns for a terminal, under a title line naming model and board. */
void run_table_write_text(FILE *out, const struct run_result *result,
			  const struct run_table *table);

/* A Markdown table (| metric | value | source |) and the table's note. */
void run_table_write_markdown(FILE *out, const struct run_table *table);

#endif
