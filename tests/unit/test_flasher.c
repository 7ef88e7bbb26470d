/* Flashers against the real tools where installed: a missing QEMU, QEMU
 * refusing a machine, OpenOCD with no probe attached. Profiles are filled
 * by hand so these tests do not depend on the profile parser. */
#include <criterion/criterion.h>

#include "util/error.h"
#include "flash/flasher.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void flasher_test_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void flasher_test_setup(void)
{
	hb_log_set_sink(flasher_test_quiet, NULL);
}

TestSuite(flasher, .init = flasher_test_setup, .timeout = 20);

static void flasher_test_make_dir(char *dir, size_t capacity)
{
	snprintf(dir, capacity, "/tmp/hb-flasher-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

/* A file that exists; the tools fail before they would look inside. */
static void flasher_test_make_elf(const char *dir, char *path, size_t capacity)
{
	FILE *file;

	snprintf(path, capacity, "%s/firmware.elf", dir);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	fputs("not really an ELF\n", file);
	fclose(file);
}

static void flasher_test_remove_dir(const char *dir)
{
	static const char *const names[] = {"firmware.elf", "qemu.log", "openocd.log",
					    "uart0.sock"};
	char path[256];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	cr_expect_eq(rmdir(dir), 0, "'%s' has files left: %s", dir, strerror(errno));
}

static void flasher_test_qemu_board(struct board_profile *board, const char *machine)
{
	memset(board, 0, sizeof *board);
	snprintf(board->path, sizeof board->path, "boards/qemu-test.json");
	snprintf(board->id, sizeof board->id, "qemu-test");
	snprintf(board->flasher.driver, sizeof board->flasher.driver, "qemu");
	snprintf(board->flasher.machine, sizeof board->flasher.machine, "%s", machine);
	snprintf(board->console.transport, sizeof board->console.transport, "qemu");
}

static void flasher_test_openocd_board(struct board_profile *board)
{
	memset(board, 0, sizeof *board);
	snprintf(board->path, sizeof board->path, "boards/nucleo-f446re.json");
	snprintf(board->id, sizeof board->id, "nucleo-f446re");
	snprintf(board->flasher.driver, sizeof board->flasher.driver, "openocd");
	snprintf(board->flasher.interface_cfg, sizeof board->flasher.interface_cfg,
		 "interface/stlink.cfg");
	snprintf(board->flasher.target_cfg, sizeof board->flasher.target_cfg,
		 "target/stm32f4x.cfg");
	snprintf(board->console.transport, sizeof board->console.transport, "serial");
	snprintf(board->console.device, sizeof board->console.device, "/dev/ttyACM0");
	board->console.baud = 115200;
}

static bool flasher_test_have(const char *program)
{
	char path[4096];
	return spawn_find_program(program, path, sizeof path) == HB_OK;
}

/* No child of ours may be alive or unreaped. */
static void flasher_test_assert_no_children(void)
{
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child process was left behind");
	cr_assert_eq(errno, ECHILD);
}

Test(flasher, find_by_name)
{
	cr_assert_eq(flasher_find("qemu"), &flasher_qemu);
	cr_assert_eq(flasher_find("openocd"), &flasher_openocd);
	cr_assert_null(flasher_find("nope"));
	cr_assert_null(flasher_find(NULL));
}

Test(flasher, qemu_missing_from_path)
{
	char dir[64], elf[128], why[256] = "";
	struct board_profile board;
	struct flash_request request = {.board = &board, .firmware_elf = elf, .run_dir = dir};
	struct flash_session session;
	char *saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	int status, available;

	flasher_test_make_dir(dir, sizeof dir);
	flasher_test_make_elf(dir, elf, sizeof elf);
	flasher_test_qemu_board(&board, "mps2-an386");
	setenv("PATH", dir, 1);
	status = flasher_qemu.start(&request, &session);
	available = flasher_qemu.available(&board, why, sizeof why);
	if (saved_path) {
		setenv("PATH", saved_path, 1);
		free(saved_path);
	} else {
		unsetenv("PATH");
	}

	cr_assert_eq(status, HB_ERR_NOT_FOUND);
	cr_assert_str_eq(hb_last_error(),
			 "cannot run 'qemu-system-arm': not found in PATH (install "
			 "qemu-system-arm, or run scripts/install-deps.sh)");
	cr_assert_eq(available, HB_ERR_NOT_FOUND);
	cr_assert(strstr(why, "qemu-system-arm"), "why: %s", why);
	flasher_test_assert_no_children();
	flasher_test_remove_dir(dir);
}

Test(flasher, qemu_unknown_machine_reports_status_and_log_line)
{
	char dir[64], elf[128];
	struct board_profile board;
	struct flash_request request = {.board = &board, .firmware_elf = elf, .run_dir = dir};
	struct flash_session session;

	if (!flasher_test_have("qemu-system-arm"))
		cr_skip_test("qemu-system-arm is not installed");
	flasher_test_make_dir(dir, sizeof dir);
	flasher_test_make_elf(dir, elf, sizeof elf);
	flasher_test_qemu_board(&board, "no-such-machine");

	cr_assert_eq(flasher_qemu.start(&request, &session), HB_ERR_TOOL);
	cr_assert_str_eq(hb_last_error(), "qemu-system-arm exited with status 1 before the board "
					  "started: unsupported machine type");
	cr_assert_eq(session.process.pid, 0);
	cr_assert(session.process.exited);
	flasher_test_assert_no_children();
	flasher_test_remove_dir(dir);
}

Test(flasher, qemu_missing_firmware)
{
	char dir[64], elf[128];
	struct board_profile board;
	struct flash_request request = {.board = &board, .firmware_elf = elf, .run_dir = dir};
	struct flash_session session;

	if (!flasher_test_have("qemu-system-arm"))
		cr_skip_test("qemu-system-arm is not installed");
	flasher_test_make_dir(dir, sizeof dir);
	snprintf(elf, sizeof elf, "%s/missing.elf", dir);
	flasher_test_qemu_board(&board, "mps2-an386");

	cr_assert_eq(flasher_qemu.start(&request, &session), HB_ERR_NOT_FOUND);
	cr_assert(strstr(hb_last_error(), "missing.elf"), "got: %s", hb_last_error());
	cr_assert(strstr(hb_last_error(), "qemu-test"), "got: %s", hb_last_error());
	flasher_test_assert_no_children();
	flasher_test_remove_dir(dir);
}

Test(flasher, qemu_run_dir_too_long_for_socket)
{
	char dir[300], elf[128];
	struct board_profile board;
	struct flash_request request = {.board = &board, .firmware_elf = elf, .run_dir = dir};
	struct flash_session session;

	if (!flasher_test_have("qemu-system-arm"))
		cr_skip_test("qemu-system-arm is not installed");
	snprintf(elf, sizeof elf, "/dev/null");
	memset(dir, 'd', 200);
	dir[0] = '/';
	dir[200] = '\0';
	flasher_test_qemu_board(&board, "mps2-an386");
	cr_assert_eq(flasher_qemu.start(&request, &session), HB_ERR_INPUT);
	cr_assert(strstr(hb_last_error(), "too long"), "got: %s", hb_last_error());
}

Test(flasher, openocd_without_probe_names_board_and_probe)
{
	char dir[64], elf[128];
	struct board_profile board;
	struct flash_request request = {
	    .board = &board, .firmware_elf = elf, .run_dir = dir, .timeout_ms = 30000};
	struct flash_session session;
	const char *message;

	if (!flasher_test_have("openocd"))
		cr_skip_test("openocd is not installed");
	flasher_test_make_dir(dir, sizeof dir);
	flasher_test_make_elf(dir, elf, sizeof elf);
	flasher_test_openocd_board(&board);

	cr_assert_eq(flasher_openocd.start(&request, &session), HB_ERR_TOOL);
	message = hb_last_error();
	cr_assert(strstr(message, "cannot flash board 'nucleo-f446re': "), "got: %s", message);
	cr_assert(strstr(message, "interface/stlink.cfg"), "got: %s", message);
	cr_assert(strstr(message, "no debug probe"), "got: %s", message);
	cr_assert(strstr(message, "Error: open failed"), "got: %s", message);
	cr_assert_null(strchr(message, '\n'));
	/* The console comes from the profile. */
	cr_assert_str_eq(session.console_transport, "serial");
	cr_assert_str_eq(session.console_address, "/dev/ttyACM0");
	flasher_test_assert_no_children();
	cr_assert_eq(flasher_openocd.stop(&session, 1000), 0);
	flasher_test_remove_dir(dir);
}

Test(flasher, openocd_missing_config_is_named)
{
	char dir[64], elf[128];
	struct board_profile board;
	struct flash_request request = {
	    .board = &board, .firmware_elf = elf, .run_dir = dir, .timeout_ms = 30000};
	struct flash_session session;

	if (!flasher_test_have("openocd"))
		cr_skip_test("openocd is not installed");
	flasher_test_make_dir(dir, sizeof dir);
	flasher_test_make_elf(dir, elf, sizeof elf);
	flasher_test_openocd_board(&board);
	snprintf(board.flasher.interface_cfg, sizeof board.flasher.interface_cfg,
		 "interface/no-such-probe.cfg");

	cr_assert_eq(flasher_openocd.start(&request, &session), HB_ERR_TOOL);
	cr_assert(strstr(hb_last_error(), "Can't find interface/no-such-probe.cfg"), "got: %s",
		  hb_last_error());
	cr_assert(strstr(hb_last_error(), "nucleo-f446re"), "got: %s", hb_last_error());
	flasher_test_assert_no_children();
	flasher_test_remove_dir(dir);
}

/* Checked before anything runs, so this needs no openocd. */
Test(flasher, openocd_rejects_tcl_breaking_paths)
{
	static const char *const paths[] = {"/tmp/a{b}.elf", "/tmp/a$b.elf",  "/tmp/a[b].elf",
					    "/tmp/a\"b.elf", "/tmp/a\\b.elf", "/tmp/a\nb.elf"};
	struct board_profile board;
	struct flash_session session;

	flasher_test_openocd_board(&board);
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct flash_request request = {.board = &board,
						.firmware_elf = paths[i],
						.run_dir = "/tmp",
						.timeout_ms = 1000};
		cr_assert_eq(flasher_openocd.start(&request, &session), HB_ERR_INPUT, "path %zu",
			     i);
		cr_assert(strstr(hb_last_error(), "nucleo-f446re"), "got: %s", hb_last_error());
	}
	flasher_test_assert_no_children();
}

/* QEMU makes the UART socket and then holds everything until a client
 * connects (it has not even loaded the kernel yet), so a fake ELF is enough
 * to see the socket appear and stop() end a QEMU nobody talked to. */
Test(flasher, qemu_socket_appears_and_stop_ends_it)
{
	char dir[64], elf[128], socket_path[160];
	struct board_profile board;
	struct flash_request request = {.board = &board, .firmware_elf = elf, .run_dir = dir};
	struct flash_session session;
	struct stat info;
	pid_t pid;

	if (!flasher_test_have("qemu-system-arm"))
		cr_skip_test("qemu-system-arm is not installed");
	flasher_test_make_dir(dir, sizeof dir);
	flasher_test_make_elf(dir, elf, sizeof elf);
	flasher_test_qemu_board(&board, "mps2-an386");
	snprintf(socket_path, sizeof socket_path, "%s/uart0.sock", dir);

	cr_assert_eq(flasher_qemu.start(&request, &session), HB_OK, "%s", hb_last_error());
	pid = session.process.pid;
	cr_assert_gt(pid, 0);
	cr_assert_str_eq(session.console_transport, "tcp");
	cr_assert_eq(strncmp(session.console_address, "unix:", 5), 0);
	cr_assert_str_eq(session.console_address + 5, socket_path);
	cr_assert_eq(stat(socket_path, &info), 0);
	cr_assert(S_ISSOCK(info.st_mode));

	/* It never exits by itself here: stop() has to end it, and says so. */
	cr_assert_eq(flasher_qemu.stop(&session, 100), HB_ERR_TIMEOUT);
	cr_assert(strstr(hb_last_error(), "did not exit within 100 ms"), "got: %s",
		  hb_last_error());
	cr_assert(session.process.exited);
	cr_assert_eq(kill(pid, 0), -1);
	cr_assert_neq(stat(socket_path, &info), 0, "the socket was left behind");
	flasher_test_assert_no_children();
	flasher_test_remove_dir(dir);
}

/* A reset is a new machine on the same images: the old QEMU is gone, the
 * new one made the console socket again. */
Test(flasher, qemu_reset_starts_a_new_machine)
{
	char dir[64], elf[128], socket_path[160];
	struct board_profile board;
	struct flash_request request = {.board = &board, .firmware_elf = elf, .run_dir = dir};
	struct flash_session session;
	struct stat info;
	pid_t first;

	if (!flasher_test_have("qemu-system-arm"))
		cr_skip_test("qemu-system-arm is not installed");
	flasher_test_make_dir(dir, sizeof dir);
	flasher_test_make_elf(dir, elf, sizeof elf);
	flasher_test_qemu_board(&board, "mps2-an386");
	snprintf(socket_path, sizeof socket_path, "%s/uart0.sock", dir);

	cr_assert_eq(flasher_qemu.start(&request, &session), HB_OK, "%s", hb_last_error());
	first = session.process.pid;
	cr_assert_not_null(flasher_qemu.reset);
	cr_assert_eq(flasher_qemu.reset(&request, &session), HB_OK, "%s", hb_last_error());
	cr_assert_gt(session.process.pid, 0);
	cr_assert_neq(session.process.pid, first);
	cr_assert_eq(kill(first, 0), -1, "the first QEMU still runs");
	cr_assert_eq(stat(socket_path, &info), 0);
	cr_assert(S_ISSOCK(info.st_mode));
	cr_assert_eq(flasher_qemu.stop(&session, 0), HB_ERR_TIMEOUT);
	flasher_test_assert_no_children();
	flasher_test_remove_dir(dir);
}

/* OpenOCD's `reset run` with no probe attached: the same named failure as a
 * flash, said of a reset, and nothing left running. */
Test(flasher, openocd_reset_without_probe_names_board_and_probe)
{
	char dir[64], elf[128], log[160];
	struct board_profile board;
	struct flash_request request = {
	    .board = &board, .firmware_elf = elf, .run_dir = dir, .timeout_ms = 30000};
	struct flash_session session;
	const char *message;

	if (!flasher_test_have("openocd"))
		cr_skip_test("openocd is not installed");
	flasher_test_make_dir(dir, sizeof dir);
	flasher_test_make_elf(dir, elf, sizeof elf);
	flasher_test_openocd_board(&board);
	memset(&session, 0, sizeof session);

	cr_assert_not_null(flasher_openocd.reset);
	cr_assert_eq(flasher_openocd.reset(&request, &session), HB_ERR_TOOL);
	message = hb_last_error();
	cr_assert(strstr(message, "cannot reset board 'nucleo-f446re': "), "got: %s", message);
	cr_assert(strstr(message, "no debug probe"), "got: %s", message);
	flasher_test_assert_no_children();
	snprintf(log, sizeof log, "%s/openocd-reset.log", dir);
	cr_assert_eq(unlink(log), 0, "no log '%s'", log);
	flasher_test_remove_dir(dir);
}
