/* Where hilbench finds its own tree (boards/, target-fw/) and writes
 * build/ and results/. The source root is compiled in and can be moved
 * with HILBENCH_ROOT. */
#ifndef HB_PATHS_H
#define HB_PATHS_H

#include <stddef.h>

/* The hilbench source tree: $HILBENCH_ROOT, else the folder it was built in. */
const char *paths_root(void);

/* Joins root-relative parts: paths_join(buf, cap, "boards", "qemu-m4.json"). */
int paths_join(char *out, size_t capacity, const char *first, const char *second);

#endif
