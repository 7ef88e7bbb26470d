/*
 * Suites: suites/<name>/suite_reader.json validated into struct suite. As with
 * board profiles, every problem is reported (one message each) so a suite
 * is fixed in one pass, and rules between fields run only once each field
 * is valid on its own.
 */
#include "config/suite.h"

#include "util/error.h"
#include "util/fileio.h"
#include "util/json_read.h"

#include <cJSON.h>
#include <math.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SUITE_SCHEMA_VERSION 1
/* A suite is a few hundred bytes plus class names. */
#define SUITE_MAX_FILE_BYTES (1024 * 1024)

struct suite_reader {
	struct json_reader json;
	char folder[1024]; /* relative paths are resolved against it; "" = as given */
};

static const char *const suite_root_fields[] = {
    "schema", "name",	    "description", "models",  "inputs", "labels", "calibration",
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

int suite_calibration_source(const struct suite *suite, bool on_eval,
			     const struct suite_source **out)
{
	*out = NULL;
	if (on_eval) {
		*out = &suite->inputs;
		return HB_OK;
	}
	if (!suite->has_calibration)
		return hb_error(HB_ERR_INPUT,
				"%s: no field 'calibration' (expected the inputs to calibrate "
				"on, apart from the evaluation 'inputs'); --calib-on-eval "
				"calibrates on the evaluation inputs, and the record says so",
				suite->path[0] ? suite->path : "<suite>");
	*out = &suite->calibration;
	return HB_OK;
}

/* Joins a path from the file onto the suite's folder (absolute ones stay). */
static void suite_resolve(struct suite_reader *suite_reader, const char *field, const char *path,
			  char *out, size_t capacity)
{
	size_t folder_length = strlen(suite_reader->folder);
	int n;

	if (path[0] == '/' || folder_length == 0)
		n = snprintf(out, capacity, "%s", path);
	else
		n = snprintf(out, capacity, "%s%s%s", suite_reader->folder,
			     suite_reader->folder[folder_length - 1] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= capacity) {
		json_fail(&suite_reader->json,
			  "field '%s': expected a path of at most %zu characters once "
			  "joined to '%s'",
			  field, capacity - 1, suite_reader->folder);
		out[0] = '\0';
	}
}

static void suite_read_models(struct suite_reader *suite_reader, const cJSON *root,
			      struct suite *out)
{
	struct json_reader *reader = &suite_reader->json;
	const cJSON *models =
	    json_member(reader, root, "", "models", "an object of variant names to .tflite paths");
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
			json_fail(reader, "field 'models': expected %s, got %d variants", expected,
				  count);
		else
			json_fail_expected(reader, "", "models", expected, models);
		return;
	}
	json_check_members(reader, models, "models", NULL);
	cJSON_ArrayForEach(model, models)
	{
		struct suite_model *slot = &out->models[out->model_count];
		char path[160], file[sizeof slot->path];
		const char *key = model->string;

		json_field_path(path, sizeof path, "models", key);
		if (!json_string_is_kind(key, JSON_STRING_IDENTIFIER) ||
		    strlen(key) >= sizeof slot->variant) {
			json_fail(reader,
				  "field '%s': expected a variant name of 1 to %zu letters, "
				  "digits, '-' or '_' (such as \"float32\" or \"int8\")",
				  path, sizeof slot->variant - 1);
			continue;
		}
		if (!json_copy_string(reader, model, path, JSON_STRING_TEXT, file, sizeof file))
			continue;
		memcpy(slot->variant, key, strlen(key) + 1);
		suite_resolve(suite_reader, path, file, slot->path, sizeof slot->path);
		out->model_count++;
	}
}

static void suite_read_shape(struct json_reader *reader, const cJSON *item, const char *parent,
			     struct suite_source *out)
{
	char expected[96];
	const cJSON *dim;
	int count = cJSON_GetArraySize(item);

	snprintf(expected, sizeof expected,
		 "an array of 1 to %d positive integers (the shape of one sample)",
		 VECTOR_MAX_RANK - 1);
	if (!cJSON_IsArray(item) || count < 1 || count > VECTOR_MAX_RANK - 1) {
		json_fail_expected(reader, parent, "shape", expected, item);
		return;
	}
	cJSON_ArrayForEach(dim, item)
	{
		uint32_t value;

		if (!json_number_to_u32(dim, 1, INT32_MAX, &value)) {
			char path[160];
			char shown[64];

			json_field_path(path, sizeof path, parent, "shape");
			json_describe(dim, shown, sizeof shown);
			json_fail(reader,
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
static bool suite_read_source(struct suite_reader *suite_reader, const cJSON *root, const char *key,
			      bool required, struct suite_source *out)
{
	struct json_reader *reader = &suite_reader->json;
	const cJSON *source =
	    json_member(reader, root, "", key, required ? "an object with format and path" : NULL);
	const cJSON *dtype, *shape;
	char field[32], file[sizeof out->path];
	int format, index;

	if (!source)
		return false;
	if (!cJSON_IsObject(source)) {
		json_fail_expected(reader, "", key, "an object with format and path", source);
		return true;
	}
	json_check_members(reader, source, key, suite_source_fields);
	format = json_read_choice(reader, source, key, "format", suite_format_names);
	if (format >= 0)
		out->format = (enum vector_format)format;
	snprintf(field, sizeof field, "%s.path", key);
	if (json_read_string(reader, source, key, "path", true, JSON_STRING_TEXT, file,
			     sizeof file))
		suite_resolve(suite_reader, field, file, out->path, sizeof out->path);

	dtype = cJSON_GetObjectItemCaseSensitive(source, "dtype");
	shape = cJSON_GetObjectItemCaseSensitive(source, "shape");
	if (format != VECTOR_FORMAT_RAW) {
		/* idx and npy files carry their own type and shape. */
		if (format >= 0 && (dtype || shape))
			json_fail(reader,
				  "field '%s.%s': only used with format \"raw\" (%s files "
				  "carry their own type and shape)",
				  key, dtype ? "dtype" : "shape", suite_format_names[format]);
		return true;
	}
	index = json_read_choice(reader, source, key, "dtype", suite_dtype_names);
	if (index >= 0)
		out->raw_dtype = (enum vector_dtype)index;
	if (!json_member(reader, source, key, "shape",
			 "an array of positive integers (the shape of one sample)"))
		return true;
	suite_read_shape(reader, shape, key, out);
	return true;
}

static void suite_read_preprocess(struct json_reader *reader, const cJSON *root, struct suite *out)
{
	const cJSON *preprocess = cJSON_GetObjectItemCaseSensitive(root, "preprocess");
	const cJSON *scale, *offset;

	out->input_scale = 1.0f;
	out->input_offset = 0.0f;
	if (!preprocess)
		return;
	if (!cJSON_IsObject(preprocess)) {
		json_fail_expected(reader, "", "preprocess", "an object with scale and offset",
				   preprocess);
		return;
	}
	json_check_members(reader, preprocess, "preprocess", suite_preprocess_fields);
	scale = cJSON_GetObjectItemCaseSensitive(preprocess, "scale");
	offset = cJSON_GetObjectItemCaseSensitive(preprocess, "offset");
	/* The values end up as floats: a double beyond float range would
	 * silently become infinity. */
	if (scale) {
		if (cJSON_IsNumber(scale) && fabs(scale->valuedouble) <= FLT_MAX &&
		    scale->valuedouble != 0)
			out->input_scale = (float)scale->valuedouble;
		else
			json_fail_expected(
			    reader, "preprocess", "scale",
			    "a finite non-zero number (input = value * scale + offset)", scale);
	}
	if (offset) {
		if (cJSON_IsNumber(offset) && fabs(offset->valuedouble) <= FLT_MAX)
			out->input_offset = (float)offset->valuedouble;
		else
			json_fail_expected(reader, "preprocess", "offset", "a finite number",
					   offset);
	}
}

static void suite_read_classes(struct json_reader *reader, const cJSON *root, struct suite *out)
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
		if (!json_number_to_u32(classes, 2, SUITE_MAX_CLASSES, &out->class_count))
			json_fail_expected(reader, "", "classes", expected, classes);
		return;
	}
	if (!cJSON_IsArray(classes)) {
		json_fail_expected(reader, "", "classes", expected, classes);
		return;
	}
	if (count < 2 || count > SUITE_MAX_CLASSES) {
		json_fail(reader, "field 'classes': expected %s, got %d names", expected, count);
		return;
	}
	cJSON_ArrayForEach(name, classes)
	{
		char path[32];
		char *slot = out->class_names[out->class_count];

		snprintf(path, sizeof path, "classes[%u]", out->class_count);
		if (!json_copy_string(reader, name, path, JSON_STRING_TEXT, slot,
				      sizeof out->class_names[0]))
			slot[0] = '\0';
		for (uint32_t i = 0; slot[0] && i < out->class_count; i++)
			if (strcmp(out->class_names[i], slot) == 0)
				json_fail(reader,
					  "field '%s': expected a name not used before, got "
					  "\"%s\" (also classes[%u])",
					  path, slot, i);
		out->class_count++;
	}
}

/* Rules between fields, once each field is valid on its own. */
static void suite_check_metric(struct json_reader *reader, bool has_labels, bool has_classes,
			       const struct suite *out)
{
	const char *metric = suite_metric_names[out->metric];

	if ((out->metric == SUITE_METRIC_TOP1 || out->metric == SUITE_METRIC_AUC) && !has_labels)
		json_fail(reader,
			  "missing field 'labels' (expected an object with format and path: "
			  "metric \"%s\" compares outputs with labels)",
			  metric);
	if (out->metric == SUITE_METRIC_TOP1 && !has_classes)
		json_fail(reader,
			  "missing field 'classes' (expected class names or a class count of "
			  "at least 2 with metric \"top1\")");
	if (out->metric != SUITE_METRIC_TOP1 && has_classes)
		json_fail(reader,
			  "field 'classes': only used with metric \"top1\" (got metric \"%s\")",
			  metric);
}

static void suite_read_root(struct suite_reader *suite_reader, const cJSON *root, struct suite *out)
{
	struct json_reader *reader = &suite_reader->json;
	bool has_labels;
	int metric;

	json_check_members(reader, root, "", suite_root_fields);
	json_read_string(reader, root, "", "name", true, JSON_STRING_IDENTIFIER, out->name,
			 sizeof out->name);
	json_read_string(reader, root, "", "description", false, JSON_STRING_TEXT, out->description,
			 sizeof out->description);
	suite_read_models(suite_reader, root, out);
	suite_read_source(suite_reader, root, "inputs", true, &out->inputs);
	has_labels = suite_read_source(suite_reader, root, "labels", false, &out->labels);
	out->has_calibration =
	    suite_read_source(suite_reader, root, "calibration", false, &out->calibration);
	metric = json_read_choice(reader, root, "", "metric", suite_metric_names);
	if (metric >= 0)
		out->metric = (enum suite_metric)metric;
	suite_read_preprocess(reader, root, out);
	suite_read_classes(reader, root, out);
	json_read_u32(reader, root, "", "samples", false, 0,
		      "a non-negative integer below 2^32 (0 = all samples)", &out->samples);
	json_read_u32(reader, root, "", "seed", false, 0,
		      "a non-negative integer below 2^32 (0 = file order)", &out->seed);
	if (!reader->errors)
		suite_check_metric(reader, has_labels,
				   cJSON_GetObjectItemCaseSensitive(root, "classes") != NULL, out);
}

int suite_parse(const char *text, size_t length, const char *path, struct suite *out)
{
	struct suite_reader suite_reader;
	const char *slash;
	cJSON *root;
	int status;

	memset(out, 0, sizeof *out);
	memset(&suite_reader, 0, sizeof suite_reader);
	suite_reader.json.file = path ? path : "<suite>";
	if (path && strlen(path) >= sizeof out->path)
		return hb_error(HB_ERR_INPUT, "'%s': path longer than %zu characters", path,
				sizeof out->path - 1);
	slash = path ? strrchr(path, '/') : NULL;
	/* The folder of "/suite.json" is "/", of "suite.json" the current one. */
	if (slash)
		snprintf(suite_reader.folder, sizeof suite_reader.folder, "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	status = json_parse_object(&suite_reader.json, text, length, &root);
	if (status != HB_OK)
		return status;
	/* Another schema means other rules: stop before they add noise. */
	json_check_schema(&suite_reader.json, root, SUITE_SCHEMA_VERSION);
	if (!suite_reader.json.errors)
		suite_read_root(&suite_reader, root, out);
	cJSON_Delete(root);
	if (suite_reader.json.errors) {
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
