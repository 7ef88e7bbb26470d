/*
 * Locks on the boards attached to this host, so that two hilbench
 * processes never drive the same board, serial port or debug probe at
 * once (docs/boards.md#locks). A lock is a file in the runtime folder
 * ($XDG_RUNTIME_DIR/hilbench, else /tmp/hilbench-<uid>, made 0700) held
 * with flock(): the kernel drops it when its holder ends, however it ends
 * (kill -9 included), so a lock is never stale. While held the file says
 * who holds it (pid, start time in UTC, command line), and a second
 * process that finds the lock taken fails at once naming that holder.
 * Emulated boards take no lock: each run gets its own emulator.
 */
#ifndef HB_BOARD_LOCK_H
#define HB_BOARD_LOCK_H

#include <stddef.h>

#include "config/profile.h"

#define BOARD_LOCK_MAX 3 /* a board instance, its console port, its probe */

struct board_lock {
	int fd; /* -1 when not held */
	char path[640];
	char subject[400]; /* "board nucleo-l4r5zi-1", "serial port /dev/ttyACM0" */
};

struct board_locks {
	struct board_lock held[BOARD_LOCK_MAX];
	size_t count;
};

/* The folder lock files go in ($XDG_RUNTIME_DIR/hilbench, else
 * /tmp/hilbench-<uid>), not created. */
int board_lock_dir(char *out, size_t capacity);

/* Takes the lock `dir`/`kind`-`name`.lock (made 0700 if missing; `name`
 * is escaped into a file name), writing the holder's facts into it.
 * `subject` names what is locked in messages ("board nucleo-l4r5zi-1").
 * A lock already held, by this process or another, is
 * HB_ERR_INFRASTRUCTURE with the message "<subject> is in use by hilbench
 * pid N since <UTC> (<command>)"; a folder that cannot be made or is not
 * this user's own is HB_ERR_IO naming it. */
int board_lock_acquire(const char *dir, const char *kind, const char *name, const char *subject,
		       struct board_lock *lock);

/* Drops the lock (closing the file is what releases it); idempotent. */
void board_lock_release(struct board_lock *lock);

/* Every lock a run on `board` needs, in the runtime folder: none for an
 * emulated board; for a real one its lab instance id (or profile id), its
 * console device (resolved with realpath, so two names of one port are
 * one lock) and its probe's serial number when the lab map gives one. All
 * or none: on failure nothing is held. */
int board_locks_acquire(const struct board_profile *board, struct board_locks *locks);

void board_locks_release(struct board_locks *locks);

#endif
