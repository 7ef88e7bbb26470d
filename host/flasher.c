/* The flasher drivers, in one explicit table: adding one is one line here. */
#include "flasher.h"

#include <string.h>

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
