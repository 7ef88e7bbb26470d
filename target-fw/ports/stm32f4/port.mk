# The NUCLEO-F446RE: the DWT cycle counter and the reset at the end of a run
# are the same on every real Cortex-M board (shared/).
PORT_SHARED := shared/counter_dwt.c shared/reset.c
