# The STM32F746G-DISCO: its own clock tree, caches, USART1 and DMA (the F7's
# USART is the newer one the L4 also has, not the F4's); the DWT counter
# and the reset at the end of a run are every real Cortex-M board's
# (shared/).
PORT_SHARED := shared/counter_dwt.c shared/reset.c
