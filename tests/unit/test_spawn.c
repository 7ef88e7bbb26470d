/* Child processes: exit statuses, missing programs, timeouts, logs, and
 * that nothing is left running after stop, stop_all, a signal or exit(). */
#include <criterion/criterion.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Gone, or a zombie waiting for init (our reaper may be slow in containers). */
static bool spawn_test_process_gone(pid_t pid)
{
	char path[64], text[512];
	FILE *stat_file;
	char *state;

	if (kill(pid, 0) != 0)
		return errno == ESRCH;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	stat_file = fopen(path, "r");
	if (!stat_file)
		return true;
	if (!fgets(text, sizeof text, stat_file))
		text[0] = '\0';
	fclose(stat_file);
	state = strrchr(text, ')');
	return state && state[1] == ' ' && (state[2] == 'Z' || state[2] == 'X');
}

static bool spawn_test_gone_within(pid_t pid, int timeout_ms)
{
	int64_t deadline = clock_now_ms() + timeout_ms;
	while (!spawn_test_process_gone(pid)) {
		if (clock_now_ms() > deadline)
			return false;
		usleep(5000);
	}
	return true;
}

static void spawn_test_make_dir(char *dir, size_t capacity)
{
	snprintf(dir, capacity, "/tmp/hb-spawn-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void spawn_test_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void spawn_test_setup(void)
{
	hb_log_set_sink(spawn_test_quiet, NULL);
}

TestSuite(spawn, .init = spawn_test_setup, .timeout = 20);

Test(spawn, true_exits_zero)
{
	const char *argv[] = {"true", NULL};
	struct child child;

	cr_assert_eq(spawn_start(argv, NULL, &child), HB_OK);
	cr_assert_gt(child.pid, 0);
	cr_assert_str_eq(child.name, "true");
	cr_assert_eq(spawn_wait(&child, 5000), HB_OK);
	cr_assert(child.exited);
	cr_assert_eq(child.exit_status, 0);
	cr_assert_eq(child.pid, 0);
}

Test(spawn, false_exits_one)
{
	const char *argv[] = {"/bin/false", NULL};
	struct child child;

	cr_assert_eq(spawn_start(argv, NULL, &child), HB_OK);
	cr_assert_eq(spawn_wait(&child, -1), HB_OK);
	cr_assert_eq(child.exit_status, 1);
}

Test(spawn, exit_code_and_signal_statuses)
{
	const char *exits[] = {"sh", "-c", "exit 42", NULL};
	const char *killed[] = {"sh", "-c", "kill -9 $$", NULL};
	struct child child;

	cr_assert_eq(spawn_start(exits, NULL, &child), HB_OK);
	cr_assert_eq(spawn_wait(&child, 5000), HB_OK);
	cr_assert_eq(child.exit_status, 42);
	cr_assert_eq(spawn_start(killed, NULL, &child), HB_OK);
	cr_assert_eq(spawn_wait(&child, 5000), HB_OK);
	cr_assert_eq(child.exit_status, 128 + SIGKILL);
}

Test(spawn, missing_program_is_not_found_and_named)
{
	const char *argv[] = {"hilbench-no-such-program", "--version", NULL};
	struct child child;

	cr_assert_eq(spawn_start(argv, NULL, &child), HB_ERR_NOT_FOUND);
	cr_assert_str_eq(hb_last_error(),
			 "cannot run 'hilbench-no-such-program': not found in PATH");
	cr_assert_eq(child.pid, 0);
}

Test(spawn, missing_program_with_slash)
{
	const char *argv[] = {"/nonexistent/tool", NULL};
	struct child child;

	cr_assert_eq(spawn_start(argv, NULL, &child), HB_ERR_NOT_FOUND);
	cr_assert(strstr(hb_last_error(), "'/nonexistent/tool'"), "got: %s", hb_last_error());
}

Test(spawn, find_program_searches_path)
{
	char path[256];

	cr_assert_eq(spawn_find_program("sh", path, sizeof path), HB_OK);
	cr_assert_eq(path[0], '/');
	cr_assert_eq(access(path, X_OK), 0);
	cr_assert_eq(spawn_find_program("hilbench-no-such-program", path, sizeof path),
		     HB_ERR_NOT_FOUND);
	/* A directory is executable but not a program. */
	cr_assert_eq(spawn_find_program("/tmp", path, sizeof path), HB_ERR_NOT_FOUND);
}

/* The exec failure comes back through the close-on-exec pipe. */
Test(spawn, exec_failure_is_reported_by_start)
{
	char dir[64], program[128];
	const char *argv[] = {program, NULL};
	struct child child;
	FILE *file;

	spawn_test_make_dir(dir, sizeof dir);
	snprintf(program, sizeof program, "%s/not-a-program", dir);
	file = fopen(program, "w");
	cr_assert_not_null(file);
	fputs("\x01\x02 this is not an executable format\n", file);
	fclose(file);
	cr_assert_eq(chmod(program, 0755), 0);

	cr_assert_eq(spawn_start(argv, NULL, &child), HB_ERR_TOOL);
	cr_assert(strstr(hb_last_error(), "not-a-program"), "got: %s", hb_last_error());
	cr_assert(strstr(hb_last_error(), "format"), "got: %s", hb_last_error());
	cr_assert_eq(child.pid, 0);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child was left behind");
	unlink(program);
	rmdir(dir);
}

Test(spawn, missing_workdir_is_reported)
{
	const char *argv[] = {"true", NULL};
	struct spawn_options options = {.workdir = "/nonexistent/workdir"};
	struct child child;

	cr_assert_eq(spawn_start(argv, &options, &child), HB_ERR_NOT_FOUND);
	cr_assert(strstr(hb_last_error(), "/nonexistent/workdir"), "got: %s", hb_last_error());
}

Test(spawn, timeout_then_stop_ends_it_quickly)
{
	const char *argv[] = {"sleep", "5", NULL};
	struct child child;
	int64_t started;
	pid_t pid;

	cr_assert_eq(spawn_start(argv, NULL, &child), HB_OK);
	pid = child.pid;
	started = clock_now_ms();
	cr_assert_eq(spawn_wait(&child, 200), HB_ERR_TIMEOUT);
	cr_assert_geq(clock_now_ms() - started, 190);
	cr_assert_lt(clock_now_ms() - started, 1000);
	cr_assert_not(child.exited);

	started = clock_now_ms();
	spawn_stop(&child);
	cr_assert_lt(clock_now_ms() - started, 1000);
	cr_assert(child.exited);
	cr_assert_eq(child.exit_status, 128 + SIGTERM);
	cr_assert_eq(kill(pid, 0), -1);
	cr_assert_eq(errno, ESRCH);
}

/* A child that ignores SIGTERM gets SIGKILL after the grace period. */
Test(spawn, stop_escalates_to_kill)
{
	const char *argv[] = {"sh", "-c", "trap '' TERM; while :; do sleep 1; done", NULL};
	struct child child;
	int64_t started;

	cr_assert_eq(spawn_start(argv, NULL, &child), HB_OK);
	usleep(100 * 1000); /* let the shell install its trap */
	started = clock_now_ms();
	spawn_stop(&child);
	cr_assert_lt(clock_now_ms() - started, 1000);
	cr_assert_eq(child.exit_status, 128 + SIGKILL);
}

/* Starts a shell that starts `sleep` in the background and waits for it;
 * returns the sleep's pid (or -1). No asserts: helpers run this too. */
static pid_t spawn_test_start_grandchild(struct child *child, char *dir, size_t capacity)
{
	char pid_file[128], script[512];
	const char *argv[] = {"sh", "-c", script, NULL};
	int64_t deadline = clock_now_ms() + 3000;
	pid_t grandchild = -1;

	snprintf(dir, capacity, "/tmp/hb-spawn-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(pid_file, sizeof pid_file, "%s/pid", dir);
	snprintf(script, sizeof script, "sleep 30 & echo $! > %s.tmp; mv %s.tmp %s; wait", pid_file,
		 pid_file, pid_file);
	if (spawn_start(argv, NULL, child) != HB_OK)
		return -1;
	while (grandchild <= 0 && clock_now_ms() < deadline) {
		FILE *file = fopen(pid_file, "r");
		if (file) {
			int value = 0;
			if (fscanf(file, "%d", &value) == 1)
				grandchild = value;
			fclose(file);
		}
		usleep(5000);
	}
	unlink(pid_file);
	rmdir(dir);
	return grandchild;
}

/* What the child started goes with it: the whole process group ends. */
Test(spawn, stop_ends_grandchildren)
{
	char dir[64];
	struct child child;
	pid_t grandchild = spawn_test_start_grandchild(&child, dir, sizeof dir);

	cr_assert_gt(grandchild, 0, "the shell did not start its sleep");
	cr_assert_eq(kill(grandchild, 0), 0);
	spawn_stop(&child);
	cr_assert(spawn_test_gone_within(grandchild, 1000), "grandchild %d survived",
		  (int)grandchild);
}

Test(spawn, log_receives_output)
{
	char dir[64], log_path[128], text[64] = {0};
	const char *argv[] = {"sh", "-c", "echo hi; echo err >&2; read line || echo eof", NULL};
	struct spawn_options options = {.log_path = log_path};
	struct child child;
	FILE *file;
	size_t length;

	spawn_test_make_dir(dir, sizeof dir);
	snprintf(log_path, sizeof log_path, "%s/child.log", dir);
	cr_assert_eq(spawn_start(argv, &options, &child), HB_OK);
	cr_assert_eq(spawn_wait(&child, 5000), HB_OK);
	cr_assert_eq(child.exit_status, 0);
	file = fopen(log_path, "r");
	cr_assert_not_null(file);
	length = fread(text, 1, sizeof text - 1, file);
	fclose(file);
	text[length] = '\0';
	/* stdin is /dev/null, so `read` sees end of file at once. */
	cr_assert_str_eq(text, "hi\nerr\neof\n");
	unlink(log_path);
	rmdir(dir);
}

Test(spawn, workdir_is_entered)
{
	char dir[64], log_path[128], text[128] = {0};
	const char *argv[] = {"pwd", NULL};
	struct spawn_options options = {.log_path = log_path, .workdir = "/"};
	struct child child;
	FILE *file;

	spawn_test_make_dir(dir, sizeof dir);
	snprintf(log_path, sizeof log_path, "%s/pwd.log", dir);
	cr_assert_eq(spawn_start(argv, &options, &child), HB_OK);
	cr_assert_eq(spawn_wait(&child, 5000), HB_OK);
	file = fopen(log_path, "r");
	cr_assert_not_null(file);
	cr_assert_not_null(fgets(text, sizeof text, file));
	fclose(file);
	cr_assert_str_eq(text, "/\n");
	unlink(log_path);
	rmdir(dir);
}

Test(spawn, stop_all_ends_every_child)
{
	const char *argv[] = {"sleep", "5", NULL};
	struct child first, second;
	pid_t first_pid, second_pid;
	int64_t started;

	cr_assert_eq(spawn_start(argv, NULL, &first), HB_OK);
	cr_assert_eq(spawn_start(argv, NULL, &second), HB_OK);
	first_pid = first.pid;
	second_pid = second.pid;
	started = clock_now_ms();
	spawn_stop_all();
	cr_assert_lt(clock_now_ms() - started, 1000);
	cr_assert_eq(kill(first_pid, 0), -1);
	cr_assert_eq(kill(second_pid, 0), -1);
	/* The owners still learn how their children ended. */
	cr_assert_eq(spawn_wait(&first, 0), HB_OK);
	cr_assert_eq(first.exit_status, 128 + SIGTERM);
	spawn_stop(&second);
	cr_assert(second.exited);
	cr_assert_eq(second.exit_status, 128 + SIGTERM);
}

/* Runs `body` in a forked helper process and returns its wait status;
 * the helper writes the pid of its own child to `pid_out`. */
static int spawn_test_in_helper(void (*body)(int report_fd), pid_t *pid_out)
{
	int fds[2];
	int wait_status;
	pid_t helper;

	cr_assert_eq(pipe(fds), 0);
	helper = fork();
	cr_assert_geq(helper, 0);
	if (helper == 0) {
		close(fds[0]);
		body(fds[1]);
		_exit(99);
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], pid_out, sizeof *pid_out), (ssize_t)sizeof *pid_out);
	close(fds[0]);
	cr_assert_eq(waitpid(helper, &wait_status, 0), helper);
	return wait_status;
}

/* The helpers report a grandchild: a direct child would die with the
 * helper through PR_SET_PDEATHSIG even without the cleanup. */
static void spawn_test_signal_body(int report_fd)
{
	char dir[64];
	struct child child;
	pid_t grandchild;

	spawn_install_cleanup();
	spawn_install_cleanup(); /* idempotent */
	grandchild = spawn_test_start_grandchild(&child, dir, sizeof dir);
	if (write(report_fd, &grandchild, sizeof grandchild) != (ssize_t)sizeof grandchild)
		_exit(97);
	raise(SIGTERM);
	pause();
}

Test(spawn, signal_handler_kills_children_and_dies_by_the_signal)
{
	pid_t sleeper = 0;
	int status = spawn_test_in_helper(spawn_test_signal_body, &sleeper);

	cr_assert(WIFSIGNALED(status), "helper status %#x", status);
	cr_assert_eq(WTERMSIG(status), SIGTERM);
	cr_assert_gt(sleeper, 0, "the helper could not start its children");
	cr_assert(spawn_test_gone_within(sleeper, 1000), "sleep %d survived", (int)sleeper);
}

static void spawn_test_exit_body(int report_fd)
{
	char dir[64];
	struct child child;
	pid_t grandchild;

	spawn_install_cleanup();
	grandchild = spawn_test_start_grandchild(&child, dir, sizeof dir);
	if (write(report_fd, &grandchild, sizeof grandchild) != (ssize_t)sizeof grandchild)
		_exit(97);
	exit(3);
}

Test(spawn, exit_kills_children)
{
	pid_t sleeper = 0;
	int status = spawn_test_in_helper(spawn_test_exit_body, &sleeper);

	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 3);
	cr_assert_gt(sleeper, 0, "the helper could not start its children");
	cr_assert(spawn_test_gone_within(sleeper, 1000), "sleep %d survived", (int)sleeper);
}
