/* The transport drivers, in one explicit table: adding one is one line here. */
#include "link/transport.h"

#include <string.h>

static const struct transport_driver *const transport_table[] = {
    &transport_serial,
    &transport_tcp,
};

#define TRANSPORT_COUNT (sizeof transport_table / sizeof transport_table[0])

const struct transport_driver *transport_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < TRANSPORT_COUNT; i++)
		if (strcmp(transport_table[i]->name, name) == 0)
			return transport_table[i];
	return NULL;
}

const char *const *transport_names(void)
{
	static const char *names[TRANSPORT_COUNT + 1];

	/* Filled from the table so the two can never disagree. */
	if (!names[0])
		for (size_t i = 0; i < TRANSPORT_COUNT; i++)
			names[i] = transport_table[i]->name;
	return names;
}
