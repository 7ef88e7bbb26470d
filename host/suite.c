/*
 * Suites: suites/<name>/suite.json validated into struct suite. As with
 * board profiles, every problem is reported (one message each) so a suite
 * is fixed in one pass, and rules between fields run only once each field
 * is valid on its own.
 */
#include "suite.h"

#include "error.h"
#include "fileio.h"

#include <cJSON.h>
#include <math.h>
#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SUITE_SCHEMA_VERSION 1
/* A suite is a few hundred bytes plus class names. */
#define SUITE_MAX_FILE_BYTES (1024 * 1024)

struct suite_reader {
	const char *file;
	char folder[1024]; /* relative paths are resolved against it; "" = as given */
	int errors;
};

static const char *const suite_root_fields[] = {
    "schema", "name",	    "description", "models",  "inputs", "labels",
    "metric", "preprocess", "classes",	   "samples", "seed",	NULL,
};
static const char *const suite_source_fields[] = {"format", "path", "dtype", "shape", NULL};
static const char *const suite_preprocess_fields[] = {"scale", "offset", NULL};
/* Same order as the enums they name. */
static const char *const suite_metric_names[] = {"top1", "auc", "mse", NULL};
static const char *const suite_format_names[] = {"idx", "npy", "raw", NULL};
static const char *const suite_dtype_names[] = {"uint8",   "int8",    "int16", "int32",
						"float32", "float64", NULL};

const char *suite_metric_name(enum suite_metric metric)
{
	if ((unsigned)metric < sizeof suite_metric_names / sizeof suite_metric_names[0] - 1)
		return suite_metric_names[metric];
	return "unknown";
}

static void suite_fail(struct suite_reader *reader, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void suite_fail(struct suite_reader *reader, const char *format, ...)
{
	char text[768];
	va_list args;

	va_start(args, format);
	vsnprintf(text, sizeof text, format, args);
	va_end(args);
	reader->errors++;
	hb_error(HB_ERR_INPUT, "%s: %s", reader->file, text);
}

/* Text from the file ends up on a terminal: printable and bounded. */
static void suite_printable(const char *text, char *out, size_t capacity)
{
	size_t used = 0;

	for (; *text && used + 4 < capacity; text++)
		out[used++] = (*text >= 0x20 && *text < 0x7f) ? *text : '?';
	if (*text) {
		memcpy(out + used, "...", 3);
		used += 3;
	}
	out[used] = '\0';
}

/* "inputs" + "path" -> "inputs.path" */
static void suite_field_path(char *out, size_t capacity, const char *parent, const char *key)
{
	char shown[48];

	suite_printable(key, shown, sizeof shown);
	snprintf(out, capacity, "%s%s%s", parent, parent[0] ? "." : "", shown);
}

static void suite_describe(const cJSON *item, char *out, size_t capacity)
{
	if (cJSON_IsString(item)) {
		char shown[48];

		suite_printable(item->valuestring, shown, sizeof shown);
		snprintf(out, capacity, "\"%s\"", shown);
	} else if (cJSON_IsNumber(item)) {
		snprintf(out, capacity, "%.17g", item->valuedouble);
	} else if (cJSON_IsBool(item)) {
		snprintf(out, capacity, "%s", cJSON_IsTrue(item) ? "true" : "false");
	} else {
		snprintf(out, capacity, "%s",
			 cJSON_IsNull(item)    ? "null"
			 : cJSON_IsArray(item) ? "an array"
					       : "an object");
	}
}

static void suite_list(const char *const *names, char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; names[i] && used < capacity; i++) {
		int n = snprintf(out + used, capacity - used, "%s%s", i ? ", " : "", names[i]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

static int suite_index(const char *word, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(word, names[i]) == 0)
			return i;
	return -1;
}

/* Levenshtein distance with one row; long words count as far apart. */
static size_t suite_distance(const char *a, const char *b)
{
	size_t row[33], length_a = strlen(a), length_b = strlen(b);

	if (length_a > 32 || length_b > 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= length_b; j++)
		row[j] = j;
	for (size_t i = 1; i <= length_a; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (size_t j = 1; j <= length_b; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] != b[j - 1]);

			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[length_b];
}

static const char *suite_closest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t best_distance = 3;

	for (size_t i = 0; names[i]; i++) {
		size_t distance = suite_distance(word, names[i]);

		if (distance < best_distance) {
			best = names[i];
			best_distance = distance;
		}
	}
	return best;
}

/* Unknown members (with a suggestion) and repeated ones, which cJSON keeps
 * both of; `known` NULL checks only repeats. */
static void suite_check_members(struct suite_reader *reader, const cJSON *object,
				const char *parent, const char *const *known)
{
	const cJSON *child;

	cJSON_ArrayForEach(child, object)
	{
		char path[160];

		suite_field_path(path, sizeof path, parent, child->string);
		if (known && suite_index(child->string, known) < 0) {
			const char *suggestion = suite_closest(child->string, known);
			char names[256];

			if (suggestion) {
				char suggested[160];

				suite_field_path(suggested, sizeof suggested, parent, suggestion);
				suite_fail(reader, "unknown field '%s' (did you mean '%s'?)", path,
					   suggested);
			} else {
				suite_list(known, names, sizeof names);
				suite_fail(reader, "unknown field '%s' (known fields here: %s)",
					   path, names);
			}
			continue;
		}
		for (const cJSON *earlier = object->child; earlier != child;
		     earlier = earlier->next) {
			if (strcmp(earlier->string, child->string) == 0) {
				suite_fail(reader, "field '%s' appears more than once", path);
				break;
			}
		}
	}
}

/* The member, or NULL; missing is reported when `expected` is given,
 * unless a misspelling of it was already reported as unknown. */
static const cJSON *suite_member(struct suite_reader *reader, const cJSON *object,
				 const char *parent, const char *key, const char *expected)
{
	const cJSON *item = object ? cJSON_GetObjectItemCaseSensitive(object, key) : NULL;
	const cJSON *child;
	char path[160];

	if (item || !object || !expected)
		return item;
	cJSON_ArrayForEach(child, object)
	{
		if (suite_distance(child->string, key) <= 2)
			return NULL;
	}
	suite_field_path(path, sizeof path, parent, key);
	suite_fail(reader, "missing field '%s' (expected %s)", path, expected);
	return NULL;
}

static void suite_expected(struct suite_reader *reader, const char *parent, const char *key,
			   const char *expected, const cJSON *got)
{
	char path[160], shown[64];

	suite_field_path(path, sizeof path, parent, key);
	suite_describe(got, shown, sizeof shown);
	suite_fail(reader, "field '%s': expected %s, got %s", path, expected, shown);
}

static bool suite_text_valid(const char *text, bool identifier)
{
	if (!text[0])
		return false;
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			return false;
		if (identifier && !((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return false;
	}
	return true;
}

/* Validates a string item into out; `path` names it in messages. */
static bool suite_copy_text(struct suite_reader *reader, const cJSON *item, const char *path,
			    bool identifier, char *out, size_t capacity)
{
	const char *expected =
	    identifier ? "a non-empty string of letters, digits, '-' or '_'" : "a non-empty string";
	char shown[64];
	size_t length;

	if (!cJSON_IsString(item) || !suite_text_valid(item->valuestring, identifier)) {
		suite_describe(item, shown, sizeof shown);
		suite_fail(reader, "field '%s': expected %s, got %s", path, expected, shown);
		return false;
	}
	length = strlen(item->valuestring);
	if (length >= capacity) {
		suite_fail(reader, "field '%s': expected at most %zu characters, got %zu", path,
			   capacity - 1, length);
		return false;
	}
	memcpy(out, item->valuestring, length + 1);
	return true;
}

static bool suite_read_text(struct suite_reader *reader, const cJSON *object, const char *parent,
			    const char *key, bool required, bool identifier, char *out,
			    size_t capacity)
{
	const char *expected =
	    identifier ? "a non-empty string of letters, digits, '-' or '_'" : "a non-empty string";
	const cJSON *item = suite_member(reader, object, parent, key, required ? expected : NULL);
	char path[160];

	if (!item)
		return false;
	suite_field_path(path, sizeof path, parent, key);
	return suite_copy_text(reader, item, path, identifier, out, capacity);
}

static int suite_read_choice(struct suite_reader *reader, const cJSON *object, const char *parent,
			     const char *key, const char *const *names)
{
	char expected[160], list[128];
	const cJSON *item;
	int index;

	suite_list(names, list, sizeof list);
	snprintf(expected, sizeof expected, "one of %s", list);
	item = suite_member(reader, object, parent, key, expected);
	if (!item)
		return -1;
	index = cJSON_IsString(item) ? suite_index(item->valuestring, names) : -1;
	if (index < 0)
		suite_expected(reader, parent, key, expected, item);
	return index;
}

/* An exact integer in [minimum, maximum]; NaN fails every comparison. */
static bool suite_integer(const cJSON *item, double minimum, double maximum, uint32_t *out)
{
	double value;

	if (!cJSON_IsNumber(item))
		return false;
	value = item->valuedouble;
	if (!(value >= minimum && value <= maximum) || floor(value) != value)
		return false;
	*out = (uint32_t)value;
	return true;
}

static void suite_read_u32(struct suite_reader *reader, const cJSON *object, const char *key,
			   const char *expected, uint32_t *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);

	if (item && !suite_integer(item, 0, 4294967295.0, out))
		suite_expected(reader, "", key, expected, item);
}

/* Joins a path from the file onto the suite's folder (absolute ones stay). */
static void suite_resolve(struct suite_reader *reader, const char *field, const char *path,
			  char *out, size_t capacity)
{
	int n;

	size_t folder_length = strlen(reader->folder);

	if (path[0] == '/' || folder_length == 0)
		n = snprintf(out, capacity, "%s", path);
	else
		n = snprintf(out, capacity, "%s%s%s", reader->folder,
			     reader->folder[folder_length - 1] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= capacity) {
		suite_fail(reader,
			   "field '%s': expected a path of at most %zu characters once "
			   "joined to '%s'",
			   field, capacity - 1, reader->folder);
		out[0] = '\0';
	}
}

static void suite_read_models(struct suite_reader *reader, const cJSON *root, struct suite *out)
{
	const cJSON *models =
	    suite_member(reader, root, "", "models", "an object of variant names to .tflite paths");
	const cJSON *model;
	int count;

	if (!models)
		return;
	count = cJSON_GetArraySize(models);
	if (!cJSON_IsObject(models) || count < 1 || count > SUITE_MAX_MODELS) {
		char expected[96];

		snprintf(expected, sizeof expected,
			 "an object of 1 to %d variant names to .tflite paths", SUITE_MAX_MODELS);
		if (cJSON_IsObject(models))
			suite_fail(reader, "field 'models': expected %s, got %d variants", expected,
				   count);
		else
			suite_expected(reader, "", "models", expected, models);
		return;
	}
	suite_check_members(reader, models, "models", NULL);
	cJSON_ArrayForEach(model, models)
	{
		struct suite_model *slot = &out->models[out->model_count];
		char path[160], file[sizeof slot->path];
		const char *key = model->string;

		suite_field_path(path, sizeof path, "models", key);
		if (!suite_text_valid(key, true) || strlen(key) >= sizeof slot->variant) {
			suite_fail(reader,
				   "field '%s': expected a variant name of 1 to %zu letters, "
				   "digits, '-' or '_' (such as \"float32\" or \"int8\")",
				   path, sizeof slot->variant - 1);
			continue;
		}
		if (!suite_copy_text(reader, model, path, false, file, sizeof file))
			continue;
		memcpy(slot->variant, key, strlen(key) + 1);
		suite_resolve(reader, path, file, slot->path, sizeof slot->path);
		out->model_count++;
	}
}

static void suite_read_shape(struct suite_reader *reader, const cJSON *item, const char *parent,
			     struct suite_source *out)
{
	char expected[96];
	const cJSON *dim;
	int count = cJSON_GetArraySize(item);

	snprintf(expected, sizeof expected,
		 "an array of 1 to %d positive integers (the shape of one sample)",
		 VECTOR_MAX_RANK - 1);
	if (!cJSON_IsArray(item) || count < 1 || count > VECTOR_MAX_RANK - 1) {
		suite_expected(reader, parent, "shape", expected, item);
		return;
	}
	cJSON_ArrayForEach(dim, item)
	{
		uint32_t value;

		if (!suite_integer(dim, 1, INT32_MAX, &value)) {
			char path[160];
			char shown[64];

			suite_field_path(path, sizeof path, parent, "shape");
			suite_describe(dim, shown, sizeof shown);
			suite_fail(reader,
				   "field '%s[%d]': expected a positive integer below 2^31, "
				   "got %s",
				   path, (int)out->raw_rank, shown);
			out->raw_rank = 0;
			return;
		}
		out->raw_shape[out->raw_rank++] = (int32_t)value;
	}
}

/* Returns true when the source object is present (valid or not). */
static bool suite_read_source(struct suite_reader *reader, const cJSON *root, const char *key,
			      bool required, struct suite_source *out)
{
	const cJSON *source =
	    suite_member(reader, root, "", key, required ? "an object with format and path" : NULL);
	const cJSON *dtype, *shape;
	char field[32], file[sizeof out->path];
	int format, index;

	if (!source)
		return false;
	if (!cJSON_IsObject(source)) {
		suite_expected(reader, "", key, "an object with format and path", source);
		return true;
	}
	suite_check_members(reader, source, key, suite_source_fields);
	format = suite_read_choice(reader, source, key, "format", suite_format_names);
	if (format >= 0)
		out->format = (enum vector_format)format;
	snprintf(field, sizeof field, "%s.path", key);
	if (suite_read_text(reader, source, key, "path", true, false, file, sizeof file))
		suite_resolve(reader, field, file, out->path, sizeof out->path);

	dtype = cJSON_GetObjectItemCaseSensitive(source, "dtype");
	shape = cJSON_GetObjectItemCaseSensitive(source, "shape");
	if (format != VECTOR_FORMAT_RAW) {
		/* idx and npy files carry their own type and shape. */
		if (format >= 0 && (dtype || shape))
			suite_fail(reader,
				   "field '%s.%s': only used with format \"raw\" (%s files "
				   "carry their own type and shape)",
				   key, dtype ? "dtype" : "shape", suite_format_names[format]);
		return true;
	}
	index = suite_read_choice(reader, source, key, "dtype", suite_dtype_names);
	if (index >= 0)
		out->raw_dtype = (enum vector_dtype)index;
	if (!suite_member(reader, source, key, "shape",
			  "an array of positive integers (the shape of one sample)"))
		return true;
	suite_read_shape(reader, shape, key, out);
	return true;
}

static void suite_read_preprocess(struct suite_reader *reader, const cJSON *root, struct suite *out)
{
	const cJSON *preprocess = cJSON_GetObjectItemCaseSensitive(root, "preprocess");
	const cJSON *scale, *offset;

	out->input_scale = 1.0f;
	out->input_offset = 0.0f;
	if (!preprocess)
		return;
	if (!cJSON_IsObject(preprocess)) {
		suite_expected(reader, "", "preprocess", "an object with scale and offset",
			       preprocess);
		return;
	}
	suite_check_members(reader, preprocess, "preprocess", suite_preprocess_fields);
	scale = cJSON_GetObjectItemCaseSensitive(preprocess, "scale");
	offset = cJSON_GetObjectItemCaseSensitive(preprocess, "offset");
	/* The values end up as floats: a double beyond float range would
	 * silently become infinity. */
	if (scale) {
		if (cJSON_IsNumber(scale) && fabs(scale->valuedouble) <= FLT_MAX &&
		    scale->valuedouble != 0)
			out->input_scale = (float)scale->valuedouble;
		else
			suite_expected(reader, "preprocess", "scale",
				       "a finite non-zero number (input = value * scale + offset)",
				       scale);
	}
	if (offset) {
		if (cJSON_IsNumber(offset) && fabs(offset->valuedouble) <= FLT_MAX)
			out->input_offset = (float)offset->valuedouble;
		else
			suite_expected(reader, "preprocess", "offset", "a finite number", offset);
	}
}

static void suite_read_classes(struct suite_reader *reader, const cJSON *root, struct suite *out)
{
	const cJSON *classes = cJSON_GetObjectItemCaseSensitive(root, "classes");
	const cJSON *name;
	char expected[128];
	int count = cJSON_GetArraySize(classes);

	if (!classes)
		return;
	snprintf(expected, sizeof expected,
		 "an array of 2 to %d class names or a class count from 2 to %d", SUITE_MAX_CLASSES,
		 SUITE_MAX_CLASSES);
	if (cJSON_IsNumber(classes)) {
		if (!suite_integer(classes, 2, SUITE_MAX_CLASSES, &out->class_count))
			suite_expected(reader, "", "classes", expected, classes);
		return;
	}
	if (!cJSON_IsArray(classes)) {
		suite_expected(reader, "", "classes", expected, classes);
		return;
	}
	if (count < 2 || count > SUITE_MAX_CLASSES) {
		suite_fail(reader, "field 'classes': expected %s, got %d names", expected, count);
		return;
	}
	cJSON_ArrayForEach(name, classes)
	{
		char path[32];
		char *slot = out->class_names[out->class_count];

		snprintf(path, sizeof path, "classes[%u]", out->class_count);
		if (!suite_copy_text(reader, name, path, false, slot, sizeof out->class_names[0]))
			slot[0] = '\0';
		for (uint32_t i = 0; slot[0] && i < out->class_count; i++)
			if (strcmp(out->class_names[i], slot) == 0)
				suite_fail(reader,
					   "field '%s': expected a name not used before, got "
					   "\"%s\" (also classes[%u])",
					   path, slot, i);
		out->class_count++;
	}
}

/* Rules between fields, once each field is valid on its own. */
static void suite_check_metric(struct suite_reader *reader, bool has_labels, bool has_classes,
			       const struct suite *out)
{
	const char *metric = suite_metric_names[out->metric];

	if ((out->metric == SUITE_METRIC_TOP1 || out->metric == SUITE_METRIC_AUC) && !has_labels)
		suite_fail(reader,
			   "missing field 'labels' (expected an object with format and path: "
			   "metric \"%s\" compares outputs with labels)",
			   metric);
	if (out->metric == SUITE_METRIC_TOP1 && !has_classes)
		suite_fail(reader,
			   "missing field 'classes' (expected class names or a class count of "
			   "at least 2 with metric \"top1\")");
	if (out->metric != SUITE_METRIC_TOP1 && has_classes)
		suite_fail(reader,
			   "field 'classes': only used with metric \"top1\" (got metric \"%s\")",
			   metric);
}

static void suite_read_root(struct suite_reader *reader, const cJSON *root, struct suite *out)
{
	bool has_labels;
	int metric;

	suite_check_members(reader, root, "", suite_root_fields);
	suite_read_text(reader, root, "", "name", true, true, out->name, sizeof out->name);
	suite_read_text(reader, root, "", "description", false, false, out->description,
			sizeof out->description);
	suite_read_models(reader, root, out);
	suite_read_source(reader, root, "inputs", true, &out->inputs);
	has_labels = suite_read_source(reader, root, "labels", false, &out->labels);
	metric = suite_read_choice(reader, root, "", "metric", suite_metric_names);
	if (metric >= 0)
		out->metric = (enum suite_metric)metric;
	suite_read_preprocess(reader, root, out);
	suite_read_classes(reader, root, out);
	suite_read_u32(reader, root, "samples",
		       "a non-negative integer below 2^32 (0 = all samples)", &out->samples);
	suite_read_u32(reader, root, "seed", "a non-negative integer below 2^32 (0 = file order)",
		       &out->seed);
	if (!reader->errors)
		suite_check_metric(reader, has_labels,
				   cJSON_GetObjectItemCaseSensitive(root, "classes") != NULL, out);
}

static void suite_line_column(const char *text, size_t offset, unsigned *line, unsigned *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			++*line;
			*column = 1;
		} else {
			++*column;
		}
	}
}

int suite_parse(const char *text, size_t length, const char *path, struct suite *out)
{
	struct suite_reader reader;
	const char *parse_end = NULL, *slash;
	const cJSON *schema;
	unsigned line, column;
	uint32_t version;
	cJSON *root;
	char *copy;

	memset(out, 0, sizeof *out);
	memset(&reader, 0, sizeof reader);
	reader.file = path ? path : "<suite>";
	if (path && strlen(path) >= sizeof out->path)
		return hb_error(HB_ERR_INPUT, "'%s': path longer than %zu characters", path,
				sizeof out->path - 1);
	slash = path ? strrchr(path, '/') : NULL;
	/* The folder of "/suite.json" is "/", of "suite.json" the current one. */
	if (slash)
		snprintf(reader.folder, sizeof reader.folder, "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	if (memchr(text, '\0', length)) {
		suite_line_column(text, (size_t)((const char *)memchr(text, '\0', length) - text),
				  &line, &column);
		return hb_error(HB_ERR_INPUT, "%s:%u:%u: invalid JSON: NUL byte in the text",
				reader.file, line, column);
	}
	/* cJSON needs the terminator to see trailing garbage. */
	copy = malloc(length + 1);
	if (!copy)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", reader.file);
	memcpy(copy, text, length);
	copy[length] = '\0';
	root = cJSON_ParseWithLengthOpts(copy, length + 1, &parse_end, 1);
	if (!root) {
		size_t offset = parse_end >= copy ? (size_t)(parse_end - copy) : 0;

		suite_line_column(copy, offset > length ? length : offset, &line, &column);
		free(copy);
		return hb_error(HB_ERR_INPUT, "%s:%u:%u: invalid JSON", reader.file, line, column);
	}
	free(copy);
	if (!cJSON_IsObject(root)) {
		char shown[64];

		suite_describe(root, shown, sizeof shown);
		cJSON_Delete(root);
		return hb_error(HB_ERR_INPUT, "%s: expected a JSON object at the top level, got %s",
				reader.file, shown);
	}
	/* Another schema means other rules: stop before they add noise. */
	schema = suite_member(&reader, root, "", "schema", "1");
	if (schema &&
	    (!suite_integer(schema, 0, 4294967295.0, &version) || version != SUITE_SCHEMA_VERSION))
		suite_expected(&reader, "", "schema", "1", schema);
	if (!reader.errors)
		suite_read_root(&reader, root, out);
	cJSON_Delete(root);
	if (reader.errors) {
		memset(out, 0, sizeof *out);
		return HB_ERR_INPUT;
	}
	if (path)
		memcpy(out->path, path, strlen(path) + 1);
	return HB_OK;
}

int suite_load(const char *path, struct suite *out)
{
	char file[sizeof out->path];
	struct stat info;
	uint8_t *text = NULL;
	size_t length = 0;
	int status, n;

	memset(out, 0, sizeof *out);
	if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
		size_t end = strlen(path);

		while (end > 1 && path[end - 1] == '/')
			end--;
		n = snprintf(file, sizeof file, "%.*s%ssuite.json", (int)end, path,
			     path[end - 1] == '/' ? "" : "/");
	} else {
		n = snprintf(file, sizeof file, "%s", path);
	}
	if (n < 0 || (size_t)n >= sizeof file)
		return hb_error(HB_ERR_INPUT, "'%s': path longer than %zu characters", path,
				sizeof file - 1);
	status = file_read_all(file, SUITE_MAX_FILE_BYTES, "a suite file", &text, &length);
	if (status != HB_OK)
		return status;
	status = suite_parse((const char *)text, length, file, out);
	free(text);
	return status;
}
