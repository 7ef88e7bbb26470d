/*
 * The firmware's INVOKE as the board runs it (tests/unit/fw_host_firmware.c
 * builds the firmware's own handler over the host port): an image damaged
 * after boot is refused before anything runs, a run that reaches the
 * stack's guard words is reported as an overrun instead of results, and
 * the host names both errors and says what to do.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "link/session.h"
#include "messages.h"
#include "model_image.h"
#include "protocol_handler.h"
#include "stack_paint.h"
#include "util/error.h"
#include "../fuzz/fw_host_model.h"
#include "../fuzz/fw_host_port.h"

static uint16_t fw_test_seq;
static unsigned fw_test_counter_reads;
static int fw_test_overrun;

static void fw_test_counter_hook(void)
{
	fw_test_counter_reads++;
	if (fw_test_overrun)
		fw_host_stack[0] = 0; /* as a stack grown past its last word leaves it */
}

static void fw_test_boot_call(void *argument)
{
	(void)argument;
	protocol_init();
}

static void fw_test_push(void *argument)
{
	protocol_receive_byte(*(const uint8_t *)argument);
}

static void fw_test_boot(void)
{
	memset(fw_host_region, 0xFF, FW_HOST_REGION_BYTES);
	cr_assert_gt(fw_host_model_write(fw_host_region, FW_HOST_REGION_BYTES), 0);
	fw_host_reset(100000);
	fw_test_counter_reads = 0;
	fw_test_overrun = 0;
	fw_host_set_counter_hook(fw_test_counter_hook);
	cr_assert_eq(fw_host_run(fw_test_boot_call, NULL), FW_HOST_RETURNED);
	fw_host_tx_take();
}

/* Sends one request through the firmware's UART input; returns its reply. */
static struct frame fw_test_request(uint8_t type, const uint8_t *payload, uint16_t length)
{
	static uint8_t wire[FRAME_MAX_ENCODED];
	static struct frame_decoder decoder;
	struct frame request = {.seq = ++fw_test_seq, .type = type, .length = length};
	struct frame reply;
	enum frame_result result = FRAME_PENDING;
	size_t wire_length, tx_length;
	const uint8_t *tx;

	memcpy(request.payload, payload, length);
	wire_length = frame_encode(&request, wire, sizeof wire);
	cr_assert_gt(wire_length, 0);
	for (size_t i = 0; i < wire_length; i++)
		cr_assert_eq(fw_host_run(fw_test_push, &wire[i]), FW_HOST_RETURNED);
	tx = fw_host_tx(&tx_length);
	frame_decoder_init(&decoder);
	for (size_t i = 0; i < tx_length; i++)
		result = frame_decoder_push(&decoder, tx[i], &reply);
	cr_assert_eq(result, FRAME_READY, "no whole reply to %s (%zu bytes)", msg_type_name(type),
		     tx_length);
	cr_assert_eq(reply.seq, request.seq);
	fw_host_tx_take();
	return reply;
}

static struct frame fw_test_invoke(void)
{
	static const uint8_t input[4 + FW_HOST_MODEL_INPUT_BYTES] = {0, 0, 0, 0, 1, 2,
								     3, 4, 5, 6, 7, 8};
	static const uint8_t invoke[4] = {2, 0, 1, 0}; /* 2 runs, 1 warm-up */
	struct frame ack = fw_test_request(MSG_INPUT_WRITE, input, sizeof input);

	cr_assert_eq(ack.type, MSG_INPUT_ACK);
	return fw_test_request(MSG_INVOKE, invoke, sizeof invoke);
}

static void fw_test_expect_error(const struct frame *reply, uint16_t code)
{
	struct msg_error_reply error;

	cr_assert_eq(reply->type, MSG_ERROR, "got %s", msg_type_name(reply->type));
	cr_assert_eq(msg_error_decode(reply->payload, reply->length, &error), 0);
	cr_expect_eq(error.code, code, "code %u (%s)", error.code, msg_error_name(error.code));
	cr_expect_eq(error.request_type, MSG_INVOKE);
}

Test(fw_invoke, an_intact_image_runs)
{
	struct frame reply;
	struct msg_invoke_reply result;

	fw_test_boot();
	reply = fw_test_invoke();
	cr_assert_eq(reply.type, MSG_INVOKE_REPLY);
	cr_assert_eq(msg_invoke_reply_decode(reply.payload, reply.length, &result), 0);
	cr_expect_eq(result.runs, 2);
	cr_expect_eq(result.output_length, FW_HOST_MODEL_OUTPUT_BYTES);
	cr_expect_eq(fw_test_counter_reads, 6, "3 runs, 2 reads each"); /* warm-up included */
}

Test(fw_invoke, an_image_damaged_after_boot_is_refused_before_running)
{
	struct frame reply;

	fw_test_boot();
	fw_host_region[200] ^= 0x01; /* one bit of the tensor table, after the boot check */
	reply = fw_test_invoke();
	fw_test_expect_error(&reply, MSG_ERROR_MODEL_CORRUPT);
	cr_expect_eq(fw_test_counter_reads, 0, "nothing may run on a damaged image");
	fw_host_region[200] ^= 0x01;
	reply = fw_test_invoke();
	cr_expect_eq(reply.type, MSG_INVOKE_REPLY, "the image mended, it runs again");
}

Test(fw_invoke, a_stack_overrun_is_an_error_not_a_result)
{
	struct frame reply;

	fw_test_boot();
	fw_test_overrun = 1;
	reply = fw_test_invoke();
	fw_test_expect_error(&reply, MSG_ERROR_STACK_OVERRUN);
	cr_expect_gt(fw_test_counter_reads, 0, "the runs ran, then the guard was found written");
	fw_test_overrun = 0;
	reply = fw_test_invoke();
	cr_expect_eq(reply.type, MSG_INVOKE_REPLY, "the guard is repainted before each batch");
	cr_expect(stack_guard_intact());
}

Test(fw_invoke, an_image_damaged_after_boot_does_not_widen_the_input)
{
	/* The input tensor record's size, high byte: 8 becomes 0x10000008. */
	const size_t size_field =
	    sizeof(struct model_image_header) + offsetof(struct model_tensor, size);
	static const uint8_t past_the_end[5] = {FW_HOST_MODEL_INPUT_BYTES, 0, 0, 0, 0x55};
	struct frame reply;
	struct msg_error_reply error;

	fw_test_boot();
	fw_host_region[size_field + 3] ^= 0x10;
	reply = fw_test_request(MSG_INPUT_WRITE, past_the_end, sizeof past_the_end);
	cr_assert_eq(reply.type, MSG_ERROR, "got %s", msg_type_name(reply.type));
	cr_assert_eq(msg_error_decode(reply.payload, reply.length, &error), 0);
	cr_expect_eq(error.code, MSG_ERROR_OUT_OF_RANGE, "the boot check's 8 bytes still hold");
	reply = fw_test_invoke();
	fw_test_expect_error(&reply, MSG_ERROR_MODEL_CORRUPT);
}

static char fw_test_captured[512];

static void fw_test_capture(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(fw_test_captured, sizeof fw_test_captured, "%s", message);
}

/* The host's message for an ERROR reply with `code` to an INVOKE. */
static const char *fw_test_host_message(uint16_t code)
{
	struct session session = {.board_id = "b1"};
	struct msg_error_reply error = {.code = code, .request_type = MSG_INVOKE};
	struct frame reply = {.seq = 1, .type = MSG_ERROR};

	reply.length = (uint16_t)msg_error_encode(&error, reply.payload, sizeof reply.payload);
	fw_test_captured[0] = '\0';
	hb_log_set_sink(fw_test_capture, NULL);
	cr_expect_eq(session_check_reply(&session, MSG_INVOKE, MSG_INVOKE_REPLY, &reply),
		     HB_ERR_PROTOCOL);
	hb_log_set_sink(NULL, NULL);
	return fw_test_captured;
}

Test(fw_invoke, the_host_names_both_errors_and_what_to_do)
{
	cr_expect_str_eq(fw_test_host_message(MSG_ERROR_MODEL_CORRUPT),
			 "board 'b1' refused INVOKE: model image damaged since boot (CRC mismatch) "
			 "(code 8): the model region changed since boot, reflash the image");
	cr_expect_str_eq(fw_test_host_message(MSG_ERROR_STACK_OVERRUN),
			 "board 'b1' refused INVOKE: stack overrun during the runs (code 9): the "
			 "model needs more stack than the firmware reserves (STACK_SIZE in "
			 "target-fw/firmware.mk or the port's port.mk)");
}
