/* hilbench baseline: store the latest records of a run for `compare`. */
#include <cJSON.h>
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "report/report_table.h"
#include "util/error.h"
#include "util/fileio.h"

#define RECORD_MAX_BYTES (64u * 1024 * 1024)

static void print_help(void)
{
	printf("usage: hilbench baseline NEW --out DIR [--force]\n\n"
	       "Stores a baseline for 'hilbench compare': copies the record files of NEW (a\n"
	       "record or a folder of them, as 'hilbench run' writes them) into DIR, only\n"
	       "the latest record of each board x model x variant and nothing that is not\n"
	       "a record (no summaries, journals or other files). Every record must be of\n"
	       "a run that succeeded. Commit DIR beside the code it measures.\n\n"
	       "options:\n"
	       "  --out DIR   the baseline folder (made if missing)\n"
	       "  --force     DIR may hold files: its old records are removed first (other\n"
	       "              files are left alone); without it a non-empty DIR is refused\n\n"
	       "exit status: 0 stored, 2 bad input (no records, a failed run, DIR not empty).\n\n"
	       "example:\n"
	       "  hilbench run --board qemu-m4 --suite suites/fmnist --results results\n"
	       "  hilbench baseline results/ --out baseline/\n");
}

/* A file whose schema names a hilbench record, whatever its version. */
static bool is_record_file(const char *path)
{
	uint8_t *data;
	size_t length;
	const cJSON *schema;
	cJSON *root;
	bool record;

	if (file_read_all(path, RECORD_MAX_BYTES, "a result record", &data, &length) != HB_OK)
		return false;
	root = cJSON_ParseWithLength((const char *)data, length);
	free(data);
	schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	record =
	    cJSON_IsString(schema) && (!strncmp(schema->valuestring, "hilbench.result/", 16) ||
				       !strncmp(schema->valuestring, "hilbench.suite-result/", 22));
	cJSON_Delete(root);
	return record;
}

/* Counts the entries of `dir`; with `remove_records`, deletes the records. */
static int scan_out_dir(const char *dir, bool remove_records, size_t *entries)
{
	DIR *handle = opendir(dir);
	struct dirent *entry;
	int status = HB_OK;

	*entries = 0;
	if (!handle)
		return HB_OK; /* made below */
	while ((entry = readdir(handle)) != NULL && status == HB_OK) {
		char path[2048];
		size_t n = strlen(entry->d_name);

		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		(*entries)++;
		if (!remove_records || n < 6 || strcmp(entry->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
		if (is_record_file(path) && unlink(path) != 0)
			status = hb_error(HB_ERR_IO, "cannot remove the old record '%s'", path);
	}
	closedir(handle);
	return status;
}

static int check_rows(const struct report_table *table, const char *path)
{
	if (!table->count)
		return hb_error(HB_ERR_INPUT,
				"'%s' holds no hilbench records (expected result or suite records, "
				"as 'hilbench run' writes them)",
				path);
	for (size_t i = 0; i < table->count; i++) {
		const struct report_row *row = &table->rows[i];
		if (strcmp(row->status, "ok"))
			return hb_error(HB_ERR_INPUT,
					"%s: %s %s %s has status '%s'%s%s (expected \"ok\": a "
					"baseline must come from a run that succeeded; rerun it)",
					row->record, row->board, row->model, row->variant,
					row->status, row->error_kind[0] ? ": " : "",
					row->error_kind);
	}
	return HB_OK;
}

static bool same_folder(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static int copy_record(const char *record, const char *dir)
{
	const char *slash = strrchr(record, '/');
	char target[2048];
	uint8_t *data;
	size_t length;
	int status = file_read_all(record, RECORD_MAX_BYTES, "a result record", &data, &length);

	if (status != HB_OK)
		return status;
	snprintf(target, sizeof target, "%s/%s", dir, slash ? slash + 1 : record);
	status = file_write_atomic(target, data, length);
	free(data);
	if (status == HB_OK)
		printf("  %s\n", target);
	return status;
}

/* A suite record gives several rows: copy its file once. */
static bool copied_before(const struct report_table *table, size_t index)
{
	for (size_t i = 0; i < index; i++)
		if (!strcmp(table->rows[i].record, table->rows[index].record))
			return true;
	return false;
}

static int store(const struct report_table *table, const char *dir, bool force)
{
	size_t entries, files = 0;
	int status = scan_out_dir(dir, false, &entries);

	if (status == HB_OK && entries && !force)
		return hb_error(HB_ERR_USAGE,
				"'%s' is not empty (%zu entr%s): pass --force to replace the "
				"records in it",
				dir, entries, entries == 1 ? "y" : "ies");
	if (status == HB_OK && entries)
		status = scan_out_dir(dir, true, &entries);
	if (status == HB_OK)
		status = file_make_dirs(dir);
	if (status == HB_OK)
		printf("baseline: %s\n", dir);
	for (size_t i = 0; i < table->count && status == HB_OK; i++)
		if (!copied_before(table, i)) {
			status = copy_record(table->rows[i].record, dir);
			files++;
		}
	if (status == HB_OK)
		printf("baseline: %zu record%s, %zu row%s (board x model x variant)\n", files,
		       files == 1 ? "" : "s", table->count, table->count == 1 ? "" : "s");
	return status;
}

int cmd_baseline(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct report_table table = {0};
	const char *out = NULL;
	bool force = false;
	int option, status;

	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("baseline", option, argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || !out)
		return hb_error(HB_ERR_USAGE, "baseline needs one folder of new results and --out "
					      "DIR (see 'hilbench baseline --help')");
	if (same_folder(argv[optind], out))
		return hb_error(HB_ERR_USAGE,
				"--out '%s' is the folder the records come from (expected another "
				"folder, e.g. baseline/)",
				out);
	status = report_table_add_path(&table, argv[optind]);
	if (status != HB_OK && status != HB_ERR_NOMEM)
		status = HB_ERR_INPUT;
	if (status == HB_OK) {
		report_table_keep_latest(&table);
		report_table_sort(&table);
		status = check_rows(&table, argv[optind]);
	}
	if (status == HB_OK)
		status = store(&table, out, force);
	report_table_release(&table);
	return status;
}
