/*
 * The tick counter of the stm32f4 port on the Nucleo: the DWT cycle
 * counter (shared/counter_dwt.c). A port reusing these files on a chip
 * without a DWT (QEMU's netduinoplus2) brings its own counter.c.
 */
#include "dwt_counter.h"
#include "stm32f4.h"

void stm32f4_counter_init(void)
{
	dwt_counter_init();
}

void stm32f4_counter_poll(void)
{
	dwt_counter_poll();
}
