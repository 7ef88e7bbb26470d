/* hilbench quantize: a float32 .tflite in, an int8 .tflite out, calibrated on a suite's inputs. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "util/error.h"
#include "util/fileio.h"
#include "model/quantize.h"
#include "config/suite.h"
#include "model/tflite.h"
#include "config/vectors.h"

#define QUANTIZE_DEFAULT_SAMPLES	200u
#define QUANTIZE_MAX_CALIBRATION_FLOATS ((uint64_t)1 << 28) /* 1 GiB of floats */

static void print_help(void)
{
	printf("usage: hilbench quantize FLOAT.tflite --calib SUITE --out OUT.tflite\n"
	       "                          [--samples N] [--percentile P] [--calib-on-eval]\n\n"
	       "Quantises a float32 model to int8 after training, as TFLite's converter does:\n"
	       "activations per tensor (asymmetric), weights per output channel (symmetric),\n"
	       "bias int32. The float model runs on this machine over the first N inputs of\n"
	       "the suite's calibration set (its 'calibration' field: data apart from the\n"
	       "evaluation inputs; default N %u, file order, preprocessed with the suite's\n"
	       "scale and offset) to find each activation's range: its min and max, or with\n"
	       "--percentile P that percentile of its absolute values (e.g. 99.99), which\n"
	       "ignores rare outliers. Input and output become int8; there are no QUANTIZE\n"
	       "or DEQUANTIZE operators.\n\n"
	       "A suite without a calibration set is refused: --calib-on-eval calibrates on\n"
	       "its evaluation inputs instead, which flatters the int8 accuracy measured on\n"
	       "them. OUT.tflite.quant.json records which inputs were used.\n",
	       QUANTIZE_DEFAULT_SAMPLES);
}

static int parse_percentile(const char *text, double *percentile)
{
	char *end;
	double value;

	errno = 0;
	value = strtod(text, &end);
	if (errno || end == text || *end || !(value > 0.0 && value <= 100.0))
		return hb_error(HB_ERR_USAGE,
				"option '--percentile': expected a number in (0, 100], got '%s'",
				text);
	*percentile = value;
	return HB_OK;
}

/* The first `count` samples as the model's real-valued inputs. */
static int calibration_inputs(const struct suite *suite, const struct vector_set *set,
			      uint64_t elements, uint32_t count, float **out)
{
	float *values;

	if ((uint64_t)count * elements > QUANTIZE_MAX_CALIBRATION_FLOATS)
		return hb_error(HB_ERR_USAGE,
				"%u samples of %llu values are too many for calibration, "
				"use --samples",
				count, (unsigned long long)elements);
	values = malloc((size_t)count * (size_t)elements * sizeof *values);
	if (!values)
		return hb_error(HB_ERR_NOMEM, "out of memory for %u calibration samples", count);
	for (uint32_t s = 0; s < count; s++)
		for (uint64_t e = 0; e < elements; e++)
			values[(size_t)s * elements + e] =
			    (float)(vectors_value(set, s, (size_t)e) * suite->input_scale +
				    suite->input_offset);
	*out = values;
	return HB_OK;
}

static void print_summary(const char *model_path, const char *suite_name,
			  const struct quantize_options *options,
			  const struct quantize_summary *summary,
			  const struct tflite_model *int8_model, const char *out_path)
{
	const struct tflite_tensor *input = &int8_model->tensors[int8_model->inputs[0]];
	const struct tflite_tensor *output = &int8_model->tensors[int8_model->outputs[0]];

	printf("%s: quantised with %u samples of suite '%s', ranges by ", model_path,
	       summary->samples, suite_name);
	if (options->percentile > 0.0)
		printf("the %g percentile of |values|\n", options->percentile);
	else
		printf("min/max\n");
	printf("  activations  %u calibrated", summary->calibrated_tensors);
	if (options->percentile > 0.0)
		printf(" (%u clipped)", summary->clipped_tensors);
	printf(", %u sharing their input's or softmax's fixed parameters\n",
	       summary->inherited_tensors);
	printf("  constants    %u weight tensors int8 per channel, %u bias tensors int32",
	       summary->weight_tensors, summary->bias_tensors);
	if (summary->other_constants)
		printf(", %u other int8", summary->other_constants);
	printf("\n  input        int8, scale %g, zero point %lld\n", (double)input->scales[0],
	       (long long)input->zero_points[0]);
	printf("  output       int8, scale %g, zero point %lld\n", (double)output->scales[0],
	       (long long)output->zero_points[0]);
	printf("  wrote %s (%zu bytes)\n", out_path, int8_model->file_size);
}

/* <out>.quant.json, found before any work so a path too long for it does
 * not leave a model without its record. */
static int record_path(const char *out_path, char *path, size_t capacity)
{
	int n = snprintf(path, capacity, "%s.quant.json", out_path);

	if (n < 0 || (size_t)n >= capacity)
		return hb_error(HB_ERR_USAGE,
				"option '--out': expected a path of at most %zu characters, got "
				"%zu",
				capacity - 1 - strlen(".quant.json"), strlen(out_path));
	return HB_OK;
}

/* How the model was calibrated, so a reader of its results can tell
 * whether it was scored on its own calibration data. */
static int write_record(const char *path, const char *model_path, const struct suite *suite,
			const char *source, uint32_t samples, bool on_eval,
			const struct tflite_model *int8_model, const char *out_path)
{
	cJSON *root = cJSON_CreateObject();
	char *text;
	int status;

	cJSON_AddStringToObject(root, "schema", "hilbench.quantize/1");
	cJSON_AddStringToObject(root, "float_model", model_path);
	cJSON_AddStringToObject(root, "output", out_path);
	cJSON_AddStringToObject(root, "description", int8_model->description);
	cJSON_AddStringToObject(root, "suite", suite->path);
	cJSON_AddStringToObject(root, "calibration_inputs", source);
	cJSON_AddNumberToObject(root, "calibration_samples", samples);
	cJSON_AddStringToObject(root, "calibration_samples_chosen", "the first N in file order");
	cJSON_AddBoolToObject(root, "calibrated_on_evaluation_set", on_eval);
	/* cJSON_Print of a NULL or half-built tree: NULL, reported below. */
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory writing '%s'", path);
	status = file_write_atomic(path, text, strlen(text));
	free(text);
	return status;
}

int cmd_quantize(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"calib", required_argument, NULL, 'c'},
	    {"out", required_argument, NULL, 'o'},
	    {"samples", required_argument, NULL, 'n'},
	    {"percentile", required_argument, NULL, 'p'},
	    {"calib-on-eval", no_argument, NULL, 'E'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *suite_path = NULL, *out_path = NULL, *model_path;
	char record[1100];
	uint32_t samples = QUANTIZE_DEFAULT_SAMPLES, count;
	struct quantize_options options;
	struct quantize_summary summary;
	struct tflite_model float_model, int8_model;
	struct vector_set set;
	struct suite suite;
	float *calibration = NULL;
	uint64_t elements;
	size_t element_size;
	const struct suite_source *source;
	bool on_eval = false;
	int option, status;

	quantize_options_default(&options);
	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'c': suite_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'n':
			status = cli_parse_u32("--samples", optarg, 1, 1000000, &samples);
			if (status != HB_OK)
				return status;
			break;
		case 'p':
			status = parse_percentile(optarg, &options.percentile);
			if (status != HB_OK)
				return status;
			break;
		case 'E': on_eval = true; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("quantize", option, argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return hb_error(
		    HB_ERR_USAGE,
		    "quantize needs one float model file (see 'hilbench quantize --help')");
	if (!suite_path || !out_path)
		return hb_error(HB_ERR_USAGE, "quantize needs --calib SUITE and --out OUT.tflite "
					      "(see 'hilbench quantize --help')");
	model_path = argv[optind];
	status = record_path(out_path, record, sizeof record);
	if (status != HB_OK)
		return status;

	status = suite_load(suite_path, &suite);
	if (status == HB_OK)
		status = suite_calibration_source(&suite, on_eval, &source);
	if (status != HB_OK)
		return status;
	options.origin = on_eval ? QUANTIZE_CALIBRATION_EVALUATION : QUANTIZE_CALIBRATION_SEPARATE;
	status = tflite_read(model_path, &float_model);
	if (status != HB_OK)
		return status;
	status = vectors_read(source->path, source->format, source->raw_dtype, source->raw_shape,
			      source->raw_rank, &set);
	if (status != HB_OK) {
		tflite_release(&float_model);
		return status;
	}
	if (float_model.input_count != 1) {
		status = hb_error(HB_ERR_INPUT, "'%s': expected one graph input, found %d",
				  model_path, float_model.input_count);
		goto done;
	}
	elements = tflite_tensor_elements(&float_model.tensors[float_model.inputs[0]]);
	element_size = vector_dtype_size(set.dtype);
	if (element_size == 0 || set.sample_bytes / element_size != elements) {
		status = hb_error(HB_ERR_INPUT,
				  "'%s': samples have %zu values, the input of '%s' takes %llu",
				  source->path, element_size ? set.sample_bytes / element_size : 0,
				  model_path, (unsigned long long)elements);
		goto done;
	}
	count = samples < set.count ? samples : set.count;
	if (count == 0) {
		status = hb_error(HB_ERR_INPUT, "'%s': holds no samples", source->path);
		goto done;
	}
	if (count < samples)
		hb_warn("'%s' holds %u samples, calibrating with all of them", source->path,
			set.count);
	status = calibration_inputs(&suite, &set, elements, count, &calibration);
	if (status == HB_OK)
		status = quantize_model(&float_model, calibration, count, &options, &int8_model,
					&summary);
	if (status != HB_OK)
		goto done;
	status = file_write_atomic(out_path, int8_model.file, int8_model.file_size);
	if (status == HB_OK)
		status = write_record(record, model_path, &suite, source->path, count, on_eval,
				      &int8_model, out_path);
	if (status == HB_OK) {
		print_summary(model_path, suite.name, &options, &summary, &int8_model, out_path);
		printf("  calibrated on %u samples of %s%s\n", count, source->path,
		       on_eval ? " (the EVALUATION inputs: --calib-on-eval)" : "");
	}
	tflite_release(&int8_model);
done:
	free(calibration);
	vectors_release(&set);
	tflite_release(&float_model);
	return status;
}
