/*
 * Stack high-water mark by painting: the unused stack is filled with a known
 * word at boot, and the deepest word no longer holding it shows how much
 * stack was ever used. Needs the symbols __stack_bottom and __stack_top from
 * target-fw/link/sections.ld.
 */
#ifndef FW_STACK_PAINT_H
#define FW_STACK_PAINT_H

#include <stdint.h>

/* Paints from the bottom of the stack up to a margin below the caller's
 * frame. Call first thing in main, before the stack grows. */
void stack_paint(void);

/* Bytes of stack used since stack_paint(), from the deepest overwritten word. */
uint32_t stack_high_water(void);

/* Bytes reserved for the stack by the linker script. */
uint32_t stack_size(void);

#endif
