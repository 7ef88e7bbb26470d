#include "protocol_handler.h"

#include <stddef.h>
#include <string.h>

#include "harness.h"
#include "build_info.h"
#include "crc32.h"
#include "frame.h"
#include "messages.h"
#include "port.h"
#include "model_runner.h"
#include "layer_profile.h"
#include "stack_paint.h"

/* Bytes of the request header in front of written or read data. */
#define WRITE_HEADER_SIZE 4u /* u32 offset */
#define READ_REQUEST_SIZE 6u /* u32 offset, u16 length */

/* Everything large is static: the stack high-water mark then measures the
 * handler and the model, not buffers that happen to live on the stack. */
static HARNESS_BSS struct frame_decoder decoder;
static HARNESS_BSS struct frame request;
static HARNESS_BSS struct frame reply;
static HARNESS_BSS struct msg_invoke_reply invoke_reply;

/* The last reply as sent, and what identifies the request it answered. A
 * retry is the same request again: same sequence number, type and payload. */
static HARNESS_BSS uint8_t last_reply_bytes[FRAME_MAX_ENCODED];
static HARNESS_BSS size_t last_reply_length;
static HARNESS_BSS struct {
	int valid;
	uint16_t seq;
	uint8_t type;
	uint16_t length;
	uint32_t payload_crc;
} last_request;

void protocol_init(void)
{
	model_runner_init();
	frame_decoder_init(&decoder);
	last_request.valid = 0;
}

void protocol_announce_boot(void)
{
	static HARNESS_BSS struct frame boot_frame;
	static HARNESS_BSS uint8_t boot_bytes[48];
	const struct msg_boot boot = {.protocol_version = PROTO_VERSION,
				      .build_id = build_id(),
				      .reset_cause = port_reset_cause()};

	boot_frame.seq = MSG_BOOT_SEQ;
	boot_frame.type = MSG_BOOT;
	boot_frame.length =
	    (uint16_t)msg_boot_encode(&boot, boot_frame.payload, sizeof boot_frame.payload);
	port_uart_write(boot_bytes, frame_encode(&boot_frame, boot_bytes, sizeof boot_bytes));
}

static void reply_error(uint16_t code)
{
	struct msg_error_reply error = {.code = code, .request_type = request.type};

	reply.type = MSG_ERROR;
	reply.length = (uint16_t)msg_error_encode(&error, reply.payload, sizeof reply.payload);
}

static void copy_name(char *field, const char *name)
{
	size_t length = strlen(name);

	if (length > PROTO_NAME_LENGTH - 1)
		length = PROTO_NAME_LENGTH - 1;
	memset(field, 0, PROTO_NAME_LENGTH);
	memcpy(field, name, length);
}

static void handle_hello(void)
{
	struct msg_hello_reply hello;
	const struct model_image_header *model = model_runner_header();

	if (request.length != 2) {
		reply_error(MSG_ERROR_BAD_LENGTH);
		return;
	}
	if (le_get_u16(request.payload) != PROTO_VERSION) {
		reply_error(MSG_ERROR_BAD_VERSION);
		return;
	}
	memset(&hello, 0, sizeof hello);
	hello.protocol_version = PROTO_VERSION;
	hello.max_payload = FRAME_MAX_PAYLOAD;
	hello.build_id = build_id();
	hello.clock_hz = port_clock_hz();
	hello.counter_kind = port_counter_kind();
	hello.counter_scale_q16 = port_counter_scale_q16();
	hello.input_capacity = model_runner_input_length();
	hello.arena_capacity = model_runner_arena_capacity();
	hello.model_input_length = model_runner_input_length();
	hello.model_output_length = model_runner_output_length();
	hello.stack_size = stack_size();
	hello.model_status = (uint8_t)model_runner_status();
	hello.model_region_origin = model_runner_region_origin();
	hello.model_region_size = model_runner_region_size();
	if (model) {
		hello.model_crc32 = model->crc32;
		hello.model_arena_size = model->arena_size;
		hello.model_macs = model->macs_low;
		hello.model_macs_high = model->macs_high;
	}
	copy_name(hello.port, port_name());
	copy_name(hello.core, build_core());
	hello.rx_window = port_uart_rx_window();
	reply.type = MSG_HELLO_REPLY;
	reply.length =
	    (uint16_t)msg_hello_reply_encode(&hello, reply.payload, sizeof reply.payload);
}

static void handle_input_write(void)
{
	uint32_t offset;
	uint32_t length;

	if (request.length < WRITE_HEADER_SIZE) {
		reply_error(MSG_ERROR_BAD_LENGTH);
		return;
	}
	offset = le_get_u32(request.payload);
	length = request.length - WRITE_HEADER_SIZE;
	if (!model_runner_header()) {
		reply_error(MSG_ERROR_NO_MODEL);
		return;
	}
	if (offset > model_runner_input_length() || length > model_runner_input_length() - offset) {
		reply_error(MSG_ERROR_OUT_OF_RANGE);
		return;
	}
	memcpy(model_runner_input() + offset, request.payload + WRITE_HEADER_SIZE, length);
	reply.type = MSG_INPUT_ACK;
	le_put_u32(reply.payload, offset);
	le_put_u16(reply.payload + 4, (uint16_t)length);
	reply.length = 6;
}

static void handle_invoke(void)
{
	uint16_t runs;
	uint16_t warmups;
	uintptr_t call_point;
	/* Protocol 5: an optional flags byte; reserved bits must be clear. */
	const uint8_t flags = request.length == 5 ? request.payload[4] : 0;

	if ((request.length != 4 && request.length != 5) ||
	    (flags & ~MSG_INVOKE_PROFILE_LAYERS) != 0) {
		reply_error(MSG_ERROR_BAD_LENGTH);
		return;
	}
	runs = le_get_u16(request.payload);
	warmups = le_get_u16(request.payload + 2);
	if (runs == 0 || runs > PROTO_MAX_RUNS) {
		reply_error(MSG_ERROR_TOO_MANY_RUNS);
		return;
	}
	if (!model_runner_header()) {
		reply_error(MSG_ERROR_NO_MODEL);
		return;
	}
	/* Not only at boot: a board runs for days and flash can change. */
	if (!model_runner_image_intact()) {
		reply_error(MSG_ERROR_MODEL_CORRUPT);
		return;
	}
	model_runner_paint_arena();
	/* From here down the stack is the model's: the runs' depth below this
	 * point is the stack a deployment of the model needs. */
	call_point = stack_repaint_here();
	/* Warm-ups settle caches and flash prefetch on real parts; untimed. */
	for (uint16_t i = 0; i < warmups; i++)
		(void)model_runner_invoke();
	/* The window pin marks timed runs for a meter: profiled ones are not. */
	if (!(flags & MSG_INVOKE_PROFILE_LAYERS))
		port_window_marker(1);
	for (uint16_t i = 0; i < runs; i++)
		invoke_reply.ticks[i] = (flags & MSG_INVOKE_PROFILE_LAYERS)
					    ? model_runner_invoke_profiled()
					    : model_runner_invoke();
	port_window_marker(0);
	/* An overrun is reported as one: what lies below the stack may be
	 * damaged, so no result of these runs is sent. */
	if (!stack_guard_intact()) {
		reply_error(MSG_ERROR_STACK_OVERRUN);
		return;
	}
	invoke_reply.inference_stack = stack_depth_below(call_point);
	invoke_reply.runs = runs;
	invoke_reply.output_length = model_runner_output_length();
	invoke_reply.arena_used = model_runner_arena_used();
	invoke_reply.stack_high_water = stack_high_water();
	reply.type = MSG_INVOKE_REPLY;
	reply.length =
	    (uint16_t)msg_invoke_reply_encode(&invoke_reply, reply.payload, sizeof reply.payload);
}

static void handle_output_read(void)
{
	uint32_t offset;
	uint32_t length;

	if (request.length != READ_REQUEST_SIZE) {
		reply_error(MSG_ERROR_BAD_LENGTH);
		return;
	}
	offset = le_get_u32(request.payload);
	length = le_get_u16(request.payload + 4);
	if (!model_runner_header()) {
		reply_error(MSG_ERROR_NO_MODEL);
		return;
	}
	if (length > FRAME_MAX_PAYLOAD - WRITE_HEADER_SIZE ||
	    offset > model_runner_output_length() ||
	    length > model_runner_output_length() - offset) {
		reply_error(MSG_ERROR_OUT_OF_RANGE);
		return;
	}
	reply.type = MSG_OUTPUT_DATA;
	le_put_u32(reply.payload, offset);
	memcpy(reply.payload + WRITE_HEADER_SIZE, model_runner_output() + offset, length);
	reply.length = (uint16_t)(WRITE_HEADER_SIZE + length);
}

/* The per-op ticks of the last profiled INVOKE, from a given op on. */
static void handle_layers_read(void)
{
	static HARNESS_BSS struct msg_layers_reply layers;
	const struct model_image_header *model = model_runner_header();
	uint32_t first;

	if (request.length != 2) {
		reply_error(MSG_ERROR_BAD_LENGTH);
		return;
	}
	if (!model) {
		reply_error(MSG_ERROR_NO_MODEL);
		return;
	}
	/* The op kinds come from the image's op table. */
	if (!model_runner_image_intact()) {
		reply_error(MSG_ERROR_MODEL_CORRUPT);
		return;
	}
	first = le_get_u16(request.payload);
	if (first > layer_profile_op_count()) {
		reply_error(MSG_ERROR_OUT_OF_RANGE);
		return;
	}
	layers.op_count = (uint16_t)layer_profile_op_count();
	layers.max_ops = LAYER_PROFILE_MAX_OPS;
	layers.first = (uint16_t)first;
	layers.entries =
	    (uint16_t)(layers.op_count - first < PROTO_LAYERS_PER_REPLY ? layers.op_count - first
									: PROTO_LAYERS_PER_REPLY);
	layers.read_cost_ticks = layer_profile_read_cost();
	for (uint32_t i = 0; i < layers.entries; i++) {
		const uint32_t kind = model_ops(model)[first + i].kind;
		layers.layers[i].ticks = layer_profile_ticks(first + i);
		layers.layers[i].kind = (uint8_t)kind;
		layers.layers[i].path = layer_profile_path(kind);
	}
	reply.type = MSG_LAYERS_DATA;
	reply.length =
	    (uint16_t)msg_layers_reply_encode(&layers, reply.payload, sizeof reply.payload);
}

/* MSG_DEBUG_CORRUPT: one byte of the image's body changed, as a flash bit
 * flip or a half-finished programming would leave it, so the next INVOKE
 * finds the CRC broken (tests the host's recovery). Only where the port
 * says the region is RAM (QEMU's MPS2 machines): real flash is not written
 * without its controller's erase and program sequence. An image already
 * damaged is left alone, so a second request never undoes the first. */
static void handle_debug_corrupt(void)
{
	const struct model_image_header *model = model_runner_header();
	uint32_t offset;

	if (request.length != 0) {
		reply_error(MSG_ERROR_BAD_LENGTH);
		return;
	}
	if (!model) {
		reply_error(MSG_ERROR_NO_MODEL);
		return;
	}
	if (!port_model_region_writable()) {
		reply_error(MSG_ERROR_READ_ONLY);
		return;
	}
	/* Intact: the header is the one checked at boot, its sizes hold. */
	if (!model_runner_image_intact() || model->image_size <= model->header_size) {
		reply_error(MSG_ERROR_MODEL_CORRUPT);
		return;
	}
	offset = model->header_size + (model->image_size - model->header_size) / 2u;
	((volatile uint8_t *)(uintptr_t)model)[offset] ^= 0xFFu;
	reply.type = MSG_DEBUG_CORRUPT_REPLY;
	le_put_u32(reply.payload, offset);
	reply.length = 4;
}

static void send_last_reply(void)
{
	port_uart_write(last_reply_bytes, last_reply_length);
}

/* Runs the request in `request` and leaves its reply in `reply`. Returns
 * 1 when the target must stop after sending it (MSG_EXIT). */
static int execute_request(void)
{
	reply.seq = request.seq;
	reply.length = 0;
	switch (request.type) {
	case MSG_HELLO: handle_hello(); return 0;
	case MSG_INPUT_WRITE: handle_input_write(); return 0;
	case MSG_INVOKE: handle_invoke(); return 0;
	case MSG_OUTPUT_READ: handle_output_read(); return 0;
	case MSG_LAYERS_READ: handle_layers_read(); return 0;
	case MSG_DEBUG_CORRUPT: handle_debug_corrupt(); return 0;
	case MSG_EXIT:
		if (request.length != 1) {
			reply_error(MSG_ERROR_BAD_LENGTH);
			return 0;
		}
		reply.type = MSG_EXIT_REPLY;
		return 1;
	case MSG_DEBUG_HANG:
		/* Deliberately silent so the host's timeout paths can be tested. */
		for (;;) {
		}
	case MSG_DEBUG_RESET:
		/* Unanswered, as a watchdog reset would be: the host sees MSG_BOOT. */
		port_reset();
	default: reply_error(MSG_ERROR_UNKNOWN_TYPE); return 0;
	}
}

static int is_retry(uint32_t payload_crc)
{
	return last_request.valid && last_request.seq == request.seq &&
	       last_request.type == request.type && last_request.length == request.length &&
	       last_request.payload_crc == payload_crc;
}

static void answer_request(void)
{
	uint32_t payload_crc = crc32_compute(request.payload, request.length);
	int stop;

	if (is_retry(payload_crc)) {
		send_last_reply();
		return;
	}
	stop = execute_request();
	last_reply_length = frame_encode(&reply, last_reply_bytes, sizeof last_reply_bytes);
	last_request.valid = 1;
	last_request.seq = request.seq;
	last_request.type = request.type;
	last_request.length = request.length;
	last_request.payload_crc = payload_crc;
	send_last_reply();
	if (stop)
		port_exit(request.payload[0]);
}

/* A damaged frame has no trustworthy sequence number, so the error goes to
 * 0xFFFF; the cached reply stays, so a retry of the previous request is
 * still answered from it. */
static void answer_damaged_frame(void)
{
	static HARNESS_BSS struct frame error_frame;
	static HARNESS_BSS uint8_t error_bytes[32];
	struct msg_error_reply error = {.code = MSG_ERROR_BAD_FRAME, .request_type = 0};
	size_t length;

	error_frame.seq = 0xFFFF;
	error_frame.type = MSG_ERROR;
	error_frame.length =
	    (uint16_t)msg_error_encode(&error, error_frame.payload, sizeof error_frame.payload);
	length = frame_encode(&error_frame, error_bytes, sizeof error_bytes);
	port_uart_write(error_bytes, length);
}

void protocol_receive_byte(uint8_t byte)
{
	enum frame_result result = frame_decoder_push(&decoder, byte, &request);

	if (result == FRAME_READY)
		answer_request();
	else if (result != FRAME_PENDING)
		answer_damaged_frame();
}
