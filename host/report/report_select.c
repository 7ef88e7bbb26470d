/* --require constraints and --rank over the report table. */
#include "report/report_select.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_units.h"
#include "util/error.h"
#include "util/json_read.h"

static const char *const dimension_units[] = {
    [REPORT_DIM_COUNT] = "none, k, M, G", [REPORT_DIM_RATIO] = "none",
    [REPORT_DIM_TIME] = "us, ms, s",	  [REPORT_DIM_BYTES] = "B, KB, KiB, MB, MiB",
    [REPORT_DIM_PERCENT] = "%",		  [REPORT_DIM_FRACTION] = "none (0..1), %, pts",
    [REPORT_DIM_POINTS] = "pts",	  [REPORT_DIM_ENERGY] = "uJ, mJ, J",
};

/* '%' is a share of capacity on the percentage columns and of 1 on accuracy. */
static bool unit_factor(enum report_dimension dimension, const char *unit, double *factor)
{
	if (!strcmp(unit, "%") || !strcmp(unit, "pct")) {
		*factor = dimension == REPORT_DIM_FRACTION ? 0.01 : 1;
		return dimension == REPORT_DIM_PERCENT || dimension == REPORT_DIM_FRACTION;
	}
	return report_unit_factor(dimension, unit, factor);
}

static void column_names(char *out, size_t capacity)
{
	const char *names[REPORT_COLUMN_COUNT + 1];

	for (int i = 0; i < REPORT_COLUMN_COUNT; i++)
		names[i] = report_column((enum report_column_id)i)->name;
	names[REPORT_COLUMN_COUNT] = NULL;
	json_list_names(names, out, capacity);
}

/* "peak_ram" or "peak_ram_kb" (the suffix is the number's default unit). */
static int resolve_column(const char *name, const char *constraint, int *column,
			  double *default_factor)
{
	const char *underscore = strrchr(name, '_');
	char names[256];

	*default_factor = 1;
	*column = report_column_find(name);
	if (*column >= 0)
		return HB_OK;
	if (underscore && underscore > name) {
		char base[64];
		size_t length = (size_t)(underscore - name);
		if (length < sizeof base) {
			memcpy(base, name, length);
			base[length] = '\0';
			*column = report_column_find(base);
			if (*column >= 0 &&
			    unit_factor(report_column((enum report_column_id) * column)->dimension,
					underscore + 1, default_factor))
				return HB_OK;
		}
	}
	column_names(names, sizeof names);
	return hb_error(HB_ERR_USAGE,
			"option '--require': unknown column '%s' in '%s' (expected one of %s, "
			"optionally with a unit suffix such as peak_ram_kb or latency_ms)",
			name, constraint, names);
}

static int parse_op(const char **cursor, enum report_op *op)
{
	static const struct {
		const char *text;
		enum report_op op;
	} ops[] = {{"<=", REPORT_OP_LE}, {">=", REPORT_OP_GE}, {"==", REPORT_OP_EQ},
		   {"<", REPORT_OP_LT},	 {">", REPORT_OP_GT},  {"=", REPORT_OP_EQ}};

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (!strncmp(*cursor, ops[i].text, strlen(ops[i].text))) {
			*op = ops[i].op;
			*cursor += strlen(ops[i].text);
			return HB_OK;
		}
	return HB_ERR_USAGE;
}

static int parse_constraint(const char *text, struct report_constraint *out)
{
	char name[64], unit[16];
	const char *cursor = text;
	size_t n = 0;
	double factor, unit_scale;
	int column;
	char *end;

	memset(out, 0, sizeof *out);
	snprintf(out->text, sizeof out->text, "%s", text);
	while (*cursor && (isalnum((unsigned char)*cursor) || *cursor == '_') &&
	       n + 1 < sizeof name)
		name[n++] = (char)tolower((unsigned char)*cursor++);
	name[n] = '\0';
	if (!n)
		return hb_error(HB_ERR_USAGE,
				"option '--require': expected a column name at the start of '%s'",
				text);
	if (resolve_column(name, text, &column, &factor) != HB_OK)
		return HB_ERR_USAGE;
	while (*cursor == ' ')
		cursor++;
	if (parse_op(&cursor, &out->op) != HB_OK)
		return hb_error(HB_ERR_USAGE,
				"option '--require': expected an operator (<=, <, >=, >, ==) after "
				"'%s' in '%s'",
				name, text);
	while (*cursor == ' ')
		cursor++;
	out->value = strtod(cursor, &end);
	if (end == cursor || !isfinite(out->value))
		return hb_error(HB_ERR_USAGE, "option '--require': expected a number in '%s'",
				text);
	cursor = end;
	while (*cursor == ' ')
		cursor++;
	n = 0;
	while (*cursor && *cursor != ' ' && n + 1 < sizeof unit)
		unit[n++] = *cursor++;
	unit[n] = '\0';
	while (*cursor == ' ')
		cursor++;
	out->column = (enum report_column_id)column;
	if (*cursor || !unit_factor(report_column(out->column)->dimension, unit, &unit_scale))
		return hb_error(HB_ERR_USAGE,
				"option '--require': unit '%s' in '%s' does not fit column '%s' "
				"(expected %s)",
				unit, text, report_column(out->column)->name,
				dimension_units[report_column(out->column)->dimension]);
	/* A unit written on the number wins over the column suffix's. */
	out->value *= unit[0] ? unit_scale : factor;
	return HB_OK;
}

int report_require_parse(const char *text, struct report_requirements *out)
{
	const char *start = text;

	memset(out, 0, sizeof *out);
	for (;;) {
		const char *comma = strchr(start, ',');
		size_t length = comma ? (size_t)(comma - start) : strlen(start);
		char item[64];
		int status;

		while (length && *start == ' ')
			start++, length--;
		while (length && start[length - 1] == ' ')
			length--;
		if (!length)
			return hb_error(HB_ERR_USAGE,
					"option '--require': expected COLUMN OP NUMBER[UNIT] "
					"between commas, got an empty item in '%s'",
					text);
		if (length >= sizeof item)
			return hb_error(HB_ERR_USAGE,
					"option '--require': a constraint longer than %zu "
					"characters in '%s'",
					sizeof item - 1, text);
		if (out->count == REPORT_MAX_CONSTRAINTS)
			return hb_error(HB_ERR_USAGE,
					"option '--require': more than %d constraints",
					REPORT_MAX_CONSTRAINTS);
		memcpy(item, start, length);
		item[length] = '\0';
		status = parse_constraint(item, &out->items[out->count]);
		if (status != HB_OK)
			return status;
		out->count++;
		if (!comma)
			return HB_OK;
		start = comma + 1;
	}
}

static bool holds(const struct report_constraint *constraint, double value)
{
	switch (constraint->op) {
	case REPORT_OP_LT: return value < constraint->value;
	case REPORT_OP_LE: return value <= constraint->value;
	case REPORT_OP_GT: return value > constraint->value;
	case REPORT_OP_GE: return value >= constraint->value;
	case REPORT_OP_EQ: return value == constraint->value;
	}
	return false;
}

static void judge(const struct report_row *row, const struct report_requirements *requirements,
		  struct report_verdict *verdict)
{
	verdict->exclusion = REPORT_QUALIFIES;
	if (strcmp(row->status, "ok") != 0) {
		verdict->exclusion = REPORT_NOT_OK;
		return;
	}
	for (size_t i = 0; requirements && i < requirements->count; i++) {
		const struct report_cell *cell =
		    report_row_cell(row, requirements->items[i].column);
		if (!cell || !holds(&requirements->items[i], cell->value)) {
			verdict->exclusion =
			    cell ? REPORT_FAILED_CONSTRAINT : REPORT_MISSING_FIGURE;
			verdict->constraint = i;
			return;
		}
	}
}

/* qsort has no context argument in C99. */
static const struct report_table *sort_table;
static int sort_column;

static int compare_verdicts(const void *a, const void *b)
{
	const struct report_verdict *x = a, *y = b;
	bool x_in = x->exclusion == REPORT_QUALIFIES, y_in = y->exclusion == REPORT_QUALIFIES;

	if (x_in != y_in)
		return x_in ? -1 : 1;
	if (x_in && sort_column >= 0) {
		const struct report_cell *cx =
		    report_row_cell(&sort_table->rows[x->row], (enum report_column_id)sort_column);
		const struct report_cell *cy =
		    report_row_cell(&sort_table->rows[y->row], (enum report_column_id)sort_column);
		if (cx && cy && cx->value != cy->value) {
			bool lower =
			    report_column((enum report_column_id)sort_column)->lower_is_better;
			return (cx->value < cy->value) == lower ? -1 : 1;
		}
		if (!cx != !cy)
			return cx ? -1 : 1; /* rows without the figure come last */
	}
	return x->row < y->row ? -1 : (x->row > y->row);
}

int report_select(const struct report_table *table, const struct report_requirements *requirements,
		  int rank_column, struct report_selection *out)
{
	memset(out, 0, sizeof *out);
	out->requirements = requirements;
	out->ranked = rank_column >= 0 && rank_column < REPORT_COLUMN_COUNT;
	out->rank_column = out->ranked ? (enum report_column_id)rank_column : REPORT_COL_COUNT;
	out->count = table->count;
	out->verdicts = calloc(table->count ? table->count : 1, sizeof *out->verdicts);
	if (!out->verdicts)
		return hb_error(HB_ERR_NOMEM, "out of memory ranking %zu rows", table->count);
	for (size_t i = 0; i < table->count; i++) {
		out->verdicts[i].row = i;
		judge(&table->rows[i], requirements, &out->verdicts[i]);
		out->qualifying += out->verdicts[i].exclusion == REPORT_QUALIFIES;
	}
	sort_table = table;
	sort_column = out->ranked ? rank_column : -1;
	if (table->count > 1)
		qsort(out->verdicts, table->count, sizeof *out->verdicts, compare_verdicts);
	return HB_OK;
}

void report_selection_release(struct report_selection *selection)
{
	free(selection->verdicts);
	memset(selection, 0, sizeof *selection);
}

void report_exclusion_text(const struct report_table *table,
			   const struct report_selection *selection,
			   const struct report_verdict *verdict, char *out, size_t capacity)
{
	const struct report_row *row = &table->rows[verdict->row];
	const struct report_constraint *constraint =
	    selection->requirements && verdict->constraint < selection->requirements->count
		? &selection->requirements->items[verdict->constraint]
		: NULL;
	char value[48];

	switch (verdict->exclusion) {
	case REPORT_QUALIFIES: snprintf(out, capacity, "qualifies"); break;
	case REPORT_NOT_OK:
		snprintf(out, capacity, "run %s%s%s%s", row->status[0] ? row->status : "unfinished",
			 row->error_kind[0] ? " (" : "", row->error_kind,
			 row->error_kind[0] ? ")" : "");
		break;
	case REPORT_FAILED_CONSTRAINT:
		report_cell_text(row, constraint->column, value, sizeof value);
		snprintf(out, capacity, "%s %s fails %s", report_column(constraint->column)->name,
			 value, constraint->text);
		break;
	case REPORT_MISSING_FIGURE:
		snprintf(out, capacity, "no %s figure for %s",
			 report_column(constraint->column)->name, constraint->text);
		break;
	}
}
