#include "cmd/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/error.h"
#include "util/paths.h"

int cli_parse_u32(const char *name, const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long value;

	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || value < min || value > max)
		return hb_error(HB_ERR_USAGE,
				"option '%s': expected an integer from %u to %u, got '%s'", name,
				min, max, text);
	*out = (uint32_t)value;
	return HB_OK;
}

int cli_parse_seconds(const char *name, const char *text, int *milliseconds)
{
	char *end;
	double value;

	errno = 0;
	value = strtod(text, &end);
	if (errno || end == text || *end || !(value > 0) || value > 86400)
		return hb_error(HB_ERR_USAGE,
				"option '%s': expected seconds between 0 and 86400, got '%s'", name,
				text);
	*milliseconds = (int)(value * 1000 + 0.5);
	if (*milliseconds < 1)
		*milliseconds = 1;
	return HB_OK;
}

int cli_parse_probability(const char *name, const char *text, double *out)
{
	char *end;
	double value;

	errno = 0;
	value = strtod(text, &end);
	/* Written so that NaN fails too. */
	if (errno || end == text || *end || !(value >= 0 && value <= 1))
		return hb_error(HB_ERR_USAGE,
				"option '%s': expected a probability between 0 and 1, got '%s'",
				name, text);
	*out = value;
	return HB_OK;
}

const char *cli_boards_dir(const char *override)
{
	static char path[1024];
	if (override)
		return override;
	if (paths_join(path, sizeof path, "boards", NULL) != HB_OK)
		return "boards";
	return path;
}

int cli_bad_option(const char *command, int option_char, const char *argument)
{
	if (option_char == ':')
		return hb_error(HB_ERR_USAGE,
				"option '%s' needs a value (see 'hilbench %s --help')", argument,
				command);
	return hb_error(HB_ERR_USAGE, "unknown option '%s' (see 'hilbench %s --help')", argument,
			command);
}
