#include "stack_paint.h"

#include <stddef.h>

/* Distinct bytes, so neither zeroed memory nor a memset-able fill matches. */
#define STACK_PAINT_PATTERN 0xC0DE5A17u
/* Kept unpainted below the painter's own frame: covers what the compiler
 * may place below the address of a local (spills, saved registers). */
#define STACK_PAINT_MARGIN 64u

extern uint32_t __stack_bottom[];
extern uint32_t __stack_top[];

void stack_paint(void)
{
	volatile uint32_t here = 0;
	uintptr_t limit = ((uintptr_t)&here - STACK_PAINT_MARGIN) & ~(uintptr_t)3;
	volatile uint32_t *word = __stack_bottom;

	while ((uintptr_t)word < limit)
		*word++ = STACK_PAINT_PATTERN;
	(void)here;
}

uint32_t stack_high_water(void)
{
	const volatile uint32_t *word = __stack_bottom;

	while ((uintptr_t)word < (uintptr_t)__stack_top && *word == STACK_PAINT_PATTERN)
		word++;
	return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)word);
}

uint32_t stack_size(void)
{
	return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}
