#include "messages.h"

#include <string.h>

/* Fixed part of MSG_HELLO_REPLY before the two names, and its length:
 * rx_window (protocol version 3) follows the names, so earlier offsets stay. */
#define HELLO_FIXED  62u
#define HELLO_LENGTH (HELLO_FIXED + 2u * PROTO_NAME_LENGTH + 4u)
/* inference_stack (protocol version 4) sits before the ticks. */
#define INVOKE_FIXED 18u
/* MSG_LAYERS_DATA (protocol version 5): a 12-byte head, 6 bytes per op. */
#define LAYERS_FIXED 12u
#define LAYERS_ENTRY 6u

size_t msg_hello_reply_encode(const struct msg_hello_reply *m, uint8_t *out, size_t capacity)
{
	if (capacity < HELLO_LENGTH)
		return 0;
	le_put_u16(out + 0, m->protocol_version);
	le_put_u16(out + 2, m->max_payload);
	le_put_u32(out + 4, m->build_id);
	le_put_u32(out + 8, m->clock_hz);
	out[12] = m->counter_kind;
	le_put_u32(out + 13, m->counter_scale_q16);
	le_put_u32(out + 17, m->input_capacity);
	le_put_u32(out + 21, m->arena_capacity);
	le_put_u32(out + 25, m->model_input_length);
	le_put_u32(out + 29, m->model_output_length);
	le_put_u32(out + 33, m->model_macs);
	le_put_u32(out + 37, m->stack_size);
	out[41] = m->model_status;
	le_put_u32(out + 42, m->model_crc32);
	le_put_u32(out + 46, m->model_arena_size);
	le_put_u32(out + 50, m->model_region_origin);
	le_put_u32(out + 54, m->model_region_size);
	le_put_u32(out + 58, m->model_macs_high);
	memcpy(out + HELLO_FIXED, m->port, PROTO_NAME_LENGTH);
	memcpy(out + HELLO_FIXED + PROTO_NAME_LENGTH, m->core, PROTO_NAME_LENGTH);
	le_put_u32(out + HELLO_FIXED + 2 * PROTO_NAME_LENGTH, m->rx_window);
	return HELLO_LENGTH;
}

int msg_hello_reply_decode(const uint8_t *in, size_t length, struct msg_hello_reply *m)
{
	if (length != HELLO_LENGTH)
		return -1;
	m->protocol_version = le_get_u16(in + 0);
	m->max_payload = le_get_u16(in + 2);
	m->build_id = le_get_u32(in + 4);
	m->clock_hz = le_get_u32(in + 8);
	m->counter_kind = in[12];
	m->counter_scale_q16 = le_get_u32(in + 13);
	m->input_capacity = le_get_u32(in + 17);
	m->arena_capacity = le_get_u32(in + 21);
	m->model_input_length = le_get_u32(in + 25);
	m->model_output_length = le_get_u32(in + 29);
	m->model_macs = le_get_u32(in + 33);
	m->stack_size = le_get_u32(in + 37);
	m->model_status = in[41];
	m->model_crc32 = le_get_u32(in + 42);
	m->model_arena_size = le_get_u32(in + 46);
	m->model_region_origin = le_get_u32(in + 50);
	m->model_region_size = le_get_u32(in + 54);
	m->model_macs_high = le_get_u32(in + 58);
	memcpy(m->port, in + HELLO_FIXED, PROTO_NAME_LENGTH);
	memcpy(m->core, in + HELLO_FIXED + PROTO_NAME_LENGTH, PROTO_NAME_LENGTH);
	m->rx_window = le_get_u32(in + HELLO_FIXED + 2 * PROTO_NAME_LENGTH);
	/* Names are untrusted bytes: force termination. */
	m->port[PROTO_NAME_LENGTH - 1] = '\0';
	m->core[PROTO_NAME_LENGTH - 1] = '\0';
	return 0;
}

size_t msg_invoke_reply_encode(const struct msg_invoke_reply *m, uint8_t *out, size_t capacity)
{
	size_t length = INVOKE_FIXED + 8u * m->runs;
	if (m->runs > PROTO_MAX_RUNS || capacity < length)
		return 0;
	le_put_u16(out + 0, m->runs);
	le_put_u32(out + 2, m->stack_high_water);
	le_put_u32(out + 6, m->output_length);
	le_put_u32(out + 10, m->arena_used);
	le_put_u32(out + 14, m->inference_stack);
	for (uint16_t i = 0; i < m->runs; i++) {
		le_put_u32(out + INVOKE_FIXED + 8u * i, (uint32_t)m->ticks[i]);
		le_put_u32(out + INVOKE_FIXED + 8u * i + 4, (uint32_t)(m->ticks[i] >> 32));
	}
	return length;
}

int msg_invoke_reply_decode(const uint8_t *in, size_t length, struct msg_invoke_reply *m)
{
	if (length < INVOKE_FIXED)
		return -1;
	m->runs = le_get_u16(in);
	if (m->runs > PROTO_MAX_RUNS || length != INVOKE_FIXED + 8u * m->runs)
		return -1;
	m->stack_high_water = le_get_u32(in + 2);
	m->output_length = le_get_u32(in + 6);
	m->arena_used = le_get_u32(in + 10);
	m->inference_stack = le_get_u32(in + 14);
	for (uint16_t i = 0; i < m->runs; i++) {
		const uint8_t *p = in + INVOKE_FIXED + 8u * i;
		m->ticks[i] = (uint64_t)le_get_u32(p) | (uint64_t)le_get_u32(p + 4) << 32;
	}
	return 0;
}

size_t msg_error_encode(const struct msg_error_reply *m, uint8_t *out, size_t capacity)
{
	if (capacity < 3)
		return 0;
	le_put_u16(out, m->code);
	out[2] = m->request_type;
	return 3;
}

int msg_error_decode(const uint8_t *in, size_t length, struct msg_error_reply *m)
{
	if (length != 3)
		return -1;
	m->code = le_get_u16(in);
	m->request_type = in[2];
	return 0;
}

static int layers_reply_valid(const struct msg_layers_reply *m)
{
	return m->entries <= PROTO_LAYERS_PER_REPLY &&
	       (uint32_t)m->first + m->entries <= m->op_count;
}

size_t msg_layers_reply_encode(const struct msg_layers_reply *m, uint8_t *out, size_t capacity)
{
	size_t length = LAYERS_FIXED + LAYERS_ENTRY * (size_t)m->entries;

	if (!layers_reply_valid(m) || capacity < length)
		return 0;
	le_put_u16(out + 0, m->op_count);
	le_put_u16(out + 2, m->max_ops);
	le_put_u16(out + 4, m->first);
	le_put_u16(out + 6, m->entries);
	le_put_u32(out + 8, m->read_cost_ticks);
	for (uint16_t i = 0; i < m->entries; i++) {
		uint8_t *p = out + LAYERS_FIXED + LAYERS_ENTRY * i;
		le_put_u32(p, m->layers[i].ticks);
		p[4] = m->layers[i].kind;
		p[5] = m->layers[i].path;
	}
	return length;
}

int msg_layers_reply_decode(const uint8_t *in, size_t length, struct msg_layers_reply *m)
{
	if (length < LAYERS_FIXED)
		return -1;
	m->op_count = le_get_u16(in + 0);
	m->max_ops = le_get_u16(in + 2);
	m->first = le_get_u16(in + 4);
	m->entries = le_get_u16(in + 6);
	m->read_cost_ticks = le_get_u32(in + 8);
	if (!layers_reply_valid(m) || length != LAYERS_FIXED + LAYERS_ENTRY * (size_t)m->entries)
		return -1;
	for (uint16_t i = 0; i < m->entries; i++) {
		const uint8_t *p = in + LAYERS_FIXED + LAYERS_ENTRY * i;
		m->layers[i].ticks = le_get_u32(p);
		m->layers[i].kind = p[4];
		m->layers[i].path = p[5];
	}
	return 0;
}

const char *msg_kernel_path_name(uint8_t path)
{
	switch (path) {
	case MSG_KERNEL_PATH_PORTABLE: return "portable";
	case MSG_KERNEL_PATH_FAST: return "fast";
	case MSG_KERNEL_PATH_FAST_DSP: return "fast-dsp";
	case MSG_KERNEL_PATH_FAST_MVE: return "fast-mve";
	default: return NULL;
	}
}

size_t msg_boot_encode(const struct msg_boot *m, uint8_t *out, size_t capacity)
{
	if (capacity < MSG_BOOT_SIZE)
		return 0;
	le_put_u16(out, m->protocol_version);
	le_put_u32(out + 2, m->build_id);
	out[6] = m->reset_cause;
	return MSG_BOOT_SIZE;
}

int msg_boot_decode(const uint8_t *in, size_t length, struct msg_boot *m)
{
	if (length != MSG_BOOT_SIZE)
		return -1;
	m->protocol_version = le_get_u16(in);
	m->build_id = le_get_u32(in + 2);
	m->reset_cause = in[6];
	return 0;
}

const char *msg_reset_cause_name(uint8_t cause)
{
	switch (cause) {
	case MSG_RESET_CAUSE_POWER_ON: return "power-on";
	case MSG_RESET_CAUSE_SOFTWARE: return "software";
	case MSG_RESET_CAUSE_WATCHDOG: return "watchdog";
	case MSG_RESET_CAUSE_BROWN_OUT: return "brown-out";
	case MSG_RESET_CAUSE_PIN: return "reset pin";
	default: return "unknown";
	}
}

const char *msg_type_name(uint8_t type)
{
	switch (type) {
	case MSG_HELLO: return "HELLO";
	case MSG_INPUT_WRITE: return "INPUT_WRITE";
	case MSG_INVOKE: return "INVOKE";
	case MSG_OUTPUT_READ: return "OUTPUT_READ";
	case MSG_EXIT: return "EXIT";
	case MSG_LAYERS_READ: return "LAYERS_READ";
	case MSG_DEBUG_HANG: return "DEBUG_HANG";
	case MSG_DEBUG_CORRUPT: return "DEBUG_CORRUPT";
	case MSG_DEBUG_RESET: return "DEBUG_RESET";
	case MSG_BOOT: return "BOOT";
	case MSG_HELLO_REPLY: return "HELLO_REPLY";
	case MSG_INPUT_ACK: return "INPUT_ACK";
	case MSG_INVOKE_REPLY: return "INVOKE_REPLY";
	case MSG_OUTPUT_DATA: return "OUTPUT_DATA";
	case MSG_EXIT_REPLY: return "EXIT_REPLY";
	case MSG_LAYERS_DATA: return "LAYERS_DATA";
	case MSG_DEBUG_CORRUPT_REPLY: return "DEBUG_CORRUPT_REPLY";
	case MSG_ERROR: return "ERROR";
	default: return "unknown";
	}
}

const char *msg_error_name(uint16_t code)
{
	switch (code) {
	case MSG_ERROR_BAD_FRAME: return "damaged frame";
	case MSG_ERROR_UNKNOWN_TYPE: return "unknown message type";
	case MSG_ERROR_BAD_LENGTH: return "bad payload length";
	case MSG_ERROR_OUT_OF_RANGE: return "offset or length out of range";
	case MSG_ERROR_BAD_VERSION: return "protocol version mismatch";
	case MSG_ERROR_TOO_MANY_RUNS: return "too many runs in one request";
	case MSG_ERROR_NO_MODEL: return "no valid model image";
	case MSG_ERROR_MODEL_CORRUPT: return "model image damaged since boot (CRC mismatch)";
	case MSG_ERROR_STACK_OVERRUN: return "stack overrun during the runs";
	case MSG_ERROR_READ_ONLY:
		return "the model region is flash, the firmware does not write it";
	default: return "unknown error";
	}
}
