#include "run/journal.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fileio.h"
#include "util/json_read.h"

#define JOURNAL_MAX_BYTES ((size_t)1 << 30)

static const char *const journal_header_fields[] = {"journal", "suite", "board",
						    "samples", "seed",	NULL};
static const char *const journal_sample_fields[] = {"variant", "index", "sample", "label", "ticks",
						    "equal",   "score", "output", NULL};

int journal_create(const char *path, const struct journal_header *header, FILE **out)
{
	cJSON *line = cJSON_CreateObject();
	char *text;
	FILE *file;

	cJSON_AddStringToObject(line, "journal", JOURNAL_SCHEMA);
	cJSON_AddStringToObject(line, "suite", header->suite);
	cJSON_AddStringToObject(line, "board", header->board);
	cJSON_AddNumberToObject(line, "samples", header->samples);
	cJSON_AddNumberToObject(line, "seed", header->seed);
	text = cJSON_PrintUnformatted(line);
	cJSON_Delete(line);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory writing journal '%s'", path);
	file = fopen(path, "w");
	if (!file || fprintf(file, "%s\n", text) < 0 || fflush(file) != 0) {
		free(text);
		if (file)
			fclose(file);
		return hb_error(HB_ERR_IO, "cannot write journal '%s'", path);
	}
	free(text);
	*out = file;
	return HB_OK;
}

int journal_open_append(const char *path, FILE **out)
{
	*out = fopen(path, "a");
	return *out ? HB_OK : hb_error(HB_ERR_IO, "cannot append to journal '%s'", path);
}

int journal_append(FILE *journal, const char *path, const struct journal_sample *sample)
{
	cJSON *line = cJSON_CreateObject();
	cJSON *output;
	char *text;
	int written;

	cJSON_AddStringToObject(line, "variant", sample->variant);
	cJSON_AddNumberToObject(line, "index", sample->index);
	cJSON_AddNumberToObject(line, "sample", sample->sample);
	cJSON_AddNumberToObject(line, "label", sample->label);
	cJSON_AddNumberToObject(line, "ticks", (double)sample->ticks);
	cJSON_AddBoolToObject(line, "equal", sample->equal);
	cJSON_AddNumberToObject(line, "score", sample->score);
	output = cJSON_AddArrayToObject(line, "output");
	for (uint32_t i = 0; i < sample->output_count; i++)
		cJSON_AddItemToArray(output, cJSON_CreateNumber(sample->output[i]));
	text = cJSON_PrintUnformatted(line);
	cJSON_Delete(line);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory writing journal '%s'", path);
	/* On disk before the next sample starts. */
	written = fprintf(journal, "%s\n", text);
	free(text);
	if (written < 0 || fflush(journal) != 0)
		return hb_error(HB_ERR_IO, "cannot write journal '%s'", path);
	return HB_OK;
}

static bool read_header(struct json_reader *reader, const cJSON *root,
			struct journal_header *header)
{
	json_check_members(reader, root, NULL, journal_header_fields);
	json_read_string(reader, root, NULL, "suite", true, JSON_STRING_TEXT, header->suite,
			 sizeof header->suite);
	json_read_string(reader, root, NULL, "board", true, JSON_STRING_TEXT, header->board,
			 sizeof header->board);
	json_read_u32(reader, root, NULL, "samples", true, 1, "a sample count", &header->samples);
	json_read_u32(reader, root, NULL, "seed", true, 0, "a seed", &header->seed);
	return reader->errors == 0;
}

/* A non-negative integer that a double holds exactly (ticks stay below 2^53). */
static bool read_ticks(struct json_reader *reader, const cJSON *root, uint64_t *out)
{
	const cJSON *item = json_member(reader, root, NULL, "ticks", "a tick count");

	if (!item)
		return false;
	if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0) ||
	    item->valuedouble > 9007199254740992.0 ||
	    item->valuedouble != floor(item->valuedouble)) {
		json_fail_expected(reader, NULL, "ticks", "a non-negative integer", item);
		return false;
	}
	*out = (uint64_t)item->valuedouble;
	return true;
}

static bool read_output(struct json_reader *reader, const cJSON *root, float *values,
			uint32_t *count)
{
	const cJSON *array = json_member(reader, root, NULL, "output", "an array of numbers");
	const cJSON *item;
	uint32_t n = 0;

	if (!array)
		return false;
	if (!cJSON_IsArray(array) || cJSON_GetArraySize(array) > (int)JOURNAL_MAX_OUTPUTS) {
		json_fail_expected(reader, NULL, "output", "an array of at most 4096 numbers",
				   array);
		return false;
	}
	cJSON_ArrayForEach(item, array)
	{
		if (!cJSON_IsNumber(item)) {
			json_fail_expected(reader, NULL, "output", "numbers only", item);
			return false;
		}
		values[n++] = (float)item->valuedouble;
	}
	*count = n;
	return true;
}

static bool read_sample(struct json_reader *reader, const cJSON *root, float *values,
			struct journal_sample *sample)
{
	const cJSON *score;

	memset(sample, 0, sizeof *sample);
	json_check_members(reader, root, NULL, journal_sample_fields);
	json_read_string(reader, root, NULL, "variant", true, JSON_STRING_IDENTIFIER,
			 sample->variant, sizeof sample->variant);
	json_read_u32(reader, root, NULL, "index", true, 0, "a sample position", &sample->index);
	json_read_u32(reader, root, NULL, "sample", true, 0, "a sample index", &sample->sample);
	json_read_u32(reader, root, NULL, "label", true, 0, "a label", &sample->label);
	json_read_bool(reader, root, NULL, "equal", &sample->equal);
	read_ticks(reader, root, &sample->ticks);
	score = json_member(reader, root, NULL, "score", "a number");
	if (score && !cJSON_IsNumber(score))
		json_fail_expected(reader, NULL, "score", "a number", score);
	else if (score)
		sample->score = score->valuedouble;
	if (read_output(reader, root, values, &sample->output_count))
		sample->output = values;
	return reader->errors == 0;
}

/* One line: the header (line 1) or a sample. */
static int read_line(const char *path, unsigned number, const char *line, size_t length,
		     struct journal_header *header, float *values, journal_sample_fn on_sample,
		     void *context)
{
	char where[1100];
	struct json_reader reader = {.file = where, .errors = 0};
	struct journal_sample sample;
	cJSON *root = NULL;
	int status;

	snprintf(where, sizeof where, "%s: line %u", path, number);
	status = json_parse_object(&reader, line, length, &root);
	if (status != HB_OK)
		return status;
	if (number == 1) {
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "journal");
		if (!cJSON_IsString(schema) || strcmp(schema->valuestring, JOURNAL_SCHEMA) != 0)
			status =
			    hb_error(HB_ERR_INPUT,
				     "%s: not a hilbench journal (expected \"journal\": \"%s\")",
				     where, JOURNAL_SCHEMA);
		else if (!read_header(&reader, root, header))
			status = HB_ERR_INPUT;
	} else if (!read_sample(&reader, root, values, &sample)) {
		status = HB_ERR_INPUT;
	} else {
		status = on_sample(context, &sample);
	}
	cJSON_Delete(root);
	return status;
}

int journal_parse(const char *text, size_t length, const char *path, struct journal_header *header,
		  journal_sample_fn on_sample, void *context, uint32_t *torn)
{
	float *values = malloc(JOURNAL_MAX_OUTPUTS * sizeof *values);
	unsigned number = 0;
	int status =
	    values ? HB_OK : hb_error(HB_ERR_NOMEM, "out of memory reading journal '%s'", path);

	*torn = 0;
	memset(header, 0, sizeof *header);
	for (size_t start = 0; status == HB_OK && start < length;) {
		const char *line = text + start;
		const char *end = memchr(line, '\n', length - start);
		size_t line_length = end ? (size_t)(end - line) : length - start;
		number++;
		start += line_length + 1;
		/* Without its newline the last line was cut by an interruption:
		 * that sample runs again. */
		if (!end && number > 1) {
			(*torn)++;
			break;
		}
		status =
		    read_line(path, number, line, line_length, header, values, on_sample, context);
	}
	if (status == HB_OK && number == 0)
		status = hb_error(HB_ERR_INPUT, "'%s': empty journal (no header line)", path);
	free(values);
	return status;
}

int journal_read(const char *path, struct journal_header *header, journal_sample_fn on_sample,
		 void *context, uint32_t *torn)
{
	uint8_t *text;
	size_t length;
	int status = file_read_all(path, JOURNAL_MAX_BYTES, "a journal", &text, &length);

	*torn = 0;
	if (status != HB_OK)
		return status;
	status = journal_parse((const char *)text, length, path, header, on_sample, context, torn);
	free(text);
	return status;
}
