/* The run table: rows from a record, the count's unit and caveat decided by
 * the board's counter kind, and every RAM figure's parts adding up. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_image.h"
#include "report/run_table.h"

static const struct run_table_row *table_row(const struct run_table *table, const char *metric)
{
	for (size_t i = 0; i < table->count; i++)
		if (strcmp(table->rows[i].metric, metric) == 0)
			return &table->rows[i];
	return NULL;
}

static void table_for(enum profile_counter counter, struct board_profile *board,
		      struct loaded_model *model, struct run_result *result,
		      struct run_table *table)
{
	static uint64_t ticks[3] = {100, 110, 120};

	memset(board, 0, sizeof *board);
	memset(model, 0, sizeof *model);
	snprintf(board->id, sizeof board->id, "test-board");
	board->counter = counter;
	board->clock_hz = 100000000;
	model->variant = "int8";
	model->compiled.macs = 50;
	model->compiled.arena_size = 1000;
	model->compiled.input_bytes = 30; /* staged 4-byte aligned: 32 */
	model->compiled.output_dtype = MODEL_DTYPE_INT8;
	result_init(result, board, model, NULL);
	result->ticks = ticks;
	result->run_count = 3;
	result->have_sizes = true;
	result->sizes.static_ram = 500;
	result->sizes.harness_bss = 400;
	result->have_stack = true;
	result->stack_high_water = 200;
	run_table_build(result, table);
}

Test(run_table, emulated_counts_are_instructions_with_the_caveat)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	struct run_table table;
	const struct run_table_row *row;

	table_for(PROFILE_COUNTER_EMULATED_INSTRUCTIONS, &board, &model, &result, &table);
	cr_assert_not_null(table_row(&table, "instructions"));
	cr_assert_null(table_row(&table, "cycles"));
	cr_assert_not_null(row = table_row(&table, "latency (median)"));
	cr_assert(strstr(row->source, "assumes 1 instruction per cycle"), "%s", row->source);
	cr_assert_not_null(table_row(&table, "instructions/MAC"));
	cr_assert(strstr(table.note, "not cycles"), "%s", table.note);
}

Test(run_table, cycle_counts_carry_no_caveat)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	struct run_table table;
	const struct run_table_row *row;

	table_for(PROFILE_COUNTER_DWT, &board, &model, &result, &table);
	cr_assert_not_null(row = table_row(&table, "cycles"));
	cr_assert(strstr(row->source, "measured"), "%s", row->source);
	cr_assert_not_null(row = table_row(&table, "latency (median)"));
	cr_assert_null(strstr(row->source, "instruction"), "%s", row->source);
	cr_assert_not_null(table_row(&table, "cycles/MAC"));
	cr_assert_str_eq(table.note, "");
}

Test(run_table, peak_ram_counts_the_input_staging_and_deployment_leaves_out_the_harness)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	struct run_table table;

	table_for(PROFILE_COUNTER_DWT, &board, &model, &result, &table);
	cr_assert_eq(result_input_staging(&result), 32);
	cr_assert_eq(result_peak_ram(&result), 500 + 1000 + 32 + 200);
	cr_assert_eq(result_deployment_ram(&result), 100 + 1000 + 200);
	cr_assert_str_eq(table_row(&table, "input staging")->value, "32");
	cr_assert_str_eq(table_row(&table, "input staging")->unit, "B");
	cr_assert_str_eq(table_row(&table, "peak RAM")->value, "1732");
	cr_assert_str_eq(table_row(&table, "deployment RAM (est.)")->value, "1300");
}

/* Both writers show "value unit detail" in one cell, from the same rows. */
Test(run_table, writers_render_the_same_rows)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	struct run_table table;
	char *text = NULL, *markdown = NULL;
	size_t text_length = 0, markdown_length = 0;
	FILE *out;

	table_for(PROFILE_COUNTER_EMULATED_INSTRUCTIONS, &board, &model, &result, &table);
	result.status = "ok";
	out = open_memstream(&text, &text_length);
	run_table_write_text(out, &result, &table);
	fclose(out);
	out = open_memstream(&markdown, &markdown_length);
	run_table_write_markdown(out, &table);
	fclose(out);
	cr_assert(strstr(text, "0 B (planned 1000)"), "%s", text);
	cr_assert(strstr(markdown, "| arena used | 0 B (planned 1000) |"), "%s", markdown);
	cr_assert(strstr(text, "assumes 1 instruction per cycle"), "%s", text);
	cr_assert(strstr(markdown, "assumes 1 instruction per cycle"), "%s", markdown);
	cr_assert(strstr(markdown, "not cycles."), "%s", markdown);
	free(text);
	free(markdown);
}

/* The deployment figure counts the inference's own stack when the board
 * reported it, else the whole firmware's high-water, and says which. */
Test(run_table, deployment_ram_counts_the_inference_stack)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	struct run_table table;
	const struct run_table_row *row;

	table_for(PROFILE_COUNTER_DWT, &board, &model, &result, &table);
	cr_assert_null(table_row(&table, "inference stack"));
	cr_assert(strstr(table_row(&table, "deployment RAM (est.)")->source, "upper bound"));
	result.have_inference_stack = true;
	result.inference_stack = 72;
	run_table_build(&result, &table);
	cr_assert_eq(result_deployment_stack(&result), 72);
	cr_assert_eq(result_deployment_ram(&result), 100 + 1000 + 72);
	cr_assert_eq(result_peak_ram(&result), 500 + 1000 + 32 + 200, "peak keeps the high-water");
	cr_assert_not_null(row = table_row(&table, "inference stack"));
	cr_assert_str_eq(row->value, "72");
	row = table_row(&table, "deployment RAM (est.)");
	cr_assert_str_eq(row->value, "1172");
	cr_assert(strstr(row->source, "inference stack"), "%s", row->source);
}

/* The MLPerf Tiny protocol prints three decimals: its output check must not
 * claim the framed protocol's bit-exact comparison. */
Test(run_table, a_printing_protocol_is_checked_to_its_printed_decimals)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	struct run_table table;
	const struct run_table_row *row;

	table_for(PROFILE_COUNTER_EMULATED_INSTRUCTIONS, &board, &model, &result, &table);
	result.output_checked = true;
	run_table_build(&result, &table);
	cr_assert_not_null(row = table_row(&table, "output check"));
	cr_assert(strstr(row->source, "bit-exact"), "%s", row->source);

	result.protocol = "mlperf-tiny";
	result.max_abs_error = 0.0004;
	run_table_build(&result, &table);
	cr_assert_not_null(row = table_row(&table, "output check"));
	cr_assert_null(strstr(row->source, "bit-exact"), "%s", row->source);
	cr_assert(strstr(row->source, "printed decimals"), "%s", row->source);
	cr_assert_str_eq(row->value, "within print precision");
}
