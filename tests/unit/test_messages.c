/*
 * Message payloads (target-fw/proto/messages.c): byte layout of each reply,
 * round trips, and rejection of payloads of the wrong size.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "messages.h"

#define MESSAGES_TEST_HELLO_LENGTH 114u /* 62 fixed bytes, two 24-byte names, rx_window */

static void messages_test_hello(struct msg_hello_reply *m)
{
	memset(m, 0, sizeof *m);
	m->protocol_version = 0x0102;
	m->max_payload = 512;
	m->build_id = 0xA1B2C3D4u;
	m->clock_hz = 25000000u;
	m->counter_kind = MSG_COUNTER_SYSTICK;
	m->counter_scale_q16 = 40u << 16;
	m->input_capacity = 0x11223344u;
	m->arena_capacity = 0x55667788u;
	m->model_input_length = 256;
	m->model_output_length = 64;
	m->model_macs = 16384;
	m->stack_size = 0x99AABBCCu;
	m->model_status = 5;
	m->model_crc32 = 0xDEADBEEFu;
	m->model_arena_size = 0x1000u;
	m->model_region_origin = 0x00100000u;
	m->model_region_size = 0x00300000u;
	m->model_macs_high = 7;
	strcpy(m->port, "mps2");
	strcpy(m->core, "cortex-m4");
	m->rx_window = 0x00002000u;
}

Test(messages, hello_reply_layout)
{
	struct msg_hello_reply m;
	uint8_t out[FRAME_MAX_PAYLOAD];

	messages_test_hello(&m);
	memset(out, 0xEE, sizeof out);
	cr_assert_eq(msg_hello_reply_encode(&m, out, sizeof out), MESSAGES_TEST_HELLO_LENGTH);
	cr_expect_arr_eq(out, ((const uint8_t[]){0x02, 0x01, 0x00, 0x02}), 4);
	cr_expect_arr_eq(out + 4, ((const uint8_t[]){0xD4, 0xC3, 0xB2, 0xA1}), 4);
	cr_expect_eq(le_get_u32(out + 8), 25000000u);
	cr_expect_eq(out[12], MSG_COUNTER_SYSTICK);
	cr_expect_arr_eq(out + 13, ((const uint8_t[]){0x00, 0x00, 0x28, 0x00}), 4);
	cr_expect_arr_eq(out + 17, ((const uint8_t[]){0x44, 0x33, 0x22, 0x11}), 4);
	cr_expect_arr_eq(out + 21, ((const uint8_t[]){0x88, 0x77, 0x66, 0x55}), 4);
	cr_expect_eq(le_get_u32(out + 25), 256u);
	cr_expect_eq(le_get_u32(out + 29), 64u);
	cr_expect_eq(le_get_u32(out + 33), 16384u);
	cr_expect_arr_eq(out + 37, ((const uint8_t[]){0xCC, 0xBB, 0xAA, 0x99}), 4);
	cr_expect_eq(out[41], 5);
	cr_expect_arr_eq(out + 42, ((const uint8_t[]){0xEF, 0xBE, 0xAD, 0xDE}), 4);
	cr_expect_eq(le_get_u32(out + 46), 0x1000u);
	cr_expect_eq(le_get_u32(out + 50), 0x00100000u);
	cr_expect_eq(le_get_u32(out + 54), 0x00300000u);
	cr_expect_eq(le_get_u32(out + 58), 7u);
	cr_expect_str_eq((const char *)out + 62, "mps2");
	cr_expect_eq(out[62 + 23], 0x00);
	cr_expect_str_eq((const char *)out + 86, "cortex-m4");
	cr_expect_eq(out[86 + 23], 0x00);
	cr_expect_arr_eq(out + 110, ((const uint8_t[]){0x00, 0x20, 0x00, 0x00}), 4);
	cr_expect_eq(out[114], 0xEE, "wrote past the payload");
}

Test(messages, hello_reply_round_trip)
{
	struct msg_hello_reply in;
	struct msg_hello_reply out;
	uint8_t buffer[MESSAGES_TEST_HELLO_LENGTH];

	messages_test_hello(&in);
	cr_assert_eq(msg_hello_reply_encode(&in, buffer, sizeof buffer), sizeof buffer);
	memset(&out, 0x5A, sizeof out);
	cr_assert_eq(msg_hello_reply_decode(buffer, sizeof buffer, &out), 0);
	cr_expect_eq(out.protocol_version, in.protocol_version);
	cr_expect_eq(out.max_payload, in.max_payload);
	cr_expect_eq(out.build_id, in.build_id);
	cr_expect_eq(out.clock_hz, in.clock_hz);
	cr_expect_eq(out.counter_kind, in.counter_kind);
	cr_expect_eq(out.counter_scale_q16, in.counter_scale_q16);
	cr_expect_eq(out.input_capacity, in.input_capacity);
	cr_expect_eq(out.arena_capacity, in.arena_capacity);
	cr_expect_eq(out.model_input_length, in.model_input_length);
	cr_expect_eq(out.model_output_length, in.model_output_length);
	cr_expect_eq(out.model_macs, in.model_macs);
	cr_expect_eq(out.stack_size, in.stack_size);
	cr_expect_eq(out.model_status, in.model_status);
	cr_expect_eq(out.model_crc32, in.model_crc32);
	cr_expect_eq(out.model_arena_size, in.model_arena_size);
	cr_expect_eq(out.model_region_origin, in.model_region_origin);
	cr_expect_eq(out.model_region_size, in.model_region_size);
	cr_expect_eq(out.model_macs_high, in.model_macs_high);
	cr_expect_str_eq(out.port, "mps2");
	cr_expect_str_eq(out.core, "cortex-m4");
	cr_expect_eq(out.rx_window, in.rx_window);
}

Test(messages, hello_reply_sizes)
{
	struct msg_hello_reply m;
	uint8_t buffer[MESSAGES_TEST_HELLO_LENGTH + 1];

	messages_test_hello(&m);
	cr_expect_eq(msg_hello_reply_encode(&m, buffer, MESSAGES_TEST_HELLO_LENGTH - 1), 0u);
	cr_expect_eq(msg_hello_reply_encode(&m, buffer, 0), 0u);
	cr_assert_eq(msg_hello_reply_encode(&m, buffer, sizeof buffer), MESSAGES_TEST_HELLO_LENGTH);
	cr_expect_eq(msg_hello_reply_decode(buffer, MESSAGES_TEST_HELLO_LENGTH - 1, &m), -1);
	cr_expect_eq(msg_hello_reply_decode(buffer, MESSAGES_TEST_HELLO_LENGTH + 1, &m), -1);
	cr_expect_eq(msg_hello_reply_decode(buffer, 0, &m), -1);
	cr_expect_eq(msg_hello_reply_decode(buffer, 62, &m), -1);
}

Test(messages, hello_reply_names_terminated_after_hostile_bytes)
{
	struct msg_hello_reply m;
	uint8_t hostile[MESSAGES_TEST_HELLO_LENGTH];

	memset(hostile, 'A', sizeof hostile);
	memset(&m, 0x7F, sizeof m);
	cr_assert_eq(msg_hello_reply_decode(hostile, sizeof hostile, &m), 0);
	cr_expect_eq(strlen(m.port), PROTO_NAME_LENGTH - 1);
	cr_expect_eq(strlen(m.core), PROTO_NAME_LENGTH - 1);
	cr_expect_eq(m.port[0], 'A');
	cr_expect_eq(m.core[PROTO_NAME_LENGTH - 2], 'A');
}

Test(messages, invoke_reply_round_trips)
{
	static const uint16_t runs_cases[] = {0, 1, 2, PROTO_MAX_RUNS};
	struct msg_invoke_reply in;
	struct msg_invoke_reply out;
	uint8_t buffer[FRAME_MAX_PAYLOAD];

	for (size_t c = 0; c < sizeof runs_cases / sizeof runs_cases[0]; c++) {
		memset(&in, 0, sizeof in);
		in.runs = runs_cases[c];
		in.stack_high_water = 0x01020304u;
		in.output_length = 64;
		in.arena_used = 0x0A0B0C0Du;
		in.inference_stack = 0x11223344u;
		for (uint16_t i = 0; i < in.runs; i++)
			in.ticks[i] = 0x0123456789ABCDEFull + 0x100000001ull * i;
		size_t length = msg_invoke_reply_encode(&in, buffer, sizeof buffer);
		cr_assert_eq(length, 18u + 8u * in.runs, "runs %u", in.runs);
		cr_assert_leq(length, FRAME_MAX_PAYLOAD);
		cr_expect_eq(le_get_u16(buffer), in.runs);
		cr_expect_eq(le_get_u32(buffer + 2), 0x01020304u);
		cr_expect_eq(le_get_u32(buffer + 6), 64u);
		cr_expect_eq(le_get_u32(buffer + 10), 0x0A0B0C0Du);
		cr_expect_eq(le_get_u32(buffer + 14), 0x11223344u, "inference_stack at 14");
		if (in.runs > 0)
			cr_expect_arr_eq(
			    buffer + 18,
			    ((const uint8_t[]){0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01}), 8,
			    "ticks are u64 little-endian");
		memset(&out, 0x5A, sizeof out);
		cr_assert_eq(msg_invoke_reply_decode(buffer, length, &out), 0, "runs %u", in.runs);
		cr_expect_eq(out.runs, in.runs);
		cr_expect_eq(out.stack_high_water, in.stack_high_water);
		cr_expect_eq(out.output_length, in.output_length);
		cr_expect_eq(out.arena_used, in.arena_used);
		cr_expect_eq(out.inference_stack, in.inference_stack);
		for (uint16_t i = 0; i < in.runs; i++)
			cr_expect_eq(out.ticks[i], in.ticks[i], "run %u", i);
	}
}

Test(messages, invoke_reply_encode_refuses)
{
	struct msg_invoke_reply in;
	uint8_t buffer[FRAME_MAX_PAYLOAD];

	memset(&in, 0, sizeof in);
	in.runs = PROTO_MAX_RUNS + 1;
	cr_expect_eq(msg_invoke_reply_encode(&in, buffer, sizeof buffer), 0u);
	in.runs = 0xFFFF;
	cr_expect_eq(msg_invoke_reply_encode(&in, buffer, sizeof buffer), 0u);
	in.runs = 3;
	cr_expect_eq(msg_invoke_reply_encode(&in, buffer, 41), 0u);
	cr_expect_eq(msg_invoke_reply_encode(&in, buffer, 42), 42u);
}

Test(messages, invoke_reply_decode_rejects)
{
	uint8_t buffer[FRAME_MAX_PAYLOAD];
	struct msg_invoke_reply out;

	memset(buffer, 0, sizeof buffer);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 0, &out), -1);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 17, &out), -1);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 18, &out), 0, "zero runs is well formed");
	cr_expect_eq(msg_invoke_reply_decode(buffer, 19, &out), -1);

	le_put_u16(buffer, 2);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 18 + 8, &out), -1);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 18 + 24, &out), -1);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 18 + 16, &out), 0);

	/* More runs than PROTO_MAX_RUNS, with a length that would match. */
	le_put_u16(buffer, PROTO_MAX_RUNS + 1);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 18 + 8 * (PROTO_MAX_RUNS + 1), &out), -1);
	le_put_u16(buffer, 0xFFFF);
	cr_expect_eq(msg_invoke_reply_decode(buffer, sizeof buffer, &out), -1);
	le_put_u16(buffer, PROTO_MAX_RUNS);
	cr_expect_eq(msg_invoke_reply_decode(buffer, 18 + 8 * PROTO_MAX_RUNS, &out), 0);
}

Test(messages, error_round_trip_and_rejects)
{
	struct msg_error_reply in = {MSG_ERROR_TOO_MANY_RUNS, MSG_INVOKE};
	struct msg_error_reply out = {0, 0};
	uint8_t buffer[4] = {0xEE, 0xEE, 0xEE, 0xEE};

	cr_assert_eq(msg_error_encode(&in, buffer, sizeof buffer), 3u);
	cr_expect_arr_eq(buffer, ((const uint8_t[]){0x06, 0x00, 0x03, 0xEE}), 4);
	cr_assert_eq(msg_error_decode(buffer, 3, &out), 0);
	cr_expect_eq(out.code, MSG_ERROR_TOO_MANY_RUNS);
	cr_expect_eq(out.request_type, MSG_INVOKE);

	cr_expect_eq(msg_error_encode(&in, buffer, 2), 0u);
	cr_expect_eq(msg_error_decode(buffer, 2, &out), -1);
	cr_expect_eq(msg_error_decode(buffer, 4, &out), -1);
	cr_expect_eq(msg_error_decode(buffer, 0, &out), -1);

	const uint8_t wide[3] = {0x34, 0x12, 0xFF};
	cr_assert_eq(msg_error_decode(wide, 3, &out), 0);
	cr_expect_eq(out.code, 0x1234);
	cr_expect_eq(out.request_type, 0xFF);
}

Test(messages, little_endian_helpers)
{
	uint8_t bytes[4];

	le_put_u16(bytes, 0xBEEF);
	cr_expect_eq(bytes[0], 0xEF);
	cr_expect_eq(bytes[1], 0xBE);
	cr_expect_eq(le_get_u16(bytes), 0xBEEF);
	le_put_u32(bytes, 0xFEEDF00Du);
	cr_expect_arr_eq(bytes, ((const uint8_t[]){0x0D, 0xF0, 0xED, 0xFE}), 4);
	cr_expect_eq(le_get_u32(bytes), 0xFEEDF00Du);
}

Test(messages, type_names)
{
	cr_expect_str_eq(msg_type_name(MSG_HELLO), "HELLO");
	cr_expect_str_eq(msg_type_name(MSG_INPUT_WRITE), "INPUT_WRITE");
	cr_expect_str_eq(msg_type_name(MSG_INVOKE), "INVOKE");
	cr_expect_str_eq(msg_type_name(MSG_OUTPUT_READ), "OUTPUT_READ");
	cr_expect_str_eq(msg_type_name(MSG_EXIT), "EXIT");
	cr_expect_str_eq(msg_type_name(MSG_DEBUG_HANG), "DEBUG_HANG");
	cr_expect_str_eq(msg_type_name(MSG_HELLO_REPLY), "HELLO_REPLY");
	cr_expect_str_eq(msg_type_name(MSG_INPUT_ACK), "INPUT_ACK");
	cr_expect_str_eq(msg_type_name(MSG_INVOKE_REPLY), "INVOKE_REPLY");
	cr_expect_str_eq(msg_type_name(MSG_OUTPUT_DATA), "OUTPUT_DATA");
	cr_expect_str_eq(msg_type_name(MSG_EXIT_REPLY), "EXIT_REPLY");
	cr_expect_str_eq(msg_type_name(MSG_ERROR), "ERROR");
	cr_expect_str_eq(msg_type_name(0x00), "unknown");
	cr_expect_str_eq(msg_type_name(MSG_LAYERS_READ), "LAYERS_READ");
	cr_expect_str_eq(msg_type_name(MSG_LAYERS_DATA), "LAYERS_DATA");
	cr_expect_str_eq(msg_type_name(0x07), "unknown");
	cr_expect_str_eq(msg_type_name(MSG_REPLY_FLAG), "unknown");
	cr_expect_str_eq(msg_type_name(0xFE), "unknown");
}

Test(messages, error_names)
{
	cr_expect_str_eq(msg_error_name(MSG_ERROR_BAD_FRAME), "damaged frame");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_UNKNOWN_TYPE), "unknown message type");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_BAD_LENGTH), "bad payload length");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_OUT_OF_RANGE), "offset or length out of range");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_BAD_VERSION), "protocol version mismatch");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_TOO_MANY_RUNS), "too many runs in one request");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_NO_MODEL), "no valid model image");
	cr_expect_str_eq(msg_error_name(0), "unknown error");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_MODEL_CORRUPT),
			 "model image damaged since boot (CRC mismatch)");
	cr_expect_str_eq(msg_error_name(MSG_ERROR_STACK_OVERRUN), "stack overrun during the runs");
	cr_expect_eq(MSG_ERROR_MODEL_CORRUPT, 8);
	cr_expect_eq(MSG_ERROR_STACK_OVERRUN, 9);
	cr_expect_eq(MSG_ERROR_READ_ONLY, 10);
	cr_expect_str_eq(msg_error_name(MSG_ERROR_READ_ONLY),
			 "the model region is flash, the firmware does not write it");
	cr_expect_eq(MSG_DEBUG_CORRUPT | MSG_REPLY_FLAG, MSG_DEBUG_CORRUPT_REPLY);
	cr_expect_str_eq(msg_error_name(11), "unknown error");
	cr_expect_str_eq(msg_error_name(0xFFFF), "unknown error");
}

Test(messages, replies_fit_one_frame)
{
	cr_expect_leq(MESSAGES_TEST_HELLO_LENGTH, FRAME_MAX_PAYLOAD);
	cr_expect_leq(14u + 8u * PROTO_MAX_RUNS, FRAME_MAX_PAYLOAD);
	/* Every reply type is its request type with the reply flag set. */
	cr_expect_eq(MSG_HELLO | MSG_REPLY_FLAG, MSG_HELLO_REPLY);
	cr_expect_eq(MSG_INVOKE | MSG_REPLY_FLAG, MSG_INVOKE_REPLY);
	cr_expect_eq(MSG_INPUT_WRITE | MSG_REPLY_FLAG, MSG_INPUT_ACK);
	cr_expect_eq(MSG_OUTPUT_READ | MSG_REPLY_FLAG, MSG_OUTPUT_DATA);
	cr_expect_eq(MSG_EXIT | MSG_REPLY_FLAG, MSG_EXIT_REPLY);
	cr_expect_eq(MSG_LAYERS_READ | MSG_REPLY_FLAG, MSG_LAYERS_DATA);
	cr_expect_leq(12u + 6u * PROTO_LAYERS_PER_REPLY, FRAME_MAX_PAYLOAD);
}

static void messages_test_layers(struct msg_layers_reply *m, uint16_t entries)
{
	memset(m, 0, sizeof *m);
	m->op_count = 70;
	m->max_ops = 128;
	m->first = 3;
	m->entries = entries;
	m->read_cost_ticks = 0x01020304u;
	for (uint16_t i = 0; i < entries; i++) {
		m->layers[i].ticks = 0xA0B0C000u + i;
		m->layers[i].kind = (uint8_t)(1 + i % 17);
		m->layers[i].path = (uint8_t)(i % 4);
	}
}

Test(messages, layers_reply_layout)
{
	struct msg_layers_reply m;
	uint8_t out[FRAME_MAX_PAYLOAD];

	messages_test_layers(&m, 2);
	memset(out, 0xEE, sizeof out);
	cr_assert_eq(msg_layers_reply_encode(&m, out, sizeof out), 12u + 2u * 6u);
	cr_expect_arr_eq(out, ((const uint8_t[]){70, 0, 128, 0, 3, 0, 2, 0, 4, 3, 2, 1}), 12);
	cr_expect_arr_eq(out + 12, ((const uint8_t[]){0x00, 0xC0, 0xB0, 0xA0, 1, 0}), 6);
	cr_expect_arr_eq(out + 18, ((const uint8_t[]){0x01, 0xC0, 0xB0, 0xA0, 2, 1}), 6);
	cr_expect_eq(out[24], 0xEE, "wrote past the payload");
}

Test(messages, layers_reply_round_trips)
{
	static const uint16_t counts[] = {0, 1, 7, PROTO_LAYERS_PER_REPLY};
	uint8_t buffer[FRAME_MAX_PAYLOAD];

	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		struct msg_layers_reply in, out;
		size_t length;
		messages_test_layers(&in, counts[c]);
		length = msg_layers_reply_encode(&in, buffer, sizeof buffer);
		cr_assert_eq(length, 12u + 6u * counts[c]);
		memset(&out, 0x5A, sizeof out);
		cr_assert_eq(msg_layers_reply_decode(buffer, length, &out), 0);
		cr_expect_eq(out.op_count, in.op_count);
		cr_expect_eq(out.max_ops, in.max_ops);
		cr_expect_eq(out.first, in.first);
		cr_expect_eq(out.entries, in.entries);
		cr_expect_eq(out.read_cost_ticks, in.read_cost_ticks);
		for (uint16_t i = 0; i < counts[c]; i++) {
			cr_expect_eq(out.layers[i].ticks, in.layers[i].ticks);
			cr_expect_eq(out.layers[i].kind, in.layers[i].kind);
			cr_expect_eq(out.layers[i].path, in.layers[i].path);
		}
	}
}

Test(messages, layers_reply_refuses_and_rejects)
{
	struct msg_layers_reply m, out;
	uint8_t buffer[FRAME_MAX_PAYLOAD];
	size_t length;

	/* More entries than a reply holds, or past the profile's ops. */
	messages_test_layers(&m, 2);
	m.entries = PROTO_LAYERS_PER_REPLY + 1;
	cr_expect_eq(msg_layers_reply_encode(&m, buffer, sizeof buffer), 0);
	messages_test_layers(&m, 2);
	m.first = 69;
	cr_expect_eq(msg_layers_reply_encode(&m, buffer, sizeof buffer), 0);
	messages_test_layers(&m, 2);
	cr_expect_eq(msg_layers_reply_encode(&m, buffer, 23), 0, "capacity one short");

	messages_test_layers(&m, 2);
	length = msg_layers_reply_encode(&m, buffer, sizeof buffer);
	cr_assert_eq(length, 24u);
	cr_expect_eq(msg_layers_reply_decode(buffer, 11, &out), -1, "shorter than the head");
	cr_expect_eq(msg_layers_reply_decode(buffer, length - 1, &out), -1, "an entry cut short");
	cr_expect_eq(msg_layers_reply_decode(buffer, length + 6, &out), -1, "an entry too many");
	buffer[4] = 69; /* first: 69 + 2 entries > 70 ops */
	cr_expect_eq(msg_layers_reply_decode(buffer, length, &out), -1);
	buffer[4] = 3;
	buffer[0] = 0; /* no ops profiled, yet entries */
	buffer[1] = 0;
	cr_expect_eq(msg_layers_reply_decode(buffer, length, &out), -1);
}

Test(messages, kernel_path_names)
{
	cr_expect_str_eq(msg_kernel_path_name(MSG_KERNEL_PATH_PORTABLE), "portable");
	cr_expect_str_eq(msg_kernel_path_name(MSG_KERNEL_PATH_FAST), "fast");
	cr_expect_str_eq(msg_kernel_path_name(MSG_KERNEL_PATH_FAST_DSP), "fast-dsp");
	cr_expect_str_eq(msg_kernel_path_name(MSG_KERNEL_PATH_FAST_MVE), "fast-mve");
	cr_expect_null(msg_kernel_path_name(MSG_KERNEL_PATH_UNKNOWN));
	cr_expect_null(msg_kernel_path_name(5));
}
