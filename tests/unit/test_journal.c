/* Suite journals: what is appended reads back the same; a torn or damaged
 * last line is dropped with a warning naming it, and appending after it
 * resumes cleanly; a damaged line before the last, an older schema and a
 * line with a wrong field are refused with the file and line named. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/journal.h"
#include "util/error.h"

static char journal_test_log[4096];
static char journal_test_path[64];

static void journal_test_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(journal_test_log);
	(void)level;
	(void)context;
	snprintf(journal_test_log + used, sizeof journal_test_log - used, "%s\n", message);
}

static void journal_test_setup(void)
{
	int fd;
	journal_test_log[0] = '\0';
	hb_log_set_sink(journal_test_sink, NULL);
	snprintf(journal_test_path, sizeof journal_test_path, "/tmp/hb-journal-XXXXXX");
	fd = mkstemp(journal_test_path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void journal_test_teardown(void)
{
	unlink(journal_test_path);
	hb_log_set_sink(NULL, NULL);
}

TestSuite(journal, .init = journal_test_setup, .fini = journal_test_teardown);

struct journal_test_seen {
	uint32_t count;
	struct journal_sample last;
	float output[4];
};

static int journal_test_collect(void *context, const struct journal_sample *sample)
{
	struct journal_test_seen *seen = context;
	seen->count++;
	seen->last = *sample;
	cr_assert_leq(sample->output_count, 4);
	memcpy(seen->output, sample->output, sample->output_count * sizeof *sample->output);
	return HB_OK;
}

static void journal_test_write(uint32_t samples)
{
	const struct journal_header header = {
	    .suite = "fmnist", .board = "qemu-m4", .samples = 9, .seed = 7};
	const float output[3] = {0.25f, -1.5f, 3.0f};
	FILE *file;

	cr_assert_eq(journal_create(journal_test_path, &header, &file), HB_OK);
	for (uint32_t i = 0; i < samples; i++) {
		struct journal_sample sample = {.variant = "int8",
						.counted = true,
						.index = i,
						.sample = 40 + i,
						.label = 3,
						.ticks = 12946520ull + i,
						.equal = true,
						.score = 0.5,
						.max_abs_error = 0.125,
						.stack_high_water = 740 + i,
						.inference_stack = 292,
						.arena_used = 62720,
						.output = output,
						.output_count = 3};
		cr_assert_eq(journal_append(file, journal_test_path, &sample), HB_OK);
	}
	fclose(file);
}

static size_t journal_test_read(char *text, size_t capacity)
{
	FILE *file = fopen(journal_test_path, "r");
	size_t length = fread(text, 1, capacity - 1, file);
	fclose(file);
	text[length] = '\0';
	return length;
}

static void journal_test_put(const char *text)
{
	FILE *file = fopen(journal_test_path, "w");
	fputs(text, file);
	fclose(file);
}

/* Overwrites the first `from` with `to` (same length), the checksum left as it was. */
static void journal_test_replace(const char *from, const char *to)
{
	char text[4096];
	char *at;

	cr_assert_eq(strlen(from), strlen(to));
	journal_test_read(text, sizeof text);
	at = strstr(text, from);
	cr_assert_not_null(at, "'%s' not in the journal", from);
	memcpy(at, to, strlen(to));
	journal_test_put(text);
}

/* Line `number` (1-based) rewritten with `from` replaced by `to` and sealed
 * again: a line with a valid checksum that says something wrong. */
static void journal_test_reseal(unsigned number, const char *from, const char *to)
{
	char text[4096], out[4096];
	char *line = text, *end, *at, *sealed, *seal;

	journal_test_read(text, sizeof text);
	for (unsigned n = 1; n < number; n++)
		line = strchr(line, '\n') + 1;
	end = strchr(line, '\n');
	*end = '\0';
	at = strstr(line, from);
	cr_assert_not_null(at, "'%s' not in line %u", from, number);
	seal = strstr(line, ",\"crc32\":");
	cr_assert_not_null(seal);
	*seal = '\0';
	snprintf(out, sizeof out, "%.*s%s%s}", (int)(at - line), line, to, at + strlen(from));
	sealed = journal_seal(out, strlen(out));
	cr_assert_not_null(sealed);
	snprintf(out, sizeof out, "%.*s%s\n%s", (int)(line - text), text, sealed, end + 1);
	free(sealed);
	journal_test_put(out);
}

static long journal_test_size(void)
{
	FILE *file = fopen(journal_test_path, "r");
	long size;
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fclose(file);
	return size;
}

Test(journal, appended_samples_read_back)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;
	char text[4096];

	journal_test_write(3);
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_OK, "%s", journal_test_log);
	cr_assert_str_eq(header.suite, "fmnist");
	cr_assert_str_eq(header.board, "qemu-m4");
	cr_assert_eq(header.samples, 9);
	cr_assert_eq(header.seed, 7);
	cr_assert_eq(seen.count, 3);
	cr_assert_eq(tail.dropped_line, 0);
	cr_assert_eq(tail.valid_bytes, (size_t)journal_test_size());
	cr_assert_str_eq(seen.last.variant, "int8");
	cr_assert_eq(seen.last.index, 2);
	cr_assert_eq(seen.last.sample, 42);
	cr_assert_eq(seen.last.ticks, 12946522ull);
	cr_assert(seen.last.equal);
	cr_assert_eq(seen.last.output_count, 3);
	cr_assert_float_eq(seen.output[1], -1.5f, 0);
	cr_assert_float_eq(seen.last.max_abs_error, 0.125, 0);
	cr_assert_eq(seen.last.stack_high_water, 742);
	cr_assert_eq(seen.last.inference_stack, 292);
	cr_assert_eq(seen.last.arena_used, 62720);
	journal_test_read(text, sizeof text);
	cr_assert(strncmp(text, "{\"journal\":\"hilbench.journal/2\",", 32) == 0, "%s", text);
	cr_assert_eq(journal_test_log[0], '\0', "a clean read warns: %s", journal_test_log);
}

/* By hand: zlib.crc32(b'{"a":1') == 0xa702fc6e. */
Test(journal, seal_is_the_crc32_of_the_text_before_it)
{
	char *sealed = journal_seal("{\"a\":1}", 7);

	cr_assert_not_null(sealed);
	cr_assert_str_eq(sealed, "{\"a\":1,\"crc32\":\"a702fc6e\"}");
	free(sealed);
	cr_assert_null(journal_seal("[1]", 3), "only an object can be sealed");
}

/* A kill while the last line was being written, then a resume: the torn
 * line is dropped with a warning naming it, and what the resumed run
 * appends is not glued to it. */
Test(journal, torn_last_line_is_dropped_with_a_warning_and_appending_resumes)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;
	long size;
	FILE *file;
	const float output[3] = {1, 2, 3};
	const struct journal_sample again = {.variant = "int8",
					     .counted = true,
					     .index = 2,
					     .sample = 42,
					     .label = 3,
					     .ticks = 99,
					     .equal = true,
					     .output = output,
					     .output_count = 3};

	journal_test_write(3);
	size = journal_test_size();
	cr_assert_eq(truncate(journal_test_path, size - 10), 0);
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_OK, "%s", journal_test_log);
	cr_assert_eq(seen.count, 2);
	cr_assert_eq(tail.dropped_line, 4);
	cr_assert(strstr(journal_test_log, journal_test_path), "%s", journal_test_log);
	cr_assert(strstr(journal_test_log, "line 4"), "%s", journal_test_log);
	cr_assert(strstr(journal_test_log, "cut short"), "%s", journal_test_log);

	cr_assert_eq(journal_open_append(journal_test_path, tail.valid_bytes, &file), HB_OK);
	cr_assert_eq(journal_append(file, journal_test_path, &again), HB_OK);
	fclose(file);
	journal_test_log[0] = '\0';
	memset(&seen, 0, sizeof seen);
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_OK, "%s", journal_test_log);
	cr_assert_eq(seen.count, 3);
	cr_assert_eq(tail.dropped_line, 0);
	cr_assert_eq(seen.last.ticks, 99);
	cr_assert_eq(journal_test_log[0], '\0', "%s", journal_test_log);
}

/* Whole but wrong (a power cut can leave that): dropped too, being last. */
Test(journal, damaged_last_line_is_dropped_with_a_warning)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;

	journal_test_write(3);
	journal_test_replace("\"ticks\":12946522", "\"ticks\":12946529");
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_OK, "%s", journal_test_log);
	cr_assert_eq(seen.count, 2);
	cr_assert_eq(tail.dropped_line, 4);
	cr_assert(strstr(journal_test_log, "line 4: fails its checksum"), "%s", journal_test_log);
}

Test(journal, damaged_middle_line_is_refused_naming_the_line)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;

	journal_test_write(3);
	journal_test_replace("\"ticks\":12946521", "\"ticks\":12946527");
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_ERR_INPUT);
	cr_assert(strstr(journal_test_log, journal_test_path), "%s", journal_test_log);
	cr_assert(strstr(journal_test_log, "line 3: fails its checksum"), "%s", journal_test_log);
	cr_assert_eq(seen.count, 1, "samples before the damaged line still reach the caller");
}

/* A line whose checksum holds but whose content is wrong was written so on
 * purpose: it is refused like any malformed file, field named. */
Test(journal, sealed_line_with_a_wrong_field_names_its_number_and_field)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;

	journal_test_write(3);
	journal_test_reseal(3, "\"ticks\":12946521", "\"ticks\":-1294652");
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_ERR_INPUT);
	cr_assert(strstr(journal_test_log, "line 3"), "%s", journal_test_log);
	cr_assert(strstr(journal_test_log, "ticks"), "%s", journal_test_log);
	cr_assert_eq(seen.count, 1);
}

Test(journal, older_schema_is_refused_with_what_to_do)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;

	journal_test_put("{\"journal\":\"hilbench.journal/1\",\"suite\":\"fmnist\",\"board\":"
			 "\"qemu-m4\",\"samples\":3,\"seed\":1}\n");
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_ERR_INPUT);
	cr_assert(strstr(journal_test_log, "line 1"), "%s", journal_test_log);
	cr_assert(strstr(journal_test_log, "hilbench.journal/1"), "%s", journal_test_log);
	cr_assert(strstr(journal_test_log, "without --resume"), "%s", journal_test_log);
}

Test(journal, cut_header_is_refused)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;

	journal_test_put("{\"journal\":\"hilbench.jou");
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_ERR_INPUT);
	cr_assert(strstr(journal_test_log, "header is cut short"), "%s", journal_test_log);
}

Test(journal, other_files_are_not_journals)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;

	journal_test_put("{\"schema\": \"hilbench.suite-result/1\"}\n");
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_ERR_INPUT);
	cr_assert(strstr(journal_test_log, "not a hilbench journal"), "%s", journal_test_log);
}

/* A protocol that counts nothing (MLPerf Tiny) journals null, never 0, and
 * reads back as uncounted; a line with null ticks but a memory figure is
 * refused, naming the field. */
Test(journal, uncounted_samples_hold_null_and_read_back_uncounted)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	struct journal_tail tail;
	const struct journal_header head = {
	    .suite = "kws", .board = "qemu-m4", .samples = 2, .seed = 1};
	const float output[2] = {0.25f, 0.75f};
	const struct journal_sample sample = {.variant = "int8",
					      .index = 0,
					      .sample = 5,
					      .label = 1,
					      .equal = true,
					      .output = output,
					      .output_count = 2};
	char text[4096];
	FILE *file;

	cr_assert_eq(journal_create(journal_test_path, &head, &file), HB_OK);
	cr_assert_eq(journal_append(file, journal_test_path, &sample), HB_OK);
	fclose(file);
	journal_test_read(text, sizeof text);
	cr_assert(strstr(text, "\"ticks\":null"), "%s", text);
	cr_assert(strstr(text, "\"arena_used\":null"), "%s", text);
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		     HB_OK, "%s", journal_test_log);
	cr_assert_eq(seen.count, 1);
	cr_assert_not(seen.last.counted);

	{
		static const char lying[] =
		    "{\"variant\":\"int8\",\"index\":0,\"sample\":5,\"label\":1,\"ticks\":null,"
		    "\"equal\":true,\"score\":0,\"max_abs_error\":0,\"stack_high_water\":null,"
		    "\"inference_stack\":null,\"arena_used\":1,\"output\":[0.25,0.75]}";
		char *sealed = journal_seal(lying, strlen(lying));
		char edited[9000];

		cr_assert(sealed);
		*(strchr(text, '\n') + 1) = '\0';
		snprintf(edited, sizeof edited, "%s%s\n%s\n", text, sealed, sealed);
		free(sealed);
		journal_test_put(edited);
	}
	journal_test_log[0] = '\0';
	memset(&seen, 0, sizeof seen);
	cr_assert_neq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &tail),
		      HB_OK);
	cr_assert(strstr(journal_test_log, "arena_used"), "%s", journal_test_log);
}
