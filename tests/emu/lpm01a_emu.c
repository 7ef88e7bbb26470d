/*
 * An ST X-NUCLEO-LPM01A on a pseudo-terminal, for the driver's tests: it
 * prints the pty's path on the first line of stdout, answers the ASCII
 * commands in host-controlled mode (acks echo the command, refusals are an
 * "error" line and an "Error detail:" line), and on `start` streams
 * trace_synth's trace at the configured freq as energy samples in ascii_dec
 * (V x I / freq per line), an event line at each change of the trace's
 * marker and a TimeStamp line each second. Each change of the marker stands
 * for one falling edge on D7: energy-mode firmware pulses its timestamp pin
 * low at the start and at the end of a timed run. Dropped
 * samples are not sent; --corrupt lines are sent damaged. On each start it
 * prints every window's known energy per inference on stdout, after the
 * pty path. It streams as
 * fast as the pty takes the bytes, and exits when the client closes the
 * pty or on SIGTERM.
 *
 *   lpm01a_emu [--windows N] [--window-samples N] [--gap-samples N]
 *              [--lead-samples N] [--inferences N] [--idle-ma X] [--active-ma X]
 *              [--noise-ma X] [--glitch-window W] [--drop-window W]
 *              [--drop-samples N] [--seed N]  [--corrupt INDEX]... [--refuse VERB]
 *              [--lose-event N]
 * --refuse makes it refuse one command, as a monitor with other firmware might.
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

#define PROMPT	    "PowerShield > "
#define MAX_CORRUPT 8

static volatile sig_atomic_t emu_stop;

static void on_signal(int signal_number)
{
	(void)signal_number;
	emu_stop = 1;
}

struct emu {
	int master;
	struct trace_synth synth;
	uint64_t corrupt[MAX_CORRUPT];
	size_t corrupt_count;
	const char *refuse;
	int64_t lose_event; /* this event's line is not sent; -1: none */
	bool host_control, energy, ascii, infinite;
	uint32_t freq_hz;
	double volt;
	bool streaming;
	uint64_t index;
	bool marker;
	uint32_t events;
	char command[256];
	size_t command_length;
	char out[65536];
	size_t out_length;
};

static void emit(struct emu *emu, const char *text)
{
	size_t length = strlen(text);

	if (emu->out_length + length <= sizeof emu->out) {
		memcpy(emu->out + emu->out_length, text, length);
		emu->out_length += length;
	}
}

static void reply(struct emu *emu, const char *kind, const char *command)
{
	char line[320];

	snprintf(line, sizeof line, PROMPT "%s %s\r\n", kind, command);
	emit(emu, line);
}

static void refuse(struct emu *emu, const char *command, const char *detail)
{
	char line[320];

	reply(emu, "error", command);
	snprintf(line, sizeof line, PROMPT "Error detail: %s\r\n", detail);
	emit(emu, line);
}

/* The monitor's numbers: digits with an optional u, m or k. */
static bool parse_value(const char *text, double *value)
{
	char *end;

	*value = strtod(text, &end);
	if (end == text)
		return false;
	switch (*end) {
	case 'u': *value *= 1e-6; break;
	case 'm': *value *= 1e-3; break;
	case 'k': *value *= 1e3; break;
	default: return *end == '\0';
	}
	return end[1] == '\0';
}

static bool allowed_freq(double hz)
{
	static const double rates[] = {100e3, 50e3, 20e3, 10e3, 5e3, 2e3, 1e3, 500,
				       200,   100,  50,	  20,	10,  5,	  2,   1};

	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
		if (hz == rates[i])
			return true;
	return false;
}

static void do_command(struct emu *emu, char *command)
{
	char verb[32] = "", arg1[64] = "", arg2[64] = "", extra[8] = "";
	double value;
	int words = sscanf(command, "%31s %63s %63s %7s", verb, arg1, arg2, extra);

	if (words <= 0)
		return;
	if (emu->refuse && strcmp(verb, emu->refuse) == 0)
		refuse(emu, command, "command not supported by this firmware");
	else if (strcmp(verb, "htc") == 0 && words == 1) {
		emu->host_control = true;
		reply(emu, "ack", command);
	} else if (!emu->host_control)
		refuse(emu, command, "host control is not taken (send htc first)");
	else if (emu->streaming && strcmp(verb, "stop") != 0)
		refuse(emu, command, "not allowed during acquisition (send stop first)");
	else if (strcmp(verb, "hrc") == 0 && words == 1) {
		reply(emu, "ack", command);
		emu->host_control = false;
	} else if (strcmp(verb, "volt") == 0 && words == 2) {
		if (!parse_value(arg1, &value) || value < 1.8 - 1e-9 || value > 3.3 + 1e-9)
			refuse(emu, command, "voltage out of range [1800m; 3300m]");
		else {
			emu->volt = value;
			reply(emu, "ack", command);
		}
	} else if (strcmp(verb, "freq") == 0 && words == 2) {
		if (!parse_value(arg1, &value) || !allowed_freq(value))
			refuse(emu, command, "sampling frequency not in the list of values");
		else {
			emu->freq_hz = (uint32_t)value;
			reply(emu, "ack", command);
		}
	} else if (strcmp(verb, "acqtime") == 0 && words == 2) {
		if (strcmp(arg1, "inf") == 0 || strcmp(arg1, "0") == 0)
			emu->infinite = true;
		else if (parse_value(arg1, &value) && value >= 100e-6 && value <= 100)
			emu->infinite = false;
		else {
			refuse(emu, command, "acquisition time out of range [100u; 100]");
			return;
		}
		reply(emu, "ack", command);
	} else if (strcmp(verb, "output") == 0 && words == 2 &&
		   (strcmp(arg1, "energy") == 0 || strcmp(arg1, "current") == 0)) {
		emu->energy = strcmp(arg1, "energy") == 0;
		reply(emu, "ack", command);
	} else if (strcmp(verb, "format") == 0 && words == 2 &&
		   (strcmp(arg1, "ascii_dec") == 0 || strcmp(arg1, "bin_hexa") == 0)) {
		emu->ascii = strcmp(arg1, "ascii_dec") == 0;
		reply(emu, "ack", command);
	} else if (strcmp(verb, "eventsrc") == 0 && words == 3 && strcmp(arg1, "d7") == 0 &&
		   (strcmp(arg2, "fal") == 0 || strcmp(arg2, "ris") == 0))
		reply(emu, "ack", command);
	else if ((strcmp(verb, "trigsrc") == 0 && words == 2 &&
		  (strcmp(arg1, "sw") == 0 || strcmp(arg1, "d7") == 0)) ||
		 (strcmp(verb, "trigdelay") == 0 && words == 2) ||
		 (strcmp(verb, "pwr") == 0 && words >= 2 &&
		  (strcmp(arg1, "on") == 0 || strcmp(arg1, "off") == 0 ||
		   strcmp(arg1, "auto") == 0)))
		reply(emu, "ack", command);
	else if (strcmp(verb, "start") == 0 && words == 1) {
		/* This emulator speaks only what the driver uses. */
		if (!emu->ascii || !emu->infinite || (emu->energy && emu->freq_hz > 10000)) {
			refuse(emu, command,
			       "configuration not supported (ascii_dec, acqtime 0, "
			       "energy output up to 10k)");
			return;
		}
		reply(emu, "ack", command);
		emu->synth.rate_hz = emu->freq_hz;
		emu->synth.supply_v = emu->volt;
		emu->streaming = true;
		emu->index = 0;
		emu->marker = false;
		emu->events = 0;
		/* For tests running hilbench against it: the known answer. */
		for (uint32_t w = 0; w < emu->synth.windows; w++)
			printf("window %u: %.9g J per inference at %.3f V\n", w,
			       trace_synth_window_energy_j(&emu->synth, w), emu->synth.supply_v);
		fflush(stdout);
	} else if (strcmp(verb, "stop") == 0 && words == 1) {
		reply(emu, "ack", command);
		if (emu->streaming)
			emit(emu, PROMPT "Acquisition completed\r\n");
		emu->streaming = false;
	} else
		refuse(emu, command, "command not recognized or wrong arguments");
}

/* ascii_dec: 4-digit mantissa and a signed 2-digit power of ten. */
static void format_value(double value, char *line, size_t capacity)
{
	int exponent = 0;
	long mantissa;

	if (value <= 0) {
		snprintf(line, capacity, "0000-00\r\n");
		return;
	}
	exponent = (int)floor(log10(value)) - 3;
	mantissa = lround(value / pow(10.0, exponent));
	if (mantissa > 9999) {
		exponent++;
		mantissa = lround(value / pow(10.0, exponent));
	}
	snprintf(line, capacity, "%04ld%c%02d\r\n", mantissa, exponent < 0 ? '-' : '+',
		 abs(exponent));
}

static bool is_corrupt(const struct emu *emu, uint64_t index)
{
	for (size_t i = 0; i < emu->corrupt_count; i++)
		if (emu->corrupt[i] == index)
			return true;
	return false;
}

/* One sample slot's lines: TimeStamp at each whole second, the marker's
 * edge, then the sample unless it is dropped. */
static void stream_one(struct emu *emu)
{
	const struct trace_point point = trace_synth_point(&emu->synth, emu->index);
	char line[64];

	if (emu->index > 0 && emu->index % emu->freq_hz == 0) {
		snprintf(line, sizeof line, "TimeStamp: %03llus 000ms, buff 00%%\r\n",
			 (unsigned long long)(emu->index / emu->freq_hz));
		emit(emu, line);
	}
	if (point.marker != emu->marker) {
		/* The monitor numbers events from 0 and names them "ris" whatever
		 * the edge it was told to watch, as the reference runner expects. */
		snprintf(line, sizeof line, "event %02u ris\r\n", emu->events);
		if ((int64_t)emu->events++ != emu->lose_event)
			emit(emu, line);
		emu->marker = point.marker;
	}
	if (!point.dropped) {
		double value =
		    emu->energy ? emu->volt * point.current_a / emu->freq_hz : point.current_a;

		format_value(value, line, sizeof line);
		if (is_corrupt(emu, emu->index))
			line[2] = '#';
		emit(emu, line);
	}
	emu->index++;
}

static void read_commands(struct emu *emu, const char *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		if (data[i] == '\r' || data[i] == '\n') {
			emu->command[emu->command_length] = '\0';
			if (emu->command_length > 0)
				do_command(emu, emu->command);
			emu->command_length = 0;
		} else if (emu->command_length + 1 < sizeof emu->command)
			emu->command[emu->command_length++] = data[i];
	}
}

static int open_pty(struct emu *emu)
{
	emu->master = emu_pty_open("lpm01a_emu");
	return emu->master < 0 ? -1 : 0;
}

static int parse_options(struct emu *emu, int argc, char **argv)
{
	struct trace_synth *synth = &emu->synth;

	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		long number;

		if (!value) {
			fprintf(stderr, "lpm01a_emu: option '%s' needs a value\n", name);
			return -1;
		}
		i++;
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
		else if (strcmp(name, "--lose-event") == 0)
			emu->lose_event = number;
		else if (strcmp(name, "--refuse") == 0)
			emu->refuse = value;
		else if (strcmp(name, "--corrupt") == 0 && emu->corrupt_count < MAX_CORRUPT)
			emu->corrupt[emu->corrupt_count++] = (uint64_t)number;
		else {
			fprintf(stderr, "lpm01a_emu: unknown option '%s'\n", name);
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
	emu.volt = 3.3;
	emu.lose_event = -1;
	emu.freq_hz = 100;
	emu.ascii = true;
	if (parse_options(&emu, argc, argv) != 0 || open_pty(&emu) != 0)
		return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	while (!emu_stop) {
		struct pollfd waiting = {.fd = emu.master, .events = POLLIN};
		char data[512];
		ssize_t got;

		while (emu.streaming && emu.out_length + 256 < sizeof emu.out)
			stream_one(&emu);
		if (emu.out_length > 0)
			waiting.events |= POLLOUT;
		if (poll(&waiting, 1, 50) < 0 && errno != EINTR)
			break;
		if (waiting.revents & POLLHUP) {
			/* Until a client opens the pty, its other end reads as hung up. */
			if (client_seen)
				break;
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
