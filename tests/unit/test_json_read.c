/* The JSON reader helpers shared by board profiles and suites: spelling
 * suggestions, editor positions, value descriptions and the exact wording
 * of every message, which the profile and suite tests also rely on. */
#include <criterion/criterion.h>

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/json_read.h"

static char json_read_test_log[8192];
static int json_read_test_count;

static void json_read_test_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(json_read_test_log);
	(void)level;
	(void)context;
	json_read_test_count++;
	snprintf(json_read_test_log + used, sizeof json_read_test_log - used, "%s\n", message);
}

static void json_read_test_setup(void)
{
	json_read_test_log[0] = '\0';
	json_read_test_count = 0;
	hb_log_set_sink(json_read_test_sink, NULL);
}

static void json_read_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

/* Parses a test document that must be a valid object. */
static cJSON *json_read_test_object(const char *text)
{
	struct json_reader reader = {"fixture.json", 0};
	cJSON *root = NULL;

	cr_assert_eq(json_parse_object(&reader, text, strlen(text), &root), HB_OK,
		     "fixture does not parse: %s", json_read_test_log);
	cr_assert_not_null(root);
	return root;
}

static void json_read_test_expect_log(const char *expected)
{
	cr_assert_str_eq(json_read_test_log, expected);
}

TestSuite(json_read, .init = json_read_test_setup, .fini = json_read_test_teardown);

Test(json_read, edit_distance_counts_single_byte_edits)
{
	char long_word[80];

	cr_assert_eq(json_edit_distance("", ""), 0);
	cr_assert_eq(json_edit_distance("clock_hz", "clock_hz"), 0);
	cr_assert_eq(json_edit_distance("", "abc"), 3);
	cr_assert_eq(json_edit_distance("abc", ""), 3);
	cr_assert_eq(json_edit_distance("kitten", "sitting"), 3);
	cr_assert_eq(json_edit_distance("clok_hz", "clock_hz"), 1);   /* insertion */
	cr_assert_eq(json_edit_distance("clockk_hz", "clock_hz"), 1); /* deletion */
	cr_assert_eq(json_edit_distance("dsb", "dsp"), 1);	      /* substitution */
	cr_assert_eq(json_edit_distance("fpu", "upf"), 2);
	/* 64 bytes still count; 65 are "far" whatever they hold. */
	memset(long_word, 'a', 64);
	long_word[64] = '\0';
	cr_assert_eq(json_edit_distance(long_word, "aa"), 62);
	long_word[64] = 'a';
	long_word[65] = '\0';
	cr_assert_eq(json_edit_distance(long_word, long_word), SIZE_MAX);
	cr_assert_eq(json_edit_distance("a", long_word), SIZE_MAX);
}

Test(json_read, closest_name_suggests_within_two_edits)
{
	static const char *const names[] = {"origin", "size", "schema", "seed", NULL};
	static const char *const ties[] = {"abcx", "abcy", NULL};

	cr_assert_str_eq(json_closest_name("orgin", names), "origin");
	cr_assert_str_eq(json_closest_name("sise", names), "size");
	cr_assert_str_eq(json_closest_name("shcema", names), "schema");
	/* The nearest wins, not the first within reach. */
	cr_assert_str_eq(json_closest_name("sied", names), "seed"); /* size: 2 */
	cr_assert_str_eq(json_closest_name("seeds", names), "seed");
	/* On a tie the first listed wins, so suggestions are stable. */
	cr_assert_str_eq(json_closest_name("abc", ties), "abcx");
	/* Three edits away is not a suggestion. */
	cr_assert_null(json_closest_name("xyz", names));
	cr_assert_null(json_closest_name("origin_address", names));
	cr_assert_null(json_closest_name("size", (const char *const[]){NULL}));
}

Test(json_read, name_index_is_exact)
{
	static const char *const names[] = {"qemu", "serial", "tcp", NULL};

	cr_assert_eq(json_name_index("qemu", names), 0);
	cr_assert_eq(json_name_index("tcp", names), 2);
	cr_assert_eq(json_name_index("TCP", names), -1);
	cr_assert_eq(json_name_index("tc", names), -1);
	cr_assert_eq(json_name_index("", names), -1);
}

Test(json_read, text_position_counts_lines_and_bytes)
{
	static const char text[] = "{\n  \"a\": 1,\n\n\tx\n";
	unsigned line = 0, column = 0;

	json_text_position(text, 0, &line, &column);
	cr_assert_eq(line, 1);
	cr_assert_eq(column, 1);
	json_text_position(text, 1, &line, &column); /* the newline itself */
	cr_assert_eq(line, 1);
	cr_assert_eq(column, 2);
	json_text_position(text, 2, &line, &column);
	cr_assert_eq(line, 2);
	cr_assert_eq(column, 1);
	json_text_position(text, 4, &line, &column); /* the quote */
	cr_assert_eq(line, 2);
	cr_assert_eq(column, 3);
	json_text_position(text, 14, &line, &column); /* 'x', after a tab */
	cr_assert_eq(text[14], 'x');
	cr_assert_eq(line, 4);
	cr_assert_eq(column, 2);
}

Test(json_read, printable_replaces_control_bytes_and_cuts)
{
	char out[16];

	json_printable("plain text", out, sizeof out);
	cr_assert_str_eq(out, "plain text");
	json_printable("a\tb\nc\x7f"
		       "d\xc3\xa9",
		       out, sizeof out);
	cr_assert_str_eq(out, "a?b?c?d??");
	/* Room for 12 bytes plus "..." and the terminator. */
	json_printable("0123456789abcdefghij", out, sizeof out);
	cr_assert_str_eq(out, "0123456789ab...");
	json_printable("0123456789abc", out, sizeof out);
	cr_assert_str_eq(out, "0123456789ab...");
	json_printable("0123456789ab", out, sizeof out);
	cr_assert_str_eq(out, "0123456789ab");
	json_printable("", out, sizeof out);
	cr_assert_str_eq(out, "");
}

Test(json_read, field_path_joins_with_a_dot)
{
	char path[64];
	char long_key[100];

	json_field_path(path, sizeof path, "", "clock_hz");
	cr_assert_str_eq(path, "clock_hz");
	json_field_path(path, sizeof path, NULL, "clock_hz");
	cr_assert_str_eq(path, "clock_hz");
	json_field_path(path, sizeof path, "memory.flash", "size");
	cr_assert_str_eq(path, "memory.flash.size");
	json_field_path(path, sizeof path, "models", "bad\x1bkey");
	cr_assert_str_eq(path, "models.bad?key");
	memset(long_key, 'k', sizeof long_key - 1);
	long_key[sizeof long_key - 1] = '\0';
	json_field_path(path, sizeof path, "a", long_key);
	cr_assert_str_eq(path, "a.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...");
}

Test(json_read, describe_names_every_type)
{
	static const struct {
		const char *json, *described;
	} cases[] = {
	    {"\"fast\"", "\"fast\""},
	    {"\"tab\\there\"", "\"tab?here\""},
	    {"25000000", "25000000"},
	    {"-1.5", "-1.5"},
	    {"0.1", "0.10000000000000001"},
	    {"true", "true"},
	    {"false", "false"},
	    {"null", "null"},
	    {"[1, 2]", "an array"},
	    {"{}", "an object"},
	};
	char out[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *item = cJSON_Parse(cases[i].json);

		cr_assert_not_null(item, "%s", cases[i].json);
		json_describe(item, out, sizeof out);
		cr_assert_str_eq(out, cases[i].described, "for %s", cases[i].json);
		cJSON_Delete(item);
	}
}

Test(json_read, describe_cuts_long_strings)
{
	cJSON *item = cJSON_CreateString("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
	char out[64];

	cr_assert_not_null(item);
	json_describe(item, out, sizeof out);
	cr_assert_str_eq(out, "\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqr...\"");
	cJSON_Delete(item);
}

Test(json_read, list_names_leaves_out_what_does_not_fit)
{
	static const char *const names[] = {"idx", "npy", "raw", NULL};
	char out[64];
	char small[12];

	json_list_names(names, out, sizeof out);
	cr_assert_str_eq(out, "idx, npy, raw");
	json_list_names(names, small, sizeof small);
	cr_assert_str_eq(small, "idx, npy");
	json_list_names((const char *const[]){NULL}, out, sizeof out);
	cr_assert_str_eq(out, "");
}

Test(json_read, parse_object_accepts_an_object)
{
	static const char text[] = "{\"a\": 1}";
	struct json_reader reader = {"ok.json", 0};
	cJSON *root = NULL;

	/* No terminator needed: the length bounds the text. */
	cr_assert_eq(json_parse_object(&reader, text, strlen(text), &root), HB_OK);
	cr_assert(cJSON_IsObject(root));
	cr_assert_eq(cJSON_GetObjectItemCaseSensitive(root, "a")->valueint, 1);
	cr_assert_eq(reader.errors, 0);
	cr_assert_eq(json_read_test_count, 0);
	cJSON_Delete(root);
}

Test(json_read, parse_object_reports_positions)
{
	static const struct {
		const char *text;
		size_t length; /* 0: strlen */
		const char *message;
	} cases[] = {
	    {"{\"a\": 1,\n  \"b\": tru }", 0, "bad.json:2:8: invalid JSON\n"},
	    {"{\"a\": 1}\n  x", 0, "bad.json:2:3: invalid JSON\n"},
	    {"{\"a\":\n 1", 0, "bad.json:2:3: invalid JSON\n"},
	    {"", 0, "bad.json:1:1: invalid JSON\n"},
	    {"{\"a\":\n\"x\0y\"}", 12, "bad.json:2:3: invalid JSON: NUL byte in the text\n"},
	    {"[1, 2]", 0, "bad.json: expected a JSON object at the top level, got an array\n"},
	    {"\"board\"", 0, "bad.json: expected a JSON object at the top level, got \"board\"\n"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct json_reader reader = {"bad.json", 0};
		size_t length = cases[i].length ? cases[i].length : strlen(cases[i].text);
		cJSON *root = (cJSON *)&reader; /* must be cleared */

		json_read_test_log[0] = '\0';
		cr_assert_eq(json_parse_object(&reader, cases[i].text, length, &root), HB_ERR_INPUT,
			     "case %zu", i);
		cr_assert_null(root, "case %zu", i);
		cr_assert_str_eq(json_read_test_log, cases[i].message, "case %zu", i);
		/* Parse errors stop the read; they are not field problems. */
		cr_assert_eq(reader.errors, 0);
	}
}

Test(json_read, fail_prefixes_the_file_and_counts)
{
	struct json_reader reader = {"boards/x.json", 0};

	json_fail(&reader, "field '%s': %d", "a", 7);
	json_fail(&reader, "second");
	cr_assert_eq(reader.errors, 2);
	json_read_test_expect_log("boards/x.json: field 'a': 7\nboards/x.json: second\n");
	cr_assert_str_eq(hb_last_error(), "boards/x.json: second");
}

Test(json_read, check_members_suggests_lists_and_finds_repeats)
{
	static const char *const known[] = {"origin", "size", NULL};
	struct json_reader reader = {"b.json", 0};
	cJSON *root = json_read_test_object(
	    "{\"orign\": 1, \"size\": 2, \"colour\": 3, \"size\": 4, \"origin\": 5}");

	json_check_members(&reader, root, "memory.flash", known);
	cr_assert_eq(reader.errors, 3);
	json_read_test_expect_log(
	    "b.json: unknown field 'memory.flash.orign' (did you mean 'memory.flash.origin'?)\n"
	    "b.json: unknown field 'memory.flash.colour' (known fields here: origin, size)\n"
	    "b.json: field 'memory.flash.size' appears more than once\n");
	cJSON_Delete(root);
}

Test(json_read, check_members_without_known_only_finds_repeats)
{
	struct json_reader reader = {"s.json", 0};
	cJSON *root = json_read_test_object("{\"int8\": \"a\", \"anything\": 1, \"int8\": \"b\"}");

	json_check_members(&reader, root, "models", NULL);
	cr_assert_eq(reader.errors, 1);
	json_read_test_expect_log("s.json: field 'models.int8' appears more than once\n");
	cJSON_Delete(root);
}

Test(json_read, member_reports_missing_unless_misspelt)
{
	struct json_reader reader = {"m.json", 0};
	cJSON *root = json_read_test_object("{\"port\": \"mps2\", \"clk_hz\": 5}");
	const cJSON *item;

	item = json_member(&reader, root, "firmware", "port", "a string");
	cr_assert_str_eq(item->valuestring, "mps2");
	/* "clk_hz" (two edits) is there: the misspelling is the one message. */
	cr_assert_null(json_member(&reader, root, "", "clock_hz", "a positive integer"));
	cr_assert_eq(reader.errors, 0);
	/* Optional members are not reported. */
	cr_assert_null(json_member(&reader, root, "", "baud", NULL));
	/* A parent that was invalid has nothing more to say. */
	cr_assert_null(json_member(&reader, NULL, "console", "baud", "a positive integer"));
	cr_assert_eq(reader.errors, 0);
	cr_assert_null(json_member(&reader, root, "firmware", "variant", "a name"));
	cr_assert_eq(reader.errors, 1);
	json_read_test_expect_log("m.json: missing field 'firmware.variant' (expected a name)\n");
	cJSON_Delete(root);
}

Test(json_read, fail_expected_shows_what_was_there)
{
	struct json_reader reader = {"boards/qemu-m4.json", 0};
	cJSON *root = json_read_test_object("{\"clock_hz\": \"fast\"}");

	json_fail_expected(&reader, "", "clock_hz", "a positive integer",
			   cJSON_GetObjectItemCaseSensitive(root, "clock_hz"));
	cr_assert_eq(reader.errors, 1);
	json_read_test_expect_log("boards/qemu-m4.json: field 'clock_hz': expected a positive "
				  "integer, got \"fast\"\n");
	cJSON_Delete(root);
}

Test(json_read, number_to_u32_takes_exact_integers_in_range)
{
	static const struct {
		const char *json;
		uint32_t minimum, maximum;
		bool valid;
		uint32_t value;
	} cases[] = {
	    {"0", 0, UINT32_MAX, true, 0},
	    {"4294967295", 0, UINT32_MAX, true, UINT32_MAX},
	    {"4294967296", 0, UINT32_MAX, false, 0},
	    {"-1", 0, UINT32_MAX, false, 0},
	    {"1.5", 0, UINT32_MAX, false, 0},
	    {"1e3", 0, UINT32_MAX, true, 1000},
	    {"1", 2, 64, false, 0},
	    {"2", 2, 64, true, 2},
	    {"64", 2, 64, true, 64},
	    {"65", 2, 64, false, 0},
	    {"2147483647", 1, INT32_MAX, true, INT32_MAX},
	    {"2147483648", 1, INT32_MAX, false, 0},
	    {"\"7\"", 0, UINT32_MAX, false, 0},
	    {"true", 0, UINT32_MAX, false, 0},
	    {"null", 0, UINT32_MAX, false, 0},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *item = cJSON_Parse(cases[i].json);
		uint32_t value = 12345;
		bool valid;

		cr_assert_not_null(item, "%s", cases[i].json);
		valid = json_number_to_u32(item, cases[i].minimum, cases[i].maximum, &value);
		cr_assert_eq(valid, cases[i].valid, "%s", cases[i].json);
		cr_assert_eq(value, cases[i].valid ? cases[i].value : 12345,
			     "%s: a rejected number must leave the output alone", cases[i].json);
		cJSON_Delete(item);
	}
}

Test(json_read, check_schema_wants_the_exact_version)
{
	static const struct {
		const char *json;
		const char *message; /* NULL: accepted */
	} cases[] = {
	    {"{\"schema\": 1}", NULL},
	    {"{\"schema\": 2}", "v.json: field 'schema': expected 1, got 2\n"},
	    {"{\"schema\": \"1\"}", "v.json: field 'schema': expected 1, got \"1\"\n"},
	    {"{\"schema\": 1.5}", "v.json: field 'schema': expected 1, got 1.5\n"},
	    {"{}", "v.json: missing field 'schema' (expected 1)\n"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct json_reader reader = {"v.json", 0};
		cJSON *root = json_read_test_object(cases[i].json);

		json_read_test_log[0] = '\0';
		json_check_schema(&reader, root, 1);
		cr_assert_eq(reader.errors, cases[i].message ? 1 : 0, "%s", cases[i].json);
		cr_assert_str_eq(json_read_test_log, cases[i].message ? cases[i].message : "");
		cJSON_Delete(root);
	}
}

Test(json_read, string_kinds)
{
	cr_assert(json_string_is_kind("Test MPS2 AN386", JSON_STRING_TEXT));
	cr_assert_not(json_string_is_kind("Test MPS2 AN386", JSON_STRING_TOKEN));
	cr_assert(json_string_is_kind("interface/stlink.cfg", JSON_STRING_TOKEN));
	cr_assert_not(json_string_is_kind("interface/stlink.cfg", JSON_STRING_IDENTIFIER));
	cr_assert(json_string_is_kind("qemu-m4_v2", JSON_STRING_IDENTIFIER));
	cr_assert_not(json_string_is_kind("", JSON_STRING_TEXT));
	cr_assert_not(json_string_is_kind("line\nbreak", JSON_STRING_TEXT));
	cr_assert_not(json_string_is_kind("del\x7f", JSON_STRING_TEXT));
	cr_assert_not(json_string_is_kind("../x", JSON_STRING_IDENTIFIER));
}

Test(json_read, read_string_checks_kind_and_length)
{
	struct json_reader reader = {"r.json", 0};
	cJSON *root = json_read_test_object(
	    "{\"id\": \"qemu-m4\", \"name\": \"a/b\", \"long\": \"abcdefgh\", \"num\": 3}");
	char out[8] = "unset";

	cr_assert(json_read_string(&reader, root, "", "id", true, JSON_STRING_IDENTIFIER, out,
				   sizeof out));
	cr_assert_str_eq(out, "qemu-m4");
	cr_assert_not(json_read_string(&reader, root, "", "name", true, JSON_STRING_IDENTIFIER, out,
				       sizeof out));
	cr_assert_not(
	    json_read_string(&reader, root, "", "long", true, JSON_STRING_TEXT, out, sizeof out));
	cr_assert_not(
	    json_read_string(&reader, root, "x", "num", true, JSON_STRING_TOKEN, out, sizeof out));
	cr_assert_not(json_read_string(&reader, root, "", "absent", false, JSON_STRING_TEXT, out,
				       sizeof out));
	cr_assert_not(json_read_string(&reader, root, "", "missing", true, JSON_STRING_TEXT, out,
				       sizeof out));
	cr_assert_str_eq(out, "qemu-m4", "rejected values must not be copied");
	cr_assert_eq(reader.errors, 4);
	json_read_test_expect_log(
	    "r.json: field 'name': expected a non-empty string of letters, digits, '-' or '_', "
	    "got \"a/b\"\n"
	    "r.json: field 'long': expected at most 7 characters, got 8\n"
	    "r.json: field 'x.num': expected a non-empty string without spaces, got 3\n"
	    "r.json: missing field 'missing' (expected a non-empty string)\n");
	cJSON_Delete(root);
}

Test(json_read, read_choice_bool_u32_and_object)
{
	static const char *const names[] = {"dwt", "systick", NULL};
	static const char *const known[] = {"port", NULL};
	struct json_reader reader = {"c.json", 0};
	cJSON *root = json_read_test_object(
	    "{\"counter\": \"systick\", \"bad\": \"DWT\", \"dsp\": true, \"fpu\": 1,"
	    " \"baud\": 115200, \"zero\": 0, \"firmware\": {\"prot\": \"x\"}, \"list\": []}");
	uint32_t value = 0;
	bool flag = false;

	cr_assert_eq(json_read_choice(&reader, root, "", "counter", names), 1);
	cr_assert_eq(json_read_choice(&reader, root, "", "bad", names), -1);
	cr_assert(json_read_bool(&reader, root, "", "dsp", &flag));
	cr_assert(flag);
	cr_assert_not(json_read_bool(&reader, root, "", "fpu", &flag));
	cr_assert(json_read_u32(&reader, root, "", "baud", true, 1, "a baud rate", &value));
	cr_assert_eq(value, 115200);
	cr_assert_not(json_read_u32(&reader, root, "", "zero", true, 1, "a baud rate", &value));
	cr_assert_not(json_read_u32(&reader, root, "", "seed", false, 0, "a seed", &value));
	cr_assert_eq(value, 115200);
	cr_assert_not_null(json_read_object(&reader, root, "", "firmware", known));
	cr_assert_null(json_read_object(&reader, root, "", "list", known));
	cr_assert_eq(reader.errors, 5);
	json_read_test_expect_log(
	    "c.json: field 'bad': expected one of dwt, systick, got \"DWT\"\n"
	    "c.json: field 'fpu': expected true or false, got 1\n"
	    "c.json: field 'zero': expected a baud rate, got 0\n"
	    "c.json: unknown field 'firmware.prot' (did you mean 'firmware.port'?)\n"
	    "c.json: field 'list': expected an object, got an array\n");
	cJSON_Delete(root);
}
