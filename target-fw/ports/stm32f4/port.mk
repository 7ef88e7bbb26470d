# The NUCLEO-F446RE: the DWT cycle counter and the reset at the end of a run
# are the same on every real Cortex-M board (shared/), the reset flags
# (RCC_CSR) the F7's.
PORT_SHARED := shared/counter_dwt.c shared/reset.c shared/stm32_rcc_reset_cause.c
