/* Hang and reset recovery: the deadline arithmetic, what a failed attempt
 * is, the record of recoveries, the test hooks (each fires once, the stuck
 * one on every attempt of its model), and the profile's "deadline" field. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "config/profile.h"
#include "link/deadline.h"
#include "link/session.h"
#include "run/recovery.h"
#include "util/error.h"

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

Test(recovery, only_a_deadline_or_a_reset_is_recovered)
{
	cr_assert_eq(recovery_classify(HB_OK, 0), RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_TIMEOUT, 0), RECOVERY_CAUSE_DEADLINE);
	cr_assert_eq(recovery_classify(HB_ERR_PROTOCOL, 1), RECOVERY_CAUSE_BOARD_RESET);
	cr_assert_eq(recovery_classify(HB_ERR_PROTOCOL, 0), RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_MISMATCH, 0), RECOVERY_NOT_RECOVERABLE);
	cr_assert_eq(recovery_classify(HB_ERR_TOOL, 0), RECOVERY_NOT_RECOVERABLE);
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
	for (int attempt = 0; attempt < 2; attempt++)
		for (uint32_t index = 0; index < 10; index++)
			cr_assert_eq(debug_hooks_fire(&hooks, &session, "a", index), HB_OK);
	/* Model a: stuck at 2 twice (both attempts), hang at 4 and reset at 8 once. */
	cr_assert_eq(sent.count, 4);
	cr_assert_eq(sent.types[0], MSG_DEBUG_HANG);
	cr_assert_eq(sent.types[1], MSG_DEBUG_HANG);
	cr_assert_eq(sent.types[2], MSG_DEBUG_RESET);
	cr_assert_eq(sent.types[3], MSG_DEBUG_HANG);
	/* Another model passes the stuck point freely. */
	cr_assert_eq(debug_hooks_fire(&hooks, &session, "b", 2), HB_OK);
	cr_assert_eq(sent.count, 4);
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
