/* The subcommands: one file each (cmd_<name>.c), listed in main.c's table.
 * Each returns an hb_status; main.c turns it into the exit code. */
#ifndef HB_COMMANDS_H
#define HB_COMMANDS_H

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_baseline(int argc, char **argv);
int cmd_boards(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_infer(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_meters(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* `boards --detect` (cmd_boards_detect.c): the probes and bridges attached,
 * or those of a recorded enumeration. */
int cmd_boards_detect(const char *boards_dir, const char *recording, int json);

#endif
