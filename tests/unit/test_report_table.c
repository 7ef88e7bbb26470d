/*
 * The report table and hardware selection: records of every kind into rows
 * whose cells keep their sources, absent figures absent, foreign and older
 * records refused by name; --require parsing and its bad inputs; ranking
 * and the reason each excluded row gives.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "report/report_select.h"
#include "report/report_table.h"
#include "util/error.h"

static char report_test_log[2048];

static void report_test_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(report_test_log, sizeof report_test_log, "%s", message);
}

static void report_test_setup(void)
{
	report_test_log[0] = '\0';
	hb_log_set_sink(report_test_sink, NULL);
}

static void report_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

TestSuite(report_table, .init = report_test_setup, .fini = report_test_teardown);
TestSuite(report_select, .init = report_test_setup, .fini = report_test_teardown);

/* The shape hilbench run writes (docs/results.md), trimmed to what reports read. */
static const char report_test_model_record[] =
    "{\"schema\": \"hilbench.result/1\", \"status\": \"%s\", \"error\": %s,"
    " \"started_utc\": \"%s\","
    " \"board\": {\"id\": \"%s\", \"name\": \"Board\", \"core\": \"cortex-m4\","
    "  \"clock_hz\": 100000000, \"cycle_counter\": \"%s\", \"verified\": \"%s\"%s},"
    " \"model\": {\"name\": \"%s\", \"variant\": \"int8\", \"macs\": 1000,"
    "  \"arena_planned\": 2048},"
    " \"measurements\": {%s}}";

static const char report_test_counts[] =
    "\"count_per_inference\": {\"runs\": [1000, 1010, 1020], \"unit\": \"%s\","
    " \"source\": \"%s\", \"resolution\": 10, \"min\": 1000, \"median\": 1010, \"max\": 1020},"
    " \"latency\": {\"unit\": \"us\", \"source\": \"derived\", \"median\": %s},"
    " \"peak_ram\": {\"value\": %s, \"unit\": \"bytes\", \"source\": \"derived\"},"
    " \"flash\": {\"value\": 65536, \"unit\": \"bytes\", \"source\": \"derived\"}";

struct report_test_record {
	const char *status, *error, *started, *board, *counter, *verified, *capacity, *model;
	const char *measurements;
};

static void report_test_add(struct report_table *table, const struct report_test_record *r,
			    int expected)
{
	char text[4096];

	snprintf(text, sizeof text, report_test_model_record, r->status ? r->status : "ok",
		 r->error ? r->error : "null", r->started ? r->started : "2026-01-01T00:00:00Z",
		 r->board, r->counter ? r->counter : "emulated-instructions",
		 r->verified ? r->verified : "emulated", r->capacity ? r->capacity : "",
		 r->model ? r->model : "kws", r->measurements ? r->measurements : "");
	cr_assert_eq(report_table_add_text(table, text, strlen(text), "r.json"), expected, "%s",
		     report_test_log);
}

static void report_test_measured(char *out, size_t capacity, const char *unit, const char *source,
				 const char *latency_us, const char *peak)
{
	snprintf(out, capacity, report_test_counts, unit, source, latency_us, peak);
}

Test(report_table, model_record_cells_keep_their_sources)
{
	struct report_table table = {0};
	char measurements[1024];
	const struct report_row *row;

	report_test_measured(measurements, sizeof measurements, "instructions", "emulated", "10100",
			     "20000");
	report_test_add(&table,
			&(struct report_test_record){
			    .board = "qemu-m4",
			    .capacity = ", \"flash_bytes\": 1048576, \"ram_bytes\": 131072",
			    .measurements = measurements},
			HB_OK);
	cr_assert_eq(table.count, 1);
	row = &table.rows[0];
	cr_expect_str_eq(row->board, "qemu-m4");
	cr_expect_str_eq(row->count_unit, "instructions");
	cr_expect_eq(report_row_cell(row, REPORT_COL_COUNT)->source, REPORT_SOURCE_EMULATED);
	cr_expect_eq(report_row_cell(row, REPORT_COL_COUNT)->value, 1010);
	cr_expect_eq(row->count_min, 1000);
	cr_expect_eq(row->count_max, 1020);
	cr_expect_eq(row->runs, 3);
	cr_expect_eq(row->count_resolution, 10);
	/* Latency is recorded in us and reported in ms. */
	cr_expect_float_eq(report_row_cell(row, REPORT_COL_LATENCY)->value, 10.1, 1e-9);
	cr_expect_eq(report_row_cell(row, REPORT_COL_LATENCY)->source, REPORT_SOURCE_DERIVED);
	cr_expect_float_eq(report_row_cell(row, REPORT_COL_PEAK_RAM_PCT)->value,
			   100.0 * 20000 / 131072, 1e-9);
	cr_expect_float_eq(report_row_cell(row, REPORT_COL_FLASH_PCT)->value, 6.25, 1e-9);
	cr_expect_eq(report_row_cell(row, REPORT_COL_ARENA)->value, 2048);
	/* Never measured here: absent, not 0. */
	cr_expect_null(report_row_cell(row, REPORT_COL_ENERGY));
	cr_expect_null(report_row_cell(row, REPORT_COL_ACCURACY));
	cr_expect_null(report_row_cell(row, REPORT_COL_DEPLOYMENT_RAM));
	report_table_release(&table);
}

Test(report_table, capacity_unknown_means_no_percentage)
{
	struct report_table table = {0};
	char measurements[1024];

	report_test_measured(measurements, sizeof measurements, "cycles", "measured", "10100",
			     "20000");
	report_test_add(
	    &table, &(struct report_test_record){.board = "nucleo", .measurements = measurements},
	    HB_OK);
	cr_expect_null(report_row_cell(&table.rows[0], REPORT_COL_PEAK_RAM_PCT));
	cr_expect_eq(report_row_cell(&table.rows[0], REPORT_COL_COUNT)->source,
		     REPORT_SOURCE_MEASURED);
	report_row_set_capacities(&table.rows[0], 0, 40000);
	cr_expect_float_eq(report_row_cell(&table.rows[0], REPORT_COL_PEAK_RAM_PCT)->value, 50.0,
			   1e-9);
	cr_expect_null(report_row_cell(&table.rows[0], REPORT_COL_FLASH_PCT));
	report_table_release(&table);
}

Test(report_table, error_record_is_a_row_without_counts)
{
	struct report_table table = {0};

	report_test_add(&table,
			&(struct report_test_record){
			    .board = "qemu-m3",
			    .status = "error",
			    .error = "{\"kind\": \"timeout\", \"message\": \"board 'qemu-m3' did "
				     "not answer\"}"},
			HB_OK);
	cr_assert_eq(table.count, 1);
	cr_expect_str_eq(table.rows[0].status, "error");
	cr_expect_str_eq(table.rows[0].error_kind, "timeout");
	cr_expect_null(report_row_cell(&table.rows[0], REPORT_COL_COUNT));
	cr_expect_null(report_row_cell(&table.rows[0], REPORT_COL_LATENCY));
	report_table_release(&table);
}

Test(report_table, suite_record_gives_a_row_per_variant_with_the_int8_drop)
{
	static const char text[] =
	    "{\"schema\": \"hilbench.suite-result/1\", \"status\": \"ok\","
	    " \"suite\": {\"name\": \"fmnist\"},"
	    " \"variants\": ["
	    "  {\"schema\": \"hilbench.result/1\", \"status\": \"ok\", \"variant\": \"float32\","
	    "   \"board\": {\"id\": \"qemu-m4\", \"verified\": \"emulated\"},"
	    "   \"model\": {\"name\": \"fmnist_float32\"},"
	    "   \"accuracy\": {\"metric\": \"top1\", \"value\": 0.9035, \"samples\": 2000}},"
	    "  {\"schema\": \"hilbench.result/1\", \"status\": \"ok\", \"variant\": \"int8\","
	    "   \"board\": {\"id\": \"qemu-m4\", \"verified\": \"emulated\"},"
	    "   \"model\": {\"name\": \"fmnist_int8\"},"
	    "   \"accuracy\": {\"metric\": \"top1\", \"value\": 0.9010, \"samples\": 2000}}],"
	    " \"comparisons\": [{\"reference\": \"float32\", \"test\": \"int8\","
	    "   \"top1_agreement\": 0.9965}]}";
	struct report_table table = {0};

	cr_assert_eq(report_table_add_text(&table, text, strlen(text), "s.json"), HB_OK, "%s",
		     report_test_log);
	cr_assert_eq(table.count, 2);
	cr_expect_str_eq(table.rows[0].suite, "fmnist");
	cr_expect_str_eq(table.rows[1].variant, "int8");
	cr_expect_eq(table.rows[1].accuracy_samples, 2000);
	cr_expect_float_eq(report_row_cell(&table.rows[1], REPORT_COL_INT8_DROP)->value, 0.25,
			   1e-9);
	cr_expect_float_eq(report_row_cell(&table.rows[1], REPORT_COL_AGREEMENT)->value, 0.9965,
			   1e-12);
	/* The reference has no drop against itself. */
	cr_expect_null(report_row_cell(&table.rows[0], REPORT_COL_INT8_DROP));
	report_table_release(&table);
}

Test(report_table, older_schema_is_refused_by_name)
{
	static const char text[] = "{\"schema\": \"hilbench.result/0\", \"board\": {}}";
	struct report_table table = {0};

	cr_expect_eq(report_table_add_text(&table, text, strlen(text), "old.json"), HB_ERR_INPUT);
	cr_expect_str_eq(report_test_log,
			 "old.json: field 'schema': expected \"hilbench.result/1\" or "
			 "\"hilbench.suite-result/1\", got \"hilbench.result/0\" (a record of "
			 "another hilbench version: run it again with this one)");
	cr_expect_eq(table.count, 0);
}

Test(report_table, foreign_json_and_garbage_are_refused)
{
	static const char *const texts[] = {"{\"name\": \"x\"}", "[1, 2]", "{\"schema\":", ""};
	struct report_table table = {0};

	for (size_t i = 0; i < 4; i++) {
		report_test_log[0] = '\0';
		cr_expect_eq(report_table_add_text(&table, texts[i], strlen(texts[i]), "f.json"),
			     HB_ERR_INPUT, "%s", texts[i]);
		cr_expect(strstr(report_test_log, "f.json: ") == report_test_log, "%s",
			  report_test_log);
	}
	cr_expect_eq(table.count, 0);
	report_table_release(&table);
}

Test(report_table, a_record_missing_its_board_names_the_field)
{
	static const char text[] =
	    "{\"schema\": \"hilbench.result/1\", \"model\": {\"name\": \"m\"}}";
	struct report_table table = {0};

	cr_expect_eq(report_table_add_text(&table, text, strlen(text), "b.json"), HB_ERR_INPUT);
	cr_expect_str_eq(report_test_log, "b.json: missing field 'board' (expected an object)");
	report_table_release(&table);
}

Test(report_table, a_figure_without_a_source_is_not_shown)
{
	struct report_table table = {0};

	report_test_add(
	    &table,
	    &(struct report_test_record){
		.board = "b", .measurements = "\"peak_ram\": {\"value\": 5, \"unit\": \"bytes\"}"},
	    HB_OK);
	cr_expect_null(report_row_cell(&table.rows[0], REPORT_COL_PEAK_RAM));
	report_table_release(&table);
}

Test(report_table, a_rerun_supersedes_the_older_record)
{
	struct report_table table = {0};

	report_test_add(
	    &table, &(struct report_test_record){.board = "b", .started = "2026-01-02T00:00:00Z"},
	    HB_OK);
	report_test_add(
	    &table, &(struct report_test_record){.board = "b", .started = "2026-01-01T00:00:00Z"},
	    HB_OK);
	report_test_add(
	    &table, &(struct report_test_record){.board = "a", .started = "2026-01-01T00:00:00Z"},
	    HB_OK);
	report_table_keep_latest(&table);
	report_table_sort(&table);
	cr_assert_eq(table.count, 2);
	cr_expect_str_eq(table.rows[0].board, "a");
	cr_expect_str_eq(table.rows[1].started_utc, "2026-01-02T00:00:00Z");
	report_table_release(&table);
}

Test(report_table, cell_text_says_the_unit)
{
	struct report_table table = {0};
	char measurements[1024], text[64];

	report_test_measured(measurements, sizeof measurements, "instructions", "emulated",
			     "1513923.2", "20438");
	report_test_add(&table,
			&(struct report_test_record){.board = "b", .measurements = measurements},
			HB_OK);
	report_cell_text(&table.rows[0], REPORT_COL_COUNT, text, sizeof text);
	cr_expect_str_eq(text, "1010 instr");
	report_cell_text(&table.rows[0], REPORT_COL_LATENCY, text, sizeof text);
	cr_expect_str_eq(text, "1514 ms");
	report_cell_text(&table.rows[0], REPORT_COL_PEAK_RAM, text, sizeof text);
	cr_expect_str_eq(text, "20.0 KiB");
	report_cell_text(&table.rows[0], REPORT_COL_ENERGY, text, sizeof text);
	cr_expect_str_eq(text, "-");
	report_table_release(&table);
}

/* ---- --require and --rank ---- */

Test(report_select, constraints_parse_with_units)
{
	struct report_requirements requirements;

	cr_assert_eq(report_require_parse("peak_ram_kb<=256, latency_ms < 100,int8_drop_pts<=1,"
					  "flash<=1MiB,latency<=2s,accuracy>=90%,energy<=1.5mJ",
					  &requirements),
		     HB_OK, "%s", report_test_log);
	cr_assert_eq(requirements.count, 7);
	cr_expect_eq(requirements.items[0].column, REPORT_COL_PEAK_RAM);
	cr_expect_eq(requirements.items[0].op, REPORT_OP_LE);
	cr_expect_eq(requirements.items[0].value, 256 * 1024);
	cr_expect_eq(requirements.items[1].column, REPORT_COL_LATENCY);
	cr_expect_eq(requirements.items[1].op, REPORT_OP_LT);
	cr_expect_eq(requirements.items[1].value, 100);
	cr_expect_eq(requirements.items[2].column, REPORT_COL_INT8_DROP);
	cr_expect_eq(requirements.items[3].value, 1048576);
	cr_expect_eq(requirements.items[4].value, 2000);
	cr_expect_float_eq(requirements.items[5].value, 0.9, 1e-12);
	cr_expect_eq(requirements.items[6].value, 1500);
	cr_expect_str_eq(requirements.items[1].text, "latency_ms < 100");
}

Test(report_select, bad_constraints_say_what_was_expected)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
	    {"speed<=3", "option '--require': unknown column 'speed' in 'speed<=3' (expected one "
			 "of count, latency,"},
	    {"latency~3", "option '--require': expected an operator (<=, <, >=, >, ==) after "
			  "'latency' in 'latency~3'"},
	    {"latency<=fast", "option '--require': expected a number in 'latency<=fast'"},
	    {"peak_ram<=3ms", "option '--require': unit 'ms' in 'peak_ram<=3ms' does not fit "
			      "column 'peak_ram' (expected B, KB, KiB, MB, MiB)"},
	    {"latency<=1,,flash<=2", "option '--require': expected COLUMN OP NUMBER[UNIT] "
				     "between commas, got an empty item"},
	    {"<=3", "option '--require': expected a column name at the start of '<=3'"},
	    {"latency<=nan", "option '--require': expected a number in 'latency<=nan'"},
	    {"latency<=3 ms x", "option '--require': unit 'ms' in 'latency<=3 ms x'"},
	};
	struct report_requirements requirements;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		report_test_log[0] = '\0';
		cr_expect_eq(report_require_parse(cases[i].text, &requirements), HB_ERR_USAGE, "%s",
			     cases[i].text);
		cr_expect(strncmp(report_test_log, cases[i].message, strlen(cases[i].message)) == 0,
			  "%s\n  got: %s", cases[i].text, report_test_log);
	}
}

static void report_test_three_boards(struct report_table *table)
{
	char fast[1024], slow[1024];

	report_test_measured(fast, sizeof fast, "cycles", "measured", "5000", "300000");
	report_test_measured(slow, sizeof slow, "cycles", "measured", "90000", "100000");
	report_test_add(
	    table, &(struct report_test_record){.board = "big-fast", .measurements = fast}, HB_OK);
	report_test_add(table,
			&(struct report_test_record){.board = "small-slow", .measurements = slow},
			HB_OK);
	report_test_add(table, &(struct report_test_record){.board = "dead", .status = "error"},
			HB_OK);
	report_test_measured(slow, sizeof slow, "cycles", "measured", "50000", "100000");
	report_test_add(
	    table, &(struct report_test_record){.board = "small-mid", .measurements = slow}, HB_OK);
}

Test(report_select, ranks_qualifying_rows_and_says_why_others_are_out)
{
	struct report_table table = {0};
	struct report_requirements requirements;
	struct report_selection selection;
	char why[160];

	report_test_three_boards(&table);
	cr_assert_eq(report_require_parse("peak_ram_kb<=256,latency_ms<=80", &requirements), HB_OK);
	cr_assert_eq(report_select(&table, &requirements, REPORT_COL_LATENCY, &selection), HB_OK);
	cr_assert_eq(selection.qualifying, 1);
	cr_expect_str_eq(table.rows[selection.verdicts[0].row].board, "small-mid");
	/* Then the excluded ones in table order, each with its first failure. */
	cr_expect_str_eq(table.rows[selection.verdicts[1].row].board, "big-fast");
	report_exclusion_text(&table, &selection, &selection.verdicts[1], why, sizeof why);
	cr_expect_str_eq(why, "peak_ram 293.0 KiB fails peak_ram_kb<=256");
	cr_expect_str_eq(table.rows[selection.verdicts[2].row].board, "small-slow");
	report_exclusion_text(&table, &selection, &selection.verdicts[2], why, sizeof why);
	cr_expect_str_eq(why, "latency 90.00 ms fails latency_ms<=80");
	report_exclusion_text(&table, &selection, &selection.verdicts[3], why, sizeof why);
	cr_expect_str_eq(why, "run error");
	report_selection_release(&selection);
	report_table_release(&table);
}

Test(report_select, without_requirements_ranks_everything_that_ran)
{
	struct report_table table = {0};
	struct report_selection selection;

	report_test_three_boards(&table);
	cr_assert_eq(report_select(&table, NULL, REPORT_COL_LATENCY, &selection), HB_OK);
	cr_expect_eq(selection.qualifying, 3);
	cr_expect_str_eq(table.rows[selection.verdicts[0].row].board, "big-fast");
	cr_expect_str_eq(table.rows[selection.verdicts[1].row].board, "small-mid");
	cr_expect_str_eq(table.rows[selection.verdicts[2].row].board, "small-slow");
	cr_expect_eq(selection.verdicts[3].exclusion, REPORT_NOT_OK);
	report_selection_release(&selection);
	report_table_release(&table);
}

Test(report_select, a_missing_figure_excludes_with_its_own_reason)
{
	struct report_table table = {0};
	struct report_requirements requirements;
	struct report_selection selection;
	char why[160];

	report_test_three_boards(&table);
	cr_assert_eq(report_require_parse("accuracy>=0.9", &requirements), HB_OK);
	cr_assert_eq(report_select(&table, &requirements, -1, &selection), HB_OK);
	cr_expect_eq(selection.qualifying, 0);
	report_exclusion_text(&table, &selection, &selection.verdicts[0], why, sizeof why);
	cr_expect_str_eq(why, "no accuracy figure for accuracy>=0.9");
	report_selection_release(&selection);
	report_table_release(&table);
}

/* A record of --protocol mlperf-tiny has no counts; its latency comes from
 * the board's own timestamps, in the protocol object, with their source. */
Test(report_table, a_protocol_latency_fills_the_latency_column)
{
	static const char record[] =
	    "{\"schema\": \"hilbench.result/1\", \"status\": \"ok\", \"error\": null,"
	    " \"board\": {\"id\": \"qemu-m4\", \"cycle_counter\": \"emulated-instructions\","
	    "  \"verified\": \"emulated\"},"
	    " \"model\": {\"name\": \"kws\", \"variant\": \"int8\", \"macs\": 1000},"
	    " \"measurements\": {},"
	    " \"protocol\": {\"name\": \"mlperf-tiny\", \"latency_per_inference\":"
	    "  {\"value\": 219453.3, \"unit\": \"us\", \"source\": \"emulated\"}}}";
	struct report_table table = {0};
	const struct report_cell *cell;

	cr_assert_eq(report_table_add_text(&table, record, strlen(record), "m.json"), HB_OK, "%s",
		     report_test_log);
	cr_assert_not_null(cell = report_row_cell(&table.rows[0], REPORT_COL_LATENCY));
	cr_expect_float_eq(cell->value, 219.4533, 1e-9);
	cr_expect_eq(cell->source, REPORT_SOURCE_EMULATED);
	cr_expect_null(report_row_cell(&table.rows[0], REPORT_COL_COUNT));
	report_table_release(&table);
}
