#include "report/report_layers.h"

#include <math.h>
#include <string.h>

#include "report/record_json.h"

static bool layer_from_json(const cJSON *item, struct report_layer *layer)
{
	double index;

	memset(layer, 0, sizeof *layer);
	if (!record_number(item, "count", &layer->count) || layer->count < 0 ||
	    !record_number(item, "share", &layer->share) || layer->share < 0 || layer->share > 1 ||
	    !record_number(item, "index", &index) || index < 0 || index > 65535)
		return false;
	layer->index = (uint32_t)index;
	record_text(item, "op", layer->op, sizeof layer->op);
	if (!layer->op[0])
		strcpy(layer->op, "unknown op");
	record_text(item, "path", layer->path, sizeof layer->path);
	if (!record_number(item, "macs", &layer->macs) || layer->macs < 0)
		layer->macs = 0;
	layer->has_per_mac = record_number(item, "count_per_mac", &layer->per_mac);
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
	const cJSON *layers = record_member(measurements, "layers");
	const cJSON *summary = record_member(measurements, "layer_profile");
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
	record_text(summary, "unit", out->unit, sizeof out->unit);
	record_text(summary, "source", out->source, sizeof out->source);
	out->has_overhead = record_number(summary, "overhead_share", &out->overhead_share);
}
