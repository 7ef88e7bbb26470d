/* Suites: a valid suite.json parses into the typed struct with paths
 * resolved, and every rule rejects with a message naming the file, the
 * field and what was expected. */
#include <criterion/criterion.h>

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "config/suite.h"
#include "config/vectors.h"

#define SUITE_TEST_PATH	  "suites/fmnist/suite.json"
#define SUITE_TEST_FMNIST "/usr/share/datasets/fashion-mnist"

static char suite_test_log[16384];
static char suite_test_dir[64];

static void suite_test_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(suite_test_log);
	(void)level;
	(void)context;
	snprintf(suite_test_log + used, sizeof suite_test_log - used, "%s\n", message);
}

static void suite_test_setup(void)
{
	suite_test_log[0] = '\0';
	suite_test_dir[0] = '\0';
	hb_log_set_sink(suite_test_sink, NULL);
}

static void suite_test_teardown(void)
{
	char path[128];

	hb_log_set_sink(NULL, NULL);
	if (!suite_test_dir[0])
		return;
	snprintf(path, sizeof path, "%s/suite.json", suite_test_dir);
	unlink(path);
	rmdir(suite_test_dir);
}

TestSuite(suite, .init = suite_test_setup, .fini = suite_test_teardown);

static const char suite_test_fmnist[] =
    "{\n"
    "  \"schema\": 1,\n"
    "  \"name\": \"fmnist\",\n"
    "  \"description\": \"Fashion-MNIST, 28x28 grey images, 10 classes\",\n"
    "  \"models\": { \"float32\": \"fmnist_float32.tflite\", \"int8\": \"/opt/m/int8.tflite\" },\n"
    "  \"inputs\": { \"format\": \"idx\", \"path\": "
    "\"/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz\" },\n"
    "  \"labels\": { \"format\": \"idx\", \"path\": \"data/labels.idx\" },\n"
    "  \"preprocess\": { \"scale\": 0.00392156862745098, \"offset\": -0.5 },\n"
    "  \"metric\": \"top1\",\n"
    "  \"classes\": [\"T-shirt/top\", \"Trouser\", \"Pullover\", \"Dress\", \"Coat\",\n"
    "              \"Sandal\", \"Shirt\", \"Sneaker\", \"Bag\", \"Ankle boot\"],\n"
    "  \"samples\": 1000,\n"
    "  \"seed\": 1\n"
    "}\n";

/* A copy of `base` with the member at dotted `path` set to the JSON text
 * `value` (added when missing), or removed when `value` is NULL. */
static char *suite_test_edit(const char *base, const char *path, const char *value)
{
	cJSON *root = cJSON_Parse(base);
	cJSON *object = root;
	const char *dot;
	char key[64];
	char *text;

	cr_assert_not_null(root);
	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
		object = cJSON_GetObjectItemCaseSensitive(object, key);
		cr_assert_not_null(object, "no object '%s' in the fixture", key);
		path = dot + 1;
	}
	if (!value) {
		cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(object, path), "%s", path);
		cJSON_DeleteItemFromObjectCaseSensitive(object, path);
	} else {
		cJSON *item = cJSON_Parse(value);

		cr_assert_not_null(item, "bad test value %s", value);
		if (cJSON_GetObjectItemCaseSensitive(object, path))
			cJSON_ReplaceItemInObjectCaseSensitive(object, path, item);
		else
			cJSON_AddItemToObject(object, path, item);
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	cr_assert_not_null(text);
	return text;
}

static char *suite_test_edit2(const char *base, const char *path1, const char *value1,
			      const char *path2, const char *value2)
{
	char *first = suite_test_edit(base, path1, value1);
	char *second = suite_test_edit(first, path2, value2);

	free(first);
	return second;
}

/* suite_test_edit2 on an edited copy, which it frees. */
static char *suite_test_more(char *text, const char *path1, const char *value1, const char *path2,
			     const char *value2)
{
	char *edited = suite_test_edit2(text, path1, value1, path2, value2);

	free(text);
	return edited;
}

/* Parses `text`, expects HB_ERR_INPUT, the file name and every needle in
 * the messages, and a zeroed struct. Frees `text`. */
static void suite_test_expect_error(char *text, ...)
{
	struct suite suite;
	const char *needle;
	va_list needles;
	int status;

	suite_test_log[0] = '\0';
	status = suite_parse(text, strlen(text), SUITE_TEST_PATH, &suite);
	cr_assert_eq(status, HB_ERR_INPUT, "status %d for:\n%s\nlog: %s", status, text,
		     suite_test_log);
	cr_assert_not_null(strstr(suite_test_log, SUITE_TEST_PATH ":"), "file not named in: %s",
			   suite_test_log);
	va_start(needles, text);
	while ((needle = va_arg(needles, const char *)))
		cr_assert_not_null(strstr(suite_test_log, needle), "expected \"%s\" in: %s", needle,
				   suite_test_log);
	va_end(needles);
	cr_assert_eq(suite.name[0], '\0', "a rejected suite must come back zeroed");
	cr_assert_eq(suite.model_count, 0);
	free(text);
}

static void suite_test_expect_valid(char *text, struct suite *out)
{
	int status;

	suite_test_log[0] = '\0';
	status = suite_parse(text, strlen(text), SUITE_TEST_PATH, out);
	cr_assert_eq(status, HB_OK, "status %d for:\n%s\nlog: %s", status, text, suite_test_log);
	cr_assert_eq(suite_test_log[0], '\0', "a valid suite must not log: %s", suite_test_log);
	free(text);
}

static char *suite_test_copy(const char *text)
{
	char *copy = strdup(text);

	cr_assert_not_null(copy);
	return copy;
}

static void suite_test_make_dir(void)
{
	snprintf(suite_test_dir, sizeof suite_test_dir, "/tmp/hb-suite-XXXXXX");
	cr_assert_not_null(mkdtemp(suite_test_dir));
}

static void suite_test_write(const char *text)
{
	char path[128];
	FILE *file;

	snprintf(path, sizeof path, "%s/suite.json", suite_test_dir);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	cr_assert_eq(fputs(text, file) >= 0, 1);
	cr_assert_eq(fclose(file), 0);
}

Test(suite, fmnist_example_parses)
{
	struct suite suite;

	suite_test_expect_valid(suite_test_copy(suite_test_fmnist), &suite);
	cr_assert_str_eq(suite.path, SUITE_TEST_PATH);
	cr_assert_str_eq(suite.name, "fmnist");
	cr_assert_str_eq(suite.description, "Fashion-MNIST, 28x28 grey images, 10 classes");
	cr_assert_eq(suite.model_count, 2);
	cr_assert_str_eq(suite.models[0].variant, "float32");
	cr_assert_str_eq(suite.models[0].path, "suites/fmnist/fmnist_float32.tflite");
	cr_assert_str_eq(suite.models[1].variant, "int8");
	cr_assert_str_eq(suite.models[1].path, "/opt/m/int8.tflite");
	cr_assert_eq(suite.inputs.format, VECTOR_FORMAT_IDX);
	cr_assert_str_eq(suite.inputs.path, SUITE_TEST_FMNIST "/t10k-images-idx3-ubyte.gz");
	cr_assert_eq(suite.labels.format, VECTOR_FORMAT_IDX);
	cr_assert_str_eq(suite.labels.path, "suites/fmnist/data/labels.idx");
	cr_assert_float_eq(suite.input_scale, 1.0f / 255.0f, 1e-9);
	cr_assert_float_eq(suite.input_offset, -0.5f, 0);
	cr_assert_eq(suite.metric, SUITE_METRIC_TOP1);
	cr_assert_eq(suite.class_count, 10);
	cr_assert_str_eq(suite.class_names[0], "T-shirt/top");
	cr_assert_str_eq(suite.class_names[9], "Ankle boot");
	cr_assert_eq(suite.samples, 1000);
	cr_assert_eq(suite.seed, 1);
	cr_assert_str_eq(suite_metric_name(suite.metric), "top1");
}

Test(suite, optional_fields_take_defaults)
{
	struct suite suite;
	char *text = suite_test_edit(suite_test_fmnist, "description", NULL);

	text = suite_test_more(text, "preprocess", NULL, "samples", NULL);
	text = suite_test_more(text, "seed", NULL, "classes", "3");
	suite_test_expect_valid(text, &suite);
	cr_assert_eq(suite.description[0], '\0');
	cr_assert_float_eq(suite.input_scale, 1.0f, 0);
	cr_assert_float_eq(suite.input_offset, 0.0f, 0);
	cr_assert_eq(suite.samples, 0);
	cr_assert_eq(suite.seed, 0);
	cr_assert_eq(suite.class_count, 3);
	cr_assert_eq(suite.class_names[0][0], '\0');
}

Test(suite, raw_sources_and_other_metrics)
{
	struct suite suite;
	char *text = suite_test_edit2(
	    suite_test_fmnist, "inputs",
	    "{\"format\": \"raw\", \"path\": \"x.bin\", \"dtype\": \"float32\", \"shape\": [640]}",
	    "labels", "{\"format\": \"npy\", \"path\": \"y.npy\"}");

	text = suite_test_more(text, "metric", "\"auc\"", "classes", NULL);
	suite_test_expect_valid(text, &suite);
	cr_assert_eq(suite.metric, SUITE_METRIC_AUC);
	cr_assert_eq(suite.inputs.format, VECTOR_FORMAT_RAW);
	cr_assert_str_eq(suite.inputs.path, "suites/fmnist/x.bin");
	cr_assert_eq(suite.inputs.raw_dtype, VECTOR_DTYPE_FLOAT32);
	cr_assert_eq(suite.inputs.raw_rank, 1);
	cr_assert_eq(suite.inputs.raw_shape[0], 640);
	cr_assert_eq(suite.labels.format, VECTOR_FORMAT_NPY);
	cr_assert_eq(suite.class_count, 0);

	/* mse may go without labels. */
	text = suite_test_edit2(suite_test_fmnist, "metric", "\"mse\"", "classes", NULL);
	text = suite_test_more(text, "labels", NULL, "inputs",
			       "{\"format\": \"raw\", \"path\": \"x.bin\", \"dtype\": \"int8\", "
			       "\"shape\": [2, 3, 4, 5, 6]}");
	suite_test_expect_valid(text, &suite);
	cr_assert_eq(suite.metric, SUITE_METRIC_MSE);
	cr_assert_eq(suite.labels.path[0], '\0', "no labels: empty path");
	cr_assert_eq(suite.inputs.raw_rank, 5);
	cr_assert_eq(suite.inputs.raw_shape[4], 6);
	cr_assert_str_eq(suite_metric_name(SUITE_METRIC_MSE), "mse");
	cr_assert_str_eq(suite_metric_name(SUITE_METRIC_AUC), "auc");
	cr_assert_str_eq(suite_metric_name((enum suite_metric)9), "unknown");
}

Test(suite, paths_resolve_against_the_suite_folder)
{
	struct suite suite;
	char *text = suite_test_copy(suite_test_fmnist);

	cr_assert_eq(suite_parse(text, strlen(text), "suite.json", &suite), HB_OK, "%s",
		     suite_test_log);
	cr_assert_str_eq(suite.models[0].path, "fmnist_float32.tflite");
	cr_assert_str_eq(suite.labels.path, "data/labels.idx");
	cr_assert_eq(suite_parse(text, strlen(text), "/suite.json", &suite), HB_OK, "%s",
		     suite_test_log);
	cr_assert_str_eq(suite.models[0].path, "/fmnist_float32.tflite");
	cr_assert_eq(suite_parse(text, strlen(text), NULL, &suite), HB_OK, "%s", suite_test_log);
	cr_assert_str_eq(suite.path, "");
	cr_assert_str_eq(suite.models[0].path, "fmnist_float32.tflite");
	free(text);
}

Test(suite, load_accepts_a_folder_or_a_file)
{
	struct suite suite;
	char path[128];

	suite_test_make_dir();
	suite_test_write(suite_test_fmnist);
	cr_assert_eq(suite_load(suite_test_dir, &suite), HB_OK, "%s", suite_test_log);
	snprintf(path, sizeof path, "%s/suite.json", suite_test_dir);
	cr_assert_str_eq(suite.path, path);
	snprintf(path, sizeof path, "%s/fmnist_float32.tflite", suite_test_dir);
	cr_assert_str_eq(suite.models[0].path, path);

	snprintf(path, sizeof path, "%s/", suite_test_dir);
	cr_assert_eq(suite_load(path, &suite), HB_OK, "%s", suite_test_log);
	snprintf(path, sizeof path, "%s/suite.json", suite_test_dir);
	cr_assert_str_eq(suite.path, path, "no doubled slash");
	cr_assert_eq(suite_load(path, &suite), HB_OK, "%s", suite_test_log);
	cr_assert_eq(suite.class_count, 10);

	suite_test_log[0] = '\0';
	cr_assert_eq(suite_load("/nonexistent-hb/suites/x", &suite), HB_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(suite_test_log, "'/nonexistent-hb/suites/x': no such file"), "%s",
			   suite_test_log);
	suite_test_write("{\"schema\": 1, \"nmae\": \"x\"}");
	suite_test_log[0] = '\0';
	cr_assert_eq(suite_load(suite_test_dir, &suite), HB_ERR_INPUT);
	cr_assert_not_null(strstr(suite_test_log, "/suite.json: unknown field 'nmae' (did you "
						  "mean 'name'?)"),
			   "%s", suite_test_log);
}

Test(suite, json_and_schema_errors)
{
	suite_test_expect_error(suite_test_copy("{\"schema\": 1,\n  \"name\": }"),
				SUITE_TEST_PATH ":2:11: invalid JSON", NULL);
	suite_test_expect_error(suite_test_copy("{} x"), SUITE_TEST_PATH ":1:4: invalid JSON",
				NULL);
	suite_test_expect_error(suite_test_copy("[1, 2]"),
				"expected a JSON object at the top level, got an array", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "schema", NULL),
				"missing field 'schema' (expected 1)", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "schema", "2"),
				"field 'schema': expected 1, got 2", NULL);
	{
		struct suite suite;
		static const char nul[] = "{\"schema\": 1\0}";

		suite_test_log[0] = '\0';
		cr_assert_eq(suite_parse(nul, sizeof nul - 1, SUITE_TEST_PATH, &suite),
			     HB_ERR_INPUT);
		cr_assert_not_null(strstr(suite_test_log, ":1:13: invalid JSON: NUL byte"), "%s",
				   suite_test_log);
	}
}

Test(suite, unknown_repeated_and_missing_fields)
{
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "sampels", "3"),
				"unknown field 'sampels' (did you mean 'samples'?)", NULL);
	suite_test_expect_error(
	    suite_test_edit(suite_test_fmnist, "board", "3"),
	    "unknown field 'board' (known fields here: schema, name, "
	    "description, models, inputs, labels, calibration, metric, preprocess, "
	    "classes, samples, seed)",
	    NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs.fromat", "\"idx\""),
				"unknown field 'inputs.fromat' (did you mean 'inputs.format'?)",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "preprocess.scales", "1"),
				"unknown field 'preprocess.scales' (did you mean "
				"'preprocess.scale'?)",
				NULL);
	/* A misspelt required field is reported once, not also as missing. */
	{
		char *text =
		    suite_test_edit2(suite_test_fmnist, "metric", NULL, "metirc", "\"top1\"");

		suite_test_expect_error(text, "did you mean 'metric'", NULL);
		cr_assert_null(strstr(suite_test_log, "missing field 'metric'"), "%s",
			       suite_test_log);
	}
	{
		char text[sizeof suite_test_fmnist + 32];
		const char *at = strstr(suite_test_fmnist, "\"seed\"");

		snprintf(text, sizeof text, "%.*s\"name\": \"again\",\n%s",
			 (int)(at - suite_test_fmnist), suite_test_fmnist, at);
		suite_test_expect_error(suite_test_copy(text),
					"field 'name' appears more than once", NULL);
	}
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "name", NULL),
				"missing field 'name' (expected a non-empty string of letters, "
				"digits, '-' or '_')",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "models", NULL),
				"missing field 'models' (expected an object of variant names",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs", NULL),
				"missing field 'inputs' (expected an object with format and path)",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs.path", NULL),
				"missing field 'inputs.path' (expected a non-empty string)", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "metric", NULL),
				"missing field 'metric' (expected one of top1, auc, mse)", NULL);
}

Test(suite, field_values)
{
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "name", "\"fashion mnist\""),
				"field 'name': expected a non-empty string of letters, digits, "
				"'-' or '_', got \"fashion mnist\"",
				NULL);
	suite_test_expect_error(
	    suite_test_edit(
		suite_test_fmnist, "name",
		"\"a123456789b123456789c123456789d123456789e123456789f123456789g1234\""),
	    "field 'name': expected at most 63 characters, got 65", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "description", "7"),
				"field 'description': expected a non-empty string, got 7", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "metric", "\"accuracy\""),
				"field 'metric': expected one of top1, auc, mse, got \"accuracy\"",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs.format", "\"csv\""),
				"field 'inputs.format': expected one of idx, npy, raw, got \"csv\"",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs.path", "\"\""),
				"field 'inputs.path': expected a non-empty string, got \"\"", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "labels", "\"y.idx\""),
				"field 'labels': expected an object with format and path, got "
				"\"y.idx\"",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "samples", "-1"),
				"field 'samples': expected a non-negative integer below 2^32 (0 = "
				"all samples), got -1",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "samples", "1.5"),
				"field 'samples': expected a non-negative integer", "got 1.5",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "seed", "\"x\""),
				"field 'seed': expected a non-negative integer below 2^32 (0 = "
				"file order), got \"x\"",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "preprocess.scale", "0"),
				"field 'preprocess.scale': expected a finite non-zero number",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "preprocess.scale", "1e300"),
				"field 'preprocess.scale': expected a finite non-zero number",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "preprocess.offset", "null"),
				"field 'preprocess.offset': expected a finite number, got null",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "preprocess", "[1]"),
				"field 'preprocess': expected an object with scale and offset, got "
				"an array",
				NULL);
}

Test(suite, models)
{
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "models", "{}"),
				"field 'models': expected an object of 1 to 4 variant names to "
				".tflite paths, got 0 variants",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "models",
						"{\"a\": \"a\", \"b\": \"b\", \"c\": \"c\", "
						"\"d\": \"d\", \"e\": \"e\"}"),
				"got 5 variants", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "models", "[\"m.tflite\"]"),
				"field 'models': expected an object of 1 to 4 variant names to "
				".tflite paths, got an array",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "models.int8", "3"),
				"field 'models.int8': expected a non-empty string, got 3", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "models.int 8", "\"m\""),
				"field 'models.int 8': expected a variant name of 1 to 31 letters",
				NULL);
	suite_test_expect_error(
	    suite_test_copy("{\"schema\": 1, \"name\": \"x\", \"models\": {\"int8\": \"a\", "
			    "\"int8\": \"b\"}, \"inputs\": {\"format\": \"idx\", \"path\": "
			    "\"i\"}, \"metric\": \"mse\"}"),
	    "field 'models.int8' appears more than once", NULL);
}

Test(suite, raw_sources_need_dtype_and_shape)
{
	suite_test_expect_error(
	    suite_test_edit(suite_test_fmnist, "inputs", "{\"format\": \"raw\", \"path\": \"x\"}"),
	    "missing field 'inputs.dtype' (expected one of uint8, int8, int16, int32, float32, "
	    "float64)",
	    "missing field 'inputs.shape' (expected an array of positive integers", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "labels",
						"{\"format\": \"raw\", \"path\": \"x\", \"dtype\": "
						"\"float16\", \"shape\": [1]}"),
				"field 'labels.dtype': expected one of uint8, int8, int16, int32, "
				"float32, float64, got \"float16\"",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs",
						"{\"format\": \"raw\", \"path\": \"x\", \"dtype\": "
						"\"uint8\", \"shape\": [28, 0]}"),
				"field 'inputs.shape[1]': expected a positive integer below 2^31, "
				"got 0",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs",
						"{\"format\": \"raw\", \"path\": \"x\", \"dtype\": "
						"\"uint8\", \"shape\": [1, 2, 3, 4, 5, 6]}"),
				"field 'inputs.shape': expected an array of 1 to 5 positive "
				"integers (the shape of one sample), got an array",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs",
						"{\"format\": \"raw\", \"path\": \"x\", \"dtype\": "
						"\"uint8\", \"shape\": 640}"),
				"field 'inputs.shape': expected an array of 1 to 5", "got 640",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "inputs.dtype", "\"uint8\""),
				"field 'inputs.dtype': only used with format \"raw\" (idx files "
				"carry their own type and shape)",
				NULL);
	suite_test_expect_error(
	    suite_test_edit2(suite_test_fmnist, "inputs.format", "\"npy\"", "inputs.shape", "[3]"),
	    "field 'inputs.shape': only used with format \"raw\" (npy files", NULL);
}

Test(suite, metric_rules)
{
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "labels", NULL),
				"missing field 'labels' (expected an object with format and path: "
				"metric \"top1\" compares outputs with labels)",
				NULL);
	suite_test_expect_error(
	    suite_test_edit2(suite_test_fmnist, "labels", NULL, "metric", "\"auc\""),
	    "missing field 'labels'", "metric \"auc\"", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "classes", NULL),
				"missing field 'classes' (expected class names or a class count of "
				"at least 2 with metric \"top1\")",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "classes", "1"),
				"field 'classes': expected an array of 2 to 64 class names or a "
				"class count from 2 to 64, got 1",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "classes", "65"), "got 65",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "classes", "\"ten\""),
				"field 'classes': expected an array of 2 to 64", "got \"ten\"",
				NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "classes", "[\"one\"]"),
				"field 'classes': expected an array of 2 to 64 class names",
				"got 1 names", NULL);
	suite_test_expect_error(
	    suite_test_edit(suite_test_fmnist, "classes", "[\"cat\", \"dog\", \"cat\"]"),
	    "field 'classes[2]': expected a name not used before, got \"cat\" "
	    "(also classes[0])",
	    NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "classes", "[\"cat\", 2]"),
				"field 'classes[1]': expected a non-empty string, got 2", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "classes",
						"[\"cat\", \"a123456789b123456789c123456789de\"]"),
				"field 'classes[1]': expected at most 31 characters, got 32", NULL);
	suite_test_expect_error(
	    suite_test_edit2(suite_test_fmnist, "metric", "\"mse\"", "classes", "4"),
	    "field 'classes': only used with metric \"top1\" (got metric "
	    "\"mse\")",
	    NULL);
}

Test(suite, every_error_is_reported_in_one_pass)
{
	char *text = suite_test_edit2(suite_test_fmnist, "metric", "\"acc\"", "samples", "-2");

	text = suite_test_more(text, "inputs.format", "\"csv\"", "modles", "{}");
	suite_test_expect_error(text, "field 'metric'", "field 'samples'", "field 'inputs.format'",
				"unknown field 'modles' (did you mean 'models'?)", NULL);
}

Test(suite, fmnist_suite_reads_the_dataset)
{
	struct vector_set inputs, labels;
	struct suite suite;
	char *text;

	if (access(SUITE_TEST_FMNIST "/t10k-images-idx3-ubyte.gz", R_OK) != 0 ||
	    access(SUITE_TEST_FMNIST "/t10k-labels-idx1-ubyte.gz", R_OK) != 0)
		cr_skip_test("Fashion-MNIST not found in " SUITE_TEST_FMNIST
			     " (Debian package dataset-fashion-mnist)");
	suite_test_make_dir();
	text = suite_test_edit(suite_test_fmnist, "labels",
			       "{\"format\": \"idx\", \"path\": "
			       "\"" SUITE_TEST_FMNIST "/t10k-labels-idx1-ubyte.gz\"}");
	suite_test_write(text);
	free(text);
	cr_assert_eq(suite_load(suite_test_dir, &suite), HB_OK, "%s", suite_test_log);
	cr_assert_eq(vectors_read(suite.inputs.path, suite.inputs.format, suite.inputs.raw_dtype,
				  suite.inputs.raw_shape, suite.inputs.raw_rank, &inputs),
		     HB_OK, "%s", suite_test_log);
	cr_assert_eq(vectors_read(suite.labels.path, suite.labels.format, suite.labels.raw_dtype,
				  suite.labels.raw_shape, suite.labels.raw_rank, &labels),
		     HB_OK, "%s", suite_test_log);
	cr_assert_eq(inputs.count, labels.count);
	cr_assert_eq(inputs.count, 10000);
	cr_assert_eq(inputs.sample_bytes, 28 * 28);
	/* Every label names one of the suite's classes. */
	for (uint32_t i = 0; i < labels.count; i++)
		cr_assert_lt(vectors_value(&labels, i, 0), suite.class_count);
	vectors_release(&inputs);
	vectors_release(&labels);
}

/* Calibration data is its own source, so quantisation never has to use the
 * evaluation inputs; without one the suite says it has none. */
Test(suite, calibration_source)
{
	struct suite suite;

	suite_test_expect_valid(
	    suite_test_edit(suite_test_fmnist, "calibration",
			    "{\"format\": \"idx\", \"path\": \"data/train.idx\"}"),
	    &suite);
	cr_assert(suite.has_calibration);
	cr_assert_eq(suite.calibration.format, VECTOR_FORMAT_IDX);
	cr_assert(strstr(suite.calibration.path, "data/train.idx"), "%s", suite.calibration.path);
	suite_test_expect_valid(suite_test_copy(suite_test_fmnist), &suite);
	cr_assert(!suite.has_calibration);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "calibration", "\"train.idx\""),
				"field 'calibration': expected an object with format and path, "
				"got \"train.idx\"",
				NULL);
	suite_test_expect_error(
	    suite_test_edit(suite_test_fmnist, "calibration",
			    "{\"format\": \"idx\", \"path\": \"t.idx\", \"pth\": 1}"),
	    "unknown field 'calibration.pth' (did you mean 'calibration.path'?)", NULL);
	/* The same source rules as "inputs": raw data needs its dtype and shape. */
	suite_test_expect_valid(
	    suite_test_edit(suite_test_fmnist, "calibration",
			    "{\"format\": \"raw\", \"path\": \"c.bin\", \"dtype\": "
			    "\"float32\", \"shape\": [28, 28]}"),
	    &suite);
	cr_assert_eq(suite.calibration.raw_dtype, VECTOR_DTYPE_FLOAT32);
	cr_assert_eq(suite.calibration.raw_rank, 2);
	suite_test_expect_error(
	    suite_test_edit(suite_test_fmnist, "calibration",
			    "{\"format\": \"raw\", \"path\": \"c.bin\", \"dtype\": \"uint8\"}"),
	    "missing field 'calibration.shape'", NULL);
	suite_test_expect_error(suite_test_edit(suite_test_fmnist, "calibraton",
						"{\"format\": \"idx\", \"path\": \"t.idx\"}"),
				"calibraton", "calibration", NULL);
}
