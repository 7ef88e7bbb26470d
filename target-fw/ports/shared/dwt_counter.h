/*
 * The DWT cycle counter of ARMv7-M and ARMv8-M cores (counter_dwt.c), for
 * the real-board ports that build it in (port.mk: shared/counter_dwt.c).
 * ARMv6-M (Cortex-M0, M0+) has no DWT counter: those ports use SysTick.
 */
#ifndef FW_DWT_COUNTER_H
#define FW_DWT_COUNTER_H

/* Starts CYCCNT from 0. */
void dwt_counter_init(void);

/* Notices a wrap of the 32-bit CYCCNT since the last read; the UART
 * polling loop calls it, so an idle board does not miss one. */
void dwt_counter_poll(void);

#endif
