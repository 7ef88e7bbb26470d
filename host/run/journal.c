#include "run/journal.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json_read.h"

#define JOURNAL_MAX_BYTES ((size_t)1 << 30)
/* ,"crc32":"xxxxxxxx"} ends every line: 10 + 8 + 2 bytes. */
#define JOURNAL_SEAL_KEY    ",\"crc32\":\""
#define JOURNAL_SEAL_LENGTH 20u

static const char *const journal_header_fields[] = {"journal", "suite", "board", "samples",
						    "seed",    "crc32", NULL};
static const char *const journal_sample_fields[] = {"variant",
						    "index",
						    "sample",
						    "label",
						    "ticks",
						    "equal",
						    "score",
						    "max_abs_error",
						    "stack_high_water",
						    "inference_stack",
						    "arena_used",
						    "output",
						    "crc32",
						    NULL};

char *journal_seal(const char *object, size_t length)
{
	char *line;

	if (length == 0 || object[length - 1] != '}')
		return NULL;
	line = malloc(length - 1 + JOURNAL_SEAL_LENGTH + 1);
	if (!line)
		return NULL;
	memcpy(line, object, length - 1);
	snprintf(line + length - 1, JOURNAL_SEAL_LENGTH + 1, "%s%08" PRIx32 "\"}", JOURNAL_SEAL_KEY,
		 crc32_compute(object, length - 1));
	return line;
}

/* True when the line ends in the crc32 member and the CRC of the text
 * before it matches. */
static bool line_sealed(const char *line, size_t length)
{
	const char *seal = line + length - JOURNAL_SEAL_LENGTH;
	uint32_t crc = 0;

	if (length <= JOURNAL_SEAL_LENGTH ||
	    memcmp(seal, JOURNAL_SEAL_KEY, sizeof JOURNAL_SEAL_KEY - 1) != 0 ||
	    memcmp(line + length - 2, "\"}", 2) != 0)
		return false;
	for (size_t i = sizeof JOURNAL_SEAL_KEY - 1; i < JOURNAL_SEAL_LENGTH - 2; i++) {
		const char c = seal[i];
		const int digit = c >= '0' && c <= '9'	 ? c - '0'
				  : c >= 'a' && c <= 'f' ? c - 'a' + 10
							 : -1;
		if (digit < 0)
			return false;
		crc = crc << 4 | (uint32_t)digit;
	}
	return crc == crc32_compute(line, length - JOURNAL_SEAL_LENGTH);
}

/* The sealed text of a line, or NULL (out of memory). Consumes line. */
static char *seal_json(cJSON *line)
{
	char *text = cJSON_PrintUnformatted(line);
	char *sealed = text ? journal_seal(text, strlen(text)) : NULL;

	cJSON_Delete(line);
	free(text);
	return sealed;
}

int journal_create(const char *path, const struct journal_header *header, FILE **out)
{
	cJSON *line = cJSON_CreateObject();
	char *text;
	size_t length;
	int status;

	cJSON_AddStringToObject(line, "journal", JOURNAL_SCHEMA);
	cJSON_AddStringToObject(line, "suite", header->suite);
	cJSON_AddStringToObject(line, "board", header->board);
	cJSON_AddNumberToObject(line, "samples", header->samples);
	cJSON_AddNumberToObject(line, "seed", header->seed);
	text = seal_json(line);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory writing journal '%s'", path);
	length = strlen(text);
	text[length] = '\n'; /* over the terminator: the write is counted */
	status = file_write_atomic(path, text, length + 1);
	free(text);
	return status == HB_OK ? journal_open_append(path, length + 1, out) : status;
}

int journal_open_append(const char *path, size_t valid_bytes, FILE **out)
{
	FILE *file = fopen(path, "r+");

	*out = NULL;
	if (!file)
		return hb_error(HB_ERR_IO, "cannot append to journal '%s': %s", path,
				strerror(errno));
	/* What follows the kept lines (a torn line) goes, on disk, before
	 * anything new is written after it. */
	if (ftruncate(fileno(file), (off_t)valid_bytes) != 0 || fdatasync(fileno(file)) != 0 ||
	    fseek(file, 0, SEEK_END) != 0) {
		int saved = errno;
		fclose(file);
		return hb_error(HB_ERR_IO, "cannot append to journal '%s': %s", path,
				strerror(saved));
	}
	*out = file;
	return HB_OK;
}

/* A figure the board measured, or null when its protocol gives none. */
static void add_count(cJSON *line, const char *name, bool counted, double value)
{
	if (counted)
		cJSON_AddNumberToObject(line, name, value);
	else
		cJSON_AddNullToObject(line, name);
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
	add_count(line, "ticks", sample->counted, (double)sample->ticks);
	cJSON_AddBoolToObject(line, "equal", sample->equal);
	cJSON_AddNumberToObject(line, "score", sample->score);
	cJSON_AddNumberToObject(line, "max_abs_error", sample->max_abs_error);
	add_count(line, "stack_high_water", sample->counted, sample->stack_high_water);
	add_count(line, "inference_stack", sample->counted, sample->inference_stack);
	add_count(line, "arena_used", sample->counted, sample->arena_used);
	output = cJSON_AddArrayToObject(line, "output");
	for (uint32_t i = 0; i < sample->output_count; i++)
		cJSON_AddItemToArray(output, cJSON_CreateNumber(sample->output[i]));
	text = seal_json(line);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory writing journal '%s'", path);
	/* On the disk, not only in the page cache, before the next sample
	 * starts: a kill or a power cut loses at most the line being written. */
	written = fprintf(journal, "%s\n", text);
	free(text);
	if (written < 0 || fflush(journal) != 0 || fdatasync(fileno(journal)) != 0)
		return hb_error(HB_ERR_IO, "cannot write journal '%s': %s", path, strerror(errno));
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

/* A memory figure: a byte count when the line's ticks are, null when they are null. */
static void read_figure(struct json_reader *reader, const cJSON *root, const char *name,
			bool counted, uint32_t *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, name);

	if (counted)
		json_read_u32(reader, root, NULL, name, true, 0, "a byte count", out);
	else if (!cJSON_IsNull(item))
		json_fail_expected(reader, NULL, name, "null, as the line's ticks are", item);
}

static bool read_sample(struct json_reader *reader, const cJSON *root, float *values,
			struct journal_sample *sample)
{
	const cJSON *score, *error;

	memset(sample, 0, sizeof *sample);
	json_check_members(reader, root, NULL, journal_sample_fields);
	json_read_string(reader, root, NULL, "variant", true, JSON_STRING_IDENTIFIER,
			 sample->variant, sizeof sample->variant);
	json_read_u32(reader, root, NULL, "index", true, 0, "a sample position", &sample->index);
	json_read_u32(reader, root, NULL, "sample", true, 0, "a sample index", &sample->sample);
	json_read_u32(reader, root, NULL, "label", true, 0, "a label", &sample->label);
	json_read_bool(reader, root, NULL, "equal", &sample->equal);
	sample->counted = !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "ticks"));
	if (sample->counted)
		read_ticks(reader, root, &sample->ticks);
	score = json_member(reader, root, NULL, "score", "a number");
	if (score && !cJSON_IsNumber(score))
		json_fail_expected(reader, NULL, "score", "a number", score);
	else if (score)
		sample->score = score->valuedouble;
	error = json_member(reader, root, NULL, "max_abs_error", "a number");
	if (error && (!cJSON_IsNumber(error) || !(error->valuedouble >= 0)))
		json_fail_expected(reader, NULL, "max_abs_error", "a number of at least 0", error);
	else if (error)
		sample->max_abs_error = error->valuedouble;
	read_figure(reader, root, "stack_high_water", sample->counted, &sample->stack_high_water);
	read_figure(reader, root, "inference_stack", sample->counted, &sample->inference_stack);
	read_figure(reader, root, "arena_used", sample->counted, &sample->arena_used);
	if (read_output(reader, root, values, &sample->output_count))
		sample->output = values;
	return reader->errors == 0;
}

/* Line 1 without a valid seal: an older journal, another file, or damage. */
static int refuse_header(const char *where, const char *line, size_t length)
{
	/* Parsed quietly: why the line is not a header is the message, not
	 * where its JSON breaks. */
	cJSON *root = memchr(line, '\0', length) ? NULL : cJSON_ParseWithLength(line, length);
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "journal");
	char shown[40];
	int status;

	if (cJSON_IsString(schema) && strncmp(schema->valuestring, "hilbench.journal/", 17) == 0 &&
	    strcmp(schema->valuestring, JOURNAL_SCHEMA) != 0) {
		json_printable(schema->valuestring, shown, sizeof shown);
		status = hb_error(HB_ERR_INPUT,
				  "%s: journal schema '%s' (lines without checksums, from an "
				  "older hilbench) cannot be resumed by this one (%s): finish it "
				  "with the hilbench that started it, or run the suite again "
				  "without --resume",
				  where, shown, JOURNAL_SCHEMA);
	} else if (!cJSON_IsString(schema) || strcmp(schema->valuestring, JOURNAL_SCHEMA) != 0)
		status = hb_error(HB_ERR_INPUT,
				  "%s: not a hilbench journal (expected \"journal\": \"%s\")",
				  where, JOURNAL_SCHEMA);
	else
		status =
		    hb_error(HB_ERR_INPUT,
			     "%s: the header fails its checksum (the line was damaged after it "
			     "was written): run the suite again without --resume",
			     where);
	cJSON_Delete(root);
	return status;
}

/* One checked line: the header (line 1) or a sample. */
static int read_line(const char *where, unsigned number, const char *line, size_t length,
		     struct journal_header *header, float *values, journal_sample_fn on_sample,
		     void *context)
{
	struct json_reader reader = {.file = where, .errors = 0};
	struct journal_sample sample;
	cJSON *root = NULL;
	int status = json_parse_object(&reader, line, length, &root);

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

/* Checks one line's seal and reads it. *dropped is set when it is the last
 * line and torn: the kill that cut it is what --resume is for. */
static int check_line(const char *path, unsigned number, const char *line, size_t length,
		      bool has_newline, bool is_last, struct journal_header *header, float *values,
		      journal_sample_fn on_sample, void *context, bool *dropped)
{
	char where[1100];
	const bool sealed = has_newline && line_sealed(line, length);

	snprintf(where, sizeof where, "%s: line %u", path, number);
	*dropped = false;
	if (number == 1 && !has_newline)
		return hb_error(HB_ERR_INPUT,
				"%s: the header is cut short (the run ended before it had "
				"started): run the suite again without --resume",
				where);
	if (number == 1 && !sealed)
		return refuse_header(where, line, length);
	if (!sealed && is_last) {
		hb_warn("%s: %s, so the last line is dropped: the run was interrupted while "
			"writing it, and that sample runs again",
			where, has_newline ? "fails its checksum" : "is cut short (no newline)");
		*dropped = true;
		return HB_OK;
	}
	if (!sealed)
		return hb_error(
		    HB_ERR_INPUT,
		    "%s: fails its checksum: the line was damaged after it was written, "
		    "and a damaged line before the last is never used; run the suite "
		    "again without --resume (or cut the journal before line %u to keep "
		    "the samples above it)",
		    where, number);
	return read_line(where, number, line, length, header, values, on_sample, context);
}

int journal_parse(const char *text, size_t length, const char *path, struct journal_header *header,
		  journal_sample_fn on_sample, void *context, struct journal_tail *tail)
{
	float *values = malloc(JOURNAL_MAX_OUTPUTS * sizeof *values);
	unsigned number = 0;
	int status =
	    values ? HB_OK : hb_error(HB_ERR_NOMEM, "out of memory reading journal '%s'", path);

	memset(tail, 0, sizeof *tail);
	memset(header, 0, sizeof *header);
	for (size_t start = 0; status == HB_OK && start < length;) {
		const char *line = text + start;
		const char *end = memchr(line, '\n', length - start);
		size_t line_length = end ? (size_t)(end - line) : length - start;
		bool dropped;

		number++;
		start += line_length + 1;
		status = check_line(path, number, line, line_length, end != NULL, start >= length,
				    header, values, on_sample, context, &dropped);
		if (dropped)
			tail->dropped_line = number;
		else if (status == HB_OK)
			tail->valid_bytes = start;
	}
	if (status == HB_OK && number == 0)
		status =
		    hb_error(HB_ERR_INPUT,
			     "'%s': empty journal (no header line): run the suite again without "
			     "--resume",
			     path);
	free(values);
	return status;
}

int journal_read(const char *path, struct journal_header *header, journal_sample_fn on_sample,
		 void *context, struct journal_tail *tail)
{
	uint8_t *text;
	size_t length;
	int status = file_read_all(path, JOURNAL_MAX_BYTES, "a journal", &text, &length);

	memset(tail, 0, sizeof *tail);
	if (status != HB_OK)
		return status;
	status = journal_parse((const char *)text, length, path, header, on_sample, context, tail);
	free(text);
	return status;
}
