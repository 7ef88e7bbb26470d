/*
 * One window of a meter's trace as inline SVG, for the HTML report: supply
 * current against time around the first complete marked window of a trace
 * file (meter/energy.h's HBTRACE format), the window shaded. Small whatever
 * the trace's length (the samples are binned, each bin drawn as its mean
 * and its min..max band), no script, nothing fetched.
 */
#ifndef HB_HTML_ENERGY_WINDOW_H
#define HB_HTML_ENERGY_WINDOW_H

#include <stdio.h>

/* Writes <svg>...</svg>, ids prefixed with `id`. Returns HB_OK, or an error
 * (reported through hb_error: the file cannot be read, or holds no complete
 * window) having written nothing. */
int html_energy_window_svg(FILE *out, const char *trace_path, const char *id);

#endif
