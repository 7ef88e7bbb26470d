#include "report/html_layers.h"

#include <string.h>

#include "report/html_text.h"

/* SVG geometry in viewBox units, matching the writer's bar charts. */
#define LAYERS_WIDTH  1200
#define LAYERS_BAR_X0 430
#define LAYERS_BAR_X1 880
#define LAYERS_LINE   24
#define LAYERS_HEAD   30
#define LAYERS_AXIS   40
#define LAYERS_INK    "#1d3557"
#define LAYERS_LIGHT  "#a9bfdc"

static void layers_text(FILE *out, double x, double y, const char *attributes, const char *text)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attributes);
	html_put_text(out, text);
	fputs("</text>\n", out);
}

/* "1.12M", "67.6k": counts beside a bar. */
static void short_count(double value, char *out, size_t capacity)
{
	if (value >= 1e6)
		snprintf(out, capacity, "%.3gM", value / 1e6);
	else if (value >= 1e3)
		snprintf(out, capacity, "%.3gk", value / 1e3);
	else
		snprintf(out, capacity, "%.0f", value);
}

static void layer_bar(FILE *out, const struct report_layers *layers, const char *label,
		      double share, double end, const char *after, bool rest, double y)
{
	double width = (LAYERS_BAR_X1 - LAYERS_BAR_X0) * share / end;
	char tip[200];

	/* A present figure too small to see still shows as a bar. */
	if (width < 1.5)
		width = 1.5;
	layers_text(out, LAYERS_BAR_X0 - 8, y + 16, "text-anchor=\"end\"", label);
	fprintf(out,
		"<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\" "
		"stroke=\"" LAYERS_INK "\"><title>",
		LAYERS_BAR_X0, y + 4, width, rest ? LAYERS_LIGHT : LAYERS_INK);
	snprintf(tip, sizeof tip, "%s %s, one profiled run (measurements.layers)",
		 layers->unit[0] ? layers->unit : "counts",
		 layers->source[0] ? layers->source : "of unstated source");
	html_put_text(out, tip);
	fputs("</title></rect>\n", out);
	layers_text(out, LAYERS_BAR_X0 + width + 6, y + 16, "", after);
}

/* The axis ends at the next 20% above the largest bar (100% at most), in
 * four steps, so a profile of many small layers is not squeezed flat. */
static double axis_end(const struct report_layers *layers)
{
	double largest = layers->rest_share;

	for (size_t i = 0; i < layers->count; i++)
		if (layers->kept[i].share > largest)
			largest = layers->kept[i].share;
	for (int fifths = 1; fifths < 5; fifths++)
		if (largest <= fifths / 5.0)
			return fifths / 5.0;
	return 1.0;
}

static void layers_axis(FILE *out, double end, double bottom)
{
	for (int step = 0; step <= 4; step++) {
		double x = LAYERS_BAR_X0 + (LAYERS_BAR_X1 - LAYERS_BAR_X0) * step / 4.0;
		char tick[16];
		fprintf(out,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
			LAYERS_HEAD, x, bottom);
		snprintf(tick, sizeof tick, "%g%%", 100.0 * end * step / 4.0);
		layers_text(out, x, bottom + 16, "class=\"axis\" text-anchor=\"middle\"", tick);
	}
	layers_text(out, (LAYERS_BAR_X0 + LAYERS_BAR_X1) / 2.0, bottom + 34,
		    "class=\"axis\" text-anchor=\"middle\"", "share of the inference's layers");
}

static void row_chart(FILE *out, const struct report_row *row, size_t number)
{
	const struct report_layers *layers = &row->layers;
	const bool rest = layers->total > layers->count;
	const size_t lines = layers->count + (rest ? 1 : 0);
	const double bottom = LAYERS_HEAD + (double)lines * LAYERS_LINE;
	const double end = axis_end(layers);
	char text[320], label[120], count[24];

	fprintf(out,
		"<svg viewBox=\"0 0 %d %.0f\" role=\"img\" "
		"aria-labelledby=\"fig-layers-%zu-title\">\n<title id=\"fig-layers-%zu-title\">",
		LAYERS_WIDTH, bottom + LAYERS_AXIS + 8, number, number);
	snprintf(text, sizeof text, "%s (%s) on %s: top %zu of %u layers by %s (%s)", row->model,
		 row->variant, row->board, layers->count, layers->total,
		 layers->unit[0] ? layers->unit : "count",
		 layers->source[0] ? layers->source : "source not stated");
	html_put_text(out, text);
	/* Like every chart's title, it names the figure's source. */
	fputs(". Source: measurements.layers (one extra run, the counter read between ops, "
	      "each op less one counter read)</title>\n",
	      out);
	layers_text(out, 8, 20, "class=\"head\"", text);
	layers_axis(out, end, bottom); /* under the bars */
	for (size_t i = 0; i < layers->count; i++) {
		const struct report_layer *layer = &layers->kept[i];
		char per_mac[32] = "";
		snprintf(label, sizeof label, "op %u %s%s%s%s", layer->index, layer->op,
			 layer->path[0] ? " (" : "", layer->path, layer->path[0] ? ")" : "");
		short_count(layer->count, count, sizeof count);
		if (layer->has_per_mac)
			snprintf(per_mac, sizeof per_mac, ", %.2f/MAC", layer->per_mac);
		snprintf(text, sizeof text, "%.1f%%: %s%s", 100 * layer->share, count, per_mac);
		layer_bar(out, layers, label, layer->share, end, text, false,
			  LAYERS_HEAD + (double)i * LAYERS_LINE);
	}
	if (rest) {
		snprintf(label, sizeof label, "the other %zu layers",
			 (size_t)layers->total - layers->count);
		snprintf(text, sizeof text, "%.1f%%", 100 * layers->rest_share);
		layer_bar(out, layers, label, layers->rest_share, end, text, true,
			  LAYERS_HEAD + (double)layers->count * LAYERS_LINE);
	}
	fputs("</svg>\n", out);
}

void html_layers_write(FILE *out, const struct report_table *table, int *figure)
{
	size_t charts = 0;

	for (size_t i = 0; i < table->count; i++)
		charts += table->rows[i].layers.count > 0;
	if (!charts)
		return;
	fprintf(out,
		"<figure id=\"fig-layers\">\n<figcaption><b>Figure %d. Per-layer profile</b><br>"
		"Source: measurements.layers of each record: one extra run of the same input "
		"with the counter read between ops, each op's count less one counter read; "
		"emulated counts are instructions, not cycles. Share of the ops' sum; path is "
		"the kernel the firmware build routes the op's kind to.</figcaption>\n",
		++*figure);
	for (size_t i = 0; i < table->count; i++)
		if (table->rows[i].layers.count > 0)
			row_chart(out, &table->rows[i], i + 1);
	fputs("</figure>\n", out);
}
