/* The meter drivers, in one explicit table: adding one is one line here. */
#include "meter/meter.h"

#include <string.h>

static const struct meter_driver *const meter_table[] = {
    &meter_lpm01a,
    &meter_ppk2,
};

#define METER_COUNT (sizeof meter_table / sizeof meter_table[0])

const struct meter_driver *meter_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < METER_COUNT; i++)
		if (strcmp(meter_table[i]->name, name) == 0)
			return meter_table[i];
	return NULL;
}

const char *const *meter_names(void)
{
	static const char *names[METER_COUNT + 1];

	/* Filled from the table so the two can never disagree. */
	if (!names[0])
		for (size_t i = 0; i < METER_COUNT; i++)
			names[i] = meter_table[i]->name;
	return names;
}
