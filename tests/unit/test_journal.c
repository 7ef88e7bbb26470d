/* Suite journals: what is appended reads back the same, a torn last line is
 * dropped and counted, and a damaged line is refused with its number and field. */
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
						.index = i,
						.sample = 40 + i,
						.label = 3,
						.ticks = 12946520ull + i,
						.equal = true,
						.score = 0.5,
						.output = output,
						.output_count = 3};
		cr_assert_eq(journal_append(file, journal_test_path, &sample), HB_OK);
	}
	fclose(file);
}

static void journal_test_replace(const char *from, const char *to)
{
	FILE *file = fopen(journal_test_path, "r+");
	char text[4096];
	size_t length = fread(text, 1, sizeof text - 1, file);
	char *at;
	text[length] = '\0';
	at = strstr(text, from);
	cr_assert_not_null(at, "'%s' not in the journal", from);
	memcpy(at, to, strlen(to));
	rewind(file);
	fwrite(text, 1, length, file);
	fclose(file);
}

Test(journal, appended_samples_read_back)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	uint32_t torn;

	journal_test_write(3);
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &torn),
		     HB_OK, "%s", journal_test_log);
	cr_assert_str_eq(header.suite, "fmnist");
	cr_assert_str_eq(header.board, "qemu-m4");
	cr_assert_eq(header.samples, 9);
	cr_assert_eq(header.seed, 7);
	cr_assert_eq(seen.count, 3);
	cr_assert_eq(torn, 0);
	cr_assert_str_eq(seen.last.variant, "int8");
	cr_assert_eq(seen.last.index, 2);
	cr_assert_eq(seen.last.sample, 42);
	cr_assert_eq(seen.last.ticks, 12946522ull);
	cr_assert(seen.last.equal);
	cr_assert_eq(seen.last.output_count, 3);
	cr_assert_float_eq(seen.output[1], -1.5f, 0);
}

Test(journal, torn_last_line_is_dropped_and_counted)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	uint32_t torn;
	long size;
	FILE *file;

	journal_test_write(3);
	file = fopen(journal_test_path, "r");
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fclose(file);
	cr_assert_eq(truncate(journal_test_path, size - 10), 0);
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &torn),
		     HB_OK, "%s", journal_test_log);
	cr_assert_eq(seen.count, 2);
	cr_assert_eq(torn, 1);
}

Test(journal, damaged_line_names_its_number_and_field)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	uint32_t torn;

	journal_test_write(3);
	journal_test_replace("\"ticks\":12946521", "\"ticks\":-1294652");
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &torn),
		     HB_ERR_INPUT);
	cr_assert(strstr(journal_test_log, "line 3"), "%s", journal_test_log);
	cr_assert(strstr(journal_test_log, "ticks"), "%s", journal_test_log);
	cr_assert_eq(seen.count, 1, "samples before the damaged line still reach the caller");
}

Test(journal, other_files_are_not_journals)
{
	struct journal_header header;
	struct journal_test_seen seen = {0};
	uint32_t torn;
	FILE *file = fopen(journal_test_path, "w");

	fputs("{\"schema\": \"hilbench.suite-result/1\"}\n", file);
	fclose(file);
	cr_assert_eq(journal_read(journal_test_path, &header, journal_test_collect, &seen, &torn),
		     HB_ERR_INPUT);
	cr_assert(strstr(journal_test_log, "not a hilbench journal"), "%s", journal_test_log);
}
