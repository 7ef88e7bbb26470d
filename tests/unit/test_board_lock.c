/* Board locks: a second holder is refused naming the first (also across
 * fork()), closing releases, a folder that cannot be made is named, and
 * emulated boards take none. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/board_lock.h"
#include "util/error.h"

static char captured[2048];

static void capture(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(captured, sizeof captured, "%s", message);
}

/* A fresh lock folder inside a fresh temporary folder. */
static void make_dirs(char *base, size_t base_size, char *dir, size_t dir_size)
{
	snprintf(base, base_size, "/tmp/hb-lock-test-XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	snprintf(dir, dir_size, "%s/hilbench", base);
	captured[0] = '\0';
	hb_log_set_sink(capture, NULL);
}

static void remove_dirs(const char *base, const char *dir)
{
	char path[800];

	snprintf(path, sizeof path, "%s/board-nucleo-l4r5zi-1.lock", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/port-%%2Fdev%%2FttyACM0.lock", dir);
	unlink(path);
	rmdir(dir);
	rmdir(base);
	hb_log_set_sink(NULL, NULL);
}

Test(board_lock, a_forked_second_holder_is_busy_and_names_the_first)
{
	char base[64], dir[96], expected[128];
	struct board_lock lock;
	struct stat info;
	int pipe_fds[2], wait_status;
	char child_message[2048] = "";
	pid_t child;
	ssize_t got;

	make_dirs(base, sizeof base, dir, sizeof dir);
	cr_assert_eq(
	    board_lock_acquire(dir, "board", "nucleo-l4r5zi-1", "board nucleo-l4r5zi-1", &lock),
	    HB_OK, "%s", captured);
	cr_assert_eq(stat(dir, &info), 0);
	cr_assert_eq(info.st_mode & 0777, 0700, "lock folder mode %o", info.st_mode & 0777);
	cr_assert_eq(pipe(pipe_fds), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		struct board_lock second;
		int status = board_lock_acquire(dir, "board", "nucleo-l4r5zi-1",
						"board nucleo-l4r5zi-1", &second);
		ssize_t ignored = write(pipe_fds[1], captured, strlen(captured));
		(void)ignored;
		_exit(status == HB_ERR_INFRASTRUCTURE ? 0 : 1);
	}
	close(pipe_fds[1]);
	got = read(pipe_fds[0], child_message, sizeof child_message - 1);
	close(pipe_fds[0]);
	cr_assert_eq(waitpid(child, &wait_status, 0), child);
	cr_assert(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0,
		  "the child got the lock the parent holds: %s", child_message);
	child_message[got > 0 ? got : 0] = '\0';
	snprintf(expected, sizeof expected,
		 "board nucleo-l4r5zi-1 is in use by hilbench pid %ld since ", (long)getpid());
	cr_assert(strstr(child_message, expected) == child_message, "child saw: %s", child_message);
	cr_assert(strstr(child_message, "Z (hilbench"), "no start time or command: %s",
		  child_message);
	board_lock_release(&lock);
	remove_dirs(base, dir);
}

Test(board_lock, closing_releases_and_a_second_open_in_one_process_is_busy)
{
	char base[64], dir[96];
	struct board_lock first, second;

	make_dirs(base, sizeof base, dir, sizeof dir);
	cr_assert_eq(
	    board_lock_acquire(dir, "port", "/dev/ttyACM0", "console /dev/ttyACM0", &first), HB_OK,
	    "%s", captured);
	cr_assert_eq(
	    board_lock_acquire(dir, "port", "/dev/ttyACM0", "console /dev/ttyACM0", &second),
	    HB_ERR_INFRASTRUCTURE);
	cr_assert(strstr(captured, "console /dev/ttyACM0 is in use by hilbench pid"), "%s",
		  captured);
	cr_assert_eq(second.fd, -1);
	board_lock_release(&first);
	board_lock_release(&first); /* idempotent */
	cr_assert_eq(
	    board_lock_acquire(dir, "port", "/dev/ttyACM0", "console /dev/ttyACM0", &second), HB_OK,
	    "%s", captured);
	board_lock_release(&second);
	remove_dirs(base, dir);
}

Test(board_lock, a_folder_that_cannot_be_made_is_named)
{
	char base[64], dir[96], inside[160];
	struct board_lock lock;
	FILE *file;

	make_dirs(base, sizeof base, dir, sizeof dir);
	/* A file where the folder's parent should be. */
	file = fopen(dir, "w");
	cr_assert_not_null(file);
	fclose(file);
	snprintf(inside, sizeof inside, "%s/locks", dir);
	cr_assert_eq(board_lock_acquire(inside, "board", "x", "board x", &lock), HB_ERR_IO);
	cr_assert(strstr(captured, "cannot create lock folder '"), "%s", captured);
	cr_assert(strstr(captured, inside), "%s", captured);
	/* A folder other users may enter is refused, not trusted. */
	unlink(dir);
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(board_lock_acquire(dir, "board", "x", "board x", &lock), HB_ERR_IO);
	cr_assert(strstr(captured, "lets other users in"), "%s", captured);
	rmdir(dir);
	rmdir(base);
	hb_log_set_sink(NULL, NULL);
}

Test(board_lock, emulated_boards_take_no_lock_real_ones_take_board_and_port)
{
	char base[64], dir[96];
	struct board_profile board;
	struct board_locks locks;

	make_dirs(base, sizeof base, dir, sizeof dir);
	cr_assert_eq(setenv("XDG_RUNTIME_DIR", base, 1), 0);
	memset(&board, 0, sizeof board);
	snprintf(board.id, sizeof board.id, "qemu-m4");
	snprintf(board.flasher.driver, sizeof board.flasher.driver, "qemu");
	cr_assert_eq(board_locks_acquire(&board, &locks), HB_OK);
	cr_assert_eq(locks.count, 0);
	snprintf(board.id, sizeof board.id, "nucleo-l4r5zi");
	snprintf(board.instance.id, sizeof board.instance.id, "nucleo-l4r5zi-1");
	snprintf(board.flasher.driver, sizeof board.flasher.driver, "openocd");
	snprintf(board.console.device, sizeof board.console.device, "/dev/ttyACM0");
	cr_assert_eq(board_locks_acquire(&board, &locks), HB_OK, "%s", captured);
	cr_assert_eq(locks.count, 2);
	cr_assert(strstr(locks.held[0].path, "/hilbench/board-nucleo-l4r5zi-1.lock"), "%s",
		  locks.held[0].path);
	board_locks_release(&locks);
	cr_assert_eq(locks.count, 0);
	unsetenv("XDG_RUNTIME_DIR");
	remove_dirs(base, dir);
}
