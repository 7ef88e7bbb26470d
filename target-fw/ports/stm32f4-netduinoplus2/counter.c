/*
 * The tick counter of the stm32f4 port on QEMU's netduinoplus2: SysTick,
 * through the mps2 port's counter (mps2/counter_systick.c, built in by
 * port.mk), since QEMU 7.2 does not model the DWT (its registers read as
 * 0). SysTick runs on the 168 MHz clock QEMU gives the machine whatever
 * the RCC says; under -icount a tick is 5.95 instructions, calibrated at
 * boot and reported as the counter's scale.
 */
#include "stm32f4.h"

/* ports/mps2/counter_systick.c: starts SysTick and calibrates
 * instructions per tick. */
void mps2_counter_init(void);

void stm32f4_counter_init(void)
{
	mps2_counter_init();
}

/* SysTick's interrupt counts its wraps itself. */
void stm32f4_counter_poll(void)
{
}
