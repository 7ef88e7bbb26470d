/* clang-format off */ // FUZZ_DEPS: target-fw/proto/frame.c target-fw/proto/cobs.c target-fw/proto/crc32.c target-fw/proto/messages.c
// clang-format on
/*
 * Feeds arbitrary bytes to the frame decoder as a UART would. Every frame
 * it accepts must survive a re-encode/decode round trip, every payload goes
 * through the message decoders, and after any input a delimiter plus a good
 * frame must decode: the decoder never stays stuck.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "messages.h"

#define FUZZ_CHECK(condition)                                                                      \
	do {                                                                                       \
		if (!(condition))                                                                  \
			abort();                                                                   \
	} while (0)

static int fuzz_frame_same(const struct frame *a, const struct frame *b)
{
	return a->seq == b->seq && a->type == b->type && a->length == b->length &&
	       memcmp(a->payload, b->payload, a->length) == 0;
}

/* Decodes `wire` with a fresh decoder; it must be exactly one frame. */
static void fuzz_frame_decode_exactly(const uint8_t *wire, size_t length,
				      const struct frame *expected)
{
	static struct frame_decoder decoder;
	static struct frame out;

	frame_decoder_init(&decoder);
	for (size_t i = 0; i + 1 < length; i++)
		FUZZ_CHECK(frame_decoder_push(&decoder, wire[i], &out) == FRAME_PENDING);
	FUZZ_CHECK(frame_decoder_push(&decoder, wire[length - 1], &out) == FRAME_READY);
	FUZZ_CHECK(fuzz_frame_same(&out, expected));
}

static void fuzz_frame_messages(const struct frame *frame)
{
	static uint8_t again[FRAME_MAX_PAYLOAD];
	struct msg_hello_reply hello;
	struct msg_invoke_reply invoke;
	struct msg_error_reply error;
	struct msg_boot boot;
	static struct msg_layers_reply layers;

	if (msg_hello_reply_decode(frame->payload, frame->length, &hello) == 0) {
		FUZZ_CHECK(memchr(hello.port, 0, PROTO_NAME_LENGTH) != NULL);
		FUZZ_CHECK(memchr(hello.core, 0, PROTO_NAME_LENGTH) != NULL);
		FUZZ_CHECK(msg_hello_reply_encode(&hello, again, sizeof again) == frame->length);
		/* Everything but the reserved word and the forced terminators
		 * must come back as it was. */
		FUZZ_CHECK(memcmp(again, frame->payload, 41) == 0);
		FUZZ_CHECK(memcmp(again + 45, frame->payload + 45, PROTO_NAME_LENGTH - 1) == 0);
		FUZZ_CHECK(memcmp(again + 45 + PROTO_NAME_LENGTH,
				  frame->payload + 45 + PROTO_NAME_LENGTH,
				  PROTO_NAME_LENGTH - 1) == 0);
	}
	if (msg_invoke_reply_decode(frame->payload, frame->length, &invoke) == 0) {
		FUZZ_CHECK(invoke.runs <= PROTO_MAX_RUNS);
		FUZZ_CHECK(msg_invoke_reply_encode(&invoke, again, sizeof again) == frame->length);
		FUZZ_CHECK(memcmp(again, frame->payload, frame->length) == 0);
	}
	if (msg_layers_reply_decode(frame->payload, frame->length, &layers) == 0) {
		FUZZ_CHECK(layers.entries <= PROTO_LAYERS_PER_REPLY);
		FUZZ_CHECK((uint32_t)layers.first + layers.entries <= layers.op_count);
		FUZZ_CHECK(msg_layers_reply_encode(&layers, again, sizeof again) == frame->length);
		FUZZ_CHECK(memcmp(again, frame->payload, frame->length) == 0);
		for (uint16_t i = 0; i < layers.entries; i++)
			(void)msg_kernel_path_name(layers.layers[i].path);
	}
	if (msg_error_decode(frame->payload, frame->length, &error) == 0) {
		FUZZ_CHECK(msg_error_encode(&error, again, sizeof again) == 3);
		FUZZ_CHECK(memcmp(again, frame->payload, 3) == 0);
		(void)msg_error_name(error.code);
	}
	if (msg_boot_decode(frame->payload, frame->length, &boot) == 0) {
		FUZZ_CHECK(msg_boot_encode(&boot, again, sizeof again) == MSG_BOOT_SIZE);
		FUZZ_CHECK(memcmp(again, frame->payload, MSG_BOOT_SIZE) == 0);
		(void)msg_reset_cause_name(boot.reset_cause);
	}
	(void)msg_type_name(frame->type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame_decoder decoder;
	static struct frame out;
	static struct frame probe;
	static uint8_t wire[FRAME_MAX_ENCODED];
	enum frame_result result;

	frame_decoder_init(&decoder);
	for (size_t i = 0; i < size; i++) {
		result = frame_decoder_push(&decoder, data[i], &out);
		FUZZ_CHECK(result >= FRAME_ERROR_OVERFLOW && result <= FRAME_READY);
		FUZZ_CHECK(frame_result_name(result) != NULL);
		if (result != FRAME_READY)
			continue;
		FUZZ_CHECK(out.length <= FRAME_MAX_PAYLOAD);
		size_t length = frame_encode(&out, wire, sizeof wire);
		FUZZ_CHECK(length >= 2 && wire[length - 1] == FRAME_DELIMITER);
		FUZZ_CHECK(memchr(wire, 0, length - 1) == NULL);
		fuzz_frame_decode_exactly(wire, length, &out);
		fuzz_frame_messages(&out);
	}

	/* Recovery: whatever came before, a delimiter and a good frame decode. */
	memset(&probe, 0, sizeof probe);
	probe.seq = 0xBEEF;
	probe.type = MSG_ERROR;
	probe.length = 3;
	probe.payload[0] = MSG_ERROR_BAD_FRAME;
	size_t probe_length = frame_encode(&probe, wire, sizeof wire);
	FUZZ_CHECK(probe_length > 0);
	(void)frame_decoder_push(&decoder, FRAME_DELIMITER, &out);
	for (size_t i = 0; i + 1 < probe_length; i++)
		FUZZ_CHECK(frame_decoder_push(&decoder, wire[i], &out) == FRAME_PENDING);
	FUZZ_CHECK(frame_decoder_push(&decoder, wire[probe_length - 1], &out) == FRAME_READY);
	FUZZ_CHECK(fuzz_frame_same(&out, &probe));
	return 0;
}
