/*
 * The CI gate behind `hilbench compare`: a baseline table against a new
 * one, matched by board x model x variant, each gated figure judged against
 * its threshold and its noise. Nothing here prints: compare_tables() fills
 * a compare_result that the command (and the JUnit writer) render.
 *
 * --max-regression grammar (items joined by commas):
 *
 *   item      := metric "=" (threshold | "off")
 *   metric    := a report column name ("count", "peak_ram", ...), or
 *                "top1" / "auc" for the accuracy
 *   threshold := ["+" | "-"] number unit
 *   unit      := "%"  (of the baseline's value)
 *              | an absolute unit of the column's kind: B K KB KiB M MB MiB
 *                for bytes, us ms s for time, pts for accuracy, agreement
 *                and shares, k M G for counts, uJ mJ J for energy; a bare
 *                number is in the column's base unit
 *
 * A threshold is the worsening allowed: an increase for figures where lower
 * is better, a drop for accuracy and agreement. A '-' sign is accepted only
 * where higher is better ("top1=-0.2pts": may drop 0.2 points).
 *
 * Noise: figures read from the ELF, planned or counted by an emulator are
 * deterministic, so only the counter's quantisation (one tick,
 * count_resolution) is forgiven; a measured count also forgives the spread
 * of the runs of both records (max - min each): two medians whose ranges
 * overlap lie at most that far apart. Latency and count per MAC, derived
 * from the count, inherit its noise in proportion.
 */
#ifndef HB_REPORT_COMPARE_H
#define HB_REPORT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "report/report_table.h"

struct compare_threshold {
	bool gated;
	bool relative;	   /* amount is % of the baseline's value */
	double amount;	   /* >= 0: percent, or the column's base unit */
	bool from_default; /* not given on the command line */
	char text[48];	   /* as written ("-0.2pts"), or the default's text */
};

/* Indexed by enum report_column_id. */
struct compare_thresholds {
	struct compare_threshold items[REPORT_COLUMN_COUNT];
};

/* count 1%, peak_ram 1%, deployment_ram 1%, arena 0%, flash 1%,
 * accuracy 0.5 pts; latency and the rest off (latency follows the count). */
void compare_thresholds_default(struct compare_thresholds *out);

/* "count=1%, peak_ram=1%, ..." for --help, from the defaults themselves. */
void compare_thresholds_default_text(char *out, size_t capacity);

/* Parses a --max-regression list over `inout` (start from the defaults):
 * each item replaces its metric's threshold. Errors (HB_ERR_USAGE) quote
 * the item and say what was expected there. */
int compare_thresholds_parse(const char *text, struct compare_thresholds *inout);

enum compare_outcome {
	COMPARE_UNCHANGED,    /* within the noise */
	COMPARE_IMPROVED,     /* better beyond the noise */
	COMPARE_WORSE,	      /* worse beyond the noise, within the threshold */
	COMPARE_REGRESSED,    /* worse beyond threshold + noise: a failure */
	COMPARE_VANISHED,     /* the baseline has the figure, the new record not: a failure */
	COMPARE_APPEARED,     /* only the new record has it */
	COMPARE_INCOMPARABLE, /* counts in different units: a failure */
	COMPARE_NOT_JUDGED,   /* the new run failed, so its figures are not judged */
};

/* "unchanged", "improved", ... */
const char *compare_outcome_name(enum compare_outcome outcome);
bool compare_outcome_fails(enum compare_outcome outcome);

struct compare_metric {
	enum report_column_id column;
	enum compare_outcome outcome;
	bool has_old, has_new;
	double old_value, new_value; /* in the column's base unit */
	double allowed;		     /* the worsening the threshold allows, base unit */
	double noise;		     /* the worsening forgiven as noise, base unit */
	const struct compare_threshold *threshold;
};

enum compare_row_outcome {
	COMPARE_ROW_PASS,
	COMPARE_ROW_REGRESSED,	    /* a figure regressed, vanished or is incomparable */
	COMPARE_ROW_MISSING,	    /* in the baseline, not in the new results */
	COMPARE_ROW_NEW,	    /* in the new results only: reported, not a failure */
	COMPARE_ROW_MISMATCH,	    /* the new run's output differs from the host's */
	COMPARE_ROW_INFRASTRUCTURE, /* the new run failed: board, tool or link */
};

const char *compare_row_outcome_name(enum compare_row_outcome outcome);

struct compare_row {
	const struct report_row *old_row; /* NULL for a new row */
	const struct report_row *new_row; /* NULL for a missing row */
	enum compare_row_outcome outcome;
	struct compare_metric metrics[REPORT_COLUMN_COUNT]; /* the gated figures */
	size_t metric_count;
};

struct compare_result {
	struct compare_row *rows; /* sorted by board, model, variant */
	size_t count;
	size_t by_outcome[COMPARE_ROW_INFRASTRUCTURE + 1];
	size_t metrics_failed;
	/* HB_OK, HB_ERR_REGRESSION (also for missing rows and output mismatches)
	 * or HB_ERR_INFRASTRUCTURE (a new run failed and nothing regressed). */
	int verdict;
};

/* Both tables as read by report_table_add_path; keep_latest is applied by
 * the caller. The result points into both tables and the thresholds: keep
 * them alive while it is used. A
 * baseline row that is not "ok" is refused (HB_ERR_INPUT): a baseline must
 * come from a run that succeeded. */
int compare_tables(const struct report_table *baseline, const struct report_table *fresh,
		   const struct compare_thresholds *thresholds, struct compare_result *out);
void compare_result_release(struct compare_result *result);

/* The row's key: "board model variant", and "(suite NAME)" for a suite's. */
void compare_row_key(const struct compare_row *row, char *out, size_t capacity);

/* A figure in the column's unit, exact enough to show a one-tick change:
 * "12947480 instructions", "20412 B", "517.90 ms", "90.40%". */
void compare_value_text(const struct report_row *row, enum report_column_id column, double value,
			char *out, size_t capacity);

/* The change: "+552520 instructions (+4.27%)", "-0.20 pts", "+0 B". */
void compare_delta_text(const struct compare_row *row, const struct compare_metric *metric,
			char *out, size_t capacity);

/* What was allowed: "1% (129475 instructions) + noise 40 instructions". */
void compare_allowed_text(const struct compare_row *row, const struct compare_metric *metric,
			  char *out, size_t capacity);

/* One line on a failed or changed figure, e.g. "count 12947480 -> 13500000
 * instructions (+4.27%), allowed 1% + noise 40 instructions": messages,
 * JUnit and the terminal all say the same. */
void compare_metric_text(const struct compare_row *row, const struct compare_metric *metric,
			 char *out, size_t capacity);

#endif
