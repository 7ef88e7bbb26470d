/* hilbench report: result records side by side, selected and ranked. */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "config/profile.h"
#include "report/report_writer.h"
#include "util/error.h"
#include "util/fileio.h"

#define REPORT_MAX_OUTPUTS 8

static void print_help(void)
{
	char extensions[64];

	report_writer_extensions(extensions, sizeof extensions);
	printf("usage: hilbench report RECORD|FOLDER... [--out FILE]... [--require LIST]\n"
	       "                       [--rank COLUMN] [--title TEXT] [--json]\n\n"
	       "Puts result records (hilbench run's .json files, model and suite runs) side by\n"
	       "side: one row per board x model x variant, with count per inference, latency,\n"
	       "peak RAM and flash (also as %% of the board's), accuracy, the int8 drop against\n"
	       "float32 and energy when measured. It reads files only, never a board. In a\n"
	       "folder every *.json record is read; where a board x model x variant was run\n"
	       "more than once, the record started last is used.\n\n"
	       "options:\n"
	       "  --out FILE       write the report there, the format from the extension (%s);\n"
	       "                   repeat for several. The table is printed on stdout too\n"
	       "  --require LIST   hardware selection: constraints joined by commas, each\n"
	       "                   COLUMN OP NUMBER[UNIT], e.g.\n"
	       "                   \"peak_ram_kb<=256,latency_ms<=100,int8_drop_pts<=1\"\n"
	       "                   OP: <= < >= > ==; units: B KB KiB MB | us ms s | %% | pts\n"
	       "  --rank COLUMN    order the qualifying rows by this column, best first\n"
	       "  --title TEXT     the report's title\n"
	       "  --boards-dir DIR board profiles, for capacities older records do not carry\n"
	       "  --json           print the table (rows, cells with their sources, verdicts)\n"
	       "                   as JSON on stdout instead of the terminal table\n\n"
	       "columns: count (per inference; instructions when emulated, cycles when\n"
	       "measured), latency (ms), count_per_mac, arena, peak_ram, peak_ram_pct,\n"
	       "deployment_ram, flash, flash_pct, accuracy, int8_drop (pts), agreement,\n"
	       "energy (uJ). docs/report.md says where each comes from.\n\n"
	       "exit status: 0 report written; 1 --require given and no row qualifies;\n"
	       "2 bad option or record.\n\n"
	       "examples:\n"
	       "  hilbench report results/ --out report.html --out report.md\n"
	       "  hilbench report results/ --require \"peak_ram_kb<=256,latency_ms<=100\" --rank "
	       "latency\n",
	       extensions);
}

/* Older records do not carry the board's capacities; its profile does. */
static void fill_capacities(struct report_table *table, const char *boards_dir)
{
	for (size_t i = 0; i < table->count; i++) {
		struct report_row *row = &table->rows[i];
		struct board_profile profile;

		char path[1024];

		if (row->flash_bytes && row->ram_bytes)
			continue;
		/* No profile of that name here: the percentages stay absent, quietly. */
		snprintf(path, sizeof path, "%s/%s.json", boards_dir, row->board);
		if (access(path, R_OK) == 0 && profile_load(path, &profile) == HB_OK)
			report_row_set_capacities(
			    row, row->flash_bytes ? row->flash_bytes : profile.flash.size,
			    row->ram_bytes ? row->ram_bytes : profile.ram.size);
	}
}

static cJSON *cell_json(const struct report_row *row, enum report_column_id id)
{
	const struct report_cell *cell = report_row_cell(row, id);
	cJSON *object;

	if (!cell)
		return cJSON_CreateNull();
	object = cJSON_CreateObject();
	cJSON_AddNumberToObject(object, "value", cell->value);
	cJSON_AddStringToObject(object, "unit",
				id == REPORT_COL_COUNT ? row->count_unit : report_column(id)->unit);
	cJSON_AddStringToObject(object, "source", report_source_name(cell->source));
	return object;
}

static int print_json(const struct report_view *view)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(root, "rows");
	char *text;

	cJSON_AddStringToObject(root, "schema", "hilbench.report/1");
	if (view->require_text)
		cJSON_AddStringToObject(root, "require", view->require_text);
	cJSON_AddNumberToObject(root, "qualifying", (double)view->selection->qualifying);
	for (size_t i = 0; i < view->selection->count; i++) {
		const struct report_verdict *verdict = &view->selection->verdicts[i];
		const struct report_row *row = &view->table->rows[verdict->row];
		cJSON *item = cJSON_CreateObject();
		cJSON *cells = cJSON_CreateObject();
		char why[160];

		cJSON_AddStringToObject(item, "record", row->record);
		cJSON_AddStringToObject(item, "status", row->status);
		cJSON_AddStringToObject(item, "board", row->board);
		cJSON_AddStringToObject(item, "verified", row->verified);
		cJSON_AddStringToObject(item, "model", row->model);
		cJSON_AddStringToObject(item, "variant", row->variant);
		for (int c = 0; c < REPORT_COLUMN_COUNT; c++)
			cJSON_AddItemToObject(cells, report_column((enum report_column_id)c)->name,
					      cell_json(row, (enum report_column_id)c));
		cJSON_AddItemToObject(item, "cells", cells);
		cJSON_AddBoolToObject(item, "qualifies", verdict->exclusion == REPORT_QUALIFIES);
		report_exclusion_text(view->table, view->selection, verdict, why, sizeof why);
		if (verdict->exclusion != REPORT_QUALIFIES)
			cJSON_AddStringToObject(item, "excluded_because", why);
		cJSON_AddItemToArray(rows, item);
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory printing the report");
	puts(text);
	free(text);
	return HB_OK;
}

/* Rendered in memory, then written atomically: a failed write leaves no half report. */
static int write_output(const struct report_writer *writer, const struct report_view *view,
			const char *path)
{
	char *buffer = NULL;
	size_t length = 0;
	FILE *memory = open_memstream(&buffer, &length);
	int status;

	if (!memory)
		return hb_error(HB_ERR_NOMEM, "out of memory rendering '%s'", path);
	status = writer->write(memory, view);
	if (fclose(memory) != 0 && status == HB_OK)
		status = hb_error(HB_ERR_NOMEM, "out of memory rendering '%s'", path);
	if (status == HB_OK)
		status = file_write_atomic(path, buffer, length);
	free(buffer);
	return status;
}

static int check_outputs(const char *const *outputs, size_t count,
			 const struct report_writer **writers)
{
	char extensions[64];

	report_writer_extensions(extensions, sizeof extensions);
	for (size_t i = 0; i < count; i++) {
		writers[i] = report_writer_for_path(outputs[i]);
		if (!writers[i])
			return hb_error(HB_ERR_USAGE,
					"option '--out': '%s' has no report extension (expected "
					"one of %s)",
					outputs[i], extensions);
	}
	return HB_OK;
}

static int render(const struct report_view *view, const char *const *outputs, size_t count,
		  const struct report_writer *const *writers, bool json)
{
	int status = HB_OK;

	for (size_t i = 0; i < count && status == HB_OK; i++) {
		status = write_output(writers[i], view, outputs[i]);
		if (status == HB_OK)
			hb_info("wrote %s (%s)", outputs[i], writers[i]->name);
	}
	if (status == HB_OK && json)
		status = print_json(view);
	else if (status == HB_OK)
		status = report_writer_text.write(stdout, view);
	return status;
}

int cmd_report(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"require", required_argument, NULL, 'r'},
	    {"rank", required_argument, NULL, 'k'},
	    {"title", required_argument, NULL, 't'},
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *outputs[REPORT_MAX_OUTPUTS];
	const struct report_writer *writers[REPORT_MAX_OUTPUTS];
	const char *require_text = NULL, *rank_text = NULL, *boards_dir = NULL;
	const char *title = "hilbench report";
	static struct report_requirements requirements;
	struct report_table table = {0};
	struct report_selection selection;
	struct report_view view;
	char generated[32];
	size_t output_count = 0;
	int option, status, rank = -1;
	bool json = false;
	time_t now = time(NULL);

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'o':
			if (output_count == REPORT_MAX_OUTPUTS)
				return hb_error(HB_ERR_USAGE, "option '--out': at most %d files",
						REPORT_MAX_OUTPUTS);
			outputs[output_count++] = optarg;
			break;
		case 'r': require_text = optarg; break;
		case 'k': rank_text = optarg; break;
		case 't': title = optarg; break;
		case 'd': boards_dir = optarg; break;
		case 'j': json = true; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("report", option, argv[optind - 1]);
		}
	}
	if (optind == argc)
		return hb_error(HB_ERR_USAGE, "report needs result records or folders of them "
					      "(see 'hilbench report --help')");
	status = check_outputs(outputs, output_count, writers);
	if (status == HB_OK && require_text)
		status = report_require_parse(require_text, &requirements);
	if (status == HB_OK && rank_text && (rank = report_column_find(rank_text)) < 0)
		status = hb_error(HB_ERR_USAGE,
				  "option '--rank': unknown column '%s' (see 'hilbench report "
				  "--help' for the columns)",
				  rank_text);
	for (int i = optind; i < argc && status == HB_OK; i++)
		status = report_table_add_path(&table, argv[i]);
	if (status == HB_OK && !table.count)
		status = hb_error(HB_ERR_INPUT, "no result records in %s%s", argv[optind],
				  argc - optind > 1 ? " and the other paths" : "");
	if (status != HB_OK) {
		report_table_release(&table);
		return status;
	}
	report_table_keep_latest(&table);
	report_table_sort(&table);
	fill_capacities(&table, cli_boards_dir(boards_dir));
	status = report_select(&table, require_text ? &requirements : NULL, rank, &selection);
	if (status == HB_OK) {
		strftime(generated, sizeof generated, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		view = (struct report_view){&table, &selection, title, generated, require_text};
		status = render(&view, outputs, output_count, writers, json);
		if (status == HB_OK && require_text && !selection.qualifying)
			status = hb_error(HB_ERR_REGRESSION, "no row meets --require '%s'",
					  require_text);
		report_selection_release(&selection);
	}
	report_table_release(&table);
	return status;
}
