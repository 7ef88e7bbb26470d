/* The synthesized trace of trace_synth.h: every sample is a pure function of
 * the parameters and its index, so emulators can stream it without storing it. */
#include "trace_synth.h"

/* A glitch is this many samples of marker low in the middle of its window. */
#define GLITCH_SAMPLES 3u

void trace_synth_defaults(struct trace_synth *synth)
{
	*synth = (struct trace_synth){.rate_hz = 100000,
				      .supply_v = 3.0,
				      .idle_a = 0.001,
				      .active_a = 0.008,
				      .noise_a = 0.0002,
				      .lead_samples = 5000,
				      .window_samples = 2000,
				      .gap_samples = 3000,
				      .windows = 6,
				      .inferences = 5,
				      .glitch_window = -1,
				      .drop_window = -1,
				      .drop_samples = 200,
				      .seed = 1};
}

uint64_t trace_synth_length(const struct trace_synth *synth)
{
	return synth->lead_samples +
	       (uint64_t)synth->windows * (synth->window_samples + synth->gap_samples);
}

/* splitmix64 of (seed, index): independent noise per sample, no state. */
static double noise_at(const struct trace_synth *synth, uint64_t index)
{
	uint64_t z = index + ((uint64_t)synth->seed << 32) + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return synth->noise_a * (2.0 * ((double)(z >> 11) / 9007199254740992.0) - 1.0);
}

struct trace_point trace_synth_point(const struct trace_synth *synth, uint64_t index)
{
	struct trace_point point = {.current_a = synth->idle_a};
	const uint32_t period = synth->window_samples + synth->gap_samples;

	if (index >= synth->lead_samples) {
		const uint64_t offset = index - synth->lead_samples;
		const uint32_t window = (uint32_t)(offset / period);
		const uint32_t inside = (uint32_t)(offset % period);

		if (window < synth->windows && inside < synth->window_samples) {
			const uint32_t middle = synth->window_samples / 2;

			point.current_a = synth->active_a;
			point.marker = true;
			if ((int32_t)window == synth->glitch_window && inside >= middle &&
			    inside < middle + GLITCH_SAMPLES)
				point.marker = false;
			if ((int32_t)window == synth->drop_window && inside >= middle / 2 &&
			    inside < middle / 2 + synth->drop_samples)
				point.dropped = true;
		}
	}
	point.current_a += noise_at(synth, index);
	return point;
}

double trace_synth_window_energy_j(const struct trace_synth *synth, uint32_t window)
{
	const uint64_t first =
	    synth->lead_samples + (uint64_t)window * (synth->window_samples + synth->gap_samples);
	double charge = 0.0;

	for (uint32_t i = 0; i < synth->window_samples; i++)
		charge += trace_synth_point(synth, first + i).current_a;
	return synth->supply_v * charge / synth->rate_hz / synth->inferences;
}

double trace_synth_idle_power_w(const struct trace_synth *synth)
{
	return synth->supply_v * synth->idle_a;
}
