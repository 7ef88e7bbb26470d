#include "report/report_units.h"

#include <ctype.h>
#include <string.h>

struct unit_factor {
	enum report_dimension dimension;
	const char *name; /* lower case; "" for a bare number */
	double factor;
};

static const struct unit_factor unit_factors[] = {
    {REPORT_DIM_COUNT, "", 1},		{REPORT_DIM_COUNT, "k", 1e3},
    {REPORT_DIM_COUNT, "m", 1e6},	{REPORT_DIM_COUNT, "g", 1e9},
    {REPORT_DIM_RATIO, "", 1},		{REPORT_DIM_TIME, "", 1},
    {REPORT_DIM_TIME, "us", 0.001},	{REPORT_DIM_TIME, "ms", 1},
    {REPORT_DIM_TIME, "s", 1000},	{REPORT_DIM_BYTES, "", 1},
    {REPORT_DIM_BYTES, "b", 1},		{REPORT_DIM_BYTES, "k", 1024},
    {REPORT_DIM_BYTES, "kb", 1024},	{REPORT_DIM_BYTES, "kib", 1024},
    {REPORT_DIM_BYTES, "m", 1048576},	{REPORT_DIM_BYTES, "mb", 1048576},
    {REPORT_DIM_BYTES, "mib", 1048576}, {REPORT_DIM_PERCENT, "", 1},
    {REPORT_DIM_PERCENT, "pts", 1},	{REPORT_DIM_FRACTION, "", 1},
    {REPORT_DIM_FRACTION, "pts", 0.01}, {REPORT_DIM_POINTS, "", 1},
    {REPORT_DIM_POINTS, "pts", 1},	{REPORT_DIM_POINTS, "pt", 1},
    {REPORT_DIM_ENERGY, "", 1},		{REPORT_DIM_ENERGY, "uj", 1},
    {REPORT_DIM_ENERGY, "mj", 1000},	{REPORT_DIM_ENERGY, "j", 1e6},
};

bool report_unit_factor(enum report_dimension dimension, const char *unit, double *factor)
{
	char lower[8];
	size_t n = strlen(unit);

	if (n >= sizeof lower)
		return false;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)unit[i]);
	for (size_t i = 0; i < sizeof unit_factors / sizeof unit_factors[0]; i++)
		if (unit_factors[i].dimension == dimension &&
		    !strcmp(unit_factors[i].name, lower)) {
			*factor = unit_factors[i].factor;
			return true;
		}
	return false;
}
