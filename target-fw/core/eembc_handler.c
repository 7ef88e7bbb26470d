/*
 * The MLPerf Tiny / EEMBC runner's ASCII protocol in place of the framed
 * one (firmware.mk PROTOCOL=eembc), against the same model runner, so the
 * two can be compared on one board and the runner's host tools can drive
 * hilbench firmware. Commands end with '%'; every command is answered by
 * zero or more "m-..." or "e-[...]" lines, then "m-ready":
 *
 *   name          m-name-dut-[hilbench-PORT] (the form the MLPerf runner accepts)
 *   timestamp     m-lap-us-MICROSECONDS
 *   db load N     expect N input bytes from the next db commands
 *   db HEX        append the bytes (two hex digits each) to the input;
 *                 m-load-done once N have arrived, the rest is ignored
 *   infer N [W]   W untimed runs (10 if omitted, as in the reference), N timed
 *                 ones between two m-lap-us lines, then the results line
 *   results       m-results-[B0,B1,...] with the output bytes in decimal
 *
 * The reference firmware parses with atoi and silently accepts junk; here
 * a malformed number is an error line, so a garbled command is never run.
 */
#include "protocol_handler.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "model_runner.h"
#include "port.h"

/* The reference's EE_CMD_SIZE: its runner never sends a longer command. */
#define COMMAND_CAPACITY 80u
#define DEFAULT_WARMUPS	 10u
/* The reference's firmware version string: the runner only shows it. */
#define EEMBC_FW_VERSION "ULPMark for tinyML Firmware V0.0.1"
/* firmware.mk sets it from MODEL_NAME; the runner picks its dataset by it. */
#ifndef HB_MODEL_NAME
#define HB_MODEL_NAME "unnamed"
#endif

static HARNESS_BSS char command[COMMAND_CAPACITY + 1];
static size_t command_length;
static int command_too_long;

static uint32_t load_expected;
static uint32_t load_position;

static void put_text(const char *text)
{
	port_uart_write((const uint8_t *)text, strlen(text));
}

static void put_decimal(uint64_t value)
{
	char digits[21];
	size_t start = sizeof digits;

	do {
		digits[--start] = (char)('0' + value % 10u);
		value /= 10u;
	} while (value);
	port_uart_write((const uint8_t *)digits + start, sizeof digits - start);
}

static void put_line(const char *text)
{
	put_text(text);
	put_text("\r\n");
}

static void put_error(const char *message)
{
	put_text("e-[");
	put_text(message);
	put_line("]");
}

/* Counter ticks to microseconds through counter units (cycles, or
 * instructions on an emulator) and the core clock. Split so that neither
 * product overflows for any counter value a run can reach. */
static uint64_t ticks_to_microseconds(uint64_t ticks)
{
	const uint64_t scale_q16 = port_counter_scale_q16();
	const uint64_t clock_hz = port_clock_hz() ? port_clock_hz() : 1u;
	uint64_t units = (ticks >> 16) * scale_q16 + (((ticks & 0xFFFFu) * scale_q16) >> 16);

	return units / clock_hz * 1000000u + units % clock_hz * 1000000u / clock_hz;
}

static void put_timestamp(uint64_t ticks)
{
	put_text("m-lap-us-");
	put_decimal(ticks_to_microseconds(ticks));
	put_text("\r\n");
}

/* Next space-separated token of *cursor, NUL-terminated in place; NULL at
 * the end. */
static char *next_token(char **cursor)
{
	char *start = *cursor;
	char *end;

	while (*start == ' ')
		start++;
	if (*start == '\0')
		return NULL;
	end = start;
	while (*end != '\0' && *end != ' ')
		end++;
	if (*end == ' ')
		*end++ = '\0';
	*cursor = end;
	return start;
}

/* Unsigned decimal, digits only, below 2^31. Returns 0 when malformed. */
static int parse_count(const char *text, uint32_t *value)
{
	uint32_t result = 0;

	if (*text == '\0')
		return 0;
	for (; *text; text++) {
		if (*text < '0' || *text > '9' || result > (0x7FFFFFFFu - 9u) / 10u)
			return 0;
		result = result * 10u + (uint32_t)(*text - '0');
	}
	*value = result;
	return 1;
}

static int hex_value(char digit)
{
	if (digit >= '0' && digit <= '9')
		return digit - '0';
	if (digit >= 'a' && digit <= 'f')
		return digit - 'a' + 10;
	if (digit >= 'A' && digit <= 'F')
		return digit - 'A' + 10;
	return -1;
}

static int have_model(void)
{
	if (model_runner_header())
		return 1;
	put_error("no valid model image in the model region");
	return 0;
}

static void handle_load(char *count_text)
{
	uint32_t count;

	if (!count_text || !parse_count(count_text, &count) || count == 0) {
		put_error("db load: expected a byte count above 0");
		return;
	}
	if (!have_model())
		return;
	if (count > model_runner_input_length()) {
		put_error("db load: more bytes than the model input holds");
		return;
	}
	load_expected = count;
	load_position = 0;
	put_text("m-[Expecting ");
	put_decimal(count);
	put_line(" bytes]");
}

/* Checks every digit before storing any, so a garbled chunk leaves the
 * input as it was and the host can send it again. */
static void handle_hex(const char *hex)
{
	size_t digits = strlen(hex);
	uint8_t *input = model_runner_input();

	if (load_position >= load_expected) {
		put_error("db: no load in progress (send db load N first)");
		return;
	}
	if (digits % 2u) {
		put_error("db: odd number of hex digits");
		return;
	}
	for (size_t i = 0; i < digits; i++) {
		if (hex_value(hex[i]) < 0) {
			put_error("db: invalid hex digit");
			return;
		}
	}
	for (size_t i = 0; i < digits && load_position < load_expected; i += 2)
		input[load_position++] = (uint8_t)(hex_value(hex[i]) << 4 | hex_value(hex[i + 1]));
	if (load_position == load_expected)
		put_line("m-load-done");
}

static void handle_db(char **cursor)
{
	char *argument = next_token(cursor);

	if (!argument)
		put_error("db: expected a subcommand (load N, or hex digits)");
	else if (strcmp(argument, "load") == 0)
		handle_load(next_token(cursor));
	else
		handle_hex(argument);
}

static void put_results(void)
{
	const uint8_t *output = model_runner_output();
	const uint32_t length = model_runner_output_length();

	put_text("m-results-[");
	for (uint32_t i = 0; i < length; i++) {
		if (i)
			put_text(",");
		put_decimal(output[i]);
	}
	put_line("]");
}

static void handle_infer(char **cursor)
{
	char *runs_text = next_token(cursor);
	char *warmups_text = next_token(cursor);
	uint32_t runs = 1;
	uint32_t warmups = DEFAULT_WARMUPS;
	uint64_t start;
	uint64_t end;

	if ((runs_text && (!parse_count(runs_text, &runs) || runs == 0)) ||
	    (warmups_text && !parse_count(warmups_text, &warmups))) {
		put_error("infer: expected N [W] with N above 0 and W at least 0");
		return;
	}
	if (!have_model())
		return;
	put_text("m-warmup-start-");
	put_decimal(warmups);
	put_text("\r\n");
	for (uint32_t i = 0; i < warmups; i++)
		(void)model_runner_invoke();
	put_line("m-warmup-done");
	put_text("m-infer-start-");
	put_decimal(runs);
	put_text("\r\n");
	/* Both laps are printed after the runs, so the time the UART takes to
	 * send the first one is not counted (the reference counts it). */
	start = port_counter_read();
	for (uint32_t i = 0; i < runs; i++)
		(void)model_runner_invoke();
	end = port_counter_read();
	put_timestamp(start);
	put_timestamp(end);
	put_line("m-infer-done");
	put_results();
}

static void execute_command(void)
{
	char *cursor = command;
	char *name = next_token(&cursor);

	if (!name) {
		/* An empty command only asks whether the board is there. */
	} else if (strcmp(name, "name") == 0) {
		put_text("m-name-dut-[hilbench-");
		put_text(port_name());
		put_line("]");
	} else if (strcmp(name, "profile") == 0) {
		put_line("m-profile-[" EEMBC_FW_VERSION "]");
		put_line("m-model-[" HB_MODEL_NAME "]");
	} else if (strcmp(name, "timestamp") == 0) {
		put_timestamp(port_counter_read());
	} else if (strcmp(name, "db") == 0) {
		handle_db(&cursor);
	} else if (strcmp(name, "infer") == 0) {
		handle_infer(&cursor);
	} else if (strcmp(name, "results") == 0) {
		if (have_model())
			put_results();
	} else {
		put_text("e-[Unknown command: ");
		put_text(name);
		put_line("]");
	}
	put_line("m-ready");
}

void protocol_init(void)
{
	model_runner_init();
	command_length = 0;
	command_too_long = 0;
	load_expected = 0;
	load_position = 0;
	/* The reference's boot banner: a runner may wait for it. */
	put_line("m-timestamp-mode-performance");
	put_timestamp(port_counter_read());
	put_line("m-init-done");
	put_line("m-ready");
}

void protocol_receive_byte(uint8_t byte)
{
	/* Line ends let a person type commands in a terminal. */
	if (byte == '\r' || byte == '\n' || byte == '\0')
		return;
	if (byte != '%') {
		if (command_length < COMMAND_CAPACITY)
			command[command_length++] = (char)byte;
		else
			command_too_long = 1;
		return;
	}
	command[command_length] = '\0';
	if (command_too_long) {
		put_error("command longer than 80 characters");
		put_line("m-ready");
	} else {
		execute_command();
	}
	command_length = 0;
	command_too_long = 0;
}
