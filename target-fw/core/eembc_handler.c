/*
 * The MLPerf Tiny / EEMBC runner's ASCII protocol in place of the framed
 * one (firmware.mk PROTOCOL=eembc), against the same model runner, so the
 * two can be compared on one board and the MLPerf Tiny runner can drive
 * hilbench firmware as it drives the reference firmware. Commands end with
 * '%'; every command is answered by zero or more "m-..." or "e-[...]"
 * lines, then "m-ready":
 *
 *   name          m-name-dut-[hilbench-PORT] (the form the runner accepts)
 *   profile       m-profile-[...] and m-model-[MODEL_NAME], the name the
 *                 runner picks its dataset by (firmware.mk MODEL_NAME)
 *   help          the commands, one per line
 *   timestamp     m-lap-us-MICROSECONDS; in energy mode a low pulse on the
 *                 window pin instead, as the reference drives its timestamp
 *                 pin (firmware.mk ENERGY_MODE=1)
 *   db load N     expect N input bytes in the dataset's own form:
 *                 the model input's bytes (kws01: int8 features), uint8
 *                 pixels for ic01 and vww01 (offset by -128 on the way in,
 *                 as the reference does), or float32 values (4 bytes per
 *                 element, little-endian; ad01) that the device quantizes
 *                 with the input's scale and zero point
 *   db HEX        append the bytes (two hex digits each); m-load-done once
 *                 N have arrived, the rest of that command is ignored
 *   db print [N [OFFSET]]
 *                 m-buffer-HH-HH-... lines, 8 bytes each, of the loaded
 *                 bytes as they were sent
 *   infer N [W]   W untimed runs (10 if omitted, as in the reference), N timed
 *                 ones between two timestamps, then the results line
 *   results       m-results-[S0,S1,...]: the output dequantized to floats,
 *                 three decimals; for ad01 the one anomaly score the
 *                 reference prints (the mean squared difference between the
 *                 float input and the dequantized output)
 *
 * The reference firmware parses with atoi and silently accepts junk; here
 * a malformed number is an error line, so a garbled command is never run,
 * and a load must be exactly one of the input's forms.
 */
#include "protocol_handler.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "model_runner.h"
#include "port.h"
#include "stack_paint.h"

/* The reference's EE_CMD_SIZE: its runner never sends a longer command. */
#define COMMAND_CAPACITY 80u
#define DEFAULT_WARMUPS	 10u
/* The reference's firmware version string: the runner only shows it. */
#define EEMBC_FW_VERSION "ULPMark for tinyML Firmware V0.0.1"
/* firmware.mk sets it from MODEL_NAME; the runner picks its dataset by it. */
#ifndef HB_MODEL_NAME
#define HB_MODEL_NAME "unnamed"
#endif
#ifndef HB_ENERGY_MODE
#define HB_ENERGY_MODE 0
#endif
/* The reference holds its timestamp pin low for a busy loop of 100000
 * iterations and asks for at least 1 us; a meter's event input sees 100 us
 * on any clock. */
#define TIMESTAMP_PULSE_US   100u
#define PRINT_BYTES_PER_LINE 8u

/* How the bytes of a load become the model's input. */
enum load_form {
	LOAD_NONE,
	LOAD_RAW,	   /* the input tensor's own bytes */
	LOAD_UINT8_OFFSET, /* uint8 pixels, minus 128 into an int8 input */
	LOAD_FLOAT32,	   /* float32 values quantized into an int8 input */
};

static HARNESS_BSS char command[COMMAND_CAPACITY + 1];
static size_t command_length;
static int command_too_long;

static enum load_form load_form;
static uint8_t *load_buffer;
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

/* Text the host sent, echoed: a byte outside printable ASCII becomes '?',
 * so an answer line never carries control bytes (found by
 * fuzz_eembc_handler). */
static void put_echo(const char *text)
{
	for (; *text; text++) {
		const uint8_t byte = (uint8_t)*text;
		const uint8_t shown = byte >= 0x20u && byte < 0x7Fu ? byte : (uint8_t)'?';
		port_uart_write(&shown, 1);
	}
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

static void put_hex_byte(uint8_t byte)
{
	static const char digits[] = "0123456789abcdef";
	const char pair[2] = {digits[byte >> 4], digits[byte & 0xFu]};

	port_uart_write((const uint8_t *)pair, 2);
}

/* The digits of round(value * 1000) for a finite value below 2^30, ties
 * to even, exactly: the float is mantissa * 2^exponent, so the product is
 * an integer shifted, with no rounding but the last. */
static uint64_t thousandths(float value)
{
	uint32_t bits;
	uint64_t scaled, whole, remainder, half;
	int exponent;

	memcpy(&bits, &value, sizeof bits);
	exponent = (int)((bits >> 23) & 0xFFu);
	scaled = (uint64_t)(exponent ? (bits & 0x7FFFFFu) | 0x800000u : bits & 0x7FFFFFu) * 1000u;
	exponent = exponent ? exponent - 150 : -149;
	if (exponent >= 0)
		return scaled << exponent;
	if (exponent < -40)
		return 0; /* below 2^-6 thousandths: rounds to 0 */
	whole = scaled >> -exponent;
	remainder = scaled & ((UINT64_C(1) << -exponent) - 1u);
	half = UINT64_C(1) << (-exponent - 1);
	return whole + (remainder > half || (remainder == half && (whole & 1u)));
}

/* As printf's "%0.3f" prints a float (glibc rounds the exact binary value,
 * ties to even); newlib-nano's printf has no floats, and this needs no
 * double arithmetic on cores without an FPU for it. From 2^30 up, which no
 * score reaches, D.DDDe+N, which the runner parses too. */
static void put_fixed3(float value)
{
	uint64_t whole;
	unsigned exponent = 0;

	if (value != value) {
		put_text("nan");
		return;
	}
	if (value < 0.0f) {
		put_text("-");
		value = -value;
	}
	if (value > 3.4e38f) {
		put_text("inf");
		return;
	}
	if (value >= 1073741824.0f) {
		while (value >= 10.0f) {
			value /= 10.0f;
			exponent++;
		}
	}
	whole = thousandths(value);
	put_decimal(whole / 1000u);
	put_text(".");
	put_text(whole % 1000u < 100u ? (whole % 1000u < 10u ? "00" : "0") : "");
	put_decimal(whole % 1000u);
	if (exponent) {
		put_text("e+");
		put_decimal(exponent);
	}
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

/* The energy-mode timestamp: the pin idles high and a falling edge marks
 * the moment, as the reference's th_timestamp drives its pin. */
static void pulse_timestamp(void)
{
	const uint64_t start = port_counter_read();

	port_window_marker(0);
	while (ticks_to_microseconds(port_counter_read() - start) < TIMESTAMP_PULSE_US) {
	}
	port_window_marker(1);
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

/* As the boot check found them: an image changed since is not read. */
static const struct model_tensor *input_tensor(void)
{
	return model_runner_input_tensor();
}

static const struct model_tensor *output_tensor(void)
{
	return model_runner_output_tensor();
}

/* The reference offsets the pixels of these two into the int8 range. */
static int model_takes_uint8_pixels(void)
{
	return strcmp(HB_MODEL_NAME, "ic01") == 0 || strcmp(HB_MODEL_NAME, "vww01") == 0;
}

static float read_float32(const uint8_t *bytes)
{
	float value;

	memcpy(&value, bytes, sizeof value);
	return value;
}

/* As the reference's QuantizeFloatToInt8: round to nearest, ties away
 * from zero, then saturate. */
static int8_t quantize(float value, float scale, int32_t zero_point)
{
	float scaled = value / scale;
	int32_t rounded;

	if (scaled != scaled)
		scaled = 0.0f;
	if (scaled > 1e6f)
		scaled = 1e6f;
	if (scaled < -1e6f)
		scaled = -1e6f;
	rounded = (int32_t)(scaled + (scaled < 0.0f ? -0.5f : 0.5f)) + zero_point;
	return (int8_t)(rounded < -128 ? -128 : rounded > 127 ? 127 : rounded);
}

/* Picks the form from the count: a load is exactly one of them. */
static int choose_form(uint32_t count)
{
	const struct model_tensor *input = input_tensor();
	uint32_t spare;

	if (count == input->size) {
		load_form = input->dtype == MODEL_DTYPE_INT8 && model_takes_uint8_pixels()
				? LOAD_UINT8_OFFSET
				: LOAD_RAW;
		load_buffer = model_runner_input();
		return 1;
	}
	if (input->dtype == MODEL_DTYPE_INT8 && count / 4u == input->size && count % 4u == 0) {
		load_buffer = model_runner_spare(&spare);
		if (spare < count) {
			put_error("db load: no RAM above the arena for the float32 input");
			return 0;
		}
		load_form = LOAD_FLOAT32;
		return 1;
	}
	put_text("e-[db load: ");
	put_decimal(count);
	put_text(" bytes is no form of the model input: expected ");
	put_decimal(input->size);
	if (input->dtype == MODEL_DTYPE_INT8) {
		put_text(model_takes_uint8_pixels() ? " (uint8) or " : " (int8) or ");
		put_decimal((uint64_t)input->size * 4u);
		put_text(" (float32)");
	}
	put_line("]");
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
	load_form = LOAD_NONE;
	load_expected = 0;
	load_position = 0;
	if (!choose_form(count))
		return;
	load_expected = count;
	put_text("m-[Expecting ");
	put_decimal(count);
	put_line(" bytes]");
}

/* The input copy from a complete float32 load. */
static void quantize_loaded_floats(void)
{
	const struct model_tensor *input = input_tensor();
	int8_t *target = (int8_t *)model_runner_input();

	for (uint32_t i = 0; i < input->size; i++)
		target[i] =
		    quantize(read_float32(load_buffer + 4u * i), input->scale, input->zero_point);
}

/* Checks every digit before storing any, so a garbled chunk leaves the
 * input as it was and the host can send it again. */
static void handle_hex(const char *hex)
{
	size_t digits = strlen(hex);
	const uint8_t flip = load_form == LOAD_UINT8_OFFSET ? 0x80u : 0u;

	if (load_form == LOAD_NONE || load_position >= load_expected) {
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
	/* x - 128 in int8 is x with its top bit flipped. */
	for (size_t i = 0; i < digits && load_position < load_expected; i += 2)
		load_buffer[load_position++] =
		    (uint8_t)(hex_value(hex[i]) << 4 | hex_value(hex[i + 1])) ^ flip;
	if (load_position == load_expected) {
		if (load_form == LOAD_FLOAT32)
			quantize_loaded_floats();
		put_line("m-load-done");
	}
}

static void handle_print(char **cursor)
{
	char *count_text = next_token(cursor);
	char *offset_text = next_token(cursor);
	const uint8_t flip = load_form == LOAD_UINT8_OFFSET ? 0x80u : 0u;
	uint32_t count = load_position;
	uint32_t offset = 0;

	if ((count_text && !parse_count(count_text, &count)) ||
	    (offset_text && !parse_count(offset_text, &offset))) {
		put_error("db print: expected [N [OFFSET]], unsigned decimals");
		return;
	}
	if (offset > load_position)
		offset = load_position;
	if (count > load_position - offset)
		count = load_position - offset;
	for (uint32_t i = 0; i < count; i++) {
		put_text(i % PRINT_BYTES_PER_LINE ? "-" : "m-buffer-");
		put_hex_byte(load_buffer[offset + i] ^ flip);
		if (i % PRINT_BYTES_PER_LINE == PRINT_BYTES_PER_LINE - 1u || i + 1u == count)
			put_text("\r\n");
	}
}

static void handle_db(char **cursor)
{
	char *argument = next_token(cursor);

	if (!argument)
		put_error("db: expected a subcommand (load N, print, or hex digits)");
	else if (strcmp(argument, "load") == 0)
		handle_load(next_token(cursor));
	else if (strcmp(argument, "print") == 0)
		handle_print(cursor);
	else
		handle_hex(argument);
}

/* Element i of a tensor as a float: int8 dequantized, float32 as is. */
static float tensor_value(const struct model_tensor *tensor, const uint8_t *data, uint32_t i)
{
	if (tensor->dtype == MODEL_DTYPE_FLOAT32)
		return read_float32(data + 4u * i);
	return ((float)(int8_t)data[i] - (float)tensor->zero_point) * tensor->scale;
}

static uint32_t tensor_elements(const struct model_tensor *tensor)
{
	return tensor->dtype == MODEL_DTYPE_INT8 ? tensor->size : tensor->size / 4u;
}

/* ad01's score: the input as the host sent it (floats when it sent
 * floats, else dequantized) against the dequantized reconstruction. */
static int put_anomaly_score(void)
{
	const struct model_tensor *input = input_tensor();
	const struct model_tensor *output = output_tensor();
	const uint32_t elements = tensor_elements(output);
	float sum = 0.0f;

	if (elements == 0 || elements != tensor_elements(input))
		return 0;
	for (uint32_t i = 0; i < elements; i++) {
		const float sent = load_form == LOAD_FLOAT32
				       ? read_float32(load_buffer + 4u * i)
				       : tensor_value(input, model_runner_input(), i);
		const float difference = tensor_value(output, model_runner_output(), i) - sent;

		sum += difference * difference;
	}
	put_fixed3(sum / (float)elements);
	return 1;
}

static void put_results(void)
{
	const struct model_tensor *output = output_tensor();
	const uint32_t elements = tensor_elements(output);

	put_text("m-results-[");
	if (strcmp(HB_MODEL_NAME, "ad01") != 0 || !put_anomaly_score()) {
		for (uint32_t i = 0; i < elements; i++) {
			if (i)
				put_text(",");
			put_fixed3(tensor_value(output, model_runner_output(), i));
		}
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
	/* As the framed protocol's INVOKE: the image is checked before every run. */
	if (!model_runner_image_intact()) {
		put_error("infer: model image damaged since boot (CRC mismatch): reflash it");
		return;
	}
	if (load_form != LOAD_NONE && load_position < load_expected) {
		put_text("e-[infer: the load is incomplete: ");
		put_decimal(load_position);
		put_text(" of ");
		put_decimal(load_expected);
		put_line(" bytes]");
		return;
	}
	put_text("m-warmup-start-");
	put_decimal(warmups);
	put_text("\r\n");
	for (uint32_t i = 0; i < warmups; i++)
		(void)model_runner_invoke();
	put_line("m-warmup-done");
	put_text("m-infer-start-");
	put_decimal(runs);
	put_text("\r\n");
	if (HB_ENERGY_MODE)
		pulse_timestamp();
	else
		port_window_marker(1);
	/* Both laps are printed after the runs, so the time the UART takes to
	 * send the first one is not counted (the reference counts it). */
	start = port_counter_read();
	for (uint32_t i = 0; i < runs; i++)
		(void)model_runner_invoke();
	end = port_counter_read();
	if (HB_ENERGY_MODE) {
		pulse_timestamp();
	} else {
		port_window_marker(0);
		put_timestamp(start);
		put_timestamp(end);
	}
	if (!stack_guard_intact()) {
		put_error("infer: stack overrun during the runs: no results (build with a larger "
			  "STACK_SIZE)");
		return;
	}
	put_line("m-infer-done");
	put_results();
}

static void put_help(void)
{
	put_line(EEMBC_FW_VERSION " (hilbench firmware, model " HB_MODEL_NAME ")");
	put_line("help                  : these lines");
	put_line("name                  : the device's name");
	put_line("profile               : the firmware profile and the model's name");
	put_line("timestamp             : a timestamp (energy mode: a pulse on the window pin)");
	put_line("db load N             : expect N input bytes (the model input, uint8 pixels, "
		 "or float32)");
	put_line("db HH[HH]*            : append hex bytes until N have arrived");
	put_line("db print [N [OFFSET]] : the loaded bytes in hex");
	put_line("infer N [W=10]        : W warm-up runs, then N timed ones, then the results");
	put_line("results               : the last output as floats");
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
	} else if (strcmp(name, "help") == 0) {
		put_help();
	} else if (strcmp(name, "timestamp") == 0) {
		if (HB_ENERGY_MODE)
			pulse_timestamp();
		else
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
		put_echo(name);
		put_line("]");
	}
	put_line("m-ready");
}

void protocol_init(void)
{
	model_runner_init();
	command_length = 0;
	command_too_long = 0;
	load_form = LOAD_NONE;
	load_buffer = model_runner_input();
	load_expected = 0;
	load_position = 0;
	/* The reference's boot banner: a runner may wait for it. */
	if (HB_ENERGY_MODE) {
		port_window_marker(1);
		put_line("m-timestamp-mode-energy");
		pulse_timestamp();
	} else {
		put_line("m-timestamp-mode-performance");
		put_timestamp(port_counter_read());
	}
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
