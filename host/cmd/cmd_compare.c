/* hilbench compare: the CI gate, new results against a stored baseline. */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "report/compare.h"
#include "report/junit.h"
#include "report/report_table.h"
#include "util/error.h"

/* The defaults, wrapped to the help's option column. */
static void print_defaults(void)
{
	char defaults[256];
	const char *item = defaults;
	size_t line = 0;

	compare_thresholds_default_text(defaults, sizeof defaults);
	printf("%20s", "");
	while (*item) {
		const char *end = strstr(item, ", ");
		size_t n = end ? (size_t)(end - item) : strlen(item);

		if (line && line + n + 2 > 58) {
			printf(",\n%20s", "");
			line = 0;
		} else if (line) {
			printf(", ");
			line += 2;
		}
		printf("%.*s", (int)n, item);
		line += n;
		item += n + (end ? 2 : 0);
	}
	printf("\n");
}

static void print_help(void)
{
	printf("usage: hilbench compare BASELINE NEW [--max-regression LIST] [--junit FILE] "
	       "[--json]\n\n"
	       "Compares result records (a file or a folder of them, e.g. one stored by\n"
	       "'hilbench baseline') with new ones, row by row (board x model x variant,\n"
	       "the latest record of each), and fails when a figure got worse than its\n"
	       "threshold allows. Prints one line per figure that changed or failed and a\n"
	       "verdict.\n\n"
	       "options:\n"
	       "  --max-regression LIST\n"
	       "                    thresholds, METRIC=THRESHOLD joined by commas, each the\n"
	       "                    worsening allowed: N%% of the baseline's value, or an\n"
	       "                    absolute amount (B, KB, KiB for bytes; pts for accuracy;\n"
	       "                    us, ms, s for latency; k, M for counts); 'off' stops gating\n"
	       "                    a figure. Metrics: count, latency, peak_ram, flash, arena,\n"
	       "                    deployment_ram, accuracy (or top1, auc) and the other\n"
	       "                    report columns. Items given replace their default; the\n"
	       "                    defaults are:\n");
	print_defaults();
	printf("  --junit FILE      also write JUnit XML (one testcase per row x figure)\n"
	       "  --json            print the comparison as JSON instead of the summary\n\n"
	       "Noise: emulated counts are deterministic, so a count that moves by more\n"
	       "than one counter tick (the record's resolution) has changed; a measured\n"
	       "count regresses only when it grows by more than the threshold plus the\n"
	       "spread (max - min) of the runs of both records. Sizes, planned arenas and\n"
	       "accuracy on the same samples are deterministic.\n\n"
	       "A row of the baseline missing from NEW fails the gate; a row only in NEW is\n"
	       "reported as new. A new record of a run that failed (timeout, tool failed,\n"
	       "protocol error) is an infrastructure failure; one whose output differs from\n"
	       "the host's is a correctness regression. docs/ci.md has a worked CI job.\n\n"
	       "exit status: 0 pass, 1 regression (a figure, a missing row or an output\n"
	       "mismatch), 2 bad input (unreadable or foreign files, a bad threshold),\n"
	       "3 infrastructure (a board or tool failed in NEW and nothing regressed).\n\n"
	       "example:\n"
	       "  hilbench compare baseline/ results/ --max-regression "
	       "count=0%%,peak_ram=0%%,top1=-0.2pts --junit junit.xml\n");
}

/* ---- the terminal summary ---- */

struct style {
	bool color;
};

static const char *paint(const struct style *style, const char *code)
{
	return style->color ? code : "";
}

#define RED    "\033[1;31m"
#define YELLOW "\033[1;33m"
#define GREEN  "\033[32m"
#define CYAN   "\033[36m"
#define RESET  "\033[0m"

static void print_line(const struct style *style, const char *color, const char *label,
		       const struct compare_row *row, const char *text)
{
	char key[256];

	compare_row_key(row, key, sizeof key);
	printf("%s%-10s%s %s  %s\n", paint(style, color), label, paint(style, RESET), key, text);
}

static void print_metrics(const struct style *style, const struct compare_row *row)
{
	for (size_t i = 0; i < row->metric_count; i++) {
		const struct compare_metric *metric = &row->metrics[i];
		const char *color = "", *label;
		char text[512];

		switch (metric->outcome) {
		case COMPARE_REGRESSED: color = RED, label = "REGRESSED"; break;
		case COMPARE_VANISHED: color = RED, label = "VANISHED"; break;
		case COMPARE_INCOMPARABLE: color = RED, label = "UNLIKE"; break;
		case COMPARE_IMPROVED: color = GREEN, label = "improved"; break;
		case COMPARE_WORSE: label = "worse"; break;
		case COMPARE_APPEARED: color = CYAN, label = "new"; break;
		default: continue; /* unchanged, or not judged: the row's line says why */
		}
		compare_metric_text(row, metric, text, sizeof text);
		print_line(style, color, label, row, text);
	}
}

static void print_row(const struct style *style, const struct compare_row *row)
{
	char text[1024];
	const struct report_row *fresh = row->new_row;

	switch (row->outcome) {
	case COMPARE_ROW_MISSING:
		snprintf(text, sizeof text, "in the baseline (%s), missing from the new results",
			 row->old_row->record);
		print_line(style, RED, "MISSING", row, text);
		return;
	case COMPARE_ROW_NEW:
		snprintf(text, sizeof text, "not in the baseline (%s)", fresh->record);
		print_line(style, CYAN, "new row", row, text);
		return;
	case COMPARE_ROW_MISMATCH:
	case COMPARE_ROW_INFRASTRUCTURE:
		snprintf(text, sizeof text, "%s: %s (%s)",
			 fresh->error_kind[0] ? fresh->error_kind : fresh->status,
			 fresh->error[0] ? fresh->error : "the run did not finish", fresh->record);
		if (row->outcome == COMPARE_ROW_MISMATCH)
			print_line(style, RED, "MISMATCH", row, text);
		else
			print_line(style, YELLOW, "RUN FAILED", row, text);
		return;
	default: print_metrics(style, row); return;
	}
}

static void print_verdict(const struct style *style, const struct compare_result *result)
{
	const size_t *n = result->by_outcome;
	size_t compared = result->count - n[COMPARE_ROW_NEW];

	if (result->verdict == HB_OK) {
		printf("verdict: %spass%s: %zu row%s as good as the baseline", paint(style, GREEN),
		       paint(style, RESET), n[COMPARE_ROW_PASS],
		       n[COMPARE_ROW_PASS] == 1 ? "" : "s");
	} else if (result->verdict == HB_ERR_REGRESSION) {
		printf("verdict: %sregression%s: of %zu baseline row%s, %zu regressed (%zu "
		       "figure%s), %zu missing, %zu output mismatch%s, %zu failed to run",
		       paint(style, RED), paint(style, RESET), compared, compared == 1 ? "" : "s",
		       n[COMPARE_ROW_REGRESSED], result->metrics_failed,
		       result->metrics_failed == 1 ? "" : "s", n[COMPARE_ROW_MISSING],
		       n[COMPARE_ROW_MISMATCH], n[COMPARE_ROW_MISMATCH] == 1 ? "" : "es",
		       n[COMPARE_ROW_INFRASTRUCTURE]);
	} else {
		printf("verdict: %sinfrastructure failure%s: %zu of %zu baseline row%s failed to "
		       "run (board, tool or link: see above), %zu passed",
		       paint(style, YELLOW), paint(style, RESET), n[COMPARE_ROW_INFRASTRUCTURE],
		       compared, compared == 1 ? "" : "s", n[COMPARE_ROW_PASS]);
	}
	if (n[COMPARE_ROW_NEW])
		printf("; %zu new row%s", n[COMPARE_ROW_NEW], n[COMPARE_ROW_NEW] == 1 ? "" : "s");
	printf("\n");
}

static void thresholds_text(const struct compare_thresholds *thresholds, char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < REPORT_COLUMN_COUNT; i++) {
		const struct compare_threshold *t = &thresholds->items[i];
		int n;

		if (!t->gated)
			continue;
		n = snprintf(out + used, capacity - used, "%s%s=%s", used ? ", " : "",
			     report_column((enum report_column_id)i)->name, t->text);
		if (n < 0 || (size_t)n >= capacity - used)
			return;
		used += (size_t)n;
	}
}

static void print_summary(const struct compare_result *result,
			  const struct compare_thresholds *thresholds, const char *baseline,
			  const char *fresh)
{
	struct style style = {hb_use_color(STDOUT_FILENO) != 0};
	char gated[512];

	thresholds_text(thresholds, gated, sizeof gated);
	printf("compare: '%s' against the baseline '%s'; thresholds %s\n", fresh, baseline,
	       gated[0] ? gated : "none");
	for (size_t i = 0; i < result->count; i++)
		print_row(&style, &result->rows[i]);
	print_verdict(&style, result);
}

/* ---- --json ---- */

static const char *verdict_name(int verdict)
{
	return verdict == HB_OK ? "pass" : hb_status_name(verdict);
}

static const char *row_count_unit(const struct compare_row *row)
{
	return (row->new_row ? row->new_row : row->old_row)->count_unit;
}

static bool judged(enum compare_outcome outcome)
{
	return outcome == COMPARE_UNCHANGED || outcome == COMPARE_IMPROVED ||
	       outcome == COMPARE_WORSE || outcome == COMPARE_REGRESSED;
}

static cJSON *metric_json(const struct compare_row *row, const struct compare_metric *metric)
{
	cJSON *object = cJSON_CreateObject();
	char text[512];

	compare_metric_text(row, metric, text, sizeof text);
	cJSON_AddStringToObject(object, "name", report_column(metric->column)->name);
	cJSON_AddStringToObject(object, "outcome", compare_outcome_name(metric->outcome));
	cJSON_AddStringToObject(object, "unit",
				metric->column == REPORT_COL_COUNT
				    ? row_count_unit(row)
				    : report_column(metric->column)->unit);
	if (metric->has_old)
		cJSON_AddNumberToObject(object, "baseline", metric->old_value);
	else
		cJSON_AddNullToObject(object, "baseline");
	if (metric->has_new)
		cJSON_AddNumberToObject(object, "new", metric->new_value);
	else
		cJSON_AddNullToObject(object, "new");
	cJSON_AddStringToObject(object, "threshold", metric->threshold->text);
	if (judged(metric->outcome)) {
		cJSON_AddNumberToObject(object, "allowed", metric->allowed);
		cJSON_AddNumberToObject(object, "noise", metric->noise);
	}
	cJSON_AddStringToObject(object, "message", text);
	return object;
}

static void add_record(cJSON *object, const char *key, const struct report_row *row)
{
	if (row)
		cJSON_AddStringToObject(object, key, row->record);
	else
		cJSON_AddNullToObject(object, key);
}

static cJSON *row_json(const struct compare_row *row)
{
	const struct report_row *any = row->old_row ? row->old_row : row->new_row;
	cJSON *object = cJSON_CreateObject();
	cJSON *metrics;

	cJSON_AddStringToObject(object, "board", any->board);
	cJSON_AddStringToObject(object, "model", any->model);
	cJSON_AddStringToObject(object, "variant", any->variant);
	cJSON_AddStringToObject(object, "outcome", compare_row_outcome_name(row->outcome));
	add_record(object, "baseline_record", row->old_row);
	add_record(object, "new_record", row->new_row);
	if (row->new_row && strcmp(row->new_row->status, "ok")) {
		cJSON *error = cJSON_AddObjectToObject(object, "error");
		cJSON_AddStringToObject(error, "status", row->new_row->status);
		cJSON_AddStringToObject(error, "kind", row->new_row->error_kind);
		cJSON_AddStringToObject(error, "message", row->new_row->error);
	}
	metrics = cJSON_AddArrayToObject(object, "metrics");
	for (size_t i = 0; i < row->metric_count; i++)
		cJSON_AddItemToArray(metrics, metric_json(row, &row->metrics[i]));
	return object;
}

static int print_json(const struct compare_result *result,
		      const struct compare_thresholds *thresholds, const char *baseline,
		      const char *fresh)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *gates, *counts, *rows;
	char *text;

	cJSON_AddStringToObject(root, "schema", "hilbench.compare/1");
	cJSON_AddStringToObject(root, "baseline", baseline);
	cJSON_AddStringToObject(root, "new", fresh);
	cJSON_AddStringToObject(root, "verdict", verdict_name(result->verdict));
	gates = cJSON_AddObjectToObject(root, "thresholds");
	counts = cJSON_AddObjectToObject(root, "rows_by_outcome");
	rows = cJSON_AddArrayToObject(root, "rows");
	for (int i = 0; i < REPORT_COLUMN_COUNT; i++)
		if (thresholds->items[i].gated)
			cJSON_AddStringToObject(gates,
						report_column((enum report_column_id)i)->name,
						thresholds->items[i].text);
	for (int i = 0; i <= COMPARE_ROW_INFRASTRUCTURE; i++)
		cJSON_AddNumberToObject(counts,
					compare_row_outcome_name((enum compare_row_outcome)i),
					(double)result->by_outcome[i]);
	for (size_t i = 0; i < result->count; i++)
		cJSON_AddItemToArray(rows, row_json(&result->rows[i]));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory printing the comparison");
	printf("%s\n", text);
	free(text);
	return HB_OK;
}

/* ---- the command ---- */

/* Unreadable and foreign files are the user's input, whatever failed. */
static int load(const char *path, const char *what, struct report_table *table)
{
	int status = report_table_add_path(table, path);

	if (status != HB_OK)
		return status == HB_ERR_NOMEM ? status : HB_ERR_INPUT;
	if (!table->count)
		return hb_error(HB_ERR_INPUT, "%s '%s' holds no hilbench records (expected %s)",
				what, path,
				"result or suite records, as 'hilbench run' writes them");
	report_table_keep_latest(table);
	report_table_sort(table);
	return HB_OK;
}

static int compare_paths(const char *baseline_path, const char *fresh_path,
			 const struct compare_thresholds *thresholds, const char *junit, bool json)
{
	struct report_table baseline = {0}, fresh = {0};
	struct compare_result result = {0};
	int status = load(baseline_path, "the baseline", &baseline);

	if (status == HB_OK)
		status = load(fresh_path, "the new results", &fresh);
	if (status == HB_OK)
		status = compare_tables(&baseline, &fresh, thresholds, &result);
	/* A gate that cannot write its report has failed as infrastructure. */
	if (status == HB_OK && junit &&
	    junit_write_file(junit, &result, "hilbench compare") != HB_OK)
		status = HB_ERR_INFRASTRUCTURE;
	if (status == HB_OK) {
		status =
		    json ? print_json(&result, thresholds, baseline_path, fresh_path)
			 : (print_summary(&result, thresholds, baseline_path, fresh_path), HB_OK);
		if (status == HB_OK)
			status = result.verdict;
	}
	compare_result_release(&result);
	report_table_release(&baseline);
	report_table_release(&fresh);
	return status;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"max-regression", required_argument, NULL, 'm'},
	    {"junit", required_argument, NULL, 'j'},
	    {"json", no_argument, NULL, 'J'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct compare_thresholds thresholds;
	const char *junit = NULL;
	bool json = false;
	int option, status;

	compare_thresholds_default(&thresholds);
	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'm':
			status = compare_thresholds_parse(optarg, &thresholds);
			if (status != HB_OK)
				return status;
			break;
		case 'j': junit = optarg; break;
		case 'J': json = true; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("compare", option, argv[optind - 1]);
		}
	}
	if (optind + 2 != argc)
		return hb_error(HB_ERR_USAGE,
				"compare needs a baseline and new results, got %d "
				"path%s (see 'hilbench compare --help')",
				argc - optind, argc - optind == 1 ? "" : "s");
	return compare_paths(argv[optind], argv[optind + 1], &thresholds, junit, json);
}
