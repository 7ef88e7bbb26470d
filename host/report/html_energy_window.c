/* The trace window figure of html_energy_window.h. */
#include "report/html_energy_window.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "meter/energy.h"
#include "util/error.h"

#define WIDTH  1200
#define HEIGHT 300
#define X0     90
#define X1     1150
#define Y0     20
#define Y1     240
#define BINS   300

#define INK   "#1d3557"
#define LIGHT "#a9bfdc"

struct span {
	size_t first, end; /* the window: marker high from first to end */
	size_t from, to;   /* what is drawn */
};

struct bin {
	bool present; /* some sample in it was not dropped */
	double min_ma, max_ma, mean_ma;
};

static bool marked(const struct energy_trace *trace, size_t i)
{
	return (trace->samples[i].logic >> trace->marker_bit) & 1u;
}

/* The first window that opens after a low sample and closes before the end:
 * it ends where the marker stays low for `settle` samples. */
static bool find_window(const struct energy_trace *trace, struct span *span)
{
	const size_t settle = trace->rate_hz / 10000 > 2 ? trace->rate_hz / 10000 : 2;
	size_t i = 0;

	while (i < trace->count && marked(trace, i))
		i++;
	while (i < trace->count && !marked(trace, i))
		i++;
	if (i >= trace->count)
		return false;
	span->first = i;
	for (size_t low = 0; i < trace->count; i++) {
		low = marked(trace, i) ? 0 : low + 1;
		if (low == settle) {
			const size_t length = i + 1 - settle - span->first;
			const size_t margin = length / 2 > 10 ? length / 2 : 10;

			span->end = i + 1 - settle;
			span->from = span->first > margin ? span->first - margin : 0;
			span->to =
			    span->end + margin < trace->count ? span->end + margin : trace->count;
			return true;
		}
	}
	return false;
}

static double bin_samples(const struct span *span, struct bin *bins,
			  const struct energy_trace *trace)
{
	const double per_bin = (double)(span->to - span->from) / BINS;
	double top = 0;

	for (int b = 0; b < BINS; b++) {
		const size_t lo = span->from + (size_t)(b * per_bin);
		size_t hi = span->from + (size_t)((b + 1) * per_bin);
		double sum = 0;
		size_t used = 0;

		if (hi <= lo)
			hi = lo + 1;
		bins[b] = (struct bin){.min_ma = INFINITY, .max_ma = -INFINITY};
		for (size_t i = lo; i < hi && i < span->to; i++) {
			const double ma = trace->samples[i].current_a * 1e3;

			if (trace->samples[i].dropped)
				continue;
			sum += ma;
			used++;
			bins[b].min_ma = fmin(bins[b].min_ma, ma);
			bins[b].max_ma = fmax(bins[b].max_ma, ma);
		}
		if (used) {
			bins[b].present = true;
			bins[b].mean_ma = sum / (double)used;
			top = fmax(top, bins[b].max_ma);
		}
	}
	return top;
}

static double step_for(double top)
{
	const double raw = top > 0 ? top / 4 : 1, magnitude = pow(10, floor(log10(raw)));
	const double ratio = raw / magnitude;

	return (ratio <= 1 ? 1 : ratio <= 2 ? 2 : ratio <= 5 ? 5 : 10) * magnitude;
}

static void draw_axes(FILE *out, const struct energy_trace *trace, const struct span *span,
		      double top)
{
	const double step = step_for(top);
	const double ms_from = ((double)span->from - (double)span->first) * 1e3 / trace->rate_hz;
	const double ms_to = ((double)span->to - (double)span->first) * 1e3 / trace->rate_hz;

	for (double v = 0; v <= top + 1e-12; v += step) {
		const double y = Y1 - (Y1 - Y0) * v / top;

		fprintf(out,
			"<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
			X0, y, X1, y, X0 - 6, y + 4, v);
	}
	fprintf(out,
		"<text class=\"axis\" x=\"%d\" y=\"%d\">%.3g ms</text>"
		"<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3g ms</text>\n"
		"<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">time from the "
		"window's rising edge; current, mA (mean per bin, band min..max)</text>\n",
		X0, Y1 + 18, ms_from, X1, Y1 + 18, ms_to, (X0 + X1) / 2, Y1 + 40);
}

static void draw_trace(FILE *out, const struct bin *bins, double top)
{
	const double dx = (double)(X1 - X0) / BINS;
	bool open = false;

	/* The band: one thin rect per bin, min..max. */
	for (int b = 0; b < BINS; b++)
		if (bins[b].present)
			fprintf(out,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" "
				"fill=\"" LIGHT "\"/>\n",
				X0 + b * dx, Y1 - (Y1 - Y0) * bins[b].max_ma / top, dx,
				fmax(0.5, (Y1 - Y0) * (bins[b].max_ma - bins[b].min_ma) / top));
	/* The mean; a bin of dropped samples breaks the line. */
	for (int b = 0; b < BINS; b++) {
		if (!bins[b].present) {
			if (open)
				fputs("\"/>\n", out);
			open = false;
			continue;
		}
		if (!open)
			fputs("<polyline fill=\"none\" stroke=\"" INK
			      "\" stroke-width=\"1.5\" points=\"",
			      out);
		open = true;
		fprintf(out, "%.1f,%.1f ", X0 + (b + 0.5) * dx,
			Y1 - (Y1 - Y0) * bins[b].mean_ma / top);
	}
	if (open)
		fputs("\"/>\n", out);
}

int html_energy_window_svg(FILE *out, const char *trace_path, const char *id)
{
	struct energy_trace trace;
	struct meter_sample *samples = NULL;
	struct bin *bins = NULL;
	struct span span;
	double top, x_first, x_end;
	int status = energy_trace_read(trace_path, &trace, &samples);

	if (status != HB_OK)
		return status;
	if (!find_window(&trace, &span)) {
		free(samples);
		return hb_error(HB_ERR_INPUT, "trace '%s': no complete marked window", trace_path);
	}
	bins = calloc(BINS, sizeof *bins);
	if (!bins) {
		free(samples);
		return hb_error(HB_ERR_NOMEM, "trace '%s': out of memory", trace_path);
	}
	top = bin_samples(&span, bins, &trace) * 1.1;
	if (!(top > 0))
		top = 1;
	top = ceil(top / step_for(top)) * step_for(top);
	x_first = X0 + (X1 - X0) * (double)(span.first - span.from) / (double)(span.to - span.from);
	x_end = X0 + (X1 - X0) * (double)(span.end - span.from) / (double)(span.to - span.from);
	fprintf(out,
		"<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-title\">\n"
		"<title id=\"%s-title\">Supply current around one marked window: %.3g ms, "
		"samples %zu to %zu of %zu at %u S/s, %.3g V</title>\n",
		WIDTH, HEIGHT, id, id, (double)(span.end - span.first) * 1e3 / trace.rate_hz,
		span.first, span.end, trace.count, trace.rate_hz, trace.supply_v);
	/* The window (marker high), shaded behind the trace. */
	fprintf(out,
		"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#e3e3e3\" "
		"stroke=\"#777\" stroke-dasharray=\"4 3\"/>\n"
		"<text class=\"axis\" x=\"%.1f\" y=\"%d\">marker high</text>\n",
		x_first, Y0, fmax(1, x_end - x_first), Y1 - Y0, x_first + 4, Y0 + 14);
	draw_axes(out, &trace, &span, top);
	draw_trace(out, bins, top);
	fputs("</svg>\n", out);
	free(bins);
	free(samples);
	return HB_OK;
}
