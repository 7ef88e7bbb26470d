/*
 * Growing arrays: room for one more element, doubling the capacity, for
 * the tables the host builds while it reads a model. Header-only so every
 * program and fuzz target that compiles its caller has it.
 */
#ifndef HB_UTIL_GROW_H
#define HB_UTIL_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* `array` with room for element `count` (of `element_size` bytes): itself
 * while it has room, else a reallocation to twice `*capacity` (`first` when
 * empty), `*capacity` updated. NULL when memory runs out or the size would
 * overflow; `array` is then untouched and still the caller's to free. */
static inline void *grow_array(void *array, size_t *capacity, size_t count, size_t element_size,
			       size_t first)
{
	size_t grown;
	void *bigger;

	if (count < *capacity)
		return array;
	grown = *capacity ? *capacity * 2 : first;
	if (grown <= count || grown > SIZE_MAX / element_size)
		return NULL;
	bigger = realloc(array, grown * element_size);
	if (bigger)
		*capacity = grown;
	return bigger;
}

#endif
