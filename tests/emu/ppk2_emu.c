/*
 * A Nordic PPK2 on a pseudo-terminal, for the driver's tests: it prints the
 * pty's path on the first line of stdout, answers the metadata command with
 * a calibration of its own (not the defaults, so a driver that ignores it
 * is off), takes the mode, regulator, power and average start/stop
 * commands, and on average start streams trace_synth's trace as 4-byte
 * sample words: per sample the lowest range whose ADC holds the current,
 * the ADC count from the calibration solved backwards, the sample counter,
 * and the marker on logic bit --marker-bit. Dropped samples are not sent
 * (the counter still advances, as on a congested USB link). On each start
 * it prints every window's known energy per inference (at the supply the
 * client set) on stdout, after the pty path. It streams as
 * fast as the pty takes the bytes and exits when the client closes the pty
 * (unless --reopen) or on SIGTERM.
 *
 *   ppk2_emu [--windows N] [--window-samples N] [--gap-samples N]
 *            [--lead-samples N] [--inferences N] [--idle-ma X] [--active-ma X]
 *            [--noise-ma X] [--glitch-window W] [--drop-window W]
 *            [--drop-samples N] [--seed N] [--marker-bit B] [--reopen 1]
 *
 * With --reopen 1 it outlives its client and serves the next one (each
 * start replays the trace from its first sample) until SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "emu_pty.h"
#include "trace_synth.h"

#define RANGES	 5
#define ADC_MULT (1.8 / 163840.0)
#define ADC_MAX	 16383

/* A calibration unlike the defaults in every term, so each one is exercised. */
static const double cal_r[RANGES] = {1003.3, 99.8, 10.02, 0.953, 0.0427};
static const double cal_gs[RANGES] = {0.0, 1.5, 0.8, 0.1, 0.01};
static const double cal_gi[RANGES] = {1.01, 0.99, 1.02, 0.98, 1.0};
static const double cal_o[RANGES] = {45, 32, 28, 20, 12};
static const double cal_s[RANGES] = {0, 2e-7, 1e-6, 3e-6, 1e-5};
static const double cal_i[RANGES] = {0, 1e-7, -2e-7, 4e-7, -1e-6};
static const double cal_ug[RANGES] = {1.0, 1.002, 0.998, 1.0, 1.0};

static volatile sig_atomic_t emu_stop;

static void on_signal(int signal_number)
{
	(void)signal_number;
	emu_stop = 1;
}

struct emu {
	int master;
	struct trace_synth synth;
	unsigned marker_bit;
	double vdd_v;
	bool streaming;
	bool reopen; /* a client that closes may come back (one open per suite variant) */
	uint64_t index;
	uint8_t command[4];
	size_t command_length;
	uint8_t out[8192];
	size_t out_length;
};

static void put(struct emu *emu, const void *data, size_t length)
{
	if (emu->out_length + length <= sizeof emu->out) {
		memcpy(emu->out + emu->out_length, data, length);
		emu->out_length += length;
	}
}

static void send_metadata(struct emu *emu)
{
	static const struct {
		const char *key;
		const double *values;
	} tables[] = {{"R", cal_r}, {"GS", cal_gs}, {"GI", cal_gi}, {"O", cal_o},
		      {"S", cal_s}, {"I", cal_i},   {"UG", cal_ug}};
	char text[2048];
	int length = snprintf(text, sizeof text, "Calibrated: 1\n");

	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (int k = 0; k < RANGES; k++)
			length += snprintf(text + length, sizeof text - (size_t)length,
					   "%s%d: %.17g\n", tables[t].key, k, tables[t].values[k]);
	length += snprintf(text + length, sizeof text - (size_t)length,
			   "HW: 9173\nmode: 2\nIA: 56\nEND\n");
	put(emu, text, (size_t)length);
}

/* The ADC count (14 bits) that the calibration of range k turns into current_a. */
static long adc_for(int k, double current_a, double vdd_v)
{
	const double target = current_a / cal_ug[k] - (cal_s[k] * vdd_v + cal_i[k]);
	double volts;

	if (cal_gs[k] == 0.0)
		volts = target / cal_gi[k];
	else
		volts = (-cal_gi[k] + sqrt(cal_gi[k] * cal_gi[k] + 4 * cal_gs[k] * target)) /
			(2 * cal_gs[k]);
	return lround((volts * cal_r[k] / ADC_MULT + cal_o[k]) / 4.0);
}

static uint32_t encode(const struct emu *emu, struct trace_point point, uint64_t index)
{
	long adc = 0;
	int k;

	for (k = 0; k < RANGES; k++) {
		adc = adc_for(k, point.current_a, emu->vdd_v);
		if (adc <= ADC_MAX * 95 / 100 || k == RANGES - 1)
			break;
	}
	if (adc < 0)
		adc = 0;
	if (adc > ADC_MAX)
		adc = ADC_MAX;
	return (uint32_t)adc | (uint32_t)k << 14 | (uint32_t)(index & 63u) << 18 |
	       (uint32_t)(point.marker ? 1u << emu->marker_bit : 0) << 24;
}

static void stream_some(struct emu *emu)
{
	const uint64_t length = trace_synth_length(&emu->synth);

	while (emu->streaming && emu->out_length + 4 <= sizeof emu->out) {
		struct trace_point point;
		uint32_t word;
		uint8_t bytes[4];

		if (emu->index >= length) {
			emu->streaming = false;
			break;
		}
		point = trace_synth_point(&emu->synth, emu->index);
		if (!point.dropped) {
			word = encode(emu, point, emu->index);
			for (int b = 0; b < 4; b++)
				bytes[b] = (uint8_t)(word >> (8 * b));
			put(emu, bytes, 4);
		}
		emu->index++;
	}
}

/* For tests that run hilbench against this emulator: the trace's own energy
 * per inference of each window, at the supply the client set (the synthetic
 * currents times the regulator's voltage), one line per window on stdout. */
static void report_energy(const struct emu *emu)
{
	for (uint32_t w = 0; w < emu->synth.windows; w++)
		printf("window %u: %.9g J per inference at %.3f V\n", w,
		       trace_synth_window_energy_j(&emu->synth, w) * emu->vdd_v /
			   emu->synth.supply_v,
		       emu->vdd_v);
	fflush(stdout);
}

/* Argument bytes each opcode takes; unknown opcodes are taken alone. */
static size_t arguments_of(uint8_t opcode)
{
	switch (opcode) {
	case 0x0c:
	case 0x11: return 1;
	case 0x0d: return 2;
	default: return 0;
	}
}

static void run_command(struct emu *emu)
{
	const uint8_t *c = emu->command;

	switch (c[0]) {
	case 0x19: send_metadata(emu); break;
	case 0x06:
		emu->streaming = true;
		emu->index = 0;
		report_energy(emu);
		break;
	case 0x07: emu->streaming = false; break;
	case 0x0d: emu->vdd_v = ((c[1] - 3) * 256 + c[2] - 32 + 800) / 1000.0; break;
	case 0x0c:
	case 0x11: break;
	default: fprintf(stderr, "ppk2_emu: unknown opcode 0x%02x\n", c[0]);
	}
}

static void read_commands(struct emu *emu, const uint8_t *data, size_t length)
{
	for (size_t k = 0; k < length; k++) {
		emu->command[emu->command_length++] = data[k];
		if (emu->command_length == 1 + arguments_of(emu->command[0])) {
			run_command(emu);
			emu->command_length = 0;
		}
	}
}

static int open_pty(struct emu *emu)
{
	emu->master = emu_pty_open("ppk2_emu");
	return emu->master < 0 ? -1 : 0;
}

static int parse_options(struct emu *emu, int argc, char **argv)
{
	struct trace_synth *synth = &emu->synth;

	for (int i = 1; i < argc; i += 2) {
		const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
		long number;

		if (!value) {
			fprintf(stderr, "ppk2_emu: option '%s' needs a value\n", name);
			return -1;
		}
		number = strtol(value, NULL, 10);
		if (strcmp(name, "--windows") == 0)
			synth->windows = (uint32_t)number;
		else if (strcmp(name, "--window-samples") == 0)
			synth->window_samples = (uint32_t)number;
		else if (strcmp(name, "--gap-samples") == 0)
			synth->gap_samples = (uint32_t)number;
		else if (strcmp(name, "--lead-samples") == 0)
			synth->lead_samples = (uint32_t)number;
		else if (strcmp(name, "--inferences") == 0)
			synth->inferences = (uint32_t)number;
		else if (strcmp(name, "--idle-ma") == 0)
			synth->idle_a = strtod(value, NULL) / 1000;
		else if (strcmp(name, "--active-ma") == 0)
			synth->active_a = strtod(value, NULL) / 1000;
		else if (strcmp(name, "--noise-ma") == 0)
			synth->noise_a = strtod(value, NULL) / 1000;
		else if (strcmp(name, "--glitch-window") == 0)
			synth->glitch_window = (int32_t)number;
		else if (strcmp(name, "--drop-window") == 0)
			synth->drop_window = (int32_t)number;
		else if (strcmp(name, "--drop-samples") == 0)
			synth->drop_samples = (uint32_t)number;
		else if (strcmp(name, "--seed") == 0)
			synth->seed = (uint32_t)number;
		else if (strcmp(name, "--reopen") == 0)
			emu->reopen = number != 0;
		else if (strcmp(name, "--marker-bit") == 0 && number >= 0 && number <= 7)
			emu->marker_bit = (unsigned)number;
		else {
			fprintf(stderr, "ppk2_emu: unknown option or bad value '%s %s'\n", name,
				value);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct emu emu;
	bool client_seen = false;

	trace_synth_defaults(&emu.synth);
	emu.vdd_v = 3.0;
	if (parse_options(&emu, argc, argv) != 0 || open_pty(&emu) != 0)
		return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	while (!emu_stop) {
		struct pollfd waiting = {.fd = emu.master, .events = POLLIN};
		uint8_t data[256];
		ssize_t got;

		stream_some(&emu);
		if (emu.out_length > 0)
			waiting.events |= POLLOUT;
		if (poll(&waiting, 1, 50) < 0 && errno != EINTR)
			break;
		if (waiting.revents & POLLHUP) {
			/* Until a client opens the pty, its other end reads as hung up. */
			if (client_seen && !emu.reopen)
				break;
			client_seen = false;
			usleep(10000);
			continue;
		}
		if (waiting.revents & POLLIN) {
			got = read(emu.master, data, sizeof data);
			if (got > 0) {
				client_seen = true;
				read_commands(&emu, data, (size_t)got);
			}
		}
		if ((waiting.revents & POLLOUT) && emu.out_length > 0) {
			got = write(emu.master, emu.out, emu.out_length);
			if (got > 0) {
				memmove(emu.out, emu.out + got, emu.out_length - (size_t)got);
				emu.out_length -= (size_t)got;
			}
		}
	}
	close(emu.master);
	return 0;
}
