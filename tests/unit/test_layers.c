/*
 * The per-layer profile on the host: the ops' order by cost, the record's
 * layers[] and layer_profile (counts in the counter's unit, shares of the
 * ops' sum, the read cost and overhead; nothing when the board gave no
 * profile), the run table's top layers, the report's reading of a record's
 * layers and the HTML chart (drawn for a record with layers, not for one
 * without, its text escaped).
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_image.h"
#include "report/html_layers.h"
#include "report/report_select.h"
#include "report/report_table.h"
#include "report/report_writer.h"
#include "report/run_table.h"
#include "run/layer_profile.h"
#include "run/result.h"
#include "util/error.h"

/* Four ops; op 2 the costliest (compiled from .tflite operator 3), op 3
 * reported without a known path; ops 0, 1 and 3 without a known operator. */
static struct layer_figure layers_test_figures[4] = {
    {MODEL_OP_CONV2D_S8, MSG_KERNEL_PATH_FAST_DSP, 1000, 3003, 3000, -1, 0},
    {MODEL_OP_AVG_POOL2D_S8, MSG_KERNEL_PATH_PORTABLE, 0, 103, 100, -1, 0},
    {MODEL_OP_FULLY_CONNECTED_S8, MSG_KERNEL_PATH_FAST_DSP, 2000, 6003, 6000, 3,
     TFLITE_OP_FULLY_CONNECTED},
    {MODEL_OP_SOFTMAX_S8, MSG_KERNEL_PATH_UNKNOWN, 0, 2, 0, -1, 0},
};

static uint64_t layers_test_ticks[3] = {9090, 9100, 9110};

static void layers_test_result(struct board_profile *board, struct loaded_model *model,
			       struct run_result *result, bool with_layers)
{
	memset(board, 0, sizeof *board);
	memset(model, 0, sizeof *model);
	snprintf(board->id, sizeof board->id, "test-board");
	board->counter = PROFILE_COUNTER_EMULATED_INSTRUCTIONS;
	board->clock_hz = 25000000;
	snprintf(model->name, sizeof model->name, "m");
	snprintf(model->path, sizeof model->path, "m.tflite");
	model->variant = "int8";
	model->compiled.macs = 3000;
	model->compiled.output_dtype = MODEL_DTYPE_INT8;
	result_init(result, board, model, NULL);
	result->ticks = layers_test_ticks;
	result->run_count = 3;
	result->have_hello = true;
	result->hello.counter_scale_q16 = 40u << 16; /* 40 instructions per tick */
	if (!with_layers)
		return;
	result->layers.present = true;
	result->layers.count = 4;
	result->layers.layers = layers_test_figures;
	result->layers.read_cost_ticks = 3;
	result->layers.profiled_ticks = 9108;
}

Test(layers, top_orders_by_cost_and_keeps_ties_in_op_order)
{
	struct layer_figure figures[5] = {
	    {.ticks = 5}, {.ticks = 9}, {.ticks = 5}, {.ticks = 1}, {.ticks = 9}};
	struct layer_profile profile = {.present = true, .count = 5, .layers = figures};
	uint32_t order[3];

	cr_assert_eq(layer_profile_top(&profile, order, 3), 3);
	cr_expect_eq(order[0], 1);
	cr_expect_eq(order[1], 4);
	cr_expect_eq(order[2], 0);
	cr_expect_eq(layer_profile_sum(&profile), 29);
	cr_assert_eq(layer_profile_top(&profile, order, 1), 1);
	cr_expect_eq(order[0], 1);
	profile.count = 0;
	cr_expect_eq(layer_profile_top(&profile, order, 3), 0);
}

static const cJSON *layers_test_item(const cJSON *object, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
	cr_assert_not_null(item, "no '%s'", key);
	return item;
}

static double layers_test_number(const cJSON *object, const char *key)
{
	const cJSON *item = layers_test_item(object, key);
	cr_assert(cJSON_IsNumber(item), "'%s' is not a number", key);
	return item->valuedouble;
}

Test(layers, record_holds_each_op_in_the_counters_unit_with_shares_of_the_sum)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	cJSON *root, *layers, *summary;
	const cJSON *measurements, *op;
	double shares = 0;

	layers_test_result(&board, &model, &result, true);
	root = result_to_json(&result);
	measurements = layers_test_item(root, "measurements");
	layers = cJSON_GetObjectItemCaseSensitive(measurements, "layers");
	cr_assert(cJSON_IsArray(layers));
	cr_assert_eq(cJSON_GetArraySize(layers), 4);
	op = cJSON_GetArrayItem(layers, 0);
	cr_expect_eq(layers_test_number(op, "index"), 0);
	cr_expect_str_eq(layers_test_item(op, "op")->valuestring, "conv2d_s8");
	cr_expect_str_eq(layers_test_item(op, "path")->valuestring, "fast-dsp");
	cr_expect_eq(layers_test_number(op, "macs"), 1000);
	cr_expect_eq(layers_test_number(op, "count"), 3000 * 40);
	cr_expect_eq(layers_test_number(op, "raw_count"), 3003 * 40);
	cr_expect_float_eq(layers_test_number(op, "count_per_mac"), 120.0, 1e-9);
	cr_expect_float_eq(layers_test_number(op, "share"), 3000.0 / 9100.0, 1e-12);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(op, "tflite_index"));
	op = cJSON_GetArrayItem(layers, 2);
	cr_expect_eq(layers_test_number(op, "tflite_index"), 3);
	cr_expect_str_eq(layers_test_item(op, "operator")->valuestring, "FULLY_CONNECTED");
	/* No MACs: no count per MAC, rather than a 0 or an infinity. */
	op = cJSON_GetArrayItem(layers, 1);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(op, "count_per_mac"));
	/* An unknown path is absent, not guessed. */
	op = cJSON_GetArrayItem(layers, 3);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(op, "path"));
	cr_expect_eq(layers_test_number(op, "count"), 0);
	cJSON_ArrayForEach(op, layers) shares += layers_test_number(op, "share");
	cr_expect_float_eq(shares, 1.0, 1e-12);

	summary = cJSON_GetObjectItemCaseSensitive(measurements, "layer_profile");
	cr_assert_not_null(summary);
	cr_expect_str_eq(layers_test_item(summary, "unit")->valuestring, "instructions");
	cr_expect_str_eq(layers_test_item(summary, "source")->valuestring, "emulated");
	cr_expect_eq(layers_test_number(layers_test_item(summary, "read_cost"), "value"), 120);
	cr_expect_eq(layers_test_number(summary, "profiled_total"), 9108 * 40);
	cr_expect_eq(layers_test_number(summary, "unprofiled_total"), 9100 * 40);
	cr_expect_eq(layers_test_number(summary, "ops_sum"), 9100 * 40);
	cr_expect_eq(layers_test_number(summary, "overhead"), 8 * 40);
	cr_expect_float_eq(layers_test_number(summary, "overhead_share"), 8.0 / 9100.0, 1e-12);
	cJSON_Delete(root);
}

Test(layers, record_without_a_profile_has_no_layers)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	cJSON *root;
	const cJSON *measurements;

	layers_test_result(&board, &model, &result, false);
	root = result_to_json(&result);
	measurements = layers_test_item(root, "measurements");
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(measurements, "layers"));
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(measurements, "layer_profile"));
	cJSON_Delete(root);
}

Test(layers, run_table_shows_the_costliest_layers_first)
{
	struct board_profile board;
	struct loaded_model model;
	struct run_result result;
	struct run_table table;

	layers_test_result(&board, &model, &result, true);
	run_table_build(&result, &table);
	cr_assert_eq(table.layer_count, 4);
	cr_expect_str_eq(table.layers[0].index, "2");
	cr_expect_str_eq(table.layers[0].op, "fully_connected_s8");
	cr_expect_str_eq(table.layers[0].tflite, "3");
	cr_expect_str_eq(table.layers[1].tflite, "-");
	cr_expect_str_eq(table.layers[0].count, "240000");
	cr_expect_str_eq(table.layers[0].per_mac, "120.000");
	cr_expect_str_eq(table.layers[0].share, "65.9%");
	cr_expect_str_eq(table.layers[1].index, "0");
	cr_expect_str_eq(table.layers[2].per_mac, "-");
	cr_expect_str_eq(table.layers[3].path, "-");
	cr_expect(strstr(table.layers_title, "instructions (emulated"), "%s", table.layers_title);
	cr_expect(strstr(table.layers_title, "120 instructions of counter read"), "%s",
		  table.layers_title);
	cr_expect(strstr(table.layers_note, "364320 instructions"), "%s", table.layers_note);

	layers_test_result(&board, &model, &result, false);
	run_table_build(&result, &table);
	cr_expect_eq(table.layer_count, 0);
}

/* A model record with `layers` in its measurements (docs/results.md). */
static void layers_test_record(struct report_table *table, const char *model, const char *layers)
{
	char text[4096];

	snprintf(text, sizeof text,
		 "{\"schema\": \"hilbench.result/1\", \"status\": \"ok\", \"error\": null,"
		 " \"started_utc\": \"2026-01-01T00:00:00Z\","
		 " \"board\": {\"id\": \"qemu-m4\", \"name\": \"B\", \"core\": \"cortex-m4\","
		 "  \"clock_hz\": 25000000, \"cycle_counter\": \"emulated-instructions\","
		 "  \"verified\": \"emulated\"},"
		 " \"model\": {\"name\": \"%s\", \"variant\": \"int8\", \"macs\": 3000},"
		 " \"measurements\": {\"count_per_inference\": {\"runs\": [364000], \"unit\": "
		 "\"instructions\", \"source\": \"emulated\", \"median\": 364000}%s}}",
		 model, layers);
	cr_assert_eq(report_table_add_text(table, text, strlen(text), "r.json"), HB_OK, "%s",
		     hb_last_error());
}

static const char layers_test_json[] =
    ", \"layers\": ["
    "{\"index\": 0, \"op\": \"conv2d_s8\", \"path\": \"fast-dsp\", \"macs\": 1000,"
    " \"count\": 120000, \"count_per_mac\": 120, \"share\": 0.33},"
    "{\"index\": 1, \"op\": \"<b>x</b>\", \"macs\": 0, \"count\": 4000, \"share\": 0.01},"
    "{\"index\": 2, \"op\": \"fully_connected_s8\", \"count\": 240000, \"share\": 0.66},"
    "{\"index\": 3, \"op\": \"broken\", \"share\": 0.5}],"
    " \"layer_profile\": {\"unit\": \"instructions\", \"source\": \"emulated\","
    " \"overhead_share\": 0.0009}";

static char *layers_test_html(const struct report_table *table, int *figure)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	cr_assert_not_null(out);
	html_layers_write(out, table, figure);
	fclose(out);
	return text;
}

Test(layers, report_reads_the_usable_layers_most_costly_first)
{
	struct report_table table = {0};
	const struct report_layers *layers;

	layers_test_record(&table, "kws", layers_test_json);
	layers = &table.rows[0].layers;
	cr_assert_eq(layers->count, 3, "the entry without a count is left out");
	cr_expect_eq(layers->total, 3);
	cr_expect_eq(layers->kept[0].index, 2);
	cr_expect_eq(layers->kept[1].index, 0);
	cr_expect(layers->kept[1].has_per_mac);
	cr_expect_not(layers->kept[2].has_per_mac);
	cr_expect_str_eq(layers->kept[0].path, "");
	cr_expect_str_eq(layers->unit, "instructions");
	cr_expect(layers->has_overhead);
	report_table_release(&table);
}

Test(layers, html_draws_a_chart_for_a_record_with_layers_only)
{
	struct report_table table = {0};
	int figure = 4;
	char *html;

	layers_test_record(&table, "plain", "");
	html = layers_test_html(&table, &figure);
	cr_expect_str_eq(html, "", "no figure without a profile: %s", html);
	cr_expect_eq(figure, 4);
	free(html);

	layers_test_record(&table, "kws", layers_test_json);
	html = layers_test_html(&table, &figure);
	cr_expect_eq(figure, 5);
	cr_expect(strstr(html, "Figure 5. Per-layer profile"), "%s", html);
	/* One chart: the record with layers; none for the other. */
	cr_expect(strstr(html, "<svg"), "%s", html);
	cr_expect_null(strstr(strstr(html, "<svg") + 1, "<svg"), "%s", html);
	cr_expect_null(strstr(html, "plain"), "%s", html);
	cr_expect(strstr(html, "kws (int8) on qemu-m4: top 3 of 3 layers by instructions"), "%s",
		  html);
	cr_expect(strstr(html, "layers by instructions (emulated). Source: measurements.layers"),
		  "the chart's title names its source: %s", html);
	cr_expect(strstr(html, "op 2 fully_connected_s8"), "%s", html);
	cr_expect(strstr(html, "op 0 conv2d_s8 (fast-dsp)"), "%s", html);
	cr_expect(strstr(html, "66.0%: 240k"), "%s", html);
	cr_expect(strstr(html, "120.00/MAC"), "%s", html);
	/* Names from a record never become markup. */
	cr_expect_null(strstr(html, "<b>x"), "%s", html);
	cr_expect(strstr(html, "&lt;b&gt;x&lt;/b&gt;"), "%s", html);
	free(html);
	report_table_release(&table);
}

/* The writer's page: the figure follows the others, numbered in turn. */
static char *layers_test_page(struct report_table *table)
{
	struct report_selection selection;
	struct report_view view = {table, &selection, "t", "2026-01-02T03:04:05Z", NULL};
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	cr_assert_not_null(out);
	cr_assert_eq(report_select(table, NULL, -1, &selection), HB_OK);
	cr_assert_eq(report_writer_html.write(out, &view), HB_OK, "%s", hb_last_error());
	fclose(out);
	report_selection_release(&selection);
	return text;
}

Test(layers, html_page_has_the_figure_only_with_layers)
{
	struct report_table table = {0};
	char *page;

	layers_test_record(&table, "plain", "");
	page = layers_test_page(&table);
	cr_expect_null(strstr(page, "fig-layers"), "a figure without any profile");
	free(page);
	layers_test_record(&table, "kws", layers_test_json);
	page = layers_test_page(&table);
	cr_expect(strstr(page, "<figure id=\"fig-layers\">"), "no per-layer figure");
	cr_expect(strstr(page, "Per-layer profile"));
	/* Inside the figures section, before the full table. */
	cr_expect(strstr(page, "<section id=\"figures\">") < strstr(page, "fig-layers") &&
		      strstr(page, "fig-layers") < strstr(page, "<section id=\"table\">"),
		  "the figure is not among the figures");
	free(page);
	report_table_release(&table);
}
