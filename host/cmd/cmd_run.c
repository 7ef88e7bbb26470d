/* hilbench run: benchmark a board and print/record the result. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/benchmark.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "util/error.h"
#include "model_image.h"
#include "report/run_table.h"
#include "report/suite_summary.h"
#include "model/model_load.h"
#include "util/stats.h"
#include "config/suite.h"
#include "run/suite_run.h"
#include "flash/firmware_build.h"
#include "link/protocol.h"
#include "meter/meter.h"
#include "lab/lab_map.h"
#include "lab/board_lock.h"
#include "run/multi_board.h"
#include "cmd/run_boards.h"

static void print_help(void)
{
	printf("usage: hilbench run [--board ID[,ID]...] [--model FILE.tflite]... [options]\n"
	       "       hilbench run [--board ID[,ID]...] --suite DIR [--limit N | --all] [--resume "
	       "JOURNAL]\n\n"
	       "Compiles each model into a device image, builds the benchmark firmware for\n"
	       "the board (once; models do not need a rebuild), puts firmware and image on\n"
	       "the board (QEMU for emulated boards, OpenOCD for real ones), uploads an\n"
	       "input, times the model, checks the board's output against the host's own\n"
	       "execution of the same image, and writes results/<UTC>_<board>_<model>.json\n"
	       "and .md per model. Without --model it runs a built-in int8 layer.\n\n"
	       "With --suite it runs every model variant of the suite (e.g. float32 and int8)\n"
	       "on the suite's labelled samples, one by one, checks each output against the\n"
	       "host, appends each sample to results/<UTC>_<board>_<suite>.jsonl as it\n"
	       "arrives, and reports the suite's metric per variant and int8 against float\n"
	       "on the same samples (top-1 agreement, RMSE, cosine, ...).\n\n"
	       "options:\n"
	       "  --board ID        board profile from boards/ (default qemu-m4; see 'hilbench "
	       "boards');\n"
	       "                    several, joined by commas or repeated, run the same work\n"
	       "                    on each (see \"several boards\" below)\n"
	       "  --jobs N          several boards: emulated boards run at most N at once\n"
	       "                    (default: the cores online); real boards all at once\n"
	       "  --record-list FILE  append the path of each record written to FILE, one a\n"
	       "                    line (how a run over several boards finds its boards')\n"
	       "  --model FILE      a .tflite model (int8 or float32); repeat for several\n"
	       "  --suite DIR       a suite folder (suites/<name>) or its suite.json\n"
	       "  --limit N         suite samples to run (default: the suite's 'samples')\n"
	       "  --all             run every sample of the suite\n"
	       "  --resume JOURNAL  continue an interrupted suite run from its .jsonl journal\n"
	       "  --runs N          timed invocations (default 20)\n"
	       "  --warmup N        untimed invocations first (default 2)\n"
	       "  --seed N          seed of the generated input, or of a suite's sample order\n"
	       "  --timeout S       one fixed deadline in seconds for every request; wins over\n"
	       "                    the deadlines otherwise derived from the work: the board's\n"
	       "                    count of an inference x runs / clock x margin 4 + 3 s,\n"
	       "                    before the first count the model's MACs x 256 cycles or\n"
	       "                    instructions in its place (the profile's \"deadline\"\n"
	       "                    may change these; docs/reliability.md)\n"
	       "  --retries N       resends of a request after a damaged frame or silence (default "
	       "3)\n"
	       "  --firmware ELF    use this prebuilt firmware instead of building one\n"
	       "  --results DIR     where result files go (default ./results)\n"
	       "  --boards-dir DIR  where board profiles are (default <hilbench>/boards)\n"
	       "  --lab FILE        a lab map (docs/boards.md): --board names one of its\n"
	       "                    instances, whose probe and console it gives\n"
	       "  --json            print the result record (JSON) on stdout instead of a table\n"
	       "  --no-pipeline     suites: send one request at a time; by default the next\n"
	       "                    sample's input goes out while the board computes, up to\n"
	       "                    the receive window the firmware reports\n"
	       "  --debug-hang      test hook: make the board hang after the first batch of runs\n"
	       "                    (48 runs or fewer: after half of them), and again after\n"
	       "                    every reset; not with --suite\n"
	       "  --debug-hang-at N test hook: make the board hang before suite sample N (run\n"
	       "                    order, from 0) or the plain-run batch from run 48 x N,\n"
	       "                    once per run\n"
	       "  --debug-reset-at N  test hook: make the board reset itself there, once per run\n"
	       "  --debug-stuck-at N  test hook: hang there on every attempt of the first model\n"
	       "                    or variant that gets there (a board no reset mends)\n"
	       "  --debug-corrupt-at N  test hook: make the board damage its model image there,\n"
	       "                    once per run (emulated boards whose model region is RAM)\n"
	       "  --debug-line-noise P  test hook: damage each console byte with probability P\n"
	       "                    (seeded by --seed), to watch resends and resyncs at work\n"
	       "  --debug-noise-seed N  seed the damage apart from --seed, so the same samples\n"
	       "                    can be run under different damage\n"
	       "  --debug-line-rate BAUD  emulated boards: hold the console to a BAUD 8N1 line\n"
	       "                    on the host's side, to measure streaming against a real\n"
	       "                    line's limit (the emulated board still takes bytes as QEMU\n"
	       "                    gives them)\n"
	       "  --protocol P      what the firmware speaks: hilbench (default), or\n"
	       "                    mlperf-tiny, the MLPerf Tiny runner's ASCII protocol: the\n"
	       "                    board runs hilbench's firmware in that mode, or with\n"
	       "                    --firmware any firmware written for that runner; --model\n"
	       "                    runs 5 windows of 'infer N W' (median throughput, latency\n"
	       "                    from the board's m-lap-us clock), --suite one 'infer 1 0'\n"
	       "                    per sample (top-1, AUC as the runner computes them)\n"
	       "  --model-name NAME mlperf-tiny: the runner's name of the model (kws01, vww01,\n"
	       "                    ic01, ad01, ...), which fixes the input's form\n"
	       "  --meter NAME      measure energy per inference with a meter (ppk2, lpm01a; see\n"
	       "                    'hilbench meters'): the timed runs go in at least 5 batches,\n"
	       "                    one marked window each, checked against the firmware's counts\n"
	       "  --meter-port DEV  the meter's serial device (required with --meter)\n"
	       "  --meter-bit B     the meter's logic input wired to the window pin (default 0)\n"
	       "  --meter-rate HZ   sample rate asked of the meter (default: the driver's)\n"
	       "  --meter-supply V  supply voltage the meter gives the board; wins over the\n"
	       "                    profile's energy.model.supply_v, needed when it has none\n\n"
	       "A board that misses a deadline or resets by itself is reset (emulator restarted,\n"
	       "OpenOCD 'reset run'; reflashed only if the image it reports differs), and the\n"
	       "run goes on where it stopped: at most 2 resets per model, then the model fails\n"
	       "(exit 3) and the other models carry on. The record lists each recovery.\n\n"
	       "Several boards (--board a,b,c): one hilbench process per board, each writing its\n"
	       "records as a one-board run does and its output to\n"
	       "<results>/<UTC>_boards-<pid>/<board>.log; progress on stderr; at the end the\n"
	       "table 'hilbench report' prints over their records, each board's exit status\n"
	       "and the wall times (the whole run's and the boards' summed, measured on the\n"
	       "host). --json prints one object with a member per board (its records or its\n"
	       "error). Exit status: 0 if every board's run succeeded, else the highest of\n"
	       "theirs (3 > 2 > 1; a run ended by a signal counts as 3). Not with --resume or\n"
	       "--meter; --firmware only when every board is of one profile.\n"
	       "A real board (OpenOCD) is locked while a run uses it: its board, console port\n"
	       "and probe (docs/boards.md#locks); a second run on it fails at once with exit 3,\n"
	       "naming the holder's pid, start time and command.\n\n"
	       "On emulated boards the counts are instructions counted by QEMU (-icount), not\n"
	       "cycles: they are deterministic, and latency derived from them assumes one\n"
	       "instruction per cycle. Every figure in the output names its source.\n\n"
	       "examples:\n"
	       "  hilbench run                      # built-in layer on qemu-m4\n"
	       "  hilbench run --model kws_int8.tflite --model kws_float32.tflite\n"
	       "  hilbench run --board qemu-m7 --runs 48 --json > m7.json\n"
	       "  hilbench run --board qemu-m3,qemu-m4,qemu-m7 --suite suites/fmnist --limit 50\n");
}

static void print_table(const struct run_result *result)
{
	struct run_table table;

	run_table_build(result, &table);
	run_table_write_text(stdout, result, &table);
	printf("results: %s\n", result->json_path);
}

/* --record-list: each record this run wrote, for a run over several boards. */
static int note_record(const char *list, const char *path, int status)
{
	int note_status;

	if (!list || !path[0] || access(path, F_OK) != 0)
		return status;
	note_status = multi_board_note_record(list, path);
	return status == HB_OK ? note_status : status;
}

/* Runs the suite, then shows its record: as JSON, or as the summary table. */
static int run_suite(const struct board_profile *board, const struct suite *suite,
		     const struct suite_run_options *options, int json, const char *record_list)
{
	struct suite_outcome outcome;
	int status = suite_run(board, suite, options, &outcome);

	status = note_record(record_list, outcome.record_path, status);

	if (outcome.record && json) {
		char *text = cJSON_Print(outcome.record);
		if (text)
			printf("%s\n", text);
		free(text);
	} else if (outcome.record) {
		suite_summary_write(stdout, outcome.record, outcome.record_path);
	}
	suite_outcome_release(&outcome);
	return status;
}

static int parse_supply(const char *text, double *volts)
{
	char *end = NULL;
	double value = strtod(text, &end);

	if (end == text || *end || !(value > 0 && value <= 10))
		return hb_error(HB_ERR_USAGE, "--meter-supply '%s': expected volts, e.g. 3.0",
				text);
	*volts = value;
	return HB_OK;
}

/* --meter's options go together; the meter sees one window per batch. */
static int check_meter(struct energy_measure_options *meter, uint32_t bit,
		       struct benchmark_options *options)
{
	if (!meter->driver) {
		if (meter->port || bit || meter->rate_hz || meter->supply_v > 0)
			return hb_error(HB_ERR_USAGE, "--meter-port, --meter-bit, --meter-rate and "
						      "--meter-supply go with --meter");
		return HB_OK;
	}
	if (!meter_find(meter->driver))
		return hb_error(HB_ERR_USAGE, "unknown meter '%s' (see 'hilbench meters')",
				meter->driver);
	if (!meter->port)
		return hb_error(HB_ERR_USAGE, "--meter %s needs --meter-port DEVICE",
				meter->driver);
	if (options->runs < ENERGY_MIN_WINDOWS)
		return hb_error(HB_ERR_USAGE,
				"--meter needs --runs %d or more (one window per batch, at least "
				"%d windows)",
				ENERGY_MIN_WINDOWS, ENERGY_MIN_WINDOWS);
	if (options->debug_hang)
		return hb_error(HB_ERR_USAGE, "--debug-hang does not go with --meter");
	meter->marker_bit = (uint8_t)bit;
	options->meter = meter;
	return HB_OK;
}

/* --protocol and --model-name go together, and with what that protocol can do. */
static int check_protocol(const struct benchmark_options *options)
{
	const struct protocol_driver *driver = protocol_find(options->protocol);

	if (!driver)
		return hb_error(HB_ERR_USAGE,
				"--protocol '%s' is unknown: expected hilbench or "
				"mlperf-tiny",
				options->protocol);
	if (options->model_name && !driver->firmware_protocol)
		return hb_error(HB_ERR_USAGE,
				"--model-name names the model to MLPerf Tiny firmware: it needs "
				"--protocol mlperf-tiny");
	if (options->model_name && !firmware_model_name_valid(options->model_name))
		return hb_error(HB_ERR_USAGE,
				"--model-name '%s' is malformed: expected 1 to 31 characters from "
				"[A-Za-z0-9_-], e.g. kws01",
				options->model_name);
	if (driver->framed_session)
		return HB_OK;
	if (options->debug_hang || options->hooks || options->meter || options->line_noise > 0)
		return hb_error(HB_ERR_USAGE,
				"--protocol %s: --debug-hang, --debug-*-at, --debug-line-noise and "
				"--meter need hilbench's own protocol",
				driver->name);
	return HB_OK;
}

/* What only the MLPerf Tiny protocol measured, after the table. */
static void print_protocol_figures(const struct run_result *result)
{
	const cJSON *figures = result->protocol_figures;
	const cJSON *throughput = cJSON_GetObjectItem(figures, "median_throughput");
	const cJSON *latency = cJSON_GetObjectItem(figures, "latency_per_inference");
	const cJSON *windows = cJSON_GetObjectItem(figures, "windows");

	if (!figures)
		return;
	printf("%s, %d windows:\n", result->protocol, cJSON_GetArraySize(windows));
	if (cJSON_IsObject(throughput))
		printf("  median throughput  %.3f inferences/s (%s: %s)\n",
		       cJSON_GetNumberValue(cJSON_GetObjectItem(throughput, "value")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(throughput, "source")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(throughput, "method")));
	if (cJSON_IsObject(latency))
		printf("  latency            %.1f us median, %.1f..%.1f (%s: %s)\n",
		       cJSON_GetNumberValue(cJSON_GetObjectItem(latency, "value")),
		       cJSON_GetNumberValue(cJSON_GetObjectItem(latency, "min")),
		       cJSON_GetNumberValue(cJSON_GetObjectItem(latency, "max")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(latency, "source")),
		       cJSON_GetStringValue(
			   cJSON_GetObjectItem(cJSON_GetObjectItem(figures, "timer"), "method")));
}

/* What a run over several boards needs from the command line. */
#define FAN_OUT_MAX_ARGS 160
struct fan_out {
	char boards[MULTI_BOARD_MAX][64];
	size_t count;
	bool dropped[FAN_OUT_MAX_ARGS]; /* argv elements a board's child does not get */
	uint32_t jobs;			/* 0: the cores online */
	const char *record_list;
};

/* --board a,b --board c: the boards in order; a board named twice is an error. */
static int add_boards(const char *text, struct fan_out *fan)
{
	for (const char *at = text;; at++) {
		size_t length = strcspn(at, ",");

		if (length == 0)
			return hb_error(HB_ERR_USAGE, "--board '%s': an empty board name", text);
		if (length >= sizeof fan->boards[0])
			return hb_error(HB_ERR_USAGE,
					"--board '%.*s': a board id has at most 63 characters",
					(int)length, at);
		for (size_t i = 0; i < fan->count; i++)
			if (strlen(fan->boards[i]) == length &&
			    !strncmp(fan->boards[i], at, length))
				return hb_error(HB_ERR_USAGE,
						"board '%s' is named twice in --board",
						fan->boards[i]);
		if (fan->count == MULTI_BOARD_MAX)
			return hb_error(HB_ERR_USAGE, "--board: at most %d boards in one run",
					MULTI_BOARD_MAX);
		snprintf(fan->boards[fan->count++], sizeof fan->boards[0], "%.*s", (int)length, at);
		at += length;
		if (!*at)
			return HB_OK;
	}
}

static void drop_arguments(struct fan_out *fan, int from, int to)
{
	for (int i = from; i < to && i < FAN_OUT_MAX_ARGS; i++)
		fan->dropped[i] = true;
}

/* The same work on each board, one child each (cmd/run_boards.h): the
 * child gets this command line without --board, --jobs, --json and
 * --record-list, and the global -v or -q. */
static int run_several(int argc, char **argv, const struct fan_out *fan, const char *lab_path,
		       const char *boards_dir, const struct benchmark_options *options,
		       const struct suite_run_options *suite_options, int json)
{
	const char *arguments[FAN_OUT_MAX_ARGS + 2];
	const char *boards[MULTI_BOARD_MAX];
	struct run_boards_request request;
	enum hb_level level = hb_log_level();
	size_t n = 0;

	if (argc > FAN_OUT_MAX_ARGS)
		return hb_error(HB_ERR_USAGE,
				"a run over several boards takes at most %d arguments",
				FAN_OUT_MAX_ARGS);
	if (suite_options->resume)
		return hb_error(HB_ERR_USAGE,
				"--resume continues one board's journal: not with several boards");
	if (options->meter)
		return hb_error(HB_ERR_USAGE,
				"--meter measures one board: not with several boards");
	if (level == HB_LEVEL_DEBUG)
		arguments[n++] = "-v";
	else if (level < HB_LEVEL_INFO)
		arguments[n++] = "-q";
	for (int i = 0; i < argc; i++)
		if (!fan->dropped[i])
			arguments[n++] = argv[i];
	arguments[n] = NULL;
	for (size_t i = 0; i < fan->count; i++)
		boards[i] = fan->boards[i];
	request = (struct run_boards_request){
	    .boards = boards,
	    .count = fan->count,
	    .lab_path = lab_path,
	    .boards_dir = cli_boards_dir(boards_dir),
	    .results_dir = options->results_dir,
	    .arguments = arguments,
	    .jobs = fan->jobs,
	    .json = json,
	    .record_list = fan->record_list,
	    .same_profile_only = options->firmware != NULL,
	};
	return run_boards(&request);
}

int cmd_run(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"board", required_argument, NULL, 'b'},
	    {"model", required_argument, NULL, 'm'},
	    {"suite", required_argument, NULL, 'S'},
	    {"limit", required_argument, NULL, 'l'},
	    {"all", no_argument, NULL, 'A'},
	    {"resume", required_argument, NULL, 'R'},
	    {"runs", required_argument, NULL, 'n'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"seed", required_argument, NULL, 's'},
	    {"timeout", required_argument, NULL, 't'},
	    {"retries", required_argument, NULL, 'r'},
	    {"firmware", required_argument, NULL, 'f'},
	    {"results", required_argument, NULL, 'o'},
	    {"boards-dir", required_argument, NULL, 'd'},
	    {"lab", required_argument, NULL, 1301},
	    {"jobs", required_argument, NULL, 1401},
	    {"record-list", required_argument, NULL, 1402},
	    {"json", no_argument, NULL, 'j'},
	    {"debug-hang", no_argument, NULL, 'H'},
	    {"debug-hang-at", required_argument, NULL, 1101},
	    {"debug-reset-at", required_argument, NULL, 1102},
	    {"debug-stuck-at", required_argument, NULL, 1103},
	    {"debug-corrupt-at", required_argument, NULL, 1104},
	    {"no-pipeline", no_argument, NULL, 'P'},
	    {"debug-line-noise", required_argument, NULL, 'N'},
	    {"debug-noise-seed", required_argument, NULL, 'E'},
	    {"debug-line-rate", required_argument, NULL, 'L'},
	    {"protocol", required_argument, NULL, 1201},
	    {"model-name", required_argument, NULL, 1202},
	    {"meter", required_argument, NULL, 1001},
	    {"meter-port", required_argument, NULL, 1002},
	    {"meter-bit", required_argument, NULL, 1003},
	    {"meter-rate", required_argument, NULL, 1004},
	    {"meter-supply", required_argument, NULL, 1005},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct benchmark_options options = {
	    .runs = 20,
	    .warmups = 2,
	    .input_seed = 1,
	    .timeout_ms = 0, /* derived from the work, unless --timeout */
	    .attempts = 4,
	    .results_dir = "results",
	};
	struct debug_hooks hooks;
	uint32_t hook_index;
	const char *board_id = "qemu-m4";
	static struct fan_out fan;
	struct board_locks locks;
	int option_start = 1;
	const char *lab_path = NULL;
	const char *models[32];
	size_t model_count = 0;
	size_t printed = 0;
	const char *suite_path = NULL;
	struct suite_run_options suite_options = {.limit = 0};
	bool seed_given = false, noise_seed_given = false;
	const char *boards_dir = NULL;
	struct board_profile board;
	struct run_result result;
	uint32_t retries = 3;
	struct energy_measure_options meter = {.driver = NULL};
	uint32_t meter_bit = 0;
	int json = 0;
	int option;
	int status = HB_OK;

	debug_hooks_init(&hooks);
	memset(&fan, 0, sizeof fan);
	optind = 0;
	opterr = 0;
	while (status == HB_OK &&
	       (option = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (option) {
		case 'b':
			status = add_boards(optarg, &fan);
			drop_arguments(&fan, option_start, optind);
			break;
		case 1401:
			status = cli_parse_u32("--jobs", optarg, 1, 256, &fan.jobs);
			drop_arguments(&fan, option_start, optind);
			break;
		case 1402:
			fan.record_list = optarg;
			drop_arguments(&fan, option_start, optind);
			break;
		case 'm':
			if (model_count == sizeof models / sizeof models[0])
				return hb_error(HB_ERR_USAGE, "at most %zu --model options",
						sizeof models / sizeof models[0]);
			models[model_count++] = optarg;
			break;
		case 'n': status = cli_parse_u32("--runs", optarg, 1, 100000, &options.runs); break;
		case 'w':
			status = cli_parse_u32("--warmup", optarg, 0, 1000, &options.warmups);
			break;
		case 's':
			status =
			    cli_parse_u32("--seed", optarg, 0, UINT32_MAX, &options.input_seed);
			seed_given = true;
			break;
		case 'S': suite_path = optarg; break;
		case 'l':
			status = cli_parse_u32("--limit", optarg, 1, UINT32_MAX - 1,
					       &suite_options.limit);
			break;
		case 'A': suite_options.limit = UINT32_MAX; break;
		case 'R': suite_options.resume = optarg; break;
		case 't':
			status = cli_parse_seconds("--timeout", optarg, &options.timeout_ms);
			break;
		case 'r': status = cli_parse_u32("--retries", optarg, 0, 20, &retries); break;
		case 'f': options.firmware = optarg; break;
		case 'o': options.results_dir = optarg; break;
		case 'd': boards_dir = optarg; break;
		case 1301: lab_path = optarg; break;
		case 'j':
			json = 1;
			drop_arguments(&fan, option_start, optind);
			break;
		case 'H': options.debug_hang = true; break;
		case 1101:
		case 1102:
		case 1103:
		case 1104:
			status = cli_parse_u32(option == 1101	? "--debug-hang-at"
					       : option == 1102 ? "--debug-reset-at"
					       : option == 1103 ? "--debug-stuck-at"
								: "--debug-corrupt-at",
					       optarg, 0, UINT32_MAX - 1, &hook_index);
			if (option == 1101)
				hooks.hang_at = hook_index;
			else if (option == 1102)
				hooks.reset_at = hook_index;
			else if (option == 1103)
				hooks.stuck_at = hook_index;
			else
				hooks.corrupt_at = hook_index;
			options.hooks = &hooks;
			break;
		case 'P': options.synchronous = true; break;
		case 'N':
			status = cli_parse_probability("--debug-line-noise", optarg,
						       &options.line_noise);
			break;
		case 'E':
			status = cli_parse_u32("--debug-noise-seed", optarg, 0, UINT32_MAX,
					       &options.noise_seed);
			noise_seed_given = true;
			break;
		case 'L':
			status = cli_parse_u32("--debug-line-rate", optarg, 300, 100000000,
					       &options.line_rate);
			break;
		case 1001: meter.driver = optarg; break;
		case 1002: meter.port = optarg; break;
		case 1003: status = cli_parse_u32("--meter-bit", optarg, 0, 7, &meter_bit); break;
		case 1004:
			status = cli_parse_u32("--meter-rate", optarg, 1, 10000000, &meter.rate_hz);
			break;
		case 1005: status = parse_supply(optarg, &meter.supply_v); break;
		case 1201: options.protocol = optarg; break;
		case 1202: options.model_name = optarg; break;
		case 'h': print_help(); return HB_OK;
		default: return cli_bad_option("run", option, argv[optind - 1]);
		}
		option_start = optind;
	}
	if (status != HB_OK)
		return status;
	if (optind < argc)
		return hb_error(HB_ERR_USAGE,
				"unexpected argument '%s' (see 'hilbench run --help')",
				argv[optind]);
	options.attempts = (int)retries + 1;
	if (!noise_seed_given)
		options.noise_seed = options.input_seed;
	if (noise_seed_given && options.line_noise == 0)
		return hb_error(HB_ERR_USAGE, "--debug-noise-seed goes with --debug-line-noise");

	status = check_meter(&meter, meter_bit, &options);
	if (status == HB_OK)
		status = check_protocol(&options);
	if (status != HB_OK)
		return status;
	if ((suite_options.resume || suite_options.limit) && !suite_path)
		return hb_error(HB_ERR_USAGE, "--limit, --all and --resume go with --suite");
	if (suite_path && model_count)
		return hb_error(HB_ERR_USAGE,
				"--suite takes its models from the suite; drop --model");
	/* A suite streams samples, not batches of runs: no batch for the hang to follow. */
	if (suite_path && options.debug_hang)
		return hb_error(HB_ERR_USAGE, "--debug-hang goes with --model or the "
					      "built-in model, not with --suite");
	if (fan.count > 1)
		return run_several(argc, argv, &fan, lab_path, boards_dir, &options, &suite_options,
				   json);
	if (fan.count == 1)
		board_id = fan.boards[0];
	status = lab_board_resolve(lab_path, cli_boards_dir(boards_dir), board_id, &board);
	if (status != HB_OK)
		return status;
	if (suite_path) {
		struct suite suite;
		status = suite_load(suite_path, &suite);
		if (status != HB_OK)
			return status;
		suite_options.benchmark = options;
		suite_options.seed = seed_given ? options.input_seed : 0;
		/* A real board is ours alone from here until the run ends. */
		status = board_locks_acquire(&board, &locks);
		if (status == HB_OK)
			status = run_suite(&board, &suite, &suite_options, json, fan.record_list);
		board_locks_release(&locks);
		return status;
	}
	status = board_locks_acquire(&board, &locks);
	if (status != HB_OK)
		return status;
	if (model_count == 0)
		models[model_count++] = NULL; /* the built-in model */
	if (json)
		printf("[\n");
	for (size_t i = 0; i < model_count; i++) {
		struct loaded_model model;
		int model_status = model_load(models[i], &model);
		if (model_status != HB_OK) {
			status = status == HB_OK ? model_status : status;
			continue;
		}
		hb_info("model '%s': %s, %llu MACs, image %zu B, arena %u B", model.name,
			model.variant, (unsigned long long)model.compiled.macs,
			model.compiled.image_size, model.compiled.arena_size);
		model_status = benchmark_run(&board, &model, &options, &result);
		model_status = note_record(fan.record_list, result.json_path, model_status);
		if (json) {
			cJSON *root = result_to_json(&result);
			char *text = cJSON_Print(root);
			if (text)
				printf("%s%s\n", printed++ ? ",\n" : "", text);
			free(text);
			cJSON_Delete(root);
		} else if (result.run_count > 0 || result.have_sizes) {
			print_table(&result);
			print_protocol_figures(&result);
		}
		result_release(&result);
		model_unload(&model);
		/* Every model starts the board afresh (flashed and reset, or a new
		 * emulator), so one that hung does not stop the others. */
		if (status == HB_OK)
			status = model_status;
	}
	if (json)
		printf("]\n");
	board_locks_release(&locks);
	return status;
}
