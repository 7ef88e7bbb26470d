/* The protocol driver table (link/protocol.h), the MLPerf Tiny driver
 * against a fake board that answers each command by its first word (the
 * commands it sends, the input in the named model's form, results taken
 * from infer's answer), and the MLPerf Tiny runner's arithmetic
 * (run/mlperf_measure.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "link/protocol.h"
#include "model_image.h"
#include "run/mlperf_measure.h"
#include "test_line.h"
#include "util/error.h"

Test(protocol, table_finds_each_driver_by_name_and_hilbench_by_default)
{
	const char *const *names = protocol_names();

	cr_assert_eq(protocol_find(NULL), &protocol_hilbench);
	cr_assert_eq(protocol_find("hilbench"), &protocol_hilbench);
	cr_assert_eq(protocol_find("mlperf-tiny"), &protocol_mlperf_tiny);
	cr_assert_null(protocol_find("mlperf"));
	cr_assert_null(protocol_find(""));
	cr_assert_str_eq(names[0], "hilbench");
	cr_assert_str_eq(names[1], "mlperf-tiny");
	cr_assert_null(names[2]);
}

Test(protocol, every_driver_has_every_step)
{
	for (const char *const *name = protocol_names(); *name; name++) {
		const struct protocol_driver *driver = protocol_find(*name);
		cr_assert(driver->open && driver->handshake && driver->load_input &&
			      driver->invoke && driver->read_output && driver->stop &&
			      driver->counters && driver->close,
			  "%s", *name);
		cr_assert_gt(driver->max_runs, 0, "%s", *name);
	}
	/* Only the framed protocol has a session for batches and pipelining,
	 * and only its firmware exits when told. */
	cr_assert_not_null(protocol_hilbench.framed_session);
	cr_assert_null(protocol_mlperf_tiny.framed_session);
	cr_assert(protocol_hilbench.board_exits);
	cr_assert_not(protocol_mlperf_tiny.board_exits);
	cr_assert_null(protocol_hilbench.firmware_protocol);
	cr_assert_str_eq(protocol_mlperf_tiny.firmware_protocol, "eembc");
}

/* A board speaking the MLPerf Tiny protocol: each command's answer chosen
 * by its first word; every command kept. */
struct mlperf_fake {
	struct transport base;
	char commands[64][96];
	size_t command_count;
	char partial[96];
	size_t partial_length;
	struct test_line line;
	bool knows_profile;
};

static struct mlperf_fake fake;

static void fake_answer(struct mlperf_fake *board, const char *command)
{
	char text[512];

	if (strcmp(command, "name") == 0)
		snprintf(text, sizeof text,
			 "m-timestamp-mode-performance\r\nm-init-done\r\nm-ready\r\n"
			 "m-name-dut-[fake]\r\nm-ready\r\n");
	else if (strcmp(command, "profile") == 0)
		snprintf(
		    text, sizeof text, "%s",
		    board->knows_profile
			? "m-profile-[ULPMark for tinyML Firmware V0.0.1]\r\nm-model-[kws01]\r\n"
			  "m-ready\r\n"
			: "e-[Unknown command: profile]\r\nm-ready\r\n");
	else if (strncmp(command, "db load ", 8) == 0)
		snprintf(text, sizeof text, "m-[Expecting %s bytes]\r\nm-ready\r\n", command + 8);
	else if (strncmp(command, "db ", 3) == 0)
		/* The tests load at most one chunk. */
		snprintf(text, sizeof text, "m-load-done\r\nm-ready\r\n");
	else if (strncmp(command, "infer", 5) == 0)
		snprintf(text, sizeof text,
			 "m-warmup-start-1\r\nm-warmup-done\r\nm-infer-start-4\r\nm-lap-us-1000\r\n"
			 "m-lap-us-9000\r\nm-infer-done\r\nm-results-[0.250,0.750]\r\nm-ready\r\n");
	else if (strcmp(command, "results") == 0)
		snprintf(text, sizeof text, "m-results-[0.500,0.500]\r\nm-ready\r\n");
	else
		snprintf(text, sizeof text, "e-[Unknown command: %s]\r\nm-ready\r\n", command);
	test_line_append(&board->line, text, strlen(text));
}

static int fake_write(struct transport *transport, const uint8_t *data, size_t length,
		      int timeout_ms)
{
	struct mlperf_fake *board = (struct mlperf_fake *)transport;

	(void)timeout_ms;
	for (size_t i = 0; i < length; i++) {
		if (data[i] != '%') {
			cr_assert_lt(board->partial_length + 1, sizeof board->partial);
			board->partial[board->partial_length++] = (char)data[i];
			continue;
		}
		cr_assert_lt(board->command_count, 64);
		board->partial[board->partial_length] = '\0';
		snprintf(board->commands[board->command_count++], sizeof board->commands[0], "%s",
			 board->partial);
		board->partial_length = 0;
		fake_answer(board, board->partial);
	}
	return HB_OK;
}

static int fake_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		     int timeout_ms)
{
	return test_line_read(&((struct mlperf_fake *)transport)->line, data, capacity, got,
			      timeout_ms);
}

static const struct transport_driver fake_driver = {
    .name = "fake-mlperf", .write = fake_write, .read = fake_read};

static struct protocol_link *open_fake(const char *model_name, uint32_t input_bytes,
				       bool knows_profile)
{
	struct protocol_open_options options = {.board_id = "fake", .timeout_ms = 1000};
	struct protocol_link *link = NULL;

	memset(&fake, 0, sizeof fake);
	fake.base.driver = &fake_driver;
	fake.knows_profile = knows_profile;
	options.transport = &fake.base;
	options.model = (struct protocol_model){.input_dtype = MODEL_DTYPE_INT8,
						.input_bytes = input_bytes,
						.input_scale = 0.5f,
						.input_zero_point = -2,
						.output_bytes = 2,
						.output_count = 2,
						.model_name = model_name};
	cr_assert_eq(protocol_mlperf_tiny.open(&options, &link), HB_OK);
	return link;
}

Test(protocol, mlperf_handshake_names_board_profile_and_model)
{
	struct protocol_link *link = open_fake("kws01", 4, true);
	struct protocol_identity identity;

	memset(&identity, 0, sizeof identity);
	cr_assert_eq(protocol_mlperf_tiny.handshake(link, &identity), HB_OK);
	cr_assert_str_eq(identity.name, "fake");
	cr_assert_str_eq(identity.profile, "ULPMark for tinyML Firmware V0.0.1");
	cr_assert_str_eq(identity.model_name, "kws01");
	cr_assert_not(identity.have_hello);
	cr_assert_str_eq(fake.commands[0], "name");
	cr_assert_str_eq(fake.commands[1], "profile");
	protocol_mlperf_tiny.close(link);
}

Test(protocol, mlperf_board_without_profile_is_no_error)
{
	struct protocol_link *link = open_fake("kws01", 4, false);
	struct protocol_identity identity;

	memset(&identity, 0, sizeof identity);
	cr_assert_eq(protocol_mlperf_tiny.handshake(link, &identity), HB_OK);
	cr_assert_str_eq(identity.profile, "");
	cr_assert_str_eq(identity.model_name, "");
	protocol_mlperf_tiny.close(link);
}

Test(protocol, mlperf_input_goes_in_the_named_models_form)
{
	static const uint8_t input[4] = {0x00, 0x7f, 0x80, 0xfe}; /* 0, 127, -128, -2 */
	struct protocol_link *link = open_fake("kws01", 4, true);
	float floats[4];
	char expected[96] = "db ";

	cr_assert_eq(protocol_mlperf_tiny.load_input(link, input, 4), HB_OK);
	cr_assert_str_eq(fake.commands[0], "db load 4");
	cr_assert_str_eq(fake.commands[1], "db 007f80fe");
	protocol_mlperf_tiny.close(link);

	/* ic01, vww01: uint8 pixels, int8 + 128. */
	link = open_fake("vww01", 4, true);
	cr_assert_eq(protocol_mlperf_tiny.load_input(link, input, 4), HB_OK);
	cr_assert_str_eq(fake.commands[1], "db 80ff007e");
	protocol_mlperf_tiny.close(link);

	/* ad01: float32, (q - zero point) x scale, 4 bytes each. */
	link = open_fake("ad01", 4, true);
	cr_assert_eq(protocol_mlperf_tiny.load_input(link, input, 4), HB_OK);
	cr_assert_str_eq(fake.commands[0], "db load 16");
	floats[0] = 1.0f;   /* (0 + 2) x 0.5 */
	floats[1] = 64.5f;  /* (127 + 2) x 0.5 */
	floats[2] = -63.0f; /* (-128 + 2) x 0.5 */
	floats[3] = 0.0f;   /* (-2 + 2) x 0.5 */
	for (size_t i = 0; i < 16; i++)
		snprintf(expected + 3 + 2 * i, 3, "%02x", ((const uint8_t *)floats)[i]);
	cr_assert_str_eq(fake.commands[1], expected);
	protocol_mlperf_tiny.close(link);
}

Test(protocol, mlperf_invoke_times_the_runs_and_keeps_its_results)
{
	struct protocol_link *link = open_fake("kws01", 4, true);
	struct protocol_invoke invoke;
	double values[4];
	struct protocol_output output = {.values = values, .value_capacity = 4};

	cr_assert_eq(protocol_mlperf_tiny.invoke(link, 4, 1, &invoke), HB_OK);
	cr_assert_str_eq(fake.commands[0], "infer 4 1");
	cr_assert(invoke.have_elapsed_us);
	cr_assert_eq(invoke.elapsed_us, 8000);
	cr_assert_eq(invoke.tick_count, 0, "no per-run counts from this protocol");
	cr_assert_not(invoke.have_memory);
	cr_assert_eq(protocol_mlperf_tiny.read_output(link, &output), HB_OK);
	cr_assert_eq(fake.command_count, 1, "the results came with infer's answer");
	cr_assert(output.have_values);
	cr_assert_not(output.have_bytes);
	cr_assert_eq(output.value_count, 2);
	cr_assert_float_eq(values[1], 0.75, 1e-12);
	protocol_mlperf_tiny.close(link);
}

Test(protocol, mlperf_output_before_any_infer_asks_for_results)
{
	struct protocol_link *link = open_fake("kws01", 4, true);
	double values[4];
	struct protocol_output output = {.values = values, .value_capacity = 4};
	struct session_counters counters;

	cr_assert_eq(protocol_mlperf_tiny.read_output(link, &output), HB_OK);
	cr_assert_str_eq(fake.commands[0], "results");
	cr_assert_float_eq(values[0], 0.5, 1e-12);
	protocol_mlperf_tiny.counters(link, &counters);
	cr_assert_eq(counters.requests, 1);
	cr_assert_eq(counters.bytes_sent, strlen("results%"));
	protocol_mlperf_tiny.close(link);
}

Test(mlperf_arithmetic, window_throughput_as_the_runner)
{
	double throughput = -1;

	cr_assert(mlperf_window_throughput(70, 10500000, &throughput));
	cr_assert_float_eq(throughput, 70 / 10.5, 1e-12);
	cr_assert_not(mlperf_window_throughput(70, 0, &throughput), "a clock that did not move");
}

Test(mlperf_arithmetic, median_as_numpy)
{
	const double odd[] = {5, 1, 4, 2, 3};
	const double even[] = {4, 1, 3, 2};

	cr_assert_float_eq(mlperf_median(odd, 5), 3, 1e-12);
	cr_assert_float_eq(mlperf_median(even, 4), 2.5, 1e-12);
	cr_assert(isnan(mlperf_median(odd, 0)));
}

Test(mlperf_arithmetic, runner_class_argmax_of_normalised_scores)
{
	const double plain[] = {0.1, 0.7, 0.2};
	const double tie[] = {0.4, 0.4, 0.2};
	const double negative[] = {-0.1, -0.7, -0.2}; /* the sum flips the order */
	const double zero[] = {0.5, -0.5, 0};

	cr_assert_eq(mlperf_runner_class(plain, 3), 1);
	cr_assert_eq(mlperf_runner_class(tie, 3), 0);
	cr_assert_eq(mlperf_runner_class(negative, 3), 1);
	cr_assert_eq(mlperf_runner_class(zero, 3), 0);
}

Test(mlperf_arithmetic, printed_values_within_half_the_last_digit)
{
	const double expected[] = {0.00390625, 0.99609375, 1500.25};
	const double close[] = {0.004, 0.996, 1500.25};
	const double off[] = {0.005, 0.996, 1502.0};
	double max_abs_error;

	cr_assert_eq(mlperf_compare_values(close, expected, 3, &max_abs_error), 0);
	cr_assert_lt(max_abs_error, 0.0005);
	cr_assert_eq(mlperf_compare_values(off, expected, 3, &max_abs_error), 2);
	cr_assert_float_eq(max_abs_error, 1.75, 1e-9);
}
