/* Result and suite records from a few fields, for the compare tests. */
#include "test_records.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

struct test_record test_record_default(void)
{
	return (struct test_record){
	    .board = "qemu-m4",
	    .model = "fmnist_int8",
	    .status = "ok",
	    .source = "emulated",
	    .unit = "instructions",
	    .median = 1000000,
	    .min = 1000000,
	    .max = 1000000,
	    .resolution = 40,
	    .peak_ram = 20000,
	    .accuracy = -1,
	};
}

void test_record_add(struct report_table *table, const struct test_record *record)
{
	char peak_ram[96] = "", error[160] = "null", model[1536], text[2048];
	int status;

	if (record->peak_ram >= 0)
		snprintf(peak_ram, sizeof peak_ram,
			 ", \"peak_ram\": {\"value\": %.0f, \"source\": \"derived\"}",
			 record->peak_ram);
	if (record->error_kind)
		snprintf(error, sizeof error, "{\"kind\": \"%s\", \"message\": \"it broke\"}",
			 record->error_kind);
	snprintf(
	    model, sizeof model,
	    "\"status\": \"%s\", \"error\": %s, \"started_utc\": \"2026-01-01T00:00:00Z\", "
	    "\"board\": {\"id\": \"%s\", \"clock_hz\": 25000000}, "
	    "\"model\": {\"name\": \"%s\", \"variant\": \"int8\", \"arena_planned\": 15680, "
	    "\"macs\": 1000}, \"measurements\": {"
	    "\"count_per_inference\": {\"median\": %.0f, \"min\": %.0f, \"max\": %.0f, "
	    "\"resolution\": %.0f, \"unit\": \"%s\", \"source\": \"%s\", \"runs\": [1, 2, 3]}, "
	    "\"latency\": {\"median\": %.3f, \"source\": \"derived\"}%s}",
	    record->status, error, record->board, record->model, record->median, record->min,
	    record->max, record->resolution, record->unit, record->source, record->median / 25.0,
	    peak_ram);
	if (record->accuracy >= 0)
		snprintf(text, sizeof text,
			 "{\"schema\": \"hilbench.suite-result/1\", \"status\": \"%s\", "
			 "\"suite\": {\"name\": \"fmnist\"}, \"variants\": [{%s, \"accuracy\": "
			 "{\"metric\": \"top1\", \"value\": %.6f, \"samples\": %u}}]}",
			 record->status, model, record->accuracy,
			 record->samples ? record->samples : 2000);
	else
		snprintf(text, sizeof text, "{\"schema\": \"hilbench.result/1\", %s}", model);
	status = report_table_add_text(table, text, strlen(text), "test.json");
	cr_assert_eq(status, HB_OK, "record refused: %s", hb_last_error());
}

void test_pair_init(struct test_pair *pair, const char *thresholds)
{
	memset(pair, 0, sizeof *pair);
	compare_thresholds_default(&pair->thresholds);
	if (thresholds)
		cr_assert_eq(compare_thresholds_parse(thresholds, &pair->thresholds), HB_OK,
			     "'%s': %s", thresholds, hb_last_error());
}

void test_pair_compare(struct test_pair *pair)
{
	cr_assert_eq(
	    compare_tables(&pair->baseline, &pair->fresh, &pair->thresholds, &pair->result), HB_OK,
	    "%s", hb_last_error());
}

void test_pair_release(struct test_pair *pair)
{
	compare_result_release(&pair->result);
	report_table_release(&pair->baseline);
	report_table_release(&pair->fresh);
}
