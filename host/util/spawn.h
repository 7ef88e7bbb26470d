/*
 * Child processes (qemu, openocd, make) started from an argv array, never
 * through a shell. Every live child is registered so that a signal or an
 * early return on any path ends it: hilbench never leaves a process behind.
 */
#ifndef HB_SPAWN_H
#define HB_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct child {
	pid_t pid;	  /* 0 when not running */
	const char *name; /* argv[0], for messages */
	bool exited;
	int exit_status; /* exit code, or 128 + signal */
};

struct spawn_options {
	const char *log_path; /* stdout+stderr of the child go here; NULL: /dev/null */
	const char *workdir;  /* NULL: inherit */
	/* What the child gets when hilbench dies without cleaning up (kill -9):
	 * 0 means SIGKILL. SIGTERM suits a child that must tidy up and end its
	 * own children (make deletes half-made targets and stops its compilers);
	 * SIGKILL one that might not end on SIGTERM (QEMU waiting for its socket). */
	int death_signal;
};

/* Looks `program` up in PATH (or takes it as a path if it has a '/'). */
int spawn_find_program(const char *program, char *path, size_t capacity);

/* Starts argv[0] with argv; the child dies with us, also when we are
 * killed (PR_SET_PDEATHSIG with options->death_signal).
 * A missing program is reported as HB_ERR_NOT_FOUND naming it. */
int spawn_start(const char *const argv[], const struct spawn_options *options, struct child *child);

/* Waits up to timeout_ms (< 0: forever). HB_ERR_TIMEOUT if still running. */
int spawn_wait(struct child *child, int timeout_ms);

/* SIGTERM, a short grace period, then SIGKILL; always reaps. */
void spawn_stop(struct child *child);

/* Ends every registered child; installed for SIGINT/SIGTERM/atexit. */
void spawn_stop_all(void);

/* Installs the signal handlers once (idempotent). */
void spawn_install_cleanup(void);

#endif
