/*
 * The HTML report: hostile names from records escaped, nothing fetched,
 * the charts drawn with each figure's source in its title, absent figures
 * shown as no data (never a bar at 0), boards with their verified level,
 * capacities only where a record gives them, and the selection's reasons.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_select.h"
#include "report/report_writer.h"
#include "util/error.h"

static char html_test_log[2048];

static void html_test_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(html_test_log, sizeof html_test_log, "%s", message);
}

static void html_test_setup(void)
{
	html_test_log[0] = '\0';
	hb_log_set_sink(html_test_sink, NULL);
}

static void html_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

TestSuite(report_html, .init = html_test_setup, .fini = html_test_teardown);

/* A model record as hilbench run writes it (docs/results.md), trimmed. */
static const char html_test_model_record[] =
    "{\"schema\": \"hilbench.result/1\", \"status\": \"%s\", \"error\": null,"
    " \"started_utc\": \"2026-01-01T00:00:00Z\","
    " \"board\": {\"id\": \"%s\", \"name\": \"%s\", \"core\": \"cortex-m4\","
    "  \"clock_hz\": 100000000, \"cycle_counter\": \"%s\", \"verified\": \"%s\"%s},"
    " \"model\": {\"name\": \"%s\", \"variant\": \"int8\", \"macs\": 1000,"
    "  \"arena_planned\": 2048},"
    " \"measurements\": {%s}}";

/* Counts in `unit` from `source`, a latency (us) and RAM and flash. */
static const char html_test_figures[] =
    "\"count_per_inference\": {\"runs\": [1000, 1010], \"unit\": \"%s\", \"source\": \"%s\","
    " \"min\": 1000, \"median\": 1010, \"max\": 1020},"
    " \"latency\": {\"unit\": \"us\", \"source\": \"derived\", \"median\": %s},"
    " \"peak_ram\": {\"value\": 20480, \"unit\": \"bytes\", \"source\": \"derived\"},"
    " \"flash\": {\"value\": 65536, \"unit\": \"bytes\", \"source\": \"derived\"}";

#define HTML_TEST_EMULATED "instructions", "emulated"
#define HTML_TEST_MEASURED "cycles", "measured"
#define HTML_TEST_CAPACITY ", \"ram_bytes\": 262144, \"flash_bytes\": 1048576"

struct html_test_record {
	const char *board, *name, *counter, *verified, *capacity, *model, *measurements;
};

static void html_test_add(struct report_table *table, const struct html_test_record *r)
{
	char text[4096];

	snprintf(text, sizeof text, html_test_model_record, "ok", r->board,
		 r->name ? r->name : "Board", r->counter ? r->counter : "emulated-instructions",
		 r->verified ? r->verified : "emulated", r->capacity ? r->capacity : "",
		 r->model ? r->model : "kws", r->measurements ? r->measurements : "");
	cr_assert_eq(report_table_add_text(table, text, strlen(text), "r.json"), HB_OK, "%s",
		     html_test_log);
}

static void html_test_figures_text(char *out, size_t capacity, const char *unit, const char *source,
				   const char *latency_us)
{
	snprintf(out, capacity, html_test_figures, unit, source, latency_us);
}

/* A suite record: float32 (with its latency, us) and int8 variants and
 * their comparison. */
static void html_test_add_suite_at(struct report_table *table, const char *board,
				   const char *latency_us, const char *float_accuracy,
				   const char *int8_accuracy)
{
	char figures[1024], text[8192];

	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, latency_us);
	snprintf(text, sizeof text,
		 "{\"schema\": \"hilbench.suite-result/1\", \"status\": \"ok\","
		 " \"suite\": {\"name\": \"fmnist\"}, \"variants\": ["
		 "{\"status\": \"ok\", \"variant\": \"float32\", \"board\": {\"id\": \"%s\","
		 " \"verified\": \"emulated\", \"clock_hz\": 25000000},"
		 " \"model\": {\"name\": \"fmnist_float32\"}, \"measurements\": {%s},"
		 " \"accuracy\": {\"metric\": \"top1\", \"value\": %s, \"samples\": 200}},"
		 "{\"status\": \"ok\", \"variant\": \"int8\", \"board\": {\"id\": \"%s\","
		 " \"verified\": \"emulated\", \"clock_hz\": 25000000},"
		 " \"model\": {\"name\": \"fmnist_int8\"}, \"measurements\": {},"
		 " \"accuracy\": {\"metric\": \"top1\", \"value\": %s, \"samples\": 200}}],"
		 " \"comparisons\": [{\"reference\": \"float32\", \"test\": \"int8\","
		 " \"top1_agreement\": 0.98}]}",
		 board, figures, float_accuracy, board, int8_accuracy);
	cr_assert_eq(report_table_add_text(table, text, strlen(text), "suite.json"), HB_OK, "%s",
		     html_test_log);
}

/* The same at 40 ms. */
static void html_test_add_suite(struct report_table *table, const char *board,
				const char *float_accuracy, const char *int8_accuracy)
{
	html_test_add_suite_at(table, board, "40000", float_accuracy, int8_accuracy);
}

/* The page for a table, in table order (or as `requirements` select). */
static char *html_test_render(struct report_table *table, const char *requirements_text)
{
	struct report_requirements requirements;
	struct report_selection selection;
	struct report_view view = {table, &selection, "Test <report>", "2026-01-02T03:04:05Z",
				   requirements_text};
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	cr_assert_not_null(out);
	if (requirements_text)
		cr_assert_eq(report_require_parse(requirements_text, &requirements), HB_OK);
	cr_assert_eq(report_select(table, requirements_text ? &requirements : NULL,
				   requirements_text ? REPORT_COL_LATENCY : -1, &selection),
		     HB_OK, "%s", html_test_log);
	cr_assert_eq(report_writer_html.write(out, &view), HB_OK, "%s", html_test_log);
	fclose(out);
	report_selection_release(&selection);
	return text;
}

static size_t html_test_count(const char *text, const char *needle)
{
	size_t count = 0;

	for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle))
		count++;
	return count;
}

/* The text of the element that starts at the first `open` after `from`. */
static void html_test_element(const char *from, const char *open, const char *close, char *out,
			      size_t capacity)
{
	const char *start = strstr(from, open), *end;

	cr_assert_not_null(start, "no %s in the page", open);
	end = strstr(start, close);
	cr_assert_not_null(end, "%s never closed", open);
	snprintf(out, capacity, "%.*s", (int)(end - start), start);
}

/* Every & in the page starts one of the entities the writer emits: none
 * was cut in half where a long name was shortened. */
static void html_test_expect_entities(const char *html)
{
	static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};

	for (const char *at = strchr(html, '&'); at; at = strchr(at + 1, '&')) {
		bool known = false;
		for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
			known |= !strncmp(at, entities[i], strlen(entities[i]));
		cr_expect(known, "a broken entity: %.20s", at);
	}
}

Test(report_html, writer_is_found_by_its_name_and_extension)
{
	cr_expect_str_eq(report_writer_html.name, "html");
	cr_expect_str_eq(report_writer_html.extension, ".html");
}

Test(report_html, hostile_names_are_escaped_everywhere)
{
	struct report_table table = {0};
	char figures[1024], *html;

	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, "5000");
	html_test_add(&table, &(struct html_test_record){
				  .board = "<script>alert(1)</script>",
				  .name = "R&D \\\"lab\\\" board's <b>",
				  .model = "m<img src=x onerror=alert(2)>&\\\"'",
				  .measurements = figures,
			      });
	html_test_add_suite(&table, "<script>evil()</script>", "0.9", "0.8");
	html = html_test_render(&table, NULL);
	cr_expect_null(strstr(html, "<script"), "a record's name became a script");
	cr_expect_null(strstr(html, "<img"), "a record's name became an element");
	cr_expect_null(strstr(html, "board's <b>"), "a record's name became markup");
	cr_expect(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_expect(strstr(html, "R&amp;D &quot;lab&quot; board&#39;s &lt;b&gt;"));
	cr_expect(strstr(html, "m&lt;img src=x onerror=alert(2)&gt;&amp;&quot;&#39;"));
	/* The view's title is the user's, escaped too. */
	cr_expect(strstr(html, "<title>Test &lt;report&gt;</title>"));
	html_test_expect_entities(html);
	free(html);
	report_table_release(&table);
}

Test(report_html, long_names_are_cut_in_charts_but_whole_in_the_table)
{
	struct report_table table = {0};
	char figures[1024], model[96], *html;

	/* 40 letters, then ampersands where the chart's label is cut. */
	snprintf(model, sizeof model, "%s&&&&&&&&&&&&&&&&&&&&",
		 "abcdefghijklmnopqrstuvwxyzabcdefghijklmn");
	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, "5000");
	html_test_add(&table, &(struct html_test_record){
				  .board = "b1", .model = model, .measurements = figures});
	html = html_test_render(&table, NULL);
	/* The name is cut, after whole entities; the variant after it stays. */
	cr_expect(strstr(html, ">abcdefghijklmnopqrstuvwxyzabcdefghijklmn&amp;&amp;... (int8)<"),
		  "the chart label");
	cr_expect(strstr(html,
			 "<td>abcdefghijklmnopqrstuvwxyzabcdefghijklmn&amp;&amp;&amp;&amp;&amp;"
			 "&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;"
			 "&amp;<span"),
		  "the table keeps the whole name");
	html_test_expect_entities(html);
	free(html);
	report_table_release(&table);
}

Test(report_html, a_failed_run_is_marked_and_its_error_escaped)
{
	static const char record[] =
	    "{\"schema\": \"hilbench.result/1\", \"status\": \"error\","
	    " \"error\": {\"kind\": \"timeout\", \"message\": \"board <b1> did not answer\"},"
	    " \"board\": {\"id\": \"b1\", \"verified\": \"emulated\"},"
	    " \"model\": {\"name\": \"kws\", \"variant\": \"int8\"}, \"measurements\": {}}";
	struct report_table table = {0};
	char *html;

	cr_assert_eq(report_table_add_text(&table, record, strlen(record), "dead.json"), HB_OK,
		     "%s", html_test_log);
	html = html_test_render(&table, NULL);
	cr_expect(strstr(html, "kws (int8) [run not ok]"), "the chart's label");
	cr_expect(strstr(html, "<td class=\"error\" title=\"record: dead.json\">error: timeout "
			       "board &lt;b1&gt; did not answer</td>"));
	cr_expect(strstr(html, "no data: the record has no latency"));
	/* The record gives no clock, RAM or flash: said so, not shown as 0. */
	cr_expect(strstr(html,
			 "<td class=\"num\">not recorded</td><td></td><td><span "
			 "class=\"level level-emulated\">emulated</span></td><td "
			 "class=\"num\">not recorded</td><td class=\"num\">not recorded</td>"));
	cr_expect_null(strstr(html, "0.0 MHz"));
	html_test_expect_entities(html);
	free(html);
	report_table_release(&table);
}

Test(report_html, page_is_self_contained)
{
	struct report_table table = {0};
	char figures[1024], *html;

	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, "5000");
	html_test_add(&table, &(struct html_test_record){.board = "b1", .measurements = figures});
	html_test_add_suite(&table, "b1", "0.9", "0.8");
	html = html_test_render(&table, NULL);
	cr_expect(!strncmp(html, "<!DOCTYPE html>", 15));
	cr_expect(strstr(html, "Content-Security-Policy\" content=\"default-src 'none'"));
	cr_expect_null(strstr(html, "http:"));
	cr_expect_null(strstr(html, "https:"));
	cr_expect_null(strstr(html, "<script"));
	cr_expect_null(strstr(html, "<link"));
	cr_expect_null(strstr(html, "@import"));
	cr_expect_null(strstr(html, " src="));
	/* Patterns are the only url() references, and they point into the page. */
	cr_expect_eq(html_test_count(html, "url("), html_test_count(html, "url(#"));
	cr_expect(strstr(html, "<style>"));
	cr_expect(strstr(html, "@media print"));
	cr_expect(strstr(html, "</html>\n"));
	free(html);
	report_table_release(&table);
}

Test(report_html, every_chart_has_a_title_naming_its_source)
{
	struct report_table table = {0};
	char figures[1024], title[4096], *html;
	const char *at;
	size_t charts = 0;

	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, "5000");
	html_test_add(&table, &(struct html_test_record){.board = "b1", .measurements = figures});
	html_test_add_suite(&table, "b1", "0.9", "0.8");
	html = html_test_render(&table, NULL);
	for (at = strstr(html, "<svg"); at; at = strstr(at + 1, "<svg")) {
		html_test_element(at, "<title", "</title>", title, sizeof title);
		cr_expect(strstr(title, "Source: "), "chart title without a source: %s", title);
		charts++;
	}
	/* Latency, memory, accuracy and the latency/accuracy Pareto view. */
	cr_expect_eq(charts, 4, "%zu charts", charts);
	cr_expect_eq(html_test_count(html, "<svg"), html_test_count(html, "</svg>"));
	cr_expect(strstr(html, "id=\"fig-latency\""));
	cr_expect(strstr(html, "id=\"fig-memory\""));
	cr_expect(strstr(html, "id=\"fig-accuracy\""));
	cr_expect(strstr(html, "id=\"fig-pareto-latency\""));
	cr_expect_null(strstr(html, "fig-pareto-energy"), "energy view without energy figures");
	free(html);
	report_table_release(&table);
}

Test(report_html, latency_says_whether_it_comes_from_emulated_instructions_or_cycles)
{
	struct report_table table = {0};
	char emulated[1024], measured[1024], title[2048], *html;

	html_test_figures_text(emulated, sizeof emulated, HTML_TEST_EMULATED, "5000");
	html_test_figures_text(measured, sizeof measured, HTML_TEST_MEASURED, "4000");
	html_test_add(&table,
		      &(struct html_test_record){.board = "qemu", .measurements = emulated});
	html_test_add(&table, &(struct html_test_record){.board = "nucleo",
							 .counter = "dwt",
							 .verified = "hardware",
							 .measurements = measured});
	html = html_test_render(&table, NULL);
	html_test_element(strstr(html, "id=\"fig-latency\""), "<title", "</title>", title,
			  sizeof title);
	cr_expect(strstr(title, "derived from emulated instruction counts, assumes 1 instruction "
				"per cycle"),
		  "%s", title);
	cr_expect(strstr(title, "derived from measured cycles"), "%s", title);
	/* Each bar carries its own origin; the emulated one is hatched, unlike the measured. */
	cr_expect(strstr(html, "5.00 ms: derived from emulated instruction counts"));
	cr_expect(strstr(html, "4.00 ms: derived from measured cycles"));
	cr_expect(strstr(html, "fill=\"url(#fig-latency-hatch)\" stroke"));
	free(html);
	report_table_release(&table);
}

Test(report_html, absent_figures_are_no_data_never_zero)
{
	struct report_table table = {0};
	char latency[16384], memory[16384], *html;

	/* A run that stopped before its first batch: sizes but no counts. */
	html_test_add(&table,
		      &(struct html_test_record){
			  .board = "b1",
			  .capacity = HTML_TEST_CAPACITY,
			  .measurements = "\"flash\": {\"value\": 65536, \"unit\": \"bytes\","
					  " \"source\": \"derived\"}",
		      });
	html = html_test_render(&table, NULL);
	html_test_element(strstr(html, "id=\"fig-latency\""), "<svg", "</svg>", latency,
			  sizeof latency);
	cr_expect(strstr(latency, "no data: the record has no latency"), "%s", latency);
	cr_expect_null(strstr(latency, "<rect x=\"400\""), "a bar for an absent latency");
	html_test_element(strstr(html, "id=\"fig-memory\""), "<svg", "</svg>", memory,
			  sizeof memory);
	cr_expect(strstr(memory, "no data: the record has no peak RAM figure"), "%s", memory);
	cr_expect(strstr(memory, "64.0 KiB of 1.00 MiB (6.2%)"), "%s", memory);
	/* Nothing is written as a zero figure; the table says "no data" for each gap. */
	cr_expect_null(strstr(html, "0.00 ms"));
	cr_expect_null(strstr(html, ">0.0 KiB"));
	cr_expect_eq(html_test_count(html, "<td class=\"absent\" title=\"not in the record\">no "
					   "data</td>"),
		     REPORT_COLUMN_COUNT - 3, "flash, flash %% and arena are the only figures");
	cr_expect(strstr(html, "no data: no row has both a latency and an accuracy figure"));
	free(html);
	report_table_release(&table);
}

Test(report_html, memory_bars_only_where_the_record_gives_a_capacity)
{
	struct report_table table = {0};
	char figures[1024], memory[16384], *html;

	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, "5000");
	html_test_add(&table, &(struct html_test_record){.board = "sized",
							 .capacity = HTML_TEST_CAPACITY,
							 .measurements = figures});
	html_test_add(&table,
		      &(struct html_test_record){.board = "unsized", .measurements = figures});
	html = html_test_render(&table, NULL);
	html_test_element(strstr(html, "id=\"fig-memory\""), "<svg", "</svg>", memory,
			  sizeof memory);
	cr_expect(strstr(memory, "20.0 KiB of 256.0 KiB (7.8%)"), "%s", memory);
	cr_expect(strstr(memory, "64.0 KiB of 1.00 MiB (6.2%)"), "%s", memory);
	cr_expect(
	    strstr(memory, "20.0 KiB; no bar: the record does not give the board&#39;s RAM size"),
	    "%s", memory);
	cr_expect(
	    strstr(memory, "64.0 KiB; no bar: the record does not give the board&#39;s flash size"),
	    "%s", memory);
	cr_expect_eq(html_test_count(memory, "<rect x=\"400\""), 2,
		     "bars for the sized board only");
	free(html);
	report_table_release(&table);
}

Test(report_html, boards_show_their_verified_level)
{
	struct report_table table = {0};
	char figures[1024], *html;

	html_test_figures_text(figures, sizeof figures, HTML_TEST_MEASURED, "4000");
	html_test_add(&table, &(struct html_test_record){
				  .board = "hw", .verified = "hardware", .measurements = figures});
	html_test_add(&table, &(struct html_test_record){.board = "emu", .measurements = figures});
	html_test_add(&table, &(struct html_test_record){.board = "cc",
							 .verified = "compile-only",
							 .measurements = figures});
	html_test_add(&table, &(struct html_test_record){.board = "odd",
							 .verified = "x\\\" onclick=\\\"y",
							 .measurements = figures});
	html = html_test_render(&table, NULL);
	cr_expect(strstr(html, "<span class=\"level level-hardware\">hardware</span>"));
	cr_expect(strstr(html, "<span class=\"level level-emulated\">emulated</span>"));
	cr_expect(strstr(html, "<span class=\"level level-compile-only\">compile-only</span>"));
	/* An unknown level is shown, escaped, but never becomes a class name. */
	cr_expect(strstr(html, "level-unknown\">x&quot; onclick=&quot;y</span>"));
	cr_expect(strstr(html, "hw, Board (verified: hardware)"), "the chart's board heading");
	cr_expect(strstr(html, "cc, Board (verified: compile-only)"));
	free(html);
	report_table_release(&table);
}

Test(report_html, table_cells_carry_their_sources)
{
	struct report_table table = {0};
	char figures[1024], *html;

	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, "5000");
	html_test_add(&table, &(struct html_test_record){.board = "b1", .measurements = figures});
	html = html_test_render(&table, NULL);
	cr_expect(strstr(html, "<td class=\"num\" title=\"source: emulated (instructions)\">1010 "
			       "instr<span class=\"src\">emulated</span></td>"));
	cr_expect(strstr(html,
			 "<td class=\"num\" title=\"source: derived from emulated instruction "
			 "counts, assumes 1 instruction per cycle (not a timing "
			 "measurement)\">5.00 ms<span class=\"src\">derived</span></td>"));
	cr_expect(strstr(html, "20.0 KiB<span class=\"src\">derived</span>"));
	/* Every figure column is in the table, by its heading. */
	for (int id = 0; id < REPORT_COLUMN_COUNT; id++)
		cr_expect(strstr(html, report_column((enum report_column_id)id)->csv_name), "%s",
			  report_column((enum report_column_id)id)->csv_name);
	free(html);
	report_table_release(&table);
}

Test(report_html, accuracy_per_variant_and_the_int8_drop)
{
	struct report_table table = {0};
	char accuracy[16384], *html;

	html_test_add_suite(&table, "b1", "0.9", "0.85");
	html = html_test_render(&table, NULL);
	html_test_element(strstr(html, "id=\"fig-accuracy\""), "<svg", "</svg>", accuracy,
			  sizeof accuracy);
	cr_expect(strstr(accuracy, "fmnist: float32 (fmnist_float32)"), "%s", accuracy);
	cr_expect(strstr(accuracy, "0.9000 top1, 200 samples"), "%s", accuracy);
	cr_expect(strstr(accuracy, "0.8500 top1, 200 samples; drop +5.00 pts"), "%s", accuracy);
	/* float32 light, int8 dark: told apart in grey scale. */
	cr_expect(strstr(accuracy, "fill=\"#a9bfdc\" stroke"));
	cr_expect(strstr(accuracy, "fill=\"#1d3557\" stroke"));
	free(html);
	report_table_release(&table);
}

Test(report_html, pareto_marks_the_non_dominated_rows)
{
	struct report_table table = {0};
	char list[16384], *html;

	/* fast: 40 ms at 0.9; its int8 has no latency, so is not plotted. */
	html_test_add_suite(&table, "fast", "0.9", "0.85");
	html_test_add_suite(&table, "slow", "0.8", "0.7");
	/* The slow board's float32 is equally fast in this fixture: dominated by accuracy. */
	html = html_test_render(&table, NULL);
	html_test_element(strstr(html, "id=\"fig-pareto-latency\""), "<ol class=\"points\">",
			  "</ol>", list, sizeof list);
	cr_expect(strstr(list, "fast <span class=\"level\">emulated</span> fmnist_float32 "
			       "(float32): 40.00 ms, top1 0.9000: <b>non-dominated</b>"),
		  "%s", list);
	cr_expect(strstr(list, "slow <span class=\"level\">emulated</span> fmnist_float32 "
			       "(float32): 40.00 ms, top1 0.8000: <b>dominated</b>"),
		  "%s", list);
	cr_expect_null(strstr(list, "fmnist_int8"), "a row without latency was plotted");
	cr_expect_null(strstr(html, "<polyline"), "one non-dominated point has no front to draw");
	free(html);
	report_table_release(&table);
}

Test(report_html, pareto_front_joins_the_non_dominated_rows_fastest_first)
{
	struct report_table table = {0};
	char list[16384], *html;

	html_test_add_suite_at(&table, "accurate", "90000", "0.95", "0.9");
	html_test_add_suite_at(&table, "dominated", "60000", "0.7", "0.6");
	html_test_add_suite_at(&table, "quick", "20000", "0.8", "0.7");
	html = html_test_render(&table, NULL);
	html_test_element(strstr(html, "id=\"fig-pareto-latency\""), "<ol class=\"points\">",
			  "</ol>", list, sizeof list);
	cr_expect(strstr(list, "<li>quick") < strstr(list, "<li>dominated") &&
		      strstr(list, "<li>dominated") < strstr(list, "<li>accurate"),
		  "the key is not fastest first: %s", list);
	cr_expect(strstr(list, "(float32): 20.00 ms, top1 0.8000: <b>non-dominated</b>"), "%s",
		  list);
	cr_expect(strstr(list, "(float32): 60.00 ms, top1 0.7000: <b>dominated</b>"), "%s", list);
	cr_expect(strstr(list, "(float32): 90.00 ms, top1 0.9500: <b>non-dominated</b>"), "%s",
		  list);
	cr_expect_eq(html_test_count(html, "<polyline"), 1);
	/* Two points on the line: the quick and the accurate board. */
	html_test_element(html, "<polyline", "/>", list, sizeof list);
	cr_expect_eq(html_test_count(list, ","), 2, "%s", list);
	free(html);
	report_table_release(&table);
}

Test(report_html, energy_gets_its_own_pareto_view_when_measured)
{
	struct report_table table = {0};
	char figures[1024], text[8192], *html;

	html_test_figures_text(figures, sizeof figures, HTML_TEST_MEASURED, "4000");
	snprintf(text, sizeof text,
		 "{\"schema\": \"hilbench.suite-result/1\", \"status\": \"ok\","
		 " \"suite\": {\"name\": \"kws\"}, \"variants\": [{\"status\": \"ok\","
		 " \"variant\": \"int8\", \"board\": {\"id\": \"nrf\", \"verified\": \"hardware\"},"
		 " \"model\": {\"name\": \"kws_int8\"}, \"measurements\": {%s,"
		 " \"energy_per_inference\": {\"value\": 120.5, \"unit\": \"uJ\","
		 " \"source\": \"measured\"}},"
		 " \"accuracy\": {\"metric\": \"top1\", \"value\": 0.9, \"samples\": 10}}]}",
		 figures);
	cr_assert_eq(report_table_add_text(&table, text, strlen(text), "kws.json"), HB_OK, "%s",
		     html_test_log);
	html = html_test_render(&table, NULL);
	cr_expect(strstr(html, "id=\"fig-pareto-energy\""));
	cr_expect(strstr(html, "Energy against accuracy (Pareto view). Source: energy measured"));
	cr_expect(strstr(html, "120.5 uJ, top1 0.9000: <b>non-dominated</b>"));
	free(html);
	report_table_release(&table);
}

Test(report_html, selection_lists_qualifying_best_first_and_the_reasons_for_the_rest)
{
	struct report_table table = {0};
	char fast[1024], slow[1024], section[16384], *html;

	html_test_figures_text(fast, sizeof fast, HTML_TEST_MEASURED, "4000");
	html_test_figures_text(slow, sizeof slow, HTML_TEST_MEASURED, "250000");
	html_test_add(&table, &(struct html_test_record){.board = "a-slow", .measurements = slow});
	html_test_add(&table, &(struct html_test_record){.board = "b-fast", .measurements = fast});
	html = html_test_render(&table, "latency_ms<=100");
	html_test_element(html, "<section id=\"selection\">", "</section>", section,
			  sizeof section);
	cr_expect(strstr(section, "Required: <code>latency_ms&lt;=100</code>. 1 of 2 rows qualify"),
		  "%s", section);
	cr_expect(strstr(section, "<ol class=\"qualifying\">\n<li><b>b-fast</b>"), "%s", section);
	cr_expect(strstr(section, "<b>a-slow</b> <span class=\"level\">emulated</span> kws (int8): "
				  "latency 250 ms fails latency_ms&lt;=100"),
		  "%s", section);
	/* The full table follows the selection's order: qualifying rows first. */
	html_test_element(html, "<section id=\"table\">", "</section>", section, sizeof section);
	cr_expect(strstr(section, "<tr><td>b-fast<") < strstr(section, "<tr><td>a-slow<"));
	free(html);
	report_table_release(&table);
}

Test(report_html, an_empty_table_is_a_page_of_no_data)
{
	struct report_table table = {0};
	char *html = html_test_render(&table, NULL);

	cr_expect(strstr(html, "from 0 rows in 0 records"));
	cr_expect_null(strstr(html, "<svg"), "a chart without figures");
	cr_expect_eq(html_test_count(html, "<p class=\"absent\">no data: "), 4);
	cr_expect(strstr(html, "</html>\n"));
	free(html);
}

Test(report_html, a_failed_write_is_an_io_error)
{
	struct report_table table = {0};
	struct report_selection selection;
	struct report_view view = {&table, &selection, "t", NULL, NULL};
	char figures[1024];
	FILE *out = fopen("/dev/full", "w");

	if (!out)
		cr_skip_test("no /dev/full here");
	setvbuf(out, NULL, _IONBF, 0);
	html_test_figures_text(figures, sizeof figures, HTML_TEST_EMULATED, "5000");
	html_test_add(&table, &(struct html_test_record){.board = "b1", .measurements = figures});
	cr_assert_eq(report_select(&table, NULL, -1, &selection), HB_OK);
	cr_expect_eq(report_writer_html.write(out, &view), HB_ERR_IO);
	cr_expect(strstr(html_test_log, "writing the report failed"), "%s", html_test_log);
	fclose(out);
	report_selection_release(&selection);
	report_table_release(&table);
}
