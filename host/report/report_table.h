/*
 * The normalised table behind `hilbench report`, `compare` and `baseline`:
 * one row per board x model x variant, read from result records
 * (hilbench.result/1) and suite records (hilbench.suite-result/1), never
 * from a board. Every cell keeps its value and its source, so a writer
 * never guesses where a figure came from, and an emulated instruction count
 * is never shown beside a measured cycle count as the same thing (the row's
 * count_unit and the cell's source say which). A figure a record lacks is
 * an absent cell, never 0.
 */
#ifndef HB_REPORT_TABLE_H
#define HB_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report_layers.h"

enum report_source {
	REPORT_SOURCE_MEASURED, /* a hardware counter or instrument */
	REPORT_SOURCE_EMULATED, /* counted by QEMU: instructions, not cycles */
	REPORT_SOURCE_MODELLED, /* estimated from datasheet figures */
	REPORT_SOURCE_DERIVED,	/* computed from other figures */
	REPORT_SOURCE_ELF,	/* read from the firmware ELF */
};

/* "measured", "emulated", ... as records spell them. */
const char *report_source_name(enum report_source source);

/* What a column's numbers are, so --require can check the unit a user wrote. */
enum report_dimension {
	REPORT_DIM_COUNT,    /* instructions or cycles: the row's count_unit */
	REPORT_DIM_RATIO,    /* a plain number (count per MAC) */
	REPORT_DIM_TIME,     /* milliseconds */
	REPORT_DIM_BYTES,    /* bytes */
	REPORT_DIM_PERCENT,  /* 0..100, share of a board's capacity */
	REPORT_DIM_FRACTION, /* 0..1: accuracy, agreement */
	REPORT_DIM_POINTS,   /* percentage points */
	REPORT_DIM_ENERGY,   /* microjoules */
};

enum report_column_id {
	REPORT_COL_COUNT,	    /* median count per inference */
	REPORT_COL_LATENCY,	    /* median latency, ms */
	REPORT_COL_COUNT_PER_MAC,   /* median count / MACs */
	REPORT_COL_ARENA,	    /* planned tensor arena */
	REPORT_COL_PEAK_RAM,	    /* all RAM the benchmark firmware used */
	REPORT_COL_PEAK_RAM_PCT,    /* of the board's RAM */
	REPORT_COL_DEPLOYMENT_RAM,  /* deployment_ram_estimate */
	REPORT_COL_FLASH,	    /* firmware + model image */
	REPORT_COL_FLASH_PCT,	    /* of the board's flash */
	REPORT_COL_ACCURACY,	    /* the suite's metric (top1 or auc), 0..1 */
	REPORT_COL_INT8_DROP,	    /* float32 accuracy - this variant's, in points */
	REPORT_COL_AGREEMENT,	    /* top-1 agreement with the float32 variant */
	REPORT_COL_ENERGY,	    /* energy per inference, uJ, measured by a meter */
	REPORT_COL_ENERGY_MODELLED, /* the same from datasheet figures: never mixed with it */
	REPORT_COLUMN_COUNT,
};

struct report_column {
	const char *name;     /* --require/--rank key: "latency" */
	const char *csv_name; /* stable CSV header, unit included: "latency_ms" */
	const char *title;    /* table heading */
	const char *unit;     /* base unit shown: "ms", "B", "%", "pts"; "" none */
	enum report_dimension dimension;
	bool lower_is_better; /* for --rank and the gate */
};

/* The columns, indexed by enum report_column_id. */
const struct report_column *report_column(enum report_column_id id);

/* The column whose name or csv_name is `name`, or -1. */
int report_column_find(const char *name);

struct report_cell {
	bool present;
	double value; /* in the column's base unit */
	enum report_source source;
};

struct report_row {
	char record[512]; /* the file it came from */
	char status[12];  /* "ok", "error", "running" */
	char error_kind[32];
	char error[256];
	char started_utc[32];

	char board[64];
	char board_name[128];
	char core[24];
	char verified[16]; /* "emulated", "compile-only", "hardware" */
	char counter[32];  /* the profile's cycle_counter */
	uint32_t clock_hz;
	uint32_t flash_bytes; /* 0: the record does not say */
	uint32_t ram_bytes;

	char model[96];
	char variant[48]; /* "int8", "float32", "float32 (int8 weights dequantised)" */
	char suite[64];	  /* "" for a model run */
	char accuracy_metric[8];
	uint32_t accuracy_samples;

	char count_unit[16]; /* "instructions" or "cycles" */
	uint32_t runs;	     /* timed runs behind the count */
	double count_min, count_max;
	double count_resolution; /* one counter tick, in count units (0 unknown) */
	uint64_t macs;

	struct report_cell cells[REPORT_COLUMN_COUNT];
	/* The meter's trace file beside the record (a plain file name in its
	 * folder, as measurements.energy_per_inference.trace names it), or "". */
	char energy_trace[800];
	/* The costliest layers of measurements.layers; count 0 without them. */
	struct report_layers layers;
};

struct report_table {
	struct report_row *rows;
	size_t count;
	size_t capacity;
};

/* Adds the rows of one record (a suite record gives one per variant).
 * Refuses, naming the file and field, anything that is not a record of a
 * schema this hilbench reads. */
int report_table_add_text(struct report_table *table, const char *text, size_t length,
			  const char *path);
int report_table_add_file(struct report_table *table, const char *path);

/* A record file, or a folder whose *.json files (sorted by name) are read;
 * in a folder, JSON files of other kinds are skipped with a note, records
 * of another schema version are refused. */
int report_table_add_path(struct report_table *table, const char *path);

/* Where several records hold the same board x model x variant (and suite,
 * or none), keeps the one started last (a rerun supersedes), saying which
 * were dropped. */
void report_table_keep_latest(struct report_table *table);

/* Sorted by board, model, variant (stable output for every writer). */
void report_table_sort(struct report_table *table);

void report_table_release(struct report_table *table);

/* Sets the board's capacities (0: unknown) and the cells derived from them. */
void report_row_set_capacities(struct report_row *row, uint32_t flash_bytes, uint32_t ram_bytes);

/* The cell, or NULL when absent. */
const struct report_cell *report_row_cell(const struct report_row *row, enum report_column_id id);

/* "value unit" for a table, e.g. "37.8M instructions", "1513.9 ms",
 * "19.96 KiB", "91.2%"; "-" when absent. */
void report_cell_text(const struct report_row *row, enum report_column_id id, char *out,
		      size_t capacity);

#endif
