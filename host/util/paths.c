#include "util/paths.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/error.h"

const char *paths_root(void)
{
	const char *root = getenv("HILBENCH_ROOT");
	return root && root[0] ? root : HB_SOURCE_ROOT;
}

int paths_join(char *out, size_t capacity, const char *first, const char *second)
{
	int written = second ? snprintf(out, capacity, "%s/%s/%s", paths_root(), first, second)
			     : snprintf(out, capacity, "%s/%s", paths_root(), first);
	if (written < 0 || (size_t)written >= capacity)
		return hb_error(HB_ERR_INPUT, "path too long under '%s'", paths_root());
	return HB_OK;
}
