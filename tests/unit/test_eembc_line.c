/* The MLPerf Tiny answer-line parser on canned lines: each kind, the
 * reference's forms, and bodies that start right but are not that kind. */
#include <criterion/criterion.h>
#include <string.h>

#include "link/eembc_line.h"

static struct eembc_line parse(const char *line)
{
	static double values[4];
	struct eembc_line parsed;

	eembc_line_parse(line, values, 4, &parsed);
	return parsed;
}

static void expect_text(const struct eembc_line *parsed, const char *text)
{
	cr_assert_eq(parsed->text_length, strlen(text), "%.*s", (int)parsed->text_length,
		     parsed->text);
	cr_assert(memcmp(parsed->text, text, parsed->text_length) == 0);
}

Test(eembc_line, ready_error_and_chatter)
{
	struct eembc_line parsed = parse("m-ready");

	cr_assert_eq(parsed.kind, EEMBC_LINE_READY);
	parsed = parse("e-[Unknown command: profile]");
	cr_assert_eq(parsed.kind, EEMBC_LINE_ERROR);
	expect_text(&parsed, "e-[Unknown command: profile]");
	parsed = parse("m-warmup-start-10");
	cr_assert_eq(parsed.kind, EEMBC_LINE_MESSAGE);
	expect_text(&parsed, "warmup-start-10");
	cr_assert_eq(parse("ULPMark for tinyML Firmware V0.0.1").kind, EEMBC_LINE_OTHER);
	cr_assert_eq(parse("").kind, EEMBC_LINE_OTHER);
	cr_assert_eq(parse("m-ready ").kind, EEMBC_LINE_MESSAGE);
}

Test(eembc_line, name_plain_and_in_the_reference_form)
{
	struct eembc_line parsed = parse("m-name-dut-[hilbench-mps2]");

	cr_assert_eq(parsed.kind, EEMBC_LINE_NAME);
	expect_text(&parsed, "hilbench-mps2");
	parsed = parse("m-name-vendorboard");
	expect_text(&parsed, "vendorboard");
	parsed = parse("m-name-dut-[");
	expect_text(&parsed, "dut-[");
}

Test(eembc_line, profile_and_model)
{
	struct eembc_line parsed = parse("m-profile-[ULPMark for tinyML Firmware V0.0.1]");

	cr_assert_eq(parsed.kind, EEMBC_LINE_PROFILE);
	expect_text(&parsed, "ULPMark for tinyML Firmware V0.0.1");
	parsed = parse("m-model-[kws01]");
	cr_assert_eq(parsed.kind, EEMBC_LINE_MODEL);
	expect_text(&parsed, "kws01");
	parsed = parse("m-model-[kws01");
	cr_assert_eq(parsed.kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parsed.garbled_kind, EEMBC_LINE_MODEL);
	cr_assert_eq(parse("m-model-[").kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parse("m-model-[]").kind, EEMBC_LINE_MODEL);
}

Test(eembc_line, lap_timestamps)
{
	struct eembc_line parsed = parse("m-lap-us-18446744073709551615");

	cr_assert_eq(parsed.kind, EEMBC_LINE_LAP_US);
	cr_assert_eq(parsed.number, UINT64_MAX);
	parsed = parse("m-lap-us-0");
	cr_assert_eq(parsed.kind, EEMBC_LINE_LAP_US);
	cr_assert_eq(parsed.number, 0);
	cr_assert_eq(parse("m-lap-us-18446744073709551616").kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parse("m-lap-us-12x4").kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parse("m-lap-us-").kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parse("m-lap-us--5").garbled_kind, EEMBC_LINE_LAP_US);
}

Test(eembc_line, load_acknowledgements)
{
	struct eembc_line parsed = parse("m-[Expecting 490 bytes]");

	cr_assert_eq(parsed.kind, EEMBC_LINE_EXPECTING);
	cr_assert_eq(parsed.number, 490);
	cr_assert_eq(parse("m-load-done").kind, EEMBC_LINE_LOAD_DONE);
	cr_assert_eq(parse("m-[Expecting 49x bytes]").kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parse("m-[Expecting 490 bytes").kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parse("m-[Expecting  bytes]").kind, EEMBC_LINE_GARBLED);
}

Test(eembc_line, results_in_the_reference_form)
{
	double values[4];
	struct eembc_line parsed;

	eembc_line_parse("m-results-[0.012,0.975, -1.500,3e-2]", values, 4, &parsed);
	cr_assert_eq(parsed.kind, EEMBC_LINE_RESULTS);
	cr_assert_eq(parsed.value_count, 4);
	cr_assert_float_eq(values[0], 0.012, 1e-12);
	cr_assert_float_eq(values[2], -1.5, 1e-12);
	cr_assert_float_eq(values[3], 0.03, 1e-12);
	eembc_line_parse("m-results-[]", values, 4, &parsed);
	cr_assert_eq(parsed.kind, EEMBC_LINE_RESULTS);
	cr_assert_eq(parsed.value_count, 0);
}

Test(eembc_line, garbled_results_say_why)
{
	static const struct {
		const char *line;
		const char *why;
	} cases[] = {
	    {"m-results-[1,,2]", "expected numbers separated by ','"},
	    {"m-results-[1,2", "expected ']' at the end"},
	    {"m-results-[1;2]", "expected ',' or ']' after a number"},
	    {"m-results-[1,nan]", "expected numbers separated by ','"},
	    {"m-results-[1]]", "text after ']'"},
	    {"m-results-[1,2,3,4,5]", "more values than expected"},
	    {"m-results-[", "expected ']' at the end"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct eembc_line parsed = parse(cases[i].line);
		cr_assert_eq(parsed.kind, EEMBC_LINE_GARBLED, "%s", cases[i].line);
		cr_assert_eq(parsed.garbled_kind, EEMBC_LINE_RESULTS, "%s", cases[i].line);
		cr_assert_str_eq(parsed.why, cases[i].why, "%s", cases[i].line);
	}
	cr_assert_eq(parse("m-results-[1,2,3,4,5]").why, EEMBC_LINE_TOO_MANY_VALUES);
}

Test(eembc_line, results_into_no_buffer_are_too_many)
{
	struct eembc_line parsed;

	eembc_line_parse("m-results-[1]", NULL, 0, &parsed);
	cr_assert_eq(parsed.kind, EEMBC_LINE_GARBLED);
	cr_assert_eq(parsed.why, EEMBC_LINE_TOO_MANY_VALUES);
	eembc_line_parse("m-results-[]", NULL, 0, &parsed);
	cr_assert_eq(parsed.kind, EEMBC_LINE_RESULTS);
}
