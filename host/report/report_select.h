/*
 * Hardware selection over a report table: --require constraints (a small
 * grammar: COLUMN OP NUMBER[UNIT], joined by commas meaning "and") and
 * --rank by one column. The outcome lists the rows that qualify, best first,
 * and for each excluded row the first constraint it failed, with the value.
 *
 *   require  := constraint ("," constraint)*
 *   constraint := column op number [unit]
 *   column   := a column name, or a name with a unit suffix ("peak_ram_kb",
 *               "latency_ms") that sets the number's default unit
 *   op       := "<=" | "<" | ">=" | ">" | "=="
 *   unit     := B K KB KiB M MB MiB | us ms s | % | pts | uJ mJ
 */
#ifndef HB_REPORT_SELECT_H
#define HB_REPORT_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "report/report_table.h"

#define REPORT_MAX_CONSTRAINTS 16

enum report_op { REPORT_OP_LT, REPORT_OP_LE, REPORT_OP_GT, REPORT_OP_GE, REPORT_OP_EQ };

struct report_constraint {
	enum report_column_id column;
	enum report_op op;
	double value;  /* in the column's base unit */
	char text[64]; /* as the user wrote it, for messages */
};

struct report_requirements {
	struct report_constraint items[REPORT_MAX_CONSTRAINTS];
	size_t count;
};

/* Parses `text` (the --require argument); errors name the constraint and
 * what was expected there (a known column, an operator, a number, a unit
 * of the column's kind). */
int report_require_parse(const char *text, struct report_requirements *out);

/* Why a row is out: the constraint it failed first, or that its record
 * is an error, or that it lacks the figure a constraint needs. */
enum report_exclusion {
	REPORT_QUALIFIES,
	REPORT_FAILED_CONSTRAINT,
	REPORT_MISSING_FIGURE,
	REPORT_NOT_OK, /* the record's status is not "ok" */
};

struct report_verdict {
	size_t row; /* index into the table */
	enum report_exclusion exclusion;
	size_t constraint; /* with FAILED_CONSTRAINT / MISSING_FIGURE */
};

struct report_selection {
	bool ranked;
	enum report_column_id rank_column;
	const struct report_requirements *requirements; /* NULL: none */
	struct report_verdict *verdicts;		/* qualifying rows first, best first */
	size_t count;					/* == table->count */
	size_t qualifying;
};

/* rank_column < 0: keep table order. Rows without the rank figure qualify
 * but come last. */
int report_select(const struct report_table *table, const struct report_requirements *requirements,
		  int rank_column, struct report_selection *out);
void report_selection_release(struct report_selection *selection);

/* One line on why a verdict's row is excluded, e.g.
 * "latency 1513.9 ms fails latency_ms<=100". */
void report_exclusion_text(const struct report_table *table,
			   const struct report_selection *selection,
			   const struct report_verdict *verdict, char *out, size_t capacity);

#endif
