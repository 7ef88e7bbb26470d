/*
 * hilbench run --board a,b,c: the same work on several boards, one child
 * process each (run/multi_board.h), with progress on stderr while they
 * run and, at the end, one comparison table over the records they wrote
 * (the table `hilbench report` prints), each board's exit status and the
 * wall times. cmd_run.c parses the options and hands them here.
 */
#ifndef HB_RUN_BOARDS_H
#define HB_RUN_BOARDS_H

#include <stdbool.h>
#include <stddef.h>

struct run_boards_request {
	const char *const *boards; /* --board ids, at least 2, no repeats */
	size_t count;
	const char *lab_path;	/* --lab, or NULL */
	const char *boards_dir; /* resolved */
	const char *results_dir;
	/* What every child gets after the program: the global options, "run" and
	 * the run's options other than --board, --jobs, --json, --record-list.
	 * NULL-terminated. */
	const char *const *arguments;
	unsigned jobs; /* emulated boards at once; 0: the cores online */
	bool json;
	const char *record_list; /* the caller's own --record-list, or NULL */
	bool same_profile_only;	 /* --firmware: every board must be of one profile */
};

/* Runs them; the status is the worst board's (multi_board_exit_status) as
 * an hb_status: HB_OK, HB_ERR_TOOL (1), HB_ERR_INPUT (2) or
 * HB_ERR_INFRASTRUCTURE (3). A board that does not resolve is a usage
 * error before any starts. */
int run_boards(const struct run_boards_request *request);

#endif
