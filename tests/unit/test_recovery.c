/* Hang, reset and damaged-image recovery: the deadline arithmetic, what a
 * failed attempt is, the record of recoveries, the test hooks (each fires
 * once, the stuck one on every attempt of its model), the profile's
 * "deadline" field, the restart through a fake flasher and the reflash
 * decision after it, and DEBUG_CORRUPT on the firmware's own handler. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "config/profile.h"
#include "flash/flasher.h"
#include "link/deadline.h"
#include "link/session.h"
#include "model_image.h"
#include "protocol_handler.h"
#include "run/recovery.h"
#include "util/error.h"
#include "../fuzz/fw_host_model.h"
#include "../fuzz/fw_host_port.h"

static char recovery_log_text[8192];

static void recovery_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(recovery_log_text);
	(void)context;
	snprintf(recovery_log_text + used, sizeof recovery_log_text - used, "%d %s\n", level,
		 message);
}

static void recovery_setup(void)
{
	recovery_log_text[0] = '\0';
	hb_log_set_sink(recovery_sink, NULL);
}

static void recovery_teardown(void)
{
	hb_hold_errors(false);
	hb_release_held(HB_LEVEL_DEBUG, NULL);
	hb_log_set_sink(NULL, NULL);
}

TestSuite(recovery, .init = recovery_setup, .fini = recovery_teardown);

/* min_ms + margin x units x inferences / clock, worked by hand. */
Test(recovery, deadline_is_the_floor_plus_the_priced_work)
{
	struct deadline_rule rule;

	deadline_rule_default(&rule, 25000000);
	cr_assert_eq(rule.margin, DEADLINE_MARGIN);
	cr_assert_eq(rule.min_ms, DEADLINE_MIN_MS);
	/* 3000 + 4 x 3073280 x 1 / 25e6 s = 3000 + 491.7 ms */
	cr_assert_eq(deadline_for_work_ms(&rule, 3073280, 1), 3492);
	/* 50 inferences (48 runs + 2 warm-ups): 3000 + 24586.2 ms */
	cr_assert_eq(deadline_for_work_ms(&rule, 3073280, 50), 27586);
	/* No work known: the floor. */
	cr_assert_eq(deadline_for_work_ms(&rule, 0, 10), 3000);
	rule.margin = 1;
	rule.min_ms = 0;
	cr_assert_eq(deadline_for_work_ms(&rule, 25000000, 2), 2000);
}

Test(recovery, deadline_bounds_and_overrides)
{
	struct deadline_rule rule;

	deadline_rule_default(&rule, 25000000);
	cr_assert_float_eq(deadline_bound_units(&rule, 1000), 256000.0, 1e-9);
	/* A day at most, whatever the work. */
	cr_assert_eq(deadline_for_work_ms(&rule, 1e18, 48), DEADLINE_MAX_MS);
	/* An unknown clock cannot price the work. */
	rule.clock_hz = 0;
	cr_assert_eq(deadline_for_work_ms(&rule, 1000, 1), DEADLINE_HANDSHAKE_MS);
	/* --timeout wins over everything. */
	rule.fixed_ms = 1500;
	cr_assert_eq(deadline_for_work_ms(&rule, 1e9, 48), 1500);
}

Test(recovery, only_a_deadline_a_reset_or_a_damaged_image_is_recovered)
{
	cr_assert_eq(recovery_classify(HB_OK, 0, 0), RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_TIMEOUT, 0, 0), RECOVERY_CAUSE_DEADLINE);
	cr_assert_eq(recovery_classify(HB_ERR_PROTOCOL, 1, 0), RECOVERY_CAUSE_BOARD_RESET);
	cr_assert_eq(recovery_classify(HB_ERR_PROTOCOL, 0, 0), RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_MISMATCH, 0, 0), RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_TOOL, 0, 0), RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_PROTOCOL, 0, MSG_ERROR_MODEL_CORRUPT),
		     RECOVERY_CAUSE_IMAGE_DAMAGED);
	cr_assert_str_eq(recovery_cause_name(RECOVERY_CAUSE_IMAGE_DAMAGED),
			 "image damaged on the board");
	/* The same code on the same input overruns again: no reset mends it. */
	cr_assert_eq(recovery_classify(HB_ERR_PROTOCOL, 0, MSG_ERROR_STACK_OVERRUN),
		     RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_PROTOCOL, 0, MSG_ERROR_NO_MODEL),
		     RECOVERY_NOT_RECOVERABLE);
	/* A code from an earlier request does not make a timeout something else. */
	cr_assert_eq(recovery_classify(HB_ERR_TIMEOUT, 0, MSG_ERROR_MODEL_CORRUPT),
		     RECOVERY_CAUSE_DEADLINE);
}

Test(recovery, events_are_recorded_and_bounded)
{
	struct recovery_log log = {.count = 0};
	struct recovery_event *event;
	cJSON *json;
	char *text;

	event = recovery_note(&log, RECOVERY_CAUSE_DEADLINE, "INVOKE", "sample", 4, 3492);
	snprintf(event->action, sizeof event->action, "emulator restarted");
	snprintf(event->outcome, sizeof event->outcome, "recovered");
	for (int i = 0; i < 5; i++)
		recovery_note(&log, RECOVERY_CAUSE_BOARD_RESET, NULL, "sample", 8 + i, 0);
	cr_assert_eq(log.count, RECOVERY_MAX_EVENTS);
	cr_assert_str_eq(log.events[RECOVERY_MAX_EVENTS - 1].request, "-");
	cr_assert_eq(log.events[RECOVERY_MAX_EVENTS - 1].index, 12);
	json = recovery_log_json(&log);
	text = cJSON_PrintUnformatted(json);
	cr_assert(strstr(text, "{\"request\":\"INVOKE\",\"unit\":\"sample\",\"index\":4,"
			       "\"deadline_ms\":3492,\"cause\":\"deadline expired\","
			       "\"action\":\"emulator restarted\",\"outcome\":\"recovered\"}"),
		  "%s", text);
	cr_assert(strstr(text, "board reset by itself"), "%s", text);
	cJSON_free(text);
	cJSON_Delete(json);
}

/* Errors of an attempt that is recovered from become warnings; those of the
 * last one stay errors; hb_last_error holds the text either way. */
Test(recovery, held_errors_come_out_as_warnings_or_errors)
{
	recovery_attempt_begin(true);
	hb_error(HB_ERR_TIMEOUT, "board 'b' did not answer INVOKE");
	cr_assert_eq(recovery_log_text[0], '\0', "an error got out: %s", recovery_log_text);
	cr_assert_str_eq(hb_last_error(), "board 'b' did not answer INVOKE");
	recovery_attempt_end(true);
	cr_assert(strstr(recovery_log_text, "1 recovering from: board 'b' did not answer INVOKE"),
		  "%s", recovery_log_text);
	recovery_attempt_begin(true);
	hb_error(HB_ERR_MISMATCH, "board output differs");
	recovery_attempt_end(false);
	cr_assert(strstr(recovery_log_text, "0 board output differs"), "%s", recovery_log_text);
}

/* A transport that keeps the frames written to it. */
struct sent_frames {
	struct transport base;
	struct frame_decoder decoder;
	uint8_t types[16];
	size_t count;
};

static int sent_write(struct transport *transport, const uint8_t *data, size_t length,
		      int timeout_ms)
{
	struct sent_frames *sent = (struct sent_frames *)transport;
	struct frame frame;

	(void)timeout_ms;
	for (size_t i = 0; i < length; i++)
		if (frame_decoder_push(&sent->decoder, data[i], &frame) == FRAME_READY &&
		    sent->count < sizeof sent->types)
			sent->types[sent->count++] = frame.type;
	return HB_OK;
}

static const struct transport_driver sent_driver = {.name = "sent", .write = sent_write};

Test(recovery, hooks_fire_once_and_the_stuck_one_on_every_attempt_of_its_model)
{
	struct sent_frames sent;
	struct session session;
	struct debug_hooks hooks;

	memset(&sent, 0, sizeof sent);
	sent.base.driver = &sent_driver;
	frame_decoder_init(&sent.decoder);
	session_init(&session, &sent.base, "hooked", 1000, 1);
	debug_hooks_init(&hooks);
	hooks.hang_at = 4;
	hooks.reset_at = 8;
	hooks.stuck_at = 2;
	hooks.corrupt_at = 5;
	for (int attempt = 0; attempt < 2; attempt++)
		for (uint32_t index = 0; index < 10; index++)
			cr_assert_eq(debug_hooks_fire(&hooks, &session, "a", index), HB_OK);
	/* Model a: stuck at 2 twice (both attempts), hang at 4, corrupt at 5
	 * and reset at 8 once. */
	cr_assert_eq(sent.count, 5);
	cr_assert_eq(sent.types[0], MSG_DEBUG_HANG);
	cr_assert_eq(sent.types[1], MSG_DEBUG_HANG);
	cr_assert_eq(sent.types[2], MSG_DEBUG_CORRUPT);
	cr_assert_eq(sent.types[3], MSG_DEBUG_RESET);
	cr_assert_eq(sent.types[4], MSG_DEBUG_HANG);
	/* Another model passes the stuck point freely. */
	cr_assert_eq(debug_hooks_fire(&hooks, &session, "b", 2), HB_OK);
	cr_assert_eq(sent.count, 5);
	cr_assert_eq(debug_hooks_fire(NULL, &session, "b", 2), HB_OK);
}

static const char deadline_profile_head[] =
    "{\"schema\": 1, \"id\": \"qemu-dl\", \"name\": \"Test\", \"core\": \"cortex-m4\","
    " \"fpu\": \"fpv4-sp-d16\", \"dsp\": true, \"clock_hz\": 25000000,"
    " \"memory\": {\"flash\": {\"origin\": \"0x00000000\", \"size\": \"4M\"},"
    " \"ram\": {\"origin\": \"0x20000000\", \"size\": \"4M\"},"
    " \"model\": {\"origin\": \"0x00100000\", \"size\": \"3M\"}},"
    " \"firmware\": {\"port\": \"mps2\"},"
    " \"flasher\": {\"driver\": \"qemu\", \"machine\": \"mps2-an386\"},"
    " \"console\": {\"transport\": \"qemu\"}, \"cycle_counter\": \"emulated-instructions\","
    " \"verified\": \"emulated\"";

static int parse_with_deadline(const char *deadline, struct board_profile *profile)
{
	char text[2048];

	snprintf(text, sizeof text, "%s, \"deadline\": %s}", deadline_profile_head, deadline);
	return profile_parse(text, strlen(text), "boards/qemu-dl.json", profile);
}

Test(recovery, the_profile_deadline_replaces_the_defaults)
{
	struct board_profile profile;
	struct deadline_rule rule;

	cr_assert_eq(parse_with_deadline("{\"margin\": 8, \"min_ms\": 500}", &profile), HB_OK, "%s",
		     recovery_log_text);
	recovery_deadline_rule(&profile, 0, &rule);
	cr_assert_eq(rule.margin, 8);
	cr_assert_eq(rule.min_ms, 500);
	cr_assert_eq(rule.units_per_mac, DEADLINE_UNITS_PER_MAC);
	cr_assert_str_eq(rule.source, "boards/qemu-dl.json");
	cr_assert_eq(rule.fixed_ms, 0);
	recovery_deadline_rule(&profile, 2000, &rule);
	cr_assert_eq(rule.fixed_ms, 2000);
}

Test(recovery, a_bad_profile_deadline_is_named)
{
	static const struct {
		const char *deadline;
		const char *message;
	} cases[] = {
	    {"4", "field 'deadline': expected an object"},
	    {"{\"margin\": 0.5}", "field 'deadline.margin': expected a margin from 1 to 1000"},
	    {"{\"margin\": \"x\"}", "field 'deadline.margin': expected a margin from 1 to 1000"},
	    {"{\"min_ms\": 5}",
	     "field 'deadline.min_ms': expected milliseconds from 10 to 3600000"},
	    {"{\"min_ms\": 4000000}",
	     "field 'deadline.min_ms': expected milliseconds from 10 to 3600000"},
	    {"{\"units_per_mac\": 0}", "field 'deadline.units_per_mac': expected counter units"},
	    {"{\"margn\": 4}", "margn"},
	};
	struct board_profile profile;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		recovery_log_text[0] = '\0';
		cr_assert_eq(parse_with_deadline(cases[i].deadline, &profile), HB_ERR_INPUT, "%s",
			     cases[i].deadline);
		cr_assert(strstr(recovery_log_text, cases[i].message), "%s: %s", cases[i].deadline,
			  recovery_log_text);
		cr_assert(strstr(recovery_log_text, "boards/qemu-dl.json"), "%s",
			  recovery_log_text);
	}
}

/* BOOT: 7 bytes, every field where docs/protocol.md puts it; any other
 * length is refused. */
Test(recovery, boot_message_round_trip)
{
	const struct msg_boot boot = {
	    .protocol_version = PROTO_VERSION, .build_id = 0xa1b2c3d4, .reset_cause = 3};
	const uint8_t expected[MSG_BOOT_SIZE] = {5, 0, 0xd4, 0xc3, 0xb2, 0xa1, 3};
	uint8_t bytes[16];
	struct msg_boot decoded;

	cr_assert_eq(msg_boot_encode(&boot, bytes, sizeof bytes), MSG_BOOT_SIZE);
	cr_assert_arr_eq(bytes, expected, MSG_BOOT_SIZE);
	cr_assert_eq(msg_boot_encode(&boot, bytes, MSG_BOOT_SIZE - 1), 0);
	cr_assert_eq(msg_boot_decode(bytes, MSG_BOOT_SIZE, &decoded), 0);
	cr_assert_eq(decoded.build_id, 0xa1b2c3d4);
	cr_assert_eq(decoded.reset_cause, 3);
	cr_assert_str_eq(msg_reset_cause_name(decoded.reset_cause), "watchdog");
	cr_assert_str_eq(msg_reset_cause_name(200), "unknown");
	cr_assert_eq(msg_boot_decode(bytes, MSG_BOOT_SIZE + 1, &decoded), -1);
	cr_assert_eq(msg_boot_decode(bytes, MSG_BOOT_SIZE - 1, &decoded), -1);
	cr_assert_str_eq(msg_type_name(MSG_BOOT), "BOOT");
	cr_assert_str_eq(msg_type_name(MSG_DEBUG_RESET), "DEBUG_RESET");
}

/* A fake flasher and the board it holds: what the board's HELLO reports of
 * its image, and what each call did. start programs the host's image
 * (unless the flash is broken); a real board's reset keeps the flash, an
 * emulator's reloads the image from the host's file. */
#define HOST_CRC 0x1234abcdu

static struct {
	unsigned starts, stops, resets;
	uint32_t board_crc;
	uint8_t board_status; /* enum model_check */
	bool flash_broken;    /* programming leaves the image as it was */
} fake;

static void fake_programmed(void)
{
	if (fake.flash_broken)
		return;
	fake.board_crc = HOST_CRC;
	fake.board_status = MODEL_CHECK_OK;
}

static int fake_start(const struct flash_request *request, struct flash_session *session)
{
	(void)request;
	(void)session;
	fake.starts++;
	fake_programmed();
	return HB_OK;
}

static int fake_stop(struct flash_session *session, int timeout_ms)
{
	(void)session;
	(void)timeout_ms;
	fake.stops++;
	return 0;
}

static int fake_reset_keeps_flash(const struct flash_request *request,
				  struct flash_session *session)
{
	(void)request;
	(void)session;
	fake.resets++;
	return HB_OK;
}

static int fake_reset_reloads(const struct flash_request *request, struct flash_session *session)
{
	fake_reset_keeps_flash(request, session);
	fake_programmed();
	return HB_OK;
}

static const struct flasher_driver fake_openocd = {
    .name = "openocd", .start = fake_start, .reset = fake_reset_keeps_flash, .stop = fake_stop};
static const struct flasher_driver fake_qemu = {.name = "qemu",
						.emulator = true,
						.start = fake_start,
						.reset = fake_reset_reloads,
						.stop = fake_stop};
static const struct flasher_driver fake_no_reset = {
    .name = "no-reset", .start = fake_start, .stop = fake_stop};

/* The board's image as it is before the restart. */
static void fake_board(uint32_t crc, uint8_t status)
{
	memset(&fake, 0, sizeof fake);
	fake.board_crc = crc;
	fake.board_status = status;
}

/* What talk_recovering does after a restart (benchmark.c,
 * check_image_after_restart): a handshake's HELLO, the image step, a
 * reflash when the step says so and the next handshake; the last step is
 * returned. A step asking for a reflash a third time fails the test. */
static enum recovery_image_step fake_recover(const struct flasher_driver *flasher,
					     struct recovery_event *event, int *status)
{
	struct flash_request request = {.run_dir = "/nonexistent"};
	struct flash_session flash;
	const struct recovery_board board = {
	    .board_id = "f446-1", .flasher = flasher, .request = &request, .flash = &flash};
	bool reflashed = false;

	memset(&flash, 0, sizeof flash);
	snprintf(flash.log_path, sizeof flash.log_path, "/run/openocd.log");
	memset(event, 0, sizeof *event);
	*status = recovery_restart(&board, false, event);
	for (int round = 0; round < 3; round++) {
		const struct msg_hello_reply hello = {.protocol_version = PROTO_VERSION,
						      .model_status = fake.board_status,
						      .model_crc32 = fake.board_crc};
		enum recovery_image_step step =
		    recovery_check_image(&hello, HOST_CRC, reflashed, event);
		if (step == RECOVERY_IMAGE_GIVE_UP)
			*status = recovery_image_error(&board, &hello, HOST_CRC);
		if (step != RECOVERY_IMAGE_REFLASH)
			return step;
		reflashed = true;
		*status = recovery_restart(&board, true, event);
	}
	cr_assert_fail("the image step asked for a reflash again and again");
	return RECOVERY_IMAGE_GIVE_UP;
}

/* An emulator restarted on the host's image files: it matches, no reflash. */
Test(recovery, an_emulator_restart_reloads_the_image_and_needs_no_reflash)
{
	struct recovery_event event;
	int status;

	fake_board(HOST_CRC, MODEL_CHECK_BAD_CRC); /* damaged in the machine's RAM */
	cr_assert_eq(fake_recover(&fake_qemu, &event, &status), RECOVERY_IMAGE_MATCHES);
	cr_assert_eq(status, HB_OK);
	cr_assert_eq(fake.resets, 1);
	cr_assert_eq(fake.starts + fake.stops, 0, "reflashed without need");
	cr_assert_str_eq(event.action, "emulator restarted; image CRC matches");
}

/* A real board's `reset run` keeps its flash: still the host's image, no reflash. */
Test(recovery, a_real_board_that_reports_the_hosts_image_is_not_reflashed)
{
	struct recovery_event event;
	int status;

	fake_board(HOST_CRC, MODEL_CHECK_OK);
	cr_assert_eq(fake_recover(&fake_openocd, &event, &status), RECOVERY_IMAGE_MATCHES);
	cr_assert_eq(status, HB_OK);
	cr_assert_eq(fake.resets, 1);
	cr_assert_eq(fake.starts, 0);
	cr_assert_str_eq(event.action, "reset run (openocd); image CRC matches");
}

/* Another image after the reset (or one the board refused at boot): one
 * reflash, then the board reports the host's. */
Test(recovery, a_real_board_with_another_image_is_reflashed_once)
{
	struct recovery_event event;
	int status;

	fake_board(0xdeadbeefu, MODEL_CHECK_OK);
	cr_assert_eq(fake_recover(&fake_openocd, &event, &status), RECOVERY_IMAGE_MATCHES);
	cr_assert_eq(status, HB_OK);
	cr_assert_eq(fake.resets, 1);
	cr_assert_eq(fake.stops, 1);
	cr_assert_eq(fake.starts, 1, "reflashed %u times", fake.starts);
	cr_assert_str_eq(event.action,
			 "reset run (openocd); image 0xdeadbeef on the board, 0x1234abcd on the "
			 "host; reflashed (firmware and model image); image CRC matches");

	/* A flash bit flip: the header still names the host's CRC, the boot
	 * check refuses the image (HELLO then reports no CRC). */
	fake_board(0, MODEL_CHECK_BAD_CRC);
	cr_assert_eq(fake_recover(&fake_openocd, &event, &status), RECOVERY_IMAGE_MATCHES);
	cr_assert_eq(fake.starts, 1);
	cr_assert(strstr(event.action, "image 0x00000000 on the board (refused: "), "%s",
		  event.action);
}

/* Still another image after the reflash: one error, exit 3, naming the
 * board and both CRCs; no second reflash. */
Test(recovery, a_board_still_wrong_after_the_reflash_is_given_up_on)
{
	struct recovery_event event;
	int status;

	fake_board(0xdeadbeefu, MODEL_CHECK_OK);
	fake.flash_broken = true;
	cr_assert_eq(fake_recover(&fake_openocd, &event, &status), RECOVERY_IMAGE_GIVE_UP);
	cr_assert_eq(status, HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(fake.starts, 1, "reflashed %u times", fake.starts);
	cr_assert(strstr(recovery_log_text,
			 "0 board 'f446-1' still reports another model image after it was "
			 "reflashed (image 0xdeadbeef on the board, 0x1234abcd on the host); gave "
			 "up on it (flasher log: /run/openocd.log)"),
		  "%s", recovery_log_text);
}

/* A flasher that cannot reset restarts the board by programming it again. */
Test(recovery, a_flasher_without_reset_restarts_by_reflashing)
{
	struct recovery_event event;
	int status;

	fake_board(HOST_CRC, MODEL_CHECK_OK);
	cr_assert_eq(fake_recover(&fake_no_reset, &event, &status), RECOVERY_IMAGE_MATCHES);
	cr_assert_eq(fake.resets, 0);
	cr_assert_eq(fake.starts, 1);
	cr_assert_eq(fake.stops, 1);
	cr_assert_str_eq(event.action, "reflashed (firmware and model image); image CRC matches");
	/* No HELLO after a restart: nothing to compare, nothing noted. */
	memset(&event, 0, sizeof event);
	cr_assert_eq(recovery_check_image(NULL, HOST_CRC, false, &event), RECOVERY_IMAGE_UNSEEN);
	cr_assert_str_eq(event.action, "");
}

/* The board of the firmware's own handler on the host port
 * (tests/unit/fw_host_firmware.c) as a transport: what the host writes is
 * fed to the handler byte by byte, what it sends back is read. */
struct fw_board {
	struct transport base;
	uint8_t rx[8192];
	size_t length, position;
};

static void fw_board_push(void *argument)
{
	protocol_receive_byte(*(const uint8_t *)argument);
}

static void fw_board_boot(void *argument)
{
	(void)argument;
	protocol_init();
}

static int fw_board_write(struct transport *transport, const uint8_t *data, size_t length,
			  int timeout_ms)
{
	struct fw_board *board = (struct fw_board *)transport;

	(void)timeout_ms;
	for (size_t i = 0; i < length; i++) {
		const uint8_t *tx;
		size_t tx_length;
		cr_assert_eq(fw_host_run(fw_board_push, (void *)&data[i]), FW_HOST_RETURNED);
		tx = fw_host_tx(&tx_length);
		cr_assert_leq(board->length + tx_length, sizeof board->rx);
		memcpy(board->rx + board->length, tx, tx_length);
		board->length += tx_length;
		fw_host_tx_take();
	}
	return HB_OK;
}

static int fw_board_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
			 int timeout_ms)
{
	struct fw_board *board = (struct fw_board *)transport;
	size_t length = board->length - board->position;

	(void)timeout_ms;
	*got = 0;
	if (length == 0)
		return HB_ERR_TIMEOUT;
	if (length > capacity)
		length = capacity;
	memcpy(data, board->rx + board->position, length);
	board->position += length;
	*got = length;
	return HB_OK;
}

static const struct transport_driver fw_board_driver = {
    .name = "fw-board", .write = fw_board_write, .read = fw_board_read};

static void fw_board_start(struct fw_board *board, struct session *session, bool read_only)
{
	struct msg_hello_reply hello;
	static const uint8_t input[FW_HOST_MODEL_INPUT_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8};

	memset(board, 0, sizeof *board);
	board->base.driver = &fw_board_driver;
	memset(fw_host_region, 0xFF, FW_HOST_REGION_BYTES);
	cr_assert_gt(fw_host_model_write(fw_host_region, FW_HOST_REGION_BYTES), 0);
	fw_host_region_read_only = read_only;
	fw_host_reset(100000);
	fw_host_set_counter_hook(NULL);
	cr_assert_eq(fw_host_run(fw_board_boot, NULL), FW_HOST_RETURNED);
	fw_host_tx_take();
	session_init(session, &board->base, "fw-host", 2000, 2);
	cr_assert_eq(session_hello(session, &hello), HB_OK, "%s", hb_last_error());
	cr_assert_eq(session_write_input(session, input, sizeof input, 0), HB_OK, "%s",
		     hb_last_error());
}

/* --debug-corrupt-at on the firmware's own handler: the answer names the
 * byte changed, the next INVOKE is refused MODEL_CORRUPT, the session keeps
 * the code and the recovery takes it for a damaged image; a second request
 * does not undo the first. */
Test(recovery, debug_corrupt_damages_the_image_and_the_invoke_is_refused)
{
	struct fw_board board;
	struct session session;
	struct debug_hooks hooks;
	struct msg_invoke_reply reply;
	uint8_t before[FW_HOST_REGION_BYTES / 16];
	int status;

	fw_board_start(&board, &session, false);
	memcpy(before, fw_host_region, sizeof before);
	cr_assert_eq(session_invoke(&session, 2, 0, &reply), HB_OK, "%s", hb_last_error());
	debug_hooks_init(&hooks);
	hooks.corrupt_at = 1;
	cr_assert_eq(debug_hooks_fire_awaited(&hooks, &session, "m", 0), HB_OK);
	cr_assert_arr_eq(before, fw_host_region, sizeof before, "fired before its index");
	cr_assert_eq(debug_hooks_fire_awaited(&hooks, &session, "m", 1), HB_OK, "%s",
		     hb_last_error());
	cr_assert(
	    strstr(recovery_log_text, "asking board 'fw-host' to damage its model image at 1"),
	    "%s", recovery_log_text);
	cr_assert(memcmp(before, fw_host_region, sizeof before) != 0, "nothing changed");
	status = session_invoke(&session, 2, 0, &reply);
	cr_assert_eq(status, HB_ERR_PROTOCOL);
	cr_assert_eq(session.board_error, MSG_ERROR_MODEL_CORRUPT);
	cr_assert_eq(recovery_classify(status, session.counters.unasked_boots, session.board_error),
		     RECOVERY_CAUSE_IMAGE_DAMAGED);
	/* Once per run; a second request (not a hook's) is refused, not undone. */
	cr_assert_eq(debug_hooks_fire_awaited(&hooks, &session, "m", 1), HB_OK);
	cr_assert_eq(session_request(&session, MSG_DEBUG_CORRUPT, NULL, 0, MSG_DEBUG_CORRUPT_REPLY,
				     &(struct frame){0}),
		     HB_ERR_PROTOCOL);
	cr_assert_eq(session.board_error, MSG_ERROR_MODEL_CORRUPT);
	cr_assert_eq(session_invoke(&session, 1, 0, &reply), HB_ERR_PROTOCOL);
}

/* A board whose model region is flash refuses, and says why; its image
 * stays intact and runs. */
Test(recovery, debug_corrupt_is_refused_where_the_model_region_is_flash)
{
	struct fw_board board;
	struct session session;
	struct debug_hooks hooks;
	struct msg_invoke_reply reply;

	fw_board_start(&board, &session, true);
	debug_hooks_init(&hooks);
	hooks.corrupt_at = 0;
	cr_assert_eq(debug_hooks_fire_awaited(&hooks, &session, "m", 0), HB_ERR_PROTOCOL);
	cr_assert_eq(session.board_error, MSG_ERROR_READ_ONLY);
	cr_assert(strstr(hb_last_error(),
			 "board 'fw-host' refused DEBUG_CORRUPT: the model "
			 "region is flash, the firmware does not write it (code 10)"),
		  "%s", hb_last_error());
	cr_assert_eq(session_invoke(&session, 2, 0, &reply), HB_OK, "%s", hb_last_error());
	fw_host_region_read_only = 0;
}

/* A suite only sends DEBUG_CORRUPT: when the hook fired during a model's
 * run and no damaged image was recovered from, one warning says so. */
Test(recovery, a_corrupt_hook_nothing_came_of_is_warned_about)
{
	struct debug_hooks hooks;
	struct recovery_log log = {.count = 0};
	bool pending;

	debug_hooks_init(&hooks);
	cr_assert_not(debug_hooks_corrupt_pending(&hooks), "no hook, nothing pending");
	cr_assert_not(debug_hooks_corrupt_pending(NULL));
	hooks.corrupt_at = 3;
	pending = debug_hooks_corrupt_pending(&hooks);
	cr_assert(pending);
	debug_hooks_check_corrupt(&hooks, pending, &log, "f405");
	cr_assert_eq(recovery_log_text[0], '\0', "not fired yet: %s", recovery_log_text);
	hooks.corrupt_fired = true;
	recovery_note(&log, RECOVERY_CAUSE_IMAGE_DAMAGED, "INVOKE", "sample", 3, 1000);
	debug_hooks_check_corrupt(&hooks, pending, &log, "f405");
	cr_assert_eq(recovery_log_text[0], '\0', "recovered from: %s", recovery_log_text);
	log.count = 0;
	recovery_note(&log, RECOVERY_CAUSE_DEADLINE, "INVOKE", "sample", 3, 1000);
	debug_hooks_check_corrupt(&hooks, false, &log, "f405");
	cr_assert_eq(recovery_log_text[0], '\0', "fired in an earlier model: %s",
		     recovery_log_text);
	debug_hooks_check_corrupt(&hooks, pending, &log, "f405");
	cr_assert(strstr(recovery_log_text, "1 board 'f405': --debug-corrupt-at 3 fired, but the "
					    "board never reported a damaged image"),
		  "%s", recovery_log_text);
}
