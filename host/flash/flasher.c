/* The flasher drivers, in one explicit table: adding one is one line here. */
#include "flash/flasher.h"

#include <stdio.h>
#include <string.h>

#include "util/error.h"

static const struct flasher_driver *const flasher_table[] = {
    &flasher_qemu,
    &flasher_openocd,
};

const struct flasher_driver *flasher_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof flasher_table / sizeof flasher_table[0]; i++)
		if (strcmp(flasher_table[i]->name, name) == 0)
			return flasher_table[i];
	return NULL;
}

const char *const *flasher_names(void)
{
	enum { COUNT = sizeof flasher_table / sizeof flasher_table[0] };
	static const char *names[COUNT + 1];

	for (size_t i = 0; i < COUNT; i++)
		names[i] = flasher_table[i]->name;
	return names;
}

int flasher_find_tool(const char *program, const char *install_hint, char *path,
		      size_t path_capacity, char *why, size_t why_capacity)
{
	if (spawn_find_program(program, path, path_capacity) == HB_OK)
		return HB_OK;
	if (why && why_capacity) {
		snprintf(why, why_capacity, "%s not found in PATH (%s)", program, install_hint);
		return HB_ERR_NOT_FOUND;
	}
	return hb_error(HB_ERR_NOT_FOUND, "cannot run '%s': not found in PATH (%s)", program,
			install_hint);
}
