# The STM32F746G-DISCO: its own clock tree, caches, USART1 set-up and DMA;
# the DWT counter and the reset at the end of a run are every real
# Cortex-M board's, the USART transmit the L4R5's too (the F7's USART has
# the L4's layout, not the F4's; shared/, stm32_console.h naming it), the
# reset flags the F4's (RCC_CSR at the same place with the same bits).
PORT_SHARED := shared/counter_dwt.c shared/reset.c shared/stm32_usart_tx.c \
               shared/stm32_rcc_reset_cause.c
