/* clang-format off */ // FUZZ_DEPS: tests/fuzz/fw_host_port.c tests/fuzz/fw_host_model.c target-fw/core/protocol_handler.c target-fw/core/model_runner.c target-fw/core/layer_profile.c target-fw/core/stack_paint.c target-fw/proto/frame.c target-fw/proto/cobs.c target-fw/proto/crc32.c target-fw/proto/messages.c target-fw/nn/model_image.c target-fw/nn/model_op_check.c target-fw/nn/nn_add_f32.c target-fw/nn/nn_add_s8.c target-fw/nn/nn_avg_pool2d_f32.c target-fw/nn/nn_avg_pool2d_s8.c target-fw/nn/nn_conv2d_f32.c target-fw/nn/nn_conv2d_s8.c target-fw/nn/nn_depthwise_conv2d_f32.c target-fw/nn/nn_depthwise_conv2d_s8.c target-fw/nn/nn_dequantize_s8_f32.c target-fw/nn/nn_fully_connected_f32.c target-fw/nn/nn_fully_connected_s8.c target-fw/nn/nn_max_pool2d_f32.c target-fw/nn/nn_max_pool2d_s8.c target-fw/nn/nn_quantize_f32_s8.c target-fw/nn/nn_softmax_f32.c target-fw/nn/nn_softmax_s8.c -Itests/fuzz -DNN_FAST_KERNELS=1
// clang-format on
/*
 * The firmware's framed protocol handler (target-fw/core/protocol_handler.c)
 * on the host, fed arbitrary bytes as its UART would deliver them. It must
 * never read or write out of bounds (ASan), and its answers must be what
 * docs/protocol.md promises: nothing until a frame ends, then exactly one
 * well-formed frame, with the request's sequence number and the matching
 * reply type or MSG_ERROR with a known code naming the request; a damaged
 * frame gets MSG_ERROR_BAD_FRAME at seq 0xFFFF; a request repeated as it
 * was gets the very same bytes again; an acknowledged write or read lies
 * inside the model's input or output, an INVOKE_REPLY has the runs asked.
 *
 * The first input byte sets the board up: bit 0 puts the tiny model of
 * fw_host_model.c in the region; bit 1 then damages one image byte after
 * boot (the next INVOKE must be refused, never answered with results);
 * bit 2 overwrites the stack's guard words during the runs (an overrun:
 * refused as well). A shadow decoder sees the same bytes to know the
 * requests; MSG_DEBUG_HANG (spins by design) ends the input unsent. An
 * answered MSG_DEBUG_CORRUPT changed a byte inside the image: from then on
 * the image counts as damaged, as with bit 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "fw_host_model.h"
#include "fw_host_port.h"
#include "messages.h"
#include "protocol_handler.h"
#include "stack_paint.h"

#define FUZZ_CHECK(condition)                                                                      \
	do {                                                                                       \
		if (!(condition))                                                                  \
			abort();                                                                   \
	} while (0)

#define FUZZ_MODEL	  0x01u
#define FUZZ_DAMAGE_IMAGE 0x02u
#define FUZZ_OVERRUN	  0x04u
/* Counter reads per input: a few hundred runs of the tiny model. */
#define FUZZ_COUNTER_READS 4000u

static struct {
	uint8_t setup;
	int damaged;
	int retry; /* the request being checked repeats the last one */
	size_t image_size;
	struct frame last_request;
	int have_last;
	uint8_t last_reply[FRAME_MAX_ENCODED];
	size_t last_reply_length;
} fuzz;

static void fuzz_overrun_hook(void)
{
	fw_host_stack[1] = 0; /* a guard word, as a stack grown too deep leaves it */
}

static void fuzz_boot(void *argument)
{
	(void)argument;
	protocol_init();
}

static void fuzz_push(void *argument)
{
	protocol_receive_byte(*(const uint8_t *)argument);
}

/* The one frame in `wire`, or abort. */
static void fuzz_one_frame(const uint8_t *wire, size_t length, struct frame *out)
{
	static struct frame_decoder decoder;

	FUZZ_CHECK(length >= 2 && wire[length - 1] == FRAME_DELIMITER);
	frame_decoder_init(&decoder);
	for (size_t i = 0; i + 1 < length; i++)
		FUZZ_CHECK(frame_decoder_push(&decoder, wire[i], out) == FRAME_PENDING);
	FUZZ_CHECK(frame_decoder_push(&decoder, wire[length - 1], out) == FRAME_READY);
}

static int fuzz_model_up(void)
{
	return (fuzz.setup & FUZZ_MODEL) != 0;
}

static void fuzz_check_error(const struct frame *request, const struct frame *reply)
{
	struct msg_error_reply error;

	FUZZ_CHECK(msg_error_decode(reply->payload, reply->length, &error) == 0);
	FUZZ_CHECK(error.request_type == request->type);
	FUZZ_CHECK(error.code != MSG_ERROR_BAD_FRAME);
	FUZZ_CHECK(strcmp(msg_error_name(error.code), "unknown error") != 0);
	if (error.code == MSG_ERROR_NO_MODEL)
		FUZZ_CHECK(!fuzz_model_up());
}

static void fuzz_check_answer(const struct frame *request, const struct frame *reply)
{
	struct msg_hello_reply hello;
	struct msg_invoke_reply invoke;
	struct msg_layers_reply layers;

	FUZZ_CHECK(reply->seq == request->seq);
	if (reply->type == MSG_ERROR) {
		fuzz_check_error(request, reply);
		return;
	}
	FUZZ_CHECK(reply->type == (request->type | MSG_REPLY_FLAG));
	switch (request->type) {
	case MSG_HELLO:
		FUZZ_CHECK(msg_hello_reply_decode(reply->payload, reply->length, &hello) == 0);
		FUZZ_CHECK(hello.protocol_version == PROTO_VERSION);
		FUZZ_CHECK(hello.model_input_length ==
			   (fuzz_model_up() ? FW_HOST_MODEL_INPUT_BYTES : 0u));
		break;
	case MSG_INPUT_WRITE:
		FUZZ_CHECK(fuzz_model_up() && request->length >= 4 && reply->length == 6);
		FUZZ_CHECK(le_get_u32(reply->payload) == le_get_u32(request->payload));
		FUZZ_CHECK(le_get_u16(reply->payload + 4) == request->length - 4u);
		FUZZ_CHECK((uint64_t)le_get_u32(request->payload) + request->length - 4u <=
			   FW_HOST_MODEL_INPUT_BYTES);
		break;
	case MSG_INVOKE:
		FUZZ_CHECK(fuzz_model_up() && !fuzz.damaged && !(fuzz.setup & FUZZ_OVERRUN));
		FUZZ_CHECK(msg_invoke_reply_decode(reply->payload, reply->length, &invoke) == 0);
		FUZZ_CHECK(invoke.runs == le_get_u16(request->payload) && invoke.runs >= 1);
		FUZZ_CHECK(invoke.output_length == FW_HOST_MODEL_OUTPUT_BYTES);
		break;
	case MSG_OUTPUT_READ:
		FUZZ_CHECK(fuzz_model_up() && request->length == 6);
		FUZZ_CHECK(reply->length == 4u + le_get_u16(request->payload + 4));
		FUZZ_CHECK(le_get_u32(reply->payload) == le_get_u32(request->payload));
		FUZZ_CHECK((uint64_t)le_get_u32(request->payload) +
			       le_get_u16(request->payload + 4) <=
			   FW_HOST_MODEL_OUTPUT_BYTES);
		break;
	case MSG_LAYERS_READ:
		FUZZ_CHECK(msg_layers_reply_decode(reply->payload, reply->length, &layers) == 0);
		break;
	case MSG_EXIT: FUZZ_CHECK(reply->length == 0 && request->length == 1); break;
	case MSG_DEBUG_CORRUPT:
		/* A retry gets the first answer again, the image damaged since. */
		FUZZ_CHECK(fuzz_model_up() && (!fuzz.damaged || fuzz.retry) &&
			   request->length == 0);
		FUZZ_CHECK(reply->length == 4 && le_get_u32(reply->payload) < fuzz.image_size);
		fuzz.damaged = 1;
		break;
	default: abort(); /* only known requests have replies */
	}
}

/* What the handler sent after one byte, held against what the shadow
 * decoder made of the same byte. */
static void fuzz_check_output(enum frame_result seen, const struct frame *request)
{
	static struct frame reply;
	size_t length;
	const uint8_t *wire = fw_host_tx(&length);

	if (seen == FRAME_PENDING) {
		FUZZ_CHECK(length == 0);
		return;
	}
	fuzz_one_frame(wire, length, &reply);
	if (seen != FRAME_READY) {
		FUZZ_CHECK(reply.seq == 0xFFFF && reply.type == MSG_ERROR && reply.length == 3);
		FUZZ_CHECK(le_get_u16(reply.payload) == MSG_ERROR_BAD_FRAME);
		return;
	}
	fuzz.retry = fuzz.have_last && fuzz.last_request.seq == request->seq &&
		     fuzz.last_request.type == request->type &&
		     fuzz.last_request.length == request->length &&
		     memcmp(fuzz.last_request.payload, request->payload, request->length) == 0;
	if (fuzz.retry)
		FUZZ_CHECK(length == fuzz.last_reply_length &&
			   memcmp(wire, fuzz.last_reply, length) == 0);
	fuzz_check_answer(request, &reply);
	fuzz.last_request = *request;
	fuzz.have_last = 1;
	memcpy(fuzz.last_reply, wire, length);
	fuzz.last_reply_length = length;
}

static void fuzz_setup(const uint8_t *data, size_t size)
{
	size_t image_size = 0;

	memset(&fuzz, 0, sizeof fuzz);
	fuzz.setup = data[0];
	memset(fw_host_region, 0xFF, FW_HOST_REGION_BYTES);
	memset(fw_host_ram, 0, FW_HOST_RAM_BYTES);
	memset(fw_host_stack, 0, FW_HOST_STACK_BYTES);
	if (fuzz.setup & FUZZ_MODEL)
		image_size = fw_host_model_write(fw_host_region, FW_HOST_REGION_BYTES);
	fuzz.image_size = image_size;
	fw_host_reset(FUZZ_COUNTER_READS);
	fw_host_set_counter_hook((fuzz.setup & FUZZ_OVERRUN) ? fuzz_overrun_hook : NULL);
	FUZZ_CHECK(fw_host_run(fuzz_boot, NULL) == FW_HOST_RETURNED);
	fw_host_tx_take();
	if ((fuzz.setup & FUZZ_DAMAGE_IMAGE) && image_size > 0 && size > 1) {
		/* Anywhere: the CRC covers what follows the header, the boot
		 * copy of the header the rest. */
		fw_host_region[data[1] % image_size] ^= 0x10u;
		fuzz.damaged = 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame_decoder shadow;
	static struct frame request;

	if (size < 1)
		return 0;
	fuzz_setup(data, size);
	frame_decoder_init(&shadow);
	for (size_t i = 1; i < size; i++) {
		enum frame_result seen = frame_decoder_push(&shadow, data[i], &request);
		enum fw_host_end end;

		if (seen == FRAME_READY && request.type == MSG_DEBUG_HANG)
			break;
		end = fw_host_run(fuzz_push, (void *)&data[i]);
		FUZZ_CHECK(end != FW_HOST_TX_FULL);
		if (end == FW_HOST_OVER_BUDGET)
			break;
		if (end == FW_HOST_RESET) {
			FUZZ_CHECK(seen == FRAME_READY && request.type == MSG_DEBUG_RESET);
			break;
		}
		fuzz_check_output(seen, &request);
		fw_host_tx_take();
		if (end == FW_HOST_EXITED) {
			FUZZ_CHECK(seen == FRAME_READY && request.type == MSG_EXIT);
			FUZZ_CHECK(fw_host_exit_status() == request.payload[0]);
			break;
		}
	}
	fw_host_set_counter_hook(NULL);
	return 0;
}
