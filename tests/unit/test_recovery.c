/* Hang, reset and damaged-image recovery: the deadline arithmetic, what a
 * failed attempt is, the record of recoveries, the test hooks (each fires
 * once, the stuck one on every attempt of its model), the profile's
 * "deadline" field, the restart through a fake flasher and the reflash
 * decision after it, and DEBUG_CORRUPT on the firmware's own handler. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The lab map's power switch (issue 13 part 2), over the fake flasher with
 * a reset that fails, as OpenOCD's does on a core it cannot reach. The
 * switch commands are scripts in the test's folder: the one that works
 * counts its runs in a file. */
static int fake_reset_fails(const struct flash_request *request, struct flash_session *session)
{
	fake_reset_keeps_flash(request, session);
	return hb_error(HB_ERR_TOOL,
			"board 'f446-1': reset failed with status 1 (Error: init mode failed "
			"(unable to connect to the target); log: /run/openocd-reset.log)");
}

static const struct flasher_driver fake_openocd_wedged = {
    .name = "openocd", .start = fake_start, .reset = fake_reset_fails, .stop = fake_stop};

static struct {
	char dir[64];
	char ok[128], fails[128], hangs[128], count[128];
	int timeout_ms; /* the switch's bound */
} power;

static void power_script(const char *path, const char *body)
{
	FILE *file = fopen(path, "w");

	cr_assert_not_null(file);
	fprintf(file, "#!/bin/sh\n%s\n", body);
	fclose(file);
	cr_assert_eq(chmod(path, 0755), 0);
}

static void power_setup(void)
{
	char body[300];

	power.timeout_ms = 20000;
	snprintf(power.dir, sizeof power.dir, "%s", "/tmp/hilbench-power-XXXXXX");
	cr_assert_not_null(mkdtemp(power.dir));
	snprintf(power.ok, sizeof power.ok, "%s/cycle-ok", power.dir);
	snprintf(power.fails, sizeof power.fails, "%s/cycle-fails", power.dir);
	snprintf(power.hangs, sizeof power.hangs, "%s/cycle-hangs", power.dir);
	snprintf(power.count, sizeof power.count, "%s/cycles", power.dir);
	snprintf(body, sizeof body, "echo \"$*\" >> '%s'", power.count);
	power_script(power.ok, body);
	power_script(power.fails, "echo 'Setting power: port 2 on hub 1-1'\n"
				  "echo 'No compatible devices detected!' >&2\nexit 1");
	power_script(power.hangs, "exec sleep 10");
}

static void power_teardown(void)
{
	static const char *const names[] = {"cycle-ok", "cycle-fails", "cycle-hangs", "cycles",
					    "power-cycle.log"};
	char path[200];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", power.dir, names[i]);
		unlink(path);
	}
	rmdir(power.dir);
	recovery_teardown();
}

/* Lines of the count file: the switch's runs. */
static int power_cycles(void)
{
	FILE *file = fopen(power.count, "r");
	int lines = 0;
	char line[200];

	if (!file)
		return 0;
	while (fgets(line, sizeof line, file))
		lines++;
	fclose(file);
	return lines;
}

static int logged_errors(void)
{
	int errors = 0;

	for (const char *line = recovery_log_text; *line; line = strchr(line, '\n') + 1) {
		if (strncmp(line, "0 ", 2) == 0)
			errors++;
		if (!strchr(line, '\n'))
			break;
	}
	return errors;
}

static void power_command(struct profile_power_cycle *command, const char *program)
{
	static const char *const args[] = {"-a", "cycle", "-l", "1-1", "-p", "2"};

	memset(command, 0, sizeof *command);
	snprintf(command->args[command->count++], PROFILE_POWER_CYCLE_ARG_CHARS, "%s", program);
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
		snprintf(command->args[command->count++], PROFILE_POWER_CYCLE_ARG_CHARS, "%s",
			 args[i]);
}

/* What talk_recovering does (benchmark.c, reset_board then the image check
 * after the next handshake): the restart or the power switch, then the
 * board's HELLO against the host's image. */
static int power_recover(const struct flasher_driver *flasher,
			 const struct profile_power_cycle *command, bool silent_after_restart,
			 bool *cycled, struct recovery_event *event)
{
	struct flash_request request = {.run_dir = power.dir};
	struct flash_session flash;
	struct recovery_board board = {.board_id = "f446-1",
				       .flasher = flasher,
				       .request = &request,
				       .flash = &flash,
				       .power_cycle = command,
				       .power_cycle_timeout_ms = power.timeout_ms};
	int status;

	memset(&flash, 0, sizeof flash);
	memset(event, 0, sizeof *event);
	recovery_log_text[0] = '\0';
	status = recovery_restart_or_power_cycle(&board, silent_after_restart, cycled, event);
	if (status == HB_OK) {
		const struct msg_hello_reply hello = {.protocol_version = PROTO_VERSION,
						      .model_status = fake.board_status,
						      .model_crc32 = fake.board_crc};
		cr_assert_eq(recovery_check_image(&hello, HOST_CRC, false, event),
			     RECOVERY_IMAGE_MATCHES, "%s", event->action);
	}
	return status;
}

TestSuite(recovery_power, .init = power_setup, .fini = power_teardown);

/* OpenOCD cannot reset a wedged core: the switch cycles the board once, the
 * board boots from its flash, and the reset's error is only a warning. */
Test(recovery_power, a_reset_that_fails_is_followed_by_one_power_cycle)
{
	struct profile_power_cycle command;
	struct recovery_event event;
	bool cycled = false;
	char expected[400];

	hb_log_set_sink(recovery_sink, NULL);
	power_command(&command, power.ok);
	fake_board(HOST_CRC, MODEL_CHECK_OK);
	cr_assert_eq(power_recover(&fake_openocd_wedged, &command, false, &cycled, &event), HB_OK,
		     "%s", recovery_log_text);
	cr_assert(cycled);
	cr_assert_eq(fake.resets, 1);
	cr_assert_eq(fake.starts, 0, "reflashed");
	cr_assert_eq(power_cycles(), 1);
	snprintf(expected, sizeof expected,
		 "reset run (openocd) failed; power cycled (%s -a cycle -l 1-1 -p 2); image CRC "
		 "matches",
		 power.ok);
	cr_assert_str_eq(event.action, expected);
	cr_assert_eq(logged_errors(), 0, "%s", recovery_log_text);
	cr_assert(strstr(recovery_log_text,
			 "1 board 'f446-1': reset failed with status 1 (Error: "
			 "init mode failed (unable to connect to the target); log: "
			 "/run/openocd-reset.log); power-cycling board 'f446-1'"),
		  "%s", recovery_log_text);
}

/* A board silent after its last restart is power-cycled without another
 * reset; one whose reset works is never power-cycled. */
Test(recovery_power, a_board_silent_after_a_restart_is_power_cycled_and_a_working_reset_is_kept)
{
	struct profile_power_cycle command;
	struct recovery_event event;
	bool cycled = false;

	hb_log_set_sink(recovery_sink, NULL);
	power_command(&command, power.ok);
	fake_board(HOST_CRC, MODEL_CHECK_OK);
	cr_assert_eq(power_recover(&fake_openocd, &command, true, &cycled, &event), HB_OK);
	cr_assert(cycled);
	cr_assert_eq(fake.resets, 0);
	cr_assert_eq(power_cycles(), 1);
	cr_assert(strstr(event.action, "silent after the last restart; power cycled ("), "%s",
		  event.action);

	fake_board(HOST_CRC, MODEL_CHECK_OK);
	cr_assert_eq(power_recover(&fake_openocd, &command, false, &cycled, &event), HB_OK);
	cr_assert_not(cycled);
	cr_assert_eq(fake.resets, 1);
	cr_assert_eq(power_cycles(), 1, "power-cycled although the reset worked");
	cr_assert_str_eq(event.action, "reset run (openocd); image CRC matches");
}

/* Without a switch (or on an emulator, which the lab map refuses one) a
 * failed reset is the error it was, as before. */
Test(recovery_power, without_a_switch_a_failed_reset_stays_the_error)
{
	struct profile_power_cycle command;
	struct recovery_event event;
	bool cycled = true;

	hb_log_set_sink(recovery_sink, NULL);
	memset(&command, 0, sizeof command);
	fake_board(HOST_CRC, MODEL_CHECK_OK);
	cr_assert_eq(power_recover(&fake_openocd_wedged, &command, false, &cycled, &event),
		     HB_ERR_TOOL);
	cr_assert_not(cycled);
	cr_assert_eq(logged_errors(), 1, "%s", recovery_log_text);
	cr_assert_eq(power_recover(&fake_openocd_wedged, NULL, true, &cycled, &event), HB_ERR_TOOL);
	power_command(&command, power.ok);
	cr_assert_eq(power_recover(&fake_qemu, &command, true, &cycled, &event), HB_OK);
	cr_assert_not(cycled);
	cr_assert_eq(power_cycles(), 0);
}

/* A switch that fails, cannot start or never ends: one error naming the
 * board and the command (its exit status and output), infrastructure
 * (exit 3). */
Test(recovery_power, a_failing_switch_is_one_clear_infrastructure_error)
{
	struct profile_power_cycle command;
	struct recovery_event event;
	bool cycled = false;
	char expected[600];

	hb_log_set_sink(recovery_sink, NULL);
	power_command(&command, power.fails);
	fake_board(HOST_CRC, MODEL_CHECK_OK);
	cr_assert_eq(power_recover(&fake_openocd_wedged, &command, false, &cycled, &event),
		     HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(logged_errors(), 1, "%s", recovery_log_text);
	snprintf(expected, sizeof expected,
		 "0 board 'f446-1': power switch '%s -a cycle -l 1-1 -p 2' failed with exit "
		 "status 1 (output: ",
		 power.fails);
	cr_assert(strstr(recovery_log_text, expected), "%s", recovery_log_text);
	cr_assert(strstr(recovery_log_text, "No compatible devices detected!; log: "), "%s",
		  recovery_log_text);
	cr_assert(strstr(event.action, "reset run (openocd) failed; power cycle failed ("), "%s",
		  event.action);

	power_command(&command, "/nonexistent/uhubctl");
	cr_assert_eq(power_recover(&fake_openocd_wedged, &command, true, &cycled, &event),
		     HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(logged_errors(), 1, "%s", recovery_log_text);
	cr_assert(strstr(recovery_log_text, "0 board 'f446-1': cannot run its power switch "
					    "'/nonexistent/uhubctl -a cycle -l 1-1 -p 2'"),
		  "%s", recovery_log_text);

	power_command(&command, power.hangs);
	power.timeout_ms = 300;
	cr_assert_eq(power_recover(&fake_openocd_wedged, &command, true, &cycled, &event),
		     HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(logged_errors(), 1, "%s", recovery_log_text);
	cr_assert(strstr(recovery_log_text, "' did not finish within 0.3 s, stopped"), "%s",
		  recovery_log_text);
}
