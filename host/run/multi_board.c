/* One hilbench child per board: started within the jobs limit, reaped as
 * each ends, timed on the host. */
#include "run/multi_board.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"

/* How long the wait for one child blocks before the others are looked at:
 * bounds how late an end is seen (and timed). */
#define REAP_STEP_MS 20
/* The arguments a plan may carry, besides the board's own four. */
#define MAX_ARGUMENTS 192

unsigned multi_board_default_jobs(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores > 0 ? (unsigned)cores : 1;
}

static int start_job(const struct multi_board_plan *plan, struct board_job *job)
{
	/* The parent's own binary, even if the file was rebuilt since it started. */
	const char *argv[MAX_ARGUMENTS + 6] = {"/proc/self/exe"};
	size_t argc = 1;
	/* SIGTERM if the parent dies: the child then stops its emulator or
	 * OpenOCD itself and its journal stays whole. */
	const struct spawn_options options = {.log_path = job->log_path, .death_signal = SIGTERM};
	int status;

	for (const char *const *argument = plan->arguments; *argument; argument++) {
		if (argc == MAX_ARGUMENTS)
			return hb_error(HB_ERR_USAGE,
					"a run over several boards takes at most %d "
					"arguments",
					MAX_ARGUMENTS);
		argv[argc++] = *argument;
	}
	argv[argc++] = "--board";
	argv[argc++] = job->board;
	argv[argc++] = "--record-list";
	argv[argc++] = job->record_list;
	argv[argc] = NULL;
	unlink(job->record_list); /* the child appends */
	job->started_ms = clock_now_ms();
	status = spawn_start(argv, &options, &job->child);
	if (status != HB_OK) {
		job->state = BOARD_JOB_DONE;
		job->exit_status = 127;
		job->finished_ms = job->started_ms;
		return status;
	}
	job->state = BOARD_JOB_RUNNING;
	return HB_OK;
}

static void finish_job(struct board_job *job)
{
	job->finished_ms = clock_now_ms();
	job->wall_seconds = (double)(job->finished_ms - job->started_ms) / 1000.0;
	job->exit_status = job->child.exit_status;
	job->state = BOARD_JOB_DONE;
}

static void notify(const struct multi_board_plan *plan, const struct board_job *job)
{
	if (plan->on_event)
		plan->on_event(job, plan->context);
}

/* Starts what the limit allows: every waiting real board, emulated ones
 * while fewer than jobs_limit of them run. */
static int start_ready(struct multi_board_plan *plan, size_t *running_emulated)
{
	int first_error = HB_OK;

	for (size_t i = 0; i < plan->count; i++) {
		struct board_job *job = &plan->jobs[i];
		int status;

		if (job->state != BOARD_JOB_WAITING)
			continue;
		if (!job->real && *running_emulated >= plan->jobs_limit)
			continue;
		status = start_job(plan, job);
		if (status == HB_OK && !job->real)
			++*running_emulated;
		if (status != HB_OK && first_error == HB_OK)
			first_error = status;
		notify(plan, job);
	}
	return first_error;
}

/* Reaps whatever has ended, waiting a short step on the first running
 * child when none has; returns how many are still running. */
static size_t reap_ended(struct multi_board_plan *plan, size_t *running_emulated)
{
	size_t running = 0;
	bool waited = false;

	for (size_t i = 0; i < plan->count; i++) {
		struct board_job *job = &plan->jobs[i];

		if (job->state != BOARD_JOB_RUNNING)
			continue;
		if (spawn_wait(&job->child, waited ? 0 : REAP_STEP_MS) != HB_OK) {
			waited = true;
			running++;
			continue;
		}
		finish_job(job);
		if (!job->real)
			--*running_emulated;
		notify(plan, job);
	}
	return running;
}

int multi_board_run(struct multi_board_plan *plan, double *wall_seconds)
{
	int64_t started = clock_now_ms();
	size_t running_emulated = 0;
	int status = HB_OK;

	for (size_t i = 0; i < plan->count; i++) {
		struct board_job *job = &plan->jobs[i];
		job->state = BOARD_JOB_WAITING;
		snprintf(job->log_path, sizeof job->log_path, "%s/%s.log", plan->work_dir,
			 job->board);
		snprintf(job->record_list, sizeof job->record_list, "%s/%s.records", plan->work_dir,
			 job->board);
	}
	for (;;) {
		int start_status = start_ready(plan, &running_emulated);
		size_t waiting = 0;

		if (status == HB_OK)
			status = start_status;
		for (size_t i = 0; i < plan->count; i++)
			waiting += plan->jobs[i].state == BOARD_JOB_WAITING;
		if (reap_ended(plan, &running_emulated) == 0 && waiting == 0)
			break;
	}
	*wall_seconds = (double)(clock_now_ms() - started) / 1000.0;
	return status;
}

int multi_board_exit_status(const struct board_job *jobs, size_t count)
{
	int worst = 0;

	for (size_t i = 0; i < count; i++) {
		int code = jobs[i].exit_status;
		if (code < 0 || code > 3)
			code = 3; /* a signal, or it never ran: no result to judge */
		if (code > worst)
			worst = code;
	}
	return worst;
}

int multi_board_note_record(const char *list_path, const char *record_path)
{
	FILE *list = fopen(list_path, "a");
	int failed;

	if (!list)
		return hb_error(HB_ERR_IO, "cannot open record list '%s': %s", list_path,
				strerror(errno));
	fprintf(list, "%s\n", record_path);
	failed = ferror(list);
	if (fclose(list) != 0 || failed)
		return hb_error(HB_ERR_IO, "cannot write record list '%s'", list_path);
	return HB_OK;
}
