/* Board, port and probe locks: flock()ed files naming their holder. */
#include "lab/board_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flash/flasher.h"
#include "util/error.h"

/* How long a holder may take between taking the lock and writing its facts
 * into the file before a waiting process reports it without them. */
#define HOLDER_WRITE_WAIT_MS 200
#define HOLDER_POLL_MS	     10

int board_lock_dir(char *out, size_t capacity)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	int n;

	if (runtime && runtime[0] == '/')
		n = snprintf(out, capacity, "%s/hilbench", runtime);
	else
		n = snprintf(out, capacity, "/tmp/hilbench-%ld", (long)getuid());
	if (n < 0 || (size_t)n >= capacity)
		return hb_error(HB_ERR_IO, "lock folder path too long ($XDG_RUNTIME_DIR '%s')",
				runtime ? runtime : "");
	return HB_OK;
}

/* The folder exists (made here if not), is a folder and is ours alone:
 * another user's folder in /tmp could hold files we would trust. */
static int prepare_dir(const char *dir)
{
	struct stat info;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return hb_error(HB_ERR_IO, "cannot create lock folder '%s': %s", dir,
				strerror(errno));
	if (lstat(dir, &info) != 0)
		return hb_error(HB_ERR_IO, "cannot use lock folder '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(info.st_mode))
		return hb_error(HB_ERR_IO, "cannot use lock folder '%s': not a folder", dir);
	if (info.st_uid != getuid())
		return hb_error(HB_ERR_IO,
				"cannot use lock folder '%s': it belongs to uid %ld, not to this "
				"user (%ld)",
				dir, (long)info.st_uid, (long)getuid());
	if (info.st_mode & 077)
		return hb_error(HB_ERR_IO,
				"cannot use lock folder '%s': mode %04o lets other users in "
				"(expected 0700: chmod 700 it)",
				dir, (unsigned)(info.st_mode & 07777));
	return HB_OK;
}

/* `name` as a file name: letters, digits, '.', '_' and '-' stay, every other
 * byte becomes %XX, so "/dev/ttyACM0" and "dev_ttyACM0" stay apart. */
static void escape_name(const char *name, char *out, size_t capacity)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t used = 0;

	for (const unsigned char *c = (const unsigned char *)name; *c && used + 4 < capacity; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-') {
			out[used++] = (char)*c;
		} else {
			out[used++] = '%';
			out[used++] = hex[*c >> 4];
			out[used++] = hex[*c & 15];
		}
	}
	out[used] = '\0';
}

/* This process's command line, "hilbench run --board ...", for the holder's
 * record (argv[0] may be /proc/self/exe when a run re-executes itself). */
static void own_command(char *out, size_t capacity)
{
	char text[1024];
	size_t length = 0, used;
	FILE *file = fopen("/proc/self/cmdline", "rb");

	used = (size_t)snprintf(out, capacity, "hilbench");
	if (file) {
		length = fread(text, 1, sizeof text - 1, file);
		fclose(file);
	}
	text[length] = '\0';
	for (size_t at = strlen(text) + 1; at < length && used + 1 < capacity;
	     at += strlen(text + at) + 1) {
		int n = snprintf(out + used, capacity - used, " %s", text + at);
		if (n < 0 || (size_t)n >= capacity - used)
			break;
		used += (size_t)n;
	}
}

static int write_holder(int fd, const char *path)
{
	char text[1400], command[1200], started[32];
	time_t now = time(NULL);
	struct tm tm;
	int length;

	gmtime_r(&now, &tm);
	strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
	own_command(command, sizeof command);
	length = snprintf(text, sizeof text, "pid %ld\nstarted %s\ncommand %s\n", (long)getpid(),
			  started, command);
	if (length < 0 || (size_t)length >= sizeof text)
		length = (int)sizeof text - 1;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)length, 0) != length)
		return hb_error(HB_ERR_IO, "cannot write lock file '%s': %s", path,
				strerror(errno));
	return HB_OK;
}

struct holder {
	long pid;
	char started[32];
	char command[1200];
};

/* The holder's facts from the file; false while it has not written them. */
static bool read_holder(const char *path, struct holder *holder)
{
	char text[1400], *line, *next;
	size_t length = 0;
	FILE *file = fopen(path, "rb");

	memset(holder, 0, sizeof *holder);
	if (file) {
		length = fread(text, 1, sizeof text - 1, file);
		fclose(file);
	}
	text[length] = '\0';
	for (line = text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (strncmp(line, "pid ", 4) == 0)
			holder->pid = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "started ", 8) == 0)
			snprintf(holder->started, sizeof holder->started, "%s", line + 8);
		else if (strncmp(line, "command ", 8) == 0)
			snprintf(holder->command, sizeof holder->command, "%s", line + 8);
	}
	return holder->pid > 0 && holder->started[0] && holder->command[0];
}

static int report_busy(const struct board_lock *lock)
{
	struct holder holder;
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = HOLDER_POLL_MS * 1000000L};

	/* The holder writes its facts right after taking the lock. */
	for (int waited = 0; !read_holder(lock->path, &holder) && waited < HOLDER_WRITE_WAIT_MS;
	     waited += HOLDER_POLL_MS)
		nanosleep(&pause, NULL);
	if (holder.pid <= 0)
		return hb_error(HB_ERR_INFRASTRUCTURE,
				"%s is in use by another process (its lock file '%s' does not "
				"say which)",
				lock->subject, lock->path);
	return hb_error(HB_ERR_INFRASTRUCTURE, "%s is in use by hilbench pid %ld since %s (%s)",
			lock->subject, holder.pid, holder.started[0] ? holder.started : "?",
			holder.command[0] ? holder.command : "command unknown");
}

int board_lock_acquire(const char *dir, const char *kind, const char *name, const char *subject,
		       struct board_lock *lock)
{
	char file_name[400];
	int status, n;

	memset(lock, 0, sizeof *lock);
	lock->fd = -1;
	snprintf(lock->subject, sizeof lock->subject, "%s", subject);
	escape_name(name, file_name, sizeof file_name);
	n = snprintf(lock->path, sizeof lock->path, "%s/%s-%s.lock", dir, kind, file_name);
	if (n < 0 || (size_t)n >= sizeof lock->path)
		return hb_error(HB_ERR_IO, "lock file path for %s too long", subject);
	status = prepare_dir(dir);
	if (status != HB_OK)
		return status;
	lock->fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock->fd < 0)
		return hb_error(HB_ERR_IO, "cannot open lock file '%s' for %s: %s", lock->path,
				subject, strerror(errno));
	if (flock(lock->fd, LOCK_EX | LOCK_NB) != 0) {
		int saved = errno;
		close(lock->fd);
		lock->fd = -1;
		if (saved == EWOULDBLOCK)
			return report_busy(lock);
		return hb_error(HB_ERR_IO, "cannot lock '%s' for %s: %s", lock->path, subject,
				strerror(saved));
	}
	status = write_holder(lock->fd, lock->path);
	if (status != HB_OK)
		board_lock_release(lock);
	return status;
}

void board_lock_release(struct board_lock *lock)
{
	/* The file stays: unlinking it would let a third process lock a new
	 * file of the same name while a second still waits on the old one. */
	if (lock->fd >= 0)
		close(lock->fd);
	lock->fd = -1;
}

static bool is_real_board(const struct board_profile *board)
{
	const struct flasher_driver *flasher = flasher_find(board->flasher.driver);

	return flasher && !flasher->emulator;
}

static int take(struct board_locks *locks, const char *dir, const char *kind, const char *name,
		const char *subject)
{
	int status = board_lock_acquire(dir, kind, name, subject, &locks->held[locks->count]);

	if (status == HB_OK)
		locks->count++;
	return status;
}

int board_locks_acquire(const struct board_profile *board, struct board_locks *locks)
{
	const char *id = board->instance.id[0] ? board->instance.id : board->id;
	char dir[512], subject[400], port[PATH_MAX];
	int status;

	memset(locks, 0, sizeof *locks);
	if (!is_real_board(board))
		return HB_OK;
	status = board_lock_dir(dir, sizeof dir);
	snprintf(subject, sizeof subject, "board %s", id);
	if (status == HB_OK)
		status = take(locks, dir, "board", id, subject);
	if (status == HB_OK && board->console.device[0]) {
		/* A by-id link and /dev/ttyACM0 are one port; a tcp host:port or
		 * a usb:VID:PID:SERIAL name does not resolve and stays as given. */
		if (!realpath(board->console.device, port))
			snprintf(port, sizeof port, "%s", board->console.device);
		snprintf(subject, sizeof subject, "console %.240s of board %s", port, id);
		status = take(locks, dir, "port", port, subject);
	}
	if (status == HB_OK && board->instance.probe_serial[0]) {
		snprintf(subject, sizeof subject, "probe %s of board %s",
			 board->instance.probe_serial, id);
		status = take(locks, dir, "probe", board->instance.probe_serial, subject);
	}
	if (status != HB_OK)
		board_locks_release(locks);
	return status;
}

void board_locks_release(struct board_locks *locks)
{
	while (locks->count > 0)
		board_lock_release(&locks->held[--locks->count]);
}
