#include "report/suite_summary.h"

#include <string.h>

#include "config/profile.h"
#include "report/count_label.h"

/* The number at a dotted path ("a.b.c") of object, or NULL. */
static const cJSON *number_at(const cJSON *object, const char *path)
{
	char key[64];

	while (object && *path) {
		size_t length = strcspn(path, ".");
		if (length >= sizeof key)
			return NULL;
		memcpy(key, path, length);
		key[length] = '\0';
		object = cJSON_GetObjectItemCaseSensitive(object, key);
		path += length + (path[length] == '.');
	}
	return cJSON_IsNumber(object) ? object : NULL;
}

static const char *string_at(const cJSON *object, const char *key, const char *fallback)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
	return cJSON_IsString(item) ? item->valuestring : fallback;
}

/* A number in a fixed-width column, or "-" when the record has none. */
static void write_number(FILE *out, int width, int decimals, const cJSON *item)
{
	if (item)
		fprintf(out, " %*.*f", width, decimals, item->valuedouble);
	else
		fprintf(out, " %*s", width, "-");
}

static enum profile_counter counter_of(const cJSON *variant)
{
	const cJSON *board = cJSON_GetObjectItemCaseSensitive(variant, "board");
	const char *name = string_at(board, "cycle_counter", "");
	int index = profile_counter_from_name(name);
	return index < 0 ? PROFILE_COUNTER_EMULATED_INSTRUCTIONS : (enum profile_counter)index;
}

static void write_variant_row(FILE *out, const cJSON *variant)
{
	const cJSON *accuracy = cJSON_GetObjectItemCaseSensitive(variant, "accuracy");
	const cJSON *compared = number_at(variant, "output_check.samples_compared");
	const cJSON *mismatches = number_at(variant, "output_check.mismatches");

	fprintf(out, "  %-10s %-9s", string_at(variant, "variant", "?"),
		string_at(accuracy, "metric", "?"));
	write_number(out, 10, 4, number_at(accuracy, "value"));
	write_number(out, 15, 0, number_at(variant, "measurements.count_per_inference.median"));
	write_number(out, 12, 1, number_at(variant, "streaming.samples_per_s"));
	write_number(out, 12, 0, number_at(variant, "streaming.payload_bytes_per_s"));
	if (compared && mismatches)
		fprintf(out, " %5.0f/%.0f%s\n", compared->valuedouble - mismatches->valuedouble,
			compared->valuedouble, mismatches->valuedouble > 0 ? " MISMATCH" : "");
	else
		fprintf(out, " %9s\n", "-");
}

static void write_streaming(FILE *out, const cJSON *variant)
{
	const cJSON *streaming = cJSON_GetObjectItemCaseSensitive(variant, "streaming");
	const cJSON *streamed = number_at(streaming, "samples_streamed");
	const cJSON *window = number_at(streaming, "window_bytes");
	const cJSON *resyncs = number_at(streaming, "resyncs");
	const cJSON *redone = number_at(streaming, "samples_redone");
	const cJSON *resends = number_at(variant, "link.resends");

	if (!streamed || streamed->valuedouble == 0)
		return;
	fprintf(out, "  %s streamed %s", string_at(variant, "variant", "?"),
		window && window->valuedouble > 0 ? "pipelined" : "one request at a time");
	if (window && window->valuedouble > 0)
		fprintf(out, " (window %.0f B)", window->valuedouble);
	if (resyncs && resyncs->valuedouble > 0)
		fprintf(
		    out,
		    "; pipeline restarted %.0f times (line damage or silence), %.0f samples redone",
		    resyncs->valuedouble, redone ? redone->valuedouble : 0);
	if (resends && resends->valuedouble > 0)
		fprintf(out, "; %.0f requests resent", resends->valuedouble);
	fprintf(out, "\n");
}

/* One line for all variants: modelled energy is never a column beside
 * measured figures, and its origin is too long for one. */
static void write_modelled_energy(FILE *out, const cJSON *variants)
{
	const cJSON *variant;
	const char *chip = NULL;

	cJSON_ArrayForEach(variant, variants)
	{
		const cJSON *measurements =
		    cJSON_GetObjectItemCaseSensitive(variant, "measurements");
		const cJSON *energy =
		    cJSON_GetObjectItemCaseSensitive(measurements, "modelled_energy_per_inference");
		const cJSON *value = number_at(energy, "value");

		if (!value)
			continue;
		if (!chip) {
			chip = string_at(energy, "chip", "?");
			fprintf(out,
				"  energy per inference, modelled from the %s datasheet%s:", chip,
				count_is_emulated(counter_of(variant))
				    ? " (emulated instructions taken as cycles)"
				    : "");
		}
		fprintf(out, " %s %.4g uJ", string_at(variant, "variant", "?"), value->valuedouble);
	}
	if (chip)
		fprintf(out, "\n");
}

/* Measured energy (--meter), one line per variant that has a meter's
 * record: its figure, or none and why. */
static void write_measured_energy(FILE *out, const cJSON *variants)
{
	const cJSON *variant;

	cJSON_ArrayForEach(variant, variants)
	{
		const cJSON *measurements =
		    cJSON_GetObjectItemCaseSensitive(variant, "measurements");
		const cJSON *energy =
		    cJSON_GetObjectItemCaseSensitive(measurements, "energy_per_inference");
		const cJSON *meter = cJSON_GetObjectItemCaseSensitive(energy, "meter");
		const cJSON *value = number_at(energy, "value");
		const cJSON *valid = number_at(energy, "windows_valid");
		const cJSON *total = number_at(energy, "windows_total");

		if (!energy)
			continue;
		fprintf(out, "  %s energy per inference, measured by %s: ",
			string_at(variant, "variant", "?"), string_at(meter, "model", "?"));
		if (value)
			fprintf(out, "%.4g uJ (median of %.0f/%.0f windows)\n", value->valuedouble,
				valid ? valid->valuedouble : 0, total ? total->valuedouble : 0);
		else
			fprintf(out, "none (%s)\n",
				string_at(energy, "reason", "no reason recorded"));
	}
}

void suite_summary_write(FILE *out, const cJSON *record, const char *record_path)
{
	const cJSON *suite = cJSON_GetObjectItemCaseSensitive(record, "suite");
	const cJSON *variants = cJSON_GetObjectItemCaseSensitive(record, "variants");
	const cJSON *comparisons = cJSON_GetObjectItemCaseSensitive(record, "comparisons");
	const cJSON *first = cJSON_GetArrayItem(variants, 0);
	const cJSON *board = cJSON_GetObjectItemCaseSensitive(first, "board");
	const cJSON *samples = number_at(suite, "samples");
	const cJSON *available = number_at(suite, "available");
	const cJSON *seed = number_at(suite, "seed");
	const enum profile_counter counter = counter_of(first);
	const cJSON *variant;
	const cJSON *comparison;

	fprintf(out, "suite %s on %s: %.0f samples (of %.0f), seed %.0f\n",
		string_at(suite, "name", "?"), string_at(board, "id", "?"),
		samples ? samples->valuedouble : 0, available ? available->valuedouble : 0,
		seed ? seed->valuedouble : 0);
	fprintf(out, "  %-10s %-9s %10s %15s %12s %12s %9s\n", "variant", "metric", "value",
		count_is_emulated(counter) ? "instr/inference" : "cycles/inference", "samples/s",
		"payload B/s", "checked");
	cJSON_ArrayForEach(variant, variants) write_variant_row(out, variant);
	write_modelled_energy(out, variants);
	write_measured_energy(out, variants);
	cJSON_ArrayForEach(comparison, comparisons)
	{
		const cJSON *agreement = number_at(comparison, "top1_agreement");
		const cJSON *rmse = number_at(comparison, "rmse");
		const cJSON *cosine = number_at(comparison, "cosine");
		if (agreement && rmse && cosine)
			fprintf(out, "  %s vs %s: top-1 agreement %.4f, RMSE %.5f, cosine %.5f\n",
				string_at(comparison, "test", "?"),
				string_at(comparison, "reference", "?"), agreement->valuedouble,
				rmse->valuedouble, cosine->valuedouble);
	}
	fprintf(out,
		"  counts are %s%s (median per inference); streaming rates are host wall-clock "
		"measurements\n",
		count_unit(counter),
		count_is_emulated(counter) ? " counted by QEMU, not cycles" : "");
	cJSON_ArrayForEach(variant, variants) write_streaming(out, variant);
	fprintf(out, "results: %s\njournal: %s\n", record_path, string_at(record, "journal", "?"));
}
