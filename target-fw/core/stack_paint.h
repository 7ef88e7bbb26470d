/*
 * Stack use by painting: the unused stack is filled with a known word, and
 * the deepest word no longer holding it shows how much stack was used. Two
 * figures: the high-water mark since boot (the whole firmware: handler,
 * frame codec, interrupts, the model) and, by repainting right before the
 * timed runs, the depth the runs themselves reach below their call point
 * (the model's own stack, what a deployment needs). Needs the symbols
 * __stack_bottom and __stack_top from target-fw/link/sections.ld.
 */
#ifndef FW_STACK_PAINT_H
#define FW_STACK_PAINT_H

#include <stdint.h>

/* Distinct bytes, so neither zeroed memory nor a memset-able fill matches. */
#define STACK_PAINT_PATTERN 0xC0DE5A17u

extern uint32_t __stack_bottom[];
extern uint32_t __stack_top[];

/* The lowest bytes of the stack, which every run must leave painted: a
 * stack that reached them has overrun its reservation or come within a
 * few words of it (then only an interrupt frame lies between it and the
 * end of RAM), so results computed meanwhile are not trusted. */
#define STACK_GUARD_BYTES 64u

/* Paints from the bottom of the stack up to a margin below the caller's
 * frame. Call first thing in main, before the stack grows. */
void stack_paint(void);

/* Bytes of stack used since boot, from the deepest overwritten word (kept
 * across stack_repaint_here()). */
uint32_t stack_high_water(void);

/* Bytes reserved for the stack by the linker script. */
uint32_t stack_size(void);

/* Folds the current high-water mark into the one kept since boot, so a
 * repaint does not forget it. */
void stack_keep_high_water(void);

/* Repaints the free stack below the current stack pointer and returns that
 * pointer: the call point stack_depth_below() measures from. Inlined so the
 * repaint runs in the caller's own frame and nothing of it lies between the
 * call point and the painted words. Nothing below the stack pointer is live
 * (an interrupt pushes its frame and pops it before the loop goes on). */
static inline __attribute__((always_inline)) uintptr_t stack_repaint_here(void)
{
	uintptr_t sp;
	volatile uint32_t *word = __stack_bottom;

	stack_keep_high_water();
#if defined(__arm__)
	__asm__ volatile("mov %0, sp" : "=r"(sp));
#else
	/* Host builds (tests/fuzz/fw_host_port.c): the painted words are an
	 * array nothing runs on, so its top stands in for the stack pointer. */
	sp = (uintptr_t)__stack_top;
#endif
	while ((uintptr_t)word < (sp & ~(uintptr_t)3))
		*word++ = STACK_PAINT_PATTERN;
	return sp;
}

/* 1 while the guard words at the bottom of the stack still hold the
 * paint, 0 once anything has written there (checked after each batch of
 * runs, so an overrun is reported as one, not as a result). */
int stack_guard_intact(void);

/* Bytes below `call_point` (from stack_repaint_here()) written since the
 * repaint: the deepest the calls made from there went, interrupts taken
 * meanwhile included. */
uint32_t stack_depth_below(uintptr_t call_point);

#endif
