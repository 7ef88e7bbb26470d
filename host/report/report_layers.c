#include "report/report_layers.h"

#include <math.h>
#include <string.h>

static const cJSON *member(const cJSON *object, const char *key)
{
	return cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, key) : NULL;
}

static bool number_at(const cJSON *object, const char *key, double *out)
{
	const cJSON *item = member(object, key);

	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		return false;
	*out = item->valuedouble;
	return true;
}

/* Printable ASCII only: the text ends up in HTML (escaped there too). */
static void copy_text(const cJSON *object, const char *key, char *out, size_t capacity)
{
	const cJSON *item = member(object, key);
	size_t n = 0;

	if (cJSON_IsString(item) && item->valuestring)
		for (const char *c = item->valuestring; *c && n + 1 < capacity; c++)
			out[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
	out[n] = '\0';
}

static bool layer_from_json(const cJSON *item, struct report_layer *layer)
{
	double index;

	memset(layer, 0, sizeof *layer);
	if (!number_at(item, "count", &layer->count) || layer->count < 0 ||
	    !number_at(item, "share", &layer->share) || layer->share < 0 || layer->share > 1 ||
	    !number_at(item, "index", &index) || index < 0 || index > 65535)
		return false;
	layer->index = (uint32_t)index;
	copy_text(item, "op", layer->op, sizeof layer->op);
	if (!layer->op[0])
		strcpy(layer->op, "unknown op");
	copy_text(item, "path", layer->path, sizeof layer->path);
	if (!number_at(item, "macs", &layer->macs) || layer->macs < 0)
		layer->macs = 0;
	layer->has_per_mac = number_at(item, "count_per_mac", &layer->per_mac);
	return true;
}

/* Keeps the REPORT_LAYERS_KEPT largest by count, most costly first (ties:
 * the earlier in the record first). */
static void keep(struct report_layers *out, const struct report_layer *layer)
{
	size_t at = out->count;

	while (at > 0 && out->kept[at - 1].count < layer->count)
		at--;
	if (at == REPORT_LAYERS_KEPT) {
		out->rest_share += layer->share;
		return;
	}
	if (out->count == REPORT_LAYERS_KEPT)
		out->rest_share += out->kept[REPORT_LAYERS_KEPT - 1].share;
	else
		out->count++;
	memmove(&out->kept[at + 1], &out->kept[at], (out->count - 1 - at) * sizeof out->kept[0]);
	out->kept[at] = *layer;
}

void report_layers_read(const cJSON *measurements, struct report_layers *out)
{
	const cJSON *layers = member(measurements, "layers");
	const cJSON *summary = member(measurements, "layer_profile");
	const cJSON *item;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsArray(layers))
		return;
	cJSON_ArrayForEach(item, layers)
	{
		struct report_layer layer;
		if (!layer_from_json(item, &layer))
			continue;
		keep(out, &layer);
		out->total++;
	}
	if (!out->count)
		return;
	copy_text(summary, "unit", out->unit, sizeof out->unit);
	copy_text(summary, "source", out->source, sizeof out->source);
	out->has_overhead = number_at(summary, "overhead_share", &out->overhead_share);
}
