/*
 * The report as one self-contained HTML page: inline CSS and inline SVG
 * charts drawn here from the table's cells, no script, and a Content
 * Security Policy that forbids fetching anything. Every figure names its
 * source, every board its verified level; an absent cell is drawn as
 * "no data", never as 0; every string from a record is escaped. Fills are
 * patterns and lightness apart, with direct labels, so a grey-scale print
 * keeps every distinction.
 */
#include "report/report_writer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_energy_window.h"
#include "report/html_layers.h"
#include "report/html_text.h"
#include "util/error.h"

/* SVG geometry, in viewBox units (the page scales it to its width). */
#define SVG_WIDTH     1200
#define BAR_X0	      400
#define BAR_X1	      850
#define LINE_HEIGHT   24
#define HEAD_HEIGHT   30
#define LEGEND_HEIGHT 40
#define AXIS_HEIGHT   46
#define LABEL_CHARS   52
#define SOURCES_TEXT  512

#define PLOT_X0	  90
#define PLOT_X1	  800
#define PLOT_Y0	  30
#define PLOT_Y1	  330
#define KEY_X	  850
#define KEY_CHARS 44

#define INK   "#1d3557"
#define LIGHT "#a9bfdc"

struct page {
	FILE *out;
	const struct report_table *table;
	int figure;
};

/* ---- text ---- */

/* Cut before escaping, so an entity is never cut in half; the table below
 * keeps the whole name. */
static void put_short(FILE *out, const char *text, size_t max)
{
	char cut[128];

	if (strlen(text) <= max || max < 4 || max + 1 > sizeof cut) {
		html_put_text(out, text);
		return;
	}
	snprintf(cut, sizeof cut, "%.*s...", (int)(max - 3), text);
	html_put_text(out, cut);
}

static void append(char *out, size_t capacity, const char *text)
{
	size_t used = strlen(out);

	if (used + 1 < capacity)
		snprintf(out + used, capacity - used, "%s", text);
}

static const char *verified_text(const struct report_row *row)
{
	return row->verified[0] ? row->verified : "not recorded";
}

/* A CSS class only from the levels we know, never from the record's text. */
static const char *verified_class(const struct report_row *row)
{
	static const char *const known[] = {"emulated", "compile-only", "hardware"};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(row->verified, known[i]))
			return known[i];
	return "unknown";
}

static void bytes_text(double bytes, char *out, size_t capacity)
{
	if (bytes >= 1024 * 1024)
		snprintf(out, capacity, "%.2f MiB", bytes / (1024.0 * 1024.0));
	else
		snprintf(out, capacity, "%.1f KiB", bytes / 1024.0);
}

/* ---- where a figure comes from ---- */

/* Same rule as the terminal and Markdown grid: the count a latency was
 * derived from decides whether it is a timing at all. */
static bool latency_is_emulated(const struct report_row *row)
{
	const struct report_cell *count = report_row_cell(row, REPORT_COL_COUNT);

	return count && count->source == REPORT_SOURCE_EMULATED;
}

static const char *latency_origin(const struct report_row *row)
{
	const struct report_cell *latency = report_row_cell(row, REPORT_COL_LATENCY);
	const struct report_cell *count = report_row_cell(row, REPORT_COL_COUNT);

	if (!latency)
		return "no data";
	if (latency->source == REPORT_SOURCE_MEASURED)
		return "measured";
	if (latency_is_emulated(row))
		return "derived from emulated instruction counts, assumes 1 instruction per cycle "
		       "(not a timing measurement)";
	if (count && count->source == REPORT_SOURCE_MEASURED)
		return "derived from measured cycles";
	return report_source_name(latency->source);
}

/* What a cell's source tag says in full (the tag itself is the bare name). */
static void cell_origin(const struct report_row *row, enum report_column_id id, char *out,
			size_t capacity)
{
	const struct report_cell *cell = report_row_cell(row, id);

	if (id == REPORT_COL_LATENCY)
		snprintf(out, capacity, "%s", latency_origin(row));
	else if (id == REPORT_COL_COUNT && cell)
		snprintf(out, capacity, "%s (%s)", report_source_name(cell->source),
			 row->count_unit);
	else if (id == REPORT_COL_ACCURACY && cell)
		snprintf(out, capacity, "%s (%s on %u samples)", report_source_name(cell->source),
			 row->accuracy_metric, row->accuracy_samples);
	else
		snprintf(out, capacity, "%s", cell ? report_source_name(cell->source) : "no data");
}

static const char *cell_source_word(const struct report_row *row, enum report_column_id id)
{
	return id == REPORT_COL_LATENCY ? latency_origin(row)
					: report_source_name(row->cells[id].source);
}

/* The distinct origins of one column over the table, "; " between them
 * (each origin is a static string, so one seen before compares equal). */
static void column_origins(const struct report_table *table, enum report_column_id id, char *out,
			   size_t capacity)
{
	const char *seen[16];
	size_t count = 0;

	out[0] = '\0';
	for (size_t i = 0; i < table->count && count < sizeof seen / sizeof seen[0]; i++) {
		const char *origin;
		bool known = false;
		if (!report_row_cell(&table->rows[i], id))
			continue;
		origin = cell_source_word(&table->rows[i], id);
		for (size_t k = 0; k < count && !known; k++)
			known = !strcmp(seen[k], origin);
		if (known)
			continue;
		seen[count++] = origin;
		if (out[0])
			append(out, capacity, "; ");
		append(out, capacity, origin);
	}
	if (!out[0])
		snprintf(out, capacity, "no data");
}

static bool any_cell(const struct report_table *table, enum report_column_id id)
{
	for (size_t i = 0; i < table->count; i++)
		if (report_row_cell(&table->rows[i], id))
			return true;
	return false;
}

/* Charts group rows by board, boards in table order. */
static bool first_of_board(const struct report_table *table, size_t row)
{
	for (size_t j = 0; j < row; j++)
		if (!strcmp(table->rows[j].board, table->rows[row].board))
			return false;
	return true;
}

static size_t board_number(const struct report_table *table, size_t row)
{
	size_t number = 0;

	for (size_t j = 0; j < row; j++)
		if (first_of_board(table, j)) {
			if (!strcmp(table->rows[j].board, table->rows[row].board))
				return number;
			number++;
		}
	return number;
}

/* ---- the page around the figures ---- */

static const char page_style[] =
    "body{font:14px/1.45 'DejaVu Sans',sans-serif;color:#111;background:#fff;"
    "max-width:1240px;margin:0 auto;padding:12px 20px}\n"
    "h1{font-size:22px;margin:8px 0}h2{font-size:17px;border-bottom:1px solid #888;"
    "margin-top:28px}h3{font-size:15px}\n"
    ".meta{color:#333}.note{color:#333;font-size:13px}\n"
    "figure{margin:18px 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption{font-size:13px;margin-bottom:6px}figcaption b{font-size:14px}\n"
    "svg{width:100%;height:auto;display:block}\n"
    "svg text{font-family:'DejaVu Sans',sans-serif;font-size:13px;fill:#111}\n"
    "svg .axis{font-size:12px;fill:#333}svg .nodata{font-style:italic;fill:#555}\n"
    "svg .head{font-weight:bold}svg .grid{stroke:#ccc;stroke-width:1}\n"
    "table{border-collapse:collapse;font-size:12px;width:100%}\n"
    "th,td{border:1px solid #bbb;padding:3px 5px;vertical-align:top;text-align:left}\n"
    "th{background:#eef1f6}td.num{text-align:right;white-space:nowrap}\n"
    ".src{display:block;font-size:10px;color:#555}\n"
    ".absent{color:#666;font-style:italic}.error{color:#8b0000}\n"
    ".level{border:1px solid #333;border-radius:3px;padding:0 4px;font-size:11px;"
    "white-space:nowrap}\n"
    ".level-hardware{font-weight:bold;border-width:2px}"
    ".level-compile-only{border-style:dashed}\n"
    ".wide{overflow-x:auto}code{font-size:13px}\n"
    "@page{size:A4 landscape;margin:12mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:11px}th{background:none}"
    ".wide{overflow:visible}thead{display:table-header-group}"
    "tr,li{break-inside:avoid}h2,h3{break-after:avoid}"
    /* A landscape page is narrower than the screen: every column must still fit. */
    "table.figures{font-size:8.5px}table.figures th,table.figures td{padding:2px}"
    ".src{font-size:7.5px}}\n";

static void write_head(struct page *page, const struct report_view *view)
{
	FILE *out = page->out;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
	/* The page is opened from disk, anywhere: it may fetch nothing at all. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n",
	      out);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      out);
	html_put_text(out, view->title ? view->title : "hilbench report");
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", page_style);
}

static size_t record_count(const struct report_table *table)
{
	size_t count = 0;

	for (size_t i = 0; i < table->count; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(table->rows[j].record, table->rows[i].record);
		count += !seen;
	}
	return count;
}

static void write_header(struct page *page, const struct report_view *view)
{
	FILE *out = page->out;
	bool emulated = false;

	for (size_t i = 0; i < page->table->count; i++)
		emulated |= latency_is_emulated(&page->table->rows[i]);
	fputs("<header>\n<h1>", out);
	html_put_text(out, view->title ? view->title : "hilbench report");
	fputs("</h1>\n<p class=\"meta\">", out);
	if (view->generated_utc) {
		fputs("Generated <time>", out);
		html_put_text(out, view->generated_utc);
		fputs("</time> from ", out);
	} else
		fputs("From ", out);
	fprintf(out, "%zu rows in %zu records. ", page->table->count, record_count(page->table));
	fputs("Every figure names its source (measured, emulated, derived, modelled, elf); a "
	      "figure a record lacks is shown as <em>no data</em>, never as 0.</p>\n",
	      out);
	if (emulated)
		fputs(
		    "<p class=\"note\">Counts on emulated boards are instructions counted by QEMU, "
		    "not cycles; a latency derived from them assumes 1 instruction per cycle and "
		    "is not a timing measurement.</p>\n",
		    out);
	fputs("</header>\n", out);
}

static void write_board_row(FILE *out, const struct report_row *row)
{
	char ram[32] = "not recorded", flash[32] = "not recorded", clock[32] = "not recorded";

	/* 0 is how a record says nothing, not a board at 0 Hz. */
	if (row->clock_hz)
		snprintf(clock, sizeof clock, "%.1f MHz", row->clock_hz / 1e6);
	if (row->ram_bytes)
		bytes_text(row->ram_bytes, ram, sizeof ram);
	if (row->flash_bytes)
		bytes_text(row->flash_bytes, flash, sizeof flash);
	fputs("<tr><td>", out);
	html_put_text(out, row->board);
	fputs("</td><td>", out);
	html_put_text(out, row->board_name);
	fputs("</td><td>", out);
	html_put_text(out, row->core);
	fprintf(out, "</td><td class=\"num\">%s</td><td>", clock);
	html_put_text(out, row->counter);
	fprintf(out, "</td><td><span class=\"level level-%s\">", verified_class(row));
	html_put_text(out, verified_text(row));
	fprintf(out, "</span></td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n", ram,
		flash);
}

static void write_boards(struct page *page)
{
	FILE *out = page->out;

	fputs("<section id=\"boards\">\n<h2>Boards</h2>\n", out);
	fputs("<p class=\"note\">Verified level: <b>hardware</b> ran on a real board; "
	      "<b>emulated</b> ran under QEMU (counts are instructions); <b>compile-only</b> "
	      "builds but never ran. RAM and flash are the capacities the records give.</p>\n",
	      out);
	fputs("<div class=\"wide\"><table class=\"boards\"><thead><tr><th>board</th><th>name</th>"
	      "<th>core</th><th>clock</th><th>counter</th><th>verified level</th><th>RAM</th>"
	      "<th>flash</th></tr></thead>\n<tbody>\n",
	      out);
	for (size_t i = 0; i < page->table->count; i++)
		if (first_of_board(page->table, i))
			write_board_row(out, &page->table->rows[i]);
	fputs("</tbody></table></div>\n</section>\n", out);
}

/* ---- SVG pieces ---- */

/* Patterns and lightness, not hue, tell bars apart: they survive grey scale. */
static void svg_open(FILE *out, const char *id, int height, const char *title)
{
	fprintf(out,
		"<svg viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-labelledby=\"%s-title\">\n<title id=\"%s-title\">",
		SVG_WIDTH, height, id, id);
	html_put_text(out, title);
	fprintf(
	    out,
	    "</title>\n<defs><pattern id=\"%s-hatch\" width=\"7\" height=\"7\" "
	    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"7\" "
	    "height=\"7\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"%s\" "
	    "stroke-width=\"3\"/></pattern>\n<pattern id=\"%s-dots\" width=\"6\" height=\"6\" "
	    "patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
	    "<circle cx=\"3\" cy=\"3\" r=\"1.6\" fill=\"%s\"/></pattern></defs>\n",
	    id, INK, id, INK);
}

/* "solid", "light", "hatch" or "dots" as a fill. */
static void put_fill(FILE *out, const char *id, const char *style)
{
	if (!strcmp(style, "solid"))
		fputs("fill=\"" INK "\"", out);
	else if (!strcmp(style, "light"))
		fputs("fill=\"" LIGHT "\"", out);
	else
		fprintf(out, "fill=\"url(#%s-%s)\"", id, style);
}

static void svg_text(FILE *out, double x, double y, const char *attributes, const char *text,
		     size_t max)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attributes);
	put_short(out, text, max);
	fputs("</text>\n", out);
}

static double nice_step(double span, int ticks)
{
	double raw = span > 0 ? span / ticks : 1, magnitude = pow(10, floor(log10(raw)));
	double ratio = raw / magnitude;

	return (ratio <= 1 ? 1 : ratio <= 2 ? 2 : ratio <= 5 ? 5 : 10) * magnitude;
}

struct legend_entry {
	const char *style;
	const char *text;
};

/* Only the entries `used` has a bit for: a legend names what is drawn. */
static void svg_legend(FILE *out, const char *id, const struct legend_entry *legend, size_t count,
		       unsigned used)
{
	double x = 8;

	for (size_t i = 0; i < count; i++) {
		if (!(used & 1u << i))
			continue;
		fprintf(out, "<rect x=\"%.1f\" y=\"12\" width=\"26\" height=\"14\" ", x);
		put_fill(out, id, legend[i].style);
		fputs(" stroke=\"" INK "\"/>\n", out);
		svg_text(out, x + 32, 24, "class=\"axis\"", legend[i].text, 80);
		x += 56 + 7.0 * (double)strlen(legend[i].text);
	}
}

/* ---- bar charts ---- */

struct bar_line {
	char label[256];
	bool has_bar;
	double value; /* in the axis' unit */
	const char *style;
	char text[200]; /* after the bar, or why there is none */
	char tip[240];	/* the bar's source, as its tooltip */
};

/* Fills up to two lines for a row; 0: the row has no place in this chart. */
typedef size_t (*bar_lines_fn)(const struct report_row *row, struct bar_line *lines);

struct bar_chart {
	const char *id;
	const char *title;
	const char *axis;  /* what the axis counts */
	double axis_floor; /* the axis reaches at least this */
	bool fixed;	   /* the axis ends at axis_floor whatever the data */
	bar_lines_fn lines;
	const struct legend_entry *legend;
	size_t legend_count;
};

struct bar_layout {
	size_t groups, lines;
	double axis_max, step;
	unsigned legend_used; /* a bit per legend entry whose style has a bar */
};

/* True for the first row of a board that has lines in this chart. */
static bool opens_group(const struct report_table *table, const struct bar_chart *chart, size_t row)
{
	struct bar_line lines[2];

	if (!chart->lines(&table->rows[row], lines))
		return false;
	for (size_t j = 0; j < row; j++)
		if (!strcmp(table->rows[j].board, table->rows[row].board) &&
		    chart->lines(&table->rows[j], lines))
			return false;
	return true;
}

static struct bar_layout bar_measure(const struct report_table *table,
				     const struct bar_chart *chart)
{
	struct bar_layout layout = {0, 0, 0, 0, 0};
	double max = 0;

	for (size_t i = 0; i < table->count; i++) {
		struct bar_line lines[2];
		size_t count = chart->lines(&table->rows[i], lines);
		layout.groups += opens_group(table, chart, i);
		layout.lines += count;
		for (size_t k = 0; k < count; k++) {
			if (!lines[k].has_bar)
				continue;
			max = lines[k].value > max ? lines[k].value : max;
			for (size_t e = 0; e < chart->legend_count; e++)
				if (!strcmp(chart->legend[e].style, lines[k].style))
					layout.legend_used |= 1u << e;
		}
	}
	if (chart->fixed || max < chart->axis_floor)
		max = chart->axis_floor;
	layout.step = nice_step(max, 5);
	layout.axis_max = chart->fixed ? max : ceil(max / layout.step) * layout.step;
	if (layout.axis_max <= 0)
		layout.axis_max = 1;
	return layout;
}

static void bar_axis(FILE *out, const struct bar_chart *chart, const struct bar_layout *layout,
		     double bottom)
{
	char tick[32];

	for (double v = 0; v <= layout->axis_max + layout->step / 1000; v += layout->step) {
		double x = BAR_X0 + (BAR_X1 - BAR_X0) * v / layout->axis_max;
		fprintf(out,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
			LEGEND_HEIGHT, x, bottom);
		snprintf(tick, sizeof tick, "%g", v);
		svg_text(out, x, bottom + 16, "class=\"axis\" text-anchor=\"middle\"", tick, 20);
	}
	svg_text(out, (BAR_X0 + BAR_X1) / 2.0, bottom + 36, "class=\"axis\" text-anchor=\"middle\"",
		 chart->axis, 100);
}

static void bar_heading(FILE *out, const struct report_row *row, double y)
{
	char text[300];

	snprintf(text, sizeof text, "%s, %s (verified: %s)", row->board,
		 row->board_name[0] ? row->board_name : "no name recorded", verified_text(row));
	svg_text(out, 8, y + 20, "class=\"head\"", text, 110);
}

static void bar_draw_line(FILE *out, const struct bar_chart *chart, const struct bar_layout *layout,
			  const struct bar_line *line, double y)
{
	double width = (BAR_X1 - BAR_X0) * line->value / layout->axis_max;

	svg_text(out, BAR_X0 - 8, y + 16, "text-anchor=\"end\"", line->label, LABEL_CHARS);
	if (!line->has_bar) {
		svg_text(out, BAR_X0 + 4, y + 16, "class=\"nodata\"", line->text, 100);
		return;
	}
	/* A present figure too small to see still shows as a bar, unlike no data. */
	if (width < 1.5)
		width = 1.5;
	fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"16\" ", BAR_X0, y + 4,
		width);
	put_fill(out, chart->id, line->style);
	fputs(" stroke=\"" INK "\"><title>", out);
	html_put_text(out, line->tip);
	fputs("</title></rect>\n", out);
	/* The widest bar leaves room for this many characters before the edge. */
	svg_text(out, BAR_X0 + width + 6, y + 16, "", line->text, 46);
}

static void bar_chart_draw(FILE *out, const struct report_table *table,
			   const struct bar_chart *chart, const struct bar_layout *layout)
{
	double y = LEGEND_HEIGHT;
	double bottom = LEGEND_HEIGHT + layout->groups * HEAD_HEIGHT + layout->lines * LINE_HEIGHT;

	svg_open(out, chart->id, (int)(bottom + AXIS_HEIGHT), chart->title);
	svg_legend(out, chart->id, chart->legend, chart->legend_count, layout->legend_used);
	bar_axis(out, chart, layout, bottom);
	for (size_t i = 0; i < table->count; i++) {
		struct bar_line lines[2];
		bool heading = false;
		if (!first_of_board(table, i))
			continue;
		for (size_t j = i; j < table->count; j++) {
			size_t count;
			if (strcmp(table->rows[j].board, table->rows[i].board))
				continue;
			count = chart->lines(&table->rows[j], lines);
			if (count && !heading) {
				bar_heading(out, &table->rows[j], y);
				y += HEAD_HEIGHT;
				heading = true;
			}
			for (size_t k = 0; k < count; k++, y += LINE_HEIGHT)
				bar_draw_line(out, chart, layout, &lines[k], y);
		}
	}
	fputs("</svg>\n", out);
}

static void figure_open(struct page *page, const char *id, const char *name, const char *sources)
{
	fprintf(page->out, "<figure id=\"%s\">\n<figcaption><b>Figure %d. %s</b><br>Source: ", id,
		++page->figure, name);
	html_put_text(page->out, sources);
	fputs("</figcaption>\n", page->out);
}

static void write_bar_figure(struct page *page, const char *name, const char *sources,
			     const struct bar_chart *chart, const char *no_data)
{
	struct bar_layout layout = bar_measure(page->table, chart);
	char title[SOURCES_TEXT + 200];

	snprintf(title, sizeof title, "%s. Source: %s", name, sources);
	figure_open(page, chart->id, name, sources);
	if (!layout.lines)
		fprintf(page->out, "<p class=\"absent\">no data: %s</p>\n", no_data);
	else {
		struct bar_chart titled = *chart;
		titled.title = title;
		bar_chart_draw(page->out, page->table, &titled, &layout);
	}
	fputs("</figure>\n", page->out);
}

/* A chart label of at most `max` characters: the model's name is what gets
 * cut, so the variant and what follows it always show. */
static void label_around_model(char *out, size_t capacity, size_t max, const char *before,
			       const char *model, const char *after)
{
	size_t fixed = strlen(before) + strlen(after);
	size_t room = fixed + 4 < max ? max - fixed : 4;

	if (strlen(model) <= room)
		snprintf(out, capacity, "%s%s%s", before, model, after);
	else
		snprintf(out, capacity, "%s%.*s...%s", before, (int)(room - 3), model, after);
}

/* The suite tells a suite's variant from a model run of the same model. */
static void row_label(const struct report_row *row, const char *what, char *out, size_t capacity)
{
	char after[160];

	snprintf(after, sizeof after, " (%s%s%s)%s%s%s", row->variant,
		 row->suite[0] ? ", suite " : "", row->suite, what[0] ? " " : "", what,
		 strcmp(row->status, "ok") ? " [run not ok]" : "");
	label_around_model(out, capacity, LABEL_CHARS, "", row->model, after);
}

/* ---- figure 1: latency ---- */

static size_t latency_lines(const struct report_row *row, struct bar_line *lines)
{
	const struct report_cell *cell = report_row_cell(row, REPORT_COL_LATENCY);
	struct bar_line *line = &lines[0];
	char value[48];

	memset(line, 0, sizeof *line);
	row_label(row, "", line->label, sizeof line->label);
	if (!cell) {
		snprintf(line->text, sizeof line->text, "no data: the record has no latency");
		return 1;
	}
	report_cell_text(row, REPORT_COL_LATENCY, value, sizeof value);
	line->has_bar = true;
	line->value = cell->value;
	if (latency_is_emulated(row))
		line->style = "hatch";
	else if (cell->source == REPORT_SOURCE_MEASURED || report_row_cell(row, REPORT_COL_COUNT))
		line->style = "solid";
	else
		line->style = "dots";
	snprintf(line->text, sizeof line->text, "%s%s", value,
		 latency_is_emulated(row) ? " (from emulated instructions)" : "");
	snprintf(line->tip, sizeof line->tip, "%s: %s", value, latency_origin(row));
	return 1;
}

static void write_latency(struct page *page)
{
	static const struct legend_entry legend[] = {
	    {"hatch", "derived from emulated instruction counts (1 instruction per cycle)"},
	    {"solid", "derived from measured cycles"},
	    {"dots", "other source"},
	};
	const struct bar_chart chart = {
	    "fig-latency", NULL, "milliseconds (median per inference)", 0, false, latency_lines,
	    legend,	   3};
	char sources[SOURCES_TEXT];

	column_origins(page->table, REPORT_COL_LATENCY, sources, sizeof sources);
	write_bar_figure(page, "Latency per board and model", sources, &chart,
			 "no record has a latency");
}

/* ---- figure 2: memory against capacity ---- */

static void capacity_line(const struct report_row *row, struct bar_line *line, const char *what,
			  enum report_column_id bytes, enum report_column_id share,
			  uint32_t capacity)
{
	const struct report_cell *cell = report_row_cell(row, bytes);
	const struct report_cell *percent = report_row_cell(row, share);
	char value[48], whole[32], pct[32];

	memset(line, 0, sizeof *line);
	row_label(row, what, line->label, sizeof line->label);
	line->style = bytes == REPORT_COL_PEAK_RAM ? "solid" : "hatch";
	if (!cell) {
		snprintf(line->text, sizeof line->text, "no data: the record has no %s figure",
			 what);
		return;
	}
	report_cell_text(row, bytes, value, sizeof value);
	if (!capacity || !percent) {
		snprintf(line->text, sizeof line->text,
			 "%s; no bar: the record does not give the board's %s size", value,
			 bytes == REPORT_COL_PEAK_RAM ? "RAM" : "flash");
		return;
	}
	bytes_text(capacity, whole, sizeof whole);
	report_cell_text(row, share, pct, sizeof pct);
	line->has_bar = true;
	line->value = percent->value;
	snprintf(line->text, sizeof line->text, "%s of %s (%s)", value, whole, pct);
	snprintf(line->tip, sizeof line->tip, "%s %s (%s) of the board's %s (profile)", what, value,
		 report_source_name(cell->source), whole);
}

static size_t memory_lines(const struct report_row *row, struct bar_line *lines)
{
	capacity_line(row, &lines[0], "peak RAM", REPORT_COL_PEAK_RAM, REPORT_COL_PEAK_RAM_PCT,
		      row->ram_bytes);
	capacity_line(row, &lines[1], "flash", REPORT_COL_FLASH, REPORT_COL_FLASH_PCT,
		      row->flash_bytes);
	return 2;
}

static void write_memory(struct page *page)
{
	static const struct legend_entry legend[] = {
	    {"solid", "peak RAM"},
	    {"hatch", "flash (firmware + model image)"},
	};
	const struct bar_chart chart = {
	    "fig-memory", NULL, "% of the board's capacity", 100, false, memory_lines, legend, 2};
	char sources[SOURCES_TEXT] = "peak RAM ", part[SOURCES_TEXT];

	column_origins(page->table, REPORT_COL_PEAK_RAM, part, sizeof part);
	append(sources, sizeof sources, part);
	append(sources, sizeof sources, "; flash ");
	column_origins(page->table, REPORT_COL_FLASH, part, sizeof part);
	append(sources, sizeof sources, part);
	append(sources, sizeof sources, "; capacity from the board profile in each record");
	write_bar_figure(page, "Peak RAM and flash against each board's capacity", sources, &chart,
			 "no record has a RAM or flash figure");
}

/* ---- figure 3: accuracy per variant ---- */

static size_t accuracy_lines(const struct report_row *row, struct bar_line *lines)
{
	const struct report_cell *cell = report_row_cell(row, REPORT_COL_ACCURACY);
	const struct report_cell *drop = report_row_cell(row, REPORT_COL_INT8_DROP);
	struct bar_line *line = &lines[0];
	char value[32], points[32] = "", before[160];

	if (!row->suite[0] && !cell)
		return 0; /* a model run measures no accuracy */
	memset(line, 0, sizeof *line);
	snprintf(before, sizeof before, "%s: %s (", row->suite, row->variant);
	label_around_model(line->label, sizeof line->label, LABEL_CHARS, before, row->model,
			   strcmp(row->status, "ok") ? ") [run not ok]" : ")");
	if (!cell) {
		snprintf(line->text, sizeof line->text, "no data: the record has no accuracy");
		return 1;
	}
	report_cell_text(row, REPORT_COL_ACCURACY, value, sizeof value);
	if (drop)
		report_cell_text(row, REPORT_COL_INT8_DROP, points, sizeof points);
	line->has_bar = true;
	line->value = cell->value;
	line->style = !strcmp(row->variant, "float32") ? "light"
		      : !strcmp(row->variant, "int8")  ? "solid"
						       : "dots";
	snprintf(line->text, sizeof line->text, "%s %s, %u samples%s%s", value,
		 row->accuracy_metric, row->accuracy_samples, drop ? "; drop " : "", points);
	snprintf(line->tip, sizeof line->tip, "%s %s (%s) on %u samples", row->accuracy_metric,
		 value, report_source_name(cell->source), row->accuracy_samples);
	return 1;
}

static void write_accuracy(struct page *page)
{
	static const struct legend_entry legend[] = {
	    {"light", "float32"},
	    {"solid", "int8"},
	    {"dots", "other variant"},
	};
	const struct bar_chart chart = {
	    "fig-accuracy", NULL, "accuracy (the suite's metric, 0 to 1)", 1, true, accuracy_lines,
	    legend,	    3};
	char sources[SOURCES_TEXT] = "accuracy ", part[SOURCES_TEXT];

	column_origins(page->table, REPORT_COL_ACCURACY, part, sizeof part);
	append(sources, sizeof sources, part);
	append(sources, sizeof sources,
	       " (the suite's metric on the board's outputs); int8 drop in points, derived "
	       "(float32 minus the variant)");
	write_bar_figure(page, "float32 vs int8 accuracy per board and suite", sources, &chart,
			 "no suite record (only suite runs measure accuracy)");
}

/* ---- figure 4: Pareto views ---- */

struct point {
	size_t row;
	double x, y;
	bool front;
};

struct axis {
	double low, high, step;
};

/* Lower x is better, higher accuracy is better. */
static void mark_front(struct point *points, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		points[i].front = true;
		for (size_t j = 0; j < count && points[i].front; j++)
			if (j != i && points[j].x <= points[i].x && points[j].y >= points[i].y &&
			    (points[j].x < points[i].x || points[j].y > points[i].y))
				points[i].front = false;
	}
}

/* Fastest first, so the key reads along the x axis; ties in table order. */
static int compare_x(const void *a, const void *b)
{
	const struct point *p = a, *q = b;

	if (p->x != q->x)
		return p->x > q->x ? 1 : -1;
	return (p->row > q->row) - (p->row < q->row);
}

static size_t collect_points(const struct report_table *table, enum report_column_id x_column,
			     struct point *points)
{
	size_t count = 0;

	for (size_t i = 0; i < table->count; i++) {
		const struct report_cell *x = report_row_cell(&table->rows[i], x_column);
		const struct report_cell *y = report_row_cell(&table->rows[i], REPORT_COL_ACCURACY);
		if (!x || !y)
			continue;
		points[count++] = (struct point){i, x->value, y->value, false};
	}
	mark_front(points, count);
	qsort(points, count, sizeof points[0], compare_x);
	return count;
}

static struct axis x_axis_for(const struct point *points, size_t count)
{
	struct axis axis = {0, 0, 1};

	for (size_t i = 0; i < count; i++)
		if (points[i].x > axis.high)
			axis.high = points[i].x;
	axis.step = nice_step(axis.high, 5);
	axis.high = axis.high > 0 ? ceil(axis.high / axis.step) * axis.step : 1;
	return axis;
}

/* Accuracies crowd near the top: the axis spans the data, within 0..1. */
static struct axis y_axis_for(const struct point *points, size_t count)
{
	double low = 1, high = 0, span;
	struct axis axis;

	for (size_t i = 0; i < count; i++) {
		low = points[i].y < low ? points[i].y : low;
		high = points[i].y > high ? points[i].y : high;
	}
	span = high - low > 0.05 ? high - low : 0.05;
	axis.step = nice_step(span * 1.5, 5);
	axis.low = floor((low - span * 0.25) / axis.step) * axis.step;
	axis.high = ceil((high + span * 0.25) / axis.step) * axis.step;
	axis.low = axis.low < 0 ? 0 : axis.low;
	axis.high = axis.high > 1 ? 1 : axis.high;
	if (axis.high <= axis.low)
		axis.high = axis.low + axis.step;
	return axis;
}

static double plot_x(const struct axis *axis, double v)
{
	return PLOT_X0 + (PLOT_X1 - PLOT_X0) * (v - axis->low) / (axis->high - axis->low);
}

static double plot_y(const struct axis *axis, double v)
{
	return PLOT_Y1 - (PLOT_Y1 - PLOT_Y0) * (v - axis->low) / (axis->high - axis->low);
}

static void scatter_axes(FILE *out, const struct axis *x, const struct axis *y, const char *x_title)
{
	char tick[32];

	for (double v = x->low; v <= x->high + x->step / 1000; v += x->step) {
		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n",
			plot_x(x, v), PLOT_Y0, plot_x(x, v), PLOT_Y1);
		snprintf(tick, sizeof tick, "%g", v);
		svg_text(out, plot_x(x, v), PLOT_Y1 + 18, "class=\"axis\" text-anchor=\"middle\"",
			 tick, 20);
	}
	for (double v = y->low; v <= y->high + y->step / 1000; v += y->step) {
		fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
			PLOT_X0, plot_y(y, v), PLOT_X1, plot_y(y, v));
		snprintf(tick, sizeof tick, "%g", v);
		svg_text(out, PLOT_X0 - 8, plot_y(y, v) + 4, "class=\"axis\" text-anchor=\"end\"",
			 tick, 20);
	}
	svg_text(out, (PLOT_X0 + PLOT_X1) / 2.0, PLOT_Y1 + 40,
		 "class=\"axis\" text-anchor=\"middle\"", x_title, 100);
	fprintf(out, "<g text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">",
		(PLOT_Y0 + PLOT_Y1) / 2);
	svg_text(out, 18, (PLOT_Y0 + PLOT_Y1) / 2.0, "class=\"axis\"",
		 "accuracy (higher is better)", 60);
	fputs("</g>\n", out);
}

/* One shape per board, filled when non-dominated: told apart without colour. */
static void svg_marker(FILE *out, size_t board, bool front, double x, double y)
{
	const char *fill = front ? INK : "#fff";

	switch (board % 5) {
	case 0: fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\"", x, y); break;
	case 1:
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"13\" height=\"13\"", x - 6.5,
			y - 6.5);
		break;
	case 2:
		fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x, y - 8, x + 8,
			y + 6, x - 8, y + 6);
		break;
	case 3:
		fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x,
			y - 8, x + 8, y, x, y + 8, x - 8, y);
		break;
	default:
		fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x - 8, y - 6,
			x + 8, y - 6, x, y + 8);
	}
	fprintf(out, " fill=\"%s\" stroke=\"" INK "\" stroke-width=\"2\"/>\n", fill);
}

/* The points come sorted by x: the front, joined in that order, steps up. */
static void scatter_front_line(FILE *out, const struct point *points, size_t count,
			       const struct axis *x, const struct axis *y)
{
	size_t front = 0;

	for (size_t i = 0; i < count; i++)
		front += points[i].front;
	if (front < 2)
		return;
	fputs("<polyline fill=\"none\" stroke=\"" INK "\" stroke-dasharray=\"6 4\" points=\"", out);
	for (size_t i = 0; i < count; i++)
		if (points[i].front)
			fprintf(out, "%.1f,%.1f ", plot_x(x, points[i].x), plot_y(y, points[i].y));
	fputs("\"/>\n", out);
}

static void scatter_points(FILE *out, const struct report_table *table, const struct point *points,
			   size_t count, const struct axis *x, const struct axis *y)
{
	for (size_t i = 0; i < count; i++) {
		const struct report_row *row = &table->rows[points[i].row];
		size_t board = board_number(table, points[i].row);
		double px = plot_x(x, points[i].x), py = plot_y(y, points[i].y);
		char number[24], key[300], before[160], after[64];

		svg_marker(out, board, points[i].front, px, py);
		snprintf(number, sizeof number, "%zu", i + 1);
		svg_text(out, px + 10, py - 8, "class=\"head\"", number, 8);
		/* The key beside the plot names each numbered point. */
		svg_marker(out, board, points[i].front, KEY_X, PLOT_Y0 + 10 + 22.0 * i);
		snprintf(before, sizeof before, "%zu %s ", i + 1, row->board);
		snprintf(after, sizeof after, " (%s)%s", row->variant, points[i].front ? " *" : "");
		label_around_model(key, sizeof key, KEY_CHARS, before, row->model, after);
		svg_text(out, KEY_X + 14, PLOT_Y0 + 15 + 22.0 * i, "", key, KEY_CHARS);
	}
}

static void scatter_list(FILE *out, const struct report_table *table, const struct point *points,
			 size_t count, enum report_column_id x_column)
{
	fputs("<ol class=\"points\">\n", out);
	for (size_t i = 0; i < count; i++) {
		const struct report_row *row = &table->rows[points[i].row];
		char x[48], y[48];

		report_cell_text(row, x_column, x, sizeof x);
		report_cell_text(row, REPORT_COL_ACCURACY, y, sizeof y);
		fputs("<li>", out);
		html_put_text(out, row->board);
		fputs(" <span class=\"level\">", out);
		html_put_text(out, verified_text(row));
		fputs("</span> ", out);
		html_put_text(out, row->model);
		fputs(" (", out);
		html_put_text(out, row->variant);
		fprintf(out, "): %s, %s %s: <b>%s</b></li>\n", x, row->accuracy_metric, y,
			points[i].front ? "non-dominated" : "dominated");
	}
	fputs("</ol>\n", out);
}

static void scatter_draw(FILE *out, const struct report_table *table, const struct point *points,
			 size_t count, const char *id, const char *title, const char *x_title)
{
	struct axis x = x_axis_for(points, count), y = y_axis_for(points, count);
	double key_bottom = PLOT_Y0 + 22.0 * count + 20;
	int height = key_bottom > PLOT_Y1 + 50 ? (int)key_bottom : PLOT_Y1 + 50;

	svg_open(out, id, height, title);
	scatter_axes(out, &x, &y, x_title);
	scatter_front_line(out, points, count, &x, &y);
	scatter_points(out, table, points, count, &x, &y);
	fputs("</svg>\n", out);
}

static bool mixed_latency(const struct report_table *table)
{
	bool emulated = false, other = false;

	for (size_t i = 0; i < table->count; i++)
		if (report_row_cell(&table->rows[i], REPORT_COL_LATENCY)) {
			emulated |= latency_is_emulated(&table->rows[i]);
			other |= !latency_is_emulated(&table->rows[i]);
		}
	return emulated && other;
}

static int write_pareto(struct page *page, enum report_column_id x_column, const char *id,
			const char *name, const char *x_title)
{
	struct point *points = calloc(page->table->count ? page->table->count : 1, sizeof *points);
	char sources[SOURCES_TEXT], part[SOURCES_TEXT], title[SOURCES_TEXT + 200];
	size_t count;

	if (!points)
		return hb_error(HB_ERR_NOMEM, "out of memory for the report's Pareto view");
	count = collect_points(page->table, x_column, points);
	snprintf(sources, sizeof sources, "%s ", report_column(x_column)->name);
	column_origins(page->table, x_column, part, sizeof part);
	append(sources, sizeof sources, part);
	append(sources, sizeof sources, "; accuracy ");
	column_origins(page->table, REPORT_COL_ACCURACY, part, sizeof part);
	append(sources, sizeof sources, part);
	snprintf(title, sizeof title, "%s. Source: %s", name, sources);
	figure_open(page, id, name, sources);
	if (!count)
		fprintf(page->out,
			"<p class=\"absent\">no data: no row has both a %s and an "
			"accuracy figure (only suite runs measure accuracy)</p>\n",
			report_column(x_column)->name);
	else {
		fputs("<p class=\"note\">Filled markers and * are non-dominated (no other row is "
		      "both faster or equal and at least as accurate); the dashed line joins them; "
		      "one marker shape per board.</p>\n",
		      page->out);
		if (x_column == REPORT_COL_LATENCY && mixed_latency(page->table))
			fputs(
			    "<p class=\"note\">Latencies from emulated instruction counts and from "
			    "measured cycles share this axis but are not comparable.</p>\n",
			    page->out);
		scatter_draw(page->out, page->table, points, count, id, title, x_title);
		scatter_list(page->out, page->table, points, count, x_column);
	}
	fputs("</figure>\n", page->out);
	free(points);
	return HB_OK;
}

/* ---- the full table and the selection ---- */

static void write_figure_cell(FILE *out, const struct report_row *row, enum report_column_id id)
{
	const struct report_cell *cell = report_row_cell(row, id);
	char text[64], origin[200];

	if (!cell) {
		fputs("<td class=\"absent\" title=\"not in the record\">no data</td>", out);
		return;
	}
	report_cell_text(row, id, text, sizeof text);
	cell_origin(row, id, origin, sizeof origin);
	fputs("<td class=\"num\" title=\"source: ", out);
	html_put_text(out, origin);
	fputs("\">", out);
	html_put_text(out, text);
	fprintf(out, "<span class=\"src\">%s</span></td>", report_source_name(cell->source));
}

static void write_status_cell(FILE *out, const struct report_row *row)
{
	bool ok = !strcmp(row->status, "ok");

	fprintf(out, "<td%s title=\"record: ", ok ? "" : " class=\"error\"");
	html_put_text(out, row->record);
	fputs("\">", out);
	html_put_text(out, row->status[0] ? row->status : "unknown");
	if (row->error_kind[0] || row->error[0]) {
		fputs(": ", out);
		html_put_text(out, row->error_kind);
		fputs(" ", out);
		html_put_text(out, row->error);
	}
	fputs("</td>", out);
}

static void write_table_row(FILE *out, const struct report_row *row)
{
	fputs("<tr><td>", out);
	html_put_text(out, row->board);
	fprintf(out, "<span class=\"src\"><span class=\"level level-%s\">", verified_class(row));
	html_put_text(out, verified_text(row));
	fputs("</span></span></td><td>", out);
	html_put_text(out, row->model);
	fputs("<span class=\"src\">", out);
	html_put_text(out, row->variant);
	if (row->suite[0]) {
		fputs(", suite ", out);
		html_put_text(out, row->suite);
	}
	fputs("</span></td>", out);
	write_status_cell(out, row);
	for (int id = 0; id < REPORT_COLUMN_COUNT; id++)
		write_figure_cell(out, row, (enum report_column_id)id);
	fputs("</tr>\n", out);
}

static void write_full_table(struct page *page, const struct report_view *view)
{
	FILE *out = page->out;

	fputs("<section id=\"table\">\n<h2>All figures</h2>\n<p class=\"note\">Every column of "
	      "every row; the tag under each figure is its source (hover for how it was "
	      "obtained).</p>\n<div class=\"wide\"><table class=\"figures\"><thead><tr><th>board, "
	      "verified level</th><th>model, variant</th><th>status</th>",
	      out);
	for (int id = 0; id < REPORT_COLUMN_COUNT; id++) {
		const struct report_column *column = report_column((enum report_column_id)id);
		fprintf(out, "<th title=\"%s\">%s%s%s%s</th>", column->csv_name, column->title,
			column->unit[0] ? " (" : "", column->unit, column->unit[0] ? ")" : "");
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < view->selection->count; i++)
		write_table_row(out, &page->table->rows[view->selection->verdicts[i].row]);
	fputs("</tbody></table></div>\n</section>\n", out);
}

static void write_row_name(FILE *out, const struct report_row *row)
{
	fputs("<b>", out);
	html_put_text(out, row->board);
	fputs("</b> <span class=\"level\">", out);
	html_put_text(out, verified_text(row));
	fputs("</span> ", out);
	html_put_text(out, row->model);
	fputs(" (", out);
	html_put_text(out, row->variant);
	fputs(")", out);
}

static void write_qualifying(struct page *page, const struct report_selection *selection)
{
	FILE *out = page->out;

	fputs("<h3>Qualifying, best first</h3>\n<ol class=\"qualifying\">\n", out);
	for (size_t i = 0; i < selection->qualifying; i++) {
		const struct report_row *row = &page->table->rows[selection->verdicts[i].row];
		char value[64];
		fputs("<li>", out);
		write_row_name(out, row);
		if (selection->ranked) {
			report_cell_text(row, selection->rank_column, value, sizeof value);
			fprintf(out, ": %s %s", report_column(selection->rank_column)->name, value);
		}
		fputs("</li>\n", out);
	}
	if (!selection->qualifying)
		fputs("<li class=\"absent\">none</li>\n", out);
	fputs("</ol>\n", out);
}

static void write_excluded(struct page *page, const struct report_selection *selection)
{
	FILE *out = page->out;

	if (selection->qualifying == selection->count)
		return;
	fputs("<h3>Excluded</h3>\n<ul class=\"excluded\">\n", out);
	for (size_t i = selection->qualifying; i < selection->count; i++) {
		const struct report_verdict *verdict = &selection->verdicts[i];
		char reason[256];
		report_exclusion_text(page->table, selection, verdict, reason, sizeof reason);
		fputs("<li>", out);
		write_row_name(out, &page->table->rows[verdict->row]);
		fputs(": ", out);
		html_put_text(out, reason);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

static void write_selection(struct page *page, const struct report_view *view)
{
	const struct report_selection *selection = view->selection;
	FILE *out = page->out;

	if (!selection->requirements && !selection->ranked)
		return;
	fputs("<section id=\"selection\">\n<h2>Selection</h2>\n<p>", out);
	if (view->require_text) {
		fputs("Required: <code>", out);
		html_put_text(out, view->require_text);
		fputs("</code>. ", out);
	}
	fprintf(out, "%zu of %zu rows qualify", selection->qualifying, selection->count);
	if (selection->ranked)
		fprintf(out, ", best first by %s (%s is better)",
			report_column(selection->rank_column)->name,
			report_column(selection->rank_column)->lower_is_better ? "lower"
									       : "higher");
	fputs(".</p>\n", out);
	write_qualifying(page, selection);
	write_excluded(page, selection);
	fputs("</section>\n", out);
}

/* One window of each meter trace a record keeps (html_energy_window.h). */
static void write_energy_windows(struct page *page)
{
	for (size_t i = 0; i < page->table->count; i++) {
		const struct report_row *row = &page->table->rows[i];
		char id[48], label[300];

		if (!row->energy_trace[0])
			continue;
		snprintf(id, sizeof id, "fig-energy-window-%zu", i + 1);
		row_label(row, "", label, sizeof label);
		figure_open(
		    page, id, "One window of the meter's trace",
		    "measured (the meter's trace file beside the record); the window is the "
		    "firmware's marker pin, as the meter saw it");
		fputs("<p class=\"note\">", page->out);
		html_put_text(page->out, label);
		fputs(" on ", page->out);
		html_put_text(page->out, row->board);
		fputs("</p>\n", page->out);
		if (html_energy_window_svg(page->out, row->energy_trace, id) != HB_OK) {
			fputs("<p class=\"absent\">no trace drawn: ", page->out);
			html_put_text(page->out, hb_last_error());
			fputs("</p>\n", page->out);
		}
		fputs("</figure>\n", page->out);
	}
}

static int html_write(FILE *out, const struct report_view *view)
{
	struct page page = {out, view->table, 0};
	int status;

	write_head(&page, view);
	write_header(&page, view);
	write_selection(&page, view);
	write_boards(&page);
	fputs("<section id=\"figures\">\n<h2>Figures</h2>\n", out);
	write_latency(&page);
	write_memory(&page);
	write_accuracy(&page);
	status = write_pareto(&page, REPORT_COL_LATENCY, "fig-pareto-latency",
			      "Latency against accuracy (Pareto view)",
			      "latency, ms (median per inference; lower is better)");
	if (status == HB_OK && any_cell(view->table, REPORT_COL_ENERGY))
		status = write_pareto(&page, REPORT_COL_ENERGY, "fig-pareto-energy",
				      "Energy against accuracy (Pareto view)",
				      "energy per inference, uJ (lower is better)");
	if (status == HB_OK && any_cell(view->table, REPORT_COL_ENERGY_MODELLED))
		status =
		    write_pareto(&page, REPORT_COL_ENERGY_MODELLED, "fig-pareto-energy-modelled",
				 "Modelled energy against accuracy (Pareto view; datasheet "
				 "figures, not a meter)",
				 "modelled energy per inference, uJ (lower is better)");
	write_energy_windows(&page);
	html_layers_write(out, view->table, &page.figure);
	fputs("</section>\n", out);
	write_full_table(&page, view);
	fputs("</body>\n</html>\n", out);
	if (status != HB_OK)
		return status;
	return ferror(out) ? hb_error(HB_ERR_IO, "writing the report failed") : HB_OK;
}

const struct report_writer report_writer_html = {
    .name = "html",
    .extension = ".html",
    .write = html_write,
};
