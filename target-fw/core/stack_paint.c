#include "stack_paint.h"

#include <stddef.h>

#include "harness.h"

/* Kept unpainted below the painter's own frame: covers what the compiler
 * may place below the address of a local (spills, saved registers). */
#define STACK_PAINT_MARGIN 64u

/* The high-water mark as it was before the last repaint. */
static HARNESS_BSS uint32_t kept_high_water;

void stack_paint(void)
{
	volatile uint32_t here = 0;
	uintptr_t limit = ((uintptr_t)&here - STACK_PAINT_MARGIN) & ~(uintptr_t)3;
	volatile uint32_t *word = __stack_bottom;

	while ((uintptr_t)word < limit)
		*word++ = STACK_PAINT_PATTERN;
	(void)here;
}

/* The lowest word that no longer holds the paint. */
static uintptr_t deepest_written(void)
{
	const volatile uint32_t *word = __stack_bottom;

	while ((uintptr_t)word < (uintptr_t)__stack_top && *word == STACK_PAINT_PATTERN)
		word++;
	return (uintptr_t)word;
}

uint32_t stack_high_water(void)
{
	uint32_t now = (uint32_t)((uintptr_t)__stack_top - deepest_written());

	return now > kept_high_water ? now : kept_high_water;
}

void stack_keep_high_water(void)
{
	kept_high_water = stack_high_water();
}

uint32_t stack_depth_below(uintptr_t call_point)
{
	uintptr_t deepest = deepest_written();

	return deepest < call_point ? (uint32_t)(call_point - deepest) : 0;
}

uint32_t stack_size(void)
{
	return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}

int stack_guard_intact(void)
{
	const volatile uint32_t *word = __stack_bottom;

	for (uint32_t i = 0; i < STACK_GUARD_BYTES / 4u; i++)
		if (word[i] != STACK_PAINT_PATTERN)
			return 0;
	return 1;
}
