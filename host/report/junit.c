/* JUnit XML for `hilbench compare --junit`. */
#include "report/junit.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fileio.h"

void junit_escape(FILE *out, const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		switch (*c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\n': fputs("&#10;", out); break;
		case '\r': fputs("&#13;", out); break;
		case '\t': fputs("&#9;", out); break;
		default: fputc(*c >= 0x20 && *c < 0x7f ? *c : '?', out); break;
		}
	}
}

struct suite_counts {
	size_t tests, failures, errors, skipped;
};

static void count_row(const struct compare_row *row, struct suite_counts *counts)
{
	counts->tests += 1 + row->metric_count;
	if (row->outcome == COMPARE_ROW_MISSING || row->outcome == COMPARE_ROW_MISMATCH)
		counts->failures++;
	if (row->outcome == COMPARE_ROW_INFRASTRUCTURE)
		counts->errors++;
	for (size_t i = 0; i < row->metric_count; i++) {
		counts->failures += compare_outcome_fails(row->metrics[i].outcome);
		counts->skipped += row->metrics[i].outcome == COMPARE_NOT_JUDGED;
	}
}

static void counts_attributes(FILE *out, const struct suite_counts *counts)
{
	/* Some reporters read time unconditionally; a comparison takes none. */
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"0\"",
		counts->tests, counts->failures, counts->errors, counts->skipped);
}

static void classname(FILE *out, const struct compare_row *row)
{
	const struct report_row *any = row->old_row ? row->old_row : row->new_row;

	junit_escape(out, any->board);
	fputc('.', out);
	junit_escape(out, any->model);
	fputc('.', out);
	junit_escape(out, any->variant);
}

static void testcase_open(FILE *out, const struct compare_row *row, const char *name)
{
	fputs("    <testcase classname=\"", out);
	classname(out, row);
	fputs("\" name=\"", out);
	junit_escape(out, name);
	fputs("\" time=\"0\">\n", out);
}

/* <failure>, <error> or <skipped> with a message, or nothing for a pass. */
static void verdict_element(FILE *out, const char *element, const char *type, const char *message)
{
	fprintf(out, "      <%s", element);
	if (type) {
		fputs(" type=\"", out);
		junit_escape(out, type);
		fputc('"', out);
	}
	fputs(" message=\"", out);
	junit_escape(out, message);
	fputs("\"/>\n", out);
}

static void system_out(FILE *out, const char *text)
{
	fputs("      <system-out>", out);
	junit_escape(out, text);
	fputs("</system-out>\n", out);
}

static void run_testcase(FILE *out, const struct compare_row *row)
{
	char message[1024];

	testcase_open(out, row, "run");
	switch (row->outcome) {
	case COMPARE_ROW_MISSING:
		snprintf(message, sizeof message,
			 "in the baseline (%s), missing from the new results",
			 row->old_row->record);
		verdict_element(out, "failure", "missing", message);
		break;
	case COMPARE_ROW_MISMATCH:
	case COMPARE_ROW_INFRASTRUCTURE:
		snprintf(message, sizeof message, "%s: %s (%s)",
			 row->new_row->error_kind[0] ? row->new_row->error_kind
						     : row->new_row->status,
			 row->new_row->error[0] ? row->new_row->error : "the run did not finish",
			 row->new_row->record);
		verdict_element(out, row->outcome == COMPARE_ROW_MISMATCH ? "failure" : "error",
				row->new_row->error_kind[0] ? row->new_row->error_kind
							    : row->new_row->status,
				message);
		break;
	case COMPARE_ROW_NEW:
		snprintf(message, sizeof message, "new: not in the baseline (%s)",
			 row->new_row->record);
		system_out(out, message);
		break;
	default:
		snprintf(message, sizeof message, "ran: %s", row->new_row->record);
		system_out(out, message);
		break;
	}
	fputs("    </testcase>\n", out);
}

static void metric_testcase(FILE *out, const struct compare_row *row,
			    const struct compare_metric *metric)
{
	char message[512];

	compare_metric_text(row, metric, message, sizeof message);
	testcase_open(out, row, report_column(metric->column)->name);
	if (compare_outcome_fails(metric->outcome))
		verdict_element(out, "failure", compare_outcome_name(metric->outcome), message);
	else if (metric->outcome == COMPARE_NOT_JUDGED)
		verdict_element(out, "skipped", NULL, message);
	else
		system_out(out, message);
	fputs("    </testcase>\n", out);
}

int junit_write(FILE *out, const struct compare_result *result, const char *name)
{
	struct suite_counts total = {0};

	for (size_t i = 0; i < result->count; i++)
		count_row(&result->rows[i], &total);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", out);
	junit_escape(out, name);
	fputc('"', out);
	counts_attributes(out, &total);
	fputs(">\n", out);
	for (size_t i = 0; i < result->count; i++) {
		const struct compare_row *row = &result->rows[i];
		struct suite_counts counts = {0};

		count_row(row, &counts);
		fputs("  <testsuite name=\"", out);
		classname(out, row);
		fputc('"', out);
		counts_attributes(out, &counts);
		fputs(">\n", out);
		run_testcase(out, row);
		for (size_t m = 0; m < row->metric_count; m++)
			metric_testcase(out, row, &row->metrics[m]);
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
	return ferror(out) ? hb_error(HB_ERR_IO, "cannot write the JUnit report") : HB_OK;
}

int junit_write_file(const char *path, const struct compare_result *result, const char *name)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	int status;

	if (!out)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory for the JUnit report", path);
	status = junit_write(out, result, name);
	if (fclose(out) != 0 && status == HB_OK)
		status = hb_error(HB_ERR_NOMEM, "%s: out of memory for the JUnit report", path);
	if (status == HB_OK)
		status = file_write_atomic(path, text, length);
	free(text);
	return status;
}
