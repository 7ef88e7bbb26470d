/* The CI gate: --max-regression thresholds, matching rows, judging figures. */
#include "report/compare.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_units.h"
#include "util/error.h"

/* ---- thresholds ---- */

struct default_threshold {
	enum report_column_id column;
	bool relative;
	double amount;
	const char *text;
};

/* Bytes and planned sizes are deterministic, so small margins suffice; the
 * count gets 1% so that a harness change of a few instructions does not
 * fail every gate (count=0% is the strict setting). Latency is the count
 * divided by the clock: gating both would report one change twice. */
static const struct default_threshold default_thresholds[] = {
    {REPORT_COL_COUNT, true, 1, "1%"},	  {REPORT_COL_ARENA, true, 0, "0%"},
    {REPORT_COL_PEAK_RAM, true, 1, "1%"}, {REPORT_COL_DEPLOYMENT_RAM, true, 1, "1%"},
    {REPORT_COL_FLASH, true, 1, "1%"},	  {REPORT_COL_ACCURACY, false, 0.005, "-0.5pts"},
};

static const char *const dimension_units[] = {
    [REPORT_DIM_COUNT] = "%, k, M, G or none", [REPORT_DIM_RATIO] = "% or none",
    [REPORT_DIM_TIME] = "%, us, ms or s",      [REPORT_DIM_BYTES] = "%, B, KB, KiB, MB or MiB",
    [REPORT_DIM_PERCENT] = "% or pts",	       [REPORT_DIM_FRACTION] = "% or pts",
    [REPORT_DIM_POINTS] = "% or pts",	       [REPORT_DIM_ENERGY] = "%, uJ, mJ or J",
};

void compare_thresholds_default(struct compare_thresholds *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof default_thresholds / sizeof default_thresholds[0]; i++) {
		const struct default_threshold *d = &default_thresholds[i];
		struct compare_threshold *t = &out->items[d->column];

		t->gated = true;
		t->relative = d->relative;
		t->amount = d->amount;
		t->from_default = true;
		snprintf(t->text, sizeof t->text, "%s", d->text);
	}
}

void compare_thresholds_default_text(char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof default_thresholds / sizeof default_thresholds[0]; i++) {
		const struct default_threshold *d = &default_thresholds[i];
		int n = snprintf(out + used, capacity - used, "%s%s=%s", i ? ", " : "",
				 report_column(d->column)->name, d->text);
		if (n < 0 || (size_t)n >= capacity - used)
			return;
		used += (size_t)n;
	}
}

static void metric_names(char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < REPORT_COLUMN_COUNT; i++) {
		int n = snprintf(out + used, capacity - used, "%s, ",
				 report_column((enum report_column_id)i)->name);
		if (n < 0 || (size_t)n >= capacity - used)
			return;
		used += (size_t)n;
	}
	snprintf(out + used, capacity - used, "top1, auc");
}

static int find_metric(const char *name)
{
	/* The suite's metric is top1 or auc; both name the accuracy column. */
	if (!strcmp(name, "top1") || !strcmp(name, "auc"))
		return REPORT_COL_ACCURACY;
	return report_column_find(name);
}

/* Copies [start, end) without the spaces around it; false when it does not
 * fit (a cut item could read as a valid one). */
static bool trimmed(const char *start, const char *end, char *out, size_t capacity)
{
	size_t n;

	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - start);
	if (n >= capacity) {
		snprintf(out, capacity, "%.*s", (int)(capacity - 1), start);
		return false;
	}
	memcpy(out, start, n);
	out[n] = '\0';
	return true;
}

/* A plain decimal: strtod alone would also take "inf", "nan" and hex. */
static const char *decimal_end(const char *text)
{
	const char *c = text;
	bool digits = false;

	while (isdigit((unsigned char)*c)) {
		c++;
		digits = true;
	}
	if (*c == '.')
		for (c++; isdigit((unsigned char)*c); c++)
			digits = true;
	return digits ? c : NULL;
}

static int parse_threshold(const char *item, const char *value, enum report_column_id column,
			   struct compare_threshold *out)
{
	const struct report_column *info = report_column(column);
	const char *number = value, *unit;
	bool negative = false;
	double amount, factor = 1;

	if (!strcasecmp(value, "off")) {
		memset(out, 0, sizeof *out);
		snprintf(out->text, sizeof out->text, "off");
		return HB_OK;
	}
	if (*number == '+' || *number == '-')
		negative = *number++ == '-';
	unit = decimal_end(number);
	if (!unit || unit - number > 24)
		return hb_error(HB_ERR_USAGE,
				"--max-regression: '%s': expected a number after '=' (e.g. "
				"count=1%%, peak_ram=512B, top1=-0.2pts) or 'off'",
				item);
	amount = strtod(number, NULL);
	while (isspace((unsigned char)*unit))
		unit++;
	if (negative && info->lower_is_better)
		return hb_error(HB_ERR_USAGE,
				"--max-regression: '%s': expected a threshold of 0 or more (the "
				"increase of %s allowed; only a figure where higher is better, "
				"like top1=-0.2pts, takes a '-')",
				item, info->name);
	if (strcmp(unit, "%") != 0 && !report_unit_factor(info->dimension, unit, &factor))
		return hb_error(HB_ERR_USAGE,
				"--max-regression: '%s': unit '%s' does not fit %s (expected %s)",
				item, unit, info->name, dimension_units[info->dimension]);
	memset(out, 0, sizeof *out);
	out->gated = true;
	out->relative = !strcmp(unit, "%");
	out->amount = amount * factor;
	snprintf(out->text, sizeof out->text, "%s", value);
	return HB_OK;
}

static int parse_item(const char *item, struct compare_thresholds *out, bool given[])
{
	const char *equals = strchr(item, '=');
	char name[32], value[48], names[256];
	int column;
	int status;

	if (!item[0])
		return hb_error(HB_ERR_USAGE, "--max-regression: an empty item (expected "
					      "METRIC=THRESHOLD, e.g. count=1%%)");
	if (!equals)
		return hb_error(
		    HB_ERR_USAGE,
		    "--max-regression: '%s': expected METRIC=THRESHOLD (e.g. count=1%%)", item);
	if (!trimmed(item, equals, name, sizeof name) ||
	    !trimmed(equals + 1, equals + strlen(equals), value, sizeof value))
		return hb_error(HB_ERR_USAGE,
				"--max-regression: '%s': too long (expected METRIC=THRESHOLD, "
				"e.g. count=1%%)",
				item);
	column = find_metric(name);
	if (column < 0) {
		metric_names(names, sizeof names);
		return hb_error(HB_ERR_USAGE,
				"--max-regression: '%s': unknown metric '%s' (expected one of %s)",
				item, name, names);
	}
	if (given[column])
		return hb_error(HB_ERR_USAGE, "--max-regression: '%s': %s is given twice", item,
				report_column((enum report_column_id)column)->name);
	status = parse_threshold(item, value, (enum report_column_id)column, &out->items[column]);
	if (status == HB_OK)
		given[column] = true;
	return status;
}

int compare_thresholds_parse(const char *text, struct compare_thresholds *inout)
{
	struct compare_thresholds parsed = *inout;
	bool given[REPORT_COLUMN_COUNT] = {false};
	const char *start = text;

	for (;;) {
		const char *comma = strchr(start, ',');
		const char *end = comma ? comma : start + strlen(start);
		char item[96];
		int status;

		if (!trimmed(start, end, item, sizeof item))
			return hb_error(HB_ERR_USAGE,
					"--max-regression: '%s...': too long (expected "
					"METRIC=THRESHOLD, e.g. count=1%%)",
					item);
		status = parse_item(item, &parsed, given);
		if (status != HB_OK)
			return status;
		if (!comma)
			break;
		start = comma + 1;
	}
	*inout = parsed;
	return HB_OK;
}

/* ---- judging ---- */

static const char *const outcome_names[] = {
    [COMPARE_UNCHANGED] = "unchanged",
    [COMPARE_IMPROVED] = "improved",
    [COMPARE_WORSE] = "worse",
    [COMPARE_REGRESSED] = "regressed",
    [COMPARE_VANISHED] = "vanished",
    [COMPARE_APPEARED] = "new",
    [COMPARE_INCOMPARABLE] = "incomparable",
    [COMPARE_NOT_JUDGED] = "not judged",
};

static const char *const row_outcome_names[] = {
    [COMPARE_ROW_PASS] = "pass",
    [COMPARE_ROW_REGRESSED] = "regressed",
    [COMPARE_ROW_MISSING] = "missing",
    [COMPARE_ROW_NEW] = "new",
    [COMPARE_ROW_MISMATCH] = "output mismatch",
    [COMPARE_ROW_INFRASTRUCTURE] = "infrastructure",
};

const char *compare_outcome_name(enum compare_outcome outcome)
{
	return (unsigned)outcome <= COMPARE_NOT_JUDGED ? outcome_names[outcome] : "unknown";
}

bool compare_outcome_fails(enum compare_outcome outcome)
{
	return outcome == COMPARE_REGRESSED || outcome == COMPARE_VANISHED ||
	       outcome == COMPARE_INCOMPARABLE;
}

const char *compare_row_outcome_name(enum compare_row_outcome outcome)
{
	return (unsigned)outcome <= COMPARE_ROW_INFRASTRUCTURE ? row_outcome_names[outcome]
							       : "unknown";
}

static bool from_count(enum report_column_id column)
{
	return column == REPORT_COL_COUNT || column == REPORT_COL_LATENCY ||
	       column == REPORT_COL_COUNT_PER_MAC;
}

/* The worsening of the count that is noise, in count units. */
static double count_noise(const struct report_row *old_row, const struct report_row *new_row)
{
	const struct report_cell *a = report_row_cell(old_row, REPORT_COL_COUNT);
	const struct report_cell *b = report_row_cell(new_row, REPORT_COL_COUNT);
	double tick = fmax(old_row->count_resolution, new_row->count_resolution);
	double spread;

	if (!a || !b ||
	    (a->source != REPORT_SOURCE_MEASURED && b->source != REPORT_SOURCE_MEASURED))
		return tick;
	spread =
	    (old_row->count_max - old_row->count_min) + (new_row->count_max - new_row->count_min);
	return fmax(spread, tick);
}

static double metric_noise(const struct report_row *old_row, const struct report_row *new_row,
			   enum report_column_id column, double old_value)
{
	const struct report_cell *count = report_row_cell(old_row, REPORT_COL_COUNT);

	if (!from_count(column) || !count)
		return 0;
	if (column == REPORT_COL_COUNT)
		return count_noise(old_row, new_row);
	/* Latency and count/MAC are the count scaled: so is their noise. */
	return count->value > 0 ? fabs(old_value) * count_noise(old_row, new_row) / count->value
				: 0;
}

static void judge(struct compare_metric *metric, const struct report_row *old_row,
		  const struct report_row *new_row)
{
	const struct report_column *info = report_column(metric->column);
	double worsening, slack;

	if (!metric->has_old) {
		metric->outcome = COMPARE_APPEARED;
		return;
	}
	if (!metric->has_new) {
		metric->outcome = COMPARE_VANISHED;
		return;
	}
	if (from_count(metric->column) && strcmp(old_row->count_unit, new_row->count_unit)) {
		metric->outcome = COMPARE_INCOMPARABLE;
		return;
	}
	metric->allowed = metric->threshold->relative
			      ? metric->threshold->amount / 100 * fabs(metric->old_value)
			      : metric->threshold->amount;
	metric->noise = metric_noise(old_row, new_row, metric->column, metric->old_value);
	worsening = info->lower_is_better ? metric->new_value - metric->old_value
					  : metric->old_value - metric->new_value;
	/* Decimal thresholds ("0.2pts") are not exact in binary: a drop of
	 * exactly the threshold must pass. */
	slack = 1e-9 * (fabs(metric->old_value) + fabs(metric->new_value)) + 1e-12;
	if (worsening > metric->allowed + metric->noise + slack)
		metric->outcome = COMPARE_REGRESSED;
	else if (worsening > metric->noise + slack)
		metric->outcome = COMPARE_WORSE;
	else if (-worsening > metric->noise + slack)
		metric->outcome = COMPARE_IMPROVED;
	else
		metric->outcome = COMPARE_UNCHANGED;
}

static bool row_ran(const struct report_row *row)
{
	return !strcmp(row->status, "ok");
}

static void fill_metrics(struct compare_row *row, const struct compare_thresholds *thresholds)
{
	bool judged = row->old_row && row->new_row && row_ran(row->new_row);

	row->metric_count = 0;
	for (int i = 0; i < REPORT_COLUMN_COUNT; i++) {
		const struct compare_threshold *threshold = &thresholds->items[i];
		const struct report_cell *old_cell =
		    row->old_row ? report_row_cell(row->old_row, (enum report_column_id)i) : NULL;
		const struct report_cell *new_cell =
		    row->new_row ? report_row_cell(row->new_row, (enum report_column_id)i) : NULL;
		struct compare_metric *metric = &row->metrics[row->metric_count];

		if (!threshold->gated || (!old_cell && !new_cell))
			continue;
		memset(metric, 0, sizeof *metric);
		metric->column = (enum report_column_id)i;
		metric->threshold = threshold;
		metric->has_old = old_cell != NULL;
		metric->has_new = new_cell != NULL;
		metric->old_value = old_cell ? old_cell->value : 0;
		metric->new_value = new_cell ? new_cell->value : 0;
		if (judged)
			judge(metric, row->old_row, row->new_row);
		else
			metric->outcome = row->old_row ? COMPARE_NOT_JUDGED : COMPARE_APPEARED;
		/* Of a failed run, only what the baseline holds is worth listing. */
		if (!judged && row->old_row && !metric->has_old)
			continue;
		row->metric_count++;
	}
}

static enum compare_row_outcome row_outcome(const struct compare_row *row)
{
	if (!row->new_row)
		return COMPARE_ROW_MISSING;
	if (!row->old_row)
		return COMPARE_ROW_NEW;
	if (!row_ran(row->new_row))
		return !strcmp(row->new_row->error_kind, hb_status_name(HB_ERR_MISMATCH))
			   ? COMPARE_ROW_MISMATCH
			   : COMPARE_ROW_INFRASTRUCTURE;
	for (size_t i = 0; i < row->metric_count; i++)
		if (compare_outcome_fails(row->metrics[i].outcome))
			return COMPARE_ROW_REGRESSED;
	return COMPARE_ROW_PASS;
}

/* The suite is part of the key, as in report_table_keep_latest: a model run
 * alone and the same model as a suite's variant are different rows. */
static bool same_key(const struct report_row *a, const struct report_row *b)
{
	return !strcmp(a->board, b->board) && !strcmp(a->model, b->model) &&
	       !strcmp(a->variant, b->variant) && !strcmp(a->suite, b->suite);
}

static const struct report_row *any_row(const struct compare_row *row)
{
	return row->old_row ? row->old_row : row->new_row;
}

static int compare_keys(const void *a, const void *b)
{
	const struct report_row *x = any_row(a), *y = any_row(b);
	int order = strcmp(x->board, y->board);

	if (!order)
		order = strcmp(x->model, y->model);
	if (!order)
		order = strcmp(x->variant, y->variant);
	if (!order)
		order = strcmp(x->suite, y->suite);
	return order;
}

static int check_baseline(const struct report_table *baseline)
{
	for (size_t i = 0; i < baseline->count; i++) {
		const struct report_row *row = &baseline->rows[i];
		if (!row_ran(row))
			return hb_error(
			    HB_ERR_INPUT,
			    "%s: baseline record of %s %s %s has status '%s'%s%s (expected "
			    "\"ok\": a baseline must come from a run that succeeded)",
			    row->record, row->board, row->model, row->variant, row->status,
			    row->error_kind[0] ? ": " : "", row->error_kind);
	}
	return HB_OK;
}

static void tally(struct compare_result *result)
{
	memset(result->by_outcome, 0, sizeof result->by_outcome);
	result->metrics_failed = 0;
	for (size_t i = 0; i < result->count; i++) {
		const struct compare_row *row = &result->rows[i];
		result->by_outcome[row->outcome]++;
		for (size_t m = 0; m < row->metric_count; m++)
			result->metrics_failed += compare_outcome_fails(row->metrics[m].outcome);
	}
	/* A regression found among the runs that worked stands even when another
	 * board died: rerunning would not make it pass. */
	if (result->by_outcome[COMPARE_ROW_REGRESSED] || result->by_outcome[COMPARE_ROW_MISSING] ||
	    result->by_outcome[COMPARE_ROW_MISMATCH])
		result->verdict = HB_ERR_REGRESSION;
	else if (result->by_outcome[COMPARE_ROW_INFRASTRUCTURE])
		result->verdict = HB_ERR_INFRASTRUCTURE;
	else
		result->verdict = HB_OK;
}

int compare_tables(const struct report_table *baseline, const struct report_table *fresh,
		   const struct compare_thresholds *thresholds, struct compare_result *out)
{
	size_t capacity = baseline->count + fresh->count;
	int status;

	memset(out, 0, sizeof *out);
	status = check_baseline(baseline);
	if (status != HB_OK)
		return status;
	out->rows = calloc(capacity ? capacity : 1, sizeof *out->rows);
	if (!out->rows)
		return hb_error(HB_ERR_NOMEM, "out of memory comparing %zu rows", capacity);
	for (size_t i = 0; i < baseline->count; i++) {
		struct compare_row *row = &out->rows[out->count++];
		row->old_row = &baseline->rows[i];
		for (size_t j = 0; j < fresh->count && !row->new_row; j++)
			if (same_key(row->old_row, &fresh->rows[j]))
				row->new_row = &fresh->rows[j];
	}
	for (size_t j = 0; j < fresh->count; j++) {
		bool known = false;
		for (size_t i = 0; i < baseline->count && !known; i++)
			known = same_key(&baseline->rows[i], &fresh->rows[j]);
		if (!known)
			out->rows[out->count++].new_row = &fresh->rows[j];
	}
	qsort(out->rows, out->count, sizeof out->rows[0], compare_keys);
	for (size_t i = 0; i < out->count; i++) {
		fill_metrics(&out->rows[i], thresholds);
		out->rows[i].outcome = row_outcome(&out->rows[i]);
	}
	tally(out);
	return HB_OK;
}

void compare_result_release(struct compare_result *result)
{
	free(result->rows);
	memset(result, 0, sizeof *result);
}

/* ---- text ---- */

void compare_row_key(const struct compare_row *row, char *out, size_t capacity)
{
	const struct report_row *any = any_row(row);

	if (any->suite[0])
		snprintf(out, capacity, "%s %s %s (suite %s)", any->board, any->model, any->variant,
			 any->suite);
	else
		snprintf(out, capacity, "%s %s %s", any->board, any->model, any->variant);
}

static const char *count_unit(const struct report_row *row)
{
	return row->count_unit[0] ? row->count_unit : "counts";
}

/* An amount in the column's unit; `sign` adds '+' to a positive one. */
static void amount_text(const struct report_row *row, enum report_column_id column, double amount,
			bool sign, char *out, size_t capacity)
{
	const char *plus = sign && amount >= 0 ? "+" : "";

	switch (report_column(column)->dimension) {
	case REPORT_DIM_COUNT:
		snprintf(out, capacity, "%s%.0f %s", plus, amount, count_unit(row));
		break;
	case REPORT_DIM_RATIO:
		snprintf(out, capacity, "%s%.3f %s/MAC", plus, amount, count_unit(row));
		break;
	case REPORT_DIM_TIME: snprintf(out, capacity, "%s%.3f ms", plus, amount); break;
	case REPORT_DIM_BYTES: snprintf(out, capacity, "%s%.0f B", plus, amount); break;
	case REPORT_DIM_FRACTION: snprintf(out, capacity, "%s%.2f pts", plus, amount * 100); break;
	case REPORT_DIM_PERCENT:
	case REPORT_DIM_POINTS: snprintf(out, capacity, "%s%.2f pts", plus, amount); break;
	case REPORT_DIM_ENERGY: snprintf(out, capacity, "%s%.2f uJ", plus, amount); break;
	}
}

void compare_value_text(const struct report_row *row, enum report_column_id column, double value,
			char *out, size_t capacity)
{
	switch (report_column(column)->dimension) {
	case REPORT_DIM_FRACTION: snprintf(out, capacity, "%.2f%%", value * 100); break;
	case REPORT_DIM_PERCENT: snprintf(out, capacity, "%.2f%%", value); break;
	default: amount_text(row, column, value, false, out, capacity); break;
	}
}

void compare_delta_text(const struct compare_row *row, const struct compare_metric *metric,
			char *out, size_t capacity)
{
	const enum report_dimension dimension = report_column(metric->column)->dimension;
	double delta = metric->new_value - metric->old_value;
	char absolute[64];

	amount_text(row->new_row, metric->column, delta, true, absolute, sizeof absolute);
	/* Points are already the readable change of a share. */
	if (metric->old_value != 0 && dimension != REPORT_DIM_FRACTION &&
	    dimension != REPORT_DIM_PERCENT && dimension != REPORT_DIM_POINTS)
		snprintf(out, capacity, "%s, %+.2f%%", absolute,
			 100 * delta / fabs(metric->old_value));
	else
		snprintf(out, capacity, "%s", absolute);
}

void compare_allowed_text(const struct compare_row *row, const struct compare_metric *metric,
			  char *out, size_t capacity)
{
	char allowed[64] = "", noise[64] = "";

	if (metric->threshold->relative)
		amount_text(row->old_row, metric->column, metric->allowed, false, allowed,
			    sizeof allowed);
	if (metric->noise > 0) {
		char amount[48];
		amount_text(row->old_row, metric->column, metric->noise, false, amount,
			    sizeof amount);
		snprintf(noise, sizeof noise, " + noise %s", amount);
	}
	if (metric->threshold->relative)
		snprintf(out, capacity, "%s (%s)%s", metric->threshold->text, allowed, noise);
	else
		snprintf(out, capacity, "%s%s", metric->threshold->text, noise);
}

/* Accuracy on a different number of samples moves by sampling alone. */
static void samples_note(const struct compare_row *row, enum report_column_id column, char *out,
			 size_t capacity)
{
	out[0] = '\0';
	if ((column == REPORT_COL_ACCURACY || column == REPORT_COL_AGREEMENT ||
	     column == REPORT_COL_INT8_DROP) &&
	    row->old_row->accuracy_samples != row->new_row->accuracy_samples)
		snprintf(out, capacity, "; note: baseline on %u samples, new on %u",
			 row->old_row->accuracy_samples, row->new_row->accuracy_samples);
}

void compare_metric_text(const struct compare_row *row, const struct compare_metric *metric,
			 char *out, size_t capacity)
{
	const char *name = report_column(metric->column)->name;
	char old_text[64] = "", new_text[64] = "", delta[96], allowed[160], note[80];

	if (metric->has_old)
		compare_value_text(row->old_row, metric->column, metric->old_value, old_text,
				   sizeof old_text);
	if (metric->has_new)
		compare_value_text(row->new_row, metric->column, metric->new_value, new_text,
				   sizeof new_text);
	switch (metric->outcome) {
	case COMPARE_VANISHED:
		snprintf(out, capacity, "%s: %s in the baseline, absent from the new record", name,
			 old_text);
		return;
	case COMPARE_APPEARED:
		snprintf(out, capacity, "%s: %s (not in the baseline)", name, new_text);
		return;
	case COMPARE_INCOMPARABLE:
		snprintf(out, capacity,
			 "%s: the baseline counts %s, the new record %s: not comparable (store a "
			 "new baseline)",
			 name, count_unit(row->old_row), count_unit(row->new_row));
		return;
	case COMPARE_NOT_JUDGED:
		snprintf(out, capacity, "%s: %s in the baseline, not judged (the new run failed)",
			 name, old_text);
		return;
	default: break;
	}
	compare_delta_text(row, metric, delta, sizeof delta);
	compare_allowed_text(row, metric, allowed, sizeof allowed);
	samples_note(row, metric->column, note, sizeof note);
	snprintf(out, capacity, "%s: %s -> %s (%s), allowed %s%s", name, old_text, new_text, delta,
		 allowed, note);
}
