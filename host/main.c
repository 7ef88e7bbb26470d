/* hilbench: the command table, global options and exit codes. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/error.h"
#include "util/paths.h"
#include "util/spawn.h"

static const struct command commands[] = {
    {"baseline", cmd_baseline, "store the latest records of a run as the baseline for compare"},
    {"boards", cmd_boards, "list board profiles and whether each can run here"},
    {"build", cmd_build, "build the benchmark firmware for a board"},
    {"compare", cmd_compare, "the CI gate: new results against a baseline, JUnit XML"},
    {"infer", cmd_infer, "run one input through a model on a board, save the output"},
    {"inspect", cmd_inspect, "show a model's operators, MACs, weights, arena and fit"},
    {"lab", cmd_lab, "the lab map: which attached board is which (lab init, check, record)"},
    {"meters", cmd_meters, "list energy meter drivers and the meters attached here"},
    {"quantize", cmd_quantize,
     "post-training int8 quantisation of a float .tflite on a suite's data"},
    {"report", cmd_report, "put result records side by side: tables, charts, hardware selection"},
    {"run", cmd_run, "benchmark models or suites on a board and record the results"},
    {"serve", cmd_serve, "a board running hilbench firmware, its UART as a pty for other tools"},
};

static void print_usage(FILE *out)
{
	fprintf(out, "usage: hilbench [--version] [-v|-q] <command> [<options>]\n\n"
		     "hilbench builds benchmark firmware for a microcontroller board, runs it\n"
		     "(on real hardware through OpenOCD, or emulated in QEMU), runs .tflite\n"
		     "models on it and records instruction/cycle counts, latency, stack, arena,\n"
		     "RAM and flash, each figure labelled by where it came from, and checks\n"
		     "every output against the host's execution of the same model.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n'hilbench <command> --help' explains a command.\n\n"
		"global options:\n"
		"  -v, --verbose  also print protocol-level debug messages\n"
		"  -q, --quiet    print only errors and the final result\n"
		"  --version      print the version and exit\n\n"
		"exit status: 0 success, 1 the run failed (board, tool or check) or a gate\n"
		"failed, 2 bad command line or input file, 3 the board timed out or gave no\n"
		"result to judge.\n"
		"Colour is used on a terminal unless NO_COLOR is set.\n"
		"Environment: HILBENCH_ROOT  the hilbench tree (boards/, target-fw/); now %s\n",
		paths_root());
}

/* 0 ok, 2 the user's input is wrong, 3 the board timed out, 1 anything else. */
static int exit_code(int status)
{
	switch (status) {
	case HB_OK: return 0;
	case HB_ERR_USAGE:
	case HB_ERR_INPUT:
	case HB_ERR_NOT_FOUND: return 2;
	case HB_ERR_TIMEOUT:
	case HB_ERR_INFRASTRUCTURE: return 3;
	default: return 1;
	}
}

int main(int argc, char **argv)
{
	int first = 1;

	spawn_install_cleanup();
	for (; first < argc && argv[first][0] == '-'; first++) {
		const char *option = argv[first];
		if (!strcmp(option, "--help") || !strcmp(option, "-h")) {
			print_usage(stdout);
			return 0;
		} else if (!strcmp(option, "--version")) {
			printf("hilbench %s (%s)\n", HB_VERSION, HB_GIT_REV);
			return 0;
		} else if (!strcmp(option, "-v") || !strcmp(option, "--verbose")) {
			hb_log_set_level(HB_LEVEL_DEBUG);
		} else if (!strcmp(option, "-q") || !strcmp(option, "--quiet")) {
			hb_log_set_level(HB_LEVEL_WARN);
		} else {
			hb_error(HB_ERR_USAGE, "unknown option '%s' (see 'hilbench --help')",
				 option);
			return exit_code(HB_ERR_USAGE);
		}
	}
	if (first == argc) {
		print_usage(stderr);
		return exit_code(HB_ERR_USAGE);
	}
	if (!strcmp(argv[first], "help")) {
		if (first + 1 < argc) {
			char *help_argv[] = {argv[first + 1], "--help", NULL};
			for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
				if (!strcmp(commands[i].name, argv[first + 1]))
					return exit_code(commands[i].run(2, help_argv));
		}
		print_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, argv[first]))
			return exit_code(commands[i].run(argc - first, argv + first));
	hb_error(HB_ERR_USAGE, "unknown command '%s' (see 'hilbench --help')", argv[first]);
	return exit_code(HB_ERR_USAGE);
}
