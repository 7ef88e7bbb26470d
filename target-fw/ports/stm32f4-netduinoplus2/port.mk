# The stm32f4 port's files on QEMU's netduinoplus2 (an STM32F405): the same
# board.c and usart.c with this folder's stm32f4_board.h (USART1, polled
# receive) and memory map. QEMU 7.2 models neither the DWT nor the DMA
# controllers, so the tick counter is the mps2 port's SysTick one, as on
# the other emulated boards, and a run ends through semihosting
# (mps2/semihosting.c, as on every emulated port) instead of the Nucleo's
# reset (shared/reset.c).
PORT_SHARED := stm32f4/board.c stm32f4/usart.c mps2/counter_systick.c mps2/tick_sync.c \
               mps2/semihosting.c
