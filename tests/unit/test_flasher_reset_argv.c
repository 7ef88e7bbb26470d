/* The OpenOCD `reset run` a recovery sends a real board (flasher_openocd's
 * reset, through recovery_restart): the command line built from each real
 * board's shipped profile. A fake openocd on PATH records its argv and
 * succeeds, since no probe is attached here. */
#include <criterion/criterion.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/profile.h"
#include "flash/flasher.h"
#include "run/recovery.h"
#include "util/error.h"

static char reset_argv_dir[64];

static void reset_argv_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

/* dir/openocd writes its arguments, one a line, to dir/args.txt and exits 0. */
static void reset_argv_setup(void)
{
	char path[128], search[256];
	FILE *file;

	hb_log_set_sink(reset_argv_quiet, NULL);
	snprintf(reset_argv_dir, sizeof reset_argv_dir, "/tmp/hb-reset-argv-XXXXXX");
	cr_assert_not_null(mkdtemp(reset_argv_dir));
	snprintf(path, sizeof path, "%s/openocd", reset_argv_dir);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	fprintf(file, "#!/bin/sh\nprintf '%%s\\n' \"$@\" >\"%s/args.txt\"\n", reset_argv_dir);
	fclose(file);
	cr_assert_eq(chmod(path, 0755), 0);
	snprintf(search, sizeof search, "%s:/usr/bin:/bin", reset_argv_dir);
	setenv("PATH", search, 1);
}

static void reset_argv_teardown(void)
{
	static const char *const names[] = {"openocd", "args.txt", "openocd-reset.log"};
	char path[128];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", reset_argv_dir, names[i]);
		unlink(path);
	}
	rmdir(reset_argv_dir);
	hb_log_set_sink(NULL, NULL);
}

static const char *reset_argv_read(void)
{
	static char text[2048];
	char path[128];
	FILE *file;
	size_t length;

	snprintf(path, sizeof path, "%s/args.txt", reset_argv_dir);
	file = fopen(path, "r");
	cr_assert_not_null(file, "openocd did not run");
	length = fread(text, 1, sizeof text - 1, file);
	text[length] = '\0';
	fclose(file);
	unlink(path);
	return text;
}

TestSuite(flasher_reset_argv, .init = reset_argv_setup, .fini = reset_argv_teardown, .timeout = 20);

/* Every OpenOCD board shipped (each profile in boards/): its interface and target
 * scripts as the profile names them, then init, reset run, shutdown;
 * nothing programmed. */
Test(flasher_reset_argv, reset_run_follows_each_real_boards_profile)
{
	glob_t found;
	size_t checked = 0;

	cr_assert_eq(glob(HB_SOURCE_ROOT "/boards/*.json", 0, NULL, &found), 0);
	for (size_t i = 0; i < found.gl_pathc; i++) {
		char expected[1024];
		struct board_profile board;
		struct flash_session session;
		const struct flash_request request = {
		    .board = &board, .run_dir = reset_argv_dir, .timeout_ms = 10000};

		cr_assert_eq(profile_load(found.gl_pathv[i], &board), HB_OK, "%s: %s",
			     found.gl_pathv[i], hb_last_error());
		if (strcmp(board.flasher.driver, "openocd") != 0)
			continue;
		memset(&session, 0, sizeof session);
		cr_assert_eq(flasher_openocd.reset(&request, &session), HB_OK, "%s: %s", board.id,
			     hb_last_error());
		snprintf(expected, sizeof expected,
			 "-f\n%s\n-f\n%s\n-c\ninit\n-c\nreset run\n-c\nshutdown\n",
			 board.flasher.interface_cfg, board.flasher.target_cfg);
		cr_assert_str_eq(reset_argv_read(), expected, "%s", board.id);
		checked++;
	}
	globfree(&found);
	/* nucleo-f446re, nucleo-l4r5zi, disco-f746, nrf52840dk, pico at least. */
	cr_assert_geq(checked, 5, "only %zu OpenOCD profiles found", checked);
}

/* The recovery's restart of a real board is that reset, and says so; its
 * reflash is the flasher's program command line instead. */
Test(flasher_reset_argv, a_recovery_restart_is_openocds_reset_run)
{
	char path[256];
	struct board_profile board;
	struct flash_session session;
	const struct flash_request request = {
	    .board = &board, .run_dir = reset_argv_dir, .timeout_ms = 10000};
	const struct recovery_board target = {.board_id = "nucleo-f446re",
					      .flasher = &flasher_openocd,
					      .request = &request,
					      .flash = &session};
	struct recovery_event event;

	snprintf(path, sizeof path, "%s/boards/nucleo-f446re.json", HB_SOURCE_ROOT);
	cr_assert_eq(profile_load(path, &board), HB_OK, "%s", hb_last_error());
	memset(&session, 0, sizeof session);
	memset(&event, 0, sizeof event);
	cr_assert_eq(recovery_restart(&target, false, &event), HB_OK, "%s", hb_last_error());
	cr_assert_str_eq(event.action, "reset run (openocd)");
	cr_assert(strstr(reset_argv_read(), "-c\nreset run\n"));
}
