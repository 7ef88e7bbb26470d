/* measurements.energy_per_inference of a record (docs/energy.md, "In a run"). */
#include <string.h>

#include "run/energy_measure.h"

static void add_text_or_null(cJSON *object, const char *name, const char *text)
{
	if (text && text[0])
		cJSON_AddStringToObject(object, name, text);
	else
		cJSON_AddNullToObject(object, name);
}

static cJSON *meter_json(const struct energy_measurement *record)
{
	cJSON *meter = cJSON_CreateObject();

	cJSON_AddStringToObject(meter, "driver", record->driver);
	/* As the instrument (or an emulator of it) reports itself. */
	add_text_or_null(meter, "model", record->info.model);
	add_text_or_null(meter, "serial", record->info.serial);
	add_text_or_null(meter, "firmware", record->info.firmware);
	cJSON_AddStringToObject(meter, "port", record->port);
	if (record->info.sample_rate_hz)
		cJSON_AddNumberToObject(meter, "rate_hz", record->info.sample_rate_hz);
	else
		cJSON_AddNullToObject(meter, "rate_hz");
	cJSON_AddNumberToObject(meter, "supply_v", record->supply_v);
	add_text_or_null(meter, "supply_from", record->supply_source);
	cJSON_AddNumberToObject(meter, "marker_bit", record->marker_bit);
	return meter;
}

static cJSON *window_json(const struct energy_window *window)
{
	cJSON *object = cJSON_CreateObject();

	cJSON_AddNumberToObject(object, "first_sample", (double)window->first);
	cJSON_AddNumberToObject(object, "samples", (double)window->length);
	cJSON_AddNumberToObject(object, "start_s", window->start_s);
	cJSON_AddNumberToObject(object, "length_s", window->length_s);
	if (window->expected_s > 0)
		cJSON_AddNumberToObject(object, "expected_s", window->expected_s);
	else
		cJSON_AddNullToObject(object, "expected_s");
	cJSON_AddNumberToObject(object, "inferences", window->inferences);
	cJSON_AddNumberToObject(object, "energy_per_inference_uj",
				window->energy_per_inference_j * 1e6);
	cJSON_AddStringToObject(object, "verdict", energy_invalid_name(window->invalid));
	return object;
}

static cJSON *figure(double value, const char *unit, const char *method)
{
	cJSON *object = cJSON_CreateObject();

	cJSON_AddNumberToObject(object, "value", value);
	cJSON_AddStringToObject(object, "unit", unit);
	cJSON_AddStringToObject(object, "source", "measured");
	cJSON_AddStringToObject(object, "method", method);
	return object;
}

static void add_analysis(cJSON *object, const struct energy_measurement *record)
{
	const struct energy_result *analysis = &record->analysis;
	cJSON *windows = cJSON_CreateArray();

	cJSON_AddNumberToObject(object, "windows_valid", (double)analysis->valid_count);
	cJSON_AddNumberToObject(object, "windows_total", (double)analysis->window_count);
	if (analysis->has_energy) {
		cJSON_AddNumberToObject(object, "median", analysis->median_j * 1e6);
		cJSON_AddNumberToObject(object, "min", analysis->min_j * 1e6);
		cJSON_AddNumberToObject(object, "max", analysis->max_j * 1e6);
		cJSON_AddNumberToObject(object, "spread", analysis->spread);
	}
	if (analysis->has_idle)
		cJSON_AddItemToObject(
		    object, "idle_power",
		    figure(analysis->idle_power_w * 1e3, "mW",
			   "mean V x I over marker-low samples at least 2 ms from every window"));
	else
		cJSON_AddNullToObject(object, "idle_power");
	if (analysis->has_energy && analysis->has_above_idle)
		cJSON_AddItemToObject(
		    object, "above_idle",
		    figure(analysis->above_idle_median_j * 1e6, "uJ",
			   "median over the valid windows of (window energy - idle power x "
			   "window length) / inferences"));
	else
		cJSON_AddNullToObject(object, "above_idle");
	for (size_t w = 0; w < analysis->window_count; w++)
		cJSON_AddItemToArray(windows, window_json(&analysis->windows[w]));
	cJSON_AddItemToObject(object, "windows", windows);
}

cJSON *energy_measurement_json(const struct energy_measurement *record)
{
	cJSON *object = cJSON_CreateObject();
	cJSON *check;
	const char *slash;

	/* Absent is null with the reason, never 0. */
	if (record->analysed && record->analysis.has_energy)
		cJSON_AddNumberToObject(object, "value", record->analysis.median_j * 1e6);
	else
		cJSON_AddNullToObject(object, "value");
	cJSON_AddStringToObject(object, "unit", "uJ");
	cJSON_AddStringToObject(object, "source", "measured");
	cJSON_AddStringToObject(object, "method",
				"meter trace integrated over the marked windows (V x I / rate / "
				"inferences per window), median over the valid windows");
	if (record->reason[0])
		cJSON_AddStringToObject(object, "reason", record->reason);
	cJSON_AddItemToObject(object, "meter", meter_json(record));
	cJSON_AddNumberToObject(object, "batches", (double)record->batch_count);
	check = cJSON_AddObjectToObject(object, "window_check");
	cJSON_AddStringToObject(check, "expected_from",
				"sum of the batch's counts x counter scale / profile clock_hz");
	cJSON_AddNumberToObject(check, "tolerance", record->tolerance);
	cJSON_AddNumberToObject(check, "tolerance_samples", record->tolerance_samples);
	if (record->analysed)
		add_analysis(object, record);
	/* The trace lies beside the record: its file name, read relative to the record's folder. */
	slash = strrchr(record->trace_path, '/');
	if (record->trace_path[0])
		cJSON_AddStringToObject(object, "trace", slash ? slash + 1 : record->trace_path);
	else
		cJSON_AddNullToObject(object, "trace");
	cJSON_AddNumberToObject(object, "trace_samples", (double)record->samples);
	return object;
}
