/* A run over several boards: the exit status rule, the default jobs, and
 * the record list a child appends to. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/multi_board.h"
#include "util/error.h"

static int worst_of(const int *codes, size_t count)
{
	struct board_job jobs[8];

	memset(jobs, 0, sizeof jobs);
	for (size_t i = 0; i < count; i++)
		jobs[i].exit_status = codes[i];
	return multi_board_exit_status(jobs, count);
}

Test(multi_board, the_exit_status_is_the_highest_a_signal_counts_as_no_result)
{
	const int all_ok[] = {0, 0, 0};
	const int one_failed[] = {0, 1, 0};
	const int bad_input_and_failed[] = {1, 2, 0};
	const int timeout_wins[] = {2, 3, 1};
	const int killed[] = {0, 128 + 9, 1};
	const int never_started[] = {127, 0};

	cr_assert_eq(worst_of(all_ok, 3), 0);
	cr_assert_eq(worst_of(one_failed, 3), 1);
	cr_assert_eq(worst_of(bad_input_and_failed, 3), 2);
	cr_assert_eq(worst_of(timeout_wins, 3), 3);
	cr_assert_eq(worst_of(killed, 3), 3);
	cr_assert_eq(worst_of(never_started, 2), 3);
	cr_assert_geq(multi_board_default_jobs(), 1);
}

Test(multi_board, records_are_appended_one_a_line)
{
	char path[] = "/tmp/hb-record-list-XXXXXX", text[256] = "";
	int fd = mkstemp(path);
	FILE *file;
	size_t length;

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(multi_board_note_record(path, "results/a.json"), HB_OK);
	cr_assert_eq(multi_board_note_record(path, "results/b.json"), HB_OK);
	file = fopen(path, "r");
	cr_assert_not_null(file);
	length = fread(text, 1, sizeof text - 1, file);
	fclose(file);
	text[length] = '\0';
	cr_assert_str_eq(text, "results/a.json\nresults/b.json\n");
	unlink(path);
	hb_log_set_sink(NULL, NULL);
	cr_assert_eq(multi_board_note_record("/nonexistent-dir/list", "x.json"), HB_ERR_IO);
}
