/*
 * Child processes without a shell, and the registry that makes sure none
 * outlives hilbench.
 *
 * Each child leads its own process group, so ending it also ends whatever
 * it started (make's compilers, a shell's sleep). The registry is a fixed
 * array of process ids rather than pointers to the callers' structs: the
 * signal handler and atexit() must never follow a pointer into a stack
 * frame that is gone. The spawn functions are meant for one thread; the
 * signal handler only reads the array.
 */
#include "util/spawn.h"

#include "util/clock.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPAWN_MAX_CHILDREN 32
#define SPAWN_GRACE_MS	   300
#define SPAWN_POLL_MS	   5

/* A slot is live while pid > 0 and not reaped. spawn_stop_all() reaps
 * children behind their owners' backs, so it keeps the status in the slot
 * until the owner's spawn_wait()/spawn_stop() collects it. */
struct registry_slot {
	volatile pid_t pid;
	volatile sig_atomic_t reaped;
	int exit_status;
};

static struct registry_slot registry[SPAWN_MAX_CHILDREN];

/* What the child tells the parent through the close-on-exec pipe when it
 * cannot get as far as running the program. */
enum child_stage { STAGE_LOG, STAGE_STDIN, STAGE_WORKDIR, STAGE_EXEC, STAGE_PARENT_GONE };

struct child_failure {
	int stage;
	int error_number;
};

static void sleep_ms(int milliseconds)
{
	struct timespec pause = {.tv_sec = milliseconds / 1000,
				 .tv_nsec = (long)(milliseconds % 1000) * 1000000L};
	while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
		;
}

static int decode_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 255;
}

static struct registry_slot *registry_find(pid_t pid)
{
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++)
		if (registry[i].pid == pid)
			return &registry[i];
	return NULL;
}

static struct registry_slot *registry_take_slot(void)
{
	struct registry_slot *slot = registry_find(0);
	if (slot)
		return slot;
	/* Full: forget statuses nobody came back for. */
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++) {
		if (registry[i].reaped) {
			registry[i].pid = 0;
			registry[i].reaped = 0;
			return &registry[i];
		}
	}
	return NULL;
}

static void registry_forget(pid_t pid)
{
	struct registry_slot *slot = registry_find(pid);
	if (slot) {
		slot->pid = 0;
		slot->reaped = 0;
	}
}

static int is_executable_file(const char *path)
{
	struct stat info;
	return stat(path, &info) == 0 && S_ISREG(info.st_mode) && access(path, X_OK) == 0;
}

int spawn_find_program(const char *program, char *path, size_t capacity)
{
	const char *search;
	size_t program_length = strlen(program);

	if (program_length == 0)
		return HB_ERR_NOT_FOUND;
	if (strchr(program, '/')) {
		if (!is_executable_file(program))
			return HB_ERR_NOT_FOUND;
		if (program_length >= capacity)
			return hb_error(HB_ERR_INTERNAL, "program path too long: '%s'", program);
		memcpy(path, program, program_length + 1);
		return HB_OK;
	}
	search = getenv("PATH");
	if (!search)
		search = "/usr/local/bin:/usr/bin:/bin";
	while (*search) {
		const char *end = strchrnul(search, ':');
		size_t folder_length = (size_t)(end - search);
		char candidate[4096];

		/* An empty PATH entry means the current directory. */
		if (folder_length == 0)
			snprintf(candidate, sizeof candidate, "./%s", program);
		else if (folder_length + 1 + program_length < sizeof candidate)
			snprintf(candidate, sizeof candidate, "%.*s/%s", (int)folder_length, search,
				 program);
		else
			candidate[0] = '\0';
		if (candidate[0] && is_executable_file(candidate)) {
			if (strlen(candidate) >= capacity)
				return hb_error(HB_ERR_INTERNAL, "program path too long: '%s'",
						candidate);
			memcpy(path, candidate, strlen(candidate) + 1);
			return HB_OK;
		}
		search = *end ? end + 1 : end;
	}
	return HB_ERR_NOT_FOUND;
}

/* Only async-signal-safe calls from here to exec: the parent may have threads. */
static void report_and_exit(int pipe_fd, int stage)
{
	struct child_failure failure = {.stage = stage, .error_number = errno};
	ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
	(void)ignored;
	_exit(127);
}

static void run_child(const char *path, const char *const argv[],
		      const struct spawn_options *options, pid_t parent, int pipe_fd)
{
	sigset_t none;
	int log_fd, null_fd;

#ifdef CLOSE_RANGE_CLOEXEC
	/* Descriptors the parent forgot to mark close-on-exec stay ours. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
#endif
	setpgid(0, 0);
	/* Dies with the thread that started it (hilbench starts children from
	 * its one thread), even when that is killed with SIGKILL and no
	 * handler runs; the getppid() check closes the window where the parent
	 * died before prctl() took effect. */
	prctl(PR_SET_PDEATHSIG,
	      options && options->death_signal > 0 ? options->death_signal : SIGKILL);
	if (getppid() != parent)
		report_and_exit(pipe_fd, STAGE_PARENT_GONE);

	/* Handlers become SIG_DFL at exec by themselves; ignored signals and
	 * the mask do not, and a child must not inherit our choices there. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		report_and_exit(pipe_fd, STAGE_STDIN);
	/* The log is opened before chdir so a relative path means the caller's
	 * directory, not the workdir. */
	if (options && options->log_path) {
		log_fd = open(options->log_path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
		if (log_fd < 0)
			report_and_exit(pipe_fd, STAGE_LOG);
	} else {
		log_fd = null_fd;
	}
	if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
	    dup2(log_fd, STDERR_FILENO) < 0)
		report_and_exit(pipe_fd, STAGE_LOG);
	if (options && options->workdir && chdir(options->workdir) != 0)
		report_and_exit(pipe_fd, STAGE_WORKDIR);

	execv(path, (char *const *)argv);
	report_and_exit(pipe_fd, STAGE_EXEC);
}

static int describe_failure(const char *program, const struct spawn_options *options,
			    const struct child_failure *failure)
{
	const char *reason = strerror(failure->error_number);

	switch (failure->stage) {
	case STAGE_LOG:
		return hb_error(HB_ERR_IO, "cannot run '%s': cannot open log '%s': %s", program,
				options->log_path, reason);
	case STAGE_STDIN:
		return hb_error(HB_ERR_IO, "cannot run '%s': cannot open /dev/null: %s", program,
				reason);
	case STAGE_WORKDIR:
		return hb_error(HB_ERR_NOT_FOUND,
				"cannot run '%s': cannot enter directory '%s': %s", program,
				options->workdir, reason);
	case STAGE_PARENT_GONE:
		return hb_error(HB_ERR_INTERNAL,
				"cannot run '%s': hilbench ended while starting it", program);
	default: return hb_error(HB_ERR_TOOL, "cannot run '%s': %s", program, reason);
	}
}

int spawn_start(const char *const argv[], const struct spawn_options *options, struct child *child)
{
	char path[4096];
	int pipe_fds[2];
	struct registry_slot *slot;
	struct child_failure failure;
	ssize_t got;
	pid_t parent = getpid();
	pid_t pid;

	memset(child, 0, sizeof *child);
	if (!argv || !argv[0])
		return hb_error(HB_ERR_INTERNAL, "spawn_start: empty argv");
	child->name = argv[0];
	if (spawn_find_program(argv[0], path, sizeof path) != HB_OK) {
		if (strchr(argv[0], '/'))
			return hb_error(HB_ERR_NOT_FOUND,
					"cannot run '%s': no such executable file", argv[0]);
		return hb_error(HB_ERR_NOT_FOUND, "cannot run '%s': not found in PATH", argv[0]);
	}
	slot = registry_take_slot();
	if (!slot)
		return hb_error(HB_ERR_INTERNAL, "cannot run '%s': more than %d child processes",
				argv[0], SPAWN_MAX_CHILDREN);
	if (pipe2(pipe_fds, O_CLOEXEC) != 0)
		return hb_error(HB_ERR_IO, "cannot run '%s': pipe: %s", argv[0], strerror(errno));

	pid = fork();
	if (pid < 0) {
		int saved = errno;
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return hb_error(HB_ERR_TOOL, "cannot run '%s': fork: %s", argv[0], strerror(saved));
	}
	if (pid == 0) {
		close(pipe_fds[0]);
		run_child(path, argv, options, parent, pipe_fds[1]);
	}
	/* Also from this side, so a kill of the group cannot race the child's
	 * own setpgid(); EACCES once it has exec'd is fine. */
	setpgid(pid, pid);
	slot->reaped = 0;
	slot->pid = pid;
	close(pipe_fds[1]);

	/* EOF on the pipe means exec closed it: the program is running. */
	do
		got = read(pipe_fds[0], &failure, sizeof failure);
	while (got < 0 && errno == EINTR);
	close(pipe_fds[0]);
	if (got == (ssize_t)sizeof failure) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		registry_forget(pid);
		return describe_failure(argv[0], options, &failure);
	}
	child->pid = pid;
	return HB_OK;
}

static void mark_exited(struct child *child, int exit_status)
{
	registry_forget(child->pid);
	child->exited = true;
	child->exit_status = exit_status;
	child->pid = 0;
}

/* Reaps `pid` if it has ended (or waits for that when `block`). The leader
 * is first looked at without reaping: while it is a zombie its process
 * group id cannot be reused, so killing what it left in its group (a
 * shell's background job) cannot hit anyone else. Returns 1 when reaped. */
static int reap(pid_t pid, bool block, int *exit_status)
{
	siginfo_t info;
	int wait_status;
	pid_t result;

	memset(&info, 0, sizeof info);
	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT | (block ? 0 : WNOHANG)) != 0) {
		if (errno == EINTR)
			return 0;
		/* Reaped elsewhere, not through us: the status is lost. */
		*exit_status = 128 + SIGKILL;
		return 1;
	}
	if (info.si_pid != pid)
		return 0;
	kill(-pid, SIGKILL);
	do
		result = waitpid(pid, &wait_status, 0);
	while (result < 0 && errno == EINTR);
	*exit_status = result == pid ? decode_status(wait_status) : 128 + SIGKILL;
	return 1;
}

/* 1 when the child has ended (and is reaped), 0 if not. */
static int try_reap(struct child *child, bool block)
{
	struct registry_slot *slot = registry_find(child->pid);
	int exit_status;

	if (slot && slot->reaped) {
		mark_exited(child, slot->exit_status);
		return 1;
	}
	if (!reap(child->pid, block, &exit_status))
		return 0;
	mark_exited(child, exit_status);
	return 1;
}

static int wait_for_exit_event(pid_t pid, int timeout_ms)
{
#ifdef SYS_pidfd_open
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		struct pollfd entry = {.fd = pidfd, .events = POLLIN};
		int ready = poll(&entry, 1, timeout_ms);
		close(pidfd);
		return ready;
	}
#else
	(void)pid;
#endif
	/* No pidfd on this kernel: poll in short steps. */
	sleep_ms(timeout_ms < SPAWN_POLL_MS ? timeout_ms : SPAWN_POLL_MS);
	return 0;
}

int spawn_wait(struct child *child, int timeout_ms)
{
	int64_t deadline = clock_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	if (child->pid <= 0) {
		if (child->exited)
			return HB_OK;
		return hb_error(HB_ERR_INTERNAL, "waiting for '%s': it was never started",
				child->name ? child->name : "?");
	}
	if (timeout_ms < 0) {
		while (!try_reap(child, true))
			;
		return HB_OK;
	}
	/* A timeout is an expected outcome here: the caller decides whether it
	 * is an error and words the message. */
	for (;;) {
		int64_t left;
		if (try_reap(child, false))
			return HB_OK;
		left = deadline - clock_now_ms();
		if (left <= 0)
			return HB_ERR_TIMEOUT;
		wait_for_exit_event(child->pid, (int)left);
	}
}

void spawn_stop(struct child *child)
{
	int64_t deadline;

	if (child->pid <= 0)
		return;
	if (try_reap(child, false))
		return;
	kill(-child->pid, SIGTERM);
	deadline = clock_now_ms() + SPAWN_GRACE_MS;
	while (clock_now_ms() < deadline) {
		if (try_reap(child, false))
			return;
		wait_for_exit_event(child->pid, (int)(deadline - clock_now_ms()));
	}
	kill(-child->pid, SIGKILL);
	spawn_wait(child, -1);
}

/* Async-signal-safe: kill() only. */
static void kill_all_groups(int signal_number)
{
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++) {
		pid_t pid = registry[i].pid;
		if (pid > 0 && !registry[i].reaped)
			kill(-pid, signal_number);
	}
}

void spawn_stop_all(void)
{
	int64_t deadline;
	int live;

	kill_all_groups(SIGTERM);
	deadline = clock_now_ms() + SPAWN_GRACE_MS;
	for (;;) {
		bool last_round = clock_now_ms() >= deadline;
		if (last_round)
			kill_all_groups(SIGKILL);
		live = 0;
		for (int i = 0; i < SPAWN_MAX_CHILDREN; i++) {
			pid_t pid = registry[i].pid;
			int exit_status;
			if (pid <= 0 || registry[i].reaped)
				continue;
			if (reap(pid, last_round, &exit_status)) {
				registry[i].exit_status = exit_status;
				registry[i].reaped = 1;
			} else {
				live++;
			}
		}
		if (!live)
			return;
		sleep_ms(SPAWN_POLL_MS);
	}
}

static void on_fatal_signal(int signal_number)
{
	int saved_errno = errno;
	kill_all_groups(SIGKILL);
	/* Die the way the signal meant us to, so our parent sees it. */
	signal(signal_number, SIG_DFL);
	raise(signal_number);
	errno = saved_errno;
}

void spawn_install_cleanup(void)
{
	static bool installed;
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};

	if (installed)
		return;
	installed = true;
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		struct sigaction previous;
		struct sigaction action;

		/* A signal someone chose to ignore (nohup) stays ignored. */
		if (sigaction(signals[i], NULL, &previous) == 0 && previous.sa_handler == SIG_IGN)
			continue;
		memset(&action, 0, sizeof action);
		action.sa_handler = on_fatal_signal;
		sigemptyset(&action.sa_mask);
		sigaction(signals[i], &action, NULL);
	}
	atexit(spawn_stop_all);
}
