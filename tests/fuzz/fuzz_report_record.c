/* clang-format off */ // FUZZ_DEPS: host/report/report_table.c host/report/record_json.c host/report/report_layers.c host/report/report_select.c host/report/report_units.c host/report/report_grid.c host/report/report_writer_text.c host/report/report_writer_csv.c host/report/report_writer_markdown.c host/util/json_read.c host/util/error.c host/util/fileio.c
// clang-format on
/*
 * Result records into the report table, then every text writer over it:
 * `hilbench report` and `compare` read files anyone may have edited or cut.
 * Arbitrary bytes must be refused or give rows whose strings are
 * terminated and printable, and whose rendering stays in bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report/report_grid.h"
#include "report/report_table.h"
#include "util/error.h"

static void fuzz_report_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void fuzz_report_check_text(const char *text, size_t capacity)
{
	const char *end = memchr(text, '\0', capacity);

	if (!end)
		__builtin_trap();
	for (const char *c = text; c < end; c++)
		if (*c < 0x20 || *c > 0x7e)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct report_writer *const writers[] = {
	    &report_writer_text, &report_writer_markdown, &report_writer_csv};
	struct report_table table = {0};
	struct report_requirements requirements;
	struct report_selection selection;
	FILE *sink;

	hb_log_set_sink(fuzz_report_quiet, NULL);
	report_table_add_text(&table, (const char *)data, size, "fuzz.json");
	for (size_t i = 0; i < table.count; i++) {
		fuzz_report_check_text(table.rows[i].board, sizeof table.rows[i].board);
		fuzz_report_check_text(table.rows[i].model, sizeof table.rows[i].model);
		fuzz_report_check_text(table.rows[i].variant, sizeof table.rows[i].variant);
		fuzz_report_check_text(table.rows[i].error, sizeof table.rows[i].error);
	}
	report_require_parse("latency_ms<=100,peak_ram_kb<=256", &requirements);
	if (report_select(&table, &requirements, REPORT_COL_LATENCY, &selection) == HB_OK) {
		struct report_view view = {&table, &selection, "fuzz", NULL, "x"};
		sink = fopen("/dev/null", "w");
		for (size_t i = 0; sink && i < sizeof writers / sizeof writers[0]; i++)
			writers[i]->write(sink, &view);
		if (sink)
			fclose(sink);
		report_selection_release(&selection);
	}
	report_table_release(&table);
	return 0;
}
