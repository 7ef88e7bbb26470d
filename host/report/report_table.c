/* Result and suite records into the normalised report table. */
#include "report/report_table.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/record_json.h"
#include "util/error.h"
#include "util/fileio.h"

#define RECORD_MAX_BYTES   (64u * 1024 * 1024)
#define RESULT_SCHEMA_NAME "hilbench.result/"
#define SUITE_SCHEMA_NAME  "hilbench.suite-result/"
#define RESULT_SCHEMA_READ "hilbench.result/1"
#define SUITE_SCHEMA_READ  "hilbench.suite-result/1"

static const struct report_column columns[REPORT_COLUMN_COUNT] = {
    [REPORT_COL_COUNT] = {"count", "count_per_inference", "count/inference", "", REPORT_DIM_COUNT,
			  true},
    [REPORT_COL_LATENCY] = {"latency", "latency_ms", "latency", "ms", REPORT_DIM_TIME, true},
    [REPORT_COL_COUNT_PER_MAC] = {"count_per_mac", "count_per_mac", "count/MAC", "",
				  REPORT_DIM_RATIO, true},
    [REPORT_COL_ARENA] = {"arena", "arena_bytes", "arena", "B", REPORT_DIM_BYTES, true},
    [REPORT_COL_PEAK_RAM] = {"peak_ram", "peak_ram_bytes", "peak RAM", "B", REPORT_DIM_BYTES, true},
    [REPORT_COL_PEAK_RAM_PCT] = {"peak_ram_pct", "peak_ram_pct", "RAM used", "%",
				 REPORT_DIM_PERCENT, true},
    [REPORT_COL_DEPLOYMENT_RAM] = {"deployment_ram", "deployment_ram_bytes", "deploy RAM est.", "B",
				   REPORT_DIM_BYTES, true},
    [REPORT_COL_FLASH] = {"flash", "flash_bytes", "flash", "B", REPORT_DIM_BYTES, true},
    [REPORT_COL_FLASH_PCT] = {"flash_pct", "flash_pct", "flash used", "%", REPORT_DIM_PERCENT,
			      true},
    [REPORT_COL_ACCURACY] = {"accuracy", "accuracy", "accuracy", "", REPORT_DIM_FRACTION, false},
    [REPORT_COL_INT8_DROP] = {"int8_drop", "int8_drop_pts", "drop vs float", "pts",
			      REPORT_DIM_POINTS, true},
    [REPORT_COL_AGREEMENT] = {"agreement", "agreement", "agreement", "", REPORT_DIM_FRACTION,
			      false},
    [REPORT_COL_ENERGY] = {"energy", "energy_uj", "energy", "uJ", REPORT_DIM_ENERGY, true},
    [REPORT_COL_ENERGY_MODELLED] = {"energy_modelled", "energy_modelled_uj", "energy (modelled)",
				    "uJ", REPORT_DIM_ENERGY, true},
};

static const char *const source_names[] = {
    [REPORT_SOURCE_MEASURED] = "measured", [REPORT_SOURCE_EMULATED] = "emulated",
    [REPORT_SOURCE_MODELLED] = "modelled", [REPORT_SOURCE_DERIVED] = "derived",
    [REPORT_SOURCE_ELF] = "elf",
};

const char *report_source_name(enum report_source source)
{
	return (unsigned)source < sizeof source_names / sizeof source_names[0]
		   ? source_names[source]
		   : "unknown";
}

const struct report_column *report_column(enum report_column_id id)
{
	return (unsigned)id < REPORT_COLUMN_COUNT ? &columns[id] : NULL;
}

int report_column_find(const char *name)
{
	for (int i = 0; i < REPORT_COLUMN_COUNT; i++)
		if (!strcmp(columns[i].name, name) || !strcmp(columns[i].csv_name, name))
			return i;
	return -1;
}

/* ---- reading a record ---- */

struct record_reader {
	const char *path;
	int errors;
};

static bool source_from_text(const char *text, enum report_source *out)
{
	for (size_t i = 0; i < sizeof source_names / sizeof source_names[0]; i++)
		if (!strncmp(text, source_names[i], strlen(source_names[i]))) {
			*out = (enum report_source)i;
			return true;
		}
	return false;
}

static void set_cell(struct report_row *row, enum report_column_id id, double value,
		     enum report_source source)
{
	row->cells[id].present = true;
	row->cells[id].value = value;
	row->cells[id].source = source;
}

/* A measurement object {value or median, source}: `key` names which number. */
static void measurement_cell(struct report_row *row, enum report_column_id id,
			     const cJSON *measurements, const char *name, const char *key,
			     double scale)
{
	const cJSON *object = record_object(measurements, name);
	char source_text[32];
	enum report_source source;
	double value;

	if (!object || !record_number(object, key, &value))
		return;
	record_text(object, "source", source_text, sizeof source_text);
	if (!source_from_text(source_text, &source))
		return; /* a figure that does not say where it came from is not shown */
	set_cell(row, id, value * scale, source);
}

static void percent_cell(struct report_row *row, enum report_column_id id,
			 enum report_column_id bytes, uint32_t capacity)
{
	row->cells[id].present = false;
	if (row->cells[bytes].present && capacity)
		set_cell(row, id, 100.0 * row->cells[bytes].value / capacity,
			 REPORT_SOURCE_DERIVED);
}

void report_row_set_capacities(struct report_row *row, uint32_t flash_bytes, uint32_t ram_bytes)
{
	row->flash_bytes = flash_bytes;
	row->ram_bytes = ram_bytes;
	percent_cell(row, REPORT_COL_PEAK_RAM_PCT, REPORT_COL_PEAK_RAM, ram_bytes);
	percent_cell(row, REPORT_COL_FLASH_PCT, REPORT_COL_FLASH, flash_bytes);
}

static struct report_row *new_row(struct report_table *table)
{
	if (table->count == table->capacity) {
		size_t capacity = table->capacity ? table->capacity * 2 : 16;
		struct report_row *rows = realloc(table->rows, capacity * sizeof *rows);
		if (!rows)
			return NULL;
		table->rows = rows;
		table->capacity = capacity;
	}
	memset(&table->rows[table->count], 0, sizeof table->rows[0]);
	return &table->rows[table->count++];
}

/* Only a plain file name in the record's own folder: a record read from
 * elsewhere must not point the report at any file it likes. */
static void energy_trace_path(struct report_row *row, const cJSON *measurements, const char *path)
{
	const char *slash = strrchr(path, '/');
	char name[256] = "";

	record_text(record_object(measurements, "energy_per_inference"), "trace", name,
		    sizeof name);
	if (!name[0] || strchr(name, '/') || name[0] == '.')
		return;
	snprintf(row->energy_trace, sizeof row->energy_trace, "%.*s%s",
		 slash ? (int)(slash - path + 1) : 0, path, name);
}

/* The figures every model record has, whether alone or a suite's variant. */
static int read_model_record(struct report_table *table, const cJSON *record, const char *path,
			     const char *suite, struct report_row **out)
{
	const cJSON *board = record_object(record, "board");
	const cJSON *model = record_object(record, "model");
	const cJSON *measurements = record_object(record, "measurements");
	const cJSON *count = record_object(measurements, "count_per_inference");
	const cJSON *error = record_object(record, "error");
	struct report_row *row;
	double value;

	if (!board || !model)
		return hb_error(HB_ERR_INPUT, "%s: missing field '%s' (expected an object)", path,
				board ? "model" : "board");
	row = new_row(table);
	if (!row)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory for the report table", path);
	snprintf(row->record, sizeof row->record, "%s", path);
	snprintf(row->suite, sizeof row->suite, "%s", suite ? suite : "");
	record_text(record, "status", row->status, sizeof row->status);
	record_text(record, "started_utc", row->started_utc, sizeof row->started_utc);
	record_text(error, "kind", row->error_kind, sizeof row->error_kind);
	record_text(error, "message", row->error, sizeof row->error);

	record_text(board, "id", row->board, sizeof row->board);
	record_text(board, "name", row->board_name, sizeof row->board_name);
	record_text(board, "core", row->core, sizeof row->core);
	record_text(board, "verified", row->verified, sizeof row->verified);
	record_text(board, "cycle_counter", row->counter, sizeof row->counter);
	row->clock_hz = record_u32(board, "clock_hz");

	record_text(model, "name", row->model, sizeof row->model);
	record_text(record, "variant", row->variant, sizeof row->variant);
	if (!row->variant[0])
		record_text(model, "variant", row->variant, sizeof row->variant);
	if (record_number(model, "macs", &value) && value > 0)
		row->macs = (uint64_t)value;
	if (!row->board[0] || !row->model[0])
		return hb_error(HB_ERR_INPUT, "%s: missing field '%s' (expected a string)", path,
				row->board[0] ? "model.name" : "board.id");

	if (count && record_number(count, "median", &value)) {
		char source_text[32];
		enum report_source source;
		const cJSON *runs = record_member(count, "runs");

		record_text(count, "unit", row->count_unit, sizeof row->count_unit);
		record_text(count, "source", source_text, sizeof source_text);
		if (source_from_text(source_text, &source) && row->count_unit[0]) {
			set_cell(row, REPORT_COL_COUNT, value, source);
			row->count_min =
			    record_number(count, "min", &row->count_min) ? row->count_min : value;
			row->count_max =
			    record_number(count, "max", &row->count_max) ? row->count_max : value;
			record_number(count, "resolution", &row->count_resolution);
			row->runs = cJSON_IsArray(runs) ? (uint32_t)cJSON_GetArraySize(runs) : 0;
		}
	}
	/* Latency is recorded in us; reports use ms. */
	measurement_cell(row, REPORT_COL_LATENCY, measurements, "latency", "median", 0.001);
	/* A protocol that counts nothing (MLPerf Tiny) times the inference on
	 * the board: that latency, with its own source, in the same column. */
	if (!row->cells[REPORT_COL_LATENCY].present)
		measurement_cell(row, REPORT_COL_LATENCY, record_object(record, "protocol"),
				 "latency_per_inference", "value", 0.001);
	measurement_cell(row, REPORT_COL_COUNT_PER_MAC, measurements, "count_per_mac", "value", 1);
	if (record_number(model, "arena_planned", &value))
		set_cell(row, REPORT_COL_ARENA, value, REPORT_SOURCE_DERIVED);
	measurement_cell(row, REPORT_COL_PEAK_RAM, measurements, "peak_ram", "value", 1);
	measurement_cell(row, REPORT_COL_DEPLOYMENT_RAM, measurements, "deployment_ram_estimate",
			 "value", 1);
	measurement_cell(row, REPORT_COL_FLASH, measurements, "flash", "value", 1);
	measurement_cell(row, REPORT_COL_ENERGY, measurements, "energy_per_inference", "value", 1);
	measurement_cell(row, REPORT_COL_ENERGY_MODELLED, measurements,
			 "modelled_energy_per_inference", "value", 1);
	/* Each energy column holds one kind of figure, whatever a record claims. */
	if (row->cells[REPORT_COL_ENERGY].source == REPORT_SOURCE_MODELLED)
		row->cells[REPORT_COL_ENERGY].present = false;
	if (row->cells[REPORT_COL_ENERGY_MODELLED].source != REPORT_SOURCE_MODELLED)
		row->cells[REPORT_COL_ENERGY_MODELLED].present = false;
	report_row_set_capacities(row, record_u32(board, "flash_bytes"),
				  record_u32(board, "ram_bytes"));
	energy_trace_path(row, measurements, path);
	report_layers_read(measurements, &row->layers);
	*out = row;
	return HB_OK;
}

static struct report_row *find_variant(struct report_table *table, size_t first,
				       const char *variant)
{
	for (size_t i = first; i < table->count; i++)
		if (!strcmp(table->rows[i].variant, variant))
			return &table->rows[i];
	return NULL;
}

static int read_suite_record(struct report_table *table, const cJSON *root, const char *path)
{
	const cJSON *variants = record_member(root, "variants");
	const cJSON *comparisons = record_member(root, "comparisons");
	const cJSON *variant, *comparison;
	const size_t first = table->count;
	char suite[64], status[12];

	record_text(record_object(root, "suite"), "name", suite, sizeof suite);
	record_text(root, "status", status, sizeof status);
	if (!cJSON_IsArray(variants))
		return hb_error(HB_ERR_INPUT, "%s: missing field 'variants' (expected an array)",
				path);
	cJSON_ArrayForEach(variant, variants)
	{
		const cJSON *accuracy = record_object(variant, "accuracy");
		struct report_row *row;
		double value;
		int status_code = read_model_record(table, variant, path, suite, &row);

		if (status_code != HB_OK)
			return status_code;
		record_text(accuracy, "metric", row->accuracy_metric, sizeof row->accuracy_metric);
		row->accuracy_samples = record_u32(accuracy, "samples");
		if (record_number(accuracy, "value", &value))
			set_cell(row, REPORT_COL_ACCURACY, value, REPORT_SOURCE_DERIVED);
		/* A variant of an unfinished suite run is unfinished too. */
		if (strcmp(status, "ok") && !strcmp(row->status, "ok"))
			snprintf(row->status, sizeof row->status, "%s", status);
	}
	cJSON_ArrayForEach(comparison, comparisons)
	{
		char reference[16], test[16];
		struct report_row *reference_row, *test_row;
		double agreement;

		record_text(comparison, "reference", reference, sizeof reference);
		record_text(comparison, "test", test, sizeof test);
		reference_row = find_variant(table, first, reference);
		test_row = find_variant(table, first, test);
		if (!reference_row || !test_row)
			continue;
		if (record_number(comparison, "top1_agreement", &agreement))
			set_cell(test_row, REPORT_COL_AGREEMENT, agreement, REPORT_SOURCE_DERIVED);
		if (!strcmp(reference, "float32") &&
		    reference_row->cells[REPORT_COL_ACCURACY].present &&
		    test_row->cells[REPORT_COL_ACCURACY].present &&
		    !strcmp(reference_row->accuracy_metric, test_row->accuracy_metric))
			set_cell(test_row, REPORT_COL_INT8_DROP,
				 100.0 * (reference_row->cells[REPORT_COL_ACCURACY].value -
					  test_row->cells[REPORT_COL_ACCURACY].value),
				 REPORT_SOURCE_DERIVED);
	}
	return HB_OK;
}

/* HB_OK with *is_record false: JSON of another kind (skipped in folders). */
static int add_root(struct report_table *table, const cJSON *root, const char *path,
		    bool *is_record)
{
	char schema[64];

	*is_record = false;
	record_text(root, "schema", schema, sizeof schema);
	if (!strcmp(schema, RESULT_SCHEMA_READ) || !strcmp(schema, SUITE_SCHEMA_READ)) {
		struct report_row *row;
		*is_record = true;
		return !strcmp(schema, SUITE_SCHEMA_READ)
			   ? read_suite_record(table, root, path)
			   : read_model_record(table, root, path, NULL, &row);
	}
	if (!strncmp(schema, RESULT_SCHEMA_NAME, strlen(RESULT_SCHEMA_NAME)) ||
	    !strncmp(schema, SUITE_SCHEMA_NAME, strlen(SUITE_SCHEMA_NAME))) {
		*is_record = true;
		return hb_error(HB_ERR_INPUT,
				"%s: field 'schema': expected \"%s\" or \"%s\", got \"%s\" (a "
				"record of another hilbench version: run it again with this one)",
				path, RESULT_SCHEMA_READ, SUITE_SCHEMA_READ, schema);
	}
	return HB_OK;
}

static int add_text(struct report_table *table, const char *text, size_t length, const char *path,
		    bool in_folder)
{
	cJSON *root = cJSON_ParseWithLength(text, length);
	bool is_record;
	int status;

	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		if (in_folder) {
			hb_info("skipping %s: not a JSON object", path);
			return HB_OK;
		}
		return hb_error(HB_ERR_INPUT, "%s: not a hilbench record (expected a JSON object)",
				path);
	}
	status = add_root(table, root, path, &is_record);
	cJSON_Delete(root);
	if (status == HB_OK && !is_record) {
		if (in_folder) {
			hb_info("skipping %s: not a result record (no hilbench schema)", path);
			return HB_OK;
		}
		return hb_error(HB_ERR_INPUT,
				"%s: field 'schema': expected \"%s\" or \"%s\" (a hilbench "
				"result or suite record)",
				path, RESULT_SCHEMA_READ, SUITE_SCHEMA_READ);
	}
	return status;
}

int report_table_add_text(struct report_table *table, const char *text, size_t length,
			  const char *path)
{
	return add_text(table, text, length, path, false);
}

static int add_file(struct report_table *table, const char *path, bool in_folder)
{
	uint8_t *data;
	size_t length;
	int status = file_read_all(path, RECORD_MAX_BYTES, "a result record", &data, &length);

	if (status != HB_OK)
		return status;
	status = add_text(table, (const char *)data, length, path, in_folder);
	free(data);
	return status;
}

int report_table_add_file(struct report_table *table, const char *path)
{
	return add_file(table, path, false);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_folder(struct report_table *table, const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	char **names = NULL;
	size_t count = 0, capacity = 0;
	int status = HB_OK;

	if (!dir)
		return hb_error(HB_ERR_NOT_FOUND, "cannot read folder '%s'", path);
	while ((entry = readdir(dir)) != NULL) {
		size_t length = strlen(entry->d_name);
		if (length < 6 || strcmp(entry->d_name + length - 5, ".json") != 0 ||
		    entry->d_name[0] == '.')
			continue;
		if (count == capacity) {
			char **grown;
			capacity = capacity ? capacity * 2 : 32;
			grown = realloc(names, capacity * sizeof *names);
			if (!grown) {
				status = hb_error(HB_ERR_NOMEM, "out of memory listing '%s'", path);
				break;
			}
			names = grown;
		}
		names[count] = strdup(entry->d_name);
		if (!names[count]) {
			status = hb_error(HB_ERR_NOMEM, "out of memory listing '%s'", path);
			break;
		}
		count++;
	}
	closedir(dir);
	if (status == HB_OK && count > 1)
		qsort(names, count, sizeof *names, compare_names);
	for (size_t i = 0; i < count; i++) {
		char file[1024];
		if (status == HB_OK) {
			snprintf(file, sizeof file, "%s/%s", path, names[i]);
			status = add_file(table, file, true);
		}
		free(names[i]);
	}
	free(names);
	return status;
}

int report_table_add_path(struct report_table *table, const char *path)
{
	struct stat info;

	if (stat(path, &info) != 0)
		return hb_error(HB_ERR_NOT_FOUND, "'%s': no such file or folder", path);
	return S_ISDIR(info.st_mode) ? add_folder(table, path) : add_file(table, path, false);
}

static bool same_key(const struct report_row *a, const struct report_row *b)
{
	/* A suite's variant and a lone run of the same model are different figures. */
	return !strcmp(a->board, b->board) && !strcmp(a->model, b->model) &&
	       !strcmp(a->variant, b->variant) && !strcmp(a->suite, b->suite);
}

void report_table_keep_latest(struct report_table *table)
{
	size_t kept = 0;

	for (size_t i = 0; i < table->count; i++) {
		bool superseded = false;
		for (size_t j = 0; j < table->count && !superseded; j++)
			if (j != i && same_key(&table->rows[i], &table->rows[j])) {
				int order =
				    strcmp(table->rows[j].started_utc, table->rows[i].started_utc);
				superseded = order > 0 || (order == 0 && j > i);
			}
		if (superseded) {
			hb_info("%s: %s %s %s superseded by a later record", table->rows[i].record,
				table->rows[i].board, table->rows[i].model, table->rows[i].variant);
			continue;
		}
		if (kept != i)
			table->rows[kept] = table->rows[i];
		kept++;
	}
	table->count = kept;
}

static int compare_rows(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	int order = strcmp(x->board, y->board);

	if (!order)
		order = strcmp(x->model, y->model);
	if (!order)
		order = strcmp(x->variant, y->variant);
	if (!order)
		order = strcmp(x->record, y->record);
	return order;
}

void report_table_sort(struct report_table *table)
{
	if (table->count > 1)
		qsort(table->rows, table->count, sizeof table->rows[0], compare_rows);
}

void report_table_release(struct report_table *table)
{
	free(table->rows);
	memset(table, 0, sizeof *table);
}

const struct report_cell *report_row_cell(const struct report_row *row, enum report_column_id id)
{
	if ((unsigned)id >= REPORT_COLUMN_COUNT || !row->cells[id].present)
		return NULL;
	return &row->cells[id];
}

/* 37848080 -> "37.85M"; counts span 1e3..1e10, so three significant digits+. */
static void count_text(double value, char *out, size_t capacity)
{
	if (value >= 1e9)
		snprintf(out, capacity, "%.2fG", value / 1e9);
	else if (value >= 1e6)
		snprintf(out, capacity, "%.2fM", value / 1e6);
	else if (value >= 1e4)
		snprintf(out, capacity, "%.1fk", value / 1e3);
	else
		snprintf(out, capacity, "%.0f", value);
}

void report_cell_text(const struct report_row *row, enum report_column_id id, char *out,
		      size_t capacity)
{
	const struct report_cell *cell = report_row_cell(row, id);
	char number[32];

	if (!cell) {
		snprintf(out, capacity, "-");
		return;
	}
	switch (columns[id].dimension) {
	case REPORT_DIM_COUNT:
		count_text(cell->value, number, sizeof number);
		snprintf(out, capacity, "%s %s", number,
			 !strcmp(row->count_unit, "instructions") ? "instr" : row->count_unit);
		break;
	case REPORT_DIM_RATIO: snprintf(out, capacity, "%.2f", cell->value); break;
	case REPORT_DIM_TIME:
		snprintf(out, capacity, cell->value >= 100 ? "%.0f ms" : "%.2f ms", cell->value);
		break;
	case REPORT_DIM_BYTES:
		if (cell->value >= 1024 * 1024)
			snprintf(out, capacity, "%.2f MiB", cell->value / (1024.0 * 1024.0));
		else
			snprintf(out, capacity, "%.1f KiB", cell->value / 1024.0);
		break;
	case REPORT_DIM_PERCENT: snprintf(out, capacity, "%.1f%%", cell->value); break;
	case REPORT_DIM_FRACTION: snprintf(out, capacity, "%.4f", cell->value); break;
	case REPORT_DIM_POINTS: snprintf(out, capacity, "%+.2f pts", cell->value); break;
	case REPORT_DIM_ENERGY: snprintf(out, capacity, "%.1f uJ", cell->value); break;
	}
}
