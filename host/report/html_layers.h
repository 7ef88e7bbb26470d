/*
 * The per-layer figure of the HTML report: for each row whose record holds
 * a per-layer profile (report_layers.h), its costliest layers as horizontal
 * bars of their share of one inference, each labelled with the op's index,
 * kind and kernel path, its count and count per MAC; the layers not kept
 * share one "other layers" bar. Inline SVG, no script; every string from a
 * record escaped. A row without a profile gets no chart, and without any
 * such row the figure is not written at all.
 */
#ifndef HB_HTML_LAYERS_H
#define HB_HTML_LAYERS_H

#include <stdio.h>

#include "report/report_table.h"

/* Writes the figure, numbered ++*figure, when some row has layers. */
void html_layers_write(FILE *out, const struct report_table *table, int *figure);

#endif
