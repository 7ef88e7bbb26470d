/* hilbench run over several boards: resolve them, fan out, then one table. */
#include "cmd/run_boards.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flash/flasher.h"
#include "lab/lab_map.h"
#include "report/report_writer.h"
#include "run/multi_board.h"
#include "util/error.h"
#include "util/fileio.h"

#define WALL_SOURCE "wall time, measured on the host"

/* What a board's child left behind, read once it ended. */
struct board_outcome {
	char **records; /* the record paths it listed that exist */
	size_t record_count;
	char error[512]; /* its last error line, "" if none */
};

struct progress {
	size_t count;
	size_t started;
	bool color;
};

static int resolve_boards(const struct run_boards_request *request, struct board_job *jobs)
{
	char first_profile[64] = "";

	for (size_t i = 0; i < request->count; i++) {
		struct board_profile board;
		const struct flasher_driver *flasher;
		int status = lab_board_resolve(request->lab_path, request->boards_dir,
					       request->boards[i], &board);

		if (status != HB_OK)
			return status;
		flasher = flasher_find(board.flasher.driver);
		memset(&jobs[i], 0, sizeof jobs[i]);
		snprintf(jobs[i].board, sizeof jobs[i].board, "%s", request->boards[i]);
		jobs[i].real = flasher && !flasher->emulator;
		if (i == 0)
			snprintf(first_profile, sizeof first_profile, "%s", board.id);
		else if (request->same_profile_only && strcmp(first_profile, board.id) != 0)
			return hb_error(HB_ERR_USAGE,
					"--firmware is one board's ELF: boards '%s' (%s) and '%s' "
					"(%s) are of different profiles",
					request->boards[0], first_profile, request->boards[i],
					board.id);
	}
	return HB_OK;
}

/* results/<UTC>_boards-<pid>/: the children's logs and record lists, kept
 * beside the records (`hilbench report` reads only the *.json files). */
static int make_work_dir(const char *results_dir, char *out, size_t capacity)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	n = snprintf(out, capacity, "%s/%s_boards-%ld", results_dir, stamp, (long)getpid());
	if (n < 0 || (size_t)n >= capacity)
		return hb_error(HB_ERR_USAGE, "--results '%s': path too long", results_dir);
	return file_make_dirs(out);
}

static void on_event(const struct board_job *job, void *context)
{
	struct progress *progress = context;
	const char *green = progress->color ? "\033[1;32m" : "";
	const char *reset = progress->color ? "\033[0m" : "";

	if (job->state == BOARD_JOB_RUNNING) {
		progress->started++;
		hb_info("board %s: started (%zu of %zu, pid %ld), log %s", job->board,
			progress->started, progress->count, (long)job->child.pid, job->log_path);
	} else if (job->exit_status == 0) {
		hb_info("board %s: %sok%s, exit 0 after %.1f s (%s)", job->board, green, reset,
			job->wall_seconds, WALL_SOURCE);
	} else {
		hb_warn("board %s: failed, exit %d after %.1f s (%s), log %s", job->board,
			job->exit_status, job->wall_seconds, WALL_SOURCE, job->log_path);
	}
}

/* The last "error: " line of a child's log. */
static void last_error_line(const char *log_path, char *out, size_t capacity)
{
	uint8_t *text;
	size_t length;
	char *line, *next;

	out[0] = '\0';
	if (file_read_all(log_path, 64u << 20, "a run log", &text, &length) != HB_OK)
		return;
	for (line = (char *)text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (strncmp(line, "error: ", 7) == 0)
			snprintf(out, capacity, "%s", line + 7);
	}
	free(text);
}

static int collect(const struct board_job *job, struct board_outcome *outcome)
{
	FILE *list = fopen(job->record_list, "r");
	char line[1024];

	memset(outcome, 0, sizeof *outcome);
	if (job->exit_status != 0)
		last_error_line(job->log_path, outcome->error, sizeof outcome->error);
	if (!list)
		return HB_OK; /* it wrote no record */
	while (fgets(line, sizeof line, list)) {
		char **grown;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || access(line, R_OK) != 0)
			continue;
		grown = realloc(outcome->records, (outcome->record_count + 1) * sizeof *grown);
		if (!grown || !(grown[outcome->record_count] = strdup(line))) {
			if (grown)
				outcome->records = grown;
			fclose(list);
			return hb_error(HB_ERR_NOMEM, "out of memory reading '%s'",
					job->record_list);
		}
		outcome->records = grown;
		outcome->record_count++;
	}
	fclose(list);
	return HB_OK;
}

static void release_outcomes(struct board_outcome *outcomes, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		for (size_t r = 0; r < outcomes[i].record_count; r++)
			free(outcomes[i].records[r]);
		free(outcomes[i].records);
	}
}

/* The table `hilbench report` prints, over the records the boards wrote. */
static int print_table(const struct board_outcome *outcomes, size_t count)
{
	struct report_table table = {0};
	struct report_selection selection;
	struct report_view view;
	char generated[32], title[64];
	time_t now = time(NULL);
	int status = HB_OK;

	for (size_t i = 0; i < count && status == HB_OK; i++)
		for (size_t r = 0; r < outcomes[i].record_count && status == HB_OK; r++)
			status = report_table_add_file(&table, outcomes[i].records[r]);
	if (status == HB_OK && table.count) {
		report_table_sort(&table);
		status = report_select(&table, NULL, -1, &selection);
		if (status == HB_OK) {
			strftime(generated, sizeof generated, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
			snprintf(title, sizeof title, "hilbench run: %zu boards", count);
			view = (struct report_view){&table, &selection, title, generated, NULL};
			status = report_writer_text.write(stdout, &view);
			report_selection_release(&selection);
		}
	}
	report_table_release(&table);
	return status;
}

static void print_summary(const struct board_job *jobs, const struct board_outcome *outcomes,
			  size_t count, unsigned jobs_limit, double wall_seconds)
{
	double summed = 0;

	printf("\nboard%*s  exit  wall time  records or error\n", 20 - 5, "");
	for (size_t i = 0; i < count; i++) {
		summed += jobs[i].wall_seconds;
		printf("%-20s  %-4d  %7.1f s  ", jobs[i].board, jobs[i].exit_status,
		       jobs[i].wall_seconds);
		for (size_t r = 0; r < outcomes[i].record_count; r++)
			printf("%s%s", r ? ", " : "", outcomes[i].records[r]);
		if (outcomes[i].error[0])
			printf("%serror: %s", outcomes[i].record_count ? "; " : "",
			       outcomes[i].error);
		else if (!outcomes[i].record_count)
			printf("no record (log %s)", jobs[i].log_path);
		printf("\n");
	}
	printf("%s: %.1f s for the whole run (emulated boards %u at once), %.1f s summed over "
	       "the %zu boards' runs\n",
	       WALL_SOURCE, wall_seconds, jobs_limit, summed, count);
}

static cJSON *seconds_json(double seconds, const char *what)
{
	cJSON *object = cJSON_CreateObject();

	cJSON_AddNumberToObject(object, "seconds", seconds);
	cJSON_AddStringToObject(object, "source", WALL_SOURCE);
	cJSON_AddStringToObject(object, "what", what);
	return object;
}

static cJSON *record_json(const char *path)
{
	uint8_t *text;
	size_t length;
	cJSON *record;

	if (file_read_all(path, 256u << 20, "a result record", &text, &length) != HB_OK)
		return cJSON_CreateNull();
	record = cJSON_ParseWithLength((const char *)text, length);
	free(text);
	return record ? record : cJSON_CreateNull();
}

static int print_json(const struct board_job *jobs, const struct board_outcome *outcomes,
		      size_t count, unsigned jobs_limit, double wall_seconds)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *boards = cJSON_AddObjectToObject(root, "boards");
	double summed = 0;
	char *text;

	cJSON_AddStringToObject(root, "schema", "hilbench.boards-run/1");
	for (size_t i = 0; i < count; i++) {
		cJSON *board = cJSON_AddObjectToObject(boards, jobs[i].board);
		cJSON *records = cJSON_AddArrayToObject(board, "records");

		summed += jobs[i].wall_seconds;
		cJSON_AddNumberToObject(board, "exit_status", jobs[i].exit_status);
		cJSON_AddItemToObject(board, "wall_time",
				      seconds_json(jobs[i].wall_seconds, "this board's run"));
		cJSON_AddStringToObject(board, "log", jobs[i].log_path);
		for (size_t r = 0; r < outcomes[i].record_count; r++)
			cJSON_AddItemToArray(records, record_json(outcomes[i].records[r]));
		if (jobs[i].exit_status != 0)
			cJSON_AddStringToObject(board, "error",
						outcomes[i].error[0] ? outcomes[i].error
								     : "it reported no error line");
	}
	cJSON_AddNumberToObject(root, "exit_status", multi_board_exit_status(jobs, count));
	cJSON_AddNumberToObject(root, "jobs", jobs_limit);
	cJSON_AddItemToObject(root, "wall_time", seconds_json(wall_seconds, "the whole run"));
	cJSON_AddItemToObject(root, "summed_wall_time",
			      seconds_json(summed, "the boards' runs, summed"));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return hb_error(HB_ERR_NOMEM, "out of memory printing the run");
	printf("%s\n", text);
	free(text);
	return HB_OK;
}

/* The caller's own --record-list gets every board's records. */
static int note_records(const char *list, const struct board_outcome *outcomes, size_t count)
{
	int status = HB_OK;

	for (size_t i = 0; list && i < count && status == HB_OK; i++)
		for (size_t r = 0; r < outcomes[i].record_count && status == HB_OK; r++)
			status = multi_board_note_record(list, outcomes[i].records[r]);
	return status;
}

static int status_of_exit(int exit_status)
{
	switch (exit_status) {
	case 0: return HB_OK;
	case 2: return HB_ERR_INPUT;
	case 3: return HB_ERR_INFRASTRUCTURE;
	default: return HB_ERR_TOOL;
	}
}

static int report_outcome(const struct run_boards_request *request, struct board_job *jobs,
			  unsigned jobs_limit, double wall_seconds)
{
	struct board_outcome outcomes[MULTI_BOARD_MAX];
	size_t failed = 0;
	int status = HB_OK, worst = multi_board_exit_status(jobs, request->count);

	memset(outcomes, 0, sizeof outcomes);
	for (size_t i = 0; i < request->count && status == HB_OK; i++)
		status = collect(&jobs[i], &outcomes[i]);
	if (status == HB_OK && request->json)
		status = print_json(jobs, outcomes, request->count, jobs_limit, wall_seconds);
	else if (status == HB_OK) {
		status = print_table(outcomes, request->count);
		print_summary(jobs, outcomes, request->count, jobs_limit, wall_seconds);
	}
	if (status == HB_OK)
		status = note_records(request->record_list, outcomes, request->count);
	release_outcomes(outcomes, request->count);
	if (status != HB_OK)
		return status;
	for (size_t i = 0; i < request->count; i++)
		failed += jobs[i].exit_status != 0;
	/* The table is on stdout, the verdict on stderr: into one file, the
	 * verdict must not land inside the buffered table. */
	fflush(stdout);
	if (failed)
		return hb_error(status_of_exit(worst),
				"%zu of %zu boards failed (exit %d, the worst)", failed,
				request->count, worst);
	return HB_OK;
}

int run_boards(const struct run_boards_request *request)
{
	struct board_job jobs[MULTI_BOARD_MAX];
	struct progress progress = {.count = request->count, .color = hb_use_color(2)};
	struct multi_board_plan plan;
	char work_dir[700];
	double wall_seconds = 0;
	int status;

	if (request->count > MULTI_BOARD_MAX)
		return hb_error(HB_ERR_USAGE, "--board: at most %d boards in one run",
				MULTI_BOARD_MAX);
	status = resolve_boards(request, jobs);
	if (status == HB_OK)
		status = make_work_dir(request->results_dir, work_dir, sizeof work_dir);
	if (status != HB_OK)
		return status;
	plan = (struct multi_board_plan){
	    .arguments = request->arguments,
	    .jobs = jobs,
	    .count = request->count,
	    .jobs_limit = request->jobs ? request->jobs : multi_board_default_jobs(),
	    .work_dir = work_dir,
	    .on_event = on_event,
	    .context = &progress,
	};
	status = multi_board_run(&plan, &wall_seconds);
	if (status != HB_OK)
		hb_warn("a board's run could not start; the others ran");
	return report_outcome(request, jobs, plan.jobs_limit, wall_seconds);
}
