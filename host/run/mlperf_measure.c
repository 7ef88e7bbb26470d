#include "run/mlperf_measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/reference.h"
#include "model_image.h"
#include "nn.h"
#include "util/error.h"

bool mlperf_window_throughput(uint32_t runs, uint64_t elapsed_us, double *throughput)
{
	if (elapsed_us == 0)
		return false;
	*throughput = runs / (elapsed_us / 1e6);
	return true;
}

static int compare_doubles(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double mlperf_median(const double *values, size_t count)
{
	double *sorted;
	double median;

	if (count == 0)
		return NAN;
	sorted = malloc(count * sizeof *sorted);
	if (!sorted)
		return NAN;
	memcpy(sorted, values, count * sizeof *sorted);
	qsort(sorted, count, sizeof *sorted, compare_doubles);
	median = count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
	free(sorted);
	return median;
}

uint32_t mlperf_runner_class(const double *scores, size_t count)
{
	double total = 0;
	uint32_t best = 0;

	for (size_t i = 0; i < count; i++)
		total += scores[i];
	if (total == 0 || !isfinite(total))
		return 0;
	for (size_t i = 1; i < count; i++)
		if (scores[i] / total > scores[best] / total)
			best = (uint32_t)i;
	return best;
}

static const struct model_tensor *tensor_of(const struct loaded_model *model, uint32_t index)
{
	const struct model_image_header *header = (const void *)model->compiled.image;

	return &model_tensors(header)[index];
}

/* A tensor's bytes as floats (int8 dequantised as the firmware does). */
static void tensor_floats(const struct model_tensor *tensor, uint32_t dtype, const uint8_t *bytes,
			  size_t count, float *out)
{
	if (dtype == MODEL_DTYPE_FLOAT32) {
		memcpy(out, bytes, count * sizeof *out);
	} else {
		const struct nn_quantize_params params = {.size = (int32_t)count,
							  .scale = tensor->scale,
							  .zero_point = tensor->zero_point};
		nn_dequantize_s8_f32(&params, (const int8_t *)bytes, out);
	}
}

bool mlperf_expected_values(const struct loaded_model *model, const uint8_t *input,
			    const uint8_t *host_output, size_t count, double *expected)
{
	const struct compiled_model *compiled = &model->compiled;
	const struct model_image_header *header = (const void *)compiled->image;
	const size_t outputs = compiled->output_dtype == MODEL_DTYPE_FLOAT32
				   ? compiled->output_bytes / 4
				   : compiled->output_bytes;
	const size_t inputs = compiled->input_dtype == MODEL_DTYPE_FLOAT32
				  ? compiled->input_bytes / 4
				  : compiled->input_bytes;
	float *out = malloc((outputs + inputs + 1) * sizeof *out);
	bool known = true;

	if (!out)
		return false;
	tensor_floats(tensor_of(model, header->output_tensor), compiled->output_dtype, host_output,
		      outputs, out);
	if (count == outputs) {
		for (size_t i = 0; i < outputs; i++)
			expected[i] = out[i];
	} else if (count == 1 && outputs == inputs) {
		/* ad01: the firmware sums in float, as here. */
		float *in = out + outputs;
		float sum = 0;

		tensor_floats(tensor_of(model, header->input_tensor), compiled->input_dtype, input,
			      inputs, in);
		for (size_t i = 0; i < outputs; i++)
			sum += (out[i] - in[i]) * (out[i] - in[i]);
		expected[0] = sum / (float)outputs;
	} else {
		known = false;
	}
	free(out);
	return known;
}

uint32_t mlperf_compare_values(const double *board, const double *expected, size_t count,
			       double *max_abs_error)
{
	uint32_t outside = 0;

	*max_abs_error = 0;
	for (size_t i = 0; i < count; i++) {
		const double error = fabs(board[i] - expected[i]);
		const double allowed =
		    MLPERF_PRINTED_TOLERANCE * (fabs(expected[i]) > 1 ? fabs(expected[i]) : 1) +
		    1e-6;

		if (error > *max_abs_error)
			*max_abs_error = error;
		if (!(error <= allowed))
			outside++;
	}
	return outside;
}

cJSON *mlperf_protocol_json(const struct board_profile *board,
			    const struct protocol_identity *identity, const char *mode)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *timer = cJSON_AddObjectToObject(object, "timer");
	cJSON *absent = cJSON_AddArrayToObject(object, "not_given");
	const bool emulated = board->counter == PROFILE_COUNTER_EMULATED_INSTRUCTIONS;
	static const char *const not_given[] = {"count_per_inference", "stack_high_water",
						"inference_stack", "arena_used",
						"output tensor bytes"};

	cJSON_AddStringToObject(object, "board_name", identity->name);
	if (identity->profile[0])
		cJSON_AddStringToObject(object, "profile", identity->profile);
	else
		cJSON_AddNullToObject(object, "profile");
	if (identity->model_name[0])
		cJSON_AddStringToObject(object, "model_name", identity->model_name);
	else
		cJSON_AddNullToObject(object, "model_name");
	if (mode)
		cJSON_AddStringToObject(object, "mode", mode);
	cJSON_AddStringToObject(timer, "unit", "us");
	cJSON_AddStringToObject(timer, "source", emulated ? "emulated" : "measured");
	cJSON_AddStringToObject(
	    timer, "method",
	    emulated ? "the firmware's m-lap-us timestamps, microseconds from instructions counted "
		       "by QEMU (-icount) at the profile clock: not a measured time"
		     : "the board's own microsecond timer, as its firmware prints it (m-lap-us)");
	for (size_t i = 0; i < sizeof not_given / sizeof not_given[0]; i++)
		cJSON_AddItemToArray(absent, cJSON_CreateString(not_given[i]));
	return object;
}

int mlperf_measure_sample(const struct protocol_driver *driver, struct protocol_link *link,
			  const uint8_t *input, uint32_t input_bytes, double *values,
			  size_t capacity, size_t *count)
{
	struct protocol_invoke invoke;
	struct protocol_output output = {.values = values, .value_capacity = capacity};
	int status = driver->load_input(link, input, input_bytes);

	*count = 0;
	if (status == HB_OK)
		status = driver->invoke(link, 1, 0, &invoke);
	if (status == HB_OK)
		status = driver->read_output(link, &output);
	if (status == HB_OK && !output.have_values)
		status =
		    hb_error(HB_ERR_INTERNAL, "protocol '%s' gave no output values", driver->name);
	if (status == HB_OK)
		*count = output.value_count;
	return status;
}

/* One window's figures into the record. */
static void add_window(cJSON *windows, uint32_t runs, uint32_t warmups, uint64_t elapsed_us,
		       double *throughput, bool *have_throughput)
{
	cJSON *window = cJSON_CreateObject();

	cJSON_AddNumberToObject(window, "runs", runs);
	cJSON_AddNumberToObject(window, "warmups", warmups);
	cJSON_AddNumberToObject(window, "elapsed_us", (double)elapsed_us);
	cJSON_AddNumberToObject(window, "latency_us", (double)elapsed_us / runs);
	*have_throughput = mlperf_window_throughput(runs, elapsed_us, throughput);
	if (*have_throughput)
		cJSON_AddNumberToObject(window, "throughput", *throughput);
	else
		cJSON_AddNullToObject(window, "throughput");
	cJSON_AddItemToArray(windows, window);
}

static cJSON *figure(double value, const char *unit, const char *source, const char *method)
{
	cJSON *object = cJSON_CreateObject();

	cJSON_AddNumberToObject(object, "value", value);
	cJSON_AddStringToObject(object, "unit", unit);
	cJSON_AddStringToObject(object, "source", source);
	cJSON_AddStringToObject(object, "method", method);
	return object;
}

/* The windows' summary: median throughput and latency, as the runner. */
static void add_summary(cJSON *figures, const double *throughputs, size_t throughput_count,
			const double *latencies, size_t windows)
{
	const char *source = cJSON_GetStringValue(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(figures, "timer"), "source"));
	double low = latencies[0], high = latencies[0];
	cJSON *latency;

	for (size_t i = 1; i < windows; i++) {
		low = latencies[i] < low ? latencies[i] : low;
		high = latencies[i] > high ? latencies[i] : high;
	}
	if (throughput_count == windows)
		cJSON_AddItemToObject(
		    figures, "median_throughput",
		    figure(mlperf_median(throughputs, throughput_count), "inferences/s", "derived",
			   "median over the windows of runs / (elapsed_us / 1e6), as the MLPerf "
			   "Tiny runner computes it (benchmark/runner: script.py, main.py)"));
	else
		cJSON_AddNullToObject(figures, "median_throughput");
	latency = figure(mlperf_median(latencies, windows), "us", source ? source : "measured",
			 "median over the windows of elapsed_us / runs (the board's m-lap-us "
			 "timestamps around each window's timed runs)");
	cJSON_AddNumberToObject(latency, "min", low);
	cJSON_AddNumberToObject(latency, "max", high);
	cJSON_AddItemToObject(figures, "latency_per_inference", latency);
}

int mlperf_measure_performance(const struct protocol_driver *driver, struct protocol_link *link,
			       const struct loaded_model *model,
			       const struct benchmark_options *options, struct run_result *result)
{
	const struct compiled_model *compiled = &model->compiled;
	const size_t capacity = compiled->output_bytes + 1;
	uint8_t *input = malloc(compiled->input_bytes);
	uint8_t *host_output = malloc(compiled->output_bytes);
	double *values = malloc(capacity * sizeof *values);
	double *expected = malloc(capacity * sizeof *expected);
	double throughputs[MLPERF_WINDOWS], latencies[MLPERF_WINDOWS];
	size_t throughput_count = 0, window = 0;
	cJSON *windows;
	int status = HB_OK;

	if (!input || !host_output || !values || !expected || !result->protocol_figures) {
		status =
		    hb_error(HB_ERR_NOMEM, "out of memory for model '%s' buffers", model->name);
		goto out;
	}
	cJSON_AddStringToObject(result->protocol_figures, "mode", "performance");
	windows = cJSON_AddArrayToObject(result->protocol_figures, "windows");
	if (options->input)
		memcpy(input, options->input, compiled->input_bytes);
	else
		benchmark_make_input(compiled->input_dtype, options->input_seed, input,
				     compiled->input_bytes);
	status = reference_run(compiled, input, host_output);
	result->warmups = options->warmups;
	result->tolerance = MLPERF_PRINTED_TOLERANCE;
	for (; status == HB_OK && window < MLPERF_WINDOWS; window++) {
		struct protocol_invoke invoke;
		struct protocol_output output = {.values = values, .value_capacity = capacity};
		double max_abs_error, throughput;
		bool have_throughput;
		uint32_t outside;

		hb_info("  %s: window %zu/%u: infer %u %u", model->name, window + 1, MLPERF_WINDOWS,
			options->runs, options->warmups);
		/* The runner downloads the input again for each window. */
		status = driver->load_input(link, input, compiled->input_bytes);
		if (status == HB_OK)
			status = driver->invoke(link, options->runs, options->warmups, &invoke);
		if (status == HB_OK)
			status = driver->read_output(link, &output);
		if (status != HB_OK)
			break;
		if (!invoke.have_elapsed_us || !output.have_values) {
			status = hb_error(HB_ERR_INTERNAL,
					  "protocol '%s' gave no timestamps or output values",
					  driver->name);
			break;
		}
		add_window(windows, options->runs, options->warmups, invoke.elapsed_us, &throughput,
			   &have_throughput);
		if (have_throughput)
			throughputs[throughput_count++] = throughput;
		latencies[window] = (double)invoke.elapsed_us / options->runs;
		if (!mlperf_expected_values(model, input, host_output, output.value_count,
					    expected)) {
			status = hb_error(HB_ERR_PROTOCOL,
					  "board '%s': %zu result values for model '%s', expected "
					  "%u (or 1 anomaly score)",
					  result->board->id, output.value_count, model->name,
					  compiled->output_dtype == MODEL_DTYPE_FLOAT32
					      ? compiled->output_bytes / 4
					      : compiled->output_bytes);
			break;
		}
		outside =
		    mlperf_compare_values(values, expected, output.value_count, &max_abs_error);
		result->output_checked = true;
		result->outputs_compared = 1;
		if (max_abs_error > result->max_abs_error)
			result->max_abs_error = max_abs_error;
		if (outside && !result->output_mismatches) {
			result->output_mismatches = 1;
			status =
			    hb_error(HB_ERR_MISMATCH,
				     "model '%s': board results differ from the host reference "
				     "in %u values (max abs error %g, printed to 3 decimals)",
				     model->name, outside, max_abs_error);
		}
		driver->counters(link, &result->counters);
		result_write(result);
	}
	if (window > 0)
		add_summary(result->protocol_figures, throughputs, throughput_count, latencies,
			    window);
out:
	free(input);
	free(host_output);
	free(values);
	free(expected);
	return status;
}

int mlperf_measure(const struct protocol_driver *driver, struct protocol_link *link,
		   const struct protocol_identity *identity, const struct loaded_model *model,
		   const struct benchmark_options *options, struct run_result *result)
{
	hb_info("  board says: %s%s%s%s%s", identity->name[0] ? identity->name : "(no name)",
		identity->profile[0] ? ", profile " : "", identity->profile,
		identity->model_name[0] ? ", model " : "", identity->model_name);
	if (options->model_name && identity->model_name[0] &&
	    strcmp(options->model_name, identity->model_name) != 0)
		hb_warn("board '%s' names its model '%s', the run says --model-name %s: the input "
			"goes in %s's form",
			result->board->id, identity->model_name, options->model_name,
			options->model_name);
	cJSON_Delete(result->protocol_figures);
	result->protocol_figures = mlperf_protocol_json(result->board, identity, NULL);
	result_write(result);
	return (options->measure_link ? options->measure_link : mlperf_measure_performance)(
	    driver, link, model, options, result);
}
