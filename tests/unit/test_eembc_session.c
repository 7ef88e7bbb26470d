/* The MLPerf Tiny / EEMBC ASCII protocol driver against a fake board that
 * answers each command with canned lines: the exact commands sent, the
 * answers parsed, error lines, garbled lines, a silent board. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "link/eembc_session.h"
#include "test_line.h"
#include "util/error.h"

#define EEMBC_FAKE_MAX_COMMANDS 32

/* answers[i] is queued when the i-th command arrives (NULL: stay silent).
 * Reads hand out at most `read_size` bytes, so lines arrive in pieces. */
struct eembc_fake_board {
	struct transport base;
	const char *const *answers;
	size_t answer_count;
	char commands[EEMBC_FAKE_MAX_COMMANDS][96];
	size_t command_count;
	char partial[96];
	size_t partial_length;
	struct test_line line;
	size_t read_size;
};

static struct eembc_fake_board eembc_board;
static struct eembc_session eembc;
static char eembc_captured[1024];

static void eembc_capture_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	/* The first error is the one the driver returns. */
	if (level == HB_LEVEL_ERROR && eembc_captured[0] == '\0')
		snprintf(eembc_captured, sizeof eembc_captured, "%s", message);
}

static void eembc_queue(struct eembc_fake_board *board, const char *text)
{
	size_t length = strlen(text);

	test_line_append(&board->line, text, length);
}

static int eembc_fake_write(struct transport *transport, const uint8_t *data, size_t length,
			    int timeout_ms)
{
	struct eembc_fake_board *board = (struct eembc_fake_board *)transport;

	(void)timeout_ms;
	for (size_t i = 0; i < length; i++) {
		if (data[i] != '%') {
			cr_assert_lt(board->partial_length + 1, sizeof board->partial);
			board->partial[board->partial_length++] = (char)data[i];
			continue;
		}
		cr_assert_lt(board->command_count, EEMBC_FAKE_MAX_COMMANDS);
		board->partial[board->partial_length] = '\0';
		snprintf(board->commands[board->command_count], sizeof board->commands[0], "%s",
			 board->partial);
		board->partial_length = 0;
		if (board->command_count < board->answer_count &&
		    board->answers[board->command_count])
			eembc_queue(board, board->answers[board->command_count]);
		board->command_count++;
	}
	return HB_OK;
}

static int eembc_fake_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
			   int timeout_ms)
{
	struct eembc_fake_board *board = (struct eembc_fake_board *)transport;

	if (board->read_size && capacity > board->read_size)
		capacity = board->read_size;
	return test_line_read(&board->line, data, capacity, got, timeout_ms);
}

static const struct transport_driver eembc_fake_driver = {
    .name = "fake-eembc",
    .write = eembc_fake_write,
    .read = eembc_fake_read,
};

static void eembc_start(const char *const *answers, size_t count, int timeout_ms)
{
	memset(&eembc_board, 0, sizeof eembc_board);
	eembc_board.base.driver = &eembc_fake_driver;
	eembc_board.answers = answers;
	eembc_board.answer_count = count;
	eembc_session_init(&eembc, &eembc_board.base, "fake-dut", timeout_ms);
	eembc_captured[0] = '\0';
	hb_log_set_sink(eembc_capture_sink, NULL);
}

static void eembc_stop(void)
{
	hb_log_set_sink(NULL, NULL);
}

#define EEMBC_START(answers, timeout_ms)                                                           \
	eembc_start((answers), sizeof(answers) / sizeof((answers)[0]), (timeout_ms))

TestSuite(eembc_session, .fini = eembc_stop);

Test(eembc_session, name_skips_the_boot_banner_and_noise)
{
	static const char *const answers[] = {"m-name-hilbench-mps2\r\nm-ready\r\n"};
	char name[64];

	EEMBC_START(answers, 1000);
	eembc_queue(&eembc_board, "\x01\xfe\xff garbage\r\nm-timestamp-mode-performance\r\n"
				  "m-lap-us-12\r\nm-init-done\r\nm-ready\r\n");
	cr_assert_eq(eembc_session_name(&eembc, name, sizeof name), HB_OK, "%s", eembc_captured);
	cr_assert_str_eq(name, "hilbench-mps2");
	cr_assert_str_eq(eembc_board.commands[0], "name");
	cr_assert_eq(eembc.counters.commands, 1);
	cr_assert_eq(eembc.counters.bytes_sent, 5);
}

Test(eembc_session, name_in_the_reference_format)
{
	static const char *const answers[] = {"m-name-dut-[acme-l4]\r\nm-ready\r\n"};
	char name[64];

	EEMBC_START(answers, 1000);
	eembc_board.read_size = 3;
	cr_assert_eq(eembc_session_name(&eembc, name, sizeof name), HB_OK, "%s", eembc_captured);
	cr_assert_str_eq(name, "acme-l4");
}

Test(eembc_session, load_sends_31_byte_hex_chunks_and_checks_each_answer)
{
	static const char *const answers[] = {
	    "m-[Expecting 70 bytes]\r\nm-ready\r\n",
	    "m-ready\r\n",
	    "m-ready\r\n",
	    "m-load-done\r\nm-ready\r\n",
	};
	uint8_t data[70];
	char expected[96];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 37 + 5);
	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_load(&eembc, data, sizeof data, 0), HB_OK, "%s", eembc_captured);
	cr_assert_eq(eembc_board.command_count, 4);
	cr_assert_str_eq(eembc_board.commands[0], "db load 70");
	for (size_t chunk = 0; chunk < 3; chunk++) {
		size_t offset = chunk * 31, count = chunk < 2 ? 31 : 8;
		char *cursor = expected + sprintf(expected, "db ");
		for (size_t i = 0; i < count; i++)
			cursor += sprintf(cursor, "%02x", data[offset + i]);
		cr_assert_str_eq(eembc_board.commands[1 + chunk], expected);
	}
	cr_assert_eq(strlen(eembc_board.commands[1]), 3 + 62);
}

Test(eembc_session, load_without_load_done_is_a_protocol_error)
{
	static const char *const answers[] = {
	    "m-[Expecting 4 bytes]\r\nm-ready\r\n",
	    "m-ready\r\n",
	};
	const uint8_t data[4] = {0xde, 0xad, 0xbe, 0xef};

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_load(&eembc, data, sizeof data, 0), HB_ERR_PROTOCOL);
	cr_assert_str_eq(eembc_board.commands[1], "db deadbeef");
	cr_assert(strstr(eembc_captured, "no \"m-load-done\" after all 4 bytes"), "%s",
		  eembc_captured);
}

Test(eembc_session, load_refused_by_the_board_quotes_its_error)
{
	static const char *const answers[] = {
	    "e-[db load: more bytes than the model input holds]\r\nm-ready\r\n",
	};
	const uint8_t data[4] = {1, 2, 3, 4};

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_load(&eembc, data, sizeof data, 2), HB_ERR_PROTOCOL);
	cr_assert_eq(eembc_board.command_count, 1, "no db command after a refused load");
	cr_assert_str_eq(eembc_captured, "board 'fake-dut': 'db load 4%' failed: "
					 "e-[db load: more bytes than the model input holds]");
}

Test(eembc_session, chunk_too_large_for_the_command_buffer_is_refused)
{
	static const char *const answers[] = {NULL};
	const uint8_t data[40] = {0};

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_load(&eembc, data, sizeof data, 39), HB_ERR_USAGE);
	cr_assert_eq(eembc_board.command_count, 0);
}

Test(eembc_session, infer_parses_the_two_timestamps)
{
	static const char *const answers[] = {
	    "m-warmup-start-0\r\nm-warmup-done\r\nm-infer-start-1\r\nm-lap-us-1000\r\n"
	    "m-lap-us-1750\r\nm-infer-done\r\nm-results-[1,2]\r\nm-ready\r\n",
	};
	struct eembc_infer_result result;

	EEMBC_START(answers, 1000);
	eembc_board.read_size = 7;
	cr_assert_eq(eembc_session_infer(&eembc, 1, 0, &result), HB_OK, "%s", eembc_captured);
	cr_assert_str_eq(eembc_board.commands[0], "infer 1 0");
	cr_assert_eq(result.lap_count, 2);
	cr_assert_eq(result.start_us, 1000);
	cr_assert_eq(result.end_us, 1750);
	cr_assert_eq(result.elapsed_us, 750);
}

Test(eembc_session, infer_across_a_32_bit_wrap)
{
	static const char *const answers[] = {
	    "m-lap-us-4294967000\r\nm-lap-us-200\r\nm-ready\r\n",
	};
	struct eembc_infer_result result;

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_infer(&eembc, 3, 10, &result), HB_OK, "%s", eembc_captured);
	cr_assert_str_eq(eembc_board.commands[0], "infer 3 10");
	cr_assert_eq(result.elapsed_us, 496);
}

Test(eembc_session, garbled_timestamp_fails_and_the_next_command_starts_clean)
{
	static const char *const answers[] = {
	    "m-lap-us-12x4\r\nm-lap-us-20\r\nm-ready\r\n",
	    "m-results-[7]\r\nm-ready\r\n",
	};
	struct eembc_infer_result result;
	double values[4];
	size_t count;

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_infer(&eembc, 1, 0, &result), HB_ERR_PROTOCOL);
	cr_assert(strstr(eembc_captured, "garbled timestamp \"m-lap-us-12x4\""), "%s",
		  eembc_captured);
	cr_assert_eq(eembc_session_results(&eembc, values, 4, &count), HB_OK, "%s", eembc_captured);
	cr_assert_eq(count, 1);
	cr_assert_float_eq(values[0], 7.0, 1e-12);
}

Test(eembc_session, infer_without_timestamps_is_a_protocol_error)
{
	static const char *const answers[] = {"m-lap-us-5\r\nm-infer-done\r\nm-ready\r\n"};
	struct eembc_infer_result result;

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_infer(&eembc, 1, 0, &result), HB_ERR_PROTOCOL);
	cr_assert(strstr(eembc_captured, "expected two m-lap-us- lines, got 1"), "%s",
		  eembc_captured);
}

Test(eembc_session, results_parse_bytes_and_reference_floats)
{
	static const char *const answers[] = {
	    "m-results-[0,127,255,12]\r\nm-ready\r\n",
	    "m-results-[0.012,0.975, -1.500,3e-2]\r\nm-ready\r\n",
	};
	double values[8];
	size_t count;

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_results(&eembc, values, 8, &count), HB_OK, "%s", eembc_captured);
	cr_assert_eq(count, 4);
	cr_assert_float_eq(values[1], 127.0, 1e-12);
	cr_assert_float_eq(values[2], 255.0, 1e-12);
	cr_assert_eq(eembc_session_results(&eembc, values, 8, &count), HB_OK, "%s", eembc_captured);
	cr_assert_eq(count, 4);
	cr_assert_float_eq(values[1], 0.975, 1e-12);
	cr_assert_float_eq(values[2], -1.5, 1e-12);
	cr_assert_float_eq(values[3], 0.03, 1e-12);
}

Test(eembc_session, garbled_results_are_protocol_errors)
{
	static const char *const answers[] = {
	    "m-results-[1,,2]\r\nm-ready\r\n", "m-results-[1,2\r\nm-ready\r\n",
	    "m-results-[1;2]\r\nm-ready\r\n",  "m-results-[1,2,3]\r\nm-ready\r\n",
	    "m-infer-done\r\nm-ready\r\n",
	};
	double values[2];
	size_t count = 99;

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_results(&eembc, values, 2, &count), HB_ERR_PROTOCOL);
	cr_assert_eq(count, 0);
	cr_assert(strstr(eembc_captured, "garbled results \"m-results-[1,,2]\""), "%s",
		  eembc_captured);
	eembc_captured[0] = '\0';
	cr_assert_eq(eembc_session_results(&eembc, values, 2, &count), HB_ERR_PROTOCOL);
	cr_assert(strstr(eembc_captured, "expected ']' at the end"), "%s", eembc_captured);
	eembc_captured[0] = '\0';
	cr_assert_eq(eembc_session_results(&eembc, values, 2, &count), HB_ERR_PROTOCOL);
	cr_assert(strstr(eembc_captured, "expected ',' or ']' after a number"), "%s",
		  eembc_captured);
	eembc_captured[0] = '\0';
	cr_assert_eq(eembc_session_results(&eembc, values, 2, &count), HB_ERR_PROTOCOL);
	cr_assert(strstr(eembc_captured, "more than the 2 result values expected"), "%s",
		  eembc_captured);
	eembc_captured[0] = '\0';
	cr_assert_eq(eembc_session_results(&eembc, values, 2, &count), HB_ERR_PROTOCOL);
	cr_assert(strstr(eembc_captured, "answered without an m-results- line"), "%s",
		  eembc_captured);
}

Test(eembc_session, unknown_command_error_line_is_quoted)
{
	static const char *const answers[] = {"e-[Unknown command: profile]\r\nm-ready\r\n"};

	EEMBC_START(answers, 1000);
	cr_assert_eq(eembc_session_command(&eembc, "profile"), HB_ERR_PROTOCOL);
	cr_assert_str_eq(eembc_captured,
			 "board 'fake-dut': 'profile%' failed: e-[Unknown command: profile]");
}

Test(eembc_session, silent_board_times_out_within_the_bound)
{
	static const char *const answers[] = {NULL};
	double begin;
	char name[32];
	double seconds;

	EEMBC_START(answers, 300);
	begin = clock_now_seconds();
	cr_assert_eq(eembc_session_name(&eembc, name, sizeof name), HB_ERR_TIMEOUT);
	seconds = clock_now_seconds() - begin;
	cr_assert_lt(seconds, 1.5, "gave up after %.2f s", seconds);
	cr_assert_str_eq(eembc_captured,
			 "board 'fake-dut': no \"m-ready\" after 'name%' within 300 ms");
}

Test(eembc_session, timeout_quotes_the_partial_line)
{
	static const char *const answers[] = {"m-lap-us-1\r\nm-lap-us-2"};
	struct eembc_infer_result result;

	EEMBC_START(answers, 200);
	cr_assert_eq(eembc_session_infer(&eembc, 1, 0, &result), HB_ERR_TIMEOUT);
	cr_assert(strstr(eembc_captured, "(last partial line \"m-lap-us-2\")"), "%s",
		  eembc_captured);
}

Test(eembc_session, overlong_line_is_a_protocol_error)
{
	static char answer[EEMBC_LINE_CAPACITY + 16];
	const char *const answers[] = {answer};

	memset(answer, 'x', sizeof answer - 1);
	answer[sizeof answer - 1] = '\0';
	EEMBC_START(answers, 500);
	cr_assert_eq(eembc_session_command(&eembc, "help"), HB_ERR_PROTOCOL);
	cr_assert(strstr(eembc_captured, "line longer than 16383 characters"), "%s",
		  eembc_captured);
}

Test(eembc_session, command_longer_than_the_board_buffer_is_refused)
{
	static const char *const answers[] = {NULL};
	char command[100];

	memset(command, 'a', sizeof command - 1);
	command[sizeof command - 1] = '\0';
	EEMBC_START(answers, 500);
	cr_assert_eq(eembc_session_command(&eembc, command), HB_ERR_INTERNAL);
	cr_assert_eq(eembc_board.command_count, 0);
	cr_assert_eq(eembc_session_command(&eembc, "db 50%"), HB_ERR_INTERNAL);
}
