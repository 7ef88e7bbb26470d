/*
 * The host's side of the per-layer profile against a fake board: the
 * profiled INVOKE carries the flag, a profile longer than one LAYERS_DATA
 * is read in pages, each op loses the read cost (never below 0) and gets
 * its MACs from the image; a board that kept no profile leaves the layers
 * absent with a warning; an op list that disagrees with the image is an
 * error naming the op.
 */
#include <criterion/criterion.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "link/session.h"
#include "messages.h"
#include "model_image.h"
#include "run/layer_profile.h"
#include "test_line.h"
#include "util/error.h"

#define LS_OPS 40 /* more than one reply's PROTO_LAYERS_PER_REPLY */

enum ls_mode { LS_PROFILE, LS_NONE_KEPT, LS_WRONG_KIND };

struct ls_board {
	struct transport base;
	enum ls_mode mode;
	uint8_t invoke_flags;
	unsigned layers_reads;
	struct test_line line;
	struct frame_decoder decoder;
};

static struct ls_board ls_board;
static struct session ls_session;
static char ls_log[1024];

static void ls_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level <= HB_LEVEL_WARN)
		snprintf(ls_log, sizeof ls_log, "%s", message);
}

/* An image of LS_OPS ops: conv (op % 3 == 0, 1000 x op MACs) or pools. */
struct ls_image {
	struct model_image_header header;
	struct model_op ops[LS_OPS];
};
static struct ls_image ls_image;

static uint32_t ls_kind(uint32_t op)
{
	return op % 3 == 0 ? MODEL_OP_CONV2D_S8 : MODEL_OP_MAX_POOL2D_S8;
}

static void ls_answer(struct ls_board *board, const struct frame *request)
{
	uint8_t payload[FRAME_MAX_PAYLOAD];
	size_t length = 0;

	if (request->type == MSG_INVOKE) {
		struct msg_invoke_reply invoke = {.runs = 1};
		board->invoke_flags = request->length == 5 ? request->payload[4] : 0;
		invoke.ticks[0] = 0;
		for (uint32_t i = 0; i < LS_OPS; i++)
			invoke.ticks[0] += 10 + i;
		length = msg_invoke_reply_encode(&invoke, payload, sizeof payload);
	} else if (request->type == MSG_LAYERS_READ) {
		static struct msg_layers_reply layers;
		const uint16_t first = le_get_u16(request->payload);
		board->layers_reads++;
		memset(&layers, 0, sizeof layers);
		layers.max_ops = 128;
		layers.read_cost_ticks = 12;
		layers.op_count = board->mode == LS_NONE_KEPT ? 0 : LS_OPS;
		layers.first = first;
		layers.entries = (uint32_t)(layers.op_count - first) < PROTO_LAYERS_PER_REPLY
				     ? (uint16_t)(layers.op_count - first)
				     : PROTO_LAYERS_PER_REPLY;
		for (uint16_t i = 0; i < layers.entries; i++) {
			const uint32_t op = first + i;
			layers.layers[i].ticks = 10 + op; /* op 0 and 1 below the read cost */
			layers.layers[i].kind = (uint8_t)ls_kind(op);
			layers.layers[i].path = MSG_KERNEL_PATH_FAST_DSP;
		}
		if (board->mode == LS_WRONG_KIND && first == PROTO_LAYERS_PER_REPLY)
			layers.layers[1].kind = MODEL_OP_SOFTMAX_S8;
		length = msg_layers_reply_encode(&layers, payload, sizeof payload);
	}
	test_line_queue(&board->line, request->seq, request->type | MSG_REPLY_FLAG, payload, length,
			false);
}

static int ls_write(struct transport *transport, const uint8_t *data, size_t length, int timeout_ms)
{
	struct ls_board *board = (struct ls_board *)transport;
	struct frame request;

	(void)timeout_ms;
	for (size_t i = 0; i < length; i++)
		if (frame_decoder_push(&board->decoder, data[i], &request) == FRAME_READY)
			ls_answer(board, &request);
	return HB_OK;
}

static int ls_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		   int timeout_ms)
{
	return test_line_read(&((struct ls_board *)transport)->line, data, capacity, got,
			      timeout_ms);
}

static const struct transport_driver ls_driver = {
    .name = "fake", .write = ls_write, .read = ls_read};

static void ls_start(enum ls_mode mode, struct compiled_model *compiled)
{
	memset(&ls_board, 0, sizeof ls_board);
	ls_board.base.driver = &ls_driver;
	ls_board.mode = mode;
	frame_decoder_init(&ls_board.decoder);
	session_init(&ls_session, &ls_board.base, "fake-board", 2000, 2);
	memset(&ls_image, 0, sizeof ls_image);
	ls_image.header.op_count = LS_OPS;
	ls_image.header.ops_offset = offsetof(struct ls_image, ops);
	for (uint32_t i = 0; i < LS_OPS; i++) {
		ls_image.ops[i].kind = ls_kind(i);
		ls_image.ops[i].macs = ls_kind(i) == MODEL_OP_CONV2D_S8 ? 1000 * i : 0;
	}
	memset(compiled, 0, sizeof *compiled);
	compiled->image = (uint8_t *)&ls_image;
	ls_log[0] = '\0';
	hb_log_set_sink(ls_sink, NULL);
}

Test(layers_session, profile_is_read_in_pages_less_the_read_cost)
{
	struct compiled_model compiled;
	struct layer_profile profile = {0};

	ls_start(LS_PROFILE, &compiled);
	cr_assert_eq(layer_profile_measure(&ls_session, &compiled, &profile), HB_OK, "%s",
		     hb_last_error());
	hb_log_set_sink(NULL, NULL);
	cr_expect_eq(ls_board.invoke_flags, MSG_INVOKE_PROFILE_LAYERS);
	cr_expect_eq(ls_board.layers_reads, 2, "40 ops take two replies of 32");
	cr_assert(profile.present);
	cr_assert_eq(profile.count, LS_OPS);
	cr_expect_eq(profile.read_cost_ticks, 12);
	cr_expect_eq(profile.profiled_ticks, 10 * LS_OPS + LS_OPS * (LS_OPS - 1) / 2);
	cr_expect_eq(profile.layers[0].ticks, 0, "below the read cost: 0, not negative");
	cr_expect_eq(profile.layers[1].ticks, 0);
	cr_expect_eq(profile.layers[2].ticks, 0);
	cr_expect_eq(profile.layers[3].ticks, 1);
	cr_expect_eq(profile.layers[39].raw_ticks, 49);
	cr_expect_eq(profile.layers[39].ticks, 37);
	cr_expect_eq(profile.layers[39].macs, 39000);
	cr_expect_eq(profile.layers[38].macs, 0);
	cr_expect_eq(profile.layers[33].kind, MODEL_OP_CONV2D_S8);
	cr_expect_eq(profile.layers[33].path, MSG_KERNEL_PATH_FAST_DSP);
	/* No compiler layers to map the ops onto: no operator named. */
	cr_expect_eq(profile.layers[33].tflite_index, -1);
	layer_profile_release(&profile);
	cr_expect_null(profile.layers);
}

Test(layers_session, no_profile_kept_leaves_the_layers_absent_with_a_warning)
{
	struct compiled_model compiled;
	struct layer_profile profile = {0};

	ls_start(LS_NONE_KEPT, &compiled);
	cr_assert_eq(layer_profile_measure(&ls_session, &compiled, &profile), HB_OK);
	hb_log_set_sink(NULL, NULL);
	cr_expect_not(profile.present);
	cr_expect_eq(profile.count, 0);
	cr_expect_null(profile.layers);
	cr_expect(strstr(ls_log, "kept no per-layer profile: the image has 40 ops, it profiles at "
				 "most 128"),
		  "%s", ls_log);
}

Test(layers_session, an_op_list_unlike_the_image_is_an_error_naming_the_op)
{
	struct compiled_model compiled;
	struct layer_profile profile = {0};

	ls_start(LS_WRONG_KIND, &compiled);
	cr_expect_eq(layer_profile_measure(&ls_session, &compiled, &profile), HB_ERR_PROTOCOL);
	hb_log_set_sink(NULL, NULL);
	cr_expect(strstr(hb_last_error(), "profiled op 33 as softmax_s8, the image has conv2d_s8"),
		  "%s", hb_last_error());
	cr_expect_not(profile.present);
	cr_expect_null(profile.layers);
}
