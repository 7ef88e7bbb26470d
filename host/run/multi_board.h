/*
 * A run over several boards: one child process per board, each hilbench
 * itself (re-executed through /proc/self/exe, so every child runs the
 * very binary the parent is) with the same work and one --board. Emulated
 * boards run at most `jobs` at a time (each QEMU keeps a core busy); real
 * boards, which wait on their own probe and port, all at once beside them.
 * Each child writes its records as a single-board run does and lists
 * their paths in a file of its own (--record-list); its stdout and stderr
 * go to a log. Nothing here prints: the caller hears of each start and end
 * through a callback and reads the records and logs afterwards.
 */
#ifndef HB_MULTI_BOARD_H
#define HB_MULTI_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/spawn.h"

#define MULTI_BOARD_MAX 24 /* boards in one run; the spawn registry holds 32 */

enum board_job_state { BOARD_JOB_WAITING, BOARD_JOB_RUNNING, BOARD_JOB_DONE };

struct board_job {
	char board[64];	       /* as --board named it: a profile or lab instance id */
	bool real;	       /* a real board: not held back by the jobs limit */
	char log_path[800];    /* the child's stdout and stderr */
	char record_list[800]; /* the records it wrote, one path a line */
	enum board_job_state state;
	struct child child;
	/* The child's exit status (0 ok, 1 failed, 2 bad input, 3 no result;
	 * 128 + N when signal N ended it, 127 when it could not start). */
	int exit_status;
	int64_t started_ms, finished_ms; /* host monotonic clock */
	double wall_seconds;		 /* finished - started: wall time, measured on the host */
};

struct multi_board_plan {
	/* The child's arguments after the program: the global options, "run" and
	 * the run's options without --board; the board's "--board ID
	 * --record-list FILE" are added per child. NULL-terminated. */
	const char *const *arguments;
	struct board_job *jobs;
	size_t count;
	unsigned jobs_limit;  /* emulated boards at once, >= 1 */
	const char *work_dir; /* where the logs and record lists go (exists) */
	/** Called when a job starts and when it ends (job->state says which). */
	void (*on_event)(const struct board_job *job, void *context);
	void *context;
};

/* The default --jobs: the cores online (sysconf), at least 1. */
unsigned multi_board_default_jobs(void);

/* Runs every job to its end; a job that fails does not stop the others.
 * *wall_seconds is the whole run's wall time (first start to last end),
 * measured on the host. Returns HB_OK when every job ran (whatever its
 * exit status), else the error that kept one from starting (the others
 * still run to their end). */
int multi_board_run(struct multi_board_plan *plan, double *wall_seconds);

/* The exit status a run over these jobs ends with: 0 if all are 0, else
 * the highest of them, a child ended by a signal or unable to start
 * counting as 3 (no result). */
int multi_board_exit_status(const struct board_job *jobs, size_t count);

/* The child's side (--record-list FILE): appends `record_path` as one line
 * to `list_path`. A run over one board calls it for each record it wrote. */
int multi_board_note_record(const char *list_path, const char *record_path);

#endif
