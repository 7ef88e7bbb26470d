/* Small helpers the subcommands share for parsing their options. */
#ifndef HB_CLI_H
#define HB_CLI_H

#include <stdint.h>

/* Parses a decimal integer in [min, max] for option `name`. */
int cli_parse_u32(const char *name, const char *text, uint32_t min, uint32_t max, uint32_t *out);

/* Parses seconds (decimal, fractions allowed) into milliseconds. */
int cli_parse_seconds(const char *name, const char *text, int *milliseconds);

/* Parses a probability: a decimal number in [0, 1]. */
int cli_parse_probability(const char *name, const char *text, double *out);

/* The boards folder: `override` if given, else <root>/boards. */
const char *cli_boards_dir(const char *override);

/* Reports the option getopt could not accept. */
int cli_bad_option(const char *command, int option_char, const char *argument);

#endif
