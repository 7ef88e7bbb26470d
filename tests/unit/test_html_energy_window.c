/* report/html_energy_window.c on trace files built here: the window found
 * and shaded where the marker is, dropped samples breaking the line, and a
 * trace without a complete window refused with nothing written. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meter/energy.h"
#include "report/html_energy_window.h"
#include "util/error.h"

#define RATE 10000

static struct meter_sample samples[3000];
static char window_message[512];

static void capture(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(window_message, sizeof window_message, "%s", message);
}

/* 1000 idle samples at 1 mA, `window` at 8 mA with marker bit 2, then idle. */
static size_t build(size_t window, bool close_it)
{
	size_t n = 0;

	for (; n < 1000; n++)
		samples[n] = (struct meter_sample){.current_a = 0.001f};
	for (size_t i = 0; i < window; i++, n++)
		samples[n] = (struct meter_sample){.current_a = 0.008f, .logic = 1u << 2};
	if (close_it)
		for (size_t i = 0; i < 1000; i++, n++)
			samples[n] = (struct meter_sample){.current_a = 0.001f};
	return n;
}

/* Renders the trace; returns the page text (caller frees) or NULL on error. */
static char *render(size_t count, int *status)
{
	const struct energy_trace trace = {
	    .samples = samples, .count = count, .rate_hz = RATE, .supply_v = 3.3, .marker_bit = 2};
	char path[] = "/tmp/hb-window-XXXXXX";
	int fd = mkstemp(path);
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(energy_trace_write(path, &trace), HB_OK);
	*status = html_energy_window_svg(out, path, "w");
	fclose(out);
	unlink(path);
	return text;
}

Test(html_energy_window, draws_the_first_window_shaded_where_the_marker_was)
{
	int status;
	char *text = render(build(500, true), &status);

	cr_assert_eq(status, HB_OK);
	cr_assert(strncmp(text, "<svg ", 5) == 0, "%.60s", text);
	cr_assert(strstr(text, "one marked window: 50 ms, samples 1000 to 1500 of 2500"), "%s",
		  text);
	/* Drawn: 250 samples before and after, so the window is the middle half. */
	cr_assert(strstr(text, "<rect x=\"355.0\" y=\"20\" width=\"530.0\""), "%s", text);
	cr_assert(strstr(text, "<polyline"));
	cr_assert_null(strstr(text, "<script"));
	cr_assert(strstr(text, "</svg>\n"));
	free(text);
}

Test(html_energy_window, dropped_samples_break_the_line)
{
	int status;
	size_t count = build(500, true);
	char *text, *first;

	for (size_t i = 1100; i < 1200; i++)
		samples[i] = (struct meter_sample){.logic = 1u << 2, .dropped = 1};
	text = render(count, &status);
	cr_assert_eq(status, HB_OK);
	first = strstr(text, "<polyline");
	cr_assert(first && strstr(first + 1, "<polyline"), "two lines around the gap");
	free(text);
}

Test(html_energy_window, a_trace_without_a_complete_window_writes_nothing)
{
	int status;
	char *text;

	hb_log_set_sink(capture, NULL);
	text = render(build(500, false), &status);
	hb_log_set_sink(NULL, NULL);
	cr_assert_eq(status, HB_ERR_INPUT);
	cr_assert(strstr(window_message, "no complete marked window"), "%s", window_message);
	cr_assert_str_empty(text);
	free(text);
}
