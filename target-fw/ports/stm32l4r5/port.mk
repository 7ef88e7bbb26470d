# The NUCLEO-L4R5ZI: its own clock tree, LPUART1 set-up and DMA (the L4+
# USART and DMA differ from the STM32F4's); the DWT counter and the reset
# at the end of a run are every real Cortex-M board's, the USART transmit
# the F7's too (shared/, stm32_console.h naming the instance).
PORT_SHARED := shared/counter_dwt.c shared/reset.c shared/stm32_usart_tx.c
